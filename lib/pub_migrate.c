/*
 * pub_migrate.c: schema migrations (see pub_migrate.h).
 */
#include "pub_migrate.h"

#include "log.h"
#include "pub_db.h"

#include <string.h>

static gboolean
is_dir(const char *p)
{
    return p && g_file_test(p, G_FILE_TEST_IS_DIR);
}

char *
pub_migrate_find_dir(const char *explicit_dir, GError **error)
{
    if (explicit_dir) {
        if (is_dir(explicit_dir))
            return g_strdup(explicit_dir);
        g_set_error(error, PBC_ERROR, PBC_ERROR_IO,
                    "migrations directory \"%s\" is not a directory", explicit_dir);
        return NULL;
    }
    const char *env = g_getenv("PBC_SQL_DIR");
    if (env) {
        if (is_dir(env))
            return g_strdup(env);
        g_set_error(error, PBC_ERROR, PBC_ERROR_IO,
                    "migrations directory \"%s\" (PBC_SQL_DIR) is not a directory", env);
        return NULL;
    }
    GPtrArray *cand = g_ptr_array_new_with_free_func(g_free);
    const char *root = g_getenv("PBC_ROOT");
    if (root)
        g_ptr_array_add(cand, g_build_filename(root, "sql", "migrations", NULL));
    g_autofree char *exe = g_file_read_link("/proc/self/exe", NULL);
    if (exe) {
        g_autofree char *bindir = g_path_get_dirname(exe);
        g_ptr_array_add(cand, g_build_filename(bindir, "..", "..", "..", "sql", "migrations", NULL));
    }
    g_ptr_array_add(cand, g_strdup("sql/migrations"));
    char *found = NULL;
    for (guint i = 0; i < cand->len && !found; i++)
        if (is_dir(g_ptr_array_index(cand, i)))
            found = g_strdup(g_ptr_array_index(cand, i));
    g_ptr_array_free(cand, TRUE);
    if (!found)
        g_set_error(error, PBC_ERROR, PBC_ERROR_IO,
                    "could not find the migrations directory sql/migrations\n"
                    "hint: run from the repository, or give --sql-dir or PBC_SQL_DIR");
    return found;
}

/* NNN_name.sql, three or more digits. */
static gboolean
is_migration(const char *name)
{
    int d = 0;
    while (g_ascii_isdigit(name[d]))
        d++;
    return d >= 3 && name[d] == '_' && g_str_has_suffix(name, ".sql");
}

static gint
by_name(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Versions already applied: version -> sha256. */
static GHashTable *
applied_versions(PGconn *conn, GError **error)
{
    PGresult *res = pub_db_query(conn, "could not read applied migrations",
                                 "SELECT version, sha256 FROM pbc.schema_migrations", 0, NULL,
                                 error);
    if (res == NULL)
        return NULL;
    GHashTable *h = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    for (int i = 0; i < PQntuples(res); i++)
        g_hash_table_insert(h, g_strdup(PQgetvalue(res, i, 0)), g_strdup(PQgetvalue(res, i, 1)));
    PQclear(res);
    return h;
}

static const char bootstrap[] =
    "CREATE SCHEMA IF NOT EXISTS pbc;"
    "CREATE TABLE IF NOT EXISTS pbc.schema_migrations ("
    "  version text PRIMARY KEY,"
    "  name text NOT NULL,"
    "  sha256 text NOT NULL,"
    "  applied_at timestamptz NOT NULL DEFAULT now(),"
    "  applied_by text NOT NULL DEFAULT session_user)";

/* Applies files not yet in pbc.schema_migrations; inside the caller's transaction. */
static gboolean
apply_pending(PGconn *conn, const char *dir, GPtrArray *files, guint *applied, GError **error)
{
    char lock_sql[128];
    g_snprintf(lock_sql, sizeof lock_sql, "SELECT pg_advisory_xact_lock(%d, %d)", PUB_LOCK_CLASS,
               PUB_LOCK_MIGRATE);
    if (!pub_db_exec(conn, "could not lock for migrations", lock_sql, 0, NULL, error))
        return FALSE;
    /* Create the bookkeeping only when missing: a loader need not have CREATE. */
    gboolean have = FALSE;
    if (!pub_db_relation_exists(conn, "pbc.schema_migrations", &have, error))
        return FALSE;
    if (!have && !pub_db_script(conn, "could not create schema pbc", bootstrap, error))
        return FALSE;
    g_autoptr(GHashTable) done = applied_versions(conn, error);
    if (done == NULL)
        return FALSE;

    for (guint i = 0; i < files->len; i++) {
        const char *name = g_ptr_array_index(files, i);
        g_autofree char *path = g_build_filename(dir, name, NULL);
        g_autofree char *version = g_strndup(name, strspn(name, "0123456789"));
        g_autofree char *text = NULL;
        gsize len = 0;
        GError *e = NULL;
        if (!g_file_get_contents(path, &text, &len, &e)) {
            g_set_error(error, PBC_ERROR, PBC_ERROR_IO, "could not read migration: %s",
                        e->message);
            g_error_free(e);
            return FALSE;
        }
        g_autofree char *sha = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (guchar *)text, len);
        const char *had = g_hash_table_lookup(done, version);
        if (had != NULL) {
            if (strcmp(had, sha) != 0) {
                g_set_error(error, PBC_ERROR, PBC_ERROR_DB,
                            "migration %s was changed after it was applied\n"
                            "detail: file \"%s\" has SHA-256 %s, the database recorded %s\n"
                            "hint: never edit an applied migration; add a new one",
                            name, path, sha, had);
                return FALSE;
            }
            continue;
        }
        g_autofree char *what = g_strdup_printf("could not apply migration %s", name);
        if (!pub_db_script(conn, what, text, error))
            return FALSE;
        const char *params[] = {version, name, sha};
        if (!pub_db_exec(conn, what,
                         "INSERT INTO pbc.schema_migrations (version, name, sha256) "
                         "VALUES ($1, $2, $3)",
                         3, params, error))
            return FALSE;
        pbc_info("applied migration %s", name);
        if (applied)
            (*applied)++;
    }
    return TRUE;
}

gboolean
pub_migrate(PGconn *conn, const char *dir, guint *applied, GError **error)
{
    if (applied)
        *applied = 0;
    GError *e = NULL;
    g_autoptr(GDir) d = g_dir_open(dir, 0, &e);
    if (d == NULL) {
        g_set_error(error, PBC_ERROR, PBC_ERROR_IO, "could not open migrations directory: %s",
                    e->message);
        g_error_free(e);
        return FALSE;
    }
    g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);
    const char *n;
    while ((n = g_dir_read_name(d)) != NULL)
        if (is_migration(n))
            g_ptr_array_add(files, g_strdup(n));
    g_ptr_array_sort(files, by_name);

    /* All pending migrations in one transaction: none or all are applied. */
    if (!pub_db_exec(conn, "could not start migrations", "BEGIN", 0, NULL, error))
        return FALSE;
    if (!apply_pending(conn, dir, files, applied, error)) {
        pub_db_rollback(conn);
        if (applied)
            *applied = 0;
        return FALSE;
    }
    return pub_db_exec(conn, "could not commit migrations", "COMMIT", 0, NULL, error);
}
