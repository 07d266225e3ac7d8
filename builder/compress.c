/*
 * Precompression on a thread pool. Every (item, encoding) pair is one task;
 * tasks run largest estimated cost first so the long brotli jobs of big files
 * start early and the workers finish together. A task starts only while the
 * estimated encoder memory in flight stays under a limit (one task may always
 * run). Outputs land in the items; a content-addressed cache keyed by the
 * input's SHA-256 and the exact encoder settings lets rebuilds skip the work,
 * and every cached variant is decoded and compared before it is trusted.
 * Dictionary deltas (dcz) are tasks of the same pool: their cache key holds
 * both contents, and their verification decodes against the dictionary.
 */
#include "builder/compress.h"

#include "common/error.h"
#include "common/hash.h"
#include "common/log.h"
#include "common/vec.h"

#define ZSTD_STATIC_LINKING_ONLY    /* ZSTD_getCParams, ZSTD_estimateCCtxSize_usingCParams,        \
                                       ZSTD_CCtx_refPrefix_advanced, ZSTD_getFrameHeader */
#include <brotli/decode.h>
#include <brotli/encode.h>
#include <libdeflate.h>
#include <zstd.h>
#include <zstd_errors.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Encoder settings. Changing any of them changes the cache key through
 * enc_settings(); KB_CACHE_FORMAT covers changes to how entries are stored. */
#define BR_QUALITY      11
#define BR_LGWIN_MAX    24 /* the largest standard window; browsers accept it */
#define ZSTD_LEVEL      19
#define ZSTD_WLOG_MAX   23 /* 8 MiB: the most browsers decode */
#define GZIP_LEVEL      12
#define KB_CACHE_FORMAT 1

#define MIB ((size_t)1 << 20)

/* Relative CPU cost per input byte, measured with the CLIs (user seconds):
 * pdf.worker.mjs 2.2 MB: brotli q11 2.73, zstd -19 0.55, libdeflate -12 0.34;
 * tsWorker.js 5.7 MB: 7.27, 1.88, 0.81. Only the order matters; the constant
 * stands for per-task set-up. */
static const double enc_cost_per_byte[KB_ENC_COUNT] = { 8.5, 2.0, 1.0 };
#define TASK_FIXED_BYTES 4096.0

static size_t
sat_add(size_t a, size_t b)
{
    return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

static size_t
sat_mul(size_t a, size_t b)
{
    return b && a > SIZE_MAX / b ? SIZE_MAX : a * b;
}

/* An empty input may come as a NULL pointer; the codecs want a real one. */
static const unsigned char empty_input[1];

const char *
kb_enc_name(enum kb_enc e)
{
    switch (e) {
    case KB_ENC_BR: return "br";
    case KB_ENC_ZSTD: return "zstd";
    case KB_ENC_GZIP: return "gzip";
    default: return "?";
    }
}

const char *
kb_enc_suffix(enum kb_enc e)
{
    switch (e) {
    case KB_ENC_BR: return ".br";
    case KB_ENC_ZSTD: return ".zst";
    case KB_ENC_GZIP: return ".gz";
    default: return "";
    }
}

int
kb_enc_parse(const char *name, size_t len)
{
    for (int e = 0; e < KB_ENC_COUNT; e++) {
        const char *n = kb_enc_name((enum kb_enc)e);
        if (strlen(n) == len && memcmp(n, name, len) == 0)
            return e;
    }
    return -1;
}

const char *
kb_denc_name(enum kb_denc e)
{
    return e == KB_DENC_DCZ ? "dcz" : "?";
}

const char *
kb_denc_suffix(enum kb_denc e)
{
    return e == KB_DENC_DCZ ? ".dcz" : "";
}

/* ---- dcz framing (RFC 9842 §4.2) ---------------------------------------- */

#define DCZ_WLOG_MIN 23 /* 8 MiB */
#define DCZ_WLOG_MAX 27 /* 128 MiB */

void
kb_dcz_header(const unsigned char dict_sha256[32], unsigned char out[KB_DCZ_HEADER_LEN])
{
    static const unsigned char magic[8] = { 0x5E, 0x2A, 0x4D, 0x18, 0x20, 0x00, 0x00, 0x00 };
    memcpy(out, magic, sizeof magic);
    memcpy(out + 8, dict_sha256, 32);
}

size_t
kb_dcz_window_limit(size_t dict_len)
{
    size_t lo = (size_t)1 << DCZ_WLOG_MIN, hi = (size_t)1 << DCZ_WLOG_MAX;
    size_t w = dict_len > SIZE_MAX / 5 ? SIZE_MAX : dict_len + dict_len / 4;
    return w < lo ? lo : w > hi ? hi : w;
}

int
kb_dcz_window_log(size_t dict_len)
{
    size_t lim = kb_dcz_window_limit(dict_len);
    int w = DCZ_WLOG_MIN;
    while (w < DCZ_WLOG_MAX && ((size_t)1 << (w + 1)) <= lim)
        w++;
    return w;
}

/* ---- encoders ---------------------------------------------------------- */

/* Per-thread encoder state, reused across tasks; members are created on first
 * use. Brotli 1.0.9 has no way to reset an encoder, so it gets none. */
struct enc_state {
    ZSTD_CCtx *zc;
    struct libdeflate_compressor *dc;
};

static void
enc_state_free(struct enc_state *st)
{
    ZSTD_freeCCtx(st->zc);
    libdeflate_free_compressor(st->dc);
    st->zc = NULL;
    st->dc = NULL;
}

/* The smallest window that holds the whole input (brotli's usable window is
 * 2^lgwin - 16): no compression is lost, and the decoder needs less memory. */
static int
br_lgwin(size_t len)
{
    int w = BROTLI_MIN_WINDOW_BITS;
    while (w < BR_LGWIN_MAX && ((size_t)1 << w) - 16 < len)
        w++;
    return w;
}

/* Shrinks a finished output buffer to its length; keeps the old one if
 * realloc fails (the bytes are still valid). */
static unsigned char *
shrink(unsigned char *buf, size_t len)
{
    unsigned char *p = realloc(buf, len ? len : 1);
    return p ? p : buf;
}

static int
br_encode(const unsigned char *in, size_t len, unsigned char **out, size_t *out_len)
{
    BrotliEncoderState *s = BrotliEncoderCreateInstance(NULL, NULL, NULL);
    if (!s)
        return KC_ENOMEM;
    BrotliEncoderSetParameter(s, BROTLI_PARAM_QUALITY, BR_QUALITY);
    BrotliEncoderSetParameter(s, BROTLI_PARAM_LGWIN, (uint32_t)br_lgwin(len));
    /* GENERIC, as the CLI: at quality 11 the encoder picks its literal
     * context model from the data anyway. */
    BrotliEncoderSetParameter(s, BROTLI_PARAM_MODE, BROTLI_MODE_GENERIC);
    BrotliEncoderSetParameter(s, BROTLI_PARAM_SIZE_HINT,
                              len < ((size_t)1 << 30) ? (uint32_t)len : (1u << 30));

    size_t cap = BrotliEncoderMaxCompressedSize(len);
    if (cap == 0)
        cap = len / 2 + 1024; /* overflowing bound: start smaller, grow */
    unsigned char *buf = malloc(cap);
    int rc = KC_ENOMEM;
    if (!buf)
        goto fail;
    const uint8_t *next_in = in ? in : empty_input;
    size_t avail_in = len, pos = 0;
    for (;;) {
        size_t avail_out = cap - pos;
        uint8_t *next_out = buf + pos;
        if (!BrotliEncoderCompressStream(s, BROTLI_OPERATION_FINISH, &avail_in, &next_in,
                                         &avail_out, &next_out, NULL)) {
            rc = KC_ECODEC;
            goto fail;
        }
        pos = (size_t)(next_out - buf);
        if (BrotliEncoderIsFinished(s))
            break;
        if (avail_out == 0) {
            rc = kc_vec_reserve(buf, cap, cap + 1, SIZE_MAX);
            if (rc)
                goto fail;
        }
    }
    BrotliEncoderDestroyInstance(s);
    *out = shrink(buf, pos);
    *out_len = pos;
    return 0;
fail:
    free(buf);
    BrotliEncoderDestroyInstance(s);
    return rc;
}

/* Level 19's parameters for this size, with the window capped at 8 MiB. */
static ZSTD_compressionParameters
zstd_params(size_t len)
{
    ZSTD_compressionParameters cp = ZSTD_getCParams(ZSTD_LEVEL, len, 0);
    if (cp.windowLog > ZSTD_WLOG_MAX)
        cp.windowLog = ZSTD_WLOG_MAX;
    return cp;
}

static int
zstd_encode(struct enc_state *st, const unsigned char *in, size_t len, unsigned char **out,
            size_t *out_len)
{
    if (!st->zc && !(st->zc = ZSTD_createCCtx()))
        return KC_ENOMEM;
    ZSTD_CCtx *zc = st->zc;
    ZSTD_CCtx_reset(zc, ZSTD_reset_session_and_parameters);
    size_t r = ZSTD_CCtx_setParameter(zc, ZSTD_c_compressionLevel, ZSTD_LEVEL);
    /* Set the window only when it is a real cap, so the library keeps
     * choosing smaller windows for small inputs itself. len 0 means
     * "unknown" to ZSTD_getCParams, which is fine: the cap still holds and
     * the known content size shrinks the window later. */
    if (!ZSTD_isError(r) && ZSTD_getCParams(ZSTD_LEVEL, len, 0).windowLog > ZSTD_WLOG_MAX)
        r = ZSTD_CCtx_setParameter(zc, ZSTD_c_windowLog, ZSTD_WLOG_MAX);
    if (!ZSTD_isError(r))
        r = ZSTD_CCtx_setParameter(zc, ZSTD_c_checksumFlag, 0);
    if (!ZSTD_isError(r))
        r = ZSTD_CCtx_setParameter(zc, ZSTD_c_contentSizeFlag, 1);
    if (ZSTD_isError(r))
        return KC_ECODEC;

    size_t cap = ZSTD_compressBound(len);
    if (ZSTD_isError(cap))
        return KC_ETOOBIG;
    unsigned char *buf = malloc(cap);
    if (!buf)
        return KC_ENOMEM;
    size_t n = ZSTD_compress2(zc, buf, cap, in ? in : empty_input, len);
    if (ZSTD_isError(n)) {
        free(buf);
        return ZSTD_getErrorCode(n) == ZSTD_error_memory_allocation ? KC_ENOMEM : KC_ECODEC;
    }
    *out = shrink(buf, n);
    *out_len = n;
    return 0;
}

/* The dcz stream of in against dict: the 40-byte header, then one zstd frame
 * at the zstd variant's level with dict as a raw-content prefix and the
 * window RFC 9842 lets a client refuse nothing under. The frame header the
 * library wrote is checked against that rule: a delta Chromium would refuse
 * never leaves here. */
static int
dcz_encode(struct enc_state *st, const unsigned char *in, size_t len, const unsigned char *dict,
           size_t dict_len, const unsigned char dict_sha256[32], unsigned char **out,
           size_t *out_len)
{
    if (dict_len > KB_DCZ_DICT_MAX)
        return KC_ETOOBIG;
    if (!st->zc && !(st->zc = ZSTD_createCCtx()))
        return KC_ENOMEM;
    ZSTD_CCtx *zc = st->zc;
    ZSTD_CCtx_reset(zc, ZSTD_reset_session_and_parameters);
    size_t r = ZSTD_CCtx_setParameter(zc, ZSTD_c_compressionLevel, ZSTD_LEVEL);
    if (!ZSTD_isError(r))
        r = ZSTD_CCtx_setParameter(zc, ZSTD_c_windowLog, kb_dcz_window_log(dict_len));
    if (!ZSTD_isError(r))
        r = ZSTD_CCtx_setParameter(zc, ZSTD_c_checksumFlag, 0);
    if (!ZSTD_isError(r))
        r = ZSTD_CCtx_setParameter(zc, ZSTD_c_contentSizeFlag, 1);
    if (!ZSTD_isError(r) && dict_len)
        r = ZSTD_CCtx_refPrefix_advanced(zc, dict, dict_len, ZSTD_dct_rawContent);
    if (ZSTD_isError(r))
        return KC_ECODEC;
    size_t cap = ZSTD_compressBound(len);
    if (ZSTD_isError(cap) || cap > SIZE_MAX - KB_DCZ_HEADER_LEN)
        return KC_ETOOBIG;
    unsigned char *buf = malloc(cap + KB_DCZ_HEADER_LEN);
    if (!buf)
        return KC_ENOMEM;
    kb_dcz_header(dict_sha256, buf);
    size_t n = ZSTD_compress2(zc, buf + KB_DCZ_HEADER_LEN, cap, in ? in : empty_input, len);
    if (ZSTD_isError(n)) {
        free(buf);
        return ZSTD_getErrorCode(n) == ZSTD_error_memory_allocation ? KC_ENOMEM : KC_ECODEC;
    }
    ZSTD_frameHeader fh;
    if (ZSTD_getFrameHeader(&fh, buf + KB_DCZ_HEADER_LEN, n) != 0 ||
        fh.windowSize > kb_dcz_window_limit(dict_len)) {
        free(buf);
        return KC_ECODEC;
    }
    *out = shrink(buf, n + KB_DCZ_HEADER_LEN);
    *out_len = n + KB_DCZ_HEADER_LEN;
    return 0;
}

static int
gzip_encode(struct enc_state *st, const unsigned char *in, size_t len, unsigned char **out,
            size_t *out_len)
{
    if (!st->dc && !(st->dc = libdeflate_alloc_compressor(GZIP_LEVEL)))
        return KC_ENOMEM;
    size_t cap = libdeflate_gzip_compress_bound(st->dc, len);
    if (cap < len)
        return KC_ETOOBIG;
    unsigned char *buf = malloc(cap);
    if (!buf)
        return KC_ENOMEM;
    /* libdeflate writes a fixed header (mtime 0, no name), so equal input
     * gives equal bytes. */
    size_t n = libdeflate_gzip_compress(st->dc, in ? in : empty_input, len, buf, cap);
    if (n == 0) {
        free(buf);
        return KC_ECODEC;
    }
    *out = shrink(buf, n);
    *out_len = n;
    return 0;
}

static int
encode(struct enc_state *st, enum kb_enc e, const unsigned char *in, size_t len,
       unsigned char **out, size_t *out_len)
{
    switch (e) {
    case KB_ENC_BR: return br_encode(in, len, out, out_len);
    case KB_ENC_ZSTD: return zstd_encode(st, in, len, out, out_len);
    case KB_ENC_GZIP: return gzip_encode(st, in, len, out, out_len);
    default: return KC_EINVAL;
    }
}

int
kb_compress_one(enum kb_enc e, const unsigned char *in, size_t len, unsigned char **out,
                size_t *out_len)
{
    struct enc_state st = { 0 };
    int rc = encode(&st, e, in, len, out, out_len);
    enc_state_free(&st);
    return rc;
}

/* The dictionary encoders, keyed by kb_denc: dcb slots in beside dcz. */
static int
dict_encode(struct enc_state *st, enum kb_denc e, const unsigned char *in, size_t len,
            const unsigned char *dict, size_t dict_len, const unsigned char sha[32],
            unsigned char **out, size_t *out_len)
{
    switch (e) {
    case KB_DENC_DCZ: return dcz_encode(st, in, len, dict, dict_len, sha, out, out_len);
    default: return KC_EINVAL;
    }
}

int
kb_dict_compress_one(enum kb_denc e, const unsigned char *in, size_t len, const unsigned char *dict,
                     size_t dict_len, const unsigned char dict_sha256[32], unsigned char **out,
                     size_t *out_len)
{
    struct enc_state st = { 0 };
    int rc = dict_encode(&st, e, in, len, dict, dict_len, dict_sha256, out, out_len);
    enc_state_free(&st);
    return rc;
}

/* ---- decoders ---------------------------------------------------------- */

/* The decoders work into a buffer of at most `limit` = max + 1 bytes: a
 * decoder that has filled exactly max bytes may still ask for room before it
 * sees the end of the stream, and a stream that really produces more than
 * max is caught by out_len > max. */
struct dec_buf {
    unsigned char *p;
    size_t cap, limit;
};

static int
dec_buf_init(struct dec_buf *b, size_t max, size_t hint)
{
    b->limit = max == SIZE_MAX ? max : max + 1;
    b->cap = hint < b->limit ? hint : b->limit;
    if (b->cap < 64 && b->limit >= 64)
        b->cap = 64;
    b->p = malloc(b->cap ? b->cap : 1);
    return b->p ? 0 : KC_ENOMEM;
}

/* Doubles the buffer up to the limit; KC_ETOOBIG once it is there. */
static int
dec_buf_grow(struct dec_buf *b)
{
    return kc_vec_reserve(b->p, b->cap, b->cap + 1, b->limit);
}

static int
dec_buf_finish(struct dec_buf *b, size_t n, size_t max, unsigned char **out, size_t *out_len)
{
    if (n > max) {
        free(b->p);
        return KC_ETOOBIG;
    }
    *out = shrink(b->p, n);
    *out_len = n;
    return 0;
}

/* A first guess at the decoded size when the format does not say. */
static size_t
dec_guess(size_t len)
{
    return len > SIZE_MAX / 4 ? SIZE_MAX : len * 4 + 1024;
}

static int
br_decode(const unsigned char *in, size_t len, size_t max, unsigned char **out, size_t *out_len)
{
    BrotliDecoderState *s = BrotliDecoderCreateInstance(NULL, NULL, NULL);
    if (!s)
        return KC_ENOMEM;
    struct dec_buf b;
    int rc = dec_buf_init(&b, max, dec_guess(len));
    if (rc)
        goto fail_state;
    const uint8_t *next_in = in ? in : empty_input;
    size_t avail_in = len, pos = 0;
    for (;;) {
        size_t avail_out = b.cap - pos;
        uint8_t *next_out = b.p + pos;
        BrotliDecoderResult r =
            BrotliDecoderDecompressStream(s, &avail_in, &next_in, &avail_out, &next_out, NULL);
        pos = (size_t)(next_out - b.p);
        if (r == BROTLI_DECODER_RESULT_SUCCESS) {
            rc = avail_in == 0 ? 0 : KC_ECODEC; /* trailing bytes: not ours */
            break;
        }
        if (r == BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT) {
            if ((rc = dec_buf_grow(&b)) != 0)
                break;
            continue;
        }
        rc = KC_ECODEC; /* corrupt, or truncated (needs more input) */
        break;
    }
    BrotliDecoderDestroyInstance(s);
    if (rc) {
        free(b.p);
        return rc;
    }
    return dec_buf_finish(&b, pos, max, out, out_len);
fail_state:
    BrotliDecoderDestroyInstance(s);
    return rc;
}

/* One zstd frame, refusing windows over 2^wlog_max; dict (may be NULL) is a
 * raw-content prefix. */
static int
zstd_decode_ex(const unsigned char *in, size_t len, size_t max, int wlog_max,
               const unsigned char *dict, size_t dict_len, unsigned char **out, size_t *out_len)
{
    ZSTD_DCtx *dc = ZSTD_createDCtx();
    if (!dc)
        return KC_ENOMEM;
    /* Refuse windows browsers refuse, so a cached frame that a browser could
     * not decode never ships. */
    ZSTD_DCtx_setParameter(dc, ZSTD_d_windowLogMax, wlog_max);
    if (dict && dict_len &&
        ZSTD_isError(ZSTD_DCtx_refPrefix_advanced(dc, dict, dict_len, ZSTD_dct_rawContent))) {
        ZSTD_freeDCtx(dc);
        return KC_ECODEC;
    }
    /* The frame header's content size, if any, is only a hint: damaged
     * input may claim anything, so it is bounded, and the buffer grows. */
    unsigned long long fcs = ZSTD_getFrameContentSize(in ? in : empty_input, len);
    size_t hint = dec_guess(len);
    if (fcs < ZSTD_CONTENTSIZE_ERROR && fcs < sat_add(sat_mul(len, 1024), MIB))
        hint = (size_t)fcs + 1;
    struct dec_buf b;
    int rc = dec_buf_init(&b, max, hint);
    if (rc) {
        ZSTD_freeDCtx(dc);
        return rc;
    }
    ZSTD_inBuffer ib = { in ? in : empty_input, len, 0 };
    ZSTD_outBuffer ob = { b.p, b.cap, 0 };
    for (;;) {
        size_t r = ZSTD_decompressStream(dc, &ob, &ib);
        if (ZSTD_isError(r)) {
            rc = ZSTD_getErrorCode(r) == ZSTD_error_memory_allocation ? KC_ENOMEM : KC_ECODEC;
            break;
        }
        if (r == 0 && ib.pos == ib.size)
            break; /* a frame ended with the input */
        if (ob.pos == ob.size) {
            if ((rc = dec_buf_grow(&b)) != 0)
                break;
            ob.dst = b.p;
            ob.size = b.cap;
            continue;
        }
        if (ib.pos == ib.size) {
            rc = KC_ECODEC; /* truncated frame */
            break;
        }
    }
    ZSTD_freeDCtx(dc);
    if (rc) {
        free(b.p);
        return rc;
    }
    return dec_buf_finish(&b, ob.pos, max, out, out_len);
}

static int
zstd_decode(const unsigned char *in, size_t len, size_t max, unsigned char **out, size_t *out_len)
{
    return zstd_decode_ex(in, len, max, ZSTD_WLOG_MAX, NULL, 0, out, out_len);
}

/* A dcz stream: the header must name this dictionary, and the frame's window
 * must be one every client decodes (RFC 9842), not just one zstd accepts. */
static int
dcz_decode(const unsigned char *in, size_t len, const unsigned char *dict, size_t dict_len,
           const unsigned char sha[32], size_t max, unsigned char **out, size_t *out_len)
{
    unsigned char head[KB_DCZ_HEADER_LEN];
    kb_dcz_header(sha, head);
    if (len < KB_DCZ_HEADER_LEN || memcmp(in, head, KB_DCZ_HEADER_LEN) != 0)
        return KC_ECODEC;
    ZSTD_frameHeader fh;
    if (ZSTD_getFrameHeader(&fh, in + KB_DCZ_HEADER_LEN, len - KB_DCZ_HEADER_LEN) != 0 ||
        fh.frameType != ZSTD_frame || fh.windowSize > kb_dcz_window_limit(dict_len))
        return KC_ECODEC;
    return zstd_decode_ex(in + KB_DCZ_HEADER_LEN, len - KB_DCZ_HEADER_LEN, max, DCZ_WLOG_MAX, dict,
                          dict_len, out, out_len);
}

int
kb_dict_decompress_one(enum kb_denc e, const unsigned char *in, size_t len,
                       const unsigned char *dict, size_t dict_len,
                       const unsigned char dict_sha256[32], size_t max, unsigned char **out,
                       size_t *out_len)
{
    switch (e) {
    case KB_DENC_DCZ: return dcz_decode(in, len, dict, dict_len, dict_sha256, max, out, out_len);
    default: return KC_EINVAL;
    }
}

static int
gzip_decode(const unsigned char *in, size_t len, size_t max, unsigned char **out, size_t *out_len)
{
    struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
    if (!d)
        return KC_ENOMEM;
    size_t hint = dec_guess(len);
    if (len >= 18) {
        /* ISIZE, the size mod 2^32, ends the member; deflate expands at most
         * 1032:1, which bounds what damaged input can make us allocate. */
        const unsigned char *t = in + len - 4;
        size_t isize = (size_t)t[0] | (size_t)t[1] << 8 | (size_t)t[2] << 16 | (size_t)t[3] << 24;
        if (isize < sat_mul(len, 1032))
            hint = isize + 1;
    }
    struct dec_buf b;
    int rc = dec_buf_init(&b, max, hint);
    if (rc) {
        libdeflate_free_decompressor(d);
        return rc;
    }
    size_t used = 0, n = 0;
    for (;;) {
        enum libdeflate_result r =
            libdeflate_gzip_decompress_ex(d, in ? in : empty_input, len, b.p, b.cap, &used, &n);
        if (r == LIBDEFLATE_SUCCESS) {
            rc = used == len ? 0 : KC_ECODEC; /* one member, nothing after it */
            break;
        }
        if (r == LIBDEFLATE_INSUFFICIENT_SPACE) {
            if ((rc = dec_buf_grow(&b)) != 0)
                break;
            continue;
        }
        rc = KC_ECODEC;
        break;
    }
    libdeflate_free_decompressor(d);
    if (rc) {
        free(b.p);
        return rc;
    }
    return dec_buf_finish(&b, n, max, out, out_len);
}

int
kb_decompress_one(enum kb_enc e, const unsigned char *in, size_t len, size_t max,
                  unsigned char **out, size_t *out_len)
{
    switch (e) {
    case KB_ENC_BR: return br_decode(in, len, max, out, out_len);
    case KB_ENC_ZSTD: return zstd_decode(in, len, max, out, out_len);
    case KB_ENC_GZIP: return gzip_decode(in, len, max, out, out_len);
    default: return KC_EINVAL;
    }
}

/* ---- the run: tasks, cache, workers ------------------------------------ */

struct task {
    size_t item;
    int enc;    /* enum kb_enc, or enum kb_denc when delta */
    bool delta; /* a dictionary encoding of a delta item */
    bool started;
    double cost;
    size_t mem; /* estimated peak bytes while the task runs */
};

struct run {
    struct kb_compress_item *items;
    struct task *tasks;
    size_t ntasks;
    const char *cache_dir;

    pthread_mutex_t mu;
    pthread_cond_t mem_cv;  /* a task finished: memory may be free */
    pthread_cond_t done_cv; /* a worker exited */
    size_t next;            /* tasks before this one have all started */
    size_t done;
    size_t mem_in_flight, mem_limit;
    unsigned exited;
    int err;
    size_t encoded, hits;
    double cpu;

    atomic_int cache_warned;  /* one warning per run */
    atomic_int cache_nowrite; /* a write failed: stop trying */
};

/*
 * Peak memory of one task: the encoder's working set plus the output buffer
 * (about the input size) and, with a cache, a decoded copy for verification.
 * brotli q11 keeps a binary-tree hasher of 2 x 4 bytes per window position,
 * the ring buffer of the window and per-block Zopfli state: about 9 bytes per
 * window byte plus a few MiB (measured: 42 MB peak for 2.2 MB at lgwin 22).
 */
static size_t
task_mem(enum kb_enc e, size_t len)
{
    size_t enc;
    switch (e) {
    case KB_ENC_BR: enc = sat_add(9 * ((size_t)1 << br_lgwin(len)), sat_mul(len, 2)); break;
    case KB_ENC_ZSTD: enc = ZSTD_estimateCCtxSize_usingCParams(zstd_params(len ? len : 1)); break;
    default: enc = 2 * MIB; break; /* libdeflate level 12: a few hundred KiB of tables */
    }
    return sat_add(sat_add(enc, 4 * MIB), sat_mul(len, 2));
}

/* A delta: level 19's working set for the input with the dictionary loaded,
 * plus the dictionary itself, which the prefix keeps referenced. */
static size_t
delta_task_mem(size_t len, size_t dict_len)
{
    ZSTD_compressionParameters cp = ZSTD_getCParams(ZSTD_LEVEL, len ? len : 1, dict_len);
    int wl = kb_dcz_window_log(dict_len);
    if ((int)cp.windowLog > wl)
        cp.windowLog = (unsigned)wl;
    size_t enc = ZSTD_estimateCCtxSize_usingCParams(cp);
    return sat_add(sat_add(sat_add(enc, 4 * MIB), sat_mul(len, 2)), dict_len);
}

static size_t
default_mem_limit(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
    size_t lim = (size_t)1 << 30;
    if (pages > 0 && psize > 0)
        lim = sat_mul((size_t)pages, (size_t)psize) / 4;
    size_t cap = (size_t)4 << 30;
    return lim < cap ? lim : cap;
}

static int
task_cmp(const void *a, const void *b)
{
    const struct task *x = a, *y = b;
    if (x->cost != y->cost)
        return x->cost > y->cost ? -1 : 1;
    if (x->item != y->item)
        return x->item < y->item ? -1 : 1;
    if (x->delta != y->delta)
        return x->delta ? 1 : -1;
    return x->enc - y->enc;
}

/* The settings part of the cache key: everything besides the input that
 * decides the output bytes. */
static int
enc_settings(enum kb_enc e, char *buf, size_t size)
{
    switch (e) {
    case KB_ENC_BR:
        return snprintf(buf, size, "brotli %u q%d lgwin=fit<=%d mode=generic sizehint",
                        (unsigned)BrotliEncoderVersion(), BR_QUALITY, BR_LGWIN_MAX);
    case KB_ENC_ZSTD:
        return snprintf(buf, size, "zstd %u level%d wlog<=%d nocheck csize", ZSTD_versionNumber(),
                        ZSTD_LEVEL, ZSTD_WLOG_MAX);
    case KB_ENC_GZIP:
        return snprintf(buf, size, "libdeflate %s level%d gzip", LIBDEFLATE_VERSION_STRING,
                        GZIP_LEVEL);
    default: return -1;
    }
}

/* The settings part of a delta's cache key. The window follows from the
 * dictionary's size, which its hash fixes. */
static int
denc_settings(enum kb_denc e, char *buf, size_t size)
{
    switch (e) {
    case KB_DENC_DCZ:
        return snprintf(buf, size, "dcz zstd %u level%d wlog=rfc9842 nocheck csize rawprefix",
                        ZSTD_versionNumber(), ZSTD_LEVEL);
    default: return -1;
    }
}

/* "<dir>/<enc>/<2 hex>/<64 hex>" into path; -1 if it does not fit. The key
 * digests the input's SHA-256, for a delta the dictionary's SHA-256 too, and
 * the settings. */
static int
cache_path(const char *dir, const struct task *t, const struct kb_compress_item *it, char *path,
           size_t size)
{
    unsigned char msg[64 + 160], key[KC_SHA256_LEN];
    size_t h = t->delta ? 64 : 32;
    memcpy(msg, it->sha256, 32);
    if (t->delta)
        memcpy(msg + 32, it->dict_sha256, 32);
    int n = snprintf((char *)msg + h, sizeof msg - h, "kiln-compress/%d ", KB_CACHE_FORMAT);
    if (n < 0 || (size_t)n >= sizeof msg - h)
        return -1;
    int m =
        t->delta
            ? denc_settings((enum kb_denc)t->enc, (char *)msg + h + n, sizeof msg - h - (size_t)n)
            : enc_settings((enum kb_enc)t->enc, (char *)msg + h + n, sizeof msg - h - (size_t)n);
    if (m < 0 || (size_t)m >= sizeof msg - h - (size_t)n)
        return -1;
    kc_sha256(msg, h + (size_t)n + (size_t)m, key);
    char hex[2 * KC_SHA256_LEN + 1];
    kc_hex(key, sizeof key, hex);
    const char *name =
        t->delta ? kb_denc_name((enum kb_denc)t->enc) : kb_enc_name((enum kb_enc)t->enc);
    n = snprintf(path, size, "%s/%s/%.2s/%s", dir, name, hex, hex);
    return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* Decodes what task t produced (or a cache entry for it). */
static int
task_decode(const struct task *t, const struct kb_compress_item *it, const unsigned char *in,
            size_t len, unsigned char **out, size_t *out_len)
{
    if (t->delta)
        return kb_dict_decompress_one((enum kb_denc)t->enc, in, len, it->dict, it->dict_len,
                                      it->dict_sha256, it->len, out, out_len);
    return kb_decompress_one((enum kb_enc)t->enc, in, len, it->len, out, out_len);
}

static void
cache_trouble(struct run *r, const char *what, const char *path, int err)
{
    if (atomic_exchange(&r->cache_warned, 1))
        return;
    char eb[128];
    const char *msg = err ? strerror_r(err, eb, sizeof eb) : "path too long";
    kc_warn("compression cache: cannot %s %s: %s; continuing without it", what, path, msg);
}

/* The largest size a stored variant of len input bytes can have; anything
 * bigger is damage. Loose on purpose: every encoder stays far below it. */
static size_t
cache_max_entry(size_t len)
{
    return sat_add(sat_add(len, len / 8), 1024);
}

/*
 * Looks the variant up. Returns true with *out (malloc'd, verified) on a hit.
 * A missing entry is a quiet miss; a damaged one is a miss that the caller
 * overwrites; an I/O error is a miss plus a warning.
 */
static bool
cache_get(struct run *r, const char *path, const struct task *t, const struct kb_compress_item *it,
          unsigned char **out, size_t *out_len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno != ENOENT && errno != ENOTDIR)
            cache_trouble(r, "read", path, errno);
        return false;
    }
    unsigned char *buf = NULL, *dec = NULL;
    size_t got = 0, dec_len = 0;
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        cache_trouble(r, "read", path, errno);
        goto miss;
    }
    if (!S_ISREG(sb.st_mode) || (unsigned long long)sb.st_size > cache_max_entry(it->len))
        goto damaged;
    size_t size = (size_t)sb.st_size;
    if (!(buf = malloc(size ? size : 1)))
        goto miss;
    while (got < size) {
        ssize_t k = read(fd, buf + got, size - got);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            cache_trouble(r, "read", path, errno);
            goto miss;
        }
        if (k == 0)
            goto damaged; /* shrank under us */
        got += (size_t)k;
    }
    if (task_decode(t, it, buf, size, &dec, &dec_len) != 0 || dec_len != it->len ||
        (dec_len && memcmp(dec, it->data, dec_len) != 0))
        goto damaged;
    free(dec);
    close(fd);
    *out = buf;
    *out_len = size;
    return true;
damaged:
    kc_info("compression cache: %s does not decode to %s; recomputing", path,
            it->name ? it->name : "its input");
miss:
    free(dec);
    free(buf);
    close(fd);
    return false;
}

/* mkdir -p of the directory part of path. */
static int
mkdir_parents(const char *path)
{
    char tmp[PATH_MAX];
    size_t n = strlen(path);
    if (n >= sizeof tmp)
        return -1;
    memcpy(tmp, path, n + 1);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return 0;
}

/* Stores a variant atomically: a private temporary file, then rename, so a
 * reader sees the old entry or the new one, never half of one. No fsync: a
 * torn entry after a crash fails verification and is recomputed. */
static void
cache_put(struct run *r, const char *path, const unsigned char *data, size_t len)
{
    if (atomic_load(&r->cache_nowrite))
        return;
    char tmp[PATH_MAX + 48];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld.%ld", path, (long)getpid(), (long)gettid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 && errno == ENOENT && mkdir_parents(tmp) == 0)
        fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        goto fail;
    size_t off = 0;
    while (off < len) {
        ssize_t k = write(fd, data + off, len - off);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            close(fd);
            goto fail_unlink;
        }
        off += (size_t)k;
    }
    if (close(fd) != 0 || rename(tmp, path) != 0)
        goto fail_unlink;
    return;
fail_unlink:;
    int saved = errno;
    unlink(tmp);
    errno = saved;
fail:
    atomic_store(&r->cache_nowrite, 1);
    cache_trouble(r, "write", path, errno);
}

/* One task on a worker thread: the cache, else the encoder. */
static int
run_task(struct run *r, struct enc_state *st, const struct task *t, bool *hit)
{
    struct kb_compress_item *it = &r->items[t->item];
    char path[PATH_MAX];
    bool use_cache = r->cache_dir != NULL;
    unsigned char *out = NULL;
    size_t out_len = 0;
    if (use_cache && cache_path(r->cache_dir, t, it, path, sizeof path) != 0) {
        cache_trouble(r, "use", r->cache_dir, 0);
        use_cache = false;
    }
    if (use_cache && cache_get(r, path, t, it, &out, &out_len)) {
        *hit = true;
    } else {
        int rc = t->delta ? dict_encode(st, (enum kb_denc)t->enc, it->data, it->len, it->dict,
                                        it->dict_len, it->dict_sha256, &out, &out_len)
                          : encode(st, (enum kb_enc)t->enc, it->data, it->len, &out, &out_len);
        if (rc) {
            kc_error("%s: %s compression failed: %s", it->name ? it->name : "(input)",
                     t->delta ? kb_denc_name((enum kb_denc)t->enc)
                              : kb_enc_name((enum kb_enc)t->enc),
                     kc_strerror(rc));
            return rc;
        }
        if (use_cache)
            cache_put(r, path, out, out_len);
    }
    if (t->delta) {
        it->dout[t->enc] = out;
        it->dout_len[t->enc] = out_len;
    } else {
        it->out[t->enc] = out;
        it->out_len[t->enc] = out_len;
    }
    return 0;
}

/* Under r->mu: the first task in cost order that fits the memory budget
 * (one task may always run), waiting while none does; NULL when there is
 * nothing left or the run failed. */
static struct task *
pick_task(struct run *r)
{
    for (;;) {
        if (r->err)
            return NULL;
        while (r->next < r->ntasks && r->tasks[r->next].started)
            r->next++;
        if (r->next == r->ntasks)
            return NULL;
        for (size_t i = r->next; i < r->ntasks; i++) {
            struct task *t = &r->tasks[i];
            if (t->started)
                continue;
            if (r->mem_in_flight == 0 ||
                (r->mem_in_flight <= r->mem_limit && t->mem <= r->mem_limit - r->mem_in_flight)) {
                t->started = true;
                r->mem_in_flight = sat_add(r->mem_in_flight, t->mem);
                return t;
            }
        }
        pthread_cond_wait(&r->mem_cv, &r->mu);
    }
}

static double
cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *
worker(void *arg)
{
    struct run *r = arg;
    struct enc_state st = { 0 };
    pthread_mutex_lock(&r->mu);
    struct task *t;
    while ((t = pick_task(r)) != NULL) {
        pthread_mutex_unlock(&r->mu);
        bool hit = false;
        double c0 = cpu_now();
        int rc = run_task(r, &st, t, &hit);
        double c1 = cpu_now();
        pthread_mutex_lock(&r->mu);
        r->mem_in_flight -= t->mem < r->mem_in_flight ? t->mem : r->mem_in_flight;
        r->done++;
        r->cpu += c1 - c0;
        if (rc && !r->err)
            r->err = rc;
        if (!rc && hit) {
            r->hits++;
            if (t->delta)
                r->items[t->item].dcached_mask |= 1u << t->enc;
            else
                r->items[t->item].cached_mask |= 1u << t->enc;
        } else if (!rc) {
            r->encoded++;
        }
        pthread_cond_broadcast(&r->mem_cv);
    }
    r->exited++;
    pthread_cond_broadcast(&r->mem_cv);
    pthread_cond_signal(&r->done_cv);
    pthread_mutex_unlock(&r->mu);
    enc_state_free(&st);
    return NULL;
}

/* Waits for the workers on the calling thread, reporting progress about
 * five times a second. */
static void
wait_workers(struct run *r, unsigned nthreads, const struct kb_compress_opts *o)
{
    pthread_mutex_lock(&r->mu);
    while (r->exited < nthreads) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_nsec += 200 * 1000 * 1000;
        if (ts.tv_nsec >= 1000 * 1000 * 1000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000 * 1000 * 1000;
        }
        pthread_cond_timedwait(&r->done_cv, &r->mu, &ts);
        if (o->progress && r->exited < nthreads) {
            size_t done = r->done;
            pthread_mutex_unlock(&r->mu);
            o->progress(o->ud, done, r->ntasks);
            pthread_mutex_lock(&r->mu);
        }
    }
    pthread_mutex_unlock(&r->mu);
}

int
kb_compress_run(struct kb_compress_item *items, size_t n, const struct kb_compress_opts *o,
                struct kb_compress_stats *stats)
{
    struct run r = { .items = items, .cache_dir = o->cache_dir };
    size_t ntasks = 0;
    for (size_t i = 0; i < n; i++) {
        memset(items[i].out, 0, sizeof items[i].out);
        memset(items[i].out_len, 0, sizeof items[i].out_len);
        memset(items[i].dout, 0, sizeof items[i].dout);
        memset(items[i].dout_len, 0, sizeof items[i].dout_len);
        items[i].cached_mask = 0;
        items[i].dcached_mask = 0;
        for (int e = 0; e < KB_ENC_COUNT; e++)
            ntasks += (items[i].mask >> e) & 1u;
        for (int e = 0; e < KB_DENC_COUNT; e++)
            ntasks += (items[i].dmask >> e) & 1u;
    }
    if (stats)
        memset(stats, 0, sizeof *stats);
    if (ntasks == 0) {
        if (o->progress)
            o->progress(o->ud, 0, 0);
        return 0;
    }
    r.tasks = calloc(ntasks, sizeof *r.tasks);
    if (!r.tasks)
        return KC_ENOMEM;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        for (int e = 0; e < KB_ENC_COUNT; e++) {
            if (!((items[i].mask >> e) & 1u))
                continue;
            struct task *t = &r.tasks[k++];
            t->item = i;
            t->enc = e;
            t->cost = enc_cost_per_byte[e] * ((double)items[i].len + TASK_FIXED_BYTES);
            t->mem = task_mem((enum kb_enc)e, items[i].len);
        }
        for (int e = 0; e < KB_DENC_COUNT; e++) {
            if (!((items[i].dmask >> e) & 1u))
                continue;
            struct task *t = &r.tasks[k++];
            t->item = i;
            t->enc = e;
            t->delta = true;
            /* zstd's cost for the input, plus loading the dictionary. */
            t->cost = enc_cost_per_byte[KB_ENC_ZSTD] *
                      ((double)items[i].len + (double)items[i].dict_len / 4 + TASK_FIXED_BYTES);
            t->mem = delta_task_mem(items[i].len, items[i].dict_len);
        }
    }
    qsort(r.tasks, ntasks, sizeof *r.tasks, task_cmp);
    r.ntasks = ntasks;
    r.mem_limit = o->mem_limit ? o->mem_limit : default_mem_limit();

    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_mutex_init(&r.mu, NULL);
    pthread_cond_init(&r.mem_cv, NULL);
    pthread_cond_init(&r.done_cv, &ca);
    pthread_condattr_destroy(&ca);

    unsigned want = o->jobs ? o->jobs : 1;
    if (want > ntasks)
        want = (unsigned)ntasks;
    pthread_t *th = calloc(want, sizeof *th);
    unsigned started = 0;
    while (th && started < want && pthread_create(&th[started], NULL, worker, &r) == 0)
        started++;
    if (started == 0) {
        worker(&r); /* no threads to be had: do the work here */
    } else {
        wait_workers(&r, started, o);
        for (unsigned i = 0; i < started; i++)
            pthread_join(th[i], NULL);
    }
    free(th);
    if (o->progress)
        o->progress(o->ud, r.done, r.ntasks);

    if (stats) {
        stats->encoded = r.encoded;
        stats->cache_hits = r.hits;
        stats->cpu_seconds = r.cpu;
    }
    pthread_cond_destroy(&r.done_cv);
    pthread_cond_destroy(&r.mem_cv);
    pthread_mutex_destroy(&r.mu);
    free(r.tasks);
    return r.err;
}
