/*
 * date.h: calendar dates as integers.
 *
 * Inside the pipeline a date is a day number (days since 1970-01-01, negative
 * before it) and a timestamp is seconds since 1970-01-01 00:00:00; strings
 * exist only at the edges.  Inputs are accepted as YYYY-MM-DD, DD/MM/YYYY or
 * YYYYMMDD (SPEC §3), each with exactly those digit counts, years 0001-9999,
 * and must name a real calendar day (R-I2: 2006-02-30 is impossible).
 * The financial year runs April to March: FY 2006/07 is 2006-04-01..2007-03-31.
 */
#ifndef PBC_DATE_H
#define PBC_DATE_H

#include <glib.h>
#include <stdint.h>

typedef int32_t PbcDate;
#define PBC_NO_DATE INT32_MIN

/* Days in a month of a year (proleptic Gregorian). */
int date_days_in_month(int y, int m);
gboolean date_is_leap(int y);

/* Day number of y-m-d; the caller guarantees a valid date. */
PbcDate date_from_ymd(int y, int m, int d);
/* Splits a day number into year, month and day. */
void date_to_ymd(PbcDate day, int *y, int *m, int *d);

/*
 * Parses s (already trimmed) in any of the three accepted formats.
 * Returns TRUE and sets *out, or FALSE when s does not parse or names an
 * impossible date.  s must be non-empty (blank means absent: callers check).
 */
gboolean date_parse(const char *s, PbcDate *out);

/*
 * Parses a cds_applicable_datetime: a date in any accepted format, optionally
 * followed by one space (or 'T') and HH:MM:SS; a date alone means 00:00:00.
 * Sets *out to seconds since the epoch.
 */
gboolean datetime_parse(const char *s, int64_t *out);

/* Writes YYYY-MM-DD into buf (at least 11 bytes); returns buf. */
char *date_format(PbcDate day, char *buf);
/* Writes YYYY-MM of the day's month into buf (at least 8 bytes). */
char *date_format_month(PbcDate day, char *buf);

/* Month key: year * 12 + (month - 1), for month arithmetic. */
int date_month_key(PbcDate day);
/* Parses "YYYY-MM" into a month key; FALSE when malformed. */
gboolean month_parse(const char *s, int *month_key);
/* First and last day of a month key. */
PbcDate month_first_day(int month_key);
PbcDate month_last_day(int month_key);
/* Writes YYYY-MM of a month key (8 bytes). */
char *month_format(int month_key, char *buf);

/* Financial year of a day: the calendar year in which it starts (2006 for 2006/07). */
int fy_of_date(PbcDate day);
/* Financial year of a month key. */
int fy_of_month(int month_key);
/* Writes "2006/07" (8 bytes). */
char *fy_format(int fy, char *buf);
/* Parses "2006/07" (the second part must be the next year's last two digits). */
gboolean fy_parse(const char *s, int *fy);
/* Month number within the financial year: April = 1 .. March = 12. */
int fy_month_number(int month_key);

/*
 * Age in completed years on day `on` of someone born on `dob` (R-P5): the
 * birthday itself counts; a 29 February birthday falls on 1 March in other
 * years.  Negative when dob is after `on`.
 */
int date_age_years(PbcDate dob, PbcDate on);

#endif
