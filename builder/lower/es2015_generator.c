/*
 * ES2015 generators to state machines, for ES5 (docs/internals/lowering/
 * generators.md). A generator function keeps its name, parameters and vars;
 * its body becomes a step function over a context object, which the runtime
 * helper _generator (runtime/generator.js) drives:
 *
 *   function* g(a) {            function g(a) {
 *     try {                       var x;
 *       var x = yield a;          return _generator(function (_ctx) {
 *     } finally {                   for (;;) switch (_ctx.p = _ctx.n) {
 *       log(x);                     case 0:
 *     }                             case 1: _ctx.p = 1; _ctx.n = 2; return a;
 *   }                               case 2: x = _ctx.sent;
 *                                   case 3: _ctx.p = 3; log(x); return _ctx.f(3);
 *                                   case 4: _ctx.p = 4; return _ctx.r();
 *                                   }
 *                                 }, null, [[1, 0, 3, 4]]);
 *                               }
 *
 * Statements and expressions that contain a yield are exploded into cases
 * (one per resume point or jump target, numbered in emission order, so that
 * each try statement's parts are ranges of case numbers); everything else
 * is kept as written, with its return, break and continue rewritten when
 * they leave it. Runs after block scoping (only var is left), arrows,
 * destructuring, for-of and spread; each node is visited a bounded number
 * of times, so the work is linear in the function's size.
 */
#include "builder/lower/internal.h"

#include <string.h>

/* A set of nodes (those that contain a yield): open addressing, in the arena. */
struct kl_gen_set {
    const struct kb_jsn **v;
    uint32_t n, cap;
};

enum { KL_GEN_LOOP = 1, KL_GEN_SWITCH, KL_GEN_LABEL, KL_GEN_TRY };

/* What break and continue may target, or a try statement they may cross. */
struct kl_gen_leap {
    uint8_t kind;
    bool finally;     /* KL_GEN_TRY: it has a finally block */
    const char *name; /* KL_GEN_LABEL */
    uint32_t brk;     /* label */
    int64_t cont;     /* label, or -1 where continue cannot go */
};

/* A NUM node that will hold a label's case number. */
struct kl_gen_ref {
    struct kb_jsn *num;
    uint32_t label;
};

/* The pass: what outlives one function. */
struct kl_gen_pass {
    struct kl_ctx *c;
    const char *ctx;     /* the step function's parameter, "_ctx" */
    const char *args;    /* the copy of `arguments`, "_arguments" */
    const char **rename; /* per binding: a caught exception's new name */
    uint32_t *declared;  /* per binding: the serial of the function it was hoisted in */
    uint32_t serial;
    bool renamed;
};

/* One generator function being compiled. */
struct kl_gen {
    struct kl_ctx *c;
    struct kl_gen_pass *pass;
    struct kl_gen_set yields;
    uint32_t pos;         /* where synthesized nodes map: the function's start */
    struct kb_jsn *cases; /* the CASE list */
    struct kb_jsn **tail; /* the end of the last case's statements */
    struct kb_jsn *last;  /* its last statement, NULL when it has none */
    struct kb_jsn **cases_tail;
    uint32_t ncases;
    int64_t *loc; /* label -> case number, -1 until marked */
    uint32_t nloc, caploc;
    struct kl_gen_ref *refs;
    uint32_t nrefs, caprefs;
    struct kl_gen_leap *leaps;
    uint32_t nleaps, capleaps;
    struct kb_jsn *tries, **tries_tail; /* ARRAYs [try, catch, finally, after] */
    struct kb_jsn *vars, **vars_tail;   /* DECLARATORs of the outer function's var */
    struct kb_jsn *funcs, **funcs_tail; /* hoisted function declarations */
    bool uses_this, uses_args;
};

/* ---- Small tools ---- */

static void *
kl_gen_grow(struct kl_ctx *c, void *v, uint32_t n, uint32_t *cap, size_t size)
{
    if (n < *cap)
        return v;
    uint32_t ncap = *cap ? *cap * 2 : 16;
    void *p = kl_alloc(c, ncap * size);
    if (n)
        memcpy(p, v, n * size);
    *cap = ncap;
    return p;
}

static uint32_t
kl_gen_hash(const void *p)
{
    uint64_t x = (uint64_t)(uintptr_t)p;
    x = (x ^ (x >> 33)) * UINT64_C(0xff51afd7ed558ccd);
    return (uint32_t)(x ^ (x >> 33));
}

static void
kl_gen_set_add(struct kl_ctx *c, struct kl_gen_set *s, const struct kb_jsn *n)
{
    if ((s->n + 1) * 2 > s->cap) {
        struct kl_gen_set t = { .cap = s->cap ? s->cap * 2 : 64 };
        t.v = kl_alloc(c, t.cap * sizeof *t.v);
        for (uint32_t i = 0; i < s->cap; i++)
            if (s->v[i])
                kl_gen_set_add(c, &t, s->v[i]);
        *s = t;
    }
    uint32_t i = kl_gen_hash(n) & (s->cap - 1);
    while (s->v[i] && s->v[i] != n)
        i = (i + 1) & (s->cap - 1);
    if (!s->v[i])
        s->n++;
    s->v[i] = n;
}

/* Whether n contains a yield (outside nested functions). */
static bool
kl_gen_has(const struct kl_gen *g, const struct kb_jsn *n)
{
    if (!n || !g->yields.cap)
        return false;
    for (uint32_t i = kl_gen_hash(n) & (g->yields.cap - 1); g->yields.v[i];
         i = (i + 1) & (g->yields.cap - 1))
        if (g->yields.v[i] == n)
            return true;
    return false;
}

static bool
kl_gen_is_fn(const struct kb_jsn *n)
{
    return n->kind == KB_JSN_FUNC_DECL || n->kind == KB_JSN_FUNC_EXPR;
}

static bool
kl_gen_is_loop(const struct kb_jsn *n)
{
    return n->kind == KB_JSN_FOR || n->kind == KB_JSN_FOR_IN || n->kind == KB_JSN_FOR_OF ||
           n->kind == KB_JSN_WHILE || n->kind == KB_JSN_DO_WHILE;
}

/* Appends n (detached) to a list through its tail pointer. */
static void
kl_gen_append(struct kb_jsn ***tail, struct kb_jsn *n)
{
    **tail = n;
    *tail = &n->next;
}

/* _ctx.name */
static struct kb_jsn *
kl_gen_ctx(struct kl_gen *g, const char *name)
{
    return kl_member(g->c, kl_ident(g->c, g->pass->ctx, g->pos), name);
}

/* A fresh temporary, declared in the outer function. */
static struct kb_jsn *
kl_gen_temp(struct kl_gen *g, const char *hint)
{
    struct kb_jsn *t = kl_temp(g->c, hint, g->pos);
    struct kb_jsn *d = kl_node(g->c, KB_JSN_DECLARATOR, g->pos);
    d->a = kl_clone(g->c, t);
    kl_gen_append(&g->vars_tail, d);
    return t;
}

/* ---- Labels, cases and emission ---- */

static uint32_t
kl_gen_label(struct kl_gen *g)
{
    g->loc = kl_gen_grow(g->c, g->loc, g->nloc, &g->caploc, sizeof *g->loc);
    g->loc[g->nloc] = -1;
    return g->nloc++;
}

/* A number node that will hold label's case number. */
static struct kb_jsn *
kl_gen_loc(struct kl_gen *g, uint32_t label)
{
    g->refs = kl_gen_grow(g->c, g->refs, g->nrefs, &g->caprefs, sizeof *g->refs);
    struct kb_jsn *n = kl_num(g->c, 0, g->pos);
    g->refs[g->nrefs++] = (struct kl_gen_ref){ n, label };
    return n;
}

static void
kl_gen_emit(struct kl_gen *g, struct kb_jsn *stmts)
{
    *g->tail = stmts;
    g->last = kl_last(stmts);
    g->tail = &g->last->next;
}

/* Emits a kept block's statements, unless it has none. */
static void
kl_gen_emit_list(struct kl_gen *g, struct kb_jsn *stmts)
{
    if (stmts)
        kl_gen_emit(g, stmts);
}

static void
kl_gen_emit_expr(struct kl_gen *g, struct kb_jsn *e)
{
    if (e)
        kl_gen_emit(g, kl_expr_stmt(g->c, e));
}

/* Starts the case that label names (the previous one falls into it). */
static void
kl_gen_mark(struct kl_gen *g, uint32_t label)
{
    struct kb_jsn *cs = kl_node(g->c, KB_JSN_CASE, g->pos);
    g->loc[label] = g->ncases;
    cs->a = kl_num(g->c, g->ncases++, g->pos);
    *g->cases_tail = cs;
    g->cases_tail = &cs->next;
    g->tail = &cs->b;
    g->last = NULL;
}

/* A case that starts or ends a part of a try statement: where the runtime
 * looks for handlers (_ctx.p) is set even when control falls into it. */
static void
kl_gen_mark_region(struct kl_gen *g, uint32_t label)
{
    kl_gen_mark(g, label);
    struct kb_jsn *p = kl_assign(g->c, kl_gen_ctx(g, "p"), kl_num(g->c, g->loc[label], g->pos));
    kl_gen_emit_expr(g, p);
}

/* `_ctx.n = L; break;`: to case L without leaving a try statement. */
static struct kb_jsn *
kl_gen_goto(struct kl_gen *g, uint32_t label)
{
    struct kb_jsn *set =
        kl_expr_stmt(g->c, kl_assign(g->c, kl_gen_ctx(g, "n"), kl_gen_loc(g, label)));
    set->next = kl_node(g->c, KB_JSN_BREAK, g->pos);
    return set;
}

/* if (test) goto label; */
static void
kl_gen_goto_if(struct kl_gen *g, struct kb_jsn *test, uint32_t label)
{
    struct kb_jsn *n = kl_node(g->c, KB_JSN_IF, test->start);
    n->a = test;
    n->b = kl_block(g->c, kl_gen_goto(g, label), g->pos);
    kl_gen_emit(g, n);
}

/* return _ctx.name(arg) */
static struct kb_jsn *
kl_gen_runtime(struct kl_gen *g, const char *name, struct kb_jsn *arg)
{
    return kl_return(g->c, kl_call(g->c, kl_gen_ctx(g, name), arg));
}

static void
kl_gen_push(struct kl_gen *g, struct kl_gen_leap leap)
{
    g->leaps = kl_gen_grow(g->c, g->leaps, g->nleaps, &g->capleaps, sizeof *g->leaps);
    g->leaps[g->nleaps++] = leap;
}

/* ---- Hoisting: vars and function declarations go to the outer function ---- */

static void
kl_gen_declare(struct kl_gen *g, struct kb_jsn *id)
{
    if (id->kind != KB_JSN_IDENT)
        kl_fail(g->c, id, "destructuring in a generator must be lowered before generators");
    uint32_t *seen = id->binding ? &g->pass->declared[id->binding] : NULL;
    if (seen && *seen == g->pass->serial)
        return;
    if (seen)
        *seen = g->pass->serial;
    struct kb_jsn *d = kl_node(g->c, KB_JSN_DECLARATOR, id->start);
    d->a = kl_clone(g->c, id);
    kl_gen_append(&g->vars_tail, d);
}

/* The assignments a var declaration performs ((a = 1, b = 2)), or NULL. */
static struct kb_jsn *
kl_gen_var_inits(struct kl_gen *g, struct kb_jsn *decl)
{
    struct kb_jsn *seq = NULL, **tail = &seq;
    for (struct kb_jsn *d = decl->a; d; d = d->next) {
        kl_gen_declare(g, d->a);
        if (d->b)
            kl_gen_append(&tail, kl_assign(g->c, kl_clone(g->c, d->a), d->b));
    }
    return kl_seq(g->c, seq);
}

static void kl_gen_hoist_list(struct kl_gen *g, struct kb_jsn **slot);

/* Hoists below statement s (in place); returns what replaces s: NULL to
 * remove it. */
static struct kb_jsn *
kl_gen_hoist(struct kl_gen *g, struct kb_jsn *s)
{
    switch (s->kind) {
    case KB_JSN_VAR_DECL: {
        struct kb_jsn *e = kl_gen_var_inits(g, s);
        return e ? kl_expr_stmt(g->c, e) : NULL;
    }
    case KB_JSN_FUNC_DECL: kl_gen_append(&g->funcs_tail, s); return NULL;
    case KB_JSN_BLOCK: kl_gen_hoist_list(g, &s->a); break;
    case KB_JSN_IF:
        s->b = kl_gen_hoist(g, s->b);
        if (!s->b)
            s->b = kl_node(g->c, KB_JSN_EMPTY, s->start);
        if (s->c)
            s->c = kl_gen_hoist(g, s->c);
        break;
    case KB_JSN_FOR:
        if (s->a && s->a->kind == KB_JSN_VAR_DECL)
            s->a = kl_gen_var_inits(g, s->a);
        goto body;
    case KB_JSN_FOR_IN:
    case KB_JSN_FOR_OF:
        if (s->a->kind == KB_JSN_VAR_DECL) {
            if (s->a->a->b)
                kl_fail(g->c, s->a, "an initializer in a for-in head cannot be lowered");
            kl_gen_declare(g, s->a->a->a);
            s->a = kl_clone(g->c, s->a->a->a);
        }
        goto body;
    case KB_JSN_WHILE:
    case KB_JSN_DO_WHILE:
    body:
        s->d = kl_gen_hoist(g, s->d);
        if (!s->d)
            s->d = kl_node(g->c, KB_JSN_EMPTY, s->start);
        break;
    case KB_JSN_LABELED:
    case KB_JSN_WITH:
        s->b = kl_gen_hoist(g, s->b);
        if (!s->b)
            s->b = kl_node(g->c, KB_JSN_EMPTY, s->start);
        break;
    case KB_JSN_SWITCH:
        for (struct kb_jsn *cs = s->b; cs; cs = cs->next)
            kl_gen_hoist_list(g, &cs->b);
        break;
    case KB_JSN_TRY:
        kl_gen_hoist_list(g, &s->a->a);
        if (s->b)
            kl_gen_hoist_list(g, &s->b->b->a);
        if (s->c)
            kl_gen_hoist_list(g, &s->c->a);
        break;
    default: break;
    }
    return s;
}

static void
kl_gen_hoist_list(struct kl_gen *g, struct kb_jsn **slot)
{
    while (*slot) {
        struct kb_jsn *s = *slot, *next = s->next;
        s->next = NULL;
        struct kb_jsn *r = kl_gen_hoist(g, s);
        if (r) {
            r->next = next;
            *slot = r;
            slot = &r->next;
        } else {
            *slot = next;
        }
    }
}

/* ---- The scan: which nodes contain a yield; this and arguments ---- */

static bool kl_gen_scan(struct kl_gen *g, struct kb_jsn *n);

static bool
kl_gen_scan_list(struct kl_gen *g, struct kb_jsn *list)
{
    bool y = false;
    for (; list; list = list->next)
        y |= kl_gen_scan(g, list);
    return y;
}

/* Records n in g->yields when it contains a yield, notes `this`, and
 * renames `arguments` (the outer function's, copied). Nested functions are
 * not entered; arrows only for this and arguments. */
static bool
kl_gen_scan(struct kl_gen *g, struct kb_jsn *n)
{
    bool y = false;
    switch (n->kind) {
    case KB_JSN_FUNC_DECL:
    case KB_JSN_FUNC_EXPR: return false;
    case KB_JSN_THIS: g->uses_this = true; return false;
    case KB_JSN_IDENT:
        if (!n->binding && !strcmp(n->str, "arguments")) {
            n->str = g->pass->args;
            n->len = (uint32_t)strlen(n->str);
            g->uses_args = true;
        }
        return false;
    case KB_JSN_MEMBER:
        y = kl_gen_scan(g, n->a);
        if (n->flags & KB_JSN_F_COMPUTED)
            y |= kl_gen_scan(g, n->b);
        break;
    case KB_JSN_PROPERTY:
    case KB_JSN_METHOD:
        if (n->flags & KB_JSN_F_COMPUTED)
            y = kl_gen_scan(g, n->a);
        if (n->b && n->kind == KB_JSN_PROPERTY && (n->flags & KB_JSN_F_SHORTHAND) &&
            n->b->kind == KB_JSN_IDENT && !n->b->binding && !strcmp(n->b->str, "arguments"))
            n->flags &= (uint16_t)~KB_JSN_F_SHORTHAND;
        y |= n->b && kl_gen_scan(g, n->b);
        break;
    case KB_JSN_LABELED: y = kl_gen_scan(g, n->b); break;
    case KB_JSN_BREAK:
    case KB_JSN_CONTINUE:
    case KB_JSN_META_PROP: return false;
    default:
        y = n->kind == KB_JSN_YIELD;
        y |= kl_gen_scan_list(g, n->a);
        y |= kl_gen_scan_list(g, n->b);
        y |= kl_gen_scan_list(g, n->c);
        y |= kl_gen_scan_list(g, n->d);
        break;
    }
    if (y)
        kl_gen_set_add(g->c, &g->yields, n);
    return y;
}

/* ---- Jumps out of kept code, and out of exploded code ---- */

/* The kept statements around a jump, innermost first. */
struct kl_gen_in {
    const struct kl_gen_in *up;
    uint8_t kind; /* KL_GEN_LOOP, KL_GEN_SWITCH, KL_GEN_LABEL */
    const char *name;
};

/* Whether break/continue s targets a statement that is kept around it. */
static bool
kl_gen_inside(const struct kl_gen_in *in, const struct kb_jsn *s)
{
    for (; in; in = in->up) {
        if (s->a) {
            if (in->kind == KL_GEN_LABEL && !strcmp(in->name, s->a->str))
                return true;
        } else if (in->kind == KL_GEN_LOOP ||
                   (in->kind == KL_GEN_SWITCH && s->kind == KB_JSN_BREAK)) {
            return true;
        }
    }
    return false;
}

/* The statements for break/continue s to an exploded target: `_ctx.n = L;
 * break;` when nothing is in the way, else `return _ctx.j(L)` (the runtime
 * runs the finally blocks it leaves). nested: a kept loop or switch is
 * around s. */
static struct kb_jsn *
kl_gen_leap(struct kl_gen *g, const struct kb_jsn *s, bool nested)
{
    bool cross = false;
    for (uint32_t i = g->nleaps; i-- > 0;) {
        const struct kl_gen_leap *l = &g->leaps[i];
        int64_t to = -1;
        if (l->kind == KL_GEN_TRY)
            cross |= l->finally;
        else if (s->a)
            to = l->kind == KL_GEN_LABEL && !strcmp(l->name, s->a->str)
                     ? (s->kind == KB_JSN_BREAK ? (int64_t)l->brk : l->cont)
                     : -1;
        else if (l->kind == KL_GEN_LOOP)
            to = s->kind == KB_JSN_BREAK ? (int64_t)l->brk : l->cont;
        else if (l->kind == KL_GEN_SWITCH && s->kind == KB_JSN_BREAK)
            to = l->brk;
        if (to < 0)
            continue;
        if (cross || nested)
            return kl_gen_runtime(g, "j", kl_gen_loc(g, (uint32_t)to));
        return kl_gen_goto(g, (uint32_t)to);
    }
    kl_fail(g->c, s, "internal error: no target for a jump in a generator");
}

static void kl_gen_fix(struct kl_gen *g, struct kb_jsn **slot, const struct kl_gen_in *up);

static void
kl_gen_fix_list(struct kl_gen *g, struct kb_jsn **slot, const struct kl_gen_in *up)
{
    for (; *slot; slot = &(*slot)->next)
        kl_gen_fix(g, slot, up);
}

/* Rewrites, in a kept statement, the returns and the jumps that leave it. */
static void
kl_gen_fix(struct kl_gen *g, struct kb_jsn **slot, const struct kl_gen_in *up)
{
    struct kb_jsn *s = *slot;
    struct kl_gen_in in = { up, KL_GEN_LOOP, NULL };
    switch (s->kind) {
    case KB_JSN_RETURN: s->a = kl_call(g->c, kl_gen_ctx(g, "r"), s->a); break;
    case KB_JSN_BREAK:
    case KB_JSN_CONTINUE:
        if (!kl_gen_inside(up, s)) {
            bool nested = false;
            for (const struct kl_gen_in *i = up; i; i = i->up)
                nested |= i->kind != KL_GEN_LABEL;
            struct kb_jsn *r = kl_gen_leap(g, s, nested);
            if (r->next)
                r = kl_block(g->c, r, s->start);
            r->next = s->next;
            *slot = r;
        }
        break;
    case KB_JSN_LABELED:
        in.kind = KL_GEN_LABEL;
        in.name = s->a->str;
        kl_gen_fix(g, &s->b, &in);
        break;
    case KB_JSN_FOR:
    case KB_JSN_FOR_IN:
    case KB_JSN_FOR_OF:
    case KB_JSN_WHILE:
    case KB_JSN_DO_WHILE: kl_gen_fix(g, &s->d, &in); break;
    case KB_JSN_SWITCH:
        in.kind = KL_GEN_SWITCH;
        for (struct kb_jsn *cs = s->b; cs; cs = cs->next)
            kl_gen_fix_list(g, &cs->b, &in);
        break;
    case KB_JSN_IF:
        kl_gen_fix(g, &s->b, up);
        if (s->c)
            kl_gen_fix(g, &s->c, up);
        break;
    case KB_JSN_BLOCK: kl_gen_fix_list(g, &s->a, up); break;
    case KB_JSN_TRY:
        kl_gen_fix(g, &s->a, up);
        if (s->b)
            kl_gen_fix(g, &s->b->b, up);
        if (s->c)
            kl_gen_fix(g, &s->c, up);
        break;
    case KB_JSN_WITH: kl_gen_fix(g, &s->b, up); break;
    default: break;
    }
}

/* ---- Expressions ---- */

static struct kb_jsn *kl_gen_expr(struct kl_gen *g, struct kb_jsn *e, bool ignore);

/* Whether evaluating e later gives what evaluating it now would. */
static bool
kl_gen_constant(const struct kb_jsn *e)
{
    switch (e->kind) {
    case KB_JSN_NUM:
    case KB_JSN_STR:
    case KB_JSN_NULL_LIT:
    case KB_JSN_TRUE_LIT:
    case KB_JSN_FALSE_LIT:
    case KB_JSN_THIS:
    case KB_JSN_FUNC_EXPR:
    case KB_JSN_REGEX:
    case KB_JSN_HOLE: return true;
    case KB_JSN_UNARY:
        return (e->op == KB_JS_OP_VOID || e->op == KB_JS_OP_MINUS) && e->a->kind == KB_JSN_NUM;
    default: return false;
    }
}

/* e evaluated now: a temporary holding its value, unless it is constant. */
static struct kb_jsn *
kl_gen_hold(struct kl_gen *g, struct kb_jsn *e)
{
    if (kl_gen_constant(e))
        return e;
    struct kb_jsn *t = kl_gen_temp(g, "t");
    kl_gen_emit_expr(g, kl_assign(g->c, t, e));
    return kl_clone(g->c, t);
}

/*
 * Evaluates the operands in *ops[0..n) in order, where a later one contains
 * a yield: each operand before the last one that does is held in a
 * temporary, so that it is evaluated before the yield; the ones after are
 * left in place.
 */
static void
kl_gen_operands(struct kl_gen *g, struct kb_jsn ***ops, size_t n)
{
    size_t last = n;
    for (size_t i = 0; i < n; i++)
        if (kl_gen_has(g, *ops[i]))
            last = i;
    for (size_t i = 0; last < n && i <= last; i++) {
        struct kb_jsn *old = *ops[i], *next = old->next; /* an operand may be in a list */
        old->next = NULL;
        struct kb_jsn *e = kl_gen_expr(g, old, false);
        if (i < last)
            e = kl_gen_hold(g, e);
        e->next = next;
        *ops[i] = e;
        if (i + 1 < n && ops[i + 1] == &old->next) /* the next element's slot moved */
            ops[i + 1] = &e->next;
    }
}

/* Appends slot to the growing array *ops (n entries, *cap allocated). */
static size_t
kl_gen_op_add(struct kl_gen *g, struct kb_jsn ****ops, size_t n, size_t *cap, struct kb_jsn **slot)
{
    if (n == *cap) {
        size_t ncap = *cap * 2 + 8;
        struct kb_jsn ***v = kl_alloc(g->c, ncap * sizeof *v);
        if (n)
            memcpy(v, *ops, n * sizeof *v);
        *ops = v;
        *cap = ncap;
    }
    (*ops)[n] = slot;
    return n + 1;
}

/* The operand slots of a list (arguments, elements, properties) in
 * evaluation order, appended to *ops from index n; returns the new count. */
static size_t
kl_gen_list_ops(struct kl_gen *g, struct kb_jsn **list, struct kb_jsn ****ops, size_t n,
                size_t *cap)
{
    for (struct kb_jsn **q = list; *q; q = &(*q)->next) {
        struct kb_jsn *e = *q;
        if (e->kind == KB_JSN_SPREAD) {
            n = kl_gen_op_add(g, ops, n, cap, &e->a);
        } else if (e->kind == KB_JSN_PROPERTY) {
            if (e->flags & KB_JSN_F_COMPUTED)
                n = kl_gen_op_add(g, ops, n, cap, &e->a);
            n = kl_gen_op_add(g, ops, n, cap, &e->b);
        } else {
            n = kl_gen_op_add(g, ops, n, cap, q);
        }
    }
    return n;
}

/* The generic case: e's operands in evaluation order, e kept. */
static struct kb_jsn *
kl_gen_generic(struct kl_gen *g, struct kb_jsn *e)
{
    struct kb_jsn **fixed[2];
    struct kb_jsn ***ops = fixed;
    size_t n = 0, cap = 0;
    switch (e->kind) {
    case KB_JSN_BINARY:
    case KB_JSN_LOGICAL:
        fixed[0] = &e->a;
        fixed[1] = &e->b;
        n = 2;
        break;
    case KB_JSN_MEMBER:
        fixed[0] = &e->a;
        fixed[1] = &e->b;
        n = (e->flags & KB_JSN_F_COMPUTED) ? 2 : 1;
        break;
    case KB_JSN_COND:
    case KB_JSN_UNARY:
    case KB_JSN_UPDATE:
    case KB_JSN_SPREAD:
        fixed[0] = &e->a;
        n = 1;
        break;
    case KB_JSN_ARRAY:
    case KB_JSN_OBJECT: ops = NULL, n = kl_gen_list_ops(g, &e->a, &ops, 0, &cap); break;
    case KB_JSN_TEMPLATE: ops = NULL, n = kl_gen_list_ops(g, &e->b, &ops, 0, &cap); break;
    default: kl_fail(g->c, e, "yield inside %s cannot be lowered yet", kb_jsn_kind_name(e->kind));
    }
    kl_gen_operands(g, ops, n);
    return e;
}

static struct kb_jsn *
kl_gen_yield(struct kl_gen *g, struct kb_jsn *e, bool ignore)
{
    struct kb_jsn *v = e->a ? kl_gen_expr(g, e->a, false) : NULL;
    uint32_t resume = kl_gen_label(g);
    if (e->flags & KB_JSN_F_DELEGATE) {
        v->next = kl_gen_loc(g, resume);
        kl_gen_emit(g, kl_gen_runtime(g, "d", v));
    } else {
        kl_gen_emit_expr(g, kl_assign(g->c, kl_gen_ctx(g, "n"), kl_gen_loc(g, resume)));
        kl_gen_emit(g, kl_return(g->c, v));
    }
    kl_gen_mark(g, resume);
    return ignore ? NULL : kl_gen_ctx(g, "sent");
}

/* a && b, a || b, a ?? b with a yield in b: b runs only when it should. */
static struct kb_jsn *
kl_gen_logical(struct kl_gen *g, struct kb_jsn *e, bool ignore)
{
    struct kb_jsn *r = ignore ? NULL : kl_gen_temp(g, "t");
    struct kb_jsn *test = kl_gen_expr(g, e->a, false);
    uint32_t end = kl_gen_label(g);
    if (r) {
        kl_gen_emit_expr(g, kl_assign(g->c, kl_clone(g->c, r), test));
        test = kl_clone(g->c, r);
    }
    if (e->op == KB_JS_OP_AND)
        test = kl_unary(g->c, KB_JS_OP_NOT, test);
    else if (e->op == KB_JS_OP_NULLISH)
        test = kl_binary(g->c, KB_JS_OP_NE, test, kl_node(g->c, KB_JSN_NULL_LIT, g->pos));
    kl_gen_goto_if(g, test, end);
    struct kb_jsn *v = kl_gen_expr(g, e->b, ignore);
    kl_gen_emit_expr(g, r && v ? kl_assign(g->c, kl_clone(g->c, r), v) : v);
    kl_gen_mark(g, end);
    return r;
}

/* a ? b : c with a yield in b or c. */
static struct kb_jsn *
kl_gen_cond(struct kl_gen *g, struct kb_jsn *e, bool ignore)
{
    struct kb_jsn *r = ignore ? NULL : kl_gen_temp(g, "t");
    struct kb_jsn *test = kl_gen_expr(g, e->a, false);
    uint32_t other = kl_gen_label(g), end = kl_gen_label(g);
    kl_gen_goto_if(g, kl_unary(g->c, KB_JS_OP_NOT, test), other);
    struct kb_jsn *v = kl_gen_expr(g, e->b, ignore);
    kl_gen_emit_expr(g, r && v ? kl_assign(g->c, kl_clone(g->c, r), v) : v);
    kl_gen_emit(g, kl_gen_goto(g, end));
    kl_gen_mark(g, other);
    v = kl_gen_expr(g, e->c, ignore);
    kl_gen_emit_expr(g, r && v ? kl_assign(g->c, kl_clone(g->c, r), v) : v);
    kl_gen_mark(g, end);
    return r ? kl_clone(g->c, r) : NULL;
}

static struct kb_jsn *
kl_gen_sequence(struct kl_gen *g, struct kb_jsn *e, bool ignore)
{
    struct kb_jsn *q = e->a;
    while (q->next) {
        struct kb_jsn *next = q->next;
        q->next = NULL;
        kl_gen_emit_expr(g, kl_gen_expr(g, q, true));
        q = next;
    }
    return kl_gen_expr(g, q, ignore);
}

/* The binary operator of a compound assignment (+= gives +). */
static int
kl_gen_binop(struct kl_gen *g, const struct kb_jsn *e)
{
    static const struct {
        uint8_t assign, op;
    } ops[] = {
        { KB_JS_OP_ADD_ASSIGN, KB_JS_OP_PLUS },    { KB_JS_OP_SUB_ASSIGN, KB_JS_OP_MINUS },
        { KB_JS_OP_MUL_ASSIGN, KB_JS_OP_STAR },    { KB_JS_OP_DIV_ASSIGN, KB_JS_OP_SLASH },
        { KB_JS_OP_MOD_ASSIGN, KB_JS_OP_PERCENT }, { KB_JS_OP_POW_ASSIGN, KB_JS_OP_STARSTAR },
        { KB_JS_OP_SHL_ASSIGN, KB_JS_OP_SHL },     { KB_JS_OP_SAR_ASSIGN, KB_JS_OP_SAR },
        { KB_JS_OP_SHR_ASSIGN, KB_JS_OP_SHR },     { KB_JS_OP_AND_ASSIGN, KB_JS_OP_AMP },
        { KB_JS_OP_OR_ASSIGN, KB_JS_OP_PIPE },     { KB_JS_OP_XOR_ASSIGN, KB_JS_OP_CARET },
    };
    for (size_t i = 0; i < sizeof ops / sizeof *ops; i++)
        if (ops[i].assign == e->op)
            return ops[i].op;
    kl_fail(g->c, e, "the assignment operator '%s' must be lowered before generators",
            kb_js_op_name(e->op));
}

/* A copy of member m's object and key (both held) as a new member. */
static struct kb_jsn *
kl_gen_member_again(struct kl_gen *g, const struct kb_jsn *m)
{
    struct kb_jsn *n = kl_node(g->c, KB_JSN_MEMBER, m->start);
    n->a = kl_clone(g->c, m->a);
    n->b = kl_clone(g->c, m->b);
    n->flags = m->flags & KB_JSN_F_COMPUTED;
    return n;
}

/* Holds member m's object and computed key: evaluated now, used later. */
static void
kl_gen_hold_member(struct kl_gen *g, struct kb_jsn *m)
{
    m->a = kl_gen_hold(g, kl_gen_expr(g, m->a, false));
    if (m->flags & KB_JSN_F_COMPUTED)
        m->b = kl_gen_hold(g, kl_gen_expr(g, m->b, false));
}

/* target = value, target op= value, with a yield in value: the target's
 * object and key, and for op= its old value, are evaluated first. */
static struct kb_jsn *
kl_gen_assign(struct kl_gen *g, struct kb_jsn *e)
{
    struct kb_jsn *t = e->a;
    if (!kl_gen_has(g, e->b)) { /* the yield is in the target's object or key */
        kl_gen_generic(g, t);
        return e;
    }
    if (t->kind == KB_JSN_MEMBER)
        kl_gen_hold_member(g, t);
    else if (t->kind != KB_JSN_IDENT)
        kl_fail(g->c, t, "destructuring in a generator must be lowered before generators");
    if (e->op == KB_JS_OP_ASSIGN) {
        e->b = kl_gen_expr(g, e->b, false);
        return e;
    }
    struct kb_jsn *old = kl_gen_temp(g, "t");
    struct kb_jsn *read = t->kind == KB_JSN_MEMBER ? kl_gen_member_again(g, t) : kl_clone(g->c, t);
    kl_gen_emit_expr(g, kl_assign(g->c, old, read));
    struct kb_jsn *v = kl_gen_expr(g, e->b, false);
    e->b = kl_binary(g->c, kl_gen_binop(g, e), kl_clone(g->c, old), v);
    e->op = KB_JS_OP_ASSIGN;
    return e;
}

/* f(args), o.m(args), new F(args) with a yield in the arguments: the
 * callee (and the method's object, kept as `this`) is evaluated first. */
static struct kb_jsn *
kl_gen_call(struct kl_gen *g, struct kb_jsn *e)
{
    struct kb_jsn *callee = e->a;
    bool in_args = false;
    for (struct kb_jsn *q = e->b; q; q = q->next)
        in_args |= kl_gen_has(g, q);
    if (!in_args) { /* the yield is in the callee: a member stays one, for `this` */
        e->a = callee->kind == KB_JSN_MEMBER ? kl_gen_generic(g, callee)
                                             : kl_gen_expr(g, callee, false);
        return e;
    }
    struct kb_jsn *self = NULL;
    if (callee->kind == KB_JSN_MEMBER) {
        kl_gen_hold_member(g, callee);
        self = callee->a;
        callee = kl_gen_hold(g, kl_gen_member_again(g, callee));
    } else if (callee->kind != KB_JSN_SUPER) {
        callee = kl_gen_hold(g, kl_gen_expr(g, callee, false));
    }
    struct kb_jsn ***ops = NULL;
    size_t cap = 0, n = kl_gen_list_ops(g, &e->b, &ops, 0, &cap);
    kl_gen_operands(g, ops, n);
    if (self && e->kind == KB_JSN_CALL) {
        struct kb_jsn *this_arg = kl_clone(g->c, self);
        this_arg->next = e->b;
        e->b = this_arg;
        callee = kl_member(g->c, callee, "call");
    }
    e->a = callee;
    return e;
}

/*
 * Compiles expression e at the current point: emits what must run first and
 * returns what gives e's value there (NULL when ignore and nothing is left
 * to evaluate). e is returned as it is when it contains no yield.
 */
static struct kb_jsn *
kl_gen_expr(struct kl_gen *g, struct kb_jsn *e, bool ignore)
{
    if (!e || !kl_gen_has(g, e))
        return e;
    switch (e->kind) {
    case KB_JSN_YIELD: return kl_gen_yield(g, e, ignore);
    case KB_JSN_LOGICAL:
        if (kl_gen_has(g, e->b))
            return kl_gen_logical(g, e, ignore);
        break;
    case KB_JSN_COND:
        if (kl_gen_has(g, e->b) || kl_gen_has(g, e->c))
            return kl_gen_cond(g, e, ignore);
        break;
    case KB_JSN_SEQUENCE: return kl_gen_sequence(g, e, ignore);
    case KB_JSN_ASSIGN: return kl_gen_assign(g, e);
    case KB_JSN_CALL:
    case KB_JSN_NEW: return kl_gen_call(g, e);
    default: break;
    }
    return kl_gen_generic(g, e);
}

/* ---- Statements ---- */

static void kl_gen_stmt(struct kl_gen *g, struct kb_jsn *s);

static void
kl_gen_stmts(struct kl_gen *g, struct kb_jsn *list)
{
    while (list) {
        struct kb_jsn *next = list->next;
        list->next = NULL;
        kl_gen_stmt(g, list);
        list = next;
    }
}

static void
kl_gen_if(struct kl_gen *g, struct kb_jsn *s)
{
    struct kb_jsn *test = kl_gen_expr(g, s->a, false);
    uint32_t other = kl_gen_label(g), end = s->c ? kl_gen_label(g) : other;
    kl_gen_goto_if(g, kl_unary(g->c, KB_JS_OP_NOT, test), other);
    kl_gen_stmt(g, s->b);
    if (s->c) {
        kl_gen_emit(g, kl_gen_goto(g, end));
        kl_gen_mark(g, other);
        kl_gen_stmt(g, s->c);
    }
    kl_gen_mark(g, end);
}

/* The body of a loop, with break going to brk and continue to cont. */
static void
kl_gen_loop_body(struct kl_gen *g, struct kb_jsn *body, uint32_t brk, uint32_t cont)
{
    kl_gen_push(g, (struct kl_gen_leap){ .kind = KL_GEN_LOOP, .brk = brk, .cont = cont });
    kl_gen_stmt(g, body);
    g->nleaps--;
}

/* for (left in obj): the keys are taken when the loop starts (runtime k),
 * and a key deleted meanwhile is skipped. */
static void
kl_gen_for_in(struct kl_gen *g, struct kb_jsn *s, uint32_t brk, uint32_t cont)
{
    struct kb_jsn *keys = kl_gen_temp(g, "keys"), *key = kl_gen_temp(g, "key");
    struct kb_jsn *obj = kl_gen_expr(g, s->b, false);
    kl_gen_emit_expr(g, kl_assign(g->c, keys, kl_callv(g->c, kl_gen_ctx(g, "k"), obj, NULL)));
    kl_gen_mark(g, cont);
    struct kb_jsn *next =
        kl_assign(g->c, kl_clone(g->c, key), kl_call(g->c, kl_clone(g->c, keys), NULL));
    kl_gen_goto_if(g, kl_binary(g->c, KB_JS_OP_SEQ, next, kl_undefined(g->c, g->pos)), brk);
    kl_gen_emit_expr(g, kl_gen_expr(g, kl_assign(g->c, s->a, kl_clone(g->c, key)), true));
    kl_gen_loop_body(g, s->d, brk, cont);
    kl_gen_emit(g, kl_gen_goto(g, cont));
    kl_gen_mark(g, brk);
}

static void
kl_gen_loop(struct kl_gen *g, struct kb_jsn *s, uint32_t brk, uint32_t cont)
{
    uint32_t head;
    switch (s->kind) {
    case KB_JSN_WHILE:
        kl_gen_mark(g, cont);
        kl_gen_goto_if(g, kl_unary(g->c, KB_JS_OP_NOT, kl_gen_expr(g, s->a, false)), brk);
        kl_gen_loop_body(g, s->d, brk, cont);
        kl_gen_emit(g, kl_gen_goto(g, cont));
        break;
    case KB_JSN_DO_WHILE:
        head = kl_gen_label(g);
        kl_gen_mark(g, head);
        kl_gen_loop_body(g, s->d, brk, cont);
        kl_gen_mark(g, cont);
        kl_gen_goto_if(g, kl_gen_expr(g, s->a, false), head);
        break;
    case KB_JSN_FOR:
        kl_gen_emit_expr(g, kl_gen_expr(g, s->a, true));
        head = kl_gen_label(g);
        kl_gen_mark(g, head);
        if (s->b)
            kl_gen_goto_if(g, kl_unary(g->c, KB_JS_OP_NOT, kl_gen_expr(g, s->b, false)), brk);
        kl_gen_loop_body(g, s->d, brk, cont);
        kl_gen_mark(g, cont);
        kl_gen_emit_expr(g, kl_gen_expr(g, s->c, true));
        kl_gen_emit(g, kl_gen_goto(g, head));
        break;
    case KB_JSN_FOR_IN: kl_gen_for_in(g, s, brk, cont); return;
    default: kl_fail(g->c, s, "for...of must be lowered before generators");
    }
    kl_gen_mark(g, brk);
}

/* label: body. A loop's labels also name its continue target. */
static void
kl_gen_labeled(struct kl_gen *g, struct kb_jsn *s)
{
    uint32_t base = g->nleaps, brk = kl_gen_label(g);
    struct kb_jsn *body = s;
    while (body->kind == KB_JSN_LABELED)
        body = body->b;
    bool loop = kl_gen_is_loop(body);
    int64_t cont = loop ? (int64_t)kl_gen_label(g) : -1;
    for (struct kb_jsn *q = s; q->kind == KB_JSN_LABELED; q = q->b)
        kl_gen_push(g, (struct kl_gen_leap){
                           .kind = KL_GEN_LABEL, .name = q->a->str, .brk = brk, .cont = cont });
    if (loop) {
        kl_gen_loop(g, body, brk, (uint32_t)cont);
    } else {
        kl_gen_stmt(g, body);
        kl_gen_mark(g, brk);
    }
    g->nleaps = base;
}

/* switch: the discriminant held, the tests in order, then the bodies. */
static void
kl_gen_switch(struct kl_gen *g, struct kb_jsn *s)
{
    struct kb_jsn *d = kl_gen_temp(g, "d");
    kl_gen_emit_expr(g, kl_assign(g->c, d, kl_gen_expr(g, s->a, false)));
    uint32_t brk = kl_gen_label(g), dflt = brk, first = g->nloc;
    for (struct kb_jsn *cs = s->b; cs; cs = cs->next) /* consecutive: first, first + 1, ... */
        kl_gen_label(g);
    uint32_t l = first;
    for (struct kb_jsn *cs = s->b; cs; cs = cs->next, l++) {
        if (!cs->a)
            dflt = l;
        else
            kl_gen_goto_if(
                g, kl_binary(g->c, KB_JS_OP_SEQ, kl_clone(g->c, d), kl_gen_expr(g, cs->a, false)),
                l);
    }
    kl_gen_emit(g, kl_gen_goto(g, dflt));
    kl_gen_push(g, (struct kl_gen_leap){ .kind = KL_GEN_SWITCH, .brk = brk, .cont = -1 });
    l = first;
    for (struct kb_jsn *cs = s->b; cs; cs = cs->next) {
        kl_gen_mark(g, l++);
        kl_gen_stmts(g, cs->b);
    }
    g->nleaps--;
    kl_gen_mark(g, brk);
}

/*
 * try: an entry [try, catch, finally, after] for the runtime (0: no such
 * part), whose parts are ranges of case numbers. The caught exception is in
 * _ctx.e; the catch parameter becomes a var of its own (renamed when the
 * pass ends). A finally block ends with _ctx.f, which resumes whatever
 * brought control there.
 */
static void
kl_gen_try(struct kl_gen *g, struct kb_jsn *s)
{
    struct kl_ctx *c = g->c;
    uint32_t at = kl_gen_label(g), handler = s->b ? kl_gen_label(g) : 0;
    uint32_t fin = s->c ? kl_gen_label(g) : 0, after = kl_gen_label(g);
    struct kb_jsn *entry = kl_node(c, KB_JSN_ARRAY, s->start);
    entry->a = kl_gen_loc(g, at);
    entry->a->next = s->b ? kl_gen_loc(g, handler) : kl_num(c, 0, g->pos);
    entry->a->next->next = s->c ? kl_gen_loc(g, fin) : kl_num(c, 0, g->pos);
    entry->a->next->next->next = kl_gen_loc(g, after);
    *g->tries_tail = entry;
    g->tries_tail = &entry->next;
    kl_gen_push(g, (struct kl_gen_leap){ .kind = KL_GEN_TRY, .finally = s->c != NULL, .cont = -1 });
    kl_gen_mark_region(g, at);
    kl_gen_stmt(g, s->a);
    if (s->b) {
        kl_gen_emit(g, kl_gen_goto(g, s->c ? fin : after));
        kl_gen_mark_region(g, handler);
        struct kb_jsn *param = s->b->a;
        if (param && param->kind != KB_JSN_IDENT)
            kl_fail(c, param, "destructuring in a generator must be lowered before generators");
        if (param) {
            struct kb_jsn *t = kl_gen_temp(g, param->str);
            if (param->binding) {
                g->pass->rename[param->binding] = t->str;
                g->pass->renamed = true;
            }
            kl_gen_emit_expr(g, kl_assign(c, t, kl_gen_ctx(g, "e")));
        }
        kl_gen_stmt(g, s->b->b);
    }
    if (s->c) {
        kl_gen_mark_region(g, fin);
        kl_gen_stmt(g, s->c);
        kl_gen_emit(g, kl_gen_runtime(g, "f", kl_gen_loc(g, fin)));
    }
    g->nleaps--;
    kl_gen_mark_region(g, after);
}

/* Compiles statement s (detached from its list) at the current point. */
static void
kl_gen_stmt(struct kl_gen *g, struct kb_jsn *s)
{
    if (!kl_gen_has(g, s)) {
        if (s->kind == KB_JSN_BREAK || s->kind == KB_JSN_CONTINUE) {
            kl_gen_emit(g, kl_gen_leap(g, s, false));
            return;
        }
        kl_gen_fix(g, &s, NULL);
        if (s->kind == KB_JSN_BLOCK)
            kl_gen_emit_list(g, s->a);
        else
            kl_gen_emit(g, s);
        return;
    }
    switch (s->kind) {
    case KB_JSN_EXPR_STMT: kl_gen_emit_expr(g, kl_gen_expr(g, s->a, true)); break;
    case KB_JSN_BLOCK: kl_gen_stmts(g, s->a); break;
    case KB_JSN_IF: kl_gen_if(g, s); break;
    case KB_JSN_FOR:
    case KB_JSN_FOR_IN:
    case KB_JSN_FOR_OF:
    case KB_JSN_WHILE:
    case KB_JSN_DO_WHILE: {
        uint32_t brk = kl_gen_label(g);
        kl_gen_loop(g, s, brk, kl_gen_label(g));
        break;
    }
    case KB_JSN_LABELED: kl_gen_labeled(g, s); break;
    case KB_JSN_SWITCH: kl_gen_switch(g, s); break;
    case KB_JSN_TRY: kl_gen_try(g, s); break;
    case KB_JSN_RETURN: kl_gen_emit(g, kl_gen_runtime(g, "r", kl_gen_expr(g, s->a, false))); break;
    case KB_JSN_THROW:
        s->a = kl_gen_expr(g, s->a, false);
        kl_gen_emit(g, s);
        break;
    case KB_JSN_WITH: kl_fail(g->c, s, "yield inside a with statement cannot be lowered");
    default: kl_fail(g->c, s, "yield inside %s cannot be lowered yet", kb_jsn_kind_name(s->kind));
    }
}

/* ---- The function ---- */

/* The outer function's new body: its directives, the hoisted functions,
 * the vars, and `return _generator(step, this, tries)`. */
static struct kb_jsn *
kl_gen_body(struct kl_gen *g, struct kb_jsn *directives)
{
    struct kl_ctx *c = g->c;
    struct kb_jsn *sw = kl_node(c, KB_JSN_SWITCH, g->pos);
    sw->a = kl_assign(c, kl_gen_ctx(g, "p"), kl_gen_ctx(g, "n"));
    sw->b = g->cases;
    struct kb_jsn *loop = kl_node(c, KB_JSN_FOR, g->pos);
    loop->d = sw;
    struct kb_jsn *step = kl_function(c, NULL, kl_ident(c, g->pass->ctx, g->pos), loop, g->pos);
    struct kb_jsn *self = g->uses_this ? kl_node(c, KB_JSN_THIS, g->pos) : NULL;
    if (!self && g->tries)
        self = kl_node(c, KB_JSN_NULL_LIT, g->pos);
    step->next = self;
    if (g->tries) {
        struct kb_jsn *tries = kl_node(c, KB_JSN_ARRAY, g->pos);
        tries->a = g->tries;
        self->next = tries;
    }
    struct kb_jsn *ret = kl_return(c, kl_call(c, kl_helper(c, "generator", g->pos), step));
    if (g->uses_args) {
        struct kb_jsn *d = kl_node(c, KB_JSN_DECLARATOR, g->pos);
        d->a = kl_ident(c, g->pass->args, g->pos);
        d->b = kl_ident(c, "arguments", g->pos);
        g->vars = kl_concat(d, g->vars);
    }
    struct kb_jsn *vars = NULL;
    if (g->vars) {
        vars = kl_node(c, KB_JSN_VAR_DECL, g->pos);
        vars->op = KB_JS_VAR;
        vars->a = g->vars;
    }
    return kl_concat(directives, kl_concat(g->funcs, kl_concat(vars, ret)));
}

static void
kl_gen_function(struct kl_gen_pass *pass, struct kb_jsn *fn)
{
    struct kl_ctx *c = pass->c;
    struct kl_gen g = { .c = c, .pass = pass, .pos = fn->start };
    g.cases_tail = &g.cases;
    g.tries_tail = &g.tries;
    g.vars_tail = &g.vars;
    g.funcs_tail = &g.funcs;
    pass->serial++;
    struct kb_jsn *directives = NULL, **dt = &directives, *body = fn->c->a;
    while (body && body->kind == KB_JSN_EXPR_STMT && (body->flags & KB_JSN_F_DIRECTIVE)) {
        *dt = body;
        dt = &body->next;
        body = body->next;
    }
    *dt = NULL;
    kl_gen_hoist_list(&g, &body);
    kl_gen_scan_list(&g, body);
    kl_gen_mark(&g, kl_gen_label(&g));
    kl_gen_stmts(&g, body);
    if (!g.last || (g.last->kind != KB_JSN_RETURN && g.last->kind != KB_JSN_THROW))
        kl_gen_emit(&g, kl_gen_runtime(&g, "r", NULL));
    for (uint32_t i = 0; i < g.nrefs; i++)
        g.refs[i].num->num = (double)g.loc[g.refs[i].label];
    fn->c->a = kl_gen_body(&g, directives);
    fn->flags &= (uint16_t)~KB_JSN_F_GENERATOR;
}

static struct kb_jsn *
kl_gen_leave(struct kl_walk *w, struct kb_jsn *n)
{
    if (kl_gen_is_fn(n) && (n->flags & KB_JSN_F_GENERATOR)) {
        if (n->flags & KB_JSN_F_ASYNC)
            kl_fail(w->c, n, "async generators must be lowered before generators");
        kl_gen_function(w->data, n);
    }
    return n;
}

/* The second walk: caught exceptions under their new names. */
static struct kb_jsn *
kl_gen_rename(struct kl_walk *w, struct kb_jsn *n, bool *skip)
{
    struct kl_gen_pass *pass = w->data;
    (void)skip;
    if (n->kind == KB_JSN_IDENT && n->binding && pass->rename[n->binding]) {
        n->str = pass->rename[n->binding];
        n->len = (uint32_t)strlen(n->str);
    } else if (n->kind == KB_JSN_PROPERTY && (n->flags & KB_JSN_F_SHORTHAND) && n->b &&
               n->b->kind == KB_JSN_IDENT && n->b->binding && pass->rename[n->b->binding]) {
        n->flags &= (uint16_t)~KB_JSN_F_SHORTHAND;
    }
    return n;
}

void
kl_pass_generator(struct kl_ctx *c)
{
    kl_rescope(c);
    uint32_t nb = c->ast->nbindings + 1;
    struct kl_gen_pass pass = {
        .c = c,
        .rename = kl_alloc(c, nb * sizeof *pass.rename),
        .declared = kl_alloc(c, nb * sizeof *pass.declared),
    };
    pass.ctx = kl_temp(c, "ctx", 0)->str;
    pass.args = kl_temp(c, "arguments", 0)->str;
    struct kl_walk w = { .c = c, .data = &pass, .leave = kl_gen_leave };
    kl_walk(&w);
    if (pass.renamed) {
        struct kl_walk r = { .c = c, .data = &pass, .enter = kl_gen_rename };
        kl_walk(&r);
    }
}
