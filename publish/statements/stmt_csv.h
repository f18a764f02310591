/*
 * stmt_csv.h: one CSV file per practice from one query (pbc-statements).
 *
 * Beside each practice's page pbc-statements writes files of patient-level
 * rows: its charges (stmt_charges.h) and the units that changed since the
 * previous run (stmt_changes.h).  Both come from a view over the whole
 * (PCT, period), read once in stmt_data_load()'s snapshot and split by
 * practice here, rather than one query per practice: the rows stream in
 * libpq's single-row mode (a practice's hundred thousand units are never
 * all in memory) and go through csv_out (mode 0600, under a temporary name
 * renamed into place, every write checked).  A practice with no rows gets
 * a header-only file, since its page links the file.
 */
#ifndef PBC_STMT_CSV_H
#define PBC_STMT_CSV_H

#include "stmt_data.h"
#include "stmt_output.h"

#include <glib.h>
#include <libpq-fe.h>

/* What to write: the query, the file's columns and where each practice's rows go. */
typedef struct {
    const char *what;            /* for messages: "could not read <what>" */
    const char *sql;             /* $1 the PCT, $2 the period; column 0 practice_code,
                                  * rows grouped by it; the columns are the header's */
    const char *const *header;   /* NULL-terminated */
    /* The practice's file name in the statements directory. */
    const char *(*file_of)(const StmtPractice *p);
    /* Called for each row written (row 0 of res), to count or sum it; may be NULL. */
    void (*add_row)(StmtData *d, StmtPractice *p, const PGresult *res);
} StmtCsvSpec;

/*
 * Runs spec->sql inside the snapshot on conn and writes one file per
 * practice of d into out's working directory; rows of a practice d does not
 * hold are skipped.  FALSE with PBC_ERROR_DB (the query) or PBC_ERROR_IO (a
 * file); no file of the failing practice is left.
 */
gboolean stmt_csv_write(PGconn *conn, StmtData *d, StmtOutput *out, const StmtCsvSpec *spec,
                        GError **error);

#endif
