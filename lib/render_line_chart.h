/*
 * render_line_chart.h: an inline SVG line chart of integer series over
 * categories, drawn by the project (no scripts, no external resources).
 *
 * Part of the statements renderer (pbc-statements, docs/statements.md): the
 * statement's chart of cumulative spend against the phased budget month by
 * month (SPEC §7.2).  Values are integers (pence); coordinates are computed
 * in integer arithmetic (render_axis.h).  The SVG carries a <title> and
 * <desc> for screen readers, a legend, a y axis with round ticks labelled by
 * the caller's formatter, category labels under the x axis, and a <title>
 * tooltip on every point; dashed series are drawn under solid ones, so an
 * actual is never hidden by a projection that starts on it.  It scales to its container (viewBox) and prints.
 */
#ifndef PBC_RENDER_LINE_CHART_H
#define PBC_RENDER_LINE_CHART_H

#include <glib.h>
#include <stdint.h>

typedef struct {
    const char *name;       /* legend text */
    const char *colour;     /* stroke and point colour, e.g. "#005eb8" */
    gboolean dashed;        /* a projection or a target rather than actuals */
    int first;              /* category index of the first value */
    int n;                  /* number of values, first + n <= categories */
    const int64_t *values;  /* n values */
} RenderLineSeries;

/* Formats a value for a tick or a tooltip; returns a new string (g_free). */
typedef char *(*RenderFormat)(int64_t v);

typedef struct {
    const char *id;                  /* id attribute of the <svg>, or NULL */
    const char *title;               /* what the chart shows, one line */
    const char *description;         /* longer text alternative, or NULL */
    int n_categories;                /* x axis categories (>= 1) */
    const char *const *categories;   /* their labels, e.g. "Apr" */
    const RenderLineSeries *series;
    int n_series;
    RenderFormat format_tick;        /* y axis labels, e.g. render_money_whole */
    RenderFormat format_point;       /* tooltips, e.g. render_money */
    int64_t min_step;                /* smallest y step (100 = £1 for pence) */
} RenderLineChart;

/* Appends the chart as an <svg> element (polyglot, well-formed) to out. */
void render_line_chart(GString *out, const RenderLineChart *chart);

#endif
