/*
 * ES2021 logical assignment: `a ||= b`, `a &&= b` and `a ??= b` become the
 * logical operator with the assignment on its right, so the target is
 * assigned only when the operator does not short-circuit, and the
 * expression's value is the operator's:
 *
 *   a ||= b          a || (a = b)
 *   o.p &&= v        (_o = o).p && (_o.p = v)
 *   o[k()] ??= v     (_o = o)[_k = k()] ?? (_o[_k] = v)
 *
 * A member target's object and computed key are evaluated once
 * (kl_reuse_target, which the exponent pass shares). `??` is left for the
 * chain pass, which runs next; it is asked for when the target lacks it.
 */
#include "builder/lower/internal.h"

/* A short name for temporaries that hold e ("o" for o, "o$p" for o.p). */
static const char *
logical_hint(const struct kb_jsn *e)
{
    if (e->kind == KB_JSN_IDENT && e->len < 24)
        return e->str;
    return "ref";
}

void
kl_reuse_target(struct kl_walk *w, struct kb_jsn *t, struct kb_jsn **first, struct kb_jsn **again)
{
    struct kl_ctx *c = w->c;
    if (t->kind == KB_JSN_IDENT) {
        *first = t;
        *again = kl_clone(c, t);
        return;
    }
    if (t->kind != KB_JSN_MEMBER)
        kl_fail(c, t, "internal error: a %s as the target of a compound assignment",
                kb_jsn_kind_name(t->kind));
    struct kb_jsn *obj, *key;
    if (t->a->kind == KB_JSN_SUPER)
        obj = kl_clone(c, t->a);
    else
        t->a = kl_reuse(w, t->a, logical_hint(t->a), &obj);
    if (t->flags & KB_JSN_F_COMPUTED)
        t->b = kl_reuse(w, t->b, "key", &key);
    else
        key = kl_clone(c, t->b);
    struct kb_jsn *m = kl_node(c, KB_JSN_MEMBER, t->start);
    m->flags = t->flags & KB_JSN_F_COMPUTED;
    m->a = obj;
    m->b = key;
    *first = t;
    *again = m;
}

static struct kb_jsn *
logical_leave(struct kl_walk *w, struct kb_jsn *n)
{
    if (n->kind != KB_JSN_ASSIGN)
        return n;
    int op;
    switch (n->op) {
    case KB_JS_OP_LOR_ASSIGN: op = KB_JS_OP_OR; break;
    case KB_JS_OP_LAND_ASSIGN: op = KB_JS_OP_AND; break;
    case KB_JS_OP_NULLISH_ASSIGN: op = KB_JS_OP_NULLISH; break;
    default: return n;
    }
    struct kl_ctx *c = w->c;
    struct kb_jsn *first, *again;
    kl_reuse_target(w, n->a, &first, &again);
    struct kb_jsn *set = kl_assign(c, again, n->b);
    set->start = set->end = n->start;
    struct kb_jsn *r = kl_logical(c, op, first, set);
    r->start = r->end = n->start;
    if (op == KB_JS_OP_NULLISH && kb_lower_target_year(c->target) < 2020)
        c->lower |= KL_BIT(KL_F_NULLISH);
    return r;
}

void
kl_pass_logical_assign(struct kl_ctx *c)
{
    struct kl_walk w = { .c = c, .leave = logical_leave };
    kl_walk(&w);
}
