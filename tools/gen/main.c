/*
 * main.c: pbc-gen, the realistic test-data generator of pbc-pipeline.
 *
 * Writes OUT/in (the CDS activity extracts of SPEC §3.1) and OUT/ref (the
 * reference data of §3.2) for a chosen scale, deterministically: the same
 * seed and options give byte-identical files.  Everything is streamed, so
 * memory stays a few megabytes at every scale (docs/generator.md).
 *
 * Exit status: 0 done; 2 usage error; 3 I/O error (a partial file is
 * removed, never left under its final name).
 */
#include "activity.h"
#include "config.h"
#include "reference.h"
#include "sheet.h"
#include "tariff.h"
#include "world.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define PROG "pbc-gen"
#define VERSION "1.0"

enum { EXIT_OK = 0, EXIT_USAGE = 2, EXIT_IO = 3 };

/* Options as parsed; -1 / NULL = not given. */
static char *opt_out, *opt_scale = "sample", *opt_period = "2006-09", *opt_pct = "5QA";
static char *opt_tariff;
static gint64 opt_seed = 1, opt_patients = -1, opt_spells = -1, opt_op = -1, opt_ae = -1;
static int opt_practices = -1, opt_run_practices = -1, opt_pcts = -1, opt_providers = -1;
static int opt_months = -1, opt_hrgs = -1, opt_level = -1, opt_jobs = 1;
static gboolean opt_budgets, opt_no_quirks, opt_no_rejects, opt_force, opt_quiet;
static gboolean opt_version, opt_progress;

static const GOptionEntry entries[] = {
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &opt_out,
      "write DIR/in and DIR/ref (required)", "DIR" },
    { "seed", 's', 0, G_OPTION_ARG_INT64, &opt_seed, "random seed (default 1)", "N" },
    { "scale", 'S', 0, G_OPTION_ARG_STRING, &opt_scale,
      "size preset, see below (default sample)", "NAME" },
    { "period", 'p', 0, G_OPTION_ARG_STRING, &opt_period,
      "reporting month, the last month of activity (default 2006-09)", "YYYY-MM" },
    { "pct", 'P', 0, G_OPTION_ARG_STRING, &opt_pct, "the run's PCT code (default 5QA)",
      "CODE" },
    { "budgets", 'b', 0, G_OPTION_ARG_NONE, &opt_budgets,
      "also write ref/budgets.csv (else the pipeline sets budgets, R-B)", NULL },
    { "no-quirks", 'c', 0, G_OPTION_ARG_NONE, &opt_no_quirks,
      "clean CSV: no BOM, CRLF, shuffled or odd headers, mixed dates, plain files, ...",
      NULL },
    { "no-rejects", 'R', 0, G_OPTION_ARG_NONE, &opt_no_rejects,
      "no rows that ingest must reject, no bad registration rows", NULL },
    { "force", 'f', 0, G_OPTION_ARG_NONE, &opt_force,
      "replace the data files already in DIR/in and DIR/ref", NULL },
    { "jobs", 'j', 0, G_OPTION_ARG_INT, &opt_jobs,
      "parallel processes, up to 4: registrations, APC, OP, A&E (default 1)", "N" },
    { "patients", 0, 0, G_OPTION_ARG_INT64, &opt_patients,
      "registered patients of all PCTs", "N" },
    { "practices", 0, 0, G_OPTION_ARG_INT, &opt_practices, "practices of all PCTs", "N" },
    { "run-practices", 0, 0, G_OPTION_ARG_INT, &opt_run_practices,
      "practices of the run's PCT (0 = an even share)", "N" },
    { "pcts", 0, 0, G_OPTION_ARG_INT, &opt_pcts, "PCTs, the run's first", "N" },
    { "providers", 0, 0, G_OPTION_ARG_INT, &opt_providers, "hospital providers", "N" },
    { "months", 'm', 0, G_OPTION_ARG_INT, &opt_months,
      "months of activity ending at the period (0 = from April of the previous "
      "financial year)", "N" },
    { "spells-per-month", 0, 0, G_OPTION_ARG_INT64, &opt_spells,
      "finished spells a month, all providers (0 = national rate)", "N" },
    { "op-per-month", 0, 0, G_OPTION_ARG_INT64, &opt_op,
      "outpatient attendances a month (0 = national rate)", "N" },
    { "ae-per-month", 0, 0, G_OPTION_ARG_INT64, &opt_ae,
      "A&E attendances a month (0 = national rate)", "N" },
    { "hrgs", 0, 0, G_OPTION_ARG_INT, &opt_hrgs,
      "HRGs taken from the real tariff (0 = all 2,400)", "N" },
    { "gzip-level", 'z', 0, G_OPTION_ARG_INT, &opt_level, "gzip level 1..9", "N" },
    { "tariff-source", 0, 0, G_OPTION_ARG_FILENAME, &opt_tariff,
      "the real tariff to draw HRGs and prices from (default: the repository's "
      "data/nhs-tariff-2024-25/tariff_apc.csv)", "FILE" },
    { "progress", 'v', 0, G_OPTION_ARG_NONE, &opt_progress,
      "report progress on stderr", NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &opt_quiet, "no summary on stderr", NULL },
    { "version", 'V', 0, G_OPTION_ARG_NONE, &opt_version, "print the version and exit",
      NULL },
    { NULL, 0, 0, 0, NULL, NULL, NULL },
};

static int
usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, PROG ": error: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nhint: try \"" PROG " --help\"\n");
    return EXIT_USAGE;
}

static char *
help_description(void)
{
    GString *s = g_string_new("Scales (--scale):\n");
    for (const char *const *n = scale_names(); *n; n++)
        g_string_append_printf(s, "  %-15s %s\n", *n, scale_describe(*n));
    g_string_append(
        s,
        "\nWrites DIR/in: apc_PROV_YYYY-MM.csv.gz, op_..., ae_... (one file per\n"
        "provider, dataset and month, some re-sent as ..._v2), and DIR/ref:\n"
        "registrations.csv.gz, practices.csv, populations.csv, tariff_apc.csv,\n"
        "tariff_op.csv, tariff_op_procedure.csv, tariff_ae.csv, tariff_params.csv,\n"
        "mff.csv, local_prices.csv, exclusions.csv, pbc.conf [, budgets.csv].\n"
        "The same seed and options give byte-identical files.\n"
        "\nExamples:\n"
        "  " PROG " -o /tmp/s                       the sample (sample/ in the repo)\n"
        "  " PROG " -o /tmp/p -S pct-year -s 7      a PCT, 18 months of activity\n"
        "  " PROG " -o bench/data/nat -S national-month -c -j 4\n"
        "                                          national month, clean CSV, 4 processes\n"
        "  " PROG " -o /tmp/t -S sample --patients 2000 --months 3 -b\n"
        "\nExit status: 0 done, 2 usage error, 3 I/O error.\n");
    return g_string_free(s, FALSE);
}

/* Locates the real tariff shipped with the repository: next to the
 * executable (build/<variant>/bin/../../../data) or under the current
 * directory. */
static char *
find_tariff_source(void)
{
    const char *rel = "data/nhs-tariff-2024-25/tariff_apc.csv";
    g_autofree char *exe = g_file_read_link("/proc/self/exe", NULL);
    if (exe) {
        g_autofree char *bin = g_path_get_dirname(exe);
        char *p = g_build_filename(bin, "..", "..", "..", rel, NULL);
        if (g_file_test(p, G_FILE_TEST_IS_REGULAR))
            return p;
        g_free(p);
    }
    return g_strdup(rel);
}

/* Names of the files pbc-gen writes, which --force may remove. */
static gboolean
is_generated_name(const char *n)
{
    return g_str_has_suffix(n, ".csv") || g_str_has_suffix(n, ".csv.gz")
        || g_str_has_suffix(n, ".conf") || g_str_has_suffix(n, ".tmp");
}

/* Creates @dir; when it holds files already, removes ours with --force,
 * else refuses (so that a smaller run never leaves a bigger one's files
 * behind). */
static int
prepare_dir(const char *dir)
{
    if (g_mkdir_with_parents(dir, 0755) != 0) {
        fprintf(stderr, PROG ": error: could not create directory \"%s\": %s\n", dir,
                g_strerror(errno));
        return EXIT_IO;
    }
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, PROG ": error: could not open directory \"%s\": %s\n", dir,
                g_strerror(errno));
        return EXIT_IO;
    }
    int rc = EXIT_OK;
    struct dirent *e;
    while (rc == EXIT_OK && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (!opt_force) {
            fprintf(stderr, PROG ": error: directory \"%s\" is not empty\n"
                    "hint: use --force to replace the files in it\n", dir);
            rc = EXIT_USAGE;
        } else if (is_generated_name(e->d_name)) {
            g_autofree char *p = g_build_filename(dir, e->d_name, NULL);
            if (unlink(p) != 0) {
                fprintf(stderr, PROG ": error: could not remove file \"%s\": %s\n", p,
                        g_strerror(errno));
                rc = EXIT_IO;
            }
        }
    }
    closedir(d);
    return rc;
}

/* The independent tasks of a run; --jobs runs several at once. */
typedef enum { TASK_REF, TASK_APC, TASK_OP, TASK_AE, TASK_N } Task;
static const char *const task_names[TASK_N] = { "reference", "apc", "op", "ae" };

static int
run_task(const World *w, Task t, const char *in_dir, const char *ref_dir)
{
    GError *err = NULL;
    gint64 t0 = g_get_monotonic_time();
    gboolean ok = TRUE;
    char summary[256] = "";
    if (t == TASK_REF) {
        guint64 rows = 0;
        ok = reference_write(w, ref_dir, &err) && tariff_write_all(w, ref_dir, &err)
            && registrations_write(w, ref_dir, opt_progress, &rows, &err);
        g_snprintf(summary, sizeof summary,
                   "%" G_GINT64_FORMAT " patients, %" G_GUINT64_FORMAT
                   " registration rows, %d practices", w->n_patients, rows, w->n_practices);
    } else {
        RejectPlan plan;
        cds_reject_plan_init(&plan, w);
        ActivityStats st = { 0 };
        Dataset ds = t == TASK_APC ? DS_APC : t == TASK_OP ? DS_OP : DS_AE;
        for (int p = 0; ok && p < w->n_providers; p++) {
            ok = ds == DS_APC ? apc_write(w, p, in_dir, &plan, &st, &err)
               : ds == DS_OP ? op_write(w, p, in_dir, &plan, &st, &err)
                             : ae_write(w, p, in_dir, &plan, &st, &err);
            if (opt_progress)
                fprintf(stderr, PROG ": %s: provider %d of %d done\n", task_names[t], p + 1,
                        w->n_providers);
        }
        g_snprintf(summary, sizeof summary,
                   "%" G_GUINT64_FORMAT " %s, %" G_GUINT64_FORMAT " rows in %"
                   G_GUINT64_FORMAT " files, %" G_GUINT64_FORMAT " to be rejected",
                   st.units[ds], ds == DS_APC ? "spells" : "attendances", st.rows[ds],
                   st.files, st.rejects[ds]);
    }
    if (!ok) {
        fprintf(stderr, PROG ": error: %s\n", err->message);
        g_error_free(err);
        return EXIT_IO;
    }
    if (!opt_quiet)
        fprintf(stderr, PROG ": %s: %s (%.1f s)\n", task_names[t], summary,
                (double) (g_get_monotonic_time() - t0) / 1e6);
    return EXIT_OK;
}

/* Runs the tasks, up to @jobs at a time in child processes.  Each task's
 * files depend only on the world, so the order does not matter. */
static int
run_all(const World *w, int jobs, const char *in_dir, const char *ref_dir)
{
    if (jobs <= 1) {
        for (int t = 0; t < TASK_N; t++) {
            int rc = run_task(w, (Task) t, in_dir, ref_dir);
            if (rc != EXIT_OK)
                return rc;
        }
        return EXIT_OK;
    }
    int rc = EXIT_OK, running = 0, next = 0;
    fflush(stderr);
    while (next < TASK_N || running > 0) {
        if (next < TASK_N && running < jobs && rc == EXIT_OK) {
            pid_t pid = fork();
            if (pid < 0) {
                fprintf(stderr, PROG ": error: could not fork: %s\n", g_strerror(errno));
                rc = EXIT_IO;
                next = TASK_N;
                continue;
            }
            if (pid == 0)
                _exit(run_task(w, (Task) next, in_dir, ref_dir));
            next++;
            running++;
            continue;
        }
        if (next < TASK_N && rc != EXIT_OK)
            next = TASK_N;
        int status;
        pid_t done = wait(&status);
        if (done < 0)
            break;
        running--;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            rc = WIFEXITED(status) ? WEXITSTATUS(status) : EXIT_IO;
    }
    return rc;
}

int
main(int argc, char **argv)
{
    g_autoptr(GOptionContext) ctx =
        g_option_context_new("- generate realistic NHS activity and reference data");
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_autofree char *desc = help_description();
    g_option_context_set_description(ctx, desc);
    g_option_context_set_summary(
        ctx, "Writes the inputs of SPEC section 3 (CDS extracts and reference data) for a\n"
             "synthetic PCT, region or country: deterministic by seed, streamed in\n"
             "constant memory, with the edge cases and CSV quirks the pipeline must "
             "handle.");
    GError *err = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
        int rc = usage_error("%s", err->message);
        g_error_free(err);
        return rc;
    }
    if (opt_version) {
        printf(PROG " " VERSION "\n");
        return EXIT_OK;
    }
    if (argc > 1)
        return usage_error("unexpected argument \"%s\"", argv[1]);
    if (!opt_out)
        return usage_error("%s", "no output directory given (--out DIR)");

    GenConfig cfg = { 0 };
    if (!scale_apply(&cfg, opt_scale))
        return usage_error("unknown scale \"%s\"", opt_scale);
    cfg.out_dir = opt_out;
    cfg.seed = (guint64) opt_seed;
    if (!cal_parse_month(opt_period, &cfg.period))
        return usage_error("invalid period \"%s\" (expected YYYY-MM)", opt_period);
    if (strlen(opt_pct) < 3 || strlen(opt_pct) > 5)
        return usage_error("invalid PCT code \"%s\"", opt_pct);
    g_strlcpy(cfg.pct, opt_pct, sizeof cfg.pct);
    cfg.budgets = opt_budgets;
    cfg.quirks = !opt_no_quirks;
    cfg.rejects = !opt_no_rejects;
    cfg.force = opt_force;
    if (opt_patients >= 0) cfg.patients = opt_patients;
    if (opt_practices >= 0) cfg.practices = opt_practices;
    if (opt_run_practices >= 0) cfg.run_practices = opt_run_practices;
    if (opt_pcts >= 0) cfg.pcts = opt_pcts;
    if (opt_providers >= 0) cfg.providers = opt_providers;
    if (opt_months >= 0) cfg.months = opt_months;
    if (opt_spells >= 0) cfg.spells_pm = opt_spells;
    if (opt_op >= 0) cfg.op_pm = opt_op;
    if (opt_ae >= 0) cfg.ae_pm = opt_ae;
    if (opt_hrgs >= 0) cfg.hrgs = opt_hrgs;
    if (opt_level >= 0) {
        if (opt_level < 1 || opt_level > 9) {
            g_autofree char *lv = g_strdup_printf("%d", opt_level);
            return usage_error("invalid gzip level \"%s\" (expected 1..9)", lv);
        }
        cfg.gzip_level = opt_level;
    }
    if (opt_patients >= 0 || opt_run_practices >= 0 || opt_pcts >= 0)
        cfg.run_share = 0;      /* explicit sizes: patients follow practices */
    if (cfg.months > 120)
        return usage_error("%s", "cannot make more than 120 months of activity");

    g_autofree char *tariff = opt_tariff ? g_strdup(opt_tariff) : find_tariff_source();
    cfg.tariff_source = tariff;

    World *w = world_new(&cfg, &err);
    if (!w) {
        int rc = err->code == GEN_ERROR_USAGE ? EXIT_USAGE : EXIT_IO;
        fprintf(stderr, PROG ": error: %s\n", err->message);
        if (rc == EXIT_USAGE)
            fprintf(stderr, "hint: try \"" PROG " --help\"\n");
        else if (err->code == GEN_ERROR_INPUT && !opt_tariff)
            fprintf(stderr, "hint: run from the repository, or give --tariff-source "
                    "path/to/data/nhs-tariff-2024-25/tariff_apc.csv\n");
        g_error_free(err);
        return rc;
    }

    g_autofree char *in_dir = g_build_filename(opt_out, "in", NULL);
    g_autofree char *ref_dir = g_build_filename(opt_out, "ref", NULL);
    int rc = prepare_dir(in_dir);
    if (rc == EXIT_OK)
        rc = prepare_dir(ref_dir);
    if (rc == EXIT_OK) {
        gint64 t0 = g_get_monotonic_time();
        rc = run_all(w, MIN(opt_jobs, TASK_N), in_dir, ref_dir);
        if (rc == EXIT_OK && !opt_quiet) {
            char first[8], last[8];
            cal_month_name(first, w->first_month);
            cal_month_name(last, w->period);
            fprintf(stderr, PROG ": wrote %s (scale %s, seed %" G_GINT64_FORMAT
                    ", PCT %s, activity %s to %s) in %.1f s\n", opt_out, cfg.scale,
                    opt_seed, w->pcts[WORLD_RUN_PCT].code, first, last,
                    (double) (g_get_monotonic_time() - t0) / 1e6);
        }
    }
    world_free(w);
    return rc;
}
