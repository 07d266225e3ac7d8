/*
 * The lowering driver: parses a chunk, scans it for the features above the
 * target (and those no lowering exists for), runs the passes that are
 * needed in the order of the table below, adds the runtime helpers the
 * passes named, and prints the tree with its position map. A chunk that
 * needs nothing is left alone (r->changed false).
 */
#include "builder/js/print.h"
#include "builder/lower/internal.h"
#include "builder/lower/jsfiles.h"
#include "builder/lower/polyfill.h"
#include "common/ascii.h"
#include "common/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- Targets ---- */

static const struct {
    const char *name;
    int target;
} kl_targets[] = {
    { "es5", KB_ES5 },  { "es2015", 2015 },      { "es2016", 2016 },
    { "es2017", 2017 }, { "es2018", 2018 },      { "es2019", 2019 },
    { "es2020", 2020 }, { "es2021", 2021 },      { "es2022", 2022 },
    { "es2023", 2023 }, { "esnext", KB_ESNEXT }, { "baseline", KB_TARGET_BASELINE },
};

bool
kb_lower_target_parse(const char *s, int *target)
{
    for (size_t i = 0; i < sizeof kl_targets / sizeof *kl_targets; i++) {
        if (!strcasecmp(s, kl_targets[i].name)) {
            *target = kl_targets[i].target;
            return true;
        }
    }
    return false;
}

const char *
kb_lower_target_name(int target)
{
    for (size_t i = 0; i < sizeof kl_targets / sizeof *kl_targets; i++)
        if (kl_targets[i].target == target)
            return kl_targets[i].name;
    return "?";
}

int
kb_lower_target_year(int target)
{
    return target == KB_TARGET_BASELINE ? 2022 : target;
}

static const int kl_feature_year[] = {
#define KL_F_YEAR(n, y, s) y,
    KL_FEATURES(KL_F_YEAR)
#undef KL_F_YEAR
};

static const char *const kl_feature_name[] = {
#define KL_F_NAME(n, y, s) s,
    KL_FEATURES(KL_F_NAME)
#undef KL_F_NAME
};

/* Whether the target runs feature f as written. */
static bool
kl_native(int f, int target)
{
    if (f == KL_F_STATIC_BLOCK && target == KB_TARGET_BASELINE)
        return false;
    return kb_lower_target_year(target) >= kl_feature_year[f];
}

/* ---- Failure, memory, names ---- */

_Noreturn void
kl_fail(struct kl_ctx *c, const struct kb_jsn *at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t off = at && at->start <= c->len ? at->start : 0;
    kc_diag_vset(c->diag, c->src, off, fmt, ap);
    va_end(ap);
    if (!c->err)
        c->err = KC_EPARSE;
    longjmp(*c->fail, 1);
}

void *
kl_alloc(struct kl_ctx *c, size_t n)
{
    void *p = kb_jsast_alloc(c->ast->arena, n);
    if (!p) {
        c->err = kb_jsast_arena_err(c->ast->arena);
        longjmp(*c->fail, 1);
    }
    return p;
}

const char *
kl_strdup(struct kl_ctx *c, const char *s, size_t n)
{
    char *p = kl_alloc(c, n + 1);
    memcpy(p, s, n);
    return p;
}

static uint32_t
kl_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

bool
kl_name_used(struct kl_ctx *c, const char *name)
{
    if (!c->capnames)
        return false;
    for (uint32_t i = kl_hash(name) & (c->capnames - 1);; i = (i + 1) & (c->capnames - 1)) {
        if (!c->names[i])
            return false;
        if (!strcmp(c->names[i], name))
            return true;
    }
}

void
kl_name_take(struct kl_ctx *c, const char *name)
{
    if (kl_name_used(c, name))
        return;
    if ((c->nnames + 1) * 2 > c->capnames) {
        uint32_t cap = c->capnames ? c->capnames * 2 : 256;
        const char **t = kl_alloc(c, cap * sizeof *t);
        for (uint32_t j = 0; j < c->capnames; j++) {
            const char *s = c->names[j];
            if (!s)
                continue;
            uint32_t i = kl_hash(s) & (cap - 1);
            while (t[i])
                i = (i + 1) & (cap - 1);
            t[i] = s;
        }
        c->names = t;
        c->capnames = cap;
    }
    uint32_t i = kl_hash(name) & (c->capnames - 1);
    while (c->names[i])
        i = (i + 1) & (c->capnames - 1);
    c->names[i] = name;
    c->nnames++;
}

struct kl_hint {
    const char *hint; /* NULL: a free slot */
    unsigned next;
};

/* The counter kl_temp keeps for hint (created at 2). */
static unsigned *
kl_hint_next(struct kl_ctx *c, const char *hint)
{
    if ((c->nhints + 1) * 2 > c->caphints) {
        uint32_t cap = c->caphints ? c->caphints * 2 : 64;
        struct kl_hint *t = kl_alloc(c, cap * sizeof *t);
        for (uint32_t j = 0; j < c->caphints; j++) {
            if (!c->hints[j].hint)
                continue;
            uint32_t i = kl_hash(c->hints[j].hint) & (cap - 1);
            while (t[i].hint)
                i = (i + 1) & (cap - 1);
            t[i] = c->hints[j];
        }
        c->hints = t;
        c->caphints = cap;
    }
    uint32_t i = kl_hash(hint) & (c->caphints - 1);
    while (c->hints[i].hint && strcmp(c->hints[i].hint, hint) != 0)
        i = (i + 1) & (c->caphints - 1);
    if (!c->hints[i].hint) {
        c->hints[i] = (struct kl_hint){ kl_strdup(c, hint, strlen(hint)), 2 };
        c->nhints++;
    }
    return &c->hints[i].next;
}

struct kb_jsn *
kl_temp(struct kl_ctx *c, const char *hint, uint32_t pos)
{
    char buf[64];
    snprintf(buf, sizeof buf, "_%s", hint);
    unsigned *next = kl_hint_next(c, hint);
    while (kl_name_used(c, buf))
        snprintf(buf, sizeof buf, "_%s%u", hint, (*next)++);
    const char *name = kl_strdup(c, buf, strlen(buf));
    kl_name_take(c, name);
    c->ntemps++;
    return kl_ident(c, name, pos);
}

/* ---- Constructors ---- */

struct kb_jsn *
kl_node(struct kl_ctx *c, int kind, uint32_t pos)
{
    struct kb_jsn *n = kl_alloc(c, sizeof *n);
    n->kind = (uint8_t)kind;
    n->start = n->end = pos;
    return n;
}

struct kb_jsn *
kl_ident(struct kl_ctx *c, const char *name, uint32_t pos)
{
    struct kb_jsn *n = kl_node(c, KB_JSN_IDENT, pos);
    n->str = name;
    n->len = (uint32_t)strlen(name);
    return n;
}

struct kb_jsn *
kl_str(struct kl_ctx *c, const char *s, uint32_t pos)
{
    struct kb_jsn *n = kl_node(c, KB_JSN_STR, pos);
    n->str = kl_strdup(c, s, strlen(s));
    n->len = (uint32_t)strlen(s);
    return n;
}

struct kb_jsn *
kl_num(struct kl_ctx *c, double v, uint32_t pos)
{
    if (v < 0 || (v == 0 && 1 / v < 0))
        return kl_unary(c, KB_JS_OP_MINUS, kl_num(c, -v, pos));
    struct kb_jsn *n = kl_node(c, KB_JSN_NUM, pos);
    n->num = v;
    return n;
}

struct kb_jsn *
kl_undefined(struct kl_ctx *c, uint32_t pos)
{
    return kl_unary(c, KB_JS_OP_VOID, kl_num(c, 0, pos));
}

struct kb_jsn *
kl_member(struct kl_ctx *c, struct kb_jsn *obj, const char *name)
{
    struct kb_jsn *n = kl_node(c, KB_JSN_MEMBER, obj->start);
    n->a = obj;
    n->b = kl_ident(c, name, obj->start);
    return n;
}

struct kb_jsn *
kl_index(struct kl_ctx *c, struct kb_jsn *obj, struct kb_jsn *key)
{
    struct kb_jsn *n = kl_node(c, KB_JSN_MEMBER, obj->start);
    n->a = obj;
    n->b = key;
    n->flags = KB_JSN_F_COMPUTED;
    return n;
}

struct kb_jsn *
kl_call(struct kl_ctx *c, struct kb_jsn *callee, struct kb_jsn *args)
{
    struct kb_jsn *n = kl_node(c, KB_JSN_CALL, callee->start);
    n->a = callee;
    n->b = args;
    return n;
}

struct kb_jsn *
kl_callv(struct kl_ctx *c, struct kb_jsn *callee, ...)
{
    va_list ap;
    va_start(ap, callee);
    struct kb_jsn *args = NULL, **tail = &args;
    for (struct kb_jsn *a; (a = va_arg(ap, struct kb_jsn *));) {
        *tail = a;
        tail = &a->next;
    }
    va_end(ap);
    return kl_call(c, callee, args);
}

struct kb_jsn *
kl_assign(struct kl_ctx *c, struct kb_jsn *target, struct kb_jsn *value)
{
    struct kb_jsn *n = kl_node(c, KB_JSN_ASSIGN, target->start);
    n->op = KB_JS_OP_ASSIGN;
    n->a = target;
    n->b = value;
    return n;
}

struct kb_jsn *
kl_binary(struct kl_ctx *c, int op, struct kb_jsn *l, struct kb_jsn *r)
{
    struct kb_jsn *n = kl_node(c, KB_JSN_BINARY, l->start);
    n->op = (uint8_t)op;
    n->a = l;
    n->b = r;
    return n;
}

struct kb_jsn *
kl_logical(struct kl_ctx *c, int op, struct kb_jsn *l, struct kb_jsn *r)
{
    struct kb_jsn *n = kl_binary(c, op, l, r);
    n->kind = KB_JSN_LOGICAL;
    return n;
}

struct kb_jsn *
kl_cond(struct kl_ctx *c, struct kb_jsn *test, struct kb_jsn *yes, struct kb_jsn *no)
{
    struct kb_jsn *n = kl_node(c, KB_JSN_COND, test->start);
    n->a = test;
    n->b = yes;
    n->c = no;
    return n;
}

struct kb_jsn *
kl_unary(struct kl_ctx *c, int op, struct kb_jsn *arg)
{
    struct kb_jsn *n = kl_node(c, KB_JSN_UNARY, arg->start);
    n->op = (uint8_t)op;
    n->a = arg;
    return n;
}

struct kb_jsn *
kl_seq(struct kl_ctx *c, struct kb_jsn *items)
{
    if (!items || !items->next)
        return items;
    struct kb_jsn *n = kl_node(c, KB_JSN_SEQUENCE, items->start);
    n->a = items;
    return n;
}

struct kb_jsn *
kl_expr_stmt(struct kl_ctx *c, struct kb_jsn *e)
{
    struct kb_jsn *n = kl_node(c, KB_JSN_EXPR_STMT, e->start);
    n->a = e;
    return n;
}

struct kb_jsn *
kl_return(struct kl_ctx *c, struct kb_jsn *e)
{
    struct kb_jsn *n = kl_node(c, KB_JSN_RETURN, e ? e->start : 0);
    n->a = e;
    return n;
}

struct kb_jsn *
kl_block(struct kl_ctx *c, struct kb_jsn *stmts, uint32_t pos)
{
    struct kb_jsn *n = kl_node(c, KB_JSN_BLOCK, pos);
    n->a = stmts;
    return n;
}

struct kb_jsn *
kl_var(struct kl_ctx *c, int kind, struct kb_jsn *id, struct kb_jsn *init)
{
    struct kb_jsn *d = kl_node(c, KB_JSN_DECLARATOR, id->start);
    d->a = id;
    d->b = init;
    struct kb_jsn *n = kl_node(c, KB_JSN_VAR_DECL, id->start);
    n->op = (uint8_t)kind;
    n->a = d;
    return n;
}

struct kb_jsn *
kl_function(struct kl_ctx *c, struct kb_jsn *id, struct kb_jsn *params, struct kb_jsn *body_stmts,
            uint32_t pos)
{
    struct kb_jsn *n = kl_node(c, KB_JSN_FUNC_EXPR, pos);
    n->a = id;
    n->b = params;
    n->c = kl_block(c, body_stmts, pos);
    n->flags = KB_JSN_F_SIMPLE;
    return n;
}

struct kb_jsn *
kl_clone(struct kl_ctx *c, const struct kb_jsn *n)
{
    if (!n)
        return NULL;
    struct kb_jsn *m = kl_alloc(c, sizeof *m);
    *m = *n;
    m->next = NULL;
    m->end = m->start; /* a copy is synthesized: never copied from the source twice */
    m->a = kl_clone(c, n->a);
    m->b = kl_clone(c, n->b);
    if (n->kind == KB_JSN_STR && n->end > n->start)
        m->end = m->start; /* printed from its value */
    return m;
}

static bool
kl_declares_lexical(const struct kb_jsn *body)
{
    if (body->kind != KB_JSN_BLOCK)
        return true;
    for (const struct kb_jsn *s = body->a; s; s = s->next)
        if ((s->kind == KB_JSN_VAR_DECL && s->op != KB_JS_VAR) || s->kind == KB_JSN_CLASS_DECL ||
            s->kind == KB_JSN_FUNC_DECL)
            return true;
    return false;
}

struct kb_jsn *
kl_prepend_body(struct kl_ctx *c, struct kb_jsn *stmt, struct kb_jsn *body)
{
    if (!kl_declares_lexical(body)) {
        stmt->next = body->a;
        body->a = stmt;
        return body;
    }
    stmt->next = body;
    return kl_block(c, stmt, body->start);
}

struct kb_jsn *
kl_last(struct kb_jsn *list)
{
    while (list && list->next)
        list = list->next;
    return list;
}

struct kb_jsn *
kl_concat(struct kb_jsn *a, struct kb_jsn *b)
{
    if (!a)
        return b;
    kl_last(a)->next = b;
    return a;
}

/* ---- Helpers ---- */

struct kb_jsn *
kl_helper(struct kl_ctx *c, const char *name, uint32_t pos)
{
    int i = kl_jsfile_find(kl_runtime, kl_runtime_count, name);
    if (i < 0)
        kl_fail(c, NULL, "internal error: no runtime helper '%s'", name);
    c->helper_used[i] = 1;
    return kl_ident(c, c->helper_name[i], pos);
}

void
kl_rescope(struct kl_ctx *c)
{
    struct kc_diag d;
    int rc = kb_jsast_scope(c->ast, c->src, &d);
    if (rc == KC_EPARSE)
        kl_fail(c, NULL, "internal error: the lowered tree fails scope analysis: %s", d.msg);
    if (rc) {
        c->err = rc;
        longjmp(*c->fail, 1);
    }
}

/* ---- Names in the tree ---- */

bool
kl_es5_reserved(const char *s)
{
    static const char *const words[] = {
        "arguments", "await",      "break",   "case",    "catch",      "class",     "const",
        "continue",  "debugger",   "default", "delete",  "do",         "else",      "enum",
        "eval",      "export",     "extends", "false",   "finally",    "for",       "function",
        "if",        "implements", "import",  "in",      "instanceof", "interface", "let",
        "new",       "null",       "package", "private", "protected",  "public",    "return",
        "static",    "super",      "switch",  "this",    "throw",      "true",      "try",
        "typeof",    "var",        "void",    "while",   "with",       "yield",
    };
    for (size_t i = 0; i < sizeof words / sizeof *words; i++)
        if (!strcmp(s, words[i]))
            return true;
    return false;
}

bool
kl_ident_is_ref(const struct kb_jsn *parent, const struct kb_jsn *n)
{
    if (!parent)
        return true;
    switch (parent->kind) {
    case KB_JSN_MEMBER: return parent->a == n || (parent->flags & KB_JSN_F_COMPUTED);
    case KB_JSN_PROPERTY:
    case KB_JSN_METHOD:
    case KB_JSN_FIELD: return parent->b == n || (parent->flags & KB_JSN_F_COMPUTED);
    case KB_JSN_META_PROP:
    case KB_JSN_LABELED:
    case KB_JSN_BREAK:
    case KB_JSN_CONTINUE: return parent->kind == KB_JSN_LABELED && parent->b == n;
    default: return true;
    }
}

/* ---- The walk ---- */

static bool
kl_is_fn(const struct kb_jsn *n)
{
    return n->kind == KB_JSN_FUNC_DECL || n->kind == KB_JSN_FUNC_EXPR || n->kind == KB_JSN_ARROW;
}

struct kb_jsn *
kl_parent(struct kl_walk *w)
{
    return w->depth ? w->stack[w->depth - 1].node : NULL;
}

struct kb_jsn *
kl_scope_fn(struct kl_walk *w, bool arrows)
{
    for (uint32_t i = w->depth; i-- > 0;) {
        struct kb_jsn *n = w->stack[i].node;
        if (n->kind == KB_JSN_PROGRAM || n->kind == KB_JSN_FUNC_DECL ||
            n->kind == KB_JSN_FUNC_EXPR || (arrows && n->kind == KB_JSN_ARROW))
            return n;
    }
    return NULL;
}

static bool
kl_in_list(const struct kb_jsn *list, const struct kb_jsn *n)
{
    for (; list; list = list->next)
        if (list == n)
            return true;
    return false;
}

void
kl_declare_in(struct kl_walk *w, uint32_t frame, struct kb_jsn *id)
{
    for (uint32_t i = frame + 1; i-- > 0;) {
        struct kb_jsn *n = w->stack[i].node;
        if (kl_is_fn(n) && i + 1 < w->depth && kl_in_list(n->b, w->stack[i + 1].node))
            continue; /* a parameter's default: the body's vars are not in its scope */
        if (n->kind == KB_JSN_PROGRAM || kl_is_fn(n)) {
            struct kb_jsn *d = kl_node(w->c, KB_JSN_DECLARATOR, id->start);
            d->a = id;
            struct kl_frame *f = &w->stack[i];
            if (f->temps)
                f->temps_last->next = d;
            else
                f->temps = d;
            f->temps_last = d;
            return;
        }
    }
}

void
kl_declare(struct kl_walk *w, struct kb_jsn *id)
{
    if (w->depth)
        kl_declare_in(w, w->depth - 1, id);
}

struct kb_jsn *
kl_reuse(struct kl_walk *w, struct kb_jsn *e, const char *hint, struct kb_jsn **again)
{
    struct kl_ctx *c = w->c;
    switch (e->kind) {
    case KB_JSN_IDENT:
        if (strcmp(e->str, "arguments") != 0) {
            *again = kl_clone(c, e);
            return e;
        }
        break;
    case KB_JSN_THIS:
    case KB_JSN_NUM:
    case KB_JSN_STR:
    case KB_JSN_NULL_LIT:
    case KB_JSN_TRUE_LIT:
    case KB_JSN_FALSE_LIT: *again = kl_clone(c, e); return e;
    default: break;
    }
    struct kb_jsn *t = kl_temp(c, hint, e->start);
    kl_declare(w, t);
    *again = kl_clone(c, t);
    return kl_assign(c, t, e);
}

/* Puts `var temps;` at the top of fn's body (after its directives); an
 * arrow with an expression body gets a block. */
static void
kl_put_temps(struct kl_ctx *c, struct kb_jsn *fn, struct kb_jsn *temps)
{
    struct kb_jsn *decl = kl_node(c, KB_JSN_VAR_DECL, fn->start);
    decl->op = KB_JS_VAR;
    decl->a = temps;
    struct kb_jsn **body;
    if (fn->kind == KB_JSN_PROGRAM) {
        body = &fn->a;
    } else {
        if (fn->kind == KB_JSN_ARROW && (fn->flags & KB_JSN_F_EXPR_BODY)) {
            fn->c = kl_block(c, kl_return(c, fn->c), fn->c->start);
            fn->flags &= (uint16_t)~KB_JSN_F_EXPR_BODY;
        }
        body = &fn->c->a;
    }
    while (*body && (*body)->kind == KB_JSN_EXPR_STMT && ((*body)->flags & KB_JSN_F_DIRECTIVE))
        body = &(*body)->next;
    decl->next = *body;
    *body = decl;
}

static void kl_walk_list(struct kl_walk *w, struct kb_jsn **slot);

/* Walks n (detached from any list) and returns what takes its place. */
static struct kb_jsn *
kl_walk_node(struct kl_walk *w, struct kb_jsn *n)
{
    if (w->enter) {
        bool skip = false;
        n = w->enter(w, n, &skip);
        if (!n || skip)
            return n;
    }
    if (w->depth == w->cap) {
        /* In the arena, so that a kl_fail in the middle of a walk leaks
         * nothing; doubling keeps the copies' total linear. */
        uint32_t cap = w->cap ? w->cap * 2 : 64;
        struct kl_frame *s = kl_alloc(w->c, cap * sizeof *s);
        if (w->depth)
            memcpy(s, w->stack, w->depth * sizeof *s);
        w->stack = s;
        w->cap = cap;
    }
    w->stack[w->depth++] = (struct kl_frame){ n, NULL, NULL };
    kl_walk_list(w, &n->a);
    kl_walk_list(w, &n->b);
    kl_walk_list(w, &n->c);
    kl_walk_list(w, &n->d);
    struct kl_frame *f = &w->stack[--w->depth];
    if (f->temps)
        kl_put_temps(w->c, n, f->temps);
    return w->leave ? w->leave(w, n) : n;
}

static void
kl_walk_list(struct kl_walk *w, struct kb_jsn **slot)
{
    while (*slot) {
        struct kb_jsn *n = *slot, *next = n->next;
        n->next = NULL;
        struct kb_jsn *r = kl_walk_node(w, n);
        if (!r) {
            *slot = next;
            continue;
        }
        *slot = r;
        struct kb_jsn *last = kl_last(r);
        last->next = next;
        slot = &last->next;
    }
}

void
kl_walk_slot(struct kl_walk *w, struct kb_jsn **slot)
{
    kl_walk_list(w, slot);
}

void
kl_walk(struct kl_walk *w)
{
    struct kb_jsn *p = w->c->ast->program;
    w->depth = 0;
    struct kb_jsn *r = kl_walk_node(w, p);
    w->c->ast->program = r ? r : p;
    w->stack = NULL;
    w->cap = 0;
}

/* ---- The scan ---- */

struct kl_scan {
    struct kl_ctx *c;
    uint64_t found;
    const struct kb_jsn *first[KL_F_COUNT_]; /* where each feature was first found */
    bool lexical; /* the printer changes literals (separators, ES5 escapes) */
};

static bool
kl_span_has(const struct kl_ctx *c, const struct kb_jsn *n, const char *needle)
{
    if (n->end <= n->start || n->end > c->len)
        return false;
    return memmem(c->src + n->start, n->end - n->start, needle, strlen(needle)) != NULL;
}

/* A \u{...} escape in a string literal's source: a backslash that is not
 * itself escaped, then u{ (in "\\u{41}" the backslash is escaped, and the
 * literal holds no such escape). */
static bool
kl_span_has_brace_escape(const struct kl_ctx *c, const struct kb_jsn *n)
{
    if (n->end <= n->start || n->end > c->len)
        return false;
    for (uint32_t i = n->start; i + 2 < n->end; i++)
        if (c->src[i] == '\\') {
            if (c->src[i + 1] == 'u' && c->src[i + 2] == '{')
                return true;
            i++; /* the escaped character */
        }
    return false;
}

/* A regular expression the target cannot read: a build error. */
static void
kl_scan_regex(struct kl_scan *s, const struct kb_jsn *n)
{
    struct kl_ctx *c = s->c;
    int year = kb_lower_target_year(c->target);
    static const struct {
        char flag;
        int year;
    } flags[] = { { 'u', 2015 }, { 'y', 2015 }, { 's', 2018 }, { 'd', 2022 }, { 'v', 2024 } };
    for (const char *f = n->str2; f && *f; f++)
        for (size_t i = 0; i < sizeof flags / sizeof *flags; i++)
            if (*f == flags[i].flag && year < flags[i].year)
                kl_fail(c, n, "the regular expression flag '%c' cannot be lowered to %s", *f,
                        kb_lower_target_name(c->target));
    if (year < 2018) {
        const char *p = n->str;
        for (size_t i = 0; p[i]; i++) {
            if (p[i] == '\\') {
                if (p[i + 1] == 'p' || p[i + 1] == 'P')
                    kl_fail(c, n, "a Unicode property escape cannot be lowered to %s",
                            kb_lower_target_name(c->target));
                if (p[i + 1])
                    i++;
                continue;
            }
            if (p[i] == '(' && p[i + 1] == '?' && p[i + 2] == '<')
                kl_fail(c, n, "regular expression %s cannot be lowered to %s",
                        p[i + 3] == '=' || p[i + 3] == '!' ? "lookbehind" : "named groups",
                        kb_lower_target_name(c->target));
        }
    }
}

static bool
kl_has_nonsimple_param(const struct kb_jsn *params)
{
    for (const struct kb_jsn *p = params; p; p = p->next)
        if (p->kind == KB_JSN_ASSIGN_PAT || p->kind == KB_JSN_REST)
            return true;
    return false;
}

static void
kl_scan_node(struct kl_scan *s, const struct kb_jsn *n, unsigned fns)
{
#define F(x)                                                                                       \
    do {                                                                                           \
        if (!s->first[KL_F_##x])                                                                   \
            s->first[KL_F_##x] = n;                                                                \
        s->found |= KL_BIT(KL_F_##x);                                                              \
    } while (0)
    struct kl_ctx *c = s->c;
    int year = kb_lower_target_year(c->target);
    switch (n->kind) {
    case KB_JSN_VAR_DECL:
        if (n->op != KB_JS_VAR)
            F(LET_CONST);
        break;
    case KB_JSN_FUNC_DECL:
    case KB_JSN_FUNC_EXPR:
    case KB_JSN_ARROW:
        if (n->kind == KB_JSN_ARROW)
            F(ARROW);
        if ((n->flags & KB_JSN_F_ASYNC) && (n->flags & KB_JSN_F_GENERATOR))
            F(ASYNC_ITER);
        else if (n->flags & KB_JSN_F_ASYNC)
            F(ASYNC);
        else if (n->flags & KB_JSN_F_GENERATOR)
            F(GENERATOR);
        if (kl_has_nonsimple_param(n->b))
            F(PARAMS);
        fns++;
        break;
    case KB_JSN_CLASS_DECL:
    case KB_JSN_CLASS_EXPR: F(CLASS); break;
    case KB_JSN_FIELD: F(CLASS_FIELDS); break;
    case KB_JSN_STATIC_BLOCK: F(STATIC_BLOCK); break;
    case KB_JSN_PRIVATE_NAME: F(PRIVATE); break;
    case KB_JSN_TEMPLATE: F(TEMPLATE); break;
    case KB_JSN_TEMPLATE_ELEM:
        if (!n->str)
            F(TEMPLATE_ESCAPE);
        break;
    case KB_JSN_OBJECT_PAT:
        F(DESTRUCTURE);
        for (const struct kb_jsn *p = n->a; p; p = p->next)
            if (p->kind == KB_JSN_REST)
                F(OBJECT_REST);
        break;
    case KB_JSN_ARRAY_PAT: F(DESTRUCTURE); break;
    case KB_JSN_OBJECT:
        for (const struct kb_jsn *p = n->a; p; p = p->next) {
            if (p->kind == KB_JSN_SPREAD)
                F(OBJECT_REST);
            else if (p->flags & (KB_JSN_F_SHORTHAND | KB_JSN_F_COMPUTED | KB_JSN_F_METHOD))
                F(OBJECT_LIT);
        }
        break;
    case KB_JSN_SPREAD:
        F(SPREAD); /* in an object literal it is OBJECT_REST's; lowering both is harmless */
        break;
    case KB_JSN_SUPER: F(OBJECT_LIT); break;
    case KB_JSN_FOR_OF:
        if (n->flags & KB_JSN_F_AWAIT)
            F(ASYNC_ITER);
        else
            F(FOR_OF);
        if ((n->flags & KB_JSN_F_AWAIT) && !fns)
            F(TOP_AWAIT);
        break;
    case KB_JSN_YIELD: F(GENERATOR); break;
    case KB_JSN_AWAIT:
        F(ASYNC);
        if (!fns)
            F(TOP_AWAIT);
        break;
    case KB_JSN_META_PROP:
        if (n->a && n->a->str && !strcmp(n->a->str, "new"))
            F(NEW_TARGET);
        break;
    case KB_JSN_BINARY:
        if (n->op == KB_JS_OP_STARSTAR)
            F(EXPONENT);
        break;
    case KB_JSN_LOGICAL:
        if (n->op == KB_JS_OP_NULLISH)
            F(NULLISH);
        break;
    case KB_JSN_ASSIGN:
        if (n->op == KB_JS_OP_POW_ASSIGN)
            F(EXPONENT);
        else if (n->op == KB_JS_OP_LAND_ASSIGN || n->op == KB_JS_OP_LOR_ASSIGN ||
                 n->op == KB_JS_OP_NULLISH_ASSIGN)
            F(LOGICAL_ASSIGN);
        if (n->a && (n->a->kind == KB_JSN_OBJECT_PAT || n->a->kind == KB_JSN_ARRAY_PAT))
            F(DESTRUCTURE);
        break;
    case KB_JSN_EXPORT_ALL:
        if (n->a)
            F(EXPORT_NS);
        break;
    case KB_JSN_CATCH:
        if (!n->a)
            F(OPT_CATCH);
        break;
    case KB_JSN_CHAIN: F(OPT_CHAIN); break;
    case KB_JSN_BIGINT:
        if (year < 2020)
            kl_fail(c, n, "BigInt literals cannot be lowered to %s",
                    kb_lower_target_name(c->target));
        break;
    case KB_JSN_REGEX: kl_scan_regex(s, n); break;
    case KB_JSN_NUM:
        if (year < 2021 && kl_span_has(c, n, "_"))
            s->lexical = true;
        if (year < 2015 && n->end > n->start + 1 && c->src[n->start] == '0' &&
            kc_in_set(c->src[n->start + 1], "bBoO"))
            s->lexical = true;
        break;
    case KB_JSN_STR:
        if (year < 2019 && (kl_span_has(c, n, "\xe2\x80\xa8") || kl_span_has(c, n, "\xe2\x80\xa9")))
            s->lexical = true;
        if (year < 2015 && kl_span_has_brace_escape(c, n))
            s->lexical = true;
        break;
    default: break;
    }
#undef F
    const struct kb_jsn *slots[4] = { n->a, n->b, n->c, n->d };
    for (int i = 0; i < 4; i++)
        for (const struct kb_jsn *q = slots[i]; q; q = q->next)
            kl_scan_node(s, q, fns);
}

/* Every name the tree mentions, so temporaries avoid them. */
static void
kl_collect_names(struct kl_ctx *c, const struct kb_jsn *n)
{
    if ((n->kind == KB_JSN_IDENT || n->kind == KB_JSN_PRIVATE_NAME) && n->str)
        kl_name_take(c, n->str);
    const struct kb_jsn *slots[4] = { n->a, n->b, n->c, n->d };
    for (int i = 0; i < 4; i++)
        for (const struct kb_jsn *q = slots[i]; q; q = q->next)
            kl_collect_names(c, q);
}

/* ---- The passes, in the order they run ---- */

struct kl_pass {
    uint64_t features; /* the pass runs when one of them is lowered */
    kl_pass_fn *run;
};

/*
 * The order matters: a pass may leave work for a later one (class fields
 * leave an ES2015 class, which the ES5 class pass lowers), and may rely on
 * an earlier one (generators see only `var`, after block scoping). A pass
 * that introduces a feature the target lacks (async functions become
 * generators) adds the feature's bit to c->lower, so the later pass runs.
 * The ES2015 passes run only for ES5. Planned order, each inserted here as
 * it lands:
 *   ES2022 class fields, private members, static blocks   es2022_class.c
 *   ES2021 logical assignment                             es2021_logical.c
 *   ES2020 optional chaining, nullish coalescing           es2020_chain.c
 *   ES2019 optional catch binding                         es2019_catch.c
 *   ES2018 object rest and spread                         es2018_object.c
 *   ES2018 async generators, for await                    es2018_async_iter.c
 *   ES2016 exponent                                       es2016_exponent.c
 *   ES2015 templates                                      es2015_template.c
 *          function names (anonymous functions, classes)  es2015_function_name.c
 *          new.target                                     es2015_new_target.c
 *          classes                                        es2015_class.c
 *          arrow functions                                es2015_arrow.c
 *          object literals (shorthand, computed, methods) es2015_object.c
 *          spread                                         es2015_spread.c
 *          default and rest parameters                    es2015_params.c
 *          for...of                                       es2015_for_of.c
 *          destructuring                                  es2015_destructure.c
 *   ES2017 async functions (to generators)                es2017_async.c
 *   ES2015 block scoping                                  es2015_block.c
 *          generators (to state machines)                 es2015_generator.c
 */
static const struct kl_pass kl_passes[] = {
    { KL_BIT(KL_F_CLASS_FIELDS) | KL_BIT(KL_F_PRIVATE) | KL_BIT(KL_F_STATIC_BLOCK),
      kl_pass_class_fields },
    { KL_BIT(KL_F_LOGICAL_ASSIGN), kl_pass_logical_assign },
    { KL_BIT(KL_F_OPT_CHAIN) | KL_BIT(KL_F_NULLISH), kl_pass_chain },
    { KL_BIT(KL_F_OPT_CATCH), kl_pass_opt_catch },
    { KL_BIT(KL_F_EXPORT_NS), kl_pass_export_ns },
    { KL_BIT(KL_F_OBJECT_REST), kl_pass_object_rest },
    { KL_BIT(KL_F_ASYNC_ITER), kl_pass_async_iter },
    { KL_BIT(KL_F_EXPONENT), kl_pass_exponent },
    { KL_BIT(KL_F_TEMPLATE) | KL_BIT(KL_F_TEMPLATE_ESCAPE), kl_pass_template },
    { KL_BIT(KL_F_EXPONENT) - 1 /* every ES2015 feature */, kl_pass_function_name },
    { KL_BIT(KL_F_NEW_TARGET), kl_pass_new_target },
    { KL_BIT(KL_F_CLASS), kl_pass_class },
    { KL_BIT(KL_F_ARROW), kl_pass_arrow },
    { KL_BIT(KL_F_OBJECT_LIT), kl_pass_object_lit },
    { KL_BIT(KL_F_SPREAD), kl_pass_spread },
    { KL_BIT(KL_F_PARAMS), kl_pass_params },
    { KL_BIT(KL_F_FOR_OF), kl_pass_for_of },
    { KL_BIT(KL_F_DESTRUCTURE), kl_pass_destructure },
    { KL_BIT(KL_F_ASYNC), kl_pass_async },
    { KL_BIT(KL_F_LET_CONST), kl_pass_block_scope },
    { KL_BIT(KL_F_GENERATOR), kl_pass_generator },
    { 0, NULL },
};

/* ---- Runtime helpers into the tree ---- */

/* Marks a helper's tree as having no source position and gives helpers
 * their names in this output. */
static void
kl_helper_nodes(struct kl_ctx *c, struct kb_jsn *n)
{
    n->start = n->end = UINT32_MAX;
    if (n->kind == KB_JSN_IDENT && n->str && n->str[0] == '_') {
        int i = kl_jsfile_find(kl_runtime, kl_runtime_count, n->str + 1);
        if (i >= 0) {
            n->str = c->helper_name[i];
            n->len = (uint32_t)strlen(n->str);
        }
    }
    struct kb_jsn *slots[4] = { n->a, n->b, n->c, n->d };
    for (int i = 0; i < 4; i++)
        for (struct kb_jsn *q = slots[i]; q; q = q->next)
            kl_helper_nodes(c, q);
}

/* Finds the function whose body's '{' is at offset at. */
static struct kb_jsn *
kl_find_body(struct kb_jsn *n, uint32_t at)
{
    if (kl_is_fn(n) && n->c && n->c->kind == KB_JSN_BLOCK && n->c->start == at)
        return n->c;
    if (n->start > at || (n->end && n->end <= at))
        return NULL;
    struct kb_jsn *slots[4] = { n->a, n->b, n->c, n->d };
    for (int i = 0; i < 4; i++)
        for (struct kb_jsn *q = slots[i]; q; q = q->next) {
            struct kb_jsn *f = kl_find_body(q, at);
            if (f)
                return f;
        }
    return NULL;
}

/* Parses the helpers the passes named (and those they call) and puts their
 * declarations at the top of the program or of the body at helpers_at. */
static void
kl_add_helpers(struct kl_ctx *c, uint32_t helpers_at, struct kb_jsast *trees)
{
    /* The closure over `needs`: a helper's needs come after it in no
     * particular order; repeat until nothing is added. */
    for (bool more = true; more;) {
        more = false;
        for (size_t i = 0; i < kl_runtime_count; i++) {
            if (!c->helper_used[i])
                continue;
            const char *p = kl_runtime[i].needs;
            while (*p) {
                size_t n = strcspn(p, " ");
                char name[64];
                snprintf(name, sizeof name, "%.*s", (int)n, p);
                int j = kl_jsfile_find(kl_runtime, kl_runtime_count, name);
                if (j >= 0 && !c->helper_used[j]) {
                    c->helper_used[j] = 1;
                    more = true;
                }
                p += n;
                p += strspn(p, " ");
            }
        }
    }
    struct kb_jsn *stmts = NULL;
    for (size_t i = 0; i < kl_runtime_count; i++) {
        if (!c->helper_used[i])
            continue;
        struct kc_diag d;
        int rc = kb_jsast_parse(kl_runtime[i].text, kl_runtime[i].len, false, &trees[i], &d);
        if (rc == KC_EPARSE)
            kl_fail(c, NULL, "internal error: runtime/%s.js:%u:%u: %s", kl_runtime[i].name, d.line,
                    d.col, d.msg);
        if (rc) {
            c->err = rc;
            longjmp(*c->fail, 1);
        }
        kl_helper_nodes(c, trees[i].program);
        stmts = kl_concat(stmts, trees[i].program->a);
    }
    if (!stmts)
        return;
    struct kb_jsn *block = helpers_at ? kl_find_body(c->ast->program, helpers_at) : NULL;
    struct kb_jsn **at = block ? &block->a : &c->ast->program->a;
    while (*at && (*at)->kind == KB_JSN_EXPR_STMT && ((*at)->flags & KB_JSN_F_DIRECTIVE))
        at = &(*at)->next;
    kl_last(stmts)->next = *at;
    *at = stmts;
}

/* ---- The driver ---- */

static int
kl_print(struct kl_ctx *c, const struct kb_lower_opts *o, struct kb_lower_result *r)
{
    struct kb_jsprint_opts po = {
        .src = c->src,
        .src_len = c->len,
        .target = kb_lower_target_year(o->target),
        .compact = o->compact,
    };
    struct kc_buf out;
    kc_buf_init(&out, (size_t)KB_JSAST_SRC_MAX);
    struct kb_jsprint_map map = { 0 };
    int rc = kb_jsprint(c->ast->program, &po, &out, &map);
    if (!rc && !out.data)
        rc = kc_buf_append(&out, "", 0);
    if (rc) {
        kc_buf_free(&out);
        kb_jsprint_map_free(&map);
        return rc;
    }
    r->text = out.data;
    r->len = out.len;
    r->segs = malloc((map.nsegs + 1) * sizeof *r->segs);
    r->copies = malloc((map.ncopies + 1) * sizeof *r->copies);
    if (!r->segs || !r->copies) {
        kb_jsprint_map_free(&map);
        return KC_ENOMEM;
    }
    for (size_t i = 0; i < map.nsegs; i++)
        if (map.segs[i].in != UINT32_MAX)
            r->segs[r->nsegs++] = (struct kb_lower_seg){ map.segs[i].out, map.segs[i].in };
    for (size_t i = 0; i < map.ncopies; i++) {
        r->copies[i].in_start = map.copies[i].in_start;
        r->copies[i].in_end = map.copies[i].in_end;
        r->copies[i].out = map.copies[i].out;
    }
    r->ncopies = map.ncopies;
    kb_jsprint_map_free(&map);
    return 0;
}

int
kb_lower_check(const struct kb_jsast *ast, const char *src, size_t len, int target,
               bool top_await_ok, struct kc_diag *diag)
{
    struct kl_ctx c = {
        .ast = (struct kb_jsast *)ast, .src = src, .len = len, .target = target, .diag = diag
    };
    jmp_buf fail;
    c.fail = &fail;
    if (setjmp(fail))
        return c.err ? c.err : KC_EPARSE;
    struct kl_scan s = { .c = &c };
    kl_scan_node(&s, ast->program, 0);
    /* A legacy twin runs top-level await in its async execute function. */
    if (target != KB_ES5 && !top_await_ok && (s.found & KL_BIT(KL_F_TOP_AWAIT)) &&
        !kl_native(KL_F_TOP_AWAIT, target))
        kl_fail(&c, s.first[KL_F_TOP_AWAIT], "top-level await cannot be lowered to %s",
                kb_lower_target_name(target));
    return 0;
}

/* The input offset that output offset off (a position of r->text) came
 * from: the last segment starting at or before it. */
static uint32_t
kl_input_offset(const struct kb_lower_result *r, size_t off)
{
    size_t lo = 0, hi = r->nsegs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->segs[mid].out <= off)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo ? r->segs[lo - 1].in : 0;
}

/*
 * The polyfill scan of ES5 output (parse and scope): fills r->polyfills, the
 * helpers' needs included, and so checks that the output parses. What
 * lowering adds (wrapper functions, parentheses, temporaries) can push an
 * input near the parser's nesting limit past it: such an input cannot be
 * lowered to ES5 (KC_EPARSE at the input position the deepest output came
 * from). Any other failure is kiln's bug ("internal error").
 */
static int
kl_scan_es5(const char *src, struct kb_lower_result *r, bool module, struct kc_diag *diag)
{
    struct kc_diag pd;
    int rc = kb_polyfill_detect_src(r->text, r->len, module, &r->polyfills, &pd);
    if (rc != KC_EPARSE)
        return rc;
    if (kb_jsast_too_deep(&pd)) {
        size_t off = 0;
        for (unsigned line = 1; line < pd.line && off < r->len; off++)
            line += r->text[off] == '\n';
        off += pd.col ? pd.col - 1 : 0;
        kc_diag_set(diag, src, kl_input_offset(r, off > r->len ? r->len : off),
                    KB_JSAST_TOO_DEEP " once lowered to es5 (more than %d levels)",
                    KB_JSAST_DEPTH_MAX);
    } else {
        kc_diag_set(diag, r->text, 0, "internal error: the lowered text does not parse: %u:%u: %s",
                    pd.line, pd.col, pd.msg);
    }
    return KC_EPARSE;
}

int
kb_lower(const char *src, size_t len, const struct kb_lower_opts *o, struct kb_lower_result *r,
         struct kc_diag *diag)
{
    memset(r, 0, sizeof *r);
    struct kb_jsast ast;
    int rc = kb_jsast_parse(src, len, o->module, &ast, diag);
    if (rc)
        return rc;
    rc = kb_jsast_scope(&ast, src, diag);
    if (rc) {
        kb_jsast_free(&ast);
        return rc;
    }
    struct kl_ctx c = { .ast = &ast, .src = src, .len = len, .target = o->target, .diag = diag };
    jmp_buf fail;
    c.fail = &fail;
    c.helper_used = calloc(kl_runtime_count + 1, 1);
    c.helper_name = calloc(kl_runtime_count + 1, sizeof *c.helper_name);
    struct kb_jsast *trees = calloc(kl_runtime_count + 1, sizeof *trees);
    if (!c.helper_used || !c.helper_name || !trees) {
        rc = KC_ENOMEM;
        goto done;
    }
    if (setjmp(fail)) {
        rc = c.err ? c.err : KC_EPARSE;
        kb_lower_result_free(r);
        goto done;
    }
    struct kl_scan s = { .c = &c };
    kl_scan_node(&s, ast.program, 0);
    uint64_t lower = 0;
    for (int f = 0; f < KL_F_COUNT_; f++)
        if ((s.found & KL_BIT(f)) && !kl_native(f, o->target))
            lower |= KL_BIT(f);
    if ((lower & KL_BIT(KL_F_TOP_AWAIT)) && !o->keep_top_await)
        kl_fail(&c, s.first[KL_F_TOP_AWAIT], "top-level await cannot be lowered to %s",
                kb_lower_target_name(o->target));
    lower &= ~KL_BIT(KL_F_TOP_AWAIT);
    r->lowered = lower;
    if (!lower && !s.lexical) {
        if (o->target == KB_ES5)
            r->polyfills = kb_polyfill_detect(&ast);
        goto done;
    }
    c.lower = lower;
    kl_collect_names(&c, ast.program);
    for (size_t i = 0; i < kl_runtime_count; i++) {
        char name[80];
        snprintf(name, sizeof name, "_%s", kl_runtime[i].name);
        for (unsigned k = 2; kl_name_used(&c, name); k++)
            snprintf(name, sizeof name, "_%s%u", kl_runtime[i].name, k);
        c.helper_name[i] = kl_strdup(&c, name, strlen(name));
    }
    uint64_t covered = 0;
    for (const struct kl_pass *p = kl_passes; p->run; p++) {
        covered |= p->features;
        if (c.lower & p->features)
            p->run(&c);
    }
    for (int f = 0; f < KL_F_COUNT_; f++) {
        if (c.lower & ~covered & KL_BIT(f)) {
            c.err = KC_EUNSUP;
            kl_fail(&c, s.first[f], "%s cannot be lowered to %s yet", kl_feature_name[f],
                    kb_lower_target_name(o->target));
        }
    }
    kl_add_helpers(&c, o->helpers_at, trees);
    for (size_t i = 0; i < kl_runtime_count; i++)
        if (c.helper_used[i])
            r->helpers |= UINT64_C(1) << (i & 63);
    rc = kl_print(&c, o, r);
    if (rc)
        kb_lower_result_free(r);
    else
        r->changed = true;
done:
    for (size_t i = 0; trees && i < kl_runtime_count; i++)
        kb_jsast_free(&trees[i]);
    free(trees);
    free(c.helper_used);
    free(c.helper_name);
    kb_jsast_free(&ast);
    /* After the input's tree is freed: the two trees are never in memory at
     * once. The modern targets' output is not parsed again (it would cost
     * 40 % more time; docs/internals/lowering.md, "Nesting"). */
    if (!rc && r->changed && o->target == KB_ES5 &&
        (rc = kl_scan_es5(src, r, o->module, diag)) != 0)
        kb_lower_result_free(r);
    return rc;
}

uint32_t
kb_lower_translate(const struct kb_lower_result *r, uint32_t in)
{
    size_t lo = 0, hi = r->ncopies;
    while (lo < hi) { /* copies are in output order, which is input order for literals */
        size_t mid = lo + (hi - lo) / 2;
        if (r->copies[mid].in_end <= in)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo < 2 ? 0 : lo - 2; i < r->ncopies && i < lo + 2; i++)
        if (r->copies[i].in_start <= in && in < r->copies[i].in_end)
            return r->copies[i].out + (in - r->copies[i].in_start);
    for (size_t i = 0; i < r->ncopies; i++) /* passes may reorder: fall back to a scan */
        if (r->copies[i].in_start <= in && in < r->copies[i].in_end)
            return r->copies[i].out + (in - r->copies[i].in_start);
    return UINT32_MAX;
}

void
kb_lower_result_free(struct kb_lower_result *r)
{
    free(r->text);
    free(r->segs);
    free(r->copies);
    memset(r, 0, sizeof *r);
}
