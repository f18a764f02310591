/*
 * benchmark.c: R-G4 counts and rates.  Rates are ratios of activity counts,
 * not money, so they are computed in double and printed with fixed decimals.
 */
#include "benchmark.h"

#include <stdio.h>
#include <string.h>

typedef struct {
    char *code;
    int64_t weighted; /* millionths */
    int64_t counts[BM_COUNT];
    int64_t follow_ups;
} PracticeCounts;

struct Benchmarks {
    GHashTable *by_code; /* code -> PracticeCounts (owned) */
    GPtrArray *declared; /* PracticeCounts* in declaration order */
};

static void
pc_free(gpointer p)
{
    PracticeCounts *pc = p;
    g_free(pc->code);
    g_free(pc);
}

const char *
benchmark_measure_name(BenchmarkMeasure m)
{
    static const char *const names[BM_COUNT] = {
        "EL_ADMISSIONS",      "NEL_ADMISSIONS",     "OP_FIRST",        "GP_REFERRALS",
        "CONSULTANT_REFERRALS", "OP_FOLLOW_UP_RATIO", "AE_ATTENDANCES"};
    return names[m];
}

const char *const *
benchmarks_header(void)
{
    static const char *const h[] = {"practice_code",
                                    "measure",
                                    "count",
                                    "weighted_population",
                                    "rate_per_1000",
                                    "pct_count",
                                    "pct_weighted_population",
                                    "pct_rate_per_1000",
                                    "ratio_to_pct",
                                    NULL};
    return h;
}

Benchmarks *
benchmarks_new(void)
{
    Benchmarks *b = g_new0(Benchmarks, 1);
    b->by_code = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, pc_free);
    b->declared = g_ptr_array_new();
    return b;
}

void
benchmarks_free(Benchmarks *b)
{
    if (b == NULL)
        return;
    g_ptr_array_free(b->declared, TRUE);
    g_hash_table_destroy(b->by_code);
    g_free(b);
}

static PracticeCounts *
get(Benchmarks *b, const char *code)
{
    PracticeCounts *pc = g_hash_table_lookup(b->by_code, code);
    if (pc == NULL) {
        pc = g_new0(PracticeCounts, 1);
        pc->code = g_strdup(code);
        g_hash_table_insert(b->by_code, pc->code, pc);
    }
    return pc;
}

void
benchmarks_practice(Benchmarks *b, const char *practice, int64_t weighted_micro)
{
    PracticeCounts *pc = get(b, practice);
    pc->weighted = weighted_micro;
    g_ptr_array_add(b->declared, pc);
}

static gboolean
eq(const char *a, const char *b)
{
    return a && strcmp(a, b) == 0;
}

void
benchmarks_add(Benchmarks *b, const Unit *u)
{
    PracticeCounts *pc = get(b, u->practice_code);
    const char *pod = u->pod ? u->pod : "";
    if (eq(pod, "EL") || eq(pod, "DC"))
        pc->counts[BM_EL_ADMISSIONS]++;
    else if (eq(pod, "NEL"))
        pc->counts[BM_NEL_ADMISSIONS]++;
    else if (eq(pod, "AE"))
        pc->counts[BM_AE_ATTENDANCES]++;
    if (u->dataset != DS_OP)
        return;
    if (eq(u->first_attendance, "1") || eq(u->first_attendance, "3")) {
        pc->counts[BM_OP_FIRST]++;
        if (eq(u->referral_source, "03"))
            pc->counts[BM_GP_REFERRALS]++;
        else if (eq(u->referral_source, "05"))
            pc->counts[BM_CONSULTANT_REFERRALS]++;
    } else if (eq(u->first_attendance, "2") || eq(u->first_attendance, "4")) {
        pc->follow_ups++;
    }
}

/* count for the measure's "count" column; the ratio measure counts follow-ups */
static int64_t
count_of(const PracticeCounts *pc, int m)
{
    return m == BM_OP_FOLLOW_UP_RATIO ? pc->follow_ups : pc->counts[m];
}

/* rate: per 1,000 weighted population, or follow-ups per first */
static gboolean
rate_of(int m, int64_t count, int64_t firsts, int64_t weighted, double *rate)
{
    if (m == BM_OP_FOLLOW_UP_RATIO) {
        if (firsts == 0)
            return FALSE;
        *rate = (double)count / (double)firsts;
        return TRUE;
    }
    if (weighted == 0)
        return FALSE;
    *rate = (double)count * 1000.0 * 1e6 / (double)weighted;
    return TRUE;
}

static void
out_double(CsvOut *out, gboolean ok, double v, int places)
{
    char buf[64];
    if (!ok) {
        csv_out_blank(out);
        return;
    }
    snprintf(buf, sizeof buf, "%.*f", places, v);
    csv_out_str(out, buf);
}

static void
out_micro(CsvOut *out, int64_t v)
{
    char buf[64];
    if (v % 1000000 == 0)
        snprintf(buf, sizeof buf, "%" G_GINT64_FORMAT, v / 1000000);
    else
        snprintf(buf, sizeof buf, "%.6f", (double)v / 1e6);
    csv_out_str(out, buf);
}

static gint
cmp_code(gconstpointer a, gconstpointer b)
{
    return strcmp((*(PracticeCounts *const *)a)->code, (*(PracticeCounts *const *)b)->code);
}

void
benchmarks_write(const Benchmarks *b, CsvOut *out)
{
    int64_t pct[BM_COUNT] = {0}, pct_fu = 0, pct_w = 0;
    g_autoptr(GPtrArray) sorted = g_ptr_array_copy(b->declared, NULL, NULL);
    g_ptr_array_sort(sorted, cmp_code);
    for (guint i = 0; i < sorted->len; i++) {
        const PracticeCounts *pc = g_ptr_array_index(sorted, i);
        for (int m = 0; m < BM_COUNT; m++)
            pct[m] += pc->counts[m];
        pct_fu += pc->follow_ups;
        pct_w += pc->weighted;
    }
    PracticeCounts pctc = {.weighted = pct_w, .follow_ups = pct_fu};
    memcpy(pctc.counts, pct, sizeof pct);
    for (guint i = 0; i < sorted->len; i++) {
        const PracticeCounts *pc = g_ptr_array_index(sorted, i);
        for (int m = 0; m < BM_COUNT; m++) {
            int64_t c = count_of(pc, m), pcount = count_of(&pctc, m);
            double r = 0, pr = 0;
            gboolean rok = rate_of(m, c, pc->counts[BM_OP_FIRST], pc->weighted, &r);
            gboolean prok = rate_of(m, pcount, pctc.counts[BM_OP_FIRST], pct_w, &pr);
            csv_out_str(out, pc->code);
            csv_out_str(out, benchmark_measure_name((BenchmarkMeasure)m));
            csv_out_int(out, c);
            out_micro(out, pc->weighted);
            out_double(out, rok, r, 3);
            csv_out_int(out, pcount);
            out_micro(out, pct_w);
            out_double(out, prok, pr, 3);
            out_double(out, rok && prok && pr != 0, pr != 0 ? r / pr : 0, 6);
            csv_out_end(out);
        }
    }
}
