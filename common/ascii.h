/*
 * ASCII character classes, locale-free. <ctype.h> answers for the current
 * locale and is undefined for a negative char, while every format kiln reads
 * (HTTP, HTML, CSS, JS, URLs, its config) defines its classes over ASCII.
 * Each test takes an int: a char (negative for bytes >= 0x80 where char is
 * signed), an unsigned char, or -1 for "past the end"; non-ASCII is in none.
 */
#ifndef KC_ASCII_H
#define KC_ASCII_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline bool
kc_is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static inline bool
kc_is_upper(int c)
{
    return c >= 'A' && c <= 'Z';
}

static inline bool
kc_is_alpha(int c)
{
    return (c >= 'a' && c <= 'z') || kc_is_upper(c);
}

static inline bool
kc_is_alnum(int c)
{
    return kc_is_alpha(c) || kc_is_digit(c);
}

static inline bool
kc_is_hex(int c)
{
    return kc_is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* The value of hex digit c (0..15), or -1 when c is none. */
static inline int
kc_hexval(int c)
{
    if (kc_is_digit(c))
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Whether c is one of the bytes of set. strchr(set, c) alone is true for a
 * NUL byte too (the terminator is part of the string): a NUL in the input
 * would pass for any set. */
static inline bool
kc_in_set(int c, const char *set)
{
    return c > 0 && c < 0x80 && strchr(set, c) != NULL;
}

/* What isspace() accepts in the "C" locale: SP HT LF VT FF CR. */
static inline bool
kc_is_space(int c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

/* "ASCII whitespace" of the WHATWG specs (HTML, CSS, srcset, URLs): SP HT
 * LF FF CR. Unlike kc_is_space, VT (0x0B) is not whitespace there. */
static inline bool
kc_is_ws(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

/* ECMAScript's ASCII WhiteSpace (ECMA-262 §12.2): SP HT VT FF. LF and CR
 * are LineTerminators there, not whitespace; the non-ASCII WhiteSpace
 * (NBSP, ZWNBSP, Zs) is for the JS tokenizer's own table. */
static inline bool
kc_is_js_space(int c)
{
    return c == ' ' || c == '\t' || c == '\v' || c == '\f';
}

/* SP or HT: what isblank() accepts, and the bytes of HTTP's OWS/RWS/BWS
 * (RFC 9110 §5.6.3). */
static inline bool
kc_is_blank(int c)
{
    return c == ' ' || c == '\t';
}

/* An HTTP token character (RFC 9110 §5.6.2 tchar): ALPHA, DIGIT and
 * ! # $ % & ' * + - . ^ _ ` | ~ . Two 64-bit masks, so the request parser's
 * hot loops cost a shift and a test per byte. */
static inline bool
kc_is_tchar(int c)
{
    const uint64_t lo = 0x03ff6cfa00000000u; /* 0x00..0x3f */
    const uint64_t hi = 0x57ffffffc7fffffeu; /* 0x40..0x7f */
    if (c < 0 || c > 0x7f)
        return false;
    return c < 64 ? (lo >> c) & 1 : (hi >> (c - 64)) & 1;
}

/* c with A-Z lowercased; every other value unchanged. */
static inline int
kc_lower(int c)
{
    return kc_is_upper(c) ? c + ('a' - 'A') : c;
}

/* Whether s[0..n) equals lit, a NUL-terminated lowercase literal, ignoring
 * ASCII case in s ("GZip" matches "gzip"). s need not be NUL-terminated. */
static inline bool
kc_eq_lower(const char *s, size_t n, const char *lit)
{
    size_t i = 0;
    for (; i < n && lit[i]; i++)
        if (kc_lower((unsigned char)s[i]) != (unsigned char)lit[i])
            return false;
    return i == n && lit[i] == '\0';
}

#endif
