/*
 * The bundler's use of the lowering stage (builder/lower/): each modern
 * chunk is lowered to --target after it is linked, its source map composed
 * with the lowering's; each legacy twin is lowered to ES5 with its runtime
 * helpers inside the declare function, and its references found again; a
 * page's twin then gets, before its loader, the polyfills of every twin the
 * page may run (its dependencies and import() targets, transitively).
 */
#include "builder/bundle/internal.h"
#include "builder/lower/polyfill.h"
#include "common/error.h"
#include "common/log.h"
#include "common/path.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Logs d, a position of chunk c's text (or of its twin's) whose source map
 * (map, line 0 being the text's line body_line) may trace it to a module:
 * at the module's line and column when it does, else at path's. */
static void
report_in_chunk(struct bundle *b, int c, const struct kb_smap *map, unsigned body_line,
                const char *path, const struct kc_diag *d, enum kc_log_level level,
                const char *suffix)
{
    unsigned line = d->line ? d->line - 1 : 0, col = d->col ? d->col - 1 : 0;
    const struct kb_smap_seg *s =
        c >= 0 && line >= body_line ? kb_smap_find(map, line - body_line, col) : NULL;
    const struct chunk *ch = c >= 0 ? &b->c[c] : NULL;
    if (s && s->src >= 0 && (size_t)s->src < ch->n && s->gline == line - body_line) {
        const struct kb_mod *m = &b->g.m[ch->mods[s->src]];
        kc_log(level, "%s:%u:%u: %s%s", m->path, s->oline + 1, s->ocol + (col - s->gcol) + 1,
               d->msg, suffix);
        return;
    }
    kc_log(level, "%s:%u:%u: %s%s", path, d->line, d->col, d->msg, suffix);
}

int
kb__lower_chunk(struct bundle *b, int c, struct kc_buf *o, unsigned *body_line)
{
    const struct kb_options *opt = b->s->opt;
    if (opt->target == KB_ESNEXT || !o->len)
        return 0;
    struct kb_lower_opts lo = {
        .target = opt->target,
        .module = true,
        .compact = opt->minify_ws,
        .keep_top_await = b->s->legacy_tla,
    };
    struct kb_lower_result r;
    struct kc_diag d;
    int rc = kb_lower(o->data, o->len, &lo, &r, &d);
    if (rc == KC_EPARSE || rc == KC_EUNSUP)
        report_in_chunk(b, c, &b->c[c].map, *body_line, b->c[c].path, &d,
                        rc == KC_EUNSUP ? KC_LOG_WARN : KC_LOG_ERROR,
                        rc == KC_EUNSUP ? ": the chunk keeps it" : "");
    if (rc == KC_EUNSUP)
        return 0; /* warned: the chunk stays as written */
    if (rc || !r.changed)
        return rc;
    struct chunk *ch = &b->c[c];
    struct kb_smap m;
    rc = kb_smap_compose(&ch->map, *body_line, o->data, o->len, r.text, r.segs, r.nsegs, &m);
    if (!rc) {
        kb_smap_free(&ch->map);
        ch->map = m;
        *body_line = 0;
        kc_buf_reset(o);
        rc = kc_buf_append(o, r.text, r.len);
    }
    kb_lower_result_free(&r);
    return rc;
}

static unsigned
lines_in(const char *s, size_t n)
{
    unsigned lines = 0;
    for (size_t i = 0; i < n; i++)
        lines += s[i] == '\n';
    return lines;
}

/* The references of a twin, at their places in the lowered text (which
 * follows skip bytes of loader). */
static int
move_refs(const struct kb_lower_result *r, struct kb_reflist *refs, size_t skip, const char *path)
{
    size_t off = 0;
    unsigned line = 1;
    for (size_t i = 0; i < refs->n; i++) {
        struct kb_ref *f = &refs->v[i];
        uint32_t s = kb_lower_translate(r, (uint32_t)(f->start - skip));
        uint32_t e = f->end > f->start ? kb_lower_translate(r, (uint32_t)(f->end - skip - 1)) : s;
        if (s == UINT32_MAX || e == UINT32_MAX) {
            kc_error("%s: internal error: a reference of the legacy twin was lost in lowering",
                     path);
            return KC_EPARSE;
        }
        if (s < off) {
            off = 0;
            line = 1;
        }
        for (; off < s; off++)
            line += r->text[off] == '\n';
        f->end = skip + (f->end > f->start ? (size_t)e + 1 : s);
        f->start = skip + s;
        f->line = line + lines_in(kb_legacy_loader, skip);
    }
    return 0;
}

int
kb__lower_twin(struct bundle *b, int c, const char *path, struct kc_buf *text,
               struct kb_reflist *refs, size_t declare_at, uint64_t *polyfills, struct kb_smap *map,
               unsigned *map_line)
{
    /* A page's twin starts with the loader, ES5 as written: it stays as it
     * is, its comment included, and only what follows it is lowered. */
    size_t skip = strlen(kb_legacy_loader);
    if (text->len < skip || memcmp(text->data, kb_legacy_loader, skip) != 0)
        skip = 0;
    struct kb_lower_opts lo = {
        .target = KB_ES5,
        .compact = b->s->opt->minify_ws,
        .helpers_at = (uint32_t)(declare_at - skip),
    };
    struct kb_lower_result r;
    struct kc_diag d;
    int rc = kb_lower(text->data + skip, text->len - skip, &lo, &r, &d);
    if (rc == KC_EPARSE || rc == KC_EUNSUP) {
        d.line += lines_in(text->data, skip);
        report_in_chunk(b, c, map, *map_line, path, &d,
                        rc == KC_EUNSUP ? KC_LOG_WARN : KC_LOG_ERROR,
                        rc == KC_EUNSUP ? ": the legacy twin keeps it"
                                        : " (in the legacy twin; --no-legacy builds without it)");
    }
    if (rc == KC_EUNSUP) /* warned: the twin keeps the syntax, as before lowering existed */
        return kb_polyfill_detect_src(text->data, text->len, false, polyfills, &d) == KC_ENOMEM
                   ? KC_ENOMEM
                   : 0;
    if (rc)
        return rc;
    *polyfills = r.polyfills;
    /* The loader's own needs (Promise). */
    if (skip && kb_polyfill_detect_src(kb_legacy_loader, skip, false, polyfills, &d) == KC_ENOMEM)
        rc = KC_ENOMEM;
    unsigned loader_lines = lines_in(text->data, skip);
    struct kb_smap m = { .osrc = -1 };
    if (!rc && r.changed && map->n && *map_line >= loader_lines)
        rc = kb_smap_compose(map, *map_line - loader_lines, text->data + skip, text->len - skip,
                             r.text, r.segs, r.nsegs, &m);
    if (!rc && r.changed) {
        kb_smap_free(map);
        *map = m;
        *map_line = loader_lines;
        rc = move_refs(&r, refs, skip, path);
        if (!rc) {
            text->len = skip;
            rc = kc_buf_append(text, r.text, r.len);
        }
    } else {
        kb_smap_free(&m);
    }
    kb_lower_result_free(&r);
    return rc;
}

/* The twins twin i may run: its dependencies and import() targets, found
 * through its references (relative to its path), transitively. */
static void
reach(char **lpath, const struct kb_reflist *lrefs, size_t nl, size_t i, bool *seen)
{
    if (seen[i])
        return;
    seen[i] = true;
    char dir[PATH_MAX], to[PATH_MAX];
    kc_path_dirname(lpath[i], dir, sizeof dir);
    for (size_t k = 0; k < lrefs[i].n; k++) {
        if (kc_path_resolve(dir, lrefs[i].v[k].url, to, sizeof to) != 0)
            continue;
        for (size_t j = 0; j < nl; j++)
            if (lpath[j] && !seen[j] && !strcmp(lpath[j], to))
                reach(lpath, lrefs, nl, j, seen);
    }
}

int
kb__twin_polyfills(struct bundle *b, char **lpath, struct kc_buf *ltext, struct kb_reflist *lrefs,
                   unsigned *lmap_line, const uint64_t *need, const bool *page, size_t nl,
                   uint64_t *got)
{
    if (!b->s->opt->legacy_polyfills)
        return 0;
    bool *seen = calloc(nl + 1, sizeof *seen);
    if (!seen)
        return KC_ENOMEM;
    int rc = 0;
    for (size_t i = 0; i < nl && !rc; i++) {
        if (!lpath[i] || !page[i])
            continue;
        memset(seen, 0, nl * sizeof *seen);
        reach(lpath, lrefs, nl, i, seen);
        uint64_t set = 0;
        for (size_t j = 0; j < nl; j++)
            if (seen[j])
                set |= need[j];
        got[i] = set;
        if (!set)
            continue;
        struct kc_buf pf;
        kc_buf_init(&pf, KB_CHUNK_MAX);
        rc = kb_polyfill_text(set, &pf);
        /* Before the loader: the text moves down, and so do its references. */
        unsigned lines = 0;
        for (size_t k = 0; k < pf.len; k++)
            lines += pf.data[k] == '\n';
        struct kc_buf whole;
        kc_buf_init(&whole, KB_CHUNK_MAX);
        if (!rc)
            rc = kc_buf_append(&whole, pf.data, pf.len);
        if (!rc)
            rc = kc_buf_append(&whole, ltext[i].data, ltext[i].len);
        if (!rc) {
            for (size_t k = 0; k < lrefs[i].n; k++) {
                lrefs[i].v[k].start += pf.len;
                lrefs[i].v[k].end += pf.len;
                lrefs[i].v[k].line += lines;
            }
            lmap_line[i] += lines;
            kc_buf_free(&ltext[i]);
            ltext[i] = whole;
        } else {
            kc_buf_free(&whole);
        }
        kc_buf_free(&pf);
    }
    free(seen);
    return rc;
}

/* A module the pages may load that no chunk holds: an entry point left
 * unbundled, or what it imports. */
static bool
unbundled_module(const struct kb_file *f)
{
    if (!(f->role & KB_ROLE_MODULE) || (f->role & (KB_ROLE_PREHASHED | KB_ROLE_LEGACY)) ||
        !f->reachable)
        return false;
    size_t n = strlen(f->path);
    return (n > 3 && !strcmp(f->path + n - 3, ".js")) ||
           (n > 4 && !strcmp(f->path + n - 4, ".mjs"));
}

/* The path of the map of module path lowered in place: NAME.lowered.js.map
 * beside it (its own NAME.js.map may be there), numbered past a clash. */
static char *
lowered_map_path(const struct kb_site *s, const char *path)
{
    const char *ext = strrchr(path, '.');
    int n = (int)(ext - path);
    for (unsigned k = 1; k < 1000; k++) {
        char *p;
        if (asprintf(&p, "%.*s.lowered%.0u%s.map", n, path, k > 1 ? k : 0, ext) < 0)
            return NULL;
        if (kb_site_find(s, p) < 0)
            return p;
        free(p);
    }
    return NULL;
}

/* Module f lowered in place (r): its new text, ending in the comment that
 * names its map, into text, and the map (composed with f's own, if it has
 * one) into map at *map_path. */
static int
lowered_module(const struct kb_site *s, const struct kb_file *f, const struct kb_lower_result *r,
               struct kc_buf *text, struct kc_buf *map, char **map_path)
{
    /* The module's own text, each line to itself: the printer's segments
     * go through it with their columns. */
    struct kb_smap self = { .osrc = -1 }, m;
    unsigned lines = 0;
    int rc = kb_smap_push(&self, 0, 0, 0, 0, 0);
    for (size_t i = 0; i < f->len && !rc; i++)
        if (f->data[i] == '\n' && i + 1 < f->len) {
            lines++;
            rc = kb_smap_push(&self, lines, 0, 0, lines, 0);
        }
    if (!rc)
        rc = kb_smap_compose(&self, 0, (const char *)f->data, f->len, r->text, r->segs, r->nsegs,
                             &m);
    kb_smap_free(&self);
    if (rc)
        return rc;
    *map_path = lowered_map_path(s, f->path);
    const char *base = *map_path ? strrchr(*map_path, '/') : NULL;
    rc = *map_path ? kc_buf_append(text, r->text, r->len) : KC_ENOMEM;
    if (!rc)
        rc = kc_buf_printf(text, "//# sourceMappingURL=%s\n", base ? base + 1 : *map_path);
    if (!rc)
        rc = kb__module_map(s, f, f->path, text->data, text->len, &m, map);
    kb_smap_free(&m);
    return rc;
}

int
kb__lower_modules(struct kb_site *s)
{
    const struct kb_options *opt = s->opt;
    if (opt->target == KB_ESNEXT)
        return 0;
    /* No twin exists for these: top-level await stays as written. */
    struct kb_lower_opts lo = { .target = opt->target, .module = true, .keep_top_await = true };
    int rc = 0;
    size_t n = 0;
    struct kc_buf *maps = calloc(s->n + 1, sizeof *maps);
    char **path = calloc(s->n + 1, sizeof *path), **map_path = calloc(s->n + 1, sizeof *map_path);
    if (!maps || !path || !map_path)
        rc = KC_ENOMEM;
    for (size_t i = 0, nfiles = s->n; i < nfiles && !rc; i++) {
        struct kb_file *f = &s->files[i];
        if (!unbundled_module(f))
            continue;
        struct kb_lower_result r;
        struct kc_diag d;
        rc = kb_lower((const char *)f->data, f->len, &lo, &r, &d);
        if (rc == KC_EPARSE || rc == KC_EUNSUP)
            kc_log(rc == KC_EUNSUP ? KC_LOG_WARN : KC_LOG_ERROR, "%s:%u:%u: %s", f->path, d.line,
                   d.col, d.msg);
        if (rc == KC_EUNSUP)
            rc = 0;
        if (rc || !r.changed)
            continue;
        struct kc_buf text;
        kc_buf_init(&text, KB_CHUNK_MAX);
        kc_buf_init(&maps[n], KB_CHUNK_MAX);
        rc = lowered_module(s, f, &r, &text, &maps[n], &map_path[n]);
        kb_lower_result_free(&r);
        path[n++] = strdup(f->path);
        if (!rc)
            rc = path[n - 1] ? kb__set_data(f, &text) : KC_ENOMEM;
        kc_buf_free(&text);
    }
    /* The maps join the site (which moves its files), then each module's
     * references are found again, its map's among them. */
    size_t cap = s->n;
    for (size_t k = 0; k < n && !rc; k++)
        rc = kb__insert_file(s, &cap, map_path[k], &maps[k],
                             s->files[kb_site_find(s, path[k])].mtime);
    for (size_t k = 0; k < n && !rc; k++)
        rc = kb__rescan(s, &s->files[kb_site_find(s, path[k])]);
    for (size_t k = 0; k < n; k++) {
        kc_buf_free(&maps[k]);
        free(path[k]);
        free(map_path[k]);
    }
    free(maps);
    free(path);
    free(map_path);
    return rc;
}
