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

struct ke_worker;
struct ke_peer;
struct ke_h2;

/*
 * Whether the bytes a[0..an) then b[0..bn) start with the HTTP/2 connection
 * preface: 1 when its 24 bytes are all there, 0 when every byte so far
 * matches but fewer than 24 came, -1 when it is not the preface.
 */
int ke_h2_preface(const char *a, size_t an, const char *b, size_t bn);

/*
 * Where a session's output goes: bufs[0..n), total bytes, frame headers and
 * pointers into the index. Returns 0 when the sink is done with them (sent,
 * copied or encrypted), 1 when it still points into them and will call
 * ke_h2_written once it is not (the session gathers nothing more
 * meanwhile), -1 when the connection must close. It may change bufs. With
 * yield (the session has sent its share of this loop turn), it must queue
 * rather than write now and return 1, so other connections get their turn.
 */
typedef int ke_h2_sink(void *ctx, uv_buf_t *bufs, unsigned n, size_t total, bool yield);

/*
 * A server session for a connection of worker w from peer (for the access
 * log; NULL: unknown), over TLS or not, whose output goes to sink(ctx, ...),
 * or NULL (out of memory). The SETTINGS frame is queued;
 * ke_h2_recv or ke_h2_send sends it.
 */
struct ke_h2 *ke_h2_new(struct ke_worker *w, const struct ke_peer *peer, bool tls, ke_h2_sink *sink,
                        void *ctx);

/* Frees the session and every stream's references. Only once the sink
 * holds nothing of it (from the socket's close callback). */
void ke_h2_free(struct ke_h2 *h);

/*
 * Input: p[0..n) read from the socket (not kept after the call). Answers the
 * requests it completes and writes what the session has to send. Returns 0,
 * or -1 when the connection must close now.
 */
int ke_h2_recv(struct ke_h2 *h, const char *p, size_t n);

/* Sends what the session has queued. 0, or -1: close now. */
int ke_h2_send(struct ke_h2 *h);

/* The sink's write that returned 1 is over: the session sends on. 0, or -1:
 * close now. */
int ke_h2_written(struct ke_h2 *h);

/* A graceful GOAWAY (--max-requests, draining): streams already begun
 * finish, no new one starts; the session is done once they have. Sent with
 * the next output (ke_h2_send). */
void ke_h2_goaway(struct ke_h2 *h);

/* The connection's timeout struck (idle: no stream open for --idle-timeout,
 * GOAWAY sent if the socket takes it; else no progress for --send-timeout):
 * counted; the caller closes. */
void ke_h2_timeout(struct ke_h2 *h, bool idle);

/* Bytes the session still has to send: bodies not yet framed, and a batch
 * the sink holds. The send timeout runs while this does not shrink. */
uint64_t ke_h2_pending(const struct ke_h2 *h);

/* The sink holds a batch (it returned 1 and ke_h2_written has not come). */
bool ke_h2_writing(const struct ke_h2 *h);

/* The session has ended (GOAWAY both ways, or a fatal error) and has
 * nothing left to send: close the connection. */
bool ke_h2_done(const struct ke_h2 *h);

#endif
