/*
 * csv_in.c: libcsv over zlib, one physical line at a time.
 *
 * The input is split into physical lines here (memchr on '\n') and each line
 * is handed to csv_parse() whole.  libcsv is told that only '\n' ends a row
 * and that '\r' is white space, so a CRLF file parses like an LF one and a
 * carriage return inside quotes is kept.  A record is complete when libcsv
 * reports the end of a row during a line; a quoted field spanning lines
 * simply makes the record span several lines.  Feeding whole lines lets us
 * keep the record's raw bytes and starting line for the reject file without
 * asking libcsv for offsets it does not have.  In CSV_STRICT mode a quote in
 * an unquoted field or text after a closing quote is an error: the record is
 * flagged as broken quoting, the parser is reset and reading resumes at the
 * next line.
 *
 * Speed without leaving libcsv: every record is parsed by libcsv, with its
 * default (inlined) space and line-end tests rather than callbacks per
 * byte.  For that the CR of a CRLF line end is dropped before the line is
 * fed (unless the line ends inside a quoted field, where it is data), so
 * '\n' is the only line end libcsv sees outside quotes; a carriage
 * return left alone outside quotes would end a row mid-line, and such a
 * record is flagged broken (RFC 4180 wants it quoted).  Fields are gathered
 * in plain arrays, and a record that fits on one line keeps its raw bytes
 * in the read buffer instead of a copy.
 */
#include "csv_in.h"

#include "log.h"

#include <csv.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#define CHUNK (256 * 1024)

struct CsvIn {
    char *path;
    gzFile gz;
    struct csv_parser parser;
    /* decompressed input not yet split into lines: buf[pos..end) */
    char *buf;
    gsize pos, end, cap;
    gboolean eof;
    gboolean first_line;
    int64_t line;        /* physical lines consumed */
    uint64_t offset;
    /* current record */
    char *fbuf;          /* field bytes, each NUL-terminated */
    gsize flen, fcap;
    guint *starts;       /* offsets into fbuf */
    gsize *lens;         /* field lengths */
    guint nf, nfcap;
    GString *raw;        /* raw bytes gathered by the libcsv path */
    const char *raw_ptr; /* raw bytes of a fast-path record (in buf), else NULL */
    gsize raw_len;
    int64_t rec_line;
    gboolean row_done;
    guint rows;          /* rows libcsv ended while feeding the current line */
    gboolean broken;
    /* header */
    char **header;
    guint nheader;
};

/* Makes room for need more field bytes. */
static inline void
fbuf_reserve(CsvIn *in, gsize need)
{
    if (in->fcap - in->flen < need) {
        while (in->fcap - in->flen < need)
            in->fcap *= 2;
        in->fbuf = g_realloc(in->fbuf, in->fcap);
    }
}

/* Records the field fbuf[start .. start+len), NUL-terminating it. */
static inline void
field_push(CsvIn *in, gsize start, gsize len)
{
    if (in->nf == in->nfcap) {
        in->nfcap *= 2;
        in->starts = g_renew(guint, in->starts, in->nfcap);
        in->lens = g_renew(gsize, in->lens, in->nfcap);
    }
    in->fbuf[start + len] = '\0';
    in->flen = start + len + 1;
    in->starts[in->nf] = (guint)start;
    in->lens[in->nf] = len;
    in->nf++;
}

static void
field_cb(void *s, size_t len, void *data)
{
    CsvIn *in = data;
    const char *p = s;
    /* Trim what libcsv left (quoted fields keep inner spaces). */
    while (len > 0 && (p[0] == ' ' || p[0] == '\t')) {
        p++;
        len--;
    }
    while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
        len--;
    fbuf_reserve(in, len + 1);
    gsize start = in->flen;
    memcpy(in->fbuf + start, p, len);
    field_push(in, start, len);
}

static void
row_cb(int c, void *data)
{
    (void)c;
    CsvIn *in = data;
    in->rows++;
    in->row_done = TRUE;
}

static void
parser_init(CsvIn *in)
{
    csv_init(&in->parser, CSV_STRICT | CSV_STRICT_FINI);
}

CsvIn *
csv_in_open(const char *path, GError **error)
{
    gzFile gz;
    if (strcmp(path, "-") == 0)
        gz = gzdopen(dup(0), "rb");
    else
        gz = gzopen(path, "rb");
    if (gz == NULL) {
        int e = errno;
        g_set_error(error, PBC_ERROR, PBC_ERROR_IO, "could not open file \"%s\": %s", path,
                    e ? g_strerror(e) : "out of memory");
        return NULL;
    }
    gzbuffer(gz, CHUNK);
    CsvIn *in = g_new0(CsvIn, 1);
    in->path = g_strdup(path);
    in->gz = gz;
    in->cap = CHUNK * 2;
    in->buf = g_malloc(in->cap);
    in->first_line = TRUE;
    in->fcap = 1024;
    in->fbuf = g_malloc(in->fcap);
    in->nfcap = 64;
    in->starts = g_new(guint, in->nfcap);
    in->lens = g_new(gsize, in->nfcap);
    in->raw = g_string_sized_new(256);
    parser_init(in);
    return in;
}

void
csv_in_free(CsvIn *in)
{
    if (in == NULL)
        return;
    if (in->gz)
        gzclose(in->gz);
    csv_free(&in->parser);
    g_free(in->path);
    g_free(in->buf);
    g_free(in->fbuf);
    g_free(in->starts);
    g_free(in->lens);
    g_string_free(in->raw, TRUE);
    g_strfreev(in->header);
    g_free(in);
}

/* Refills buf; returns FALSE with error set on a read or gzip error. */
static gboolean
fill(CsvIn *in, GError **error)
{
    if (in->pos > 0) {
        memmove(in->buf, in->buf + in->pos, in->end - in->pos);
        in->end -= in->pos;
        in->pos = 0;
    }
    if (in->cap - in->end < CHUNK) {
        in->cap *= 2;
        in->buf = g_realloc(in->buf, in->cap);
    }
    int n = gzread(in->gz, in->buf + in->end, (unsigned)(in->cap - in->end));
    int errnum = Z_OK;
    const char *msg = gzerror(in->gz, &errnum);
    if (n < 0 || (errnum != Z_OK && errnum != Z_BUF_ERROR)) {
        if (errnum == Z_ERRNO)
            g_set_error(error, PBC_ERROR, PBC_ERROR_IO, "could not read file \"%s\": %s",
                        in->path, g_strerror(errno));
        else
            g_set_error(error, PBC_ERROR, PBC_ERROR_FORMAT,
                        "could not read file \"%s\": corrupt gzip stream: %s", in->path, msg);
        return FALSE;
    }
    if (n == 0) {
        if (errnum == Z_BUF_ERROR) {
            g_set_error(error, PBC_ERROR, PBC_ERROR_FORMAT,
                        "could not read file \"%s\": truncated gzip stream: %s", in->path, msg);
            return FALSE;
        }
        in->eof = TRUE;
    }
    in->end += (gsize)n;
    return TRUE;
}

static void
record_reset(CsvIn *in)
{
    in->flen = 0;
    in->nf = 0;
    g_string_truncate(in->raw, 0);
    in->raw_ptr = NULL;
    in->raw_len = 0;
    in->row_done = FALSE;
    in->broken = FALSE;
}

/* Drops the final line end from the raw record. */
static void
raw_trim(CsvIn *in)
{
    GString *r = in->raw;
    if (r->len && r->str[r->len - 1] == '\n')
        g_string_truncate(r, r->len - 1);
    if (r->len && r->str[r->len - 1] == '\r')
        g_string_truncate(r, r->len - 1);
}

/* Resets the parser after a strict-mode error, discarding its state. */
static void
parser_reset(CsvIn *in)
{
    csv_free(&in->parser);
    parser_init(in);
}

/*
 * csv_parse() over one line, in pieces.  libcsv grows its field buffer by a
 * fixed block (128 bytes by default), which makes a long field quadratic
 * wherever realloc() copies (sanitizers, small-block allocators): a 10 MB
 * field took minutes.  Setting the block to the buffer's current size before
 * each piece makes the growth geometric, so any field costs linear time.
 * Returns the bytes consumed, short on a parse error as csv_parse() does.
 */
#define PIECE (64 * 1024)

static size_t
parse_line(CsvIn *in, const char *s, size_t len)
{
    size_t done = 0;
    while (done < len) {
        size_t n = MIN(len - done, (size_t)PIECE);
        size_t have = csv_get_buffer_size(&in->parser);
        csv_set_blk_size(&in->parser, MAX(have, (size_t)128));
        size_t k = csv_parse(&in->parser, s + done, n, field_cb, row_cb, in);
        done += k;
        if (k != n)
            break;
    }
    return done;
}

/* A record is an empty line when it is a single blank field. */
static gboolean
record_is_empty(const CsvIn *in)
{
    return in->nf == 0 || (in->nf == 1 && in->lens[0] == 0);
}

/*
 * Feeds one physical line to libcsv: a CRLF line end goes in as LF.
 * Returns FALSE when libcsv finds broken quoting, or when a carriage return
 * alone ended a row before the line's end.
 */
static gboolean
feed_line(CsvIn *in, const char *s, size_t len)
{
    in->rows = 0;
    if (len >= 2 && s[len - 1] == '\n' && s[len - 2] == '\r') {
        if (parse_line(in, s, len - 2) != len - 2)
            return FALSE;
        /* Inside a quoted field (libcsv's FIELD_BEGUN, quoted) the CRLF is data. */
        gboolean in_quotes = in->parser.pstate == 2 && in->parser.quoted;
        const char *end = in_quotes ? "\r\n" : "\n";
        size_t n = in_quotes ? 2 : 1;
        if (parse_line(in, end, n) != n)
            return FALSE;
    } else if (parse_line(in, s, len) != len) {
        return FALSE;
    }
    return in->rows <= 1;
}

int
csv_in_next(CsvIn *in, GError **error)
{
    record_reset(in);
    for (;;) {
        if (in->pos == in->end && !in->eof) {
            if (!fill(in, error))
                return -1;
            continue;
        }
        if (in->pos == in->end) {
            /* End of input: flush a last record without a line end. */
            if (in->raw->len == 0)
                return 0;
            if (csv_fini(&in->parser, field_cb, row_cb, in) != 0) {
                in->broken = TRUE;
                parser_reset(in);
            }
            raw_trim(in);
            if (!in->broken && record_is_empty(in)) {
                record_reset(in);
                return 0;
            }
            return 1;
        }
        char *start = in->buf + in->pos;
        char *nl = memchr(start, '\n', in->end - in->pos);
        if (nl == NULL && !in->eof) {
            if (!fill(in, error))
                return -1;
            continue;
        }
        gsize len = nl ? (gsize)(nl - start) + 1 : in->end - in->pos;
        if (in->first_line) {
            in->first_line = FALSE;
            if (len >= 3 && memcmp(start, "\xEF\xBB\xBF", 3) == 0) {
                start += 3;
                len -= 3;
                in->pos += 3;
            }
        }
        gboolean fresh = in->raw->len == 0 && in->raw_ptr == NULL;
        if (fresh)
            in->rec_line = in->line + 1;
        else
            g_string_append_len(in->raw, start, len);
        in->pos += len;
        in->offset += len;
        in->line++;
        gboolean ok = feed_line(in, start, len);
        if (fresh && (!ok || !in->row_done)) {
            /* The record goes on past this line (or is broken): keep a copy. */
            g_string_append_len(in->raw, start, len);
        } else if (fresh) {
            /* Ended on its own line: its raw bytes are still in the buffer. */
            in->raw_ptr = start;
            in->raw_len = len;
            if (in->raw_len && start[in->raw_len - 1] == '\n')
                in->raw_len--;
            if (in->raw_len && start[in->raw_len - 1] == '\r')
                in->raw_len--;
        }
        if (!ok) {
            /* Broken quoting: skip the rest of this line and report the record. */
            in->broken = TRUE;
            parser_reset(in);
            raw_trim(in);
            return 1;
        }
        if (in->row_done) {
            raw_trim(in);
            if (record_is_empty(in)) {
                record_reset(in);
                continue;
            }
            return 1;
        }
        if (nl && in->parser.pstate == 0 && in->nf == 0) {
            /* libcsv reports no row for an empty or all-blank line: not a record. */
            record_reset(in);
            continue;
        }
    }
}

gboolean
csv_in_read_header(CsvIn *in, GError **error)
{
    int rc = csv_in_next(in, error);
    if (rc < 0)
        return FALSE;
    if (rc == 0) {
        g_set_error(error, PBC_ERROR, PBC_ERROR_FORMAT, "file \"%s\" is empty: no header row",
                    in->path);
        return FALSE;
    }
    if (in->broken) {
        g_set_error(error, PBC_ERROR, PBC_ERROR_FORMAT,
                    "file \"%s\": broken quoting in the header row", in->path);
        return FALSE;
    }
    g_strfreev(in->header);
    in->nheader = csv_in_count(in);
    in->header = g_new0(char *, in->nheader + 1);
    for (guint i = 0; i < in->nheader; i++)
        in->header[i] = g_ascii_strdown(csv_in_field(in, (int)i), -1);
    return TRUE;
}

int
csv_in_column(const CsvIn *in, const char *name)
{
    for (guint i = 0; i < in->nheader; i++)
        if (g_ascii_strcasecmp(in->header[i], name) == 0)
            return (int)i;
    return -1;
}

guint
csv_in_header_count(const CsvIn *in)
{
    return in->nheader;
}

gboolean
csv_in_require(const CsvIn *in, const char *const *names, int *idx, GError **error)
{
    for (guint i = 0; names[i]; i++) {
        idx[i] = csv_in_column(in, names[i]);
        if (idx[i] < 0) {
            g_set_error(error, PBC_ERROR, PBC_ERROR_FORMAT,
                        "file \"%s\": missing required column \"%s\"", in->path, names[i]);
            return FALSE;
        }
    }
    return TRUE;
}

guint
csv_in_count(const CsvIn *in)
{
    return in->nf;
}

const char *
csv_in_field(const CsvIn *in, int i)
{
    if (i < 0 || (guint)i >= in->nf)
        return "";
    return in->fbuf + in->starts[i];
}

gsize
csv_in_field_len(const CsvIn *in, int i)
{
    if (i < 0 || (guint)i >= in->nf)
        return 0;
    return in->lens[i];
}

int64_t
csv_in_line(const CsvIn *in)
{
    return in->rec_line;
}

const char *
csv_in_raw(const CsvIn *in, gsize *len)
{
    if (in->raw_ptr) {
        if (len)
            *len = in->raw_len;
        return in->raw_ptr;
    }
    if (len)
        *len = in->raw->len;
    return in->raw->str;
}

gboolean
csv_in_broken(const CsvIn *in)
{
    return in->broken;
}

const char *
csv_in_path(const CsvIn *in)
{
    return in->path;
}

uint64_t
csv_in_offset(const CsvIn *in)
{
    return in->offset;
}
