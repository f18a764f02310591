/*
 * activity.c: net change (R-I3) and spells (R-I4).
 *
 * Every accepted row is one compact record (see "Records" below): its fixed
 * fields, then the values a unit needs as NUL-terminated strings.  Records
 * either live in the store's own arena (activity_add()) or are borrowed
 * from the caller (activity_add_records(): the per-file parts of
 * `pbc-ingest --part`, mapped by the merge), so a merge never copies them.
 * Beside the records the store keeps 16 bytes a row (where the record is,
 * its file, its flags) and an open-addressing hash of (dataset,
 * cds_unique_id) for net change: 8 bytes a slot, at most half full.
 *
 * activity_finish() groups the standing rows by dataset and provider (a
 * unit_id is "provider:key", and provider codes hold no ':', so units of
 * different providers order by that prefix alone), sorts each group by key
 * and read order on 16-byte key prefixes, and builds the units group by
 * group: a run of equal keys in an APC group is one spell.
 */
#include "activity.h"

#include "le.h"
#include "log.h"

#include <string.h>
#include <sys/mman.h>

/* The values a unit needs from a row, in the order they are packed: those
 * looked up on their own first, as finding value k walks the k before it. */
static const ExtractCol packed_cols[] = {
    X_CDS_UNIQUE_ID,     X_PROVIDER_CODE,   X_HOSPITAL_SPELL_NO,     X_ATTENDANCE_ID,
    X_SPELL_HRG,         X_COMMISSIONER_CODE, X_NHS_NUMBER,          X_SEX,
    X_POSTCODE,          X_GP_PRACTICE_CODE, X_ADMISSION_METHOD,     X_PATIENT_CLASSIFICATION,
    X_FIRST_ATTENDANCE,  X_ATTENDED_OR_DNA, X_REFERRAL_SOURCE,       X_OP_HRG,
    X_AE_ATTENDANCE_CATEGORY, X_AE_HRG,     X_TREATMENT_FUNCTION_CODE, X_PRIMARY_DIAGNOSIS,
    X_PRIMARY_PROCEDURE,
};
#define NPACKED G_N_ELEMENTS(packed_cols)
/* Positions in packed_cols of the values looked up directly. */
enum { P_ID = 0, P_PROVIDER = 1, P_SPELL = 2, P_ATTENDANCE = 3, P_SPELL_HRG = 4 };
G_STATIC_ASSERT(P_SPELL_HRG < NPACKED);

/*
 * Records.  A little-endian u32 length of the body, then the body:
 *   i64 cds_applicable_datetime (seconds), i64 episode_no, i64 line,
 *   i32 date of birth, admission, discharge, appointment and arrival dates,
 *   i32 activity month key, u8 dataset, u8 deletion,
 *   the NPACKED values, each NUL-terminated.
 * Fields are read with memcpy (records are not aligned).
 */
enum {
    R_APPLICABLE = 0,
    R_EPISODE = 8,
    R_LINE = 16,
    R_DOB = 24,
    R_ADM = 28,
    R_DIS = 32,
    R_APPT = 36,
    R_ARR = 40,
    R_MONTH = 44,
    R_DATASET = 48,
    R_DELETION = 49,
    R_STRINGS = 50,
};

/* Value k of a record body. */
static inline const char *
rec_str(const guint8 *body, guint k)
{
    const char *p = (const char *)body + R_STRINGS;
    while (k-- > 0)
        p += strlen(p) + 1;
    return p;
}

/* The body's size; lens[] gets each value's length. */
static gsize
body_size(const ExtractRow *er, gsize *lens)
{
    gsize body = R_STRINGS;
    for (guint i = 0; i < NPACKED; i++) {
        lens[i] = strlen(er->v[packed_cols[i]]);
        body += lens[i] + 1;
    }
    return body;
}

/* Writes the record (length and body) at p. */
static void
encode_at(guint8 *p, const ExtractRow *er, int month, gsize body, const gsize *lens)
{
    le_put32(p, (int32_t)body);
    p += 4;
    le_put64(p + R_APPLICABLE, er->applicable);
    le_put64(p + R_EPISODE, er->episode_no);
    le_put64(p + R_LINE, er->line);
    le_put32(p + R_DOB, er->date_of_birth);
    le_put32(p + R_ADM, er->admission_date);
    le_put32(p + R_DIS, er->discharge_date);
    le_put32(p + R_APPT, er->appointment_date);
    le_put32(p + R_ARR, er->arrival_date);
    le_put32(p + R_MONTH, month);
    p[R_DATASET] = (guint8)er->dataset;
    p[R_DELETION] = er->deletion ? 1 : 0;
    char *s = (char *)p + R_STRINGS;
    for (guint i = 0; i < NPACKED; i++) {
        memcpy(s, er->v[packed_cols[i]], lens[i] + 1);
        s += lens[i] + 1;
    }
}

gsize
activity_encode(const ExtractRow *er, int month, GByteArray *out)
{
    gsize lens[NPACKED];
    gsize body = body_size(er, lens);
    guint start = out->len;
    g_byte_array_set_size(out, start + 4 + (guint)body);
    encode_at(out->data + start, er, month, body, lens);
    return 4 + body;
}

/* One accepted row: where its record's body is, its file, flags. */
typedef struct {
    const guint8 *body;
    guint32 file;
    guint8 superseded;
    guint8 dataset;
    guint8 deletion;
} Row;

struct ActivityStore {
    GArray *rows;              /* Row, in read order: index = read sequence */
    GPtrArray *arena;          /* owned blocks holding activity_add()'s records */
    GByteArray *block;         /* the block being filled */
    guint64 *slots;            /* net change: hash << 32 | (row + 1); 0 = empty; a row's
                                * slot is found from the upper 32 bits of its key's hash,
                                * so growing the table never reads a record */
    gsize mask, used;
    GPtrArray *files;
    GArray *file_counts;       /* ActivityFileCounts */
    ActivityTotals totals;
};

#define BLOCK (4u << 20)

/*
 * The slot table: its look-ups are random accesses to hundreds of
 * megabytes, so it asks for huge pages (fewer TLB misses; a hint the kernel
 * may ignore) and is grown ahead to the rows about to be added.
 */
static guint64 *
slots_alloc(gsize n)
{
    gsize bytes = n * sizeof(guint64);
    if (bytes < ((gsize)2 << 20))
        return g_new0(guint64, n);
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        g_error("out of memory: %" G_GSIZE_FORMAT " bytes for the net-change table", bytes);
#ifdef MADV_HUGEPAGE
    madvise(p, bytes, MADV_HUGEPAGE);
#endif
    return p;
}

static void
slots_free(guint64 *p, gsize n)
{
    gsize bytes = n * sizeof(guint64);
    if (bytes < ((gsize)2 << 20))
        g_free(p);
    else
        munmap(p, bytes);
}

ActivityStore *
activity_new(void)
{
    ActivityStore *s = g_new0(ActivityStore, 1);
    s->rows = g_array_new(FALSE, FALSE, sizeof(Row));
    s->arena = g_ptr_array_new_with_free_func((GDestroyNotify)g_byte_array_unref);
    s->mask = (1u << 16) - 1;
    s->slots = slots_alloc(s->mask + 1);
    s->files = g_ptr_array_new_with_free_func(g_free);
    s->file_counts = g_array_new(FALSE, TRUE, sizeof(ActivityFileCounts));
    return s;
}

void
activity_free(ActivityStore *s)
{
    if (s == NULL)
        return;
    g_array_free(s->rows, TRUE);
    g_ptr_array_free(s->arena, TRUE);
    slots_free(s->slots, s->mask + 1);
    g_ptr_array_free(s->files, TRUE);
    g_array_free(s->file_counts, TRUE);
    g_free(s);
}

guint
activity_add_file(ActivityStore *s, const char *name)
{
    g_ptr_array_add(s->files, g_strdup(name));
    g_array_set_size(s->file_counts, s->files->len);
    return s->files->len - 1;
}

/* A 64-bit hash of (dataset, id): 8 bytes at a time, multiply and fold. */
static inline guint64
key_hash(guint dataset, const char *id)
{
    gsize n = strlen(id);
    guint64 h = 0x9E3779B97F4A7C15ULL * (n + 1) ^ dataset;
    while (n >= 8) {
        guint64 w;
        memcpy(&w, id, 8);
        h = (h ^ w) * 0xBF58476D1CE4E5B9ULL;
        h ^= h >> 31;
        id += 8;
        n -= 8;
    }
    guint64 w = 0;
    memcpy(&w, id, n);
    h = (h ^ w) * 0x94D049BB133111EBULL;
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ULL;
    return h ^ (h >> 32);
}

/* Grows the table to hold rows entries at most half full. */
static void
slots_reserve(ActivityStore *s, gsize rows)
{
    gsize ncap = s->mask + 1;
    while (ncap < rows * 2)
        ncap *= 2;
    if (ncap == s->mask + 1)
        return;
    guint64 *ns = slots_alloc(ncap);
    for (gsize i = 0; i <= s->mask; i++) {
        guint64 e = s->slots[i];
        if (e == 0)
            continue;
        gsize j = (gsize)(e >> 32) & (ncap - 1);
        while (ns[j])
            j = (j + 1) & (ncap - 1);
        ns[j] = e;
    }
    slots_free(s->slots, s->mask + 1);
    s->slots = ns;
    s->mask = ncap - 1;
}

/* Registers row idx (just appended) for net change (R-I3). */
static inline guint32
row_tag(const guint8 *body)
{
    return (guint32)(key_hash(body[R_DATASET], rec_str(body, P_ID)) >> 32);
}

static void
net_change(ActivityStore *s, guint32 idx, guint32 tag)
{
    if ((s->used + 1) * 2 > s->mask + 1)
        slots_reserve(s, s->used + 1);
    Row *rows = (Row *)s->rows->data;
    Row *r = &rows[idx];
    const char *id = rec_str(r->body, P_ID);
    gsize j = (gsize)tag & s->mask;
    for (;; j = (j + 1) & s->mask) {
        guint64 e = s->slots[j];
        if (e == 0) {
            s->slots[j] = (guint64)tag << 32 | (idx + 1);
            s->used++;
            return;
        }
        if ((guint32)(e >> 32) != tag)
            continue;
        guint32 oi = (guint32)e - 1;
        Row *o = &rows[oi];
        if (o->dataset != r->dataset || strcmp(rec_str(o->body, P_ID), id) != 0)
            continue;
        /* R-I3: the latest applicable datetime stands; on a tie the one read last. */
        if ((int64_t)le_get64(r->body + R_APPLICABLE) >= (int64_t)le_get64(o->body + R_APPLICABLE)) {
            o->superseded = 1;
            s->slots[j] = (guint64)tag << 32 | (idx + 1);
        } else {
            r->superseded = 1;
        }
        return;
    }
}

static void
add_body(ActivityStore *s, guint file, const guint8 *body, guint32 tag)
{
    Row r = {
        .body = body,
        .file = file,
        .dataset = body[R_DATASET],
        .deletion = body[R_DELETION],
    };
    g_array_append_val(s->rows, r);
    net_change(s, s->rows->len - 1, tag);
}

void
activity_add(ActivityStore *s, guint file, const ExtractRow *er, int month)
{
    gsize lens[NPACKED];
    gsize body = body_size(er, lens), n = 4 + body;
    /* Blocks are allocated whole and never grow, so records never move: a
     * record that does not fit starts a new block (of its own size if bigger). */
    if (s->block == NULL || s->block->len + n > BLOCK) {
        s->block = g_byte_array_sized_new((guint)MAX(n, (gsize)BLOCK));
        g_ptr_array_add(s->arena, s->block);
    }
    guint at = s->block->len;
    g_byte_array_set_size(s->block, at + (guint)n);
    encode_at(s->block->data + at, er, month, body, lens);
    const guint8 *b = s->block->data + at + 4;
    add_body(s, file, b, row_tag(b));
}

/* Whether the record at p (of at most left bytes) is whole; its size in *size. */
static gboolean
record_ok(const guint8 *p, gsize left, gsize *size)
{
    if (left < 4)
        return FALSE;
    gsize body = (gsize)(guint32)(int32_t)le_get32(p);
    /* fixed fields and NPACKED NUL-terminated values, filling the body exactly */
    if (body < R_STRINGS + NPACKED || body > left - 4 || p[4 + R_DATASET] >= DS_COUNT)
        return FALSE;
    const guint8 *q = p + 4 + R_STRINGS, *qe = p + 4 + body;
    guint k = 0;
    for (; k < NPACKED && q < qe; k++) {
        const guint8 *z = memchr(q, 0, (size_t)(qe - q));
        if (z == NULL)
            break;
        q = z + 1;
    }
    *size = 4 + body;
    return k == NPACKED && q == qe;
}

#define AHEAD 8

gboolean
activity_add_records(ActivityStore *s, guint file, const guint8 *data, gsize len,
                     guint64 *count, GError **error)
{
    /* First the records' bounds (sequential and cheap), so that the rows and
     * the table grow once; then the rows, each table slot fetched AHEAD rows
     * before it is needed (the table is far bigger than the caches). */
    g_autoptr(GArray) at = g_array_new(FALSE, FALSE, sizeof(const guint8 *));
    const guint8 *p = data, *end = data + len;
    while (p < end) {
        gsize size;
        if (!record_ok(p, (gsize)(end - p), &size)) {
            g_set_error(error, PBC_ERROR, PBC_ERROR_FORMAT,
                        "record %u of the accepted rows of \"%s\" is truncated or corrupt",
                        at->len + 1, (const char *)g_ptr_array_index(s->files, file));
            return FALSE;
        }
        const guint8 *b = p + 4;
        g_array_append_val(at, b);
        p += size;
    }
    guint n = at->len;
    const guint8 **bodies = (const guint8 **)at->data;
    /* GArray keeps its allocation when shrunk: growing and shrinking reserves */
    guint had = s->rows->len;
    g_array_set_size(s->rows, had + n);
    g_array_set_size(s->rows, had);
    slots_reserve(s, s->used + n);
    guint32 tags[AHEAD];
    for (guint i = 0; i < n + AHEAD; i++) {
        /* row i - AHEAD goes in, then row i's slot is fetched into its place in tags */
        if (i >= AHEAD)
            add_body(s, file, bodies[i - AHEAD], tags[i % AHEAD]);
        if (i < n) {
            tags[i % AHEAD] = row_tag(bodies[i]);
            __builtin_prefetch(&s->slots[tags[i % AHEAD] & s->mask], 1);
        }
    }
    if (count)
        *count = n;
    return TRUE;
}

/* --- building the units -------------------------------------------------- */

/* A standing row in its group: its key's first 16 bytes (big-endian, so that
 * comparing the integers compares the bytes), where the key is, its row. */
typedef struct {
    guint64 k1, k2;
    const char *key;
    guint32 row;
} Ent;

typedef struct {
    guint dataset;
    char *prefix;      /* "provider:" */
    GArray *ents;      /* Ent */
} Group;

static inline guint64
be_prefix8(const char *s, gsize n)
{
    guint8 b[8] = {0};
    memcpy(b, s, MIN(n, 8));
    return (guint64)b[0] << 56 | (guint64)b[1] << 48 | (guint64)b[2] << 40 | (guint64)b[3] << 32
           | (guint64)b[4] << 24 | (guint64)b[5] << 16 | (guint64)b[6] << 8 | (guint64)b[7];
}

static void
ent_set(Ent *e, const char *key, guint32 row)
{
    gsize n = strlen(key);
    e->k1 = be_prefix8(key, n);
    e->k2 = n > 8 ? be_prefix8(key + 8, n - 8) : 0;
    e->key = key;
    e->row = row;
}

/* Key order (bytes), then read order. */
static int
cmp_ent(const void *a, const void *b)
{
    const Ent *x = a, *y = b;
    if (x->k1 != y->k1)
        return x->k1 < y->k1 ? -1 : 1;
    if (x->k2 != y->k2)
        return x->k2 < y->k2 ? -1 : 1;
    /* the first 16 bytes agree: when both keys go on, compare the rest */
    if (memchr(x->key, 0, 16) == NULL) {
        int c = strcmp(x->key + 16, y->key + 16);
        if (c)
            return c;
    }
    return x->row < y->row ? -1 : x->row > y->row;
}

static gboolean
same_key(const Ent *x, const Ent *y)
{
    if (x->k1 != y->k1 || x->k2 != y->k2)
        return FALSE;
    return memchr(x->key, 0, 16) != NULL || strcmp(x->key + 16, y->key + 16) == 0;
}

static gint
cmp_group(gconstpointer a, gconstpointer b)
{
    const Group *x = *(Group *const *)a, *y = *(Group *const *)b;
    if (x->dataset != y->dataset)
        return x->dataset < y->dataset ? -1 : 1;
    return strcmp(x->prefix, y->prefix);
}

static void
fill_common(Unit *u, const guint8 *body, guint dataset, const ActivityStore *s, guint32 file)
{
    const char *p = (const char *)body + R_STRINGS;
    const char *v[NPACKED];
    for (guint i = 0; i < NPACKED; i++) {
        v[i] = p;
        p += strlen(p) + 1;
    }
    for (guint i = 0; i < NPACKED; i++) {
        switch (packed_cols[i]) {
        case X_CDS_UNIQUE_ID: u->cds_unique_id = v[i]; break;
        case X_PROVIDER_CODE: u->provider_code = v[i]; break;
        case X_COMMISSIONER_CODE: u->commissioner_code = v[i]; break;
        case X_NHS_NUMBER: u->nhs_number = v[i]; break;
        case X_SEX: u->sex = v[i]; break;
        case X_POSTCODE: u->postcode = v[i]; break;
        case X_GP_PRACTICE_CODE: u->cds_practice_code = v[i]; break;
        case X_ADMISSION_METHOD: u->admission_method = v[i]; break;
        case X_PATIENT_CLASSIFICATION: u->patient_classification = v[i]; break;
        case X_SPELL_HRG: if (dataset == DS_APC) u->hrg = v[i]; break;
        case X_FIRST_ATTENDANCE: u->first_attendance = v[i]; break;
        case X_ATTENDED_OR_DNA: u->attended_or_dna = v[i]; break;
        case X_REFERRAL_SOURCE: u->referral_source = v[i]; break;
        case X_OP_HRG: if (dataset == DS_OP) u->hrg = v[i]; break;
        case X_AE_ATTENDANCE_CATEGORY: u->ae_attendance_category = v[i]; break;
        case X_AE_HRG: if (dataset == DS_AE) u->hrg = v[i]; break;
        case X_TREATMENT_FUNCTION_CODE: u->treatment_function_code = v[i]; break;
        case X_PRIMARY_DIAGNOSIS: u->primary_diagnosis = v[i]; break;
        case X_PRIMARY_PROCEDURE: u->primary_procedure = v[i]; break;
        default: break;
        }
    }
    u->date_of_birth = (int32_t)le_get32(body + R_DOB);
    u->source_file = g_ptr_array_index(s->files, file);
    u->source_line = (int64_t)le_get64(body + R_LINE);
}

/* R-I4: episodes by number; of two with the same number the later read is higher. */
static gboolean
episode_before(const Row *rows, guint32 i, guint32 j)
{
    int64_t a = (int64_t)le_get64(rows[i].body + R_EPISODE), b = (int64_t)le_get64(rows[j].body + R_EPISODE);
    return a != b ? a < b : i < j;
}

void
activity_finish(ActivityStore *s, ActivityEmit emit, gpointer data)
{
    Row *rows = (Row *)s->rows->data;
    guint n = s->rows->len;
    GHashTable *by_prefix = g_hash_table_new(g_str_hash, g_str_equal);
    GPtrArray *groups = g_ptr_array_new();
    Group *last = NULL;
    const char *last_prov = NULL;

    for (guint i = 0; i < n; i++) {
        Row *r = &rows[i];
        ActivityFileCounts *fc = &g_array_index(s->file_counts, ActivityFileCounts, r->file);
        if (r->superseded) {
            fc->superseded++;
            continue;
        }
        fc->accepted++;
        /* R-I3: a standing deletion means the record is gone. */
        if (r->deletion) {
            s->totals.deleted++;
            continue;
        }
        const char *prov = rec_str(r->body, P_PROVIDER);
        if (last == NULL || last->dataset != r->dataset || strcmp(prov, last_prov) != 0) {
            g_autofree char *k = g_strdup_printf("%u%s:", r->dataset, prov);
            last = g_hash_table_lookup(by_prefix, k);
            if (last == NULL) {
                last = g_new0(Group, 1);
                last->dataset = r->dataset;
                last->prefix = g_strconcat(prov, ":", NULL);
                last->ents = g_array_new(FALSE, FALSE, sizeof(Ent));
                g_hash_table_insert(by_prefix, g_steal_pointer(&k), last);
                g_ptr_array_add(groups, last);
            }
            last_prov = prov;
        }
        Ent e;
        ent_set(&e, rec_str(r->body, r->dataset == DS_APC ? P_SPELL : P_ATTENDANCE), i);
        g_array_append_val(last->ents, e);
        if (r->dataset == DS_APC)
            s->totals.episodes++;
    }
    g_ptr_array_sort(groups, cmp_group);

    GString *uid = g_string_sized_new(64);
    GArray *eps = g_array_new(FALSE, FALSE, sizeof(guint32));
    for (guint gi = 0; gi < groups->len; gi++) {
        Group *g = g_ptr_array_index(groups, gi);
        Ent *ents = (Ent *)g->ents->data;
        guint ne = g->ents->len;
        qsort(ents, ne, sizeof(Ent), cmp_ent);
        for (guint a = 0; a < ne;) {
            guint b = a + 1;
            if (g->dataset == DS_APC)
                while (b < ne && same_key(&ents[a], &ents[b]))
                    b++;
            g_string_assign(uid, g->prefix);
            g_string_append(uid, ents[a].key);
            Unit u;
            unit_clear(&u);
            u.dataset = (Dataset)g->dataset;
            u.unit_id = uid->str;
            if (g->dataset == DS_APC) {
                /* the spell's episodes, by number (R-I4): an insertion sort, spells are short */
                g_array_set_size(eps, 0);
                for (guint k = a; k < b; k++) {
                    guint32 r = ents[k].row;
                    guint pos = eps->len;
                    g_array_append_val(eps, r);
                    guint32 *e = (guint32 *)eps->data;
                    while (pos > 0 && episode_before(rows, r, e[pos - 1])) {
                        e[pos] = e[pos - 1];
                        pos--;
                    }
                    e[pos] = r;
                }
                guint32 *e = (guint32 *)eps->data;
                const Row *lo = &rows[e[0]], *hi = &rows[e[eps->len - 1]];
                /* R-I4: admission details, patient and practice from the lowest
                 * episode; discharge date and spell HRG from the highest. */
                fill_common(&u, lo->body, DS_APC, s, lo->file);
                u.hrg = rec_str(hi->body, P_SPELL_HRG);
                u.admission_date = (int32_t)le_get32(lo->body + R_ADM);
                u.discharge_date = (int32_t)le_get32(hi->body + R_DIS);
                u.attribution_date = u.admission_date;
                u.charge_date = u.discharge_date;
                u.episodes = (int)eps->len;
                u.unfinished = u.discharge_date == PBC_NO_DATE;
                s->totals.spells++;
                if (u.unfinished)
                    s->totals.unfinished_spells++;
            } else {
                const Row *r = &rows[ents[a].row];
                fill_common(&u, r->body, g->dataset, s, r->file);
                PbcDate d = (int32_t)le_get32(r->body + (g->dataset == DS_OP ? R_APPT : R_ARR));
                u.attribution_date = d;
                u.charge_date = d;
                if (g->dataset == DS_OP)
                    s->totals.op++;
                else
                    s->totals.ae++;
            }
            emit(&u, data);
            a = b;
        }
        g_array_free(g->ents, TRUE);
        g_free(g->prefix);
        g_free(g);
    }
    g_array_free(eps, TRUE);
    g_string_free(uid, TRUE);
    g_ptr_array_free(groups, TRUE);
    GHashTableIter it;
    gpointer k;
    g_hash_table_iter_init(&it, by_prefix);
    while (g_hash_table_iter_next(&it, &k, NULL))
        g_free(k);
    g_hash_table_destroy(by_prefix);
}

ActivityFileCounts
activity_file_counts(const ActivityStore *s, guint file)
{
    return g_array_index(s->file_counts, ActivityFileCounts, file);
}

void
activity_foreach_row(const ActivityStore *s, ActivityRowFunc fn, gpointer data)
{
    const Row *rows = (const Row *)s->rows->data;
    for (guint i = 0; i < s->rows->len; i++)
        fn(rec_str(rows[i].body, P_PROVIDER), (int32_t)le_get32(rows[i].body + R_MONTH), rows[i].superseded,
           data);
}

void
activity_foreach_deletion(const ActivityStore *s, ActivityDeletionFunc fn, gpointer data)
{
    const Row *rows = (const Row *)s->rows->data;
    GString *uid = g_string_sized_new(64);
    for (guint i = 0; i < s->rows->len; i++) {
        const Row *r = &rows[i];
        if (!r->deletion || r->superseded)
            continue;
        g_string_assign(uid, rec_str(r->body, P_PROVIDER));
        g_string_append_c(uid, ':');
        g_string_append(uid, rec_str(r->body, r->dataset == DS_APC ? P_SPELL : P_ATTENDANCE));
        fn((Dataset)r->dataset, rec_str(r->body, P_ID), uid->str,
           g_ptr_array_index(s->files, r->file), (int64_t)le_get64(r->body + R_LINE), data);
    }
    g_string_free(uid, TRUE);
}

ActivityTotals
activity_totals(const ActivityStore *s)
{
    return s->totals;
}
