/*
 * render_line_chart.c: the inline SVG line chart (see render_line_chart.h).
 *
 * Layout, in viewBox units: a legend row at the top, the y tick labels in a
 * left margin as wide as the widest label, the plot, the category labels
 * underneath.  Each category is a band of equal width and its point sits in
 * the middle of the band.
 */
#include "render_line_chart.h"

#include "render_axis.h"
#include "render_html.h"

#include <string.h>

enum {
    WIDTH = 720,
    HEIGHT = 300,
    TOP = 34,      /* legend above the plot */
    BOTTOM = 26,   /* category labels */
    RIGHT = 14,
    CHAR_W = 7,    /* rough width of a character at font-size 11, for margins */
    INTERVALS = 5, /* about five y steps */
};

/* Width in viewBox units of text at font-size 11, roughly. */
static int
text_width(const char *s)
{
    return (int)g_utf8_strlen(s, -1) * CHAR_W;
}

/* x of the middle of category i of n across [left, right]. */
static int
band_x(int i, int n, int left, int right)
{
    return left + (int)(((int64_t)(right - left) * (2 * i + 1)) / (2 * n));
}

static void
append_legend(GString *out, const RenderLineChart *c, int left)
{
    int x = left;
    for (int s = 0; s < c->n_series; s++) {
        const RenderLineSeries *r = &c->series[s];
        g_string_append_printf(out,
                               "<line x1=\"%d\" y1=\"12\" x2=\"%d\" y2=\"12\" stroke=\"%s\" "
                               "stroke-width=\"2.5\"%s />",
                               x, x + 22, r->colour, r->dashed ? " stroke-dasharray=\"6 4\"" : "");
        g_string_append_printf(out, "<text x=\"%d\" y=\"16\">", x + 28);
        render_html_escape(out, r->name);
        g_string_append(out, "</text>\n");
        x += 28 + text_width(r->name) + 24;
    }
}

/* One series: its line, then a point with a tooltip at each value. */
static void
append_series(GString *out, const RenderLineChart *c, const RenderLineSeries *r,
              const RenderAxis *ax, int left, int right, int top, int bottom)
{
    if (r->n == 0)
        return;
    g_string_append_printf(out, "<g class=\"series\" stroke=\"%s\" fill=\"%s\">\n", r->colour,
                           r->colour);
    g_string_append(out, "<polyline fill=\"none\" stroke-width=\"2.5\" stroke-linejoin=\"round\"");
    if (r->dashed)
        g_string_append(out, " stroke-dasharray=\"6 4\"");
    g_string_append(out, " points=\"");
    for (int i = 0; i < r->n; i++)
        g_string_append_printf(out, "%s%d,%d", i ? " " : "",
                               band_x(r->first + i, c->n_categories, left, right),
                               render_axis_map(ax, r->values[i], bottom, top));
    g_string_append(out, "\" />\n");
    for (int i = 0; i < r->n; i++) {
        g_autofree char *v = c->format_point(r->values[i]);
        g_string_append_printf(out, "<circle cx=\"%d\" cy=\"%d\" r=\"3\" stroke=\"none\"><title>",
                               band_x(r->first + i, c->n_categories, left, right),
                               render_axis_map(ax, r->values[i], bottom, top));
        render_html_escape(out, c->categories[r->first + i]);
        g_string_append(out, ", ");
        render_html_escape(out, r->name);
        g_string_append(out, ": ");
        render_html_escape(out, v);
        g_string_append(out, "</title></circle>\n");
    }
    g_string_append(out, "</g>\n");
}

void
render_line_chart(GString *out, const RenderLineChart *c)
{
    g_assert(c->n_categories >= 1 && c->format_tick && c->format_point);
    /* The y range over every value of every series. */
    int64_t min = 0, max = 0;
    for (int s = 0; s < c->n_series; s++) {
        g_assert(c->series[s].first >= 0 &&
                 c->series[s].first + c->series[s].n <= c->n_categories);
        for (int i = 0; i < c->series[s].n; i++) {
            min = MIN(min, c->series[s].values[i]);
            max = MAX(max, c->series[s].values[i]);
        }
    }
    RenderAxis ax;
    render_axis_nice(min, max, INTERVALS, c->min_step > 0 ? c->min_step : 1, &ax);

    /* Tick labels first: the left margin is as wide as the widest. */
    GPtrArray *ticks = g_ptr_array_new_with_free_func(g_free);
    int label_w = 0;
    for (int t = 0; t < ax.ticks; t++) {
        char *l = c->format_tick(ax.lo + (int64_t)t * ax.step);
        label_w = MAX(label_w, text_width(l));
        g_ptr_array_add(ticks, l);
    }
    int left = label_w + 12;
    int right = WIDTH - RIGHT;
    int top = TOP, bottom = HEIGHT - BOTTOM;

    render_svg_begin(out, "line-chart", WIDTH, HEIGHT, c->id, c->title, c->description);
    append_legend(out, c, left);

    /* Grid lines and y labels; the zero line darker when the axis crosses it. */
    for (int t = 0; t < ax.ticks; t++) {
        int64_t v = ax.lo + (int64_t)t * ax.step;
        int y = render_axis_map(&ax, v, bottom, top);
        g_string_append_printf(out,
                               "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
                               "stroke-width=\"1\" />",
                               left, y, right, y, v == 0 ? "#5b6775" : "#d5dbe2");
        g_string_append_printf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", left - 6, y + 4);
        render_html_escape(out, g_ptr_array_index(ticks, t));
        g_string_append(out, "</text>\n");
    }
    g_ptr_array_free(ticks, TRUE);
    for (int i = 0; i < c->n_categories; i++) {
        g_string_append_printf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">",
                               band_x(i, c->n_categories, left, right), HEIGHT - 8);
        render_html_escape(out, c->categories[i]);
        g_string_append(out, "</text>");
    }
    g_string_append_c(out, '\n');

    /* Dashed series (projections, targets) first, so that the actuals are drawn
     * over them where they meet. */
    for (int s = 0; s < c->n_series; s++)
        if (c->series[s].dashed)
            append_series(out, c, &c->series[s], &ax, left, right, top, bottom);
    for (int s = 0; s < c->n_series; s++)
        if (!c->series[s].dashed)
            append_series(out, c, &c->series[s], &ax, left, right, top, bottom);
    g_string_append(out, "</svg>\n");
}
