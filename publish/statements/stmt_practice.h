/*
 * stmt_practice.h: a practice's monthly statement page.
 *
 * The page a GP practice reads every month (SPEC §7.2; the East Devon
 * statements and paragraphs 21-37 of the 2006 PBC guidance): its indicative
 * budget, budget and spend to date, variance, forecast outturn and freed-up
 * resources; the chart of cumulative spend against the phased budget; spend
 * and activity by POD and by provider; benchmarks against the PCT (chart and
 * table); the ten highest-cost patients and what the risk pool covered; the
 * attribution quality of its units; how its budget was set (R-B5); and the
 * link to its patient-level charges file.
 */
#ifndef PBC_STMT_PRACTICE_H
#define PBC_STMT_PRACTICE_H

#include "stmt_data.h"

#include <glib.h>

/* Appends the whole page of practice p (its charges fields already filled). */
void stmt_practice_render(GString *out, const StmtData *d, const StmtPractice *p);

#endif
