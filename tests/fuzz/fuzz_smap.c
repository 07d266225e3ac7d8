/*
 * Fuzz target for kb_smap_decode, the reader of the "mappings" of the
 * source maps modules bring (builder/bundle/inmap.c). Byte 0 picks how many
 * sources the map has (1-8); the rest is the string. Checks: what decodes
 * is sorted; its sources are in range; written again by kb_smap_mappings
 * and decoded, it gives the same segments. A violation abort()s.
 */
#include "builder/bundle/internal.h"
#include "common/buf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    size_t nsrc = (size_t)(data[0] & 7) + 1;
    struct kb_smap m;
    if (kb_smap_decode((const char *)data + 1, size - 1, nsrc, &m) != 0)
        return 0;
    for (size_t i = 0; i < m.n; i++) {
        const struct kb_smap_seg *s = &m.v[i];
        if (s->src >= (int)nsrc || s->src < -1)
            abort();
        if (i && (m.v[i - 1].gline > s->gline ||
                  (m.v[i - 1].gline == s->gline && m.v[i - 1].gcol > s->gcol)))
            abort();
    }
    struct kc_buf o;
    kc_buf_init(&o, 1u << 30);
    struct kb_smap again;
    if (kb_smap_mappings(&m, 0, &o) != 0 ||
        kb_smap_decode(o.data ? o.data : "", o.len, nsrc, &again) != 0)
        abort();
    if (again.n != m.n)
        abort();
    for (size_t i = 0; i < m.n; i++) {
        const struct kb_smap_seg *a = &m.v[i], *b = &again.v[i];
        if (a->gline != b->gline || a->gcol != b->gcol || a->src != b->src ||
            (a->src >= 0 && (a->oline != b->oline || a->ocol != b->ocol)))
            abort();
    }
    kb_smap_free(&again);
    kb_smap_free(&m);
    kc_buf_free(&o);
    return 0;
}
