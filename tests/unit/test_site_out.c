/*
 * kb_file_set_out (builder/site.c): the one way a stage replaces a file's
 * output bytes. The hashes always describe the bytes set last, an output
 * that aliases the source is never freed twice, and f is marked done.
 */
#include "builder/site.h"
#include "tests/kt.h"

#include <stdlib.h>
#include <string.h>

static unsigned char *
dup_bytes(const char *s)
{
    size_t n = strlen(s);
    unsigned char *p = malloc(n ? n : 1);
    if (p)
        memcpy(p, s, n);
    return p;
}

static void
t_hashes_follow_the_bytes(void)
{
    struct kb_file f = { 0 };
    kb_file_set_out(&f, dup_bytes("abc"), 3);
    KT_CHECK(f.done);
    KT_EQ_INT(f.out_len, 3);
    unsigned char want[KC_SHA256_LEN];
    kc_sha256("abc", 3, want);
    KT_CHECK(memcmp(f.sha256, want, sizeof want) == 0);
    char sri[KC_SRI_LEN];
    kc_sri_sha384("abc", 3, sri);
    KT_EQ_STR(f.sri, sri);
    /* Replacing frees the old output (ASan would see a leak) and rehashes. */
    kb_file_set_out(&f, dup_bytes(""), 0);
    KT_EQ_INT(f.out_len, 0);
    kc_sha256("", 0, want);
    KT_CHECK(memcmp(f.sha256, want, sizeof want) == 0);
    free(f.out);
}

static void
t_source_alias_is_kept(void)
{
    struct kb_file f = { 0 };
    f.data = dup_bytes("body{}");
    f.len = 6;
    kb_file_set_out(&f, f.data, f.len); /* unchanged bytes: out aliases data */
    KT_CHECK(f.out == f.data);
    kb_file_set_out(&f, dup_bytes("b{}"), 3); /* must not free data */
    KT_CHECK(f.out != f.data && memcmp(f.data, "body{}", 6) == 0);
    kb_file_set_out(&f, f.out, f.out_len); /* the same buffer again: kept */
    KT_CHECK(memcmp(f.out, "b{}", 3) == 0);
    free(f.out);
    free(f.data);
}

int
main(void)
{
    KT_RUN(t_hashes_follow_the_bytes, "a file's SHA-256 and SRI are those of its last output");
    KT_RUN(t_source_alias_is_kept, "an output that aliases the source is never freed");
    return kt_done();
}
