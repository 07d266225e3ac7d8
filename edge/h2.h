/*
 * HTTP/2 on one connection (RFC 9113), framed by nghttp2: a server session
 * fed the connection's bytes, whose requests become the same ke_request that
 * respond.c answers, and whose DATA frames point into the index's memory.
 * conn.c owns the socket and the timeouts and calls in here; h2.c writes to
 * the socket itself. Cleartext with prior knowledge only, so far
 * (docs/internals/h2.md).
 */
#ifndef KE_H2_H
#define KE_H2_H

#include <stdbool.h>
#include <stddef.h>
#include <uv.h>

struct ke_conn;
struct ke_worker;
struct ke_h2;

/*
 * Whether the bytes a[0..an) then b[0..bn) start with the HTTP/2 connection
 * preface: 1 when its 24 bytes are all there, 0 when every byte so far
 * matches but fewer than 24 came, -1 when it is not the preface.
 */
int ke_h2_preface(const char *a, size_t an, const char *b, size_t bn);

/*
 * A server session for connection c of worker w, writing to stream s, or
 * NULL (out of memory). The SETTINGS frame is queued, not yet sent.
 */
struct ke_h2 *ke_h2_new(struct ke_worker *w, struct ke_conn *c, uv_stream_t *s);

/* Frees the session and every stream's references. Only once the socket's
 * writes have completed or been cancelled (from the close callback). */
void ke_h2_free(struct ke_h2 *h);

/*
 * Input: p[0..n) read from the socket (not kept after the call). Answers the
 * requests it completes and writes what the session has to send. Returns 0,
 * or -1 when the connection must close now.
 */
int ke_h2_recv(struct ke_h2 *h, const char *p, size_t n);

/* Bytes queued in libuv for this session (a write in flight). */
bool ke_h2_writing(const struct ke_h2 *h);

/* The session has ended (GOAWAY both ways, or a fatal error) and has
 * nothing left to send: close the connection. */
bool ke_h2_done(const struct ke_h2 *h);

/* conn.c: a write of the session finished (status < 0: failed). */
void ke_conn_h2_written(struct ke_conn *c, int status);

#endif
