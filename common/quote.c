/* kc_quote_js: JS/JSON string literals; see quote.h for the contract. */
#include "common/quote.h"
#include "common/buf.h"

#include <stdio.h>

/* The escape for s[i] under flags, written to esc; 0 when the byte is copied
 * as it is. *skip is how many more input bytes the escape stands for. */
static size_t
escape_at(const unsigned char *s, size_t n, size_t i, unsigned flags, char esc[8], size_t *skip)
{
    unsigned char c = s[i];
    *skip = 0;
    if (c == '"' || c == '\\') {
        esc[0] = '\\';
        esc[1] = (char)c;
        return 2;
    }
    if (c < 0x20 || ((flags & KC_QUOTE_HTML) && (c == '<' || c == '>' || c == '&')))
        return (size_t)snprintf(esc, 8, "\\u%04x", c);
    if ((flags & KC_QUOTE_LINESEP) && c == 0xe2 && n - i >= 3 && s[i + 1] == 0x80 &&
        (s[i + 2] == 0xa8 || s[i + 2] == 0xa9)) {
        *skip = 2;
        return (size_t)snprintf(esc, 8, "\\u%04x", s[i + 2] == 0xa8 ? 0x2028 : 0x2029);
    }
    return 0;
}

int
kc_quote_js(struct kc_buf *b, const char *s, size_t n, unsigned flags)
{
    const unsigned char *u = (const unsigned char *)s;
    int rc = kc_buf_putc(b, '"');
    size_t run = 0; /* start of the bytes not yet copied */
    for (size_t i = 0; i < n && !rc; i++) {
        char esc[8];
        size_t skip, len = escape_at(u, n, i, flags, esc, &skip);
        if (len == 0)
            continue;
        if (i > run)
            rc = kc_buf_append(b, s + run, i - run);
        if (!rc)
            rc = kc_buf_append(b, esc, len);
        i += skip;
        run = i + 1;
    }
    if (!rc && n > run)
        rc = kc_buf_append(b, s + run, n - run);
    return rc ? rc : kc_buf_putc(b, '"');
}
