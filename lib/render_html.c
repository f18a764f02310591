/*
 * render_html.c: escaping, links and the page frame of the statement pages
 * (see render_html.h).
 */
#include "render_html.h"

#include <string.h>

/* U+FFFD REPLACEMENT CHARACTER in UTF-8. */
#define REPLACEMENT "\xef\xbf\xbd"

void
render_html_escape(GString *out, const char *s)
{
    if (s == NULL)
        return;
    const char *p = s;
    const char *end = s + strlen(s);
    while (p < end) {
        gunichar c = g_utf8_get_char_validated(p, end - p);
        if (c == (gunichar)-1 || c == (gunichar)-2) {
            /* Not UTF-8: one byte becomes one replacement character. */
            g_string_append(out, REPLACEMENT);
            p++;
            continue;
        }
        const char *next = g_utf8_next_char(p);
        switch (c) {
        case '&':
            g_string_append(out, "&amp;");
            break;
        case '<':
            g_string_append(out, "&lt;");
            break;
        case '>':
            g_string_append(out, "&gt;");
            break;
        case '"':
            g_string_append(out, "&quot;");
            break;
        case '\'':
            g_string_append(out, "&#39;");
            break;
        default:
            /* XML 1.0 allows no C0 control but tab, LF, CR; nor DEL..C1, U+FFFE/F. */
            if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || (c >= 0x7f && c < 0xa0) ||
                c == 0xfffe || c == 0xffff)
                g_string_append(out, REPLACEMENT);
            else
                g_string_append_len(out, p, next - p);
        }
        p = next;
    }
}

void
render_html_text_or(GString *out, const char *s, const char *fallback)
{
    if (s == NULL || *s == '\0')
        g_string_append(out, fallback);
    else
        render_html_escape(out, s);
}

void
render_html_href(GString *out, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
        if (g_ascii_isalnum(*p) || strchr("-._~", *p) != NULL) {
            g_string_append_c(out, (char)*p);
        } else {
            g_string_append_c(out, '%');
            g_string_append_c(out, hex[*p >> 4]);
            g_string_append_c(out, hex[*p & 15]);
        }
    }
}

void
render_html_begin(GString *out, const char *title, const char *css)
{
    g_assert(css == NULL || strstr(css, "</style") == NULL);
    g_string_append(out,
                    "<!DOCTYPE html>\n"
                    "<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en-GB\" xml:lang=\"en-GB\">\n"
                    "<head>\n"
                    "<meta charset=\"utf-8\" />\n"
                    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />\n"
                    "<title>");
    render_html_escape(out, title);
    g_string_append(out, "</title>\n");
    if (css != NULL) {
        g_string_append(out, "<style>\n");
        g_string_append(out, css);
        g_string_append(out, "</style>\n");
    }
    g_string_append(out, "</head>\n<body>\n");
}

void
render_html_end(GString *out)
{
    g_string_append(out, "</body>\n</html>\n");
}

void
render_svg_begin(GString *out, const char *kind, int width, int height, const char *id,
                 const char *title, const char *description)
{
    g_string_append_printf(out,
                           "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart %s\" "
                           "viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\" "
                           "font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" "
                           "font-size=\"11\" fill=\"#1d2733\"",
                           kind, width, height, width, height);
    if (id) {
        g_string_append(out, " id=\"");
        render_html_escape(out, id);
        g_string_append_c(out, '"');
    }
    g_string_append(out, ">\n<title>");
    render_html_escape(out, title);
    g_string_append(out, "</title>\n");
    if (description) {
        g_string_append(out, "<desc>");
        render_html_escape(out, description);
        g_string_append(out, "</desc>\n");
    }
}
