/*
 * Fuzz target for ke_range_parse and ke_range_coalesce. Byte 0 picks max
 * (0..31), bytes 1-2 the representation size (0 and UINT64_MAX included);
 * the rest is the Range value. Checks: a known outcome; count within max and
 * non-zero exactly on KE_RANGE_OK; every range first <= last < size; after
 * coalescing, ranges are sorted, disjoint and not adjacent, and cover exactly
 * the bytes the parsed ranges covered. A violation abort()s.
 */
#include "edge/range.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX 32

static bool
covered(const struct ke_range *r, size_t n, uint64_t x)
{
    for (size_t i = 0; i < n; i++)
        if (r[i].first <= x && x <= r[i].last)
            return true;
    return false;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    size_t max = data[0] % FUZZ_MAX;
    uint64_t rsize = (uint64_t)data[1] << 8 | data[2];
    if (rsize == 0xffff)
        rsize = UINT64_MAX;
    else if (rsize >= 0xff00)
        rsize = UINT64_MAX - (rsize - 0xff00);
    struct ke_range r[FUZZ_MAX], orig[FUZZ_MAX];
    size_t count = 12345;
    int rc = ke_range_parse((const char *)data + 3, size - 3, rsize, r, max, &count);
    if (rc != KE_RANGE_OK && rc != KE_RANGE_UNSATISFIABLE && rc != KE_RANGE_IGNORE)
        abort();
    if (count > max || (rc == KE_RANGE_OK) != (count > 0))
        abort();
    for (size_t i = 0; i < count; i++)
        if (r[i].first > r[i].last || r[i].last >= rsize)
            abort();
    memcpy(orig, r, count * sizeof r[0]);
    size_t n = count;
    bool merged = ke_range_coalesce(r, &n);
    if (n > count || (merged && n == count) || (!merged && n != count) || (count > 0 && n == 0))
        abort();
    for (size_t i = 0; i < n; i++) {
        if (r[i].first > r[i].last || r[i].last >= rsize)
            abort();
        if (i > 0 && r[i].first <= r[i - 1].last + 1)
            abort();
    }
    /* Same coverage: every edge of every range, on both sides. */
    for (size_t i = 0; i < count; i++) {
        if (!covered(r, n, orig[i].first) || !covered(r, n, orig[i].last))
            abort();
    }
    for (size_t i = 0; i < n; i++) {
        if (!covered(orig, count, r[i].first) || !covered(orig, count, r[i].last))
            abort();
        if (r[i].first > 0 && covered(orig, count, r[i].first - 1))
            abort();
        if (r[i].last < UINT64_MAX && covered(orig, count, r[i].last + 1))
            abort();
    }
    return 0;
}
