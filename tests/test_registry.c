/*
 * test_registry.c: the registration index (registry.c): loading, the rows it
 * refuses and why, gzip and CSV dialects, extract order within a patient and
 * the sort at scale.
 */
#include "log.h"
#include "nhs.h"
#include "registry.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <glib/gstdio.h>
#include <zlib.h>
#include <unistd.h>

static char *tmpdir;

static void
setup(void)
{
    tmpdir = g_dir_make_tmp("test_registry-XXXXXX", NULL);
    cr_assert_not_null(tmpdir);
}

static void
teardown(void)
{
    GDir *d = g_dir_open(tmpdir, 0, NULL);
    const char *name;
    while (d && (name = g_dir_read_name(d)) != NULL) {
        g_autofree char *p = g_build_filename(tmpdir, name, NULL);
        g_unlink(p);
    }
    if (d)
        g_dir_close(d);
    g_rmdir(tmpdir);
    g_free(tmpdir);
}

TestSuite(registry, .init = setup, .fini = teardown);

#define HEADER "nhs_number,practice_code,registration_date,deregistration_date\n"

static char *
write_file(const char *name, const char *text, gsize len)
{
    char *path = g_build_filename(tmpdir, name, NULL);
    cr_assert(g_file_set_contents(path, text, (gssize)len, NULL));
    return path;
}

static Registry *
load_text(const char *text)
{
    g_autofree char *path = write_file("registrations.csv", text, strlen(text));
    GError *error = NULL;
    Registry *r = registry_load(path, &error);
    cr_assert_not_null(r, "load failed: %s", error ? error->message : "?");
    return r;
}

static PbcDate
d(int y, int m, int dd)
{
    return date_from_ymd(y, m, dd);
}

Test(registry, loads_a_patient_in_extract_order)
{
    /* Rows of one patient apart in the file come back together, in file order. */
    g_autoptr(Registry) r = load_text(HEADER "9434765919,A81001,2001-01-01,2003-06-30\n"
                                             "3417284996,B82001,2002-02-02,\n"
                                             "9434765919,A81002,01/07/2003,\n"
                                             "9434765919,A81001,19990101,20001231\n");
    cr_assert_eq(registry_rows_read(r), 4);
    cr_assert_eq(registry_rows(r), 4);
    cr_assert_eq(registry_patients(r), 2);
    cr_assert_eq(registry_practices(r), 3);
    cr_assert_eq(registry_rejected_total(r), 0);
    size_t first;
    size_t n = registry_find(r, 9434765919ULL, &first);
    cr_assert_eq(n, 3);
    Registration g;
    registry_get(r, first, &g);
    cr_assert_str_eq(g.practice_code, "A81001");
    cr_assert_eq(g.registration_date, d(2001, 1, 1));
    cr_assert_eq(g.deregistration_date, d(2003, 6, 30));
    cr_assert_eq(g.row, 1);
    registry_get(r, first + 1, &g);
    cr_assert_str_eq(g.practice_code, "A81002");
    cr_assert_eq(g.registration_date, d(2003, 7, 1));
    cr_assert_eq(g.deregistration_date, PBC_NO_DATE);
    cr_assert_eq(g.row, 3);
    registry_get(r, first + 2, &g);
    cr_assert_eq(g.registration_date, d(1999, 1, 1));
    cr_assert_eq(g.row, 4);

    n = registry_find(r, 3417284996ULL, &first);
    cr_assert_eq(n, 1);
    registry_get(r, first, &g);
    cr_assert_str_eq(g.practice_code, "B82001");
    cr_assert_eq(g.row, 2);

    /* Unknown numbers, below, between and above the ones held. */
    cr_assert_eq(registry_find(r, 1234567881ULL, &first), 0);
    cr_assert_eq(registry_find(r, 5390502108ULL, &first), 0);
    cr_assert_eq(registry_find(r, 9876543210ULL, &first), 0);
    cr_assert_gt(registry_memory(r), 0);
}

Test(registry, extreme_dates_pack_exactly)
{
    /* 0001-01-01 and 9999-12-31 are the ends of what date_parse accepts. */
    g_autoptr(Registry) r = load_text(HEADER "9434765919,A81001,0001-01-01,9999-12-31\n");
    size_t first;
    cr_assert_eq(registry_find(r, 9434765919ULL, &first), 1);
    Registration g;
    registry_get(r, first, &g);
    cr_assert_eq(g.registration_date, d(1, 1, 1));
    cr_assert_eq(g.deregistration_date, d(9999, 12, 31));
}

typedef struct {
    char row[96];
    int reason; /* RegistryReject, or -1 for a row that is used */
} RowCase;

ParameterizedTestParameters(registry, row_validation)
{
    static RowCase cases[] = {
        {"9434765919,A81001,2006-01-01,", -1},                    /* good, still registered */
        {"9434765919,A81001,2006-01-01,2006-01-01", -1},          /* same-day dereg: kept */
        {" 9434765919 , A81001 , 2006-01-01 , ", -1},             /* values trimmed */
        {"\"9434765919\",\"A81001\",\"2006-01-01\",\"\"", -1},    /* quoted */
        {"9434765918,A81001,2006-01-01,", REG_REJECT_INVALID_NHS_NUMBER}, /* check digit */
        {"1234567890,A81001,2006-01-01,", REG_REJECT_INVALID_NHS_NUMBER}, /* check digit 10 */
        {",A81001,2006-01-01,", REG_REJECT_INVALID_NHS_NUMBER},   /* blank */
        {"943476591,A81001,2006-01-01,", REG_REJECT_INVALID_NHS_NUMBER},  /* 9 digits */
        {"94347659190,A81001,2006-01-01,", REG_REJECT_INVALID_NHS_NUMBER}, /* 11 digits */
        {"943 476 5919,A81001,2006-01-01,", REG_REJECT_INVALID_NHS_NUMBER}, /* spaced */
        {"9434765919,,2006-01-01,", REG_REJECT_INVALID_PRACTICE_CODE},      /* blank */
        {"9434765919,A8100,2006-01-01,", REG_REJECT_INVALID_PRACTICE_CODE}, /* short */
        {"9434765919,a81001,2006-01-01,", REG_REJECT_INVALID_PRACTICE_CODE}, /* lower case */
        {"9434765919,A8100X,2006-01-01,", REG_REJECT_INVALID_PRACTICE_CODE},
        {"9434765919,A810011,2006-01-01,", REG_REJECT_INVALID_PRACTICE_CODE},
        {"9434765919,A81001,,", REG_REJECT_INVALID_REGISTRATION_DATE},      /* blank */
        {"9434765919,A81001,2006-02-30,", REG_REJECT_INVALID_REGISTRATION_DATE}, /* impossible */
        {"9434765919,A81001,1/2/2006,", REG_REJECT_INVALID_REGISTRATION_DATE},   /* format */
        {"9434765919,A81001,2006-01-01,2006-13-01", REG_REJECT_INVALID_DEREGISTRATION_DATE},
        {"9434765919,A81001,2006-01-01,soon", REG_REJECT_INVALID_DEREGISTRATION_DATE},
        {"9434765919,A81001,2006-01-02,2006-01-01",
         REG_REJECT_DEREGISTRATION_BEFORE_REGISTRATION},
        {"9434765919,A81001,2006-01-01", REG_REJECT_MALFORMED_RECORD},      /* 3 fields */
        {"9434765919,A81001,2006-01-01,,x", REG_REJECT_MALFORMED_RECORD},   /* 5 fields */
        {"9434765919,A81\"001,2006-01-01,", REG_REJECT_MALFORMED_RECORD},   /* stray quote */
    };
    return cr_make_param_array(RowCase, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(RowCase *c, registry, row_validation)
{
    /* The case's row sits between two good rows: line 3 of the file. */
    g_autofree char *text = g_strdup_printf(HEADER "3417284996,B82001,2000-01-01,\n%s\n"
                                                   "1234567881,C83001,2000-01-01,\n",
                                            c->row);
    g_autoptr(Registry) r = load_text(text);
    cr_assert_eq(registry_rows_read(r), 3, "%s", c->row);
    size_t first;
    if (c->reason < 0) {
        cr_assert_eq(registry_rejected_total(r), 0, "%s", c->row);
        cr_assert_eq(registry_find(r, 9434765919ULL, &first), 1, "%s", c->row);
        cr_assert_eq(registry_rows(r), 3);
    } else {
        cr_assert_eq(registry_rejected(r, (RegistryReject)c->reason), 1, "%s", c->row);
        cr_assert_eq(registry_rejected_total(r), 1, "%s", c->row);
        cr_assert_eq(registry_rows(r), 2, "%s", c->row);
        cr_assert_eq(registry_find(r, 9434765919ULL, &first), 0, "%s", c->row);
    }
    /* The good rows around it are intact. */
    cr_assert_eq(registry_find(r, 3417284996ULL, &first), 1);
    cr_assert_eq(registry_find(r, 1234567881ULL, &first), 1);
}

Test(registry, reject_names)
{
    cr_assert_str_eq(registry_reject_name(REG_REJECT_MALFORMED_RECORD), "MALFORMED_RECORD");
    cr_assert_str_eq(registry_reject_name(REG_REJECT_INVALID_NHS_NUMBER), "INVALID_NHS_NUMBER");
    cr_assert_str_eq(registry_reject_name(REG_REJECT_DEREGISTRATION_BEFORE_REGISTRATION),
                     "DEREGISTRATION_BEFORE_REGISTRATION");
}

Test(registry, dialects_bom_crlf_case_order_extra_columns)
{
    /* SPEC §3: BOM, CRLF, header names in any case and order, unknown columns ignored,
       a quoted field spanning lines in an ignored column, empty lines skipped. */
    const char *text = "\xEF\xBB\xBF" "Deregistration_Date,Note,PRACTICE_CODE,nhs_number,Registration_Date\r\n"
                       ",\"two\r\nlines\",A81001,9434765919,2006-01-01\r\n"
                       "\r\n"
                       "2006-12-31,,B82001,3417284996,2006-01-01\r\n"
                       "\n"
                       ",,C83001,1234567881,2006-01-01";  /* no final line end */
    g_autoptr(Registry) r = load_text(text);
    cr_assert_eq(registry_rows_read(r), 3);
    cr_assert_eq(registry_rows(r), 3);
    size_t first;
    Registration g;
    cr_assert_eq(registry_find(r, 3417284996ULL, &first), 1);
    registry_get(r, first, &g);
    cr_assert_str_eq(g.practice_code, "B82001");
    cr_assert_eq(g.deregistration_date, d(2006, 12, 31));
    cr_assert_eq(g.row, 2);
    cr_assert_eq(registry_find(r, 1234567881ULL, &first), 1);
}

Test(registry, deregistration_column_is_optional)
{
    g_autoptr(Registry) r = load_text("nhs_number,practice_code,registration_date\n"
                                      "9434765919,A81001,2006-01-01\n");
    size_t first;
    cr_assert_eq(registry_find(r, 9434765919ULL, &first), 1);
    Registration g;
    registry_get(r, first, &g);
    cr_assert_eq(g.deregistration_date, PBC_NO_DATE);
}

Test(registry, broken_quoting_rejects_the_record_and_reading_goes_on)
{
    /* A stray quote inside an unquoted field breaks RFC 4180 for that record only. */
    g_autoptr(Registry) r = load_text(HEADER "9434765919,A81001,2006-01-01,\n"
                                             "3417284996,B82\"001,2006-01-01,\n"
                                             "1234567881,C83001,2006-01-01,\n");
    cr_assert_eq(registry_rows_read(r), 3);
    cr_assert_eq(registry_rejected(r, REG_REJECT_MALFORMED_RECORD), 1);
    size_t first;
    cr_assert_eq(registry_find(r, 1234567881ULL, &first), 1);
    Registration g;
    registry_get(r, first, &g);
    cr_assert_eq(g.row, 3);
}

Test(registry, quote_left_open_swallows_the_rest_as_one_bad_record)
{
    /* An opening quote never closed runs to the end of the file: one record, rejected. */
    g_autoptr(Registry) r = load_text(HEADER "9434765919,A81001,2006-01-01,\n"
                                             "3417284996,\"B82001,2006-01-01,\n"
                                             "1234567881,C83001,2006-01-01,\n");
    cr_assert_eq(registry_rows_read(r), 2);
    cr_assert_eq(registry_rejected(r, REG_REJECT_MALFORMED_RECORD), 1);
    cr_assert_eq(registry_rows(r), 1);
}

/* Writes text gzip-compressed as `members` concatenated gzip members. */
static char *
write_gz(const char *name, const char *text, int members)
{
    char *path = g_build_filename(tmpdir, name, NULL);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    size_t len = strlen(text), per = len / (size_t)members + 1, off = 0;
    for (int m = 0; m < members && off < len; m++) {
        size_t n = MIN(per, len - off);
        uLongf cap = compressBound(n) + 64;
        g_autofree Bytef *out = g_malloc(cap);
        z_stream z = {0};
        cr_assert_eq(deflateInit2(&z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY), Z_OK);
        z.next_in = (Bytef *)text + off;
        z.avail_in = (uInt)n;
        z.next_out = out;
        z.avail_out = (uInt)cap;
        cr_assert_eq(deflate(&z, Z_FINISH), Z_STREAM_END);
        fwrite(out, 1, z.total_out, f);
        deflateEnd(&z);
        off += n;
    }
    fclose(f);
    return path;
}

Test(registry, gzip_with_several_members)
{
    g_autofree char *path = write_gz("registrations.csv.gz",
                                     HEADER "9434765919,A81001,2006-01-01,\n"
                                            "3417284996,B82001,2006-01-01,\n"
                                            "1234567881,C83001,2006-01-01,\n",
                                     3);
    GError *error = NULL;
    g_autoptr(Registry) r = registry_load(path, &error);
    cr_assert_not_null(r, "%s", error ? error->message : "");
    cr_assert_eq(registry_rows(r), 3);
    size_t first;
    cr_assert_eq(registry_find(r, 3417284996ULL, &first), 1);
}

Test(registry, truncated_gzip_is_fatal)
{
    g_autofree char *full = write_gz("full.csv.gz", HEADER "9434765919,A81001,2006-01-01,\n", 1);
    gsize len;
    g_autofree char *bytes = NULL;
    cr_assert(g_file_get_contents(full, &bytes, &len, NULL));
    g_autofree char *path = write_file("registrations.csv.gz", bytes, len - 6);
    GError *error = NULL;
    cr_assert_null(registry_load(path, &error));
    cr_assert_eq(error->code, PBC_ERROR_FORMAT);
    cr_assert(g_str_has_prefix(error->message, "could not read file \""), "%s", error->message);
    cr_assert(strstr(error->message, "gzip stream") != NULL, "%s", error->message);
    g_error_free(error);
}

typedef struct {
    char text[96];
    int code;
    char message[96];
} FatalCase;

ParameterizedTestParameters(registry, fatal_files)
{
    static FatalCase cases[] = {
        {"nhs_number,registration_date\n9434765919,2006-01-01\n", PBC_ERROR_FORMAT,
         "file \"DIR/registrations.csv\": missing required column \"practice_code\""},
        {"", PBC_ERROR_FORMAT, "file \"DIR/registrations.csv\" is empty: no header row"},
        {"\n\n", PBC_ERROR_FORMAT, "file \"DIR/registrations.csv\" is empty: no header row"},
        {"nhs_number,\"practice_code\n", PBC_ERROR_FORMAT,
         "file \"DIR/registrations.csv\": broken quoting in the header row"},
    };
    return cr_make_param_array(FatalCase, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(FatalCase *c, registry, fatal_files)
{
    g_autofree char *path = write_file("registrations.csv", c->text, strlen(c->text));
    GError *error = NULL;
    cr_assert_null(registry_load(path, &error));
    cr_assert_eq(error->code, c->code);
    g_auto(GStrv) parts = g_strsplit(error->message, tmpdir, -1);
    g_autofree char *msg = g_strjoinv("DIR", parts);
    cr_assert_str_eq(msg, c->message);
    g_error_free(error);
}

Test(registry, missing_file)
{
    g_autofree char *path = g_build_filename(tmpdir, "registrations.csv", NULL);
    GError *error = NULL;
    cr_assert_null(registry_load(path, &error));
    cr_assert_eq(error->code, PBC_ERROR_IO);
    g_autofree char *want =
        g_strdup_printf("could not open file \"%s\": No such file or directory", path);
    cr_assert_str_eq(error->message, want);
    g_error_free(error);
}

Test(registry, path_prefers_gzip)
{
    g_autofree char *plain = g_build_filename(tmpdir, "registrations.csv", NULL);
    g_autofree char *gz = g_build_filename(tmpdir, "registrations.csv.gz", NULL);
    g_autofree char *p1 = registry_path(tmpdir);
    cr_assert_str_eq(p1, plain); /* neither exists: the plain name, for the error */
    g_file_set_contents(gz, "", 0, NULL);
    g_autofree char *p2 = registry_path(tmpdir);
    cr_assert_str_eq(p2, gz);
}

Test(registry, nhs_key)
{
    uint64_t k;
    cr_assert(registry_nhs_key("9434765919", &k));
    cr_assert_eq(k, 9434765919ULL);
    cr_assert(registry_nhs_key("9876543210", &k));
    cr_assert_eq(k, 9876543210ULL);
    cr_assert_not(registry_nhs_key("9434765918", &k));
    cr_assert_not(registry_nhs_key("1234567890", &k));
    cr_assert_not(registry_nhs_key("", &k));
    cr_assert_not(registry_nhs_key(NULL, &k));
    cr_assert_not(registry_nhs_key("94347659190", &k));
}

Test(registry, empty_index)
{
    g_autoptr(Registry) r = registry_new_empty();
    size_t first;
    cr_assert_eq(registry_find(r, 9434765919ULL, &first), 0);
    cr_assert_eq(registry_rows(r), 0);
}

/* The check digit of a nine-digit prefix, or -1 when it would be 10 (no valid number). */
static int
check_digit(uint64_t prefix)
{
    int sum = 0;
    for (int w = 2; w <= 10; w++, prefix /= 10)
        sum += (int)(prefix % 10) * w;
    int c = 11 - sum % 11;
    return c == 11 ? 0 : c == 10 ? -1 : c;
}

Test(registry, sorts_a_large_shuffled_extract)
{
    /* 150,000 rows (over the threaded-sort threshold) for 50,000 patients, three rows each,
       the patients' rows spread over the file in descending NHS-number order. */
    GString *s = g_string_new(HEADER);
    GArray *nums = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    for (uint64_t p = 999999999; nums->len < 50000; p -= 7919) {
        int c = check_digit(p);
        if (c < 0)
            continue;
        uint64_t n = p * 10 + (uint64_t)c;
        g_array_append_val(nums, n);
    }
    for (int k = 0; k < 3; k++)
        for (guint i = 0; i < nums->len; i++)
            g_string_append_printf(s, "%010" G_GUINT64_FORMAT ",A%05u,%04d-01-01,\n",
                                   g_array_index(nums, uint64_t, i), (i + (guint)k) % 1000,
                                   2000 + k);
    g_autoptr(Registry) r = load_text(s->str);
    g_string_free(s, TRUE);
    cr_assert_eq(registry_rows(r), 150000);
    cr_assert_eq(registry_patients(r), 50000);
    for (guint i = 0; i < nums->len; i += 997) {
        uint64_t n = g_array_index(nums, uint64_t, i);
        size_t first;
        cr_assert_eq(registry_find(r, n, &first), 3);
        for (int k = 0; k < 3; k++) {
            Registration g;
            registry_get(r, first + (size_t)k, &g);
            /* Extract order: the k-th row of the patient is the k-th block of the file. */
            cr_assert_eq(g.row, (uint64_t)k * 50000 + i + 1);
            cr_assert_eq(g.registration_date, d(2000 + k, 1, 1));
        }
    }
    g_array_free(nums, TRUE);
}

/* A text dump of everything the index says about the file, for comparisons. */
static char *
dump(const Registry *r)
{
    static const uint64_t nums[] = {9434765919ULL, 3417284996ULL, 1234567881ULL,
                                    9876543210ULL, 5390502108ULL, 2788584652ULL};
    GString *s = g_string_new(NULL);
    g_string_append_printf(s, "read %" G_GUINT64_FORMAT " used %" G_GUINT64_FORMAT
                              " patients %" G_GUINT64_FORMAT "\n",
                           registry_rows_read(r), registry_rows(r), registry_patients(r));
    for (int k = 0; k < REG_REJECT_COUNT; k++)
        g_string_append_printf(s, "%s %" G_GUINT64_FORMAT " first line %" G_GINT64_FORMAT "\n",
                               registry_reject_name((RegistryReject)k),
                               registry_rejected(r, (RegistryReject)k),
                               registry_rejected_first_line(r, (RegistryReject)k));
    for (size_t k = 0; k < G_N_ELEMENTS(nums); k++) {
        size_t first, n = registry_find(r, nums[k], &first);
        for (size_t i = first; i < first + n; i++) {
            Registration g;
            registry_get(r, i, &g);
            g_string_append_printf(s, "%" G_GUINT64_FORMAT " %s %d %d row %" G_GUINT64_FORMAT "\n",
                                   nums[k], g.practice_code, g.registration_date,
                                   g.deregistration_date, g.row);
        }
    }
    return g_string_free(s, FALSE);
}

/* Quotes, line breaks in quotes, broken records and empty lines, for the segment test. */
static const char tricky[] =
    "\xEF\xBB\xBF" "nhs_number,note,practice_code,registration_date,deregistration_date\r\n"
    "9434765919,\"a, b\",A81001,2001-01-01,2003-06-30\r\n"                     /* line 2 */
    "3417284996,\"two\nlines \"\"quoted\"\"\nthree\",B82001,2002-02-02,\r\n"   /* lines 3-5 */
    "\r\n"                                                                     /* 6: empty */
    "1234567881,  \"spaced\"  ,C83001,2003-03-03,\n"                           /* 7 */
    "9876543210,bad\"quote,A81001,2004-04-04,\n"                               /* 8: broken */
    "9876543210,\"after\"x,A81001,2004-04-04,\n"                               /* 9: broken */
    "9876543210,,A81002,2004-04-04,\n"                                         /* 10 */
    "5390502108,,A81003,2005-05-05,2005-05-04\n"                               /* 11: dereg < reg */
    "9434765918,,A81003,2005-05-05,\n"                                         /* 12: bad NHS */
    ",\n"                                                                      /* 13: 2 fields */
    "2788584652,\"\"\"\",A81004,20060606,\n"                                   /* 14 */
    "9434765919,\"x\ny\",A81002,03/07/2003,\n"                                 /* 15-16 */
    "2788584652,,a81004,2006-06-06,\n"                                         /* 17: lower case */
    "\n"                                                                       /* 18 */
    "3417284996,,B82002,2002-02-03,2002-02-04\n"                               /* 19 */
    "5390502108,\"a\" ,A81005,2005-05-05,\n"                                   /* 20: space after */
    "5390502108,\"abc\" \"def\",A81006,2005-05-05,\n"                          /* 21: broken */
    "5390502108,\"x\"\"\"\n"                          /* 22: the field is x" and ends here: 2 fields */
    "\"\"\",A81007,2005-05-06,\n"                      /* 23: opens a quoted field ... */
    "5390502108,\"\"\"\",\"\",A81008,2005-05-07,\n"     /* 24: ... still open ... */
    "1234567881,\"open quote,C83001,2007-07-07,\n"  /* 25: ... closed by '1234567881,"' and
                                                        'o' after it breaks the record */
    "9434765919,,A81009,2009-09-09,\n";             /* 26 */

Test(registry, segments_anywhere_give_the_same_index)
{
    /* The loader cuts the file into segments at record boundaries and parses them on two
       threads; whatever the segment size, the result is the sequential parse's. */
    g_autofree char *path = write_file("registrations.csv", tricky, sizeof tricky - 1);
    GError *error = NULL;
    g_unsetenv("PBC_REGISTRY_SEGMENT");
    g_autoptr(Registry) whole = registry_load(path, &error);
    cr_assert_not_null(whole, "%s", error ? error->message : "");
    g_autofree char *want = dump(whole);
    /* Worked out by hand from the comments above. */
    cr_assert_eq(registry_rows_read(whole), 18);
    cr_assert_eq(registry_rows(whole), 9);
    /* lines 8, 9, 13, 21, 22 and 23-25 */
    cr_assert_eq(registry_rejected(whole, REG_REJECT_MALFORMED_RECORD), 6);
    cr_assert_eq(registry_rejected_first_line(whole, REG_REJECT_MALFORMED_RECORD), 8);
    cr_assert_eq(registry_rejected_first_line(whole, REG_REJECT_DEREGISTRATION_BEFORE_REGISTRATION), 11);
    cr_assert_eq(registry_rejected_first_line(whole, REG_REJECT_INVALID_NHS_NUMBER), 12);
    cr_assert_eq(registry_rejected_first_line(whole, REG_REJECT_INVALID_PRACTICE_CODE), 17);
    size_t first;
    cr_assert_eq(registry_find(whole, 9434765919ULL, &first), 3);
    Registration g;
    registry_get(whole, first + 1, &g);
    cr_assert_str_eq(g.practice_code, "A81002");
    cr_assert_eq(g.row, 11);
    registry_get(whole, first + 2, &g);
    cr_assert_str_eq(g.practice_code, "A81009");
    cr_assert_eq(g.row, 18);
    cr_assert_eq(registry_find(whole, 5390502108ULL, &first), 1); /* line 20: "a" then a space */
    for (int size = 1; size <= 160; size += (size < 40 ? 1 : 7)) {
        char buf[16];
        g_snprintf(buf, sizeof buf, "%d", size);
        g_setenv("PBC_REGISTRY_SEGMENT", buf, TRUE);
        g_autoptr(Registry) r = registry_load(path, &error);
        cr_assert_not_null(r, "%s", error ? error->message : "");
        g_autofree char *got = dump(r);
        cr_assert_str_eq(got, want, "segment size %d", size);
    }
    g_unsetenv("PBC_REGISTRY_SEGMENT");
}

Test(registry, many_segments_keep_extract_order_and_lines)
{
    /* 3,000 rows in segments of ~100 bytes: rows of one patient spread over segments
       come back in file order with their record numbers; a bad row's line is exact. */
    GString *s = g_string_new(HEADER);
    for (int i = 0; i < 3000; i++) {
        const char *nhs = i % 3 == 0 ? "9434765919" : i % 3 == 1 ? "3417284996" : "1234567881";
        if (i == 2500)
            nhs = "9434765918"; /* line 2502 */
        g_string_append_printf(s, "%s,A%05d,2006-01-01,\n", nhs, i);
    }
    g_autofree char *path = write_file("registrations.csv", s->str, s->len);
    g_string_free(s, TRUE);
    g_setenv("PBC_REGISTRY_SEGMENT", "100", TRUE);
    GError *error = NULL;
    g_autoptr(Registry) r = registry_load(path, &error);
    cr_assert_not_null(r);
    cr_assert_eq(registry_rows(r), 2999);
    cr_assert_eq(registry_rejected_first_line(r, REG_REJECT_INVALID_NHS_NUMBER), 2502);
    size_t first, n = registry_find(r, 9434765919ULL, &first);
    cr_assert_eq(n, 1000);
    for (size_t k = 0; k < n; k++) {
        Registration g;
        registry_get(r, first + k, &g);
        cr_assert_eq(g.row, 3 * k + 1);
        char code[8];
        g_snprintf(code, sizeof code, "A%05d", (int)(3 * k));
        cr_assert_str_eq(g.practice_code, code);
    }
    g_unsetenv("PBC_REGISTRY_SEGMENT");
}

Test(registry, nhs_key_agrees_with_nhs_number_valid)
{
    /* The loader's own check digit code must say what nhs.c says, number for number. */
    for (uint64_t v = 9434700000ULL; v < 9434800000ULL; v += 7) {
        char s[16];
        g_snprintf(s, sizeof s, "%010" G_GUINT64_FORMAT, v);
        uint64_t k = 0;
        gboolean ok = registry_nhs_key(s, &k);
        cr_assert_eq(ok, nhs_number_valid(s), "%s", s);
        if (ok)
            cr_assert_eq(k, v);
    }
}

Test(registry, header_only_file_is_an_empty_index)
{
    /* No rows at all: every valid NHS number is then NOT_REGISTERED (R-A4). */
    g_autoptr(Registry) r = load_text(HEADER);
    cr_assert_eq(registry_rows_read(r), 0);
    cr_assert_eq(registry_rows(r), 0);
    cr_assert_eq(registry_patients(r), 0);
    size_t first;
    cr_assert_eq(registry_find(r, 9434765919ULL, &first), 0);
    cr_assert_eq(registry_find(r, 0, &first), 0);
}

Test(registry, random_quoting_segments_match_the_sequential_parse)
{
    /* A differential check with a fixed seed: 100 files of random rows built from good
       values and quoting hazards (quotes, "" escapes, line breaks in quotes, stray quotes,
       CR), each loaded whole and in segments of 1, 3, 7, 16 and 64 bytes. */
    static const char *const pieces[] = {
        "9434765919", "3417284996", "1234567881", "A81001", "B82002", "2006-01-01",
        "20060202",   "",           "\"\"",       "\"a,b\"", "\"x\ny\"", "a\"b",
        "\"q\"\"q\"", "\"\"\"\"",   "\"open",     " \"s\" ", "\"e\"x",  "2006-02-30",
        "\"c\" \"d",   "x\ry",       "\t\"t\"\t",  "\"m\nn\"\"\no\"",
    };
    GRand *rng = g_rand_new_with_seed(20061);
    g_autofree char *path = g_build_filename(tmpdir, "registrations.csv", NULL);
    for (int file = 0; file < 100; file++) {
        GString *s = g_string_new(HEADER);
        int rows = g_rand_int_range(rng, 1, 30);
        for (int r = 0; r < rows; r++) {
            int fields = g_rand_int_range(rng, 3, 6);
            for (int f = 0; f < fields; f++) {
                if (f)
                    g_string_append_c(s, ',');
                int k = g_rand_int_range(rng, 0, 10) < 7 && f < 4
                            ? (f == 0 ? g_rand_int_range(rng, 0, 3)
                                      : f == 1 ? g_rand_int_range(rng, 3, 5)
                                               : g_rand_int_range(rng, 5, 8))
                            : g_rand_int_range(rng, 0, (int)G_N_ELEMENTS(pieces));
                g_string_append(s, pieces[k]);
            }
            g_string_append(s, g_rand_int_range(rng, 0, 5) == 0 ? "\r\n" : "\n");
        }
        cr_assert(g_file_set_contents(path, s->str, (gssize)s->len, NULL));
        GError *error = NULL;
        g_unsetenv("PBC_REGISTRY_SEGMENT");
        g_autoptr(Registry) whole = registry_load(path, &error);
        cr_assert_not_null(whole, "%s", error ? error->message : "");
        g_autofree char *want = dump(whole);
        static const char *const sizes[] = {"1", "3", "7", "16", "64"};
        for (size_t z = 0; z < G_N_ELEMENTS(sizes); z++) {
            g_setenv("PBC_REGISTRY_SEGMENT", sizes[z], TRUE);
            g_autoptr(Registry) r = registry_load(path, &error);
            cr_assert_not_null(r, "%s", error ? error->message : "");
            g_autofree char *got = dump(r);
            cr_assert_str_eq(got, want, "file %d, segment %s:\n%s", file, sizes[z], s->str);
        }
        g_string_free(s, TRUE);
    }
    g_unsetenv("PBC_REGISTRY_SEGMENT");
    g_rand_free(rng);
}

/* ---- the index file (registry_save(), registry_load_index()) ---- */

/* Saves the tricky file's index and returns the paths. */
static Registry *
saved_tricky(char **src, char **idx)
{
    *src = write_file("registrations.csv", tricky, sizeof tricky - 1);
    *idx = g_build_filename(tmpdir, "registrations.idx", NULL);
    GError *error = NULL;
    g_unsetenv("PBC_REGISTRY_SEGMENT");
    Registry *r = registry_load(*src, &error);
    cr_assert_not_null(r, "%s", error ? error->message : "");
    cr_assert(registry_save(r, *idx, &error), "%s", error ? error->message : "");
    return r;
}

/* R-A1, R-A2 read a patient's registrations in extract order: an index file must give
   exactly the rows, order and row numbers that loading the registrations gives. */
Test(registry, index_file_answers_as_the_registrations_do)
{
    g_autofree char *src = NULL, *idx = NULL;
    g_autoptr(Registry) loaded = saved_tricky(&src, &idx);
    GStatBuf st;
    cr_assert_eq(g_stat(idx, &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0600, "patient data: owner only");
    GError *error = NULL;
    g_autoptr(Registry) read = registry_load_index(idx, src, &error);
    cr_assert_not_null(read, "%s", error ? error->message : "");
    g_autofree char *want = dump(loaded);
    g_autofree char *got = dump(read);
    cr_assert_str_eq(got, want);
    cr_assert_eq(registry_practices(read), registry_practices(loaded));
    cr_assert_eq(registry_memory(read), registry_memory(loaded));
    /* Every record, not only the dumped patients. */
    for (size_t i = 0; i < registry_rows(loaded); i++) {
        Registration a, b;
        registry_get(loaded, i, &a);
        registry_get(read, i, &b);
        cr_assert_str_eq(a.practice_code, b.practice_code);
        cr_assert_eq(a.registration_date, b.registration_date);
        cr_assert_eq(a.deregistration_date, b.deregistration_date);
        cr_assert_eq(a.row, b.row);
    }
}

Test(registry, index_file_of_an_empty_extract)
{
    g_autofree char *src = write_file("registrations.csv", HEADER, strlen(HEADER));
    g_autofree char *idx = g_build_filename(tmpdir, "registrations.idx", NULL);
    GError *error = NULL;
    g_autoptr(Registry) r = registry_load(src, &error);
    cr_assert_not_null(r);
    cr_assert(registry_save(r, idx, &error));
    g_autoptr(Registry) back = registry_load_index(idx, src, &error);
    cr_assert_not_null(back, "%s", error ? error->message : "");
    cr_assert_eq(registry_rows(back), 0);
    size_t first;
    cr_assert_eq(registry_find(back, 9434765919ULL, &first), 0);
}

Test(registry, index_file_is_stale_once_the_registrations_change)
{
    g_autofree char *src = NULL, *idx = NULL;
    g_autoptr(Registry) loaded = saved_tricky(&src, &idx);
    /* The same bytes written again (a new copy of the extract): new times, refused. */
    g_usleep(20000);
    cr_assert(g_file_set_contents(src, tricky, sizeof tricky - 1, NULL));
    GError *error = NULL;
    cr_assert_null(registry_load_index(idx, src, &error));
    cr_assert_eq(error->code, PBC_ERROR_FORMAT);
    g_autofree char *want = g_strdup_printf("registration index \"%s\" was made from another "
                                            "version of the registrations: it is stale", idx);
    cr_assert_str_eq(error->message, want);
    g_clear_error(&error);
    /* Registrations gone: the error names them. */
    cr_assert_eq(g_unlink(src), 0);
    cr_assert_null(registry_load_index(idx, src, &error));
    cr_assert_eq(error->code, PBC_ERROR_IO);
    cr_assert(strstr(error->message, src) != NULL, "%s", error->message);
    g_clear_error(&error);
}

Test(registry, index_file_names_the_registrations_as_they_were_read)
{
    /* The registrations are replaced while (nationally: for many seconds) they are
       loaded: the index saved afterwards holds the old rows, so it must name the old
       version and be stale against the new one. */
    g_autofree char *src = write_file("registrations.csv", tricky, sizeof tricky - 1);
    g_autofree char *idx = g_build_filename(tmpdir, "registrations.idx", NULL);
    GError *error = NULL;
    g_unsetenv("PBC_REGISTRY_SEGMENT");
    g_autoptr(Registry) r = registry_load(src, &error);
    cr_assert_not_null(r, "%s", error ? error->message : "");
    g_usleep(20000);
    cr_assert(g_file_set_contents(src, HEADER "9434765919,A81001,2001-01-01,\n", -1, NULL));
    cr_assert(registry_save(r, idx, &error), "%s", error ? error->message : "");
    cr_assert_null(registry_load_index(idx, src, &error));
    cr_assert(strstr(error->message, "it is stale") != NULL, "%s", error->message);
    g_clear_error(&error);
}

/* Overwrites len bytes at offset off of path (from the end when off < 0). */
static void
patch(const char *path, long off, const void *bytes, size_t len)
{
    FILE *f = fopen(path, "r+b");
    cr_assert_not_null(f);
    cr_assert_eq(fseek(f, off, off < 0 ? SEEK_END : SEEK_SET), 0);
    cr_assert_eq(fwrite(bytes, 1, len, f), len);
    fclose(f);
}

Test(registry, damaged_index_files_are_refused)
{
    g_autofree char *src = NULL, *idx = NULL;
    g_autoptr(Registry) loaded = saved_tricky(&src, &idx);
    g_autofree char *good = NULL;
    gsize good_len;
    cr_assert(g_file_get_contents(idx, &good, &good_len, NULL));
    struct {
        long off;        /* where to damage (from the end when negative), or truncate */
        const char *bytes;
        size_t len;
        gboolean truncate;
        const char *why;
    } cases[] = {
        {0, "PBCUNITS2", 9, FALSE, "is not an index file of this version"},
        {0, "", 0, TRUE, "is not an index file of this version"},
        {-3, "", 0, TRUE, "is damaged: its size does not match"},
        /* the last record's practice index (top bits of its last byte, little-endian) */
        {-1, "\xff", 1, FALSE, "is damaged: its records are out of order or out of range"},
        /* the last record's key made 0: out of order */
        {-16, "\0\0\0\0\0\0\0\0", 8, FALSE,
         "is damaged: its records are out of order or out of range"},
    };
    for (size_t k = 0; k < G_N_ELEMENTS(cases); k++) {
        cr_assert(g_file_set_contents(idx, good, (gssize)good_len, NULL));
        /* g_file_set_contents() replaces the file: the identity of src is unchanged. */
        if (cases[k].truncate)
            cr_assert_eq(truncate(idx, cases[k].off < 0 ? (off_t)good_len + cases[k].off : 0), 0);
        else
            patch(idx, cases[k].off, cases[k].bytes, cases[k].len);
        GError *error = NULL;
        cr_assert_null(registry_load_index(idx, src, &error), "case %zu", k);
        g_autofree char *want = g_strdup_printf("registration index \"%s\" %s", idx, cases[k].why);
        cr_assert_str_eq(error->message, want, "case %zu", k);
        g_clear_error(&error);
    }
    /* A file that is no index at all, and none. */
    GError *error = NULL;
    cr_assert_null(registry_load_index(src, src, &error));
    cr_assert(strstr(error->message, "is not an index file") != NULL, "%s", error->message);
    g_clear_error(&error);
    g_autofree char *none = g_build_filename(tmpdir, "none.idx", NULL);
    cr_assert_null(registry_load_index(none, src, &error));
    cr_assert_eq(error->code, PBC_ERROR_IO);
    g_clear_error(&error);
}

Test(registry, prefetch_changes_no_answer)
{
    g_autofree char *src = NULL, *idx = NULL;
    g_autoptr(Registry) r = saved_tricky(&src, &idx);
    g_autoptr(Registry) empty = registry_new_empty();
    static const uint64_t nums[] = {9434765919ULL, 3417284996ULL, 0, 9999999999ULL, UINT64_MAX};
    for (size_t k = 0; k < G_N_ELEMENTS(nums); k++) {
        size_t first, n0 = registry_find(r, nums[k], &first);
        registry_prefetch(r, nums[k], 0);
        registry_prefetch(r, nums[k], 1);
        registry_prefetch(empty, nums[k], 0);
        registry_prefetch(empty, nums[k], 1);
        size_t again;
        cr_assert_eq(registry_find(r, nums[k], &again), n0);
        cr_assert_eq(again, first);
    }
}
