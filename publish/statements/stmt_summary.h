/*
 * stmt_summary.h: the consortium and PCT summary pages, and the index.
 *
 * A PBC consortium's page (consortium_<code>.html) and the PCT's (pct.html)
 * show the totals of their practices' statements from
 * pbc.v_statement_consortium / v_statement_pct (each figure the sum of the
 * practices' own, as R-G3 rounds them), the chart of cumulative spend
 * against the phased budget summed over the practices, the table of the
 * practices' statements linking each, and the POD and provider breakdowns.
 * The PCT's page also lists its consortia.  The index (index.html) lists
 * every statement, consortium and the PCT with its headline figures.
 */
#ifndef PBC_STMT_SUMMARY_H
#define PBC_STMT_SUMMARY_H

#include "stmt_data.h"

#include <glib.h>

/* Appends the page of consortium s. */
void stmt_summary_render_consortium(GString *out, const StmtData *d, const StmtSummary *s);

/* Appends the PCT's page. */
void stmt_summary_render_pct(GString *out, const StmtData *d);

/* Appends the index page. */
void stmt_summary_render_index(GString *out, const StmtData *d);

#endif
