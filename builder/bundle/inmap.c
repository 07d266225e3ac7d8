/*
 * Source maps that modules bring: a bundler's chunk and its .map (Vite's
 * output, whose legacy twins kiln makes), a module compiled from TypeScript.
 * Each is read once per module, from the file its last sourceMappingURL
 * names or from a data: URL. The maps kiln writes for chunks and twins go
 * through them (kb__map_json), so positions point at the original sources,
 * not at the files kiln was given. A map that does not parse is ignored
 * with a warning: the output map then points at the module itself.
 */
#include "builder/bundle/internal.h"
#include "common/buf.h"
#include "common/error.h"
#include "common/log.h"
#include "common/path.h"
#include "common/vec.h"

#include <jansson.h>
#include <limits.h>
#include <mbedtls/base64.h>
#include <stdlib.h>
#include <string.h>

/* Sources inside the site are kept root-relative under sixteen made-up
 * directories, so that "../../src/main.ts" from dist/assets/ (outside the
 * release, where the bundler's sources are) still resolves and can be
 * written relative to another file. */
#define FAKE_ROOT "\x01/\x01/\x01/\x01/\x01/\x01/\x01/\x01/\x01/\x01/\x01/\x01/\x01/\x01/\x01/\x01/"

struct kb_inmap {
    json_t *root;      /* the map's JSON: contents point into it */
    char **src;        /* per source: FAKE_ROOT + its path, or the URL as written */
    const char **text; /* sourcesContent, or NULL */
    size_t *len;
    size_t n;
    struct kb_smap segs; /* module line and column -> source, line, column */
};

/* Stands for "no map" in the per-module cache. */
static struct kb_inmap none;

static bool
has_scheme(const char *u)
{
    size_t i = 0;
    if (!((u[0] >= 'a' && u[0] <= 'z') || (u[0] >= 'A' && u[0] <= 'Z')))
        return false;
    while (u[i] && (u[i] == '+' || u[i] == '-' || u[i] == '.' || (u[i] >= '0' && u[i] <= '9') ||
                    (u[i] >= 'a' && u[i] <= 'z') || (u[i] >= 'A' && u[i] <= 'Z')))
        i++;
    return u[i] == ':';
}

static void
inmap_free(struct kb_inmap *im)
{
    if (!im || im == &none)
        return;
    for (size_t i = 0; i < im->n; i++)
        free(im->src[i]);
    free(im->src);
    free(im->text);
    free(im->len);
    kb_smap_free(&im->segs);
    json_decref(im->root);
    free(im);
}

/* Source i of the map (sourceRoot joined), resolved against the map's
 * directory dir: malloc'd, NULL when out of memory. */
static char *
source_path(const char *root, const char *name, const char *dir)
{
    char *joined = NULL;
    size_t rn = strlen(root);
    if (asprintf(&joined, "%s%s%s", root, rn && root[rn - 1] != '/' ? "/" : "", name) < 0)
        return NULL;
    if (has_scheme(joined) || joined[0] == '/')
        return joined; /* a URL, or a path from the site's origin: as written */
    char dec[PATH_MAX], fake[PATH_MAX + sizeof FAKE_ROOT], out[PATH_MAX];
    if (kc_url_decode(joined, strlen(joined), dec, sizeof dec) != 0 ||
        snprintf(fake, sizeof fake, "%s%s", FAKE_ROOT, dir) >= (int)sizeof fake ||
        kc_path_resolve(fake, dec, out, sizeof out) != 0 || strncmp(out, "\x01/", 2) != 0)
        return joined; /* climbs past every made-up directory: as written */
    free(joined);
    return strdup(out);
}

/* Decodes map text (path: where it came from, for warnings; dir: the
 * directory its sources are relative to) into *out. Returns 0, KC_ENOMEM,
 * or KC_EINVAL after a warning. */
static int
parse(const char *path, const char *text, size_t len, const char *dir, struct kb_inmap **out)
{
    json_error_t je;
    json_t *root = json_loadb(text, len, 0, &je);
    const char *why = NULL;
    if (!root)
        why = je.text;
    else if (json_object_get(root, "sections"))
        why = "an index map (\"sections\") is not read";
    else if (json_integer_value(json_object_get(root, "version")) != 3)
        why = "not a version 3 source map";
    json_t *sources = json_object_get(root, "sources");
    json_t *mappings = json_object_get(root, "mappings");
    json_t *contents = json_object_get(root, "sourcesContent");
    const char *sroot = json_string_value(json_object_get(root, "sourceRoot"));
    if (!why && (!json_is_array(sources) || !json_is_string(mappings)))
        why = "\"sources\" or \"mappings\" is missing";
    if (why) {
        kc_warn("%s: %s: kiln's maps point at the module instead", path, why);
        json_decref(root);
        return KC_EINVAL;
    }
    struct kb_inmap *im = calloc(1, sizeof *im);
    size_t n = json_array_size(sources);
    if (!im) {
        json_decref(root);
        return KC_ENOMEM;
    }
    im->root = root;
    im->segs = (struct kb_smap){ .osrc = -1 };
    im->src = calloc(n + 1, sizeof *im->src);
    im->text = calloc(n + 1, sizeof *im->text);
    im->len = calloc(n + 1, sizeof *im->len);
    int rc = im->src && im->text && im->len ? 0 : KC_ENOMEM;
    for (size_t i = 0; i < n && !rc; i++, im->n++) {
        const char *name = json_string_value(json_array_get(sources, i));
        im->src[i] = source_path(sroot ? sroot : "", name ? name : "", dir);
        json_t *c = json_array_get(contents, i);
        im->text[i] = json_string_value(c);
        im->len[i] = json_string_length(c);
        rc = im->src[i] ? 0 : KC_ENOMEM;
    }
    const char *mp = json_string_value(mappings);
    if (!rc)
        rc = kb_smap_decode(mp, json_string_length(mappings), n, &im->segs);
    if (rc == KC_EINVAL)
        kc_warn("%s: the \"mappings\" are not valid: kiln's maps point at the module instead",
                path);
    if (rc) {
        inmap_free(im);
        return rc;
    }
    *out = im;
    return 0;
}

/* The bytes of a data: URL (RFC 2397), base64 or percent-encoded, into o. */
static int
data_url(const char *u, struct kc_buf *o)
{
    const char *comma = strchr(u, ',');
    if (!comma)
        return KC_EINVAL;
    const char *body = comma + 1;
    size_t n = strlen(body);
    bool b64 = comma - u >= 7 && strncmp(comma - 7, ";base64", 7) == 0;
    char *tmp = malloc(n + 1);
    if (!tmp)
        return KC_ENOMEM;
    size_t got = 0;
    int rc = 0;
    const unsigned char *in = (const unsigned char *)body;
    if (b64)
        rc = mbedtls_base64_decode((unsigned char *)tmp, n + 1, &got, in, n) ? KC_EINVAL : 0;
    else if ((rc = kc_url_decode(body, n, tmp, n + 1)) == 0)
        got = strlen(tmp);
    if (!rc)
        rc = kc_buf_append(o, tmp, got);
    free(tmp);
    return rc;
}

/* Loads the map of f, a module of site s, as it was read (its references
 * are those of its text). Returns 0 (*out: the map, or &none) or KC_ENOMEM. */
static int
load(const struct kb_site *s, const struct kb_file *f, struct kb_inmap **out)
{
    const struct kb_ref *ref = NULL;
    for (size_t r = 0; r < f->refs.n; r++)
        if (f->refs.v[r].kind == KB_REF_SOURCEMAP)
            ref = &f->refs.v[r]; /* the last one counts */
    *out = &none;
    if (!ref)
        return 0;
    char dir[PATH_MAX], path[PATH_MAX];
    kc_path_dirname(f->path, dir, sizeof dir);
    int rc;
    if (strncmp(ref->url, "data:", 5) == 0) {
        struct kc_buf t;
        kc_buf_init(&t, KB_CHUNK_MAX);
        rc = data_url(ref->url, &t);
        if (rc == KC_EINVAL)
            kc_warn("%s:%u: the inline source map's data: URL does not decode: kiln's maps point "
                    "at the module instead",
                    f->path, ref->line);
        if (!rc)
            rc = parse(f->path, t.data ? t.data : "", t.len, dir, out);
        kc_buf_free(&t);
        return rc == KC_ENOMEM ? rc : 0;
    }
    char u[PATH_MAX];
    size_t q = strcspn(ref->url, "?#");
    if (q >= sizeof u)
        return 0;
    memcpy(u, ref->url, q);
    u[q] = '\0';
    if (kc_path_resolve(dir, u, path, sizeof path) != 0)
        return 0;
    int fi = kb_site_find(s, path);
    if (fi < 0)
        return 0; /* not shipped: the module is the source */
    const struct kb_file *mf = &s->files[fi];
    kc_path_dirname(path, dir, sizeof dir);
    rc = parse(path, (const char *)mf->data, mf->len, dir, out);
    return rc == KC_ENOMEM ? rc : 0;
}

static const struct kb_inmap *
inmap_of(struct bundle *b, int mi, int *rc)
{
    if (!b->inmap) {
        b->inmap = calloc(b->g.n + 1, sizeof *b->inmap);
        if (!b->inmap) {
            *rc = KC_ENOMEM;
            return &none;
        }
    }
    if (!b->inmap[mi])
        *rc = load(b->s, &b->s->files[b->g.m[mi].file], &b->inmap[mi]);
    return b->inmap[mi] ? b->inmap[mi] : &none;
}

void
kb__inmaps_free(struct bundle *b)
{
    for (size_t i = 0; b->inmap && i < b->g.n; i++)
        inmap_free(b->inmap[i]);
    free(b->inmap);
    b->inmap = NULL;
}

/* The output map's sources, without repeats. */
struct srcs {
    char **name; /* relative to the map's file, owned */
    const char **text;
    size_t *len;
    size_t n, capn, capt, capl;
};

/* The index of name (taken: freed when it is already there) in o. */
static int
add_src(struct srcs *o, char *name, const char *text, size_t len)
{
    if (!name)
        return KC_ENOMEM;
    for (size_t i = 0; i < o->n; i++)
        if (strcmp(o->name[i], name) == 0) {
            free(name);
            if (!o->text[i] && text) {
                o->text[i] = text;
                o->len[i] = len;
            }
            return (int)i;
        }
    int rc = kc_vec_reserve(o->name, o->capn, o->n + 1, KB_LIST_MAX);
    if (!rc)
        rc = kc_vec_reserve(o->text, o->capt, o->n + 1, KB_LIST_MAX);
    if (!rc)
        rc = kc_vec_reserve(o->len, o->capl, o->n + 1, KB_LIST_MAX);
    if (rc) {
        free(name);
        return rc;
    }
    o->name[o->n] = name;
    o->text[o->n] = text;
    o->len[o->n] = len;
    return (int)o->n++;
}

/* Source name of an input map, as the output file at file names it. */
static char *
rel_name(const char *src, const char *file)
{
    if (strncmp(src, "\x01/", 2) != 0)
        return strdup(src);
    char dir[PATH_MAX], fake[PATH_MAX + sizeof FAKE_ROOT];
    kc_path_dirname(file, dir, sizeof dir);
    /* A directory without its trailing '/', as kc_path_relative takes it. */
    snprintf(fake, sizeof fake, "%.*s%s", (int)strlen(FAKE_ROOT) - !*dir, FAKE_ROOT, dir);
    struct kc_buf o;
    kc_buf_init(&o, PATH_MAX * 4);
    if (kc_path_relative(fake, src, &o) != 0) {
        kc_buf_free(&o);
        return NULL;
    }
    size_t n;
    return kc_buf_steal(&o, &n);
}

/* Segment s of a chunk's map, which covers generated columns [s->gcol,
 * end) of its line, sent through module map im: the input's segments in
 * the module's columns [s->ocol, s->ocol + span) come along, each to its
 * original (for text kiln copied, that is where the input map points). */
static int
through(const struct kb_smap_seg *s, unsigned end, const struct kb_inmap *im, const int *idx,
        struct kb_smap *res)
{
    const struct kb_smap_seg *g = kb_smap_find(&im->segs, s->oline, s->ocol);
    int rc;
    if (g && g->gline == s->oline)
        rc = kb_smap_push(res, s->gline, s->gcol, g->src < 0 ? -1 : idx[g->src], g->oline, g->ocol);
    else
        rc = kb_smap_push(res, s->gline, s->gcol, -1, 0, 0);
    size_t k = g ? (size_t)(g - im->segs.v) + 1 : 0;
    if (!g) { /* the first segment of the line, if any, is after ocol */
        while (k < im->segs.n && im->segs.v[k].gline < s->oline)
            k++;
    }
    unsigned span = end - s->gcol; /* > 0 */
    for (; k < im->segs.n && !rc; k++) {
        const struct kb_smap_seg *h = &im->segs.v[k];
        if (h->gline != s->oline || h->gcol - s->ocol >= span)
            break;
        rc = kb_smap_push(res, s->gline, s->gcol + (h->gcol - s->ocol),
                          h->src < 0 ? -1 : idx[h->src], h->oline, h->ocol);
    }
    return rc;
}

/* A source without sourcesContent that is a file of the site (the release
 * keeps it): its bytes, which are the site's until the chunks replace the
 * modules' files, after every map is written (kb__install). */
static void
site_text(const struct kb_site *s, const char *src, const char **text, size_t *len)
{
    size_t k = strlen(FAKE_ROOT);
    int fi = strncmp(src, FAKE_ROOT, k) == 0 ? kb_site_find(s, src + k) : -1;
    if (*text || fi < 0)
        return;
    *text = (const char *)s->files[fi].data;
    *len = s->files[fi].len;
}

/* The inputs of a map: per module, its path, its text and its own map. */
struct map_in {
    size_t n;
    const char **path, **src;
    const size_t *len;
    const struct kb_inmap **im;
};

/* The map of file (text[0..len)) from m, whose sources are in's modules. */
static int
write_map(const struct kb_site *site, const char *file, const char *text, size_t len,
          const struct kb_smap *m, unsigned line_offset, const struct map_in *in,
          struct kc_buf *out)
{
    struct srcs o = { 0 };
    int **idx = calloc(in->n + 1, sizeof *idx);
    size_t nlines = 0;
    unsigned *units = kb_smap_line_units(text, len, &nlines);
    int rc = idx && units ? 0 : KC_ENOMEM;
    for (size_t i = 0; i < in->n && !rc; i++) {
        const struct kb_inmap *im = in->im[i];
        idx[i] = calloc(im->n ? im->n : 1, sizeof **idx);
        rc = idx[i] ? 0 : KC_ENOMEM;
        if (!rc && im == &none) {
            int x = add_src(&o, kb__rel_from(file, in->path[i]), in->src[i], in->len[i]);
            rc = x < 0 ? x : 0;
            idx[i][0] = x;
        }
        for (size_t s = 0; s < im->n && !rc; s++) {
            const char *st = im->text[s];
            size_t sl = im->len[s];
            site_text(site, im->src[s], &st, &sl);
            int x = add_src(&o, rel_name(im->src[s], file), st, sl);
            rc = x < 0 ? x : 0;
            idx[i][s] = x;
        }
    }
    struct kb_smap res = { .osrc = -1 };
    for (size_t k = 0; k < m->n && !rc; k++) {
        const struct kb_smap_seg *s = &m->v[k];
        if (s->src < 0 || (size_t)s->src >= in->n) {
            rc = kb_smap_push(&res, s->gline, s->gcol, -1, 0, 0);
        } else if (in->im[s->src] == &none) {
            rc = kb_smap_push(&res, s->gline, s->gcol, idx[s->src][0], s->oline, s->ocol);
        } else {
            /* To the next segment, or the end of the line (text kiln
             * printed may be shorter than the module's). */
            size_t line = (size_t)s->gline + line_offset;
            unsigned end = k + 1 < m->n && m->v[k + 1].gline == s->gline ? m->v[k + 1].gcol
                           : line < nlines                               ? units[line]
                                                                         : s->gcol;
            rc = end > s->gcol ? through(s, end, in->im[s->src], idx[s->src], &res)
                               : kb_smap_push(&res, s->gline, s->gcol, -1, 0, 0);
        }
    }
    char *json =
        rc ? NULL
           : kb_smap_json(&res, line_offset, (const char *const *)o.name, o.text, o.len, o.n);
    if (!rc)
        rc = json ? kc_buf_puts(out, json) : KC_ENOMEM;
    free(json);
    kb_smap_free(&res);
    for (size_t i = 0; idx && i < in->n; i++)
        free(idx[i]);
    free(idx);
    free(units);
    for (size_t i = 0; i < o.n; i++)
        free(o.name[i]);
    free(o.name);
    free(o.text);
    free(o.len);
    return rc;
}

int
kb__map_json(struct bundle *b, int c, const char *file, const char *text, size_t len,
             const struct kb_smap *m, unsigned line_offset, struct kc_buf *out)
{
    const struct chunk *ch = &b->c[c];
    const char **path = calloc(ch->n + 1, sizeof *path), **src = calloc(ch->n + 1, sizeof *src);
    size_t *lens = calloc(ch->n + 1, sizeof *lens);
    const struct kb_inmap **im = calloc(ch->n + 1, sizeof *im);
    int rc = path && src && lens && im ? 0 : KC_ENOMEM;
    for (size_t i = 0; i < ch->n && !rc; i++) {
        const struct kb_mod *mod = &b->g.m[ch->mods[i]];
        path[i] = mod->path;
        src[i] = mod->src;
        lens[i] = mod->len;
        im[i] = inmap_of(b, ch->mods[i], &rc);
    }
    struct map_in in = { .n = ch->n, .path = path, .src = src, .len = lens, .im = im };
    if (!rc)
        rc = write_map(b->s, file, text, len, m, line_offset, &in, out);
    free(path);
    free(src);
    free(lens);
    free(im);
    return rc;
}

int
kb__module_map(const struct kb_site *s, const struct kb_file *f, const char *file, const char *text,
               size_t len, const struct kb_smap *m, struct kc_buf *out)
{
    struct kb_inmap *im;
    int rc = load(s, f, &im);
    const char *path = f->path, *src = (const char *)f->data;
    const struct kb_inmap *ims = im;
    struct map_in in = { .n = 1, .path = &path, .src = &src, .len = &f->len, .im = &ims };
    if (!rc)
        rc = write_map(s, file, text, len, m, 0, &in, out);
    inmap_free(im);
    return rc;
}
