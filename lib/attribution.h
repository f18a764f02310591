/*
 * attribution.h: the attribution rules, SPEC §5 (R-A1 .. R-A7).
 *
 * The attribute stage calls attribution_apply() on every unit that ingest
 * wrote; it fills the unit's attribution fields from its nhs_number,
 * cds_practice_code and attribution_date, the registration index
 * (registry.h) and the practice table (practice.h).  The rules live here and
 * only here, so the benchmark and the tests exercise exactly what runs.
 */
#ifndef PBC_ATTRIBUTION_H
#define PBC_ATTRIBUTION_H

#include "practice.h"
#include "registry.h"
#include "unit.h"

#include <glib.h>

/* attribution_method values. */
#define ATTR_EXETER "EXETER"
#define ATTR_EXETER_NEAREST "EXETER_NEAREST"
#define ATTR_CDS "CDS"
#define ATTR_UNATTRIBUTED "UNATTRIBUTED"

/* exeter_reason values: why Exeter gave no practice (R-A4). */
#define ATTR_NO_NHS_NUMBER "NO_NHS_NUMBER"
#define ATTR_INVALID_NHS_NUMBER "INVALID_NHS_NUMBER"
#define ATTR_NOT_REGISTERED "NOT_REGISTERED"

/* cds_reason values: why the hospital's code gave no practice (R-A4). */
#define ATTR_NO_PRACTICE_CODE "NO_PRACTICE_CODE"
#define ATTR_PSEUDO_PRACTICE_CODE "PSEUDO_PRACTICE_CODE"
#define ATTR_UNKNOWN_PRACTICE "UNKNOWN_PRACTICE"

/* unattributed_reason values. */
#define ATTR_NO_PRACTICE "NO_PRACTICE"         /* R-A4: neither Exeter nor the CDS code */
#define ATTR_PRACTICE_CLOSED "PRACTICE_CLOSED" /* R-A5: closed, no successor */

/* What a run's attribution needs; the tables are borrowed, not owned. */
typedef struct {
    const PracticeTable *practices;
    const Registry *registry;
    const char *pct;    /* the run's PCT (R-A6) */
    int lookback_days;  /* R-A2, pbc.conf lookback_days */
} AttributionRules;

/* Which of R-A1/R-A2 matched. */
typedef enum {
    EXETER_MATCH_NONE,     /* no registration covers or is near enough */
    EXETER_MATCH_COVERING, /* R-A1 */
    EXETER_MATCH_NEAREST   /* R-A2 */
} ExeterMatch;

/*
 * R-A1 then R-A2 for one patient and day: the covering registration with
 * the latest registration_date (tie: later in the extract), else the
 * registration whose registration or deregistration date is nearest day in
 * either direction, at most lookback_days away inclusive (tie: the earlier
 * registration_date, then later in the extract).  OUT: *out, set only when
 * the result is not EXETER_MATCH_NONE.  day PBC_NO_DATE matches nothing.
 */
ExeterMatch attribution_exeter(const Registry *registry, uint64_t nhs_key, PbcDate day,
                               int lookback_days, Registration *out);

/*
 * Fills u's attribution fields (practice_code, attribution_method,
 * original_practice_code, exeter_practice_code, exeter_reason, cds_reason,
 * unattributed_reason, practice_pct_code, consortium_code, mismatch,
 * out_of_area) per R-A1 .. R-A7, overwriting whatever they held; no other
 * field changes.  The strings set point into the rules' tables, into u's own
 * cds_practice_code, or to static constants: they live as long as the
 * tables and u's strings.
 *
 * A unit without an attribution_date (ingest rejects those, so only
 * defensively): Exeter cannot match (NOT_REGISTERED for a valid number),
 * R-A3 may still choose the CDS practice, and no successor hand-over (R-A5)
 * is made for want of a day.
 */
void attribution_apply(const AttributionRules *rules, Unit *u);

/* The same, with the unit's NHS number already parsed: nhs_valid and
   nhs_key as registry_nhs_key(u->nhs_number, &nhs_key) gave them. */
void attribution_apply_nhs(const AttributionRules *rules, Unit *u, gboolean nhs_valid,
                           uint64_t nhs_key);

#endif
