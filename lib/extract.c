/*
 * extract.c: dataset detection and R-I2 row validation for activity extracts.
 */
#include "extract.h"

#include "csv_in.h"
#include "log.h"

#include <string.h>

typedef enum { K_STR, K_DATE, K_DATETIME, K_CODE, K_PROVIDER, K_TFC, K_EPISODE } Kind;

#define M_APC (1u << DS_APC)
#define M_OP (1u << DS_OP)
#define M_AE (1u << DS_AE)
#define M_ALL (M_APC | M_OP | M_AE)

typedef struct {
    const char *name;
    unsigned used;      /* datasets that read this column */
    unsigned required;  /* datasets that require it (R-I2 blank check, R-I6 header) */
    Kind kind;
    const char *const *codes; /* K_CODE: the allowed values (SPEC §3.1) */
} ColDef;

static const char *const update_types[] = {"9", "1", NULL};
static const char *const sexes[] = {"0", "1", "2", "9", NULL};
static const char *const admission_methods[] = {
    "11", "12", "13",                                       /* elective */
    "21", "22", "23", "24", "25", "26", "27", "28",         /* emergency */
    "2A", "2B", "2C", "2D", "31", "32",                     /* maternity */
    "81", "82", "83", "84", NULL};                          /* other non-elective */
static const char *const classifications[] = {"1", "2", "3", "4", "5", NULL};
static const char *const first_attendances[] = {"1", "2", "3", "4", NULL};
static const char *const outcomes[] = {"5", "6", "7", "2", "3", "4", "0", NULL};
static const char *const ae_categories[] = {"1", "2", "3", NULL};

static const ColDef coldefs[X_NCOLS] = {
    [X_CDS_UNIQUE_ID] = {"cds_unique_id", M_ALL, M_ALL, K_STR, NULL},
    [X_CDS_UPDATE_TYPE] = {"cds_update_type", M_ALL, M_ALL, K_CODE, update_types},
    [X_CDS_APPLICABLE_DATETIME] = {"cds_applicable_datetime", M_ALL, M_ALL, K_DATETIME, NULL},
    [X_PROVIDER_CODE] = {"provider_code", M_ALL, M_ALL, K_PROVIDER, NULL},
    [X_COMMISSIONER_CODE] = {"commissioner_code", M_ALL, 0, K_STR, NULL},
    [X_NHS_NUMBER] = {"nhs_number", M_ALL, 0, K_STR, NULL},
    [X_DATE_OF_BIRTH] = {"date_of_birth", M_ALL, 0, K_DATE, NULL},
    [X_SEX] = {"sex", M_ALL, 0, K_CODE, sexes},
    [X_POSTCODE] = {"postcode", M_ALL, 0, K_STR, NULL},
    [X_GP_PRACTICE_CODE] = {"gp_practice_code", M_ALL, 0, K_STR, NULL},
    [X_HOSPITAL_SPELL_NO] = {"hospital_spell_no", M_APC, M_APC, K_STR, NULL},
    [X_EPISODE_NO] = {"episode_no", M_APC, M_APC, K_EPISODE, NULL},
    [X_ADMISSION_METHOD] = {"admission_method", M_APC, M_APC, K_CODE, admission_methods},
    [X_PATIENT_CLASSIFICATION] = {"patient_classification", M_APC, M_APC, K_CODE,
                                  classifications},
    [X_ADMISSION_DATE] = {"admission_date", M_APC, M_APC, K_DATE, NULL},
    [X_DISCHARGE_DATE] = {"discharge_date", M_APC, 0, K_DATE, NULL},
    [X_EPISODE_START_DATE] = {"episode_start_date", M_APC, 0, K_DATE, NULL},
    [X_EPISODE_END_DATE] = {"episode_end_date", M_APC, 0, K_DATE, NULL},
    [X_SPELL_HRG] = {"spell_hrg", M_APC, 0, K_STR, NULL},
    [X_ATTENDANCE_ID] = {"attendance_id", M_OP | M_AE, M_OP | M_AE, K_STR, NULL},
    [X_APPOINTMENT_DATE] = {"appointment_date", M_OP, M_OP, K_DATE, NULL},
    [X_FIRST_ATTENDANCE] = {"first_attendance", M_OP, M_OP, K_CODE, first_attendances},
    [X_ATTENDED_OR_DNA] = {"attended_or_dna", M_OP, M_OP, K_CODE, outcomes},
    [X_REFERRAL_SOURCE] = {"referral_source", M_OP, 0, K_STR, NULL},
    [X_OP_HRG] = {"op_hrg", M_OP, 0, K_STR, NULL},
    [X_ARRIVAL_DATE] = {"arrival_date", M_AE, M_AE, K_DATE, NULL},
    [X_AE_ATTENDANCE_CATEGORY] = {"ae_attendance_category", M_AE, M_AE, K_CODE, ae_categories},
    [X_AE_HRG] = {"ae_hrg", M_AE, 0, K_STR, NULL},
    [X_TREATMENT_FUNCTION_CODE] = {"treatment_function_code", M_APC | M_OP, M_OP, K_TFC, NULL},
    [X_PRIMARY_DIAGNOSIS] = {"primary_diagnosis", M_APC, 0, K_STR, NULL},
    [X_PRIMARY_PROCEDURE] = {"primary_procedure", M_APC, 0, K_STR, NULL},
};

const char *
extract_col_name(ExtractCol c)
{
    return coldefs[c].name;
}

const char *
reject_reason_name(RejectReason r)
{
    static const char *const names[RJ_COUNT] = {
        [RJ_NONE] = "",
        [RJ_BROKEN_QUOTING] = "BROKEN_QUOTING",
        [RJ_FIELD_COUNT] = "FIELD_COUNT",
        [RJ_MISSING_VALUE] = "MISSING_VALUE",
        [RJ_INVALID_DATE] = "INVALID_DATE",
        [RJ_INVALID_CODE] = "INVALID_CODE",
        [RJ_INVALID_PROVIDER_CODE] = "INVALID_PROVIDER_CODE",
        [RJ_INVALID_TREATMENT_FUNCTION] = "INVALID_TREATMENT_FUNCTION",
        [RJ_INVALID_EPISODE_NO] = "INVALID_EPISODE_NO",
        [RJ_DISCHARGE_BEFORE_ADMISSION] = "DISCHARGE_BEFORE_ADMISSION",
    };
    return names[r];
}

struct Extract {
    CsvIn *csv;
    Dataset dataset;
    int idx[X_NCOLS];   /* header index, -1 when absent */
    guint8 act[X_NCOLS]; /* the columns present (idx >= 0), in column order */
    int nact;
};

Dataset
extract_dataset(const Extract *x)
{
    return x->dataset;
}

Extract *
extract_open(const char *path, GError **error)
{
    CsvIn *csv = csv_in_open(path, error);
    if (csv == NULL)
        return NULL;
    if (!csv_in_read_header(csv, error)) {
        csv_in_free(csv);
        return NULL;
    }
    Extract *x = g_new0(Extract, 1);
    x->csv = csv;
    for (int c = 0; c < X_NCOLS; c++)
        x->idx[c] = csv_in_column(csv, coldefs[c].name);
    /* The header names the dataset, not the file name (SPEC §3.1). */
    if (x->idx[X_HOSPITAL_SPELL_NO] >= 0)
        x->dataset = DS_APC;
    else if (x->idx[X_ATTENDANCE_ID] >= 0 && x->idx[X_FIRST_ATTENDANCE] >= 0)
        x->dataset = DS_OP;
    else if (x->idx[X_ATTENDANCE_ID] >= 0 && x->idx[X_AE_ATTENDANCE_CATEGORY] >= 0)
        x->dataset = DS_AE;
    else {
        g_set_error(error, PBC_ERROR, PBC_ERROR_FORMAT,
                    "file \"%s\": cannot tell its dataset from the header\n"
                    "detail: an APC extract has a hospital_spell_no column; OP has attendance_id "
                    "and first_attendance; A&E has attendance_id and ae_attendance_category",
                    path);
        extract_free(x);
        return NULL;
    }
    unsigned m = 1u << x->dataset;
    for (int c = 0; c < X_NCOLS; c++) {
        if ((coldefs[c].required & m) && x->idx[c] < 0) {
            g_set_error(error, PBC_ERROR, PBC_ERROR_FORMAT,
                        "file \"%s\": missing required column \"%s\" of an %s extract", path,
                        coldefs[c].name, dataset_name(x->dataset));
            extract_free(x);
            return NULL;
        }
        /* Columns of other datasets are unknown here and ignored. */
        if (!(coldefs[c].used & m))
            x->idx[c] = -1;
        if (x->idx[c] >= 0)
            x->act[x->nact++] = (guint8)c;
    }
    return x;
}

void
extract_free(Extract *x)
{
    if (x == NULL)
        return;
    csv_in_free(x->csv);
    g_free(x);
}

static gboolean
in_list(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(s, *list) == 0)
            return TRUE;
    return FALSE;
}

gboolean
extract_valid_provider(const char *s)
{
    size_t n = strlen(s);
    if (n != 3 && n != 5)
        return FALSE;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9')))
            return FALSE;
    return TRUE;
}

static gboolean
valid_tfc(const char *s)
{
    return strlen(s) == 3 && g_ascii_isdigit(s[0]) && g_ascii_isdigit(s[1])
           && g_ascii_isdigit(s[2]);
}

/* A positive integer of at most 18 digits (no sign, no decimals). */
static gboolean
parse_episode(const char *s, int64_t *out)
{
    int64_t v = 0;
    size_t n = strlen(s);
    if (n == 0 || n > 18)
        return FALSE;
    for (size_t i = 0; i < n; i++) {
        if (!g_ascii_isdigit(s[i]))
            return FALSE;
        v = v * 10 + (s[i] - '0');
    }
    if (v <= 0)
        return FALSE;
    *out = v;
    return TRUE;
}

const char *
extract_value(const Extract *x, ExtractCol c)
{
    return csv_in_field(x->csv, x->idx[c]);
}

/* Where a date column's parsed value goes in the row, or NULL. */
static PbcDate *
date_slot(ExtractRow *row, ExtractCol c)
{
    switch (c) {
    case X_DATE_OF_BIRTH:
        return &row->date_of_birth;
    case X_ADMISSION_DATE:
        return &row->admission_date;
    case X_DISCHARGE_DATE:
        return &row->discharge_date;
    case X_APPOINTMENT_DATE:
        return &row->appointment_date;
    case X_ARRIVAL_DATE:
        return &row->arrival_date;
    default:
        return NULL;
    }
}

int
extract_next(Extract *x, ExtractRow *row, RejectReason *reason, int *column, GError **error)
{
    int rc = csv_in_next(x->csv, error);
    if (rc <= 0)
        return rc;
    memset(row, 0, sizeof *row);
    row->dataset = x->dataset;
    row->line = csv_in_line(x->csv);
    row->date_of_birth = row->admission_date = row->discharge_date = PBC_NO_DATE;
    row->appointment_date = row->arrival_date = PBC_NO_DATE;
    *reason = RJ_NONE;
    *column = -1;
    if (csv_in_broken(x->csv)) {
        *reason = RJ_BROKEN_QUOTING;
        return 1;
    }
    if (csv_in_count(x->csv) != csv_in_header_count(x->csv)) {
        *reason = RJ_FIELD_COUNT;
        return 1;
    }
    unsigned m = 1u << x->dataset;
    /* Absent columns are blank; a required one is never absent (extract_open()
     * failed the file), so the present columns in order see every check. */
    for (int c = 0; c < X_NCOLS; c++)
        row->v[c] = "";
    for (int a = 0; a < x->nact; a++) {
        int c = x->act[a];
        row->v[c] = csv_in_field(x->csv, x->idx[c]);
        if ((coldefs[c].required & m) && row->v[c][0] == '\0') {
            *reason = RJ_MISSING_VALUE;
            *column = c;
            return 1;
        }
    }
    for (int a = 0; a < x->nact; a++) {
        int c = x->act[a];
        const char *s = row->v[c];
        if (s[0] == '\0')
            continue;
        /* A NUL byte would cut a validated value short ("RA9\0XX" is not "RA9"):
         * such a value does not parse, whatever its kind. */
        if (coldefs[c].kind != K_STR && csv_in_field_len(x->csv, x->idx[c]) != strlen(s)) {
            static const RejectReason by_kind[] = {
                [K_DATE] = RJ_INVALID_DATE,          [K_DATETIME] = RJ_INVALID_DATE,
                [K_CODE] = RJ_INVALID_CODE,          [K_PROVIDER] = RJ_INVALID_PROVIDER_CODE,
                [K_TFC] = RJ_INVALID_TREATMENT_FUNCTION, [K_EPISODE] = RJ_INVALID_EPISODE_NO};
            *reason = by_kind[coldefs[c].kind];
            *column = c;
            return 1;
        }
        switch (coldefs[c].kind) {
        case K_STR:
            break;
        case K_DATE: {
            PbcDate d, *slot = date_slot(row, (ExtractCol)c);
            if (!date_parse(s, &d)) {
                *reason = RJ_INVALID_DATE;
                *column = c;
                return 1;
            }
            if (slot)
                *slot = d;
            break;
        }
        case K_DATETIME:
            if (!datetime_parse(s, &row->applicable)) {
                *reason = RJ_INVALID_DATE;
                *column = c;
                return 1;
            }
            break;
        case K_CODE:
            if (!in_list(s, coldefs[c].codes)) {
                *reason = RJ_INVALID_CODE;
                *column = c;
                return 1;
            }
            break;
        case K_PROVIDER:
            if (!extract_valid_provider(s)) {
                *reason = RJ_INVALID_PROVIDER_CODE;
                *column = c;
                return 1;
            }
            break;
        case K_TFC:
            if (!valid_tfc(s)) {
                *reason = RJ_INVALID_TREATMENT_FUNCTION;
                *column = c;
                return 1;
            }
            break;
        case K_EPISODE:
            if (!parse_episode(s, &row->episode_no)) {
                *reason = RJ_INVALID_EPISODE_NO;
                *column = c;
                return 1;
            }
            break;
        }
    }
    if (x->dataset == DS_APC && row->discharge_date != PBC_NO_DATE
        && row->discharge_date < row->admission_date) {
        *reason = RJ_DISCHARGE_BEFORE_ADMISSION;
        *column = X_DISCHARGE_DATE;
        return 1;
    }
    row->deletion = strcmp(row->v[X_CDS_UPDATE_TYPE], "1") == 0;
    return 1;
}

const char *
extract_raw(const Extract *x, gsize *len)
{
    return csv_in_raw(x->csv, len);
}

int64_t
extract_line(const Extract *x)
{
    return csv_in_line(x->csv);
}

static int
month_of(const Extract *x, ExtractCol c)
{
    PbcDate d;
    const char *s = csv_in_field(x->csv, x->idx[c]);
    if (x->idx[c] < 0 || !*s || !date_parse(s, &d))
        return -1;
    return date_month_key(d);
}

/* The two below state one rule (extract.h): keep them together. */
int
extract_row_month(const ExtractRow *r)
{
    PbcDate d;
    switch (r->dataset) {
    case DS_APC:
        d = r->discharge_date != PBC_NO_DATE ? r->discharge_date : r->admission_date;
        break;
    case DS_OP:
        d = r->appointment_date;
        break;
    case DS_AE:
    default:
        d = r->arrival_date;
        break;
    }
    return d == PBC_NO_DATE ? -1 : date_month_key(d);
}

int
extract_activity_month(const Extract *x)
{
    switch (x->dataset) {
    case DS_APC: {
        int mk = month_of(x, X_DISCHARGE_DATE);
        return mk >= 0 ? mk : month_of(x, X_ADMISSION_DATE);
    }
    case DS_OP:
        return month_of(x, X_APPOINTMENT_DATE);
    case DS_AE:
    default:
        return month_of(x, X_ARRIVAL_DATE);
    }
}
