/*
 * test_date.c: calendar dates (lib/date.c).
 *
 * Dates enter the pipeline in three formats (SPEC §3: YYYY-MM-DD, DD/MM/YYYY,
 * YYYYMMDD) and R-I2 rejects any value that does not parse or names an
 * impossible day; cds_applicable_datetime (R-I3) adds an optional time.  The
 * financial year (SPEC §3.2: 2006/07 is April 2006 to March 2007), month
 * numbers (R-G3: April = 1) and ages (R-P5) are checked here too.
 *
 * Day numbers were worked out by hand from 1970-01-01 = 0: 2000-01-01 is
 * 30 years of 365 days plus the 7 leap days 1972..1996 = 10957; 2006-04-01
 * adds 6 × 365 + 2 (2000, 2004) = 2192 to reach 2006-01-01 = 13149, then
 * 31 + 28 + 31 = 90 days = 13239.
 */
#include "date.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

/* ---- date_parse: the three formats (SPEC §3, R-I2) ---- */

/*
 * Parameter structs hold strings as arrays, not pointers: Criterion runs each
 * case in a fresh process, where a pointer into the parent's image is void.
 */
typedef struct {
    char text[32];
    gboolean ok;
    int y, m, d; /* expected calendar day when ok */
} DateCase;

static DateCase date_cases[] = {
    /* the three accepted formats of one day */
    {"2006-04-01", TRUE, 2006, 4, 1},
    {"01/04/2006", TRUE, 2006, 4, 1},
    {"20060401", TRUE, 2006, 4, 1},
    /* DD/MM/YYYY is day first: 02/03 is 2 March, not 3 February */
    {"02/03/2006", TRUE, 2006, 3, 2},
    /* leap days: 2004 and 2000 are leap years */
    {"2004-02-29", TRUE, 2004, 2, 29},
    {"29/02/2004", TRUE, 2004, 2, 29},
    {"20040229", TRUE, 2004, 2, 29},
    {"2000-02-29", TRUE, 2000, 2, 29},
    /* the range ends: years 0001-9999 */
    {"9999-12-31", TRUE, 9999, 12, 31},
    {"0001-01-01", TRUE, 1, 1, 1},
    {"31/12/9999", TRUE, 9999, 12, 31},
    {"1969-12-31", TRUE, 1969, 12, 31},
    /* R-I2 impossible dates */
    {"2006-02-30", FALSE, 0, 0, 0},
    {"2006-13-01", FALSE, 0, 0, 0},
    {"0000-01-01", FALSE, 0, 0, 0}, /* there is no year 0 */
    {"2005-02-29", FALSE, 0, 0, 0}, /* 2005 is a common year */
    {"1900-02-29", FALSE, 0, 0, 0}, /* century, not divisible by 400 */
    {"31/04/2006", FALSE, 0, 0, 0}, /* April has 30 days */
    {"2006-04-31", FALSE, 0, 0, 0},
    {"20060431", FALSE, 0, 0, 0},
    {"2006-00-10", FALSE, 0, 0, 0},
    {"2006-01-00", FALSE, 0, 0, 0},
    {"2006-01-32", FALSE, 0, 0, 0},
    {"00/01/2006", FALSE, 0, 0, 0},
    {"01/13/2006", FALSE, 0, 0, 0}, /* not MM/DD/YYYY */
    {"00000101", FALSE, 0, 0, 0},
    /* wrong widths: each format has exactly its digit counts */
    {"2006-4-01", FALSE, 0, 0, 0},
    {"2006-04-1", FALSE, 0, 0, 0},
    {"06-04-01", FALSE, 0, 0, 0},
    {"1/04/2006", FALSE, 0, 0, 0},
    {"01/4/2006", FALSE, 0, 0, 0},
    {"01/04/06", FALSE, 0, 0, 0},
    {"2006041", FALSE, 0, 0, 0},
    {"200604011", FALSE, 0, 0, 0},
    {"2006040100", FALSE, 0, 0, 0},
    {"12006-04-01", FALSE, 0, 0, 0},
    /* other separators, signs, stray characters */
    {"2006/04/01", FALSE, 0, 0, 0},
    {"01-04-2006", FALSE, 0, 0, 0},
    {"01.04.2006", FALSE, 0, 0, 0},
    {"-006-04-01", FALSE, 0, 0, 0},
    {"2006-04-0a", FALSE, 0, 0, 0},
    {"2006-+4-01", FALSE, 0, 0, 0},
    {"2006-04-01x", FALSE, 0, 0, 0},
    {"2006-04-01 ", FALSE, 0, 0, 0}, /* callers trim; the parser does not */
    {" 2006-04-01", FALSE, 0, 0, 0},
    {"2006-04-01 00:00:00", FALSE, 0, 0, 0}, /* a datetime is not a date */
    {"abcdefgh", FALSE, 0, 0, 0},
    {"", FALSE, 0, 0, 0},
};

ParameterizedTestParameters(date, parse)
{
    return cr_make_param_array(DateCase, date_cases, G_N_ELEMENTS(date_cases));
}

/* R-I2 / SPEC §3: accepted formats and impossible dates. */
ParameterizedTest(DateCase *c, date, parse)
{
    PbcDate d = 12345;
    gboolean ok = date_parse(c->text, &d);
    cr_assert_eq(ok, c->ok, "date_parse(\"%s\") = %d, want %d", c->text, ok, c->ok);
    if (!ok) {
        cr_assert_eq(d, 12345, "\"%s\": *out written on failure", c->text);
        return;
    }
    int y, m, dd;
    date_to_ymd(d, &y, &m, &dd);
    cr_assert(y == c->y && m == c->m && dd == c->d, "\"%s\" parsed as %04d-%02d-%02d", c->text,
              y, m, dd);
}

/* Day numbers worked out by hand (see the file header). */
Test(date, day_numbers)
{
    PbcDate d;
    cr_assert(date_parse("1970-01-01", &d) && d == 0);
    cr_assert(date_parse("1969-12-31", &d) && d == -1);
    cr_assert(date_parse("2000-01-01", &d) && d == 10957);
    cr_assert(date_parse("2006-04-01", &d) && d == 13239);
    /* 2004-02-29: 2004-01-01 = 10957 + 4 × 365 + 1 (2000) = 12418, + 31 + 28 = 12477 */
    cr_assert(date_parse("2004-02-29", &d) && d == 12477);
    /* 2007-03-31 ends FY 2006/07: 13239 + 364 (a year from 2006-04-01, no 29 Feb) */
    cr_assert(date_parse("2007-03-31", &d) && d == 13239 + 364);
    cr_assert_eq(date_from_ymd(1970, 1, 1), 0);
    cr_assert_eq(date_from_ymd(2006, 4, 1), 13239);
}

/* Every day from 0001-01-01 to 9999-12-31 round-trips and follows its predecessor. */
Test(date, round_trip_every_day)
{
    PbcDate prev = date_from_ymd(1, 1, 1) - 1;
    for (int y = 1; y <= 9999; y++)
        for (int m = 1; m <= 12; m++)
            for (int d = 1; d <= date_days_in_month(y, m); d++) {
                PbcDate n = date_from_ymd(y, m, d);
                if (n != prev + 1)
                    cr_assert_fail("%04d-%02d-%02d is not the next day", y, m, d);
                int yy, mm, dd;
                date_to_ymd(n, &yy, &mm, &dd);
                if (yy != y || mm != m || dd != d)
                    cr_assert_fail("%04d-%02d-%02d came back as %04d-%02d-%02d", y, m, d, yy,
                                   mm, dd);
                prev = n;
            }
    /* 9999 years of 365 days plus 2424 leap days (2499 - 99 + 24) */
    cr_assert_eq(prev - date_from_ymd(1, 1, 1) + 1, 9999 * 365 + 2424);
}

Test(date, leap_years_and_month_lengths)
{
    cr_assert(date_is_leap(2004));
    cr_assert(date_is_leap(2000));
    cr_assert_not(date_is_leap(1900));
    cr_assert_not(date_is_leap(2006));
    cr_assert_eq(date_days_in_month(2004, 2), 29);
    cr_assert_eq(date_days_in_month(2006, 2), 28);
    cr_assert_eq(date_days_in_month(2006, 4), 30);
    cr_assert_eq(date_days_in_month(2006, 12), 31);
}

/* ---- datetime_parse: cds_applicable_datetime (SPEC §3.1, R-I3) ---- */

typedef struct {
    char text[32];
    gboolean ok;
    int64_t secs; /* expected seconds since the epoch when ok */
} DatetimeCase;

#define DAY_2006_04_01 (13239LL * 86400)

static DatetimeCase datetime_cases[] = {
    /* a date alone means 00:00:00 that day */
    {"2006-04-01", TRUE, DAY_2006_04_01},
    {"01/04/2006", TRUE, DAY_2006_04_01},
    {"20060401", TRUE, DAY_2006_04_01},
    {"2006-04-01 00:00:00", TRUE, DAY_2006_04_01},
    /* 13:45:30 = 13 × 3600 + 45 × 60 + 30 = 49530 s */
    {"2006-04-01 13:45:30", TRUE, DAY_2006_04_01 + 49530},
    {"2006-04-01T13:45:30", TRUE, DAY_2006_04_01 + 49530},
    {"01/04/2006 13:45:30", TRUE, DAY_2006_04_01 + 49530},
    {"20060401 13:45:30", TRUE, DAY_2006_04_01 + 49530},
    {"2006-04-01 23:59:59", TRUE, DAY_2006_04_01 + 86399},
    {"1969-12-31 23:59:59", TRUE, -1},
    /* bad dates stay bad with a time */
    {"2006-02-30 12:00:00", FALSE, 0},
    {"2005-02-29", FALSE, 0},
    /* bad times */
    {"2006-04-01 24:00:00", FALSE, 0},
    {"2006-04-01 12:60:00", FALSE, 0},
    {"2006-04-01 12:00:60", FALSE, 0},
    {"2006-04-01 12:00", FALSE, 0},
    {"2006-04-01 1:00:00", FALSE, 0},
    {"2006-04-01 12:00:00.5", FALSE, 0},
    {"2006-04-01 12:00:00Z", FALSE, 0},
    {"2006-04-01  12:00:00", FALSE, 0},
    {"2006-04-01_12:00:00", FALSE, 0},
    {"2006-04-01 12-00-00", FALSE, 0},
    {"2006-04-01 aa:bb:cc", FALSE, 0},
    {"2006-04-01 -1:00:00", FALSE, 0},
    {"2006-04-01 ", FALSE, 0},
    {"", FALSE, 0},
};

ParameterizedTestParameters(date, datetime)
{
    return cr_make_param_array(DatetimeCase, datetime_cases, G_N_ELEMENTS(datetime_cases));
}

/* R-I3: the applicable datetime, date alone = midnight. */
ParameterizedTest(DatetimeCase *c, date, datetime)
{
    int64_t secs = 777;
    gboolean ok = datetime_parse(c->text, &secs);
    cr_assert_eq(ok, c->ok, "datetime_parse(\"%s\") = %d, want %d", c->text, ok, c->ok);
    if (ok)
        cr_assert_eq(secs, c->secs, "\"%s\": %" G_GINT64_FORMAT " s, want %" G_GINT64_FORMAT,
                     c->text, secs, c->secs);
}

/* ---- formatting, months, financial years (SPEC §3.2, §7) ---- */

Test(date, format)
{
    char buf[16];
    cr_assert_str_eq(date_format(13239, buf), "2006-04-01");
    cr_assert_str_eq(date_format(0, buf), "1970-01-01");
    cr_assert_str_eq(date_format(date_from_ymd(1, 1, 1), buf), "0001-01-01");
    cr_assert_str_eq(date_format(date_from_ymd(9999, 12, 31), buf), "9999-12-31");
    cr_assert_str_eq(date_format_month(13239, buf), "2006-04");
    cr_assert_str_eq(date_format_month(12477, buf), "2004-02");
}

typedef struct {
    char text[16];
    gboolean ok;
    int key; /* year × 12 + month − 1 */
} MonthCase;

static MonthCase month_cases[] = {
    {"2006-09", TRUE, 2006 * 12 + 8},
    {"2006-04", TRUE, 2006 * 12 + 3},
    {"2007-03", TRUE, 2007 * 12 + 2},
    {"2006-01", TRUE, 2006 * 12},
    {"2006-12", TRUE, 2006 * 12 + 11},
    {"2006-13", FALSE, 0},
    {"2006-00", FALSE, 0},
    {"0000-01", FALSE, 0},
    {"2006-9", FALSE, 0},
    {"200609", FALSE, 0},
    {"2006/09", FALSE, 0},
    {"2006-09-01", FALSE, 0},
    {"06-09", FALSE, 0},
    {"2006-0a", FALSE, 0},
    {"", FALSE, 0},
};

ParameterizedTestParameters(date, month_parse)
{
    return cr_make_param_array(MonthCase, month_cases, G_N_ELEMENTS(month_cases));
}

/* SPEC §8 PERIOD=YYYY-MM and §7 activity months. */
ParameterizedTest(MonthCase *c, date, month_parse)
{
    int key = -7;
    gboolean ok = month_parse(c->text, &key);
    cr_assert_eq(ok, c->ok, "month_parse(\"%s\")", c->text);
    if (ok) {
        cr_assert_eq(key, c->key, "\"%s\" key %d, want %d", c->text, key, c->key);
        char buf[8];
        cr_assert_str_eq(month_format(key, buf), c->text);
    }
}

Test(date, month_keys_and_bounds)
{
    char buf[16];
    PbcDate d;
    cr_assert(date_parse("2006-09-15", &d));
    cr_assert_eq(date_month_key(d), 2006 * 12 + 8);
    /* February 2004 has 29 days, February 2006 has 28 */
    cr_assert_str_eq(date_format(month_first_day(2004 * 12 + 1), buf), "2004-02-01");
    cr_assert_str_eq(date_format(month_last_day(2004 * 12 + 1), buf), "2004-02-29");
    cr_assert_str_eq(date_format(month_last_day(2006 * 12 + 1), buf), "2006-02-28");
    cr_assert_str_eq(date_format(month_last_day(2006 * 12 + 11), buf), "2006-12-31");
    cr_assert_str_eq(date_format(month_first_day(2007 * 12 + 0), buf), "2007-01-01");
    cr_assert_str_eq(date_format(month_last_day(2006 * 12 + 8), buf), "2006-09-30");
}

typedef struct {
    char date[16];
    int fy;        /* financial year: the calendar year it starts */
    char fmt[8];   /* fy_format */
    int month_no;    /* fy_month_number: April = 1 .. March = 12 */
} FyCase;

static FyCase fy_cases[] = {
    {"2006-04-01", 2006, "2006/07", 1},  /* first day of 2006/07 */
    {"2006-03-31", 2005, "2005/06", 12}, /* last day of 2005/06 */
    {"2007-03-31", 2006, "2006/07", 12},
    {"2006-05-15", 2006, "2006/07", 2},
    {"2006-09-30", 2006, "2006/07", 6},
    {"2006-12-31", 2006, "2006/07", 9},
    {"2007-01-01", 2006, "2006/07", 10},
    {"2007-02-28", 2006, "2006/07", 11},
    {"2000-01-01", 1999, "1999/00", 10}, /* the century turn */
    {"2099-04-01", 2099, "2099/00", 1},
};

ParameterizedTestParameters(date, financial_year)
{
    return cr_make_param_array(FyCase, fy_cases, G_N_ELEMENTS(fy_cases));
}

/* SPEC §3.2 fin_year, R-G3 m (April = 1). */
ParameterizedTest(FyCase *c, date, financial_year)
{
    PbcDate d;
    cr_assert(date_parse(c->date, &d));
    cr_assert_eq(fy_of_date(d), c->fy, "%s: fy %d, want %d", c->date, fy_of_date(d), c->fy);
    cr_assert_eq(fy_of_month(date_month_key(d)), c->fy);
    char buf[8];
    cr_assert_str_eq(fy_format(c->fy, buf), c->fmt);
    cr_assert_eq(fy_month_number(date_month_key(d)), c->month_no, "%s: month number %d",
                 c->date, fy_month_number(date_month_key(d)));
    int fy = 0;
    cr_assert(fy_parse(c->fmt, &fy));
    cr_assert_eq(fy, c->fy);
}

Test(date, fy_parse_rejects)
{
    /* the second part must be the next year's last two digits */
    static const char *const bad[] = {"2006/08", "2006/06", "2006-07", "06/07", "2006/7",
                                      "2006/007", "0000/01", "2006/0a", "20060/7", "", NULL};
    for (int i = 0; bad[i]; i++) {
        int fy = -1;
        cr_assert_not(fy_parse(bad[i], &fy), "fy_parse(\"%s\") accepted", bad[i]);
    }
    int fy;
    cr_assert(fy_parse("1999/00", &fy) && fy == 1999);
}

/* ---- ages (R-P5) ---- */

typedef struct {
    char dob[16], on[16];
    int age;
    char why[64];
} AgeCase;

static AgeCase age_cases[] = {
    {"1990-06-15", "2006-06-15", 16, "the birthday itself counts"},
    {"1990-06-15", "2006-06-14", 15, "the day before does not"},
    {"1990-06-15", "2006-06-16", 16, "the day after"},
    {"1990-06-15", "2006-05-31", 15, "an earlier month"},
    {"1990-06-15", "2006-07-01", 16, "a later month"},
    {"2006-06-01", "2006-06-01", 0, "born that day"},
    {"1999-12-31", "2000-12-30", 0, "a day short of a year"},
    {"1999-12-31", "2000-12-31", 1, "one year exactly"},
    /* 29 February: 1 March in common years */
    {"2000-02-29", "2005-02-28", 4, "29 Feb birthday, 28 Feb of a common year: not yet"},
    {"2000-02-29", "2005-03-01", 5, "29 Feb birthday counts from 1 March in a common year"},
    {"2000-02-29", "2004-02-29", 4, "29 Feb birthday in a leap year: the day itself"},
    {"2000-02-29", "2004-02-28", 3, "the day before it in a leap year"},
    {"2000-02-29", "2004-03-01", 4, "after it in a leap year"},
    {"2000-02-29", "2000-02-29", 0, "born that day"},
    {"2000-02-29", "2001-02-28", 0, "first common year: not yet"},
    {"2000-02-29", "2001-03-01", 1, "first common year: 1 March"},
    {"1900-03-01", "2006-03-01", 106, "a long life"},
    /* date of birth after the date: negative */
    {"2006-06-02", "2006-06-01", -1, "born the next day"},
    {"2006-07-01", "2006-06-01", -1, "born next month"},
    {"2010-01-01", "2006-06-01", -4, "born years later"},
};

ParameterizedTestParameters(date, age)
{
    return cr_make_param_array(AgeCase, age_cases, G_N_ELEMENTS(age_cases));
}

/* R-P5: age in completed years on the admission date. */
ParameterizedTest(AgeCase *c, date, age)
{
    PbcDate dob, on;
    cr_assert(date_parse(c->dob, &dob) && date_parse(c->on, &on));
    int age = date_age_years(dob, on);
    cr_assert_eq(age, c->age, "born %s, on %s: age %d, want %d (%s)", c->dob, c->on, age,
                 c->age, c->why);
}
