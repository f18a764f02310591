/*
 * sheet.h: writing one generated CSV file, plain or gzip, with or without
 * the quirks SPEC §3 says readers must survive.
 *
 * Call order: sheet_open(), then per row any number of sheet_set*() calls
 * (columns not set are blank) and one sheet_end_row(); then sheet_close(),
 * which flushes, checks every write and renames the file into place.  On
 * any error call sheet_abort(), which removes the partial file.  The file
 * is written as ".NAME.tmp" beside its final name, so a reader never sees a
 * half-written input (SPEC §3.1 ignores hidden files).
 *
 * Columns are addressed by their canonical index (the order of the @cols
 * array given to sheet_open()); the style decides the order, case and
 * padding they are written with.
 */
#ifndef PBC_GEN_SHEET_H
#define PBC_GEN_SHEET_H

#include "calendar.h"

#include <glib.h>

/* The look of one file.  Zero-initialised = plain, clean RFC 4180 with LF
 * line ends, canonical lower-case header, ISO dates, one gzip member. */
typedef struct {
    gboolean gzip;          /* gzip-compress the file */
    int level;              /* gzip level (1..9; 0 = 6) */
    guint64 member_rows;    /* start a new gzip member every N rows; 0 = one */
    gboolean bom;           /* UTF-8 byte-order mark before the header */
    gboolean crlf;          /* CRLF line ends */
    gboolean shuffle;       /* columns in a random order */
    int header_case;        /* 0 lower, 1 UPPER, 2 Mixed_Case */
    gboolean header_pad;    /* spaces around some header names */
    CalStyle date_style;    /* how dates are spelt */
    gboolean mixed_dates;   /* ~1 row in 6 uses another spelling */
    double quote_p;         /* chance a field is quoted though it need not be */
    double pad_p;           /* chance a value gets surrounding spaces */
    double date_only_p;     /* chance a datetime is written as a date alone */
    const char *extra_col;  /* name of an unknown extra column, or NULL */
    double blank_line_p;    /* chance of an empty line after a row */
    gboolean money_whole;   /* write whole-pound amounts without ".00" */
} SheetStyle;

typedef struct Sheet Sheet;

/* Opens @path for writing (through a hidden temporary name) with @ncols
 * columns named @cols (borrowed: must outlive the sheet), styled by @st;
 * @key seeds the file's cosmetic choices.  Writes the header.  Returns NULL
 * and sets @err when the file cannot be created. */
Sheet *sheet_open(const char *path, const char *const *cols, int ncols,
                  const SheetStyle *st, guint64 key, GError **err);

/* Sets column @col of the current row; the value is copied. */
void sheet_set(Sheet *sh, int col, const char *s);
void sheet_setn(Sheet *sh, int col, const char *s, int n);
void sheet_set_int(Sheet *sh, int col, gint64 v);

/* Sets a date in the file's spelling (or, with mixed_dates, another). */
void sheet_set_date(Sheet *sh, int col, Day d);

/* Sets a date as spelt by @style, whatever the file's style. */
void sheet_set_date_as(Sheet *sh, int col, Day d, CalStyle style);

/* Sets an impossible date (e.g. 30 February) in the file's spelling. */
void sheet_set_bad_date(Sheet *sh, int col, int y, int m, int d);

/* Sets "YYYY-MM-DD HH:MM:SS", or sometimes (date_only_p) the date alone
 * when @secs is 0. */
void sheet_set_datetime(Sheet *sh, int col, Day d, int secs);

/* Sets an amount of money, integer @pence, as pounds: "1234.50" (or
 * "1234" for whole pounds when the style says money_whole). */
void sheet_set_money(Sheet *sh, int col, gint64 pence);

/* The file's date spelling. */
CalStyle sheet_date_style(const Sheet *sh);

/* Ends the row and writes it.  @field_delta != 0 writes that many fields
 * too many (> 0) or too few (< 0): a deliberately malformed record.
 * Returns FALSE and sets @err on a write error. */
gboolean sheet_end_row(Sheet *sh, int field_delta, GError **err);

/* Rows written so far (not counting the header). */
guint64 sheet_rows(const Sheet *sh);

/* Flushes, closes and renames the file into place; frees @sh whatever
 * happens.  Returns FALSE and sets @err (and removes the partial file) on
 * failure. */
gboolean sheet_close(Sheet *sh, GError **err);

/* Removes the partial file and frees @sh.  Accepts NULL. */
void sheet_abort(Sheet *sh);

/* The error domain of the generator's I/O errors. */
#define GEN_ERROR (gen_error_quark())
GQuark gen_error_quark(void);
enum { GEN_ERROR_IO = 1, GEN_ERROR_INPUT, GEN_ERROR_USAGE };

#endif
