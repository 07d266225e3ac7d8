/*
 * Fuzz target for kiln-edge's HTTP/2 session (edge/h2.c, no sockets): after an
 * 8-byte control block, the input is what a client sends, fed in pieces to a
 * server session of a worker that serves a small release (built once at
 * startup by the builder's own pipeline from the site below). The sink checks
 * every byte the session sends: whole frames of types a server may send, its
 * SETTINGS first, header blocks that decode (HPACK) to a :status and valid
 * lower-case fields with no connection-specific ones, DATA only on an
 * answered stream and never past its content-length. It holds some batches
 * (returns 1) and reads them only just before ke_h2_written, so a body slice
 * freed too early shows; between pieces the release may be reloaded, so a
 * stream in flight must hold its own index. Graceful GOAWAY, draining and the
 * timeouts come as conn.c calls them; access log lines must be whole and
 * escaped. After ke_h2_free every reference to the indexes is back. A
 * violation abort()s.
 */
#include "builder/site.h"
#include "edge/access_log.h"
#include "edge/h2.h"
#include "edge/worker.h"

#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <nghttp2/nghttp2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The control block: c[0..3] piece sizes, cycled (0: all that is left);
 * c[4] which sink calls hold their batch (bit call % 8); c[5] the flags
 * below; c[6] before which of the first 8 pieces the release is reloaded
 * (4 times at most: a load costs more than a run); c[7] & 0x7f the sink
 * call that fails, with F_SINK_FAIL, and c[7] & 0x80 the JSON log format,
 * with F_LOG. */
#define CTL          8
#define F_TLS        0x01 /* a TLS connection (IPv6 peer): HSTS, SETTINGS sent at once */
#define F_READ_WHILE 0x02 /* go on reading while the sink holds a batch */
#define F_RELOAD     0x04
#define F_SINK_FAIL  0x08
#define F_GOAWAY     0x10         /* a graceful GOAWAY before the second piece (drain) */
#define F_STOPPING   0x20         /* the worker drains: GOAWAY after each request */
#define F_TIMEOUT    0x40         /* at the end, the idle or send timeout instead of the drain */
#define F_LOG        0x80         /* the access log, whose lines are checked */
#define BATCH_MAX    (256u << 10) /* "memory per connection stays bounded" */
#define BLOCK_MAX    (64u << 10)  /* one response's header block */
#define TRACKED      512
#define DRAIN_MAX    100000

/* ---- the release --------------------------------------------------------------- */

/* Pre-hashed names (a bundler's 8 characters) keep their URL in the
 * release, so the seeds (gen_h2_corpus.py) can ask for them; they are the
 * immutable class. big is just under --mem-max's default (64 KiB, read into
 * memory), huge over it (mapped). */
/* builder/main.c's default --hashed-pattern (static there). */
#define HASHED_RE                                                                                  \
    "[-.]([A-Za-z0-9_-]{8}|[0-9a-f]{10}|[0-9a-f]{16,64})(\\.[a-z]+)?\\.[A-Za-z0-9]+(\\.map)?$"
#define PAGE_TAIL "<p>HTTP/2 through kiln-edge, answered by respond.c from the index.</p>\n"
static const char *const site[] = {
    "index.html",
    "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>h2</title>\n"
    "<link rel=\"preload\" as=\"font\" type=\"font/woff2\" href=\"/assets/font-D8sK3nVq.woff2\" "
    "crossorigin>\n"
    "<link rel=\"preload stylesheet\" as=\"style\" href=\"/assets/app-B9xQ2kLm.css\">\n"
    "<script type=\"module\" src=\"/assets/app-F5gH8jKl.js\"></script>\n"
    "</head><body><h1>h2</h1><img src=\"/assets/big-C4rT7pWz.png\" alt=\"\">\n"
    "<a href=\"/docs/\">docs</a>\n" PAGE_TAIL PAGE_TAIL PAGE_TAIL PAGE_TAIL "</body></html>\n",
    "docs/index.html",
    "<!doctype html>\n<html><head><title>docs</title>\n"
    "<link rel=\"stylesheet\" href=\"/assets/app-B9xQ2kLm.css\"></head>\n"
    "<body><img src=\"/assets/huge-E2mN6bXc.png\" alt=\"\">\n"
    "<a href=\"/assets/data-G7hJ4kLp.json\">data</a>\n" PAGE_TAIL PAGE_TAIL "</body></html>\n",
    "404.html",
    "<!doctype html>\n<title>not found</title><p>Not here.</p>\n",
    "robots.txt",
    "User-agent: *\nAllow: /\n",
    "assets/app-B9xQ2kLm.css",
    "body { margin: 0; padding: 0; font-family: system-ui, sans-serif; color: #222; }\n"
    "h1 { margin: 0 0 1rem; padding: 0; font-size: 2rem; color: #222; }\n"
    "p { margin: 0 0 1rem; padding: 0; line-height: 1.5; color: #222; }\n"
    "a { color: #06c; text-decoration: underline; }\n",
    "assets/app-F5gH8jKl.js",
    "const h = document.querySelector('h1');\n"
    "if (h) h.textContent = 'h2 ' + String(performance.now() > 0);\n",
    NULL,
};

/* Generated files: name, size, whether compressible text. */
static const struct {
    const char *name;
    size_t size;
    bool text;
} generated[] = {
    { "assets/font-D8sK3nVq.woff2", 3000, false },
    { "assets/big-C4rT7pWz.png", 60000, false },
    { "assets/huge-E2mN6bXc.png", 70000, false },
    { "assets/data-G7hJ4kLp.json", 40000, true },
};

static char tmp[64];  /* the temporary directory: site/ and dist/ */
static char dist[96]; /* the release */
static struct ke_config cfg;
static struct ke_index *base_ix; /* the harness's own reference */
static struct ke_worker *w;
static bool trace;  /* FUZZ_H2_TRACE set: each frame the session sends, on stderr */
static int devnull; /* the access log's descriptor: h2.c only asks whether there is one */

static int
rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(p);
}

static void
cleanup(void)
{
    if (tmp[0])
        nftw(tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void
put(const char *rel, const void *p, size_t n)
{
    char path[256], dir[256];
    snprintf(path, sizeof path, "%s/site/%s", tmp, rel);
    snprintf(dir, sizeof dir, "%s", path);
    for (char *s = dir + strlen(tmp) + 1; (s = strchr(s + 1, '/'));) {
        *s = '\0';
        mkdir(dir, 0755);
        *s = '/';
    }
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(p, 1, n, f) != n || fclose(f) != 0)
        abort();
    /* A fixed mtime, so Last-Modified and If-Modified-Since answers do
     * not depend on when the fuzzer started. */
    struct timespec ts[2] = { { 1767225600, 0 }, { 1767225600, 0 } }; /* 2026-01-01 */
    if (utimensat(AT_FDCWD, path, ts, 0) != 0)
        abort();
}

/* The site written, then built as kiln-build builds it (no bundling, every
 * encoding, no compression cache) into dist. */
static void
build_release(void)
{
    for (size_t i = 0; site[i]; i += 2)
        put(site[i], site[i + 1], strlen(site[i + 1]));
    uint32_t x = 2463534242u; /* xorshift: the same bytes on every run */
    for (size_t i = 0; i < sizeof generated / sizeof generated[0]; i++) {
        unsigned char *b = malloc(generated[i].size);
        if (!b)
            abort();
        for (size_t k = 0; k < generated[i].size; k++) {
            x ^= x << 13, x ^= x >> 17, x ^= x << 5;
            b[k] =
                generated[i].text ? (unsigned char)"{\"k\": 1234567},\n"[x % 16] : (unsigned char)x;
        }
        put(generated[i].name, b, generated[i].size);
        free(b);
    }
    char src[96];
    snprintf(src, sizeof src, "%s/site", tmp);
    snprintf(dist, sizeof dist, "%s/dist", tmp);
    if (mkdir(dist, 0755) != 0)
        abort();
    struct kb_options o = {
        .src = src,
        .out = dist,
        .base = "/",
        .hashed_re = HASHED_RE,
        .enc_mask = (1u << KB_ENC_BR) | (1u << KB_ENC_ZSTD) | (1u << KB_ENC_GZIP),
        .jobs = 1,
        .min_saving = 5,
        .integrity = true,
        .quiet = true,
        .sw = true,
    };
    struct kb_site s = { .opt = &o };
    if (regcomp(&s.hashed, o.hashed_re, REG_EXTENDED) != 0)
        abort();
    int rc = kb_load(&s);
    int (*const stage[])(struct kb_site *) = { kb_resolve, kb_bundle, kb_fingerprint, kb_preloads,
                                               kb_sw };
    for (size_t i = 0; !rc && i < sizeof stage / sizeof stage[0]; i++)
        rc = stage[i](&s);
    if (!rc)
        rc = kb_emit(&s, dist);
    kb_site_free(&s);
    if (rc) {
        fprintf(stderr, "fuzz_h2: building the release failed (%d)\n", rc);
        abort();
    }
    nftw(src, rm_entry, 16, FTW_DEPTH | FTW_PHYS); /* dist stays, for the reloads */
}

static struct ke_index *
load(void)
{
    struct ke_index *ix;
    char err[512];
    if (ke_index_load(dist, &cfg, &ix, err, sizeof err) != 0) {
        fprintf(stderr, "fuzz_h2: %s\n", err);
        abort();
    }
    return ix;
}

static void
setup(void)
{
    snprintf(tmp, sizeof tmp, "/tmp/kiln-fuzz-h2-XXXXXX");
    if (!mkdtemp(tmp))
        abort();
    atexit(cleanup);
    trace = getenv("FUZZ_H2_TRACE") != NULL;
    ke_config_defaults(&cfg);
    cfg.early_hints = true; /* the 103 block before a navigation's final head */
    build_release();
    base_ix = load();
    snprintf(ke_shared.hsts, sizeof ke_shared.hsts,
             "Strict-Transport-Security: max-age=63072000\r\n");
    pthread_mutex_init(&ke_shared.mu, NULL);
    if ((devnull = open("/dev/null", O_WRONLY | O_CLOEXEC)) < 0)
        abort();
    w = calloc(1, sizeof *w); /* no loop: h2.c uses cfg, ix, date and the metrics */
    if (!w)
        abort();
    w->cfg = &cfg;
    snprintf(w->date, sizeof w->date, "Thu, 26 Nov 2026 12:00:00 GMT");
    w->date_sec = 1795694400;
}

/* The worker's index becomes ix (taking over that reference), as a reload
 * publishes one: the worker picks it up at its next request. */
static void
publish(struct ke_index *ix)
{
    pthread_mutex_lock(&ke_shared.mu);
    struct ke_index *old = ke_shared.current;
    ke_shared.current = ix;
    pthread_mutex_unlock(&ke_shared.mu);
    atomic_fetch_add(&ke_shared.gen, 1);
    if (old)
        ke_index_release(old);
}

/* ---- what the session sends ---------------------------------------------------- */

struct track {
    int32_t id;   /* 0: a free slot */
    bool final;   /* a final (non-1xx) HEADERS went out */
    int64_t clen; /* its content-length, or -1 */
    uint64_t got; /* DATA payload bytes so far */
};

struct sink {
    unsigned calls;
    uint8_t hold; /* c[4] */
    unsigned fail_at;
    uv_buf_t *held; /* a copy of the batch's bufs, while the sink holds it */
    unsigned n_held;
    /* The frame parser, across batches. */
    uint64_t frames;
    unsigned char hd[9];
    unsigned hd_got;
    size_t left; /* payload bytes of the current frame still to come */
    unsigned char *pay;
    size_t pay_len;
    int32_t cont; /* the stream whose header block wants a CONTINUATION, or 0 */
    bool cont_end_stream;
    unsigned char *block;
    size_t block_len;
    nghttp2_hd_inflater *inf;
    struct track t[TRACKED];
    bool overflow; /* the table was full once: unknown streams are not checked */
};

static unsigned char scratch[BATCH_MAX];

static struct track *
track(struct sink *k, int32_t id, bool add)
{
    struct track *free_slot = NULL;
    for (size_t i = 0; i < TRACKED; i++) {
        if (k->t[i].id == id)
            return &k->t[i];
        if (!free_slot && k->t[i].id == 0)
            free_slot = &k->t[i];
    }
    if (!add)
        return NULL;
    if (!free_slot) {
        k->overflow = true;
        return NULL;
    }
    *free_slot = (struct track){ .id = id, .clen = -1 };
    return free_slot;
}

static bool
name_is(const nghttp2_nv *nv, const char *s)
{
    return nv->namelen == strlen(s) && memcmp(nv->name, s, nv->namelen) == 0;
}

/* A whole header block of stream id: HPACK that decodes, a :status first
 * (1xx only without END_STREAM, once final only once), then valid fields. */
static void
header_block(struct sink *k, int32_t id, bool end_stream)
{
    struct track *t = track(k, id, true);
    if (t && t->final)
        abort(); /* no trailers: kiln sends one final head per stream */
    const uint8_t *in = k->block;
    size_t inlen = k->block_len;
    unsigned n = 0;
    int status = 0;
    for (;;) {
        nghttp2_nv nv;
        int flags = 0;
        ssize_t rv = nghttp2_hd_inflate_hd2(k->inf, &nv, &flags, in, inlen, 1);
        if (rv < 0)
            abort();
        in += rv, inlen -= (size_t)rv;
        if ((flags & NGHTTP2_HD_INFLATE_EMIT) && trace)
            fprintf(stderr, "    %.*s: %.*s\n", (int)nv.namelen, nv.name, (int)nv.valuelen,
                    nv.value);
        if (flags & NGHTTP2_HD_INFLATE_EMIT) {
            if (n++ == 0) {
                if (!name_is(&nv, ":status") || nv.valuelen != 3 || nv.value[0] < '1' ||
                    nv.value[0] > '5' || nv.value[1] < '0' || nv.value[1] > '9' ||
                    nv.value[2] < '0' || nv.value[2] > '9')
                    abort();
                status = (nv.value[0] - '0') * 100 + (nv.value[1] - '0') * 10 + nv.value[2] - '0';
            } else if (!nghttp2_check_header_name(nv.name, nv.namelen) ||
                       !nghttp2_check_header_value(nv.value, nv.valuelen) ||
                       name_is(&nv, "connection") || name_is(&nv, "keep-alive") ||
                       name_is(&nv, "proxy-connection") || name_is(&nv, "transfer-encoding") ||
                       name_is(&nv, "upgrade")) {
                abort();
            } else if (name_is(&nv, "content-length") && t && status >= 200) {
                int64_t v = 0;
                for (size_t i = 0; i < nv.valuelen; i++) {
                    if (nv.value[i] < '0' || nv.value[i] > '9' || v > INT64_MAX / 10 - 9)
                        abort();
                    v = v * 10 + (nv.value[i] - '0');
                }
                t->clen = v;
            }
        }
        if (flags & NGHTTP2_HD_INFLATE_FINAL) {
            nghttp2_hd_inflate_end_headers(k->inf);
            break;
        }
        if (rv == 0 && inlen == 0)
            abort(); /* nothing left, yet not final */
    }
    if (n == 0 || status == 101 || (status < 200 && end_stream))
        abort();
    if (t && status >= 200)
        t->final = true;
    if (t && end_stream)
        t->id = 0;
}

/* One whole frame (DATA payloads are counted as they pass, not kept). */
static void
frame(struct sink *k)
{
    const unsigned char *h = k->hd;
    size_t len = (size_t)h[0] << 16 | (size_t)h[1] << 8 | h[2];
    unsigned type = h[3], flags = h[4];
    int32_t id = (int32_t)(((uint32_t)h[5] & 0x7f) << 24 | (uint32_t)h[6] << 16 |
                           (uint32_t)h[7] << 8 | h[8]);
    if (trace)
        fprintf(stderr, "  frame type %u flags 0x%02x stream %d length %zu\n", type, flags, (int)id,
                len);
    if (k->frames++ == 0 && (type != NGHTTP2_SETTINGS || (flags & NGHTTP2_FLAG_ACK)))
        abort(); /* the server's connection preface */
    if (k->cont && (type != NGHTTP2_CONTINUATION || id != k->cont))
        abort();
    switch (type) {
    case NGHTTP2_DATA: {
        if (id == 0 || !(id & 1) || (flags & NGHTTP2_FLAG_PADDED))
            abort();
        struct track *t = track(k, id, false);
        if (!t && !k->overflow)
            abort(); /* DATA before its HEADERS, or after END_STREAM */
        if (t && (!t->final || (t->clen >= 0 && t->got > (uint64_t)t->clen)))
            abort();
        if (t && (flags & NGHTTP2_FLAG_END_STREAM)) {
            if (t->clen >= 0 && t->got != (uint64_t)t->clen)
                abort(); /* a body shorter than its content-length */
            t->id = 0;
        }
        break;
    }
    case NGHTTP2_HEADERS:
    case NGHTTP2_CONTINUATION:
        if (id == 0 || !(id & 1))
            abort();
        if (type == NGHTTP2_HEADERS) {
            if (flags & (NGHTTP2_FLAG_PADDED | NGHTTP2_FLAG_PRIORITY))
                abort();
            k->block_len = 0;
            k->cont_end_stream = flags & NGHTTP2_FLAG_END_STREAM;
        }
        if (k->block_len + len > BLOCK_MAX)
            abort();
        memcpy(k->block + k->block_len, k->pay, len);
        k->block_len += len;
        k->cont = id;
        if (flags & NGHTTP2_FLAG_END_HEADERS) {
            k->cont = 0;
            header_block(k, id, k->cont_end_stream);
        }
        break;
    case NGHTTP2_RST_STREAM:
        if (id == 0 || len != 4)
            abort();
        struct track *t = track(k, id, false);
        if (t)
            t->id = 0;
        break;
    case NGHTTP2_SETTINGS:
        if (id != 0 || len % 6 || ((flags & NGHTTP2_FLAG_ACK) && len))
            abort();
        break;
    case NGHTTP2_PING:
        if (id != 0 || len != 8)
            abort();
        break;
    case NGHTTP2_GOAWAY:
        if (id != 0 || len < 8)
            abort();
        if (trace)
            fprintf(stderr, "    last stream %u, error %u: %.*s\n",
                    (unsigned)(k->pay[0] & 0x7f) << 24 | (unsigned)k->pay[1] << 16 |
                        (unsigned)k->pay[2] << 8 | k->pay[3],
                    (unsigned)k->pay[4] << 24 | (unsigned)k->pay[5] << 16 |
                        (unsigned)k->pay[6] << 8 | k->pay[7],
                    (int)(len - 8), (const char *)k->pay + 8);
        break;
    case NGHTTP2_WINDOW_UPDATE:
        if (len != 4)
            abort();
        break;
    default: abort(); /* PRIORITY, PUSH_PROMISE or an extension: never from kiln */
    }
}

/* Bytes the session sent, in order: frame headers, then payloads. */
static void
parse(struct sink *k, const unsigned char *p, size_t n)
{
    while (n > 0) {
        if (k->hd_got < 9) {
            size_t take = 9 - k->hd_got < n ? 9 - k->hd_got : n;
            memcpy(k->hd + k->hd_got, p, take);
            k->hd_got += (unsigned)take, p += take, n -= take;
            if (k->hd_got == 9) {
                k->left = (size_t)k->hd[0] << 16 | (size_t)k->hd[1] << 8 | k->hd[2];
                k->pay_len = 0;
                if (k->hd[3] == NGHTTP2_DATA) {
                    struct track *t = track(k,
                                            (int32_t)(((uint32_t)k->hd[5] & 0x7f) << 24 |
                                                      (uint32_t)k->hd[6] << 16 |
                                                      (uint32_t)k->hd[7] << 8 | k->hd[8]),
                                            false);
                    if (t)
                        t->got += k->left;
                }
            }
        } else {
            size_t take = k->left < n ? k->left : n;
            if (k->hd[3] != NGHTTP2_DATA) {
                if (k->pay_len + take > BLOCK_MAX)
                    abort();
                memcpy(k->pay + k->pay_len, p, take);
                k->pay_len += take;
            }
            k->left -= take, p += take, n -= take;
        }
        if (k->hd_got == 9 && k->left == 0) {
            frame(k);
            k->hd_got = 0;
        }
    }
}

/* The sink is done with bufs[0..n): every byte read (so ASan sees a slice
 * whose index is gone) and parsed. */
static void
consume(struct sink *k, const uv_buf_t *bufs, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        memcpy(scratch, bufs[i].base, bufs[i].len);
        parse(k, (const unsigned char *)bufs[i].base, bufs[i].len);
    }
}

static int
sink_cb(void *ctx, uv_buf_t *bufs, unsigned n, size_t total, bool yield)
{
    struct sink *k = ctx;
    if (k->held || n == 0 || total == 0 || total > BATCH_MAX)
        abort(); /* a batch while one is held, an empty one, or an unbounded one */
    size_t sum = 0;
    for (unsigned i = 0; i < n; i++) {
        if (bufs[i].len == 0 || !bufs[i].base)
            abort();
        sum += bufs[i].len;
    }
    if (sum != total)
        abort();
    unsigned call = k->calls++;
    if (trace)
        fprintf(stderr, "batch %u: %u bufs, %zu bytes%s\n", call, n, total, yield ? ", yield" : "");
    if (k->fail_at && call + 1 == k->fail_at)
        return -1;
    if (yield || (k->hold & (1u << (call % 8)))) { /* yield: queued, as conn.c does */
        /* As libuv's uv_write: the array copied, the bytes pointed to. */
        k->held = malloc(n * sizeof *bufs);
        if (!k->held)
            abort();
        memcpy(k->held, bufs, n * sizeof *bufs);
        k->n_held = n;
        return 1;
    }
    consume(k, bufs, n);
    return 0;
}

/* The held batch is written: read it, then tell the session. 0, or -1
 * when the connection must close. */
static int
finish(struct sink *k, struct ke_h2 *h)
{
    if (!ke_h2_writing(h) || !k->held)
        abort();
    consume(k, k->held, k->n_held);
    free(k->held);
    k->held = NULL;
    return ke_h2_written(h);
}

/* What the send timeout watches: at least the batch held, and never an
 * underflow of the session's count of body bytes still to frame. */
static void
check_pending(const struct sink *k, const struct ke_h2 *h)
{
    uint64_t held = 0;
    for (unsigned i = 0; k->held && i < k->n_held; i++)
        held += k->held[i].len;
    uint64_t p = ke_h2_pending(h);
    if (p < held || p > (1ull << 40))
        abort();
}

/* The run's access log, emptied: whole lines of printable ASCII (quotes,
 * backslashes, control and non-ASCII bytes escaped), in the combined format
 * six quotes each, in JSON one object each, so no field forges a line. */
static void
check_log(bool json)
{
    if (!w->log)
        return; /* nothing logged yet */
    const char *p = w->log, *end = w->log + w->log_len;
    if (trace)
        fprintf(stderr, "%.*s", (int)w->log_len, w->log);
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            abort();
        unsigned quotes = 0;
        for (const char *q = p; q < nl; q++) {
            if (*q < 0x20 || *q > 0x7e)
                abort();
            quotes += *q == '"';
        }
        if (json) {
            json_error_t e;
            json_t *j = json_loadb(p, (size_t)(nl - p), JSON_REJECT_DUPLICATES, &e);
            if (!json_is_object(j) || json_object_size(j) != 10)
                abort();
            json_decref(j);
        } else if (quotes != 6) {
            abort();
        }
        p = nl + 1;
    }
    w->log_len = 0;
}

/* ---- one connection ------------------------------------------------------------- */

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!w)
        setup();
    unsigned char c[CTL] = { 0 };
    size_t skip = size < CTL ? size : CTL;
    memcpy(c, data, skip);
    data += skip, size -= skip;

    static struct sink k;
    memset(&k, 0, sizeof k);
    static unsigned char pay[BLOCK_MAX], block[BLOCK_MAX];
    k.pay = pay;
    k.block = block;
    k.hold = c[4];
    k.fail_at = (c[5] & F_SINK_FAIL) ? c[7] & 0x7f : 0;
    if (nghttp2_hd_inflate_new(&k.inf) != 0)
        abort();

    ke_index_hold(base_ix);
    publish(base_ix);
    ke_index_hold(base_ix);
    w->ix = base_ix;
    w->ix_gen = atomic_load(&ke_shared.gen);
    w->stopping = c[5] & F_STOPPING;
    ke_shared.log_fd = (c[5] & F_LOG) ? devnull : -1;
    cfg.access_log_format = (c[7] & 0x80) ? KE_LOG_JSON : KE_LOG_COMBINED;

    static const struct ke_peer v4 = { 4, { 192, 0, 2, 1 } },
                                v6 = { 6, { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 } };
    struct ke_h2 *h = ke_h2_new(w, (c[5] & F_TLS) ? &v6 : &v4, c[5] & F_TLS, sink_cb, &k);
    if (!h)
        abort();
    bool dead = (c[5] & F_TLS) && ke_h2_send(h) != 0; /* conn.c, after the handshake */
    size_t off = 0;
    unsigned piece = 0, reloads = 0;
    while (off < size && !dead && !ke_h2_done(h)) {
        if (ke_h2_writing(h) && !(c[5] & F_READ_WHILE)) {
            dead = finish(&k, h) != 0; /* conn.c reads no more until the write ends */
            continue;
        }
        if ((c[5] & F_RELOAD) && piece < 8 && (c[6] >> piece & 1) && reloads++ < 4)
            publish(load());                   /* up to 4: a batch may hold slices of 5 releases */
        if ((c[5] & F_GOAWAY) && piece == 1) { /* as ke_conn_stop_idle does */
            ke_h2_goaway(h);
            if (ke_h2_send(h) != 0)
                break;
        }
        size_t n = c[piece % 4] ? c[piece % 4] : size - off;
        if (n > size - off)
            n = size - off;
        /* An exact-size copy, so ASan sees an overread of the piece. */
        char *p = malloc(n);
        if (!p)
            abort();
        memcpy(p, data + off, n);
        off += n;
        piece++;
        dead = ke_h2_recv(h, p, n) != 0;
        free(p);
        check_pending(&k, h);
    }
    if (c[5] & F_TIMEOUT) {
        /* conn.c's timeout: idle, or a write that made no progress; then it closes. */
        if (!dead)
            ke_h2_timeout(h, !ke_h2_writing(h));
        dead = true;
    }
    /* The client sends no more but reads on: the session finishes what it
     * has to send, as the socket takes it. */
    for (unsigned i = 0; !dead && ke_h2_writing(h); i++) {
        if (i == DRAIN_MAX)
            abort(); /* output without end, for a finite input */
        dead = finish(&k, h) != 0;
        check_pending(&k, h);
    }
    if (k.held) { /* the connection closed with a write in flight */
        free(k.held);
        k.held = NULL;
    }
    ke_h2_free(h);
    nghttp2_hd_inflate_del(k.inf);
    check_log(c[7] & 0x80);
    w->stopping = false;

    /* Every reference the session took is back: the worker's and the
     * shared one go, the harness keeps its own. */
    ke_index_release(w->ix);
    w->ix = NULL;
    publish(NULL);
    if (atomic_load(&base_ix->refs) != 1)
        abort();
    return 0;
}
