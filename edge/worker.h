/*
 * Edge internals shared by server.c (threads, listeners, reload, signals)
 * and conn.c (one connection's life). A worker owns a libuv loop and
 * everything on it; nothing here is touched by another thread except the
 * fields marked atomic. Not part of any public interface.
 */
#ifndef KE_WORKER_H
#define KE_WORKER_H

#include "edge/config.h"
#include "edge/index.h"
#include "edge/metrics.h"
#include "edge/tls.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#define KE_READ_BUF (64 * 1024)
#define KE_TLS_BUF  (16 * 1024) /* one TLS record's plaintext */

/* What a listening socket is for. */
enum ke_listener_kind { KE_L_HTTP, KE_L_TLS, KE_L_REDIRECT };

struct ke_worker;

struct ke_listener {
    uv_tcp_t tcp; /* first: the stream libuv hands ke_conn_accept */
    struct ke_worker *w;
    enum ke_listener_kind kind;
};

/* The timeout lists a connection can be on; each has one fixed timeout, so
 * appending at the tail keeps a list sorted by deadline. */
enum ke_wait { KE_WAIT_NONE, KE_WAIT_IDLE, KE_WAIT_HEAD, KE_WAIT_SEND, KE_WAIT_LINGER, KE_WAIT_N };

struct ke_conn;

struct ke_list {
    struct ke_conn *head, *tail;
};

struct ke_worker {
    unsigned id;
    uv_loop_t loop;
    pthread_t thread;
    struct ke_listener listeners[3 * KE_MAX_LISTEN];
    unsigned n_listeners;
    uv_async_t wake;    /* reload or stop requested */
    uv_timer_t tick;    /* each second: the Date string, the timeout lists */
    uv_prepare_t flush; /* before the loop sleeps: write the access log */
    uv_timer_t drain;   /* after SIGTERM: the --drain-timeout deadline */

    const struct ke_config *cfg;
    struct ke_index *ix; /* this worker's reference to the current index */
    unsigned ix_gen;
    struct ke_tls *tls; /* this worker's reference to the current certificates, or NULL */
    unsigned tls_gen;
    char date[32]; /* IMF-fixdate of the current second */
    int64_t date_sec;
    uint64_t now_ms;

    char rbuf[KE_READ_BUF];   /* every connection reads here; a partial head is
                                 copied out, so idle connections hold no buffer */
    char tls_in[KE_TLS_BUF];  /* a decrypted record, while it is processed */
    char tls_out[KE_TLS_BUF]; /* the plaintext of the record being encrypted */
    struct ke_list wait[KE_WAIT_N];
    unsigned n_conns;
    unsigned conns_peak; /* the most open at a tick since memory was last trimmed */
    bool stopping;
    void *free_writes; /* a few write requests kept for reuse */
    unsigned n_free_writes;
    void *h2_spare;  /* an HTTP/2 output batch kept for reuse (h2.c) */
    int spare_fd;    /* /dev/null, for libuv's EMFILE remedy (ke_conn_refill_spare) */
    void *h2_fields; /* an HTTP/2 stream's header block, kept for reuse */

    char *log; /* access log buffer, flushed by `flush` */
    size_t log_len, log_cap;

    struct ke_metrics m;
};

/* Server-wide state, read by workers. */
struct ke_shared {
    const struct ke_config *cfg;
    pthread_mutex_t mu;
    struct ke_index *current; /* guarded by mu; holds one reference */
    atomic_uint gen;          /* bumped after each swap of current */
    struct ke_tls *tls;       /* guarded by mu; holds one reference; NULL without TLS */
    atomic_uint tls_gen;      /* bumped after each swap of tls */
    char redirect_port[8];    /* ":8443" appended to the host of https redirects, or "" */
    char hsts[64];            /* "Strict-Transport-Security: ...\r\n" or "" */
    atomic_bool stopping;
    int log_fd; /* -1 when the access log is off */
    struct ke_worker *workers;
    unsigned n_workers;
    atomic_ullong reloads;
};

extern struct ke_shared ke_shared;

/* conn.c */
void ke_conn_accept(uv_stream_t *server, int status);
void ke_conn_tick(struct ke_worker *w);
/* Keeps libuv's EMFILE spare descriptor filled (conn.c says why); cheap when
 * it is: call before each poll. */
void ke_conn_refill_spare(struct ke_worker *w);
void ke_conn_stop_idle(struct ke_worker *w);
void ke_conn_close_all(struct ke_worker *w);
void ke_conn_free_cache(struct ke_worker *w); /* after the loop has stopped */

/* server.c */
void ke_worker_refresh_index(struct ke_worker *w);
void ke_worker_refresh_tls(struct ke_worker *w);
struct kc_buf;
void ke_shared_metrics_render(struct kc_buf *out);

#endif
