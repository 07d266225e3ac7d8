/*
 * HTTP semantics for GET/HEAD/OPTIONS on an immutable index (RFC 9110):
 * target normalisation and lookup, content negotiation, preconditions in the
 * order of §13.2.2, ranges (§14), and the error statuses. Everything the
 * response says comes from the index's prebuilt header lines plus the few
 * per-request lines (Date, Content-Length, Content-Range, Connection).
 */
#include "edge/respond.h"
#include "common/ascii.h"
#include "common/httpdate.h"
#include "edge/dictionary.h"
#include "edge/etag.h"
#include "edge/negotiate.h"
#include "edge/range.h"
#include "edge/target.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define ALLOW           "GET, HEAD, OPTIONS"
#define KE_PATH_MAX     4096
#define KE_REDIRECT_MAX 2048 /* longest path we redirect to with a trailing '/' */

const char *
ke_status_reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 304: return "Not Modified";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 416: return "Range Not Satisfiable";
    case 417: return "Expectation Failed";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
    }
}

/* ---- building the head ------------------------------------------------------- */

static void add(struct ke_response *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Appends to the head. The pieces are bounded (prebuilt blocks under 1 KiB,
 * paths under KE_REDIRECT_MAX), so truncation cannot happen; if it ever did,
 * the head is cut at a line end and the response still parses. */
static void
add(struct ke_response *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t room = sizeof o->head - o->head_len;
    int n = vsnprintf(o->head + o->head_len, room, fmt, ap);
    va_end(ap);
    if (n > 0 && (size_t)n < room)
        o->head_len += (size_t)n;
}

static void
add_raw(struct ke_response *o, const char *p, size_t n)
{
    if (n < sizeof o->head - o->head_len) {
        memcpy(o->head + o->head_len, p, n);
        o->head_len += n;
    }
}

#define ADD_LIT(o, lit) add_raw((o), (lit), sizeof(lit) - 1)

/* Appends "name<decimal>\r\n": the per-request numbers, without printf. */
static void
add_num_line(struct ke_response *o, const char *name, size_t name_len, uint64_t v)
{
    char d[24];
    size_t i = sizeof d;
    do {
        d[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    add_raw(o, name, name_len);
    add_raw(o, d + i, sizeof d - i);
    ADD_LIT(o, "\r\n");
}

#define ADD_NUM(o, lit, v) add_num_line((o), (lit), sizeof(lit) - 1, (v))

/* Status line and Date: every response starts with these (RFC 9110 §6.6.1:
 * an origin with a clock sends Date), after any interim response. */
static void
status_line(struct ke_response *o, const struct ke_respond_ctx *c, int status)
{
    if (status == 200) {
        ADD_LIT(o, "HTTP/1.1 200 OK\r\nDate: ");
    } else {
        char line[64];
        int n = snprintf(line, sizeof line, "HTTP/1.1 %d %s\r\nDate: ", status,
                         ke_status_reason(status));
        add_raw(o, line, (size_t)n);
    }
    add_raw(o, c->date, strlen(c->date));
    ADD_LIT(o, "\r\n");
    if (c->extra)
        add_raw(o, c->extra, strlen(c->extra));
}

static void
begin(struct ke_response *o, const struct ke_respond_ctx *c, int status)
{
    o->status = status;
    o->head_len = 0;
    status_line(o, c, status);
}

static void
finish(struct ke_response *o, const struct ke_request *req)
{
    if (o->close)
        ADD_LIT(o, "Connection: close\r\n");
    else if (req->minor == 0)
        ADD_LIT(o, "Connection: keep-alive\r\n");
    ADD_LIT(o, "\r\n");
}

/* A short text response for errors and OPTIONS; never cached. */
static void
simple(struct ke_response *o, const struct ke_respond_ctx *c, const struct ke_request *req,
       int status, const char *extra)
{
    begin(o, c, status);
    o->res = NULL;
    o->enc = -1;
    o->n_body = 0;
    const char *reason = ke_status_reason(status);
    if (extra)
        add(o, "%s", extra);
    if (status == 204) {
        o->body_len = 0;
    } else {
        /* "404 Not Found\n" */
        int n = snprintf(o->parts, sizeof o->parts, "%d %s\n", status, reason);
        o->body_len = (uint64_t)n;
        add(o,
            "Content-Type: text/plain; charset=utf-8\r\nContent-Length: %d\r\n"
            "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n",
            n);
        if (req->method != KE_M_HEAD) {
            o->body[0] = (struct ke_slice){ o->parts, (size_t)n };
            o->n_body = 1;
        }
    }
    finish(o, req);
}

void
ke_respond_redirect(const struct ke_respond_ctx *c, const struct ke_request *req, const char *port,
                    struct ke_response *o)
{
    o->close = c->force_close || !req->keep_alive || req->content_length > 0 || req->chunked;
    o->body_fd = -1;
    o->res = NULL;
    o->enc = -1;
    o->n_body = 0;
    o->body_len = 0;
    if (req->status) {
        o->close = true;
        simple(o, c, req, req->status, NULL);
        return;
    }
    if (req->form == KE_TF_ASTERISK) {
        simple(o, c, req, 204, "Allow: " ALLOW "\r\n");
        return;
    }
    /* The host without its port: "[::1]:80" -> "[::1]", "a.example:80" -> "a.example".
     * The parser has checked its characters, so it cannot split the header. */
    struct ke_span h = req->host;
    size_t hn = h.n;
    if (hn && h.p[0] == '[') {
        const char *close = memchr(h.p, ']', h.n);
        hn = close ? (size_t)(close - h.p) + 1 : h.n;
    } else if (hn) {
        const char *colon = memchr(h.p, ':', h.n);
        hn = colon ? (size_t)(colon - h.p) : h.n;
    }
    if (hn == 0) {
        simple(o, c, req, 400, NULL); /* HTTP/1.0 without Host: no URL to send to */
        return;
    }
    /* The path and query: the target itself, or what follows the authority
     * of an absolute-form target. */
    struct ke_span t = req->target;
    if (req->form == KE_TF_ABSOLUTE) {
        const char *p = memchr(t.p, ':', t.n);
        size_t skip = p ? (size_t)(p - t.p) + 3 : t.n;
        const char *slash = skip < t.n ? memchr(t.p + skip, '/', t.n - skip) : NULL;
        t = slash ? (struct ke_span){ slash, (size_t)(t.p + t.n - slash) }
                  : (struct ke_span){ "/", 1 };
    }
    if (hn + t.n > KE_REDIRECT_MAX) {
        simple(o, c, req, 414, NULL);
        return;
    }
    char loc[2 * KE_REDIRECT_MAX + 64];
    snprintf(loc, sizeof loc, "Location: https://%.*s%s%.*s\r\n", (int)hn, h.p, port, (int)t.n,
             t.p);
    /* 308 keeps the method of anything but GET and HEAD (RFC 9110 §15.4.9). */
    bool safe = req->method == KE_M_GET || req->method == KE_M_HEAD;
    simple(o, c, req, safe ? 301 : 308, loc);
}

/* ---- request helpers ------------------------------------------------------------- */

static bool
name_is(const struct ke_header *h, const char *name)
{
    size_t n = strlen(name);
    return h->name.n == n && strncasecmp(h->name.p, name, n) == 0;
}

/* Calls fn on every field line named name (a list field may be split over
 * several lines, RFC 9110 §5.3), or on the parser's single span. Returns true
 * as soon as fn does. */
static bool
any_line(const struct ke_request *req, const char *name, struct ke_span first, bool dup,
         bool (*fn)(const char *p, size_t n, const void *arg), const void *arg)
{
    if (!dup || !req->headers)
        return fn(first.p, first.n, arg);
    for (unsigned i = 0; i < req->n_headers; i++)
        if (name_is(&req->headers[i], name) &&
            fn(req->headers[i].value.p, req->headers[i].value.n, arg))
            return true;
    return false;
}

static bool
match_weak(const char *p, size_t n, const void *arg)
{
    const struct ke_variant *v = arg;
    return ke_etag_match_any(p, n, v->etag, v->etag_len, true);
}

static bool
match_strong(const char *p, size_t n, const void *arg)
{
    const struct ke_variant *v = arg;
    return ke_etag_match_any(p, n, v->etag, v->etag_len, false);
}

static void
accept_line(const struct ke_request *req, struct ke_accept *a)
{
    ke_accept_init(a);
    if (req->accept_encoding.p == NULL && !(req->dups & KE_DUP_ACCEPT_ENCODING))
        return;
    if (!(req->dups & KE_DUP_ACCEPT_ENCODING) || !req->headers) {
        ke_accept_add(req->accept_encoding.p, req->accept_encoding.n, a);
        return;
    }
    for (unsigned i = 0; i < req->n_headers; i++)
        if (name_is(&req->headers[i], "accept-encoding"))
            ke_accept_add(req->headers[i].value.p, req->headers[i].value.n, a);
}

/* A path whose last segment has no '.' is a page navigation, not an asset:
 * only those get the SPA fallback. */
static bool
looks_like_page(const char *p, size_t n)
{
    size_t i = n;
    while (i > 0 && p[i - 1] != '/') {
        if (p[i - 1] == '.')
            return false;
        i--;
    }
    return true;
}

static const struct ke_resource *
find(const struct ke_respond_ctx *c, const char *p)
{
    return ke_index_find(c->ix, p, strlen(p));
}

/* Percent-encodes path for a Location header. */
static bool
encode_location(const char *path, char *out, size_t outsz)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    for (const unsigned char *s = (const unsigned char *)path; *s; s++) {
        bool safe = kc_is_alnum(*s) || strchr("-._~/!$&'()*+,;=:@", *s);
        if (o + 4 >= outsz)
            return false;
        if (safe && *s) {
            out[o++] = (char)*s;
        } else {
            out[o++] = '%';
            out[o++] = hex[*s >> 4];
            out[o++] = hex[*s & 15];
        }
    }
    out[o] = '\0';
    return true;
}

/* ---- representations ----------------------------------------------------------------- */

/* The first header line of a variant head is its Content-Type. */
static size_t
first_line_len(const struct ke_variant *v)
{
    const char *nl = memchr(v->head, '\n', v->head_len);
    return nl ? (size_t)(nl - v->head) + 1 : 0;
}

/* The body is len bytes at off of v: from memory, or by sendfile(2) when
 * the index kept a descriptor. */
static void
set_body(struct ke_response *o, const struct ke_respond_ctx *c, const struct ke_variant *v,
         uint64_t off, uint64_t len)
{
    if (v->fd >= 0 && !c->no_sendfile) {
        o->body_fd = v->fd;
        o->body_off = off;
    } else {
        o->body[0] = (struct ke_slice){ v->body + off, (size_t)len };
        o->n_body = 1;
    }
}

static void
serve_ranges(struct ke_response *o, const struct ke_respond_ctx *c, const struct ke_request *req,
             const struct ke_variant *v, struct ke_range *r, size_t count)
{
    if (count > 1)
        ke_range_coalesce(r, &count);
    begin(o, c, 206);
    if (count == 1) {
        uint64_t len = r[0].last - r[0].first + 1;
        add_raw(o, v->head, v->head_len);
        add(o, "Content-Range: bytes %llu-%llu/%llu\r\nContent-Length: %llu\r\n",
            (unsigned long long)r[0].first, (unsigned long long)r[0].last,
            (unsigned long long)v->size, (unsigned long long)len);
        o->body_len = len;
        if (req->method != KE_M_HEAD)
            set_body(o, c, v, r[0].first, len);
        finish(o, req);
        return;
    }
    /* multipart/byteranges (RFC 9110 §14.6): the boundary comes from the
     * ETag's hex digits, so it is stable and never looks like text. */
    char boundary[40];
    size_t bn = 0;
    for (size_t i = 0; i < v->etag_len && bn < 24; i++)
        if (v->etag[i] != '"' && v->etag[i] != '/' && v->etag[i] != 'W')
            boundary[bn++] = v->etag[i];
    boundary[bn] = '\0';
    size_t fl = first_line_len(v);
    const char *type = v->head + 14; /* after "Content-Type: " */
    int type_len = (int)(fl >= 16 ? fl - 16 : 0);
    size_t used = 0;
    uint64_t total = 0;
    o->n_body = 0;
    for (size_t i = 0; i < count; i++) {
        int n = snprintf(o->parts + used, sizeof o->parts - used,
                         "\r\n--kiln-%s\r\nContent-Type: %.*s\r\nContent-Range: bytes "
                         "%llu-%llu/%llu\r\n\r\n",
                         boundary, type_len, type, (unsigned long long)r[i].first,
                         (unsigned long long)r[i].last, (unsigned long long)v->size);
        if (n < 0 || (size_t)n >= sizeof o->parts - used)
            break;
        uint64_t len = r[i].last - r[i].first + 1;
        o->body[o->n_body++] = (struct ke_slice){ o->parts + used, (size_t)n };
        o->body[o->n_body++] = (struct ke_slice){ v->body + r[i].first, (size_t)len };
        used += (size_t)n;
        total += (uint64_t)n + len;
    }
    int n = snprintf(o->parts + used, sizeof o->parts - used, "\r\n--kiln-%s--\r\n", boundary);
    o->body[o->n_body++] = (struct ke_slice){ o->parts + used, (size_t)n };
    total += (uint64_t)n;
    add_raw(o, v->head + fl, v->head_len - fl);
    add(o, "Content-Type: multipart/byteranges; boundary=kiln-%s\r\nContent-Length: %llu\r\n",
        boundary, (unsigned long long)total);
    o->body_len = total;
    if (req->method == KE_M_HEAD)
        o->n_body = 0;
    finish(o, req);
}

/* A navigation, for Early Hints: a browser says so in Sec-Fetch-Mode; a
 * client that sends none asked for the document itself. fetch() of a page
 * (mode "cors", "no-cors", "same-origin") gets no hints it would not use. */
static bool
navigation(const struct ke_request *req)
{
    for (unsigned i = 0; req->headers && i < req->n_headers; i++)
        if (name_is(&req->headers[i], "sec-fetch-mode"))
            return kc_eq_lower(req->headers[i].value.p, req->headers[i].value.n, "navigate");
    return true;
}

static void
serve_full(struct ke_response *o, const struct ke_respond_ctx *c, const struct ke_request *req,
           const struct ke_variant *v, int status)
{
    o->status = status;
    o->head_len = 0;
    /* 103 Early Hints (RFC 8297) before an entry document: only to HTTP/1.1
     * and h2 clients (an HTTP/1.0 one must never see a 1xx), for a
     * navigation, and only when the final head still fits behind it. */
    const struct ke_resource *res = o->res;
    if (status == 200 && res && res->early && req->minor == 1 && req->method == KE_M_GET &&
        res->early_len + v->head_len + 512 <= sizeof o->head && navigation(req))
        add_raw(o, res->early, res->early_len);
    status_line(o, c, status);
    add_raw(o, v->head, v->head_len);
    ADD_NUM(o, "Content-Length: ", v->size);
    o->body_len = v->size;
    o->n_body = 0;
    if (req->method != KE_M_HEAD && v->size > 0)
        set_body(o, c, v, 0, v->size);
    finish(o, req);
}

static void
not_modified(struct ke_response *o, const struct ke_respond_ctx *c, const struct ke_request *req,
             const struct ke_variant *v, int status)
{
    begin(o, c, status);
    add_raw(o, v->head304, v->head304_len);
    if (status != 304)
        add(o, "Content-Length: 0\r\n");
    o->body_len = 0;
    o->n_body = 0;
    finish(o, req);
}

/* Evaluates If-Range (§13.1.5): true when the range request may proceed. */
static bool
if_range_holds(const struct ke_request *req, const struct ke_resource *res,
               const struct ke_variant *v)
{
    const char *p = req->if_range.p;
    size_t n = req->if_range.n;
    while (n && kc_is_blank(*p))
        p++, n--;
    if (n && (*p == '"' || *p == 'W'))
        return ke_etag_strong_equal(p, n, v->etag, v->etag_len);
    int64_t t;
    return kc_httpdate_parse(p, n, &t) == 0 && t == res->mtime;
}

/*
 * The dcz delta to send (RFC 9842 §2.2, §6.1), or NULL for the usual choice:
 * the client accepts dcz and its Available-Dictionary names a dictionary we
 * have a delta against. A malformed, repeated or unknown hash is no
 * dictionary at all (never a 4xx: a client that cannot be answered with a
 * delta is answered without one).
 *
 * Dictionary-ID (§2.3) is not consulted. It echoes the "id" of the stored
 * dictionary, which is the same for every version of one asset, so it
 * cannot say which version the client holds; the hash can, and a delta was
 * made against exactly the bytes that hash. An id we do not know, or one
 * that disagrees, therefore changes nothing, and since no answer depends on
 * it, responses need not vary on it.
 */
static const struct ke_variant *
delta_for(const struct ke_request *req, const struct ke_accept *a, const struct ke_resource *res)
{
    unsigned char hash[KE_DICT_HASH_LEN];
    if (res->n_deltas == 0 || !req->available_dictionary.n || !ke_accept_ok(a, KE_ENC_DCZ) ||
        !ke_dict_available_parse(req->available_dictionary.p, req->available_dictionary.n, hash))
        return NULL;
    for (unsigned i = 0; i < res->n_deltas; i++)
        if (memcmp(res->deltas[i].hash, hash, KE_DICT_HASH_LEN) == 0)
            return &res->deltas[i].var;
    return NULL;
}

/* The conditional and range logic for a found resource (RFC 9110 §13.2.2). */
static void
serve(struct ke_response *o, const struct ke_respond_ctx *c, const struct ke_request *req,
      const struct ke_resource *res, int status)
{
    struct ke_accept a;
    accept_line(req, &a);
    int enc = KE_ENC_DCZ;
    const struct ke_variant *v = delta_for(req, &a, res);
    if (!v) {
        uint64_t size[KE_ENC_COUNT];
        for (int e = 0; e < KE_ENC_COUNT; e++)
            size[e] = res->var[e].present ? res->var[e].size : 0;
        enc = ke_negotiate(&a, size);
        if (enc < 0 || !res->var[enc].present)
            enc = KE_ENC_IDENTITY; /* §12.5.3: answer without a coding rather than 406 */
        v = &res->var[enc];
    }
    o->res = res;
    o->enc = enc;
    if (status != 200) { /* the 404 page: no preconditions, no ranges */
        serve_full(o, c, req, v, status);
        return;
    }
    int64_t t;
    if (req->if_match.p && req->if_match.n) {
        if (!any_line(req, "if-match", req->if_match, req->dups & KE_DUP_IF_MATCH, match_strong,
                      v)) {
            not_modified(o, c, req, v, 412);
            return;
        }
    } else if (req->if_unmodified_since.n &&
               kc_httpdate_parse(req->if_unmodified_since.p, req->if_unmodified_since.n, &t) == 0 &&
               res->mtime > t) {
        not_modified(o, c, req, v, 412);
        return;
    }
    if (req->if_none_match.p && req->if_none_match.n) {
        if (any_line(req, "if-none-match", req->if_none_match, req->dups & KE_DUP_IF_NONE_MATCH,
                     match_weak, v)) {
            not_modified(o, c, req, v, 304);
            return;
        }
    } else if (req->if_modified_since.n &&
               kc_httpdate_parse(req->if_modified_since.p, req->if_modified_since.n, &t) == 0 &&
               res->mtime <= t) {
        not_modified(o, c, req, v, 304);
        return;
    }
    if (req->method == KE_M_GET && req->range.n &&
        (!req->if_range.n || if_range_holds(req, res, v))) {
        struct ke_range r[KE_MAX_PARTS];
        size_t count = 0;
        switch (ke_range_parse(req->range.p, req->range.n, v->size, r, KE_MAX_PARTS, &count)) {
        case KE_RANGE_OK: serve_ranges(o, c, req, v, r, count); return;
        case KE_RANGE_UNSATISFIABLE:
            begin(o, c, 416);
            add_raw(o, v->head304, v->head304_len);
            add(o, "Content-Range: bytes */%llu\r\nContent-Length: 0\r\n",
                (unsigned long long)v->size);
            o->body_len = 0;
            o->n_body = 0;
            finish(o, req);
            return;
        default: break; /* KE_RANGE_IGNORE: the whole representation */
        }
    }
    serve_full(o, c, req, v, 200);
}

void
ke_respond(const struct ke_respond_ctx *c, const struct ke_request *req, struct ke_response *o)
{
    o->close = c->force_close || !req->keep_alive;
    o->body_fd = -1;
    o->body_off = 0;
    o->res = NULL;
    o->enc = -1;
    o->n_body = 0;
    o->body_len = 0;
    if (req->status) { /* the parser refused the head: the stream is lost */
        o->close = true;
        simple(o, c, req, req->status, NULL);
        return;
    }
    /* No request body is ever read, so one that was sent would be taken for
     * the next request: answer, then close. */
    if (req->content_length > 0 || req->chunked)
        o->close = true;
    if (req->method == KE_M_OPTIONS) {
        simple(o, c, req, 204, "Allow: " ALLOW "\r\n");
        return;
    }
    if (req->method != KE_M_GET && req->method != KE_M_HEAD) {
        simple(o, c, req, 405, "Allow: " ALLOW "\r\n");
        return;
    }
    char path[KE_PATH_MAX + 16];
    size_t n = 0;
    int rc = ke_target_normalize(req->target.p, req->target.n, path, KE_PATH_MAX, &n);
    if (rc != KE_TARGET_OK) {
        simple(o, c, req, rc == KE_TARGET_TOO_LONG ? 414 : 400, NULL);
        return;
    }
    const struct ke_resource *res = NULL;
    if (path[n - 1] == '/') {
        memcpy(path + n, "index.html", 11);
        res = find(c, path);
        path[n] = '\0';
    } else {
        res = find(c, path);
        if (!res && n <= KE_REDIRECT_MAX) {
            /* "/docs" names a directory with an index: redirect to "/docs/"
             * so its relative URLs resolve, keeping the query. */
            memcpy(path + n, "/index.html", 12);
            bool dir = find(c, path) != NULL;
            path[n] = '\0';
            char loc[3 * KE_REDIRECT_MAX + 8];
            if (dir && encode_location(path, loc, sizeof loc)) {
                const char *q = memchr(req->target.p, '?', req->target.n);
                char extra[sizeof loc + KE_PATH_MAX + 32];
                int qn = q ? (int)(req->target.p + req->target.n - q) : 0;
                snprintf(extra, sizeof extra, "Location: %s/%.*s\r\n", loc, qn, q ? q : "");
                simple(o, c, req, 301, extra);
                return;
            }
        }
    }
    if (!res && c->cfg->spa_fallback[0] && looks_like_page(path, n))
        res = find(c, c->cfg->spa_fallback);
    if (res) {
        serve(o, c, req, res, 200);
        return;
    }
    res = find(c, "/404.html");
    if (res)
        serve(o, c, req, res, 404);
    else
        simple(o, c, req, 404, NULL);
}
