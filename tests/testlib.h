/*
 * testlib.h: small helpers shared by the black-box and end-to-end suites:
 * running a command, reading a CSV output into rows keyed by column name,
 * temporary directories.  Header-only so every suite links alone.
 */
#ifndef PBC_TESTLIB_H
#define PBC_TESTLIB_H

#include "csv_in.h"

#include <criterion/criterion.h>
#include <glib.h>
#include <stdlib.h>
#include <sys/wait.h>

/* The repository root: $PBC_ROOT, else the current directory. */
static inline const char *
t_root(void)
{
    const char *r = g_getenv("PBC_ROOT");
    return r ? r : ".";
}

/* The binaries under test: $PBC_BIN, else build/asan/bin. */
static inline char *
t_bin(void)
{
    const char *b = g_getenv("PBC_BIN");
    return b ? g_strdup(b) : g_build_filename(t_root(), "build", "asan", "bin", NULL);
}

/* Runs a shell command; returns its exit status; output captured when out != NULL. */
static inline int
t_sh(char **out, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static inline int
t_sh(char **out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *cmd = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    char *argv[] = {"/bin/bash", "-c", cmd, NULL};
    int status = 0;
    g_autoptr(GError) err = NULL;
    char *o = NULL, *e = NULL;
    gboolean ok = g_spawn_sync(NULL, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &o, &e, &status, &err);
    cr_assert(ok, "could not run %s", cmd);
    if (out)
        *out = g_strconcat(o ? o : "", e ? e : "", NULL);
    g_free(o);
    g_free(e);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The whole of a text file (the caller frees it); the test fails when it cannot be read. */
static inline char *
t_read_text(const char *path)
{
    char *text = NULL;
    cr_assert(g_file_get_contents(path, &text, NULL, NULL), "cannot read %s", path);
    return text;
}

/* A CSV file as rows (GHashTable column -> value). */
typedef struct {
    GPtrArray *rows;
    char **header;
} TCsv;

static inline TCsv *
t_csv_read(const char *path)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(CsvIn) in = csv_in_open(path, &err);
    cr_assert(in != NULL, "cannot open %s: %s", path, err ? err->message : "?");
    cr_assert(csv_in_read_header(in, &err), "no header in %s", path);
    TCsv *t = g_new0(TCsv, 1);
    guint n = csv_in_header_count(in);
    t->header = g_new0(char *, n + 1);
    for (guint i = 0; i < n; i++)
        t->header[i] = g_strdup(csv_in_field(in, (int)i));
    t->rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_hash_table_destroy);
    int rc;
    while ((rc = csv_in_next(in, &err)) > 0) {
        GHashTable *row = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
        for (guint i = 0; i < n; i++)
            g_hash_table_insert(row, g_strdup(t->header[i]), g_strdup(csv_in_field(in, (int)i)));
        g_ptr_array_add(t->rows, row);
    }
    cr_assert(rc == 0, "read error in %s", path);
    return t;
}

static inline void
t_csv_free(TCsv *t)
{
    g_ptr_array_free(t->rows, TRUE);
    g_strfreev(t->header);
    g_free(t);
}

static inline const char *
t_get(GHashTable *row, const char *col)
{
    const char *v = g_hash_table_lookup(row, col);
    cr_assert(v != NULL, "no column %s", col);
    return v;
}

static inline gint64
t_int(GHashTable *row, const char *col)
{
    return g_ascii_strtoll(t_get(row, col), NULL, 10);
}

/* The first row whose column equals value, or NULL. */
static inline GHashTable *
t_find(TCsv *t, const char *col, const char *value)
{
    for (guint i = 0; i < t->rows->len; i++) {
        GHashTable *r = g_ptr_array_index(t->rows, i);
        if (g_strcmp0(g_hash_table_lookup(r, col), value) == 0)
            return r;
    }
    return NULL;
}

static inline char *
t_tmpdir(void)
{
    g_autoptr(GError) err = NULL;
    char *d = g_dir_make_tmp("pbc-test-XXXXXX", &err);
    cr_assert(d != NULL);
    return d;
}

static inline void
t_rmrf(const char *dir)
{
    if (dir && g_str_has_prefix(dir, g_get_tmp_dir()))
        t_sh(NULL, "rm -rf '%s'", dir);
}

#endif
