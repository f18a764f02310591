/*
 * stmt_page.h: the parts every statement page shares.
 *
 * pbc-statements (docs/statements.md) writes four kinds of page: a
 * practice's statement, a consortium's and the PCT's summaries, and the
 * index.  They share a frame (the style sheet, which prints on A4; the
 * heading with the reporting month and whether it is closed; links between
 * the pages; the footer saying where the figures come from), the headline
 * figures (R-G3), the chart of cumulative spend against the phased budget
 * with its table, the breakdown tables and the table of statements.  All
 * HTML is polyglot (well-formed XML), every database string escaped.
 */
#ifndef PBC_STMT_PAGE_H
#define PBC_STMT_PAGE_H

#include "stmt_data.h"

#include <glib.h>

/* A link in the page's navigation bar. */
typedef struct {
    const char *href;   /* file name in the statements directory */
    const char *text;
} StmtLink;

/*
 * Starts a page: the HTML frame with the style sheet, the navigation (links
 * to the index, the PCT page and `extra` links, NULL-terminated by a NULL
 * href; may be NULL) and the heading: `kind` ("Practice statement"), the
 * title (escaped) and `code`, then the PCT, the consortium (when not NULL),
 * the reporting month and whether it is closed (by whom and when) or
 * provisional (re-opened, by whom and why), from d->state.
 */
void stmt_page_begin(GString *out, const StmtData *d, const char *kind, const char *title,
                     const char *code, const char *consortium, const StmtLink *extra);

/* Ends a page: where the figures come from (the load), then the frame. */
void stmt_page_end(GString *out, const StmtData *d);

/* "September 2006" for "2006-09" (g_free); the input itself when malformed. */
char *stmt_month_name(const char *month);

/*
 * The headline figures as a grid of labelled boxes, each carrying
 * id="f-<name>" and data-pence="<pence>" so that a reader program can check
 * them: annual budget, budget and spend to date, variance, forecast outturn
 * and variance, freed-up resources for the practice and the PCT, the risk
 * pool, units.  `who` is "the practice" / "the consortium" / "the PCT".
 */
void stmt_page_headline(GString *out, const StmtData *d, const StmtFigures *f, const char *who);

/*
 * The chart of cumulative spend against the phased budget, April to March:
 * the phased budget of every month (`phased`, stmt_data.h), the cumulative
 * spend from the view up to the reporting month, and a dashed projection at
 * the year-to-date rate up to the forecast outturn; then the month-by-month
 * table.  months: StmtMonth from v_cumulative_spend (summed for totals).
 */
void stmt_page_chart(GString *out, const StmtData *d, const GArray *months,
                     const int64_t phased[12], const StmtFigures *f);

/*
 * A breakdown table (POD or provider): units, cost, practice part, risk-pool
 * part, with a total row.  heading: the column title of the key.
 */
void stmt_page_breakdown(GString *out, const char *caption, const char *heading,
                         const GArray *rows, gboolean with_description);

/* The POD and the provider breakdowns, each in its section (id "pods", "providers"). */
void stmt_page_breakdowns(GString *out, const GArray *pods, const GArray *providers);

/*
 * The table of statements with their headline figures, each linking its
 * page: members are StmtPractice * (link p->file).  Once the month has a
 * previous run (d->from_load_id), a column with each statement's change of
 * spend since it.  With a total row (total's figures and change) when total
 * != NULL.
 */
void stmt_page_statement_table(GString *out, const StmtData *d, const GPtrArray *members,
                               const StmtSummary *total, const char *total_label);

/*
 * The column headings and the cells of a row of headline figures: budget
 * and spend to date, variance, forecast outturn and variance, and with
 * with_change the change of spend since the previous run.
 */
void stmt_page_figure_headings(GString *out, gboolean with_change);
void stmt_page_figure_cells(GString *out, const StmtFigures *f, gboolean with_change,
                            int64_t delta_spend);

/*
 * The month end of a total (index, PCT, consortium; docs/month_end.md): the
 * change of its practices' spend since the previous run and how many
 * statements changed, or that this is the month's first publication; the
 * prior-month adjustments to closed months when there are any.  who: "the
 * PCT's practices".
 */
void stmt_page_month_end_summary(GString *out, const StmtData *d, const StmtSummary *s,
                                 const char *who);

/* Appends a money table cell: <td class="num">…</td>. */
void stmt_page_money_cell(GString *out, int64_t pence);
/* Appends a count table cell. */
void stmt_page_count_cell(GString *out, int64_t n);
/* Appends a change of money, signed: "+£12.00", "−£3.50", "£0.00" (not red: a change). */
void stmt_page_change_html(GString *out, int64_t pence);
/* The same in a table cell. */
void stmt_page_change_cell(GString *out, int64_t pence);

#endif
