/*
 * HTTP/1.1 request-head parser (RFC 9112) for kiln-edge, after picohttpparser's
 * contract: pure (no allocation, no globals, no state between calls), strict,
 * resumable by re-calling with more bytes. Every span points into the caller's
 * buffer and lies inside the bytes the successful call consumed; the parser
 * never reads past buf[len - 1], nor past buf[max_head - 1].
 */
#ifndef KE_REQUEST_H
#define KE_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bytes inside the caller's buffer; p may be NULL when n is 0. */
struct ke_span {
    const char *p;
    size_t n;
};

/* One field line: the name as sent (any case), the value trimmed of OWS. */
struct ke_header {
    struct ke_span name, value;
};

/* Methods are case-sensitive (RFC 9110 §9.1): "get" is KE_M_OTHER. */
enum ke_method {
    KE_M_GET,
    KE_M_HEAD,
    KE_M_OPTIONS,
    KE_M_POST,
    KE_M_PUT,
    KE_M_DELETE,
    KE_M_PATCH,
    KE_M_CONNECT,
    KE_M_TRACE,
    KE_M_OTHER,
};

/* RFC 9112 §3.2. The parser accepts each form only where the RFC allows it. */
enum ke_target_form {
    KE_TF_ORIGIN,    /* "/path?query" */
    KE_TF_ABSOLUTE,  /* "http://host/path" or https; the host comes from here */
    KE_TF_AUTHORITY, /* "host:port", CONNECT only */
    KE_TF_ASTERISK,  /* "*", OPTIONS only */
};

/* Bits of ke_request.dups: list fields that came in more than one field line. */
enum {
    KE_DUP_ACCEPT_ENCODING = 1u << 0,
    KE_DUP_IF_NONE_MATCH = 1u << 1,
    KE_DUP_IF_MATCH = 1u << 2,
    KE_DUP_VIA = 1u << 3,
    /* Singletons: a repeat makes the parser drop the field (see below). */
    KE_DUP_RANGE = 1u << 4,
    KE_DUP_IF_RANGE = 1u << 5,
    KE_DUP_IF_MODIFIED_SINCE = 1u << 6,
    KE_DUP_IF_UNMODIFIED_SINCE = 1u << 7,
    KE_DUP_AVAILABLE_DICTIONARY = 1u << 8,
    KE_DUP_DICTIONARY_ID = 1u << 9,
};

struct ke_request_limits {
    size_t max_head;      /* leading empty lines + request line + fields, bytes; 8192 */
    size_t max_target;    /* request-target, bytes; 4096 */
    unsigned max_headers; /* field lines; 64 (also the capacity of ke_request.headers) */
};

#define KE_REQ_ERROR      (-1)
#define KE_REQ_INCOMPLETE (-2)

/* Leading empty lines (CRLF) ignored before the request line (RFC 9112 §2.2). */
#define KE_REQ_MAX_EMPTY_LINES 4

struct ke_request {
    /* In: the caller's array of limits.max_headers entries, or NULL to not keep
     * the field lines (they are still parsed, counted and checked). The parser
     * never changes this pointer. */
    struct ke_header *headers;
    unsigned n_headers;

    enum ke_method method;
    struct ke_span method_raw;
    struct ke_span target; /* raw request-target, for ke_target_normalize() */
    enum ke_target_form form;
    int minor; /* HTTP/1.minor: 0 or 1; 1 over HTTP/2 too */
    bool h2;   /* arrived as an HTTP/2 stream */

    /* Derived while parsing; field names compare case-insensitively. */
    struct ke_span host;    /* from the target in absolute/authority-form, else
                               the Host field; n == 0 if absent or empty */
    int64_t content_length; /* -1 if absent */
    bool chunked;           /* Transfer-Encoding: chunked */
    bool keep_alive;        /* per version and Connection close / keep-alive */
    bool expect_continue;   /* Expect: 100-continue, HTTP/1.1 only */
    struct ke_span accept_encoding, if_none_match, if_match, via; /* lists */
    struct ke_span range, if_range, if_modified_since, if_unmodified_since;
    struct ke_span available_dictionary, dictionary_id; /* RFC 9842 */
    unsigned dups;                                      /* KE_DUP_* bits */

    int status;      /* on KE_REQ_ERROR: the status to answer; 0 otherwise */
    bool must_close; /* on KE_REQ_ERROR: always true (the stream is lost) */
};

/* Fills *lim with the defaults above. */
void ke_request_limits_default(struct ke_request_limits *lim);

/*
 * Parses the request head at the start of buf[0..len).
 *
 * Returns the number of bytes the head takes (> 0, up to and including the
 * final CRLF CRLF; pipelined bytes after it are left alone), KE_REQ_INCOMPLETE
 * when more bytes are needed, or KE_REQ_ERROR with req->status set and
 * req->must_close true. After any error the position in the stream is
 * unknown: answer req->status, then close.
 *
 * Incremental use: call again with the grown buffer and prev_len = the len
 * that last gave KE_REQ_INCOMPLETE (0 the first time); the parser then skips
 * re-scanning old bytes for the end of the head. prev_len must not lie.
 * A buffer of lim->max_head bytes always yields a final answer: a head that
 * has not ended within max_head bytes is 414 while still in the request line,
 * 431 after. Errors are found in byte order, so feeding a head in pieces gives
 * the same answer as feeding it at once, and garbage (a TLS ClientHello, a
 * bad method) is refused as soon as the offending byte arrives.
 *
 * lim NULL means the defaults; a max_head above INT_MAX counts as INT_MAX. req->headers must have
 * room for lim->max_headers entries (or be NULL); everything else in *req is output.
 *
 * Strictness (each an answer of 400 unless noted):
 *   - lines end in CRLF; a bare LF is refused too (RFC 9112 §2.2 lets us
 *     choose: a lenient origin behind a strict or differently lenient proxy
 *     is how requests get smuggled). NUL, DEL and every control byte except
 *     HTAB inside a field value are refused.
 *   - request line: method SP target SP "HTTP/" DIGIT "." DIGIT, single SPs;
 *     method a token; target bytes 0x21-0x7e, longer than max_target: 414;
 *     a valid version other than HTTP/1.0 and HTTP/1.1: 505 (HTTP/1.2 too).
 *     Forms: origin; absolute (http/https, non-empty host, no userinfo);
 *     "*" for OPTIONS only; host:port for CONNECT only, which allows no other.
 *   - fields: name a token directly followed by ':'; obs-fold refused; more
 *     than max_headers: 431.
 *   - Host: required in HTTP/1.1, at most one, host [":" port] with a
 *     reg-name, IPv4 or [IP-literal] host and no '%' escapes (an empty value
 *     is allowed, as RFC 9110 §7.2 asks). In absolute-form it must still be
 *     valid, but req->host is the target's authority (RFC 9112 §3.2.2).
 *   - Content-Length: 1*DIGIT; repeated field lines or a list ("5, 5") are
 *     accepted when every value is the same (RFC 9112 §6.3 allows it, and a
 *     proxy may legitimately merge), different values are refused; a value
 *     past INT64_MAX: 413.
 *   - Transfer-Encoding: only "chunked", exactly once; any other coding: 501
 *     (this origin decodes none); in HTTP/1.0, or together with
 *     Content-Length: 400.
 *   - Connection: a list of tokens; "close" and "keep-alive" count.
 *   - Expect: each member must be "100-continue" (any case), else 417; it
 *     is ignored in HTTP/1.0 (RFC 9110 §10.1.1).
 *   - Repeated list fields (Accept-Encoding, If-None-Match, If-Match, Via)
 *     keep the first span and set their KE_DUP_ bit: walk req->headers to
 *     see the others. Repeated singletons (Range, If-Range,
 *     If-Modified-Since, If-Unmodified-Since, Available-Dictionary,
 *     Dictionary-ID) are dropped (n = 0) with their bit set: RFC 9110
 *     §13.1.3/§13.1.4 say a date "list" is ignored, and a server may ignore
 *     Range; a repeated If-Range drops Range as well, so the answer is the
 *     safe full 200. Two Available-Dictionary lines combine into a list,
 *     which is no valid sf Item: dropping it is what the RFC gives too.
 *
 * A body (content_length > 0 or chunked) is only reported: kiln-edge serves
 * static files and takes no body, so the caller answers 413 (or 405 for the
 * method) and closes, without reading the body.
 */
int ke_request_parse(const char *buf, size_t len, size_t prev_len,
                     const struct ke_request_limits *lim, struct ke_request *req);

/*
 * A request that arrived as separate fields (HTTP/2, RFC 9113 §8.3): the
 * caller has set method_raw (:method), target (:path) and headers[0..n_headers)
 * (the regular fields, names lower-case), with every span in its own memory;
 * authority is :authority (n == 0 if absent). Derives the rest of *req with
 * the same per-field rules as ke_request_parse (lists, singletons,
 * Content-Length, Host), minor 1 and keep_alive. The target must be
 * origin-form ("*" for OPTIONS). Returns 0, or KE_REQ_ERROR with req->status
 * set (the caller answers it on the stream).
 */
int ke_request_from_fields(struct ke_request *req, struct ke_span authority);

/* "GET", "HEAD"...; "OTHER" for KE_M_OTHER (see method_raw). Never NULL. */
const char *ke_method_name(enum ke_method m);

#endif
