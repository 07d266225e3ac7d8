/* UTF-8 encoding and decoding; see utf8.h. */
#include "common/utf8.h"
#include "common/buf.h"

#include <stdbool.h>

size_t
kc_utf8_put(uint32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xe0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

/* kc_utf8_get, and *bad whether the sequence was ill-formed (U+FFFD itself
 * decodes too). */
static uint32_t
kc_utf8_decode(const unsigned char *s, size_t left, uint32_t *n, bool *bad)
{
    unsigned c = s[0];
    *n = 1;
    *bad = false;
    if (c < 0x80)
        return c;
    *bad = true;
    unsigned need = c >= 0xc2 && c < 0xe0   ? 1
                    : c >= 0xe0 && c < 0xf0 ? 2
                    : c >= 0xf0 && c < 0xf5 ? 3
                                            : 0;
    if (!need)
        return 0xfffd;
    /* The second byte's range excludes overlong forms (E0, F0), surrogates
     * (ED) and values past U+10FFFF (F4). */
    unsigned lo = c == 0xe0 ? 0xa0 : c == 0xf0 ? 0x90 : 0x80;
    unsigned hi = c == 0xed ? 0x9f : c == 0xf4 ? 0x8f : 0xbf;
    uint32_t cp = c & (0x3fu >> need);
    for (unsigned k = 1; k <= need; k++) {
        if (k >= left || s[k] < (k == 1 ? lo : 0x80) || s[k] > (k == 1 ? hi : 0xbf)) {
            *n = k; /* the maximal subpart: one U+FFFD for it */
            return 0xfffd;
        }
        cp = cp << 6 | (s[k] & 0x3fu);
    }
    *n = need + 1;
    *bad = false;
    return cp;
}

uint32_t
kc_utf8_get(const unsigned char *s, size_t left, uint32_t *n)
{
    bool bad;
    return kc_utf8_decode(s, left, n, &bad);
}

int
kc_utf8_scrub(const char *s, size_t len, struct kc_buf *out)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t run = 0; /* start of the well-formed bytes not yet appended */
    for (size_t i = 0; i < len;) {
        uint32_t n = 1;
        bool bad = false;
        if (u[i] >= 0x80)
            kc_utf8_decode(u + i, len - i, &n, &bad);
        i += n;
        if (!bad)
            continue;
        int rc = kc_buf_append(out, s + run, i - n - run);
        if (!rc)
            rc = kc_buf_append(out, "\xef\xbf\xbd", 3);
        if (rc)
            return rc;
        run = i;
    }
    return kc_buf_append(out, s + run, len - run);
}
