/*
 * faultlib.h: helpers shared by the reliability suites (issue 9),
 * tests/test_bad_input.c and tests/test_faults.c: running a stage as a
 * black box with an extra environment and a file-size limit, building the
 * LD_PRELOAD fault shim (faultshim.c, next to this file), comparing outputs
 * byte for byte, and listing what a run left in a directory.
 *
 * Header-only (static functions), like tests/testlib.h, so each suite
 * links alone.  The stages come from $PBC_BIN (a directory), else
 * build/asan/bin; the tests run from the repository root.
 */
#ifndef PBC_FAULTLIB_H
#define PBC_FAULTLIB_H

#include <criterion/criterion.h>
#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* The directory of the stage binaries: $PBC_BIN, else build/asan/bin. */
G_GNUC_UNUSED static char *
fl_bindir(void)
{
    const char *b = g_getenv("PBC_BIN");
    return g_strdup(b && *b ? b : "build/asan/bin");
}

/* The path of one stage's binary, asserted to exist. */
G_GNUC_UNUSED static char *
fl_bin(const char *stage)
{
    g_autofree char *dir = fl_bindir();
    g_autofree char *name = g_strconcat("pbc-", stage, NULL);
    char *p = g_build_filename(dir, name, NULL);
    cr_assert(g_file_test(p, G_FILE_TEST_IS_EXECUTABLE), "no binary %s (make asan)", p);
    return p;
}

G_GNUC_UNUSED static void
fl_rm_rf(const char *path)
{
    if (path == NULL)
        return;
    GDir *d = g_dir_open(path, 0, NULL);
    if (d) {
        const char *n;
        while ((n = g_dir_read_name(d)) != NULL) {
            g_autofree char *p = g_build_filename(path, n, NULL);
            if (g_file_test(p, G_FILE_TEST_IS_DIR) && !g_file_test(p, G_FILE_TEST_IS_SYMLINK))
                fl_rm_rf(p);
            else
                g_unlink(p);
        }
        g_dir_close(d);
    }
    g_rmdir(path);
}

G_GNUC_UNUSED static char *
fl_tmpdir(const char *what)
{
    g_autofree char *tmpl = g_strdup_printf("pbc-%s-XXXXXX", what);
    char *d = g_dir_make_tmp(tmpl, NULL);
    cr_assert_not_null(d);
    return d;
}

G_GNUC_UNUSED static void
fl_write(const char *path, const void *data, gssize len)
{
    cr_assert(g_file_set_contents(path, data, len < 0 ? (gssize)strlen(data) : len, NULL),
              "cannot write %s", path);
}

/* Copies the file src to dst (written as fl_write() does). */
G_GNUC_UNUSED static void
fl_copy_file(const char *src, const char *dst)
{
    g_autofree char *data = NULL;
    gsize len;
    cr_assert(g_file_get_contents(src, &data, &len, NULL), "cannot read %s", src);
    fl_write(dst, data, (gssize)len);
}

/* Copies every regular file of src into dst (created); not recursive. */
G_GNUC_UNUSED static void
fl_copy_dir(const char *src, const char *dst)
{
    g_mkdir_with_parents(dst, 0700);
    GDir *d = g_dir_open(src, 0, NULL);
    cr_assert_not_null(d, "cannot open %s", src);
    const char *n;
    while ((n = g_dir_read_name(d)) != NULL) {
        g_autofree char *s = g_build_filename(src, n, NULL);
        if (!g_file_test(s, G_FILE_TEST_IS_REGULAR))
            continue;
        g_autofree char *t = g_build_filename(dst, n, NULL);
        fl_copy_file(s, t);
    }
    g_dir_close(d);
}

/* TRUE when both files exist with the same bytes. */
G_GNUC_UNUSED static gboolean
fl_same_file(const char *a, const char *b)
{
    g_autofree char *x = NULL, *y = NULL;
    gsize lx, ly;
    if (!g_file_get_contents(a, &x, &lx, NULL) || !g_file_get_contents(b, &y, &ly, NULL))
        return FALSE;
    return lx == ly && memcmp(x, y, lx) == 0;
}

G_GNUC_UNUSED static gboolean
fl_exists(const char *path)
{
    return g_file_test(path, G_FILE_TEST_EXISTS);
}

G_GNUC_UNUSED static gint
fl_cmp_names(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in dir, sorted (hidden ones included), as a NULL-terminated vector. */
G_GNUC_UNUSED static char **
fl_list(const char *dir)
{
    GPtrArray *a = g_ptr_array_new();
    GDir *d = g_dir_open(dir, 0, NULL);
    if (d) {
        const char *n;
        while ((n = g_dir_read_name(d)) != NULL)
            g_ptr_array_add(a, g_strdup(n));
        g_dir_close(d);
    }
    g_ptr_array_sort(a, fl_cmp_names);
    g_ptr_array_add(a, NULL);
    return (char **)g_ptr_array_free(a, FALSE);
}

/*
 * Copies the stage binaries into dir/bin and points $PBC_BIN there for the
 * rest of this test process, so that a concurrent `make` relinking
 * build/asan/bin cannot pull a binary away in the middle of a test.
 */
G_GNUC_UNUSED static void
fl_snapshot_bins(const char *dir)
{
    g_autofree char *from = fl_bindir();
    g_autofree char *to = g_build_filename(dir, "bin", NULL);
    cr_assert_eq(g_mkdir_with_parents(to, 0700), 0);
    g_auto(GStrv) names = fl_list(from);
    for (char **n = names; *n; n++) {
        if (!g_str_has_prefix(*n, "pbc-"))
            continue;
        g_autofree char *s = g_build_filename(from, *n, NULL);
        g_autofree char *t = g_build_filename(to, *n, NULL);
        g_autofree char *data = NULL;
        gsize len;
        if (!g_file_test(s, G_FILE_TEST_IS_EXECUTABLE)
            || !g_file_get_contents(s, &data, &len, NULL))
            continue;
        fl_write(t, data, (gssize)len);
        cr_assert_eq(g_chmod(t, 0755), 0);
    }
    g_autofree char *abs = g_canonicalize_filename(to, NULL);
    g_setenv("PBC_BIN", abs, TRUE);
}

/* --- running a stage ---------------------------------------------------------- */

typedef struct {
    int status;     /* exit code, or 128 + signal */
    char *err;      /* everything the program wrote, stdout then stderr */
} FlRun;

G_GNUC_UNUSED static void
fl_run_clear(FlRun *r)
{
    g_free(r->err);
    r->err = NULL;
}

typedef struct {
    long long fsize;   /* RLIMIT_FSIZE in bytes, or -1 */
} FlChild;

G_GNUC_UNUSED static void
fl_child_setup(gpointer data)
{
    const FlChild *c = data;
    if (c && c->fsize >= 0) {
        struct rlimit rl = {(rlim_t)c->fsize, (rlim_t)c->fsize};
        setrlimit(RLIMIT_FSIZE, &rl);
        /* A write beyond the limit must fail with EFBIG, not kill the stage. */
        signal(SIGXFSZ, SIG_IGN);
    }
}

/*
 * The environment for a stage: ours plus env ("K=V" strings, NULL-terminated,
 * may be NULL).  PBC_QUIET keeps the progress lines out of the messages.
 */
G_GNUC_UNUSED static char **
fl_environ(const char *const *env)
{
    char **e = g_get_environ();
    e = g_environ_setenv(e, "PBC_QUIET", "1", TRUE);
    for (int i = 0; env && env[i]; i++) {
        const char *eq = strchr(env[i], '=');
        g_autofree char *k = g_strndup(env[i], (gsize)(eq - env[i]));
        e = g_environ_setenv(e, k, eq + 1, TRUE);
    }
    return e;
}

/* Runs argv to completion; fsize >= 0 sets RLIMIT_FSIZE in the child. */
G_GNUC_UNUSED static void
fl_run(char **argv, const char *const *env, long long fsize, FlRun *out)
{
    g_auto(GStrv) envp = fl_environ(env);
    FlChild c = {fsize};
    g_autoptr(GError) err = NULL;
    char *o = NULL, *e = NULL;
    int status = 0;
    gboolean ok = g_spawn_sync(NULL, argv, envp, G_SPAWN_SEARCH_PATH, fl_child_setup, &c, &o, &e,
                               &status, &err);
    cr_assert(ok, "could not run %s: %s", argv[0], err ? err->message : "?");
    out->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    out->err = g_strconcat(o ? o : "", e ? e : "", NULL);
    g_free(o);
    g_free(e);
}

/* --- the fault shim ------------------------------------------------------------- */

/*
 * Builds tests/faultshim/faultshim.c into dir/faultshim.so with $CC (default
 * cc); returns the path.
 */
G_GNUC_UNUSED static char *
fl_build_shim(const char *dir)
{
    char *so = g_build_filename(dir, "faultshim.so", NULL);
    const char *cc = g_getenv("CC");
    g_autofree char *src = g_build_filename("tests", "faultshim", "faultshim.c", NULL);
    char *argv[] = {(char *)(cc && *cc ? cc : "cc"), "-shared", "-fPIC", "-O1", "-o", so, src,
                    "-ldl", NULL};
    FlRun r = {0};
    fl_run(argv, NULL, -1, &r);
    cr_assert_eq(r.status, 0, "could not build the fault shim:\n%s", r.err);
    fl_run_clear(&r);
    return so;
}

/*
 * The environment entries that load the shim: LD_PRELOAD, and ASan told
 * not to insist on coming first in the library list.
 */
G_GNUC_UNUSED static char *
fl_shim_env_preload(const char *so)
{
    return g_strconcat("LD_PRELOAD=", so, NULL);
}

G_GNUC_UNUSED static char *
fl_shim_env_asan(void)
{
    const char *a = g_getenv("ASAN_OPTIONS");
    return g_strconcat("ASAN_OPTIONS=", a && *a ? a : "", a && *a ? ":" : "",
                       "verify_asan_link_order=0", NULL);
}

#endif
