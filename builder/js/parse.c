/*
 * ECMAScript 2023 parser: recursive descent over the tokens of lex.c into the
 * arena tree of ast.h, with the early errors that need no scope table (those
 * are in scope.c). Expressions that may turn out to be patterns (arrow
 * parameters, destructuring assignment) are parsed as expressions and
 * converted, with the positions of cover-grammar errors kept aside until the
 * conversion decides (the approach of acorn). Errors longjmp out: the arena
 * holds everything, so nothing leaks. Recursion is bounded by
 * KB_JSAST_DEPTH_MAX.
 */
#include "builder/js/lex.h"
#include "common/error.h"
#include "common/vec.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Function-like frames: what await, yield, super, new.target and arguments
 * mean depends on the innermost ones. */
enum {
    KB_JSF_TOP = 1 << 0,
    KB_JSF_FUNCTION = 1 << 1,
    KB_JSF_ASYNC = 1 << 2,
    KB_JSF_GENERATOR = 1 << 3,
    KB_JSF_ARROW = 1 << 4,
    KB_JSF_SUPER = 1 << 5,        /* super.x allowed */
    KB_JSF_DIRECT_SUPER = 1 << 6, /* super() allowed */
    KB_JSF_STATIC_BLOCK = 1 << 7,
    KB_JSF_FIELD_INIT = 1 << 8,
};

#define KB_JSP_FRAMES_MAX 512

/* Cover-grammar errors held until we know whether an expression is a pattern.
 * Offsets + 1; 0 means none. */
struct kb_jsrde {
    uint32_t shorthand_assign, trailing_comma, paren_assign, paren_bind, double_proto;
};

struct kb_jslabel {
    const char *name;
    uint8_t kind; /* 0 plain, 1 loop, 2 switch */
};

#define KB_JSP_LABELS_MAX 256

/* A private name declared by a class or used inside one. */
struct kb_jspriv {
    const char *name;
    uint32_t pos;
    uint8_t kind; /* 1 field/method, 2 getter, 3 setter, 0 use */
    bool is_static;
    uint32_t depth; /* class nesting of the declaration or use */
};

struct kb_jsp {
    struct kb_jslex lx;
    jmp_buf fail;
    bool strict, module;
    unsigned depth;
    uint32_t prev_end;
    uint16_t frames[KB_JSP_FRAMES_MAX];
    unsigned nframes;
    /* Positions + 1 of the first yield / await in the current function,
     * for arrow parameter checks. */
    uint32_t yield_pos, await_pos, await_ident_pos;
    struct kb_jslabel labels[KB_JSP_LABELS_MAX];
    unsigned nlabels;
    /* Private names: a stack across nested classes. */
    struct kb_jspriv *priv;
    uint32_t npriv, class_depth;
    size_t cappriv;
    unsigned label_base;         /* labels of the current function start here */
    unsigned loops, switches;    /* enclosing loops and switches in this function */
    uint32_t potential_arrow_at; /* offset + 1 where an arrow function may start */
    uint32_t *toks;              /* kb_jsast.toks: start, end pairs */
    uint32_t ntoks;
    size_t captoks;
};

#define TOK (p->lx.tok)

static _Noreturn void kb_jsp_fail(struct kb_jsp *p, uint32_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
kb_jsp_fail(struct kb_jsp *p, uint32_t off, const char *fmt, ...)
{
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    kb_jslex_fail(&p->lx, off, "%s", msg);
}

static const char *
kb_jsp_tokdesc(struct kb_jsp *p, char *buf, size_t n)
{
    if (TOK.t == KB_JST_EOF)
        return "end of input";
    uint32_t l = TOK.end - TOK.start;
    snprintf(buf, n, "'%.*s'", (int)(l > 30 ? 30 : l), p->lx.src + TOK.start);
    return buf;
}

static _Noreturn void
kb_jsp_unexpected(struct kb_jsp *p, const char *expected)
{
    char b[64];
    if (expected)
        kb_jsp_fail(p, TOK.start, "unexpected %s: expected %s", kb_jsp_tokdesc(p, b, sizeof b),
                    expected);
    kb_jsp_fail(p, TOK.start, "unexpected %s", kb_jsp_tokdesc(p, b, sizeof b));
}

static void
kb_jsp_next(struct kb_jsp *p)
{
    p->prev_end = TOK.end;
    int rc = kc_vec_reserve(p->toks, p->captoks, (size_t)p->ntoks + 2, UINT32_MAX - 1);
    if (rc) {
        p->lx.err = rc;
        longjmp(p->fail, 1);
    }
    p->toks[p->ntoks++] = TOK.start;
    p->toks[p->ntoks++] = TOK.end;
    kb_jslex_next(&p->lx);
}

static struct kb_jsn *
kb_jsp_node(struct kb_jsp *p, int kind, uint32_t start)
{
    struct kb_jsn *n = kb_jslex_alloc(&p->lx, sizeof *n);
    n->kind = (uint8_t)kind;
    n->start = start;
    n->end = start;
    return n;
}

static struct kb_jsn *
kb_jsp_finish(struct kb_jsp *p, struct kb_jsn *n)
{
    n->end = p->prev_end;
    return n;
}

static void
kb_jsp_enter(struct kb_jsp *p)
{
    if (++p->depth > KB_JSAST_DEPTH_MAX)
        kb_jsp_fail(p, TOK.start, KB_JSAST_TOO_DEEP " (more than %d levels)", KB_JSAST_DEPTH_MAX);
}

#define LEAVE(p) ((p)->depth--)

static bool
kb_jsp_is_op(struct kb_jsp *p, int op)
{
    return TOK.t == KB_JST_OP && TOK.op == op;
}

/* An unescaped name token spelled as keyword kw. */
static bool
kb_jsp_is_kw(struct kb_jsp *p, int kw)
{
    return TOK.t == KB_JST_NAME && TOK.kw == kw && !TOK.esc;
}

static bool
kb_jsp_eat(struct kb_jsp *p, int t)
{
    if (TOK.t != t)
        return false;
    kb_jsp_next(p);
    return true;
}

static bool
kb_jsp_eat_kw(struct kb_jsp *p, int kw)
{
    if (!kb_jsp_is_kw(p, kw))
        return false;
    kb_jsp_next(p);
    return true;
}

static void
kb_jsp_expect(struct kb_jsp *p, int t, const char *what)
{
    if (!kb_jsp_eat(p, t))
        kb_jsp_unexpected(p, what);
}

static void
kb_jsp_expect_kw(struct kb_jsp *p, int kw, const char *what)
{
    if (!kb_jsp_eat_kw(p, kw))
        kb_jsp_unexpected(p, what);
}

static bool
kb_jsp_can_asi(struct kb_jsp *p)
{
    return TOK.t == KB_JST_EOF || TOK.t == KB_JST_RBRACE || TOK.nl;
}

static void
kb_jsp_semicolon(struct kb_jsp *p)
{
    if (!kb_jsp_eat(p, KB_JST_SEMI) && !kb_jsp_can_asi(p))
        kb_jsp_unexpected(p, "';'");
}

/* Looks one token ahead without consuming. */
static struct kb_jstok
kb_jsp_peek(struct kb_jsp *p)
{
    struct kb_jstok save = TOK;
    uint32_t pos = p->lx.pos;
    kb_jslex_next(&p->lx);
    struct kb_jstok next = TOK;
    TOK = save;
    p->lx.pos = pos;
    return next;
}

static bool
kb_jsp_str_eq(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

/* Frame helpers. */
static void
kb_jsp_push_frame(struct kb_jsp *p, uint16_t f)
{
    if (p->nframes >= KB_JSP_FRAMES_MAX)
        kb_jsp_fail(p, TOK.start, KB_JSAST_TOO_DEEP " (functions)");
    p->frames[p->nframes++] = f;
}

static uint16_t
kb_jsp_var_frame(struct kb_jsp *p)
{
    return p->frames[p->nframes - 1];
}

/* The innermost frame that binds this: not an arrow. */
static uint16_t
kb_jsp_this_frame(struct kb_jsp *p)
{
    for (unsigned i = p->nframes; i-- > 0;)
        if (!(p->frames[i] & KB_JSF_ARROW))
            return p->frames[i];
    return p->frames[0];
}

static bool
kb_jsp_in_generator(struct kb_jsp *p)
{
    uint16_t f = kb_jsp_var_frame(p);
    return (f & KB_JSF_GENERATOR) && !(f & KB_JSF_FIELD_INIT);
}

static bool
kb_jsp_in_async(struct kb_jsp *p)
{
    uint16_t f = kb_jsp_var_frame(p);
    return (f & KB_JSF_ASYNC) && !(f & KB_JSF_FIELD_INIT);
}

static bool
kb_jsp_can_await(struct kb_jsp *p)
{
    for (unsigned i = p->nframes; i-- > 0;) {
        uint16_t f = p->frames[i];
        if (f & (KB_JSF_STATIC_BLOCK | KB_JSF_FIELD_INIT))
            return false;
        if (f & KB_JSF_FUNCTION)
            return (f & KB_JSF_ASYNC) != 0;
    }
    return p->module;
}

static bool
kb_jsp_in_static_block(struct kb_jsp *p)
{
    return (kb_jsp_var_frame(p) & KB_JSF_STATIC_BLOCK) != 0;
}

static bool
kb_jsp_in_field_init(struct kb_jsp *p)
{
    return (kb_jsp_this_frame(p) & KB_JSF_FIELD_INIT) != 0;
}

static bool
kb_jsp_allow_new_target(struct kb_jsp *p)
{
    for (unsigned i = p->nframes; i-- > 0;) {
        uint16_t f = p->frames[i];
        if (f & (KB_JSF_STATIC_BLOCK | KB_JSF_FIELD_INIT))
            return true;
        if ((f & KB_JSF_FUNCTION) && !(f & KB_JSF_ARROW))
            return true;
    }
    return false;
}

static bool
kb_jsp_in_function(struct kb_jsp *p)
{
    return (kb_jsp_var_frame(p) & KB_JSF_FUNCTION) != 0;
}

/* Lists: append to a (head, tail) pair. */
struct kb_jslist {
    struct kb_jsn *head, *tail;
};

static void
kb_jsl_add(struct kb_jslist *l, struct kb_jsn *n)
{
    if (l->tail)
        l->tail->next = n;
    else
        l->head = n;
    l->tail = n;
}

/* Forward declarations: the grammar is mutually recursive. */
static struct kb_jsn *kb_jsp_statement(struct kb_jsp *p, int context, bool top);
static struct kb_jsn *kb_jsp_expression(struct kb_jsp *p, bool no_in, struct kb_jsrde *rde);
static struct kb_jsn *kb_jsp_assign(struct kb_jsp *p, bool no_in, struct kb_jsrde *rde);
static struct kb_jsn *kb_jsp_unary(struct kb_jsp *p, struct kb_jsrde *rde, bool saw_unary);
static struct kb_jsn *kb_jsp_subscripts(struct kb_jsp *p, struct kb_jsn *base, uint32_t start,
                                        bool no_calls);
static struct kb_jsn *kb_jsp_atom(struct kb_jsp *p, struct kb_jsrde *rde);
static struct kb_jsn *kb_jsp_binding_atom(struct kb_jsp *p);
static struct kb_jsn *kb_jsp_function(struct kb_jsp *p, uint32_t start, int kind, bool is_async,
                                      bool hanging_ok);
static struct kb_jsn *kb_jsp_class(struct kb_jsp *p, bool is_stmt, bool id_optional);
static struct kb_jsn *kb_jsp_template(struct kb_jsp *p, bool tagged);
static struct kb_jsn *kb_jsp_block(struct kb_jsp *p);
static void kb_jsp_to_assignable(struct kb_jsp *p, struct kb_jsn *n, bool binding,
                                 struct kb_jsrde *rde);
static struct kb_jsn *kb_jsp_arrow(struct kb_jsp *p, uint32_t start, struct kb_jsn *params,
                                   bool is_async);
static struct kb_jsn *kb_jsp_property_name(struct kb_jsp *p, struct kb_jsn *prop);
static void kb_jsp_fn_body(struct kb_jsp *p, struct kb_jsn *fn, bool is_method);

static void
kb_jsrde_init(struct kb_jsrde *r)
{
    memset(r, 0, sizeof *r);
}

/* Reports held cover-grammar errors for an expression that stays one. */
static void
kb_jsp_check_expr_errors(struct kb_jsp *p, struct kb_jsrde *r)
{
    if (!r)
        return;
    if (r->shorthand_assign)
        kb_jsp_fail(p, r->shorthand_assign - 1,
                    "shorthand property assignments are valid only in "
                    "destructuring patterns");
    if (r->double_proto)
        kb_jsp_fail(p, r->double_proto - 1, "redefinition of __proto__ property");
}

static void
kb_jsp_check_pattern_errors(struct kb_jsp *p, struct kb_jsrde *r, bool binding)
{
    if (!r)
        return;
    if (r->trailing_comma)
        kb_jsp_fail(p, r->trailing_comma - 1, "comma is not permitted after the rest element");
    uint32_t paren = binding ? r->paren_bind : r->paren_assign;
    if (paren)
        kb_jsp_fail(p, paren - 1, "parenthesized pattern");
}

/*
 * Checks a name used as an identifier (reference or binding) against the
 * reserved words of the current context.
 */
static void
kb_jsp_check_unreserved(struct kb_jsp *p, uint32_t pos, const char *name, int kw)
{
    if (kw == KB_JSKW_NONE)
        return;
    if (kb_jsp_in_generator(p) && kw == KB_JSKW_YIELD)
        kb_jsp_fail(p, pos, "cannot use 'yield' as an identifier inside a generator");
    if (kb_jsp_in_async(p) && kw == KB_JSKW_AWAIT)
        kb_jsp_fail(p, pos, "cannot use 'await' as an identifier inside an async function");
    if (kb_jsp_in_field_init(p) && kw == KB_JSKW_ARGUMENTS)
        kb_jsp_fail(p, pos, "cannot use 'arguments' in class field initializer");
    if (kb_jsp_in_static_block(p) && (kw == KB_JSKW_ARGUMENTS || kw == KB_JSKW_AWAIT))
        kb_jsp_fail(p, pos, "cannot use '%s' in class static initialization block", name);
    if (kw <= KB_JSKW_LAST_RESERVED)
        kb_jsp_fail(p, pos, "unexpected keyword '%s'", name);
    if (p->strict && kw <= KB_JSKW_LAST_STRICT)
        kb_jsp_fail(p, pos, "the keyword '%s' is reserved in strict mode", name);
    if (kw == KB_JSKW_AWAIT && p->module)
        kb_jsp_fail(p, pos, "cannot use keyword 'await' outside an async function");
}

/* An identifier; liberal allows any name (property names, export names). */
static struct kb_jsn *
kb_jsp_ident(struct kb_jsp *p, bool liberal)
{
    if (TOK.t != KB_JST_NAME)
        kb_jsp_unexpected(p, "an identifier");
    struct kb_jsn *n = kb_jsp_node(p, KB_JSN_IDENT, TOK.start);
    n->str = TOK.str;
    n->len = TOK.len;
    int kw = TOK.kw;
    if (!liberal) {
        kb_jsp_check_unreserved(p, TOK.start, TOK.str, kw);
        if (kw == KB_JSKW_AWAIT && !p->await_ident_pos)
            p->await_ident_pos = TOK.start + 1;
    }
    kb_jsp_next(p);
    return kb_jsp_finish(p, n);
}

static int
kb_jsp_kw_of(const struct kb_jsn *n)
{
    return kb_jslex_keyword(n->str, n->len);
}

/* Identifier checks for a simple assignment or binding target. bind: 0 for
 * assignment, 1 for a binding, 2 for a lexical binding (let is refused). */
static void
kb_jsp_check_lval_ident(struct kb_jsp *p, struct kb_jsn *id, int bind)
{
    int kw = kb_jsp_kw_of(id);
    if (p->strict && (kw == KB_JSKW_EVAL || kw == KB_JSKW_ARGUMENTS))
        kb_jsp_fail(p, id->start, "cannot assign to %s in strict mode", id->str);
    if (bind == 2 && kw == KB_JSKW_LET)
        kb_jsp_fail(p, id->start, "let is disallowed as a lexically bound name");
}

/* Checks a binding pattern's names. */
static void
kb_jsp_check_lval(struct kb_jsp *p, struct kb_jsn *n, int bind)
{
    kb_jsp_enter(p);
    switch (n->kind) {
    case KB_JSN_IDENT: kb_jsp_check_lval_ident(p, n, bind); break;
    case KB_JSN_MEMBER:
        if (bind)
            kb_jsp_fail(p, n->start, "binding member expression");
        break;
    case KB_JSN_OBJECT_PAT:
        for (struct kb_jsn *q = n->a; q; q = q->next)
            kb_jsp_check_lval(p, q->kind == KB_JSN_PROPERTY ? q->b : q, bind);
        break;
    case KB_JSN_ARRAY_PAT:
        for (struct kb_jsn *q = n->a; q; q = q->next)
            if (q->kind != KB_JSN_HOLE)
                kb_jsp_check_lval(p, q, bind);
        break;
    case KB_JSN_ASSIGN_PAT: kb_jsp_check_lval(p, n->a, bind); break;
    case KB_JSN_REST: kb_jsp_check_lval(p, n->a, bind); break;
    default: kb_jsp_fail(p, n->start, "invalid assignment target");
    }
    LEAVE(p);
}

/* ---- Expressions ---- */

static bool
kb_jsp_is_assign_op(int op)
{
    return op >= KB_JS_OP_ASSIGN && op <= KB_JS_OP_NULLISH_ASSIGN;
}

static bool
kb_jsp_simple_target(const struct kb_jsn *n)
{
    return n->kind == KB_JSN_IDENT || n->kind == KB_JSN_MEMBER;
}

static struct kb_jsn *
kb_jsp_yield(struct kb_jsp *p, bool no_in)
{
    if (!p->yield_pos)
        p->yield_pos = TOK.start + 1;
    struct kb_jsn *n = kb_jsp_node(p, KB_JSN_YIELD, TOK.start);
    kb_jsp_next(p);
    bool has_arg;
    switch (TOK.t) {
    case KB_JST_NAME:
        has_arg = TOK.esc || (TOK.kw != KB_JSKW_IN && TOK.kw != KB_JSKW_INSTANCEOF);
        break;
    case KB_JST_NUM:
    case KB_JST_BIGINT:
    case KB_JST_STRING:
    case KB_JST_TEMPLATE:
    case KB_JST_PRIVATE:
    case KB_JST_LBRACE:
    case KB_JST_LBRACKET:
    case KB_JST_LPAREN: has_arg = true; break;
    case KB_JST_OP: {
        int op = TOK.op;
        has_arg = op == KB_JS_OP_PLUS || op == KB_JS_OP_MINUS || op == KB_JS_OP_NOT ||
                  op == KB_JS_OP_TILDE || op == KB_JS_OP_INC || op == KB_JS_OP_DEC ||
                  op == KB_JS_OP_SLASH || op == KB_JS_OP_DIV_ASSIGN || op == KB_JS_OP_STAR;
        break;
    }
    default: has_arg = false;
    }
    if (TOK.nl)
        has_arg = false;
    if (kb_jsp_is_op(p, KB_JS_OP_STAR) && !TOK.nl) {
        n->flags |= KB_JSN_F_DELEGATE;
        kb_jsp_next(p);
        n->a = kb_jsp_assign(p, no_in, NULL);
    } else if (has_arg) {
        n->a = kb_jsp_assign(p, no_in, NULL);
    }
    return kb_jsp_finish(p, n);
}

static struct kb_jsn *kb_jsp_conditional(struct kb_jsp *p, bool no_in, struct kb_jsrde *rde);

static struct kb_jsn *
kb_jsp_assign(struct kb_jsp *p, bool no_in, struct kb_jsrde *rde)
{
    kb_jsp_enter(p);
    if (kb_jsp_is_kw(p, KB_JSKW_YIELD) && kb_jsp_in_generator(p)) {
        struct kb_jsn *y = kb_jsp_yield(p, no_in);
        LEAVE(p);
        return y;
    }
    struct kb_jsrde own;
    bool own_rde = false;
    uint32_t old_paren_assign = 0, old_trailing = 0, old_dproto = 0;
    if (rde) {
        old_paren_assign = rde->paren_assign;
        old_trailing = rde->trailing_comma;
        old_dproto = rde->double_proto;
        rde->paren_assign = rde->trailing_comma = 0;
    } else {
        kb_jsrde_init(&own);
        rde = &own;
        own_rde = true;
    }
    uint32_t start = TOK.start;
    if (TOK.t == KB_JST_LPAREN || TOK.t == KB_JST_NAME)
        p->potential_arrow_at = start + 1;
    struct kb_jsn *left = kb_jsp_conditional(p, no_in, rde);
    if (TOK.t == KB_JST_OP && kb_jsp_is_assign_op(TOK.op)) {
        int op = TOK.op;
        struct kb_jsn *n = kb_jsp_node(p, KB_JSN_ASSIGN, start);
        n->op = (uint8_t)op;
        bool pattern =
            op == KB_JS_OP_ASSIGN && (left->kind == KB_JSN_OBJECT || left->kind == KB_JSN_ARRAY);
        if (pattern) {
            if (left->flags & KB_JSN_F_PAREN)
                kb_jsp_fail(p, left->start, "parenthesized pattern");
            kb_jsp_to_assignable(p, left, false, rde);
        }
        if (!own_rde)
            rde->paren_assign = rde->trailing_comma = rde->double_proto = 0;
        if (rde->shorthand_assign >= left->start + 1)
            rde->shorthand_assign = 0; /* the pattern used it rightly */
        if (pattern) {
            kb_jsp_check_lval(p, left, 0);
        } else {
            if (!kb_jsp_simple_target(left))
                kb_jsp_fail(p, left->start, "invalid assignment target");
            if (left->kind == KB_JSN_IDENT)
                kb_jsp_check_lval_ident(p, left, 0);
        }
        kb_jsp_next(p);
        n->a = left;
        n->b = kb_jsp_assign(p, no_in, NULL);
        if (old_dproto)
            rde->double_proto = old_dproto;
        LEAVE(p);
        return kb_jsp_finish(p, n);
    }
    if (own_rde)
        kb_jsp_check_expr_errors(p, rde);
    if (old_paren_assign)
        rde->paren_assign = old_paren_assign;
    if (old_trailing)
        rde->trailing_comma = old_trailing;
    LEAVE(p);
    return left;
}

static struct kb_jsn *kb_jsp_expr_ops(struct kb_jsp *p, bool no_in, struct kb_jsrde *rde);

static struct kb_jsn *
kb_jsp_conditional(struct kb_jsp *p, bool no_in, struct kb_jsrde *rde)
{
    uint32_t start = TOK.start;
    struct kb_jsn *expr = kb_jsp_expr_ops(p, no_in, rde);
    if (rde && (rde->shorthand_assign || rde->double_proto))
        return expr;
    if (expr->kind == KB_JSN_ARROW && !(expr->flags & KB_JSN_F_PAREN))
        return expr;
    if (TOK.t != KB_JST_QUESTION)
        return expr;
    kb_jsp_check_expr_errors(p, rde);
    kb_jsp_next(p);
    struct kb_jsn *n = kb_jsp_node(p, KB_JSN_COND, start);
    n->a = expr;
    n->b = kb_jsp_assign(p, false, NULL);
    kb_jsp_expect(p, KB_JST_COLON, "':'");
    n->c = kb_jsp_assign(p, no_in, NULL);
    return kb_jsp_finish(p, n);
}

/* Binary precedence of the current token, 0 if it is not a binary operator. */
static int
kb_jsp_binprec(struct kb_jsp *p, bool no_in, int *op)
{
    if (TOK.t == KB_JST_NAME && !TOK.esc) {
        if (TOK.kw == KB_JSKW_IN && !no_in) {
            *op = KB_JS_OP_IN;
            return 7;
        }
        if (TOK.kw == KB_JSKW_INSTANCEOF) {
            *op = KB_JS_OP_INSTANCEOF;
            return 7;
        }
        return 0;
    }
    if (TOK.t != KB_JST_OP)
        return 0;
    *op = TOK.op;
    switch (TOK.op) {
    case KB_JS_OP_NULLISH: return 1;
    case KB_JS_OP_OR: return 1;
    case KB_JS_OP_AND: return 2;
    case KB_JS_OP_PIPE: return 3;
    case KB_JS_OP_CARET: return 4;
    case KB_JS_OP_AMP: return 5;
    case KB_JS_OP_EQ:
    case KB_JS_OP_NE:
    case KB_JS_OP_SEQ:
    case KB_JS_OP_SNE: return 6;
    case KB_JS_OP_LT:
    case KB_JS_OP_GT:
    case KB_JS_OP_LE:
    case KB_JS_OP_GE: return 7;
    case KB_JS_OP_SHL:
    case KB_JS_OP_SAR:
    case KB_JS_OP_SHR: return 8;
    case KB_JS_OP_PLUS:
    case KB_JS_OP_MINUS: return 9;
    case KB_JS_OP_STAR:
    case KB_JS_OP_SLASH:
    case KB_JS_OP_PERCENT: return 10;
    case KB_JS_OP_STARSTAR: return 11;
    default: return 0;
    }
}

/* Precedence climbing from a parsed left operand. */
static struct kb_jsn *
kb_jsp_expr_op(struct kb_jsp *p, struct kb_jsn *left, uint32_t left_start, int min_prec, bool no_in)
{
    int op = 0;
    int prec = kb_jsp_binprec(p, no_in, &op);
    if (left->kind == KB_JSN_PRIVATE_NAME && op != KB_JS_OP_IN)
        kb_jsp_fail(p, left->start, "private name outside of 'in' expression");
    if (prec == 0 || prec <= min_prec)
        return left;
    kb_jsp_enter(p);
    bool logical = op == KB_JS_OP_AND || op == KB_JS_OP_OR;
    bool coalesce = op == KB_JS_OP_NULLISH;
    if (coalesce)
        prec = 2; /* binds like && against || so mixing is detected below */
    kb_jsp_next(p);
    uint32_t rstart = TOK.start;
    struct kb_jsn *r0 = kb_jsp_unary(p, NULL, false);
    struct kb_jsn *right =
        kb_jsp_expr_op(p, r0, rstart, op == KB_JS_OP_STARSTAR ? prec - 1 : prec, no_in);
    if (right->kind == KB_JSN_PRIVATE_NAME)
        kb_jsp_fail(p, right->start, "a private name can only be the left side of 'in'");
    if (coalesce && (kb_jsp_is_op(p, KB_JS_OP_AND) || kb_jsp_is_op(p, KB_JS_OP_OR)))
        kb_jsp_fail(p, TOK.start,
                    "logical expressions and coalesce expressions cannot be mixed; "
                    "wrap either in parentheses");
    struct kb_jsn *n =
        kb_jsp_node(p, logical || coalesce ? KB_JSN_LOGICAL : KB_JSN_BINARY, left_start);
    n->op = (uint8_t)op;
    n->a = left;
    n->b = right;
    if ((logical || coalesce) && right->kind == KB_JSN_LOGICAL &&
        !(right->flags & KB_JSN_F_PAREN) && ((right->op == KB_JS_OP_NULLISH) != coalesce))
        kb_jsp_fail(p, right->start,
                    "logical expressions and coalesce expressions cannot be "
                    "mixed; wrap either in parentheses");
    if ((logical || coalesce) && left->kind == KB_JSN_LOGICAL && !(left->flags & KB_JSN_F_PAREN) &&
        ((left->op == KB_JS_OP_NULLISH) != coalesce))
        kb_jsp_fail(p, left->start,
                    "logical expressions and coalesce expressions cannot be "
                    "mixed; wrap either in parentheses");
    kb_jsp_finish(p, n);
    struct kb_jsn *res = kb_jsp_expr_op(p, n, left_start, min_prec, no_in);
    LEAVE(p);
    return res;
}

static struct kb_jsn *
kb_jsp_expr_ops(struct kb_jsp *p, bool no_in, struct kb_jsrde *rde)
{
    uint32_t start = TOK.start;
    struct kb_jsn *expr = kb_jsp_unary(p, rde, false);
    if (rde && (rde->shorthand_assign || rde->double_proto))
        return expr;
    if (expr->kind == KB_JSN_ARROW && !(expr->flags & KB_JSN_F_PAREN))
        return expr;
    if (TOK.t == KB_JST_OP || TOK.t == KB_JST_NAME)
        return kb_jsp_expr_op(p, expr, start, -1, no_in);
    return expr;
}

static struct kb_jsn *
kb_jsp_await(struct kb_jsp *p)
{
    if (!p->await_pos)
        p->await_pos = TOK.start + 1;
    struct kb_jsn *n = kb_jsp_node(p, KB_JSN_AWAIT, TOK.start);
    kb_jsp_next(p);
    n->a = kb_jsp_unary(p, NULL, true);
    if (n->a->kind == KB_JSN_PRIVATE_NAME)
        kb_jsp_fail(p, n->a->start, "unexpected private name");
    return kb_jsp_finish(p, n);
}

static bool
kb_jsp_is_private_member(const struct kb_jsn *n)
{
    while (n->kind == KB_JSN_CHAIN)
        n = n->a;
    return n->kind == KB_JSN_MEMBER && n->b && n->b->kind == KB_JSN_PRIVATE_NAME;
}

static void kb_jsp_use_private(struct kb_jsp *p, struct kb_jsn *name);

static struct kb_jsn *
kb_jsp_unary(struct kb_jsp *p, struct kb_jsrde *rde, bool saw_unary)
{
    kb_jsp_enter(p);
    uint32_t start = TOK.start;
    struct kb_jsn *expr;
    if (kb_jsp_is_kw(p, KB_JSKW_AWAIT) && kb_jsp_can_await(p)) {
        expr = kb_jsp_await(p);
        saw_unary = true;
    } else if ((TOK.t == KB_JST_OP &&
                (TOK.op == KB_JS_OP_NOT || TOK.op == KB_JS_OP_TILDE || TOK.op == KB_JS_OP_PLUS ||
                 TOK.op == KB_JS_OP_MINUS || TOK.op == KB_JS_OP_INC || TOK.op == KB_JS_OP_DEC)) ||
               kb_jsp_is_kw(p, KB_JSKW_TYPEOF) || kb_jsp_is_kw(p, KB_JSKW_VOID) ||
               kb_jsp_is_kw(p, KB_JSKW_DELETE)) {
        int op = TOK.t == KB_JST_OP         ? TOK.op
                 : TOK.kw == KB_JSKW_TYPEOF ? KB_JS_OP_TYPEOF
                 : TOK.kw == KB_JSKW_VOID   ? KB_JS_OP_VOID
                                            : KB_JS_OP_DELETE;
        bool update = op == KB_JS_OP_INC || op == KB_JS_OP_DEC;
        struct kb_jsn *n = kb_jsp_node(p, update ? KB_JSN_UPDATE : KB_JSN_UNARY, start);
        n->op = (uint8_t)op;
        kb_jsp_next(p);
        n->a = kb_jsp_unary(p, NULL, true);
        if (n->a->kind == KB_JSN_PRIVATE_NAME)
            kb_jsp_fail(p, n->a->start, "unexpected private name");
        if (update) {
            n->flags |= KB_JSN_F_PREFIX;
            if (!kb_jsp_simple_target(n->a))
                kb_jsp_fail(p, n->a->start, "invalid left-hand side in prefix operation");
            if (n->a->kind == KB_JSN_IDENT)
                kb_jsp_check_lval_ident(p, n->a, 0);
        } else {
            saw_unary = true;
            if (op == KB_JS_OP_DELETE && p->strict && n->a->kind == KB_JSN_IDENT)
                kb_jsp_fail(p, n->start, "deleting local variable in strict mode");
            if (op == KB_JS_OP_DELETE && kb_jsp_is_private_member(n->a))
                kb_jsp_fail(p, n->start, "private fields can not be deleted");
        }
        expr = kb_jsp_finish(p, n);
    } else if (TOK.t == KB_JST_PRIVATE) {
        /* #x in obj */
        expr = kb_jsp_node(p, KB_JSN_PRIVATE_NAME, start);
        expr->str = TOK.str;
        expr->len = TOK.len;
        kb_jsp_next(p);
        kb_jsp_finish(p, expr);
        if (!kb_jsp_is_kw(p, KB_JSKW_IN))
            kb_jsp_unexpected(p, "'in' after a private name");
        kb_jsp_use_private(p, expr);
        LEAVE(p);
        return expr;
    } else {
        expr = kb_jsp_atom(p, rde);
        if (expr->kind == KB_JSN_ARROW && !(expr->flags & KB_JSN_F_PAREN)) {
            LEAVE(p);
            return expr;
        }
        expr = kb_jsp_subscripts(p, expr, start, false);
        if (rde && expr->kind == KB_JSN_MEMBER) {
            /* A member expression is a valid target even when written
             * with parentheses or trailing commas inside. */
            if (rde->paren_assign >= expr->start + 1)
                rde->paren_assign = 0;
            if (rde->paren_bind >= expr->start + 1)
                rde->paren_bind = 0;
            if (rde->trailing_comma >= expr->start + 1)
                rde->trailing_comma = 0;
        }
        if (expr->kind == KB_JSN_ARROW) {
            LEAVE(p);
            return expr;
        }
        while (TOK.t == KB_JST_OP && (TOK.op == KB_JS_OP_INC || TOK.op == KB_JS_OP_DEC) &&
               !TOK.nl) {
            if (!kb_jsp_simple_target(expr))
                kb_jsp_fail(p, expr->start, "invalid left-hand side in postfix operation");
            if (expr->kind == KB_JSN_IDENT)
                kb_jsp_check_lval_ident(p, expr, 0);
            struct kb_jsn *n = kb_jsp_node(p, KB_JSN_UPDATE, start);
            n->op = TOK.op;
            n->a = expr;
            kb_jsp_next(p);
            expr = kb_jsp_finish(p, n);
        }
    }
    if (kb_jsp_is_op(p, KB_JS_OP_STARSTAR) && saw_unary)
        kb_jsp_fail(p, TOK.start,
                    "unary operator used immediately before exponentiation "
                    "expression; parentheses must be used");
    LEAVE(p);
    return expr;
}

/* Arguments of a call or new: ( a, ...b, ). */
static struct kb_jsn *
kb_jsp_arguments(struct kb_jsp *p, struct kb_jsrde *rde)
{
    struct kb_jslist l = { 0 };
    kb_jsp_expect(p, KB_JST_LPAREN, "'('");
    while (!kb_jsp_eat(p, KB_JST_RPAREN)) {
        if (TOK.t == KB_JST_ELLIPSIS) {
            struct kb_jsn *s = kb_jsp_node(p, KB_JSN_SPREAD, TOK.start);
            kb_jsp_next(p);
            s->a = kb_jsp_assign(p, false, rde);
            kb_jsl_add(&l, kb_jsp_finish(p, s));
            if (rde && TOK.t == KB_JST_COMMA && !rde->trailing_comma)
                rde->trailing_comma = TOK.start + 1;
        } else {
            kb_jsl_add(&l, kb_jsp_assign(p, false, rde));
        }
        if (TOK.t != KB_JST_RPAREN)
            kb_jsp_expect(p, KB_JST_COMMA, "',' or ')'");
    }
    return l.head;
}

static void
kb_jsp_use_private(struct kb_jsp *p, struct kb_jsn *name)
{
    if (p->class_depth == 0)
        kb_jsp_fail(p, name->start, "private field '#%s' must be declared in an enclosing class",
                    name->str);
    if (p->npriv == p->cappriv) {
        size_t cap;
        if (kc_vec_next_cap(p->cappriv, (size_t)p->npriv + 1, sizeof *p->priv, UINT32_MAX, &cap))
            kb_jsp_fail(p, name->start, "too many private names");
        struct kb_jspriv *np = kb_jslex_alloc(&p->lx, cap * sizeof *np);
        if (p->npriv)
            memcpy(np, p->priv, p->npriv * sizeof *np);
        p->priv = np;
        p->cappriv = cap;
    }
    p->priv[p->npriv++] =
        (struct kb_jspriv){ .name = name->str, .pos = name->start, .depth = p->class_depth };
}

static struct kb_jsn *
kb_jsp_subscripts(struct kb_jsp *p, struct kb_jsn *base, uint32_t start, bool no_calls)
{
    bool async_arrow = base->kind == KB_JSN_IDENT && kb_jsp_str_eq(base->str, "async") &&
                       p->potential_arrow_at == base->start + 1 && p->prev_end == base->end &&
                       !kb_jsp_can_asi(p) && base->end - base->start == 5 &&
                       !(base->flags & KB_JSN_F_PAREN);
    bool chained = false;
    unsigned entered = 0;
    for (;;) {
        /* Each link nests the tree one level deeper: count it. */
        kb_jsp_enter(p);
        entered++;
        bool optional = false;
        if (TOK.t == KB_JST_QDOT) {
            if (no_calls)
                kb_jsp_fail(p, TOK.start,
                            "optional chaining cannot appear in the callee of new "
                            "expressions");
            optional = chained = true;
            kb_jsp_next(p);
        }
        bool computed = TOK.t == KB_JST_LBRACKET;
        if (computed || (optional && TOK.t != KB_JST_LPAREN && TOK.t != KB_JST_TEMPLATE) ||
            TOK.t == KB_JST_DOT) {
            if (!optional && !computed)
                kb_jsp_next(p); /* the '.' */
            struct kb_jsn *n = kb_jsp_node(p, KB_JSN_MEMBER, start);
            n->a = base;
            if (computed) {
                kb_jsp_next(p);
                n->b = kb_jsp_expression(p, false, NULL);
                kb_jsp_expect(p, KB_JST_RBRACKET, "']'");
                n->flags |= KB_JSN_F_COMPUTED;
            } else if (TOK.t == KB_JST_PRIVATE) {
                if (base->kind == KB_JSN_SUPER)
                    kb_jsp_fail(p, TOK.start, "unexpected private field after super");
                struct kb_jsn *pn = kb_jsp_node(p, KB_JSN_PRIVATE_NAME, TOK.start);
                pn->str = TOK.str;
                pn->len = TOK.len;
                kb_jsp_next(p);
                n->b = kb_jsp_finish(p, pn);
                kb_jsp_use_private(p, pn);
            } else {
                n->b = kb_jsp_ident(p, true);
            }
            if (optional)
                n->flags |= KB_JSN_F_OPTIONAL;
            base = kb_jsp_finish(p, n);
        } else if (!no_calls && TOK.t == KB_JST_LPAREN) {
            struct kb_jsrde rde;
            kb_jsrde_init(&rde);
            uint32_t oy = p->yield_pos, oa = p->await_pos, oai = p->await_ident_pos;
            p->yield_pos = p->await_pos = p->await_ident_pos = 0;
            struct kb_jsn *args = kb_jsp_arguments(p, &rde);
            if (async_arrow && !optional && !chained && TOK.t == KB_JST_ARROW && !TOK.nl) {
                kb_jsp_check_pattern_errors(p, &rde, true);
                if (p->await_ident_pos)
                    kb_jsp_fail(p, p->await_ident_pos - 1,
                                "cannot use 'await' as identifier inside an async function");
                if (p->yield_pos)
                    kb_jsp_fail(p, p->yield_pos - 1, "yield expression in arrow parameters");
                if (p->await_pos)
                    kb_jsp_fail(p, p->await_pos - 1, "await expression in arrow parameters");
                p->yield_pos = oy;
                p->await_pos = oa;
                p->await_ident_pos = oai;
                p->depth -= entered;
                return kb_jsp_arrow(p, start, args, true);
            }
            kb_jsp_check_expr_errors(p, &rde);
            if (!p->yield_pos)
                p->yield_pos = oy;
            if (!p->await_pos)
                p->await_pos = oa;
            if (!p->await_ident_pos)
                p->await_ident_pos = oai;
            struct kb_jsn *n = kb_jsp_node(p, KB_JSN_CALL, start);
            n->a = base;
            n->b = args;
            if (optional)
                n->flags |= KB_JSN_F_OPTIONAL;
            base = kb_jsp_finish(p, n);
        } else if (TOK.t == KB_JST_TEMPLATE) {
            if (optional || chained)
                kb_jsp_fail(p, TOK.start,
                            "optional chaining cannot appear in the tag of tagged "
                            "template expressions");
            struct kb_jsn *n = kb_jsp_node(p, KB_JSN_TAGGED_TEMPLATE, start);
            n->a = base;
            n->b = kb_jsp_template(p, true);
            base = kb_jsp_finish(p, n);
        } else {
            if (optional)
                kb_jsp_unexpected(p, "a property name or '(' after '?.'");
            break;
        }
    }
    p->depth -= entered;
    if (chained) {
        struct kb_jsn *c = kb_jsp_node(p, KB_JSN_CHAIN, start);
        c->a = base;
        c->end = base->end;
        return c;
    }
    return base;
}

/* Parenthesized expression or arrow parameters. */
static struct kb_jsn *
kb_jsp_paren_or_arrow(struct kb_jsp *p, struct kb_jsrde *outer, bool can_be_arrow)
{
    uint32_t start = TOK.start;
    kb_jsp_next(p);
    struct kb_jsrde rde;
    kb_jsrde_init(&rde);
    uint32_t oy = p->yield_pos, oa = p->await_pos;
    p->yield_pos = p->await_pos = 0;
    struct kb_jslist l = { 0 };
    uint32_t spread_start = 0, last_comma = 0;
    bool first = true;
    uint32_t inner_start = TOK.start;
    while (TOK.t != KB_JST_RPAREN) {
        if (!first) {
            kb_jsp_expect(p, KB_JST_COMMA, "',' or ')'");
            if (TOK.t == KB_JST_RPAREN) {
                last_comma = p->prev_end;
                break;
            }
        }
        first = false;
        if (TOK.t == KB_JST_ELLIPSIS) {
            spread_start = TOK.start + 1;
            struct kb_jsn *r = kb_jsp_node(p, KB_JSN_REST, TOK.start);
            kb_jsp_next(p);
            r->a = kb_jsp_binding_atom(p);
            kb_jsl_add(&l, kb_jsp_finish(p, r));
            if (TOK.t == KB_JST_COMMA)
                kb_jsp_fail(p, TOK.start, "comma is not permitted after the rest element");
            break;
        }
        kb_jsl_add(&l, kb_jsp_assign(p, false, &rde));
    }
    uint32_t inner_end = p->prev_end;
    kb_jsp_expect(p, KB_JST_RPAREN, "')'");
    if (can_be_arrow && TOK.t == KB_JST_ARROW && !TOK.nl) {
        kb_jsp_check_pattern_errors(p, &rde, true);
        if (p->yield_pos)
            kb_jsp_fail(p, p->yield_pos - 1, "yield expression in arrow parameters");
        if (p->await_pos)
            kb_jsp_fail(p, p->await_pos - 1, "await expression in arrow parameters");
        p->yield_pos = oy;
        p->await_pos = oa;
        return kb_jsp_arrow(p, start, l.head, false);
    }
    if (!l.head || spread_start || last_comma)
        kb_jsp_unexpected(p, l.head ? "'=>' after the parameter list" : "an expression");
    kb_jsp_check_expr_errors(p, &rde);
    if (!p->yield_pos)
        p->yield_pos = oy;
    if (!p->await_pos)
        p->await_pos = oa;
    struct kb_jsn *val = l.head;
    if (l.head->next) {
        val = kb_jsp_node(p, KB_JSN_SEQUENCE, inner_start);
        val->a = l.head;
        val->end = inner_end;
    }
    val->flags |= KB_JSN_F_PAREN;
    if (outer) {
        if (!outer->paren_assign && !kb_jsp_simple_target(val))
            outer->paren_assign = start + 1;
        if (!outer->paren_bind)
            outer->paren_bind = start + 1;
    }
    return val;
}

static struct kb_jsn *
kb_jsp_array(struct kb_jsp *p, struct kb_jsrde *rde)
{
    struct kb_jsn *n = kb_jsp_node(p, KB_JSN_ARRAY, TOK.start);
    struct kb_jslist l = { 0 };
    kb_jsp_next(p);
    while (!kb_jsp_eat(p, KB_JST_RBRACKET)) {
        if (TOK.t == KB_JST_COMMA) {
            struct kb_jsn *h = kb_jsp_node(p, KB_JSN_HOLE, TOK.start);
            h->end = TOK.start;
            kb_jsl_add(&l, h);
            kb_jsp_next(p);
            continue;
        }
        if (TOK.t == KB_JST_ELLIPSIS) {
            struct kb_jsn *s = kb_jsp_node(p, KB_JSN_SPREAD, TOK.start);
            kb_jsp_next(p);
            s->a = kb_jsp_assign(p, false, rde);
            kb_jsl_add(&l, kb_jsp_finish(p, s));
            if (rde && TOK.t == KB_JST_COMMA && !rde->trailing_comma)
                rde->trailing_comma = TOK.start + 1;
        } else {
            kb_jsl_add(&l, kb_jsp_assign(p, false, rde));
        }
        if (TOK.t != KB_JST_RBRACKET)
            kb_jsp_expect(p, KB_JST_COMMA, "',' or ']'");
    }
    n->a = l.head;
    return kb_jsp_finish(p, n);
}

/* Object literal members. */
static struct kb_jsn *
kb_jsp_object(struct kb_jsp *p, struct kb_jsrde *rde)
{
    struct kb_jsn *n = kb_jsp_node(p, KB_JSN_OBJECT, TOK.start);
    struct kb_jslist l = { 0 };
    bool has_proto = false;
    kb_jsp_next(p);
    while (!kb_jsp_eat(p, KB_JST_RBRACE)) {
        kb_jsp_enter(p);
        if (TOK.t == KB_JST_ELLIPSIS) {
            struct kb_jsn *s = kb_jsp_node(p, KB_JSN_SPREAD, TOK.start);
            kb_jsp_next(p);
            s->a = kb_jsp_assign(p, false, rde);
            kb_jsl_add(&l, kb_jsp_finish(p, s));
            if (rde && TOK.t == KB_JST_COMMA && !rde->trailing_comma)
                rde->trailing_comma = TOK.start + 1;
        } else {
            struct kb_jsn *prop = kb_jsp_node(p, KB_JSN_PROPERTY, TOK.start);
            prop->op = KB_JS_P_INIT;
            bool is_async = false, is_gen = false;
            int getset = 0;
            if (kb_jsp_is_kw(p, KB_JSKW_ASYNC) || kb_jsp_is_kw(p, KB_JSKW_GET) ||
                kb_jsp_is_kw(p, KB_JSKW_SET)) {
                struct kb_jstok nx = kb_jsp_peek(p);
                bool is_key = nx.t == KB_JST_NAME || nx.t == KB_JST_STRING || nx.t == KB_JST_NUM ||
                              nx.t == KB_JST_BIGINT || nx.t == KB_JST_LBRACKET ||
                              nx.t == KB_JST_PRIVATE ||
                              (nx.t == KB_JST_OP && nx.op == KB_JS_OP_STAR);
                if (is_key && !(TOK.kw == KB_JSKW_ASYNC && nx.nl)) {
                    if (TOK.kw == KB_JSKW_ASYNC)
                        is_async = true;
                    else
                        getset = TOK.kw == KB_JSKW_GET ? KB_JS_P_GET : KB_JS_P_SET;
                    kb_jsp_next(p);
                }
            }
            if (kb_jsp_is_op(p, KB_JS_OP_STAR)) {
                if (getset)
                    kb_jsp_unexpected(p, "a property name");
                is_gen = true;
                kb_jsp_next(p);
            }
            uint32_t key_tok_start = TOK.start;
            int key_t = TOK.t;
            int key_kw = TOK.kw;
            kb_jsp_property_name(p, prop);
            if (prop->a->kind == KB_JSN_PRIVATE_NAME)
                kb_jsp_fail(p, prop->a->start, "private name in an object literal");
            if (getset || is_async || is_gen || TOK.t == KB_JST_LPAREN) {
                if (getset)
                    prop->op = (uint8_t)getset;
                else
                    prop->flags |= KB_JSN_F_METHOD;
                uint16_t fr = KB_JSF_FUNCTION | KB_JSF_SUPER | (is_async ? KB_JSF_ASYNC : 0) |
                              (is_gen ? KB_JSF_GENERATOR : 0);
                struct kb_jsn *fn = kb_jsp_node(p, KB_JSN_FUNC_EXPR, TOK.start);
                if (is_async)
                    fn->flags |= KB_JSN_F_ASYNC;
                if (is_gen)
                    fn->flags |= KB_JSN_F_GENERATOR;
                kb_jsp_push_frame(p, fr);
                kb_jsp_fn_body(p, fn, true);
                p->nframes--;
                prop->b = fn;
                int np = 0;
                for (struct kb_jsn *q = fn->b; q; q = q->next)
                    np++;
                if (getset == KB_JS_P_GET && np != 0)
                    kb_jsp_fail(p, fn->start, "getter should have no params");
                if (getset == KB_JS_P_SET && (np != 1 || (fn->b && fn->b->kind == KB_JSN_REST)))
                    kb_jsp_fail(p, fn->start, "setter should have exactly one param");
            } else if (kb_jsp_eat(p, KB_JST_COLON)) {
                if (!(prop->flags & KB_JSN_F_COMPUTED) &&
                    ((prop->a->kind == KB_JSN_IDENT && prop->a->len == 9 &&
                      strcmp(prop->a->str, "__proto__") == 0) ||
                     (prop->a->kind == KB_JSN_STR && kb_jsp_str_eq(prop->a->str, "__proto__")))) {
                    if (has_proto) {
                        if (rde) {
                            if (!rde->double_proto)
                                rde->double_proto = prop->a->start + 1;
                        } else {
                            kb_jsp_fail(p, prop->a->start, "redefinition of __proto__ property");
                        }
                    }
                    has_proto = true;
                }
                prop->b = kb_jsp_assign(p, false, rde);
            } else if (key_t == KB_JST_NAME && !(prop->flags & KB_JSN_F_COMPUTED)) {
                /* Shorthand: the key is also an identifier reference. */
                kb_jsp_check_unreserved(p, key_tok_start, prop->a->str, key_kw);
                if (key_kw == KB_JSKW_AWAIT && !p->await_ident_pos)
                    p->await_ident_pos = key_tok_start + 1;
                prop->flags |= KB_JSN_F_SHORTHAND;
                struct kb_jsn *v = kb_jsp_node(p, KB_JSN_IDENT, prop->a->start);
                v->str = prop->a->str;
                v->len = prop->a->len;
                v->end = prop->a->end;
                if (kb_jsp_is_op(p, KB_JS_OP_ASSIGN)) {
                    if (rde && !rde->shorthand_assign)
                        rde->shorthand_assign = TOK.start + 1;
                    else if (!rde)
                        kb_jsp_fail(p, TOK.start,
                                    "shorthand property assignments are valid only "
                                    "in destructuring patterns");
                    struct kb_jsn *ap = kb_jsp_node(p, KB_JSN_ASSIGN, v->start);
                    ap->op = KB_JS_OP_ASSIGN;
                    kb_jsp_next(p);
                    ap->a = v;
                    ap->b = kb_jsp_assign(p, false, NULL);
                    prop->b = kb_jsp_finish(p, ap);
                } else {
                    prop->b = v;
                }
            } else {
                kb_jsp_unexpected(p, "':' after the property name");
            }
            kb_jsl_add(&l, kb_jsp_finish(p, prop));
        }
        LEAVE(p);
        if (TOK.t != KB_JST_RBRACE)
            kb_jsp_expect(p, KB_JST_COMMA, "',' or '}'");
    }
    n->a = l.head;
    return kb_jsp_finish(p, n);
}

/* A property key (object or class): name, string, number, [computed] or
 * #private; sets prop->a and F_COMPUTED. */
static struct kb_jsn *
kb_jsp_property_name(struct kb_jsp *p, struct kb_jsn *prop)
{
    struct kb_jsn *k;
    switch (TOK.t) {
    case KB_JST_LBRACKET:
        kb_jsp_next(p);
        k = kb_jsp_assign(p, false, NULL);
        kb_jsp_expect(p, KB_JST_RBRACKET, "']'");
        prop->flags |= KB_JSN_F_COMPUTED;
        break;
    case KB_JST_STRING:
        if (TOK.octal && p->strict)
            kb_jsp_fail(p, TOK.octal - 1, "octal escape sequences are not allowed in strict mode");
        k = kb_jsp_node(p, KB_JSN_STR, TOK.start);
        k->str = TOK.str;
        k->len = TOK.len;
        kb_jsp_next(p);
        kb_jsp_finish(p, k);
        break;
    case KB_JST_NUM:
        if (TOK.octal && p->strict)
            kb_jsp_fail(p, TOK.start, "octal literals are not allowed in strict mode");
        k = kb_jsp_node(p, KB_JSN_NUM, TOK.start);
        k->num = TOK.num;
        kb_jsp_next(p);
        kb_jsp_finish(p, k);
        break;
    case KB_JST_BIGINT:
        k = kb_jsp_node(p, KB_JSN_BIGINT, TOK.start);
        k->str = TOK.str;
        k->len = TOK.len;
        kb_jsp_next(p);
        kb_jsp_finish(p, k);
        break;
    case KB_JST_PRIVATE:
        k = kb_jsp_node(p, KB_JSN_PRIVATE_NAME, TOK.start);
        k->str = TOK.str;
        k->len = TOK.len;
        kb_jsp_next(p);
        kb_jsp_finish(p, k);
        break;
    case KB_JST_NAME: k = kb_jsp_ident(p, true); break;
    default: kb_jsp_unexpected(p, "a property name");
    }
    prop->a = k;
    return k;
}

/* Converts an expression parsed under the cover grammar into a pattern. */
static void
kb_jsp_to_assignable(struct kb_jsp *p, struct kb_jsn *n, bool binding, struct kb_jsrde *rde)
{
    kb_jsp_enter(p);
    if ((n->flags & KB_JSN_F_PAREN) &&
        (binding || !(n->kind == KB_JSN_IDENT || n->kind == KB_JSN_MEMBER)))
        kb_jsp_fail(p, n->start, "parenthesized pattern");
    switch (n->kind) {
    case KB_JSN_IDENT:
        if (kb_jsp_in_async(p) && kb_jsp_str_eq(n->str, "await"))
            kb_jsp_fail(p, n->start, "cannot use 'await' as identifier inside an async function");
        break;
    case KB_JSN_OBJECT_PAT:
    case KB_JSN_ARRAY_PAT:
    case KB_JSN_ASSIGN_PAT:
    case KB_JSN_REST: break;
    case KB_JSN_OBJECT:
        n->kind = KB_JSN_OBJECT_PAT;
        if (rde)
            kb_jsp_check_pattern_errors(p, rde, binding);
        for (struct kb_jsn *q = n->a; q; q = q->next) {
            if (q->kind == KB_JSN_SPREAD) {
                q->kind = KB_JSN_REST;
                if (q->next)
                    kb_jsp_fail(p, q->start, "rest element must be last element");
                if (q->a->kind == KB_JSN_OBJECT || q->a->kind == KB_JSN_ARRAY ||
                    q->a->kind == KB_JSN_ASSIGN)
                    kb_jsp_fail(p, q->a->start, "invalid rest element");
                kb_jsp_to_assignable(p, q->a, binding, NULL);
            } else {
                if (q->op != KB_JS_P_INIT || (q->flags & KB_JSN_F_METHOD))
                    kb_jsp_fail(p, q->a->start,
                                "object pattern can't contain getter, setter "
                                "or method");
                kb_jsp_to_assignable(p, q->b, binding, NULL);
            }
        }
        break;
    case KB_JSN_ARRAY:
        n->kind = KB_JSN_ARRAY_PAT;
        if (rde)
            kb_jsp_check_pattern_errors(p, rde, binding);
        for (struct kb_jsn *q = n->a; q; q = q->next) {
            if (q->kind == KB_JSN_HOLE)
                continue;
            if (q->kind == KB_JSN_SPREAD) {
                q->kind = KB_JSN_REST;
                if (q->next)
                    kb_jsp_fail(p, q->start, "rest element must be last element");
                if (q->a->kind == KB_JSN_ASSIGN)
                    kb_jsp_fail(p, q->a->start, "rest elements cannot have a default value");
                kb_jsp_to_assignable(p, q->a, binding, NULL);
            } else {
                kb_jsp_to_assignable(p, q, binding, NULL);
            }
        }
        break;
    case KB_JSN_SPREAD:
        n->kind = KB_JSN_REST;
        kb_jsp_to_assignable(p, n->a, binding, NULL);
        break;
    case KB_JSN_ASSIGN:
        if (n->op != KB_JS_OP_ASSIGN)
            kb_jsp_fail(p, n->a->end,
                        "only '=' operator can be used for specifying default "
                        "value");
        n->kind = KB_JSN_ASSIGN_PAT;
        n->op = 0;
        kb_jsp_to_assignable(p, n->a, binding, NULL);
        break;
    case KB_JSN_MEMBER:
        if (!binding)
            break;
        /* fallthrough */
    default: kb_jsp_fail(p, n->start, "invalid destructuring assignment target");
    }
    LEAVE(p);
}

static struct kb_jsn *
kb_jsp_new(struct kb_jsp *p)
{
    uint32_t start = TOK.start;
    kb_jsp_next(p);
    if (TOK.t == KB_JST_DOT) {
        struct kb_jsn *meta = kb_jsp_node(p, KB_JSN_IDENT, start);
        meta->str = "new";
        meta->len = 3;
        meta->end = start + 3;
        kb_jsp_next(p);
        if (!kb_jsp_is_kw(p, KB_JSKW_TARGET))
            kb_jsp_unexpected(p, "'target' after 'new.'");
        struct kb_jsn *n = kb_jsp_node(p, KB_JSN_META_PROP, start);
        n->a = meta;
        n->b = kb_jsp_ident(p, true);
        if (!kb_jsp_allow_new_target(p))
            kb_jsp_fail(p, start,
                        "'new.target' can only be used in functions and class static "
                        "block");
        return kb_jsp_finish(p, n);
    }
    struct kb_jsn *n = kb_jsp_node(p, KB_JSN_NEW, start);
    uint32_t cstart = TOK.start;
    if (kb_jsp_is_kw(p, KB_JSKW_IMPORT)) {
        struct kb_jstok nx = kb_jsp_peek(p);
        if (nx.t == KB_JST_LPAREN)
            kb_jsp_fail(p, TOK.start, "cannot use new with import()");
    }
    kb_jsp_enter(p);
    struct kb_jsn *callee = kb_jsp_atom(p, NULL);
    if (callee->kind == KB_JSN_SUPER && TOK.t == KB_JST_LPAREN)
        kb_jsp_fail(p, callee->start, "'new super()' is not allowed");
    n->a = kb_jsp_subscripts(p, callee, cstart, true);
    LEAVE(p);
    if (n->a->kind == KB_JSN_CHAIN)
        kb_jsp_fail(p, n->a->start,
                    "optional chaining cannot appear in the callee of new "
                    "expressions");
    if (TOK.t == KB_JST_LPAREN)
        n->b = kb_jsp_arguments(p, NULL);
    return kb_jsp_finish(p, n);
}

static struct kb_jsn *
kb_jsp_template(struct kb_jsp *p, bool tagged)
{
    struct kb_jsn *n = kb_jsp_node(p, KB_JSN_TEMPLATE, TOK.start);
    struct kb_jslist quasis = { 0 }, exprs = { 0 };
    for (;;) {
        if (TOK.t != KB_JST_TEMPLATE)
            kb_jsp_unexpected(p, "'}' closing a template substitution");
        if (TOK.esc && !tagged)
            kb_jsp_fail(p, TOK.start, "bad escape sequence in untagged template literal");
        struct kb_jsn *q = kb_jsp_node(p, KB_JSN_TEMPLATE_ELEM, TOK.start);
        q->str = TOK.str;
        q->len = TOK.len;
        q->str2 = TOK.str2;
        q->end = TOK.end;
        kb_jsl_add(&quasis, q);
        bool tail = TOK.tail;
        kb_jsp_next(p);
        if (tail)
            break;
        kb_jsl_add(&exprs, kb_jsp_expression(p, false, NULL));
        if (TOK.t != KB_JST_RBRACE)
            kb_jsp_unexpected(p, "'}' closing a template substitution");
        kb_jslex_template(&p->lx);
    }
    n->a = quasis.head;
    n->b = exprs.head;
    return kb_jsp_finish(p, n);
}

static struct kb_jsn *
kb_jsp_literal(struct kb_jsp *p, int kind)
{
    struct kb_jsn *n = kb_jsp_node(p, kind, TOK.start);
    n->str = TOK.str;
    n->len = TOK.len;
    n->str2 = TOK.str2;
    n->num = TOK.num;
    kb_jsp_next(p);
    return kb_jsp_finish(p, n);
}

static struct kb_jsn *
kb_jsp_atom(struct kb_jsp *p, struct kb_jsrde *rde)
{
    uint32_t start = TOK.start;
    kb_jsp_enter(p);
    struct kb_jsn *n = NULL;
    switch (TOK.t) {
    case KB_JST_NAME:
        if (!TOK.esc) {
            switch (TOK.kw) {
            case KB_JSKW_SUPER: {
                n = kb_jsp_node(p, KB_JSN_SUPER, start);
                kb_jsp_next(p);
                kb_jsp_finish(p, n);
                uint16_t tf = kb_jsp_this_frame(p);
                if (TOK.t == KB_JST_LPAREN) {
                    if (!(tf & KB_JSF_DIRECT_SUPER))
                        kb_jsp_fail(p, start, "super() call outside constructor of a subclass");
                } else if (TOK.t == KB_JST_DOT || TOK.t == KB_JST_LBRACKET) {
                    if (!(tf & KB_JSF_SUPER) && !kb_jsp_in_field_init(p) &&
                        !(tf & KB_JSF_STATIC_BLOCK))
                        kb_jsp_fail(p, start, "'super' keyword outside a method");
                } else {
                    kb_jsp_unexpected(p, "'(', '.' or '[' after super");
                }
                goto done;
            }
            case KB_JSKW_THIS: n = kb_jsp_literal(p, KB_JSN_THIS); goto done;
            case KB_JSKW_NULL: n = kb_jsp_literal(p, KB_JSN_NULL_LIT); goto done;
            case KB_JSKW_TRUE: n = kb_jsp_literal(p, KB_JSN_TRUE_LIT); goto done;
            case KB_JSKW_FALSE: n = kb_jsp_literal(p, KB_JSN_FALSE_LIT); goto done;
            case KB_JSKW_FUNCTION:
                kb_jsp_next(p);
                n = kb_jsp_function(p, start, KB_JSN_FUNC_EXPR, false, false);
                goto done;
            case KB_JSKW_CLASS: n = kb_jsp_class(p, false, true); goto done;
            case KB_JSKW_NEW: n = kb_jsp_new(p); goto done;
            case KB_JSKW_IMPORT: {
                kb_jsp_next(p);
                if (TOK.t == KB_JST_DOT) {
                    struct kb_jsn *meta = kb_jsp_node(p, KB_JSN_IDENT, start);
                    meta->str = "import";
                    meta->len = 6;
                    meta->end = start + 6;
                    kb_jsp_next(p);
                    if (!kb_jsp_is_kw(p, KB_JSKW_META))
                        kb_jsp_unexpected(p, "'meta' after 'import.'");
                    if (!p->module)
                        kb_jsp_fail(p, start, "cannot use 'import.meta' outside a module");
                    n = kb_jsp_node(p, KB_JSN_META_PROP, start);
                    n->a = meta;
                    n->b = kb_jsp_ident(p, true);
                    kb_jsp_finish(p, n);
                    goto done;
                }
                if (TOK.t != KB_JST_LPAREN)
                    kb_jsp_unexpected(p, "'(' or '.' after import");
                n = kb_jsp_node(p, KB_JSN_IMPORT_CALL, start);
                kb_jsp_next(p);
                if (TOK.t == KB_JST_RPAREN || TOK.t == KB_JST_ELLIPSIS)
                    kb_jsp_unexpected(p, "the module specifier of import()");
                n->a = kb_jsp_assign(p, false, NULL);
                if (kb_jsp_eat(p, KB_JST_COMMA) && TOK.t != KB_JST_RPAREN) {
                    n->b = kb_jsp_assign(p, false, NULL);
                    kb_jsp_eat(p, KB_JST_COMMA);
                }
                kb_jsp_expect(p, KB_JST_RPAREN, "')' closing import()");
                kb_jsp_finish(p, n);
                goto done;
            }
            case KB_JSKW_ASYNC: {
                struct kb_jstok nx = kb_jsp_peek(p);
                if (nx.t == KB_JST_NAME && nx.kw == KB_JSKW_FUNCTION && !nx.esc && !nx.nl) {
                    kb_jsp_next(p);
                    kb_jsp_next(p);
                    n = kb_jsp_function(p, start, KB_JSN_FUNC_EXPR, true, false);
                    goto done;
                }
                /* async x => ...; not async in o, async instanceof C. */
                bool reserved = nx.kw != KB_JSKW_NONE && nx.kw <= KB_JSKW_LAST_RESERVED;
                if (nx.t == KB_JST_NAME && !reserved && !nx.nl &&
                    p->potential_arrow_at == start + 1) {
                    kb_jsp_ident(p, false); /* 'async' */
                    uint32_t oai = p->await_ident_pos;
                    p->await_ident_pos = 0;
                    struct kb_jsn *id = kb_jsp_ident(p, false);
                    if (TOK.t != KB_JST_ARROW || TOK.nl)
                        kb_jsp_unexpected(p, "'=>'");
                    if (kb_jsp_str_eq(id->str, "await"))
                        kb_jsp_fail(p, id->start,
                                    "cannot use 'await' as identifier inside an "
                                    "async function");
                    p->await_ident_pos = oai;
                    n = kb_jsp_arrow(p, start, id, true);
                    goto done;
                }
                break;
            }
            default: break;
            }
        }
        {
            bool can_be_arrow = p->potential_arrow_at == start + 1;
            struct kb_jsn *id = kb_jsp_ident(p, false);
            if (can_be_arrow && TOK.t == KB_JST_ARROW && !TOK.nl) {
                n = kb_jsp_arrow(p, start, id, false);
                goto done;
            }
            n = id;
        }
        goto done;
    case KB_JST_NUM:
        if (TOK.octal && p->strict)
            kb_jsp_fail(p, TOK.start, "octal literals are not allowed in strict mode");
        n = kb_jsp_literal(p, KB_JSN_NUM);
        goto done;
    case KB_JST_BIGINT: n = kb_jsp_literal(p, KB_JSN_BIGINT); goto done;
    case KB_JST_STRING:
        if (TOK.octal && p->strict)
            kb_jsp_fail(p, TOK.octal - 1, "octal escape sequences are not allowed in strict mode");
        n = kb_jsp_literal(p, KB_JSN_STR);
        goto done;
    case KB_JST_TEMPLATE: n = kb_jsp_template(p, false); goto done;
    case KB_JST_OP:
        if (TOK.op == KB_JS_OP_SLASH || TOK.op == KB_JS_OP_DIV_ASSIGN) {
            kb_jslex_regex(&p->lx);
            n = kb_jsp_literal(p, KB_JSN_REGEX);
            goto done;
        }
        if (TOK.op == KB_JS_OP_LT)
            kb_jsp_fail(p, TOK.start, "unexpected '<': JSX and TypeScript are not supported");
        break;
    case KB_JST_LPAREN:
        n = kb_jsp_paren_or_arrow(p, rde, p->potential_arrow_at == start + 1);
        goto done;
    case KB_JST_LBRACKET: n = kb_jsp_array(p, rde); goto done;
    case KB_JST_LBRACE: n = kb_jsp_object(p, rde); goto done;
    default: break;
    }
    kb_jsp_unexpected(p, "an expression");
done:
    LEAVE(p);
    return n;
}

static struct kb_jsn *
kb_jsp_expression(struct kb_jsp *p, bool no_in, struct kb_jsrde *rde)
{
    uint32_t start = TOK.start;
    struct kb_jsn *e = kb_jsp_assign(p, no_in, rde);
    if (TOK.t != KB_JST_COMMA)
        return e;
    struct kb_jsn *n = kb_jsp_node(p, KB_JSN_SEQUENCE, start);
    struct kb_jslist l = { 0 };
    kb_jsl_add(&l, e);
    while (kb_jsp_eat(p, KB_JST_COMMA))
        kb_jsl_add(&l, kb_jsp_assign(p, no_in, rde));
    n->a = l.head;
    return kb_jsp_finish(p, n);
}

/* ---- Functions ---- */

/* Collects the bound identifiers of a pattern into names (up to cap). */
static void
kb_jsp_bound_names(struct kb_jsp *p, struct kb_jsn *n, struct kb_jsn **names, unsigned *nn,
                   unsigned cap)
{
    kb_jsp_enter(p);
    switch (n->kind) {
    case KB_JSN_IDENT:
        if (*nn < cap)
            names[(*nn)++] = n;
        break;
    case KB_JSN_OBJECT_PAT:
        for (struct kb_jsn *q = n->a; q; q = q->next)
            kb_jsp_bound_names(p, q->kind == KB_JSN_PROPERTY ? q->b : q, names, nn, cap);
        break;
    case KB_JSN_ARRAY_PAT:
        for (struct kb_jsn *q = n->a; q; q = q->next)
            if (q->kind != KB_JSN_HOLE)
                kb_jsp_bound_names(p, q, names, nn, cap);
        break;
    case KB_JSN_ASSIGN_PAT:
    case KB_JSN_REST: kb_jsp_bound_names(p, n->a, names, nn, cap); break;
    default: break;
    }
    LEAVE(p);
}

/* Parameter checks that depend on the body's strictness. */
static void
kb_jsp_check_params(struct kb_jsp *p, struct kb_jsn *fn, bool allow_dups)
{
    struct kb_jsn *names[256];
    unsigned nn = 0;
    for (struct kb_jsn *q = fn->b; q; q = q->next) {
        unsigned before = nn;
        kb_jsp_bound_names(p, q, names, &nn, 256);
        for (unsigned i = before; i < nn; i++) {
            kb_jsp_check_lval_ident(p, names[i], 1);
            int kw = kb_jsp_kw_of(names[i]);
            if (p->strict && kw > KB_JSKW_LAST_RESERVED && kw <= KB_JSKW_LAST_STRICT)
                kb_jsp_fail(p, names[i]->start, "the keyword '%s' is reserved in strict mode",
                            names[i]->str);
        }
    }
    if (!allow_dups)
        for (unsigned i = 0; i < nn; i++)
            for (unsigned j = 0; j < i; j++)
                if (strcmp(names[i]->str, names[j]->str) == 0)
                    kb_jsp_fail(p, names[i]->start, "argument name clash");
}

static bool
kb_jsp_simple_params(const struct kb_jsn *params)
{
    for (const struct kb_jsn *q = params; q; q = q->next)
        if (q->kind != KB_JSN_IDENT)
            return false;
    return true;
}

/* Statements of a function body, with the directive prologue. Returns the
 * BLOCK; sets strict when the prologue says so. */
static struct kb_jsn *
kb_jsp_body_statements(struct kb_jsp *p, bool *became_strict, bool simple)
{
    struct kb_jsn *b = kb_jsp_node(p, KB_JSN_BLOCK, TOK.start);
    kb_jsp_expect(p, KB_JST_LBRACE, "'{'");
    struct kb_jslist l = { 0 };
    bool prologue = true;
    uint32_t octal = 0;
    *became_strict = false;
    while (!kb_jsp_eat(p, KB_JST_RBRACE)) {
        if (TOK.t == KB_JST_EOF)
            kb_jsp_unexpected(p, "'}'");
        bool is_dir = false, use_strict = false;
        uint32_t tstart = TOK.start, tend = TOK.end, toct = TOK.octal;
        if (prologue && TOK.t == KB_JST_STRING) {
            struct kb_jstok nx = kb_jsp_peek(p);
            if (nx.t == KB_JST_SEMI || nx.t == KB_JST_RBRACE || nx.t == KB_JST_EOF || nx.nl) {
                if (!(nx.t == KB_JST_OP || nx.t == KB_JST_DOT || nx.t == KB_JST_LBRACKET ||
                      nx.t == KB_JST_LPAREN || nx.t == KB_JST_TEMPLATE || nx.t == KB_JST_QUESTION ||
                      nx.t == KB_JST_COMMA ||
                      (nx.t == KB_JST_NAME && !nx.esc &&
                       (nx.kw == KB_JSKW_IN || nx.kw == KB_JSKW_INSTANCEOF)))) {
                    is_dir = true;
                    use_strict = tend - tstart == 12 &&
                                 (memcmp(p->lx.src + tstart, "'use strict'", 12) == 0 ||
                                  memcmp(p->lx.src + tstart, "\"use strict\"", 12) == 0);
                }
            }
        }
        if (use_strict) {
            if (!simple)
                kb_jsp_fail(p, tstart,
                            "illegal 'use strict' directive in function with "
                            "non-simple parameter list");
            if (octal)
                kb_jsp_fail(p, octal - 1,
                            "octal escape sequences are not allowed in strict "
                            "mode");
            if (!p->strict)
                *became_strict = true;
            p->strict = true;
        }
        if (is_dir && toct && !octal)
            octal = toct;
        struct kb_jsn *s = kb_jsp_statement(p, 0, false);
        if (is_dir && s->kind == KB_JSN_EXPR_STMT && s->a->kind == KB_JSN_STR)
            s->flags |= KB_JSN_F_DIRECTIVE;
        else
            prologue = false;
        kb_jsl_add(&l, s);
    }
    b->a = l.head;
    return kb_jsp_finish(p, b);
}

/*
 * Parameters and body of a function whose frame is already pushed; fn->a (id)
 * is set by the caller. Applies the checks that depend on strictness.
 */
static void
kb_jsp_fn_body(struct kb_jsp *p, struct kb_jsn *fn, bool is_method)
{
    bool old_strict = p->strict;
    uint32_t oy = p->yield_pos, oa = p->await_pos, oai = p->await_ident_pos;
    p->yield_pos = p->await_pos = p->await_ident_pos = 0;
    unsigned olabels = p->label_base, oloops = p->loops, osw = p->switches;
    p->label_base = p->nlabels;
    p->loops = p->switches = 0;
    /* Parameters. */
    kb_jsp_expect(p, KB_JST_LPAREN, "'(' before the parameters");
    struct kb_jslist l = { 0 };
    while (!kb_jsp_eat(p, KB_JST_RPAREN)) {
        if (TOK.t == KB_JST_ELLIPSIS) {
            struct kb_jsn *r = kb_jsp_node(p, KB_JSN_REST, TOK.start);
            kb_jsp_next(p);
            r->a = kb_jsp_binding_atom(p);
            if (kb_jsp_is_op(p, KB_JS_OP_ASSIGN))
                kb_jsp_fail(p, TOK.start, "rest parameter cannot have a default value");
            kb_jsl_add(&l, kb_jsp_finish(p, r));
            if (TOK.t == KB_JST_COMMA)
                kb_jsp_fail(p, TOK.start, "comma is not permitted after the rest element");
            kb_jsp_expect(p, KB_JST_RPAREN, "')' after the rest parameter");
            break;
        }
        uint32_t s = TOK.start;
        struct kb_jsn *t = kb_jsp_binding_atom(p);
        if (kb_jsp_is_op(p, KB_JS_OP_ASSIGN)) {
            struct kb_jsn *ap = kb_jsp_node(p, KB_JSN_ASSIGN_PAT, s);
            kb_jsp_next(p);
            ap->a = t;
            ap->b = kb_jsp_assign(p, false, NULL);
            t = kb_jsp_finish(p, ap);
        }
        kb_jsl_add(&l, t);
        if (TOK.t != KB_JST_RPAREN)
            kb_jsp_expect(p, KB_JST_COMMA, "',' or ')'");
    }
    fn->b = l.head;
    if (p->yield_pos && kb_jsp_in_generator(p))
        kb_jsp_fail(p, p->yield_pos - 1, "yield expression in formal parameters");
    if (p->await_pos)
        kb_jsp_fail(p, p->await_pos - 1, "await expression in formal parameters");
    bool simple = kb_jsp_simple_params(fn->b);
    if (simple)
        fn->flags |= KB_JSN_F_SIMPLE;
    bool became;
    fn->c = kb_jsp_body_statements(p, &became, simple);
    if (p->strict)
        fn->flags |= KB_JSN_F_STRICT;
    if (became && fn->a)
        kb_jsp_check_lval_ident(p, fn->a, 1);
    if (became && fn->a) {
        int kw = kb_jsp_kw_of(fn->a);
        if (kw > KB_JSKW_LAST_RESERVED && kw <= KB_JSKW_LAST_STRICT)
            kb_jsp_fail(p, fn->a->start, "the keyword '%s' is reserved in strict mode", fn->a->str);
    }
    kb_jsp_check_params(p, fn, !p->strict && !is_method && simple);
    p->strict = old_strict;
    p->yield_pos = oy;
    p->await_pos = oa;
    p->await_ident_pos = oai;
    p->label_base = olabels;
    p->loops = oloops;
    p->switches = osw;
    kb_jsp_finish(p, fn);
}

/* function [*] name (params) { body } after the 'function' keyword. kind is
 * FUNC_DECL or FUNC_EXPR; for a declaration without a name (export default)
 * hanging_ok is set. */
static struct kb_jsn *
kb_jsp_function(struct kb_jsp *p, uint32_t start, int kind, bool is_async, bool hanging_ok)
{
    kb_jsp_enter(p);
    struct kb_jsn *fn = kb_jsp_node(p, kind, start);
    bool gen = false;
    if (kb_jsp_is_op(p, KB_JS_OP_STAR)) {
        gen = true;
        kb_jsp_next(p);
    }
    if (is_async)
        fn->flags |= KB_JSN_F_ASYNC;
    if (gen)
        fn->flags |= KB_JSN_F_GENERATOR;
    uint16_t fr = KB_JSF_FUNCTION | (is_async ? KB_JSF_ASYNC : 0) | (gen ? KB_JSF_GENERATOR : 0);
    if (TOK.t == KB_JST_NAME) {
        if (kind == KB_JSN_FUNC_DECL) {
            /* The name binds in the enclosing scope: its rules apply. */
            fn->a = kb_jsp_ident(p, false);
            kb_jsp_check_lval_ident(p, fn->a, 1);
        } else {
            kb_jsp_push_frame(p, fr);
            fn->a = kb_jsp_ident(p, false);
            p->nframes--;
            kb_jsp_check_lval_ident(p, fn->a, 1);
        }
    } else if (kind == KB_JSN_FUNC_DECL && !hanging_ok) {
        kb_jsp_unexpected(p, "a function name");
    }
    kb_jsp_push_frame(p, fr);
    kb_jsp_fn_body(p, fn, false);
    p->nframes--;
    LEAVE(p);
    return fn;
}

static struct kb_jsn *
kb_jsp_arrow(struct kb_jsp *p, uint32_t start, struct kb_jsn *params, bool is_async)
{
    kb_jsp_enter(p);
    struct kb_jsn *fn = kb_jsp_node(p, KB_JSN_ARROW, start);
    if (is_async)
        fn->flags |= KB_JSN_F_ASYNC;
    uint16_t fr = KB_JSF_FUNCTION | KB_JSF_ARROW | (is_async ? KB_JSF_ASYNC : 0);
    kb_jsp_push_frame(p, fr);
    /* Convert the cover list into parameters. */
    for (struct kb_jsn *q = params; q; q = q->next) {
        kb_jsp_to_assignable(p, q, true, NULL);
        if (q->kind == KB_JSN_REST && q->next)
            kb_jsp_fail(p, q->start, "rest element must be last element");
        kb_jsp_check_lval(p, q, 1);
    }
    /* Names in arrow parameters are checked in the arrow's context. */
    {
        struct kb_jsn *names[256];
        unsigned nn = 0;
        for (struct kb_jsn *q = params; q; q = q->next)
            kb_jsp_bound_names(p, q, names, &nn, 256);
        for (unsigned i = 0; i < nn; i++) {
            int kw = kb_jsp_kw_of(names[i]);
            if (is_async && kw == KB_JSKW_AWAIT)
                kb_jsp_fail(p, names[i]->start,
                            "cannot use 'await' as identifier inside an "
                            "async function");
            if (kw == KB_JSKW_YIELD && (p->strict || kb_jsp_in_generator(p)))
                kb_jsp_fail(p, names[i]->start, "cannot use 'yield' as a parameter name here");
        }
    }
    fn->b = params;
    kb_jsp_expect(p, KB_JST_ARROW, "'=>'");
    bool old_strict = p->strict;
    uint32_t oy = p->yield_pos, oa = p->await_pos, oai = p->await_ident_pos;
    if (TOK.t == KB_JST_LBRACE) {
        unsigned olabels = p->label_base, oloops = p->loops, osw = p->switches;
        p->label_base = p->nlabels;
        p->loops = p->switches = 0;
        bool simple = kb_jsp_simple_params(params), became;
        fn->c = kb_jsp_body_statements(p, &became, simple);
        p->label_base = olabels;
        p->loops = oloops;
        p->switches = osw;
        if (simple)
            fn->flags |= KB_JSN_F_SIMPLE;
    } else {
        fn->flags |= KB_JSN_F_EXPR_BODY;
        if (kb_jsp_simple_params(params))
            fn->flags |= KB_JSN_F_SIMPLE;
        fn->c = kb_jsp_assign(p, false, NULL);
    }
    if (p->strict)
        fn->flags |= KB_JSN_F_STRICT;
    kb_jsp_check_params(p, fn, false);
    p->strict = old_strict;
    p->yield_pos = oy;
    p->await_pos = oa;
    p->await_ident_pos = oai;
    p->nframes--;
    LEAVE(p);
    return kb_jsp_finish(p, fn);
}

/* A binding target: identifier, [array] or {object} pattern. */
static struct kb_jsn *
kb_jsp_binding_atom(struct kb_jsp *p)
{
    kb_jsp_enter(p);
    struct kb_jsn *n;
    if (TOK.t == KB_JST_LBRACKET) {
        n = kb_jsp_node(p, KB_JSN_ARRAY_PAT, TOK.start);
        struct kb_jslist l = { 0 };
        kb_jsp_next(p);
        while (!kb_jsp_eat(p, KB_JST_RBRACKET)) {
            if (TOK.t == KB_JST_COMMA) {
                struct kb_jsn *h = kb_jsp_node(p, KB_JSN_HOLE, TOK.start);
                kb_jsl_add(&l, h);
                kb_jsp_next(p);
                continue;
            }
            if (TOK.t == KB_JST_ELLIPSIS) {
                struct kb_jsn *r = kb_jsp_node(p, KB_JSN_REST, TOK.start);
                kb_jsp_next(p);
                r->a = kb_jsp_binding_atom(p);
                kb_jsl_add(&l, kb_jsp_finish(p, r));
                kb_jsp_expect(p, KB_JST_RBRACKET, "']' after the rest element");
                break;
            }
            uint32_t s = TOK.start;
            struct kb_jsn *t = kb_jsp_binding_atom(p);
            if (kb_jsp_is_op(p, KB_JS_OP_ASSIGN)) {
                struct kb_jsn *ap = kb_jsp_node(p, KB_JSN_ASSIGN_PAT, s);
                kb_jsp_next(p);
                ap->a = t;
                ap->b = kb_jsp_assign(p, false, NULL);
                t = kb_jsp_finish(p, ap);
            }
            kb_jsl_add(&l, t);
            if (TOK.t != KB_JST_RBRACKET)
                kb_jsp_expect(p, KB_JST_COMMA, "',' or ']'");
        }
        n->a = l.head;
    } else if (TOK.t == KB_JST_LBRACE) {
        n = kb_jsp_node(p, KB_JSN_OBJECT_PAT, TOK.start);
        struct kb_jslist l = { 0 };
        kb_jsp_next(p);
        while (!kb_jsp_eat(p, KB_JST_RBRACE)) {
            if (TOK.t == KB_JST_ELLIPSIS) {
                struct kb_jsn *r = kb_jsp_node(p, KB_JSN_REST, TOK.start);
                kb_jsp_next(p);
                if (TOK.t != KB_JST_NAME)
                    kb_jsp_unexpected(p, "an identifier after '...'");
                r->a = kb_jsp_ident(p, false);
                kb_jsl_add(&l, kb_jsp_finish(p, r));
                kb_jsp_expect(p, KB_JST_RBRACE, "'}' after the rest element");
                break;
            }
            struct kb_jsn *prop = kb_jsp_node(p, KB_JSN_PROPERTY, TOK.start);
            prop->op = KB_JS_P_INIT;
            uint32_t ks = TOK.start;
            int kt = TOK.t, kkw = TOK.kw;
            kb_jsp_property_name(p, prop);
            if (prop->a->kind == KB_JSN_PRIVATE_NAME)
                kb_jsp_fail(p, ks, "private name in a pattern");
            struct kb_jsn *t;
            if (kb_jsp_eat(p, KB_JST_COLON)) {
                t = kb_jsp_binding_atom(p);
            } else {
                if (kt != KB_JST_NAME || (prop->flags & KB_JSN_F_COMPUTED))
                    kb_jsp_unexpected(p, "':'");
                kb_jsp_check_unreserved(p, ks, prop->a->str, kkw);
                prop->flags |= KB_JSN_F_SHORTHAND;
                t = kb_jsp_node(p, KB_JSN_IDENT, prop->a->start);
                t->str = prop->a->str;
                t->len = prop->a->len;
                t->end = prop->a->end;
            }
            if (kb_jsp_is_op(p, KB_JS_OP_ASSIGN)) {
                struct kb_jsn *ap = kb_jsp_node(p, KB_JSN_ASSIGN_PAT, t->start);
                kb_jsp_next(p);
                ap->a = t;
                ap->b = kb_jsp_assign(p, false, NULL);
                t = kb_jsp_finish(p, ap);
            }
            prop->b = t;
            kb_jsl_add(&l, kb_jsp_finish(p, prop));
            if (TOK.t != KB_JST_RBRACE)
                kb_jsp_expect(p, KB_JST_COMMA, "',' or '}'");
        }
        n->a = l.head;
    } else {
        n = kb_jsp_ident(p, false);
        LEAVE(p);
        return n;
    }
    LEAVE(p);
    return kb_jsp_finish(p, n);
}

/* ---- Classes ---- */

static bool
kb_jsp_key_is(const struct kb_jsn *m, const char *name)
{
    if (m->flags & KB_JSN_F_COMPUTED)
        return false;
    const struct kb_jsn *k = m->a;
    return (k->kind == KB_JSN_IDENT || k->kind == KB_JSN_STR) && kb_jsp_str_eq(k->str, name);
}

static void
kb_jsp_declare_private(struct kb_jsp *p, struct kb_jsn *name, int kind, bool is_static,
                       uint32_t first)
{
    if (kb_jsp_str_eq(name->str, "constructor"))
        kb_jsp_fail(p, name->start, "classes can't have an element named '#constructor'");
    for (uint32_t i = first; i < p->npriv; i++) {
        struct kb_jspriv *q = &p->priv[i];
        if (q->kind == 0 || q->depth != p->class_depth || strcmp(q->name, name->str) != 0)
            continue;
        bool pair = ((q->kind == 2 && kind == 3) || (q->kind == 3 && kind == 2)) &&
                    q->is_static == is_static;
        if (!pair)
            kb_jsp_fail(p, name->start, "identifier '#%s' has already been declared", name->str);
        q->kind = 4; /* the pair is complete: a third accessor is a duplicate */
    }
    kb_jsp_use_private(p, name);
    p->priv[p->npriv - 1].kind = (uint8_t)kind;
    p->priv[p->npriv - 1].is_static = is_static;
}

/* At the end of a class body: every use must match a declaration of this
 * class or be left for an enclosing class. */
static void
kb_jsp_resolve_private(struct kb_jsp *p, uint32_t first)
{
    uint32_t keep = first;
    for (uint32_t i = first; i < p->npriv; i++) {
        struct kb_jspriv *u = &p->priv[i];
        if (u->kind != 0)
            continue;
        bool found = false;
        for (uint32_t j = first; j < p->npriv && !found; j++)
            found = p->priv[j].kind != 0 && p->priv[j].depth == p->class_depth &&
                    strcmp(p->priv[j].name, u->name) == 0;
        if (found)
            continue;
        if (p->class_depth == 1)
            kb_jsp_fail(p, u->pos, "private field '#%s' must be declared in an enclosing class",
                        u->name);
        u->depth = p->class_depth - 1;
        p->priv[keep++] = *u;
    }
    p->npriv = keep;
}

static struct kb_jsn *
kb_jsp_class_member(struct kb_jsp *p, bool derived, bool *had_ctor, uint32_t priv_first)
{
    uint32_t start = TOK.start;
    bool is_static = false, is_async = false, is_gen = false;
    int kind = KB_JS_M_METHOD;
    /* 'static', 'async', 'get', 'set' are keys themselves when followed by
     * '(' '=' ';' '}' or a line break (fields). */
    if (kb_jsp_is_kw(p, KB_JSKW_STATIC)) {
        struct kb_jstok nx = kb_jsp_peek(p);
        if (nx.t == KB_JST_LBRACE) {
            kb_jsp_next(p);
            struct kb_jsn *sb = kb_jsp_node(p, KB_JSN_STATIC_BLOCK, start);
            kb_jsp_next(p);
            kb_jsp_push_frame(p, KB_JSF_STATIC_BLOCK | KB_JSF_SUPER);
            unsigned olabels = p->label_base, oloops = p->loops, osw = p->switches;
            p->label_base = p->nlabels;
            p->loops = p->switches = 0;
            uint32_t oa = p->await_ident_pos;
            struct kb_jslist l = { 0 };
            while (!kb_jsp_eat(p, KB_JST_RBRACE)) {
                if (TOK.t == KB_JST_EOF)
                    kb_jsp_unexpected(p, "'}'");
                kb_jsl_add(&l, kb_jsp_statement(p, 0, false));
            }
            p->await_ident_pos = oa;
            p->label_base = olabels;
            p->loops = oloops;
            p->switches = osw;
            p->nframes--;
            sb->a = l.head;
            return kb_jsp_finish(p, sb);
        }
        if (!(nx.t == KB_JST_LPAREN || (nx.t == KB_JST_OP && nx.op == KB_JS_OP_ASSIGN) ||
              nx.t == KB_JST_SEMI || nx.t == KB_JST_RBRACE || nx.t == KB_JST_EOF)) {
            is_static = true;
            kb_jsp_next(p);
        }
    }
    if (kb_jsp_is_kw(p, KB_JSKW_ASYNC)) {
        struct kb_jstok nx = kb_jsp_peek(p);
        if (!(nx.t == KB_JST_LPAREN || (nx.t == KB_JST_OP && nx.op == KB_JS_OP_ASSIGN) ||
              nx.t == KB_JST_SEMI || nx.t == KB_JST_RBRACE || nx.nl)) {
            is_async = true;
            kb_jsp_next(p);
        }
    }
    if (kb_jsp_is_op(p, KB_JS_OP_STAR)) {
        is_gen = true;
        kb_jsp_next(p);
    }
    if (!is_async && !is_gen && (kb_jsp_is_kw(p, KB_JSKW_GET) || kb_jsp_is_kw(p, KB_JSKW_SET))) {
        struct kb_jstok nx = kb_jsp_peek(p);
        if (!(nx.t == KB_JST_LPAREN || (nx.t == KB_JST_OP && nx.op == KB_JS_OP_ASSIGN) ||
              nx.t == KB_JST_SEMI || nx.t == KB_JST_RBRACE || nx.t == KB_JST_EOF)) {
            kind = TOK.kw == KB_JSKW_GET ? KB_JS_M_GET : KB_JS_M_SET;
            kb_jsp_next(p);
        }
    }
    struct kb_jsn *m = kb_jsp_node(p, KB_JSN_METHOD, start);
    if (is_static)
        m->flags |= KB_JSN_F_STATIC;
    kb_jsp_property_name(p, m);
    struct kb_jsn *key = m->a;
    bool is_private = key->kind == KB_JSN_PRIVATE_NAME;
    if (TOK.t == KB_JST_LPAREN || kind != KB_JS_M_METHOD || is_async || is_gen) {
        bool is_ctor = !is_static && kb_jsp_key_is(m, "constructor");
        if (is_ctor) {
            if (kind != KB_JS_M_METHOD)
                kb_jsp_fail(p, key->start, "constructor can't have get/set modifier");
            if (is_async || is_gen)
                kb_jsp_fail(p, key->start, "constructor can't be a generator or async");
            if (*had_ctor)
                kb_jsp_fail(p, key->start, "duplicate constructor in the same class");
            *had_ctor = true;
            kind = KB_JS_M_CONSTRUCTOR;
        }
        if (is_static && kb_jsp_key_is(m, "prototype"))
            kb_jsp_fail(p, key->start, "classes may not have a static property named prototype");
        if (is_private)
            kb_jsp_declare_private(p, key,
                                   kind == KB_JS_M_GET   ? 2
                                   : kind == KB_JS_M_SET ? 3
                                                         : 1,
                                   is_static, priv_first);
        m->op = (uint8_t)kind;
        uint16_t fr = KB_JSF_FUNCTION | KB_JSF_SUPER | (is_async ? KB_JSF_ASYNC : 0) |
                      (is_gen ? KB_JSF_GENERATOR : 0) |
                      (is_ctor && derived ? KB_JSF_DIRECT_SUPER : 0);
        struct kb_jsn *fn = kb_jsp_node(p, KB_JSN_FUNC_EXPR, TOK.start);
        if (is_async)
            fn->flags |= KB_JSN_F_ASYNC;
        if (is_gen)
            fn->flags |= KB_JSN_F_GENERATOR;
        kb_jsp_push_frame(p, fr);
        kb_jsp_fn_body(p, fn, true);
        p->nframes--;
        m->b = fn;
        int np = 0;
        for (struct kb_jsn *q = fn->b; q; q = q->next)
            np++;
        if (kind == KB_JS_M_GET && np != 0)
            kb_jsp_fail(p, fn->start, "getter should have no params");
        if (kind == KB_JS_M_SET && (np != 1 || fn->b->kind == KB_JSN_REST))
            kb_jsp_fail(p, fn->start, "setter should have exactly one param");
        return kb_jsp_finish(p, m);
    }
    /* A field. */
    m->kind = KB_JSN_FIELD;
    if (kb_jsp_key_is(m, "constructor"))
        kb_jsp_fail(p, key->start, "classes can't have a field named 'constructor'");
    if (is_static && kb_jsp_key_is(m, "prototype"))
        kb_jsp_fail(p, key->start, "classes can't have a static field named 'prototype'");
    if (is_private)
        kb_jsp_declare_private(p, key, 1, is_static, priv_first);
    if (kb_jsp_is_op(p, KB_JS_OP_ASSIGN)) {
        kb_jsp_next(p);
        kb_jsp_push_frame(p, KB_JSF_FIELD_INIT | KB_JSF_SUPER);
        uint32_t oai = p->await_ident_pos;
        m->b = kb_jsp_assign(p, false, NULL);
        p->await_ident_pos = oai;
        p->nframes--;
    }
    kb_jsp_semicolon(p);
    return kb_jsp_finish(p, m);
}

static struct kb_jsn *
kb_jsp_class(struct kb_jsp *p, bool is_stmt, bool id_optional)
{
    kb_jsp_enter(p);
    struct kb_jsn *c = kb_jsp_node(p, is_stmt ? KB_JSN_CLASS_DECL : KB_JSN_CLASS_EXPR, TOK.start);
    kb_jsp_next(p);
    bool old_strict = p->strict;
    p->strict = true; /* all parts of a class are strict code */
    if (TOK.t == KB_JST_NAME && !kb_jsp_is_kw(p, KB_JSKW_EXTENDS)) {
        c->a = kb_jsp_ident(p, false);
        kb_jsp_check_lval_ident(p, c->a, 2);
    } else if (!id_optional) {
        kb_jsp_unexpected(p, "a class name");
    }
    if (kb_jsp_eat_kw(p, KB_JSKW_EXTENDS)) {
        uint32_t s = TOK.start;
        struct kb_jsn *sup = kb_jsp_atom(p, NULL);
        c->b = kb_jsp_subscripts(p, sup, s, false);
    }
    kb_jsp_expect(p, KB_JST_LBRACE, "'{' opening the class body");
    p->class_depth++;
    uint32_t priv_first = p->npriv;
    struct kb_jslist l = { 0 };
    bool had_ctor = false;
    while (!kb_jsp_eat(p, KB_JST_RBRACE)) {
        if (kb_jsp_eat(p, KB_JST_SEMI))
            continue;
        if (TOK.t == KB_JST_EOF)
            kb_jsp_unexpected(p, "'}' closing the class body");
        kb_jsl_add(&l, kb_jsp_class_member(p, c->b != NULL, &had_ctor, priv_first));
    }
    c->c = l.head;
    kb_jsp_resolve_private(p, priv_first);
    p->class_depth--;
    p->strict = old_strict;
    LEAVE(p);
    return kb_jsp_finish(p, c);
}

/* ---- Statements ---- */

static struct kb_jsn *
kb_jsp_var(struct kb_jsp *p, uint32_t start, int kind, bool in_for)
{
    struct kb_jsn *n = kb_jsp_node(p, KB_JSN_VAR_DECL, start);
    n->op = (uint8_t)kind;
    struct kb_jslist l = { 0 };
    for (;;) {
        struct kb_jsn *d = kb_jsp_node(p, KB_JSN_DECLARATOR, TOK.start);
        d->a = kb_jsp_binding_atom(p);
        kb_jsp_check_lval(p, d->a, kind == KB_JS_VAR ? 1 : 2);
        if (kb_jsp_is_op(p, KB_JS_OP_ASSIGN)) {
            kb_jsp_next(p);
            d->b = kb_jsp_assign(p, in_for, NULL);
        } else if (!in_for || !(kb_jsp_is_kw(p, KB_JSKW_IN) || kb_jsp_is_kw(p, KB_JSKW_OF))) {
            if (kind == KB_JS_CONST)
                kb_jsp_unexpected(p, "'=' (a const needs an initializer)");
            if (d->a->kind != KB_JSN_IDENT)
                kb_jsp_unexpected(p, "'=' (a destructuring declaration needs an initializer)");
        }
        kb_jsl_add(&l, kb_jsp_finish(p, d));
        if (!kb_jsp_eat(p, KB_JST_COMMA))
            break;
    }
    n->a = l.head;
    return kb_jsp_finish(p, n);
}

/* Whether 'let' here starts a declaration. context != 0 is a single-statement
 * position (if body, loop body, label), where only 'let [' is decided. */
static bool
kb_jsp_is_let(struct kb_jsp *p, int context)
{
    if (!kb_jsp_is_kw(p, KB_JSKW_LET))
        return false;
    struct kb_jstok nx = kb_jsp_peek(p);
    if (nx.t == KB_JST_LBRACKET)
        return true;
    if (context)
        return false;
    if (nx.t == KB_JST_LBRACE)
        return true;
    if (nx.t == KB_JST_NAME) {
        if (!nx.esc && (nx.kw == KB_JSKW_IN || nx.kw == KB_JSKW_INSTANCEOF))
            return false;
        return true;
    }
    return false;
}

static bool
kb_jsp_is_async_function(struct kb_jsp *p)
{
    if (!kb_jsp_is_kw(p, KB_JSKW_ASYNC))
        return false;
    struct kb_jstok nx = kb_jsp_peek(p);
    return nx.t == KB_JST_NAME && nx.kw == KB_JSKW_FUNCTION && !nx.esc && !nx.nl;
}

/* A loop body: a single-statement position ('l'); the loop counter is kept
 * by the caller so that unlabeled break and continue find it. */
static struct kb_jsn *
kb_jsp_loop_body(struct kb_jsp *p)
{
    return kb_jsp_statement(p, 'l', false);
}

static struct kb_jsn *
kb_jsp_for(struct kb_jsp *p, uint32_t start)
{
    kb_jsp_next(p);
    bool is_await = false;
    if (kb_jsp_is_kw(p, KB_JSKW_AWAIT) && kb_jsp_can_await(p)) {
        is_await = true;
        if (!p->await_pos)
            p->await_pos = TOK.start + 1;
        kb_jsp_next(p);
    }
    kb_jsp_expect(p, KB_JST_LPAREN, "'(' after for");
    struct kb_jsn *init = NULL;
    if (TOK.t == KB_JST_SEMI) {
        if (is_await)
            kb_jsp_unexpected(p, "'of' in for await");
        goto plain;
    }
    bool is_let = kb_jsp_is_let(p, 0);
    if (kb_jsp_is_kw(p, KB_JSKW_VAR) || kb_jsp_is_kw(p, KB_JSKW_CONST) || is_let) {
        int kind = TOK.kw == KB_JSKW_VAR   ? KB_JS_VAR
                   : TOK.kw == KB_JSKW_LET ? KB_JS_LET
                                           : KB_JS_CONST;
        uint32_t s = TOK.start;
        kb_jsp_next(p);
        init = kb_jsp_var(p, s, kind, true);
        if (kb_jsp_is_kw(p, KB_JSKW_IN) || kb_jsp_is_kw(p, KB_JSKW_OF)) {
            bool of = TOK.kw == KB_JSKW_OF;
            if (init->a->next)
                kb_jsp_fail(p, init->start,
                            "only one variable declaration is allowed in a "
                            "for-%s loop",
                            of ? "of" : "in");
            if (init->a->b) {
                /* Annex B: for (var x = 1 in o) in sloppy code only. */
                if (of || p->strict || kind != KB_JS_VAR || init->a->a->kind != KB_JSN_IDENT)
                    kb_jsp_fail(p, init->start,
                                "for-%s loop variable declaration may not have "
                                "an initializer",
                                of ? "of" : "in");
            }
            if (is_await && !of)
                kb_jsp_unexpected(p, "'of' in for await");
            goto forin;
        }
        if (is_await)
            kb_jsp_unexpected(p, "'of' in for await");
        /* Now the declarators must be complete. */
        for (struct kb_jsn *d = init->a; d; d = d->next)
            if (!d->b && (kind == KB_JS_CONST || d->a->kind != KB_JSN_IDENT))
                kb_jsp_fail(p, d->start, "missing initializer in declaration");
        goto plain;
    }
    {
        bool starts_with_let = kb_jsp_is_kw(p, KB_JSKW_LET);
        bool starts_with_async = kb_jsp_is_kw(p, KB_JSKW_ASYNC);
        struct kb_jsrde rde;
        kb_jsrde_init(&rde);
        init = kb_jsp_expression(p, true, &rde);
        if (kb_jsp_is_kw(p, KB_JSKW_IN) || kb_jsp_is_kw(p, KB_JSKW_OF)) {
            bool of = TOK.kw == KB_JSKW_OF;
            if (is_await && !of)
                kb_jsp_unexpected(p, "'of' in for await");
            if (of && starts_with_let)
                kb_jsp_fail(p, init->start,
                            "the left-hand side of a for-of loop may not start "
                            "with 'let'");
            if (of && starts_with_async && !is_await && init->kind == KB_JSN_IDENT &&
                !(init->flags & KB_JSN_F_PAREN))
                kb_jsp_fail(p, init->start,
                            "the left-hand side of a for-of loop may not be "
                            "'async'");
            if (init->kind == KB_JSN_OBJECT || init->kind == KB_JSN_ARRAY) {
                if (init->flags & KB_JSN_F_PAREN)
                    kb_jsp_fail(p, init->start, "parenthesized pattern");
                kb_jsp_to_assignable(p, init, false, &rde);
            } else if (!kb_jsp_simple_target(init)) {
                kb_jsp_fail(p, init->start, "invalid left-hand side in for-%s loop",
                            of ? "of" : "in");
            }
            if (init->kind == KB_JSN_IDENT)
                kb_jsp_check_lval_ident(p, init, 0);
            goto forin;
        }
        kb_jsp_check_expr_errors(p, &rde);
        if (is_await)
            kb_jsp_unexpected(p, "'of' in for await");
    }
plain : {
    struct kb_jsn *n = kb_jsp_node(p, KB_JSN_FOR, start);
    n->a = init;
    kb_jsp_expect(p, KB_JST_SEMI, "';'");
    if (TOK.t != KB_JST_SEMI)
        n->b = kb_jsp_expression(p, false, NULL);
    kb_jsp_expect(p, KB_JST_SEMI, "';'");
    if (TOK.t != KB_JST_RPAREN)
        n->c = kb_jsp_expression(p, false, NULL);
    kb_jsp_expect(p, KB_JST_RPAREN, "')'");
    n->d = kb_jsp_loop_body(p);
    return kb_jsp_finish(p, n);
}
forin : {
    bool of = TOK.kw == KB_JSKW_OF;
    struct kb_jsn *n = kb_jsp_node(p, of ? KB_JSN_FOR_OF : KB_JSN_FOR_IN, start);
    if (is_await)
        n->flags |= KB_JSN_F_AWAIT;
    kb_jsp_next(p);
    n->a = init;
    n->b = of ? kb_jsp_assign(p, false, NULL) : kb_jsp_expression(p, false, NULL);
    kb_jsp_expect(p, KB_JST_RPAREN, "')'");
    n->d = kb_jsp_loop_body(p);
    return kb_jsp_finish(p, n);
}
}

static struct kb_jsn *
kb_jsp_string_lit(struct kb_jsp *p)
{
    if (TOK.t != KB_JST_STRING)
        kb_jsp_unexpected(p, "a module specifier string");
    return kb_jsp_literal(p, KB_JSN_STR);
}

/* Import attributes: with { type: "json" } (assert is the older spelling). */
static struct kb_jsn *
kb_jsp_attributes(struct kb_jsp *p)
{
    if ((kb_jsp_is_kw(p, KB_JSKW_WITH) || (kb_jsp_is_kw(p, KB_JSKW_ASSERT) && !TOK.nl))) {
        kb_jsp_next(p);
        if (TOK.t != KB_JST_LBRACE)
            kb_jsp_unexpected(p, "'{' opening the import attributes");
        return kb_jsp_object(p, NULL);
    }
    return NULL;
}

/* A module export/import name: identifier name or string. */
static struct kb_jsn *
kb_jsp_module_name(struct kb_jsp *p)
{
    if (TOK.t == KB_JST_STRING) {
        /* Must be well-formed Unicode: lone surrogates are refused. */
        const unsigned char *s = (const unsigned char *)TOK.str;
        for (uint32_t i = 0; i + 2 < TOK.len + 1 && i < TOK.len; i++)
            if (s[i] == 0xed && i + 1 < TOK.len && s[i + 1] >= 0xa0)
                kb_jsp_fail(p, TOK.start, "an export name cannot include a lone surrogate");
        return kb_jsp_literal(p, KB_JSN_STR);
    }
    return kb_jsp_ident(p, true);
}

static struct kb_jsn *
kb_jsp_import(struct kb_jsp *p, uint32_t start)
{
    struct kb_jsn *n = kb_jsp_node(p, KB_JSN_IMPORT, start);
    kb_jsp_next(p);
    struct kb_jslist l = { 0 };
    if (TOK.t != KB_JST_STRING) {
        if (TOK.t == KB_JST_NAME) {
            struct kb_jsn *d = kb_jsp_node(p, KB_JSN_IMPORT_DEFAULT, TOK.start);
            d->b = kb_jsp_ident(p, false);
            kb_jsp_check_lval_ident(p, d->b, 2);
            kb_jsl_add(&l, kb_jsp_finish(p, d));
            if (!kb_jsp_eat(p, KB_JST_COMMA))
                goto from;
        }
        if (kb_jsp_is_op(p, KB_JS_OP_STAR)) {
            struct kb_jsn *d = kb_jsp_node(p, KB_JSN_IMPORT_NS, TOK.start);
            kb_jsp_next(p);
            kb_jsp_expect_kw(p, KB_JSKW_AS, "'as'");
            d->b = kb_jsp_ident(p, false);
            kb_jsp_check_lval_ident(p, d->b, 2);
            kb_jsl_add(&l, kb_jsp_finish(p, d));
        } else if (TOK.t == KB_JST_LBRACE) {
            kb_jsp_next(p);
            while (!kb_jsp_eat(p, KB_JST_RBRACE)) {
                struct kb_jsn *s = kb_jsp_node(p, KB_JSN_IMPORT_SPEC, TOK.start);
                int kw = TOK.kw;
                uint32_t ks = TOK.start;
                bool was_string = TOK.t == KB_JST_STRING;
                s->a = kb_jsp_module_name(p);
                if (kb_jsp_eat_kw(p, KB_JSKW_AS)) {
                    s->b = kb_jsp_ident(p, false);
                } else {
                    if (was_string)
                        kb_jsp_unexpected(p, "'as' after a string import name");
                    kb_jsp_check_unreserved(p, ks, s->a->str, kw);
                    s->b = kb_jsp_node(p, KB_JSN_IDENT, s->a->start);
                    s->b->str = s->a->str;
                    s->b->len = s->a->len;
                    s->b->end = s->a->end;
                }
                kb_jsp_check_lval_ident(p, s->b, 2);
                kb_jsl_add(&l, kb_jsp_finish(p, s));
                if (TOK.t != KB_JST_RBRACE)
                    kb_jsp_expect(p, KB_JST_COMMA, "',' or '}'");
            }
        } else {
            kb_jsp_unexpected(p, "'{', '*' or a name after import");
        }
    from:
        kb_jsp_expect_kw(p, KB_JSKW_FROM, "'from'");
    }
    n->a = l.head;
    n->b = kb_jsp_string_lit(p);
    n->c = kb_jsp_attributes(p);
    kb_jsp_semicolon(p);
    return kb_jsp_finish(p, n);
}

static struct kb_jsn *
kb_jsp_export(struct kb_jsp *p, uint32_t start)
{
    kb_jsp_next(p);
    if (kb_jsp_is_op(p, KB_JS_OP_STAR)) {
        struct kb_jsn *n = kb_jsp_node(p, KB_JSN_EXPORT_ALL, start);
        kb_jsp_next(p);
        if (kb_jsp_eat_kw(p, KB_JSKW_AS))
            n->a = kb_jsp_module_name(p);
        kb_jsp_expect_kw(p, KB_JSKW_FROM, "'from'");
        n->b = kb_jsp_string_lit(p);
        n->c = kb_jsp_attributes(p);
        kb_jsp_semicolon(p);
        return kb_jsp_finish(p, n);
    }
    if (kb_jsp_eat_kw(p, KB_JSKW_DEFAULT)) {
        struct kb_jsn *n = kb_jsp_node(p, KB_JSN_EXPORT_DEFAULT, start);
        uint32_t s = TOK.start;
        if (kb_jsp_is_kw(p, KB_JSKW_FUNCTION) || kb_jsp_is_async_function(p)) {
            bool is_async = kb_jsp_is_kw(p, KB_JSKW_ASYNC);
            kb_jsp_next(p);
            if (is_async)
                kb_jsp_next(p);
            n->a = kb_jsp_function(p, s, KB_JSN_FUNC_DECL, is_async, true);
        } else if (kb_jsp_is_kw(p, KB_JSKW_CLASS)) {
            n->a = kb_jsp_class(p, true, true);
        } else {
            n->a = kb_jsp_assign(p, false, NULL);
            kb_jsp_semicolon(p);
        }
        return kb_jsp_finish(p, n);
    }
    struct kb_jsn *n = kb_jsp_node(p, KB_JSN_EXPORT_NAMED, start);
    if (TOK.t == KB_JST_LBRACE) {
        kb_jsp_next(p);
        struct kb_jslist l = { 0 };
        bool any_string_local = false;
        while (!kb_jsp_eat(p, KB_JST_RBRACE)) {
            struct kb_jsn *s = kb_jsp_node(p, KB_JSN_EXPORT_SPEC, TOK.start);
            if (TOK.t == KB_JST_STRING)
                any_string_local = true;
            s->a = kb_jsp_module_name(p);
            s->b = kb_jsp_eat_kw(p, KB_JSKW_AS) ? kb_jsp_module_name(p) : s->a;
            kb_jsl_add(&l, kb_jsp_finish(p, s));
            if (TOK.t != KB_JST_RBRACE)
                kb_jsp_expect(p, KB_JST_COMMA, "',' or '}'");
        }
        n->b = l.head;
        if (kb_jsp_eat_kw(p, KB_JSKW_FROM)) {
            n->c = kb_jsp_string_lit(p);
            n->d = kb_jsp_attributes(p);
        } else {
            /* Local names must be plain, unreserved identifiers. */
            if (any_string_local)
                kb_jsp_fail(p, start, "a string export name needs 'from'");
            for (struct kb_jsn *q = n->b; q; q = q->next) {
                int kw = kb_jsp_kw_of(q->a);
                if ((kw && kw <= KB_JSKW_LAST_STRICT) || kw == KB_JSKW_AWAIT)
                    kb_jsp_fail(p, q->a->start, "unexpected keyword '%s'", q->a->str);
            }
        }
        kb_jsp_semicolon(p);
        return kb_jsp_finish(p, n);
    }
    /* export declaration */
    uint32_t s = TOK.start;
    if (kb_jsp_is_kw(p, KB_JSKW_VAR) || kb_jsp_is_kw(p, KB_JSKW_CONST) ||
        kb_jsp_is_kw(p, KB_JSKW_LET)) {
        int kind = TOK.kw == KB_JSKW_VAR   ? KB_JS_VAR
                   : TOK.kw == KB_JSKW_LET ? KB_JS_LET
                                           : KB_JS_CONST;
        kb_jsp_next(p);
        n->a = kb_jsp_var(p, s, kind, false);
        kb_jsp_semicolon(p);
    } else if (kb_jsp_is_kw(p, KB_JSKW_FUNCTION) || kb_jsp_is_async_function(p)) {
        bool is_async = kb_jsp_is_kw(p, KB_JSKW_ASYNC);
        kb_jsp_next(p);
        if (is_async)
            kb_jsp_next(p);
        n->a = kb_jsp_function(p, s, KB_JSN_FUNC_DECL, is_async, false);
    } else if (kb_jsp_is_kw(p, KB_JSKW_CLASS)) {
        n->a = kb_jsp_class(p, true, false);
    } else {
        kb_jsp_unexpected(p, "a declaration, '{', '*' or 'default' after export");
    }
    return kb_jsp_finish(p, n);
}

static struct kb_jsn *
kb_jsp_block(struct kb_jsp *p)
{
    struct kb_jsn *b = kb_jsp_node(p, KB_JSN_BLOCK, TOK.start);
    kb_jsp_expect(p, KB_JST_LBRACE, "'{'");
    struct kb_jslist l = { 0 };
    while (!kb_jsp_eat(p, KB_JST_RBRACE)) {
        if (TOK.t == KB_JST_EOF)
            kb_jsp_unexpected(p, "'}'");
        kb_jsl_add(&l, kb_jsp_statement(p, 0, false));
    }
    b->a = l.head;
    return kb_jsp_finish(p, b);
}

/* Breaks and continues: the label must exist (and be a loop's, for continue). */
static struct kb_jsn *
kb_jsp_break_continue(struct kb_jsp *p, uint32_t start, bool is_break, bool in_loop, bool in_switch)
{
    struct kb_jsn *n = kb_jsp_node(p, is_break ? KB_JSN_BREAK : KB_JSN_CONTINUE, start);
    kb_jsp_next(p);
    if (TOK.t == KB_JST_NAME && !TOK.nl && !kb_jsp_can_asi(p)) {
        n->a = kb_jsp_ident(p, false);
        bool found = false;
        for (unsigned i = p->nlabels; i-- > p->label_base && !found;) {
            if (strcmp(p->labels[i].name, n->a->str) == 0) {
                if (!is_break && p->labels[i].kind != 1)
                    kb_jsp_fail(p, start, "continue to a label that is not a loop's");
                found = true;
            }
        }
        if (!found)
            kb_jsp_fail(p, n->a->start, "undefined label '%s'", n->a->str);
    } else if (is_break ? !(in_loop || in_switch) : !in_loop) {
        kb_jsp_fail(p, start, "illegal %s statement", is_break ? "break" : "continue");
    }
    kb_jsp_semicolon(p);
    return kb_jsp_finish(p, n);
}

/*
 * One statement or declaration. context is 0 where declarations may appear
 * (a statement list), else the single-statement position it fills: 'i' the
 * body of if/else (sloppy code may put a plain function there, Annex B), 'l'
 * a loop body, 'w' a with body, 'L' a labelled statement in a list (sloppy
 * code may label a plain function), 'X' a label inside any other position.
 * top: the module or script's own statement list (import/export allowed).
 */
static struct kb_jsn *
kb_jsp_statement(struct kb_jsp *p, int context, bool top)
{
    kb_jsp_enter(p);
    uint32_t start = TOK.start;
    struct kb_jsn *n = NULL;
    struct kb_jsp *fl = p;
    if (TOK.t == KB_JST_NAME && !TOK.esc) {
        switch (TOK.kw) {
        case KB_JSKW_BREAK:
        case KB_JSKW_CONTINUE:
            n = kb_jsp_break_continue(p, start, TOK.kw == KB_JSKW_BREAK, fl->loops > 0,
                                      fl->switches > 0);
            goto done;
        case KB_JSKW_DEBUGGER:
            n = kb_jsp_node(p, KB_JSN_DEBUGGER, start);
            kb_jsp_next(p);
            kb_jsp_semicolon(p);
            kb_jsp_finish(p, n);
            goto done;
        case KB_JSKW_DO: {
            n = kb_jsp_node(p, KB_JSN_DO_WHILE, start);
            kb_jsp_next(p);
            fl->loops++;
            n->d = kb_jsp_loop_body(p);
            fl->loops--;
            kb_jsp_expect_kw(p, KB_JSKW_WHILE, "'while'");
            kb_jsp_expect(p, KB_JST_LPAREN, "'('");
            n->a = kb_jsp_expression(p, false, NULL);
            kb_jsp_expect(p, KB_JST_RPAREN, "')'");
            kb_jsp_eat(p, KB_JST_SEMI); /* ASI applies after do-while unconditionally */
            kb_jsp_finish(p, n);
            goto done;
        }
        case KB_JSKW_FOR:
            fl->loops++;
            n = kb_jsp_for(p, start);
            fl->loops--;
            goto done;
        case KB_JSKW_FUNCTION:
            if (context && (p->strict || context != 'i') && context != 'L')
                kb_jsp_fail(p, start,
                            "function declaration not allowed in this statement "
                            "position");
            if (context == 'L' && p->strict)
                kb_jsp_fail(p, start,
                            "labelled function declarations are not allowed in "
                            "strict mode");
            kb_jsp_next(p);
            if (context && kb_jsp_is_op(p, KB_JS_OP_STAR))
                kb_jsp_fail(p, start,
                            "generator declaration not allowed in this statement "
                            "position");
            n = kb_jsp_function(p, start, KB_JSN_FUNC_DECL, false, false);
            goto done;
        case KB_JSKW_CLASS:
            if (context)
                kb_jsp_unexpected(p, "a statement (class declarations need a block)");
            n = kb_jsp_class(p, true, false);
            goto done;
        case KB_JSKW_IF:
            n = kb_jsp_node(p, KB_JSN_IF, start);
            kb_jsp_next(p);
            kb_jsp_expect(p, KB_JST_LPAREN, "'(' after if");
            n->a = kb_jsp_expression(p, false, NULL);
            kb_jsp_expect(p, KB_JST_RPAREN, "')'");
            n->b = kb_jsp_statement(p, 'i', false);
            if (kb_jsp_eat_kw(p, KB_JSKW_ELSE))
                n->c = kb_jsp_statement(p, 'i', false);
            kb_jsp_finish(p, n);
            goto done;
        case KB_JSKW_RETURN:
            if (!kb_jsp_in_function(p))
                kb_jsp_fail(p, start, "'return' outside of function");
            n = kb_jsp_node(p, KB_JSN_RETURN, start);
            kb_jsp_next(p);
            if (!kb_jsp_eat(p, KB_JST_SEMI) && !kb_jsp_can_asi(p)) {
                n->a = kb_jsp_expression(p, false, NULL);
                kb_jsp_semicolon(p);
            }
            kb_jsp_finish(p, n);
            goto done;
        case KB_JSKW_SWITCH: {
            n = kb_jsp_node(p, KB_JSN_SWITCH, start);
            kb_jsp_next(p);
            kb_jsp_expect(p, KB_JST_LPAREN, "'(' after switch");
            n->a = kb_jsp_expression(p, false, NULL);
            kb_jsp_expect(p, KB_JST_RPAREN, "')'");
            kb_jsp_expect(p, KB_JST_LBRACE, "'{'");
            struct kb_jslist cases = { 0 };
            struct kb_jslist *body = NULL;
            struct kb_jslist cur = { 0 };
            struct kb_jsn *cs = NULL;
            bool had_default = false;
            fl->switches++;
            while (!kb_jsp_eat(p, KB_JST_RBRACE)) {
                if (kb_jsp_is_kw(p, KB_JSKW_CASE) || kb_jsp_is_kw(p, KB_JSKW_DEFAULT)) {
                    if (cs) {
                        cs->b = cur.head;
                        kb_jsp_finish(p, cs);
                    }
                    bool is_case = TOK.kw == KB_JSKW_CASE;
                    cs = kb_jsp_node(p, KB_JSN_CASE, TOK.start);
                    kb_jsp_next(p);
                    if (is_case) {
                        cs->a = kb_jsp_expression(p, false, NULL);
                    } else {
                        if (had_default)
                            kb_jsp_fail(p, cs->start, "multiple default clauses");
                        had_default = true;
                    }
                    kb_jsp_expect(p, KB_JST_COLON, "':'");
                    kb_jsl_add(&cases, cs);
                    cur = (struct kb_jslist){ 0 };
                    body = &cur;
                } else {
                    if (!body)
                        kb_jsp_unexpected(p, "'case' or 'default'");
                    if (TOK.t == KB_JST_EOF)
                        kb_jsp_unexpected(p, "'}'");
                    kb_jsl_add(body, kb_jsp_statement(p, 0, false));
                }
            }
            fl->switches--;
            if (cs) {
                cs->b = cur.head;
                cs->end = p->prev_end - 1;
            }
            n->b = cases.head;
            kb_jsp_finish(p, n);
            goto done;
        }
        case KB_JSKW_THROW:
            n = kb_jsp_node(p, KB_JSN_THROW, start);
            kb_jsp_next(p);
            if (TOK.nl)
                kb_jsp_fail(p, p->prev_end, "illegal newline after throw");
            n->a = kb_jsp_expression(p, false, NULL);
            kb_jsp_semicolon(p);
            kb_jsp_finish(p, n);
            goto done;
        case KB_JSKW_TRY: {
            n = kb_jsp_node(p, KB_JSN_TRY, start);
            kb_jsp_next(p);
            n->a = kb_jsp_block(p);
            if (kb_jsp_is_kw(p, KB_JSKW_CATCH)) {
                struct kb_jsn *c = kb_jsp_node(p, KB_JSN_CATCH, TOK.start);
                kb_jsp_next(p);
                if (kb_jsp_eat(p, KB_JST_LPAREN)) {
                    c->a = kb_jsp_binding_atom(p);
                    kb_jsp_check_lval(p, c->a, 2);
                    kb_jsp_expect(p, KB_JST_RPAREN, "')'");
                }
                c->b = kb_jsp_block(p);
                n->b = kb_jsp_finish(p, c);
            }
            if (kb_jsp_eat_kw(p, KB_JSKW_FINALLY))
                n->c = kb_jsp_block(p);
            if (!n->b && !n->c)
                kb_jsp_unexpected(p, "'catch' or 'finally'");
            kb_jsp_finish(p, n);
            goto done;
        }
        case KB_JSKW_CONST:
        case KB_JSKW_VAR: {
            int kind = TOK.kw == KB_JSKW_VAR ? KB_JS_VAR : KB_JS_CONST;
            if (context && kind != KB_JS_VAR)
                kb_jsp_unexpected(p, "a statement (lexical declarations need a block)");
            kb_jsp_next(p);
            n = kb_jsp_var(p, start, kind, false);
            kb_jsp_semicolon(p);
            kb_jsp_finish(p, n);
            goto done;
        }
        case KB_JSKW_LET:
            if (kb_jsp_is_let(p, context)) {
                if (context)
                    kb_jsp_unexpected(p, "a statement (lexical declarations need a block)");
                kb_jsp_next(p);
                n = kb_jsp_var(p, start, KB_JS_LET, false);
                kb_jsp_semicolon(p);
                kb_jsp_finish(p, n);
                goto done;
            }
            break;
        case KB_JSKW_WHILE:
            n = kb_jsp_node(p, KB_JSN_WHILE, start);
            kb_jsp_next(p);
            kb_jsp_expect(p, KB_JST_LPAREN, "'(' after while");
            n->a = kb_jsp_expression(p, false, NULL);
            kb_jsp_expect(p, KB_JST_RPAREN, "')'");
            fl->loops++;
            n->d = kb_jsp_loop_body(p);
            fl->loops--;
            kb_jsp_finish(p, n);
            goto done;
        case KB_JSKW_WITH:
            if (p->strict)
                kb_jsp_fail(p, start, "'with' in strict mode");
            n = kb_jsp_node(p, KB_JSN_WITH, start);
            kb_jsp_next(p);
            kb_jsp_expect(p, KB_JST_LPAREN, "'(' after with");
            n->a = kb_jsp_expression(p, false, NULL);
            kb_jsp_expect(p, KB_JST_RPAREN, "')'");
            n->b = kb_jsp_statement(p, 'w', false);
            kb_jsp_finish(p, n);
            goto done;
        case KB_JSKW_IMPORT: {
            struct kb_jstok nx = kb_jsp_peek(p);
            if (nx.t == KB_JST_LPAREN || nx.t == KB_JST_DOT)
                break;
            if (!p->module)
                kb_jsp_fail(p, start, "'import' declarations may only appear in a module");
            if (!top)
                kb_jsp_fail(p, start, "'import' declarations may only appear at top level");
            n = kb_jsp_import(p, start);
            goto done;
        }
        case KB_JSKW_EXPORT:
            if (!p->module)
                kb_jsp_fail(p, start, "'export' declarations may only appear in a module");
            if (!top)
                kb_jsp_fail(p, start, "'export' declarations may only appear at top level");
            n = kb_jsp_export(p, start);
            goto done;
        case KB_JSKW_ENUM: kb_jsp_fail(p, start, "'enum' is a reserved word");
        case KB_JSKW_ASYNC:
            if (kb_jsp_is_async_function(p)) {
                if (context)
                    kb_jsp_fail(p, start,
                                "async function declaration not allowed in this "
                                "statement position");
                kb_jsp_next(p);
                kb_jsp_next(p);
                n = kb_jsp_function(p, start, KB_JSN_FUNC_DECL, true, false);
                goto done;
            }
            break;
        default: break;
        }
    }
    if (TOK.t == KB_JST_LBRACE) {
        n = kb_jsp_block(p);
        goto done;
    }
    if (TOK.t == KB_JST_SEMI) {
        n = kb_jsp_node(p, KB_JSN_EMPTY, start);
        kb_jsp_next(p);
        kb_jsp_finish(p, n);
        goto done;
    }
    if (TOK.t == KB_JST_OP && TOK.op == KB_JS_OP_LT)
        kb_jsp_fail(p, start, "unexpected '<': JSX and TypeScript are not supported");
    {
        bool maybe_label = TOK.t == KB_JST_NAME;
        struct kb_jsn *e = kb_jsp_expression(p, false, NULL);
        if (maybe_label && e->kind == KB_JSN_IDENT && !(e->flags & KB_JSN_F_PAREN) &&
            TOK.t == KB_JST_COLON) {
            kb_jsp_next(p);
            for (unsigned i = p->label_base; i < p->nlabels; i++)
                if (strcmp(p->labels[i].name, e->str) == 0)
                    kb_jsp_fail(p, e->start, "label '%s' is already declared", e->str);
            if (p->nlabels >= KB_JSP_LABELS_MAX)
                kb_jsp_fail(p, e->start, "too many nested labels");
            /* Labels in a chain (a: b: for ...) all name the loop the chain
             * ends in; kind 3 marks a label whose statement is still pending. */
            bool loop = kb_jsp_is_kw(p, KB_JSKW_FOR) || kb_jsp_is_kw(p, KB_JSKW_WHILE) ||
                        kb_jsp_is_kw(p, KB_JSKW_DO);
            bool chain = false;
            if (!loop && TOK.t == KB_JST_NAME) {
                struct kb_jstok nx = kb_jsp_peek(p);
                chain = nx.t == KB_JST_COLON;
            }
            unsigned first = p->nlabels;
            while (first > p->label_base && p->labels[first - 1].kind == 3)
                first--;
            p->labels[p->nlabels++] = (struct kb_jslabel){ .name = e->str, .kind = 3 };
            if (!chain)
                for (unsigned i = first; i < p->nlabels; i++)
                    p->labels[i].kind = loop ? 1 : 0;
            n = kb_jsp_node(p, KB_JSN_LABELED, start);
            n->a = e;
            n->b = kb_jsp_statement(p, context == 0 || context == 'L' ? 'L' : 'X', false);
            p->nlabels--;
            kb_jsp_finish(p, n);
            goto done;
        }
        n = kb_jsp_node(p, KB_JSN_EXPR_STMT, start);
        n->a = e;
        kb_jsp_semicolon(p);
        kb_jsp_finish(p, n);
    }
done:
    LEAVE(p);
    return n;
}

/* The whole program, with its directive prologue. */
static struct kb_jsn *
kb_jsp_program(struct kb_jsp *p)
{
    struct kb_jsn *prog = kb_jsp_node(p, KB_JSN_PROGRAM, 0);
    if (p->module)
        prog->flags |= KB_JSN_F_MODULE | KB_JSN_F_STRICT;
    struct kb_jslist l = { 0 };
    bool prologue = true;
    uint32_t octal = 0;
    while (TOK.t != KB_JST_EOF) {
        bool is_dir = false;
        uint32_t tstart = TOK.start, tend = TOK.end, toct = TOK.octal;
        if (prologue && TOK.t == KB_JST_STRING) {
            struct kb_jstok nx = kb_jsp_peek(p);
            if ((nx.t == KB_JST_SEMI || nx.t == KB_JST_RBRACE || nx.t == KB_JST_EOF || nx.nl) &&
                !(nx.t == KB_JST_OP || nx.t == KB_JST_DOT || nx.t == KB_JST_LBRACKET ||
                  nx.t == KB_JST_LPAREN || nx.t == KB_JST_TEMPLATE || nx.t == KB_JST_QUESTION ||
                  nx.t == KB_JST_COMMA ||
                  (nx.t == KB_JST_NAME && !nx.esc &&
                   (nx.kw == KB_JSKW_IN || nx.kw == KB_JSKW_INSTANCEOF)))) {
                is_dir = true;
                if (tend - tstart == 12 &&
                    (memcmp(p->lx.src + tstart, "'use strict'", 12) == 0 ||
                     memcmp(p->lx.src + tstart, "\"use strict\"", 12) == 0)) {
                    if (octal)
                        kb_jsp_fail(p, octal - 1,
                                    "octal escape sequences are not allowed in "
                                    "strict mode");
                    p->strict = true;
                    prog->flags |= KB_JSN_F_STRICT;
                }
                if (toct && !octal)
                    octal = toct;
            }
        }
        struct kb_jsn *s = kb_jsp_statement(p, 0, true);
        if (is_dir && s->kind == KB_JSN_EXPR_STMT && s->a->kind == KB_JSN_STR)
            s->flags |= KB_JSN_F_DIRECTIVE;
        else
            prologue = false;
        kb_jsl_add(&l, s);
    }
    prog->a = l.head;
    prog->end = p->lx.len;
    return prog;
}

int
kb_jsast_parse(const char *src, size_t len, bool module, struct kb_jsast *ast, struct kc_diag *diag)
{
    memset(ast, 0, sizeof *ast);
    if (len >= KB_JSAST_SRC_MAX) {
        if (diag)
            kc_diag_set(diag, "", 0, "input too large for the JavaScript parser");
        return KC_ETOOBIG;
    }
    struct kb_jsp *p = calloc(1, sizeof *p);
    if (!p)
        return KC_ENOMEM;
    struct kb_jsast_arena *arena = kb_jsast_arena_new();
    if (!arena) {
        free(p);
        return KC_ENOMEM;
    }
    p->lx.src = src;
    p->lx.len = (uint32_t)len;
    p->lx.module = module;
    p->lx.arena = arena;
    p->lx.diag = diag;
    p->lx.fail = &p->fail;
    p->module = module;
    p->strict = module;
    p->frames[0] = KB_JSF_TOP;
    p->nframes = 1;
    if (setjmp(p->fail)) {
        int err = p->lx.err ? p->lx.err : KC_EPARSE;
        kb_jsast_arena_free(arena);
        free(p->toks);
        free(p);
        return err;
    }
    kb_jslex_next(&p->lx);
    struct kb_jsn *prog = kb_jsp_program(p);
    ast->program = prog;
    ast->module = module;
    ast->arena = arena;
    ast->toks = p->toks;
    ast->ntoks = p->ntoks / 2;
    free(p);
    return 0;
}

bool
kb_jsast_too_deep(const struct kc_diag *d)
{
    return strncmp(d->msg, KB_JSAST_TOO_DEEP, sizeof KB_JSAST_TOO_DEEP - 1) == 0;
}

void
kb_jsast_free(struct kb_jsast *ast)
{
    if (ast->arena)
        kb_jsast_arena_free(ast->arena);
    free(ast->toks);
    memset(ast, 0, sizeof *ast);
}
