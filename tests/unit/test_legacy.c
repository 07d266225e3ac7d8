/*
 * The legacy twins' printer (builder/bundle/legacy.c): twin names, the
 * System.register text with setters, hoisted and declared exports, the URL
 * table, and the byte span of every URL it reports to the naming stage.
 */
#include "builder/bundle/legacy.h"
#include "common/log.h"
#include "tests/kt.h"

#include <stdlib.h>
#include <string.h>

static void
t_path(void)
{
    char *p = kb_legacy_path("js/main.js", 1);
    KT_EQ_STR(p, "js/main.legacy.js");
    free(p);
    p = kb_legacy_path("main_chunk.js", 2);
    KT_EQ_STR(p, "main_chunk.legacy2.js");
    free(p);
}

static void
t_print(void)
{
    const char *from[] = { "a", "weird-name" }, *to[] = { "a", "w$1" };
    struct kb_legacy_dep deps[] = {
        { .url = "./shared_chunk.legacy.js", .from = from, .to = to, .n = 2 },
        { .url = "./ns.legacy.js", .ns = "_ns" }
    };
    struct kb_legacy_export ex[] = { { "f", "f" }, { "re", "a" } };
    const char *hoisted[] = { "f" };
    const char *urls[] = { "./lazy.legacy.js", "./img/x.png" };
    const enum kb_ref_kind kinds[] = { KB_REF_JS_DYNAMIC, KB_REF_JS_URL };
    struct kb_legacy_file f = { .x = "_export",
                                .c = "_context",
                                .deps = deps,
                                .ndeps = 2,
                                .exports = ex,
                                .nexports = 2,
                                .hoisted = hoisted,
                                .nhoisted = 1,
                                .urls = urls,
                                .url_kind = kinds,
                                .nurls = 2,
                                .body = "function f() {}\n",
                                .body_len = 16 };
    struct kc_buf o;
    struct kb_reflist refs = { 0 };
    kc_buf_init(&o, 1u << 20);
    KT_EQ_INT(kb_legacy_print(&f, &o, &refs, NULL), 0);
    const char *t = o.data;
    KT_CHECK(strncmp(t,
                     "System.register([\"./shared_chunk.legacy.js\", \"./ns.legacy.js\"], "
                     "function (_export, _context) {\n\"use strict\";\n",
                     104) == 0);
    KT_CHECK(strstr(t, "_context.u = [\"./lazy.legacy.js\", \"./img/x.png\"];\n"));
    KT_CHECK(strstr(t, "return {\nexports: [\"f\", \"re\"],\nsetters: ["));
    /* A re-exported import stays live: its setter exports it again. */
    KT_CHECK(strstr(t, "function (m) { a = m.a; w$1 = m[\"weird-name\"]; _export({ re: a }); }"));
    KT_CHECK(strstr(t, "function (m, ns) { _ns = ns; }"));
    KT_CHECK(strstr(t, "execute: function () {\n_export({ f: f });\nfunction f() {}\n"));
    KT_CHECK(strstr(t, "_export({ f: f, re: a });\n}\n};\n});\n"));
    KT_CHECK(!strstr(t, "kiln legacy loader"));
    KT_EQ_INT(refs.n, 4);
    KT_EQ_SPAN(t, refs.v[0].start, refs.v[0].end, "./shared_chunk.legacy.js");
    KT_EQ_INT(refs.v[0].kind, KB_REF_JS_IMPORT);
    KT_EQ_SPAN(t, refs.v[1].start, refs.v[1].end, "./ns.legacy.js");
    KT_EQ_SPAN(t, refs.v[2].start, refs.v[2].end, "./lazy.legacy.js");
    KT_EQ_INT(refs.v[2].kind, KB_REF_JS_DYNAMIC);
    KT_EQ_SPAN(t, refs.v[3].start, refs.v[3].end, "./img/x.png");
    KT_EQ_INT(refs.v[3].kind, KB_REF_JS_URL);
    KT_EQ_INT(refs.v[3].line, 6); /* after "use strict" and three vars */
    kb_reflist_free(&refs);
    kc_buf_free(&o);

    /* A page's first twin carries the loader; top-level await makes execute async. */
    struct kb_legacy_file g = { .x = "_export", .c = "_context", .loader = true, .async = true };
    kc_buf_init(&o, 1u << 20);
    KT_EQ_INT(kb_legacy_print(&g, &o, &refs, NULL), 0);
    KT_CHECK(strncmp(o.data, "/* kiln legacy loader", 21) == 0);
    KT_CHECK(strstr(o.data, "})();\nSystem.register([], function (_export, _context) {"));
    KT_CHECK(strstr(o.data, "execute: async function () {"));
    KT_EQ_INT(refs.n, 0);
    kc_buf_free(&o);
}

static void
t_csp(void)
{
    char h[3][64];
    kb_legacy_csp(h, false);
    for (int i = 0; i < 3; i++) {
        KT_EQ_INT(strlen(h[i]), 53); /* 'sha256-' + 44 base64 + ' */
        KT_CHECK(strncmp(h[i], "'sha256-", 8) == 0);
    }
    /* The inline scripts hold no URL, so they never change between builds. */
    KT_CHECK(!strstr(kb_legacy_check, ".js") && !strstr(kb_legacy_fallback, ".js"));
}

int
main(void)
{
    kc_log_init("test_legacy", KC_LOG_QUIET);
    KT_RUN(t_path, "a twin is named NAME.legacy.js beside its chunk");
    KT_RUN(t_print, "System.register text: setters, exports, URL table, reference spans");
    KT_RUN(t_csp, "the inline scripts' CSP hashes are sha256 source expressions");
    return kt_done();
}
