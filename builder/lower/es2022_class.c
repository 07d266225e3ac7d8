/*
 * ES2022 classes lowered into ES2015 ones (the ES5 class pass takes them
 * further): public and private fields, private methods and accessors,
 * `#x in o` and static blocks below es2022; static blocks alone for the
 * baseline, as a private static field run once. Each private name gets a
 * WeakMap (fields) or its class a WeakSet brand (methods, accessors), and
 * the methods become functions beside the class:
 *
 *   class C extends B { #x = 1; y = this.#x; static s = this.y; #m() {} }
 * becomes
 *   var _x = new WeakMap(), _brand = new WeakSet(), _m = function () {};
 *   class C extends B {
 *       constructor() { super(...arguments); _privateAdd(this, _brand);
 *           _privateAdd(this, _x, 1); _defineField(this, "y", _privateGet(this, _x)); }
 *   }
 *   _defineField(C, "s", C.y);
 * and a class expression (_x = new WeakMap(), _C = class C {...}, ..., _C).
 * docs/internals/lowering/class-fields.md has the shapes and the limits.
 */
#include "builder/lower/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { CF_FIELD = 1, CF_METHOD, CF_ACCESSOR };

/* One private name a class declares. */
struct cf_priv {
    const char *name; /* without '#' */
    uint8_t kind;     /* CF_* */
    bool is_static;
    struct kb_jsn *store;          /* IDENT: the field's WeakMap, or the brand WeakSet */
    struct kb_jsn *fn, *get, *set; /* IDENTs naming the moved functions, or NULL */
};

/* A class being walked: what its private names lower to. */
struct cf_class {
    struct kb_jsn *node;
    struct cf_priv *privs;
    uint32_t nprivs;
    uint32_t *slots, mask;         /* open addressing by name: index + 1 into privs */
    struct kb_jsn *brand, *sbrand; /* WeakSets of instances and of the class, or NULL */
    struct cf_class *up;
};

struct cf_state {
    bool full; /* below es2022: everything, not only static blocks */
    struct cf_class *top;
    /* A class declaration under `export`: what goes before and after it. */
    struct kb_jsn *pre, *post;
};

static bool
cf_is_class(const struct kb_jsn *n)
{
    return n->kind == KB_JSN_CLASS_DECL || n->kind == KB_JSN_CLASS_EXPR;
}

static bool
cf_is_fn(const struct kb_jsn *n)
{
    return n->kind == KB_JSN_FUNC_DECL || n->kind == KB_JSN_FUNC_EXPR || n->kind == KB_JSN_ARROW;
}

static bool
cf_is_private_member(const struct kb_jsn *n)
{
    return n && n->kind == KB_JSN_MEMBER && n->b && n->b->kind == KB_JSN_PRIVATE_NAME;
}

/* Records that the output now uses feature f, which a later pass lowers
 * when the target is older than year. */
static void
cf_uses(struct kl_ctx *c, int f, int year)
{
    if (kb_lower_target_year(c->target) < year)
        c->lower |= KL_BIT(f);
}

static struct kb_jsn *
cf_new(struct kl_ctx *c, const char *ctor, uint32_t pos)
{
    struct kb_jsn *n = kl_node(c, KB_JSN_NEW, pos);
    n->a = kl_ident(c, ctor, pos);
    return n;
}

static struct kb_jsn *
cf_declarator(struct kl_ctx *c, struct kb_jsn *id, struct kb_jsn *init)
{
    struct kb_jsn *d = kl_node(c, KB_JSN_DECLARATOR, id->start);
    d->a = id;
    d->b = init;
    return d;
}

/* ---- Private names: declaring and resolving ---- */

static struct kb_jsn *
cf_temp2(struct kl_ctx *c, const char *a, const char *b, uint32_t pos)
{
    char hint[96];
    snprintf(hint, sizeof hint, "%s%s", a, b);
    return kl_temp(c, hint, pos);
}

static uint32_t
cf_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* The slot of name in k's table: its entry, or the empty slot for it. */
static uint32_t *
cf_slot(struct cf_class *k, const char *name)
{
    for (uint32_t i = cf_hash(name) & k->mask;; i = (i + 1) & k->mask)
        if (!k->slots[i] || !strcmp(k->privs[k->slots[i] - 1].name, name))
            return &k->slots[i];
}

static struct cf_priv *
cf_find(struct cf_class *k, const char *name)
{
    if (!k->nprivs)
        return NULL;
    uint32_t *slot = cf_slot(k, name);
    return *slot ? &k->privs[*slot - 1] : NULL;
}

/* Adds member m's private name to k, with the temporaries it lowers to. */
static void
cf_declare_private(struct kl_ctx *c, struct cf_class *k, struct kb_jsn *m)
{
    const char *name = m->a->str;
    bool is_static = (m->flags & KB_JSN_F_STATIC) != 0;
    uint32_t *slot = cf_slot(k, name);
    if (!*slot) {
        k->privs[k->nprivs] = (struct cf_priv){ .name = name, .is_static = is_static };
        *slot = ++k->nprivs;
    }
    struct cf_priv *p = &k->privs[*slot - 1];
    if (m->kind == KB_JSN_FIELD) {
        p->kind = CF_FIELD;
        p->store = kl_temp(c, name, m->start);
        return;
    }
    struct kb_jsn **brand = is_static ? &k->sbrand : &k->brand;
    if (!*brand)
        *brand = kl_temp(c, is_static ? "static_brand" : "brand", k->node->start);
    p->store = *brand;
    if (m->op == KB_JS_M_GET || m->op == KB_JS_M_SET) {
        p->kind = CF_ACCESSOR;
        if (m->op == KB_JS_M_GET)
            p->get = cf_temp2(c, "get_", name, m->start);
        else
            p->set = cf_temp2(c, "set_", name, m->start);
    } else {
        p->kind = CF_METHOD;
        p->fn = kl_temp(c, name, m->start);
    }
}

static void
cf_push_class(struct kl_walk *w, struct kb_jsn *n)
{
    struct cf_state *st = w->data;
    struct kl_ctx *c = w->c;
    struct cf_class *k = kl_alloc(c, sizeof *k);
    k->node = n;
    k->up = st->top;
    st->top = k;
    uint32_t count = 0;
    for (struct kb_jsn *m = n->c; m; m = m->next)
        count += m->kind != KB_JSN_STATIC_BLOCK && m->a->kind == KB_JSN_PRIVATE_NAME;
    if (!count)
        return;
    k->privs = kl_alloc(c, count * sizeof *k->privs);
    uint32_t cap = 8;
    while (cap < count * 2)
        cap *= 2;
    k->slots = kl_alloc(c, cap * sizeof *k->slots);
    k->mask = cap - 1;
    for (struct kb_jsn *m = n->c; m; m = m->next)
        if (m->kind != KB_JSN_STATIC_BLOCK && m->a->kind == KB_JSN_PRIVATE_NAME)
            cf_declare_private(c, k, m);
}

/* The private name #name as the walk's position sees it: the innermost
 * class whose body (not its heritage) encloses the position. */
static struct cf_priv *
cf_resolve(struct kl_walk *w, const struct kb_jsn *pn)
{
    struct cf_class *k = ((struct cf_state *)w->data)->top;
    for (uint32_t i = w->depth; i-- > 0 && k;) {
        struct kb_jsn *n = w->stack[i].node;
        if (!cf_is_class(n))
            continue;
        const struct kb_jsn *child = i + 1 < w->depth ? w->stack[i + 1].node : NULL;
        bool body = child && (child->kind == KB_JSN_METHOD || child->kind == KB_JSN_FIELD ||
                              child->kind == KB_JSN_STATIC_BLOCK);
        struct cf_priv *p = body ? cf_find(k, pn->str) : NULL;
        if (p)
            return p;
        k = k->up;
    }
    kl_fail(w->c, pn, "internal error: private name '#%s' not found", pn->str);
}

/* ---- Temporaries ---- */

/*
 * Declares temporary id where the code using it runs: an instance field's
 * initializer moves into the constructor and a static block into a
 * function, so their temporaries are kept on the member (FIELD->c,
 * STATIC_BLOCK->b) until the class is lowered; elsewhere kl_declare.
 * cur is the node being left.
 */
static void
cf_declare(struct kl_walk *w, struct kb_jsn *cur, struct kb_jsn *id)
{
    for (uint32_t i = w->depth; i-- > 0;) {
        struct kb_jsn *n = w->stack[i].node;
        if (n->kind == KB_JSN_PROGRAM || cf_is_fn(n))
            break;
        struct kb_jsn *child = i + 1 < w->depth ? w->stack[i + 1].node : cur;
        struct kb_jsn **stash = NULL;
        if (n->kind == KB_JSN_FIELD && !(n->flags & KB_JSN_F_STATIC) && child == n->b)
            stash = &n->c;
        else if (n->kind == KB_JSN_STATIC_BLOCK)
            stash = &n->b;
        if (stash) {
            *stash = kl_concat(*stash, cf_declarator(w->c, id, NULL));
            return;
        }
    }
    kl_declare(w, id);
}

/* kl_reuse, with temporaries declared by cf_declare. */
static struct kb_jsn *
cf_reuse(struct kl_walk *w, struct kb_jsn *cur, struct kb_jsn *e, struct kb_jsn **again)
{
    struct kl_ctx *c = w->c;
    bool simple =
        e->kind == KB_JSN_THIS || (e->kind == KB_JSN_IDENT && strcmp(e->str, "arguments"));
    if (simple) {
        *again = kl_clone(c, e);
        return e;
    }
    struct kb_jsn *t = kl_temp(c, "obj", e->start);
    cf_declare(w, cur, t);
    *again = kl_clone(c, t);
    return kl_assign(c, t, e);
}

/* ---- Private member access ---- */

/* Reads private member p of obj. */
static struct kb_jsn *
cf_get(struct kl_ctx *c, const struct cf_priv *p, struct kb_jsn *obj, uint32_t pos)
{
    struct kb_jsn *store = kl_clone(c, p->store);
    if (p->kind == CF_FIELD)
        return kl_callv(c, kl_helper(c, "privateGet", pos), obj, store, NULL);
    if (p->kind == CF_METHOD)
        return kl_callv(c, kl_helper(c, "privateMethod", pos), obj, store, kl_clone(c, p->fn),
                        NULL);
    struct kb_jsn *getter = p->get ? kl_clone(c, p->get) : kl_node(c, KB_JSN_NULL_LIT, pos);
    return kl_callv(c, kl_helper(c, "privateGet", pos), obj, store, getter, NULL);
}

/* The setter argument of privateSet and privateRef: NULL for a field,
 * null where p cannot be written. */
static struct kb_jsn *
cf_setter(struct kl_ctx *c, const struct cf_priv *p, uint32_t pos)
{
    if (p->kind == CF_FIELD)
        return NULL;
    return p->set ? kl_clone(c, p->set) : kl_node(c, KB_JSN_NULL_LIT, pos);
}

/* Writes value into private member p of obj (the value of the call). */
static struct kb_jsn *
cf_set(struct kl_ctx *c, const struct cf_priv *p, struct kb_jsn *obj, struct kb_jsn *value,
       uint32_t pos)
{
    return kl_callv(c, kl_helper(c, "privateSet", pos), obj, kl_clone(c, p->store), value,
                    cf_setter(c, p, pos), NULL);
}

/* Whether member n follows a `?.` of its chain: lowering it alone would
 * lose the chain's short-circuit. */
static bool
cf_after_optional(const struct kb_jsn *n)
{
    for (; n && (n->kind == KB_JSN_MEMBER || n->kind == KB_JSN_CALL); n = n->a)
        if (n->flags & KB_JSN_F_OPTIONAL)
            return true;
    return false;
}

/* Whether member n is a target its parent writes or calls (the parent's
 * leave lowers it), as opposed to a destructuring target or a read. */
static bool
cf_parent_lowers(const struct kb_jsn *parent, const struct kb_jsn *n)
{
    switch (parent->kind) {
    case KB_JSN_ASSIGN:
    case KB_JSN_CALL:
    case KB_JSN_TAGGED_TEMPLATE: return parent->a == n;
    case KB_JSN_UPDATE: return true;
    default: return false;
    }
}

static bool
cf_is_pattern_target(struct kl_walk *w, const struct kb_jsn *n)
{
    const struct kb_jsn *parent = kl_parent(w);
    const struct kb_jsn *grand = w->depth > 1 ? w->stack[w->depth - 2].node : NULL;
    switch (parent->kind) {
    case KB_JSN_ARRAY_PAT:
    case KB_JSN_REST: return true;
    case KB_JSN_ASSIGN_PAT:
    case KB_JSN_FOR_IN:
    case KB_JSN_FOR_OF: return parent->a == n;
    case KB_JSN_PROPERTY: return grand && grand->kind == KB_JSN_OBJECT_PAT && parent->b == n;
    default: return false;
    }
}

/* o.#x read, or as a destructuring target privateRef(o, store, setter).value. */
static struct kb_jsn *
cf_leave_member(struct kl_walk *w, struct kb_jsn *n)
{
    struct kl_ctx *c = w->c;
    if (cf_parent_lowers(kl_parent(w), n))
        return n;
    struct cf_priv *p = cf_resolve(w, n->b);
    if (!cf_is_pattern_target(w, n))
        return cf_get(c, p, n->a, n->start);
    struct kb_jsn *ref = kl_callv(c, kl_helper(c, "privateRef", n->start), n->a,
                                  kl_clone(c, p->store), cf_setter(c, p, n->start), NULL);
    return kl_member(c, ref, "value");
}

static int
cf_compound_op(int op)
{
    switch (op) {
    case KB_JS_OP_ADD_ASSIGN: return KB_JS_OP_PLUS;
    case KB_JS_OP_SUB_ASSIGN: return KB_JS_OP_MINUS;
    case KB_JS_OP_MUL_ASSIGN: return KB_JS_OP_STAR;
    case KB_JS_OP_DIV_ASSIGN: return KB_JS_OP_SLASH;
    case KB_JS_OP_MOD_ASSIGN: return KB_JS_OP_PERCENT;
    case KB_JS_OP_POW_ASSIGN: return KB_JS_OP_STARSTAR;
    case KB_JS_OP_SHL_ASSIGN: return KB_JS_OP_SHL;
    case KB_JS_OP_SAR_ASSIGN: return KB_JS_OP_SAR;
    case KB_JS_OP_SHR_ASSIGN: return KB_JS_OP_SHR;
    case KB_JS_OP_AND_ASSIGN: return KB_JS_OP_AMP;
    case KB_JS_OP_OR_ASSIGN: return KB_JS_OP_PIPE;
    case KB_JS_OP_XOR_ASSIGN: return KB_JS_OP_CARET;
    case KB_JS_OP_LAND_ASSIGN: return KB_JS_OP_AND;
    case KB_JS_OP_LOR_ASSIGN: return KB_JS_OP_OR;
    case KB_JS_OP_NULLISH_ASSIGN: return KB_JS_OP_NULLISH;
    default: return KB_JS_OP_NONE;
    }
}

/*
 * o.#x = v     privateSet(o, _x, v)
 * o.#x += v    privateSet(_obj = o, _x, privateGet(_obj, _x) + v)
 * o.#x ||= v   privateGet(_obj = o, _x) || privateSet(_obj, _x, v)
 */
static struct kb_jsn *
cf_leave_assign(struct kl_walk *w, struct kb_jsn *n)
{
    struct kl_ctx *c = w->c;
    struct kb_jsn *m = n->a;
    struct cf_priv *p = cf_resolve(w, m->b);
    if (n->op == KB_JS_OP_ASSIGN)
        return cf_set(c, p, m->a, n->b, n->start);
    struct kb_jsn *again, *first = cf_reuse(w, n, m->a, &again);
    int op = cf_compound_op(n->op);
    if (op == KB_JS_OP_AND || op == KB_JS_OP_OR || op == KB_JS_OP_NULLISH) {
        if (op == KB_JS_OP_NULLISH)
            cf_uses(c, KL_F_NULLISH, 2020);
        return kl_logical(c, op, cf_get(c, p, first, n->start),
                          cf_set(c, p, again, n->b, n->start));
    }
    struct kb_jsn *value = kl_binary(c, op, cf_get(c, p, again, n->start), n->b);
    return cf_set(c, p, first, value, n->start);
}

static bool
cf_value_unused(struct kl_walk *w, const struct kb_jsn *n)
{
    const struct kb_jsn *parent = kl_parent(w);
    return parent->kind == KB_JSN_EXPR_STMT || (parent->kind == KB_JSN_FOR && parent->c == n);
}

/*
 * ++o.#x   privateSet(_obj = o, _x, (_t = privateGet(_obj, _x), ++_t))
 * o.#x++   (privateSet(_obj = o, _x, (_t = privateGet(_obj, _x), _t2 = _t++, _t)), _t2)
 * (++ on the temporary converts the old value as ++ does, BigInt too).
 */
static struct kb_jsn *
cf_leave_update(struct kl_walk *w, struct kb_jsn *n)
{
    struct kl_ctx *c = w->c;
    struct kb_jsn *m = n->a;
    struct cf_priv *p = cf_resolve(w, m->b);
    struct kb_jsn *again, *first = cf_reuse(w, n, m->a, &again);
    struct kb_jsn *t = kl_temp(c, "t", n->start);
    cf_declare(w, n, t);
    struct kb_jsn *read = kl_assign(c, t, cf_get(c, p, again, n->start));
    struct kb_jsn *upd = kl_node(c, KB_JSN_UPDATE, n->start);
    upd->op = n->op;
    upd->a = kl_clone(c, t);
    if ((n->flags & KB_JSN_F_PREFIX) || cf_value_unused(w, n)) {
        upd->flags = KB_JSN_F_PREFIX;
        read->next = upd;
        return cf_set(c, p, first, kl_seq(c, read), n->start);
    }
    struct kb_jsn *old = kl_temp(c, "t", n->start);
    cf_declare(w, n, old);
    read->next = kl_assign(c, old, upd);
    read->next->next = kl_clone(c, t);
    struct kb_jsn *set = cf_set(c, p, first, kl_seq(c, read), n->start);
    set->next = kl_clone(c, old);
    return kl_seq(c, set);
}

/* o.#m(args) -> privateMethod(_obj = o, _brand, _m).call(_obj, args); an
 * optional call keeps its `?.` on `.call`. */
static struct kb_jsn *
cf_leave_call(struct kl_walk *w, struct kb_jsn *n)
{
    struct kl_ctx *c = w->c;
    struct kb_jsn *m = n->a;
    struct cf_priv *p = cf_resolve(w, m->b);
    struct kb_jsn *again, *first = cf_reuse(w, n, m->a, &again);
    struct kb_jsn *callee = kl_member(c, cf_get(c, p, first, n->start), "call");
    callee->flags |= n->flags & KB_JSN_F_OPTIONAL;
    n->flags &= (uint16_t)~KB_JSN_F_OPTIONAL;
    n->a = callee;
    again->next = n->b;
    n->b = again;
    return n;
}

/* o.#f`...` -> privateGet(_obj = o, _f).bind(_obj)`...` */
static struct kb_jsn *
cf_leave_tagged(struct kl_walk *w, struct kb_jsn *n)
{
    struct kl_ctx *c = w->c;
    struct kb_jsn *m = n->a;
    struct cf_priv *p = cf_resolve(w, m->b);
    struct kb_jsn *again, *first = cf_reuse(w, n, m->a, &again);
    n->a = kl_callv(c, kl_member(c, cf_get(c, p, first, n->start), "bind"), again, NULL);
    return n;
}

/* #x in o -> _x.has(checkInRHS(o)) */
static struct kb_jsn *
cf_leave_in(struct kl_walk *w, struct kb_jsn *n)
{
    struct kl_ctx *c = w->c;
    struct cf_priv *p = cf_resolve(w, n->a);
    struct kb_jsn *rhs = kl_callv(c, kl_helper(c, "checkInRHS", n->start), n->b, NULL);
    return kl_callv(c, kl_member(c, kl_clone(c, p->store), "has"), rhs, NULL);
}

/* The link of a chain's spine to cut before its private members are
 * lowered: the `?.` nearest below (or at) the topmost private member that
 * has one below it; NULL when no private member follows a `?.`. */
static struct kb_jsn **
cf_chain_cut(struct kb_jsn **spine)
{
    bool priv = false;
    for (struct kb_jsn **s = spine; (*s)->kind == KB_JSN_MEMBER || (*s)->kind == KB_JSN_CALL;
         s = &(*s)->a) {
        priv = priv || cf_is_private_member(*s);
        if (priv && ((*s)->flags & KB_JSN_F_OPTIONAL))
            return s;
    }
    return NULL;
}

/*
 * A chain whose private member follows a `?.` (lowering the member alone
 * would lose the short-circuit) is cut at that `?.`, before its children
 * are walked: a?.b.#x.c -> (_obj = a) == null ? void 0 : _obj.b.#x.c.
 * What stays on either side may still be a chain (`?.` elsewhere).
 */
static struct kb_jsn *
cf_split_chain(struct kl_walk *w, struct kb_jsn *chain)
{
    struct kl_ctx *c = w->c;
    struct kb_jsn **cut = cf_chain_cut(&chain->a);
    if (!cut)
        return chain;
    struct kb_jsn *link = *cut, *prefix = link->a;
    if (link->kind == KB_JSN_CALL)
        kl_fail(c, link, "a private member after an optional call cannot be lowered to %s yet",
                kb_lower_target_name(c->target));
    if (cf_after_optional(prefix)) {
        struct kb_jsn *inner = kl_node(c, KB_JSN_CHAIN, prefix->start);
        inner->a = prefix;
        prefix = inner;
    }
    struct kb_jsn *first = cf_reuse(w, chain, prefix, &link->a);
    link->flags &= (uint16_t)~KB_JSN_F_OPTIONAL;
    struct kb_jsn *rest = cf_after_optional(chain->a) ? chain : chain->a;
    struct kb_jsn *test =
        kl_binary(c, KB_JS_OP_EQ, first, kl_node(c, KB_JSN_NULL_LIT, chain->start));
    return kl_cond(c, test, kl_undefined(c, chain->start), rest);
}

/* ---- Code that moves out of the class body ---- */

/* What cf_fix changes in code leaving its place in the class. */
struct cf_fix {
    struct kl_ctx *c;
    struct kb_jsn *this_to;  /* `this` (outside non-arrow functions) becomes it */
    bool new_target;         /* new.target (likewise) becomes void 0 */
    uint32_t inner;          /* references to this binding (the class's own name)... */
    struct kb_jsn *inner_to; /* ...become this */
    struct kb_jsn *home;     /* super.x becomes superGet(home, "x", this); NULL: stays */
};

static bool
cf_is_new_target(const struct kb_jsn *n)
{
    return n->kind == KB_JSN_META_PROP && n->a && n->a->str && !strcmp(n->a->str, "new");
}

static bool
cf_is_super_member(const struct kb_jsn *n)
{
    return n && n->kind == KB_JSN_MEMBER && n->a->kind == KB_JSN_SUPER;
}

/* Whether n writes a super property (super.x = v, [super.x] = a, ...). */
static bool
cf_super_target(const struct kb_jsn *n)
{
    switch (n->kind) {
    case KB_JSN_ASSIGN:
    case KB_JSN_UPDATE:
    case KB_JSN_FOR_IN:
    case KB_JSN_FOR_OF:
    case KB_JSN_ASSIGN_PAT:
    case KB_JSN_REST: return cf_is_super_member(n->a);
    case KB_JSN_ARRAY_PAT:
    case KB_JSN_OBJECT_PAT:
        for (const struct kb_jsn *e = n->a; e; e = e->next)
            if (cf_is_super_member(n->kind == KB_JSN_ARRAY_PAT ? e : e->b))
                return true;
        return false;
    default: return false;
    }
}

/* Whether super appears in the list at n, outside nested non-arrow functions. */
static bool
cf_has_super(const struct kb_jsn *n)
{
    for (; n; n = n->next) {
        if (n->kind == KB_JSN_SUPER)
            return true;
        if (n->kind == KB_JSN_FUNC_DECL || n->kind == KB_JSN_FUNC_EXPR)
            continue;
        if (cf_has_super(n->a) || cf_has_super(n->b) || cf_has_super(n->c) || cf_has_super(n->d))
            return true;
    }
    return false;
}

static struct kb_jsn *cf_fix_node(struct cf_fix *f, struct kb_jsn *n, bool in_fn);

static void
cf_fix_list(struct cf_fix *f, struct kb_jsn **slot, bool in_fn)
{
    for (; *slot; slot = &(*slot)->next) {
        struct kb_jsn *next = (*slot)->next;
        *slot = cf_fix_node(f, *slot, in_fn);
        (*slot)->next = next;
    }
}

static struct kb_jsn *
cf_receiver(struct cf_fix *f, uint32_t pos)
{
    return f->this_to ? kl_clone(f->c, f->this_to) : kl_node(f->c, KB_JSN_THIS, pos);
}

/* super.x -> superGet(home, "x", this), its computed key fixed first. */
static struct kb_jsn *
cf_super_get(struct cf_fix *f, struct kb_jsn *m)
{
    struct kl_ctx *c = f->c;
    struct kb_jsn *key;
    if (m->flags & KB_JSN_F_COMPUTED)
        key = cf_fix_node(f, m->b, false);
    else
        key = kl_str(c, m->b->str, m->b->start);
    return kl_callv(c, kl_helper(c, "superGet", m->start), kl_clone(c, f->home), key,
                    cf_receiver(f, m->start), NULL);
}

/* super.m(args) -> superGet(home, "m", this).call(this, args) */
static struct kb_jsn *
cf_super_call(struct cf_fix *f, struct kb_jsn *n)
{
    struct kb_jsn *callee = kl_member(f->c, cf_super_get(f, n->a), "call");
    callee->flags |= n->flags & KB_JSN_F_OPTIONAL;
    n->flags &= (uint16_t)~KB_JSN_F_OPTIONAL;
    cf_fix_list(f, &n->b, false);
    struct kb_jsn *recv = cf_receiver(f, n->start);
    recv->next = n->b;
    n->a = callee;
    n->b = recv;
    return n;
}

static struct kb_jsn *
cf_fix_node(struct cf_fix *f, struct kb_jsn *n, bool in_fn)
{
    struct kl_ctx *c = f->c;
    if (n->kind == KB_JSN_IDENT && f->inner && n->binding == f->inner)
        return kl_clone(c, f->inner_to);
    if (!in_fn) {
        if (n->kind == KB_JSN_THIS && f->this_to)
            return kl_clone(c, f->this_to);
        if (f->new_target && cf_is_new_target(n))
            return kl_undefined(c, n->start);
    }
    if (!in_fn && f->home) {
        if (cf_super_target(n))
            kl_fail(c, n,
                    "assigning to a super property outside a class body cannot be lowered to %s",
                    kb_lower_target_name(c->target));
        if (n->kind == KB_JSN_CALL && cf_is_super_member(n->a))
            return cf_super_call(f, n);
        if (cf_is_super_member(n))
            return cf_super_get(f, n);
    }
    bool inner_fn = in_fn || n->kind == KB_JSN_FUNC_DECL || n->kind == KB_JSN_FUNC_EXPR;
    cf_fix_list(f, &n->a, inner_fn);
    cf_fix_list(f, &n->b, inner_fn);
    cf_fix_list(f, &n->c, inner_fn);
    cf_fix_list(f, &n->d, inner_fn);
    return n;
}

/* Whether the code around the class (being left) is strict. */
static bool
cf_strict(struct kl_walk *w)
{
    for (uint32_t i = w->depth; i-- > 0;) {
        const struct kb_jsn *n = w->stack[i].node;
        if (cf_is_class(n))
            return true;
        if (n->kind == KB_JSN_PROGRAM || cf_is_fn(n))
            return (n->flags & KB_JSN_F_STRICT) != 0;
    }
    return false;
}

static struct kb_jsn *
cf_use_strict(struct kl_ctx *c, uint32_t pos)
{
    struct kb_jsn *s = kl_expr_stmt(c, kl_str(c, "use strict", pos));
    s->flags |= KB_JSN_F_DIRECTIVE;
    return s;
}

/* Class code was strict: a function moved into sloppy code gets "use
 * strict", or, where its parameters forbid the directive, a strict
 * wrapper: function () { "use strict"; return fn; }(). */
static struct kb_jsn *
cf_keep_strict(struct kl_ctx *c, struct kb_jsn *fn, bool strict)
{
    if (strict)
        return fn;
    struct kb_jsn *dir = cf_use_strict(c, fn->start);
    if (fn->flags & KB_JSN_F_SIMPLE) {
        dir->next = fn->c->a;
        fn->c->a = dir;
        return fn;
    }
    dir->next = kl_return(c, fn);
    return kl_call(c, kl_function(c, NULL, NULL, dir, fn->start), NULL);
}

/* ---- Lowering one class ---- */

/* A list being built, appended to in constant time. */
struct cf_list {
    struct kb_jsn *head, *tail;
};

/* Appends items (a list) to l. */
static void
cf_add(struct cf_list *l, struct kb_jsn *items)
{
    if (!items)
        return;
    if (l->tail)
        l->tail->next = items;
    else
        l->head = items;
    l->tail = kl_last(items);
}

/* Puts node n first in l. */
static void
cf_add_first(struct cf_list *l, struct kb_jsn *n)
{
    n->next = l->head;
    l->head = n;
    if (!l->tail)
        l->tail = n;
}

struct cf_build {
    struct kl_walk *w;
    struct kb_jsn *node; /* the class */
    struct cf_class *k;
    bool expr;                 /* a class expression */
    bool strict;               /* the code around it is strict */
    struct kb_jsn *cref;       /* IDENT naming the class after its definition, or NULL */
    uint32_t inner;            /* a class expression's own name binding (0: none) */
    struct cf_list pre;        /* DECLARATORs before the class: stores, functions, keys */
    struct cf_list keys;       /* computed field keys (assignments) not yet placed */
    struct cf_list inst;       /* instance initialization statements */
    struct cf_list inst_temps; /* DECLARATORs the initializers need in the constructor */
    struct cf_list statics;    /* static initialization expressions, in order */
    struct kb_jsn *ctor;       /* the constructor METHOD, or NULL */
};

static void
cf_pre(struct cf_build *b, struct kb_jsn *id, struct kb_jsn *init)
{
    cf_add(&b->pre, cf_declarator(b->w->c, id, init));
}

/* Whether code after the class definition names the class: static
 * elements, code using super outside the body (the class is its home), and
 * in a class expression keys evaluated after it and private methods that
 * may use the class's own name (conservatively). */
static bool
cf_needs_cref(const struct cf_build *b)
{
    for (const struct kb_jsn *m = b->node->c; m; m = m->next) {
        if (m->kind == KB_JSN_STATIC_BLOCK) {
            if (m->a)
                return true;
            continue;
        }
        bool priv = m->a->kind == KB_JSN_PRIVATE_NAME;
        if ((m->flags & KB_JSN_F_STATIC) && (m->kind == KB_JSN_FIELD || priv))
            return true;
        if (b->expr && m->kind == KB_JSN_FIELD && (m->flags & KB_JSN_F_COMPUTED))
            return true;
        /* A private method may name the class, or need it as super's home. */
        if (priv && m->kind == KB_JSN_METHOD &&
            ((b->expr && b->node->a) || cf_has_super(m->b->b) || cf_has_super(m->b->c)))
            return true;
    }
    return false;
}

static bool
cf_class_name_ok(const char *s)
{
    return !kl_es5_reserved(s);
}

/* The name an anonymous class expression takes from where it stands
 * (`let C = class {}`), which wrapping it in a sequence would lose. */
static void
cf_keep_name(struct kl_walk *w, struct kb_jsn *n)
{
    struct kb_jsn *parent = kl_parent(w);
    bool named = (parent->kind == KB_JSN_DECLARATOR || parent->kind == KB_JSN_ASSIGN_PAT ||
                  (parent->kind == KB_JSN_ASSIGN && parent->op == KB_JS_OP_ASSIGN)) &&
                 parent->b == n && parent->a->kind == KB_JSN_IDENT;
    if (named && cf_class_name_ok(parent->a->str))
        n->a = kl_ident(w->c, parent->a->str, n->start);
}

static void
cf_cref(struct cf_build *b)
{
    struct kl_ctx *c = b->w->c;
    struct kb_jsn *n = b->node;
    if (!cf_needs_cref(b))
        return;
    if (!b->expr) {
        if (!n->a) /* export default class {...} */
            n->a = kl_temp(c, "default", n->start);
        b->cref = kl_clone(c, n->a);
        return;
    }
    if (!n->a)
        cf_keep_name(b->w, n);
    b->cref = kl_temp(c, n->a ? n->a->str : "class", n->start);
    cf_declare(b->w, n, b->cref);
    b->inner = n->a ? n->a->binding : 0;
}

/* A field's key as defineField takes it; a computed one is evaluated now
 * into a temporary (through fieldKey, as ToPropertyKey would). */
static struct kb_jsn *
cf_field_key(struct cf_build *b, struct kb_jsn *m)
{
    struct kl_ctx *c = b->w->c;
    struct kb_jsn *key = m->a;
    if (!(m->flags & KB_JSN_F_COMPUTED))
        return key->kind == KB_JSN_IDENT ? kl_str(c, key->str, key->start) : key;
    if (key->kind == KB_JSN_STR || key->kind == KB_JSN_NUM)
        return key;
    struct kb_jsn *t = kl_temp(c, "key", key->start);
    cf_pre(b, t, NULL);
    struct kb_jsn *conv = kl_callv(c, kl_helper(c, "fieldKey", key->start), key, NULL);
    cf_add(&b->keys, kl_assign(c, t, conv));
    return kl_clone(c, t);
}

/*
 * A field: its initialization on `this` joins the constructor's list, on
 * the class the static list. Its initializer leaves the class body: a
 * static one sees the class for `this` (and for its own name, in a class
 * expression); new.target in any becomes undefined.
 */
static void
cf_field(struct cf_build *b, struct kb_jsn *m)
{
    struct kl_ctx *c = b->w->c;
    bool is_static = (m->flags & KB_JSN_F_STATIC) != 0;
    struct kb_jsn *key = m->a->kind == KB_JSN_PRIVATE_NAME ? NULL : cf_field_key(b, m);
    struct cf_fix fix = { .c = c, .new_target = true };
    if (is_static) {
        fix.this_to = b->cref;
        fix.inner = b->inner;
        fix.inner_to = b->cref;
        fix.home = b->cref;
    }
    struct kb_jsn *value = m->b ? cf_fix_node(&fix, m->b, false) : kl_undefined(c, m->start);
    struct kb_jsn *obj = is_static ? kl_clone(c, b->cref) : kl_node(c, KB_JSN_THIS, m->start);
    struct kb_jsn *init;
    if (!key) {
        struct cf_priv *p = cf_find(b->k, m->a->str);
        init = kl_callv(c, kl_helper(c, "privateAdd", m->start), obj, kl_clone(c, p->store), value,
                        NULL);
    } else {
        init = kl_callv(c, kl_helper(c, "defineField", m->start), obj, key, value, NULL);
    }
    if (is_static) {
        cf_add(&b->statics, init);
        return;
    }
    cf_add(&b->inst, kl_expr_stmt(c, init));
    cf_add(&b->inst_temps, m->c);
}

/* static { body } -> (function () { body }).call(C): its own var scope,
 * the class as `this`. */
static void
cf_static_block(struct cf_build *b, struct kb_jsn *m)
{
    struct kl_ctx *c = b->w->c;
    if (!m->a)
        return;
    struct cf_fix fix = { .c = c, .inner = b->inner, .inner_to = b->cref, .home = b->cref };
    cf_fix_list(&fix, &m->a, false);
    struct kb_jsn *body = m->a;
    if (m->b) {
        struct kb_jsn *temps = kl_node(c, KB_JSN_VAR_DECL, m->start);
        temps->op = KB_JS_VAR;
        temps->a = m->b;
        temps->next = body;
        body = temps;
    }
    struct kb_jsn *fn = kl_function(c, NULL, NULL, body, m->start);
    fn->flags |= KB_JSN_F_STRICT;
    fn = cf_keep_strict(c, fn, b->strict);
    struct kb_jsn *call = kl_callv(c, kl_member(c, fn, "call"), kl_clone(c, b->cref), NULL);
    cf_add(&b->statics, call);
}

/* #m() {} -> _m = function () {} before the class. */
static void
cf_private_method(struct cf_build *b, struct kb_jsn *m)
{
    struct kl_ctx *c = b->w->c;
    struct cf_priv *p = cf_find(b->k, m->a->str);
    struct kb_jsn *fn = m->b;
    struct cf_fix fix = { .c = c, .inner = b->inner, .inner_to = b->cref };
    if (b->cref)
        fix.home = m->flags & KB_JSN_F_STATIC ? kl_clone(c, b->cref)
                                              : kl_member(c, kl_clone(c, b->cref), "prototype");
    cf_fix_list(&fix, &fn->b, false);
    cf_fix_list(&fix, &fn->c, false);
    struct kb_jsn *id = m->op == KB_JS_M_GET ? p->get : m->op == KB_JS_M_SET ? p->set : p->fn;
    cf_pre(b, id, cf_keep_strict(c, fn, b->strict));
}

/* Sorts the class's members: fields, static blocks and private methods
 * leave the body; computed field keys go into the next computed key that
 * stays (so all keys are evaluated in order), the rest after the class. */
static void
cf_members(struct cf_build *b)
{
    struct kl_ctx *c = b->w->c;
    struct kb_jsn **slot = &b->node->c;
    while (*slot) {
        struct kb_jsn *m = *slot;
        if (m->kind == KB_JSN_METHOD && m->a->kind != KB_JSN_PRIVATE_NAME) {
            if (m->op == KB_JS_M_CONSTRUCTOR)
                b->ctor = m;
            if ((m->flags & KB_JSN_F_COMPUTED) && b->keys.head) {
                cf_add(&b->keys, m->a);
                m->a = kl_seq(c, b->keys.head);
                b->keys = (struct cf_list){ 0 };
            }
            slot = &m->next;
            continue;
        }
        *slot = m->next;
        m->next = NULL;
        if (m->kind == KB_JSN_FIELD)
            cf_field(b, m);
        else if (m->kind == KB_JSN_STATIC_BLOCK)
            cf_static_block(b, m);
        else
            cf_private_method(b, m);
    }
}

/* privateAdd(obj, brand) */
static struct kb_jsn *
cf_brand_add(struct kl_ctx *c, struct kb_jsn *obj, struct kb_jsn *brand)
{
    return kl_callv(c, kl_helper(c, "privateAdd", brand->start), obj, kl_clone(c, brand), NULL);
}

/* The stores: a WeakMap per private field and a WeakSet per brand, first
 * in b->pre; the brands are added before any field is initialized. */
static void
cf_stores(struct cf_build *b)
{
    struct kl_ctx *c = b->w->c;
    struct cf_class *k = b->k;
    struct cf_list stores = { 0 };
    for (uint32_t i = 0; i < k->nprivs; i++) {
        struct kb_jsn *store = k->privs[i].store;
        if (k->privs[i].kind == CF_FIELD)
            cf_add(&stores, cf_declarator(c, store, cf_new(c, "WeakMap", store->start)));
    }
    if (k->brand) {
        cf_add(&stores, cf_declarator(c, k->brand, cf_new(c, "WeakSet", k->brand->start)));
        struct kb_jsn *this = kl_node(c, KB_JSN_THIS, k->brand->start);
        cf_add_first(&b->inst, kl_expr_stmt(c, cf_brand_add(c, this, k->brand)));
    }
    if (k->sbrand) {
        cf_add(&stores, cf_declarator(c, k->sbrand, cf_new(c, "WeakSet", k->sbrand->start)));
        cf_add_first(&b->statics, cf_brand_add(c, kl_clone(c, b->cref), k->sbrand));
    }
    cf_add(&stores, b->pre.head);
    b->pre = stores;
}

/* ---- The constructor ---- */

static int
cf_strcmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

struct cf_names {
    const char **v;
    uint32_t n, cap;
};

static void
cf_collect(struct kl_ctx *c, struct cf_names *s, const struct kb_jsn *n)
{
    for (; n; n = n->next) {
        if (n->kind == KB_JSN_IDENT) {
            if (s->n == s->cap) {
                uint32_t cap = s->cap ? s->cap * 2 : 32;
                const char **v = kl_alloc(c, cap * sizeof *v);
                if (s->n)
                    memcpy(v, s->v, s->n * sizeof *v);
                s->v = v;
                s->cap = cap;
            }
            s->v[s->n++] = n->str;
        }
        cf_collect(c, s, n->a);
        cf_collect(c, s, n->b);
        cf_collect(c, s, n->c);
        cf_collect(c, s, n->d);
    }
}

struct cf_rename {
    struct kl_ctx *c;
    const struct kb_jsn *fn;
    struct cf_names names; /* sorted */
    uint32_t *from;        /* bindings renamed ... */
    const char **to;       /* ... to these names */
    uint32_t n, cap;
};

static const char *
cf_renamed(struct cf_rename *r, uint32_t binding)
{
    for (uint32_t i = 0; i < r->n; i++)
        if (r->from[i] == binding)
            return r->to[i];
    if (r->n == r->cap) {
        uint32_t cap = r->cap ? r->cap * 2 : 8;
        uint32_t *from = kl_alloc(r->c, cap * sizeof *from);
        const char **to = kl_alloc(r->c, cap * sizeof *to);
        if (r->n) {
            memcpy(from, r->from, r->n * sizeof *from);
            memcpy(to, r->to, r->n * sizeof *to);
        }
        r->from = from;
        r->to = to;
        r->cap = cap;
    }
    const struct kb_js_binding *bd = &r->c->ast->bindings[binding - 1];
    r->from[r->n] = binding;
    r->to[r->n] = kl_temp(r->c, bd->name, bd->decl->start)->str;
    return r->to[r->n++];
}

static void
cf_rename_list(struct cf_rename *r, struct kb_jsn *n)
{
    for (; n; n = n->next) {
        if (n->kind == KB_JSN_IDENT && n->binding && n->binding <= r->c->ast->nbindings) {
            const struct kb_js_binding *bd = &r->c->ast->bindings[n->binding - 1];
            bool local =
                bd->decl && bd->decl->start >= r->fn->start && bd->decl->start < r->fn->end;
            if (local && bsearch(&n->str, r->names.v, r->names.n, sizeof *r->names.v, cf_strcmp)) {
                n->str = cf_renamed(r, n->binding);
                n->len = (uint32_t)strlen(n->str);
            }
        }
        cf_rename_list(r, n->a);
        cf_rename_list(r, n->b);
        cf_rename_list(r, n->c);
        cf_rename_list(r, n->d);
    }
}

/* The initializers move into the constructor, where its parameters and
 * locals would capture their names: those of the constructor are renamed. */
static void
cf_rename_conflicts(struct cf_build *b, struct kb_jsn *fn)
{
    struct cf_rename r = { .c = b->w->c, .fn = fn };
    cf_collect(r.c, &r.names, b->inst.head);
    if (!r.names.n)
        return;
    qsort(r.names.v, r.names.n, sizeof *r.names.v, cf_strcmp);
    cf_rename_list(&r, fn->b);
    cf_rename_list(&r, fn->c);
}

static bool
cf_is_super_call(const struct kb_jsn *n)
{
    return n->kind == KB_JSN_CALL && n->a->kind == KB_JSN_SUPER;
}

/* super(...) calls in the list at n, outside nested non-arrow functions. */
static unsigned
cf_count_supers(const struct kb_jsn *n)
{
    unsigned k = 0;
    for (; n; n = n->next) {
        if (n->kind == KB_JSN_FUNC_DECL || n->kind == KB_JSN_FUNC_EXPR)
            continue;
        k += cf_is_super_call(n);
        k += cf_count_supers(n->a) + cf_count_supers(n->b) + cf_count_supers(n->c) +
             cf_count_supers(n->d);
    }
    return k;
}

/* Each super(...) in the list at slot becomes (super(...), init(), this). */
static void
cf_wrap_supers(struct kl_ctx *c, struct kb_jsn **slot, const struct kb_jsn *init)
{
    for (; *slot; slot = &(*slot)->next) {
        struct kb_jsn *n = *slot;
        if (n->kind == KB_JSN_FUNC_DECL || n->kind == KB_JSN_FUNC_EXPR)
            continue;
        cf_wrap_supers(c, &n->a, init);
        cf_wrap_supers(c, &n->b, init);
        cf_wrap_supers(c, &n->c, init);
        cf_wrap_supers(c, &n->d, init);
        if (!cf_is_super_call(n))
            continue;
        struct kb_jsn *next = n->next;
        n->next = kl_call(c, kl_clone(c, init), NULL);
        n->next->next = kl_node(c, KB_JSN_THIS, n->start);
        struct kb_jsn *seq = kl_seq(c, n);
        seq->next = next;
        *slot = seq;
    }
}

/* The slot after the directives of a body's statement list. */
static struct kb_jsn **
cf_after_directives(struct kb_jsn **slot)
{
    while (*slot && (*slot)->kind == KB_JSN_EXPR_STMT && ((*slot)->flags & KB_JSN_F_DIRECTIVE))
        slot = &(*slot)->next;
    return slot;
}

static void
cf_insert(struct kb_jsn **slot, struct kb_jsn *stmts)
{
    kl_last(stmts)->next = *slot;
    *slot = stmts;
}

/*
 * In a derived class the instance is initialized when super() returns:
 * after the one top-level `super(...);` statement, or else through an
 * arrow each super call runs: var _init = () => {...}; (super(...), _init(), this).
 */
static void
cf_after_super(struct cf_build *b, struct kb_jsn *fn, struct kb_jsn **body)
{
    struct kl_ctx *c = b->w->c;
    if (cf_count_supers(fn->b))
        kl_fail(c, fn,
                "super() in constructor parameters with class fields cannot be lowered to %s",
                kb_lower_target_name(c->target));
    unsigned n = cf_count_supers(*body);
    if (!n)
        return;
    for (struct kb_jsn **s = body; *s && n == 1; s = &(*s)->next) {
        if ((*s)->kind == KB_JSN_EXPR_STMT && cf_is_super_call((*s)->a)) {
            cf_insert(&(*s)->next, b->inst.head);
            return;
        }
    }
    struct kb_jsn *init = kl_temp(c, "init", fn->start);
    struct kb_jsn *arrow = kl_node(c, KB_JSN_ARROW, fn->start);
    arrow->flags = KB_JSN_F_SIMPLE | KB_JSN_F_STRICT;
    arrow->c = kl_block(c, b->inst.head, fn->start);
    cf_uses(c, KL_F_ARROW, 2015);
    cf_wrap_supers(c, body, init);
    cf_insert(body, kl_var(c, KB_JS_VAR, init, arrow));
}

/* constructor() {} or, derived, constructor() { super(...arguments); } */
static struct kb_jsn *
cf_default_ctor(struct cf_build *b)
{
    struct kl_ctx *c = b->w->c;
    uint32_t pos = b->node->start;
    struct kb_jsn *body = NULL;
    if (b->node->b) {
        struct kb_jsn *spread = kl_node(c, KB_JSN_SPREAD, pos);
        spread->a = kl_ident(c, "arguments", pos);
        body = kl_expr_stmt(c, kl_call(c, kl_node(c, KB_JSN_SUPER, pos), spread));
        cf_uses(c, KL_F_SPREAD, 2015);
    }
    struct kb_jsn *fn = kl_function(c, NULL, NULL, body, pos);
    fn->flags |= KB_JSN_F_STRICT;
    struct kb_jsn *m = kl_node(c, KB_JSN_METHOD, pos);
    m->op = KB_JS_M_CONSTRUCTOR;
    m->a = kl_ident(c, "constructor", pos);
    m->b = fn;
    m->next = b->node->c;
    b->node->c = m;
    return m;
}

/* Puts the instance initialization into the constructor (made if none). */
static void
cf_constructor(struct cf_build *b)
{
    struct kl_ctx *c = b->w->c;
    if (!b->inst.head)
        return;
    if (b->ctor)
        cf_rename_conflicts(b, b->ctor->b);
    else
        b->ctor = cf_default_ctor(b);
    struct kb_jsn *fn = b->ctor->b;
    struct kb_jsn **body = cf_after_directives(&fn->c->a);
    if (b->inst_temps.head) {
        struct kb_jsn *temps = kl_node(c, KB_JSN_VAR_DECL, fn->start);
        temps->op = KB_JS_VAR;
        temps->a = b->inst_temps.head;
        cf_insert(body, temps);
        body = &temps->next;
    }
    if (b->node->b)
        cf_after_super(b, fn, body);
    else
        cf_insert(body, b->inst.head);
}

/* ---- The class's replacement ---- */

/* (_x = new WeakMap(), ..., _C = class {...}, static elements, _C) */
static struct kb_jsn *
cf_assemble_expr(struct cf_build *b, struct kb_jsn *after)
{
    struct kl_ctx *c = b->w->c;
    struct kb_jsn *n = b->node;
    struct cf_list items = { 0 };
    if (!b->pre.head && !b->cref)
        return n;
    for (struct kb_jsn *d = b->pre.head; d; d = d->next) {
        cf_declare(b->w, n, d->a);
        if (d->b)
            cf_add(&items, kl_assign(c, kl_clone(c, d->a), d->b));
    }
    if (!n->a)
        cf_keep_name(b->w, n);
    struct kb_jsn *cls = n;
    if (!n->a && b->cref) { /* (0, class {}): no name from the temporary */
        struct kb_jsn *zero = kl_num(c, 0, n->start);
        zero->next = n;
        cls = kl_seq(c, zero);
    }
    cf_add(&items, b->cref ? kl_assign(c, kl_clone(c, b->cref), cls) : cls);
    if (after) {
        cf_add(&items, after);
        cf_add(&items, kl_clone(c, b->cref));
    }
    return kl_seq(c, items.head);
}

/* Whether declarations before a class declaration can be `var`: at the
 * top of a function or of the program (in a block they are `let`, one per
 * evaluation of the block). */
static bool
cf_var_level(struct kl_walk *w)
{
    uint32_t i = w->depth - 1;
    if (w->stack[i].node->kind == KB_JSN_EXPORT_NAMED ||
        w->stack[i].node->kind == KB_JSN_EXPORT_DEFAULT)
        i--;
    const struct kb_jsn *list = w->stack[i].node;
    if (list->kind == KB_JSN_PROGRAM)
        return true;
    return list->kind == KB_JSN_BLOCK && i > 0 && cf_is_fn(w->stack[i - 1].node) &&
           w->stack[i - 1].node->c == list;
}

/* let _x = new WeakMap(), ...; class C {...} _defineField(C, ...); ... */
static struct kb_jsn *
cf_assemble_decl(struct cf_build *b, struct kb_jsn *after)
{
    struct kl_ctx *c = b->w->c;
    struct cf_state *st = b->w->data;
    struct kb_jsn *pre = NULL;
    struct cf_list post = { 0 };
    if (b->pre.head) {
        bool var = cf_var_level(b->w);
        if (!var)
            cf_uses(c, KL_F_LET_CONST, 2015);
        pre = kl_node(c, KB_JSN_VAR_DECL, b->node->start);
        pre->op = var ? KB_JS_VAR : KB_JS_LET;
        pre->a = b->pre.head;
    }
    while (after) {
        struct kb_jsn *next = after->next;
        after->next = NULL;
        cf_add(&post, kl_expr_stmt(c, after));
        after = next;
    }
    struct kb_jsn *parent = kl_parent(b->w);
    if (parent->kind == KB_JSN_EXPORT_NAMED || parent->kind == KB_JSN_EXPORT_DEFAULT) {
        st->pre = pre;
        st->post = post.head;
        return b->node;
    }
    b->node->next = post.head;
    return kl_concat(pre, b->node);
}

static struct kb_jsn *
cf_lower_class(struct kl_walk *w, struct kb_jsn *n)
{
    struct cf_state *st = w->data;
    struct cf_build b = {
        .w = w,
        .node = n,
        .k = st->top,
        .expr = n->kind == KB_JSN_CLASS_EXPR,
        .strict = cf_strict(w),
    };
    st->top = b.k->up;
    cf_cref(&b);
    cf_members(&b);
    cf_stores(&b);
    cf_constructor(&b);
    cf_add(&b.keys, b.statics.head);
    struct kb_jsn *after = b.keys.head;
    return b.expr ? cf_assemble_expr(&b, after) : cf_assemble_decl(&b, after);
}

/* ---- Baseline: static blocks only ---- */

/* static { body } -> static #_static = (() => { body })(); */
static struct kb_jsn *
cf_static_block_field(struct kl_walk *w, struct kb_jsn *n)
{
    struct kl_ctx *c = w->c;
    if (!n->a)
        return NULL;
    struct kb_jsn *arrow = kl_node(c, KB_JSN_ARROW, n->start);
    arrow->flags = KB_JSN_F_SIMPLE | KB_JSN_F_STRICT;
    arrow->c = kl_block(c, n->a, n->start);
    struct kb_jsn *id = kl_temp(c, "static", n->start);
    struct kb_jsn *key = kl_node(c, KB_JSN_PRIVATE_NAME, n->start);
    key->str = id->str;
    key->len = id->len;
    struct kb_jsn *f = kl_node(c, KB_JSN_FIELD, n->start);
    f->flags = KB_JSN_F_STATIC;
    f->a = key;
    f->b = kl_call(c, arrow, NULL);
    return f;
}

/* ---- The walk ---- */

static struct kb_jsn *
cf_enter(struct kl_walk *w, struct kb_jsn *n, bool *skip)
{
    (void)skip;
    struct cf_state *st = w->data;
    if (st->full && cf_is_class(n))
        cf_push_class(w, n);
    if (st->full && n->kind == KB_JSN_CHAIN)
        return cf_split_chain(w, n);
    return n;
}

static struct kb_jsn *
cf_leave(struct kl_walk *w, struct kb_jsn *n)
{
    struct cf_state *st = w->data;
    if (!st->full)
        return n->kind == KB_JSN_STATIC_BLOCK ? cf_static_block_field(w, n) : n;
    switch (n->kind) {
    case KB_JSN_CLASS_DECL:
    case KB_JSN_CLASS_EXPR: return cf_lower_class(w, n);
    case KB_JSN_EXPORT_NAMED:
    case KB_JSN_EXPORT_DEFAULT: {
        struct kb_jsn *r = kl_concat(st->pre, kl_concat(n, st->post));
        st->pre = st->post = NULL;
        return r;
    }
    case KB_JSN_MEMBER: return cf_is_private_member(n) ? cf_leave_member(w, n) : n;
    case KB_JSN_ASSIGN: return cf_is_private_member(n->a) ? cf_leave_assign(w, n) : n;
    case KB_JSN_UPDATE: return cf_is_private_member(n->a) ? cf_leave_update(w, n) : n;
    case KB_JSN_CALL: return cf_is_private_member(n->a) ? cf_leave_call(w, n) : n;
    case KB_JSN_TAGGED_TEMPLATE: return cf_is_private_member(n->a) ? cf_leave_tagged(w, n) : n;
    case KB_JSN_BINARY:
        return n->op == KB_JS_OP_IN && n->a->kind == KB_JSN_PRIVATE_NAME ? cf_leave_in(w, n) : n;
    default: return n;
    }
}

void
kl_pass_class_fields(struct kl_ctx *c)
{
    struct cf_state st = { .full = kb_lower_target_year(c->target) < 2022 };
    struct kl_walk w = { .c = c, .data = &st, .enter = cf_enter, .leave = cf_leave };
    kl_walk(&w);
}
