/*
 * pub_run.c: reading OUT/run.ini and checking OUT (see pub_run.h).
 */
#include "pub_run.h"

#include "log.h"
#include "pub_tables.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void
pub_run_free(PubRun *run)
{
    if (run == NULL)
        return;
    g_free(run->out_dir);
    g_free(run->ini_path);
    g_free(run->pct);
    g_free(run->period);
    g_free(run->fin_year);
    g_free(run->budgets_source);
    g_strfreev(run->inputs);
    g_strfreev(run->references);
    g_free(run);
}

/* A ';'-separated list without empty items. */
static char **
split_list(const char *s)
{
    GPtrArray *a = g_ptr_array_new();
    g_auto(GStrv) parts = g_strsplit(s ? s : "", ";", -1);
    for (char **p = parts; *p; p++) {
        g_strstrip(*p);
        if (**p)
            g_ptr_array_add(a, g_strdup(*p));
    }
    g_ptr_array_add(a, NULL);
    return (char **)g_ptr_array_free(a, FALSE);
}

static gboolean
is_month(const char *s)
{
    return s && strlen(s) == 7 && g_ascii_isdigit(s[0]) && g_ascii_isdigit(s[1])
           && g_ascii_isdigit(s[2]) && g_ascii_isdigit(s[3]) && s[4] == '-'
           && ((s[5] == '0' && s[6] >= '1' && s[6] <= '9')
               || (s[5] == '1' && s[6] >= '0' && s[6] <= '2'));
}

/* Refuses a directory others can list, and patient files others can read. */
static gboolean
check_private(const char *out_dir, GError **error)
{
    struct stat st;
    if (stat(out_dir, &st) != 0) {
        g_set_error(error, PBC_ERROR, PBC_ERROR_IO, "could not open output directory \"%s\": %s",
                    out_dir, g_strerror(errno));
        return FALSE;
    }
    if (!S_ISDIR(st.st_mode)) {
        g_set_error(error, PBC_ERROR, PBC_ERROR_IO, "output directory \"%s\" is not a directory",
                    out_dir);
        return FALSE;
    }
    if (st.st_mode & S_IROTH) {
        g_set_error(error, PBC_ERROR, PBC_ERROR_IO,
                    "output directory \"%s\" is world-readable\n"
                    "detail: it holds patient-identifiable data, which must be readable by its "
                    "owner only\n"
                    "hint: chmod o-rwx \"%s\", check who may have read it, then publish again",
                    out_dir, out_dir);
        return FALSE;
    }
    guint n;
    const PubTable *t = pub_tables(&n);
    for (guint i = 0; i < n; i++) {
        if (!t[i].patient)
            continue;
        g_autofree char *p = g_build_filename(out_dir, t[i].file, NULL);
        if (stat(p, &st) == 0 && (st.st_mode & S_IROTH)) {
            g_set_error(error, PBC_ERROR, PBC_ERROR_IO,
                        "file \"%s\" is world-readable\n"
                        "detail: it holds patient-identifiable data, which must be readable by "
                        "its owner only\n"
                        "hint: chmod 600 \"%s\"",
                        p, p);
            return FALSE;
        }
    }
    return TRUE;
}

PubRun *
pub_run_open(const char *out_dir, GError **error)
{
    if (!check_private(out_dir, error))
        return NULL;
    g_autoptr(PubRun) run = g_new0(PubRun, 1);
    run->out_dir = g_strdup(out_dir);
    run->ini_path = g_build_filename(out_dir, "run.ini", NULL);
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_autoptr(GError) e = NULL;
    if (!g_key_file_load_from_file(kf, run->ini_path, G_KEY_FILE_NONE, &e)) {
        g_set_error(error, PBC_ERROR,
                    e->domain == G_FILE_ERROR ? PBC_ERROR_IO : PBC_ERROR_FORMAT,
                    "could not read file \"%s\": %s", run->ini_path, e->message);
        return NULL;
    }
    const char *keys[] = {"pct", "period", "fin_year"};
    char **dest[] = {&run->pct, &run->period, &run->fin_year};
    for (guint i = 0; i < G_N_ELEMENTS(keys); i++) {
        *dest[i] = g_key_file_get_string(kf, "run", keys[i], NULL);
        if (*dest[i] != NULL)
            g_strstrip(*dest[i]);
        if (*dest[i] == NULL || **dest[i] == '\0') {
            g_set_error(error, PBC_ERROR, PBC_ERROR_FORMAT,
                        "file \"%s\": missing key \"%s\" in group [run]", run->ini_path, keys[i]);
            return NULL;
        }
    }
    if (!is_month(run->period)) {
        g_set_error(error, PBC_ERROR, PBC_ERROR_FORMAT,
                    "file \"%s\": period \"%s\" is not a month YYYY-MM", run->ini_path,
                    run->period);
        return NULL;
    }
    /* month_number is derived, not trusted: April = 1 (SPEC §7 R-G3). */
    run->month_number = (atoi(run->period + 5) + 8) % 12 + 1;
    run->budgets_source = g_key_file_get_string(kf, "run", "budgets_source", NULL);
    g_autofree char *inputs = g_key_file_get_string(kf, "run", "inputs", NULL);
    g_autofree char *refs = g_key_file_get_string(kf, "run", "references", NULL);
    run->inputs = split_list(inputs);
    run->references = split_list(refs);
    return g_steal_pointer(&run);
}

const char *
pub_run_reference(const PubRun *run, const char *base)
{
    g_autofree char *gz = g_strconcat(base, ".gz", NULL);
    for (char **r = run->references; *r; r++) {
        g_autofree char *b = g_path_get_basename(*r);
        if (strcmp(b, base) == 0 || strcmp(b, gz) == 0)
            return *r;
    }
    return NULL;
}

gboolean
pub_file_sha256(const char *path, char **hex, guint64 *size, const gint *cancel, GError **error)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        g_set_error(error, PBC_ERROR, PBC_ERROR_IO, "could not open file \"%s\": %s", path,
                    g_strerror(errno));
        return FALSE;
    }
    g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
    enum { BUF = 1 << 20 };
    g_autofree guchar *buf = g_malloc(BUF);
    guint64 total = 0;
    for (;;) {
        ssize_t n = read(fd, buf, BUF);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            close(fd);
            g_set_error(error, PBC_ERROR, PBC_ERROR_IO, "could not read file \"%s\": %s", path,
                        g_strerror(e));
            return FALSE;
        }
        if (n == 0)
            break;
        if (cancel && g_atomic_int_get(cancel)) {
            close(fd);
            g_set_error(error, PBC_ERROR, PBC_ERROR_IO, "checksum of \"%s\" cancelled", path);
            return FALSE;
        }
        g_checksum_update(sum, buf, (gssize)n);
        total += (guint64)n;
    }
    close(fd);
    *hex = g_strdup(g_checksum_get_string(sum));
    *size = total;
    return TRUE;
}
