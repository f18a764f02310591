/*
 * pub_load.c: one run's outputs into PostgreSQL in one transaction (see
 * pub_load.h for the steps and guarantees).
 */
#include "pub_load.h"

#include "log.h"
#include "pub_copy.h"
#include "pub_db.h"
#include "pub_file.h"
#include "pub_history.h"
#include "pub_period.h"
#include "pub_run.h"
#include "pub_tables.h"
#include "pub_verify.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- checksums, computed in a thread while the load runs ---------------- */

typedef struct {
    char *kind;     /* output, input, reference, run */
    char *path;
    char *sha256;
    guint64 size;
} FileSum;

typedef struct {
    GPtrArray *files;  /* FileSum */
    GError *error;     /* the first failure */
    gint cancel;       /* set when the load failed: stop hashing */
} SumJob;

static void
file_sum_free(gpointer p)
{
    FileSum *f = p;
    g_free(f->kind);
    g_free(f->path);
    g_free(f->sha256);
    g_free(f);
}

static void
sum_add(GPtrArray *files, GHashTable *seen, const char *kind, const char *path)
{
    g_autofree char *key = g_strconcat(kind, "\n", path, NULL);
    if (g_hash_table_contains(seen, key))
        return;
    g_hash_table_add(seen, g_steal_pointer(&key));
    FileSum *f = g_new0(FileSum, 1);
    f->kind = g_strdup(kind);
    f->path = g_strdup(path);
    g_ptr_array_add(files, f);
}

static gpointer
sum_thread(gpointer data)
{
    SumJob *job = data;
    for (guint i = 0; i < job->files->len && job->error == NULL; i++) {
        FileSum *f = g_ptr_array_index(job->files, i);
        pub_file_sha256(f->path, &f->sha256, &f->size, &job->cancel, &job->error);
    }
    return NULL;
}

/* ---- the load ------------------------------------------------------------ */

typedef struct {
    PGconn *conn;
    const PubRun *run;
    char load_id[32];
    char *run_id;
    gint64 started_us;
    /* the output files present, their tables and what they held */
    GPtrArray *tables;       /* const PubTable * */
    GArray *stats;           /* PubFileStats */
    GArray *deleted;         /* guint64 per pub_tables() entry */
    gint64 replaced;
    char *deletions;         /* OUT/deletions.csv, or NULL when the run wrote none */
    guint64 history_units, history_deletions;
    guint keep_history_days, pruned;
    PubChangeSummary changes;
} Load;

static const char *
param_int(char *buf, gsize len, gint64 v)
{
    g_snprintf(buf, len, "%" G_GINT64_FORMAT, v);
    return buf;
}

gboolean
pub_load_lock_pct(PGconn *conn, const char *pct, gboolean wait, const char *doing,
                  const char *busy_detail, GError **error)
{
    const char *params[] = {pct};
    PGresult *res = pub_db_query(conn, "could not lock the PCT",
                                 "SELECT pg_try_advisory_xact_lock(" PUB_LOCK_PCT_KEYS ")", 1,
                                 params, error);
    if (res == NULL)
        return FALSE;
    gboolean got = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
    PQclear(res);
    if (got)
        return TRUE;
    if (!wait) {
        g_set_error(error, PBC_ERROR, PBC_ERROR_DB, "another %s of PCT %s is in progress\n%s",
                    doing, pct, busy_detail);
        return FALSE;
    }
    pbc_info("waiting for another %s of PCT %s to finish", doing, pct);
    return pub_db_exec(conn, "could not lock the PCT",
                       "SELECT pg_advisory_xact_lock(" PUB_LOCK_PCT_KEYS ")", 1, params, error);
}

/* Inserts the pbc.loads row; fills l->load_id and l->replaced. */
static gboolean
record_start(Load *l, GError **error)
{
    const char *p2[] = {l->run->pct, l->run->period};
    PGresult *res = pub_db_query(l->conn, "could not read earlier loads",
                                 "SELECT load_id FROM pbc.loads WHERE pct_code = $1 AND period = $2"
                                 " AND status = 'OK' AND replaced_by IS NULL"
                                 " ORDER BY load_id DESC LIMIT 1",
                                 2, p2, error);
    if (res == NULL)
        return FALSE;
    l->replaced = PQntuples(res) > 0 ? g_ascii_strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0;
    PQclear(res);

    g_autofree char *abs_out = realpath(l->run->out_dir, NULL);
    char m[16], pid[16], rep[32];
    g_snprintf(m, sizeof m, "%d", l->run->month_number);
    g_snprintf(pid, sizeof pid, "%d", (int)getpid());
    const char *params[] = {l->run_id,
                            l->run->pct,
                            l->run->period,
                            l->run->fin_year,
                            m,
                            l->run->budgets_source,
                            abs_out ? abs_out : l->run->out_dir,
                            g_get_user_name(),
                            g_get_host_name(),
                            pid,
                            l->replaced ? param_int(rep, sizeof rep, l->replaced) : NULL};
    res = pub_db_query(l->conn, "could not record the load",
                       "INSERT INTO pbc.loads (run_id, pct_code, period, fin_year, month_number,"
                       " budgets_source, out_dir, status, os_user, client_host, client_pid,"
                       " started_at, replaces_load_id)"
                       " VALUES ($1, $2, $3, $4, $5, $6, $7, 'OK', $8, $9, $10, now(), $11)"
                       " RETURNING load_id",
                       G_N_ELEMENTS(params), params, error);
    if (res == NULL)
        return FALSE;
    g_strlcpy(l->load_id, PQgetvalue(res, 0, 0), sizeof l->load_id);
    PQclear(res);
    return TRUE;
}

/* Deletes what earlier loads published for (pct, period), every fact table. */
static gboolean
delete_previous(Load *l, GError **error)
{
    guint n;
    const PubTable *t = pub_tables(&n);
    const char *params[] = {l->run->pct, l->run->period};
    guint64 total = 0;
    for (guint i = 0; i < n; i++) {
        g_autofree char *sql = g_strdup_printf(
            "DELETE FROM pbc.%s WHERE pct_code = $1 AND period = $2", t[i].table);
        g_autofree char *what = g_strdup_printf("could not delete earlier rows of pbc.%s",
                                                t[i].table);
        PGresult *res = pub_db_query(l->conn, what, sql, 2, params, error);
        if (res == NULL)
            return FALSE;
        guint64 d = g_ascii_strtoull(PQcmdTuples(res), NULL, 10);
        PQclear(res);
        g_array_append_val(l->deleted, d);
        total += d;
    }
    if (l->replaced)
        pbc_info("replacing load %" G_GINT64_FORMAT " of PCT %s for %s: %" G_GUINT64_FORMAT
                 " rows deleted",
                 l->replaced, l->run->pct, l->run->period, total);
    return TRUE;
}

/* practices.csv and tariff_apc.csv of the run's references into the dimensions. */
static gboolean
upsert_dimensions(Load *l, GError **error)
{
    const char *pct[] = {l->run->pct};
    if (!pub_db_exec(l->conn, "could not record the PCT",
                     "INSERT INTO pbc.pcts (pct_code) VALUES ($1) ON CONFLICT DO NOTHING", 1, pct,
                     error))
        return FALSE;
    const char *practices = pub_run_reference(l->run, "practices.csv");
    if (practices == NULL) {
        pbc_warning("run.ini lists no practices.csv: practice names and consortia not updated");
    } else {
        const char *params[] = {l->load_id};
        PubFileStats st;
        gboolean ok =
            pub_db_script(l->conn, "could not create a temporary table",
                          "CREATE TEMP TABLE pub_practices (practice_code text, practice_name text,"
                          " consortium_code text, pct_code text, open_date text, close_date text,"
                          " successor_code text) ON COMMIT DROP",
                          error)
            && pub_file_copy(l->conn, practices, pub_ref_practices(), "pg_temp.pub_practices",
                             NULL, 0, NULL, &st, error)
            && pub_db_script(
                l->conn, "could not update the PCTs and consortia",
                "INSERT INTO pbc.pcts (pct_code) SELECT DISTINCT pct_code FROM pub_practices"
                " WHERE pct_code IS NOT NULL ON CONFLICT DO NOTHING;"
                "INSERT INTO pbc.consortia (consortium_code, pct_code)"
                " SELECT DISTINCT ON (consortium_code) consortium_code, pct_code FROM pub_practices"
                " WHERE consortium_code IS NOT NULL ORDER BY consortium_code, pct_code"
                " ON CONFLICT (consortium_code) DO UPDATE SET pct_code = EXCLUDED.pct_code"
                " WHERE consortia.pct_code IS DISTINCT FROM EXCLUDED.pct_code",
                error)
            && pub_db_exec(
                l->conn, "could not update the practices",
                "INSERT INTO pbc.practices (practice_code, practice_name, consortium_code,"
                " pct_code, open_date, close_date, successor_code, load_id)"
                " SELECT DISTINCT ON (practice_code) practice_code, practice_name,"
                " consortium_code, pct_code, pbc.parse_date(open_date),"
                " pbc.parse_date(close_date), successor_code, $1::bigint FROM pub_practices"
                " ORDER BY practice_code"
                " ON CONFLICT (practice_code) DO UPDATE SET practice_name = EXCLUDED.practice_name,"
                " consortium_code = EXCLUDED.consortium_code, pct_code = EXCLUDED.pct_code,"
                " open_date = EXCLUDED.open_date, close_date = EXCLUDED.close_date,"
                " successor_code = EXCLUDED.successor_code, load_id = EXCLUDED.load_id"
                " WHERE (practices.practice_name, practices.consortium_code, practices.pct_code,"
                " practices.open_date, practices.close_date, practices.successor_code)"
                " IS DISTINCT FROM (EXCLUDED.practice_name, EXCLUDED.consortium_code,"
                " EXCLUDED.pct_code, EXCLUDED.open_date, EXCLUDED.close_date,"
                " EXCLUDED.successor_code)",
                1, params, error);
        if (!ok) {
            pub_file_stats_clear(&st);
            return FALSE;
        }
        pbc_info("read %" G_GUINT64_FORMAT " practices from \"%s\"", st.rows, practices);
        pub_file_stats_clear(&st);
    }
    const char *tariff = pub_run_reference(l->run, "tariff_apc.csv");
    if (tariff != NULL) {
        PubFileStats st;
        gboolean ok =
            pub_db_script(l->conn, "could not create a temporary table",
                          "CREATE TEMP TABLE pub_hrgs (fin_year text, hrg text, hrg_name text)"
                          " ON COMMIT DROP",
                          error)
            && pub_file_copy(l->conn, tariff, pub_ref_tariff_apc(), "pg_temp.pub_hrgs", NULL, 0,
                             NULL, &st, error)
            && pub_db_script(
                l->conn, "could not update the HRGs",
                "INSERT INTO pbc.hrgs (fin_year, hrg, hrg_name)"
                " SELECT DISTINCT ON (fin_year, hrg) fin_year, hrg, hrg_name FROM pub_hrgs"
                " ORDER BY fin_year, hrg"
                " ON CONFLICT (fin_year, hrg) DO UPDATE SET hrg_name = EXCLUDED.hrg_name"
                " WHERE hrgs.hrg_name IS DISTINCT FROM EXCLUDED.hrg_name",
                error);
        pub_file_stats_clear(&st);
        if (!ok)
            return FALSE;
    }
    return TRUE;
}

/* COPY every output file present into its table. */
static gboolean
copy_outputs(Load *l, GError **error)
{
    const char *prefix[] = {l->load_id, l->run->pct, l->run->period};
    for (guint i = 0; i < l->tables->len; i++) {
        const PubTable *t = g_ptr_array_index(l->tables, i);
        g_autofree char *path = g_build_filename(l->run->out_dir, t->file, NULL);
        g_autofree char *target = g_strdup_printf("pbc.%s", t->table);
        gint64 t0 = g_get_monotonic_time();
        PubFileStats st;
        gboolean ok = pub_file_copy(l->conn, path, t, target, prefix, 3,
                                    "load_id, pct_code, period", &st, error);
        g_array_append_val(l->stats, st);
        if (!ok)
            return FALSE;
        pbc_info("loaded %" G_GUINT64_FORMAT " rows from %s into pbc.%s (%.1f s)", st.rows,
                 t->file, t->table, (double)(g_get_monotonic_time() - t0) / 1e6);
    }
    const char *params[] = {l->run->pct, l->run->period, l->load_id};
    return pub_db_exec(l->conn, "could not update the providers",
                       "INSERT INTO pbc.providers (provider_code, load_id)"
                       " SELECT DISTINCT provider_code, $3::bigint FROM pbc.priced_activity"
                       " WHERE pct_code = $1 AND period = $2 ORDER BY 1 ON CONFLICT DO NOTHING",
                       3, params, error);
}

/* load_files and load_tables rows, and the load's end. */
static gboolean
record_end(Load *l, SumJob *job, GError **error)
{
    PubCopy *c = pub_copy_begin(
        l->conn, "COPY pbc.load_files (load_id, kind, path, size_bytes, sha256) FROM STDIN",
        error);
    if (c == NULL)
        return FALSE;
    for (guint i = 0; i < job->files->len; i++) {
        FileSum *f = g_ptr_array_index(job->files, i);
        char size[32];
        param_int(size, sizeof size, (gint64)f->size);
        pub_copy_value(c, l->load_id, strlen(l->load_id));
        pub_copy_value(c, f->kind, strlen(f->kind));
        pub_copy_value(c, f->path, strlen(f->path));
        pub_copy_value(c, size, strlen(size));
        pub_copy_value(c, f->sha256, strlen(f->sha256));
        if (!pub_copy_end_row(c, error)) {
            pub_copy_abort(c, NULL);
            return FALSE;
        }
    }
    if (!pub_copy_finish(c, error))
        return FALSE;

    guint n;
    const PubTable *all = pub_tables(&n);
    for (guint i = 0; i < n; i++) {
        guint64 rows = 0;
        gboolean present = FALSE;
        for (guint j = 0; j < l->tables->len; j++)
            if (g_ptr_array_index(l->tables, j) == &all[i]) {
                rows = g_array_index(l->stats, PubFileStats, j).rows;
                present = TRUE;
            }
        guint64 deleted = g_array_index(l->deleted, guint64, i);
        if (!present && deleted == 0)
            continue;
        char r[32], d[32];
        const char *params[] = {l->load_id, all[i].table, all[i].file,
                                param_int(r, sizeof r, (gint64)rows),
                                param_int(d, sizeof d, (gint64)deleted)};
        if (!pub_db_exec(l->conn, "could not record the rows loaded",
                         "INSERT INTO pbc.load_tables (load_id, table_name, file_name,"
                         " rows_loaded, rows_deleted) VALUES ($1, $2, $3, $4, $5)",
                         5, params, error))
            return FALSE;
    }
    /* The history tables: rows this load added to the audit. */
    char u[32], d[32];
    const char *hist[] = {l->load_id, param_int(u, sizeof u, (gint64)l->history_units),
                          param_int(d, sizeof d, (gint64)l->history_deletions),
                          l->deletions ? "t" : "f"};
    if (!pub_db_exec(l->conn, "could not record the rows loaded",
                     "INSERT INTO pbc.load_tables (load_id, table_name, file_name, rows_loaded,"
                     " rows_deleted) SELECT $1::bigint, 'load_units', 'priced_activity.csv',"
                     " $2::bigint, 0 UNION ALL SELECT $1::bigint, 'load_deletions',"
                     " 'deletions.csv', $3::bigint, 0 WHERE $4::boolean",
                     4, hist, error))
        return FALSE;
    char ms[32];
    param_int(ms, sizeof ms, (g_get_monotonic_time() - l->started_us) / 1000);
    const char *params[] = {l->load_id, ms};
    const char *replace[] = {l->load_id, l->run->pct, l->run->period};
    return pub_db_exec(l->conn, "could not record the load",
                       "UPDATE pbc.loads SET finished_at = clock_timestamp(), duration_ms = $2"
                       " WHERE load_id = $1",
                       2, params, error)
           && pub_db_exec(l->conn, "could not record the load",
                          "UPDATE pbc.loads SET replaced_by = $1 WHERE pct_code = $2"
                          " AND period = $3 AND status = 'OK' AND replaced_by IS NULL"
                          " AND load_id <> $1",
                          3, replace, error);
}

/* Records a failed attempt in a transaction of its own; best effort. */
static void
record_failure(Load *l, const GError *failure)
{
    if (PQstatus(l->conn) != CONNECTION_OK)
        return;
    g_autofree char *abs_out = realpath(l->run->out_dir, NULL);
    char pid[16], ms[32];
    g_snprintf(pid, sizeof pid, "%d", (int)getpid());
    param_int(ms, sizeof ms, (g_get_monotonic_time() - l->started_us) / 1000);
    const char *params[] = {l->run_id,      l->run->pct,         l->run->period,
                            l->run->fin_year, abs_out ? abs_out : l->run->out_dir,
                            g_get_user_name(), g_get_host_name(), pid,
                            failure->message, ms};
    g_autoptr(GError) e = NULL;
    gboolean ok = pub_db_exec(l->conn, "could not record the failed load", "BEGIN", 0, NULL, &e)
                  && pub_db_exec(l->conn, "could not record the failed load",
                                 "SET LOCAL ROLE pbc_loader", 0, NULL, &e)
                  && pub_db_exec(l->conn, "could not record the failed load",
                                 "INSERT INTO pbc.loads (run_id, pct_code, period, fin_year,"
                                 " out_dir, status, os_user, client_host, client_pid, message,"
                                 " started_at, finished_at, duration_ms)"
                                 " VALUES ($1, $2, $3, $4, $5, 'FAILED', $6, $7, $8, $9,"
                                 " now() - make_interval(secs => $10::bigint / 1000.0),"
                                 " now(), $10)",
                                 G_N_ELEMENTS(params), params, &e)
                  && pub_db_exec(l->conn, "could not record the failed load", "COMMIT", 0, NULL,
                                 &e);
    if (!ok) {
        pub_db_rollback(l->conn);
        pbc_warning("%s", e->message);
    }
}

/* Finds the output files; a missing required one is an error. */
static gboolean
find_outputs(Load *l, GError **error)
{
    guint n;
    const PubTable *t = pub_tables(&n);
    for (guint i = 0; i < n; i++) {
        g_autofree char *path = g_build_filename(l->run->out_dir, t[i].file, NULL);
        gboolean required = t[i].required
                            || (strcmp(t[i].table, "budgets") == 0
                                && g_strcmp0(l->run->budgets_source, "RUN") == 0);
        if (!g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
            if (required) {
                g_set_error(error, PBC_ERROR, PBC_ERROR_IO,
                            "output file \"%s\" is missing\n"
                            "hint: publish only an output directory the aggregate stage "
                            "completed",
                            path);
                return FALSE;
            }
            continue;
        }
        g_ptr_array_add(l->tables, (gpointer)&t[i]);
    }
    /* Older runs wrote no deletions.csv: their change reports name no deletions. */
    g_autofree char *del = g_build_filename(l->run->out_dir, pub_deletions_table()->file, NULL);
    if (g_file_test(del, G_FILE_TEST_IS_REGULAR))
        l->deletions = g_steal_pointer(&del);
    return TRUE;
}

/* Steps 3 to 6 of pub_load.h, inside the transaction. */
static gboolean
load_in_transaction(Load *l, gboolean wait, GThread **summer, SumJob *job, GError **error)
{
    if (!pub_db_exec(l->conn, "could not start the load", "BEGIN", 0, NULL, error))
        return FALSE;
    g_autoptr(GError) e = NULL;
    if (!pub_db_exec(l->conn, "could not take the loader role", "SET LOCAL ROLE pbc_loader", 0,
                     NULL, &e)) {
        g_set_error(error, PBC_ERROR, PBC_ERROR_DB,
                    "%s\nhint: the database user must be a member of pbc_loader: "
                    "GRANT pbc_loader TO %s",
                    e->message, PQuser(l->conn));
        return FALSE;
    }
    if (!pub_load_lock_pct(l->conn, l->run->pct, wait, "publish",
                           "detail: two runs for the same PCT never publish at once; --no-wait "
                           "does not wait for the other to finish\n"
                           "hint: publish again when it has finished, or use --wait",
                           error)
        || !pub_period_check_open(l->conn, l->run->pct, l->run->period, error)
        || !record_start(l, error) || !delete_previous(l, error)
        || !upsert_dimensions(l, error) || !copy_outputs(l, error))
        return FALSE;
    guint n = l->tables->len;
    if (!pub_verify(l->conn, l->run->pct, l->run->period, l->load_id,
                    (const PubTable *const *)l->tables->pdata, (PubFileStats *)l->stats->data, n,
                    error)
        || !pub_history_save(l->conn, l->load_id, l->run->pct, l->run->period, l->deletions,
                             &l->history_units, &l->history_deletions, error))
        return FALSE;
    g_thread_join(*summer);
    *summer = NULL;
    if (job->error != NULL) {
        g_propagate_error(error, job->error);
        job->error = NULL;
        return FALSE;
    }
    /* The change report reads the load's files (inputs, reference checksums): after them. */
    if (!record_end(l, job, error)
        || !pub_changes_record(l->conn, l->load_id, l->replaced, &l->changes, error)
        || !pub_period_set_current(l->conn, l->run->pct, l->run->period, l->load_id, error)
        || !pub_history_prune(l->conn, l->run->pct, l->keep_history_days, &l->pruned, error))
        return FALSE;
    return pub_db_exec(l->conn, "could not commit the load", "COMMIT", 0, NULL, error);
}

void
pub_load_result_clear(PubLoadResult *result)
{
    if (result == NULL)
        return;
    g_clear_pointer(&result->pct, g_free);
    g_clear_pointer(&result->period, g_free);
}

gboolean
pub_load(PGconn *conn, const PubLoadOptions *opt, PubLoadResult *result, GError **error)
{
    memset(result, 0, sizeof *result);
    Load l = {.conn = conn,
              .run = opt->run,
              .started_us = g_get_monotonic_time(),
              .keep_history_days = opt->keep_history_days};
    pbc_info("publishing PCT %s, period %s (%s month %d) from \"%s\"", l.run->pct, l.run->period,
             l.run->fin_year, l.run->month_number, l.run->out_dir);
    l.run_id = g_uuid_string_random();
    l.tables = g_ptr_array_new();
    l.stats = g_array_new(FALSE, TRUE, sizeof(PubFileStats));
    l.deleted = g_array_new(FALSE, TRUE, sizeof(guint64));

    gboolean ok = find_outputs(&l, error);
    SumJob job = {.files = g_ptr_array_new_with_free_func(file_sum_free)};
    GThread *summer = NULL;
    if (ok) {
        GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        sum_add(job.files, seen, "run", l.run->ini_path);
        for (guint i = 0; i < l.tables->len; i++) {
            const PubTable *t = g_ptr_array_index(l.tables, i);
            g_autofree char *p = g_build_filename(l.run->out_dir, t->file, NULL);
            sum_add(job.files, seen, "output", p);
        }
        if (l.deletions)
            sum_add(job.files, seen, "output", l.deletions);
        for (char **p = l.run->inputs; *p; p++)
            sum_add(job.files, seen, "input", *p);
        for (char **p = l.run->references; *p; p++)
            sum_add(job.files, seen, "reference", *p);
        g_hash_table_destroy(seen);
        summer = g_thread_new("pbc-sha256", sum_thread, &job);
        ok = load_in_transaction(&l, opt->wait, &summer, &job, error);
    }
    if (!ok) {
        pub_db_rollback(conn);
        if (error && *error)
            record_failure(&l, *error);
    }
    /* The thread is joined in the transaction on success; here otherwise, at once. */
    if (summer) {
        g_atomic_int_set(&job.cancel, 1);
        g_thread_join(summer);
    }
    if (ok) {
        result->pct = g_strdup(l.run->pct);
        result->period = g_strdup(l.run->period);
        result->load_id = g_ascii_strtoll(l.load_id, NULL, 10);
        result->replaced = l.replaced;
        for (guint i = 0; i < l.stats->len; i++)
            result->rows += g_array_index(l.stats, PubFileStats, i).rows;
        result->seconds = (double)(g_get_monotonic_time() - l.started_us) / 1e6;
        result->history_units = l.history_units;
        result->history_pruned = l.pruned;
        result->changes = l.changes;
    }
    for (guint i = 0; i < l.stats->len; i++)
        pub_file_stats_clear(&g_array_index(l.stats, PubFileStats, i));
    g_array_free(l.stats, TRUE);
    g_array_free(l.deleted, TRUE);
    g_ptr_array_free(l.tables, TRUE);
    g_ptr_array_free(job.files, TRUE);
    g_clear_error(&job.error);
    g_free(l.run_id);
    g_free(l.deletions);
    return ok;
}
