/*
 * tariff.h: the price tables of ref/ (SPEC §3.2) and the code lists that
 * activity draws from, so that both sides agree on what is priced how.
 *
 * APC prices come from the real 2024/25 national tariff (world.hrgs),
 * scaled to 2006/07 levels (x 0.55) and to 2005/06 (x 0.96 again).  Which
 * HRG carries which oddity (blank day case price, blank non-elective
 * price, explicit short-stay price, no trim point, new this year) is a
 * function of its position in world.hrgs, so that the popular HRGs the
 * small sample uses include every oddity.
 */
#ifndef PBC_GEN_TARIFF_H
#define PBC_GEN_TARIFF_H

#include "world.h"

/* One HRG's APC tariff for one year; prices in pence, -1 = blank. */
typedef struct {
    gboolean listed;          /* has a row this year */
    gint64 el, dc, nel, sse, excess;
    int el_trim, nel_trim;    /* -1 = blank */
} ApcPrice;

/* The APC tariff of world HRG @i in financial year @fy. */
void tariff_apc_price(const World *w, int i, int fy, ApcPrice *out);

/* Treatment functions of the OP tariff (370 is PCT-held, see exclusions). */
extern const char *const tariff_op_tfs[];
extern const int tariff_n_op_tfs;

/* Treatment functions seen in OP activity but not in the OP tariff: 560
 * has a local price at one provider, 650 has none (UNPRICED). */
extern const char *const tariff_op_unlisted_tfs[];
extern const int tariff_n_op_unlisted_tfs;

/* Outpatient procedure HRGs (tariff_op_procedure.csv): world HRG indices. */
int tariff_n_op_proc(const World *w);
const char *tariff_op_proc_hrg(const World *w, int j);

/* A&E HRGs VB01Z..VB11Z; VB99Z has only a local price. */
extern const char *const tariff_ae_hrgs[];
extern const int tariff_n_ae_hrgs;

/* HRGs of regular day and night attenders (REG, local prices only). */
extern const char *const tariff_reg_hrgs[];
extern const int tariff_n_reg_hrgs;

/* HRGs outside the national tariff with a local price (XB01Z is also
 * PCT-held). */
extern const char *const tariff_local_hrgs[];
extern const int tariff_n_local_hrgs;

/* Index of the first world HRG whose non-elective price is blank. */
int tariff_first_nel_blank(const World *w);

/* Writes tariff_apc.csv, tariff_op.csv, tariff_op_procedure.csv,
 * tariff_ae.csv, tariff_params.csv, mff.csv, local_prices.csv and
 * exclusions.csv into @ref_dir.  Returns FALSE and sets @err on failure. */
gboolean tariff_write_all(const World *w, const char *ref_dir, GError **err);

/* Average national price of the activity mix, in pence per patient per
 * year, for setting plausible budgets. */
gint64 tariff_cost_per_head(const World *w);

#endif
