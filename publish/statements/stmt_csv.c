/*
 * stmt_csv.c: query rows split into one CSV file per practice (see
 * stmt_csv.h).
 */
#include "stmt_csv.h"

#include "csv_out.h"
#include "log.h"
#include "pub_db.h"

#include <string.h>

/* Opens a practice's file in the working directory. */
static CsvOut *
open_file(StmtOutput *out, const StmtCsvSpec *spec, const StmtPractice *p, GError **error)
{
    g_autofree char *path = stmt_output_path(out, spec->file_of(p));
    return csv_out_create(path, CSV_OUT_PATIENT, spec->header, error);
}

/* Discards whatever libpq still has for the query (after an error). */
static void
drain(PGconn *conn)
{
    PGresult *r;
    while ((r = PQgetResult(conn)) != NULL)
        PQclear(r);
}

static void
write_row(CsvOut *csv, const PGresult *r, const char *const *header)
{
    for (int c = 0; header[c] != NULL; c++) {
        if (PQgetisnull(r, 0, c))
            csv_out_blank(csv);
        else
            csv_out_str(csv, PQgetvalue(r, 0, c));
    }
    csv_out_end(csv);
}

gboolean
stmt_csv_write(PGconn *conn, StmtData *d, StmtOutput *out, const StmtCsvSpec *spec,
               GError **error)
{
    g_autoptr(GHashTable) by_code = g_hash_table_new(g_str_hash, g_str_equal);
    for (guint i = 0; i < d->practices->len; i++) {
        StmtPractice *p = g_ptr_array_index(d->practices, i);
        g_hash_table_insert(by_code, (gpointer)p->code, p);
    }
    g_autofree char *what = g_strdup_printf("could not read %s", spec->what);
    const char *params[] = {d->pct, d->period};
    if (!PQsendQueryParams(conn, spec->sql, 2, NULL, params, NULL, NULL, 0) ||
        !PQsetSingleRowMode(conn)) {
        pub_db_set_error(error, conn, NULL, what);
        drain(conn);
        return FALSE;
    }
    g_autoptr(GHashTable) written = g_hash_table_new(g_str_hash, g_str_equal);
    CsvOut *csv = NULL;
    StmtPractice *cur = NULL;
    gboolean ok = TRUE;
    PGresult *r;
    /* Every result is collected, even after a failure, so that conn is idle again. */
    while ((r = PQgetResult(conn)) != NULL) {
        ExecStatusType st = PQresultStatus(r);
        if (st == PGRES_SINGLE_TUPLE && ok) {
            const char *code = PQgetvalue(r, 0, 0);
            if (cur == NULL || strcmp(cur->code, code) != 0) {
                if (csv != NULL && !csv_out_commit(g_steal_pointer(&csv), error))
                    ok = FALSE;
                cur = g_hash_table_lookup(by_code, code);
                if (ok && cur != NULL) {
                    g_hash_table_add(written, (gpointer)cur->code);
                    csv = open_file(out, spec, cur, error);
                    ok = csv != NULL;
                }
            }
            if (ok && cur != NULL) {
                write_row(csv, r, spec->header);
                if (spec->add_row)
                    spec->add_row(d, cur, r);
            }
        } else if (st != PGRES_SINGLE_TUPLE && st != PGRES_TUPLES_OK && ok) {
            pub_db_set_error(error, conn, r, what);
            ok = FALSE;
        }
        PQclear(r);
    }
    if (csv != NULL) {
        if (ok)
            ok = csv_out_commit(g_steal_pointer(&csv), error);
        else
            csv_out_abort(g_steal_pointer(&csv));
    }
    /* A practice without rows still gets its (header-only) file: the page links it. */
    for (guint i = 0; ok && i < d->practices->len; i++) {
        StmtPractice *p = g_ptr_array_index(d->practices, i);
        if (g_hash_table_contains(written, p->code))
            continue;
        csv = open_file(out, spec, p, error);
        ok = csv != NULL && csv_out_commit(g_steal_pointer(&csv), error);
    }
    return ok;
}
