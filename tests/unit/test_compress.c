/*
 * Precompression: every encoding round-trips, outputs are byte-stable, the
 * windows stay within what browsers decode, the thread pool gives the same
 * bytes as one thread, and the cache serves only variants that decode to the
 * input. Inputs are generated; brotli q11 is slow, so sizes are kept small
 * except where the size is the point.
 */
#include "builder/compress.h"

#include "common/error.h"
#include "common/hash.h"
#include "tests/kt.h"

#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_getFrameHeader */
#include <brotli/decode.h>
#include <zstd.h>

#include <dirent.h>
#include <ftw.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- inputs ------------------------------------------------------------ */

static uint32_t rng_state;

static uint32_t
rng(void)
{
    rng_state = rng_state * 1664525u + 1013904223u;
    return rng_state >> 8;
}

static unsigned char *
gen_random(size_t n, uint32_t seed)
{
    rng_state = seed;
    unsigned char *p = malloc(n ? n : 1);
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)rng();
    return p;
}

/* Something like minified JavaScript: words from a small vocabulary. */
static unsigned char *
gen_text(size_t n, uint32_t seed)
{
    static const char *words[] = { "function", "return",    "const ", "this.",    "=>",
                                   "{",        "}",         "(",      ")",        ";",
                                   "if",       "else",      "value",  "length",   "push",
                                   "map",      "undefined", "null",   " ",        "\n",
                                   "0",        "1",         "i++",    "document", "querySelector",
                                   "\"",       "a",         "b",      "c",        "e" };
    rng_state = seed;
    unsigned char *p = malloc(n ? n : 1);
    size_t i = 0;
    while (i < n) {
        const char *w = words[rng() % (sizeof words / sizeof *words)];
        for (; *w && i < n; w++)
            p[i++] = (unsigned char)*w;
    }
    return p;
}

/* Encodes with kb_compress_one, decodes with kb_decompress_one, compares. */
static void
check_round_trip(enum kb_enc e, const unsigned char *in, size_t len)
{
    unsigned char *c = NULL, *d = NULL;
    size_t clen = 0, dlen = 0;
    KT_EQ_INT(kb_compress_one(e, in, len, &c, &clen), 0);
    KT_CHECK(c != NULL);
    int rc = kb_decompress_one(e, c, clen, len, &d, &dlen);
    free(c);
    KT_EQ_INT(rc, 0);
    KT_CHECK(d != NULL);
    KT_EQ_INT(dlen, len);
    int same = len == 0 || memcmp(d, in, len) == 0;
    free(d);
    KT_CHECK(same);
}

static void
check_round_trip_all(const unsigned char *in, size_t len)
{
    for (int e = 0; e < KB_ENC_COUNT; e++)
        check_round_trip((enum kb_enc)e, in, len);
}

/* ---- names ------------------------------------------------------------- */

static void
t_names(void)
{
    KT_EQ_STR(kb_enc_name(KB_ENC_BR), "br");
    KT_EQ_STR(kb_enc_name(KB_ENC_ZSTD), "zstd");
    KT_EQ_STR(kb_enc_name(KB_ENC_GZIP), "gzip");
    KT_EQ_STR(kb_enc_suffix(KB_ENC_BR), ".br");
    KT_EQ_STR(kb_enc_suffix(KB_ENC_ZSTD), ".zst");
    KT_EQ_STR(kb_enc_suffix(KB_ENC_GZIP), ".gz");
    KT_EQ_INT(kb_enc_parse("br", 2), KB_ENC_BR);
    KT_EQ_INT(kb_enc_parse("zstd", 4), KB_ENC_ZSTD);
    KT_EQ_INT(kb_enc_parse("gzip,br", 4), KB_ENC_GZIP);
    KT_EQ_INT(kb_enc_parse("gz", 2), -1);
    KT_EQ_INT(kb_enc_parse("brotli", 6), -1);
    KT_EQ_INT(kb_enc_parse("", 0), -1);
}

/* ---- round trips ------------------------------------------------------- */

static void
t_round_trip_random(void)
{
    unsigned char *p = gen_random(64 * 1024, 1);
    check_round_trip_all(p, 64 * 1024);
    free(p);
}

static void
t_round_trip_text(void)
{
    unsigned char *p = gen_text(100 * 1024, 2);
    check_round_trip_all(p, 100 * 1024);
    free(p);
}

static void
t_round_trip_empty(void)
{
    static const unsigned char none[1];
    check_round_trip_all(none, 0);
    check_round_trip_all(NULL, 0);
}

static void
t_round_trip_one_byte(void)
{
    const unsigned char one[1] = { 'x' };
    check_round_trip_all(one, 1);
}

static void
t_round_trip_3mib(void)
{
    size_t n = 3 * 1024 * 1024;
    unsigned char *p = gen_text(n, 3);
    check_round_trip_all(p, n);
    free(p);
}

/* ---- properties of the output ------------------------------------------ */

static void
t_deterministic(void)
{
    size_t n = 60 * 1024;
    unsigned char *p = gen_text(n, 4);
    for (int e = 0; e < KB_ENC_COUNT; e++) {
        unsigned char *a = NULL, *b = NULL;
        size_t al = 0, bl = 0;
        KT_EQ_INT(kb_compress_one((enum kb_enc)e, p, n, &a, &al), 0);
        KT_EQ_INT(kb_compress_one((enum kb_enc)e, p, n, &b, &bl), 0);
        int same = al == bl && memcmp(a, b, al) == 0;
        int smaller = al < n / 2;
        free(a);
        free(b);
        KT_CHECK(same);
        KT_CHECK(smaller);
    }
    free(p);
}

static void
t_gzip_header_has_no_mtime(void)
{
    unsigned char *p = gen_text(1000, 5), *c = NULL;
    size_t cl = 0;
    KT_EQ_INT(kb_compress_one(KB_ENC_GZIP, p, 1000, &c, &cl), 0);
    free(p);
    int ok = cl > 18 && c[0] == 0x1f && c[1] == 0x8b && c[2] == 8 && c[3] == 0 && c[4] == 0 &&
             c[5] == 0 && c[6] == 0 && c[7] == 0;
    free(c);
    KT_CHECK(ok);
}

static void
t_zstd_window_at_most_8mib(void)
{
    /* Periodic data compresses quickly even at level 19; the frame header
     * carries the window whatever the content. */
    size_t n = 20 * 1024 * 1024, period = 256 * 1024;
    unsigned char *p = gen_text(period, 6);
    unsigned char *big = malloc(n);
    for (size_t i = 0; i < n; i += period)
        memcpy(big + i, p, period);
    free(p);
    unsigned char *c = NULL;
    size_t cl = 0;
    int rc = kb_compress_one(KB_ENC_ZSTD, big, n, &c, &cl);
    free(big);
    KT_EQ_INT(rc, 0);
    ZSTD_frameHeader fh;
    size_t hr = ZSTD_getFrameHeader(&fh, c, cl);
    free(c);
    KT_EQ_INT(hr, 0);
    KT_CHECK(fh.frameType == ZSTD_frame);
    KT_EQ_INT(fh.frameContentSize, n);
    KT_CHECK(fh.windowSize <= 8u * 1024 * 1024);
    KT_CHECK(fh.checksumFlag == 0);
}

/* WBITS from the start of a brotli stream (RFC 7932 §9.1). */
static int
brotli_wbits(const unsigned char *c)
{
    unsigned v = c[0] | (unsigned)c[1] << 8;
    if (!(v & 1))
        return 16;
    unsigned n = (v >> 1) & 7;
    if (n)
        return 17 + (int)n;
    unsigned m = (v >> 4) & 7;
    return m ? 8 + (int)m : 17;
}

static void
t_brotli_decodes_with_library(void)
{
    size_t n = 100 * 1024;
    unsigned char *p = gen_text(n, 7), *c = NULL;
    size_t cl = 0;
    KT_EQ_INT(kb_compress_one(KB_ENC_BR, p, n, &c, &cl), 0);
    unsigned char *d = malloc(n);
    size_t dl = n;
    BrotliDecoderResult r = BrotliDecoderDecompress(cl, c, &dl, d);
    int wbits = brotli_wbits(c);
    int same = dl == n && memcmp(d, p, n) == 0;
    free(c);
    free(d);
    free(p);
    KT_EQ_INT(r, BROTLI_DECODER_RESULT_SUCCESS);
    KT_CHECK(same);
    KT_EQ_INT(wbits, 17); /* the smallest window that holds 100 KiB */
}

static void
t_brotli_small_input_small_window(void)
{
    unsigned char *p = gen_text(900, 8), *c = NULL;
    size_t cl = 0;
    KT_EQ_INT(kb_compress_one(KB_ENC_BR, p, 900, &c, &cl), 0);
    free(p);
    int wbits = brotli_wbits(c);
    free(c);
    KT_EQ_INT(wbits, 10);
}

static void
t_decompress_bounds(void)
{
    size_t n = 10000;
    unsigned char *p = gen_text(n, 9);
    for (int e = 0; e < KB_ENC_COUNT; e++) {
        unsigned char *c = NULL, *d = NULL;
        size_t cl = 0, dl = 0;
        KT_EQ_INT(kb_compress_one((enum kb_enc)e, p, n, &c, &cl), 0);
        /* exactly max decodes; one byte less is refused */
        KT_EQ_INT(kb_decompress_one((enum kb_enc)e, c, cl, n, &d, &dl), 0);
        free(d);
        d = NULL;
        int over = kb_decompress_one((enum kb_enc)e, c, cl, n - 1, &d, &dl);
        int far_over = kb_decompress_one((enum kb_enc)e, c, cl, 100, &d, &dl);
        /* a truncated stream is malformed */
        int cut = kb_decompress_one((enum kb_enc)e, c, cl / 2, SIZE_MAX, &d, &dl);
        free(c);
        KT_EQ_INT(over, KC_ETOOBIG);
        KT_EQ_INT(far_over, KC_ETOOBIG);
        KT_EQ_INT(cut, KC_ECODEC);
    }
    free(p);
    unsigned char *junk = gen_random(500, 10), *d = NULL;
    size_t dl = 0;
    for (int e = 0; e < KB_ENC_COUNT; e++)
        KT_EQ_INT(kb_decompress_one((enum kb_enc)e, junk, 500, SIZE_MAX, &d, &dl), KC_ECODEC);
    free(junk);
}

/* ---- runs on the pool, with and without the cache ---------------------- */

#define NITEMS 7

struct set {
    struct kb_compress_item it[NITEMS];
    unsigned char *data[NITEMS];
};

static void
set_init(struct set *s)
{
    static const size_t sizes[NITEMS] = { 0, 1, 700, 5000, 40000, 90000, 90000 };
    memset(s, 0, sizeof *s);
    for (size_t i = 0; i < NITEMS; i++) {
        s->data[i] = i == 6 ? gen_random(sizes[i], 100 + (uint32_t)i)
                            : gen_text(sizes[i], 100 + (uint32_t)i);
        s->it[i].data = s->data[i];
        s->it[i].len = sizes[i];
        kc_sha256(s->data[i], sizes[i], s->it[i].sha256);
        s->it[i].mask = (1u << KB_ENC_COUNT) - 1;
        s->it[i].name = "generated";
    }
}

static void
set_free_out(struct set *s)
{
    for (size_t i = 0; i < NITEMS; i++)
        for (int e = 0; e < KB_ENC_COUNT; e++) {
            free(s->it[i].out[e]);
            s->it[i].out[e] = NULL;
        }
}

static void
set_free(struct set *s)
{
    set_free_out(s);
    for (size_t i = 0; i < NITEMS; i++)
        free(s->data[i]);
}

/* Every output present and decoding to its input. */
static int
set_outputs_ok(const struct set *s)
{
    for (size_t i = 0; i < NITEMS; i++)
        for (int e = 0; e < KB_ENC_COUNT; e++) {
            const struct kb_compress_item *it = &s->it[i];
            unsigned char *d = NULL;
            size_t dl = 0;
            if (!it->out[e] ||
                kb_decompress_one((enum kb_enc)e, it->out[e], it->out_len[e], it->len, &d, &dl))
                return 0;
            int same = dl == it->len && (dl == 0 || memcmp(d, it->data, dl) == 0);
            free(d);
            if (!same)
                return 0;
        }
    return 1;
}

static int
sets_equal(const struct set *a, const struct set *b)
{
    for (size_t i = 0; i < NITEMS; i++)
        for (int e = 0; e < KB_ENC_COUNT; e++)
            if (a->it[i].out_len[e] != b->it[i].out_len[e] ||
                memcmp(a->it[i].out[e], b->it[i].out[e], a->it[i].out_len[e]) != 0)
                return 0;
    return 1;
}

struct prog {
    size_t calls, last_done, last_total;
};

static void
on_progress(void *ud, size_t done, size_t total)
{
    struct prog *p = ud;
    p->calls++;
    p->last_done = done;
    p->last_total = total;
}

static int
run_set(struct set *s, unsigned jobs, const char *cache, struct kb_compress_stats *st)
{
    struct kb_compress_opts o = { .jobs = jobs, .cache_dir = cache };
    return kb_compress_run(s->it, NITEMS, &o, st);
}

static void
t_pool_matches_one_thread(void)
{
    struct set a, b;
    set_init(&a);
    set_init(&b);
    struct kb_compress_stats sa, sb;
    struct prog pg = { 0 };
    struct kb_compress_opts o = { .jobs = 3, .progress = on_progress, .ud = &pg };
    int ra = run_set(&a, 1, NULL, &sa);
    int rb = kb_compress_run(b.it, NITEMS, &o, &sb);
    int ok = ra == 0 && rb == 0 && set_outputs_ok(&a) && sets_equal(&a, &b);
    size_t enc_a = sa.encoded, enc_b = sb.encoded, hits = sb.cache_hits;
    double cpu = sb.cpu_seconds;
    set_free(&a);
    set_free(&b);
    KT_CHECK(ok);
    KT_EQ_INT(enc_a, NITEMS * KB_ENC_COUNT);
    KT_EQ_INT(enc_b, NITEMS * KB_ENC_COUNT);
    KT_EQ_INT(hits, 0);
    KT_CHECK(cpu > 0);
    KT_CHECK(pg.calls >= 1);
    KT_EQ_INT(pg.last_done, NITEMS * KB_ENC_COUNT);
    KT_EQ_INT(pg.last_total, NITEMS * KB_ENC_COUNT);
}

static void
t_mask_selects_encodings(void)
{
    struct set s;
    set_init(&s);
    for (size_t i = 0; i < NITEMS; i++)
        s.it[i].mask = i % 2 ? 1u << KB_ENC_ZSTD : 0;
    struct kb_compress_stats st;
    int rc = run_set(&s, 2, NULL, &st);
    int ok = 1;
    for (size_t i = 0; i < NITEMS; i++)
        for (int e = 0; e < KB_ENC_COUNT; e++)
            ok &= (s.it[i].out[e] != NULL) == (i % 2 && e == KB_ENC_ZSTD);
    set_free(&s);
    KT_EQ_INT(rc, 0);
    KT_CHECK(ok);
    KT_EQ_INT(st.encoded, NITEMS / 2);
}

static void
t_tiny_memory_limit_still_runs(void)
{
    struct set s;
    set_init(&s);
    struct kb_compress_opts o = { .jobs = 4, .mem_limit = 1 };
    struct kb_compress_stats st;
    int rc = kb_compress_run(s.it, NITEMS, &o, &st);
    int ok = set_outputs_ok(&s);
    set_free(&s);
    KT_EQ_INT(rc, 0);
    KT_CHECK(ok);
    KT_EQ_INT(st.encoded, NITEMS * KB_ENC_COUNT);
}

static int
rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void
rm_rf(const char *dir)
{
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Calls fn on every regular file under dir; returns how many there were. */
static size_t
each_file(const char *dir, void (*fn)(const char *path, size_t idx))
{
    size_t count = 0;
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
        struct stat sb;
        if (stat(p, &sb) != 0)
            continue;
        if (S_ISDIR(sb.st_mode)) {
            count += each_file(p, fn);
        } else if (S_ISREG(sb.st_mode)) {
            if (fn)
                fn(p, count);
            count++;
        }
    }
    closedir(d);
    return count;
}

static void
write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (f) {
        fwrite(data, 1, len, f);
        fclose(f);
    }
}

static void
garble(const char *path, size_t idx)
{
    (void)idx;
    write_file(path, "garbage, not a compressed stream", 32);
}

static char cache_tmpl[] = "/tmp/kiln-test-compress-XXXXXX";

static void
t_cache_hits_give_same_bytes(void)
{
    char dir[sizeof cache_tmpl];
    memcpy(dir, cache_tmpl, sizeof dir);
    KT_CHECK(mkdtemp(dir) != NULL);
    char cache[sizeof dir + 16];
    snprintf(cache, sizeof cache, "%s/c", dir); /* does not exist yet */

    struct set a, b;
    set_init(&a);
    set_init(&b);
    struct kb_compress_stats s1, s2;
    int r1 = run_set(&a, 2, cache, &s1);
    size_t files = each_file(cache, NULL);
    int r2 = run_set(&b, 2, cache, &s2);
    int same = set_outputs_ok(&a) && sets_equal(&a, &b);
    unsigned cached = b.it[3].cached_mask, cached_first = a.it[3].cached_mask;
    set_free(&a);
    set_free(&b);
    rm_rf(dir);
    KT_EQ_INT(r1, 0);
    KT_EQ_INT(r2, 0);
    KT_EQ_INT(s1.encoded, NITEMS * KB_ENC_COUNT);
    KT_EQ_INT(s1.cache_hits, 0);
    KT_EQ_INT(files, NITEMS * KB_ENC_COUNT); /* no temporary files left behind */
    KT_EQ_INT(s2.encoded, 0);
    KT_EQ_INT(s2.cache_hits, NITEMS * KB_ENC_COUNT);
    KT_CHECK(same);
    KT_EQ_INT(cached_first, 0);
    KT_EQ_INT(cached, (1u << KB_ENC_COUNT) - 1);
}

static void
t_cache_garbage_is_recomputed(void)
{
    char dir[sizeof cache_tmpl];
    memcpy(dir, cache_tmpl, sizeof dir);
    KT_CHECK(mkdtemp(dir) != NULL);

    struct set a, b, c;
    set_init(&a);
    set_init(&b);
    set_init(&c);
    struct kb_compress_stats s1, s2, s3;
    int r1 = run_set(&a, 2, dir, &s1);
    size_t garbled = each_file(dir, garble);
    int r2 = run_set(&b, 2, dir, &s2);
    int r3 = run_set(&c, 2, dir, &s3); /* the entries were rewritten */
    int same = set_outputs_ok(&b) && sets_equal(&a, &b) && sets_equal(&a, &c);
    set_free(&a);
    set_free(&b);
    set_free(&c);
    rm_rf(dir);
    KT_EQ_INT(r1 | r2 | r3, 0);
    KT_EQ_INT(garbled, NITEMS * KB_ENC_COUNT);
    KT_EQ_INT(s2.cache_hits, 0);
    KT_EQ_INT(s2.encoded, NITEMS * KB_ENC_COUNT);
    KT_EQ_INT(s3.cache_hits, NITEMS * KB_ENC_COUNT);
    KT_CHECK(same);
}

/* A valid stream of the wrong content: it decodes fine but must not be
 * served. Every cache file is replaced with one valid variant of item 5. */
static const unsigned char *swap_data;
static size_t swap_len;

static void
swap_in(const char *path, size_t idx)
{
    (void)idx;
    write_file(path, swap_data, swap_len);
}

static void
t_cache_entry_of_other_content_is_not_served(void)
{
    char dir[sizeof cache_tmpl];
    memcpy(dir, cache_tmpl, sizeof dir);
    KT_CHECK(mkdtemp(dir) != NULL);
    struct set a, b;
    set_init(&a);
    set_init(&b);
    struct kb_compress_stats s1, s2;
    int r1 = run_set(&a, 1, dir, &s1);
    /* Same encoding everywhere would still be wrong for all but item 5. */
    char sub[sizeof dir + 8];
    snprintf(sub, sizeof sub, "%s/zstd", dir);
    swap_data = a.it[5].out[KB_ENC_ZSTD];
    swap_len = a.it[5].out_len[KB_ENC_ZSTD];
    size_t swapped = each_file(sub, swap_in);
    int r2 = run_set(&b, 1, dir, &s2);
    int same = set_outputs_ok(&b) && sets_equal(&a, &b);
    set_free(&a);
    set_free(&b);
    rm_rf(dir);
    KT_EQ_INT(r1 | r2, 0);
    KT_EQ_INT(swapped, NITEMS);
    KT_EQ_INT(s2.encoded, NITEMS - 1); /* only item 5's own entry is right */
    KT_EQ_INT(s2.cache_hits, NITEMS * KB_ENC_COUNT - (NITEMS - 1));
    KT_CHECK(same);
}

static void
t_unwritable_cache_still_succeeds(void)
{
    char dir[sizeof cache_tmpl];
    memcpy(dir, cache_tmpl, sizeof dir);
    KT_CHECK(mkdtemp(dir) != NULL);
    /* A regular file where the cache directory should be: no mkdir can
     * succeed below it, even for root. */
    char cache[sizeof dir + 16];
    snprintf(cache, sizeof cache, "%s/file", dir);
    write_file(cache, "x", 1);
    struct set s;
    set_init(&s);
    struct kb_compress_stats st;
    fprintf(stderr, "(a warning about the compression cache is expected next)\n");
    int rc = run_set(&s, 3, cache, &st);
    int ok = set_outputs_ok(&s);
    set_free(&s);
    rm_rf(dir);
    KT_EQ_INT(rc, 0);
    KT_CHECK(ok);
    KT_EQ_INT(st.encoded, NITEMS * KB_ENC_COUNT);
    KT_EQ_INT(st.cache_hits, 0);
}

static void
t_empty_run(void)
{
    struct prog pg = { 0 };
    struct kb_compress_opts o = { .jobs = 2, .progress = on_progress, .ud = &pg };
    struct kb_compress_stats st;
    KT_EQ_INT(kb_compress_run(NULL, 0, &o, &st), 0);
    KT_EQ_INT(st.encoded, 0);
    KT_EQ_INT(pg.calls, 1);
}

int
main(void)
{
    KT_RUN(t_names, "encoding names, suffixes and parsing");
    KT_RUN(t_round_trip_random, "random bytes round-trip in every encoding");
    KT_RUN(t_round_trip_text, "text round-trips in every encoding");
    KT_RUN(t_round_trip_empty, "empty input round-trips in every encoding");
    KT_RUN(t_round_trip_one_byte, "a 1-byte input round-trips in every encoding");
    KT_RUN(t_round_trip_3mib, "3 MiB of text round-trips in every encoding");
    KT_RUN(t_deterministic, "the same input gives the same bytes twice");
    KT_RUN(t_gzip_header_has_no_mtime, "gzip header carries no timestamp");
    KT_RUN(t_zstd_window_at_most_8mib, "zstd window of a 20 MiB input is at most 8 MiB");
    KT_RUN(t_brotli_decodes_with_library, "brotli output decodes with the brotli library");
    KT_RUN(t_brotli_small_input_small_window, "brotli uses a 1 KiB window for a small input");
    KT_RUN(t_decompress_bounds, "decoding stops at max and rejects damaged streams");
    KT_RUN(t_pool_matches_one_thread, "3 threads give the same bytes as 1, with progress");
    KT_RUN(t_mask_selects_encodings, "only the encodings in the mask are made");
    KT_RUN(t_tiny_memory_limit_still_runs, "a memory limit below one task still runs all");
    KT_RUN(t_cache_hits_give_same_bytes, "second run is served from the cache, same bytes");
    KT_RUN(t_cache_garbage_is_recomputed, "garbage in the cache is detected and replaced");
    KT_RUN(t_cache_entry_of_other_content_is_not_served,
           "a cache entry decoding to other content is not served");
    KT_RUN(t_unwritable_cache_still_succeeds, "an unwritable cache directory is not an error");
    KT_RUN(t_empty_run, "a run with no items reports progress once");
    return kt_done();
}
