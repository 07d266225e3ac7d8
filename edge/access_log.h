/*
 * The access log of a worker: one line per response, for HTTP/1.x and
 * HTTP/2 alike (the version field says which).
 */
#ifndef KE_ACCESS_LOG_H
#define KE_ACCESS_LOG_H

#include <stdint.h>

struct ke_request;
struct ke_response;
struct ke_worker;

/* The client's address: family 4 or 6 (0: unknown) and its bytes. */
struct ke_peer {
    uint8_t family;
    unsigned char addr[16];
};

/* Appends the line for req answered by r (body_bytes: the body sent, 0 for
 * HEAD and 304, as nginx's $body_bytes_sent) to w's log buffer. */
void ke_access_log(struct ke_worker *w, const struct ke_peer *peer, const struct ke_request *req,
                   const struct ke_response *r, uint64_t body_bytes);

#endif
