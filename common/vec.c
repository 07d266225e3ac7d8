/* kc_vec: bounded doubling growth for arrays; see vec.h for the contract. */
#include "common/vec.h"
#include "common/error.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int
kc_vec_next_cap(size_t cap, size_t need, size_t elem, size_t max, size_t *out)
{
    size_t lim = elem && max > SIZE_MAX / elem ? SIZE_MAX / elem : max;
    if (need <= cap) {
        *out = cap;
        return 0;
    }
    if (need > lim)
        return KC_ETOOBIG;
    size_t nc = cap ? cap : elem && elem < 64 / KC_VEC_MIN ? 64 / elem : KC_VEC_MIN;
    if (!cap && nc < need)
        nc = need; /* a first request larger than that is met exactly */
    while (nc < need)
        nc = nc > lim / 2 ? lim : nc * 2;
    *out = nc < lim ? nc : lim; /* the first capacity may exceed a tiny max */
    return 0;
}

int
kc_vec_grow(void *vp, size_t *cap, size_t need, size_t elem, size_t max)
{
    if (need <= *cap)
        return 0;
    size_t nc;
    int rc = kc_vec_next_cap(*cap, need, elem, max, &nc);
    if (rc)
        return rc;
    void *v;
    memcpy(&v, vp, sizeof v);
    void *nv = realloc(v, nc * elem);
    if (!nv)
        return KC_ENOMEM;
    memcpy(vp, &nv, sizeof nv);
    *cap = nc;
    return 0;
}
