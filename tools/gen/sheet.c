/*
 * sheet.c: the CSV writer of pbc-gen (see sheet.h).
 *
 * A row is assembled in one buffer (each column's value appended, its
 * offset and length remembered) and written on sheet_end_row() in the
 * file's column order, quoting only what RFC 4180 requires unless the
 * style asks for gratuitous quotes.  Output goes through a 1 MB buffer to
 * zlib or stdio.  A "multi-member" gzip file is made by closing the gzip
 * stream and reopening it in append mode, which is exactly what
 * `cat a.gz b.gz` produces and what SPEC §3 requires readers to accept.
 */
#include "sheet.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#define FLUSH_AT (1 << 20)

struct Sheet {
    char *path;             /* final name */
    char *tmp;              /* hidden name written to */
    SheetStyle st;
    gzFile gz;
    FILE *fp;
    int ncols;              /* canonical columns (+1 with the extra one) */
    int nout;               /* columns written */
    int *order;             /* output position -> canonical column */
    GString *row;           /* values of the current row */
    int *off, *len;         /* per canonical column; len -1 = blank */
    GString *out;           /* pending output */
    guint64 rows;
    guint64 member_start;   /* rows at the start of the current member */
    GRand *rand;            /* cosmetic choices */
    char gzmode[8];
};

GQuark
gen_error_quark(void)
{
    return g_quark_from_static_string("pbc-gen-error-quark");
}

/* Free-text values of the unknown extra column: the awkward cases of RFC
 * 4180 (commas, doubled quotes, embedded line breaks). */
static const char *const notes[] = {
    "see referral letter, dated 3/4",
    "patient said \"no\" to follow-up",
    "moved from ward 7,\nthen to ICU",
    "interpreter booked",
    "GP: Dr Smith, Dr Jones",
    "\"urgent\"",
    "two-week wait",
    "line one\nline two\nline three",
};

static const char *
eol(const Sheet *sh)
{
    return sh->st.crlf ? "\r\n" : "\n";
}

static gboolean
raw_write(Sheet *sh, const char *p, gsize n, GError **err)
{
    if (n == 0)
        return TRUE;
    if (sh->gz) {
        if (gzwrite(sh->gz, p, (unsigned) n) != (int) n) {
            int zerr;
            const char *msg = gzerror(sh->gz, &zerr);
            g_set_error(err, GEN_ERROR, GEN_ERROR_IO,
                        "could not write file \"%s\": %s", sh->tmp,
                        zerr == Z_ERRNO ? g_strerror(errno) : msg);
            return FALSE;
        }
    } else if (fwrite(p, 1, n, sh->fp) != n) {
        g_set_error(err, GEN_ERROR, GEN_ERROR_IO,
                    "could not write file \"%s\": %s", sh->tmp, g_strerror(errno));
        return FALSE;
    }
    return TRUE;
}

static gboolean
flush_out(Sheet *sh, GError **err)
{
    gboolean ok = raw_write(sh, sh->out->str, sh->out->len, err);
    g_string_truncate(sh->out, 0);
    return ok;
}

static gboolean
open_stream(Sheet *sh, const char *mode, GError **err)
{
    if (sh->st.gzip) {
        g_snprintf(sh->gzmode, sizeof sh->gzmode, "%sb%d", mode,
                   sh->st.level > 0 ? sh->st.level : 6);
        sh->gz = gzopen(sh->tmp, sh->gzmode);
        if (sh->gz)
            gzbuffer(sh->gz, 1 << 17);
    } else {
        sh->fp = fopen(sh->tmp, mode[0] == 'w' ? "wb" : "ab");
    }
    if (!sh->gz && !sh->fp) {
        g_set_error(err, GEN_ERROR, GEN_ERROR_IO,
                    "could not create file \"%s\": %s", sh->tmp, g_strerror(errno));
        return FALSE;
    }
    return TRUE;
}

static gboolean
close_stream(Sheet *sh, GError **err)
{
    int rc = 0;
    errno = 0;
    if (sh->gz) {
        rc = gzclose(sh->gz) == Z_OK ? 0 : -1;
        sh->gz = NULL;
    } else if (sh->fp) {
        rc = fclose(sh->fp);
        sh->fp = NULL;
    }
    if (rc != 0) {
        g_set_error(err, GEN_ERROR, GEN_ERROR_IO,
                    "could not close file \"%s\": %s", sh->tmp,
                    errno ? g_strerror(errno) : "gzip stream error");
        return FALSE;
    }
    return TRUE;
}

/* Appends @s (length @n) to the output as one CSV field. */
static void
put_field(Sheet *sh, const char *s, int n, gboolean allow_cosmetic)
{
    gboolean must = FALSE;
    for (int i = 0; i < n; i++) {
        char c = s[i];
        if (c == ',' || c == '"' || c == '\n' || c == '\r') {
            must = TRUE;
            break;
        }
    }
    gboolean quote = must;
    if (!quote && allow_cosmetic && n > 0 && sh->st.quote_p > 0
        && g_rand_double(sh->rand) < sh->st.quote_p)
        quote = TRUE;
    if (quote) {
        g_string_append_c(sh->out, '"');
        for (int i = 0; i < n; i++) {
            if (s[i] == '"')
                g_string_append_c(sh->out, '"');
            g_string_append_c(sh->out, s[i]);
        }
        g_string_append_c(sh->out, '"');
        return;
    }
    gboolean pad = allow_cosmetic && n > 0 && sh->st.pad_p > 0
        && g_rand_double(sh->rand) < sh->st.pad_p;
    if (pad)
        g_string_append_c(sh->out, ' ');
    g_string_append_len(sh->out, s, n);
    if (pad)
        g_string_append(sh->out, "  ");
}

/* Spells header name @name in the style's case, e.g. "NHS_Number". */
static void
put_header_name(Sheet *sh, const char *name)
{
    GString *h = g_string_new(NULL);
    gboolean start = TRUE;
    for (const char *p = name; *p; p++) {
        char c = *p;
        if (sh->st.header_case == 1)
            c = g_ascii_toupper(c);
        else if (sh->st.header_case == 2 && start)
            c = g_ascii_toupper(c);
        start = c == '_';
        g_string_append_c(h, c);
    }
    if (sh->st.header_pad && g_rand_int_range(sh->rand, 0, 3) == 0) {
        g_string_prepend_c(h, ' ');
        g_string_append(h, " ");
    }
    put_field(sh, h->str, (int) h->len, TRUE);
    g_string_free(h, TRUE);
}

Sheet *
sheet_open(const char *path, const char *const *cols, int ncols,
           const SheetStyle *st, guint64 key, GError **err)
{
    Sheet *sh = g_new0(Sheet, 1);
    sh->path = g_strdup(path);
    g_autofree char *dir = g_path_get_dirname(path);
    g_autofree char *base = g_path_get_basename(path);
    sh->tmp = g_strdup_printf("%s/.%s.tmp", dir, base);
    sh->st = *st;
    sh->rand = g_rand_new_with_seed_array((const guint32[]) { (guint32) key,
                                                                (guint32) (key >> 32) }, 2);
    sh->ncols = ncols + (st->extra_col ? 1 : 0);
    sh->nout = sh->ncols;
    sh->order = g_new(int, sh->ncols);
    for (int i = 0; i < sh->ncols; i++)
        sh->order[i] = i;
    if (st->shuffle)
        for (int i = sh->ncols - 1; i > 0; i--) {
            int j = g_rand_int_range(sh->rand, 0, i + 1);
            int t = sh->order[i];
            sh->order[i] = sh->order[j];
            sh->order[j] = t;
        }
    sh->row = g_string_sized_new(512);
    sh->off = g_new0(int, sh->ncols);
    sh->len = g_new(int, sh->ncols);
    for (int i = 0; i < sh->ncols; i++)
        sh->len[i] = -1;
    sh->out = g_string_sized_new(FLUSH_AT + 4096);

    if (!open_stream(sh, "w", err)) {
        sheet_abort(sh);
        return NULL;
    }
    if (st->bom)
        g_string_append(sh->out, "\xEF\xBB\xBF");
    for (int i = 0; i < sh->nout; i++) {
        int c = sh->order[i];
        if (i)
            g_string_append_c(sh->out, ',');
        put_header_name(sh, c < ncols ? cols[c] : st->extra_col);
    }
    g_string_append(sh->out, eol(sh));
    return sh;
}

void
sheet_setn(Sheet *sh, int col, const char *s, int n)
{
    g_assert(col >= 0 && col < sh->ncols);
    sh->off[col] = (int) sh->row->len;
    sh->len[col] = n;
    g_string_append_len(sh->row, s, n);
}

void
sheet_set(Sheet *sh, int col, const char *s)
{
    sheet_setn(sh, col, s, (int) strlen(s));
}

void
sheet_set_int(Sheet *sh, int col, gint64 v)
{
    /* By hand: printf is a visible cost at 100 million rows. */
    char buf[24];
    char *p = buf + sizeof buf;
    guint64 u = v < 0 ? -(guint64) v : (guint64) v;
    do {
        *--p = (char) ('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--p = '-';
    sheet_setn(sh, col, p, (int) (buf + sizeof buf - p));
}

void
sheet_set_date_as(Sheet *sh, int col, Day d, CalStyle style)
{
    char buf[16];
    int n = cal_format(buf, d, style);
    sheet_setn(sh, col, buf, n);
}

void
sheet_set_date(Sheet *sh, int col, Day d)
{
    CalStyle style = sh->st.date_style;
    if (sh->st.mixed_dates && g_rand_int_range(sh->rand, 0, 6) == 0)
        style = (CalStyle) g_rand_int_range(sh->rand, 0, 3);
    sheet_set_date_as(sh, col, d, style);
}

void
sheet_set_bad_date(Sheet *sh, int col, int y, int m, int d)
{
    char buf[16];
    int n;
    switch (sh->st.date_style) {
    case CAL_UK:
        n = g_snprintf(buf, sizeof buf, "%02d/%02d/%04d", d, m, y);
        break;
    case CAL_COMPACT:
        n = g_snprintf(buf, sizeof buf, "%04d%02d%02d", y, m, d);
        break;
    case CAL_ISO:
    default:
        n = g_snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
        break;
    }
    sheet_setn(sh, col, buf, n);
}

void
sheet_set_datetime(Sheet *sh, int col, Day d, int secs)
{
    char buf[24];
    int n;
    if (secs == 0 && sh->st.date_only_p > 0
        && g_rand_double(sh->rand) < sh->st.date_only_p)
        n = cal_format(buf, d, CAL_ISO);
    else
        n = cal_format_datetime(buf, d, secs);
    sheet_setn(sh, col, buf, n);
}

void
sheet_set_money(Sheet *sh, int col, gint64 pence)
{
    char buf[32];
    int n;
    const char *sign = pence < 0 ? "-" : "";
    gint64 a = pence < 0 ? -pence : pence;
    if (sh->st.money_whole && a % 100 == 0)
        n = g_snprintf(buf, sizeof buf, "%s%" G_GINT64_FORMAT, sign, a / 100);
    else
        n = g_snprintf(buf, sizeof buf, "%s%" G_GINT64_FORMAT ".%02d", sign,
                       a / 100, (int) (a % 100));
    sheet_setn(sh, col, buf, n);
}

CalStyle
sheet_date_style(const Sheet *sh)
{
    return sh->st.date_style;
}

guint64
sheet_rows(const Sheet *sh)
{
    return sh->rows;
}

gboolean
sheet_end_row(Sheet *sh, int field_delta, GError **err)
{
    int extra = sh->st.extra_col ? sh->ncols - 1 : -1;
    if (extra >= 0 && sh->len[extra] < 0 && g_rand_int_range(sh->rand, 0, 8) == 0) {
        const char *note = notes[g_rand_int_range(sh->rand, 0, G_N_ELEMENTS(notes))];
        sheet_set(sh, extra, note);
    }
    int nout = sh->nout + (field_delta < 0 ? field_delta : 0);
    for (int i = 0; i < nout; i++) {
        int c = sh->order[i];
        if (i)
            g_string_append_c(sh->out, ',');
        if (sh->len[c] >= 0)
            put_field(sh, sh->row->str + sh->off[c], sh->len[c], TRUE);
    }
    for (int i = 0; i < field_delta; i++)
        g_string_append(sh->out, ",X");
    g_string_append(sh->out, eol(sh));
    if (sh->st.blank_line_p > 0 && g_rand_double(sh->rand) < sh->st.blank_line_p)
        g_string_append(sh->out, eol(sh));

    g_string_truncate(sh->row, 0);
    for (int i = 0; i < sh->ncols; i++)
        sh->len[i] = -1;
    sh->rows++;

    if (sh->st.gzip && sh->st.member_rows
        && sh->rows - sh->member_start >= sh->st.member_rows) {
        /* Close this gzip member and start another in the same file. */
        sh->member_start = sh->rows;
        if (!flush_out(sh, err) || !close_stream(sh, err) || !open_stream(sh, "a", err))
            return FALSE;
    } else if (sh->out->len >= FLUSH_AT && !flush_out(sh, err)) {
        return FALSE;
    }
    return TRUE;
}

static void
sheet_free(Sheet *sh)
{
    g_free(sh->path);
    g_free(sh->tmp);
    g_free(sh->order);
    g_string_free(sh->row, TRUE);
    g_free(sh->off);
    g_free(sh->len);
    g_string_free(sh->out, TRUE);
    g_rand_free(sh->rand);
    g_free(sh);
}

gboolean
sheet_close(Sheet *sh, GError **err)
{
    if (!flush_out(sh, err) || !close_stream(sh, err)) {
        sheet_abort(sh);
        return FALSE;
    }
    if (rename(sh->tmp, sh->path) != 0) {
        g_set_error(err, GEN_ERROR, GEN_ERROR_IO,
                    "could not rename file \"%s\" to \"%s\": %s", sh->tmp,
                    sh->path, g_strerror(errno));
        sheet_abort(sh);
        return FALSE;
    }
    sheet_free(sh);
    return TRUE;
}

void
sheet_abort(Sheet *sh)
{
    if (!sh)
        return;
    if (sh->gz)
        gzclose(sh->gz);
    if (sh->fp)
        fclose(sh->fp);
    unlink(sh->tmp);
    sheet_free(sh);
}
