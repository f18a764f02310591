/*
 * cds.c: the parts of the CDS extracts common to APC, OP and A&E (see
 * cds.h).
 */
#include "cds.h"

#include "rng.h"

#include <string.h>

/* Reject-row kinds per dataset; apc.c, op.c and ae.c make this many. */
static const int reject_kinds[DS_N] = { 8, 8, 6 };
/* The first three kinds of each dataset, which the sample is sure to
 * make, are: APC discharge before admission, impossible date, bad
 * admission method; OP lower-case provider, two-digit treatment function,
 * blank appointment date; A&E wrong field count, bad category, blank
 * attendance_id. */

static const char *const ds_names[DS_N] = { "apc", "op", "ae" };

const char *
cds_name(Dataset ds)
{
    return ds_names[ds];
}

gboolean
cds_resent(const World *w, Dataset ds, int provider, int month)
{
    if (month == w->period)
        return TRUE;
    guint64 h = rng_key(w->seed, RNG_TAG_VERSION, (guint64) ds, (guint64) provider,
                        (guint64) month);
    return h % 100 < 22;
}

gint64
cds_volume(const World *w, Dataset ds, int provider, int mi)
{
    gint64 pm = ds == DS_APC ? w->spells_pm : ds == DS_OP ? w->op_pm : w->ae_pm;
    gint64 total = pm * world_season(mi) / 1000;
    gint64 sum = 0, before = 0;
    for (int j = 0; j < w->n_providers; j++) {
        if (j < provider)
            before += w->providers[j].weight;
        sum += w->providers[j].weight;
    }
    gint64 lo = (gint64) ((__int128) total * before / sum);
    gint64 hi = (gint64) ((__int128) total * (before + w->providers[provider].weight) / sum);
    return hi - lo;
}

Fate
cds_fate(const World *w, Dataset ds, int provider, int mi, guint64 h)
{
    /* Use bits of the record hash the record itself does not use. */
    guint64 u = rng_mix(h ^ G_GUINT64_CONSTANT(0x5ca1ab1e)) % 10000;
    if (u < 120)
        return FATE_LATE;
    if (!cds_resent(w, ds, provider, mi))
        return FATE_KEEP;
    if (u < 420)
        return FATE_REPLACE;
    if (u < 520)
        return FATE_DELETE;
    if (u < 570)
        return ds == DS_APC ? FATE_DELETE_ONE : FATE_DELETE;
    if (u < 610)
        return FATE_TIE;
    if (u < 640)
        return FATE_STALE;
    return FATE_KEEP;
}

void
cds_time(const World *w, int mi, int version, guint64 h, Day *day, int *secs)
{
    (void) w;
    guint64 x = rng_mix(h ^ G_GUINT64_CONSTANT(0x7157));
    *day = cal_month_first(mi + version) + 2 + (Day) (x % 10);
    /* Mostly office hours; a few written as a date alone (00:00:00). */
    *secs = x / 10 % 100 < 3 ? 0 : 7 * 3600 + (int) (x / 1000 % (12 * 3600));
}

/* The look of one activity file: every quirk of SPEC §3 in some file. */
static SheetStyle
activity_style(const World *w, guint64 key, guint64 rows_hint, gboolean *plain)
{
    SheetStyle st = { .gzip = TRUE, .level = w->cfg->gzip_level };
    *plain = FALSE;
    if (!w->cfg->quirks)
        return st;
    Rng r;
    rng_init(&r, key);
    if (w->cfg->plain_some && rng_below(&r, 8) == 0) {
        st.gzip = FALSE;
        *plain = TRUE;
    }
    if (rng_below(&r, 3) == 0)
        st.member_rows = rows_hint / 3 + 1;
    st.bom = rng_below(&r, 4) == 0;
    st.crlf = rng_below(&r, 3) == 0;
    st.shuffle = rng_below(&r, 2) == 0;
    int hc = (int) rng_below(&r, 10);
    st.header_case = hc < 6 ? 0 : hc < 8 ? 1 : 2;
    st.header_pad = rng_below(&r, 4) == 0;
    int ds = (int) rng_below(&r, 10);
    st.date_style = ds < 5 ? CAL_ISO : ds < 8 ? CAL_UK : CAL_COMPACT;
    st.mixed_dates = rng_below(&r, 5) == 0;
    st.quote_p = rng_below(&r, 4) == 0 ? 0.03 : 0;
    st.pad_p = rng_below(&r, 5) == 0 ? 0.01 : 0;
    st.date_only_p = rng_below(&r, 3) == 0 ? 0.5 : 0;
    st.extra_col = rng_below(&r, 4) == 0 ? "provider_notes" : NULL;
    st.blank_line_p = rng_below(&r, 6) == 0 ? 0.003 : 0;
    return st;
}

static Sheet *
open_version(const Extract *ex, const char *in_dir, int version,
             const char *const *cols, int ncols, guint64 rows_hint, GError **err)
{
    const World *w = ex->w;
    guint64 key = rng_key(w->seed, RNG_TAG_FILE, (guint64) ex->ds * 16 + (guint64) version,
                          (guint64) ex->provider, (guint64) ex->month);
    gboolean plain;
    SheetStyle st = activity_style(w, key, rows_hint, &plain);
    char month[16];
    cal_month_name(month, ex->month);
    g_autofree char *path = g_strdup_printf("%s/%s_%s_%s%s.csv%s", in_dir,
                                            cds_name(ex->ds),
                                            w->providers[ex->provider].code, month,
                                            version == 2 ? "_v2" : "",
                                            plain ? "" : ".gz");
    return sheet_open(path, cols, ncols, &st, key, err);
}

Extract *
cds_extract_open(const World *w, Dataset ds, int provider, int month,
                 const char *in_dir, const char *const *cols, int ncols,
                 guint64 rows_hint, GError **err)
{
    Extract *ex = g_new0(Extract, 1);
    ex->w = w;
    ex->ds = ds;
    ex->provider = provider;
    ex->month = month;
    ex->resent = cds_resent(w, ds, provider, month);
    ex->key = rng_key(w->seed, RNG_TAG_FILE, (guint64) ds, (guint64) provider,
                      (guint64) month);
    ex->v1 = open_version(ex, in_dir, 1, cols, ncols, rows_hint, err);
    if (!ex->v1) {
        g_free(ex);
        return NULL;
    }
    if (ex->resent) {
        ex->v2 = open_version(ex, in_dir, 2, cols, ncols, rows_hint / 10 + 1, err);
        if (!ex->v2) {
            sheet_abort(ex->v1);
            g_free(ex);
            return NULL;
        }
    }
    return ex;
}

gboolean
cds_extract_close(Extract *ex, guint64 *files, GError **err)
{
    if (!ex)
        return TRUE;
    gboolean ok = sheet_close(ex->v1, err);
    if (ok)
        (*files)++;
    if (ex->v2 && ok && sheet_rows(ex->v2) == 0 && ex->month != ex->w->period) {
        /* Nothing changed: no re-submission after all.  (The flex month
         * is re-sent even then, header only.) */
        sheet_abort(ex->v2);
    } else if (ex->v2) {
        if (ok && (ok = sheet_close(ex->v2, err)))
            (*files)++;
        else if (!ok)
            sheet_abort(ex->v2);
    }
    g_free(ex);
    return ok;
}

void
cds_extract_abort(Extract *ex)
{
    if (!ex)
        return;
    sheet_abort(ex->v1);
    sheet_abort(ex->v2);
    g_free(ex);
}

/* Relative activity by age (per mille): the very young and the old use
 * hospitals most. */
static int
age_weight(int age)
{
    if (age < 5)
        return 700;
    if (age < 16)
        return 300;
    if (age < 45)
        return 450;
    if (age < 65)
        return 700;
    return 1000;
}

gint64
cds_draw_patient(const World *w, Rng *r, int provider, Patient *out)
{
    const Provider *pv = &w->providers[provider];
    gint64 idx = 0;
    for (int attempt = 0; attempt < 3; attempt++) {
        gint64 lo, hi;
        double u = rng_unit(r);
        if (pv->home_hi - pv->home_lo == 1 && pv->home_lo == 0 && w->n_pcts > 1
            && w->cfg->run_practices > 0) {
            /* One-PCT scales: the neighbours' patients are ~8% of the
             * activity, billed out of area (R-A6). */
            if (u < 0.92) {
                lo = w->pcts[0].first_patient;
                hi = lo + w->pcts[0].n_patients;
            } else {
                lo = w->pcts[1].first_patient;
                hi = w->n_patients;
            }
        } else {
            int plo = pv->home_lo, phi = pv->home_hi;
            if (u >= 0.85 && u < 0.97) {
                plo = MAX(0, plo - 3);
                phi = MIN(w->n_pcts, phi + 3);
            } else if (u >= 0.97) {
                plo = 0;
                phi = w->n_pcts;
            }
            lo = w->pcts[plo].first_patient;
            hi = w->pcts[phi - 1].first_patient + w->pcts[phi - 1].n_patients;
        }
        idx = lo + (gint64) rng_below(r, (guint64) (hi - lo));
        /* Favour the old: accept with the age weight. */
        patient_get(w, idx, out);
        int age = cal_age(out->dob, w->window_end);
        if ((int) rng_below(r, 1000) < age_weight(age))
            break;
    }
    return idx;
}

void
cds_person(const World *w, Rng *r, const Patient *patient, Day date, CdsPerson *cp)
{
    memset(cp, 0, sizeof *cp);
    cp->pt = *patient;
    const Patient *pt = &cp->pt;

    /* NHS number: blank, invalid, valid but never registered, or right. */
    double u = rng_unit(r);
    if (u < 0.012)
        cp->nhs[0] = '\0';
    else if (u < 0.020)
        nhsno_corrupt(cp->nhs, pt->nhs, rng_next(r));
    else if (u < 0.024)
        nhsno_unregistered(cp->nhs, rng_next(r));
    else
        memcpy(cp->nhs, pt->nhs, NHSNO_BUF);

    cp->dob_blank = rng_chance(r, 0.01);
    u = rng_unit(r);
    cp->sex[0] = u < 0.008 ? '9' : u < 0.011 ? '0' : (char) ('0' + pt->sex);

    if (rng_chance(r, 0.02))
        cp->postcode[0] = '\0';
    else
        patient_postcode(w, pt, cp->postcode);

    /* The practice the hospital knows: Exeter's on the date, or the
     * nearest registration, or the list the patient was born into. */
    int ri = patient_reg_at(pt, date);
    if (ri < 0)
        ri = patient_reg_near(pt, date, 365);
    int known = ri >= 0 ? pt->reg[ri].practice : pt->home;
    int recorded = known;
    u = rng_unit(r);
    if (u < 0.04) {
        /* Out of date: a previous registration of the patient. */
        for (int i = 0; i < pt->nreg; i++)
            if (i != ri && pt->reg[i].practice != known) {
                recorded = pt->reg[i].practice;
                break;
            }
    }
    if (u >= 0.04 && u < 0.055) {
        cp->gp[0] = '\0';
    } else if (u >= 0.055 && u < 0.07) {
        static const char *const pseudo[] = { "V81997", "V81998", "V81999" };
        g_strlcpy(cp->gp, pseudo[rng_below(r, 3)], sizeof cp->gp);
    } else if (u >= 0.07 && u < 0.08) {
        /* Any practice of the country (mostly another PCT's). */
        recorded = (int) rng_below(r, (guint64) w->n_practices);
        g_strlcpy(cp->gp, w->practices[recorded].code, sizeof cp->gp);
    } else if (u >= 0.08 && u < 0.085) {
        /* Malformed: an unknown practice, not a reject (R-I2). */
        static const char *const bad[] = { "G8500", "l81003", "123456", "X9999Z",
                                           "W91016" };
        g_strlcpy(cp->gp, bad[rng_below(r, G_N_ELEMENTS(bad))], sizeof cp->gp);
    } else {
        g_strlcpy(cp->gp, w->practices[recorded].code, sizeof cp->gp);
    }

    /* Commissioner: the PCT of the practice, sometimes blank or wrong. */
    u = rng_unit(r);
    int pct = w->practices[recorded].pct;
    if (u < 0.03)
        cp->commissioner[0] = '\0';
    else if (u < 0.04)
        g_strlcpy(cp->commissioner, w->pcts[rng_below(r, (guint64) w->n_pcts)].code,
                  sizeof cp->commissioner);
    else
        g_strlcpy(cp->commissioner, w->pcts[pct].code, sizeof cp->commissioner);
}

void
cds_put_common(Sheet *sh, const Extract *ex, const char *unique_id,
               int update_type, Day t_day, int t_secs, const CdsPerson *cp)
{
    sheet_set(sh, C_CDS_UNIQUE_ID, unique_id);
    sheet_set_int(sh, C_CDS_UPDATE_TYPE, update_type);
    sheet_set_datetime(sh, C_CDS_APPLICABLE_DATETIME, t_day, t_secs);
    sheet_set(sh, C_PROVIDER_CODE, ex->w->providers[ex->provider].code);
    sheet_set(sh, C_COMMISSIONER_CODE, cp->commissioner);
    sheet_set(sh, C_NHS_NUMBER, cp->nhs);
    if (!cp->dob_blank)
        sheet_set_date(sh, C_DATE_OF_BIRTH, cp->pt.dob);
    sheet_set(sh, C_SEX, cp->sex);
    sheet_set(sh, C_POSTCODE, cp->postcode);
    sheet_set(sh, C_GP_PRACTICE_CODE, cp->gp);
}

void
cds_reject_plan_init(RejectPlan *plan, const World *w)
{
    memset(plan, 0, sizeof *plan);
    int months = w->period - w->first_month + 1;
    gint64 expect[DS_N] = { w->spells_pm * months * 5 / 4, w->op_pm * months,
                            w->ae_pm * months };
    for (int d = 0; d < DS_N; d++) {
        if (!w->cfg->rejects) {
            plan->every[d] = G_MAXUINT64;
        } else if (w->cfg->reject_every > 0) {
            plan->every[d] = (guint64) w->cfg->reject_every;
        } else {
            /* Small scales: three or four per dataset, whose kinds between
             * them cover every reason of R-I2 (the kinds are ordered so). */
            plan->every[d] = (guint64) MAX(20, expect[d] / 4);
        }
        plan->next_at[d] = plan->every[d] == G_MAXUINT64 ? G_MAXUINT64
                                                          : plan->every[d] / 2;
    }
}

int
cds_reject_due(RejectPlan *plan, Dataset ds, int nkinds)
{
    g_assert(nkinds == reject_kinds[ds]);
    plan->rows[ds]++;
    if (plan->rows[ds] < plan->next_at[ds])
        return -1;
    /* Jitter the spacing a little so rejects do not line up. */
    guint64 e = plan->every[ds];
    plan->next_at[ds] += e - e / 4 + rng_mix(plan->rows[ds]) % (e / 2 + 1);
    return plan->made[ds]++ % nkinds;
}
