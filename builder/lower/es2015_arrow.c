/*
 * ES2015 arrow functions to ES5 function expressions. An arrow has no
 * `this` or `arguments` of its own: inside one, both refer to those of the
 * nearest enclosing non-arrow function, which gets `var _this = this,
 * _arguments = arguments;` at the top of its body (once, shared by all its
 * arrows, however deeply nested). At the top level of a script or module
 * `this` and `arguments` are kept as they are: the arrow sees the same
 * global `this` (undefined in a module) as the code around it.
 *
 *   function f() { return (x) => this.k + x + arguments[0]; }
 * becomes
 *   function f() { var _this = this, _arguments = arguments;
 *     return function (x) { return _this.k + x + _arguments[0]; }; }
 *
 * An async arrow becomes an async function expression (the async pass
 * lowers it later). `new.target` and `super` inside arrows were rewritten by
 * the new.target and class passes, which run before this one.
 */
#include "builder/lower/internal.h"

#include <string.h>

/* One function on the walk, arrows included. */
struct arrow_fn {
    struct kb_jsn *fn;
    struct kb_jsn *this_id, *args_id; /* the captures, once needed */
};

struct arrow_state {
    struct arrow_fn *fns;
    uint32_t n, cap;
};

static bool
arrow_is_fn(const struct kb_jsn *n)
{
    return n->kind == KB_JSN_PROGRAM || n->kind == KB_JSN_FUNC_DECL ||
           n->kind == KB_JSN_FUNC_EXPR || n->kind == KB_JSN_ARROW;
}

/* The innermost non-arrow function on the stack (the PROGRAM at worst),
 * or NULL when the innermost function is not an arrow. */
static struct arrow_fn *
arrow_owner(struct arrow_state *s)
{
    if (!s->n || s->fns[s->n - 1].fn->kind != KB_JSN_ARROW)
        return NULL;
    uint32_t i = s->n - 1;
    while (i > 0 && s->fns[i].fn->kind == KB_JSN_ARROW)
        i--;
    return &s->fns[i];
}

/* The capture of `this` (is_this) or `arguments` that stands for it in an
 * arrow; NULL at the top level, where it stays. */
static struct kb_jsn *
arrow_capture(struct kl_walk *w, const struct kb_jsn *at, bool is_this)
{
    struct arrow_state *s = w->data;
    struct arrow_fn *f = arrow_owner(s);
    if (!f || f->fn->kind == KB_JSN_PROGRAM)
        return NULL;
    struct kb_jsn **id = is_this ? &f->this_id : &f->args_id;
    if (!*id)
        *id = kl_temp(w->c, is_this ? "this" : "arguments", f->fn->start);
    return kl_ident(w->c, (*id)->str, at->start);
}

static struct kb_jsn *
arrow_enter(struct kl_walk *w, struct kb_jsn *n, bool *skip)
{
    (void)skip;
    struct arrow_state *s = w->data;
    if (arrow_is_fn(n)) {
        if (s->n == s->cap) {
            /* In the arena: a failing pass longjmps past any free. */
            uint32_t cap = s->cap ? s->cap * 2 : 32;
            struct arrow_fn *t = kl_alloc(w->c, cap * sizeof *t);
            if (s->n)
                memcpy(t, s->fns, s->n * sizeof *t);
            s->fns = t;
            s->cap = cap;
        }
        s->fns[s->n++] = (struct arrow_fn){ n, NULL, NULL };
        return n;
    }
    struct kb_jsn *r = NULL;
    if (n->kind == KB_JSN_THIS) {
        r = arrow_capture(w, n, true);
    } else if (n->kind == KB_JSN_IDENT && !n->binding && !strcmp(n->str, "arguments")) {
        struct kb_jsn *parent = kl_parent(w);
        if (kl_ident_is_ref(parent, n)) {
            r = arrow_capture(w, n, false);
            if (r && parent && parent->kind == KB_JSN_PROPERTY)
                parent->flags &= (uint16_t)~KB_JSN_F_SHORTHAND;
        }
    }
    return r ? r : n;
}

/* `var _this = this, _arguments = arguments;` first in fn's body (after
 * its directives). */
static void
arrow_put_captures(struct kl_ctx *c, struct kb_jsn *fn, const struct arrow_fn *f)
{
    struct kb_jsn *decls = NULL;
    if (f->this_id) {
        struct kb_jsn *d = kl_var(c, KB_JS_VAR, f->this_id, kl_node(c, KB_JSN_THIS, fn->start));
        decls = d->a;
    }
    if (f->args_id) {
        struct kb_jsn *d = kl_var(c, KB_JS_VAR, f->args_id, kl_ident(c, "arguments", fn->start));
        decls = kl_concat(decls, d->a);
    }
    struct kb_jsn *decl = kl_node(c, KB_JSN_VAR_DECL, fn->start);
    decl->op = KB_JS_VAR;
    decl->a = decls;
    struct kb_jsn **at = &fn->c->a;
    while (*at && (*at)->kind == KB_JSN_EXPR_STMT && ((*at)->flags & KB_JSN_F_DIRECTIVE))
        at = &(*at)->next;
    decl->next = *at;
    *at = decl;
}

static struct kb_jsn *
arrow_leave(struct kl_walk *w, struct kb_jsn *n)
{
    struct arrow_state *s = w->data;
    if (!arrow_is_fn(n))
        return n;
    struct arrow_fn f = s->fns[--s->n];
    if (n->kind != KB_JSN_ARROW) {
        if (f.this_id || f.args_id)
            arrow_put_captures(w->c, n, &f);
        return n;
    }
    n->kind = KB_JSN_FUNC_EXPR;
    if (n->flags & KB_JSN_F_EXPR_BODY) {
        n->c = kl_block(w->c, kl_return(w->c, n->c), n->c->start);
        n->flags &= (uint16_t)~KB_JSN_F_EXPR_BODY;
    }
    return n;
}

void
kl_pass_arrow(struct kl_ctx *c)
{
    struct arrow_state s = { 0 };
    struct kl_walk w = { .c = c, .data = &s, .enter = arrow_enter, .leave = arrow_leave };
    kl_walk(&w);
}
