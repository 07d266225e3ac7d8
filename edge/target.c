/*
 * Request target normalisation; see target.h. A first pass rejects bad
 * escapes and bytes; the second decodes straight into out, appending each
 * segment after a '/' and taking an empty, "." or ".." segment back out when
 * it ends, so out never holds more than the path so far plus one segment.
 */
#include "edge/target.h"
#include "common/ascii.h"

#include <stdbool.h>

/* Whether the path t[i..n) (up to '?' or '#') has only valid escapes and
 * allowed bytes, raw and decoded. Checked before anything is written, so a
 * bad target is a 400 whatever the buffer size, never a 414. */
static bool
path_bytes_ok(const char *t, size_t i, size_t n)
{
    for (; i < n && t[i] != '?' && t[i] != '#'; i++) {
        int c = (unsigned char)t[i];
        if (c == '%') {
            if (n - i < 3 || kc_hexval(t[i + 1]) < 0 || kc_hexval(t[i + 2]) < 0)
                return false;
            c = kc_hexval(t[i + 1]) * 16 + kc_hexval(t[i + 2]);
            i += 2;
        }
        if (c < 0x20 || c == 0x7f || c == '\\')
            return false;
    }
    return true;
}

/* Where the path of an absolute-form target starts, or -1. */
static long
absolute_path_start(const char *t, size_t n)
{
    size_t i = 0;
    while (i < n && t[i] != ':')
        i++;
    if (i == n || !(kc_eq_lower(t, i, "http") || kc_eq_lower(t, i, "https")))
        return -1;
    if (n - i < 3 || t[i + 1] != '/' || t[i + 2] != '/')
        return -1;
    i += 3;
    size_t host = i;
    while (i < n && t[i] != '/' && t[i] != '?' && t[i] != '#')
        i++;
    if (i == host)
        return -1;
    return (long)i;
}

int
ke_target_normalize(const char *target, size_t n, char *out, size_t outsz, size_t *outlen)
{
    size_t i = 0, len = 1, seg = 1; /* out[0..len); current segment from seg */
    bool end = false;

    if (n == 0)
        return KE_TARGET_BAD;
    if (target[0] != '/') {
        long p = absolute_path_start(target, n);
        if (p < 0)
            return KE_TARGET_BAD;
        i = (size_t)p;
    }
    if (!path_bytes_ok(target, i, n))
        return KE_TARGET_BAD;
    if (outsz < 2)
        return KE_TARGET_TOO_LONG;
    out[0] = '/';
    if (i < n && target[i] == '/')
        i++;
    while (!end) {
        int c;
        if (i >= n || target[i] == '?' || target[i] == '#') {
            end = true;
            c = '/';
        } else if (target[i] == '%') {
            c = kc_hexval(target[i + 1]) * 16 + kc_hexval(target[i + 2]); /* checked above */
            i += 3;
        } else {
            c = (unsigned char)target[i++];
        }
        if (c != '/') {
            if (len + 2 > outsz) /* the byte, and room for the NUL */
                return KE_TARGET_TOO_LONG;
            out[len++] = (char)c;
            continue;
        }
        /* A segment out[seg..len) has ended. */
        size_t sl = len - seg;
        if (sl == 0) {
            /* empty: "//" collapses */
        } else if (sl == 1 && out[seg] == '.') {
            len = seg;
        } else if (sl == 2 && out[seg] == '.' && out[seg + 1] == '.') {
            len = seg;
            if (len > 1) {
                len--; /* the '/' before the segment just removed */
                while (out[len - 1] != '/')
                    len--;
            }
        } else if (!end) {
            if (len + 2 > outsz)
                return KE_TARGET_TOO_LONG;
            out[len++] = '/';
        }
        seg = len;
    }
    out[len] = '\0';
    *outlen = len;
    return KE_TARGET_OK;
}
