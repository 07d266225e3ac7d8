/*
 * Scope analysis of a parsed tree: one walk declares every binding in its
 * scope (var hoisted to the nearest function or top scope, let/const/class
 * in their block, function declarations by the Annex B rules of sloppy code)
 * and records each identifier reference; a second pass resolves references
 * against the scope chain, so a use before its declaration resolves too.
 * Redeclaration rules follow the specification's early errors (the way acorn
 * models them: per scope, sets of lexical, var and function names).
 */
#include "builder/js/arena.h"
#include "common/error.h"
#include "common/hash.h"
#include "common/vec.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Entry bits of a (scope, name) pair. */
enum {
    KB_JSS_LEX = 1,       /* let, const, class, import, lexical function */
    KB_JSS_VAR = 2,       /* var or parameter declared here */
    KB_JSS_FUNC = 4,      /* sloppy function declaration */
    KB_JSS_CATCH = 8,     /* the simple parameter of this catch scope */
    KB_JSS_VAR_THRU = 16, /* a var declared in an inner block passes through */
    KB_JSS_ANNEXB = 32,   /* Annex B var of a block function: yields to any declaration */
};

struct kb_jss_ent {
    const char *name; /* NULL: free slot */
    uint32_t scope, hash;
    uint8_t bits;
    uint32_t binding; /* index + 1, 0 if the name only passes through */
};

struct kb_jss_ref {
    struct kb_jsn *id;
    uint32_t scope;
    bool write;
};

struct kb_jss_export {
    const char *name;
    uint32_t len, pos;
};

struct kb_jss {
    const char *src;
    struct kb_jsast *ast;
    struct kc_diag *diag;
    jmp_buf fail;
    int err;
    unsigned depth;
    bool strict, module;
    bool for_of_var; /* declaring the var of a for-of head (no catch exemption) */
    uint32_t cur;    /* current scope */
    struct kb_js_scope *scopes;
    uint32_t nscopes;
    size_t capscopes;
    struct kb_js_binding *bindings;
    uint32_t nbindings;
    size_t capbindings;
    struct kb_jss_ent *tab;
    uint32_t captab, ntab;
    struct kb_jss_ref *refs;
    uint32_t nrefs;
    size_t caprefs;
    struct kb_jss_export *exports;
    uint32_t nexports;
    size_t capexports;
    /* Local names of export { a } without from, checked once all is declared. */
    struct kb_jsn **exported_locals;
    uint32_t nexported_locals;
    size_t capexported_locals;
};

static _Noreturn void kb_jss_fail(struct kb_jss *s, uint32_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
kb_jss_fail(struct kb_jss *s, uint32_t off, const char *fmt, ...)
{
    if (s->diag) {
        va_list ap;
        va_start(ap, fmt);
        kc_diag_vset(s->diag, s->src, off, fmt, ap);
        va_end(ap);
    }
    s->err = KC_EPARSE;
    longjmp(s->fail, 1);
}

/* Elements in one of the arrays below: they are indexed by uint32_t. */
#define KB_JSS_MAX (UINT32_MAX - 1)

/* Leaves with rc unless it is 0: for kc_vec_reserve's result. */
static void
kb_jss_check(struct kb_jss *s, int rc)
{
    if (rc) {
        s->err = rc;
        longjmp(s->fail, 1);
    }
}

/* The table slot hash of name in scope: FNV-1a over both, low 32 bits. */
static uint32_t
kb_jss_hash(const char *name, uint32_t scope)
{
    uint64_t h = kc_fnv1a64(KC_FNV1A64_INIT, &scope, sizeof scope);
    return (uint32_t)kc_fnv1a64(h, name, strlen(name));
}

static struct kb_jss_ent *
kb_jss_find(struct kb_jss *s, uint32_t scope, const char *name, bool create)
{
    if (create && (s->ntab + 1) * 2 > s->captab) {
        uint32_t oc = s->captab, nc = oc ? oc * 2 : 256;
        struct kb_jss_ent *nt = calloc(nc, sizeof *nt);
        if (!nt) {
            s->err = KC_ENOMEM;
            longjmp(s->fail, 1);
        }
        for (uint32_t i = 0; i < oc; i++) {
            if (!s->tab[i].name)
                continue;
            uint32_t j = s->tab[i].hash & (nc - 1);
            while (nt[j].name)
                j = (j + 1) & (nc - 1);
            nt[j] = s->tab[i];
        }
        free(s->tab);
        s->tab = nt;
        s->captab = nc;
    }
    if (!s->captab)
        return NULL;
    uint32_t h = kb_jss_hash(name, scope), j = h & (s->captab - 1);
    while (s->tab[j].name) {
        if (s->tab[j].hash == h && s->tab[j].scope == scope && strcmp(s->tab[j].name, name) == 0)
            return &s->tab[j];
        j = (j + 1) & (s->captab - 1);
    }
    if (!create)
        return NULL;
    s->tab[j] = (struct kb_jss_ent){ .name = name, .scope = scope, .hash = h };
    s->ntab++;
    return &s->tab[j];
}

static uint32_t
kb_jss_push_scope(struct kb_jss *s, int kind, struct kb_jsn *node)
{
    kb_jss_check(s, kc_vec_reserve(s->scopes, s->capscopes, (size_t)s->nscopes + 1, KB_JSS_MAX));
    uint32_t i = s->nscopes++;
    s->scopes[i] = (struct kb_js_scope){ .kind = (uint8_t)kind, .parent = s->cur, .node = node };
    s->cur = i;
    return i;
}

static void
kb_jss_pop_scope(struct kb_jss *s)
{
    s->cur = s->scopes[s->cur].parent;
}

static bool
kb_jss_is_var_scope(const struct kb_jss *s, uint32_t sc)
{
    int k = s->scopes[sc].kind;
    return k == KB_JS_S_TOP || k == KB_JS_S_FUNCTION;
}

/* Function declarations count as var in function scopes and a script's top. */
static bool
kb_jss_funcs_as_var(const struct kb_jss *s, uint32_t sc)
{
    int k = s->scopes[sc].kind;
    return k == KB_JS_S_FUNCTION || (k == KB_JS_S_TOP && !s->module);
}

static uint32_t
kb_jss_new_binding(struct kb_jss *s, struct kb_jsn *id, int kind, uint32_t scope)
{
    kb_jss_check(s,
                 kc_vec_reserve(s->bindings, s->capbindings, (size_t)s->nbindings + 1, KB_JSS_MAX));
    s->bindings[s->nbindings] = (struct kb_js_binding){
        .name = id->str,
        .kind = (uint8_t)kind,
        .scope = scope,
        .decl = id,
        .flags = s->scopes[scope].kind == KB_JS_S_TOP ? KB_JS_BF_TOP : 0,
    };
    id->binding = ++s->nbindings;
    return s->nbindings;
}

enum kb_jss_how { KB_JSS_H_LEX, KB_JSS_H_VAR, KB_JSS_H_FUNC, KB_JSS_H_CATCH };

/* Declares id in the current scope with the redeclaration early errors. */
static void
kb_jss_declare(struct kb_jss *s, struct kb_jsn *id, int kind, enum kb_jss_how how)
{
    const char *name = id->str;
    uint32_t sc = s->cur;
    struct kb_jss_ent *e;
    switch (how) {
    case KB_JSS_H_LEX:
        e = kb_jss_find(s, sc, name, true);
        if (e->bits & (KB_JSS_LEX | KB_JSS_VAR | KB_JSS_FUNC | KB_JSS_VAR_THRU | KB_JSS_CATCH))
            kb_jss_fail(s, id->start, "identifier '%s' has already been declared", name);
        e->bits = (uint8_t)((e->bits & ~KB_JSS_ANNEXB) | KB_JSS_LEX);
        e->binding = kb_jss_new_binding(s, id, kind, sc);
        return;
    case KB_JSS_H_CATCH:
        e = kb_jss_find(s, sc, name, true);
        e->bits |= KB_JSS_CATCH;
        e->binding = kb_jss_new_binding(s, id, kind, sc);
        return;
    case KB_JSS_H_FUNC:
        e = kb_jss_find(s, sc, name, true);
        if (kb_jss_funcs_as_var(s, sc)
                ? (e->bits & KB_JSS_LEX) != 0
                : (e->bits & (KB_JSS_LEX | KB_JSS_VAR | KB_JSS_VAR_THRU | KB_JSS_CATCH)) != 0)
            kb_jss_fail(s, id->start, "identifier '%s' has already been declared", name);
        if (e->binding && (e->bits & (KB_JSS_FUNC | KB_JSS_VAR))) {
            /* A second declaration of the same function or var name: one binding. */
            id->binding = e->binding;
            s->bindings[e->binding - 1].flags |= KB_JS_BF_REASSIGNED;
        } else {
            e->binding = kb_jss_new_binding(s, id, kind, sc);
        }
        e->bits |= KB_JSS_FUNC;
        return;
    case KB_JSS_H_VAR:
        for (uint32_t c = sc;; c = s->scopes[c].parent) {
            e = kb_jss_find(s, c, name, true);
            if (((e->bits & KB_JSS_LEX)) ||
                ((e->bits & KB_JSS_CATCH) &&
                 (s->scopes[c].kind != KB_JS_S_CATCH || s->for_of_var)) ||
                ((e->bits & KB_JSS_FUNC) && !kb_jss_funcs_as_var(s, c)))
                kb_jss_fail(s, id->start, "identifier '%s' has already been declared", name);
            if (kb_jss_is_var_scope(s, c)) {
                if (e->binding) {
                    /* var x; var x = ...: one binding, declared again. */
                    id->binding = e->binding;
                    s->bindings[e->binding - 1].flags |= KB_JS_BF_REASSIGNED;
                } else {
                    e->binding = kb_jss_new_binding(s, id, kind, c);
                }
                e->bits |= KB_JSS_VAR;
                return;
            }
            e->bits |= KB_JSS_VAR_THRU;
        }
    }
}

static void
kb_jss_ref(struct kb_jss *s, struct kb_jsn *id, bool write)
{
    kb_jss_check(s, kc_vec_reserve(s->refs, s->caprefs, (size_t)s->nrefs + 1, KB_JSS_MAX));
    s->refs[s->nrefs++] = (struct kb_jss_ref){ .id = id, .scope = s->cur, .write = write };
}

static void
kb_jss_export_name(struct kb_jss *s, const struct kb_jsn *n)
{
    const char *name = n->kind == KB_JSN_IDENT || n->kind == KB_JSN_STR ? n->str : "default";
    /* Export names share the name table, under a scope index no scope has:
     * a module with tens of thousands of exports stays linear. */
    struct kb_jss_ent *e = kb_jss_find(s, UINT32_MAX, name, true);
    if (e->bits)
        kb_jss_fail(s, n->start, "duplicate export '%s'", name);
    e->bits = 1;
    kb_jss_check(s, kc_vec_reserve(s->exports, s->capexports, (size_t)s->nexports + 1, KB_JSS_MAX));
    s->exports[s->nexports++] = (struct kb_jss_export){ .name = name, .pos = n->start };
}

static void kb_jss_stmt(struct kb_jss *s, struct kb_jsn *n);
static void kb_jss_expr(struct kb_jss *s, struct kb_jsn *n);

static void
kb_jss_enter(struct kb_jss *s, const struct kb_jsn *n)
{
    /* The parser bounds nesting; this guards the walk on its own too. */
    if (++s->depth > KB_JSAST_DEPTH_MAX * 4)
        kb_jss_fail(s, n->start, KB_JSAST_TOO_DEEP);
}

/*
 * A pattern: bind (kind != 0) declares its names with how; otherwise the
 * names are assignment targets. Default values and computed keys are
 * expressions either way. export marks declared names as exported.
 */
static void
kb_jss_pattern(struct kb_jss *s, struct kb_jsn *n, int kind, enum kb_jss_how how, bool export)
{
    kb_jss_enter(s, n);
    switch (n->kind) {
    case KB_JSN_IDENT:
        if (kind) {
            kb_jss_declare(s, n, kind, how);
            if (export) {
                kb_jss_export_name(s, n);
                s->bindings[n->binding - 1].flags |= KB_JS_BF_EXPORTED;
            }
        } else {
            kb_jss_ref(s, n, true);
        }
        break;
    case KB_JSN_OBJECT_PAT:
        for (struct kb_jsn *q = n->a; q; q = q->next) {
            if (q->kind == KB_JSN_PROPERTY) {
                if (q->flags & KB_JSN_F_COMPUTED)
                    kb_jss_expr(s, q->a);
                kb_jss_pattern(s, q->b, kind, how, export);
            } else {
                kb_jss_pattern(s, q, kind, how, export);
            }
        }
        break;
    case KB_JSN_ARRAY_PAT:
        for (struct kb_jsn *q = n->a; q; q = q->next)
            if (q->kind != KB_JSN_HOLE)
                kb_jss_pattern(s, q, kind, how, export);
        break;
    case KB_JSN_ASSIGN_PAT:
        kb_jss_pattern(s, n->a, kind, how, export);
        kb_jss_expr(s, n->b);
        break;
    case KB_JSN_REST: kb_jss_pattern(s, n->a, kind, how, export); break;
    default:
        /* Member expressions as assignment targets. */
        kb_jss_expr(s, n);
    }
    s->depth--;
}

/* Parameters and body of a function (scope already pushed). */
static void
kb_jss_function_body(struct kb_jss *s, struct kb_jsn *fn)
{
    bool old_strict = s->strict;
    if (fn->flags & KB_JSN_F_STRICT)
        s->strict = true;
    for (struct kb_jsn *q = fn->b; q; q = q->next)
        kb_jss_pattern(s, q, KB_JS_B_PARAM, KB_JSS_H_VAR, false);
    if (fn->c) {
        if (fn->kind == KB_JSN_ARROW && (fn->flags & KB_JSN_F_EXPR_BODY))
            kb_jss_expr(s, fn->c);
        else
            for (struct kb_jsn *q = fn->c->a; q; q = q->next)
                kb_jss_stmt(s, q);
    }
    s->strict = old_strict;
}

/* A function expression or arrow: its own name scope, then the function. */
static void
kb_jss_function_expr(struct kb_jss *s, struct kb_jsn *fn)
{
    bool named = fn->kind == KB_JSN_FUNC_EXPR && fn->a;
    if (named) {
        kb_jss_push_scope(s, KB_JS_S_BLOCK, fn);
        kb_jss_declare(s, fn->a, KB_JS_B_FUNCTION, KB_JSS_H_LEX);
    }
    kb_jss_push_scope(s, KB_JS_S_FUNCTION, fn);
    kb_jss_function_body(s, fn);
    kb_jss_pop_scope(s);
    if (named)
        kb_jss_pop_scope(s);
}

static void
kb_jss_class(struct kb_jss *s, struct kb_jsn *c)
{
    bool old_strict = s->strict;
    s->strict = true;
    kb_jss_push_scope(s, KB_JS_S_CLASS, c);
    if (c->a) {
        /* The inner, immutable binding of the class name. */
        struct kb_jsn *inner = c->a;
        if (c->kind == KB_JSN_CLASS_DECL) {
            inner = kb_jsast_alloc(s->ast->arena, sizeof *inner);
            if (!inner) {
                s->err = kb_jsast_arena_err(s->ast->arena);
                longjmp(s->fail, 1);
            }
            *inner = *c->a;
            inner->next = NULL;
        }
        kb_jss_declare(s, inner, KB_JS_B_CLASS, KB_JSS_H_LEX);
    }
    if (c->b)
        kb_jss_expr(s, c->b);
    for (struct kb_jsn *m = c->c; m; m = m->next) {
        if (m->kind == KB_JSN_STATIC_BLOCK) {
            kb_jss_push_scope(s, KB_JS_S_FUNCTION, m);
            for (struct kb_jsn *q = m->a; q; q = q->next)
                kb_jss_stmt(s, q);
            kb_jss_pop_scope(s);
            continue;
        }
        if (m->flags & KB_JSN_F_COMPUTED)
            kb_jss_expr(s, m->a);
        if (m->b) {
            if (m->kind == KB_JSN_METHOD) {
                kb_jss_function_expr(s, m->b);
            } else {
                /* A field initialiser runs like a method body. */
                kb_jss_push_scope(s, KB_JS_S_FUNCTION, m);
                kb_jss_expr(s, m->b);
                kb_jss_pop_scope(s);
            }
        }
    }
    kb_jss_pop_scope(s);
    s->strict = old_strict;
}

static void
kb_jss_expr(struct kb_jss *s, struct kb_jsn *n)
{
    if (!n)
        return;
    kb_jss_enter(s, n);
    switch (n->kind) {
    case KB_JSN_IDENT: kb_jss_ref(s, n, false); break;
    case KB_JSN_FUNC_EXPR:
    case KB_JSN_ARROW: kb_jss_function_expr(s, n); break;
    case KB_JSN_CLASS_EXPR: kb_jss_class(s, n); break;
    case KB_JSN_MEMBER:
        kb_jss_expr(s, n->a);
        if (n->flags & KB_JSN_F_COMPUTED)
            kb_jss_expr(s, n->b);
        break;
    case KB_JSN_OBJECT:
        for (struct kb_jsn *q = n->a; q; q = q->next) {
            if (q->kind == KB_JSN_SPREAD) {
                kb_jss_expr(s, q->a);
                continue;
            }
            if (q->flags & KB_JSN_F_COMPUTED)
                kb_jss_expr(s, q->a);
            kb_jss_expr(s, q->b);
        }
        break;
    case KB_JSN_ASSIGN:
        if (n->a->kind == KB_JSN_IDENT)
            kb_jss_ref(s, n->a, true);
        else
            kb_jss_pattern(s, n->a, 0, KB_JSS_H_VAR, false);
        kb_jss_expr(s, n->b);
        break;
    case KB_JSN_UPDATE:
        if (n->a->kind == KB_JSN_IDENT)
            kb_jss_ref(s, n->a, true);
        else
            kb_jss_expr(s, n->a);
        break;
    case KB_JSN_META_PROP:
    case KB_JSN_PRIVATE_NAME: break;
    case KB_JSN_OBJECT_PAT:
    case KB_JSN_ARRAY_PAT: kb_jss_pattern(s, n, 0, KB_JSS_H_VAR, false); break;
    case KB_JSN_TEMPLATE:
        for (struct kb_jsn *q = n->b; q; q = q->next)
            kb_jss_expr(s, q);
        break;
    default: {
        /* Every other expression: children are expressions or lists of them. */
        struct kb_jsn *kids[4] = { n->a, n->b, n->c, n->d };
        for (int i = 0; i < 4; i++)
            for (struct kb_jsn *q = kids[i]; q; q = q->next)
                kb_jss_expr(s, q);
    }
    }
    s->depth--;
}

static void
kb_jss_var_decl(struct kb_jss *s, struct kb_jsn *n, bool export)
{
    int kind = n->op == KB_JS_VAR ? KB_JS_B_VAR : n->op == KB_JS_LET ? KB_JS_B_LET : KB_JS_B_CONST;
    for (struct kb_jsn *d = n->a; d; d = d->next) {
        kb_jss_pattern(s, d->a, kind, n->op == KB_JS_VAR ? KB_JSS_H_VAR : KB_JSS_H_LEX, export);
        kb_jss_expr(s, d->b);
    }
}

/*
 * Annex B.3.3: a plain function declared in a block of sloppy code also
 * assigns a var of its name in the enclosing function (or script), unless a
 * var there would clash with a lexical declaration on the way. That var is
 * what code after the block sees. It is the existing var binding if there is
 * one, else a new binding flagged KB_JS_BF_ANNEXB whose decl is the block
 * function's name.
 */
static void
kb_jss_annexb(struct kb_jss *s, struct kb_jsn *id)
{
    uint32_t c = s->scopes[s->cur].parent;
    for (;; c = s->scopes[c].parent) {
        struct kb_jss_ent *e = kb_jss_find(s, c, id->str, false);
        if (e && (e->bits & KB_JSS_LEX))
            return;
        if (kb_jss_is_var_scope(s, c))
            break;
    }
    struct kb_jss_ent *e = kb_jss_find(s, c, id->str, true);
    if (e->binding) {
        s->bindings[e->binding - 1].flags |= KB_JS_BF_REASSIGNED;
        return;
    }
    struct kb_jsn copy = *id;
    uint32_t b = kb_jss_new_binding(s, &copy, KB_JS_B_FUNCTION, c);
    s->bindings[b - 1].decl = id;
    s->bindings[b - 1].flags |= KB_JS_BF_ANNEXB;
    e->binding = b;
    e->bits |= KB_JSS_ANNEXB;
}

/* A function declaration: the name in the enclosing scope, then the body. */
static void
kb_jss_func_decl(struct kb_jss *s, struct kb_jsn *fn, bool export)
{
    if (fn->a) {
        bool plain = !(fn->flags & (KB_JSN_F_ASYNC | KB_JSN_F_GENERATOR)) && !s->strict;
        enum kb_jss_how how = plain                            ? KB_JSS_H_FUNC
                              : kb_jss_funcs_as_var(s, s->cur) ? KB_JSS_H_VAR
                                                               : KB_JSS_H_LEX;
        kb_jss_declare(s, fn->a, KB_JS_B_FUNCTION, how);
        if (how == KB_JSS_H_FUNC && !kb_jss_is_var_scope(s, s->cur))
            kb_jss_annexb(s, fn->a);
        if (export)
            s->bindings[fn->a->binding - 1].flags |= KB_JS_BF_EXPORTED;
    }
    kb_jss_push_scope(s, KB_JS_S_FUNCTION, fn);
    kb_jss_function_body(s, fn);
    kb_jss_pop_scope(s);
}

static void
kb_jss_block_stmts(struct kb_jss *s, struct kb_jsn *list, struct kb_jsn *node)
{
    kb_jss_push_scope(s, KB_JS_S_BLOCK, node);
    for (struct kb_jsn *q = list; q; q = q->next)
        kb_jss_stmt(s, q);
    kb_jss_pop_scope(s);
}

static void
kb_jss_stmt(struct kb_jss *s, struct kb_jsn *n)
{
    if (!n)
        return;
    kb_jss_enter(s, n);
    switch (n->kind) {
    case KB_JSN_BLOCK: kb_jss_block_stmts(s, n->a, n); break;
    case KB_JSN_VAR_DECL: kb_jss_var_decl(s, n, false); break;
    case KB_JSN_FUNC_DECL: kb_jss_func_decl(s, n, false); break;
    case KB_JSN_CLASS_DECL:
        kb_jss_declare(s, n->a, KB_JS_B_CLASS, KB_JSS_H_LEX);
        kb_jss_class(s, n);
        break;
    case KB_JSN_EXPR_STMT:
    case KB_JSN_THROW:
    case KB_JSN_RETURN: kb_jss_expr(s, n->a); break;
    case KB_JSN_IF:
        kb_jss_expr(s, n->a);
        /* A function declaration as an if body has its own scope (Annex B). */
        for (int i = 0; i < 2; i++) {
            struct kb_jsn *body = i ? n->c : n->b;
            bool own = body && body->kind == KB_JSN_FUNC_DECL;
            if (own)
                kb_jss_push_scope(s, KB_JS_S_BLOCK, body);
            kb_jss_stmt(s, body);
            if (own)
                kb_jss_pop_scope(s);
        }
        break;
    case KB_JSN_FOR:
    case KB_JSN_FOR_IN:
    case KB_JSN_FOR_OF:
        kb_jss_push_scope(s, KB_JS_S_BLOCK, n);
        if (n->a && n->a->kind == KB_JSN_VAR_DECL) {
            /* Annex B lets var redeclare a catch parameter, but not in for-of. */
            s->for_of_var = n->kind == KB_JSN_FOR_OF;
            kb_jss_var_decl(s, n->a, false);
            s->for_of_var = false;
        } else if (n->kind != KB_JSN_FOR && n->a)
            kb_jss_pattern(s, n->a, 0, KB_JSS_H_VAR, false);
        else
            kb_jss_expr(s, n->a);
        kb_jss_expr(s, n->b);
        kb_jss_expr(s, n->c);
        kb_jss_stmt(s, n->d);
        kb_jss_pop_scope(s);
        break;
    case KB_JSN_WHILE:
    case KB_JSN_DO_WHILE:
        kb_jss_expr(s, n->a);
        kb_jss_stmt(s, n->d);
        break;
    case KB_JSN_LABELED: kb_jss_stmt(s, n->b); break;
    case KB_JSN_WITH:
        kb_jss_expr(s, n->a);
        kb_jss_stmt(s, n->b);
        break;
    case KB_JSN_SWITCH:
        kb_jss_expr(s, n->a);
        kb_jss_push_scope(s, KB_JS_S_BLOCK, n);
        for (struct kb_jsn *c = n->b; c; c = c->next) {
            kb_jss_expr(s, c->a);
            for (struct kb_jsn *q = c->b; q; q = q->next)
                kb_jss_stmt(s, q);
        }
        kb_jss_pop_scope(s);
        break;
    case KB_JSN_TRY:
        kb_jss_stmt(s, n->a);
        if (n->b) {
            struct kb_jsn *c = n->b;
            kb_jss_push_scope(s, KB_JS_S_CATCH, c);
            if (c->a) {
                if (c->a->kind == KB_JSN_IDENT)
                    kb_jss_declare(s, c->a, KB_JS_B_CATCH, KB_JSS_H_CATCH);
                else
                    kb_jss_pattern(s, c->a, KB_JS_B_CATCH, KB_JSS_H_LEX, false);
            }
            /* The catch body shares the parameter's scope, so a lexical
             * redeclaration of the parameter is caught. */
            for (struct kb_jsn *q = c->b->a; q; q = q->next)
                kb_jss_stmt(s, q);
            kb_jss_pop_scope(s);
        }
        kb_jss_stmt(s, n->c);
        break;
    case KB_JSN_IMPORT:
        for (struct kb_jsn *q = n->a; q; q = q->next)
            kb_jss_declare(s, q->b, KB_JS_B_IMPORT, KB_JSS_H_LEX);
        break;
    case KB_JSN_EXPORT_NAMED:
        if (n->a) {
            if (n->a->kind == KB_JSN_VAR_DECL) {
                kb_jss_var_decl(s, n->a, true);
            } else if (n->a->kind == KB_JSN_FUNC_DECL) {
                kb_jss_export_name(s, n->a->a);
                kb_jss_func_decl(s, n->a, true);
            } else {
                kb_jss_export_name(s, n->a->a);
                kb_jss_declare(s, n->a->a, KB_JS_B_CLASS, KB_JSS_H_LEX);
                s->bindings[n->a->a->binding - 1].flags |= KB_JS_BF_EXPORTED;
                kb_jss_class(s, n->a);
            }
        }
        for (struct kb_jsn *q = n->b; q; q = q->next) {
            kb_jss_export_name(s, q->b);
            if (!n->c) {
                kb_jss_check(s, kc_vec_reserve(s->exported_locals, s->capexported_locals,
                                               (size_t)s->nexported_locals + 1, KB_JSS_MAX));
                s->exported_locals[s->nexported_locals++] = q->a;
            }
        }
        break;
    case KB_JSN_EXPORT_DEFAULT: {
        struct kb_jsn *d = n->a;
        struct kb_jsn dflt = { .start = n->start };
        kb_jss_export_name(s, &dflt);
        if (d->kind == KB_JSN_FUNC_DECL) {
            kb_jss_func_decl(s, d, true);
        } else if (d->kind == KB_JSN_CLASS_DECL) {
            if (d->a) {
                kb_jss_declare(s, d->a, KB_JS_B_CLASS, KB_JSS_H_LEX);
                s->bindings[d->a->binding - 1].flags |= KB_JS_BF_EXPORTED;
            }
            kb_jss_class(s, d);
        } else {
            kb_jss_expr(s, d);
        }
        break;
    }
    case KB_JSN_EXPORT_ALL:
        if (n->a)
            kb_jss_export_name(s, n->a);
        break;
    default: break;
    }
    s->depth--;
}

/* Resolves every recorded reference through the scope chain. */
static void
kb_jss_resolve(struct kb_jss *s)
{
    for (uint32_t i = 0; i < s->nrefs; i++) {
        struct kb_jss_ref *r = &s->refs[i];
        uint32_t sc = r->scope;
        struct kb_jss_ent *e = NULL;
        for (;;) {
            e = kb_jss_find(s, sc, r->id->str, false);
            if (e && e->binding)
                break;
            e = NULL;
            if (sc == 0)
                break;
            sc = s->scopes[sc].parent;
        }
        if (!e) {
            r->id->binding = 0; /* a tree analysed again may carry an old index */
            s->ast->nunresolved++;
            continue;
        }
        r->id->binding = e->binding;
        struct kb_js_binding *b = &s->bindings[e->binding - 1];
        b->nrefs++;
        if (r->write)
            b->flags |= KB_JS_BF_REASSIGNED;
    }
    for (uint32_t i = 0; i < s->nexported_locals; i++) {
        struct kb_jsn *id = s->exported_locals[i];
        struct kb_jss_ent *e = kb_jss_find(s, 0, id->str, false);
        if (!e || !e->binding)
            kb_jss_fail(s, id->start, "export '%s' is not defined", id->str);
        id->binding = e->binding;
        s->bindings[e->binding - 1].flags |= KB_JS_BF_EXPORTED;
        s->bindings[e->binding - 1].nrefs++;
    }
}

int
kb_jsast_scope(struct kb_jsast *ast, const char *src, struct kc_diag *diag)
{
    struct kb_jss *s = calloc(1, sizeof *s);
    if (!s)
        return KC_ENOMEM;
    s->src = src;
    s->ast = ast;
    s->diag = diag;
    s->module = ast->module;
    s->strict = (ast->program->flags & KB_JSN_F_STRICT) != 0;
    int rc = 0;
    if (setjmp(s->fail)) {
        rc = s->err ? s->err : KC_EPARSE;
        goto done;
    }
    ast->nunresolved = 0;
    kb_jss_push_scope(s, KB_JS_S_TOP, ast->program);
    s->scopes[0].parent = 0;
    for (struct kb_jsn *q = ast->program->a; q; q = q->next)
        kb_jss_stmt(s, q);
    kb_jss_resolve(s);
    /* Hand the tables over to the tree's arena. */
    ast->scopes = kb_jsast_alloc(ast->arena, (s->nscopes + 1) * sizeof *s->scopes);
    ast->bindings = kb_jsast_alloc(ast->arena, (s->nbindings + 1) * sizeof *s->bindings);
    if (!ast->scopes || !ast->bindings) {
        rc = kb_jsast_arena_err(ast->arena);
        ast->scopes = NULL;
        ast->bindings = NULL;
        goto done;
    }
    memcpy(ast->scopes, s->scopes, s->nscopes * sizeof *s->scopes);
    if (s->nbindings)
        memcpy(ast->bindings, s->bindings, s->nbindings * sizeof *s->bindings);
    ast->nscopes = s->nscopes;
    ast->nbindings = s->nbindings;
done:
    free(s->scopes);
    free(s->bindings);
    free(s->tab);
    free(s->refs);
    free(s->exports);
    free(s->exported_locals);
    free(s);
    return rc;
}
