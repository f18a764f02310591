/*
 * log.c: stderr logging in PostgreSQL's message style through GLib's log
 * machinery, so that GLib's own warnings come out in the same shape.
 */
#include "log.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *prog_name = "pbc";
static gboolean verbose = TRUE;
static gboolean progress_shown = FALSE;

/* User log levels for detail and hint lines (GLib reserves the low bits). */
#define LEVEL_DETAIL (1 << G_LOG_LEVEL_USER_SHIFT)
#define LEVEL_HINT (1 << (G_LOG_LEVEL_USER_SHIFT + 1))

G_DEFINE_QUARK(pbc-error-quark, pbc_error)

int
pbc_exit_code_for(const GError *error)
{
    if (error == NULL)
        return PBC_EXIT_OK;
    if (error->domain != PBC_ERROR)
        return PBC_EXIT_INPUT;
    switch ((PbcErrorCode)error->code) {
    case PBC_ERROR_DATA:
        return PBC_EXIT_DATA;
    case PBC_ERROR_DB:
        return PBC_EXIT_DB;
    case PBC_ERROR_IO:
    case PBC_ERROR_FORMAT:
    case PBC_ERROR_REFDATA:
    default:
        return PBC_EXIT_INPUT;
    }
}

static void
handler(const gchar *domain, GLogLevelFlags level, const gchar *message, gpointer data)
{
    (void)domain;
    (void)data;
    const char *tag;
    if (progress_shown)
        pbc_progress_done();
    if (level & LEVEL_DETAIL) {
        fprintf(stderr, "detail: %s\n", message);
        return;
    }
    if (level & LEVEL_HINT) {
        fprintf(stderr, "hint: %s\n", message);
        return;
    }
    if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL))
        tag = "error: ";
    else if (level & G_LOG_LEVEL_WARNING)
        tag = "warning: ";
    else {
        if (!verbose)
            return;
        if (level & G_LOG_LEVEL_DEBUG)
            return;
        tag = "";
    }
    fprintf(stderr, "%s: %s%s\n", prog_name, tag, message);
}

void
pbc_log_init(const char *prog)
{
    const char *slash = strrchr(prog, '/');
    prog_name = slash ? slash + 1 : prog;
    g_set_prgname(prog_name);
    g_log_set_default_handler(handler, NULL);
    g_log_set_handler(NULL, G_LOG_LEVEL_MASK | G_LOG_FLAG_FATAL | G_LOG_FLAG_RECURSION
                      | LEVEL_DETAIL | LEVEL_HINT, handler, NULL);
    if (g_getenv("PBC_QUIET") != NULL)
        verbose = FALSE;
}

void
pbc_log_set_verbose(gboolean v)
{
    verbose = v;
}

const char *
pbc_log_prog(void)
{
    return prog_name;
}

static void
logv(GLogLevelFlags level, const char *fmt, va_list ap)
{
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    handler(NULL, level, msg, NULL);
}

/* Not g_critical(): G_DEBUG=fatal-criticals must not turn data errors into aborts. */
void
pbc_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    logv(G_LOG_LEVEL_CRITICAL, fmt, ap);
    va_end(ap);
}

void
pbc_warning(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    logv(G_LOG_LEVEL_WARNING, fmt, ap);
    va_end(ap);
}

void
pbc_info(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    logv(G_LOG_LEVEL_MESSAGE, fmt, ap);
    va_end(ap);
}

void
pbc_detail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    logv(LEVEL_DETAIL, fmt, ap);
    va_end(ap);
}

void
pbc_hint(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    logv(LEVEL_HINT, fmt, ap);
    va_end(ap);
}

int
pbc_report(const GError *error)
{
    if (error == NULL)
        return PBC_EXIT_OK;
    /* A message may carry "\n" + detail lines; print the first as the error. */
    const char *nl = strchr(error->message, '\n');
    if (nl == NULL) {
        pbc_error("%s", error->message);
    } else {
        pbc_error("%.*s", (int)(nl - error->message), error->message);
        g_auto(GStrv) rest = g_strsplit(nl + 1, "\n", -1);
        for (char **l = rest; *l; l++)
            if (**l)
                fprintf(stderr, "%s\n", *l);
    }
    return pbc_exit_code_for(error);
}

void
pbc_progress(const char *what, guint64 done, guint64 total)
{
    static gint64 last;
    if (!verbose || !isatty(STDERR_FILENO))
        return;
    gint64 now = g_get_monotonic_time();
    if (now - last < 200000)
        return;
    last = now;
    if (total > 0)
        fprintf(stderr, "\r%s: %s: %" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT " (%d%%)   ",
                prog_name, what, done, total, (int)(done * 100 / total));
    else
        fprintf(stderr, "\r%s: %s: %" G_GUINT64_FORMAT "   ", prog_name, what, done);
    progress_shown = TRUE;
}

void
pbc_progress_done(void)
{
    if (progress_shown) {
        fputs("\r\033[K", stderr);
        progress_shown = FALSE;
    }
}
