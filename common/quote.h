/*
 * String literals for generated code: kc_quote_js writes bytes as one
 * double-quoted literal that is valid JavaScript and valid JSON, for the
 * builder's import maps and the bundler's export names. Flags add the
 * escapes a literal needs where it will sit: inside an HTML <script>, or in
 * a script an ES5 engine will read.
 */
#ifndef KC_QUOTE_H
#define KC_QUOTE_H

#include <stddef.h>

struct kc_buf;

/* Also \u003c \u003e \u0026 for < > &: the literal can sit inside an HTML
 * <script> element ("</script>" and "<!--" cannot appear) or an attribute. */
#define KC_QUOTE_HTML 0x1u
/* Also \u2028 \u2029 for U+2028/U+2029 (UTF-8 E2 80 A8/A9): before ES2019,
 * and in ES5 engines, they end a string literal as a newline would. */
#define KC_QUOTE_LINESEP 0x2u

/*
 * Appends s[0..n) to b as "..." : '"' and '\' get a backslash, bytes below
 * 0x20 become \u00XX (lowercase hex), KC_QUOTE_* flags add their escapes,
 * and every other byte is copied as it is (UTF-8 stays UTF-8; no byte is
 * validated). Returns 0 or b's error (KC_ETOOBIG, KC_ENOMEM); on error b
 * holds part of the literal.
 */
int kc_quote_js(struct kc_buf *b, const char *s, size_t n, unsigned flags);

#endif
