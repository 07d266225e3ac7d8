/*
 * Compression dictionaries, the builder's half: the dcz framing (RFC 9842
 * §4.2 header, the window rule checked in the frame the library wrote,
 * decoding against the right dictionary only), deltas on the pool and in
 * the cache keyed by both contents, and the Use-As-Dictionary strings
 * (URLPattern escaping, sf-string quoting).
 */
#include "builder/compress.h"
#include "builder/dict.h"

#include "common/buf.h"
#include "common/error.h"
#include "common/hash.h"
#include "tests/kt.h"

#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_getFrameHeader */
#include <zstd.h>

#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Something like a JS file, and its next version with one line changed. */
static unsigned char *
gen_js(size_t n, unsigned seed)
{
    unsigned char *p = malloc(n);
    unsigned x = seed;
    for (size_t i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        static const char a[] = "function value(){return this.length;}\nconst x=1;";
        p[i] = (unsigned char)a[(x >> 16) % (sizeof a - 1)];
    }
    return p;
}

static void
t_header_bytes(void)
{
    unsigned char sha[32], h[KB_DCZ_HEADER_LEN];
    for (int i = 0; i < 32; i++)
        sha[i] = (unsigned char)(0xa0 + i);
    kb_dcz_header(sha, h);
    static const unsigned char want[8] = { 0x5E, 0x2A, 0x4D, 0x18, 0x20, 0, 0, 0 };
    KT_CHECK(memcmp(h, want, 8) == 0);
    KT_CHECK(memcmp(h + 8, sha, 32) == 0);
    KT_EQ_INT(KB_DCZ_HEADER_LEN, 40);
    KT_EQ_STR(kb_denc_name(KB_DENC_DCZ), "dcz");
    KT_EQ_STR(kb_denc_suffix(KB_DENC_DCZ), ".dcz");
}

static void
t_window_rule(void)
{
    size_t M = (size_t)1 << 20;
    KT_EQ_INT(kb_dcz_window_limit(0), 8 * M);
    KT_EQ_INT(kb_dcz_window_limit(6 * M), 8 * M); /* 1.25 x 6 = 7.5 < 8 */
    KT_EQ_INT(kb_dcz_window_limit(8 * M), 10 * M);
    KT_EQ_INT(kb_dcz_window_limit(100 * M), 125 * M);
    KT_EQ_INT(kb_dcz_window_limit(200 * M), 128 * M);
    KT_EQ_INT(kb_dcz_window_log(0), 23);
    KT_EQ_INT(kb_dcz_window_log(6 * M), 23);
    KT_EQ_INT(kb_dcz_window_log(13 * M), 24); /* limit 16.25 MiB */
    KT_EQ_INT(kb_dcz_window_log(12 * M), 23); /* limit 15 MiB: 16 would exceed it */
    KT_EQ_INT(kb_dcz_window_log(100 * M), 26);
    KT_EQ_INT(kb_dcz_window_log(SIZE_MAX / 2), 27);
    for (size_t d = 0; d < 120 * M; d += 3 * M + 17)
        KT_CHECK(((size_t)1 << kb_dcz_window_log(d)) <= kb_dcz_window_limit(d));
}

/* Encodes b against a, checks the stream's header and frame, decodes it. */
static void
check_delta(size_t na, size_t nb)
{
    unsigned char *a = gen_js(na, 1), *b = malloc(nb + 1);
    memcpy(b, a, nb < na ? nb : na);
    if (nb > na)
        memcpy(b + na, a, nb - na);
    memcpy(b + nb / 2, "CHANGED", nb >= 8 ? 7 : 0);
    unsigned char sha[32], other[32];
    kc_sha256(a, na, sha);
    memcpy(other, sha, 32);
    other[0] ^= 1;
    unsigned char *d = NULL, *o = NULL;
    size_t dl = 0, ol = 0;
    KT_EQ_INT(kb_dict_compress_one(KB_DENC_DCZ, b, nb, a, na, sha, &d, &dl), 0);
    KT_CHECK(dl > KB_DCZ_HEADER_LEN);
    unsigned char h[KB_DCZ_HEADER_LEN];
    kb_dcz_header(sha, h);
    KT_CHECK(memcmp(d, h, sizeof h) == 0);
    ZSTD_frameHeader fh;
    KT_EQ_INT(ZSTD_getFrameHeader(&fh, d + 40, dl - 40), 0);
    KT_CHECK(fh.windowSize <= kb_dcz_window_limit(na));
    KT_CHECK(fh.frameContentSize == nb);
    KT_EQ_INT(kb_dict_decompress_one(KB_DENC_DCZ, d, dl, a, na, sha, nb, &o, &ol), 0);
    KT_EQ_INT(ol, nb);
    KT_CHECK(o && memcmp(o, b, nb) == 0);
    free(o);
    o = NULL;
    /* Another dictionary's hash: refused before decoding. */
    KT_EQ_INT(kb_dict_decompress_one(KB_DENC_DCZ, d, dl, a, na, other, nb, &o, &ol), KC_ECODEC);
    /* The delta is much smaller than the file alone would be. */
    KT_CHECK(dl < nb / 10 + 100);
    free(a);
    free(b);
    free(d);
}

static void
t_delta_round_trip(void)
{
    check_delta(4096, 4100);
    check_delta(300 * 1024, 300 * 1024);
}

static void
t_delta_large_dictionary(void)
{
    /* 9 MiB: the window limit is 11.25 MiB, windowLog 23; the frame must
     * not claim more. */
    check_delta((size_t)9 << 20, ((size_t)9 << 20) + 5);
}

static int
rm_cb(const char *p, const struct stat *st, int fl, struct FTW *ftw)
{
    (void)st;
    (void)fl;
    (void)ftw;
    return remove(p);
}

static void
t_pool_and_cache(void)
{
    char dir[] = "/tmp/kiln-dict-XXXXXX";
    KT_CHECK(mkdtemp(dir) != NULL);
    unsigned char *a = gen_js(20000, 7), *b = gen_js(20000, 7), *a2 = gen_js(20000, 9);
    memcpy(b + 100, "xyz", 3);
    struct kb_compress_item it[2];
    memset(it, 0, sizeof it);
    for (int k = 0; k < 2; k++) {
        it[k].data = b;
        it[k].len = 20000;
        kc_sha256(b, 20000, it[k].sha256);
        it[k].dict = k ? a2 : a;
        it[k].dict_len = 20000;
        kc_sha256(it[k].dict, 20000, it[k].dict_sha256);
        it[k].dmask = 1u << KB_DENC_DCZ;
        it[k].mask = k ? 0 : 1u << KB_ENC_ZSTD;
    }
    struct kb_compress_opts o = { .jobs = 2, .cache_dir = dir };
    struct kb_compress_stats st;
    KT_EQ_INT(kb_compress_run(it, 2, &o, &st), 0);
    KT_EQ_INT(st.encoded, 3);
    unsigned char *first[2];
    size_t first_len[2];
    for (int k = 0; k < 2; k++) {
        first[k] = it[k].dout[KB_DENC_DCZ];
        first_len[k] = it[k].dout_len[KB_DENC_DCZ];
        KT_CHECK(first[k] != NULL);
    }
    free(it[0].out[KB_ENC_ZSTD]);
    /* Same input, two dictionaries: two cache entries, both hit now. */
    KT_EQ_INT(kb_compress_run(it, 2, &o, &st), 0);
    KT_EQ_INT(st.cache_hits, 3);
    KT_EQ_INT(it[1].dcached_mask, 1u << KB_DENC_DCZ);
    for (int k = 0; k < 2; k++) {
        KT_EQ_INT(it[k].dout_len[KB_DENC_DCZ], first_len[k]);
        KT_CHECK(memcmp(it[k].dout[KB_DENC_DCZ], first[k], first_len[k]) == 0);
        free(it[k].dout[KB_DENC_DCZ]);
        free(first[k]);
    }
    KT_CHECK(memcmp(it[0].dict_sha256, it[1].dict_sha256, 32) != 0);
    free(it[0].out[KB_ENC_ZSTD]);
    nftw(dir, rm_cb, 8, FTW_DEPTH | FTW_PHYS);
    free(a);
    free(b);
    free(a2);
}

static char *
esc(const char *s)
{
    struct kc_buf b;
    kc_buf_init(&b, 1024);
    KT_EQ_INT(kb_urlpattern_escape(s, strlen(s), &b), 0);
    kc_buf_putc(&b, '\0');
    return kc_buf_steal(&b, NULL);
}

static void
t_urlpattern_escape(void)
{
    char *e = esc("/a*b?c+d(e)f{g}h:i\\j.k-l_m~n/");
    KT_EQ_STR(e, "/a\\*b\\?c\\+d\\(e\\)f\\{g\\}h\\:i\\\\j.k-l_m~n/");
    free(e);
    e = esc("/js/main.");
    KT_EQ_STR(e, "/js/main.");
    free(e);
}

static void
t_sf_string(void)
{
    struct kc_buf b;
    kc_buf_init(&b, 256);
    KT_EQ_INT(kb_sf_string("a\"b\\c", &b), 0);
    kc_buf_putc(&b, '\0');
    KT_EQ_STR(b.data, "\"a\\\"b\\\\c\"");
    kc_buf_reset(&b);
    KT_EQ_INT(kb_sf_string("caf\xc3\xa9", &b), KC_EINVAL);
    kc_buf_reset(&b);
    KT_EQ_INT(kb_sf_string("tab\there", &b), KC_EINVAL);
    kc_buf_free(&b);
}

static void
t_use_as_dictionary(void)
{
    /* "/js/main.0356badca7.js": the fingerprint is [9, 19). */
    char *v = kb_dict_use_as_dictionary("/js/main.0356badca7.js", 9, 19, "script", "js/main.js");
    KT_EQ_STR(v, "match=\"/js/main.*.js\", match-dest=(\"script\" \"\"), id=\"js/main.js\"");
    free(v);
    v = kb_dict_use_as_dictionary("/data/menu.c2715109c4.json", 11, 21, NULL, "data/menu.json");
    KT_EQ_STR(v, "match=\"/data/menu.*.json\", id=\"data/menu.json\"");
    free(v);
    /* URLPattern specials escaped, then the backslashes quoted for the
     * sf-string: "\\(" in the header is "\(" in the pattern. */
    v = kb_dict_use_as_dictionary("/app/(x)/a+b-AbC12345.js", 13, 21, "script", "(x)/a+b.js");
    KT_EQ_STR(v, "match=\"/app/\\\\(x\\\\)/a\\\\+b-*.js\", match-dest=(\"script\" \"\"), "
                 "id=\"(x)/a+b.js\"");
    free(v);
    /* Not header-safe: no value. */
    KT_CHECK(kb_dict_use_as_dictionary("/a.0123456789.js", 3, 13, NULL, "caf\xc3\xa9.js") == NULL);
    KT_CHECK(kb_dict_use_as_dictionary("/a.js", 3, 40, NULL, "a.js") == NULL);
}

/* A browser picks the dictionary whose match is longest among those that
 * match (RFC 9842 §2.2.2): the legacy twin's pattern is longer than the
 * module's and only it matches the twin's future names as well, so
 * main.*.js never wins for main.legacy.*.js, and the twin's never matches
 * main.X.js. Checked here with a tiny matcher for "prefix*suffix". */
static bool
matches(const char *pre, const char *suf, const char *url)
{
    size_t p = strlen(pre), s = strlen(suf), u = strlen(url);
    return u >= p + s && strncmp(url, pre, p) == 0 && strcmp(url + u - s, suf) == 0;
}

static void
t_longest_match_siblings(void)
{
    const char *mod = "/js/main.0123456789.js", *twin = "/js/main.legacy.abcdef0123.js";
    /* main.*.js matches both; main.legacy.*.js only the twin. */
    KT_CHECK(matches("/js/main.", ".js", mod));
    KT_CHECK(matches("/js/main.", ".js", twin));
    KT_CHECK(matches("/js/main.legacy.", ".js", twin));
    KT_CHECK(!matches("/js/main.legacy.", ".js", mod));
    KT_CHECK(strlen("/js/main.legacy.*.js") > strlen("/js/main.*.js"));
    char *p = kb_dict_delta_path("js/main.0123456789.js",
                                 (const unsigned char *)"\x01\x23\x45\x67\x89\xab\xcd\xef"
                                                        "\x00\x00\x00\x00\x00\x00\x00\x00"
                                                        "\x00\x00\x00\x00\x00\x00\x00\x00"
                                                        "\x00\x00\x00\x00\x00\x00\x00\x00",
                                 KB_DENC_DCZ);
    KT_EQ_STR(p, "js/main.0123456789.js.0123456789ab.dcz");
    free(p);
}

int
main(void)
{
    KT_RUN(t_header_bytes, "dcz header: magic, length 32 little-endian, the dictionary's SHA-256");
    KT_RUN(t_window_rule, "dcz window: at least 8 MiB and 1.25x the dictionary, at most 128 MiB");
    KT_RUN(t_delta_round_trip, "a dcz delta decodes to the new bytes with the old as dictionary");
    KT_RUN(t_delta_large_dictionary, "a 9 MiB dictionary's frame keeps the window within the rule");
    KT_RUN(t_pool_and_cache, "deltas run on the pool and are cached by both contents");
    KT_RUN(t_urlpattern_escape, "URLPattern specials in literal parts are escaped");
    KT_RUN(t_sf_string, "sf-string quotes '\"' and '\\\\' and refuses non-ASCII");
    KT_RUN(t_use_as_dictionary, "Use-As-Dictionary: match, match-dest and id, header-safe");
    KT_RUN(t_longest_match_siblings, "main.*.js and main.legacy.*.js resolve by longest match");
    return kt_done();
}
