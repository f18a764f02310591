/*
 * price_audit.h: the pricing audit, accumulated unit by unit.
 *
 * The price stage feeds it every unit it prices (for its log and, with
 * --audit-dir, for audit files over all units); the aggregate stage feeds it
 * the units of the run's range and writes the run's audit files
 * (docs/outputs.md, docs/pricing.md):
 *
 *   pricing_audit.csv  pod, price_method, provider_code, units, price_pence
 *   unpriced.csv       fin_year, dataset, pod, code, provider_code, units
 *   top_hrgs.csv       rank, hrg, units, price_pence   (20 highest-spend HRGs)
 *
 * Rows are sorted so that the same units always give the same bytes,
 * whatever order they were added in.
 *
 * Call order: price_audit_new(), price_audit_add() per unit,
 * price_audit_write() and/or price_audit_log(), price_audit_free().
 */
#ifndef PBC_PRICE_AUDIT_H
#define PBC_PRICE_AUDIT_H

#include "unit.h"

#include <glib.h>
#include <stdint.h>

/* How many HRGs top_hrgs.csv lists. */
#define PRICE_AUDIT_TOP_HRGS 20

typedef struct PriceAudit PriceAudit;

/* A new, empty accumulator owned by the caller (free with price_audit_free()). */
PriceAudit *price_audit_new(void);

/* Frees a; accepts NULL. */
void price_audit_free(PriceAudit *a);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PriceAudit, price_audit_free)

/*
 * Counts one unit that pricing_price() has been through.  A unit without a
 * price_method (an unfinished spell) is only counted as unfinished.  The
 * unit's strings are copied; u is not kept.
 */
void price_audit_add(PriceAudit *a, const Unit *u);

/* Units added with a price_method, and the sum of their price_pence. */
guint64 price_audit_units(const PriceAudit *a);
int64_t price_audit_total_pence(const PriceAudit *a);
/* Units added without a price_method (unfinished spells, not priced). */
guint64 price_audit_unfinished(const PriceAudit *a);
/* Units added whose price_method is UNPRICED. */
guint64 price_audit_unpriced(const PriceAudit *a);

/*
 * Writes pricing_audit.csv, unpriced.csv and top_hrgs.csv into dir (which
 * must exist), each atomically (csv_out); none is renamed into place unless
 * all three were written.  Returns FALSE with PBC_ERROR_IO on failure.
 */
gboolean price_audit_write(const PriceAudit *a, const char *dir, GError **error);

/*
 * Logs (pbc_info) the units and pence by POD and price method, then the
 * totals: what the price stage reports on stderr.
 */
void price_audit_log(const PriceAudit *a);

#endif
