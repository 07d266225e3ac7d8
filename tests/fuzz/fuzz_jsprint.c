/*
 * Fuzz target for kb_jsprint: every input that parses (as a module, as a
 * script) is printed compact, readable and lowered for ES5; each output must
 * parse again in the same mode into a tree that dumps the same, print again
 * to the same text, and come with segments in output order and exact
 * copies. abort() on any violation. Output that nests deeper than the
 * parser's limit (parentheses the printer added) is let go.
 */
#include "builder/js/print.h"
#include "common/buf.h"
#include "common/error.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The tree's dump; below ES2021 without '_' (numeric separators leave
 * BigInt digits, which the dump shows as written). */
static char *
kb_fuzz_dump(const struct kb_jsn *n, int target)
{
    size_t need = kb_jsast_dump(n, NULL, 0) + 1;
    char *d = malloc(need);
    if (d)
        kb_jsast_dump(n, d, need);
    if (d && target < 2021) {
        size_t w = 0;
        for (size_t r = 0; d[r]; r++)
            if (d[r] != '_')
                d[w++] = d[r];
        d[w] = 0;
    }
    return d;
}

static void
kb_fuzz_check_map(const struct kb_jsprint_map *m, const char *src, size_t size,
                  const struct kc_buf *text)
{
    for (size_t i = 1; i < m->nsegs; i++)
        if (m->segs[i].out < m->segs[i - 1].out)
            abort();
    for (size_t i = 0; i < m->ncopies; i++) {
        struct kb_jsprint_copy c = m->copies[i];
        if (c.in_start > c.in_end || c.in_end > size || (i && c.out < m->copies[i - 1].out) ||
            c.out + (size_t)(c.in_end - c.in_start) > text->len ||
            memcmp(text->data + c.out, src + c.in_start, c.in_end - c.in_start) != 0)
            abort();
    }
}

static void
kb_fuzz_print(const struct kb_jsast *a, const char *src, size_t size, bool module, int target,
              bool compact)
{
    char *dump = kb_fuzz_dump(a->program, target);
    struct kb_jsprint_opts o = { src, size, target, compact };
    struct kc_buf text, again;
    kc_buf_init(&text, (size_t)KB_JSAST_SRC_MAX);
    kc_buf_init(&again, (size_t)KB_JSAST_SRC_MAX);
    struct kb_jsprint_map m = { 0 };
    int rc = kb_jsprint(a->program, &o, &text, &m);
    if (rc == KC_ENOMEM)
        goto out;
    if (rc != 0)
        abort();
    if (kc_buf_append(&text, "", 0) != 0)
        goto out;
    kb_fuzz_check_map(&m, src, size, &text);
    struct kb_jsast b;
    struct kc_diag d = { 0 };
    rc = kb_jsast_parse(text.data, text.len, module, &b, &d);
    if (rc == KC_ENOMEM || (rc == KC_EPARSE && kb_jsast_too_deep(&d)))
        goto out;
    if (rc != 0)
        abort();
    char *db = kb_fuzz_dump(b.program, target);
    if (dump && db && strcmp(dump, db) != 0)
        abort();
    free(db);
    struct kb_jsprint_opts o2 = { text.data, text.len, target, compact };
    if (kb_jsprint(b.program, &o2, &again, NULL) == 0 &&
        (again.len != text.len || memcmp(again.data ? again.data : "", text.data, text.len) != 0))
        abort();
    kb_jsast_free(&b);
out:
    free(dump);
    kb_jsprint_map_free(&m);
    kc_buf_free(&text);
    kc_buf_free(&again);
}

static void
kb_fuzz_check(const char *src, size_t size, bool module)
{
    struct kb_jsast a;
    struct kc_diag d = { 0 };
    if (kb_jsast_parse(src, size, module, &a, &d) != 0)
        return;
    kb_fuzz_print(&a, src, size, module, 9999, true);
    kb_fuzz_print(&a, src, size, module, 9999, false);
    kb_fuzz_print(&a, src, size, module, 5, true);
    kb_jsast_free(&a);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kb_fuzz_check((const char *)data, size, true);
    kb_fuzz_check((const char *)data, size, false);
    return 0;
}
