/*
 * test_render_axis.c: round axis ticks and value-to-pixel mapping for the
 * statement charts (lib/render_axis.c), in integers: the values are pence.
 * Each case is worked out by hand in its comment.
 */
#include "render_axis.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>

typedef struct {
    int64_t min, max;
    int intervals;
    int64_t min_step;
    int64_t lo, hi, step;
    int ticks;
} AxisCase;

static AxisCase axis_cases[] = {
    /* nothing to show: 0 .. one minimal step, never a zero-height axis */
    {0, 0, 5, 100, 0, 100, 100, 2},
    /* L81001's chart: up to £141,190.44; 14119044 / 5 = 2823808.8 → 2823809 → step
     * 5000000 (£50,000), top ceil(14119044 / 5e6) × 5e6 = £150,000 */
    {0, 14119044, 5, 100, 0, 15000000, 5000000, 4},
    /* both signs: span 7059522 / 5 → 1411905 → step 2000000; floor(−3035279 / 2e6) = −2 */
    {-3035279, 4024243, 5, 100, -4000000, 6000000, 2000000, 6},
    /* all positive: the axis still starts at 0; 7 / 4 → 2 → step 2, top 8 */
    {5, 7, 4, 1, 0, 8, 2, 5},
    /* all negative: the axis still ends at 0; floor(−7 / 2) = −4 → −8 */
    {-7, -5, 4, 1, -8, 0, 2, 5},
    /* the benchmark chart: ratios in millionths up to 3.265726; 816432 → 1000000 */
    {0, 3265726, 4, 100000, 0, 4000000, 1000000, 5},
    /* small values never step below min_step (whole pounds) */
    {0, 37, 5, 100, 0, 100, 100, 2},
    {0, 1, 1, 1, 0, 1, 1, 2},
    /* a national total: 9e15 / 5 = 1.8e15 → 2e15, top 1e16 */
    {0, 9000000000000000, 5, 100, 0, 10000000000000000, 2000000000000000, 6},
    /* exactly on a step: the top is the value itself */
    {0, 500, 5, 1, 0, 500, 100, 6},
};

ParameterizedTestParameters(render_axis, nice)
{
    return cr_make_param_array(AxisCase, axis_cases, sizeof axis_cases / sizeof axis_cases[0]);
}

ParameterizedTest(AxisCase *c, render_axis, nice)
{
    RenderAxis a;
    render_axis_nice(c->min, c->max, c->intervals, c->min_step, &a);
    cr_expect_eq(a.lo, c->lo, "lo %" G_GINT64_FORMAT, a.lo);
    cr_expect_eq(a.hi, c->hi, "hi %" G_GINT64_FORMAT, a.hi);
    cr_expect_eq(a.step, c->step, "step %" G_GINT64_FORMAT, a.step);
    cr_expect_eq(a.ticks, c->ticks, "ticks %d", a.ticks);
    /* Invariants: the range is covered, ends are multiples of the step. */
    cr_expect(a.lo <= MIN(c->min, 0) && a.hi >= MAX(c->max, 0));
    cr_expect(a.lo % a.step == 0 && a.hi % a.step == 0);
}

Test(render_axis, map_scales_rounds_and_clamps)
{
    RenderAxis a = {.lo = 0, .hi = 100, .step = 100, .ticks = 2};
    /* a y axis: 0 at pixel 250, 100 at pixel 30; 50 → 250 − 110 = 140 */
    cr_expect_eq(render_axis_map(&a, 50, 250, 30), 140);
    cr_expect_eq(render_axis_map(&a, 0, 250, 30), 250);
    cr_expect_eq(render_axis_map(&a, 100, 250, 30), 30);
    cr_expect_eq(render_axis_map(&a, 150, 250, 30), 30); /* clamped */
    cr_expect_eq(render_axis_map(&a, -5, 250, 30), 250);
    RenderAxis b = {.lo = 0, .hi = 3, .step = 1, .ticks = 4};
    cr_expect_eq(render_axis_map(&b, 1, 0, 10), 3); /* 3.33 → 3 */
    cr_expect_eq(render_axis_map(&b, 2, 0, 10), 7); /* 6.67 → 7 */
    RenderAxis c = {.lo = 0, .hi = 4, .step = 1, .ticks = 5};
    cr_expect_eq(render_axis_map(&c, 1, 0, 2), 1);  /* 0.5 → 1: half away from zero */
    cr_expect_eq(render_axis_map(&c, 1, 2, 0), 1);  /* 2 − 0.5 → 2 − 1 */
    RenderAxis d = {.lo = -4000000, .hi = 6000000, .step = 2000000, .ticks = 6};
    cr_expect_eq(render_axis_map(&d, 0, 300, 0), 180); /* 0.4 of the way up */
}
