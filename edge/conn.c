/*
 * One connection: read, parse (pipelined requests in order), respond, write,
 * keep alive or close. Reads land in the worker's shared buffer; only a head
 * split across reads is copied into the connection, so an idle keep-alive
 * connection holds its uv_tcp_t and this struct, nothing more. Timeouts are
 * per-worker lists with one fixed timeout each, swept by a one-second tick.
 */
#include "common/clock.h"
#include "common/ascii.h"
#include "common/log.h"
#include "common/vec.h"
#include "edge/access_log.h"
#include "edge/h2.h"
#include "edge/respond.h"
#include "edge/worker.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_PENDING     32   /* pipelined responses queued before reading pauses */
#define RESUME_PENDING  8    /* ... and resumes */
#define LINGER_MS       2000 /* reading and discarding after our FIN */
#define MAX_FREE_WRITES 64
#define MAX_HEADERS     1024       /* the most --max-headers allows */
#define SENDFILE_CHUNK  (4u << 20) /* one sendfile(2) call: the loop stays fair */

/* TLS records: the first bytes after a pause go out in records that fit one
 * TCP segment (1380 bytes of plaintext: an IPv6 MSS with timestamps, less
 * the AES-GCM record overhead), so the browser can decrypt and parse what
 * arrives without waiting for a 16 KiB record to complete; after TLS_RAMP
 * bytes, full records, for throughput (the scheme H2O and Google's servers
 * use). Encryption runs ahead of the socket by at most TLS_QUEUE_HIGH. */
#define TLS_SMALL_RECORD 1380
#define TLS_RAMP         (16u << 10)
#define TLS_IDLE_MS      1000
#define TLS_QUEUE_HIGH   (64u << 10)
struct ke_conn {
    uv_tcp_t tcp; /* first: the handle's address is the connection's */
    struct ke_worker *w;
    struct ke_conn *prev, *next; /* on w->wait[wait] */
    uint64_t deadline;
    char *buf; /* a partial head (malloc'd), or NULL */
    uint32_t len, cap, parsed;
    uint32_t requests;
    uint64_t queued;         /* write queue size at the last check: progress detector */
    uint16_t pending;        /* writes in flight */
    uint8_t wait;            /* enum ke_wait */
    bool closing;            /* a response said close: no more requests */
    bool paused;             /* reading stopped for backpressure */
    bool shut;               /* FIN sent, lingering */
    bool in_process;         /* process() is on the stack: do not re-enter it */
    struct ke_peer peer;     /* for the access log */
    struct wreq *sf;         /* the response being streamed: its body by sendfile(2), or
                                with TLS the whole response, encrypted as the socket drains */
    struct sf_poll *poll;    /* writability of the socket while sendfile waits */
    uint8_t kind;            /* enum ke_listener_kind */
    bool in_tls;             /* tls_input() is on the stack */
    struct ke_tls_sess *tls; /* TLS connections only */
    uint64_t tls_sent;       /* plaintext bytes since the last pause: record sizing */
    uint64_t tls_last;       /* loop time of the last record */
    struct ke_h2 *h2;        /* an HTTP/2 connection's session, or NULL */
};

/* A TLS write: ciphertext the socket did not take at once, owned until its
 * callback. */
struct tls_wbuf {
    uv_write_t req;
    struct ke_conn *c;
    void *data;
};

/* libuv cannot watch one descriptor twice, and the socket belongs to the
 * uv_tcp_t: a dup(2) of it, in a uv_poll_t, tells when sendfile may go on
 * (epoll registers the pair of descriptor and file, so both coexist). */
struct sf_poll {
    uv_poll_t h;
    int fd;
};

struct wreq {
    uv_write_t req;
    struct wreq *next_free;
    struct ke_conn *c;
    struct ke_index *ix;
    uint64_t start_ns;
    uint64_t sf_off, sf_left; /* sendfile progress */
    struct ke_response resp;
};

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf);
static void process(struct ke_conn *c, char *p, size_t n);
static void sf_pump(struct ke_conn *c);
static void tls_pump(struct ke_conn *c);
static void tls_input(struct ke_conn *c, const char *p, size_t n);
static int tls_flush(struct ke_conn *c);
static int tls_send(struct ke_conn *c, bool try_now);

/* ---- timeout lists ------------------------------------------------------------ */

static void
unlink_wait(struct ke_conn *c)
{
    if (c->wait == KE_WAIT_NONE)
        return;
    struct ke_list *l = &c->w->wait[c->wait];
    if (c->prev)
        c->prev->next = c->next;
    else
        l->head = c->next;
    if (c->next)
        c->next->prev = c->prev;
    else
        l->tail = c->prev;
    c->prev = c->next = NULL;
    c->wait = KE_WAIT_NONE;
}

/* Moves c to the tail of list `wait` with a deadline `ms` from now. "Now" is
 * read afresh: uv_now() is the time the loop iteration began, and one
 * iteration can run for seconds when it holds hundreds of TLS handshakes; a
 * deadline counted from its start would already be over when the timers run
 * next, before the connection's waiting bytes are read. */
static void
set_wait(struct ke_conn *c, enum ke_wait wait, unsigned ms)
{
    unlink_wait(c);
    struct ke_list *l = &c->w->wait[wait];
    c->wait = (uint8_t)wait;
    uv_update_time(&c->w->loop);
    c->deadline = uv_now(&c->w->loop) + ms;
    c->prev = l->tail;
    c->next = NULL;
    if (l->tail)
        l->tail->next = c;
    else
        l->head = c;
    l->tail = c;
}

/* ---- closing ---------------------------------------------------------------------- */

static void
on_close(uv_handle_t *h)
{
    struct ke_conn *c = (struct ke_conn *)h;
    struct ke_worker *w = c->w;
    w->n_conns--;
    atomic_fetch_sub_explicit(&w->m.conns_open, 1, memory_order_relaxed);
    ke_tls_sess_free(c->tls);
    ke_h2_free(c->h2);
    free(c->buf);
    free(c);
}

static void
on_poll_close(uv_handle_t *h)
{
    struct sf_poll *p = (struct sf_poll *)h;
    close(p->fd);
    free(p);
}

static void release_write(struct ke_worker *w, struct wreq *wr);

static void
conn_close(struct ke_conn *c)
{
    if (uv_is_closing((uv_handle_t *)&c->tcp))
        return;
    unlink_wait(c);
    /* An orderly end of a TLS session (an idle timeout, a drain) says so
     * with close_notify, if the socket takes it now. */
    if (c->tls && !c->shut && ke_tls_sess_established(c->tls) &&
        uv_stream_get_write_queue_size((uv_stream_t *)&c->tcp) == 0) {
        const unsigned char *p;
        size_t n;
        ke_tls_sess_close_notify(c->tls);
        ke_tls_sess_output(c->tls, &p, &n);
        uv_buf_t b = uv_buf_init((char *)p, (unsigned)n);
        if (n)
            uv_try_write((uv_stream_t *)&c->tcp, &b, 1);
    }
    if (c->sf) {
        release_write(c->w, c->sf);
        c->sf = NULL;
        c->pending--;
    }
    if (c->poll) {
        uv_close((uv_handle_t *)&c->poll->h, on_poll_close);
        c->poll = NULL;
    }
    uv_close((uv_handle_t *)&c->tcp, on_close);
}

static void
on_linger_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    (void)buf;
    if (nread < 0)
        conn_close((struct ke_conn *)s);
}

static void
on_shutdown(uv_shutdown_t *req, int status)
{
    struct ke_conn *c = (struct ke_conn *)req->handle;
    free(req);
    if (status < 0)
        conn_close(c);
}

static void
alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)suggested;
    struct ke_conn *c = (struct ke_conn *)h;
    buf->base = c->w->rbuf;
    buf->len = sizeof c->w->rbuf;
}

/* After the last response of a connection that closes: send our FIN, then
 * keep reading (and discarding) for a moment, so that request bytes the
 * client had already sent do not make the kernel answer with a RST that
 * could destroy the response in flight (nginx's lingering close). */
static void
linger(struct ke_conn *c)
{
    if (c->shut || uv_is_closing((uv_handle_t *)&c->tcp))
        return;
    if (c->tls) {
        ke_tls_sess_close_notify(c->tls);
        if (tls_flush(c) != 0)
            return;
    }
    c->shut = true;
    uv_shutdown_t *req = malloc(sizeof *req);
    if (!req || uv_shutdown(req, (uv_stream_t *)&c->tcp, on_shutdown) != 0) {
        free(req);
        conn_close(c);
        return;
    }
    uv_read_stop((uv_stream_t *)&c->tcp);
    uv_read_start((uv_stream_t *)&c->tcp, alloc_cb, on_linger_read);
    set_wait(c, KE_WAIT_LINGER, LINGER_MS);
}

/* ---- writing ------------------------------------------------------------------------------ */

static struct wreq *
wreq_get(struct ke_worker *w)
{
    struct wreq *r = w->free_writes;
    if (r) {
        w->free_writes = r->next_free;
        w->n_free_writes--;
        return r;
    }
    return malloc(sizeof *r);
}

static void
wreq_put(struct ke_worker *w, struct wreq *r)
{
    if (w->n_free_writes < MAX_FREE_WRITES) {
        r->next_free = w->free_writes;
        w->free_writes = r;
        w->n_free_writes++;
    } else {
        free(r);
    }
}

/* Bytes still to send: libuv's write queue plus a sendfile in progress.
 * The send timeout is reset whenever this shrinks. */
static uint64_t
backlog(struct ke_conn *c)
{
    return uv_stream_get_write_queue_size((uv_stream_t *)&c->tcp) + (c->sf ? c->sf->sf_left : 0) +
           (c->h2 ? ke_h2_pending(c->h2) : 0);
}

static void
release_write(struct ke_worker *w, struct wreq *wr)
{
    ke_metrics_latency(&w->m, (kc_clock_ns() - wr->start_ns) / 1000);
    ke_index_release(wr->ix);
    wreq_put(w, wr);
}

/* Reading stopped for backpressure starts again once the responses in
 * flight (and, with TLS, the ciphertext queue) are small again; TLS input
 * that was read but not yet decrypted is processed first. */
static void
maybe_resume(struct ke_conn *c)
{
    if (!c->paused || c->pending > RESUME_PENDING || uv_is_closing((uv_handle_t *)&c->tcp))
        return;
    if (c->tls &&
        (c->sf || uv_stream_get_write_queue_size((uv_stream_t *)&c->tcp) >= TLS_QUEUE_HIGH))
        return;
    c->paused = false;
    uv_read_start((uv_stream_t *)&c->tcp, alloc_cb, on_read);
    if (c->tls && !c->in_tls && ke_tls_sess_has_input(c->tls))
        tls_input(c, NULL, 0);
}

/* One response is out (status 0) or failed. Decides what the connection
 * waits for next, and resumes requests that waited behind a sendfile. */
static void
write_done(struct ke_conn *c, struct wreq *wr, int status)
{
    struct ke_worker *w = c->w;
    release_write(w, wr);
    c->pending--;
    if (uv_is_closing((uv_handle_t *)&c->tcp))
        return;
    if (status < 0) {
        conn_close(c);
        return;
    }
    if (c->pending > 0) {
        c->queued = backlog(c);
        set_wait(c, KE_WAIT_SEND, w->cfg->send_timeout); /* progress: a fresh deadline */
    } else if (c->closing) {
        linger(c);
        return;
    } else if (c->len > 0) {
        set_wait(c, KE_WAIT_HEAD, w->cfg->header_timeout);
    } else {
        set_wait(c, KE_WAIT_IDLE, w->cfg->idle_timeout);
    }
    if (!c->sf && c->len > 0 && !c->in_process)
        process(c, c->buf, c->len); /* requests that arrived during a sendfile */
    maybe_resume(c);
}

static void
on_write(uv_write_t *req, int status)
{
    struct wreq *wr = (struct wreq *)req;
    write_done(wr->c, wr, status);
}

static void
on_sf_writable(uv_poll_t *h, int status, int events)
{
    (void)events;
    struct ke_conn *c = h->data;
    uv_poll_stop(h);
    if (status < 0) {
        struct wreq *wr = c->sf;
        c->sf = NULL;
        write_done(c, wr, status);
        return;
    }
    sf_pump(c);
}

/* Sends the body of c->sf with sendfile(2) until it is out, or the socket is
 * full (then waits for writability), or an error closes the connection. */
static void
sf_pump(struct ke_conn *c)
{
    struct wreq *wr = c->sf;
    uv_os_fd_t sock;
    int status = uv_fileno((uv_handle_t *)&c->tcp, &sock);
    while (status == 0 && wr->sf_left > 0) {
        off_t off = (off_t)wr->sf_off;
        size_t chunk = wr->sf_left < SENDFILE_CHUNK ? (size_t)wr->sf_left : SENDFILE_CHUNK;
        ssize_t n = sendfile(sock, wr->resp.body_fd, &off, chunk);
        if (n > 0) {
            wr->sf_off += (uint64_t)n;
            wr->sf_left -= (uint64_t)n;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (!c->poll) {
                struct sf_poll *p = malloc(sizeof *p);
                int fd = fcntl(sock, F_DUPFD_CLOEXEC, 0);
                if (!p || fd < 0 || uv_poll_init(&c->w->loop, &p->h, fd) != 0) {
                    free(p);
                    if (fd >= 0)
                        close(fd);
                    status = UV_ENOMEM;
                    break;
                }
                p->fd = fd;
                p->h.data = c;
                c->poll = p;
            }
            uv_poll_start(&c->poll->h, UV_WRITABLE, on_sf_writable);
            return;
        } else {
            status = n < 0 ? uv_translate_sys_error(errno) : UV_EIO; /* 0: file shrank */
        }
    }
    c->sf = NULL;
    write_done(c, wr, status);
}

static void
on_head_written(uv_write_t *req, int status)
{
    struct wreq *wr = (struct wreq *)req;
    struct ke_conn *c = wr->c;
    if (status < 0 || uv_is_closing((uv_handle_t *)&c->tcp)) {
        if (c->sf == wr) {
            c->sf = NULL;
            write_done(c, wr, status < 0 ? status : UV_ECANCELED);
        }
        return;
    }
    sf_pump(c);
}

/* Queues the head of a sendfile response, then the body follows from
 * sf_pump. With nothing else queued, the head goes out right here with
 * MSG_MORE, so head and first body bytes share packets. */
static int
start_sendfile(struct ke_conn *c, struct wreq *wr)
{
    struct ke_response *r = &wr->resp;
    wr->sf_off = r->body_off;
    wr->sf_left = r->body_len;
    c->sf = wr;
    size_t sent = 0;
    uv_os_fd_t sock;
    if (uv_stream_get_write_queue_size((uv_stream_t *)&c->tcp) == 0 &&
        uv_fileno((uv_handle_t *)&c->tcp, &sock) == 0) {
        ssize_t n = send(sock, r->head, r->head_len, MSG_MORE | MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            return -1;
        sent = n > 0 ? (size_t)n : 0;
    }
    if (sent == r->head_len) {
        sf_pump(c);
        return 0;
    }
    uv_buf_t b = uv_buf_init(r->head + sent, (unsigned)(r->head_len - sent));
    return uv_write(&wr->req, (uv_stream_t *)&c->tcp, &b, 1, on_head_written) == 0 ? 0 : -1;
}

/* Answers one request (or a malformed one) on c. */
static void
respond(struct ke_conn *c, const struct ke_request *req)
{
    struct ke_worker *w = c->w;
    ke_worker_refresh_index(w);
    struct wreq *wr = wreq_get(w);
    if (!wr) {
        conn_close(c);
        return;
    }
    c->requests++;
    struct ke_respond_ctx ctx = {
        .cfg = w->cfg,
        .ix = w->ix,
        .date = w->date,
        .force_close = w->stopping || (w->cfg->max_requests && c->requests >= w->cfg->max_requests),
        .no_sendfile = c->tls != NULL,
        .extra = c->tls && ke_shared.hsts[0] ? ke_shared.hsts : NULL,
    };
    wr->start_ns = kc_clock_ns();
    if (c->kind == KE_L_REDIRECT)
        ke_respond_redirect(&ctx, req, ke_shared.redirect_port, &wr->resp);
    else
        ke_respond(&ctx, req, &wr->resp);
    struct ke_response *r = &wr->resp;
    uint64_t body_bytes = r->body_fd >= 0 ? r->body_len : 0;
    for (unsigned i = 0; i < r->n_body; i++)
        body_bytes += r->body[i].n;
    if (ke_shared.log_fd >= 0)
        ke_access_log(w, &c->peer, req, r, body_bytes);
    ke_metrics_count(&w->m, req->minor ? KE_PROTO_HTTP11 : KE_PROTO_HTTP10, r->status,
                     body_bytes ? r->enc : -1, r->head_len + body_bytes);
    wr->c = c;
    wr->ix = w->ix;
    ke_index_hold(wr->ix);
    if (r->close)
        c->closing = true;
    c->pending++;
    set_wait(c, KE_WAIT_SEND, w->cfg->send_timeout);
    int rc;
    if (c->tls) {
        /* Encrypted as the socket drains: done (write_done) now for most. */
        wr->sf_off = 0;
        wr->sf_left = r->head_len;
        for (unsigned i = 0; i < r->n_body; i++)
            wr->sf_left += r->body[i].n;
        c->sf = wr;
        tls_pump(c);
        rc = 0;
    } else if (r->body_fd >= 0) {
        rc = start_sendfile(c, wr);
    } else {
        uv_buf_t bufs[1 + sizeof r->body / sizeof r->body[0]];
        bufs[0] = uv_buf_init(r->head, (unsigned)r->head_len);
        unsigned nb = 1;
        size_t total = r->head_len;
        for (unsigned i = 0; i < r->n_body; i++) {
            if (r->body[i].n)
                bufs[nb++] = uv_buf_init((char *)r->body[i].p, (unsigned)r->body[i].n);
            total += r->body[i].n;
        }
        /* Most responses fit the socket buffer: write them now. A completed
         * write then costs no write request, no deferred callback and no
         * epoll_ctl (libuv 1.44 issues one per queued write). */
        int n = uv_stream_get_write_queue_size((uv_stream_t *)&c->tcp) == 0
                    ? uv_try_write((uv_stream_t *)&c->tcp, bufs, nb)
                    : UV_EAGAIN;
        if (n >= 0 && (size_t)n == total) {
            write_done(c, wr, 0);
            return;
        }
        if (n < 0 && n != UV_EAGAIN) {
            rc = n;
        } else {
            size_t skip = n > 0 ? (size_t)n : 0;
            unsigned first = 0;
            while (skip >= bufs[first].len) {
                skip -= bufs[first].len;
                first++;
            }
            bufs[first].base += skip;
            bufs[first].len -= (unsigned)skip;
            rc = uv_write(&wr->req, (uv_stream_t *)&c->tcp, bufs + first, nb - first, on_write);
        }
    }
    if (rc != 0) {
        if (c->sf == wr)
            c->sf = NULL;
        release_write(w, wr);
        c->pending--;
        conn_close(c);
        return;
    }
    if (!uv_is_closing((uv_handle_t *)&c->tcp) && c->wait == KE_WAIT_SEND)
        c->queued = backlog(c);
}

/* Parses and answers every complete request in p[0..n). Keeps an incomplete
 * tail in c->buf. p is either the worker's read buffer or c->buf. */
static void
process(struct ke_conn *c, char *p, size_t n)
{
    struct ke_worker *w = c->w;
    struct ke_request_limits lim = {
        .max_head = w->cfg->max_head,
        .max_target = w->cfg->max_target,
        .max_headers = w->cfg->max_headers < MAX_HEADERS ? w->cfg->max_headers : MAX_HEADERS,
    };
    struct ke_header hdrs[MAX_HEADERS];
    size_t off = 0, prev = c->parsed;
    bool incomplete = false;
    c->in_process = true;
    /* A response being sent with sendfile holds back the next ones: they
     * are parsed once it is out (write_done), keeping responses in order. */
    while (off < n && !c->closing && !c->sf && !uv_is_closing((uv_handle_t *)&c->tcp)) {
        struct ke_request req;
        memset(&req, 0, sizeof req);
        req.headers = hdrs;
        int rc = ke_request_parse(p + off, n - off, prev, &lim, &req);
        if (rc == KE_REQ_INCOMPLETE) {
            incomplete = true;
            break;
        }
        respond(c, &req);
        if (rc < 0)
            break; /* the response closes the connection */
        off += (size_t)rc;
        prev = 0;
    }
    c->in_process = false;
    if (uv_is_closing((uv_handle_t *)&c->tcp))
        return;
    size_t rest = c->closing ? 0 : n - off;
    if (rest == 0) {
        /* Nothing pending: give the buffer back (idle connections hold none). */
        free(c->buf);
        c->buf = NULL;
        c->len = c->cap = c->parsed = 0;
        if (c->pending == 0 && !c->closing)
            set_wait(c, KE_WAIT_IDLE, w->cfg->idle_timeout);
    } else {
        if (p != c->buf) {
            if (rest > c->cap) {
                char *nb = realloc(c->buf, rest);
                if (!nb) {
                    conn_close(c);
                    return;
                }
                c->buf = nb;
                c->cap = (uint32_t)rest;
            }
            memcpy(c->buf, p + off, rest);
        } else if (off > 0) {
            memmove(c->buf, c->buf + off, rest);
        }
        bool fresh = c->len == 0 || off > 0;
        c->len = (uint32_t)rest;
        /* prev_len is only for a head the parser has seen end without CRLF
         * CRLF; bytes held back behind a sendfile have not been parsed. */
        c->parsed = incomplete ? (uint32_t)rest : 0;
        /* The header timeout runs from the head's first byte, not the last:
         * a client sending one byte a second must not hold the slot. */
        if (fresh && c->pending == 0)
            set_wait(c, KE_WAIT_HEAD, w->cfg->header_timeout);
    }
    if (c->pending >= MAX_PENDING && !c->paused) {
        c->paused = true;
        uv_read_stop((uv_stream_t *)&c->tcp);
    }
}

/* The peer closed its side (or the connection failed). Responses still
 * being written are lost to a reset peer anyway; a half-closed peer still
 * gets them. */
static void
peer_closed(struct ke_conn *c, ssize_t status)
{
    if (status == UV_EOF && c->pending > 0 && !c->closing) {
        c->closing = true;
        uv_read_stop((uv_stream_t *)&c->tcp);
        return;
    }
    conn_close(c);
}

/* After HTTP/2 input or output: close, or wait for the socket (SEND, with
 * reading paused so a client that does not read cannot make the session
 * queue without bound), for the client's window (SEND too: bodies are
 * pending, and the send timeout ends a stall), or for the next request
 * (IDLE). */
static void
h2_wait(struct ke_conn *c)
{
    struct ke_worker *w = c->w;
    if (uv_is_closing((uv_handle_t *)&c->tcp) || c->shut)
        return;
    /* Done (GOAWAY both ways, or ours after an error): a lingering close as
     * for HTTP/1.1, so frames the client sent meanwhile (a WINDOW_UPDATE, a
     * PING) cannot make the kernel reset what is still in flight. */
    if (ke_h2_done(c->h2)) {
        c->closing = true;
        linger(c);
        return;
    }
    bool writing = ke_h2_writing(c->h2);
    if (writing || ke_h2_pending(c->h2) > 0) {
        if (c->wait != KE_WAIT_SEND) {
            c->queued = backlog(c);
            set_wait(c, KE_WAIT_SEND, w->cfg->send_timeout);
        }
    } else {
        set_wait(c, KE_WAIT_IDLE, w->cfg->idle_timeout);
    }
    if (writing && !c->paused) {
        c->paused = true;
        uv_read_stop((uv_stream_t *)&c->tcp);
    } else if (!writing && c->paused) {
        c->paused = false;
        uv_read_start((uv_stream_t *)&c->tcp, alloc_cb, on_read);
        if (c->tls && !c->in_tls && ke_tls_sess_has_input(c->tls))
            tls_input(c, NULL, 0); /* records read before the pause */
    }
}

/* The sink's write is over: the session sends on, or the connection ends. */
static void
h2_written(struct ke_conn *c, int status)
{
    if (status < 0 || ke_h2_written(c->h2) != 0)
        conn_close(c);
    else
        h2_wait(c);
}

struct h2_wreq {
    uv_write_t req;
    struct ke_conn *c;
};

static void
on_h2_written(uv_write_t *req, int status)
{
    struct ke_conn *c = ((struct h2_wreq *)req)->c;
    free(req);
    if (!uv_is_closing((uv_handle_t *)&c->tcp))
        h2_written(c, status);
}

/* Cleartext: what the socket takes now is sent (unless yielding); for the
 * rest, libuv keeps pointers into the batch (no copy) until on_h2_written. */
static int
h2_sink_plain(void *ctx, uv_buf_t *bufs, unsigned n, size_t total, bool yield)
{
    struct ke_conn *c = ctx;
    uv_stream_t *st = (uv_stream_t *)&c->tcp;
    int k = yield ? 0 : uv_try_write(st, bufs, n);
    if (k < 0 && k != UV_EAGAIN)
        return -1;
    size_t sent = k > 0 ? (size_t)k : 0;
    if (sent == total)
        return 0;
    while (sent >= bufs->len)
        sent -= bufs->len, bufs++, n--;
    bufs->base += sent;
    bufs->len -= (unsigned)sent;
    struct h2_wreq *wr = malloc(sizeof *wr);
    if (!wr)
        return -1;
    wr->c = c;
    if (uv_write(&wr->req, st, bufs, n, on_h2_written) != 0) {
        free(wr);
        return -1;
    }
    return 1;
}

/* TLS record sizing (see TLS_SMALL_RECORD): a pause starts the ramp again. */
static void
tls_ramp_start(struct ke_conn *c)
{
    uint64_t now = uv_now(&c->w->loop);
    if (now - c->tls_last > TLS_IDLE_MS)
        c->tls_sent = 0; /* after a pause TCP's window may have shrunk again */
    c->tls_last = now;
}

/* The plaintext of the next record. */
static size_t
tls_record_max(const struct ke_conn *c)
{
    return c->tls_sent < TLS_RAMP ? TLS_SMALL_RECORD : KE_TLS_BUF;
}

/* Encrypts w->tls_out[0..n) as one record. 0, or -1. */
static int
tls_record(struct ke_conn *c, size_t n)
{
    if (ke_tls_sess_write(c->tls, c->w->tls_out, n) != 0)
        return -1;
    c->tls_sent += n;
    return 0;
}

/* TLS: the batch is encrypted into records at once (sized as tls_pump
 * sizes them), so the sink never keeps it; the session waits while
 * ciphertext is queued, and on_tls_written tells it to go on. */
static int
h2_sink_tls(void *ctx, uv_buf_t *bufs, unsigned n, size_t total, bool yield)
{
    (void)total;
    struct ke_conn *c = ctx;
    tls_ramp_start(c);
    size_t fill = 0;
    for (unsigned i = 0; i < n; i++) {
        const char *p = bufs[i].base;
        size_t left = bufs[i].len;
        while (left > 0) {
            size_t max = tls_record_max(c);
            size_t take = left < max - fill ? left : max - fill;
            memcpy(c->w->tls_out + fill, p, take);
            fill += take, p += take, left -= take;
            if (fill == max) {
                if (tls_record(c, fill) != 0)
                    return -1;
                fill = 0;
            }
        }
    }
    if (fill > 0 && tls_record(c, fill) != 0)
        return -1;
    if (tls_send(c, !yield) != 0)
        return -1;
    return uv_stream_get_write_queue_size((uv_stream_t *)&c->tcp) > 0 ? 1 : 0;
}

static void
h2_input(struct ke_conn *c, const char *p, size_t n)
{
    if (ke_h2_recv(c->h2, p, n) != 0)
        conn_close(c);
    else
        h2_wait(c);
}

/* The session of a connection that speaks HTTP/2; false when the connection
 * had to close. */
static bool
h2_start(struct ke_conn *c)
{
    c->h2 = ke_h2_new(c->w, &c->peer, c->tls != NULL, c->tls ? h2_sink_tls : h2_sink_plain, c);
    if (!c->h2)
        conn_close(c);
    return c->h2 != NULL;
}

/* A cleartext connection that starts with the HTTP/2 preface (prior
 * knowledge) becomes an HTTP/2 one: true when p[0..n) was taken here, kept
 * as a partial preface or handed to the new session with what came before. */
static bool
h2_detect(struct ke_conn *c, const char *p, size_t n)
{
    int pf = ke_h2_preface(c->buf, c->len, p, n);
    if (pf < 0)
        return false;
    if (pf == 0) {
        char *nb = realloc(c->buf, c->len + n);
        if (!nb) {
            conn_close(c);
            return true;
        }
        memcpy(nb + c->len, p, n);
        c->buf = nb;
        c->len = c->cap = (uint32_t)(c->len + n);
        return true;
    }
    if (!h2_start(c))
        return true;
    char *kept = c->buf;
    size_t kept_len = c->len;
    c->buf = NULL;
    c->len = c->cap = c->parsed = 0;
    int rc = kept_len ? ke_h2_recv(c->h2, kept, kept_len) : 0;
    free(kept);
    if (rc != 0)
        conn_close(c);
    else
        h2_input(c, p, n);
    return true;
}

/* Request bytes (plaintext) p[0..n): process them, after a partial head
 * kept from before if there is one. */
static void
deliver(struct ke_conn *c, char *p, size_t n)
{
    if (c->h2) {
        h2_input(c, p, n);
        return;
    }
    if (c->requests == 0 && c->kind == KE_L_HTTP && !c->tls && c->w->cfg->http2 &&
        h2_detect(c, p, n))
        return;
    if (c->len == 0) {
        process(c, p, n);
        return;
    }
    /* Continue a partial head. The parser refuses heads over max_head, so
     * the copy never needs to grow far past it. */
    size_t room = c->w->cfg->max_head + 1;
    size_t take = n;
    size_t need = c->len + take;
    if (need > room + KE_READ_BUF)
        need = room + KE_READ_BUF, take = need - c->len;
    if (need > c->cap) {
        char *nb = realloc(c->buf, need);
        if (!nb) {
            conn_close(c);
            return;
        }
        c->buf = nb;
        c->cap = (uint32_t)need;
    }
    memcpy(c->buf + c->len, p, take);
    c->len = (uint32_t)need;
    process(c, c->buf, c->len);
}

static void
on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    struct ke_conn *c = (struct ke_conn *)s;
    if (nread < 0) {
        peer_closed(c, nread);
        return;
    }
    if (nread == 0 || c->closing)
        return;
    if (c->tls)
        tls_input(c, buf->base, (size_t)nread);
    else
        deliver(c, buf->base, (size_t)nread);
}

/* ---- TLS ----------------------------------------------------------------------------------------
 */

static void
on_tls_written(uv_write_t *req, int status)
{
    struct tls_wbuf *wb = (struct tls_wbuf *)req;
    struct ke_conn *c = wb->c;
    free(wb->data);
    free(wb);
    if (uv_is_closing((uv_handle_t *)&c->tcp))
        return;
    if (status < 0) {
        conn_close(c);
        return;
    }
    if (c->h2) {
        if (ke_h2_writing(c->h2) && uv_stream_get_write_queue_size((uv_stream_t *)&c->tcp) == 0)
            h2_written(c, 0);
    } else if (c->sf) {
        tls_pump(c);
    } else {
        maybe_resume(c);
    }
}

/* Sends the session's pending ciphertext: now if the socket takes it (and
 * try_now), else queued (the buffer goes with the write). Returns 0, or -1
 * when the connection was closed. */
static int
tls_send(struct ke_conn *c, bool try_now)
{
    uv_stream_t *st = (uv_stream_t *)&c->tcp;
    const unsigned char *p;
    size_t n;
    ke_tls_sess_output(c->tls, &p, &n);
    if (n == 0)
        return 0;
    if (try_now && uv_stream_get_write_queue_size(st) == 0) {
        uv_buf_t b = uv_buf_init((char *)p, (unsigned)n);
        int k = uv_try_write(st, &b, 1);
        if (k < 0 && k != UV_EAGAIN) {
            conn_close(c);
            return -1;
        }
        if (k > 0) {
            ke_tls_sess_consumed(c->tls, (size_t)k);
            if ((size_t)k == n)
                return 0;
        }
    }
    struct tls_wbuf *wb = malloc(sizeof *wb);
    if (!wb) {
        conn_close(c);
        return -1;
    }
    wb->c = c;
    wb->data = ke_tls_sess_detach(c->tls, &p, &n);
    uv_buf_t b = uv_buf_init((char *)p, (unsigned)n);
    if (uv_write(&wb->req, st, &b, 1, on_tls_written) != 0) {
        free(wb->data);
        free(wb);
        conn_close(c);
        return -1;
    }
    return 0;
}

static int
tls_flush(struct ke_conn *c)
{
    return tls_send(c, true);
}

/* A fatal TLS error: the alert mbedTLS queued goes out if the socket takes
 * it, then the connection closes. */
static void
tls_fail(struct ke_conn *c, bool handshake)
{
    if (handshake)
        atomic_fetch_add_explicit(&c->w->m.tls_failed, 1, memory_order_relaxed);
    if (kc_log_level() >= KC_LOG_DEBUG) {
        char why[128];
        kc_debug("TLS: %s", ke_tls_sess_error(c->tls, why, sizeof why));
    }
    const unsigned char *p;
    size_t n;
    ke_tls_sess_output(c->tls, &p, &n);
    uv_buf_t b = uv_buf_init((char *)p, (unsigned)n);
    if (n && uv_stream_get_write_queue_size((uv_stream_t *)&c->tcp) == 0)
        uv_try_write((uv_stream_t *)&c->tcp, &b, 1);
    c->shut = true; /* no close_notify after a fatal alert */
    conn_close(c);
}

/* Copies up to max bytes of the response (head, then body slices) from
 * offset off into dst. */
static size_t
gather(const struct ke_response *r, uint64_t off, char *dst, size_t max)
{
    size_t n = 0;
    for (unsigned i = 0; i <= r->n_body && n < max; i++) {
        const char *p = i == 0 ? r->head : r->body[i - 1].p;
        size_t len = i == 0 ? r->head_len : r->body[i - 1].n;
        if (off >= len) {
            off -= len;
            continue;
        }
        size_t take = len - (size_t)off < max - n ? len - (size_t)off : max - n;
        memcpy(dst + n, p + off, take);
        n += take;
        off = 0;
    }
    return n;
}

/* Encrypts the response c->sf while the ciphertext queue is short; the
 * write callback calls again. Once the last record is queued the response
 * is done (write_done): the ciphertext no longer needs the index. */
static void
tls_pump(struct ke_conn *c)
{
    struct ke_worker *w = c->w;
    struct wreq *wr = c->sf;
    uv_stream_t *st = (uv_stream_t *)&c->tcp;
    tls_ramp_start(c);
    while (wr->sf_left > 0 && uv_stream_get_write_queue_size(st) < TLS_QUEUE_HIGH) {
        size_t n = gather(&wr->resp, wr->sf_off, w->tls_out, tls_record_max(c));
        if (tls_record(c, n) != 0) {
            tls_fail(c, false);
            return;
        }
        wr->sf_off += n;
        wr->sf_left -= n;
        const unsigned char *p;
        size_t pending;
        ke_tls_sess_output(c->tls, &p, &pending);
        if ((pending >= TLS_QUEUE_HIGH || wr->sf_left == 0) && tls_flush(c) != 0)
            return;
    }
    if (wr->sf_left == 0) {
        c->sf = NULL;
        write_done(c, wr, 0);
    }
}

/* The answer to plain HTTP sent to the TLS port (nginx says 400 too). */
static void
plain_on_tls(struct ke_conn *c)
{
    static const char msg[] =
        "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\n"
        "Content-Length: 43\r\nConnection: close\r\n\r\n"
        "This port speaks HTTPS: use an https:// URL\n";
    atomic_fetch_add_explicit(&c->w->m.tls_failed, 1, memory_order_relaxed);
    uv_buf_t b = uv_buf_init((char *)msg, sizeof msg - 1);
    uv_try_write((uv_stream_t *)&c->tcp, &b, 1);
    c->closing = true;
    linger(c); /* no close_notify: no session was established */
}

/* Ciphertext p[0..n) arrived (or n == 0: go on with input kept earlier):
 * advance the handshake, then decrypt records and process the requests in
 * them, until input runs out or the connection must wait (a response being
 * streamed, backpressure). Unconsumed ciphertext is kept in the session. */
static void
tls_input(struct ke_conn *c, const char *p, size_t n)
{
    struct ke_worker *w = c->w;
    struct ke_tls_sess *s = c->tls;
    if (!ke_tls_sess_established(s) && c->requests == 0 && n > 0 && !ke_tls_sess_has_input(s) &&
        kc_is_upper(p[0])) {
        plain_on_tls(c); /* a TLS record starts with 0x16; "GET /" does not */
        return;
    }
    ke_tls_sess_feed(s, p, n);
    c->in_tls = true;
    if (!ke_tls_sess_established(s)) {
        int rc = ke_tls_sess_handshake(s);
        if (rc == KE_TLS_FAILED) {
            c->in_tls = false;
            tls_fail(c, true);
            return;
        }
        if (tls_flush(c) != 0)
            return;
        if (rc == 0) {
            atomic_fetch_add_explicit(ke_tls_sess_resumed(s) ? &w->m.tls_resumed : &w->m.tls_full,
                                      1, memory_order_relaxed);
            /* ALPN chose h2: the server's SETTINGS go out with the handshake's end. */
            if (ke_tls_sess_h2(s)) {
                if (!h2_start(c) || ke_h2_send(c->h2) != 0) {
                    c->in_tls = false;
                    conn_close(c);
                    return;
                }
                h2_wait(c); /* off the header timer: HTTP/2's own timeouts now */
            } else {
                /* The handshake had its --header-timeout from the accept; the
                 * head gets its own from now (nginx times the two apart too),
                 * so a handshake the server was slow to answer, hundreds
                 * queued before it, does not eat the request's time. */
                set_wait(c, KE_WAIT_HEAD, w->cfg->header_timeout);
            }
        }
    }
    while (ke_tls_sess_established(s) && !c->closing && !c->paused && !c->sf &&
           !uv_is_closing((uv_handle_t *)&c->tcp)) {
        ssize_t r = ke_tls_sess_read(s, w->tls_in, sizeof w->tls_in);
        if (r > 0) {
            deliver(c, w->tls_in, (size_t)r);
            continue;
        }
        if (r == KE_TLS_AGAIN)
            break;
        c->in_tls = false;
        if (r == KE_TLS_CLOSED)
            peer_closed(c, UV_EOF);
        else
            tls_fail(c, false);
        return;
    }
    c->in_tls = false;
    if (uv_is_closing((uv_handle_t *)&c->tcp))
        return;
    if (tls_flush(c) != 0)
        return;
    if (ke_tls_sess_keep(s) != 0) {
        conn_close(c); /* more unread input than a paused connection may hold */
        return;
    }
    /* Input waits behind a streamed response: stop reading until it is out. */
    if (!c->paused && c->sf && ke_tls_sess_has_input(s)) {
        c->paused = true;
        uv_read_stop((uv_stream_t *)&c->tcp);
    }
}

/* ---- accepting ---------------------------------------------------------------------------------
 */

static void
on_refused_close(uv_handle_t *h)
{
    free(h);
}

/* At EMFILE libuv closes its spare descriptor, accepts and closes every
 * pending connection, and reopens the spare (its "EMFILE trick"): it cannot
 * spin, but the connection callback never hears of it. So the warning comes
 * from here: a connection given one of the last descriptors ulimit -n allows
 * means the next ones are being dropped. At most once a second per worker. */
static void
warn_descriptors(struct ke_worker *w, int fd)
{
    static _Thread_local rlim_t limit;
    static _Thread_local uint64_t last;
    if (!limit) {
        struct rlimit rl;
        limit = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY ? rl.rlim_cur
                                                                                   : (rlim_t)-1;
    }
    if (fd < 0 || (rlim_t)fd + 4 < limit)
        return;
    uint64_t now = uv_now(&w->loop);
    if (last && now - last < 1000)
        return;
    last = now;
    kc_warn("worker %u: out of file descriptors (ulimit -n %llu): new connections are closed "
            "unanswered until some close",
            w->id, (unsigned long long)limit);
}

/*
 * Out of descriptors (EMFILE, ENFILE), accept(2) fails before it looks at the
 * backlog, and libuv's accept loop only ends when its remedy works: a spare
 * descriptor (the loop's emfile_fd) that it closes to accept and drop the
 * waiting connections, then takes again by opening "/". Under the sandbox
 * that open fails (listing / is not allowed), the spare is gone, and the next
 * EMFILE spins the worker. So the worker keeps libuv's spare filled from
 * /dev/null, which the sandbox lets it read: before each poll (a trick leaves
 * the slot it freed, nothing has taken it yet), and, if that lost a race,
 * from a spare of its own right here, so libuv's loop breaks.
 * emfile_fd is libuv's private field (uv/unix.h, 1.x): read and set only.
 */
void
ke_conn_refill_spare(struct ke_worker *w)
{
    if (w->loop.emfile_fd < 0) {
        w->loop.emfile_fd =
            w->spare_fd >= 0 ? w->spare_fd : open("/dev/null", O_RDONLY | O_CLOEXEC);
        w->spare_fd = -1;
    }
    if (w->spare_fd < 0)
        w->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
}

void
ke_conn_accept(uv_stream_t *server, int status)
{
    struct ke_worker *w = server->data;
    if (status < 0) {
        if (status == UV_EMFILE || status == UV_ENFILE)
            ke_conn_refill_spare(w);
        /* Rare (see warn_descriptors); at most once a second. */
        static _Thread_local uint64_t last;
        uint64_t now = uv_now(&w->loop);
        if (now - last >= 1000) {
            last = now;
            kc_warn("worker %u: accept: %s", w->id, uv_strerror(status));
        }
        return;
    }
    if (w->stopping)
        return;
    const struct ke_listener *l = (const struct ke_listener *)server;
    if (w->n_conns >= w->cfg->max_conns) {
        static const char busy[] = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n"
                                   "Retry-After: 1\r\nConnection: close\r\n\r\n";
        uv_tcp_t *t = malloc(sizeof *t);
        if (!t || uv_tcp_init(&w->loop, t) != 0) {
            free(t);
            return;
        }
        if (uv_accept(server, (uv_stream_t *)t) == 0) {
            uv_buf_t b = uv_buf_init((char *)busy, sizeof busy - 1);
            if (l->kind != KE_L_TLS) /* a TLS client would take it for garbage */
                uv_try_write((uv_stream_t *)t, &b, 1);
            atomic_fetch_add_explicit(&w->m.conns_refused, 1, memory_order_relaxed);
        }
        uv_close((uv_handle_t *)t, on_refused_close);
        return;
    }
    struct ke_conn *c = calloc(1, sizeof *c);
    if (!c || uv_tcp_init(&w->loop, &c->tcp) != 0) {
        free(c);
        return;
    }
    c->w = w;
    c->kind = (uint8_t)l->kind;
    w->n_conns++;
    atomic_fetch_add_explicit(&w->m.conns_open, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&w->m.conns_total, 1, memory_order_relaxed);
    if (uv_accept(server, (uv_stream_t *)&c->tcp) != 0) {
        conn_close(c);
        return;
    }
    uv_os_fd_t fd;
    if (uv_fileno((uv_handle_t *)&c->tcp, &fd) == 0)
        warn_descriptors(w, fd);
    if (l->kind == KE_L_TLS) {
        ke_worker_refresh_tls(w);
        if (!w->tls || !(c->tls = ke_tls_sess_new(w->tls))) {
            conn_close(c);
            return;
        }
    }
    uv_tcp_nodelay(&c->tcp, 1);
    struct sockaddr_storage ss;
    int len = sizeof ss;
    if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&ss, &len) == 0) {
        if (ss.ss_family == AF_INET) {
            c->peer.family = 4;
            memcpy(c->peer.addr, &((struct sockaddr_in *)&ss)->sin_addr, 4);
        } else if (ss.ss_family == AF_INET6) {
            c->peer.family = 6;
            memcpy(c->peer.addr, &((struct sockaddr_in6 *)&ss)->sin6_addr, 16);
        }
    }
    set_wait(c, KE_WAIT_HEAD, w->cfg->header_timeout);
    uv_read_start((uv_stream_t *)&c->tcp, alloc_cb, on_read);
}

/* ---- timeouts and draining
 * --------------------------------------------------------------------------- */

/* Closes connections whose deadline passed: an idle keep-alive, a head too
 * slow to arrive, a linger that is over. A send times out only without
 * progress: a large body to a slow client is fine while its queue shrinks. */
void
ke_conn_tick(struct ke_worker *w)
{
    uint64_t now = uv_now(&w->loop);
    for (int l = KE_WAIT_IDLE; l < KE_WAIT_N; l++) {
        struct ke_conn *c;
        while ((c = w->wait[l].head) != NULL && c->deadline <= now) {
            if (l == KE_WAIT_SEND) {
                uint64_t q = backlog(c);
                if (q < c->queued) {
                    c->queued = q;
                    set_wait(c, KE_WAIT_SEND, w->cfg->send_timeout);
                    continue;
                }
            }
            if (c->h2 && (l == KE_WAIT_IDLE || l == KE_WAIT_SEND))
                ke_h2_timeout(c->h2, l == KE_WAIT_IDLE);
            conn_close(c);
        }
    }
}

/* The drain deadline: closes every connection, in flight or not. */
void
ke_conn_close_all(struct ke_worker *w)
{
    for (int l = KE_WAIT_IDLE; l < KE_WAIT_N; l++)
        while (w->wait[l].head)
            conn_close(w->wait[l].head);
}

/* Whether p[0..n) holds no request yet: nothing, or the empty lines RFC
 * 9112 §2.2 lets a client send before one (after a request, say). */
static bool
only_empty_lines(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != '\r' && p[i] != '\n')
            return false;
    return true;
}

/* Draining: closes connections that have no request in progress: idle
 * keep-alive ones, and new ones that have not sent a byte. HTTP/2 ones get
 * a GOAWAY first; those with streams in flight finish them, then close. */
void
ke_conn_stop_idle(struct ke_worker *w)
{
    struct ke_conn *c;
    while ((c = w->wait[KE_WAIT_IDLE].head) != NULL) {
        if (c->h2) {
            ke_h2_goaway(c->h2);
            (void)ke_h2_send(c->h2);
        }
        conn_close(c);
    }
    for (c = w->wait[KE_WAIT_SEND].head; c;) {
        struct ke_conn *next = c->next;
        if (c->h2) {
            ke_h2_goaway(c->h2);
            if (ke_h2_send(c->h2) != 0)
                conn_close(c);
            else
                h2_wait(c);
        }
        c = next;
    }
    for (c = w->wait[KE_WAIT_HEAD].head; c;) {
        struct ke_conn *next = c->next;
        if (c->pending == 0 && only_empty_lines(c->buf, c->len))
            conn_close(c);
        c = next;
    }
}

void
ke_conn_free_cache(struct ke_worker *w)
{
    struct wreq *r = w->free_writes;
    while (r) {
        struct wreq *next = r->next_free;
        free(r);
        r = next;
    }
    w->free_writes = NULL;
    w->n_free_writes = 0;
    free(w->h2_spare);
    free(w->h2_fields);
    w->h2_spare = w->h2_fields = NULL;
}
