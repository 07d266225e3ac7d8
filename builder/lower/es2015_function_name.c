/*
 * ES2015 function names, for ES5 only. An anonymous function, arrow or
 * class gets a `name` from where it is put (NamedEvaluation): the binding
 * or simple assignment target, the static property key, the parameter or
 * pattern default's target, `export default`. ES5 engines give none, so
 * this pass names each such node before the class and arrow passes make
 * functions of them:
 *
 *   var f = () => 1;  o = { k: class {} };  ({ default: function () {} })
 * becomes (after the later passes)
 *   var f = function f() { return 1; };  o = { k: function () { ... function k() ...
 *   ({ default: _setFunctionName(function () {}, "default") })
 *
 * The name is given directly (the node's id) when it is an ES5 identifier
 * that may name a function and the node never mentions it: a named
 * function expression's name is a binding its body sees, so a mention
 * (`var f = function () { return typeof f; }`) would then mean the
 * function instead of the outer variable. Otherwise _setFunctionName
 * defines `name` at run time. An arrow's id is its unused `a` slot, which
 * the arrow pass keeps when it makes a function expression of it. Computed
 * keys other than literals, whose name is known only at run time, and
 * positions that give no name (`(0, function () {})`, call arguments) are
 * left as they are (docs/internals/lowering/function-name.md).
 */
#include "builder/lower/internal.h"

#include <string.h>

/* Whether n is a function, arrow or class expression without a name. */
static bool
fname_anonymous(const struct kb_jsn *n)
{
    return n && !n->a &&
           (n->kind == KB_JSN_FUNC_EXPR || n->kind == KB_JSN_ARROW || n->kind == KB_JSN_CLASS_EXPR);
}

/* Words that cannot name a function expression in strict ES5 code, and
 * globals later passes refer to inside functions (params: Array). */
static bool
fname_reserved(const char *s)
{
    /* Array: the parameters pass later refers to it inside functions. */
    return kl_es5_reserved(s) || !strcmp(s, "Array");
}

/* Whether s (n bytes) is an ASCII identifier that may name a function. */
static bool
fname_plain(const char *s, size_t n)
{
    if (!n || (s[0] >= '0' && s[0] <= '9'))
        return false;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '_' || ch == '$'))
            return false;
    }
    return !fname_reserved(s);
}

/*
 * Whether an identifier below n is name or `eval` (a direct eval could
 * read the name). Member names and static keys are not references; labels
 * count, which is only conservative. Each named node is scanned once, so a
 * program costs its size times the nesting of named functions.
 */
static bool
fname_mentions(const struct kb_jsn *n, const char *name)
{
    if (n->kind == KB_JSN_IDENT)
        return !strcmp(n->str, name) || !strcmp(n->str, "eval");
    bool computed = n->flags & KB_JSN_F_COMPUTED;
    const struct kb_jsn *slots[4] = { n->a, n->b, n->c, n->d };
    if (n->kind == KB_JSN_MEMBER && !computed)
        slots[1] = NULL;
    if ((n->kind == KB_JSN_PROPERTY || n->kind == KB_JSN_METHOD || n->kind == KB_JSN_FIELD) &&
        !computed)
        slots[0] = NULL;
    for (int i = 0; i < 4; i++)
        for (const struct kb_jsn *q = slots[i]; q; q = q->next)
            if (fname_mentions(q, name))
                return true;
    return false;
}

/* Whether class n has a static member keyed "name", which then is its
 * `name` (ES2015 gives no name to such a class). */
static bool
fname_static_name(const struct kb_jsn *n)
{
    for (const struct kb_jsn *m = n->c; m; m = m->next) {
        const struct kb_jsn *k = m->a;
        if ((m->flags & KB_JSN_F_STATIC) && !(m->flags & KB_JSN_F_COMPUTED) && k &&
            (k->kind == KB_JSN_IDENT || k->kind == KB_JSN_STR) && k->len == 4 &&
            !memcmp(k->str, "name", 4))
            return true;
    }
    return false;
}

/*
 * Names the anonymous node in *slot after key: an IDENT (its name), STR or
 * NUM (a property key). Gives the node an id when it may, else wraps it in
 * _setFunctionName(node, key).
 */
static void
fname_give(struct kl_ctx *c, struct kb_jsn **slot, const struct kb_jsn *key)
{
    struct kb_jsn *n = *slot;
    if (!fname_anonymous(n))
        return;
    bool text = key->kind == KB_JSN_IDENT || key->kind == KB_JSN_STR;
    if (text && fname_plain(key->str, key->len) && !fname_mentions(n, key->str)) {
        n->a = kl_ident(c, key->str, n->start);
        return;
    }
    if (n->kind == KB_JSN_CLASS_EXPR && fname_static_name(n))
        return; /* the helper would overwrite the member */
    struct kb_jsn *name =
        key->kind == KB_JSN_IDENT ? kl_str(c, key->str, key->start) : kl_clone(c, key);
    name->start = name->end = n->start;
    struct kb_jsn *next = n->next;
    n->next = NULL;
    *slot = kl_callv(c, kl_helper(c, "setFunctionName", n->start), n, name, NULL);
    (*slot)->next = next;
}

/* The identifier target of `x = ...` or a default, unless parenthesized
 * (`(x) = function () {}` names nothing). */
static const struct kb_jsn *
fname_target(const struct kb_jsn *t)
{
    return t->kind == KB_JSN_IDENT && !(t->flags & KB_JSN_F_PAREN) ? t : NULL;
}

/* The key of property n that names its value: a static one, or a
 * computed literal (["a"], [1]); not a method's, nor that of `__proto__:
 * v`, which sets the prototype. */
static const struct kb_jsn *
fname_key(const struct kb_jsn *n)
{
    const struct kb_jsn *k = n->a;
    bool computed = n->flags & KB_JSN_F_COMPUTED;
    if (n->op != KB_JS_P_INIT || (n->flags & KB_JSN_F_METHOD))
        return NULL;
    if (k->kind == KB_JSN_NUM || (k->kind == KB_JSN_STR && computed))
        return k;
    if (computed || (k->kind != KB_JSN_IDENT && k->kind != KB_JSN_STR))
        return NULL;
    return k->len == 9 && !memcmp(k->str, "__proto__", 9) ? NULL : k;
}

static struct kb_jsn *
fname_leave(struct kl_walk *w, struct kb_jsn *n)
{
    struct kl_ctx *c = w->c;
    const struct kb_jsn *key = NULL;
    switch (n->kind) {
    case KB_JSN_DECLARATOR: key = n->a->kind == KB_JSN_IDENT ? n->a : NULL; break;
    case KB_JSN_ASSIGN:
        if (n->op == KB_JS_OP_ASSIGN || n->op == KB_JS_OP_LAND_ASSIGN ||
            n->op == KB_JS_OP_LOR_ASSIGN || n->op == KB_JS_OP_NULLISH_ASSIGN)
            key = fname_target(n->a);
        break;
    case KB_JSN_ASSIGN_PAT: key = fname_target(n->a); break;
    case KB_JSN_PROPERTY: key = fname_key(n); break;
    case KB_JSN_EXPORT_DEFAULT:
        /* `export default class {}` is a class as a value (the class
         * pass lowers both alike); an anonymous function declaration
         * stays one, which module code names itself. */
        if (n->a->kind == KB_JSN_CLASS_DECL && !n->a->a)
            n->a->kind = KB_JSN_CLASS_EXPR;
        if (fname_anonymous(n->a)) {
            struct kb_jsn *def = kl_ident(c, "default", n->start);
            fname_give(c, &n->a, def);
        }
        return n;
    default: return n;
    }
    if (key)
        fname_give(c, &n->b, key);
    return n;
}

void
kl_pass_function_name(struct kl_ctx *c)
{
    struct kl_walk w = { .c = c, .leave = fname_leave };
    kl_walk(&w);
}
