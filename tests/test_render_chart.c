/*
 * test_render_chart.c: the inline SVG charts of the statement pages
 * (lib/render_line_chart.c, lib/render_bar_chart.c): well-formed, titled,
 * escaped, every point where integer arithmetic puts it, a legend and axis
 * labels, no scripts and nothing fetched.
 */
#include "render_bar_chart.h"
#include "render_check.h"
#include "render_line_chart.h"
#include "render_number.h"

#include <criterion/criterion.h>
#include <string.h>

static int
count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

static void
expect_clean_svg(const char *svg)
{
    g_autoptr(GError) e = NULL;
    cr_expect(render_check_wellformed(svg, "svg", &e), "%s\n%s", e ? e->message : "", svg);
    cr_expect(g_str_has_prefix(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\""));
    cr_expect(strstr(svg, "<script") == NULL && strstr(svg, "href") == NULL &&
              strstr(svg, "url(") == NULL, "no scripts, links or fetches");
}

static const char *const months[] = {"Apr", "May", "Jun", "Jul"};

Test(render_chart, line_chart_points_labels_and_escaping)
{
    int64_t budget[] = {0, 100, 200, 300};
    int64_t spend[] = {50, 250};
    int64_t forecast[] = {250, 500};
    RenderLineSeries series[] = {
        {.name = "Budget <phased>", .colour = "#777", .first = 0, .n = 4, .values = budget},
        {.name = "Spend & more", .colour = "#005eb8", .first = 0, .n = 2, .values = spend},
        {.name = "Forecast", .colour = "#41b6e6", .dashed = TRUE, .first = 1, .n = 2,
         .values = forecast},
    };
    RenderLineChart c = {
        .id = "chart-x",
        .title = "Spend \"to date\"",
        .description = "a < b",
        .n_categories = 4,
        .categories = months,
        .series = series,
        .n_series = 3,
        .format_tick = render_money_whole,
        .format_point = render_money,
        .min_step = 100,
    };
    g_autoptr(GString) s = g_string_new(NULL);
    render_line_chart(s, &c);
    expect_clean_svg(s->str);
    cr_expect(strstr(s->str, "id=\"chart-x\"") != NULL);
    cr_expect(strstr(s->str, "<title>Spend &quot;to date&quot;</title>") != NULL);
    cr_expect(strstr(s->str, "<desc>a &lt; b</desc>") != NULL);
    cr_expect(strstr(s->str, ">Budget &lt;phased&gt;</text>") != NULL, "legend escaped");
    cr_expect(strstr(s->str, ">Spend &amp; more</text>") != NULL);
    cr_expect_eq(count(s->str, "<polyline"), 3);
    cr_expect_eq(count(s->str, "<circle"), 8, "a point per value");
    cr_expect_eq(count(s->str, "stroke-dasharray=\"6 4\""), 2, "the dashed series and its legend");
    /* Axis 0 .. 500 pence in steps of 100: six ticks, labelled in whole pounds. */
    cr_expect(strstr(s->str, ">\xc2\xa3" "0</text>") != NULL);
    cr_expect(strstr(s->str, ">\xc2\xa3" "5</text>") != NULL);
    cr_expect_eq(count(s->str, "text-anchor=\"end\""), 6);
    for (int i = 0; i < 4; i++) {
        g_autofree char *l = g_strdup_printf(">%s</text>", months[i]);
        cr_expect(strstr(s->str, l) != NULL, "category %s", months[i]);
    }
    /* Tooltips name the category, the series and the exact amount. */
    cr_expect(strstr(s->str, "<title>May, Spend &amp; more: \xc2\xa3" "2.50</title>") != NULL);
    /* Dashed series are drawn first, under the actuals. */
    cr_expect(strstr(s->str, "Forecast: ") < strstr(s->str, "Spend &amp; more: "));
    /* Geometry: the widest tick label "£5" is 2 chars × 7 = 14, left = 26, right = 706;
     * Apr is the middle of the first of 4 bands: 26 + 680 × 1 / 8 = 111; the plot runs
     * from y 274 (0) to 34 (500): 250 → 274 − 120 = 154. */
    cr_expect(strstr(s->str, "<circle cx=\"111\" cy=\"274\"") != NULL, "Apr budget 0");
    cr_expect(strstr(s->str, "cx=\"281\" cy=\"154\"") != NULL, "May spend 250");
}

Test(render_chart, line_chart_with_negative_values_draws_a_zero_line)
{
    int64_t v[] = {-300, 200};
    RenderLineSeries series[] = {{.name = "v", .colour = "#000", .n = 2, .values = v}};
    RenderLineChart c = {.title = "t", .n_categories = 2, .categories = months, .series = series,
                         .n_series = 1, .format_tick = render_money_whole,
                         .format_point = render_money, .min_step = 100};
    g_autoptr(GString) s = g_string_new(NULL);
    render_line_chart(s, &c);
    expect_clean_svg(s->str);
    cr_expect(strstr(s->str, "stroke=\"#5b6775\"") != NULL, "the zero line stands out");
    cr_expect(strstr(s->str, ">" RENDER_MINUS "\xc2\xa3" "3</text>") != NULL);
}

Test(render_chart, line_chart_of_an_empty_series_is_still_an_svg)
{
    RenderLineSeries series[] = {{.name = "none", .colour = "#000", .n = 0, .values = NULL}};
    RenderLineChart c = {.title = "t", .n_categories = 1, .categories = months, .series = series,
                         .n_series = 1, .format_tick = render_money_whole,
                         .format_point = render_money, .min_step = 100};
    g_autoptr(GString) s = g_string_new(NULL);
    render_line_chart(s, &c);
    expect_clean_svg(s->str);
    cr_expect_eq(count(s->str, "<polyline"), 0);
}

static char *
tick(int64_t micro)
{
    return render_scaled(micro, 6, 1);
}

Test(render_chart, bar_chart_bars_reference_and_missing_values)
{
    RenderBar bars[] = {
        {.label = "Elective admissions (EL + DC)", .has_value = TRUE, .value = 2059467,
         .value_label = "2.06 \xc3\x97 PCT"},
        {.label = "A&E attendances", .has_value = TRUE, .value = 500000, .value_label = "0.50"},
        {.label = "Referrals <05>", .has_value = FALSE},
        {.label = "Negative", .has_value = TRUE, .value = -5, .value_label = "x"},
    };
    RenderBarChart c = {
        .id = "chart-b",
        .title = "Ratios",
        .bars = bars,
        .n = 4,
        .has_reference = TRUE,
        .reference = 1000000,
        .reference_label = "PCT = 1",
        .colour = "#41b6e6",
        .colour_above = "#005eb8",
        .format_tick = tick,
        .min_step = 100000,
    };
    g_autoptr(GString) s = g_string_new(NULL);
    render_bar_chart(s, &c);
    expect_clean_svg(s->str);
    cr_expect_eq(count(s->str, "<rect"), 3, "no bar for the missing value");
    cr_expect(strstr(s->str, ">no data</text>") != NULL);
    cr_expect(strstr(s->str, ">A&amp;E attendances</text>") != NULL);
    cr_expect(strstr(s->str, ">Referrals &lt;05&gt;</text>") != NULL);
    cr_expect(strstr(s->str, ">PCT = 1</text>") != NULL);
    /* Above the reference in one colour, on or below it in the other. */
    cr_expect(strstr(s->str, "fill=\"#005eb8\"><title>Elective") != NULL);
    cr_expect(strstr(s->str, "fill=\"#41b6e6\"><title>A&amp;E") != NULL);
    /* Axis 0 .. 3.0 (2059467 / 4 → 514867 → step 1000000): ticks 0.0 1.0 2.0 3.0. */
    cr_expect(strstr(s->str, ">3.0</text>") != NULL && strstr(s->str, ">4.0</text>") == NULL);
    /* A negative value draws as a 1-unit sliver at zero, not backwards. */
    cr_expect(strstr(s->str, "width=\"1\" height=\"15\"") != NULL);
}

Test(render_chart, bar_chart_without_bars)
{
    RenderBarChart c = {.title = "none", .n = 0, .colour = "#000", .format_tick = tick,
                        .min_step = 100000};
    g_autoptr(GString) s = g_string_new(NULL);
    render_bar_chart(s, &c);
    expect_clean_svg(s->str);
}
