/*
 * Range parser and coalescer; see range.h. One pass over the value: each
 * range-spec is checked for syntax before anything is decided, so a bad spec
 * late in the list still makes the whole field ignored (RFC 9110 §14.1.1),
 * and every emitted range is clamped so first <= last < size holds.
 */
#include "edge/range.h"
#include "common/ascii.h"

#include <stdlib.h>

/* Reads 1*DIGIT at s[*i..n), saturating at UINT64_MAX; false if none. */
static bool
parse_u64(const char *s, size_t n, size_t *i, uint64_t *out)
{
    size_t start = *i;
    uint64_t v = 0;
    while (*i < n && kc_is_digit(s[*i])) {
        unsigned d = (unsigned)(s[*i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            v = UINT64_MAX;
        else
            v = v * 10 + d;
        (*i)++;
    }
    *out = v;
    return *i > start;
}

int
ke_range_parse(const char *v, size_t n, uint64_t size, struct ke_range *out, size_t max,
               size_t *count)
{
    size_t i = 0, nspec = 0, got = 0;
    bool empty_whole = false; /* a satisfiable suffix of an empty body */

    *count = 0;
    while (n > 0 && kc_is_blank(v[n - 1]))
        n--;
    while (i < n && kc_is_blank(v[i]))
        i++;
    size_t unit = i;
    while (i < n && v[i] != '=')
        i++;
    if (i == n || !kc_eq_lower(v + unit, i - unit, "bytes"))
        return KE_RANGE_IGNORE;
    i++;
    while (i <= n) {
        size_t s = i;
        while (i < n && v[i] != ',')
            i++;
        size_t e = i++;
        while (s < e && kc_is_blank(v[s]))
            s++;
        while (e > s && kc_is_blank(v[e - 1]))
            e--;
        if (s == e)
            continue; /* empty list element */
        if (++nspec > max)
            return KE_RANGE_IGNORE;
        size_t k = s;
        uint64_t first, last;
        if (v[k] == '-') {
            k++;
            if (!parse_u64(v, e, &k, &last) || k != e)
                return KE_RANGE_IGNORE;
            if (last == 0)
                continue; /* "-0": unsatisfiable */
            if (size == 0) {
                empty_whole = true;
                continue;
            }
            out[got].first = last >= size ? 0 : size - last;
            out[got].last = size - 1;
            got++;
            continue;
        }
        if (!parse_u64(v, e, &k, &first) || k == e || v[k] != '-')
            return KE_RANGE_IGNORE;
        k++;
        if (k == e) {
            last = UINT64_MAX;
        } else if (!parse_u64(v, e, &k, &last) || k != e || last < first) {
            return KE_RANGE_IGNORE;
        }
        if (first >= size)
            continue;
        out[got].first = first;
        out[got].last = last >= size ? size - 1 : last;
        got++;
    }
    if (nspec == 0)
        return KE_RANGE_IGNORE;
    if (got > 0) {
        *count = got;
        return KE_RANGE_OK;
    }
    return empty_whole ? KE_RANGE_IGNORE : KE_RANGE_UNSATISFIABLE;
}

static int
cmp_range(const void *pa, const void *pb)
{
    const struct ke_range *a = pa, *b = pb;
    if (a->first != b->first)
        return a->first < b->first ? -1 : 1;
    if (a->last != b->last)
        return a->last < b->last ? -1 : 1;
    return 0;
}

bool
ke_range_coalesce(struct ke_range *r, size_t *count)
{
    size_t n = *count, w = 0;
    bool merged = false;

    if (n < 2)
        return false;
    qsort(r, n, sizeof *r, cmp_range);
    for (size_t i = 1; i < n; i++) {
        struct ke_range *cur = &r[w];
        if (cur->last == UINT64_MAX || r[i].first <= cur->last + 1) {
            if (r[i].last > cur->last)
                cur->last = r[i].last;
            merged = true;
        } else {
            r[++w] = r[i];
        }
    }
    *count = w + 1;
    return merged;
}
