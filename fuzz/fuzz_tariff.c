/*
 * fuzz_tariff.c: the pricing reference loaders (lib/tariff.c), one file at
 * a time.  scripts/fuzz.sh builds this source once per file of SPEC §3.2
 * that tariffs_load() reads, with -DTARIFF_NAME=tariff_apc (and so on):
 * the fuzzed input becomes REF/<TARIFF_FILE>.csv and every other file is a
 * valid header with no rows, so each loader gets its own corpus.
 *
 * Checks: a failure is a PBC_ERROR naming the file; a success holds only
 * what tariff.h promises (prices absent or not negative, trims absent or
 * not negative, MFFs within 0.5..2.0, SSE percentages within 0..100), and
 * every look-up, with the codes and years found in the input, is safe.
 */
#include "fuzz.h"

#include "date.h"
#include "tariff.h"

#ifndef TARIFF_NAME
#define TARIFF_NAME tariff_apc
#endif
#define STRINGIFY2(x) #x
#define STRINGIFY(x) STRINGIFY2(x)
#define TARIFF_FILE STRINGIFY(TARIFF_NAME)

static const struct {
    const char *name;
    const char *header;
} files[] = {
    {"tariff_apc", "fin_year,hrg,hrg_name,elective_tariff,day_case_tariff,non_elective_tariff,"
                   "elective_trim_days,non_elective_trim_days,excess_bed_day_tariff,sse_tariff\n"},
    {"tariff_op", "fin_year,treatment_function_code,first_tariff,follow_up_tariff\n"},
    {"tariff_op_procedure", "fin_year,hrg,tariff\n"},
    {"tariff_ae", "fin_year,hrg,tariff\n"},
    {"tariff_params", "fin_year,sse_max_los,sse_min_age,sse_percent\n"},
    {"mff", "fin_year,provider_code,mff\n"},
    {"local_prices", "fin_year,provider_code,pod,code,price\n"},
    {"exclusions", "fin_year,pod,code,scope\n"},
};

static const char *const pods[] = {"EL", "DC", "NEL", "REG", "OPFA", "OPFU", "OPPROC", "OPTEL",
                                   "AE", "*", ""};

static void
check_price(int64_t v)
{
    FUZZ_CHECK(v == TARIFF_NONE || v >= 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_init();
    static int ready;
    if (!ready) {
        for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
            g_autofree char *name = g_strconcat(files[i].name, ".csv", NULL);
            fuzz_write(name, files[i].header, strlen(files[i].header));
        }
        ready = 1;
    }
    fuzz_write(TARIFF_FILE ".csv", data, size);

    GError *error = NULL;
    Tariffs *t = tariffs_load(fuzz_dir(), &error);
    if (t == NULL) {
        FUZZ_CHECK_LOAD_ERROR(error, TARIFF_FILE);
        return 0;
    }
    FUZZ_CHECK(tariffs_files(t)[0] != NULL);

    /* The input's tokens are the codes to look up; its fin_years the years. */
    g_autofree char *text = fuzz_str(data, size);
    g_auto(GStrv) tokens = g_strsplit_set(text, ",\n\r\"", 64);
    GArray *years = g_array_new(FALSE, FALSE, sizeof(int));
    int fixed[] = {2006, 1, 9999};
    g_array_append_vals(years, fixed, G_N_ELEMENTS(fixed));
    for (char **s = tokens; *s; s++) {
        int fy;
        g_strstrip(*s);
        if (fy_parse(*s, &fy))
            g_array_append_val(years, fy);
    }
    for (guint y = 0; y < years->len; y++) {
        int fy = g_array_index(years, int, y);
        const TariffParams *par = tariff_params_lookup(t, fy);
        if (par) {
            FUZZ_CHECK(par->sse_max_los >= -1 && par->sse_min_age >= 0);
            FUZZ_CHECK(par->sse_percent == TARIFF_NONE
                       || (par->sse_percent >= 0 && par->sse_percent <= 100 * 1000000LL));
        }
        for (int k = 0; k < 3; k++)
            (void)tariff_year_has(t, (TariffTable)k, fy);
        for (char **s = tokens; *s; s++) {
            const TariffApc *a = tariff_apc_lookup(t, fy, *s);
            if (a) {
                check_price(a->elective);
                check_price(a->day_case);
                check_price(a->non_elective);
                check_price(a->excess_bed_day);
                check_price(a->sse);
                FUZZ_CHECK(a->elective_trim >= -1 && a->non_elective_trim >= -1);
            }
            const TariffOp *o = tariff_op_lookup(t, fy, *s);
            if (o) {
                check_price(o->first);
                check_price(o->follow_up);
            }
            check_price(tariff_op_procedure_lookup(t, fy, *s));
            check_price(tariff_ae_lookup(t, fy, *s));
            int64_t mff = tariff_mff(t, fy, *s);
            FUZZ_CHECK(mff >= TARIFF_MFF_MIN && mff <= TARIFF_MFF_MAX);
            for (size_t p = 0; p < G_N_ELEMENTS(pods); p++) {
                check_price(tariff_local_price(t, fy, *s, pods[p], *s));
                check_price(tariff_local_price(t, fy, "*", pods[p], *s));
                (void)tariff_pct_held(t, fy, pods[p], *s);
            }
        }
    }
    g_array_free(years, TRUE);
    tariffs_free(t);
    return 0;
}
