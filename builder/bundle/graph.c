/*
 * The module graph: every module the entry documents' module scripts load
 * statically or through import('literal'), parsed with the ECMAScript parser,
 * its requests resolved (relative and absolute paths through the references
 * resolve.c already mapped, bare specifiers through the page's import map or
 * node_modules), and its imports linked to bindings by the specification's
 * ResolveExport. Input problems are file:line:col errors; patterns the
 * bundler cannot reproduce exactly set the module's `bail` reason instead.
 */
#include "builder/bundle/internal.h"
#include "common/diag.h"
#include "common/error.h"
#include "common/log.h"
#include "common/path.h"
#include "common/vec.h"

#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define KB_RESOLVE_DEPTH 1024 /* re-export chains longer than this are refused */

/* ---- the walk --------------------------------------------------------------- */

static int
walk_list(struct kb_jsn *n, kb_graph_visit fn, void *ctx, int depth)
{
    for (; n; n = n->next) {
        int rc = kb_graph_walk(n, fn, ctx, depth);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int
walk_key(struct kb_jsn *n, kb_graph_visit fn, void *ctx, int depth)
{
    /* A computed key is an expression; a plain one is a name. */
    return (n->flags & KB_JSN_F_COMPUTED) ? walk_list(n->a, fn, ctx, depth) : 0;
}

int
kb_graph_walk(struct kb_jsn *n, kb_graph_visit fn, void *ctx, int depth)
{
    if (!n)
        return 0;
    int rc = fn(ctx, n, false, depth);
    if (rc)
        return rc < 0 ? rc : 0;
    int inner = depth;
    switch (n->kind) {
    case KB_JSN_IMPORT:
    case KB_JSN_EXPORT_ALL:
    case KB_JSN_META_PROP:
    case KB_JSN_BREAK:
    case KB_JSN_CONTINUE: return 0;
    case KB_JSN_LABELED: return kb_graph_walk(n->b, fn, ctx, depth);
    case KB_JSN_EXPORT_NAMED: return kb_graph_walk(n->a, fn, ctx, depth);
    case KB_JSN_MEMBER:
        rc = kb_graph_walk(n->a, fn, ctx, depth);
        if (!rc && (n->flags & KB_JSN_F_COMPUTED))
            rc = kb_graph_walk(n->b, fn, ctx, depth);
        return rc;
    case KB_JSN_PROPERTY:
        rc = walk_key(n, fn, ctx, depth);
        if (!rc && (n->flags & KB_JSN_F_SHORTHAND) && n->b) {
            struct kb_jsn *v = n->b->kind == KB_JSN_ASSIGN_PAT ? n->b->a : n->b;
            if (v->kind == KB_JSN_IDENT)
                rc = fn(ctx, v, true, depth);
            if (rc >= 0 && n->b->kind == KB_JSN_ASSIGN_PAT)
                rc = kb_graph_walk(n->b->b, fn, ctx, depth);
            return rc < 0 ? rc : 0;
        }
        return rc ? rc : kb_graph_walk(n->b, fn, ctx, depth);
    case KB_JSN_METHOD:
        rc = walk_key(n, fn, ctx, depth);
        return rc ? rc : kb_graph_walk(n->b, fn, ctx, depth);
    case KB_JSN_FIELD:
        rc = walk_key(n, fn, ctx, depth);
        return rc ? rc : kb_graph_walk(n->b, fn, ctx, depth + 1);
    case KB_JSN_FUNC_DECL:
    case KB_JSN_FUNC_EXPR:
    case KB_JSN_ARROW:
    case KB_JSN_STATIC_BLOCK: inner = depth + 1; break;
    default: break;
    }
    if (n->kind == KB_JSN_FUNC_DECL || n->kind == KB_JSN_FUNC_EXPR) {
        rc = kb_graph_walk(n->a, fn, ctx, depth); /* the name belongs outside */
        if (!rc)
            rc = walk_list(n->b, fn, ctx, inner);
        return rc ? rc : walk_list(n->c, fn, ctx, inner);
    }
    rc = walk_list(n->a, fn, ctx, inner);
    if (!rc)
        rc = walk_list(n->b, fn, ctx, inner);
    if (!rc)
        rc = walk_list(n->c, fn, ctx, inner);
    if (!rc)
        rc = walk_list(n->d, fn, ctx, inner);
    return rc;
}

struct kb_jsn *
kb__spec_literal(struct kb_jsn *n)
{
    if (n && n->kind == KB_JSN_STR)
        return n;
    /* An untagged template's cooked value is never NULL: a bad escape is a
     * syntax error there. */
    if (n && n->kind == KB_JSN_TEMPLATE && !n->b && n->a && !n->a->next && n->a->str)
        return n->a;
    return NULL;
}

/* ---- pure helpers: package.json and import maps ------------------------------ */

static int
put(char *out, size_t outsz, const char *a, const char *b)
{
    int n = snprintf(out, outsz, "%s%s", a, b ? b : "");
    return n < 0 || (size_t)n >= outsz ? KC_ETOOBIG : 0;
}

/* The first target of a conditional export value the browser's ESM loader
 * would take: strings as they are, objects by the import/browser/default
 * conditions in the object's order, arrays by their first usable entry. */
static const char *
conditions(json_t *v, int depth)
{
    if (depth > 16 || !v)
        return NULL;
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_array(v)) {
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e)
        {
            const char *r = conditions(e, depth + 1);
            if (r)
                return r;
        }
        return NULL;
    }
    if (!json_is_object(v))
        return NULL;
    const char *k;
    json_t *e;
    json_object_foreach(v, k, e)
    {
        if (strcmp(k, "import") == 0 || strcmp(k, "browser") == 0 || strcmp(k, "default") == 0) {
            const char *r = conditions(e, depth + 1);
            if (r)
                return r;
        }
    }
    return NULL;
}

int
kb_graph_pkg_entry(const char *json, size_t len, const char *subpath, char *out, size_t outsz)
{
    json_error_t err;
    json_t *root = json_loadb(json, len, 0, &err);
    if (!root || !json_is_object(root)) {
        json_decref(root);
        return KC_EPARSE;
    }
    int rc = KC_ENOENT;
    const char *r = NULL;
    json_t *ex = json_object_get(root, "exports");
    if (ex) {
        /* Subpath keys start with '.'; otherwise the object is the
         * conditions of ".". */
        bool subpaths = false;
        const char *k;
        json_t *e;
        if (json_is_object(ex))
            json_object_foreach(ex, k, e) subpaths |= k[0] == '.';
        if (subpaths)
            r = conditions(json_object_get(ex, subpath), 0);
        else if (strcmp(subpath, ".") == 0)
            r = conditions(ex, 0);
    } else if (strcmp(subpath, ".") != 0) {
        r = subpath;
    } else {
        const char *keys[] = { "module", "main" };
        for (size_t i = 0; i < 2 && !r; i++) {
            json_t *v = json_object_get(root, keys[i]);
            r = json_is_string(v) ? json_string_value(v) : NULL;
        }
        if (!r)
            r = "index.js";
    }
    if (r)
        rc = put(out, outsz, r, NULL);
    json_decref(root);
    return rc;
}

int
kb_graph_importmap(const char *json, size_t len, const char *spec, char *out, size_t outsz)
{
    json_error_t err;
    json_t *root = json_loadb(json, len, 0, &err);
    if (!root || !json_is_object(root)) {
        json_decref(root);
        return KC_EPARSE;
    }
    json_t *imports = json_object_get(root, "imports");
    const char *best = NULL, *val = NULL, *k;
    json_t *v;
    int rc = KC_ENOENT;
    if (json_is_object(imports)) {
        json_object_foreach(imports, k, v)
        {
            if (!json_is_string(v))
                continue;
            size_t kn = strlen(k);
            if (strcmp(k, spec) == 0) {
                best = k;
                val = json_string_value(v);
                break;
            }
            if (kn && k[kn - 1] == '/' && strncmp(k, spec, kn) == 0 &&
                (!best || kn > strlen(best))) {
                best = k;
                val = json_string_value(v);
            }
        }
    }
    if (best)
        rc = put(out, outsz, val, strcmp(best, spec) == 0 ? NULL : spec + strlen(best));
    json_decref(root);
    return rc;
}

/* ---- loading ---------------------------------------------------------------- */

static void error_at(struct kb_graph *g, const struct kb_mod *m, uint32_t off, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
error_at(struct kb_graph *g, const struct kb_mod *m, uint32_t off, const char *fmt, ...)
{
    struct kc_diag d;
    va_list ap;
    va_start(ap, fmt);
    kc_diag_vset(&d, m->src, off, fmt, ap);
    va_end(ap);
    kc_error("%s:%u:%u: %s", m->path, d.line, d.col, d.msg);
    g->errors++;
}

static void
bail(struct kb_mod *m, uint32_t at, const char *why)
{
    if (!m->bail) {
        m->bail = why;
        m->bail_at = at;
    }
}

/* The text of the first <script type="importmap"> of an HTML document, found
 * by a plain search (the HTML scanner keeps no script bodies). */
static const char *
importmap_of(const struct kb_file *doc, size_t *len)
{
    const char *d = (const char *)doc->data, *end = d + doc->len;
    for (const char *p = d; p && p < end;) {
        p = memmem(p, (size_t)(end - p), "<script", 7);
        if (!p)
            break;
        const char *gt = memchr(p, '>', (size_t)(end - p));
        if (!gt)
            break;
        bool is_map = memmem(p, (size_t)(gt - p), "importmap", 9) != NULL;
        p = gt + 1;
        if (!is_map)
            continue;
        for (const char *q = p; q + 9 <= end; q++)
            if (strncasecmp(q, "</script", 8) == 0) {
                *len = (size_t)(q - p);
                return p;
            }
        break;
    }
    return NULL;
}

static int
add_module(struct kb_graph *g, int file, int map_doc)
{
    if (g->mod_of[file] >= 0)
        return g->mod_of[file];
    int rc = kc_vec_reserve(g->m, g->cap, g->n + 1, KB_MAX_FILES);
    if (rc)
        return rc;
    struct kb_file *f = &g->s->files[file];
    g->m[g->n] = (struct kb_mod){ .file = file,
                                  .map_doc = map_doc,
                                  .path = f->path,
                                  .src = (const char *)f->data,
                                  .len = f->len,
                                  .chunk = -1 };
    g->mod_of[file] = (int)g->n;
    return (int)g->n++;
}

/* Resolves a bare specifier: the import map of the page, else node_modules
 * directories from the module's own upwards. Returns a file index, -1 when
 * nothing matched, or -2 when the import map sends it outside the site. */
static int
resolve_bare(struct kb_graph *g, const struct kb_mod *m, const char *spec)
{
    const struct kb_site *s = g->s;
    char path[PATH_MAX], target[PATH_MAX], dir[PATH_MAX];
    if (m->map_doc >= 0) {
        size_t n;
        const struct kb_file *doc = &s->files[m->map_doc];
        const char *map = importmap_of(doc, &n);
        if (map && kb_graph_importmap(map, n, spec, target, sizeof target) == 0) {
            if (!(target[0] == '/' || strncmp(target, "./", 2) == 0 ||
                  strncmp(target, "../", 3) == 0))
                return -2;
            kc_path_dirname(doc->path, dir, sizeof dir);
            if (kc_path_resolve(dir, target, path, sizeof path) != 0)
                return -1;
            return kb_site_find(s, path);
        }
    }
    /* "@scope/name/sub" or "name/sub": the package name, then the subpath. */
    const char *slash = strchr(spec, '/');
    if (spec[0] == '@' && slash)
        slash = strchr(slash + 1, '/');
    size_t pn = slash ? (size_t)(slash - spec) : strlen(spec);
    char sub[PATH_MAX];
    if (put(sub, sizeof sub, slash ? "." : ".", slash) != 0)
        return -1;
    kc_path_dirname(m->path, dir, sizeof dir);
    for (;;) {
        int n = snprintf(path, sizeof path, "%s%snode_modules/%.*s/package.json", dir,
                         dir[0] ? "/" : "", (int)pn, spec);
        int pj = n > 0 && (size_t)n < sizeof path ? kb_site_find(s, path) : -1;
        if (pj >= 0) {
            const struct kb_file *f = &s->files[pj];
            if (kb_graph_pkg_entry((const char *)f->data, f->len, sub, target, sizeof target) != 0)
                return -1;
            char pkg[PATH_MAX];
            kc_path_dirname(path, pkg, sizeof pkg);
            if (kc_path_resolve(pkg, target, path, sizeof path) != 0)
                return -1;
            return kb_site_find(s, path);
        }
        if (!dir[0])
            return -1;
        char up[PATH_MAX];
        kc_path_dirname(dir, up, sizeof up);
        memcpy(dir, up, strlen(up) + 1);
    }
}

/* Adds request str of module mi, resolving it to a module (loaded later). */
static int
add_req(struct kb_graph *g, int mi, struct kb_jsn *str, bool dynamic)
{
    struct kb_mod *m = &g->m[mi];
    const struct kb_file *f = &g->s->files[m->file];
    int t = KB_T_NONE;
    bool matched = false;
    for (size_t r = 0; r < f->refs.n; r++)
        if (f->refs.v[r].start == (size_t)str->start + 1 &&
            (f->refs.v[r].kind == KB_REF_JS_IMPORT || f->refs.v[r].kind == KB_REF_JS_DYNAMIC)) {
            t = f->target[r];
            matched = true;
            break;
        }
    const char *spec = str->str;
    bool bare = !(spec[0] == '/' || strncmp(spec, "./", 2) == 0 || strncmp(spec, "../", 3) == 0);
    bool external =
        strstr(spec, "://") || strncmp(spec, "data:", 5) == 0 || strncmp(spec, "//", 2) == 0;
    if (external) {
        bail(m, str->start, "imports a module from another origin");
        return 0;
    }
    if (strpbrk(spec, "?#")) {
        /* "./a.js?v=2" and "./a.js" are two instances of one file. */
        bail(m, str->start, "a specifier with a query or fragment");
        return 0;
    }
    if (bare) {
        t = resolve_bare(g, m, spec);
        if (t == -2) {
            bail(m, str->start, "the import map sends a specifier to another origin");
            return 0;
        }
    } else if (!matched) {
        t = KB_T_MISSING;
    }
    if (t < 0) {
        error_at(g, m, str->start, "cannot resolve '%s'%s", spec,
                 bare ? " (no import map entry, no node_modules package)" : "");
        return 0;
    }
    if (g->s->files[t].mime->kind != KC_KIND_JS) {
        bail(m, str->start, "imports a file that is not JavaScript");
        return 0;
    }
    int ti = add_module(g, t, m->map_doc);
    if (ti < 0)
        return ti;
    m = &g->m[mi];
    int rc = kc_vec_reserve(m->req, m->capreq, m->nreq + 1, KB_LIST_MAX);
    if (!rc)
        m->req[m->nreq++] = (struct kb_req){ str, ti, dynamic };
    return rc;
}

static int
req_index(const struct kb_mod *m, const struct kb_jsn *str)
{
    for (size_t i = 0; i < m->nreq; i++)
        if (m->req[i].str == str)
            return (int)i;
    return -1;
}

struct scan_ctx {
    struct kb_graph *g;
    int mi;
    int rc;
};

static bool
is_import_meta_url(const struct kb_jsn *n)
{
    return n && n->kind == KB_JSN_MEMBER && !(n->flags & KB_JSN_F_COMPUTED) && n->a &&
           n->a->kind == KB_JSN_META_PROP && n->a->a && strcmp(n->a->a->str, "import") == 0 &&
           n->b && n->b->kind == KB_JSN_IDENT && strcmp(n->b->str, "url") == 0;
}

/* Dynamic imports, import.meta, top-level await, direct eval. */
static int
scan_visit(void *vctx, struct kb_jsn *n, bool shorthand, int depth)
{
    (void)shorthand;
    struct scan_ctx *c = vctx;
    struct kb_mod *m = &c->g->m[c->mi];
    switch (n->kind) {
    case KB_JSN_IMPORT_CALL:
        if (n->b) {
            bail(m, n->start, "import() with options");
        } else if (kb__spec_literal(n->a)) {
            int rc = add_req(c->g, c->mi, kb__spec_literal(n->a), true);
            return rc < 0 ? rc : 1;
        } else {
            /* Warned once its entry points are known (kb__bail_mod): not
             * for a bundler's output passing through. */
            bail(m, n->start, "import() of a computed specifier");
            m->computed = true;
        }
        return 0;
    case KB_JSN_NEW:
        /* new URL('x', import.meta.url): the literal is rewritten to the
         * chunk's directory, so the asset still resolves. */
        if (n->a && n->a->kind == KB_JSN_IDENT && n->a->binding == 0 &&
            strcmp(n->a->str, "URL") == 0 && kb__spec_literal(n->b) && n->b->next &&
            is_import_meta_url(n->b->next) && !n->b->next->next) {
            int rc = kc_vec_reserve(m->urls, m->capurls, m->nurls + 1, KB_LIST_MAX);
            if (rc)
                return rc;
            m->urls[m->nurls++] = kb__spec_literal(n->b);
            return 1;
        }
        return 0;
    case KB_JSN_META_PROP:
        if (n->a && strcmp(n->a->str, "import") == 0)
            bail(m, n->start, "import.meta outside new URL('...', import.meta.url)");
        return 0;
    case KB_JSN_AWAIT:
        if (depth == 0)
            m->tla = true;
        return 0;
    case KB_JSN_FOR_OF:
        if (depth == 0 && (n->flags & KB_JSN_F_AWAIT))
            m->tla = true;
        return 0;
    case KB_JSN_CALL:
        if (n->a && n->a->kind == KB_JSN_IDENT && n->a->binding == 0 &&
            strcmp(n->a->str, "eval") == 0)
            bail(m, n->start, "direct eval()");
        return 0;
    case KB_JSN_WITH: bail(m, n->start, "with statement"); return 0;
    default: return 0;
    }
}

static int
push_exp(struct kb_mod *m, struct kb_exp e)
{
    int rc = kc_vec_reserve(m->exp, m->capexp, m->nexp + 1, KB_LIST_MAX);
    if (!rc)
        m->exp[m->nexp++] = e;
    return rc;
}

/* Records the module's import and export entries, as the specification's
 * ParseModule does, from its top-level statements. */
struct top_decl {
    uint32_t start, idx; /* a top-level binding: its declaring name's offset, its index */
};

static int
cmp_top_decl(const void *x, const void *y)
{
    const struct top_decl *a = x, *b = y;
    if (a->start != b->start)
        return a->start < b->start ? -1 : 1;
    return (a->idx > b->idx) - (a->idx < b->idx);
}

static int
entries(struct kb_graph *g, int mi)
{
    struct kb_mod *m = &g->m[mi];
    int rc = 0;
    struct top_decl *top = NULL;
    size_t ntop = 0;
    m->imp_of = calloc(m->ast.nbindings + 1, sizeof *m->imp_of);
    if (!m->imp_of)
        return KC_ENOMEM;
    for (struct kb_jsn *st = m->ast.program->a; st && !rc; st = st->next) {
        switch (st->kind) {
        case KB_JSN_IMPORT: {
            if (st->c) {
                bail(m, st->start, "import attributes");
                break;
            }
            int r = req_index(m, st->b);
            if (r < 0)
                break; /* unresolved: already an error or a bail */
            for (struct kb_jsn *q = st->a; q; q = q->next) {
                const char *name = q->kind == KB_JSN_IMPORT_NS        ? NULL
                                   : q->kind == KB_JSN_IMPORT_DEFAULT ? "default"
                                                                      : q->a->str;
                rc = kc_vec_reserve(m->imp, m->capimp, m->nimp + 1, KB_LIST_MAX);
                if (rc)
                    break;
                m->imp[m->nimp] = (struct kb_imp){ q->b->binding, r, name, q, { -1, 0 } };
                m->imp_of[q->b->binding] = (uint32_t)++m->nimp;
                if (m->ast.bindings[q->b->binding - 1].flags & KB_JS_BF_REASSIGNED)
                    bail(m, q->start, "assignment to an imported binding");
            }
            break;
        }
        case KB_JSN_EXPORT_NAMED: {
            if (st->d)
                bail(m, st->start, "import attributes");
            struct kb_jsn *d = st->a;
            if (d && d->kind == KB_JSN_VAR_DECL) {
                /* Every top-level binding the declaration makes is exported:
                 * they are the top-level bindings declared inside its span
                 * (found in the bindings sorted by position: a module of
                 * 40,000 `export const` stays n log n). */
                if (!top) {
                    top = malloc((m->ast.nbindings + 1) * sizeof *top);
                    if (!top) {
                        rc = KC_ENOMEM;
                        break;
                    }
                    for (uint32_t i = 0; i < m->ast.nbindings; i++)
                        if (m->ast.bindings[i].flags & KB_JS_BF_TOP)
                            top[ntop++] = (struct top_decl){ m->ast.bindings[i].decl->start, i };
                    qsort(top, ntop, sizeof *top, cmp_top_decl);
                }
                size_t lo = 0, hi = ntop;
                while (lo < hi) {
                    size_t mid = lo + (hi - lo) / 2;
                    if (top[mid].start < d->start)
                        lo = mid + 1;
                    else
                        hi = mid;
                }
                for (size_t k = lo; k < ntop && top[k].start < d->end && !rc; k++) {
                    struct kb_js_binding *b = &m->ast.bindings[top[k].idx];
                    if (b->decl->end <= d->end)
                        rc = push_exp(m, (struct kb_exp){ b->name, KB_EXP_LOCAL, top[k].idx + 1, -1,
                                                          NULL, b->decl });
                }
            } else if (d) {
                rc = push_exp(
                    m, (struct kb_exp){ d->a->str, KB_EXP_LOCAL, d->a->binding, -1, NULL, d->a });
            }
            int r = st->c ? req_index(m, st->c) : -1;
            if (st->c && r < 0)
                break;
            for (struct kb_jsn *q = st->b; q && !rc; q = q->next)
                rc = push_exp(m, (struct kb_exp){ q->b->str, r < 0 ? KB_EXP_LOCAL : KB_EXP_INDIRECT,
                                                  r < 0 ? q->a->binding : 0, r, q->a->str, q });
            break;
        }
        case KB_JSN_EXPORT_DEFAULT: {
            struct kb_jsn *d = st->a;
            uint32_t idx = (d->kind == KB_JSN_FUNC_DECL || d->kind == KB_JSN_CLASS_DECL) && d->a
                               ? d->a->binding
                               : KB_SYM_DEFAULT(m);
            if (idx == KB_SYM_DEFAULT(m))
                m->dflt = st;
            rc = push_exp(m, (struct kb_exp){ "default", KB_EXP_LOCAL, idx, -1, NULL, st });
            break;
        }
        case KB_JSN_EXPORT_ALL: {
            if (st->c)
                bail(m, st->start, "import attributes");
            int r = req_index(m, st->b);
            if (r < 0)
                break;
            if (st->a) {
                rc = push_exp(m, (struct kb_exp){ st->a->str, KB_EXP_INDIRECT, 0, r, NULL, st });
            } else {
                rc = kc_vec_reserve(m->star, m->capstar, m->nstar + 1, KB_LIST_MAX);
                if (!rc)
                    m->star[m->nstar++] = r;
            }
            break;
        }
        default: break;
        }
    }
    free(top);
    return rc;
}

/* Parses module mi and records its requests (which adds modules). */
static int
load(struct kb_graph *g, int mi)
{
    struct kb_mod *m = &g->m[mi];
    struct kc_diag d = { 0 };
    int rc = kb_jsast_parse(m->src, m->len, true, &m->ast, &d);
    if (rc == 0)
        rc = kb_jsast_scope(&m->ast, m->src, &d);
    /* What lowering will reject is reported here, at the module's own line
     * and column: for the modern chunks' --target, and ES5 for the twins. */
    const struct kb_options *opt = g->s->opt;
    const char *hint = "";
    if (rc == 0 && opt->target != KB_ESNEXT)
        rc = kb_lower_check(&m->ast, m->src, m->len, opt->target, opt->legacy, &d);
    if (rc == 0 && opt->legacy) {
        rc = kb_lower_check(&m->ast, m->src, m->len, KB_ES5, true, &d);
        hint = " (--no-legacy builds without the legacy twins)";
    }
    if (rc == KC_EPARSE) {
        kc_error("%s:%u:%u: %s%s", m->path, d.line, d.col, d.msg, hint);
        g->errors++;
        return 0;
    }
    if (rc)
        return rc;
    for (struct kb_jsn *st = m->ast.program->a; st && !rc; st = st->next) {
        struct kb_jsn *src = st->kind == KB_JSN_IMPORT         ? st->b
                             : st->kind == KB_JSN_EXPORT_NAMED ? st->c
                             : st->kind == KB_JSN_EXPORT_ALL   ? st->b
                                                               : NULL;
        if (src)
            rc = add_req(g, mi, src, false);
    }
    struct scan_ctx c = { g, mi, 0 };
    if (!rc)
        rc = kb_graph_walk(g->m[mi].ast.program, scan_visit, &c, 0);
    if (!rc)
        rc = entries(g, mi);
    return rc;
}

/* ---- linking ------------------------------------------------------------------ */

struct rset {
    struct {
        int mod;
        const char *name;
    } v[KB_RESOLVE_DEPTH];
    size_t n;
};

static int resolve_in(const struct kb_graph *g, int mi, const char *name, struct kb_sym *out,
                      struct rset *rs);

/* A local export whose binding is itself an import resolves further. */
static int
resolve_sym(const struct kb_graph *g, int mi, uint32_t idx, struct kb_sym *out, struct rset *rs)
{
    const struct kb_mod *m = &g->m[mi];
    uint32_t ii = idx <= m->ast.nbindings ? m->imp_of[idx] : 0;
    if (!ii) {
        *out = (struct kb_sym){ mi, idx };
        return 1;
    }
    const struct kb_imp *im = &m->imp[ii - 1];
    int t = m->req[im->req].mod;
    if (!im->name) {
        *out = (struct kb_sym){ t, KB_SYM_NS(&g->m[t]) };
        return 1;
    }
    return resolve_in(g, t, im->name, out, rs);
}

static int
resolve_in(const struct kb_graph *g, int mi, const char *name, struct kb_sym *out, struct rset *rs)
{
    for (size_t i = 0; i < rs->n; i++)
        if (rs->v[i].mod == mi && strcmp(rs->v[i].name, name) == 0)
            return 0; /* a circular import request */
    if (rs->n == KB_RESOLVE_DEPTH)
        return 0;
    rs->v[rs->n].mod = mi;
    rs->v[rs->n++].name = name;
    const struct kb_mod *m = &g->m[mi];
    for (size_t i = 0; i < m->nexp; i++) {
        const struct kb_exp *e = &m->exp[i];
        if (strcmp(e->name, name) != 0)
            continue;
        if (e->kind == KB_EXP_LOCAL)
            return resolve_sym(g, mi, e->idx, out, rs);
        int t = m->req[e->req].mod;
        if (!e->imp) {
            *out = (struct kb_sym){ t, KB_SYM_NS(&g->m[t]) };
            return 1;
        }
        return resolve_in(g, t, e->imp, out, rs);
    }
    if (strcmp(name, "default") == 0)
        return 0;
    struct kb_sym star = { -1, 0 };
    for (size_t i = 0; i < m->nstar; i++) {
        struct kb_sym r;
        int k = resolve_in(g, m->req[m->star[i]].mod, name, &r, rs);
        if (k < 0)
            return -1;
        if (k == 0)
            continue;
        if (star.mod < 0)
            star = r;
        else if (star.mod != r.mod || star.idx != r.idx)
            return -1;
    }
    if (star.mod < 0)
        return 0;
    *out = star;
    return 1;
}

int
kb_graph_resolve_export(const struct kb_graph *g, int m, const char *name, struct kb_sym *out)
{
    struct rset *rs = malloc(sizeof *rs);
    if (!rs)
        return 0;
    rs->n = 0;
    int k = resolve_in(g, m, name, out, rs);
    free(rs);
    return k;
}

static int
names_in(const struct kb_graph *g, int mi, const char ***v, size_t *n, size_t *cap, int *seen,
         size_t *nseen)
{
    for (size_t i = 0; i < *nseen; i++)
        if (seen[i] == mi)
            return 0;
    seen[(*nseen)++] = mi;
    const struct kb_mod *m = &g->m[mi];
    int rc = 0;
    for (size_t i = 0; i < m->nexp && !rc; i++)
        rc = kb__push_name(v, n, cap, m->exp[i].name);
    for (size_t i = 0; i < m->nstar && !rc; i++) {
        const char **sv = NULL;
        size_t sn = 0, scap = 0;
        rc = names_in(g, m->req[m->star[i]].mod, &sv, &sn, &scap, seen, nseen);
        for (size_t k = 0; k < sn && !rc; k++)
            if (strcmp(sv[k], "default") != 0)
                rc = kb__push_name(v, n, cap, sv[k]);
        free(sv);
    }
    return rc;
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

long
kb_graph_export_names(const struct kb_graph *g, int m, const char ***names)
{
    int *seen = malloc((g->n + 1) * sizeof *seen);
    size_t nseen = 0, n = 0, cap = 0;
    *names = NULL;
    if (!seen)
        return -1;
    int rc = names_in(g, m, names, &n, &cap, seen, &nseen);
    free(seen);
    if (rc) {
        free(*names);
        *names = NULL;
        return -1;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        struct kb_sym s;
        if (kb_graph_resolve_export(g, m, (*names)[i], &s) == 1)
            (*names)[k++] = (*names)[i];
    }
    qsort(*names, k, sizeof **names, cmp_str);
    return (long)k;
}

/* Links every import, and checks every indirect export, of every module. */
static void
link_all(struct kb_graph *g)
{
    for (size_t mi = 0; mi < g->n; mi++) {
        struct kb_mod *m = &g->m[mi];
        for (size_t i = 0; i < m->nimp; i++) {
            struct kb_imp *im = &m->imp[i];
            const struct kb_req *r = &m->req[im->req];
            if (!im->name) {
                im->to = (struct kb_sym){ r->mod, KB_SYM_NS(&g->m[r->mod]) };
                continue;
            }
            int k = kb_graph_resolve_export(g, r->mod, im->name, &im->to);
            if (k == 0)
                error_at(g, m, im->node->start, "'%s' does not export '%s'", r->str->str, im->name);
            else if (k < 0)
                error_at(g, m, im->node->start,
                         "'%s' is ambiguous: several 'export *' of '%s' "
                         "provide it",
                         im->name, r->str->str);
        }
        for (size_t i = 0; i < m->nexp; i++) {
            const struct kb_exp *e = &m->exp[i];
            struct kb_sym s;
            if (e->kind != KB_EXP_INDIRECT || !e->imp)
                continue;
            int k = kb_graph_resolve_export(g, m->req[e->req].mod, e->imp, &s);
            if (k == 0)
                error_at(g, m, e->node->start, "'%s' does not export '%s'", m->req[e->req].str->str,
                         e->imp);
            else if (k < 0)
                error_at(g, m, e->node->start, "'%s' is ambiguous in '%s'", e->imp,
                         m->req[e->req].str->str);
        }
    }
}

int
kb_graph_build(struct kb_graph *g, struct kb_site *s)
{
    *g = (struct kb_graph){ .s = s };
    g->mod_of = malloc((s->n + 1) * sizeof *g->mod_of);
    if (!g->mod_of)
        return KC_ENOMEM;
    for (size_t i = 0; i < s->n; i++)
        g->mod_of[i] = -1;
    int rc = 0;
    for (size_t d = 0; d < s->n && !rc; d++) {
        const struct kb_file *doc = &s->files[d];
        if (!(doc->role & KB_ROLE_ENTRY) || !doc->reachable)
            continue;
        for (size_t r = 0; r < doc->refs.n && !rc; r++) {
            int t = doc->target[r];
            if (doc->refs.v[r].kind == KB_REF_HTML_MODULE && t >= 0 &&
                s->files[t].mime->kind == KC_KIND_JS) {
                int mi = add_module(g, t, (int)d);
                rc = mi < 0 ? mi : 0;
            }
        }
    }
    /* add_module appends: loading in index order reaches every module. */
    for (size_t i = 0; i < g->n && !rc; i++)
        rc = load(g, (int)i);
    if (!rc && !g->errors)
        link_all(g);
    return rc;
}

void
kb_graph_free(struct kb_graph *g)
{
    for (size_t i = 0; i < g->n; i++) {
        struct kb_mod *m = &g->m[i];
        if (m->final)
            for (uint32_t k = 0; k <= m->ast.nbindings + 2; k++)
                free(m->final[k]);
        free(m->final);
        kb_jsast_free(&m->ast);
        free(m->req);
        free(m->exp);
        free(m->star);
        free(m->imp);
        free(m->imp_of);
        free(m->urls);
    }
    free(g->m);
    free(g->mod_of);
    *g = (struct kb_graph){ 0 };
}
