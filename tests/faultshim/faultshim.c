/*
 * faultshim.c: an LD_PRELOAD fault injector for the black-box reliability
 * tests (tests/test_faults.c, tests/test_bad_input.c; issue 9).
 *
 * It makes a stage see the failures a real system produces, without root
 * or a special file system: a full disk on the Nth write, a failing fsync
 * or rename, a file that cannot be opened.  tests/test_faults.c builds it
 * with `cc -shared -fPIC` into a temporary directory and runs a stage with
 * LD_PRELOAD pointing at it (and ASAN_OPTIONS=verify_asan_link_order=0, as
 * the sanitizer runtime is then not first in the library list).
 *
 * Writes are counted and failed at the file-descriptor level.  Calls to
 * write() from any shared library go through the interposed symbol; stdio's
 * own writes do not (glibc calls its internal write), so every FILE a stage
 * opens for writing with fdopen() or fopen() is replaced by an fopencookie()
 * stream over the same descriptor whose write function goes through the
 * same counter; fileno() on such a stream returns that descriptor.  Only
 * writes to regular files count: stderr and pipes are never failed.
 *
 * Configuration (environment; all optional):
 *   FAULTSHIM_WRITE_FAIL=N     fail the Nth write to a regular file (1-based)
 *   FAULTSHIM_WRITE_MODE=once  only that write fails (default: "always",
 *                              it and every later one fail, a full disk)
 *   FAULTSHIM_ERRNO=28         errno of the failed write (default ENOSPC)
 *   FAULTSHIM_FSYNC_FAIL=1     fsync() of a regular file fails with EIO
 *   FAULTSHIM_RENAME_FAIL=name rename() onto a file of that base name fails (EIO)
 *   FAULTSHIM_OPEN_FAIL=name   opening a file of that base name fails (EACCES)
 *   FAULTSHIM_PROGS=a,b        act only in programs of these names (default all)
 *   FAULTSHIM_COUNT=path       at exit, append "prog writes=N fsyncs=N renames=N"
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

static ssize_t (*real_write)(int, const void *, size_t);
static int (*real_fsync)(int);
static int (*real_rename)(const char *, const char *);
static int (*real_open)(const char *, int, ...);
static int (*real_open64)(const char *, int, ...);
static int (*real_openat)(int, const char *, int, ...);
static FILE *(*real_fopen)(const char *, const char *);
static FILE *(*real_fopen64)(const char *, const char *);
static FILE *(*real_fdopen)(int, const char *);
static int (*real_fileno)(FILE *);
static int (*real_close)(int);

static int active = -1;          /* -1 not decided yet */
static long fail_at, nwrites, nfsyncs, nrenames;
static int fail_once, fail_errno = ENOSPC;

static void
resolve(void)
{
    if (real_write)
        return;
    real_write = dlsym(RTLD_NEXT, "write");
    real_fsync = dlsym(RTLD_NEXT, "fsync");
    real_rename = dlsym(RTLD_NEXT, "rename");
    real_open = dlsym(RTLD_NEXT, "open");
    real_open64 = dlsym(RTLD_NEXT, "open64");
    real_openat = dlsym(RTLD_NEXT, "openat");
    real_fopen = dlsym(RTLD_NEXT, "fopen");
    real_fopen64 = dlsym(RTLD_NEXT, "fopen64");
    real_fdopen = dlsym(RTLD_NEXT, "fdopen");
    real_fileno = dlsym(RTLD_NEXT, "fileno");
    real_close = dlsym(RTLD_NEXT, "close");
}

/* Whether this program is one the tests aim at (FAULTSHIM_PROGS). */
static int
is_active(void)
{
    if (active >= 0)
        return active;
    const char *progs = getenv("FAULTSHIM_PROGS");
    active = 1;
    if (progs && *progs) {
        const char *me = program_invocation_short_name;
        size_t n = strlen(me);
        active = 0;
        for (const char *p = progs; *p;) {
            const char *end = strchr(p, ',');
            size_t len = end ? (size_t)(end - p) : strlen(p);
            if (len == n && strncmp(p, me, n) == 0)
                active = 1;
            p += len + (end ? 1 : 0);
        }
    }
    const char *s = getenv("FAULTSHIM_WRITE_FAIL");
    fail_at = s ? atol(s) : 0;
    s = getenv("FAULTSHIM_WRITE_MODE");
    fail_once = s && strcmp(s, "once") == 0;
    s = getenv("FAULTSHIM_ERRNO");
    if (s && atoi(s) > 0)
        fail_errno = atoi(s);
    return active;
}

static int
is_regular(int fd)
{
    struct stat st;
    return fd > 2 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
}

static int
name_matches(const char *path, const char *env)
{
    const char *want = getenv(env);
    if (!want || !*want || !path || !is_active())
        return 0;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    return strcmp(base, want) == 0;
}

/* Every write to a regular file comes here: counted, and failed when told. */
static ssize_t
faulty_write(int fd, const void *buf, size_t n)
{
    resolve();
    if (n > 0 && is_active() && is_regular(fd)) {
        long k = ++nwrites;
        if (fail_at > 0 && (fail_once ? k == fail_at : k >= fail_at)) {
            errno = fail_errno;
            return -1;
        }
    }
    return real_write(fd, buf, n);
}

ssize_t
write(int fd, const void *buf, size_t n)
{
    return faulty_write(fd, buf, n);
}

int
fsync(int fd)
{
    resolve();
    if (is_active() && is_regular(fd)) {
        nfsyncs++;
        const char *s = getenv("FAULTSHIM_FSYNC_FAIL");
        if (s && strcmp(s, "1") == 0) {
            errno = EIO;
            return -1;
        }
    }
    return real_fsync(fd);
}

int
rename(const char *from, const char *to)
{
    resolve();
    if (is_active())
        nrenames++;
    if (name_matches(to, "FAULTSHIM_RENAME_FAIL")) {
        errno = EIO;
        return -1;
    }
    return real_rename(from, to);
}

/* --- opening --------------------------------------------------------------- */

static int
open_fails(const char *path)
{
    if (name_matches(path, "FAULTSHIM_OPEN_FAIL")) {
        errno = EACCES;
        return 1;
    }
    return 0;
}

int
open(const char *path, int flags, ...)
{
    resolve();
    mode_t mode = 0;
    if (flags & (O_CREAT | O_TMPFILE)) {
        va_list ap;
        va_start(ap, flags);
        mode = va_arg(ap, mode_t);
        va_end(ap);
    }
    if (open_fails(path))
        return -1;
    return real_open(path, flags, mode);
}

int
open64(const char *path, int flags, ...)
{
    resolve();
    mode_t mode = 0;
    if (flags & (O_CREAT | O_TMPFILE)) {
        va_list ap;
        va_start(ap, flags);
        mode = va_arg(ap, mode_t);
        va_end(ap);
    }
    if (open_fails(path))
        return -1;
    return real_open64(path, flags, mode);
}

int
openat(int dirfd, const char *path, int flags, ...)
{
    resolve();
    mode_t mode = 0;
    if (flags & (O_CREAT | O_TMPFILE)) {
        va_list ap;
        va_start(ap, flags);
        mode = va_arg(ap, mode_t);
        va_end(ap);
    }
    if (open_fails(path))
        return -1;
    return real_openat(dirfd, path, flags, mode);
}

/* --- stdio streams for writing: cookie streams over the descriptor -------- */

#define MAX_STREAMS 256

static struct {
    FILE *f;
    int fd;
} streams[MAX_STREAMS];

static ssize_t
cookie_write(void *c, const char *buf, size_t n)
{
    int fd = (int)(long)c;
    size_t done = 0;
    while (done < n) {
        ssize_t k = faulty_write(fd, buf + done, n - done);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            return done > 0 ? (ssize_t)done : -1;
        }
        done += (size_t)k;
    }
    return (ssize_t)n;
}

static int
cookie_close(void *c)
{
    int fd = (int)(long)c;
    for (int i = 0; i < MAX_STREAMS; i++)
        if (streams[i].f && streams[i].fd == fd) {
            streams[i].f = NULL;
            break;
        }
    return real_close(fd);
}

/* A write-only stream over fd through the fault counter, or NULL to fall back. */
static FILE *
wrap(int fd, const char *mode)
{
    if (!is_active() || strchr(mode, 'r') || strchr(mode, '+'))
        return NULL;
    int slot = -1;
    for (int i = 0; i < MAX_STREAMS && slot < 0; i++)
        if (streams[i].f == NULL)
            slot = i;
    if (slot < 0)
        return NULL;
    cookie_io_functions_t io = {.read = NULL, .write = cookie_write, .seek = NULL,
                                .close = cookie_close};
    FILE *f = fopencookie((void *)(long)fd, mode, io);
    if (f) {
        streams[slot].f = f;
        streams[slot].fd = fd;
    }
    return f;
}

FILE *
fdopen(int fd, const char *mode)
{
    resolve();
    FILE *f = wrap(fd, mode);
    return f ? f : real_fdopen(fd, mode);
}

static FILE *
open_stream(FILE *(*real)(const char *, const char *), const char *path, const char *mode)
{
    resolve();
    if (open_fails(path))
        return NULL;
    if (!is_active() || strchr(mode, 'r') || strchr(mode, '+'))
        return real(path, mode);
    int flags = O_WRONLY | O_CREAT | (strchr(mode, 'a') ? O_APPEND : O_TRUNC)
                | (strchr(mode, 'e') ? O_CLOEXEC : 0) | (strchr(mode, 'x') ? O_EXCL : 0);
    int fd = real_open(path, flags, 0666);
    if (fd < 0)
        return NULL;
    FILE *f = wrap(fd, mode);
    if (f == NULL)
        f = real_fdopen(fd, mode);
    return f;
}

FILE *
fopen(const char *path, const char *mode)
{
    resolve();
    return open_stream(real_fopen, path, mode);
}

FILE *
fopen64(const char *path, const char *mode)
{
    resolve();
    return open_stream(real_fopen64 ? real_fopen64 : real_fopen, path, mode);
}

int
fileno(FILE *f)
{
    resolve();
    for (int i = 0; i < MAX_STREAMS; i++)
        if (streams[i].f == f)
            return streams[i].fd;
    return real_fileno(f);
}

/* --- the count, for the tests that first learn how many writes a run makes -- */

__attribute__((destructor)) static void
report(void)
{
    const char *path = getenv("FAULTSHIM_COUNT");
    if (!path || !*path || !is_active())
        return;
    resolve();
    int fd = real_open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0)
        return;
    char line[256];
    int n = snprintf(line, sizeof line, "%s writes=%ld fsyncs=%ld renames=%ld\n",
                     program_invocation_short_name, nwrites, nfsyncs, nrenames);
    if (n > 0)
        (void)!real_write(fd, line, (size_t)n);
    real_close(fd);
}
