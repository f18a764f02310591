/*
 * fuzz_units.c: the intermediate unit reader (lib/unit.c, docs/formats.md),
 * both encodings: the binary form (magic line, length-prefixed records) and
 * the CSV form with the unit header.  Each stage after ingest trusts this
 * reader with a file the previous stage wrote; a truncated or corrupt file
 * (a full disk, a stage killed before the rename was bypassed, a file
 * copied by hand) must be a clean error naming the file, never a crash, an
 * out-of-bounds read or an allocation sized by a corrupt length.
 *
 * An input starting with 'B' or 'C' is the binary form, PBCUNITS1 or the
 * current PBCUNITS2 (the magic line is put in front of the rest; version 2
 * adds one-byte lengths and "same as the previous record" tags); anything
 * else is taken as the whole file.
 */
#include "fuzz.h"

#include "unit.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_init();
    GByteArray *file = g_byte_array_new();
    if (size > 0 && (data[0] == 'B' || data[0] == 'C')) {
        g_byte_array_append(file, (const guint8 *)(data[0] == 'B' ? "PBCUNITS1\n" : "PBCUNITS2\n"),
                            10);
        g_byte_array_append(file, data + 1, (guint)size - 1);
    } else {
        g_byte_array_append(file, data, (guint)size);
    }
    char path[64];
    int fd = fuzz_memfd(file->data, file->len, path);
    g_byte_array_free(file, TRUE);
    GError *error = NULL;
    UnitIn *in = unit_in_open(path, &error);
    if (in == NULL) {
        FUZZ_CHECK_LOAD_ERROR(error, path);
        close(fd);
        return 0;
    }
    Unit u;
    int rc;
    while ((rc = unit_in_next(in, &u, &error)) > 0) {
        FUZZ_CHECK(u.dataset < DS_COUNT);
        FUZZ_CHECK(dataset_name(u.dataset) != NULL);
        /* Strings are NULL or NUL-terminated inside the reader's buffer. */
        const char *s[] = {u.unit_id, u.nhs_number, u.provider_code, u.practice_code,
                           u.price_method, u.pod, u.source_file};
        for (size_t i = 0; i < G_N_ELEMENTS(s); i++)
            if (s[i])
                (void)strlen(s[i]);
    }
    if (rc < 0) {
        FUZZ_CHECK_LOAD_ERROR(error, path);
    }
    unit_in_free(in);
    close(fd);
    return 0;
}
