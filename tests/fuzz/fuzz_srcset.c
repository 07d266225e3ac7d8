/*
 * Fuzz target for kb_srcset_scan. The first byte picks html_entities; the
 * rest is the srcset value, scanned with base 1 so spans index the input.
 * Every candidate URL must be a non-empty span inside the value without
 * whitespace, not starting or ending with a comma, in increasing order; its
 * line must match the newlines before it. A violation abort()s.
 */
#include "builder/refs/ref.h"
#include "common/error.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
fuzz_is_ws(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    struct kb_reflist l = { 0 };
    struct kc_diag d;
    memset(&d, 0, sizeof d);
    int rc = kb_srcset_scan((const char *)data + 1, size - 1, 1, 1, KB_REF_HTML_IMAGE, 7,
                            data[0] & 1, &l, &d);
    if (rc != 0 && rc != KC_ENOMEM)
        abort();
    size_t prev_end = 1, lpos = 1;
    unsigned line = 1;
    for (size_t i = 0; i < l.n; i++) {
        const struct kb_ref *r = &l.v[i];
        if (r->start >= r->end || r->end > size || r->start < prev_end || !r->url)
            abort();
        if (data[r->start] == ',' || data[r->end - 1] == ',')
            abort();
        for (size_t k = r->start; k < r->end; k++)
            if (fuzz_is_ws(data[k]))
                abort();
        for (; lpos < r->start; lpos++)
            line += data[lpos] == '\n';
        if (r->line != line || r->kind != KB_REF_HTML_IMAGE || r->flags != KB_REF_F_SRCSET ||
            r->tag_end != 7)
            abort();
        size_t n = r->end - r->start;
        if (!(data[0] & 1) && (memcmp(r->url, data + r->start, n) != 0 || r->url[n] != '\0'))
            abort();
        prev_end = r->end;
    }
    kb_reflist_free(&l);
    return 0;
}
