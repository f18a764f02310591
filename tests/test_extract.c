/*
 * test_extract.c: dataset detection and row validation of activity extracts
 * (lib/extract.c; SPEC §3.1, R-I2, R-I6).
 *
 * Each case writes a one-row extract built from a valid template row of its
 * dataset with one column's value replaced (or the column dropped from the
 * header), then checks the reason code and column extract_next() reports.
 * The templates are valid rows by hand: APC spell S1 episode 1, admitted
 * electively (11) as an ordinary admission (1) on 2006-04-10 and discharged
 * 2006-04-12; OP attendance AT1, a first (1) attended (5) appointment at
 * treatment function 100; A&E attendance AE1, a first (1) attendance.
 */
#include "extract.h"
#include "log.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <glib/gstdio.h>
#include <string.h>

static char *dir;

static void
setup(void)
{
    pbc_log_init("test_extract");
    pbc_log_set_verbose(FALSE);
    dir = g_dir_make_tmp("pbc-extract-XXXXXX", NULL);
    cr_assert_not_null(dir);
}

static void
teardown(void)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    if (d) {
        const char *n;
        while ((n = g_dir_read_name(d)) != NULL) {
            g_autofree char *p = g_build_filename(dir, n, NULL);
            g_unlink(p);
        }
        g_dir_close(d);
    }
    g_rmdir(dir);
    g_free(dir);
}

TestSuite(extract, .init = setup, .fini = teardown);

/* Template rows: column name, valid value. */
typedef struct {
    const char *col, *val;
} Cell;

static const Cell apc_row[] = {
    {"cds_unique_id", "E1"},
    {"cds_update_type", "9"},
    {"cds_applicable_datetime", "2006-05-01 10:00:00"},
    {"provider_code", "RA9"},
    {"commissioner_code", "5QA"},
    {"nhs_number", "9434765919"},
    {"date_of_birth", "1970-01-01"},
    {"sex", "1"},
    {"postcode", "EX1 1AA"},
    {"gp_practice_code", "A81001"},
    {"hospital_spell_no", "S1"},
    {"episode_no", "1"},
    {"admission_method", "11"},
    {"patient_classification", "1"},
    {"admission_date", "2006-04-10"},
    {"discharge_date", "2006-04-12"},
    {"episode_start_date", "2006-04-10"},
    {"episode_end_date", "2006-04-12"},
    {"treatment_function_code", "100"},
    {"primary_diagnosis", "A01"},
    {"primary_procedure", "B02"},
    {"spell_hrg", "AA01A"},
    {NULL, NULL},
};

static const Cell op_row[] = {
    {"cds_unique_id", "O1"},
    {"cds_update_type", "9"},
    {"cds_applicable_datetime", "2006-05-01"},
    {"provider_code", "RA9"},
    {"commissioner_code", "5QA"},
    {"nhs_number", "9434765919"},
    {"date_of_birth", "1970-01-01"},
    {"sex", "2"},
    {"postcode", "EX1 1AA"},
    {"gp_practice_code", "A81001"},
    {"attendance_id", "AT1"},
    {"appointment_date", "2006-04-10"},
    {"first_attendance", "1"},
    {"attended_or_dna", "5"},
    {"treatment_function_code", "100"},
    {"referral_source", "03"},
    {"op_hrg", ""},
    {NULL, NULL},
};

static const Cell ae_row[] = {
    {"cds_unique_id", "A1"},
    {"cds_update_type", "9"},
    {"cds_applicable_datetime", "20060501"},
    {"provider_code", "RA9"},
    {"commissioner_code", "5QA"},
    {"nhs_number", ""},
    {"date_of_birth", ""},
    {"sex", ""},
    {"postcode", ""},
    {"gp_practice_code", ""},
    {"attendance_id", "AE1"},
    {"arrival_date", "2006-04-10"},
    {"ae_attendance_category", "1"},
    {"ae_hrg", "VB01Z"},
    {NULL, NULL},
};

static const Cell *
template_of(Dataset ds)
{
    return ds == DS_APC ? apc_row : ds == DS_OP ? op_row : ae_row;
}

/* Quotes a value for CSV when it needs it. */
static void
append_field(GString *s, const char *v)
{
    if (strpbrk(v, ",\"\n\r") == NULL) {
        g_string_append(s, v);
        return;
    }
    g_string_append_c(s, '"');
    for (; *v; v++) {
        if (*v == '"')
            g_string_append_c(s, '"');
        g_string_append_c(s, *v);
    }
    g_string_append_c(s, '"');
}

/*
 * The template of ds as a header line and n data lines, with column `col`
 * set to `val` (drop = leave the column out entirely), as CSV text.
 */
static char *
build(Dataset ds, const char *col, const char *val, gboolean drop, int n)
{
    const Cell *t = template_of(ds);
    GString *s = g_string_new(NULL);
    gboolean first = TRUE;
    for (int i = 0; t[i].col; i++) {
        if (drop && col && strcmp(t[i].col, col) == 0)
            continue;
        g_string_append_printf(s, "%s%s", first ? "" : ",", t[i].col);
        first = FALSE;
    }
    g_string_append_c(s, '\n');
    for (int r = 0; r < n; r++) {
        first = TRUE;
        for (int i = 0; t[i].col; i++) {
            gboolean hit = col && strcmp(t[i].col, col) == 0;
            if (drop && hit)
                continue;
            if (!first)
                g_string_append_c(s, ',');
            append_field(s, hit ? val : t[i].val);
            first = FALSE;
        }
        g_string_append_c(s, '\n');
    }
    return g_string_free(s, FALSE);
}

static char *
write_file(const char *name, const char *content)
{
    char *p = g_build_filename(dir, name, NULL);
    cr_assert(g_file_set_contents(p, content, -1, NULL));
    return p;
}

/* Opens content as an extract that must open. */
static Extract *
open_ok(const char *name, const char *content)
{
    g_autofree char *p = write_file(name, content);
    g_autoptr(GError) e = NULL;
    Extract *x = extract_open(p, &e);
    cr_assert_not_null(x, "extract_open: %s", e ? e->message : "?");
    return x;
}

/* ---- R-I2: one value at a time ---- */

typedef struct {
    Dataset ds;
    char col[32];
    char val[40];
    RejectReason reason;  /* RJ_NONE: accepted */
    char why[64];
} RowCase;

#define OK(ds, col, val, why) {ds, col, val, RJ_NONE, why}
#define RJ(ds, col, val, r, why) {ds, col, val, r, why}

static RowCase row_cases[] = {
    /* the templates themselves */
    OK(DS_APC, "", "", "APC template"),
    OK(DS_OP, "", "", "OP template"),
    OK(DS_AE, "", "", "A&E template"),

    /* a blank required value, per dataset */
    RJ(DS_APC, "cds_unique_id", "", RJ_MISSING_VALUE, "required, all datasets"),
    RJ(DS_APC, "cds_update_type", "", RJ_MISSING_VALUE, "required"),
    RJ(DS_APC, "cds_applicable_datetime", "", RJ_MISSING_VALUE, "required"),
    RJ(DS_APC, "provider_code", "", RJ_MISSING_VALUE, "required"),
    RJ(DS_APC, "hospital_spell_no", "", RJ_MISSING_VALUE, "APC required"),
    RJ(DS_APC, "episode_no", "", RJ_MISSING_VALUE, "APC required"),
    RJ(DS_APC, "admission_method", "", RJ_MISSING_VALUE, "APC required"),
    RJ(DS_APC, "patient_classification", "", RJ_MISSING_VALUE, "APC required"),
    RJ(DS_APC, "admission_date", "", RJ_MISSING_VALUE, "APC required"),
    RJ(DS_APC, "cds_unique_id", "   ", RJ_MISSING_VALUE, "spaces only are blank"),
    RJ(DS_APC, "hospital_spell_no", "\"\"", RJ_NONE, "a literal pair of quotes is a value"),
    RJ(DS_OP, "cds_unique_id", "", RJ_MISSING_VALUE, "OP: common required"),
    RJ(DS_OP, "attendance_id", "", RJ_MISSING_VALUE, "OP required"),
    RJ(DS_OP, "appointment_date", "", RJ_MISSING_VALUE, "OP required"),
    RJ(DS_OP, "first_attendance", "", RJ_MISSING_VALUE, "OP required"),
    RJ(DS_OP, "attended_or_dna", "", RJ_MISSING_VALUE, "OP required"),
    RJ(DS_OP, "treatment_function_code", "", RJ_MISSING_VALUE, "OP requires the TFC"),
    RJ(DS_AE, "provider_code", "", RJ_MISSING_VALUE, "A&E: common required"),
    RJ(DS_AE, "attendance_id", "", RJ_MISSING_VALUE, "A&E required"),
    RJ(DS_AE, "arrival_date", "", RJ_MISSING_VALUE, "A&E required"),
    RJ(DS_AE, "ae_attendance_category", "", RJ_MISSING_VALUE, "A&E required"),

    /* blank optional values are absent, not rejects */
    OK(DS_APC, "discharge_date", "", "blank discharge: still in hospital"),
    OK(DS_APC, "nhs_number", "", "blank NHS number"),
    OK(DS_APC, "date_of_birth", "", "blank date of birth"),
    OK(DS_APC, "sex", "", "blank sex"),
    OK(DS_APC, "gp_practice_code", "", "blank practice"),
    OK(DS_APC, "treatment_function_code", "", "APC TFC is optional"),
    OK(DS_APC, "spell_hrg", "", "blank HRG"),
    OK(DS_APC, "commissioner_code", "", "blank commissioner"),
    OK(DS_APC, "episode_start_date", "", "blank episode dates"),
    OK(DS_OP, "referral_source", "", "blank referral source"),
    OK(DS_AE, "ae_hrg", "", "blank A&E HRG"),

    /* R-I2: invalid NHS numbers and malformed practice codes are not rejects */
    OK(DS_APC, "nhs_number", "9434765918", "fails modulus 11"),
    OK(DS_APC, "nhs_number", "123", "too short"),
    OK(DS_APC, "nhs_number", "not a number", "letters"),
    OK(DS_APC, "gp_practice_code", "garbage!", "malformed practice code"),
    OK(DS_APC, "gp_practice_code", "V81999", "pseudo practice code"),
    /* columns that are not validated */
    OK(DS_APC, "commissioner_code", "???", "commissioner not validated"),
    OK(DS_APC, "spell_hrg", "not an HRG", "HRG not validated"),
    OK(DS_APC, "postcode", "nowhere", "postcode not validated"),
    OK(DS_APC, "primary_diagnosis", "x,y", "diagnosis not validated"),
    OK(DS_OP, "referral_source", "zz", "referral source not validated"),
    OK(DS_OP, "op_hrg", "WH01Z", "OP HRG not validated"),

    /* R-I2: dates, required and optional, in all three formats */
    OK(DS_APC, "admission_date", "10/04/2006", "DD/MM/YYYY"),
    OK(DS_APC, "admission_date", "20060410", "YYYYMMDD"),
    RJ(DS_APC, "admission_date", "2006-02-30", RJ_INVALID_DATE, "impossible admission date"),
    RJ(DS_APC, "admission_date", "10-04-2006", RJ_INVALID_DATE, "unparsable"),
    RJ(DS_APC, "discharge_date", "31/04/2006", RJ_INVALID_DATE, "optional discharge date"),
    RJ(DS_APC, "date_of_birth", "2005-02-29", RJ_INVALID_DATE, "optional date of birth"),
    RJ(DS_APC, "date_of_birth", "yesterday", RJ_INVALID_DATE, "optional, text"),
    RJ(DS_APC, "episode_start_date", "2006-13-01", RJ_INVALID_DATE, "optional episode start"),
    RJ(DS_APC, "episode_end_date", "0000-01-01", RJ_INVALID_DATE, "optional episode end"),
    RJ(DS_APC, "cds_applicable_datetime", "2006-05-01 25:00:00", RJ_INVALID_DATE, "bad time"),
    RJ(DS_APC, "cds_applicable_datetime", "2006-05-32", RJ_INVALID_DATE, "bad date"),
    OK(DS_APC, "cds_applicable_datetime", "01/05/2006 10:00:00", "datetime, DD/MM/YYYY"),
    OK(DS_APC, "cds_applicable_datetime", "2006-05-01T10:00:00", "datetime with T"),
    RJ(DS_OP, "appointment_date", "2006-04-31", RJ_INVALID_DATE, "OP appointment"),
    RJ(DS_OP, "date_of_birth", "1/1/1970", RJ_INVALID_DATE, "OP date of birth"),
    RJ(DS_AE, "arrival_date", "2006/04/10", RJ_INVALID_DATE, "A&E arrival"),

    /* R-I2: coded columns, §3.1 lists */
    RJ(DS_APC, "cds_update_type", "2", RJ_INVALID_CODE, "update type 9 or 1 only"),
    RJ(DS_APC, "cds_update_type", "0", RJ_INVALID_CODE, "update type"),
    RJ(DS_APC, "cds_update_type", "09", RJ_INVALID_CODE, "no leading zeros"),
    OK(DS_APC, "cds_update_type", " 9 ", "trimmed"),
    OK(DS_APC, "sex", "0", "sex 0"),
    OK(DS_APC, "sex", "9", "sex 9"),
    RJ(DS_APC, "sex", "3", RJ_INVALID_CODE, "sex 3"),
    RJ(DS_APC, "sex", "M", RJ_INVALID_CODE, "sex M"),
    OK(DS_APC, "admission_method", "13", "elective"),
    OK(DS_APC, "admission_method", "28", "emergency"),
    OK(DS_APC, "admission_method", "2D", "emergency 2D"),
    OK(DS_APC, "admission_method", "32", "maternity"),
    OK(DS_APC, "admission_method", "84", "other non-elective"),
    RJ(DS_APC, "admission_method", "14", RJ_INVALID_CODE, "not a method"),
    RJ(DS_APC, "admission_method", "29", RJ_INVALID_CODE, "not a method"),
    RJ(DS_APC, "admission_method", "2E", RJ_INVALID_CODE, "past 2D"),
    RJ(DS_APC, "admission_method", "2a", RJ_INVALID_CODE, "codes are upper case"),
    RJ(DS_APC, "admission_method", "33", RJ_INVALID_CODE, "past 32"),
    RJ(DS_APC, "admission_method", "85", RJ_INVALID_CODE, "past 84"),
    RJ(DS_APC, "admission_method", "1", RJ_INVALID_CODE, "one digit"),
    OK(DS_APC, "patient_classification", "5", "mother and baby"),
    RJ(DS_APC, "patient_classification", "0", RJ_INVALID_CODE, "classification 0"),
    RJ(DS_APC, "patient_classification", "6", RJ_INVALID_CODE, "classification 6"),
    OK(DS_OP, "first_attendance", "4", "follow-up by telephone"),
    RJ(DS_OP, "first_attendance", "5", RJ_INVALID_CODE, "first_attendance 5"),
    RJ(DS_OP, "first_attendance", "0", RJ_INVALID_CODE, "first_attendance 0"),
    OK(DS_OP, "attended_or_dna", "0", "not applicable"),
    OK(DS_OP, "attended_or_dna", "7", "late not seen"),
    OK(DS_OP, "attended_or_dna", "2", "cancelled by patient"),
    RJ(DS_OP, "attended_or_dna", "1", RJ_INVALID_CODE, "outcome 1"),
    RJ(DS_OP, "attended_or_dna", "8", RJ_INVALID_CODE, "outcome 8"),
    RJ(DS_OP, "sex", "X", RJ_INVALID_CODE, "OP sex"),
    OK(DS_AE, "ae_attendance_category", "3", "unplanned follow-up"),
    RJ(DS_AE, "ae_attendance_category", "4", RJ_INVALID_CODE, "category 4"),
    RJ(DS_AE, "ae_attendance_category", "0", RJ_INVALID_CODE, "category 0"),

    /* R-I2: provider code, 3 or 5 upper-case letters or digits */
    OK(DS_APC, "provider_code", "RA901", "5 characters (a site)"),
    OK(DS_APC, "provider_code", "5QA", "digits and letters"),
    OK(DS_APC, "provider_code", "12345", "all digits"),
    RJ(DS_APC, "provider_code", "ra9", RJ_INVALID_PROVIDER_CODE, "lower case"),
    RJ(DS_APC, "provider_code", "Ra9", RJ_INVALID_PROVIDER_CODE, "mixed case"),
    RJ(DS_APC, "provider_code", "RA9X", RJ_INVALID_PROVIDER_CODE, "4 characters"),
    RJ(DS_APC, "provider_code", "RA", RJ_INVALID_PROVIDER_CODE, "2 characters"),
    RJ(DS_APC, "provider_code", "RA9XYZ", RJ_INVALID_PROVIDER_CODE, "6 characters"),
    RJ(DS_APC, "provider_code", "RA-", RJ_INVALID_PROVIDER_CODE, "punctuation"),
    RJ(DS_APC, "provider_code", "R A", RJ_INVALID_PROVIDER_CODE, "inner space"),
    RJ(DS_OP, "provider_code", "rgt01", RJ_INVALID_PROVIDER_CODE, "OP lower case"),
    RJ(DS_AE, "provider_code", "RGT0", RJ_INVALID_PROVIDER_CODE, "A&E 4 characters"),

    /* R-I2: treatment function, where present, 3 digits */
    OK(DS_APC, "treatment_function_code", "010", "leading zero kept"),
    RJ(DS_APC, "treatment_function_code", "12", RJ_INVALID_TREATMENT_FUNCTION, "2 digits"),
    RJ(DS_APC, "treatment_function_code", "1234", RJ_INVALID_TREATMENT_FUNCTION, "4 digits"),
    RJ(DS_APC, "treatment_function_code", "abc", RJ_INVALID_TREATMENT_FUNCTION, "letters"),
    RJ(DS_APC, "treatment_function_code", "1O0", RJ_INVALID_TREATMENT_FUNCTION, "letter O"),
    RJ(DS_OP, "treatment_function_code", "12", RJ_INVALID_TREATMENT_FUNCTION, "OP 2 digits"),
    RJ(DS_OP, "treatment_function_code", "1234", RJ_INVALID_TREATMENT_FUNCTION, "OP 4 digits"),
    RJ(DS_OP, "treatment_function_code", "abc", RJ_INVALID_TREATMENT_FUNCTION, "OP letters"),
    RJ(DS_OP, "treatment_function_code", "-10", RJ_INVALID_TREATMENT_FUNCTION, "OP sign"),

    /* R-I2: episode number, a positive integer */
    OK(DS_APC, "episode_no", "2", "episode 2"),
    OK(DS_APC, "episode_no", "01", "leading zero"),
    OK(DS_APC, "episode_no", "87", "two digits"),
    RJ(DS_APC, "episode_no", "0", RJ_INVALID_EPISODE_NO, "zero"),
    RJ(DS_APC, "episode_no", "00", RJ_INVALID_EPISODE_NO, "zeros"),
    RJ(DS_APC, "episode_no", "-1", RJ_INVALID_EPISODE_NO, "negative"),
    RJ(DS_APC, "episode_no", "+1", RJ_INVALID_EPISODE_NO, "a sign"),
    RJ(DS_APC, "episode_no", "1.5", RJ_INVALID_EPISODE_NO, "a fraction"),
    RJ(DS_APC, "episode_no", "1.0", RJ_INVALID_EPISODE_NO, "decimals"),
    RJ(DS_APC, "episode_no", "abc", RJ_INVALID_EPISODE_NO, "letters"),
    RJ(DS_APC, "episode_no", "1e2", RJ_INVALID_EPISODE_NO, "exponent"),
    RJ(DS_APC, "episode_no", "1 2", RJ_INVALID_EPISODE_NO, "inner space"),
    RJ(DS_APC, "episode_no", "99999999999999999999", RJ_INVALID_EPISODE_NO, "too long"),

    /* R-I2: discharge before admission (admitted 2006-04-10) */
    RJ(DS_APC, "discharge_date", "2006-04-09", RJ_DISCHARGE_BEFORE_ADMISSION, "a day before"),
    RJ(DS_APC, "discharge_date", "09/04/2006", RJ_DISCHARGE_BEFORE_ADMISSION, "other format"),
    OK(DS_APC, "discharge_date", "2006-04-10", "same day: LOS 0"),
    OK(DS_APC, "discharge_date", "20070410", "a year later"),
};

ParameterizedTestParameters(extract, row)
{
    return cr_make_param_array(RowCase, row_cases, G_N_ELEMENTS(row_cases));
}

ParameterizedTest(RowCase *c, extract, row)
{
    g_autofree char *content = build(c->ds, c->col[0] ? c->col : NULL, c->val, FALSE, 1);
    g_autoptr(Extract) x = open_ok("x.csv", content);
    cr_assert_eq(extract_dataset(x), c->ds);
    ExtractRow row;
    RejectReason reason = RJ_COUNT;
    int column = -7;
    g_autoptr(GError) e = NULL;
    cr_assert_eq(extract_next(x, &row, &reason, &column, &e), 1);
    cr_assert_eq(reason, c->reason, "%s=\"%s\" (%s): reason %s, want %s", c->col, c->val, c->why,
                 reject_reason_name(reason), reject_reason_name(c->reason));
    if (c->reason == RJ_NONE) {
        cr_assert_eq(column, -1);
        cr_assert_eq(row.dataset, c->ds);
        cr_assert_eq(row.line, 2);
    } else {
        cr_assert_geq(column, 0, "%s: no column reported", c->why);
        cr_assert_str_eq(extract_col_name((ExtractCol)column), c->col, "%s: column %s", c->why,
                         extract_col_name((ExtractCol)column));
    }
    cr_assert_eq(extract_next(x, &row, &reason, &column, &e), 0);
}

/* ---- parsed values of an accepted row ---- */

Test(extract, accepted_row_values)
{
    g_autofree char *content = build(DS_APC, "episode_no", "02", FALSE, 1);
    g_autoptr(Extract) x = open_ok("apc.csv", content);
    ExtractRow row;
    RejectReason reason;
    int column;
    cr_assert_eq(extract_next(x, &row, &reason, &column, NULL), 1);
    cr_assert_eq(reason, RJ_NONE);
    cr_assert_not(row.deletion);
    cr_assert_eq(row.episode_no, 2);
    /* 2006-05-01 10:00:00: day 13239 + 30 = 13269, × 86400 + 36000 */
    cr_assert_eq(row.applicable, 13269LL * 86400 + 36000);
    cr_assert_eq(row.admission_date, 13239 + 9);
    cr_assert_eq(row.discharge_date, 13239 + 11);
    cr_assert_eq(row.date_of_birth, 0);
    cr_assert_eq(row.appointment_date, PBC_NO_DATE);
    cr_assert_eq(row.arrival_date, PBC_NO_DATE);
    cr_assert_str_eq(row.v[X_HOSPITAL_SPELL_NO], "S1");
    cr_assert_str_eq(row.v[X_PROVIDER_CODE], "RA9");
    cr_assert_str_eq(row.v[X_SPELL_HRG], "AA01A");
    cr_assert_str_eq(row.v[X_POSTCODE], "EX1 1AA");
    cr_assert_str_eq(row.v[X_ATTENDANCE_ID], "", "a column of another dataset is absent");
    cr_assert_str_eq(extract_value(x, X_CDS_UNIQUE_ID), "E1");
    cr_assert_eq(extract_line(x), 2);
    /* discharged 2006-04-12: activity month April 2006 */
    cr_assert_eq(extract_activity_month(x), 2006 * 12 + 3);
}

Test(extract, blank_optional_dates_are_no_date)
{
    g_autofree char *content = build(DS_APC, "discharge_date", "", FALSE, 1);
    g_autoptr(Extract) x = open_ok("apc.csv", content);
    ExtractRow row;
    RejectReason reason;
    int column;
    cr_assert_eq(extract_next(x, &row, &reason, &column, NULL), 1);
    cr_assert_eq(reason, RJ_NONE);
    cr_assert_eq(row.discharge_date, PBC_NO_DATE);
    /* unfinished: the activity month falls back to the admission (2006-04) */
    cr_assert_eq(extract_activity_month(x), 2006 * 12 + 3);
}

/* R-I3: cds_update_type 1 is a deletion; it still needs its required values. */
Test(extract, deletions)
{
    g_autofree char *content = build(DS_APC, "cds_update_type", "1", FALSE, 1);
    g_autoptr(Extract) x = open_ok("del.csv", content);
    ExtractRow row;
    RejectReason reason;
    int column;
    cr_assert_eq(extract_next(x, &row, &reason, &column, NULL), 1);
    cr_assert_eq(reason, RJ_NONE);
    cr_assert(row.deletion);

    /* a deletion with a blank admission method is rejected like any row:
     * the template with admission_method blanked and update type 9 -> 1 */
    g_autofree char *bad = build(DS_APC, "admission_method", "", FALSE, 1);
    g_auto(GStrv) lines = g_strsplit(bad, "\n", -1);
    g_auto(GStrv) f = g_strsplit(lines[1], ",", -1);
    cr_assert_str_eq(f[1], "9");
    f[1][0] = '1';
    g_autofree char *row1 = g_strjoinv(",", f);
    g_autofree char *deleted = g_strdup_printf("%s\n%s\n", lines[0], row1);
    g_autoptr(Extract) y = open_ok("del2.csv", deleted);
    cr_assert_eq(extract_next(y, &row, &reason, &column, NULL), 1);
    cr_assert_eq(reason, RJ_MISSING_VALUE);
    cr_assert_str_eq(extract_col_name((ExtractCol)column), "admission_method");
}

/* ---- validation order (extract.h): first failing check, in column-table order ---- */

typedef struct {
    char line[200];
    RejectReason reason;
    char col[32];
    char why[64];
} OrderCase;

#define APC_HDR                                                                                  \
    "cds_unique_id,cds_update_type,cds_applicable_datetime,provider_code,nhs_number,"          \
    "date_of_birth,sex,hospital_spell_no,episode_no,admission_method,patient_classification,"  \
    "admission_date,discharge_date,treatment_function_code\n"

static OrderCase order_cases[] = {
    /* a blank required value outranks every value check */
    {"E1,9,2006-05-01,ra9,,2006-02-30,7,S1,0,99,9,,2006-04-01,1",
     RJ_MISSING_VALUE, "admission_date", "blank before bad values"},
    /* then the column table's order: provider before date of birth before sex */
    {"E1,9,2006-05-01,ra9,,2006-02-30,7,S1,0,99,9,2006-04-10,2006-04-01,1",
     RJ_INVALID_PROVIDER_CODE, "provider_code", "provider first"},
    {"E1,9,2006-05-01,RA9,,2006-02-30,7,S1,0,99,9,2006-04-10,2006-04-01,1",
     RJ_INVALID_DATE, "date_of_birth", "then date of birth"},
    {"E1,9,2006-05-01,RA9,,,7,S1,0,99,9,2006-04-10,2006-04-01,1",
     RJ_INVALID_CODE, "sex", "then sex"},
    {"E1,9,2006-05-01,RA9,,,,S1,0,99,9,2006-04-10,2006-04-01,1",
     RJ_INVALID_EPISODE_NO, "episode_no", "then episode"},
    {"E1,9,2006-05-01,RA9,,,,S1,1,99,9,2006-04-10,2006-04-01,1",
     RJ_INVALID_CODE, "admission_method", "then admission method"},
    {"E1,9,2006-05-01,RA9,,,,S1,1,11,9,2006-04-10,2006-04-01,1",
     RJ_INVALID_CODE, "patient_classification", "then classification"},
    {"E1,9,2006-05-01,RA9,,,,S1,1,11,1,2006-04-10,2006-04-01,1",
     RJ_INVALID_TREATMENT_FUNCTION, "treatment_function_code", "TFC before the date order"},
    {"E1,9,2006-05-01,RA9,,,,S1,1,11,1,2006-04-10,2006-04-01,100",
     RJ_DISCHARGE_BEFORE_ADMISSION, "discharge_date", "discharge order last"},
    {"E1,9,2006-05-01,RA9,,,,S1,1,11,1,2006-04-10,2006-04-31,100",
     RJ_INVALID_DATE, "discharge_date", "an impossible discharge is a bad date"},
    /* field count and broken quoting come before any value */
    {"E1,9,2006-05-01,ra9,,,,S1,1,11,1,2006-04-10,,100,extra",
     RJ_FIELD_COUNT, "", "one field too many"},
    {"E1,9,2006-05-01,RA9,,,,S1,1,11,1,2006-04-10,",
     RJ_FIELD_COUNT, "", "one field too few"},
    {"E1,9,2006-05-01,RA9,,,,S1,1,11,1,2006-04-10,,100,",
     RJ_FIELD_COUNT, "", "a trailing comma"},
    {"E1",
     RJ_FIELD_COUNT, "", "one field"},
    {"E1,9,2006-05-01,ra9,,,,S\"1,1,11,1,2006-04-10,,100",
     RJ_BROKEN_QUOTING, "", "a quote in an unquoted field"},
    {"E1,9,2006-05-01,RA9,,,,\"S1\"x,1,11,1,2006-04-10,,100",
     RJ_BROKEN_QUOTING, "", "text after a closing quote"},
    {"E1,9,2006-05-01,RA9,,,,\"S,1\",1,11,1,2006-04-10,,100",
     RJ_NONE, "", "a quoted comma is fine"},
};

ParameterizedTestParameters(extract, order)
{
    return cr_make_param_array(OrderCase, order_cases, G_N_ELEMENTS(order_cases));
}

ParameterizedTest(OrderCase *c, extract, order)
{
    g_autofree char *content = g_strdup_printf(APC_HDR "%s\n", c->line);
    g_autoptr(Extract) x = open_ok("o.csv", content);
    ExtractRow row;
    RejectReason reason;
    int column;
    cr_assert_eq(extract_next(x, &row, &reason, &column, NULL), 1);
    cr_assert_eq(reason, c->reason, "%s: %s, want %s", c->why, reject_reason_name(reason),
                 reject_reason_name(c->reason));
    if (c->col[0])
        cr_assert_str_eq(extract_col_name((ExtractCol)column), c->col, "%s", c->why);
    else
        cr_assert_eq(column, -1, "%s", c->why);
}

/* After a rejected row the next row reads normally, with its own line number. */
Test(extract, reading_goes_on_after_rejects)
{
    g_autofree char *content = g_strdup(APC_HDR
                                        "E1,9,2006-05-01,RA9,,,,S\"1,1,11,1,2006-04-10,,100\n"
                                        "\n"
                                        "E2,9,2006-05-01,RA9,,,,S2,1,11,1,2006-04-10,,100\n"
                                        "E3,9,2006-05-01,RA9,,,,\"S\n3\",1,11,1,2006-04-10,,12\n"
                                        "E4,9,2006-05-01,RA9,,,,S4,1,11,1,2006-04-10,,100");
    g_autoptr(Extract) x = open_ok("go.csv", content);
    ExtractRow row;
    RejectReason reason;
    int column;
    cr_assert_eq(extract_next(x, &row, &reason, &column, NULL), 1);
    cr_assert_eq(reason, RJ_BROKEN_QUOTING);
    cr_assert_eq(extract_line(x), 2);
    gsize len;
    const char *raw = extract_raw(x, &len);
    cr_assert(len == strlen("E1,9,2006-05-01,RA9,,,,S\"1,1,11,1,2006-04-10,,100"));
    cr_assert(memcmp(raw, "E1,", 3) == 0);
    cr_assert_eq(extract_next(x, &row, &reason, &column, NULL), 1);
    cr_assert_eq(reason, RJ_NONE);
    cr_assert_eq(row.line, 4, "the empty line 3 is not a record");
    cr_assert_str_eq(row.v[X_CDS_UNIQUE_ID], "E2");
    cr_assert_eq(extract_next(x, &row, &reason, &column, NULL), 1);
    cr_assert_eq(reason, RJ_INVALID_TREATMENT_FUNCTION);
    cr_assert_eq(extract_line(x), 5);
    raw = extract_raw(x, &len);
    cr_assert(memchr(raw, '\n', len) != NULL, "the raw record keeps its inner newline");
    cr_assert_eq(extract_next(x, &row, &reason, &column, NULL), 1);
    cr_assert_eq(reason, RJ_NONE);
    cr_assert_eq(row.line, 7);
    cr_assert_eq(extract_next(x, &row, &reason, &column, NULL), 0);
}

/* ---- dataset detection (SPEC §3.1: by header, not by file name) ---- */

typedef struct {
    char name[32];
    char header[200];
    Dataset ds;
} DetectCase;

static DetectCase detect_cases[] = {
    {"op_2006.csv",
     "cds_unique_id,cds_update_type,cds_applicable_datetime,provider_code,hospital_spell_no,"
     "episode_no,admission_method,patient_classification,admission_date",
     DS_APC},
    {"apc.csv",
     "attendance_id,appointment_date,first_attendance,attended_or_dna,treatment_function_code,"
     "cds_unique_id,cds_update_type,cds_applicable_datetime,provider_code",
     DS_OP},
    {"op.csv",
     "ATTENDANCE_ID,Arrival_Date,AE_Attendance_Category,cds_unique_id,cds_update_type,"
     "cds_applicable_datetime,provider_code",
     DS_AE},
    /* hospital_spell_no wins over attendance columns */
    {"mixed.csv",
     "cds_unique_id,cds_update_type,cds_applicable_datetime,provider_code,hospital_spell_no,"
     "episode_no,admission_method,patient_classification,admission_date,attendance_id,"
     "first_attendance",
     DS_APC},
    /* first_attendance wins over ae_attendance_category */
    {"both.csv",
     "cds_unique_id,cds_update_type,cds_applicable_datetime,provider_code,attendance_id,"
     "appointment_date,first_attendance,attended_or_dna,treatment_function_code,"
     "ae_attendance_category",
     DS_OP},
    /* unknown columns anywhere are ignored */
    {"x.csv",
     "extra1, cds_unique_id ,cds_update_type,cds_applicable_datetime,provider_code,"
     "attendance_id,arrival_date,ae_attendance_category,local_flag",
     DS_AE},
};

ParameterizedTestParameters(extract, detect)
{
    return cr_make_param_array(DetectCase, detect_cases, G_N_ELEMENTS(detect_cases));
}

ParameterizedTest(DetectCase *c, extract, detect)
{
    g_autofree char *content = g_strdup_printf("%s\n", c->header);
    g_autoptr(Extract) x = open_ok(c->name, content);
    cr_assert_eq(extract_dataset(x), c->ds, "%s: dataset %d, want %d", c->name,
                 extract_dataset(x), c->ds);
}

/* Columns found by name in any order and any case; values follow their header. */
Test(extract, columns_in_any_order)
{
    g_autofree char *content = g_strdup(
        "AE_HRG,Arrival_Date,Provider_Code,Attendance_ID,CDS_Applicable_Datetime,"
        "CDS_Update_Type,AE_Attendance_Category,CDS_Unique_ID,Something_Else\n"
        "VB01Z,10/04/2006,RGT01,AE9,2006-05-01,9,2,U9,whatever\n");
    g_autoptr(Extract) x = open_ok("ae.csv.txt", content);
    ExtractRow row;
    RejectReason reason;
    int column;
    cr_assert_eq(extract_next(x, &row, &reason, &column, NULL), 1);
    cr_assert_eq(reason, RJ_NONE, "%s", reject_reason_name(reason));
    cr_assert_eq(row.dataset, DS_AE);
    cr_assert_str_eq(row.v[X_CDS_UNIQUE_ID], "U9");
    cr_assert_str_eq(row.v[X_ATTENDANCE_ID], "AE9");
    cr_assert_str_eq(row.v[X_PROVIDER_CODE], "RGT01");
    cr_assert_str_eq(row.v[X_AE_HRG], "VB01Z");
    cr_assert_str_eq(row.v[X_AE_ATTENDANCE_CATEGORY], "2");
    cr_assert_eq(row.arrival_date, 13239 + 9);
    cr_assert_str_eq(row.v[X_NHS_NUMBER], "", "an absent optional column is blank");
}

/* A column belonging to another dataset is unknown here, so not validated. */
Test(extract, other_datasets_columns_ignored)
{
    /* A&E with a nonsense treatment_function_code and first_attendance-free header */
    g_autofree char *content = g_strdup(
        "cds_unique_id,cds_update_type,cds_applicable_datetime,provider_code,attendance_id,"
        "arrival_date,ae_attendance_category,treatment_function_code,episode_no,admission_date\n"
        "A1,9,2006-05-01,RA9,AE1,2006-04-10,1,abc,-5,not a date\n");
    g_autoptr(Extract) x = open_ok("ae.csv", content);
    ExtractRow row;
    RejectReason reason;
    int column;
    cr_assert_eq(extract_next(x, &row, &reason, &column, NULL), 1);
    cr_assert_eq(reason, RJ_NONE, "%s column %d", reject_reason_name(reason), column);
    cr_assert_str_eq(row.v[X_TREATMENT_FUNCTION_CODE], "");
}

/* ---- R-I6: files that cannot be read as an extract ---- */

typedef struct {
    Dataset ds;
    char col[32];
} MissingCase;

static MissingCase missing_cases[] = {
    {DS_APC, "cds_unique_id"},   {DS_APC, "cds_update_type"},
    {DS_APC, "cds_applicable_datetime"}, {DS_APC, "provider_code"},
    {DS_APC, "episode_no"},      {DS_APC, "admission_method"},
    {DS_APC, "patient_classification"}, {DS_APC, "admission_date"},
    {DS_OP, "appointment_date"}, {DS_OP, "attended_or_dna"},
    {DS_OP, "treatment_function_code"}, {DS_OP, "cds_unique_id"},
    {DS_AE, "arrival_date"},     {DS_AE, "provider_code"},
};

ParameterizedTestParameters(extract, missing_column)
{
    return cr_make_param_array(MissingCase, missing_cases, G_N_ELEMENTS(missing_cases));
}

/* R-I6: a missing required column fails the file, naming file and column. */
ParameterizedTest(MissingCase *c, extract, missing_column)
{
    g_autofree char *content = build(c->ds, c->col, "", TRUE, 2);
    g_autofree char *p = write_file("in.csv", content);
    g_autoptr(GError) e = NULL;
    Extract *x = extract_open(p, &e);
    cr_assert_null(x);
    cr_assert(g_error_matches(e, PBC_ERROR, PBC_ERROR_FORMAT));
    g_autofree char *want = g_strdup_printf("file \"%s\": missing required column \"%s\" of an %s extract",
                                            p, c->col, dataset_name(c->ds));
    cr_assert_str_eq(e->message, want);
}

/* Optional columns may be missing from the header. */
Test(extract, optional_columns_may_be_absent)
{
    static const char *const optional[] = {"discharge_date", "nhs_number", "date_of_birth",
                                           "sex", "gp_practice_code", "treatment_function_code",
                                           "spell_hrg", "commissioner_code", NULL};
    for (int i = 0; optional[i]; i++) {
        g_autofree char *content = build(DS_APC, optional[i], "", TRUE, 1);
        g_autoptr(Extract) x = open_ok("opt.csv", content);
        ExtractRow row;
        RejectReason reason;
        int column;
        cr_assert_eq(extract_next(x, &row, &reason, &column, NULL), 1);
        cr_assert_eq(reason, RJ_NONE, "without %s: %s", optional[i], reject_reason_name(reason));
    }
}

Test(extract, no_dataset)
{
    g_autofree char *p = write_file("what.csv", "cds_unique_id,attendance_id,provider_code\n");
    g_autoptr(GError) e = NULL;
    cr_assert_null(extract_open(p, &e));
    cr_assert(g_error_matches(e, PBC_ERROR, PBC_ERROR_FORMAT));
    g_autofree char *want = g_strdup_printf("file \"%s\": cannot tell its dataset from the header", p);
    cr_assert(g_str_has_prefix(e->message, want), "%s", e->message);
}

Test(extract, empty_file)
{
    g_autofree char *p = write_file("empty.csv", "");
    g_autoptr(GError) e = NULL;
    cr_assert_null(extract_open(p, &e));
    cr_assert(g_error_matches(e, PBC_ERROR, PBC_ERROR_FORMAT));
    cr_assert(strstr(e->message, p) != NULL);
}

Test(extract, missing_file)
{
    g_autofree char *p = g_build_filename(dir, "absent.csv.gz", NULL);
    g_autoptr(GError) e = NULL;
    cr_assert_null(extract_open(p, &e));
    cr_assert(g_error_matches(e, PBC_ERROR, PBC_ERROR_IO));
    cr_assert(strstr(e->message, p) != NULL);
}

/* A header-only file is a valid extract with no rows. */
Test(extract, header_only)
{
    g_autofree char *content = build(DS_OP, NULL, NULL, FALSE, 0);
    g_autoptr(Extract) x = open_ok("op.csv", content);
    ExtractRow row;
    RejectReason reason;
    int column;
    cr_assert_eq(extract_next(x, &row, &reason, &column, NULL), 0);
}

Test(extract, provider_validity_helper)
{
    cr_assert(extract_valid_provider("RA9"));
    cr_assert(extract_valid_provider("RA901"));
    cr_assert_not(extract_valid_provider(""));
    cr_assert_not(extract_valid_provider("RA9 "));
    cr_assert_not(extract_valid_provider("RA\xC3\x89"));
}

Test(extract, reason_names)
{
    cr_assert_str_eq(reject_reason_name(RJ_BROKEN_QUOTING), "BROKEN_QUOTING");
    cr_assert_str_eq(reject_reason_name(RJ_FIELD_COUNT), "FIELD_COUNT");
    cr_assert_str_eq(reject_reason_name(RJ_MISSING_VALUE), "MISSING_VALUE");
    cr_assert_str_eq(reject_reason_name(RJ_INVALID_DATE), "INVALID_DATE");
    cr_assert_str_eq(reject_reason_name(RJ_INVALID_CODE), "INVALID_CODE");
    cr_assert_str_eq(reject_reason_name(RJ_INVALID_PROVIDER_CODE), "INVALID_PROVIDER_CODE");
    cr_assert_str_eq(reject_reason_name(RJ_INVALID_TREATMENT_FUNCTION),
                     "INVALID_TREATMENT_FUNCTION");
    cr_assert_str_eq(reject_reason_name(RJ_INVALID_EPISODE_NO), "INVALID_EPISODE_NO");
    cr_assert_str_eq(reject_reason_name(RJ_DISCHARGE_BEFORE_ADMISSION),
                     "DISCHARGE_BEFORE_ADMISSION");
    for (int c = 0; c < X_NCOLS; c++)
        cr_assert_not_null(extract_col_name((ExtractCol)c));
}
