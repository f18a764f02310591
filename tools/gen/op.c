/*
 * op.c: outpatient attendance extracts (SPEC §3.1), one row per
 * appointment.
 *
 * An attendance is identified by (provider, month, number) and filed in
 * the month of its appointment, late ones in the next month's file or the
 * month's re-sent file (cds.h).  The mix covers every attendance type and
 * outcome (R-P1, R-P4: outcomes 2, 3, 4, 7 and 0 are not chargeable),
 * telephone attendances (OPTEL, local prices), outpatient procedures with
 * and without a procedure tariff, referral sources 03 (GP) and 05
 * (consultant) for the benchmarks of R-G4, and others.
 */
#include "activity.h"

#include "tariff.h"

#include <stddef.h>
#include <string.h>

static const char *const op_cols[] = {
    "cds_unique_id", "cds_update_type", "cds_applicable_datetime", "provider_code",
    "commissioner_code", "nhs_number", "date_of_birth", "sex", "postcode",
    "gp_practice_code", "attendance_id", "appointment_date", "first_attendance",
    "attended_or_dna", "treatment_function_code", "referral_source", "op_hrg",
};
enum { O_ID = C_COMMON_N, O_DATE, O_FIRST, O_OUTCOME, O_TF, O_REFSRC, O_HRG, O_N };

#define REJECT_KINDS 8

/* Relative volume of the tariff_op_tfs specialties, in their order:
 * orthopaedics and ophthalmology busiest; 503 and 370 (PCT-held) rare. */
static const int tf_w[] = { 8, 5, 12, 7, 10, 9, 5, 7, 6, 4, 4, 4, 6, 7, 1, 2 };

static const char *const firsts[] = { "1", "2", "3", "4" };
static const int first_w[] = { 300, 620, 30, 50 };
static const char *const outcomes[] = { "5", "6", "7", "2", "3", "4", "0" };
static const int outcome_w[] = { 820, 30, 10, 40, 60, 35, 5 };
static const char *const sources[] = { "03", "05", "01", "02", "04", "10", "11", "12",
                                       "13", "14", "15", "16", "17", "92", "93", "97", "" };
static const int source_w[] = { 550, 150, 50, 10, 60, 30, 20, 20, 20, 20, 30, 10, 10,
                                20, 5, 10, 30 };

typedef struct {
    int provider, month;
    gint64 k;
    guint64 h;
    CdsPerson cp;
    Day date;
    const char *first, *outcome, *tf, *source, *hrg;
    char att_id[24];
    char id[40];
} Attendance;

G_STATIC_ASSERT(G_N_ELEMENTS(tf_w) == 16);

static void
make(const World *w, int p, int mi, gint64 k, void *rec)
{
    Attendance *a = rec;
    memset(a, 0, sizeof *a);
    Rng r;
    rng_init(&r, rng_key(w->seed, RNG_TAG_OP, (guint64) p, (guint64) mi, (guint64) k));
    a->provider = p;
    a->month = mi;
    a->k = k;
    a->h = rng_next(&r);
    /* Clinics run on weekdays. */
    Day first = cal_month_first(mi);
    a->date = first + (Day) rng_below(&r, (guint64) cal_month_days(mi));
    int wd = (a->date + 4) % 7;
    if (wd == 0 || wd == 6)
        a->date += a->date + 2 <= cal_month_last(mi) ? 2 : -2;
    Patient pt;
    cds_draw_patient(w, &r, p, &pt);
    cds_person(w, &r, &pt, a->date, &a->cp);
    a->first = firsts[rng_weighted(&r, first_w, 4)];
    a->outcome = outcomes[rng_weighted(&r, outcome_w, G_N_ELEMENTS(outcome_w))];
    if (rng_chance(&r, 0.015))
        a->tf = tariff_op_unlisted_tfs[rng_below(&r, (guint64) tariff_n_op_unlisted_tfs)];
    else
        a->tf = tariff_op_tfs[rng_weighted(&r, tf_w, tariff_n_op_tfs)];
    gboolean is_first = a->first[0] == '1' || a->first[0] == '3';
    a->source = is_first || rng_chance(&r, 0.4)
        ? sources[rng_weighted(&r, source_w, G_N_ELEMENTS(source_w))] : "";
    double u = rng_unit(&r);
    if (u < 0.06)
        a->hrg = tariff_op_proc_hrg(w, (int) rng_below(&r, (guint64) tariff_n_op_proc(w)));
    else if (u < 0.07)
        a->hrg = w->hrgs[rng_below(&r, (guint64) w->n_hrgs)].code; /* no OP price */
    else
        a->hrg = "";
    int y, m;
    cal_ymd(first, &y, &m, NULL);
    g_snprintf(a->att_id, sizeof a->att_id, "%02d%02d%08" G_GINT64_FORMAT, y % 100, m, k);
    g_snprintf(a->id, sizeof a->id, "%sOP%s", w->providers[p].code, a->att_id);
}

static void
put_row(Sheet *sh, const Extract *ex, const Attendance *a, int update, Day td,
        int ts, gboolean modified)
{
    CdsPerson cp = a->cp;
    const char *outcome = a->outcome;
    if (modified) {
        /* The correction: the outcome, and the GP as Exeter has it. */
        outcome = strcmp(outcome, "5") ? "5" : "6";
        int ri = patient_reg_at(&cp.pt, a->date);
        if (ri >= 0 && a->h % 2)
            g_strlcpy(cp.gp, ex->w->practices[cp.pt.reg[ri].practice].code, sizeof cp.gp);
    }
    cds_put_common(sh, ex, a->id, update, td, ts, &cp);
    sheet_set(sh, O_ID, a->att_id);
    sheet_set_date(sh, O_DATE, a->date);
    sheet_set(sh, O_FIRST, a->first);
    sheet_set(sh, O_OUTCOME, outcome);
    sheet_set(sh, O_TF, a->tf);
    sheet_set(sh, O_REFSRC, a->source);
    sheet_set(sh, O_HRG, a->hrg);
}

static gboolean
put_reject(const Extract *ex, int kind, int made, ActivityStats *st, GError **err)
{
    const World *w = ex->w;
    Attendance a;
    make(w, ex->provider, ex->month, G_GINT64_CONSTANT(90000000) + made, &a);
    g_snprintf(a.att_id, sizeof a.att_id, "X%07d", made);
    g_snprintf(a.id, sizeof a.id, "X%sOP%06d", w->providers[ex->provider].code, made);
    Day td;
    int ts;
    cds_time(w, ex->month, 1, a.h, &td, &ts);
    Sheet *sh = ex->v1;
    put_row(sh, ex, &a, 9, td, ts, FALSE);
    int delta = 0, y;
    cal_ymd(a.date, &y, NULL, NULL);
    switch (kind) {
    case 0: {
        g_autofree char *lower = g_ascii_strdown(w->providers[ex->provider].code, -1);
        sheet_set(sh, C_PROVIDER_CODE, lower);
        break;
    }
    case 1: sheet_set(sh, O_TF, "10"); break;
    case 2: sheet_set(sh, O_DATE, ""); break;
    case 3: sheet_set(sh, O_OUTCOME, "8"); break;
    case 4: sheet_set(sh, O_FIRST, "5"); break;
    case 5: delta = 1; break;
    case 6: sheet_set_bad_date(sh, O_DATE, y, 4, 31); break;
    case 7:
    default: sheet_set(sh, C_SEX, "3"); break;
    }
    st->rejects[DS_OP]++;
    st->rows[DS_OP]++;
    return sheet_end_row(sh, delta, err);
}

static gboolean
emit(Extract *ex, Sheet *sh, const void *rec, int update, Day td, int ts,
     gboolean modified, RejectPlan *plan, ActivityStats *st, GError **err)
{
    const Attendance *a = rec;
    put_row(sh, ex, a, update, td, ts, modified);
    if (!sheet_end_row(sh, 0, err))
        return FALSE;
    st->rows[DS_OP]++;
    if (sh == ex->v1) {
        int kind = cds_reject_due(plan, DS_OP, REJECT_KINDS);
        if (kind >= 0 && !put_reject(ex, kind, plan->made[DS_OP], st, err))
            return FALSE;
    }
    return TRUE;
}

gboolean
op_write(const World *w, int p, const char *in_dir, RejectPlan *plan,
         ActivityStats *st, GError **err)
{
    static const RowKind kind = {DS_OP, RNG_TAG_OP, op_cols, O_N, sizeof(Attendance),
                                 offsetof(Attendance, h), make, emit};
    return rows_write(w, &kind, p, in_dir, plan, st, err);
}
