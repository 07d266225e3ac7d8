/*
 * Entity-tag lists for If-None-Match (weak comparison) and If-Match (strong
 * comparison), "*", list grammar and malformed values; If-Range equality.
 */
#include "edge/etag.h"
#include "tests/kt.h"

#include <string.h>

#define CUR "\"br-3f9a\""

static bool
inm(const char *list, const char *etag)
{
    return ke_etag_match_any(list, strlen(list), etag, etag ? strlen(etag) : 0, true);
}

static bool
im(const char *list, const char *etag)
{
    return ke_etag_match_any(list, strlen(list), etag, etag ? strlen(etag) : 0, false);
}

static bool
seq(const char *a, const char *b)
{
    return ke_etag_strong_equal(a, strlen(a), b, strlen(b));
}

static void
t_exact(void)
{
    KT_CHECK(inm("\"br-3f9a\"", CUR));
    KT_CHECK(im("\"br-3f9a\"", CUR));
}

static void
t_mismatch(void)
{
    KT_CHECK(!inm("\"gz-3f9a\"", CUR));
    KT_CHECK(!inm("\"br-3f9\"", CUR));
    KT_CHECK(!inm("\"BR-3F9A\"", CUR));
}

static void
t_weak_matches_weakly(void)
{
    KT_CHECK(inm("W/\"br-3f9a\"", CUR));
    KT_CHECK(inm("\"br-3f9a\"", "W/\"br-3f9a\""));
}

static void
t_weak_never_strong(void)
{
    KT_CHECK(!im("W/\"br-3f9a\"", CUR));
    KT_CHECK(!im("\"br-3f9a\"", "W/\"br-3f9a\""));
}

static void
t_weak_prefix_case(void)
{
    /* "W/" is case-sensitive: w/"x" is not an entity-tag. */
    KT_CHECK(!inm("w/\"br-3f9a\"", CUR));
}

static void
t_list(void)
{
    KT_CHECK(inm("\"a\", \"b\", \"br-3f9a\"", CUR));
    KT_CHECK(inm("\"a\",W/\"br-3f9a\"", CUR));
    KT_CHECK(!inm("\"a\", \"b\"", CUR));
}

static void
t_list_ows_empty(void)
{
    KT_CHECK(inm("  ,\t\"a\" ,, \"br-3f9a\"\t, ", CUR));
    KT_CHECK(!inm("", CUR));
    KT_CHECK(!inm(" , ", CUR));
}

static void
t_star(void)
{
    KT_CHECK(inm("*", CUR));
    KT_CHECK(im(" * ", CUR));
    KT_CHECK(im("*", "W/\"x\""));
}

static void
t_star_needs_representation(void)
{
    KT_CHECK(!inm("*", NULL));
    KT_CHECK(!im("*", ""));
    KT_CHECK(!im("\"x\"", NULL));
}

static void
t_star_in_list_malformed(void)
{
    KT_CHECK(!inm("*, \"br-3f9a\"", CUR));
    KT_CHECK(!inm("\"br-3f9a\", *", CUR));
    KT_CHECK(!inm("**", CUR));
}

static void
t_unquoted_malformed(void)
{
    KT_CHECK(!inm("br-3f9a", CUR));
    KT_CHECK(!inm("\"br-3f9a", CUR));
}

static void
t_malformed_anywhere_no_match(void)
{
    KT_CHECK(!inm("\"br-3f9a\", junk", CUR));
    KT_CHECK(!inm("junk, \"br-3f9a\"", CUR));
    KT_CHECK(!inm("\"br-3f9a\" \"x\"", CUR));
    KT_CHECK(!im("\"br-3f9a\"x", CUR));
}

static void
t_bad_bytes(void)
{
    KT_CHECK(!inm("\"a b\"", "\"a b\""));
    KT_CHECK(!inm("\"a\tb\"", "\"a\tb\""));
    const char l[] = "\"a\0b\"";
    KT_CHECK(!ke_etag_match_any(l, sizeof l - 1, l, sizeof l - 1, true));
}

static void
t_obs_text_and_empty(void)
{
    KT_CHECK(inm("\"\xc3\xa9t\xc3\xa9\"", "\"\xc3\xa9t\xc3\xa9\""));
    KT_CHECK(inm("\"\"", "\"\""));
    KT_CHECK(!inm("\"\"", CUR));
}

static void
t_length_bounded(void)
{
    /* Only n bytes are read: the rest of the buffer is not part of the list. */
    const char *l = "\"br-3f9a\"XYZ";
    KT_CHECK(ke_etag_match_any(l, 9, CUR, strlen(CUR), false));
    KT_CHECK(!ke_etag_match_any(l, 8, CUR, strlen(CUR), false));
}

static void
t_if_range(void)
{
    KT_CHECK(seq(CUR, CUR));
    KT_CHECK(seq(" \"br-3f9a\" ", CUR));
    KT_CHECK(!seq("W/\"br-3f9a\"", CUR));
    KT_CHECK(!seq(CUR, "W/\"br-3f9a\""));
    KT_CHECK(!seq("\"gz-3f9a\"", CUR));
    KT_CHECK(!seq("Sun, 06 Nov 1994 08:49:37 GMT", CUR));
    KT_CHECK(!seq("\"a\", \"a\"", "\"a\""));
}

int
main(void)
{
    KT_RUN(t_exact, "an identical tag matches for If-None-Match and If-Match");
    KT_RUN(t_mismatch, "a different tag, even by case, does not match");
    KT_RUN(t_weak_matches_weakly, "If-None-Match W/\"x\" matches \"x\" both ways");
    KT_RUN(t_weak_never_strong, "If-Match never matches a weak tag on either side");
    KT_RUN(t_weak_prefix_case, "a lowercase w/ prefix is malformed");
    KT_RUN(t_list, "any tag in a list matches");
    KT_RUN(t_list_ows_empty, "OWS and empty elements are allowed; an empty list matches nothing");
    KT_RUN(t_star, "* matches an existing representation");
    KT_RUN(t_star_needs_representation, "nothing matches when there is no representation");
    KT_RUN(t_star_in_list_malformed, "* inside a list makes it malformed");
    KT_RUN(t_unquoted_malformed, "an unquoted or unterminated tag matches nothing");
    KT_RUN(t_malformed_anywhere_no_match, "junk anywhere in the list makes it match nothing");
    KT_RUN(t_bad_bytes, "space, tab and NUL are not etag characters");
    KT_RUN(t_obs_text_and_empty, "obs-text and empty opaque tags compare byte for byte");
    KT_RUN(t_length_bounded, "no byte past n is read");
    KT_RUN(t_if_range, "If-Range needs two equal strong tags");
    return kt_done();
}
