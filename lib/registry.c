/*
 * registry.c: loading the Exeter registration extract into a compact,
 * sorted index.
 *
 * Representation.  Each used row becomes one 16-byte record:
 *
 *   key  = nhs_number << 30 | data record number - 1    (34 + 30 bits)
 *   val  = practice index << 44 | registration << 22 | deregistration
 *                                                     (20 + 22 + 22 bits)
 *
 * An NHS number is below 10^10 < 2^34; dates are day numbers shifted so
 * that 0001-01-01 is 1 (9999-12-31 is 3,652,059 < 2^22), 0 meaning "still
 * registered"; the practice is an index into a table of interned codes.  The
 * records are sorted by key, which puts each patient's registrations
 * together and, because the record number is the key's low part, in extract
 * order: the tie-breaks of R-A1 and R-A2 need nothing more.  A directory of
 * uint32 start offsets indexed by nhs_number >> shift (about 2.4 million
 * entries, ~10 MB, at national scale) narrows a look-up to a few dozen
 * records before a binary search.
 *
 * Why this and not a hash table of patients: 80 million rows at 16 bytes
 * are 1.28 GB with no per-entry pointers, allocator headers or load-factor
 * slack (a GHashTable of GArrays would need several times that); the array
 * grows by realloc, which glibc serves with mremap for blocks this large,
 * so growth copies nothing and untouched capacity is never resident; and
 * sorting is in place (MSD radix, the top-level buckets shared between two
 * threads), so the peak is the array itself.  A national extract that is already in
 * NHS number order skips the sort.
 *
 * Loading.  A reader thread decompresses through zlib and cuts the text
 * into ~4 MB segments at record boundaries (quotes are tracked with memchr,
 * so a quoted field may span lines); two parser threads each feed whole
 * segments, line by line, to their own libcsv parser, whose field callback
 * copies only the four wanted columns into fixed buffers and whose row
 * callback validates and packs the row: no allocation per row or field,
 * and no string hashing (a practice code, a letter and five digits, packs
 * into an integer that a small open-addressing table maps).  Segments are
 * appended to the array in file order, which gives each row its record
 * number.
 */
#include "registry.h"

#include "csv_out.h"
#include "log.h"

#include <csv.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define ROW_BITS 30
#define ROW_MASK ((UINT64_C(1) << ROW_BITS) - 1)
#define MAX_ROWS (UINT64_C(1) << ROW_BITS)
#define PRACTICE_BITS 20
#define MAX_PRACTICES (1u << PRACTICE_BITS)
#define DATE_BITS 22
#define DATE_MASK ((UINT64_C(1) << DATE_BITS) - 1)
#define VAL_MAX 32

typedef struct {
    uint64_t key;
    uint64_t val;
} Rec;

/* Which version of a file: any rewrite changes one of these (a copy with the
   same size and modification time still gets a new inode or change time). */
typedef struct {
    uint64_t size, ino;
    int64_t mtime_sec, mtime_nsec, ctime_sec, ctime_nsec;
} SourceId;

static void
source_id_of(const struct stat *st, SourceId *id)
{
    id->size = (uint64_t)st->st_size;
    id->ino = (uint64_t)st->st_ino;
    id->mtime_sec = (int64_t)st->st_mtim.tv_sec;
    id->mtime_nsec = (int64_t)st->st_mtim.tv_nsec;
    id->ctime_sec = (int64_t)st->st_ctim.tv_sec;
    id->ctime_nsec = (int64_t)st->st_ctim.tv_nsec;
}

struct Registry {
    Rec *recs;
    size_t n;
    uint32_t *dir;   /* dir[b] = first record whose nhs >> shift >= b; nb + 1 entries */
    size_t nb;
    int shift;
    uint64_t max_nhs;
    uint64_t patients;
    uint64_t rows_read;
    uint64_t rejected[REG_REJECT_COUNT];
    int64_t first_line[REG_REJECT_COUNT]; /* line of the first row rejected for each reason */
    GPtrArray *codes; /* practice index -> code */
    GStringChunk *code_strings;
    void *map;        /* when recs were read from an index file: their mapping */
    size_t map_bytes;
    SourceId src;     /* the registrations file as it was when read */
    gboolean has_src;
};

static const char *const reject_names[REG_REJECT_COUNT] = {
    "MALFORMED_RECORD",
    "INVALID_NHS_NUMBER",
    "INVALID_PRACTICE_CODE",
    "INVALID_REGISTRATION_DATE",
    "INVALID_DEREGISTRATION_DATE",
    "DEREGISTRATION_BEFORE_REGISTRATION",
};

const char *
registry_reject_name(RegistryReject r)
{
    return reject_names[r];
}

/* ---- packing ---- */

/* Day number of 0000-12-31, so that 0001-01-01 packs as 1 (checked in registry_alloc()). */
#define DATE_BASE (-719163)

static inline uint64_t
date_enc(PbcDate d)
{
    return d == PBC_NO_DATE ? 0 : (uint64_t)(d - DATE_BASE);
}

static inline PbcDate
date_dec(uint64_t e)
{
    return e == 0 ? PBC_NO_DATE : (PbcDate)((int64_t)e + DATE_BASE);
}

/* ---- the index ---- */

static Registry *
registry_alloc(void)
{
    g_assert(date_from_ymd(1, 1, 1) - 1 == DATE_BASE);
    Registry *r = g_new0(Registry, 1);
    r->codes = g_ptr_array_new();
    r->code_strings = g_string_chunk_new(4096);
    return r;
}

void
registry_free(Registry *r)
{
    if (r == NULL)
        return;
    if (r->map != NULL)
        munmap(r->map, r->map_bytes);
    else
        g_free(r->recs);
    g_free(r->dir);
    g_ptr_array_free(r->codes, TRUE);
    g_string_chunk_free(r->code_strings);
    g_free(r);
}

Registry *
registry_new_empty(void)
{
    Registry *r = registry_alloc();
    r->dir = g_new0(uint32_t, 2);
    r->nb = 1;
    return r;
}

uint64_t
registry_rows_read(const Registry *r)
{
    return r->rows_read;
}

uint64_t
registry_rows(const Registry *r)
{
    return r->n;
}

uint64_t
registry_patients(const Registry *r)
{
    return r->patients;
}

guint
registry_practices(const Registry *r)
{
    return r->codes->len;
}

uint64_t
registry_rejected(const Registry *r, RegistryReject reason)
{
    return r->rejected[reason];
}

int64_t
registry_rejected_first_line(const Registry *r, RegistryReject reason)
{
    return r->rejected[reason] ? r->first_line[reason] : 0;
}

uint64_t
registry_rejected_total(const Registry *r)
{
    uint64_t t = 0;
    for (int i = 0; i < REG_REJECT_COUNT; i++)
        t += r->rejected[i];
    return t;
}

size_t
registry_memory(const Registry *r)
{
    return r->n * sizeof(Rec) + (r->nb + 1) * sizeof(uint32_t)
           + r->codes->len * (sizeof(char *) + 8) + sizeof *r;
}

/* Ten digits with a good modulus-11 check digit, of length len; sets *key. */
static inline gboolean
nhs_key_n(const char *s, size_t len, uint64_t *key)
{
    if (len != 10)
        return FALSE;
    uint64_t v = 0;
    int sum = 0;
    for (int i = 0; i < 10; i++) {
        unsigned d = (unsigned char)s[i] - '0';
        if (d > 9)
            return FALSE;
        v = v * 10 + d;
        if (i < 9)
            sum += (int)d * (10 - i);
    }
    int check = 11 - sum % 11;
    if (check == 11)
        check = 0;
    if (check == 10 || check != s[9] - '0')
        return FALSE;
    *key = v;
    return TRUE;
}

gboolean
registry_nhs_key(const char *s, uint64_t *key)
{
    return s != NULL && nhs_key_n(s, strlen(s), key);
}

/* Where in bucket b = [lo, hi) the first record of nhs should be. */
static inline size_t
bucket_guess(const Registry *r, uint64_t nhs, size_t b, size_t lo, size_t hi)
{
    uint64_t off = nhs - ((uint64_t)b << r->shift);
    size_t g = lo + (size_t)((off * (uint64_t)(hi - lo)) >> r->shift);
    return g >= hi ? hi - 1 : g;
}

void
registry_prefetch(const Registry *r, uint64_t nhs, int step)
{
    if (r->n == 0 || nhs > r->max_nhs)
        return;
    size_t b = (size_t)(nhs >> r->shift);
    if (step == 0) {
        __builtin_prefetch(&r->dir[b]);
        return;
    }
    size_t lo = r->dir[b], hi = r->dir[b + 1];
    if (hi > lo)
        __builtin_prefetch(&r->recs[bucket_guess(r, nhs, b, lo, hi)]);
}

size_t
registry_find(const Registry *r, uint64_t nhs, size_t *first)
{
    *first = 0;
    if (r->n == 0 || nhs > r->max_nhs)
        return 0;
    size_t b = (size_t)(nhs >> r->shift);
    size_t lo = r->dir[b], hi = r->dir[b + 1];
    /* NHS numbers spread evenly over a bucket's range, so the record sought is
     * near its proportional place: start there and widen by doubling until
     * the first record with nhs >= the one sought is bracketed, then search
     * that bracket.  Usually one or two cache lines instead of a binary
     * search's five or six misses across the bucket. */
    if (hi - lo > 8) {
        size_t g = bucket_guess(r, nhs, b, lo, hi);
        size_t step = 1;
        if ((r->recs[g].key >> ROW_BITS) < nhs) {
            /* the answer is above g */
            size_t a = g + 1;
            while (a + step < hi && (r->recs[a + step - 1].key >> ROW_BITS) < nhs) {
                a += step;
                step *= 2;
            }
            lo = a;
            hi = MIN(hi, a + step);
        } else {
            /* the answer is g or below */
            size_t z = g;
            while (z > lo + step && (r->recs[z - step].key >> ROW_BITS) >= nhs) {
                z -= step;
                step *= 2;
            }
            hi = z;
            lo = z > lo + step ? z - step : lo;
        }
    }
    /* First record of [lo, hi) with nhs >= the one sought (hi if none). */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if ((r->recs[mid].key >> ROW_BITS) < nhs)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t end = lo;
    while (end < r->n && (r->recs[end].key >> ROW_BITS) == nhs)
        end++;
    *first = lo;
    return end - lo;
}

void
registry_get(const Registry *r, size_t i, Registration *out)
{
    g_assert(i < r->n);
    const Rec *x = &r->recs[i];
    out->practice_code = g_ptr_array_index(r->codes, x->val >> (2 * DATE_BITS));
    out->registration_date = date_dec((x->val >> DATE_BITS) & DATE_MASK);
    out->deregistration_date = date_dec(x->val & DATE_MASK);
    out->row = (x->key & ROW_MASK) + 1;
}

char *
registry_path(const char *ref_dir)
{
    char *gz = g_build_filename(ref_dir, "registrations.csv.gz", NULL);
    if (g_file_test(gz, G_FILE_TEST_EXISTS))
        return gz;
    g_free(gz);
    return g_build_filename(ref_dir, "registrations.csv", NULL);
}

static void
huge_range(void *p, size_t bytes, int advice)
{
    const uintptr_t huge = (uintptr_t)2 << 20;
    uintptr_t lo = ((uintptr_t)p + huge - 1) & ~(huge - 1);
    uintptr_t hi = ((uintptr_t)p + bytes) & ~(huge - 1);
    if (hi > lo)
        madvise((void *)lo, hi - lo, advice);
}

/*
 * Puts the records (and the directory) in huge pages: the sort and every
 * look-up touch them at random, and with 4 KB pages nearly each of those
 * touches also missed the TLB (nationally 1.26 GB of records).  The pages
 * are collapsed once the array is complete (MADV_COLLAPSE, Linux 6.1)
 * rather than asked for while it grows, which stalled the load in the
 * kernel's compaction; where the kernel cannot or will not, only the speed
 * differs.
 */
static void
huge_pages(void *p, size_t bytes)
{
#ifdef MADV_HUGEPAGE
    huge_range(p, bytes, MADV_HUGEPAGE);
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif
    huge_range(p, bytes, MADV_COLLAPSE);
#else
    (void)p;
    (void)bytes;
#endif
}

/* ---- sorting: in-place MSD radix sort on the key ---- */

static void
insertion_sort(Rec *a, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        Rec v = a[i];
        size_t j = i;
        while (j > 0 && a[j - 1].key > v.key) {
            a[j] = a[j - 1];
            j--;
        }
        a[j] = v;
    }
}

/*
 * Partitions a[0..n) in place by the key's byte at shift (American flag
 * sort); sets start[0..256] to the bucket bounds.
 */
static void
partition(Rec *a, size_t n, int shift, size_t *start)
{
    size_t count[256] = {0}, next[256];
    for (size_t i = 0; i < n; i++)
        count[(a[i].key >> shift) & 0xff]++;
    start[0] = 0;
    for (int b = 0; b < 256; b++) {
        start[b + 1] = start[b] + count[b];
        next[b] = start[b];
    }
    for (int b = 0; b < 256; b++) {
        while (next[b] < start[b + 1]) {
            Rec v = a[next[b]];
            unsigned d = (v.key >> shift) & 0xff;
            while (d != (unsigned)b) {
                Rec t = a[next[d]];
                a[next[d]++] = v;
                v = t;
                d = (v.key >> shift) & 0xff;
            }
            a[next[b]++] = v;
        }
    }
}

static void
radix_sort(Rec *a, size_t n, int shift)
{
    if (n <= 48) {
        insertion_sort(a, n);
        return;
    }
    size_t start[257];
    partition(a, n, shift, start);
    if (shift == 0)
        return;
    for (int b = 0; b < 256; b++)
        if (start[b + 1] - start[b] > 1)
            radix_sort(a + start[b], start[b + 1] - start[b], shift - 8);
}

typedef struct {
    Rec *a;
    size_t *start;
    int shift;
    gint next; /* next top-level bucket to take */
} SortJob;

static gpointer
sort_worker(gpointer data)
{
    SortJob *job = data;
    for (;;) {
        int b = g_atomic_int_add(&job->next, 1);
        if (b >= 256)
            return NULL;
        size_t len = job->start[b + 1] - job->start[b];
        if (len > 1 && job->shift > 0)
            radix_sort(job->a + job->start[b], len, job->shift - 8);
    }
}

/* Sorts by key: skipped when already sorted; the top-level buckets on two threads. */
static void
sort_records(Rec *a, size_t n)
{
    size_t i = 1;
    while (i < n && a[i - 1].key < a[i].key)
        i++;
    if (i >= n)
        return;
    if (n < 100000) {
        radix_sort(a, n, 56);
        return;
    }
    /* Start at the highest byte that varies, so the threads get balanced work. */
    uint64_t any = 0;
    for (size_t k = 0; k < n; k++)
        any |= a[k].key ^ a[0].key;
    int shift = 56;
    while (shift > 0 && ((any >> shift) & 0xff) == 0)
        shift -= 8;
    size_t start[257];
    partition(a, n, shift, start);
    SortJob job = {a, start, shift, 0};
    GThread *t = g_thread_new("registry-sort", sort_worker, &job);
    sort_worker(&job);
    g_thread_join(t);
}

/* Builds the directory and counts patients; records sorted. */
static void
build_directory(Registry *r)
{
    r->max_nhs = r->n ? r->recs[r->n - 1].key >> ROW_BITS : 0;
    /* About one bucket per few dozen records at national scale, few for small files. */
    size_t limit = MAX(r->n, (size_t)4096);
    r->shift = 12;
    while ((r->max_nhs >> r->shift) + 1 > limit)
        r->shift++;
    r->nb = (size_t)(r->max_nhs >> r->shift) + 1;
    r->dir = g_new(uint32_t, r->nb + 1);
    size_t b = 0;
    uint64_t prev = UINT64_MAX;
    for (size_t i = 0; i < r->n; i++) {
        uint64_t nhs = r->recs[i].key >> ROW_BITS;
        if (nhs != prev) {
            r->patients++;
            prev = nhs;
        }
        size_t bi = (size_t)(nhs >> r->shift);
        while (b <= bi)
            r->dir[b++] = (uint32_t)i;
    }
    while (b <= r->nb)
        r->dir[b++] = (uint32_t)r->n;
}

/* ---- loading ---- */

/*
 * The file is cut into segments of about 4 MB that each begin at a record
 * boundary.  A reader thread decompresses and cuts; two parser threads (the
 * caller's and one more) each run their own libcsv parser over whole
 * segments; a segment's rows are appended to the index in file order, under
 * a lock, when every earlier segment has been appended (the record number
 * in each key is made global then).  The header is parsed before the
 * parallel phase starts, by the caller's thread alone.
 */

enum { ROLE_NHS, ROLE_PRACTICE, ROLE_REG, ROLE_DEREG, ROLE_COUNT };
static const char *const role_names[ROLE_COUNT] = {
    "nhs_number", "practice_code", "registration_date", "deregistration_date"};

#define SEGMENT (4u << 20)
#define SEGMENTS 6 /* buffers in flight */

/* A piece of the decompressed file starting at a record boundary. */
typedef struct {
    uint64_t seq;
    char *data;
    size_t len, cap;
} Segment;

/* The end-of-input marker, one per parser. */
static Segment end_marker;

/* Packed practice code -> index; open addressing, a power-of-two size. */
typedef struct {
    uint32_t key; /* packed code + 1; 0 = empty */
    uint32_t val;
} Slot;

typedef struct {
    Slot *slot;   /* key and index side by side: one cache line a probe */
    uint32_t size, used;
} CodeTable;

/* What parsing a segment produced, waiting to be appended in file order. */
typedef struct {
    uint64_t seq;
    int parser;        /* which parser: its practice indexes are its own */
    Rec *recs; /* key: nhs << 30 | record number in the segment; val: the parser's code index */
    size_t n, cap;
    uint64_t records;  /* data records, rejected ones included */
    int64_t lines;     /* physical lines */
    uint64_t rejected[REG_REJECT_COUNT];
    int64_t first_line[REG_REJECT_COUNT]; /* line within the segment, 1-based */
    uint32_t first_new; /* the parser's index of new_codes[0] */
    GArray *new_codes; /* uint32 packed practice codes the parser first met in this segment */
} Result;

typedef struct {
    const char *path;
    gzFile gz;
    size_t segment;           /* segment size: SEGMENT, or PBC_REGISTRY_SEGMENT for tests */
    Registry *r;
    int ncols;
    int *role;                /* per header column: ROLE_* or -1; set before the threads */
    GAsyncQueue *full, *empty;
    gint stop;                /* a fatal error: read and parse no further */
    GMutex lock;              /* guards everything below */
    GHashTable *pending;      /* seq -> Result * finished ahead of its turn */
    uint64_t next_seq;        /* the segment to append next */
    int64_t line_offset;      /* physical lines before it */
    size_t cap;               /* capacity of r->recs */
    CodeTable global;         /* packed code -> index in r->codes */
    GArray *to_global[2];     /* per parser: its code index -> index in r->codes */
    GError *error;            /* the first fatal error */
} Load;

/* One parser thread. */
typedef struct {
    Load *ld;
    struct csv_parser parser;
    gboolean in_header;
    GPtrArray *names;   /* header names, lower case */
    int field;          /* fields of the current record so far */
    size_t last_len;    /* length of the last field (empty-line check) */
    char val[ROLE_COUNT][VAL_MAX];
    size_t len[ROLE_COUNT];
    int64_t line;       /* lines of the segment fed so far */
    int64_t rec_line;   /* line where the current record started */
    int id;             /* 0 (the caller's thread) or 1 */
    Result *res;
    CodeTable codes;    /* practice codes met so far -> this parser's index */
    uint32_t last_code, last_index; /* the previous row's (files often run by practice) */
} Parser;

static void
code_table_init(CodeTable *t, uint32_t size)
{
    t->size = size;
    t->used = 0;
    t->slot = g_new0(Slot, size);
}

static void
code_table_clear(CodeTable *t)
{
    g_free(t->slot);
}

/* The slot of packed code v: its own, or the empty one where it would go. */
static inline uint32_t
code_table_slot(const CodeTable *t, uint32_t v)
{
    uint32_t mask = t->size - 1, h = (v * 2654435761u) & mask;
    while (t->slot[h].key != 0 && t->slot[h].key != v + 1)
        h = (h + 1) & mask;
    return h;
}

/* Adds v -> index at slot h (from code_table_slot), doubling the table when half full. */
static void
code_table_put(CodeTable *t, uint32_t h, uint32_t v, uint32_t index)
{
    t->slot[h] = (Slot){v + 1, index};
    if (++t->used * 2 <= t->size)
        return;
    CodeTable old = *t;
    code_table_init(t, old.size * 2);
    t->used = old.used;
    for (uint32_t i = 0; i < old.size; i++)
        if (old.slot[i].key)
            t->slot[code_table_slot(t, old.slot[i].key - 1)] = old.slot[i];
    code_table_clear(&old);
}

/*
 * libcsv's built-in space (space, tab) and terminator (CR, LF) tests are
 * used rather than csv_in's callbacks ('\r' as space, only '\n' ends a
 * row): two indirect calls per byte cost ~5 % of the load.  For CRLF files
 * the result is the same (CR ends the row, the LF after it is an empty row
 * libcsv does not report); a CR inside quotes is data either way.  Only a
 * bare CR in the middle of an unquoted line differs: it splits the row, and
 * both halves fail validation (MALFORMED_RECORD) instead of one.
 */
static void
parser_init(Parser *p)
{
    csv_init(&p->parser, CSV_STRICT | CSV_STRICT_FINI);
}

static void
record_reset(Parser *p)
{
    p->field = 0;
    p->last_len = 0;
    for (int i = 0; i < ROLE_COUNT; i++) {
        p->len[i] = 0;
        p->val[i][0] = '\0';
    }
}

static void
field_cb(void *s, size_t len, void *data)
{
    Parser *p = data;
    const char *f = s ? s : "";
    while (len > 0 && (f[0] == ' ' || f[0] == '\t')) {
        f++;
        len--;
    }
    while (len > 0 && (f[len - 1] == ' ' || f[len - 1] == '\t'))
        len--;
    if (p->in_header) {
        g_ptr_array_add(p->names, g_ascii_strdown(f, (gssize)len));
        return;
    }
    int i = p->field++;
    p->last_len = len;
    if (i < p->ld->ncols && p->ld->role[i] >= 0) {
        int role = p->ld->role[i];
        size_t keep = MIN(len, (size_t)VAL_MAX - 1);
        memcpy(p->val[role], f, keep);
        p->val[role][keep] = '\0';
        p->len[role] = len; /* the real length: an over-long value fails validation */
    }
}

static void
reject(Parser *p, RegistryReject why)
{
    if (p->res->rejected[why]++ == 0)
        p->res->first_line[why] = p->rec_line;
}

/* Sets the fatal error (the first one wins) and stops the other threads. */
static void
load_fail(Load *ld, GError *e)
{
    g_mutex_lock(&ld->lock);
    if (ld->error == NULL)
        ld->error = e;
    else
        g_error_free(e);
    g_mutex_unlock(&ld->lock);
    g_atomic_int_set(&ld->stop, 1);
}

static void
header_done(Parser *p)
{
    Load *ld = p->ld;
    p->in_header = FALSE;
    ld->ncols = (int)p->names->len;
    ld->role = g_new(int, ld->ncols ? ld->ncols : 1);
    for (int i = 0; i < ld->ncols; i++)
        ld->role[i] = -1;
    /* The first column of a name counts, as csv_in_column() does. */
    for (int k = 0; k < ROLE_COUNT; k++)
        for (int i = 0; i < ld->ncols; i++)
            if (strcmp(g_ptr_array_index(p->names, i), role_names[k]) == 0) {
                ld->role[i] = k;
                break;
            }
    for (int k = 0; k < ROLE_DEREG; k++) {
        gboolean found = FALSE;
        for (int i = 0; i < ld->ncols; i++)
            found = found || ld->role[i] == k;
        if (!found) {
            load_fail(ld, g_error_new(PBC_ERROR, PBC_ERROR_FORMAT,
                                      "file \"%s\": missing required column \"%s\"", ld->path,
                                      role_names[k]));
            return;
        }
    }
}

static inline gboolean
practice_code_ok(const char *s, size_t len)
{
    if (len != 6 || s[0] < 'A' || s[0] > 'Z')
        return FALSE;
    for (int i = 1; i < 6; i++)
        if (s[i] < '0' || s[i] > '9')
            return FALSE;
    return TRUE;
}

/*
 * The parser's index of a practice code already checked to be a letter and
 * five digits: the code packs into a number below 2.6 million, which a
 * small open-addressing table maps.  (A direct 2.6-million-slot array was
 * tried first: at 10 MB it missed the cache and the TLB on most rows; a
 * table per segment cost a re-insertion of every practice every 4 MB.)  A
 * code new to the parser is listed in the segment's result, so that the
 * appender learns the parser's indexes in order.
 */
static uint32_t
practice_index(Parser *p, const char *code)
{
    uint32_t v = (uint32_t)(code[0] - 'A') * 100000
                 + (uint32_t)((code[1] - '0') * 10000 + (code[2] - '0') * 1000
                              + (code[3] - '0') * 100 + (code[4] - '0') * 10 + (code[5] - '0'));
    if (v == p->last_code)
        return p->last_index;
    uint32_t h = code_table_slot(&p->codes, v);
    uint32_t index;
    if (p->codes.slot[h].key != 0) {
        index = p->codes.slot[h].val;
    } else {
        index = p->codes.used;
        g_array_append_val(p->res->new_codes, v);
        code_table_put(&p->codes, h, v, index);
    }
    p->last_code = v;
    p->last_index = index;
    return index;
}

/* Validates and packs one data record. */
static void
data_row(Parser *p)
{
    Result *res = p->res;
    uint64_t row = res->records++;
    if (p->field != p->ld->ncols) {
        reject(p, REG_REJECT_MALFORMED_RECORD);
        return;
    }
    uint64_t nhs;
    PbcDate reg, dereg = PBC_NO_DATE;
    if (!nhs_key_n(p->val[ROLE_NHS], p->len[ROLE_NHS], &nhs)) {
        reject(p, REG_REJECT_INVALID_NHS_NUMBER);
        return;
    }
    if (!practice_code_ok(p->val[ROLE_PRACTICE], p->len[ROLE_PRACTICE])) {
        reject(p, REG_REJECT_INVALID_PRACTICE_CODE);
        return;
    }
    if (p->len[ROLE_REG] == 0 || p->len[ROLE_REG] >= VAL_MAX
        || !date_parse(p->val[ROLE_REG], &reg)) {
        reject(p, REG_REJECT_INVALID_REGISTRATION_DATE);
        return;
    }
    if (p->len[ROLE_DEREG] > 0
        && (p->len[ROLE_DEREG] >= VAL_MAX || !date_parse(p->val[ROLE_DEREG], &dereg))) {
        reject(p, REG_REJECT_INVALID_DEREGISTRATION_DATE);
        return;
    }
    if (dereg != PBC_NO_DATE && dereg < reg) {
        reject(p, REG_REJECT_DEREGISTRATION_BEFORE_REGISTRATION);
        return;
    }
    uint64_t practice = practice_index(p, p->val[ROLE_PRACTICE]);
    if (res->n == res->cap) {
        res->cap = res->cap ? res->cap * 2 : 65536;
        res->recs = g_renew(Rec, res->recs, res->cap);
    }
    res->recs[res->n].key = nhs << ROW_BITS | (row & ROW_MASK);
    res->recs[res->n].val =
        practice << (2 * DATE_BITS) | date_enc(reg) << DATE_BITS | date_enc(dereg);
    res->n++;
}

static void
row_cb(int c, void *data)
{
    (void)c;
    Parser *p = data;
    if (p->in_header)
        header_done(p);
    else if (!(p->field == 1 && p->last_len == 0)) /* a single blank field: an empty line */
        data_row(p);
    record_reset(p);
}

/* Feeds one physical line (with its '\n', if any) to libcsv. */
static void
feed_line(Parser *p, const char *s, size_t len)
{
    if (p->parser.pstate == 0)
        p->rec_line = p->line + 1;
    p->line++;
    if (csv_parse(&p->parser, s, len, field_cb, row_cb, p) != len) {
        /* Broken quoting: the record is rejected, reading resumes at the next line. */
        if (p->in_header) {
            load_fail(p->ld, g_error_new(PBC_ERROR, PBC_ERROR_FORMAT,
                                         "file \"%s\": broken quoting in the header row",
                                         p->ld->path));
            return;
        }
        p->res->records++;
        reject(p, REG_REJECT_MALFORMED_RECORD);
        csv_free(&p->parser);
        parser_init(p);
        record_reset(p);
    }
}

static Result *
result_new(uint64_t seq, const Parser *p)
{
    Result *res = g_new0(Result, 1);
    res->seq = seq;
    res->parser = p->id;
    res->first_new = p->codes.used;
    res->new_codes = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    return res;
}

static void
result_free(gpointer data)
{
    Result *res = data;
    g_free(res->recs);
    g_array_free(res->new_codes, TRUE);
    g_free(res);
}

/* Parses a whole segment into a new Result. */
static Result *
parse_segment(Parser *p, const Segment *s)
{
    p->res = result_new(s->seq, p);
    p->line = 0;
    size_t pos = 0;
    if (s->seq == 0 && s->len >= 3 && memcmp(s->data, "\xEF\xBB\xBF", 3) == 0)
        pos = 3; /* a UTF-8 byte-order mark */
    while (pos < s->len && !g_atomic_int_get(&p->ld->stop)) {
        const char *nl = memchr(s->data + pos, '\n', s->len - pos);
        size_t take = nl ? (size_t)(nl - (s->data + pos)) + 1 : s->len - pos;
        feed_line(p, s->data + pos, take);
        pos += take;
    }
    /* Segments end at record boundaries; only the last may end inside a record. */
    if (csv_fini(&p->parser, field_cb, row_cb, p) != 0) {
        if (p->in_header) {
            load_fail(p->ld, g_error_new(PBC_ERROR, PBC_ERROR_FORMAT,
                                         "file \"%s\": broken quoting in the header row",
                                         p->ld->path));
        } else {
            p->res->records++;
            reject(p, REG_REJECT_MALFORMED_RECORD);
        }
    }
    csv_free(&p->parser);
    parser_init(p);
    record_reset(p);
    p->res->lines = p->line;
    return p->res;
}

/* Appends a result to the index (lock held, results in file order). */
static void
append(Load *ld, Result *res)
{
    Registry *r = ld->r;
    if (ld->error != NULL)
        return;
    if (r->rows_read + res->records > MAX_ROWS) {
        ld->error = g_error_new(PBC_ERROR, PBC_ERROR_REFDATA,
                                "file \"%s\": more than %" G_GUINT64_FORMAT " registration rows",
                                ld->path, MAX_ROWS);
        g_atomic_int_set(&ld->stop, 1);
        return;
    }
    /* The codes the parser met first in this segment get their registry indexes. */
    GArray *to_global = ld->to_global[res->parser];
    g_assert(to_global->len == res->first_new);
    for (guint i = 0; i < res->new_codes->len; i++) {
        uint32_t v = g_array_index(res->new_codes, uint32_t, i);
        uint32_t h = code_table_slot(&ld->global, v);
        if (ld->global.slot[h].key == 0) {
            if (r->codes->len >= MAX_PRACTICES) {
                ld->error = g_error_new(PBC_ERROR, PBC_ERROR_REFDATA,
                                        "file \"%s\": more than %u distinct practice codes",
                                        ld->path, MAX_PRACTICES);
                g_atomic_int_set(&ld->stop, 1);
                return;
            }
            char code[7];
            g_snprintf(code, sizeof code, "%c%05u", 'A' + v / 100000, v % 100000);
            g_ptr_array_add(r->codes, g_string_chunk_insert_len(r->code_strings, code, 6));
            code_table_put(&ld->global, h, v, r->codes->len - 1);
            h = code_table_slot(&ld->global, v);
        }
        g_array_append_val(to_global, ld->global.slot[h].val);
    }
    const uint32_t *map = (const uint32_t *)(void *)to_global->data;
    if (r->n + res->n > ld->cap) {
        ld->cap = MAX(r->n + res->n, ld->cap + ld->cap / 2 + 65536);
        r->recs = g_renew(Rec, r->recs, ld->cap);
    }
    const uint64_t low = (UINT64_C(1) << (2 * DATE_BITS)) - 1;
    Rec *out = r->recs + r->n;
    for (size_t i = 0; i < res->n; i++) {
        out[i].key = res->recs[i].key + r->rows_read;
        out[i].val = (uint64_t)map[res->recs[i].val >> (2 * DATE_BITS)] << (2 * DATE_BITS)
                     | (res->recs[i].val & low);
    }
    r->n += res->n;
    for (int k = 0; k < REG_REJECT_COUNT; k++)
        if (res->rejected[k]) {
            if (r->rejected[k] == 0)
                r->first_line[k] = ld->line_offset + res->first_line[k];
            r->rejected[k] += res->rejected[k];
        }
    r->rows_read += res->records;
    ld->line_offset += res->lines;
    pbc_progress("registration rows read", r->rows_read, 0); /* a terminal only; rate-limited */
}

/* Hands a parsed segment over: appended now if its turn has come, else kept. */
static void
deliver(Load *ld, Result *res)
{
    g_mutex_lock(&ld->lock);
    g_hash_table_insert(ld->pending, &res->seq, res);
    while ((res = g_hash_table_lookup(ld->pending, &ld->next_seq)) != NULL) {
        g_hash_table_steal(ld->pending, &ld->next_seq);
        append(ld, res);
        result_free(res);
        ld->next_seq++;
    }
    g_mutex_unlock(&ld->lock);
}

static void
parser_setup(Parser *p, Load *ld, int id, gboolean header)
{
    memset(p, 0, sizeof *p);
    p->ld = ld;
    p->id = id;
    p->last_code = UINT32_MAX;
    p->in_header = header;
    p->names = g_ptr_array_new_with_free_func(g_free);
    code_table_init(&p->codes, 4096);
    parser_init(p);
    record_reset(p);
}

static void
parser_teardown(Parser *p)
{
    csv_free(&p->parser);
    g_ptr_array_free(p->names, TRUE);
    code_table_clear(&p->codes);
}

/* Parses segments until the end marker; returns the buffers to the reader. */
static gpointer
parser_main(gpointer data)
{
    Parser *p = data;
    Load *ld = p->ld;
    for (;;) {
        Segment *s = g_async_queue_pop(ld->full);
        if (s == &end_marker)
            return NULL;
        Result *res = g_atomic_int_get(&ld->stop) ? result_new(s->seq, p) : parse_segment(p, s);
        g_async_queue_push(ld->empty, s);
        deliver(ld, res);
    }
}

/* The last '\n' in s[0..n), or NULL (memrchr is a GNU extension). */
static const char *
last_newline(const char *s, size_t n)
{
    while (n > 0)
        if (s[--n] == '\n')
            return s + n;
    return NULL;
}

/*
 * The end of the last complete record in d[0..len), which begins at a
 * record boundary: the offset just past the last '\n' at which the loader's
 * libcsv would stand between records, or 0 when there is none yet.  Only
 * quotes decide that, so the scan jumps from quote to quote with memchr: a
 * file without quotes costs one memchr and one memrchr per segment.  Quotes
 * follow libcsv's strict rules as the loader drives it: a quote opens a
 * field only at its start (after spaces at most); "" inside is an escaped
 * quote; after the closing quote only spaces and then ',' or a line end may
 * follow; a stray quote breaks the record, and reading resumes at the next
 * line.
 */
static size_t
find_cut(const char *d, size_t len)
{
    size_t cut = 0, pos = 0;
    for (;;) {
        /* Between records or fields from pos: every '\n' up to the next quote ends one. */
        const char *q = memchr(d + pos, '"', len - pos);
        size_t end = q ? (size_t)(q - d) : len;
        const char *nl = end > pos ? last_newline(d + pos, end - pos) : NULL;
        if (nl)
            cut = (size_t)(nl - d) + 1;
        if (q == NULL)
            return cut;
        size_t b = end;
        while (b > pos && (d[b - 1] == ' ' || d[b - 1] == '\t'))
            b--;
        size_t i = end + 1;
        if (b == 0 || d[b - 1] == ',' || d[b - 1] == '\n' || d[b - 1] == '\r') {
            /* An opening quote: find the closing one. */
            for (;;) {
                const char *c = memchr(d + i, '"', len - i);
                if (c == NULL)
                    return cut;
                i = (size_t)(c - d) + 1;
                if (i >= len)
                    return cut; /* cannot tell yet whether it is escaped */
                if (d[i] != '"')
                    break;
                i++;
            }
            while (i < len && (d[i] == ' ' || d[i] == '\t'))
                i++;
            if (i >= len)
                return cut;
            if (d[i] == ',' || d[i] == '\n' || d[i] == '\r') {
                pos = i;
                continue;
            }
        }
        /* A stray quote or text after a closing quote: on to the next line. */
        const char *n = memchr(d + i - 1, '\n', len - (i - 1));
        if (n == NULL)
            return cut;
        cut = pos = (size_t)(n - d) + 1;
    }
}

/* Sets an error from the state of gz after gzread() returned n; FALSE when all is well. */
static gboolean
gz_failed(const char *path, gzFile gz, int n, GError **error)
{
    int errnum = Z_OK;
    const char *msg = gzerror(gz, &errnum);
    if (n < 0 || (errnum != Z_OK && errnum != Z_BUF_ERROR)) {
        if (errnum == Z_ERRNO)
            g_set_error(error, PBC_ERROR, PBC_ERROR_IO, "could not read file \"%s\": %s", path,
                        g_strerror(errno));
        else
            g_set_error(error, PBC_ERROR, PBC_ERROR_FORMAT,
                        "could not read file \"%s\": corrupt gzip stream: %s", path, msg);
        return TRUE;
    }
    if (n == 0 && errnum == Z_BUF_ERROR) {
        g_set_error(error, PBC_ERROR, PBC_ERROR_FORMAT,
                    "could not read file \"%s\": truncated gzip stream: %s", path, msg);
        return TRUE;
    }
    return FALSE;
}

/*
 * The reader thread: fills segments (what the last one left over, then
 * fresh data), cuts each at its last record boundary, queues them in order,
 * and ends with one end marker per parser.
 */
static gpointer
reader_main(gpointer data)
{
    Load *ld = data;
    char *carry = NULL;
    size_t carry_len = 0;
    uint64_t seq = 0;
    gboolean eof = FALSE;
    while (!eof && !g_atomic_int_get(&ld->stop)) {
        Segment *s = g_async_queue_pop(ld->empty);
        size_t want = ld->segment;
        if (s->cap < carry_len + want) {
            s->cap = carry_len + want;
            s->data = g_realloc(s->data, s->cap);
        }
        if (carry_len)
            memcpy(s->data, carry, carry_len);
        s->len = carry_len;
        size_t cut;
        for (;;) {
            while (s->len < want && !eof) {
                if (s->cap - s->len < 65536) {
                    s->cap = s->len + MAX(ld->segment, 65536);
                    s->data = g_realloc(s->data, s->cap);
                }
                size_t room = MIN(s->cap - s->len, want - s->len);
                int n = gzread(ld->gz, s->data + s->len, (unsigned)room);
                GError *e = NULL;
                if (gz_failed(ld->path, ld->gz, n, &e)) {
                    load_fail(ld, e);
                    eof = TRUE;
                    n = 0;
                }
                eof = eof || n == 0;
                s->len += (size_t)n;
            }
            cut = eof ? s->len : find_cut(s->data, s->len);
            if (cut > 0 || eof)
                break;
            want = s->len + ld->segment; /* no record ends here yet (a long quoted field) */
        }
        carry_len = s->len - cut;
        carry = g_realloc(carry, carry_len ? carry_len : 1);
        if (carry_len)
            memcpy(carry, s->data + cut, carry_len);
        s->len = cut;
        s->seq = seq++;
        g_async_queue_push(ld->full, s);
    }
    g_free(carry);
    g_async_queue_push(ld->full, &end_marker);
    g_async_queue_push(ld->full, &end_marker);
    return NULL;
}

/* One warning line for the rows not used, a detail line per reason. */
static void
report_rejects(const Registry *r, const char *path)
{
    uint64_t total = registry_rejected_total(r);
    if (total == 0)
        return;
    pbc_warning("file \"%s\": %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
                " registration rows rejected and not used",
                path, total, r->rows_read);
    for (int i = 0; i < REG_REJECT_COUNT; i++)
        if (r->rejected[i])
            pbc_detail("%s: %" G_GUINT64_FORMAT " rows, the first at line %" G_GINT64_FORMAT,
                       reject_names[i], r->rejected[i], r->first_line[i]);
}

static guint
seq_hash(gconstpointer p)
{
    return (guint)*(const uint64_t *)p;
}

static gboolean
seq_equal(gconstpointer a, gconstpointer b)
{
    return *(const uint64_t *)a == *(const uint64_t *)b;
}

Registry *
registry_load(const char *path, GError **error)
{
    /* The file's identity is taken from the very file read, so that an index
       saved from this registry names the version its rows came from. */
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    gzFile gz = NULL;
    if (fd < 0 || fstat(fd, &st) != 0 || (gz = gzdopen(fd, "rb")) == NULL) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        g_set_error(error, PBC_ERROR, PBC_ERROR_IO, "could not open file \"%s\": %s", path,
                    e ? g_strerror(e) : "out of memory");
        return NULL;
    }
    gzbuffer(gz, 1u << 20);
    Load ld = {0};
    ld.path = path;
    ld.gz = gz;
    ld.segment = SEGMENT;
    /* Tests set tiny segments to put record boundaries everywhere. */
    const char *seg = g_getenv("PBC_REGISTRY_SEGMENT");
    if (seg != NULL && g_ascii_strtoull(seg, NULL, 10) > 0)
        ld.segment = (size_t)g_ascii_strtoull(seg, NULL, 10);
    ld.r = registry_alloc();
    source_id_of(&st, &ld.r->src);
    ld.r->has_src = TRUE;
    ld.full = g_async_queue_new();
    ld.empty = g_async_queue_new();
    g_mutex_init(&ld.lock);
    ld.pending = g_hash_table_new_full(seq_hash, seq_equal, NULL, result_free);
    code_table_init(&ld.global, 4096);
    ld.to_global[0] = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    ld.to_global[1] = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    /* First guess at the row count from the size (~40 bytes a row); gzip grows from there. */
    ld.cap = (size_t)(st.st_size / 40) + 1024;
    ld.r->recs = g_new(Rec, ld.cap ? ld.cap : 1);
    Segment segments[SEGMENTS] = {{0}};
    for (int i = 0; i < SEGMENTS; i++)
        g_async_queue_push(ld.empty, &segments[i]);
    GThread *reader = g_thread_new("registry-read", reader_main, &ld);

    /* The header first, on this thread alone: the parsers need the column roles. */
    Parser main_parser, other;
    parser_setup(&main_parser, &ld, 0, TRUE);
    gboolean ended = FALSE;
    while (main_parser.in_header && !g_atomic_int_get(&ld.stop)) {
        Segment *s = g_async_queue_pop(ld.full);
        if (s == &end_marker) {
            ended = TRUE;
            break;
        }
        Result *res = parse_segment(&main_parser, s);
        g_async_queue_push(ld.empty, s);
        deliver(&ld, res);
    }
    if (main_parser.in_header && !g_atomic_int_get(&ld.stop))
        load_fail(&ld, g_error_new(PBC_ERROR, PBC_ERROR_FORMAT,
                                   "file \"%s\" is empty: no header row", path));
    /* Then two parsers: this thread and one more. */
    parser_setup(&other, &ld, 1, FALSE);
    GThread *helper = NULL;
    if (!ended) {
        helper = g_thread_new("registry-parse", parser_main, &other);
        parser_main(&main_parser);
    } else {
        /* The reader is done; take its second end marker. */
        g_async_queue_pop(ld.full);
    }
    if (helper)
        g_thread_join(helper);
    g_thread_join(reader);
    pbc_progress_done();
    parser_teardown(&main_parser);
    parser_teardown(&other);
    for (int i = 0; i < SEGMENTS; i++)
        g_free(segments[i].data);
    g_async_queue_unref(ld.full);
    g_async_queue_unref(ld.empty);
    g_hash_table_destroy(ld.pending);
    g_mutex_clear(&ld.lock);
    code_table_clear(&ld.global);
    g_array_free(ld.to_global[0], TRUE);
    g_array_free(ld.to_global[1], TRUE);
    g_free(ld.role);
    gzclose(gz);
    Registry *r = ld.r;
    if (ld.error != NULL) {
        g_propagate_error(error, ld.error);
        registry_free(r);
        return NULL;
    }
    r->recs = g_renew(Rec, r->recs, r->n ? r->n : 1);
    huge_pages(r->recs, r->n * sizeof(Rec));
    sort_records(r->recs, r->n);
    build_directory(r);
    huge_pages(r->dir, (r->nb + 1) * sizeof(uint32_t));
    report_rejects(r, path);
    return r;
}

/* ---- the index file ---- */

/*
 * An index file holds a loaded registry, so that the registrations are
 * parsed once however many runs use them, and so that pipeline.mk can load
 * them while ingest is still merging.  Layout, in the host's byte order
 * (the file is a cache for this machine, never shipped):
 *
 *   IndexHeader                       (magic, the source's identity, counts)
 *   practice codes, 8 bytes each      (six characters, two NULs)
 *   records, 16 bytes each            (sorted, as in memory)
 *
 * On reading every record is checked (sorted, practice index in range,
 * dates in range), so a damaged file is refused rather than answering
 * wrongly, and the directory is rebuilt.  The source's identity is
 * its size, modification and change times (nanoseconds) and inode: any
 * change to the registrations, including a copy over them with the same
 * time stamp, makes the index stale.
 */
#define INDEX_MAGIC "PBCREGIDX1\n"
#define INDEX_BYTE_ORDER UINT64_C(0x0102030405060708)

typedef struct {
    char magic[16];
    uint64_t byte_order;
    SourceId src;
    uint64_t rows_read, n, ncodes;
    uint64_t rejected[REG_REJECT_COUNT];
    int64_t first_line[REG_REJECT_COUNT];
} IndexHeader;

gboolean
registry_save(const Registry *r, const char *path, GError **error)
{
    g_return_val_if_fail(r->has_src, FALSE);
    IndexHeader h;
    memset(&h, 0, sizeof h);
    memcpy(h.magic, INDEX_MAGIC, sizeof INDEX_MAGIC);
    h.byte_order = INDEX_BYTE_ORDER;
    h.src = r->src;
    h.rows_read = r->rows_read;
    h.n = r->n;
    h.ncodes = r->codes->len;
    memcpy(h.rejected, r->rejected, sizeof h.rejected);
    memcpy(h.first_line, r->first_line, sizeof h.first_line);
    CsvOut *o = csv_out_create(path, CSV_OUT_PATIENT, NULL, error);
    if (o == NULL)
        return FALSE;
    csv_out_raw(o, &h, sizeof h);
    for (guint i = 0; i < r->codes->len; i++) {
        char code[8] = {0};
        memcpy(code, g_ptr_array_index(r->codes, i), 6);
        csv_out_raw(o, code, sizeof code);
    }
    csv_out_raw(o, r->recs, r->n * sizeof(Rec));
    return csv_out_commit(o, error);
}

/* Reads exactly len bytes at the file's current offset. */
static gboolean
read_all(int fd, void *buf, size_t len)
{
    char *p = buf;
    while (len > 0) {
        ssize_t got = read(fd, p, MIN(len, (size_t)1 << 30));
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0) {
            if (got == 0)
                errno = 0;
            return FALSE;
        }
        p += got;
        len -= (size_t)got;
    }
    return TRUE;
}

/* Checks the records of r (sorted, strictly, with codes and dates in range). */
static gboolean
records_ok(const Registry *r)
{
    uint64_t prev = 0;
    const uint64_t max_date = (uint64_t)(date_from_ymd(9999, 12, 31) - DATE_BASE);
    for (size_t i = 0; i < r->n; i++) {
        const Rec *x = &r->recs[i];
        uint64_t reg = (x->val >> DATE_BITS) & DATE_MASK, dereg = x->val & DATE_MASK;
        if ((i > 0 && x->key <= prev) || (x->val >> (2 * DATE_BITS)) >= r->codes->len
            || reg == 0 || reg > max_date || dereg > max_date || (dereg != 0 && dereg < reg)
            || (x->key & ROW_MASK) >= r->rows_read)
            return FALSE;
        prev = x->key;
    }
    return TRUE;
}

static Registry *
index_refused(int fd, Registry *r, GError **error, const char *path, const char *why)
{
    g_set_error(error, PBC_ERROR, PBC_ERROR_FORMAT, "registration index \"%s\" %s", path, why);
    if (fd >= 0)
        close(fd);
    registry_free(r);
    return NULL;
}

Registry *
registry_load_index(const char *path, const char *source, GError **error)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        g_set_error(error, PBC_ERROR, PBC_ERROR_IO, "could not open file \"%s\": %s", path,
                    g_strerror(e));
        return NULL;
    }
    struct stat st, sst;
    IndexHeader h;
    if (fstat(fd, &st) != 0 || (uint64_t)st.st_size < sizeof h || !read_all(fd, &h, sizeof h)
        || memcmp(h.magic, INDEX_MAGIC, sizeof INDEX_MAGIC) != 0
        || h.byte_order != INDEX_BYTE_ORDER)
        return index_refused(fd, NULL, error, path, "is not an index file of this version");
    if (stat(source, &sst) != 0) {
        int e = errno;
        close(fd);
        g_set_error(error, PBC_ERROR, PBC_ERROR_IO, "could not open file \"%s\": %s", source,
                    g_strerror(e));
        return NULL;
    }
    SourceId now;
    source_id_of(&sst, &now);
    if (memcmp(&h.src, &now, sizeof now) != 0)
        return index_refused(fd, NULL, error, path, "was made from another version of the "
                                                    "registrations: it is stale");
    if (h.n > MAX_ROWS || h.rows_read > MAX_ROWS || h.n > h.rows_read
        || h.ncodes > MAX_PRACTICES
        || (uint64_t)st.st_size != sizeof h + h.ncodes * 8 + h.n * sizeof(Rec))
        return index_refused(fd, NULL, error, path, "is damaged: its size does not match");
    uint64_t rejected = 0;
    for (int i = 0; i < REG_REJECT_COUNT; i++)
        rejected += h.rejected[i];
    if (rejected != h.rows_read - h.n)
        return index_refused(fd, NULL, error, path, "is damaged: its counts do not add up");

    Registry *r = registry_alloc();
    r->src = h.src;
    r->has_src = TRUE;
    r->rows_read = h.rows_read;
    r->n = (size_t)h.n;
    memcpy(r->rejected, h.rejected, sizeof r->rejected);
    memcpy(r->first_line, h.first_line, sizeof r->first_line);
    for (uint64_t i = 0; i < h.ncodes; i++) {
        char code[8];
        if (!read_all(fd, code, sizeof code))
            return index_refused(fd, r, error, path, "could not be read");
        if (!practice_code_ok(code, 6) || code[6] != '\0' || code[7] != '\0')
            return index_refused(fd, r, error, path, "is damaged: a practice code is not valid");
        g_ptr_array_add(r->codes, g_string_chunk_insert_len(r->code_strings, code, 6));
    }
    /* The records go into memory asked for in huge pages before it is touched
       (fewer faults while reading, no collapse afterwards). */
    const size_t huge = (size_t)2 << 20;
    r->map_bytes = (r->n * sizeof(Rec) + 2 * huge) & ~(huge - 1);
    r->map = mmap(NULL, r->map_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (r->map == MAP_FAILED) {
        r->map = NULL;
        return index_refused(fd, r, error, path, "does not fit in memory");
    }
    r->recs = (Rec *)(((uintptr_t)r->map + huge - 1) & ~(uintptr_t)(huge - 1));
#ifdef MADV_HUGEPAGE
    huge_range(r->recs, r->map_bytes - huge, MADV_HUGEPAGE);
#endif
    if (!read_all(fd, r->recs, r->n * sizeof(Rec)))
        return index_refused(fd, r, error, path, "could not be read");
    close(fd);
    if (!records_ok(r))
        return index_refused(-1, r, error, path, "is damaged: its records are out of order "
                                                 "or out of range");
    build_directory(r);
    huge_pages(r->dir, (r->nb + 1) * sizeof(uint32_t));
    report_rejects(r, source);
    return r;
}
