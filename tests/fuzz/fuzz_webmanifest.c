/*
 * Fuzz target for kb_webmanifest_scan: any bytes either fail cleanly with
 * KC_EPARSE or give refs whose spans lie inside the input, in increasing
 * order, each between the quotes of a JSON string. A violation abort()s.
 */
#include "builder/refs/ref.h"
#include "common/error.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct kb_reflist l = { 0 };
    struct kc_diag d = { 0 };
    int rc = kb_webmanifest_scan((const char *)data, size, &l, &d);
    if (rc != 0 && rc != KC_EPARSE && rc != KC_ENOMEM)
        abort();
    if (rc == KC_EPARSE && (d.line == 0 || d.msg[0] == '\0'))
        abort();
    size_t prev = 0;
    for (size_t i = 0; i < l.n; i++) {
        const struct kb_ref *r = &l.v[i];
        if (r->start == 0 || r->end >= size || r->start > r->end || r->start < prev)
            abort();
        if (data[r->start - 1] != '"' || data[r->end] != '"' || !r->url)
            abort();
        prev = r->end + 1;
    }
    kb_reflist_free(&l);
    return 0;
}
