/*
 * Hashing for kiln: SHA-256 names files and ETags, SHA-384 gives Subresource
 * Integrity values (mbedTLS's libmbedcrypto, which the edge links for TLS
 * anyway); FNV-1a places keys in in-memory hash tables. Output buffers are
 * the caller's.
 */
#ifndef KC_HASH_H
#define KC_HASH_H

#include <stddef.h>
#include <stdint.h>

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

/* 64-bit FNV-1a's offset basis: the h to start kc_fnv1a64 from. */
#define KC_FNV1A64_INIT 0xcbf29ce484222325u

/* 64-bit FNV-1a of p[0..n), continuing from h (KC_FNV1A64_INIT for a fresh
 * hash; chain calls to hash several fields). Fast and well spread for table
 * slots, but not collision-resistant: keys an attacker chooses can all land
 * in one slot, so tables keyed by request bytes need another hash. */
static inline uint64_t
kc_fnv1a64(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3u;
    return h;
}

#endif
