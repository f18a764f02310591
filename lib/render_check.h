/*
 * render_check.h: a strict well-formedness check of the rendered pages.
 *
 * Part of the statements renderer (pbc-statements, docs/statements.md).  The
 * pages are polyglot HTML5, which is also well-formed XML; this check holds
 * them to that: valid UTF-8, an optional <!DOCTYPE ...>, one root element,
 * every element closed by its own end tag in the right order (or written
 * <x ... />), attribute values quoted and unique per element, no "<" in
 * text or attribute values, every "&" the start of a known entity (&amp;
 * &lt; &gt; &quot; &apos; or a numeric reference to a character XML allows),
 * and no XML-forbidden control character.  pbc-statements checks every page
 * before it writes it, and the tests check every page written.
 */
#ifndef PBC_RENDER_CHECK_H
#define PBC_RENDER_CHECK_H

#include <glib.h>

/*
 * TRUE when text (NUL-terminated) is well-formed as above.  Otherwise FALSE
 * with PBC_ERROR_FORMAT: "line N: what is wrong" (the first problem).
 * `root` names the required root element ("html"), or NULL for any.
 */
gboolean render_check_wellformed(const char *text, const char *root, GError **error);

#endif
