/*
 * ES2015 spread in calls, `new` and array literals, for ES5.
 *
 *   f(...a)            ->  f.apply(void 0, _toConsumableArray(a))
 *   o.m(x, ...a)       ->  o.m.apply(o, [x].concat(_toConsumableArray(a)))
 *   g().m(...a)        ->  (_ref = g()).m.apply(_ref, _toConsumableArray(a))
 *   new C(...a)        ->  _construct(C, _toConsumableArray(a))
 *   [x, , ...a, y]     ->  [x, ,].concat(_toConsumableArray(a), [y])
 *
 * _toConsumableArray copies an array, iterates anything with
 * Symbol.iterator (strings by code point), and in an engine without Symbol
 * still accepts strings and `arguments`; anything else is a TypeError, as a
 * spread of a non-iterable is. The runs of plain elements stay array
 * literals, holes included; concat flattens only the arrays made here. A
 * member callee's object is evaluated once and is the call's `this`.
 */
#include "builder/lower/internal.h"

static bool
sp_has_spread(const struct kb_jsn *list)
{
    for (; list; list = list->next)
        if (list->kind == KB_JSN_SPREAD)
            return true;
    return false;
}

/* One array of the elements of list (SPREAD among them). */
static struct kb_jsn *
sp_array(struct kl_ctx *c, struct kb_jsn *list, uint32_t pos)
{
    struct kb_jsn *parts = NULL, **tail = &parts;
    while (list) {
        struct kb_jsn *part;
        if (list->kind == KB_JSN_SPREAD) {
            part = kl_callv(c, kl_helper(c, "toConsumableArray", list->start), list->a, NULL);
            list = list->next;
        } else {
            part = kl_node(c, KB_JSN_ARRAY, list->start);
            struct kb_jsn **items = &part->a;
            while (list && list->kind != KB_JSN_SPREAD) {
                *items = list;
                items = &list->next;
                list = list->next;
            }
            *items = NULL;
        }
        *tail = part;
        tail = &part->next;
    }
    if (!parts->next)
        return parts;
    struct kb_jsn *rest = parts->next;
    parts->next = NULL;
    struct kb_jsn *call = kl_call(c, kl_member(c, parts, "concat"), rest);
    call->start = call->end = pos;
    return call;
}

static struct kb_jsn *
sp_call(struct kl_walk *w, struct kb_jsn *n)
{
    struct kl_ctx *c = w->c;
    struct kb_jsn *callee = n->a, *self;
    if (callee->kind == KB_JSN_MEMBER && callee->a->kind != KB_JSN_SUPER) {
        callee->a = kl_reuse(w, callee->a, "ref", &self);
    } else {
        if (callee->kind == KB_JSN_SUPER)
            kl_fail(c, n, "spread in a super() call is the class lowering's (internal error)");
        self = kl_undefined(c, n->start);
    }
    self->next = sp_array(c, n->b, n->start);
    return kl_call(c, kl_member(c, callee, "apply"), self);
}

static struct kb_jsn *
sp_leave(struct kl_walk *w, struct kb_jsn *n)
{
    struct kl_ctx *c = w->c;
    switch (n->kind) {
    case KB_JSN_CALL:
        if (sp_has_spread(n->b))
            return sp_call(w, n);
        break;
    case KB_JSN_NEW:
        if (sp_has_spread(n->b))
            return kl_callv(c, kl_helper(c, "construct", n->start), n->a,
                            sp_array(c, n->b, n->start), NULL);
        break;
    case KB_JSN_ARRAY:
        if (sp_has_spread(n->a))
            return sp_array(c, n->a, n->start);
        break;
    default: break;
    }
    return n;
}

void
kl_pass_spread(struct kl_ctx *c)
{
    struct kl_walk w = { .c = c, .leave = sp_leave };
    kl_walk(&w);
}
