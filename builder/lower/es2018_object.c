/*
 * ES2018 object spread and rest.
 *
 * Spread in a literal: the properties before the first spread stay a
 * literal; each spread copies its own enumerable properties onto the
 * result (_objectSpread: getters read once, [[Define]] semantics, null and
 * undefined skipped); the properties between spreads are copied from a
 * literal of their own, the same way, or when they hold accessors or
 * `__proto__: p` by _objectDefine (accessors stay accessors, the prototype
 * is set). Left to right:
 *
 *   {a, ...b, c: 1}    _objectSpread(_objectSpread({a}, b), {c: 1})
 *   {...b, get c() {}} _objectDefine(_objectSpread({}, b), {get c() {}})
 *
 * Rest in a pattern, in every position (declarations, parameters, catch,
 * for-in/of heads, assignments): the pattern is split where a rest needs
 * the value again; the rest copies what the pattern's keys leave
 * (_objectWithoutProperties), computed keys converted once
 * (_toPropertyKey). The rest of the destructuring stays native:
 *
 *   const {a, [k]: b, ...r} = o
 *   const {a, [_key = _toPropertyKey(k)]: b} = _ref = o,
 *         r = _objectWithoutProperties(_ref, ["a", _key])
 *   function f({a, ...r}, b = 1) {}
 *   function f(_ref, _ref2 = void 0) { var {a} = _ref, r = ..., b = _ref2 === void 0 ? 1 : _ref2; }
 *   ({a, ...r} = o)       (_ref = o, {a} = _ref, r = _objectWithoutProperties(_ref, ["a"]), _ref)
 *   for (const {a, ...r} of xs) S   for (const _ref of xs) { const {a} = _ref, r = ...; S }
 *
 * Differences from native (docs/internals/lowering/modern.md): a nested
 * pattern inside an array pattern is destructured after the array's other
 * elements; parameters from the first one with a rest on are destructured
 * in the body (their defaults see the body's var names, and a generator's
 * run on the first next()); methods after a spread have the separate
 * literal as their home object.
 */
#include "builder/lower/internal.h"

#include <string.h>

/* ---- Spread in literals ---- */

static struct kb_jsn *
object_literal(struct kl_ctx *c, struct kb_jsn *props, uint32_t pos)
{
    struct kb_jsn *o = kl_node(c, KB_JSN_OBJECT, pos);
    o->a = props;
    return o;
}

/* Whether copying the group's literal by value defines the same
 * properties: no accessors and no `__proto__: p`. */
static bool
object_plain(const struct kb_jsn *group)
{
    for (const struct kb_jsn *q = group; q; q = q->next) {
        if (q->op == KB_JS_P_GET || q->op == KB_JS_P_SET)
            return false;
        if ((q->flags & (KB_JSN_F_COMPUTED | KB_JSN_F_SHORTHAND | KB_JSN_F_METHOD)) == 0 &&
            (q->a->kind == KB_JSN_IDENT || q->a->kind == KB_JSN_STR) &&
            !strcmp(q->a->str, "__proto__"))
            return false;
    }
    return true;
}

/* acc with a group of literal properties defined on it. */
static struct kb_jsn *
object_add_group(struct kl_ctx *c, struct kb_jsn *acc, struct kb_jsn *group)
{
    const char *helper = object_plain(group) ? "objectSpread" : "objectDefine";
    return kl_callv(c, kl_helper(c, helper, group->start), acc,
                    object_literal(c, group, group->start), NULL);
}

static struct kb_jsn *
object_spread(struct kl_walk *w, struct kb_jsn *n)
{
    struct kl_ctx *c = w->c;
    struct kb_jsn *acc = NULL, *group = NULL, **tail = &group;
    for (struct kb_jsn *q = n->a, *next; q; q = next) {
        next = q->next;
        q->next = NULL;
        if (q->kind != KB_JSN_SPREAD) {
            *tail = q;
            tail = &q->next;
            continue;
        }
        if (!acc) {
            n->a = group;
            acc = n;
        } else if (group) {
            acc = object_add_group(c, acc, group);
        }
        acc = kl_callv(c, kl_helper(c, "objectSpread", q->start), acc, q->a, NULL);
        group = NULL;
        tail = &group;
    }
    if (group)
        acc = object_add_group(c, acc, group);
    acc->start = acc->end = n->start;
    return acc;
}

static bool
object_has_spread(const struct kb_jsn *n)
{
    for (const struct kb_jsn *q = n->a; q; q = q->next)
        if (q->kind == KB_JSN_SPREAD)
            return true;
    return false;
}

/* ---- Rest in patterns ---- */

/* Whether pattern p holds an object rest anywhere. */
static bool
object_has_rest(const struct kb_jsn *p)
{
    switch (p->kind) {
    case KB_JSN_OBJECT_PAT:
        for (const struct kb_jsn *q = p->a; q; q = q->next)
            if (q->kind == KB_JSN_REST || object_has_rest(q->b))
                return true;
        return false;
    case KB_JSN_ARRAY_PAT:
        for (const struct kb_jsn *q = p->a; q; q = q->next)
            if (object_has_rest(q))
                return true;
        return false;
    case KB_JSN_ASSIGN_PAT:
    case KB_JSN_REST: return object_has_rest(p->a);
    default: return false;
    }
}

/* The pairs a pattern becomes, in order: DECLARATORs (a: target, b:
 * value), declared by the caller or assigned (decl false). */
struct object_steps {
    struct kb_jsn *head, **tail;
    bool decl;
    struct kb_jsn *vars; /* temporaries of computed keys, for the caller to declare */
};

/* Declares the key temporaries as vars of the function being walked. */
static void
object_declare_vars(struct kl_walk *w, struct object_steps *s)
{
    for (struct kb_jsn *t = s->vars, *next; t; t = next) {
        next = t->next;
        t->next = NULL;
        kl_declare(w, t);
    }
    s->vars = NULL;
}

static void
object_emit(struct kl_ctx *c, struct object_steps *s, struct kb_jsn *target, struct kb_jsn *value)
{
    struct kb_jsn *d = kl_node(c, KB_JSN_DECLARATOR, target->start);
    d->a = target;
    d->b = value;
    *s->tail = d;
    s->tail = &d->next;
}

/* A fresh name for a value the steps read again: a binding of the
 * declaration, or a var of the function when assigning. */
static struct kb_jsn *
object_temp(struct kl_walk *w, struct object_steps *s, const char *hint, uint32_t pos)
{
    struct kb_jsn *t = kl_temp(w->c, hint, pos);
    if (!s->decl)
        kl_declare(w, t);
    return t;
}

static void object_pattern(struct kl_walk *w, struct object_steps *s, struct kb_jsn *p,
                           struct kb_jsn *value);

/* Puts a temporary where *slot's target is (inside its default, if any),
 * and returns the target taken out. */
static struct kb_jsn *
object_detach(struct kl_walk *w, struct object_steps *s, struct kb_jsn **slot, struct kb_jsn **temp)
{
    if ((*slot)->kind == KB_JSN_ASSIGN_PAT || (*slot)->kind == KB_JSN_REST)
        slot = &(*slot)->a;
    struct kb_jsn *orig = *slot;
    struct kb_jsn *t = object_temp(w, s, "ref", orig->start);
    t->next = orig->next;
    orig->next = NULL;
    *slot = t;
    *temp = kl_clone(w->c, t);
    return orig;
}

/* An array pattern: the elements holding a rest get temporaries, which
 * are destructured after it (iterators cannot be split). */
static void
object_array(struct kl_walk *w, struct object_steps *s, struct kb_jsn *p, struct kb_jsn *value)
{
    struct kb_jsn *later = NULL, **tail = &later;
    for (struct kb_jsn **link = &p->a; *link; link = &(*link)->next) {
        if (!object_has_rest(*link))
            continue;
        struct kb_jsn *temp;
        struct kb_jsn *orig = object_detach(w, s, link, &temp);
        struct kb_jsn *d = kl_node(w->c, KB_JSN_DECLARATOR, orig->start);
        d->a = orig;
        d->b = temp;
        *tail = d;
        tail = &d->next;
    }
    object_emit(w->c, s, p, value);
    for (struct kb_jsn *d = later; d; d = d->next)
        object_pattern(w, s, d->a, d->b);
}

/* The value an object pattern reads: once, or through a temporary when
 * read more than once. */
struct object_value {
    struct kb_jsn *first, *again;
    bool used;
};

static struct kb_jsn *
object_value_read(struct kl_ctx *c, struct object_value *v)
{
    if (!v->used) {
        v->used = true;
        return v->first;
    }
    return kl_clone(c, v->again);
}

/* The key of property q as a value for the rest's exclusion list; a
 * computed key is converted once, into a temporary. */
static struct kb_jsn *
object_key(struct kl_ctx *c, struct object_steps *s, struct kb_jsn *q)
{
    struct kb_jsn *k = q->a;
    if (q->flags & KB_JSN_F_COMPUTED) {
        struct kb_jsn *t = kl_temp(c, "key", k->start);
        struct kb_jsn *decl = kl_clone(c, t);
        decl->next = s->vars;
        s->vars = decl;
        q->a = kl_assign(c, t, kl_callv(c, kl_helper(c, "toPropertyKey", k->start), k, NULL));
        return kl_clone(c, t);
    }
    if (k->kind == KB_JSN_IDENT)
        return kl_str(c, k->str, k->start);
    return kl_clone(c, k); /* a string or a number: the helper converts numbers */
}

static struct kb_jsn *
object_group(struct kl_ctx *c, struct kb_jsn *props, uint32_t pos)
{
    struct kb_jsn *g = kl_node(c, KB_JSN_OBJECT_PAT, pos);
    g->a = props;
    return g;
}

/* An object pattern holding a rest: split after each property whose
 * target holds one, the rest last. */
static void
object_object(struct kl_walk *w, struct object_steps *s, struct kb_jsn *p, struct kb_jsn *value)
{
    struct kl_ctx *c = w->c;
    struct kb_jsn *rest = NULL;
    unsigned reads = 0;
    bool pending = false;
    for (struct kb_jsn *q = p->a; q; q = q->next) {
        if (q->kind == KB_JSN_REST) {
            rest = q;
            reads++;
            continue;
        }
        pending = true;
        if (object_has_rest(q->b)) {
            reads++;
            pending = false;
        }
    }
    reads += pending;
    struct object_value v = { .first = value };
    if (reads > 1 && !(value->kind == KB_JSN_IDENT && value->end == value->start)) {
        struct kb_jsn *t = kl_temp(c, "ref", value->start);
        kl_declare(w, t);
        v.first = kl_assign(c, t, value);
        v.again = t;
    } else {
        v.again = value;
    }
    struct kb_jsn *excluded = NULL, **etail = &excluded;
    struct kb_jsn *group = NULL, **gtail = &group;
    for (struct kb_jsn *q = p->a, *next; q && q != rest; q = next) {
        next = q->next;
        q->next = NULL;
        if (rest) {
            *etail = object_key(c, s, q);
            etail = &(*etail)->next;
        }
        *gtail = q;
        gtail = &q->next;
        if (!object_has_rest(q->b))
            continue;
        struct kb_jsn *temp;
        struct kb_jsn *orig = object_detach(w, s, &q->b, &temp);
        object_emit(c, s, object_group(c, group, group->start), object_value_read(c, &v));
        object_pattern(w, s, orig, temp);
        group = NULL;
        gtail = &group;
    }
    if (group)
        object_emit(c, s, object_group(c, group, group->start), object_value_read(c, &v));
    if (rest) {
        struct kb_jsn *list = kl_node(c, KB_JSN_ARRAY, rest->start);
        list->a = excluded;
        struct kb_jsn *copy = kl_callv(c, kl_helper(c, "objectWithoutProperties", rest->start),
                                       object_value_read(c, &v), list, NULL);
        object_emit(c, s, rest->a, copy);
    }
}

/* Appends the steps that destructure value into pattern p. */
static void
object_pattern(struct kl_walk *w, struct object_steps *s, struct kb_jsn *p, struct kb_jsn *value)
{
    if (!object_has_rest(p))
        object_emit(w->c, s, p, value);
    else if (p->kind == KB_JSN_ARRAY_PAT)
        object_array(w, s, p, value);
    else
        object_object(w, s, p, value);
}

/* ---- The positions ---- */

static struct kb_jsn *
object_decl(struct kl_ctx *c, int kind, struct kb_jsn *declarators, uint32_t pos)
{
    struct kb_jsn *n = kl_node(c, KB_JSN_VAR_DECL, pos);
    n->op = (uint8_t)kind;
    n->a = declarators;
    return n;
}

/* The steps as one expression: (t1 = v1, t2 = v2, ...). */
static struct kb_jsn *
object_assigns(struct kl_ctx *c, struct kb_jsn *steps, struct kb_jsn *value)
{
    struct kb_jsn *list = NULL, **tail = &list;
    for (struct kb_jsn *d = steps; d; d = d->next) {
        *tail = kl_assign(c, d->a, d->b);
        tail = &(*tail)->next;
    }
    *tail = value;
    return kl_seq(c, list);
}

static void
object_var_decl(struct kl_walk *w, struct kb_jsn *n)
{
    struct object_steps s = { .tail = &s.head, .decl = true };
    for (struct kb_jsn *d = n->a, *next; d; d = next) {
        next = d->next;
        d->next = NULL;
        if (d->b && object_has_rest(d->a)) {
            object_pattern(w, &s, d->a, d->b);
        } else {
            *s.tail = d;
            s.tail = &d->next;
        }
    }
    object_declare_vars(w, &s);
    n->a = s.head;
}

static struct kb_jsn *
object_assign(struct kl_walk *w, struct kb_jsn *n)
{
    struct kl_ctx *c = w->c;
    struct object_steps s = { .tail = &s.head };
    struct kb_jsn *parent = kl_parent(w), *value = NULL;
    if (parent && parent->kind == KB_JSN_EXPR_STMT) {
        object_pattern(w, &s, n->a, n->b);
    } else {
        struct kb_jsn *t = kl_temp(c, "ref", n->start);
        kl_declare(w, t);
        object_emit(c, &s, t, n->b);
        object_pattern(w, &s, n->a, kl_clone(c, t));
        value = kl_clone(c, t);
    }
    object_declare_vars(w, &s);
    struct kb_jsn *r = object_assigns(c, s.head, value);
    r->start = r->end = n->start;
    return r;
}

/* Prepends stmt to a loop's or catch's body, keeping the body's own
 * declarations in a block of their own. */
static struct kb_jsn *
object_prepend(struct kl_ctx *c, struct kb_jsn *stmt, struct kb_jsn *body)
{
    stmt->next = body;
    return kl_block(c, stmt, body->start);
}

static void
object_for_head(struct kl_walk *w, struct kb_jsn *n)
{
    struct kl_ctx *c = w->c;
    struct kb_jsn *head = n->a, *stmt;
    if (head->kind == KB_JSN_VAR_DECL) {
        struct kb_jsn *d = head->a;
        if (!object_has_rest(d->a))
            return;
        struct object_steps s = { .tail = &s.head, .decl = true };
        struct kb_jsn *t = kl_temp(c, "ref", d->a->start);
        object_pattern(w, &s, d->a, kl_clone(c, t));
        d->a = t;
        object_declare_vars(w, &s);
        stmt = object_decl(c, head->op, s.head, n->start);
    } else {
        if (!object_has_rest(head))
            return;
        struct object_steps s = { .tail = &s.head };
        struct kb_jsn *t = kl_temp(c, "ref", head->start);
        kl_declare(w, t);
        object_pattern(w, &s, head, kl_clone(c, t));
        n->a = t;
        object_declare_vars(w, &s);
        stmt = kl_expr_stmt(c, object_assigns(c, s.head, NULL));
    }
    n->d = object_prepend(c, stmt, n->d);
}

static void
object_catch(struct kl_walk *w, struct kb_jsn *n)
{
    struct kl_ctx *c = w->c;
    struct object_steps s = { .tail = &s.head, .decl = true };
    struct kb_jsn *t = kl_temp(c, "ref", n->a->start);
    object_pattern(w, &s, n->a, kl_clone(c, t));
    n->a = t;
    object_declare_vars(w, &s);
    struct kb_jsn *decl = object_decl(c, KB_JS_LET, s.head, n->b->start);
    decl->next = n->b->a;
    n->b->a = decl;
}

/* The body's statements after its directive prologue. */
static struct kb_jsn **
object_body_top(struct kl_ctx *c, struct kb_jsn *fn)
{
    if (fn->flags & KB_JSN_F_EXPR_BODY) {
        fn->c = kl_block(c, kl_return(c, fn->c), fn->c->start);
        fn->flags &= (uint16_t)~KB_JSN_F_EXPR_BODY;
    }
    struct kb_jsn **at = &fn->c->a;
    while (*at && (*at)->kind == KB_JSN_EXPR_STMT && ((*at)->flags & KB_JSN_F_DIRECTIVE))
        at = &(*at)->next;
    return at;
}

/* One parameter from the first with a rest on, moved into the body: a
 * temporary takes its place (keeping the first one's default, and the
 * function's length). */
static void
object_param(struct kl_walk *w, struct object_steps *s, struct kb_jsn **link, bool first,
             bool *length_fixed)
{
    struct kl_ctx *c = w->c;
    struct kb_jsn *q = *link;
    struct kb_jsn *t = kl_temp(c, "ref", q->start);
    struct kb_jsn *value = kl_clone(c, t);
    struct kb_jsn *target = q, *repl = t;
    if (q->kind == KB_JSN_ASSIGN_PAT) {
        target = q->a;
        if (first) {
            q->a = t;
            repl = q;
        } else {
            struct kb_jsn *unset =
                kl_binary(c, KB_JS_OP_SEQ, kl_clone(c, t), kl_undefined(c, q->start));
            value = kl_cond(c, unset, q->b, value);
            if (!*length_fixed) {
                repl = kl_node(c, KB_JSN_ASSIGN_PAT, q->start);
                repl->a = t;
                repl->b = kl_undefined(c, q->start);
            }
        }
        *length_fixed = true;
    } else if (q->kind == KB_JSN_REST) {
        target = q->a;
        q->a = t;
        repl = q;
    }
    repl->next = q->next;
    if (repl != q)
        q->next = NULL;
    *link = repl;
    object_pattern(w, s, target, value);
}

static void
object_params(struct kl_walk *w, struct kb_jsn *fn)
{
    struct kl_ctx *c = w->c;
    struct kb_jsn **link = &fn->b;
    bool length_fixed = false;
    for (; *link && !object_has_rest(*link); link = &(*link)->next)
        if ((*link)->kind == KB_JSN_ASSIGN_PAT || (*link)->kind == KB_JSN_REST)
            length_fixed = true;
    if (!*link)
        return;
    struct object_steps s = { .tail = &s.head, .decl = true };
    for (bool first = true; *link; link = &(*link)->next, first = false) {
        struct kb_jsn *q = *link;
        if (q->kind == KB_JSN_IDENT || (q->kind == KB_JSN_REST && q->a->kind == KB_JSN_IDENT))
            continue;
        object_param(w, &s, link, first, &length_fixed);
    }
    fn->flags |= KB_JSN_F_SIMPLE;
    for (struct kb_jsn *q = fn->b; q; q = q->next)
        if (q->kind != KB_JSN_IDENT)
            fn->flags &= (uint16_t)~KB_JSN_F_SIMPLE;
    for (struct kb_jsn *t = s.vars, *next; t; t = next) {
        next = t->next;
        t->next = NULL;
        struct kb_jsn *d = kl_node(c, KB_JSN_DECLARATOR, t->start);
        d->a = t;
        d->next = s.head;
        s.head = d;
    }
    struct kb_jsn **at = object_body_top(c, fn);
    struct kb_jsn *decl = object_decl(c, KB_JS_VAR, s.head, fn->c->start);
    decl->next = *at;
    *at = decl;
}

static struct kb_jsn *
object_leave(struct kl_walk *w, struct kb_jsn *n)
{
    struct kb_jsn *parent = kl_parent(w);
    switch (n->kind) {
    case KB_JSN_OBJECT:
        if (object_has_spread(n))
            return object_spread(w, n);
        break;
    case KB_JSN_VAR_DECL:
        if (!(parent && (parent->kind == KB_JSN_FOR_IN || parent->kind == KB_JSN_FOR_OF) &&
              parent->a == n))
            object_var_decl(w, n);
        break;
    case KB_JSN_ASSIGN:
        if (n->op == KB_JS_OP_ASSIGN && object_has_rest(n->a))
            return object_assign(w, n);
        break;
    case KB_JSN_FOR_IN:
    case KB_JSN_FOR_OF: object_for_head(w, n); break;
    case KB_JSN_CATCH:
        if (n->a && object_has_rest(n->a))
            object_catch(w, n);
        break;
    case KB_JSN_FUNC_DECL:
    case KB_JSN_FUNC_EXPR:
    case KB_JSN_ARROW: object_params(w, n); break;
    default: break;
    }
    return n;
}

void
kl_pass_object_rest(struct kl_ctx *c)
{
    struct kl_walk w = { .c = c, .leave = object_leave };
    kl_walk(&w);
}
