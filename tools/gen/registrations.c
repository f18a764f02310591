/*
 * registrations.c: the Exeter extract (ref/registrations.csv.gz) and the
 * list sizes derived from it (populations.csv, budgets.csv).
 *
 * One pass over the patient indices, each history computed by
 * patient_get() and written at once: memory is two counters per practice
 * whatever the number of patients.  About one patient in 600 (sample) or
 * 100,000 (large scales) is followed by a bad row: an invalid or blank NHS
 * number, a blank practice code, an impossible date, a deregistration
 * before the registration, a practice code no list holds (a Welsh
 * practice), a blank registration date.
 */
#include "reference.h"

#include "patient.h"
#include "rng.h"
#include "sheet.h"
#include "tariff.h"

#include <stdio.h>
#include <string.h>

static const char *const reg_cols[] = {
    "nhs_number", "practice_code", "registration_date", "deregistration_date",
};

#define BAD_KINDS 7

/* Whether practice @pr is open on @d (R-G3 reading of the dates). */
static gboolean
open_on(const Practice *pr, Day d)
{
    return pr->open <= d && (pr->close == DAY_NONE || pr->close > d);
}

static gboolean
put_bad(Sheet *sh, const World *w, const Patient *pt, int kind, GError **err)
{
    const Reg *g = &pt->reg[0];
    char nhs[NHSNO_BUF];
    memcpy(nhs, pt->nhs, sizeof nhs);
    sheet_set(sh, 0, nhs);
    sheet_set(sh, 1, w->practices[g->practice].code);
    sheet_set_date(sh, 2, g->from);
    int y;
    cal_ymd(g->from, &y, NULL, NULL);
    switch (kind) {
    case 0:
        nhsno_corrupt(nhs, pt->nhs, pt->h);
        sheet_set(sh, 0, nhs);
        break;
    case 1: sheet_set(sh, 0, ""); break;
    case 2: sheet_set(sh, 1, ""); break;
    case 3: sheet_set_bad_date(sh, 2, y, 2, 30); break;
    case 4: sheet_set_date(sh, 3, g->from - 40); break;
    case 5: sheet_set(sh, 1, "W91016"); break;
    case 6:
    default: sheet_set(sh, 2, ""); break;
    }
    return sheet_end_row(sh, 0, err);
}

static gboolean
write_populations(const World *w, const char *dir, const gint64 *count, GError **err)
{
    static const char *const cols[] = { "practice_code", "fin_year",
                                        "registered_population", "weighted_population" };
    SheetStyle st = { 0 };
    g_autofree char *path = g_build_filename(dir, "populations.csv", NULL);
    Sheet *sh = sheet_open(path, cols, 4, &st, 0, err);
    if (!sh)
        return FALSE;
    for (int f = 0; f < 2; f++) {
        int fy = f == 0 ? w->fy_prev : w->fy_cur;
        Day april = cal_month_first(cal_fy_first_month(fy));
        char fyn[12];
        cal_fin_year_name(fyn, fy);
        for (int i = 0; i < w->n_practices; i++) {
            const Practice *pr = &w->practices[i];
            if (!open_on(pr, april))
                continue;
            gint64 n = count[2 * i + f];
            gint64 hundredths = n * pr->need_permille / 10;
            char wv[32];
            g_snprintf(wv, sizeof wv, "%" G_GINT64_FORMAT ".%02d", hundredths / 100,
                       (int) (hundredths % 100));
            sheet_set(sh, 0, pr->code);
            sheet_set(sh, 1, fyn);
            sheet_set_int(sh, 2, n);
            sheet_set(sh, 3, wv);
            if (!sheet_end_row(sh, 0, err)) {
                sheet_abort(sh);
                return FALSE;
            }
        }
    }
    return sheet_close(sh, err);
}

static gboolean
write_budgets(const World *w, const char *dir, const gint64 *count, GError **err)
{
    static const char *const cols[] = { "practice_code", "fin_year", "annual_budget" };
    SheetStyle st = { .money_whole = TRUE };
    g_autofree char *path = g_build_filename(dir, "budgets.csv", NULL);
    Sheet *sh = sheet_open(path, cols, 3, &st, 0, err);
    if (!sh)
        return FALSE;
    const gint64 per_head = tariff_cost_per_head(w);
    const Pct *run = &w->pcts[WORLD_RUN_PCT];
    for (int f = 0; f < 2; f++) {
        int fy = f == 0 ? w->fy_prev : w->fy_cur;
        Day april = cal_month_first(cal_fy_first_month(fy));
        char fyn[12];
        cal_fin_year_name(fyn, fy);
        for (int i = run->first_practice; i < run->first_practice + run->n_practices; i++) {
            const Practice *pr = &w->practices[i];
            if (!open_on(pr, april))
                continue;
            /* Weighted list x cost per head, in whole pounds. */
            gint64 pence = count[2 * i + f] * pr->need_permille / 1000 * per_head;
            sheet_set(sh, 0, pr->code);
            sheet_set(sh, 1, fyn);
            sheet_set_money(sh, 2, (pence + 50) / 100 * 100);
            if (!sheet_end_row(sh, 0, err)) {
                sheet_abort(sh);
                return FALSE;
            }
        }
    }
    return sheet_close(sh, err);
}

gboolean
registrations_write(const World *w, const char *ref_dir, gboolean progress,
                    guint64 *rows, GError **err)
{
    const GenConfig *cfg = w->cfg;
    SheetStyle st = { .gzip = TRUE, .level = cfg->gzip_level };
    if (cfg->quirks) {
        /* Exeter's own look: upper-case header, YYYYMMDD dates, CRLF. */
        st.member_rows = (guint64) MAX(1000, w->n_patients * 3 / 8);
        st.crlf = TRUE;
        st.header_case = 1;
        st.date_style = CAL_COMPACT;
        st.mixed_dates = TRUE;
    }
    g_autofree char *path = g_build_filename(ref_dir, "registrations.csv.gz", NULL);
    Sheet *sh = sheet_open(path, reg_cols, 4, &st,
                           rng_key(w->seed, RNG_TAG_FILE, 98, 0, 0), err);
    if (!sh)
        return FALSE;

    gint64 *count = g_new0(gint64, 2 * (gsize) w->n_practices);
    const Day april[2] = { cal_month_first(cal_fy_first_month(w->fy_prev)),
                           cal_month_first(cal_fy_first_month(w->fy_cur)) };
    const gint64 bad_every = !cfg->rejects ? 0
        : w->n_patients < 100000 ? MAX(50, w->n_patients / 8) : 100000;
    int bad_made = 0;
    gint64 next_report = 5000000;
    for (gint64 idx = 0; idx < w->n_patients; idx++) {
        Patient pt;
        patient_get(w, idx, &pt);
        for (int i = 0; i < pt.nreg; i++) {
            const Reg *g = &pt.reg[i];
            sheet_set(sh, 0, pt.nhs);
            sheet_set(sh, 1, w->practices[g->practice].code);
            sheet_set_date(sh, 2, g->from);
            if (g->to != DAY_NONE)
                sheet_set_date(sh, 3, g->to);
            if (!sheet_end_row(sh, 0, err))
                goto fail;
            for (int f = 0; f < 2; f++)
                if (g->from <= april[f] && (g->to == DAY_NONE || g->to > april[f]))
                    count[2 * g->practice + f]++;
        }
        if (bad_every && pt.nreg > 0 && idx % bad_every == bad_every / 2) {
            if (!put_bad(sh, w, &pt, bad_made++ % BAD_KINDS, err))
                goto fail;
        }
        if (progress && idx >= next_report) {
            fprintf(stderr, "pbc-gen: registrations: %" G_GINT64_FORMAT " of %"
                    G_GINT64_FORMAT " patients\n", idx, w->n_patients);
            next_report += 5000000;
        }
    }
    *rows = sheet_rows(sh);
    if (!sheet_close(sh, err)) {
        g_free(count);
        return FALSE;
    }
    gboolean ok = write_populations(w, ref_dir, count, err)
        && (!cfg->budgets || write_budgets(w, ref_dir, count, err));
    g_free(count);
    return ok;

fail:
    sheet_abort(sh);
    g_free(count);
    return FALSE;
}
