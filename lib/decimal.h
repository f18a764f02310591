/*
 * decimal.h: exact decimals as scaled integers, and the one rounding rule.
 *
 * Money is integer pence; no float or double ever touches it.  Pounds with up
 * to two decimals become pence, an MFF with up to six decimals becomes
 * millionths, and products are rounded to the nearest penny with halves away
 * from zero (SPEC §6 "round"), in 128-bit intermediates so nothing overflows.
 */
#ifndef PBC_DECIMAL_H
#define PBC_DECIMAL_H

#include <glib.h>
#include <stdint.h>

/*
 * Parses s (trimmed, non-empty) as [-]digits[.digits] with at most `places`
 * decimals, into an integer scaled by 10^places (so "12.5" at 2 places is
 * 1250).  Returns FALSE for anything else: exponents, signs other than a
 * leading '-', thousands separators, too many decimals, or a value beyond
 * ±9e15 after scaling.
 */
gboolean decimal_parse(const char *s, int places, int64_t *out);

/* Pounds with up to 2 decimals to pence. */
static inline gboolean
money_parse(const char *s, int64_t *pence)
{
    return decimal_parse(s, 2, pence);
}

/* round(n / d) with halves away from zero; d > 0. */
int64_t div_round(__int128 n, __int128 d);

/* round(a * b / d), halves away from zero, d > 0. */
int64_t muldiv_round(int64_t a, int64_t b, int64_t d);

/* Writes v / 10^places with exactly `places` decimals ("-1.043210"); buf >= 32 bytes. */
char *decimal_format(int64_t v, int places, char *buf);

/* Power of ten, 0 <= n <= 18. */
int64_t pow10_i64(int n);

#endif
