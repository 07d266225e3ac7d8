/*
 * kiln-edge's server: one libuv loop per worker thread, each with its own
 * SO_REUSEPORT listening sockets (the kernel spreads connections), one shared
 * immutable index swapped on reload, and a main thread that owns signals,
 * the admin port and reloads. Sockets are bound on the main thread before
 * any worker starts, so "address in use" is a startup error, not a log line.
 */
#include "edge/server.h"
#include "common/buf.h"
#include "common/httpdate.h"
#include "common/log.h"
#include "edge/request.h"
#include "edge/sandbox.h"
#include "edge/user.h"
#include "edge/worker.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct ke_shared ke_shared;

static uv_loop_t *main_loop;
static uv_signal_t sig_hup, sig_term, sig_int;
static uv_tcp_t admin_tcp;
static bool admin_open;

/* ---- the index -------------------------------------------------------------------- */

void
ke_worker_refresh_index(struct ke_worker *w)
{
    unsigned g = atomic_load_explicit(&ke_shared.gen, memory_order_acquire);
    if (g == w->ix_gen && w->ix)
        return;
    pthread_mutex_lock(&ke_shared.mu);
    struct ke_index *nx = ke_shared.current;
    ke_index_hold(nx);
    pthread_mutex_unlock(&ke_shared.mu);
    ke_index_release(w->ix);
    w->ix = nx;
    w->ix_gen = g;
}

void
ke_worker_refresh_tls(struct ke_worker *w)
{
    unsigned g = atomic_load_explicit(&ke_shared.tls_gen, memory_order_acquire);
    if (g == w->tls_gen && w->tls)
        return;
    pthread_mutex_lock(&ke_shared.mu);
    struct ke_tls *nt = ke_shared.tls;
    ke_tls_hold(nt);
    pthread_mutex_unlock(&ke_shared.mu);
    ke_tls_release(w->tls);
    w->tls = nt;
    w->tls_gen = g;
}

static void
current_release(char *out, size_t n)
{
    pthread_mutex_lock(&ke_shared.mu);
    snprintf(out, n, "%s", ke_shared.current->release);
    pthread_mutex_unlock(&ke_shared.mu);
}

/* Loads the certificates again and swaps them in; a pair that fails keeps
 * the current ones serving. Runs on the main thread. */
static int
reload_tls(char *err, size_t errsz)
{
    struct ke_tls *nt;
    if (ke_tls_load(ke_shared.cfg, &nt, err, errsz) != 0) {
        kc_error("certificate reload refused, still serving the previous ones: %s", err);
        return -1;
    }
    pthread_mutex_lock(&ke_shared.mu);
    struct ke_tls *old = ke_shared.tls;
    ke_shared.tls = nt;
    pthread_mutex_unlock(&ke_shared.mu);
    atomic_fetch_add_explicit(&ke_shared.tls_gen, 1, memory_order_release);
    ke_tls_release(old);
    return 0;
}

/* Loads the release (and the certificates, with TLS) again and swaps them
 * in. Each part that fails is refused alone and its current version keeps
 * serving. Runs on the main thread. */
static int
reload(char *err, size_t errsz)
{
    const struct ke_config *cfg = ke_shared.cfg;
    struct ke_index *nx;
    int rc = 0;
    if (cfg->n_listen_tls) {
        char terr[512];
        if (reload_tls(terr, sizeof terr) != 0) {
            snprintf(err, errsz, "%s", terr);
            rc = -1;
        }
    }
    if (ke_index_load(cfg->release_dir, cfg, &nx, err, errsz) != 0) {
        char cur[48];
        current_release(cur, sizeof cur);
        kc_error("reload refused, still serving release %s: %s", cur, err);
        return -1;
    }
    pthread_mutex_lock(&ke_shared.mu);
    struct ke_index *old = ke_shared.current;
    ke_index_hold(old);
    ke_index_chain(nx, old, cfg->keep_releases);
    ke_shared.current = nx;
    pthread_mutex_unlock(&ke_shared.mu);
    atomic_fetch_add_explicit(&ke_shared.gen, 1, memory_order_release);
    ke_index_release(old);
    atomic_fetch_add_explicit(&ke_shared.reloads, 1, memory_order_relaxed);
    for (unsigned i = 0; i < ke_shared.n_workers; i++)
        uv_async_send(&ke_shared.workers[i].wake);
    fprintf(stderr, "kiln-edge: reloaded: release %s\n", nx->release);
    return rc;
}

/* ---- workers ------------------------------------------------------------------------ */

static void
update_date(struct ke_worker *w)
{
    int64_t t = (int64_t)time(NULL);
    if (t != w->date_sec) {
        w->date_sec = t;
        kc_httpdate_format(t, w->date);
    }
}

static void
flush_log(struct ke_worker *w)
{
    size_t off = 0;
    while (off < w->log_len) {
        ssize_t n = write(ke_shared.log_fd, w->log + off, w->log_len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break; /* a full disk loses log lines, never requests */
        off += (size_t)n;
    }
    w->log_len = 0;
}

static void
on_flush(uv_prepare_t *p)
{
    struct ke_worker *w = p->data;
    if (w->log_len)
        flush_log(w);
    if (w->loop.emfile_fd < 0 || w->spare_fd < 0)
        ke_conn_refill_spare(w);
}

static void
close_all(uv_handle_t *h, void *arg)
{
    (void)arg;
    if (!uv_is_closing(h))
        uv_close(h, NULL);
}

/* Once draining and without connections, the worker closes its handles and
 * its loop returns. */
static void
maybe_finish(struct ke_worker *w)
{
    if (w->stopping && w->n_conns == 0) {
        if (w->log_len)
            flush_log(w);
        uv_walk(&w->loop, close_all, NULL);
    }
}

/* After a crowd of connections has gone (a flood of slow TLS handshakes
 * holds about 37 KB each in mbedTLS's record buffers: 10,000 of them, 370
 * MB), the memory they freed goes back to the system. glibc keeps freed
 * memory for reuse, and would keep the crowd's peak for good; malloc_trim
 * returns the free pages of every arena. At most once per crowd: when the
 * open connections have fallen to a quarter of a peak of at least
 * KE_TRIM_CROWD. */
#define KE_TRIM_CROWD 1024

static void
trim_after_crowd(struct ke_worker *w)
{
    if (w->n_conns > w->conns_peak)
        w->conns_peak = w->n_conns;
    if (w->conns_peak >= KE_TRIM_CROWD && w->n_conns <= w->conns_peak / 4) {
        malloc_trim(0);
        w->conns_peak = w->n_conns;
    }
}

static void
on_tick(uv_timer_t *t)
{
    struct ke_worker *w = t->data;
    update_date(w);
    ke_conn_tick(w);
    trim_after_crowd(w);
    if (w->stopping) {
        ke_conn_stop_idle(w);
        maybe_finish(w);
    }
}

static void
on_drain_deadline(uv_timer_t *t)
{
    struct ke_worker *w = t->data;
    ke_conn_close_all(w); /* in-flight responses are cut */
    maybe_finish(w);
}

static void
on_wake(uv_async_t *a)
{
    struct ke_worker *w = a->data;
    ke_worker_refresh_index(w); /* drop the old release promptly */
    if (w->tls)
        ke_worker_refresh_tls(w);
    if (atomic_load(&ke_shared.stopping) && !w->stopping) {
        w->stopping = true;
        for (unsigned i = 0; i < w->n_listeners; i++)
            uv_close((uv_handle_t *)&w->listeners[i], NULL);
        ke_conn_stop_idle(w);
        uv_timer_init(&w->loop, &w->drain);
        w->drain.data = w;
        uv_timer_start(&w->drain, on_drain_deadline, w->cfg->drain_timeout, 0);
        uv_timer_start(&w->tick, on_tick, 100, 100); /* finish promptly */
    }
}

static void *
worker_main(void *arg)
{
    struct ke_worker *w = arg;
    uv_run(&w->loop, UV_RUN_DEFAULT);
    return NULL;
}

/* A listening socket with SO_REUSEPORT, bound and listening, for one worker. */
static int
bind_socket(const struct ke_listen *l, char *err, size_t errsz)
{
    int fd = socket(l->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd < 0) {
        snprintf(err, errsz, "cannot listen on %s: %s", l->text, strerror(errno));
        return -1;
    }
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0 ||
        (l->addr.ss_family == AF_INET6 &&
         setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) != 0) ||
        bind(fd, (const struct sockaddr *)&l->addr, l->addr_len) != 0 || listen(fd, 511) != 0) {
        snprintf(err, errsz, "cannot listen on %s: %s", l->text, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

/*
 * SO_REUSEPORT lets any process of the same user bind a port that is already
 * listening, and the kernel would then split connections between the two: a
 * second kiln-edge started by mistake would silently take half the traffic.
 * So before the workers bind, each address is bound once without it, which
 * fails with EADDRINUSE if anything listens there already.
 */
static int
check_free(const struct ke_listen *l, char *err, size_t errsz)
{
    int fd = socket(l->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd < 0) {
        snprintf(err, errsz, "cannot listen on %s: %s", l->text, strerror(errno));
        return -1;
    }
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one); /* TIME_WAIT is fine */
    if (l->addr.ss_family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    int rc = bind(fd, (const struct sockaddr *)&l->addr, l->addr_len);
    if (rc != 0)
        snprintf(err, errsz, "cannot listen on %s: %s", l->text, strerror(errno));
    close(fd);
    return rc;
}

static int
check_all_free(const struct ke_config *cfg, char *err, size_t errsz)
{
    for (unsigned i = 0; i < cfg->n_listen; i++)
        if (check_free(&cfg->listen[i], err, errsz) != 0)
            return -1;
    for (unsigned i = 0; i < cfg->n_listen_tls; i++)
        if (check_free(&cfg->listen_tls[i], err, errsz) != 0)
            return -1;
    for (unsigned i = 0; i < cfg->n_redirect_http; i++)
        if (check_free(&cfg->redirect_http[i], err, errsz) != 0)
            return -1;
    if (cfg->admin_on && check_free(&cfg->admin, err, errsz) != 0)
        return -1;
    return 0;
}

static int
worker_init(struct ke_worker *w, unsigned id, char *err, size_t errsz)
{
    const struct ke_config *cfg = ke_shared.cfg;
    w->id = id;
    w->cfg = cfg;
    w->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (uv_loop_init(&w->loop) != 0) {
        snprintf(err, errsz, "cannot create an event loop");
        return -1;
    }
    uv_async_init(&w->loop, &w->wake, on_wake);
    w->wake.data = w;
    uv_timer_init(&w->loop, &w->tick);
    w->tick.data = w;
    uv_timer_start(&w->tick, on_tick, 1000, 1000);
    uv_prepare_init(&w->loop, &w->flush);
    w->flush.data = w;
    uv_prepare_start(&w->flush, on_flush);
    update_date(w);
    ke_worker_refresh_index(w);
    if (cfg->n_listen_tls)
        ke_worker_refresh_tls(w);
    const struct {
        const struct ke_listen *list;
        unsigned n;
        enum ke_listener_kind kind;
    } kinds[] = {
        { cfg->listen, cfg->n_listen, KE_L_HTTP },
        { cfg->listen_tls, cfg->n_listen_tls, KE_L_TLS },
        { cfg->redirect_http, cfg->n_redirect_http, KE_L_REDIRECT },
    };
    for (unsigned k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        for (unsigned i = 0; i < kinds[k].n; i++) {
            const struct ke_listen *l = &kinds[k].list[i];
            int fd = bind_socket(l, err, errsz);
            if (fd < 0)
                return -1;
            struct ke_listener *t = &w->listeners[w->n_listeners++];
            t->w = w;
            t->kind = kinds[k].kind;
            uv_tcp_init(&w->loop, &t->tcp);
            t->tcp.data = w;
            int rc = uv_tcp_open(&t->tcp, fd);
            if (rc == 0)
                rc = uv_listen((uv_stream_t *)&t->tcp, 511, ke_conn_accept);
            if (rc != 0) {
                snprintf(err, errsz, "cannot listen on %s: %s", l->text, uv_strerror(rc));
                return -1;
            }
        }
    }
    return 0;
}

static void
worker_free(struct ke_worker *w)
{
    uv_walk(&w->loop, close_all, NULL);
    uv_run(&w->loop, UV_RUN_DEFAULT);
    uv_loop_close(&w->loop);
    ke_index_release(w->ix);
    ke_tls_release(w->tls);
    ke_conn_free_cache(w);
    free(w->log);
    if (w->spare_fd >= 0)
        close(w->spare_fd);
}

/* ---- the admin port (main thread) ------------------------------------------------------ */

struct admin_conn {
    uv_tcp_t tcp;
    uv_write_t wr;
    char in[8192];
    size_t len;
    struct kc_buf out;
};

static void
admin_closed(uv_handle_t *h)
{
    struct admin_conn *a = (struct admin_conn *)h;
    kc_buf_free(&a->out);
    free(a);
}

static void
admin_written(uv_write_t *req, int status)
{
    (void)status;
    uv_close((uv_handle_t *)req->handle, admin_closed);
}

static void
admin_reply(struct admin_conn *a, int status, const char *reason, const char *type,
            const char *body, size_t n)
{
    struct kc_buf *o = &a->out;
    kc_buf_printf(o,
                  "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
                  "Cache-Control: no-store\r\nConnection: close\r\n\r\n",
                  status, reason, type, n);
    kc_buf_append(o, body, n);
    uv_buf_t b = uv_buf_init(o->data, (unsigned)o->len);
    if (uv_write(&a->wr, (uv_stream_t *)&a->tcp, &b, 1, admin_written) != 0)
        uv_close((uv_handle_t *)&a->tcp, admin_closed);
}

static bool
target_is(const struct ke_request *r, const char *path)
{
    size_t n = strlen(path);
    return r->target.n >= n && memcmp(r->target.p, path, n) == 0 &&
           (r->target.n == n || r->target.p[n] == '?');
}

static void
admin_route(struct admin_conn *a, const struct ke_request *r)
{
    uv_read_stop((uv_stream_t *)&a->tcp);
    if (target_is(r, "/healthz")) {
        admin_reply(a, 200, "OK", "text/plain; charset=utf-8", "ok\n", 3);
    } else if (target_is(r, "/metrics") && (r->method == KE_M_GET || r->method == KE_M_HEAD)) {
        struct kc_buf m;
        kc_buf_init(&m, 1 << 20);
        ke_shared_metrics_render(&m);
        admin_reply(a, 200, "OK", "text/plain; version=0.0.4; charset=utf-8", m.data ? m.data : "",
                    m.len);
        kc_buf_free(&m);
    } else if (target_is(r, "/-/reload")) {
        if (r->method != KE_M_POST) {
            admin_reply(a, 405, "Method Not Allowed", "text/plain; charset=utf-8", "use POST\n", 9);
            return;
        }
        char err[512], msg[600];
        int n;
        if (reload(err, sizeof err) == 0) {
            char cur[48];
            current_release(cur, sizeof cur);
            n = snprintf(msg, sizeof msg, "reloaded: release %s\n", cur);
            admin_reply(a, 200, "OK", "text/plain; charset=utf-8", msg, (size_t)n);
        } else {
            n = snprintf(msg, sizeof msg, "reload refused: %s\n", err);
            admin_reply(a, 500, "Internal Server Error", "text/plain; charset=utf-8", msg,
                        (size_t)n);
        }
    } else {
        admin_reply(a, 404, "Not Found", "text/plain; charset=utf-8", "not found\n", 10);
    }
}

static void
admin_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)suggested;
    struct admin_conn *a = (struct admin_conn *)h;
    buf->base = a->in + a->len;
    buf->len = sizeof a->in - a->len;
}

static void
admin_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    (void)buf;
    struct admin_conn *a = (struct admin_conn *)s;
    if (nread < 0) {
        uv_close((uv_handle_t *)s, admin_closed);
        return;
    }
    a->len += (size_t)nread;
    struct ke_request req;
    memset(&req, 0, sizeof req);
    struct ke_request_limits lim;
    ke_request_limits_default(&lim);
    int rc = ke_request_parse(a->in, a->len, 0, &lim, &req);
    if (rc == KE_REQ_INCOMPLETE && a->len < sizeof a->in)
        return;
    if (rc < 0) {
        uv_read_stop(s);
        admin_reply(a, 400, "Bad Request", "text/plain; charset=utf-8", "bad request\n", 12);
        return;
    }
    admin_route(a, &req);
}

static void
admin_accept(uv_stream_t *server, int status)
{
    if (status < 0)
        return;
    struct admin_conn *a = calloc(1, sizeof *a);
    if (!a)
        return;
    kc_buf_init(&a->out, 1 << 21);
    uv_tcp_init(main_loop, &a->tcp);
    if (uv_accept(server, (uv_stream_t *)&a->tcp) != 0) {
        uv_close((uv_handle_t *)&a->tcp, admin_closed);
        return;
    }
    uv_read_start((uv_stream_t *)&a->tcp, admin_alloc, admin_read);
}

void
ke_shared_metrics_render(struct kc_buf *out)
{
    struct ke_metrics *all = calloc(ke_shared.n_workers ? ke_shared.n_workers : 1, sizeof *all);
    if (!all)
        return;
    /* Copy each worker's counters (relaxed loads), then render the sum. */
    for (unsigned i = 0; i < ke_shared.n_workers; i++)
        memcpy(&all[i], &ke_shared.workers[i].m, sizeof all[i]);
    char cur[48];
    current_release(cur, sizeof cur);
    ke_metrics_render(all, ke_shared.n_workers, cur,
                      atomic_load_explicit(&ke_shared.reloads, memory_order_relaxed), out);
    free(all);
}

/* ---- signals and the main loop ----------------------------------------------------------------
 */

static void
on_signal(uv_signal_t *s, int signum)
{
    (void)s;
    if (signum == SIGHUP) {
        char err[512];
        reload(err, sizeof err);
        return;
    }
    /* SIGTERM / SIGINT: stop accepting, finish in-flight responses, exit. */
    atomic_store(&ke_shared.stopping, true);
    for (unsigned i = 0; i < ke_shared.n_workers; i++)
        uv_async_send(&ke_shared.workers[i].wake);
    uv_close((uv_handle_t *)&sig_hup, NULL);
    uv_close((uv_handle_t *)&sig_term, NULL);
    uv_close((uv_handle_t *)&sig_int, NULL);
    if (admin_open)
        uv_close((uv_handle_t *)&admin_tcp, NULL);
}

static int
open_access_log(const struct ke_config *cfg)
{
    if (!cfg->access_log[0] || strcmp(cfg->access_log, "off") == 0)
        return -1;
    if (strcmp(cfg->access_log, "-") == 0)
        return dup(STDOUT_FILENO);
    return open(cfg->access_log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
}

/*
 * Who kiln-edge will serve as, decided before anything is loaded or bound:
 * root only when asked for (--allow-root), the --user resolved now so that
 * a misspelt name stops it here. Returns 0 (*drop says whether to switch)
 * or -1 with one line in err.
 */
static int
plan_user(const struct ke_config *cfg, struct ke_user *u, bool *drop, char *err, size_t errsz)
{
    *drop = false;
    if (cfg->user[0]) {
        if (ke_user_resolve(cfg->user, u, err, errsz) != 0)
            return -1;
        if (u->uid == 0 && !cfg->allow_root) {
            snprintf(err, errsz, "--user %s is root: give --allow-root on to serve as root anyway",
                     cfg->user);
            return -1;
        }
        *drop = true;
    } else if (geteuid() == 0 && !cfg->allow_root) {
        snprintf(err, errsz,
                 "refusing to serve as root: give --user NAME[:GROUP] to switch to an "
                 "unprivileged user after startup, or --allow-root on to serve as root anyway");
        return -1;
    }
    return 0;
}

/*
 * After the switch to the service user: what reloads will need to read and
 * that user cannot. Startup read it as root; SIGHUP will fail until an
 * operator fixes the modes (docs/security.md), so say so now.
 */
static void
check_reloadable(const struct ke_config *cfg, const struct ke_user *u)
{
    if (access(cfg->release_dir, R_OK | X_OK) != 0)
        kc_warn("user %s cannot read '%s' (%s): reloads will fail until it can", u->name,
                cfg->release_dir, strerror(errno));
    for (unsigned i = 0; i < cfg->n_certs; i++) {
        const char *f[2] = { cfg->certs[i].cert, cfg->certs[i].key };
        for (int k = 0; k < 2; k++)
            if (access(f[k], R_OK) != 0)
                kc_warn("user %s cannot read '%s' (%s): certificate reloads will fail until it "
                        "can (chgrp the file to the user's group and chmod 640 it)",
                        u->name, f[k], strerror(errno));
    }
}

/*
 * The last step of startup, on the main thread while it is the only one:
 * switch user, then confine. The sandbox's rules are gathered first, as
 * root, because the service user may not reach the certificates' folders.
 */
static int
confine(const struct ke_config *cfg, const struct ke_user *u, bool drop, char *err, size_t errsz)
{
    struct ke_sandbox sb = { .fd = -1 };
    tzset(); /* nothing reads /etc/localtime later (the log's times are UTC anyway) */
    if (cfg->sandbox) {
        char why[512];
        int rc = ke_sandbox_prepare(cfg, &sb, why, sizeof why);
        if (rc < 0) {
            snprintf(err, errsz, "%s", why);
            return -1;
        }
        if (rc == 1)
            kc_warn("sandbox: %s: serving without it", why);
    }
    if (drop) {
        if (ke_user_drop(u, err, errsz) != 0) {
            if (sb.fd >= 0)
                close(sb.fd);
            return -1;
        }
        check_reloadable(cfg, u);
    }
    if (sb.fd >= 0) {
        if (ke_sandbox_enforce(&sb, err, errsz) != 0)
            return -1;
        fprintf(stderr,
                "kiln-edge: sandbox: Landlock ABI %d: reads only %s%s; writes, executes%s "
                "nothing\n",
                sb.abi, sb.site, cfg->n_certs ? " and the certificates' folders" : "",
                sb.abi >= 4 ? ", binds and connects" : "");
    }
    if (geteuid() == 0) /* last: a startup error stays one line */
        kc_warn("serving as root (--allow-root on): a flaw in kiln-edge would reach every "
                "file on this machine; give --user NAME instead");
    return 0;
}

int
ke_server_run(const struct ke_config *cfg)
{
    char err[1024];
    struct ke_user user;
    bool drop;
    signal(SIGPIPE, SIG_IGN);
    if (plan_user(cfg, &user, &drop, err, sizeof err) != 0) {
        fprintf(stderr, "kiln-edge: %s\n", err);
        return 1;
    }
    /* Connections and the descriptors of large bodies both need fds: take
     * the hard limit (as nginx's worker_rlimit_nofile would). */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    memset(&ke_shared, 0, sizeof ke_shared);
    ke_shared.cfg = cfg;
    pthread_mutex_init(&ke_shared.mu, NULL);
    if (ke_index_load(cfg->release_dir, cfg, &ke_shared.current, err, sizeof err) != 0) {
        fprintf(stderr, "kiln-edge: %s\n", err);
        return 1;
    }
    if (cfg->n_listen_tls) {
        if (ke_tls_global_init(cfg, err, sizeof err) != 0 ||
            ke_tls_load(cfg, &ke_shared.tls, err, sizeof err) != 0) {
            fprintf(stderr, "kiln-edge: %s\n", err);
            ke_tls_global_free();
            ke_index_release(ke_shared.current);
            return 1;
        }
        uint16_t port = ntohs(((const struct sockaddr_in *)&cfg->listen_tls[0].addr)->sin_port);
        if (port != 443)
            snprintf(ke_shared.redirect_port, sizeof ke_shared.redirect_port, ":%u", port);
        if (cfg->hsts)
            snprintf(ke_shared.hsts, sizeof ke_shared.hsts,
                     "Strict-Transport-Security: max-age=%u\r\n", cfg->hsts);
    }
    ke_shared.log_fd = open_access_log(cfg);
    if (cfg->access_log[0] && strcmp(cfg->access_log, "off") != 0 && ke_shared.log_fd < 0) {
        fprintf(stderr, "kiln-edge: --access-log %s: %s\n", cfg->access_log, strerror(errno));
        ke_index_release(ke_shared.current);
        ke_tls_release(ke_shared.tls);
        ke_tls_global_free();
        return 1;
    }
    ke_shared.n_workers = cfg->workers;
    ke_shared.workers = calloc(cfg->workers, sizeof *ke_shared.workers);
    int status = 1;
    unsigned started = 0, inited = 0;
    if (!ke_shared.workers) {
        fprintf(stderr, "kiln-edge: out of memory\n");
        goto out;
    }
    if (check_all_free(cfg, err, sizeof err) != 0) {
        fprintf(stderr, "kiln-edge: %s\n", err);
        goto out;
    }
    for (; inited < cfg->workers; inited++) {
        if (worker_init(&ke_shared.workers[inited], inited, err, sizeof err) != 0) {
            fprintf(stderr, "kiln-edge: %s\n", err);
            inited++;
            goto out;
        }
    }
    main_loop = uv_default_loop();
    uv_signal_init(main_loop, &sig_hup);
    uv_signal_init(main_loop, &sig_term);
    uv_signal_init(main_loop, &sig_int);
    uv_signal_start(&sig_hup, on_signal, SIGHUP);
    uv_signal_start(&sig_term, on_signal, SIGTERM);
    uv_signal_start(&sig_int, on_signal, SIGINT);
    if (cfg->admin_on) {
        int fd = bind_socket(&cfg->admin, err, sizeof err);
        if (fd < 0 || uv_tcp_init(main_loop, &admin_tcp) != 0 || uv_tcp_open(&admin_tcp, fd) != 0 ||
            uv_listen((uv_stream_t *)&admin_tcp, 64, admin_accept) != 0) {
            fprintf(stderr, "kiln-edge: admin: %s\n", fd < 0 ? err : "cannot listen");
            goto out;
        }
        admin_open = true;
    }
    if (confine(cfg, &user, drop, err, sizeof err) != 0) {
        fprintf(stderr, "kiln-edge: %s\n", err);
        goto out;
    }
    for (; started < cfg->workers; started++) {
        if (pthread_create(&ke_shared.workers[started].thread, NULL, worker_main,
                           &ke_shared.workers[started]) != 0) {
            fprintf(stderr, "kiln-edge: cannot start worker threads\n");
            goto out;
        }
    }
    fprintf(stderr, "kiln-edge: serving release %s from %s on", ke_shared.current->release,
            cfg->release_dir);
    for (unsigned i = 0; i < cfg->n_listen; i++)
        fprintf(stderr, " http://%s/", cfg->listen[i].text);
    for (unsigned i = 0; i < cfg->n_listen_tls; i++)
        fprintf(stderr, " https://%s/", cfg->listen_tls[i].text);
    for (unsigned i = 0; i < cfg->n_redirect_http; i++)
        fprintf(stderr, " http://%s/ (redirects)", cfg->redirect_http[i].text);
    fprintf(stderr, " (%u workers)\n", cfg->workers);
    uv_run(main_loop, UV_RUN_DEFAULT);
    status = 0;
out:
    if (status != 0 && started > 0) {
        atomic_store(&ke_shared.stopping, true);
        for (unsigned i = 0; i < started; i++)
            uv_async_send(&ke_shared.workers[i].wake);
    }
    for (unsigned i = 0; i < started; i++)
        pthread_join(ke_shared.workers[i].thread, NULL);
    for (unsigned i = 0; i < inited; i++)
        worker_free(&ke_shared.workers[i]);
    if (main_loop) {
        uv_walk(main_loop, close_all, NULL);
        uv_run(main_loop, UV_RUN_DEFAULT);
        uv_loop_close(main_loop);
    }
    free(ke_shared.workers);
    ke_index_release(ke_shared.current);
    ke_tls_release(ke_shared.tls);
    ke_tls_global_free();
    if (ke_shared.log_fd >= 0)
        close(ke_shared.log_fd);
    return status;
}
