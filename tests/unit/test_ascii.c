/*
 * common/ascii.h: every class agrees with <ctype.h> in the "C" locale (or
 * with its RFC's list) on all 256 byte values, is false for negative chars
 * and -1 (end of input), and kc_eq_lower matches only whole lowercase words.
 */
#include "common/ascii.h"
#include "tests/kt.h"

#include <ctype.h>
#include <string.h>

/* Every class, for one value: what kiln's helpers say. */
static unsigned
classes(int c)
{
    return (unsigned)kc_is_digit(c) | (unsigned)kc_is_alpha(c) << 1 |
           (unsigned)kc_is_alnum(c) << 2 | (unsigned)kc_is_hex(c) << 3 |
           (unsigned)kc_is_space(c) << 4 | (unsigned)kc_is_upper(c) << 5 |
           (unsigned)kc_is_ws(c) << 6 | (unsigned)kc_is_blank(c) << 7 |
           (unsigned)kc_is_tchar(c) << 8 | (unsigned)(kc_hexval(c) >= 0) << 9 |
           (unsigned)kc_is_js_space(c) << 10;
}

static void
t_classes_match_ctype(void)
{
    for (int c = 0; c < 256; c++) {
        KT_EQ_INT(kc_is_digit(c), isdigit(c) != 0);
        KT_EQ_INT(kc_is_alpha(c), isalpha(c) != 0);
        KT_EQ_INT(kc_is_alnum(c), isalnum(c) != 0);
        KT_EQ_INT(kc_is_hex(c), isxdigit(c) != 0);
        KT_EQ_INT(kc_is_space(c), isspace(c) != 0);
        KT_EQ_INT(kc_is_upper(c), isupper(c) != 0);
        KT_EQ_INT(kc_is_blank(c), isblank(c) != 0);
        KT_EQ_INT(kc_lower(c), tolower(c));
    }
}

static void
t_hexval(void)
{
    KT_EQ_INT(kc_hexval('0'), 0);
    KT_EQ_INT(kc_hexval('9'), 9);
    KT_EQ_INT(kc_hexval('a'), 10);
    KT_EQ_INT(kc_hexval('F'), 15);
    KT_EQ_INT(kc_hexval('g'), -1);
    KT_EQ_INT(kc_hexval('G'), -1);
    KT_EQ_INT(kc_hexval('/'), -1);
    KT_EQ_INT(kc_hexval(':'), -1);
    KT_EQ_INT(kc_hexval('@'), -1);
    KT_EQ_INT(kc_hexval('`'), -1);
    for (int c = 0; c < 256; c++)
        KT_EQ_INT(kc_hexval(c) >= 0, isxdigit(c) != 0);
}

static void
t_tchar_is_rfc9110(void)
{
    static const char extra[] = "!#$%&'*+-.^_`|~";
    for (int c = 0; c < 256; c++) {
        bool want = c != 0 && (isalnum(c) || strchr(extra, c) != NULL);
        KT_EQ_INT(kc_is_tchar(c), want);
    }
}

static void
t_whitespace_sets(void)
{
    static const char ws[] = " \t\n\f\r";
    for (int c = 1; c < 256; c++) {
        KT_EQ_INT(kc_is_ws(c), strchr(ws, c) != NULL);
        KT_EQ_INT(kc_is_blank(c), c == ' ' || c == '\t');
        KT_EQ_INT(kc_is_js_space(c), c == ' ' || c == '\t' || c == '\v' || c == '\f');
    }
    KT_CHECK(!kc_is_ws('\v'));
    KT_CHECK(!kc_is_js_space('\n') && !kc_is_js_space('\r'));
    KT_CHECK(kc_is_space('\v'));
    KT_CHECK(!kc_is_ws(0) && !kc_is_space(0) && !kc_is_blank(0) && !kc_is_js_space(0));
}

static void
t_non_ascii_is_in_no_class(void)
{
    for (int c = -128; c < 0; c++)
        KT_EQ_INT(classes(c), 0);
    for (int c = 128; c < 256; c++)
        KT_EQ_INT(classes(c), 0);
    KT_EQ_INT(classes(-1), 0);
    KT_EQ_INT(classes(0x100 + 'a'), 0); /* an int past a byte is no letter */
    const char s[] = "\xc3\xa9";        /* a signed char holds a negative value */
    KT_EQ_INT(classes(s[0]), 0);
    KT_EQ_INT(kc_lower(s[0]), s[0]);
}

static void
t_eq_lower(void)
{
    KT_CHECK(kc_eq_lower("GZip", 4, "gzip"));
    KT_CHECK(kc_eq_lower("gzip, br", 4, "gzip")); /* s need not end at n */
    KT_CHECK(!kc_eq_lower("gzip", 3, "gzip"));
    KT_CHECK(!kc_eq_lower("gzipx", 5, "gzip"));
    KT_CHECK(!kc_eq_lower("GZIQ", 4, "gzip"));
    KT_CHECK(kc_eq_lower("", 0, ""));
    KT_CHECK(!kc_eq_lower("a", 1, ""));
    KT_CHECK(kc_eq_lower("If-None-Match", 13, "if-none-match"));
    /* Only ASCII letters fold: '@' is not '`', and 0xC0 is not 0xE0. */
    KT_CHECK(!kc_eq_lower("@", 1, "`"));
    KT_CHECK(!kc_eq_lower("\xc0", 1, "\xe0"));
}

static void
t_in_set(void)
{
    KT_CHECK(kc_in_set('b', "bBoO"));
    KT_CHECK(!kc_in_set('x', "bBoO"));
    KT_CHECK(!kc_in_set('\0', "bBoO")); /* strchr alone finds the terminator */
    KT_CHECK(!kc_in_set(-1, "bBoO"));
    KT_CHECK(!kc_in_set((char)0xe2, "\xe2"));
}

int
main(void)
{
    KT_RUN(t_classes_match_ctype, "digit/alpha/alnum/hex/space/upper/lower agree with C's ctype");
    KT_RUN(t_hexval, "kc_hexval gives 0..15 for hex digits of either case, -1 otherwise");
    KT_RUN(t_tchar_is_rfc9110, "kc_is_tchar is exactly RFC 9110's tchar");
    KT_RUN(t_whitespace_sets, "WHATWG whitespace excludes VT; blank (HTTP OWS) is SP and HT");
    KT_RUN(t_non_ascii_is_in_no_class, "bytes >= 0x80, negative chars and -1 are in no class");
    KT_RUN(t_in_set, "kc_in_set never holds NUL, end of input or non-ASCII");
    KT_RUN(t_eq_lower, "kc_eq_lower matches whole words ignoring ASCII case only");
    return kt_done();
}
