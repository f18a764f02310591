/*
 * log.h: the one logging module of pbc-pipeline.
 *
 * Every program calls pbc_log_init() first; messages then go to stderr in
 * PostgreSQL's style, "prog: error: could not open file "x": reason", with
 * detail and hint lines below.  Library code logs warnings and progress but
 * never exits: it returns a status and a GError, and only main() decides the
 * exit code (see the PBC_EXIT_* classes).
 */
#ifndef PBC_LOG_H
#define PBC_LOG_H

#include <glib.h>

/* Exit codes, one per failure class; documented in README.md. */
enum {
    PBC_EXIT_OK = 0,
    PBC_EXIT_DATA = 1,   /* rows rejected over the limit, a failed reconciliation */
    PBC_EXIT_USAGE = 2,  /* bad command line */
    PBC_EXIT_INPUT = 3,  /* I/O error, unreadable or malformed input or reference file */
    PBC_EXIT_DB = 4      /* database error */
};

/* GError domain of the project's library code. */
#define PBC_ERROR (pbc_error_quark())
GQuark pbc_error_quark(void);
typedef enum {
    PBC_ERROR_IO,        /* could not read or write a file */
    PBC_ERROR_FORMAT,    /* a file's content is unusable (missing column, corrupt gzip) */
    PBC_ERROR_REFDATA,   /* reference data is wrong (duplicate key, bad price) */
    PBC_ERROR_DATA,      /* a run-level data check failed (reject rate, reconciliation) */
    PBC_ERROR_DB         /* database */
} PbcErrorCode;

/* Maps a GError from the library to the exit code class. */
int pbc_exit_code_for(const GError *error);

/*
 * Installs the stderr handler and remembers the program name used as the
 * message prefix.  Verbose enables info lines (progress); quiet hides them.
 */
void pbc_log_init(const char *prog);
void pbc_log_set_verbose(gboolean verbose);
const char *pbc_log_prog(void);

/* Error-level message: "prog: error: ...".  Does not exit. */
void pbc_error(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
/* "prog: warning: ..." */
void pbc_warning(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
/* "prog: ...": what a stage read, wrote and rejected.  Shown unless quiet. */
void pbc_info(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
/* "detail: ..." / "hint: ..." lines following an error. */
void pbc_detail(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
void pbc_hint(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

/*
 * Reports a failed GError as an error line, then returns the exit code for
 * it.  Consumes nothing; the caller frees the error.
 */
int pbc_report(const GError *error);

/*
 * Progress on a terminal: a single rewritten line on stderr, only when stderr
 * is a tty.  pbc_progress_done() ends the line.
 */
void pbc_progress(const char *what, guint64 done, guint64 total);
void pbc_progress_done(void);

#endif
