/*
 * render_axis.c: round tick values and value-to-pixel mapping for the
 * statement charts (see render_axis.h).
 */
#include "render_axis.h"

#include "decimal.h"

/* floor(a / b) and ceil(a / b) for b > 0, any sign of a. */
static __int128
floor_div(__int128 a, __int128 b)
{
    __int128 q = a / b;
    return (a % b != 0 && a < 0) ? q - 1 : q;
}

static __int128
ceil_div(__int128 a, __int128 b)
{
    __int128 q = a / b;
    return (a % b != 0 && a > 0) ? q + 1 : q;
}

void
render_axis_nice(int64_t min, int64_t max, int intervals, int64_t min_step, RenderAxis *axis)
{
    g_assert(min <= max && intervals >= 1 && min_step >= 1);
    /* Always show zero: spend and budgets are read from a zero baseline. */
    if (min > 0)
        min = 0;
    if (max < 0)
        max = 0;
    __int128 span = (__int128)max - min;
    if (span == 0)
        span = min_step;
    __int128 raw = ceil_div(span, intervals);
    if (raw < min_step)
        raw = min_step;
    /* The smallest 1, 2 or 5 × 10^k at or above raw. */
    __int128 step = 0;
    for (__int128 p = 1; step == 0; p *= 10) {
        static const int mult[] = {1, 2, 5};
        for (guint i = 0; i < G_N_ELEMENTS(mult) && step == 0; i++)
            if (mult[i] * p >= raw)
                step = mult[i] * p;
    }
    __int128 lo = floor_div(min, step) * step;
    __int128 hi = ceil_div(max, step) * step;
    if (hi == lo)
        hi = lo + step;
    axis->lo = (int64_t)lo;
    axis->hi = (int64_t)hi;
    axis->step = (int64_t)step;
    axis->ticks = (int)((hi - lo) / step) + 1;
}

int
render_axis_map(const RenderAxis *axis, int64_t v, int from, int to)
{
    if (v < axis->lo)
        v = axis->lo;
    if (v > axis->hi)
        v = axis->hi;
    __int128 num = ((__int128)v - axis->lo) * (to - from);
    return from + (int)div_round(num, (__int128)axis->hi - axis->lo);
}
