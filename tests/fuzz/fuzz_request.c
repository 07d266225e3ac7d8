/*
 * Fuzz target for ke_request_parse, under default and tiny limits: the result
 * is -2, -1 with a known status and must_close, or 1..size with every span
 * inside the head and the head ending in CRLF CRLF. Split at points chosen by
 * the input's first and middle bytes, each prefix (an exact-size copy, so ASan
 * sees overreads) must give -2 and then the resumed parse the same result, or
 * the same error / the same head as the whole. A violation abort()s.
 */
#include "edge/request.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_span(struct ke_span s, const char *buf, int ret)
{
    if (s.n == 0)
        return;
    if (!s.p || s.p < buf || s.p + s.n > buf + ret)
        abort();
}

static bool
same_span(struct ke_span a, const char *abuf, struct ke_span b, const char *bbuf)
{
    if (a.n != b.n)
        return false;
    if (a.n == 0)
        return true;
    return a.p - abuf == b.p - bbuf;
}

/* a parsed from abuf and b from bbuf (holding the same head) agree. */
static bool
same(int ra, const struct ke_request *a, const char *abuf, int rb, const struct ke_request *b,
     const char *bbuf)
{
    if (ra != rb)
        return false;
    if (ra == KE_REQ_ERROR)
        return a->status == b->status && a->must_close == b->must_close;
    if (ra == KE_REQ_INCOMPLETE)
        return true;
    if (a->n_headers != b->n_headers)
        return false;
    for (unsigned i = 0; i < a->n_headers; i++)
        if (!same_span(a->headers[i].name, abuf, b->headers[i].name, bbuf) ||
            !same_span(a->headers[i].value, abuf, b->headers[i].value, bbuf))
            return false;
    return a->method == b->method && same_span(a->method_raw, abuf, b->method_raw, bbuf) &&
           same_span(a->target, abuf, b->target, bbuf) && a->form == b->form &&
           a->minor == b->minor && same_span(a->host, abuf, b->host, bbuf) &&
           a->content_length == b->content_length && a->chunked == b->chunked &&
           a->keep_alive == b->keep_alive && a->expect_continue == b->expect_continue &&
           same_span(a->accept_encoding, abuf, b->accept_encoding, bbuf) &&
           same_span(a->range, abuf, b->range, bbuf) &&
           same_span(a->if_none_match, abuf, b->if_none_match, bbuf) &&
           same_span(a->if_modified_since, abuf, b->if_modified_since, bbuf) &&
           same_span(a->if_match, abuf, b->if_match, bbuf) &&
           same_span(a->if_unmodified_since, abuf, b->if_unmodified_since, bbuf) &&
           same_span(a->if_range, abuf, b->if_range, bbuf) &&
           same_span(a->via, abuf, b->via, bbuf) && a->dups == b->dups && a->status == b->status;
}

static void
check_result(int ret, const struct ke_request *r, const char *buf, size_t size,
             const struct ke_request_limits *lim)
{
    if (ret == KE_REQ_INCOMPLETE)
        return;
    if (ret == KE_REQ_ERROR) {
        switch (r->status) {
        case 400:
        case 405:
        case 411:
        case 413:
        case 414:
        case 417:
        case 431:
        case 501:
        case 505: break;
        default: abort();
        }
        if (!r->must_close)
            abort();
        return;
    }
    if (ret < 4 || (size_t)ret > size || (size_t)ret > lim->max_head || r->status != 0 ||
        r->must_close || memcmp(buf + ret - 4, "\r\n\r\n", 4) != 0)
        abort();
    if (r->n_headers > lim->max_headers || (r->minor != 0 && r->minor != 1) ||
        r->method_raw.n == 0 || r->target.n == 0 || r->target.n > lim->max_target)
        abort();
    if (r->content_length < -1 || (r->chunked && r->content_length != -1))
        abort();
    for (unsigned i = 0; i < r->n_headers; i++) {
        if (r->headers[i].name.n == 0)
            abort();
        check_span(r->headers[i].name, buf, ret);
        check_span(r->headers[i].value, buf, ret);
    }
    const struct ke_span all[] = { r->method_raw,        r->target,   r->host,
                                   r->accept_encoding,   r->range,    r->if_none_match,
                                   r->if_modified_since, r->if_match, r->if_unmodified_since,
                                   r->if_range,          r->via };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        check_span(all[i], buf, ret);
}

/* Whole versus split at k, for one set of limits. */
static void
run(const char *buf, size_t size, size_t k, const struct ke_request_limits *lim)
{
    struct ke_header h1[64], h2[64];
    struct ke_request whole, part;
    whole.headers = h1;
    part.headers = h2;
    int rw = ke_request_parse(buf, size, 0, lim, &whole);
    check_result(rw, &whole, buf, size, lim);

    char *pre = malloc(k ? k : 1);
    if (!pre)
        return;
    memcpy(pre, buf, k);
    int rp = ke_request_parse(pre, k, 0, lim, &part);
    check_result(rp, &part, pre, k, lim);
    if (rp == KE_REQ_INCOMPLETE) {
        /* Resumed: exactly the whole's answer. */
        int rr = ke_request_parse(buf, size, k, lim, &part);
        if (!same(rw, &whole, buf, rr, &part, buf))
            abort();
    } else if (!same(rw, &whole, buf, rp, &part, pre)) {
        /* A prefix's error or head stays the whole's. */
        abort();
    }
    free(pre);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = (const char *)data;
    size_t k1 = size ? (size_t)data[0] * size / 256 : 0;
    size_t k2 = size ? (size_t)data[size / 2] * size / 256 : 0;
    struct ke_request_limits def, tiny = { 96, 24, 4 };
    ke_request_limits_default(&def);
    run(buf, size, k1, &def);
    run(buf, size, k2, &def);
    run(buf, size, k1, &tiny);
    run(buf, size, k2, &tiny);
    return 0;
}
