/*
 * Content hashing for kiln: SHA-256 names files and ETags, SHA-384 gives
 * Subresource Integrity values. Backed by mbedTLS's libmbedcrypto, which the
 * edge links for TLS anyway. Output buffers are the caller's.
 */
#ifndef KC_HASH_H
#define KC_HASH_H

#include <stddef.h>

#define KC_SHA256_LEN 32
#define KC_SHA384_LEN 48

void kc_sha256(const void *data, size_t len, unsigned char out[KC_SHA256_LEN]);
void kc_sha384(const void *data, size_t len, unsigned char out[KC_SHA384_LEN]);

/* Lowercase hex of in[0..n); out must hold 2n+1 bytes. */
void kc_hex(const unsigned char *in, size_t n, char *out);

/* Standard base64 with padding (RFC 4648 §4), NUL-terminated; out must hold
 * 4*((n+2)/3)+1 bytes. Returns the length written. */
size_t kc_base64(const unsigned char *in, size_t n, char *out);

/* "sha384-<base64>" of data, as used in integrity="" attributes; out must hold
 * KC_SRI_LEN bytes. */
#define KC_SRI_LEN (7 + 64 + 1)
void kc_sri_sha384(const void *data, size_t len, char out[KC_SRI_LEN]);

#endif
