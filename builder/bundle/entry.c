/*
 * Entry points (the pages' module scripts, then import() targets), the
 * static graph of each in evaluation order, the set of entry points that
 * load each module, the components of entry points bundled or left alone
 * together, and the checks that leave a component unbundled before any
 * chunk exists (inline module scripts, references from outside the graph).
 */
#include "builder/bundle/internal.h"
#include "common/diag.h"
#include "common/error.h"
#include "common/log.h"
#include "common/vec.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int
add_ep(struct bundle *b, int mod, unsigned char kind)
{
    int e = kb__ep_of(b, mod);
    if (e >= 0) {
        b->ep_kind[e] |= kind;
        return 0;
    }
    int rc = kc_vec_reserve(b->ep, b->capep, b->nep + 1, KB_MAX_FILES);
    if (!rc)
        rc = kc_vec_reserve(b->ep_kind, b->capep_kind, b->nep + 1, KB_MAX_FILES);
    if (rc)
        return rc;
    b->ep[b->nep] = mod;
    b->ep_kind[b->nep++] = kind;
    return 0;
}

/* Entry points: the pages' module scripts, then import() targets. */
int
kb__entry_points(struct bundle *b)
{
    const struct kb_site *s = b->s;
    int rc = 0;
    for (size_t d = 0; d < s->n && !rc; d++) {
        const struct kb_file *doc = &s->files[d];
        for (size_t r = 0; r < doc->refs.n && !rc && (doc->role & KB_ROLE_ENTRY); r++) {
            int t = doc->target[r];
            if (doc->refs.v[r].kind == KB_REF_HTML_MODULE && t >= 0 && b->g.mod_of[t] >= 0)
                rc = add_ep(b, b->g.mod_of[t], 1);
        }
    }
    for (size_t mi = 0; mi < b->g.n && !rc; mi++) {
        const struct kb_mod *m = &b->g.m[mi];
        for (size_t r = 0; r < m->nreq && !rc; r++)
            if (m->req[r].dynamic)
                rc = add_ep(b, m->req[r].mod, 2);
    }
    return rc;
}

struct dfs {
    struct bundle *b;
    unsigned char *color; /* 0 new, 1 on the stack, 2 done */
    int *out;
    size_t n;
    bool cyclic;
};

static void
post_order(struct dfs *d, int mi)
{
    d->color[mi] = 1;
    const struct kb_mod *m = &d->b->g.m[mi];
    for (size_t r = 0; r < m->nreq; r++) {
        if (m->req[r].dynamic)
            continue;
        int t = m->req[r].mod;
        if (d->color[t] == 1)
            d->cyclic = true;
        else if (d->color[t] == 0)
            post_order(d, t);
    }
    d->color[mi] = 2;
    d->out[d->n++] = mi;
}

int
kb__graphs(struct bundle *b)
{
    size_t n = b->g.n;
    b->W = (b->nep + 63) / 64;
    b->eset = calloc(n * b->W + 1, sizeof *b->eset);
    b->order = calloc(b->nep, sizeof *b->order);
    b->norder = calloc(b->nep, sizeof *b->norder);
    unsigned char *color = malloc(n + 1);
    if (!b->eset || !b->order || !b->norder || !color) {
        free(color);
        return KC_ENOMEM;
    }
    for (size_t e = 0; e < b->nep; e++) {
        struct dfs d = { b, color, malloc((n + 1) * sizeof(int)), 0, false };
        if (!d.out) {
            free(color);
            return KC_ENOMEM;
        }
        memset(color, 0, n);
        post_order(&d, b->ep[e]);
        b->order[e] = d.out;
        b->norder[e] = d.n;
        for (size_t i = 0; i < d.n; i++)
            b->eset[(size_t)d.out[i] * b->W + e / 64] |= 1ull << (e % 64);
    }
    free(color);
    return 0;
}

/* Leaves the entry points of module mi's component unbundled, with a
 * warning naming the place and the reason (printed once per component). */
void
kb__bail_mod(struct bundle *b, int mi, uint32_t at, const char *why)
{
    const struct kb_mod *m = &b->g.m[mi];
    bool any = false, quiet = true;
    for (size_t e = 0; e < b->nep; e++) {
        if (!kb__eset_has(&b->eset[(size_t)mi * b->W], e))
            continue;
        int r = kb__uf_find(b->uf, (int)e);
        if (!b->ep_bailed[r]) {
            b->ep_bailed[r] = true;
            any = true;
            quiet &= b->ep_legacy[r];
        }
    }
    if (!any)
        return;
    struct kc_diag d;
    kc_diag_set(&d, m->src, at, "%s", why);
    if (quiet) { /* a bundler's output: it only goes without legacy twins */
        kc_info("%s:%u:%u: %s: no legacy twins for its entry points", m->path, d.line, d.col,
                d.msg);
        return;
    }
    kc_warn("%s:%u:%u: %s: its entry points are left unbundled", m->path, d.line, d.col, d.msg);
    b->s->warnings++;
}

bool
kb__ep_bailed(const struct bundle *b, size_t e)
{
    return b->ep_bailed[kb__uf_find(b->uf, (int)e)];
}

/* Entry points that share a module, or that import() one another, are
 * bundled or left alone together: two copies of a module would be two
 * instances with separate state. */
void
kb__components(struct bundle *b)
{
    for (size_t e = 0; e < b->nep; e++)
        b->uf[e] = (int)e;
    for (size_t mi = 0; mi < b->g.n; mi++) {
        int first = -1;
        for (size_t e = 0; e < b->nep; e++) {
            if (!kb__eset_has(&b->eset[mi * b->W], e))
                continue;
            if (first < 0)
                first = (int)e;
            else
                b->uf[kb__uf_find(b->uf, (int)e)] = kb__uf_find(b->uf, first);
        }
        const struct kb_mod *m = &b->g.m[mi];
        for (size_t r = 0; r < m->nreq && first >= 0; r++)
            if (m->req[r].dynamic) {
                int t = kb__ep_of(b, m->req[r].mod);
                b->uf[kb__uf_find(b->uf, t)] = kb__uf_find(b->uf, first);
            }
    }
}

/* A bundler already built the entry points whose module file carries its
 * content hash (Vite, Rollup, Astro, VitePress chunks): bundling them again
 * would rename chunks that a runtime hash map, a preload list or a computed
 * import() names, and replace the bundler's source maps. Their modules keep
 * their files as they are, without a warning (the expected case); with
 * --legacy, chunks are still made for their legacy twins. */
/* Whether a page that loads file t as a module script has legacy scripts of
 * its own (a "nomodule" anywhere: Vite's plugin-legacy output, or a release
 * kiln already made). A false positive only leaves out kiln's twins. */
static bool
has_own_legacy(const struct kb_site *s, int t)
{
    for (size_t d = 0; d < s->n; d++) {
        const struct kb_file *doc = &s->files[d];
        for (size_t r = 0; r < doc->refs.n && (doc->role & KB_ROLE_ENTRY); r++)
            if (doc->target[r] == t && doc->refs.v[r].kind == KB_REF_HTML_MODULE &&
                strcasestr((const char *)doc->data, "nomodule"))
                return true;
    }
    return false;
}

void
kb__prebundled(struct bundle *b, bool all)
{
    size_t n = 0;
    for (size_t e = 0; e < b->nep; e++) {
        const struct kb_file *f = &b->s->files[b->g.m[b->ep[e]].file];
        int r = kb__uf_find(b->uf, (int)e);
        if ((all || (f->role & KB_ROLE_PREHASHED)) && !b->ep_bailed[r] && !b->ep_legacy[r]) {
            if (b->s->opt->legacy && !has_own_legacy(b->s, b->g.m[b->ep[e]].file))
                b->ep_legacy[r] = true;
            else
                b->ep_bailed[r] = true;
            n++;
        }
    }
    if (n > 0)
        kc_info("%zu module graphs a bundler already built are served as they are%s", n,
                b->s->opt->legacy ? " (kiln makes their legacy twins)" : "");
}

bool
kb__ep_legacy_only(const struct bundle *b, size_t e)
{
    return b->ep_legacy[kb__uf_find(b->uf, (int)e)];
}

bool
kb__chunk_legacy_only(const struct bundle *b, int c)
{
    size_t e = 0;
    while (!kb__eset_has(b->c[c].key, e))
        e++;
    return kb__ep_legacy_only(b, e);
}

bool
kb__mod_legacy_only(const struct bundle *b, int mi)
{
    return b->g.m[mi].chunk >= 0 && kb__chunk_legacy_only(b, b->g.m[mi].chunk);
}

/* Whether the <script> start tag that holds (or is) byte at of doc has an
 * async attribute (a word "async" anywhere in the tag: a false positive only
 * leaves something unbundled). */
static bool
script_async(const struct kb_file *doc, size_t at)
{
    const char *d = (const char *)doc->data;
    while (at >= 7 && strncasecmp(d + at - 7, "<script", 7) != 0)
        at--;
    for (size_t i = at; i + 5 <= doc->len && d[i] != '>'; i++)
        if (strncasecmp(d + i, "async", 5) == 0)
            return true;
    return false;
}

/*
 * An inline <script type="module"> that imports a module of the graph is
 * given a facade instead, NAME_facade.js beside the module, that re-exports
 * its names from the chunk holding it (kb__install, kb__rewrite_docs). That is
 * correct when the chunk already ran by the time the inline script runs: an earlier, non-async
 * module script of the same page loads the module statically, and the inline script is not async
 * itself (then importing the facade evaluates nothing, as importing the
 * original module did). Otherwise the page's entry points whose graph holds
 * it stay unbundled: the module would be a second instance beside the
 * bundled copy. A module that is also imported inline from a page none of
 * whose module scripts load it is the original file there, a second
 * instance too.
 */
int
kb__inline_imports(struct bundle *b)
{
    const struct kb_site *s = b->s;
    unsigned char *use = calloc(b->g.n + 1, 1); /* 1 facade wanted, 2 original wanted */
    if (!use)
        return KC_ENOMEM;
    for (int pass = 0; pass < 2; pass++) {
        for (size_t d = 0; d < s->n; d++) {
            const struct kb_file *doc = &s->files[d];
            if (!(doc->role & KB_ROLE_ENTRY))
                continue;
            for (size_t r = 0; r < doc->refs.n; r++) {
                const struct kb_ref *ref = &doc->refs.v[r];
                int t = doc->target[r];
                if (t < 0 || !(ref->flags & KB_REF_F_INLINE) ||
                    (ref->kind != KB_REF_JS_IMPORT && ref->kind != KB_REF_JS_DYNAMIC) ||
                    b->g.mod_of[t] < 0)
                    continue;
                int mi = b->g.mod_of[t];
                bool holds = false, before = false;
                int et = -1, e = -1;
                for (size_t k = 0; k < doc->refs.n; k++) {
                    int kt = doc->target[k];
                    int ke =
                        doc->refs.v[k].kind == KB_REF_HTML_MODULE && kt >= 0 && b->g.mod_of[kt] >= 0
                            ? kb__ep_of(b, b->g.mod_of[kt])
                            : -1;
                    if (ke < 0 || !kb__eset_has(&b->eset[(size_t)mi * b->W], (size_t)ke))
                        continue;
                    if (!holds) {
                        et = kt;
                        e = ke;
                    }
                    holds = true;
                    before |= doc->refs.v[k].start < ref->start &&
                              !script_async(doc, doc->refs.v[k].start);
                }
                bool ok = before && !script_async(doc, ref->start);
                if (pass == 0) {
                    use[mi] |= !holds ? 2 : ok ? 1 : 0;
                    continue;
                }
                if (!holds || (ok && use[mi] == 1)) {
                    b->inline_target[mi] = holds;
                    continue;
                }
                if (kb__ep_bailed(b, (size_t)e) || kb__ep_legacy_only(b, (size_t)e))
                    continue; /* a bundler's output: the inline script meets its own files */
                kc_warn("%s:%u: an inline module script imports %s, which %s also loads%s: its "
                        "entry points are left unbundled",
                        doc->path, ref->line, s->files[t].path, s->files[et].path,
                        ok ? " (and another page's inline script imports it alone)"
                           : " but not before it runs");
                b->s->warnings++;
                b->ep_bailed[kb__uf_find(b->uf, e)] = true;
            }
        }
    }
    free(use);
    return 0;
}

/* A module of the graph that something outside it loads (a worker's or a
 * classic script's reference, new URL() of a module, another non-bundled
 * script) would meet a chunk or an orphaned original: its component stays
 * unbundled. The graph's own edges, the pages' module scripts and
 * modulepreloads, and preload/prefetch hints are fine. */
void
kb__external_refs(struct bundle *b)
{
    const struct kb_site *s = b->s;
    for (size_t i = 0; i < s->n; i++) {
        const struct kb_file *f = &s->files[i];
        bool in_graph = b->g.mod_of[i] >= 0;
        if (!f->reachable)
            continue; /* no page loads it: copied as it is, like any such file */
        for (size_t r = 0; r < f->refs.n; r++) {
            const struct kb_ref *ref = &f->refs.v[r];
            int t = f->target[r];
            if (t < 0 || b->g.mod_of[t] < 0)
                continue;
            enum kb_ref_kind k = ref->kind;
            if (k == KB_REF_JS_NAME)
                continue; /* a string: the original file stays under its name anyway */
            bool ok = in_graph ? k == KB_REF_JS_IMPORT || k == KB_REF_JS_DYNAMIC
                               : (f->role & KB_ROLE_ENTRY) &&
                                     (k == KB_REF_HTML_MODULE || k == KB_REF_HTML_MODULEPRELOAD ||
                                      k == KB_REF_HTML_PRELOAD ||
                                      ((ref->flags & KB_REF_F_INLINE) &&
                                       (k == KB_REF_JS_IMPORT || k == KB_REF_JS_DYNAMIC)));
            if (ok)
                continue;
            int mi = b->g.mod_of[t];
            bool fresh_bail = false;
            for (size_t e = 0; e < b->nep; e++)
                if (kb__eset_has(&b->eset[(size_t)mi * b->W], e) && !kb__ep_bailed(b, e) &&
                    !kb__ep_legacy_only(b, e)) {
                    b->ep_bailed[kb__uf_find(b->uf, (int)e)] = true;
                    fresh_bail = true;
                }
            if (fresh_bail) {
                kc_warn("%s:%u: loads %s outside the module graph: its entry points are left "
                        "unbundled",
                        f->path, ref->line, s->files[t].path);
                b->s->warnings++;
            }
        }
    }
}

/* import() of a module gives the namespace of the file at its path (its
 * chunk or facade); `import * as ns` of the same module must give the same
 * object, so such a namespace is imported from that file
 * (`import * as ns from "./x.js"`) instead of being materialised. */
void
kb__namespace_identity(struct bundle *b)
{
    for (size_t mi = 0; mi < b->g.n; mi++) {
        const struct kb_mod *m = &b->g.m[mi];
        for (size_t i = 0; i < m->nimp + m->nexp; i++) {
            bool ns = i < m->nimp
                          ? !m->imp[i].name
                          : m->exp[i - m->nimp].kind == KB_EXP_INDIRECT && !m->exp[i - m->nimp].imp;
            if (!ns)
                continue;
            int req = i < m->nimp ? m->imp[i].req : m->exp[i - m->nimp].req;
            int e = kb__ep_of(b, m->req[req].mod);
            if (e >= 0 && (b->ep_kind[e] & 2))
                b->g.m[m->req[req].mod].ns_real = true;
        }
    }
}
