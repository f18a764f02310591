/*
 * date.c: day numbers, the three input date formats, financial years and ages.
 * Day numbers use the civil-from-days algorithm (H. Hinnant), exact for every
 * proleptic Gregorian date, so no time zone or libc locale touches a date.
 */
#include "date.h"

#include <stdio.h>
#include <string.h>

gboolean
date_is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int
date_days_in_month(int y, int m)
{
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && date_is_leap(y))
        return 29;
    return dim[m - 1];
}

PbcDate
date_from_ymd(int y, int m, int d)
{
    y -= m <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const int yoe = y - era * 400;
    const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void
date_to_ymd(PbcDate day, int *y, int *m, int *d)
{
    int z = day + 719468;
    const int era = (z >= 0 ? z : z - 146096) / 146097;
    const int doe = z - era * 146097;
    const int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yoe + era * 400 + (*m <= 2);
}

/* Reads exactly n ASCII digits at s; -1 when any is not a digit. */
static int
digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

static gboolean
make_date(int y, int m, int d, PbcDate *out)
{
    if (y < 1 || m < 1 || m > 12 || d < 1 || d > date_days_in_month(y, m))
        return FALSE;
    *out = date_from_ymd(y, m, d);
    return TRUE;
}

/* Parses a date occupying exactly the first *len bytes' format at s; sets *len. */
static gboolean
parse_date_prefix(const char *s, size_t avail, PbcDate *out, size_t *used)
{
    if (avail >= 10 && s[4] == '-' && s[7] == '-') {
        *used = 10;
        return make_date(digits(s, 4), digits(s + 5, 2), digits(s + 8, 2), out);
    }
    if (avail >= 10 && s[2] == '/' && s[5] == '/') {
        *used = 10;
        return make_date(digits(s + 6, 4), digits(s + 3, 2), digits(s, 2), out);
    }
    if (avail >= 8 && digits(s, 8) >= 0) {
        *used = 8;
        return make_date(digits(s, 4), digits(s + 4, 2), digits(s + 6, 2), out);
    }
    return FALSE;
}

gboolean
date_parse(const char *s, PbcDate *out)
{
    size_t len = strlen(s), used = 0;
    PbcDate d;
    if (!parse_date_prefix(s, len, &d, &used) || used != len)
        return FALSE;
    *out = d;
    return TRUE;
}

gboolean
datetime_parse(const char *s, int64_t *out)
{
    size_t len = strlen(s), used = 0;
    PbcDate d;
    if (!parse_date_prefix(s, len, &d, &used))
        return FALSE;
    int64_t secs = 0;
    if (used != len) {
        const char *t = s + used;
        if (len - used != 9 || (t[0] != ' ' && t[0] != 'T') || t[3] != ':' || t[6] != ':')
            return FALSE;
        int hh = digits(t + 1, 2), mm = digits(t + 4, 2), ss = digits(t + 7, 2);
        if (hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 59)
            return FALSE;
        secs = hh * 3600 + mm * 60 + ss;
    }
    *out = (int64_t)d * 86400 + secs;
    return TRUE;
}

/* The n low decimal digits of v, zero-padded, at p; returns the byte after them.
   The formatters below run per unit of activity, where snprintf cost a fifth
   of the aggregate stage. */
static inline char *
put_digits(char *p, unsigned v, int n)
{
    for (int i = n - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
    return p + n;
}

char *
date_format(PbcDate day, char *buf)
{
    int y, m, d;
    date_to_ymd(day, &y, &m, &d);
    char *p = put_digits(buf, (unsigned)y % 10000u, 4);
    *p++ = '-';
    p = put_digits(p, (unsigned)m % 100u, 2);
    *p++ = '-';
    p = put_digits(p, (unsigned)d % 100u, 2);
    *p = '\0';
    return buf;
}

char *
date_format_month(PbcDate day, char *buf)
{
    return month_format(date_month_key(day), buf);
}

int
date_month_key(PbcDate day)
{
    int y, m, d;
    date_to_ymd(day, &y, &m, &d);
    return y * 12 + (m - 1);
}

gboolean
month_parse(const char *s, int *month_key)
{
    if (strlen(s) != 7 || s[4] != '-')
        return FALSE;
    int y = digits(s, 4), m = digits(s + 5, 2);
    if (y < 1 || m < 1 || m > 12)
        return FALSE;
    *month_key = y * 12 + (m - 1);
    return TRUE;
}

PbcDate
month_first_day(int mk)
{
    return date_from_ymd(mk / 12, mk % 12 + 1, 1);
}

PbcDate
month_last_day(int mk)
{
    int y = mk / 12, m = mk % 12 + 1;
    return date_from_ymd(y, m, date_days_in_month(y, m));
}

char *
month_format(int mk, char *buf)
{
    char *p = put_digits(buf, (unsigned)(mk / 12) % 10000u, 4);
    *p++ = '-';
    p = put_digits(p, (unsigned)(mk % 12 + 1) % 100u, 2);
    *p = '\0';
    return buf;
}

int
fy_of_month(int mk)
{
    int y = mk / 12, m = mk % 12 + 1;
    return m >= 4 ? y : y - 1;
}

int
fy_of_date(PbcDate day)
{
    return fy_of_month(date_month_key(day));
}

char *
fy_format(int fy, char *buf)
{
    char *p = put_digits(buf, (unsigned)fy % 10000u, 4);
    *p++ = '/';
    p = put_digits(p, (unsigned)(fy + 1) % 100u, 2);
    *p = '\0';
    return buf;
}

gboolean
fy_parse(const char *s, int *fy)
{
    if (strlen(s) != 7 || s[4] != '/')
        return FALSE;
    int y = digits(s, 4), n = digits(s + 5, 2);
    if (y < 1 || n < 0 || n != (y + 1) % 100)
        return FALSE;
    *fy = y;
    return TRUE;
}

int
fy_month_number(int mk)
{
    int m = mk % 12 + 1;
    return m >= 4 ? m - 3 : m + 9;
}

int
date_age_years(PbcDate dob, PbcDate on)
{
    int by, bm, bd, y, m, d;
    date_to_ymd(dob, &by, &bm, &bd);
    date_to_ymd(on, &y, &m, &d);
    int age = y - by;
    /* A 29 February birthday is celebrated on 1 March in common years. */
    if (bm == 2 && bd == 29 && !date_is_leap(y)) {
        bm = 3;
        bd = 1;
    }
    if (m < bm || (m == bm && d < bd))
        age--;
    return age;
}
