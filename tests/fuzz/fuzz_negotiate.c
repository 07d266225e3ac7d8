/*
 * Fuzz target for ke_accept_parse and ke_negotiate. Byte 0 picks variant
 * sizes; the rest is the Accept-Encoding value. Checks: q-values stay in
 * 0..1000 or unset; the choice is available and acceptable, no acceptable
 * variant is smaller, ties follow br > zstd > gzip > identity, -1 only when
 * nothing is acceptable; splitting the value at a comma into two field lines
 * (ke_accept_add) gives the same result. A violation abort()s.
 */
#include "edge/negotiate.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
pref_rank(int e)
{
    switch (e) {
    case KE_ENC_BR: return 0;
    case KE_ENC_ZSTD: return 1;
    case KE_ENC_GZIP: return 2;
    default: return 3;
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const char *v = (const char *)data + 1;
    size_t n = size - 1;
    uint64_t sz[KE_ENC_COUNT];
    unsigned k = data[0];
    /* Two bits each: absent, small, equal-ish, large. */
    static const uint64_t pick[4] = { 0, 10, 50, 100 };
    sz[KE_ENC_BR] = pick[k & 3];
    sz[KE_ENC_ZSTD] = pick[(k >> 2) & 3];
    sz[KE_ENC_GZIP] = pick[(k >> 4) & 3];
    sz[KE_ENC_IDENTITY] = pick[(k >> 6) & 3];

    struct ke_accept a, b;
    ke_accept_parse(v, n, &a);
    if (!a.present)
        abort();
    for (int e = 0; e < KE_ENC_COUNT; e++)
        if (a.q[e] != KE_Q_UNSET && a.q[e] > 1000)
            abort();
    if (a.star != KE_Q_UNSET && a.star > 1000)
        abort();

    int r = ke_negotiate(&a, sz);
    if (r < -1 || r >= KE_ENC_COUNT)
        abort();
    for (int e = 0; e < KE_ENC_COUNT; e++) {
        bool avail = e == KE_ENC_IDENTITY || sz[e] > 0;
        if (!avail || !ke_accept_ok(&a, (enum ke_enc)e))
            continue;
        if (r < 0)
            abort(); /* something was acceptable */
        if (sz[e] < sz[r] || (sz[e] == sz[r] && pref_rank(e) < pref_rank(r)))
            abort();
    }
    if (r >= 0 && (!ke_accept_ok(&a, (enum ke_enc)r) || (r != KE_ENC_IDENTITY && sz[r] == 0)))
        abort();

    const char *comma = memchr(v, ',', n);
    if (comma) {
        size_t cut = (size_t)(comma - v);
        ke_accept_parse(v, cut, &b);
        ke_accept_add(comma + 1, n - cut - 1, &b);
        if (memcmp(a.q, b.q, sizeof a.q) != 0 || a.star != b.star)
            abort();
    }

    struct ke_accept none;
    ke_accept_init(&none);
    if (ke_negotiate(&none, sz) != KE_ENC_IDENTITY)
        abort();
    return 0;
}
