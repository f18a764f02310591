/*
 * rng.h: deterministic random draws for pbc-gen.
 *
 * Every value the generator writes is a function of the seed and the
 * identity of the thing being generated (a patient index, a provider, a
 * month, a record number).  rng_key() hashes such an identity into a 64-bit
 * key; an Rng seeded from a key then yields a short private stream
 * (splitmix64).  Nothing depends on the order in which things are
 * generated, so any file can be regenerated alone and byte-identically, and
 * no per-patient state is ever stored.
 *
 * GRand (Mersenne Twister) is used where a longer sequential stream is
 * natural, e.g. the cosmetic quirks of one output file: rng_grand_new()
 * seeds one from a key.
 */
#ifndef PBC_GEN_RNG_H
#define PBC_GEN_RNG_H

#include <glib.h>

/* A splitmix64 stream.  Plain value type; no cleanup needed. */
typedef struct {
    guint64 s;
} Rng;

/* Mixes one 64-bit value (the splitmix64 finaliser).  Pure function. */
guint64 rng_mix(guint64 x);

/* Hashes a tuple (seed, tag, a, b, c) into a key.  @tag names the kind of
 * thing (one of the RNG_TAG_ values) so that, e.g., patient 7 and record 7
 * draw unrelated numbers.  Pure function. */
guint64 rng_key(guint64 seed, guint64 tag, guint64 a, guint64 b, guint64 c);

/* Starts a stream at @key. */
void rng_init(Rng *r, guint64 key);

/* Next 64 random bits. */
guint64 rng_next(Rng *r);

/* Uniform integer in [0, n); n > 0 (returns 0 for n <= 0). */
guint64 rng_below(Rng *r, guint64 n);

/* Uniform integer in [lo, hi] inclusive; lo <= hi. */
gint64 rng_range(Rng *r, gint64 lo, gint64 hi);

/* Uniform double in [0, 1). */
double rng_unit(Rng *r);

/* TRUE with probability p. */
gboolean rng_chance(Rng *r, double p);

/* Index in [0, n) drawn with the given non-negative integer weights (at
 * least one positive). */
int rng_weighted(Rng *r, const int *weights, int n);

/* A GRand seeded from @key; free with g_rand_free(). */
GRand *rng_grand_new(guint64 key);

/* Tags for rng_key(): one per kind of generated thing. */
enum {
    RNG_TAG_PATIENT = 1,
    RNG_TAG_PRACTICE,
    RNG_TAG_PROVIDER,
    RNG_TAG_HRG,
    RNG_TAG_TF,
    RNG_TAG_FILE,
    RNG_TAG_SPELL,
    RNG_TAG_OP,
    RNG_TAG_AE,
    RNG_TAG_VERSION,
    RNG_TAG_REJECT,
    RNG_TAG_REG_BAD,
    RNG_TAG_MISC
};

#endif
