/*
 * Emit: precompresses the final bytes, writes every file and variant into the
 * temporary release directory, then the two manifests. Nothing here touches
 * the previous release; main() swaps the finished directory into place.
 * Output is a pure function of the input: no timestamps, no readdir order.
 */
#include "builder/bundle/legacy.h"
#include "builder/dict.h"
#include "builder/site.h"
#include "common/clock.h"
#include "common/buf.h"
#include "common/error.h"
#include "common/log.h"
#include "common/path.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void
progress(void *ud, size_t done, size_t total)
{
    (void)ud;
    fprintf(stderr, "\rkiln-build: compressing %zu/%zu (%zu%%)%s", done, total,
            total ? done * 100 / total : 100, done == total ? "\n" : "");
}

/* The variants and the dictionary deltas, in one run of the pool: the
 * plain variants are kept first, since a delta is kept only against br. */
static int
compress_all(struct kb_site *s)
{
    const struct kb_options *o = s->opt;
    struct kb_dict_job dj;
    int rc = kb_dict_prepare(s, &dj);
    if (rc) {
        kb_dict_job_free(&dj);
        return rc;
    }
    if (o->enc_mask == 0 && dj.n == 0)
        return 0;
    struct kb_compress_item *items = calloc(s->n + dj.n + 1, sizeof *items);
    int *owner = calloc(s->n + 1, sizeof *owner);
    size_t n = 0;
    if (!items || !owner) {
        free(items);
        free(owner);
        kb_dict_job_free(&dj);
        return KC_ENOMEM;
    }
    for (size_t i = 0; i < s->n; i++) {
        struct kb_file *f = &s->files[i];
        if (!f->mime->compressible || f->out_len == 0 || o->enc_mask == 0)
            continue;
        items[n].data = f->out;
        items[n].len = f->out_len;
        memcpy(items[n].sha256, f->sha256, KC_SHA256_LEN);
        items[n].mask = o->enc_mask;
        items[n].name = f->out_path;
        owner[n++] = (int)i;
    }
    struct kb_compress_opts co = {
        .jobs = o->jobs,
        .cache_dir = o->cache_dir,
        .progress = o->progress ? progress : NULL,
    };
    if (dj.n)
        memcpy(items + n, dj.items, dj.n * sizeof *items);
    rc = kb_compress_run(items, n + dj.n, &co, &s->cstats);
    if (dj.n)
        memcpy(dj.items, items + n, dj.n * sizeof *items);
    for (size_t k = 0; k < n; k++) {
        struct kb_file *f = &s->files[owner[k]];
        for (int e = 0; e < KB_ENC_COUNT; e++) {
            unsigned char *v = items[k].out[e];
            size_t vl = items[k].out_len[e];
            /* Keep a variant only if it saves at least min_saving percent. */
            if (!rc && v &&
                (unsigned long long)vl * 100 <=
                    (unsigned long long)f->out_len * (100 - o->min_saving)) {
                f->var[e] = v;
                f->var_len[e] = vl;
                kc_sha256(v, vl, f->var_sha256[e]);
            } else {
                free(v);
            }
        }
    }
    kb_dict_keep(s, &dj, rc == 0);
    kb_dict_job_free(&dj);
    free(items);
    free(owner);
    if (rc)
        kc_error("compression failed: %s", kc_strerror(rc));
    return rc;
}

/* mkdir -p for the parent directories of rel inside root. Directories and
 * files are created 0777 and 0666 less the umask, like any build output, so
 * a server running as another user (nginx's www-data) can read them. */
static int
make_parents(const char *root, const char *rel)
{
    char p[PATH_MAX];
    if (snprintf(p, sizeof p, "%s/%s", root, rel) >= (int)sizeof p)
        return KC_ETOOBIG;
    for (char *c = p + strlen(root) + 1; *c; c++) {
        if (*c != '/')
            continue;
        *c = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST)
            return KC_EIO;
        *c = '/';
    }
    return 0;
}

static int
write_file(const char *root, const char *rel, const void *data, size_t len, int64_t mtime)
{
    char p[PATH_MAX];
    if (snprintf(p, sizeof p, "%s/%s", root, rel) >= (int)sizeof p)
        return KC_ETOOBIG;
    int rc = make_parents(root, rel);
    if (rc)
        return rc;
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0)
        return KC_EIO;
    const char *c = data;
    while (len > 0) {
        ssize_t w = write(fd, c, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            close(fd);
            return KC_EIO;
        }
        c += w;
        len -= (size_t)w;
    }
    /* The mtime is part of the release (Last-Modified), so it is set, not
     * inherited from the clock. */
    struct timespec ts[2] = { { (time_t)mtime, 0 }, { (time_t)mtime, 0 } };
    if (futimens(fd, ts) != 0 || close(fd) != 0)
        return KC_EIO;
    return 0;
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* ---- purge tags ----------------------------------------------------------- */

static const char *
kind_name(enum kc_kind k)
{
    switch (k) {
    case KC_KIND_HTML: return "html";
    case KC_KIND_CSS: return "css";
    case KC_KIND_JS: return "js";
    case KC_KIND_JSON: return "json";
    case KC_KIND_WEBMANIFEST: return "webmanifest";
    case KC_KIND_SOURCEMAP: return "sourcemap";
    case KC_KIND_SVG: return "svg";
    case KC_KIND_IMAGE: return "image";
    case KC_KIND_FONT: return "font";
    case KC_KIND_MEDIA: return "media";
    case KC_KIND_WASM: return "wasm";
    case KC_KIND_TEXT: return "text";
    default: return "other";
    }
}

/* The purge tags of every file, as the edge sends them (Surrogate-Key,
 * Cache-Tag). pages[i * KB_MAX_PAGE_TAGS + k] are the entry documents that
 * load file i, directly or not, the document itself included; npages[i]
 * counts them. One depth-first walk per document, stopping at other
 * documents (a page's links are not what it loads). */
struct tagset {
    int *pages;
    unsigned *npages;
};

static int
tagset_build(const struct kb_site *s, struct tagset *t)
{
    t->pages = malloc((s->n + 1) * KB_MAX_PAGE_TAGS * sizeof *t->pages);
    t->npages = calloc(s->n + 1, sizeof *t->npages);
    int *stack = malloc((s->n + 1) * sizeof *stack);
    unsigned char *seen = malloc(s->n + 1);
    int rc = 0;
    if (!t->pages || !t->npages || !stack || !seen) {
        rc = KC_ENOMEM;
        goto out;
    }
    for (size_t d = 0; d < s->n; d++) {
        if (!(s->files[d].role & KB_ROLE_ENTRY))
            continue;
        memset(seen, 0, s->n);
        size_t sp = 0;
        stack[sp++] = (int)d;
        seen[d] = 1;
        while (sp > 0) {
            int i = stack[--sp];
            if (t->npages[i] < KB_MAX_PAGE_TAGS)
                t->pages[(size_t)i * KB_MAX_PAGE_TAGS + t->npages[i]++] = (int)d;
            const struct kb_file *f = &s->files[i];
            if (i != (int)d && (f->role & KB_ROLE_ENTRY))
                continue;
            for (size_t r = 0; r < f->refs.n; r++) {
                int k = f->target[r];
                if (k >= 0 && !seen[k]) {
                    seen[k] = 1;
                    stack[sp++] = k;
                }
            }
        }
    }
out:
    free(stack);
    free(seen);
    return rc;
}

static void
tagset_free(struct tagset *t)
{
    free(t->pages);
    free(t->npages);
}

/* "url:" + the public URL: the key that purges exactly one URL. */
static json_t *
url_tag(const struct kb_site *s, const char *out_path)
{
    char *url = kb_public_url(s, out_path);
    char *tag = NULL;
    if (url && asprintf(&tag, "url:%s", url) < 0)
        tag = NULL;
    json_t *j = tag ? json_string(tag) : NULL;
    free(url);
    free(tag);
    return j;
}

/* release:ID, url:URL, type:KIND, then page:URL for each entry document that
 * loads the file, in path order. Tags hold no blank and no comma: they are
 * joined with spaces (Surrogate-Key) or commas (Cache-Tag). */
static json_t *
file_tags(const struct kb_site *s, const struct tagset *t, size_t i)
{
    const struct kb_file *f = &s->files[i];
    json_t *a = json_array();
    char buf[64];
    snprintf(buf, sizeof buf, "release:%s", s->release_id);
    json_array_append_new(a, json_string(buf));
    json_array_append_new(a, url_tag(s, f->out_path));
    snprintf(buf, sizeof buf, "type:%s", kind_name(f->mime->kind));
    json_array_append_new(a, json_string(buf));
    for (unsigned k = 0; k < t->npages[i]; k++) {
        char *url = kb_public_url(s, s->files[t->pages[i * KB_MAX_PAGE_TAGS + k]].out_path);
        char *tag = NULL;
        if (url && asprintf(&tag, "page:%s", url) >= 0)
            json_array_append_new(a, json_string(tag));
        free(url);
        free(tag);
    }
    return a;
}

static json_t *
file_entry(const struct kb_site *s, const struct kb_file *f)
{
    char tag[27];
    json_t *e = json_object();
    kb_etag(f->sha256, tag);
    json_object_set_new(e, "file", json_string(f->out_path));
    json_object_set_new(e, "source", json_string(f->path));
    json_object_set_new(e, "type", json_string(f->mime->type));
    json_object_set_new(e, "class", json_string(kb_file_immutable(f) ? "immutable" : "revalidate"));
    json_object_set_new(e, "etag", json_string(tag));
    json_object_set_new(e, "size", json_integer((json_int_t)f->out_len));
    json_object_set_new(e, "mtime", json_integer((json_int_t)f->mtime));
    json_object_set_new(e, "integrity", json_string(f->sri));
    if (f->role & KB_ROLE_ENTRY)
        json_object_set_new(e, "entry", json_true());
    json_t *enc = json_object();
    for (int k = 0; k < KB_ENC_COUNT; k++) {
        if (!f->var[k])
            continue;
        char name[PATH_MAX];
        snprintf(name, sizeof name, "%s%s", f->out_path, kb_enc_suffix((enum kb_enc)k));
        kb_etag(f->var_sha256[k], tag);
        json_object_set_new(enc, kb_enc_name((enum kb_enc)k),
                            json_pack("{s:s, s:I, s:s}", "file", name, "size",
                                      (json_int_t)f->var_len[k], "etag", tag));
    }
    json_object_set_new(e, "encodings", enc);
    if (f->dict_id)
        json_object_set_new(
            e, "dictionary",
            json_pack("{s:s, s:s}", "id", f->dict_id, "use_as_dictionary", f->use_as_dict));
    if (f->n_deltas) {
        /* Keyed by the dictionary's SHA-256 (Available-Dictionary), then by
         * encoding, so dcb slots in beside dcz. */
        json_t *deltas = json_object();
        for (size_t d = 0; d < f->n_deltas; d++) {
            const struct kb_delta *dl = &f->deltas[d];
            json_t *by_enc = json_object();
            for (int k = 0; k < KB_DENC_COUNT; k++) {
                if (!dl->var[k])
                    continue;
                char *name = kb_dict_delta_path(f->out_path, dl->dict_sha256, (enum kb_denc)k);
                kb_etag(dl->var_sha256[k], tag);
                json_object_set_new(by_enc, kb_denc_name((enum kb_denc)k),
                                    json_pack("{s:s, s:I, s:s}", "file", name ? name : "", "size",
                                              (json_int_t)dl->var_len[k], "etag", tag));
                free(name);
            }
            char hex[65];
            kb_dict_hex(dl->dict_sha256, hex);
            json_object_set_new(deltas, hex, by_enc);
        }
        json_object_set_new(e, "deltas", deltas);
    }
    if (f->role & KB_ROLE_ENTRY) {
        json_t *pre = json_array();
        for (size_t i = 0; i < f->n_preload; i++) {
            const struct kb_preload *p = &f->preload[i];
            const struct kb_file *t = &s->files[p->file];
            char *url = kb_public_url(s, t->out_path);
            json_t *o = json_pack("{s:s, s:s, s:s}", "url", url ? url : "", "rel",
                                  p->module ? "modulepreload" : "preload", "as", p->as);
            /* The page's tag as it is: a hint that differs from it in CORS
             * mode or integrity is not matched, and the file comes twice. */
            if (p->cors != KB_CORS_NONE)
                json_object_set_new(
                    o, "crossorigin",
                    json_string(p->cors == KB_CORS_CREDENTIALS ? "use-credentials" : "anonymous"));
            if (p->integrity)
                json_object_set_new(o, "integrity", json_string(t->sri));
            if (p->type[0])
                json_object_set_new(o, "type", json_string(p->type));
            json_array_append_new(pre, o);
            free(url);
        }
        json_object_set_new(e, "preload", pre);
    }
    return e;
}

static int
dump(json_t *doc, const char *root, const char *rel)
{
    char *text = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
    if (!text)
        return KC_ENOMEM;
    size_t n = strlen(text);
    text[n] = '\n'; /* replaces the NUL: write n + 1 bytes */
    int rc = write_file(root, rel, text, n + 1, 0);
    free(text);
    return rc;
}

static int
write_manifest(struct kb_site *s, const char *root)
{
    struct tagset ts;
    if (tagset_build(s, &ts) != 0) {
        tagset_free(&ts);
        return KC_ENOMEM;
    }
    json_t *files = json_object();
    for (size_t i = 0; i < s->n; i++) {
        char key[PATH_MAX + 1];
        snprintf(key, sizeof key, "/%s", s->files[i].out_path);
        json_t *e = file_entry(s, &s->files[i]);
        json_object_set_new(e, "tags", file_tags(s, &ts, i));
        json_object_set_new(files, key, e);
    }
    tagset_free(&ts);
    json_t *doc =
        json_pack("{s:i, s:s, s:s, s:s, s:o}", "version", 1, "generator", "kiln-build " KB_VERSION,
                  "release", s->release_id, "base", s->opt->base, "files", files);
    if (doc && s->legacy_html) {
        /* The inline scripts of the legacy output, for a Content-Security-Policy. */
        char h[3][64];
        kb_legacy_csp(h, s->legacy_tla);
        json_object_set_new(doc, "csp", json_pack("{s:[s,s,s]}", "script-src", h[0], h[1], h[2]));
    }
    if (doc && s->sw.made) {
        /* What the generated worker answers a navigation with when nothing else
         * can (docs/service-worker.md), for a server or CDN to agree with. */
        char *url = kb_public_url(s, "sw.js");
        json_t *fb = s->sw.fallback ? json_string(s->sw.fallback) : json_null();
        json_object_set_new(doc, "sw",
                            json_pack("{s:s, s:o}", "url", url ? url : "", "navigateFallback", fb));
        free(url);
    }
    int rc = doc ? dump(doc, root, "kiln-manifest.json") : KC_ENOMEM;
    json_decref(doc);
    return rc;
}

/* ---- purge.json ------------------------------------------------------------ */

/*
 * purge.json: what a CDN must forget when this release replaces the previous
 * one. Fingerprinted URLs never change meaning, so only stable URLs can hold
 * stale bytes: those whose content (ETag) or class changed, were added (a CDN
 * may hold a cached 404 for them, tagged with the 404 page's keys) or were
 * removed. Without --previous every stable URL is listed. The previous
 * release is the most recent one: the first --previous, else
 * --previous-releases' current.
 */
static int
write_purge(struct kb_site *s, const char *root)
{
    json_t *prev = NULL, *pfiles = NULL;
    if (s->n_prev) {
        prev = json_incref(s->prev[0].manifest);
        pfiles = json_object_get(prev, "files");
        if (strcmp(json_string_value(json_object_get(prev, "base")), s->opt->base) != 0) {
            kc_warn("--previous: built for base '%s', this release for '%s'",
                    json_string_value(json_object_get(prev, "base")), s->opt->base);
            s->warnings++;
        }
    }
    json_t *urls = json_array(), *tags = json_array();
    bool added = false;
    json_t *seen = json_object();
    for (size_t i = 0; i < s->n; i++) {
        const struct kb_file *f = &s->files[i];
        char key[PATH_MAX + 1], tag[27];
        snprintf(key, sizeof key, "/%s", f->out_path);
        json_object_set_new(seen, key, json_true());
        if (kb_file_immutable(f))
            continue;
        json_t *old = pfiles ? json_object_get(pfiles, key) : NULL;
        kb_etag(f->sha256, tag);
        if (pfiles && old && json_is_string(json_object_get(old, "etag")) &&
            strcmp(json_string_value(json_object_get(old, "etag")), tag) == 0 &&
            json_is_string(json_object_get(old, "class")) &&
            strcmp(json_string_value(json_object_get(old, "class")), "revalidate") == 0)
            continue;
        added |= pfiles && !old;
        json_array_append_new(urls, json_string(key));
    }
    const char *key;
    json_t *old;
    json_object_foreach(pfiles, key, old)
    {
        const char *cls = json_string_value(json_object_get(old, "class"));
        if (!json_object_get(seen, key) && cls && strcmp(cls, "revalidate") == 0)
            json_array_append_new(urls, json_string(key));
    }
    json_decref(seen);
    if (added && kb_site_find(s, "404.html") >= 0)
        json_array_append_new(urls, json_string("/404.html"));
    /* Sorted, without duplicates, with base: what a CDN's purge API takes. */
    json_t *sorted = json_array();
    size_t n = json_array_size(urls);
    const char **v = calloc(n + 1, sizeof *v);
    bool ok = v != NULL;
    for (size_t i = 0; v && i < n; i++)
        v[i] = json_string_value(json_array_get(urls, i));
    if (v)
        qsort(v, n, sizeof *v, cmp_str);
    for (size_t i = 0; v && i < n; i++) {
        if (i > 0 && strcmp(v[i], v[i - 1]) == 0)
            continue;
        json_array_append_new(sorted, json_string_nocheck(v[i]));
        json_array_append_new(tags, url_tag(s, v[i] + 1));
    }
    free(v);
    for (size_t i = 0; i < json_array_size(sorted); i++) {
        char *url = kb_public_url(s, json_string_value(json_array_get(sorted, i)) + 1);
        json_array_set_new(sorted, i, json_string(url ? url : ""));
        free(url);
    }
    json_decref(urls);
    json_t *prev_id = prev ? json_object_get(prev, "release") : NULL;
    json_t *doc =
        json_pack("{s:i, s:s, s:o, s:o, s:o}", "version", 1, "release", s->release_id, "previous",
                  prev_id ? json_incref(prev_id) : json_null(), "urls", sorted, "tags", tags);
    int rc = doc && ok ? dump(doc, root, "purge.json") : KC_ENOMEM;
    json_decref(doc);
    json_decref(prev);
    return rc;
}

/* An output path of Vite's manifest (relative to its outDir, which is
 * SRC_DIR) replaced by the file's path in the release; kept when kiln does
 * not know it. */
static void
map_vite_path(const struct kb_site *s, json_t *v)
{
    int t = json_is_string(v) ? kb_site_find(s, json_string_value(v)) : -1;
    if (t >= 0 && strcmp(s->files[t].out_path, s->files[t].path) != 0)
        json_string_set(v, s->files[t].out_path);
}

/* The site's own .vite/manifest.json, keyed by the Vite project's source
 * paths, with its output paths mapped to the release's (they rarely change:
 * kiln keeps the names Vite hashed). */
static int
carry_vite_manifest(struct kb_site *s, const char *root)
{
    json_error_t err;
    json_t *doc = json_loadb(s->vite_manifest, s->vite_manifest_len, 0, &err);
    if (!json_is_object(doc)) {
        kc_error(".vite/manifest.json:%d:%d: %s", err.line, err.column,
                 doc ? "expected an object" : err.text);
        json_decref(doc);
        return KC_EPARSE;
    }
    const char *key;
    json_t *e;
    json_object_foreach(doc, key, e)
    {
        map_vite_path(s, json_object_get(e, "file"));
        const char *lists[] = { "css", "assets" };
        for (int k = 0; k < 2; k++) {
            size_t i;
            json_t *v;
            json_array_foreach(json_object_get(e, lists[k]), i, v) map_vite_path(s, v);
        }
    }
    int rc = dump(doc, root, ".vite/manifest.json");
    json_decref(doc);
    return rc;
}

/* .vite/manifest.json, for backends that already read Vite's format: keys
 * are source paths; imports/dynamicImports hold keys, css/assets hold files.
 * A Vite build's own manifest is carried instead. */
static int
write_vite_manifest(struct kb_site *s, const char *root)
{
    if (s->vite_manifest)
        return carry_vite_manifest(s, root);
    json_t *doc = json_object();
    for (size_t i = 0; i < s->n; i++) {
        const struct kb_file *f = &s->files[i];
        json_t *e = json_pack("{s:s, s:s}", "file", f->out_path, "src", f->path);
        json_t *imports = json_array(), *dyn = json_array(), *css = json_array(),
               *assets = json_array();
        bool entry = (f->role & KB_ROLE_ENTRY) != 0, dyn_entry = false;
        for (size_t r = 0; r < f->refs.n; r++) {
            int t = f->target[r];
            if (t < 0 || f->refs.v[r].kind == KB_REF_JS_NAME)
                continue; /* a guess from a string: not a dependency Vite would list */
            const struct kb_file *tf = &s->files[t];
            switch (f->refs.v[r].kind) {
            case KB_REF_JS_IMPORT:
            case KB_REF_HTML_MODULE: json_array_append_new(imports, json_string(tf->path)); break;
            case KB_REF_JS_DYNAMIC:
            case KB_REF_HTML_ISLAND: json_array_append_new(dyn, json_string(tf->path)); break;
            case KB_REF_HTML_STYLESHEET:
            case KB_REF_CSS_IMPORT: json_array_append_new(css, json_string(tf->out_path)); break;
            default: json_array_append_new(assets, json_string(tf->out_path)); break;
            }
        }
        for (size_t j = 0; j < s->n; j++) {
            const struct kb_file *g = &s->files[j];
            for (size_t r = 0; r < g->refs.n; r++) {
                if (g->target[r] != (int)i)
                    continue;
                entry |= g->refs.v[r].kind == KB_REF_HTML_MODULE &&
                         !(g->refs.v[r].flags & KB_REF_F_INLINE);
                dyn_entry |= g->refs.v[r].kind == KB_REF_JS_DYNAMIC ||
                             g->refs.v[r].kind == KB_REF_HTML_ISLAND;
            }
        }
        if (entry)
            json_object_set_new(e, "isEntry", json_true());
        if (dyn_entry)
            json_object_set_new(e, "isDynamicEntry", json_true());
        const char *names[] = { "imports", "dynamicImports", "css", "assets" };
        json_t *lists[] = { imports, dyn, css, assets };
        for (int k = 0; k < 4; k++) {
            if (json_array_size(lists[k]))
                json_object_set_new(e, names[k], lists[k]);
            else
                json_decref(lists[k]);
        }
        json_object_set_new(doc, f->path, e);
    }
    int rc = dump(doc, root, ".vite/manifest.json");
    json_decref(doc);
    return rc;
}

int
kb_emit(struct kb_site *s, const char *tmp_dir)
{
    double t0 = kc_clock_seconds();
    int rc = kb_previous_load(s);
    if (!rc)
        rc = kb_dict_mark(s);
    if (!rc)
        rc = compress_all(s);
    double t1 = kc_clock_seconds();
    s->t_compress = t1 - t0;
    for (size_t i = 0; i < s->n && !rc; i++) {
        const struct kb_file *f = &s->files[i];
        rc = write_file(tmp_dir, f->out_path, f->out, f->out_len, f->mtime);
        for (int e = 0; e < KB_ENC_COUNT && !rc; e++) {
            if (!f->var[e])
                continue;
            char name[PATH_MAX];
            if (snprintf(name, sizeof name, "%s%s", f->out_path, kb_enc_suffix((enum kb_enc)e)) >=
                (int)sizeof name)
                rc = KC_ETOOBIG;
            else
                rc = write_file(tmp_dir, name, f->var[e], f->var_len[e], f->mtime);
        }
        for (size_t d = 0; d < f->n_deltas && !rc; d++) {
            for (int e = 0; e < KB_DENC_COUNT && !rc; e++) {
                if (!f->deltas[d].var[e])
                    continue;
                char *name =
                    kb_dict_delta_path(f->out_path, f->deltas[d].dict_sha256, (enum kb_denc)e);
                rc = name ? write_file(tmp_dir, name, f->deltas[d].var[e], f->deltas[d].var_len[e],
                                       f->mtime)
                          : KC_ENOMEM;
                free(name);
            }
        }
        if (rc)
            kc_error("%s: cannot write %s: %s", f->path, f->out_path,
                     rc == KC_EIO ? strerror(errno) : kc_strerror(rc));
    }
    if (!rc) {
        if (!s->release_id[0]) /* kb_sw() computes it first when it runs */
            kb_release_id(s, NULL, 0);
        rc = write_manifest(s, tmp_dir);
    }
    if (!rc)
        rc = write_vite_manifest(s, tmp_dir);
    if (!rc)
        rc = write_purge(s, tmp_dir);
    s->t_write = kc_clock_seconds() - t1;
    return rc;
}
