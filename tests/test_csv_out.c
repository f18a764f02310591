/*
 * test_csv_out.c: atomic CSV outputs (lib/csv_out.c).
 *
 * SPEC §7.1: outputs are CSV with a header; §8: a failed stage leaves no
 * half-written output that a later stage could take for finished, and
 * patient-identifiable files are readable by their owner only.  So: RFC 4180
 * quoting, nothing under the final name before csv_out_commit(), the
 * temporary removed by csv_out_abort() and by the cleanup and signal paths,
 * modes exactly 0600 / 0644 whatever the umask, and every write error
 * reported at commit with the file's name.
 */
#include "csv_in.h"
#include "csv_out.h"
#include "log.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char *dir;

static void
rm_rf(const char *path)
{
    GDir *d = g_dir_open(path, 0, NULL);
    if (d) {
        const char *n;
        while ((n = g_dir_read_name(d)) != NULL) {
            g_autofree char *p = g_build_filename(path, n, NULL);
            if (g_file_test(p, G_FILE_TEST_IS_DIR) && !g_file_test(p, G_FILE_TEST_IS_SYMLINK))
                rm_rf(p);
            else
                g_unlink(p);
        }
        g_dir_close(d);
    }
    g_rmdir(path);
}

static void
setup(void)
{
    pbc_log_init("test_csv_out");
    pbc_log_set_verbose(FALSE);
    dir = g_dir_make_tmp("pbc-csv-out-XXXXXX", NULL);
    cr_assert_not_null(dir);
}

static void
teardown(void)
{
    rm_rf(dir);
    g_free(dir);
}

TestSuite(csv_out, .init = setup, .fini = teardown);

static char *
path_in(const char *name)
{
    return g_build_filename(dir, name, NULL);
}

static char *
read_all(const char *path)
{
    char *s = NULL;
    cr_assert(g_file_get_contents(path, &s, NULL, NULL), "reading %s", path);
    return s;
}

static int
cmp_names(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names in dir, sorted and joined with spaces ("" when empty). */
static char *
ls(void)
{
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    GDir *d = g_dir_open(dir, 0, NULL);
    const char *n;
    while ((n = g_dir_read_name(d)) != NULL)
        g_ptr_array_add(names, g_strdup(n));
    g_dir_close(d);
    g_ptr_array_sort(names, cmp_names);
    GString *s = g_string_new(NULL);
    for (guint i = 0; i < names->len; i++)
        g_string_append_printf(s, "%s%s", i ? " " : "", (char *)g_ptr_array_index(names, i));
    return g_string_free(s, FALSE);
}

/* ---- quoting (RFC 4180, csv_out.h) ---- */

typedef struct {
    char field[32];
    char want[48];
    char why[48];
} QuoteCase;

static QuoteCase quote_cases[] = {
    {"plain", "plain", "no special characters"},
    {"", "", "blank is an empty field"},
    {"a,b", "\"a,b\"", "a comma"},
    {"say \"hi\"", "\"say \"\"hi\"\"\"", "quotes doubled"},
    {"\"", "\"\"\"\"", "a lone quote"},
    {"line\nbreak", "\"line\nbreak\"", "LF"},
    {"cr\rx", "\"cr\rx\"", "CR"},
    {" lead", "\" lead\"", "leading space"},
    {"trail ", "\"trail \"", "trailing space"},
    {"\ttab", "\"\ttab\"", "leading tab"},
    {"tab\t", "\"tab\t\"", "trailing tab"},
    {"in side", "in side", "an inner space needs no quotes"},
    {"semi;colon", "semi;colon", "other punctuation"},
    {"RA9:12345", "RA9:12345", "a unit_id"},
    {"caf\xC3\xA9", "caf\xC3\xA9", "UTF-8 passes through"},
};

ParameterizedTestParameters(csv_out, quoting)
{
    return cr_make_param_array(QuoteCase, quote_cases, G_N_ELEMENTS(quote_cases));
}

ParameterizedTest(QuoteCase *c, csv_out, quoting)
{
    g_autofree char *p = path_in("q.csv");
    g_autoptr(GError) e = NULL;
    CsvOut *o = csv_out_create(p, CSV_OUT_PUBLIC, NULL, &e);
    cr_assert_not_null(o);
    csv_out_str(o, "x");
    csv_out_str(o, c->field);
    csv_out_str(o, "y");
    csv_out_end(o);
    cr_assert(csv_out_commit(o, &e), "%s", e ? e->message : "");
    g_autofree char *got = read_all(p);
    g_autofree char *want = g_strdup_printf("x,%s,y\n", c->want);
    cr_assert_str_eq(got, want, "%s", c->why);
}

/* Header, every field kind, rows counted without the header. */
Test(csv_out, rows_and_field_kinds)
{
    g_autofree char *p = path_in("rows.csv");
    static const char *const header[] = {"practice_code", "units", "cost_pence", "note", NULL};
    g_autoptr(GError) e = NULL;
    CsvOut *o = csv_out_create(p, CSV_OUT_PUBLIC, header, &e);
    cr_assert_not_null(o);
    cr_assert_eq(csv_out_rows(o), 0, "the header is not a row");
    csv_out_str(o, "A81001");
    csv_out_int(o, 3);
    csv_out_int(o, -1234);
    csv_out_blank(o);
    csv_out_end(o);
    csv_out_str(o, NULL);
    csv_out_int(o, INT64_MIN);
    csv_out_int(o, INT64_MAX);
    csv_out_strn(o, "ab,cd", 2);
    csv_out_end(o);
    csv_out_line(o, "pre,formatted,line,\"q\"");
    cr_assert_eq(csv_out_rows(o), 3);
    cr_assert(csv_out_commit(o, &e));
    g_autofree char *got = read_all(p);
    cr_assert_str_eq(got, "practice_code,units,cost_pence,note\n"
                          "A81001,3,-1234,\n"
                          ",-9223372036854775808,9223372036854775807,ab\n"
                          "pre,formatted,line,\"q\"\n");
}

Test(csv_out, header_only)
{
    g_autofree char *p = path_in("h.csv");
    static const char *const header[] = {"a", "b c", "d,e", NULL};
    CsvOut *o = csv_out_create(p, CSV_OUT_PUBLIC, header, NULL);
    cr_assert(csv_out_commit(o, NULL));
    g_autofree char *got = read_all(p);
    cr_assert_str_eq(got, "a,b c,\"d,e\"\n");
}

/* What csv_out writes, csv_in reads back (fields without surrounding spaces). */
Test(csv_out, round_trip_through_csv_in)
{
    static const char *const fields[] = {"plain", "a,b", "say \"hi\"", "two\nlines",
                                         "crlf\r\ninside", "", "\"", ",,,", NULL};
    g_autofree char *p = path_in("rt.csv");
    CsvOut *o = csv_out_create(p, CSV_OUT_PATIENT, NULL, NULL);
    for (int i = 0; fields[i]; i++)
        csv_out_str(o, fields[i]);
    csv_out_end(o);
    cr_assert(csv_out_commit(o, NULL));
    g_autoptr(CsvIn) in = csv_in_open(p, NULL);
    cr_assert_eq(csv_in_next(in, NULL), 1);
    cr_assert_not(csv_in_broken(in));
    cr_assert_eq(csv_in_count(in), 8);
    for (int i = 0; fields[i]; i++)
        cr_assert_str_eq(csv_in_field(in, i), fields[i], "field %d", i);
    cr_assert_eq(csv_in_next(in, NULL), 0);
}

/* ---- atomicity (SPEC §8) ---- */

Test(csv_out, nothing_under_the_final_name_before_commit)
{
    g_autofree char *p = path_in("units.csv");
    g_autoptr(GError) e = NULL;
    CsvOut *o = csv_out_create(p, CSV_OUT_PATIENT, NULL, &e);
    csv_out_str(o, "row");
    csv_out_end(o);
    cr_assert_not(g_file_test(p, G_FILE_TEST_EXISTS), "final name exists before commit");
    /* the temporary is hidden, in the same directory (rename stays atomic) */
    g_autofree char *listing = ls();
    g_autofree char *tmp = g_strdup_printf(".units.csv.tmp-%ld", (long)getpid());
    cr_assert_str_eq(listing, tmp);
    cr_assert(csv_out_commit(o, &e));
    g_autofree char *after = ls();
    cr_assert_str_eq(after, "units.csv", "temporary renamed, not copied");
    g_autofree char *got = read_all(p);
    cr_assert_str_eq(got, "row\n");
}

Test(csv_out, abort_removes_the_temporary)
{
    g_autofree char *p = path_in("units.csv");
    CsvOut *o = csv_out_create(p, CSV_OUT_PATIENT, NULL, NULL);
    csv_out_str(o, "row");
    csv_out_end(o);
    csv_out_abort(o);
    g_autofree char *listing = ls();
    cr_assert_str_eq(listing, "");
    csv_out_abort(NULL);
}

/* A re-run replaces the old output only at commit; an abort leaves it intact. */
Test(csv_out, replaces_existing_only_on_commit)
{
    g_autofree char *p = path_in("out.csv");
    cr_assert(g_file_set_contents(p, "old\n", -1, NULL));
    CsvOut *o = csv_out_create(p, CSV_OUT_PUBLIC, NULL, NULL);
    csv_out_str(o, "new");
    csv_out_end(o);
    g_autofree char *mid = read_all(p);
    cr_assert_str_eq(mid, "old\n");
    csv_out_abort(o);
    g_autofree char *kept = read_all(p);
    cr_assert_str_eq(kept, "old\n");
    o = csv_out_create(p, CSV_OUT_PUBLIC, NULL, NULL);
    csv_out_str(o, "new");
    csv_out_end(o);
    cr_assert(csv_out_commit(o, NULL));
    g_autofree char *got = read_all(p);
    cr_assert_str_eq(got, "new\n");
}

/* csv_out_cleanup_all() removes every open temporary (stages' error paths). */
Test(csv_out, cleanup_all)
{
    g_autofree char *a = path_in("a.csv");
    g_autofree char *b = path_in("b.csv");
    CsvOut *oa = csv_out_create(a, CSV_OUT_PATIENT, NULL, NULL);
    CsvOut *ob = csv_out_create(b, CSV_OUT_PUBLIC, NULL, NULL);
    csv_out_str(oa, "x");
    csv_out_end(oa);
    g_autofree char *before = ls();
    cr_assert_neq(before[0], '\0');
    csv_out_cleanup_all();
    g_autofree char *after = ls();
    cr_assert_str_eq(after, "");
    /* the handles are still freed normally afterwards */
    csv_out_abort(oa);
    csv_out_abort(ob);
}

/* A stage killed by SIGTERM leaves no temporary behind (SPEC §8). */
Test(csv_out, signal_removes_temporaries)
{
    g_autofree char *p = path_in("units.csv");
    fflush(NULL);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        csv_out_install_signal_cleanup();
        CsvOut *o = csv_out_create(p, CSV_OUT_PATIENT, NULL, NULL);
        if (o == NULL)
            _exit(10);
        csv_out_str(o, "half-written");
        csv_out_end(o);
        raise(SIGTERM);
        _exit(11); /* not reached */
    }
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM, "status %#x", status);
    g_autofree char *listing = ls();
    cr_assert_str_eq(listing, "", "left behind: %s", listing);
}

/* ---- modes (SPEC §8: patient-identifiable files owner-only) ---- */

typedef struct {
    int mode;
    mode_t umask;
} ModeCase;

static ModeCase mode_cases[] = {
    {CSV_OUT_PATIENT, 022},
    {CSV_OUT_PATIENT, 0},   /* a permissive umask must not widen a patient file */
    {CSV_OUT_PATIENT, 077},
    {CSV_OUT_PUBLIC, 022},
    {CSV_OUT_PUBLIC, 077},  /* a strict umask must not narrow a published file */
    {CSV_OUT_PUBLIC, 0},
};

ParameterizedTestParameters(csv_out, modes)
{
    return cr_make_param_array(ModeCase, mode_cases, G_N_ELEMENTS(mode_cases));
}

ParameterizedTest(ModeCase *c, csv_out, modes)
{
    umask(c->umask);
    g_autofree char *p = path_in("m.csv");
    g_autoptr(GError) e = NULL;
    CsvOut *o = csv_out_create(p, c->mode, NULL, &e);
    cr_assert_not_null(o);
    /* the temporary already has its final mode: never readable by others */
    g_autofree char *tmp = g_strdup_printf("%s/.m.csv.tmp-%ld", dir, (long)getpid());
    struct stat st;
    cr_assert_eq(stat(tmp, &st), 0);
    cr_assert_eq(st.st_mode & 07777, (mode_t)c->mode, "temporary mode %o", st.st_mode & 07777);
    cr_assert(csv_out_commit(o, &e));
    cr_assert_eq(stat(p, &st), 0);
    cr_assert_eq(st.st_mode & 07777, (mode_t)c->mode, "mode %o, want %o (umask %03o)",
                 st.st_mode & 07777, c->mode, c->umask);
}

/* ---- errors, each reported with the file's name ---- */

Test(csv_out, create_in_missing_directory)
{
    g_autofree char *p = g_build_filename(dir, "no", "such", "out.csv", NULL);
    g_autoptr(GError) e = NULL;
    CsvOut *o = csv_out_create(p, CSV_OUT_PUBLIC, NULL, &e);
    cr_assert_null(o);
    cr_assert(g_error_matches(e, PBC_ERROR, PBC_ERROR_IO));
    cr_assert(g_str_has_prefix(e->message, "could not create file \""), "%s", e->message);
    cr_assert(strstr(e->message, "No such file or directory") != NULL, "%s", e->message);
}

/*
 * Runs one output of `rows` rows under a file size limit of `limit` bytes in a
 * forked child (the limit must not touch Criterion's own files) and sends back
 * the commit's error message through a pipe.  The limit is set after the
 * create when late is TRUE, so that only the final flush can fail.
 */
static char *
write_under_limit(const char *path, rlim_t limit, int rows, gboolean late)
{
    int fds[2];
    cr_assert_eq(pipe(fds), 0);
    fflush(NULL);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        close(fds[0]);
        struct rlimit rl = {.rlim_cur = limit, .rlim_max = RLIM_INFINITY};
        signal(SIGXFSZ, SIG_IGN);
        if (!late && setrlimit(RLIMIT_FSIZE, &rl) != 0)
            _exit(10);
        GError *e = NULL;
        CsvOut *o = csv_out_create(path, CSV_OUT_PATIENT, NULL, &e);
        if (o == NULL)
            _exit(11);
        if (late && setrlimit(RLIMIT_FSIZE, &rl) != 0)
            _exit(10);
        for (int i = 0; i < rows; i++) {
            csv_out_str(o, "0123456789012345678901234567890");
            csv_out_end(o);
        }
        if (csv_out_commit(o, &e))
            _exit(12);
        gboolean io = g_error_matches(e, PBC_ERROR, PBC_ERROR_IO);
        if (write(fds[1], e->message, strlen(e->message)) < 0)
            _exit(13);
        _exit(io ? 0 : 14);
    }
    close(fds[1]);
    GString *msg = g_string_new(NULL);
    char buf[256];
    ssize_t n;
    while ((n = read(fds[0], buf, sizeof buf)) > 0)
        g_string_append_len(msg, buf, n);
    close(fds[0]);
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
              "child status %#x (12: commit succeeded, 14: not PBC_ERROR_IO)", status);
    return g_string_free(msg, FALSE);
}

/* A write that fails (file size limit: EFBIG) is reported at commit; nothing is left. */
Test(csv_out, write_error_reported)
{
    g_autofree char *p = path_in("big.csv");
    /* 3.2 MB: more than the 1 MB stdio buffer, so writes fail before the commit */
    g_autofree char *msg = write_under_limit(p, 4096, 100000, FALSE);
    g_autofree char *want = g_strdup_printf("could not write file \"%s\": %s", p, g_strerror(EFBIG));
    cr_assert_str_eq(msg, want);
    g_autofree char *listing = ls();
    cr_assert_str_eq(listing, "", "left behind: %s", listing);
}

/* A failure only at the final flush (the data fit the buffer) is still caught. */
Test(csv_out, flush_error_reported)
{
    g_autofree char *p = path_in("small.csv");
    g_autofree char *msg = write_under_limit(p, 10, 3, TRUE);
    g_autofree char *want = g_strdup_printf("could not write file \"%s\": %s", p, g_strerror(EFBIG));
    cr_assert_str_eq(msg, want);
    g_autofree char *listing = ls();
    cr_assert_str_eq(listing, "", "left behind: %s", listing);
}

/* The rename fails (a directory holds the final name): reported, temporary removed. */
Test(csv_out, rename_error_reported)
{
    g_autofree char *p = path_in("taken");
    cr_assert_eq(g_mkdir(p, 0700), 0);
    g_autofree char *inner = g_build_filename(p, "x", NULL);
    cr_assert(g_file_set_contents(inner, "x", -1, NULL));
    g_autoptr(GError) e = NULL;
    CsvOut *o = csv_out_create(p, CSV_OUT_PUBLIC, NULL, &e);
    cr_assert_not_null(o);
    csv_out_str(o, "row");
    csv_out_end(o);
    cr_assert_not(csv_out_commit(o, &e));
    cr_assert(g_error_matches(e, PBC_ERROR, PBC_ERROR_IO));
    g_autofree char *want = g_strdup_printf("could not write file \"%s\": ", p);
    cr_assert(g_str_has_prefix(e->message, want), "%s", e->message);
    g_autofree char *listing = ls();
    cr_assert_str_eq(listing, "taken");
}

/* "-" writes straight to standard output. */
Test(csv_out, standard_output)
{
    g_autofree char *p = path_in("stdout.txt");
    fflush(stdout);
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    cr_assert_geq(fd, 0);
    int saved = dup(1);
    cr_assert_eq(dup2(fd, 1), 1);
    close(fd);
    static const char *const header[] = {"a", "b", NULL};
    CsvOut *o = csv_out_create("-", CSV_OUT_PATIENT, header, NULL);
    cr_assert_not_null(o);
    csv_out_int(o, 1);
    csv_out_str(o, "x y");
    csv_out_end(o);
    gboolean ok = csv_out_commit(o, NULL);
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    cr_assert(ok);
    g_autofree char *got = read_all(p);
    cr_assert_str_eq(got, "a,b\n1,x y\n");
}

/* Raw (binary) records for the unit format: bytes written as given, rows counted by the caller. */
Test(csv_out, raw_records)
{
    g_autofree char *p = path_in("units.bin");
    CsvOut *o = csv_out_create(p, CSV_OUT_PATIENT, NULL, NULL);
    cr_assert_not(csv_out_is_binary(o));
    static const char rec[] = {'P', 'B', 0, '\n', '"', ',', (char)0xFF};
    csv_out_raw(o, rec, sizeof rec);
    cr_assert(csv_out_is_binary(o));
    cr_assert_eq(csv_out_rows(o), 0);
    csv_out_count_row(o);
    csv_out_raw(o, rec, 0);
    cr_assert_eq(csv_out_rows(o), 1);
    cr_assert(csv_out_commit(o, NULL));
    gchar *data;
    gsize len;
    cr_assert(g_file_get_contents(p, &data, &len, NULL));
    cr_assert(len == sizeof rec && memcmp(data, rec, len) == 0, "bytes kept as given");
    g_free(data);
    CsvOut *t = csv_out_create(p, CSV_OUT_PATIENT, NULL, NULL);
    csv_out_set_binary(t);
    cr_assert(csv_out_is_binary(t));
    csv_out_abort(t);
}
