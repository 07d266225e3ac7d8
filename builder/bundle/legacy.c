/*
 * The legacy twins' printer, kiln's loader and the inline HTML snippets. A
 * twin is `System.register([deps], function (_export, _context) { ... })`:
 * setters receive the dependencies' namespaces into local variables, execute
 * runs the spliced modules; the loader (ES5 syntax, prepended to a page's
 * first legacy script) fetches twins with <script> tags, links setters and
 * runs them in the modern chunks' order. Every URL a twin holds is written
 * here, so its span is known and handed to the naming stage as a reference.
 */
#include "builder/bundle/legacy.h"
#include "builder/bundle/internal.h"
#include "common/error.h"
#include "common/hash.h"
#include "common/quote.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KB_LEGACY_MAX (1u << 20) /* bytes of one setter's or one key's text */

/* The loader. ES5 syntax, so that it parses wherever a nomodule script runs;
 * it needs Promise, URL and document.currentScript at run time. */
const char kb_legacy_loader[] =
    "/* kiln legacy loader: docs/bundling.md */\n"
    "(function () {\n"
    "  \"use strict\";\n"
    "  if (window.System && window.System.kiln) return;\n"
    "  var recs = {}, chain = Promise.resolve();\n"
    "  function rec(url) {\n"
    "    var r = recs[url];\n"
    "    if (!r) {\n"
    "      r = recs[url] = { url: url, ns: Object.create(null), values: Object.create(null),\n"
    "                        importers: [], state: 0 };\n"
    "      if (typeof Symbol === \"function\" && Symbol.toStringTag)\n"
    "        Object.defineProperty(r.ns, Symbol.toStringTag, { value: \"Module\" });\n"
    "      r.ready = new Promise(function (res, rej) { r.res = res; r.rej = rej; });\n"
    "    }\n"
    "    return r;\n"
    "  }\n"
    "  /* Fetches a twin by a <script> tag (no eval: CSP script-src 'self' will do). */\n"
    "  function fetchRec(r) {\n"
    "    if (!r.fetched) {\n"
    "      r.fetched = true;\n"
    "      var s = document.createElement(\"script\");\n"
    "      s.src = r.url;\n"
    "      s.setAttribute(\"data-kiln\", \"\");\n"
    "      s.onerror = function () { r.rej(new TypeError(\"cannot load \" + r.url)); };\n"
    "      document.head.appendChild(s);\n"
    "    }\n"
    "    return r.ready;\n"
    "  }\n"
    "  /* Resolves once r and every static dependency registered (cycles too). */\n"
    "  function link(r) {\n"
    "    var seen = {};\n"
    "    function walk(x) {\n"
    "      if (seen[x.url]) return undefined;\n"
    "      seen[x.url] = true;\n"
    "      return fetchRec(x).then(function () { return Promise.all(x.deps.map(walk)); });\n"
    "    }\n"
    "    return walk(r);\n"
    "  }\n"
    "  /* Runs r's dependencies, then r, synchronously as module evaluation does;\n"
    "   * returns a promise only while some execute awaits. */\n"
    "  function run(r) {\n"
    "    if (r.state === 2) {\n"
    "      if (r.error) throw r.error.e;\n"
    "      return r.wait;\n"
    "    }\n"
    "    if (r.state === 1) return undefined;\n"
    "    r.state = 1;\n"
    "    var i = 0;\n"
    "    function next() {\n"
    "      for (; i < r.deps.length; i++) {\n"
    "        var p = run(r.deps[i]);\n"
    "        if (p) { i++; return p.then(next); }\n"
    "      }\n"
    "      return r.execute.call(undefined);\n"
    "    }\n"
    "    try {\n"
    "      var p = next();\n"
    "      if (p && typeof p.then === \"function\")\n"
    "        r.wait = p.then(function () { r.wait = undefined; },\n"
    "                        function (e) { r.error = { e: e }; throw e; });\n"
    "    } catch (e) {\n"
    "      r.error = { e: e };\n"
    "      r.state = 2;\n"
    "      throw e;\n"
    "    }\n"
    "    r.state = 2;\n"
    "    return r.wait;\n"
    "  }\n"
    "  function load(r) {\n"
    "    return link(r).then(function () { return run(r); }).then(function () { return r.ns; });\n"
    "  }\n"
    "  function report(e) { setTimeout(function () { throw e; }); }\n"
    "  /* Setters get r.values; the namespace (import(), import * as) has a\n"
    "   * getter per export that throws before the export is initialised. */\n"
    "  function exporter(r) {\n"
    "    return function (name, value) {\n"
    "      if (typeof name === \"object\") {\n"
    "        for (var k in name) r.values[k] = name[k];\n"
    "      } else {\n"
    "        r.values[name] = value;\n"
    "      }\n"
    "      for (var i = 0; i < r.importers.length; i++) r.importers[i](r.values, r.ns);\n"
    "      return value;\n"
    "    };\n"
    "  }\n"
    "  function getter(r, k) {\n"
    "    return function () {\n"
    "      if (!(k in r.values))\n"
    "        throw new ReferenceError(\"Cannot access '\" + k + \"' before initialization\");\n"
    "      return r.values[k];\n"
    "    };\n"
    "  }\n"
    "  function register(deps, declare) {\n"
    "    var s = document.currentScript, url = s.src, r = rec(url);\n"
    "    /* A twin both on the page and a dependency may arrive twice: one\n"
    "     * instance only, the first. */\n"
    "    if (!r.execute) {\n"
    "      r.fetched = true;\n"
    "      var d = declare(exporter(r), {\n"
    "        meta: { url: url },\n"
    "        import: function (u) { return load(rec(new URL(u, url).href)); }\n"
    "      });\n"
    "      d.exports.forEach(function (k) {\n"
    "        Object.defineProperty(r.ns, k, { enumerable: true, get: getter(r, k) });\n"
    "      });\n"
    "      Object.freeze(r.ns);\n"
    "      r.deps = deps.map(function (u) { return rec(new URL(u, url).href); });\n"
    "      r.execute = d.execute;\n"
    "      r.deps.forEach(function (dep, i) {\n"
    "        dep.importers.push(d.setters[i]);\n"
    "        d.setters[i](dep.values, dep.ns);\n"
    "      });\n"
    "      r.res();\n"
    "    }\n"
    "    if (s.hasAttribute(\"data-kiln\")) return;\n"
    "    /* A page's script: run after the page's earlier ones, as deferred\n"
    "     * module scripts do; its dependencies load meanwhile. */\n"
    "    var linked = link(r);\n"
    "    chain = chain.then(function () { return linked; }).then(function () {\n"
    "      var p = run(r);\n"
    "      if (p) p.then(null, report);\n"
    "    }).then(null, report);\n"
    "  }\n"
    "  window.System = {\n"
    "    kiln: 1,\n"
    "    register: register,\n"
    "    import: function (u) { return load(rec(new URL(u, document.baseURI).href)); }\n"
    "  };\n"
    "})();\n";

/* The well-known fix for Safari 10.1, which supports modules but runs
 * nomodule scripts too: it cancels them through the beforeload event. */
const char kb_legacy_safari_fix[] =
    "!function(){var d=document,c=d.createElement(\"script\");if(!(\"noModule\"in c)&&"
    "\"onbeforeload\"in c){var s=!1;d.addEventListener(\"beforeload\",function(e){if(e.target==="
    "c)s=!0;else if(!e.target.hasAttribute(\"nomodule\")||!s)return;e.preventDefault()},!0),"
    "c.type=\"module\",c.src=\".\",d.head.appendChild(c),c.remove()}}();";

/* Parses only where import.meta and import() do (never fetches anything). */
const char kb_legacy_check[] = "import.meta.url;if(0)import(\"\");self.__kilnModern=!0;";

/* Runs where modules do; where the check did not, loads the nomodule
 * scripts (the page's modern chunks failed to parse there too). */
const char kb_legacy_fallback[] =
    "if(!self.__kilnModern)for(var s=document.querySelectorAll(\"script[nomodule]\"),i=0;"
    "i<s.length;i++){var n=document.createElement(\"script\");n.src=s[i].src;n.async=!1;"
    "if(s[i].integrity)n.integrity=s[i].integrity;if(s[i].crossOrigin)n.crossOrigin="
    "s[i].crossOrigin;document.head.appendChild(n)}";

const char kb_legacy_guard[] = "if (0) import.meta.url, import(\"\"); /* kiln: modern only */\n";

const char kb_legacy_check_tla[] =
    "import.meta.url;if(0)import(\"\");self.__kilnModern=!0;if(0)await 0;";

const char kb_legacy_guard_tla[] =
    "if (0) import.meta.url, import(\"\"), await 0; /* kiln: modern only */\n";

void
kb_legacy_csp(char out[3][64], bool tla)
{
    const char *t[3] = { kb_legacy_safari_fix, tla ? kb_legacy_check_tla : kb_legacy_check,
                         kb_legacy_fallback };
    for (int i = 0; i < 3; i++) {
        unsigned char h[KC_SHA256_LEN];
        char b64[48];
        kc_sha256(t[i], strlen(t[i]), h);
        kc_base64(h, sizeof h, b64);
        snprintf(out[i], 64, "'sha256-%s'", b64);
    }
}

char *
kb_legacy_path(const char *path, unsigned k)
{
    size_t n = strlen(path);
    if (n > 3 && strcmp(path + n - 3, ".js") == 0)
        n -= 3;
    char *p = NULL;
    if (asprintf(&p, "%.*s.legacy%.0u.js", (int)n, path, k > 1 ? k : 0) < 0)
        return NULL;
    return p;
}

/* A property access: .name, or ["name"] for a name that is no identifier. */
static int
put_prop(struct kc_buf *o, const char *name)
{
    struct kc_buf k;
    kc_buf_init(&k, KB_LEGACY_MAX);
    int rc = kb__put_name(&k, name);
    if (!rc)
        rc = k.data[0] == '"' ? kc_buf_printf(o, "[%s]", k.data) : kc_buf_printf(o, ".%s", k.data);
    kc_buf_free(&k);
    return rc;
}

/* A JS string holding a URL, recorded as a reference of the given kind: the
 * span is the text between the quotes, escaped where the URL needs it (a
 * query kept from a template literal may hold a quote), the url as given. */
static int
put_url(struct kc_buf *o, const char *url, enum kb_ref_kind kind, struct kb_reflist *refs)
{
    unsigned line = 1;
    for (size_t i = 0; i < o->len; i++)
        line += o->data[i] == '\n';
    struct kb_ref r = { .start = o->len + 1, .line = line, .kind = kind };
    int rc = kc_quote_js(o, url, strlen(url), KC_QUOTE_LINESEP);
    r.end = o->len - 1;
    return rc ? rc : kb_reflist_push(refs, &r, url, strlen(url));
}

/* X({ a: local, ... }) of the exports held by the given locals (all when
 * locals is NULL). Writes nothing when none is. */
static int
put_exports(const struct kb_legacy_file *f, struct kc_buf *o, const char *const *locals, size_t n,
            const char *tail)
{
    bool any = false;
    int rc = 0;
    for (size_t i = 0; i < f->nexports && !rc; i++) {
        bool in = !locals;
        for (size_t k = 0; k < n && !in; k++)
            in = strcmp(locals[k], f->exports[i].local) == 0;
        if (!in)
            continue;
        rc = kc_buf_puts(o, any ? ", " : "");
        if (!rc && !any)
            rc = kc_buf_printf(o, "%s({ ", f->x);
        if (!rc)
            rc = kb__put_name(o, f->exports[i].name);
        if (!rc)
            rc = kc_buf_printf(o, ": %s", f->exports[i].local);
        any = true;
    }
    if (!rc && any)
        rc = kc_buf_printf(o, " })%s", tail);
    return rc;
}

int
kb_legacy_print(const struct kb_legacy_file *f, struct kc_buf *o, struct kb_reflist *refs,
                struct kb_legacy_at *at)
{
    int rc = f->loader ? kc_buf_puts(o, kb_legacy_loader) : 0;
    if (!rc)
        rc = kc_buf_puts(o, "System.register([");
    for (size_t i = 0; i < f->ndeps && !rc; i++) {
        rc = kc_buf_puts(o, i ? ", " : "");
        if (!rc)
            rc = put_url(o, f->deps[i].url, KB_REF_JS_IMPORT, refs);
    }
    if (!rc)
        rc = kc_buf_printf(o, "], function (%s, %s) {\n\"use strict\";\n", f->x, f->c);
    if (!rc && at)
        at->declare = o->len - strlen("{\n\"use strict\";\n");
    for (size_t i = 0; i < f->ndeps && !rc; i++) {
        const struct kb_legacy_dep *d = &f->deps[i];
        for (size_t k = 0; k < d->n && !rc; k++)
            rc = kc_buf_printf(o, "var %s;\n", d->to[k]);
        if (!rc && d->ns)
            rc = kc_buf_printf(o, "var %s;\n", d->ns);
    }
    if (!rc && f->nurls)
        rc = kc_buf_printf(o, "%s.u = [", f->c);
    for (size_t i = 0; i < f->nurls && !rc; i++) {
        rc = kc_buf_puts(o, i ? ", " : "");
        if (!rc)
            rc = put_url(o, f->urls[i], f->url_kind[i], refs);
    }
    if (!rc && f->nurls)
        rc = kc_buf_puts(o, "];\n");
    /* The namespace's keys, sorted: they exist before anything runs. */
    if (!rc)
        rc = kc_buf_puts(o, "return {\nexports: [");
    for (size_t i = 0; i < f->nexports && !rc; i++) {
        rc = kc_buf_puts(o, i ? ", " : "");
        if (!rc)
            rc = kc_quote_js(o, f->exports[i].name, strlen(f->exports[i].name), 0);
    }
    if (!rc)
        rc = kc_buf_puts(o, "],\nsetters: [");
    for (size_t i = 0; i < f->ndeps && !rc; i++) {
        const struct kb_legacy_dep *d = &f->deps[i];
        rc = kc_buf_printf(o, "%sfunction (m%s) {", i ? ", " : "", d->ns ? ", ns" : "");
        for (size_t k = 0; k < d->n && !rc; k++) {
            rc = kc_buf_printf(o, " %s = m", d->to[k]);
            if (!rc)
                rc = put_prop(o, d->from[k]);
            if (!rc)
                rc = kc_buf_putc(o, ';');
        }
        if (!rc && d->ns)
            rc = kc_buf_printf(o, " %s = ns;", d->ns);
        /* Re-exported imports stay live: the setter exports them again. */
        struct kc_buf x;
        kc_buf_init(&x, KB_LEGACY_MAX);
        if (!rc && d->n)
            rc = put_exports(f, &x, d->to, d->n, ";");
        if (!rc && d->ns)
            rc = put_exports(f, &x, &d->ns, 1, ";");
        if (!rc && x.len)
            rc = kc_buf_printf(o, " %s", x.data);
        kc_buf_free(&x);
        if (!rc)
            rc = kc_buf_puts(o, " }");
    }
    if (!rc)
        rc = kc_buf_printf(o, "],\nexecute: %sfunction () {\n", f->async ? "async " : "");
    if (!rc && f->nhoisted)
        rc = put_exports(f, o, f->hoisted, f->nhoisted, ";\n");
    if (!rc && f->pre_len)
        rc = kc_buf_append(o, f->pre, f->pre_len);
    if (!rc && at)
        at->body = o->len;
    if (!rc && f->body_len)
        rc = kc_buf_append(o, f->body, f->body_len);
    if (!rc)
        rc = kc_buf_puts(o, ";\n");
    if (!rc)
        rc = put_exports(f, o, NULL, 0, ";\n");
    if (!rc)
        rc = kc_buf_puts(o, "}\n};\n});\n");
    return rc;
}
