/*
 * The bundler's module graph (builder/bundle/graph.c): package.json entry points
 * (exports conditions, module, main), import map lookups, and linking as
 * the specification's ResolveExport does it (re-exports, export *, its
 * ambiguity rule, cycles, namespaces), on small sites built in memory.
 */
#include "builder/bundle/internal.h"
#include "common/error.h"
#include "common/log.h"
#include "tests/kt.h"

#include <stdlib.h>

static char out[256];

static int
pkg(const char *json, const char *sub)
{
    out[0] = '\0';
    return kb_graph_pkg_entry(json, strlen(json), sub, out, sizeof out);
}

static int
imap(const char *json, const char *spec)
{
    out[0] = '\0';
    return kb_graph_importmap(json, strlen(json), spec, out, sizeof out);
}

static void
t_pkg_exports(void)
{
    KT_EQ_INT(pkg("{\"exports\": \"./a.js\", \"main\": \"m.js\"}", "."), 0);
    KT_EQ_STR(out, "./a.js");
    KT_EQ_INT(pkg("{\"exports\": {\"require\": \"./c.js\", \"import\": \"./e.js\"}}", "."), 0);
    KT_EQ_STR(out, "./e.js");
    KT_EQ_INT(pkg("{\"exports\": {\".\": {\"node\": {\"import\": \"./n.js\"}, \"browser\": "
                  "{\"import\": \"./b.js\"}}, \"./sub\": \"./s.js\"}}",
                  "."),
              0);
    KT_EQ_STR(out, "./b.js");
    KT_EQ_INT(pkg("{\"exports\": {\".\": \"./i.js\", \"./sub\": [\"./s.js\"]}}", "./sub"), 0);
    KT_EQ_STR(out, "./s.js");
    KT_EQ_INT(pkg("{\"exports\": {\".\": \"./i.js\"}}", "./hidden.js"), KC_ENOENT);
    KT_EQ_INT(pkg("{\"exports\": {\"require\": \"./c.js\"}}", "."), KC_ENOENT);
}

static void
t_pkg_fields(void)
{
    KT_EQ_INT(pkg("{\"main\": \"m.js\", \"module\": \"es.js\"}", "."), 0);
    KT_EQ_STR(out, "es.js");
    KT_EQ_INT(pkg("{\"main\": \"m.js\"}", "."), 0);
    KT_EQ_STR(out, "m.js");
    KT_EQ_INT(pkg("{}", "."), 0);
    KT_EQ_STR(out, "index.js");
    KT_EQ_INT(pkg("{}", "./x/y.js"), 0);
    KT_EQ_STR(out, "./x/y.js");
    KT_EQ_INT(pkg("{not json", "."), KC_EPARSE);
}

static void
t_importmap(void)
{
    const char *m = "{\"imports\": {\"a\": \"./lib/a.js\", \"lib/\": \"./vendor/lib/\", "
                    "\"lib/deep/\": \"/deep/\"}}";
    KT_EQ_INT(imap(m, "a"), 0);
    KT_EQ_STR(out, "./lib/a.js");
    KT_EQ_INT(imap(m, "lib/x.js"), 0);
    KT_EQ_STR(out, "./vendor/lib/x.js");
    KT_EQ_INT(imap(m, "lib/deep/y.js"), 0); /* the longest prefix wins */
    KT_EQ_STR(out, "/deep/y.js");
    KT_EQ_INT(imap(m, "b"), KC_ENOENT);
    KT_EQ_INT(imap("{\"scopes\": {}}", "a"), KC_ENOENT);
    KT_EQ_INT(imap("[", "a"), KC_EPARSE);
}

/* Source maps: copied text maps each line, generated text its start only,
 * columns count UTF-16 units, and the VLQs are relative. */
static void
t_smap(void)
{
    struct kb_smap m = { .osrc = -1 };
    struct kc_buf o, mp;
    kc_buf_init(&o, 1 << 20);
    kc_buf_init(&mp, 1 << 20);
    const char *src = "a\n\xc3\xa9 = b;\nc\n";
    KT_EQ_INT(kb_smap_gen(&m, &o, ";\n", -1, NULL, 0), 0); /* unmapped line */
    KT_EQ_INT(kb_smap_copy(&m, &o, 0, src, 0, 7), 0);      /* "a\né = " */
    KT_EQ_INT(kb_smap_gen(&m, &o, "b$1", 0, src, 7), 0);   /* the edit of "b" */
    KT_EQ_INT(kb_smap_copy(&m, &o, 0, src, 8, strlen(src) - 8), 0);
    KT_EQ_INT(kb_smap_mappings(&m, 2, &mp), 0);
    /* Lines 0-1: offset; 2: unmapped; 3: a at 0:0; 4: é at 1:0, b$1 at
     * col 4 -> 1:4 (é is one unit), ";" at col 7 -> 1:5; 5: c at 2:0. */
    KT_EQ_STR(mp.data, ";;;AAAA;AACA,IAAI,GAAC;AACL");
    KT_EQ_STR(o.data, ";\na\n\xc3\xa9 = b$1;\nc\n");
    kb_smap_free(&m);
    kc_buf_free(&o);
    kc_buf_free(&mp);
}

/* Decoding a map's "mappings": relative VLQs back to absolute segments,
 * one-field segments kept as unmapped, unsorted lines sorted; anything that
 * is not a valid string refused. */
static void
t_smap_decode(void)
{
    struct kb_smap m;
    KT_EQ_INT(kb_smap_decode(";;;AAAA;AACA,IAAI,GAAC;AACL", 27, 1, &m), 0);
    KT_EQ_INT((int)m.n, 5);
    KT_EQ_INT((int)m.v[2].gline, 4);
    KT_EQ_INT((int)m.v[2].gcol, 4);
    KT_EQ_INT((int)m.v[2].oline, 1);
    KT_EQ_INT((int)m.v[2].ocol, 4);
    KT_EQ_INT((int)m.v[4].gline, 5);
    struct kc_buf mp;
    kc_buf_init(&mp, 1 << 20);
    KT_EQ_INT(kb_smap_mappings(&m, 0, &mp), 0);
    KT_EQ_STR(mp.data, ";;;AAAA;AACA,IAAI,GAAC;AACL"); /* the same string back */
    kb_smap_free(&m);
    /* "I" alone: column 4, no source; "AAAA" after "IAAA" on its line: sorted. */
    KT_EQ_INT(kb_smap_decode("I,AACA;IAAA,DAAC", 16, 1, &m), 0);
    KT_EQ_INT((int)m.n, 4);
    KT_EQ_INT(m.v[0].src, -1);
    KT_EQ_INT((int)m.v[1].gcol, 4);
    KT_EQ_INT((int)m.v[2].gcol, 3);
    KT_EQ_INT((int)m.v[3].gcol, 4);
    kc_buf_reset(&mp);
    KT_EQ_INT(kb_smap_mappings(&m, 0, &mp), 0);
    KT_EQ_STR(mp.data, "I,AACA;GAAC,CAAD");
    kb_smap_free(&m);
    static const char *const bad[] = {
        "AA",       /* two fields */
        "AAAAAA",   /* six */
        "AC AA",    /* not base64 */
        "ACAA",     /* source 1 of 1 */
        "AADA",     /* line -1 */
        "D",        /* column -1 */
        "g",        /* a continuation that never ends */
        "gggggggA", /* more than 32 bits */
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        KT_EQ_INT(kb_smap_decode(bad[i], strlen(bad[i]), 1, &m), KC_EINVAL);
    kc_buf_free(&mp);
}

/* ---- linking on a site in memory ------------------------------------------- */

static struct kb_options opt = { .base = "/", .bundle = true };
static struct kb_site site;
static struct kb_graph g;

static void
site_free(void)
{
    if (site.opt)
        kb_site_free(&site);
    memset(&site, 0, sizeof site);
}

/* files: path, text, path, text, ..., NULL; sorted by path. */
static int
load(const char *const *files)
{
    kb_graph_free(&g);
    site_free();
    site.opt = &opt;
    regcomp(&site.hashed, "^$", REG_EXTENDED);
    size_t n = 0;
    while (files[2 * n])
        n++;
    site.files = calloc(n, sizeof *site.files);
    for (size_t i = 0; i < n; i++) {
        struct kb_file *f = &site.files[i];
        f->path = strdup(files[2 * i]);
        f->data = (unsigned char *)strdup(files[2 * i + 1]);
        f->len = strlen(files[2 * i + 1]);
        f->mime = kc_mime_lookup(f->path);
    }
    site.n = n;
    int rc = kb_resolve(&site);
    return rc ? rc : kb_graph_build(&g, &site);
}

static int
mod(const char *path)
{
    for (size_t i = 0; i < g.n; i++)
        if (strcmp(g.m[i].path, path) == 0)
            return (int)i;
    return -1;
}

/* The export name of module path resolves to the top-level binding `want`
 * of module `in` (or its namespace when want is "*ns*"). */
static void
resolves(const char *path, const char *name, const char *in, const char *want)
{
    struct kb_sym s;
    KT_EQ_INT(kb_graph_resolve_export(&g, mod(path), name, &s), 1);
    KT_EQ_STR(g.m[s.mod].path, in);
    const struct kb_mod *m = &g.m[s.mod];
    const char *got = s.idx == KB_SYM_NS(m)        ? "*ns*"
                      : s.idx == KB_SYM_DEFAULT(m) ? "*default*"
                                                   : m->ast.bindings[s.idx - 1].name;
    KT_EQ_STR(got, want);
}

static const char *const hub_site[] = {
    "a.js",
    "export const x = 1, y = 2; export default function f() {}\n",
    "b.js",
    "export const x = 3; export let z = 4; export default 5;\n",
    "c.js",
    "import { z } from './b.js'; export { z as w }; export * from './c.js';\n",
    "hub.js",
    "export * from './a.js'; export * from './b.js'; export * from './c.js';\n"
    "export { default } from './b.js'; export * as ns from './a.js';\n",
    "index.html",
    "<script type=module src=main.js></script>",
    "main.js",
    "import * as h from './hub.js'; import d from './a.js'; h; d;\n",
    NULL,
};

static void
t_link_reexports(void)
{
    KT_EQ_INT(load(hub_site), 0);
    KT_EQ_INT(g.errors, 0);
    resolves("hub.js", "y", "a.js", "y");
    resolves("hub.js", "z", "b.js", "z");
    resolves("hub.js", "w", "b.js", "z"); /* through an import re-exported */
    resolves("hub.js", "default", "b.js", "*default*");
    resolves("hub.js", "ns", "a.js", "*ns*");
    resolves("a.js", "default", "a.js", "f");
    struct kb_sym s;
    /* Two export * give different x: ambiguous; none gives nope. */
    KT_EQ_INT(kb_graph_resolve_export(&g, mod("hub.js"), "x", &s), -1);
    KT_EQ_INT(kb_graph_resolve_export(&g, mod("hub.js"), "nope", &s), 0);
    /* c.js re-exports itself: the cycle ends, it does not loop. */
    KT_EQ_INT(kb_graph_resolve_export(&g, mod("c.js"), "nope", &s), 0);
}

static void
t_link_namespace_names(void)
{
    KT_EQ_INT(load(hub_site), 0);
    const char **names;
    long n = kb_graph_export_names(&g, mod("hub.js"), &names);
    /* x is ambiguous and left out; default comes from the explicit export;
     * sorted by code unit. */
    KT_EQ_INT(n, 5);
    KT_EQ_STR(names[0], "default");
    KT_EQ_STR(names[1], "ns");
    KT_EQ_STR(names[2], "w");
    KT_EQ_STR(names[3], "y");
    KT_EQ_STR(names[4], "z");
    free(names);
}

static void
t_link_errors(void)
{
    static const char *const bad[] = {
        "a.js",       "export const a = 1;\n",
        "index.html", "<script type=module src=main.js></script>",
        "main.js",    "import { a, b } from './a.js';\n",
        NULL,
    };
    KT_EQ_INT(load(bad), 0);
    KT_EQ_INT(g.errors, 1);
}

/* import() of a template literal without substitutions (Vite 8 writes every
 * lazy route so) is a request like import() of a string: resolved through
 * the scanner's reference (the cooked value: escapes decoded), dynamic, and
 * no bail; so is new URL() of one. A template with a substitution, or a
 * tagged one, is a computed specifier. */
static void
t_template_specifiers(void)
{
    static const char *const tpl[] = {
        "About-CHf2AwwH.js",
        "export default 'about';\n",
        "Blog-Dx81_qaZ.js",
        "export const blog = 1;\n",
        "index.html",
        "<script type=module src=main.js></script>",
        "logo.svg",
        "<svg xmlns='http://www.w3.org/2000/svg'/>",
        "main.js",
        "const routes = [() => import(`./About-CHf2AwwH.js`),\n"
        "  () => import(`./\\u0042log-Dx81_qaZ.js`)];\n"
        "export const logo = new URL(`./logo.svg`, import.meta.url).href;\n",
        NULL,
    };
    KT_EQ_INT(load(tpl), 0);
    KT_EQ_INT(g.errors, 0);
    const struct kb_mod *m = &g.m[mod("main.js")];
    KT_EQ_STR(m->bail ? m->bail : "", "");
    KT_EQ_INT(m->nreq, 2);
    KT_EQ_INT(m->req[0].mod, mod("About-CHf2AwwH.js"));
    KT_EQ_INT(m->req[1].mod, mod("Blog-Dx81_qaZ.js"));
    KT_CHECK(m->req[0].dynamic && m->req[1].dynamic);
    KT_EQ_INT(m->req[0].str->kind, KB_JSN_TEMPLATE_ELEM);
    KT_EQ_STR(m->req[1].str->str, "./Blog-Dx81_qaZ.js");
    /* The literal's span holds its backticks, as a string's holds quotes. */
    KT_EQ_INT(m->src[m->req[0].str->start], '`');
    KT_EQ_INT(m->src[m->req[0].str->end - 1], '`');
    KT_EQ_INT(m->nurls, 1);
    KT_EQ_STR(m->urls[0]->str, "./logo.svg");

    static const char *const computed[] = {
        "a.js",       "export default 1;\n",
        "index.html", "<script type=module src=main.js></script>",
        "main.js",    "const x = 'a'; import(`./${x}.js`);\n",
        NULL,
    };
    KT_EQ_INT(load(computed), 0);
    KT_EQ_INT(g.errors, 0);
    KT_EQ_STR(g.m[mod("main.js")].bail, "import() of a computed specifier");
    KT_EQ_INT(g.m[mod("main.js")].nreq, 0);

    static const char *const tagged[] = {
        "a.js",       "export default 1;\n",
        "index.html", "<script type=module src=main.js></script>",
        "main.js",    "const t = (s) => s[0]; import(t`./a.js`);\n",
        NULL,
    };
    KT_EQ_INT(load(tagged), 0);
    KT_EQ_STR(g.m[mod("main.js")].bail, "import() of a computed specifier");
}

/* A template naming a file that is not there is the same error as a
 * string's: the scanner's reference is missing. */
static void
t_template_specifier_missing(void)
{
    static const char *const bad[] = {
        "index.html", "<script type=module src=main.js></script>",
        "main.js",    "import(`./gone.js`);\n",
        NULL,
    };
    KT_EQ_INT(load(bad), KC_EMISSING);
}

int
main(void)
{
    kc_log_init("test_graph", KC_LOG_QUIET);
    KT_RUN(t_pkg_exports, "package.json exports: string, import/browser/default conditions, "
                          "subpaths, nothing else");
    KT_RUN(t_pkg_fields, "package.json without exports: module, then main, then index.js");
    KT_RUN(t_importmap, "import map: exact keys, then the longest prefix ending in '/'");
    KT_RUN(t_smap, "source map segments: a line each for copied text, one for an edit, UTF-16 "
                   "columns, relative VLQ");
    KT_RUN(t_smap_decode, "source map decoding: absolute segments, unmapped ones, sorted lines, "
                          "invalid strings refused");
    KT_RUN(t_link_reexports, "ResolveExport: re-exports, export *, ambiguity, namespaces, cycles");
    KT_RUN(t_link_namespace_names, "a namespace lists the resolvable export names, sorted");
    KT_RUN(t_link_errors, "importing a name a module does not export is an error");
    KT_RUN(t_template_specifiers, "import() and new URL() of a template without substitutions "
                                  "are literal requests; with one, or tagged, computed");
    KT_RUN(t_template_specifier_missing, "import() of a template naming no file fails the build");
    kb_graph_free(&g);
    site_free();
    return kt_done();
}
