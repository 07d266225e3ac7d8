/*
 * ES2015 block scoping to ES5: let, const (and the `let` the class pass
 * left) become var, block-level function declarations become
 * `var f = function f() {}` at the top of their block.
 *
 * Names. A binding declared in a block is renamed (to a fresh name, with
 * all its references) when, as a var of its function, it would meet
 * another binding of the same name: one of the function itself, an outer
 * or global one referred to anywhere inside the function, or another block
 * binding of the function with that name (the first keeps its name).
 *
 * Loops. When a closure captures a binding that each iteration of a loop
 * creates afresh (`for (let i ...)`, a let in the body), the body becomes
 * a function called once per iteration:
 *
 *   for (let i = 0; i < 3; i++) { fns.push(() => i); if (i == k) break; }
 * becomes
 *   var _loop = function (i) { fns.push(function () { return i; });
 *                              if (i == k) return "break"; };
 *   for (var _i = 0; _i < 3; _i++) { var _ret = _loop(_i); if (_ret === "break") break; }
 *
 * A head variable the body assigns is copied back (`_i = i`) at every exit
 * of _loop. break, continue and return that leave the body return a code
 * ("break", "continue label", { v: value }) that the loop acts on; `this`
 * and `arguments` are captured before the loop; the body's own `var`s are
 * declared before it (they outlive the loop); a body that yields makes
 * _loop a generator called with `yield*` (one that awaits, an async
 * function called with `await`).
 *
 * TDZ where it is observable statically: a reference to a let/const in the
 * same function, textually before its declaration, throws through
 * _tdz("x"); an assignment to a const throws through _readOnlyError("x")
 * after evaluating the right side. Uses from closures are not checked.
 */
#include "builder/lower/internal.h"

#include <string.h>

/* ---- A small map in the arena: (pointer, string) keys ---- */

struct bs_ent {
    const void *p;
    const char *s;
    void *v;
};

struct bs_map {
    struct bs_ent *t;
    uint32_t n, cap;
};

static uint32_t
bs_hash(const void *p, const char *s)
{
    uint64_t h = (uint64_t)(uintptr_t)p * 0x9e3779b97f4a7c15u;
    for (; s && *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3u;
    return (uint32_t)(h ^ (h >> 29));
}

static struct bs_ent *
bs_slot(const struct bs_map *m, const void *p, const char *s)
{
    uint32_t i = bs_hash(p, s) & (m->cap - 1);
    for (;; i = (i + 1) & (m->cap - 1)) {
        struct bs_ent *e = &m->t[i];
        if (!e->v || (e->p == p && (e->s == s || (e->s && s && !strcmp(e->s, s)))))
            return e;
    }
}

static void *
bs_get(const struct bs_map *m, const void *p, const char *s)
{
    return m->cap ? bs_slot(m, p, s)->v : NULL;
}

static void
bs_put(struct kl_ctx *c, struct bs_map *m, const void *p, const char *s, void *v)
{
    if ((m->n + 1) * 2 > m->cap) {
        struct bs_map g = { kl_alloc(c, (m->cap ? m->cap * 2 : 64) * sizeof *g.t), 0,
                            m->cap ? m->cap * 2 : 64 };
        for (uint32_t i = 0; i < m->cap; i++)
            if (m->t[i].v)
                *bs_slot(&g, m->t[i].p, m->t[i].s) = m->t[i];
        g.n = m->n;
        *m = g;
    }
    struct bs_ent *e = bs_slot(m, p, s);
    if (!e->v)
        m->n++;
    *e = (struct bs_ent){ p, s, v };
}

/* ---- State ---- */

struct bs_group {
    bool conflict; /* an outer or function-level binding of the name is used */
    bool kept;     /* a block binding of the function keeps the name */
};

struct bs {
    struct kl_ctx *c;
    const struct kb_jsast *ast;
    struct kb_jsn **scope_fn; /* per scope: its function node (the PROGRAM at the top) */
    uint8_t *block;           /* per binding: a block-level lexical binding */
    uint8_t *captured;        /* per binding: used from a closure */
    uint8_t *declared;        /* per binding: the walk is past its declaration */
    const char **name;        /* per binding: the name it ends up with */
    struct bs_map groups;     /* (function, name) -> struct bs_group */
    struct bs_map names;      /* the names of block bindings */
    struct bs_map loop_of;    /* scope node -> innermost loop around it in its function */
    struct bs_map wrap;       /* loops whose body becomes a function */
    struct bs_map pending;    /* labeled loop -> what goes before its label */
    /* The scan's stacks: functions, and loops with a NULL per function. */
    struct kb_jsn **fns, **loops;
    uint32_t nfns, nloops, cap;
};

static bool
bs_is_fn(const struct kb_jsn *n)
{
    return n->kind == KB_JSN_FUNC_DECL || n->kind == KB_JSN_FUNC_EXPR || n->kind == KB_JSN_ARROW;
}

static bool
bs_is_loop(const struct kb_jsn *n)
{
    return n->kind == KB_JSN_FOR || n->kind == KB_JSN_FOR_IN || n->kind == KB_JSN_FOR_OF ||
           n->kind == KB_JSN_WHILE || n->kind == KB_JSN_DO_WHILE;
}

static const struct kb_js_binding *
bs_binding(const struct bs *s, const struct kb_jsn *id)
{
    return id->kind == KB_JSN_IDENT && id->binding ? &s->ast->bindings[id->binding - 1] : NULL;
}

static struct kb_jsn *
bs_fn_of(const struct bs *s, const struct kb_js_binding *b)
{
    return s->scope_fn[b->scope];
}

/* Bindings the pass treats as block-scoped: let, const and class in a
 * block (or catch body), and function declarations in a block of strict
 * code (in sloppy code Annex B makes them vars of the function). */
static bool
bs_block_level(const struct bs *s, const struct kb_js_binding *b)
{
    const struct kb_js_scope *sc = &s->ast->scopes[b->scope];
    if (sc->kind != KB_JS_S_BLOCK && sc->kind != KB_JS_S_CATCH)
        return false;
    if (b->kind == KB_JS_B_LET || b->kind == KB_JS_B_CONST || b->kind == KB_JS_B_CLASS)
        return true;
    return b->kind == KB_JS_B_FUNCTION && !bs_is_fn(sc->node) &&
           (s->scope_fn[b->scope]->flags & KB_JSN_F_STRICT);
}

static void
bs_init(struct bs *s, struct kl_ctx *c)
{
    const struct kb_jsast *ast = c->ast;
    s->c = c;
    s->ast = ast;
    s->scope_fn = kl_alloc(c, (ast->nscopes + 1) * sizeof *s->scope_fn);
    for (uint32_t i = 0; i < ast->nscopes; i++) {
        const struct kb_js_scope *sc = &ast->scopes[i];
        bool own = sc->kind == KB_JS_S_TOP || sc->kind == KB_JS_S_FUNCTION;
        s->scope_fn[i] = own || i == 0 ? sc->node : s->scope_fn[sc->parent];
    }
    uint32_t nb = ast->nbindings + 1;
    s->block = kl_alloc(c, nb);
    s->captured = kl_alloc(c, nb);
    s->declared = kl_alloc(c, nb);
    s->name = kl_alloc(c, nb * sizeof *s->name);
    for (uint32_t i = 0; i < ast->nbindings; i++) {
        const struct kb_js_binding *b = &ast->bindings[i];
        s->name[i] = b->name;
        if (!bs_block_level(s, b))
            continue;
        s->block[i] = 1;
        bs_put(c, &s->names, NULL, b->name, (void *)1);
        if (!bs_get(&s->groups, bs_fn_of(s, b), b->name))
            bs_put(c, &s->groups, bs_fn_of(s, b), b->name, kl_alloc(c, sizeof(struct bs_group)));
    }
}

/* ---- The scan: name conflicts and captures ---- */

static void
bs_push(struct bs *s, struct kb_jsn ***stack, uint32_t *n, struct kb_jsn *v)
{
    if (*n == s->cap) {
        uint32_t cap = s->cap ? s->cap * 2 : 64;
        struct kb_jsn **f = kl_alloc(s->c, cap * sizeof *f), **l = kl_alloc(s->c, cap * sizeof *l);
        if (s->cap) {
            memcpy(f, s->fns, s->nfns * sizeof *f);
            memcpy(l, s->loops, s->nloops * sizeof *l);
        }
        s->fns = f;
        s->loops = l;
        s->cap = cap;
    }
    (*stack)[(*n)++] = v;
}

/* An occurrence of a name some block binding has: which groups it puts
 * in conflict (from its function out to where its binding lives), and
 * whether it captures a block binding from a closure. */
static void
bs_scan_ident(struct bs *s, const struct kb_jsn *id)
{
    const struct kb_js_binding *b = bs_binding(s, id);
    const struct kb_jsn *home = b ? bs_fn_of(s, b) : NULL;
    bool block = b && s->block[id->binding - 1];
    for (uint32_t i = s->nfns; i-- > 0;) {
        struct bs_group *g = bs_get(&s->groups, s->fns[i], id->str);
        if (g && !(block && home == s->fns[i]))
            g->conflict = true;
        if (s->fns[i] == home)
            break;
    }
    if (block && s->fns[s->nfns - 1] != home)
        s->captured[id->binding - 1] = 1;
}

static void
bs_scan(struct bs *s, struct kb_jsn *n, const struct kb_jsn *parent)
{
    if (n->kind == KB_JSN_IDENT) {
        if (kl_ident_is_ref(parent, n) && bs_get(&s->names, NULL, n->str))
            bs_scan_ident(s, n);
        return;
    }
    bool fn = bs_is_fn(n), loop = bs_is_loop(n);
    if (fn) {
        bs_push(s, &s->fns, &s->nfns, n);
        bs_push(s, &s->loops, &s->nloops, NULL);
    }
    if (loop)
        bs_push(s, &s->loops, &s->nloops, n);
    struct kb_jsn *inner = s->nloops ? s->loops[s->nloops - 1] : NULL;
    if (inner &&
        (n->kind == KB_JSN_BLOCK || n->kind == KB_JSN_SWITCH || n->kind == KB_JSN_CATCH || loop))
        bs_put(s->c, &s->loop_of, n, NULL, inner);
    struct kb_jsn *slots[4] = { n->a, n->b, n->c, n->d };
    for (int i = 0; i < 4; i++)
        for (struct kb_jsn *q = slots[i]; q; q = q->next)
            bs_scan(s, q, n);
    if (fn) {
        s->nfns--;
        s->nloops--;
    }
    if (loop)
        s->nloops--;
}

/* Names, and the loops to wrap, from what the scan found. */
static void
bs_decide(struct bs *s)
{
    for (uint32_t i = 0; i < s->ast->nbindings; i++) {
        if (!s->block[i])
            continue;
        const struct kb_js_binding *b = &s->ast->bindings[i];
        struct bs_group *g = bs_get(&s->groups, bs_fn_of(s, b), b->name);
        if (g->conflict || g->kept)
            s->name[i] = kl_temp(s->c, b->name, b->decl->start)->str;
        else
            g->kept = true;
        if (s->captured[i]) {
            struct kb_jsn *loop = bs_get(&s->loop_of, s->ast->scopes[b->scope].node, NULL);
            if (loop)
                bs_put(s->c, &s->wrap, loop, NULL, (void *)1);
        }
    }
}

/* ---- Loop bodies as functions ---- */

/* One jump out of a wrapped body other than break and continue of the
 * loop itself: the code _loop returns and the statement that acts on it. */
struct bs_code {
    const char *code;
    struct kb_jsn *jump; /* a labeled BREAK or CONTINUE */
    struct bs_code *next;
};

struct bs_body {
    struct bs *s;
    struct kl_walk *w;
    const char **labels; /* of the loop itself */
    uint32_t nlabels;
    const char **inner; /* labels defined inside the body, innermost last */
    uint32_t ninner, capinner;
    uint32_t loops, switches; /* nesting inside the body */
    struct kb_jsn *this_id, *args_id;
    struct kb_jsn *copies; /* `_i = i` statements, cloned at every exit */
    struct kb_jsn *vars;   /* declarators of the body's own vars */
    struct bs_code *codes;
    bool yields, awaits, returns, breaks;
};

static bool
bs_has_label(const char *const *l, uint32_t n, const char *name)
{
    while (n-- > 0)
        if (!strcmp(l[n], name))
            return true;
    return false;
}

/* `return value` out of _loop, after the copies back. */
static struct kb_jsn *
bs_exit(struct bs_body *j, struct kb_jsn *value, uint32_t pos)
{
    struct kl_ctx *c = j->s->c;
    struct kb_jsn *ret = kl_return(c, value);
    ret->start = ret->end = pos;
    if (!j->copies)
        return ret;
    struct kb_jsn *stmts = NULL;
    for (struct kb_jsn *q = j->copies; q; q = q->next)
        stmts = kl_concat(stmts, kl_expr_stmt(c, kl_clone(c, q->a)));
    return kl_block(c, kl_concat(stmts, ret), pos);
}

/* A break or continue in the body: kept if it stays inside, else the exit
 * that carries it out. */
static struct kb_jsn *
bs_jump(struct bs_body *j, struct kb_jsn *n)
{
    struct kl_ctx *c = j->s->c;
    bool brk = n->kind == KB_JSN_BREAK;
    const char *label = n->a ? n->a->str : NULL;
    if (label ? bs_has_label(j->inner, j->ninner, label) : (j->loops || (brk && j->switches)))
        return n;
    if (!label || bs_has_label(j->labels, j->nlabels, label)) {
        if (!brk)
            return bs_exit(j, NULL, n->start);
        j->breaks = true;
        return bs_exit(j, kl_str(c, "break", n->start), n->start);
    }
    const char *verb = brk ? "break " : "continue ";
    size_t nv = strlen(verb), nl = strlen(label);
    char *buf = kl_alloc(c, nv + nl + 1);
    memcpy(buf, verb, nv);
    memcpy(buf + nv, label, nl);
    struct bs_code *code = j->codes;
    while (code && strcmp(code->code, buf) != 0)
        code = code->next;
    if (!code) {
        code = kl_alloc(c, sizeof *code);
        code->code = buf;
        code->jump = n;
        code->next = j->codes;
        j->codes = code;
    }
    return bs_exit(j, kl_str(c, code->code, n->start), n->start);
}

/* The body's own `var`s (outside nested functions) are declared before the
 * loop: their declarations become assignments. ctx is the slot's parent. */
static struct kb_jsn *
bs_hoist_var(struct bs_body *j, struct kb_jsn *n, const struct kb_jsn *parent)
{
    struct kl_ctx *c = j->s->c;
    for (struct kb_jsn *d = n->a; d; d = d->next) {
        const struct kb_js_binding *b = bs_binding(j->s, d->a);
        if (!b || b->kind == KB_JS_B_LET || b->kind == KB_JS_B_CONST || b->kind == KB_JS_B_CLASS)
            return n;
    }
    struct kb_jsn *assigns = NULL;
    for (struct kb_jsn *d = n->a, *next; d; d = next) {
        next = d->next;
        j->vars = kl_concat(j->vars, kl_var(c, KB_JS_VAR, kl_clone(c, d->a), NULL)->a);
        if (d->b)
            assigns = kl_concat(assigns, kl_assign(c, d->a, d->b));
    }
    bool head = parent && (parent->kind == KB_JSN_FOR_IN || parent->kind == KB_JSN_FOR_OF) &&
                parent->a == n;
    if (head)
        return n->a->a;
    if (parent && parent->kind == KB_JSN_FOR && parent->a == n)
        return kl_seq(c, assigns);
    return assigns ? kl_expr_stmt(c, kl_seq(c, assigns)) : kl_node(c, KB_JSN_EMPTY, n->start);
}

static struct kb_jsn *
bs_capture(struct bs_body *j, struct kb_jsn **id, const char *hint, uint32_t pos)
{
    if (!*id)
        *id = kl_temp(j->s->c, hint, pos);
    return kl_ident(j->s->c, (*id)->str, pos);
}

static void bs_body_list(struct bs_body *j, struct kb_jsn **slot, struct kb_jsn *parent);

/* Rewrites one node of the body (not entering nested functions). */
static struct kb_jsn *
bs_body_node(struct bs_body *j, struct kb_jsn *n, struct kb_jsn *parent)
{
    switch (n->kind) {
    case KB_JSN_FUNC_DECL:
    case KB_JSN_FUNC_EXPR: return n;
    case KB_JSN_THIS: return bs_capture(j, &j->this_id, "this", n->start);
    case KB_JSN_IDENT:
        if (!n->binding && !strcmp(n->str, "arguments") && kl_ident_is_ref(parent, n))
            return bs_capture(j, &j->args_id, "arguments", n->start);
        return n;
    case KB_JSN_AWAIT: j->awaits = true; break;
    case KB_JSN_YIELD: j->yields = true; break;
    case KB_JSN_BREAK:
    case KB_JSN_CONTINUE: return bs_jump(j, n);
    case KB_JSN_RETURN: {
        bs_body_list(j, &n->a, n);
        struct kl_ctx *c = j->s->c;
        struct kb_jsn *obj = kl_node(c, KB_JSN_OBJECT, n->start);
        obj->a = kl_node(c, KB_JSN_PROPERTY, n->start);
        obj->a->op = KB_JS_P_INIT;
        obj->a->a = kl_ident(c, "v", n->start);
        obj->a->b = n->a ? n->a : kl_undefined(c, n->start);
        j->returns = true;
        return bs_exit(j, obj, n->start);
    }
    case KB_JSN_VAR_DECL:
        if (n->op == KB_JS_VAR) {
            n = bs_hoist_var(j, n, parent);
            if (!n || n->kind == KB_JSN_IDENT)
                return n;
        }
        break;
    case KB_JSN_LABELED: {
        if (j->ninner == j->capinner) {
            uint32_t cap = j->capinner ? j->capinner * 2 : 8;
            const char **t = kl_alloc(j->s->c, cap * sizeof *t);
            if (j->ninner)
                memcpy(t, j->inner, j->ninner * sizeof *t);
            j->inner = t;
            j->capinner = cap;
        }
        j->inner[j->ninner++] = n->a->str;
        bs_body_list(j, &n->b, n);
        j->ninner--;
        return n;
    }
    default: break;
    }
    bool loop = bs_is_loop(n), sw = n->kind == KB_JSN_SWITCH;
    j->loops += loop;
    j->switches += sw;
    bs_body_list(j, &n->a, n);
    bs_body_list(j, &n->b, n);
    bs_body_list(j, &n->c, n);
    bs_body_list(j, &n->d, n);
    j->loops -= loop;
    j->switches -= sw;
    return n;
}

static void
bs_body_list(struct bs_body *j, struct kb_jsn **slot, struct kb_jsn *parent)
{
    while (*slot) {
        struct kb_jsn *next = (*slot)->next;
        (*slot)->next = NULL;
        struct kb_jsn *r = bs_body_node(j, *slot, parent);
        *slot = r ? r : next;
        if (r) {
            r->next = next;
            slot = &r->next;
        }
    }
}

/* Whether the tree below n assigns binding b. */
static bool
bs_writes(const struct kb_jsn *n, uint32_t b)
{
    if ((n->kind == KB_JSN_ASSIGN || n->kind == KB_JSN_UPDATE || n->kind == KB_JSN_FOR_IN ||
         n->kind == KB_JSN_FOR_OF) &&
        n->a && n->a->kind == KB_JSN_IDENT && n->a->binding == b)
        return true;
    const struct kb_jsn *slots[4] = { n->a, n->b, n->c, n->d };
    for (int i = 0; i < 4; i++)
        for (const struct kb_jsn *q = slots[i]; q; q = q->next)
            if (bs_writes(q, b))
                return true;
    return false;
}

static void
bs_rename_binding(struct kb_jsn *n, uint32_t b, const char *to)
{
    if (n->kind == KB_JSN_IDENT && n->binding == b) {
        n->str = to;
        n->len = (uint32_t)strlen(to);
    }
    struct kb_jsn *slots[4] = { n->a, n->b, n->c, n->d };
    for (int i = 0; i < 4; i++)
        for (struct kb_jsn *q = slots[i]; q; q = q->next)
            bs_rename_binding(q, b, to);
}

/* Whether a function below n (or n itself, inside one) uses binding b. */
static bool
bs_closure_uses(const struct kb_jsn *n, uint32_t b, bool in_fn)
{
    if (in_fn && n->kind == KB_JSN_IDENT && n->binding == b)
        return true;
    in_fn = in_fn || bs_is_fn(n);
    const struct kb_jsn *slots[4] = { n->a, n->b, n->c, n->d };
    for (int i = 0; i < 4; i++)
        for (const struct kb_jsn *q = slots[i]; q; q = q->next)
            if (bs_closure_uses(q, b, in_fn))
                return true;
    return false;
}

/* The loop's head bindings become _loop's parameters; the head itself
 * uses fresh outer vars. A closure in a for's initialiser keeps the
 * binding from before the first iteration: the initialiser gets a var of
 * its own, copied into the loop's (`_i0 = 0, f = ..., _i = _i0`). Returns
 * the call's arguments. */
static struct kb_jsn *
bs_head(struct bs_body *j, struct kb_jsn *loop, struct kb_jsn **params)
{
    struct kl_ctx *c = j->s->c;
    struct kb_jsn *args = NULL, *first_copies = NULL;
    if (loop->kind == KB_JSN_WHILE || loop->kind == KB_JSN_DO_WHILE || !loop->a ||
        loop->a->kind != KB_JSN_VAR_DECL)
        return NULL;
    bool is_for = loop->kind == KB_JSN_FOR;
    for (struct kb_jsn *d = loop->a->a; d; d = d->next) {
        const struct kb_js_binding *b = bs_binding(j->s, d->a);
        if (!b || !j->s->block[d->a->binding - 1] || j->s->ast->scopes[b->scope].node != loop)
            continue;
        uint32_t bi = d->a->binding;
        const char *name = d->a->str;
        struct kb_jsn *outer = kl_temp(c, name, d->a->start);
        *params = kl_concat(*params, kl_ident(c, name, d->a->start));
        args = kl_concat(args, kl_clone(c, outer));
        if (is_for && loop->d && bs_writes(loop->d, bi))
            j->copies = kl_concat(
                j->copies,
                kl_expr_stmt(c, kl_assign(c, kl_clone(c, outer), kl_ident(c, name, d->a->start))));
        if (is_for && bs_closure_uses(loop->a, bi, false)) {
            struct kb_jsn *init = kl_temp(c, name, d->a->start);
            bs_rename_binding(loop->a, bi, init->str);
            first_copies = kl_concat(first_copies, kl_var(c, KB_JS_VAR, outer, init)->a);
        } else {
            bs_rename_binding(loop->a, bi, outer->str);
        }
        if (is_for && loop->b)
            bs_rename_binding(loop->b, bi, outer->str);
        if (is_for && loop->c)
            bs_rename_binding(loop->c, bi, outer->str);
    }
    kl_concat(loop->a->a, first_copies);
    return args;
}

/* The loop's new body: the call, and what acts on its result. */
static struct kb_jsn *
bs_dispatch(struct bs_body *j, struct kb_jsn *loop_id, struct kb_jsn *args, uint32_t pos)
{
    struct kl_ctx *c = j->s->c;
    struct kb_jsn *call = kl_call(c, loop_id, args);
    if (j->yields || j->awaits) {
        struct kb_jsn *y = kl_node(c, j->yields ? KB_JSN_YIELD : KB_JSN_AWAIT, pos);
        y->flags = j->yields ? KB_JSN_F_DELEGATE : 0;
        y->a = call;
        call = y;
    }
    if (!j->breaks && !j->returns && !j->codes)
        return kl_block(c, kl_expr_stmt(c, call), pos);
    struct kb_jsn *ret = kl_temp(c, "ret", pos);
    struct kb_jsn *stmts = kl_var(c, KB_JS_VAR, ret, call);
    if (j->breaks) {
        struct kb_jsn *test = kl_binary(c, KB_JS_OP_SEQ, kl_clone(c, ret), kl_str(c, "break", pos));
        struct kb_jsn *s = kl_node(c, KB_JSN_IF, pos);
        s->a = test;
        s->b = kl_node(c, KB_JSN_BREAK, pos);
        stmts = kl_concat(stmts, s);
    }
    for (struct bs_code *code = j->codes; code; code = code->next) {
        struct kb_jsn *s = kl_node(c, KB_JSN_IF, pos);
        s->a = kl_binary(c, KB_JS_OP_SEQ, kl_clone(c, ret), kl_str(c, code->code, pos));
        s->b = code->jump;
        stmts = kl_concat(stmts, s);
    }
    if (j->returns) {
        struct kb_jsn *s = kl_node(c, KB_JSN_IF, pos);
        s->a = kl_binary(c, KB_JS_OP_SEQ, kl_unary(c, KB_JS_OP_TYPEOF, kl_clone(c, ret)),
                         kl_str(c, "object", pos));
        s->b = kl_return(c, kl_member(c, kl_clone(c, ret), "v"));
        stmts = kl_concat(stmts, s);
    }
    return kl_block(c, stmts, pos);
}

/* Rewrites loop (labeled by the LABELED nodes right above it on the walk's
 * stack) and returns the statements that go before it. */
static struct kb_jsn *
bs_wrap(struct kl_walk *w, struct kb_jsn *loop)
{
    struct bs *s = w->data;
    struct kl_ctx *c = w->c;
    struct bs_body j = { .s = s, .w = w };
    uint32_t i = w->depth;
    while (i > 0 && w->stack[i - 1].node->kind == KB_JSN_LABELED)
        i--;
    j.nlabels = w->depth - i;
    j.labels = kl_alloc(c, (j.nlabels + 1) * sizeof *j.labels);
    for (uint32_t k = 0; k < j.nlabels; k++)
        j.labels[k] = w->stack[i + k].node->a->str;
    struct kb_jsn *params = NULL;
    struct kb_jsn *args = bs_head(&j, loop, &params);
    struct kb_jsn *body = loop->d;
    struct kb_jsn *stmts = body->kind == KB_JSN_BLOCK ? body->a : body;
    if (body->kind != KB_JSN_BLOCK)
        body->next = NULL;
    bs_body_list(&j, &stmts, NULL);
    for (struct kb_jsn *q = j.copies; q; q = q->next)
        stmts = kl_concat(stmts, kl_expr_stmt(c, kl_clone(c, q->a)));
    struct kb_jsn *fn = kl_function(c, NULL, params, stmts, loop->start);
    if (j.yields)
        fn->flags |= KB_JSN_F_GENERATOR;
    if (j.awaits)
        fn->flags |= KB_JSN_F_ASYNC;
    struct kb_jsn *loop_id = kl_temp(c, "loop", loop->start);
    loop->d = bs_dispatch(&j, kl_clone(c, loop_id), args, loop->start);
    struct kb_jsn *before = NULL;
    if (j.this_id)
        before = kl_var(c, KB_JS_VAR, j.this_id, kl_node(c, KB_JSN_THIS, loop->start))->a;
    if (j.args_id)
        before = kl_concat(
            before, kl_var(c, KB_JS_VAR, j.args_id, kl_ident(c, "arguments", loop->start))->a);
    before = kl_concat(before, j.vars);
    struct kb_jsn *pre = NULL;
    if (before) {
        pre = kl_node(c, KB_JSN_VAR_DECL, loop->start);
        pre->op = KB_JS_VAR;
        pre->a = before;
    }
    return kl_concat(pre, kl_var(c, KB_JS_VAR, loop_id, fn));
}

/* ---- The rewrite walk ---- */

/* Whether the node being left sits in a statement list. */
static bool
bs_in_list(struct kl_walk *w)
{
    const struct kb_jsn *p = kl_parent(w);
    return p && (p->kind == KB_JSN_PROGRAM || p->kind == KB_JSN_BLOCK || p->kind == KB_JSN_CASE);
}

/* pre then stmt, as a list where one is allowed, else as a block. */
static struct kb_jsn *
bs_before(struct kl_walk *w, struct kb_jsn *pre, struct kb_jsn *stmt)
{
    if (!pre)
        return stmt;
    struct kb_jsn *list = kl_concat(pre, stmt);
    return bs_in_list(w) ? list : kl_block(w->c, list, stmt->start);
}

/* A let/const/class binding read at n before its declaration in the same
 * function. */
static bool
bs_in_tdz(struct kl_walk *w, const struct kb_jsn *n)
{
    struct bs *s = w->data;
    const struct kb_js_binding *b = bs_binding(s, n);
    if (!b || b->decl == n || s->declared[n->binding - 1])
        return false;
    if (b->kind != KB_JS_B_LET && b->kind != KB_JS_B_CONST && b->kind != KB_JS_B_CLASS)
        return false;
    return kl_scope_fn(w, false) == bs_fn_of(s, b);
}

static struct kb_jsn *
bs_throw(struct kl_ctx *c, const char *helper, const struct kb_jsn *id)
{
    return kl_callv(c, kl_helper(c, helper, id->start), kl_str(c, id->str, id->start), NULL);
}

/* x = v / x += v / x++ where x is a const or in its TDZ: the right side,
 * then the throw. NULL when the assignment is fine. */
static struct kb_jsn *
bs_bad_store(struct kl_walk *w, struct kb_jsn *n)
{
    struct bs *s = w->data;
    struct kl_ctx *c = w->c;
    const struct kb_js_binding *b = bs_binding(s, n->a);
    if (!b)
        return NULL;
    bool tdz = bs_in_tdz(w, n->a);
    if (!tdz && b->kind != KB_JS_B_CONST)
        return NULL;
    struct kb_jsn *id = kl_ident(c, b->name, n->a->start);
    struct kb_jsn *err = bs_throw(c, tdz ? "tdz" : "readOnlyError", id);
    if (n->kind == KB_JSN_UPDATE || (tdz && n->op != KB_JS_OP_ASSIGN))
        return err;
    struct kb_jsn *rhs = n->b;
    rhs->next = err;
    return kl_seq(c, rhs);
}

static struct kb_jsn *
bs_enter(struct kl_walk *w, struct kb_jsn *n, bool *skip)
{
    (void)skip;
    struct bs *s = w->data;
    if ((n->kind == KB_JSN_ASSIGN || n->kind == KB_JSN_UPDATE) && n->a->kind == KB_JSN_IDENT) {
        struct kb_jsn *r = bs_bad_store(w, n);
        return r ? r : n;
    }
    if (n->kind != KB_JSN_IDENT || !n->binding || !kl_ident_is_ref(kl_parent(w), n))
        return n;
    if (bs_in_tdz(w, n))
        return bs_throw(w->c, "tdz", n);
    const char *to = s->name[n->binding - 1];
    if (to != n->str) {
        n->str = to;
        n->len = (uint32_t)strlen(to);
    }
    return n;
}

/* Whether the declaration being left is in a loop of its function (and
 * not the head of a for-in or for-of, which assigns it each time). */
static bool
bs_in_loop(struct kl_walk *w, const struct kb_jsn *decl)
{
    const struct kb_jsn *p = kl_parent(w);
    if (p && (p->kind == KB_JSN_FOR_IN || p->kind == KB_JSN_FOR_OF || p->kind == KB_JSN_FOR) &&
        p->a == decl)
        return false;
    for (uint32_t i = w->depth; i-- > 0;) {
        const struct kb_jsn *n = w->stack[i].node;
        if (bs_is_loop(n))
            return true;
        if (bs_is_fn(n))
            return false;
    }
    return false;
}

/* var f = function f() {}: a function declared in a block. */
static struct kb_jsn *
bs_fn_var(struct kl_ctx *c, struct kb_jsn *fn)
{
    fn->kind = KB_JSN_FUNC_EXPR;
    struct kb_jsn *decl = kl_var(c, KB_JS_VAR, kl_clone(c, fn->a), fn);
    decl->start = fn->start;
    return decl;
}

/* Moves the function declarations of list to its front as vars. */
static struct kb_jsn *
bs_hoist_fns(struct kl_ctx *c, struct kb_jsn *list, struct kb_jsn **fns)
{
    struct kb_jsn *rest = NULL;
    for (struct kb_jsn *q = list, *next; q; q = next) {
        next = q->next;
        q->next = NULL;
        if (q->kind == KB_JSN_FUNC_DECL)
            *fns = kl_concat(*fns, bs_fn_var(c, q));
        else
            rest = kl_concat(rest, q);
    }
    return rest;
}

static struct kb_jsn *
bs_leave_loop(struct kl_walk *w, struct kb_jsn *n)
{
    struct bs *s = w->data;
    if (!bs_get(&s->wrap, n, NULL))
        return n;
    struct kb_jsn *pre = bs_wrap(w, n);
    const struct kb_jsn *p = kl_parent(w);
    if (p && p->kind == KB_JSN_LABELED) {
        bs_put(w->c, &s->pending, n, NULL, pre);
        return n;
    }
    return bs_before(w, pre, n);
}

static struct kb_jsn *
bs_leave(struct kl_walk *w, struct kb_jsn *n)
{
    struct bs *s = w->data;
    struct kl_ctx *c = w->c;
    const struct kb_jsn *p = kl_parent(w);
    switch (n->kind) {
    case KB_JSN_DECLARATOR:
        if (n->a->kind == KB_JSN_IDENT && n->a->binding)
            s->declared[n->a->binding - 1] = 1;
        return n;
    case KB_JSN_VAR_DECL:
        if (n->op == KB_JS_LET && bs_in_loop(w, n))
            for (struct kb_jsn *d = n->a; d; d = d->next)
                if (!d->b)
                    d->b = kl_undefined(c, d->start);
        n->op = KB_JS_VAR;
        return n;
    case KB_JSN_FUNC_DECL:
        if (p && !bs_in_list(w) && p->kind != KB_JSN_EXPORT_NAMED &&
            p->kind != KB_JSN_EXPORT_DEFAULT)
            return bs_fn_var(c, n);
        return n;
    case KB_JSN_BLOCK:
        if (p && !bs_is_fn(p)) {
            struct kb_jsn *fns = NULL;
            struct kb_jsn *rest = bs_hoist_fns(c, n->a, &fns);
            n->a = kl_concat(fns, rest);
        }
        return n;
    case KB_JSN_SWITCH: {
        struct kb_jsn *fns = NULL;
        for (struct kb_jsn *k = n->b; k; k = k->next)
            k->b = bs_hoist_fns(c, k->b, &fns);
        return bs_before(w, fns, n);
    }
    case KB_JSN_LABELED: {
        if (p && p->kind == KB_JSN_LABELED)
            return n;
        struct kb_jsn *body = n->b;
        while (body->kind == KB_JSN_LABELED)
            body = body->b;
        struct kb_jsn *pre = bs_get(&s->pending, body, NULL);
        return pre ? bs_before(w, pre, n) : n;
    }
    default: return bs_is_loop(n) ? bs_leave_loop(w, n) : n;
    }
}

void
kl_pass_block_scope(struct kl_ctx *c)
{
    kl_rescope(c);
    struct bs s = { 0 };
    bs_init(&s, c);
    bs_push(&s, &s.fns, &s.nfns, c->ast->program);
    bs_push(&s, &s.loops, &s.nloops, NULL);
    bs_scan(&s, c->ast->program, NULL);
    bs_decide(&s);
    struct kl_walk w = { .c = c, .data = &s, .enter = bs_enter, .leave = bs_leave };
    kl_walk(&w);
}
