/*
 * Fuzz target for kb_html_scan: any bytes in, and whatever the result, the
 * refs appended must have spans inside the input, in increasing order and
 * not overlapping, a url, a line >= 1, and a tag_end (when set) on the '>'
 * or '/' closing a start tag after the span. A violation abort()s.
 */
#include "builder/refs/ref.h"
#include "common/error.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *src = (const char *)data;
    struct kb_reflist l = { 0 };
    struct kc_diag d;
    memset(&d, 0, sizeof d);
    int rc = kb_html_scan(src, size, &l, &d);
    if (rc != 0 && rc != KC_EPARSE && rc != KC_ENOMEM)
        abort();
    if (rc == KC_EPARSE && (d.line == 0 || d.col == 0 || !memchr(d.msg, '\0', sizeof d.msg)))
        abort();
    size_t prev_end = 0;
    unsigned prev_line = 1;
    for (size_t i = 0; i < l.n; i++) {
        const struct kb_ref *r = &l.v[i];
        if (r->start > r->end || r->end > size || r->start < prev_end)
            abort();
        if (!r->url || r->line < prev_line || !memchr(r->as, '\0', sizeof r->as))
            abort();
        if (r->tag_end != 0 && (r->tag_end >= size || r->tag_end < r->end ||
                                (src[r->tag_end] != '>' && src[r->tag_end] != '/')))
            abort();
        prev_end = r->end;
        prev_line = r->line;
    }
    kb_reflist_free(&l);
    return 0;
}
