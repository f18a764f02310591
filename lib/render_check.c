/*
 * render_check.c: the strict well-formedness check (see render_check.h).
 *
 * A small hand-written scanner rather than a parser library: the project
 * links no XML library, and the pages use a small, regular subset of XML
 * (no CDATA, no processing instructions, no internal DTD).
 */
#include "render_check.h"

#include "log.h"

#include <string.h>

typedef struct {
    const char *text;
    const char *p;
    GPtrArray *open;   /* names of the open elements (owned) */
    int roots;
    GError **error;
} Scan;

static int
line_of(const Scan *s, const char *at)
{
    int line = 1;
    for (const char *q = s->text; q < at; q++)
        if (*q == '\n')
            line++;
    return line;
}

static gboolean fail(Scan *s, const char *at, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

static gboolean
fail(Scan *s, const char *at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error(s->error, PBC_ERROR, PBC_ERROR_FORMAT, "line %d: %s", line_of(s, at), msg);
    return FALSE;
}

static gboolean
name_start(char c)
{
    return g_ascii_isalpha(c) || c == '_' || c == ':';
}

static gboolean
name_char(char c)
{
    return g_ascii_isalnum(c) || c == '_' || c == ':' || c == '-' || c == '.';
}

/* Reads a name at s->p into a new string, or NULL. */
static char *
read_name(Scan *s)
{
    const char *b = s->p;
    if (!name_start(*s->p))
        return NULL;
    while (name_char(*s->p))
        s->p++;
    return g_strndup(b, s->p - b);
}

static void
skip_space(Scan *s)
{
    while (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r')
        s->p++;
}

/* A character XML 1.0 allows. */
static gboolean
xml_char(gunichar c)
{
    return c == 0x9 || c == 0xa || c == 0xd || (c >= 0x20 && c <= 0xd7ff) ||
           (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c <= 0x10ffff);
}

/* Checks the entity or character reference at s->p ('&') and steps over it. */
static gboolean
entity(Scan *s)
{
    const char *at = s->p;
    const char *semi = strchr(at, ';');
    if (semi == NULL || semi - at > 12)
        return fail(s, at, "\"&\" that does not start an entity");
    g_autofree char *name = g_strndup(at + 1, semi - at - 1);
    if (name[0] == '#') {
        char *end = NULL;
        guint64 c = name[1] == 'x' ? g_ascii_strtoull(name + 2, &end, 16)
                                   : g_ascii_strtoull(name + 1, &end, 10);
        gboolean digits = name[1] == 'x' ? name[2] != '\0' : name[1] != '\0';
        if (!digits || end == NULL || *end != '\0' || c > 0x10ffff || !xml_char((gunichar)c))
            return fail(s, at, "invalid character reference \"&%s;\"", name);
    } else if (strcmp(name, "amp") && strcmp(name, "lt") && strcmp(name, "gt") &&
               strcmp(name, "quot") && strcmp(name, "apos")) {
        return fail(s, at, "unknown entity \"&%s;\" (only the five XML entities)", name);
    }
    s->p = semi + 1;
    return TRUE;
}

/* Text up to the next '<' or the end. */
static gboolean
text(Scan *s)
{
    while (*s->p && *s->p != '<') {
        if (*s->p == '&') {
            if (!entity(s))
                return FALSE;
            continue;
        }
        if (*s->p == '>' && s->p - s->text >= 2 && s->p[-1] == ']' && s->p[-2] == ']')
            return fail(s, s->p, "\"]]>\" in text");
        if (s->open->len == 0 && !g_ascii_isspace(*s->p))
            return fail(s, s->p, "text outside the root element");
        s->p++;
    }
    return TRUE;
}

/* An attribute list up to '>' or '/>'; *empty set for '/>'. */
static gboolean
attributes(Scan *s, gboolean *empty)
{
    g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    for (;;) {
        gboolean spaced = *s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r';
        skip_space(s);
        if (*s->p == '>') {
            s->p++;
            *empty = FALSE;
            return TRUE;
        }
        if (s->p[0] == '/' && s->p[1] == '>') {
            s->p += 2;
            *empty = TRUE;
            return TRUE;
        }
        const char *at = s->p;
        if (!spaced)
            return fail(s, at, "attributes must be separated by white space");
        char *name = read_name(s);
        if (name == NULL)
            return fail(s, at, "malformed attribute or unclosed tag");
        if (!g_hash_table_add(seen, name))
            return fail(s, at, "attribute \"%s\" given twice", name);
        skip_space(s);
        if (*s->p != '=')
            return fail(s, s->p, "attribute \"%s\" without a value", name);
        s->p++;
        skip_space(s);
        char q = *s->p;
        if (q != '"' && q != '\'')
            return fail(s, s->p, "value of attribute \"%s\" not quoted", name);
        s->p++;
        while (*s->p && *s->p != q) {
            if (*s->p == '<')
                return fail(s, s->p, "\"<\" in the value of attribute \"%s\"", name);
            if (*s->p == '&') {
                if (!entity(s))
                    return FALSE;
                continue;
            }
            s->p++;
        }
        if (*s->p != q)
            return fail(s, at, "unterminated value of attribute \"%s\"", name);
        s->p++;
    }
}

/* The markup at s->p ('<'): a tag, an end tag, a comment or the doctype. */
static gboolean
markup(Scan *s, const char *root)
{
    const char *at = s->p;
    if (g_str_has_prefix(at, "<!--")) {
        const char *end = strstr(at + 4, "-->");
        if (end == NULL)
            return fail(s, at, "unterminated comment");
        s->p = end + 3;
        return TRUE;
    }
    if (g_str_has_prefix(at, "<!DOCTYPE") || g_str_has_prefix(at, "<!doctype")) {
        if (s->roots > 0 || s->open->len > 0)
            return fail(s, at, "doctype after the root element");
        const char *end = strchr(at, '>');
        if (end == NULL || memchr(at, '[', end - at) != NULL)
            return fail(s, at, "malformed doctype");
        s->p = end + 1;
        return TRUE;
    }
    if (at[1] == '/') {
        s->p += 2;
        g_autofree char *name = read_name(s);
        skip_space(s);
        if (name == NULL || *s->p != '>')
            return fail(s, at, "malformed end tag");
        s->p++;
        if (s->open->len == 0)
            return fail(s, at, "end tag </%s> with no element open", name);
        const char *top = g_ptr_array_index(s->open, s->open->len - 1);
        if (strcmp(top, name) != 0)
            return fail(s, at, "end tag </%s> closes <%s>", name, top);
        g_ptr_array_remove_index(s->open, s->open->len - 1);
        return TRUE;
    }
    s->p++;
    char *name = read_name(s);
    if (name == NULL)
        return fail(s, at, "\"<\" that does not start a tag");
    if (s->open->len == 0) {
        if (s->roots++ > 0) {
            g_free(name);
            return fail(s, at, "a second root element");
        }
        if (root != NULL && strcmp(name, root) != 0) {
            gboolean r = fail(s, at, "root element <%s>, not <%s>", name, root);
            g_free(name);
            return r;
        }
    }
    gboolean empty = FALSE;
    if (!attributes(s, &empty)) {
        g_free(name);
        return FALSE;
    }
    if (empty)
        g_free(name);
    else
        g_ptr_array_add(s->open, name);
    return TRUE;
}

gboolean
render_check_wellformed(const char *text_in, const char *root, GError **error)
{
    Scan s = {.text = text_in, .p = text_in, .error = error};
    const char *bad = NULL;
    if (!g_utf8_validate(text_in, -1, &bad))
        return fail(&s, bad, "invalid UTF-8");
    for (const char *q = text_in; *q; q = g_utf8_next_char(q))
        if (!xml_char(g_utf8_get_char(q)))
            return fail(&s, q, "character U+%04X is not allowed in XML", g_utf8_get_char(q));
    s.open = g_ptr_array_new_with_free_func(g_free);
    gboolean ok = TRUE;
    /* A byte-order mark may lead the document. */
    if (g_str_has_prefix(s.p, "\xef\xbb\xbf"))
        s.p += 3;
    while (ok && *s.p) {
        if (*s.p == '<')
            ok = markup(&s, root);
        else
            ok = text(&s);
    }
    if (ok && s.open->len > 0)
        ok = fail(&s, s.p, "<%s> is never closed", (char *)g_ptr_array_index(s.open, s.open->len - 1));
    if (ok && s.roots == 0)
        ok = fail(&s, s.p, "no root element");
    g_ptr_array_free(s.open, TRUE);
    return ok;
}
