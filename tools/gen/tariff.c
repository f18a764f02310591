/*
 * tariff.c: the price tables of ref/ (see tariff.h).
 *
 * Both financial years of the window get every table, because budget
 * setting (R-B1) re-prices the previous year's activity with the current
 * year's tables while monthly pricing uses each unit's own year.
 */
#include "tariff.h"

#include "rng.h"
#include "sheet.h"

#include <math.h>
#include <string.h>

const char *const tariff_op_tfs[] = {
    "100", "101", "110", "120", "130", "300", "301", "320", "330", "340",
    "400", "410", "420", "502", "503", "370",
};
const int tariff_n_op_tfs = G_N_ELEMENTS(tariff_op_tfs);

const char *const tariff_op_unlisted_tfs[] = { "560", "650" };
const int tariff_n_op_unlisted_tfs = G_N_ELEMENTS(tariff_op_unlisted_tfs);

const char *const tariff_ae_hrgs[] = {
    "VB01Z", "VB02Z", "VB03Z", "VB04Z", "VB05Z", "VB06Z", "VB07Z", "VB08Z",
    "VB09Z", "VB10Z", "VB11Z", "VB99Z",
};
const int tariff_n_ae_hrgs = G_N_ELEMENTS(tariff_ae_hrgs);
/* National prices of VB01Z .. VB11Z (2006/07, pence). */
static const gint64 ae_prices[] = { 14500, 13200, 11800, 10400, 9700, 8900, 8100,
                                    7450, 6200, 5500, 4900 };

const char *const tariff_reg_hrgs[] = { "LD01A", "LD02A", "SB12Z", "SB13Z", "SB14Z" };
const int tariff_n_reg_hrgs = G_N_ELEMENTS(tariff_reg_hrgs);

const char *const tariff_local_hrgs[] = { "XC02Z", "XB01Z" };
const int tariff_n_local_hrgs = G_N_ELEMENTS(tariff_local_hrgs);

/* Chapter names of HRG4, by the code's first letter. */
static const char *
chapter(char c)
{
    switch (c) {
    case 'A': return "Nervous System";
    case 'B': return "Eyes and Periorbita";
    case 'C': return "Mouth, Head, Neck and Ears";
    case 'D': return "Respiratory System";
    case 'E': return "Cardiac Surgery and Primary Cardiac Conditions";
    case 'F': return "Digestive System";
    case 'G': return "Hepatobiliary and Pancreatic System";
    case 'H': return "Musculoskeletal System";
    case 'J': return "Skin, Breast and Burns";
    case 'K': return "Endocrine and Metabolic System";
    case 'L': return "Urinary Tract and Male Reproductive System";
    case 'M': return "Female Reproductive System";
    case 'N': return "Obstetric Medicine";
    case 'P': return "Diseases of Childhood and Neonates";
    case 'Q': return "Vascular System";
    case 'R': return "Radiology and Nuclear Medicine";
    case 'S': return "Haematology, Chemotherapy, Radiotherapy and Specialist Palliative Care";
    case 'V': return "Multiple Trauma, Emergency Medicine and Rehabilitation";
    case 'W': return "Immunology, Infectious Diseases and other contacts";
    case 'Y': return "Interventional Radiology";
    default: return "Other";
    }
}

/* @pence (2024/25) at the price level of @fy; whole pounds except for
 * every fifth HRG (@keep_pence), as the real tariff mostly is. */
static gint64
scale(const World *w, gint64 pence, int fy, gboolean keep_pence)
{
    gint64 p = pence * 55 / 100;
    if (fy < w->fy_cur)
        p = p * 96 / 100;
    return keep_pence ? p : (p + 50) / 100 * 100;
}

void
tariff_apc_price(const World *w, int i, int fy, ApcPrice *out)
{
    const SrcHrg *s = &w->hrgs[i];
    gboolean pence = i % 5 == 0;
    memset(out, 0, sizeof *out);
    /* One HRG in 53 is new this year: absent from the previous year. */
    out->listed = !(fy < w->fy_cur && i % 53 == 17);
    out->el = i % 97 == 41 ? -1 : scale(w, s->el, fy, pence);
    out->dc = i % 11 == 3 ? -1
        : s->dc != s->el ? scale(w, s->dc, fy, pence)
        : i % 3 == 0 ? scale(w, s->el * 9 / 10, fy, pence) : scale(w, s->el, fy, pence);
    out->nel = i % 97 == 13 ? -1 : scale(w, s->nel, fy, pence);
    out->sse = i % 9 == 4 && out->nel > 0 ? out->nel * 22 / 100 : -1;
    gint64 el_pounds = s->el * 55 / 10000;
    out->el_trim = i % 23 == 7 ? -1 : 2 + (int) MIN(38, el_pounds / 700);
    out->nel_trim = out->el_trim < 0 ? -1 : out->el_trim + 3 + i % 7;
    Rng r;
    rng_init(&r, rng_key(w->seed, RNG_TAG_HRG, (guint64) i, 1, 0));
    gint64 xs = 15000 + (gint64) rng_below(&r, 200) * 100 + (pence ? 37 : 0);
    out->excess = i % 29 == 11 ? -1 : fy < w->fy_cur ? xs * 96 / 100 : xs;
}

int
tariff_first_nel_blank(const World *w)
{
    for (int i = 0; i < w->n_hrgs; i++)
        if (i % 97 == 13)
            return i;
    return -1;
}

int
tariff_n_op_proc(const World *w)
{
    return MIN(20, w->n_hrgs);
}

const char *
tariff_op_proc_hrg(const World *w, int j)
{
    int n = w->n_hrgs;
    return w->hrgs[(5 + j * (n / 20)) % n].code;
}

static void
set_price(Sheet *sh, int col, gint64 pence)
{
    if (pence >= 0)
        sheet_set_money(sh, col, pence);
}

/* Opens a reference file with the style reference files get: clean, but
 * with some of the quirks when they are on. */
static Sheet *
open_ref(const World *w, const char *dir, const char *name, const char *const *cols,
         int ncols, int quirk, GError **err)
{
    SheetStyle st = { .money_whole = TRUE };
    if (w->cfg->quirks) {
        switch (quirk) {
        case 1: st.bom = TRUE; st.crlf = TRUE; break;
        case 2: st.header_case = 2; st.header_pad = TRUE; st.shuffle = TRUE; break;
        case 3: st.header_case = 1; st.quote_p = 0.05; break;
        default: break;
        }
    }
    g_autofree char *path = g_build_filename(dir, name, NULL);
    return sheet_open(path, cols, ncols, &st,
                      rng_key(w->seed, RNG_TAG_FILE, 99, (guint64) quirk, g_str_hash(name)),
                      err);
}

static gboolean
end_row(Sheet *sh, GError **err)
{
    if (!sheet_end_row(sh, 0, err)) {
        sheet_abort(sh);
        return FALSE;
    }
    return TRUE;
}

static gboolean
write_apc(const World *w, const char *dir, GError **err)
{
    static const char *const cols[] = {
        "fin_year", "hrg", "hrg_name", "elective_tariff", "day_case_tariff",
        "non_elective_tariff", "elective_trim_days", "non_elective_trim_days",
        "excess_bed_day_tariff", "sse_tariff",
    };
    Sheet *sh = open_ref(w, dir, "tariff_apc.csv", cols, G_N_ELEMENTS(cols), 1, err);
    if (!sh)
        return FALSE;
    for (int fy = w->fy_prev; fy <= w->fy_cur; fy++) {
        char fyn[12];
        cal_fin_year_name(fyn, fy);
        for (int i = 0; i < w->n_hrgs; i++) {
            ApcPrice p;
            tariff_apc_price(w, i, fy, &p);
            if (!p.listed)
                continue;
            const char *code = w->hrgs[i].code;
            g_autofree char *name = i % 50 == 7
                ? g_strdup_printf("%s: %s \"with CC\"", chapter(code[0]), code)
                : g_strdup_printf("%s: %s", chapter(code[0]), code);
            sheet_set(sh, 0, fyn);
            sheet_set(sh, 1, code);
            sheet_set(sh, 2, name);
            set_price(sh, 3, p.el);
            set_price(sh, 4, p.dc);
            set_price(sh, 5, p.nel);
            if (p.el_trim >= 0)
                sheet_set_int(sh, 6, p.el_trim);
            if (p.nel_trim >= 0)
                sheet_set_int(sh, 7, p.nel_trim);
            set_price(sh, 8, p.excess);
            set_price(sh, 9, p.sse);
            if (!end_row(sh, err))
                return FALSE;
        }
    }
    return sheet_close(sh, err);
}

static gboolean
write_op(const World *w, const char *dir, GError **err)
{
    static const char *const cols[] = {
        "fin_year", "treatment_function_code", "first_tariff", "follow_up_tariff",
    };
    Sheet *sh = open_ref(w, dir, "tariff_op.csv", cols, G_N_ELEMENTS(cols), 2, err);
    if (!sh)
        return FALSE;
    for (int fy = w->fy_prev; fy <= w->fy_cur; fy++) {
        char fyn[12];
        cal_fin_year_name(fyn, fy);
        for (int i = 0; i < tariff_n_op_tfs; i++) {
            /* 503 (gynaecological oncology) is new in the current year. */
            if (fy < w->fy_cur && strcmp(tariff_op_tfs[i], "503") == 0)
                continue;
            Rng r;
            rng_init(&r, rng_key(w->seed, RNG_TAG_TF, (guint64) i, 0, 0));
            gint64 first = 12000 + (gint64) rng_below(&r, 14) * 1000;
            gint64 fu = 5500 + (gint64) rng_below(&r, 13) * 500;
            if (fy < w->fy_cur) {
                first = first * 96 / 100;
                fu = fu * 96 / 100;
            }
            sheet_set(sh, 0, fyn);
            sheet_set(sh, 1, tariff_op_tfs[i]);
            sheet_set_money(sh, 2, first);
            sheet_set_money(sh, 3, fu);
            if (!end_row(sh, err))
                return FALSE;
        }
    }
    return sheet_close(sh, err);
}

static gboolean
write_op_proc(const World *w, const char *dir, GError **err)
{
    static const char *const cols[] = { "fin_year", "hrg", "tariff" };
    Sheet *sh = open_ref(w, dir, "tariff_op_procedure.csv", cols, 3, 0, err);
    if (!sh)
        return FALSE;
    for (int fy = w->fy_prev; fy <= w->fy_cur; fy++) {
        char fyn[12];
        cal_fin_year_name(fyn, fy);
        for (int j = 0; j < tariff_n_op_proc(w); j++) {
            guint64 h = rng_key(w->seed, RNG_TAG_HRG, (guint64) j, 2, 0);
            gint64 price = 9000 + (gint64) (h % 300) * 100;
            sheet_set(sh, 0, fyn);
            sheet_set(sh, 1, tariff_op_proc_hrg(w, j));
            sheet_set_money(sh, 2, fy < w->fy_cur ? price * 96 / 100 : price);
            if (!end_row(sh, err))
                return FALSE;
        }
    }
    return sheet_close(sh, err);
}

static gboolean
write_ae(const World *w, const char *dir, GError **err)
{
    static const char *const cols[] = { "fin_year", "hrg", "tariff" };
    Sheet *sh = open_ref(w, dir, "tariff_ae.csv", cols, 3, 3, err);
    if (!sh)
        return FALSE;
    for (int fy = w->fy_prev; fy <= w->fy_cur; fy++) {
        char fyn[12];
        cal_fin_year_name(fyn, fy);
        for (gsize i = 0; i < G_N_ELEMENTS(ae_prices); i++) {
            sheet_set(sh, 0, fyn);
            sheet_set(sh, 1, tariff_ae_hrgs[i]);
            sheet_set_money(sh, 2, fy < w->fy_cur ? ae_prices[i] * 96 / 100 : ae_prices[i]);
            if (!end_row(sh, err))
                return FALSE;
        }
    }
    return sheet_close(sh, err);
}

static gboolean
write_params(const World *w, const char *dir, GError **err)
{
    static const char *const cols[] = { "fin_year", "sse_max_los", "sse_min_age",
                                        "sse_percent" };
    Sheet *sh = open_ref(w, dir, "tariff_params.csv", cols, 4, 0, err);
    if (!sh)
        return FALSE;
    for (int fy = w->fy_prev; fy <= w->fy_cur; fy++) {
        char fyn[12];
        cal_fin_year_name(fyn, fy);
        sheet_set(sh, 0, fyn);
        sheet_set(sh, 1, "1");
        sheet_set(sh, 2, "19");
        sheet_set(sh, 3, fy < w->fy_cur ? "25" : "30.5");
        if (!end_row(sh, err))
            return FALSE;
    }
    return sheet_close(sh, err);
}

static gboolean
write_mff(const World *w, const char *dir, GError **err)
{
    static const char *const cols[] = { "fin_year", "provider_code", "mff" };
    Sheet *sh = open_ref(w, dir, "mff.csv", cols, 3, 2, err);
    if (!sh)
        return FALSE;
    for (int fy = w->fy_prev; fy <= w->fy_cur; fy++) {
        char fyn[12];
        cal_fin_year_name(fyn, fy);
        for (int j = 0; j < w->n_providers; j++) {
            if (!w->providers[j].has_mff)
                continue;
            /* Six decimals, between 0.90 and 1.25 (London highest). */
            int micro = 900000 + (int) (rng_key(w->seed, RNG_TAG_PROVIDER, (guint64) j, 7, 0)
                                        % 350000);
            if (fy < w->fy_cur)
                micro -= 2345;
            char v[16];
            g_snprintf(v, sizeof v, "%d.%06d", micro / 1000000, micro % 1000000);
            sheet_set(sh, 0, fyn);
            sheet_set(sh, 1, w->providers[j].code);
            sheet_set(sh, 2, v);
            if (!end_row(sh, err))
                return FALSE;
        }
    }
    return sheet_close(sh, err);
}

static gboolean
local_row(Sheet *sh, const char *fyn, const char *prov, const char *pod,
          const char *code, gint64 pence, GError **err)
{
    sheet_set(sh, 0, fyn);
    sheet_set(sh, 1, prov);
    sheet_set(sh, 2, pod);
    sheet_set(sh, 3, code);
    sheet_set_money(sh, 4, pence);
    return end_row(sh, err);
}

static gboolean
write_local(const World *w, const char *dir, GError **err)
{
    static const char *const cols[] = { "fin_year", "provider_code", "pod", "code", "price" };
    Sheet *sh = open_ref(w, dir, "local_prices.csv", cols, 5, 3, err);
    if (!sh)
        return FALSE;
    const char *p0 = w->providers[0].code;
    const char *p1 = w->providers[MIN(1, w->n_providers - 1)].code;
    int nb = tariff_first_nel_blank(w);
    for (int fy = w->fy_prev; fy <= w->fy_cur; fy++) {
        char fyn[12];
        cal_fin_year_name(fyn, fy);
        gint64 f = fy < w->fy_cur ? 96 : 100;
        /* Regular attenders: chemotherapy and dialysis sessions. */
        gboolean ok = local_row(sh, fyn, "*", "REG", "LD01A", 25000 * f / 100, err)
            && local_row(sh, fyn, "*", "REG", "LD02A", 31050 * f / 100, err)
            && local_row(sh, fyn, "*", "REG", "SB12Z", 42000 * f / 100, err)
            && local_row(sh, fyn, p0, "REG", "SB12Z", 39000 * f / 100, err)
            && local_row(sh, fyn, p0, "REG", "SB13Z", 50500 * f / 100, err);
        /* Telephone clinics: every tariff specialty but the last two,
         * and two provider-specific prices. */
        for (int i = 0; ok && i < tariff_n_op_tfs - 2; i++)
            ok = local_row(sh, fyn, "*", "OPTEL", tariff_op_tfs[i],
                           (2500 + i * 300) * f / 100, err);
        ok = ok && local_row(sh, fyn, p0, "OPTEL", "100", 2250 * f / 100, err)
            && local_row(sh, fyn, p0, "OPTEL", "300", 3100 * f / 100, err)
            /* Activity outside the national tariff. */
            && local_row(sh, fyn, "*", "EL", "XC02Z", 180000 * f / 100, err)
            && local_row(sh, fyn, "*", "DC", "XC02Z", 95000 * f / 100, err)
            && local_row(sh, fyn, "*", "NEL", "XC02Z", 210000 * f / 100, err)
            && local_row(sh, fyn, "*", "NEL", "XB01Z", 950000 * f / 100, err)
            && local_row(sh, fyn, "*", "EL", "XB01Z", 950000 * f / 100, err)
            && local_row(sh, fyn, p0, "OPFA", "560", 9500 * f / 100, err)
            && local_row(sh, fyn, p0, "OPFU", "560", 6000 * f / 100, err)
            && local_row(sh, fyn, p0, "OPTEL", "560", 3000 * f / 100, err)
            && local_row(sh, fyn, p1, "AE", "VB99Z", 7500 * f / 100, err);
        if (ok && nb >= 0)
            ok = local_row(sh, fyn, "*", "NEL", w->hrgs[nb].code, 234500 * f / 100, err);
        if (!ok)
            return FALSE;
    }
    return sheet_close(sh, err);
}

static gboolean
write_exclusions(const World *w, const char *dir, GError **err)
{
    static const char *const cols[] = { "fin_year", "pod", "code", "scope" };
    Sheet *sh = open_ref(w, dir, "exclusions.csv", cols, 4, 0, err);
    if (!sh)
        return FALSE;
    const char *rows[][3] = {
        { "*", "XB01Z", "PCT_HELD" },                    /* paediatric intensive care */
        { "NEL", w->hrgs[7 % w->n_hrgs].code, "PCT_HELD" }, /* a specialised HRG */
        { "*", "370", "PCT_HELD" },                      /* medical oncology clinics */
        { "EL", w->hrgs[9 % w->n_hrgs].code, "NOTIFIED" },  /* another scope: ignored */
    };
    for (int fy = w->fy_prev; fy <= w->fy_cur; fy++) {
        char fyn[12];
        cal_fin_year_name(fyn, fy);
        for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
            sheet_set(sh, 0, fyn);
            sheet_set(sh, 1, rows[i][0]);
            sheet_set(sh, 2, rows[i][1]);
            sheet_set(sh, 3, rows[i][2]);
            if (!end_row(sh, err))
                return FALSE;
        }
    }
    return sheet_close(sh, err);
}

gboolean
tariff_write_all(const World *w, const char *ref_dir, GError **err)
{
    return write_apc(w, ref_dir, err) && write_op(w, ref_dir, err)
        && write_op_proc(w, ref_dir, err) && write_ae(w, ref_dir, err)
        && write_params(w, ref_dir, err) && write_mff(w, ref_dir, err)
        && write_local(w, ref_dir, err) && write_exclusions(w, ref_dir, err);
}

/* Integer square root (floor). */
static guint64
isqrt(guint64 x)
{
    guint64 r = (guint64) sqrt((double) x);     /* a guess, corrected below */
    while (r * r > x)
        r--;
    while ((r + 1) * (r + 1) <= x)
        r++;
    return r;
}

gint64
tariff_cost_per_head(const World *w)
{
    /* Popularity-weighted mean spell price in integer arithmetic (money is
     * never floating point): activity draws HRG index n*u^2, so index i
     * has weight sqrt(i+1) - sqrt(i), here scaled by 10^6. */
    const guint64 scale = G_GUINT64_CONSTANT(1000000000000);
    __int128 sum = 0;
    gint64 wsum = 0;
    for (int i = 0; i < w->n_hrgs; i++) {
        ApcPrice p;
        tariff_apc_price(w, i, w->fy_cur, &p);
        gint64 wt = (gint64) (isqrt(scale * (guint64) (i + 1)) - isqrt(scale * (guint64) i));
        gint64 price = p.nel > 0 ? p.nel : p.el > 0 ? p.el : 0;
        sum += (__int128) wt * price;
        wsum += wt;
    }
    gint64 spell = wsum > 0 ? (gint64) (sum / wsum) : 0;
    /* OP about 100 pounds, A&E about 80 pounds; per patient per year. */
    __int128 month = (__int128) w->spells_pm * spell + (__int128) w->op_pm * 10000
        + (__int128) w->ae_pm * 8000;
    return (gint64) (month * 12 / w->n_patients);
}
