/*
 * test_highcost.c: the high-cost patient threshold (lib/highcost.c, R-G2).
 *
 * R-G2: for each valid NHS number, the patient's PRACTICE units, across
 * practices and providers, in order of charge date, then POD code, then
 * unit_id (byte order: AE < DC < EL < NEL < OPFA …); the part of the running
 * total above the threshold is risk_pool_pence, the rest practice_pence.
 * Running totals are worked out by hand in each test's comment.
 */
#include "highcost.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>

/* ---- highcost_split: one unit given the total before it ---- */

typedef struct {
    int64_t before, price, threshold, risk;
    char why[64];
} SplitCase;

static SplitCase split_cases[] = {
    {0, 100, 150, 0, "under: total 100"},
    {100, 100, 150, 50, "crosses: 200 - 150"},
    {0, 150, 150, 0, "exactly reaching the threshold: nothing above it"},
    {150, 1, 150, 1, "the first penny above"},
    {150, 10, 150, 10, "already at it: all above"},
    {200, 30, 150, 30, "already above: all above"},
    {0, 300, 150, 150, "one unit crosses: split 150 / 150"},
    {149, 1, 150, 0, "reaches exactly"},
    {149, 2, 150, 1, "one penny over"},
    {100, 0, 150, 0, "a zero price"},
    {500, 0, 150, 0, "a zero price above"},
    {0, 5, 0, 5, "threshold 0: all risk pool"},
    {1400000, 200000, 1500000, 100000, "£14,000 then £2,000 over £15,000: £1,000"},
};

ParameterizedTestParameters(highcost, split)
{
    return cr_make_param_array(SplitCase, split_cases, G_N_ELEMENTS(split_cases));
}

ParameterizedTest(SplitCase *c, highcost, split)
{
    int64_t got = highcost_split(c->before, c->price, c->threshold);
    cr_assert_eq(got, c->risk, "%s: %" G_GINT64_FORMAT ", want %" G_GINT64_FORMAT, c->why, got,
                 c->risk);
    cr_assert(got >= 0 && got <= c->price, "the risk part lies within the price");
}

/* ---- highcost_compute over patients ---- */

#define P1 "9434765919"
#define P2 "3417284996"

static PbcDate
day(const char *s)
{
    PbcDate d;
    cr_assert(date_parse(s, &d));
    return d;
}

/*
 * One patient, threshold £15,000 (1500000 p):
 *   2006-04-05 AE  RA9:A1  300000  total  300000  risk 0
 *   2006-04-05 EL  RA9:S1 1000000  total 1300000  risk 0   (AE before EL on one date)
 *   2006-05-01 NEL RBB:S7  400000  total 1700000  risk 200000 (another provider)
 *   2006-06-01 OPFA RA9:O1   5000  total 1705000  risk 5000
 * Added out of order; seq numbers are the caller's.
 */
Test(highcost, running_total_in_charge_order)
{
    g_autoptr(HighCost) h = highcost_new(1500000);
    highcost_add(h, 4, P1, day("2006-06-01"), "OPFA", "RA9:O1", 5000);
    highcost_add(h, 3, P1, day("2006-05-01"), "NEL", "RBB:S7", 400000);
    highcost_add(h, 2, P1, day("2006-04-05"), "EL", "RA9:S1", 1000000);
    highcost_add(h, 1, P1, day("2006-04-05"), "AE", "RA9:A1", 300000);
    highcost_compute(h);
    cr_assert_eq(highcost_risk(h, 1), 0);
    cr_assert_eq(highcost_risk(h, 2), 0);
    cr_assert_eq(highcost_risk(h, 3), 200000);
    cr_assert_eq(highcost_risk(h, 4), 5000);
    cr_assert_eq(highcost_risk(h, 99), 0, "a unit never added");
}

/* A single unit over the threshold is split within itself. */
Test(highcost, split_within_one_unit)
{
    g_autoptr(HighCost) h = highcost_new(1500000);
    highcost_add(h, 7, P1, day("2006-04-01"), "EL", "RA9:S1", 2000000);
    highcost_compute(h);
    cr_assert_eq(highcost_risk(h, 7), 500000, "£20,000 - £15,000");
}

/* Exactly reaching the threshold leaves nothing in the pool; the next unit is all pool. */
Test(highcost, exactly_reaching)
{
    g_autoptr(HighCost) h = highcost_new(1500000);
    highcost_add(h, 1, P1, day("2006-04-01"), "EL", "RA9:S1", 1000000);
    highcost_add(h, 2, P1, day("2006-04-02"), "EL", "RA9:S2", 500000);
    highcost_add(h, 3, P1, day("2006-04-03"), "OPFU", "RA9:O3", 7000);
    highcost_compute(h);
    cr_assert_eq(highcost_risk(h, 1), 0);
    cr_assert_eq(highcost_risk(h, 2), 0, "1000000 + 500000 = the threshold exactly");
    cr_assert_eq(highcost_risk(h, 3), 7000);
}

/*
 * On one charge date, POD codes in byte order: AE < DC < EL < NEL < OPFA.
 * Threshold 250, each unit 100: totals 100, 200, 300, 400, 500 -> risks
 * 0, 0, 50, 100, 100.  Added in reverse order.
 */
Test(highcost, pod_byte_order)
{
    g_autoptr(HighCost) h = highcost_new(250);
    static const char *const pods[] = {"OPFA", "NEL", "EL", "DC", "AE"};
    for (int i = 0; i < 5; i++)
        highcost_add(h, (uint64_t)i, P1, day("2006-04-01"), pods[i], "RA9:1", 100);
    highcost_compute(h);
    cr_assert_eq(highcost_risk(h, 4), 0, "AE first");
    cr_assert_eq(highcost_risk(h, 3), 0, "DC second");
    cr_assert_eq(highcost_risk(h, 2), 50, "EL crosses 250");
    cr_assert_eq(highcost_risk(h, 1), 100, "NEL");
    cr_assert_eq(highcost_risk(h, 0), 100, "OPFA last");
}

/* The other OP PODs and REG in byte order: OPFA < OPFU < OPPROC < OPTEL < REG. */
Test(highcost, pod_byte_order_outpatients)
{
    g_autoptr(HighCost) h = highcost_new(350);
    static const char *const pods[] = {"REG", "OPTEL", "OPPROC", "OPFU", "OPFA"};
    for (int i = 0; i < 5; i++)
        highcost_add(h, (uint64_t)i, P1, day("2006-04-01"), pods[i], "RA9:1", 100);
    highcost_compute(h);
    /* totals OPFA 100, OPFU 200, OPPROC 300, OPTEL 400 (50), REG 500 (100) */
    cr_assert_eq(highcost_risk(h, 4), 0);
    cr_assert_eq(highcost_risk(h, 3), 0);
    cr_assert_eq(highcost_risk(h, 2), 0);
    cr_assert_eq(highcost_risk(h, 1), 50);
    cr_assert_eq(highcost_risk(h, 0), 100);
}

/* The charge date comes before the POD: a later AE follows an earlier OPFA. */
Test(highcost, date_before_pod)
{
    g_autoptr(HighCost) h = highcost_new(100);
    highcost_add(h, 1, P1, day("2006-04-02"), "AE", "RA9:A", 100);
    highcost_add(h, 2, P1, day("2006-04-01"), "OPFA", "RA9:O", 100);
    highcost_compute(h);
    cr_assert_eq(highcost_risk(h, 2), 0, "OPFA on the 1st comes first");
    cr_assert_eq(highcost_risk(h, 1), 100);
}

/* Then unit_id in byte order: "RA9:10" < "RA9:9" (not numeric), "RA9:S" < "RBB:A". */
Test(highcost, unit_id_byte_order)
{
    g_autoptr(HighCost) h = highcost_new(100);
    highcost_add(h, 1, P1, day("2006-04-01"), "EL", "RA9:9", 100);
    highcost_add(h, 2, P1, day("2006-04-01"), "EL", "RA9:10", 100);
    highcost_add(h, 3, P1, day("2006-04-01"), "EL", "RBB:A", 100);
    highcost_compute(h);
    cr_assert_eq(highcost_risk(h, 2), 0, "RA9:10 first");
    cr_assert_eq(highcost_risk(h, 1), 100);
    cr_assert_eq(highcost_risk(h, 3), 100);
}

/* An exact tie (patient, date, POD, unit_id) falls back to the add order. */
Test(highcost, exact_tie_in_add_order)
{
    g_autoptr(HighCost) h = highcost_new(150);
    highcost_add(h, 20, P1, day("2006-04-01"), "EL", "RA9:1", 100);
    highcost_add(h, 10, P1, day("2006-04-01"), "EL", "RA9:1", 100);
    highcost_compute(h);
    /* seq 10 sorts first: total 100 (0), then seq 20: 200 (50) */
    cr_assert_eq(highcost_risk(h, 10), 0);
    cr_assert_eq(highcost_risk(h, 20), 50);
}

/* Patients are independent: another patient's spend does not count. */
Test(highcost, patients_independent)
{
    g_autoptr(HighCost) h = highcost_new(1000);
    highcost_add(h, 1, P1, day("2006-04-01"), "EL", "RA9:1", 900);
    highcost_add(h, 2, P2, day("2006-04-02"), "EL", "RA9:2", 900);
    highcost_add(h, 3, P1, day("2006-04-03"), "EL", "RA9:3", 200);
    highcost_add(h, 4, P2, day("2006-04-01"), "NEL", "RA9:4", 50);
    highcost_compute(h);
    cr_assert_eq(highcost_risk(h, 1), 0);
    cr_assert_eq(highcost_risk(h, 3), 100, "P1: 900 + 200 - 1000");
    cr_assert_eq(highcost_risk(h, 4), 0, "P2: 50");
    cr_assert_eq(highcost_risk(h, 2), 0, "P2: 50 + 900 = 950");
}

/* Across practices and providers: the threshold follows the patient. */
Test(highcost, across_providers_and_practices)
{
    /* The caller adds every PRACTICE unit of the patient, whatever practice it is
     * attributed to (a patient who moved) and whatever provider treated them. */
    g_autoptr(HighCost) h = highcost_new(1500000);
    highcost_add(h, 1, P1, day("2006-04-10"), "NEL", "RA9:S1", 800000);   /* practice A */
    highcost_add(h, 2, P1, day("2006-07-10"), "EL", "RBB:S1", 800000);    /* practice B */
    highcost_add(h, 3, P1, day("2006-08-10"), "OPFU", "RGT01:O1", 9000);  /* practice B */
    highcost_compute(h);
    cr_assert_eq(highcost_risk(h, 1), 0);
    cr_assert_eq(highcost_risk(h, 2), 100000, "1600000 - 1500000");
    cr_assert_eq(highcost_risk(h, 3), 9000);
}

/* No units: nothing to do. */
Test(highcost, empty)
{
    g_autoptr(HighCost) h = highcost_new(1500000);
    highcost_compute(h);
    cr_assert_eq(highcost_risk(h, 0), 0);
    highcost_free(NULL);
}

/* Many patients interleaved: each total matches a brute-force running sum. */
Test(highcost, many_patients)
{
    g_autoptr(HighCost) h = highcost_new(1000);
    /* patient k (k = 0..4) gets 10 units of 150 on days 1..10, added day-major */
    static const char *const numbers[] = {P1, P2, "1234567881", "9876543210", "5390502108"};
    for (int dd = 10; dd >= 1; dd--)
        for (int k = 0; k < 5; k++) {
            g_autofree char *uid = g_strdup_printf("RA9:%d-%02d", k, dd);
            highcost_add(h, (uint64_t)(k * 100 + dd), numbers[k], day("2006-04-01") + dd, "EL",
                         uid, 150);
        }
    highcost_compute(h);
    for (int k = 0; k < 5; k++)
        for (int dd = 1; dd <= 10; dd++) {
            /* before = 150 × (dd − 1); risk = max(0, 150 dd − max(1000, 150 (dd − 1))) */
            int64_t before = 150 * (dd - 1), after = before + 150;
            int64_t floor = before > 1000 ? before : 1000;
            int64_t want = after > floor ? after - floor : 0;
            cr_assert_eq(highcost_risk(h, (uint64_t)(k * 100 + dd)), want, "patient %d day %d", k, dd);
        }
}
