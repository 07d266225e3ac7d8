/*
 * builder/lower/polyfill.c: which polyfills a parsed snippet selects (global
 * names, member names, the syntax that iterates or awaits, and what a local
 * binding shadows), the closure and the dependency order of
 * kb_polyfill_text, the names and bytes for the report, and the table
 * lookup. The polyfills' behaviour is tests/polyfills/run.py's.
 */
#include "builder/lower/jsfiles.h"
#include "builder/lower/polyfill.h"
#include "common/buf.h"
#include "common/error.h"
#include "tests/kt.h"

#include <stdlib.h>

static uint64_t
bit(const char *name)
{
    uint64_t b = kb_polyfill_bit(name);
    if (!b)
        KT_FAIL_("no polyfill named %s", name);
    return b;
}

/* What kb_polyfill_detect finds in src (a classic script unless module). */
static uint64_t
detect_mode(const char *src, bool module)
{
    struct kc_diag diag = { 0 };
    uint64_t set = 0;
    int rc = kb_polyfill_detect_src(src, strlen(src), module, &set, &diag);
    if (rc != 0)
        KT_FAIL_("%s: %s", src, diag.msg);
    return set;
}

static uint64_t
detect(const char *src)
{
    return detect_mode(src, false);
}

#define ITER                                                                                       \
    (bit("Symbol") | bit("Array.prototype.@@iterator") | bit("String.prototype.@@iterator"))

static void
t_table_sorted_and_found(void)
{
    KT_CHECK(kl_polyfills_count > 20 && kl_polyfills_count <= 64);
    for (size_t i = 0; i < kl_polyfills_count; i++) {
        if (i > 0)
            KT_CHECK(strcmp(kl_polyfills[i - 1].name, kl_polyfills[i].name) < 0);
        KT_EQ_INT(kl_jsfile_find(kl_polyfills, kl_polyfills_count, kl_polyfills[i].name), i);
    }
    KT_EQ_INT(kl_jsfile_find(kl_polyfills, kl_polyfills_count, "Nope"), -1);
    KT_EQ_INT(kl_jsfile_find(kl_polyfills, kl_polyfills_count, ""), -1);
    KT_EQ_INT(kb_polyfill_bit("Array.prototype"), 0);
}

static void
t_globals(void)
{
    KT_EQ_INT(detect("Promise.resolve(1).then(f)"), bit("Promise"));
    KT_EQ_INT(detect("new WeakMap()"), bit("WeakMap"));
    KT_EQ_INT(detect("new WeakSet()"), bit("WeakSet"));
    KT_EQ_INT(detect("new Map()"), bit("Map") | bit("Array.prototype.@@iterator"));
    KT_EQ_INT(detect("new Set()"), bit("Set") | bit("Array.prototype.@@iterator"));
    KT_EQ_INT(detect("window['Promise']"), bit("Promise"));
}

static void
t_helpers_symbol_selects_iteration(void)
{
    KT_EQ_INT(
        detect("function _iter(o) { var f = typeof Symbol == 'function' && o[Symbol.iterator];"
               " return f ? f.call(o) : null; }"),
        ITER);
}

static void
t_local_bindings_shadow(void)
{
    KT_EQ_INT(detect("function f(Map, Promise) { return new Map(Promise); }"), 0);
    KT_EQ_INT(detect("(function () { var Symbol = 1; return Symbol; })()"), 0);
    KT_EQ_INT(detect("isNaN(x) + isFinite(y)"), 0);
    KT_EQ_INT(detect("Object.keys(o).map(f).filter(g)"), 0);
    KT_EQ_INT(detect("x.then(f)"), 0);
}

static void
t_members(void)
{
    KT_EQ_INT(detect("a.includes(b)"),
              bit("Array.prototype.includes") | bit("String.prototype.includes"));
    KT_EQ_INT(detect("s['padStart'](2)"), bit("String.prototype.padStart"));
    KT_EQ_INT(detect("s.padEnd(2)"), bit("String.prototype.padEnd"));
    KT_EQ_INT(detect("s.startsWith(a) || s.endsWith(b)"),
              bit("String.prototype.startsWith") | bit("String.prototype.endsWith"));
    KT_EQ_INT(detect("s.repeat(3)"), bit("String.prototype.repeat"));
    KT_EQ_INT(detect("var assign = Object.assign"), bit("Object.assign"));
    KT_EQ_INT(detect_mode("const { assign } = Object", true), bit("Object.assign"));
    KT_EQ_INT(detect("Object.fromEntries(x)"), bit("Object.fromEntries"));
    KT_EQ_INT(detect("Array.from(x); Array.of(1)"), bit("Array.from") | bit("Array.of"));
    KT_EQ_INT(detect("a.find(f); a.findIndex(f)"),
              bit("Array.prototype.find") | bit("Array.prototype.findIndex"));
    KT_EQ_INT(detect("a.flat(); a.flatMap(f); a.fill(0)"), bit("Array.prototype.flat") |
                                                               bit("Array.prototype.flatMap") |
                                                               bit("Array.prototype.fill"));
    KT_EQ_INT(detect("Number.isNaN(x) && Number.isFinite(y) && Number.isInteger(z)"),
              bit("Number.isNaN") | bit("Number.isFinite") | bit("Number.isInteger"));
    KT_EQ_INT(detect("var o = { includes: 1 }"),
              bit("Array.prototype.includes") | bit("String.prototype.includes"));
}

static void
t_members_of_object_are_not_array_iterators(void)
{
    KT_EQ_INT(detect("Object.entries(o)"), bit("Object.entries"));
    KT_EQ_INT(detect("Object.values(o)"), bit("Object.values"));
    KT_EQ_INT(detect("m.entries()"), bit("Object.entries") | bit("Array.prototype.@@iterator"));
    KT_EQ_INT(detect("m.values()"), bit("Object.values") | bit("Array.prototype.@@iterator"));
    KT_EQ_INT(detect("a.keys()"), bit("Array.prototype.@@iterator"));
    KT_EQ_INT(detect("a['keys']()"), bit("Array.prototype.@@iterator"));
    /* A local named Object is not the global one. */
    KT_EQ_INT(detect("function f(Object) { return Object.keys(); }"),
              bit("Array.prototype.@@iterator"));
}

static void
t_syntax(void)
{
    KT_EQ_INT(detect_mode("for (const x of y) ;", true), ITER);
    KT_EQ_INT(detect("f(...a)"), ITER);
    KT_EQ_INT(detect("[...a]"), ITER);
    KT_EQ_INT(detect("var [a, b] = c"), ITER);
    KT_EQ_INT(detect("function* g() { yield* h; }"), ITER);
    KT_EQ_INT(detect("({ ...a })"), 0);
    KT_EQ_INT(detect("var { a, b } = c"), 0);
    KT_EQ_INT(detect("async function f() { await g(); }"), bit("Promise"));
    KT_EQ_INT(detect("var f = async () => 1"), bit("Promise"));
    KT_EQ_INT(detect_mode("import('./a.js')", true), bit("Promise"));
    KT_EQ_INT(detect_mode("async function f() { for await (const x of y) ; }", true),
              ITER | bit("Promise"));
}

static void
t_closure_adds_needs(void)
{
    KT_EQ_INT(kb_polyfill_closure(bit("Set")), bit("Set") | bit("Map") | bit("Symbol"));
    KT_EQ_INT(kb_polyfill_closure(bit("WeakSet")), bit("WeakSet") | bit("WeakMap"));
    KT_EQ_INT(kb_polyfill_closure(bit("Array.prototype.@@iterator")),
              bit("Array.prototype.@@iterator") | bit("Symbol"));
    KT_EQ_INT(kb_polyfill_closure(bit("Promise")), bit("Promise"));
    KT_EQ_INT(kb_polyfill_closure(0), 0);
}

static void
t_names_dependencies_first(void)
{
    const char *names[64];
    size_t bytes[64];
    size_t n = kb_polyfill_names(bit("Set") | bit("Number.isNaN"), names, bytes, 64);
    KT_EQ_INT(n, 4);
    /* A walk in name order: Map needs Symbol, Set needs Map and Symbol. */
    KT_EQ_STR(names[0], "Number.isNaN");
    KT_EQ_STR(names[1], "Symbol");
    KT_EQ_STR(names[2], "Map");
    KT_EQ_STR(names[3], "Set");
    KT_EQ_INT(bytes[2], kl_polyfills[kl_jsfile_find(kl_polyfills, kl_polyfills_count, "Map")].len);
    KT_EQ_INT(kb_polyfill_names(bit("Set"), names, NULL, 1), 3);
    KT_EQ_STR(names[0], "Symbol");
    KT_EQ_INT(kb_polyfill_names(0, NULL, NULL, 0), 0);
}

static void
t_every_need_comes_first(void)
{
    const char *names[64];
    uint64_t all =
        kl_polyfills_count == 64 ? ~UINT64_C(0) : (UINT64_C(1) << kl_polyfills_count) - 1;
    size_t n = kb_polyfill_names(all, names, NULL, 64);
    KT_EQ_INT(n, kl_polyfills_count);
    uint64_t seen = 0;
    for (size_t i = 0; i < n; i++) {
        const struct kl_jsfile *f =
            &kl_polyfills[kl_jsfile_find(kl_polyfills, kl_polyfills_count, names[i])];
        /* Every name in needs exists and was written before. */
        char needs[256];
        snprintf(needs, sizeof needs, "%s", f->needs);
        for (char *save, *w = strtok_r(needs, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
            uint64_t b = bit(w);
            if (!(seen & b))
                KT_FAIL_("%s comes before %s, which it needs", names[i], w);
        }
        seen |= kb_polyfill_bit(names[i]);
    }
}

static void
t_text_is_the_files_in_order(void)
{
    struct kc_buf b;
    kc_buf_init(&b, 1 << 20);
    KT_EQ_INT(kb_polyfill_text(0, &b), 0);
    KT_EQ_INT(b.len, 0);
    KT_EQ_INT(kb_polyfill_text(bit("WeakSet"), &b), 0);
    const struct kl_jsfile *wm =
        &kl_polyfills[kl_jsfile_find(kl_polyfills, kl_polyfills_count, "WeakMap")];
    const struct kl_jsfile *ws =
        &kl_polyfills[kl_jsfile_find(kl_polyfills, kl_polyfills_count, "WeakSet")];
    KT_EQ_INT(b.len, wm->len + ws->len);
    KT_CHECK(memcmp(b.data, wm->text, wm->len) == 0);
    KT_CHECK(memcmp(b.data + wm->len, ws->text, ws->len) == 0);
    KT_CHECK(strstr(ws->needs, "WeakMap") != NULL);
    kc_buf_free(&b);
}

/* All of them together parse as one ES5 classic script, in which nothing
 * leaks: each file is an IIFE. */
static void
t_text_parses_as_a_script(void)
{
    struct kc_buf b;
    kc_buf_init(&b, 1 << 20);
    KT_EQ_INT(kb_polyfill_text(~UINT64_C(0), &b), 0);
    struct kb_jsast ast;
    struct kc_diag diag = { 0 };
    int rc = kb_jsast_parse(b.data, b.len, false, &ast, &diag);
    if (rc != 0)
        KT_FAIL_("%s at %u:%u", diag.msg, diag.line, diag.col);
    KT_EQ_INT(kb_jsast_scope(&ast, b.data, &diag), 0);
    for (const struct kb_jsn *s = ast.program->a; s; s = s->next)
        KT_EQ_INT(s->kind, KB_JSN_EXPR_STMT);
    kb_jsast_free(&ast);
    kc_buf_free(&b);
}

static void
t_text_fails_past_the_buffer_maximum(void)
{
    struct kc_buf b;
    kc_buf_init(&b, 100);
    KT_EQ_INT(kb_polyfill_text(bit("Promise"), &b), KC_ETOOBIG);
    kc_buf_free(&b);
}

static void
t_mode_parse(void)
{
    bool on = false;
    KT_CHECK(kb_polyfill_mode_parse("auto", &on) && on);
    KT_CHECK(kb_polyfill_mode_parse("none", &on) && !on);
    on = true;
    KT_CHECK(!kb_polyfill_mode_parse("all", &on) && on);
    KT_CHECK(!kb_polyfill_mode_parse("", &on));
}

int
main(void)
{
    KT_RUN(t_table_sorted_and_found, "the polyfill table is sorted and kl_jsfile_find finds each");
    KT_RUN(t_globals, "a global Promise, Map, Set, WeakMap, WeakSet selects its polyfill");
    KT_RUN(t_helpers_symbol_selects_iteration,
           "a helper's mention of Symbol selects Symbol and the array and string iterators");
    KT_RUN(t_local_bindings_shadow, "a local binding of a builtin's name selects nothing");
    KT_RUN(t_members, "member names and string keys select the methods' polyfills");
    KT_RUN(t_members_of_object_are_not_array_iterators,
           "Object.keys, entries, values do not select the array iterators; other objects' do");
    KT_RUN(t_syntax, "for...of, spread, array patterns, yield* iterate; async and import() await");
    KT_RUN(t_closure_adds_needs, "the closure adds what each polyfill needs");
    KT_RUN(t_names_dependencies_first, "names and bytes come dependencies first, in name order");
    KT_RUN(t_every_need_comes_first, "in the text of all, every file comes after what it needs");
    KT_RUN(t_text_is_the_files_in_order, "the text is the files, one after another");
    KT_RUN(t_text_parses_as_a_script, "all the polyfills together parse as one script");
    KT_RUN(t_text_fails_past_the_buffer_maximum, "the text fails past the buffer's maximum");
    KT_RUN(t_mode_parse, "--legacy-polyfills takes auto and none");
    return kt_done();
}
