/*
 * Fuzz target for ke_etag_match_any and ke_etag_strong_equal. Byte 0 splits
 * the rest into the current tag and the field value. Checks: strong equality
 * is symmetric; a tag strongly equal to itself is matched by a list holding
 * just it, under both comparisons; a strong match implies a weak match; a
 * missing representation matches nothing. A violation abort()s.
 */
#include "edge/etag.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const char *rest = (const char *)data + 1;
    size_t n = size - 1;
    size_t cut = data[0] <= n ? data[0] : n;
    const char *tag = rest, *list = rest + cut;
    size_t tn = cut, ln = n - cut;

    bool weak = ke_etag_match_any(list, ln, tag, tn, true);
    bool strong = ke_etag_match_any(list, ln, tag, tn, false);
    if (strong && !weak)
        abort();
    if (ke_etag_match_any(list, ln, NULL, 0, true) || ke_etag_match_any(list, ln, tag, 0, false))
        abort();
    bool eq = ke_etag_strong_equal(tag, tn, list, ln);
    if (eq != ke_etag_strong_equal(list, ln, tag, tn))
        abort();
    if (eq && !strong)
        abort();
    if (ke_etag_strong_equal(tag, tn, tag, tn)) {
        if (!ke_etag_match_any(tag, tn, tag, tn, false) ||
            !ke_etag_match_any(tag, tn, tag, tn, true))
            abort();
    }
    return 0;
}
