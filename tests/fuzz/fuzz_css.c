/*
 * Fuzz target for kb_css_scan. Invariants checked on every input, abort() on
 * violation: on success each span lies within the input (shifted by base),
 * start <= end, spans are increasing and non-overlapping, lines are within the
 * input's line count and every url is non-NULL; on error the list is unchanged.
 */
#include "builder/refs/ref.h"
#include "common/error.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Scans once with base/line0 not zero so the offsets are exercised too. */
static void
kb_fuzz_check(const char *src, size_t size, size_t base, unsigned line0)
{
    struct kb_reflist l = { 0 };
    struct kc_diag d;
    unsigned lines = 1;
    for (size_t i = 0; i < size; i++)
        lines += src[i] == '\n';
    int rc = kb_css_scan(src, size, base, line0, &l, &d);
    if (rc != 0 && (l.n != 0 || (rc != KC_EPARSE && rc != KC_ENOMEM)))
        abort();
    if (rc == KC_EPARSE && (d.line < line0 || d.line >= line0 + lines))
        abort();
    size_t prev_end = base;
    for (size_t i = 0; i < l.n; i++) {
        const struct kb_ref *r = &l.v[i];
        if (r->start < prev_end || r->end < r->start || r->end > base + size || !r->url)
            abort();
        if (r->line < line0 || r->line >= line0 + lines)
            abort();
        prev_end = r->end;
    }
    kb_reflist_free(&l);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kb_fuzz_check((const char *)data, size, 0, 1);
    kb_fuzz_check((const char *)data, size, 1000, 42);
    return 0;
}
