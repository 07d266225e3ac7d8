/*
 * ES2020 optional chaining and nullish coalescing. Each value a `?.` tests
 * is evaluated once, into a temporary unless it is a name or `this`; the
 * tests of one chain are joined by `||`, and one conditional gives
 * undefined when any of them holds. Calls keep their `this`:
 *
 *   a ?? b           (_a = a) != null ? _a : b
 *   a?.b.c           (_a = a) == null ? void 0 : _a.b.c
 *   a?.b?.c          (_a = a) == null || (_a$b = _a.b) == null ? void 0 : _a$b.c
 *   a.b?.()          (_a$b = (_a = a).b) == null ? void 0 : _a$b.call(_a)
 *   delete a?.b      (_a = a) == null ? true : delete _a.b
 *   (a?.b)()         ((_a = a) == null ? void 0 : _a.b).call(_a)
 *
 * `== null` stands for `=== null || === void 0`: they differ only for
 * document.all. A parenthesised chain used as a template tag loses its
 * `this` (the grammar allows it; nothing seen in practice writes it).
 */
#include "builder/lower/internal.h"

#include <stdio.h>
#include <string.h>

/* A lowered chain whose parent needs more than its value: the `this` of a
 * call on `(a?.b)`, or the `delete` the conditional now holds. */
struct chain_lift {
    struct kb_jsn *node; /* the CHAIN (delete) or its lowered form (call) */
    struct kb_jsn *thisv;
    struct chain_lift *next;
};

struct chain_state {
    struct chain_lift *lifts;
};

static void
chain_push(struct kl_walk *w, struct kb_jsn *node, struct kb_jsn *thisv)
{
    struct chain_state *st = w->data;
    struct chain_lift *l = kl_alloc(w->c, sizeof *l);
    l->node = node;
    l->thisv = thisv;
    l->next = st->lifts;
    st->lifts = l;
}

/* Takes the lift recorded for node off the list; NULL if there is none. */
static struct chain_lift *
chain_take(struct kl_walk *w, const struct kb_jsn *node)
{
    struct chain_state *st = w->data;
    for (struct chain_lift **p = &st->lifts; *p; p = &(*p)->next) {
        if ((*p)->node == node) {
            struct chain_lift *l = *p;
            *p = l->next;
            return l;
        }
    }
    return NULL;
}

/* Whether reading e twice gives the same value with no side effect: a
 * declared name (or one a pass made), `this`, a literal. */
static bool
chain_reusable(const struct kb_jsn *e)
{
    switch (e->kind) {
    case KB_JSN_IDENT:
        return (e->binding || e->end == e->start) && strcmp(e->str, "arguments") != 0;
    case KB_JSN_THIS:
    case KB_JSN_NUM:
    case KB_JSN_STR:
    case KB_JSN_NULL_LIT:
    case KB_JSN_TRUE_LIT:
    case KB_JSN_FALSE_LIT: return true;
    default: return false;
    }
}

/* Writes a temporary's hint for e into buf: "a" for a, "a$b" for a.b. */
static void
chain_hint(const struct kb_jsn *e, char *buf, size_t cap)
{
    if (e->kind == KB_JSN_IDENT && e->str) {
        snprintf(buf, cap, "%s", e->str[0] == '_' ? e->str + 1 : e->str);
    } else if (e->kind == KB_JSN_THIS) {
        snprintf(buf, cap, "this");
    } else if (e->kind == KB_JSN_SUPER) {
        snprintf(buf, cap, "super");
    } else if (e->kind == KB_JSN_MEMBER && !(e->flags & KB_JSN_F_COMPUTED) &&
               e->b->kind == KB_JSN_IDENT) {
        chain_hint(e->a, buf, cap);
        size_t n = strlen(buf);
        if (n + 1 + e->b->len < cap && strcmp(buf, "ref") != 0)
            snprintf(buf + n, cap - n, "$%s", e->b->str);
        else
            snprintf(buf, cap, "%s", e->b->str);
    } else {
        snprintf(buf, cap, "ref");
    }
    if (strlen(buf) > 32 || !buf[0])
        snprintf(buf, cap, "ref");
}

/* e to evaluate first; *again reads its value later. */
static struct kb_jsn *
chain_once(struct kl_walk *w, struct kb_jsn *e, struct kb_jsn **again)
{
    if (chain_reusable(e)) {
        *again = kl_clone(w->c, e);
        return e;
    }
    char hint[48];
    chain_hint(e, hint, sizeof hint);
    struct kb_jsn *t = kl_temp(w->c, hint, e->start);
    kl_declare(w, t);
    *again = kl_clone(w->c, t);
    struct kb_jsn *set = kl_assign(w->c, t, e);
    set->start = set->end = e->start;
    return set;
}

/* Evaluates e once, adds `e == null` to the tests and returns what reads
 * e's value afterwards. */
static struct kb_jsn *
chain_test(struct kl_walk *w, struct kb_jsn *e, struct kb_jsn **tests)
{
    struct kl_ctx *c = w->c;
    struct kb_jsn *again;
    struct kb_jsn *first = chain_once(w, e, &again);
    struct kb_jsn *t = kl_binary(c, KB_JS_OP_EQ, first, kl_node(c, KB_JSN_NULL_LIT, e->start));
    *tests = *tests ? kl_logical(c, KB_JS_OP_OR, *tests, t) : t;
    return again;
}

/* For a callee about to be evaluated: sets *thisv to the `this` the call
 * needs (the object of a member, or of a lowered `(a?.b)`), evaluating the
 * object once, and returns the callee to evaluate. */
static struct kb_jsn *
chain_split_this(struct kl_walk *w, struct kb_jsn *callee, struct kb_jsn **thisv)
{
    *thisv = NULL;
    struct chain_lift *l = chain_take(w, callee);
    if (l) {
        *thisv = l->thisv;
    } else if (callee->kind == KB_JSN_MEMBER && callee->a->kind == KB_JSN_SUPER) {
        *thisv = kl_node(w->c, KB_JSN_THIS, callee->start);
    } else if (callee->kind == KB_JSN_MEMBER) {
        callee->a = chain_once(w, callee->a, thisv);
    }
    return callee;
}

/* callee(args) as callee.call(thisv, args). */
static void
chain_call_with(struct kl_ctx *c, struct kb_jsn *call, struct kb_jsn *callee, struct kb_jsn *thisv)
{
    call->a = kl_member(c, callee, "call");
    thisv->next = call->b;
    call->b = thisv;
}

/*
 * Rebuilds the links of a chain from its base out (recursing down ->a, at
 * most the parser's depth): each optional link tests the value before it,
 * then reads it again from its temporary. Returns the chain's last link.
 */
static struct kb_jsn *
chain_links(struct kl_walk *w, struct kb_jsn *n, struct kb_jsn **tests)
{
    if (n->kind != KB_JSN_MEMBER && n->kind != KB_JSN_CALL)
        return n;
    struct kb_jsn *obj = chain_links(w, n->a, tests);
    if (!(n->flags & KB_JSN_F_OPTIONAL)) {
        n->a = obj;
        return n;
    }
    n->flags &= (uint16_t)~KB_JSN_F_OPTIONAL;
    if (n->kind == KB_JSN_MEMBER) {
        n->a = chain_test(w, obj, tests);
        return n;
    }
    struct kb_jsn *thisv;
    obj = chain_split_this(w, obj, &thisv);
    struct kb_jsn *fn = chain_test(w, obj, tests);
    if (thisv)
        chain_call_with(w->c, n, fn, thisv);
    else
        n->a = fn;
    return n;
}

/* The chain as a conditional: tests ? none : value. */
static struct kb_jsn *
chain_cond(struct kl_ctx *c, struct kb_jsn *tests, struct kb_jsn *none, struct kb_jsn *value,
           uint32_t pos)
{
    if (!tests)
        return value;
    struct kb_jsn *r = kl_cond(c, tests, none, value);
    r->start = r->end = pos;
    return r;
}

/* `(a?.b)(...)`: the chain ends in a member whose object the call needs
 * as its `this`. */
static struct kb_jsn *
chain_callee(struct kl_walk *w, struct kb_jsn *n)
{
    struct kl_ctx *c = w->c;
    struct kb_jsn *m = n->a, *tests = NULL, *thisv;
    struct kb_jsn *obj = chain_links(w, m->a, &tests);
    if (m->flags & KB_JSN_F_OPTIONAL) {
        m->flags &= (uint16_t)~KB_JSN_F_OPTIONAL;
        m->a = chain_test(w, obj, &tests);
        thisv = kl_clone(c, m->a);
    } else if (obj->kind == KB_JSN_SUPER) {
        m->a = obj;
        thisv = kl_node(c, KB_JSN_THIS, n->start);
    } else {
        m->a = chain_once(w, obj, &thisv);
    }
    struct kb_jsn *r = chain_cond(c, tests, kl_undefined(c, n->start), m, n->start);
    chain_push(w, r, thisv);
    return r;
}

static struct kb_jsn *
chain_lower(struct kl_walk *w, struct kb_jsn *n)
{
    struct kl_ctx *c = w->c;
    struct kb_jsn *parent = kl_parent(w);
    if (chain_take(w, n)) { /* delete a?.b: enter replaced the UNARY with n */
        struct kb_jsn *tests = NULL;
        struct kb_jsn *del = kl_unary(c, KB_JS_OP_DELETE, chain_links(w, n->a, &tests));
        return chain_cond(c, tests, kl_node(c, KB_JSN_TRUE_LIT, n->start), del, n->start);
    }
    if (parent && parent->kind == KB_JSN_CALL && parent->a == n && n->a->kind == KB_JSN_MEMBER)
        return chain_callee(w, n);
    struct kb_jsn *tests = NULL;
    struct kb_jsn *value = chain_links(w, n->a, &tests);
    return chain_cond(c, tests, kl_undefined(c, n->start), value, n->start);
}

/* a ?? b: (_a = a) != null ? _a : b. */
static struct kb_jsn *
chain_nullish(struct kl_walk *w, struct kb_jsn *n)
{
    struct kl_ctx *c = w->c;
    struct kb_jsn *again;
    struct kb_jsn *first = chain_once(w, n->a, &again);
    struct kb_jsn *t = kl_binary(c, KB_JS_OP_NE, first, kl_node(c, KB_JSN_NULL_LIT, n->start));
    struct kb_jsn *r = kl_cond(c, t, again, n->b);
    r->start = r->end = n->start;
    return r;
}

static struct kb_jsn *
chain_enter(struct kl_walk *w, struct kb_jsn *n, bool *skip)
{
    (void)skip;
    if (n->kind == KB_JSN_UNARY && n->op == KB_JS_OP_DELETE && n->a->kind == KB_JSN_CHAIN &&
        (w->c->lower & KL_BIT(KL_F_OPT_CHAIN))) {
        chain_push(w, n->a, NULL);
        return n->a;
    }
    return n;
}

static struct kb_jsn *
chain_leave(struct kl_walk *w, struct kb_jsn *n)
{
    struct kl_ctx *c = w->c;
    switch (n->kind) {
    case KB_JSN_CHAIN:
        if (c->lower & KL_BIT(KL_F_OPT_CHAIN))
            return chain_lower(w, n);
        break;
    case KB_JSN_LOGICAL:
        if (n->op == KB_JS_OP_NULLISH && (c->lower & KL_BIT(KL_F_NULLISH)))
            return chain_nullish(w, n);
        break;
    case KB_JSN_CALL:
        if (!(n->flags & KB_JSN_F_OPTIONAL)) {
            struct chain_lift *l = chain_take(w, n->a);
            if (l)
                chain_call_with(c, n, n->a, l->thisv);
        }
        break;
    default: break;
    }
    return n;
}

void
kl_pass_chain(struct kl_ctx *c)
{
    struct chain_state st = { 0 };
    struct kl_walk w = { .c = c, .data = &st, .enter = chain_enter, .leave = chain_leave };
    kl_walk(&w);
}
