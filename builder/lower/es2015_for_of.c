/*
 * ES2015 for...of, for ES5, over the iterator protocol.
 *
 *   for (const [k, v] of m) body
 *   ->
 *   var _iterator = _createForOfIteratorHelper(m);
 *   try {
 *     for (; _iterator.n();) { const [k, v] = _iterator.v; body }
 *   } catch (_err) { _iterator.e(_err); } finally { _iterator.f(); }
 *
 * The helper gets the iterator once (Symbol.iterator: arrays, strings by
 * code point, Map, Set, generators, arguments; without Symbol, arrays,
 * strings and arguments). n() steps it and says whether a value came; f()
 * calls the iterator's return() when the loop is left early (break,
 * return, a throw from the body, a labeled continue of an outer loop) but
 * not after it is exhausted nor when the iterator itself threw, and
 * rethrows what e() recorded. The head's declaration keeps its kind (let
 * and const stay for the block-scoping pass, a pattern for the
 * destructuring pass) as the first statement of the body; the body is
 * nested in a block of its own when it declares lexical names. A labeled
 * loop keeps its labels on the new `for`.
 */
#include "builder/lower/internal.h"

/* The block made for a labeled for-of, and where its loop sits. */
struct fo_state {
    struct kb_jsn *block;
    struct kb_jsn **loop;
};

/* The body with the head's binding of value put first. */
static struct kb_jsn *
fo_body(struct kl_ctx *c, struct kb_jsn *n, struct kb_jsn *value)
{
    struct kb_jsn *bind, *head = n->a;
    if (head->kind == KB_JSN_VAR_DECL) {
        head->a->b = value;
        bind = head;
    } else {
        bind = kl_expr_stmt(c, kl_assign(c, head, value));
    }
    return kl_prepend_body(c, bind, n->d);
}

static bool
fo_list_holder(const struct kb_jsn *p)
{
    return p && (p->kind == KB_JSN_PROGRAM || p->kind == KB_JSN_BLOCK || p->kind == KB_JSN_CASE);
}

static struct kb_jsn *
fo_for_of(struct kl_walk *w, struct kb_jsn *n)
{
    struct kl_ctx *c = w->c;
    struct fo_state *s = w->data;
    uint32_t pos = n->start;
    struct kb_jsn *it = kl_temp(c, "iterator", pos), *err = kl_temp(c, "err", pos);
    struct kb_jsn *init = kl_var(
        c, KB_JS_VAR, it, kl_callv(c, kl_helper(c, "createForOfIteratorHelper", pos), n->b, NULL));
    struct kb_jsn *loop = kl_node(c, KB_JSN_FOR, pos);
    loop->b = kl_call(c, kl_member(c, kl_clone(c, it), "n"), NULL);
    loop->d = fo_body(c, n, kl_member(c, kl_clone(c, it), "v"));
    struct kb_jsn *handler = kl_node(c, KB_JSN_CATCH, pos);
    handler->a = err;
    handler->b = kl_block(
        c, kl_expr_stmt(c, kl_callv(c, kl_member(c, kl_clone(c, it), "e"), kl_clone(c, err), NULL)),
        pos);
    struct kb_jsn *try = kl_node(c, KB_JSN_TRY, pos);
    try->a = kl_block(c, loop, pos);
    try->b = handler;
    try->c =
        kl_block(c, kl_expr_stmt(c, kl_call(c, kl_member(c, kl_clone(c, it), "f"), NULL)), pos);
    init->next = try;
    struct kb_jsn *p = kl_parent(w);
    if (fo_list_holder(p))
        return init;
    s->block = kl_block(c, init, pos);
    s->loop = &try->a->a;
    return s->block;
}

/* A label of a lowered for-of moves onto its loop. */
static struct kb_jsn *
fo_label(struct kl_walk *w, struct kb_jsn *n)
{
    struct fo_state *s = w->data;
    struct kb_jsn *loop = *s->loop;
    n->b = loop;
    *s->loop = n;
    return fo_list_holder(kl_parent(w)) ? s->block->a : s->block;
}

static struct kb_jsn *
fo_leave(struct kl_walk *w, struct kb_jsn *n)
{
    struct fo_state *s = w->data;
    if (n->kind == KB_JSN_FOR_OF && !(n->flags & KB_JSN_F_AWAIT))
        return fo_for_of(w, n);
    if (n->kind == KB_JSN_LABELED && s->block && n->b == s->block)
        return fo_label(w, n);
    return n;
}

void
kl_pass_for_of(struct kl_ctx *c)
{
    struct fo_state s = { 0 };
    struct kl_walk w = { .c = c, .data = &s, .leave = fo_leave };
    kl_walk(&w);
}
