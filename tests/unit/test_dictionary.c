/*
 * Compression dictionaries (RFC 9842) on the edge: the Available-Dictionary
 * and Dictionary-ID parsers, then a hand-written release with a dcz delta
 * loaded into an index and asked through respond.c: which variant is sent,
 * Vary, ETag, 304, ranges, HEAD, Use-As-Dictionary, and the manifest errors.
 */
#include "edge/dictionary.h"
#include "edge/index.h"
#include "edge/respond.h"
#include "tests/kt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* SHA-256 stand-ins: bytes 0..31, and 32 bytes of 0xff. */
#define HASH_A_B64  "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
#define HASH_A_HEX  "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define HASH_FF_B64 "//////////////////////////////////////////8="
#define AE_DICT     "Accept-Encoding: gzip, br, zstd, dcb, dcz\r\n"
#define AVAIL_A     "Available-Dictionary: :" HASH_A_B64 ":\r\n"
#define DCZ_ETAG    "\"dcz000000000000000000001\""
#define BR_ETAG     "\"br0000000000000000000001\""
#define ID_ETAG     "\"id0000000000000000000001\""
/* The same as JSON strings in the manifest. */
#define DCZ_ETAG_J "\"\\\"dcz000000000000000000001\\\"\""
#define BR_ETAG_J  "\"\\\"br0000000000000000000001\\\"\""
#define ID_ETAG_J  "\"\\\"id0000000000000000000001\\\"\""

static unsigned char H[KE_DICT_HASH_LEN];

static bool
avail(const char *v)
{
    return ke_dict_available_parse(v, strlen(v), H);
}

static void
t_available_valid(void)
{
    KT_CHECK(avail(":" HASH_A_B64 ":"));
    for (int i = 0; i < KE_DICT_HASH_LEN; i++)
        KT_EQ_INT(H[i], i);
    KT_CHECK(avail("  :" HASH_FF_B64 ":  "));
    KT_EQ_INT(H[0], 0xff);
    KT_EQ_INT(H[31], 0xff);
}

static void
t_available_malformed(void)
{
    KT_CHECK(!avail(""));
    KT_CHECK(!avail("::"));
    KT_CHECK(!avail(HASH_A_B64));                                       /* no colons */
    KT_CHECK(!avail("\"" HASH_A_B64 "\""));                             /* a string */
    KT_CHECK(!avail("abc"));                                            /* a token */
    KT_CHECK(!avail(":" HASH_A_B64 ":, :" HASH_A_B64 ":"));             /* a list */
    KT_CHECK(!avail(":" HASH_A_B64 ":;a=1"));                           /* parameters */
    KT_CHECK(!avail(":AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8:"));  /* unpadded */
    KT_CHECK(!avail(":AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh9=:")); /* pad bits */
    KT_CHECK(!avail(":AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh==:")); /* 31 bytes */
    KT_CHECK(!avail(":AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8A:")); /* 33 bytes */
    KT_CHECK(!avail(":AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=AAAA:"));
    KT_CHECK(!avail(":AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdH=8=:")); /* '=' inside */
    KT_CHECK(!avail(":AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh-=:")); /* base64url */
    KT_CHECK(!avail(":AAECAwQFBgcICQoLDA0ODx AREhMUFRYXGBkaGxwdHh8=:"));
    KT_CHECK(!avail("\t:" HASH_A_B64 ":")); /* HTAB is not sf whitespace */
    KT_CHECK(!avail(":" HASH_A_B64 ": x")); /* junk after the item */
    KT_CHECK(!avail(":" HASH_A_B64));       /* unterminated */
    KT_CHECK(!ke_dict_available_parse(NULL, 0, H));
    char big[4096];
    memset(big, 'A', sizeof big);
    big[0] = ':';
    big[sizeof big - 1] = ':';
    KT_CHECK(!ke_dict_available_parse(big, sizeof big, H)); /* oversized */
}

static int
id(const char *v, char *out)
{
    return ke_dict_id_parse(v, strlen(v), out, KE_DICT_ID_MAX + 1);
}

static void
t_dictionary_id(void)
{
    char out[KE_DICT_ID_MAX + 1];
    KT_EQ_INT(id("\"js/main.js\"", out), 10);
    KT_EQ_STR(out, "js/main.js");
    KT_EQ_INT(id(" \"a\\\"b\\\\c\" ", out), 5);
    KT_EQ_STR(out, "a\"b\\c");
    KT_EQ_INT(id("\"\"", out), 0);
    KT_EQ_INT(id("js/main.js", out), -1);      /* a token, not a string */
    KT_EQ_INT(id("\"a\\n\"", out), -1);        /* only \" and \\ escape */
    KT_EQ_INT(id("\"a\", \"b\"", out), -1);    /* a list */
    KT_EQ_INT(id("\"a\";p=1", out), -1);       /* parameters */
    KT_EQ_INT(id("\"a", out), -1);             /* unterminated */
    KT_EQ_INT(id("\"caf\xc3\xa9\"", out), -1); /* not ASCII */
    KT_EQ_INT(id("\"a\tb\"", out), -1);        /* a control byte */
    static char v[KE_DICT_ID_MAX + 8];
    v[0] = '"';
    memset(v + 1, 'x', KE_DICT_ID_MAX);
    v[KE_DICT_ID_MAX + 1] = '"';
    v[KE_DICT_ID_MAX + 2] = '\0';
    KT_EQ_INT(id(v, out), KE_DICT_ID_MAX);
    v[KE_DICT_ID_MAX + 1] = 'x';
    v[KE_DICT_ID_MAX + 2] = '"';
    v[KE_DICT_ID_MAX + 3] = '\0';
    KT_EQ_INT(id(v, out), -1);                            /* 1025 characters */
    KT_EQ_INT(ke_dict_id_parse("\"a\"", 3, out, 16), -1); /* the caller's buffer too small */
}

/* ---- a release with a delta ---------------------------------------------------- */

static char dir[64];
static struct ke_index *ix;
static struct ke_config cfg;
static struct ke_response resp;
static unsigned char dcz[40 + 9];

static void
put(const char *rel, const void *data, size_t n)
{
    char p[256];
    snprintf(p, sizeof p, "%s/%s", dir, rel);
    FILE *f = fopen(p, "wb");
    fwrite(data, 1, n, f);
    fclose(f);
}

/* Writes a manifest whose main.js entry has extra (JSON members, with a
 * leading comma) and loads it; returns ke_index_load's result. */
static int
load(const char *extra, char *err, size_t errsz)
{
    char m[4096];
    int n = snprintf(m, sizeof m,
                     "{\"version\": 1, \"release\": \"r1\", \"files\": {"
                     "\"/main.js\": {\"file\": \"main.js\", \"type\": \"text/javascript\", "
                     "\"class\": \"immutable\", \"etag\": " ID_ETAG_J ", \"size\": 40, "
                     "\"encodings\": {\"br\": {\"file\": \"main.js.br\", \"size\": 20, "
                     "\"etag\": " BR_ETAG_J "}}%s},"
                     "\"/plain.js\": {\"file\": \"main.js\", \"type\": \"text/javascript\", "
                     "\"class\": \"immutable\", \"etag\": \"\\\"p\\\"\", \"size\": 40}}}",
                     extra);
    put("kiln-manifest.json", m, (size_t)n);
    if (ix)
        ke_index_release(ix);
    ix = NULL;
    return ke_index_load(dir, &cfg, &ix, err, errsz);
}

#define DICT_JSON                                                                                  \
    ", \"dictionary\": {\"id\": \"main.js\", \"use_as_dictionary\": "                              \
    "\"match=\\\"/main.*.js\\\", match-dest=(\\\"script\\\"), id=\\\"main.js\\\"\"}"
#define DELTAS_JSON(key, size)                                                                     \
    ", \"deltas\": {\"" key "\": {\"dcz\": {\"file\": \"main.js.dcz\", \"size\": " #size           \
    ", \"etag\": " DCZ_ETAG_J "}}}"

static void
setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/kiln-dict-XXXXXX");
    if (!mkdtemp(dir))
        abort();
    put("main.js", "console.log('this is release B, 40 b');\n", 40);
    put("main.js.br", "BRBRBRBRBRBRBRBRBRBR", 20);
    static const unsigned char magic[8] = { 0x5e, 0x2a, 0x4d, 0x18, 0x20, 0, 0, 0 };
    memcpy(dcz, magic, 8);
    for (int i = 0; i < KE_DICT_HASH_LEN; i++)
        dcz[8 + i] = (unsigned char)i;
    memcpy(dcz + 40, "ZSTDFRAME", 9);
    put("main.js.dcz", dcz, sizeof dcz);
    ke_config_defaults(&cfg);
    char err[256];
    if (load(DICT_JSON DELTAS_JSON(HASH_A_HEX, 49), err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        abort();
    }
}

static void
teardown(void)
{
    ke_index_release(ix);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        abort();
}

static int
ask(const char *raw)
{
    static struct ke_header hdrs[64];
    struct ke_request req;
    memset(&req, 0, sizeof req);
    req.headers = hdrs;
    ke_request_parse(raw, strlen(raw), 0, NULL, &req);
    struct ke_respond_ctx ctx = { .cfg = &cfg, .ix = ix, .date = "Thu, 26 Nov 2026 12:00:00 GMT" };
    ke_respond(&ctx, &req, &resp);
    return resp.status;
}

static bool
has(const char *line)
{
    char h[KE_HEAD_MAX + 1];
    memcpy(h, resp.head, resp.head_len);
    h[resp.head_len] = '\0';
    return strstr(h, line) != NULL;
}

#define GET_MAIN  "GET /main.js HTTP/1.1\r\nHost: x\r\n"
#define VARY_BOTH "Vary: Accept-Encoding, Available-Dictionary\r\n"
#define UAD       "Use-As-Dictionary: match=\"/main.*.js\", match-dest=(\"script\"), id=\"main.js\"\r\n"

static void
t_dcz_sent(void)
{
    KT_EQ_INT(ask(GET_MAIN AE_DICT AVAIL_A "\r\n"), 200);
    KT_EQ_INT(resp.enc, KE_ENC_DCZ);
    KT_CHECK(has("Content-Encoding: dcz\r\n"));
    KT_CHECK(has("ETag: " DCZ_ETAG "\r\n"));
    KT_CHECK(has("Content-Length: 49\r\n"));
    KT_CHECK(has(VARY_BOTH));
    KT_CHECK(has(UAD));
    KT_EQ_INT(resp.n_body, 1);
    KT_EQ_INT(resp.body[0].n, sizeof dcz);
    KT_CHECK(memcmp(resp.body[0].p, dcz, sizeof dcz) == 0);
}

static void
t_dcz_fallbacks(void)
{
    /* An unknown hash, no dcz in Accept-Encoding, dcz;q=0, "*", a malformed
     * or repeated Available-Dictionary: the usual br, with the same Vary. */
    static const char *const asks[] = {
        GET_MAIN AE_DICT "Available-Dictionary: :" HASH_FF_B64 ":\r\n\r\n",
        GET_MAIN "Accept-Encoding: gzip, br\r\n" AVAIL_A "\r\n",
        GET_MAIN "Accept-Encoding: br, dcz;q=0\r\n" AVAIL_A "\r\n",
        GET_MAIN "Accept-Encoding: *\r\n" AVAIL_A "\r\n",
        GET_MAIN AE_DICT "Available-Dictionary: " HASH_A_B64 "\r\n\r\n",
        GET_MAIN AE_DICT "Available-Dictionary: \"" HASH_A_B64 "\"\r\n\r\n",
        GET_MAIN AE_DICT "Available-Dictionary: :AAEC:\r\n\r\n",
        GET_MAIN AE_DICT "Available-Dictionary: :" HASH_A_B64 ":, :" HASH_A_B64 ":\r\n\r\n",
        GET_MAIN AE_DICT AVAIL_A AVAIL_A "\r\n",
        GET_MAIN AE_DICT "Dictionary-ID: \"main.js\"\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof asks / sizeof asks[0]; i++) {
        KT_EQ_INT(ask(asks[i]), 200);
        KT_EQ_INT(resp.enc, KE_ENC_BR);
        KT_CHECK(has("ETag: " BR_ETAG "\r\n"));
        KT_CHECK(has(VARY_BOTH));
    }
    /* An unknown or odd Dictionary-ID does not stop a delta: the hash decides. */
    KT_EQ_INT(ask(GET_MAIN AE_DICT AVAIL_A "Dictionary-ID: \"other.js\"\r\n\r\n"), 200);
    KT_EQ_INT(resp.enc, KE_ENC_DCZ);
    KT_EQ_INT(ask(GET_MAIN AE_DICT AVAIL_A "Dictionary-ID: bad\r\n\r\n"), 200);
    KT_EQ_INT(resp.enc, KE_ENC_DCZ);
    /* Identity too varies on both. */
    KT_EQ_INT(ask(GET_MAIN "\r\n"), 200);
    KT_EQ_INT(resp.enc, KE_ENC_IDENTITY);
    KT_CHECK(has(VARY_BOTH));
    KT_CHECK(has(UAD));
}

static void
t_dcz_conditionals(void)
{
    KT_EQ_INT(ask(GET_MAIN AE_DICT AVAIL_A "If-None-Match: " DCZ_ETAG "\r\n\r\n"), 304);
    KT_CHECK(has("ETag: " DCZ_ETAG "\r\n"));
    KT_CHECK(has(VARY_BOTH));
    KT_CHECK(has(UAD));
    KT_EQ_INT(resp.n_body, 0);
    /* The dcz tag does not validate the br representation. */
    KT_EQ_INT(ask(GET_MAIN "Accept-Encoding: br\r\nIf-None-Match: " DCZ_ETAG "\r\n\r\n"), 200);
    KT_EQ_INT(resp.enc, KE_ENC_BR);
    KT_EQ_INT(ask(GET_MAIN AE_DICT AVAIL_A "If-Match: " BR_ETAG "\r\n\r\n"), 412);
    KT_CHECK(has(VARY_BOTH));
}

static void
t_dcz_ranges_head(void)
{
    KT_EQ_INT(ask(GET_MAIN AE_DICT AVAIL_A "Range: bytes=0-39\r\n\r\n"), 206);
    KT_CHECK(has("Content-Range: bytes 0-39/49\r\n"));
    KT_CHECK(has("Content-Encoding: dcz\r\n"));
    KT_CHECK(has(VARY_BOTH));
    KT_CHECK(has(UAD));
    KT_EQ_INT(resp.body[0].n, 40);
    KT_EQ_INT(ask(GET_MAIN AE_DICT AVAIL_A "Range: bytes=40-\r\nIf-Range: " DCZ_ETAG "\r\n\r\n"),
              206);
    KT_CHECK(memcmp(resp.body[0].p, "ZSTDFRAME", 9) == 0);
    KT_EQ_INT(ask(GET_MAIN AE_DICT AVAIL_A "Range: bytes=49-\r\n\r\n"), 416);
    KT_CHECK(has("Content-Range: bytes */49\r\n"));
    KT_CHECK(has(VARY_BOTH));
    KT_EQ_INT(ask("HEAD /main.js HTTP/1.1\r\nHost: x\r\n" AE_DICT AVAIL_A "\r\n"), 200);
    KT_CHECK(has("Content-Length: 49\r\n"));
    KT_CHECK(has("Content-Encoding: dcz\r\n"));
    KT_EQ_INT(resp.n_body, 0);
}

static void
t_no_deltas_plain_vary(void)
{
    KT_EQ_INT(ask("GET /plain.js HTTP/1.1\r\nHost: x\r\n" AE_DICT AVAIL_A "\r\n"), 200);
    KT_EQ_INT(resp.enc, KE_ENC_IDENTITY);
    KT_CHECK(!has("Vary:"));
    KT_CHECK(!has("Use-As-Dictionary"));
}

static void
t_manifest_errors(void)
{
    char err[256];
    /* Each is a load error that names the URL. */
    static const char *const bad[] = {
        DELTAS_JSON("000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F", 49),
        DELTAS_JSON("0001020304", 49),
        DELTAS_JSON(HASH_A_HEX, 50),
        ", \"deltas\": {\"" HASH_A_HEX "\": {\"dcz\": {\"file\": \"../x.dcz\", \"size\": 49, "
        "\"etag\": " DCZ_ETAG_J "}}}",
        ", \"deltas\": {\"" HASH_A_HEX "\": {\"dcz\": {\"file\": \"main.js.dcz\", \"size\": 49, "
        "\"etag\": \"W/\\\"x\\\"\"}}}",
        ", \"deltas\": []",
        ", \"dictionary\": {\"id\": \"x\"}",
        ", \"dictionary\": {\"use_as_dictionary\": \"a\\r\\nSet-Cookie: x\"}",
        ", \"dictionary\": \"match\"",
        /* a hash the dcz header does not carry */
        DELTAS_JSON("ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", 49),
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        KT_EQ_INT(load(bad[i], err, sizeof err), -1);
        KT_CHECK(strstr(err, "/main.js") != NULL);
    }
    /* A delta entry with only a dcb is skipped, not refused. */
    KT_EQ_INT(load(", \"deltas\": {\"" HASH_A_HEX "\": {\"dcb\": {}}}", err, sizeof err), 0);
    KT_EQ_INT(ask(GET_MAIN AE_DICT AVAIL_A "\r\n"), 200);
    KT_EQ_INT(resp.enc, KE_ENC_BR);
    KT_EQ_INT(load(DICT_JSON DELTAS_JSON(HASH_A_HEX, 49), err, sizeof err), 0);
}

int
main(void)
{
    KT_RUN(t_available_valid, "Available-Dictionary :base64: of 32 bytes parses, SP around it");
    KT_RUN(t_available_malformed,
           "Available-Dictionary that is not one canonical 32-byte sf binary is absent");
    KT_RUN(t_dictionary_id, "Dictionary-ID is an sf-string of at most 1024 characters");
    setup();
    KT_RUN(t_dcz_sent, "a known dictionary hash with dcz accepted gets the dcz delta");
    KT_RUN(t_dcz_fallbacks,
           "unknown, malformed or repeated hashes and no dcz get br, never an error");
    KT_RUN(t_dcz_conditionals, "If-None-Match with the dcz ETag gets 304 with the same Vary");
    KT_RUN(t_dcz_ranges_head, "Range, If-Range and HEAD apply to the dcz bytes");
    KT_RUN(t_no_deltas_plain_vary, "a resource without deltas neither varies nor sends a delta");
    KT_RUN(t_manifest_errors, "a bad dictionary or deltas entry is a load error naming the URL");
    teardown();
    return kt_done();
}
