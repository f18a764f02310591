/*
 * stmt_charges.h: the patient-level charges behind each statement.
 *
 * Beside each practice's page pbc-statements writes <code>_charges.csv: one
 * row per PRACTICE unit of the year to date from pbc.v_patient_charges, with
 * every price component (base, excess bed days and pence, SSE, MFF, price,
 * method) and the practice and risk-pool parts, so that a practice can
 * validate each charge against its own records (SPEC §7.2; the East Devon
 * patient-level files).  Rows come in R-G2's order (charge date, POD,
 * unit_id), money in integer pence as in every output (SPEC §7.1).  The
 * files hold NHS numbers and dates of birth: created mode 0600 through
 * csv_out (atomic, every write checked).
 */
#ifndef PBC_STMT_CHARGES_H
#define PBC_STMT_CHARGES_H

#include "stmt_data.h"
#include "stmt_output.h"

#include <glib.h>
#include <libpq-fe.h>

/*
 * Streams the view inside stmt_data_load()'s snapshot and writes one file
 * per practice of d (stmt_csv.h), a header-only file for a practice without
 * units.  Fills each practice's charge_rows and charge_practice_pence and
 * checks that the latter equals its spend_ytd.  FALSE with PBC_ERROR_DB (the
 * query), PBC_ERROR_IO (a file) or PBC_ERROR_DATA (a sum that differs).
 */
gboolean stmt_charges_write(PGconn *conn, StmtData *d, StmtOutput *out, GError **error);

#endif
