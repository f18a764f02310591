/*
 * test_render_check.c: the strict well-formedness check the statement pages
 * must pass (lib/render_check.c).  Table-driven: each case a small document
 * and whether it is well-formed, with the reason in its comment, and for the
 * bad ones the line the message must name.
 */
#include "log.h"
#include "render_check.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

typedef struct {
    char doc[160];
    gboolean ok;
    char message[80]; /* a part of the error message */
} CheckCase;

static CheckCase check_cases[] = {
    {"<!DOCTYPE html>\n<html><body><p>a</p></body></html>\n", TRUE, ""},
    {"<html><head><meta charset=\"utf-8\" /></head></html>", TRUE, ""}, /* void element closed */
    {"<html><p title='x &amp; y'>&lt;&#163;&#xA3;&quot;&apos;</p></html>", TRUE, ""},
    {"<html><!-- a <comment> --><br /></html>", TRUE, ""},
    {"\xef\xbb\xbf<html></html>", TRUE, ""},                       /* a BOM */
    {"<html><svg viewBox=\"0 0 1 1\"><line x1=\"0\" /></svg></html>", TRUE, ""},
    {"<html><p>a</html>", FALSE, "line 1: end tag </html> closes <p>"},  /* unbalanced */
    {"<html>\n<p>\n</html>", FALSE, "line 3: end tag </html> closes <p>"},
    {"<html><meta charset=\"utf-8\"></html>", FALSE, "closes <meta>"},  /* HTML void, not XML */
    {"<html>", FALSE, "<html> is never closed"},
    {"<html></html><html></html>", FALSE, "a second root element"},
    {"<html></html>text", FALSE, "text outside the root element"},
    {"</p>", FALSE, "with no element open"},
    {"<html>a & b</html>", FALSE, "does not start an entity"},
    {"<html>&nbsp;</html>", FALSE, "unknown entity \"&nbsp;\""},    /* HTML-only entity */
    {"<html>&#0;</html>", FALSE, "invalid character reference"},
    {"<html>&#xZZ;</html>", FALSE, "invalid character reference"},
    {"<html>a < b</html>", FALSE, "does not start a tag"},
    {"<html><p a=b></p></html>", FALSE, "not quoted"},
    {"<html><p a></p></html>", FALSE, "without a value"},
    {"<html><p a=\"1\" a=\"2\"></p></html>", FALSE, "given twice"},
    {"<html><p a=\"1\"b=\"2\"></p></html>", FALSE, "separated by white space"},
    {"<html><p a=\"<\"></p></html>", FALSE, "\"<\" in the value"},
    {"<html><p a=\"1", FALSE, "unterminated value"},              /* the input ends inside it */
    {"<html>\x01</html>", FALSE, "not allowed in XML"},
    {"<html>\xff</html>", FALSE, "invalid UTF-8"},
    {"<html><!-- open </html>", FALSE, "unterminated comment"},
    {"", FALSE, "no root element"},
    {"<body></body>", FALSE, "root element <body>, not <html>"},
};

ParameterizedTestParameters(render_check, documents)
{
    return cr_make_param_array(CheckCase, check_cases, sizeof check_cases / sizeof check_cases[0]);
}

ParameterizedTest(CheckCase *c, render_check, documents)
{
    g_autoptr(GError) e = NULL;
    gboolean ok = render_check_wellformed(c->doc, "html", &e);
    cr_expect_eq(ok, c->ok, "%s: %s", c->doc, e ? e->message : "well-formed");
    if (!c->ok && e != NULL) {
        cr_expect(strstr(e->message, c->message) != NULL, "\"%s\" not in \"%s\"", c->message,
                  e->message);
        cr_expect_eq(e->code, PBC_ERROR_FORMAT);
    }
}

Test(render_check, any_root_when_none_is_required)
{
    cr_expect(render_check_wellformed("<svg></svg>", NULL, NULL));
    cr_expect_not(render_check_wellformed("<svg>", NULL, NULL));
}
