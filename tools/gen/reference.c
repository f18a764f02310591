/*
 * reference.c: ref/practices.csv and ref/pbc.conf.
 *
 * practices.csv lists every practice of every PCT of the world (an SHA or
 * national list, SPEC §3.2), each in a PBC consortium of about five; the
 * closures, successors and the mid-year opening of world.c appear here.
 * Practice names exercise RFC 4180: commas, doubled quotes and, once, an
 * embedded line break.
 */
#include "reference.h"

#include "rng.h"
#include "sheet.h"

#include <errno.h>
#include <string.h>

static const char *const surnames[] = {
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies",
    "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green",
    "Hall", "Wood", "Jackson", "Clarke", "Patel", "Khan", "Lewis", "Harris",
};
static const char *const places[] = {
    "Riverside", "Market Street", "Church Road", "Station Road", "High Street",
    "Park Lane", "Mill Lane", "The Green", "Victoria Road", "Castle Hill",
    "Orchard", "Bridge Street", "Heavitree", "St Thomas", "Pinhoe", "Topsham",
};

static char *
practice_name(const World *w, int i)
{
    Rng r;
    rng_init(&r, rng_key(w->seed, RNG_TAG_PRACTICE, (guint64) i, 3, 0));
    const char *s1 = surnames[rng_below(&r, G_N_ELEMENTS(surnames))];
    const char *s2 = surnames[rng_below(&r, G_N_ELEMENTS(surnames))];
    const char *pl = places[rng_below(&r, G_N_ELEMENTS(places))];
    const Pct *pc = &w->pcts[w->practices[i].pct];
    if (pc == &w->pcts[WORLD_RUN_PCT] && i == pc->first_practice + 4)
        return g_strdup_printf("%s Practice\n(Branch: %s)", pl, s1);
    switch (rng_below(&r, 6)) {
    case 0: return g_strdup_printf("The %s Surgery", pl);
    case 1: return g_strdup_printf("%s, %s & Partners", s1, s2);
    case 2: return g_strdup_printf("Dr %s and Partners", s1);
    case 3: return g_strdup_printf("%s Medical Centre", pl);
    case 4: return g_strdup_printf("%s Health Centre, %s", pl, s1);
    default: return g_strdup_printf("The \"Old %s\" Surgery", pl);
    }
}

static gboolean
write_practices(const World *w, const char *dir, GError **err)
{
    static const char *const cols[] = {
        "practice_code", "practice_name", "consortium_code", "pct_code",
        "open_date", "close_date", "successor_code",
    };
    SheetStyle st = { 0 };
    if (w->cfg->quirks) {
        st.bom = TRUE;
        st.crlf = TRUE;
        st.date_style = CAL_UK;
        st.header_pad = TRUE;
    }
    g_autofree char *path = g_build_filename(dir, "practices.csv", NULL);
    Sheet *sh = sheet_open(path, cols, G_N_ELEMENTS(cols), &st,
                           rng_key(w->seed, RNG_TAG_FILE, 97, 0, 0), err);
    if (!sh)
        return FALSE;
    for (int i = 0; i < w->n_practices; i++) {
        const Practice *pr = &w->practices[i];
        const Pct *pc = &w->pcts[pr->pct];
        g_autofree char *name = practice_name(w, i);
        char cons[16];
        g_snprintf(cons, sizeof cons, "%sC%02d", pc->code, pr->consortium);
        sheet_set(sh, 0, pr->code);
        sheet_set(sh, 1, name);
        sheet_set(sh, 2, cons);
        sheet_set(sh, 3, pc->code);
        sheet_set_date(sh, 4, pr->open);
        if (pr->close != DAY_NONE)
            sheet_set_date(sh, 5, pr->close);
        if (pr->successor >= 0)
            sheet_set(sh, 6, w->practices[pr->successor].code);
        if (!sheet_end_row(sh, 0, err)) {
            sheet_abort(sh);
            return FALSE;
        }
    }
    return sheet_close(sh, err);
}

static gboolean
write_conf(const World *w, const char *dir, GError **err)
{
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_key_file_set_string(kf, "pbc", "pct", w->pcts[WORLD_RUN_PCT].code);
    g_key_file_set_string(kf, "pbc", "high_cost_threshold", "15000");
    g_key_file_set_string(kf, "pbc", "freed_up_share", "70");
    g_key_file_set_string(kf, "pbc", "uplift", "2.5");
    g_key_file_set_string(kf, "pbc", "pace", "0.25");
    g_key_file_set_string(kf, "pbc", "contingency", "3");
    g_key_file_set_string(kf, "pbc", "reject_rate_limit", "1");
    g_key_file_set_string(kf, "pbc", "lookback_days", "90");
    g_key_file_set_comment(kf, NULL, NULL,
                           " pbc.conf: settings of a PBC run (SPEC 3.2), written by pbc-gen",
                           NULL);
    g_autofree char *path = g_build_filename(dir, "pbc.conf", NULL);
    GError *local = NULL;
    if (!g_key_file_save_to_file(kf, path, &local)) {
        g_set_error(err, GEN_ERROR, GEN_ERROR_IO, "could not write file \"%s\": %s",
                    path, local->message);
        g_error_free(local);
        return FALSE;
    }
    return TRUE;
}

gboolean
reference_write(const World *w, const char *ref_dir, GError **err)
{
    return write_practices(w, ref_dir, err) && write_conf(w, ref_dir, err);
}
