/*
 * unit.c: the intermediate unit format, driven by one column table so the
 * writer, the reader and the header can never disagree.
 */
#include "unit.h"

#include "csv_in.h"
#include "decimal.h"
#include "le.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

typedef enum { T_STR, T_DATE, T_INT, T_I64, T_BOOL, T_DATASET, T_FY, T_MFF } ColType;

typedef struct {
    const char *name;
    ColType type;
    size_t off;
} Col;

#define C(name, type) {#name, type, offsetof(Unit, name)}

static const Col cols[] = {
    C(dataset, T_DATASET),
    C(unit_id, T_STR),
    C(cds_unique_id, T_STR),
    C(provider_code, T_STR),
    C(commissioner_code, T_STR),
    C(nhs_number, T_STR),
    C(date_of_birth, T_DATE),
    C(sex, T_STR),
    C(postcode, T_STR),
    C(cds_practice_code, T_STR),
    C(admission_method, T_STR),
    C(patient_classification, T_STR),
    C(admission_date, T_DATE),
    C(discharge_date, T_DATE),
    C(treatment_function_code, T_STR),
    C(primary_diagnosis, T_STR),
    C(primary_procedure, T_STR),
    C(hrg, T_STR),
    C(first_attendance, T_STR),
    C(attended_or_dna, T_STR),
    C(referral_source, T_STR),
    C(ae_attendance_category, T_STR),
    C(attribution_date, T_DATE),
    C(charge_date, T_DATE),
    C(episodes, T_INT),
    C(unfinished, T_BOOL),
    C(source_file, T_STR),
    C(source_line, T_I64),
    C(practice_code, T_STR),
    C(attribution_method, T_STR),
    C(original_practice_code, T_STR),
    C(exeter_practice_code, T_STR),
    C(exeter_reason, T_STR),
    C(cds_reason, T_STR),
    C(unattributed_reason, T_STR),
    C(practice_pct_code, T_STR),
    C(consortium_code, T_STR),
    C(mismatch, T_BOOL),
    C(out_of_area, T_BOOL),
    C(pod, T_STR),
    C(fin_year, T_FY),
    C(los, T_INT),
    C(excess_bed_days, T_INT),
    C(base_pence, T_I64),
    C(excess_pence, T_I64),
    C(sse_applied, T_BOOL),
    C(mff_micro, T_MFF),
    C(price_pence, T_I64),
    C(price_method, T_STR),
    C(pct_held, T_BOOL),
};
#define NCOLS G_N_ELEMENTS(cols)

static const char *header_names[NCOLS + 1];

const char *
dataset_name(Dataset ds)
{
    static const char *const names[] = {"APC", "OP", "AE"};
    return names[ds];
}

gboolean
dataset_parse(const char *s, Dataset *ds)
{
    for (int i = 0; i < DS_COUNT; i++)
        if (strcmp(s, dataset_name((Dataset)i)) == 0) {
            *ds = (Dataset)i;
            return TRUE;
        }
    return FALSE;
}

void
unit_clear(Unit *u)
{
    memset(u, 0, sizeof *u);
    u->date_of_birth = PBC_NO_DATE;
    u->admission_date = PBC_NO_DATE;
    u->discharge_date = PBC_NO_DATE;
    u->attribution_date = PBC_NO_DATE;
    u->charge_date = PBC_NO_DATE;
    u->episodes = 1;
    u->source_line = PBC_NONE;
    u->los = -1;
    u->excess_bed_days = -1;
    u->base_pence = PBC_NONE;
    u->excess_pence = PBC_NONE;
    u->mff_micro = PBC_NONE;
    u->price_pence = PBC_NONE;
}

void
unit_copy(Unit *dst, const Unit *src, GStringChunk *chunk)
{
    *dst = *src;
    for (size_t i = 0; i < NCOLS; i++) {
        if (cols[i].type != T_STR)
            continue;
        const char **p = (const char **)((char *)dst + cols[i].off);
        *p = blank(*p) ? "" : g_string_chunk_insert_const(chunk, *p);
    }
}

const char *const *
unit_header(void)
{
    if (header_names[0] == NULL)
        for (size_t i = 0; i < NCOLS; i++)
            header_names[i] = cols[i].name;
    return header_names;
}

/*
 * The binary form (docs/formats.md): the magic line, then per unit a
 * little-endian u32 record length and the fields in column-table order.
 * It carries exactly what the CSV form does, without any text to re-parse.
 *
 * PBCUNITS2, written now: a string is one tag byte, then
 *   0 .. 252   that many bytes and a NUL (so a reader can point into its buffer)
 *   253        the same value as this column of the previous record (no bytes):
 *              provider, commissioner, source file, method, POD ... repeat
 *   254        a u32 length, the bytes and a NUL (strings of 253 bytes and more)
 * dates and small ints are i32, money and the MFF (millionths) i64, booleans
 * and the dataset one byte.  A record is some 250 bytes where PBCUNITS1 took
 * 380, and every stage after ingest reads and writes gigabytes of them.
 *
 * PBCUNITS1, still read: every string a u32 length, the bytes and a NUL.
 */
static const char unit_magic[] = "PBCUNITS2\n";
static const char unit_magic1[] = "PBCUNITS1\n";
#define MAGIC_LEN (sizeof unit_magic - 1)
#define TAG_SAME 253
#define TAG_LONG 254

/* How many string columns the table has (counted once). */
static guint nstr;

static void
str_cols_init(void)
{
    if (nstr)
        return;
    for (size_t i = 0; i < NCOLS; i++)
        if (cols[i].type == T_STR)
            nstr++;
}

/* A writer's state, kept with its CsvOut: the previous record's strings. */
typedef struct {
    char *prev[NCOLS];     /* by string column index (0 .. nstr) */
    gsize prev_len[NCOLS];
    gsize prev_cap[NCOLS];
    gboolean have_prev;
    guint8 *buf;
    gsize cap;
} UnitWriter;

static void
writer_free(gpointer p)
{
    UnitWriter *w = p;
    for (guint i = 0; i < NCOLS; i++)
        g_free(w->prev[i]);
    g_free(w->buf);
    g_free(w);
}

CsvOut *
unit_out_create(const char *path, GError **error)
{
    const char *text = g_getenv("PBC_UNITS_TEXT");
    if (text && strcmp(text, "1") == 0)
        return csv_out_create(path, CSV_OUT_PATIENT, unit_header(), error);
    CsvOut *o = csv_out_create(path, CSV_OUT_PATIENT, NULL, error);
    if (o) {
        str_cols_init();
        UnitWriter *w = g_new0(UnitWriter, 1);
        w->cap = 4096;
        w->buf = g_malloc(w->cap);
        csv_out_set_data(o, w, writer_free);
        csv_out_raw(o, unit_magic, MAGIC_LEN);
    }
    return o;
}

static void
write_binary(CsvOut *out, const Unit *u)
{
    UnitWriter *w = csv_out_get_data(out);
    g_assert(w != NULL); /* binary unit files come from unit_out_create() */
    /* Room for the fixed fields and the tags; each literal string makes its own. */
    gsize fixed = 4 + NCOLS * 9;
    if (w->cap < fixed) {
        w->cap = MAX(w->cap * 2, fixed);
        w->buf = g_realloc(w->buf, w->cap);
    }
    guint8 *p = w->buf + 4;
    guint k = 0;
    for (size_t i = 0; i < NCOLS; i++) {
        const void *f = (const char *)u + cols[i].off;
        switch (cols[i].type) {
        case T_STR: {
            const char *sv = *(const char *const *)f;
            if (sv == NULL)
                sv = "";
            /* The same as the previous record's value: compared byte by byte up to
             * and with the NUL (no strlen, and never past the end of either). */
            if (w->have_prev) {
                const char *q = w->prev[k];
                gsize j = 0, m = w->prev_len[k];
                while (j < m && sv[j] == q[j])
                    j++;
                if (j == m && sv[j] == '\0') {
                    *p++ = TAG_SAME;
                    k++;
                    break;
                }
            }
            gsize n = strlen(sv);
            gsize at = (gsize)(p - w->buf);
            if (w->cap - at < n + 6 + NCOLS * 9) {
                while (w->cap - at < n + 6 + NCOLS * 9)
                    w->cap *= 2;
                w->buf = g_realloc(w->buf, w->cap);
                p = w->buf + at;
            }
            if (n < TAG_SAME) {
                *p++ = (guint8)n;
            } else {
                *p++ = TAG_LONG;
                p = le_put32(p, (uint32_t)n);
            }
            memcpy(p, sv, n);
            p += n;
            *p++ = 0;
            if (w->prev_cap[k] < n + 1) {
                w->prev_cap[k] = MAX(n + 1, 32);
                w->prev[k] = g_realloc(w->prev[k], w->prev_cap[k]);
            }
            memcpy(w->prev[k], sv, n + 1);
            w->prev_len[k] = n;
            k++;
            break;
        }
        case T_DATE:
            p = le_put32(p, (uint32_t) * (const PbcDate *)f);
            break;
        case T_INT:
        case T_FY:
            p = le_put32(p, (uint32_t) * (const int *)f);
            break;
        case T_I64:
        case T_MFF:
            p = le_put64(p, (uint64_t) * (const int64_t *)f);
            break;
        case T_BOOL:
            *p++ = *(const gboolean *)f ? 1 : 0;
            break;
        case T_DATASET:
            *p++ = (guint8) * (const Dataset *)f;
            break;
        }
    }
    w->have_prev = TRUE;
    gsize len = (gsize)(p - w->buf);
    le_put32(w->buf, (uint32_t)(len - 4));
    csv_out_raw(out, w->buf, len);
    csv_out_count_row(out);
}

void
unit_write(CsvOut *out, const Unit *u)
{
    char buf[32];
    if (csv_out_is_binary(out)) {
        write_binary(out, u);
        return;
    }
    for (size_t i = 0; i < NCOLS; i++) {
        const void *p = (const char *)u + cols[i].off;
        switch (cols[i].type) {
        case T_STR:
            csv_out_str(out, *(const char *const *)p);
            break;
        case T_DATE: {
            PbcDate d = *(const PbcDate *)p;
            if (d == PBC_NO_DATE)
                csv_out_blank(out);
            else
                csv_out_str(out, date_format(d, buf));
            break;
        }
        case T_INT: {
            int v = *(const int *)p;
            if (v < 0)
                csv_out_blank(out);
            else
                csv_out_int(out, v);
            break;
        }
        case T_I64: {
            int64_t v = *(const int64_t *)p;
            if (v == PBC_NONE)
                csv_out_blank(out);
            else
                csv_out_int(out, v);
            break;
        }
        case T_BOOL:
            csv_out_int(out, *(const gboolean *)p ? 1 : 0);
            break;
        case T_DATASET:
            csv_out_str(out, dataset_name(*(const Dataset *)p));
            break;
        case T_FY: {
            int fy = *(const int *)p;
            if (fy <= 0)
                csv_out_blank(out);
            else
                csv_out_str(out, fy_format(fy, buf));
            break;
        }
        case T_MFF: {
            int64_t v = *(const int64_t *)p;
            if (v == PBC_NONE)
                csv_out_blank(out);
            else
                csv_out_str(out, decimal_format(v, 6, buf));
            break;
        }
        }
    }
    csv_out_end(out);
}

struct UnitIn {
    CsvIn *csv;
    int idx[NCOLS];
    /* binary form */
    char *path;
    int fd;
    int version;             /* 1 or 2 */
    guint8 *buf;
    gsize pos, end, cap;
    uint64_t record;
    /* version 2: each string column's current value (for TAG_SAME), and a
     * copy of it when the buffer it pointed into is about to move */
    const char *cur[NCOLS];
    char *keep[NCOLS];
    gsize keep_cap[NCOLS];
};

/*
 * Before the buffer moves: a current value that points into it is copied to
 * the column's own storage, so that a later TAG_SAME still finds it.
 */
static void
detach_current(UnitIn *in)
{
    const char *lo = (const char *)in->buf, *hi = lo + in->end;
    for (guint k = 0; k < nstr; k++) {
        const char *c = in->cur[k];
        if (c == NULL || c < lo || c >= hi)
            continue;
        gsize n = strlen(c) + 1;
        if (in->keep_cap[k] < n) {
            in->keep_cap[k] = MAX(n, 32);
            g_free(in->keep[k]);
            in->keep[k] = g_malloc(in->keep_cap[k]);
        }
        memcpy(in->keep[k], c, n);
        in->cur[k] = in->keep[k];
    }
}

static gboolean
bin_fill(UnitIn *in, gsize need, GError **error)
{
    if (in->end - in->pos >= need)
        return TRUE;
    if (in->version == 2)
        detach_current(in);
    if (in->pos > 0) {
        memmove(in->buf, in->buf + in->pos, in->end - in->pos);
        in->end -= in->pos;
        in->pos = 0;
    }
    /* Grow only as data actually arrives: a corrupt record length must fail as
     * truncated, not ask for gigabytes up front. */
    while (in->end < need) {
        if (in->end == in->cap) {
            in->cap *= 2;
            in->buf = g_realloc(in->buf, in->cap);
        }
        ssize_t n = read(in->fd, in->buf + in->end, in->cap - in->end);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            g_set_error(error, PBC_ERROR, PBC_ERROR_IO, "could not read file \"%s\": %s",
                        in->path, g_strerror(errno));
            return FALSE;
        }
        if (n == 0)
            return TRUE; /* caller checks how much there is */
        in->end += (gsize)n;
    }
    return TRUE;
}

static int
bin_truncated(UnitIn *in, GError **error)
{
    g_set_error(error, PBC_ERROR, PBC_ERROR_FORMAT,
                "file \"%s\": intermediate record %" G_GUINT64_FORMAT " is truncated or corrupt",
                in->path, in->record + 1);
    return -1;
}

/*
 * The next record of a binary file: 1 with [*p, *end) its fields, 0 at the
 * end, -1 with error.
 */
static inline int
bin_record(UnitIn *in, guint8 **p, guint8 **end, GError **error)
{
    if (!bin_fill(in, 4, error))
        return -1;
    if (in->end == in->pos)
        return 0;
    if (in->end - in->pos < 4)
        return bin_truncated(in, error);
    uint32_t len = le_get32(in->buf + in->pos);
    if (!bin_fill(in, 4 + (gsize)len, error))
        return -1;
    if (in->end - in->pos < 4 + (gsize)len)
        return bin_truncated(in, error);
    *p = in->buf + in->pos + 4;
    *end = *p + len;
    in->pos += 4 + (gsize)len;
    return 1;
}

/* Decodes a fixed-width field (every type but T_STR) at p; the byte after it, or NULL. */
static inline guint8 *
bin_fixed(ColType type, void *dst, guint8 *p, const guint8 *end)
{
    switch (type) {
    case T_DATE:
    case T_INT:
    case T_FY:
        if (end - p < 4)
            return NULL;
        *(int32_t *)dst = (int32_t)le_get32(p);
        return p + 4;
    case T_I64:
    case T_MFF:
        if (end - p < 8)
            return NULL;
        *(int64_t *)dst = (int64_t)le_get64(p);
        return p + 8;
    case T_BOOL:
        if (end - p < 1)
            return NULL;
        *(gboolean *)dst = *p != 0;
        return p + 1;
    case T_DATASET:
        if (end - p < 1 || *p >= DS_COUNT)
            return NULL;
        *(Dataset *)dst = (Dataset)*p;
        return p + 1;
    default:
        return NULL;
    }
}

static int
bin_next(UnitIn *in, Unit *u, GError **error)
{
    guint8 *p, *end;
    int rc = bin_record(in, &p, &end, error);
    if (rc <= 0)
        return rc;
    unit_clear(u);
    for (size_t i = 0; i < NCOLS; i++) {
        void *dst = (char *)u + cols[i].off;
        switch (cols[i].type) {
        case T_STR: {
            if (end - p < 4)
                return bin_truncated(in, error);
            uint32_t n = le_get32(p);
            p += 4;
            if ((gsize)(end - p) < (gsize)n + 1 || p[n] != 0)
                return bin_truncated(in, error);
            *(const char **)dst = (const char *)p;
            p += n + 1;
            break;
        }
        default:
            p = bin_fixed(cols[i].type, dst, p, end);
            if (p == NULL)
                return bin_truncated(in, error);
            break;
        }
    }
    if (p != end)
        return bin_truncated(in, error);
    in->record++;
    return 1;
}

/* One PBCUNITS2 record (see the top of the file). */
static int
bin2_next(UnitIn *in, Unit *u, GError **error)
{
    guint8 *p, *end;
    int rc = bin_record(in, &p, &end, error);
    if (rc <= 0)
        return rc;
    guint k = 0;
    for (size_t i = 0; i < NCOLS; i++) {
        void *dst = (char *)u + cols[i].off;
        switch (cols[i].type) {
        case T_STR: {
            if (p >= end)
                return bin_truncated(in, error);
            guint t = *p++;
            if (t == TAG_SAME) {
                if (in->cur[k] == NULL)
                    return bin_truncated(in, error);
            } else {
                uint32_t n = t;
                if (t == TAG_LONG) {
                    if (end - p < 4)
                        return bin_truncated(in, error);
                    n = le_get32(p);
                    p += 4;
                } else if (t > TAG_LONG) {
                    return bin_truncated(in, error);
                }
                if ((gsize)(end - p) < (gsize)n + 1 || p[n] != 0)
                    return bin_truncated(in, error);
                in->cur[k] = (const char *)p;
                p += n + 1;
            }
            *(const char **)dst = in->cur[k];
            k++;
            break;
        }
        default:
            p = bin_fixed(cols[i].type, dst, p, end);
            if (p == NULL)
                return bin_truncated(in, error);
            break;
        }
    }
    if (p != end)
        return bin_truncated(in, error);
    in->record++;
    return 1;
}

UnitIn *
unit_in_open(const char *path, GError **error)
{
    int fd = strcmp(path, "-") == 0 ? dup(0) : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        g_set_error(error, PBC_ERROR, PBC_ERROR_IO, "could not open file \"%s\": %s", path,
                    g_strerror(errno));
        return NULL;
    }
    UnitIn *bin = g_new0(UnitIn, 1);
    bin->fd = fd;
    bin->path = g_strdup(path);
    bin->cap = 1 << 20;
    bin->buf = g_malloc(bin->cap);
    if (!bin_fill(bin, MAGIC_LEN, error)) {
        unit_in_free(bin);
        return NULL;
    }
    if (bin->end >= MAGIC_LEN && memcmp(bin->buf, unit_magic, MAGIC_LEN) == 0) {
        str_cols_init();
        bin->version = 2;
        bin->pos = MAGIC_LEN;
        return bin;
    }
    if (bin->end >= MAGIC_LEN && memcmp(bin->buf, unit_magic1, MAGIC_LEN) == 0) {
        bin->version = 1;
        bin->pos = MAGIC_LEN;
        return bin;
    }
    /* Not binary: read it as the CSV form, from the start (a pipe cannot rewind,
     * so the CSV form is for files). */
    unit_in_free(bin);
    CsvIn *csv = csv_in_open(path, error);
    if (csv == NULL)
        return NULL;
    UnitIn *in = g_new0(UnitIn, 1);
    in->csv = csv;
    if (!csv_in_read_header(csv, error) || !csv_in_require(csv, unit_header(), in->idx, error)) {
        unit_in_free(in);
        return NULL;
    }
    return in;
}

void
unit_in_free(UnitIn *in)
{
    if (in == NULL)
        return;
    csv_in_free(in->csv);
    if (in->buf) {
        close(in->fd);
        g_free(in->buf);
        g_free(in->path);
    }
    for (guint i = 0; i < NCOLS; i++)
        g_free(in->keep[i]);
    g_free(in);
}

static gboolean
bad(UnitIn *in, size_t col, GError **error)
{
    g_set_error(error, PBC_ERROR, PBC_ERROR_FORMAT,
                "file \"%s\" line %" G_GINT64_FORMAT ": invalid value \"%s\" in column \"%s\" "
                "of an intermediate file",
                csv_in_path(in->csv), csv_in_line(in->csv),
                csv_in_field(in->csv, in->idx[col]), cols[col].name);
    return FALSE;
}

int
unit_in_next_batch(UnitIn *in, Unit *units, int max, GError **error)
{
    if (in->csv != NULL || in->version != 2) {
        int rc = max > 0 ? unit_in_next(in, &units[0], error) : 0;
        return rc <= 0 ? rc : 1;
    }
    int n = 0;
    while (n < max) {
        /* Refilling moves the buffer the batch's units point into: the batch
         * ends at the first record not already whole in the buffer.  (Values
         * repeated from earlier records live in the buffer or in keep[],
         * which changes only at a refill too.) */
        if (n > 0 && (in->end - in->pos < 4
                      || in->end - in->pos < 4 + (gsize)le_get32(in->buf + in->pos)))
            break;
        int rc = bin2_next(in, &units[n], error);
        if (rc < 0)
            return -1;
        if (rc == 0)
            break;
        n++;
    }
    return n;
}

int
unit_in_next(UnitIn *in, Unit *u, GError **error)
{
    if (in->csv == NULL)
        return in->version == 2 ? bin2_next(in, u, error) : bin_next(in, u, error);
    int rc = csv_in_next(in->csv, error);
    if (rc <= 0)
        return rc;
    if (csv_in_broken(in->csv) || csv_in_count(in->csv) != csv_in_header_count(in->csv)) {
        g_set_error(error, PBC_ERROR, PBC_ERROR_FORMAT,
                    "file \"%s\" line %" G_GINT64_FORMAT ": malformed intermediate record",
                    csv_in_path(in->csv), csv_in_line(in->csv));
        return -1;
    }
    unit_clear(u);
    for (size_t i = 0; i < NCOLS; i++) {
        const char *s = csv_in_field(in->csv, in->idx[i]);
        void *p = (char *)u + cols[i].off;
        int64_t v;
        switch (cols[i].type) {
        case T_STR:
            *(const char **)p = s;
            break;
        case T_DATE:
            if (*s && !date_parse(s, (PbcDate *)p))
                return bad(in, i, error) ? 0 : -1;
            break;
        case T_INT:
            if (*s) {
                if (!decimal_parse(s, 0, &v) || v < 0 || v > INT32_MAX)
                    return bad(in, i, error) ? 0 : -1;
                *(int *)p = (int)v;
            }
            break;
        case T_I64:
            if (*s && !decimal_parse(s, 0, (int64_t *)p))
                return bad(in, i, error) ? 0 : -1;
            break;
        case T_BOOL:
            *(gboolean *)p = s[0] == '1';
            break;
        case T_DATASET:
            if (!dataset_parse(s, (Dataset *)p))
                return bad(in, i, error) ? 0 : -1;
            break;
        case T_FY:
            if (*s && !fy_parse(s, (int *)p))
                return bad(in, i, error) ? 0 : -1;
            break;
        case T_MFF:
            if (*s && !decimal_parse(s, 6, (int64_t *)p))
                return bad(in, i, error) ? 0 : -1;
            break;
        }
    }
    return 1;
}
