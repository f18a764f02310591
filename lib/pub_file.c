/*
 * pub_file.c: CSV file -> COPY, with per-value checks and totals (see
 * pub_file.h).
 */
#include "pub_file.h"

#include "csv_in.h"
#include "log.h"
#include "pub_copy.h"

#include <string.h>
#include <sys/stat.h>

void
pub_file_stats_clear(PubFileStats *stats)
{
    if (stats == NULL)
        return;
    g_clear_pointer(&stats->present, g_free);
    g_clear_pointer(&stats->sums, g_free);
    stats->rows = 0;
    stats->ncols = 0;
}

/* Sets a PBC_ERROR_FORMAT error about line of path, and aborts the COPY. */
static gboolean
row_error(GError **error, PubCopy *copy, const char *path, gint64 line, const char *fmt, ...)
    G_GNUC_PRINTF(5, 6);
static gboolean
row_error(GError **error, PubCopy *copy, const char *path, gint64 line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *what = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_autofree char *msg = g_strdup_printf("file \"%s\" line %" G_GINT64_FORMAT ": %s", path,
                                           line, what);
    pub_copy_abort(copy, msg);
    g_set_error_literal(error, PBC_ERROR, PBC_ERROR_FORMAT, msg);
    return FALSE;
}

gboolean
pub_file_copy(PGconn *conn, const char *path, const PubTable *t, const char *target,
              const char *const *prefix, guint nprefix, const char *prefix_cols,
              PubFileStats *stats, GError **error)
{
    memset(stats, 0, sizeof *stats);
    stats->ncols = t->ncols;
    stats->present = g_new0(gboolean, t->ncols);
    stats->sums = g_new0(gint64, t->ncols);

    g_autoptr(CsvIn) in = csv_in_open(path, error);
    if (in == NULL || !csv_in_read_header(in, error))
        return FALSE;

    /* Map the table's columns to the header; build the COPY column list. */
    g_autofree int *idx = g_new(int, t->ncols);
    g_autoptr(GString) sql = g_string_new("COPY ");
    g_string_append_printf(sql, "%s (", target);
    if (nprefix > 0)
        g_string_append_printf(sql, "%s", prefix_cols);
    gboolean first = nprefix == 0;
    for (guint i = 0; i < t->ncols; i++) {
        idx[i] = csv_in_column(in, t->cols[i].csv);
        if (idx[i] < 0 && t->cols[i].required) {
            g_set_error(error, PBC_ERROR, PBC_ERROR_FORMAT,
                        "file \"%s\": missing required column \"%s\"", path, t->cols[i].csv);
            return FALSE;
        }
        stats->present[i] = idx[i] >= 0;
        if (idx[i] >= 0) {
            g_string_append_printf(sql, "%s\"%s\"", first ? "" : ", ", t->cols[i].db);
            first = FALSE;
        }
    }
    g_string_append(sql, ") FROM STDIN");

    struct stat st;
    guint64 size = stat(path, &st) == 0 ? (guint64)st.st_size : 0;
    guint nheader = csv_in_header_count(in);

    PubCopy *copy = pub_copy_begin(conn, sql->str, error);
    if (copy == NULL)
        return FALSE;
    int rc;
    while ((rc = csv_in_next(in, error)) > 0) {
        gint64 line = csv_in_line(in);
        if (csv_in_broken(in))
            return row_error(error, copy, path, line, "broken quoting");
        if (csv_in_count(in) != nheader)
            return row_error(error, copy, path, line, "%u fields where the header has %u",
                             csv_in_count(in), nheader);
        for (guint p = 0; p < nprefix; p++) {
            if (prefix[p])
                pub_copy_value(copy, prefix[p], strlen(prefix[p]));
            else
                pub_copy_null(copy);
        }
        for (guint i = 0; i < t->ncols; i++) {
            if (idx[i] < 0)
                continue;
            const PubColumn *col = &t->cols[i];
            const char *v = csv_in_field(in, idx[i]);
            if (*v == '\0') {
                if (col->not_null)
                    return row_error(error, copy, path, line, "column \"%s\" is blank",
                                     col->csv);
                pub_copy_null(copy);
                continue;
            }
            gint64 num = 0;
            if (!pub_value_ok(col->type, v, &num))
                return row_error(error, copy, path, line, "column \"%s\" is not %s: \"%s\"",
                                 col->csv, pub_type_name(col->type), v);
            if (col->type == PUB_INT
                && __builtin_add_overflow(stats->sums[i], num, &stats->sums[i]))
                return row_error(error, copy, path, line,
                                 "the total of column \"%s\" overflows 64 bits", col->csv);
            pub_copy_value(copy, v, csv_in_field_len(in, idx[i]));
        }
        if (!pub_copy_end_row(copy, error)) {
            pub_copy_abort(copy, "could not send COPY data");
            return FALSE;
        }
        stats->rows++;
        if ((stats->rows & 0xffff) == 0)
            pbc_progress(t->file, csv_in_offset(in), size);
    }
    if (rc < 0) {
        pub_copy_abort(copy, "could not read the file");
        return FALSE;
    }
    if (stats->rows > 0xffff)
        pbc_progress_done();
    return pub_copy_finish(copy, error);
}
