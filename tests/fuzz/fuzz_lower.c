/*
 * Fuzz target for the lowering stage (builder/lower/): every input is
 * lowered as a classic script to ES5 and as a module to es2017, es2020 and
 * the baseline. Invariants, abort() on violation: kb_lower returns 0,
 * KC_EPARSE/KC_EUNSUP with a diagnostic inside the input, or a resource
 * error; a lowered output parses again (as the same kind of program) and
 * lowering it once more to the same target changes nothing, so it holds
 * no syntax above the target; every segment of its map lies inside the
 * input and the output. One exception, by design (lower.h): a modern
 * target's output of an input near the parser's nesting limit may pass it,
 * and is then refused on the second reading for that reason alone.
 */
#include "builder/js/ast.h"
#include "builder/lower/lower.h"
#include "common/error.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
kl_fuzz_check(const char *src, size_t size, bool module, int target)
{
    struct kb_lower_opts o = { .target = target, .module = module };
    struct kb_lower_result r;
    struct kc_diag d;
    int rc = kb_lower(src, size, &o, &r, &d);
    if (rc == KC_EPARSE || rc == KC_EUNSUP) {
        unsigned lines = 1;
        for (size_t i = 0; i < size; i++)
            lines += src[i] == '\n';
        if (d.line < 1 || d.line > lines)
            abort();
        return;
    }
    if (rc == KC_ENOMEM || rc == KC_ETOOBIG)
        return;
    if (rc != 0)
        abort();
    if (!r.changed)
        return;
    for (size_t i = 0; i < r.nsegs; i++)
        if (r.segs[i].in > size || r.segs[i].out > r.len ||
            (i && r.segs[i].out < r.segs[i - 1].out))
            abort();
    struct kb_lower_result again;
    rc = kb_lower(r.text, r.len, &o, &again, &d);
    if (rc == KC_ENOMEM || rc == KC_ETOOBIG ||
        (rc == KC_EPARSE && target != KB_ES5 && kb_jsast_too_deep(&d))) {
        kb_lower_result_free(&r);
        return;
    }
    if (rc != 0 || again.changed)
        abort();
    kb_lower_result_free(&again);
    kb_lower_result_free(&r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 16)
        return 0;
    kl_fuzz_check((const char *)data, size, false, KB_ES5);
    kl_fuzz_check((const char *)data, size, true, KB_ES2017);
    kl_fuzz_check((const char *)data, size, true, 2020);
    kl_fuzz_check((const char *)data, size, true, KB_TARGET_BASELINE);
    return 0;
}
