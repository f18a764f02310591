/*
 * conf.c: pbc.conf through GKeyFile, with exact decimals.
 */
#include "conf.h"

#include "decimal.h"
#include "log.h"

#include <string.h>

void
conf_defaults(PbcConf *conf)
{
    memset(conf, 0, sizeof *conf);
    conf->high_cost_threshold = 15000 * 100;
    conf->freed_up_share = 70 * PBC_MICRO;
    conf->uplift = 0;
    conf->pace = PBC_MICRO / 4;
    conf->contingency = 3 * PBC_MICRO;
    conf->reject_rate_limit = 1 * PBC_MICRO;
    conf->lookback_days = 90;
}

void
conf_clear(PbcConf *conf)
{
    g_free(conf->pct);
    conf->pct = NULL;
}

/* Reads key as an exact decimal with `places` decimals within [min, max]. */
static gboolean
get_decimal(GKeyFile *kf, const char *path, const char *key, int places, int64_t min,
            int64_t max, int64_t *out, GError **error)
{
    if (!g_key_file_has_key(kf, "pbc", key, NULL))
        return TRUE;
    g_autofree char *raw = g_key_file_get_value(kf, "pbc", key, NULL);
    g_autofree char *s = g_strstrip(g_strdup(raw ? raw : ""));
    int64_t v;
    if (!decimal_parse(s, places, &v) || v < min || v > max) {
        g_set_error(error, PBC_ERROR, PBC_ERROR_REFDATA,
                    "file \"%s\": invalid value \"%s\" for key \"%s\" in group [pbc]", path, s,
                    key);
        return FALSE;
    }
    *out = v;
    return TRUE;
}

gboolean
conf_load(PbcConf *conf, const char *path, gboolean missing_ok, GError **error)
{
    conf_defaults(conf);
    if (missing_ok && !g_file_test(path, G_FILE_TEST_EXISTS))
        return TRUE;
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_autoptr(GError) e = NULL;
    if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, &e)) {
        g_set_error(error, PBC_ERROR, PBC_ERROR_REFDATA, "could not read file \"%s\": %s", path,
                    e->message);
        return FALSE;
    }
    if (!g_key_file_has_group(kf, "pbc")) {
        g_set_error(error, PBC_ERROR, PBC_ERROR_REFDATA, "file \"%s\": no [pbc] group", path);
        return FALSE;
    }
    if (g_key_file_has_key(kf, "pbc", "pct", NULL)) {
        g_autofree char *raw = g_key_file_get_value(kf, "pbc", "pct", NULL);
        conf->pct = g_strstrip(g_strdup(raw ? raw : ""));
        if (conf->pct[0] == '\0') {
            g_free(conf->pct);
            conf->pct = NULL;
        }
    }
    int64_t lookback = conf->lookback_days;
    const int64_t big = 1000000000LL * PBC_MICRO;
    if (!get_decimal(kf, path, "high_cost_threshold", 2, 0, 9000000000000000LL,
                     &conf->high_cost_threshold, error)
        || !get_decimal(kf, path, "freed_up_share", 6, 0, 100 * PBC_MICRO, &conf->freed_up_share,
                        error)
        || !get_decimal(kf, path, "uplift", 6, -100 * PBC_MICRO, big, &conf->uplift, error)
        || !get_decimal(kf, path, "pace", 6, 0, PBC_MICRO, &conf->pace, error)
        || !get_decimal(kf, path, "contingency", 6, 0, 100 * PBC_MICRO, &conf->contingency, error)
        || !get_decimal(kf, path, "reject_rate_limit", 6, 0, 100 * PBC_MICRO,
                        &conf->reject_rate_limit, error)
        || !get_decimal(kf, path, "lookback_days", 0, 0, 100000, &lookback, error)) {
        conf_clear(conf);
        return FALSE;
    }
    conf->lookback_days = (int)lookback;
    return TRUE;
}
