/*
 * budget.c: R-B2 … R-B4 in exact rational arithmetic.
 *
 * With U/S = 1 + uplift/100, P = pace, W = Σ weighted population:
 *   h_p      = historic_p × U / S
 *   envelope = round(Σ historic × U / S)
 *   fair_p   = envelope × W_p / W
 *   budget_p = h_p × (1 − P) + fair_p × P
 *            = (historic_p × U × (1−P)·Pd × W + envelope × W_p × P·Pd... ) / (S × Pd × W)
 * Fractions are reduced by their gcds first (U/S, P, and the weights' common
 * factor) so realistic figures stay far inside 128 bits; an overflow anyway
 * is reported, never wrapped.
 */
#include "budget.h"

#include "conf.h"
#include "decimal.h"
#include "log.h"

#include <string.h>

typedef __int128 i128;

static int64_t
gcd64(int64_t a, int64_t b)
{
    if (a < 0)
        a = -a;
    if (b < 0)
        b = -b;
    while (b) {
        int64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* a × b, FALSE on overflow. */
static gboolean
mul(i128 a, i128 b, i128 *out)
{
    return !__builtin_mul_overflow(a, b, out);
}

static gboolean
mul3(i128 a, i128 b, i128 c, i128 *out)
{
    i128 t;
    return mul(a, b, &t) && mul(t, c, out);
}

typedef struct {
    i128 rem;
    const char *code;
    guint index;
} Rem;

static gint
cmp_rem(gconstpointer a, gconstpointer b)
{
    const Rem *x = a, *y = b;
    if (x->rem != y->rem)
        return x->rem > y->rem ? -1 : 1;
    return strcmp(x->code, y->code);
}

gboolean
budget_largest_remainder(const i128 *num, i128 den, const char *const *codes, guint n,
                         int64_t total, int64_t *out)
{
    i128 sum = 0;
    Rem *rems = g_new(Rem, n ? n : 1);
    for (guint i = 0; i < n; i++) {
        out[i] = (int64_t)(num[i] / den);
        rems[i].rem = num[i] % den;
        rems[i].code = codes[i];
        rems[i].index = i;
        sum += out[i];
    }
    i128 extra = total - sum;
    if (extra < 0 || extra > n) {
        g_free(rems);
        return FALSE;
    }
    qsort(rems, n, sizeof *rems, (int (*)(const void *, const void *))cmp_rem);
    for (guint k = 0; k < (guint)extra; k++)
        out[rems[k].index]++;
    g_free(rems);
    return TRUE;
}

static gboolean
overflow(GError **error)
{
    g_set_error(error, PBC_ERROR, PBC_ERROR_DATA,
                "budget arithmetic would overflow: historic spend, populations or parameters "
                "out of range");
    return FALSE;
}

gboolean
budget_set(BudgetLine *lines, guint n, int64_t uplift_micro, int64_t pace_micro,
           int64_t contingency_micro, int64_t *envelope, GError **error)
{
    /* U/S = (100e6 + uplift) / 100e6, reduced. */
    int64_t U = 100 * PBC_MICRO + uplift_micro, S = 100 * PBC_MICRO;
    int64_t g = gcd64(U, S);
    if (g > 1) {
        U /= g;
        S /= g;
    }
    /* pace = Pn / Pd, reduced; 1 − pace = (Pd − Pn) / Pd. */
    int64_t Pn = pace_micro, Pd = PBC_MICRO;
    g = gcd64(Pn, Pd);
    if (g > 1) {
        Pn /= g;
        Pd /= g;
    }
    /* Weights reduced by their common factor. */
    int64_t wg = 0;
    for (guint i = 0; i < n; i++)
        wg = gcd64(wg, lines[i].weighted_population);
    if (wg == 0)
        wg = 1;
    i128 W = 0, H = 0;
    for (guint i = 0; i < n; i++) {
        W += lines[i].weighted_population / wg;
        H += lines[i].historic;
    }
    i128 t;
    if (!mul(H, U, &t))
        return overflow(error);
    int64_t env = div_round(t, S);
    *envelope = env;
    if (W == 0 && env != 0) {
        g_set_error(error, PBC_ERROR, PBC_ERROR_DATA,
                    "cannot set fair shares: the budget practices' total weighted population "
                    "is 0");
        return FALSE;
    }
    if (W == 0)
        W = 1; /* every fair share is 0 / 1 */

    i128 *fnum = g_new(i128, n ? n : 1), *bnum = g_new(i128, n ? n : 1);
    const char **codes = g_new(const char *, n ? n : 1);
    int64_t *fair = g_new(int64_t, n ? n : 1), *bud = g_new(int64_t, n ? n : 1);
    gboolean ok = TRUE;
    /* budget_p = [hist × U × (Pd − Pn) × W + env × W_p × Pn × S] / (S × Pd × W) */
    i128 bden;
    ok = ok && mul3(S, Pd, W, &bden);
    for (guint i = 0; ok && i < n; i++) {
        i128 wp = lines[i].weighted_population / wg, a, b;
        codes[i] = lines[i].practice_code;
        ok = mul(env, wp, &fnum[i]) && mul3(lines[i].historic, U, Pd - Pn, &t) && mul(t, W, &a)
             && mul3(env, wp, Pn, &t) && mul(t, S, &b) && !__builtin_add_overflow(a, b, &bnum[i]);
        if (!ok)
            break;
        if (!mul(lines[i].historic, U, &t)) {
            ok = FALSE;
            break;
        }
        lines[i].uplifted_historic = div_round(t, S);
        /* distance = (h − f) / f = (hist × U × W − S × env × W_p) / (S × env × W_p) */
        lines[i].has_distance = env != 0 && wp != 0;
        if (lines[i].has_distance) {
            i128 x, y, den;
            ok = mul3(lines[i].historic, U, W, &x) && mul3(S, env, wp, &y) && mul(y, 1, &den)
                 && mul(x - y, PBC_MICRO, &t);
            if (!ok)
                break;
            lines[i].distance_micro = div_round(t, den);
        }
    }
    if (!ok) {
        g_free(fnum);
        g_free(bnum);
        g_free(codes);
        g_free(fair);
        g_free(bud);
        return overflow(error);
    }
    gboolean lr = budget_largest_remainder(fnum, W, codes, n, env, fair)
                  && budget_largest_remainder(bnum, bden, codes, n, env, bud);
    for (guint i = 0; lr && i < n; i++) {
        lines[i].fair_share = fair[i];
        lines[i].budget = bud[i];
        lines[i].contingency = muldiv_round(bud[i], contingency_micro, 100 * PBC_MICRO);
        lines[i].annual_budget = bud[i] - lines[i].contingency;
    }
    g_free(fnum);
    g_free(bnum);
    g_free(codes);
    g_free(fair);
    g_free(bud);
    if (!lr) {
        g_set_error(error, PBC_ERROR, PBC_ERROR_DATA,
                    "budgets do not add up to the envelope (negative historic spend?)");
        return FALSE;
    }
    return TRUE;
}
