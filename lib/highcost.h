/*
 * highcost.h: the high-cost patient threshold (R-G2).
 *
 * For each valid NHS number, the patient's PRACTICE units in the run's range
 * are taken across practices and providers in order of charge date, then POD
 * code, then unit_id (byte order); the part of the running total of price
 * above the threshold is the risk pool's, the rest the practice's.  Units are
 * added in any order with a caller-chosen sequence number; after
 * highcost_compute(), highcost_risk() gives each one's risk-pool pence.
 */
#ifndef PBC_HIGHCOST_H
#define PBC_HIGHCOST_H

#include "date.h"

#include <glib.h>
#include <stdint.h>

typedef struct HighCost HighCost;

/* threshold in pence. */
HighCost *highcost_new(int64_t threshold);
void highcost_free(HighCost *h);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(HighCost, highcost_free)

/*
 * Adds a PRACTICE unit of a patient with a valid NHS number (10 digits).
 * pod and unit_id are copied.  seq identifies the unit for highcost_risk()
 * and breaks exact ties (same patient, date, POD and unit_id) in add order.
 */
void highcost_add(HighCost *h, uint64_t seq, const char *nhs_number, PbcDate charge_date,
                  const char *pod, const char *unit_id, int64_t price);

/* Runs R-G2 over everything added.  Call once. */
void highcost_compute(HighCost *h);

/* Risk-pool pence of unit seq (0 when it was not added or is under the threshold). */
int64_t highcost_risk(const HighCost *h, uint64_t seq);

/*
 * The split of one unit given the patient's running total before it:
 * returns the risk-pool part of price.  Exposed for tests.
 */
int64_t highcost_split(int64_t total_before, int64_t price, int64_t threshold);

#endif
