/*
 * test_faults.c: fault injection against the stages (issue 9; STYLE 21).
 *
 * SPEC §8 promises that "a failed stage leaves no half-written output that a
 * later stage could take for finished", and Finance needs a re-run to give
 * the same answer.  Each test here builds a moderately sized world (about
 * 20,000 activity rows over APC, OP (gzip) and A&E extracts, the "mini"
 * reference data), makes one clean run of the stages exactly as pipeline.mk
 * chains them (ingest in its two steps: --part per extract, then --merge),
 * and then breaks runs on purpose:
 *
 *   kill_*        SIGKILL at a random moment (seeded RNG, 5 per stage), and
 *                 the whole `make -f pipeline.mk` process group likewise;
 *   disk_full_*   the LD_PRELOAD shim (tests/faultshim/faultshim.c) fails the
 *                 Nth write to a regular file with ENOSPC, once or for good,
 *                 N spread over every write the stage makes;
 *   fsize_*       RLIMIT_FSIZE set in the child (SIGXFSZ ignored), so writes
 *                 past the limit fail with EFBIG;
 *   fsync_rename  fsync() and the final rename() failing.
 *
 * After every fault: the stage's exit code and message are the documented
 * ones (3, `could not write file "...": No space left on device`); no file
 * with a final name is left unless it is complete (byte-identical to the
 * clean run's) and the stage's last-committed file, the one Make waits for,
 * is absent; nothing but the hidden `.name.tmp-PID` files of a killed
 * process remains; and a re-run, with those leftovers still there, gives
 * outputs byte-identical to the clean run (R-I1, SPEC §8, Finance "re-running
 * a month must replace, never duplicate").
 *
 * The stages come from $PBC_BIN (default build/asan/bin): an ASan build also
 * fails a run that leaks on its error path (exit 23 instead of 3).
 */
#include "faultshim/faultlib.h"

#include <fcntl.h>
#include <stdio.h>
#include <zlib.h>

/* The stage runs of pipeline.mk, in order: ingest's per-extract step (here on
 * the APC extract, the largest), its merge, then the other stages. */
typedef enum { ST_PART, ST_INGEST, ST_ATTRIBUTE, ST_PRICE, ST_AGGREGATE, ST_COUNT } Stage;

static const char *const stage_names[ST_COUNT] = {"ingest", "ingest", "attribute", "price",
                                                  "aggregate"};
static const char *const stage_labels[ST_COUNT] = {"ingest --part", "ingest --merge",
                                                   "attribute", "price", "aggregate"};

/* The file each stage renames into place last: what pipeline.mk waits for. */
static const char *const sentinels[ST_COUNT] = {".work/parts/apc.csv.part", ".work/units.csv",
                                                ".work/attributed.csv", ".work/priced.csv",
                                                "statements.csv"};

static const char *const part_outputs[] = {".work/parts/apc.csv.part", NULL};
static const char *const ingest_outputs[] = {".work/units.csv", ".work/rejects.csv",
                                             ".work/file_reconciliation.csv",
                                             ".work/ingest_dq.csv", ".work/deletions.csv", NULL};
static const char *const attribute_outputs[] = {".work/attributed.csv", NULL};
static const char *const price_outputs[] = {".work/priced.csv", NULL};

/* The extracts, in byte order of their names, and their part files. */
static const char *const extracts[] = {"apc.csv", "op.csv.gz", "zz_ae.csv", NULL};
static const char *const parts[] = {".work/parts/apc.csv.part", ".work/parts/op.csv.gz.part",
                                    ".work/parts/zz_ae.csv.part", NULL};

/* What a stage reads from the run directory (copied from the clean run);
 * aggregate reads every file of .work (W.agg_inputs). */
static const char *const no_inputs[] = {NULL};
static const char *const attribute_inputs[] = {".work/units.csv", NULL};
static const char *const price_inputs[] = {".work/attributed.csv", NULL};

static struct {
    char *dir;            /* the test's temporary root */
    char *in, *ref;       /* extracts and reference data */
    char *clean;          /* the clean run: clean/ and clean/.work/ */
    char *shim;           /* faultshim.so, built on first use */
    char **agg_outputs;   /* aggregate's outputs, as the clean run made them */
    char **agg_inputs;    /* every file of the clean run's .work/ */
    gint64 took_us[ST_COUNT];
} W;

#define PERIOD "2006-09"

/* --- the world ------------------------------------------------------------------- */

static const char *const nhs_numbers[] = {"9434765919", "3417284996", "1234567881",
                                          "4010232137", ""};

/* APC: 4,000 spells of two episodes; every 997th row has an invalid sex (R-I2). */
static void
write_apc(const char *path)
{
    GString *s = g_string_new("cds_unique_id,cds_update_type,cds_applicable_datetime,"
                              "provider_code,nhs_number,date_of_birth,sex,gp_practice_code,"
                              "hospital_spell_no,episode_no,admission_method,"
                              "patient_classification,admission_date,discharge_date,"
                              "treatment_function_code,spell_hrg\n");
    static const char *const methods[] = {"11", "21", "12", "2A", "13"};
    for (int i = 0; i < 8000; i++) {
        int spell = i / 2, month = 4 + spell % 6, day = 1 + spell % 20;
        g_string_append_printf(s, "E%d,9,2006-%02d-01 10:00:00,RA9,%s,19%02d-03-01,%s,A8100%d,"
                                  "S%d,%d,%s,1,2006-%02d-%02d,2006-%02d-%02d,100,H01\n",
                               i, month, nhs_numbers[spell % 5], 30 + spell % 60,
                               i % 997 == 5 ? "7" : "1", 1 + spell % 3, spell, 1 + i % 2,
                               methods[spell % 5], month, day, month, day + spell % 9);
    }
    fl_write(path, s->str, (gssize)s->len);
    g_string_free(s, TRUE);
}

/* OP, gzip-compressed: 8,000 attendances, outcomes attended, late and DNA. */
static void
write_op_gz(const char *path)
{
    gzFile gz = gzopen(path, "wb");
    cr_assert_not_null(gz);
    gzputs(gz, "cds_unique_id,cds_update_type,cds_applicable_datetime,provider_code,nhs_number,"
               "gp_practice_code,attendance_id,appointment_date,first_attendance,"
               "attended_or_dna,treatment_function_code,referral_source\n");
    static const char *const outcomes[] = {"5", "6", "3"};
    for (int i = 0; i < 8000; i++)
        gzprintf(gz, "O%d,9,2006-05-01,RA9,%s,A8100%d,AT%d,2006-%02d-%02d,%d,%s,100,0%d\n", i,
                 nhs_numbers[i % 5], 1 + i % 3, i, 4 + i % 6, 1 + i % 28, 1 + i % 4,
                 outcomes[i % 3], 3 + 2 * (i % 2));
    cr_assert_eq(gzclose(gz), Z_OK);
}

/* A&E: 3,000 attendances, every tenth a re-submission of an earlier one (R-I3). */
static void
write_ae(const char *path)
{
    GString *s = g_string_new("cds_unique_id,cds_update_type,cds_applicable_datetime,"
                              "provider_code,nhs_number,gp_practice_code,attendance_id,"
                              "arrival_date,ae_attendance_category,ae_hrg\n");
    for (int i = 0; i < 3000; i++) {
        int id = i % 10 == 9 ? i - 5 : i;
        g_string_append_printf(s, "A%d,9,2006-0%d-02,RA9,%s,A8100%d,AE%d,2006-%02d-%02d,%d,VB01Z\n",
                               id, i % 10 == 9 ? 8 : 5, nhs_numbers[id % 5], 1 + id % 3, id,
                               4 + id % 6, 1 + id % 28, 1 + id % 3);
    }
    fl_write(path, s->str, (gssize)s->len);
    g_string_free(s, TRUE);
}

static char *
path_in(const char *run, const char *rel)
{
    return g_build_filename(run, rel, NULL);
}

/* The stage's command line for a run directory (run/ and run/.work/), as pipeline.mk. */
static char **
stage_argv(Stage st, const char *run)
{
    GPtrArray *a = g_ptr_array_new();
    g_ptr_array_add(a, fl_bin(stage_names[st]));
    g_ptr_array_add(a, g_strdup("--ref"));
    g_ptr_array_add(a, g_strdup(W.ref));
    switch (st) {
    case ST_PART:
        /* pipeline.mk: pbc-ingest --part --output $@ "$<" (no --ref) */
        g_free(g_ptr_array_index(a, 1));
        g_free(g_ptr_array_index(a, 2));
        g_ptr_array_remove_range(a, 1, 2);
        g_ptr_array_add(a, g_strdup("--part"));
        g_ptr_array_add(a, g_strdup("--output"));
        g_ptr_array_add(a, path_in(run, parts[0]));
        g_ptr_array_add(a, g_build_filename(W.in, extracts[0], NULL));
        break;
    case ST_INGEST:
        g_ptr_array_add(a, g_strdup("--merge"));
        g_ptr_array_add(a, g_strdup("--output"));
        g_ptr_array_add(a, path_in(run, ".work/units.csv"));
        g_ptr_array_add(a, g_strdup("--rejects"));
        g_ptr_array_add(a, path_in(run, ".work/rejects.csv"));
        g_ptr_array_add(a, g_strdup("--file-reconciliation"));
        g_ptr_array_add(a, path_in(run, ".work/file_reconciliation.csv"));
        g_ptr_array_add(a, g_strdup("--data-quality"));
        g_ptr_array_add(a, path_in(run, ".work/ingest_dq.csv"));
        g_ptr_array_add(a, g_strdup("--deletions"));
        g_ptr_array_add(a, path_in(run, ".work/deletions.csv"));
        for (int i = 0; parts[i]; i++)
            g_ptr_array_add(a, path_in(run, parts[i]));
        break;
    case ST_ATTRIBUTE:
        g_ptr_array_add(a, g_strdup("--output"));
        g_ptr_array_add(a, path_in(run, ".work/attributed.csv"));
        g_ptr_array_add(a, path_in(run, ".work/units.csv"));
        break;
    case ST_PRICE:
        g_ptr_array_add(a, g_strdup("--output"));
        g_ptr_array_add(a, path_in(run, ".work/priced.csv"));
        g_ptr_array_add(a, path_in(run, ".work/attributed.csv"));
        break;
    case ST_AGGREGATE:
    default:
        g_ptr_array_add(a, g_strdup("--period"));
        g_ptr_array_add(a, g_strdup(PERIOD));
        g_ptr_array_add(a, g_strdup("--work"));
        g_ptr_array_add(a, path_in(run, ".work"));
        g_ptr_array_add(a, g_strdup("--in"));
        g_ptr_array_add(a, g_strdup(W.in));
        g_ptr_array_add(a, g_strdup("--output-dir"));
        g_ptr_array_add(a, g_strdup(run));
        break;
    }
    g_ptr_array_add(a, NULL);
    return (char **)g_ptr_array_free(a, FALSE);
}

static const char *const *
stage_outputs(Stage st)
{
    switch (st) {
    case ST_PART:
        return part_outputs;
    case ST_INGEST:
        return ingest_outputs;
    case ST_ATTRIBUTE:
        return attribute_outputs;
    case ST_PRICE:
        return price_outputs;
    case ST_AGGREGATE:
    default:
        return (const char *const *)W.agg_outputs;
    }
}

static const char *const *
stage_inputs(Stage st)
{
    switch (st) {
    case ST_PART:
        return no_inputs;
    case ST_INGEST:
        return parts;
    case ST_ATTRIBUTE:
        return attribute_inputs;
    case ST_PRICE:
        return price_inputs;
    case ST_AGGREGATE:
    default:
        return (const char *const *)W.agg_inputs;
    }
}

static gboolean
in_list(const char *const *list, const char *s)
{
    for (int i = 0; list && list[i]; i++)
        if (strcmp(list[i], s) == 0)
            return TRUE;
    return FALSE;
}

/* A fresh run directory holding just what the stage reads. */
static char *
prepare_run(Stage st, const char *name)
{
    char *run = g_build_filename(W.dir, name, NULL);
    fl_rm_rf(run);
    g_autofree char *work = g_build_filename(run, ".work", "parts", NULL);
    cr_assert_eq(g_mkdir_with_parents(work, 0700), 0);
    const char *const *inputs = stage_inputs(st);
    for (int i = 0; inputs[i]; i++) {
        g_autofree char *from = path_in(W.clean, inputs[i]);
        g_autofree char *to = path_in(run, inputs[i]);
        fl_copy_file(from, to);
    }
    return run;
}

static void
run_stage(Stage st, const char *run, const char *const *env, long long fsize, FlRun *r)
{
    g_auto(GStrv) argv = stage_argv(st, run);
    fl_run(argv, env, fsize, r);
}

static void
setup(void)
{
    memset(&W, 0, sizeof W);
    W.dir = fl_tmpdir("faults");
    W.in = g_build_filename(W.dir, "in", NULL);
    W.ref = g_build_filename(W.dir, "ref", NULL);
    W.clean = g_build_filename(W.dir, "clean", NULL);
    fl_snapshot_bins(W.dir);
    cr_assert_eq(g_mkdir(W.in, 0700), 0);
    g_autofree char *apc = g_build_filename(W.in, "apc.csv", NULL);
    g_autofree char *op = g_build_filename(W.in, "op.csv.gz", NULL);
    g_autofree char *ae = g_build_filename(W.in, "zz_ae.csv", NULL);
    write_apc(apc);
    write_op_gz(op);
    write_ae(ae);
    fl_copy_dir("tests/fixtures/mini/ref", W.ref);
    g_autofree char *work = g_build_filename(W.clean, ".work", "parts", NULL);
    cr_assert_eq(g_mkdir_with_parents(work, 0700), 0);
    /* The other extracts' parts, as pipeline.mk makes them. */
    g_autofree char *ingest = fl_bin("ingest");
    for (int i = 1; extracts[i]; i++) {
        g_autofree char *part = path_in(W.clean, parts[i]);
        g_autofree char *src = g_build_filename(W.in, extracts[i], NULL);
        char *argv[] = {ingest, "--part", "--output", part, src, NULL};
        FlRun r = {0};
        fl_run(argv, NULL, -1, &r);
        cr_assert_eq(r.status, 0, "pbc-ingest --part %s failed:\n%s", extracts[i], r.err);
        fl_run_clear(&r);
    }
    /* The clean run, stage by stage, timed for the kill tests. */
    for (int st = 0; st < ST_COUNT; st++) {
        if (st == ST_AGGREGATE) {
            g_autofree char *wd = g_build_filename(W.clean, ".work", NULL);
            g_auto(GStrv) names = fl_list(wd);
            GPtrArray *ins = g_ptr_array_new();
            for (char **n = names; *n; n++) {
                g_autofree char *p = g_build_filename(wd, *n, NULL);
                if ((*n)[0] != '.' && g_file_test(p, G_FILE_TEST_IS_REGULAR))
                    g_ptr_array_add(ins, g_build_filename(".work", *n, NULL));
            }
            g_ptr_array_add(ins, NULL);
            W.agg_inputs = (char **)g_ptr_array_free(ins, FALSE);
        }
        FlRun r = {0};
        gint64 t0 = g_get_monotonic_time();
        run_stage((Stage)st, W.clean, NULL, -1, &r);
        W.took_us[st] = g_get_monotonic_time() - t0;
        cr_assert_eq(r.status, 0, "clean run of pbc-%s failed (%d):\n%s", stage_labels[st],
                     r.status, r.err);
        fl_run_clear(&r);
    }
    /* aggregate's outputs: every file it put in the output directory. */
    g_auto(GStrv) names = fl_list(W.clean);
    GPtrArray *outs = g_ptr_array_new();
    for (char **n = names; *n; n++) {
        g_autofree char *p = g_build_filename(W.clean, *n, NULL);
        if ((*n)[0] != '.' && g_file_test(p, G_FILE_TEST_IS_REGULAR))
            g_ptr_array_add(outs, g_strdup(*n));
    }
    cr_assert(outs->len >= 10, "aggregate wrote only %u files", outs->len);
    g_ptr_array_add(outs, NULL);
    W.agg_outputs = (char **)g_ptr_array_free(outs, FALSE);
}

static void
teardown(void)
{
    fl_rm_rf(W.dir);
    g_free(W.dir);
    g_free(W.in);
    g_free(W.ref);
    g_free(W.clean);
    g_free(W.shim);
    g_strfreev(W.agg_outputs);
    g_strfreev(W.agg_inputs);
}

/* No .timeout: see test_bad_input.c (Criterion leaks); run-tests.sh sets --timeout 300. */
TestSuite(faults, .init = setup, .fini = teardown);

/* --- the checks ------------------------------------------------------------------ */

/* Hidden temporaries a killed stage left (they cannot be removed by it). */
static int temps_seen;

/* A hidden temporary file of process pid: ".name.tmp-PID" (csv_out.c), or run.ini's. */
static gboolean
is_temp_of(const char *name, long pid)
{
    if (name[0] != '.')
        return FALSE;
    if (g_str_has_prefix(name, ".run.ini.tmp"))
        return TRUE;
    g_autofree char *suffix = g_strdup_printf(".tmp-%ld", pid);
    return pid > 0 && g_str_has_suffix(name, suffix);
}

/*
 * After a failed or killed run of st in run: every file with a final name is
 * complete (the clean run's bytes); the sentinel is absent unless the stage
 * finished (finished: every output then present); nothing else is there but
 * the stage's inputs and, when killed_pid > 0, that process's temporaries.
 * Returns how many outputs were left (complete).
 */
static int
check_no_partial(Stage st, const char *run, long killed_pid, gboolean finished, const char *what)
{
    const char *const *outs = stage_outputs(st);
    int left = 0;
    const char *subdirs[] = {"", ".work", ".work/parts"};
    for (size_t k = 0; k < G_N_ELEMENTS(subdirs); k++) {
        g_autofree char *d = g_build_filename(run, subdirs[k], NULL);
        g_auto(GStrv) names = fl_list(d);
        for (char **n = names; *n; n++) {
            g_autofree char *rel = *subdirs[k] ? g_build_filename(subdirs[k], *n, NULL)
                                              : g_strdup(*n);
            g_autofree char *p = g_build_filename(run, rel, NULL);
            if (strcmp(rel, ".work") == 0 || strcmp(rel, ".work/parts") == 0
                || in_list(stage_inputs(st), rel))
                continue;
            if (in_list(outs, rel)) {
                g_autofree char *c = g_build_filename(W.clean, rel, NULL);
                cr_expect(fl_same_file(p, c), "%s: %s left a partial \"%s\"", what,
                          stage_labels[st], rel);
                left++;
                continue;
            }
            cr_expect(is_temp_of(*n, killed_pid), "%s: pbc-%s left \"%s\"", what,
                      stage_labels[st], rel);
            temps_seen++;
        }
    }
    g_autofree char *sentinel = g_build_filename(run, sentinels[st], NULL);
    if (finished) {
        for (int i = 0; outs[i]; i++) {
            g_autofree char *p = g_build_filename(run, outs[i], NULL);
            cr_expect(fl_exists(p), "%s: pbc-%s finished without \"%s\"", what, stage_labels[st],
                      outs[i]);
        }
    } else {
        cr_expect(!fl_exists(sentinel), "%s: failed pbc-%s left \"%s\", which Make takes for "
                                        "finished",
                  what, stage_labels[st], sentinels[st]);
    }
    return left;
}

/* Re-runs st in run (leftovers kept) and checks byte-identical outputs. */
static void
rerun_identical(Stage st, const char *run, const char *what)
{
    FlRun r = {0};
    run_stage(st, run, NULL, -1, &r);
    cr_assert_eq(r.status, 0, "%s: re-run of pbc-%s failed (%d):\n%s", what, stage_labels[st],
                 r.status, r.err);
    fl_run_clear(&r);
    const char *const *outs = stage_outputs(st);
    for (int i = 0; outs[i]; i++) {
        g_autofree char *p = g_build_filename(run, outs[i], NULL);
        g_autofree char *c = g_build_filename(W.clean, outs[i], NULL);
        cr_expect(fl_same_file(p, c), "%s: re-run of pbc-%s: \"%s\" differs from the clean run",
                  what, stage_labels[st], outs[i]);
    }
}

/* The failed write's message names one of the stage's outputs (or its temporary). */
static void
check_write_message(Stage st, const char *run, const char *err, const char *reason,
                    const char *what)
{
    const char *const *outs = stage_outputs(st);
    gboolean named = FALSE;
    for (int i = 0; outs[i] && !named; i++) {
        g_autofree char *p = g_build_filename(run, outs[i], NULL);
        g_autofree char *line = g_strdup_printf("pbc-%s: error: could not write file \"%s\": %s\n",
                                                stage_names[st], p, reason);
        named = strstr(err, line) != NULL;
    }
    cr_expect(named, "%s: pbc-%s: expected 'could not write file \"<output>\": %s', got:\n%s",
              what, stage_labels[st], reason, err);
}

/* --- (a) SIGKILL at random moments ------------------------------------------------ */

/* Starts st in run with stdout and stderr discarded; returns the pid. */
static pid_t
start_stage(Stage st, const char *run)
{
    g_auto(GStrv) argv = stage_argv(st, run);
    g_auto(GStrv) envp = fl_environ(NULL);
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        dup2(null, 2);
        execve(argv[0], argv, envp);
        _exit(127);
    }
    return pid;
}

static void
kill_stage(Stage st)
{
    GRand *rng = g_rand_new_with_seed(9001 + (guint32)st);
    int mid_run = 0;
    for (int k = 0; k < 5; k++) {
        g_autofree char *name = g_strdup_printf("kill-%d", k);
        g_autofree char *run = prepare_run(st, name);
        /* Anywhere from before main() to near the end of the clean run's time
         * (the last part of which is the sanitizer's exit-time leak check). */
        gint64 delay = g_rand_int_range(rng, 0, (gint32)MAX(W.took_us[st] * 4 / 5, 2000));
        pid_t pid = start_stage(st, run);
        g_usleep((gulong)delay);
        kill(pid, SIGKILL);
        int status;
        cr_assert_eq(waitpid(pid, &status, 0), pid);
        cr_assert((WIFEXITED(status) && WEXITSTATUS(status) == 0)
                      || (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL),
                  "pbc-%s ended with status %d", stage_labels[st], status);
        /* Killed after its last rename (on its way out) the stage has finished. */
        g_autofree char *sentinel = g_build_filename(run, sentinels[st], NULL);
        gboolean finished = fl_exists(sentinel);
        mid_run += !finished;
        g_autofree char *what = g_strdup_printf("kill %d after %" G_GINT64_FORMAT " us", k, delay);
        check_no_partial(st, run, (long)pid, finished, what);
        rerun_identical(st, run, what);
    }
    g_rand_free(rng);
    fprintf(stderr, "faults: pbc-%s killed 5 times (%d mid-run, %d temporaries left behind; "
                    "clean run %" G_GINT64_FORMAT " ms)\n",
            stage_labels[st], mid_run, temps_seen, W.took_us[st] / 1000);
}

Test(faults, kill_ingest_part) { kill_stage(ST_PART); }
Test(faults, kill_ingest) { kill_stage(ST_INGEST); }
Test(faults, kill_attribute) { kill_stage(ST_ATTRIBUTE); }
Test(faults, kill_price) { kill_stage(ST_PRICE); }
Test(faults, kill_aggregate) { kill_stage(ST_AGGREGATE); }

/*
 * The whole pipeline: `make -f pipeline.mk` in its own process group, the
 * group killed at a random moment, then make run again: it must redo what
 * is missing and end with the clean run's outputs, byte for byte (SPEC §8).
 */
Test(faults, kill_pipeline)
{
    g_autofree char *bindir = fl_bindir();
    g_autofree char *absbin = g_canonicalize_filename(bindir, NULL);
    gint64 total = 0;
    for (int st = 0; st < ST_COUNT; st++)
        total += W.took_us[st];
    GRand *rng = g_rand_new_with_seed(4242);
    int mid_run = 0;
    for (int k = 0; k < 6; k++) {
        g_autofree char *out = g_strdup_printf("%s/pipe-%d", W.dir, k);
        g_autofree char *bin_arg = g_strconcat("BIN=", absbin, NULL);
        g_autofree char *in_arg = g_strconcat("IN=", W.in, NULL);
        g_autofree char *ref_arg = g_strconcat("REF=", W.ref, NULL);
        g_autofree char *out_arg = g_strconcat("OUT=", out, NULL);
        char *argv[] = {"make", "-s", "-f", "pipeline.mk", bin_arg, in_arg, ref_arg, out_arg,
                        "PERIOD=" PERIOD, NULL};
        g_auto(GStrv) envp = fl_environ(NULL);
        g_autofree char *make = g_find_program_in_path("make");
        cr_assert_not_null(make);
        gint64 delay = g_rand_int_range(rng, 0, (gint32)MAX(total, 2000));
        pid_t pid = fork();
        cr_assert(pid >= 0);
        if (pid == 0) {
            setpgid(0, 0);
            int null = open("/dev/null", O_WRONLY);
            dup2(null, 1);
            dup2(null, 2);
            execve(make, argv, envp);
            _exit(127);
        }
        setpgid(pid, pid);
        g_usleep((gulong)delay);
        kill(-pid, SIGKILL);
        int status;
        waitpid(pid, &status, 0);
        mid_run += !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        /* Nothing final-named is partial: each stage's files are complete or absent. */
        for (int st = 0; st < ST_COUNT; st++) {
            const char *const *outs = stage_outputs((Stage)st);
            for (int i = 0; outs[i]; i++) {
                g_autofree char *p = g_build_filename(out, outs[i], NULL);
                g_autofree char *c = g_build_filename(W.clean, outs[i], NULL);
                if (fl_exists(p))
                    cr_expect(fl_same_file(p, c), "pipeline kill %d after %" G_GINT64_FORMAT
                                                  " us: partial \"%s\"",
                              k, delay, outs[i]);
            }
        }
        FlRun r = {0};
        char *argv2[] = {"make", "-s", "-f", "pipeline.mk", bin_arg, in_arg, ref_arg, out_arg,
                         "PERIOD=" PERIOD, NULL};
        fl_run(argv2, NULL, -1, &r);
        cr_assert_eq(r.status, 0, "pipeline re-run after kill %d failed:\n%s", k, r.err);
        fl_run_clear(&r);
        for (int st = 0; st < ST_COUNT; st++) {
            const char *const *outs = stage_outputs((Stage)st);
            for (int i = 0; outs[i]; i++) {
                g_autofree char *p = g_build_filename(out, outs[i], NULL);
                g_autofree char *c = g_build_filename(W.clean, outs[i], NULL);
                cr_expect(fl_same_file(p, c), "pipeline re-run after kill %d: \"%s\" differs",
                          k, outs[i]);
            }
        }
    }
    g_rand_free(rng);
    fprintf(stderr, "faults: pipeline killed 6 times (%d mid-run)\n", mid_run);
}

/* --- (b) a full disk: the Nth write fails with ENOSPC ------------------------------ */

static const char *
shim(void)
{
    if (W.shim == NULL)
        W.shim = fl_build_shim(W.dir);
    return W.shim;
}

/* How many writes to regular files a clean run of st makes. */
static long
count_writes(Stage st)
{
    g_autofree char *run = prepare_run(st, "count");
    g_autofree char *count = g_build_filename(W.dir, "count.txt", NULL);
    g_unlink(count);
    g_autofree char *pre = fl_shim_env_preload(shim());
    g_autofree char *asan = fl_shim_env_asan();
    g_autofree char *cnt = g_strconcat("FAULTSHIM_COUNT=", count, NULL);
    const char *env[] = {pre, asan, cnt, NULL};
    FlRun r = {0};
    run_stage(st, run, env, -1, &r);
    cr_assert_eq(r.status, 0, "pbc-%s under the shim (counting) failed:\n%s", stage_labels[st],
                 r.err);
    fl_run_clear(&r);
    g_autofree char *text = NULL;
    cr_assert(g_file_get_contents(count, &text, NULL, NULL), "the shim wrote no count");
    const char *w = strstr(text, "writes=");
    cr_assert_not_null(w);
    long n = atol(w + 7);
    cr_assert_gt(n, 0);
    return n;
}

static void
disk_full(Stage st)
{
    long total = count_writes(st);
    g_autofree char *pre = fl_shim_env_preload(shim());
    g_autofree char *asan = fl_shim_env_asan();
    int injected = 0;
    /* N = 1 .. total, at most 8 values spread evenly, first and last included. */
    long step = total > 8 ? (total + 7) / 8 : 1;
    for (long n = 1; n <= total; n = n + step > total && n < total ? total : n + step) {
        for (int once = 0; once <= 1; once++) {
            g_autofree char *name = g_strdup_printf("enospc-%ld-%d", n, once);
            g_autofree char *run = prepare_run(st, name);
            g_autofree char *fail = g_strdup_printf("FAULTSHIM_WRITE_FAIL=%ld", n);
            const char *env[] = {pre, asan, fail, once ? "FAULTSHIM_WRITE_MODE=once" : NULL,
                                 NULL};
            FlRun r = {0};
            run_stage(st, run, env, -1, &r);
            g_autofree char *what = g_strdup_printf("write %ld of %ld failing %s", n, total,
                                                    once ? "once" : "for good");
            cr_expect_eq(r.status, 3, "%s: pbc-%s exit %d, expected 3:\n%s", what,
                         stage_labels[st], r.status, r.err);
            check_write_message(st, run, r.err, "No space left on device", what);
            check_no_partial(st, run, 0, FALSE, what);
            fl_run_clear(&r);
            rerun_identical(st, run, what);
            injected++;
        }
    }
    fprintf(stderr, "faults: pbc-%s: %d ENOSPC faults over its %ld writes\n", stage_labels[st],
            injected, total);
}

Test(faults, disk_full_ingest_part) { disk_full(ST_PART); }
Test(faults, disk_full_ingest) { disk_full(ST_INGEST); }
Test(faults, disk_full_attribute) { disk_full(ST_ATTRIBUTE); }
Test(faults, disk_full_price) { disk_full(ST_PRICE); }
Test(faults, disk_full_aggregate) { disk_full(ST_AGGREGATE); }

/* --- (b) a file-size limit: writes past it fail with EFBIG ---------------------------- */

static void
file_size_limit(Stage st)
{
    /* Below the stage's largest output, so some write must fail. */
    goffset largest = 0;
    const char *const *outs = stage_outputs(st);
    for (int i = 0; outs[i]; i++) {
        g_autofree char *c = g_build_filename(W.clean, outs[i], NULL);
        struct stat sb;
        cr_assert_eq(stat(c, &sb), 0);
        largest = MAX(largest, sb.st_size);
    }
    const long long limits[] = {0, 1, 4096, largest / 2, largest - 1};
    for (size_t k = 0; k < G_N_ELEMENTS(limits); k++) {
        g_autofree char *name = g_strdup_printf("fsize-%zu", k);
        g_autofree char *run = prepare_run(st, name);
        FlRun r = {0};
        run_stage(st, run, NULL, limits[k], &r);
        g_autofree char *what = g_strdup_printf("RLIMIT_FSIZE %lld", limits[k]);
        cr_expect_eq(r.status, 3, "%s: pbc-%s exit %d, expected 3:\n%s", what, stage_labels[st],
                     r.status, r.err);
        check_write_message(st, run, r.err, g_strerror(EFBIG), what);
        check_no_partial(st, run, 0, FALSE, what);
        fl_run_clear(&r);
        rerun_identical(st, run, what);
    }
    fprintf(stderr, "faults: pbc-%s: %zu file-size limits (largest output %" G_GOFFSET_FORMAT
                    " bytes)\n",
            stage_labels[st], G_N_ELEMENTS(limits), largest);
}

Test(faults, fsize_ingest_part) { file_size_limit(ST_PART); }
Test(faults, fsize_ingest) { file_size_limit(ST_INGEST); }
Test(faults, fsize_attribute) { file_size_limit(ST_ATTRIBUTE); }
Test(faults, fsize_price) { file_size_limit(ST_PRICE); }
Test(faults, fsize_aggregate) { file_size_limit(ST_AGGREGATE); }

/* --- fsync and rename ------------------------------------------------------------------ */

/*
 * csv_out_commit() checks fsync and the final rename: either failing is an
 * I/O error naming the file, exit 3, and nothing half-done is left.
 */
Test(faults, fsync_and_rename_fail)
{
    g_autofree char *pre = fl_shim_env_preload(shim());
    g_autofree char *asan = fl_shim_env_asan();
    for (int st = 0; st < ST_COUNT; st++) {
        for (int which = 0; which < 2; which++) {
            g_autofree char *name = g_strdup_printf("sync-%d-%d", st, which);
            g_autofree char *run = prepare_run((Stage)st, name);
            g_autofree char *base = g_path_get_basename(sentinels[st]);
            g_autofree char *ren = g_strconcat("FAULTSHIM_RENAME_FAIL=", base, NULL);
            const char *env[] = {pre, asan, which == 0 ? "FAULTSHIM_FSYNC_FAIL=1" : ren, NULL};
            FlRun r = {0};
            run_stage((Stage)st, run, env, -1, &r);
            const char *what = which == 0 ? "fsync failing" : "rename of the last output failing";
            cr_expect_eq(r.status, 3, "%s: pbc-%s exit %d, expected 3:\n%s", what,
                         stage_labels[st], r.status, r.err);
            check_write_message((Stage)st, run, r.err, g_strerror(EIO), what);
            check_no_partial((Stage)st, run, 0, FALSE, what);
            fl_run_clear(&r);
            rerun_identical((Stage)st, run, what);
        }
    }
}

/*
 * pbc-attribute --audit-dir: a failed audit write must not leave the units
 * file looking finished.  (The audit is written first, the units file, what
 * Make waits for, renamed last: attribute/main.c, run().)
 */
Test(faults, attribute_audit_failure_leaves_no_units)
{
    g_autofree char *run = prepare_run(ST_ATTRIBUTE, "audit");
    g_autofree char *audit = g_build_filename(run, "audit", NULL);
    cr_assert_eq(g_mkdir(audit, 0700), 0);
    g_auto(GStrv) base = stage_argv(ST_ATTRIBUTE, run);
    GPtrArray *a = g_ptr_array_new();
    for (char **p = base; *p; p++)
        g_ptr_array_add(a, *p);
    g_ptr_array_insert(a, 1, "--audit-dir");
    g_ptr_array_insert(a, 2, audit);
    g_ptr_array_add(a, NULL);
    g_autofree char *pre = fl_shim_env_preload(shim());
    g_autofree char *asan = fl_shim_env_asan();
    g_autofree char *ren = g_strdup("FAULTSHIM_RENAME_FAIL=attribution_audit.csv");
    const char *env[] = {pre, asan, ren, NULL};
    FlRun r = {0};
    fl_run((char **)a->pdata, env, -1, &r);
    g_ptr_array_free(a, TRUE);
    cr_expect_eq(r.status, 3, "%s", r.err);
    g_autofree char *line = g_strdup_printf("pbc-attribute: error: could not write file "
                                            "\"%s/attribution_audit.csv\": %s\n",
                                            audit, g_strerror(EIO));
    cr_expect(strstr(r.err, line) != NULL, "expected\n%s\ngot\n%s", line, r.err);
    g_autofree char *units = g_build_filename(run, ".work", "attributed.csv", NULL);
    cr_expect(!fl_exists(units), "a failed pbc-attribute left attributed.csv in place");
    fl_run_clear(&r);
}
