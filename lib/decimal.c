/*
 * decimal.c: scaled-integer decimals (see decimal.h).
 */
#include "decimal.h"

#include <stdio.h>
#include <string.h>

/*
 * The largest magnitude accepted after scaling (decimal.h): ±9e15, so that
 * sums of many parsed values, and products with an MFF, stay far inside
 * int64 and the 128-bit intermediates.
 */
#define DECIMAL_LIMIT 9000000000000000LL

int64_t
pow10_i64(int n)
{
    int64_t p = 1;
    while (n-- > 0)
        p *= 10;
    return p;
}

gboolean
decimal_parse(const char *s, int places, int64_t *out)
{
    gboolean neg = FALSE;
    int64_t v = 0;
    int decimals = -1, ndigits = 0;
    if (*s == '-') {
        neg = TRUE;
        s++;
    }
    for (; *s; s++) {
        if (*s == '.') {
            if (decimals >= 0)
                return FALSE;
            decimals = 0;
            continue;
        }
        if (*s < '0' || *s > '9')
            return FALSE;
        if (decimals >= 0 && ++decimals > places)
            return FALSE;
        v = v * 10 + (*s - '0');
        /* The scaled value is at least v: stop before v can overflow. */
        if (v > DECIMAL_LIMIT)
            return FALSE;
        ndigits++;
    }
    if (ndigits == 0)
        return FALSE;
    int scale = places - (decimals < 0 ? 0 : decimals);
    int64_t p = pow10_i64(scale);
    if (v > DECIMAL_LIMIT / p)
        return FALSE;
    v *= p;
    *out = neg ? -v : v;
    return TRUE;
}

int64_t
div_round(__int128 n, __int128 d)
{
    g_assert(d > 0);
    gboolean neg = n < 0;
    __int128 a = neg ? -n : n;
    /* a/d rounded half up on magnitudes == halves away from zero overall.
     * Compare the remainder with what is left of d, so nothing is doubled
     * and nothing can overflow. */
    __int128 q = a / d, r = a % d;
    if (r >= d - r)
        q++;
    return (int64_t)(neg ? -q : q);
}

int64_t
muldiv_round(int64_t a, int64_t b, int64_t d)
{
    return div_round((__int128)a * b, d);
}

char *
decimal_format(int64_t v, int places, char *buf)
{
    /* By hand, not snprintf: the MFF of every unit is formatted this way. */
    int64_t p = pow10_i64(places);
    uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    uint64_t ip = a / (uint64_t)p, fp = a % (uint64_t)p;
    char tmp[24], *e = tmp + sizeof tmp, *q = e;
    do {
        *--q = (char)('0' + ip % 10);
        ip /= 10;
    } while (ip);
    char *o = buf;
    if (v < 0)
        *o++ = '-';
    memcpy(o, q, (size_t)(e - q));
    o += e - q;
    if (places > 0) {
        *o++ = '.';
        for (int i = places - 1; i >= 0; i--) {
            o[i] = (char)('0' + fp % 10);
            fp /= 10;
        }
        o += places;
    }
    *o = '\0';
    return buf;
}
