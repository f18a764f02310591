/*
 * stmt_output.c: writing the statements directory and swapping it into
 * place (see stmt_output.h).
 */
#include "stmt_output.h"

#include "csv_out.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct StmtOutput {
    char *out_dir;
    char *work_dir;   /* OUT/.statements-XXXXXX */
    char *final_dir;  /* OUT/statements */
};

static void
set_io_error(GError **error, int err, const char *what, const char *path)
{
    g_set_error(error, PBC_ERROR, PBC_ERROR_IO, "could not %s \"%s\": %s", what, path,
                g_strerror(err));
}

/* Removes a flat directory of files (the statements directory has no subdirectories). */
static void
remove_dir(const char *dir)
{
    if (dir == NULL)
        return;
    GDir *d = g_dir_open(dir, 0, NULL);
    if (d != NULL) {
        const char *name;
        while ((name = g_dir_read_name(d)) != NULL) {
            g_autofree char *p = g_build_filename(dir, name, NULL);
            g_unlink(p);
        }
        g_dir_close(d);
    }
    g_rmdir(dir);
}

static void
output_free(StmtOutput *o)
{
    g_free(o->out_dir);
    g_free(o->work_dir);
    g_free(o->final_dir);
    g_free(o);
}

StmtOutput *
stmt_output_begin(const char *out_dir, GError **error)
{
    if (!g_file_test(out_dir, G_FILE_TEST_IS_DIR)) {
        g_set_error(error, PBC_ERROR, PBC_ERROR_IO,
                    "output directory \"%s\" does not exist or is not a directory", out_dir);
        return NULL;
    }
    StmtOutput *o = g_new0(StmtOutput, 1);
    o->out_dir = g_strdup(out_dir);
    o->final_dir = g_build_filename(out_dir, "statements", NULL);
    o->work_dir = g_build_filename(out_dir, ".statements-XXXXXX", NULL);
    /* g_mkdtemp_full creates it 0700 whatever the umask. */
    if (g_mkdtemp_full(o->work_dir, 0700) == NULL) {
        set_io_error(error, errno, "create directory", o->work_dir);
        output_free(o);
        return NULL;
    }
    return o;
}

char *
stmt_output_path(const StmtOutput *o, const char *name)
{
    return g_build_filename(o->work_dir, name, NULL);
}

const char *
stmt_output_final_dir(const StmtOutput *o)
{
    return o->final_dir;
}

gboolean
stmt_output_write(StmtOutput *o, const char *name, const GString *content, int mode, GError **error)
{
    g_autofree char *path = stmt_output_path(o, name);
    /* Two pages with one name (practice codes that sanitise alike, a practice
     * coded "pct" or "index") are an error, never one page silently replacing
     * another. */
    GStatBuf st;
    if (g_lstat(path, &st) == 0) {
        set_io_error(error, EEXIST, "create file", path);
        return FALSE;
    }
    CsvOut *out = csv_out_create(path, mode, NULL, error);
    if (out == NULL)
        return FALSE;
    csv_out_raw(out, content->str, content->len);
    return csv_out_commit(out, error);
}

/* fsyncs a directory so that the renames in it are durable; errors are reported. */
static gboolean
sync_dir(const char *dir, GError **error)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || fsync(fd) != 0) {
        set_io_error(error, errno, "fsync directory", dir);
        if (fd >= 0)
            close(fd);
        return FALSE;
    }
    close(fd);
    return TRUE;
}

gboolean
stmt_output_commit(StmtOutput *o, GError **error)
{
    g_autofree char *old = NULL;
    gboolean ok = sync_dir(o->work_dir, error);
    if (ok && g_file_test(o->final_dir, G_FILE_TEST_EXISTS)) {
        /* Move the old set aside first: rename() cannot replace a non-empty directory. */
        old = g_build_filename(o->out_dir, ".statements-old-XXXXXX", NULL);
        if (g_mkdtemp_full(old, 0700) == NULL || g_rmdir(old) != 0 ||
            g_rename(o->final_dir, old) != 0) {
            set_io_error(error, errno, "move aside directory", o->final_dir);
            g_clear_pointer(&old, g_free);
            ok = FALSE;
        }
    }
    if (ok && g_rename(o->work_dir, o->final_dir) != 0) {
        set_io_error(error, errno, "rename directory into place", o->final_dir);
        /* Put the old set back rather than leave none. */
        if (old != NULL && g_rename(old, o->final_dir) == 0)
            g_clear_pointer(&old, g_free);
        ok = FALSE;
    }
    if (ok)
        ok = sync_dir(o->out_dir, error);
    if (old != NULL)
        remove_dir(old);
    if (!ok)
        remove_dir(o->work_dir);
    output_free(o);
    return ok;
}

void
stmt_output_abort(StmtOutput *o)
{
    if (o == NULL)
        return;
    remove_dir(o->work_dir);
    output_free(o);
}
