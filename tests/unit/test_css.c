/*
 * kb_css_scan: which CSS constructs are references, their exact raw spans
 * and decoded URLs, slice offsets (base, line0), and the errors with lines.
 */
#include "builder/refs/ref.h"
#include "common/error.h"
#include "tests/kt.h"
#include "tests/unit/ref_assert.h"

#include <stdlib.h>

static struct kb_reflist refs;
static struct kc_diag diag;

/* Scans a whole file (base 0, line 1) into the global list. */
static int
scan(const char *src)
{
    kb_reflist_free(&refs);
    memset(&diag, 0, sizeof diag);
    return kb_css_scan(src, strlen(src), 0, 1, &refs, &diag);
}

/* Ref i has this kind, raw span text in src and decoded url. */
#define REF(src, i, kind, span, url) KT_REF(refs, src, i, kind, span, url)

static void
t_unquoted_url_trims_whitespace(void)
{
    const char *src = "a { background: url( a.png ) }";
    KT_EQ_INT(scan(src), 0);
    KT_EQ_INT(refs.n, 1);
    REF(src, 0, KB_REF_CSS_URL, "a.png", "a.png");
    KT_EQ_INT(refs.v[0].line, 1);
}

static void
t_double_quoted_url_keeps_spaces(void)
{
    const char *src = "a{b:url(\"a b.png\")}";
    KT_EQ_INT(scan(src), 0);
    KT_EQ_INT(refs.n, 1);
    REF(src, 0, KB_REF_CSS_URL, "a b.png", "a b.png");
}

static void
t_single_quoted_url(void)
{
    const char *src = "a{b:url( 'x' )}";
    KT_EQ_INT(scan(src), 0);
    KT_EQ_INT(refs.n, 1);
    REF(src, 0, KB_REF_CSS_URL, "x", "x");
}

static void
t_hex_escapes_in_unquoted_url_are_decoded(void)
{
    const char *src = "a{b:url(a\\28 1\\29.png)}";
    KT_EQ_INT(scan(src), 0);
    KT_EQ_INT(refs.n, 1);
    REF(src, 0, KB_REF_CSS_URL, "a\\28 1\\29.png", "a(1).png");
}

static void
t_escape_whitespace_at_end_of_unquoted_url_is_in_span(void)
{
    const char *src = "a{b:url(a\\62 )}";
    KT_EQ_INT(scan(src), 0);
    KT_EQ_INT(refs.n, 1);
    REF(src, 0, KB_REF_CSS_URL, "a\\62 ", "ab");
}

static void
t_escaped_quote_and_newline_in_string_url(void)
{
    const char *src = "a{b:url(\"a\\\"b\\\nc.png\")}";
    KT_EQ_INT(scan(src), 0);
    KT_EQ_INT(refs.n, 1);
    REF(src, 0, KB_REF_CSS_URL, "a\\\"b\\\nc.png", "a\"bc.png");
}

static void
t_url_function_name_is_case_insensitive_and_may_be_escaped(void)
{
    const char *src = "a{b:URL(a.png);c:u\\72l(b.png)}";
    KT_EQ_INT(scan(src), 0);
    KT_EQ_INT(refs.n, 2);
    REF(src, 0, KB_REF_CSS_URL, "a.png", "a.png");
    REF(src, 1, KB_REF_CSS_URL, "b.png", "b.png");
}

static void
t_other_function_ending_in_url_is_not_a_reference(void)
{
    const char *src = "a{b:myurl(x.png);c:#url(y.png);d:1url(z.png)}";
    KT_EQ_INT(scan(src), 0);
    KT_EQ_INT(refs.n, 0);
}

static void
t_import_forms_give_one_import_ref_each(void)
{
    const char *src = "@import \"x.css\";\n"
                      "@import url(y.css) screen;\n"
                      "@import 'z' layer(base) supports(display:grid);\n"
                      "@IMPORT url(\"w.css\") print;\n";
    KT_EQ_INT(scan(src), 0);
    KT_EQ_INT(refs.n, 4);
    REF(src, 0, KB_REF_CSS_IMPORT, "x.css", "x.css");
    REF(src, 1, KB_REF_CSS_IMPORT, "y.css", "y.css");
    REF(src, 2, KB_REF_CSS_IMPORT, "z", "z");
    REF(src, 3, KB_REF_CSS_IMPORT, "w.css", "w.css");
    KT_EQ_INT(refs.v[3].line, 4);
}

static void
t_strings_later_in_import_prelude_are_not_references(void)
{
    const char *src = "@import 'a.css' supports(content: \"b.css\") \"c.css\";";
    KT_EQ_INT(scan(src), 0);
    KT_EQ_INT(refs.n, 1);
    REF(src, 0, KB_REF_CSS_IMPORT, "a.css", "a.css");
}

static void
t_comment_between_import_and_url_is_skipped(void)
{
    const char *src = "@import /* x.css */ 'a.css';";
    KT_EQ_INT(scan(src), 0);
    KT_EQ_INT(refs.n, 1);
    REF(src, 0, KB_REF_CSS_IMPORT, "a.css", "a.css");
}

static void
t_image_set_strings_and_urls_are_references(void)
{
    const char *src = "a{b:image-set(\"a.png\" 1x, url(b.png) 2x, 'c.avif' type(\"image/avif\"));"
                      "c:-webkit-image-set('d.png' 1x)}";
    KT_EQ_INT(scan(src), 0);
    KT_EQ_INT(refs.n, 4);
    REF(src, 0, KB_REF_CSS_URL, "a.png", "a.png");
    REF(src, 1, KB_REF_CSS_URL, "b.png", "b.png");
    REF(src, 2, KB_REF_CSS_URL, "c.avif", "c.avif");
    REF(src, 3, KB_REF_CSS_URL, "d.png", "d.png");
}

static void
t_strings_outside_url_contexts_are_not_references(void)
{
    const char *src = "a::after{content:\"url(x)\";font-family:\"x.woff\"}"
                      "b{background:url(\"y.png\" \"z.png\")}";
    KT_EQ_INT(scan(src), 0);
    KT_EQ_INT(refs.n, 1);
    REF(src, 0, KB_REF_CSS_URL, "y.png", "y.png");
}

static void
t_font_face_src_gives_two_refs_not_format_strings(void)
{
    const char *src =
        "@font-face {\n  font-family: F;\n"
        "  src: url(f.woff2) format(\"woff2\"),\n       url(f.woff) format(\"woff\")\n}";
    KT_EQ_INT(scan(src), 0);
    KT_EQ_INT(refs.n, 2);
    REF(src, 0, KB_REF_CSS_URL, "f.woff2", "f.woff2");
    REF(src, 1, KB_REF_CSS_URL, "f.woff", "f.woff");
    KT_EQ_INT(refs.v[0].line, 3);
    KT_EQ_INT(refs.v[1].line, 4);
}

static void
t_source_map_comment_span_is_the_url_only(void)
{
    const char *src = "a{}\n/*# sourceMappingURL=site.css.map */\n";
    KT_EQ_INT(scan(src), 0);
    KT_EQ_INT(refs.n, 1);
    REF(src, 0, KB_REF_SOURCEMAP, "site.css.map", "site.css.map");
    KT_EQ_INT(refs.v[0].line, 2);
}

static void
t_url_inside_a_comment_is_not_a_reference(void)
{
    const char *src = "/* a{b:url(x.png)} @import 'y.css'; */ c{d:url(z.png)}/**/";
    KT_EQ_INT(scan(src), 0);
    KT_EQ_INT(refs.n, 1);
    REF(src, 0, KB_REF_CSS_URL, "z.png", "z.png");
}

static void
t_data_fragment_and_external_urls_are_reported(void)
{
    const char *src = "a{b:url(data:image/png;base64,AAA=);c:url(#clip);"
                      "d:url(https://cdn.example/x.png);e:url()}";
    KT_EQ_INT(scan(src), 0);
    KT_EQ_INT(refs.n, 4);
    REF(src, 0, KB_REF_CSS_URL, "data:image/png;base64,AAA=", "data:image/png;base64,AAA=");
    REF(src, 1, KB_REF_CSS_URL, "#clip", "#clip");
    REF(src, 2, KB_REF_CSS_URL, "https://cdn.example/x.png", "https://cdn.example/x.png");
    REF(src, 3, KB_REF_CSS_URL, "", "");
}

static void
t_style_attribute_declaration_list_without_braces(void)
{
    const char *src = "color: red; background: url(bg.png) no-repeat";
    KT_EQ_INT(scan(src), 0);
    KT_EQ_INT(refs.n, 1);
    REF(src, 0, KB_REF_CSS_URL, "bg.png", "bg.png");
}

static void
t_unbalanced_braces_are_tolerated(void)
{
    const char *src = "}} a { b: url(c.png) ) ] }}} { d: image-set('e.png' 1x";
    KT_EQ_INT(scan(src), 0);
    KT_EQ_INT(refs.n, 2);
    REF(src, 0, KB_REF_CSS_URL, "c.png", "c.png");
    REF(src, 1, KB_REF_CSS_URL, "e.png", "e.png");
}

static void
t_closing_brace_ends_an_unclosed_image_set(void)
{
    const char *src = "a{b:image-set('a.png' 1x}c{content:'not-a-url'}";
    KT_EQ_INT(scan(src), 0);
    KT_EQ_INT(refs.n, 1);
    REF(src, 0, KB_REF_CSS_URL, "a.png", "a.png");
}

static void
t_base_and_line0_offset_refs_of_a_slice(void)
{
    const char *file = "<style>\nb{c:url(x.png)}</style>";
    const char *slice = file + 7;
    kb_reflist_free(&refs);
    KT_EQ_INT(kb_css_scan(slice, 16, 7, 3, &refs, &diag), 0);
    KT_EQ_INT(refs.n, 1);
    REF(file, 0, KB_REF_CSS_URL, "x.png", "x.png");
    KT_EQ_INT(refs.v[0].line, 4);
}

static void
t_unterminated_comment_is_an_error_at_its_line(void)
{
    KT_EQ_INT(scan("a{}\n\nb{} /* never closed"), KC_EPARSE);
    KT_EQ_INT(diag.line, 3);
    KT_EQ_INT(diag.col, 5);
    KT_CHECK(strstr(diag.msg, "comment") != NULL);
}

static void
t_newline_inside_string_is_unterminated_string(void)
{
    KT_EQ_INT(scan("a{}\nb{content:\"x\ny\"}"), KC_EPARSE);
    KT_EQ_INT(diag.line, 2);
    KT_CHECK(strstr(diag.msg, "unterminated string") != NULL);
}

static void
t_string_at_eof_is_unterminated_string(void)
{
    KT_EQ_INT(scan("a{}\n\n\n@import 'x.css"), KC_EPARSE);
    KT_EQ_INT(diag.line, 4);
    KT_CHECK(strstr(diag.msg, "unterminated string") != NULL);
}

static void
t_unterminated_url_at_eof_is_an_error(void)
{
    KT_EQ_INT(scan("a{}\nb{c:url( x.png  "), KC_EPARSE);
    KT_EQ_INT(diag.line, 2);
    KT_CHECK(strstr(diag.msg, "url(") != NULL);
}

static void
t_quote_inside_unquoted_url_is_a_bad_url(void)
{
    KT_EQ_INT(scan("a{}\n\nb{c:url(x\"y.png)}"), KC_EPARSE);
    KT_EQ_INT(diag.line, 3);
    KT_EQ_INT(diag.col, 10);
    KT_CHECK(strstr(diag.msg, "bad url") != NULL);
}

static void
t_paren_or_inner_space_inside_unquoted_url_is_a_bad_url(void)
{
    KT_EQ_INT(scan("a{b:url(x(1).png)}"), KC_EPARSE);
    KT_CHECK(strstr(diag.msg, "bad url") != NULL);
    KT_EQ_INT(scan("a{b:url(x y.png)}"), KC_EPARSE);
    KT_CHECK(strstr(diag.msg, "bad url") != NULL);
}

static void
t_error_line_is_offset_by_line0_and_list_is_left_unchanged(void)
{
    const char *src = "a{b:url(ok.png)}\nc{d:'x}";
    kb_reflist_free(&refs);
    KT_EQ_INT(kb_css_scan(src, strlen(src), 100, 10, &refs, &diag), KC_EPARSE);
    KT_EQ_INT(diag.line, 11);
    KT_EQ_INT(refs.n, 0);
}

static void
t_refs_are_appended_after_existing_ones(void)
{
    const char *src = "a{b:url(x.png)}";
    kb_reflist_free(&refs);
    struct kb_ref r = { 0 };
    KT_EQ_INT(kb_reflist_push(&refs, &r, "first", 5), 0);
    KT_EQ_INT(kb_css_scan(src, strlen(src), 0, 1, &refs, &diag), 0);
    KT_EQ_INT(refs.n, 2);
    REF(src, 1, KB_REF_CSS_URL, "x.png", "x.png");
}

static void
t_cdo_cdc_and_crlf_do_not_confuse_the_scanner(void)
{
    const char *src = "<!--\r\na{b:url(x.png)}\r\n-->";
    KT_EQ_INT(scan(src), 0);
    KT_EQ_INT(refs.n, 1);
    REF(src, 0, KB_REF_CSS_URL, "x.png", "x.png");
    KT_EQ_INT(refs.v[0].line, 2);
}

int
main(void)
{
    KT_RUN(t_unquoted_url_trims_whitespace, "unquoted url( a.png ) span excludes whitespace");
    KT_RUN(t_double_quoted_url_keeps_spaces, "url(\"a b.png\") span is inside the quotes");
    KT_RUN(t_single_quoted_url, "url('x') is a reference");
    KT_RUN(t_hex_escapes_in_unquoted_url_are_decoded,
           "hex escapes in an unquoted url are decoded, span stays raw");
    KT_RUN(t_escape_whitespace_at_end_of_unquoted_url_is_in_span,
           "whitespace ending an escape belongs to the url span");
    KT_RUN(t_escaped_quote_and_newline_in_string_url,
           "escaped quote and escaped newline in a quoted url are decoded");
    KT_RUN(t_url_function_name_is_case_insensitive_and_may_be_escaped,
           "URL( and u\\72l( are url tokens");
    KT_RUN(t_other_function_ending_in_url_is_not_a_reference,
           "myurl(), #url() and 1url() are not url tokens");
    KT_RUN(t_import_forms_give_one_import_ref_each, "each @import form gives one import ref");
    KT_RUN(t_strings_later_in_import_prelude_are_not_references,
           "only the first string of an @import prelude is a reference");
    KT_RUN(t_comment_between_import_and_url_is_skipped,
           "a comment after @import hides nothing and is no reference");
    KT_RUN(t_image_set_strings_and_urls_are_references,
           "strings and url() directly inside image-set() are references");
    KT_RUN(t_strings_outside_url_contexts_are_not_references,
           "content: \"url(x)\" and font-family strings are not references");
    KT_RUN(t_font_face_src_gives_two_refs_not_format_strings,
           "@font-face src gives two refs, format() strings none");
    KT_RUN(t_source_map_comment_span_is_the_url_only, "sourceMappingURL comment span is the URL");
    KT_RUN(t_url_inside_a_comment_is_not_a_reference, "url() inside a comment is not a reference");
    KT_RUN(t_data_fragment_and_external_urls_are_reported,
           "data:, #fragment, external and empty url() are all reported");
    KT_RUN(t_style_attribute_declaration_list_without_braces,
           "a style attribute (declarations, no braces) is scanned");
    KT_RUN(t_unbalanced_braces_are_tolerated, "unbalanced braces and parens are tolerated");
    KT_RUN(t_closing_brace_ends_an_unclosed_image_set,
           "a '}' closes an unclosed image-set() so later strings are not refs");
    KT_RUN(t_base_and_line0_offset_refs_of_a_slice, "base and line0 offset spans and lines");
    KT_RUN(t_unterminated_comment_is_an_error_at_its_line,
           "unterminated comment is KC_EPARSE at its line and column");
    KT_RUN(t_newline_inside_string_is_unterminated_string,
           "a newline inside a string is an unterminated string");
    KT_RUN(t_string_at_eof_is_unterminated_string, "a string cut by EOF is an unterminated string");
    KT_RUN(t_unterminated_url_at_eof_is_an_error, "url( cut by EOF is an error");
    KT_RUN(t_quote_inside_unquoted_url_is_a_bad_url, "a quote inside an unquoted url is a bad url");
    KT_RUN(t_paren_or_inner_space_inside_unquoted_url_is_a_bad_url,
           "'(' or inner whitespace in an unquoted url is a bad url");
    KT_RUN(t_error_line_is_offset_by_line0_and_list_is_left_unchanged,
           "error line counts from line0 and no refs are left behind");
    KT_RUN(t_refs_are_appended_after_existing_ones, "refs are appended after existing ones");
    KT_RUN(t_cdo_cdc_and_crlf_do_not_confuse_the_scanner, "<!-- --> and CRLF are harmless");
    kb_reflist_free(&refs);
    return kt_done();
}
