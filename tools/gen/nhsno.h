/*
 * nhsno.h: NHS numbers for generated patients.
 *
 * An NHS number is nine digits and a modulus-11 check digit (NHS Data
 * Dictionary): weights 10..2 over the first nine digits, check = 11 - (sum
 * mod 11), 11 becomes 0, and a base whose check would be 10 is never issued.
 * nhsno_for_patient() maps a patient index onto a distinct valid number
 * without any table: an affine permutation of the index gives the first
 * eight digits and the ninth is chosen so that the check digit exists.
 */
#ifndef PBC_GEN_NHSNO_H
#define PBC_GEN_NHSNO_H

#include <glib.h>

/* Buffer size for a number with its NUL. */
#define NHSNO_BUF 11

/* Largest number of distinct patients nhsno_for_patient() can number. */
#define NHSNO_MAX_PATIENTS G_GINT64_CONSTANT(100000000)

/* Check digit (0..10) of the nine digits at @d (10 = no valid number). */
int nhsno_check_digit(const char *d);

/* TRUE when @s is ten digits with a correct check digit. */
gboolean nhsno_is_valid(const char *s);

/* Writes the distinct valid NHS number of patient @idx (0 <= idx <
 * @npatients <= NHSNO_MAX_PATIENTS) into @out.  Numbers start with 4..9 when
 * npatients <= 60 million, like real English numbers, and are spread over
 * the space by @seed. */
void nhsno_for_patient(char *out, gint64 idx, gint64 npatients, guint64 seed);

/* Writes a valid NHS number that belongs to no generated patient (it
 * starts with 3, a range this generator never issues) drawn from @h. */
void nhsno_unregistered(char *out, guint64 h);

/* Writes an invalid ten-digit number derived from valid @valid: either the
 * check digit is wrong or the base is one with no check digit; @h picks. */
void nhsno_corrupt(char *out, const char *valid, guint64 h);

#endif
