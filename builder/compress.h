/*
 * Precompression: brotli, zstd and gzip variants of many files at once, on a
 * pool of threads, with a content-addressed cache. The encoders are set for
 * static delivery: brotli quality 11 with a window browsers accept, zstd level
 * 19 with a window of at most 8 MiB (the most browsers decode), gzip from
 * libdeflate at level 12.
 */
#ifndef KB_COMPRESS_H
#define KB_COMPRESS_H

#include <stddef.h>

enum kb_enc { KB_ENC_BR, KB_ENC_ZSTD, KB_ENC_GZIP, KB_ENC_COUNT };

/* "br", "zstd", "gzip": the Content-Encoding tokens. */
const char *kb_enc_name(enum kb_enc e);
/* ".br", ".zst", ".gz": the sidecar file suffixes. */
const char *kb_enc_suffix(enum kb_enc e);
/* Parses "br", "zstd" or "gzip"; -1 if unknown. */
int kb_enc_parse(const char *name, size_t len);

struct kb_compress_item {
    /* Input, borrowed until kb_compress_run() returns. */
    const unsigned char *data;
    size_t len;
    unsigned char sha256[32]; /* of data: the content part of the cache key */
    unsigned mask;            /* (1u << enc) for each encoding wanted */
    const char *name;         /* for messages only */
    /* Output. out[e] is malloc'd and owned by the caller after the run; NULL
     * where the encoding was not asked for or failed. */
    unsigned char *out[KB_ENC_COUNT];
    size_t out_len[KB_ENC_COUNT];
    unsigned cached_mask; /* encodings that came from the cache */
};

struct kb_compress_opts {
    unsigned jobs;         /* worker threads, at least 1 */
    const char *cache_dir; /* NULL disables the cache */
    size_t mem_limit;      /* bound on encoder memory in flight; 0 picks one from RAM */
    /* Called on the calling thread, at most a few times a second and once at
     * the end; may be NULL. */
    void (*progress)(void *ud, size_t done, size_t total);
    void *ud;
};

struct kb_compress_stats {
    size_t encoded;     /* variants computed */
    size_t cache_hits;  /* variants read from the cache */
    double cpu_seconds; /* summed encoder time over all threads */
};

/*
 * Compresses every item for every encoding in its mask. Returns 0 when all
 * succeeded; otherwise the first error (KC_ECODEC, KC_ENOMEM) with the items'
 * outputs still owned by the caller. A cache that cannot be read or written
 * is not an error: the variant is computed and a warning logged once.
 * Cached variants are verified by decompressing them and comparing with the
 * input, so a damaged cache can never ship wrong bytes.
 */
int kb_compress_run(struct kb_compress_item *items, size_t n, const struct kb_compress_opts *o,
                    struct kb_compress_stats *stats);

/* One encoding of one buffer, on the calling thread. *out is malloc'd. */
int kb_compress_one(enum kb_enc e, const unsigned char *in, size_t len, unsigned char **out,
                    size_t *out_len);
/* Decodes a variant (for verification and tests). *out is malloc'd; max bounds
 * the decoded size. */
int kb_decompress_one(enum kb_enc e, const unsigned char *in, size_t len, size_t max,
                      unsigned char **out, size_t *out_len);

#endif
