/*
 * patient.c: demographics and Exeter registration history of a patient,
 * derived from its index (see patient.h).
 *
 * Proportions are chosen to give ~1.45 registration rows per patient, the
 * national ratio of an Exeter extract (80 million rows, 55 million
 * patients), and enough of each awkward shape for R-A1 .. R-A5 to fire in
 * the small sample.
 */
#include "patient.h"

#include "rng.h"

#include <stdlib.h>
#include <string.h>

/* Age bands (lower bound, weight): roughly England's 2006 population. */
static const int age_lo[] = { 0, 5, 15, 25, 45, 65, 75, 85, 100 };
static const int age_w[] = { 58, 120, 130, 280, 250, 85, 58, 19 };

static void
add_reg(Patient *pt, int practice, Day from, Day to)
{
    if (pt->nreg < PATIENT_MAXREG) {
        pt->reg[pt->nreg].practice = practice;
        pt->reg[pt->nreg].from = from;
        pt->reg[pt->nreg].to = to;
        pt->nreg++;
    }
}

static Day
draw_dob(const World *w, Rng *r)
{
    int band = rng_weighted(r, age_w, (int) G_N_ELEMENTS(age_w));
    int age = (int) rng_range(r, age_lo[band], age_lo[band + 1] - 1);
    Day dob = w->extract_day - age * 365 - (Day) rng_below(r, 365);
    if (dob >= w->born_start)
        dob = w->born_start - 1 - (Day) rng_below(r, 700);
    /* A few leap-day birthdays, for the age rule of R-P5. */
    if (rng_below(r, 1500) == 0) {
        int y;
        cal_ymd(dob, &y, NULL, NULL);
        while (!(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
            y--;
        dob = cal_day(y, 2, 29);
    }
    return dob;
}

/* Registers the patient at @p from @from, following the practice's
 * closure: usually a transfer to the successor (or, with none, to another
 * practice of the PCT after a gap) on the closing date; sometimes Exeter
 * still holds the old registration open. */
static void
register_from(const World *w, Patient *pt, Rng *r, int p, Day from)
{
    for (int step = 0; step < 4; step++) {
        if (from > w->extract_day)
            return;
        const Practice *pr = &w->practices[p];
        if (pr->close != DAY_NONE && pr->close <= from) {
            /* Registered after the closure: the list had moved on. */
            p = pr->successor >= 0 ? pr->successor
                                   : world_random_normal(w, pr->pct, p, rng_next(r));
            continue;
        }
        if (pr->close == DAY_NONE || pr->close > w->extract_day || rng_chance(r, 0.3)) {
            add_reg(pt, p, from, DAY_NONE);
            return;
        }
        add_reg(pt, p, from, pr->close);
        if (pr->successor >= 0) {
            from = pr->close;
            p = pr->successor;
        } else {
            from = pr->close + (Day) rng_below(r, 46);
            p = world_random_normal(w, pr->pct, p, rng_next(r));
        }
    }
}

void
patient_get(const World *w, gint64 idx, Patient *pt)
{
    memset(pt, 0, sizeof *pt);
    pt->idx = idx;
    pt->home = world_practice_of(w, idx);
    const Practice *home = &w->practices[pt->home];
    Rng r;
    rng_init(&r, rng_key(w->seed, RNG_TAG_PATIENT, (guint64) idx, 0, 0));
    pt->h = rng_next(&r);
    nhsno_for_patient(pt->nhs, idx, w->n_patients, w->seed);
    pt->sex = rng_chance(&r, 0.49) ? 1 : 2;

    gint64 rank = idx - home->first_patient;
    gint64 first_nb = home->n_patients - home->n_newborn;
    if (rank >= first_nb) {
        /* A newborn: birth dates spread evenly over the block so that
         * patient_newborn_on() can find one by date. */
        pt->newborn = TRUE;
        gint64 nr = rank - first_nb;
        pt->dob = w->born_start
            + (Day) (nr * (w->extract_day - w->born_start) / home->n_newborn);
        Day from = pt->dob + (Day) rng_range(&r, 14, 75);
        if (home->kind == PRAC_OPENED && from < home->open)
            from = home->open + (Day) rng_below(&r, 21);
        register_from(w, pt, &r, pt->home, from);
        return;
    }

    pt->dob = draw_dob(w, &r);
    Day s_lo = MAX(pt->dob + 30, cal_day(1975, 1, 1));
    Day s_hi = w->extract_day - 30;
    if (s_lo >= s_hi)
        s_lo = s_hi - 1;
    Day r0;
    if (home->kind == PRAC_OPENED) {
        r0 = MIN(home->open + (Day) rng_below(&r, 121), w->extract_day - 1);
    } else if (home->close != DAY_NONE) {
        Day hi = MIN(s_hi, home->close - 30);
        Day lo = MIN(s_lo, hi - 1);
        r0 = (Day) rng_range(&r, lo, hi);
    } else {
        r0 = MAX((Day) rng_range(&r, s_lo, s_hi), home->open);
    }

    Day from = r0;
    gboolean mover = home->kind == PRAC_OPENED || (r0 - s_lo > 400 && rng_chance(&r, 0.45));
    if (mover) {
        Day q_lo = MAX(pt->dob, MIN(s_lo, r0 - 400));
        Day q0 = (Day) rng_range(&r, q_lo, MAX(q_lo, r0 - 200));
        int q = rng_chance(&r, 0.8) ? world_random_normal(w, home->pct, pt->home, rng_next(&r))
                                    : world_random_normal(w, -1, pt->home, rng_next(&r));
        double u = rng_unit(&r);
        if (q0 < r0) {
            if (u < 0.025)
                from = r0 + (Day) rng_range(&r, 20, 200);  /* a gap: R-A2 */
            else if (u < 0.037 && r0 - q0 > 70)
                from = r0 - (Day) rng_range(&r, 5, 60);    /* an overlap */
            add_reg(pt, q, q0, r0);
        }
    }
    register_from(w, pt, &r, pt->home, from);

    /* Left the list (died, emigrated): no later registration. */
    if (pt->nreg > 0 && rng_below(&r, 1000) < 7) {
        Reg *last = &pt->reg[pt->nreg - 1];
        Day end = (Day) rng_range(&r, w->window_start - 120, w->extract_day - 1);
        if (last->to == DAY_NONE && end > last->from + 1)
            last->to = end;
    }
    /* Two registrations with the same date (R-A1: the later row wins). */
    if (pt->nreg > 0 && rng_below(&r, 1000) == 0) {
        const Reg *last = &pt->reg[pt->nreg - 1];
        int other = world_random_normal(w, w->practices[last->practice].pct,
                                        last->practice, rng_next(&r));
        add_reg(pt, other, last->from, DAY_NONE);
    }
}

int
patient_reg_at(const Patient *pt, Day d)
{
    int best = -1;
    for (int i = 0; i < pt->nreg; i++) {
        const Reg *g = &pt->reg[i];
        if (g->from <= d && (g->to == DAY_NONE || g->to > d)
            && (best < 0 || g->from >= pt->reg[best].from))
            best = i;
    }
    return best;
}

int
patient_reg_near(const Patient *pt, Day d, int lookback)
{
    int best = -1, best_dist = 0;
    for (int i = 0; i < pt->nreg; i++) {
        const Reg *g = &pt->reg[i];
        int dist = abs(g->from - d);
        if (g->to != DAY_NONE && abs(g->to - d) < dist)
            dist = abs(g->to - d);
        if (dist > lookback)
            continue;
        if (best < 0 || dist < best_dist
            || (dist == best_dist && g->from <= pt->reg[best].from)) {
            best = i;
            best_dist = dist;
        }
    }
    return best;
}

void
patient_postcode(const World *w, const Patient *pt, char *out)
{
    static const char unit[] = "ABDEFGHJLNPQRSTUWXYZ";
    const Practice *pr = &w->practices[pt->home];
    const Pct *pc = &w->pcts[pr->pct];
    guint64 h = pt->h;
    int district = 1 + (pt->home * 7 + (int) (h % 3)) % 24;
    g_snprintf(out, 9, "%s%d %d%c%c", pc->area, district, (int) (h / 3 % 10),
               unit[h / 30 % 20], unit[h / 600 % 20]);
}

gint64
patient_newborn_on(const World *w, int practice, Day day)
{
    const Practice *pr = &w->practices[practice];
    if (pr->n_newborn == 0 || day < w->born_start)
        return -1;
    const gint64 span = w->extract_day - w->born_start;
    gint64 nr = ((gint64) (day - w->born_start) * pr->n_newborn + span - 1) / span;
    if (nr >= pr->n_newborn)
        return -1;
    Day dob = w->born_start + (Day) (nr * span / pr->n_newborn);
    if (dob > day + 6)
        return -1;
    return pr->first_patient + pr->n_patients - pr->n_newborn + nr;
}
