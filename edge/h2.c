/*
 * HTTP/2 on one connection: nghttp2 does frames, HPACK, stream states and
 * flow control; this file turns a stream's fields into a ke_request, answers
 * it with respond.c and hands nghttp2 the answer. DATA frames never copy the
 * body: a frame is its 9-byte header plus a pointer into the index, handed
 * to the connection's sink in one vectored batch.
 * Output per connection is bounded by OUT_HIGH whatever the client's window.
 */
#include "edge/h2.h"

#include "common/ascii.h"
#include "common/clock.h"
#include "edge/access_log.h"
#include "edge/priority.h"
#include "edge/respond.h"
#include "edge/worker.h"

#include <nghttp2/nghttp2.h>
#include <stdlib.h>
#include <string.h>

#define OUT_HIGH        (64u << 10) /* bytes gathered before they are written */
#define OUT_COPY        (96u << 10) /* frames nghttp2 serialised, and DATA headers */
#define OUT_BUFS        256
#define OUT_IXS         4 /* indexes the slices of one batch point into */
#define TURN_BATCHES    4 /* batches a session sends in one loop turn (256 KiB) */
#define MAX_NV          160
#define PRIORITY_UPDATE 0x10 /* the RFC 9218 frame type */
#define PU_MAX          256  /* a PRIORITY_UPDATE payload kept: 4 + "u=N, i" and room */

static const char preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/* One field in a stream's hbuf: name and value offsets and lengths. */
struct fld {
    uint32_t no, nn, vo, vn;
};

/* One request stream. Header copies live in hbuf until the response is
 * submitted; then only the body slices (and the index they point into). */
struct stream {
    struct stream *prev, *next; /* on h->streams: nghttp2_session_del calls no callback */
    struct ke_index *ix;        /* held while body slices remain, else NULL */
    struct ke_slice body[2 * KE_MAX_PARTS + 2];
    unsigned n_body, cur;
    size_t off;
    char *parts; /* a copy of the multipart part headers, or NULL */
    char *hbuf;  /* header copies (after f[] in one block); NULL once answered */
    size_t hlen;
    struct fld *f;
    unsigned nf;
    struct fld method, path, authority;
    int status;        /* 431 when the fields exceed the limits */
    bool has_priority; /* the client gave one (RFC 9218): a field, a frame */
    bool has_update;   /* a PRIORITY_UPDATE came before the request: it wins */
    nghttp2_extpri update;
    uint64_t left;     /* body bytes not yet framed */
    uint64_t start_ns; /* the request complete: for the latency histogram */
};

/* A token bucket in thousandths of a token: burst tokens, refilled at
 * rate_milli thousandths a millisecond. */
struct bucket {
    uint64_t milli;
    uint64_t at_ms;
};

/* A batch of output: frames nghttp2 serialised (copied into copy[]) and DATA
 * payloads (pointers into the indexes in ix[], held until written). */
struct out {
    uv_buf_t bufs[OUT_BUFS];
    unsigned n;
    size_t bytes, copy_len;
    struct ke_index *ix[OUT_IXS];
    unsigned n_ix;
    char copy[OUT_COPY];
};

struct ke_h2 {
    nghttp2_session *s;
    struct ke_worker *w;
    const struct ke_peer *peer;
    ke_h2_sink *sink;
    void *ctx;
    bool tls;     /* responses carry the HSTS header */
    bool writing; /* the sink holds out's bufs */
    bool failed;
    bool goaway; /* a GOAWAY of ours is queued or sent */
    struct stream *streams;
    unsigned n_streams;
    /* PRIORITY_UPDATE frames for streams not yet opened (RFC 9218 §7.1),
     * at most --http2-max-streams with the open ones; allocated on the first. */
    struct idle_pri {
        int32_t id;
        nghttp2_extpri pri;
    } * idle;
    unsigned n_idle;
    unsigned char pu[PU_MAX]; /* the PRIORITY_UPDATE being received */
    size_t pu_len;            /* its length so far, PU_MAX and beyond too */
    uint64_t pending;         /* body bytes of every stream not yet framed */
    uint32_t requests;
    /* kiln-edge's own defences (the limits nghttp2 1.52 lacks). */
    struct bucket glitches, control, resets;
    struct out *out; /* while gathering or written: an idle session has none */
};

/* One response at a time is built per worker thread: streams keep only
 * their body slices, so 100 streams do not hold 100 heads. */
static _Thread_local struct ke_response resp;

int
ke_h2_preface(const char *a, size_t an, const char *b, size_t bn)
{
    size_t want = sizeof preface - 1, i = 0;
    for (; i < want && i < an + bn; i++)
        if ((i < an ? a[i] : b[i - an]) != preface[i])
            return -1;
    return i == want ? 1 : 0;
}

/* ---- defences ----------------------------------------------------------------- */

static uint64_t
now_ms(void)
{
    return kc_clock_ns() / 1000000u;
}

static void
bucket_init(struct bucket *b, unsigned burst)
{
    b->milli = (uint64_t)burst * 1000u;
    b->at_ms = now_ms();
}

/* Takes one token from a bucket of `burst` refilled at per_s tokens a second
 * (per_s may be a fraction: rate_num/rate_den). False when it is empty. */
static bool
bucket_take(struct bucket *b, unsigned burst, uint64_t rate_num, uint64_t rate_den)
{
    uint64_t t = now_ms(), cap = (uint64_t)burst * 1000u;
    b->milli += (t - b->at_ms) * rate_num / rate_den;
    b->at_ms = t;
    if (b->milli > cap)
        b->milli = cap;
    if (b->milli < 1000u)
        return false;
    b->milli -= 1000u;
    return true;
}

/* Ends the session with a GOAWAY of error code (a connection error of the
 * client's): nghttp2 reads nothing more and closes once the GOAWAY is out. */
static void
connection_error(struct ke_h2 *h, uint32_t code)
{
    h->goaway = true;
    nghttp2_session_terminate_session(h->s, code);
}

/* A connection error ENHANCE_YOUR_CALM for defence d, counted once. */
static void
calm(struct ke_h2 *h, enum ke_h2_defence d)
{
    if (h->goaway && nghttp2_session_want_read(h->s) == 0)
        return;
    ke_metrics_h2_defence(&h->w->m, d);
    connection_error(h, NGHTTP2_ENHANCE_YOUR_CALM);
}

/* A glitch: a frame that costs work and serves nothing (a reset kiln-edge
 * sends, for a stream error of the client's or a refused stream; an empty
 * frame). MadeYouReset turns requests into
 * resets the server sends itself; a budget of them is what stops it. */
static void
glitch(struct ke_h2 *h)
{
    unsigned g = h->w->cfg->h2_max_glitches;
    if (!bucket_take(&h->glitches, g, g, 10000))
        calm(h, KE_H2D_GLITCHES);
}

/* ---- output ------------------------------------------------------------------ */

static void
out_release(struct out *o)
{
    for (unsigned i = 0; i < o->n_ix; i++)
        ke_index_release(o->ix[i]);
    o->n = o->n_ix = 0;
    o->bytes = o->copy_len = 0;
}

static bool
out_full(const struct out *o)
{
    return o->bytes >= OUT_HIGH || o->n + 4 > OUT_BUFS || o->copy_len > OUT_COPY - (24u << 10);
}

static void
out_copy(struct out *o, const void *p, size_t n)
{
    char *d = o->copy + o->copy_len;
    memcpy(d, p, n);
    o->copy_len += n;
    /* Adjacent copies share one buffer. */
    if (o->n > 0 && o->bufs[o->n - 1].base + o->bufs[o->n - 1].len == d)
        o->bufs[o->n - 1].len += n;
    else
        o->bufs[o->n++] = uv_buf_init(d, (unsigned)n);
    o->bytes += n;
}

/* Gathers what the session has to send, in batches of at most OUT_HIGH
 * bytes, and hands each to the sink; after TURN_BATCHES the sink queues the
 * last and the rest waits for its write callback, so one fast client cannot
 * hold the worker while others wait. Returns 0, or -1 on a fatal error. */
static int
flush(struct ke_h2 *h)
{
    unsigned batches = 0;
    while (!h->writing) {
        if (!h->out) { /* the worker's spare, or a new one */
            h->out = h->w->h2_spare ? h->w->h2_spare : malloc(sizeof *h->out);
            h->w->h2_spare = NULL;
            if (!h->out)
                return -1;
            h->out->n = h->out->n_ix = 0; /* the rest is written before it is read */
            h->out->bytes = h->out->copy_len = 0;
        }
        struct out *o = h->out;
        while (!out_full(o)) {
            const uint8_t *p;
            ssize_t n = nghttp2_session_mem_send(h->s, &p);
            if (n < 0)
                return -1;
            if (n == 0)
                break;
            if ((size_t)n > OUT_COPY - o->copy_len)
                return -1; /* a frame larger than any kiln-edge sends */
            out_copy(o, p, (size_t)n);
        }
        if (o->n == 0)
            break;
        int rc = h->sink(h->ctx, o->bufs, o->n, o->bytes, ++batches >= TURN_BATCHES);
        if (rc < 0)
            return -1;
        if (rc > 0)
            h->writing = true;
        else
            out_release(o);
    }
    if (!h->writing && h->out) { /* all sent: the batch goes back to the worker */
        if (!h->w->h2_spare)
            h->w->h2_spare = h->out;
        else
            free(h->out);
        h->out = NULL;
    }
    return 0;
}

int
ke_h2_written(struct ke_h2 *h)
{
    h->writing = false;
    out_release(h->out);
    return flush(h);
}

/* ---- nghttp2 callbacks -------------------------------------------------------- */

static ssize_t
read_body(nghttp2_session *s, int32_t id, uint8_t *buf, size_t length, uint32_t *flags,
          nghttp2_data_source *src, void *user)
{
    (void)s, (void)id, (void)buf;
    struct stream *st = src->ptr;
    while (st->cur < st->n_body && st->off == st->body[st->cur].n)
        st->cur++, st->off = 0;
    if (st->cur == st->n_body) {
        *flags |= NGHTTP2_DATA_FLAG_EOF;
        return 0;
    }
    size_t left = st->body[st->cur].n - st->off;
    size_t n = length < left ? length : left;
    *flags |= NGHTTP2_DATA_FLAG_NO_COPY;
    st->left -= n;
    ((struct ke_h2 *)user)->pending -= n;
    if (n == left) {
        unsigned i = st->cur + 1;
        while (i < st->n_body && st->body[i].n == 0)
            i++;
        if (i == st->n_body)
            *flags |= NGHTTP2_DATA_FLAG_EOF;
    }
    return (ssize_t)n;
}

/* A DATA frame: its header copied, its payload a pointer into the index. */
static int
send_data(nghttp2_session *s, nghttp2_frame *frame, const uint8_t *framehd, size_t length,
          nghttp2_data_source *src, void *user)
{
    (void)s, (void)frame;
    struct ke_h2 *h = user;
    struct stream *st = src->ptr;
    struct out *o = h->out;
    unsigned i = 0;
    while (i < o->n_ix && o->ix[i] != st->ix)
        i++;
    if (i == o->n_ix) {
        if (o->n_ix == OUT_IXS)
            return NGHTTP2_ERR_WOULDBLOCK; /* called again after this batch */
        ke_index_hold(st->ix);
        o->ix[o->n_ix++] = st->ix;
    }
    out_copy(o, framehd, 9);
    const char *p = (const char *)st->body[st->cur].p + st->off;
    if (st->parts && p >= st->parts && p < st->parts + sizeof resp.parts) {
        out_copy(o, p, length); /* part headers die with the stream, maybe before the write */
    } else if (length) {
        o->bufs[o->n++] = uv_buf_init((char *)p, (unsigned)length);
        o->bytes += length;
    }
    st->off += length;
    return out_full(o) ? NGHTTP2_ERR_PAUSE : 0;
}

/* A stream's header copies: f[--max-headers] then --max-header-size bytes,
 * one block. Streams take turns (a header block is never interleaved with
 * another), so the worker's one spare block serves nearly every stream. */
static bool
fields_get(struct ke_h2 *h, struct stream *st)
{
    struct ke_worker *w = h->w;
    size_t fsize = w->cfg->max_headers * sizeof *st->f;
    void *b = w->h2_fields ? w->h2_fields : malloc(fsize + w->cfg->max_head);
    w->h2_fields = NULL;
    if (!b)
        return false;
    st->f = b;
    st->hbuf = (char *)b + fsize;
    return true;
}

static void
fields_put(struct ke_h2 *h, struct stream *st)
{
    if (!st->f)
        return;
    if (!h->w->h2_fields)
        h->w->h2_fields = st->f;
    else
        free(st->f);
    st->f = NULL;
    st->hbuf = NULL;
}

static void
stream_free(struct ke_h2 *h, struct stream *st)
{
    if (st->prev)
        st->prev->next = st->next;
    else if (h->streams == st)
        h->streams = st->next;
    if (st->next)
        st->next->prev = st->prev;
    h->pending -= st->left;
    h->n_streams--;
    if (st->start_ns)
        ke_metrics_latency(&h->w->m, (kc_clock_ns() - st->start_ns) / 1000);
    if (st->ix)
        ke_index_release(st->ix);
    free(st->parts);
    fields_put(h, st);
    free(st);
}

static int
on_begin_headers(nghttp2_session *s, const nghttp2_frame *frame, void *user)
{
    struct ke_h2 *h = user;
    if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST)
        return 0;
    struct stream *st = calloc(1, sizeof *st);
    if (!st || !fields_get(h, st)) {
        free(st);
        return NGHTTP2_ERR_CALLBACK_FAILURE;
    }
    st->next = h->streams;
    if (h->streams)
        h->streams->prev = st;
    h->streams = st;
    h->n_streams++;
    nghttp2_session_set_stream_user_data(s, frame->hd.stream_id, st);
    /* The priority a PRIORITY_UPDATE gave it while idle; the idle streams
     * below it are closed now (RFC 9113 §5.1.1), and so forgotten. */
    unsigned keep = 0;
    for (unsigned i = 0; i < h->n_idle; i++) {
        if (h->idle[i].id == frame->hd.stream_id) {
            st->has_update = true;
            st->update = h->idle[i].pri;
        } else if (h->idle[i].id > frame->hd.stream_id) {
            h->idle[keep++] = h->idle[i];
        }
    }
    h->n_idle = keep;
    return 0;
}

/* Copies one field into the stream; past --max-header-size (decoded bytes,
 * so an HPACK bomb stops here too) or --max-headers the answer is 431. */
static int
on_header(nghttp2_session *s, const nghttp2_frame *frame, const uint8_t *name, size_t nn,
          const uint8_t *value, size_t vn, uint8_t flags, void *user)
{
    (void)flags;
    struct ke_h2 *h = user;
    struct stream *st = nghttp2_session_get_stream_user_data(s, frame->hd.stream_id);
    if (!st || !st->hbuf || st->status)
        return 0;
    if (nn + vn > h->w->cfg->max_head - st->hlen) {
        st->status = 431;
        ke_metrics_h2_defence(&h->w->m, KE_H2D_HEADER_LIST);
        return 0;
    }
    struct fld fl = { (uint32_t)st->hlen, (uint32_t)nn, (uint32_t)(st->hlen + nn), (uint32_t)vn };
    memcpy(st->hbuf + st->hlen, name, nn);
    memcpy(st->hbuf + st->hlen + nn, value, vn);
    st->hlen += nn + vn;
    if (nn > 0 && name[0] == ':') {
        if (nn == 7 && memcmp(name, ":method", 7) == 0)
            st->method = fl;
        else if (nn == 5 && memcmp(name, ":path", 5) == 0)
            st->path = fl;
        else if (nn == 10 && memcmp(name, ":authority", 10) == 0)
            st->authority = fl;
        return 0;
    }
    if (nn == 8 && memcmp(name, "priority", 8) == 0)
        st->has_priority = true;
    if (st->nf == h->w->cfg->max_headers) {
        st->status = 431;
        ke_metrics_h2_defence(&h->w->m, KE_H2D_HEADER_LIST);
        return 0;
    }
    st->f[st->nf++] = fl;
    return 0;
}

/* A span into the stream's copies; never NULL, even empty (an empty field
 * value is walked with memchr() as over HTTP/1.1). */
static struct ke_span
span_of(const struct stream *st, uint32_t o, uint32_t n)
{
    return (struct ke_span){ st->hbuf + o, n };
}

/* Turns one block of respond.c's head (status line, field lines, empty
 * line) into nv pairs, lower-casing the names in place. Returns the number
 * of pairs and sets *status; *next is past the block. */
static size_t
head_to_nv(char *p, char *end, nghttp2_nv *nv, int *status, char **next)
{
    size_t n = 0;
    char *eol = memchr(p, '\n', (size_t)(end - p));
    *status = atoi(p + 9);
    nv[n++] = (nghttp2_nv){ (uint8_t *)":status", (uint8_t *)p + 9, 7, 3, NGHTTP2_NV_FLAG_NONE };
    for (p = eol + 1; p < end && *p != '\r'; p = eol + 1) {
        eol = memchr(p, '\n', (size_t)(end - p));
        char *colon = memchr(p, ':', (size_t)(eol - p));
        if (!eol || !colon)
            break;
        size_t nlen = (size_t)(colon - p);
        for (size_t i = 0; i < nlen; i++)
            p[i] = (char)kc_lower((unsigned char)p[i]);
        if ((nlen == 10 && memcmp(p, "connection", 10) == 0) ||
            (nlen == 10 && memcmp(p, "keep-alive", 10) == 0) || n == MAX_NV)
            continue;
        char *v = colon + 1;
        while (*v == ' ')
            v++;
        nv[n++] = (nghttp2_nv){ (uint8_t *)p, (uint8_t *)v, nlen, (size_t)(eol - 1 - v),
                                NGHTTP2_NV_FLAG_NONE };
    }
    *next = p < end ? p + 2 : end;
    return n;
}

/* The request on stream id is complete: answer it. */
static int
answer(struct ke_h2 *h, int32_t id, struct stream *st)
{
    struct ke_worker *w = h->w;
    struct ke_header hdrs[1024];
    struct ke_request req;
    memset(&req, 0, sizeof req);
    req.headers = hdrs;
    for (unsigned i = 0; i < st->nf && i < 1024; i++) {
        hdrs[i].name = span_of(st, st->f[i].no, st->f[i].nn);
        hdrs[i].value = span_of(st, st->f[i].vo, st->f[i].vn);
    }
    req.n_headers = st->nf;
    req.method_raw = span_of(st, st->method.vo, st->method.vn);
    req.target = span_of(st, st->path.vo, st->path.vn);
    req.h2 = true;
    if (st->status) {
        req.status = st->status;
        req.minor = 1;
    } else if (ke_request_from_fields(&req, span_of(st, st->authority.vo, st->authority.vn)) != 0 &&
               req.status == 400) {
        /* Malformed (RFC 9113 §8.1.1): a stream error, not a response. */
        fields_put(h, st);
        return nghttp2_submit_rst_stream(h->s, NGHTTP2_FLAG_NONE, id, NGHTTP2_PROTOCOL_ERROR);
    }
    ke_worker_refresh_index(w);
    struct ke_respond_ctx ctx = {
        .cfg = w->cfg,
        .ix = w->ix,
        .date = w->date,
        .no_sendfile = true,
        .extra = h->tls && ke_shared.hsts[0] ? ke_shared.hsts : NULL,
    };
    struct ke_response *r = &resp;
    st->start_ns = kc_clock_ns();
    ke_respond(&ctx, &req, r);
    if (r->body_fd >= 0) { /* cannot happen: no_sendfile maps large files */
        fields_put(h, st);
        return nghttp2_submit_rst_stream(h->s, NGHTTP2_FLAG_NONE, id, NGHTTP2_INTERNAL_ERROR);
    }
    uint64_t bytes = 0;
    for (unsigned i = 0; i < r->n_body; i++)
        bytes += r->body[i].n;
    ke_metrics_count(&w->m, KE_PROTO_H2, r->status, bytes ? r->enc : -1, r->head_len + bytes);
    if (ke_shared.log_fd >= 0)
        ke_access_log(w, h->peer, &req, r, bytes);
    /* RFC 9218: the client's priority wins (a PRIORITY_UPDATE sent before
     * the request, else the request's field, which nghttp2 applies itself);
     * without one, the file's. ignore_client_signal 1 keeps nghttp2 from
     * putting the field's back after this callback. */
    if (st->has_update) {
        (void)nghttp2_session_change_extpri_stream_priority(h->s, id, &st->update, 1);
    } else if (!st->has_priority && r->res) {
        nghttp2_extpri pri = { r->res->urgency, r->res->incremental };
        (void)nghttp2_session_change_extpri_stream_priority(h->s, id, &pri, 0);
    }
    fields_put(h, st);
    st->left = bytes;
    h->pending += bytes;
    /* --max-requests and draining: this stream is answered, later ones are not. */
    if ((w->cfg->max_requests && ++h->requests >= w->cfg->max_requests) || w->stopping)
        ke_h2_goaway(h);

    /* The slices: into the index, or into parts[] (multipart), copied. */
    for (unsigned i = 0; i < r->n_body; i++) {
        const char *p = r->body[i].p;
        if (p >= r->parts && p < r->parts + sizeof r->parts) {
            if (!st->parts && !(st->parts = malloc(sizeof r->parts)))
                return NGHTTP2_ERR_NOMEM;
            memcpy(st->parts, r->parts, sizeof r->parts);
            p = st->parts + (p - r->parts);
        }
        st->body[i] = (struct ke_slice){ p, r->body[i].n };
    }
    st->n_body = r->n_body;
    if (st->n_body) {
        st->ix = w->ix;
        ke_index_hold(st->ix);
    }

    nghttp2_nv nv[MAX_NV];
    char *p = r->head, *end = r->head + r->head_len;
    for (;;) {
        int status;
        char *next;
        size_t n = head_to_nv(p, end, nv, &status, &next);
        if (status >= 200 || next >= end) {
            nghttp2_data_provider dp = { .source.ptr = st, .read_callback = read_body };
            return nghttp2_submit_response(h->s, id, nv, n, st->n_body ? &dp : NULL);
        }
        int rc = nghttp2_submit_headers(h->s, NGHTTP2_FLAG_NONE, id, NULL, nv, n, NULL);
        if (rc != 0)
            return rc;
        p = next;
    }
}

/* ---- PRIORITY_UPDATE ------------------------------------------------------------- */

/*
 * kiln-edge reads RFC 9218's PRIORITY_UPDATE frames itself, as a user
 * extension type, rather than with nghttp2's builtin support: in 1.52
 * (Debian 12) a frame for an idle stream makes an idle stream object that,
 * once a HEADERS opens it, is still on the idle list, so it is freed while
 * listed (a use-after-free a later frame writes through) or a GOAWAY's
 * sweep aborts on nghttp2's assertion. Here an idle stream's priority waits
 * in h->idle until its request comes.
 */

static int
on_extension_chunk(nghttp2_session *s, const nghttp2_frame_hd *hd, const uint8_t *data, size_t len,
                   void *user)
{
    (void)s;
    (void)hd;
    struct ke_h2 *h = user;
    if (h->pu_len < PU_MAX)
        memcpy(h->pu + h->pu_len, data, len < PU_MAX - h->pu_len ? len : PU_MAX - h->pu_len);
    h->pu_len += len;
    return 0;
}

static int
unpack_extension(nghttp2_session *s, void **payload, const nghttp2_frame_hd *hd, void *user)
{
    (void)s;
    (void)hd;
    *payload = user;
    return 0;
}

/* RFC 9218 §7.1: on stream 0, at least the 4-byte prioritized stream ID,
 * which is not 0 and not an idle push stream (kiln-edge pushes none); a value
 * that does not parse, or longer than kiln-edge keeps, is ignored, and so is
 * a closed stream. Idle prioritized streams and open ones together stay
 * within SETTINGS_MAX_CONCURRENT_STREAMS. */
static void
priority_update(struct ke_h2 *h, const nghttp2_frame *frame)
{
    size_t n = h->pu_len; /* on_begin_frame set it to 0 */
    if (frame->hd.stream_id != 0 || n < 4) {
        connection_error(h, n < 4 ? NGHTTP2_FRAME_SIZE_ERROR : NGHTTP2_PROTOCOL_ERROR);
        return;
    }
    const unsigned char *b = h->pu;
    int32_t id = (int32_t)(((uint32_t)(b[0] & 0x7f) << 24) | (uint32_t)b[1] << 16 |
                           (uint32_t)b[2] << 8 | b[3]);
    if (!(id & 1)) { /* 0, or a push stream: kiln-edge pushes none, so idle */
        connection_error(h, NGHTTP2_PROTOCOL_ERROR);
        return;
    }
    struct ke_priority p;
    if (n > PU_MAX || ke_priority_parse((const char *)b + 4, n - 4, &p) != 0)
        return;
    nghttp2_extpri pri = { p.urgency, p.incremental };
    if (id <= nghttp2_session_get_last_proc_stream_id(h->s)) { /* open: now; closed: no */
        struct stream *st = nghttp2_session_get_stream_user_data(h->s, id);
        if (st && nghttp2_session_change_extpri_stream_priority(h->s, id, &pri, 1) == 0)
            st->has_priority = true;
        return;
    }
    for (unsigned i = 0; i < h->n_idle; i++) {
        if (h->idle[i].id == id) {
            h->idle[i].pri = pri;
            return;
        }
    }
    unsigned max = h->w->cfg->h2_max_streams;
    if (h->n_idle + h->n_streams >= max) {
        connection_error(h, NGHTTP2_PROTOCOL_ERROR);
        return;
    }
    if (!h->idle && !(h->idle = malloc(max * sizeof *h->idle))) {
        connection_error(h, NGHTTP2_INTERNAL_ERROR);
        return;
    }
    h->idle[h->n_idle++] = (struct idle_pri){ id, pri };
}

static int
on_frame_recv(nghttp2_session *s, const nghttp2_frame *frame, void *user)
{
    struct ke_h2 *h = user;
    if (frame->hd.type == NGHTTP2_RST_STREAM) {
        unsigned r = h->w->cfg->h2_max_resets;
        if (!bucket_take(&h->resets, r, r, 30000))
            calm(h, KE_H2D_RESET_FLOOD);
        return 0;
    }
    if (frame->hd.type == PRIORITY_UPDATE) {
        priority_update(h, frame);
        return 0;
    }
    if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST)
        return 0;
    struct stream *st = nghttp2_session_get_stream_user_data(s, frame->hd.stream_id);
    if (!st || !st->hbuf)
        return 0;
    /* Past our GOAWAY (--max-requests, a drain, a defence): the stream is not
     * processed, as its last-stream-id tells the client, which may retry it. */
    if (h->goaway) {
        fields_put(h, st);
        return 0;
    }
    int rc = answer(h, frame->hd.stream_id, st);
    return rc == 0 || rc == NGHTTP2_ERR_INVALID_ARGUMENT ? 0 : NGHTTP2_ERR_CALLBACK_FAILURE;
}

/* Every frame header, CONTINUATIONs included, as it arrives: empty frames
 * that carry nothing, and SETTINGS and PING (each costs an ACK), against
 * their budgets. */
static int
on_begin_frame(nghttp2_session *s, const nghttp2_frame_hd *hd, void *user)
{
    (void)s;
    struct ke_h2 *h = user;
    switch (hd->type) {
    case NGHTTP2_DATA:
        if (hd->length == 0 && !(hd->flags & NGHTTP2_FLAG_END_STREAM))
            glitch(h);
        break;
    case NGHTTP2_HEADERS:
    case NGHTTP2_CONTINUATION:
        if (hd->length == 0 && !(hd->flags & NGHTTP2_FLAG_END_HEADERS))
            glitch(h);
        break;
    case PRIORITY_UPDATE:
        h->pu_len = 0; /* each frame's payload from its first chunk */
        break;
    case NGHTTP2_SETTINGS:
    case NGHTTP2_PING:
        if (!(hd->flags & NGHTTP2_FLAG_ACK)) {
            unsigned c = h->w->cfg->h2_max_control;
            if (!bucket_take(&h->control, c, c, 1000))
                calm(h, KE_H2D_CONTROL_FLOOD);
        }
        break;
    default: break;
    }
    return 0;
}

/* Every RST_STREAM kiln-edge sends, nghttp2's own included (a refused
 * stream, a malformed request), is a glitch. */
static int
on_frame_send(nghttp2_session *s, const nghttp2_frame *frame, void *user)
{
    (void)s;
    struct ke_h2 *h = user;
    if (frame->hd.type != NGHTTP2_RST_STREAM)
        return 0;
    if (frame->rst_stream.error_code == NGHTTP2_REFUSED_STREAM)
        ke_metrics_h2_defence(&h->w->m, KE_H2D_REFUSED_STREAM);
    glitch(h);
    return 0;
}

static int
on_stream_close(nghttp2_session *s, int32_t id, uint32_t code, void *user)
{
    (void)code;
    struct stream *st = nghttp2_session_get_stream_user_data(s, id);
    if (st) {
        nghttp2_session_set_stream_user_data(s, id, NULL);
        stream_free(user, st);
    }
    return 0;
}

/* ---- the session ---------------------------------------------------------------- */

struct ke_h2 *
ke_h2_new(struct ke_worker *w, const struct ke_peer *peer, bool tls, ke_h2_sink *sink, void *ctx)
{
    const struct ke_config *cfg = w->cfg;
    struct ke_h2 *h = calloc(1, sizeof *h);
    nghttp2_session_callbacks *cb = NULL;
    nghttp2_option *opt = NULL;
    if (!h || nghttp2_session_callbacks_new(&cb) != 0 || nghttp2_option_new(&opt) != 0)
        goto fail;
    h->w = w;
    h->peer = peer;
    h->tls = tls;
    h->sink = sink;
    h->ctx = ctx;
    bucket_init(&h->glitches, cfg->h2_max_glitches);
    bucket_init(&h->control, cfg->h2_max_control);
    bucket_init(&h->resets, cfg->h2_max_resets);
    nghttp2_session_callbacks_set_send_data_callback(cb, send_data);
    nghttp2_session_callbacks_set_on_begin_frame_callback(cb, on_begin_frame);
    nghttp2_session_callbacks_set_on_begin_headers_callback(cb, on_begin_headers);
    nghttp2_session_callbacks_set_on_header_callback(cb, on_header);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cb, on_frame_recv);
    nghttp2_session_callbacks_set_on_frame_send_callback(cb, on_frame_send);
    nghttp2_session_callbacks_set_on_stream_close_callback(cb, on_stream_close);
    nghttp2_session_callbacks_set_on_extension_chunk_recv_callback(cb, on_extension_chunk);
    nghttp2_session_callbacks_set_unpack_extension_callback(cb, unpack_extension);
    /* nghttp2's own limits, as a backstop behind kiln-edge's counting (the
     * same budget: kiln-edge's bucket counts every RST_STREAM, so it empties
     * first and says why in /metrics). */
    nghttp2_option_set_stream_reset_rate_limit(
        opt, cfg->h2_max_resets, cfg->h2_max_resets / 30 ? cfg->h2_max_resets / 30 : 1);
    nghttp2_option_set_max_continuations(opt, cfg->h2_max_continuations);
    nghttp2_option_set_max_deflate_dynamic_table_size(opt, 4096);
    nghttp2_option_set_user_recv_extension_type(opt, PRIORITY_UPDATE);
    if (nghttp2_session_server_new2(&h->s, cb, h, opt) != 0)
        goto fail;
    nghttp2_settings_entry iv[] = {
        { NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, cfg->h2_max_streams },
        { NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, (uint32_t)cfg->max_head },
        { NGHTTP2_SETTINGS_NO_RFC7540_PRIORITIES, 1 },
    };
    if (nghttp2_submit_settings(h->s, NGHTTP2_FLAG_NONE, iv, sizeof iv / sizeof iv[0]) != 0)
        goto fail;
    atomic_fetch_add_explicit(&w->m.h2_sessions[tls], 1, memory_order_relaxed);
    nghttp2_session_callbacks_del(cb);
    nghttp2_option_del(opt);
    return h;
fail:
    nghttp2_session_callbacks_del(cb);
    nghttp2_option_del(opt);
    if (h)
        nghttp2_session_del(h->s);
    free(h);
    return NULL;
}

void
ke_h2_free(struct ke_h2 *h)
{
    if (!h)
        return;
    nghttp2_session_del(h->s);
    while (h->streams)
        stream_free(h, h->streams);
    free(h->idle);
    if (h->out) {
        out_release(h->out);
        free(h->out);
    }
    free(h);
}

int
ke_h2_recv(struct ke_h2 *h, const char *p, size_t n)
{
    ssize_t rc = nghttp2_session_mem_recv(h->s, (const uint8_t *)p, n);
    if (rc < 0) {
        if (rc == NGHTTP2_ERR_TOO_MANY_CONTINUATIONS)
            ke_metrics_h2_defence(&h->w->m, KE_H2D_CONTINUATION_FLOOD);
        else if (rc == NGHTTP2_ERR_FLOODED) /* ACKs queued for a client that does not read */
            ke_metrics_h2_defence(&h->w->m, KE_H2D_CONTROL_FLOOD);
        h->failed = true;
        (void)flush(h); /* a GOAWAY nghttp2 queued, if the socket takes it */
        return -1;
    }
    return flush(h) == 0 ? 0 : -1;
}

int
ke_h2_send(struct ke_h2 *h)
{
    return flush(h);
}

void
ke_h2_goaway(struct ke_h2 *h)
{
    if (h->goaway)
        return;
    h->goaway = true;
    (void)nghttp2_submit_goaway(h->s, NGHTTP2_FLAG_NONE,
                                nghttp2_session_get_last_proc_stream_id(h->s), NGHTTP2_NO_ERROR,
                                NULL, 0);
}

void
ke_h2_timeout(struct ke_h2 *h, bool idle)
{
    ke_metrics_h2_defence(&h->w->m, idle ? KE_H2D_IDLE_TIMEOUT : KE_H2D_SEND_TIMEOUT);
    if (idle) {
        ke_h2_goaway(h);
        (void)flush(h);
    }
}

uint64_t
ke_h2_pending(const struct ke_h2 *h)
{
    return h->pending + (h->writing ? h->out->bytes : 0);
}

bool
ke_h2_writing(const struct ke_h2 *h)
{
    return h->writing;
}

bool
ke_h2_done(const struct ke_h2 *h)
{
    return h->failed ||
           (!h->writing && !nghttp2_session_want_read(h->s) && !nghttp2_session_want_write(h->s));
}
