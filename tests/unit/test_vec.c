/*
 * common/vec.h: kc_vec_reserve keeps an array's contents across growth,
 * doubles its capacity, stops at the caller's maximum and at size_t
 * overflow with KC_ETOOBIG, and leaves the array as it was when it fails.
 */
#include "common/error.h"
#include "common/vec.h"
#include "tests/kt.h"

#include <stdint.h>
#include <stdlib.h>

struct pair {
    int a;
    double b;
};

static void
t_grows_and_keeps_contents(void)
{
    struct pair *v = NULL;
    size_t n = 0, cap = 0;
    for (int i = 0; i < 1000; i++) {
        KT_EQ_INT(kc_vec_reserve(v, cap, n + 1, 1000), 0);
        KT_CHECK(cap >= n + 1 && cap <= 1000);
        v[n++] = (struct pair){ i, i / 2.0 };
    }
    for (int i = 0; i < 1000; i++)
        KT_CHECK(v[i].a == i && v[i].b == i / 2.0);
    free(v);
}

static void
t_capacity_doubles(void)
{
    int *v = NULL;
    size_t cap = 0;
    KT_EQ_INT(kc_vec_reserve(v, cap, 1, SIZE_MAX), 0);
    KT_EQ_INT(cap, 16); /* 64 bytes of 4-byte elements */
    KT_EQ_INT(kc_vec_reserve(v, cap, 16, SIZE_MAX), 0);
    KT_EQ_INT(cap, 16); /* enough already: no change */
    KT_EQ_INT(kc_vec_reserve(v, cap, 17, SIZE_MAX), 0);
    KT_EQ_INT(cap, 32);
    KT_EQ_INT(kc_vec_reserve(v, cap, 100, SIZE_MAX), 0);
    KT_EQ_INT(cap, 128);
    free(v);

    char *s = NULL;
    size_t scap = 0;
    KT_EQ_INT(kc_vec_reserve(s, scap, 1, SIZE_MAX), 0);
    KT_EQ_INT(scap, 64); /* a byte buffer starts at 64 bytes */
    free(s);

    struct big {
        char b[100];
    } *g = NULL;
    size_t gcap = 0;
    KT_EQ_INT(kc_vec_reserve(g, gcap, 1, SIZE_MAX), 0);
    KT_EQ_INT(gcap, KC_VEC_MIN);
    free(g);

    /* A first request past the first capacity gets exactly what it asks. */
    int *w = NULL;
    size_t wcap = 0;
    KT_EQ_INT(kc_vec_reserve(w, wcap, 1000, SIZE_MAX), 0);
    KT_EQ_INT(wcap, 1000);
    KT_EQ_INT(kc_vec_reserve(w, wcap, 1001, SIZE_MAX), 0);
    KT_EQ_INT(wcap, 2000);
    free(w);
}

static void
t_maximum_is_hard(void)
{
    int *v = NULL;
    size_t cap = 0;
    KT_EQ_INT(kc_vec_reserve(v, cap, 10, 10), 0);
    KT_EQ_INT(cap, 10); /* the first capacity (16) is clamped to the maximum */
    int *before = v;
    KT_EQ_INT(kc_vec_reserve(v, cap, 11, 10), KC_ETOOBIG);
    KT_CHECK(v == before);
    KT_EQ_INT(cap, 10);
    free(v);

    /* Doubling past the maximum stops at the maximum, not beyond. */
    char *s = NULL;
    size_t scap = 0;
    KT_EQ_INT(kc_vec_reserve(s, scap, 64, 100), 0);
    KT_EQ_INT(kc_vec_reserve(s, scap, 65, 100), 0);
    KT_EQ_INT(scap, 100);
    KT_EQ_INT(kc_vec_reserve(s, scap, 101, 100), KC_ETOOBIG);
    free(s);
}

static void
t_byte_size_overflow_is_too_big(void)
{
    struct pair *v = NULL;
    size_t cap = 0;
    /* need * sizeof *v would wrap around size_t: refused, nothing allocated. */
    KT_EQ_INT(kc_vec_reserve(v, cap, SIZE_MAX / sizeof *v + 1, SIZE_MAX), KC_ETOOBIG);
    KT_CHECK(v == NULL && cap == 0);
    size_t out = 0;
    KT_EQ_INT(kc_vec_next_cap(0, SIZE_MAX / 8 + 1, 8, SIZE_MAX, &out), KC_ETOOBIG);
    /* Near the top, doubling is clamped instead of wrapping. */
    KT_EQ_INT(kc_vec_next_cap(SIZE_MAX / 2 + 1, SIZE_MAX / 2 + 2, 1, SIZE_MAX, &out), 0);
    KT_CHECK(out == SIZE_MAX);
}

static void
t_next_cap(void)
{
    size_t out = 0;
    KT_EQ_INT(kc_vec_next_cap(8, 5, 4, 100, &out), 0);
    KT_EQ_INT(out, 8);
    KT_EQ_INT(kc_vec_next_cap(8, 9, 4, 100, &out), 0);
    KT_EQ_INT(out, 16);
    KT_EQ_INT(kc_vec_next_cap(8, 9, 4, 12, &out), 0);
    KT_EQ_INT(out, 12);
    KT_EQ_INT(kc_vec_next_cap(8, 13, 4, 12, &out), KC_ETOOBIG);
    KT_EQ_INT(kc_vec_next_cap(0, 3, 1, 5, &out), 0);
    KT_EQ_INT(out, 5);
}

int
main(void)
{
    KT_RUN(t_grows_and_keeps_contents, "appends past every capacity keep every element");
    KT_RUN(t_capacity_doubles,
           "capacity starts at 64 bytes, 8 elements or the first need, then doubles");
    KT_RUN(t_maximum_is_hard, "past the maximum is KC_ETOOBIG and the array is untouched");
    KT_RUN(t_byte_size_overflow_is_too_big, "a byte size past SIZE_MAX is KC_ETOOBIG");
    KT_RUN(t_next_cap, "kc_vec_next_cap: unchanged when enough, doubled, clamped to max");
    return kt_done();
}
