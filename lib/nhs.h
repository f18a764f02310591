/*
 * nhs.h: NHS number validation (NHS Data Dictionary, modulus 11).
 */
#ifndef PBC_NHS_H
#define PBC_NHS_H

#include <glib.h>

/*
 * TRUE when s is exactly ten ASCII digits whose tenth is the modulus-11 check
 * digit of the first nine (weights 10..2; 11 - sum mod 11, where 11 means 0
 * and 10 means the number is invalid).
 */
gboolean nhs_number_valid(const char *s);

#endif
