/*
 * csv_out.h: writing CSV outputs atomically.
 *
 * A stage writes each output under a hidden temporary name in the target's
 * directory and renames it into place only in csv_out_commit(), so a crash,
 * a kill or a full disk never leaves a file that looks finished.  Every
 * write, flush, fsync and close is checked; the first failure is kept and
 * reported by csv_out_commit().  Temporary files still open are removed by
 * csv_out_cleanup_all(), which stages call on every error path and from
 * their SIGINT/SIGTERM handler (installed by csv_out_install_signal_cleanup()).
 *
 * Quoting is RFC 4180: a field is quoted when it holds a comma, a quote, CR
 * or LF, or leading/trailing space; quotes are doubled.
 */
#ifndef PBC_CSV_OUT_H
#define PBC_CSV_OUT_H

#include <glib.h>
#include <stdint.h>

typedef struct CsvOut CsvOut;

/* File modes: patient-identifiable outputs are owner-only (SPEC §8). */
#define CSV_OUT_PUBLIC 0644
#define CSV_OUT_PATIENT 0600

/*
 * Creates the temporary file for path with the given mode and writes the
 * header (a NULL-terminated list of names, or NULL for none).  Returns NULL
 * with PBC_ERROR_IO set when it cannot.  "-" writes to standard output
 * directly (no rename).
 */
CsvOut *csv_out_create(const char *path, int mode, const char *const *header, GError **error);

/* Appends one field to the current row. */
void csv_out_str(CsvOut *o, const char *s);
void csv_out_strn(CsvOut *o, const char *s, gsize len);
void csv_out_int(CsvOut *o, int64_t v);
/* A blank (absent) field. */
void csv_out_blank(CsvOut *o);
/* Ends the current row. */
void csv_out_end(CsvOut *o);
/* Writes a whole pre-formatted line (caller guarantees CSV safety), adding '\n'. */
void csv_out_line(CsvOut *o, const char *line);

/*
 * Appends raw bytes (a binary record; no separator).  Marks the output as
 * binary for csv_out_is_binary(); used by the unit format (unit.h).
 */
void csv_out_raw(CsvOut *o, const void *data, gsize len);
/* TRUE once csv_out_raw() has been used, or after csv_out_set_binary(). */
gboolean csv_out_is_binary(const CsvOut *o);
void csv_out_set_binary(CsvOut *o);
/* Counts one row written by csv_out_raw() callers. */
void csv_out_count_row(CsvOut *o);

/*
 * Attaches data to o for a writer layered on it (the unit format keeps its
 * state here); destroy (may be NULL) frees it when o is committed or
 * aborted.  csv_out_get_data() returns it, or NULL.
 */
void csv_out_set_data(CsvOut *o, gpointer data, GDestroyNotify destroy);
gpointer csv_out_get_data(const CsvOut *o);

/* Rows written so far, header excluded. */
uint64_t csv_out_rows(const CsvOut *o);

/*
 * Flushes, fsyncs, closes and renames into place; frees o.  Returns FALSE
 * with PBC_ERROR_IO naming the file when any step (or an earlier write)
 * failed, in which case the temporary file is removed.
 */
gboolean csv_out_commit(CsvOut *o, GError **error);

/* Closes and removes the temporary file; frees o.  Accepts NULL. */
void csv_out_abort(CsvOut *o);

/* Removes every temporary file still open (error paths, signal handler). */
void csv_out_cleanup_all(void);

/* Installs SIGINT/SIGTERM/SIGHUP handlers that remove temporaries and exit 130/143. */
void csv_out_install_signal_cleanup(void);

#endif
