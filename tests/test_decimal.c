/*
 * test_decimal.c: exact decimals and the one rounding rule (lib/decimal.c).
 *
 * Money is integer pence and never floating point (SPEC §3.2, §6): prices
 * in pounds with up to two decimals become pence, MFFs and percentages with
 * up to six decimals become millionths, and "round" is to the nearest unit
 * with halves away from zero (SPEC §6), with 128-bit intermediates.  Every
 * expected value below is worked out by hand in its comment.
 */
#include "decimal.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <criterion/redirect.h>
#include <signal.h>
#include <string.h>

/* Strings are arrays: Criterion runs each case in a fresh process. */
typedef struct {
    char text[32];
    int places;
    gboolean ok;
    int64_t value;
} ParseCase;

static ParseCase parse_cases[] = {
    /* pounds to pence (SPEC §3.2: up to 2 decimals) */
    {"12", 2, TRUE, 1200},
    {"12.5", 2, TRUE, 1250},
    {"12.34", 2, TRUE, 1234},
    {"12.50", 2, TRUE, 1250},
    {"0", 2, TRUE, 0},
    {"0.01", 2, TRUE, 1},
    {"-1", 2, TRUE, -100},
    {"-12.34", 2, TRUE, -1234},
    {"-0.01", 2, TRUE, -1},
    {"-0", 2, TRUE, 0},
    {"007.10", 2, TRUE, 710},
    {"15000", 2, TRUE, 1500000},
    {"12.345", 2, FALSE, 0}, /* a third decimal is not a price */
    {"12.340", 2, FALSE, 0}, /* even a zero one */
    {"1e3", 2, FALSE, 0},
    {"1E3", 2, FALSE, 0},
    {"", 2, FALSE, 0},
    {".", 2, FALSE, 0},
    {"-", 2, FALSE, 0},
    {"-.", 2, FALSE, 0},
    {"+1", 2, FALSE, 0},
    {"--1", 2, FALSE, 0},
    {" 1", 2, FALSE, 0}, /* callers trim */
    {"1 ", 2, FALSE, 0},
    {"1,000", 2, FALSE, 0},
    {"1.2.3", 2, FALSE, 0},
    {"£12", 2, FALSE, 0},
    {"0x10", 2, FALSE, 0},
    {"12-", 2, FALSE, 0},
    {"NaN", 2, FALSE, 0},
    /* a bare point on one side is read as 0 there */
    {".5", 2, TRUE, 50},
    {"5.", 2, TRUE, 500},
    /* millionths (MFF 1.043210, percentages) */
    {"1.043210", 6, TRUE, 1043210},
    {"1", 6, TRUE, 1000000},
    {"0.000001", 6, TRUE, 1},
    {"0.25", 6, TRUE, 250000},
    {"-2.5", 6, TRUE, -2500000},
    {"100", 6, TRUE, 100000000},
    {"1.0000001", 6, FALSE, 0},
    /* integers */
    {"42", 0, TRUE, 42},
    {"4.2", 0, FALSE, 0},
    {"4.", 0, TRUE, 4},
    /* overflow limit: at most ±9e15 after scaling (decimal.h) */
    {"90000000000000", 2, TRUE, 9000000000000000LL},
    {"90000000000000.00", 2, TRUE, 9000000000000000LL},
    {"-90000000000000.00", 2, TRUE, -9000000000000000LL},
    {"90000000000000.01", 2, FALSE, 0},
    {"90000000000001", 2, FALSE, 0},
    {"9000000000000000", 0, TRUE, 9000000000000000LL},
    {"9000000000000001", 0, FALSE, 0},
    {"9000000000", 6, TRUE, 9000000000000000LL},
    {"9000000000.000001", 6, FALSE, 0},
    {"00000000000000000000000000001", 2, TRUE, 100}, /* leading zeros are no overflow */
    {"9223372036854775807", 0, FALSE, 0},
    {"99999999999999999999999999999", 0, FALSE, 0},
};

ParameterizedTestParameters(decimal, parse)
{
    return cr_make_param_array(ParseCase, parse_cases, G_N_ELEMENTS(parse_cases));
}

/* SPEC §3.2: pounds with up to 2 decimals, MFF with up to 6; nothing else. */
ParameterizedTest(ParseCase *c, decimal, parse)
{
    int64_t v = -777;
    gboolean ok = decimal_parse(c->text, c->places, &v);
    cr_assert_eq(ok, c->ok, "decimal_parse(\"%s\", %d) = %d, want %d", c->text, c->places, ok,
                 c->ok);
    if (ok)
        cr_assert_eq(v, c->value, "\"%s\" at %d places: %" G_GINT64_FORMAT ", want %" G_GINT64_FORMAT,
                     c->text, c->places, v, c->value);
    else
        cr_assert_eq(v, -777, "\"%s\": *out written on failure", c->text);
}

Test(decimal, money_parse_is_two_places)
{
    int64_t p;
    cr_assert(money_parse("1234.56", &p) && p == 123456);
    cr_assert(money_parse("0.5", &p) && p == 50);
    cr_assert_not(money_parse("0.005", &p));
}

/* ---- rounding: halves away from zero, both signs (SPEC §6 "round") ---- */

typedef struct {
    int64_t n, d, want;
    char why[48];
} DivCase;

static DivCase div_cases[] = {
    {5, 2, 3, "2.5 -> 3"},
    {-5, 2, -3, "-2.5 -> -3"},
    {3, 2, 2, "1.5 -> 2"},
    {-3, 2, -2, "-1.5 -> -2"},
    {1, 2, 1, "0.5 -> 1"},
    {-1, 2, -1, "-0.5 -> -1"},
    {7, 2, 4, "3.5 -> 4"},
    {-7, 2, -4, "-3.5 -> -4"},
    {1, 3, 0, "0.333 -> 0"},
    {2, 3, 1, "0.667 -> 1"},
    {-2, 3, -1, "-0.667 -> -1"},
    {-1, 3, 0, "-0.333 -> 0"},
    {49, 100, 0, "0.49 -> 0"},
    {50, 100, 1, "0.50 -> 1"},
    {-50, 100, -1, "-0.50 -> -1"},
    {-49, 100, 0, "-0.49 -> 0"},
    {149, 100, 1, "1.49 -> 1"},
    {151, 100, 2, "1.51 -> 2"},
    {0, 5, 0, "0"},
    {12, 4, 3, "exact"},
    {-12, 4, -3, "exact negative"},
    {99186, 12, 8266, "16531 x 6 / 12 = 8265.5 -> 8266"},
    {-99186, 12, -8266, "-8265.5 -> -8266"},
    {7, 1, 7, "d = 1"},
};

ParameterizedTestParameters(decimal, div_round)
{
    return cr_make_param_array(DivCase, div_cases, G_N_ELEMENTS(div_cases));
}

ParameterizedTest(DivCase *c, decimal, div_round)
{
    int64_t got = div_round(c->n, c->d);
    cr_assert_eq(got, c->want, "div_round(%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ") = %" G_GINT64_FORMAT " (%s)",
                 c->n, c->d, got, c->why);
}

typedef struct {
    int64_t a, b, d, want;
    char why[64];
} MulDivCase;

static MulDivCase muldiv_cases[] = {
    {1001, 15, 10, 1502, "1001 x 1.5 = 1501.5 -> 1502"},
    {-1001, 15, 10, -1502, "-1501.5 -> -1502"},
    {1001, -15, 10, -1502, "sign from b"},
    {-1001, -15, 10, 1502, "two negatives"},
    {16531, 6, 12, 8266, "R-G3 budget_ytd: 8265.5 -> 8266"},
    /* R-P6: 12345 x 1.043210 = 12878.42745 -> 12878 */
    {12345, 1043210, 1000000, 12878, "MFF rounding down"},
    /* 100050 x 1.5 / 100 (1.5 %) = 1500.75 -> 1501 */
    {100050, 1500000, 100000000, 1501, "percent in millionths"},
    /* 1 x 1 / 2 = 0.5 -> 1 */
    {1, 1, 2, 1, "half"},
    {0, 123, 7, 0, "zero"},
    /* 128-bit intermediates: (2^63 - 1)^2 / (2^63 - 1) */
    {INT64_MAX, INT64_MAX, INT64_MAX, INT64_MAX, "no overflow in the product"},
    {-INT64_MAX, INT64_MAX, INT64_MAX, -INT64_MAX, "negative, no overflow"},
    {INT64_MAX, 2, 2, INT64_MAX, "product above int64"},
    {9000000000000000LL, 9000000000000000LL, 9000000000000000LL, 9000000000000000LL,
     "the parse limit squared"},
    /* (2^62) x 3 / 4 = 3 x 2^60 exactly */
    {INT64_C(4611686018427387904), 3, 4, INT64_C(3458764513820540928), "exact large"},
};

ParameterizedTestParameters(decimal, muldiv_round)
{
    return cr_make_param_array(MulDivCase, muldiv_cases, G_N_ELEMENTS(muldiv_cases));
}

ParameterizedTest(MulDivCase *c, decimal, muldiv_round)
{
    int64_t got = muldiv_round(c->a, c->b, c->d);
    cr_assert_eq(got, c->want,
                 "muldiv_round(%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ") = %" G_GINT64_FORMAT
                 ", want %" G_GINT64_FORMAT " (%s)",
                 c->a, c->b, c->d, got, c->want, c->why);
}

/* An odd divisor has no exact half: 2a + d over 2d must not round 1/3 up. */
Test(decimal, div_round_odd_divisors)
{
    for (int64_t n = -1000; n <= 1000; n++)
        for (int64_t d = 1; d <= 9; d += 2) {
            /* the nearest integer by hand: q = n / d truncated, then compare 2|r| with d */
            int64_t q = n / d, r = n % d;
            if (2 * (r < 0 ? -r : r) >= d)
                q += n < 0 ? -1 : 1;
            if (div_round(n, d) != q)
                cr_assert_fail("div_round(%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ") = %" G_GINT64_FORMAT
                               ", want %" G_GINT64_FORMAT,
                               n, d, div_round(n, d), q);
        }
}

/* div_round takes 128-bit arguments: a numerator far above int64. */
Test(decimal, div_round_wide)
{
    /* (2^63 - 2) x 1000 + 500 over 1000 is (2^63 - 2).5, which rounds up to 2^63 - 1 */
    __int128 n = (__int128)(INT64_MAX - 1) * 1000 + 500;
    cr_assert_eq(div_round(n, 1000), INT64_MAX);
    cr_assert_eq(div_round(-n, 1000), -INT64_MAX);
}

static void
quiet(void)
{
    cr_redirect_stdout();
    cr_redirect_stderr();
}

/* d must be positive: a programmer error, asserted. */
Test(decimal, div_round_zero_divisor_asserts, .signal = SIGABRT, .init = quiet)
{
    div_round(1, 0);
}

/* ---- decimal_format, pow10_i64 ---- */

typedef struct {
    int64_t v;
    int places;
    char want[32];
} FormatCase;

static FormatCase format_cases[] = {
    {1043210, 6, "1.043210"},
    {-1043210, 6, "-1.043210"},
    {1000000, 6, "1.000000"},
    {0, 6, "0.000000"},
    {-1, 6, "-0.000001"},
    {1234, 2, "12.34"},
    {5, 2, "0.05"},
    {-5, 2, "-0.05"},
    {-5, 0, "-5"},
    {0, 0, "0"},
    {1758794, 6, "1.758794"},
    {INT64_MAX, 0, "9223372036854775807"},
    {INT64_MIN, 2, "-92233720368547758.08"},
    {INT64_MIN, 0, "-9223372036854775808"},
};

ParameterizedTestParameters(decimal, format)
{
    return cr_make_param_array(FormatCase, format_cases, G_N_ELEMENTS(format_cases));
}

/* R-B5: "printed with 6 decimals". */
ParameterizedTest(FormatCase *c, decimal, format)
{
    char buf[32];
    cr_assert_str_eq(decimal_format(c->v, c->places, buf), c->want);
}

/* Formatting then parsing gives the value back. */
Test(decimal, format_parse_round_trip)
{
    static const int64_t vals[] = {0, 1, -1, 999999, 1000001, -123456789, 9000000000000000LL};
    for (guint i = 0; i < G_N_ELEMENTS(vals); i++)
        for (int places = 0; places <= 6; places++) {
            char buf[32];
            int64_t back;
            decimal_format(vals[i], places, buf);
            cr_assert(decimal_parse(buf, places, &back), "\"%s\" did not parse", buf);
            cr_assert_eq(back, vals[i], "\"%s\"", buf);
        }
}

Test(decimal, pow10)
{
    cr_assert_eq(pow10_i64(0), 1);
    cr_assert_eq(pow10_i64(2), 100);
    cr_assert_eq(pow10_i64(6), 1000000);
    cr_assert_eq(pow10_i64(18), INT64_C(1000000000000000000));
}
