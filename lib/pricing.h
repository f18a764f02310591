/*
 * pricing.h: the Payment by Results pricing rules, R-P1 .. R-P9 (SPEC §6).
 *
 * The price stage calls pricing_price() on every unit that attribute wrote;
 * the aggregate stage calls pricing_price_in() to re-price last year's units
 * with next year's tables when it sets budgets (R-B1).  Both fill exactly
 * the pricing fields of a Unit (pod, fin_year, los, excess_bed_days,
 * base_pence, excess_pence, sse_applied, mff_micro, price_pence,
 * price_method, pct_held) from its ingest fields and a Tariffs, and blank
 * them the way priced_activity.csv publishes them (R-P9, SPEC §7.1), so a
 * later stage can print a Unit as it stands.
 *
 * The strings stored in u->pod and u->price_method are static literals (the
 * macros below), valid for the life of the program.
 */
#ifndef PBC_PRICING_H
#define PBC_PRICING_H

#include "tariff.h"
#include "unit.h"

#include <glib.h>

/* Points of delivery (R-P1). */
#define POD_EL "EL"
#define POD_DC "DC"
#define POD_NEL "NEL"
#define POD_REG "REG"
#define POD_OPFA "OPFA"
#define POD_OPFU "OPFU"
#define POD_OPPROC "OPPROC"
#define POD_OPTEL "OPTEL"
#define POD_AE "AE"

/* Price methods (R-P9). */
#define PRICE_TARIFF "TARIFF"
#define PRICE_TARIFF_SSE "TARIFF_SSE"
#define PRICE_LOCAL "LOCAL"
#define PRICE_UNPRICED "UNPRICED"
#define PRICE_NOT_CHARGEABLE "NOT_CHARGEABLE"

/*
 * Prices u in its own tariff year, the financial year of its charge date
 * (SPEC §6), PCT_HELD judged by that year's exclusions.  Same as
 * pricing_price_in(t, u, 0, 0).
 */
void pricing_price(const Tariffs *t, Unit *u);

/*
 * Prices u with the tables of tariff_year (a start year, 2007 for 2007/08;
 * 0 = the financial year of u->charge_date) and judges PCT_HELD (R-P8) by
 * the exclusions of held_year (0 = the tariff year).  Budget setting (R-B1)
 * forces tariff_year to Y for units charged in Y-1.
 *
 * Reads the ingest fields of u (dataset, provider_code, admission_method,
 * patient_classification, admission_date, discharge_date, charge_date,
 * date_of_birth, hrg, treatment_function_code, first_attendance,
 * attended_or_dna, unfinished); overwrites every pricing field, whatever it
 * held before.  An unfinished spell (or any unit without a charge date) is
 * not priced: all its pricing fields are left blank (pod and price_method
 * NULL, fin_year 0, price_pence PBC_NONE).  Never fails: activity the tables
 * cannot price is LOCAL or UNPRICED (R-P7); a tariff year with no national
 * rows at all is warned about once per table and year.
 */
void pricing_price_in(const Tariffs *t, Unit *u, int tariff_year, int held_year);

/*
 * Blanks every pricing field of u (as unit_clear() does for them), leaving
 * the ingest and attribution fields alone.
 */
void pricing_clear(Unit *u);

/*
 * The code a priced unit's local price and exclusions are looked up by
 * (R-P7): the HRG for APC, A&E and OPPROC, the treatment function for the
 * other OP PODs.  Needs u->pod set; returns a borrowed string, "" when the
 * code is blank.
 */
const char *pricing_code(const Unit *u);

#endif
