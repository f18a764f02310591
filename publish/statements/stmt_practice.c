/*
 * stmt_practice.c: the practice statement page (see stmt_practice.h).
 */
#include "stmt_practice.h"

#include "decimal.h"
#include "render_bar_chart.h"
#include "render_html.h"
#include "render_number.h"
#include "stmt_page.h"

#include <string.h>

/* "426 827 8788": an NHS number as the NHS displays it (3-3-4), else as given (g_free). */
static char *
stmt_nhs_display(const char *s)
{
    if (s != NULL && strlen(s) == 10 && strspn(s, "0123456789") == 10)
        return g_strdup_printf("%.3s %.3s %.4s", s, s + 3, s + 6);
    return g_strdup(s ? s : "");
}

/* "0.5", "1.0", "1.5": a ratio in millionths on the benchmark axis. */
static char *
ratio_tick(int64_t micro)
{
    return render_scaled(micro, 6, 1);
}

/* A decimal cell from the database's text, `places` decimals; a dash when blank. */
static void
decimal_cell(GString *out, const char *s, int places)
{
    g_autofree char *v = render_decimal(s, places);
    g_string_append(out, "<td class=\"num\">");
    g_string_append(out, v ? v : "&#8212;");
    g_string_append(out, "</td>");
}

/* ---- benchmarks (R-G4) ---------------------------------------------------- */

static void
render_benchmarks(GString *out, const StmtPractice *p)
{
    g_string_append(out, "<section id=\"benchmarks\">\n<h2>Benchmarks against the PCT</h2>\n");
    if (p->benchmarks->len == 0) {
        g_string_append(out, "<p class=\"note\">No benchmarks were published for this "
                             "practice.</p>\n</section>\n");
        return;
    }
    const StmtBenchmark *first = &g_array_index(p->benchmarks, StmtBenchmark, 0);
    g_autofree char *wp = render_decimal(first->weighted_population, 2);
    g_autofree char *pwp = render_decimal(first->pct_weighted_population, 2);
    g_string_append(out, "<p>Year to date, per 1,000 weighted population (the practice ");
    g_string_append(out, wp ? wp : "&#8212;");
    g_string_append(out, ", the PCT ");
    g_string_append(out, pwp ? pwp : "&#8212;");
    g_string_append(out, "). A ratio above 1 means more than the PCT as a whole, for the needs "
                         "of the practice's population.</p>\n");

    RenderBar *bars = g_new0(RenderBar, p->benchmarks->len);
    GPtrArray *labels = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; i < p->benchmarks->len; i++) {
        const StmtBenchmark *b = &g_array_index(p->benchmarks, StmtBenchmark, i);
        int64_t micro = 0;
        g_autofree char *t = b->ratio ? g_strstrip(g_strdup(b->ratio)) : NULL;
        bars[i].label = b->description ? b->description : b->measure;
        bars[i].has_value = t != NULL && decimal_parse(t, 6, &micro);
        bars[i].value = micro;
        if (bars[i].has_value) {
            char *r = render_scaled(micro, 6, 2);
            char *l = g_strdup_printf("%s \xc3\x97 PCT", r);
            g_free(r);
            g_ptr_array_add(labels, l);
            bars[i].value_label = l;
        }
    }
    RenderBarChart chart = {
        .id = "chart-benchmarks",
        .title = "The practice's rates as a ratio to the PCT's (1 = the PCT)",
        .description = "One bar per measure; the dashed line is the PCT's rate.",
        .bars = bars,
        .n = (int)p->benchmarks->len,
        .has_reference = TRUE,
        .reference = 1000000,
        .reference_label = "PCT = 1",
        .colour = "#41b6e6",
        .colour_above = "#005eb8",
        .format_tick = ratio_tick,
        .min_step = 100000,
    };
    render_bar_chart(out, &chart);
    g_free(bars);
    g_ptr_array_free(labels, TRUE);

    g_string_append(out, "<table class=\"benchmarks\">\n<thead><tr><th>Measure</th>"
                         "<th class=\"num\">Practice count</th><th class=\"num\">Practice rate</th>"
                         "<th class=\"num\">PCT count</th><th class=\"num\">PCT rate</th>"
                         "<th class=\"num\">Ratio to PCT</th></tr></thead>\n<tbody>\n");
    for (guint i = 0; i < p->benchmarks->len; i++) {
        const StmtBenchmark *b = &g_array_index(p->benchmarks, StmtBenchmark, i);
        g_string_append(out, "<tr id=\"bm-");
        render_html_escape(out, b->measure);
        g_string_append(out, "\"><td>");
        render_html_escape(out, b->description ? b->description : b->measure);
        g_string_append(out, "</td>");
        decimal_cell(out, b->count, 0);
        decimal_cell(out, b->rate, 3);
        decimal_cell(out, b->pct_count, 0);
        decimal_cell(out, b->pct_rate, 3);
        decimal_cell(out, b->ratio, 2);
        g_string_append(out, "</tr>\n");
    }
    g_string_append(out, "</tbody>\n</table>\n<p class=\"note\">Rates per 1,000 weighted "
                         "population, except the follow-up ratio (follow-ups per first "
                         "attendance; its count is the follow-ups). GP referrals are those with "
                         "referral source 03, consultant-to-consultant referrals source 05.</p>\n"
                         "</section>\n");
}

/* ---- the highest-cost patients (R-G2) -------------------------------------- */

static void
render_patients(GString *out, const StmtPractice *p)
{
    g_string_append(out, "<section id=\"patients\">\n<h2>The ten highest-cost patients this "
                         "year</h2>\n");
    if (p->patients->len == 0) {
        g_string_append(out, "<p class=\"note\">No patient with a valid NHS number has activity "
                             "charged to the budget this year.</p>\n</section>\n");
        return;
    }
    g_string_append(out, "<p>Each patient's units charged to this practice's budget since 1 "
                         "April. The PCT's risk pool meets a patient's costs above the high-cost "
                         "threshold, counted over the year across practices and providers; only "
                         "the practice part counts against the budget.</p>\n");
    g_string_append(out, "<table class=\"patients\">\n<thead><tr><th class=\"num\">Rank</th>"
                         "<th>NHS number</th><th class=\"num\">Units</th>"
                         "<th class=\"num\">Total cost</th><th class=\"num\">Practice part</th>"
                         "<th class=\"num\">Risk pool part</th></tr></thead>\n<tbody>\n");
    StmtPatient sum = {0};
    for (guint i = 0; i < p->patients->len; i++) {
        const StmtPatient *t = &g_array_index(p->patients, StmtPatient, i);
        g_autofree char *nhs = stmt_nhs_display(t->nhs_number);
        g_string_append_printf(out, "<tr><td class=\"num\">%d</td><td class=\"nhs\">", t->rank);
        render_html_escape(out, nhs);
        g_string_append(out, "</td>");
        stmt_page_count_cell(out, t->units);
        stmt_page_money_cell(out, t->cost);
        stmt_page_money_cell(out, t->practice);
        stmt_page_money_cell(out, t->risk_pool);
        g_string_append(out, "</tr>\n");
        sum.units += t->units;
        sum.cost += t->cost;
        sum.practice += t->practice;
        sum.risk_pool += t->risk_pool;
    }
    g_string_append_printf(out, "</tbody>\n<tfoot><tr><td colspan=\"2\">These %u patients</td>",
                           p->patients->len);
    stmt_page_count_cell(out, sum.units);
    stmt_page_money_cell(out, sum.cost);
    stmt_page_money_cell(out, sum.practice);
    stmt_page_money_cell(out, sum.risk_pool);
    g_string_append(out, "</tr></tfoot>\n</table>\n</section>\n");
}

/* ---- attribution quality (R-A) --------------------------------------------- */

static const char *
method_text(const char *method)
{
    if (g_strcmp0(method, "EXETER") == 0)
        return "Registered with the practice on the date (Exeter)";
    if (g_strcmp0(method, "EXETER_NEAREST") == 0)
        return "Nearest registration within the look-back (Exeter)";
    if (g_strcmp0(method, "CDS") == 0)
        return "Practice code recorded by the hospital";
    return NULL;
}

/* "12.3%" of part in whole, one decimal, exact. */
static char *
share(int64_t part, int64_t whole)
{
    if (whole == 0)
        return g_strdup("&#8212;");
    g_autofree char *v = render_scaled(div_round((__int128)part * 1000, whole), 1, 1);
    return g_strdup_printf("%s%%", v);
}

static void
render_attribution(GString *out, const StmtPractice *p)
{
    g_string_append(out, "<section id=\"attribution\">\n<h2>How the units were attributed to the "
                         "practice</h2>\n");
    int64_t units = 0, cost = 0, mismatches = 0, handed = 0;
    for (guint i = 0; i < p->attribution->len; i++) {
        const StmtAttribution *a = &g_array_index(p->attribution, StmtAttribution, i);
        units += a->units;
        cost += a->cost;
        mismatches += a->mismatches;
        handed += a->handed_over;
    }
    g_string_append(out, "<table class=\"attribution\">\n<thead><tr><th>Method</th><th></th>"
                         "<th class=\"num\">Units</th><th class=\"num\">Share</th>"
                         "<th class=\"num\">Cost</th></tr></thead>\n<tbody>\n");
    for (guint i = 0; i < p->attribution->len; i++) {
        const StmtAttribution *a = &g_array_index(p->attribution, StmtAttribution, i);
        g_autofree char *sh = share(a->units, units);
        g_string_append(out, "<tr id=\"attr-");
        render_html_escape(out, a->method);
        g_string_append(out, "\"><td>");
        render_html_escape(out, a->method);
        g_string_append(out, "</td><td>");
        render_html_text_or(out, method_text(a->method), "");
        g_string_append(out, "</td>");
        stmt_page_count_cell(out, a->units);
        g_string_append_printf(out, "<td class=\"num\">%s</td>", sh);
        stmt_page_money_cell(out, a->cost);
        g_string_append(out, "</tr>\n");
    }
    if (p->attribution->len == 0)
        g_string_append(out, "<tr><td colspan=\"5\" class=\"note\">No units this year.</td></tr>\n");
    g_string_append(out, "</tbody>\n<tfoot><tr><td colspan=\"2\">Total</td>");
    stmt_page_count_cell(out, units);
    g_string_append(out, "<td class=\"num\"></td>");
    stmt_page_money_cell(out, cost);
    g_string_append(out, "</tr></tfoot>\n</table>\n");
    g_autofree char *mm = render_count(mismatches);
    g_autofree char *mm_share = share(mismatches, units);
    g_autofree char *ho = render_count(handed);
    g_string_append_printf(out,
                           "<p><span id=\"mismatches\">%s</span> units (%s) were recorded by the "
                           "hospital under another practice than the patient's Exeter registration "
                           "(the registration was used). <span id=\"handed-over\">%s</span> units "
                           "came to the practice as the successor of a closed practice.</p>\n"
                           "</section>\n",
                           mm, mm_share, ho);
}

/* ---- the budget (R-B5) ------------------------------------------------------ */

static void
budget_row(GString *out, const char *id, const char *label, int64_t pence)
{
    g_string_append_printf(out, "<dt>%s</dt><dd id=\"b-%s\" data-pence=\"%" G_GINT64_FORMAT "\">",
                           label, id, pence);
    render_money_html(out, pence);
    g_string_append(out, "</dd>\n");
}

static void
render_budget(GString *out, const StmtData *d, const StmtPractice *p)
{
    const StmtBudget *b = &p->budget;
    g_string_append(out, "<section id=\"budget\">\n<h2>How the budget was set</h2>\n");
    if (b->has_components) {
        g_string_append(out, "<p>The PCT set the ");
        render_html_escape(out, d->fin_year);
        g_string_append(out, " indicative budget from the practice's historic activity, re-priced "
                             "at this year's tariff and uplifted, moved part of the way towards "
                             "its fair share of the PCT's envelope by weighted population; a "
                             "contingency goes to the PCT's risk pool.</p>\n<dl class=\"budget\">\n");
        budget_row(out, "historic", "Historic spend (last year's activity at this year's prices)",
                   b->historic);
        budget_row(out, "uplifted_historic", "Uplifted historic", b->uplifted_historic);
        budget_row(out, "fair_share", "Fair share (weighted capitation)", b->fair_share);
        g_autofree char *dist = render_ratio_percent(b->distance, 2);
        g_autofree char *ratio = render_decimal(b->distance, 6);
        g_string_append(out, "<dt>Distance from target (uplifted historic against fair "
                             "share)</dt><dd id=\"b-distance_from_target\">");
        if (dist != NULL) {
            g_string_append_printf(out, "%s (%s)", ratio, dist);
        } else {
            g_string_append(out, "&#8212;");
        }
        g_string_append(out, "</dd>\n");
        budget_row(out, "budget", "Budget after the pace of change", b->budget);
        budget_row(out, "contingency", "Contingency, to the PCT risk pool", b->contingency);
        budget_row(out, "annual_budget", "<strong>Indicative budget</strong>", b->annual_budget);
        g_string_append(out, "</dl>\n");
        if (b->weighted_population) {
            g_autofree char *wp = render_decimal(b->weighted_population, 2);
            g_string_append_printf(out, "<p class=\"note\">Weighted population %s. A positive "
                                        "distance means the practice's historic spend is above its "
                                        "fair share.</p>\n",
                                   wp ? wp : "&#8212;");
        }
    } else if (g_strcmp0(b->set_by, "PCT") == 0) {
        g_autofree char *annual = render_money(p->fig.annual_budget);
        g_string_append_printf(out, "<p id=\"budget-set-by\">The indicative budget of %s was set "
                                    "by the PCT.</p>\n",
                               annual);
    } else {
        g_string_append(out, "<p id=\"budget-set-by\">The practice has no indicative budget for ");
        render_html_escape(out, d->fin_year);
        g_string_append(out, " (it was not open on 1 April, or the PCT set none), so all its "
                             "spend shows against a budget of &#163;0.00.</p>\n");
    }
    g_string_append(out, "</section>\n");
}

/* ---- month end (docs/month_end.md) ------------------------------------------- */

static const char *
change_text(const char *change)
{
    static const char *const t[][2] = {
        {"ADDED", "Added"},           {"REMOVED", "Removed"},   {"REATTRIBUTED", "Re-attributed"},
        {"REPRICED", "Re-priced"},    {"REDATED", "Re-dated"},
    };
    for (guint i = 0; i < G_N_ELEMENTS(t); i++)
        if (g_strcmp0(change, t[i][0]) == 0)
            return t[i][1];
    return change;
}

static const char *
reason_text(const char *reason)
{
    static const char *const t[][2] = {
        {"LATE_RECORD", "activity the previous run did not have (sent or discharged late)"},
        {"PROVIDER_DELETION", "deleted by the hospital"},
        {"NOT_RESUBMITTED", "its extract is not among this run's inputs"},
        {"PROVIDER_REPLACEMENT", "corrected by the hospital"},
        {"REGISTRATION_CHANGE", "the patient's registration (Exeter) changed"},
        {"HIGH_COST_SPLIT", "the patient's other activity moved the high-cost split"},
        {"TARIFF_OR_REFERENCE_CHANGE", "priced or attributed under changed reference data"},
    };
    for (guint i = 0; i < G_N_ELEMENTS(t); i++)
        if (g_strcmp0(reason, t[i][0]) == 0)
            return t[i][1];
    return NULL;
}

/* The headings of units and spend then and now (after the row's own), ending the head. */
static void
then_now_headings(GString *out, const char *change_heading)
{
    g_string_append_printf(out, "<th class=\"num\">Units then</th><th class=\"num\">Units now</th>"
                                "<th class=\"num\">Change</th><th class=\"num\">Spend then</th>"
                                "<th class=\"num\">Spend now</th><th class=\"num\">%s</th>"
                                "</tr></thead>\n<tbody>\n",
                           change_heading);
}

/* Units then, now and the change; spend then, now and the change. */
static void
then_now_cells(GString *out, const StmtThenNow *v)
{
    stmt_page_count_cell(out, v->from_units);
    stmt_page_count_cell(out, v->to_units);
    stmt_page_count_cell(out, v->delta_units);
    stmt_page_money_cell(out, v->from_spend);
    stmt_page_money_cell(out, v->to_spend);
    stmt_page_change_cell(out, v->delta_spend);
}

/* Ends the body with the total row (two label columns) and closes the table. */
static void
then_now_total(GString *out, const StmtThenNow *sum)
{
    g_string_append(out, "</tbody>\n<tfoot><tr><td colspan=\"2\">Total</td>");
    then_now_cells(out, sum);
    g_string_append(out, "</tr></tfoot>\n</table>\n");
}

/* The link to the changes file, its rows and their total. */
static void
changes_link(GString *out, const StmtPractice *p)
{
    g_autofree char *rows = render_count((int64_t)p->change_rows);
    g_string_append(out, "<p>The units behind these figures: <a id=\"changes-link\" href=\"");
    render_html_href(out, p->changes_file);
    g_string_append(out, "\">");
    render_html_escape(out, p->changes_file);
    g_string_append_printf(out, "</a> (CSV, %s row%s: each unit's change, its reason and the "
                                "evidence; its delta_spend_pence column adds up to ",
                           rows, p->change_rows == 1 ? "" : "s");
    stmt_page_change_html(out, p->change_delta_spend);
    g_string_append(out, "). A unit moved between two practices is in both practices' files."
                         "</p>\n");
}

/* What moved since the run this publication replaced: by change and reason, by POD. */
static void
render_changes(GString *out, const StmtData *d, const StmtPractice *p)
{
    const StmtMonthEnd *e = &p->month_end;
    g_string_append(out, "<section id=\"changes\">\n<h2>Changes since the previous run</h2>\n");
    if (e->from_load_id == 0) {
        g_autofree char *month = stmt_month_name(d->period);
        g_string_append(out, "<p id=\"changes-summary\" data-units=\"0\" data-pence=\"0\">This "
                             "is the first publication of ");
        render_html_escape(out, month);
        g_string_append(out, ": there is no earlier run to compare with.</p>\n</section>\n");
        return;
    }
    g_autofree char *units = render_count(e->units_changed);
    g_string_append_printf(out, "<p id=\"changes-summary\" data-units=\"%" G_GINT64_FORMAT
                                "\" data-pence=\"%" G_GINT64_FORMAT "\">Since load %" G_GINT64_FORMAT
                                ", the run this publication replaced, ",
                           e->units_changed, e->delta_spend, e->from_load_id);
    if (e->units_changed == 0) {
        g_string_append(out, "none of the practice's units changed.</p>\n");
        changes_link(out, p);
        g_string_append(out, "</section>\n");
        return;
    }
    g_string_append_printf(out, "<strong>%s unit%s</strong> of the practice changed and its "
                                "spend to date moved by <strong>",
                           units, e->units_changed == 1 ? "" : "s");
    stmt_page_change_html(out, e->delta_spend);
    g_string_append(out, "</strong>.</p>\n");

    g_string_append(out, "<table class=\"change-reasons\">\n<caption>By change and reason"
                         "</caption>\n<thead><tr><th>Change</th><th>Reason</th>"
                         "<th class=\"num\">Units</th><th class=\"num\">Change in spend</th>"
                         "</tr></thead>\n<tbody>\n");
    for (guint i = 0; i < p->change_reasons->len; i++) {
        const StmtChangeReason *c = &g_array_index(p->change_reasons, StmtChangeReason, i);
        g_string_append(out, "<tr><td>");
        render_html_escape(out, change_text(c->change));
        g_string_append(out, "</td><td>");
        render_html_text_or(out, reason_text(c->reason), c->reason ? c->reason : "");
        g_string_append(out, "</td>");
        stmt_page_count_cell(out, c->units);
        stmt_page_change_cell(out, c->delta_spend);
        g_string_append(out, "</tr>\n");
    }
    g_string_append(out, "</tbody>\n<tfoot><tr><td colspan=\"2\">Total</td>");
    stmt_page_count_cell(out, (int64_t)p->change_rows);
    stmt_page_change_cell(out, p->change_delta_spend);
    g_string_append(out, "</tr></tfoot>\n</table>\n");

    g_string_append(out, "<table class=\"change-pods\">\n<caption>By point of delivery: the "
                         "units charged to the budget, then and now</caption>\n<thead><tr>"
                         "<th>POD</th><th></th>");
    then_now_headings(out, "Change in spend");
    StmtThenNow sum = {0};
    for (guint i = 0; i < p->change_pods->len; i++) {
        const StmtChangePod *c = &g_array_index(p->change_pods, StmtChangePod, i);
        g_string_append(out, "<tr id=\"change-");
        render_html_escape(out, c->pod);
        g_string_append(out, "\"><td>");
        render_html_escape(out, c->pod);
        g_string_append(out, "</td><td>");
        render_html_text_or(out, c->description, "");
        g_string_append(out, "</td>");
        then_now_cells(out, &c->v);
        g_string_append(out, "</tr>\n");
        stmt_then_now_add(&sum, &c->v);
    }
    if (p->change_pods->len == 0)
        g_string_append(out, "<tr><td colspan=\"8\" class=\"note\">No change in the units "
                             "charged to the budget (the units above moved outside it, or only "
                             "their details changed).</td></tr>\n");
    then_now_total(out, &sum);
    changes_link(out, p);
    g_string_append(out, "</section>\n");
}

/* Late data for months already closed, against the figures signed off. */
static void
render_prior_months(GString *out, const StmtPractice *p)
{
    const StmtMonthEnd *e = &p->month_end;
    g_string_append(out, "<section id=\"prior-month\">\n<h2>Prior-month adjustments</h2>\n");
    if (p->prior_months->len == 0) {
        g_string_append(out, "<p id=\"prior-month-summary\" data-pence=\"0\">None: no activity "
                             "of a month already closed has changed since it was signed off.</p>\n"
                             "</section>\n");
        return;
    }
    g_string_append_printf(out, "<p id=\"prior-month-summary\" data-pence=\"%" G_GINT64_FORMAT
                                "\">Late data for months that finance has already closed: each "
                                "month's units charged to the budget as signed off, and as they "
                                "stand in this run. The closed statements stay as they were; the "
                                "spend to date above includes these adjustments, <strong>",
                           e->prior_month_delta);
    stmt_page_change_html(out, e->prior_month_delta);
    g_string_append(out, "</strong> in all.</p>\n<table class=\"prior-month\">\n<thead><tr>"
                         "<th>Activity month</th><th>Signed off with</th>");
    then_now_headings(out, "Adjustment");
    StmtThenNow sum = {0};
    for (guint i = 0; i < p->prior_months->len; i++) {
        const StmtPriorMonth *m = &g_array_index(p->prior_months, StmtPriorMonth, i);
        g_autofree char *month = stmt_month_name(m->activity_month);
        g_autofree char *closed = stmt_month_name(m->closed_period);
        g_string_append(out, "<tr id=\"prior-");
        render_html_escape(out, m->activity_month);
        g_string_append(out, "\"><td>");
        render_html_escape(out, month);
        g_string_append(out, "</td><td>the ");
        render_html_escape(out, closed);
        g_string_append_printf(out, " statement (load %" G_GINT64_FORMAT ")</td>",
                               m->closed_load_id);
        then_now_cells(out, &m->v);
        g_string_append(out, "</tr>\n");
        stmt_then_now_add(&sum, &m->v);
    }
    then_now_total(out, &sum);
    g_string_append(out, "</section>\n");
}

/* ---- the page ---------------------------------------------------------------- */

void
stmt_practice_render(GString *out, const StmtData *d, const StmtPractice *p)
{
    g_autofree char *cfile = NULL;
    StmtLink extra[2] = {{NULL, NULL}, {NULL, NULL}};
    g_autofree char *ctext = NULL;
    if (p->consortium) {
        g_autofree char *stem = stmt_file_stem(p->consortium);
        cfile = g_strconcat("consortium_", stem, ".html", NULL);
        ctext = g_strdup_printf("Consortium %s", p->consortium);
        extra[0] = (StmtLink){cfile, ctext};
    }
    stmt_page_begin(out, d, "Practice statement", p->name ? p->name : p->code, p->code,
                    p->consortium, extra);
    stmt_page_headline(out, d, &p->fig, "the practice");
    stmt_page_chart(out, d, p->months, p->phased, &p->fig);

    stmt_page_breakdowns(out, p->pods, p->providers);
    render_changes(out, d, p);
    render_prior_months(out, p);

    render_benchmarks(out, p);
    render_patients(out, p);
    render_attribution(out, p);
    render_budget(out, d, p);

    g_autofree char *rows = render_count((int64_t)p->charge_rows);
    g_autofree char *sum = render_money(p->charge_practice_pence);
    g_string_append(out, "<section id=\"charges\">\n<h2>Patient-level charges</h2>\n<p>Every unit "
                         "charged to the budget this year, with each price component (base "
                         "tariff, excess bed days, short-stay adjustment, market forces factor) "
                         "so that each charge can be checked: <a id=\"charges-link\" href=\"");
    render_html_href(out, p->charges_file);
    g_string_append(out, "\">");
    render_html_escape(out, p->charges_file);
    g_string_append_printf(out, "</a> (CSV, %s rows; the practice parts add up to %s, the spend to "
                                "date). Money in the file is in pence.</p>\n<p class=\"note\">The "
                                "file and this page hold NHS numbers: keep them within the "
                                "practice.</p>\n</section>\n",
                           rows, sum);
    stmt_page_end(out, d);
}
