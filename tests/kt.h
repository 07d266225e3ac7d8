/*
 * kt: kiln's tiny test harness. Each test binary runs named cases and prints
 * TAP ("ok 3 - name", "not ok 4 - name" with "# file:line: expr" below); the
 * runner (tests/run.sh) adds the counts of every binary into the final
 * "N passed, N failed" line. A failed check ends its case, not the binary.
 *
 *   static void t_empty_srcset(void) { KT_CHECK(x == 0); }
 *   int main(void) { KT_RUN(t_empty_srcset, "empty srcset gives no refs"); return kt_done(); }
 */
#ifndef KT_H
#define KT_H

#include <setjmp.h>
#include <stdio.h>
#include <string.h>

static int kt_n, kt_failed;
static jmp_buf kt_jmp;

#define KT_FAIL_(fmt, ...)                                                                         \
    do {                                                                                           \
        printf("#   %s:%d: " fmt "\n", __FILE__, __LINE__, __VA_ARGS__);                           \
        longjmp(kt_jmp, 1);                                                                        \
    } while (0)

#define KT_CHECK(cond)                                                                             \
    do {                                                                                           \
        if (!(cond))                                                                               \
            KT_FAIL_("check failed: %s", #cond);                                                   \
    } while (0)

#define KT_EQ_INT(a, b)                                                                            \
    do {                                                                                           \
        long long kt_a_ = (long long)(a), kt_b_ = (long long)(b);                                  \
        if (kt_a_ != kt_b_)                                                                        \
            KT_FAIL_("%s == %s: got %lld, want %lld", #a, #b, kt_a_, kt_b_);                       \
    } while (0)

#define KT_EQ_STR(a, b)                                                                            \
    do {                                                                                           \
        const char *kt_a_ = (a), *kt_b_ = (b);                                                     \
        if (!kt_a_ || !kt_b_ || strcmp(kt_a_, kt_b_) != 0)                                         \
            KT_FAIL_("%s == %s: got \"%s\", want \"%s\"", #a, #b, kt_a_ ? kt_a_ : "(null)",        \
                     kt_b_ ? kt_b_ : "(null)");                                                    \
    } while (0)

/* Compares n bytes of a span of a buffer with a string literal. */
#define KT_EQ_SPAN(buf, start, end, want)                                                          \
    do {                                                                                           \
        size_t kt_s_ = (start), kt_e_ = (end);                                                     \
        const char *kt_w_ = (want);                                                                \
        if (kt_e_ < kt_s_ || kt_e_ - kt_s_ != strlen(kt_w_) ||                                     \
            memcmp((buf) + kt_s_, kt_w_, kt_e_ - kt_s_) != 0)                                      \
            KT_FAIL_("span [%zu,%zu) is \"%.*s\", want \"%s\"", kt_s_, kt_e_,                      \
                     (int)(kt_e_ >= kt_s_ ? kt_e_ - kt_s_ : 0), (buf) + kt_s_, kt_w_);             \
    } while (0)

#define KT_RUN(fn, desc)                                                                           \
    do {                                                                                           \
        kt_n++;                                                                                    \
        fflush(stdout);                                                                            \
        if (setjmp(kt_jmp) == 0) {                                                                 \
            fn();                                                                                  \
            printf("ok %d - %s\n", kt_n, desc);                                                    \
        } else {                                                                                   \
            kt_failed++;                                                                           \
            printf("not ok %d - %s\n", kt_n, desc);                                                \
        }                                                                                          \
    } while (0)

static inline int
kt_done(void)
{
    printf("1..%d\n", kt_n);
    return kt_failed ? 1 : 0;
}

#endif
