/*
 * kb_js_scan: import/export-from, import(), new URL(..., import.meta.url) and
 * sourceMappingURL references with exact spans; the tokenizer traps (regex
 * versus division, templates, comments) that must not create or hide refs;
 * slice offsets; errors with lines.
 */
#include "builder/refs/ref.h"
#include "common/error.h"
#include "tests/kt.h"
#include "tests/unit/ref_assert.h"

#include <stdlib.h>

static struct kb_reflist refs;
static struct kc_diag diag;

/* Whether scan() keeps the names (KB_REF_JS_NAME) strings give: most tests
 * are about the loads, and t_strings_that_name_files about the names. */
static bool keep_names;

/* Scans a whole file (base 0, line 1) into the global list. */
static int
scan_mode(const char *src, bool module)
{
    kb_reflist_free(&refs);
    memset(&diag, 0, sizeof diag);
    int rc = kb_js_scan(src, strlen(src), 0, 1, module, &refs, &diag);
    size_t o = 0;
    for (size_t i = 0; i < refs.n; i++) {
        if (refs.v[i].kind == KB_REF_JS_NAME && !keep_names)
            free(refs.v[i].url);
        else
            refs.v[o++] = refs.v[i];
    }
    refs.n = o;
    return rc;
}

static int
scan(const char *src)
{
    return scan_mode(src, true);
}

/* Ref i has this kind, raw span text in src and decoded url. */
#define REF(src, i, kind, span, url) KT_REF(refs, src, i, kind, span, url)

/* src scans cleanly and yields exactly one import("./a.js"): used to prove
 * that whatever precedes it was tokenized right (a wrong regex/division
 * guess turns the quotes after it into an unterminated string). */
#define ONLY_DYNAMIC_A(src)                                                                        \
    do {                                                                                           \
        KT_EQ_INT(scan(src), 0);                                                                   \
        KT_EQ_INT(refs.n, 1);                                                                      \
        REF(src, 0, KB_REF_JS_DYNAMIC, "./a.js", "./a.js");                                        \
    } while (0)

static void
t_static_import_forms(void)
{
    const char *src = "import x from \"./a.js\";\n"
                      "import {a as b} from './b.js'\n"
                      "import * as ns from \"./c.js\";\n"
                      "import \"./d.js\";\n"
                      "import x2, {y} from \"./e.js\";\n"
                      "import {from} from \"./f.js\";\n"
                      "import {\"a-b\" as ab} from \"./g.js\";\n";
    KT_EQ_INT(scan(src), 0);
    KT_EQ_INT(refs.n, 7);
    REF(src, 0, KB_REF_JS_IMPORT, "./a.js", "./a.js");
    REF(src, 1, KB_REF_JS_IMPORT, "./b.js", "./b.js");
    REF(src, 2, KB_REF_JS_IMPORT, "./c.js", "./c.js");
    REF(src, 3, KB_REF_JS_IMPORT, "./d.js", "./d.js");
    REF(src, 4, KB_REF_JS_IMPORT, "./e.js", "./e.js");
    REF(src, 5, KB_REF_JS_IMPORT, "./f.js", "./f.js");
    REF(src, 6, KB_REF_JS_IMPORT, "./g.js", "./g.js");
    KT_EQ_INT(refs.v[3].line, 4);
}

static void
t_import_attributes_are_not_references(void)
{
    const char *src = "import json from \"./d.json\" with { type: \"json\" };";
    KT_EQ_INT(scan(src), 0);
    KT_EQ_INT(refs.n, 1);
    REF(src, 0, KB_REF_JS_IMPORT, "./d.json", "./d.json");
}

static void
t_export_from_forms(void)
{
    const char *src = "export * from \"./a.js\";\nexport * as n from './b.js';\n"
                      "export {a, b as c} from \"./c.js\";\nexport { default } from './d.js'";
    KT_EQ_INT(scan(src), 0);
    KT_EQ_INT(refs.n, 4);
    REF(src, 0, KB_REF_JS_IMPORT, "./a.js", "./a.js");
    REF(src, 1, KB_REF_JS_IMPORT, "./b.js", "./b.js");
    REF(src, 2, KB_REF_JS_IMPORT, "./c.js", "./c.js");
    REF(src, 3, KB_REF_JS_IMPORT, "./d.js", "./d.js");
}

static void
t_exports_without_from_are_not_references(void)
{
    const char *src = "export default \"./a.js\";\nexport const from = \"./b.js\";\n"
                      "export {a}; x = \"./c.js\";";
    KT_EQ_INT(scan(src), 0);
    KT_EQ_INT(refs.n, 0);
}

static void
t_static_imports_are_not_reported_in_classic_scripts(void)
{
    const char *src = "import x from \"./a.js\"; export * from './b.js'; import('./c.js')";
    KT_EQ_INT(scan_mode(src, false), 0);
    KT_EQ_INT(refs.n, 1);
    REF(src, 0, KB_REF_JS_DYNAMIC, "./c.js", "./c.js");
}

static void
t_property_named_import_is_not_an_import(void)
{
    const char *src = "obj.import(\"./a.js\"); o?.import('./b.js'); x = { import: \"./c.js\" };\n"
                      "a = import.meta; b = obj.\nimport \"./d.js\"";
    KT_EQ_INT(scan(src), 0);
    KT_EQ_INT(refs.n, 0);
}

static void
t_dynamic_import_literals(void)
{
    const char *src = "import(\"./a.js\"); import('./b.js'); import(`./c.js`);\n"
                      "import(\"./d.json\", { with: { type: \"json\" } });\n"
                      "import( /* why */ './e.js' )";
    KT_EQ_INT(scan_mode(src, false), 0);
    KT_EQ_INT(refs.n, 5);
    REF(src, 0, KB_REF_JS_DYNAMIC, "./a.js", "./a.js");
    REF(src, 1, KB_REF_JS_DYNAMIC, "./b.js", "./b.js");
    REF(src, 2, KB_REF_JS_DYNAMIC, "./c.js", "./c.js");
    REF(src, 3, KB_REF_JS_DYNAMIC, "./d.json", "./d.json");
    REF(src, 4, KB_REF_JS_DYNAMIC, "./e.js", "./e.js");
    KT_EQ_INT(refs.v[4].line, 3);
}

static void
t_non_literal_dynamic_import_is_not_reported(void)
{
    const char *src = "import(x); import(`./${x}.js`); import(\"./a\" + b); import(('./c.js'))";
    KT_EQ_INT(scan(src), 0);
    /* Not loads; only the literal starts, as prefixes (t_computed_import_prefixes). */
    KT_EQ_INT(refs.n, 2);
    REF(src, 0, KB_REF_JS_PREFIX, "./", "./");
    REF(src, 1, KB_REF_JS_PREFIX, "./a", "./a");
}

static void
t_new_url_with_import_meta_url(void)
{
    const char *src = "const u = new URL(\"./img/a.png\", import.meta.url);\n"
                      "new /* c */ URL ( './b.wasm' , import . meta . url , )";
    KT_EQ_INT(scan(src), 0);
    KT_EQ_INT(refs.n, 2);
    REF(src, 0, KB_REF_JS_URL, "./img/a.png", "./img/a.png");
    REF(src, 1, KB_REF_JS_URL, "./b.wasm", "./b.wasm");
    KT_EQ_INT(refs.v[1].line, 2);
}

static void
t_new_url_with_other_base_is_not_reported(void)
{
    const char *src = "new URL('./a', location); new URL('./b'); new URL('./c', import.meta);"
                      "new URL('./d', import.meta.url.x); new x.URL('./e', import.meta.url)";
    KT_EQ_INT(scan(src), 0);
    KT_EQ_INT(refs.n, 0);
}

static void
t_source_map_comments(void)
{
    const char *src = "f();\n//# sourceMappingURL=app.js.map  \n//@ sourceMappingURL=old.map\n"
                      "// sourceMappingURL=not.map\n";
    KT_EQ_INT(scan(src), 0);
    KT_EQ_INT(refs.n, 2);
    REF(src, 0, KB_REF_SOURCEMAP, "app.js.map", "app.js.map");
    REF(src, 1, KB_REF_SOURCEMAP, "old.map", "old.map");
    KT_EQ_INT(refs.v[0].line, 2);
}

static void
t_source_map_comment_inside_a_pattern_keeps_refs_in_order(void)
{
    const char *src = "new URL('./a.png', //# sourceMappingURL=x.map\n import.meta.url)";
    KT_EQ_INT(scan(src), 0);
    KT_EQ_INT(refs.n, 2);
    REF(src, 0, KB_REF_JS_URL, "./a.png", "./a.png");
    REF(src, 1, KB_REF_SOURCEMAP, "x.map", "x.map");
    KT_EQ_INT(refs.v[1].line, 1);
}

static void
t_import_text_in_strings_comments_templates_regexes_is_not_a_reference(void)
{
    const char *src = "s = 'import \"./a.js\"'; t = \"new URL('./b', import.meta.url)\";\n"
                      "// import('./c.js')\n/* import \"./d.js\" */\n"
                      "u = `import('./e.js')`; r = /import(\"\\.\\/f.js\")/g;";
    KT_EQ_INT(scan(src), 0);
    KT_EQ_INT(refs.n, 0);
}

static void
t_imports_inside_template_substitutions_count(void)
{
    const char *src = "x = `a ${import(\"./a.js\")} b ${ {k: `c${new URL('./i.png', "
                      "import.meta.url)}`} } d`;";
    KT_EQ_INT(scan(src), 0);
    KT_EQ_INT(refs.n, 2);
    REF(src, 0, KB_REF_JS_DYNAMIC, "./a.js", "./a.js");
    REF(src, 1, KB_REF_JS_URL, "./i.png", "./i.png");
}

static void
t_string_with_backtick_inside_template_substitution(void)
{
    ONLY_DYNAMIC_A("x = `a${\"`\" + '}'}b` + '/'; import(\"./a.js\")");
}

static void
t_nested_templates_and_braces_in_substitutions(void)
{
    ONLY_DYNAMIC_A("x = `a${`b${c}d${ {e: {f: 1}} }`}g`; y = 1 / 2; import('./a.js')");
}

static void
t_regex_literal_containing_a_quote_does_not_start_a_string(void)
{
    ONLY_DYNAMIC_A("x = /\"/; y = /'/g; import(\"./a.js\")");
}

static void
t_regex_with_slash_in_class_and_escaped_slash(void)
{
    ONLY_DYNAMIC_A("x = /[/\"]\\/'/.test(s); import(\"./a.js\")");
}

static void
t_division_chain_is_not_a_regex(void)
{
    ONLY_DYNAMIC_A("n = a / b / c; s = '/'; import('./a.js')");
}

static void
t_division_then_dynamic_import(void)
{
    ONLY_DYNAMIC_A("x = y / 2; import(\"./a.js\")");
}

static void
t_regex_after_block_closing_brace(void)
{
    ONLY_DYNAMIC_A("function f() {}\n/\"/.test(s); import(\"./a.js\")");
}

static void
t_division_after_object_literal_brace(void)
{
    ONLY_DYNAMIC_A("x = {a: 1} / 2; y = '/'; import('./a.js')");
}

static void
t_division_after_closing_paren(void)
{
    ONLY_DYNAMIC_A("x = (a + b) / 2; y = '/'; import('./a.js')");
}

static void
t_regex_after_if_condition(void)
{
    ONLY_DYNAMIC_A("if (x) /\"/.test(s); while (y) /'/.exec(t); import(\"./a.js\")");
}

static void
t_regex_after_expression_keywords(void)
{
    ONLY_DYNAMIC_A("function f() { return /\"/.test(s) } typeof /'/; import(\"./a.js\")");
}

static void
t_keyword_after_dot_is_a_property_so_slash_divides(void)
{
    ONLY_DYNAMIC_A("x = a.return / 2; y = '/'; z = b.if(1) / 3; w = '/'; import('./a.js')");
}

static void
t_numbers_end_expressions(void)
{
    ONLY_DYNAMIC_A("a = 1_000 / 2; b = .5 / 2; c = 0x1F / 2; d = 1e-3 / 2; e = 10n / 2; "
                   "f = 1..toString() / 2; s = '/'; import('./a.js')");
}

static void
t_postfix_increment_then_division(void)
{
    ONLY_DYNAMIC_A("a++ / 2; b-- / 3; s = '/'; import('./a.js')");
}

static void
t_identifiers_with_escapes_and_non_ascii(void)
{
    ONLY_DYNAMIC_A("caf\\u00e9 / 2; caf\xc3\xa9 / 3; this.#p / 4; $_ / 5; s = '/'; "
                   "import('./a.js')");
}

static void
t_escaped_keyword_is_an_identifier(void)
{
    const char *src = "\\u0069mport(\"./x.js\"); x = ret\\u0075rn / 2; s = '/'; import('./a.js')";
    ONLY_DYNAMIC_A(src);
}

static void
t_hashbang_is_skipped(void)
{
    ONLY_DYNAMIC_A("#!/usr/bin/env node '\nimport('./a.js')");
}

static void
t_string_escapes_are_decoded_span_stays_raw(void)
{
    const char *src = "import('./\\u0061\\x2e\\\njs'); import(\"./\\u{1F600}\\\r\n.js\");"
                      "import('\\uD83D\\uDE00')";
    KT_EQ_INT(scan(src), 0);
    KT_EQ_INT(refs.n, 3);
    REF(src, 0, KB_REF_JS_DYNAMIC, "./\\u0061\\x2e\\\njs", "./a.js");
    REF(src, 1, KB_REF_JS_DYNAMIC, "./\\u{1F600}\\\r\n.js", "./\xF0\x9F\x98\x80.js");
    REF(src, 2, KB_REF_JS_DYNAMIC, "\\uD83D\\uDE00", "\xF0\x9F\x98\x80");
    KT_EQ_INT(refs.v[1].line, 2);
}

static void
t_template_literals_are_literal_specifiers(void)
{
    /* A template without substitutions is a literal wherever a string is
     * (Vite 8 writes every lazy route so): import() and new URL(). Its url is
     * the cooked value (escapes decoded, CR and CRLF read as LF), its span
     * the raw text between the backticks. */
    const char *src = "const r = () => import(`./About-CHf2AwwH.js`);\n"
                      "import(`./\\u0041\\x62\\`c.js`, { with: {} });\n"
                      "new URL(`./img/logo.svg#\\u0060x`, import.meta.url);\n"
                      "import(`./a\r\nb.js`); import(`./d.js`\n)";
    KT_EQ_INT(scan(src), 0);
    KT_EQ_INT(refs.n, 5);
    REF(src, 0, KB_REF_JS_DYNAMIC, "./About-CHf2AwwH.js", "./About-CHf2AwwH.js");
    REF(src, 1, KB_REF_JS_DYNAMIC, "./\\u0041\\x62\\`c.js", "./Ab`c.js");
    REF(src, 2, KB_REF_JS_URL, "./img/logo.svg#\\u0060x", "./img/logo.svg#`x");
    REF(src, 3, KB_REF_JS_DYNAMIC, "./a\r\nb.js", "./a\nb.js");
    REF(src, 4, KB_REF_JS_DYNAMIC, "./d.js", "./d.js");
    KT_EQ_INT(refs.v[2].line, 3);
    KT_EQ_INT(refs.v[4].line, 5);
}

static void
t_strings_that_name_files(void)
{
    /* A string or plain template that looks like a file path is a name code
     * may load (Vite's preload list, a runtime hash map's values); a string a
     * matcher takes is that load only, never both. */
    const char *src =
        "const d = [\"assets/About-D5GR_shx.css\", 'assets/x.js'];\n"
        "import(\"./a.js\"); fetch(`/data/menu.json?v=2`); import y from './b.js';\n"
        "s = 'hello world.js'; t = 'a.b'; u = 'https://x.test/a.js'; v = '//cdn/a.js';\n"
        "w = 'x/y'; z = 'index.md'; q = '<a.js>'; r = 'data:x.png'; e = '.js'; f = 'a/.x';\n"
        "new URL(\"./img/a.svg\", import.meta.url); k = `a/${b}.js`;";
    keep_names = true;
    KT_EQ_INT(scan(src), 0);
    keep_names = false;
    KT_EQ_INT(refs.n, 8);
    REF(src, 0, KB_REF_JS_NAME, "assets/About-D5GR_shx.css", "assets/About-D5GR_shx.css");
    REF(src, 1, KB_REF_JS_NAME, "assets/x.js", "assets/x.js");
    REF(src, 2, KB_REF_JS_DYNAMIC, "./a.js", "./a.js");
    REF(src, 3, KB_REF_JS_NAME, "/data/menu.json?v=2", "/data/menu.json?v=2");
    REF(src, 4, KB_REF_JS_IMPORT, "./b.js", "./b.js");
    REF(src, 5, KB_REF_JS_NAME, "a.b", "a.b");
    REF(src, 6, KB_REF_JS_NAME, "index.md", "index.md");
    REF(src, 7, KB_REF_JS_URL, "./img/a.svg", "./img/a.svg");
}

static void
t_computed_import_prefixes(void)
{
    /* The literal start of a computed import() specifier: the modules it may
     * load keep their names. Only a template's first piece, or a string
     * followed by '+'. */
    const char *src = "import(`./pages/${p}.js`); import('./routes/' + r);\n"
                      "import(`${x}/a.js`); import(x + './b/'); import(`./c/${a}/${b}`);";
    KT_EQ_INT(scan(src), 0);
    KT_EQ_INT(refs.n, 3);
    REF(src, 0, KB_REF_JS_PREFIX, "./pages/", "./pages/");
    REF(src, 1, KB_REF_JS_PREFIX, "./routes/", "./routes/");
    REF(src, 2, KB_REF_JS_PREFIX, "./c/", "./c/");
    KT_EQ_INT(refs.v[2].line, 2);
}

static void
t_template_literals_never_static_imports(void)
{
    /* `import x from \`./a.js\`` is a syntax error: no static ref; a tagged
     * template or one with a substitution is computed. */
    const char *src = "import x from `./a.js`; export * from `./b.js`;\n"
                      "import(t`./c.js`); import(`./${d}.js`); new URL(`${e}`, import.meta.url);";
    KT_EQ_INT(scan(src), 0);
    KT_EQ_INT(refs.n, 1);
    REF(src, 0, KB_REF_JS_PREFIX, "./", "./"); /* a prefix, not a load */
}

static void
t_base_and_line0_offset_refs_of_a_slice(void)
{
    const char *file = "<script type=module>\nimport './a.js'</script>";
    kb_reflist_free(&refs);
    KT_EQ_INT(kb_js_scan(file + 20, 16, 20, 5, true, &refs, &diag), 0);
    KT_EQ_INT(refs.n, 1);
    REF(file, 0, KB_REF_JS_IMPORT, "./a.js", "./a.js");
    KT_EQ_INT(refs.v[0].line, 6);
}

static void
t_unterminated_string_is_an_error_at_its_line(void)
{
    KT_EQ_INT(scan("a();\nb('x\n');"), KC_EPARSE);
    KT_EQ_INT(diag.line, 2);
    KT_EQ_INT(diag.col, 3);
    KT_CHECK(strstr(diag.msg, "string") != NULL);
}

static void
t_unterminated_template_is_an_error(void)
{
    KT_EQ_INT(scan("a();\n\nx = `abc\n${y}\ndef"), KC_EPARSE);
    KT_EQ_INT(diag.line, 4);
    KT_CHECK(strstr(diag.msg, "template") != NULL);
    KT_EQ_INT(scan("x = `abc"), KC_EPARSE);
    KT_EQ_INT(diag.line, 1);
    KT_EQ_INT(diag.col, 5);
}

static void
t_unterminated_block_comment_is_an_error(void)
{
    KT_EQ_INT(scan("a();\n\n\n/* x"), KC_EPARSE);
    KT_EQ_INT(diag.line, 4);
    KT_CHECK(strstr(diag.msg, "comment") != NULL);
}

static void
t_unterminated_regex_is_an_error(void)
{
    KT_EQ_INT(scan("a();\nx = /abc\n/;"), KC_EPARSE);
    KT_EQ_INT(diag.line, 2);
    KT_EQ_INT(diag.col, 5);
    KT_CHECK(strstr(diag.msg, "regular expression") != NULL);
    KT_EQ_INT(scan("x = /[/]"), KC_EPARSE);
}

static void
t_error_line_is_offset_by_line0_and_list_is_left_unchanged(void)
{
    const char *src = "import('./ok.js');\n'x";
    kb_reflist_free(&refs);
    KT_EQ_INT(kb_js_scan(src, strlen(src), 50, 7, false, &refs, &diag), KC_EPARSE);
    KT_EQ_INT(diag.line, 8);
    KT_EQ_INT(refs.n, 0);
}

static void
t_unbalanced_brackets_are_tolerated(void)
{
    ONLY_DYNAMIC_A("}})) ]] ((( {{ import('./a.js')");
}

int
main(void)
{
    KT_RUN(t_static_import_forms, "every static import form is a JS import ref");
    KT_RUN(t_import_attributes_are_not_references, "import attributes' strings are not references");
    KT_RUN(t_export_from_forms, "export * / * as / {..} from are JS import refs");
    KT_RUN(t_exports_without_from_are_not_references,
           "export without from does not make strings references");
    KT_RUN(t_static_imports_are_not_reported_in_classic_scripts,
           "classic script: static imports ignored, import() reported");
    KT_RUN(t_property_named_import_is_not_an_import,
           "obj.import(), { import: }, import.meta are not imports");
    KT_RUN(t_dynamic_import_literals, "import() with a string or plain template is dynamic");
    KT_RUN(t_non_literal_dynamic_import_is_not_reported,
           "import(x), import(`${x}`), import('a' + b) are not reported");
    KT_RUN(t_new_url_with_import_meta_url, "new URL(lit, import.meta.url) is a JS URL ref");
    KT_RUN(t_new_url_with_other_base_is_not_reported,
           "new URL with another base, or x.URL, is not reported");
    KT_RUN(t_source_map_comments, "//# and //@ sourceMappingURL are reported, trimmed");
    KT_RUN(t_source_map_comment_inside_a_pattern_keeps_refs_in_order,
           "refs stay in order when a sourcemap comment sits inside new URL()");
    KT_RUN(t_import_text_in_strings_comments_templates_regexes_is_not_a_reference,
           "import text in strings, comments, templates and regexes is not a ref");
    KT_RUN(t_imports_inside_template_substitutions_count,
           "import() and new URL() inside ${} are references");
    KT_RUN(t_string_with_backtick_inside_template_substitution,
           "a string with a backtick inside ${} does not end the template");
    KT_RUN(t_nested_templates_and_braces_in_substitutions,
           "nested templates and object braces inside ${} are tracked");
    KT_RUN(t_regex_literal_containing_a_quote_does_not_start_a_string,
           "regex literal containing a quote does not start a string");
    KT_RUN(t_regex_with_slash_in_class_and_escaped_slash,
           "regex with '/' in a class and an escaped '/' is one token");
    KT_RUN(t_division_chain_is_not_a_regex, "a / b / c is division");
    KT_RUN(t_division_then_dynamic_import, "x = y / 2; import(\"./a.js\") is found");
    KT_RUN(t_regex_after_block_closing_brace, "'}' closing a block then '/' starts a regex");
    KT_RUN(t_division_after_object_literal_brace, "'}' closing an object literal then '/' divides");
    KT_RUN(t_division_after_closing_paren, "')' then '/' divides");
    KT_RUN(t_regex_after_if_condition, "if (x) /re/ and while (y) /re/ are regexes");
    KT_RUN(t_regex_after_expression_keywords, "return /re/ and typeof /re/ are regexes");
    KT_RUN(t_keyword_after_dot_is_a_property_so_slash_divides,
           "a.return / 2 and b.if(1) / 3 divide");
    KT_RUN(t_numbers_end_expressions, "1_000, .5, 0x1F, 1e-3, 10n and 1. end expressions");
    KT_RUN(t_postfix_increment_then_division, "a++ / 2 divides");
    KT_RUN(t_identifiers_with_escapes_and_non_ascii,
           "\\u escapes, non-ASCII and #private names are identifiers");
    KT_RUN(t_escaped_keyword_is_an_identifier, "an escaped keyword is a plain identifier");
    KT_RUN(t_hashbang_is_skipped, "a #! line at the start is skipped");
    KT_RUN(t_template_literals_are_literal_specifiers,
           "a template without substitutions is a literal in import() and new URL(), cooked");
    KT_RUN(t_template_literals_never_static_imports,
           "a template is never a static import's specifier; tagged or substituted is computed");
    KT_RUN(t_string_escapes_are_decoded_span_stays_raw,
           "string escapes and continuations are decoded, span stays raw");
    KT_RUN(t_base_and_line0_offset_refs_of_a_slice, "base and line0 offset spans and lines");
    KT_RUN(t_unterminated_string_is_an_error_at_its_line,
           "unterminated string is KC_EPARSE at its line and column");
    KT_RUN(t_unterminated_template_is_an_error, "unterminated template literal is an error");
    KT_RUN(t_unterminated_block_comment_is_an_error, "unterminated block comment is an error");
    KT_RUN(t_unterminated_regex_is_an_error, "unterminated regex literal is an error");
    KT_RUN(t_error_line_is_offset_by_line0_and_list_is_left_unchanged,
           "error line counts from line0 and no refs are left behind");
    KT_RUN(t_unbalanced_brackets_are_tolerated, "unbalanced brackets are tolerated");
    KT_RUN(t_computed_import_prefixes,
           "a computed import()'s literal start is a prefix: a template's first piece, a string "
           "before '+'");
    KT_RUN(t_strings_that_name_files,
           "a string that looks like a file path is a name, unless a matcher takes it as a load");
    kb_reflist_free(&refs);
    return kt_done();
}
