/*
 * bench-registry: how the registration index (registry.c) behaves at
 * national scale.  Not a test: it prints figures for docs/attribution.md.
 *
 * Generates an Exeter-like extract of N rows (default 80 million, ~55
 * million patients: every patient has a current registration and about
 * 45 % also an earlier, closed one) to a temporary file, gzip level 1 or
 * plain, in patient order with random valid NHS numbers (so the loader must
 * sort); loads it with registry_load(); reports load time, memory held by
 * the index and the process's peak RSS; then times R-A1/R-A2 look-ups
 * (attribution_exeter()) over random patients and days.
 *
 *   bench-registry [--rows N] [--plain] [--file PATH] [--keep PATH] [--lookups N]
 */
#include "attribution.h"
#include "log.h"
#include "registry.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include <zlib.h>

static gint64 opt_rows = 80000000;
static gint64 opt_lookups = 10000000;
static gboolean opt_plain;
static char *opt_file;
static char *opt_keep;

static GOptionEntry entries[] = {
    {"rows", 'n', 0, G_OPTION_ARG_INT64, &opt_rows, "rows to generate (default 80000000)", "N"},
    {"lookups", 'l', 0, G_OPTION_ARG_INT64, &opt_lookups, "look-ups to time (default 10000000)",
     "N"},
    {"plain", 0, 0, G_OPTION_ARG_NONE, &opt_plain, "generate plain CSV, not gzip", NULL},
    {"file", 'f', 0, G_OPTION_ARG_FILENAME, &opt_file,
     "load this extract instead of generating one", "PATH"},
    {"keep", 'k', 0, G_OPTION_ARG_FILENAME, &opt_keep, "write the generated extract here and keep it",
     "PATH"},
    {NULL, 0, 0, 0, NULL, NULL, NULL}};

static uint64_t
splitmix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/* A valid NHS number for patient i (deterministic: look-ups recompute it). */
static uint64_t
patient_nhs(uint64_t i)
{
    for (uint64_t salt = 0;; salt++) {
        uint64_t prefix = 400000000 + splitmix(i * 7919 + salt) % 400000000; /* 400..799 million */
        int sum = 0;
        uint64_t p = prefix;
        for (int w = 2; w <= 10; w++) {
            sum += (int)(p % 10) * w;
            p /= 10;
        }
        int check = 11 - sum % 11;
        if (check == 11)
            check = 0;
        if (check != 10)
            return prefix * 10 + (uint64_t)check;
    }
}

static void
put_date(char **p, PbcDate d)
{
    date_format(d, *p);
    *p += 10;
}

/* Writes the extract; rows per patient: 1, or 2 for ~45 % of them. */
static gboolean
generate(const char *path, gint64 rows, uint64_t *patients)
{
    gzFile gz = NULL;
    FILE *f = NULL;
    if (opt_plain)
        f = fopen(path, "w");
    else
        gz = gzopen(path, "wb1");
    if (f == NULL && gz == NULL) {
        pbc_error("could not create file \"%s\": %s", path, g_strerror(errno));
        return FALSE;
    }
    const size_t cap = 4 << 20;
    char *buf = g_malloc(cap + 256);
    char *p = buf;
    const char *header = "nhs_number,practice_code,registration_date,deregistration_date\n";
    p = stpcpy(p, header);
    PbcDate lo = date_from_ymd(1950, 1, 1), hi = date_from_ymd(2008, 1, 1);
    gint64 written = 0;
    uint64_t i = 0;
    gboolean ok = TRUE;
    while (written < rows && ok) {
        uint64_t h = splitmix(i ^ 0xabcdef);
        uint64_t nhs = patient_nhs(i);
        int practice = (int)(h % 8000);
        PbcDate reg = lo + (PbcDate)((h >> 16) % (uint64_t)(hi - lo));
        gboolean two = (h >> 48) % 100 < 45 && written + 2 <= rows;
        char code[8];
        if (two) {
            /* An earlier registration elsewhere, closed the day the current one began. */
            PbcDate old = reg - 30 - (PbcDate)((h >> 8) % 3000);
            snprintf(code, sizeof code, "%c%05d", 'A' + (practice + 7) % 26, (practice * 13) % 100000);
            p += sprintf(p, "%010" G_GUINT64_FORMAT ",%s,", nhs, code);
            put_date(&p, old);
            *p++ = ',';
            put_date(&p, reg);
            *p++ = '\n';
            written++;
        }
        snprintf(code, sizeof code, "%c%05d", 'A' + practice % 26, practice);
        p += sprintf(p, "%010" G_GUINT64_FORMAT ",%s,", nhs, code);
        put_date(&p, reg);
        *p++ = ',';
        *p++ = '\n';
        written++;
        i++;
        if ((size_t)(p - buf) >= cap || written >= rows) {
            size_t len = (size_t)(p - buf);
            if (gz)
                ok = gzwrite(gz, buf, (unsigned)len) == (int)len;
            else
                ok = fwrite(buf, 1, len, f) == len;
            p = buf;
        }
    }
    g_free(buf);
    if (gz)
        ok = gzclose(gz) == Z_OK && ok;
    else
        ok = fclose(f) == 0 && ok;
    if (!ok)
        pbc_error("could not write file \"%s\"", path);
    *patients = i;
    return ok;
}

static double
seconds_since(gint64 t0)
{
    return (double)(g_get_monotonic_time() - t0) / 1e6;
}

static double
tv_seconds(struct timeval tv)
{
    return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

int
main(int argc, char **argv)
{
    pbc_log_init(argv[0]);
    g_autoptr(GError) error = NULL;
    g_autoptr(GOptionContext) ctx = g_option_context_new("- benchmark the registration index");
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_option_context_set_description(ctx, "Example:\n  bench-registry --rows 1000000\n");
    if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
        pbc_error("%s", error->message);
        pbc_hint("try \"%s --help\"", pbc_log_prog());
        return PBC_EXIT_USAGE;
    }
    uint64_t patients = 0;
    g_autofree char *path = NULL;
    g_autofree char *tmpdir = NULL;
    if (opt_file) {
        path = g_strdup(opt_file);
    } else {
        if (opt_keep) {
            path = g_strdup(opt_keep);
        } else {
            tmpdir = g_dir_make_tmp("bench-registry-XXXXXX", &error);
            if (tmpdir == NULL)
                return pbc_report(error);
            path = g_build_filename(tmpdir, opt_plain ? "registrations.csv" : "registrations.csv.gz",
                                    NULL);
        }
        gint64 t0 = g_get_monotonic_time();
        if (!generate(path, opt_rows, &patients))
            return PBC_EXIT_INPUT;
        printf("generated %" G_GINT64_FORMAT " rows for %" G_GUINT64_FORMAT
               " patients (%s) in %.1f s\n",
               opt_rows, patients, opt_plain ? "plain" : "gzip -1", seconds_since(t0));
    }

    struct rusage ru0;
    getrusage(RUSAGE_SELF, &ru0);
    gint64 t0 = g_get_monotonic_time();
    g_autoptr(Registry) r = registry_load(path, &error);
    double load = seconds_since(t0);
    if (tmpdir) {
        g_unlink(path);
        g_rmdir(tmpdir);
    }
    if (r == NULL)
        return pbc_report(error);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("loaded %" G_GUINT64_FORMAT " rows (%" G_GUINT64_FORMAT " patients, %u practices, %"
           G_GUINT64_FORMAT " rejected) in %.1f s: %.2f M rows/s\n",
           registry_rows(r), registry_patients(r), registry_practices(r),
           registry_rejected_total(r), load, (double)registry_rows(r) / load / 1e6);
    /* CPU time of every thread: a fairer figure than the wall clock on a busy machine. */
    printf("CPU time of the load: user %.1f s, system %.1f s (reader, parser and sort threads)\n",
           tv_seconds(ru.ru_utime) - tv_seconds(ru0.ru_utime),
           tv_seconds(ru.ru_stime) - tv_seconds(ru0.ru_stime));
    printf("memory held by the index: %.1f MB (%.1f bytes a row); peak RSS %.1f MB\n",
           (double)registry_memory(r) / 1e6,
           registry_rows(r) ? (double)registry_memory(r) / (double)registry_rows(r) : 0.0,
           (double)ru.ru_maxrss * 1024.0 / 1e6);

    /* Look-ups: 3 in 4 for a patient of the extract, 1 in 4 a random number. */
    uint64_t found = 0, hits[3] = {0};
    PbcDate lo = date_from_ymd(2000, 1, 1);
    t0 = g_get_monotonic_time();
    for (gint64 k = 0; k < opt_lookups; k++) {
        uint64_t h = splitmix((uint64_t)k + 12345);
        uint64_t nhs;
        if (patients > 0 && h % 4 != 0)
            nhs = patient_nhs((h >> 2) % patients);
        else
            nhs = 4000000000ULL + (h >> 2) % 4000000000ULL;
        PbcDate day = lo + (PbcDate)((h >> 40) % 4000);
        Registration reg;
        ExeterMatch m = attribution_exeter(r, nhs, day, 90, &reg);
        hits[m]++;
        found += m != EXETER_MATCH_NONE;
    }
    double secs = seconds_since(t0);
    printf("%" G_GINT64_FORMAT " look-ups in %.2f s: %.2f M/s (%.0f ns each; %" G_GUINT64_FORMAT
           " covering, %" G_GUINT64_FORMAT " nearest, %" G_GUINT64_FORMAT " none)\n",
           opt_lookups, secs, (double)opt_lookups / secs / 1e6, secs * 1e9 / (double)opt_lookups,
           hits[EXETER_MATCH_COVERING], hits[EXETER_MATCH_NEAREST], hits[EXETER_MATCH_NONE]);
    (void)found;
    return 0;
}
