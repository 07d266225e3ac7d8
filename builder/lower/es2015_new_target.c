/*
 * ES2015 `new.target` to ES5. In a plain function f it is f when f was
 * called with `new` (or a subclass when a lowered class's super() called f):
 *
 *   function f() { return new.target; }
 * becomes
 *   function f() { return this instanceof f ? this.constructor : void 0; }
 *
 * An anonymous function expression gets a fresh name to refer to itself
 * (one no other name of the program has, so it captures nothing); a named
 * one whose name is shadowed inside it is renamed, with its references. A
 * declaration whose name is shadowed inside it or reassigned is an error.
 * Inside an arrow the enclosing function's value is meant: the arrow pass,
 * later, turns the `this` above into the enclosing function's. Where a
 * function cannot be constructed (methods, accessors, generators, async
 * functions) new.target is `void 0`. In a class constructor it is left for
 * the class pass, which makes it the receiver's `this.constructor`.
 * The approximation: `this.constructor` is the prototype's constructor
 * property, so a function whose prototype object was replaced reports
 * Object (as Babel's lowering does).
 */
#include "builder/lower/internal.h"

#include <string.h>

/* The pass's state. An error waits for the walk's end (kl_fail would leave
 * the walk's stack behind). */
struct nt {
    struct kb_jsn *checked; /* the last function found safe to name */
    const struct kb_jsn *err_at;
    const char *err_fn;
};

/* Whether an IDENT below n named name resolves to a binding other than
 * own (a declaration or a reference: the name is shadowed somewhere). */
static bool
nt_shadowed(const struct kb_jsn *n, const char *name, uint32_t own)
{
    if (n->kind == KB_JSN_IDENT && n->binding && n->binding != own && !strcmp(n->str, name))
        return true;
    const struct kb_jsn *slots[4] = { n->a, n->b, n->c, n->d };
    for (int i = 0; i < 4; i++)
        for (const struct kb_jsn *q = slots[i]; q; q = q->next)
            if (nt_shadowed(q, name, own))
                return true;
    return false;
}

/* Renames the IDENTs below n bound to binding to name. */
static void
nt_rename(struct kb_jsn *n, uint32_t binding, const struct kb_jsn *to)
{
    if (n->kind == KB_JSN_IDENT && n->binding == binding) {
        n->str = to->str;
        n->len = to->len;
    }
    struct kb_jsn *slots[4] = { n->a, n->b, n->c, n->d };
    for (int i = 0; i < 4; i++)
        for (struct kb_jsn *q = slots[i]; q; q = q->next)
            nt_rename(q, binding, to);
}

/* The name fn can refer to itself by, giving or changing its name where
 * needed; NULL (the error recorded) for a declaration that has none.
 * s->checked is the last function found safe (a function with many
 * new.target is scanned once). */
static const char *
nt_self_name(struct kl_ctx *c, struct nt *s, struct kb_jsn *fn, const struct kb_jsn *at)
{
    struct kb_jsn **checked = &s->checked;
    if (!fn->a) {
        fn->a = kl_temp(c, "target", fn->start);
        *checked = fn;
    }
    if (*checked == fn)
        return fn->a->str;
    uint32_t own = fn->a->binding;
    bool shadowed = nt_shadowed(fn->c, fn->a->str, own);
    for (const struct kb_jsn *p = fn->b; p && !shadowed; p = p->next)
        shadowed = nt_shadowed(p, fn->a->str, own);
    bool reassigned = own && (c->ast->bindings[own - 1].flags & KB_JS_BF_REASSIGNED);
    if (!shadowed && (fn->kind == KB_JSN_FUNC_EXPR || !reassigned)) {
        *checked = fn;
        return fn->a->str;
    }
    if (fn->kind == KB_JSN_FUNC_DECL) {
        if (!s->err_at) {
            s->err_at = at;
            s->err_fn = fn->a->str;
        }
        return NULL;
    }
    struct kb_jsn *to = kl_temp(c, fn->a->str, fn->start);
    if (own) {
        nt_rename(fn->c, own, to);
        for (struct kb_jsn *p = fn->b; p; p = p->next)
            nt_rename(p, own, to);
    }
    fn->a = to;
    *checked = fn;
    return to->str;
}

static struct kb_jsn *
nt_enter(struct kl_walk *w, struct kb_jsn *n, bool *skip)
{
    (void)skip;
    if (n->kind != KB_JSN_META_PROP || strcmp(n->a->str, "new") != 0)
        return n;
    struct kl_ctx *c = w->c;
    uint32_t i = w->depth;
    while (i-- > 0) {
        int k = w->stack[i].node->kind;
        if (k == KB_JSN_FUNC_DECL || k == KB_JSN_FUNC_EXPR || k == KB_JSN_PROGRAM)
            break;
    }
    struct kb_jsn *fn = w->stack[i].node;
    struct kb_jsn *owner = i > 0 ? w->stack[i - 1].node : NULL;
    if (owner && owner->kind == KB_JSN_METHOD && owner->op == KB_JS_M_CONSTRUCTOR)
        return n; /* the class pass's */
    bool method = owner && owner->b == fn &&
                  ((owner->kind == KB_JSN_METHOD) ||
                   (owner->kind == KB_JSN_PROPERTY &&
                    ((owner->flags & KB_JSN_F_METHOD) || owner->op != KB_JS_P_INIT)));
    if (fn->kind == KB_JSN_PROGRAM) /* a class static block's, undefined */
        return kl_undefined(c, n->start);
    if (method || (fn->flags & (KB_JSN_F_GENERATOR | KB_JSN_F_ASYNC)))
        return kl_undefined(c, n->start);
    const char *self = nt_self_name(c, w->data, fn, n);
    if (!self)
        return n;
    struct kb_jsn *test = kl_binary(c, KB_JS_OP_INSTANCEOF, kl_node(c, KB_JSN_THIS, n->start),
                                    kl_ident(c, self, n->start));
    struct kb_jsn *ctor = kl_member(c, kl_node(c, KB_JSN_THIS, n->start), "constructor");
    return kl_cond(c, test, ctor, kl_undefined(c, n->start));
}

void
kl_pass_new_target(struct kl_ctx *c)
{
    struct nt s = { 0 };
    struct kl_walk w = { .c = c, .data = &s, .enter = nt_enter };
    kl_walk(&w);
    if (s.err_at)
        kl_fail(c, s.err_at,
                "new.target in function '%s', whose name is reassigned or shadowed inside it, "
                "cannot be lowered to %s",
                s.err_fn, kb_lower_target_name(c->target));
}
