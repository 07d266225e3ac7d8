/*
 * Fuzz target for kc_httpdate_parse_at and kc_httpdate_format. The first 8
 * bytes are a time: formatted, it must have the IMF-fixdate shape and parse
 * back to the (clamped) time. The whole input is also parsed as a date (now
 * from the same 8 bytes): on success the time is in range and formats to a
 * string that parses back to it. A violation abort()s.
 */
#include "common/httpdate.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_format(int64_t t)
{
    char out[KC_HTTPDATE_LEN + 1];
    memset(out, 'X', sizeof out);
    if (kc_httpdate_format(t, out) != KC_HTTPDATE_LEN || out[KC_HTTPDATE_LEN] != '\0' ||
        strlen(out) != KC_HTTPDATE_LEN || out[3] != ',' || memcmp(out + 25, " GMT", 4) != 0)
        abort();
    int64_t clamped = t < KC_HTTPDATE_MIN   ? KC_HTTPDATE_MIN
                      : t > KC_HTTPDATE_MAX ? KC_HTTPDATE_MAX
                                            : t;
    int64_t back;
    if (kc_httpdate_parse_at(out, KC_HTTPDATE_LEN, 0, &back) != 0 || back != clamped)
        abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint64_t u = 0;
    for (size_t i = 0; i < 8 && i < size; i++)
        u = u << 8 | data[i];
    int64_t t8 = (int64_t)u;
    check_format(t8);
    check_format(t8 % (KC_HTTPDATE_MAX + 1));

    int64_t t;
    if (kc_httpdate_parse_at((const char *)data, size, t8, &t) == 0) {
        /* +1: a leap second on the last day of 9999. */
        if (t < KC_HTTPDATE_MIN || t > KC_HTTPDATE_MAX + 1)
            abort();
        if (t <= KC_HTTPDATE_MAX)
            check_format(t);
    }
    return 0;
}
