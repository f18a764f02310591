/*
 * fuzz_practices.c: the practice table loader (lib/practice.c,
 * REF/practices.csv) and the R-A5 successor resolver over what it loaded.
 *
 * Whatever the file, the loader either fails with a PBC_ERROR naming the
 * file, or returns a table in which every listed practice can be looked up
 * by its code, no pseudo code (V819xx) is listed (R-A6), and practice_resolve()
 * ends for every practice on several days (cycles are refused at load, so
 * the chain can never loop; the harness bounds it to catch one that does).
 */
#include "fuzz.h"

#include "date.h"
#include "practice.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_init();
    char path[64];
    int fd = fuzz_memfd(data, size, path);
    GError *error = NULL;
    PracticeTable *t = practice_table_load(path, &error);
    if (t == NULL) {
        FUZZ_CHECK_LOAD_ERROR(error, path);
        close(fd);
        return 0;
    }
    const GPtrArray *list = practice_list(t);
    FUZZ_CHECK(list->len == practice_count(t));
    const PbcDate days[] = {date_from_ymd(2006, 4, 1), date_from_ymd(1, 1, 1),
                            date_from_ymd(9999, 12, 31), PBC_NO_DATE};
    for (guint i = 0; i < list->len; i++) {
        const Practice *p = g_ptr_array_index(list, i);
        const char *code = practice_code(p);
        FUZZ_CHECK(code[0] != '\0');
        FUZZ_CHECK(!practice_code_is_pseudo(code));
        FUZZ_CHECK(practice_lookup(t, code) == p);
        if (i > 0)
            FUZZ_CHECK(strcmp(practice_code(g_ptr_array_index(list, i - 1)), code) < 0);
        FUZZ_CHECK(practice_name(p) && practice_consortium(p) && practice_pct(p)
                   && practice_successor(p));
        for (size_t k = 0; k < G_N_ELEMENTS(days); k++) {
            if (days[k] != PBC_NO_DATE)
                (void)practice_is_open(p, days[k]);
            const char *out = NULL;
            gboolean ok = practice_resolve(t, code, days[k], &out);
            FUZZ_CHECK(out != NULL);
            const Practice *q = practice_lookup(t, out);
            /* Where the chain ended: unlisted, open, or closed with no successor. */
            if (q != NULL && days[k] != PBC_NO_DATE) {
                gboolean closed = practice_close_date(q) != PBC_NO_DATE
                                  && practice_close_date(q) <= days[k];
                FUZZ_CHECK(ok ? !closed : closed);
            }
        }
    }
    FUZZ_CHECK(practice_lookup(t, "") == NULL);
    practice_table_free(t);
    close(fd);
    return 0;
}
