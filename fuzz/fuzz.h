/*
 * fuzz.h: helpers shared by the libFuzzer harnesses of pbc-pipeline (issue 9).
 *
 * Each harness in fuzz/ feeds its input to one of the library's readers the
 * way a stage would: the readers open files by path, so the input is put in
 * a file first.  Single-file readers get an anonymous memfd named by its
 * /proc/self/fd path (no disk, nothing to clean up); readers of a whole
 * reference directory get a private temporary directory, made once per
 * process and removed at exit.  The harnesses are built and run by
 * scripts/fuzz.sh only, never by the main Makefile (see docs/reliability.md).
 *
 * FUZZ_CHECK() states an invariant of the code under test: when it fails the
 * harness aborts, which libFuzzer reports as a crash with the input saved,
 * exactly like a sanitizer finding.
 */
#ifndef PBC_FUZZ_H
#define PBC_FUZZ_H

#define _GNU_SOURCE
#include "log.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <sanitizer/common_interface_defs.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* The message goes through the sanitizers' report stream: scripts/fuzz.sh
 * closes the harness's own stderr (-close_fd_mask) to keep the stages'
 * warnings out of the logs. */
#define FUZZ_CHECK(cond)                                                                 \
    do {                                                                                  \
        if (!(cond)) {                                                                    \
            __sanitizer_report_error_summary("fuzz: invariant failed at " __FILE__ ":"    \
                                             G_STRINGIFY(__LINE__) ": " #cond);           \
            abort();                                                                      \
        }                                                                                 \
    } while (0)

/* Every harness is a libFuzzer entry point. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A reader refused its input: with a PBC_ERROR naming the file @name (the
 * reader's error messages always say which file); the error is cleared.  A
 * macro, so that a failure names the harness's own line. */
#define FUZZ_CHECK_LOAD_ERROR(error, name)                                                 \
    do {                                                                                  \
        FUZZ_CHECK((error) != NULL && (error)->domain == PBC_ERROR);                     \
        FUZZ_CHECK(strstr((error)->message, (name)) != NULL);                             \
        g_clear_error(&(error));                                                          \
    } while (0)

/* Once per process: quiet logging (warnings still reach stderr, which
 * scripts/fuzz.sh discards with -close_fd_mask). */
static inline void
fuzz_init(void)
{
    static int done;
    if (done)
        return;
    done = 1;
    pbc_log_init("fuzz");
    pbc_log_set_verbose(FALSE);
}

/* Writes all of data to fd from offset 0 and truncates there. */
static inline void
fuzz_fill_fd(int fd, const void *data, size_t size)
{
    FUZZ_CHECK(ftruncate(fd, 0) == 0);
    const char *p = data;
    size_t done = 0;
    while (done < size) {
        ssize_t n = pwrite(fd, p + done, size - done, (off_t)done);
        FUZZ_CHECK(n > 0);
        done += (size_t)n;
    }
}

/*
 * A memfd holding data, reopenable by path: returns the fd (the caller
 * closes it) and writes its "/proc/self/fd/N" path into path (>= 64 bytes).
 */
static inline int
fuzz_memfd(const void *data, size_t size, char *path)
{
    int fd = memfd_create("fuzz-input", MFD_CLOEXEC);
    FUZZ_CHECK(fd >= 0);
    fuzz_fill_fd(fd, data, size);
    snprintf(path, 64, "/proc/self/fd/%d", fd);
    return fd;
}

/* The process's private temporary directory, removed at exit. */
static char *fuzz_dir_path;

static void
fuzz_dir_remove(void)
{
    if (fuzz_dir_path == NULL)
        return;
    GDir *d = g_dir_open(fuzz_dir_path, 0, NULL);
    if (d) {
        const char *n;
        while ((n = g_dir_read_name(d)) != NULL) {
            g_autofree char *p = g_build_filename(fuzz_dir_path, n, NULL);
            g_unlink(p);
        }
        g_dir_close(d);
    }
    g_rmdir(fuzz_dir_path);
}

static inline const char *
fuzz_dir(void)
{
    if (fuzz_dir_path == NULL) {
        fuzz_dir_path = g_dir_make_tmp("pbc-fuzz-XXXXXX", NULL);
        FUZZ_CHECK(fuzz_dir_path != NULL);
        atexit(fuzz_dir_remove);
    }
    return fuzz_dir_path;
}

/* Replaces dir/name with data. */
static inline void
fuzz_write(const char *name, const void *data, size_t size)
{
    g_autofree char *p = g_build_filename(fuzz_dir(), name, NULL);
    FILE *f = fopen(p, "wb");
    FUZZ_CHECK(f != NULL);
    FUZZ_CHECK(size == 0 || fwrite(data, 1, size, f) == size);
    FUZZ_CHECK(fclose(f) == 0);
}

/* A NUL-terminated copy of data (embedded NULs kept; the caller frees). */
static inline char *
fuzz_str(const uint8_t *data, size_t size)
{
    char *s = g_malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

#endif
