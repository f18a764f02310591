/*
 * ae.c: A&E attendance extracts (SPEC §3.1), one row per attendance.
 *
 * Like op.c: an attendance is identified by (provider, month, number) and
 * filed in the month of arrival, late ones in the next month's file or the
 * month's re-sent file.  Categories 1 (first), 2 (planned follow-up) and 3
 * (unplanned follow-up); HRGs VB01Z..VB11Z, a few VB99Z (local price
 * only) and a few blank (UNPRICED).
 */
#include "activity.h"

#include "tariff.h"

#include <stddef.h>
#include <string.h>

static const char *const ae_cols[] = {
    "cds_unique_id", "cds_update_type", "cds_applicable_datetime", "provider_code",
    "commissioner_code", "nhs_number", "date_of_birth", "sex", "postcode",
    "gp_practice_code", "attendance_id", "arrival_date", "ae_attendance_category",
    "ae_hrg",
};
enum { E_ID = C_COMMON_N, E_DATE, E_CAT, E_HRG, E_N };

#define REJECT_KINDS 6

static const char *const categories[] = { "1", "2", "3" };
static const int category_w[] = { 900, 40, 60 };
/* Weights of VB01Z .. VB11Z, VB99Z (tariff_ae_hrgs order), then blank. */
static const int hrg_w[] = { 10, 20, 40, 30, 20, 60, 120, 220, 280, 120, 60, 7, 20 };

typedef struct {
    int provider, month;
    gint64 k;
    guint64 h;
    CdsPerson cp;
    Day date;
    const char *category, *hrg;
    char att_id[24];
    char id[40];
} Arrival;

static void
make(const World *w, int p, int mi, gint64 k, void *rec)
{
    Arrival *a = rec;
    memset(a, 0, sizeof *a);
    Rng r;
    rng_init(&r, rng_key(w->seed, RNG_TAG_AE, (guint64) p, (guint64) mi, (guint64) k));
    a->provider = p;
    a->month = mi;
    a->k = k;
    a->h = rng_next(&r);
    a->date = cal_month_first(mi) + (Day) rng_below(&r, (guint64) cal_month_days(mi));
    Patient pt;
    cds_draw_patient(w, &r, p, &pt);
    cds_person(w, &r, &pt, a->date, &a->cp);
    a->category = categories[rng_weighted(&r, category_w, 3)];
    int hi = rng_weighted(&r, hrg_w, G_N_ELEMENTS(hrg_w));
    a->hrg = hi < tariff_n_ae_hrgs ? tariff_ae_hrgs[hi] : "";
    int y, m;
    cal_ymd(cal_month_first(mi), &y, &m, NULL);
    g_snprintf(a->att_id, sizeof a->att_id, "A%02d%02d%07" G_GINT64_FORMAT, y % 100, m, k);
    g_snprintf(a->id, sizeof a->id, "%sAE%s", w->providers[p].code, a->att_id);
}

static void
put_row(Sheet *sh, const Extract *ex, const Arrival *a, int update, Day td,
        int ts, gboolean modified)
{
    cds_put_common(sh, ex, a->id, update, td, ts, &a->cp);
    sheet_set(sh, E_ID, a->att_id);
    sheet_set_date(sh, E_DATE, a->date);
    sheet_set(sh, E_CAT, a->category);
    /* The correction re-codes the HRG one step up. */
    sheet_set(sh, E_HRG, modified ? (strcmp(a->hrg, "VB07Z") ? "VB07Z" : "VB06Z") : a->hrg);
}

static gboolean
put_reject(const Extract *ex, int kind, int made, ActivityStats *st, GError **err)
{
    const World *w = ex->w;
    Arrival a;
    make(w, ex->provider, ex->month, G_GINT64_CONSTANT(90000000) + made, &a);
    g_snprintf(a.att_id, sizeof a.att_id, "X%07d", made);
    g_snprintf(a.id, sizeof a.id, "X%sAE%06d", w->providers[ex->provider].code, made);
    Day td;
    int ts;
    cds_time(w, ex->month, 1, a.h, &td, &ts);
    Sheet *sh = ex->v1;
    put_row(sh, ex, &a, 9, td, ts, FALSE);
    int delta = 0, y;
    cal_ymd(a.date, &y, NULL, NULL);
    if (y % 4 == 0)
        y++;      /* 29 February of a year that has none */
    switch (kind) {
    case 0: delta = -2; break;
    case 1: sheet_set(sh, E_CAT, "4"); break;
    case 2: sheet_set(sh, E_ID, ""); break;
    case 3: sheet_set_bad_date(sh, E_DATE, y, 2, 29); break;
    case 4: sheet_set(sh, C_CDS_UPDATE_TYPE, "2"); break;
    case 5:
    default: sheet_set(sh, C_PROVIDER_CODE, "RH"); break;
    }
    st->rejects[DS_AE]++;
    st->rows[DS_AE]++;
    return sheet_end_row(sh, delta, err);
}

static gboolean
emit(Extract *ex, Sheet *sh, const void *rec, int update, Day td, int ts,
     gboolean modified, RejectPlan *plan, ActivityStats *st, GError **err)
{
    const Arrival *a = rec;
    put_row(sh, ex, a, update, td, ts, modified);
    if (!sheet_end_row(sh, 0, err))
        return FALSE;
    st->rows[DS_AE]++;
    if (sh == ex->v1) {
        int kind = cds_reject_due(plan, DS_AE, REJECT_KINDS);
        if (kind >= 0 && !put_reject(ex, kind, plan->made[DS_AE], st, err))
            return FALSE;
    }
    return TRUE;
}

gboolean
ae_write(const World *w, int p, const char *in_dir, RejectPlan *plan,
         ActivityStats *st, GError **err)
{
    static const RowKind kind = {DS_AE, RNG_TAG_AE, ae_cols, E_N, sizeof(Arrival),
                                 offsetof(Arrival, h), make, emit};
    return rows_write(w, &kind, p, in_dir, plan, st, err);
}
