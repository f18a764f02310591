/*
 * close_fixture.h: the month-end fixture (tests/fixtures/close) shared by
 * test_changes.c and test_close.c: a copy per test with the test's own PCT
 * code written into it, and the pipeline and pbc-publish run over it.
 * Header-only, like testlib.h; include it after pg_helpers.h.
 */
#ifndef PBC_CLOSE_FIXTURE_H
#define PBC_CLOSE_FIXTURE_H

#include "testlib.h"

typedef struct {
    char *root; /* a copy of tests/fixtures/close, with the test's PCT code */
    char *pct;
    char *bin;
} Fx;

/* The PCT of the fixture made last (each test runs in a process of its own). */
static const char *fx_pct;

static inline Fx *
fx_new(const char *pct)
{
    Fx *f = g_new0(Fx, 1);
    f->root = t_tmpdir();
    f->pct = g_strdup(pct);
    f->bin = t_bin();
    fx_pct = f->pct;
    cr_assert_eq(t_sh(NULL,
                      "cp -r '%s/tests/fixtures/close/.' '%s/' && chmod 700 '%s' && "
                      "sed -i 's/5QA/%s/g' '%s'/ref_*/practices.csv '%s'/ref_*/pbc.conf",
                      t_root(), f->root, f->root, pct, f->root, f->root),
                 0);
    return f;
}

static inline void
fx_free(Fx *f)
{
    if (f == NULL)
        return;
    t_rmrf(f->root);
    g_free(f->root);
    g_free(f->pct);
    g_free(f->bin);
    g_free(f);
}

/* The run's output directory: root/out_<v><period>. */
static inline char *
fx_out(Fx *f, const char *v, const char *period)
{
    return g_strdup_printf("%s/out_%s%s", f->root, v, period);
}

/* make -f pipeline.mk ... target, on in_<v>/ref_<v>, into root/out_<v><period>. */
static inline int
fx_pipeline(Fx *f, const char *v, const char *period, const char *target, char **log)
{
    return t_sh(log,
                "cd '%s' && make --no-print-directory -s -f pipeline.mk BIN='%s' IN='%s/in_%s' "
                "REF='%s/ref_%s' OUT='%s/out_%s%s' PERIOD=%s %s 2>&1",
                t_root(), f->bin, f->root, v, f->root, v, f->root, v, period, period, target);
}

/* Runs and publishes a month through pipeline.mk's publish target; asserts success. */
static inline void
fx_publish(Fx *f, const char *v, const char *period)
{
    g_autofree char *log = NULL;
    int rc = fx_pipeline(f, v, period, "publish", &log);
    cr_assert_eq(rc, 0, "publish of %s %s failed:\n%s", v, period, log);
}

/* pbc-publish with the arguments; its exit status, the log in *log. */
static inline int
fx_run(Fx *f, char **log, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
static inline int
fx_run(Fx *f, char **log, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *args = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    return t_sh(log, "'%s/pbc-publish' %s 2>&1", f->bin, args);
}

#endif
