/*
 * fuzz_extract.c: the activity row parser (lib/extract.c, R-I2 and R-I6).
 *
 * The first input byte chooses the file: 0, 1 or 2 prepend a full APC, OP
 * or A&E header (every column of SPEC §3.1) to the rest, so the fuzzer
 * spends its time on rows; anything else makes the rest the whole file,
 * header included, to reach dataset detection and the missing-column
 * errors.  Every record is read with extract_next(), and for an accepted
 * row the harness re-checks the R-I2 promises it relies on downstream:
 * required values present, provider code well formed, episode number
 * positive, discharge not before admission, parsed dates matching the text.
 */
#include "fuzz.h"

#include "date.h"
#include "extract.h"

static const char common[] =
    "cds_unique_id,cds_update_type,cds_applicable_datetime,provider_code,commissioner_code,"
    "nhs_number,date_of_birth,sex,postcode,gp_practice_code,";
static const char *const headers[3] = {
    ("hospital_spell_no,episode_no,admission_method,patient_classification,admission_date,"
     "discharge_date,episode_start_date,episode_end_date,treatment_function_code,"
     "primary_diagnosis,primary_procedure,spell_hrg\n"),
    ("attendance_id,appointment_date,first_attendance,attended_or_dna,treatment_function_code,"
     "referral_source,op_hrg\n"),
    "attendance_id,arrival_date,ae_attendance_category,ae_hrg\n",
};

/* A parsed date column agrees with its text (blank = PBC_NO_DATE). */
static void
check_date(const ExtractRow *row, ExtractCol c, PbcDate parsed)
{
    const char *s = row->v[c];
    if (s[0] == '\0') {
        FUZZ_CHECK(parsed == PBC_NO_DATE);
        return;
    }
    PbcDate d;
    FUZZ_CHECK(date_parse(s, &d));
    FUZZ_CHECK(d == parsed);
}

static void
check_accepted(const Extract *x, const ExtractRow *row)
{
    Dataset ds = extract_dataset(x);
    FUZZ_CHECK(row->dataset == ds);
    FUZZ_CHECK(row->v[X_CDS_UNIQUE_ID][0] != '\0');
    FUZZ_CHECK(strcmp(row->v[X_CDS_UPDATE_TYPE], "9") == 0
               || strcmp(row->v[X_CDS_UPDATE_TYPE], "1") == 0);
    FUZZ_CHECK(row->deletion == (strcmp(row->v[X_CDS_UPDATE_TYPE], "1") == 0));
    FUZZ_CHECK(extract_valid_provider(row->v[X_PROVIDER_CODE]));
    int64_t secs;
    FUZZ_CHECK(datetime_parse(row->v[X_CDS_APPLICABLE_DATETIME], &secs) && secs == row->applicable);
    check_date(row, X_DATE_OF_BIRTH, row->date_of_birth);
    const char *tfc = row->v[X_TREATMENT_FUNCTION_CODE];
    if (tfc[0] != '\0')
        FUZZ_CHECK(strlen(tfc) == 3 && g_ascii_isdigit(tfc[0]) && g_ascii_isdigit(tfc[1])
                   && g_ascii_isdigit(tfc[2]));
    switch (ds) {
    case DS_APC:
        FUZZ_CHECK(row->v[X_HOSPITAL_SPELL_NO][0] != '\0');
        FUZZ_CHECK(row->episode_no > 0);
        FUZZ_CHECK(row->admission_date != PBC_NO_DATE);
        check_date(row, X_ADMISSION_DATE, row->admission_date);
        check_date(row, X_DISCHARGE_DATE, row->discharge_date);
        if (row->discharge_date != PBC_NO_DATE)
            FUZZ_CHECK(row->discharge_date >= row->admission_date);
        break;
    case DS_OP:
        FUZZ_CHECK(row->v[X_ATTENDANCE_ID][0] != '\0');
        FUZZ_CHECK(tfc[0] != '\0');
        FUZZ_CHECK(row->appointment_date != PBC_NO_DATE);
        check_date(row, X_APPOINTMENT_DATE, row->appointment_date);
        break;
    case DS_AE:
    default:
        FUZZ_CHECK(row->v[X_ATTENDANCE_ID][0] != '\0');
        FUZZ_CHECK(row->arrival_date != PBC_NO_DATE);
        check_date(row, X_ARRIVAL_DATE, row->arrival_date);
        break;
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_init();
    if (size == 0)
        return 0;
    GString *file = g_string_new(NULL);
    if (data[0] < 3) {
        g_string_append(file, common);
        g_string_append(file, headers[data[0]]);
    }
    g_string_append_len(file, (const char *)data + 1, (gssize)size - 1);
    char path[64];
    int fd = fuzz_memfd(file->str, file->len, path);
    g_string_free(file, TRUE);

    GError *error = NULL;
    Extract *x = extract_open(path, &error);
    if (x == NULL) {
        FUZZ_CHECK_LOAD_ERROR(error, path);
        close(fd);
        return 0;
    }
    if (data[0] < 3)
        FUZZ_CHECK(extract_dataset(x) == (Dataset)data[0]);
    ExtractRow row;
    RejectReason reason;
    int column, rc;
    int64_t last_line = 0;
    while ((rc = extract_next(x, &row, &reason, &column, &error)) > 0) {
        FUZZ_CHECK(extract_line(x) > last_line);
        last_line = extract_line(x);
        FUZZ_CHECK(reason >= RJ_NONE && reason < RJ_COUNT);
        FUZZ_CHECK(reject_reason_name(reason) != NULL);
        gsize len;
        FUZZ_CHECK(extract_raw(x, &len) != NULL);
        int month = extract_activity_month(x);
        FUZZ_CHECK(month >= -1);
        for (int c = 0; c < X_NCOLS; c++)
            FUZZ_CHECK(extract_value(x, (ExtractCol)c) != NULL);
        if (reason == RJ_NONE) {
            FUZZ_CHECK(column == -1);
            check_accepted(x, &row);
        } else if (column >= 0) {
            FUZZ_CHECK(column < X_NCOLS);
            FUZZ_CHECK(extract_col_name((ExtractCol)column) != NULL);
        }
    }
    if (rc < 0) {
        FUZZ_CHECK(error != NULL && error->domain == PBC_ERROR);
        g_clear_error(&error);
    }
    extract_free(x);
    close(fd);
    return 0;
}
