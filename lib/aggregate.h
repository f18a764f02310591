/*
 * aggregate.h: the last computing stage (SPEC §7, R-G1 … R-G5, R-B1 … R-B5).
 *
 * Reads the priced units and the ingest stage's counts from the work
 * directory and writes every SPEC §7.1 file into the output directory:
 * priced activity with budget scope and the high-cost split, practice-month
 * totals, statements, breakdowns, benchmarks, data quality, audits,
 * budgets (when the run sets them) and the reconciliation, which must hold
 * to the penny or the run fails.  statements.csv is renamed into place last.
 */
#ifndef PBC_AGGREGATE_H
#define PBC_AGGREGATE_H

#include <glib.h>

typedef struct {
    const char *ref_dir;
    const char *work_dir;    /* priced.csv, ingest_dq.csv, file_reconciliation.csv, rejects.csv */
    const char *in_dir;      /* recorded in run.ini only (may be NULL) */
    const char *out_dir;
    const char *pct;         /* NULL: REF/pbc.conf's pct */
    const char *period;      /* YYYY-MM */
    gboolean budgets_only;   /* R-B: write budgets.csv and stop */
} AggregateParams;

/* Runs the stage.  FALSE with error (PBC_ERROR_DATA for a failed reconciliation). */
gboolean aggregate_run(const AggregateParams *p, GError **error);

#endif
