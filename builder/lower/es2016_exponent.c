/*
 * ES2016 exponent: `a ** b` becomes Math.pow(a, b), and `t **= b` the
 * assignment of Math.pow to the target, whose object and computed key are
 * evaluated once (kl_reuse_target):
 *
 *   (-2) ** 2        Math.pow(-2, 2)
 *   x **= 2          x = Math.pow(x, 2)
 *   o[k()] **= 2     (_o = o)[_k = k()] = Math.pow(_o[_k], 2)
 *
 * Differs from native only where a program rebinds the global Math.
 */
#include "builder/lower/internal.h"

static struct kb_jsn *
exponent_pow(struct kl_ctx *c, struct kb_jsn *l, struct kb_jsn *r, uint32_t pos)
{
    struct kb_jsn *pow = kl_member(c, kl_ident(c, "Math", pos), "pow");
    struct kb_jsn *call = kl_callv(c, pow, l, r, NULL);
    call->start = call->end = pos;
    return call;
}

static struct kb_jsn *
exponent_leave(struct kl_walk *w, struct kb_jsn *n)
{
    struct kl_ctx *c = w->c;
    if (n->kind == KB_JSN_BINARY && n->op == KB_JS_OP_STARSTAR)
        return exponent_pow(c, n->a, n->b, n->start);
    if (n->kind != KB_JSN_ASSIGN || n->op != KB_JS_OP_POW_ASSIGN)
        return n;
    struct kb_jsn *first, *again;
    kl_reuse_target(w, n->a, &first, &again);
    struct kb_jsn *r = kl_assign(c, first, exponent_pow(c, again, n->b, n->start));
    r->start = r->end = n->start;
    return r;
}

void
kl_pass_exponent(struct kl_ctx *c)
{
    struct kl_walk w = { .c = c, .leave = exponent_leave };
    kl_walk(&w);
}
