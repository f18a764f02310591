/*
 * test_render_number.c: pence as pounds, counts and decimals on the
 * statement pages (lib/render_number.c).
 *
 * Money is integer pence and never floating point (SPEC §6); a statement
 * shows it as "£12,345.67", a negative amount with a real minus sign
 * "−£1,234.56" (U+2212), and rounds halves away from zero where it drops
 * digits.  Every expected string is written out by hand.
 */
#include "render_number.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdint.h>
#include <string.h>

#define M RENDER_MINUS
#define L RENDER_POUND

/* Strings are arrays: Criterion runs each case in a fresh process. */
typedef struct {
    int64_t pence;
    char money[48];
    char whole[48];
} MoneyCase;

static MoneyCase money_cases[] = {
    {0, L "0.00", L "0"},
    {1, L "0.01", L "0"},
    {-1, M L "0.01", L "0"},             /* −1p rounds to £0: no minus on a zero */
    {49, L "0.49", L "0"},
    {50, L "0.50", L "1"},               /* half a pound rounds up (away from zero) */
    {-50, M L "0.50", M L "1"},          /* and down when negative */
    {-49, M L "0.49", L "0"},
    {99, L "0.99", L "1"},
    {100, L "1.00", L "1"},
    {123456, L "1,234.56", L "1,235"},
    {-123456, M L "1,234.56", M L "1,235"},
    {99999, L "999.99", L "1,000"},      /* the separator appears with the carry */
    {100000, L "1,000.00", L "1,000"},
    {1234567, L "12,345.67", L "12,346"},
    {7059522, L "70,595.22", L "70,595"}, /* L81001's spend to date in the sample */
    {-3035279, M L "30,352.79", M L "30,353"},
    {100000000, L "1,000,000.00", L "1,000,000"},
    {INT64_MAX, L "92,233,720,368,547,758.07", L "92,233,720,368,547,758"},
    /* INT64_MIN: the magnitude does not fit in int64_t, the output must not overflow */
    {INT64_MIN, M L "92,233,720,368,547,758.08", M L "92,233,720,368,547,758"},
};

ParameterizedTestParameters(render_number, money)
{
    return cr_make_param_array(MoneyCase, money_cases, sizeof money_cases / sizeof money_cases[0]);
}

ParameterizedTest(MoneyCase *c, render_number, money)
{
    g_autofree char *m = render_money(c->pence);
    g_autofree char *w = render_money_whole(c->pence);
    cr_expect_str_eq(m, c->money, "render_money(%" G_GINT64_FORMAT ")", c->pence);
    cr_expect_str_eq(w, c->whole, "render_money_whole(%" G_GINT64_FORMAT ")", c->pence);
}

Test(render_number, money_html_marks_negatives_for_red)
{
    g_autoptr(GString) s = g_string_new(NULL);
    render_money_html(s, -123456);
    cr_expect_str_eq(s->str, "<span class=\"money neg\">" M L "1,234.56</span>");
    g_string_truncate(s, 0);
    render_money_html(s, 0);
    cr_expect_str_eq(s->str, "<span class=\"money\">" L "0.00</span>");
    g_string_truncate(s, 0);
    render_money_html(s, 5);
    cr_expect_str_eq(s->str, "<span class=\"money\">" L "0.05</span>");
}

typedef struct {
    int64_t n;
    char text[40];
} CountCase;

static CountCase count_cases[] = {
    {0, "0"},          {7, "7"},           {999, "999"},     {1000, "1,000"},
    {-1000, M "1,000"}, {1234567, "1,234,567"}, {100000, "100,000"},
    {INT64_MIN, M "9,223,372,036,854,775,808"},
};

ParameterizedTestParameters(render_number, count)
{
    return cr_make_param_array(CountCase, count_cases, sizeof count_cases / sizeof count_cases[0]);
}

ParameterizedTest(CountCase *c, render_number, count)
{
    g_autofree char *s = render_count(c->n);
    cr_expect_str_eq(s, c->text);
}

typedef struct {
    int64_t v;
    int places, out;
    char text[40];
} ScaledCase;

static ScaledCase scaled_cases[] = {
    {171847, 6, 4, "0.1718"},    /* 0.171847 → 0.1718 (the 5th decimal 4 rounds down) */
    {171850, 6, 4, "0.1719"},    /* exactly half: away from zero */
    {-171850, 6, 4, M "0.1719"}, /* and away from zero below it */
    {2059467, 6, 2, "2.06"},     /* a benchmark ratio */
    {2059467, 6, 1, "2.1"},
    {1000000, 6, 1, "1.0"},      /* an axis tick */
    {-5, 1, 0, M "1"},           /* −0.5 → −1 */
    {-4, 1, 0, "0"},             /* −0.4 → 0, no minus */
    {123456789, 3, 3, "123,456.789"},
    {1234567890, 3, 0, "1,234,568"},
};

ParameterizedTestParameters(render_number, scaled)
{
    return cr_make_param_array(ScaledCase, scaled_cases, sizeof scaled_cases / sizeof scaled_cases[0]);
}

ParameterizedTest(ScaledCase *c, render_number, scaled)
{
    g_autofree char *s = render_scaled(c->v, c->places, c->out);
    cr_expect_str_eq(s, c->text, "render_scaled(%" G_GINT64_FORMAT ", %d, %d)", c->v, c->places,
                     c->out);
}

typedef struct {
    char in[40];
    int out;
    gboolean ok;
    char text[40];
} DecimalCase;

static DecimalCase decimal_cases[] = {
    {"38.793", 3, TRUE, "38.793"},        /* a rate as published */
    {"38.793", 1, TRUE, "38.8"},
    {"360.890000", 2, TRUE, "360.89"},    /* a weighted population */
    {"3928.560000", 2, TRUE, "3,928.56"},
    {"-0.330697", 6, TRUE, M "0.330697"},
    {"97.7", 1, TRUE, "97.7"},            /* spend as a % of budget, from the view */
    {"175.45", 1, TRUE, "175.5"},         /* half away from zero */
    {"14", 0, TRUE, "14"},                /* a count */
    {" 14 ", 0, TRUE, "14"},              /* the database's text may carry spaces */
    {"0.1234567891", 6, TRUE, "0.123457"}, /* more than 6 decimals from a view */
    {"", 2, FALSE, ""},
    {"NaN", 2, FALSE, ""},
    {"1e3", 2, FALSE, ""},
};

ParameterizedTestParameters(render_number, decimal)
{
    return cr_make_param_array(DecimalCase, decimal_cases,
                               sizeof decimal_cases / sizeof decimal_cases[0]);
}

ParameterizedTest(DecimalCase *c, render_number, decimal)
{
    g_autofree char *s = render_decimal(c->in, c->out);
    if (c->ok)
        cr_expect_str_eq(s, c->text, "render_decimal(\"%s\", %d)", c->in, c->out);
    else
        cr_expect_null(s, "render_decimal(\"%s\") should fail", c->in);
}

Test(render_number, decimal_null_is_absent)
{
    cr_expect_null(render_decimal(NULL, 2));
    cr_expect_null(render_ratio_percent(NULL, 2));
}

typedef struct {
    char in[24];
    int out;
    char text[24];
} PercentCase;

static PercentCase percent_cases[] = {
    {"0.171847", 2, "+17.18%"},  /* R-B5 distance from target: above the fair share */
    {"-0.330697", 2, M "33.07%"}, /* below it */
    {"0.000000", 2, "0.00%"},
    {"0.000049", 2, "0.00%"},     /* 0.0049% → 0.00% */
    {"0.000050", 2, "+0.01%"},    /* 0.005% → 0.01%: half away from zero */
    {"-0.000050", 2, M "0.01%"},
    {"1.5", 0, "+150%"},
};

ParameterizedTestParameters(render_number, ratio_percent)
{
    return cr_make_param_array(PercentCase, percent_cases,
                               sizeof percent_cases / sizeof percent_cases[0]);
}

ParameterizedTest(PercentCase *c, render_number, ratio_percent)
{
    g_autofree char *s = render_ratio_percent(c->in, c->out);
    cr_expect_str_eq(s, c->text, "render_ratio_percent(\"%s\", %d)", c->in, c->out);
}
