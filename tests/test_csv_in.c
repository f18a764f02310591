/*
 * test_csv_in.c: the one CSV reader (lib/csv_in.c, SPEC §3).
 *
 * SPEC §3: RFC 4180 input (quoted fields, embedded commas, quotes and
 * newlines), UTF-8 with or without a byte-order mark, LF or CRLF, header
 * names found case-insensitively, names and values trimmed, plain or gzip
 * (several members allowed).  R-I2: empty lines are not records; a record
 * with broken quoting is returned flagged so the caller can reject it and go
 * on with the next line.  R-I1: every record carries its starting physical
 * line and raw bytes for the reject file.  R-I6: a corrupt or truncated gzip
 * stream is fatal.
 *
 * Most cases are table-driven: a file's bytes and the expected rendering of
 * every record the reader returns, one per line as
 *   <line>[B]:<field>|<field>|...
 * where B marks broken quoting, and line ends, tabs and NULs inside a field
 * are shown as \n, \r, \t and \0.  Broken records list no fields (they are
 * unusable by contract).
 */
#include "csv_in.h"
#include "log.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

static char *dir;

static void
setup(void)
{
    pbc_log_init("test_csv_in");
    pbc_log_set_verbose(FALSE);
    dir = g_dir_make_tmp("pbc-csv-in-XXXXXX", NULL);
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

TestSuite(csv_in, .init = setup, .fini = teardown);

/* Writes len bytes (len < 0: a C string) to dir/name; returns the path (owned). */
static char *
write_bytes(const char *name, const char *content, gssize len)
{
    char *p = g_build_filename(dir, name, NULL);
    cr_assert(g_file_set_contents(p, content, len < 0 ? (gssize)strlen(content) : len, NULL));
    return p;
}

/* Gzips len bytes into dir/name; returns the path (owned). */
static char *
write_gz(const char *name, const char *content, gssize len)
{
    char *p = g_build_filename(dir, name, NULL);
    gsize n = len < 0 ? strlen(content) : (gsize)len;
    gzFile gz = gzopen(p, "wb");
    cr_assert_not_null(gz);
    if (n)
        cr_assert_eq(gzwrite(gz, content, (unsigned)n), (int)n);
    cr_assert_eq(gzclose(gz), Z_OK);
    return p;
}

static void
render_field(GString *out, const char *f, gsize len)
{
    for (gsize k = 0; k < len; k++) {
        switch (f[k]) {
        case '\n': g_string_append(out, "\\n"); break;
        case '\r': g_string_append(out, "\\r"); break;
        case '\t': g_string_append(out, "\\t"); break;
        case '\0': g_string_append(out, "\\0"); break;
        default: g_string_append_c(out, f[k]);
        }
    }
}

/*
 * Reads every record of path (no header handling) into the rendering above.
 * Returns the rendering; *rc gets the last csv_in_next() result and *error
 * any error.
 */
static char *
render_file(const char *path, int *rc, GError **error)
{
    g_autoptr(CsvIn) in = csv_in_open(path, error);
    cr_assert_not_null(in, "open %s: %s", path, error && *error ? (*error)->message : "?");
    GString *out = g_string_new(NULL);
    while ((*rc = csv_in_next(in, error)) > 0) {
        g_string_append_printf(out, "%" G_GINT64_FORMAT "%s:", csv_in_line(in),
                               csv_in_broken(in) ? "B" : "");
        if (!csv_in_broken(in))
            for (guint i = 0; i < csv_in_count(in); i++) {
                if (i)
                    g_string_append_c(out, '|');
                render_field(out, csv_in_field(in, (int)i), csv_in_field_len(in, (int)i));
            }
        g_string_append_c(out, '\n');
    }
    return g_string_free(out, FALSE);
}

typedef struct {
    char name[48];
    char content[160];
    char want[160];
} ParseCase;

static ParseCase parse_cases[] = {
    {"plain LF", "a,b\n1,2\n", "1:a|b\n2:1|2\n"},
    /* SPEC §3: UTF-8 with or without a byte-order mark */
    {"UTF-8 BOM skipped", "\xEF\xBB\xBF" "a,b\n1,2\n", "1:a|b\n2:1|2\n"},
    {"BOM only at the start of the file", "a\n\xEF\xBB\xBF" "b\n", "1:a\n2:\xEF\xBB\xBF" "b\n"},
    {"BOM then a quoted header", "\xEF\xBB\xBF\"a\",b\n", "1:a|b\n"},
    /* SPEC §3: LF or CRLF */
    {"CRLF", "a,b\r\n1,2\r\n", "1:a|b\n2:1|2\n"},
    {"CRLF after a quoted last field", "a,\"b\"\r\n\"1\",\"2\"\r\n", "1:a|b\n2:1|2\n"},
    {"mixed LF and CRLF", "a,b\r\n1,2\n3,4\r\n", "1:a|b\n2:1|2\n3:3|4\n"},
    /* RFC 4180 quoting */
    {"quoted comma", "\"a,b\",c\n", "1:a,b|c\n"},
    {"doubled quotes", "\"say \"\"hi\"\"\",x\n", "1:say \"hi\"|x\n"},
    {"only a doubled quote", "\"\"\"\",x\n", "1:\"|x\n"},
    {"quoted empty field", "a,\"\",c\n", "1:a||c\n"},
    /* an embedded newline: the next record's line is the physical line */
    {"embedded newline", "h\n\"a\nb\",c\nnext,1\n", "1:h\n2:a\\nb|c\n4:next|1\n"},
    {"two embedded newlines", "\"x\n\ny\",1\nz,2\n", "1:x\\n\\ny|1\n4:z|2\n"},
    {"embedded CRLF kept inside quotes", "\"a\r\nb\",c\r\nd,e\r\n", "1:a\\r\\nb|c\n3:d|e\n"},
    /* R-I2: empty lines are not records, and do count as lines */
    {"empty lines skipped", "a\n\n\nb\n", "1:a\n4:b\n"},
    {"empty CRLF lines skipped", "a\r\n\r\nb\r\n", "1:a\n3:b\n"},
    {"blank-only lines skipped", "a\n   \n\t\n \t \r\nb\n", "1:a\n5:b\n"},
    {"leading empty lines", "\n\na,b\n", "3:a|b\n"},
    {"only empty lines", "\n\n\n", ""},
    {"empty file", "", ""},
    /* SPEC §3: values trimmed of surrounding spaces */
    {"values trimmed", "  a  ,\tb\t, c\n", "1:a|b|c\n"},
    {"quoted values trimmed too", "\" a \",\"\tb\"\n", "1:a|b\n"},
    {"inner spaces kept", "a b,\"c  d\"\n", "1:a b|c  d\n"},
    {"spaces around quotes", "  \"a\"  ,b\n", "1:a|b\n"},
    /* missing last newline */
    {"no final newline", "a,b\n1,2", "1:a|b\n2:1|2\n"},
    {"no final newline, quoted", "a,b\n1,\"2\"", "1:a|b\n2:1|2\n"},
    {"blank last line without newline", "a\n   ", "1:a\n"},
    /* field counts: the reader reports what is there */
    {"field counts", "a,b,c\n1,2\n1,2,3,4\n,,\n", "1:a|b|c\n2:1|2\n3:1|2|3|4\n4:||\n"},
    {"a single comma is two blank fields", "a\n,\n", "1:a\n2:|\n"},
    /* R-I2 broken quoting: flagged, reading goes on at the next line */
    {"quote in an unquoted field", "a,b\nx\"y,2\n3,4\n", "1:a|b\n2B:\n3:3|4\n"},
    {"text after a closing quote", "a,b\n\"ab\"c,2\n3,4\n", "1:a|b\n2B:\n3:3|4\n"},
    {"space then text after a closing quote", "a,b\n\"x\" y,2\n3,4\n", "1:a|b\n2B:\n3:3|4\n"},
    {"broken after an embedded newline", "h\n\"a\nb\"c,1\nd,2\n", "1:h\n2B:\n4:d|2\n"},
    {"unterminated quote at EOF", "a,b\n1,2\n\"abc,3\nmore,4\n", "1:a|b\n2:1|2\n3B:\n"},
    {"unterminated quote at EOF, no newline", "a\n\"abc", "1:a\n2B:\n"},
    {"two broken lines in a row", "a\nx\"y\nz\"w\nok\n", "1:a\n2B:\n3B:\n4:ok\n"},
};

ParameterizedTestParameters(csv_in, parse)
{
    return cr_make_param_array(ParseCase, parse_cases, G_N_ELEMENTS(parse_cases));
}

ParameterizedTest(ParseCase *c, csv_in, parse)
{
    g_autofree char *p = write_bytes("in.csv", c->content, -1);
    g_autoptr(GError) e = NULL;
    int rc;
    g_autofree char *got = render_file(p, &rc, &e);
    cr_assert_eq(rc, 0, "%s: rc %d: %s", c->name, rc, e ? e->message : "");
    cr_assert_str_eq(got, c->want, "%s:\n got: %s\nwant: %s", c->name, got, c->want);
}

/* The same cases gzip-compressed read the same (SPEC §3: any input may be gzip). */
ParameterizedTestParameters(csv_in, parse_gzip)
{
    return cr_make_param_array(ParseCase, parse_cases, G_N_ELEMENTS(parse_cases));
}

ParameterizedTest(ParseCase *c, csv_in, parse_gzip)
{
    g_autofree char *p = write_gz("in.csv.gz", c->content, -1);
    g_autoptr(GError) e = NULL;
    int rc;
    g_autofree char *got = render_file(p, &rc, &e);
    cr_assert_eq(rc, 0, "%s: rc %d: %s", c->name, rc, e ? e->message : "");
    cr_assert_str_eq(got, c->want, "%s (gzip):\n got: %s\nwant: %s", c->name, got, c->want);
}

/* ---- raw records (R-I1: the reject file carries the raw record) ---- */

Test(csv_in, raw_records)
{
    g_autofree char *p = write_bytes("raw.csv",
                                     "a,b\r\n"
                                     "  \"x\ny\" , 2 \r\n"
                                     "bad\"q,3\n"
                                     "last,4",
                                     -1);
    g_autoptr(GError) e = NULL;
    g_autoptr(CsvIn) in = csv_in_open(p, &e);
    cr_assert_not_null(in);
    gsize len;
    const char *raw;
    cr_assert_eq(csv_in_next(in, &e), 1);
    raw = csv_in_raw(in, &len);
    cr_assert(len == 3 && memcmp(raw, "a,b", 3) == 0, "final CRLF dropped");
    cr_assert_eq(csv_in_next(in, &e), 1);
    raw = csv_in_raw(in, &len);
    /* the inner line end is kept, the final CRLF dropped, spaces kept as read */
    cr_assert_eq(len, strlen("  \"x\ny\" , 2 "));
    cr_assert(memcmp(raw, "  \"x\ny\" , 2 ", len) == 0);
    cr_assert_str_eq(csv_in_field(in, 0), "x\ny");
    cr_assert_str_eq(csv_in_field(in, 1), "2");
    cr_assert_eq(csv_in_line(in), 2);
    cr_assert_eq(csv_in_next(in, &e), 1);
    cr_assert(csv_in_broken(in));
    raw = csv_in_raw(in, &len);
    cr_assert(len == 7 && memcmp(raw, "bad\"q,3", 7) == 0);
    cr_assert_eq(csv_in_line(in), 4);
    cr_assert_eq(csv_in_next(in, &e), 1);
    cr_assert_not(csv_in_broken(in));
    raw = csv_in_raw(in, &len);
    cr_assert(len == 6 && memcmp(raw, "last,4", 6) == 0, "no final newline to drop");
    cr_assert_eq(csv_in_line(in), 5);
    cr_assert_eq(csv_in_next(in, &e), 0);
    cr_assert_null(e);
}

/* The BOM is not part of the first record's raw bytes. */
Test(csv_in, raw_without_bom)
{
    g_autofree char *p = write_bytes("bom.csv", "\xEF\xBB\xBF" "a,b\n", -1);
    g_autoptr(CsvIn) in = csv_in_open(p, NULL);
    cr_assert_eq(csv_in_next(in, NULL), 1);
    gsize len;
    const char *raw = csv_in_raw(in, &len);
    cr_assert(len == 3 && memcmp(raw, "a,b", 3) == 0);
}

/* ---- header (SPEC §3: found by name, case-insensitively, trimmed) ---- */

Test(csv_in, header_lookup)
{
    g_autofree char *p = write_bytes("h.csv",
                                     "\xEF\xBB\xBF CDS_Unique_ID ,\"Provider_Code\",\tsex\t,NHS_NUMBER\n"
                                     "U1,RA9,1,9434765919\n",
                                     -1);
    g_autoptr(GError) e = NULL;
    g_autoptr(CsvIn) in = csv_in_open(p, &e);
    cr_assert(csv_in_read_header(in, &e));
    cr_assert_eq(csv_in_header_count(in), 4);
    cr_assert_eq(csv_in_column(in, "cds_unique_id"), 0);
    cr_assert_eq(csv_in_column(in, "CDS_UNIQUE_ID"), 0);
    cr_assert_eq(csv_in_column(in, "provider_code"), 1);
    cr_assert_eq(csv_in_column(in, "SEX"), 2);
    cr_assert_eq(csv_in_column(in, "nhs_number"), 3);
    cr_assert_eq(csv_in_column(in, "postcode"), -1);
    cr_assert_eq(csv_in_column(in, "sex "), -1, "the name asked for is not trimmed");
    static const char *const need[] = {"nhs_number", "Sex", "cds_unique_id", NULL};
    int idx[3];
    cr_assert(csv_in_require(in, need, idx, &e));
    cr_assert(idx[0] == 3 && idx[1] == 2 && idx[2] == 0);
    cr_assert_eq(csv_in_next(in, &e), 1);
    cr_assert_str_eq(csv_in_field(in, idx[0]), "9434765919");
    cr_assert_eq(csv_in_line(in), 2);
    /* out of range: "" and length 0 */
    cr_assert_str_eq(csv_in_field(in, -1), "");
    cr_assert_str_eq(csv_in_field(in, 4), "");
    cr_assert_eq(csv_in_field_len(in, 99), 0);
    cr_assert_str_eq(csv_in_path(in), p);
}

/* SPEC §3: a missing required column fails the file with a clear message. */
Test(csv_in, require_names_file_and_column)
{
    g_autofree char *p = write_bytes("r.csv", "a,b\n", -1);
    g_autoptr(GError) e = NULL;
    g_autoptr(CsvIn) in = csv_in_open(p, &e);
    cr_assert(csv_in_read_header(in, &e));
    static const char *const need[] = {"a", "c", "d", NULL};
    int idx[3];
    cr_assert_not(csv_in_require(in, need, idx, &e));
    cr_assert(g_error_matches(e, PBC_ERROR, PBC_ERROR_FORMAT));
    g_autofree char *want = g_strdup_printf("file \"%s\": missing required column \"c\"", p);
    cr_assert_str_eq(e->message, want);
}

Test(csv_in, header_of_empty_file)
{
    static const char *const empties[] = {"", "\n\n", "  \n", "\xEF\xBB\xBF", NULL};
    for (int i = 0; empties[i]; i++) {
        g_autofree char *p = write_bytes("e.csv", empties[i], -1);
        g_autoptr(GError) e = NULL;
        g_autoptr(CsvIn) in = csv_in_open(p, &e);
        cr_assert_not(csv_in_read_header(in, &e), "case %d", i);
        cr_assert(g_error_matches(e, PBC_ERROR, PBC_ERROR_FORMAT));
        g_autofree char *want = g_strdup_printf("file \"%s\" is empty: no header row", p);
        cr_assert_str_eq(e->message, want);
    }
}

Test(csv_in, header_with_broken_quoting)
{
    g_autofree char *p = write_bytes("bh.csv", "a,b\"c\n1,2\n", -1);
    g_autoptr(GError) e = NULL;
    g_autoptr(CsvIn) in = csv_in_open(p, &e);
    cr_assert_not(csv_in_read_header(in, &e));
    cr_assert(g_error_matches(e, PBC_ERROR, PBC_ERROR_FORMAT));
    cr_assert(strstr(e->message, "broken quoting") != NULL, "%s", e->message);
}

/* ---- opening and reading errors (R-I6) ---- */

Test(csv_in, open_missing_file)
{
    g_autofree char *p = g_build_filename(dir, "nope.csv", NULL);
    g_autoptr(GError) e = NULL;
    CsvIn *in = csv_in_open(p, &e);
    cr_assert_null(in);
    cr_assert(g_error_matches(e, PBC_ERROR, PBC_ERROR_IO));
    g_autofree char *want = g_strdup_printf("could not open file \"%s\": No such file or directory", p);
    cr_assert_str_eq(e->message, want);
}

/* A directory opens but cannot be read: an I/O error, not a crash or an empty file. */
Test(csv_in, read_a_directory)
{
    g_autoptr(GError) e = NULL;
    g_autoptr(CsvIn) in = csv_in_open(dir, &e);
    if (in == NULL) {
        cr_assert(g_error_matches(e, PBC_ERROR, PBC_ERROR_IO));
        return;
    }
    cr_assert_eq(csv_in_next(in, &e), -1);
    cr_assert(g_error_matches(e, PBC_ERROR, PBC_ERROR_IO), "%s", e ? e->message : "no error");
}

/* ---- gzip (SPEC §3, R-I6) ---- */

/* Several gzip members concatenated read as one stream. */
Test(csv_in, multi_member_gzip)
{
    g_autofree char *a = write_gz("a.gz", "h1,h2\n1,2\n", -1);
    g_autofree char *b = write_gz("b.gz", "3,4\n5,6", -1);
    gsize la, lb;
    g_autofree char *ca = NULL, *cb = NULL;
    cr_assert(g_file_get_contents(a, &ca, &la, NULL) && g_file_get_contents(b, &cb, &lb, NULL));
    GString *both = g_string_new_len(ca, (gssize)la);
    g_string_append_len(both, cb, (gssize)lb);
    g_autofree char *p = write_bytes("both.csv.gz", both->str, (gssize)both->len);
    g_string_free(both, TRUE);
    g_autoptr(GError) e = NULL;
    int rc;
    g_autofree char *got = render_file(p, &rc, &e);
    cr_assert_eq(rc, 0, "%s", e ? e->message : "");
    cr_assert_str_eq(got, "1:h1|h2\n2:1|2\n3:3|4\n4:5|6\n");
}

/* A record split across two members is one record. */
Test(csv_in, record_split_across_members)
{
    g_autofree char *a = write_gz("a.gz", "x,\"y", -1);
    g_autofree char *b = write_gz("b.gz", "z\"\n", -1);
    gsize la, lb;
    g_autofree char *ca = NULL, *cb = NULL;
    cr_assert(g_file_get_contents(a, &ca, &la, NULL) && g_file_get_contents(b, &cb, &lb, NULL));
    GString *both = g_string_new_len(ca, (gssize)la);
    g_string_append_len(both, cb, (gssize)lb);
    g_autofree char *p = write_bytes("split.gz", both->str, (gssize)both->len);
    g_string_free(both, TRUE);
    int rc;
    g_autofree char *got = render_file(p, &rc, NULL);
    cr_assert_str_eq(got, "1:x|yz\n");
}

/* gzip is detected by content, not by name. */
Test(csv_in, gzip_detected_by_content)
{
    g_autofree char *gz = write_gz("looks_plain.csv", "a,b\n1,2\n", -1);
    g_autofree char *plain = write_bytes("looks_gzip.csv.gz", "a,b\n1,2\n", -1);
    int rc;
    g_autofree char *g1 = render_file(gz, &rc, NULL);
    g_autofree char *g2 = render_file(plain, &rc, NULL);
    cr_assert_str_eq(g1, "1:a|b\n2:1|2\n");
    cr_assert_str_eq(g2, "1:a|b\n2:1|2\n");
}

Test(csv_in, empty_gzip)
{
    g_autofree char *p = write_gz("empty.gz", "", 0);
    int rc;
    g_autofree char *got = render_file(p, &rc, NULL);
    cr_assert_eq(rc, 0);
    cr_assert_str_eq(got, "");
}

/* A gzip of many lines, for cutting and corrupting. */
static GByteArray *
big_gzip(void)
{
    GString *s = g_string_new("id,value\n");
    for (int i = 0; i < 20000; i++)
        g_string_append_printf(s, "%d,value number %d\n", i, i * 7);
    g_autofree char *p = write_gz("big.gz", s->str, (gssize)s->len);
    g_string_free(s, TRUE);
    gchar *data;
    gsize len;
    cr_assert(g_file_get_contents(p, &data, &len, NULL));
    return g_byte_array_new_take((guint8 *)data, len);
}

/* Reads to the end or the first error; returns the last rc. */
static int
drain(const char *path, GError **error)
{
    g_autoptr(CsvIn) in = csv_in_open(path, error);
    cr_assert_not_null(in);
    int rc;
    while ((rc = csv_in_next(in, error)) > 0)
        ;
    return rc;
}

/* R-I6: a truncated gzip stream is fatal, wherever it is cut. */
Test(csv_in, truncated_gzip)
{
    g_autoptr(GByteArray) gz = big_gzip();
    const gsize cuts[] = {2, 10, 11, 100, gz->len / 2, gz->len - 9, gz->len - 4, gz->len - 1};
    for (guint i = 0; i < G_N_ELEMENTS(cuts); i++) {
        g_autofree char *p = write_bytes("cut.csv.gz", (const char *)gz->data, (gssize)cuts[i]);
        g_autoptr(GError) e = NULL;
        int rc = drain(p, &e);
        cr_assert_eq(rc, -1, "cut at %zu of %u: rc %d", cuts[i], gz->len, rc);
        cr_assert(g_error_matches(e, PBC_ERROR, PBC_ERROR_FORMAT), "cut at %zu: %s", cuts[i],
                  e ? e->message : "no error");
        cr_assert(strstr(e->message, "truncated") != NULL, "cut at %zu: %s", cuts[i], e->message);
        cr_assert(strstr(e->message, p) != NULL, "names the file: %s", e->message);
    }
}

/* R-I6: corrupt deflate data or a wrong CRC is fatal. */
Test(csv_in, corrupt_gzip)
{
    g_autoptr(GByteArray) gz = big_gzip();
    /* bytes after the 10-byte header: the deflate data */
    for (gsize at = 10; at < 30; at += 4) {
        g_autoptr(GByteArray) bad = g_byte_array_sized_new(gz->len);
        g_byte_array_append(bad, gz->data, gz->len);
        for (gsize k = at; k < at + 4; k++)
            bad->data[k] ^= 0xA5;
        g_autofree char *p = write_bytes("bad.gz", (const char *)bad->data, (gssize)bad->len);
        g_autoptr(GError) e = NULL;
        int rc = drain(p, &e);
        cr_assert_eq(rc, -1, "corrupt at %zu: rc %d", at, rc);
        cr_assert(g_error_matches(e, PBC_ERROR, PBC_ERROR_FORMAT), "%s", e ? e->message : "-");
        cr_assert(strstr(e->message, p) != NULL, "names the file: %s", e->message);
    }
    /* the CRC-32 of the data (trailer bytes len-8..len-5) */
    g_autoptr(GByteArray) crc = g_byte_array_sized_new(gz->len);
    g_byte_array_append(crc, gz->data, gz->len);
    crc->data[crc->len - 8] ^= 0xFF;
    g_autofree char *p = write_bytes("crc.gz", (const char *)crc->data, (gssize)crc->len);
    g_autoptr(GError) e = NULL;
    cr_assert_eq(drain(p, &e), -1);
    cr_assert(g_error_matches(e, PBC_ERROR, PBC_ERROR_FORMAT));
    cr_assert(strstr(e->message, "corrupt gzip stream") != NULL, "%s", e->message);
}

/* ---- big and odd content ---- */

/* A 10 MB quoted field (with commas and newlines) reads whole, in linear time. */
Test(csv_in, ten_megabyte_field, .timeout = 60)
{
    const gsize n = 10 * 1024 * 1024;
    GString *s = g_string_sized_new(n + 64);
    g_string_append(s, "a,b\n\"");
    for (gsize i = 0; i < n; i++)
        g_string_append_c(s, i % 1000 == 999 ? '\n' : i % 100 == 99 ? ',' : 'x');
    g_string_append(s, "\",2\nnext,3\n");
    g_autofree char *p = write_bytes("big.csv", s->str, (gssize)s->len);
    g_string_free(s, TRUE);
    g_autoptr(GError) e = NULL;
    g_autoptr(CsvIn) in = csv_in_open(p, &e);
    cr_assert(csv_in_read_header(in, &e));
    cr_assert_eq(csv_in_next(in, &e), 1);
    cr_assert_not(csv_in_broken(in));
    cr_assert_eq(csv_in_count(in), 2);
    cr_assert_eq(csv_in_field_len(in, 0), n);
    cr_assert_eq(csv_in_field(in, 0)[0], 'x');
    cr_assert_eq(csv_in_field(in, 0)[999], '\n');
    cr_assert_str_eq(csv_in_field(in, 1), "2");
    cr_assert_eq(csv_in_line(in), 2);
    cr_assert_eq(csv_in_next(in, &e), 1);
    /* 10485760 / 1000 = 10485 embedded newlines: the field spans lines 2..10487 */
    cr_assert_eq(csv_in_line(in), 2 + 10485 + 1);
    cr_assert_str_eq(csv_in_field(in, 0), "next");
    cr_assert_eq(csv_in_next(in, &e), 0);
}

/* A 10 MB unquoted line without commas, gzip-compressed. */
Test(csv_in, ten_megabyte_line_gzip, .timeout = 60)
{
    const gsize n = 10 * 1024 * 1024;
    char *s = g_malloc(n + 16);
    memcpy(s, "h\n", 2);
    memset(s + 2, 'y', n);
    memcpy(s + 2 + n, "\nz\n", 3);
    g_autofree char *p = write_gz("big.gz", s, (gssize)(n + 5));
    g_free(s);
    g_autoptr(CsvIn) in = csv_in_open(p, NULL);
    cr_assert_eq(csv_in_next(in, NULL), 1);
    cr_assert_eq(csv_in_next(in, NULL), 1);
    cr_assert_eq(csv_in_field_len(in, 0), n);
    cr_assert_eq(csv_in_next(in, NULL), 1);
    cr_assert_str_eq(csv_in_field(in, 0), "z");
    cr_assert_eq(csv_in_line(in), 3);
    cr_assert_eq(csv_in_offset(in), n + 5, "every decompressed byte consumed");
}

/* NUL bytes in fields are data: kept, counted by csv_in_field_len, no crash. */
Test(csv_in, nul_bytes)
{
    static const char content[] = "a,b\nx\0y,\"p\0q\"\n\0,2\n";
    g_autofree char *p = write_bytes("nul.csv", content, sizeof content - 1);
    int rc;
    g_autoptr(GError) e = NULL;
    g_autofree char *got = render_file(p, &rc, &e);
    cr_assert_eq(rc, 0);
    cr_assert_str_eq(got, "1:a|b\n2:x\\0y|p\\0q\n3:\\0|2\n");
}

/* Arbitrary bytes (every value 1..255, stray quotes) never crash the reader. */
Test(csv_in, binary_garbage)
{
    GString *s = g_string_new(NULL);
    guint32 x = 12345;
    for (int i = 0; i < 200000; i++) {
        x = x * 1103515245u + 12345u;
        g_string_append_c(s, (char)(x >> 24));
    }
    g_autofree char *p = write_bytes("junk.csv", s->str, (gssize)s->len);
    g_string_free(s, TRUE);
    g_autoptr(GError) e = NULL;
    cr_assert_eq(drain(p, &e), 0, "%s", e ? e->message : "");
}

/* Reading standard input: "-" (a shell pipe into a stage). */
Test(csv_in, standard_input)
{
    g_autofree char *p = write_bytes("stdin.csv", "a,b\n1,2\n", -1);
    int fd = open(p, O_RDONLY);
    cr_assert_geq(fd, 0);
    cr_assert_eq(dup2(fd, 0), 0);
    close(fd);
    g_autoptr(CsvIn) in = csv_in_open("-", NULL);
    cr_assert_not_null(in);
    cr_assert(csv_in_read_header(in, NULL));
    cr_assert_eq(csv_in_column(in, "B"), 1);
    cr_assert_eq(csv_in_next(in, NULL), 1);
    cr_assert_str_eq(csv_in_field(in, 1), "2");
    cr_assert_eq(csv_in_next(in, NULL), 0);
    cr_assert_str_eq(csv_in_path(in), "-");
}

/* Freeing NULL is allowed. */
Test(csv_in, free_null)
{
    csv_in_free(NULL);
}
