/*
 * extract.h: reading one CDS activity extract (SPEC §3.1, R-I2).
 *
 * An extract is a CSV file (plain or gzip) whose header names its dataset:
 * hospital_spell_no → APC; attendance_id with first_attendance → OP; with
 * ae_attendance_category → A&E.  extract_open() finds the columns by name and
 * fails the file (R-I6) when a required one is missing; extract_next() reads
 * one record and validates it against R-I2, returning either a parsed row or
 * a reject with its reason code and column.  Validation order, so that a row
 * failing several checks gets a predictable reason: broken quoting, field
 * count, then column by column in the order of the column table: a blank
 * required value, an unparsable or impossible date, a coded value outside its
 * list, a malformed provider code, treatment function or episode number (a
 * validated value holding a NUL byte is malformed: "RA9\0XX" is not "RA9"); last
 * the discharge-before-admission check.
 */
#ifndef PBC_EXTRACT_H
#define PBC_EXTRACT_H

#include "date.h"
#include "unit.h"

#include <glib.h>
#include <stdint.h>

/* Columns of all three datasets, in validation order. */
typedef enum {
    X_CDS_UNIQUE_ID,
    X_CDS_UPDATE_TYPE,
    X_CDS_APPLICABLE_DATETIME,
    X_PROVIDER_CODE,
    X_COMMISSIONER_CODE,
    X_NHS_NUMBER,
    X_DATE_OF_BIRTH,
    X_SEX,
    X_POSTCODE,
    X_GP_PRACTICE_CODE,
    /* APC */
    X_HOSPITAL_SPELL_NO,
    X_EPISODE_NO,
    X_ADMISSION_METHOD,
    X_PATIENT_CLASSIFICATION,
    X_ADMISSION_DATE,
    X_DISCHARGE_DATE,
    X_EPISODE_START_DATE,
    X_EPISODE_END_DATE,
    X_SPELL_HRG,
    /* OP and A&E */
    X_ATTENDANCE_ID,
    X_APPOINTMENT_DATE,
    X_FIRST_ATTENDANCE,
    X_ATTENDED_OR_DNA,
    X_REFERRAL_SOURCE,
    X_OP_HRG,
    X_ARRIVAL_DATE,
    X_AE_ATTENDANCE_CATEGORY,
    X_AE_HRG,
    /* both */
    X_TREATMENT_FUNCTION_CODE,
    X_PRIMARY_DIAGNOSIS,
    X_PRIMARY_PROCEDURE,
    X_NCOLS
} ExtractCol;

/* Column name as in the header (lower case). */
const char *extract_col_name(ExtractCol c);

/* Reject reason codes (R-I2), as written to rejects.csv. */
typedef enum {
    RJ_NONE = 0,
    RJ_BROKEN_QUOTING,
    RJ_FIELD_COUNT,
    RJ_MISSING_VALUE,
    RJ_INVALID_DATE,
    RJ_INVALID_CODE,
    RJ_INVALID_PROVIDER_CODE,
    RJ_INVALID_TREATMENT_FUNCTION,
    RJ_INVALID_EPISODE_NO,
    RJ_DISCHARGE_BEFORE_ADMISSION,
    RJ_COUNT
} RejectReason;

const char *reject_reason_name(RejectReason r);

/* One validated row.  Strings point into the reader; valid until the next read. */
typedef struct {
    Dataset dataset;
    gboolean deletion;           /* cds_update_type 1 */
    int64_t applicable;          /* seconds since the epoch */
    const char *v[X_NCOLS];      /* trimmed values; "" when blank or column absent */
    PbcDate date_of_birth, admission_date, discharge_date, appointment_date, arrival_date;
    int64_t episode_no;
    int64_t line;
} ExtractRow;

typedef struct Extract Extract;

/*
 * Opens path, reads its header and detects the dataset.  NULL with
 * PBC_ERROR_IO (unreadable) or PBC_ERROR_FORMAT (empty, no dataset, missing
 * required column) naming the file.
 */
Extract *extract_open(const char *path, GError **error);
void extract_free(Extract *x);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Extract, extract_free)

Dataset extract_dataset(const Extract *x);

/*
 * Reads and validates the next record.  Returns 1 with *reason RJ_NONE and
 * *row filled for an accepted row; 1 with *reason set (and *column the
 * offending column, or -1) for a rejected one; 0 at end of file; -1 with
 * error on a fatal read or gzip error (R-I6).
 */
int extract_next(Extract *x, ExtractRow *row, RejectReason *reason, int *column, GError **error);

/* The current record's raw text and starting line, for rejects. */
const char *extract_raw(const Extract *x, gsize *len);
int64_t extract_line(const Extract *x);
/* Raw value of a column in the current record ("" when absent). */
const char *extract_value(const Extract *x, ExtractCol c);

/*
 * The activity month key of the current record for data-quality counts: the
 * month of the discharge (else admission) date for APC, the appointment date
 * for OP, the arrival date for A&E; -1 when that date is blank or unparsable.
 */
int extract_activity_month(const Extract *x);

/* The same month for an accepted row, from the dates extract_next() parsed. */
int extract_row_month(const ExtractRow *r);

/* Provider code validity (R-I2): 3 or 5 upper-case letters or digits. */
gboolean extract_valid_provider(const char *s);

#endif
