/*
 * stmt_summary.c: the consortium, PCT and index pages (see stmt_summary.h).
 */
#include "stmt_summary.h"

#include "render_html.h"
#include "render_number.h"
#include "stmt_page.h"

/* The table of totals (consortia, or the PCT on the index), each row linking its page. */
static void
summary_table(GString *out, const char *heading, const StmtSummary *const *rows, guint n,
              const StmtFigures *total)
{
    g_string_append(out, "<table class=\"summaries\">\n<thead><tr><th>");
    render_html_escape(out, heading);
    g_string_append(out, "</th><th class=\"num\">Practices</th><th class=\"num\">Budget to date</th>"
                         "<th class=\"num\">Spend to date</th><th class=\"num\">Variance</th>"
                         "<th class=\"num\">Forecast outturn</th>"
                         "<th class=\"num\">Forecast variance</th></tr></thead>\n<tbody>\n");
    for (guint i = 0; i < n; i++) {
        const StmtSummary *s = rows[i];
        g_string_append(out, "<tr><td><a href=\"");
        render_html_href(out, s->file);
        g_string_append(out, "\">");
        render_html_escape(out, s->code);
        g_string_append(out, "</a></td>");
        stmt_page_count_cell(out, s->practices);
        stmt_page_money_cell(out, s->fig.budget_ytd);
        stmt_page_money_cell(out, s->fig.spend_ytd);
        stmt_page_money_cell(out, s->fig.variance_ytd);
        stmt_page_money_cell(out, s->fig.forecast_outturn);
        stmt_page_money_cell(out, s->fig.forecast_variance);
        g_string_append(out, "</tr>\n");
    }
    g_string_append(out, "</tbody>\n");
    if (total != NULL) {
        g_string_append(out, "<tfoot><tr><td colspan=\"2\">Total</td>");
        stmt_page_money_cell(out, total->budget_ytd);
        stmt_page_money_cell(out, total->spend_ytd);
        stmt_page_money_cell(out, total->variance_ytd);
        stmt_page_money_cell(out, total->forecast_outturn);
        stmt_page_money_cell(out, total->forecast_variance);
        g_string_append(out, "</tr></tfoot>\n");
    }
    g_string_append(out, "</table>\n");
}

/* The totals' headline and chart. */
static void
summary_top(GString *out, const StmtData *d, const StmtSummary *s, const char *who)
{
    stmt_page_headline(out, d, &s->fig, who);
    stmt_page_chart(out, d, s->months, s->phased, &s->fig);
}

/* The practices' statements and the breakdowns of a total. */
static void
summary_tables(GString *out, const StmtSummary *s)
{
    g_string_append(out, "<section id=\"practices\" class=\"long\">\n<h2>The practices' "
                         "statements</h2>\n");
    stmt_page_statement_table(out, s->members, &s->fig, "Total");
    g_string_append(out, "<p class=\"note\">Totals are the sums of the practices' own figures. "
                         "Freed-up resources count only the practices forecast to underspend, so "
                         "they can exceed the total forecast variance.</p>\n</section>\n");
    g_string_append(out, "<section id=\"pods\">\n<h2>Spend and activity by point of delivery</h2>\n");
    stmt_page_breakdown(out, "By point of delivery, year to date", "POD", s->pods, TRUE);
    g_string_append(out, "</section>\n<section id=\"providers\">\n<h2>Spend and activity by "
                         "provider</h2>\n");
    stmt_page_breakdown(out, "By provider, year to date", "Provider", s->providers, FALSE);
    g_string_append(out, "</section>\n");
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
    summary_tables(out, s);
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
        summary_table(out, "Consortium", (const StmtSummary *const *)d->consortia->pdata,
                      d->consortia->len, &t->fig);
        g_string_append(out, "</section>\n");
    }
    summary_tables(out, t);
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
    g_string_append(out, "<section id=\"pct\">\n<h2>PCT</h2>\n");
    summary_table(out, "PCT", pct, 1, NULL);
    g_string_append(out, "</section>\n");
    if (d->consortia->len > 0) {
        g_string_append(out, "<section id=\"consortia\">\n<h2>Consortia</h2>\n");
        summary_table(out, "Consortium", (const StmtSummary *const *)d->consortia->pdata,
                      d->consortia->len, NULL);
        g_string_append(out, "</section>\n");
    }
    g_string_append(out, "<section id=\"statements\" class=\"long\">\n<h2>Practice "
                         "statements</h2>\n");
    stmt_page_statement_table(out, d->practices, &d->total->fig, "PCT total");
    g_string_append(out, "<p class=\"note\">Each practice's page links its patient-level charges "
                         "(CSV). Variance = budget &#8722; spend: positive is an underspend.</p>\n"
                         "</section>\n");
    stmt_page_end(out, d);
}
