/*
 * Request target to lookup path: origin and absolute forms, percent-decoding,
 * dot-segment removal, slash collapsing, rejected bytes, and the 414 bound.
 */
#include "edge/target.h"
#include "tests/kt.h"

#include <string.h>

static char OUT[64];
static size_t LEN;

static int
norm(const char *t)
{
    memset(OUT, 'X', sizeof OUT);
    LEN = 999;
    return ke_target_normalize(t, strlen(t), OUT, sizeof OUT, &LEN);
}

#define NORM(t, want)                                                                              \
    do {                                                                                           \
        KT_EQ_INT(norm(t), KE_TARGET_OK);                                                          \
        KT_EQ_STR(OUT, want);                                                                      \
        KT_EQ_INT(LEN, strlen(want));                                                              \
    } while (0)

static void
t_plain(void)
{
    NORM("/", "/");
    NORM("/assets/app.3f9a.js", "/assets/app.3f9a.js");
}

static void
t_query_fragment(void)
{
    NORM("/index.html?v=1&x=/../..", "/index.html");
    NORM("/a#frag", "/a");
    NORM("/?q", "/");
}

static void
t_trailing_slash(void)
{
    NORM("/docs/", "/docs/");
    NORM("/docs", "/docs");
}

static void
t_dot_segments(void)
{
    NORM("/a/./b", "/a/b");
    NORM("/a/b/../c", "/a/c");
    NORM("/a/b/..", "/a/");
    NORM("/a/.", "/a/");
    NORM("/a/..", "/");
    NORM("/./", "/");
    NORM("/a/.../b", "/a/.../b");
    NORM("/a/..b/.c", "/a/..b/.c");
}

static void
t_dotdot_clamps(void)
{
    NORM("/..", "/");
    NORM("/../../etc/passwd", "/etc/passwd");
    NORM("/a/../../b", "/b");
}

static void
t_collapse(void)
{
    NORM("//a///b//", "/a/b/");
    NORM("////", "/");
}

static void
t_decode(void)
{
    NORM("/caf%C3%A9%20menu.html", "/caf\xc3\xa9 menu.html");
    NORM("/%7euser", "/~user");
}

static void
t_encoded_dots(void)
{
    NORM("/a/%2e%2e/b", "/b");
    NORM("/a/.%2E/%2e/b", "/b");
    NORM("/%2e%2e/%2e%2e/x", "/x");
}

static void
t_encoded_slash(void)
{
    NORM("/a%2Fb", "/a/b");
    NORM("/a%2f..%2f..%2fb", "/b");
    NORM("/%2F%2Fa", "/a");
}

static void
t_nul_rejected(void)
{
    KT_EQ_INT(norm("/a%00.html"), KE_TARGET_BAD);
    const char t[] = "/a\0b";
    KT_EQ_INT(ke_target_normalize(t, sizeof t - 1, OUT, sizeof OUT, &LEN), KE_TARGET_BAD);
}

static void
t_malformed_escape(void)
{
    KT_EQ_INT(norm("/%zz"), KE_TARGET_BAD);
    KT_EQ_INT(norm("/%4"), KE_TARGET_BAD);
    KT_EQ_INT(norm("/%"), KE_TARGET_BAD);
    KT_EQ_INT(norm("/%%41"), KE_TARGET_BAD);
    KT_EQ_INT(norm("/%g1"), KE_TARGET_BAD);
}

static void
t_controls_rejected(void)
{
    KT_EQ_INT(norm("/a%0d%0aSet-Cookie:x"), KE_TARGET_BAD);
    KT_EQ_INT(norm("/a%7f"), KE_TARGET_BAD);
    KT_EQ_INT(norm("/a\tb"), KE_TARGET_BAD);
}

static void
t_backslash_rejected(void)
{
    KT_EQ_INT(norm("/a\\..\\b"), KE_TARGET_BAD);
    KT_EQ_INT(norm("/a%5c..%5Cb"), KE_TARGET_BAD);
}

static void
t_absolute_form(void)
{
    NORM("http://example.com/a/../b?x", "/b");
    NORM("HTTPS://example.com:8443/x/", "/x/");
    NORM("http://example.com", "/");
    NORM("http://example.com?q=1", "/");
}

static void
t_other_forms_rejected(void)
{
    KT_EQ_INT(norm(""), KE_TARGET_BAD);
    KT_EQ_INT(norm("*"), KE_TARGET_BAD);
    KT_EQ_INT(norm("example.com:443"), KE_TARGET_BAD);
    KT_EQ_INT(norm("ftp://example.com/a"), KE_TARGET_BAD);
    KT_EQ_INT(norm("http:/a"), KE_TARGET_BAD);
    KT_EQ_INT(norm("http:///a"), KE_TARGET_BAD);
    KT_EQ_INT(norm("a/b"), KE_TARGET_BAD);
}

static void
t_too_long(void)
{
    char out[8];
    size_t len;
    KT_EQ_INT(ke_target_normalize("/abcdef", 7, out, sizeof out, &len), KE_TARGET_OK);
    KT_EQ_STR(out, "/abcdef");
    KT_EQ_INT(ke_target_normalize("/abcdefg", 8, out, sizeof out, &len), KE_TARGET_TOO_LONG);
    KT_EQ_INT(ke_target_normalize("/abcdef/", 8, out, sizeof out, &len), KE_TARGET_TOO_LONG);
    KT_EQ_INT(ke_target_normalize("/", 1, out, 1, &len), KE_TARGET_TOO_LONG);
    KT_EQ_INT(ke_target_normalize("/", 1, out, 2, &len), KE_TARGET_OK);
    KT_EQ_STR(out, "/");
    /* Escapes count by their decoded size. */
    KT_EQ_INT(ke_target_normalize("/%61%62%63%64%65%66", 19, out, sizeof out, &len), KE_TARGET_OK);
    KT_EQ_STR(out, "/abcdef");
}

static void
t_length_bounded(void)
{
    KT_EQ_INT(ke_target_normalize("/abc/../def", 4, OUT, sizeof OUT, &LEN), KE_TARGET_OK);
    KT_EQ_STR(OUT, "/abc");
    KT_EQ_INT(ke_target_normalize("/a%41", 4, OUT, sizeof OUT, &LEN), KE_TARGET_BAD);
}

int
main(void)
{
    KT_RUN(t_plain, "a plain path is kept");
    KT_RUN(t_query_fragment, "the query and fragment are dropped");
    KT_RUN(t_trailing_slash, "a trailing slash is kept");
    KT_RUN(t_dot_segments, "dot segments are removed per RFC 3986 5.2.4");
    KT_RUN(t_dotdot_clamps, ".. above the root stays at the root");
    KT_RUN(t_collapse, "repeated slashes collapse");
    KT_RUN(t_decode, "percent escapes are decoded");
    KT_RUN(t_encoded_dots, "encoded dots are removed like literal ones");
    KT_RUN(t_encoded_slash, "%2F decodes to a separator and cannot smuggle ..");
    KT_RUN(t_nul_rejected, "%00 and a raw NUL give 400");
    KT_RUN(t_malformed_escape, "a malformed escape gives 400");
    KT_RUN(t_controls_rejected, "control bytes, raw or encoded, give 400");
    KT_RUN(t_backslash_rejected, "a backslash, raw or encoded, gives 400");
    KT_RUN(t_absolute_form, "absolute-form targets give their path");
    KT_RUN(t_other_forms_rejected, "asterisk, authority and other forms give 400");
    KT_RUN(t_too_long, "a path that does not fit gives 414");
    KT_RUN(t_length_bounded, "no byte past n is read");
    return kt_done();
}
