/*
 * pub_cli.c: the shared command line of pbc-publish and pbc-statements (see
 * pub_cli.h).
 */
#include "pub_cli.h"

#include "date.h"
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Adds the common entries, bound to cli. */
static void
add_common(GOptionContext *ctx, PubCli *cli)
{
    const GOptionEntry entries[] = {
        {"dbname", 'd', 0, G_OPTION_ARG_STRING, &cli->dbname,
         "connection string or URI (default: $PGURI, else libpq's PGHOST, PGDATABASE ...)",
         "CONNINFO"},
        {"quiet", 'q', 0, G_OPTION_ARG_NONE, &cli->quiet, "log errors and warnings only", NULL},
        {"version", 'V', 0, G_OPTION_ARG_NONE, &cli->version, "print the version and exit", NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    /* GLib copies the entries. */
    g_option_context_add_main_entries(ctx, entries, NULL);
}

int
pub_cli_usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    pbc_error("%s", msg);
    pbc_hint("try \"%s --help\" for more information", pbc_log_prog());
    return PBC_EXIT_USAGE;
}

int
pub_cli_parse(GOptionContext *ctx, const GOptionEntry *entries, PubCli *cli, int *argc,
              char ***argv)
{
    g_option_context_add_main_entries(ctx, entries, NULL);
    add_common(ctx, cli);
    g_autoptr(GError) error = NULL;
    if (!g_option_context_parse(ctx, argc, argv, &error))
        return pub_cli_usage_error("%s", error->message);
    if (cli->version) {
        printf("%s (pbc-pipeline) 1.0\n", pbc_log_prog());
        return PBC_EXIT_OK;
    }
    if (cli->quiet)
        pbc_log_set_verbose(FALSE);
    return -1;
}

gboolean
pub_cli_is_period(const char *s)
{
    int key;
    /* month_parse takes YYYY-MM with a month 01..12; the length rules out "2006-9x". */
    return s != NULL && strlen(s) == 7 && month_parse(s, &key);
}
