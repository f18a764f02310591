/*
 * csv_in.h: reading CSV records from plain or gzip files.
 *
 * Every CSV read in pbc-pipeline goes through here: zlib decompresses
 * (gzip detected by content, several concatenated members allowed, plain
 * files passed through), libcsv parses RFC 4180 strictly (quoted fields with
 * embedded commas, quotes and newlines; LF or CRLF), and this module adds
 * what the pipeline needs on top: the physical line where each record starts,
 * the raw bytes of the record for the reject file, a flag for broken quoting
 * (the record is returned, not fatal, so the caller can reject it and go on),
 * a UTF-8 byte-order mark skipped, values trimmed of surrounding spaces,
 * empty lines skipped, and header look-up by case-insensitive name.
 *
 * Call order: csv_in_open(), csv_in_read_header() (optional),
 * csv_in_next() until it returns 0, csv_in_free().
 */
#ifndef PBC_CSV_IN_H
#define PBC_CSV_IN_H

#include <glib.h>
#include <stdint.h>

typedef struct CsvIn CsvIn;

/*
 * Opens path ("-" = standard input).  Returns NULL with error set
 * (PBC_ERROR_IO) when the file cannot be opened.  The returned reader is
 * owned by the caller; free it with csv_in_free().
 */
CsvIn *csv_in_open(const char *path, GError **error);

/* Closes and frees; accepts NULL. */
void csv_in_free(CsvIn *in);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CsvIn, csv_in_free)

/*
 * Reads the next record.  Returns 1 when a record is available, 0 at the end
 * of the input, -1 on a fatal error (error set: PBC_ERROR_IO for read errors,
 * PBC_ERROR_FORMAT for a corrupt or truncated gzip stream).  A record whose
 * quoting is broken is still returned (1) with csv_in_broken() TRUE; its
 * fields are then unusable.  Field pointers stay valid until the next call.
 */
int csv_in_next(CsvIn *in, GError **error);

/*
 * Reads the first record as the header: names trimmed and lower-cased for
 * csv_in_column().  Returns FALSE with PBC_ERROR_FORMAT when the file is
 * empty or its header's quoting is broken, or the read error.
 */
gboolean csv_in_read_header(CsvIn *in, GError **error);

/* Index of a header column by name (case-insensitive), or -1. */
int csv_in_column(const CsvIn *in, const char *name);

/* Number of header columns (0 before csv_in_read_header()). */
guint csv_in_header_count(const CsvIn *in);

/*
 * Looks up each of names (NULL-terminated) and stores its index in idx[];
 * returns FALSE with PBC_ERROR_FORMAT naming the file and the first missing
 * column when a required one is absent.
 */
gboolean csv_in_require(const CsvIn *in, const char *const *names, int *idx, GError **error);

/* Fields of the current record. */
guint csv_in_count(const CsvIn *in);
/*
 * Field i, trimmed of surrounding spaces and tabs, NUL-terminated; "" when
 * i is negative or beyond the record (an absent optional column).
 */
const char *csv_in_field(const CsvIn *in, int i);
/* Length of field i in bytes (it may hold NUL bytes). */
gsize csv_in_field_len(const CsvIn *in, int i);

/* Physical line (1-based) where the current record starts. */
int64_t csv_in_line(const CsvIn *in);
/* Raw bytes of the current record, line ends inside it kept, the final one dropped. */
const char *csv_in_raw(const CsvIn *in, gsize *len);
/* TRUE when the current record's quoting is broken (RFC 4180). */
gboolean csv_in_broken(const CsvIn *in);
/* The path given to csv_in_open(). */
const char *csv_in_path(const CsvIn *in);
/* Bytes of decompressed input consumed so far (for progress). */
uint64_t csv_in_offset(const CsvIn *in);

#endif
