/*
 * pub_render.c: statements as HTML pages with an SVG chart, and the
 * patient-level charges as CSV (see pub_render.h).
 */
#include "pub_render.h"

#include "csv_out.h"
#include "log.h"
#include "pub_db.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

char *
pub_render_money(gint64 pence)
{
    guint64 a = pence < 0 ? (guint64)(-(pence + 1)) + 1 : (guint64)pence;
    char digits[32];
    g_snprintf(digits, sizeof digits, "%" G_GUINT64_FORMAT, a / 100);
    GString *s = g_string_new(pence < 0 ? "-\xc2\xa3" : "\xc2\xa3");
    gsize n = strlen(digits);
    for (gsize i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            g_string_append_c(s, ',');
        g_string_append_c(s, digits[i]);
    }
    g_string_append_printf(s, ".%02u", (unsigned)(a % 100));
    return g_string_free(s, FALSE);
}

gint64
pub_render_phased(gint64 annual, int m)
{
    /* Exact integer rounding, halves away from zero, as SQL round() on numeric. */
    gint64 num = annual * m;
    gint64 q = num / 12, r = num % 12;
    if (r * 2 >= 12)
        q++;
    else if (r * 2 <= -12)
        q--;
    return q;
}

/* ---- small accessors over a result ---------------------------------------- */

static const char *
val(const PGresult *r, int row, const char *col)
{
    int c = PQfnumber(r, col);
    g_assert(c >= 0);
    return PQgetisnull(r, row, c) ? "" : PQgetvalue(r, row, c);
}

static gint64
num(const PGresult *r, int row, const char *col)
{
    return g_ascii_strtoll(val(r, row, col), NULL, 10);
}

static void
esc(GString *s, const char *text)
{
    g_autofree char *e = g_markup_escape_text(text, -1);
    g_string_append(s, e);
}

static void
money_cell(GString *s, gint64 pence)
{
    g_autofree char *m = pub_render_money(pence);
    g_string_append_printf(s, "<td class=\"n%s\">%s</td>", pence < 0 ? " neg" : "", m);
}

static PGresult *
query(PGconn *conn, const char *sql, const char *pct, const char *period, const char *practice,
      GError **error)
{
    const char *params[] = {pct, period, practice};
    return pub_db_query(conn, "could not read the statements", sql, practice ? 3 : 2, params,
                        error);
}

static gboolean
write_file(const char *dir, const char *name, const GString *text, GError **error)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);
    GError *e = NULL;
    if (!g_file_set_contents_full(path, text->str, (gssize)text->len,
                                  G_FILE_SET_CONTENTS_CONSISTENT, 0600, &e)) {
        g_set_error(error, PBC_ERROR, PBC_ERROR_IO, "could not write statement: %s", e->message);
        g_error_free(e);
        return FALSE;
    }
    return TRUE;
}

static const char style[] =
    "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;color:#222}"
    "table{border-collapse:collapse;margin:1em 0}td,th{padding:.25em .75em;border-bottom:1px "
    "solid #ddd;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}"
    ".neg{color:#b00}h1{margin-bottom:0}.sub{color:#666}.status{padding:.5em .75em;"
    "border-left:4px solid}.closed{border-color:#2a7}.provisional{border-color:#c80}</style>\n";

/* ---- the chart --------------------------------------------------------------- */

/* Cumulative spend (solid, months 1..m) against the phased budget (dashed, 1..12). */
static void
chart(GString *s, const PGresult *cum, gint64 annual)
{
    const int W = 640, H = 320, L = 90, R = 20, T = 20, B = 60;
    int n = PQntuples(cum);
    gint64 top = pub_render_phased(annual, 12);
    for (int i = 0; i < n; i++)
        top = MAX(top, num(cum, i, "cumulative_spend_pence"));
    if (top <= 0)
        top = 100;
    double xs = (double)(W - L - R) / 11.0, ys = (double)(H - T - B) / (double)top;
#define X(m) (L + ((m) - 1) * xs)
#define Y(v) (H - B - (double)(v) * ys)
    g_string_append_printf(s,
                           "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                           "role=\"img\" aria-label=\"cumulative spend against phased budget\">\n",
                           W, H);
    g_string_append_printf(s, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>\n",
                           L, H - B, W - R, H - B);
    g_string_append_printf(s, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>\n",
                           L, T, L, H - B);
    static const char *const months[] = {"Apr", "May", "Jun", "Jul", "Aug", "Sep",
                                         "Oct", "Nov", "Dec", "Jan", "Feb", "Mar"};
    for (int m = 1; m <= 12; m++)
        g_string_append_printf(s,
                               "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" "
                               "text-anchor=\"middle\">%s</text>\n",
                               X(m), H - B + 16, months[m - 1]);
    for (int k = 0; k <= 4; k++) {
        gint64 v = top * k / 4;
        g_autofree char *m = pub_render_money(v - v % 100);
        g_string_append_printf(s,
                               "<text x=\"%d\" y=\"%.1f\" font-size=\"11\" "
                               "text-anchor=\"end\">%s</text>\n",
                               L - 6, Y(v) + 4, m);
    }
    g_string_append(s, "<polyline fill=\"none\" stroke=\"#888\" stroke-dasharray=\"6 4\" "
                       "stroke-width=\"2\" points=\"");
    for (int m = 1; m <= 12; m++)
        g_string_append_printf(s, "%.1f,%.1f ", X(m), Y(pub_render_phased(annual, m)));
    g_string_append(s, "\"/>\n<polyline fill=\"none\" stroke=\"#1f5fa8\" stroke-width=\"3\" "
                       "points=\"");
    for (int i = 0; i < n; i++)
        g_string_append_printf(s, "%.1f,%.1f ", X((int)num(cum, i, "month_number")),
                               Y(num(cum, i, "cumulative_spend_pence")));
    g_string_append_printf(s,
                           "\"/>\n<text x=\"%d\" y=\"%d\" font-size=\"12\" fill=\"#1f5fa8\">"
                           "cumulative spend</text><text x=\"%d\" y=\"%d\" font-size=\"12\" "
                           "fill=\"#666\">phased budget</text>\n</svg>\n",
                           L + 10, H - 12, L + 140, H - 12);
#undef X
#undef Y
}

/* ---- one practice ------------------------------------------------------------ */

static void
breakdown(GString *s, const PGresult *r, const char *key, const char *label, const char *desc)
{
    g_string_append_printf(s, "<table><tr><th>%s</th>%s<th>units</th><th>cost</th>"
                              "<th>against budget</th><th>risk pool</th></tr>\n",
                           label, desc ? "<th></th>" : "");
    for (int i = 0; i < PQntuples(r); i++) {
        g_string_append(s, "<tr><td>");
        esc(s, val(r, i, key));
        g_string_append(s, "</td>");
        if (desc) {
            g_string_append(s, "<td>");
            esc(s, val(r, i, desc));
            g_string_append(s, "</td>");
        }
        g_string_append_printf(s, "<td class=\"n\">%s</td>", val(r, i, "units"));
        money_cell(s, num(r, i, "cost_pence"));
        money_cell(s, num(r, i, "practice_pence"));
        money_cell(s, num(r, i, "risk_pool_pence"));
        g_string_append(s, "</tr>\n");
    }
    g_string_append(s, "</table>\n");
}

static gboolean
write_charges(PGconn *conn, const char *pct, const char *period, const char *practice,
              const char *dir, GError **error)
{
    PGresult *r = query(conn,
                        "SELECT * FROM pbc.v_patient_charges WHERE pct_code = $1 AND period = $2"
                        " AND practice_code = $3 ORDER BY charge_date, unit_id",
                        pct, period, practice, error);
    if (r == NULL)
        return FALSE;
    int nf = PQnfields(r);
    g_autofree const char **header = g_new0(const char *, nf + 1);
    for (int c = 0; c < nf; c++)
        header[c] = PQfname(r, c);
    g_autofree char *name = g_strdup_printf("%s_charges.csv", practice);
    g_autofree char *path = g_build_filename(dir, name, NULL);
    CsvOut *o = csv_out_create(path, CSV_OUT_PATIENT, header, error);
    if (o == NULL) {
        PQclear(r);
        return FALSE;
    }
    for (int i = 0; i < PQntuples(r); i++) {
        for (int c = 0; c < nf; c++) {
            if (PQgetisnull(r, i, c))
                csv_out_blank(o);
            else if (PQftype(r, c) == 16 /* boolean */)
                csv_out_str(o, strcmp(PQgetvalue(r, i, c), "t") == 0 ? "1" : "0");
            else
                csv_out_str(o, PQgetvalue(r, i, c));
        }
        csv_out_end(o);
    }
    PQclear(r);
    return csv_out_commit(o, error);
}

/* ---- month end: provisional or closed, and what changed (docs/month_end.md) ---- */

/* The banner under the title: the month's status from v_statement_status. */
static void
status_banner(GString *s, const PGresult *status)
{
    gboolean closed = PQntuples(status) > 0 && strcmp(val(status, 0, "status"), "CLOSED") == 0;
    if (closed) {
        g_string_append(s, "<p class=\"status closed\"><strong>Closed</strong>: signed off by ");
        esc(s, val(status, 0, "closed_by"));
        g_string_append(s, " on ");
        esc(s, val(status, 0, "closed_date"));
        g_string_append(s, ". These figures will not change; late data for this month appears "
                           "in a later month's statement as a prior-month adjustment.</p>\n");
    } else {
        g_string_append(s, "<p class=\"status provisional\"><strong>Provisional</strong>: "
                           "these figures may change until finance closes the month.</p>\n");
    }
}

/* What moved since the previous run, and the restatement of closed months. */
static void
changes_section(GString *s, const char *practice, const PGresult *status, const PGresult *pod,
                const PGresult *prior)
{
    g_string_append(s, "<h2>Changes since the previous run</h2>\n");
    if (PQntuples(status) == 0 || *val(status, 0, "from_load_id") == '\0') {
        g_string_append(s, "<p>This is the month's first publication: there is no earlier run "
                           "to compare with.</p>\n");
    } else {
        g_string_append_printf(s, "<p>Against load %s, the run this publication replaced: %s "
                                  "unit%s changed, ",
                               val(status, 0, "from_load_id"), val(status, 0, "units_changed"),
                               strcmp(val(status, 0, "units_changed"), "1") == 0 ? "" : "s");
        g_autofree char *m = pub_render_money(num(status, 0, "delta_spend_pence"));
        g_string_append_printf(s, "spend to date %s%s.</p>\n",
                               num(status, 0, "delta_spend_pence") >= 0 ? "+" : "", m);
        if (PQntuples(pod) > 0) {
            g_string_append(s, "<table><tr><th>POD</th><th></th><th>units before</th>"
                               "<th>units now</th><th>change in units</th>"
                               "<th>change in spend</th></tr>\n");
            for (int i = 0; i < PQntuples(pod); i++) {
                g_string_append(s, "<tr><td>");
                esc(s, val(pod, i, "pod"));
                g_string_append(s, "</td><td>");
                esc(s, val(pod, i, "pod_description"));
                g_string_append_printf(s, "</td><td class=\"n\">%s</td><td class=\"n\">%s</td>"
                                          "<td class=\"n\">%s</td>",
                                       val(pod, i, "from_units"), val(pod, i, "to_units"),
                                       val(pod, i, "delta_units"));
                money_cell(s, num(pod, i, "delta_practice_pence"));
                g_string_append(s, "</tr>\n");
            }
            g_string_append(s, "</table>\n");
        }
        g_autofree char *csv = g_strdup_printf("%s_changes.csv", practice);
        g_string_append(s, "<p><a href=\"");
        esc(s, csv);
        g_string_append(s, "\" download>Download the units that changed (CSV)</a>: each unit "
                           "added, removed, re-priced or re-attributed, with the reason (a "
                           "provider deletion or replacement, a late record, a registration "
                           "change, a tariff or reference-data change).</p>\n");
    }
    if (PQntuples(prior) > 0) {
        g_string_append(s, "<h2>Prior-month adjustments</h2>\n<p>Late data for months already "
                           "closed, against the figures signed off when they closed; the "
                           "closed statements stay as they were.</p>\n<table><tr><th>month"
                           "</th><th>closed with</th><th>units then</th><th>units now</th>"
                           "<th>spend then</th><th>spend now</th><th>adjustment</th></tr>\n");
        for (int i = 0; i < PQntuples(prior); i++) {
            g_string_append(s, "<tr><td>");
            esc(s, val(prior, i, "activity_month"));
            g_string_append(s, "</td><td>");
            esc(s, val(prior, i, "closed_period"));
            g_string_append_printf(s, "</td><td class=\"n\">%s</td><td class=\"n\">%s</td>",
                                   val(prior, i, "closed_units"), val(prior, i, "units"));
            money_cell(s, num(prior, i, "closed_practice_pence"));
            money_cell(s, num(prior, i, "practice_pence"));
            money_cell(s, num(prior, i, "delta_practice_pence"));
            g_string_append(s, "</tr>\n");
        }
        g_string_append(s, "</table>\n");
    }
}

/* <practice>_changes.csv: v_statement_changes (patient-level, mode 0600). */
static gboolean
write_changes(PGconn *conn, const char *pct, const char *period, const char *practice,
              const char *dir, GError **error)
{
    PGresult *r = query(conn,
                        "SELECT change, reason, detail, dataset, unit_id, cds_unique_id,"
                        " provider_code, nhs_number, from_practice_code, to_practice_code,"
                        " from_pod, to_pod, from_activity_month, to_activity_month,"
                        " from_price_pence, to_price_pence, from_practice_pence,"
                        " to_practice_pence, delta_spend_pence, source_file, source_line"
                        " FROM pbc.v_statement_changes WHERE pct_code = $1 AND period = $2"
                        " AND practice_code = $3 ORDER BY change, dataset, unit_id COLLATE \"C\"",
                        pct, period, practice, error);
    if (r == NULL)
        return FALSE;
    int nf = PQnfields(r);
    g_autofree const char **header = g_new0(const char *, nf + 1);
    for (int c = 0; c < nf; c++)
        header[c] = PQfname(r, c);
    g_autofree char *name = g_strdup_printf("%s_changes.csv", practice);
    g_autofree char *path = g_build_filename(dir, name, NULL);
    CsvOut *o = csv_out_create(path, CSV_OUT_PATIENT, header, error);
    if (o == NULL) {
        PQclear(r);
        return FALSE;
    }
    for (int i = 0; i < PQntuples(r); i++) {
        for (int c = 0; c < nf; c++) {
            if (PQgetisnull(r, i, c))
                csv_out_blank(o);
            else
                csv_out_str(o, PQgetvalue(r, i, c));
        }
        csv_out_end(o);
    }
    PQclear(r);
    return csv_out_commit(o, error);
}

/* The statement page of row of st, from its four result sets. */
static gboolean
write_page(PGconn *conn, const PGresult *st, int row, const char *dir, const PGresult *cum,
           const PGresult *pod, const PGresult *prov, const PGresult *bench,
           const PGresult *status, const PGresult *chpod, const PGresult *prior, GError **error)
{
    const char *pct = val(st, row, "pct_code"), *period = val(st, row, "period");
    const char *practice = val(st, row, "practice_code");
    GString *s = g_string_new("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                              "<title>");
    esc(s, practice);
    g_string_append_printf(s, " statement %s</title>\n%s</head><body>\n<h1>", period, style);
    esc(s, val(st, row, "practice_name"));
    g_string_append(s, " (");
    esc(s, practice);
    g_string_append(s, ")</h1>\n<p class=\"sub\">Indicative budget statement for ");
    esc(s, period);
    g_string_append_printf(s, ", month %s of %s &middot; consortium ", val(st, row, "month_number"),
                           val(st, row, "fin_year"));
    esc(s, val(st, row, "consortium_code"));
    g_string_append(s, " &middot; PCT ");
    esc(s, pct);
    g_string_append(s, " &middot; <a href=\"index.html\">all practices</a></p>\n");
    status_banner(s, status);

    static const struct {
        const char *col, *label;
    } lines[] = {
        {"annual_budget", "Annual indicative budget"},
        {"budget_ytd", "Budget to date"},
        {"spend_ytd", "Spend to date"},
        {"variance_ytd", "Variance to date (positive = underspend)"},
        {"forecast_outturn", "Forecast outturn"},
        {"forecast_variance", "Forecast variance"},
        {"freed_up_practice", "Freed-up resources: practice share"},
        {"freed_up_pct", "Freed-up resources: PCT share"},
        {"risk_pool_ytd", "High-cost patients met by the risk pool"},
    };
    g_string_append(s, "<h2>Budget and spend</h2>\n<table>\n");
    for (guint i = 0; i < G_N_ELEMENTS(lines); i++) {
        g_string_append_printf(s, "<tr><th>%s</th>", lines[i].label);
        money_cell(s, num(st, row, lines[i].col));
        g_string_append(s, "</tr>\n");
    }
    g_string_append_printf(s, "<tr><th>Units of activity to date</th><td class=\"n\">%s</td></tr>"
                              "\n</table>\n",
                           val(st, row, "units_ytd"));
    g_string_append(s, "<h2>Cumulative spend against the phased budget</h2>\n");
    chart(s, cum, num(st, row, "annual_budget"));
    g_string_append(s, "<h2>By point of delivery</h2>\n");
    breakdown(s, pod, "pod", "POD", "pod_description");
    g_string_append(s, "<h2>By provider</h2>\n");
    breakdown(s, prov, "provider_code", "provider", NULL);
    g_string_append(s, "<h2>Benchmarks, year to date, per 1,000 weighted population</h2>\n"
                       "<table><tr><th>measure</th><th>count</th><th>practice rate</th>"
                       "<th>PCT rate</th><th>ratio to PCT</th></tr>\n");
    for (int i = 0; i < PQntuples(bench); i++) {
        g_string_append(s, "<tr><td>");
        esc(s, val(bench, i, "description"));
        g_string_append_printf(s,
                               "</td><td class=\"n\">%s</td><td class=\"n\">%s</td>"
                               "<td class=\"n\">%s</td><td class=\"n\">%s</td></tr>\n",
                               val(bench, i, "count"), val(bench, i, "rate_per_1000"),
                               val(bench, i, "pct_rate_per_1000"), val(bench, i, "ratio_to_pct"));
    }
    g_string_append(s, "</table>\n<h2>Patient-level charges</h2>\n<p><a href=\"");
    g_autofree char *csv = g_strdup_printf("%s_charges.csv", practice);
    esc(s, csv);
    g_string_append(s, "\" download>Download the charges behind this statement (CSV)</a>: one "
                       "row per unit of activity charged to the budget, with its price "
                       "components; the practice_pence column adds up to the spend to date.</p>"
                       "\n");
    changes_section(s, practice, status, chpod, prior);
    g_string_append(s, "</body></html>\n");
    g_autofree char *page = g_strdup_printf("%s.html", practice);
    gboolean ok = write_file(dir, page, s, error)
                  && write_charges(conn, pct, period, practice, dir, error)
                  && (PQntuples(status) == 0 || *val(status, 0, "from_load_id") == '\0'
                      || write_changes(conn, pct, period, practice, dir, error));
    g_string_free(s, TRUE);
    return ok;
}

static gboolean
render_practice(PGconn *conn, const PGresult *st, int row, const char *dir, GError **error)
{
    const char *pct = val(st, row, "pct_code"), *period = val(st, row, "period");
    const char *practice = val(st, row, "practice_code");
    PGresult *cum = NULL, *pod = NULL, *prov = NULL, *bench = NULL;
    PGresult *status = NULL, *chpod = NULL, *prior = NULL;
    cum = query(conn,
                "SELECT * FROM pbc.v_cumulative_spend WHERE pct_code = $1 AND period = $2 AND"
                " practice_code = $3 ORDER BY month_number",
                pct, period, practice, error);
    if (cum)
        pod = query(conn,
                    "SELECT * FROM pbc.v_statement_pod WHERE pct_code = $1 AND period = $2 AND"
                    " practice_code = $3 ORDER BY pod",
                    pct, period, practice, error);
    if (pod)
        prov = query(conn,
                     "SELECT * FROM pbc.v_statement_provider WHERE pct_code = $1 AND period = $2"
                     " AND practice_code = $3 ORDER BY provider_code",
                     pct, period, practice, error);
    if (prov)
        bench = query(conn,
                      "SELECT * FROM pbc.v_benchmarks WHERE pct_code = $1 AND period = $2 AND"
                      " practice_code = $3 ORDER BY measure",
                      pct, period, practice, error);
    if (bench)
        status = query(conn,
                       "SELECT status, closed_by, to_char(closed_at, 'YYYY-MM-DD') AS closed_date,"
                       " from_load_id, units_changed, delta_spend_pence"
                       " FROM pbc.v_statement_status WHERE pct_code = $1 AND period = $2"
                       " AND practice_code = $3",
                       pct, period, practice, error);
    if (status)
        chpod = query(conn,
                      "SELECT * FROM pbc.v_statement_changes_pod WHERE pct_code = $1"
                      " AND period = $2 AND practice_code = $3 ORDER BY pod",
                      pct, period, practice, error);
    if (chpod)
        prior = query(conn,
                      "SELECT * FROM pbc.v_statement_prior_month WHERE pct_code = $1"
                      " AND period = $2 AND practice_code = $3 ORDER BY activity_month",
                      pct, period, practice, error);
    gboolean ok = prior != NULL && write_page(conn, st, row, dir, cum, pod, prov, bench, status,
                                              chpod, prior, error);

    PQclear(status);
    PQclear(chpod);
    PQclear(prior);
    PQclear(cum);
    PQclear(pod);
    PQclear(prov);
    PQclear(bench);
    return ok;
}

static gboolean
render_all(PGconn *conn, const char *pct, const char *period, const char *dir, guint *n,
           GError **error)
{
    PGresult *st = query(conn,
                         "SELECT * FROM pbc.v_statement WHERE pct_code = $1 AND period = $2"
                         " ORDER BY practice_code",
                         pct, period, NULL, error);
    if (st == NULL)
        return FALSE;
    GString *idx = g_string_new("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                                "<title>Statements ");
    esc(idx, pct);
    g_string_append_printf(idx, " %s</title>\n%s</head><body>\n<h1>Indicative budget statements"
                                "</h1>\n<p class=\"sub\">PCT ",
                           period, style);
    esc(idx, pct);
    g_string_append_printf(idx, ", %s", period);
    PGresult *ms = query(conn, "SELECT status FROM pbc.v_period_status WHERE pct_code = $1"
                               " AND period = $2",
                         pct, period, NULL, error);
    if (ms == NULL) {
        g_string_free(idx, TRUE);
        PQclear(st);
        return FALSE;
    }
    g_string_append(idx, PQntuples(ms) > 0 && strcmp(PQgetvalue(ms, 0, 0), "CLOSED") == 0
                             ? " &middot; <strong>closed</strong>"
                             : " &middot; <strong>provisional</strong>");
    PQclear(ms);
    g_string_append(idx, "</p>\n<table><tr><th>practice</th><th></th>"
                         "<th>budget to date</th><th>spend to date</th><th>variance</th>"
                         "<th>forecast outturn</th></tr>\n");
    gboolean ok = TRUE;
    for (int i = 0; i < PQntuples(st) && ok; i++) {
        ok = render_practice(conn, st, i, dir, error);
        g_string_append(idx, "<tr><td><a href=\"");
        esc(idx, val(st, i, "practice_code"));
        g_string_append(idx, ".html\">");
        esc(idx, val(st, i, "practice_code"));
        g_string_append(idx, "</a></td><td>");
        esc(idx, val(st, i, "practice_name"));
        g_string_append(idx, "</td>");
        money_cell(idx, num(st, i, "budget_ytd"));
        money_cell(idx, num(st, i, "spend_ytd"));
        money_cell(idx, num(st, i, "variance_ytd"));
        money_cell(idx, num(st, i, "forecast_outturn"));
        g_string_append(idx, "</tr>\n");
    }
    g_string_append(idx, "</table>\n</body></html>\n");
    if (ok)
        ok = write_file(dir, "index.html", idx, error);
    *n = ok ? (guint)PQntuples(st) : 0;
    g_string_free(idx, TRUE);
    PQclear(st);
    return ok;
}

gboolean
pub_render_statements(PGconn *conn, const char *pct, const char *period, const char *dir,
                      guint *n, GError **error)
{
    *n = 0;
    if (g_mkdir_with_parents(dir, 0700) != 0 || chmod(dir, 0700) != 0) {
        g_set_error(error, PBC_ERROR, PBC_ERROR_IO, "could not create directory \"%s\": %s", dir,
                    g_strerror(errno));
        return FALSE;
    }
    /* One snapshot: every page of the set shows the same publication. */
    if (!pub_db_exec(conn, "could not read the statements",
                     "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0, NULL, error))
        return FALSE;
    gboolean ok = render_all(conn, pct, period, dir, n, error);
    pub_db_rollback(conn);
    return ok;
}
