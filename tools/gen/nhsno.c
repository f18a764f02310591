/*
 * nhsno.c: modulus-11 NHS numbers (see nhsno.h).
 */
#include "nhsno.h"

#include "rng.h"

#include <string.h>

int
nhsno_check_digit(const char *d)
{
    int sum = 0;
    for (int i = 0; i < 9; i++)
        sum += (d[i] - '0') * (10 - i);
    int c = 11 - sum % 11;
    return c == 11 ? 0 : c;
}

gboolean
nhsno_is_valid(const char *s)
{
    for (int i = 0; i < 10; i++)
        if (!g_ascii_isdigit(s[i]))
            return FALSE;
    if (s[10] != '\0')
        return FALSE;
    int c = nhsno_check_digit(s);
    return c != 10 && c == s[9] - '0';
}

/* Greatest common divisor, for choosing a multiplier coprime to the space. */
static guint64
gcd(guint64 a, guint64 b)
{
    while (b) {
        guint64 t = a % b;
        a = b;
        b = t;
    }
    return a;
}

void
nhsno_for_patient(char *out, gint64 idx, gint64 npatients, guint64 seed)
{
    g_assert(idx >= 0 && idx < npatients && npatients <= NHSNO_MAX_PATIENTS);
    /* Eight leading digits: 4xxxxxxx..9xxxxxxx (60 million) when that is
     * enough, else the whole 0..99999999. */
    const guint64 space = npatients <= G_GINT64_CONSTANT(60000000)
        ? G_GUINT64_CONSTANT(60000000) : G_GUINT64_CONSTANT(100000000);
    const guint64 first = space == G_GUINT64_CONSTANT(60000000) ? 40000000 : 0;
    /* A multiplier coprime to the space and an offset, both mixed from
     * the seed, so that neighbouring patients get unrelated numbers. */
    guint64 a = (rng_mix(seed ^ G_GUINT64_CONSTANT(0x4e4853)) % space) | 1;
    while (gcd(a, space) != 1)
        a += 2;
    const guint64 b = rng_mix(seed + 1) % space;
    guint64 v = first + (guint64) (((unsigned __int128) a * (guint64) idx + b) % space);
    for (int i = 7; i >= 0; i--) {
        out[i] = (char) ('0' + v % 10);
        v /= 10;
    }
    /* Ninth digit: weight 2; of the ten choices exactly one or none makes
     * the check digit 10.  Start from a patient-dependent digit and take
     * the first that works. */
    int d9 = (int) ((seed ^ (guint64) idx * 7919) % 10);
    for (int k = 0; k < 10; k++) {
        out[8] = (char) ('0' + (d9 + k) % 10);
        int c = nhsno_check_digit(out);
        if (c != 10) {
            out[9] = (char) ('0' + c);
            out[10] = '\0';
            return;
        }
    }
    g_assert_not_reached();
}

void
nhsno_unregistered(char *out, guint64 h)
{
    out[0] = '3';
    for (int i = 1; i < 9; i++) {
        out[i] = (char) ('0' + h % 10);
        h /= 10;
    }
    if (nhsno_check_digit(out) == 10)
        out[8] = out[8] == '9' ? '0' : (char) (out[8] + 1);
    out[9] = (char) ('0' + nhsno_check_digit(out));
    out[10] = '\0';
}

void
nhsno_corrupt(char *out, const char *valid, guint64 h)
{
    memcpy(out, valid, NHSNO_BUF);
    if (h % 3 == 0) {
        /* A base with no valid check digit: change the ninth digit until
         * the check would be 10, keeping the last digit as it was. */
        for (int k = 0; k < 10; k++) {
            out[8] = (char) ('0' + k);
            if (nhsno_check_digit(out) == 10)
                return;
        }
    }
    /* A wrong check digit (a keying error in the last digit). */
    int c = nhsno_check_digit(out);
    int wrong = (int) (h / 3 % 9);
    if (c == 10)
        return;
    out[9] = (char) ('0' + (c + 1 + wrong) % 10);
}
