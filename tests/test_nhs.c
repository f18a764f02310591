/*
 * test_nhs.c: the NHS number modulus-11 check (lib/nhs.c).
 *
 * R-A1 attributes by Exeter only for an NHS number that passes the check;
 * R-G2 applies the high-cost threshold only to valid numbers.  The check
 * (NHS Data Dictionary): weights 10, 9, …, 2 on the first nine digits,
 * check = 11 − (sum mod 11); 11 means 0 and 10 means no valid number.
 *
 * Worked by hand for 9434765919:
 *   9×10 + 4×9 + 3×8 + 4×7 + 7×6 + 6×5 + 5×4 + 9×3 + 1×2 = 299,
 *   299 mod 11 = 2, 11 − 2 = 9 = the tenth digit: valid.
 * For 1234567890: 10+18+24+28+30+30+28+24+18 = 210, 210 mod 11 = 1,
 *   11 − 1 = 10: no number with these nine digits is valid.
 */
#include "nhs.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

typedef struct {
    char text[24]; /* an array: Criterion runs each case in a fresh process */
    gboolean valid;
    char why[64];
} NhsCase;

static NhsCase nhs_cases[] = {
    /* valid */
    {"9434765919", TRUE, "sum 299, check 9"},
    {"3417284996", TRUE, "sum 236 (mod 11 = 5), check 6"},
    {"1234567881", TRUE, "sum 208 (mod 11 = 10), check 1"},
    {"9876543210", TRUE, "sum 330 (mod 11 = 0), check 11 -> 0"},
    {"5390502108", TRUE, "sum 190 (mod 11 = 3), check 8"},
    {"2788584652", TRUE, "sum 317 (mod 11 = 9), check 2"},
    {"0000000000", TRUE, "all zeros pass the modulus (check 11 -> 0)"},
    /* invalid */
    {"9434765918", FALSE, "check digit 9 expected, 8 given"},
    {"9434765910", FALSE, "check digit 9 expected, 0 given"},
    {"1234567890", FALSE, "check would be 10"},
    {"2345678901", FALSE, "sum 244 (mod 11 = 2), check 9, 1 given"},
    {"9990000000", FALSE, "sum 243 (mod 11 = 1), check would be 10"},
    /* wrong lengths */
    {"943476591", FALSE, "nine digits"},
    {"94347659190", FALSE, "eleven digits"},
    {"94347659199", FALSE, "a valid number with a digit appended"},
    {"", FALSE, "blank"},
    {"9", FALSE, "one digit"},
    /* spaces, separators, letters */
    {"943 476 5919", FALSE, "spaces as printed on cards"},
    {"943-476-5919", FALSE, "dashes"},
    {" 9434765919", FALSE, "leading space"},
    {"9434765919 ", FALSE, "trailing space"},
    {"943476591A", FALSE, "a letter for the check digit"},
    {"A434765919", FALSE, "a letter first"},
    {"943476591X", FALSE, "X check digit (ISBN style)"},
    {"+434765919", FALSE, "a sign"},
    {"9434765919\n", FALSE, "a line end"},
};

ParameterizedTestParameters(nhs, valid)
{
    return cr_make_param_array(NhsCase, nhs_cases, G_N_ELEMENTS(nhs_cases));
}

/* R-A1: the modulus-11 check. */
ParameterizedTest(NhsCase *c, nhs, valid)
{
    gboolean v = nhs_number_valid(c->text);
    cr_assert_eq(v, c->valid, "nhs_number_valid(\"%s\") = %d, want %d (%s)", c->text, v,
                 c->valid, c->why);
}

/*
 * Exactly one check digit completes each nine-digit stem unless the check
 * would be 10: count over a run of stems by brute force.
 */
Test(nhs, one_check_digit_per_stem)
{
    char s[11] = "000000000x";
    for (int stem = 100000000; stem < 100002000; stem++) {
        g_snprintf(s, sizeof s, "%09d0", stem);
        int sum = 0, valid = 0;
        for (int i = 0; i < 9; i++)
            sum += (s[i] - '0') * (10 - i);
        int check = (11 - sum % 11) % 11;
        for (char d = '0'; d <= '9'; d++) {
            s[9] = d;
            if (nhs_number_valid(s))
                valid++;
        }
        int want = check == 10 ? 0 : 1;
        if (valid != want)
            cr_assert_fail("stem %09d: %d valid check digits, want %d", stem, valid, want);
    }
}

/* A short string must not be read past its end (ASan would catch it). */
Test(nhs, short_heap_strings)
{
    for (int n = 0; n <= 11; n++) {
        if (n == 10)
            continue; /* 9999999999 is valid: 9 × 54 = 486, mod 11 = 2, check 9 */
        char *s = g_malloc(n + 1);
        memset(s, '9', n);
        s[n] = '\0';
        cr_assert_not(nhs_number_valid(s), "length %d", n);
        g_free(s);
    }
}
