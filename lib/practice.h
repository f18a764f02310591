/*
 * practice.h: the practice table, REF/practices.csv (SPEC §3.2).
 *
 * Used by the attribute stage (R-A3 "a practice listed in practices.csv",
 * R-A5 successors of closed practices, R-A6 the practice's PCT) and by the
 * aggregate stage (the PCT's practices for statements, R-G3, and budgets,
 * R-B1).  The file may list the practices of many PCTs; every row is loaded.
 *
 * Call order: practice_table_load(), then any number of look-ups from any
 * thread (the table is read-only once loaded), then practice_table_free().
 * Every string returned is owned by the table and lives as long as it.
 */
#ifndef PBC_PRACTICE_H
#define PBC_PRACTICE_H

#include "date.h"

#include <glib.h>

typedef struct PracticeTable PracticeTable;
typedef struct Practice Practice;

/*
 * Loads a practices file (plain or gzip, through csv_in): columns
 * practice_code and pct_code are required; practice_name, consortium_code,
 * open_date, close_date and successor_code are optional (blank when the
 * column is absent).  Dates in any accepted format, blank = none.
 *
 * Returns NULL with PBC_ERROR_REFDATA naming the file, line and column on a
 * blank practice_code, a duplicate practice_code or a date that does not
 * parse, and naming the practices for a successor cycle among closed
 * practices (R-A5 could never end); PBC_ERROR_IO / PBC_ERROR_FORMAT for an
 * unreadable file, corrupt gzip, a missing column or broken quoting.
 *
 * Rows whose code is a pseudo code (V819xx, see practice_code_is_pseudo())
 * are skipped with a warning: pseudo codes are never listed practices
 * (R-A6), whatever the file says.
 *
 * The caller owns the table; free it with practice_table_free().
 */
PracticeTable *practice_table_load(const char *path, GError **error);

/* Frees the table and everything it returned; accepts NULL. */
void practice_table_free(PracticeTable *t);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PracticeTable, practice_table_free)

/* The practice listed under code (exact byte match), or NULL when unlisted or blank. */
const Practice *practice_lookup(const PracticeTable *t, const char *code);

/*
 * Every listed practice as const Practice *, in byte order of code.  Owned
 * by the table; do not modify.
 */
const GPtrArray *practice_list(const PracticeTable *t);

/* Number of listed practices. */
guint practice_count(const PracticeTable *t);

/* Accessors.  Strings are never NULL: "" when blank. */
const char *practice_code(const Practice *p);
const char *practice_name(const Practice *p);
const char *practice_consortium(const Practice *p);
const char *practice_pct(const Practice *p);
/* PBC_NO_DATE when blank. */
PbcDate practice_open_date(const Practice *p);
/* The first day closed; PBC_NO_DATE when blank (still open). */
PbcDate practice_close_date(const Practice *p);
const char *practice_successor(const Practice *p);

/*
 * TRUE when p is open on day: open_date blank or <= day, and close_date
 * blank or > day (a close_date is the first day closed).
 */
gboolean practice_is_open(const Practice *p, PbcDate day);

/*
 * TRUE when code is a pseudo practice code V819xx (V81997 no registered GP,
 * V81998 not applicable, V81999 not known): "V819" and two digits.
 */
gboolean practice_code_is_pseudo(const char *code);

/*
 * The successor resolver of R-A5.  Starting from code, while the current
 * practice is listed and its close_date is on or before day, moves to its
 * successor_code.  The chain ends at a practice not closed on day, at a
 * code not in the table (it has nothing to close), or at a closed practice
 * with no successor.  A successor's open date is not checked.
 *
 * OUT: *out = the code where the chain ended (code itself when nothing was
 * closed, else a table-owned string).
 * Returns TRUE when the chain ended at a usable practice, FALSE when it
 * ended at a closed practice with no successor ("closed, no successor":
 * *out is then that closed practice's code).  A blank code or a day of
 * PBC_NO_DATE hands nothing over (TRUE, *out = code).  Never loops: cycles
 * are refused at load.
 */
gboolean practice_resolve(const PracticeTable *t, const char *code, PbcDate day,
                          const char **out);

#endif
