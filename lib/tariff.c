/*
 * tariff.c: loading and looking up the pricing reference tables (tariff.h).
 *
 * Each file is read through csv_in, row by row, by one small per-file
 * function that validates the row's fields and stores them in the year's
 * tables.  A year is a set of GHashTables keyed by code (HRG, treatment
 * function, provider, or "provider\x1fpod\x1fcode" for composite keys), so a
 * lookup is one hash probe and never allocates for codes of ordinary
 * length.  Entries remember the line they came from so that a duplicate key
 * can name both lines.
 */
#include "tariff.h"

#include "csv_in.h"
#include "date.h"
#include "decimal.h"
#include "log.h"
#include "unit.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* An entry of any table: the values, plus the line it was read from. */
typedef struct {
    TariffApc apc;
    int64_t line;
} ApcEntry;

typedef struct {
    TariffOp op;
    int64_t line;
} OpEntry;

typedef struct {
    int64_t pence;     /* or MFF millionths; TARIFF_NONE when blank */
    int64_t line;
} ValueEntry;

typedef struct {
    TariffParams params;
    int64_t line;
} ParamsEntry;

typedef struct {
    GHashTable *apc;      /* hrg -> ApcEntry */
    GHashTable *op;       /* treatment function -> OpEntry */
    GHashTable *op_proc;  /* hrg -> ValueEntry */
    GHashTable *ae;       /* hrg -> ValueEntry */
    GHashTable *mff;      /* provider -> ValueEntry (millionths) */
    GHashTable *local;    /* provider \x1f pod \x1f code -> ValueEntry */
    GHashTable *held;     /* pod \x1f code -> ValueEntry (PCT_HELD rows) */
    ParamsEntry *params;
} Year;

struct Tariffs {
    GHashTable *years;    /* GINT_TO_POINTER(fy) -> Year */
    GPtrArray *files;     /* paths read, NULL-terminated */
    GHashTable *warned;   /* "table/fy" keys already warned about */
};

static GHashTable *
table_new(void)
{
    return g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
}

static void
year_free(gpointer p)
{
    Year *y = p;
    g_hash_table_destroy(y->apc);
    g_hash_table_destroy(y->op);
    g_hash_table_destroy(y->op_proc);
    g_hash_table_destroy(y->ae);
    g_hash_table_destroy(y->mff);
    g_hash_table_destroy(y->local);
    g_hash_table_destroy(y->held);
    g_free(y->params);
    g_free(y);
}

static Year *
year_get(const Tariffs *t, int fy)
{
    return g_hash_table_lookup(t->years, GINT_TO_POINTER(fy));
}

static Year *
year_get_or_add(Tariffs *t, int fy)
{
    Year *y = year_get(t, fy);
    if (y == NULL) {
        y = g_new0(Year, 1);
        y->apc = table_new();
        y->op = table_new();
        y->op_proc = table_new();
        y->ae = table_new();
        y->mff = table_new();
        y->local = table_new();
        y->held = table_new();
        g_hash_table_insert(t->years, GINT_TO_POINTER(fy), y);
    }
    return y;
}

void
tariffs_free(Tariffs *t)
{
    if (t == NULL)
        return;
    g_hash_table_destroy(t->years);
    g_ptr_array_free(t->files, TRUE);
    g_hash_table_destroy(t->warned);
    g_free(t);
}

static Tariffs *
tariffs_new(void)
{
    Tariffs *t = g_new0(Tariffs, 1);
    t->years = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, year_free);
    t->files = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(t->files, NULL);
    t->warned = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    return t;
}

const char *const *
tariffs_files(const Tariffs *t)
{
    return (const char *const *)t->files->pdata;
}

/* --- composite keys ------------------------------------------------------ */

/*
 * Joins parts with the unit separator (never in a code) into buf when it
 * fits, else into *big (which the caller frees).  Returns the key.
 */
static const char *
key_join(char *buf, size_t size, char **big, const char *a, const char *b, const char *c)
{
    int n = c ? snprintf(buf, size, "%s\x1f%s\x1f%s", a, b, c)
              : snprintf(buf, size, "%s\x1f%s", a, b);
    if (n >= 0 && (size_t)n < size)
        return buf;
    *big = c ? g_strdup_printf("%s\x1f%s\x1f%s", a, b, c) : g_strdup_printf("%s\x1f%s", a, b);
    return *big;
}

/* --- reading one file ---------------------------------------------------- */

#define MAX_COLS 12

typedef struct {
    CsvIn *in;
    const char *path;
    const char *const *cols;   /* column names, NULL-terminated */
    int idx[MAX_COLS];
    int fy;                    /* the current row's fin_year */
} Reader;

/* Sets a REFDATA error naming the file, the current line and column c. */
static gboolean G_GNUC_PRINTF(4, 5)
row_error(const Reader *r, int c, GError **error, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error(error, PBC_ERROR, PBC_ERROR_REFDATA,
                "file \"%s\" line %" G_GINT64_FORMAT " column \"%s\": %s", r->path,
                csv_in_line(r->in), r->cols[c], msg);
    return FALSE;
}

static const char *
field(const Reader *r, int c)
{
    return csv_in_field(r->in, r->idx[c]);
}

/* A required code (key part): non-blank. */
static gboolean
get_code(const Reader *r, int c, const char **out, GError **error)
{
    const char *s = field(r, c);
    if (blank(s))
        return row_error(r, c, error, "missing value");
    *out = s;
    return TRUE;
}

/* fin_year "2006/07" (required). */
static gboolean
get_fy(Reader *r, int c, GError **error)
{
    const char *s = field(r, c);
    if (blank(s))
        return row_error(r, c, error, "missing value");
    if (!fy_parse(s, &r->fy))
        return row_error(r, c, error, "invalid financial year \"%s\"", s);
    return TRUE;
}

/* A price in pounds with up to 2 decimals, not negative; blank -> TARIFF_NONE. */
static gboolean
get_price(const Reader *r, int c, int64_t *out, GError **error)
{
    const char *s = field(r, c);
    *out = TARIFF_NONE;
    if (blank(s))
        return TRUE;
    int64_t v;
    if (!money_parse(s, &v))
        return row_error(r, c, error, "invalid price \"%s\"", s);
    if (v < 0)
        return row_error(r, c, error, "negative price \"%s\"", s);
    *out = v;
    return TRUE;
}

/* A whole number of days or years, not negative; blank -> absent (unchanged *out). */
static gboolean
get_count(const Reader *r, int c, int *out, GError **error)
{
    const char *s = field(r, c);
    if (blank(s))
        return TRUE;
    int64_t v;
    if (!decimal_parse(s, 0, &v) || v < 0 || v > 1000000)
        return row_error(r, c, error, "invalid number \"%s\"", s);
    *out = (int)v;
    return TRUE;
}

/*
 * Inserts key -> entry into h unless the key is there already, in which
 * case it is a duplicate-key error naming both lines (column c).  Takes
 * ownership of entry either way.
 */
static gboolean
insert_unique(Reader *r, GHashTable *h, const char *key, const char *shown, int c, void *entry,
              int64_t first_line_of(const void *), GError **error)
{
    const void *old = g_hash_table_lookup(h, key);
    if (old != NULL) {
        g_free(entry);
        char fyb[8];
        return row_error(r, c, error, "duplicate key \"%s, %s\" (first defined on line %" G_GINT64_FORMAT ")",
                         fy_format(r->fy, fyb), shown, first_line_of(old));
    }
    g_hash_table_insert(h, g_strdup(key), entry);
    return TRUE;
}

static int64_t
apc_line(const void *e)
{
    return ((const ApcEntry *)e)->line;
}

static int64_t
op_line(const void *e)
{
    return ((const OpEntry *)e)->line;
}

static int64_t
value_line(const void *e)
{
    return ((const ValueEntry *)e)->line;
}

/* --- per-file row handlers ----------------------------------------------- */

typedef gboolean (*RowFn)(Tariffs *t, Reader *r, GError **error);

enum { APC_FY, APC_HRG, APC_EL, APC_DC, APC_NEL, APC_ELTRIM, APC_NELTRIM, APC_EBD, APC_SSE };
static const char *const apc_cols[] = {
    "fin_year", "hrg", "elective_tariff", "day_case_tariff", "non_elective_tariff",
    "elective_trim_days", "non_elective_trim_days", "excess_bed_day_tariff", "sse_tariff", NULL};

static gboolean
apc_row(Tariffs *t, Reader *r, GError **error)
{
    const char *hrg = NULL;
    ApcEntry e = {.apc = {.elective_trim = -1, .non_elective_trim = -1},
                  .line = csv_in_line(r->in)};
    if (!get_fy(r, APC_FY, error) || !get_code(r, APC_HRG, &hrg, error)
        || !get_price(r, APC_EL, &e.apc.elective, error)
        || !get_price(r, APC_DC, &e.apc.day_case, error)
        || !get_price(r, APC_NEL, &e.apc.non_elective, error)
        || !get_count(r, APC_ELTRIM, &e.apc.elective_trim, error)
        || !get_count(r, APC_NELTRIM, &e.apc.non_elective_trim, error)
        || !get_price(r, APC_EBD, &e.apc.excess_bed_day, error)
        || !get_price(r, APC_SSE, &e.apc.sse, error))
        return FALSE;
    Year *y = year_get_or_add(t, r->fy);
    return insert_unique(r, y->apc, hrg, hrg, APC_HRG, g_memdup2(&e, sizeof e), apc_line, error);
}

enum { OP_FY, OP_TFC, OP_FIRST, OP_FU };
static const char *const op_cols[] = {"fin_year", "treatment_function_code", "first_tariff",
                                      "follow_up_tariff", NULL};

static gboolean
op_row(Tariffs *t, Reader *r, GError **error)
{
    const char *tfc = NULL;
    OpEntry e = {.line = csv_in_line(r->in)};
    if (!get_fy(r, OP_FY, error) || !get_code(r, OP_TFC, &tfc, error)
        || !get_price(r, OP_FIRST, &e.op.first, error)
        || !get_price(r, OP_FU, &e.op.follow_up, error))
        return FALSE;
    Year *y = year_get_or_add(t, r->fy);
    return insert_unique(r, y->op, tfc, tfc, OP_TFC, g_memdup2(&e, sizeof e), op_line, error);
}

/* tariff_op_procedure.csv and tariff_ae.csv share one layout. */
enum { HT_FY, HT_HRG, HT_TARIFF };
static const char *const hrg_tariff_cols[] = {"fin_year", "hrg", "tariff", NULL};

static gboolean
hrg_tariff_row(Tariffs *t, Reader *r, gboolean ae, GError **error)
{
    const char *hrg = NULL;
    ValueEntry e = {.line = csv_in_line(r->in)};
    if (!get_fy(r, HT_FY, error) || !get_code(r, HT_HRG, &hrg, error)
        || !get_price(r, HT_TARIFF, &e.pence, error))
        return FALSE;
    Year *y = year_get_or_add(t, r->fy);
    return insert_unique(r, ae ? y->ae : y->op_proc, hrg, hrg, HT_HRG, g_memdup2(&e, sizeof e),
                         value_line, error);
}

static gboolean
op_proc_row(Tariffs *t, Reader *r, GError **error)
{
    return hrg_tariff_row(t, r, FALSE, error);
}

static gboolean
ae_row(Tariffs *t, Reader *r, GError **error)
{
    return hrg_tariff_row(t, r, TRUE, error);
}

enum { PAR_FY, PAR_MAXLOS, PAR_MINAGE, PAR_PCT };
static const char *const params_cols[] = {"fin_year", "sse_max_los", "sse_min_age",
                                          "sse_percent", NULL};

static gboolean
params_row(Tariffs *t, Reader *r, GError **error)
{
    ParamsEntry e = {.params = {.sse_max_los = -1, .sse_min_age = 0, .sse_percent = TARIFF_NONE},
                     .line = csv_in_line(r->in)};
    if (!get_fy(r, PAR_FY, error) || !get_count(r, PAR_MAXLOS, &e.params.sse_max_los, error)
        || !get_count(r, PAR_MINAGE, &e.params.sse_min_age, error))
        return FALSE;
    /* sse_percent: a decimal percent, held exactly in millionths, 0..100. */
    const char *s = field(r, PAR_PCT);
    if (!blank(s)) {
        if (!decimal_parse(s, 6, &e.params.sse_percent) || e.params.sse_percent < 0
            || e.params.sse_percent > 100 * 1000000LL)
            return row_error(r, PAR_PCT, error, "invalid percentage \"%s\"", s);
    }
    Year *y = year_get_or_add(t, r->fy);
    if (y->params != NULL) {
        char fyb[8];
        return row_error(r, PAR_FY, error,
                         "duplicate key \"%s\" (first defined on line %" G_GINT64_FORMAT ")",
                         fy_format(r->fy, fyb), y->params->line);
    }
    y->params = g_memdup2(&e, sizeof e);
    return TRUE;
}

enum { MFF_FY, MFF_PROV, MFF_MFF };
static const char *const mff_cols[] = {"fin_year", "provider_code", "mff", NULL};

static gboolean
mff_row(Tariffs *t, Reader *r, GError **error)
{
    const char *prov = NULL;
    ValueEntry e = {.line = csv_in_line(r->in)};
    if (!get_fy(r, MFF_FY, error) || !get_code(r, MFF_PROV, &prov, error))
        return FALSE;
    const char *s = field(r, MFF_MFF);
    if (blank(s))
        return row_error(r, MFF_MFF, error, "missing value");
    if (!decimal_parse(s, 6, &e.pence))
        return row_error(r, MFF_MFF, error, "invalid market forces factor \"%s\"", s);
    /* A factor outside 0.5..2.0 is a typo (a percentage, a missing point), not a price level. */
    if (e.pence < TARIFF_MFF_MIN || e.pence > TARIFF_MFF_MAX)
        return row_error(r, MFF_MFF, error,
                         "market forces factor \"%s\" out of range (0.5 to 2.0)", s);
    Year *y = year_get_or_add(t, r->fy);
    return insert_unique(r, y->mff, prov, prov, MFF_PROV, g_memdup2(&e, sizeof e), value_line,
                         error);
}

/* The PODs of R-P1, to warn about reference rows that can never match. */
static gboolean
pod_known(const char *pod)
{
    static const char *const pods[] = {"EL", "DC", "NEL", "REG", "OPFA",
                                       "OPFU", "OPPROC", "OPTEL", "AE", NULL};
    for (int i = 0; pods[i]; i++)
        if (strcmp(pod, pods[i]) == 0)
            return TRUE;
    return FALSE;
}

static void
warn_unknown_pod(const Reader *r, const char *pod)
{
    pbc_warning("file \"%s\" line %" G_GINT64_FORMAT ": unknown pod \"%s\": the row can never apply",
                r->path, csv_in_line(r->in), pod);
}

enum { LP_FY, LP_PROV, LP_POD, LP_CODE, LP_PRICE };
static const char *const local_cols[] = {"fin_year", "provider_code", "pod", "code", "price",
                                         NULL};

static gboolean
local_row(Tariffs *t, Reader *r, GError **error)
{
    const char *prov = NULL, *pod = NULL, *code = NULL;
    ValueEntry e = {.line = csv_in_line(r->in)};
    if (!get_fy(r, LP_FY, error) || !get_code(r, LP_PROV, &prov, error)
        || !get_code(r, LP_POD, &pod, error) || !get_code(r, LP_CODE, &code, error)
        || !get_price(r, LP_PRICE, &e.pence, error))
        return FALSE;
    if (!pod_known(pod))
        warn_unknown_pod(r, pod);
    Year *y = year_get_or_add(t, r->fy);
    char buf[128];
    g_autofree char *big = NULL, *big2 = NULL;
    const char *key = key_join(buf, sizeof buf, &big, prov, pod, code);
    char shown_buf[128];
    int n = snprintf(shown_buf, sizeof shown_buf, "%s, %s, %s", prov, pod, code);
    const char *shown = shown_buf;
    if (n < 0 || (size_t)n >= sizeof shown_buf)
        shown = big2 = g_strdup_printf("%s, %s, %s", prov, pod, code);
    return insert_unique(r, y->local, key, shown, LP_CODE, g_memdup2(&e, sizeof e), value_line,
                         error);
}

enum { EX_FY, EX_POD, EX_CODE, EX_SCOPE };
static const char *const excl_cols[] = {"fin_year", "pod", "code", "scope", NULL};

static gboolean
excl_row(Tariffs *t, Reader *r, GError **error)
{
    const char *pod = NULL, *code = NULL;
    if (!get_fy(r, EX_FY, error))
        return FALSE;
    /* R-P8: rows with another scope are ignored. */
    if (strcmp(field(r, EX_SCOPE), "PCT_HELD") != 0)
        return TRUE;
    if (!get_code(r, EX_POD, &pod, error) || !get_code(r, EX_CODE, &code, error))
        return FALSE;
    if (strcmp(pod, "*") != 0 && !pod_known(pod))
        warn_unknown_pod(r, pod);
    Year *y = year_get_or_add(t, r->fy);
    char buf[128];
    g_autofree char *big = NULL;
    const char *key = key_join(buf, sizeof buf, &big, pod, code, NULL);
    /* A repeated exclusion says the same thing twice: harmless, kept once. */
    if (!g_hash_table_contains(y->held, key)) {
        ValueEntry e = {.pence = 0, .line = csv_in_line(r->in)};
        g_hash_table_insert(y->held, g_strdup(key), g_memdup2(&e, sizeof e));
    }
    return TRUE;
}

/*
 * Finds dir/name.csv or dir/name.csv.gz.  Returns the path (caller frees),
 * or NULL when neither exists.
 */
static char *
ref_path(const char *dir, const char *name)
{
    g_autofree char *base = g_strconcat(name, ".csv", NULL);
    char *p = g_build_filename(dir, base, NULL);
    if (g_file_test(p, G_FILE_TEST_EXISTS))
        return p;
    g_free(p);
    g_autofree char *gz = g_strconcat(name, ".csv.gz", NULL);
    p = g_build_filename(dir, gz, NULL);
    if (g_file_test(p, G_FILE_TEST_EXISTS))
        return p;
    g_free(p);
    return NULL;
}

/* Reads one reference file: header, required columns, then fn per row. */
static gboolean
load_file(Tariffs *t, const char *dir, const char *name, gboolean optional,
          const char *const *cols, RowFn fn, GError **error)
{
    g_autofree char *path = ref_path(dir, name);
    if (path == NULL) {
        if (optional)
            return TRUE;
        g_set_error(error, PBC_ERROR, PBC_ERROR_REFDATA,
                    "missing reference file \"%s/%s.csv\" (or \"%s.csv.gz\")", dir, name, name);
        return FALSE;
    }
    g_autoptr(CsvIn) in = csv_in_open(path, error);
    if (in == NULL || !csv_in_read_header(in, error))
        return FALSE;
    Reader r = {.in = in, .path = path, .cols = cols};
    for (int c = 0; cols[c]; c++) {
        g_assert(c < MAX_COLS);
        r.idx[c] = csv_in_column(in, cols[c]);
        if (r.idx[c] < 0) {
            g_set_error(error, PBC_ERROR, PBC_ERROR_REFDATA,
                        "file \"%s\": missing required column \"%s\"", path, cols[c]);
            return FALSE;
        }
    }
    int rc;
    while ((rc = csv_in_next(in, error)) > 0) {
        if (csv_in_broken(in)) {
            g_set_error(error, PBC_ERROR, PBC_ERROR_REFDATA,
                        "file \"%s\" line %" G_GINT64_FORMAT ": broken quoting", path,
                        csv_in_line(in));
            return FALSE;
        }
        if (csv_in_count(in) != csv_in_header_count(in)) {
            g_set_error(error, PBC_ERROR, PBC_ERROR_REFDATA,
                        "file \"%s\" line %" G_GINT64_FORMAT ": %u fields where the header has %u",
                        path, csv_in_line(in), csv_in_count(in), csv_in_header_count(in));
            return FALSE;
        }
        if (!fn(t, &r, error))
            return FALSE;
    }
    if (rc < 0)
        return FALSE;
    g_ptr_array_insert(t->files, (gint)t->files->len - 1, g_steal_pointer(&path));
    return TRUE;
}

Tariffs *
tariffs_load(const char *ref_dir, GError **error)
{
    if (!g_file_test(ref_dir, G_FILE_TEST_IS_DIR)) {
        g_set_error(error, PBC_ERROR, PBC_ERROR_REFDATA,
                    "could not open reference directory \"%s\": not a directory", ref_dir);
        return NULL;
    }
    static const struct {
        const char *name;
        gboolean optional;
        const char *const *cols;
        RowFn fn;
    } files[] = {
        {"tariff_apc", FALSE, apc_cols, apc_row},
        {"tariff_op", FALSE, op_cols, op_row},
        {"tariff_op_procedure", TRUE, hrg_tariff_cols, op_proc_row},
        {"tariff_ae", FALSE, hrg_tariff_cols, ae_row},
        {"tariff_params", FALSE, params_cols, params_row},
        {"mff", FALSE, mff_cols, mff_row},
        {"local_prices", FALSE, local_cols, local_row},
        {"exclusions", FALSE, excl_cols, excl_row},
    };
    g_autoptr(Tariffs) t = tariffs_new();
    for (size_t i = 0; i < G_N_ELEMENTS(files); i++)
        if (!load_file(t, ref_dir, files[i].name, files[i].optional, files[i].cols, files[i].fn,
                       error))
            return NULL;
    return g_steal_pointer(&t);
}

/* --- lookups ------------------------------------------------------------- */

const TariffApc *
tariff_apc_lookup(const Tariffs *t, int fy, const char *hrg)
{
    Year *y = year_get(t, fy);
    if (y == NULL || blank(hrg))
        return NULL;
    const ApcEntry *e = g_hash_table_lookup(y->apc, hrg);
    return e ? &e->apc : NULL;
}

const TariffOp *
tariff_op_lookup(const Tariffs *t, int fy, const char *tfc)
{
    Year *y = year_get(t, fy);
    if (y == NULL || blank(tfc))
        return NULL;
    const OpEntry *e = g_hash_table_lookup(y->op, tfc);
    return e ? &e->op : NULL;
}

static int64_t
value_lookup(GHashTable *h, const char *key)
{
    const ValueEntry *e = g_hash_table_lookup(h, key);
    return e ? e->pence : TARIFF_NONE;
}

int64_t
tariff_op_procedure_lookup(const Tariffs *t, int fy, const char *hrg)
{
    Year *y = year_get(t, fy);
    if (y == NULL || blank(hrg))
        return TARIFF_NONE;
    return value_lookup(y->op_proc, hrg);
}

int64_t
tariff_ae_lookup(const Tariffs *t, int fy, const char *hrg)
{
    Year *y = year_get(t, fy);
    if (y == NULL || blank(hrg))
        return TARIFF_NONE;
    return value_lookup(y->ae, hrg);
}

const TariffParams *
tariff_params_lookup(const Tariffs *t, int fy)
{
    Year *y = year_get(t, fy);
    return y && y->params ? &y->params->params : NULL;
}

int64_t
tariff_mff(const Tariffs *t, int fy, const char *provider_code)
{
    Year *y = year_get(t, fy);
    if (y == NULL || blank(provider_code))
        return 1000000;
    /* R-P6: exactly this code; a site (RA901) never falls back to its trust (RA9). */
    int64_t v = value_lookup(y->mff, provider_code);
    return v == TARIFF_NONE ? 1000000 : v;
}

int64_t
tariff_local_price(const Tariffs *t, int fy, const char *provider_code, const char *pod,
                   const char *code)
{
    Year *y = year_get(t, fy);
    if (y == NULL || blank(code) || blank(pod))
        return TARIFF_NONE;
    char buf[128];
    /* R-P7: the provider's own price first, then the any-provider row. */
    if (!blank(provider_code)) {
        g_autofree char *big = NULL;
        int64_t v = value_lookup(y->local, key_join(buf, sizeof buf, &big, provider_code, pod, code));
        if (v != TARIFF_NONE)
            return v;
    }
    g_autofree char *big = NULL;
    return value_lookup(y->local, key_join(buf, sizeof buf, &big, "*", pod, code));
}

gboolean
tariff_pct_held(const Tariffs *t, int fy, const char *pod, const char *code)
{
    Year *y = year_get(t, fy);
    if (y == NULL || blank(code) || g_hash_table_size(y->held) == 0)
        return FALSE;
    char buf[128];
    g_autofree char *big = NULL, *big2 = NULL;
    /* R-P8: the unit's own POD, or any POD ("*"). */
    if (!blank(pod) && g_hash_table_contains(y->held, key_join(buf, sizeof buf, &big, pod, code, NULL)))
        return TRUE;
    return g_hash_table_contains(y->held, key_join(buf, sizeof buf, &big2, "*", code, NULL));
}

gboolean
tariff_year_has(const Tariffs *t, TariffTable table, int fy)
{
    Year *y = year_get(t, fy);
    if (y == NULL)
        return FALSE;
    switch (table) {
    case TARIFF_TABLE_APC:
        return g_hash_table_size(y->apc) > 0;
    case TARIFF_TABLE_OP:
        return g_hash_table_size(y->op) > 0;
    case TARIFF_TABLE_AE:
        return g_hash_table_size(y->ae) > 0;
    }
    return FALSE;
}

void
tariff_warn_missing_year(const Tariffs *t, TariffTable table, int fy)
{
    static const char *const names[] = {"tariff_apc.csv", "tariff_op.csv", "tariff_ae.csv"};
    char key[32];
    snprintf(key, sizeof key, "%d/%d", (int)table, fy);
    if (g_hash_table_contains(t->warned, key))
        return;
    g_hash_table_add(t->warned, g_strdup(key));
    char fyb[8];
    pbc_warning("no rows in %s for financial year %s: its activity is priced locally or left "
                "unpriced",
                names[table], fy_format(fy, fyb));
}
