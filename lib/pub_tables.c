/*
 * pub_tables.c: the output files and their tables (see pub_tables.h).
 *
 * Keep in step with sql/migrations: a column added to an output file is a new
 * migration adding the column, then an entry here.  A column of
 * priced_activity goes into pbc.load_units too (011): the history copy names
 * these columns.
 */
#include "pub_tables.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Shorthands: R = required in the header, O = optional; ! = never blank. */
#define R(csv, type) {csv, csv, type, TRUE, FALSE}
#define RN(csv, type) {csv, csv, type, TRUE, TRUE}
#define O(csv, type) {csv, csv, type, FALSE, FALSE}

static const PubColumn priced_activity[] = {
    RN("unit_id", PUB_TEXT),
    RN("dataset", PUB_TEXT),
    R("pod", PUB_TEXT),
    RN("provider_code", PUB_TEXT),
    R("nhs_number", PUB_TEXT),
    R("practice_code", PUB_TEXT),
    RN("attribution_method", PUB_TEXT),
    R("cds_practice_code", PUB_TEXT),
    R("attribution_date", PUB_DATE),
    R("charge_date", PUB_DATE),
    R("activity_month", PUB_MONTH),
    R("fin_year", PUB_TEXT),
    R("hrg", PUB_TEXT),
    R("treatment_function_code", PUB_TEXT),
    R("los", PUB_INT),
    R("excess_bed_days", PUB_INT),
    R("base_pence", PUB_INT),
    R("excess_pence", PUB_INT),
    R("sse_applied", PUB_BOOL),
    R("mff", PUB_NUM),
    RN("price_pence", PUB_INT),
    RN("price_method", PUB_TEXT),
    RN("budget_scope", PUB_TEXT),
    RN("practice_pence", PUB_INT),
    RN("risk_pool_pence", PUB_INT),
    O("original_practice_code", PUB_TEXT),
    O("exeter_practice_code", PUB_TEXT),
    O("exeter_reason", PUB_TEXT),
    O("cds_reason", PUB_TEXT),
    O("unattributed_reason", PUB_TEXT),
    O("mismatch", PUB_BOOL),
    O("practice_pct_code", PUB_TEXT),
    O("consortium_code", PUB_TEXT),
    O("commissioner_code", PUB_TEXT),
    O("admission_method", PUB_TEXT),
    O("patient_classification", PUB_TEXT),
    O("admission_date", PUB_DATE),
    O("discharge_date", PUB_DATE),
    O("first_attendance", PUB_TEXT),
    O("attended_or_dna", PUB_TEXT),
    O("referral_source", PUB_TEXT),
    O("ae_attendance_category", PUB_TEXT),
    O("date_of_birth", PUB_DATE),
    O("cds_unique_id", PUB_TEXT),
    O("episodes", PUB_INT),
    O("source_file", PUB_TEXT),
    O("source_line", PUB_INT),
};

static const PubColumn practice_month[] = {
    RN("practice_code", PUB_TEXT), RN("activity_month", PUB_MONTH), RN("pod", PUB_TEXT),
    RN("units", PUB_INT),          RN("cost_pence", PUB_INT),       RN("practice_pence", PUB_INT),
    RN("risk_pool_pence", PUB_INT),
};

static const PubColumn statements[] = {
    RN("practice_code", PUB_TEXT),     RN("fin_year", PUB_TEXT),
    RN("reporting_month", PUB_MONTH),  RN("annual_budget", PUB_INT),
    RN("budget_ytd", PUB_INT),         RN("spend_ytd", PUB_INT),
    RN("variance_ytd", PUB_INT),       RN("forecast_outturn", PUB_INT),
    RN("forecast_variance", PUB_INT),  RN("freed_up_practice", PUB_INT),
    RN("freed_up_pct", PUB_INT),       RN("risk_pool_ytd", PUB_INT),
    O("practice_name", PUB_TEXT),      O("consortium_code", PUB_TEXT),
    O("units_ytd", PUB_INT),
};

static const PubColumn statement_breakdown[] = {
    RN("practice_code", PUB_TEXT), RN("breakdown", PUB_TEXT),     RN("key", PUB_TEXT),
    RN("units", PUB_INT),          RN("cost_pence", PUB_INT),     RN("practice_pence", PUB_INT),
    RN("risk_pool_pence", PUB_INT),
};

static const PubColumn budgets[] = {
    RN("practice_code", PUB_TEXT),  RN("fin_year", PUB_TEXT),
    RN("historic", PUB_INT),        RN("uplifted_historic", PUB_INT),
    RN("fair_share", PUB_INT),      R("distance_from_target", PUB_NUM),
    RN("budget", PUB_INT),          RN("contingency", PUB_INT),
    RN("annual_budget", PUB_INT),   O("weighted_population", PUB_NUM),
};

static const PubColumn benchmarks[] = {
    RN("practice_code", PUB_TEXT),       RN("measure", PUB_TEXT),
    R("count", PUB_INT),                 R("weighted_population", PUB_NUM),
    R("rate_per_1000", PUB_NUM),         R("pct_count", PUB_INT),
    R("pct_weighted_population", PUB_NUM), R("pct_rate_per_1000", PUB_NUM),
    R("ratio_to_pct", PUB_NUM),
};

static const PubColumn data_quality[] = {
    R("provider_code", PUB_TEXT), R("activity_month", PUB_MONTH), RN("measure", PUB_TEXT),
    R("reason", PUB_TEXT),        RN("count", PUB_INT),
};

static const PubColumn attribution_audit[] = {
    R("provider_code", PUB_TEXT), R("activity_month", PUB_MONTH),
    RN("attribution_method", PUB_TEXT), R("exeter_reason", PUB_TEXT),
    R("cds_reason", PUB_TEXT),    R("unattributed_reason", PUB_TEXT),
    RN("units", PUB_INT),         RN("price_pence", PUB_INT),
};

static const PubColumn attribution_mismatch[] = {
    R("cds_practice_code", PUB_TEXT), R("exeter_practice_code", PUB_TEXT), RN("units", PUB_INT),
};

static const PubColumn out_of_area[] = {
    R("practice_code", PUB_TEXT), R("practice_pct_code", PUB_TEXT), R("provider_code", PUB_TEXT),
    RN("units", PUB_INT),         RN("price_pence", PUB_INT),
};

static const PubColumn rejects[] = {
    R("file", PUB_TEXT),   R("line", PUB_INT),
    R("dataset", PUB_TEXT), RN("reason", PUB_TEXT),
    {"column", "column_name", PUB_TEXT, TRUE, FALSE},
    R("raw_record", PUB_TEXT),
};

static const PubColumn file_reconciliation[] = {
    RN("file", PUB_TEXT),      R("dataset", PUB_TEXT),      RN("read", PUB_INT),
    RN("accepted", PUB_INT),   RN("superseded", PUB_INT),   RN("rejected", PUB_INT),
};

static const PubColumn reconciliation[] = {
    {"check", "check_name", PUB_TEXT, TRUE, TRUE},
    R("scope", PUB_TEXT),
    {"left", "left_value", PUB_INT, TRUE, FALSE},
    {"right", "right_value", PUB_INT, TRUE, FALSE},
    R("difference", PUB_INT),
    RN("status", PUB_TEXT),
};

static const PubColumn pricing_audit[] = {
    R("pod", PUB_TEXT),        RN("price_method", PUB_TEXT), R("provider_code", PUB_TEXT),
    RN("units", PUB_INT),      RN("price_pence", PUB_INT),
};

static const PubColumn unpriced[] = {
    R("fin_year", PUB_TEXT),      R("dataset", PUB_TEXT), R("pod", PUB_TEXT), R("code", PUB_TEXT),
    R("provider_code", PUB_TEXT), RN("units", PUB_INT),
};

static const PubColumn top_hrgs[] = {
    RN("rank", PUB_INT), R("hrg", PUB_TEXT), RN("units", PUB_INT), RN("price_pence", PUB_INT),
};

#define F(name, req, pat) {#name ".csv", #name, req, pat, name, G_N_ELEMENTS(name)}

static const PubTable tables[] = {
    F(priced_activity, TRUE, TRUE),
    F(practice_month, TRUE, FALSE),
    F(statements, TRUE, FALSE),
    F(statement_breakdown, TRUE, FALSE),
    /* budgets.csv only when the run set the budgets (run.ini budgets_source) */
    F(budgets, FALSE, FALSE),
    F(benchmarks, TRUE, FALSE),
    F(data_quality, TRUE, FALSE),
    F(attribution_audit, TRUE, FALSE),
    F(attribution_mismatch, FALSE, FALSE),
    F(out_of_area, FALSE, FALSE),
    F(rejects, TRUE, TRUE),
    F(file_reconciliation, TRUE, FALSE),
    F(reconciliation, TRUE, FALSE),
    F(pricing_audit, FALSE, FALSE),
    F(unpriced, FALSE, FALSE),
    F(top_hrgs, FALSE, FALSE),
};

/*
 * deletions.csv into pbc.load_deletions: part of the load audit, kept per
 * load (not replaced with the month), for the change report (011).
 */
static const PubColumn deletions_cols[] = {
    R("file", PUB_TEXT),          R("line", PUB_INT),        RN("dataset", PUB_TEXT),
    R("cds_unique_id", PUB_TEXT), RN("unit_id", PUB_TEXT),
};
static const PubTable deletions = {"deletions.csv", "load_deletions", FALSE, FALSE,
                                   deletions_cols, G_N_ELEMENTS(deletions_cols)};

/* REF/practices.csv (SPEC §3.2) into the practices dimension. */
static const PubColumn ref_practices_cols[] = {
    RN("practice_code", PUB_TEXT), R("practice_name", PUB_TEXT), R("consortium_code", PUB_TEXT),
    R("pct_code", PUB_TEXT),       O("open_date", PUB_TEXT),     O("close_date", PUB_TEXT),
    O("successor_code", PUB_TEXT),
};
static const PubTable ref_practices = {"practices.csv", "practices", TRUE, FALSE,
                                       ref_practices_cols, G_N_ELEMENTS(ref_practices_cols)};

/* REF/tariff_apc.csv: only the HRG names, for the statements. */
static const PubColumn ref_tariff_apc_cols[] = {
    RN("fin_year", PUB_TEXT), RN("hrg", PUB_TEXT), O("hrg_name", PUB_TEXT),
};
static const PubTable ref_tariff_apc = {"tariff_apc.csv", "hrgs", FALSE, FALSE,
                                        ref_tariff_apc_cols, G_N_ELEMENTS(ref_tariff_apc_cols)};

const PubTable *
pub_tables(guint *n)
{
    *n = G_N_ELEMENTS(tables);
    return tables;
}

const PubTable *
pub_table_for_file(const char *file)
{
    for (guint i = 0; i < G_N_ELEMENTS(tables); i++)
        if (strcmp(tables[i].file, file) == 0)
            return &tables[i];
    return NULL;
}

const PubTable *
pub_deletions_table(void)
{
    return &deletions;
}

const PubTable *
pub_ref_practices(void)
{
    return &ref_practices;
}

const PubTable *
pub_ref_tariff_apc(void)
{
    return &ref_tariff_apc;
}

static gboolean
digits(const char *s, int n)
{
    for (int i = 0; i < n; i++)
        if (!g_ascii_isdigit(s[i]))
            return FALSE;
    return TRUE;
}

gboolean
pub_value_ok(PubType type, const char *v, gint64 *num)
{
    switch (type) {
    case PUB_TEXT:
        return TRUE;
    case PUB_INT: {
        const char *p = v;
        if (*p == '-')
            p++;
        if (!g_ascii_isdigit(*p))
            return FALSE;
        for (const char *q = p; *q; q++)
            if (!g_ascii_isdigit(*q))
                return FALSE;
        errno = 0;
        char *end;
        gint64 x = g_ascii_strtoll(v, &end, 10);
        if (errno != 0 || *end != '\0')
            return FALSE;
        if (num)
            *num = x;
        return TRUE;
    }
    case PUB_NUM: {
        const char *p = v;
        if (*p == '-' || *p == '+')
            p++;
        int before = 0, after = 0;
        while (g_ascii_isdigit(*p)) {
            p++;
            before++;
        }
        if (*p == '.') {
            p++;
            while (g_ascii_isdigit(*p)) {
                p++;
                after++;
            }
        }
        return *p == '\0' && before + after > 0;
    }
    case PUB_DATE: {
        if (strlen(v) != 10 || v[4] != '-' || v[7] != '-' || !digits(v, 4) || !digits(v + 5, 2)
            || !digits(v + 8, 2))
            return FALSE;
        int y = atoi(v), m = atoi(v + 5), d = atoi(v + 8);
        return y >= 1 && m >= 1 && m <= 12 && d >= 1
               && g_date_valid_dmy((GDateDay)d, (GDateMonth)m, (GDateYear)y);
    }
    case PUB_MONTH: {
        if (strlen(v) != 7 || v[4] != '-' || !digits(v, 4) || !digits(v + 5, 2))
            return FALSE;
        int m = atoi(v + 5);
        return atoi(v) >= 1 && m >= 1 && m <= 12;
    }
    case PUB_BOOL:
        return strcmp(v, "0") == 0 || strcmp(v, "1") == 0;
    }
    return FALSE;
}

const char *
pub_type_name(PubType type)
{
    switch (type) {
    case PUB_TEXT: return "text";
    case PUB_INT: return "an integer";
    case PUB_NUM: return "a decimal number";
    case PUB_DATE: return "a date YYYY-MM-DD";
    case PUB_MONTH: return "a month YYYY-MM";
    case PUB_BOOL: return "0 or 1";
    }
    return "?";
}
