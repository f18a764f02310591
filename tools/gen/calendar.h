/*
 * calendar.h: civil dates as day numbers, months, financial years, and the
 * three date spellings SPEC §3 accepts.
 *
 * A Day is the number of days since 1970-01-01 (proleptic Gregorian), so
 * date arithmetic is integer arithmetic.  A month index is year * 12 +
 * (month - 1).  A financial year is named by the calendar year in which its
 * April falls (2006 = "2006/07").
 */
#ifndef PBC_GEN_CALENDAR_H
#define PBC_GEN_CALENDAR_H

#include <glib.h>

typedef gint32 Day;

/* How a date is spelt in an input file (SPEC §3). */
typedef enum {
    CAL_ISO,     /* 2006-04-01 */
    CAL_UK,      /* 01/04/2006 */
    CAL_COMPACT  /* 20060401 */
} CalStyle;

/* Day number of a valid civil date. */
Day cal_day(int y, int m, int d);

/* Civil date of a day number (any of the out pointers may be NULL). */
void cal_ymd(Day day, int *y, int *m, int *d);

/* Month index (y * 12 + m - 1) of a day. */
int cal_month_of(Day day);

/* First and last day of month index @mi; its length in days. */
Day cal_month_first(int mi);
Day cal_month_last(int mi);
int cal_month_days(int mi);

/* Financial year (year of its April) containing month index @mi. */
int cal_fin_year_of_month(int mi);

/* Month index of April of financial year @fy. */
int cal_fy_first_month(int fy);

/* Writes "2006/07" for @fy into @buf (at least 8 bytes); returns length. */
int cal_fin_year_name(char *buf, int fy);

/* Writes "2006-04" for @mi into @buf (at least 8 bytes); returns length. */
int cal_month_name(char *buf, int mi);

/* Writes @day in @style into @buf (at least 11 bytes), NUL-terminated;
 * returns the length. */
int cal_format(char *buf, Day day, CalStyle style);

/* Writes "YYYY-MM-DD HH:MM:SS" (@secs since midnight, < 86400) into @buf (at
 * least 20 bytes); returns the length. */
int cal_format_datetime(char *buf, Day day, int secs);

/* Parses "YYYY-MM" into a month index; returns FALSE when malformed. */
gboolean cal_parse_month(const char *s, int *mi);

/* Age in completed years on @on of someone born on @dob. */
int cal_age(Day dob, Day on);

#endif
