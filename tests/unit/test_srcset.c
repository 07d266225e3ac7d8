/*
 * kb_srcset_scan: candidate splitting after the HTML spec, exact spans,
 * descriptors skipped, entity decoding on request, base and line offsets.
 */
#include "builder/refs/ref.h"
#include "common/error.h"
#include "tests/kt.h"
#include "tests/unit/ref_assert.h"

#include <string.h>

static struct kb_reflist L;
static struct kc_diag D;
static const char *S;

/* Scans s as a whole srcset value (base 0, line 1, IMAGE, tag_end 99). */
static int
scan(const char *s, bool entities)
{
    kb_reflist_free(&L);
    memset(&D, 0, sizeof D);
    S = s;
    return kb_srcset_scan(s, strlen(s), 0, 1, KB_REF_HTML_IMAGE, 99, entities, &L, &D);
}

/* Ref i has this raw span and decoded url (scan gives every ref kind IMAGE). */
#define REF(i, span, url) KT_REF(L, S, i, KB_REF_HTML_IMAGE, span, url)

static void
t_density(void)
{
    KT_EQ_INT(scan("a.png 1x, b.png 2x", true), 0);
    KT_EQ_INT(L.n, 2);
    REF(0, "a.png", "a.png");
    REF(1, "b.png", "b.png");
    KT_EQ_INT(L.v[0].start, 0);
    KT_EQ_INT(L.v[1].start, 10);
}

static void
t_width(void)
{
    KT_EQ_INT(scan("small.jpg 480w,medium.jpg 800w,  large.jpg 1200w", true), 0);
    KT_EQ_INT(L.n, 3);
    REF(0, "small.jpg", "small.jpg");
    REF(1, "medium.jpg", "medium.jpg");
    REF(2, "large.jpg", "large.jpg");
}

static void
t_kind_flags_tag_end(void)
{
    KT_EQ_INT(scan("a.png 2x", true), 0);
    KT_EQ_INT(L.n, 1);
    KT_EQ_INT(L.v[0].kind, KB_REF_HTML_IMAGE);
    KT_EQ_INT(L.v[0].flags, KB_REF_F_SRCSET);
    KT_EQ_INT(L.v[0].tag_end, 99);
    KT_EQ_INT(L.v[0].line, 1);
    KT_EQ_STR(L.v[0].as, "");
}

static void
t_no_descriptor(void)
{
    KT_EQ_INT(scan("only.png", true), 0);
    KT_EQ_INT(L.n, 1);
    REF(0, "only.png", "only.png");
}

static void
t_extra_commas_whitespace(void)
{
    KT_EQ_INT(scan(" ,, a.png ,b.png 2x,, ,c.png\t", true), 0);
    KT_EQ_INT(L.n, 3);
    REF(0, "a.png", "a.png");
    REF(1, "b.png", "b.png");
    REF(2, "c.png", "c.png");
}

static void
t_trailing_comma(void)
{
    KT_EQ_INT(scan("a.png, b.png,,", true), 0);
    KT_EQ_INT(L.n, 2);
    REF(0, "a.png", "a.png");
    REF(1, "b.png", "b.png");
}

static void
t_inner_comma(void)
{
    /* The URL runs to whitespace: "a.png,b.png" is one URL, as in browsers. */
    KT_EQ_INT(scan("a.png,b.png 2x", true), 0);
    KT_EQ_INT(L.n, 1);
    REF(0, "a.png,b.png", "a.png,b.png");
}

static void
t_data_url(void)
{
    KT_EQ_INT(scan("data:image/png;base64,iVBORw0KGgo= 1x, b.png 2x", true), 0);
    KT_EQ_INT(L.n, 2);
    REF(0, "data:image/png;base64,iVBORw0KGgo=", "data:image/png;base64,iVBORw0KGgo=");
    REF(1, "b.png", "b.png");
}

static void
t_data_url_trailing_comma(void)
{
    KT_EQ_INT(scan("data:text/plain,a,b, x.png", true), 0);
    KT_EQ_INT(L.n, 2);
    REF(0, "data:text/plain,a,b", "data:text/plain,a,b");
    REF(1, "x.png", "x.png");
}

static void
t_empty(void)
{
    KT_EQ_INT(scan("", true), 0);
    KT_EQ_INT(L.n, 0);
    KT_EQ_INT(scan(" , ,\n,, ", true), 0);
    KT_EQ_INT(L.n, 0);
}

static void
t_entities(void)
{
    KT_EQ_INT(scan("a.png?x=1&amp;y=2 2x, b&#46;png", true), 0);
    KT_EQ_INT(L.n, 2);
    REF(0, "a.png?x=1&amp;y=2", "a.png?x=1&y=2");
    REF(1, "b&#46;png", "b.png");
}

static void
t_no_entities(void)
{
    KT_EQ_INT(scan("a.png?x=1&amp;y=2 2x", false), 0);
    KT_EQ_INT(L.n, 1);
    REF(0, "a.png?x=1&amp;y=2", "a.png?x=1&amp;y=2");
}

static void
t_base_line0(void)
{
    const char *s = "a.png 1x,\n  b.png 2x,\n\nc.png";
    kb_reflist_free(&L);
    S = s;
    KT_EQ_INT(kb_srcset_scan(s, strlen(s), 100, 5, KB_REF_HTML_PRELOAD, 7, true, &L, &D), 0);
    KT_EQ_INT(L.n, 3);
    KT_EQ_INT(L.v[0].start, 100);
    KT_EQ_INT(L.v[0].end, 105);
    KT_EQ_INT(L.v[0].line, 5);
    KT_EQ_INT(L.v[1].start, 112);
    KT_EQ_INT(L.v[1].line, 6);
    KT_EQ_INT(L.v[2].line, 8);
    KT_EQ_INT(L.v[2].kind, KB_REF_HTML_PRELOAD);
    KT_EQ_INT(L.v[2].tag_end, 7);
}

static void
t_parens(void)
{
    KT_EQ_INT(scan("a.png (foo, bar) 1x, b.png", true), 0);
    KT_EQ_INT(L.n, 2);
    REF(0, "a.png", "a.png");
    REF(1, "b.png", "b.png");
}

static void
t_unclosed_paren(void)
{
    KT_EQ_INT(scan("a.png 1x (, b.png 2x", true), 0);
    KT_EQ_INT(L.n, 1);
    REF(0, "a.png", "a.png");
}

static void
t_newline_separators(void)
{
    KT_EQ_INT(scan("\n\ta.png\n\t1x,\n\tb.png\n\t2x\n", true), 0);
    KT_EQ_INT(L.n, 2);
    REF(0, "a.png", "a.png");
    REF(1, "b.png", "b.png");
    KT_EQ_INT(L.v[0].line, 2);
    KT_EQ_INT(L.v[1].line, 4);
}

static void
t_absolute_and_query(void)
{
    KT_EQ_INT(scan("https://cdn.example/a.png?w=1,2 1x, /b.png#frag 2x", true), 0);
    KT_EQ_INT(L.n, 2);
    REF(0, "https://cdn.example/a.png?w=1,2", "https://cdn.example/a.png?w=1,2");
    REF(1, "/b.png#frag", "/b.png#frag");
}

int
main(void)
{
    KT_RUN(t_density, "srcset with 1x, 2x gives one ref per URL");
    KT_RUN(t_width, "srcset with width descriptors gives one ref per URL");
    KT_RUN(t_kind_flags_tag_end, "srcset refs carry the kind, the SRCSET flag and tag_end");
    KT_RUN(t_no_descriptor, "a srcset URL without descriptor is a ref");
    KT_RUN(t_extra_commas_whitespace, "extra commas and whitespace between candidates are skipped");
    KT_RUN(t_trailing_comma, "commas ending a URL are not part of it");
    KT_RUN(t_inner_comma, "a comma inside a URL without whitespace stays in the URL");
    KT_RUN(t_data_url, "a data URL with commas is one candidate");
    KT_RUN(t_data_url_trailing_comma, "a data URL followed by a comma loses only that comma");
    KT_RUN(t_empty, "an empty or all-separator srcset gives no refs and no error");
    KT_RUN(t_entities, "with html_entities the url is decoded and the span raw");
    KT_RUN(t_no_entities, "without html_entities the url is the raw text");
    KT_RUN(t_base_line0, "spans are offset by base and lines by line0");
    KT_RUN(t_parens, "a comma inside parenthesised descriptors does not split");
    KT_RUN(t_unclosed_paren, "an unclosed parenthesis swallows the rest of the srcset");
    KT_RUN(t_newline_separators, "newlines and tabs separate URLs and descriptors");
    KT_RUN(t_absolute_and_query, "absolute URLs, queries and fragments are kept whole");
    kb_reflist_free(&L);
    return kt_done();
}
