/*
 * test_render_html.c: escaping database strings into the statement pages,
 * links, and the page frame (lib/render_html.c).
 *
 * Every string from the database goes into a page escaped: practice names
 * such as `The "Old Castle Hill" Surgery` or a name with a line break are
 * real (sample/ref/practices.csv), and a hostile one must stay text.
 */
#include "render_check.h"
#include "render_html.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

typedef struct {
    char in[64];
    char out[160];
} EscapeCase;

static EscapeCase escape_cases[] = {
    {"Dr Clarke and Partners", "Dr Clarke and Partners"},
    {"The \"Old Castle Hill\" Surgery", "The &quot;Old Castle Hill&quot; Surgery"},
    {"Jackson, Jones & Partners", "Jackson, Jones &amp; Partners"},
    {"O'Neil", "O&#39;Neil"},
    {"<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"},
    {"Bridge Street Practice\n(Branch: Smith)", "Bridge Street Practice\n(Branch: Smith)"},
    {"tab\there", "tab\there"},
    {"&amp;", "&amp;amp;"},                                /* already-escaped text stays text */
    {"bell\x07" "end", "bell\xef\xbf\xbd" "end"},         /* C0 control: not allowed in XML */
    {"del\x7f", "del\xef\xbf\xbd"},
    {"bad \xff utf8", "bad \xef\xbf\xbd utf8"},            /* invalid UTF-8 byte */
    {"cut \xc3", "cut \xef\xbf\xbd"},                      /* truncated sequence */
    {"caf\xc3\xa9 \xc2\xa3 \xe2\x88\x92", "caf\xc3\xa9 \xc2\xa3 \xe2\x88\x92"}, /* é £ − kept */
    {"", ""},
};

ParameterizedTestParameters(render_html, escape)
{
    return cr_make_param_array(EscapeCase, escape_cases, sizeof escape_cases / sizeof escape_cases[0]);
}

ParameterizedTest(EscapeCase *c, render_html, escape)
{
    g_autoptr(GString) s = g_string_new(NULL);
    render_html_escape(s, c->in);
    cr_expect_str_eq(s->str, c->out);
    /* Whatever went in, the result is safe as element text and as an attribute value. */
    g_autofree char *doc = g_strdup_printf("<p title=\"%s\">%s</p>", s->str, s->str);
    g_autoptr(GError) e = NULL;
    cr_expect(render_check_wellformed(doc, "p", &e), "%s: %s", doc, e ? e->message : "");
}

Test(render_html, escape_null_appends_nothing)
{
    g_autoptr(GString) s = g_string_new("x");
    render_html_escape(s, NULL);
    cr_expect_str_eq(s->str, "x");
    render_html_text_or(s, NULL, "&#8212;");
    render_html_text_or(s, "", "-");
    render_html_text_or(s, "a&b", "-");
    cr_expect_str_eq(s->str, "x&#8212;-a&amp;b");
}

Test(render_html, href_encodes_everything_but_unreserved)
{
    g_autoptr(GString) s = g_string_new(NULL);
    render_html_href(s, "L81001.html");
    cr_expect_str_eq(s->str, "L81001.html");
    g_string_truncate(s, 0);
    render_html_href(s, "a b\"<&>/?#%.csv");
    cr_expect_str_eq(s->str, "a%20b%22%3C%26%3E%2F%3F%23%25.csv");
    g_string_truncate(s, 0);
    render_html_href(s, "caf\xc3\xa9~_-");
    cr_expect_str_eq(s->str, "caf%C3%A9~_-");
}

Test(render_html, page_frame_is_polyglot_and_self_contained)
{
    g_autoptr(GString) s = g_string_new(NULL);
    render_html_begin(s, "Statement <A&B>", "body { color: red; }\n");
    g_string_append(s, "<p>text</p>\n");
    render_html_end(s);
    g_autoptr(GError) e = NULL;
    cr_expect(render_check_wellformed(s->str, "html", &e), "%s", e ? e->message : "");
    cr_expect(g_str_has_prefix(s->str, "<!DOCTYPE html>\n"));
    cr_expect(strstr(s->str, "<meta charset=\"utf-8\" />") != NULL);
    cr_expect(strstr(s->str, "<title>Statement &lt;A&amp;B&gt;</title>") != NULL);
    cr_expect(strstr(s->str, "<style>\nbody { color: red; }\n</style>") != NULL);
    cr_expect(strstr(s->str, "<script") == NULL);
    cr_expect(strstr(s->str, "<link") == NULL);
    cr_expect(g_str_has_suffix(s->str, "</body>\n</html>\n"));
}
