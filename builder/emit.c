/*
 * Emit: precompresses the final bytes, writes every file and variant into the
 * temporary release directory, then the two manifests. Nothing here touches
 * the previous release; main() swaps the finished directory into place.
 * Output is a pure function of the input: no timestamps, no readdir order.
 */
#include "builder/site.h"
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

static double
now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
progress(void *ud, size_t done, size_t total)
{
    (void)ud;
    fprintf(stderr, "\rkiln-build: compressing %zu/%zu (%zu%%)%s", done, total,
            total ? done * 100 / total : 100, done == total ? "\n" : "");
}

static int
compress_all(struct kb_site *s)
{
    const struct kb_options *o = s->opt;
    if (o->enc_mask == 0)
        return 0;
    struct kb_compress_item *items = calloc(s->n + 1, sizeof *items);
    int *owner = calloc(s->n + 1, sizeof *owner);
    size_t n = 0;
    if (!items || !owner) {
        free(items);
        free(owner);
        return KC_ENOMEM;
    }
    for (size_t i = 0; i < s->n; i++) {
        struct kb_file *f = &s->files[i];
        if (!f->mime->compressible || f->out_len == 0)
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
    int rc = kb_compress_run(items, n, &co, &s->cstats);
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
    free(items);
    free(owner);
    if (rc)
        kc_error("compression failed: %s", kc_strerror(rc));
    return rc;
}

/* mkdir -p for the parent directories of rel inside root. */
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
        if (mkdir(p, 0755) != 0 && errno != EEXIST)
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
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
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

/* A strong ETag from a SHA-256: 24 hex digits (96 bits) in quotes. */
void
kb_etag(const unsigned char *sha, char out[27])
{
    char hex[2 * KC_SHA256_LEN + 1];
    kc_hex(sha, KC_SHA256_LEN, hex);
    out[0] = '"';
    memcpy(out + 1, hex, 24);
    out[25] = '"';
    out[26] = '\0';
}

char *
kb_public_url(const struct kb_site *s, const char *out_path)
{
    struct kc_buf b;
    kc_buf_init(&b, PATH_MAX * 2);
    if (kc_buf_puts(&b, s->opt->base) || kc_url_encode_path(out_path, &b)) {
        kc_buf_free(&b);
        return NULL;
    }
    return kc_buf_steal(&b, NULL);
}

void
kb_release_id(struct kb_site *s, const void *extra, size_t extra_len)
{
    struct kc_buf b;
    kc_buf_init(&b, SIZE_MAX / 2);
    for (size_t i = 0; i < s->n; i++) {
        char hex[2 * KC_SHA256_LEN + 1];
        if (s->files[i].role & KB_ROLE_SW)
            continue;
        kc_hex(s->files[i].sha256, KC_SHA256_LEN, hex);
        kc_buf_printf(&b, "%s %s\n", s->files[i].out_path, hex);
    }
    if (extra)
        kc_buf_append(&b, extra, extra_len);
    unsigned char d[KC_SHA256_LEN];
    kc_sha256(b.data ? b.data : "", b.len, d);
    char hex[2 * KC_SHA256_LEN + 1];
    kc_hex(d, KC_SHA256_LEN, hex);
    memcpy(s->release_id, hex, 16);
    s->release_id[16] = '\0';
    kc_buf_free(&b);
}

bool
kb_file_immutable(const struct kb_file *f)
{
    return (f->role & KB_ROLE_RENAMED) ||
           ((f->role & KB_ROLE_PREHASHED) && (f->role & KB_ROLE_REFERENCED) &&
            !(f->role & KB_ROLE_KEEP_NAME));
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
    if (f->role & KB_ROLE_ENTRY) {
        json_t *pre = json_array();
        for (size_t i = 0; i < f->n_preload; i++) {
            const struct kb_preload *p = &f->preload[i];
            const struct kb_file *t = &s->files[p->file];
            char *url = kb_public_url(s, t->out_path);
            json_t *o = json_pack("{s:s, s:s, s:s}", "url", url ? url : "", "rel",
                                  p->module ? "modulepreload" : "preload", "as", p->as);
            if (p->module || strcmp(p->as, "font") == 0)
                json_object_set_new(o, "crossorigin", json_true());
            json_object_set_new(o, "integrity", json_string(t->sri));
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
    json_t *files = json_object();
    for (size_t i = 0; i < s->n; i++) {
        char key[PATH_MAX + 1];
        snprintf(key, sizeof key, "/%s", s->files[i].out_path);
        json_object_set_new(files, key, file_entry(s, &s->files[i]));
    }
    json_t *doc =
        json_pack("{s:i, s:s, s:s, s:s, s:o}", "version", 1, "generator", "kiln-build " KB_VERSION,
                  "release", s->release_id, "base", s->opt->base, "files", files);
    int rc = doc ? dump(doc, root, "kiln-manifest.json") : KC_ENOMEM;
    json_decref(doc);
    return rc;
}

/* .vite/manifest.json, for backends that already read Vite's format: keys
 * are source paths; imports/dynamicImports hold keys, css/assets hold files. */
static int
write_vite_manifest(struct kb_site *s, const char *root)
{
    json_t *doc = json_object();
    for (size_t i = 0; i < s->n; i++) {
        const struct kb_file *f = &s->files[i];
        json_t *e = json_pack("{s:s, s:s}", "file", f->out_path, "src", f->path);
        json_t *imports = json_array(), *dyn = json_array(), *css = json_array(),
               *assets = json_array();
        bool entry = (f->role & KB_ROLE_ENTRY) != 0, dyn_entry = false;
        for (size_t r = 0; r < f->refs.n; r++) {
            int t = f->target[r];
            if (t < 0)
                continue;
            const struct kb_file *tf = &s->files[t];
            switch (f->refs.v[r].kind) {
            case KB_REF_JS_IMPORT:
            case KB_REF_HTML_MODULE: json_array_append_new(imports, json_string(tf->path)); break;
            case KB_REF_JS_DYNAMIC: json_array_append_new(dyn, json_string(tf->path)); break;
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
                dyn_entry |= g->refs.v[r].kind == KB_REF_JS_DYNAMIC;
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
    double t0 = now();
    int rc = compress_all(s);
    double t1 = now();
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
    s->t_write = now() - t1;
    return rc;
}
