/*
 * csv_out.c: atomic CSV outputs (see csv_out.h).
 */
#include "csv_out.h"

#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_OPEN 64

struct CsvOut {
    char *path;
    char *tmp;       /* NULL for stdout */
    FILE *f;
    int err;         /* first errno seen */
    gboolean row_started;
    gboolean binary;
    gboolean direct; /* written in place: a device or FIFO, never renamed */
    uint64_t rows;
    int slot;
};

/* Temporary paths for the signal handler: fixed storage, no allocation there. */
static char tmp_paths[MAX_OPEN][4096];
static volatile sig_atomic_t tmp_used[MAX_OPEN];

static int
register_tmp(const char *tmp)
{
    for (int i = 0; i < MAX_OPEN; i++)
        if (!tmp_used[i] && strlen(tmp) < sizeof tmp_paths[i]) {
            strcpy(tmp_paths[i], tmp);
            tmp_used[i] = 1;
            return i;
        }
    return -1;
}

static void
unregister_tmp(int slot)
{
    if (slot >= 0)
        tmp_used[slot] = 0;
}

void
csv_out_cleanup_all(void)
{
    for (int i = 0; i < MAX_OPEN; i++)
        if (tmp_used[i]) {
            unlink(tmp_paths[i]);
            tmp_used[i] = 0;
        }
}

static void
on_signal(int sig)
{
    csv_out_cleanup_all();
    signal(sig, SIG_DFL);
    raise(sig);
}

void
csv_out_install_signal_cleanup(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    /* A closed downstream pipe is reported as a write error, not a signal death. */
    signal(SIGPIPE, SIG_IGN);
}

static void
note(CsvOut *o, int e)
{
    if (o->err == 0)
        o->err = e ? e : EIO;
}

CsvOut *
csv_out_create(const char *path, int mode, const char *const *header, GError **error)
{
    CsvOut *o = g_new0(CsvOut, 1);
    o->path = g_strdup(path);
    o->slot = -1;
    struct stat st;
    if (strcmp(path, "-") == 0) {
        o->f = stdout;
    } else if (stat(path, &st) == 0 && (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode))) {
        /* A device or pipe (/dev/null, a FIFO): write to it directly.  Renaming a
         * temporary file over it would replace the device with a regular file. */
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0) {
            g_set_error(error, PBC_ERROR, PBC_ERROR_IO, "could not open file \"%s\": %s", path,
                        g_strerror(errno));
            g_free(o->path);
            g_free(o);
            return NULL;
        }
        o->f = fdopen(fd, "w");
        o->direct = TRUE;
    } else {
        g_autofree char *dir = g_path_get_dirname(path);
        g_autofree char *base = g_path_get_basename(path);
        o->tmp = g_strdup_printf("%s/.%s.tmp-%ld", dir, base, (long)getpid());
        int fd = open(o->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
        if (fd < 0) {
            g_set_error(error, PBC_ERROR, PBC_ERROR_IO, "could not create file \"%s\": %s",
                        o->tmp, g_strerror(errno));
            g_free(o->path);
            g_free(o->tmp);
            g_free(o);
            return NULL;
        }
        /* open() applies the umask; patient files must be exactly owner-only. */
        if (fchmod(fd, mode) != 0)
            note(o, errno);
        o->slot = register_tmp(o->tmp);
        o->f = fdopen(fd, "w");
        setvbuf(o->f, NULL, _IOFBF, 1 << 20);
    }
    if (header) {
        for (int i = 0; header[i]; i++)
            csv_out_str(o, header[i]);
        csv_out_end(o);
        o->rows = 0;
    }
    return o;
}

static gboolean
needs_quotes(const char *s, gsize len)
{
    if (len == 0)
        return FALSE;
    if (s[0] == ' ' || s[len - 1] == ' ' || s[0] == '\t' || s[len - 1] == '\t')
        return TRUE;
    for (gsize i = 0; i < len; i++)
        if (s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r')
            return TRUE;
    return FALSE;
}

static void
sep(CsvOut *o)
{
    if (o->row_started) {
        if (putc(',', o->f) == EOF)
            note(o, errno);
    }
    o->row_started = TRUE;
}

void
csv_out_strn(CsvOut *o, const char *s, gsize len)
{
    sep(o);
    if (!needs_quotes(s, len)) {
        if (len && fwrite(s, 1, len, o->f) != len)
            note(o, errno);
        return;
    }
    if (putc('"', o->f) == EOF)
        note(o, errno);
    for (gsize i = 0; i < len; i++) {
        if (s[i] == '"' && putc('"', o->f) == EOF)
            note(o, errno);
        if (putc(s[i], o->f) == EOF)
            note(o, errno);
    }
    if (putc('"', o->f) == EOF)
        note(o, errno);
}

void
csv_out_str(CsvOut *o, const char *s)
{
    csv_out_strn(o, s ? s : "", s ? strlen(s) : 0);
}

void
csv_out_int(CsvOut *o, int64_t v)
{
    sep(o);
    if (fprintf(o->f, "%" G_GINT64_FORMAT, v) < 0)
        note(o, errno);
}

void
csv_out_blank(CsvOut *o)
{
    sep(o);
}

void
csv_out_end(CsvOut *o)
{
    if (putc('\n', o->f) == EOF)
        note(o, errno);
    o->row_started = FALSE;
    o->rows++;
}

void
csv_out_line(CsvOut *o, const char *line)
{
    if (fputs(line, o->f) == EOF || putc('\n', o->f) == EOF)
        note(o, errno);
    o->rows++;
}

void
csv_out_raw(CsvOut *o, const void *data, gsize len)
{
    o->binary = TRUE;
    if (len && fwrite(data, 1, len, o->f) != len)
        note(o, errno);
}

gboolean
csv_out_is_binary(const CsvOut *o)
{
    return o->binary;
}

void
csv_out_set_binary(CsvOut *o)
{
    o->binary = TRUE;
}

void
csv_out_count_row(CsvOut *o)
{
    o->rows++;
}

uint64_t
csv_out_rows(const CsvOut *o)
{
    return o->rows;
}

static void
out_free(CsvOut *o)
{
    unregister_tmp(o->slot);
    g_free(o->path);
    g_free(o->tmp);
    g_free(o);
}

gboolean
csv_out_commit(CsvOut *o, GError **error)
{
    if (fflush(o->f) != 0)
        note(o, errno);
    if (o->direct && fclose(o->f) != 0)
        note(o, errno);
    if (o->tmp == NULL) {
        /* A reader that stopped early (head, less) is not an error: exit quietly. */
        if (o->err == EPIPE) {
            out_free(o);
            return TRUE;
        }
        if (o->err) {
            if (o->direct)
                g_set_error(error, PBC_ERROR, PBC_ERROR_IO, "could not write file \"%s\": %s",
                            o->path, g_strerror(o->err));
            else
                g_set_error(error, PBC_ERROR, PBC_ERROR_IO,
                            "could not write to standard output: %s", g_strerror(o->err));
            out_free(o);
            return FALSE;
        }
        out_free(o);
        return TRUE;
    }
    if (fsync(fileno(o->f)) != 0 && errno != EINVAL)
        note(o, errno);
    if (fclose(o->f) != 0)
        note(o, errno);
    if (o->err == 0 && rename(o->tmp, o->path) != 0)
        note(o, errno);
    if (o->err) {
        g_set_error(error, PBC_ERROR, PBC_ERROR_IO, "could not write file \"%s\": %s", o->path,
                    g_strerror(o->err));
        unlink(o->tmp);
        out_free(o);
        return FALSE;
    }
    out_free(o);
    return TRUE;
}

void
csv_out_abort(CsvOut *o)
{
    if (o == NULL)
        return;
    if (o->tmp) {
        fclose(o->f);
        unlink(o->tmp);
    } else if (o->direct) {
        fclose(o->f);
    }
    out_free(o);
}
