/*
 * kiln-edge's TLS, on mbedTLS 2.28: TLS 1.2 only, ECDHE key exchange, AEAD
 * suites in server order, certificates chosen by SNI, session tickets and a
 * session cache shared by every worker. A ke_tls is one load of the
 * certificates with the mbedTLS configuration built on them: immutable and
 * reference-counted, so a reload swaps one pointer while connections that
 * started on the old one finish on it. A ke_tls_sess is one connection's
 * record layer, with no I/O of its own: the caller feeds it the bytes it
 * read and takes the bytes it must write (docs/internals/tls.md).
 */
#ifndef KE_TLS_H
#define KE_TLS_H

#include "edge/config.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define KE_TLS_AGAIN  (-1) /* needs more input */
#define KE_TLS_CLOSED (-2) /* the peer sent close_notify */
#define KE_TLS_FAILED (-3) /* fatal: any alert is in the output, then close */

struct ke_tls;
struct ke_tls_sess;

/*
 * Once at startup, before any ke_tls_load: the ticket keys (rotated every
 * cfg->tls_session_timeout) and the session cache. Returns 0 or -1 with a
 * line in err.
 */
int ke_tls_global_init(const struct ke_config *cfg, char *err, size_t errsz);
void ke_tls_global_free(void);

/*
 * Reads every certificate pair of cfg and builds the configuration. Returns
 * 0 with *out holding one reference, or -1 with one line naming the file and
 * the cause in err. Problems that do not stop serving (an expired
 * certificate, a key others can read) are written to stderr as warnings.
 */
int ke_tls_load(const struct ke_config *cfg, struct ke_tls **out, char *err, size_t errsz);
void ke_tls_hold(struct ke_tls *t);
void ke_tls_release(struct ke_tls *t);

/* "*.example.com" matches one label ("a.example.com"), any other pattern
 * only itself; ASCII case-insensitive. Exposed for the unit tests. */
bool ke_tls_name_match(const char *pattern, size_t plen, const char *name, size_t nlen);

/* A new server session on t (which it holds until freed), or NULL. */
struct ke_tls_sess *ke_tls_sess_new(struct ke_tls *t);
void ke_tls_sess_free(struct ke_tls_sess *s);

/*
 * Input: p[0..n) was just read from the socket. The session reads from it
 * during the calls that follow; before p is reused, ke_tls_sess_keep copies
 * what they did not consume.
 */
void ke_tls_sess_feed(struct ke_tls_sess *s, const char *p, size_t n);
int ke_tls_sess_keep(struct ke_tls_sess *s);
bool ke_tls_sess_has_input(const struct ke_tls_sess *s);

/* Advances the handshake: 0 when it is complete, else KE_TLS_AGAIN or
 * KE_TLS_FAILED. */
int ke_tls_sess_handshake(struct ke_tls_sess *s);
bool ke_tls_sess_established(const struct ke_tls_sess *s);
bool ke_tls_sess_resumed(const struct ke_tls_sess *s);
/* After the handshake: ALPN chose h2. */
bool ke_tls_sess_h2(const struct ke_tls_sess *s);
/* After KE_TLS_FAILED: why, for the debug log. */
const char *ke_tls_sess_error(const struct ke_tls_sess *s, char *buf, size_t n);

/* Decrypts one record's worth into out: bytes (> 0), or KE_TLS_AGAIN,
 * KE_TLS_CLOSED, KE_TLS_FAILED. */
ssize_t ke_tls_sess_read(struct ke_tls_sess *s, char *out, size_t cap);

/* Encrypts p[0..n) (n <= 16384: one record) into the output. 0 or
 * KE_TLS_FAILED. */
int ke_tls_sess_write(struct ke_tls_sess *s, const void *p, size_t n);

/* Queues close_notify in the output (once). */
void ke_tls_sess_close_notify(struct ke_tls_sess *s);

/*
 * Output: the ciphertext waiting to be sent is (*p, *n). After sending k
 * bytes of it, ke_tls_sess_consumed(s, k). Or ke_tls_sess_detach hands the
 * whole buffer to the caller (who frees it with free() once written; the
 * bytes to send start at *p) and the session starts a new one.
 */
void ke_tls_sess_output(const struct ke_tls_sess *s, const unsigned char **p, size_t *n);
void ke_tls_sess_consumed(struct ke_tls_sess *s, size_t k);
void *ke_tls_sess_detach(struct ke_tls_sess *s, const unsigned char **p, size_t *n);

#endif
