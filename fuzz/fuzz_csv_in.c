/*
 * fuzz_csv_in.c: the CSV + gzip reader (lib/csv_in.c), the one way every
 * stage reads CSV (SPEC §3: RFC 4180, BOM, CRLF, gzip with several members).
 *
 * The input is the whole file as it would sit on disk, plain or gzip (the
 * seeds include both).  The harness reads the header, then every record,
 * touching every accessor, and checks what csv_in.h promises: records start
 * on increasing physical lines, fields are trimmed, field lengths cover the
 * NUL-terminated text, and an error is only ever reported with a message.
 */
#include "fuzz.h"

#include "csv_in.h"

static const char *const some_columns[] = {"cds_unique_id", "provider_code", "nhs_number", NULL};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_init();
    char path[64];
    int fd = fuzz_memfd(data, size, path);
    GError *error = NULL;
    CsvIn *in = csv_in_open(path, &error);
    FUZZ_CHECK(in != NULL);
    if (csv_in_read_header(in, &error)) {
        guint n = csv_in_header_count(in);
        for (guint i = 0; i < n; i++) {
            const char *name = csv_in_field(in, (int)i);
            /* The first column of a name is the one found (case-insensitive). */
            int c = csv_in_column(in, name);
            FUZZ_CHECK(c >= 0 && (guint)c <= i);
        }
        int idx[3];
        if (!csv_in_require(in, some_columns, idx, &error)) {
            FUZZ_CHECK(error != NULL && error->domain == PBC_ERROR);
            g_clear_error(&error);
        }
    } else {
        FUZZ_CHECK(error != NULL && error->message != NULL);
        g_clear_error(&error);
    }
    int64_t last_line = 0;
    int rc;
    while ((rc = csv_in_next(in, &error)) > 0) {
        int64_t line = csv_in_line(in);
        FUZZ_CHECK(line > last_line);
        last_line = line;
        gsize raw_len;
        const char *raw = csv_in_raw(in, &raw_len);
        FUZZ_CHECK(raw != NULL);
        /* The final line end is dropped; one inside an open quote is not final. */
        if (raw_len > 0 && !csv_in_broken(in))
            FUZZ_CHECK(raw[raw_len - 1] != '\n');
        (void)csv_in_offset(in);
        guint count = csv_in_count(in);
        for (int i = -1; i <= (int)count; i++) {
            const char *f = csv_in_field(in, i);
            gsize len = csv_in_field_len(in, i);
            FUZZ_CHECK(f != NULL);
            FUZZ_CHECK(strlen(f) <= len);
            FUZZ_CHECK(f[len] == '\0');
            if (len > 0 && strlen(f) == len) {
                FUZZ_CHECK(f[0] != ' ' && f[0] != '\t');
                FUZZ_CHECK(f[len - 1] != ' ' && f[len - 1] != '\t');
            }
        }
    }
    if (rc < 0) {
        FUZZ_CHECK_LOAD_ERROR(error, path);
    }
    FUZZ_CHECK(error == NULL);
    csv_in_free(in);
    close(fd);
    return 0;
}
