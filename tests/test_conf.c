/*
 * test_conf.c: the run's parameters from REF/pbc.conf (lib/conf.c, SPEC §3.2).
 *
 * A GLib key file, group [pbc]: pct; high_cost_threshold pounds (default
 * 15000, R-G2); freed_up_share percent (70, R-G3); uplift percent (0),
 * pace 0 to 1 (0.25) and contingency percent (3) for R-B2..R-B4;
 * reject_rate_limit percent (1, R-I5); lookback_days (90, R-A2).  Decimals
 * are held exactly: pounds as pence, the others in millionths.  A value that
 * does not parse or is out of range is an error naming the file and key.
 */
#include "conf.h"
#include "log.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <glib/gstdio.h>
#include <string.h>

static char *dir;
static char *path;

static void
setup(void)
{
    pbc_log_init("test_conf");
    dir = g_dir_make_tmp("pbc-conf-XXXXXX", NULL);
    cr_assert_not_null(dir);
    path = g_build_filename(dir, "pbc.conf", NULL);
}

static void
teardown(void)
{
    g_unlink(path);
    g_rmdir(dir);
    g_free(path);
    g_free(dir);
}

TestSuite(conf, .init = setup, .fini = teardown);

static void
write_conf(const char *text)
{
    cr_assert(g_file_set_contents(path, text, -1, NULL));
}

static void
assert_defaults(const PbcConf *c)
{
    cr_assert_null(c->pct);
    cr_assert_eq(c->high_cost_threshold, 1500000, "£15,000 in pence");
    cr_assert_eq(c->freed_up_share, 70000000, "70 %% in millionths");
    cr_assert_eq(c->uplift, 0);
    cr_assert_eq(c->pace, 250000, "0.25 in millionths");
    cr_assert_eq(c->contingency, 3000000);
    cr_assert_eq(c->reject_rate_limit, 1000000);
    cr_assert_eq(c->lookback_days, 90);
}

Test(conf, defaults)
{
    PbcConf c;
    conf_defaults(&c);
    assert_defaults(&c);
    conf_clear(&c);
}

/* A missing file gives the defaults when allowed ... */
Test(conf, missing_file_ok)
{
    PbcConf c;
    g_autoptr(GError) e = NULL;
    cr_assert(conf_load(&c, path, TRUE, &e));
    assert_defaults(&c);
    conf_clear(&c);
}

/* ... and is an error otherwise. */
Test(conf, missing_file_error)
{
    PbcConf c;
    g_autoptr(GError) e = NULL;
    cr_assert_not(conf_load(&c, path, FALSE, &e));
    cr_assert(g_error_matches(e, PBC_ERROR, PBC_ERROR_REFDATA));
    g_autofree char *want = g_strdup_printf("could not read file \"%s\": ", path);
    cr_assert(g_str_has_prefix(e->message, want), "%s", e->message);
}

/* An empty [pbc] group and unknown keys: the defaults. */
Test(conf, empty_group_and_unknown_keys)
{
    write_conf("# the PCT's settings\n[pbc]\nfuture_key = 12\n\n[other]\npace = 7\n");
    PbcConf c;
    cr_assert(conf_load(&c, path, FALSE, NULL));
    assert_defaults(&c);
    conf_clear(&c);
}

/* Every key parsed exactly. */
Test(conf, every_key)
{
    write_conf("[pbc]\n"
               "pct = 5QA\n"
               "high_cost_threshold = 20000.50\n"
               "freed_up_share = 65.5\n"
               "uplift = 2.5\n"
               "pace = 0.3\n"
               "contingency = 0\n"
               "reject_rate_limit = 0.25\n"
               "lookback_days = 30\n");
    PbcConf c;
    g_autoptr(GError) e = NULL;
    cr_assert(conf_load(&c, path, FALSE, &e), "%s", e ? e->message : "");
    cr_assert_str_eq(c.pct, "5QA");
    cr_assert_eq(c.high_cost_threshold, 2000050);
    cr_assert_eq(c.freed_up_share, 65500000);
    cr_assert_eq(c.uplift, 2500000);
    cr_assert_eq(c.pace, 300000);
    cr_assert_eq(c.contingency, 0);
    cr_assert_eq(c.reject_rate_limit, 250000);
    cr_assert_eq(c.lookback_days, 30);
    conf_clear(&c);
    cr_assert_null(c.pct);
}

typedef struct {
    char text[64];  /* the [pbc] lines */
    gboolean ok;
    char key[24];   /* key named in the error, or checked when ok */
    int64_t value;  /* expected value (millionths / pence / days) when ok */
} ValueCase;

static ValueCase value_cases[] = {
    /* bounds that are allowed */
    {"pace = 0", TRUE, "pace", 0},
    {"pace = 1", TRUE, "pace", 1000000},
    {"pace = 0.000001", TRUE, "pace", 1},
    {"pace =   0.5  ", TRUE, "pace", 500000},
    {"contingency = 100", TRUE, "contingency", 100000000},
    {"freed_up_share = 0", TRUE, "freed_up_share", 0},
    {"freed_up_share = 100", TRUE, "freed_up_share", 100000000},
    {"uplift = -2.5", TRUE, "uplift", -2500000},
    {"uplift = -100", TRUE, "uplift", -100000000},
    {"reject_rate_limit = 100", TRUE, "reject_rate_limit", 100000000},
    {"reject_rate_limit = 0", TRUE, "reject_rate_limit", 0},
    {"high_cost_threshold = 0", TRUE, "high_cost_threshold", 0},
    {"high_cost_threshold = 15000", TRUE, "high_cost_threshold", 1500000},
    {"lookback_days = 0", TRUE, "lookback_days", 0},
    {"lookback_days = 365", TRUE, "lookback_days", 365},
    /* out of range */
    {"pace = 1.5", FALSE, "pace", 0},
    {"pace = -0.1", FALSE, "pace", 0},
    {"contingency = -1", FALSE, "contingency", 0},
    {"contingency = 100.000001", FALSE, "contingency", 0},
    {"freed_up_share = 101", FALSE, "freed_up_share", 0},
    {"uplift = -100.5", FALSE, "uplift", 0},
    {"reject_rate_limit = 150", FALSE, "reject_rate_limit", 0},
    {"high_cost_threshold = -1", FALSE, "high_cost_threshold", 0},
    {"lookback_days = -5", FALSE, "lookback_days", 0},
    {"lookback_days = 100001", FALSE, "lookback_days", 0},
    /* not numbers, or too many decimals */
    {"pace = quarter", FALSE, "pace", 0},
    {"pace = 0.1234567", FALSE, "pace", 0},
    {"pace = 25%", FALSE, "pace", 0},
    {"pace = 0,25", FALSE, "pace", 0},
    {"uplift = 1e2", FALSE, "uplift", 0},
    {"contingency = three", FALSE, "contingency", 0},
    {"contingency =", FALSE, "contingency", 0},
    {"high_cost_threshold = 15000.001", FALSE, "high_cost_threshold", 0},
    {"high_cost_threshold = £15000", FALSE, "high_cost_threshold", 0},
    {"lookback_days = 1.5", FALSE, "lookback_days", 0},
    {"lookback_days = ninety", FALSE, "lookback_days", 0},
    {"reject_rate_limit = 1 # percent", FALSE, "reject_rate_limit", 0},
};

ParameterizedTestParameters(conf, values)
{
    return cr_make_param_array(ValueCase, value_cases, G_N_ELEMENTS(value_cases));
}

static int64_t
value_of(const PbcConf *c, const char *key)
{
    if (strcmp(key, "pace") == 0)
        return c->pace;
    if (strcmp(key, "contingency") == 0)
        return c->contingency;
    if (strcmp(key, "freed_up_share") == 0)
        return c->freed_up_share;
    if (strcmp(key, "uplift") == 0)
        return c->uplift;
    if (strcmp(key, "reject_rate_limit") == 0)
        return c->reject_rate_limit;
    if (strcmp(key, "high_cost_threshold") == 0)
        return c->high_cost_threshold;
    if (strcmp(key, "lookback_days") == 0)
        return c->lookback_days;
    cr_assert_fail("unknown key %s", key);
    return 0;
}

/* SPEC §3.2 ranges; a bad value is PBC_ERROR_REFDATA naming the file and key. */
ParameterizedTest(ValueCase *c, conf, values)
{
    g_autofree char *text = g_strdup_printf("[pbc]\npct = 5QA\n%s\n", c->text);
    write_conf(text);
    PbcConf conf;
    g_autoptr(GError) e = NULL;
    gboolean ok = conf_load(&conf, path, FALSE, &e);
    cr_assert_eq(ok, c->ok, "\"%s\": %s", c->text, e ? e->message : "accepted");
    if (ok) {
        cr_assert_eq(value_of(&conf, c->key), c->value, "\"%s\": %" G_GINT64_FORMAT, c->text,
                     value_of(&conf, c->key));
        conf_clear(&conf);
        return;
    }
    cr_assert(g_error_matches(e, PBC_ERROR, PBC_ERROR_REFDATA));
    g_autofree char *want_start = g_strdup_printf("file \"%s\": invalid value \"", path);
    g_autofree char *want_end = g_strdup_printf("\" for key \"%s\" in group [pbc]", c->key);
    cr_assert(g_str_has_prefix(e->message, want_start) && g_str_has_suffix(e->message, want_end),
              "%s", e->message);
    cr_assert_null(conf.pct, "nothing left to free after an error");
}

/* The exact message for pace 1.5. */
Test(conf, message)
{
    write_conf("[pbc]\npace = 1.5\n");
    PbcConf c;
    g_autoptr(GError) e = NULL;
    cr_assert_not(conf_load(&c, path, FALSE, &e));
    g_autofree char *want =
        g_strdup_printf("file \"%s\": invalid value \"1.5\" for key \"pace\" in group [pbc]", path);
    cr_assert_str_eq(e->message, want);
}

/* pct: trimmed; blank means not set. */
Test(conf, pct)
{
    write_conf("[pbc]\npct =   5QA  \n");
    PbcConf c;
    cr_assert(conf_load(&c, path, FALSE, NULL));
    cr_assert_str_eq(c.pct, "5QA");
    conf_clear(&c);
    write_conf("[pbc]\npct =\n");
    cr_assert(conf_load(&c, path, FALSE, NULL));
    cr_assert_null(c.pct);
    conf_clear(&c);
}

Test(conf, no_pbc_group)
{
    write_conf("[other]\npct = 5QA\n");
    PbcConf c;
    g_autoptr(GError) e = NULL;
    cr_assert_not(conf_load(&c, path, FALSE, &e));
    cr_assert(g_error_matches(e, PBC_ERROR, PBC_ERROR_REFDATA));
    g_autofree char *want = g_strdup_printf("file \"%s\": no [pbc] group", path);
    cr_assert_str_eq(e->message, want);
}

Test(conf, syntax_error)
{
    write_conf("this is not a key file\n");
    PbcConf c;
    g_autoptr(GError) e = NULL;
    cr_assert_not(conf_load(&c, path, TRUE, &e));
    cr_assert(g_error_matches(e, PBC_ERROR, PBC_ERROR_REFDATA));
    cr_assert(strstr(e->message, path) != NULL, "%s", e->message);
}

/* A second load starts from the defaults again. */
Test(conf, reload_resets)
{
    write_conf("[pbc]\npace = 0.9\npct = 5QA\n");
    PbcConf c;
    cr_assert(conf_load(&c, path, FALSE, NULL));
    cr_assert_eq(c.pace, 900000);
    conf_clear(&c);
    write_conf("[pbc]\n");
    cr_assert(conf_load(&c, path, FALSE, NULL));
    assert_defaults(&c);
    conf_clear(&c);
}
