/*
 * Fuzz target for ke_target_normalize. Byte 0 picks the output size (1..256);
 * the rest is the request-target. Checks on success: the path fits, is
 * NUL-terminated, starts with '/', and holds no NUL, control byte, backslash,
 * "//", "/./" or "/../" nor ends in "/." or "/.."; a bigger buffer gives the
 * same path; a path without '%', '?' or '#' normalises to itself. On
 * KE_TARGET_TOO_LONG a bigger buffer may succeed; KE_TARGET_BAD never
 * depends on the buffer size. A violation abort()s.
 */
#include "edge/target.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_path(const char *p, size_t len)
{
    if (len == 0 || p[0] != '/' || p[len] != '\0')
        abort();
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c < 0x20 || c == 0x7f || c == '\\')
            abort();
        if (c != '/')
            continue;
        const char *s = p + i + 1;
        size_t left = len - i - 1;
        if (left >= 1 && s[0] == '/')
            abort();
        if ((left == 1 && s[0] == '.') || (left >= 2 && s[0] == '.' && s[1] == '/'))
            abort();
        if ((left == 2 && s[0] == '.' && s[1] == '.') ||
            (left >= 3 && s[0] == '.' && s[1] == '.' && s[2] == '/'))
            abort();
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    size_t outsz = (size_t)data[0] + 1;
    const char *t = (const char *)data + 1;
    size_t n = size - 1;
    char *out = malloc(outsz); /* exact size, so ASan sees any overrun */
    static char big[8192], again[8192];
    size_t len = 0, blen = 0, alen = 0;
    if (!out)
        return 0;
    int rc = ke_target_normalize(t, n, out, outsz, &len);
    int brc = ke_target_normalize(t, n, big, sizeof big, &blen);
    if (rc != KE_TARGET_OK && rc != KE_TARGET_BAD && rc != KE_TARGET_TOO_LONG)
        abort();
    if ((rc == KE_TARGET_BAD) != (brc == KE_TARGET_BAD))
        abort();
    if (rc == KE_TARGET_OK) {
        if (len >= outsz)
            abort();
        check_path(out, len);
        if (brc != KE_TARGET_OK || blen != len || memcmp(big, out, len) != 0)
            abort();
    }
    if (brc == KE_TARGET_OK && n < sizeof big / 2) {
        check_path(big, blen);
        if (!memchr(big, '%', blen) && !memchr(big, '?', blen) && !memchr(big, '#', blen)) {
            if (ke_target_normalize(big, blen, again, sizeof again, &alen) != KE_TARGET_OK ||
                alen != blen || memcmp(again, big, blen) != 0)
                abort();
        }
    }
    free(out);
    return 0;
}
