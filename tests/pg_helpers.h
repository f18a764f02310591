/*
 * pg_helpers.h: a private PostgreSQL server for the publish suites, and
 * small libpq helpers.  Header-only (static inline) so that each suite links
 * alone, like testlib.h.
 *
 * pgh_server_start() runs `scripts/pg.sh start` with PBC_PGDATA in a new
 * temporary directory and every libpq connection variable of the caller's
 * environment removed (a suite never touches a configured database), then
 * exports the private server's PGHOST, PGPORT, PGDATABASE and PGUSER so that
 * the tests, and the pbc-publish they run, use it.  Call it from a
 * ReportHook(PRE_ALL) and pgh_server_stop() from ReportHook(POST_ALL): the
 * runner process owns the server, each test's process inherits the
 * environment.  Tests share the server; each uses its own PCT code, so their
 * rows, locks and loads never meet.
 */
#ifndef PBC_PG_HELPERS_H
#define PBC_PG_HELPERS_H

#include "testlib.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <string.h>

/* Runs a shell command without Criterion asserts (hooks run outside tests). */
static inline int
pgh_system(char **out, const char *cmd)
{
    char *argv[] = {"/bin/bash", "-c", (char *)cmd, NULL};
    int status = 0;
    char *o = NULL, *e = NULL;
    if (!g_spawn_sync(NULL, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &o, &e, &status, NULL))
        return 127;
    if (out)
        *out = g_strconcat(o ? o : "", e ? e : "", NULL);
    g_free(o);
    g_free(e);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static inline void
pgh_server_start(void)
{
    static const char *const vars[] = {"PGURI", "PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE",
                                       "PGSERVICE", "PGUSER", "PGPASSWORD", "PGOPTIONS"};
    for (guint i = 0; i < G_N_ELEMENTS(vars); i++)
        g_unsetenv(vars[i]);
    char *dir = g_dir_make_tmp("pbc-test-pg-XXXXXX", NULL);
    if (dir == NULL) {
        fprintf(stderr, "pg_helpers: could not make a temporary directory\n");
        exit(3);
    }
    g_setenv("PBC_PGDATA", dir, TRUE);
    g_setenv("PBC_TEST_PGDATA", dir, TRUE);
    g_autofree char *cmd = g_strdup_printf("'%s/scripts/pg.sh' start && '%s/scripts/pg.sh' env",
                                           t_root(), t_root());
    g_autofree char *out = NULL;
    if (pgh_system(&out, cmd) != 0) {
        fprintf(stderr, "pg_helpers: could not start the test server:\n%s\n", out);
        g_autofree char *log = g_strdup_printf("cat '%s'/log/*.log >&2; rm -rf '%s'", dir, dir);
        pgh_system(NULL, log);
        exit(3);
    }
    /* "export NAME=value" lines; values from printf %q have no quotes here. */
    g_auto(GStrv) lines = g_strsplit(out, "\n", -1);
    for (char **l = lines; *l; l++) {
        if (!g_str_has_prefix(*l, "export "))
            continue;
        char *eq = strchr(*l, '=');
        if (eq == NULL)
            continue;
        *eq = '\0';
        g_setenv(*l + 7, eq + 1, TRUE);
    }
    g_free(dir);
}

static inline void
pgh_server_stop(void)
{
    const char *dir = g_getenv("PBC_TEST_PGDATA");
    if (dir == NULL)
        return;
    g_autofree char *cmd = g_strdup_printf("'%s/scripts/pg.sh' stop; rm -rf '%s'", t_root(), dir);
    g_autofree char *out = NULL;
    if (pgh_system(&out, cmd) != 0)
        fprintf(stderr, "pg_helpers: could not stop the test server:\n%s\n", out);
}

/* A connection to the test server as its superuser. */
static inline PGconn *
pgh_connect(void)
{
    PGconn *c = PQconnectdb("");
    cr_assert(PQstatus(c) == CONNECTION_OK, "could not connect: %s", PQerrorMessage(c));
    return c;
}

/* Runs sql with params; asserts success; returns the result (PQclear it). */
static inline PGresult *
pgh_query(PGconn *c, const char *sql, int n, const char *const *params)
{
    PGresult *r = PQexecParams(c, sql, n, NULL, params, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(r);
    cr_assert(st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK, "query failed: %s\n%s",
              PQerrorMessage(c), sql);
    return r;
}

/* The first value of the first row of sql with one parameter (NULL -> "NULL"). */
static inline char *
pgh_value(PGconn *c, const char *sql, const char *p1)
{
    const char *params[] = {p1};
    PGresult *r = pgh_query(c, sql, p1 ? 1 : 0, params);
    cr_assert(PQntuples(r) > 0, "no rows from %s", sql);
    char *v = g_strdup(PQgetisnull(r, 0, 0) ? "NULL" : PQgetvalue(r, 0, 0));
    PQclear(r);
    return v;
}

static inline void
pgh_exec(PGconn *c, const char *sql)
{
    PQclear(pgh_query(c, sql, 0, NULL));
}

#endif
