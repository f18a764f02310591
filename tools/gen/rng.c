/*
 * rng.c: splitmix64 streams keyed by identity (see rng.h).
 *
 * splitmix64 passes BigCrush, costs a few cycles per draw and, unlike
 * GRand, needs no 2.5 KB state table to seed, which matters because the
 * generator seeds a fresh stream for each of up to 55 million patients.
 */
#include "rng.h"


guint64
rng_mix(guint64 x)
{
    x ^= x >> 30;
    x *= G_GUINT64_CONSTANT(0xbf58476d1ce4e5b9);
    x ^= x >> 27;
    x *= G_GUINT64_CONSTANT(0x94d049bb133111eb);
    x ^= x >> 31;
    return x;
}

guint64
rng_key(guint64 seed, guint64 tag, guint64 a, guint64 b, guint64 c)
{
    /* Chain the mixes so that (a, b) and (b, a) give different keys. */
    guint64 h = rng_mix(seed ^ G_GUINT64_CONSTANT(0x9e3779b97f4a7c15));
    h = rng_mix(h ^ (tag * G_GUINT64_CONSTANT(0x2545f4914f6cdd1d)));
    h = rng_mix(h ^ a);
    h = rng_mix(h ^ (b + G_GUINT64_CONSTANT(0x632be59bd9b4e019)));
    h = rng_mix(h ^ (c + G_GUINT64_CONSTANT(0x8cb92ba72f3d8dd7)));
    return h;
}

void
rng_init(Rng *r, guint64 key)
{
    r->s = key;
}

guint64
rng_next(Rng *r)
{
    r->s += G_GUINT64_CONSTANT(0x9e3779b97f4a7c15);
    return rng_mix(r->s);
}

guint64
rng_below(Rng *r, guint64 n)
{
    if (n == 0)
        return 0;
    /* Lemire's multiply-shift; the bias (< n / 2^64) is irrelevant here. */
    return (guint64) (((unsigned __int128) rng_next(r) * n) >> 64);
}

gint64
rng_range(Rng *r, gint64 lo, gint64 hi)
{
    g_assert(lo <= hi);
    return lo + (gint64) rng_below(r, (guint64) (hi - lo) + 1);
}

double
rng_unit(Rng *r)
{
    return (double) (rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

gboolean
rng_chance(Rng *r, double p)
{
    return rng_unit(r) < p;
}

int
rng_weighted(Rng *r, const int *weights, int n)
{
    gint64 total = 0;
    for (int i = 0; i < n; i++)
        total += weights[i];
    g_assert(total > 0);
    gint64 x = (gint64) rng_below(r, (guint64) total);
    for (int i = 0; i < n; i++) {
        if (x < weights[i])
            return i;
        x -= weights[i];
    }
    return n - 1;
}

GRand *
rng_grand_new(guint64 key)
{
    guint32 seed[2] = { (guint32) key, (guint32) (key >> 32) };
    return g_rand_new_with_seed_array(seed, 2);
}
