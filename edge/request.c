/*
 * ke_request_parse: three passes over one buffer, each deciding only on bytes
 * it has seen, so an error is reported at the same byte however the head
 * arrives. (1) the request line, checked byte by byte; (2) a scan of the field
 * block for forbidden bytes and the end of the head (SSE2 when available),
 * resumable from prev_len; (3) once the head is whole, the field lines, which
 * (2) has already cleared of control bytes, bare CR and bare LF.
 */
#include "edge/request.h"
#include "common/ascii.h"

#include <limits.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* Outcome of a pass that may need more bytes; >= 0 is an offset. */
enum { P_ERROR = -1, P_INCOMPLETE = -2 };

static struct ke_span
span(const char *p, size_t n)
{
    struct ke_span s = { p, n };
    return s;
}

void
ke_request_limits_default(struct ke_request_limits *lim)
{
    lim->max_head = 8192;
    lim->max_target = 4096;
    lim->max_headers = 64;
}

const char *
ke_method_name(enum ke_method m)
{
    switch (m) {
    case KE_M_GET: return "GET";
    case KE_M_HEAD: return "HEAD";
    case KE_M_OPTIONS: return "OPTIONS";
    case KE_M_POST: return "POST";
    case KE_M_PUT: return "PUT";
    case KE_M_DELETE: return "DELETE";
    case KE_M_PATCH: return "PATCH";
    case KE_M_CONNECT: return "CONNECT";
    case KE_M_TRACE: return "TRACE";
    case KE_M_OTHER: break;
    }
    return "OTHER";
}

static enum ke_method
classify_method(const char *p, size_t n)
{
#define M_IS(lit) (n == sizeof lit - 1 && memcmp(p, lit, n) == 0)
    if (M_IS("GET"))
        return KE_M_GET;
    if (M_IS("HEAD"))
        return KE_M_HEAD;
    if (n < 3 || n > 7)
        return KE_M_OTHER;
    if (M_IS("OPTIONS"))
        return KE_M_OPTIONS;
    if (M_IS("POST"))
        return KE_M_POST;
    if (M_IS("PUT"))
        return KE_M_PUT;
    if (M_IS("DELETE"))
        return KE_M_DELETE;
    if (M_IS("PATCH"))
        return KE_M_PATCH;
    if (M_IS("CONNECT"))
        return KE_M_CONNECT;
    if (M_IS("TRACE"))
        return KE_M_TRACE;
#undef M_IS
    return KE_M_OTHER;
}

/*
 * uri-host [":" port] (RFC 3986 §3.2.2) in p[0..n): a bracketed IP-literal,
 * or reg-name / IPv4 of unreserved and sub-delims bytes. '%' escapes, '@'
 * (userinfo), '/', '\\' and whitespace are refused. An empty value passes
 * unless need_host; a port (digits, possibly none) is required by need_port.
 */
static bool
valid_host(const char *p, size_t n, bool need_host, bool need_port)
{
    static const char ok[] = "-._~!$&'()*+,;=";
    size_t i = 0;
    if (n == 0)
        return !need_host && !need_port;
    if (p[0] == '[') {
        for (i = 1; i < n && p[i] != ']'; i++)
            if (!kc_is_alpha(p[i]) && !kc_is_digit(p[i]) && p[i] != ':' && !kc_in_set(p[i], ok))
                return false;
        if (i == n || i == 1)
            return false;
        i++;
    } else {
        for (; i < n && p[i] != ':'; i++)
            if (!kc_is_alpha(p[i]) && !kc_is_digit(p[i]) && !kc_in_set(p[i], ok))
                return false;
        if (i == 0)
            return false;
    }
    if (i == n)
        return !need_port;
    if (p[i] != ':')
        return false;
    if (need_port && i + 1 == n)
        return false;
    for (i++; i < n; i++)
        if (!kc_is_digit(p[i]))
            return false;
    return true;
}

/*
 * Checks the complete target against the method (RFC 9112 §3.2) and sets
 * req->form, and req->host for absolute- and authority-form.
 */
static bool
check_target(struct ke_request *req)
{
    const char *t = req->target.p;
    size_t n = req->target.n;
    if (req->method == KE_M_CONNECT) {
        req->form = KE_TF_AUTHORITY;
        req->host = req->target;
        return valid_host(t, n, true, true);
    }
    if (t[0] == '/') {
        req->form = KE_TF_ORIGIN;
        return true;
    }
    if (t[0] == '*') {
        req->form = KE_TF_ASTERISK;
        return n == 1 && req->method == KE_M_OPTIONS;
    }
    size_t s = 0;
    while (s < n && (kc_is_alpha(t[s]) || (s > 0 && (kc_is_digit(t[s]) || kc_in_set(t[s], "+-.")))))
        s++;
    if (!(kc_eq_lower(t, s, "http") || kc_eq_lower(t, s, "https")) || n - s < 3 ||
        memcmp(t + s, "://", 3) != 0)
        return false;
    const char *a = t + s + 3, *end = t + n, *e = a;
    while (e < end && *e != '/' && *e != '?' && *e != '#')
        e++;
    req->form = KE_TF_ABSOLUTE;
    req->host = span(a, (size_t)(e - a));
    return valid_host(a, (size_t)(e - a), true, false);
}

static int
fail(struct ke_request *req, int status)
{
    req->status = status;
    req->must_close = true;
    req->keep_alive = false;
    return P_ERROR;
}

/*
 * The request line at buf[i..cap): returns the offset after its CRLF,
 * P_INCOMPLETE, or P_ERROR (with req->status). Every check happens at the
 * byte it concerns, and a line end counts only once its LF is in sight.
 */
static long
parse_request_line(const char *buf, size_t i, size_t cap, const struct ke_request_limits *lim,
                   struct ke_request *req)
{
    size_t m = i;
    while (i < cap && kc_is_tchar(buf[i]))
        i++;
    if (i == cap)
        return P_INCOMPLETE;
    if (buf[i] != ' ' || i == m)
        return fail(req, 400);
    req->method_raw = span(buf + m, i - m);
    req->method = classify_method(buf + m, i - m);

    size_t t = ++i;
    for (; i < cap && buf[i] != ' '; i++) {
        if ((unsigned char)(buf[i] - 0x21) > 0x7e - 0x21)
            return fail(req, 400);
        if (i - t >= lim->max_target)
            return fail(req, 414);
    }
    if (i == cap)
        return P_INCOMPLETE;
    if (i == t)
        return fail(req, 400);
    req->target = span(buf + t, i - t);
    if (!check_target(req))
        return fail(req, 400);

    /* "HTTP/" DIGIT "." DIGIT CRLF, compared byte by byte as it arrives. */
    static const char pat[] = "HTTP/0.0\r\n";
    i++;
    for (size_t k = 0; k < sizeof pat - 1; k++, i++) {
        if (i == cap)
            return P_INCOMPLETE;
        bool ok = pat[k] == '0' ? kc_is_digit(buf[i]) : buf[i] == pat[k];
        if (!ok)
            return fail(req, 400);
    }
    /* RFC 9110 §2.5: a higher minor version of a major version we speak is
     * handled as the highest minor we know (HTTP/1.2 as HTTP/1.1). */
    const char *v = buf + i - 5;
    if (v[0] != '1')
        return fail(req, 505);
    req->minor = v[2] == '0' ? 0 : 1;
    return (long)i;
}

/*
 * Scans the field block, which starts at buf[pos] (just after the request
 * line's CRLF), from buf[from] (from >= pos) to cap, for the end of the head
 * (an empty line) and for bytes no head may hold: controls other than HTAB,
 * DEL, a CR not followed by LF, an LF not preceded by CR. Returns the offset
 * just past the final LF, P_INCOMPLETE, or P_ERROR. The only state is in the
 * three bytes before from, so a scan can resume at prev_len - 1.
 */
static long
scan_head(const char *buf, size_t pos, size_t from, size_t cap)
{
    size_t i = from;
    while (i < cap) {
#ifdef __SSE2__
        if (cap - i >= 16) {
            /* Find the first byte <= 0x1f or == 0x7f among the next 16. */
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(buf + i));
            __m128i ctl = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1f)), v);
            __m128i del = _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7f));
            unsigned bits = (unsigned)_mm_movemask_epi8(_mm_or_si128(ctl, del));
            if (bits == 0) {
                i += 16;
                continue;
            }
            i += (size_t)__builtin_ctz(bits);
        }
#endif
        unsigned char c = (unsigned char)buf[i];
        if (c >= 0x20 && c != 0x7f) {
            i++;
            continue;
        }
        if (c == '\t') {
            i++;
        } else if (c == '\r') {
            if (i + 1 == cap)
                return P_INCOMPLETE;
            if (buf[i + 1] != '\n')
                return P_ERROR;
            /* CRLF: the LF is fine; an empty line ends the head. */
            if (buf[i - 1] == '\n')
                return (long)(i + 2);
            i += 2;
        } else if (c == '\n') {
            /* A bare LF, or a resumed scan starting on the LF of a CRLF;
             * then the CR is at >= pos, so buf[i - 2] is at worst the
             * request line's LF at pos - 1. */
            if (i == pos || buf[i - 1] != '\r')
                return P_ERROR;
            if (buf[i - 2] == '\n')
                return (long)(i + 1);
            i++;
        } else {
            return P_ERROR;
        }
    }
    return P_INCOMPLETE;
}

/* The first CR in [p, end), or NULL: memchr() inlined for short values. */
static const char *
find_cr(const char *p, const char *end)
{
#ifdef __SSE2__
    for (; end - p >= 16; p += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
        unsigned bits = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('\r')));
        if (bits)
            return p + __builtin_ctz(bits);
    }
#endif
    for (; p < end; p++)
        if (*p == '\r')
            return p;
    return NULL;
}

/* Trims SP and HTAB off both ends of p[0..n). */
static struct ke_span
trim_ows(const char *p, size_t n)
{
    while (n > 0 && kc_is_blank(*p))
        p++, n--;
    while (n > 0 && kc_is_blank(p[n - 1]))
        n--;
    return span(p, n);
}

/*
 * Iterates the members of a comma-separated list (RFC 9110 §5.6.1): sets *m
 * to the next member, OWS-trimmed (possibly empty), and returns true, or
 * returns false at the end. *pos starts at 0.
 */
static bool
next_member(struct ke_span v, size_t *pos, struct ke_span *m)
{
    if (*pos > v.n)
        return false;
    const char *s = v.p + *pos;
    const char *c = memchr(s, ',', v.n - *pos);
    size_t len = c ? (size_t)(c - s) : v.n - *pos;
    *m = trim_ows(s, len);
    *pos += len + 1;
    return true;
}

static bool
is_token(struct ke_span s)
{
    for (size_t i = 0; i < s.n; i++)
        if (!kc_is_tchar(s.p[i]))
            return false;
    return s.n > 0;
}

/* What the field lines told us beyond req itself. */
struct seen {
    bool host;
    bool te;
    unsigned n_chunked;
    bool close, keep_alive, expect;
    unsigned singles; /* KE_DUP_* bits of singletons seen once */
};

/* Content-Length: a list of equal 1*DIGIT values, agreeing with earlier lines. */
static int
on_content_length(struct ke_span v, struct ke_request *req)
{
    struct ke_span m;
    size_t pos = 0;
    while (next_member(v, &pos, &m)) {
        if (m.n == 0)
            return 400;
        int64_t x = 0;
        for (size_t i = 0; i < m.n; i++) {
            if (!kc_is_digit(m.p[i]))
                return 400;
            int d = m.p[i] - '0';
            if (x > (INT64_MAX - d) / 10)
                return 413;
            x = x * 10 + d;
        }
        if (req->content_length >= 0 && req->content_length != x)
            return 400;
        req->content_length = x;
    }
    return 0;
}

static int
on_transfer_encoding(struct ke_span v, struct ke_request *req, struct seen *s)
{
    struct ke_span m;
    size_t pos = 0;
    if (req->minor == 0)
        return 400;
    s->te = true;
    while (next_member(v, &pos, &m)) {
        if (m.n == 0)
            continue;
        if (kc_eq_lower(m.p, m.n, "chunked")) {
            s->n_chunked++;
            continue;
        }
        /* A coding, possibly with parameters we do not read: 501. */
        size_t k = 0;
        while (k < m.n && kc_is_tchar(m.p[k]))
            k++;
        return k > 0 && (k == m.n || m.p[k] == ';' || kc_is_blank(m.p[k])) ? 501 : 400;
    }
    return 0;
}

static int
on_connection(struct ke_span v, struct seen *s)
{
    struct ke_span m;
    size_t pos = 0;
    while (next_member(v, &pos, &m)) {
        if (m.n == 0)
            continue;
        if (!is_token(m))
            return 400;
        if (kc_eq_lower(m.p, m.n, "close"))
            s->close = true;
        else if (kc_eq_lower(m.p, m.n, "keep-alive"))
            s->keep_alive = true;
    }
    return 0;
}

static int
on_expect(struct ke_span v, struct seen *s)
{
    struct ke_span m;
    size_t pos = 0;
    while (next_member(v, &pos, &m)) {
        if (m.n == 0)
            continue;
        if (!kc_eq_lower(m.p, m.n, "100-continue"))
            return 417;
        s->expect = true;
    }
    return 0;
}

/* A list field: keep the first line, flag the others. */
static void
on_list(struct ke_span v, struct ke_span *dst, unsigned bit, struct ke_request *req)
{
    if (dst->p)
        req->dups |= bit;
    else
        *dst = v;
}

/* A singleton: keep it if it comes once; on a repeat, flag it (dropped later). */
static void
on_single(struct ke_span v, struct ke_span *dst, unsigned bit, struct ke_request *req,
          struct seen *s)
{
    if (s->singles & bit)
        req->dups |= bit;
    s->singles |= bit;
    *dst = v;
}

static void drop_repeated(struct ke_request *req);

/* Dispatches one field line on its name; returns 0 or an HTTP status. */
static int
on_field(struct ke_span name, struct ke_span v, struct ke_request *req, struct seen *s)
{
    const char *p = name.p;
    size_t n = name.n;
    switch (n) {
    case 3:
        if (kc_eq_lower(p, n, "via"))
            on_list(v, &req->via, KE_DUP_VIA, req);
        break;
    case 4:
        if (kc_eq_lower(p, n, "host")) {
            if (s->host || !valid_host(v.p, v.n, false, false))
                return 400;
            s->host = true;
            if (req->form == KE_TF_ORIGIN || req->form == KE_TF_ASTERISK)
                req->host = v;
        }
        break;
    case 5:
        if (kc_eq_lower(p, n, "range"))
            on_single(v, &req->range, KE_DUP_RANGE, req, s);
        break;
    case 6:
        if (kc_eq_lower(p, n, "expect"))
            return on_expect(v, s);
        break;
    case 8:
        if (kc_eq_lower(p, n, "if-match"))
            on_list(v, &req->if_match, KE_DUP_IF_MATCH, req);
        else if (kc_eq_lower(p, n, "if-range"))
            on_single(v, &req->if_range, KE_DUP_IF_RANGE, req, s);
        break;
    case 10:
        if (kc_eq_lower(p, n, "connection"))
            return on_connection(v, s);
        break;
    case 13:
        if (kc_eq_lower(p, n, "if-none-match"))
            on_list(v, &req->if_none_match, KE_DUP_IF_NONE_MATCH, req);
        else if (kc_eq_lower(p, n, "dictionary-id"))
            on_single(v, &req->dictionary_id, KE_DUP_DICTIONARY_ID, req, s);
        break;
    case 14:
        if (kc_eq_lower(p, n, "content-length"))
            return on_content_length(v, req);
        break;
    case 15:
        if (kc_eq_lower(p, n, "accept-encoding"))
            on_list(v, &req->accept_encoding, KE_DUP_ACCEPT_ENCODING, req);
        break;
    case 17:
        if (kc_eq_lower(p, n, "transfer-encoding"))
            return on_transfer_encoding(v, req, s);
        if (kc_eq_lower(p, n, "if-modified-since"))
            on_single(v, &req->if_modified_since, KE_DUP_IF_MODIFIED_SINCE, req, s);
        break;
    case 19:
        if (kc_eq_lower(p, n, "if-unmodified-since"))
            on_single(v, &req->if_unmodified_since, KE_DUP_IF_UNMODIFIED_SINCE, req, s);
        break;
    case 20:
        if (kc_eq_lower(p, n, "available-dictionary"))
            on_single(v, &req->available_dictionary, KE_DUP_AVAILABLE_DICTIONARY, req, s);
        break;
    }
    return 0;
}

/*
 * The field lines in buf[i..end), end being just past the final CRLF CRLF;
 * scan_head() has vouched for the bytes. Returns 0 or an HTTP status.
 */
static int
parse_fields(const char *buf, size_t i, size_t end, const struct ke_request_limits *lim,
             struct ke_request *req)
{
    struct seen s;
    memset(&s, 0, sizeof s);
    size_t stop = end - 2; /* the final empty line */
    while (i < stop) {
        /* A line starting with SP or HTAB is obs-fold; an empty name or a
         * space before the colon fails the token check too. */
        size_t k = i;
        while (k < stop && kc_is_tchar(buf[k]))
            k++;
        if (k == i || k == stop || buf[k] != ':')
            return 400;
        const char *v = buf + k + 1;
        const char *cr = find_cr(v, buf + stop);
        if (!cr || cr[1] != '\n')
            return 400;
        if (req->n_headers == lim->max_headers)
            return 431;
        struct ke_span name = span(buf + i, k - i);
        struct ke_span value = trim_ows(v, (size_t)(cr - v));
        if (req->headers) {
            req->headers[req->n_headers].name = name;
            req->headers[req->n_headers].value = value;
        }
        req->n_headers++;
        int st = on_field(name, value, req, &s);
        if (st)
            return st;
        i = (size_t)(cr + 2 - buf);
    }

    if (req->minor == 1 && !s.host)
        return 400;
    if (s.te) {
        if (s.n_chunked != 1 || req->content_length >= 0)
            return 400;
        req->chunked = true;
    }
    drop_repeated(req);
    req->keep_alive = !s.close && (req->minor == 1 || s.keep_alive);
    req->expect_continue = s.expect && req->minor == 1;
    return 0;
}

/* Repeated singletons are ignored (see request.h). */
static void
drop_repeated(struct ke_request *req)
{
    if (req->dups & KE_DUP_RANGE)
        req->range = span(NULL, 0);
    if (req->dups & KE_DUP_IF_RANGE) {
        req->if_range = span(NULL, 0);
        req->range = span(NULL, 0);
    }
    if (req->dups & KE_DUP_IF_MODIFIED_SINCE)
        req->if_modified_since = span(NULL, 0);
    if (req->dups & KE_DUP_IF_UNMODIFIED_SINCE)
        req->if_unmodified_since = span(NULL, 0);
    if (req->dups & KE_DUP_AVAILABLE_DICTIONARY)
        req->available_dictionary = span(NULL, 0);
    if (req->dups & KE_DUP_DICTIONARY_ID)
        req->dictionary_id = span(NULL, 0);
}

int
ke_request_from_fields(struct ke_request *req, struct ke_span authority)
{
    struct seen s;
    memset(&s, 0, sizeof s);
    req->method = classify_method(req->method_raw.p, req->method_raw.n);
    req->content_length = -1;
    req->minor = 1;
    req->keep_alive = true;
    /* check_target allows "*" for OPTIONS only; no absolute-form in h2. */
    if (req->target.n == 0 || !check_target(req) ||
        (req->form != KE_TF_ORIGIN && req->form != KE_TF_ASTERISK))
        return fail(req, 400);
    for (unsigned i = 0; i < req->n_headers; i++) {
        int st = on_field(req->headers[i].name, req->headers[i].value, req, &s);
        if (st)
            return fail(req, st);
    }
    /* RFC 9113 §8.3.1: :authority, when present, is the host. */
    if (authority.n) {
        if (!valid_host(authority.p, authority.n, true, false))
            return fail(req, 400);
        req->host = authority;
    }
    drop_repeated(req);
    return 0;
}

int
ke_request_parse(const char *buf, size_t len, size_t prev_len, const struct ke_request_limits *lim,
                 struct ke_request *req)
{
    struct ke_request_limits def;
    if (!lim) {
        ke_request_limits_default(&def);
        lim = &def;
    }
    struct ke_header *headers = req->headers;
    memset(req, 0, sizeof *req);
    req->headers = headers;
    req->content_length = -1;
    if (prev_len > len)
        prev_len = 0;

    /* Nothing at or past cap is ever read: a head must end within max_head
     * (at most INT_MAX, so that the return value fits). */
    size_t max_head = lim->max_head < INT_MAX ? lim->max_head : INT_MAX;
    size_t cap = len < max_head ? len : max_head;
    bool full = len >= max_head;

    size_t i = 0;
    for (unsigned empty = 0; i < cap && buf[i] == '\r'; empty++, i += 2) {
        if (i + 1 == cap)
            return full ? fail(req, 414) : KE_REQ_INCOMPLETE;
        if (buf[i + 1] != '\n' || empty == KE_REQ_MAX_EMPTY_LINES)
            return fail(req, 400);
    }

    long pos = parse_request_line(buf, i, cap, lim, req);
    if (pos == P_ERROR)
        return KE_REQ_ERROR;
    if (pos == P_INCOMPLETE)
        return full ? fail(req, 414) : KE_REQ_INCOMPLETE;

    size_t from = prev_len > 1 ? prev_len - 1 : 0;
    if (from < (size_t)pos)
        from = (size_t)pos;
    long end = scan_head(buf, (size_t)pos, from, cap);
    if (end == P_ERROR)
        return fail(req, 400);
    if (end == P_INCOMPLETE)
        return full ? fail(req, 431) : KE_REQ_INCOMPLETE;

    int st = parse_fields(buf, (size_t)pos, (size_t)end, lim, req);
    if (st)
        return fail(req, st);
    return (int)end;
}
