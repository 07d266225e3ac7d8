/*
 * ke_request_parse, and ke_request_from_fields (HTTP/2): the request line and its forms, versions,
 * line endings, control bytes, field syntax, limits, framing fields (Host, Content-Length,
 * Transfer-Encoding), Connection and Expect, the derived spans, pipelining and
 * incremental feeding. Each input is copied into a buffer of exactly its size,
 * so ASan catches any read past the end.
 */
#include "edge/request.h"
#include "tests/kt.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static struct ke_header H[64];
static struct ke_request R;
static char *S; /* exact-size copy of the last input, no NUL */
static size_t SN;

static void
load(const char *s, size_t n)
{
    free(S);
    S = malloc(n ? n : 1);
    memcpy(S, s, n);
    SN = n;
}

static int
parse_n(const char *s, size_t n, const struct ke_request_limits *lim)
{
    load(s, n);
    R.headers = H;
    return ke_request_parse(S, SN, 0, lim, &R);
}

static int
parse(const char *s)
{
    return parse_n(s, strlen(s), NULL);
}

static int
parse_lim(const char *s, size_t max_head, size_t max_target, unsigned max_headers)
{
    struct ke_request_limits lim = { max_head, max_target, max_headers };
    return parse_n(s, strlen(s), &lim);
}

/* The span sp, which must lie in S, holds exactly want. */
#define SPAN(sp, want)                                                                             \
    do {                                                                                           \
        struct ke_span sp_ = (sp);                                                                 \
        KT_CHECK(sp_.p != NULL && sp_.p >= S && sp_.p + sp_.n <= S + SN);                          \
        KT_EQ_SPAN(S, (size_t)(sp_.p - S), (size_t)(sp_.p - S) + sp_.n, want);                     \
    } while (0)

#define ERR(s, st)                                                                                 \
    do {                                                                                           \
        KT_EQ_INT(parse(s), KE_REQ_ERROR);                                                         \
        KT_EQ_INT(R.status, st);                                                                   \
        KT_CHECK(R.must_close);                                                                    \
    } while (0)

#define OK(s) KT_EQ_INT(parse(s), (int)strlen(s))

#define H11(fields) "GET / HTTP/1.1\r\nHost: a\r\n" fields "\r\n"

static bool
same_span(struct ke_span a, struct ke_span b)
{
    return a.p == b.p && a.n == b.n;
}

/* Both parsed from the same buffer: every field and span identical. */
static bool
same_req(const struct ke_request *a, const struct ke_request *b)
{
    return a->method == b->method && same_span(a->method_raw, b->method_raw) &&
           same_span(a->target, b->target) && a->form == b->form && a->minor == b->minor &&
           a->n_headers == b->n_headers && same_span(a->host, b->host) &&
           a->content_length == b->content_length && a->chunked == b->chunked &&
           a->keep_alive == b->keep_alive && a->expect_continue == b->expect_continue &&
           same_span(a->accept_encoding, b->accept_encoding) && same_span(a->range, b->range) &&
           same_span(a->if_none_match, b->if_none_match) && same_span(a->via, b->via) &&
           same_span(a->if_match, b->if_match) && same_span(a->if_range, b->if_range) &&
           same_span(a->if_modified_since, b->if_modified_since) &&
           same_span(a->if_unmodified_since, b->if_unmodified_since) && a->dups == b->dups &&
           a->status == b->status && a->must_close == b->must_close;
}

static const char BROWSER[] =
    "GET /assets/app.3f9a1c.js?v=2 HTTP/1.1\r\n"
    "Host: www.example.com\r\n"
    "Connection: keep-alive\r\n"
    "sec-ch-ua: \"Chromium\";v=\"124\", \"Google Chrome\";v=\"124\", \"Not-A.Brand\";v=\"99\"\r\n"
    "sec-ch-ua-mobile: ?0\r\n"
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36\r\n"
    "sec-ch-ua-platform: \"Linux\"\r\n"
    "Accept: */*\r\n"
    "Sec-Fetch-Site: same-origin\r\n"
    "Sec-Fetch-Mode: no-cors\r\n"
    "Sec-Fetch-Dest: script\r\n"
    "Referer: https://www.example.com/\r\n"
    "Accept-Encoding: gzip, deflate, br, zstd\r\n"
    "Accept-Language: en-GB,en;q=0.9,de;q=0.8\r\n"
    "If-None-Match: \"3f9a1c\"\r\n"
    "If-Modified-Since: Tue, 07 May 2024 10:00:00 GMT\r\n"
    "Cookie: _ga=GA1.1.123456789.1700000000; session=abcdef0123456789abcdef0123456789; "
    "theme=dark; consent=1\r\n"
    "\r\n";

static void
t_simple_get(void)
{
    OK("GET /index.html HTTP/1.1\r\nHost: example.com\r\n\r\n");
    KT_EQ_INT(R.method, KE_M_GET);
    SPAN(R.method_raw, "GET");
    SPAN(R.target, "/index.html");
    KT_EQ_INT(R.form, KE_TF_ORIGIN);
    KT_EQ_INT(R.minor, 1);
    KT_EQ_INT(R.n_headers, 1);
    SPAN(H[0].name, "Host");
    SPAN(H[0].value, "example.com");
    SPAN(R.host, "example.com");
    KT_EQ_INT(R.content_length, -1);
    KT_CHECK(R.keep_alive && !R.chunked && !R.expect_continue && !R.must_close);
    KT_EQ_INT(R.status, 0);
    KT_CHECK(R.accept_encoding.n == 0 && R.range.n == 0 && R.via.n == 0);
}

static void
t_browser(void)
{
    KT_EQ_INT(parse(BROWSER), (int)strlen(BROWSER));
    KT_EQ_INT(R.n_headers, 16);
    SPAN(R.target, "/assets/app.3f9a1c.js?v=2");
    SPAN(R.host, "www.example.com");
    SPAN(R.accept_encoding, "gzip, deflate, br, zstd");
    SPAN(R.if_none_match, "\"3f9a1c\"");
    SPAN(R.if_modified_since, "Tue, 07 May 2024 10:00:00 GMT");
    SPAN(H[15].name, "Cookie");
    KT_CHECK(R.keep_alive);
}

static void
t_methods(void)
{
    static const struct {
        const char *name;
        enum ke_method m;
    } want[] = { { "GET", KE_M_GET },        { "HEAD", KE_M_HEAD },   { "OPTIONS", KE_M_OPTIONS },
                 { "POST", KE_M_POST },      { "PUT", KE_M_PUT },     { "DELETE", KE_M_DELETE },
                 { "PATCH", KE_M_PATCH },    { "TRACE", KE_M_TRACE }, { "get", KE_M_OTHER },
                 { "PROPFIND", KE_M_OTHER }, { "GETS", KE_M_OTHER },  { "X-Y_Z!", KE_M_OTHER } };
    char buf[128];
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        snprintf(buf, sizeof buf, "%s / HTTP/1.1\r\nHost: a\r\n\r\n", want[i].name);
        KT_EQ_INT(parse(buf), (int)strlen(buf));
        KT_EQ_INT(R.method, want[i].m);
        SPAN(R.method_raw, want[i].name);
        if (want[i].m != KE_M_OTHER)
            KT_EQ_STR(ke_method_name(want[i].m), want[i].name);
    }
    KT_EQ_STR(ke_method_name(KE_M_OTHER), "OTHER");
}

static void
t_options_asterisk(void)
{
    OK("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n");
    KT_EQ_INT(R.method, KE_M_OPTIONS);
    KT_EQ_INT(R.form, KE_TF_ASTERISK);
    SPAN(R.target, "*");
}

static void
t_asterisk_other_method(void)
{
    ERR("GET * HTTP/1.1\r\nHost: a\r\n\r\n", 400);
    ERR("OPTIONS *x HTTP/1.1\r\nHost: a\r\n\r\n", 400);
}

static void
t_absolute_form(void)
{
    OK("GET http://www.example.com:8080/a?b HTTP/1.1\r\nHost: other\r\n\r\n");
    KT_EQ_INT(R.form, KE_TF_ABSOLUTE);
    SPAN(R.target, "http://www.example.com:8080/a?b");
    SPAN(R.host, "www.example.com:8080");
    OK("GET HTTPS://h HTTP/1.1\r\nHost: h\r\n\r\n");
    SPAN(R.host, "h");
    OK("OPTIONS http://h?x HTTP/1.0\r\n\r\n");
    SPAN(R.host, "h");
}

static void
t_absolute_form_bad(void)
{
    ERR("GET ftp://h/a HTTP/1.1\r\nHost: h\r\n\r\n", 400);
    ERR("GET http:///a HTTP/1.1\r\nHost: h\r\n\r\n", 400);
    ERR("GET http://u:p@h/a HTTP/1.1\r\nHost: h\r\n\r\n", 400);
    ERR("GET http:/h/a HTTP/1.1\r\nHost: h\r\n\r\n", 400);
    ERR("GET index.html HTTP/1.1\r\nHost: h\r\n\r\n", 400);
    /* Host must still be valid, single and present. */
    ERR("GET http://h/a HTTP/1.1\r\nHost: a b\r\n\r\n", 400);
    ERR("GET http://h/a HTTP/1.1\r\n\r\n", 400);
}

static void
t_connect(void)
{
    OK("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n");
    KT_EQ_INT(R.method, KE_M_CONNECT);
    KT_EQ_INT(R.form, KE_TF_AUTHORITY);
    SPAN(R.host, "example.com:443");
    ERR("CONNECT example.com HTTP/1.1\r\nHost: a\r\n\r\n", 400);
    ERR("CONNECT / HTTP/1.1\r\nHost: a\r\n\r\n", 400);
    ERR("GET example.com:443 HTTP/1.1\r\nHost: a\r\n\r\n", 400);
}

static void
t_bad_method(void)
{
    ERR("GE(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400);
    ERR(" GET / HTTP/1.1\r\nHost: a\r\n\r\n", 400);
    ERR("GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n", 400);
}

static void
t_bad_method_early(void)
{
    /* The error comes with the byte: no waiting for the end of the head. */
    KT_EQ_INT(parse_n("GE{", 3, NULL), KE_REQ_ERROR);
    KT_EQ_INT(R.status, 400);
    KT_EQ_INT(parse_n("\x16\x03\x01\x02\x00", 5, NULL), KE_REQ_ERROR);
    KT_EQ_INT(R.status, 400);
    KT_EQ_INT(parse_n("GET /a\x01", 7, NULL), KE_REQ_ERROR);
    KT_EQ_INT(R.status, 400);
}

static void
t_double_space(void)
{
    ERR("GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400);
    ERR("GET /  HTTP/1.1\r\nHost: a\r\n\r\n", 400);
    ERR("GET / HTTP/1.1 \r\nHost: a\r\n\r\n", 400);
}

static void
t_target_bytes(void)
{
    ERR("GET /a\x7f HTTP/1.1\r\nHost: a\r\n\r\n", 400);
    ERR("GET /caf\xc3\xa9 HTTP/1.1\r\nHost: a\r\n\r\n", 400);
    ERR("GET /a\tb HTTP/1.1\r\nHost: a\r\n\r\n", 400);
    KT_EQ_INT(parse_n("GET /a\0b HTTP/1.1\r\nHost: a\r\n\r\n", 30, NULL), KE_REQ_ERROR);
    KT_EQ_INT(R.status, 400);
    OK("GET /a-._~!$&'()*+,;=:@%20[]{}|\\^`\"<>?q=/ HTTP/1.1\r\nHost: a\r\n\r\n");
}

static void
t_target_limit(void)
{
    const char *fits = "GET /2345678 HTTP/1.1\r\nHost: a\r\n\r\n";
    KT_EQ_INT(parse_lim(fits, 8192, 8, 64), (int)strlen(fits));
    KT_EQ_INT(parse_lim("GET /23456789 HTTP/1.1\r\nHost: a\r\n\r\n", 8192, 8, 64), KE_REQ_ERROR);
    KT_EQ_INT(R.status, 414);
    KT_CHECK(R.must_close);
    /* 414 as soon as the target passes the limit. */
    KT_EQ_INT(parse_lim("GET /23456789", 8192, 8, 64), KE_REQ_ERROR);
    KT_EQ_INT(R.status, 414);
}

static void
t_long_request_line(void)
{
    /* A request line that has not ended within max_head: 414, not 431. */
    char buf[300];
    memset(buf, 'a', sizeof buf);
    memcpy(buf, "GET /", 5);
    KT_EQ_INT(parse_n(buf, 100, NULL), KE_REQ_INCOMPLETE);
    struct ke_request_limits lim = { 256, 4096, 64 };
    KT_EQ_INT(parse_n(buf, 255, &lim), KE_REQ_INCOMPLETE);
    KT_EQ_INT(parse_n(buf, 256, &lim), KE_REQ_ERROR);
    KT_EQ_INT(R.status, 414);
    KT_EQ_INT(parse_n(buf, sizeof buf, &lim), KE_REQ_ERROR);
    KT_EQ_INT(R.status, 414);
}

static void
t_head_limit(void)
{
    const char *req = "GET / HTTP/1.1\r\nHost: a\r\nX-Long: 0123456789\r\n\r\n";
    size_t n = strlen(req);
    KT_EQ_INT(parse_lim(req, n, 4096, 64), (int)n);
    KT_EQ_INT(parse_lim(req, n - 1, 4096, 64), KE_REQ_ERROR);
    KT_EQ_INT(R.status, 431);
    KT_CHECK(R.must_close);
    /* A buffer of max_head bytes always gets an answer. */
    struct ke_request_limits lim = { 30, 4096, 64 };
    KT_EQ_INT(parse_n(req, 29, &lim), KE_REQ_INCOMPLETE);
    KT_EQ_INT(parse_n(req, 30, &lim), KE_REQ_ERROR);
    KT_EQ_INT(R.status, 431);
}

static void
t_header_count_limit(void)
{
    KT_EQ_INT(parse_lim(H11("A: 1\r\nB: 2\r\n"), 8192, 4096, 3),
              (int)strlen(H11("A: 1\r\nB: 2\r\n")));
    KT_EQ_INT(R.n_headers, 3);
    KT_EQ_INT(parse_lim(H11("A: 1\r\nB: 2\r\nC: 3\r\n"), 8192, 4096, 3), KE_REQ_ERROR);
    KT_EQ_INT(R.status, 431);
    KT_CHECK(R.must_close);
}

static void
t_http10(void)
{
    OK("GET / HTTP/1.0\r\n\r\n");
    KT_EQ_INT(R.minor, 0);
    KT_EQ_INT(R.n_headers, 0);
    KT_EQ_INT(R.host.n, 0);
    KT_CHECK(!R.keep_alive);
    OK("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n");
    KT_CHECK(R.keep_alive);
    OK("GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n");
    KT_CHECK(!R.keep_alive);
    OK("GET / HTTP/1.0\r\nHost: a\r\n\r\n");
    SPAN(R.host, "a");
}

static void
t_http11_connection(void)
{
    OK(H11(""));
    KT_CHECK(R.keep_alive);
    OK(H11("Connection: close\r\n"));
    KT_CHECK(!R.keep_alive);
    OK(H11("Connection: Upgrade, CLOSE\r\n"));
    KT_CHECK(!R.keep_alive);
    OK(H11("Connection: keep-alive\r\nConnection: close\r\n"));
    KT_CHECK(!R.keep_alive);
    OK(H11("Connection: ,, TE ,\r\n"));
    KT_CHECK(R.keep_alive);
    ERR(H11("Connection: clo se\r\n"), 400);
}

static void
t_versions(void)
{
    ERR("GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505);
    ERR("GET / HTTP/0.9\r\n\r\n", 505);
    ERR("GET / HTTP/3.1\r\n\r\n", 505);
}

static void
t_higher_minor(void)
{
    static const char r[] = "GET / HTTP/1.2\r\nHost: a\r\n\r\n";
    struct ke_request req;
    memset(&req, 0, sizeof req);
    KT_EQ_INT(ke_request_parse(r, sizeof r - 1, 0, NULL, &req), (int)(sizeof r - 1));
    KT_EQ_INT(req.minor, 1);
    KT_CHECK(req.keep_alive);
    memset(&req, 0, sizeof req);
    KT_EQ_INT(ke_request_parse("GET / HTTP/1.2\r\n\r\n", 18, 0, NULL, &req), KE_REQ_ERROR);
    KT_EQ_INT(req.status, 400); /* as 1.1, it needs a Host */
}

static void
t_bad_versions(void)
{
    ERR("GET / http/1.1\r\nHost: a\r\n\r\n", 400);
    ERR("GET / HTTP/11\r\nHost: a\r\n\r\n", 400);
    ERR("GET / HTTP/1.10\r\nHost: a\r\n\r\n", 400);
    ERR("GET / HTTP/1.x\r\nHost: a\r\n\r\n", 400);
    ERR("GET / HTTP/2\r\nHost: a\r\n\r\n", 400);
    ERR("GET / FOO\r\nHost: a\r\n\r\n", 400);
    ERR("GET /\r\n\r\n", 400);
}

static void
t_leading_empty_lines(void)
{
    OK("\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n");
    SPAN(R.method_raw, "GET");
    OK("\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n");
    ERR("\r\n\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", 400);
    ERR("\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", 400);
    KT_EQ_INT(parse("\r\n\r"), KE_REQ_INCOMPLETE);
}

static void
t_pipelined(void)
{
    const char *two = "GET /a HTTP/1.1\r\nHost: a\r\n\r\nHEAD /b HTTP/1.1\r\nHost: b\r\n\r\n";
    int n = parse(two);
    KT_EQ_INT(n, 28);
    SPAN(R.target, "/a");
    KT_EQ_INT(ke_request_parse(S + n, SN - (size_t)n, 0, NULL, &R), (int)SN - n);
    KT_EQ_INT(R.method, KE_M_HEAD);
    SPAN(R.target, "/b");
    SPAN(R.host, "b");
}

static void
t_pipelined_garbage_after(void)
{
    /* What follows the head is not looked at. */
    KT_EQ_INT(parse("GET / HTTP/1.1\r\nHost: a\r\n\r\n\x00\x01garbage"), 27);
    KT_EQ_INT(parse_n("GET / HTTP/1.1\r\nHost: a\r\n\r\n\0\x01", 29, NULL), 27);
}

static void
t_every_prefix(void)
{
    const char *reqs[] = { BROWSER, "GET / HTTP/1.0\r\n\r\n",
                           "\r\nOPTIONS * HTTP/1.1\r\nHost: a\r\nX:\r\n\r\n" };
    for (size_t r = 0; r < sizeof reqs / sizeof reqs[0]; r++) {
        size_t n = strlen(reqs[r]);
        load(reqs[r], n);
        char *full = S;
        S = NULL;
        for (size_t k = 0; k < n; k++) {
            /* An exact-size copy of the prefix. */
            KT_EQ_INT(parse_n(full, k, NULL), KE_REQ_INCOMPLETE);
        }
        R.headers = H;
        KT_EQ_INT(ke_request_parse(full, n, 0, NULL, &R), (int)n);
        free(full);
    }
}

static void
t_byte_by_byte(void)
{
    /* Feeding one byte at a time with prev_len, as a connection would. */
    size_t n = strlen(BROWSER), prev = 0;
    struct ke_request ref;
    struct ke_header href[64];
    ref.headers = href;
    KT_EQ_INT(ke_request_parse(BROWSER, n, 0, NULL, &ref), (int)n);
    R.headers = H;
    for (size_t k = 1; k < n; k++) {
        KT_EQ_INT(ke_request_parse(BROWSER, k, prev, NULL, &R), KE_REQ_INCOMPLETE);
        prev = k;
    }
    KT_EQ_INT(ke_request_parse(BROWSER, n, prev, NULL, &R), (int)n);
    KT_CHECK(same_req(&R, &ref));
}

static void
t_split_everywhere(void)
{
    /* A request split at every byte boundary parses the same. */
    const char *req = "\r\nGET http://h/p HTTP/1.1\r\nHost:  h \r\nContent-Length: 0\r\n"
                      "Range: bytes=0-\r\nVia: 1.1 x\r\nVia: 1.1 y\r\n\r\n";
    size_t n = strlen(req);
    struct ke_request ref;
    struct ke_header href[64];
    ref.headers = href;
    KT_EQ_INT(ke_request_parse(req, n, 0, NULL, &ref), (int)n);
    for (size_t k = 1; k < n; k++) {
        R.headers = H;
        KT_EQ_INT(ke_request_parse(req, k, 0, NULL, &R), KE_REQ_INCOMPLETE);
        KT_EQ_INT(ke_request_parse(req, n, k, NULL, &R), (int)n);
        KT_CHECK(same_req(&R, &ref));
    }
}

static void
t_errors_stable(void)
{
    /* A malformed head gives, for each prefix, "more" or the same error. */
    const char *bad[] = { "GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n", "GET / HTTP/2.0\r\n\r\n",
                          "GET /x\x01y HTTP/1.1\r\n\r\n",
                          "GET / HTTP/1.1\r\nHost: a\r\nBad Name: 1\r\n\r\n" };
    for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++) {
        size_t n = strlen(bad[b]);
        KT_EQ_INT(parse(bad[b]), KE_REQ_ERROR);
        int want = R.status;
        for (size_t k = 0; k < n; k++) {
            int rc = parse_n(bad[b], k, NULL);
            KT_CHECK(rc == KE_REQ_INCOMPLETE || (rc == KE_REQ_ERROR && R.status == want));
        }
    }
}

static void
t_bare_lf(void)
{
    ERR("GET / HTTP/1.1\nHost: a\r\n\r\n", 400);
    ERR("GET / HTTP/1.1\r\nHost: a\n\r\n", 400);
    ERR("GET / HTTP/1.1\r\nHost: a\r\n\n", 400);
    ERR("GET / HTTP/1.0\n\n", 400);
}

static void
t_bare_cr(void)
{
    ERR("GET / HTTP/1.1\rHost: a\r\n\r\n", 400);
    ERR("GET / HTTP/1.1\r\nHost: a\r\nX: 1\r2\r\n\r\n", 400);
    ERR("GET / HTTP/1.1\r\nHost: a\r\n\r\r\n", 400);
    /* A CR at the end of the buffer waits for the next byte. */
    KT_EQ_INT(parse("GET / HTTP/1.1\r\nHost: a\r"), KE_REQ_INCOMPLETE);
}

static void
t_nul(void)
{
    const char req[] = "GET / HTTP/1.1\r\nHost: a\r\nX: a\0b\r\n\r\n";
    KT_EQ_INT(parse_n(req, sizeof req - 1, NULL), KE_REQ_ERROR);
    KT_EQ_INT(R.status, 400);
    KT_CHECK(R.must_close);
    /* Refused on arrival, before the head ends. */
    KT_EQ_INT(parse_n(req, 31, NULL), KE_REQ_ERROR);
}

static void
t_controls_in_values(void)
{
    ERR(H11("X: a\x01z\r\n"), 400);
    ERR(H11("X: a\x1b[0m\r\n"), 400);
    ERR(H11("X: a\x7f\r\n"), 400);
    OK(H11("X: a\tb\r\n"));
    SPAN(H[1].value, "a\tb");
    OK(H11("X: caf\xc3\xa9 \xff\r\n"));
    SPAN(H[1].value, "caf\xc3\xa9 \xff");
}

static void
t_obs_fold(void)
{
    ERR(H11("X: a\r\n b\r\n"), 400);
    ERR(H11("X: a\r\n\tb\r\n"), 400);
    ERR("GET / HTTP/1.1\r\n Host: a\r\n\r\n", 400);
}

static void
t_space_before_colon(void)
{
    ERR(H11("X : a\r\n"), 400);
    ERR(H11("X\t: a\r\n"), 400);
    ERR("GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400);
}

static void
t_bad_names(void)
{
    ERR(H11(": a\r\n"), 400);
    ERR(H11("No colon here\r\n"), 400);
    ERR(H11("NoColon\r\n"), 400);
    ERR(H11("X(y): a\r\n"), 400);
    ERR(H11("X\xc3\xa9: a\r\n"), 400);
    OK(H11("X-!#$%&'*+.^_`|~09: a\r\n"));
}

static void
t_ows_trim(void)
{
    OK(H11("X:   spaced \t \r\nY:\t\tt\r\nZ:\r\nW:   \r\nV:a b\r\n"));
    SPAN(H[1].value, "spaced");
    SPAN(H[2].value, "t");
    KT_EQ_INT(H[3].value.n, 0);
    KT_EQ_INT(H[4].value.n, 0);
    SPAN(H[5].value, "a b");
}

static void
t_case_insensitive(void)
{
    OK("GET / HTTP/1.1\r\nhOsT: a\r\nCONTENT-LENGTH: 0\r\nconnection: CLOSE\r\n"
       "ACCEPT-encoding: br\r\nEXPECT: 100-Continue\r\n\r\n");
    SPAN(R.host, "a");
    KT_EQ_INT(R.content_length, 0);
    KT_CHECK(!R.keep_alive);
    SPAN(R.accept_encoding, "br");
    KT_CHECK(R.expect_continue);
    SPAN(H[0].name, "hOsT");
}

static void
t_missing_host(void)
{
    ERR("GET / HTTP/1.1\r\n\r\n", 400);
    ERR("GET / HTTP/1.1\r\nHostname: a\r\n\r\n", 400);
}

static void
t_two_hosts(void)
{
    ERR("GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", 400);
    ERR("GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n", 400);
    ERR("GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", 400);
}

static void
t_host_values(void)
{
    ERR("GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400);
    ERR("GET / HTTP/1.1\r\nHost: a\tb\r\n\r\n", 400);
    ERR("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400);
    ERR("GET / HTTP/1.1\r\nHost: u@a\r\n\r\n", 400);
    ERR("GET / HTTP/1.1\r\nHost: a%2fb\r\n\r\n", 400);
    ERR("GET / HTTP/1.1\r\nHost: a:8o\r\n\r\n", 400);
    ERR("GET / HTTP/1.1\r\nHost: :80\r\n\r\n", 400);
    ERR("GET / HTTP/1.1\r\nHost: [::1\r\n\r\n", 400);
    ERR("GET / HTTP/1.1\r\nHost: a, b\r\n\r\n", 400);
    OK("GET / HTTP/1.1\r\nHost: [2001:db8::1]:8443\r\n\r\n");
    SPAN(R.host, "[2001:db8::1]:8443");
    OK("GET / HTTP/1.1\r\nHost: 127.0.0.1:80\r\n\r\n");
    OK("GET / HTTP/1.1\r\nHost: xn--bcher-kva.example\r\n\r\n");
    /* RFC 9110 §7.2: an empty Host is what a client sends for no authority. */
    OK("GET / HTTP/1.1\r\nHost:\r\n\r\n");
    KT_EQ_INT(R.host.n, 0);
}

static void
t_content_length(void)
{
    OK(H11("Content-Length: 0\r\n"));
    KT_EQ_INT(R.content_length, 0);
    OK(H11("Content-Length: 00042\r\n"));
    KT_EQ_INT(R.content_length, 42);
    OK(H11("Content-Length: 9223372036854775807\r\n"));
    KT_EQ_INT(R.content_length, INT64_MAX);
}

static void
t_bad_content_length(void)
{
    ERR(H11("Content-Length: -1\r\n"), 400);
    ERR(H11("Content-Length: +5\r\n"), 400);
    ERR(H11("Content-Length: 1a\r\n"), 400);
    ERR(H11("Content-Length: 0x10\r\n"), 400);
    ERR(H11("Content-Length: 1 0\r\n"), 400);
    ERR(H11("Content-Length:\r\n"), 400);
    ERR(H11("Content-Length: 5,\r\n"), 400);
}

static void
t_content_length_overflow(void)
{
    ERR(H11("Content-Length: 9223372036854775808\r\n"), 413);
    ERR(H11("Content-Length: 99999999999999999999999999\r\n"), 413);
}

static void
t_duplicate_content_length(void)
{
    OK(H11("Content-Length: 5\r\nContent-Length: 5\r\n"));
    KT_EQ_INT(R.content_length, 5);
    OK(H11("Content-Length: 5, 5\r\n"));
    KT_EQ_INT(R.content_length, 5);
    OK(H11("Content-Length: 5, 005\r\n"));
    ERR(H11("Content-Length: 5\r\nContent-Length: 6\r\n"), 400);
    ERR(H11("Content-Length: 5, 6\r\n"), 400);
}

static void
t_cl_and_te(void)
{
    ERR(H11("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n"), 400);
    ERR(H11("Transfer-Encoding: chunked\r\nContent-Length: 0\r\n"), 400);
}

static void
t_transfer_encoding(void)
{
    OK(H11("Transfer-Encoding: chunked\r\n"));
    KT_CHECK(R.chunked);
    KT_EQ_INT(R.content_length, -1);
    OK(H11("Transfer-Encoding: CHUNKED\r\n"));
    KT_CHECK(R.chunked);
}

static void
t_te_unknown_coding(void)
{
    ERR(H11("Transfer-Encoding: gzip\r\n"), 501);
    ERR(H11("Transfer-Encoding: gzip, chunked\r\n"), 501);
    ERR(H11("Transfer-Encoding: chunked, identity\r\n"), 501);
    ERR(H11("Transfer-Encoding: x;q=1\r\n"), 501);
}

static void
t_te_malformed(void)
{
    ERR(H11("Transfer-Encoding: chunked, chunked\r\n"), 400);
    ERR(H11("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n"), 400);
    ERR(H11("Transfer-Encoding:\r\n"), 400);
    ERR(H11("Transfer-Encoding: \"chunked\"\r\n"), 400);
    ERR("GET / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400);
}

static void
t_expect(void)
{
    OK(H11("Expect: 100-continue\r\n"));
    KT_CHECK(R.expect_continue);
    OK(H11("Expect: 100-CONTINUE\r\n"));
    KT_CHECK(R.expect_continue);
    OK(H11(""));
    KT_CHECK(!R.expect_continue);
    ERR(H11("Expect: 200-ok\r\n"), 417);
    ERR(H11("Expect: 100-continue, x\r\n"), 417);
    /* RFC 9110 §10.1.1: an HTTP/1.0 server ignores 100-continue. */
    OK("GET / HTTP/1.0\r\nExpect: 100-continue\r\n\r\n");
    KT_CHECK(!R.expect_continue);
}

static void
t_derived_spans(void)
{
    OK(H11("Accept-Encoding: br, gzip\r\nRange: bytes=0-99\r\nIf-None-Match: \"a\", W/\"b\"\r\n"
           "If-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT\r\nIf-Match: *\r\n"
           "If-Unmodified-Since: Sun, 06 Nov 1994 08:49:37 GMT\r\nIf-Range: \"a\"\r\n"
           "Via: 1.1 cdn\r\n"));
    SPAN(R.accept_encoding, "br, gzip");
    SPAN(R.range, "bytes=0-99");
    SPAN(R.if_none_match, "\"a\", W/\"b\"");
    SPAN(R.if_modified_since, "Sun, 06 Nov 1994 08:49:37 GMT");
    SPAN(R.if_match, "*");
    SPAN(R.if_unmodified_since, "Sun, 06 Nov 1994 08:49:37 GMT");
    SPAN(R.if_range, "\"a\"");
    SPAN(R.via, "1.1 cdn");
    KT_EQ_INT(R.dups, 0);
    KT_EQ_INT(R.n_headers, 9);
}

static void
t_repeated_list_fields(void)
{
    OK(H11("Accept-Encoding: br\r\nAccept-Encoding: gzip\r\nIf-None-Match: \"a\"\r\n"
           "If-None-Match: \"b\"\r\n"));
    SPAN(R.accept_encoding, "br");
    SPAN(R.if_none_match, "\"a\"");
    KT_EQ_INT(R.dups, KE_DUP_ACCEPT_ENCODING | KE_DUP_IF_NONE_MATCH);
    SPAN(H[2].value, "gzip");
}

static void
t_repeated_singletons(void)
{
    OK(H11("Range: bytes=0-1\r\nRange: bytes=5-\r\nIf-Modified-Since: a\r\n"
           "If-Modified-Since: b\r\nIf-Modified-Since: c\r\n"));
    KT_EQ_INT(R.range.n, 0);
    KT_EQ_INT(R.if_modified_since.n, 0);
    KT_EQ_INT(R.dups, KE_DUP_RANGE | KE_DUP_IF_MODIFIED_SINCE);
    /* A repeated If-Range also drops Range: the full 200 is the safe answer. */
    OK(H11("Range: bytes=0-1\r\nIf-Range: \"a\"\r\nIf-Range: \"a\"\r\n"));
    KT_EQ_INT(R.range.n, 0);
    KT_EQ_INT(R.if_range.n, 0);
    KT_EQ_INT(R.dups, KE_DUP_IF_RANGE);
}

static void
t_headers_array(void)
{
    OK(H11("A: 1\r\nB-b: two words\r\n"));
    KT_EQ_INT(R.n_headers, 3);
    SPAN(H[0].name, "Host");
    SPAN(H[1].name, "A");
    SPAN(H[1].value, "1");
    SPAN(H[2].name, "B-b");
    SPAN(H[2].value, "two words");
    /* NULL: fields are counted and checked but not kept. */
    load(H11("A: 1\r\n"), strlen(H11("A: 1\r\n")));
    R.headers = NULL;
    KT_EQ_INT(ke_request_parse(S, SN, 0, NULL, &R), (int)SN);
    KT_EQ_INT(R.n_headers, 2);
    KT_CHECK(R.headers == NULL);
    SPAN(R.host, "a");
}

static void
t_empty_and_partial(void)
{
    KT_EQ_INT(parse(""), KE_REQ_INCOMPLETE);
    KT_EQ_INT(parse("G"), KE_REQ_INCOMPLETE);
    KT_EQ_INT(parse("GET / HTTP/1.1\r\n"), KE_REQ_INCOMPLETE);
    KT_EQ_INT(parse("GET / HTTP/1.1\r\nHost: a\r\n"), KE_REQ_INCOMPLETE);
    KT_EQ_INT(parse("GET / HTTP/1.1\r\nHost: a\r\n\r"), KE_REQ_INCOMPLETE);
}

static void
t_prev_len_bogus(void)
{
    /* prev_len past len is ignored rather than trusted. */
    load(H11(""), strlen(H11("")));
    R.headers = H;
    KT_EQ_INT(ke_request_parse(S, SN, SN + 100, NULL, &R), (int)SN);
}

static void
t_limits_default(void)
{
    struct ke_request_limits lim;
    ke_request_limits_default(&lim);
    KT_EQ_INT(lim.max_head, 8192);
    KT_EQ_INT(lim.max_target, 4096);
    KT_EQ_INT(lim.max_headers, 64);
}

/* ---- ke_request_from_fields: a request that came as HTTP/2 fields ---- */

static bool
span_is(struct ke_span sp, const char *lit)
{
    return sp.n == strlen(lit) && (sp.n == 0 || memcmp(sp.p, lit, sp.n) == 0);
}

/* fields: name, value, name, value..., NULL. */
static int
from_fields(const char *method, const char *path, const char *authority, const char **fields)
{
    memset(&R, 0, sizeof R);
    R.headers = H;
    R.method_raw = (struct ke_span){ method, strlen(method) };
    R.target = (struct ke_span){ path, strlen(path) };
    for (unsigned i = 0; fields && fields[i]; i += 2, R.n_headers++) {
        H[R.n_headers].name = (struct ke_span){ fields[i], strlen(fields[i]) };
        H[R.n_headers].value = (struct ke_span){ fields[i + 1], strlen(fields[i + 1]) };
    }
    struct ke_span a = { authority, authority ? strlen(authority) : 0 };
    return ke_request_from_fields(&R, a);
}

static void
t_fields_get(void)
{
    const char *f[] = { "accept-encoding", "br, gzip", "if-none-match", "\"x\"", NULL };
    KT_EQ_INT(from_fields("GET", "/a?b", "example.com:8080", f), 0);
    KT_EQ_INT(R.method, KE_M_GET);
    KT_EQ_INT(R.form, KE_TF_ORIGIN);
    KT_EQ_INT(R.minor, 1);
    KT_CHECK(R.keep_alive);
    KT_EQ_INT(R.content_length, -1);
    KT_CHECK(span_is(R.host, "example.com:8080"));
    KT_CHECK(span_is(R.accept_encoding, "br, gzip"));
    KT_CHECK(span_is(R.if_none_match, "\"x\""));
}

static void
t_fields_host(void)
{
    const char *f[] = { "host", "other.example", NULL };
    KT_EQ_INT(from_fields("HEAD", "/", "example.com", f), 0);
    KT_EQ_INT(R.method, KE_M_HEAD);
    KT_CHECK(span_is(R.host, "example.com"));
    KT_EQ_INT(from_fields("GET", "/", NULL, f), 0);
    KT_CHECK(span_is(R.host, "other.example"));
    KT_EQ_INT(from_fields("GET", "/", "a b", NULL), KE_REQ_ERROR);
    KT_EQ_INT(R.status, 400);
}

static void
t_fields_bad_target(void)
{
    KT_EQ_INT(from_fields("GET", "", "h", NULL), KE_REQ_ERROR);
    KT_EQ_INT(R.status, 400);
    KT_EQ_INT(from_fields("GET", "http://h/", "h", NULL), KE_REQ_ERROR);
    KT_EQ_INT(from_fields("GET", "*", "h", NULL), KE_REQ_ERROR);
    KT_EQ_INT(from_fields("OPTIONS", "*", "h", NULL), 0);
    KT_EQ_INT(R.form, KE_TF_ASTERISK);
}

static void
t_fields_repeats(void)
{
    const char *f[] = { "range", "bytes=0-1",       "range", "bytes=2-3",      "accept-encoding",
                        "br",    "accept-encoding", "gzip",  "content-length", "5",
                        NULL };
    KT_EQ_INT(from_fields("GET", "/", "h", f), 0);
    KT_EQ_INT(R.range.n, 0);
    KT_CHECK(R.dups & KE_DUP_RANGE);
    KT_CHECK(span_is(R.accept_encoding, "br"));
    KT_CHECK(R.dups & KE_DUP_ACCEPT_ENCODING);
    KT_EQ_INT(R.content_length, 5);
}

static void
t_dictionary_fields(void)
{
    OK(H11("available-dictionary: :AAAA:\r\nDictionary-ID: \"a\"\r\n"));
    SPAN(R.available_dictionary, ":AAAA:");
    SPAN(R.dictionary_id, "\"a\"");
    KT_EQ_INT(R.dups, 0);
    /* Two lines of either combine into a list, no valid sf Item: dropped. */
    OK(H11("Available-Dictionary: :AAAA:\r\nAvailable-Dictionary: :BBBB:\r\n"
           "Dictionary-ID: \"a\"\r\nDictionary-ID: \"b\"\r\n"));
    KT_EQ_INT(R.available_dictionary.n, 0);
    KT_EQ_INT(R.dictionary_id.n, 0);
    KT_EQ_INT(R.dups, KE_DUP_AVAILABLE_DICTIONARY | KE_DUP_DICTIONARY_ID);
    const char *f[] = { "available-dictionary", ":AAAA:", "dictionary-id", "\"x\"", NULL };
    KT_EQ_INT(from_fields("GET", "/", "h", f), 0);
    KT_CHECK(span_is(R.available_dictionary, ":AAAA:"));
    KT_CHECK(span_is(R.dictionary_id, "\"x\""));
}

int
main(void)
{
    KT_RUN(t_simple_get, "a simple GET parses with its spans");
    KT_RUN(t_browser, "a typical browser request parses with all its fields");
    KT_RUN(t_methods, "methods are classified case-sensitively; any token is OTHER");
    KT_RUN(t_options_asterisk, "OPTIONS * is accepted as asterisk-form");
    KT_RUN(t_asterisk_other_method, "asterisk-form for another method gets 400");
    KT_RUN(t_absolute_form, "absolute-form is accepted and the host comes from it");
    KT_RUN(t_absolute_form_bad, "absolute-form with a bad scheme, host or userinfo gets 400");
    KT_RUN(t_connect, "authority-form for CONNECT only");
    KT_RUN(t_bad_method, "a method that is not a token gets 400");
    KT_RUN(t_bad_method_early, "garbage is refused as soon as its first bad byte arrives");
    KT_RUN(t_double_space, "extra spaces in the request line get 400");
    KT_RUN(t_target_bytes, "a target byte outside 0x21-0x7e gets 400");
    KT_RUN(t_target_limit, "a target longer than max_target gets 414");
    KT_RUN(t_long_request_line, "a request line past max_head gets 414");
    KT_RUN(t_head_limit, "a head larger than max_head gets 431");
    KT_RUN(t_header_count_limit, "more than max_headers fields get 431");
    KT_RUN(t_http10, "HTTP/1.0 needs no Host and keeps alive only on keep-alive");
    KT_RUN(t_http11_connection, "HTTP/1.1 keeps alive unless Connection has close");
    KT_RUN(t_versions, "HTTP/2.0, HTTP/3.1 and HTTP/0.9 get 505");
    KT_RUN(t_higher_minor, "HTTP/1.2 is handled as HTTP/1.1 (RFC 9110 section 2.5)");
    KT_RUN(t_bad_versions, "a malformed version gets 400");
    KT_RUN(t_leading_empty_lines, "up to four leading empty lines are skipped");
    KT_RUN(t_pipelined, "two pipelined heads: the first call consumes exactly the first");
    KT_RUN(t_pipelined_garbage_after, "bytes after the head are not looked at");
    KT_RUN(t_every_prefix, "every proper prefix of a valid head needs more bytes");
    KT_RUN(t_byte_by_byte, "a head fed one byte at a time with prev_len parses the same");
    KT_RUN(t_split_everywhere, "a request split at every byte boundary parses the same");
    KT_RUN(t_errors_stable, "a malformed head gives the same error however it is split");
    KT_RUN(t_bare_lf, "a bare LF gets 400");
    KT_RUN(t_bare_cr, "a bare CR gets 400");
    KT_RUN(t_nul, "a NUL in a field value gets 400 on arrival");
    KT_RUN(t_controls_in_values, "controls in values get 400; HTAB and obs-text pass");
    KT_RUN(t_obs_fold, "obs-fold is rejected with 400");
    KT_RUN(t_space_before_colon, "whitespace between field name and colon gets 400");
    KT_RUN(t_bad_names, "an empty or non-token field name gets 400");
    KT_RUN(t_ows_trim, "field values are trimmed of leading and trailing OWS");
    KT_RUN(t_case_insensitive, "field names and tokens compare case-insensitively");
    KT_RUN(t_missing_host, "HTTP/1.1 without Host gets 400");
    KT_RUN(t_two_hosts, "two Host fields get 400");
    KT_RUN(t_host_values, "invalid Host values get 400; IPv6, port, empty pass");
    KT_RUN(t_content_length, "Content-Length is parsed");
    KT_RUN(t_bad_content_length, "a malformed Content-Length gets 400");
    KT_RUN(t_content_length_overflow, "a Content-Length past INT64_MAX gets 413");
    KT_RUN(t_duplicate_content_length, "equal repeated Content-Lengths pass, differing get 400");
    KT_RUN(t_cl_and_te, "Content-Length with Transfer-Encoding gets 400 and close");
    KT_RUN(t_transfer_encoding, "Transfer-Encoding: chunked is reported");
    KT_RUN(t_te_unknown_coding, "a transfer coding other than chunked gets 501");
    KT_RUN(t_te_malformed, "repeated chunked, empty TE, or TE in HTTP/1.0 get 400");
    KT_RUN(t_expect, "Expect: 100-continue is reported; other expectations get 417");
    KT_RUN(t_derived_spans, "conditional, range, encoding and Via fields are spanned");
    KT_RUN(t_repeated_list_fields, "a repeated list field keeps the first and flags it");
    KT_RUN(t_repeated_singletons, "a repeated Range or date precondition is dropped");
    KT_RUN(t_dictionary_fields,
           "Available-Dictionary and Dictionary-ID are kept once, dropped when repeated");
    KT_RUN(t_headers_array, "field lines are kept in order; a NULL array is allowed");
    KT_RUN(t_empty_and_partial, "empty and partial input needs more bytes");
    KT_RUN(t_prev_len_bogus, "a prev_len past the buffer is ignored");
    KT_RUN(t_limits_default, "default limits are 8192 / 4096 / 64");
    KT_RUN(t_fields_get,
           "HTTP/2 fields: :authority is the host, lists are spanned, HTTP/1.1 rules");
    KT_RUN(t_fields_host, "HTTP/2 fields: :authority wins over host; an invalid one gets 400");
    KT_RUN(t_fields_bad_target, "HTTP/2 fields: only origin-form, or * for OPTIONS");
    KT_RUN(t_fields_repeats, "HTTP/2 fields: repeats follow the HTTP/1.1 rules");
    free(S);
    return kt_done();
}
