/*
 * apc.c: admitted patient care extracts (SPEC §3.1, R-I4), one row per
 * consultant episode.
 *
 * A spell is identified by (provider, admission month, number) and its
 * skeleton (admission date, method, length of stay) is cheap to derive, so
 * the file of month M is made by walking the spells admitted in the six
 * months up to M and writing:
 *   - those discharged in M (finished), with their fates (cds.h);
 *   - those admitted in M and still in hospital at its end, as an
 *     unfinished version (blank discharge date, the episodes begun so
 *     far); the finished version replaces it months later, by the same
 *     cds_unique_ids with a later cds_applicable_datetime, unless the
 *     patient is still in at the end of the window;
 *   - late spells of month M - 1 when that month was not re-sent.
 * Spells admitted before 1 April and discharged after it cross the
 * financial year.  Lengths of stay are capped at 150 days (< 6 months).
 */
#include "activity.h"

#include "tariff.h"

#include <math.h>
#include <string.h>

static const char *const apc_cols[] = {
    "cds_unique_id", "cds_update_type", "cds_applicable_datetime", "provider_code",
    "commissioner_code", "nhs_number", "date_of_birth", "sex", "postcode",
    "gp_practice_code", "hospital_spell_no", "episode_no", "admission_method",
    "patient_classification", "admission_date", "discharge_date",
    "episode_start_date", "episode_end_date", "treatment_function_code",
    "primary_diagnosis", "primary_procedure", "spell_hrg",
};
enum {
    A_SPELL = C_COMMON_N, A_EPISODE, A_METHOD, A_CLASS, A_ADMIT, A_DISCH,
    A_EP_START, A_EP_END, A_TF, A_DIAG, A_PROC, A_HRG, A_N
};

#define MAX_LOS 150
#define LOOKBACK_MONTHS 6
#define MAXEP 6
#define REJECT_KINDS 8

/* Kinds of admission, with their share of spells (per mille). */
typedef enum { CAT_EL, CAT_DC, CAT_EM, CAT_MAT, CAT_OTH, CAT_REG, CAT_N } Cat;
static const int cat_w[CAT_N] = { 220, 330, 350, 60, 15, 25 };

/* Admission methods (NHS Data Dictionary) and their weights per kind. */
static const char *const el_methods[] = { "11", "12", "13" };
static const int el_w[] = { 60, 30, 10 };
static const char *const em_methods[] = { "21", "22", "23", "24", "25", "26",
                                          "27", "28", "2A", "2B", "2C", "2D" };
static const int em_w[] = { 560, 140, 30, 30, 20, 20, 20, 80, 40, 30, 20, 10 };
static const char *const mat_methods[] = { "31", "32" };
static const int mat_w[] = { 70, 30 };
static const char *const oth_methods[] = { "81", "82", "83", "84" };
static const int oth_w[] = { 25, 45, 20, 10 };

/* Treatment functions by kind of admission. */
static const char *const el_tfs[] = { "100", "101", "110", "120", "130", "502",
                                      "503", "330", "301", "320" };
static const char *const em_tfs[] = { "300", "301", "320", "340", "100", "110",
                                      "420", "400", "410", "300" };
static const char *const mat_tfs[] = { "501", "501", "560" };
static const char *const oth_tfs[] = { "420", "422" };
static const char *const reg_tfs[] = { "300", "303", "370", "361" };

static const char *const diagnoses[] = {
    "K40.9", "I21.9", "J18.9", "S72.0", "N39.0", "R07.4", "C50.9", "H25.9",
    "M17.9", "O80.0", "Z38.0", "K80.2", "I50.0", "J44.1", "E11.9", "N18.5",
    "Z51.1", "L03.1", "G40.9", "R10.4",
};
static const char *const procedures[] = {
    "T20.1", "W37.1", "C71.2", "H22.9", "Q07.4", "M45.9", "G45.1", "X29.2",
    "R17.9", "W40.1", "J18.3", "A65.1",
};

typedef struct {
    int provider, amonth;
    gint64 k;
    guint64 h;
    Cat cat;
    const char *method;
    char klass[2];
    Day admit, disch;
} Skel;

typedef struct {
    int number;
    Day start, end;
    const char *tf;
    const char *hrg;
} Episode;

typedef struct {
    Skel sk;
    CdsPerson cp;
    Episode ep[MAXEP];
    int nep;
    const char *hrg, *alt_hrg;
    const char *diag, *proc;
    char spell_no[24];
    char id[40];
} Spell;

#define PICK(r, a) ((a)[rng_below((r), G_N_ELEMENTS(a))])

/* A geometric-ish length: 0.. with mean about @mean. */
static int
geometric(Rng *r, double mean)
{
    return (int) (-log(1.0 - rng_unit(r)) * mean);
}

static gboolean
weekend(Day d)
{
    int wd = (d + 4) % 7;      /* 1970-01-01 was a Thursday; 0 = Sunday */
    return wd == 0 || wd == 6;
}

static void
skeleton(const World *w, int p, int amonth, gint64 k, Skel *sk)
{
    Rng r;
    rng_init(&r, rng_key(w->seed, RNG_TAG_SPELL, (guint64) p, (guint64) amonth, (guint64) k));
    sk->provider = p;
    sk->amonth = amonth;
    sk->k = k;
    sk->h = rng_next(&r);
    sk->cat = (Cat) rng_weighted(&r, cat_w, CAT_N);
    Day first = cal_month_first(amonth);
    int nd = cal_month_days(amonth);
    sk->admit = first + (Day) rng_below(&r, (guint64) nd);
    int los = 0;
    sk->klass[1] = '\0';
    switch (sk->cat) {
    case CAT_EL:
    case CAT_DC:
    case CAT_REG:
        /* Planned care happens on weekdays. */
        if (weekend(sk->admit) && rng_chance(&r, 0.85))
            sk->admit += sk->admit + 2 <= cal_month_last(amonth) ? 2 : -2;
        sk->method = el_methods[rng_weighted(&r, el_w, 3)];
        if (sk->cat == CAT_EL) {
            sk->klass[0] = '1';
            los = rng_chance(&r, 0.1) ? 0 : 1 + geometric(&r, 3.0);
        } else if (sk->cat == CAT_DC) {
            sk->klass[0] = '2';
        } else {
            sk->klass[0] = rng_chance(&r, 0.7) ? '3' : '4';
            sk->method = rng_chance(&r, 0.5) ? "11" : "13";
        }
        break;
    case CAT_EM: {
        sk->method = em_methods[rng_weighted(&r, em_w, G_N_ELEMENTS(em_w))];
        sk->klass[0] = rng_chance(&r, 0.02) ? '2' : '1';
        double u = rng_unit(&r);
        los = u < 0.22 ? 0 : u < 0.42 ? 1 : u < 0.97 ? 2 + geometric(&r, 5.0)
                                                     : 30 + (int) rng_below(&r, 121);
        break;
    }
    case CAT_MAT:
        sk->method = mat_methods[rng_weighted(&r, mat_w, 2)];
        sk->klass[0] = rng_chance(&r, 0.06) ? '5' : '1';
        los = sk->klass[0] == '5' ? 0 : (int) rng_below(&r, 5);
        break;
    case CAT_OTH:
    default:
        sk->method = oth_methods[rng_weighted(&r, oth_w, 4)];
        sk->klass[0] = rng_chance(&r, 0.05) ? '5' : '1';
        los = rng_chance(&r, 0.15) ? 5 + (int) rng_below(&r, 36) : (int) rng_below(&r, 4);
        if (sk->method[1] == '1' || sk->method[1] == '4')
            los = 1 + geometric(&r, 10.0);
        break;
    }
    sk->disch = sk->admit + MIN(los, MAX_LOS);
}

/* A popular HRG: the first ones of world.hrgs are drawn most often. */
static const char *
popular_hrg(const World *w, Rng *r)
{
    double u = rng_unit(r);
    return w->hrgs[(int) (u * u * w->n_hrgs)].code;
}

/* A woman of 16 to 45 if one turns up in a few draws. */
static void
draw_mother(const World *w, Rng *r, int p, Day on, Patient *pt)
{
    for (int i = 0; i < 6; i++) {
        cds_draw_patient(w, r, p, pt);
        int age = cal_age(pt->dob, on);
        if (pt->sex == 2 && age >= 16 && age <= 45)
            break;
    }
}

static void
spell_make(const World *w, const Skel *sk, Spell *s)
{
    memset(s, 0, sizeof *s);
    s->sk = *sk;
    Rng r;
    rng_init(&r, sk->h);

    Patient pt;
    gboolean have = FALSE;
    if (sk->cat == CAT_OTH && (sk->method[1] == '2' || sk->method[1] == '3')) {
        /* A birth: a newborn of the catchment, born a few days before (or
         * on) the admission date and registered weeks later (R-A2). */
        cds_draw_patient(w, &r, sk->provider, &pt);
        gint64 baby = patient_newborn_on(w, pt.home, sk->admit - 6);
        if (baby >= 0) {
            patient_get(w, baby, &pt);
            have = TRUE;
        }
    } else if (sk->cat == CAT_MAT) {
        draw_mother(w, &r, sk->provider, sk->admit, &pt);
        have = TRUE;
    }
    if (!have)
        cds_draw_patient(w, &r, sk->provider, &pt);
    cds_person(w, &r, &pt, sk->admit, &s->cp);

    /* Episodes: the consultant changes a few times in long stays. */
    static const int nep_w[] = { 820, 140, 30, 10 };
    s->nep = sk->cat == CAT_DC || sk->cat == CAT_REG ? 1 : 1 + rng_weighted(&r, nep_w, 4);
    Day cut[MAXEP + 1];
    cut[0] = sk->admit;
    cut[s->nep] = sk->disch;
    for (int i = 1; i < s->nep; i++)
        cut[i] = sk->admit + (Day) rng_below(&r, (guint64) (sk->disch - sk->admit) + 1);
    for (int i = 1; i < s->nep; i++)            /* insertion sort of the cuts */
        for (int j = i; j > 1 && cut[j] < cut[j - 1]; j--) {
            Day t = cut[j];
            cut[j] = cut[j - 1];
            cut[j - 1] = t;
        }

    /* The spell's HRG: REG has its own list; a few spells fall outside
     * the national tariff or were not grouped at all. */
    double u = rng_unit(&r);
    if (sk->cat == CAT_REG)
        s->hrg = tariff_reg_hrgs[rng_below(&r, (guint64) tariff_n_reg_hrgs)];
    else if (u < 0.005)
        s->hrg = "";
    else if (u < 0.013)
        s->hrg = tariff_local_hrgs[rng_below(&r, (guint64) tariff_n_local_hrgs)];
    else
        s->hrg = popular_hrg(w, &r);
    s->alt_hrg = popular_hrg(w, &r);
    if (strcmp(s->alt_hrg, s->hrg) == 0)
        s->alt_hrg = w->hrgs[0].code != s->hrg ? w->hrgs[0].code : w->hrgs[1].code;

    for (int i = 0; i < s->nep; i++) {
        Episode *e = &s->ep[i];
        e->number = i + 1;
        e->start = cut[i];
        e->end = cut[i + 1];
        if (i == 0) {
            switch (sk->cat) {
            case CAT_EL:
            case CAT_DC: e->tf = PICK(&r, el_tfs); break;
            case CAT_EM: e->tf = PICK(&r, em_tfs); break;
            case CAT_MAT: e->tf = PICK(&r, mat_tfs); break;
            case CAT_REG: e->tf = PICK(&r, reg_tfs); break;
            case CAT_OTH:
            default: e->tf = PICK(&r, oth_tfs); break;
            }
        } else {
            e->tf = PICK(&r, em_tfs);
            if (strcmp(e->tf, s->ep[i - 1].tf) == 0)
                e->tf = strcmp(e->tf, "300") ? "300" : "340";
        }
        /* Earlier episodes usually repeat the spell HRG; some carry their
         * own (R-I4 takes the last episode's). */
        e->hrg = i == s->nep - 1 || rng_chance(&r, 0.7) ? s->hrg : popular_hrg(w, &r);
    }
    /* Rarely the same episode number twice (R-I4: the later row counts as
     * the higher); the copy is episode 2 with another specialty. */
    if (s->nep >= 2 && s->nep < MAXEP && rng_chance(&r, 0.03)) {
        for (int i = s->nep; i > 2; i--)
            s->ep[i] = s->ep[i - 1];
        s->ep[2] = s->ep[1];
        s->ep[2].tf = strcmp(s->ep[1].tf, "320") ? "320" : "400";
        s->nep++;
    }
    s->diag = PICK(&r, diagnoses);
    s->proc = sk->cat == CAT_EM && rng_chance(&r, 0.6) ? "" : PICK(&r, procedures);

    int y, m;
    cal_ymd(cal_month_first(sk->amonth), &y, &m, NULL);
    g_snprintf(s->spell_no, sizeof s->spell_no, "%02d%02d%07" G_GINT64_FORMAT,
               y % 100, m, sk->k);
    g_snprintf(s->id, sizeof s->id, "%s%s", w->providers[sk->provider].code, s->spell_no);
}

/* Sets the columns of row @i of spell @s (not ending the row).  @cutoff:
 * DAY_NONE for the finished spell, else the day the unfinished version
 * describes.  @modified: a corrected version (another HRG, and the GP
 * practice as Exeter has it). */
static void
put_row(Sheet *sh, const Extract *ex, const Spell *s, int i, int update,
        Day td, int ts, Day cutoff, gboolean modified)
{
    const Episode *e = &s->ep[i];
    char id[48];
    g_snprintf(id, sizeof id, "%sE%02d", s->id, i + 1);
    CdsPerson cp = s->cp;
    if (modified && s->sk.h % 2 == 0) {
        int ri = patient_reg_at(&cp.pt, s->sk.admit);
        if (ri >= 0)
            g_strlcpy(cp.gp, ex->w->practices[cp.pt.reg[ri].practice].code, sizeof cp.gp);
    }
    cds_put_common(sh, ex, id, update, td, ts, &cp);
    sheet_set(sh, A_SPELL, s->spell_no);
    sheet_set_int(sh, A_EPISODE, e->number);
    sheet_set(sh, A_METHOD, s->sk.method);
    sheet_set(sh, A_CLASS, s->sk.klass);
    sheet_set_date(sh, A_ADMIT, s->sk.admit);
    if (cutoff == DAY_NONE)
        sheet_set_date(sh, A_DISCH, s->sk.disch);
    sheet_set_date(sh, A_EP_START, e->start);
    if (cutoff == DAY_NONE || e->end <= cutoff)
        sheet_set_date(sh, A_EP_END, e->end);
    sheet_set(sh, A_TF, e->tf);
    sheet_set(sh, A_DIAG, s->diag);
    sheet_set(sh, A_PROC, s->proc);
    if (cutoff == DAY_NONE) {
        const char *hrg = i == s->nep - 1 ? s->hrg : e->hrg;
        sheet_set(sh, A_HRG, modified ? s->alt_hrg : hrg);
    }
}

/* A row ingest must reject (R-I2), of kind @kind, for month @mi. */
static gboolean
put_reject(const Extract *ex, int kind, int made, ActivityStats *st, GError **err)
{
    const World *w = ex->w;
    Skel sk;
    skeleton(w, ex->provider, ex->month, G_GINT64_CONSTANT(9000000) + made, &sk);
    if (sk.cat == CAT_DC || sk.cat == CAT_REG)
        sk.disch = sk.admit + 2;
    Spell s;
    spell_make(w, &sk, &s);
    g_snprintf(s.id, sizeof s.id, "X%s%06d", w->providers[ex->provider].code, made);
    g_snprintf(s.spell_no, sizeof s.spell_no, "X%07d", made);
    Day td;
    int ts;
    cds_time(w, ex->month, 1, sk.h, &td, &ts);
    Sheet *sh = ex->v1;
    put_row(sh, ex, &s, 0, 9, td, ts, DAY_NONE, FALSE);
    int delta = 0, y;
    cal_ymd(sk.admit, &y, NULL, NULL);
    switch (kind) {
    case 0:     /* discharged before admitted */
        sheet_set_date(sh, A_DISCH, sk.admit - 3);
        sheet_set_date(sh, A_EP_END, sk.admit - 3);
        break;
    case 1: sheet_set_bad_date(sh, A_ADMIT, y, 2, 30); break;
    case 2: sheet_set(sh, A_METHOD, "99"); break;
    case 3: sheet_set(sh, A_EPISODE, "0"); break;
    case 4: delta = -1; break;
    case 5: sheet_set(sh, A_CLASS, "7"); break;
    case 6: {
        g_autofree char *lower = g_ascii_strdown(w->providers[ex->provider].code, -1);
        sheet_set(sh, C_PROVIDER_CODE, lower);
        break;
    }
    case 7:
    default: sheet_set(sh, A_SPELL, ""); break;
    }
    st->rejects[DS_APC]++;
    st->rows[DS_APC]++;
    return sheet_end_row(sh, delta, err);
}

/* Writes version rows of @s to @sh: all episodes, or only the last
 * (@last_only), or those begun by @cutoff. */
static gboolean
emit(Extract *ex, Sheet *sh, const Spell *s, int update, Day td, int ts,
     Day cutoff, gboolean modified, gboolean last_only, RejectPlan *plan,
     ActivityStats *st, GError **err)
{
    for (int i = last_only ? s->nep - 1 : 0; i < s->nep; i++) {
        if (cutoff != DAY_NONE && s->ep[i].start > cutoff)
            break;
        put_row(sh, ex, s, i, update, td, ts, cutoff, modified);
        if (!sheet_end_row(sh, 0, err))
            return FALSE;
        st->rows[DS_APC]++;
        if (sh == ex->v1) {
            int kind = cds_reject_due(plan, DS_APC, REJECT_KINDS);
            if (kind >= 0 && !put_reject(ex, kind, plan->made[DS_APC], st, err))
                return FALSE;
        }
    }
    return TRUE;
}

/* Writes the finished spell @s of the month of @ex with its fate. */
static gboolean
emit_finished(Extract *ex, const Spell *s, RejectPlan *plan, ActivityStats *st,
              GError **err)
{
    const World *w = ex->w;
    Fate fate = cds_fate(w, DS_APC, ex->provider, ex->month, s->sk.h);
    /* Each re-sent file deletes one episode of its first multi-episode
     * spell, so that even the small sample has a spell that loses an
     * episode (R-I3 then R-I4) rather than only whole-spell deletions. */
    if (ex->v2 && !ex->partial_done && fate == FATE_KEEP && s->nep > 1)
        fate = FATE_DELETE_ONE;
    if (fate == FATE_DELETE_ONE)
        ex->partial_done = TRUE;
    Day t1, t2;
    int s1, s2;
    cds_time(w, ex->month, 1, s->sk.h, &t1, &s1);
    cds_time(w, ex->month, 2, s->sk.h, &t2, &s2);
    if (fate == FATE_LATE) {
        /* In the re-sent file, or else in next month's (see apc_write). */
        return !ex->v2 || emit(ex, ex->v2, s, 9, t2, s2, DAY_NONE, FALSE, FALSE, plan, st, err);
    }
    if (!emit(ex, ex->v1, s, 9, t1, s1, DAY_NONE, FALSE, FALSE, plan, st, err))
        return FALSE;
    switch (fate) {
    case FATE_REPLACE:
        return emit(ex, ex->v2, s, 9, t2, s2, DAY_NONE, TRUE, FALSE, plan, st, err);
    case FATE_DELETE:
        return emit(ex, ex->v2, s, 1, t2, s2, DAY_NONE, FALSE, FALSE, plan, st, err);
    case FATE_DELETE_ONE:
        return emit(ex, ex->v2, s, 1, t2, s2, DAY_NONE, FALSE, TRUE, plan, st, err);
    case FATE_TIE:
        return emit(ex, ex->v2, s, 9, t1, s1, DAY_NONE, TRUE, FALSE, plan, st, err);
    case FATE_STALE:
        return emit(ex, ex->v2, s, 9, t1 - 5, s1, DAY_NONE, TRUE, FALSE, plan, st, err);
    case FATE_KEEP:
    case FATE_LATE:
    default:
        return TRUE;
    }
}

gboolean
apc_write(const World *w, int p, const char *in_dir, RejectPlan *plan,
          ActivityStats *st, GError **err)
{
    for (int m = w->first_month; m <= w->period; m++) {
        guint64 hint = (guint64) cds_volume(w, DS_APC, p, m) * 5 / 4;
        Extract *ex = cds_extract_open(w, DS_APC, p, m, in_dir, apc_cols, A_N, hint, err);
        if (!ex)
            return FALSE;
        const gboolean prev_late = m - 1 >= w->first_month
            && !cds_resent(w, DS_APC, p, m - 1);
        for (int a = m - LOOKBACK_MONTHS; a <= m; a++) {
            gint64 n = cds_volume(w, DS_APC, p, a);
            for (gint64 k = 0; k < n; k++) {
                Skel sk;
                skeleton(w, p, a, k, &sk);
                int d = cal_month_of(sk.disch);
                gboolean fin_here = d == m;
                gboolean late_here = prev_late && d == m - 1
                    && cds_fate(w, DS_APC, p, m - 1, sk.h) == FATE_LATE;
                gboolean unfinished_here = a == m && d > m
                    && (d > w->period || (sk.h >> 40) % 2 == 0);
                if (!fin_here && !late_here && !unfinished_here)
                    continue;
                Spell s;
                spell_make(w, &sk, &s);
                gboolean ok = TRUE;
                if (unfinished_here) {
                    Day td;
                    int ts;
                    cds_time(w, m, 1, sk.h ^ 1, &td, &ts);
                    ok = emit(ex, ex->v1, &s, 9, td, ts, cal_month_last(m), FALSE,
                              FALSE, plan, st, err);
                }
                if (ok && fin_here) {
                    ok = emit_finished(ex, &s, plan, st, err);
                    st->units[DS_APC]++;
                }
                if (ok && late_here) {
                    Day td;
                    int ts;
                    cds_time(w, m, 1, sk.h, &td, &ts);
                    ok = emit(ex, ex->v1, &s, 9, td, ts, DAY_NONE, FALSE, FALSE, plan, st, err);
                }
                if (!ok) {
                    cds_extract_abort(ex);
                    return FALSE;
                }
            }
        }
        if (!cds_extract_close(ex, &st->files, err))
            return FALSE;
    }
    return TRUE;
}
