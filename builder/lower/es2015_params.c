/*
 * ES2015 default and rest parameters, for ES5 (arrows are functions by now).
 *
 *   function f([a], b = a + 1, {c}, ...r) { body }
 *   ->
 *   function f(_ref) {
 *     var [a] = _ref;
 *     var b = arguments.length > 1 && arguments[1] !== void 0 ? arguments[1] : a + 1;
 *     var {c} = arguments.length > 2 ? arguments[2] : void 0;
 *     for (var _len = arguments.length, r = new Array(_len > 3 ? _len - 3 : 0),
 *          _key = 3; _key < _len; _key++) r[_key - 3] = arguments[_key];
 *     body
 *   }
 *
 * The parameters from the first default or rest on move into the body, in
 * order, so defaults are evaluated left to right, only for a missing or
 * undefined argument, and see the earlier parameters; f.length still
 * counts the parameters before the first default. Patterns become `var`
 * patterns for the destructuring pass, those before the first default
 * bound from a parameter of their own (`_ref`), in order with the rest. Limits
 * (docs/internals/lowering/ es5-syntax.md): the defaults share the body's scope (a closure in a
 * default sees the body's vars and hoisted functions), the `arguments` of
 * sloppy code stays mapped to the parameters kept, and a generator's
 * defaults run at its first next() rather than at the call.
 */
#include "builder/lower/internal.h"

#include <string.h>

static struct kb_jsn *
pm_arguments(struct kl_ctx *c, uint32_t pos)
{
    return kl_ident(c, "arguments", pos);
}

/* arguments[i] */
static struct kb_jsn *
pm_arg(struct kl_ctx *c, uint32_t i, uint32_t pos)
{
    return kl_index(c, pm_arguments(c, pos), kl_num(c, i, pos));
}

/* arguments.length > i */
static struct kb_jsn *
pm_has(struct kl_ctx *c, uint32_t i, uint32_t pos)
{
    return kl_binary(c, KB_JS_OP_GT, kl_member(c, pm_arguments(c, pos), "length"),
                     kl_num(c, i, pos));
}

/* for (var _len = arguments.length, r = new Array(_len > i ? _len - i : 0),
 *      _key = i; _key < _len; _key++) r[_key - i] = arguments[_key]; */
static struct kb_jsn *
pm_rest(struct kl_ctx *c, struct kb_jsn *r, uint32_t i, uint32_t pos)
{
    struct kb_jsn *len = kl_temp(c, "len", pos), *key = kl_temp(c, "key", pos);
    struct kb_jsn *size = kl_clone(c, len);
    if (i)
        size = kl_cond(c, kl_binary(c, KB_JS_OP_GT, kl_clone(c, len), kl_num(c, i, pos)),
                       kl_binary(c, KB_JS_OP_MINUS, kl_clone(c, len), kl_num(c, i, pos)),
                       kl_num(c, 0, pos));
    struct kb_jsn *array = kl_node(c, KB_JSN_NEW, pos);
    array->a = kl_ident(c, "Array", pos);
    array->b = size;
    struct kb_jsn *init = kl_var(c, KB_JS_VAR, len, kl_member(c, pm_arguments(c, pos), "length"));
    init->a->next = kl_var(c, KB_JS_VAR, kl_clone(c, r), array)->a;
    init->a->next->next = kl_var(c, KB_JS_VAR, key, kl_num(c, i, pos))->a;
    struct kb_jsn *slot = kl_clone(c, key);
    if (i)
        slot = kl_binary(c, KB_JS_OP_MINUS, slot, kl_num(c, i, pos));
    struct kb_jsn *step = kl_node(c, KB_JSN_UPDATE, pos);
    step->op = KB_JS_OP_INC;
    step->a = kl_clone(c, key);
    struct kb_jsn *loop = kl_node(c, KB_JSN_FOR, pos);
    loop->a = init;
    loop->b = kl_binary(c, KB_JS_OP_LT, kl_clone(c, key), kl_clone(c, len));
    loop->c = step;
    loop->d = kl_expr_stmt(c, kl_assign(c, kl_index(c, kl_clone(c, r), slot),
                                        kl_index(c, pm_arguments(c, pos), kl_clone(c, key))));
    return loop;
}

/* The statements that bind parameter p, the i-th. */
static struct kb_jsn *
pm_param(struct kl_ctx *c, struct kb_jsn *p, uint32_t i)
{
    uint32_t pos = p->start;
    if (p->kind == KB_JSN_REST) {
        if (p->a->kind == KB_JSN_IDENT)
            return pm_rest(c, p->a, i, pos);
        struct kb_jsn *tmp = kl_temp(c, "ref", pos);
        struct kb_jsn *loop = pm_rest(c, tmp, i, pos);
        loop->next = kl_var(c, KB_JS_VAR, p->a, kl_clone(c, tmp));
        return loop;
    }
    if (p->kind == KB_JSN_ASSIGN_PAT) {
        struct kb_jsn *given =
            kl_logical(c, KB_JS_OP_AND, pm_has(c, i, pos),
                       kl_binary(c, KB_JS_OP_SNE, pm_arg(c, i, pos), kl_undefined(c, pos)));
        return kl_var(c, KB_JS_VAR, p->a, kl_cond(c, given, pm_arg(c, i, pos), p->b));
    }
    return kl_var(c, KB_JS_VAR, p,
                  kl_cond(c, pm_has(c, i, pos), pm_arg(c, i, pos), kl_undefined(c, pos)));
}

/* A declaration an earlier pass put first that a default may use: only
 * captures (`var _this = this, _arguments = arguments`) and temporaries
 * without a value. Anything else there (object rest's `var {a} = _ref`)
 * reads the parameters, so it must come after them. */
static bool
pm_is_capture(const struct kb_jsn *s)
{
    if (s->kind != KB_JSN_VAR_DECL || s->end != s->start)
        return false;
    for (const struct kb_jsn *d = s->a; d; d = d->next) {
        const struct kb_jsn *v = d->b;
        if (d->a->kind != KB_JSN_IDENT)
            return false;
        if (v && v->kind != KB_JSN_THIS &&
            !(v->kind == KB_JSN_IDENT && v->str && !strcmp(v->str, "arguments")))
            return false;
    }
    return true;
}

/* Where the parameters' statements go: after the directives and the
 * captures earlier passes put first, which a default may use. */
static struct kb_jsn **
pm_body_start(struct kb_jsn *fn)
{
    struct kb_jsn **at = &fn->c->a;
    while (*at && (*at)->kind == KB_JSN_EXPR_STMT && ((*at)->flags & KB_JSN_F_DIRECTIVE))
        at = &(*at)->next;
    while (*at && pm_is_capture(*at))
        at = &(*at)->next;
    return at;
}

static bool
pm_is_pattern(const struct kb_jsn *p)
{
    return p->kind == KB_JSN_OBJECT_PAT || p->kind == KB_JSN_ARRAY_PAT;
}

static void
pm_function(struct kl_ctx *c, struct kb_jsn *fn)
{
    struct kb_jsn **pp = &fn->b;
    while (*pp && (*pp)->kind != KB_JSN_ASSIGN_PAT && (*pp)->kind != KB_JSN_REST)
        pp = &(*pp)->next;
    if (!*pp)
        return;
    struct kb_jsn *stmts = NULL, **tail = &stmts;
    /* The patterns before: a parameter of their own, bound in order. */
    for (struct kb_jsn **q = &fn->b; q != pp; q = &(*q)->next) {
        if (!pm_is_pattern(*q))
            continue;
        struct kb_jsn *p = *q, *t = kl_temp(c, "ref", p->start);
        t->next = p->next;
        p->next = NULL;
        *q = t;
        *tail = kl_var(c, KB_JS_VAR, p, kl_clone(c, t));
        tail = &(*tail)->next;
        if (pp == &p->next)
            pp = &t->next;
    }
    uint32_t i = 0;
    for (struct kb_jsn *p = fn->b; p != *pp; p = p->next)
        i++;
    for (struct kb_jsn *p = *pp, *next; p; p = next, i++) {
        next = p->next;
        p->next = NULL;
        *tail = pm_param(c, p, i);
        while (*tail)
            tail = &(*tail)->next;
    }
    *pp = NULL;
    struct kb_jsn **at = pm_body_start(fn);
    *tail = *at;
    *at = stmts;
    fn->flags |= KB_JSN_F_SIMPLE;
}

static struct kb_jsn *
pm_leave(struct kl_walk *w, struct kb_jsn *n)
{
    if (n->kind == KB_JSN_FUNC_DECL || n->kind == KB_JSN_FUNC_EXPR)
        pm_function(w->c, n);
    return n;
}

void
kl_pass_params(struct kl_ctx *c)
{
    struct kl_walk w = { .c = c, .leave = pm_leave };
    kl_walk(&w);
}
