/*
 * ES2015 destructuring, for ES5, in every position: declarations (var, let
 * and const keep their kind, temporaries included), assignments, for-in
 * heads, catch parameters and function parameters (for-of heads are in
 * their bodies already, defaults and rest in function bodies).
 *
 *   const {a, b: [c, d = f()]} = o
 *   ->
 *   const a = o.a, _ref = _slicedToArray(o.b, 2), c = _ref[0],
 *         _ref2 = _ref[1], d = _ref2 === void 0 ? f() : _ref2
 *
 *   x = [a, b] = [b, a]   ->  x = (_ref = [b, a], _ref2 = _slicedToArray(_ref, 2),
 *                                  a = _ref2[0], b = _ref2[1], _ref)
 *   catch ({message}) {}  ->  catch (_ref) { let message = _ref.message; }
 *   function f({a}) {}    ->  function f(_ref) { var a = _ref.a; }
 *
 * Each source is read once (a temporary unless it is a declaration's
 * identifier that no target rebinds and no default or computed key can
 * change), each property once, in order; defaults are evaluated only for
 * undefined; `{} = null` throws (_objectDestructuringEmpty), as a property
 * read from null or undefined does. Array patterns take at most n values
 * from the iterator and close it (_slicedToArray; a real array is read
 * directly), a rest element takes the rest (_toArray). The iterator is
 * stepped before the element defaults are evaluated (docs/internals/
 * lowering/es5-syntax.md). Object rest was lowered by the ES2018 pass.
 */
#include "builder/lower/internal.h"

#include <string.h>

/* Where the bindings of one pattern go. */
struct ds {
    struct kl_walk *w;
    int kind;                   /* KB_JS_VAR, LET, CONST; 0: assignments */
    struct kb_jsn *out, **tail; /* DECLARATORs, or expressions */
    struct kb_jsn *fresh;       /* what ds_hold returned last: a temporary read freely */
};

static bool
ds_is_pattern(const struct kb_jsn *n)
{
    return n && (n->kind == KB_JSN_OBJECT_PAT || n->kind == KB_JSN_ARRAY_PAT);
}

static void
ds_push(struct ds *d, struct kb_jsn *target, struct kb_jsn *value)
{
    struct kl_ctx *c = d->w->c;
    struct kb_jsn *n = d->kind ? kl_var(c, d->kind, target, value)->a : kl_assign(c, target, value);
    *d->tail = n;
    d->tail = &n->next;
}

/* A fresh temporary bound to value; returns a reference to it. */
static struct kb_jsn *
ds_hold(struct ds *d, struct kb_jsn *value)
{
    struct kl_ctx *c = d->w->c;
    struct kb_jsn *t = kl_temp(c, "ref", value->start);
    if (!d->kind)
        kl_declare(d->w, t);
    ds_push(d, t, value);
    return d->fresh = kl_clone(c, t);
}

/* value evaluated for its effect only. */
static void
ds_effect(struct ds *d, struct kb_jsn *value)
{
    if (d->kind) {
        ds_hold(d, value);
        return;
    }
    *d->tail = value;
    d->tail = &value->next;
}

static void ds_bind(struct ds *d, struct kb_jsn *target, struct kb_jsn *value);

/* Whether reading the identifier name again for each property gives the
 * same object: no default or computed key runs code in between, and no
 * target rebinds it. */
static bool
ds_stable(const struct kb_jsn *pat, const char *name)
{
    switch (pat->kind) {
    case KB_JSN_IDENT: return strcmp(pat->str, name) != 0;
    case KB_JSN_OBJECT_PAT:
        for (const struct kb_jsn *p = pat->a; p; p = p->next)
            if (p->kind != KB_JSN_PROPERTY || (p->flags & KB_JSN_F_COMPUTED) ||
                !ds_stable(p->b, name))
                return false;
        return true;
    case KB_JSN_ARRAY_PAT:
        for (const struct kb_jsn *p = pat->a; p; p = p->next)
            if (p->kind != KB_JSN_HOLE && !ds_stable(p->kind == KB_JSN_REST ? p->a : p, name))
                return false;
        return true;
    default: return false;
    }
}

static bool
ds_identifier_name(const char *s, uint32_t len)
{
    if (!len || strlen(s) != len || (s[0] >= '0' && s[0] <= '9'))
        return false;
    for (uint32_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (!((ch | 0x20) >= 'a' && (ch | 0x20) <= 'z') && !(ch >= '0' && ch <= '9') && ch != '_' &&
            ch != '$')
            return false;
    }
    return true;
}

/* src.key / src[key] for an object pattern's property p. */
static struct kb_jsn *
ds_read(struct kl_ctx *c, struct kb_jsn *src, struct kb_jsn *p)
{
    struct kb_jsn *k = p->a;
    if (!(p->flags & KB_JSN_F_COMPUTED) &&
        (k->kind == KB_JSN_IDENT || (k->kind == KB_JSN_STR && ds_identifier_name(k->str, k->len))))
        return kl_member(c, src, k->str);
    return kl_index(c, src, k);
}

static void
ds_object(struct ds *d, struct kb_jsn *pat, struct kb_jsn *value)
{
    struct kl_ctx *c = d->w->c;
    if (!pat->a) {
        ds_effect(d,
                  kl_callv(c, kl_helper(c, "objectDestructuringEmpty", pat->start), value, NULL));
        return;
    }
    struct kb_jsn *src = value;
    bool once = !pat->a->next;
    bool reuse =
        value == d->fresh || (d->kind && value->kind == KB_JSN_IDENT &&
                              strcmp(value->str, "arguments") != 0 && ds_stable(pat, value->str));
    if (!once && !reuse)
        src = ds_hold(d, value);
    for (struct kb_jsn *p = pat->a, *next; p; p = next) {
        next = p->next;
        if (p->kind != KB_JSN_PROPERTY)
            kl_fail(c, p, "object rest in a pattern (internal error: the ES2018 pass lowers it)");
        ds_bind(d, p->b, ds_read(c, once ? src : kl_clone(c, src), p));
    }
}

static void
ds_array(struct ds *d, struct kb_jsn *pat, struct kb_jsn *value)
{
    struct kl_ctx *c = d->w->c;
    uint32_t n = 0, used = 0;
    struct kb_jsn *rest = NULL, *only = NULL;
    for (struct kb_jsn *p = pat->a; p; p = p->next) {
        if (p->kind == KB_JSN_REST) {
            rest = p;
            break;
        }
        n++;
        if (p->kind != KB_JSN_HOLE) {
            used++;
            only = p;
        }
    }
    struct kb_jsn *array = rest ? kl_callv(c, kl_helper(c, "toArray", pat->start), value, NULL)
                                : kl_callv(c, kl_helper(c, "slicedToArray", pat->start), value,
                                           kl_num(c, n, pat->start), NULL);
    if (!used && !rest) {
        ds_effect(d, array);
        return;
    }
    if (used == 1 && !rest) {
        uint32_t i = 0;
        for (struct kb_jsn *p = pat->a; p != only; p = p->next)
            i++;
        only->next = NULL;
        ds_bind(d, only, kl_index(c, array, kl_num(c, i, only->start)));
        return;
    }
    struct kb_jsn *src = ds_hold(d, array);
    uint32_t i = 0;
    for (struct kb_jsn *p = pat->a, *next; p; p = next, i++) {
        next = p->next;
        p->next = NULL; /* a target now, out of the pattern's list */
        if (p->kind == KB_JSN_HOLE)
            continue;
        if (p->kind == KB_JSN_REST) {
            struct kb_jsn *slice = kl_member(c, kl_clone(c, src), "slice");
            ds_bind(d, p->a, kl_callv(c, slice, kl_num(c, i, p->start), NULL));
            break;
        }
        ds_bind(d, p, kl_index(c, kl_clone(c, src), kl_num(c, i, p->start)));
    }
}

static void
ds_bind(struct ds *d, struct kb_jsn *target, struct kb_jsn *value)
{
    struct kl_ctx *c = d->w->c;
    switch (target->kind) {
    case KB_JSN_ASSIGN_PAT: {
        struct kb_jsn *v = ds_hold(d, value);
        struct kb_jsn *test = kl_binary(c, KB_JS_OP_SEQ, v, kl_undefined(c, target->start));
        ds_bind(d, target->a, kl_cond(c, test, target->b, kl_clone(c, v)));
        break;
    }
    case KB_JSN_OBJECT_PAT: ds_object(d, target, value); break;
    case KB_JSN_ARRAY_PAT: ds_array(d, target, value); break;
    default: ds_push(d, target, value); break;
    }
}

/* ---- Positions ---- */

/* The declarators of decl with their patterns expanded. */
static struct kb_jsn *
ds_declaration(struct kl_walk *w, struct kb_jsn *decl)
{
    struct ds d = { .w = w, .kind = decl->op };
    d.tail = &d.out;
    for (struct kb_jsn *x = decl->a, *next; x; x = next) {
        next = x->next;
        x->next = NULL;
        if (!ds_is_pattern(x->a)) {
            *d.tail = x;
            d.tail = &x->next;
        } else if (!x->b) {
            kl_fail(w->c, x, "a destructuring declaration without a value");
        } else {
            ds_bind(&d, x->a, x->b);
        }
    }
    decl->a = d.out;
    return decl;
}

static bool
ds_value_unused(struct kl_walk *w, const struct kb_jsn *n)
{
    const struct kb_jsn *p = kl_parent(w);
    return p && ((p->kind == KB_JSN_EXPR_STMT && p->a == n) ||
                 (p->kind == KB_JSN_FOR && (p->a == n || p->c == n)));
}

/* pattern = value as an expression whose value is value's. */
static struct kb_jsn *
ds_assignment(struct kl_walk *w, struct kb_jsn *n)
{
    struct ds d = { .w = w };
    d.tail = &d.out;
    if (ds_value_unused(w, n)) {
        ds_bind(&d, n->a, n->b);
    } else {
        struct kb_jsn *src = ds_hold(&d, n->b);
        ds_bind(&d, n->a, src);
        *d.tail = kl_clone(w->c, src);
    }
    return kl_seq(w->c, d.out);
}

/* for (const [k, v] in o) body  ->  for (const _ref in o) { const [k, v] = _ref; body } */
static void
ds_for_in(struct kl_walk *w, struct kb_jsn *n)
{
    struct kl_ctx *c = w->c;
    struct kb_jsn *head = n->a, *bind;
    struct kb_jsn *t = kl_temp(c, "ref", head->start);
    if (head->kind == KB_JSN_VAR_DECL) {
        if (!ds_is_pattern(head->a->a))
            return;
        bind = kl_var(c, head->op, head->a->a, kl_clone(c, t));
        head->a->a = t;
    } else {
        if (!ds_is_pattern(head))
            return;
        kl_declare(w, t);
        bind = kl_expr_stmt(c, kl_assign(c, head, kl_clone(c, t)));
        n->a = kl_clone(c, t);
    }
    n->d = kl_prepend_body(c, bind, n->d);
}

/* catch ({message}) {}  ->  catch (_ref) { let {message} = _ref; } */
static void
ds_catch(struct kl_walk *w, struct kb_jsn *n)
{
    struct kl_ctx *c = w->c;
    if (!ds_is_pattern(n->a))
        return;
    struct kb_jsn *t = kl_temp(c, "ref", n->a->start);
    struct kb_jsn *bind = kl_var(c, KB_JS_LET, n->a, kl_clone(c, t));
    n->a = t;
    bind->next = n->b->a;
    n->b->a = bind;
    c->lower |= KL_BIT(KL_F_LET_CONST);
}

/* function f({a}, b) {}  ->  function f(_ref, b) { var {a} = _ref; } (a
 * function without defaults: the parameters pass binds the others') */
static void
ds_params(struct kl_walk *w, struct kb_jsn *fn)
{
    struct kl_ctx *c = w->c;
    struct kb_jsn *stmts = NULL, **tail = &stmts;
    for (struct kb_jsn **pp = &fn->b; *pp; pp = &(*pp)->next) {
        struct kb_jsn *p = *pp;
        if (!ds_is_pattern(p))
            continue;
        struct kb_jsn *t = kl_temp(c, "ref", p->start);
        t->next = p->next;
        p->next = NULL;
        *pp = t;
        *tail = kl_var(c, KB_JS_VAR, p, kl_clone(c, t));
        tail = &(*tail)->next;
    }
    if (!stmts)
        return;
    if (fn->flags & KB_JSN_F_EXPR_BODY) {
        fn->c = kl_block(c, kl_return(c, fn->c), fn->c->start);
        fn->flags &= (uint16_t)~KB_JSN_F_EXPR_BODY;
    }
    struct kb_jsn **at = &fn->c->a; /* after the directives and earlier passes' captures */
    while (*at && (*at)->kind == KB_JSN_EXPR_STMT && ((*at)->flags & KB_JSN_F_DIRECTIVE))
        at = &(*at)->next;
    while (*at && (*at)->kind == KB_JSN_VAR_DECL && (*at)->end == (*at)->start)
        at = &(*at)->next;
    *tail = *at;
    *at = stmts;
    fn->flags |= KB_JSN_F_SIMPLE;
}

/* Moves the patterns of loop heads, catch and parameters into statements,
 * which the walk then visits. */
static struct kb_jsn *
ds_enter(struct kl_walk *w, struct kb_jsn *n, bool *skip)
{
    (void)skip;
    switch (n->kind) {
    case KB_JSN_FOR_IN:
    case KB_JSN_FOR_OF: ds_for_in(w, n); break;
    case KB_JSN_CATCH: ds_catch(w, n); break;
    case KB_JSN_FUNC_DECL:
    case KB_JSN_FUNC_EXPR:
    case KB_JSN_ARROW: ds_params(w, n); break;
    default: break;
    }
    return n;
}

static struct kb_jsn *
ds_leave(struct kl_walk *w, struct kb_jsn *n)
{
    if (n->kind == KB_JSN_VAR_DECL)
        return ds_declaration(w, n);
    if (n->kind == KB_JSN_ASSIGN && n->op == KB_JS_OP_ASSIGN && ds_is_pattern(n->a))
        return ds_assignment(w, n);
    return n;
}

void
kl_pass_destructure(struct kl_ctx *c)
{
    struct kl_walk w = { .c = c, .enter = ds_enter, .leave = ds_leave };
    kl_walk(&w);
}
