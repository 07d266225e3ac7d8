/*
 * Compression dictionaries (RFC 9842), the builder's half. Every candidate
 * (a fingerprinted JS, CSS, JSON or WASM file of at least 1 KiB) gets a
 * logical id, stable across releases, and a Use-As-Dictionary value whose
 * match pattern covers its future versions; each previous release's file
 * with the same id is read, hashed as read, and becomes the dictionary of
 * a dcz delta. The manifest never tells us a dictionary's hash: the bytes
 * do. Rules and reasons: docs/dictionaries.md.
 */
#include "builder/dict.h"

#include "common/ascii.h"
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
#include <unistd.h>

/* Smaller files are not dictionaries: their br variant is a few hundred
 * bytes, a delta saves less than the Use-As-Dictionary and
 * Available-Dictionary headers cost, and each takes a browser cache entry. */
#define DICT_MIN_SIZE 1024
/* A delta is kept only if it is at most KEEP_PCT% of the br variant and at
 * least KEEP_MIN_BYTES smaller: it costs a 40-byte header, a Vary on
 * Available-Dictionary that splits CDN caches, and a file in the release. */
#define KEEP_PCT       90
#define KEEP_MIN_BYTES 64
/* RFC 9842 §2.1.3: an id is at most 1024 characters. */
#define DICT_ID_MAX 1024

int
kb_urlpattern_escape(const char *s, size_t n, struct kc_buf *out)
{
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        if (kc_in_set(s[i], "*?+(){}:\\"))
            rc = kc_buf_putc(out, '\\');
        if (!rc)
            rc = kc_buf_putc(out, s[i]);
    }
    return rc;
}

int
kb_sf_string(const char *s, struct kc_buf *out)
{
    int rc = kc_buf_putc(out, '"');
    for (; *s && !rc; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c > 0x7e)
            return KC_EINVAL;
        if (c == '"' || c == '\\')
            rc = kc_buf_putc(out, '\\');
        if (!rc)
            rc = kc_buf_putc(out, (char)c);
    }
    return rc ? rc : kc_buf_putc(out, '"');
}

char *
kb_dict_use_as_dictionary(const char *url, size_t hash_so, size_t hash_eo, const char *dest,
                          const char *id)
{
    size_t n = strlen(url);
    if (hash_so > hash_eo || hash_eo > n || url[0] != '/')
        return NULL;
    struct kc_buf pat, v;
    kc_buf_init(&pat, 4 * n + 16);
    kc_buf_init(&v, 8 * n + 2 * DICT_ID_MAX + 64);
    int rc = kb_urlpattern_escape(url, hash_so, &pat);
    if (!rc)
        rc = kc_buf_putc(&pat, '*');
    if (!rc)
        rc = kb_urlpattern_escape(url + hash_eo, n - hash_eo, &pat);
    if (!rc)
        rc = kc_buf_putc(&pat, '\0');
    if (!rc)
        rc = kc_buf_puts(&v, "match=");
    if (!rc)
        rc = kb_sf_string(pat.data, &v);
    /* The empty destination too: a service worker's fetch() of the file
     * (its precache, and its fetch(event.request) for a page's script) has
     * destination "" in Chromium, and without "" it never gets a delta. */
    if (!rc && dest) {
        rc = kc_buf_puts(&v, ", match-dest=(");
        if (!rc)
            rc = kb_sf_string(dest, &v);
        if (!rc)
            rc = kc_buf_puts(&v, " \"\")");
    }
    if (!rc && id) {
        rc = strlen(id) > DICT_ID_MAX ? KC_EINVAL : kc_buf_puts(&v, ", id=");
        if (!rc)
            rc = kb_sf_string(id, &v);
    }
    kc_buf_free(&pat);
    if (rc) {
        kc_buf_free(&v);
        return NULL;
    }
    return kc_buf_steal(&v, NULL);
}

void
kb_dict_hex(const unsigned char sha[32], char out[65])
{
    kc_hex(sha, 32, out);
}

char *
kb_dict_delta_path(const char *out_path, const unsigned char dict_sha256[32], enum kb_denc e)
{
    char hex[65], *p = NULL;
    kb_dict_hex(dict_sha256, hex);
    if (asprintf(&p, "%s.%.12s%s", out_path, hex, kb_denc_suffix(e)) < 0)
        return NULL;
    return p;
}

/* ---- candidates and their logical ids ------------------------------------ */

static bool
candidate(const struct kb_file *f)
{
    enum kc_kind k = f->mime->kind;
    /* Legacy twins load only in browsers without modules, none of which
     * speaks RFC 9842. */
    return kb_file_immutable(f) && !(f->role & (KB_ROLE_LEGACY | KB_ROLE_SW)) &&
           f->out_len >= DICT_MIN_SIZE &&
           (k == KC_KIND_JS || k == KC_KIND_CSS || k == KC_KIND_JSON || k == KC_KIND_WASM);
}

/* The fingerprint's span in f->out_path, and the logical id (malloc'd):
 * the source path for a name kiln fingerprinted (NAME.HASH.EXT), the source
 * path without the bundler's hash and the character before it for a name a
 * bundler hashed ("assets/index-AbC123xy.js" -> "assets/index.js"). */
static int
span_and_id(const struct kb_site *s, const struct kb_file *f, size_t *so, size_t *eo, char **id)
{
    const char *ob = strrchr(f->out_path, '/'), *sb = strrchr(f->path, '/');
    size_t od = ob ? (size_t)(ob - f->out_path) + 1 : 0, sd = sb ? (size_t)(sb - f->path) + 1 : 0;
    ob = f->out_path + od;
    sb = f->path + sd;
    if (f->role & KB_ROLE_PREHASHED) {
        /* Group 1 of --hashed-pattern is the hash, in the output name (where
         * kiln put its own if it changed the bytes) and in the source name. */
        regmatch_t om[2], sm[2];
        if (regexec(&s->hashed, ob, 2, om, 0) != 0 || om[1].rm_so < 0 ||
            regexec(&s->hashed, sb, 2, sm, 0) != 0 || sm[1].rm_so < 0)
            return -1;
        *so = od + (size_t)om[1].rm_so;
        *eo = od + (size_t)om[1].rm_eo;
        size_t cut = sm[1].rm_so > 0 ? (size_t)sm[1].rm_so - 1 : 0;
        if (asprintf(id, "%.*s%.*s%s", (int)sd, f->path, (int)cut, sb, sb + sm[1].rm_eo) < 0)
            return KC_ENOMEM;
        return 0;
    }
    if (!(f->role & KB_ROLE_RENAMED))
        return -1;
    const char *ext = kb__split_ext(sb);
    size_t stem = (size_t)(ext - sb);
    /* out name = stem "." HASH ext */
    if (strlen(ob) != strlen(sb) + 1 + KB_HASH_CHARS || strncmp(ob, sb, stem) != 0 ||
        ob[stem] != '.' || strcmp(ob + stem + 1 + KB_HASH_CHARS, ext) != 0)
        return -1;
    *so = od + stem + 1;
    *eo = *so + KB_HASH_CHARS;
    return (*id = strdup(f->path)) ? 0 : KC_ENOMEM;
}

/* The path part of --base ("https://cdn.example/site/" -> "/site/"). */
static const char *
base_path(const char *base)
{
    const char *scheme = strstr(base, "://");
    if (!scheme)
        return base;
    const char *p = strchr(scheme + 3, '/');
    return p ? p : "/";
}

/* The public URL path of out_path with the span [so, eo) located in it:
 * base path + each part percent-encoded as kb_public_url does. */
static char *
url_with_span(const struct kb_site *s, const char *out_path, size_t so, size_t eo, size_t *uso,
              size_t *ueo)
{
    struct kc_buf b;
    kc_buf_init(&b, 3 * PATH_MAX + 64);
    char part[PATH_MAX];
    int rc = kc_buf_puts(&b, base_path(s->opt->base));
    snprintf(part, sizeof part, "%.*s", (int)so, out_path);
    if (!rc)
        rc = kc_url_encode_path(part, &b);
    *uso = b.len;
    snprintf(part, sizeof part, "%.*s", (int)(eo - so), out_path + so);
    if (!rc)
        rc = kc_url_encode_path(part, &b);
    *ueo = b.len;
    if (!rc)
        rc = kc_url_encode_path(out_path + eo, &b);
    if (rc) {
        kc_buf_free(&b);
        return NULL;
    }
    return kc_buf_steal(&b, NULL);
}

static int
cmp_id(const void *a, const void *b, void *ctx)
{
    const struct kb_file *v = ctx;
    return strcmp(v[*(const int *)a].dict_id, v[*(const int *)b].dict_id);
}

int
kb_dict_mark(struct kb_site *s)
{
    int *ids = malloc((s->n + 1) * sizeof *ids);
    size_t nid = 0;
    if (!ids)
        return KC_ENOMEM;
    for (size_t i = 0; i < s->n; i++) {
        struct kb_file *f = &s->files[i];
        size_t so, eo, uso, ueo;
        char *id = NULL;
        if (!candidate(f))
            continue;
        int rc = span_and_id(s, f, &so, &eo, &id);
        if (rc == KC_ENOMEM) {
            free(ids);
            return rc;
        }
        if (rc)
            continue;
        char *url = url_with_span(s, f->out_path, so, eo, &uso, &ueo);
        const char *dest = f->mime->kind == KC_KIND_JS    ? "script"
                           : f->mime->kind == KC_KIND_CSS ? "style"
                                                          : NULL;
        char *v = url ? kb_dict_use_as_dictionary(url, uso, ueo, dest, id) : NULL;
        free(url);
        if (!v) {
            kc_info("%s: not a dictionary: its name or id is not header-safe", f->out_path);
            free(id);
            continue;
        }
        f->dict_id = id;
        f->use_as_dict = v;
        ids[nid++] = (int)i;
    }
    /* Two files of one release with one id (two Vite chunks named
     * index-HASH.js) cannot be told apart in the next release: neither is a
     * dictionary. */
    qsort_r(ids, nid, sizeof *ids, cmp_id, s->files);
    for (size_t i = 0; i < nid;) {
        size_t j = i + 1;
        while (j < nid && strcmp(s->files[ids[i]].dict_id, s->files[ids[j]].dict_id) == 0)
            j++;
        for (size_t k = i; j - i > 1 && k < j; k++) {
            struct kb_file *f = &s->files[ids[k]];
            kc_info("%s: not a dictionary: %zu files have the id %s", f->out_path, j - i,
                    f->dict_id);
            free(f->dict_id);
            free(f->use_as_dict);
            f->dict_id = f->use_as_dict = NULL;
        }
        i = j;
    }
    free(ids);
    return 0;
}

/* ---- deltas -------------------------------------------------------------- */

/* A release-relative path that stays inside the release. */
static bool
safe_relpath(const char *p)
{
    if (!*p || *p == '/')
        return false;
    for (const char *c = p; *c;) {
        const char *e = strchr(c, '/');
        size_t n = e ? (size_t)(e - c) : strlen(c);
        if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
            return false;
        c += n + (e ? 1 : 0);
    }
    return true;
}

/* Reads a whole regular file of at most max bytes. 0, or an errno value
 * (EFBIG past max). */
static int
read_all(const char *path, size_t max, unsigned char **out, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno;
    struct stat st;
    int err = 0;
    unsigned char *buf = NULL;
    size_t got = 0;
    if (fstat(fd, &st) != 0) {
        err = errno;
        goto out;
    }
    if (!S_ISREG(st.st_mode)) {
        err = EISDIR;
        goto out;
    }
    if ((unsigned long long)st.st_size > max) {
        err = EFBIG;
        goto out;
    }
    size_t size = (size_t)st.st_size;
    if (!(buf = malloc(size ? size : 1))) {
        err = ENOMEM;
        goto out;
    }
    while (got < size) {
        ssize_t k = read(fd, buf + got, size - got);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            err = errno;
            goto out;
        }
        if (k == 0)
            break; /* shrank under us: what was read is what is hashed */
        got += (size_t)k;
    }
out:
    close(fd);
    if (err) {
        free(buf);
        return err;
    }
    *out = buf;
    *len = got;
    return 0;
}

/* {logical id: manifest entry} of a previous release: its files that were
 * dictionaries (those a browser may hold as one). NULL when out of memory. */
static json_t *
prev_ids(const struct kb_prev *p)
{
    json_t *map = json_object(), *e;
    const char *url;
    json_object_foreach(json_object_get(p->manifest, "files"), url, e)
    {
        json_t *d = json_object_get(e, "dictionary");
        const char *id = json_string_value(json_object_get(d, "id"));
        if (id && map && !json_object_get(map, id))
            json_object_set(map, id, e);
    }
    return map;
}

static int
job_push(struct kb_dict_job *job, size_t *cap)
{
    if (job->n < *cap)
        return 0;
    size_t nc = *cap ? *cap * 2 : 16;
    struct kb_compress_item *it = realloc(job->items, nc * sizeof *it);
    if (it)
        job->items = it;
    int *ow = realloc(job->owner, nc * sizeof *ow);
    if (ow)
        job->owner = ow;
    const char **pr = realloc(job->prev_release, nc * sizeof *pr);
    if (pr)
        job->prev_release = pr;
    unsigned char **d = realloc(job->dicts, nc * sizeof *d);
    if (d)
        job->dicts = d;
    if (!it || !ow || !pr || !d)
        return KC_ENOMEM;
    *cap = nc;
    return 0;
}

/* One previous version of candidate f from release p (entry e): read,
 * hashed, and queued unless it equals f or a version already queued. */
static int
prepare_one(struct kb_site *s, size_t fi, const struct kb_prev *p, json_t *e,
            struct kb_dict_job *job, size_t *cap, size_t first)
{
    struct kb_file *f = &s->files[fi];
    const char *file = json_string_value(json_object_get(e, "file"));
    if (!file || !safe_relpath(file)) {
        kc_error("%s/kiln-manifest.json: the entry of dictionary %s: \"file\" %s%s%s", p->dir,
                 f->dict_id, file ? "'" : "is missing", file ? file : "",
                 file ? "' is outside the release" : "");
        return KC_EINVAL;
    }
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/%s", p->dir, file) >= (int)sizeof path)
        return 0;
    unsigned char *d = NULL;
    size_t dl = 0;
    int err = read_all(path, KB_DCZ_DICT_MAX, &d, &dl);
    if (err == EFBIG) {
        kc_info("%s: over %zu MiB: no delta against it", path, KB_DCZ_DICT_MAX >> 20);
        return 0;
    }
    if (err) {
        kc_warn("%s: %s: no delta for %s against release %s", path, strerror(err), f->out_path,
                p->release);
        s->warnings++;
        return err == ENOMEM ? KC_ENOMEM : 0;
    }
    unsigned char h[KC_SHA256_LEN];
    kc_sha256(d, dl, h);
    bool dup = memcmp(h, f->sha256, sizeof h) == 0;
    for (size_t k = first; k < job->n && !dup; k++)
        dup = memcmp(job->items[k].dict_sha256, h, sizeof h) == 0;
    if (dup) {
        free(d);
        return 0;
    }
    /* The browser holds the bytes the edge served, which are these: the
     * delta is keyed by their hash whatever the manifest says, but a
     * mismatch means the previous release was changed after it was built. */
    char tag[27];
    kb_etag(h, tag);
    const char *etag = json_string_value(json_object_get(e, "etag"));
    if (!etag || strcmp(etag, tag) != 0) {
        kc_warn("%s: its bytes do not match the ETag in %s/kiln-manifest.json (%s, read %s); "
                "the delta is made against the bytes as read",
                path, p->dir, etag ? etag : "none", tag);
        s->warnings++;
    }
    if (job_push(job, cap) != 0) {
        free(d);
        return KC_ENOMEM;
    }
    struct kb_compress_item *it = &job->items[job->n];
    memset(it, 0, sizeof *it);
    it->data = f->out;
    it->len = f->out_len;
    memcpy(it->sha256, f->sha256, KC_SHA256_LEN);
    it->name = f->out_path;
    it->dict = d;
    it->dict_len = dl;
    memcpy(it->dict_sha256, h, sizeof h);
    it->dmask = 1u << KB_DENC_DCZ;
    job->owner[job->n] = (int)fi;
    job->prev_release[job->n] = p->release;
    job->dicts[job->n] = d;
    job->n++;
    return 0;
}

int
kb_dict_prepare(struct kb_site *s, struct kb_dict_job *job)
{
    memset(job, 0, sizeof *job);
    if (s->n_prev == 0)
        return 0;
    json_t **maps = calloc(s->n_prev, sizeof *maps);
    if (!maps)
        return KC_ENOMEM;
    int rc = 0;
    for (size_t p = 0; p < s->n_prev && !rc; p++)
        if (!(maps[p] = prev_ids(&s->prev[p])))
            rc = KC_ENOMEM;
    size_t cap = 0;
    for (size_t i = 0; i < s->n && !rc; i++) {
        if (!s->files[i].dict_id)
            continue;
        size_t first = job->n;
        for (size_t p = 0; p < s->n_prev && !rc; p++) {
            json_t *e = json_object_get(maps[p], s->files[i].dict_id);
            if (e)
                rc = prepare_one(s, i, &s->prev[p], e, job, &cap, first);
        }
    }
    for (size_t p = 0; p < s->n_prev; p++)
        json_decref(maps[p]);
    free(maps);
    return rc;
}

/* What a client without the dictionary gets: br if kept, else the smallest
 * kept variant or the identity file. */
static size_t
ref_len(const struct kb_file *f)
{
    if (f->var[KB_ENC_BR])
        return f->var_len[KB_ENC_BR];
    size_t b = f->out_len;
    for (int e = 0; e < KB_ENC_COUNT; e++)
        if (f->var[e] && f->var_len[e] < b)
            b = f->var_len[e];
    return b;
}

void
kb_dict_keep(struct kb_site *s, struct kb_dict_job *job, bool ok)
{
    for (size_t i = 0; i < job->n; i++) {
        struct kb_compress_item *it = &job->items[i];
        struct kb_file *f = &s->files[job->owner[i]];
        unsigned char *v = it->dout[KB_DENC_DCZ];
        size_t vl = it->dout_len[KB_DENC_DCZ], ref = ref_len(f);
        it->dout[KB_DENC_DCZ] = NULL;
        if (!ok || !v) {
            free(v);
            continue;
        }
        s->dstats.made++;
        struct kb_delta *nd = NULL;
        if ((unsigned long long)vl * 100 > (unsigned long long)ref * KEEP_PCT ||
            vl + KEEP_MIN_BYTES > ref ||
            !(nd = realloc(f->deltas, (f->n_deltas + 1) * sizeof *nd))) {
            kc_info("%s: dcz against release %s: %zu bytes, br %zu: not kept", f->out_path,
                    job->prev_release[i], vl, ref);
            free(v);
            continue;
        }
        f->deltas = nd;
        struct kb_delta *d = &nd[f->n_deltas++];
        memset(d, 0, sizeof *d);
        memcpy(d->dict_sha256, it->dict_sha256, KC_SHA256_LEN);
        d->prev_release = job->prev_release[i];
        d->var[KB_DENC_DCZ] = v;
        d->var_len[KB_DENC_DCZ] = vl;
        kc_sha256(v, vl, d->var_sha256[KB_DENC_DCZ]);
        d->ref_len = ref;
        s->dstats.kept++;
        s->dstats.dict_bytes += vl;
        s->dstats.ref_bytes += ref;
    }
}

void
kb_dict_job_free(struct kb_dict_job *job)
{
    for (size_t i = 0; i < job->n; i++) {
        free(job->dicts[i]);
        for (int e = 0; e < KB_DENC_COUNT; e++)
            free(job->items[i].dout[e]);
    }
    free(job->items);
    free(job->owner);
    free(job->prev_release);
    free(job->dicts);
    memset(job, 0, sizeof *job);
}
