/*
 * pbc-attribute: the second stage.  Reads the units that ingest wrote, gives
 * each at most one practice and exactly one method by R-A1 .. R-A7
 * (attribution.c) from the Exeter registrations (REF/registrations.csv[.gz])
 * and the practice table (REF/practices.csv), and writes the same units with
 * their attribution fields filled, everything else unchanged, for the price
 * stage.  Optionally writes the attribution audit (attr_audit.c) of all the
 * units it saw.  The units file is patient data: mode 0600, renamed into
 * place only when complete.
 */
#include "attr_audit.h"
#include "attribution.h"
#include "conf.h"
#include "csv_out.h"
#include "log.h"
#include "practice.h"
#include "registry.h"
#include "unit.h"

#include <errno.h>
#include <string.h>

static char *opt_ref;
static char *opt_pct;
static char *opt_output = "-";
static char *opt_audit_dir;
static char *opt_index;
static char *opt_make_index;
static gboolean opt_quiet;
static char **opt_inputs;

static GOptionEntry entries[] = {
    {"ref", 'r', 0, G_OPTION_ARG_FILENAME, &opt_ref,
     "reference directory with registrations.csv[.gz], practices.csv and pbc.conf (required)",
     "DIR"},
    {"pct", 'p', 0, G_OPTION_ARG_STRING, &opt_pct,
     "the run's PCT for R-A6 (default: pct in REF/pbc.conf)", "CODE"},
    {"output", 'o', 0, G_OPTION_ARG_FILENAME, &opt_output,
     "attributed units file (default: - = stdout)", "FILE"},
    {"audit-dir", 0, 0, G_OPTION_ARG_FILENAME, &opt_audit_dir,
     "write attribution_audit.csv, attribution_mismatch.csv and out_of_area.csv here", "DIR"},
    {"registry-index", 0, 0, G_OPTION_ARG_FILENAME, &opt_index,
     "read the registrations from FILE, an index made by --make-index (the registrations "
     "themselves when FILE is missing, stale or damaged)",
     "FILE"},
    {"make-index", 0, 0, G_OPTION_ARG_FILENAME, &opt_make_index,
     "load the registrations, write them to FILE as an index and exit (no INPUT)", "FILE"},
    {"quiet", 'q', 0, G_OPTION_ARG_NONE, &opt_quiet, "only errors and warnings", NULL},
    {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &opt_inputs, NULL, "INPUT"},
    {NULL, 0, 0, 0, NULL, NULL, NULL}};

/* Counts of the run, for the log. */
typedef struct {
    guint64 units;
    guint64 by_method[4];
    guint64 closed, out_of_area, mismatch;
} Tally;

static const char *const methods[] = {ATTR_EXETER, ATTR_EXETER_NEAREST, ATTR_CDS,
                                      ATTR_UNATTRIBUTED};

static void
tally_add(Tally *t, const Unit *u)
{
    t->units++;
    for (int i = 0; i < 4; i++)
        if (strcmp(u->attribution_method, methods[i]) == 0)
            t->by_method[i]++;
    if (strcmp(u->unattributed_reason, ATTR_PRACTICE_CLOSED) == 0)
        t->closed++;
    t->out_of_area += u->out_of_area ? 1 : 0;
    t->mismatch += u->mismatch ? 1 : 0;
}

/*
 * The registration index: from --registry-index when that is an index of
 * these registrations, otherwise (with a warning saying why) from the
 * registrations themselves.
 */
static Registry *
load_registry(const char *rpath, GError **error)
{
    gint64 t0 = g_get_monotonic_time();
    Registry *r = NULL;
    const char *from = rpath;
    if (opt_index != NULL) {
        g_autoptr(GError) why = NULL;
        r = registry_load_index(opt_index, rpath, &why);
        if (r == NULL)
            pbc_warning("not using the index: %s; reading \"%s\" instead", why->message, rpath);
        else
            from = opt_index;
    }
    if (r == NULL)
        r = registry_load(rpath, error);
    if (r == NULL)
        return NULL;
    pbc_info("read %" G_GUINT64_FORMAT " registration rows from \"%s\" in %.1f s: %" G_GUINT64_FORMAT
             " used for %" G_GUINT64_FORMAT " patients, %" G_GUINT64_FORMAT " rejected",
             registry_rows_read(r), from, (double)(g_get_monotonic_time() - t0) / 1e6,
             registry_rows(r), registry_patients(r), registry_rejected_total(r));
    return r;
}

/* Loads the references: practices first (small), then the registrations. */
static gboolean
load_refs(PracticeTable **practices, Registry **registry, GError **error)
{
    g_autofree char *ppath = g_build_filename(opt_ref, "practices.csv", NULL);
    *practices = practice_table_load(ppath, error);
    if (*practices == NULL)
        return FALSE;
    pbc_info("read %u practices from \"%s\"", practice_count(*practices), ppath);

    g_autofree char *rpath = registry_path(opt_ref);
    *registry = load_registry(rpath, error);
    return *registry != NULL;
}

/* --make-index: the registrations loaded and written as an index file. */
static int
make_index(GError **error)
{
    g_autofree char *rpath = registry_path(opt_ref);
    g_autoptr(Registry) r = load_registry(rpath, error);
    if (r == NULL)
        return -1;
    gint64 t0 = g_get_monotonic_time();
    if (!registry_save(r, opt_make_index, error))
        return -1;
    pbc_info("wrote the registration index \"%s\" (%.0f MB) in %.1f s", opt_make_index,
             (double)registry_memory(r) / 1e6, (double)(g_get_monotonic_time() - t0) / 1e6);
    return PBC_EXIT_OK;
}

static int
run(const char *input, const char *pct, int lookback_days, GError **error)
{
    /* Input and output first: a wrong path should fail before minutes of loading. */
    g_autoptr(UnitIn) in = unit_in_open(input, error);
    if (in == NULL)
        return -1;
    CsvOut *out = unit_out_create(opt_output, error);
    if (out == NULL)
        return -1;
    g_autoptr(PracticeTable) practices = NULL;
    g_autoptr(Registry) registry = NULL;
    if (!load_refs(&practices, &registry, error)) {
        csv_out_abort(out);
        return -1;
    }
    AttributionRules rules = {practices, registry, pct, lookback_days};

    g_autoptr(AttrAudit) audit = opt_audit_dir ? attr_audit_new() : NULL;
    Tally t = {0};
    /* In batches, so that each patient's registrations are fetched from memory
       well before they are needed (the index is far bigger than the caches). */
    enum { BATCH = 1024, AHEAD = 32 };
    g_autofree Unit *batch = g_new(Unit, BATCH);
    g_autofree uint64_t *keys = g_new(uint64_t, BATCH);
    int rc;
    while ((rc = unit_in_next_batch(in, batch, BATCH, error)) > 0) {
        for (int i = 0; i < rc; i++)
            if (!registry_nhs_key(batch[i].nhs_number, &keys[i]))
                keys[i] = UINT64_MAX;
        for (int i = 0; i < rc; i++) {
            if (i + AHEAD < rc)
                registry_prefetch(registry, keys[i + AHEAD], 0);
            if (i + AHEAD / 2 < rc)
                registry_prefetch(registry, keys[i + AHEAD / 2], 1);
            Unit *u = &batch[i];
            attribution_apply_nhs(&rules, u, keys[i] != UINT64_MAX, keys[i]);
            unit_write(out, u);
            if (audit)
                attr_audit_add(audit, u);
            tally_add(&t, u);
            if ((t.units & 0xffff) == 0)
                pbc_progress("units attributed", t.units, 0);
        }
    }
    pbc_progress_done();
    if (rc < 0) {
        csv_out_abort(out);
        return -1;
    }
    /* The audit first: the units file is what make watches, so it is renamed into
       place last, only when everything else succeeded. */
    if (audit && !attr_audit_write(audit, opt_audit_dir, error)) {
        csv_out_abort(out);
        return -1;
    }
    if (!csv_out_commit(out, error))
        return -1;
    pbc_info("wrote %" G_GUINT64_FORMAT " units to \"%s\": EXETER %" G_GUINT64_FORMAT
             ", EXETER_NEAREST %" G_GUINT64_FORMAT ", CDS %" G_GUINT64_FORMAT
             ", UNATTRIBUTED %" G_GUINT64_FORMAT " (%" G_GUINT64_FORMAT
             " of them PRACTICE_CLOSED); %" G_GUINT64_FORMAT " out of area, %" G_GUINT64_FORMAT
             " mismatches",
             t.units, opt_output, t.by_method[0], t.by_method[1], t.by_method[2], t.by_method[3],
             t.closed, t.out_of_area, t.mismatch);
    return PBC_EXIT_OK;
}

int
main(int argc, char **argv)
{
    pbc_log_init(argv[0]);
    csv_out_install_signal_cleanup();
    g_autoptr(GError) error = NULL;
    g_autoptr(GOptionContext) ctx =
        g_option_context_new("[INPUT] - attribute units to GP practices (R-A1 .. R-A7)");
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_summary(
        ctx, "Reads the units file written by pbc-ingest (INPUT, default - = stdin) and fills\n"
             "each unit's practice, attribution method and audit fields from the Exeter\n"
             "registrations (look-back from pbc.conf lookback_days, default 90) and the\n"
             "practice table.  Every other field is copied unchanged.");
    g_option_context_set_description(
        ctx, "Example:\n  pbc-attribute -r ref -p 5QA -o work/attributed.csv --audit-dir out "
             "work/units.csv\n\n"
             "With pipeline.mk the registrations are loaded once into an index file\n"
             "(--make-index) while ingest runs, and read back here (--registry-index).\n\n"
             "Exit status: 0 ok, 2 usage, 3 unreadable or malformed input or reference file.\n");
    if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
        pbc_error("%s", error->message);
        pbc_hint("try \"%s --help\"", pbc_log_prog());
        return PBC_EXIT_USAGE;
    }
    if (opt_quiet)
        pbc_log_set_verbose(FALSE);
    if (opt_ref == NULL) {
        pbc_error("no reference directory given: use --ref DIR");
        pbc_hint("try \"%s --help\"", pbc_log_prog());
        return PBC_EXIT_USAGE;
    }
    if (opt_inputs && opt_inputs[0] && opt_inputs[1]) {
        pbc_error("too many inputs: \"%s\", \"%s\"", opt_inputs[0], opt_inputs[1]);
        pbc_hint("try \"%s --help\"", pbc_log_prog());
        return PBC_EXIT_USAGE;
    }
    if (opt_make_index && opt_inputs && opt_inputs[0]) {
        pbc_error("--make-index takes no INPUT: \"%s\"", opt_inputs[0]);
        pbc_hint("try \"%s --help\"", pbc_log_prog());
        return PBC_EXIT_USAGE;
    }
    const char *input = opt_inputs && opt_inputs[0] ? opt_inputs[0] : "-";
    if (!g_file_test(opt_ref, G_FILE_TEST_IS_DIR)) {
        pbc_error("could not open reference directory \"%s\": %s", opt_ref,
                  g_file_test(opt_ref, G_FILE_TEST_EXISTS) ? "Not a directory"
                                                           : g_strerror(ENOENT));
        return PBC_EXIT_INPUT;
    }
    if (opt_make_index) {
        if (make_index(&error) != PBC_EXIT_OK) {
            csv_out_cleanup_all();
            return pbc_report(error);
        }
        return PBC_EXIT_OK;
    }
    if (opt_audit_dir && !g_file_test(opt_audit_dir, G_FILE_TEST_IS_DIR)) {
        pbc_error("could not open audit directory \"%s\": %s", opt_audit_dir,
                  g_file_test(opt_audit_dir, G_FILE_TEST_EXISTS) ? "Not a directory"
                                                                 : g_strerror(ENOENT));
        return PBC_EXIT_INPUT;
    }

    /* pbc.conf: lookback_days always, pct unless --pct; a missing file gives the defaults. */
    PbcConf conf;
    g_autofree char *conf_path = g_build_filename(opt_ref, "pbc.conf", NULL);
    if (!conf_load(&conf, conf_path, TRUE, &error))
        return pbc_report(error);
    g_autofree char *pct = g_strdup(opt_pct ? opt_pct : conf.pct);
    int lookback_days = conf.lookback_days;
    conf_clear(&conf);
    if (pct != NULL)
        g_strstrip(pct);
    if (pct == NULL || pct[0] == '\0') {
        pbc_error("no PCT given: use --pct CODE or set pct in \"%s\"", conf_path);
        pbc_hint("try \"%s --help\"", pbc_log_prog());
        return PBC_EXIT_USAGE;
    }

    if (run(input, pct, lookback_days, &error) != PBC_EXIT_OK) {
        csv_out_cleanup_all();
        return pbc_report(error);
    }
    return PBC_EXIT_OK;
}
