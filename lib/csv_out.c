/*
 * csv_out.c: atomic CSV outputs (see csv_out.h).
 *
 * Rows are formatted into the output's own 1 MB buffer (fields copied with
 * memcpy, integers converted by hand) and the buffer goes to the file with
 * write(2), looping over short writes: stdio's putc() per character and
 * fprintf() per integer were most of the cost of the large outputs.  A long
 * file asks the kernel to start writing back every 32 MB
 * (sync_file_range), so that the fsync() of csv_out_commit() finds little
 * left to do rather than gigabytes.  Standard output goes through stdio, a
 * buffer at a time.
 */
#define _GNU_SOURCE
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
#define BUF_SIZE ((gsize)1 << 20)
/* Start the write-back of a file's data every this many bytes. */
#define WRITEBACK_STEP ((off_t)32 << 20)

struct CsvOut {
    char *path;
    char *tmp;       /* NULL for stdout and direct outputs */
    int fd;          /* the file written; -1 for stdout */
    char *buf;       /* bytes not yet written: buf[0 .. len) */
    gsize len;
    off_t written;   /* bytes handed to the file */
    off_t synced;    /* bytes whose write-back has been started */
    int err;         /* first errno seen */
    /* The writer thread of a large output (see flush_buf()): it writes one
     * buffer while rows are formatted into the other. */
    GThread *writer;
    GMutex lock;
    GCond cond;
    char *spare;     /* the second buffer */
    char *pending;   /* a buffer handed to the writer, NULL when it is idle */
    gsize pending_len;
    gboolean quit;
    int werr;        /* the writer's first errno (under lock) */
    gboolean row_started;
    gboolean binary;
    gboolean direct; /* written in place: a device or FIFO, never renamed */
    gpointer data;   /* csv_out_set_data() */
    GDestroyNotify data_destroy;
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

/*
 * Writes p[0 .. n) to the file, looping over short writes, and starts the
 * write-back every WRITEBACK_STEP bytes; returns 0 or the errno.  Called
 * by the thread that owns the file at the time: the caller, or the writer.
 */
static int
write_all(CsvOut *o, const char *p, gsize n)
{
    while (n > 0) {
        ssize_t k = write(o->fd, p, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return k < 0 && errno ? errno : EIO;
        p += k;
        n -= (gsize)k;
        o->written += k;
    }
    if (o->tmp && o->written - o->synced >= WRITEBACK_STEP) {
        /* A hint only: any error shows again at fsync() in csv_out_commit(). */
        (void)sync_file_range(o->fd, o->synced, o->written - o->synced, SYNC_FILE_RANGE_WRITE);
        o->synced = o->written;
    }
    return 0;
}

static gpointer
writer_main(gpointer data)
{
    CsvOut *o = data;
    g_mutex_lock(&o->lock);
    for (;;) {
        while (o->pending == NULL && !o->quit)
            g_cond_wait(&o->cond, &o->lock);
        if (o->pending == NULL)
            break;
        const char *p = o->pending;
        gsize n = o->pending_len;
        int failed = o->werr;
        g_mutex_unlock(&o->lock);
        int e = failed ? 0 : write_all(o, p, n);
        g_mutex_lock(&o->lock);
        if (e && o->werr == 0)
            o->werr = e;
        o->pending = NULL;
        g_cond_broadcast(&o->cond);
    }
    g_mutex_unlock(&o->lock);
    return NULL;
}

/* Stops the writer, once it has written everything. */
static void
writer_stop(CsvOut *o)
{
    if (o->writer == NULL)
        return;
    g_mutex_lock(&o->lock);
    o->quit = TRUE;
    g_cond_broadcast(&o->cond);
    g_mutex_unlock(&o->lock);
    g_thread_join(o->writer);
    o->writer = NULL;
    if (o->werr)
        note(o, o->werr);
    g_mutex_clear(&o->lock);
    g_cond_clear(&o->cond);
}

/*
 * Hands the buffer to the file (or stdout); a failure is kept for the
 * commit.  A file's first full buffer starts a writer thread, so that the
 * kernel's copy of a large output (a fifth of some stages) runs on another
 * core while the next rows are formatted: the full buffer is passed to the
 * writer and the spare one taken, after the writer has finished the
 * previous.  Small outputs never fill a buffer and never get a thread.
 */
static void
flush_buf(CsvOut *o, gboolean full)
{
    const char *p = o->buf;
    gsize n = o->len;
    o->len = 0;
    if (n == 0)
        return;
    if (o->fd < 0) {
        if (fwrite(p, 1, n, stdout) != n)
            note(o, errno);
        return;
    }
    if (full && o->writer == NULL && o->err == 0) {
        g_mutex_init(&o->lock);
        g_cond_init(&o->cond);
        o->spare = g_malloc(BUF_SIZE);
        o->writer = g_thread_new("csv-out", writer_main, o);
    }
    if (o->writer) {
        g_mutex_lock(&o->lock);
        while (o->pending != NULL)
            g_cond_wait(&o->cond, &o->lock);
        o->pending = o->buf;
        o->pending_len = n;
        o->buf = o->spare;
        o->spare = (char *)p;
        g_cond_broadcast(&o->cond);
        g_mutex_unlock(&o->lock);
        return;
    }
    if (o->err)
        return; /* the output is lost already: keep the first error */
    int e = write_all(o, p, n);
    if (e)
        note(o, e);
}

/* Room for n more bytes (n <= BUF_SIZE) at the end of the buffer. */
static inline char *
room(CsvOut *o, gsize n)
{
    if (BUF_SIZE - o->len < n)
        flush_buf(o, TRUE);
    return o->buf + o->len;
}

/* Appends n bytes, however many. */
static void
put(CsvOut *o, const char *s, gsize n)
{
    while (n > 0) {
        if (o->len == BUF_SIZE)
            flush_buf(o, TRUE);
        gsize k = MIN(n, BUF_SIZE - o->len);
        memcpy(o->buf + o->len, s, k);
        o->len += k;
        s += k;
        n -= k;
    }
}

static inline void
put_c(CsvOut *o, char c)
{
    *room(o, 1) = c;
    o->len++;
}

CsvOut *
csv_out_create(const char *path, int mode, const char *const *header, GError **error)
{
    CsvOut *o = g_new0(CsvOut, 1);
    o->path = g_strdup(path);
    o->slot = -1;
    o->fd = -1;
    struct stat st;
    if (strcmp(path, "-") == 0) {
        /* standard output, through stdio */
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
        o->fd = fd;
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
        o->fd = fd;
    }
    o->buf = g_malloc(BUF_SIZE);
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

static inline void
sep(CsvOut *o)
{
    if (o->row_started)
        put_c(o, ',');
    o->row_started = TRUE;
}

void
csv_out_strn(CsvOut *o, const char *s, gsize len)
{
    sep(o);
    if (!needs_quotes(s, len)) {
        if (len <= 256) {
            memcpy(room(o, len), s, len);
            o->len += len;
        } else {
            put(o, s, len);
        }
        return;
    }
    put_c(o, '"');
    const char *q;
    while (len > 0 && (q = memchr(s, '"', len)) != NULL) {
        /* the text up to and including a quote, then the quote doubled */
        gsize k = (gsize)(q - s) + 1;
        put(o, s, k);
        put_c(o, '"');
        s += k;
        len -= k;
    }
    put(o, s, len);
    put_c(o, '"');
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
    char tmp[24];
    char *e = tmp + sizeof tmp, *p = e;
    /* in unsigned arithmetic, so that INT64_MIN converts too */
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--p = '-';
    gsize n = (gsize)(e - p);
    memcpy(room(o, n), p, n);
    o->len += n;
}

void
csv_out_blank(CsvOut *o)
{
    sep(o);
}

void
csv_out_end(CsvOut *o)
{
    put_c(o, '\n');
    o->row_started = FALSE;
    o->rows++;
}

void
csv_out_line(CsvOut *o, const char *line)
{
    put(o, line, strlen(line));
    put_c(o, '\n');
    o->rows++;
}

void
csv_out_raw(CsvOut *o, const void *data, gsize len)
{
    o->binary = TRUE;
    put(o, data, len);
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

void
csv_out_set_data(CsvOut *o, gpointer data, GDestroyNotify destroy)
{
    if (o->data && o->data_destroy)
        o->data_destroy(o->data);
    o->data = data;
    o->data_destroy = destroy;
}

gpointer
csv_out_get_data(const CsvOut *o)
{
    return o->data;
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
    if (o->data && o->data_destroy)
        o->data_destroy(o->data);
    g_free(o->buf);
    g_free(o->spare);
    g_free(o->path);
    g_free(o->tmp);
    g_free(o);
}

gboolean
csv_out_commit(CsvOut *o, GError **error)
{
    flush_buf(o, FALSE);
    writer_stop(o);
    if (o->fd < 0 && fflush(stdout) != 0)
        note(o, errno);
    if (o->direct && close(o->fd) != 0)
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
    if (fsync(o->fd) != 0 && errno != EINVAL)
        note(o, errno);
    if (close(o->fd) != 0)
        note(o, errno);
    if (o->err == 0 && rename(o->tmp, o->path) != 0)
        note(o, errno);
    if (o->err == 0) {
        /* Make the rename itself durable: fsync the directory that holds it. */
        g_autofree char *dir = g_path_get_dirname(o->path);
        int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
            (void)fsync(dfd);
            close(dfd);
        }
    }
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
    writer_stop(o);
    if (o->tmp) {
        close(o->fd);
        unlink(o->tmp);
    } else if (o->direct) {
        close(o->fd);
    }
    out_free(o);
}
