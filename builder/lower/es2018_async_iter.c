/*
 * ES2018 async iteration, lowered to ES2017 (async functions and
 * generators native; for es5 the passes after this one lower those).
 *
 * An async generator becomes a plain function that runs a generator under
 * _wrapAsyncGenerator, which keeps the request queue (next, throw and
 * return each return a promise) and drives the generator: `await x`
 * yields an _awaitAsyncGenerator marker, which the driver awaits before
 * resuming; a plain yield's value is awaited too, as `yield` awaits in an
 * async generator. Parameters stay on the generator, so their defaults run
 * at the call and body vars still see them; the outer function keeps the
 * name and length:
 *
 *   async function* f(a, b = 1) { const x = await a; yield* g(); return x; }
 *   function f(a) {
 *     return _wrapAsyncGenerator(function* (a, b = 1) {
 *       const x = yield _awaitAsyncGenerator(a);
 *       yield* _asyncGeneratorDelegate(_asyncIterator(g()));
 *       return yield _awaitAsyncGenerator(x);
 *     }, this, arguments);
 *   }
 *
 * `super.x` inside an async generator method reads through an arrow
 * defined in the method (`_super = (k) => super[k]`); assigning to it is
 * an error. `for await` in any async function:
 *
 *   for await (const x of xs) S
 *   try {
 *     for (_abrupt = _thrown = false, _iterator = _asyncIterator(xs);
 *          _abrupt = !(_step = await _iterator.next()).done; _abrupt = false) {
 *       const x = _step.value; S
 *     }
 *   } catch (_e) { _thrown = true; _error = _e; }
 *   finally {
 *     try { if (_abrupt && _iterator.return != null) await _iterator.return(); }
 *     finally { if (_thrown) throw _error; }
 *   }
 */
#include "builder/lower/internal.h"

#include <string.h>

struct async_state {
    struct kb_jsn *unlabel; /* a lowered for await whose labels moved inside it */
};

static bool
async_is_gen(const struct kb_jsn *fn)
{
    return fn && (fn->kind == KB_JSN_FUNC_DECL || fn->kind == KB_JSN_FUNC_EXPR) &&
           (fn->flags & KB_JSN_F_ASYNC) && (fn->flags & KB_JSN_F_GENERATOR);
}

/* `yield _awaitAsyncGenerator(x)` inside an async generator, else
 * `await x`. */
static struct kb_jsn *
async_await(struct kl_walk *w, struct kb_jsn *x, uint32_t pos)
{
    struct kl_ctx *c = w->c;
    struct kb_jsn *n;
    if (async_is_gen(kl_scope_fn(w, true))) {
        n = kl_node(c, KB_JSN_YIELD, pos);
        n->a = kl_callv(c, kl_helper(c, "awaitAsyncGenerator", pos), x, NULL);
    } else {
        n = kl_node(c, KB_JSN_AWAIT, pos);
        n->a = x;
    }
    return n;
}

static struct kb_jsn *
async_temp(struct kl_walk *w, const char *hint, uint32_t pos)
{
    struct kb_jsn *t = kl_temp(w->c, hint, pos);
    kl_declare(w, t);
    return t;
}

/* ---- for await ---- */

/* The statement that gives the loop's head the step's value. */
static struct kb_jsn *
async_head(struct kl_ctx *c, struct kb_jsn *head, struct kb_jsn *value)
{
    if (head->kind == KB_JSN_VAR_DECL) {
        head->a->b = value;
        return head;
    }
    return kl_expr_stmt(c, kl_assign(c, head, value));
}

static struct kb_jsn *
async_if(struct kl_ctx *c, struct kb_jsn *test, struct kb_jsn *then)
{
    struct kb_jsn *n = kl_node(c, KB_JSN_IF, test->start);
    n->a = test;
    n->b = then;
    return n;
}

static struct kb_jsn *
async_try(struct kl_ctx *c, struct kb_jsn *block, struct kb_jsn *handler, struct kb_jsn *finalizer)
{
    struct kb_jsn *n = kl_node(c, KB_JSN_TRY, block->start);
    n->a = block;
    n->b = handler;
    n->c = finalizer;
    return n;
}

/* The labels a loop statement carries (parents that are LABELED around
 * n), cloned around inner, innermost first. */
static struct kb_jsn *
async_relabel(struct kl_walk *w, struct kb_jsn *n, struct kb_jsn *inner)
{
    struct kb_jsn *child = n;
    for (uint32_t i = w->depth; i-- > 0;) {
        struct kb_jsn *p = w->stack[i].node;
        if (p->kind != KB_JSN_LABELED || p->b != child)
            break;
        struct kb_jsn *l = kl_node(w->c, KB_JSN_LABELED, p->start);
        l->a = kl_clone(w->c, p->a);
        l->b = inner;
        inner = l;
        child = p;
    }
    return inner;
}

static struct kb_jsn *
async_for_await(struct kl_walk *w, struct kb_jsn *n)
{
    struct kl_ctx *c = w->c;
    uint32_t pos = n->start;
    struct kb_jsn *it = async_temp(w, "iterator", pos), *step = async_temp(w, "step", pos);
    struct kb_jsn *abrupt = async_temp(w, "abrupt", pos), *thrown = async_temp(w, "thrown", pos);
    struct kb_jsn *error = async_temp(w, "error", pos);
#define C(x) kl_clone(c, x)
    struct kb_jsn *init =
        kl_assign(c, abrupt, kl_assign(c, thrown, kl_node(c, KB_JSN_FALSE_LIT, pos)));
    init->next = kl_assign(c, it, kl_callv(c, kl_helper(c, "asyncIterator", pos), n->b, NULL));
    struct kb_jsn *next = async_await(w, kl_call(c, kl_member(c, C(it), "next"), NULL), pos);
    struct kb_jsn *done = kl_member(c, kl_assign(c, C(step), next), "done");
    struct kb_jsn *loop = kl_node(c, KB_JSN_FOR, pos);
    loop->a = kl_seq(c, init);
    loop->b = kl_assign(c, C(abrupt), kl_unary(c, KB_JS_OP_NOT, done));
    loop->c = kl_assign(c, C(abrupt), kl_node(c, KB_JSN_FALSE_LIT, pos));
    struct kb_jsn *head = async_head(c, n->a, kl_member(c, C(step), "value"));
    head->next = n->d;
    loop->d = kl_block(c, head, pos);
    struct kb_jsn *e = kl_temp(c, "e", pos);
    struct kb_jsn *record =
        kl_expr_stmt(c, kl_assign(c, C(thrown), kl_node(c, KB_JSN_TRUE_LIT, pos)));
    record->next = kl_expr_stmt(c, kl_assign(c, C(error), C(e)));
    struct kb_jsn *handler = kl_node(c, KB_JSN_CATCH, pos);
    handler->a = e;
    handler->b = kl_block(c, record, pos);
    struct kb_jsn *ret = kl_member(c, C(it), "return");
    struct kb_jsn *has_ret = kl_binary(c, KB_JS_OP_NE, ret, kl_node(c, KB_JSN_NULL_LIT, pos));
    struct kb_jsn *close = async_if(
        c, kl_logical(c, KB_JS_OP_AND, C(abrupt), has_ret),
        kl_expr_stmt(c, async_await(w, kl_call(c, kl_member(c, C(it), "return"), NULL), pos)));
    struct kb_jsn *rethrow = kl_node(c, KB_JSN_THROW, pos);
    rethrow->a = C(error);
    struct kb_jsn *fin = async_try(c, kl_block(c, close, pos), NULL,
                                   kl_block(c, async_if(c, C(thrown), rethrow), pos));
#undef C
    struct kb_jsn *r =
        async_try(c, kl_block(c, async_relabel(w, n, loop), pos), handler, kl_block(c, fin, pos));
    ((struct async_state *)w->data)->unlabel = r;
    return r;
}

/* ---- super inside async generator methods ---- */

struct async_super {
    struct kl_ctx *c;
    struct kb_jsn *get;   /* the arrow's name, once one is needed */
    struct kb_jsn *write; /* an assignment to a super property: an error */
};

static bool
async_is_super_member(const struct kb_jsn *n)
{
    return n && n->kind == KB_JSN_MEMBER && n->a->kind == KB_JSN_SUPER;
}

/* Before the children: stops at functions and classes (their super is
 * their own), notes writes (an error after the walk), and
 * turns super.m(args) into
 * super.m.call(this, args), whose super.m leave then rewrites. */
static struct kb_jsn *
async_super_enter(struct kl_walk *w, struct kb_jsn *n, bool *skip)
{
    struct kl_ctx *c = w->c;
    struct async_super *s = w->data;
    if (n->kind == KB_JSN_FUNC_DECL || n->kind == KB_JSN_FUNC_EXPR ||
        n->kind == KB_JSN_CLASS_DECL || n->kind == KB_JSN_CLASS_EXPR)
        *skip = true;
    if ((n->kind == KB_JSN_ASSIGN || n->kind == KB_JSN_UPDATE ||
         (n->kind == KB_JSN_UNARY && n->op == KB_JS_OP_DELETE)) &&
        async_is_super_member(n->a) && !s->write)
        s->write = n;
    if (n->kind == KB_JSN_CALL && async_is_super_member(n->a)) {
        n->a = kl_member(c, n->a, "call");
        struct kb_jsn *self = kl_node(c, KB_JSN_THIS, n->start);
        self->next = n->b;
        n->b = self;
    }
    return n;
}

/* super.x and super[x] as _super("x") and _super(x). */
static struct kb_jsn *
async_super_leave(struct kl_walk *w, struct kb_jsn *n)
{
    struct async_super *s = w->data;
    struct kl_ctx *c = s->c;
    if (!async_is_super_member(n))
        return n;
    if (!s->get)
        s->get = kl_temp(c, "super", n->start);
    struct kb_jsn *key = (n->flags & KB_JSN_F_COMPUTED) ? n->b : kl_str(c, n->b->str, n->b->start);
    struct kb_jsn *r = kl_callv(c, kl_clone(c, s->get), key, NULL);
    r->start = r->end = n->start;
    return r;
}

/* Rewrites super.x in body (not in nested functions or classes) and
 * returns the declaration of the arrow they call, or NULL. */
static struct kb_jsn *
async_super(struct kl_ctx *c, struct kb_jsn *body)
{
    struct async_super s = { .c = c };
    struct kl_walk w = {
        .c = c, .data = &s, .enter = async_super_enter, .leave = async_super_leave
    };
    kl_walk_slot(&w, &body->a);
    if (s.write)
        kl_fail(c, s.write,
                "assignment to a super property inside an async generator method "
                "cannot be lowered to %s",
                kb_lower_target_name(c->target));
    if (!s.get)
        return NULL;
    struct kb_jsn *k = kl_temp(c, "k", body->start);
    struct kb_jsn *arrow = kl_node(c, KB_JSN_ARROW, body->start);
    arrow->flags = KB_JSN_F_EXPR_BODY | KB_JSN_F_SIMPLE;
    arrow->b = k;
    arrow->c = kl_index(c, kl_node(c, KB_JSN_SUPER, body->start), kl_clone(c, k));
    return kl_var(c, KB_JS_CONST, s.get, arrow);
}

/* ---- async generator functions ---- */

/* The outer function's parameters: as many as the length counts. */
static struct kb_jsn *
async_outer_params(struct kl_ctx *c, const struct kb_jsn *params)
{
    struct kb_jsn *list = NULL, **tail = &list;
    for (const struct kb_jsn *q = params; q; q = q->next) {
        if (q->kind == KB_JSN_ASSIGN_PAT || q->kind == KB_JSN_REST)
            break;
        if (q->kind == KB_JSN_IDENT && strcmp(q->str, "arguments") != 0)
            *tail = kl_clone(c, q);
        else
            *tail = kl_temp(c, "x", q->start);
        tail = &(*tail)->next;
    }
    return list;
}

static void
async_wrap(struct kl_walk *w, struct kb_jsn *fn, bool method)
{
    struct kl_ctx *c = w->c;
    uint32_t pos = fn->start;
    struct kb_jsn *inner = kl_function(c, NULL, fn->b, NULL, pos);
    inner->c = fn->c;
    inner->flags =
        (uint16_t)(KB_JSN_F_GENERATOR | (fn->flags & (KB_JSN_F_SIMPLE | KB_JSN_F_STRICT)));
    struct kb_jsn *stmts = NULL, **tail = &stmts;
    for (struct kb_jsn *d = fn->c->a;
         d && d->kind == KB_JSN_EXPR_STMT && (d->flags & KB_JSN_F_DIRECTIVE); d = d->next) {
        *tail = kl_clone(c, d);
        tail = &(*tail)->next;
    }
    if (method && (*tail = async_super(c, inner->c)))
        tail = &(*tail)->next;
    struct kb_jsn *args = kl_ident(c, "arguments", pos);
    *tail = kl_return(c, kl_callv(c, kl_helper(c, "wrapAsyncGenerator", pos), inner,
                                  kl_node(c, KB_JSN_THIS, pos), args, NULL));
    fn->b = async_outer_params(c, fn->b);
    fn->c = kl_block(c, stmts, fn->c->start);
    fn->flags = (uint16_t)((fn->flags & ~(KB_JSN_F_ASYNC | KB_JSN_F_GENERATOR)) | KB_JSN_F_SIMPLE);
}

static struct kb_jsn *
async_leave(struct kl_walk *w, struct kb_jsn *n)
{
    struct kl_ctx *c = w->c;
    struct async_state *st = w->data;
    switch (n->kind) {
    case KB_JSN_AWAIT:
        if (async_is_gen(kl_scope_fn(w, true)))
            return async_await(w, n->a, n->start);
        break;
    case KB_JSN_YIELD:
        if ((n->flags & KB_JSN_F_DELEGATE) && async_is_gen(kl_scope_fn(w, true))) {
            struct kb_jsn *it = kl_callv(c, kl_helper(c, "asyncIterator", n->start), n->a, NULL);
            n->a = kl_callv(c, kl_helper(c, "asyncGeneratorDelegate", n->start), it, NULL);
        }
        break;
    case KB_JSN_RETURN:
        if (n->a && async_is_gen(kl_scope_fn(w, true)))
            n->a = async_await(w, n->a, n->start);
        break;
    case KB_JSN_FOR_OF:
        if (n->flags & KB_JSN_F_AWAIT)
            return async_for_await(w, n);
        break;
    case KB_JSN_LABELED:
        if (st->unlabel && n->b == st->unlabel)
            return n->b;
        break;
    case KB_JSN_FUNC_DECL:
    case KB_JSN_FUNC_EXPR:
        if (async_is_gen(n)) {
            struct kb_jsn *p = kl_parent(w);
            async_wrap(w, n, p && (p->kind == KB_JSN_METHOD || p->kind == KB_JSN_PROPERTY));
        }
        break;
    default: break;
    }
    return n;
}

void
kl_pass_async_iter(struct kl_ctx *c)
{
    struct async_state st = { 0 };
    struct kl_walk w = { .c = c, .data = &st, .leave = async_leave };
    kl_walk(&w);
    /* The wrapped body is a generator, even one with no yield of its own
     * (`async function* g() {}`): below ES2015 the generator pass lowers it. */
    if (kb_lower_target_year(c->target) < 2015)
        c->lower |= KL_BIT(KL_F_GENERATOR);
}
