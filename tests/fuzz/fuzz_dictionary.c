/*
 * Fuzz target for ke_dict_available_parse and ke_dict_id_parse: the whole
 * input is tried as each field value. Checks: an accepted Available-Dictionary
 * is exactly SP* ":" + the canonical base64 of the 32 bytes it returned + ":"
 * SP* (so two spellings never name one hash); an accepted Dictionary-ID is at
 * most 1024 printable characters and, quoted and escaped again, is the input
 * without its SP. A violation abort()s.
 */
#include "edge/dictionary.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input without leading and trailing SP, as [*b, *e). */
static void
trim_sp(const char *v, size_t n, size_t *b, size_t *e)
{
    *b = 0;
    *e = n;
    while (*b < n && v[*b] == ' ')
        (*b)++;
    while (*e > *b && v[*e - 1] == ' ')
        (*e)--;
}

static void
check_available(const char *v, size_t n)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    unsigned char h[KE_DICT_HASH_LEN];
    if (!ke_dict_available_parse(v, n, h))
        return;
    char want[64];
    size_t w = 0;
    want[w++] = ':';
    for (size_t i = 0; i < KE_DICT_HASH_LEN; i += 3) {
        uint32_t x = (uint32_t)h[i] << 16;
        if (i + 1 < KE_DICT_HASH_LEN)
            x |= (uint32_t)h[i + 1] << 8;
        if (i + 2 < KE_DICT_HASH_LEN)
            x |= h[i + 2];
        want[w++] = b64[x >> 18 & 63];
        want[w++] = b64[x >> 12 & 63];
        want[w++] = i + 1 < KE_DICT_HASH_LEN ? b64[x >> 6 & 63] : '=';
        want[w++] = i + 2 < KE_DICT_HASH_LEN ? b64[x & 63] : '=';
    }
    want[w++] = ':';
    size_t b, e;
    trim_sp(v, n, &b, &e);
    if (e - b != w || memcmp(v + b, want, w) != 0)
        abort();
}

static void
check_id(const char *v, size_t n)
{
    static char out[KE_DICT_ID_MAX + 1], again[2 * KE_DICT_ID_MAX + 2];
    int len = ke_dict_id_parse(v, n, out, sizeof out);
    if (len < 0)
        return;
    if (len > KE_DICT_ID_MAX || out[len] != '\0')
        abort();
    size_t w = 0;
    again[w++] = '"';
    for (int i = 0; i < len; i++) {
        if (out[i] < 0x20 || out[i] > 0x7e)
            abort();
        if (out[i] == '"' || out[i] == '\\')
            again[w++] = '\\';
        again[w++] = out[i];
    }
    again[w++] = '"';
    size_t b, e;
    trim_sp(v, n, &b, &e);
    /* A trailing SP inside the quotes is the string's, not whitespace. */
    if (e - b > w || memcmp(v + b, again, w) != 0)
        abort();
    for (size_t i = b + w; i < n; i++)
        if (v[i] != ' ')
            abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *v = (const char *)data;
    check_available(v, size);
    check_id(v, size);
    return 0;
}
