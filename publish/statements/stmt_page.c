/*
 * stmt_page.c: the frame, headline, chart and tables shared by the statement
 * pages (see stmt_page.h).
 */
#include "stmt_page.h"

#include "date.h"
#include "decimal.h"
#include "render_html.h"
#include "render_line_chart.h"
#include "render_number.h"

#include <string.h>

/*
 * The style sheet.  Self-contained (no web fonts: the fonts a PC has),
 * readable on a screen and printed on A4: sections do not break across
 * pages, table headings repeat, colours print.
 */
static const char css[] =
    "@page { size: A4; margin: 14mm 12mm 16mm; }\n"
    ":root { --ink: #1d2733; --muted: #5b6775; --rule: #d5dbe2; --accent: #005eb8;\n"
    "  --neg: #b00020; --pos: #00703c; --panel: #f3f6f9; }\n"
    "html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }\n"
    "body { font-family: \"DejaVu Sans\", \"Segoe UI\", Helvetica, Arial, sans-serif;\n"
    "  font-size: 10pt; line-height: 1.35; color: var(--ink); margin: 0 auto;\n"
    "  max-width: 190mm; padding: 6mm 8mm 10mm; }\n"
    "nav { font-size: 8.5pt; margin-bottom: 4pt; }\n"
    "nav a { margin-right: 10pt; }\n"
    "a { color: var(--accent); }\n"
    "header.page { border-bottom: 3px solid var(--accent); padding-bottom: 5pt; margin-bottom: 8pt; }\n"
    "header.page .kind { font-size: 9pt; color: var(--muted); text-transform: uppercase;\n"
    "  letter-spacing: 0.06em; }\n"
    "h1 { font-size: 17pt; margin: 1pt 0 2pt; }\n"
    "h1 .code { font-weight: normal; color: var(--muted); font-size: 12pt; }\n"
    "header.page .meta { color: var(--muted); }\n"
    ".status { display: inline-block; padding: 0 6pt; border-radius: 8pt; font-size: 8.5pt;\n"
    "  font-weight: bold; margin-left: 6pt; }\n"
    ".status.closed { background: #d9efe2; color: var(--pos); }\n"
    ".status.provisional { background: #fff1c9; color: #7a5500; }\n"
    ".state { margin: 5pt 0 0; padding: 3pt 7pt; border-left: 3pt solid; font-size: 9pt; }\n"
    ".state.closed { border-color: var(--pos); background: #eef7f1; }\n"
    ".state.provisional { border-color: #c98a00; background: #fff8e1; }\n"
    "h2 { font-size: 12pt; color: var(--accent); border-bottom: 1px solid var(--rule);\n"
    "  margin: 14pt 0 5pt; padding-bottom: 2pt; }\n"
    "section { break-inside: avoid; page-break-inside: avoid; }\n"
    "section.long { break-inside: auto; page-break-inside: auto; }\n"
    "p { margin: 3pt 0 6pt; }\n"
    ".lead { font-size: 10.5pt; }\n"
    ".note { color: var(--muted); font-size: 8.5pt; }\n"
    ".headline { display: grid; grid-template-columns: repeat(4, 1fr); gap: 5pt; margin: 6pt 0; }\n"
    ".figure { border: 1px solid var(--rule); border-radius: 3pt; padding: 4pt 6pt;\n"
    "  background: var(--panel); }\n"
    ".figure .label { font-size: 7.5pt; color: var(--muted); text-transform: uppercase;\n"
    "  letter-spacing: 0.03em; }\n"
    ".figure .value { font-size: 12.5pt; font-weight: bold; white-space: nowrap; }\n"
    ".figure .sub { font-size: 8pt; color: var(--muted); }\n"
    ".figure.key { border-color: var(--accent); background: #fff; }\n"
    ".money { white-space: nowrap; font-variant-numeric: tabular-nums; }\n"
    ".neg { color: var(--neg); }\n"
    ".under { color: var(--pos); }\n"
    "table { border-collapse: collapse; width: 100%; font-size: 8.8pt; margin: 3pt 0 4pt; }\n"
    "caption { text-align: left; font-weight: bold; padding: 2pt 0; }\n"
    "thead { display: table-header-group; }\n"
    "th, td { padding: 2pt 5pt; border-bottom: 1px solid var(--rule); text-align: left;\n"
    "  vertical-align: top; }\n"
    "th { font-size: 8pt; color: var(--muted); font-weight: bold; border-bottom: 1.5px solid var(--ink); }\n"
    "th.num, td.num { text-align: right; }\n"
    "td.num { white-space: nowrap; font-variant-numeric: tabular-nums; }\n"
    "tfoot td { font-weight: bold; border-top: 1.5px solid var(--ink); border-bottom: none; }\n"
    "tr { break-inside: avoid; page-break-inside: avoid; }\n"
    ".nhs { white-space: nowrap; font-family: \"DejaVu Sans Mono\", Consolas, monospace; }\n"
    "svg.chart { display: block; width: 100%; height: auto; margin: 4pt 0; }\n"
    ".two { display: grid; grid-template-columns: 1fr 1fr; gap: 10pt; }\n"
    "dl.budget { display: grid; grid-template-columns: auto auto; gap: 1pt 14pt; margin: 4pt 0;\n"
    "  max-width: 140mm; }\n"
    "dl.budget dt { color: var(--muted); }\n"
    "dl.budget dd { margin: 0; text-align: right; }\n"
    "footer { margin-top: 14pt; border-top: 1px solid var(--rule); padding-top: 4pt;\n"
    "  font-size: 8pt; color: var(--muted); }\n"
    "@media print {\n"
    "  body { padding: 0; max-width: none; font-size: 9.5pt; }\n"
    "  nav { display: none; }\n"
    "  a { color: inherit; text-decoration: none; }\n"
    "  h2 { break-after: avoid; page-break-after: avoid; }\n"
    "}\n"
    "@media screen and (max-width: 640px) {\n"
    "  .headline { grid-template-columns: repeat(2, 1fr); }\n"
    "  .two { grid-template-columns: 1fr; }\n"
    "}\n";

static const char *const month_names[] = {"January", "February", "March",     "April",
                                          "May",     "June",     "July",      "August",
                                          "September", "October", "November", "December"};

static const char *const month_abbrevs[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* The calendar month (1..12) of "YYYY-MM" (month_parse()), or 0. */
static int
month_of(const char *month, int *year)
{
    int key;
    if (month == NULL || !month_parse(month, &key))
        return 0;
    if (year)
        *year = key / 12;
    return key % 12 + 1;
}

char *
stmt_month_name(const char *month)
{
    int y = 0, m = month_of(month, &y);
    if (m == 0)
        return g_strdup(month ? month : "");
    return g_strdup_printf("%s %d", month_names[m - 1], y);
}

/* "4 October 2006, 16:02" for "2006-10-04 16:02" (g_free); the input itself when malformed. */
static char *
stmt_datetime_text(const char *at)
{
    char month[8];
    if (at == NULL || strlen(at) < 16 || at[7] != '-' || at[10] != ' ')
        return g_strdup(at ? at : "");
    g_strlcpy(month, at, sizeof month);
    int y = 0, m = month_of(month, &y);
    if (m == 0)
        return g_strdup(at);
    return g_strdup_printf("%d %s %d, %.5s", atoi(at + 8), month_names[m - 1], y, at + 11);
}

void
stmt_page_money_cell(GString *out, int64_t pence)
{
    g_string_append(out, "<td class=\"num\">");
    render_money_html(out, pence);
    g_string_append(out, "</td>");
}

void
stmt_page_count_cell(GString *out, int64_t n)
{
    g_autofree char *c = render_count(n);
    g_string_append_printf(out, "<td class=\"num\">%s</td>", c);
}

static void
link(GString *out, const char *href, const char *text)
{
    g_string_append(out, "<a href=\"");
    render_html_href(out, href);
    g_string_append(out, "\">");
    render_html_escape(out, text);
    g_string_append(out, "</a>");
}

/*
 * What closed or provisional means for the reader, with who closed the month
 * and when, or who re-opened it and why (v_period_status).
 */
static void
state_line(GString *out, const StmtData *d, const char *month)
{
    const StmtPeriod *s = &d->state;
    if (g_strcmp0(s->status, "CLOSED") == 0) {
        g_autofree char *at = stmt_datetime_text(s->closed_at);
        g_string_append(out, "<p class=\"state closed\" id=\"period-state\"><strong>Closed</strong> "
                             "by <strong id=\"closed-by\">");
        render_html_text_or(out, s->closed_by, "finance");
        g_string_append(out, "</strong> on <strong id=\"closed-at\">");
        render_html_escape(out, at);
        g_string_append(out, "</strong>: finance signed these figures off and they will not "
                             "change. Late data for ");
        render_html_escape(out, month);
        g_string_append(out, " appears in a later month's statement as a prior-month "
                             "adjustment.");
        if (s->close_note) {
            g_string_append(out, " Note: ");
            render_html_escape(out, s->close_note);
        }
        g_string_append(out, "</p>\n");
    } else if (s->status != NULL) {
        g_string_append(out, "<p class=\"state provisional\" id=\"period-state\">"
                             "<strong>Provisional</strong>: finance has not closed ");
        render_html_escape(out, month);
        g_string_append(out, " yet, so these figures may still change with late or corrected "
                             "data.");
        if (s->reopened_at) {
            g_autofree char *at = stmt_datetime_text(s->reopened_at);
            g_string_append(out, " The month was re-opened by ");
            render_html_text_or(out, s->reopened_by, "finance");
            g_string_append(out, " on ");
            render_html_escape(out, at);
            g_string_append(out, ": &#8220;");
            render_html_text_or(out, s->reopen_reason, "");
            g_string_append(out, "&#8221;.");
        }
        g_string_append(out, "</p>\n");
    }
}

void
stmt_page_begin(GString *out, const StmtData *d, const char *kind, const char *title,
                const char *code, const char *consortium, const StmtLink *extra)
{
    g_autofree char *month = stmt_month_name(d->period);
    g_autofree char *full_title =
        code ? g_strdup_printf("%s %s (%s), %s", kind, title, code, month)
             : g_strdup_printf("%s %s, %s", kind, title, month);
    render_html_begin(out, full_title, css);
    g_string_append(out, "<nav>");
    link(out, "index.html", "All statements");
    link(out, "pct.html", "PCT summary");
    for (const StmtLink *l = extra; l && l->href; l++)
        link(out, l->href, l->text);
    g_string_append(out, "</nav>\n<header class=\"page\">\n<div class=\"kind\">");
    render_html_escape(out, kind);
    g_string_append(out, "</div>\n<h1>");
    render_html_escape(out, title);
    if (code) {
        g_string_append(out, " <span class=\"code\">");
        render_html_escape(out, code);
        g_string_append(out, "</span>");
    }
    g_string_append(out, "</h1>\n<div class=\"meta\">PCT ");
    render_html_escape(out, d->pct);
    if (consortium) {
        g_string_append(out, " &#183; consortium ");
        render_html_escape(out, consortium);
    }
    g_string_append(out, " &#183; reporting month <strong>");
    render_html_escape(out, month);
    g_string_append_printf(out, "</strong> (month %d of ", d->month_number);
    render_html_escape(out, d->fin_year);
    g_string_append(out, ")");
    /* Closed or provisional (month end, docs/month_end.md). */
    if (g_strcmp0(d->state.status, "CLOSED") == 0)
        g_string_append(out, "<span class=\"status closed\" id=\"period-status\">month closed</span>");
    else if (d->state.status != NULL)
        g_string_append(out, "<span class=\"status provisional\" id=\"period-status\">provisional</span>");
    g_string_append(out, "</div>\n");
    state_line(out, d, month);
    g_string_append(out, "</header>\n");
}

void
stmt_page_end(GString *out, const StmtData *d)
{
    const StmtPractice *any = d->practices->len ? g_ptr_array_index(d->practices, 0) : NULL;
    g_string_append(out, "<footer>Figures from the PCT's database (views pbc.v_statement and "
                         "related), the same that finance reads");
    if (any)
        g_string_append_printf(out, "; published load %" G_GINT64_FORMAT, any->load_id);
    if (d->published_at) {
        g_string_append(out, " of ");
        render_html_escape(out, d->published_at);
    }
    g_string_append(out, ". Money in pounds; activity year to date from 1 April. "
                         "Variance = budget &#8722; spend: positive is an underspend.</footer>\n");
    render_html_end(out);
}

/* One headline box. */
static void
figure(GString *out, const char *id, const char *label, int64_t pence, const char *sub_html,
       gboolean key, gboolean colour_sign)
{
    g_string_append_printf(out, "<div class=\"figure%s\" id=\"f-%s\" data-pence=\"%" G_GINT64_FORMAT
                                "\"><div class=\"label\">%s</div><div class=\"value\">",
                           key ? " key" : "", id, pence, label);
    if (colour_sign && pence > 0)
        g_string_append(out, "<span class=\"under\">");
    render_money_html(out, pence);
    if (colour_sign && pence > 0)
        g_string_append(out, "</span>");
    g_string_append(out, "</div>");
    if (sub_html)
        g_string_append_printf(out, "<div class=\"sub\">%s</div>", sub_html);
    g_string_append(out, "</div>\n");
}

void
stmt_page_headline(GString *out, const StmtData *d, const StmtFigures *f, const char *who)
{
    g_autofree char *month = stmt_month_name(d->period);
    g_autofree char *spend = render_money(f->spend_ytd);
    g_autofree char *budget = render_money(f->budget_ytd);
    g_autofree char *variance = render_money(f->variance_ytd < 0 ? -f->variance_ytd : f->variance_ytd);
    g_autofree char *outturn = render_money(f->forecast_outturn);
    g_autofree char *annual = render_money(f->annual_budget);
    g_autofree char *units = render_count(f->units_ytd);

    /* The statement in one paragraph, as a practice manager would say it. */
    g_string_append(out, "<section id=\"summary\">\n<h2>Summary</h2>\n<p class=\"lead\">");
    g_string_append_printf(out, "From 1 April to the end of %s %s spent <strong>%s</strong> on ",
                           month, who, spend);
    g_string_append_printf(out, "%s units of hospital activity, against a budget to date of "
                                "<strong>%s</strong>: ",
                           units, budget);
    if (f->variance_ytd > 0)
        g_string_append_printf(out, "an <span class=\"under\">underspend of %s</span>. ", variance);
    else if (f->variance_ytd < 0)
        g_string_append_printf(out, "an <span class=\"neg\">overspend of %s</span>. ", variance);
    else
        g_string_append(out, "exactly on budget. ");
    g_string_append_printf(out, "At this rate the year's spend will be <strong>%s</strong> against "
                                "an indicative budget of <strong>%s</strong>.</p>\n",
                           outturn, annual);

    g_string_append(out, "<div class=\"headline\">\n");
    figure(out, "annual_budget", "Indicative budget (year)", f->annual_budget,
           "after contingency", FALSE, FALSE);
    g_autofree char *m = g_strdup_printf("%d/12 of the year's budget", d->month_number);
    figure(out, "budget_ytd", "Budget to date", f->budget_ytd, m, TRUE, FALSE);
    g_autofree char *pct = f->spend_percent ? render_decimal(f->spend_percent, 1) : NULL;
    g_autofree char *pct_sub = pct ? g_strdup_printf("%s%% of the budget to date", pct)
                                   : g_strdup("no budget to date");
    figure(out, "spend_ytd", "Spend to date", f->spend_ytd, pct_sub, TRUE, FALSE);
    figure(out, "variance_ytd", "Variance to date", f->variance_ytd,
           f->variance_ytd > 0   ? "underspend"
           : f->variance_ytd < 0 ? "overspend"
                                 : "on budget",
           TRUE, TRUE);
    g_autofree char *rate = g_strdup_printf("spend to date &#215; 12 / %d", d->month_number);
    figure(out, "forecast_outturn", "Forecast outturn", f->forecast_outturn, rate, FALSE, FALSE);
    figure(out, "forecast_variance", "Forecast variance", f->forecast_variance,
           f->forecast_variance > 0   ? "forecast underspend"
           : f->forecast_variance < 0 ? "forecast overspend"
                                      : "on budget",
           FALSE, TRUE);
    /* A total's freed-up share is its practices' (each forecast underspend's own split). */
    gboolean total = strcmp(who, "the practice") != 0;
    figure(out, "freed_up_practice", total ? "Freed-up: practices' share" : "Freed-up: practice share",
           f->freed_up_practice,
           f->forecast_variance > 0 ? "to reinvest in patient services"
                                    : "none: no forecast underspend",
           FALSE, FALSE);
    figure(out, "freed_up_pct", "Freed-up: PCT share", f->freed_up_pct,
           f->forecast_variance > 0 ? "retained by the PCT" : "none: no forecast underspend", FALSE,
           FALSE);
    figure(out, "risk_pool_ytd", "High-cost risk pool", f->risk_pool_ytd,
           "met by the PCT, not in the spend", FALSE, FALSE);
    g_string_append_printf(out,
                           "<div class=\"figure\" id=\"f-units_ytd\" data-count=\"%" G_GINT64_FORMAT
                           "\"><div class=\"label\">Units to date</div><div class=\"value\">%s"
                           "</div><div class=\"sub\">spells and attendances</div></div>\n",
                           f->units_ytd, units);
    g_string_append(out, "</div>\n");
    g_string_append(out, "<p class=\"note\">Forecast outturn is the spend to date at the same "
                         "monthly rate for the whole year. Freed-up resources are the forecast "
                         "underspend, shared between the practice and the PCT. Costs of a patient "
                         "above the high-cost threshold are met by the PCT's risk pool and not "
                         "counted in the spend.</p>\n</section>\n");
}

/* The chart's series colours. */
#define COLOUR_BUDGET "#768692"
#define COLOUR_SPEND "#005eb8"
#define COLOUR_FORECAST "#41b6e6"

void
stmt_page_chart(GString *out, const StmtData *d, const GArray *months, const int64_t phased[12],
                const StmtFigures *f)
{
    int m = d->month_number;
    /* April .. March: categories from the financial year's first month. */
    const char *labels[12];
    for (int k = 0; k < 12; k++)
        labels[k] = month_abbrevs[(k + 3) % 12];
    int64_t spend[12], forecast[13];
    int n_spend = MIN((int)months->len, 12);
    for (int k = 0; k < n_spend; k++)
        spend[k] = g_array_index(months, StmtMonth, k).cumulative;
    /* The projection at the year-to-date rate: round(spend_ytd × k / m), k = m .. 12,
     * which ends on forecast_outturn = round(spend_ytd × 12 / m). */
    int n_forecast = 0;
    if (m >= 1 && m < 12)
        for (int k = m; k <= 12; k++)
            forecast[n_forecast++] = muldiv_round(f->spend_ytd, k, m);

    RenderLineSeries series[3] = {
        {.name = "Phased budget", .colour = COLOUR_BUDGET, .first = 0, .n = 12, .values = phased},
        {.name = "Cumulative spend", .colour = COLOUR_SPEND, .first = 0, .n = n_spend, .values = spend},
        {.name = "Forecast at the rate to date", .colour = COLOUR_FORECAST, .dashed = TRUE,
         .first = m - 1, .n = n_forecast, .values = forecast},
    };
    g_autofree char *month = stmt_month_name(d->period);
    g_autofree char *title = g_strdup_printf("Cumulative spend against the phased budget, April to %s",
                                             month);
    g_autofree char *s_spend = render_money(f->spend_ytd);
    g_autofree char *s_budget = render_money(f->budget_ytd);
    g_autofree char *s_annual = render_money(f->annual_budget);
    g_autofree char *s_outturn = render_money(f->forecast_outturn);
    g_autofree char *desc = g_strdup_printf(
        "Spend to date %s against a phased budget to date of %s; the year's budget is %s and the "
        "forecast outturn %s.",
        s_spend, s_budget, s_annual, s_outturn);
    RenderLineChart chart = {
        .id = "chart-cumulative",
        .title = title,
        .description = desc,
        .n_categories = 12,
        .categories = labels,
        .series = series,
        .n_series = n_forecast > 0 ? 3 : 2,
        .format_tick = render_money_whole,
        .format_point = render_money,
        .min_step = 100,
    };
    g_string_append(out, "<section id=\"cumulative\">\n<h2>Spend against budget, month by month</h2>\n");
    render_line_chart(out, &chart);

    g_string_append(out, "<table class=\"months\">\n<thead><tr><th>Month</th>"
                         "<th class=\"num\">Units</th><th class=\"num\">Spend in month</th>"
                         "<th class=\"num\">Cumulative spend</th><th class=\"num\">Phased budget</th>"
                         "<th class=\"num\">Variance</th></tr></thead>\n<tbody>\n");
    for (guint i = 0; i < months->len; i++) {
        const StmtMonth *x = &g_array_index(months, StmtMonth, i);
        g_autofree char *name = stmt_month_name(x->month);
        g_string_append(out, "<tr><td>");
        render_html_escape(out, name);
        g_string_append(out, "</td>");
        stmt_page_count_cell(out, x->units);
        stmt_page_money_cell(out, x->spend);
        stmt_page_money_cell(out, x->cumulative);
        stmt_page_money_cell(out, x->phased_budget);
        stmt_page_money_cell(out, x->phased_budget - x->cumulative);
        g_string_append(out, "</tr>\n");
    }
    g_string_append(out, "</tbody>\n</table>\n<p class=\"note\">Phased budget: the year's "
                         "indicative budget &#215; months elapsed / 12. Spend is counted in the "
                         "month of the charge date (discharge, appointment or arrival).</p>\n"
                         "</section>\n");
}

void
stmt_page_breakdown(GString *out, const char *caption, const char *heading, const GArray *rows,
                    gboolean with_description)
{
    g_string_append(out, "<table class=\"breakdown\">\n<caption>");
    render_html_escape(out, caption);
    g_string_append(out, "</caption>\n<thead><tr><th>");
    render_html_escape(out, heading);
    g_string_append(out, "</th>");
    if (with_description)
        g_string_append(out, "<th></th>");
    g_string_append(out, "<th class=\"num\">Units</th><th class=\"num\">Cost</th>"
                         "<th class=\"num\">Practice part</th><th class=\"num\">Risk pool</th>"
                         "</tr></thead>\n<tbody>\n");
    for (guint i = 0; i < rows->len; i++) {
        const StmtBreakdown *b = &g_array_index(rows, StmtBreakdown, i);
        g_string_append(out, "<tr><td>");
        render_html_escape(out, b->key);
        g_string_append(out, "</td>");
        if (with_description) {
            g_string_append(out, "<td>");
            render_html_text_or(out, b->description, "");
            g_string_append(out, "</td>");
        }
        stmt_page_count_cell(out, b->units);
        stmt_page_money_cell(out, b->cost);
        stmt_page_money_cell(out, b->practice);
        stmt_page_money_cell(out, b->risk_pool);
        g_string_append(out, "</tr>\n");
    }
    StmtBreakdown sum = stmt_breakdown_total(rows);
    if (rows->len == 0)
        g_string_append_printf(out, "<tr><td colspan=\"%d\" class=\"note\">No activity charged to "
                                    "the budget this year.</td></tr>\n",
                               with_description ? 6 : 5);
    g_string_append_printf(out, "</tbody>\n<tfoot><tr><td%s>Total</td>",
                           with_description ? " colspan=\"2\"" : "");
    stmt_page_count_cell(out, sum.units);
    stmt_page_money_cell(out, sum.cost);
    stmt_page_money_cell(out, sum.practice);
    stmt_page_money_cell(out, sum.risk_pool);
    g_string_append(out, "</tr></tfoot>\n</table>\n");
}

void
stmt_page_figure_headings(GString *out, gboolean with_change)
{
    g_string_append(out, "<th class=\"num\">Budget to date</th><th class=\"num\">Spend to date</th>"
                         "<th class=\"num\">Variance</th><th class=\"num\">Forecast outturn</th>"
                         "<th class=\"num\">Forecast variance</th>");
    if (with_change)
        g_string_append(out, "<th class=\"num\">Change since<br/>last run</th>");
}

void
stmt_page_figure_cells(GString *out, const StmtFigures *f, gboolean with_change,
                       int64_t delta_spend)
{
    stmt_page_money_cell(out, f->budget_ytd);
    stmt_page_money_cell(out, f->spend_ytd);
    stmt_page_money_cell(out, f->variance_ytd);
    stmt_page_money_cell(out, f->forecast_outturn);
    stmt_page_money_cell(out, f->forecast_variance);
    if (with_change)
        stmt_page_change_cell(out, delta_spend);
}

void
stmt_page_change_html(GString *out, int64_t pence)
{
    g_autofree char *m = render_money(pence < 0 ? -pence : pence);
    /* A change, not a balance: signed, and not red (less spend is no bad news). */
    g_string_append_printf(out, "<span class=\"money\">%s%s</span>",
                           pence > 0 ? "+" : pence < 0 ? RENDER_MINUS : "", m);
}

void
stmt_page_change_cell(GString *out, int64_t pence)
{
    g_string_append(out, "<td class=\"num\">");
    stmt_page_change_html(out, pence);
    g_string_append(out, "</td>");
}

void
stmt_page_breakdowns(GString *out, const GArray *pods, const GArray *providers)
{
    g_string_append(out, "<section id=\"pods\">\n<h2>Spend and activity by point of delivery</h2>\n");
    stmt_page_breakdown(out, "By point of delivery, year to date", "POD", pods, TRUE);
    g_string_append(out, "</section>\n<section id=\"providers\">\n<h2>Spend and activity by "
                         "provider</h2>\n");
    stmt_page_breakdown(out, "By provider, year to date", "Provider", providers, FALSE);
    g_string_append(out, "</section>\n");
}

void
stmt_page_statement_table(GString *out, const StmtData *d, const GPtrArray *members,
                          const StmtSummary *total, const char *total_label)
{
    /* The change since the previous run, once the month has one (docs/month_end.md). */
    gboolean with_change = d->from_load_id != 0;
    g_string_append(out, "<table class=\"statements\">\n<thead><tr><th>Practice</th>");
    stmt_page_figure_headings(out, with_change);
    g_string_append(out, "</tr></thead>\n<tbody>\n");
    for (guint i = 0; i < members->len; i++) {
        const StmtPractice *p = g_ptr_array_index(members, i);
        g_string_append(out, "<tr id=\"row-");
        render_html_escape(out, p->code);
        g_string_append(out, "\"><td><strong>");
        link(out, p->file, p->code);
        g_string_append(out, "</strong> ");
        render_html_text_or(out, p->name, "");
        g_string_append(out, "</td>");
        stmt_page_figure_cells(out, &p->fig, with_change, p->month_end.delta_spend);
        g_string_append(out, "</tr>\n");
    }
    g_string_append(out, "</tbody>\n");
    if (total != NULL) {
        g_string_append(out, "<tfoot><tr><td>");
        render_html_escape(out, total_label);
        g_string_append(out, "</td>");
        stmt_page_figure_cells(out, &total->fig, with_change, total->delta_spend);
        g_string_append(out, "</tr></tfoot>\n");
    }
    g_string_append(out, "</table>\n");
}

void
stmt_page_month_end_summary(GString *out, const StmtData *d, const StmtSummary *s,
                            const char *who)
{
    g_string_append(out, "<section id=\"month-end\">\n<h2>Changes since the previous run</h2>\n");
    if (d->from_load_id == 0) {
        g_autofree char *month = stmt_month_name(d->period);
        g_string_append(out, "<p id=\"changes-summary\">This is the first publication of ");
        render_html_escape(out, month);
        g_string_append(out, ": there is no earlier run to compare with.</p>\n");
    } else {
        g_autofree char *n = render_count(s->changed);
        g_string_append_printf(out, "<p id=\"changes-summary\" data-pence=\"%" G_GINT64_FORMAT
                                    "\">Since load %" G_GINT64_FORMAT ", the run this publication "
                                    "replaced, the spend to date of %s moved by <strong>",
                               s->delta_spend, d->from_load_id, who);
        stmt_page_change_html(out, s->delta_spend);
        g_string_append_printf(out, "</strong>; %s of the %u statements changed. Each practice's "
                                    "page lists the units behind its change.</p>\n",
                               n, s->members->len);
    }
    if (s->prior_month_delta != 0) {
        g_string_append_printf(out, "<p id=\"prior-month-summary\" data-pence=\"%" G_GINT64_FORMAT
                                    "\">Late data for months already closed restates them by "
                                    "<strong>",
                               s->prior_month_delta);
        stmt_page_change_html(out, s->prior_month_delta);
        g_string_append(out, "</strong> in all (prior-month adjustments, on the practices' "
                             "pages); the closed months' statements stay as signed off.</p>\n");
    }
    g_string_append(out, "</section>\n");
}
