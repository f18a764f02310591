/*
 * world.c: building the PCTs, practices, providers and HRGs of a run (see
 * world.h).
 *
 * The run's PCT is PCT 0.  When it has at least five practices, four of
 * them are the fixed edge cases of SPEC §5 (R-A5) and R-G3:
 *   practice 1 closed on 1 October of the previous year, successor 2;
 *   practice 2 closed during the current year, successor 0 (so a unit of
 *     practice 1 after that date follows the chain 1 -> 2 -> 0);
 *   practice 3 closed during the current year with no successor;
 *   the last practice opened during the current year.
 * Other PCTs lose about one practice in eighty to a merger with their
 * first practice at some date in the window.
 */
#include "world.h"

#include "nhsno.h"
#include "rng.h"
#include "sheet.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Postcode areas handed out to PCTs in turn (the run's PCT gets EX). */
static const char *const areas[] = {
    "EX", "TQ", "PL", "TR", "TA", "BA", "BS", "DT", "BH", "SP", "SN", "GL",
    "HR", "WR", "OX", "RG", "GU", "SO", "PO", "BN", "TN", "ME", "CT", "CM",
    "CO", "IP", "NR", "PE", "CB", "LU", "MK", "NN", "LE", "DE", "NG", "LN",
    "DN", "HU", "YO", "HG", "LS", "BD", "HX", "HD", "WF", "SK", "ST", "TF",
    "SY", "WV", "WS", "DY", "CV", "NE", "SR", "DH", "TS", "DL", "CA", "LA",
    "PR", "BB", "BL", "OL", "WN", "WA", "CH", "CW", "SL", "HP", "AL", "SG",
};

/* Practice code letters by PCT (V is kept for the pseudo codes V819xx). */
static const char practice_letters[] = "LMNPABCDEFGHJKRTWY";

/* Provider codes: a few real-looking trusts first, a site code among
 * them, then generated ones. */
static const char *const fixed_providers[] = {
    "RH8", "RA9", "RK950", "RBZ", "RA3", "RVJ", "RTE", "RN3", "RD1", "RBA",
};

/* Monthly activity factors, April first, in per mille (winter pressure,
 * the August and Christmas dips). */
static const int season[12] = {
    985, 1010, 1000, 1005, 955, 1000, 1035, 1025, 935, 1040, 1000, 1030,
};

static void
pct_code(char *out, const char *run, int i)
{
    if (i == 0) {
        g_strlcpy(out, run, 8);
        return;
    }
    /* Continue the run's own "5LL" sequence when it is one (5QA -> 5QB,
     * 5QC, ...) so that neighbours look like neighbours. */
    int start = 0;
    if (strlen(run) == 3 && run[0] == '5' && g_ascii_isupper(run[1])
        && g_ascii_isupper(run[2]))
        start = (run[1] - 'A') * 26 + (run[2] - 'A');
    int k = (start + i) % (26 * 26);
    g_snprintf(out, 8, "5%c%c", 'A' + k / 26, 'A' + k % 26);
}

/* Writes the code of provider @i into @out.  @next: the generator's
 * position, advanced past every code it hands out, so codes are distinct
 * by construction (call for i = 0, 1, 2, ... in order). */
static void
provider_code(char *out, int i, int *next)
{
    if (i < (int) G_N_ELEMENTS(fixed_providers)) {
        g_strlcpy(out, fixed_providers[i], 8);
        return;
    }
    static const char alnum[] = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";
    const int n = (int) sizeof alnum - 1;
    for (;;) {
        int k = (*next)++;
        g_snprintf(out, 8, "R%c%c", alnum[(k / n) % n], alnum[k % n]);
        gboolean clash = FALSE;
        for (gsize j = 0; j < G_N_ELEMENTS(fixed_providers); j++)
            if (strncmp(out, fixed_providers[j], 3) == 0)
                clash = TRUE;
        if (!clash)
            break;
    }
    /* Every seventeenth provider sends under a five-character site code,
     * which has no MFF of its own (R-P6). */
    if (i % 17 == 5)
        g_strlcat(out, "01", 8);
}

/* Reads the real tariff (SPEC §3.2 layout) at @path into w->hrgs. */
static gboolean
load_hrgs(World *w, const char *path, GError **err)
{
    g_autofree char *text = NULL;
    gsize len;
    GError *local = NULL;
    if (!g_file_get_contents(path, &text, &len, &local)) {
        g_set_error(err, GEN_ERROR, GEN_ERROR_INPUT,
                    "could not read tariff source \"%s\": %s", path, local->message);
        g_error_free(local);
        return FALSE;
    }
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    GArray *all = g_array_new(FALSE, TRUE, sizeof(SrcHrg));
    /* Columns by header name, as any reader of SPEC §3 must. */
    int c_hrg = -1, c_el = -1, c_dc = -1, c_nel = -1;
    for (int ln = 0; lines[ln]; ln++) {
        g_strchomp(lines[ln]);
        if (!lines[ln][0])
            continue;
        g_auto(GStrv) f = g_strsplit(lines[ln], ",", -1);
        int nf = (int) g_strv_length(f);
        if (c_hrg < 0) {
            for (int i = 0; i < nf; i++) {
                g_strstrip(f[i]);
                if (!g_ascii_strcasecmp(f[i], "hrg"))
                    c_hrg = i;
                else if (!g_ascii_strcasecmp(f[i], "elective_tariff"))
                    c_el = i;
                else if (!g_ascii_strcasecmp(f[i], "day_case_tariff"))
                    c_dc = i;
                else if (!g_ascii_strcasecmp(f[i], "non_elective_tariff"))
                    c_nel = i;
            }
            if (c_hrg < 0 || c_el < 0 || c_dc < 0 || c_nel < 0) {
                g_set_error(err, GEN_ERROR, GEN_ERROR_INPUT,
                            "tariff source \"%s\" lacks column hrg, elective_tariff, "
                            "day_case_tariff or non_elective_tariff", path);
                g_array_free(all, TRUE);
                return FALSE;
            }
            continue;
        }
        if (nf <= c_hrg || nf <= c_el || nf <= c_dc || nf <= c_nel)
            continue;
        SrcHrg h = { 0 };
        g_strlcpy(h.code, g_strstrip(f[c_hrg]), sizeof h.code);
        h.el = (gint64) (g_ascii_strtod(f[c_el], NULL) * 100 + 0.5);
        h.nel = (gint64) (g_ascii_strtod(f[c_nel], NULL) * 100 + 0.5);
        h.dc = f[c_dc][0] ? (gint64) (g_ascii_strtod(f[c_dc], NULL) * 100 + 0.5) : h.el;
        if (strlen(h.code) != 5 || h.el <= 0 || h.nel <= 0)
            continue;
        g_array_append_val(all, h);
    }
    if (all->len < 20) {
        g_set_error(err, GEN_ERROR, GEN_ERROR_INPUT,
                    "tariff source \"%s\" has only %u usable HRGs", path, all->len);
        g_array_free(all, TRUE);
        return FALSE;
    }
    /* A subset spread evenly over the chapters, then a seeded shuffle to
     * fix which HRGs are common (activity draws favour the first ones). */
    int n = (int) all->len;
    int want = w->cfg->hrgs > 0 && w->cfg->hrgs < n ? w->cfg->hrgs : n;
    w->hrgs = g_new(SrcHrg, want);
    for (int i = 0; i < want; i++)
        w->hrgs[i] = g_array_index(all, SrcHrg, (gint64) i * n / want);
    w->n_hrgs = want;
    Rng r;
    rng_init(&r, rng_key(w->seed, RNG_TAG_HRG, 0, 0, 0));
    for (int i = want - 1; i > 0; i--) {
        int j = (int) rng_below(&r, (guint64) i + 1);
        SrcHrg t = w->hrgs[i];
        w->hrgs[i] = w->hrgs[j];
        w->hrgs[j] = t;
    }
    g_array_free(all, TRUE);
    return TRUE;
}

/* Splits @total over @n weights exactly (cumulative flooring). */
static void
split(gint64 total, const gint64 *weights, int n, gint64 *out)
{
    gint64 sum = 0;
    for (int i = 0; i < n; i++)
        sum += weights[i];
    gint64 acc = 0, prev = 0;
    for (int i = 0; i < n; i++) {
        acc += weights[i];
        gint64 cut = (gint64) ((__int128) total * acc / (sum ? sum : 1));
        out[i] = cut - prev;
        prev = cut;
    }
}

static gboolean
build_practices(World *w, GError **err)
{
    const GenConfig *cfg = w->cfg;
    w->n_pcts = cfg->pcts;
    w->n_practices = cfg->practices;
    if (w->n_pcts < 1 || w->n_practices < w->n_pcts) {
        g_set_error(err, GEN_ERROR, GEN_ERROR_USAGE,
                    "cannot give %d PCTs at least one practice each out of %d",
                    w->n_pcts, w->n_practices);
        return FALSE;
    }
    w->pcts = g_new0(Pct, w->n_pcts);
    w->practices = g_new0(Practice, w->n_practices);

    /* Practices per PCT. */
    int run_n = cfg->run_practices > 0 ? cfg->run_practices : w->n_practices / w->n_pcts;
    if (w->n_pcts == 1)
        run_n = w->n_practices;
    if (run_n > w->n_practices - (w->n_pcts - 1))
        run_n = w->n_practices - (w->n_pcts - 1);
    int rest = w->n_practices - run_n, at = 0;
    for (int p = 0; p < w->n_pcts; p++) {
        Pct *pc = &w->pcts[p];
        pct_code(pc->code, cfg->pct, p);
        g_strlcpy(pc->area, areas[p % G_N_ELEMENTS(areas)], sizeof pc->area);
        pc->first_practice = at;
        if (p == 0)
            pc->n_practices = run_n;
        else
            pc->n_practices = rest / (w->n_pcts - 1) + (p - 1 < rest % (w->n_pcts - 1));
        at += pc->n_practices;
    }

    /* Patients per PCT: the run's share, the rest by practice count. */
    gint64 *pw = g_new(gint64, w->n_pcts);
    gint64 *pn = g_new(gint64, w->n_pcts);
    gint64 run_pat = cfg->run_share > 0 && w->n_pcts > 1
        ? (gint64) (cfg->patients * cfg->run_share) : -1;
    for (int p = 0; p < w->n_pcts; p++)
        pw[p] = w->pcts[p].n_practices;
    if (run_pat >= 0) {
        split(cfg->patients - run_pat, pw + 1, w->n_pcts - 1, pn + 1);
        pn[0] = run_pat;
    } else {
        split(cfg->patients, pw, w->n_pcts, pn);
    }

    const Day fy_prev_oct = cal_month_first(cal_fy_first_month(w->fy_prev) + 6);
    const int cur_months = w->period - cal_fy_first_month(w->fy_cur) + 1;
    const int april = cal_fy_first_month(w->fy_cur);
    const Day cur_mid = cal_month_first(april + MAX(1, (cur_months + 1) / 2));
    const Day cur_third = cal_month_first(april + MAX(1, (cur_months + 1) / 3));

    gint64 first_patient = 0;
    GArray *normal = g_array_new(FALSE, FALSE, sizeof(int));
    for (int p = 0; p < w->n_pcts; p++) {
        Pct *pc = &w->pcts[p];
        pc->first_patient = first_patient;
        pc->n_patients = pn[p];
        pc->first_normal = (int) normal->len;
        gint64 *ww = g_new(gint64, pc->n_practices);
        for (int k = 0; k < pc->n_practices; k++) {
            int i = pc->first_practice + k;
            Practice *pr = &w->practices[i];
            Rng r;
            rng_init(&r, rng_key(w->seed, RNG_TAG_PRACTICE, (guint64) i, 0, 0));
            g_snprintf(pr->code, sizeof pr->code, "%c%05d",
                       practice_letters[p % (int) (sizeof practice_letters - 1)],
                       (81001 + i) % 100000);
            pr->pct = p;
            pr->consortium = 1 + k / 5;
            pr->kind = PRAC_NORMAL;
            pr->open = cal_day(1948, 7, 5) + (Day) rng_below(&r, 9500);
            pr->close = DAY_NONE;
            pr->successor = -1;
            pr->need_permille = 850 + (int) rng_below(&r, 350);
            ww[k] = 1500 + (gint64) rng_below(&r, 9000);
            if (p == 0 && pc->n_practices >= 5) {
                int last = pc->n_practices - 1;
                if (k == 1) {
                    pr->kind = PRAC_CLOSED_SUCC;
                    pr->close = fy_prev_oct;
                    pr->successor = pc->first_practice + 2;
                } else if (k == 2) {
                    pr->kind = PRAC_CLOSED_SUCC;
                    pr->close = cur_mid;
                    pr->successor = pc->first_practice;
                } else if (k == 3) {
                    pr->kind = PRAC_CLOSED_NOSUCC;
                    pr->close = cur_third;
                } else if (k == last) {
                    pr->kind = PRAC_OPENED;
                    pr->open = cur_third + 14;
                    ww[k] = ww[k] / 4;
                }
            } else if (p != 0 && k > 0 && rng_below(&r, 80) == 0) {
                pr->kind = PRAC_CLOSED_SUCC;
                pr->close = w->window_start - 200
                    + (Day) rng_below(&r, (guint64) (w->window_end - w->window_start + 200));
                pr->successor = pc->first_practice;
            }
            if (pr->kind == PRAC_NORMAL)
                g_array_append_val(normal, i);
        }
        pc->n_normal = (int) normal->len - pc->first_normal;
        if (pc->n_normal == 0) {
            g_set_error(err, GEN_ERROR, GEN_ERROR_USAGE,
                        "PCT %s has no ordinary practice; give it more practices",
                        pc->code);
            g_free(ww);
            g_free(pw);
            g_free(pn);
            g_array_free(normal, TRUE);
            return FALSE;
        }
        gint64 *cnt = g_new(gint64, pc->n_practices);
        split(pc->n_patients, ww, pc->n_practices, cnt);
        for (int k = 0; k < pc->n_practices; k++) {
            Practice *pr = &w->practices[pc->first_practice + k];
            pr->first_patient = first_patient;
            pr->n_patients = cnt[k];
            first_patient += cnt[k];
            /* Births: about 12 a year per 1,000 patients, born from
             * born_start to the extract date; none in closed practices. */
            if (pr->close == DAY_NONE)
                pr->n_newborn = pr->n_patients * 12 * (w->extract_day - w->born_start)
                    / (1000 * 365);
        }
        g_free(cnt);
        g_free(ww);
    }
    w->n_patients = first_patient;
    w->n_normal = (int) normal->len;
    w->normal = (int *) g_array_free(normal, FALSE);
    g_free(pw);
    g_free(pn);
    return TRUE;
}

static void
build_providers(World *w)
{
    const GenConfig *cfg = w->cfg;
    w->n_providers = cfg->providers;
    w->providers = g_new0(Provider, w->n_providers);
    /* One-PCT scales: every provider mainly serves the run's PCT. */
    gboolean single = cfg->run_practices > 0 || w->n_pcts == 1;
    int *sharing = g_new0(int, w->n_pcts);
    int next_code = 0;
    for (int j = 0; j < w->n_providers; j++) {
        Provider *pv = &w->providers[j];
        provider_code(pv->code, j, &next_code);
        if (single) {
            pv->home_lo = 0;
            pv->home_hi = 1;
        } else {
            pv->home_lo = (int) ((gint64) j * w->n_pcts / w->n_providers);
            pv->home_hi = (int) ((gint64) (j + 1) * w->n_pcts / w->n_providers);
            if (pv->home_hi <= pv->home_lo)
                pv->home_hi = pv->home_lo + 1;
        }
        for (int p = pv->home_lo; p < pv->home_hi; p++)
            sharing[p]++;
        pv->has_mff = strlen(pv->code) == 3 && j % 13 != 7;
    }
    static const int small_weights[] = { 60, 30, 10, 12, 8 };
    for (int j = 0; j < w->n_providers; j++) {
        Provider *pv = &w->providers[j];
        Rng r;
        rng_init(&r, rng_key(w->seed, RNG_TAG_PROVIDER, (guint64) j, 0, 0));
        if (single && j < (int) G_N_ELEMENTS(small_weights)) {
            pv->weight = small_weights[j];
        } else if (single) {
            pv->weight = 5;
        } else {
            gint64 pop = 0;
            for (int p = pv->home_lo; p < pv->home_hi; p++)
                pop += w->pcts[p].n_patients / sharing[p];
            pv->weight = (int) MAX(1, pop / 1000 * (60 + (gint64) rng_below(&r, 80)) / 100);
        }
    }
    g_free(sharing);
}

World *
world_new(const GenConfig *cfg, GError **err)
{
    World *w = g_new0(World, 1);
    w->cfg = cfg;
    w->seed = cfg->seed;
    w->period = cfg->period;
    w->fy_cur = cal_fin_year_of_month(cfg->period);
    w->fy_prev = w->fy_cur - 1;
    w->first_month = cfg->months > 0 ? cfg->period - cfg->months + 1
                                     : cal_fy_first_month(w->fy_prev);
    w->window_start = cal_month_first(w->first_month);
    w->window_end = cal_month_last(w->period);
    w->extract_day = w->window_end + 15;
    w->born_start = w->window_start - 60;

    if (cfg->patients < cfg->practices || cfg->patients >= NHSNO_MAX_PATIENTS) {
        g_set_error(err, GEN_ERROR, GEN_ERROR_USAGE,
                    "cannot make %" G_GINT64_FORMAT " patients for %d practices "
                    "(at least one each, fewer than 100 million)",
                    cfg->patients, cfg->practices);
        world_free(w);
        return NULL;
    }
    /* Codes: "5LL" PCTs (676, some taken by the run's own neighbours) and
     * "RXX" providers (1,156 less the fixed ones). */
    if (cfg->pcts < 1 || cfg->pcts > 600) {
        g_set_error(err, GEN_ERROR, GEN_ERROR_USAGE, "cannot make %d PCTs (1 to 600)",
                    cfg->pcts);
        world_free(w);
        return NULL;
    }
    if (cfg->providers < 1 || cfg->providers > 1000) {
        g_set_error(err, GEN_ERROR, GEN_ERROR_USAGE, "cannot make %d providers (1 to 1000)",
                    cfg->providers);
        world_free(w);
        return NULL;
    }
    if (!build_practices(w, err) || !load_hrgs(w, cfg->tariff_source, err)) {
        world_free(w);
        return NULL;
    }
    build_providers(w);

    /* National rates per patient a month: 1.5 million spells, 8.5 million
     * outpatient and 2 million A&E attendances for 55 million patients. */
    w->spells_pm = cfg->spells_pm > 0 ? cfg->spells_pm : w->n_patients * 15 / 550;
    w->op_pm = cfg->op_pm > 0 ? cfg->op_pm : w->n_patients * 85 / 550;
    w->ae_pm = cfg->ae_pm > 0 ? cfg->ae_pm : w->n_patients * 20 / 550;
    return w;
}

void
world_free(World *w)
{
    if (!w)
        return;
    g_free(w->pcts);
    g_free(w->practices);
    g_free(w->normal);
    g_free(w->providers);
    g_free(w->hrgs);
    g_free(w);
}

int
world_practice_of(const World *w, gint64 idx)
{
    int lo = 0, hi = w->n_practices - 1;
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        if (w->practices[mid].first_patient <= idx)
            lo = mid;
        else
            hi = mid - 1;
    }
    /* An empty block starts where the block holding idx ends. */
    while (lo > 0 && w->practices[lo].n_patients == 0)
        lo--;
    return lo;
}

int
world_random_normal(const World *w, int pct, int not, guint64 h)
{
    int first = 0, n = w->n_normal;
    if (pct >= 0) {
        first = w->pcts[pct].first_normal;
        n = w->pcts[pct].n_normal;
    }
    int i = w->normal[first + (int) (h % (guint64) n)];
    if (i == not && n > 1)
        i = w->normal[first + (int) ((h % (guint64) n + 1) % (guint64) n)];
    return i;
}

/* Activity factor of month index @mi, per mille. */
int
world_season(int mi)
{
    return season[(mi % 12 + 9) % 12];
}
