/*
 * Accept-Encoding parsing and variant choice: RFC 9110 §12.5.3 edge cases,
 * smallest acceptable variant wins, q only excludes, server preference on ties.
 */
#include "edge/negotiate.h"
#include "tests/kt.h"

#include <string.h>

static struct ke_accept A;

/* Parses s and negotiates against br/zstd/gzip/identity sizes. */
static int
pick(const char *s, uint64_t br, uint64_t zstd, uint64_t gzip, uint64_t identity)
{
    uint64_t size[KE_ENC_COUNT];
    size[KE_ENC_BR] = br;
    size[KE_ENC_ZSTD] = zstd;
    size[KE_ENC_GZIP] = gzip;
    size[KE_ENC_IDENTITY] = identity;
    if (s)
        ke_accept_parse(s, strlen(s), &A);
    else
        ke_accept_init(&A);
    return ke_negotiate(&A, size);
}

static void
t_browser(void)
{
    KT_EQ_INT(pick("gzip, deflate, br, zstd", 69, 75, 80, 262), KE_ENC_BR);
    KT_EQ_INT(pick("gzip, deflate, br, zstd", 80, 75, 90, 262), KE_ENC_ZSTD);
}

static void
t_no_header(void)
{
    KT_EQ_INT(pick(NULL, 10, 10, 10, 100), KE_ENC_IDENTITY);
    KT_CHECK(!A.present);
}

static void
t_empty_value(void)
{
    KT_EQ_INT(pick("", 10, 10, 10, 100), KE_ENC_IDENTITY);
    KT_CHECK(A.present);
    KT_EQ_INT(pick(" , ,", 10, 10, 10, 100), KE_ENC_IDENTITY);
}

static void
t_q0_excludes(void)
{
    KT_EQ_INT(pick("br;q=0, gzip", 10, 0, 20, 100), KE_ENC_GZIP);
    KT_EQ_INT(pick("br;q=0.000, gzip", 10, 0, 20, 100), KE_ENC_GZIP);
}

static void
t_q_not_ranked(void)
{
    /* gzip preferred by the client, br smaller: the smaller one wins. */
    KT_EQ_INT(pick("br;q=0.1, gzip;q=1", 10, 0, 20, 100), KE_ENC_BR);
}

static void
t_tie_preference(void)
{
    KT_EQ_INT(pick("gzip, zstd, br", 50, 50, 50, 100), KE_ENC_BR);
    KT_EQ_INT(pick("gzip, zstd", 50, 50, 50, 100), KE_ENC_ZSTD);
    KT_EQ_INT(pick("gzip, identity", 0, 0, 100, 100), KE_ENC_GZIP);
}

static void
t_identity_smaller(void)
{
    KT_EQ_INT(pick("br, gzip", 120, 0, 130, 100), KE_ENC_IDENTITY);
}

static void
t_identity_q0_no_variant(void)
{
    KT_EQ_INT(pick("identity;q=0", 0, 0, 0, 100), -1);
    KT_EQ_INT(pick("identity;q=0, gzip", 0, 0, 0, 100), -1);
}

static void
t_star_q0_refuses_identity(void)
{
    KT_EQ_INT(pick("*;q=0", 0, 0, 0, 100), -1);
    KT_EQ_INT(pick("*;q=0, identity", 0, 0, 0, 100), KE_ENC_IDENTITY);
    KT_EQ_INT(pick("*;q=0, gzip", 0, 0, 30, 100), KE_ENC_GZIP);
}

static void
t_star_accepts_unlisted(void)
{
    KT_EQ_INT(pick("*", 10, 20, 30, 100), KE_ENC_BR);
    KT_EQ_INT(pick("br;q=0, *", 10, 20, 30, 100), KE_ENC_ZSTD);
}

static void
t_case_insensitive(void)
{
    KT_EQ_INT(pick("GZIP;Q=0.5", 0, 0, 30, 100), KE_ENC_GZIP);
    KT_EQ_INT(pick("Br", 10, 0, 30, 100), KE_ENC_BR);
}

static void
t_x_gzip(void)
{
    KT_EQ_INT(pick("x-gzip", 10, 0, 30, 100), KE_ENC_GZIP);
}

static void
t_ows(void)
{
    KT_EQ_INT(pick("  br ; q=0 ,\tgzip\t;\tq=1.000  ", 10, 0, 30, 100), KE_ENC_GZIP);
    KT_EQ_INT(A.q[KE_ENC_BR], 0);
    KT_EQ_INT(A.q[KE_ENC_GZIP], 1000);
}

static void
t_q_values(void)
{
    const char *v = "br;q=0.5, gzip;q=0.25, zstd;q=1.";
    ke_accept_parse(v, strlen(v), &A);
    KT_EQ_INT(A.q[KE_ENC_BR], 500);
    KT_EQ_INT(A.q[KE_ENC_GZIP], 250);
    KT_EQ_INT(A.q[KE_ENC_ZSTD], 1000);
    KT_EQ_INT(A.q[KE_ENC_IDENTITY], KE_Q_UNSET);
    KT_EQ_INT(A.star, KE_Q_UNSET);
}

static void
t_invalid_q_ignored(void)
{
    /* Each malformed element counts as absent: br is then not acceptable. */
    KT_EQ_INT(pick("br;q=2, gzip", 10, 0, 30, 100), KE_ENC_GZIP);
    KT_EQ_INT(pick("br;q=0.0001, gzip", 10, 0, 30, 100), KE_ENC_GZIP);
    KT_EQ_INT(pick("br;q=1.001, gzip", 10, 0, 30, 100), KE_ENC_GZIP);
    KT_EQ_INT(pick("br;q=, gzip", 10, 0, 30, 100), KE_ENC_GZIP);
    KT_EQ_INT(pick("br;level=1, gzip", 10, 0, 30, 100), KE_ENC_GZIP);
    KT_EQ_INT(pick("br;q = 1, gzip", 10, 0, 30, 100), KE_ENC_GZIP);
    KT_EQ_INT(pick("b r, gzip", 10, 0, 30, 100), KE_ENC_GZIP);
    /* A malformed q=0 does not refuse either. */
    KT_EQ_INT(pick("identity;q=0x", 0, 0, 0, 100), KE_ENC_IDENTITY);
}

static void
t_repeated_lowest_wins(void)
{
    KT_EQ_INT(pick("br, br;q=0, gzip", 10, 0, 30, 100), KE_ENC_GZIP);
    KT_EQ_INT(pick("br;q=0, br, gzip", 10, 0, 30, 100), KE_ENC_GZIP);
    ke_accept_parse("gzip;q=0.8, gzip;q=0.3", 22, &A);
    KT_EQ_INT(A.q[KE_ENC_GZIP], 300);
}

static void
t_unknown_ignored(void)
{
    KT_EQ_INT(pick("deflate, compress, dcz, dcb", 10, 20, 30, 100), KE_ENC_IDENTITY);
}

static void
t_dcz_explicit_only(void)
{
    /* dcz is recorded but never one of the sized variants; "*" does not
     * stand for it: a delta needs a client that said it can decode one. */
    ke_accept_parse("gzip, br, zstd, dcb, dcz", 24, &A);
    KT_CHECK(ke_accept_ok(&A, KE_ENC_DCZ));
    KT_EQ_INT(A.q[KE_ENC_DCZ], 1000);
    ke_accept_parse("DCZ;q=0.5", 9, &A);
    KT_CHECK(ke_accept_ok(&A, KE_ENC_DCZ));
    ke_accept_parse("br, dcz;q=0", 11, &A);
    KT_CHECK(!ke_accept_ok(&A, KE_ENC_DCZ));
    ke_accept_parse("*", 1, &A);
    KT_CHECK(!ke_accept_ok(&A, KE_ENC_DCZ));
    ke_accept_init(&A);
    KT_CHECK(!ke_accept_ok(&A, KE_ENC_DCZ));
}

static void
t_missing_variants(void)
{
    /* Only listed and available variants are candidates. */
    KT_EQ_INT(pick("br, zstd", 0, 0, 30, 100), KE_ENC_IDENTITY);
    KT_EQ_INT(pick("gzip", 10, 20, 0, 100), KE_ENC_IDENTITY);
}

static void
t_empty_file(void)
{
    KT_EQ_INT(pick("gzip, br", 0, 0, 0, 0), KE_ENC_IDENTITY);
}

static void
t_add_lines(void)
{
    uint64_t size[KE_ENC_COUNT] = { 100, 10, 0, 30 };
    ke_accept_parse("gzip", 4, &A);
    KT_EQ_INT(ke_negotiate(&A, size), KE_ENC_GZIP);
    ke_accept_add("br", 2, &A);
    KT_EQ_INT(ke_negotiate(&A, size), KE_ENC_BR);
}

static void
t_accept_ok(void)
{
    ke_accept_init(&A);
    KT_CHECK(ke_accept_ok(&A, KE_ENC_IDENTITY));
    KT_CHECK(!ke_accept_ok(&A, KE_ENC_GZIP));
    ke_accept_parse("*;q=0.5", 7, &A);
    KT_CHECK(ke_accept_ok(&A, KE_ENC_IDENTITY));
    KT_CHECK(ke_accept_ok(&A, KE_ENC_ZSTD));
    KT_CHECK(!ke_accept_ok(&A, (enum ke_enc)KE_ENC_ALL));
}

int
main(void)
{
    KT_RUN(t_browser, "a browser's list gets the smallest of br and zstd");
    KT_RUN(t_no_header, "no Accept-Encoding header gets identity");
    KT_RUN(t_empty_value, "an empty Accept-Encoding value gets identity");
    KT_RUN(t_q0_excludes, "q=0 excludes a coding even when it is the smallest");
    KT_RUN(t_q_not_ranked, "non-zero q-values are not ranked: smallest acceptable wins");
    KT_RUN(t_tie_preference, "equal sizes go to br, then zstd, gzip, identity");
    KT_RUN(t_identity_smaller, "identity wins when compressed variants are bigger");
    KT_RUN(t_identity_q0_no_variant, "identity;q=0 with no variant yields no acceptable encoding");
    KT_RUN(t_star_q0_refuses_identity, "*;q=0 refuses identity unless identity is listed");
    KT_RUN(t_star_accepts_unlisted, "* accepts every coding not listed");
    KT_RUN(t_case_insensitive, "codings and the q name are case-insensitive");
    KT_RUN(t_x_gzip, "x-gzip counts as gzip");
    KT_RUN(t_ows, "OWS around commas and semicolons is accepted");
    KT_RUN(t_q_values, "q-values parse to thousandths, unlisted stay unset");
    KT_RUN(t_invalid_q_ignored, "an element with a malformed q or parameter is ignored");
    KT_RUN(t_repeated_lowest_wins, "a coding listed twice keeps its lowest q");
    KT_RUN(t_unknown_ignored, "unknown codings (deflate, dcb) and dcz never pick a variant");
    KT_RUN(t_dcz_explicit_only, "dcz is acceptable only when listed with q > 0, never via *");
    KT_RUN(t_missing_variants, "a variant the release lacks is never chosen");
    KT_RUN(t_empty_file, "an empty identity file is served as identity");
    KT_RUN(t_add_lines, "a second Accept-Encoding line adds to the first");
    KT_RUN(t_accept_ok, "ke_accept_ok follows the identity and * rules");
    return kt_done();
}
