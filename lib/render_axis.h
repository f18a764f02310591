/*
 * render_axis.h: a chart axis with round tick values, in integers.
 *
 * Part of the statements renderer (pbc-statements, docs/statements.md).  The
 * charts plot integer quantities (pence, ratios in millionths); their axes
 * run from a multiple of a "nice" step (1, 2 or 5 × 10^k) at or below the
 * smallest value to one at or above the largest, and always include zero,
 * so that a bar or a line is never read against a truncated axis.  No
 * floating point: the values are money.
 */
#ifndef PBC_RENDER_AXIS_H
#define PBC_RENDER_AXIS_H

#include <glib.h>
#include <stdint.h>

typedef struct {
    int64_t lo;    /* first tick: a multiple of step, <= min(0, the smallest value) */
    int64_t hi;    /* last tick: a multiple of step, >= max(0, the largest value), > lo */
    int64_t step;  /* 1, 2 or 5 × 10^k, >= min_step */
    int ticks;     /* (hi - lo) / step + 1 */
} RenderAxis;

/*
 * Chooses the axis for values from min to max (min <= max, |values| below
 * 10^17) in about `intervals` steps (>= 1), none smaller than min_step (>= 1;
 * 100 for whole pounds when the values are pence).  An empty range (both 0)
 * gives 0 .. min_step-ish rather than a zero-height axis.
 */
void render_axis_nice(int64_t min, int64_t max, int intervals, int64_t min_step, RenderAxis *axis);

/*
 * Maps v on the axis to a pixel between `from` (at lo) and `to` (at hi),
 * rounded half away from zero; values outside the axis are clamped to it.
 * from may be greater than to (a y axis grows upwards).
 */
int render_axis_map(const RenderAxis *axis, int64_t v, int from, int to);

#endif
