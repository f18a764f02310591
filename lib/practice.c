/*
 * practice.c: REF/practices.csv as a hash table of practices plus a sorted
 * list, with the R-A5 successor chain.
 *
 * The file is small (a national list is ~10,000 rows), so clarity wins over
 * speed: one GHashTable from code to Practice, one GPtrArray sorted by code,
 * strings in a GStringChunk.  Successor cycles are found once at load with a
 * three-colour walk, so practice_resolve() needs no loop guard at run time.
 */
#include "practice.h"

#include "csv_in.h"
#include "log.h"

#include <string.h>

struct Practice {
    const char *code;
    const char *name;
    const char *consortium;
    const char *pct;
    const char *successor;
    PbcDate open_date;
    PbcDate close_date;
    int colour; /* cycle check: 0 new, 1 on the current walk, 2 done */
};

static inline gboolean
is_blank(const char *s)
{
    return s == NULL || s[0] == '\0';
}

struct PracticeTable {
    GStringChunk *strings;
    GHashTable *by_code; /* code -> Practice * */
    GPtrArray *list;     /* Practice *, byte order of code; owns them */
};

gboolean
practice_code_is_pseudo(const char *code)
{
    return code != NULL && strncmp(code, "V819", 4) == 0 && g_ascii_isdigit(code[4])
           && g_ascii_isdigit(code[5]) && code[6] == '\0';
}

void
practice_table_free(PracticeTable *t)
{
    if (t == NULL)
        return;
    g_hash_table_destroy(t->by_code);
    g_ptr_array_free(t->list, TRUE);
    g_string_chunk_free(t->strings);
    g_free(t);
}

static int
by_code(gconstpointer a, gconstpointer b)
{
    const Practice *pa = *(const Practice *const *)a;
    const Practice *pb = *(const Practice *const *)b;
    return strcmp(pa->code, pb->code);
}

/* Parses an optional date column; FALSE with the error naming file, line, column. */
static gboolean
date_field(CsvIn *in, int col, const char *name, PbcDate *out, GError **error)
{
    const char *s = csv_in_field(in, col);
    *out = PBC_NO_DATE;
    if (s[0] == '\0')
        return TRUE;
    if (date_parse(s, out))
        return TRUE;
    g_set_error(error, PBC_ERROR, PBC_ERROR_REFDATA,
                "file \"%s\" line %" G_GINT64_FORMAT " column \"%s\": invalid date \"%s\"",
                csv_in_path(in), csv_in_line(in), name, s);
    return FALSE;
}

/*
 * Refuses a successor cycle among closed practices (R-A5): walks each
 * closed practice's chain through listed, closed successors; meeting a
 * practice already on the current walk is a cycle, which no day could get
 * out of once all its members have closed.
 */
static gboolean
check_cycles(PracticeTable *t, const char *path, GError **error)
{
    for (guint i = 0; i < t->list->len; i++) {
        Practice *start = g_ptr_array_index(t->list, i);
        Practice *p = start;
        while (p != NULL && p->colour == 0 && p->close_date != PBC_NO_DATE) {
            p->colour = 1;
            p = is_blank(p->successor) ? NULL : g_hash_table_lookup(t->by_code, p->successor);
        }
        if (p != NULL && p->colour == 1 && p->close_date != PBC_NO_DATE) {
            /* p is on the current walk: print the cycle from p back to p. */
            g_autoptr(GString) names = g_string_new(p->code);
            for (Practice *q = g_hash_table_lookup(t->by_code, p->successor);;
                 q = g_hash_table_lookup(t->by_code, q->successor)) {
                g_string_append_printf(names, " -> %s", q->code);
                if (q == p)
                    break;
            }
            g_set_error(error, PBC_ERROR, PBC_ERROR_REFDATA,
                        "file \"%s\": successor cycle among closed practices: %s", path,
                        names->str);
            return FALSE;
        }
        for (Practice *q = start; q != NULL && q->colour == 1;
             q = is_blank(q->successor) ? NULL : g_hash_table_lookup(t->by_code, q->successor))
            q->colour = 2;
    }
    return TRUE;
}

PracticeTable *
practice_table_load(const char *path, GError **error)
{
    static const char *const required[] = {"practice_code", "pct_code", NULL};
    g_autoptr(CsvIn) in = csv_in_open(path, error);
    if (in == NULL)
        return NULL;
    int idx[2];
    if (!csv_in_read_header(in, error) || !csv_in_require(in, required, idx, error))
        return NULL;
    const int c_code = idx[0], c_pct = idx[1];
    const int c_name = csv_in_column(in, "practice_name");
    const int c_cons = csv_in_column(in, "consortium_code");
    const int c_open = csv_in_column(in, "open_date");
    const int c_close = csv_in_column(in, "close_date");
    const int c_succ = csv_in_column(in, "successor_code");

    PracticeTable *t = g_new0(PracticeTable, 1);
    t->strings = g_string_chunk_new(4096);
    t->by_code = g_hash_table_new(g_str_hash, g_str_equal);
    t->list = g_ptr_array_new_with_free_func(g_free);
    guint pseudo = 0;
    int rc;
    while ((rc = csv_in_next(in, error)) > 0) {
        if (csv_in_broken(in)) {
            g_set_error(error, PBC_ERROR, PBC_ERROR_FORMAT,
                        "file \"%s\" line %" G_GINT64_FORMAT ": broken quoting", path,
                        csv_in_line(in));
            goto fail;
        }
        const char *code = csv_in_field(in, c_code);
        if (code[0] == '\0') {
            g_set_error(error, PBC_ERROR, PBC_ERROR_REFDATA,
                        "file \"%s\" line %" G_GINT64_FORMAT
                        " column \"practice_code\": blank practice code",
                        path, csv_in_line(in));
            goto fail;
        }
        if (practice_code_is_pseudo(code)) {
            /* R-A6: pseudo codes are never listed practices. */
            pseudo++;
            continue;
        }
        if (g_hash_table_contains(t->by_code, code)) {
            g_set_error(error, PBC_ERROR, PBC_ERROR_REFDATA,
                        "file \"%s\" line %" G_GINT64_FORMAT
                        " column \"practice_code\": duplicate practice code \"%s\"",
                        path, csv_in_line(in), code);
            goto fail;
        }
        Practice *p = g_new0(Practice, 1);
        g_ptr_array_add(t->list, p);
        if (!date_field(in, c_open, "open_date", &p->open_date, error)
            || !date_field(in, c_close, "close_date", &p->close_date, error))
            goto fail;
        p->code = g_string_chunk_insert_const(t->strings, code);
        p->name = g_string_chunk_insert_const(t->strings, csv_in_field(in, c_name));
        p->consortium = g_string_chunk_insert_const(t->strings, csv_in_field(in, c_cons));
        p->pct = g_string_chunk_insert_const(t->strings, csv_in_field(in, c_pct));
        p->successor = g_string_chunk_insert_const(t->strings, csv_in_field(in, c_succ));
        g_hash_table_insert(t->by_code, (gpointer)p->code, p);
    }
    if (rc < 0)
        goto fail;
    if (pseudo > 0)
        pbc_warning("file \"%s\": %u rows with a pseudo practice code (V819xx) ignored", path,
                    pseudo);
    g_ptr_array_sort(t->list, by_code);
    if (!check_cycles(t, path, error))
        goto fail;
    return t;
fail:
    practice_table_free(t);
    return NULL;
}

const Practice *
practice_lookup(const PracticeTable *t, const char *code)
{
    if (is_blank(code))
        return NULL;
    return g_hash_table_lookup(t->by_code, code);
}

const GPtrArray *
practice_list(const PracticeTable *t)
{
    return t->list;
}

guint
practice_count(const PracticeTable *t)
{
    return t->list->len;
}

const char *
practice_code(const Practice *p)
{
    return p->code;
}

const char *
practice_name(const Practice *p)
{
    return p->name;
}

const char *
practice_consortium(const Practice *p)
{
    return p->consortium;
}

const char *
practice_pct(const Practice *p)
{
    return p->pct;
}

PbcDate
practice_open_date(const Practice *p)
{
    return p->open_date;
}

PbcDate
practice_close_date(const Practice *p)
{
    return p->close_date;
}

const char *
practice_successor(const Practice *p)
{
    return p->successor;
}

gboolean
practice_is_open(const Practice *p, PbcDate day)
{
    return (p->open_date == PBC_NO_DATE || p->open_date <= day)
           && (p->close_date == PBC_NO_DATE || p->close_date > day);
}

gboolean
practice_resolve(const PracticeTable *t, const char *code, PbcDate day, const char **out)
{
    *out = code;
    if (is_blank(code) || day == PBC_NO_DATE)
        return TRUE;
    const Practice *p = practice_lookup(t, code);
    /* R-A5: an unlisted practice has nothing to close; a closed one hands over. */
    while (p != NULL && p->close_date != PBC_NO_DATE && p->close_date <= day) {
        if (is_blank(p->successor)) {
            *out = p->code;
            return FALSE;
        }
        /* The successor's open date is not checked (R-A5). */
        *out = p->successor;
        p = practice_lookup(t, p->successor);
    }
    return TRUE;
}
