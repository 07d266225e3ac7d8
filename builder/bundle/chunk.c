/*
 * Chunks: the live modules grouped by the set of entry points that load
 * them, each chunk's modules in its first entry point's evaluation order,
 * the chunks each imports; then the checks that need chunks (each entry
 * point still evaluates its modules with the specification's effects, and
 * top-level await stays safe, and no module is both in a chunk and loaded
 * by its own URL), which may leave more entry points unbundled.
 */
#include "builder/bundle/internal.h"
#include "common/buf.h"
#include "common/diag.h"
#include "common/error.h"
#include "common/log.h"

#include <stdlib.h>
#include <string.h>

void
kb__free_chunks(struct bundle *b)
{
    for (size_t i = 0; i < b->nc; i++) {
        struct chunk *c = &b->c[i];
        free(c->mods);
        free(c->path);
        free(c->deps);
        free(c->needs);
        free(c->nsimp);
        free(c->exports);
        kc_buf_free(&c->body);
        kc_buf_free(&c->pre);
        kb_smap_free(&c->map);
        free(c->map_path);
        kc_buf_free(&c->lbody);
        kb_smap_free(&c->lmap);
        for (size_t k = 0; k < c->nlurl; k++)
            free(c->lurl[k]);
        free(c->lurl);
        free(c->lkind);
        free(c->lexp);
        free(c->lexp_local);
    }
    free(b->c);
    b->c = NULL;
    b->nc = 0;
}

static bool
live(const struct bundle *b, int mi)
{
    const uint64_t *k = &b->eset[(size_t)mi * b->W];
    for (size_t e = 0; e < b->nep; e++)
        if (kb__eset_has(k, e) && !kb__ep_bailed(b, e))
            return true;
    return false;
}

/* Groups the live modules by entry-point set; orders each chunk's modules as
 * its first entry point evaluates them; lists the chunks each imports. */
int
kb__make_chunks(struct bundle *b)
{
    kb__free_chunks(b);
    b->c = calloc(b->g.n + 1, sizeof *b->c);
    if (!b->c)
        return KC_ENOMEM;
    for (size_t mi = 0; mi < b->g.n; mi++) {
        b->g.m[mi].chunk = -1;
        if (!live(b, (int)mi))
            continue;
        const uint64_t *k = &b->eset[mi * b->W];
        size_t c = 0;
        while (c < b->nc && memcmp(b->c[c].key, k, b->W * sizeof *k) != 0)
            c++;
        if (c == b->nc) {
            b->c[c] = (struct chunk){ .key = k, .host = -1 };
            kc_buf_init(&b->c[c].body, KB_CHUNK_MAX);
            kc_buf_init(&b->c[c].pre, KB_CHUNK_MAX);
            kc_buf_init(&b->c[c].lbody, KB_CHUNK_MAX);
            b->nc++;
        }
        b->g.m[mi].chunk = (int)c;
    }
    for (size_t c = 0; c < b->nc; c++) {
        struct chunk *ch = &b->c[c];
        size_t first = 0, count = 0;
        while (!kb__eset_has(ch->key, first))
            first++;
        for (size_t e = 0; e < b->nep; e++)
            count += kb__eset_has(ch->key, e);
        if (count == 1)
            ch->host = (int)first;
        ch->mods = malloc((b->norder[first] + 1) * sizeof *ch->mods);
        if (!ch->mods)
            return KC_ENOMEM;
        for (size_t i = 0; i < b->norder[first]; i++)
            if (b->g.m[b->order[first][i]].chunk == (int)c)
                ch->mods[ch->n++] = b->order[first][i];
        for (size_t i = 0; i < ch->n; i++) {
            const struct kb_mod *m = &b->g.m[ch->mods[i]];
            for (size_t r = 0; r < m->nreq; r++) {
                int tc = b->g.m[m->req[r].mod].chunk;
                if (!m->req[r].dynamic && tc != (int)c) {
                    int rc = kb__push_int(&ch->deps, &ch->ndeps, &ch->capdeps, tc);
                    if (rc)
                        return rc;
                }
            }
        }
    }
    return 0;
}

static void
simulate(const struct bundle *b, int c, bool *seen, int *out, size_t *n)
{
    if (seen[c])
        return;
    seen[c] = true;
    for (size_t i = 0; i < b->c[c].ndeps; i++)
        simulate(b, b->c[c].deps[i], seen, out, n);
    for (size_t i = 0; i < b->c[c].n; i++)
        out[(*n)++] = b->c[c].mods[i];
}

/* True when module x statically imports module y, directly or not. */
static bool
reaches(const struct bundle *b, int x, int y, unsigned char *seen)
{
    if (x == y)
        return true;
    if (seen[x])
        return false;
    seen[x] = 1;
    const struct kb_mod *m = &b->g.m[x];
    for (size_t r = 0; r < m->nreq; r++)
        if (!m->req[r].dynamic && reaches(b, m->req[r].mod, y, seen))
            return true;
    return false;
}

/*
 * Whether the bundled order bo of an entry point's modules has the effects
 * of the specification's order so (both n long, the same modules): the
 * modules with effects run in the same order, each after every inert
 * module it ran after before, and an inert module that now runs earlier than
 * a module with effects is not one that module could reach (in a cycle with
 * it, it would have seen an uninitialised binding). pos is scratch, one int
 * per module.
 */
static bool
same_effects(const struct bundle *b, const int *so, const int *bo, size_t n, int *pos)
{
    const bool *inert_m = b->inert;
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        if (inert_m[so[i]])
            continue;
        while (j < n && inert_m[bo[j]])
            j++;
        if (j == n || bo[j] != so[i])
            return false;
        j++;
    }
    for (size_t i = 0; i < n; i++)
        pos[bo[i]] = (int)i;
    int last = -1;
    for (size_t i = 0; i < n; i++) {
        if (inert_m[so[i]])
            last = pos[so[i]] > last ? pos[so[i]] : last;
        else if (pos[so[i]] < last)
            return false;
    }
    unsigned char *vis = malloc(b->g.n + 1);
    bool ok = vis != NULL;
    for (size_t i = 0; i < n && ok; i++) {
        if (inert_m[so[i]])
            continue;
        for (size_t k = i + 1; k < n && ok; k++) {
            if (!inert_m[so[k]] || pos[so[k]] > pos[so[i]])
                continue;
            memset(vis, 0, b->g.n);
            ok = !reaches(b, so[i], so[k], vis);
        }
    }
    free(vis);
    return ok;
}

/* ---- one instance per module --------------------------------------------------- */

/*
 * A module in a chunk has no file of its own any more: its path keeps the
 * original text, which nothing of the bundle loads. Whatever loads that path
 * from outside the chunks (a module left unbundled, an inline script without
 * a facade, a file a computed import() reaches) would run a second instance,
 * with state of its own, beside the chunk's. So such a module leaves every
 * entry point that holds it unbundled, and the module is then its own file
 * for everyone. kb__external_refs does the same, once, for files outside the
 * graph that pages name; these checks run every round, since each round
 * leaves more modules unbundled.
 */

/* Leaves every entry point whose graph holds module mi unbundled. True when
 * one of them was still bundled (the caller then warns). */
static bool
unbundle_holders(struct bundle *b, int mi)
{
    bool any = false;
    for (size_t e = 0; e < b->nep; e++)
        if (kb__eset_has(&b->eset[(size_t)mi * b->W], e) && !kb__ep_bailed(b, e) &&
            !kb__ep_legacy_only(b, e)) { /* a bundler's output keeps its own files */
            b->ep_bailed[kb__uf_find(b->uf, (int)e)] = true;
            any = true;
        }
    return any;
}

/* A module of the graph outside every chunk is served as its own file, and
 * its imports and import()s load their targets' files. Entry points that
 * share a module, or import() one another, are one component
 * (kb__components), so what a left-unbundled entry point reaches is never in
 * a chunk; this catches a module outside every chunk for any other reason
 * (one that no entry point taken as such holds). */
static int
unbundled_importers(struct bundle *b)
{
    int changed = 0;
    for (size_t u = 0; u < b->g.n; u++) {
        const struct kb_mod *m = &b->g.m[u];
        if (m->chunk >= 0)
            continue;
        for (size_t r = 0; r < m->nreq; r++) {
            int t = m->req[r].mod;
            if (b->g.m[t].chunk < 0 || !unbundle_holders(b, t))
                continue;
            struct kc_diag d;
            kc_diag_set(&d, m->src, m->req[r].str ? m->req[r].str->start : 0, "-");
            kc_warn("%s:%u:%u: a module left unbundled loads %s: its entry points are left "
                    "unbundled too (one instance per module)",
                    m->path, d.line, d.col, b->g.m[t].path);
            b->s->warnings++;
            changed = 1;
        }
    }
    return changed;
}

/* An inline module script imports a module in a chunk through the facade
 * kb__inline_imports chose for it, or through the file of an import() target
 * (its chunk or facade, which exports its names); else through the original
 * file: the case of a page none of whose module scripts loads the module
 * statically (it may run beside the chunk through an import(), or on the
 * same document after a client-side router's navigation). */
static int
inline_originals(struct bundle *b)
{
    const struct kb_site *s = b->s;
    int changed = 0;
    for (size_t d = 0; d < s->n; d++) {
        const struct kb_file *doc = &s->files[d];
        if (!(doc->role & KB_ROLE_ENTRY) || !doc->reachable)
            continue;
        for (size_t r = 0; r < doc->refs.n; r++) {
            const struct kb_ref *ref = &doc->refs.v[r];
            int t = doc->target[r];
            if (t < 0 || !(ref->flags & KB_REF_F_INLINE) ||
                (ref->kind != KB_REF_JS_IMPORT && ref->kind != KB_REF_JS_DYNAMIC))
                continue;
            int mi = b->g.mod_of[t];
            if (mi < 0 || b->g.m[mi].chunk < 0 || b->inline_target[mi])
                continue;
            int e = kb__ep_of(b, mi);
            if ((e >= 0 && (b->ep_kind[e] & 2)) || !unbundle_holders(b, mi))
                continue;
            kc_warn("%s:%u: an inline module script imports %s, which no module script of the "
                    "page loads: its entry points are left unbundled (one instance per module)",
                    doc->path, ref->line, s->files[t].path);
            b->s->warnings++;
            changed = 1;
        }
    }
    return changed;
}

/* A computed import() may load any file of the site, so when a module of the
 * graph has one, a JavaScript file no page names (kb__external_refs passes
 * those over) that imports a module in a chunk would load its original. */
static int
computed_reach(struct bundle *b)
{
    const struct kb_site *s = b->s;
    bool computed = false;
    for (size_t mi = 0; mi < b->g.n && !computed; mi++)
        computed = b->g.m[mi].computed;
    int changed = 0;
    for (size_t i = 0; i < s->n && computed; i++) {
        const struct kb_file *f = &s->files[i];
        if (f->reachable || b->g.mod_of[i] >= 0 || f->mime->kind != KC_KIND_JS)
            continue;
        for (size_t r = 0; r < f->refs.n; r++) {
            const struct kb_ref *ref = &f->refs.v[r];
            int t = f->target[r];
            if (t < 0 || (ref->kind != KB_REF_JS_IMPORT && ref->kind != KB_REF_JS_DYNAMIC))
                continue;
            int mi = b->g.mod_of[t];
            if (mi < 0 || b->g.m[mi].chunk < 0 || !unbundle_holders(b, mi))
                continue;
            kc_warn("%s:%u: loads %s, and a computed import() may load this file: its entry "
                    "points are left unbundled (one instance per module)",
                    f->path, ref->line, s->files[t].path);
            b->s->warnings++;
            changed = 1;
        }
    }
    return changed;
}

/*
 * The checks that need chunks: each live entry point must evaluate its
 * modules with the effects of the specification's order (same_effects), a module with top-level
 * await must be one whose followers in its chunk all wait for it anyway (no
 * cycles, not shared), and no module in a chunk may be loaded by its own URL
 * (above). Returns 1 when something was left unbundled (chunks
 * must be made again), 0, or an error.
 */
int
kb__check_chunks(struct bundle *b)
{
    size_t n = b->g.n;
    bool *seen = malloc(b->nc + 1);
    int *out = malloc((n + 1) * sizeof *out);
    int *pos = malloc((n + 1) * sizeof *pos);
    unsigned char *vis = malloc(n + 1);
    int changed = 0;
    if (!seen || !out || !pos || !vis) {
        free(seen);
        free(out);
        free(pos);
        free(vis);
        return KC_ENOMEM;
    }
    for (size_t e = 0; e < b->nep; e++) {
        if (kb__ep_bailed(b, e))
            continue;
        size_t k = 0;
        memset(seen, 0, b->nc);
        simulate(b, b->g.m[b->ep[e]].chunk, seen, out, &k);
        if (k != b->norder[e] || !same_effects(b, b->order[e], out, k, pos)) {
            kb__bail_mod(b, b->ep[e], 0,
                         "modules shared with other entry points would run in a different order "
                         "than the specification's");
            changed = 1;
        }
    }
    for (size_t mi = 0; mi < n; mi++) {
        const struct kb_mod *m = &b->g.m[mi];
        if (!m->tla || m->chunk < 0)
            continue;
        const struct chunk *ch = &b->c[m->chunk];
        /* In a cycle: a module it imports imports it back (a cycle
         * elsewhere in the entry's graph does not matter). */
        bool ok = ch->host >= 0;
        for (size_t r = 0; r < m->nreq && ok; r++) {
            memset(vis, 0, n);
            ok = m->req[r].dynamic || !reaches(b, m->req[r].mod, (int)mi, vis);
        }
        size_t at = 0;
        while (at < ch->n && ch->mods[at] != (int)mi)
            at++;
        for (size_t i = at + 1; i < ch->n && ok; i++) {
            memset(vis, 0, n);
            ok = reaches(b, ch->mods[i], (int)mi, vis);
        }
        if (!ok) {
            kb__bail_mod(b, (int)mi, 0,
                         "top-level await in a module that is shared, in a cycle, or followed by "
                         "modules that do not import it");
            changed = 1;
        }
    }
    free(seen);
    free(out);
    free(pos);
    free(vis);
    changed |= unbundled_importers(b);
    changed |= inline_originals(b);
    changed |= computed_reach(b);
    return changed;
}
