/*
 * Putting the chunks into the site: where each chunk, source map and facade
 * goes, their final texts (imports between chunks, fix-ups and namespace
 * objects, the spliced modules, exports), and kb__install, which makes
 * every text first, then inserts the new files, gives the modules' own
 * files their chunk or facade, and has the pages rewritten (pages.c).
 */
#include "builder/bundle/internal.h"
#include "builder/bundle/legacy.h"
#include "common/buf.h"
#include "common/error.h"
#include "common/log.h"
#include "common/path.h"
#include "common/vec.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- paths ----------------------------------------------------------------------- */

/* A new file's path beside module m: NAME_<suffix>[N].js, a name no site
 * file nor chunk has. *out is malloc'd. */
static int
new_path(struct bundle *b, const struct kb_mod *m, const char *suffix, char **out)
{
    const char *slash = strrchr(m->path, '/');
    size_t dn = slash ? (size_t)(slash - m->path) + 1 : 0;
    const char *base = m->path + dn;
    size_t bn = strcspn(base, ".");
    char name[PATH_MAX];
    for (unsigned k = 1; k < 1000; k++) {
        /* '_' and no '-' or '.' before the extension: nothing the
         * --hashed-pattern default could take for a bundler's hash. */
        int w = snprintf(name, sizeof name, "%.*s%.*s_%s%.0u.js", (int)dn, m->path,
                         (int)(bn > 64 ? 64 : bn), base, suffix, k > 1 ? k : 0);
        if (w < 0 || (size_t)w >= sizeof name)
            return KC_ETOOBIG;
        for (char *p = name + dn; *p && p < name + w - 3; p++)
            if (*p == '-' || *p == '.')
                *p = '_';
        bool used = kb_site_find(b->s, name) >= 0;
        for (size_t i = 0; i < b->nc && !used; i++)
            used = b->c[i].path && strcmp(b->c[i].path, name) == 0;
        if (!used) {
            *out = strdup(name);
            return *out ? 0 : KC_ENOMEM;
        }
    }
    return KC_ECLASH;
}

static int
common_path(struct bundle *b, int c)
{
    return new_path(b, &b->g.m[b->c[c].mods[b->c[c].n - 1]], "chunk", &b->c[c].path);
}

/* The chunk's source map: NAME.bundle.js.map beside it (the site may have
 * its own NAME.js.map, the map of the original module). */
static int
map_path(struct bundle *b, int c)
{
    const char *p = b->c[c].path;
    size_t n = strlen(p);
    if (n > 3 && strcmp(p + n - 3, ".js") == 0)
        n -= 3;
    char name[PATH_MAX];
    for (unsigned k = 1; k < 1000; k++) {
        int w = snprintf(name, sizeof name, "%.*s.bundle%.0u.js.map", (int)n, p, k > 1 ? k : 0);
        if (w < 0 || (size_t)w >= sizeof name)
            return KC_ETOOBIG;
        bool used = kb_site_find(b->s, name) >= 0;
        for (size_t i = 0; i < b->nc && !used; i++)
            used = b->c[i].map_path && strcmp(b->c[i].map_path, name) == 0;
        if (!used) {
            b->c[c].map_path = strdup(name);
            return b->c[c].map_path ? 0 : KC_ENOMEM;
        }
    }
    return KC_ECLASH;
}

/* A shared chunk that holds a page's module script is written at that
 * module's path, which saves the page a facade and the browser a request.
 * Not for an import() target: the namespace it gets would list the chunk's
 * internal exports too. */
static bool
adopt_host(struct bundle *b, int c)
{
    struct chunk *ch = &b->c[c];
    for (size_t i = 0; i < ch->n; i++) {
        int e = kb__ep_of(b, ch->mods[i]);
        if (e < 0 || kb__ep_bailed(b, (size_t)e) || (b->ep_kind[e] & 2))
            continue;
        ch->path = strdup(b->g.m[ch->mods[i]].path);
        if (!ch->path)
            return false;
        ch->host = e;
        return true;
    }
    return false;
}

int
kb__chunk_paths(struct bundle *b)
{
    int rc = 0;
    for (size_t c = 0; c < b->nc && !rc; c++) {
        struct chunk *ch = &b->c[c];
        if (ch->host >= 0) {
            ch->path = strdup(kb__host_path(b, b->ep[ch->host]));
            rc = ch->path ? 0 : KC_ENOMEM;
        } else if (!adopt_host(b, (int)c)) {
            rc = common_path(b, (int)c);
        }
        if (!rc)
            rc = map_path(b, (int)c);
    }
    return rc;
}

/* ---- texts ----------------------------------------------------------------------- */

/* Chunk c's final text: imports, fix-ups and namespaces, modules, exports,
 * and its source map (into map). */
static int
chunk_text(struct bundle *b, int c, struct kc_buf *o, struct kc_buf *map)
{
    struct chunk *ch = &b->c[c];
    int rc = 0;
    for (size_t d = 0; d < ch->ndeps && !rc; d++) {
        char *u = kb__chunk_rel(b, c, b->c[ch->deps[d]].path);
        bool any = false;
        rc = u ? kc_buf_puts(o, "import ") : KC_ENOMEM;
        for (size_t i = 0; i < ch->nneeds && !rc; i++) {
            if (ch->needs[i].chunk != ch->deps[d])
                continue;
            rc = kc_buf_printf(o, "%s%s", any ? ", " : "{ ", ch->needs[i].name);
            any = true;
        }
        if (!rc)
            rc = kc_buf_printf(o, "%s\"%s\";\n", any ? " } from " : "", u);
        free(u);
    }
    for (size_t i = 0; i < ch->nnsimp && !rc; i++) {
        const struct kb_mod *t = &b->g.m[ch->nsimp[i]];
        char *u = kb__chunk_rel(b, c, t->path);
        rc = u ? kc_buf_printf(o, "import * as %s from \"%s\";\n", t->final[KB_SYM_NS(t)], u)
               : KC_ENOMEM;
        free(u);
    }
    if (!rc && ch->pre.len)
        rc = kc_buf_append(o, ch->pre.data, ch->pre.len);
    unsigned body_line = 0;
    for (size_t i = 0; i < o->len; i++)
        body_line += o->data[i] == '\n';
    if (!rc && ch->body.len)
        rc = kc_buf_append(o, ch->body.data, ch->body.len);
    /* A chunk that is an import() target exposes the module's exports (such
     * a chunk is never shared, so it has no internal exports: the filter
     * below only guards against naming one export twice). */
    int e = ch->host;
    const char **names = NULL;
    long k = 0;
    if (!rc && e >= 0 && (b->ep_kind[e] & 2)) {
        k = kb_graph_export_names(&b->g, b->ep[e], &names);
        rc = k < 0 ? KC_ENOMEM : 0;
    }
    bool any = false;
    for (size_t i = 0; i < ch->nexports && !rc; i++) {
        bool pub = false;
        for (long x = 0; x < k && !pub; x++)
            pub = strcmp(names[x], ch->exports[i]) == 0;
        if (!pub) {
            rc = kc_buf_printf(o, "%s%s", any ? ", " : "export { ", ch->exports[i]);
            any = true;
        }
    }
    for (long i = 0; i < k && !rc; i++) {
        struct kb_sym s;
        kb_graph_resolve_export(&b->g, b->ep[e], names[i], &s);
        rc = kc_buf_printf(o, "%s%s as ", any ? ", " : "export { ", kb__sym_final(b, s));
        if (!rc)
            rc = kb__put_name(o, names[i]);
        any = true;
    }
    if (!rc && any)
        rc = kc_buf_puts(o, " };\n");
    free(names);
    if (!rc && e >= 0 && (b->ep_kind[e] & 1) && b->s->opt->legacy)
        rc = kc_buf_puts(o, b->s->legacy_tla ? kb_legacy_guard_tla : kb_legacy_guard);
    if (!rc && !kb__chunk_legacy_only(b, c))
        rc = kb__lower_chunk(b, c, o, &body_line);
    if (!rc) {
        const char *base = strrchr(ch->map_path, '/');
        rc = kc_buf_printf(o, "//# sourceMappingURL=%s\n", base ? base + 1 : ch->map_path);
    }
    if (!rc)
        rc = kb__map_json(b, c, ch->path, o->data, o->len, &ch->map, body_line, map);
    return rc;
}

/* The file of module mod when it sits in a chunk at another path (an entry
 * point in a shared chunk, or a module an inline script imports): it loads
 * that chunk and, with reexport (an import() target, an inline script's
 * import), re-exports the module's names from the chunks that hold them. */
static int
facade_text(struct bundle *b, int mod, bool reexport, struct kc_buf *o)
{
    int c = b->g.m[mod].chunk;
    /* The facade's own path is the module's: relative to it. */
    char dir[PATH_MAX];
    kc_path_dirname(b->g.m[mod].path, dir, sizeof dir);
    struct kc_buf cu;
    kc_buf_init(&cu, PATH_MAX * 2);
    int rc = kc_path_relative(dir, b->c[c].path, &cu);
    if (!rc)
        rc = kc_buf_printf(o, "import \"%s\";\n", cu.data);
    kc_buf_free(&cu);
    int e = kb__ep_of(b, mod);
    if (!rc && e >= 0 && (b->ep_kind[e] & 1) && b->s->opt->legacy)
        rc = kc_buf_puts(o, b->s->legacy_tla ? kb_legacy_guard_tla : kb_legacy_guard);
    if (rc || !reexport)
        return rc;
    const char **names;
    long k = kb_graph_export_names(&b->g, mod, &names);
    for (long i = 0; i < k && !rc; i++) {
        struct kb_sym s;
        kb_graph_resolve_export(&b->g, mod, names[i], &s);
        int tc = b->g.m[s.mod].chunk;
        struct kc_buf r;
        kc_buf_init(&r, PATH_MAX * 2);
        if (s.idx == KB_SYM_NS(&b->g.m[s.mod]) && b->g.m[s.mod].ns_real) {
            /* The real namespace of the module's own file. */
            rc = kc_path_relative(dir, b->g.m[s.mod].path, &r);
            if (!rc)
                rc = kc_buf_puts(o, "export * as ");
            if (!rc)
                rc = kb__put_name(o, names[i]);
            if (!rc)
                rc = kc_buf_printf(o, " from \"%s\";\n", r.data);
            kc_buf_free(&r);
            continue;
        }
        rc = kc_path_relative(dir, b->c[tc].path, &r);
        if (!rc)
            rc = kc_buf_printf(o, "export { %s as ", kb__sym_final(b, s));
        if (!rc)
            rc = kb__put_name(o, names[i]);
        if (!rc)
            rc = kc_buf_printf(o, " } from \"%s\";\n", r.data);
        kc_buf_free(&r);
        /* The holding chunk must export it. */
        struct chunk *tch = &b->c[tc];
        const char *fin = kb__sym_final(b, s);
        if (!rc)
            rc = kb__push_name(&tch->exports, &tch->nexports, &tch->capexports, fin);
    }
    free(names);
    return rc;
}

/* ---- putting them into the site -------------------------------------------------- */

int
kb__set_data(struct kb_file *f, struct kc_buf *text)
{
    size_t len;
    unsigned char *bytes = (unsigned char *)kc_buf_steal(text, &len);
    if (!bytes)
        return KC_ENOMEM;
    free(f->data);
    f->data = bytes;
    f->len = len;
    return 0;
}

int
kb__insert_file(struct kb_site *s, size_t *cap, const char *path, struct kc_buf *text,
                int64_t mtime)
{
    size_t len;
    unsigned char *bytes = (unsigned char *)kc_buf_steal(text, &len);
    if (!bytes)
        return KC_ENOMEM;
    int rc = kc_vec_reserve(s->files, *cap, s->n + 1, KB_MAX_FILES);
    if (rc) {
        free(bytes);
        return rc;
    }
    struct kb_file *v = s->files;
    size_t at = 0;
    while (at < s->n && strcmp(v[at].path, path) < 0)
        at++;
    for (size_t i = 0; i < s->n; i++)
        for (size_t r = 0; r < v[i].refs.n; r++)
            if (v[i].target[r] >= (int)at)
                v[i].target[r]++;
    memmove(&v[at + 1], &v[at], (s->n - at) * sizeof *v);
    v[at] = (struct kb_file){ .path = strdup(path), .mtime = mtime, .data = bytes, .len = len };
    v[at].mime = kc_mime_lookup(path);
    v[at].target = malloc(sizeof(int));
    s->n++;
    return v[at].path && v[at].target ? 0 : KC_ENOMEM;
}

/* The texts of the files kb__install writes, all made before any is
 * inserted. Per entry point, chunk and module, as the step that made them
 * says; the legacy twins of every chunk, then of every facade. */
struct texts {
    struct kc_buf *facade; /* per entry point */
    struct kc_buf *text;   /* per chunk: its text ... */
    struct kc_buf *maps;   /* ... and its source map */
    struct kc_buf *inl;    /* per module: the facade inline scripts import */
    size_t nl;             /* legacy twins: nc + nep, or 0 */
    struct kc_buf *ltext;
    struct kb_reflist *lrefs;
    char **lpath;         /* NULL where there is no twin */
    uint64_t *lpoly;      /* the polyfills a page's twin carries (polyfill.h bits) */
    struct kc_buf *lmaps; /* a chunk's twin's source map ... */
    char **lmap_path;     /* ... and its path, or NULL */
    size_t capfiles;      /* the site's files, allocated for (insert_file) */
};

/* The facade of each entry point whose module sits in a chunk at another
 * path. */
static int
entry_facades(struct bundle *b, struct texts *t)
{
    int rc = 0;
    t->facade = calloc(b->nep + 1, sizeof *t->facade);
    if (!t->facade)
        rc = KC_ENOMEM;
    for (size_t e = 0; e < b->nep && !rc; e++) {
        kc_buf_init(&t->facade[e], KB_CHUNK_MAX);
        int c = b->g.m[b->ep[e]].chunk;
        if (!kb__ep_bailed(b, e) && !kb__ep_legacy_only(b, e) && b->c[c].host != (int)e)
            rc = facade_text(b, b->ep[e], (b->ep_kind[e] & 2) != 0, &t->facade[e]);
    }
    return rc;
}

/* A module an inline script imports gets a facade of its own, a new
 * file beside it (its own file stays the original, as for any module). */
static int
inline_facades(struct bundle *b, struct texts *t)
{
    int rc = 0;
    b->inline_path = calloc(b->g.n + 1, sizeof *b->inline_path);
    t->inl = calloc(b->g.n + 1, sizeof *t->inl);
    if (!b->inline_path || !t->inl)
        rc = KC_ENOMEM;
    for (size_t mi = 0; mi < b->g.n && !rc; mi++) {
        const struct kb_mod *m = &b->g.m[mi];
        kc_buf_init(&t->inl[mi], KB_CHUNK_MAX);
        /* An import() target's own file already re-exports its names. */
        int e = kb__ep_of(b, (int)mi);
        if (!b->inline_target[mi] || m->chunk < 0 || (e >= 0 && (b->ep_kind[e] & 2)) ||
            kb__mod_legacy_only(b, (int)mi))
            continue;
        rc = new_path(b, m, "facade", &b->inline_path[mi]);
        if (!rc)
            rc = facade_text(b, (int)mi, true, &t->inl[mi]);
    }
    return rc;
}

/* Each chunk's text and source map (after the facades, which add to the
 * chunks' exports). */
static int
chunk_texts(struct bundle *b, struct texts *t)
{
    int rc = 0;
    t->text = calloc(b->nc + 1, sizeof *t->text);
    t->maps = calloc(b->nc + 1, sizeof *t->maps);
    if (!t->text || !t->maps)
        rc = KC_ENOMEM;
    for (size_t c = 0; c < b->nc && !rc; c++) {
        kc_buf_init(&t->text[c], KB_CHUNK_MAX);
        kc_buf_init(&t->maps[c], KB_CHUNK_MAX);
        rc = chunk_text(b, (int)c, &t->text[c], &t->maps[c]);
    }
    return rc;
}

/* Chunk c's twin (text, refs, at path) gets its source map: the comment
 * that names it, a reference the naming stage rewrites, and the map (its
 * line 0 is the text's line line) into map, at *map_path. */
static int
twin_map(struct bundle *b, int c, const char *path, struct kc_buf *text, struct kb_reflist *refs,
         unsigned line, struct kc_buf *map, char **map_path)
{
    if (asprintf(map_path, "%s.map", path) < 0) {
        *map_path = NULL;
        return KC_ENOMEM;
    }
    const char *base = strrchr(*map_path, '/');
    base = base ? base + 1 : *map_path;
    struct kb_ref r = { .kind = KB_REF_SOURCEMAP, .line = 1 };
    for (size_t i = 0; i < text->len; i++)
        r.line += text->data[i] == '\n';
    int rc = kc_buf_puts(text, "//# sourceMappingURL=");
    r.start = text->len;
    if (!rc)
        rc = kc_buf_printf(text, "%s\n", base);
    r.end = text->len - 1;
    if (!rc)
        rc = kb_reflist_push(refs, &r, base, strlen(base));
    return rc ? rc : kb__map_json(b, c, path, text->data, text->len, &b->c[c].lmap, line, map);
}

/* Legacy twins: of every chunk, then of every facade; a chunk's twin with
 * its source map. A twin's name taken by a file of the site is an error. */
static int
twin_texts(struct bundle *b, struct texts *t)
{
    struct kb_site *s = b->s;
    int rc = 0;
    size_t nl = s->opt->legacy ? b->nc + b->nep : 0;
    t->ltext = calloc(nl + 1, sizeof *t->ltext);
    t->lrefs = calloc(nl + 1, sizeof *t->lrefs);
    t->lpath = calloc(nl + 1, sizeof *t->lpath);
    t->lpoly = calloc(nl + 1, sizeof *t->lpoly);
    t->lmaps = calloc(nl + 1, sizeof *t->lmaps);
    t->lmap_path = calloc(nl + 1, sizeof *t->lmap_path);
    uint64_t *need = calloc(nl + 1, sizeof *need);
    bool *page = calloc(nl + 1, sizeof *page);
    unsigned *line = calloc(nl + 1, sizeof *line); /* where each twin's map starts */
    if (!t->ltext || !t->lrefs || !t->lpath || !t->lpoly || !t->lmaps || !t->lmap_path || !need ||
        !page || !line) {
        free(need);
        free(page);
        free(line);
        return KC_ENOMEM;
    }
    t->nl = nl;
    for (size_t i = 0; i < nl && !rc; i++) {
        kc_buf_init(&t->ltext[i], KB_CHUNK_MAX);
        kc_buf_init(&t->lmaps[i], KB_CHUNK_MAX);
        struct kb_legacy_at at = { 0 };
        struct kb_smap none = { .osrc = -1 }, *map = &none;
        if (i < b->nc) {
            int e = b->c[i].host;
            page[i] = e >= 0 && (b->ep_kind[e] & 1);
            t->lpath[i] = kb__twin_path(b->c[i].path);
            rc = t->lpath[i] ? kb__legacy_chunk(b, (int)i, &t->ltext[i], &t->lrefs[i], &at)
                             : KC_ENOMEM;
            map = &b->c[i].lmap;
            for (size_t k = 0; k < at.body && k < t->ltext[i].len; k++)
                line[i] += t->ltext[i].data[k] == '\n';
        } else {
            size_t e = i - b->nc;
            if (kb__ep_bailed(b, e) || b->c[b->g.m[b->ep[e]].chunk].host == (int)e)
                continue;
            page[i] = (b->ep_kind[e] & 1) != 0;
            t->lpath[i] = kb__twin_path(b->g.m[b->ep[e]].path);
            rc = t->lpath[i] ? kb__legacy_facade(b, (int)e, &t->ltext[i], &t->lrefs[i], &at)
                             : KC_ENOMEM;
        }
        if (!rc)
            rc = kb__lower_twin(b, i < b->nc ? (int)i : -1, t->lpath[i], &t->ltext[i], &t->lrefs[i],
                                at.declare, &need[i], map, &line[i]);
        kb_smap_free(&none);
    }
    if (!rc)
        rc = kb__twin_polyfills(b, t->lpath, t->ltext, t->lrefs, line, need, page, nl, t->lpoly);
    for (size_t i = 0; i < b->nc && i < nl && !rc; i++)
        rc = twin_map(b, (int)i, t->lpath[i], &t->ltext[i], &t->lrefs[i], line[i], &t->lmaps[i],
                      &t->lmap_path[i]);
    free(need);
    free(page);
    free(line);
    for (size_t i = 0; i < nl && !rc; i++) {
        const char *taken = t->lpath[i] && kb_site_find(s, t->lpath[i]) >= 0 ? t->lpath[i]
                            : t->lmap_path[i] && kb_site_find(s, t->lmap_path[i]) >= 0
                                ? t->lmap_path[i]
                                : NULL;
        if (taken) {
            kc_error("%s: the legacy twin's name is taken by a file of the site (use --no-legacy)",
                     taken);
            rc = KC_ECLASH;
        }
    }
    return rc;
}

/* Whether a modern chunk keeps top-level await below its --target: then
 * the legacy twins are the path of browsers without it (legacy.h). */
static bool
keeps_top_await(const struct bundle *b)
{
    const struct kb_options *opt = b->s->opt;
    if (!opt->legacy || opt->target == KB_ESNEXT || kb_lower_target_year(opt->target) >= 2022)
        return false;
    for (size_t c = 0; c < b->nc; c++) {
        if (kb__chunk_legacy_only(b, (int)c))
            continue;
        for (size_t i = 0; i < b->c[c].n; i++)
            if (b->g.m[b->c[c].mods[i]].tla)
                return true;
    }
    return false;
}

/* Every chunk's source map, and the text of each chunk no entry point
 * hosts, as new files. */
static int
insert_chunks(struct bundle *b, struct texts *t)
{
    struct kb_site *s = b->s;
    int rc = 0;
    for (size_t c = 0; c < b->nc && !rc; c++) {
        if (kb__chunk_legacy_only(b, (int)c))
            continue; /* a bundler's output: only its twin is written */
        int64_t mtime = 0;
        for (size_t i = 0; i < b->c[c].n; i++)
            if (s->files[b->g.m[b->c[c].mods[i]].file].mtime > mtime)
                mtime = s->files[b->g.m[b->c[c].mods[i]].file].mtime;
        rc = kb__insert_file(s, &t->capfiles, b->c[c].map_path, &t->maps[c], mtime);
        if (rc || b->c[c].host >= 0)
            continue;
        rc = kb__insert_file(s, &t->capfiles, b->c[c].path, &t->text[c], mtime);
    }
    return rc;
}

/* The facades of modules inline scripts import, as new files. */
static int
insert_inline_facades(struct bundle *b, struct texts *t)
{
    struct kb_site *s = b->s;
    int rc = 0;
    for (size_t mi = 0; mi < b->g.n && !rc; mi++) {
        if (!b->inline_path[mi])
            continue;
        rc = kb__insert_file(s, &t->capfiles, b->inline_path[mi], &t->inl[mi],
                             s->files[b->g.m[mi].file].mtime);
    }
    return rc;
}

/* The legacy twins, as new files. */
static int
insert_twins(struct bundle *b, struct texts *t)
{
    struct kb_site *s = b->s;
    int rc = 0;
    for (size_t i = 0; i < t->nl && !rc; i++) {
        if (!t->lpath[i])
            continue;
        /* The newest of the modules it holds, as for the modern chunk. */
        int64_t mtime = 0;
        const struct chunk *lc = &b->c[i < b->nc ? i : (size_t)b->g.m[b->ep[i - b->nc]].chunk];
        for (size_t k = 0; k < lc->n; k++) {
            int fi = kb_site_find(s, b->g.m[lc->mods[k]].path); /* indexes moved */
            if (fi >= 0 && s->files[fi].mtime > mtime)
                mtime = s->files[fi].mtime;
        }
        rc = kb__insert_file(s, &t->capfiles, t->lpath[i], &t->ltext[i], mtime);
        if (!rc)
            s->files[kb_site_find(s, t->lpath[i])].polyfills = t->lpoly[i];
        if (!rc && t->lmap_path[i])
            rc = kb__insert_file(s, &t->capfiles, t->lmap_path[i], &t->lmaps[i], mtime);
    }
    return rc;
}

/* The twins' references are known from printing them (no scanner knows
 * the format): resolved once every file is in place. */
static int
resolve_twins(struct bundle *b, struct texts *t)
{
    struct kb_site *s = b->s;
    int rc = 0;
    for (size_t i = 0; i < t->nl && !rc; i++) {
        if (!t->lpath[i])
            continue;
        struct kb_file *f = &s->files[kb_site_find(s, t->lpath[i])];
        f->refs = t->lrefs[i];
        t->lrefs[i] = (struct kb_reflist){ 0 };
        f->role |= KB_ROLE_LEGACY;
        rc = kb__resolve(s, f);
    }
    return rc;
}

/* Inserting moved the site's files: each module's file index, and the
 * graph's module of each file, again (a new table: nothing of the old one
 * is kept). */
static int
refind_modules(struct bundle *b)
{
    struct kb_site *s = b->s;
    int *mod_of = malloc((s->n + 1) * sizeof *mod_of);
    if (!mod_of)
        return KC_ENOMEM;
    free(b->g.mod_of);
    b->g.mod_of = mod_of;
    for (size_t i = 0; i < s->n; i++)
        mod_of[i] = -1;
    for (size_t mi = 0; mi < b->g.n; mi++) {
        b->g.m[mi].file = kb_site_find(s, b->g.m[mi].path);
        mod_of[b->g.m[mi].file] = (int)mi;
    }
    return 0;
}

/* The new chunks' and inline facades' references, scanned. */
static int
rescan_new_files(struct bundle *b)
{
    struct kb_site *s = b->s;
    int rc = 0;
    for (size_t c = 0; c < b->nc && !rc; c++)
        if (b->c[c].host < 0 && !kb__chunk_legacy_only(b, (int)c))
            rc = kb__rescan(s, &s->files[kb_site_find(s, b->c[c].path)]);
    for (size_t mi = 0; mi < b->g.n && !rc; mi++)
        if (b->inline_path[mi])
            rc = kb__rescan(s, &s->files[kb_site_find(s, b->inline_path[mi])]);
    return rc;
}

/* The modules' files: a host takes its chunk, the others keep their
 * bytes but no longer reference anything (nothing loads them). */
static int
replace_modules(struct bundle *b, struct texts *t)
{
    struct kb_site *s = b->s;
    int rc = 0;
    for (size_t mi = 0; mi < b->g.n && !rc; mi++) {
        const struct kb_mod *m = &b->g.m[mi];
        if (m->chunk < 0 || kb__mod_legacy_only(b, (int)mi))
            continue; /* a bundler's output keeps its files, bytes and references */
        struct kb_file *f = &s->files[m->file];
        int e = kb__ep_of(b, (int)mi);
        if (e >= 0 && b->c[m->chunk].host == e)
            rc = kb__set_data(f, &t->text[m->chunk]);
        else if (e >= 0)
            rc = kb__set_data(f, &t->facade[e]);
        else
            kb_reflist_free(&f->refs);
        if (!rc && e >= 0)
            rc = kb__rescan(s, f);
    }
    return rc;
}

/* A name a bundler hashed no longer matches the bytes: the naming
 * stage puts kiln's hash in its place. */
static void
mark_renamed(struct bundle *b)
{
    struct kb_site *s = b->s;
    for (size_t mi = 0; mi < b->g.n; mi++) {
        struct kb_file *f = &s->files[b->g.m[mi].file];
        if (b->g.m[mi].chunk >= 0 && !kb__mod_legacy_only(b, (int)mi) &&
            kb__ep_of(b, (int)mi) >= 0 && (f->role & KB_ROLE_PREHASHED) &&
            (f->role & KB_ROLE_REFERENCED) && !(f->role & KB_ROLE_KEEP_NAME))
            f->role |= KB_ROLE_RENAMED;
    }
}

static void
free_texts(const struct bundle *b, struct texts *t)
{
    for (size_t i = 0; i < t->nl; i++) {
        kc_buf_free(&t->ltext[i]);
        kb_reflist_free(&t->lrefs[i]);
        free(t->lpath[i]);
        kc_buf_free(&t->lmaps[i]);
        free(t->lmap_path[i]);
    }
    free(t->lmaps);
    free(t->lmap_path);
    free(t->ltext);
    free(t->lrefs);
    free(t->lpath);
    free(t->lpoly);
    for (size_t e = 0; t->facade && e < b->nep; e++)
        kc_buf_free(&t->facade[e]);
    for (size_t c = 0; t->text && t->maps && c < b->nc; c++) {
        kc_buf_free(&t->text[c]);
        kc_buf_free(&t->maps[c]);
    }
    for (size_t mi = 0; t->inl && mi < b->g.n; mi++)
        kc_buf_free(&t->inl[mi]);
    free(t->inl);
    free(t->facade);
    free(t->text);
    free(t->maps);
}

int
kb__install(struct bundle *b)
{
    b->s->legacy_tla = keeps_top_await(b);
    /* Every text first: facades add to the exports of the chunks. */
    struct texts t = { .capfiles = b->s->n };
    int rc = entry_facades(b, &t);
    if (!rc)
        rc = inline_facades(b, &t);
    if (!rc)
        rc = chunk_texts(b, &t);
    if (!rc)
        rc = twin_texts(b, &t);
    /* New files first: inserting shifts indexes, and the hosts' references
     * must find them when they are scanned again. */
    if (!rc)
        rc = insert_chunks(b, &t);
    if (!rc)
        rc = insert_inline_facades(b, &t);
    if (!rc)
        rc = insert_twins(b, &t);
    if (!rc)
        rc = resolve_twins(b, &t);
    if (!rc)
        rc = refind_modules(b);
    if (!rc)
        rc = rescan_new_files(b);
    if (!rc)
        rc = replace_modules(b, &t);
    if (!rc)
        rc = kb__rewrite_docs(b);
    free_texts(b, &t);
    if (!rc)
        rc = kb__refresh_roles(b->s);
    if (!rc)
        mark_renamed(b);
    return rc;
}
