/* Unit tests for the HTTP semantics (edge/respond.c) over a release index
 * loaded from a small plain directory: statuses, headers and body slices,
 * without sockets. The end-to-end tests repeat the important ones over TCP. */
#include "edge/index.h"
#include "edge/cache.h"
#include "edge/respond.h"
#include "tests/kt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];
static struct ke_index *ix;
static struct ke_config cfg;
static struct ke_response resp;

static const char body[] = "0123456789abcdefghijklmnopqrstuvwxyz\n"
                           "0123456789abcdefghijklmnopqrstuvwxyz\n";

static void
put(const char *rel, const void *data, size_t n)
{
    char p[256];
    snprintf(p, sizeof p, "%s/%s", dir, rel);
    FILE *f = fopen(p, "wb");
    fwrite(data, 1, n, f);
    fclose(f);
}

static void
setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/kiln-respond-XXXXXX");
    if (!mkdtemp(dir))
        abort();
    put("a.txt", body, sizeof body - 1);
    /* A "gzip" sibling only has to be smaller: the index never decodes it. */
    put("a.txt.gz", "GZ", 2);
    put("index.html", "<p>home</p>\n", 12);
    char sub[128];
    snprintf(sub, sizeof sub, "%s/docs", dir);
    mkdir(sub, 0755);
    put("docs/index.html", "<p>docs</p>\n", 12);
    put("404.html", "<p>gone</p>\n", 12);
    put("img.png", "\x89PNG", 4);
    ke_config_defaults(&cfg);
    char err[256];
    if (ke_index_load(dir, &cfg, &ix, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        abort();
    }
}

static void
teardown(void)
{
    ke_index_release(ix);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        abort();
}

/* Parses raw request bytes and responds; returns the status. */
static int
ask(const char *raw)
{
    static struct ke_header hdrs[64];
    struct ke_request req;
    memset(&req, 0, sizeof req);
    req.headers = hdrs;
    struct ke_request_limits lim;
    ke_request_limits_default(&lim);
    ke_request_parse(raw, strlen(raw), 0, &lim, &req);
    struct ke_respond_ctx ctx = { .cfg = &cfg, .ix = ix, .date = "Thu, 26 Nov 2026 12:00:00 GMT" };
    ke_respond(&ctx, &req, &resp);
    return resp.status;
}

static bool
has(const char *line)
{
    char h[KE_HEAD_MAX + 1];
    memcpy(h, resp.head, resp.head_len);
    h[resp.head_len] = '\0';
    return strstr(h, line) != NULL;
}

static size_t
body_len(void)
{
    size_t n = 0;
    for (unsigned i = 0; i < resp.n_body; i++)
        n += resp.body[i].n;
    return n;
}

static void
t_get(void)
{
    KT_EQ_INT(ask("GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n"), 200);
    KT_CHECK(has("Content-Length: 74\r\n"));
    KT_CHECK(has("Content-Type: text/plain; charset=utf-8\r\n"));
    KT_CHECK(has("Vary: Accept-Encoding\r\n"));
    KT_CHECK(has("Cache-Control: public, max-age=300\r\n"));
    KT_CHECK(has("Date: Thu, 26 Nov 2026 12:00:00 GMT\r\n"));
    KT_CHECK(!has("Content-Encoding"));
    KT_EQ_INT((int)body_len(), 74);
    KT_CHECK(memcmp(resp.head + resp.head_len - 4, "\r\n\r\n", 4) == 0);
}

static void
t_gzip(void)
{
    KT_EQ_INT(ask("GET /a.txt HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip, br\r\n\r\n"), 200);
    KT_CHECK(has("Content-Encoding: gzip\r\n"));
    KT_CHECK(has("Content-Length: 2\r\n"));
    KT_EQ_INT(resp.enc, KE_ENC_GZIP);
}

static void
t_via_does_not_matter(void)
{
    KT_EQ_INT(
        ask("GET /a.txt HTTP/1.1\r\nHost: x\r\nVia: 1.1 cdn\r\nAccept-Encoding: gzip\r\n\r\n"),
        200);
    KT_EQ_INT(resp.enc, KE_ENC_GZIP);
}

static void
t_head(void)
{
    KT_EQ_INT(ask("HEAD /a.txt HTTP/1.1\r\nHost: x\r\n\r\n"), 200);
    KT_CHECK(has("Content-Length: 74\r\n"));
    KT_EQ_INT((int)resp.n_body, 0);
}

static void
t_304(void)
{
    ask("GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n");
    char etag[64];
    const char *e = strstr(resp.head, "ETag: ") + 6;
    snprintf(etag, sizeof etag, "%.*s", (int)(strchr(e, '\r') - e), e);
    char req[256];
    snprintf(req, sizeof req,
             "GET /a.txt HTTP/1.1\r\nHost: x\r\nIf-None-Match: \"x\", W/%s\r\n\r\n", etag);
    KT_EQ_INT(ask(req), 304);
    KT_CHECK(has("Vary: Accept-Encoding\r\n"));
    KT_CHECK(!has("Content-Length"));
    KT_EQ_INT((int)body_len(), 0);
    /* The gzip variant has its own tag: the identity tag does not match it. */
    snprintf(req, sizeof req,
             "GET /a.txt HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\nIf-None-Match: %s\r\n\r\n",
             etag);
    KT_EQ_INT(ask(req), 200);
}

static void
t_412(void)
{
    KT_EQ_INT(ask("GET /a.txt HTTP/1.1\r\nHost: x\r\nIf-Match: \"nope\"\r\n\r\n"), 412);
    KT_EQ_INT(ask("GET /a.txt HTTP/1.1\r\nHost: x\r\nIf-Match: *\r\n\r\n"), 200);
    KT_EQ_INT(ask("GET /a.txt HTTP/1.1\r\nHost: x\r\n"
                  "If-Unmodified-Since: Sun, 06 Nov 1994 08:49:37 GMT\r\n\r\n"),
              412);
}

static void
t_ims(void)
{
    KT_EQ_INT(ask("GET /a.txt HTTP/1.1\r\nHost: x\r\n"
                  "If-Modified-Since: Fri, 31 Dec 9999 23:59:59 GMT\r\n\r\n"),
              304);
    KT_EQ_INT(ask("GET /a.txt HTTP/1.1\r\nHost: x\r\n"
                  "If-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT\r\n\r\n"),
              200);
    /* If-None-Match wins over If-Modified-Since. */
    KT_EQ_INT(ask("GET /a.txt HTTP/1.1\r\nHost: x\r\nIf-None-Match: \"other\"\r\n"
                  "If-Modified-Since: Fri, 31 Dec 9999 23:59:59 GMT\r\n\r\n"),
              200);
}

static void
t_range(void)
{
    KT_EQ_INT(ask("GET /a.txt HTTP/1.1\r\nHost: x\r\nRange: bytes=10-19\r\n\r\n"), 206);
    KT_CHECK(has("Content-Range: bytes 10-19/74\r\n"));
    KT_CHECK(has("Content-Length: 10\r\n"));
    KT_EQ_INT((int)resp.n_body, 1);
    KT_CHECK(memcmp(resp.body[0].p, "abcdefghij", 10) == 0);
    KT_EQ_INT(ask("GET /a.txt HTTP/1.1\r\nHost: x\r\nRange: bytes=-0\r\n\r\n"), 416);
    KT_CHECK(has("Content-Range: bytes */74\r\n"));
    KT_EQ_INT(ask("GET /a.txt HTTP/1.1\r\nHost: x\r\nRange: bytes=9-2\r\n\r\n"), 200);
    KT_EQ_INT(ask("HEAD /a.txt HTTP/1.1\r\nHost: x\r\nRange: bytes=0-1\r\n\r\n"), 200);
}

static void
t_multirange(void)
{
    KT_EQ_INT(ask("GET /a.txt HTTP/1.1\r\nHost: x\r\nRange: bytes=0-1,10-11\r\n\r\n"), 206);
    KT_CHECK(has("Content-Type: multipart/byteranges; boundary=kiln-"));
    size_t total = body_len();
    char cl[64];
    snprintf(cl, sizeof cl, "Content-Length: %zu\r\n", total);
    KT_CHECK(has(cl));
    /* Overlapping ranges merge into one plain 206. */
    KT_EQ_INT(ask("GET /a.txt HTTP/1.1\r\nHost: x\r\nRange: bytes=0-5,3-9\r\n\r\n"), 206);
    KT_CHECK(has("Content-Range: bytes 0-9/74\r\n"));
}

/* Loads the test directory again with cfg changed by the given options. */
static void
reload_with(const char *h, const char *v1, const char *h2, const char *v2)
{
    ke_config_defaults(&cfg);
    char why[256];
    if (h)
        KT_EQ_INT(ke_cache_apply(&cfg, KE_CH_CDN, v1, why, sizeof why), 0);
    if (h2)
        KT_EQ_INT(ke_cache_apply(&cfg, KE_CH_BROWSER, v2, why, sizeof why), 0);
    ke_index_release(ix);
    char err[256];
    KT_EQ_INT(ke_index_load(dir, &cfg, &ix, err, sizeof err), 0);
}

static void
t_cache_policy(void)
{
    KT_EQ_INT(ask("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), 200);
    KT_CHECK(has("\r\nCache-Control: no-cache\r\nCDN-Cache-Control: max-age=60, "
                 "stale-while-revalidate=60, stale-if-error=86400\r\n"));
    KT_EQ_INT(ask("GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n"), 200);
    KT_CHECK(has("\r\nCache-Control: public, max-age=300\r\nETag"));
    /* A 304 repeats the CDN's header, so a cache refreshes its TTL. */
    reload_with("cdn", "/*.txt max-age=5", "browser", "/docs/* private, max-age=9");
    KT_EQ_INT(ask("GET /a.txt HTTP/1.1\r\nHost: x\r\nIf-None-Match: *\r\n\r\n"), 304);
    KT_CHECK(has("\r\nCDN-Cache-Control: max-age=5\r\n"));
    KT_EQ_INT(ask("GET /docs/ HTTP/1.1\r\nHost: x\r\n\r\n"), 200);
    KT_CHECK(has("\r\nCache-Control: private, max-age=9\r\nCDN-Cache-Control: max-age=60,"));
    reload_with("cdn", "entry off", NULL, NULL);
    KT_EQ_INT(ask("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), 200);
    KT_CHECK(!has("CDN-Cache-Control"));
    reload_with(NULL, NULL, NULL, NULL); /* the defaults again, for the tests after */
}

static void
t_paths(void)
{
    KT_EQ_INT(ask("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), 200);
    KT_CHECK(has("Cache-Control: no-cache\r\n"));
    KT_EQ_INT(ask("GET /docs HTTP/1.1\r\nHost: x\r\n\r\n"), 301);
    KT_CHECK(has("Location: /docs/\r\n"));
    KT_EQ_INT(ask("GET /docs?x=1 HTTP/1.1\r\nHost: x\r\n\r\n"), 301);
    KT_CHECK(has("Location: /docs/?x=1\r\n"));
    KT_EQ_INT(ask("GET /docs/ HTTP/1.1\r\nHost: x\r\n\r\n"), 200);
    KT_EQ_INT(ask("GET /%61.txt?v=2 HTTP/1.1\r\nHost: x\r\n\r\n"), 200);
    KT_EQ_INT(ask("GET /../../a.txt HTTP/1.1\r\nHost: x\r\n\r\n"), 200);
    KT_EQ_INT(ask("GET /a%00.txt HTTP/1.1\r\nHost: x\r\n\r\n"), 400);
    KT_EQ_INT(ask("GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"), 404);
    KT_EQ_INT((int)body_len(), 12); /* the release's 404.html */
}

static void
t_spa(void)
{
    strcpy(cfg.spa_fallback, "/index.html");
    KT_EQ_INT(ask("GET /app/settings HTTP/1.1\r\nHost: x\r\n\r\n"), 200);
    KT_EQ_INT(ask("GET /app/missing.js HTTP/1.1\r\nHost: x\r\n\r\n"), 404);
    cfg.spa_fallback[0] = '\0';
}

static void
t_methods(void)
{
    KT_EQ_INT(ask("OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n"), 204);
    KT_CHECK(has("Allow: GET, HEAD, OPTIONS\r\n"));
    KT_CHECK(!has("Content-Length"));
    KT_EQ_INT(ask("DELETE /a.txt HTTP/1.1\r\nHost: x\r\n\r\n"), 405);
    KT_CHECK(has("Allow: GET, HEAD, OPTIONS\r\n"));
    KT_EQ_INT(ask("POST /a.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"), 405);
    KT_CHECK(resp.close);
}

static void
t_errors_close(void)
{
    KT_EQ_INT(ask("GET /a.txt HTTP/1.1\r\n\r\n"), 400); /* no Host */
    KT_CHECK(resp.close && has("Connection: close\r\n"));
    KT_EQ_INT(ask("GET /a.txt HTTP/2.0\r\nHost: x\r\n\r\n"), 505);
}

static void
t_keepalive_10(void)
{
    KT_EQ_INT(ask("GET /a.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"), 200);
    KT_CHECK(has("Connection: keep-alive\r\n") && !resp.close);
    KT_EQ_INT(ask("GET /a.txt HTTP/1.0\r\n\r\n"), 200);
    KT_CHECK(resp.close && has("Connection: close\r\n"));
}

static void
t_no_vary_without_variants(void)
{
    KT_EQ_INT(ask("GET /img.png HTTP/1.1\r\nHost: x\r\nAccept-Encoding: identity;q=0\r\n\r\n"),
              200);
    KT_CHECK(!has("Vary:"));
    KT_CHECK(has("Content-Type: image/png\r\n"));
}

int
main(void)
{
    setup();
    KT_RUN(t_get, "GET sends the prebuilt headers, Date and Content-Length");
    KT_RUN(t_gzip, "the smallest acceptable variant is chosen, with Content-Encoding");
    KT_RUN(t_via_does_not_matter, "a Via header does not change the choice");
    KT_RUN(t_head, "HEAD sends the real Content-Length and no body");
    KT_RUN(t_304, "If-None-Match (weak, lists) gives 304 with Vary and no body");
    KT_RUN(t_412, "If-Match and If-Unmodified-Since failures give 412");
    KT_RUN(t_ims, "If-Modified-Since, and If-None-Match taking precedence");
    KT_RUN(t_range, "single ranges give 206, -0 gives 416, invalid ranges 200");
    KT_RUN(t_multirange, "several ranges give multipart/byteranges; overlaps merge");
    KT_RUN(t_cache_policy, "cache policy per class, CDN-Cache-Control, glob overrides, 304");
    KT_RUN(t_paths, "directories, redirects, decoding, dot-segments, %00, the 404 page");
    KT_RUN(t_spa, "the SPA fallback serves page paths, not asset paths");
    KT_RUN(t_methods, "OPTIONS 204 with Allow; other methods 405; a body closes");
    KT_RUN(t_errors_close, "malformed requests get their status and Connection: close");
    KT_RUN(t_keepalive_10, "HTTP/1.0 keep-alive is explicit");
    KT_RUN(t_no_vary_without_variants, "no Vary where there is nothing to vary");
    teardown();
    return kt_done();
}
