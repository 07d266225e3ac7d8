/*
 * ES2017 async functions to generators (docs/internals/lowering/
 * generators.md). The body moves into a generator function, await becomes
 * yield, and the runtime helper _asyncToGenerator runs it at once and
 * settles the promise it returns:
 *
 *   async function f(a, b) {       function f(a, b) {
 *     return await g(a) + b;         return _asyncToGenerator(function* (a, b) {
 *   }                                  return (yield g(a)) + b;
 *                                    }, this, arguments);
 *                                  }
 *
 * The generator gets the original parameters, so defaults are evaluated
 * inside the helper's promise (a throw rejects it) and `arguments` keeps its
 * meaning; the outer function keeps f.length. An async arrow keeps its
 * parameters and passes its lexical `this` (and `arguments` when the body
 * mentions it). Below ES2015 the generator pass then compiles the
 * generators this pass makes.
 */
#include "builder/lower/internal.h"

#include <string.h>

struct kl_async_use {
    bool this_, args, super;
};

/* await to yield in n, outside nested functions (arrows are entered: they
 * share this, arguments and super, and record them in *use). */
static void
kl_async_awaits(struct kl_ctx *c, struct kb_jsn *n, struct kl_async_use *use)
{
    switch (n->kind) {
    case KB_JSN_FUNC_DECL:
    case KB_JSN_FUNC_EXPR: return;
    case KB_JSN_AWAIT: n->kind = KB_JSN_YIELD; break;
    case KB_JSN_FOR_OF:
        if (n->flags & KB_JSN_F_AWAIT)
            kl_fail(c, n, "for await must be lowered before async functions");
        break;
    case KB_JSN_THIS: use->this_ = true; return;
    case KB_JSN_SUPER: use->super = true; return;
    case KB_JSN_IDENT: use->args |= !strcmp(n->str, "arguments"); return;
    case KB_JSN_MEMBER:
        kl_async_awaits(c, n->a, use);
        if (n->flags & KB_JSN_F_COMPUTED)
            kl_async_awaits(c, n->b, use);
        return;
    case KB_JSN_PROPERTY:
    case KB_JSN_METHOD:
        if (n->flags & KB_JSN_F_COMPUTED)
            kl_async_awaits(c, n->a, use);
        if (n->b)
            kl_async_awaits(c, n->b, use);
        return;
    case KB_JSN_LABELED: kl_async_awaits(c, n->b, use); return;
    case KB_JSN_BREAK:
    case KB_JSN_CONTINUE:
    case KB_JSN_META_PROP: return;
    default: break;
    }
    struct kb_jsn *slots[4] = { n->a, n->b, n->c, n->d };
    for (int i = 0; i < 4; i++)
        for (struct kb_jsn *q = slots[i]; q; q = q->next)
            kl_async_awaits(c, q, use);
}

/* The outer function's parameters: the leading simple ones (which give
 * f.length), with a temporary for each pattern among them. */
static struct kb_jsn *
kl_async_outer_params(struct kl_ctx *c, const struct kb_jsn *params)
{
    struct kb_jsn *list = NULL;
    for (const struct kb_jsn *p = params; p; p = p->next) {
        if (p->kind == KB_JSN_ASSIGN_PAT || p->kind == KB_JSN_REST)
            break;
        struct kb_jsn *q = p->kind == KB_JSN_IDENT ? kl_clone(c, p) : kl_temp(c, "param", p->start);
        list = kl_concat(list, q);
    }
    return list;
}

/* Copies of the directive prologue of body (a BLOCK), so that the outer
 * function stays strict. */
static struct kb_jsn *
kl_async_directives(struct kl_ctx *c, const struct kb_jsn *body)
{
    struct kb_jsn *list = NULL;
    for (const struct kb_jsn *s = body->a;
         s && s->kind == KB_JSN_EXPR_STMT && (s->flags & KB_JSN_F_DIRECTIVE); s = s->next)
        list = kl_concat(list, kl_clone(c, s));
    return list;
}

static void
kl_async_function(struct kl_ctx *c, struct kb_jsn *fn)
{
    struct kl_async_use use = { 0 };
    kl_async_awaits(c, fn->c, &use);
    if (use.super)
        kl_fail(c, fn, "super inside an async function cannot be lowered to %s",
                kb_lower_target_name(c->target));
    bool arrow = fn->kind == KB_JSN_ARROW;
    struct kb_jsn *body = fn->c;
    if (arrow && (fn->flags & KB_JSN_F_EXPR_BODY))
        body = kl_block(c, kl_return(c, body), body->start);
    struct kb_jsn *gen = kl_function(c, NULL, arrow ? NULL : fn->b, NULL, fn->start);
    gen->c = body;
    gen->flags = KB_JSN_F_GENERATOR | (fn->flags & KB_JSN_F_STRICT);
    if (arrow || (fn->flags & KB_JSN_F_SIMPLE))
        gen->flags |= KB_JSN_F_SIMPLE;
    struct kb_jsn *call = kl_callv(c, kl_helper(c, "asyncToGenerator", fn->start), gen, NULL);
    if (!arrow || use.this_ || use.args)
        gen->next = kl_node(c, KB_JSN_THIS, fn->start);
    if (!arrow || use.args)
        gen->next->next = kl_ident(c, "arguments", fn->start);
    fn->flags &= (uint16_t)~KB_JSN_F_ASYNC;
    if (arrow) {
        fn->c = call;
        fn->flags |= KB_JSN_F_EXPR_BODY;
    } else {
        struct kb_jsn *directives = kl_async_directives(c, body);
        fn->b = kl_async_outer_params(c, fn->b);
        fn->c = kl_block(c, kl_concat(directives, kl_return(c, call)), body->start);
        fn->flags |= KB_JSN_F_SIMPLE;
    }
}

static struct kb_jsn *
kl_async_leave(struct kl_walk *w, struct kb_jsn *n)
{
    bool fn = n->kind == KB_JSN_FUNC_DECL || n->kind == KB_JSN_FUNC_EXPR || n->kind == KB_JSN_ARROW;
    if (fn && (n->flags & KB_JSN_F_ASYNC) && !(n->flags & KB_JSN_F_GENERATOR))
        kl_async_function(w->c, n);
    return n;
}

void
kl_pass_async(struct kl_ctx *c)
{
    struct kl_walk w = { .c = c, .leave = kl_async_leave };
    kl_walk(&w);
    if (kb_lower_target_year(c->target) < 2015)
        c->lower |= KL_BIT(KL_F_GENERATOR);
}
