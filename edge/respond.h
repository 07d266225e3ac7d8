/*
 * Respond: the HTTP semantics of kiln-edge as a pure function. Given a parsed
 * request and the release index, decides status, variant, preconditions and
 * ranges (RFC 9110) and lays out the response as a head (serialised here)
 * plus body slices that point into the index. No I/O, no allocation: the
 * connection code writes what this returns, and the unit tests check it
 * without sockets.
 */
#ifndef KE_RESPOND_H
#define KE_RESPOND_H

#include "edge/config.h"
#include "edge/index.h"
#include "edge/request.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KE_MAX_PARTS 16   /* multipart/byteranges parts; more ranges get a 200 */
#define KE_HEAD_MAX  8192 /* a 103 Early Hints, then the final head */

struct ke_slice {
    const void *p;
    size_t n;
};

struct ke_response {
    int status;
    bool close;                    /* send Connection: close and close after */
    const struct ke_resource *res; /* NULL for errors without a resource */
    int enc;                       /* the variant sent (enum ke_enc), -1 if none */
    uint64_t body_len;             /* bytes of body (Content-Length) */
    /* The serialised head: status line, headers, empty line. */
    char head[KE_HEAD_MAX];
    size_t head_len;
    /* The body, in order: slices of the variant, and for multipart the part
     * headers, which live in parts[]. Empty for HEAD and bodiless statuses. */
    struct ke_slice body[2 * KE_MAX_PARTS + 2];
    unsigned n_body;
    /* Or, for a large body (whole, or one range), a file to sendfile(2) from:
     * body_len bytes at body_off of body_fd. -1 when the slices are used. */
    int body_fd;
    uint64_t body_off;
    char parts[KE_MAX_PARTS * 160 + 64];
};

/* What the caller tells respond about the connection. */
struct ke_respond_ctx {
    const struct ke_config *cfg;
    const struct ke_index *ix;
    const char *date;  /* the current IMF-fixdate, formatted once a second */
    bool force_close;  /* draining, or the connection's request budget is spent */
    bool no_sendfile;  /* bodies as slices of the mapped file, even large ones (TLS
                          encrypts them in the connection) */
    const char *extra; /* header lines for every response ("Name: v\r\n"...), or NULL:
                          Strict-Transport-Security on TLS */
};

/*
 * Builds the response to req (which ke_request_parse returned >= 0 for, or
 * -1 for with req->status set). Always succeeds: every outcome, including
 * malformed requests, is a response. The body slices stay valid while ctx->ix
 * (and the indexes it chains) is held.
 */
void ke_respond(const struct ke_respond_ctx *ctx, const struct ke_request *req,
                struct ke_response *out);

/*
 * The answer of a plain-HTTP listener that sends everyone to HTTPS: 301 to
 * "https://" + the request's host without its port + port (":8443", or ""
 * for 443) + the path and query, for GET and HEAD; 400 without a host;
 * errors as ke_respond answers them.
 */
void ke_respond_redirect(const struct ke_respond_ctx *ctx, const struct ke_request *req,
                         const char *port, struct ke_response *out);

/* The reason phrase of a status code ("Not Found"); "Unknown" if none. */
const char *ke_status_reason(int status);

#endif
