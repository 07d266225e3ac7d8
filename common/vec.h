/*
 * Growable arrays: a struct keeps `T *v; size_t n, cap;` and calls
 * kc_vec_reserve(v, cap, need, max) before it appends. Capacity doubles, so
 * n appends cost O(n) copying, and never passes the caller's hard maximum
 * (curl's dynbuf rule: every growable buffer states its bound), nor a byte
 * size that would overflow size_t.
 */
#ifndef KC_VEC_H
#define KC_VEC_H

#include <stddef.h>

/* An empty array's first capacity: KC_VEC_MIN elements, or 64 bytes' worth
 * of elements smaller than 8 bytes (a byte buffer starts at 64, not 8), or
 * exactly the first need when that is more. */
#define KC_VEC_MIN 8

/*
 * Makes room for need elements in the array v (an lvalue of any object
 * pointer type, NULL when empty) whose allocated length in elements is the
 * size_t lvalue cap. Returns 0 with cap >= need; KC_ETOOBIG when need
 * exceeds max elements or need * sizeof *v overflows size_t; KC_ENOMEM. On
 * failure v and cap are untouched (still valid, still the caller's to free).
 * On success v may have moved: pointers into the old array are dangling.
 * v, cap and need are evaluated more than once. Free v with free().
 *
 *     int rc = kc_vec_reserve(l->v, l->cap, l->n + 1, KB_MAX_REFS);
 *     if (rc)
 *         return rc;
 *     l->v[l->n++] = r;
 */
#define kc_vec_reserve(v, cap, need, max)                                                          \
    ((need) <= (cap) ? 0 : kc_vec_grow((void *)&(v), &(cap), (need), sizeof *(v), (max)))

/* The function behind kc_vec_reserve: vp points at the array pointer (read
 * and written with memcpy, so it works for any T *), cap at its capacity. */
int kc_vec_grow(void *vp, size_t *cap, size_t need, size_t elem, size_t max);

/*
 * The capacity kc_vec_grow would give an array of elem-byte elements that
 * has cap and must hold need: the first capacity above when cap is 0, else
 * cap doubled until it holds need, clamped to max; cap itself when
 * need <= cap. For
 * arrays that live in an arena and are copied, not realloc'd. Returns 0
 * with *out >= need, or KC_ETOOBIG as kc_vec_reserve does.
 */
int kc_vec_next_cap(size_t cap, size_t need, size_t elem, size_t max, size_t *out);

#endif
