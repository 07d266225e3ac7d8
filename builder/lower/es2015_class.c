/*
 * ES2015 classes to ES5 constructor functions. The ES2022 pass has already
 * moved fields and static blocks out, so a class holds a constructor,
 * methods and accessors, static or not, with plain or computed keys:
 *
 *   class B extends A { constructor(x) { super(x); this.y = 1; }
 *                       m() { return super.m() + 1; } static s() {} }
 * becomes
 *   let B = function (_A) {
 *     "use strict";                             (when the code around is sloppy)
 *     function B(x) {
 *       var _this;
 *       _classCallCheck(this, B);
 *       _this = _callSuper(this, B, [x]);
 *       _this.y = 1;
 *       return _this;
 *     }
 *     _inherits(B, _A);
 *     return _createClass(B, [{ key: "m", value: function m() {
 *       return _get(_getPrototypeOf(B.prototype), "m", this).call(this) + 1; } }],
 *       [{ key: "s", value: function s() {} }]);
 *   }(A);
 *
 * A declaration becomes `let` (the block-scoping pass gives it its TDZ and
 * makes it var); inside, the function's own name is the class's immutable
 * inner binding. The heritage and every computed key that is not a plain
 * name or literal are evaluated in order, outside the IIFE, as its
 * arguments (so `this`, `arguments`, `yield` and `await` in them keep
 * their meaning). In a derived constructor `this` is `_this`, checked by
 * _assertThisInitialized where super() may not have run yet (everywhere
 * before the first top-level super() statement, and inside arrows defined
 * there), also inside arrows (the arrow pass runs later) but not inside
 * nested functions; `return e` goes through _possibleConstructorReturn.
 * `super.x` reads, calls and assignments go through _get and _set on the
 * home object's prototype. new.target in a constructor is
 * `this.constructor` of the receiver. What ES5 allows for built-ins is in
 * _callSuper: docs/internals/lowering/es5-classes-scoping.md.
 */
#include "builder/lower/internal.h"

#include <stdlib.h>
#include <string.h>

/* The pass: its first error waits for the walk's end (kl_fail would leave
 * the walks' stacks behind). */
struct cls_pass {
    const struct kb_jsn *err_at;
    const char *err;
};

static void
cls_error(struct cls_pass *p, const struct kb_jsn *at, const char *msg)
{
    if (!p->err_at) {
        p->err_at = at;
        p->err = msg;
    }
}

/* The class being lowered. */
struct cls {
    struct kl_ctx *c;
    struct cls_pass *pass;
    struct kb_jsn *node;
    const char *name; /* the constructor function's name */
    const char *self; /* how members refer to the class: name, or an alias */
    bool derived;
};

/* The member function being rewritten. */
struct cls_fn {
    struct cls *k;
    struct kb_jsn *root; /* its FUNC_EXPR */
    bool is_static, ctor;
    struct kb_jsn *this_id;    /* derived constructor: _this */
    struct kb_jsn *super_stmt; /* the first top-level super() statement */
    bool after_super;          /* the walk is past super_stmt */
};

static bool
cls_is_super_member(const struct kb_jsn *n)
{
    return n && n->kind == KB_JSN_MEMBER && n->a->kind == KB_JSN_SUPER;
}

/* Whether any IDENT below n (n included) is named name. */
static bool
cls_mentions(const struct kb_jsn *n, const char *name)
{
    if (n->kind == KB_JSN_IDENT && !strcmp(n->str, name))
        return true;
    const struct kb_jsn *slots[4] = { n->a, n->b, n->c, n->d };
    for (int i = 0; i < 4; i++)
        for (const struct kb_jsn *q = slots[i]; q; q = q->next)
            if (cls_mentions(q, name))
                return true;
    return false;
}

/* Whether an IDENT below n named name is bound to something other than
 * the class's inner binding (whose scope is the class node). */
static bool
cls_shadows(const struct kl_ctx *c, const struct kb_jsn *n, const char *name,
            const struct kb_jsn *klass)
{
    if (n->kind == KB_JSN_IDENT && n->binding && !strcmp(n->str, name)) {
        const struct kb_js_binding *b = &c->ast->bindings[n->binding - 1];
        if (c->ast->scopes[b->scope].node != klass)
            return true;
    }
    const struct kb_jsn *slots[4] = { n->a, n->b, n->c, n->d };
    for (int i = 0; i < 4; i++)
        for (const struct kb_jsn *q = slots[i]; q; q = q->next)
            if (cls_shadows(c, q, name, klass))
                return true;
    return false;
}

/* ---- Member bodies: this, super, new.target, return ---- */

/* What `this` means at the visited node: the receiver, or in a derived
 * constructor `_this` (checked unless super() surely ran). */
static struct kb_jsn *
cls_this(struct cls_fn *f, uint32_t pos)
{
    struct kl_ctx *c = f->k->c;
    if (!f->this_id)
        return kl_node(c, KB_JSN_THIS, pos);
    struct kb_jsn *id = kl_ident(c, f->this_id->str, pos);
    if (f->after_super)
        return id;
    return kl_callv(c, kl_helper(c, "assertThisInitialized", pos), id, NULL);
}

/* _getPrototypeOf(C.prototype), or _getPrototypeOf(C) in a static member. */
static struct kb_jsn *
cls_home(struct cls_fn *f, uint32_t pos)
{
    struct kl_ctx *c = f->k->c;
    struct kb_jsn *home = kl_ident(c, f->k->self, pos);
    if (!f->is_static)
        home = kl_member(c, home, "prototype");
    return kl_callv(c, kl_helper(c, "getPrototypeOf", pos), home, NULL);
}

/* The key of super.x ("x") or super[e] (e, walked). */
static struct kb_jsn *
cls_super_key(struct kl_walk *w, struct kb_jsn *m)
{
    if (m->flags & KB_JSN_F_COMPUTED) {
        kl_walk_slot(w, &m->b);
        return m->b;
    }
    return kl_str(w->c, m->b->str, m->b->start);
}

static struct kb_jsn *
cls_get(struct cls_fn *f, struct kb_jsn *key, uint32_t pos)
{
    struct kl_ctx *c = f->k->c;
    return kl_callv(c, kl_helper(c, "get", pos), cls_home(f, pos), key, cls_this(f, pos), NULL);
}

/* The binary operator of a compound assignment (+= gives +). */
static int
cls_compound_op(int op)
{
    static const int map[][2] = {
        { KB_JS_OP_ADD_ASSIGN, KB_JS_OP_PLUS },    { KB_JS_OP_SUB_ASSIGN, KB_JS_OP_MINUS },
        { KB_JS_OP_MUL_ASSIGN, KB_JS_OP_STAR },    { KB_JS_OP_DIV_ASSIGN, KB_JS_OP_SLASH },
        { KB_JS_OP_MOD_ASSIGN, KB_JS_OP_PERCENT }, { KB_JS_OP_POW_ASSIGN, KB_JS_OP_STARSTAR },
        { KB_JS_OP_SHL_ASSIGN, KB_JS_OP_SHL },     { KB_JS_OP_SAR_ASSIGN, KB_JS_OP_SAR },
        { KB_JS_OP_SHR_ASSIGN, KB_JS_OP_SHR },     { KB_JS_OP_AND_ASSIGN, KB_JS_OP_AMP },
        { KB_JS_OP_OR_ASSIGN, KB_JS_OP_PIPE },     { KB_JS_OP_XOR_ASSIGN, KB_JS_OP_CARET },
    };
    for (size_t i = 0; i < sizeof map / sizeof *map; i++)
        if (map[i][0] == op)
            return map[i][1];
    return 0;
}

/* super.x = v, super.x op= v, ++super.x, super.x++ (n an ASSIGN or UPDATE
 * whose target is a super member): _set(home, key, value, this). */
static struct kb_jsn *
cls_super_store(struct kl_walk *w, struct cls_fn *f, struct kb_jsn *n)
{
    struct kl_ctx *c = w->c;
    struct kb_jsn *key = cls_super_key(w, n->a), *again = NULL;
    struct kb_jsn *value, *old = NULL;
    if (n->kind == KB_JSN_ASSIGN && n->op == KB_JS_OP_ASSIGN) {
        kl_walk_slot(w, &n->b);
        value = n->b;
    } else {
        int op = n->kind == KB_JSN_UPDATE ? (n->op == KB_JS_OP_INC ? KB_JS_OP_PLUS : KB_JS_OP_MINUS)
                                          : cls_compound_op(n->op);
        if (!op) {
            cls_error(f->k->pass, n, "this assignment to a super property cannot be lowered");
            return n;
        }
        key = kl_reuse(w, key, "key", &again);
        struct kb_jsn *cur = cls_get(f, again, n->start);
        if (n->kind == KB_JSN_UPDATE) {
            cur = kl_unary(c, KB_JS_OP_PLUS, cur);
            if (!(n->flags & KB_JSN_F_PREFIX)) {
                old = kl_temp(c, "old", n->start);
                kl_declare(w, old);
                cur = kl_assign(c, kl_clone(c, old), cur);
            }
            value = kl_binary(c, op, cur, kl_num(c, 1, n->start));
        } else {
            kl_walk_slot(w, &n->b);
            value = kl_binary(c, op, cur, n->b);
        }
    }
    struct kb_jsn *set = kl_callv(c, kl_helper(c, "set", n->start), cls_home(f, n->start), key,
                                  value, cls_this(f, n->start), NULL);
    if (!old)
        return set;
    set->next = kl_clone(c, old);
    return kl_seq(c, set);
}

/* super.m(args): _get(home, "m", this).call(this, args). */
static struct kb_jsn *
cls_super_call(struct kl_walk *w, struct cls_fn *f, struct kb_jsn *n)
{
    struct kl_ctx *c = w->c;
    struct kb_jsn *key = cls_super_key(w, n->a);
    kl_walk_slot(w, &n->b);
    struct kb_jsn *fn = kl_member(c, cls_get(f, key, n->start), "call");
    struct kb_jsn *self = cls_this(f, n->start);
    self->next = n->b;
    return kl_call(c, fn, self);
}

/* super(args) in a derived constructor (args already walked):
 * (_this = _callSuper(this, C, [args])). */
static struct kb_jsn *
cls_super_ctor(struct cls_fn *f, struct kb_jsn *n)
{
    struct kl_ctx *c = f->k->c;
    struct kb_jsn *args = kl_node(c, KB_JSN_ARRAY, n->start);
    args->a = n->b;
    struct kb_jsn *call =
        kl_callv(c, kl_helper(c, "callSuper", n->start), kl_node(c, KB_JSN_THIS, n->start),
                 kl_ident(c, f->k->self, n->start), args, NULL);
    return kl_assign(c, kl_ident(c, f->this_id->str, n->start), call);
}

/* `return e` / `return` in a derived constructor (e walked). */
static struct kb_jsn *
cls_ctor_return(struct cls_fn *f, struct kb_jsn *n)
{
    struct kl_ctx *c = f->k->c;
    if (!n->a)
        return kl_return(c, cls_this(f, n->start));
    struct kb_jsn *id = kl_ident(c, f->this_id->str, n->start);
    id->next = n->a;
    struct kb_jsn *r =
        kl_return(c, kl_call(c, kl_helper(c, "possibleConstructorReturn", n->start), id));
    r->start = r->end = n->start;
    return r;
}

/* Whether IDENT id names the class's own inner binding, which is
 * immutable inside the class. */
static bool
cls_is_inner_name(const struct cls *k, const struct kb_jsn *id)
{
    if (id->kind != KB_JSN_IDENT || !id->binding)
        return false;
    const struct kb_js_binding *b = &k->c->ast->bindings[id->binding - 1];
    return k->c->ast->scopes[b->scope].node == k->node;
}

/* C = v inside class C: the right side, then a TypeError. */
static struct kb_jsn *
cls_store_inner(struct cls *k, struct kb_jsn *n)
{
    struct kl_ctx *c = k->c;
    struct kb_jsn *err =
        kl_callv(c, kl_helper(c, "readOnlyError", n->start), kl_str(c, n->a->str, n->start), NULL);
    if (n->kind == KB_JSN_UPDATE)
        return err;
    n->b->next = err;
    return kl_seq(c, n->b);
}

static struct kb_jsn *
cls_fn_enter(struct kl_walk *w, struct kb_jsn *n, bool *skip)
{
    struct cls_fn *f = w->data;
    struct kl_ctx *c = w->c;
    switch (n->kind) {
    case KB_JSN_FUNC_DECL:
    case KB_JSN_FUNC_EXPR:
        /* A nested function has its own this, new.target and returns (an
         * object literal's methods their own super: the object pass's). */
        *skip = n != f->root;
        return n;
    case KB_JSN_THIS:
        if (f->this_id)
            return cls_this(f, n->start);
        return n;
    case KB_JSN_META_PROP:
        if (!f->ctor || strcmp(n->a->str, "new") != 0)
            return n;
        *skip = true;
        return kl_member(c, kl_node(c, KB_JSN_THIS, n->start), "constructor");
    case KB_JSN_MEMBER:
        if (!cls_is_super_member(n))
            return n;
        *skip = true;
        return cls_get(f, cls_super_key(w, n), n->start);
    case KB_JSN_CALL:
        if (!cls_is_super_member(n->a))
            return n;
        *skip = true;
        return cls_super_call(w, f, n);
    case KB_JSN_ASSIGN:
    case KB_JSN_UPDATE:
        if (cls_is_inner_name(f->k, n->a))
            return cls_store_inner(f->k, n);
        if (!cls_is_super_member(n->a))
            return n;
        *skip = true;
        return cls_super_store(w, f, n);
    case KB_JSN_RETURN:
        if (!f->this_id || kl_scope_fn(w, true) != f->root) /* an arrow's own return */
            return n;
        *skip = true;
        kl_walk_slot(w, &n->a);
        return cls_ctor_return(f, n);
    default: return n;
    }
}

static struct kb_jsn *
cls_fn_leave(struct kl_walk *w, struct kb_jsn *n)
{
    struct cls_fn *f = w->data;
    if (n == f->super_stmt)
        f->after_super = true;
    if (n->kind == KB_JSN_CALL && n->a->kind == KB_JSN_SUPER) {
        if (!f->this_id) {
            cls_error(f->k->pass, n, "internal error: super() outside a derived constructor");
            return n;
        }
        return cls_super_ctor(f, n);
    }
    return n;
}

/* The body statements after fn's directive prologue, with first put before
 * them. */
static void
cls_prepend(struct kb_jsn *fn, struct kb_jsn *first)
{
    struct kb_jsn **at = &fn->c->a;
    while (*at && (*at)->kind == KB_JSN_EXPR_STMT && ((*at)->flags & KB_JSN_F_DIRECTIVE))
        at = &(*at)->next;
    kl_last(first)->next = *at;
    *at = first;
}

/* Rewrites the member function *slot (a FUNC_EXPR) of class k. */
static void
cls_rewrite_fn(struct cls *k, struct kb_jsn **slot, bool is_static, bool ctor)
{
    struct cls_fn f = { .k = k, .root = *slot, .is_static = is_static, .ctor = ctor };
    if (ctor && k->derived) {
        f.this_id = kl_temp(k->c, "this", (*slot)->start);
        for (struct kb_jsn *s = (*slot)->c->a; s && !f.super_stmt; s = s->next)
            if (s->kind == KB_JSN_EXPR_STMT && s->a->kind == KB_JSN_CALL &&
                s->a->a->kind == KB_JSN_SUPER)
                f.super_stmt = s;
    }
    struct kl_walk w = { .c = k->c, .data = &f, .enter = cls_fn_enter, .leave = cls_fn_leave };
    kl_walk_slot(&w, slot);
    if (f.this_id) {
        struct kb_jsn *body = (*slot)->c;
        struct kb_jsn *last = kl_last(body->a);
        if (!last || last->kind != KB_JSN_RETURN)
            body->a = kl_concat(body->a, kl_return(k->c, cls_this(&f, body->start)));
        cls_prepend(*slot, kl_var(k->c, KB_JS_VAR, f.this_id, NULL));
    }
}

/* ---- The class ---- */

/* function C(params) { _classCallCheck(this, C); body }: from the
 * constructor member, or the default one. */
static struct kb_jsn *
cls_constructor(struct cls *k, struct kb_jsn *member)
{
    struct kl_ctx *c = k->c;
    uint32_t pos = member ? member->start : k->node->start;
    struct kb_jsn *fn;
    if (member) {
        cls_rewrite_fn(k, &member->b, false, true);
        fn = member->b;
    } else {
        fn = kl_function(c, NULL, NULL, NULL, pos);
        if (k->derived) {
            struct kb_jsn *call =
                kl_callv(c, kl_helper(c, "callSuper", pos), kl_node(c, KB_JSN_THIS, pos),
                         kl_ident(c, k->self, pos), kl_ident(c, "arguments", pos), NULL);
            fn->c->a = kl_return(c, call);
        }
    }
    fn->kind = KB_JSN_FUNC_DECL;
    fn->a = kl_ident(c, k->name, pos);
    cls_prepend(fn, kl_expr_stmt(c, kl_callv(c, kl_helper(c, "classCallCheck", pos),
                                             kl_node(c, KB_JSN_THIS, pos),
                                             kl_ident(c, k->self, pos), NULL)));
    return fn;
}

/* A computed key that reads nothing that could change while the class is
 * defined: kept in place inside the IIFE. */
static bool
cls_plain_key(const struct kb_jsn *n)
{
    switch (n->kind) {
    case KB_JSN_STR:
    case KB_JSN_NUM: return true;
    case KB_JSN_IDENT: return strcmp(n->str, "arguments") != 0;
    case KB_JSN_MEMBER: return !(n->flags & KB_JSN_F_COMPUTED) && cls_plain_key(n->a);
    default: return false;
    }
}

/* The IIFE's parameters and arguments: the heritage, computed keys. */
struct cls_args {
    struct kb_jsn *params, *args;
};

static struct kb_jsn *
cls_arg(struct kl_ctx *c, struct cls_args *a, struct kb_jsn *e, const char *hint)
{
    struct kb_jsn *t = kl_temp(c, hint, e->start);
    a->params = kl_concat(a->params, t);
    e->next = NULL;
    a->args = kl_concat(a->args, e);
    return kl_ident(c, t->str, e->start);
}

static struct kb_jsn *
cls_prop(struct kl_ctx *c, const char *name, struct kb_jsn *value)
{
    struct kb_jsn *p = kl_node(c, KB_JSN_PROPERTY, value->start);
    p->op = KB_JS_P_INIT;
    p->a = kl_ident(c, name, value->start);
    p->b = value;
    return p;
}

/* The descriptor's key: "name" for m() {}, the key or its IIFE argument
 * for [e]() {}. */
static struct kb_jsn *
cls_key(struct kl_ctx *c, struct kb_jsn *m, struct cls_args *a)
{
    struct kb_jsn *key = m->a;
    if (m->flags & KB_JSN_F_COMPUTED)
        return cls_plain_key(key) ? key : cls_arg(c, a, key, "key");
    if (key->kind == KB_JSN_IDENT)
        return kl_str(c, key->str, key->start);
    return key;
}

/* The accessor descriptor in list whose key is the same plain key as m's,
 * when it is the last entry with that key and lacks m's half. */
static struct kb_jsn *
cls_pair(struct kb_jsn *list, const struct kb_jsn *m)
{
    if (m->flags & KB_JSN_F_COMPUTED || m->a->kind == KB_JSN_NUM)
        return NULL;
    struct kb_jsn *found = NULL;
    for (struct kb_jsn *d = list; d; d = d->next) {
        const struct kb_jsn *key = d->a->b;
        if (key->kind == KB_JSN_STR && key->len == m->a->len &&
            !memcmp(key->str, m->a->str, key->len))
            found = d;
    }
    if (!found)
        return NULL;
    const char *half = m->op == KB_JS_M_GET ? "get" : "set";
    for (struct kb_jsn *p = found->a; p; p = p->next)
        if (!strcmp(p->a->str, "value") || !strcmp(p->a->str, half))
            return NULL;
    return found;
}

/* { key: k, value: function name() {} } or { key: k, get: ... }, added to
 * *list (merged into the other half of an accessor pair). */
static void
cls_member(struct cls *k, struct kb_jsn *m, struct kb_jsn **list, struct cls_args *a)
{
    struct kl_ctx *c = k->c;
    bool is_static = (m->flags & KB_JSN_F_STATIC) != 0;
    cls_rewrite_fn(k, &m->b, is_static, false);
    struct kb_jsn *fn = m->b;
    const char *what = m->op == KB_JS_M_GET ? "get" : m->op == KB_JS_M_SET ? "set" : "value";
    if (m->op == KB_JS_M_METHOD && !(m->flags & KB_JSN_F_COMPUTED) && m->a->kind == KB_JSN_IDENT &&
        !kl_es5_reserved(m->a->str) && !cls_mentions(fn, m->a->str))
        fn->a = kl_ident(c, m->a->str, m->a->start);
    struct kb_jsn *pair = m->op == KB_JS_M_METHOD ? NULL : cls_pair(*list, m);
    if (pair) {
        kl_concat(pair->a, cls_prop(c, what, fn));
        return;
    }
    struct kb_jsn *d = kl_node(c, KB_JSN_OBJECT, m->start);
    d->a = cls_prop(c, "key", cls_key(c, m, a));
    d->a->next = cls_prop(c, what, fn);
    *list = kl_concat(*list, d);
}

static struct kb_jsn *
cls_array(struct kl_ctx *c, struct kb_jsn *items, uint32_t pos)
{
    if (!items)
        return kl_node(c, KB_JSN_NULL_LIT, pos);
    struct kb_jsn *arr = kl_node(c, KB_JSN_ARRAY, pos);
    arr->a = items;
    return arr;
}

/* Whether the code around the visited node is strict. */
static bool
cls_strict_around(struct kl_walk *w)
{
    for (uint32_t i = w->depth; i-- > 0;) {
        const struct kb_jsn *n = w->stack[i].node;
        if (n->kind == KB_JSN_PROGRAM || n->kind == KB_JSN_FUNC_DECL ||
            n->kind == KB_JSN_FUNC_EXPR || n->kind == KB_JSN_ARROW)
            return (n->flags & KB_JSN_F_STRICT) != 0;
    }
    return false;
}

/* The name an anonymous class expression gets from where it is put
 * (`var x = class {}`), NULL if none or if the name is used inside. */
static const char *
cls_inferred_name(struct kl_walk *w, const struct kb_jsn *n)
{
    const struct kb_jsn *p = kl_parent(w), *id = NULL;
    if (!p)
        return NULL;
    if (p->kind == KB_JSN_DECLARATOR && p->b == n)
        id = p->a;
    else if (p->kind == KB_JSN_ASSIGN && p->op == KB_JS_OP_ASSIGN && p->b == n)
        id = p->a;
    else if (p->kind == KB_JSN_PROPERTY && p->b == n && !(p->flags & KB_JSN_F_COMPUTED))
        id = p->a;
    if (!id || id->kind != KB_JSN_IDENT || kl_es5_reserved(id->str) || cls_mentions(n, id->str))
        return NULL;
    return id->str;
}

/* Whether the class holds only what this pass lowers (the ES2022 pass
 * takes fields, static blocks and private members out first). */
static bool
cls_check_members(struct cls_pass *p, const struct kb_jsn *n)
{
    for (const struct kb_jsn *m = n->c; m; m = m->next) {
        if (m->kind != KB_JSN_METHOD || m->a->kind == KB_JSN_PRIVATE_NAME) {
            cls_error(p, m,
                      "internal error: class fields or private members reach the ES5 class pass");
            return false;
        }
    }
    return true;
}

/* The class n as an IIFE call. */
static struct kb_jsn *
cls_lower(struct kl_walk *w, struct kb_jsn *n)
{
    struct kl_ctx *c = w->c;
    struct cls k = { .c = c, .pass = w->data, .node = n, .derived = n->b != NULL };
    k.name = n->a ? n->a->str : cls_inferred_name(w, n);
    if (!k.name)
        k.name = kl_temp(c, "class", n->start)->str;
    k.self = k.name;
    for (const struct kb_jsn *m = n->c; m && n->a && k.self == k.name; m = m->next)
        if (cls_shadows(c, m, n->a->str, n))
            k.self = kl_temp(c, k.name, n->start)->str;
    struct cls_args a = { 0 };
    struct kb_jsn *heritage = NULL;
    if (n->b) {
        const char *hint = n->b->kind == KB_JSN_IDENT ? n->b->str : "super";
        heritage = cls_arg(c, &a, n->b, hint);
    }
    struct kb_jsn *ctor_member = NULL, *protos = NULL, *statics = NULL;
    for (struct kb_jsn *m = n->c; m; m = m->next)
        if (m->op == KB_JS_M_CONSTRUCTOR)
            ctor_member = m;
    struct kb_jsn *body = cls_constructor(&k, ctor_member);
    if (strcmp(k.self, k.name) != 0)
        kl_concat(body, kl_var(c, KB_JS_VAR, kl_ident(c, k.self, n->start),
                               kl_ident(c, k.name, n->start)));
    for (struct kb_jsn *m = n->c, *next; m; m = next) {
        next = m->next;
        m->next = NULL;
        if (m->op != KB_JS_M_CONSTRUCTOR)
            cls_member(&k, m, (m->flags & KB_JSN_F_STATIC) ? &statics : &protos, &a);
    }
    if (heritage)
        kl_concat(body, kl_expr_stmt(c, kl_callv(c, kl_helper(c, "inherits", n->start),
                                                 kl_ident(c, k.self, n->start), heritage, NULL)));
    struct kb_jsn *result = kl_ident(c, k.self, n->start);
    if (protos || statics)
        result = kl_callv(c, kl_helper(c, "createClass", n->start), result,
                          cls_array(c, protos, n->start),
                          statics ? cls_array(c, statics, n->start) : NULL, NULL);
    kl_concat(body, kl_return(c, result));
    if (!cls_strict_around(w)) {
        struct kb_jsn *directive = kl_expr_stmt(c, kl_str(c, "use strict", n->start));
        directive->flags |= KB_JSN_F_DIRECTIVE;
        directive->next = body;
        body = directive;
    }
    struct kb_jsn *iife = kl_function(c, NULL, a.params, body, n->start);
    iife->flags |= KB_JSN_F_STRICT;
    return kl_call(c, iife, a.args);
}

static struct kb_jsn *
cls_leave(struct kl_walk *w, struct kb_jsn *n)
{
    struct kl_ctx *c = w->c;
    if (n->kind == KB_JSN_EXPORT_DEFAULT && n->a->kind == KB_JSN_VAR_DECL) {
        /* export default class C {}: the declaration, then its export. */
        struct kb_jsn *decl = n->a;
        n->a = kl_ident(c, decl->a->a->str, n->start);
        decl->next = n;
        return decl;
    }
    if ((n->kind != KB_JSN_CLASS_EXPR && n->kind != KB_JSN_CLASS_DECL) ||
        !cls_check_members(w->data, n))
        return n;
    if (n->kind == KB_JSN_CLASS_EXPR)
        return cls_lower(w, n);
    const struct kb_jsn *p = kl_parent(w);
    struct kb_jsn *id = n->a;
    struct kb_jsn *value = cls_lower(w, n);
    if (!id) /* export default class {} */
        return value;
    c->lower |= KL_BIT(KL_F_LET_CONST); /* the block-scoping pass makes it var */
    if (p && p->kind == KB_JSN_EXPORT_DEFAULT)
        return kl_var(c, KB_JS_LET, kl_ident(c, id->str, id->start), value);
    struct kb_jsn *decl = kl_var(c, KB_JS_LET, id, value);
    decl->start = n->start;
    return decl;
}

void
kl_pass_class(struct kl_ctx *c)
{
    kl_rescope(c);
    struct cls_pass p = { 0 };
    struct kl_walk w = { .c = c, .data = &p, .leave = cls_leave };
    kl_walk(&w);
    if (p.err_at)
        kl_fail(c, p.err_at, "%s", p.err);
}
