/*
 * pbc-ingest: the first stage.  Reads CDS activity extracts (APC, OP, A&E;
 * plain or gzip CSV), validates every row (R-I2), applies net change across
 * re-submissions (R-I3), builds spells (R-I4) and writes the units for
 * attribution.  Every row read ends in exactly one place (R-I1): a unit,
 * superseded, or rejects.csv with file, line, reason and the raw record; the
 * per-file reconciliation says so.  Too many rejects fail the run (R-I5);
 * a corrupt file fails it at once (R-I6).  Outputs are renamed into place
 * only when everything succeeded.
 *
 * Three ways to run, with the same outputs:
 *   pbc-ingest [options] INPUT...     reads the extracts and writes the units
 *   pbc-ingest --part -o P EXTRACT    the per-file step: validates one extract
 *                                     into a part file P (accepted rows as
 *                                     compact records, rejects, row counts)
 *   pbc-ingest --merge [options] P... net change, spells and every output from
 *                                     the parts, taken in byte order of their
 *                                     extracts' names (R-I3)
 * pipeline.mk runs the parts as independent targets, so `make -j` parses
 * extracts in parallel and a re-run re-parses only the extracts that changed;
 * the merge maps the parts and never copies their records.
 */
#include "activity.h"
#include "conf.h"
#include "counter.h"
#include "csv_out.h"
#include "decimal.h"
#include "extract.h"
#include "le.h"
#include "log.h"
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static char *opt_ref;
static char *opt_output = "-";
static char *opt_rejects;
static char *opt_file_recon;
static char *opt_dq;
static char *opt_deletions;
static char *opt_limit;
static gboolean opt_quiet;
static gboolean opt_part;
static gboolean opt_merge;
static char **opt_inputs;

static GOptionEntry entries[] = {
    {"ref", 'r', 0, G_OPTION_ARG_FILENAME, &opt_ref,
     "reference directory; its pbc.conf sets reject_rate_limit", "DIR"},
    {"output", 'o', 0, G_OPTION_ARG_FILENAME, &opt_output, "units file (default: - = stdout)",
     "FILE"},
    {"rejects", 0, 0, G_OPTION_ARG_FILENAME, &opt_rejects, "write rejected rows here (R-I1)",
     "FILE"},
    {"file-reconciliation", 0, 0, G_OPTION_ARG_FILENAME, &opt_file_recon,
     "write read = accepted + superseded + rejected per file here", "FILE"},
    {"data-quality", 0, 0, G_OPTION_ARG_FILENAME, &opt_dq,
     "write row counts by provider and activity month here (R-G5)", "FILE"},
    {"deletions", 0, 0, G_OPTION_ARG_FILENAME, &opt_deletions,
     "write the deletions that stand (R-I3) here, for the change report", "FILE"},
    {"reject-rate-limit", 0, 0, G_OPTION_ARG_STRING, &opt_limit,
     "fail when rejects exceed this percent of rows read (default: pbc.conf, else 1)", "PCT"},
    {"part", 'p', 0, G_OPTION_ARG_NONE, &opt_part,
     "validate one extract into a part file (-o) for --merge: the per-file step", NULL},
    {"merge", 'm', 0, G_OPTION_ARG_NONE, &opt_merge,
     "the inputs are part files from --part: apply net change and write the outputs", NULL},
    {"quiet", 'q', 0, G_OPTION_ARG_NONE, &opt_quiet, "only errors and warnings", NULL},
    {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &opt_inputs, NULL, "INPUT..."},
    {NULL, 0, 0, 0, NULL, NULL, NULL}};

static const char *const rejects_header[] = {"file", "line", "dataset", "reason", "column",
                                             "raw_record", NULL};
static const char *const recon_header[] = {"file",       "dataset",  "read", "accepted",
                                           "superseded", "rejected", NULL};
static const char *const deletions_header[] = {"file", "line", "dataset", "cds_unique_id",
                                               "unit_id", NULL};
static const char *const dq_header[] = {"provider_code", "activity_month", "measure", "reason",
                                        "count", NULL};

typedef struct {
    char *path;
    char *name;          /* the extract's name (from the part file in --merge) */
    Dataset dataset;
    uint64_t read, rejected;
    /* --merge: the part file, mapped, and where its sections are */
    guint8 *map;
    gsize map_len;
    const guint8 *dq, *rejects, *records;
    guint32 ndq;
    guint64 nrejects;
    gsize records_len;
} InFile;

static gboolean
wanted_name(const char *name)
{
    return name[0] != '.'
           && (g_str_has_suffix(name, ".csv") || g_str_has_suffix(name, ".csv.gz")
               || g_str_has_suffix(name, ".gz"));
}

static gint
cmp_infile(gconstpointer a, gconstpointer b)
{
    const InFile *x = *(InFile *const *)a, *y = *(InFile *const *)b;
    int c = strcmp(x->name, y->name);
    return c ? c : strcmp(x->path, y->path);
}

static void
infile_free(gpointer p)
{
    InFile *f = p;
    if (f->map)
        munmap(f->map, f->map_len);
    g_free(f->path);
    g_free(f->name);
    g_free(f);
}

/*
 * Expands the inputs: a directory contributes its regular, non-hidden
 * *.csv, *.csv.gz and *.gz files; a file stands for itself.  Sorted in byte
 * order of their names (SPEC §3.1).
 */
static GPtrArray *
collect_inputs(char **inputs, GError **error)
{
    GPtrArray *files = g_ptr_array_new_with_free_func(infile_free);
    for (char **p = inputs; p && *p; p++) {
        struct stat st;
        if (stat(*p, &st) != 0) {
            g_set_error(error, PBC_ERROR, PBC_ERROR_IO, "could not open \"%s\": %s", *p,
                        g_strerror(errno));
            g_ptr_array_free(files, TRUE);
            return NULL;
        }
        if (!S_ISDIR(st.st_mode)) {
            InFile *f = g_new0(InFile, 1);
            f->path = g_strdup(*p);
            f->name = g_path_get_basename(*p);
            g_ptr_array_add(files, f);
            continue;
        }
        GDir *dir = g_dir_open(*p, 0, error);
        if (dir == NULL) {
            g_ptr_array_free(files, TRUE);
            return NULL;
        }
        const char *name;
        while ((name = g_dir_read_name(dir)) != NULL) {
            g_autofree char *path = g_build_filename(*p, name, NULL);
            /* Regular files only (a link to one counts, as stat() sees it). */
            if (!wanted_name(name) || !g_file_test(path, G_FILE_TEST_IS_REGULAR))
                continue;
            InFile *f = g_new0(InFile, 1);
            f->path = g_steal_pointer(&path);
            f->name = g_strdup(name);
            g_ptr_array_add(files, f);
        }
        g_dir_close(dir);
    }
    g_ptr_array_sort(files, cmp_infile);
    return files;
}

typedef struct {
    CsvOut *units;
    uint64_t written;
} EmitCtx;

static void
emit_unit(const Unit *u, gpointer data)
{
    EmitCtx *e = data;
    unit_write(e->units, u);
    e->written++;
}

static void
dq_add_n(Counter *dq, const char *provider, int month, const char *measure, const char *reason,
         int64_t n)
{
    char mbuf[8] = "";
    if (month >= 0)
        month_format(month, mbuf);
    const char *parts[4] = {provider, mbuf, measure, reason};
    counter_add(dq, parts, &n);
}

/*
 * A file's row counts by provider, activity month and outcome (R-G5), kept
 * in a short list while the file is read (a file holds few providers and
 * months) and added to the run's counter at its end: counting 13 million
 * rows one by one into the counter cost more than validating them.
 * reason RJ_NONE counts ROWS_READ; any other, REJECTED for that reason.
 */
typedef struct {
    char *provider;
    int month;
    RejectReason reason;
    uint64_t count;
} DqEntry;

static void
dq_count(GArray *list, const char *provider, int month, RejectReason reason)
{
    DqEntry *e = (DqEntry *)list->data;
    for (guint i = 0; i < list->len; i++)
        if (e[i].month == month && e[i].reason == reason && strcmp(e[i].provider, provider) == 0) {
            e[i].count++;
            return;
        }
    DqEntry n = {g_strdup(provider), month, reason, 1};
    g_array_append_val(list, n);
}

static void
dq_entry_clear(gpointer p)
{
    g_free(((DqEntry *)p)->provider);
}

static void
dq_flush(GArray *list, Counter *dq)
{
    const DqEntry *e = (const DqEntry *)list->data;
    for (guint i = 0; i < list->len; i++)
        dq_add_n(dq, e[i].provider, e[i].month, e[i].reason == RJ_NONE ? "ROWS_READ" : "REJECTED",
                 e[i].reason == RJ_NONE ? "" : reject_reason_name(e[i].reason),
                 (int64_t)e[i].count);
}

/* ACCEPTED and SUPERSEDED counts, a run of equal keys at a time. */
typedef struct {
    Counter *dq;
    char provider[64];
    gboolean have, long_provider, superseded;
    int month;
    int64_t n;
} DqRun;

static void
dq_run_flush(DqRun *r)
{
    if (r->have && r->n > 0)
        dq_add_n(r->dq, r->provider, r->month, r->superseded ? "SUPERSEDED" : "ACCEPTED", "",
                 r->n);
    r->n = 0;
}

static void
dq_row(const char *provider, int month, gboolean superseded, gpointer data)
{
    DqRun *r = data;
    gsize len = strlen(provider);
    if (len >= sizeof r->provider) {
        /* not a valid provider code anyway; counted on its own */
        dq_run_flush(r);
        r->have = FALSE;
        dq_add_n(r->dq, provider, month, superseded ? "SUPERSEDED" : "ACCEPTED", "", 1);
        return;
    }
    if (r->have && r->month == month && r->superseded == superseded
        && strcmp(r->provider, provider) == 0) {
        r->n++;
        return;
    }
    dq_run_flush(r);
    memcpy(r->provider, provider, len + 1);
    r->month = month;
    r->superseded = superseded;
    r->have = TRUE;
    r->n = 1;
}

typedef struct {
    CsvOut *units, *rejects, *recon, *dq, *deletions;
} Outputs;

static void
write_deletion(Dataset ds, const char *id, const char *unit_id, const char *file, int64_t line,
               gpointer data)
{
    CsvOut *o = data;
    csv_out_str(o, file);
    csv_out_int(o, line);
    csv_out_str(o, dataset_name(ds));
    csv_out_str(o, id);
    csv_out_str(o, unit_id);
    csv_out_end(o);
}

static void
outputs_abort(Outputs *o)
{
    csv_out_abort(o->units);
    csv_out_abort(o->rejects);
    csv_out_abort(o->recon);
    csv_out_abort(o->dq);
    csv_out_abort(o->deletions);
    memset(o, 0, sizeof *o);
}

static CsvOut *
maybe_create(const char *path, int mode, const char *const *header, GError **error)
{
    return path ? csv_out_create(path, mode, header, error) : NULL;
}

/* Where read_file() puts what it reads. */
typedef struct {
    ActivityStore *store; /* accepted rows (direct run) ... */
    guint index;          /* ... as this file of the store */
    GByteArray *records;  /* or: accepted rows as records (--part) */
    CsvOut *rejects;      /* rejected rows (direct run), or NULL */
    GByteArray *rejs;     /* or: rejected rows encoded for the part (--part) */
    GArray *dq;           /* DqEntry */
} Sink;

static void
put_u32(GByteArray *b, uint32_t v)
{
    guint8 x[4];
    le_put32(x, v);
    g_byte_array_append(b, x, 4);
}

static void
put_u64(GByteArray *b, uint64_t v)
{
    put_u32(b, (uint32_t)v);
    put_u32(b, (uint32_t)(v >> 32));
}

static void
put_bytes(GByteArray *b, const void *p, gsize n)
{
    put_u32(b, (uint32_t)n);
    g_byte_array_append(b, p, (guint)n);
}

static void
write_reject(CsvOut *o, const char *file, int64_t line, Dataset ds, RejectReason reason, int column,
             const char *raw, gsize len)
{
    csv_out_str(o, file);
    csv_out_int(o, line);
    csv_out_str(o, dataset_name(ds));
    csv_out_str(o, reject_reason_name(reason));
    csv_out_str(o, column >= 0 ? extract_col_name((ExtractCol)column) : "");
    csv_out_strn(o, raw, len);
    csv_out_end(o);
}

/* Reads one file: accepted rows, rejects and row counts go to the sink. */
static gboolean
read_file(InFile *f, Sink *k, GError **error)
{
    g_autoptr(Extract) x = extract_open(f->path, error);
    if (x == NULL)
        return FALSE;
    f->dataset = extract_dataset(x);
    ExtractRow row;
    RejectReason reason;
    int column, rc;
    while ((rc = extract_next(x, &row, &reason, &column, error)) > 0) {
        f->read++;
        int month = reason == RJ_NONE             ? extract_row_month(&row)
                    : reason == RJ_BROKEN_QUOTING ? -1
                                                  : extract_activity_month(x);
        const char *provider = reason == RJ_BROKEN_QUOTING ? "" : extract_value(x, X_PROVIDER_CODE);
        dq_count(k->dq, provider, month, RJ_NONE);
        if (reason == RJ_NONE) {
            if (k->store)
                activity_add(k->store, k->index, &row, month);
            else
                activity_encode(&row, month, k->records);
            continue;
        }
        f->rejected++;
        dq_count(k->dq, provider, month, reason);
        gsize len;
        const char *raw = extract_raw(x, &len);
        if (k->rejects)
            write_reject(k->rejects, f->name, extract_line(x), f->dataset, reason, column, raw,
                         len);
        if (k->rejs) {
            put_u64(k->rejs, (uint64_t)extract_line(x));
            put_u32(k->rejs, (uint32_t)reason);
            put_u32(k->rejs, (uint32_t)column);
            put_bytes(k->rejs, raw, len);
        }
        if (f->rejected <= 5)
            pbc_warning("file \"%s\" line %" G_GINT64_FORMAT ": rejected: %s%s%s", f->name,
                        extract_line(x), reject_reason_name(reason), column >= 0 ? " in " : "",
                        column >= 0 ? extract_col_name((ExtractCol)column) : "");
    }
    if (rc < 0)
        return FALSE;
    if (f->rejected > 5)
        pbc_warning("file \"%s\": %" G_GUINT64_FORMAT " rows rejected in all", f->name,
                    f->rejected);
    pbc_info("read \"%s\": %s, %" G_GUINT64_FORMAT " rows, %" G_GUINT64_FORMAT " rejected",
             f->name, dataset_name(f->dataset), f->read, f->rejected);
    return TRUE;
}

/*
 * Part files (--part, --merge).  Little-endian:
 *   "PBCPART2\n"; u32 length and bytes of the extract's name; u8 dataset;
 *   u64 rows read; u64 rows rejected;
 *   u32 row-count entries: u32 length and bytes of the provider, i32 month
 *     key (-1 none), u32 reason (0 = ROWS_READ), u64 count;
 *   u64 rejects: i64 line, u32 reason, i32 column (-1 none), u32 length and
 *     bytes of the raw record;
 *   u64 length of the records, then the accepted rows as activity_encode()
 *     records, in file order, to the end of the file.
 * Parts hold patient data: created 0600 like every intermediate file.
 */
static const char part_magic[] = "PBCPART2\n";
#define PART_MAGIC_LEN (sizeof part_magic - 1)

static int
run_part(InFile *f, GError **error)
{
    g_autoptr(GByteArray) records = g_byte_array_sized_new(1 << 20);
    g_autoptr(GByteArray) rejs = g_byte_array_new();
    g_autoptr(GArray) dq = g_array_new(FALSE, FALSE, sizeof(DqEntry));
    g_array_set_clear_func(dq, dq_entry_clear);
    Sink k = {.records = records, .rejs = rejs, .dq = dq};
    if (!read_file(f, &k, error))
        return -1;
    g_autoptr(GByteArray) head = g_byte_array_new();
    g_byte_array_append(head, (const guint8 *)part_magic, PART_MAGIC_LEN);
    put_bytes(head, f->name, strlen(f->name));
    guint8 ds = (guint8)f->dataset;
    g_byte_array_append(head, &ds, 1);
    put_u64(head, f->read);
    put_u64(head, f->rejected);
    put_u32(head, dq->len);
    for (guint i = 0; i < dq->len; i++) {
        const DqEntry *e = &g_array_index(dq, DqEntry, i);
        put_bytes(head, e->provider, strlen(e->provider));
        put_u32(head, (uint32_t)e->month);
        put_u32(head, (uint32_t)e->reason);
        put_u64(head, e->count);
    }
    put_u64(head, f->rejected);
    CsvOut *o = csv_out_create(opt_output, CSV_OUT_PATIENT, NULL, error);
    if (o == NULL)
        return -1;
    csv_out_raw(o, head->data, head->len);
    csv_out_raw(o, rejs->data, rejs->len);
    g_byte_array_set_size(head, 0);
    put_u64(head, records->len);
    csv_out_raw(o, head->data, head->len);
    csv_out_raw(o, records->data, records->len);
    return csv_out_commit(o, error) ? PBC_EXIT_OK : -1;
}

/* Reading a mapped part: a cursor that fails once on running out. */
typedef struct {
    const guint8 *p, *end;
    gboolean bad;
} Cur;

static uint32_t
cur_u32(Cur *c)
{
    if (c->bad || c->end - c->p < 4) {
        c->bad = TRUE;
        return 0;
    }
    const guint8 *p = c->p;
    c->p += 4;
    return le_get32(p);
}

static uint64_t
cur_u64(Cur *c)
{
    uint64_t lo = cur_u32(c);
    return lo | (uint64_t)cur_u32(c) << 32;
}

static const guint8 *
cur_bytes(Cur *c, gsize n)
{
    if (c->bad || (gsize)(c->end - c->p) < n) {
        c->bad = TRUE;
        return NULL;
    }
    const guint8 *p = c->p;
    c->p += n;
    return p;
}

/* Maps part file f->path and reads its header into f. */
static gboolean
part_open(InFile *f, GError **error)
{
    int fd = open(f->path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        g_set_error(error, PBC_ERROR, PBC_ERROR_IO, "could not open file \"%s\": %s", f->path,
                    g_strerror(errno));
        if (fd >= 0)
            close(fd);
        return FALSE;
    }
    f->map_len = (gsize)st.st_size;
    if (f->map_len > 0) {
        void *m = mmap(NULL, f->map_len, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m == MAP_FAILED) {
            g_set_error(error, PBC_ERROR, PBC_ERROR_IO, "could not read file \"%s\": %s",
                        f->path, g_strerror(errno));
            close(fd);
            return FALSE;
        }
        f->map = m;
        madvise(f->map, f->map_len, MADV_WILLNEED);
    }
    close(fd);
    Cur c = {f->map, f->map + f->map_len, FALSE};
    const guint8 *magic = cur_bytes(&c, PART_MAGIC_LEN);
    if (magic == NULL || memcmp(magic, part_magic, PART_MAGIC_LEN) != 0) {
        g_set_error(error, PBC_ERROR, PBC_ERROR_FORMAT,
                    "file \"%s\" is not a part file of pbc-ingest --part", f->path);
        return FALSE;
    }
    uint32_t nl = cur_u32(&c);
    const guint8 *name = cur_bytes(&c, nl);
    const guint8 *ds = cur_bytes(&c, 1);
    f->read = cur_u64(&c);
    f->rejected = cur_u64(&c);
    f->ndq = cur_u32(&c);
    f->dq = c.p;
    for (uint32_t i = 0; i < f->ndq && !c.bad; i++) {
        cur_bytes(&c, cur_u32(&c));
        cur_bytes(&c, 4 + 4 + 8);
    }
    f->nrejects = cur_u64(&c);
    f->rejects = c.p;
    for (uint64_t i = 0; i < f->nrejects && !c.bad; i++) {
        cur_bytes(&c, 8 + 4 + 4);
        cur_bytes(&c, cur_u32(&c));
    }
    f->records_len = (gsize)cur_u64(&c);
    f->records = cur_bytes(&c, f->records_len);
    if (c.bad || c.p != c.end || ds[0] >= DS_COUNT || f->nrejects != f->rejected
        || memchr(name, 0, nl) != NULL) {
        g_set_error(error, PBC_ERROR, PBC_ERROR_FORMAT,
                    "file \"%s\": part file truncated or corrupt", f->path);
        return FALSE;
    }
    f->dataset = (Dataset)ds[0];
    g_free(f->name);
    f->name = g_strndup((const char *)name, nl);
    return TRUE;
}

/* A part's row counts into the run's counter and its rejects into the rejects file. */
static gboolean
part_load(InFile *f, Counter *dq, CsvOut *rejects, GError **error)
{
    Cur c = {f->dq, f->map + f->map_len, FALSE};
    for (uint32_t i = 0; i < f->ndq; i++) {
        uint32_t n = cur_u32(&c);
        g_autofree char *prov = g_strndup((const char *)cur_bytes(&c, n), n);
        int month = (int)cur_u32(&c);
        uint32_t reason = cur_u32(&c);
        int64_t count = (int64_t)cur_u64(&c);
        if (c.bad || reason >= RJ_COUNT)
            goto bad;
        dq_add_n(dq, prov, month, reason == RJ_NONE ? "ROWS_READ" : "REJECTED",
                 reason == RJ_NONE ? "" : reject_reason_name((RejectReason)reason), count);
    }
    c.p = f->rejects;
    for (uint64_t i = 0; i < f->nrejects; i++) {
        int64_t line = (int64_t)cur_u64(&c);
        uint32_t reason = cur_u32(&c);
        int column = (int)cur_u32(&c);
        uint32_t n = cur_u32(&c);
        const guint8 *raw = cur_bytes(&c, n);
        if (c.bad || reason == RJ_NONE || reason >= RJ_COUNT || column < -1 || column >= X_NCOLS)
            goto bad;
        if (rejects)
            write_reject(rejects, f->name, line, f->dataset, (RejectReason)reason, column,
                         (const char *)raw, n);
    }
    return TRUE;
bad:
    g_set_error(error, PBC_ERROR, PBC_ERROR_FORMAT, "file \"%s\": part file truncated or corrupt",
                f->path);
    return FALSE;
}

static gint
cmp_worst(gconstpointer a, gconstpointer b)
{
    const InFile *x = *(InFile *const *)a, *y = *(InFile *const *)b;
    if (x->rejected != y->rejected)
        return x->rejected > y->rejected ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* R-I5: the run's rejects against the limit, over all files together. */
static gboolean
check_reject_rate(GPtrArray *files, int64_t limit_micro, GError **error)
{
    uint64_t read = 0, rejected = 0;
    for (guint i = 0; i < files->len; i++) {
        InFile *f = g_ptr_array_index(files, i);
        read += f->read;
        rejected += f->rejected;
    }
    /* rejected / read > limit / 100, in integers */
    if ((__int128)rejected * 100 * PBC_MICRO <= (__int128)limit_micro * read)
        return TRUE;
    /* A shallow copy to sort: g_ptr_array_copy() would inherit files' free
     * function and free every InFile a second time. */
    g_autoptr(GPtrArray) worst = g_ptr_array_sized_new(files->len);
    for (guint i = 0; i < files->len; i++)
        g_ptr_array_add(worst, g_ptr_array_index(files, i));
    g_ptr_array_sort(worst, cmp_worst);
    GString *msg = g_string_new(NULL);
    char lim[32];
    /* "1" or "0.5", not "1.000000" */
    decimal_format(limit_micro, 6, lim);
    for (char *e = lim + strlen(lim) - 1; *e == '0' || *e == '.'; e--) {
        gboolean dot = *e == '.';
        *e = '\0';
        if (dot)
            break;
    }
    g_string_printf(msg,
                    "rejected rows exceed the limit: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
                    " rows read (%.2f%%), limit %s%%",
                    rejected, read, read ? 100.0 * (double)rejected / (double)read : 0.0, lim);
    g_string_append(msg, "\ndetail: worst files:");
    for (guint i = 0; i < worst->len && i < 3; i++) {
        InFile *f = g_ptr_array_index(worst, i);
        if (f->rejected == 0)
            break;
        g_string_append_printf(msg, "%s \"%s\" %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT,
                               i ? ";" : "", f->name, f->rejected, f->read);
    }
    g_string_append(msg, "\nhint: see the rejects file for each row's reason");
    g_set_error_literal(error, PBC_ERROR, PBC_ERROR_DATA, msg->str);
    g_string_free(msg, TRUE);
    return FALSE;
}

static int
run(GPtrArray *files, int64_t limit_micro, GError **error)
{
    Outputs o = {0};
    g_autoptr(ActivityStore) store = activity_new();
    g_autoptr(Counter) dq = counter_new(4, 1);
    g_autoptr(GArray) dq_file = g_array_new(FALSE, FALSE, sizeof(DqEntry));
    g_array_set_clear_func(dq_file, dq_entry_clear);

    o.rejects = maybe_create(opt_rejects, CSV_OUT_PATIENT, rejects_header, error);
    if (opt_rejects && o.rejects == NULL)
        goto fail;
    for (guint i = 0; i < files->len; i++) {
        InFile *f = g_ptr_array_index(files, i);
        guint idx = activity_add_file(store, f->name);
        if (opt_merge) {
            /* the parts were opened and sorted by main(); their records stay mapped */
            if (!part_load(f, dq, o.rejects, error))
                goto fail;
            if (!activity_add_records(store, idx, f->records, f->records_len, NULL, error)) {
                g_prefix_error(error, "file \"%s\": ", f->path);
                goto fail;
            }
            continue;
        }
        Sink k = {.store = store, .index = idx, .rejects = o.rejects, .dq = dq_file};
        g_array_set_size(dq_file, 0);
        if (!read_file(f, &k, error))
            goto fail;
        dq_flush(dq_file, dq);
    }
    /* The rejects are worth keeping even when the rate check fails. */
    if (o.rejects) {
        CsvOut *r = o.rejects;
        o.rejects = NULL;
        if (!csv_out_commit(r, error))
            goto fail;
    }
    if (!check_reject_rate(files, limit_micro, error))
        goto fail;

    o.units = unit_out_create(opt_output, error);
    if (o.units == NULL)
        goto fail;
    EmitCtx ec = {o.units, 0};
    activity_finish(store, emit_unit, &ec);

    if (opt_file_recon) {
        o.recon = csv_out_create(opt_file_recon, CSV_OUT_PUBLIC, recon_header, error);
        if (o.recon == NULL)
            goto fail;
        for (guint i = 0; i < files->len; i++) {
            InFile *f = g_ptr_array_index(files, i);
            ActivityFileCounts fc = activity_file_counts(store, i);
            /* R-I1: read = accepted + superseded + rejected, or the run stops. */
            if (f->read != fc.accepted + fc.superseded + f->rejected) {
                g_set_error(error, PBC_ERROR, PBC_ERROR_DATA,
                            "file \"%s\": rows do not reconcile: read %" G_GUINT64_FORMAT
                            " != accepted + superseded + rejected",
                            f->name, f->read);
                goto fail;
            }
            csv_out_str(o.recon, f->name);
            csv_out_str(o.recon, dataset_name(f->dataset));
            csv_out_int(o.recon, (int64_t)f->read);
            csv_out_int(o.recon, (int64_t)fc.accepted);
            csv_out_int(o.recon, (int64_t)fc.superseded);
            csv_out_int(o.recon, (int64_t)f->rejected);
            csv_out_end(o.recon);
        }
    }
    if (opt_dq) {
        DqRun dr = {.dq = dq};
        activity_foreach_row(store, dq_row, &dr);
        dq_run_flush(&dr);
        o.dq = csv_out_create(opt_dq, CSV_OUT_PUBLIC, dq_header, error);
        if (o.dq == NULL)
            goto fail;
        counter_write(dq, o.dq);
    }
    if (opt_deletions) {
        o.deletions = csv_out_create(opt_deletions, CSV_OUT_PUBLIC, deletions_header, error);
        if (o.deletions == NULL)
            goto fail;
        activity_foreach_deletion(store, write_deletion, o.deletions);
    }
    /* Commit the secondary outputs first, the units (what Make waits for) last. */
    CsvOut *seq[] = {o.recon, o.dq, o.deletions, o.units};
    o.recon = o.dq = o.deletions = o.units = NULL;
    for (guint i = 0; i < G_N_ELEMENTS(seq); i++) {
        if (seq[i] && !csv_out_commit(seq[i], error)) {
            for (guint j = i + 1; j < G_N_ELEMENTS(seq); j++)
                csv_out_abort(seq[j]);
            goto fail;
        }
    }
    ActivityTotals t = activity_totals(store);
    pbc_info("wrote %" G_GUINT64_FORMAT " units: %" G_GUINT64_FORMAT " spells (%" G_GUINT64_FORMAT
             " unfinished) from %" G_GUINT64_FORMAT " episodes, %" G_GUINT64_FORMAT
             " outpatient and %" G_GUINT64_FORMAT " A&E attendances; %" G_GUINT64_FORMAT
             " records deleted",
             ec.written, t.spells, t.unfinished_spells, t.episodes, t.op, t.ae, t.deleted);
    return PBC_EXIT_OK;
fail:
    outputs_abort(&o);
    return -1;
}

int
main(int argc, char **argv)
{
    pbc_log_init(argv[0]);
    csv_out_install_signal_cleanup();
    g_autoptr(GError) error = NULL;
    g_autoptr(GOptionContext) ctx = g_option_context_new("- read CDS activity extracts");
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_summary(
        ctx, "Validates APC, OP and A&E extracts (plain or gzip CSV), applies net change across\n"
             "re-submissions and builds spells.  An INPUT directory contributes its *.csv,\n"
             "*.csv.gz and *.gz files; all files are read in byte order of their names.");
    g_option_context_set_description(
        ctx, "Example:\n  pbc-ingest -r ref -o work/units.csv --rejects out/rejects.csv in/\n"
             "The same in two steps, the first one per extract (as pipeline.mk runs it):\n"
             "  pbc-ingest --part -o work/parts/apc_RA9.csv.gz.part in/apc_RA9.csv.gz\n"
             "  pbc-ingest --merge -r ref -o work/units.csv --rejects out/rejects.csv "
             "work/parts/*.part\n\n"
             "Exit status: 0 ok, 1 rejects over the limit, 2 usage, 3 unreadable or corrupt "
             "input.\n");
    if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
        pbc_error("%s", error->message);
        pbc_hint("try \"%s --help\"", pbc_log_prog());
        return PBC_EXIT_USAGE;
    }
    if (opt_quiet)
        pbc_log_set_verbose(FALSE);
    if (opt_inputs == NULL || opt_inputs[0] == NULL) {
        pbc_error("no input files or directory given");
        pbc_hint("try \"%s --help\"", pbc_log_prog());
        return PBC_EXIT_USAGE;
    }
    PbcConf conf;
    conf_defaults(&conf);
    if (opt_ref) {
        g_autofree char *path = g_build_filename(opt_ref, "pbc.conf", NULL);
        if (!conf_load(&conf, path, TRUE, &error))
            return pbc_report(error);
    }
    int64_t limit = conf.reject_rate_limit;
    conf_clear(&conf);
    if (opt_limit && (!decimal_parse(opt_limit, 6, &limit) || limit < 0 || limit > 100 * PBC_MICRO)) {
        pbc_error("invalid reject rate limit \"%s\": expected a percentage from 0 to 100",
                  opt_limit);
        pbc_hint("try \"%s --help\"", pbc_log_prog());
        return PBC_EXIT_USAGE;
    }
    if (opt_part && opt_merge) {
        pbc_error("--part and --merge cannot be used together");
        pbc_hint("try \"%s --help\"", pbc_log_prog());
        return PBC_EXIT_USAGE;
    }
    if (opt_part) {
        struct stat st;
        if (opt_inputs[1] != NULL || (stat(opt_inputs[0], &st) == 0 && S_ISDIR(st.st_mode))) {
            pbc_error("--part reads exactly one extract file");
            pbc_hint("try \"%s --help\"", pbc_log_prog());
            return PBC_EXIT_USAGE;
        }
        InFile f = {.path = opt_inputs[0]};
        g_autofree char *name = g_path_get_basename(opt_inputs[0]);
        f.name = name;
        if (run_part(&f, &error) != PBC_EXIT_OK) {
            csv_out_cleanup_all();
            return pbc_report(error);
        }
        return PBC_EXIT_OK;
    }
    g_autoptr(GPtrArray) files = NULL;
    if (opt_merge) {
        files = g_ptr_array_new_with_free_func(infile_free);
        for (char **p = opt_inputs; *p; p++) {
            InFile *f = g_new0(InFile, 1);
            f->path = g_strdup(*p);
            g_ptr_array_add(files, f);
            if (!part_open(f, &error))
                return pbc_report(error);
        }
        /* R-I3: the extracts' byte order of names, whatever the parts are called */
        g_ptr_array_sort(files, cmp_infile);
    } else {
        files = collect_inputs(opt_inputs, &error);
        if (files == NULL)
            return pbc_report(error);
    }
    if (files->len == 0)
        pbc_warning("no activity files found in the input");
    int rc = run(files, limit, &error);
    if (rc != PBC_EXIT_OK) {
        csv_out_cleanup_all();
        return pbc_report(error);
    }
    return PBC_EXIT_OK;
}
