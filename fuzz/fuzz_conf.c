/*
 * fuzz_conf.c: REF/pbc.conf through conf_load() (lib/conf.c, a GLib key
 * file with exact decimals).
 *
 * Checks: a failure is a PBC_ERROR naming the file (never a crash inside
 * GKeyFile or the decimal parser); a success holds every parameter within
 * the range conf.c enforces, and an empty pct is never returned.
 */
#include "fuzz.h"

#include "conf.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_init();
    char path[64];
    int fd = fuzz_memfd(data, size, path);
    GError *error = NULL;
    PbcConf conf;
    if (!conf_load(&conf, path, FALSE, &error)) {
        FUZZ_CHECK(conf.pct == NULL);
        FUZZ_CHECK_LOAD_ERROR(error, path);
        close(fd);
        return 0;
    }
    FUZZ_CHECK(conf.pct == NULL || conf.pct[0] != '\0');
    FUZZ_CHECK(conf.high_cost_threshold >= 0);
    FUZZ_CHECK(conf.freed_up_share >= 0 && conf.freed_up_share <= 100 * PBC_MICRO);
    FUZZ_CHECK(conf.uplift >= -100 * PBC_MICRO);
    FUZZ_CHECK(conf.pace >= 0 && conf.pace <= PBC_MICRO);
    FUZZ_CHECK(conf.contingency >= 0 && conf.contingency <= 100 * PBC_MICRO);
    FUZZ_CHECK(conf.reject_rate_limit >= 0 && conf.reject_rate_limit <= 100 * PBC_MICRO);
    FUZZ_CHECK(conf.lookback_days >= 0);
    conf_clear(&conf);
    close(fd);
    return 0;
}
