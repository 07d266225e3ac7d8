/*
 * Modules whose evaluation has no effect (docs/bundling.md): such a module
 * only creates its bindings, so when it runs relative to other modules
 * cannot be observed, and chunk.c may let it run earlier than the
 * specification's order. Deliberately small and pure over one module's tree.
 */
#include "builder/bundle/internal.h"

#include <string.h>

/* True for a global the checks below may name (binding 0 is a global). */
static bool
global_is(const struct kb_jsn *n, const char *name)
{
    return n && n->kind == KB_JSN_IDENT && n->binding == 0 && strcmp(n->str, name) == 0;
}

static bool inert_class(const struct kb_mod *m, const struct kb_jsn *n);

static bool
primitive(const struct kb_jsn *n)
{
    switch (n->kind) {
    case KB_JSN_NUM:
    case KB_JSN_STR:
    case KB_JSN_NULL_LIT:
    case KB_JSN_TRUE_LIT:
    case KB_JSN_FALSE_LIT: return true;
    case KB_JSN_TEMPLATE: return n->b == NULL;
    case KB_JSN_UNARY:
        return (n->op == KB_JS_OP_MINUS || n->op == KB_JS_OP_PLUS || n->op == KB_JS_OP_NOT ||
                n->op == KB_JS_OP_TILDE || n->op == KB_JS_OP_TYPEOF || n->op == KB_JS_OP_VOID) &&
               primitive(n->a);
    case KB_JSN_BINARY:
        return n->op != KB_JS_OP_IN && n->op != KB_JS_OP_INSTANCEOF && primitive(n->a) &&
               primitive(n->b);
    default: return false;
    }
}

/*
 * True when evaluating expression n can neither have an effect nor read a
 * binding of another module: literals, functions, classes without code that
 * runs at definition, object and array literals of such values, this
 * module's own non-imported bindings, and a few constructors of empty
 * collections. Deliberately small: anything else counts as an effect.
 */
static bool
inert(const struct kb_mod *m, const struct kb_jsn *n)
{
    if (!n)
        return true;
    if (primitive(n))
        return true;
    switch (n->kind) {
    case KB_JSN_REGEX:
    case KB_JSN_FUNC_EXPR:
    case KB_JSN_ARROW: return true;
    case KB_JSN_CLASS_EXPR: return inert_class(m, n);
    case KB_JSN_IDENT:
        if (n->binding == 0)
            return global_is(n, "undefined") || global_is(n, "NaN") || global_is(n, "Infinity");
        return m->ast.bindings[n->binding - 1].kind != KB_JS_B_IMPORT;
    case KB_JSN_TEMPLATE:
        for (const struct kb_jsn *e = n->b; e; e = e->next)
            if (!primitive(e))
                return false;
        return true;
    case KB_JSN_ARRAY:
        for (const struct kb_jsn *e = n->a; e; e = e->next)
            if (e->kind != KB_JSN_HOLE && !inert(m, e))
                return false;
        return true;
    case KB_JSN_OBJECT:
        for (const struct kb_jsn *p = n->a; p; p = p->next)
            if (p->kind != KB_JSN_PROPERTY ||
                ((p->flags & KB_JSN_F_COMPUTED) && !primitive(p->a)) || !inert(m, p->b))
                return false;
        return true;
    case KB_JSN_LOGICAL:
    case KB_JSN_COND: return inert(m, n->a) && inert(m, n->b) && inert(m, n->c);
    case KB_JSN_SEQUENCE:
        for (const struct kb_jsn *e = n->a; e; e = e->next)
            if (!inert(m, e))
                return false;
        return true;
    case KB_JSN_NEW:
        return (global_is(n->a, "Map") || global_is(n->a, "Set") || global_is(n->a, "WeakMap") ||
                global_is(n->a, "WeakSet")) &&
               n->b == NULL;
    case KB_JSN_CALL:
        return (global_is(n->a, "Symbol") && (!n->b || (primitive(n->b) && !n->b->next))) ||
               (n->a->kind == KB_JSN_MEMBER && !(n->a->flags & KB_JSN_F_COMPUTED) &&
                global_is(n->a->a, "Object") && n->a->b->kind == KB_JSN_IDENT &&
                strcmp(n->a->b->str, "freeze") == 0 && n->b && !n->b->next &&
                n->b->kind != KB_JSN_SPREAD && inert(m, n->b));
    default: return false;
    }
}

static bool
inert_class(const struct kb_mod *m, const struct kb_jsn *n)
{
    if (n->b) /* extends: evaluates an expression, reads its prototype */
        return false;
    for (const struct kb_jsn *k = n->c; k; k = k->next) {
        if (k->kind == KB_JSN_STATIC_BLOCK)
            return false;
        if ((k->kind == KB_JSN_METHOD || k->kind == KB_JSN_FIELD) &&
            (k->flags & KB_JSN_F_COMPUTED) && !primitive(k->a))
            return false;
        if (k->kind == KB_JSN_FIELD && (k->flags & KB_JSN_F_STATIC) && !inert(m, k->b))
            return false;
    }
    return true;
}

static bool
inert_stmt(const struct kb_mod *m, const struct kb_jsn *st)
{
    switch (st->kind) {
    case KB_JSN_IMPORT:
    case KB_JSN_EXPORT_ALL:
    case KB_JSN_EMPTY:
    case KB_JSN_FUNC_DECL: return true;
    case KB_JSN_EXPR_STMT: return (st->flags & KB_JSN_F_DIRECTIVE) != 0;
    case KB_JSN_CLASS_DECL: return inert_class(m, st);
    case KB_JSN_EXPORT_NAMED: return !st->a || inert_stmt(m, st->a);
    case KB_JSN_EXPORT_DEFAULT:
        return st->a->kind == KB_JSN_FUNC_DECL || st->a->kind == KB_JSN_CLASS_DECL
                   ? inert_stmt(m, st->a)
                   : inert(m, st->a);
    case KB_JSN_VAR_DECL:
        for (const struct kb_jsn *d = st->a; d; d = d->next)
            if (d->a->kind != KB_JSN_IDENT || !inert(m, d->b))
                return false;
        return true;
    default: return false;
    }
}

/* A module whose evaluation only creates its bindings (docs/bundling.md):
 * when it runs, relative to other modules, cannot be observed. */
bool
kb__inert_module(const struct kb_mod *m)
{
    if (m->tla)
        return false;
    for (const struct kb_jsn *st = m->ast.program->a; st; st = st->next)
        if (!inert_stmt(m, st))
            return false;
    return true;
}
