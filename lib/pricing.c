/*
 * pricing.c: R-P1 .. R-P9, one unit at a time (pricing.h).
 *
 * The work is split the way the rules are: each dataset's function derives
 * the POD (R-P1) and looks for a national price (R-P2, with R-P3 long stays
 * and R-P5 short-stay emergencies for APC, R-P4 outcomes for OP), leaving
 * its findings in a Quote; finish() then applies the MFF (R-P6) or falls
 * back to a local price (R-P7), marks PCT_HELD activity (R-P8) and blanks
 * the fields that do not apply (R-P9).  All money is integer pence; the one
 * rounding is muldiv_round (halves away from zero).
 */
#include "pricing.h"

#include "date.h"
#include "decimal.h"

#include <string.h>

#define MFF_ONE 1000000

/* What a dataset's rules found before the MFF and local-price fallback. */
typedef struct {
    gboolean chargeable;   /* FALSE: R-P4 NOT_CHARGEABLE */
    gboolean national;     /* a national price was found (R-P2) */
    gboolean local_only;   /* REG and OPTEL: always a local price (R-P7) */
    int64_t base;          /* pence, when national */
    int excess_days;       /* R-P3 */
    int64_t excess;        /* pence, R-P3 */
    gboolean sse;          /* R-P5 applied */
} Quote;

void
pricing_clear(Unit *u)
{
    u->pod = NULL;
    u->fin_year = 0;
    u->los = -1;
    u->excess_bed_days = -1;
    u->base_pence = PBC_NONE;
    u->excess_pence = PBC_NONE;
    u->sse_applied = FALSE;
    u->mff_micro = PBC_NONE;
    u->price_pence = PBC_NONE;
    u->price_method = NULL;
    u->pct_held = FALSE;
}

static gboolean
is(const char *s, const char *v)
{
    return s != NULL && strcmp(s, v) == 0;
}

/* NHS Data Dictionary admission methods 11, 12, 13: elective (waiting list, booked, planned). */
static gboolean
elective_method(const char *m)
{
    return is(m, "11") || is(m, "12") || is(m, "13");
}

/* R-P1 for an APC spell. */
static const char *
apc_pod(const Unit *u)
{
    const char *pc = u->patient_classification;
    /* Regular day and night attenders are not admissions: outside the spell tariff. */
    if (is(pc, "3") || is(pc, "4"))
        return POD_REG;
    if (elective_method(u->admission_method))
        return is(pc, "2") ? POD_DC : POD_EL;
    /* Emergency (2x), maternity (31, 32) and other non-elective (8x) methods. */
    return POD_NEL;
}

/*
 * R-P5: does the short-stay emergency rule apply to this NEL spell?  Sets
 * *sse_price when it does.  nel is the HRG's (non-blank) non-elective tariff.
 */
static gboolean
sse_price(const Tariffs *t, const Unit *u, int fy, const TariffApc *a, int64_t *price)
{
    const TariffParams *p = tariff_params_lookup(t, fy);
    if (p == NULL)          /* a year with no tariff_params row has no SSE */
        return FALSE;
    if (p->sse_max_los < 0 || u->los > p->sse_max_los)
        return FALSE;
    /* Age in completed years on the admission date; an unknown age counts as adult. */
    if (u->date_of_birth != PBC_NO_DATE
        && date_age_years(u->date_of_birth, u->admission_date) < p->sse_min_age)
        return FALSE;
    if (a->sse != TARIFF_NONE) {
        *price = a->sse;
        return TRUE;
    }
    if (p->sse_percent == TARIFF_NONE)  /* no HRG price and no percentage: no SSE */
        return FALSE;
    /* round(nel x percent / 100), the percent held in millionths. */
    *price = muldiv_round(a->non_elective, p->sse_percent, 100 * (int64_t)MFF_ONE);
    return TRUE;
}

static void
quote_apc(const Tariffs *t, Unit *u, int fy, Quote *q)
{
    u->pod = apc_pod(u);
    /* R-P3: whole days from admission to discharge; set for every finished spell. */
    u->los = (int)(u->discharge_date - u->admission_date);
    u->excess_bed_days = 0;
    q->chargeable = TRUE;
    if (is(u->pod, POD_REG)) {
        q->local_only = TRUE;
        return;
    }
    if (!tariff_year_has(t, TARIFF_TABLE_APC, fy))
        tariff_warn_missing_year(t, TARIFF_TABLE_APC, fy);
    /* A blank HRG has no national price (R-P7). */
    const TariffApc *a = tariff_apc_lookup(t, fy, u->hrg);
    if (a == NULL)
        return;
    int trim;
    int64_t base;
    if (is(u->pod, POD_NEL)) {
        base = a->non_elective;
        trim = a->non_elective_trim;
    } else {
        /* R-P2: day cases take the elective price where no day case price is set. */
        base = is(u->pod, POD_DC) && a->day_case != TARIFF_NONE ? a->day_case : a->elective;
        trim = a->elective_trim;
    }
    if (base == TARIFF_NONE)
        return;
    q->national = TRUE;
    q->base = base;
    int64_t sse;
    if (is(u->pod, POD_NEL) && sse_price(t, u, fy, a, &sse)) {
        /* R-P5: the SSE price replaces the base, with no long-stay payment. */
        q->base = sse;
        q->sse = TRUE;
        return;
    }
    /* R-P3: a blank trim point or excess bed day price means no long-stay payment. */
    if (trim >= 0 && a->excess_bed_day != TARIFF_NONE && u->los > trim) {
        q->excess_days = u->los - trim;
        q->excess = (int64_t)q->excess_days * a->excess_bed_day;
    }
}

static void
quote_op(const Tariffs *t, Unit *u, int fy, Quote *q)
{
    const char *fa = u->first_attendance;
    int64_t proc = TARIFF_NONE;
    /* R-P1: telephone first, then a procedure with a tariff, then first/follow-up. */
    if (is(fa, "3") || is(fa, "4"))
        u->pod = POD_OPTEL;
    else if ((proc = tariff_op_procedure_lookup(t, fy, u->hrg)) != TARIFF_NONE)
        u->pod = POD_OPPROC;
    else if (is(fa, "1"))
        u->pod = POD_OPFA;
    else if (is(fa, "2"))
        u->pod = POD_OPFU;
    /* else: ingest rejects other values (R-I2); such a unit stays without POD and UNPRICED. */

    /* R-P4: only attended (5) or arrived late but seen (6) is paid. */
    const char *ad = u->attended_or_dna;
    q->chargeable = is(ad, "5") || is(ad, "6");
    if (!q->chargeable || u->pod == NULL)
        return;
    if (is(u->pod, POD_OPTEL)) {
        q->local_only = TRUE;
        return;
    }
    if (is(u->pod, POD_OPPROC)) {
        q->national = TRUE;
        q->base = proc;
        return;
    }
    if (!tariff_year_has(t, TARIFF_TABLE_OP, fy))
        tariff_warn_missing_year(t, TARIFF_TABLE_OP, fy);
    const TariffOp *o = tariff_op_lookup(t, fy, u->treatment_function_code);
    if (o == NULL)
        return;
    int64_t base = is(u->pod, POD_OPFA) ? o->first : o->follow_up;
    if (base != TARIFF_NONE) {
        q->national = TRUE;
        q->base = base;
    }
}

static void
quote_ae(const Tariffs *t, Unit *u, int fy, Quote *q)
{
    u->pod = POD_AE;
    q->chargeable = TRUE;
    if (!tariff_year_has(t, TARIFF_TABLE_AE, fy))
        tariff_warn_missing_year(t, TARIFF_TABLE_AE, fy);
    int64_t base = tariff_ae_lookup(t, fy, u->hrg);
    if (base != TARIFF_NONE) {
        q->national = TRUE;
        q->base = base;
    }
}

const char *
pricing_code(const Unit *u)
{
    const char *code;
    /* R-P7: the HRG for APC, A&E and OPPROC, the treatment function for other OP. */
    if (u->dataset == DS_OP && !is(u->pod, POD_OPPROC))
        code = u->treatment_function_code;
    else
        code = u->hrg;
    return code ? code : "";
}

/* R-P6 .. R-P9: from the quote to the published fields. */
static void
finish(const Tariffs *t, Unit *u, int fy, const Quote *q)
{
    gboolean apc = u->dataset == DS_APC;
    if (!q->chargeable) {
        u->price_method = PRICE_NOT_CHARGEABLE;
        u->price_pence = 0;
        return;
    }
    if (q->national && !q->local_only) {
        /* R-P6: price = round((base + excess) x MFF), the provider's own MFF or 1. */
        u->mff_micro = tariff_mff(t, fy, u->provider_code);
        u->base_pence = q->base;
        u->price_pence = muldiv_round(q->base + q->excess, u->mff_micro, MFF_ONE);
        u->sse_applied = q->sse;
        u->price_method = q->sse ? PRICE_TARIFF_SSE : PRICE_TARIFF;
        if (apc) {
            u->excess_bed_days = q->excess_days;
            u->excess_pence = q->excess;
        }
        return;
    }
    /* R-P7: a local price, under the unit's own POD; no MFF, no excess. */
    int64_t local = u->pod ? tariff_local_price(t, fy, u->provider_code, u->pod, pricing_code(u))
                           : TARIFF_NONE;
    if (local != TARIFF_NONE) {
        u->price_method = PRICE_LOCAL;
        u->base_pence = local;
        u->price_pence = local;
    } else {
        u->price_method = PRICE_UNPRICED;
        u->price_pence = 0;
    }
}

void
pricing_price_in(const Tariffs *t, Unit *u, int tariff_year, int held_year)
{
    pricing_clear(u);
    /* R-I4: an unfinished spell is counted and reported, not priced. */
    if (u->unfinished || u->charge_date == PBC_NO_DATE)
        return;
    if (u->dataset == DS_APC
        && (u->admission_date == PBC_NO_DATE || u->discharge_date == PBC_NO_DATE))
        return;
    /* SPEC §6: the tariff year is the financial year of the charge date (discharge for APC). */
    int fy = tariff_year > 0 ? tariff_year : fy_of_date(u->charge_date);
    u->fin_year = fy;
    Quote q = {0};
    switch (u->dataset) {
    case DS_APC:
        quote_apc(t, u, fy, &q);
        break;
    case DS_OP:
        quote_op(t, u, fy, &q);
        break;
    case DS_AE:
    default:
        quote_ae(t, u, fy, &q);
        break;
    }
    finish(t, u, fy, &q);
    /* R-P8: PCT_HELD whatever the method, NOT_CHARGEABLE and UNPRICED included. */
    u->pct_held = u->pod != NULL
                  && tariff_pct_held(t, held_year > 0 ? held_year : fy, u->pod, pricing_code(u));
}

void
pricing_price(const Tariffs *t, Unit *u)
{
    pricing_price_in(t, u, 0, 0);
}
