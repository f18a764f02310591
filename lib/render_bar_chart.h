/*
 * render_bar_chart.h: an inline SVG horizontal bar chart with an optional
 * reference line, drawn by the project (no scripts, no external resources).
 *
 * Part of the statements renderer (pbc-statements, docs/statements.md): the
 * benchmarks of a practice against its PCT (R-G4), one bar per measure
 * showing the practice's ratio to the PCT figure, with the reference line at
 * 1 (the PCT).  Values are integers (ratios in millionths); bars on or under
 * the reference take one colour, bars above it another.  A measure without a
 * value (a zero denominator) shows "no data" instead of a bar.
 */
#ifndef PBC_RENDER_BAR_CHART_H
#define PBC_RENDER_BAR_CHART_H

#include "render_line_chart.h"

#include <glib.h>
#include <stdint.h>

typedef struct {
    const char *label;        /* category, left of the bar */
    gboolean has_value;       /* FALSE: "no data", no bar */
    int64_t value;            /* >= 0 (a negative value draws as 0) */
    const char *value_label;  /* written after the bar, e.g. "2.06 × PCT" */
} RenderBar;

typedef struct {
    const char *id;               /* id attribute of the <svg>, or NULL */
    const char *title;            /* what the chart shows, one line */
    const char *description;      /* longer text alternative, or NULL */
    const RenderBar *bars;
    int n;
    gboolean has_reference;
    int64_t reference;            /* where the reference line stands */
    const char *reference_label;  /* e.g. "PCT = 1.00" */
    const char *colour;           /* bars on or below the reference (all without one) */
    const char *colour_above;     /* bars above the reference */
    RenderFormat format_tick;     /* axis labels */
    int64_t min_step;             /* smallest axis step */
} RenderBarChart;

/* Appends the chart as an <svg> element (polyglot, well-formed) to out. */
void render_bar_chart(GString *out, const RenderBarChart *chart);

#endif
