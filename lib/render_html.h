/*
 * render_html.h: safe HTML text for the statement pages.
 *
 * Part of the statements renderer (pbc-statements, docs/statements.md).
 * Every string that comes from the database (practice names such as
 * `The "Old Castle Hill" Surgery`, codes, HRG names) goes into a page through
 * render_html_escape(), never raw.  Pages are written as polyglot HTML5:
 * every element closed (void elements as <meta ... />), only the five XML
 * entities and numeric references, so that they parse the same as HTML and as
 * XML and a strict well-formedness check (or `xmllint --noout`) can test them.
 */
#ifndef PBC_RENDER_HTML_H
#define PBC_RENDER_HTML_H

#include <glib.h>

/*
 * Appends s with &, <, >, " and ' replaced by entities, so the result is safe
 * in element content and in a quoted attribute.  Invalid UTF-8 becomes
 * U+FFFD, and control characters other than tab, LF and CR (which XML does not
 * allow) become U+FFFD too.  NULL appends nothing.
 */
void render_html_escape(GString *out, const char *s);

/* Appends the escaped s, or `fallback` (raw HTML, e.g. "&#8212;") when s is NULL or "". */
void render_html_text_or(GString *out, const char *s, const char *fallback);

/*
 * Appends s percent-encoded for a relative URL path segment: everything but
 * ASCII letters, digits and "-._~" becomes %XX, so a file name is always a
 * single safe link target.
 */
void render_html_href(GString *out, const char *s);

/*
 * Starts a self-contained page: doctype, <html lang="en-GB">, <head> with
 * charset, viewport, the escaped title and `css` (raw; must not contain
 * "</style"), then <body>.  No scripts, no external resources.
 */
void render_html_begin(GString *out, const char *title, const char *css);

/* Ends what render_html_begin() started: </body></html>. */
void render_html_end(GString *out);

/*
 * Opens an inline chart: <svg class="chart `kind`"> (kind raw, e.g.
 * "bar-chart") with a width x height viewBox, the charts' font and fill, the
 * escaped id when not NULL, then the escaped <title> and, when not NULL, the
 * escaped <desc>.  The chart closes it with </svg>.
 */
void render_svg_begin(GString *out, const char *kind, int width, int height, const char *id,
                      const char *title, const char *description);

#endif
