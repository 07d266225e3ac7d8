/*
 * ES2015 object literals, for ES5: shorthand properties, methods, computed
 * keys and `super` in methods.
 *
 *   {a, m() {}}            ->  {a: a, m: function m() {}}
 *   {x: 1, [k]: v, y: 2}   ->  _defineProperty(_defineProperty({x: 1}, k, v), "y", 2)
 *   {m() { super.m(); }}   ->  _obj = {m: function m() {
 *                                 _get(_getPrototypeOf(_obj), "m", this).call(this); }}
 *
 * A method's function expression, and an anonymous one a property holds,
 * gets the key as its name (so `.name` holds in ES5 engines, which infer
 * none) unless the key is no identifier, a reserved word, or mentioned
 * inside the function, where a named function expression would capture it.
 * A literal computed key (["a"], [1]) is a plain key. Properties keep their creation order: the
 * literal keeps those before the first computed key or `__proto__: v`, and the rest are defined in
 * order on the object ([[Define]] semantics; accessors merge their get/set), `__proto__: v` as an
 * assignment of __proto__, which sets the prototype as the literal does (ES5 engines such as
 * Duktape ignore it in a literal). `super` reads the home object's prototype when evaluated: the
 * literal is assigned to a temporary (a function-level var, so literals evaluated again in a loop
 * share it: a method called after the next evaluation sees the newer object's prototype). Inside a
 * function an arrow became, `this` is the method's, captured in a var. Generator and async methods
 * become function* and async function expressions, for the later passes.
 */
#include "builder/lower/internal.h"

#include <string.h>

/* An object literal that has methods using `super`: its temporary. */
struct ob_home {
    struct kb_jsn *obj, *temp;
    struct ob_home *up;
};

/* A method whose `super` is used inside a nested (formerly arrow)
 * function: the var holding its `this`, declared when the walk leaves it. */
struct ob_this {
    struct kb_jsn *fn, *temp;
    struct ob_this *up;
};

struct ob_state {
    struct ob_home *homes;
    struct ob_this *thises;
};

static bool
ob_is_method_fn(struct kl_walk *w, uint32_t i)
{
    if (i < 2)
        return false;
    const struct kb_jsn *fn = w->stack[i].node, *prop = w->stack[i - 1].node;
    return fn->kind == KB_JSN_FUNC_EXPR && prop->kind == KB_JSN_PROPERTY && prop->b == fn &&
           ((prop->flags & KB_JSN_F_METHOD) || prop->op != KB_JS_P_INIT) &&
           w->stack[i - 2].node->kind == KB_JSN_OBJECT;
}

/* The home object's temporary for a `super` at the top of the walk, and in
 * *self what `this` is there. */
static struct kb_jsn *
ob_home(struct kl_walk *w, const struct kb_jsn *at, struct kb_jsn **self)
{
    struct ob_state *s = w->data;
    struct kl_ctx *c = w->c;
    bool nested = false;
    uint32_t i = w->depth;
    while (i-- > 0 && !ob_is_method_fn(w, i))
        if (w->stack[i].node->kind == KB_JSN_FUNC_EXPR ||
            w->stack[i].node->kind == KB_JSN_FUNC_DECL)
            nested = true;
    if (i == UINT32_MAX)
        kl_fail(c, at, "'super' outside an object literal method cannot be lowered");
    struct kb_jsn *fn = w->stack[i].node, *obj = w->stack[i - 2].node;
    *self = kl_node(c, KB_JSN_THIS, at->start);
    if (nested) {
        struct ob_this *t = s->thises;
        while (t && t->fn != fn)
            t = t->up;
        if (!t) {
            t = kl_alloc(c, sizeof *t);
            *t = (struct ob_this){ fn, kl_temp(c, "this", at->start), s->thises };
            s->thises = t;
        }
        *self = kl_clone(c, t->temp);
    }
    struct ob_home *h = s->homes;
    while (h && h->obj != obj)
        h = h->up;
    if (!h) {
        h = kl_alloc(c, sizeof *h);
        *h = (struct ob_home){ obj, kl_temp(c, "obj", obj->start), s->homes };
        s->homes = h;
        kl_declare_in(w, i - 2, h->temp);
    }
    return kl_clone(c, h->temp);
}

/* The key of super.k / super[k] as an expression. */
static struct kb_jsn *
ob_key(struct kl_ctx *c, struct kb_jsn *m)
{
    if (m->flags & KB_JSN_F_COMPUTED)
        return m->b;
    return kl_str(c, m->b->str, m->b->start);
}

static bool
ob_is_super_member(const struct kb_jsn *m)
{
    return m && m->kind == KB_JSN_MEMBER && m->a->kind == KB_JSN_SUPER;
}

/* _getPrototypeOf(_obj) for the super member m. */
static struct kb_jsn *
ob_proto(struct kl_walk *w, struct kb_jsn *m, struct kb_jsn **self)
{
    struct kb_jsn *home = ob_home(w, m, self);
    return kl_callv(w->c, kl_helper(w->c, "getPrototypeOf", m->start), home, NULL);
}

static struct kb_jsn *
ob_get(struct kl_walk *w, struct kb_jsn *proto, struct kb_jsn *key, struct kb_jsn *self)
{
    return kl_callv(w->c, kl_helper(w->c, "get", key->start), proto, key, self, NULL);
}

/* The binary operator of a compound assignment. */
static int
ob_binary_op(struct kl_ctx *c, const struct kb_jsn *n)
{
    static const uint8_t ops[][2] = {
        { KB_JS_OP_ADD_ASSIGN, KB_JS_OP_PLUS },    { KB_JS_OP_SUB_ASSIGN, KB_JS_OP_MINUS },
        { KB_JS_OP_MUL_ASSIGN, KB_JS_OP_STAR },    { KB_JS_OP_DIV_ASSIGN, KB_JS_OP_SLASH },
        { KB_JS_OP_MOD_ASSIGN, KB_JS_OP_PERCENT }, { KB_JS_OP_SHL_ASSIGN, KB_JS_OP_SHL },
        { KB_JS_OP_SAR_ASSIGN, KB_JS_OP_SAR },     { KB_JS_OP_SHR_ASSIGN, KB_JS_OP_SHR },
        { KB_JS_OP_AND_ASSIGN, KB_JS_OP_AMP },     { KB_JS_OP_OR_ASSIGN, KB_JS_OP_PIPE },
        { KB_JS_OP_XOR_ASSIGN, KB_JS_OP_CARET },
    };
    for (size_t i = 0; i < sizeof ops / sizeof *ops; i++)
        if (ops[i][0] == n->op)
            return ops[i][1];
    kl_fail(c, n, "'%s' on a super property cannot be lowered", kb_js_op_name(n->op));
}

/* super.k op= v  ->  _set(P, _k = k, _get(P, _k, this) op v, this); for
 * `=`, _set(P, k, v, this). */
static struct kb_jsn *
ob_super_assign(struct kl_walk *w, struct kb_jsn *n)
{
    struct kl_ctx *c = w->c;
    struct kb_jsn *m = n->a, *self, *proto = ob_proto(w, m, &self), *key = ob_key(c, m);
    struct kb_jsn *value = n->b;
    if (n->op != KB_JS_OP_ASSIGN) {
        struct kb_jsn *again, *self2, *proto2 = ob_proto(w, m, &self2);
        key = kl_reuse(w, key, "key", &again);
        value = kl_binary(c, ob_binary_op(c, n), ob_get(w, proto2, again, self2), value);
    }
    return kl_callv(c, kl_helper(c, "set", n->start), proto, key, value, self, NULL);
}

/* ++super.k  ->  _set(P, _k = k, +_get(P, _k, this) + 1, this);
 * super.k++  ->  (_set(P, _k = k, (_v = +_get(P, _k, this)) + 1, this), _v) */
static struct kb_jsn *
ob_super_update(struct kl_walk *w, struct kb_jsn *n)
{
    struct kl_ctx *c = w->c;
    struct kb_jsn *m = n->a, *self, *proto = ob_proto(w, m, &self), *again;
    struct kb_jsn *key = kl_reuse(w, ob_key(c, m), "key", &again);
    struct kb_jsn *self2, *proto2 = ob_proto(w, m, &self2);
    struct kb_jsn *old = kl_unary(c, KB_JS_OP_PLUS, ob_get(w, proto2, again, self2)), *value = NULL;
    if (!(n->flags & KB_JSN_F_PREFIX)) {
        value = kl_temp(c, "value", n->start);
        kl_declare(w, value);
        old = kl_assign(c, kl_clone(c, value), old);
    }
    int op = n->op == KB_JS_OP_INC ? KB_JS_OP_PLUS : KB_JS_OP_MINUS;
    struct kb_jsn *set = kl_callv(c, kl_helper(c, "set", n->start), proto, key,
                                  kl_binary(c, op, old, kl_num(c, 1, n->start)), self, NULL);
    set->next = value;
    return kl_seq(c, set);
}

/* Whether n (at the top of the walk) is assigned by a pattern or loop head. */
static bool
ob_is_target(struct kl_walk *w, const struct kb_jsn *n)
{
    const struct kb_jsn *p = kl_parent(w);
    switch (p ? p->kind : 0) {
    case KB_JSN_ARRAY_PAT:
    case KB_JSN_REST: return true;
    case KB_JSN_PROPERTY:
        return w->depth >= 2 && w->stack[w->depth - 2].node->kind == KB_JSN_OBJECT_PAT;
    case KB_JSN_ASSIGN_PAT:
    case KB_JSN_FOR_IN:
    case KB_JSN_FOR_OF: return p->a == n;
    default: return false;
    }
}

/* Rewrites the `super` uses that n is the outermost node of. */
static struct kb_jsn *
ob_enter(struct kl_walk *w, struct kb_jsn *n, bool *skip)
{
    (void)skip;
    struct kl_ctx *c = w->c;
    struct kb_jsn *self;
    switch (n->kind) {
    case KB_JSN_CALL:
        if (ob_is_super_member(n->a)) {
            struct kb_jsn *proto = ob_proto(w, n->a, &self);
            struct kb_jsn *get = ob_get(w, proto, ob_key(c, n->a), self);
            struct kb_jsn *this_arg = kl_clone(c, self);
            this_arg->next = n->b;
            return kl_call(c, kl_member(c, get, "call"), this_arg);
        }
        break;
    case KB_JSN_ASSIGN:
        if (ob_is_super_member(n->a))
            return ob_super_assign(w, n);
        break;
    case KB_JSN_UPDATE:
        if (ob_is_super_member(n->a))
            return ob_super_update(w, n);
        break;
    case KB_JSN_UNARY:
        if (n->op == KB_JS_OP_DELETE && ob_is_super_member(n->a))
            kl_fail(c, n, "delete of a super property cannot be lowered");
        break;
    case KB_JSN_MEMBER:
        if (n->a->kind == KB_JSN_SUPER) {
            if (ob_is_target(w, n))
                kl_fail(
                    c, n,
                    "a super property as a destructuring or for-in/of target cannot be lowered");
            struct kb_jsn *proto = ob_proto(w, n, &self);
            return ob_get(w, proto, ob_key(c, n), self);
        }
        break;
    default: break;
    }
    return n;
}

/* ---- Method names ---- */

static bool
ob_identifier_name(const char *s, size_t len)
{
    if (!len || strlen(s) != len)
        return false;
    for (size_t i = 0; i < len; i++) {
        char ch = s[i];
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_' || ch == '$' ||
                  (i > 0 && ch >= '0' && ch <= '9') || (unsigned char)ch >= 0x80;
        if (!ok)
            return false;
    }
    return true;
}

/* Whether name occurs below n as an identifier (property names aside). */
static bool
ob_mentions(const struct kb_jsn *n, const char *name)
{
    for (; n; n = n->next) {
        if (n->kind == KB_JSN_IDENT) {
            if (!strcmp(n->str, name))
                return true;
            continue;
        }
        const struct kb_jsn *key = NULL;
        if (!(n->flags & KB_JSN_F_COMPUTED))
            key =
                n->kind == KB_JSN_MEMBER ? n->b
                : n->kind == KB_JSN_PROPERTY || n->kind == KB_JSN_METHOD || n->kind == KB_JSN_FIELD
                    ? n->a
                    : NULL;
        const struct kb_jsn *slots[4] = { n->a, n->b, n->c, n->d };
        for (int i = 0; i < 4; i++)
            if (slots[i] && slots[i] != key && ob_mentions(slots[i], name))
                return true;
    }
    return false;
}

/* Names a method's function, or an anonymous function a property holds,
 * after its key when that is safe. */
static void
ob_name_function(struct kl_ctx *c, struct kb_jsn *prop)
{
    struct kb_jsn *key = prop->a, *fn = prop->b;
    if ((prop->flags & KB_JSN_F_COMPUTED) || fn->a ||
        (key->kind != KB_JSN_IDENT && key->kind != KB_JSN_STR))
        return;
    if (!ob_identifier_name(key->str, key->len) || kl_es5_reserved(key->str))
        return;
    if (ob_mentions(fn->b, key->str) || ob_mentions(fn->c, key->str))
        return;
    fn->a = kl_ident(c, key->str, key->start);
}

/* ---- Computed keys ---- */

/* A computed key that is a literal (["a"], [1]) is a plain one, except
 * ["__proto__"], which defines an own property. */
static bool
ob_constant_key(const struct kb_jsn *k)
{
    return k->kind == KB_JSN_NUM ||
           (k->kind == KB_JSN_STR && !(k->len == 9 && !memcmp(k->str, "__proto__", 9)));
}

static bool
ob_is_proto_setter(const struct kb_jsn *p)
{
    const struct kb_jsn *k = p->a;
    return p->op == KB_JS_P_INIT &&
           !(p->flags & (KB_JSN_F_COMPUTED | KB_JSN_F_SHORTHAND | KB_JSN_F_METHOD)) &&
           (k->kind == KB_JSN_IDENT || k->kind == KB_JSN_STR) && k->len == 9 &&
           !memcmp(k->str, "__proto__", 9);
}

/* The key of a property as an expression: "name", 1, or the computed one. */
static struct kb_jsn *
ob_prop_key(struct kl_ctx *c, struct kb_jsn *p)
{
    struct kb_jsn *k = p->a;
    if (k->kind == KB_JSN_IDENT && !(p->flags & KB_JSN_F_COMPUTED))
        return kl_str(c, k->str, k->start);
    return k;
}

/* One property defined on obj: _defineProperty(obj, k, v),
 * _defineAccessor("get", obj, k, f), or obj.__proto__ = v. */
static struct kb_jsn *
ob_define(struct kl_ctx *c, struct kb_jsn *obj, struct kb_jsn *p)
{
    if (ob_is_proto_setter(p))
        return kl_assign(c, kl_member(c, obj, "__proto__"), p->b);
    struct kb_jsn *key = ob_prop_key(c, p);
    if (p->op == KB_JS_P_INIT)
        return kl_callv(c, kl_helper(c, "defineProperty", p->start), obj, key, p->b, NULL);
    return kl_callv(c, kl_helper(c, "defineAccessor", p->start),
                    kl_str(c, p->op == KB_JS_P_GET ? "get" : "set", p->start), obj, key, p->b,
                    NULL);
}

/* At most this many nested defines before a temporary and a sequence. */
#define OB_CHAIN_MAX 8

/* The literal n with its members from the first computed key (rest) on
 * defined one by one; temp (may be NULL) names the object. */
static struct kb_jsn *
ob_split(struct kl_walk *w, struct kb_jsn *n, struct kb_jsn *rest, struct kb_jsn *temp)
{
    struct kl_ctx *c = w->c;
    unsigned count = 0;
    bool proto = false;
    for (struct kb_jsn *p = rest; p; p = p->next, count++)
        proto |= ob_is_proto_setter(p);
    if (!temp && !proto && count <= OB_CHAIN_MAX) {
        struct kb_jsn *obj = n;
        for (struct kb_jsn *p = rest, *next; p; p = next) {
            next = p->next;
            obj = ob_define(c, obj, p);
        }
        return obj;
    }
    if (!temp) {
        temp = kl_temp(c, "obj", n->start);
        kl_declare(w, temp);
    }
    struct kb_jsn *items = kl_assign(c, kl_clone(c, temp), n), *tail = items;
    for (struct kb_jsn *p = rest, *next; p; p = next) {
        next = p->next;
        tail = tail->next = ob_define(c, kl_clone(c, temp), p);
    }
    tail->next = kl_clone(c, temp);
    return kl_seq(c, items);
}

static struct kb_jsn *
ob_object(struct kl_walk *w, struct kb_jsn *n)
{
    struct ob_state *s = w->data;
    struct kl_ctx *c = w->c;
    struct kb_jsn *temp = NULL;
    for (struct ob_home **h = &s->homes; *h; h = &(*h)->up) {
        if ((*h)->obj == n) {
            temp = (*h)->temp;
            *h = (*h)->up;
            break;
        }
    }
    struct kb_jsn **rest = NULL;
    for (struct kb_jsn **pp = &n->a; *pp; pp = &(*pp)->next) {
        struct kb_jsn *p = *pp;
        if (p->kind != KB_JSN_PROPERTY)
            continue;
        if ((p->flags & KB_JSN_F_COMPUTED) && ob_constant_key(p->a))
            p->flags &= (uint16_t)~KB_JSN_F_COMPUTED;
        /* `__proto__: function () {}` sets the prototype: no name. */
        if ((p->flags & KB_JSN_F_METHOD) ||
            (p->op == KB_JS_P_INIT && p->b->kind == KB_JSN_FUNC_EXPR && !p->b->a &&
             !ob_is_proto_setter(p)))
            ob_name_function(c, p);
        p->flags &= (uint16_t) ~(KB_JSN_F_SHORTHAND | KB_JSN_F_METHOD);
        if (((p->flags & KB_JSN_F_COMPUTED) || ob_is_proto_setter(p)) && !rest)
            rest = pp;
    }
    if (!rest)
        return temp ? kl_assign(c, kl_clone(c, temp), n) : n;
    struct kb_jsn *tail = *rest;
    *rest = NULL;
    return ob_split(w, n, tail, temp);
}

static struct kb_jsn *
ob_leave(struct kl_walk *w, struct kb_jsn *n)
{
    struct ob_state *s = w->data;
    if (n->kind == KB_JSN_OBJECT)
        return ob_object(w, n);
    if (n->kind != KB_JSN_FUNC_EXPR)
        return n;
    for (struct ob_this **t = &s->thises; *t; t = &(*t)->up) {
        if ((*t)->fn == n) {
            struct kb_jsn *self = kl_node(w->c, KB_JSN_THIS, n->start);
            struct kb_jsn *decl = kl_var(w->c, KB_JS_VAR, (*t)->temp, self);
            struct kb_jsn **at = &n->c->a;
            while (*at && (*at)->kind == KB_JSN_EXPR_STMT && ((*at)->flags & KB_JSN_F_DIRECTIVE))
                at = &(*at)->next;
            decl->next = *at;
            *at = decl;
            *t = (*t)->up;
            break;
        }
    }
    return n;
}

void
kl_pass_object_lit(struct kl_ctx *c)
{
    struct ob_state s = { 0 };
    struct kl_walk w = { .c = c, .data = &s, .enter = ob_enter, .leave = ob_leave };
    kl_walk(&w);
}
