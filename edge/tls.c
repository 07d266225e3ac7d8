/*
 * TLS on mbedTLS 2.28 (docs/tls.md has the policy and its reasons). The
 * configuration is built once per load of the certificates; ticket keys and
 * the session cache are process-wide and thread-safe (mbedTLS is built with
 * MBEDTLS_THREADING_PTHREAD in Debian), so a session resumes on whichever
 * worker accepts it. Randomness comes straight from getrandom(2): no DRBG
 * state to share or lock between workers.
 */
#include "edge/tls.h"
#include "common/log.h"
#include "common/vec.h"

#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/ssl_cache.h>
#include <mbedtls/ssl_internal.h> /* handshake->resume: whether a session was resumed */
#include <mbedtls/ssl_ticket.h>
#include <mbedtls/x509_crt.h>

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>

#define STASH_MAX     (256u << 10) /* unread ciphertext a paused connection may hold */
#define OUT_MAX       (8u << 20)   /* ciphertext queued in one session: the pump stays far below */
#define TLS_BUF_FIRST (16u * 1024 + 512) /* a whole record: 16 KiB of plaintext and overhead */

struct cert {
    mbedtls_x509_crt chain;
    mbedtls_pk_context key;
};

struct ke_tls {
    atomic_int refs;
    mbedtls_ssl_config conf;
    struct cert *certs;
    unsigned n;
};

struct ke_tls_sess {
    mbedtls_ssl_context ssl;
    struct ke_tls *t;
    const unsigned char *feed; /* the caller's read buffer, until keep() */
    size_t feed_len;
    unsigned char *stash; /* input not consumed when the caller's buffer was reused */
    size_t stash_off, stash_len, stash_cap;
    unsigned char *out; /* ciphertext to send: out[out_off..out_len) */
    size_t out_off, out_len, out_cap;
    int err;
    bool established, resumed, notified;
};

static struct {
    bool on;
    mbedtls_ssl_ticket_context ticket;
    mbedtls_ssl_cache_context cache;
} g;

/* Server preference: AES-GCM first (AES-NI makes it the fastest where the
 * CPU has it), ChaCha20-Poly1305 for the rest; ECDSA before RSA where both
 * certificates exist (smaller, cheaper handshakes). ECDHE only: forward
 * secrecy, no static RSA; AEAD only: no CBC, so no Lucky13 class. */
static const int suites[] = {
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    MBEDTLS_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    0,
};
static const mbedtls_ecp_group_id curves[] = {
    MBEDTLS_ECP_DP_CURVE25519,
    MBEDTLS_ECP_DP_SECP256R1,
    MBEDTLS_ECP_DP_SECP384R1,
    MBEDTLS_ECP_DP_NONE,
};
static const int sig_hashes[] = { MBEDTLS_MD_SHA256, MBEDTLS_MD_SHA384, MBEDTLS_MD_SHA512,
                                  MBEDTLS_MD_NONE };
/* ALPN in server order (mbedTLS picks the first the client also offers):
 * h2 first unless --http2 off. */
static const char *alpn_h2[] = { "h2", "http/1.1", NULL };
static const char *alpn_h1[] = { "http/1.1", NULL };

static int
rng(void *unused, unsigned char *out, size_t n)
{
    (void)unused;
    while (n > 0) {
        ssize_t r = getrandom(out, n, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return MBEDTLS_ERR_ENTROPY_SOURCE_FAILED;
        out += r;
        n -= (size_t)r;
    }
    return 0;
}

static const char *
mbed_err(int rc, char *buf, size_t n)
{
    mbedtls_strerror(rc, buf, n);
    return buf;
}

/* ---- process-wide state --------------------------------------------------------------- */

int
ke_tls_global_init(const struct ke_config *cfg, char *err, size_t errsz)
{
    char why[160];
    uint32_t lifetime = cfg->tls_session_timeout / 1000;
    mbedtls_ssl_ticket_init(&g.ticket);
    mbedtls_ssl_cache_init(&g.cache);
    g.on = true;
    /* Two keys: a ticket is issued with the current one, which is replaced
     * every `lifetime` seconds; the previous one still decrypts. */
    int rc = mbedtls_ssl_ticket_setup(&g.ticket, rng, NULL, MBEDTLS_CIPHER_AES_256_GCM, lifetime);
    if (rc != 0) {
        snprintf(err, errsz, "TLS session tickets: %s", mbed_err(rc, why, sizeof why));
        ke_tls_global_free();
        return -1;
    }
    mbedtls_ssl_cache_set_timeout(&g.cache, (int)lifetime);
    mbedtls_ssl_cache_set_max_entries(&g.cache, (int)cfg->tls_session_cache);
    return 0;
}

void
ke_tls_global_free(void)
{
    if (!g.on)
        return;
    mbedtls_ssl_ticket_free(&g.ticket);
    mbedtls_ssl_cache_free(&g.cache);
    g.on = false;
}

/* ---- certificates ------------------------------------------------------------------------ */

bool
ke_tls_name_match(const char *pattern, size_t plen, const char *name, size_t nlen)
{
    if (plen > 2 && pattern[0] == '*' && pattern[1] == '.') {
        const char *dot = memchr(name, '.', nlen);
        if (!dot || dot == name)
            return false;
        size_t rest = nlen - (size_t)(dot - name);
        return rest == plen - 1 && strncasecmp(dot, pattern + 1, rest) == 0;
    }
    return plen == nlen && strncasecmp(pattern, name, nlen) == 0;
}

/* Calls fn for each DNS name of crt: its subjectAltName dNSNames, or its
 * subject CN when it has none (as old certificates do). Stops when fn
 * returns true, and returns that. */
static bool
each_name(const mbedtls_x509_crt *crt, bool (*fn)(const char *, size_t, void *), void *arg)
{
    bool any = false;
    for (const mbedtls_x509_sequence *s = &crt->subject_alt_names; s && s->buf.p; s = s->next) {
        if (s->buf.tag != (MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_X509_SAN_DNS_NAME))
            continue;
        any = true;
        if (fn((const char *)s->buf.p, s->buf.len, arg))
            return true;
    }
    if (any)
        return false;
    for (const mbedtls_x509_name *n = &crt->subject; n; n = n->next)
        if (n->oid.p && MBEDTLS_OID_CMP(MBEDTLS_OID_AT_CN, &n->oid) == 0)
            return fn((const char *)n->val.p, n->val.len, arg);
    return false;
}

struct want {
    const char *name;
    size_t len;
    bool wild; /* match wildcard patterns (second pass) or exact names only */
};

static bool
name_matches(const char *pat, size_t plen, void *arg)
{
    const struct want *w = arg;
    bool is_wild = plen > 2 && pat[0] == '*' && pat[1] == '.';
    return is_wild == w->wild && ke_tls_name_match(pat, plen, w->name, w->len);
}

static bool
first_name(const char *pat, size_t plen, void *arg)
{
    struct want *w = arg;
    w->name = pat;
    w->len = plen;
    return true;
}

/* SNI: every certificate for the exact name, else every wildcard one that
 * matches; with several (RSA and ECDSA), mbedTLS picks by the suite. An
 * unknown name keeps the default certificates: refusing would only turn a
 * misconfigured client's name mismatch into a handshake failure. */
static int
on_sni(void *p, mbedtls_ssl_context *ssl, const unsigned char *name, size_t len)
{
    const struct ke_tls *t = p;
    for (int wild = 0; wild < 2; wild++) {
        struct want w = { (const char *)name, len, wild };
        bool found = false;
        for (unsigned i = 0; i < t->n; i++)
            if (each_name(&t->certs[i].chain, name_matches, &w)) {
                mbedtls_ssl_set_hs_own_cert(ssl, &t->certs[i].chain, &t->certs[i].key);
                found = true;
            }
        if (found)
            return 0;
    }
    return 0;
}

/* Reads one pair. Returns 0, or -1 with "tls-cert 'F': reason" in err.
 * group_ok: with --user, a key readable by its group is the documented way
 * to let the service user reload it (docs/security.md), not a mistake. */
static int
load_pair(struct cert *c, const struct ke_cert_pair *pair, bool group_ok, char *err, size_t errsz)
{
    char why[160];
    FILE *f;
    int rc;

    if (!(f = fopen(pair->cert, "r"))) {
        snprintf(err, errsz, "tls-cert '%s': cannot read: %s", pair->cert, strerror(errno));
        return -1;
    }
    fclose(f);
    rc = mbedtls_x509_crt_parse_file(&c->chain, pair->cert);
    if (rc != 0 || !c->chain.raw.p) {
        snprintf(err, errsz, "tls-cert '%s': %s", pair->cert,
                 rc > 0    ? "holds a certificate that does not parse"
                 : rc == 0 ? "holds no certificate"
                           : mbed_err(rc, why, sizeof why));
        return -1;
    }
    if (!(f = fopen(pair->key, "r"))) {
        snprintf(err, errsz, "tls-key '%s': cannot read: %s", pair->key, strerror(errno));
        return -1;
    }
    fclose(f);
    rc = mbedtls_pk_parse_keyfile(&c->key, pair->key, NULL);
    if (rc != 0) {
        snprintf(err, errsz, "tls-key '%s': %s", pair->key,
                 rc == MBEDTLS_ERR_PK_PASSWORD_REQUIRED
                     ? "the key is encrypted (give an unencrypted PEM key)"
                     : mbed_err(rc, why, sizeof why));
        return -1;
    }
    if (mbedtls_pk_can_do(&c->key, MBEDTLS_PK_ECKEY)) {
        mbedtls_ecp_group_id id = mbedtls_pk_ec(c->key)->grp.id;
        if (id != MBEDTLS_ECP_DP_SECP256R1 && id != MBEDTLS_ECP_DP_SECP384R1) {
            snprintf(err, errsz,
                     "tls-key '%s': ECDSA key on an unsupported curve (want P-256 or P-384)",
                     pair->key);
            return -1;
        }
    } else if (mbedtls_pk_can_do(&c->key, MBEDTLS_PK_RSA)) {
        if (mbedtls_pk_get_bitlen(&c->key) < 2048)
            kc_warn("tls-key '%s': RSA key of %zu bits (2048 or more is expected)", pair->key,
                    mbedtls_pk_get_bitlen(&c->key));
    } else {
        snprintf(err, errsz, "tls-key '%s': not an RSA or ECDSA key", pair->key);
        return -1;
    }
    if (mbedtls_pk_check_pair(&c->chain.pk, &c->key) != 0) {
        snprintf(err, errsz, "tls-key '%s' does not match the certificate in '%s'", pair->key,
                 pair->cert);
        return -1;
    }
    const mbedtls_x509_time *to = &c->chain.valid_to, *from = &c->chain.valid_from;
    if (mbedtls_x509_time_is_past(to))
        kc_warn("tls-cert '%s': expired on %04d-%02d-%02d: clients will refuse it", pair->cert,
                to->year, to->mon, to->day);
    else if (mbedtls_x509_time_is_future(from))
        kc_warn("tls-cert '%s': not valid before %04d-%02d-%02d", pair->cert, from->year, from->mon,
                from->day);
    struct stat st;
    if (stat(pair->key, &st) == 0 && (st.st_mode & (group_ok ? 007 : 077)))
        kc_warn("tls-key '%s': readable by %s (mode %04o); chmod 600 it", pair->key,
                (st.st_mode & 004) ? "everyone" : "its group", (unsigned)(st.st_mode & 07777));
    return 0;
}

static void
tls_free(struct ke_tls *t)
{
    for (unsigned i = 0; i < t->n; i++) {
        mbedtls_x509_crt_free(&t->certs[i].chain);
        mbedtls_pk_free(&t->certs[i].key);
    }
    mbedtls_ssl_config_free(&t->conf);
    free(t->certs);
    free(t);
}

int
ke_tls_load(const struct ke_config *cfg, struct ke_tls **out, char *err, size_t errsz)
{
    char why[160];
    struct ke_tls *t = calloc(1, sizeof *t);
    if (!t || !(t->certs = calloc(cfg->n_certs ? cfg->n_certs : 1, sizeof *t->certs))) {
        free(t);
        snprintf(err, errsz, "out of memory");
        return -1;
    }
    atomic_init(&t->refs, 1);
    mbedtls_ssl_config_init(&t->conf);
    for (; t->n < cfg->n_certs; t->n++) {
        mbedtls_x509_crt_init(&t->certs[t->n].chain);
        mbedtls_pk_init(&t->certs[t->n].key);
        if (load_pair(&t->certs[t->n], &cfg->certs[t->n], cfg->user[0] != '\0', err, errsz) != 0) {
            t->n++;
            goto fail;
        }
    }
    mbedtls_ssl_config *c = &t->conf;
    int rc = mbedtls_ssl_config_defaults(c, MBEDTLS_SSL_IS_SERVER, MBEDTLS_SSL_TRANSPORT_STREAM,
                                         MBEDTLS_SSL_PRESET_DEFAULT);
    if (rc != 0) {
        snprintf(err, errsz, "TLS configuration: %s", mbed_err(rc, why, sizeof why));
        goto fail;
    }
    mbedtls_ssl_conf_rng(c, rng, NULL);
    mbedtls_ssl_conf_min_version(c, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
    mbedtls_ssl_conf_max_version(c, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
    mbedtls_ssl_conf_ciphersuites(c, suites);
    mbedtls_ssl_conf_curves(c, curves);
    mbedtls_ssl_conf_sig_hashes(c, sig_hashes);
    mbedtls_ssl_conf_renegotiation(c, MBEDTLS_SSL_RENEGOTIATION_DISABLED);
    mbedtls_ssl_conf_legacy_renegotiation(c, MBEDTLS_SSL_LEGACY_NO_RENEGOTIATION);
    mbedtls_ssl_conf_extended_master_secret(c, MBEDTLS_SSL_EXTENDED_MS_ENABLED);
    mbedtls_ssl_conf_encrypt_then_mac(c, MBEDTLS_SSL_ETM_ENABLED);
    mbedtls_ssl_conf_alpn_protocols(c, cfg->http2 ? alpn_h2 : alpn_h1);
    mbedtls_ssl_conf_sni(c, on_sni, t);
    if (g.on) {
        mbedtls_ssl_conf_session_tickets_cb(c, mbedtls_ssl_ticket_write, mbedtls_ssl_ticket_parse,
                                            &g.ticket);
        if (cfg->tls_session_cache)
            mbedtls_ssl_conf_session_cache(c, &g.cache, mbedtls_ssl_cache_get,
                                           mbedtls_ssl_cache_set);
    }
    /* The default, without SNI or for an unknown name: the first pair, and
     * every other one that serves its first name (its RSA or ECDSA twin). */
    struct want def = { NULL, 0, false };
    if (t->n)
        each_name(&t->certs[0].chain, first_name, &def);
    for (unsigned i = 0; i < t->n; i++) {
        if (i > 0 && (!def.name || !each_name(&t->certs[i].chain, name_matches, &def)))
            continue;
        rc = mbedtls_ssl_conf_own_cert(c, &t->certs[i].chain, &t->certs[i].key);
        if (rc != 0) {
            snprintf(err, errsz, "tls-cert '%s': %s", cfg->certs[i].cert,
                     mbed_err(rc, why, sizeof why));
            goto fail;
        }
    }
    *out = t;
    return 0;
fail:
    tls_free(t);
    return -1;
}

void
ke_tls_hold(struct ke_tls *t)
{
    if (t)
        atomic_fetch_add_explicit(&t->refs, 1, memory_order_relaxed);
}

void
ke_tls_release(struct ke_tls *t)
{
    if (t && atomic_fetch_sub_explicit(&t->refs, 1, memory_order_acq_rel) == 1)
        tls_free(t);
}

/* ---- one connection ------------------------------------------------------------------------ */

/* Grows *buf to hold need bytes, doubling; false past max. The first
 * allocation holds a whole TLS record, so most sessions allocate once. */
static bool
reserve(unsigned char **buf, size_t *cap, size_t need, size_t max)
{
    if (*cap == 0 && need < TLS_BUF_FIRST && TLS_BUF_FIRST <= max)
        need = TLS_BUF_FIRST;
    return kc_vec_reserve(*buf, *cap, need, max) == 0;
}

static int
bio_send(void *ctx, const unsigned char *p, size_t n)
{
    struct ke_tls_sess *s = ctx;
    if (s->out_off == s->out_len)
        s->out_off = s->out_len = 0;
    if (!reserve(&s->out, &s->out_cap, s->out_len + n, OUT_MAX))
        return MBEDTLS_ERR_SSL_ALLOC_FAILED;
    memcpy(s->out + s->out_len, p, n);
    s->out_len += n;
    return (int)n;
}

static int
bio_recv(void *ctx, unsigned char *p, size_t n)
{
    struct ke_tls_sess *s = ctx;
    const unsigned char *src;
    size_t avail;
    if (s->stash_off < s->stash_len) {
        src = s->stash + s->stash_off;
        avail = s->stash_len - s->stash_off;
    } else if (s->feed_len > 0) {
        src = s->feed;
        avail = s->feed_len;
    } else {
        return MBEDTLS_ERR_SSL_WANT_READ;
    }
    if (n > avail)
        n = avail;
    memcpy(p, src, n);
    if (src == s->feed) {
        s->feed += n;
        s->feed_len -= n;
    } else if ((s->stash_off += n) == s->stash_len) {
        s->stash_off = s->stash_len = 0;
    }
    return (int)n;
}

struct ke_tls_sess *
ke_tls_sess_new(struct ke_tls *t)
{
    struct ke_tls_sess *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    mbedtls_ssl_init(&s->ssl);
    if (mbedtls_ssl_setup(&s->ssl, &t->conf) != 0) {
        mbedtls_ssl_free(&s->ssl);
        free(s);
        return NULL;
    }
    mbedtls_ssl_set_bio(&s->ssl, s, bio_send, bio_recv, NULL);
    s->t = t;
    ke_tls_hold(t);
    return s;
}

void
ke_tls_sess_free(struct ke_tls_sess *s)
{
    if (!s)
        return;
    mbedtls_ssl_free(&s->ssl);
    ke_tls_release(s->t);
    free(s->stash);
    free(s->out);
    free(s);
}

void
ke_tls_sess_feed(struct ke_tls_sess *s, const char *p, size_t n)
{
    s->feed = (const unsigned char *)p;
    s->feed_len = n;
    if (s->stash_off < s->stash_len && n > 0)
        (void)ke_tls_sess_keep(s); /* older bytes first: append behind them */
}

int
ke_tls_sess_keep(struct ke_tls_sess *s)
{
    if (s->feed_len == 0)
        return 0;
    if (s->stash_off > 0) {
        memmove(s->stash, s->stash + s->stash_off, s->stash_len - s->stash_off);
        s->stash_len -= s->stash_off;
        s->stash_off = 0;
    }
    if (!reserve(&s->stash, &s->stash_cap, s->stash_len + s->feed_len, STASH_MAX))
        return -1;
    memcpy(s->stash + s->stash_len, s->feed, s->feed_len);
    s->stash_len += s->feed_len;
    s->feed = NULL;
    s->feed_len = 0;
    return 0;
}

bool
ke_tls_sess_has_input(const struct ke_tls_sess *s)
{
    return s->feed_len > 0 || s->stash_off < s->stash_len ||
           mbedtls_ssl_get_bytes_avail(&s->ssl) > 0;
}

int
ke_tls_sess_handshake(struct ke_tls_sess *s)
{
    if (s->established)
        return 0;
    int rc = mbedtls_ssl_handshake(&s->ssl);
    if (s->ssl.handshake && s->ssl.handshake->resume)
        s->resumed = true;
    if (rc == 0) {
        s->established = true;
        return 0;
    }
    if (rc == MBEDTLS_ERR_SSL_WANT_READ || rc == MBEDTLS_ERR_SSL_WANT_WRITE)
        return KE_TLS_AGAIN;
    s->err = rc;
    return KE_TLS_FAILED;
}

bool
ke_tls_sess_established(const struct ke_tls_sess *s)
{
    return s->established;
}

bool
ke_tls_sess_resumed(const struct ke_tls_sess *s)
{
    return s->resumed;
}

bool
ke_tls_sess_h2(const struct ke_tls_sess *s)
{
    const char *p = mbedtls_ssl_get_alpn_protocol(&s->ssl);
    return p && strcmp(p, "h2") == 0;
}

const char *
ke_tls_sess_error(const struct ke_tls_sess *s, char *buf, size_t n)
{
    return mbed_err(s->err, buf, n);
}

ssize_t
ke_tls_sess_read(struct ke_tls_sess *s, char *out, size_t cap)
{
    int rc = mbedtls_ssl_read(&s->ssl, (unsigned char *)out, cap);
    if (rc > 0)
        return rc;
    if (rc == MBEDTLS_ERR_SSL_WANT_READ || rc == MBEDTLS_ERR_SSL_WANT_WRITE)
        return KE_TLS_AGAIN;
    if (rc == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY || rc == 0)
        return KE_TLS_CLOSED;
    s->err = rc;
    return KE_TLS_FAILED;
}

int
ke_tls_sess_write(struct ke_tls_sess *s, const void *p, size_t n)
{
    while (n > 0) {
        int rc = mbedtls_ssl_write(&s->ssl, p, n);
        if (rc <= 0) {
            s->err = rc;
            return KE_TLS_FAILED;
        }
        p = (const char *)p + rc;
        n -= (size_t)rc;
    }
    return 0;
}

void
ke_tls_sess_close_notify(struct ke_tls_sess *s)
{
    if (s->established && !s->notified) {
        s->notified = true;
        mbedtls_ssl_close_notify(&s->ssl);
    }
}

void
ke_tls_sess_output(const struct ke_tls_sess *s, const unsigned char **p, size_t *n)
{
    *p = s->out ? s->out + s->out_off : (const unsigned char *)"";
    *n = s->out_len - s->out_off;
}

void
ke_tls_sess_consumed(struct ke_tls_sess *s, size_t k)
{
    s->out_off += k;
    if (s->out_off >= s->out_len)
        s->out_off = s->out_len = 0;
}

void *
ke_tls_sess_detach(struct ke_tls_sess *s, const unsigned char **p, size_t *n)
{
    void *buf = s->out;
    *p = s->out ? s->out + s->out_off : (const unsigned char *)"";
    *n = s->out_len - s->out_off;
    s->out = NULL;
    s->out_off = s->out_len = s->out_cap = 0;
    return buf;
}
