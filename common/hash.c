/* SHA-256/384, hex and base64 helpers over mbedTLS's crypto library. */
#include "common/hash.h"

#include <mbedtls/sha256.h>
#include <mbedtls/sha512.h>
#include <string.h>

void
kc_sha256(const void *data, size_t len, unsigned char out[KC_SHA256_LEN])
{
    mbedtls_sha256_ret(data, len, out, 0);
}

void
kc_sha384(const void *data, size_t len, unsigned char out[KC_SHA384_LEN])
{
    unsigned char full[64];
    mbedtls_sha512_ret(data, len, full, 1); /* is384 = 1 writes 48 bytes */
    memcpy(out, full, KC_SHA384_LEN);
}

void
kc_hex(const unsigned char *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

size_t
kc_base64(const unsigned char *in, size_t n, char *out)
{
    static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0, i = 0;
    for (; i + 2 < n; i += 3) {
        unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8 | in[i + 2];
        out[o++] = al[v >> 18];
        out[o++] = al[(v >> 12) & 63];
        out[o++] = al[(v >> 6) & 63];
        out[o++] = al[v & 63];
    }
    if (i < n) {
        unsigned v = (unsigned)in[i] << 16;
        if (i + 1 < n)
            v |= (unsigned)in[i + 1] << 8;
        out[o++] = al[v >> 18];
        out[o++] = al[(v >> 12) & 63];
        out[o++] = i + 1 < n ? al[(v >> 6) & 63] : '=';
        out[o++] = '=';
    }
    out[o] = '\0';
    return o;
}

void
kc_sri_sha384(const void *data, size_t len, char out[KC_SRI_LEN])
{
    unsigned char d[KC_SHA384_LEN];
    kc_sha384(data, len, d);
    memcpy(out, "sha384-", 7);
    kc_base64(d, sizeof d, out + 7);
}
