/* UTF-8 encoding of a code point, shared by the scanners that decode
 * character references and escapes (HTML, CSS, JavaScript). */
#ifndef KC_UTF8_H
#define KC_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Writes cp (at most 0x10FFFF; the caller maps invalid values) as UTF-8 to
 * out, which must hold 4 bytes. Returns the byte count, 1 to 4. */
size_t kc_utf8_put(uint32_t cp, char *out);

#endif
