/*
 * Counters a worker updates on its own thread and the admin endpoint sums:
 * requests by status and encoding, bytes sent, a latency histogram,
 * connections. Relaxed atomics: one writer per worker, readers tolerate a
 * count that is a moment old.
 */
#ifndef KE_METRICS_H
#define KE_METRICS_H

#include "edge/negotiate.h"

#include <stdatomic.h>
#include <stdint.h>

struct kc_buf;

/* Status codes with their own series; the rest count under "other". */
/* clang-format off */
#define KE_METRIC_STATUSES \
    X(200) \
    X(204) \
    X(206) \
    X(301) \
    X(304) \
    X(400) \
    X(404) \
    X(405) \
    X(406) \
    X(408) \
    X(412) \
    X(413) \
    X(414) \
    X(416) \
    X(417) \
    X(431) \
    X(500) \
    X(501) \
    X(503) \
    X(505)
/* clang-format on */

enum ke_status_slot {
#define X(code) KE_SLOT_##code,
    KE_METRIC_STATUSES
#undef X
        KE_SLOT_OTHER,
    KE_SLOT_N
};

/* The protocol a request came in. */
enum ke_proto { KE_PROTO_HTTP10, KE_PROTO_HTTP11, KE_PROTO_H2, KE_PROTO_N };

/* What kiln-edge did to defend itself on an HTTP/2 connection, one counter
 * each (docs/kiln-edge.md#http2 names the option behind each). */
enum ke_h2_defence {
    KE_H2D_REFUSED_STREAM,     /* a stream over --http2-max-streams, refused */
    KE_H2D_HEADER_LIST,        /* a header list over --max-header-size: 431 */
    KE_H2D_RESET_FLOOD,        /* --http2-max-resets spent (rapid reset): GOAWAY */
    KE_H2D_CONTINUATION_FLOOD, /* over --http2-max-continuations: closed */
    KE_H2D_GLITCHES,           /* --http2-max-glitches spent (MadeYouReset...): GOAWAY */
    KE_H2D_CONTROL_FLOOD,      /* over --http2-max-control: GOAWAY */
    KE_H2D_SEND_TIMEOUT,       /* no progress for --send-timeout (zero window): closed */
    KE_H2D_IDLE_TIMEOUT,       /* no stream for --idle-timeout: GOAWAY, closed */
    KE_H2D_N
};

#define KE_LATENCY_BUCKETS 12 /* upper bounds in ke_latency_bounds_us, then +Inf */

struct ke_metrics {
    atomic_ullong requests[KE_SLOT_N][KE_ENC_ALL + 1]; /* last column: no body/encoding */
    atomic_ullong bytes_sent;
    atomic_ullong latency[KE_LATENCY_BUCKETS + 1];
    atomic_ullong latency_sum_us;
    atomic_ullong conns_open;
    atomic_ullong conns_total;
    atomic_ullong conns_refused; /* over --max-connections */
    atomic_ullong tls_full;      /* TLS handshakes completed with a key exchange */
    atomic_ullong tls_resumed;   /* ... resuming a session (ticket or cache) */
    atomic_ullong tls_failed;    /* handshakes that ended in an alert or a close */
    atomic_ullong requests_proto[KE_PROTO_N];
    atomic_ullong h2_sessions[2]; /* HTTP/2 connections: [0] h2c, [1] over TLS (ALPN) */
    atomic_ullong h2_defence[KE_H2D_N];
};

/* Counts one response: the protocol of its request, status, the encoding
 * sent (-1 for none), bytes. */
void ke_metrics_count(struct ke_metrics *m, enum ke_proto proto, int status, int enc,
                      uint64_t bytes);
/* Counts one use of a defence. */
void ke_metrics_h2_defence(struct ke_metrics *m, enum ke_h2_defence d);
/* Counts one request's latency, from a complete head to the last byte
 * handed to the kernel. */
void ke_metrics_latency(struct ke_metrics *m, uint64_t us);

/* Prometheus text exposition (version 0.0.4) of the sum over n workers. */
int ke_metrics_render(const struct ke_metrics *w, unsigned n, const char *release, uint64_t reloads,
                      struct kc_buf *out);

#endif
