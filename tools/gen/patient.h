/*
 * patient.h: a generated patient, derived from nothing but its index.
 *
 * patient_get() computes, from the seed and the patient index alone, the
 * NHS number, sex, date of birth and the Exeter registration history: the
 * rows registrations.csv holds for the patient.  Activity generation calls
 * it again for each patient it draws, so that what a hospital recorded
 * agrees (or deliberately disagrees) with what Exeter says, without the
 * generator ever storing a patient.
 *
 * History shapes (see docs/generator.md): one registration since some date;
 * a move (a deregistration, then a registration elsewhere, sometimes with a
 * gap or an overlap); transfers when a practice closes (or a stale open
 * registration with the closed practice); a newborn registered 2 to 11
 * weeks after birth; a patient who left (death, emigration) with no later
 * registration; rarely two registrations with the same date.
 */
#ifndef PBC_GEN_PATIENT_H
#define PBC_GEN_PATIENT_H

#include "nhsno.h"
#include "world.h"

#define PATIENT_MAXREG 8

typedef struct {
    int practice;             /* practice index */
    Day from;                 /* registration_date */
    Day to;                   /* deregistration_date (first day not
                               * registered); DAY_NONE when still registered */
} Reg;

typedef struct {
    gint64 idx;
    int home;                 /* the practice whose block holds idx */
    char nhs[NHSNO_BUF];
    Day dob;
    int sex;                  /* 1 male, 2 female */
    gboolean newborn;         /* born within the window */
    guint64 h;                /* for further per-patient draws */
    Reg reg[PATIENT_MAXREG];  /* in extract order */
    int nreg;
} Patient;

/* Fills @pt for patient @idx (0 <= idx < w->n_patients). */
void patient_get(const World *w, gint64 idx, Patient *pt);

/* R-A1: index of the registration covering @d (the latest
 * registration_date wins, a tie going to the later row), or -1. */
int patient_reg_at(const Patient *pt, Day d);

/* R-A2: index of the registration with a registration or deregistration
 * date nearest @d, at most @lookback days away, or -1. */
int patient_reg_near(const Patient *pt, Day d, int lookback);

/* Writes the patient's postcode ("EX4 6PQ") into @out (>= 9 bytes). */
void patient_postcode(const World *w, const Patient *pt, char *out);

/* The newborn of practice @practice born on @day or soon after: its patient
 * index, or -1 when the practice has no newborn born from @day to @day +
 * 6. */
gint64 patient_newborn_on(const World *w, int practice, Day day);

#endif
