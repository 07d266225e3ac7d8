/*
 * Precompression: brotli, zstd and gzip variants of many files at once, on a
 * pool of threads, with a content-addressed cache. The encoders are set for
 * static delivery: brotli quality 11 with a window browsers accept, zstd level
 * 19 with a window of at most 8 MiB (the most browsers decode), gzip from
 * libdeflate at level 12. The same pool makes dictionary deltas (RFC 9842's
 * dcz: a zstd frame against a previous version of the file), cached by both
 * contents; see docs/dictionaries.md.
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

/* Dictionary content encodings (RFC 9842), one table slot each. Only dcz can
 * be made here: Debian 12's brotli 1.0.9 has no shared-dictionary API, so
 * dcb (brotli against a dictionary) would slot in as KB_DENC_DCB with its
 * encoder and decoder in compress.c's table. */
enum kb_denc { KB_DENC_DCZ, KB_DENC_COUNT };

/* "dcz": the Content-Encoding token. */
const char *kb_denc_name(enum kb_denc e);
/* ".dcz": the suffix after the dictionary part of a delta's file name. */
const char *kb_denc_suffix(enum kb_denc e);

/* The dcz stream's header: the skippable-frame magic 0x5E 0x2A 0x4D 0x18, the
 * little-endian length 32, then the dictionary's SHA-256 (RFC 9842 §4.2). */
#define KB_DCZ_HEADER_LEN 40
void kb_dcz_header(const unsigned char dict_sha256[32], unsigned char out[KB_DCZ_HEADER_LEN]);
/* The largest window a client must decode for a dictionary of dict_len
 * bytes: the larger of 8 MiB and 1.25 x dict_len, at most 128 MiB. */
size_t kb_dcz_window_limit(size_t dict_len);
/* The encoder's windowLog for it: the largest power of two within the
 * limit (zstd shrinks it further for small inputs). */
int kb_dcz_window_log(size_t dict_len);
/* Dictionaries larger than this get no delta: 1.25 x it is the 128 MiB cap. */
#define KB_DCZ_DICT_MAX ((size_t)100 << 20)

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

    /* A delta item: dict is the previous version (borrowed like data), and
     * dmask asks for dictionary encodings (1u << kb_denc); mask is then
     * usually 0. dict_sha256 is of the dict bytes and is both part of the
     * cache key and the hash in the dcz header. dout[e] like out[e]. */
    const unsigned char *dict;
    size_t dict_len;
    unsigned char dict_sha256[32];
    unsigned dmask;
    unsigned char *dout[KB_DENC_COUNT];
    size_t dout_len[KB_DENC_COUNT];
    unsigned dcached_mask;
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
/* One dictionary encoding of in against dict (whose SHA-256 is dict_sha256),
 * on the calling thread: the whole stream, header included. *out is
 * malloc'd. */
int kb_dict_compress_one(enum kb_denc e, const unsigned char *in, size_t len,
                         const unsigned char *dict, size_t dict_len,
                         const unsigned char dict_sha256[32], unsigned char **out, size_t *out_len);
/* Decodes a delta made against dict: checks the header's hash against
 * dict_sha256 and the frame's window against kb_dcz_window_limit(). */
int kb_dict_decompress_one(enum kb_denc e, const unsigned char *in, size_t len,
                           const unsigned char *dict, size_t dict_len,
                           const unsigned char dict_sha256[32], size_t max, unsigned char **out,
                           size_t *out_len);
/* Decodes a variant (for verification and tests). *out is malloc'd; max bounds
 * the decoded size. */
int kb_decompress_one(enum kb_enc e, const unsigned char *in, size_t len, size_t max,
                      unsigned char **out, size_t *out_len);

#endif
