/*
 * render_number.c: pence as pounds, counts and decimals for statement pages
 * (see render_number.h).  Integer arithmetic only: magnitudes are taken as
 * uint64_t so that INT64_MIN formats like any other value.
 */
#include "render_number.h"

#include "decimal.h"

#include <string.h>

/* |v| without overflow. */
static uint64_t
magnitude(int64_t v)
{
    return v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
}

/* Appends v in decimal with a comma between groups of three digits. */
static void
append_grouped(GString *out, uint64_t v)
{
    char d[32];
    int n = g_snprintf(d, sizeof d, "%" G_GUINT64_FORMAT, v);
    for (int i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            g_string_append_c(out, ',');
        g_string_append_c(out, d[i]);
    }
}

/* Appends pence as [−]£pounds.pp. */
static void
append_money(GString *out, int64_t pence)
{
    uint64_t a = magnitude(pence);
    if (pence < 0)
        g_string_append(out, RENDER_MINUS);
    g_string_append(out, RENDER_POUND);
    append_grouped(out, a / 100);
    g_string_append_printf(out, ".%02u", (unsigned)(a % 100));
}

char *
render_money(int64_t pence)
{
    GString *s = g_string_sized_new(24);
    append_money(s, pence);
    return g_string_free(s, FALSE);
}

char *
render_money_whole(int64_t pence)
{
    uint64_t a = magnitude(pence);
    /* Half a pound or more rounds up on the magnitude: halves away from zero. */
    uint64_t pounds = a / 100 + (a % 100 >= 50 ? 1 : 0);
    GString *s = g_string_sized_new(24);
    if (pence < 0 && pounds > 0)
        g_string_append(s, RENDER_MINUS);
    g_string_append(s, RENDER_POUND);
    append_grouped(s, pounds);
    return g_string_free(s, FALSE);
}

void
render_money_html(GString *out, int64_t pence)
{
    g_string_append(out, pence < 0 ? "<span class=\"money neg\">" : "<span class=\"money\">");
    append_money(out, pence);
    g_string_append(out, "</span>");
}

char *
render_count(int64_t n)
{
    GString *s = g_string_sized_new(24);
    if (n < 0)
        g_string_append(s, RENDER_MINUS);
    append_grouped(s, magnitude(n));
    return g_string_free(s, FALSE);
}

/* Appends r / 10^out_places (r already rounded) with separators. */
static void
append_scaled(GString *s, int64_t r, int out_places)
{
    uint64_t a = magnitude(r);
    uint64_t p = (uint64_t)pow10_i64(out_places);
    if (r < 0)
        g_string_append(s, RENDER_MINUS);
    append_grouped(s, a / p);
    if (out_places > 0)
        g_string_append_printf(s, ".%0*" G_GUINT64_FORMAT, out_places, a % p);
}

char *
render_scaled(int64_t v, int places, int out_places)
{
    g_assert(out_places >= 0 && out_places <= places && places <= 18);
    int64_t r = div_round(v, pow10_i64(places - out_places));
    GString *s = g_string_sized_new(24);
    append_scaled(s, r, out_places);
    return g_string_free(s, FALSE);
}

/*
 * Parses the database's text for a numeric: up to 6 decimals as the files
 * publish them, more when a view computed the value.  *places receives the
 * scale used.
 */
static gboolean
parse_numeric(const char *s, int64_t *v, int *places)
{
    if (s == NULL)
        return FALSE;
    g_autofree char *t = g_strstrip(g_strdup(s));
    if (*t == '\0')
        return FALSE;
    static const int scales[] = {6, 9, 12, 15};
    for (guint i = 0; i < G_N_ELEMENTS(scales); i++) {
        if (decimal_parse(t, scales[i], v)) {
            *places = scales[i];
            return TRUE;
        }
    }
    return FALSE;
}

char *
render_decimal(const char *s, int out_places)
{
    int64_t v;
    int places;
    g_assert(out_places >= 0 && out_places <= 6);
    if (!parse_numeric(s, &v, &places))
        return NULL;
    return render_scaled(v, places, out_places);
}

char *
render_ratio_percent(const char *s, int out_places)
{
    int64_t v;
    int places;
    g_assert(out_places >= 0 && out_places <= 4);
    if (!parse_numeric(s, &v, &places))
        return NULL;
    /* ratio × 100 with out_places decimals: v × 100 × 10^out / 10^places. */
    int64_t r = div_round((__int128)v * 100 * pow10_i64(out_places), pow10_i64(places));
    GString *out = g_string_sized_new(16);
    if (r > 0)
        g_string_append_c(out, '+');
    append_scaled(out, r, out_places);
    g_string_append_c(out, '%');
    return g_string_free(out, FALSE);
}
