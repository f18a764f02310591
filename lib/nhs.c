/*
 * nhs.c: the modulus-11 check of NHS numbers (R-A1, R-G2).
 */
#include "nhs.h"

gboolean
nhs_number_valid(const char *s)
{
    int sum = 0;
    for (int i = 0; i < 10; i++)
        if (s[i] < '0' || s[i] > '9')
            return FALSE;
    if (s[10] != '\0')
        return FALSE;
    for (int i = 0; i < 9; i++)
        sum += (s[i] - '0') * (10 - i);
    int check = 11 - sum % 11;
    if (check == 11)
        check = 0;
    if (check == 10)
        return FALSE;
    return check == s[9] - '0';
}
