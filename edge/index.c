/*
 * Release index: loads kiln-manifest.json (or a plain directory) into an
 * immutable table of resources with their bodies and prebuilt header lines.
 * Everything a request needs is computed here, once: the request path only
 * hashes the URL, picks a variant and writes. Bodies up to cfg->mem_max are
 * copied into memory; larger ones are mapped read-only (a release is
 * immutable, so the mapping never changes under a reader).
 */
#include "edge/index.h"
#include "edge/cache.h"
#include "edge/fail.h"
#include "common/ascii.h"
#include "common/error.h"
#include "common/hash.h"
#include "common/httpdate.h"
#include "common/mime.h"
#include "common/vec.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define ARENA_BLOCK        (1u << 20)
#define MAX_DIR_DEPTH      32
#define MAX_RESOURCES      (1u << 24) /* files in a release: past it the release is refused */
#define HEAD_BLOCK         5120 /* a variant's prebuilt lines; KE_HEAD_MAX leaves room for the rest */
#define LINK_MAX           2048 /* Link value: preloads past it are left out */
#define KEYS_MAX           1536 /* Surrogate-Key / Cache-Tag value: tags past it are left out */
#define KE_USE_AS_DICT_MAX 1024 /* Use-As-Dictionary value: a longer one is a load error */

static const char *const enc_token[KE_ENC_COUNT] = { NULL, "br", "zstd", "gzip" };
static const char *const enc_suffix[KE_ENC_COUNT] = { NULL, ".br", ".zst", ".gz" };

/* ---- memory owned by an index ---------------------------------------------- */

struct block {
    struct block *next;
    size_t used, cap;
    max_align_t data[];
};

struct mapping {
    struct mapping *next;
    void *p;
    size_t len;
    int fd; /* kept open for sendfile */
};

struct holder {
    struct block *blocks;
    struct mapping *maps;
};

/* Blocks are mapped, not malloc'd, so that a release's memory goes back to
 * the system when the last connection using it lets go. From malloc, glibc
 * serves the first 1 MiB block by mmap and, once one is freed, raises its
 * mmap threshold past that size: every later block comes from the heap,
 * where the releases that deploys free leave holes and RSS stays at the most
 * releases ever alive at once (the soak measured steps of 1 MB that never
 * came back: docs/reliability.md). */
static void *
arena_alloc(struct holder *h, size_t n)
{
    if (n > SIZE_MAX - 15 - sizeof(struct block))
        return NULL;
    n = (n + 15) & ~(size_t)15;
    struct block *b = h->blocks;
    if (!b || b->cap - b->used < n) {
        size_t cap = n > ARENA_BLOCK ? n : ARENA_BLOCK;
        void *p =
            mmap(NULL, sizeof *b + cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            return NULL;
        b = p;
        b->used = 0;
        b->cap = cap;
        b->next = h->blocks;
        h->blocks = b;
    }
    void *p = (char *)b->data + b->used;
    b->used += n;
    return p;
}

static char *
arena_strndup(struct holder *h, const char *s, size_t n)
{
    char *p = arena_alloc(h, n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

static void
holder_free(struct holder *h)
{
    if (!h)
        return;
    for (struct block *b = h->blocks, *nb; b; b = nb) {
        nb = b->next;
        munmap(b, sizeof *b + b->cap);
    }
    for (struct mapping *m = h->maps, *nm; m; m = nm) {
        nm = m->next;
        munmap(m->p, m->len);
        close(m->fd);
        free(m);
    }
    free(h);
}

/* ---- loading ----------------------------------------------------------------- */

struct loader {
    struct ke_index *ix;
    struct holder *h;
    const struct ke_config *cfg;
    int dirfd;
    size_t cap;
    char *err;
    size_t errsz;
};

/* A path named by the manifest must stay inside the release: relative, no
 * ".." segment, no empty segment. */
static bool
safe_relpath(const char *p)
{
    if (!*p || *p == '/')
        return false;
    for (const char *s = p; *s;) {
        const char *e = strchr(s, '/');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        if (n == 0 || (n == 2 && s[0] == '.' && s[1] == '.') || (n == 1 && s[0] == '.'))
            return false;
        s += n + (e ? 1 : 0);
    }
    return true;
}

/* Opens rel under dirfd so that no symlink on the way leads out of the
 * release (openat2's RESOLVE_BENEATH: EXDEV if one does), whether or not
 * the sandbox is on; kernels before 5.6 get plain openat. */
static int
open_beneath(int dirfd, const char *rel, int flags)
{
    struct open_how how = { .flags = (uint64_t)(flags | O_CLOEXEC), .resolve = RESOLVE_BENEATH };
    int fd = (int)syscall(SYS_openat2, dirfd, rel, &how, sizeof how);
    if (fd >= 0 || errno != ENOSYS)
        return fd;
    return openat(dirfd, rel, flags | O_CLOEXEC);
}

/* Reads or maps the file rel (size bytes expected, or any size when
 * want == UINT64_MAX) into *body. */
static int
load_body(struct loader *L, const char *rel, uint64_t want, const unsigned char **body,
          uint64_t *size, int *bfd)
{
    *bfd = -1;
    int fd = open_beneath(L->dirfd, rel, O_RDONLY | O_NOFOLLOW);
    if (fd < 0)
        return ke_fail(L->err, L->errsz, "%s: %s", rel,
                       errno == EXDEV   ? "a symlink on its path leads outside the release"
                       : errno == ELOOP ? "is a symlink (not served)"
                                        : strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return ke_fail(L->err, L->errsz, "%s: not a regular file", rel);
    }
    uint64_t n = (uint64_t)st.st_size;
    if (want != UINT64_MAX && n != want) {
        close(fd);
        return ke_fail(L->err, L->errsz,
                       "%s: %llu bytes on disk, the manifest says %llu (damaged release?)", rel,
                       (unsigned long long)n, (unsigned long long)want);
    }
    *size = n;
    if (n == 0) {
        *body = (const unsigned char *)"";
        close(fd);
        return 0;
    }
    if (n <= L->cfg->mem_max) {
        unsigned char *p = arena_alloc(L->h, (size_t)n);
        ssize_t got = p ? pread(fd, p, (size_t)n, 0) : -1;
        close(fd);
        if (got != (ssize_t)n)
            return ke_fail(L->err, L->errsz, "%s: cannot read", rel);
        *body = p;
        return 0;
    }
    /* Large bodies are mapped (ranges and multipart read them directly) and
     * their descriptor kept: whole bodies and single ranges go out with
     * sendfile(2), which spares the copy into the socket (measured: a
     * quarter of the CPU per 69 KB response). */
    void *p = mmap(NULL, (size_t)n, PROT_READ, MAP_PRIVATE, fd, 0);
    struct mapping *m = malloc(sizeof *m);
    if (p == MAP_FAILED || !m) {
        free(m);
        close(fd);
        if (p != MAP_FAILED)
            munmap(p, (size_t)n);
        return ke_fail(L->err, L->errsz, "%s: cannot map: %s", rel, strerror(errno));
    }
    m->p = p;
    m->len = (size_t)n;
    m->fd = fd;
    *bfd = fd;
    m->next = L->h->maps;
    L->h->maps = m;
    *body = p;
    return 0;
}

/* A new resource for URL path[0..n), or NULL with the reason in L->err. */
static struct ke_resource *
new_resource(struct loader *L, const char *path, size_t n)
{
    struct ke_index *ix = L->ix;
    int rc = kc_vec_reserve(ix->res, L->cap, ix->n + 1, MAX_RESOURCES);
    if (rc == KC_ETOOBIG) {
        ke_fail(L->err, L->errsz, "more than %u files in the release", MAX_RESOURCES);
        return NULL;
    }
    struct ke_resource *r = rc ? NULL : &ix->res[ix->n];
    if (r) {
        memset(r, 0, sizeof *r);
        r->path = arena_strndup(L->h, path, n);
        r->path_len = n;
    }
    if (!r || !r->path) {
        ke_fail(L->err, L->errsz, "out of memory");
        return NULL;
    }
    ix->n++;
    return r;
}

static const char *
json_str(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static enum ke_policy
policy_of(const struct ke_resource *r)
{
    switch (r->cls) {
    case KE_CLASS_IMMUTABLE: return KE_POLICY_IMMUTABLE;
    case KE_CLASS_NO_CACHE: return r->entry ? KE_POLICY_ENTRY : KE_POLICY_SW;
    default: return KE_POLICY_OTHER;
    }
}

/* A purge tag goes into a space- and a comma-separated list: visible ASCII
 * without ','. */
static bool
valid_tag(const char *t)
{
    if (!t || !*t)
        return false;
    for (; *t; t++)
        if (*t < 0x21 || *t > 0x7e || *t == ',')
            return false;
    return true;
}

/* Appends "Name: t1<sep>t2...\r\n" of the manifest's tags to out, keeping
 * the value under KEYS_MAX: the first tags (release, url, type) always fit. */
static size_t
keys_line(json_t *tags, const char *name, const char *sep, char *out, size_t room)
{
    size_t n = (size_t)snprintf(out, room, "%s: ", name), start = n;
    size_t i;
    json_t *t;
    json_array_foreach(tags, i, t)
    {
        const char *v = json_string_value(t);
        size_t vl = strlen(v);
        if (n - start + vl + 1 > KEYS_MAX || n + vl + 4 > room)
            break;
        if (n > start)
            n += (size_t)snprintf(out + n, room - n, "%s", sep);
        memcpy(out + n, v, vl);
        n += vl;
    }
    if (n == start)
        return 0;
    memcpy(out + n, "\r\n", 2);
    return n + 2;
}

/* True when v is a non-empty string of the characters in ok (plus ASCII
 * letters and digits): what may go into a Link parameter as it is. */
static bool
link_chars(const char *v, const char *ok)
{
    if (!*v)
        return false;
    for (const char *c = v; *c; c++)
        if (!kc_is_alnum(*c) && !strchr(ok, *c))
            return false;
    return true;
}

/* One hint of the manifest's preload list as a Link value into out[0..room),
 * with every parameter the page's tag has: a browser uses a preload only
 * for a request with the same CORS mode and integrity. Returns its length,
 * or -1 for a hint that cannot be written exactly (it is left out). */
static int
link_one(json_t *p, const char *sep, char *out, size_t room)
{
    const char *url = json_str(p, "url"), *rel = json_str(p, "rel"), *as = json_str(p, "as");
    const char *sri = json_str(p, "integrity"), *type = json_str(p, "type");
    json_t *co = json_object_get(p, "crossorigin");
    if (!url || !rel || !as || (strcmp(rel, "preload") != 0 && strcmp(rel, "modulepreload")))
        return -1;
    bool ok = *url && strlen(as) < 32 && link_chars(as, "-");
    for (const char *c = url; ok && *c; c++)
        ok = *c > 0x20 && *c < 0x7f && *c != '>' && *c != '<';
    /* crossorigin: "anonymous" or "use-credentials"; true in older manifests. */
    const char *cors = "";
    if (json_is_true(co) || (json_is_string(co) && !strcmp(json_string_value(co), "anonymous")))
        cors = "; crossorigin";
    else if (json_is_string(co) && !strcmp(json_string_value(co), "use-credentials"))
        cors = "; crossorigin=use-credentials";
    else if (co && !json_is_false(co))
        ok = false;
    ok = ok && (!sri || (strlen(sri) < 256 && link_chars(sri, "+/=-_")));
    ok = ok && (!type || (strlen(type) < 64 && link_chars(type, "/+-.")));
    if (!ok)
        return -1;
    int k = snprintf(out, room, "%s<%s>; rel=%s; as=%s%s%s%s%s%s%s%s", sep, url, rel, as, cors,
                     sri ? "; integrity=\"" : "", sri ? sri : "", sri ? "\"" : "",
                     type ? "; type=\"" : "", type ? type : "", type ? "\"" : "");
    return k < 0 || (size_t)k >= room ? -1 : k;
}

/* "Link: <url>; rel=preload; as=font; crossorigin; type=\"font/woff2\",
 * ..." (no "nopush": Chromium drops a hint in a 103 whose parameters it does
 * not know, and nothing pushes any more) from the manifest's preload list, under LINK_MAX (the
 * hints past it are left out); 0 when there is nothing to say. */
static size_t
link_line(json_t *preload, char *out, size_t room)
{
    size_t n = (size_t)snprintf(out, room, "Link: "), start = n;
    size_t i;
    json_t *p;
    json_array_foreach(preload, i, p)
    {
        char one[LINK_MAX];
        int k = link_one(p, n > start ? ", " : "", one, sizeof one);
        if (k < 0)
            continue;
        if (n - start + (size_t)k > LINK_MAX || n + (size_t)k + 3 > room)
            break;
        memcpy(out + n, one, (size_t)k);
        n += (size_t)k;
    }
    if (n == start)
        return 0;
    memcpy(out + n, "\r\n", 2);
    return n + 2;
}

/* The default priority of a file served as MIME type `type` (see
 * struct ke_resource): the order a browser needs them to render. */
static void
set_priority(struct ke_resource *r, const char *type)
{
    static const struct {
        const char *prefix;
        uint8_t urgency;
        bool incremental;
    } by_type[] = {
        { "text/html", 0, false },
        { "text/css", 1, false },
        { "font/", 2, false },
        { "text/javascript", 2, false },
        { "application/javascript", 2, false },
        { "application/wasm", 2, false },
        { "image/", 4, true },
        { "video/", 5, true },
        { "audio/", 5, true },
    };
    r->urgency = 3; /* RFC 9218's default */
    r->incremental = false;
    for (size_t i = 0; i < sizeof by_type / sizeof by_type[0]; i++)
        if (strncmp(type, by_type[i].prefix, strlen(by_type[i].prefix)) == 0) {
            r->urgency = by_type[i].urgency;
            r->incremental = by_type[i].incremental;
            return;
        }
}

/* The lines every variant of one resource shares, built once by
 * build_heads(). */
struct head_parts {
    const char *type, *cc;
    size_t cc_len;
    const char *lm, *vary, *uad, *keys;
    size_t keys_len;
    const char *link;
    size_t link_len;
};

/* Builds v's 200/206 head and its 304 head; token is its Content-Encoding
 * (NULL for identity). */
static int
variant_heads(struct loader *L, const struct ke_resource *r, struct ke_variant *v,
              const char *token, const struct head_parts *hp)
{
    char ce[40] = "";
    if (token)
        snprintf(ce, sizeof ce, "Content-Encoding: %s\r\n", token);
    char buf[HEAD_BLOCK];
    int n = snprintf(buf, sizeof buf,
                     "Content-Type: %s\r\n%.*sETag: %.*s\r\n"
                     "Last-Modified: %s\r\n%s%sAccept-Ranges: bytes\r\n"
                     "X-Content-Type-Options: nosniff\r\n%s%.*s%.*s",
                     hp->type, (int)hp->cc_len, hp->cc, (int)v->etag_len, v->etag, hp->lm, hp->vary,
                     ce, hp->uad, (int)hp->keys_len, hp->keys, (int)hp->link_len, hp->link);
    if (n < 0 || (size_t)n >= sizeof buf || !(v->head = arena_strndup(L->h, buf, (size_t)n)))
        return ke_fail(L->err, L->errsz, "%s: header block too large", r->path);
    v->head_len = (size_t)n;
    /* A 304 repeats what a cache must update (RFC 9110 §15.4.5): the
     * CDN's freshness and the purge keys as well. */
    n = snprintf(buf, sizeof buf, "%.*sETag: %.*s\r\n%s%s%.*s", (int)hp->cc_len, hp->cc,
                 (int)v->etag_len, v->etag, hp->vary, hp->uad, (int)hp->keys_len, hp->keys);
    if (n < 0 || (size_t)n >= sizeof buf || !(v->head304 = arena_strndup(L->h, buf, (size_t)n)))
        return ke_fail(L->err, L->errsz, "%s: header block too large", r->path);
    v->head304_len = (size_t)n;
    return 0;
}

/* Builds the header lines of every variant of r; e is its manifest entry
 * (NULL in directory mode: no purge tags, no preloads). */
static int
build_heads(struct loader *L, struct ke_resource *r, const char *type, json_t *e)
{
    set_priority(r, type);
    char cc[3 * KE_CACHE_VALUE_MAX + 128];
    int ccn = ke_cache_lines(L->cfg, policy_of(r), r->path, cc, sizeof cc);
    if (ccn < 0)
        return ke_fail(L->err, L->errsz, "%s: cache headers too large", r->path);
    char keys[2 * KEYS_MAX + 64];
    size_t kn = 0;
    json_t *tags = e ? json_object_get(e, "tags") : NULL;
    if (json_is_array(tags)) {
        size_t i;
        json_t *t;
        json_array_foreach(tags, i, t)
        {
            if (!valid_tag(json_string_value(t)))
                return ke_fail(L->err, L->errsz, "kiln-manifest.json: entry %s: invalid tag",
                               r->path);
        }
        if (L->cfg->purge_keys & KE_PURGE_SURROGATE_KEY)
            kn += keys_line(tags, "Surrogate-Key", " ", keys + kn, sizeof keys - kn);
        if (L->cfg->purge_keys & KE_PURGE_CACHE_TAG)
            kn += keys_line(tags, "Cache-Tag", ",", keys + kn, sizeof keys - kn);
    }
    char link[LINK_MAX + 64];
    size_t ln = 0;
    json_t *preload = e && r->entry ? json_object_get(e, "preload") : NULL;
    if (json_is_array(preload) && (L->cfg->link_preload || L->cfg->early_hints))
        ln = link_line(preload, link, sizeof link);
    if (ln && L->cfg->early_hints) {
        char early[LINK_MAX + 128];
        int k =
            snprintf(early, sizeof early, "HTTP/1.1 103 Early Hints\r\n%.*s\r\n", (int)ln, link);
        if (!(r->early = arena_strndup(L->h, early, (size_t)k)))
            return ke_fail(L->err, L->errsz, "out of memory");
        r->early_len = (size_t)k;
    }
    if (!L->cfg->link_preload)
        ln = 0;
    char lm[KC_HTTPDATE_LEN + 1];
    kc_httpdate_format(r->mtime, lm);
    int variants = 0;
    for (int k = 0; k < KE_ENC_COUNT; k++)
        variants += r->var[k].present;
    /* A resource with deltas answers by Available-Dictionary too: every one
     * of its responses must say so, identity and 304 included, or a cache
     * would hand a delta to a client holding another dictionary (or none). */
    const char *vary = r->n_deltas    ? "Vary: Accept-Encoding, Available-Dictionary\r\n"
                       : variants > 1 ? "Vary: Accept-Encoding\r\n"
                                      : "";
    /* RFC 9842 §2.1: a dictionary asset says so on every response a cache
     * may store or refresh (200, 206 and 304). */
    char uad[KE_USE_AS_DICT_MAX + 32] = "";
    json_t *dict = e ? json_object_get(e, "dictionary") : NULL;
    if (dict)
        snprintf(uad, sizeof uad, "Use-As-Dictionary: %s\r\n", json_str(dict, "use_as_dictionary"));
    const struct head_parts hp = { type, cc, (size_t)ccn, lm, vary, uad, keys, kn, link, ln };
    for (int k = 0; k < KE_ENC_COUNT; k++)
        if (r->var[k].present && variant_heads(L, r, &r->var[k], enc_token[k], &hp) != 0)
            return -1;
    for (unsigned k = 0; k < r->n_deltas; k++)
        if (variant_heads(L, r, &r->deltas[k].var, "dcz", &hp) != 0)
            return -1;
    return 0;
}

/* A quoted strong ETag as kiln-build writes it; anything else in a manifest
 * would make every conditional request wrong, so it is refused. */
static bool
valid_etag(const char *t)
{
    size_t n = t ? strlen(t) : 0;
    if (n < 3 || n > 80 || t[0] != '"' || t[n - 1] != '"')
        return false;
    for (size_t i = 1; i + 1 < n; i++)
        if (t[i] < 0x21 || t[i] == '"' || t[i] == 0x7f)
            return false;
    return true;
}

/* One precompressed variant of the manifest (an "encodings" or a delta's
 * "dcz" entry): its file inside the release, size and strong ETag. */
static int
load_variant(struct loader *L, const char *url, const char *what, json_t *ve, struct ke_variant *v)
{
    const char *vf = json_str(ve, "file"), *vt = json_str(ve, "etag");
    json_t *vs = json_object_get(ve, "size");
    if (!vf || !safe_relpath(vf) || !valid_etag(vt) || !json_is_integer(vs) ||
        json_integer_value(vs) < 0)
        return ke_fail(L->err, L->errsz, "kiln-manifest.json: entry %s: invalid %s variant", url,
                       what);
    v->present = true;
    v->etag = arena_strndup(L->h, vt, strlen(vt));
    v->etag_len = strlen(vt);
    if (!v->etag)
        return ke_fail(L->err, L->errsz, "out of memory");
    if (load_body(L, vf, (uint64_t)json_integer_value(vs), &v->body, &v->size, &v->fd) != 0) {
        char why[256];
        snprintf(why, sizeof why, "%s", L->err);
        return ke_fail(L->err, L->errsz, "kiln-manifest.json: entry %s: %s variant: %s", url, what,
                       why);
    }
    return 0;
}

/* A header value kiln-edge sends as the manifest wrote it: visible ASCII
 * and SP, no leading or trailing SP, under max bytes. */
static bool
valid_field_value(const char *t, size_t max)
{
    size_t n = t ? strlen(t) : 0;
    if (n == 0 || n > max || t[0] == ' ' || t[n - 1] == ' ')
        return false;
    for (size_t i = 0; i < n; i++)
        if (t[i] < 0x20 || t[i] > 0x7e)
            return false;
    return true;
}

/* "dictionary": {"id": ..., "use_as_dictionary": ...}: the asset is a
 * dictionary for its future versions (RFC 9842 §2.1). The value goes out
 * as it is; the id is the builder's, inside that value. */
static int
load_dictionary(struct loader *L, const char *url, json_t *e)
{
    json_t *d = json_object_get(e, "dictionary");
    if (!d)
        return 0;
    json_t *id = json_object_get(d, "id");
    if (!json_is_object(d) ||
        !valid_field_value(json_str(d, "use_as_dictionary"), KE_USE_AS_DICT_MAX) ||
        (id && (!json_is_string(id) || strlen(json_string_value(id)) > KE_DICT_ID_MAX)))
        return ke_fail(L->err, L->errsz, "kiln-manifest.json: entry %s: invalid dictionary", url);
    return 0;
}

/* 64 lowercase hex digits into 32 bytes. */
static bool
parse_hash_key(const char *k, unsigned char out[KE_DICT_HASH_LEN])
{
    if (strlen(k) != 2 * KE_DICT_HASH_LEN)
        return false;
    for (size_t i = 0; i < 2 * KE_DICT_HASH_LEN; i++) {
        char c = k[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (d < 0)
            return false;
        if (i % 2 == 0)
            out[i / 2] = (unsigned char)(d << 4);
        else
            out[i / 2] |= (unsigned char)d;
    }
    return true;
}

/* RFC 9842 §4: a dcz stream starts with a zstd skippable frame (magic
 * 0x184D2A5E, little-endian length 32) holding the dictionary's SHA-256.
 * Checked once here, so a delta can never go to a client whose dictionary
 * hash the stream does not name. */
static bool
dcz_header_ok(const struct ke_variant *v, const unsigned char hash[KE_DICT_HASH_LEN])
{
    static const unsigned char magic[8] = { 0x5e, 0x2a, 0x4d, 0x18, 0x20, 0, 0, 0 };
    return v->size > 8 + KE_DICT_HASH_LEN && memcmp(v->body, magic, 8) == 0 &&
           memcmp(v->body + 8, hash, KE_DICT_HASH_LEN) == 0;
}

/* "deltas": {"<sha-256 hex>": {"dcz": {file, size, etag}}, ...}. Entries
 * without a dcz (a dcb, which this edge cannot serve yet) are skipped. */
static int
load_deltas(struct loader *L, struct ke_resource *r, const char *url, json_t *e)
{
    json_t *ds = json_object_get(e, "deltas");
    if (!ds)
        return 0;
    if (!json_is_object(ds) || json_object_size(ds) > KE_MAX_DELTAS)
        return ke_fail(L->err, L->errsz,
                       "kiln-manifest.json: entry %s: deltas must be an object of at most %d", url,
                       KE_MAX_DELTAS);
    r->deltas = arena_alloc(L->h, (json_object_size(ds) + 1) * sizeof *r->deltas);
    if (!r->deltas)
        return ke_fail(L->err, L->errsz, "out of memory");
    const char *key;
    json_t *de;
    json_object_foreach(ds, key, de)
    {
        struct ke_delta *d = &r->deltas[r->n_deltas];
        memset(d, 0, sizeof *d);
        if (!parse_hash_key(key, d->hash) || !json_is_object(de))
            return ke_fail(L->err, L->errsz,
                           "kiln-manifest.json: entry %s: delta key '%.80s' is not a SHA-256 in "
                           "lowercase hex",
                           url, key);
        json_t *dcz = json_object_get(de, "dcz");
        if (!dcz)
            continue;
        int rc = load_variant(L, url, "dcz", dcz, &d->var);
        if (rc)
            return rc;
        if (!dcz_header_ok(&d->var, d->hash))
            return ke_fail(L->err, L->errsz,
                           "kiln-manifest.json: entry %s: dcz delta %s does not start with the "
                           "RFC 9842 header for its dictionary hash",
                           url, key);
        r->n_deltas++;
    }
    return 0;
}

static int
load_manifest(struct loader *L, const char *text, size_t len)
{
    json_error_t je;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return ke_fail(L->err, L->errsz, "kiln-manifest.json:%d: %s", je.line, je.text);
    int rc = 0;
    json_t *files = json_object_get(root, "files");
    const char *release = json_str(root, "release");
    if (json_integer_value(json_object_get(root, "version")) != 1 || !json_is_object(files) ||
        !release) {
        rc = ke_fail(L->err, L->errsz, "kiln-manifest.json: not a version 1 kiln manifest");
        goto out;
    }
    snprintf(L->ix->release, sizeof L->ix->release, "%s", release);
    const char *url;
    json_t *e;
    json_object_foreach(files, url, e)
    {
        const char *file = json_str(e, "file"), *type = json_str(e, "type");
        const char *cls = json_str(e, "class"), *etag = json_str(e, "etag");
        json_t *size = json_object_get(e, "size");
        if (url[0] != '/' || !file || !type || !cls || !valid_etag(etag) ||
            !json_is_integer(size) || json_integer_value(size) < 0 || strchr(type, '\r') ||
            strchr(type, '\n')) {
            rc = ke_fail(L->err, L->errsz,
                         "kiln-manifest.json: entry %s: missing or invalid fields", url);
            goto out;
        }
        if (!safe_relpath(file)) {
            rc = ke_fail(L->err, L->errsz,
                         "kiln-manifest.json: entry %s: file '%s' is outside the release", url,
                         file);
            goto out;
        }
        struct ke_resource *r = new_resource(L, url, strlen(url));
        if (!r) {
            rc = -1;
            goto out;
        }
        r->entry = json_is_true(json_object_get(e, "entry"));
        r->mtime = json_integer_value(json_object_get(e, "mtime"));
        const char *slash = strrchr(url, '/');
        bool sw = slash && strcmp(slash, "/sw.js") == 0;
        r->cls = strcmp(cls, "immutable") == 0 ? KE_CLASS_IMMUTABLE
                 : r->entry || sw              ? KE_CLASS_NO_CACHE
                                               : KE_CLASS_SHORT;
        struct ke_variant *v = &r->var[KE_ENC_IDENTITY];
        v->present = true;
        v->etag = arena_strndup(L->h, etag, strlen(etag));
        v->etag_len = strlen(etag);
        if (!v->etag || load_body(L, file, (uint64_t)json_integer_value(size), &v->body, &v->size,
                                  &v->fd) != 0) {
            rc = v->etag ? -1 : ke_fail(L->err, L->errsz, "out of memory");
            goto out;
        }
        json_t *encs = json_object_get(e, "encodings");
        for (int k = 1; k < KE_ENC_COUNT; k++) {
            json_t *ve = json_object_get(encs, enc_token[k]);
            if (ve && (rc = load_variant(L, url, enc_token[k], ve, &r->var[k])) != 0)
                goto out;
        }
        if ((rc = load_dictionary(L, url, e)) != 0 || (rc = load_deltas(L, r, url, e)) != 0)
            goto out;
        if ((rc = build_heads(L, r, type, e)) != 0)
            goto out;
    }
out:
    json_decref(root);
    return rc;
}

/* ---- plain directory mode ------------------------------------------------------ */

static void
etag_of(struct loader *L, const unsigned char *body, uint64_t n, const char **out, size_t *len)
{
    unsigned char d[KC_SHA256_LEN];
    char hex[2 * KC_SHA256_LEN + 1], t[32];
    kc_sha256(body, (size_t)n, d);
    kc_hex(d, sizeof d, hex);
    snprintf(t, sizeof t, "\"%.24s\"", hex);
    *out = arena_strndup(L->h, t, 26);
    *len = 26;
}

static bool
is_sidecar_name(const char *name)
{
    size_t n = strlen(name);
    for (int e = 1; e < KE_ENC_COUNT; e++) {
        size_t sn = strlen(enc_suffix[e]);
        if (n > sn && strcmp(name + n - sn, enc_suffix[e]) == 0)
            return true;
    }
    return false;
}

static int
add_plain_file(struct loader *L, const char *rel, const struct stat *st)
{
    char url[PATH_MAX + 2];
    int un = snprintf(url, sizeof url, "/%s", rel);
    if (un < 0 || (size_t)un >= sizeof url)
        return ke_fail(L->err, L->errsz, "%s: path too long", rel);
    struct ke_resource *r = new_resource(L, url, (size_t)un);
    if (!r)
        return -1;
    const char *base = strrchr(rel, '/');
    base = base ? base + 1 : rel;
    const struct kc_mime *mime = kc_mime_lookup(rel);
    r->entry = mime->kind == KC_KIND_HTML;
    r->cls = r->entry || strcmp(base, "sw.js") == 0 ? KE_CLASS_NO_CACHE : KE_CLASS_SHORT;
    r->mtime = (int64_t)st->st_mtime;
    for (int e = 0; e < KE_ENC_COUNT; e++) {
        char p[PATH_MAX + 8];
        snprintf(p, sizeof p, "%s%s", rel, e ? enc_suffix[e] : "");
        if (e && faccessat(L->dirfd, p, F_OK, AT_SYMLINK_NOFOLLOW) != 0)
            continue;
        struct ke_variant *v = &r->var[e];
        if (load_body(L, p, UINT64_MAX, &v->body, &v->size, &v->fd) != 0)
            return -1;
        v->present = true;
        etag_of(L, v->body, v->size, &v->etag, &v->etag_len);
        if (!v->etag)
            return ke_fail(L->err, L->errsz, "out of memory");
    }
    return build_heads(L, r, mime->type, NULL);
}

static int
walk_plain(struct loader *L, const char *rel, int depth)
{
    if (depth > MAX_DIR_DEPTH)
        return ke_fail(L->err, L->errsz, "%s: directories nested too deep", rel);
    int fd = *rel ? openat(L->dirfd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)
                  : dup(L->dirfd);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        if (fd >= 0)
            close(fd);
        return ke_fail(L->err, L->errsz, "%s: cannot open directory", *rel ? rel : ".");
    }
    int rc = 0;
    struct dirent *de;
    while (!rc && (de = readdir(d))) {
        const char *name = de->d_name;
        if (name[0] == '.' && strcmp(name, ".well-known") != 0)
            continue; /* ".", "..", and private dotfiles */
        char child[PATH_MAX];
        if (snprintf(child, sizeof child, "%s%s%s", rel, *rel ? "/" : "", name) >=
            (int)sizeof child) {
            rc = ke_fail(L->err, L->errsz, "%s/%s: path too long", rel, name);
            break;
        }
        struct stat st;
        if (fstatat(L->dirfd, child, &st, AT_SYMLINK_NOFOLLOW) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            rc = walk_plain(L, child, depth + 1);
        } else if (S_ISREG(st.st_mode)) {
            /* "a.js.br" beside "a.js" is a variant, not a resource. */
            if (is_sidecar_name(name)) {
                char base[PATH_MAX];
                snprintf(base, sizeof base, "%s", child);
                *strrchr(base, '.') = '\0';
                if (faccessat(L->dirfd, base, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
                    continue;
            }
            rc = add_plain_file(L, child, &st);
        }
    }
    closedir(d);
    return rc;
}

/* ---- lookup table ----------------------------------------------------------------- */

static int
build_table(struct loader *L)
{
    struct ke_index *ix = L->ix;
    size_t cap = 16;
    while (cap < ix->n * 2)
        cap *= 2;
    ix->slots = calloc(cap, sizeof *ix->slots);
    if (!ix->slots)
        return ke_fail(L->err, L->errsz, "out of memory");
    ix->mask = cap - 1;
    for (size_t i = 0; i < ix->n; i++) {
        size_t s =
            (size_t)kc_fnv1a64(KC_FNV1A64_INIT, ix->res[i].path, ix->res[i].path_len) & ix->mask;
        while (ix->slots[s])
            s = (s + 1) & ix->mask;
        ix->slots[s] = (uint32_t)i + 1;
    }
    return 0;
}

static const struct ke_resource *
find_here(const struct ke_index *ix, const char *p, size_t n)
{
    size_t s = (size_t)kc_fnv1a64(KC_FNV1A64_INIT, p, n) & ix->mask;
    for (uint32_t k; (k = ix->slots[s]) != 0; s = (s + 1) & ix->mask) {
        const struct ke_resource *r = &ix->res[k - 1];
        if (r->path_len == n && memcmp(r->path, p, n) == 0)
            return r;
    }
    return NULL;
}

const struct ke_resource *
ke_index_find(const struct ke_index *ix, const char *p, size_t n)
{
    const struct ke_resource *r = find_here(ix, p, n);
    for (unsigned i = 0; !r && i < ix->n_older; i++) {
        r = find_here(ix->older[i], p, n);
        if (r && r->cls != KE_CLASS_IMMUTABLE)
            r = NULL; /* only content-hashed URLs outlive their release */
    }
    return r;
}

/* ---- lifetime -------------------------------------------------------------------------- */

static void
index_free(struct ke_index *ix)
{
    free(ix->res);
    free(ix->slots);
    holder_free(ix->mem);
    free(ix);
}

int
ke_index_load(const char *dir, const struct ke_config *cfg, struct ke_index **out, char *err,
              size_t errsz)
{
    struct ke_index *ix = calloc(1, sizeof *ix);
    struct holder *h = calloc(1, sizeof *h);
    struct loader L = { .ix = ix, .h = h, .cfg = cfg, .dirfd = -1, .err = err, .errsz = errsz };
    int rc = 0;
    if (!ix || !h) {
        free(ix);
        free(h);
        snprintf(err, errsz, "out of memory");
        return -1;
    }
    atomic_init(&ix->refs, 1);
    atomic_init(&ix->holds, 1);
    ix->mem = h;
    L.dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (L.dirfd < 0) {
        rc = ke_fail(L.err, L.errsz, "%s: %s", dir, strerror(errno));
        goto out;
    }
    int mfd = openat(L.dirfd, "kiln-manifest.json", O_RDONLY | O_CLOEXEC);
    if (mfd >= 0) {
        struct stat st;
        char *text = NULL;
        if (fstat(mfd, &st) == 0 && st.st_size < (1 << 30))
            text = malloc((size_t)st.st_size + 1);
        ssize_t got = text ? pread(mfd, text, (size_t)st.st_size, 0) : -1;
        close(mfd);
        if (got != (ssize_t)st.st_size)
            rc = ke_fail(L.err, L.errsz, "%s/kiln-manifest.json: cannot read", dir);
        else
            rc = load_manifest(&L, text, (size_t)got);
        free(text);
        ix->from_manifest = true;
    } else if (errno == ENOENT) {
        rc = walk_plain(&L, "", 0);
        if (!rc)
            snprintf(ix->release, sizeof ix->release, "dir:%zu", ix->n);
    } else {
        rc = ke_fail(L.err, L.errsz, "%s/kiln-manifest.json: %s", dir, strerror(errno));
    }
    if (!rc)
        rc = build_table(&L);
out:
    if (L.dirfd >= 0)
        close(L.dirfd);
    if (rc) {
        index_free(ix);
        return -1;
    }
    *out = ix;
    return 0;
}

void
ke_index_hold(struct ke_index *ix)
{
    atomic_fetch_add_explicit(&ix->refs, 1, memory_order_relaxed);
}

static void
fallback_hold(struct ke_index *ix)
{
    atomic_fetch_add_explicit(&ix->holds, 1, memory_order_relaxed);
}

static void
fallback_release(struct ke_index *ix)
{
    if (atomic_fetch_sub_explicit(&ix->holds, 1, memory_order_acq_rel) == 1)
        index_free(ix);
}

/* Each index holding only its own fallbacks, and those only while it has
 * users, is what bounds the chain: were they held until the index is freed,
 * every release would keep its predecessor, and every release ever loaded
 * would stay in memory. */
void
ke_index_release(struct ke_index *ix)
{
    if (!ix || atomic_fetch_sub_explicit(&ix->refs, 1, memory_order_acq_rel) != 1)
        return;
    for (unsigned i = 0; i < ix->n_older; i++)
        fallback_release(ix->older[i]);
    fallback_release(ix);
}

void
ke_index_chain(struct ke_index *newer, struct ke_index *older, unsigned keep)
{
    if (keep > KE_MAX_KEEP)
        keep = KE_MAX_KEEP;
    if (keep == 0 || !older) {
        ke_index_release(older);
        return;
    }
    fallback_hold(older);
    newer->older[newer->n_older++] = older;
    for (unsigned i = 0; i < older->n_older && newer->n_older < keep; i++) {
        fallback_hold(older->older[i]);
        newer->older[newer->n_older++] = older->older[i];
    }
    ke_index_release(older); /* the caller's reference, now a hold */
}
