/*
 * activity.c: net change (R-I3) and spells (R-I4).
 */
#include "activity.h"

#include <string.h>

/* The values a unit needs from a row, in the order they are packed. */
static const ExtractCol packed_cols[] = {
    X_CDS_UNIQUE_ID,  X_PROVIDER_CODE,          X_COMMISSIONER_CODE,    X_NHS_NUMBER,
    X_SEX,            X_POSTCODE,               X_GP_PRACTICE_CODE,     X_HOSPITAL_SPELL_NO,
    X_ADMISSION_METHOD, X_PATIENT_CLASSIFICATION, X_SPELL_HRG,          X_ATTENDANCE_ID,
    X_FIRST_ATTENDANCE, X_ATTENDED_OR_DNA,      X_REFERRAL_SOURCE,      X_OP_HRG,
    X_AE_ATTENDANCE_CATEGORY, X_AE_HRG,         X_TREATMENT_FUNCTION_CODE, X_PRIMARY_DIAGNOSIS,
    X_PRIMARY_PROCEDURE,
};
#define NPACKED G_N_ELEMENTS(packed_cols)
/* Positions in packed_cols of the values looked up directly. */
enum { P_ID = 0, P_PROVIDER = 1, P_SPELL = 7, P_SPELL_HRG = 10, P_ATTENDANCE = 11 };
G_STATIC_ASSERT(P_SPELL < NPACKED && P_ATTENDANCE < NPACKED);

typedef struct {
    const char *packed;     /* NPACKED NUL-terminated values, back to back */
    int64_t applicable;
    int64_t episode_no;
    int64_t line;
    PbcDate dob, adm, dis, appt, arr;
    guint32 file;
    gint32 month;
    guint8 dataset;
    guint8 deletion;
    guint8 superseded;
} Row;

struct ActivityStore {
    GArray *rows;             /* Row, in read order: index = read sequence */
    GStringChunk *chunk;
    GHashTable *latest[DS_COUNT]; /* cds_unique_id (in packed) -> index + 1 */
    GPtrArray *files;
    GArray *file_counts;      /* ActivityFileCounts */
    ActivityTotals totals;
};

ActivityStore *
activity_new(void)
{
    ActivityStore *s = g_new0(ActivityStore, 1);
    s->rows = g_array_new(FALSE, FALSE, sizeof(Row));
    s->chunk = g_string_chunk_new(1 << 20);
    for (int d = 0; d < DS_COUNT; d++)
        s->latest[d] = g_hash_table_new(g_str_hash, g_str_equal);
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
    g_string_chunk_free(s->chunk);
    for (int d = 0; d < DS_COUNT; d++)
        g_hash_table_destroy(s->latest[d]);
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

/* Value k of a packed record. */
static const char *
packed_get(const char *p, guint k)
{
    while (k-- > 0)
        p += strlen(p) + 1;
    return p;
}

void
activity_add(ActivityStore *s, guint file, const ExtractRow *er, int month)
{
    GString *buf = g_string_sized_new(160);
    for (guint i = 0; i < NPACKED; i++)
        g_string_append_len(buf, er->v[packed_cols[i]], strlen(er->v[packed_cols[i]]) + 1);
    Row r = {
        .packed = g_string_chunk_insert_len(s->chunk, buf->str, (gssize)buf->len),
        .applicable = er->applicable,
        .episode_no = er->episode_no,
        .line = er->line,
        .dob = er->date_of_birth,
        .adm = er->admission_date,
        .dis = er->discharge_date,
        .appt = er->appointment_date,
        .arr = er->arrival_date,
        .file = file,
        .month = month,
        .dataset = (guint8)er->dataset,
        .deletion = er->deletion,
    };
    g_string_free(buf, TRUE);
    guint idx = s->rows->len;
    g_array_append_val(s->rows, r);
    /* R-I3: the latest applicable datetime stands; on a tie the one read last. */
    GHashTable *latest = s->latest[r.dataset];
    Row *rows = (Row *)s->rows->data;
    const char *id = packed_get(rows[idx].packed, P_ID);
    gpointer old = g_hash_table_lookup(latest, id);
    if (old == NULL) {
        g_hash_table_insert(latest, (gpointer)id, GUINT_TO_POINTER(idx + 1));
    } else {
        guint oi = GPOINTER_TO_UINT(old) - 1;
        if (rows[idx].applicable >= rows[oi].applicable) {
            rows[oi].superseded = 1;
            g_hash_table_insert(latest, (gpointer)id, GUINT_TO_POINTER(idx + 1));
        } else {
            rows[idx].superseded = 1;
        }
    }
}

typedef struct {
    const char *unit_id;
    guint dataset;
    guint first;   /* index of the first row (read order) */
    GArray *eps;   /* APC: row indices */
} Group;

static gint
cmp_group(gconstpointer a, gconstpointer b)
{
    const Group *x = *(Group *const *)a, *y = *(Group *const *)b;
    if (x->dataset != y->dataset)
        return x->dataset < y->dataset ? -1 : 1;
    int c = strcmp(x->unit_id, y->unit_id);
    if (c)
        return c;
    return x->first < y->first ? -1 : x->first > y->first;
}

static const Row *sort_rows;

/* R-I4: episodes by number; of two with the same number the later read is higher. */
static gint
cmp_episode(gconstpointer a, gconstpointer b)
{
    guint i = *(const guint *)a, j = *(const guint *)b;
    const Row *x = &sort_rows[i], *y = &sort_rows[j];
    if (x->episode_no != y->episode_no)
        return x->episode_no < y->episode_no ? -1 : 1;
    return i < j ? -1 : i > j;
}

static void
fill_common(Unit *u, const Row *r, const ActivityStore *s)
{
    const char *p = r->packed;
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
        case X_SPELL_HRG: if (r->dataset == DS_APC) u->hrg = v[i]; break;
        case X_FIRST_ATTENDANCE: u->first_attendance = v[i]; break;
        case X_ATTENDED_OR_DNA: u->attended_or_dna = v[i]; break;
        case X_REFERRAL_SOURCE: u->referral_source = v[i]; break;
        case X_OP_HRG: if (r->dataset == DS_OP) u->hrg = v[i]; break;
        case X_AE_ATTENDANCE_CATEGORY: u->ae_attendance_category = v[i]; break;
        case X_AE_HRG: if (r->dataset == DS_AE) u->hrg = v[i]; break;
        case X_TREATMENT_FUNCTION_CODE: u->treatment_function_code = v[i]; break;
        case X_PRIMARY_DIAGNOSIS: u->primary_diagnosis = v[i]; break;
        case X_PRIMARY_PROCEDURE: u->primary_procedure = v[i]; break;
        default: break;
        }
    }
    u->date_of_birth = r->dob;
    u->source_file = g_ptr_array_index(s->files, r->file);
    u->source_line = r->line;
}

void
activity_finish(ActivityStore *s, ActivityEmit emit, gpointer data)
{
    Row *rows = (Row *)s->rows->data;
    guint n = s->rows->len;
    GHashTable *groups = g_hash_table_new(g_str_hash, g_str_equal);
    GPtrArray *order = g_ptr_array_new();
    GStringChunk *ids = g_string_chunk_new(1 << 16);

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
        const char *prov = packed_get(r->packed, P_PROVIDER);
        const char *key_part = packed_get(r->packed, r->dataset == DS_APC ? P_SPELL : P_ATTENDANCE);
        g_autofree char *uid = g_strconcat(prov, ":", key_part, NULL);
        if (r->dataset == DS_APC) {
            Group *g = g_hash_table_lookup(groups, uid);
            if (g == NULL) {
                g = g_new0(Group, 1);
                g->unit_id = g_string_chunk_insert(ids, uid);
                g->dataset = DS_APC;
                g->first = i;
                g->eps = g_array_new(FALSE, FALSE, sizeof(guint));
                g_hash_table_insert(groups, (gpointer)g->unit_id, g);
                g_ptr_array_add(order, g);
            }
            g_array_append_val(g->eps, i);
            s->totals.episodes++;
        } else {
            Group *g = g_new0(Group, 1);
            g->unit_id = g_string_chunk_insert(ids, uid);
            g->dataset = r->dataset;
            g->first = i;
            g_ptr_array_add(order, g);
        }
    }
    g_ptr_array_sort(order, cmp_group);
    sort_rows = rows;
    for (guint gi = 0; gi < order->len; gi++) {
        Group *g = g_ptr_array_index(order, gi);
        Unit u;
        unit_clear(&u);
        u.dataset = (Dataset)g->dataset;
        u.unit_id = g->unit_id;
        if (g->dataset == DS_APC) {
            g_array_sort(g->eps, cmp_episode);
            const Row *lo = &rows[g_array_index(g->eps, guint, 0)];
            const Row *hi = &rows[g_array_index(g->eps, guint, g->eps->len - 1)];
            /* R-I4: admission details, patient and practice from the lowest
             * episode; discharge date and spell HRG from the highest. */
            fill_common(&u, lo, s);
            u.hrg = packed_get(hi->packed, P_SPELL_HRG);
            u.admission_date = lo->adm;
            u.discharge_date = hi->dis;
            u.attribution_date = lo->adm;
            u.charge_date = hi->dis;
            u.episodes = (int)g->eps->len;
            u.unfinished = hi->dis == PBC_NO_DATE;
            s->totals.spells++;
            if (u.unfinished)
                s->totals.unfinished_spells++;
            g_array_free(g->eps, TRUE);
        } else {
            const Row *r = &rows[g->first];
            fill_common(&u, r, s);
            PbcDate d = g->dataset == DS_OP ? r->appt : r->arr;
            u.attribution_date = d;
            u.charge_date = d;
            if (g->dataset == DS_OP)
                s->totals.op++;
            else
                s->totals.ae++;
        }
        emit(&u, data);
        g_free(g);
    }
    sort_rows = NULL;
    g_ptr_array_free(order, TRUE);
    g_hash_table_destroy(groups);
    g_string_chunk_free(ids);
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
        fn(packed_get(rows[i].packed, P_PROVIDER), rows[i].month, rows[i].superseded, data);
}

void
activity_foreach_deletion(const ActivityStore *s, ActivityDeletionFunc fn, gpointer data)
{
    const Row *rows = (const Row *)s->rows->data;
    for (guint i = 0; i < s->rows->len; i++) {
        const Row *r = &rows[i];
        if (!r->deletion || r->superseded)
            continue;
        const char *prov = packed_get(r->packed, P_PROVIDER);
        const char *key = packed_get(r->packed, r->dataset == DS_APC ? P_SPELL : P_ATTENDANCE);
        g_autofree char *uid = g_strconcat(prov, ":", key, NULL);
        fn((Dataset)r->dataset, packed_get(r->packed, P_ID), uid,
           g_ptr_array_index(s->files, r->file), r->line, data);
    }
}

ActivityTotals
activity_totals(const ActivityStore *s)
{
    return s->totals;
}
