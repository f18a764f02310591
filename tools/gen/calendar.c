/*
 * calendar.c: day-number arithmetic (see calendar.h).
 *
 * The conversions are Howard Hinnant's days_from_civil / civil_from_days,
 * exact for the whole proleptic Gregorian calendar, branch-light and far
 * cheaper than GDate, which matters when formatting ~100 million dates.
 */
#include "calendar.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

Day
cal_day(int y, int m, int d)
{
    y -= m <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const int yoe = y - era * 400;
    const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void
cal_ymd(Day day, int *y, int *m, int *d)
{
    int z = day + 719468;
    const int era = (z >= 0 ? z : z - 146096) / 146097;
    const int doe = z - era * 146097;
    const int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int mp = (5 * doy + 2) / 153;
    const int dd = doy - (153 * mp + 2) / 5 + 1;
    const int mm = mp < 10 ? mp + 3 : mp - 9;
    const int yy = yoe + era * 400 + (mm <= 2);
    if (y)
        *y = yy;
    if (m)
        *m = mm;
    if (d)
        *d = dd;
}

int
cal_month_of(Day day)
{
    int y, m;
    cal_ymd(day, &y, &m, NULL);
    return y * 12 + m - 1;
}

Day
cal_month_first(int mi)
{
    return cal_day(mi / 12, mi % 12 + 1, 1);
}

Day
cal_month_last(int mi)
{
    return cal_month_first(mi + 1) - 1;
}

int
cal_month_days(int mi)
{
    return cal_month_first(mi + 1) - cal_month_first(mi);
}

int
cal_fin_year_of_month(int mi)
{
    /* April (month 3 counted from 0) starts the year. */
    return mi % 12 >= 3 ? mi / 12 : mi / 12 - 1;
}

int
cal_fy_first_month(int fy)
{
    return fy * 12 + 3;
}

int
cal_fin_year_name(char *buf, int fy)
{
    return sprintf(buf, "%04d/%02d", fy, (fy + 1) % 100);
}

int
cal_month_name(char *buf, int mi)
{
    return sprintf(buf, "%04d-%02d", mi / 12, mi % 12 + 1);
}

/* Writes @v as exactly @n decimal digits. */
static void
put_digits(char *p, int v, int n)
{
    for (int i = n - 1; i >= 0; i--) {
        p[i] = (char) ('0' + v % 10);
        v /= 10;
    }
}

int
cal_format(char *buf, Day day, CalStyle style)
{
    int y, m, d;
    cal_ymd(day, &y, &m, &d);
    switch (style) {
    case CAL_UK:
        put_digits(buf, d, 2);
        buf[2] = '/';
        put_digits(buf + 3, m, 2);
        buf[5] = '/';
        put_digits(buf + 6, y, 4);
        buf[10] = '\0';
        return 10;
    case CAL_COMPACT:
        put_digits(buf, y, 4);
        put_digits(buf + 4, m, 2);
        put_digits(buf + 6, d, 2);
        buf[8] = '\0';
        return 8;
    case CAL_ISO:
    default:
        put_digits(buf, y, 4);
        buf[4] = '-';
        put_digits(buf + 5, m, 2);
        buf[7] = '-';
        put_digits(buf + 8, d, 2);
        buf[10] = '\0';
        return 10;
    }
}

int
cal_format_datetime(char *buf, Day day, int secs)
{
    cal_format(buf, day, CAL_ISO);
    buf[10] = ' ';
    put_digits(buf + 11, secs / 3600, 2);
    buf[13] = ':';
    put_digits(buf + 14, secs / 60 % 60, 2);
    buf[16] = ':';
    put_digits(buf + 17, secs % 60, 2);
    buf[19] = '\0';
    return 19;
}

gboolean
cal_parse_month(const char *s, int *mi)
{
    if (strlen(s) != 7 || s[4] != '-')
        return FALSE;
    for (int i = 0; i < 7; i++)
        if (i != 4 && !g_ascii_isdigit(s[i]))
            return FALSE;
    int y = atoi(s), m = atoi(s + 5);
    if (y < 1900 || y > 2999 || m < 1 || m > 12)
        return FALSE;
    *mi = y * 12 + m - 1;
    return TRUE;
}

int
cal_age(Day dob, Day on)
{
    int by, bm, bd, y, m, d;
    cal_ymd(dob, &by, &bm, &bd);
    cal_ymd(on, &y, &m, &d);
    int age = y - by;
    if (m < bm || (m == bm && d < bd))
        age--;
    return age;
}
