/*
 * pub_cli.h: the command line that pbc-publish and pbc-statements share.
 *
 * Both programs talk to the PCT's database (docs/database.md,
 * docs/statements.md) and take the same connection, logging and version
 * options, report usage errors the same way (PostgreSQL's style: the message,
 * then a "try --help" hint, exit 2) and check a reporting month the same
 * way.  Only main() calls these: they print.
 */
#ifndef PBC_PUB_CLI_H
#define PBC_PUB_CLI_H

#include <glib.h>

/* The options every database program has. */
typedef struct {
    char *dbname;        /* -d, --dbname CONNINFO; NULL: $PGURI, else libpq's PG* */
    gboolean quiet;      /* -q, --quiet */
    gboolean version;    /* -V, --version */
} PubCli;

/*
 * Adds the program's entries (NULL-terminated) and the common ones, -d/--dbname,
 * -q/--quiet and -V/--version bound to cli, to ctx's main group, and parses
 * the command line.  Returns -1 when the program goes on (with --quiet,
 * logging is set to errors and warnings only), else the exit code to return
 * at once: PBC_EXIT_OK after --version printed "<prog> (pbc-pipeline) 1.0",
 * PBC_EXIT_USAGE after a parse error was reported.
 */
int pub_cli_parse(GOptionContext *ctx, const GOptionEntry *entries, PubCli *cli, int *argc,
                  char ***argv);

/* Reports a usage error (printf format) with the "try --help" hint; returns PBC_EXIT_USAGE. */
int pub_cli_usage_error(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

/* Whether s is a reporting month YYYY-MM (month 01 to 12). */
gboolean pub_cli_is_period(const char *s);

#endif
