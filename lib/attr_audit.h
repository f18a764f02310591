/*
 * attr_audit.h: the attribution audit accumulator (SPEC §5, docs/outputs.md).
 *
 * The attribute stage adds every unit it attributed; the aggregate stage
 * adds the units of the run's range.  Both then write the same three files:
 *
 *   attribution_audit.csv    provider_code, activity_month, attribution_method,
 *                            exeter_reason, cds_reason, unattributed_reason,
 *                            units, price_pence
 *   attribution_mismatch.csv cds_practice_code, exeter_practice_code, units (R-A7)
 *   out_of_area.csv          practice_code, practice_pct_code, provider_code,
 *                            units, price_pence (R-A6, the recharge list)
 *
 * Rows are sorted by their key columns in byte order, so a run's files are
 * the same whatever order the units came in.
 *
 * Call order: attr_audit_new(), attr_audit_add() per unit, attr_audit_write()
 * (or the three single-file writers), attr_audit_free().
 */
#ifndef PBC_ATTR_AUDIT_H
#define PBC_ATTR_AUDIT_H

#include "unit.h"

#include <glib.h>

typedef struct AttrAudit AttrAudit;

/* A new, empty accumulator owned by the caller. */
AttrAudit *attr_audit_new(void);

/* Frees a; accepts NULL. */
void attr_audit_free(AttrAudit *a);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(AttrAudit, attr_audit_free)

/*
 * Counts u (its strings are copied, u may be reused afterwards):
 * - in the audit under (provider_code, activity_month, attribution_method,
 *   exeter_reason, cds_reason, unattributed_reason), where activity_month is
 *   the month of charge_date, or of attribution_date when there is no charge
 *   date (an unfinished spell), blank when neither; price_pence adds the
 *   unit's price_pence when present, else 0;
 * - in the mismatch matrix when u->mismatch;
 * - in the recharge list when u->out_of_area, unless its price_method is
 *   NOT_CHARGEABLE (R-G1: such a unit's scope is NOT_CHARGEABLE, not
 *   OUT_OF_AREA).
 */
void attr_audit_add(AttrAudit *a, const Unit *u);

/* Units added so far. */
guint64 attr_audit_units(const AttrAudit *a);

/*
 * Writes one file at path (CSV_OUT_PUBLIC, atomic through csv_out).
 * FALSE with PBC_ERROR_IO when the file cannot be created or written.
 */
gboolean attr_audit_write_audit(const AttrAudit *a, const char *path, GError **error);
gboolean attr_audit_write_mismatch(const AttrAudit *a, const char *path, GError **error);
gboolean attr_audit_write_out_of_area(const AttrAudit *a, const char *path, GError **error);

/*
 * Writes attribution_audit.csv, attribution_mismatch.csv and out_of_area.csv
 * into dir (which must exist).  FALSE with the first error.
 */
gboolean attr_audit_write(const AttrAudit *a, const char *dir, GError **error);

#endif
