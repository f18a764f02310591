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
 * sorting is in place (MSD radix, the two top-level halves on two threads),
 * so the peak is the array itself.  A national extract that is already in
 * NHS number order skips the sort.
 *
 * Loading.  The file is read through zlib in large blocks, split into
 * physical lines with memchr, and each line handed to libcsv, whose field
 * callback copies only the four wanted columns into fixed buffers and whose
 * row callback validates and packs the row: no per-field allocation and no
 * string hashing (a practice code, a letter and five digits, packs into an
 * integer that a small open-addressing table maps to its interned number).
 */
#include "registry.h"

#include "log.h"
#include "nhs.h"

#include <csv.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#define ROW_BITS 30
#define ROW_MASK ((UINT64_C(1) << ROW_BITS) - 1)
#define MAX_ROWS (UINT64_C(1) << ROW_BITS)
#define PRACTICE_BITS 20
#define MAX_PRACTICES (1u << PRACTICE_BITS)
#define DATE_BITS 22
#define DATE_MASK ((UINT64_C(1) << DATE_BITS) - 1)
#define VAL_MAX 32
#define READ_CHUNK (4u << 20)

typedef struct {
    uint64_t key;
    uint64_t val;
} Rec;

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
    GPtrArray *codes; /* practice index -> code */
    GStringChunk *code_strings;
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

size_t
registry_find(const Registry *r, uint64_t nhs, size_t *first)
{
    *first = 0;
    if (r->n == 0 || nhs > r->max_nhs)
        return 0;
    size_t b = (size_t)(nhs >> r->shift);
    size_t lo = r->dir[b], hi = r->dir[b + 1];
    /* First record of the bucket with nhs >= the one sought. */
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

enum { ROLE_NHS, ROLE_PRACTICE, ROLE_REG, ROLE_DEREG, ROLE_COUNT };
static const char *const role_names[ROLE_COUNT] = {
    "nhs_number", "practice_code", "registration_date", "deregistration_date"};

typedef struct {
    const char *path;
    Registry *r;
    struct csv_parser parser;
    gboolean in_header;
    GPtrArray *names;   /* header names, lower case */
    int ncols;
    int *role;          /* per header column: ROLE_* or -1 */
    int field;          /* fields of the current record so far */
    size_t last_len;    /* length of the last field (empty-line check) */
    char val[ROLE_COUNT][VAL_MAX];
    size_t len[ROLE_COUNT];
    int64_t line;       /* physical lines fed */
    int64_t rec_line;   /* line where the current record started */
    uint32_t *slot_key; /* practice codes seen, packed + 1 (0 = empty slot) */
    uint32_t *slot_val; /* their indexes */
    uint32_t slots;     /* table size, a power of two */
    uint32_t last_code, last_index; /* the previous row's practice (files often run by practice) */
    size_t cap;
    int64_t first_line[REG_REJECT_COUNT];
    GError *error;      /* a fatal error met inside a callback */
} Loader;

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
parser_init(Loader *L)
{
    csv_init(&L->parser, CSV_STRICT | CSV_STRICT_FINI);
}

static void
record_reset(Loader *L)
{
    L->field = 0;
    L->last_len = 0;
    for (int i = 0; i < ROLE_COUNT; i++) {
        L->len[i] = 0;
        L->val[i][0] = '\0';
    }
}

static void
field_cb(void *s, size_t len, void *data)
{
    Loader *L = data;
    const char *p = s ? s : "";
    while (len > 0 && (p[0] == ' ' || p[0] == '\t')) {
        p++;
        len--;
    }
    while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
        len--;
    if (L->in_header) {
        g_ptr_array_add(L->names, g_ascii_strdown(p, (gssize)len));
        return;
    }
    int f = L->field++;
    L->last_len = len;
    if (f < L->ncols && L->role[f] >= 0) {
        int role = L->role[f];
        size_t keep = MIN(len, (size_t)VAL_MAX - 1);
        memcpy(L->val[role], p, keep);
        L->val[role][keep] = '\0';
        L->len[role] = len; /* the real length: an over-long value fails validation */
    }
}

static void
reject(Loader *L, RegistryReject why)
{
    if (L->r->rejected[why]++ == 0)
        L->first_line[why] = L->rec_line;
}

static gboolean
header_done(Loader *L)
{
    L->in_header = FALSE;
    L->ncols = (int)L->names->len;
    L->role = g_new(int, L->ncols ? L->ncols : 1);
    for (int i = 0; i < L->ncols; i++)
        L->role[i] = -1;
    /* The first column of a name counts, as csv_in_column() does. */
    for (int k = 0; k < ROLE_COUNT; k++)
        for (int i = 0; i < L->ncols; i++)
            if (strcmp(g_ptr_array_index(L->names, i), role_names[k]) == 0) {
                L->role[i] = k;
                break;
            }
    for (int k = 0; k < ROLE_DEREG; k++) {
        gboolean found = FALSE;
        for (int i = 0; i < L->ncols; i++)
            found = found || L->role[i] == k;
        if (!found) {
            g_set_error(&L->error, PBC_ERROR, PBC_ERROR_FORMAT,
                        "file \"%s\": missing required column \"%s\"", L->path, role_names[k]);
            return FALSE;
        }
    }
    return TRUE;
}

/* Doubles the practice code table, re-inserting every code. */
static void
slots_grow(Loader *L)
{
    uint32_t old_n = L->slots;
    uint32_t *old_key = L->slot_key, *old_val = L->slot_val;
    L->slots = old_n ? old_n * 2 : 4096;
    L->slot_key = g_new0(uint32_t, L->slots);
    L->slot_val = g_new(uint32_t, L->slots);
    uint32_t mask = L->slots - 1;
    for (uint32_t i = 0; i < old_n; i++) {
        if (old_key[i] == 0)
            continue;
        uint32_t h = ((old_key[i] - 1) * 2654435761u) & mask;
        while (L->slot_key[h] != 0)
            h = (h + 1) & mask;
        L->slot_key[h] = old_key[i];
        L->slot_val[h] = old_val[i];
    }
    g_free(old_key);
    g_free(old_val);
}

/*
 * Interns a practice code already checked to be a letter and five digits.
 * The code packs into a number below 2.6 million; a small open-addressing
 * table maps it to its index.  (A direct 2.6-million-slot array was tried
 * first: at 10 MB it missed the cache and the TLB on most rows.)
 */
static gboolean
practice_index(Loader *L, const char *code, uint64_t *idx)
{
    uint32_t v = (uint32_t)(code[0] - 'A') * 100000
                 + (uint32_t)((code[1] - '0') * 10000 + (code[2] - '0') * 1000
                              + (code[3] - '0') * 100 + (code[4] - '0') * 10 + (code[5] - '0'));
    if (v == L->last_code) {
        *idx = L->last_index;
        return TRUE;
    }
    uint32_t mask = L->slots - 1;
    uint32_t h = (v * 2654435761u) & mask;
    while (L->slot_key[h] != 0 && L->slot_key[h] != v + 1)
        h = (h + 1) & mask;
    if (L->slot_key[h] == 0) {
        Registry *r = L->r;
        if (r->codes->len >= MAX_PRACTICES) {
            if (L->error == NULL)
                g_set_error(&L->error, PBC_ERROR, PBC_ERROR_REFDATA,
                            "file \"%s\": more than %u distinct practice codes", L->path,
                            MAX_PRACTICES);
            return FALSE;
        }
        g_ptr_array_add(r->codes, g_string_chunk_insert_len(r->code_strings, code, 6));
        L->slot_key[h] = v + 1;
        L->slot_val[h] = r->codes->len - 1;
        *idx = r->codes->len - 1;
        if (r->codes->len * 2 > L->slots)
            slots_grow(L);
    } else {
        *idx = L->slot_val[h];
    }
    L->last_code = v;
    L->last_index = (uint32_t)*idx;
    return TRUE;
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

/* Validates and packs one data record. */
static void
data_row(Loader *L)
{
    Registry *r = L->r;
    uint64_t row = r->rows_read++;
    if (row >= MAX_ROWS) {
        if (L->error == NULL)
            g_set_error(&L->error, PBC_ERROR, PBC_ERROR_REFDATA,
                        "file \"%s\": more than %" G_GUINT64_FORMAT " registration rows",
                        L->path, MAX_ROWS);
        return;
    }
    if ((row & 0xfffff) == 0)
        pbc_progress("registration rows read", row, 0); /* a terminal only; rate-limited */
    if (L->field != L->ncols) {
        reject(L, REG_REJECT_MALFORMED_RECORD);
        return;
    }
    uint64_t nhs, practice;
    PbcDate reg, dereg = PBC_NO_DATE;
    if (!nhs_key_n(L->val[ROLE_NHS], L->len[ROLE_NHS], &nhs)) {
        reject(L, REG_REJECT_INVALID_NHS_NUMBER);
        return;
    }
    if (!practice_code_ok(L->val[ROLE_PRACTICE], L->len[ROLE_PRACTICE])) {
        reject(L, REG_REJECT_INVALID_PRACTICE_CODE);
        return;
    }
    if (L->len[ROLE_REG] == 0 || L->len[ROLE_REG] >= VAL_MAX
        || !date_parse(L->val[ROLE_REG], &reg)) {
        reject(L, REG_REJECT_INVALID_REGISTRATION_DATE);
        return;
    }
    if (L->len[ROLE_DEREG] > 0
        && (L->len[ROLE_DEREG] >= VAL_MAX || !date_parse(L->val[ROLE_DEREG], &dereg))) {
        reject(L, REG_REJECT_INVALID_DEREGISTRATION_DATE);
        return;
    }
    if (dereg != PBC_NO_DATE && dereg < reg) {
        reject(L, REG_REJECT_DEREGISTRATION_BEFORE_REGISTRATION);
        return;
    }
    if (!practice_index(L, L->val[ROLE_PRACTICE], &practice))
        return;
    if (r->n == L->cap) {
        L->cap = L->cap + L->cap / 2 + 1024;
        r->recs = g_renew(Rec, r->recs, L->cap);
    }
    r->recs[r->n].key = nhs << ROW_BITS | row;
    r->recs[r->n].val = practice << (2 * DATE_BITS) | date_enc(reg) << DATE_BITS | date_enc(dereg);
    r->n++;
}

static void
row_cb(int c, void *data)
{
    (void)c;
    Loader *L = data;
    if (L->in_header) {
        header_done(L);
    } else if (!(L->field == 1 && L->last_len == 0)) {
        /* A single blank field is an empty line, not a record. */
        data_row(L);
    }
    record_reset(L);
}

/* Feeds one physical line (with its '\n', if any) to libcsv. */
static void
feed_line(Loader *L, const char *s, size_t len)
{
    if (L->parser.pstate == 0)
        L->rec_line = L->line + 1;
    L->line++;
    if (csv_parse(&L->parser, s, len, field_cb, row_cb, L) != len) {
        /* Broken quoting: the record is rejected, reading resumes at the next line. */
        if (L->in_header) {
            if (L->error == NULL)
                g_set_error(&L->error, PBC_ERROR, PBC_ERROR_FORMAT,
                            "file \"%s\": broken quoting in the header row", L->path);
            return;
        }
        L->r->rows_read++;
        reject(L, REG_REJECT_MALFORMED_RECORD);
        csv_free(&L->parser);
        parser_init(L);
        record_reset(L);
    }
}

/*
 * Decompression runs on its own thread, so that zlib and libcsv share the
 * two cores: the reader fills blocks from a small pool and queues them; the
 * parser takes them in order, feeds their lines and returns them.
 */
#define BLOCKS 4

typedef struct {
    char *data;
    size_t len;
    gboolean last;  /* end of input, or error set */
    GError *error;
} Block;

typedef struct {
    const char *path;
    gzFile gz;
    GAsyncQueue *full, *empty;
    gint stop;      /* the parser gave up: read no further */
} Reader;

/* Sets *error from the state of gz after gzread() returned n; FALSE when all is well. */
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

static gpointer
reader_main(gpointer data)
{
    Reader *rd = data;
    for (;;) {
        Block *b = g_async_queue_pop(rd->empty);
        if (g_atomic_int_get(&rd->stop)) {
            b->len = 0;
            b->last = TRUE;
            g_async_queue_push(rd->full, b);
            return NULL;
        }
        int n = gzread(rd->gz, b->data, READ_CHUNK);
        b->len = n > 0 ? (size_t)n : 0;
        b->last = gz_failed(rd->path, rd->gz, n, &b->error) || n <= 0;
        g_async_queue_push(rd->full, b);
        if (b->last)
            return NULL;
    }
}

/* Feeds the complete lines of data[0..len); a partial last line waits in carry. */
static void
feed_block(Loader *L, GString *carry, const char *data, size_t len, gboolean *first)
{
    size_t pos = 0;
    if (*first && len > 0) {
        /* A UTF-8 byte-order mark may open the file (it could straddle blocks only
           in a file of fewer than three bytes, which has no header anyway). */
        *first = FALSE;
        if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
            pos = 3;
    }
    if (carry->len > 0) {
        const char *nl = memchr(data + pos, '\n', len - pos);
        size_t take = nl ? (size_t)(nl - (data + pos)) + 1 : len - pos;
        g_string_append_len(carry, data + pos, (gssize)take);
        pos += take;
        if (nl == NULL)
            return;
        feed_line(L, carry->str, carry->len);
        g_string_truncate(carry, 0);
    }
    while (pos < len && L->error == NULL) {
        const char *nl = memchr(data + pos, '\n', len - pos);
        if (nl == NULL) {
            g_string_append_len(carry, data + pos, (gssize)(len - pos));
            return;
        }
        size_t take = (size_t)(nl - (data + pos)) + 1;
        feed_line(L, data + pos, take);
        pos += take;
    }
}

/* Reads the whole file through libcsv; FALSE with L->error set on a fatal error. */
static gboolean
read_file(Loader *L, gzFile gz)
{
    Reader rd = {L->path, gz, g_async_queue_new(), g_async_queue_new(), 0};
    Block blocks[BLOCKS];
    for (int i = 0; i < BLOCKS; i++) {
        blocks[i] = (Block){g_malloc(READ_CHUNK), 0, FALSE, NULL};
        g_async_queue_push(rd.empty, &blocks[i]);
    }
    GThread *thread = g_thread_new("registry-read", reader_main, &rd);
    g_autoptr(GString) carry = g_string_new(NULL);
    gboolean first = TRUE;
    for (;;) {
        Block *b = g_async_queue_pop(rd.full);
        if (b->error && L->error == NULL)
            L->error = g_steal_pointer(&b->error);
        if (L->error == NULL)
            feed_block(L, carry, b->data, b->len, &first);
        gboolean last = b->last;
        g_async_queue_push(rd.empty, b);
        if (last)
            break;
        if (L->error != NULL)
            g_atomic_int_set(&rd.stop, 1); /* drain: the reader ends at its next block */
    }
    g_thread_join(thread);
    for (int i = 0; i < BLOCKS; i++) {
        g_free(blocks[i].data);
        g_clear_error(&blocks[i].error);
    }
    g_async_queue_unref(rd.full);
    g_async_queue_unref(rd.empty);
    if (L->error != NULL)
        return FALSE;
    if (carry->len > 0)
        feed_line(L, carry->str, carry->len); /* a last line with no line end */
    if (L->error == NULL && csv_fini(&L->parser, field_cb, row_cb, L) != 0) {
        /* A quote left open at the end of the file. */
        if (L->in_header) {
            g_set_error(&L->error, PBC_ERROR, PBC_ERROR_FORMAT,
                        "file \"%s\": broken quoting in the header row", L->path);
            return FALSE;
        }
        L->r->rows_read++;
        reject(L, REG_REJECT_MALFORMED_RECORD);
    }
    if (L->error != NULL)
        return FALSE;
    if (L->in_header) {
        g_set_error(&L->error, PBC_ERROR, PBC_ERROR_FORMAT, "file \"%s\" is empty: no header row",
                    L->path);
        return FALSE;
    }
    return TRUE;
}

/* One warning line for the rows not used, a detail line per reason. */
static void
report_rejects(const Loader *L)
{
    const Registry *r = L->r;
    uint64_t total = registry_rejected_total(r);
    if (total == 0)
        return;
    pbc_warning("file \"%s\": %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
                " registration rows rejected and not used",
                L->path, total, r->rows_read);
    for (int i = 0; i < REG_REJECT_COUNT; i++)
        if (r->rejected[i])
            pbc_detail("%s: %" G_GUINT64_FORMAT " rows, the first at line %" G_GINT64_FORMAT,
                       reject_names[i], r->rejected[i], L->first_line[i]);
}

Registry *
registry_load(const char *path, GError **error)
{
    gzFile gz = gzopen(path, "rb");
    if (gz == NULL) {
        int e = errno;
        g_set_error(error, PBC_ERROR, PBC_ERROR_IO, "could not open file \"%s\": %s", path,
                    e ? g_strerror(e) : "out of memory");
        return NULL;
    }
    gzbuffer(gz, 1u << 20);
    Loader L = {0};
    L.path = path;
    L.r = registry_alloc();
    L.in_header = TRUE;
    L.names = g_ptr_array_new_with_free_func(g_free);
    L.last_code = UINT32_MAX;
    slots_grow(&L);
    /* First guess at the row count from the size (~40 bytes a row); gzip grows from there. */
    struct stat st;
    if (stat(path, &st) == 0)
        L.cap = (size_t)(st.st_size / 40) + 1024;
    L.r->recs = g_new(Rec, L.cap ? L.cap : 1);
    parser_init(&L);
    record_reset(&L);
    gboolean ok = read_file(&L, gz);
    gzclose(gz);
    csv_free(&L.parser);
    g_ptr_array_free(L.names, TRUE);
    g_free(L.role);
    g_free(L.slot_key);
    g_free(L.slot_val);
    Registry *r = L.r;
    if (!ok) {
        g_propagate_error(error, L.error);
        registry_free(r);
        return NULL;
    }
    pbc_progress_done();
    r->recs = g_renew(Rec, r->recs, r->n ? r->n : 1);
    sort_records(r->recs, r->n);
    build_directory(r);
    report_rejects(&L);
    return r;
}
