/*
 * fuzz_registry.c: the registration index loader (lib/registry.c,
 * REF/registrations.csv[.gz]): its own libcsv callbacks, the reader thread,
 * the packed records, the radix sort and the directory.
 *
 * Checks: every data record is either used or rejected for one reason
 * (registry_rows() + registry_rejected_total() == registry_rows_read());
 * every used registration decodes to a listed-format practice code and
 * dates in order; and registry_find() finds each patient's registrations,
 * in extract order, for every NHS number that was loaded.
 */
#include "fuzz.h"

#include "nhs.h"
#include "registry.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_init();
    char path[64];
    int fd = fuzz_memfd(data, size, path);
    GError *error = NULL;
    Registry *r = registry_load(path, &error);
    if (r == NULL) {
        FUZZ_CHECK_LOAD_ERROR(error, path);
        close(fd);
        return 0;
    }
    uint64_t n = registry_rows(r);
    FUZZ_CHECK(n + registry_rejected_total(r) == registry_rows_read(r));
    FUZZ_CHECK(registry_patients(r) <= n);
    for (size_t i = 0; i < n; i++) {
        Registration reg;
        registry_get(r, i, &reg);
        FUZZ_CHECK(reg.practice_code != NULL && strlen(reg.practice_code) == 6);
        FUZZ_CHECK(reg.registration_date != PBC_NO_DATE);
        FUZZ_CHECK(reg.deregistration_date == PBC_NO_DATE
                   || reg.deregistration_date >= reg.registration_date);
        FUZZ_CHECK(reg.row >= 1 && reg.row <= registry_rows_read(r));
    }
    /* Every ten-digit run of the input that is a valid NHS number, plus a few
     * fixed keys: its registrations come back in extract order. */
    GArray *keys = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    uint64_t fixed[] = {0, 1, 4010232137ULL, 9434765919ULL, 9999999999ULL};
    g_array_append_vals(keys, fixed, G_N_ELEMENTS(fixed));
    for (size_t i = 0; i + 10 <= size && keys->len < 64; i++) {
        char nhs[11];
        memcpy(nhs, data + i, 10);
        nhs[10] = '\0';
        uint64_t key;
        gboolean ok = registry_nhs_key(nhs, &key);
        FUZZ_CHECK(ok == nhs_number_valid(nhs));
        if (ok)
            g_array_append_val(keys, key);
    }
    for (guint k = 0; k < keys->len; k++) {
        size_t first;
        size_t m = registry_find(r, g_array_index(keys, uint64_t, k), &first);
        FUZZ_CHECK(m == 0 || first + m <= n);
        uint64_t prev = 0;
        for (size_t j = 0; j < m; j++) {
            Registration reg;
            registry_get(r, first + j, &reg);
            FUZZ_CHECK(reg.row > prev);
            prev = reg.row;
        }
    }
    g_array_free(keys, TRUE);
    registry_free(r);
    close(fd);
    return 0;
}
