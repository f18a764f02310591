/*
 * publish_fixture.h: a run's output directory for the publish suites, built
 * from tests/fixtures/publish (a small hand-checked run of PCT 5QA for
 * 2006-09: seven units, two statements, one rejected row with quotes, a tab
 * and a line break in its raw record).  Each test gets its own copy in a
 * temporary directory, with a run.ini naming the PCT code the test uses, so
 * that tests sharing one server never see each other's rows.
 */
#ifndef PBC_PUBLISH_FIXTURE_H
#define PBC_PUBLISH_FIXTURE_H

#include "pg_helpers.h"

#include <sys/stat.h>

typedef struct {
    char *root;  /* temporary directory */
    char *out;   /* root/out: the run's output directory (0700) */
    char *ref;   /* root/ref: practices.csv, tariff_apc.csv */
    char *pct;
} Fix;

static inline void
fix_write_ini(Fix *f, const char *period)
{
    g_autofree char *ini = g_strdup_printf(
        "[run]\npct=%s\nperiod=%s\nfin_year=2006/07\nmonth_number=6\n"
        "range_start=2006-04-01\nrange_end=2006-09-30\nin_dir=%s/in\nref_dir=%s\n"
        "inputs=%s/in/apc.csv\nreferences=%s/practices.csv;%s/tariff_apc.csv\n"
        "budgets_source=RUN\n",
        f->pct, period, f->root, f->ref, f->root, f->ref, f->ref);
    g_autofree char *path = g_build_filename(f->out, "run.ini", NULL);
    cr_assert(g_file_set_contents_full(path, ini, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, NULL));
}

static inline Fix *
fix_new(const char *pct)
{
    Fix *f = g_new0(Fix, 1);
    f->root = t_tmpdir();
    f->out = g_build_filename(f->root, "out", NULL);
    f->ref = g_build_filename(f->root, "ref", NULL);
    f->pct = g_strdup(pct);
    cr_assert_eq(t_sh(NULL,
                      "cp -r '%s/tests/fixtures/publish/out' '%s/tests/fixtures/publish/ref' "
                      "'%s/tests/fixtures/publish/in' '%s/' && chmod 700 '%s' && "
                      "chmod 600 '%s/priced_activity.csv' '%s/rejects.csv'",
                      t_root(), t_root(), t_root(), f->root, f->out, f->out, f->out),
                 0);
    fix_write_ini(f, "2006-09");
    return f;
}

static inline void
fix_free(Fix *f)
{
    if (f == NULL)
        return;
    t_rmrf(f->root);
    g_free(f->root);
    g_free(f->out);
    g_free(f->ref);
    g_free(f->pct);
    g_free(f);
}

/* Replaces the first occurrence of old by new in out/file; asserts it was there. */
static inline void
fix_edit(Fix *f, const char *file, const char *old, const char *new_text)
{
    g_autofree char *path = g_build_filename(f->out, file, NULL);
    g_autofree char *text = NULL;
    cr_assert(g_file_get_contents(path, &text, NULL, NULL), "cannot read %s", path);
    char *at = strstr(text, old);
    cr_assert(at != NULL, "\"%s\" not in %s", old, path);
    g_autofree char *edited = g_strdup_printf("%.*s%s%s", (int)(at - text), text, new_text,
                                              at + strlen(old));
    cr_assert(g_file_set_contents_full(path, edited, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600,
                                        NULL));
}

/* Runs pbc-publish with args (printf format of a shell fragment); output in *log. */
static inline int
run_publish(char **log, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static inline int
run_publish(char **log, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *args = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_autofree char *bin = t_bin();
    return t_sh(log, "'%s/pbc-publish' %s 2>&1", bin, args);
}

#endif
