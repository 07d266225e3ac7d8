/*
 * Modern bundles by scope hoisting and source splicing: the modules that the
 * same set of entry points loads statically form one ES-module chunk, the
 * original text of its modules in evaluation order with edits. Chunks are new
 * bytes of site files, so fingerprinting, integrity, compression and the
 * service worker treat them as any module. An entry point whose graph uses
 * something the bundler cannot reproduce exactly stays unbundled, with a
 * warning (docs/bundling.md). Here: kb_bundle, which drives the phases (a
 * file each, internal.h lists them), and the bundle's state.
 */
#include "builder/bundle/internal.h"
#include "common/buf.h"
#include "common/error.h"
#include "common/log.h"
#include "common/path.h"

#include <limits.h>
#include <stdlib.h>

/* ---- the bundle's state ---------------------------------------------------------- */

int
kb__uf_find(int *uf, int x)
{
    while (uf[x] != x)
        x = uf[x] = uf[uf[x]];
    return x;
}

int
kb__ep_of(const struct bundle *b, int mod)
{
    for (size_t i = 0; i < b->nep; i++)
        if (b->ep[i] == mod)
            return (int)i;
    return -1;
}

bool
kb__eset_has(const uint64_t *set, size_t i)
{
    return (set[i / 64] >> (i % 64)) & 1;
}

/* The path of the file that holds entry point module mod: its own path. */
const char *
kb__host_path(const struct bundle *b, int mod)
{
    return b->g.m[mod].path;
}

/* A specifier from the directory of site path from to site path to. */
char *
kb__rel_from(const char *from, const char *to)
{
    char dir[PATH_MAX];
    kc_path_dirname(from, dir, sizeof dir);
    struct kc_buf o;
    kc_buf_init(&o, PATH_MAX * 2);
    if (kc_path_relative(dir, to, &o) != 0) {
        kc_buf_free(&o);
        return NULL;
    }
    return kc_buf_steal(&o, NULL);
}

/* A specifier from chunk c's directory to site path to ("./x.js"). */
char *
kb__chunk_rel(const struct bundle *b, int c, const char *to)
{
    return kb__rel_from(b->c[c].path, to);
}

/* ---- the driver ------------------------------------------------------------------ */

/* Chunks become text where they will sit: their paths first (specifiers
 * between chunks are relative), then their modules spliced, then the files
 * put into the site. */
static int
emit_chunks(struct bundle *b)
{
    int rc = kb__chunk_paths(b);
    if (!rc)
        rc = kb__splice_chunks(b);
    return rc ? rc : kb__install(b);
}

static void
free_bundle(struct bundle *b)
{
    kb__free_chunks(b);
    for (size_t e = 0; e < b->nep && b->order; e++)
        free(b->order[e]);
    free(b->order);
    free(b->norder);
    free(b->ep);
    free(b->ep_kind);
    free(b->eset);
    free(b->uf);
    free(b->ep_bailed);
    free(b->ep_legacy);
    free(b->inert);
    free(b->inline_target);
    for (size_t i = 0; b->inline_path && i < b->g.n; i++)
        free(b->inline_path[i]);
    free(b->inline_path);
    free(b->taken.v);
    free(b->globals.v);
    free(b->all.v);
    for (size_t i = 0; i < b->nfresh; i++)
        free(b->fresh[i]);
    free(b->fresh);
    kb__inmaps_free(b);
    kb_graph_free(&b->g);
}

int
kb_bundle(struct kb_site *s)
{
    if (!s->opt->bundle)
        return 0;
    struct bundle b = { .s = s };
    int rc = kb_graph_build(&b.g, s);
    if (!rc && b.g.errors)
        rc = KC_EPARSE;
    if (!rc)
        rc = kb__entry_points(&b);
    if (!rc && b.nep == 0) {
        free_bundle(&b);
        return 0;
    }
    if (!rc)
        rc = kb__graphs(&b);
    if (!rc) {
        b.uf = malloc(b.nep * sizeof *b.uf);
        b.ep_bailed = calloc(b.nep, sizeof *b.ep_bailed);
        b.ep_legacy = calloc(b.nep, sizeof *b.ep_legacy);
        b.inert = calloc(b.g.n + 1, sizeof *b.inert);
        b.inline_target = calloc(b.g.n + 1, sizeof *b.inline_target);
        rc = b.uf && b.ep_bailed && b.ep_legacy && b.inert && b.inline_target ? 0 : KC_ENOMEM;
        for (size_t mi = 0; mi < b.g.n && !rc; mi++)
            b.inert[mi] = kb__inert_module(&b.g.m[mi]);
    }
    if (!rc) {
        kb__components(&b);
        kb__prebundled(&b, s->vite_manifest != NULL);
        rc = kb__inline_imports(&b);
    }
    if (!rc) {
        for (size_t mi = 0; mi < b.g.n; mi++)
            if (b.g.m[mi].bail)
                kb__bail_mod(&b, (int)mi, b.g.m[mi].bail_at, b.g.m[mi].bail);
        kb__namespace_identity(&b);
        kb__external_refs(&b);
    }
    /* Each round that changes anything leaves one more component unbundled,
     * so the chunks settle within nep + 1 rounds. */
    for (int round = 0; !rc; round++) {
        rc = kb__make_chunks(&b);
        if (!rc)
            rc = kb__check_chunks(&b);
        if (rc == 1 && (size_t)round <= b.nep)
            rc = 0;
        else if (rc == 1)
            rc = KC_EINVAL;
        else
            break;
    }
    if (!rc && b.nc > 0)
        rc = kb__assign_names(&b);
    if (!rc && b.nc > 0 && s->opt->legacy) {
        b.lx = "_export";
        b.lc = "_context";
        if (kb__nset_has(&b.all, b.lx))
            rc = kb__fresh(&b, b.lx, &b.lx);
        if (!rc && kb__nset_has(&b.all, b.lc))
            rc = kb__fresh(&b, b.lc, &b.lc);
    }
    if (!rc && b.nc > 0)
        rc = emit_chunks(&b);
    if (!rc)
        rc = kb__lower_modules(s);
    if (!rc && b.nc > 0)
        kc_info("bundled %zu modules into %zu chunks", b.g.n, b.nc);
    if (rc == KC_ETOOBIG) /* the other errors are reported where they arise */
        kc_error("bundling: %s: a module too large to parse, a chunk over 2 GiB, more than %u "
                 "files or %u entries in one of the bundler's lists",
                 kc_strerror(rc), KB_MAX_FILES, KB_LIST_MAX);
    free_bundle(&b);
    return rc;
}
