/*
 * render_bar_chart.c: the inline SVG horizontal bar chart (see
 * render_bar_chart.h).
 *
 * Layout, in viewBox units: the reference label above the plot, category
 * labels right-aligned in a left column as wide as the widest (capped), one
 * row per bar with its value label after the bar, the axis ticks underneath.
 */
#include "render_bar_chart.h"

#include "render_axis.h"
#include "render_html.h"

enum {
    WIDTH = 720,
    TOP = 24,        /* reference label */
    ROW = 26,        /* height of a bar's row */
    BAR = 15,        /* height of a bar */
    AXIS = 24,       /* tick labels under the plot */
    VALUE_W = 110,   /* room for the value label after the longest bar */
    CHAR_W = 7,      /* rough width of a character at font-size 11 */
    LABEL_MAX = 330, /* longest category column */
    INTERVALS = 4,
};

void
render_bar_chart(GString *out, const RenderBarChart *c)
{
    g_assert(c->format_tick != NULL && c->n >= 0);
    int64_t max = c->has_reference ? c->reference : 0;
    int label_w = 0;
    for (int i = 0; i < c->n; i++) {
        if (c->bars[i].has_value)
            max = MAX(max, c->bars[i].value);
        label_w = MAX(label_w, (int)g_utf8_strlen(c->bars[i].label, -1) * CHAR_W);
    }
    RenderAxis ax;
    render_axis_nice(0, max, INTERVALS, c->min_step > 0 ? c->min_step : 1, &ax);
    int left = MIN(label_w, LABEL_MAX) + 14;
    int right = WIDTH - VALUE_W;
    int height = TOP + ROW * MAX(c->n, 1) + AXIS;
    int bottom = TOP + ROW * MAX(c->n, 1);

    render_svg_begin(out, "bar-chart", WIDTH, height, c->id, c->title, c->description);

    /* Axis grid and tick labels. */
    for (int t = 0; t < ax.ticks; t++) {
        int64_t v = ax.lo + (int64_t)t * ax.step;
        int x = render_axis_map(&ax, v, left, right);
        g_autofree char *l = c->format_tick(v);
        g_string_append_printf(out,
                               "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
                               "stroke-width=\"1\" />",
                               x, TOP - 4, x, bottom, v == 0 ? "#5b6775" : "#d5dbe2");
        g_string_append_printf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">", x,
                               bottom + 16);
        render_html_escape(out, l);
        g_string_append(out, "</text>\n");
    }

    for (int i = 0; i < c->n; i++) {
        const RenderBar *b = &c->bars[i];
        int y = TOP + ROW * i + (ROW - BAR) / 2;
        g_string_append_printf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", left - 8,
                               y + BAR - 3);
        render_html_escape(out, b->label);
        g_string_append(out, "</text>");
        if (!b->has_value) {
            g_string_append_printf(out,
                                   "<text x=\"%d\" y=\"%d\" fill=\"#5b6775\" "
                                   "font-style=\"italic\">no data</text>\n",
                                   left + 6, y + BAR - 3);
            continue;
        }
        int64_t v = MAX(b->value, 0);
        int x1 = render_axis_map(&ax, v, left, right);
        const char *colour =
            (c->has_reference && v > c->reference && c->colour_above) ? c->colour_above : c->colour;
        g_string_append_printf(out,
                               "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\">"
                               "<title>",
                               left, y, MAX(x1 - left, 1), BAR, colour);
        render_html_escape(out, b->label);
        if (b->value_label) {
            g_string_append(out, ": ");
            render_html_escape(out, b->value_label);
        }
        g_string_append(out, "</title></rect>");
        if (b->value_label) {
            g_string_append_printf(out, "<text x=\"%d\" y=\"%d\">", x1 + 6, y + BAR - 3);
            render_html_escape(out, b->value_label);
            g_string_append(out, "</text>");
        }
        g_string_append_c(out, '\n');
    }

    if (c->has_reference) {
        int x = render_axis_map(&ax, c->reference, left, right);
        g_string_append_printf(out,
                               "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#1d2733\" "
                               "stroke-width=\"1.5\" stroke-dasharray=\"5 3\" />",
                               x, TOP - 6, x, bottom);
        if (c->reference_label) {
            g_string_append_printf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">", x,
                                   TOP - 10);
            render_html_escape(out, c->reference_label);
            g_string_append(out, "</text>\n");
        }
    }
    g_string_append(out, "</svg>\n");
}
