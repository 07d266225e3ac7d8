/* Unit tests for common/: paths, percent coding, bounded buffers, hashes,
 * MIME lookup, error names, diagnostics positions, UTF-8 decoding. */
#include "common/buf.h"
#include "common/diag.h"
#include "common/error.h"
#include "common/hash.h"
#include "common/mime.h"
#include "common/path.h"
#include "common/utf8.h"
#include "tests/kt.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static char out[256];

/* kc_utf8_get on s (len bytes): "U+XXXX/n". */
static const char *
utf8_get(const char *s, size_t len)
{
    uint32_t n;
    uint32_t cp = kc_utf8_get((const unsigned char *)s, len, &n);
    snprintf(out, sizeof out, "U+%04X/%u", (unsigned)cp, (unsigned)n);
    return out;
}

static void
t_utf8_get(void)
{
    KT_EQ_STR(utf8_get("A", 1), "U+0041/1");
    KT_EQ_STR(utf8_get("\xc3\xa9", 2), "U+00E9/2");
    KT_EQ_STR(utf8_get("\xe2\x80\xa8", 3), "U+2028/3");
    KT_EQ_STR(utf8_get("\xef\xbf\xbf", 3), "U+FFFF/3");
    KT_EQ_STR(utf8_get("\xf0\x9f\x98\x80", 4), "U+1F600/4");
    KT_EQ_STR(utf8_get("\xf4\x8f\xbf\xbf", 4), "U+10FFFF/4");
    /* Ill-formed: one U+FFFD per maximal subpart, as WHATWG's decoder. */
    KT_EQ_STR(utf8_get("\xe0\x80\x8a", 3), "U+FFFD/1"); /* overlong U+000A */
    KT_EQ_STR(utf8_get("\xc0\x8a", 2), "U+FFFD/1");
    KT_EQ_STR(utf8_get("\xc1\xbf", 2), "U+FFFD/1");
    KT_EQ_STR(utf8_get("\xf0\x80\x80\x8a", 4), "U+FFFD/1");
    KT_EQ_STR(utf8_get("\xed\xa0\x80", 3), "U+FFFD/1");     /* a surrogate */
    KT_EQ_STR(utf8_get("\xf4\x90\x80\x80", 4), "U+FFFD/1"); /* past U+10FFFF */
    KT_EQ_STR(utf8_get("\xf5\x80\x80\x80", 4), "U+FFFD/1");
    KT_EQ_STR(utf8_get("\x80", 1), "U+FFFD/1");
    KT_EQ_STR(utf8_get("\xe2\x80", 2), "U+FFFD/2"); /* truncated */
    KT_EQ_STR(utf8_get("\xe2\x80x", 3), "U+FFFD/2");
    KT_EQ_STR(utf8_get("\xe2\x28\xa1", 3), "U+FFFD/1");
    KT_EQ_STR(utf8_get("\xf0\x9f\x98x", 4), "U+FFFD/3");
    /* Scrubbing, byte for byte as a browser decodes. */
    struct kc_buf b;
    kc_buf_init(&b, 64);
    KT_EQ_INT(kc_utf8_scrub("a\xff"
                            "b\xe2\x80"
                            "c\xe0\x80\x8a\xc3\xa9",
                            11, &b),
              0);
    KT_EQ_INT((int)b.len, 20);
    KT_CHECK(memcmp(b.data,
                    "a\xef\xbf\xbd"
                    "b\xef\xbf\xbd"
                    "c\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xc3\xa9",
                    20) == 0);
    /* Well-formed text, a literal U+FFFD included, passes unchanged. */
    kc_buf_reset(&b);
    KT_EQ_INT(kc_utf8_scrub("caf\xc3\xa9 \xef\xbf\xbd \xf0\x9f\x98\x80", 14, &b), 0);
    KT_EQ_INT((int)b.len, 14);
    KT_CHECK(memcmp(b.data, "caf\xc3\xa9 \xef\xbf\xbd \xf0\x9f\x98\x80", 14) == 0);
    kc_buf_reset(&b);
    KT_EQ_INT(kc_utf8_scrub("\xf0\x9f\x98", 3, &b), 0); /* truncated: one U+FFFD */
    KT_EQ_INT((int)b.len, 3);
    kc_buf_free(&b);
}

static void
t_resolve_relative(void)
{
    KT_EQ_INT(kc_path_resolve("css", "../img/a.png", out, sizeof out), 0);
    KT_EQ_STR(out, "img/a.png");
    KT_EQ_INT(kc_path_resolve("", "./a/./b//c.js", out, sizeof out), 0);
    KT_EQ_STR(out, "a/b/c.js");
    KT_EQ_INT(kc_path_resolve("a/b", "c/../../d.js", out, sizeof out), 0);
    KT_EQ_STR(out, "a/d.js");
}

static void
t_resolve_absolute_ignores_dir(void)
{
    KT_EQ_INT(kc_path_resolve("deep/dir", "/img/a.png", out, sizeof out), 0);
    KT_EQ_STR(out, "img/a.png");
}

static void
t_resolve_escape(void)
{
    KT_EQ_INT(kc_path_resolve("", "../etc/passwd", out, sizeof out), KC_EESCAPE);
    KT_EQ_INT(kc_path_resolve("a", "../../x", out, sizeof out), KC_EESCAPE);
    KT_EQ_INT(kc_path_resolve("a", "/../x", out, sizeof out), KC_EESCAPE);
}

static void
t_resolve_directory_keeps_slash(void)
{
    KT_EQ_INT(kc_path_resolve("", "docs/", out, sizeof out), 0);
    KT_EQ_STR(out, "docs/");
    KT_EQ_INT(kc_path_resolve("docs", "..", out, sizeof out), 0);
    KT_EQ_STR(out, "");
}

static void
t_resolve_too_long(void)
{
    char small[4];
    KT_EQ_INT(kc_path_resolve("", "abcdef", small, sizeof small), KC_ETOOBIG);
}

static void
t_url_decode(void)
{
    KT_EQ_INT(kc_url_decode("a%20b%2Fc", 9, out, sizeof out), 0);
    KT_EQ_STR(out, "a b/c");
    KT_EQ_INT(kc_url_decode("a%00", 4, out, sizeof out), KC_EINVAL);
    KT_EQ_INT(kc_url_decode("a%2", 3, out, sizeof out), KC_EINVAL);
    KT_EQ_INT(kc_url_decode("%zz", 3, out, sizeof out), KC_EINVAL);
}

static void
t_url_encode(void)
{
    struct kc_buf b;
    kc_buf_init(&b, 1024);
    KT_EQ_INT(kc_url_encode_path("img/a b(1),\"x\".png", &b), 0);
    KT_EQ_STR(b.data, "img/a%20b%281%29%2C%22x%22.png");
    kc_buf_free(&b);
}

static void
t_relative(void)
{
    struct kc_buf b;
    kc_buf_init(&b, 1024);
    KT_EQ_INT(kc_path_relative("css", "img/a.png", &b), 0);
    KT_EQ_STR(b.data, "../img/a.png");
    kc_buf_reset(&b);
    KT_EQ_INT(kc_path_relative("", "js/a.js", &b), 0);
    KT_EQ_STR(b.data, "./js/a.js");
    kc_buf_reset(&b);
    KT_EQ_INT(kc_path_relative("js/lib", "js/lib/x.js", &b), 0);
    KT_EQ_STR(b.data, "./x.js");
    kc_buf_reset(&b);
    KT_EQ_INT(kc_path_relative("js/lib", "js/main.js", &b), 0);
    KT_EQ_STR(b.data, "../main.js");
    kc_buf_reset(&b);
    KT_EQ_INT(kc_path_relative("a/b", "ab/c.js", &b), 0);
    KT_EQ_STR(b.data, "../../ab/c.js");
    kc_buf_free(&b);
}

static void
t_buf_bound(void)
{
    struct kc_buf b;
    kc_buf_init(&b, 8);
    KT_EQ_INT(kc_buf_puts(&b, "12345678"), 0);
    KT_EQ_INT(kc_buf_putc(&b, '9'), KC_ETOOBIG);
    KT_EQ_INT((int)b.len, 8);
    KT_EQ_STR(b.data, "12345678");
    kc_buf_free(&b);
    kc_buf_init(&b, 100);
    KT_EQ_INT(kc_buf_printf(&b, "%d-%s", 42, "x"), 0);
    KT_EQ_STR(b.data, "42-x");
    size_t n;
    char *p = kc_buf_steal(&b, &n);
    KT_EQ_INT((int)n, 4);
    KT_CHECK(b.data == NULL);
    free(p);
}

static void
t_hashes(void)
{
    unsigned char d[KC_SHA256_LEN];
    char hex[65];
    kc_sha256("abc", 3, d);
    kc_hex(d, sizeof d, hex);
    KT_EQ_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    char sri[KC_SRI_LEN];
    kc_sri_sha384("", 0, sri);
    KT_EQ_STR(sri, "sha384-OLBgp1GsljhM2TJ+sbHjaiH9txEUvgdDTAzHv2P24donTt6/529l+9Ua0vFImLlb");
    char b64[16];
    kc_base64((const unsigned char *)"fo", 2, b64);
    KT_EQ_STR(b64, "Zm8=");
    kc_base64((const unsigned char *)"foobar", 6, b64);
    KT_EQ_STR(b64, "Zm9vYmFy");
}

static void
t_fnv1a64(void)
{
    /* The published 64-bit FNV-1a test vectors. */
    KT_CHECK(kc_fnv1a64(KC_FNV1A64_INIT, "", 0) == 0xcbf29ce484222325u);
    KT_CHECK(kc_fnv1a64(KC_FNV1A64_INIT, "a", 1) == 0xaf63dc4c8601ec8cu);
    KT_CHECK(kc_fnv1a64(KC_FNV1A64_INIT, "foobar", 6) == 0x85944171f73967e8u);
    /* Chained calls hash the concatenation. */
    uint64_t h = kc_fnv1a64(KC_FNV1A64_INIT, "foo", 3);
    KT_CHECK(kc_fnv1a64(h, "bar", 3) == 0x85944171f73967e8u);
    /* Bytes >= 0x80 count as bytes, never as negative chars. */
    KT_CHECK(kc_fnv1a64(KC_FNV1A64_INIT, "\xff", 1) != kc_fnv1a64(KC_FNV1A64_INIT, "\x7f", 1));
}

static void
t_diag_position(void)
{
    struct kc_diag d;
    const char *src = "ab\ncd\n\xc3\xa9x";
    kc_diag_set(&d, src, 0, "at %s", "start");
    KT_EQ_INT(d.line, 1);
    KT_EQ_INT(d.col, 1);
    KT_EQ_STR(d.msg, "at start");
    kc_diag_set(&d, src, 4, "c");
    KT_EQ_INT(d.line, 2);
    KT_EQ_INT(d.col, 2);
    kc_diag_set(&d, src, 3, "after the newline");
    KT_EQ_INT(d.line, 2);
    KT_EQ_INT(d.col, 1);
    /* Columns count bytes: the x after a two-byte character is column 3. */
    kc_diag_set(&d, src, 8, "x");
    KT_EQ_INT(d.line, 3);
    KT_EQ_INT(d.col, 3);
    /* The end of the input is a position too. */
    kc_diag_set(&d, src, strlen(src), "end");
    KT_EQ_INT(d.col, 4);
}

static void
t_diag_message_truncated(void)
{
    struct kc_diag d;
    char long_msg[600];
    memset(long_msg, 'm', sizeof long_msg - 1);
    long_msg[sizeof long_msg - 1] = '\0';
    kc_diag_set(&d, "", 0, "%s!", long_msg);
    KT_EQ_INT(strlen(d.msg), sizeof d.msg - 1);
    KT_CHECK(d.msg[0] == 'm' && d.msg[sizeof d.msg - 2] == 'm');
}

static void
t_mime(void)
{
    KT_EQ_STR(kc_mime_lookup("js/a.mjs")->type, "text/javascript; charset=utf-8");
    KT_CHECK(kc_mime_lookup("A.CSS")->kind == KC_KIND_CSS);
    KT_CHECK(!kc_mime_lookup("f.woff2")->compressible);
    KT_CHECK(kc_mime_lookup("x.svg")->compressible);
    KT_EQ_STR(kc_mime_lookup("noext")->type, "application/octet-stream");
    KT_EQ_STR(kc_mime_lookup(".hidden")->type, "application/octet-stream");
    KT_EQ_STR(kc_mime_lookup("dir.d/file")->type, "application/octet-stream");
}

static void
t_strerror(void)
{
    KT_EQ_STR(kc_strerror(KC_EESCAPE), "path escapes the source directory");
    KT_EQ_STR(kc_strerror(0), "success");
    KT_EQ_STR(kc_strerror(12345), "unknown error");
}

int
main(void)
{
    KT_RUN(t_resolve_relative, "relative references resolve against the file's directory");
    KT_RUN(t_resolve_absolute_ignores_dir, "absolute paths resolve from the root");
    KT_RUN(t_resolve_escape, "'..' above the root is KC_EESCAPE");
    KT_RUN(t_resolve_directory_keeps_slash, "directory URLs keep their trailing slash");
    KT_RUN(t_resolve_too_long, "a path longer than the output buffer is KC_ETOOBIG");
    KT_RUN(t_url_decode, "percent-decoding rejects %00 and malformed escapes");
    KT_RUN(t_url_encode, "encoded paths are safe in HTML, CSS, JS and srcset");
    KT_RUN(t_relative, "relative paths between directories start with ./ or ../");
    KT_RUN(t_buf_bound, "a buffer never grows past its maximum");
    KT_RUN(t_hashes, "SHA-256, SRI sha384 and base64 match known vectors");
    KT_RUN(t_fnv1a64, "FNV-1a 64 matches the published vectors and chains");
    KT_RUN(t_diag_position, "diagnostics give 1-based lines and byte columns");
    KT_RUN(t_diag_message_truncated,
           "a diagnostic message longer than its buffer is cut, not overrun");
    KT_RUN(t_mime, "MIME lookup by extension, case-insensitive, octet-stream otherwise");
    KT_RUN(t_strerror, "every error code has a message");
    KT_RUN(t_utf8_get, "UTF-8 decodes only well-formed sequences; the rest is U+FFFD");
    return kt_done();
}
