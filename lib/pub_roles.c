/*
 * pub_roles.c: practice and consortium roles (see pub_roles.h).
 */
#include "pub_roles.h"

#include "log.h"
#include "pub_copy.h"
#include "pub_db.h"
#include "pub_file.h"
#include "pub_migrate.h"
#include "pub_tables.h"

#include <string.h>

char *
pub_role_name(const char *prefix, const char *code)
{
    GString *s = g_string_new(prefix);
    for (const char *p = code; *p; p++) {
        char c = g_ascii_tolower(*p);
        g_string_append_c(s, g_ascii_isalnum(c) || c == '_' ? c : '_');
    }
    return g_string_free(s, FALSE);
}

/* Creates role if missing and makes it a member of pbc_reader; counts new ones. */
static gboolean
ensure_role(PGconn *conn, const char *role, guint *created, GError **error)
{
    if (strlen(role) > 63) {
        g_set_error(error, PBC_ERROR, PBC_ERROR_FORMAT,
                    "role name \"%s\" is longer than PostgreSQL's 63 bytes", role);
        return FALSE;
    }
    const char *params[] = {role};
    PGresult *res = pub_db_query(conn, "could not look up a role",
                                 "SELECT 1 FROM pg_roles WHERE rolname = $1", 1, params, error);
    if (res == NULL)
        return FALSE;
    gboolean exists = PQntuples(res) > 0;
    PQclear(res);
    char *ident = PQescapeIdentifier(conn, role, strlen(role));
    if (ident == NULL) {
        pub_db_set_error(error, conn, NULL, "could not quote a role name");
        return FALSE;
    }
    g_autofree char *sql = exists ? g_strdup_printf("GRANT pbc_reader TO %s", ident)
                                  : g_strdup_printf("CREATE ROLE %s NOLOGIN IN ROLE pbc_reader",
                                                    ident);
    PQfreemem(ident);
    g_autofree char *what = g_strdup_printf("could not create role \"%s\"", role);
    if (!pub_db_script(conn, what, sql, error))
        return FALSE;
    if (!exists)
        (*created)++;
    return TRUE;
}

static gboolean
create_in_transaction(PGconn *conn, const char *path, const char *pct, guint *created,
                      guint *mapped, GError **error)
{
    /* One --create-roles at a time: concurrent ones would race on the same roles. */
    char lock[96];
    g_snprintf(lock, sizeof lock, "SELECT pg_advisory_xact_lock(%d, %d)", PUB_LOCK_CLASS,
               PUB_LOCK_ROLES);
    if (!pub_db_exec(conn, "could not lock for creating roles", lock, 0, NULL, error))
        return FALSE;
    PubFileStats st;
    gboolean ok = pub_db_script(conn, "could not create a temporary table",
                                "CREATE TEMP TABLE pub_role_src (practice_code text,"
                                " practice_name text, consortium_code text, pct_code text,"
                                " open_date text, close_date text, successor_code text)"
                                " ON COMMIT DROP",
                                error)
                  && pub_file_copy(conn, path, pub_ref_practices(), "pg_temp.pub_role_src", NULL,
                                   0, NULL, &st, error);
    pub_file_stats_clear(&st);
    if (!ok)
        return FALSE;
    const char *params[] = {pct};
    PGresult *res = pub_db_query(conn, "could not read the practices",
                                 "SELECT DISTINCT practice_code, consortium_code FROM pub_role_src"
                                 " WHERE $1::text IS NULL OR pct_code = $1 ORDER BY 1, 2",
                                 1, params, error);
    if (res == NULL)
        return FALSE;
    /* role -> practice codes */
    g_autoptr(GHashTable) map =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_ptr_array_unref);
    g_autoptr(GPtrArray) order = g_ptr_array_new_with_free_func(g_free);
    for (int i = 0; i < PQntuples(res); i++) {
        const char *practice = PQgetvalue(res, i, 0);
        char *roles[2] = {pub_role_name("pbc_practice_", practice),
                          PQgetisnull(res, i, 1)
                              ? NULL
                              : pub_role_name("pbc_consortium_", PQgetvalue(res, i, 1))};
        for (int r = 0; r < 2; r++) {
            if (roles[r] == NULL)
                continue;
            GPtrArray *codes = g_hash_table_lookup(map, roles[r]);
            if (codes == NULL) {
                codes = g_ptr_array_new_with_free_func(g_free);
                g_hash_table_insert(map, g_strdup(roles[r]), codes);
                g_ptr_array_add(order, g_strdup(roles[r]));
            }
            g_ptr_array_add(codes, g_strdup(practice));
            g_free(roles[r]);
        }
    }
    PQclear(res);

    for (guint i = 0; i < order->len; i++)
        if (!ensure_role(conn, g_ptr_array_index(order, i), created, error))
            return FALSE;

    /* Replace the mapping of these roles. */
    g_autoptr(GString) arr = g_string_new("{");
    for (guint i = 0; i < order->len; i++)
        g_string_append_printf(arr, "%s\"%s\"", i ? "," : "",
                               (const char *)g_ptr_array_index(order, i));
    g_string_append_c(arr, '}');
    const char *p1[] = {arr->str};
    if (!pub_db_exec(conn, "could not update role_practices",
                     "DELETE FROM pbc.role_practices WHERE role_name = ANY ($1::text[])", 1, p1,
                     error))
        return FALSE;
    PubCopy *c = pub_copy_begin(conn, "COPY pbc.role_practices (role_name, practice_code) FROM STDIN",
                                error);
    if (c == NULL)
        return FALSE;
    for (guint i = 0; i < order->len; i++) {
        const char *role = g_ptr_array_index(order, i);
        GPtrArray *codes = g_hash_table_lookup(map, role);
        for (guint j = 0; j < codes->len; j++) {
            const char *code = g_ptr_array_index(codes, j);
            pub_copy_value(c, role, strlen(role));
            pub_copy_value(c, code, strlen(code));
            if (!pub_copy_end_row(c, error)) {
                pub_copy_abort(c, NULL);
                return FALSE;
            }
        }
    }
    if (!pub_copy_finish(c, error))
        return FALSE;
    *mapped = order->len;
    return TRUE;
}

gboolean
pub_roles_create(PGconn *conn, const char *practices_csv, const char *pct, guint *created,
                 guint *mapped, GError **error)
{
    *created = *mapped = 0;
    if (!pub_db_exec(conn, "could not start creating roles", "BEGIN", 0, NULL, error))
        return FALSE;
    if (!create_in_transaction(conn, practices_csv, pct, created, mapped, error)) {
        pub_db_rollback(conn);
        *created = *mapped = 0;
        return FALSE;
    }
    return pub_db_exec(conn, "could not commit the roles", "COMMIT", 0, NULL, error);
}
