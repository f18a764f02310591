/*
 * pbc-ingest: the first stage.  Reads CDS activity extracts (APC, OP, A&E;
 * plain or gzip CSV), validates every row (R-I2), applies net change across
 * re-submissions (R-I3), builds spells (R-I4) and writes the units for
 * attribution.  Every row read ends in exactly one place (R-I1): a unit,
 * superseded, or rejects.csv with file, line, reason and the raw record; the
 * per-file reconciliation says so.  Too many rejects fail the run (R-I5);
 * a corrupt file fails it at once (R-I6).  Outputs are renamed into place
 * only when everything succeeded.
 */
#include "activity.h"
#include "conf.h"
#include "counter.h"
#include "csv_out.h"
#include "decimal.h"
#include "extract.h"
#include "log.h"
#include "unit.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

static char *opt_ref;
static char *opt_output = "-";
static char *opt_rejects;
static char *opt_file_recon;
static char *opt_dq;
static char *opt_deletions;
static char *opt_limit;
static gboolean opt_quiet;
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
    char *name;
    Dataset dataset;
    uint64_t read, rejected;
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
dq_add(Counter *dq, const char *provider, int month, const char *measure, const char *reason)
{
    char mbuf[8] = "";
    if (month >= 0)
        month_format(month, mbuf);
    const char *parts[4] = {provider, mbuf, measure, reason};
    int64_t one = 1;
    counter_add(dq, parts, &one);
}

static void
dq_row(const char *provider, int month, gboolean superseded, gpointer data)
{
    dq_add(data, provider, month, superseded ? "SUPERSEDED" : "ACCEPTED", "");
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

/* Reads one file into the store; rejects go to the rejects output. */
static gboolean
read_file(InFile *f, guint index, ActivityStore *store, CsvOut *rejects, Counter *dq,
          uint64_t *reject_counts, GError **error)
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
        int month = reason == RJ_BROKEN_QUOTING ? -1 : extract_activity_month(x);
        const char *provider = reason == RJ_BROKEN_QUOTING ? "" : extract_value(x, X_PROVIDER_CODE);
        dq_add(dq, provider, month, "ROWS_READ", "");
        if (reason == RJ_NONE) {
            activity_add(store, index, &row, month);
            continue;
        }
        f->rejected++;
        reject_counts[reason]++;
        dq_add(dq, provider, month, "REJECTED", reject_reason_name(reason));
        if (rejects) {
            gsize len;
            const char *raw = extract_raw(x, &len);
            csv_out_str(rejects, f->name);
            csv_out_int(rejects, extract_line(x));
            csv_out_str(rejects, dataset_name(f->dataset));
            csv_out_str(rejects, reject_reason_name(reason));
            csv_out_str(rejects, column >= 0 ? extract_col_name((ExtractCol)column) : "");
            csv_out_strn(rejects, raw, len);
            csv_out_end(rejects);
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
    uint64_t reject_counts[RJ_COUNT] = {0};

    o.rejects = maybe_create(opt_rejects, CSV_OUT_PATIENT, rejects_header, error);
    if (opt_rejects && o.rejects == NULL)
        goto fail;
    for (guint i = 0; i < files->len; i++) {
        InFile *f = g_ptr_array_index(files, i);
        guint idx = activity_add_file(store, f->name);
        if (!read_file(f, idx, store, o.rejects, dq, reject_counts, error))
            goto fail;
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
        activity_foreach_row(store, dq_row, dq);
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
        ctx, "Example:\n  pbc-ingest -r ref -o work/units.csv --rejects out/rejects.csv in/\n\n"
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
    g_autoptr(GPtrArray) files = collect_inputs(opt_inputs, &error);
    if (files == NULL)
        return pbc_report(error);
    if (files->len == 0)
        pbc_warning("no activity files found in the input");
    int rc = run(files, limit, &error);
    if (rc != PBC_EXIT_OK) {
        csv_out_cleanup_all();
        return pbc_report(error);
    }
    return PBC_EXIT_OK;
}
