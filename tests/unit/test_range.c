/*
 * Range parsing against RFC 9110 §14.1.2 and §14.2: forms, clamping, which
 * sets are unsatisfiable (416) and which are ignored (200), and coalescing.
 */
#include "edge/range.h"
#include "tests/kt.h"

#include <string.h>

static struct ke_range R[8];
static size_t N;

static int
parse(const char *s, uint64_t size)
{
    return ke_range_parse(s, strlen(s), size, R, 8, &N);
}

#define RANGE(i, a, b)                                                                             \
    do {                                                                                           \
        KT_CHECK((size_t)(i) < N);                                                                 \
        KT_EQ_INT(R[i].first, a);                                                                  \
        KT_EQ_INT(R[i].last, b);                                                                   \
    } while (0)

static void
t_closed(void)
{
    KT_EQ_INT(parse("bytes=0-499", 10000), KE_RANGE_OK);
    KT_EQ_INT(N, 1);
    RANGE(0, 0, 499);
}

static void
t_open(void)
{
    KT_EQ_INT(parse("bytes=9500-", 10000), KE_RANGE_OK);
    RANGE(0, 9500, 9999);
}

static void
t_suffix(void)
{
    KT_EQ_INT(parse("bytes=-500", 10000), KE_RANGE_OK);
    RANGE(0, 9500, 9999);
}

static void
t_suffix_longer(void)
{
    KT_EQ_INT(parse("bytes=-20000", 10000), KE_RANGE_OK);
    RANGE(0, 0, 9999);
}

static void
t_suffix_zero(void)
{
    KT_EQ_INT(parse("bytes=-0", 10000), KE_RANGE_UNSATISFIABLE);
    KT_EQ_INT(N, 0);
}

static void
t_last_clamped(void)
{
    KT_EQ_INT(parse("bytes=9000-20000", 10000), KE_RANGE_OK);
    RANGE(0, 9000, 9999);
}

static void
t_first_past_end(void)
{
    KT_EQ_INT(parse("bytes=10000-", 10000), KE_RANGE_UNSATISFIABLE);
    KT_EQ_INT(parse("bytes=10000-10005", 10000), KE_RANGE_UNSATISFIABLE);
    KT_EQ_INT(parse("bytes=9999-", 10000), KE_RANGE_OK);
    RANGE(0, 9999, 9999);
}

static void
t_list_drops_unsatisfiable(void)
{
    KT_EQ_INT(parse("bytes=500-600, 20000-, -0, 601-999", 10000), KE_RANGE_OK);
    KT_EQ_INT(N, 2);
    RANGE(0, 500, 600);
    RANGE(1, 601, 999);
}

static void
t_request_order(void)
{
    KT_EQ_INT(parse("bytes=-10,0-9", 100), KE_RANGE_OK);
    RANGE(0, 90, 99);
    RANGE(1, 0, 9);
}

static void
t_backwards_ignored(void)
{
    KT_EQ_INT(parse("bytes=500-400", 10000), KE_RANGE_IGNORE);
    KT_EQ_INT(parse("bytes=0-1, 5-4", 10000), KE_RANGE_IGNORE);
    KT_EQ_INT(N, 0);
}

static void
t_bad_syntax_ignored(void)
{
    static const char *bad[] = { "bytes=",      "bytes=,",      "bytes=a-b",
                                 "bytes=0-1x",  "bytes=1",      "bytes=--5",
                                 "bytes=0 - 5", "bytes=-",      "bytes 0-5",
                                 "bytes = 0-5", "0-5",          "bytes=0-5;",
                                 "bytes=+1-2",  "bytes=0-1,-x", "" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (parse(bad[i], 10000) != KE_RANGE_IGNORE) {
            printf("#   accepted \"%s\"\n", bad[i]);
            KT_CHECK(0);
        }
    }
}

static void
t_other_unit_ignored(void)
{
    KT_EQ_INT(parse("items=0-5", 10000), KE_RANGE_IGNORE);
    KT_EQ_INT(parse("byte=0-5", 10000), KE_RANGE_IGNORE);
}

static void
t_unit_case(void)
{
    KT_EQ_INT(parse("Bytes=0-0", 10), KE_RANGE_OK);
    RANGE(0, 0, 0);
    KT_EQ_INT(parse("BYTES=0-0", 10), KE_RANGE_OK);
}

static void
t_ows_and_empty_elements(void)
{
    KT_EQ_INT(parse("  bytes=, 0-1 ,\t,2-3,  ", 10), KE_RANGE_OK);
    KT_EQ_INT(N, 2);
    RANGE(0, 0, 1);
    RANGE(1, 2, 3);
}

static void
t_empty_file(void)
{
    KT_EQ_INT(parse("bytes=0-", 0), KE_RANGE_UNSATISFIABLE);
    KT_EQ_INT(parse("bytes=0-0", 0), KE_RANGE_UNSATISFIABLE);
    KT_EQ_INT(parse("bytes=-0", 0), KE_RANGE_UNSATISFIABLE);
    /* Satisfiable per RFC, but zero bytes: served as a 200. */
    KT_EQ_INT(parse("bytes=-5", 0), KE_RANGE_IGNORE);
    KT_EQ_INT(parse("bytes=0-5,-5", 0), KE_RANGE_IGNORE);
}

static void
t_overflow(void)
{
    KT_EQ_INT(parse("bytes=0-99999999999999999999999999", 100), KE_RANGE_OK);
    RANGE(0, 0, 99);
    KT_EQ_INT(parse("bytes=99999999999999999999999-", 100), KE_RANGE_UNSATISFIABLE);
    KT_EQ_INT(parse("bytes=-99999999999999999999999", 100), KE_RANGE_OK);
    RANGE(0, 0, 99);
    KT_EQ_INT(parse("bytes=18446744073709551615-18446744073709551615", UINT64_MAX),
              KE_RANGE_UNSATISFIABLE);
    KT_EQ_INT(parse("bytes=18446744073709551614-", UINT64_MAX), KE_RANGE_OK);
    RANGE(0, UINT64_MAX - 1, UINT64_MAX - 1);
    KT_EQ_INT(parse("bytes=99999999999999999999999-5", 100), KE_RANGE_IGNORE);
}

static void
t_too_many(void)
{
    KT_EQ_INT(parse("bytes=0-0,1-1,2-2,3-3,4-4,5-5,6-6,7-7", 100), KE_RANGE_OK);
    KT_EQ_INT(N, 8);
    KT_EQ_INT(parse("bytes=0-0,1-1,2-2,3-3,4-4,5-5,6-6,7-7,8-8", 100), KE_RANGE_IGNORE);
    KT_EQ_INT(N, 0);
    /* Unsatisfiable specs count too. */
    KT_EQ_INT(parse("bytes=0-0,200-,200-,200-,200-,200-,200-,200-,200-", 100), KE_RANGE_IGNORE);
    KT_EQ_INT(ke_range_parse("bytes=0-0", 9, 100, R, 0, &N), KE_RANGE_IGNORE);
}

static void
t_coalesce(void)
{
    KT_EQ_INT(parse("bytes=50-60,0-9,10-19,55-70,90-", 100), KE_RANGE_OK);
    KT_CHECK(ke_range_coalesce(R, &N));
    KT_EQ_INT(N, 3);
    RANGE(0, 0, 19);
    RANGE(1, 50, 70);
    RANGE(2, 90, 99);
}

static void
t_coalesce_disjoint(void)
{
    KT_EQ_INT(parse("bytes=20-29,0-9", 100), KE_RANGE_OK);
    KT_CHECK(!ke_range_coalesce(R, &N));
    KT_EQ_INT(N, 2);
    RANGE(0, 0, 9);
    RANGE(1, 20, 29);
}

static void
t_coalesce_cve_2011_3192(void)
{
    /* The Apache killer shape: many overlapping ranges of one body. */
    KT_EQ_INT(parse("bytes=0-,5-0,5-1,5-2,5-3", 100), KE_RANGE_IGNORE);
    KT_EQ_INT(parse("bytes=0-,5-,5-6,5-7,5-8,0-", 100), KE_RANGE_OK);
    KT_CHECK(ke_range_coalesce(R, &N));
    KT_EQ_INT(N, 1);
    RANGE(0, 0, 99);
    size_t one = 1;
    struct ke_range r = { 3, 4 };
    KT_CHECK(!ke_range_coalesce(&r, &one));
}

int
main(void)
{
    KT_RUN(t_closed, "Range bytes=0-499 gives the first 500 bytes");
    KT_RUN(t_open, "Range bytes=9500- runs to the end");
    KT_RUN(t_suffix, "Range bytes=-500 gives the last 500 bytes");
    KT_RUN(t_suffix_longer, "a suffix longer than the body gives the whole body");
    KT_RUN(t_suffix_zero, "Range bytes=-0 is unsatisfiable");
    KT_RUN(t_last_clamped, "a last byte past the end is clamped to size-1");
    KT_RUN(t_first_past_end, "a first byte at or past the end is unsatisfiable");
    KT_RUN(t_list_drops_unsatisfiable, "unsatisfiable ranges in a list are dropped");
    KT_RUN(t_request_order, "ranges keep request order");
    KT_RUN(t_backwards_ignored, "last < first makes the whole Range ignored");
    KT_RUN(t_bad_syntax_ignored, "malformed Range values are ignored");
    KT_RUN(t_other_unit_ignored, "a unit other than bytes is ignored");
    KT_RUN(t_unit_case, "the bytes unit is case-insensitive");
    KT_RUN(t_ows_and_empty_elements, "OWS and empty list elements are accepted");
    KT_RUN(t_empty_file, "an empty body: 416 except a non-zero suffix, which gets 200");
    KT_RUN(t_overflow, "numbers beyond 64 bits saturate instead of overflowing");
    KT_RUN(t_too_many, "more than max range-specs makes Range ignored");
    KT_RUN(t_coalesce, "coalesce sorts and merges overlapping and adjacent ranges");
    KT_RUN(t_coalesce_disjoint, "coalesce reports no merge for disjoint ranges");
    KT_RUN(t_coalesce_cve_2011_3192, "overlapping attack ranges coalesce to one");
    return kt_done();
}
