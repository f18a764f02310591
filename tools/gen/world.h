/*
 * world.h: the fixed cast of a generated data set: PCTs, GP practices,
 * providers, HRGs and the time window.
 *
 * The world is small (national scale: 152 PCTs, 8,300 practices, 170
 * providers, 2,400 HRGs) and held in memory; patients are not: a patient is
 * an index into [0, n_patients), laid out in contiguous blocks by practice
 * and practices in blocks by PCT, so that world_practice_of() finds a
 * patient's home practice by binary search and patient.c derives the rest.
 */
#ifndef PBC_GEN_WORLD_H
#define PBC_GEN_WORLD_H

#include "calendar.h"
#include "config.h"

#include <glib.h>

/* A Day meaning "none" (an open registration, a practice never closed). */
#define DAY_NONE G_MAXINT32

typedef struct {
    char code[8];             /* e.g. 5QA */
    char area[3];             /* postcode area, e.g. EX */
    int first_practice, n_practices;
    int first_normal, n_normal;   /* slice of World.normal */
    gint64 first_patient, n_patients;
} Pct;

typedef enum {
    PRAC_NORMAL,
    PRAC_CLOSED_SUCC,         /* closed, successor_code names who took over */
    PRAC_CLOSED_NOSUCC,       /* closed, list dispersed, no successor */
    PRAC_OPENED               /* opened during the current financial year */
} PracticeKind;

typedef struct {
    char code[8];             /* letter + 5 digits */
    int pct;
    int consortium;           /* number within the PCT, from 1 */
    PracticeKind kind;
    Day open, close;          /* close = DAY_NONE when open */
    int successor;            /* practice index or -1 */
    gint64 first_patient, n_patients;
    gint64 n_newborn;         /* the last n_newborn of the block */
    int need_permille;        /* needs weighting: weighted = list * this / 1000 */
} Practice;

typedef struct {
    char code[8];             /* 3 characters, or 5 for a site */
    int home_lo, home_hi;     /* PCTs it mainly serves: [lo, hi) */
    int weight;               /* share of activity */
    gboolean has_mff;         /* listed in mff.csv */
} Provider;

typedef struct {
    char code[8];
    gint64 el, dc, nel;       /* 2024/25 prices in pence (source) */
} SrcHrg;

typedef struct {
    const GenConfig *cfg;
    guint64 seed;

    Pct *pcts;
    int n_pcts;
    Practice *practices;
    int n_practices;
    int *normal;              /* indices of PRAC_NORMAL practices */
    int n_normal;
    Provider *providers;
    int n_providers;
    SrcHrg *hrgs;             /* in popularity order (most used first) */
    int n_hrgs;
    gint64 n_patients;

    /* Time. */
    int period;               /* reporting month index */
    int first_month;          /* first activity month */
    int fy_cur, fy_prev;      /* financial years (year of April) */
    Day window_start;         /* first day of first_month */
    Day window_end;           /* last day of period */
    Day extract_day;          /* date of the Exeter extract */
    Day born_start;           /* newborns are born from here to extract_day */

    /* Monthly activity over all providers. */
    gint64 spells_pm, op_pm, ae_pm;
} World;

/* Builds the world for @cfg, reading the tariff source file.  Returns NULL
 * and sets @err when the source cannot be read or the sizes are
 * impossible.  Free with world_free(). */
World *world_new(const GenConfig *cfg, GError **err);

/* Frees @w; accepts NULL. */
void world_free(World *w);

/* Index of the practice whose patient block holds patient @idx. */
int world_practice_of(const World *w, gint64 idx);

/* A random PRAC_NORMAL practice of PCT @pct (or of any PCT when @pct < 0),
 * other than @not (may be -1), drawn from @h. */
int world_random_normal(const World *w, int pct, int not, guint64 h);

/* Activity factor of month index @mi in per mille (seasonal variation). */
int world_season(int mi);

/* Index of the run's PCT (always 0). */
#define WORLD_RUN_PCT 0

#endif
