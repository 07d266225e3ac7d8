/* UTF-8 encoding of a code point, shared by the scanners that decode
 * character references and escapes (HTML, CSS, JavaScript), and decoding
 * as a browser decodes a UTF-8 script (the JavaScript lexer and regular
 * expressions). */
#ifndef KC_UTF8_H
#define KC_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Writes cp (at most 0x10FFFF; the caller maps invalid values) as UTF-8 to
 * out, which must hold 4 bytes. Returns the byte count, 1 to 4. */
size_t kc_utf8_put(uint32_t cp, char *out);

/* Decodes the sequence at s (left > 0 bytes remain) and sets *n to its
 * length. Only well-formed UTF-8 (RFC 3629) decodes: an overlong form, a
 * surrogate, a value past U+10FFFF or a truncated sequence is one U+FFFD for
 * its maximal subpart (the lead byte and the continuation bytes that could
 * still follow it), as the WHATWG Encoding Standard's decoder in browsers
 * reads it. Were E0 80 8A read as U+000A, a line comment would end where the
 * browser's does not. */
uint32_t kc_utf8_get(const unsigned char *s, size_t left, uint32_t *n);

/* Appends s to out as kc_utf8_get reads it: each ill-formed sequence becomes
 * U+FFFD (EF BF BD), so a JSON encoder takes the text. 0 or KC_ETOOBIG. */
struct kc_buf;
int kc_utf8_scrub(const char *s, size_t len, struct kc_buf *out);

#endif
