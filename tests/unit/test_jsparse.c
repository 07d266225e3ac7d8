/*
 * kb_jsast_parse and kb_jsast_scope: the tree's shape (as its S-expression
 * dump) for every kind of construct, the lexer's context traps, ASI, early
 * errors with their line and column, the nesting limit, and what scope
 * analysis resolves, exports and marks reassigned.
 */
#include "builder/js/ast.h"
#include "common/error.h"
#include "tests/kt.h"

#include <stdlib.h>

static struct kb_jsast ast;
static struct kc_diag diag;
static char dump[8192];

/* Parses (module or script) and analyses scopes; returns the error. */
static int
parse_mode(const char *src, bool module)
{
    kb_jsast_free(&ast);
    memset(&diag, 0, sizeof diag);
    int rc = kb_jsast_parse(src, strlen(src), module, &ast, &diag);
    if (rc == 0)
        rc = kb_jsast_scope(&ast, src, &diag);
    return rc;
}

/* The dump of the first statement's expression (or the statement). */
static const char *
first(const char *src, bool module)
{
    dump[0] = 0;
    if (parse_mode(src, module) != 0)
        return diag.msg;
    const struct kb_jsn *s = ast.program->a;
    kb_jsast_dump(s && s->kind == KB_JSN_EXPR_STMT ? s->a : s, dump, sizeof dump);
    return dump;
}

/* The dump of the whole program. */
static const char *
program(const char *src, bool module)
{
    dump[0] = 0;
    if (parse_mode(src, module) != 0)
        return diag.msg;
    kb_jsast_dump(ast.program, dump, sizeof dump);
    return dump;
}

#define EXPR(src, want)        KT_EQ_STR(first(src, true), want)
#define SCRIPT_EXPR(src, want) KT_EQ_STR(first(src, false), want)

/* src fails with a message containing msg at line:col. */
#define ERR_AT(src, module, line_, col_, want)                                                     \
    do {                                                                                           \
        KT_EQ_INT(parse_mode(src, module), KC_EPARSE);                                             \
        KT_EQ_INT(diag.line, line_);                                                               \
        KT_EQ_INT(diag.col, col_);                                                                 \
        if (!strstr(diag.msg, want))                                                               \
            KT_FAIL_("message \"%s\" lacks \"%s\"", diag.msg, want);                               \
    } while (0)

#define OK(src, module)  KT_EQ_STR(parse_mode(src, module) == 0 ? "ok" : diag.msg, "ok")
#define BAD(src, module) KT_EQ_INT(parse_mode(src, module), KC_EPARSE)

static void
t_precedence_and_associativity(void)
{
    EXPR("a + b * c", "(BINARY + (IDENT a) (BINARY * (IDENT b) (IDENT c)))");
    EXPR("a - b - c", "(BINARY - (BINARY - (IDENT a) (IDENT b)) (IDENT c))");
    EXPR("a ** b ** c", "(BINARY ** (IDENT a) (BINARY ** (IDENT b) (IDENT c)))");
    EXPR("a = b = c", "(ASSIGN = (IDENT a) (ASSIGN = (IDENT b) (IDENT c)))");
    EXPR("a || b && c", "(LOGICAL || (IDENT a) (LOGICAL && (IDENT b) (IDENT c)))");
    EXPR("a ? b : c ? d : e", "(COND (IDENT a) (IDENT b) (COND (IDENT c) (IDENT d) (IDENT e)))");
    EXPR("a ?\?= b", "(ASSIGN ?\?= (IDENT a) (IDENT b))");
    EXPR("!a in b", "(BINARY in (UNARY ! (IDENT a)) (IDENT b))");
}

static void
t_nullish_mixed_with_logical_needs_parentheses(void)
{
    ERR_AT("a ?? b || c", true, 1, 8, "cannot be mixed");
    OK("(a ?? b) || c", true);
    OK("a ?? (b || c)", true);
    BAD("-a ** 2", true);
    OK("(-a) ** 2", true);
}

static void
t_regex_versus_division_follows_the_grammar(void)
{
    EXPR("a / b / c", "(BINARY / (BINARY / (IDENT a) (IDENT b)) (IDENT c))");
    EXPR("x = /=a/g", "(ASSIGN = (IDENT x) (REGEX /=a/g))");
    EXPR("a\n/b/g", "(BINARY / (BINARY / (IDENT a) (IDENT b)) (IDENT g))");
    OK("if (x) /re/.test(y); {} /re/; x = {} / 1", false);
    ERR_AT("/a/gg", true, 1, 5, "invalid regular expression flag");
    ERR_AT("x = /(/", true, 1, 6, "unterminated group");
    ERR_AT("/{1}/u", true, 1, 2, "lone '{'");
    OK("/{/; /a{1,2}?/; /[😀-😂]/u; /(?<n>a)\\k<n>/", true);
    BAD("/[😀-😂]/", true);
}

static void
t_templates_nest_and_tagged_ones_allow_bad_escapes(void)
{
    EXPR("`a${b}c${`d${e}`}`",
         "(TEMPLATE [(TEMPLATE_ELEM `a`) (TEMPLATE_ELEM `c`) (TEMPLATE_ELEM ``)] [(IDENT b) "
         "(TEMPLATE [(TEMPLATE_ELEM `d`) (TEMPLATE_ELEM ``)] (IDENT e))])");
    KT_EQ_INT(parse_mode("tag`\\unicode`", true), 0);
    const struct kb_jsn *q = ast.program->a->a->b->a;
    KT_EQ_INT(q->kind, KB_JSN_TEMPLATE_ELEM);
    KT_CHECK(q->str == NULL);
    KT_EQ_STR(q->str2, "\\unicode");
    ERR_AT("x;\n`\\unicode`", true, 2, 1, "bad escape");
}

static void
t_asi_and_restricted_productions(void)
{
    KT_EQ_INT(parse_mode("a\n++b", true), 0);
    KT_EQ_INT(ast.program->a->next->a->kind, KB_JSN_UPDATE);
    KT_EQ_INT(parse_mode("function f() { return\n1 }", true), 0);
    KT_CHECK(ast.program->a->c->a->a == NULL);
    ERR_AT("a b", true, 1, 3, "expected ';'");
    ERR_AT("throw\nx", true, 1, 6, "newline after throw");
    OK("do x; while (y) z", true);
    BAD("x\n=> 1", true);
}

static void
t_arrow_functions_and_parameters(void)
{
    EXPR("(a, [b], {c = 1}, ...d) => a",
         "(ARROW _ [(IDENT a) (ARRAY_PAT (IDENT b)) (OBJECT_PAT (PROPERTY short (IDENT c) "
         "(ASSIGN_PAT (IDENT c) (NUM 1)))) (REST (IDENT d))] (IDENT a))");
    EXPR("async x => await x", "(ARROW async _ (IDENT x) (AWAIT (IDENT x)))");
    EXPR("async (x) => {}", "(ARROW async _ (IDENT x) (BLOCK))");
    EXPR("async(x)", "(CALL (IDENT async) (IDENT x))");
    /* async before a reserved word is the identifier (fuzz finding 15). */
    EXPR("async in o", "(BINARY in (IDENT async) (IDENT o))");
    EXPR("async instanceof C", "(BINARY instanceof (IDENT async) (IDENT C))");
    OK("for (async in o);", false);
    OK("for ((async) of o);", false);
    BAD("for (async of o);", false);
    BAD("async in => 1", false);
    BAD("(a, a) => 1", true);
    BAD("({a = 1})", true);
    BAD("(a\n) => 1 + (b)\n=> 2", true);
    BAD("async (await) => 1", false);
    BAD("function* g() { (x = yield) => 1 }", true);
}

static void
t_destructuring_assignment_and_declaration(void)
{
    EXPR("[a, , ...b] = c", "(ASSIGN = (ARRAY_PAT [(IDENT a) (HOLE) (REST (IDENT b))]) (IDENT c))");
    EXPR("({a: {b}, [k]: c = 1} = d)",
         "(ASSIGN = (OBJECT_PAT [(PROPERTY (IDENT a) (OBJECT_PAT (PROPERTY short (IDENT b) "
         "(IDENT b)))) (PROPERTY [] (IDENT k) (ASSIGN_PAT (IDENT c) (NUM 1)))]) (IDENT d))");
    BAD("[a + 1] = b", true);
    BAD("({a}) = b", true);
    BAD("[...a, b] = c", true);
    BAD("let [a];", true);
    OK("for (const [k, v] of m) ;", true);
}

static void
t_classes_fields_private_names_static_blocks(void)
{
    const char *src = "class A extends B { #x = 1; static y; static { this.y = 2 }\n"
                      "get #z() { return this.#x } constructor() { super(); #x in this } }";
    KT_EQ_INT(parse_mode(src, true), 0);
    kb_jsast_dump(ast.program->a, dump, sizeof dump);
    KT_CHECK(strstr(dump, "(FIELD (PRIVATE_NAME x) (NUM 1))") != NULL);
    KT_CHECK(strstr(dump, "(FIELD static (IDENT y))") != NULL);
    KT_CHECK(strstr(dump, "(STATIC_BLOCK") != NULL);
    KT_CHECK(strstr(dump, "(METHOD get (PRIVATE_NAME z)") != NULL);
    KT_CHECK(strstr(dump, "(METHOD constructor (IDENT constructor)") != NULL);
    ERR_AT("class A { m() { this.#y } }", true, 1, 22, "#y");
    BAD("class A { #a; #a }", true);
    OK("class A { get #a() {} set #a(v) {} }", true);
    BAD("class A { constructor() { super() } }", true);
    BAD("class A { constructor() {} constructor() {} }", true);
    BAD("class A { static prototype() {} }", true);
    BAD("class A { static { await } }", false);
    BAD("class A { x = arguments }", true);
    BAD("class A extends B { m() { new super() } }", true);
}

static void
t_async_generators_and_top_level_await(void)
{
    OK("async function* f() { for await (const x of y) yield* x; }", true);
    OK("await x;", true);
    OK("await(x);", false); /* a call of a function named await */
    BAD("await x;", false);
    BAD("function f() { await x }", true);
    BAD("function* g() { var yield; }", false);
    OK("function g() { var yield; }", false);
    BAD("function g() { 'use strict'; var yield; }", false);
}

static void
t_optional_chaining_and_meta_properties(void)
{
    EXPR("a?.b.c", "(CHAIN (MEMBER (MEMBER ?. (IDENT a) (IDENT b)) (IDENT c)))");
    EXPR("a?.[0]?.(1)", "(CHAIN (CALL ?. (MEMBER [] ?. (IDENT a) (NUM 0)) (NUM 1)))");
    BAD("a?.b = 1", true);
    BAD("new a?.b()", true);
    BAD("a?.b`t`", true);
    EXPR("import.meta.url", "(MEMBER (META_PROP (IDENT import) (IDENT meta)) (IDENT url))");
    BAD("import.meta", false);
    EXPR("import('./a.js', { with: {} })",
         "(IMPORT_CALL (STR \"./a.js\") (OBJECT (PROPERTY (IDENT with) (OBJECT))))");
    OK("function f() { new.target }", false);
    BAD("new.target", false);
}

static void
t_module_declarations(void)
{
    KT_EQ_INT(parse_mode("import a, {b as c, 'd e' as f} from './x.js' with { type: 'json' };\n"
                         "import * as ns from './y.js';\n"
                         "export {a as default, c};\nexport * as m from './z.js';\n"
                         "export const k = 1;",
                         true),
              0);
    kb_jsast_dump(ast.program->a, dump, sizeof dump);
    KT_EQ_STR(dump, "(IMPORT [(IMPORT_DEFAULT _ (IDENT a)) (IMPORT_SPEC (IDENT b) (IDENT c)) "
                    "(IMPORT_SPEC (STR \"d e\") (IDENT f))] (STR \"./x.js\") (OBJECT (PROPERTY "
                    "(IDENT type) (STR \"json\"))))");
    BAD("import x from './a.js'", false);
    BAD("{ export const a = 1 }", true);
    ERR_AT("export {a}; export {b as a}; let a, b;", true, 1, 26, "duplicate export 'a'");
    ERR_AT("export {nope};", true, 1, 9, "'nope' is not defined");
}

static void
t_literals_numbers_strings_and_escapes(void)
{
    EXPR("1_000_000", "(NUM 1000000)");
    EXPR("0x1F + 0o17 + 0b11 + .5e1", "(BINARY + (BINARY + (BINARY + (NUM 31) (NUM 15)) (NUM 3)) "
                                      "(NUM 5))");
    EXPR("10n", "(BIGINT 10)");
    EXPR("'\\x41\\u{1F600}\\u0042'", "(STR \"A\xF0\x9F\x98\x80"
                                     "B\")");
    SCRIPT_EXPR("010", "(NUM 8)");
    BAD("010", true);
    BAD("'\\07'", true);
    BAD("1__0", true);
    BAD("1_", true);
    BAD("0_1", true);
    BAD("3in x", true);
    BAD("'\\u{110000}'", true);
    /* A NUL byte after 0 is no radix letter (strchr's terminator matched it):
     * 0, NUL, 0 is no number but an unexpected character. */
    KT_EQ_INT(kb_jsast_parse("0\0000", 3, true, &ast, &diag), KC_EPARSE);
    KT_EQ_INT(diag.col, 2);
}

static void
t_identifiers_with_escapes_and_unicode(void)
{
    EXPR("caf\\u00e9 + \xce\xb1\xce\xb2",
         "(BINARY + (IDENT caf\xc3\xa9) (IDENT \xce\xb1\xce\xb2))");
    BAD("\\u0069f (x) ;", true);        /* an escaped keyword is not the keyword */
    OK("var a\xe2\x80\xbf = 1;", true); /* U+203F is ID_Continue... */
    BAD("var \xe2\x80\xbf = 1;", true); /* ...but not ID_Start */
}

/* The source is UTF-8 as a browser decodes it: an ill-formed sequence is
 * U+FFFD, never the character an overlong form spells (fuzz finding 16). */
static void
t_ill_formed_utf8_is_a_replacement_character(void)
{
    /* E0 80 8A (an overlong U+000A) does not end a comment... */
    KT_EQ_STR(program("x //\xe0\x80\x8a y", true), "(PROGRAM (EXPR_STMT (IDENT x)))");
    KT_EQ_STR(program("#!\xe0\x80\x8ah\nx", true), "(PROGRAM (EXPR_STMT (IDENT x)))");
    KT_EQ_STR(program("x <!-- \xe0\x80\x8a y", false), "(PROGRAM (EXPR_STMT (IDENT x)))");
    /* ...as U+2028, well formed, does. */
    KT_EQ_STR(program("x //\xe2\x80\xa8 y", true),
              "(PROGRAM [(EXPR_STMT (IDENT x)) (EXPR_STMT (IDENT y))])");
    /* Nor does it end a string, nor C0 A8 (an overlong '(') open a group. */
    OK("'a\xe0\x80\x8a"
       "b'",
       true);
    OK("/\xc0\xa8/", true);
    /* An overlong U+000B or a surrogate's bytes are no white space. */
    BAD("x\xe0\x80\x8by", true);
    BAD("x\xed\xa0\x80", true);
}

static void
t_hashbang_and_html_comments(void)
{
    OK("#!/usr/bin/env node\nx", true);
    OK("x = 1 <!-- comment\n--> also a comment\ny", false);
    BAD("x = 1;\n--> not a comment in a module\n", true);
}

static void
t_labels_break_continue(void)
{
    OK("a: b: for (;;) { continue a; }", true);
    BAD("a: { continue a; }", true);
    BAD("a: a: ;", true);
    BAD("break;", true);
    OK("a: { break a; }", true);
    BAD("for (;;) { function f() { break; } }", true);
    OK("switch (x) { case 1: break; default: }", true);
}

static void
t_strict_mode_restrictions(void)
{
    BAD("'use strict'; with (a) {}", false);
    OK("with (a) {}", false);
    BAD("'use strict'; delete x", false);
    BAD("'use strict'; eval = 1", false);
    BAD("function f(a, a) { 'use strict' }", false);
    OK("function f(a, a) {}", false);
    BAD("function f(a = 1) { 'use strict' }", false);
    BAD("'use strict'; var let = 1", false);
    OK("var let = 1", false);
    BAD("'\\01'; 'use strict';", false);
}

static void
t_jsx_and_typescript_get_a_clear_error(void)
{
    ERR_AT("const a = <div/>;", true, 1, 11, "JSX and TypeScript are not supported");
}

static void
t_error_positions_lines_and_columns(void)
{
    ERR_AT("let a = 1;\nlet b = ;", true, 2, 9, "expected an expression");
    ERR_AT("f(\n  1,\n  2", true, 3, 4, "expected ',' or ')'");
    ERR_AT("x = 'abc", true, 1, 5, "unterminated string");
    ERR_AT("/* x", true, 1, 1, "unterminated comment");
}

static void
t_deep_nesting_is_an_error_not_a_crash(void)
{
    size_t n = 200000;
    char *src = malloc(n * 2 + 1);
    for (size_t i = 0; i < n; i++) {
        src[i] = '(';
        src[n + i] = ')';
    }
    src[2 * n] = 0;
    KT_EQ_INT(parse_mode(src, true), KC_EPARSE);
    KT_CHECK(strstr(diag.msg, "nesting too deep") != NULL);
    KT_CHECK(kb_jsast_too_deep(&diag));
    KT_EQ_INT(parse_mode("let a = ;", true), KC_EPARSE);
    KT_CHECK(!kb_jsast_too_deep(&diag));
    for (size_t i = 0; i < n; i++)
        src[i] = '[';
    src[n] = 0;
    KT_EQ_INT(parse_mode(src, true), KC_EPARSE);
    for (size_t i = 0; i < n / 2; i++)
        memcpy(src + 2 * i, "a.", 2);
    memcpy(src + n - 2, "b\0", 2);
    KT_EQ_INT(parse_mode(src, true), KC_EPARSE);
    KT_CHECK(strstr(diag.msg, "nesting too deep") != NULL);
    free(src);
}

static void
t_spans_are_byte_offsets(void)
{
    const char *src = "  foo(bar, 'baz');";
    KT_EQ_INT(parse_mode(src, true), 0);
    const struct kb_jsn *call = ast.program->a->a;
    KT_EQ_SPAN(src, call->start, call->end, "foo(bar, 'baz')");
    KT_EQ_SPAN(src, call->b->next->start, call->b->next->end, "'baz'");
    KT_EQ_SPAN(src, ast.program->a->start, ast.program->a->end, "foo(bar, 'baz');");
}

/* The binding an identifier resolved to, by name of its declaration. */
static const struct kb_js_binding *
binding_of(const struct kb_jsn *id)
{
    return id->binding ? &ast.bindings[id->binding - 1] : NULL;
}

static const struct kb_js_binding *
top_binding(const char *name)
{
    for (uint32_t i = 0; i < ast.nbindings; i++)
        if (ast.bindings[i].scope == 0 && strcmp(ast.bindings[i].name, name) == 0)
            return &ast.bindings[i];
    return NULL;
}

static void
t_scope_resolves_references_to_declarations(void)
{
    const char *src = "use(x);\nvar x = 1;\nfunction f(x) { return x + y; }\n"
                      "{ let x = 2; x; }\ntry {} catch (x) { x; }";
    KT_EQ_INT(parse_mode(src, false), 0);
    const struct kb_jsn *s = ast.program->a;
    const struct kb_jsn *use_x = s->a->b; /* use(x): x before its var */
    KT_CHECK(binding_of(use_x) == top_binding("x"));
    const struct kb_jsn *f = s->next->next;
    const struct kb_jsn *ret = f->c->a->a; /* x + y */
    KT_CHECK(binding_of(ret->a) != top_binding("x"));
    KT_EQ_INT(binding_of(ret->a)->kind, KB_JS_B_PARAM);
    KT_CHECK(ret->b->binding == 0); /* y is global */
    const struct kb_jsn *blk = f->next;
    KT_EQ_INT(binding_of(blk->a->next->a)->kind, KB_JS_B_LET);
    const struct kb_jsn *c = blk->next->b;
    KT_EQ_INT(binding_of(c->b->a->a)->kind, KB_JS_B_CATCH);
    KT_EQ_INT(ast.nunresolved, 2); /* use, y */
}

static void
t_scope_marks_exported_and_reassigned_bindings(void)
{
    const char *src = "let a = 1, b = 2; const c = 3; var d;\n"
                      "export { a, c as see }; export function f() {} export default class K {}\n"
                      "a++; [d] = [1]; function g() { let b = 0; b = 1; }";
    KT_EQ_INT(parse_mode(src, true), 0);
    KT_EQ_INT(top_binding("a")->flags & (KB_JS_BF_EXPORTED | KB_JS_BF_REASSIGNED),
              KB_JS_BF_EXPORTED | KB_JS_BF_REASSIGNED);
    KT_EQ_INT(top_binding("b")->flags & (KB_JS_BF_EXPORTED | KB_JS_BF_REASSIGNED), 0);
    KT_EQ_INT(top_binding("c")->flags & KB_JS_BF_EXPORTED, KB_JS_BF_EXPORTED);
    KT_EQ_INT(top_binding("d")->flags & KB_JS_BF_REASSIGNED, KB_JS_BF_REASSIGNED);
    KT_EQ_INT(top_binding("f")->flags & KB_JS_BF_EXPORTED, KB_JS_BF_EXPORTED);
    KT_EQ_INT(top_binding("K")->flags & KB_JS_BF_EXPORTED, KB_JS_BF_EXPORTED);
    KT_EQ_INT(top_binding("g")->flags & KB_JS_BF_EXPORTED, 0);
}

static void
t_scope_annex_b_block_functions_are_visible_after_the_block(void)
{
    const char *src = "{ function g() {} }\ng();\nlet h; { function h() {} }";
    KT_EQ_INT(parse_mode(src, false), 0);
    const struct kb_jsn *call = ast.program->a->next->a;
    const struct kb_js_binding *b = binding_of(call->a);
    KT_CHECK(b != NULL);
    KT_EQ_INT(b->flags & KB_JS_BF_ANNEXB, KB_JS_BF_ANNEXB);
    KT_CHECK(b->decl == ast.program->a->a->a); /* the block function's name */
    KT_EQ_INT(top_binding("h")->kind, KB_JS_B_LET);
    KT_EQ_INT(top_binding("h")->flags & KB_JS_BF_ANNEXB, 0);
    KT_EQ_INT(parse_mode("'use strict'; { function g() {} } g();", false), 0);
    KT_EQ_INT(ast.nunresolved, 1);
}

/* ECMAScript 2018-2023 forms, which test262-parser-tests (2017) predates:
 * each must parse as a module... */
static const char *const modern_valid[] = {
    "class A { static #a; static m() { return #a in A; } }",
    "class A extends B { constructor() { (() => super())(); } }",
    "class A { x = () => this.#y; #y = 1; }",
    "class A { static x = new.target; }",
    "x = { __proto__: a, __proto__() {} }",
    "({ __proto__: a, __proto__: b } = c)",
    "for (let [a, b] of c) ;",
    "for (const x in y) ;",
    "async function f() { for await (const [a] of b) ; }",
    "label: for (;;) { inner: for (;;) { continue label; } }",
    "a = async function* () { yield await 1; }",
    "a = (b, c = d => e, ...f) => g",
    "x = a ? b => c : d => e",
    "y = class { static async *[Symbol.asyncIterator]() {} }",
    "/(?<year>\\d{4})\\k<year>/; /\\u{1F600}/u; /[\\u{1F600}-\\u{1F64F}]/u; /[^]/; /$^/",
    "let {a = 1, b: {c} = {}, ...d} = e",
    "function f({a, b} = {}, [c, d] = [], ...rest) {}",
    "x = `a${`b${`c${d}`}`}`",
    "String.raw`\\u{` + `ok`",
    "export const { a: ea, ...eb } = obj;",
    "export let [ec, ed] = arr;",
    "import def, * as ns from \"x\";",
    "await Promise.all([]);",
    "if (await x) {}",
    "const v = await import(\"./a.js\", { with: { type: \"json\" } });",
    "x = 1_000_000.123_456e1_0",
    "queueMicrotask(() => void 0)",
    "a ||= (b &&= (c ?\?= d))",
    "x = a?.b?.[c]?.(d)?.e",
    "x = 0n + 0x1fn + 0o7n + 0b1n",
    "x = .1 + 1. + 1.e1",
    "switch (x) { case 1: let y = 2; break; default: y; }",
    "try { } catch ({ message }) { } finally { }",
    "class A { 'constructor'() {} static constructor() {} }",
    "class A { get constructor2() {} static prototype2 = 1; }",
};

static const char *const modern_invalid[] = {
    "class A { #x; m() { delete this.#x } }",
    "async function f() { for await (x in y); }",
    "class A { static #a; static #a; }",
    "label: function* g(){}",
    "() => new.target",
    "function f() { super.x }",
    "export { x as \"\\uD800\" }; var x;",
    "class A { static get #a() {} set #a(v) {} }",
    "async function f() { let await; }",
    "function* g() { function* yield() {} }",
    "x = { f() { super(); } }",
    "class A { m() { super(); } }",
    "({ get a(x) {} })",
    "for (let let of x);",
    "let x; { var x; }",
    "a?.b++",
    "a => { \"use strict\"; with (x) {} }",
    "(async function await() {})",
    "class A { [super()] }",
    "export default 1; export default 2;",
    "if (a) class B {}",
    "while (1) function f() {}",
    "/(?<a>x)(?<a>y)/",
    "/\\k<nope>(?<a>x)/",
    "/x{2,1}/",
    "1 = 2",
    "typeof a = 1",
    "({a: 1} = 2)",
    "[...a,] = b",
    "let [...a,] = b",
    "x = 08n",
    "\"use strict\"; 08",
    "async () => await",
    "function f(...a,) {}",
    "class A { constructor() {} 'constructor'() {} }",
};

static void
t_modern_syntax_parses(void)
{
    for (size_t i = 0; i < sizeof modern_valid / sizeof *modern_valid; i++)
        if (parse_mode(modern_valid[i], true) != 0)
            KT_FAIL_("%s: %u:%u: %s", modern_valid[i], diag.line, diag.col, diag.msg);
}

/* ...and each of these must be refused. */
static void
t_modern_early_errors(void)
{
    for (size_t i = 0; i < sizeof modern_invalid / sizeof *modern_invalid; i++)
        if (parse_mode(modern_invalid[i], true) != KC_EPARSE)
            KT_FAIL_("accepted: %s", modern_invalid[i]);
}

static void
t_scope_redeclaration_errors(void)
{
    ERR_AT("let a; var a;", false, 1, 12, "'a' has already been declared");
    BAD("var a; let a;", false);
    BAD("const a = 1; function a() {}", false);
    BAD("{ let a; { var a; } }", false);
    BAD("function f(a) { let a; }", false);
    BAD("try {} catch (e) { let e; }", false);
    OK("try {} catch (e) { var e; }", false);
    BAD("try {} catch (e) { for (var e of []); }", false);
    OK("var a; var a; function a() {}", false);
    BAD("function a() {} function a() {}", true); /* lexical in a module */
    OK("{ function a() {} function a() {} }", false);
    BAD("'use strict'; { function a() {} function a() {} }", false);
    BAD("import a from 'x'; let a;", true);
    OK("let a; { let a; }", true);
}

int
main(void)
{
    KT_RUN(t_precedence_and_associativity, "operators bind by precedence and associativity");
    KT_RUN(t_nullish_mixed_with_logical_needs_parentheses,
           "?? mixed with || or &&, and -a ** b, need parentheses");
    KT_RUN(t_regex_versus_division_follows_the_grammar,
           "'/' is division or a regex by grammar; regex patterns are validated");
    KT_RUN(t_templates_nest_and_tagged_ones_allow_bad_escapes,
           "templates nest; only tagged ones may hold invalid escapes");
    KT_RUN(t_asi_and_restricted_productions, "ASI and the no-newline-here rules");
    KT_RUN(t_arrow_functions_and_parameters, "arrow functions from the cover grammar");
    KT_RUN(t_destructuring_assignment_and_declaration, "destructuring patterns");
    KT_RUN(t_classes_fields_private_names_static_blocks,
           "classes: fields, private names, accessors, static blocks, super rules");
    KT_RUN(t_async_generators_and_top_level_await,
           "async, generators, for await, top-level await in modules only");
    KT_RUN(t_optional_chaining_and_meta_properties,
           "optional chains, import.meta, import(), new.target");
    KT_RUN(t_module_declarations, "import and export declarations; export early errors");
    KT_RUN(t_literals_numbers_strings_and_escapes,
           "numeric separators, radix, BigInt, string escapes, legacy octal");
    KT_RUN(t_identifiers_with_escapes_and_unicode,
           "identifiers: \\u escapes and Unicode ID_Start/ID_Continue");
    KT_RUN(t_hashbang_and_html_comments, "hashbang; HTML-like comments in scripts only");
    KT_RUN(t_ill_formed_utf8_is_a_replacement_character,
           "ill-formed UTF-8 is U+FFFD: an overlong newline ends no comment");
    KT_RUN(t_labels_break_continue, "labels, break and continue targets");
    KT_RUN(t_strict_mode_restrictions, "strict mode restrictions and the directive prologue");
    KT_RUN(t_jsx_and_typescript_get_a_clear_error, "JSX gets a clear error");
    KT_RUN(t_error_positions_lines_and_columns, "errors carry line, column and what was expected");
    KT_RUN(t_deep_nesting_is_an_error_not_a_crash,
           "200,000 nested parens, brackets or members: nesting too deep, no crash");
    KT_RUN(t_spans_are_byte_offsets, "nodes span exact byte offsets");
    KT_RUN(t_scope_resolves_references_to_declarations,
           "references resolve through scopes, hoisting included; globals stay unresolved");
    KT_RUN(t_scope_marks_exported_and_reassigned_bindings,
           "top-level bindings marked exported and reassigned");
    KT_RUN(t_scope_annex_b_block_functions_are_visible_after_the_block,
           "sloppy block functions also bind a var after the block (Annex B.3.3)");
    KT_RUN(t_modern_syntax_parses, "ES2018-2023 syntax parses");
    KT_RUN(t_modern_early_errors, "ES2018-2023 early errors are refused");
    KT_RUN(t_scope_redeclaration_errors, "redeclarations are early errors, Annex B included");
    kb_jsast_free(&ast);
    return kt_done();
}
