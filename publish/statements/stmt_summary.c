/*
 * stmt_summary.c: the consortium, PCT and index pages (see stmt_summary.h).
 */
#include "stmt_summary.h"

#include "render_html.h"
#include "render_number.h"
#include "stmt_page.h"

/* The table of totals (consortia, or the PCT on the index), each row linking its page. */
static void
summary_table(GString *out, const StmtData *d, const char *heading, const StmtSummary *const *rows,
              guint n, const StmtSummary *total)
{
    gboolean with_change = d->from_load_id != 0;
    g_string_append(out, "<table class=\"summaries\">\n<thead><tr><th>");
    render_html_escape(out, heading);
    g_string_append(out, "</th><th class=\"num\">Practices</th>");
    stmt_page_figure_headings(out, with_change);
    g_string_append(out, "</tr></thead>\n<tbody>\n");
    for (guint i = 0; i < n; i++) {
        const StmtSummary *s = rows[i];
        g_string_append(out, "<tr><td><a href=\"");
        render_html_href(out, s->file);
        g_string_append(out, "\">");
        render_html_escape(out, s->code);
        g_string_append(out, "</a></td>");
        stmt_page_count_cell(out, s->practices);
        stmt_page_figure_cells(out, &s->fig, with_change, s->delta_spend);
        g_string_append(out, "</tr>\n");
    }
    g_string_append(out, "</tbody>\n");
    if (total != NULL) {
        g_string_append(out, "<tfoot><tr><td colspan=\"2\">Total</td>");
        stmt_page_figure_cells(out, &total->fig, with_change, total->delta_spend);
        g_string_append(out, "</tr></tfoot>\n");
    }
    g_string_append(out, "</table>\n");
}

/* The totals' headline, what changed since the previous run, and the chart. */
static void
summary_top(GString *out, const StmtData *d, const StmtSummary *s, const char *who)
{
    stmt_page_headline(out, d, &s->fig, who);
    stmt_page_month_end_summary(out, d, s, who);
    stmt_page_chart(out, d, s->months, s->phased, &s->fig);
}

/* The practices' statements and the breakdowns of a total. */
static void
summary_tables(GString *out, const StmtData *d, const StmtSummary *s)
{
    g_string_append(out, "<section id=\"practices\" class=\"long\">\n<h2>The practices' "
                         "statements</h2>\n");
    stmt_page_statement_table(out, d, s->members, s, "Total");
    g_string_append(out, "<p class=\"note\">Totals are the sums of the practices' own figures. "
                         "Freed-up resources count only the practices forecast to underspend, so "
                         "they can exceed the total forecast variance.</p>\n</section>\n");
    stmt_page_breakdowns(out, s->pods, s->providers);
}

void
stmt_summary_render_consortium(GString *out, const StmtData *d, const StmtSummary *s)
{
    stmt_page_begin(out, d, "Consortium summary", s->code, NULL, NULL, NULL);
    g_autofree char *n = render_count(s->practices);
    g_string_append_printf(out, "<p class=\"note\">Practice based commissioning consortium of %s "
                                "practices of PCT ",
                           n);
    render_html_escape(out, d->pct);
    g_string_append(out, ".</p>\n");
    summary_top(out, d, s, "the consortium's practices");
    summary_tables(out, d, s);
    stmt_page_end(out, d);
}

void
stmt_summary_render_pct(GString *out, const StmtData *d)
{
    const StmtSummary *t = d->total;
    stmt_page_begin(out, d, "PCT summary", d->pct, NULL, NULL, NULL);
    summary_top(out, d, t, "the PCT's practices");
    if (d->consortia->len > 0) {
        g_string_append(out, "<section id=\"consortia\">\n<h2>Consortia</h2>\n");
        summary_table(out, d, "Consortium", (const StmtSummary *const *)d->consortia->pdata,
                      d->consortia->len, t);
        g_string_append(out, "</section>\n");
    }
    summary_tables(out, d, t);
    stmt_page_end(out, d);
}

void
stmt_summary_render_index(GString *out, const StmtData *d)
{
    stmt_page_begin(out, d, "Monthly statements", d->pct, NULL, NULL, NULL);
    const StmtSummary *pct[] = {d->total};
    g_autofree char *n = render_count(d->practices->len);
    g_string_append_printf(out, "<p class=\"lead\">%s practice statements, rendered from the "
                                "database.</p>\n",
                           n);
    stmt_page_month_end_summary(out, d, d->total, "the PCT's practices");
    g_string_append(out, "<section id=\"pct\">\n<h2>PCT</h2>\n");
    summary_table(out, d, "PCT", pct, 1, NULL);
    g_string_append(out, "</section>\n");
    if (d->consortia->len > 0) {
        g_string_append(out, "<section id=\"consortia\">\n<h2>Consortia</h2>\n");
        summary_table(out, d, "Consortium", (const StmtSummary *const *)d->consortia->pdata,
                      d->consortia->len, NULL);
        g_string_append(out, "</section>\n");
    }
    g_string_append(out, "<section id=\"statements\" class=\"long\">\n<h2>Practice "
                         "statements</h2>\n");
    stmt_page_statement_table(out, d, d->practices, d->total, "PCT total");
    g_string_append(out, "<p class=\"note\">Each practice's page links its patient-level charges "
                         "and the units changed since the previous run (CSV). Variance = budget "
                         "&#8722; spend: positive is an underspend.</p>\n"
                         "</section>\n");
    stmt_page_end(out, d);
}
