/*
 * Available-Dictionary and Dictionary-ID parsers; see dictionary.h. Each
 * walks the value once with an index that never passes n, and answers
 * "absent" at the first byte outside the grammar.
 */
#include "edge/dictionary.h"

#include <stdint.h>

/* The base64 alphabet of RFC 4648 §4 (sf's): the 6-bit value, or -1. */
static int
b64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

/* Skips SP (RFC 8941 §4.2: only SP, and only around the Item). */
static size_t
skip_sp(const char *v, size_t i, size_t n)
{
    while (i < n && v[i] == ' ')
        i++;
    return i;
}

bool
ke_dict_available_parse(const char *v, size_t n, unsigned char hash[KE_DICT_HASH_LEN])
{
    /* 32 bytes are 10 full quanta of 3 and 2 bytes left over: 43 characters,
     * then one '=' (RFC 4648 §4). */
    enum { CHARS = 4 * ((KE_DICT_HASH_LEN + 2) / 3) };
    size_t i = skip_sp(v, 0, n);
    if (n - i < CHARS + 2 || v[i] != ':')
        return false;
    const char *b = v + i + 1;
    if (b[CHARS] != ':' || skip_sp(v, i + CHARS + 2, n) != n)
        return false;
    size_t out = 0;
    uint32_t acc = 0;
    for (size_t k = 0; k < CHARS; k += 4) {
        int pad = 0;
        acc = 0;
        for (size_t j = 0; j < 4; j++) {
            unsigned char c = (unsigned char)b[k + j];
            int d = b64_value(c);
            if (d < 0) {
                /* '=' only at the end, exactly as many as the length needs. */
                if (c != '=' || k + 4 != CHARS)
                    return false;
                pad++;
                d = 0;
            } else if (pad) {
                return false; /* a character after '=' */
            }
            acc = acc << 6 | (uint32_t)d;
        }
        size_t bytes = 3 - (size_t)pad;
        if (k + 4 == CHARS && out + bytes != KE_DICT_HASH_LEN)
            return false; /* "==" or no '=': not 32 bytes */
        for (size_t j = 0; j < bytes; j++)
            hash[out++] = (unsigned char)(acc >> (16 - 8 * j));
        /* Canonical: the bits below the last byte are zero. */
        if (pad && (acc & ((1u << (8 * pad)) - 1)) != 0)
            return false;
    }
    return out == KE_DICT_HASH_LEN;
}

int
ke_dict_id_parse(const char *v, size_t n, char *out, size_t cap)
{
    if (cap < KE_DICT_ID_MAX + 1)
        return -1;
    size_t i = skip_sp(v, 0, n);
    if (i == n || v[i] != '"')
        return -1;
    size_t len = 0;
    for (i++; i < n; i++) {
        unsigned char c = (unsigned char)v[i];
        if (c == '"')
            break;
        if (c == '\\') {
            if (++i == n || (v[i] != '"' && v[i] != '\\'))
                return -1;
            c = (unsigned char)v[i];
        } else if (c < 0x20 || c > 0x7e) {
            return -1;
        }
        if (len == KE_DICT_ID_MAX)
            return -1;
        out[len++] = (char)c;
    }
    if (i == n || skip_sp(v, i + 1, n) != n)
        return -1;
    out[len] = '\0';
    return (int)len;
}
