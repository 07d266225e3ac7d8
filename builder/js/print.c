/*
 * The JavaScript printer (print.h): a tree back to text. Parentheses come from
 * precedence levels and a few positional rules (what a statement, an arrow
 * body, export default or a for head may not start with), never from F_PAREN.
 * Tokens that would run together get one blank; the output never relies on
 * ASI and puts no line break inside a restricted production. Recursion is
 * bounded by PR_DEPTH_MAX; lists are walked, not recursed.
 */
#include "builder/js/print.h"
#include "common/error.h"
#include "common/quote.h"
#include "common/utf8.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PR_DEPTH_MAX (4 * KB_JSAST_DEPTH_MAX)
#define PR_NONE      SIZE_MAX

/* Precedence levels, lowest first: an expression prints bare where the
 * context asks for its level or lower, in parentheses otherwise. */
enum {
    L_LOWEST,
    L_SEQ,
    L_ASSIGN, /* assignment, arrow, yield, spread */
    L_COND,
    L_NULLISH,
    L_OR,
    L_AND,
    L_BOR,
    L_BXOR,
    L_BAND,
    L_EQ,
    L_CMP,
    L_SHIFT,
    L_ADD,
    L_MUL,
    L_POW,
    L_PREFIX,
    L_POSTFIX,
    L_CALL, /* call, member, new, tagged template */
    L_PRIMARY,
};

/* Expression flags passed down. */
enum {
    X_NO_IN = 1 << 0, /* a for-init: a bare 'in' would end it */
};

struct pr {
    const struct kb_jsprint_opts *o;
    struct kc_buf *out;
    struct kb_jsprint_map *map;
    int err;
    unsigned depth, indent;
    bool prologue;    /* the statement being printed stands in a directive prologue */
    bool seg_pending; /* a node started: map it at the next token */
    uint32_t seg_in;  /* its input offset */
    size_t regex_end; /* out offset just after a regex literal */
    size_t num_end;   /* out offset just after a number literal (`0.` then `in`) */
    /* Output offsets where a construct's first token goes (PR_NONE: none):
     * what may not start it is wrapped in parentheses there. */
    size_t stmt_start;   /* expression statement: function, class, {, let, ({a} = b) */
    size_t arrow_start;  /* concise arrow body: { */
    size_t export_start; /* export default: function, class */
    size_t for_start;    /* for (x;;) and for (x in y): let */
    size_t forof_start;  /* for (x of y): let, async */
};

static bool
pr_compact(const struct pr *p)
{
    return p->o->compact;
}

static void
pr_fail(struct pr *p, int err)
{
    if (!p->err)
        p->err = err;
}

static bool
pr_ident_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '$' || c == '\\' || c >= 0x80;
}

static void
pr_push_seg(struct pr *p, size_t at)
{
    struct kb_jsprint_map *m = p->map;
    if (at > UINT32_MAX) {
        pr_fail(p, KC_ETOOBIG);
        return;
    }
    if (m->nsegs && m->segs[m->nsegs - 1].out == at) {
        m->segs[m->nsegs - 1].in = p->seg_in; /* the innermost node at one offset wins */
        return;
    }
    if (m->nsegs == m->capsegs) {
        size_t cap = m->capsegs ? m->capsegs * 2 : 256;
        void *ns = realloc(m->segs, cap * sizeof *m->segs);
        if (!ns) {
            pr_fail(p, KC_ENOMEM);
            return;
        }
        m->segs = ns;
        m->capsegs = cap;
    }
    m->segs[m->nsegs++] = (struct kb_jsprint_seg){ (uint32_t)at, p->seg_in };
}

/*
 * Before a token that starts with byte c: the blank that keeps it apart from
 * the previous one (a b, a+ +b, a- -b, a/ /re/, x< !--y, a-- >b, /re/ in,
 * a? .5:b, 0. in x), then the pending segment. Returns false once an error
 * is set.
 */
static bool
pr_pre(struct pr *p, unsigned char c)
{
    if (p->err)
        return false;
    struct kc_buf *b = p->out;
    if (b->len) {
        unsigned char l = (unsigned char)b->data[b->len - 1];
        bool sp = (pr_ident_byte(l) && pr_ident_byte(c)) ||
                  ((l == '+' || l == '-' || l == '/') && c == l) || (l == '<' && c == '!') ||
                  (l == '-' && c == '>') || (l == '?' && c == '.') ||
                  ((b->len == p->regex_end || b->len == p->num_end) && pr_ident_byte(c));
        if (sp && kc_buf_putc(b, ' ')) {
            pr_fail(p, KC_ENOMEM);
            return false;
        }
    }
    if (p->seg_pending && p->map) {
        p->seg_pending = false;
        pr_push_seg(p, b->len);
    }
    p->seg_pending = false;
    return !p->err;
}

static void
pr_put(struct pr *p, const char *s, size_t n)
{
    if (!n || !pr_pre(p, (unsigned char)s[0]))
        return;
    int rc = kc_buf_append(p->out, s, n);
    if (rc)
        pr_fail(p, rc);
}

static void
pr_puts(struct pr *p, const char *s)
{
    pr_put(p, s, strlen(s));
}

/* Appends s[0, n) to the current token: no blank, no segment. */
static void
pr_append(struct pr *p, const char *s, size_t n)
{
    if (p->err)
        return;
    int rc = kc_buf_append(p->out, s, n);
    if (rc)
        pr_fail(p, rc);
}

/* A blank in readable mode only. */
static void
pr_sp(struct pr *p)
{
    if (!pr_compact(p) && !p->err && kc_buf_putc(p->out, ' '))
        pr_fail(p, KC_ENOMEM);
}

/* A line break and the indentation, in readable mode only. */
static void
pr_nl(struct pr *p)
{
    if (pr_compact(p) || p->err)
        return;
    int rc = kc_buf_putc(p->out, '\n');
    for (unsigned i = 0; i < p->indent && !rc; i++)
        rc = kc_buf_append(p->out, "  ", 2);
    if (rc)
        pr_fail(p, rc);
}

/* The next token starts node n: map it (nodes without a position are
 * start == UINT32_MAX). */
static void
pr_mark(struct pr *p, const struct kb_jsn *n)
{
    if (p->map && n->start != UINT32_MAX) {
        p->seg_pending = true;
        p->seg_in = n->start;
    }
}

static bool
pr_has_src(const struct pr *p, const struct kb_jsn *n)
{
    return p->o->src && n->end > n->start && n->end <= p->o->src_len;
}

/* Copies src[start, end) verbatim and records the copy; tok says it starts
 * a token (blank and segment first), else it continues one. */
static void
pr_copy_x(struct pr *p, uint32_t start, uint32_t end, bool tok)
{
    if (end <= start || p->err || (tok && !pr_pre(p, (unsigned char)p->o->src[start])))
        return;
    size_t at = p->out->len;
    int rc = kc_buf_append(p->out, p->o->src + start, end - start);
    if (rc) {
        pr_fail(p, rc);
        return;
    }
    struct kb_jsprint_map *m = p->map;
    if (!m)
        return;
    if (at > UINT32_MAX) {
        pr_fail(p, KC_ETOOBIG);
        return;
    }
    if (m->ncopies == m->capcopies) {
        size_t cap = m->capcopies ? m->capcopies * 2 : 64;
        void *nc = realloc(m->copies, cap * sizeof *m->copies);
        if (!nc) {
            pr_fail(p, KC_ENOMEM);
            return;
        }
        m->copies = nc;
        m->capcopies = cap;
    }
    m->copies[m->ncopies++] = (struct kb_jsprint_copy){ start, end, (uint32_t)at };
}

static void
pr_copy(struct pr *p, uint32_t start, uint32_t end)
{
    pr_copy_x(p, start, end, true);
}

static bool
pr_enter(struct pr *p)
{
    if (p->err)
        return false;
    if (++p->depth > PR_DEPTH_MAX) {
        pr_fail(p, KC_ETOOBIG);
        return false;
    }
    return true;
}

/* ---- Literals ---- */

/*
 * v >= 0 as JavaScript's Number.prototype.toString writes it: the fewest
 * significant digits that read back exactly, in plain notation from 1e-6 up
 * to 1e21 and in exponent notation (1e21, 1.5e-7) outside.
 */
static void
pr_fmt_double(double v, char *buf, size_t cap)
{
    if (isnan(v)) {
        snprintf(buf, cap, "NaN");
        return;
    }
    if (isinf(v)) {
        snprintf(buf, cap, "Infinity");
        return;
    }
    if (v == 0) {
        snprintf(buf, cap, "0");
        return;
    }
    char e[40];
    for (int prec = 0; prec <= 16; prec++) {
        snprintf(e, sizeof e, "%.*e", prec, v);
        if (strtod(e, NULL) == v)
            break;
    }
    /* e is d[.ddd]e[+-]xx: the digits and the decimal exponent n (the
     * value is 0.digits * 10^n). */
    char digits[24];
    int k = 0;
    const char *q = e;
    for (; *q && *q != 'e'; q++)
        if (*q >= '0' && *q <= '9' && k < 23)
            digits[k++] = *q;
    digits[k] = 0;
    while (k > 1 && digits[k - 1] == '0')
        digits[--k] = 0;
    int n = atoi(q + 1) + 1;
    if (k <= n && n <= 21)
        snprintf(buf, cap, "%s%.*s", digits, n - k, "000000000000000000000");
    else if (0 < n && n <= 21)
        snprintf(buf, cap, "%.*s.%s", n, digits, digits + n);
    else if (-6 < n && n <= 0)
        snprintf(buf, cap, "0.%.*s%s", -n, "000000", digits);
    else if (k == 1)
        snprintf(buf, cap, "%se%d", digits, n - 1);
    else
        snprintf(buf, cap, "%c.%se%d", digits[0], digits + 1, n - 1);
}

static bool
pr_num_negative(const struct kb_jsn *n)
{
    return !isnan(n->num) && signbit(n->num);
}

static bool
pr_num_synth(const struct pr *p, const struct kb_jsn *n)
{
    if (!pr_has_src(p, n))
        return true;
    /* ES5 has no 0b/0o: they print in decimal from the value. */
    const char *s = p->o->src + n->start;
    return p->o->target < 2015 && n->end - n->start > 2 && s[0] == '0' &&
           (s[1] == 'b' || s[1] == 'B' || s[1] == 'o' || s[1] == 'O');
}

/* Whether the number prints as digits only, so a '.' after it would be its
 * fraction: (1).toString(). */
static bool
pr_num_bare_int(const struct pr *p, const struct kb_jsn *n)
{
    if (pr_num_synth(p, n)) {
        char buf[64];
        pr_fmt_double(fabs(n->num), buf, sizeof buf);
        return strspn(buf, "0123456789") == strlen(buf);
    }
    for (uint32_t i = n->start; i < n->end; i++) {
        char c = p->o->src[i];
        if (!((c >= '0' && c <= '9') || c == '_'))
            return false;
    }
    return true;
}

/* src[start, end) without its numeric separators. */
static void
pr_put_unseparated(struct pr *p, uint32_t start, uint32_t end)
{
    const char *s = p->o->src;
    if (!pr_pre(p, (unsigned char)s[start]))
        return;
    for (uint32_t i = start; i < end && !p->err; i++)
        if (s[i] != '_' && kc_buf_putc(p->out, s[i]))
            pr_fail(p, KC_ENOMEM);
}

static void
pr_num(struct pr *p, const struct kb_jsn *n)
{
    if (!pr_num_synth(p, n)) {
        if (p->o->target < 2021 && memchr(p->o->src + n->start, '_', n->end - n->start))
            pr_put_unseparated(p, n->start, n->end);
        else
            pr_copy(p, n->start, n->end);
        p->num_end = p->out->len;
        return;
    }
    char buf[64];
    if (pr_num_negative(n))
        pr_puts(p, "-");
    pr_fmt_double(fabs(n->num), buf, sizeof buf);
    pr_puts(p, buf);
    p->num_end = p->out->len;
}

static void
pr_bigint(struct pr *p, const struct kb_jsn *n)
{
    if (pr_has_src(p, n)) {
        if (p->o->target < 2021 && memchr(p->o->src + n->start, '_', n->end - n->start))
            pr_put_unseparated(p, n->start, n->end);
        else
            pr_copy(p, n->start, n->end);
        return;
    }
    pr_put(p, n->str ? n->str : "0", n->str ? n->len : 1);
    pr_append(p, "n", 1);
}

static bool
pr_cont(unsigned char c)
{
    return (c & 0xc0) == 0x80;
}

/* A lone surrogate in WTF-8 (ED A0..BF xx) at u[i]. */
static bool
pr_surrogate_at(const unsigned char *u, size_t n, size_t i)
{
    return u[i] == 0xed && n - i >= 3 && u[i + 1] >= 0xa0 && u[i + 1] <= 0xbf && pr_cont(u[i + 2]);
}

/* U+2028 or U+2029 (E2 80 A8/A9) at u[i], before end. */
static bool
pr_linesep_at(const unsigned char *u, size_t end, size_t i)
{
    return i + 2 < end && u[i] == 0xe2 && u[i + 1] == 0x80 &&
           (u[i + 2] == 0xa8 || u[i + 2] == 0xa9);
}

/* The astral character (U+10000..U+10FFFF) whose well-formed UTF-8 is at
 * u[i], or 0. */
static uint32_t
pr_astral_at(const unsigned char *u, size_t n, size_t i)
{
    uint32_t len;
    if (u[i] < 0xf0)
        return 0;
    uint32_t cp = kc_utf8_get(u + i, n - i, &len);
    return len == 4 ? cp : 0;
}

/*
 * A string value as a double-quoted literal. kc_quote_js does it unless the
 * value holds what it copies raw but must not: lone surrogates (WTF-8, not
 * valid UTF-8 in the output) and, before ES2015, astral characters (written
 * as surrogate-pair escapes so the output is plain ES5 text).
 */
static void
pr_quote(struct pr *p, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    bool es5 = p->o->target < 2015;
    unsigned flags = p->o->target < 2019 ? KC_QUOTE_LINESEP : 0;
    bool plain = true;
    for (size_t i = 0; i < n && plain; i++)
        if (pr_surrogate_at(u, n, i) || (es5 && pr_astral_at(u, n, i)))
            plain = false;
    if (!pr_pre(p, '"'))
        return;
    if (plain) {
        int rc = kc_quote_js(p->out, s, n, flags);
        if (rc)
            pr_fail(p, rc);
        return;
    }
    pr_append(p, "\"", 1);
    size_t run = 0;
    for (size_t i = 0; i < n && !p->err; i++) {
        char esc[16];
        size_t len = 0, skip = 0;
        uint32_t astral;
        unsigned char c = u[i];
        if (c == '"' || c == '\\') {
            len = (size_t)snprintf(esc, sizeof esc, "\\%c", c);
        } else if (c < 0x20) {
            len = (size_t)snprintf(esc, sizeof esc, "\\u%04x", c);
        } else if (flags && pr_linesep_at(u, n, i)) {
            len = (size_t)snprintf(esc, sizeof esc, "\\u%04x",
                                   0x2000u | (u[i + 2] == 0xa8 ? 0x28u : 0x29u));
            skip = 2;
        } else if (pr_surrogate_at(u, n, i)) {
            unsigned cp = ((c & 0x0fu) << 12) | ((u[i + 1] & 0x3fu) << 6) | (u[i + 2] & 0x3fu);
            len = (size_t)snprintf(esc, sizeof esc, "\\u%04x", cp);
            skip = 2;
        } else if (es5 && (astral = pr_astral_at(u, n, i)) != 0) {
            uint32_t cp = astral - 0x10000;
            len = (size_t)snprintf(esc, sizeof esc, "\\u%04x\\u%04x", 0xd800 + (cp >> 10),
                                   0xdc00 + (cp & 0x3ff));
            skip = 3;
        }
        if (!len)
            continue;
        if (i > run)
            pr_append(p, s + run, i - run);
        pr_append(p, esc, len);
        i += skip;
        run = i + 1;
    }
    if (n > run)
        pr_append(p, s + run, n - run);
    pr_append(p, "\"", 1);
}

/* Whether a string literal's source holds a \u{...} escape. */
static bool
pr_has_brace_escape(const char *s, size_t n)
{
    for (size_t i = 0; i + 2 < n; i++) {
        if (s[i] != '\\')
            continue;
        if (s[i + 1] == 'u' && s[i + 2] == '{')
            return true;
        i++; /* skip the escaped character */
    }
    return false;
}

static void
pr_str(struct pr *p, const struct kb_jsn *n)
{
    if (!pr_has_src(p, n) ||
        (p->o->target < 2015 && pr_has_brace_escape(p->o->src + n->start, n->end - n->start))) {
        pr_quote(p, n->str ? n->str : "", n->str ? n->len : 0);
        return;
    }
    if (p->o->target >= 2019) {
        pr_copy(p, n->start, n->end);
        return;
    }
    /* Before ES2019 a raw U+2028/U+2029 ends the literal: escape them, copying
     * the runs between. After a backslash one is a line continuation, which
     * stands for nothing; dropping it could join the bytes on either side
     * into a new raw U+2028 (E2 80, the continuation, A8), so such a literal
     * is written from its value instead. */
    const unsigned char *s = (const unsigned char *)p->o->src;
    for (uint32_t i = n->start; i + 1 < n->end; i++) {
        if (s[i] != '\\')
            continue;
        if (pr_linesep_at(s, n->end, ++i)) {
            pr_quote(p, n->str ? n->str : "", n->str ? n->len : 0);
            return;
        }
    }
    uint32_t run = n->start;
    for (uint32_t i = n->start; i + 2 < n->end && !p->err; i++) {
        if (pr_linesep_at(s, n->end, i)) {
            pr_copy_x(p, run, i, run == n->start);
            pr_append(p, s[i + 2] == 0xa8 ? "\\u2028" : "\\u2029", 6);
            i += 2;
            run = i + 1;
        } else if (s[i] == '\\') {
            i++; /* the escaped character */
        }
    }
    pr_copy_x(p, run, n->end, run == n->start);
}

static void
pr_regex(struct pr *p, const struct kb_jsn *n)
{
    if (pr_has_src(p, n)) {
        pr_copy(p, n->start, n->end);
    } else {
        pr_puts(p, "/");
        if (n->str && n->str[0])
            pr_append(p, n->str, strlen(n->str));
        else
            pr_append(p, "(?:)", 4);
        pr_append(p, "/", 1);
        if (n->str2)
            pr_append(p, n->str2, strlen(n->str2));
    }
    p->regex_end = p->out->len;
}

/* A template piece's raw text: an original one is copied from the source
 * (which may hold NULs, and CRs the raw value has as LF), a synthesized one
 * printed from its raw value, or else from its cooked one. */
static void
pr_template_elem(struct pr *p, const struct kb_jsn *q, bool tail)
{
    uint32_t skip = tail ? 2 : 3; /* ` or } before, ` or ${ after */
    if (pr_has_src(p, q) && q->end - q->start >= skip) {
        pr_copy_x(p, q->start + 1, q->end - (skip - 1), false);
        return;
    }
    if (q->str2) {
        pr_append(p, q->str2, strlen(q->str2));
        return;
    }
    /* A synthesized piece with only its cooked value: escape it. */
    const char *s = q->str ? q->str : "";
    for (uint32_t i = 0; i < q->len && !p->err; i++) {
        char c = s[i];
        if (c == '`' || c == '\\' || (c == '$' && i + 1 < q->len && s[i + 1] == '{'))
            pr_append(p, "\\", 1);
        if (c == '\r')
            pr_append(p, "\\r", 2);
        else
            pr_append(p, &s[i], 1);
    }
}

/* ---- Expressions ---- */

static void pr_expr(struct pr *p, const struct kb_jsn *n, int level, int fl);
static void pr_stmt(struct pr *p, const struct kb_jsn *n);
static void pr_block(struct pr *p, const struct kb_jsn *n, bool body);
static void pr_function(struct pr *p, const struct kb_jsn *n);
static void pr_class(struct pr *p, const struct kb_jsn *n);

static int
pr_binop_level(int op)
{
    switch (op) {
    case KB_JS_OP_NULLISH: return L_NULLISH;
    case KB_JS_OP_OR: return L_OR;
    case KB_JS_OP_AND: return L_AND;
    case KB_JS_OP_PIPE: return L_BOR;
    case KB_JS_OP_CARET: return L_BXOR;
    case KB_JS_OP_AMP: return L_BAND;
    case KB_JS_OP_EQ:
    case KB_JS_OP_NE:
    case KB_JS_OP_SEQ:
    case KB_JS_OP_SNE: return L_EQ;
    case KB_JS_OP_LT:
    case KB_JS_OP_GT:
    case KB_JS_OP_LE:
    case KB_JS_OP_GE:
    case KB_JS_OP_IN:
    case KB_JS_OP_INSTANCEOF: return L_CMP;
    case KB_JS_OP_SHL:
    case KB_JS_OP_SAR:
    case KB_JS_OP_SHR: return L_SHIFT;
    case KB_JS_OP_PLUS:
    case KB_JS_OP_MINUS: return L_ADD;
    case KB_JS_OP_STAR:
    case KB_JS_OP_SLASH:
    case KB_JS_OP_PERCENT: return L_MUL;
    case KB_JS_OP_STARSTAR: return L_POW;
    default: return L_CMP;
    }
}

static int
pr_level(const struct pr *p, const struct kb_jsn *n)
{
    switch (n->kind) {
    case KB_JSN_SEQUENCE: return L_SEQ;
    case KB_JSN_ASSIGN:
    case KB_JSN_ARROW:
    case KB_JSN_YIELD:
    case KB_JSN_ASSIGN_PAT:
    case KB_JSN_SPREAD:
    case KB_JSN_REST: return L_ASSIGN;
    case KB_JSN_COND: return L_COND;
    case KB_JSN_LOGICAL:
    case KB_JSN_BINARY: return pr_binop_level(n->op);
    case KB_JSN_UNARY:
    case KB_JSN_AWAIT: return L_PREFIX;
    case KB_JSN_UPDATE: return (n->flags & KB_JSN_F_PREFIX) ? L_PREFIX : L_POSTFIX;
    case KB_JSN_NEW:
    case KB_JSN_CALL:
    case KB_JSN_MEMBER:
    case KB_JSN_TAGGED_TEMPLATE:
    case KB_JSN_CHAIN:
    case KB_JSN_IMPORT_CALL: return L_CALL;
    case KB_JSN_NUM: return pr_num_synth(p, n) && pr_num_negative(n) ? L_PREFIX : L_PRIMARY;
    default: return L_PRIMARY;
    }
}

static bool
pr_is_ident(const struct kb_jsn *n, const char *name)
{
    return n->kind == KB_JSN_IDENT && n->str && strcmp(n->str, name) == 0;
}

/* Whether n, printed at the current offset, would misread as the start of
 * something else there (see struct pr). */
static bool
pr_bad_start(const struct pr *p, const struct kb_jsn *n)
{
    size_t at = p->out->len;
    int k = n->kind;
    bool fn = k == KB_JSN_FUNC_EXPR || k == KB_JSN_CLASS_EXPR || k == KB_JSN_FUNC_DECL ||
              k == KB_JSN_CLASS_DECL;
    bool obj = k == KB_JSN_OBJECT || k == KB_JSN_OBJECT_PAT ||
               (k == KB_JSN_ASSIGN && n->a && n->a->kind == KB_JSN_OBJECT_PAT);
    if (at == p->stmt_start && (fn || obj || pr_is_ident(n, "let")))
        return true;
    if (at == p->arrow_start && obj)
        return true;
    if (at == p->export_start && fn)
        return true;
    if (at == p->for_start && pr_is_ident(n, "let"))
        return true;
    if (at == p->forof_start && (pr_is_ident(n, "let") || pr_is_ident(n, "async")))
        return true;
    return false;
}

/* A new callee with a call in its member spine needs parentheses:
 * new (a())(), new (a().b)(). */
static bool
pr_new_callee_needs_parens(const struct kb_jsn *n)
{
    for (;;) {
        switch (n->kind) {
        case KB_JSN_CALL:
        case KB_JSN_CHAIN:
        case KB_JSN_IMPORT_CALL: return true;
        case KB_JSN_MEMBER:
        case KB_JSN_TAGGED_TEMPLATE:
            if (!n->a)
                return false;
            n = n->a;
            break;
        default: return false;
        }
    }
}

static void pr_expr_x(struct pr *p, const struct kb_jsn *n, int level, int fl, bool force);

static void
pr_expr(struct pr *p, const struct kb_jsn *n, int level, int fl)
{
    pr_expr_x(p, n, level, fl, false);
}

/* A comma-separated list at assignment level (arguments, elements). */
static void
pr_list(struct pr *p, const struct kb_jsn *q)
{
    for (; q && !p->err; q = q->next) {
        if (q->kind != KB_JSN_HOLE)
            pr_expr(p, q, L_ASSIGN, 0);
        if (q->next) {
            pr_puts(p, ",");
            if (q->next->kind != KB_JSN_HOLE)
                pr_sp(p);
        } else if (q->kind == KB_JSN_HOLE) {
            pr_puts(p, ","); /* a trailing elision needs its own comma */
        }
    }
}

static void
pr_args(struct pr *p, const struct kb_jsn *args)
{
    pr_puts(p, "(");
    pr_list(p, args);
    pr_puts(p, ")");
}

static void
pr_params(struct pr *p, const struct kb_jsn *params)
{
    pr_puts(p, "(");
    for (const struct kb_jsn *q = params; q && !p->err; q = q->next) {
        pr_expr(p, q, L_ASSIGN, 0);
        if (q->next) {
            pr_puts(p, ",");
            pr_sp(p);
        }
    }
    pr_puts(p, ")");
}

/* A name that is not an expression: property key, label, export name. */
static void
pr_name(struct pr *p, const struct kb_jsn *n)
{
    pr_mark(p, n);
    switch (n->kind) {
    case KB_JSN_IDENT: pr_put(p, n->str ? n->str : "", n->str ? n->len : 0); break;
    case KB_JSN_PRIVATE_NAME:
        pr_puts(p, "#");
        pr_append(p, n->str ? n->str : "", n->str ? n->len : 0);
        break;
    case KB_JSN_STR: pr_str(p, n); break;
    case KB_JSN_NUM:
        if (pr_num_synth(p, n) && pr_num_negative(n)) {
            char buf[64];
            buf[0] = '-';
            pr_fmt_double(fabs(n->num), buf + 1, sizeof buf - 1);
            pr_quote(p, buf, strlen(buf));
        } else {
            pr_num(p, n);
        }
        break;
    default: pr_expr(p, n, L_ASSIGN, 0); break;
    }
}

static void
pr_key(struct pr *p, const struct kb_jsn *m)
{
    if (!m->a)
        return;
    if (m->flags & KB_JSN_F_COMPUTED) {
        pr_puts(p, "[");
        pr_expr(p, m->a, L_ASSIGN, 0);
        pr_puts(p, "]");
    } else {
        pr_name(p, m->a);
    }
}

/* Parameters and body of a method (fn is its FUNC_EXPR). */
static void
pr_method_tail(struct pr *p, const struct kb_jsn *fn)
{
    if (!fn) {
        pr_puts(p, "(){}");
        return;
    }
    pr_params(p, fn->b);
    pr_sp(p);
    pr_block(p, fn->c, true);
}

/* get, set, async or the generator star before a method key. */
static void
pr_method_head(struct pr *p, int getset, const struct kb_jsn *fn)
{
    if (getset == KB_JS_P_GET) {
        pr_puts(p, "get ");
        return;
    }
    if (getset == KB_JS_P_SET) {
        pr_puts(p, "set ");
        return;
    }
    if (fn && (fn->flags & KB_JSN_F_ASYNC)) {
        pr_puts(p, "async");
        pr_sp(p);
    }
    if (fn && (fn->flags & KB_JSN_F_GENERATOR))
        pr_puts(p, "*");
}

static bool
pr_same_name(const struct kb_jsn *a, const struct kb_jsn *b)
{
    return a && b && a->kind == b->kind && (a->kind == KB_JSN_IDENT || a->kind == KB_JSN_STR) &&
           a->len == b->len && a->str && b->str && memcmp(a->str, b->str, a->len) == 0;
}

/* An object literal or pattern member. */
static void
pr_property(struct pr *p, const struct kb_jsn *q)
{
    if (q->kind != KB_JSN_PROPERTY) {
        pr_expr(p, q, L_ASSIGN, 0); /* SPREAD, REST */
        return;
    }
    pr_mark(p, q);
    if (q->op == KB_JS_P_GET || q->op == KB_JS_P_SET || (q->flags & KB_JSN_F_METHOD)) {
        pr_method_head(p, q->op, q->b);
        pr_key(p, q);
        pr_method_tail(p, q->b);
        return;
    }
    const struct kb_jsn *v = q->b;
    if ((q->flags & KB_JSN_F_SHORTHAND) && v && !(q->flags & KB_JSN_F_COMPUTED)) {
        const struct kb_jsn *id =
            (v->kind == KB_JSN_ASSIGN_PAT || v->kind == KB_JSN_ASSIGN) ? v->a : v;
        if (pr_same_name(q->a, id)) {
            if (v == id) {
                pr_expr(p, v, L_ASSIGN, 0);
            } else {
                pr_expr(p, id, L_CALL, 0);
                pr_sp(p);
                pr_puts(p, "=");
                pr_sp(p);
                pr_expr(p, v->b, L_ASSIGN, 0);
            }
            return;
        }
    }
    /* __proto__: v sets the prototype where the shorthand {__proto__} made
     * an own property: a renamed one keeps that meaning computed. */
    if ((q->flags & KB_JSN_F_SHORTHAND) && !(q->flags & KB_JSN_F_COMPUTED) && q->a &&
        q->a->kind == KB_JSN_IDENT && q->a->str && strcmp(q->a->str, "__proto__") == 0) {
        pr_puts(p, "[");
        pr_quote(p, "__proto__", 9);
        pr_puts(p, "]");
    } else {
        pr_key(p, q);
    }
    pr_puts(p, ":");
    pr_sp(p);
    if (v)
        pr_expr(p, v, L_ASSIGN, 0);
}

/* Readable mode keeps an object on several lines when the source had a line
 * break after its '{' (as Prettier does); a synthesized one when it holds
 * methods or functions. */
static bool
pr_obj_multiline(const struct pr *p, const struct kb_jsn *n)
{
    if (pr_compact(p) || !n->a)
        return false;
    if (pr_has_src(p, n) && n->a->start > n->start && n->a->start <= p->o->src_len)
        return memchr(p->o->src + n->start, '\n', n->a->start - n->start) != NULL;
    for (const struct kb_jsn *q = n->a; q; q = q->next) {
        if (q->kind != KB_JSN_PROPERTY)
            continue;
        if (q->op != KB_JS_P_INIT || (q->flags & KB_JSN_F_METHOD))
            return true;
        if (q->b && (q->b->kind == KB_JSN_FUNC_EXPR || q->b->kind == KB_JSN_CLASS_EXPR ||
                     (q->b->kind == KB_JSN_ARROW && !(q->b->flags & KB_JSN_F_EXPR_BODY))))
            return true;
    }
    return false;
}

static void
pr_object(struct pr *p, const struct kb_jsn *n)
{
    if (!n->a) {
        pr_puts(p, "{}");
        return;
    }
    bool ml = pr_obj_multiline(p, n);
    pr_puts(p, "{");
    if (ml)
        p->indent++;
    for (const struct kb_jsn *q = n->a; q && !p->err; q = q->next) {
        if (ml)
            pr_nl(p);
        else if (q == n->a)
            pr_sp(p);
        pr_property(p, q);
        if (q->next) {
            pr_puts(p, ",");
            if (!ml)
                pr_sp(p);
        }
    }
    if (ml) {
        p->indent--;
        pr_nl(p);
    } else {
        pr_sp(p);
    }
    pr_puts(p, "}");
}

static void
pr_template(struct pr *p, const struct kb_jsn *n)
{
    pr_puts(p, "`");
    const struct kb_jsn *e = n->b;
    for (const struct kb_jsn *q = n->a; q && !p->err; q = q->next) {
        pr_template_elem(p, q, !q->next);
        if (!q->next)
            break;
        pr_append(p, "${", 2);
        if (e) {
            pr_expr(p, e, L_SEQ, 0);
            e = e->next;
        }
        pr_puts(p, "}");
    }
    pr_append(p, "`", 1);
}

static void
pr_arrow(struct pr *p, const struct kb_jsn *n, int fl)
{
    if (n->flags & KB_JSN_F_ASYNC) {
        pr_puts(p, "async");
        pr_sp(p);
    }
    const struct kb_jsn *pa = n->b;
    if (pr_compact(p) && pa && !pa->next && pa->kind == KB_JSN_IDENT)
        pr_expr(p, pa, L_ASSIGN, 0);
    else
        pr_params(p, pa);
    pr_sp(p);
    pr_puts(p, "=>");
    pr_sp(p);
    if (!n->c) {
        pr_puts(p, "{}");
    } else if (n->flags & KB_JSN_F_EXPR_BODY || n->c->kind != KB_JSN_BLOCK) {
        p->arrow_start = p->out->len;
        pr_expr(p, n->c, L_ASSIGN, fl);
    } else {
        pr_block(p, n->c, true);
    }
}

static void
pr_binary(struct pr *p, const struct kb_jsn *n, int fl)
{
    int op = n->op, level = pr_binop_level(op);
    bool pow = op == KB_JS_OP_STARSTAR;
    /* ?? cannot mix with || or && unparenthesized. */
    bool lforce = false, rforce = false;
    if (op == KB_JS_OP_NULLISH) {
        lforce = n->a && n->a->kind == KB_JSN_LOGICAL && n->a->op != KB_JS_OP_NULLISH;
        rforce = n->b && n->b->kind == KB_JSN_LOGICAL && n->b->op != KB_JS_OP_NULLISH;
    }
    /* The left of ** is an update expression: (-a) ** b. */
    if (n->a)
        pr_expr_x(p, n->a, pow ? L_POSTFIX : level, fl, lforce);
    bool word = op == KB_JS_OP_IN || op == KB_JS_OP_INSTANCEOF;
    if (word || !pr_compact(p)) {
        pr_sp(p);
        pr_puts(p, kb_js_op_name(op));
        pr_sp(p);
    } else {
        pr_puts(p, kb_js_op_name(op));
    }
    if (n->b)
        pr_expr_x(p, n->b, pow ? level : level + 1, fl, rforce);
}

/* The body of an expression node, parentheses already decided. */
static void
pr_expr_body(struct pr *p, const struct kb_jsn *n, int fl)
{
    switch (n->kind) {
    case KB_JSN_IDENT: pr_put(p, n->str ? n->str : "", n->str ? n->len : 0); break;
    case KB_JSN_PRIVATE_NAME: pr_name(p, n); break;
    case KB_JSN_NUM: pr_num(p, n); break;
    case KB_JSN_BIGINT: pr_bigint(p, n); break;
    case KB_JSN_STR: pr_str(p, n); break;
    case KB_JSN_REGEX: pr_regex(p, n); break;
    case KB_JSN_NULL_LIT: pr_puts(p, "null"); break;
    case KB_JSN_TRUE_LIT: pr_puts(p, "true"); break;
    case KB_JSN_FALSE_LIT: pr_puts(p, "false"); break;
    case KB_JSN_THIS: pr_puts(p, "this"); break;
    case KB_JSN_SUPER: pr_puts(p, "super"); break;
    case KB_JSN_HOLE: break;
    case KB_JSN_TEMPLATE: pr_template(p, n); break;
    case KB_JSN_TAGGED_TEMPLATE:
        if (n->a)
            pr_expr_x(p, n->a, L_CALL, fl, n->a->kind == KB_JSN_CHAIN);
        if (n->b)
            pr_template(p, n->b);
        break;
    case KB_JSN_ARRAY:
    case KB_JSN_ARRAY_PAT:
        pr_puts(p, "[");
        pr_list(p, n->a);
        pr_puts(p, "]");
        break;
    case KB_JSN_OBJECT:
    case KB_JSN_OBJECT_PAT: pr_object(p, n); break;
    case KB_JSN_PROPERTY: pr_property(p, n); break;
    case KB_JSN_SPREAD:
    case KB_JSN_REST:
        pr_puts(p, "...");
        if (n->a)
            pr_expr(p, n->a, L_ASSIGN, fl);
        break;
    case KB_JSN_UNARY: {
        const char *s = kb_js_op_name(n->op);
        pr_puts(p, s);
        if (s[0] >= 'a' && s[0] <= 'z')
            pr_sp(p);
        if (n->a)
            pr_expr(p, n->a, L_PREFIX, fl);
        break;
    }
    case KB_JSN_AWAIT:
        pr_puts(p, "await");
        pr_sp(p);
        if (n->a)
            pr_expr(p, n->a, L_PREFIX, fl);
        break;
    case KB_JSN_UPDATE:
        if (n->flags & KB_JSN_F_PREFIX) {
            pr_puts(p, kb_js_op_name(n->op));
            if (n->a)
                pr_expr(p, n->a, L_CALL, fl);
        } else {
            if (n->a)
                pr_expr(p, n->a, L_CALL, fl);
            pr_puts(p, kb_js_op_name(n->op));
        }
        break;
    case KB_JSN_BINARY:
    case KB_JSN_LOGICAL: pr_binary(p, n, fl); break;
    case KB_JSN_ASSIGN:
    case KB_JSN_ASSIGN_PAT:
        if (n->a)
            pr_expr(p, n->a, L_CALL, fl);
        pr_sp(p);
        pr_puts(p, n->kind == KB_JSN_ASSIGN ? kb_js_op_name(n->op) : "=");
        pr_sp(p);
        if (n->b)
            pr_expr(p, n->b, L_ASSIGN, fl);
        break;
    case KB_JSN_COND:
        pr_expr(p, n->a, L_NULLISH, fl);
        pr_sp(p);
        pr_puts(p, "?");
        pr_sp(p);
        pr_expr(p, n->b, L_ASSIGN, 0);
        pr_sp(p);
        pr_puts(p, ":");
        pr_sp(p);
        pr_expr(p, n->c, L_ASSIGN, fl);
        break;
    case KB_JSN_CALL:
        if (n->a)
            pr_expr_x(p, n->a, L_CALL, fl, n->a->kind == KB_JSN_CHAIN);
        if (n->flags & KB_JSN_F_OPTIONAL)
            pr_puts(p, "?.");
        pr_args(p, n->b);
        break;
    case KB_JSN_NEW:
        pr_puts(p, "new ");
        if (n->a)
            pr_expr_x(p, n->a, L_CALL, fl, pr_new_callee_needs_parens(n->a));
        pr_args(p, n->b);
        break;
    case KB_JSN_MEMBER: {
        const struct kb_jsn *o = n->a;
        if (o)
            pr_expr_x(p, o, L_CALL, fl,
                      o->kind == KB_JSN_CHAIN ||
                          (o->kind == KB_JSN_NUM && !(n->flags & KB_JSN_F_COMPUTED) &&
                           !(n->flags & KB_JSN_F_OPTIONAL) && pr_num_bare_int(p, o)));
        if (n->flags & KB_JSN_F_OPTIONAL)
            pr_puts(p, "?.");
        if (n->flags & KB_JSN_F_COMPUTED) {
            pr_puts(p, "[");
            if (n->b)
                pr_expr(p, n->b, L_SEQ, 0);
            pr_puts(p, "]");
        } else {
            if (!(n->flags & KB_JSN_F_OPTIONAL))
                pr_puts(p, ".");
            if (n->b)
                pr_name(p, n->b);
        }
        break;
    }
    case KB_JSN_CHAIN:
        if (n->a)
            pr_expr_body(p, n->a, fl);
        break;
    case KB_JSN_SEQUENCE:
        for (const struct kb_jsn *q = n->a; q && !p->err; q = q->next) {
            pr_expr(p, q, L_ASSIGN, fl);
            if (q->next) {
                pr_puts(p, ",");
                pr_sp(p);
            }
        }
        break;
    case KB_JSN_YIELD:
        pr_puts(p, (n->flags & KB_JSN_F_DELEGATE) ? "yield*" : "yield");
        if (n->a) {
            pr_sp(p);
            pr_expr(p, n->a, L_ASSIGN, fl);
        }
        break;
    case KB_JSN_META_PROP:
        pr_puts(p, n->a && n->a->str ? n->a->str : "new");
        pr_puts(p, ".");
        pr_puts(p, n->b && n->b->str ? n->b->str : "target");
        break;
    case KB_JSN_IMPORT_CALL:
        pr_puts(p, "import(");
        if (n->a)
            pr_expr(p, n->a, L_ASSIGN, 0);
        if (n->b) {
            pr_puts(p, ",");
            pr_sp(p);
            pr_expr(p, n->b, L_ASSIGN, 0);
        }
        pr_puts(p, ")");
        break;
    case KB_JSN_ARROW: pr_arrow(p, n, fl); break;
    case KB_JSN_FUNC_EXPR:
    case KB_JSN_FUNC_DECL: pr_function(p, n); break;
    case KB_JSN_CLASS_EXPR:
    case KB_JSN_CLASS_DECL: pr_class(p, n); break;
    case KB_JSN_TEMPLATE_ELEM: pr_template_elem(p, n, true); break;
    default:
        /* A statement where an expression belongs: print it as such. */
        pr_stmt(p, n);
        break;
    }
}

/*
 * Prints n where the context asks for precedence level (or lower): in
 * parentheses when n binds looser, when force says so, or when it would
 * misread at a statement, arrow body, export default or for head start.
 * Parentheses clear the flags (no 'in' restriction inside them).
 */
static void
pr_expr_x(struct pr *p, const struct kb_jsn *n, int level, int fl, bool force)
{
    if (!n || !pr_enter(p))
        return;
    bool wrap = force || pr_level(p, n) < level ||
                ((fl & X_NO_IN) && n->kind == KB_JSN_BINARY && n->op == KB_JS_OP_IN);
    if (!wrap)
        wrap = pr_bad_start(p, n);
    if (wrap) {
        pr_puts(p, "(");
        fl = 0;
    }
    pr_mark(p, n);
    pr_expr_body(p, n, fl);
    if (wrap)
        pr_puts(p, ")");
    p->depth--;
}

/* ---- Functions and classes ---- */

static void
pr_function(struct pr *p, const struct kb_jsn *n)
{
    if (n->flags & KB_JSN_F_ASYNC) {
        pr_puts(p, "async");
        pr_sp(p);
    }
    pr_puts(p, "function");
    if (n->flags & KB_JSN_F_GENERATOR)
        pr_puts(p, "*");
    pr_sp(p);
    if (n->a)
        pr_name(p, n->a);
    pr_params(p, n->b);
    pr_sp(p);
    pr_block(p, n->c, true);
}

static void
pr_class_member(struct pr *p, const struct kb_jsn *m)
{
    pr_mark(p, m);
    if (m->kind == KB_JSN_STATIC_BLOCK) {
        pr_puts(p, "static");
        pr_sp(p);
        pr_block(p, m, false);
        return;
    }
    if (m->kind != KB_JSN_METHOD && m->kind != KB_JSN_FIELD) {
        pr_stmt(p, m);
        return;
    }
    if (m->flags & KB_JSN_F_STATIC)
        pr_puts(p, "static ");
    if (m->kind == KB_JSN_FIELD) {
        pr_key(p, m);
        if (m->b) {
            pr_sp(p);
            pr_puts(p, "=");
            pr_sp(p);
            pr_expr(p, m->b, L_ASSIGN, 0);
        }
        pr_puts(p, ";");
        return;
    }
    int getset = m->op == KB_JS_M_GET ? KB_JS_P_GET : m->op == KB_JS_M_SET ? KB_JS_P_SET : 0;
    pr_method_head(p, getset, m->b);
    pr_key(p, m);
    pr_method_tail(p, m->b);
}

static void
pr_class(struct pr *p, const struct kb_jsn *n)
{
    pr_puts(p, "class");
    if (n->a) {
        pr_sp(p);
        pr_name(p, n->a);
    }
    if (n->b) {
        pr_sp(p);
        pr_puts(p, "extends");
        pr_sp(p);
        pr_expr(p, n->b, L_CALL, 0);
    }
    pr_sp(p);
    pr_puts(p, "{");
    if (n->c) {
        p->indent++;
        for (const struct kb_jsn *m = n->c; m && !p->err; m = m->next) {
            pr_nl(p);
            pr_class_member(p, m);
        }
        p->indent--;
        pr_nl(p);
    }
    pr_puts(p, "}");
}

/* ---- Statements ---- */

/* Readable mode keeps one blank line where the source had one or more
 * between two statements. */
static bool
pr_blank_between(const struct pr *p, const struct kb_jsn *a, const struct kb_jsn *b)
{
    if (pr_compact(p) || !pr_has_src(p, a) || !pr_has_src(p, b) || a->end > b->start)
        return false;
    const char *s = p->o->src;
    const char *nl = memchr(s + a->end, '\n', b->start - a->end);
    if (!nl)
        return false;
    for (const char *q = nl + 1; q < s + b->start; q++) {
        if (*q == '\n')
            return true;
        if (*q != ' ' && *q != '\t' && *q != '\r')
            return false;
    }
    return false;
}

/* A statement list; body says a directive prologue may open it. */
static void
pr_stmts(struct pr *p, const struct kb_jsn *list, bool body, bool first_nl)
{
    bool prologue = body;
    const struct kb_jsn *prev = NULL;
    for (const struct kb_jsn *s = list; s && !p->err; prev = s, s = s->next) {
        if (prev && pr_blank_between(p, prev, s))
            pr_append(p, "\n", 1);
        if (first_nl || s != list)
            pr_nl(p);
        p->prologue = prologue;
        pr_stmt(p, s);
        if (!(s->kind == KB_JSN_EXPR_STMT && (s->flags & KB_JSN_F_DIRECTIVE) && s->a &&
              s->a->kind == KB_JSN_STR))
            prologue = false;
    }
    p->prologue = false;
}

/* { statements } of a block, a function body (body) or a static block. */
static void
pr_block(struct pr *p, const struct kb_jsn *n, bool body)
{
    if (!n || !n->a) {
        pr_puts(p, "{}");
        return;
    }
    pr_puts(p, "{");
    p->indent++;
    pr_stmts(p, n->a, body, true);
    p->indent--;
    pr_nl(p);
    pr_puts(p, "}");
}

/* Whether statement s ends in an if without else, which an else after it
 * would attach to. */
static bool
pr_dangles(const struct kb_jsn *s)
{
    while (s) {
        switch (s->kind) {
        case KB_JSN_IF:
            if (!s->c)
                return true;
            s = s->c;
            break;
        case KB_JSN_FOR:
        case KB_JSN_FOR_IN:
        case KB_JSN_FOR_OF:
        case KB_JSN_WHILE: s = s->d; break;
        case KB_JSN_LABELED:
        case KB_JSN_WITH: s = s->b; break;
        default: return false;
        }
    }
    return false;
}

/* The body of if, else, a loop or with: a block on the same line, another
 * statement after a blank (same line too, as Prettier does for short ones). */
static void
pr_body(struct pr *p, const struct kb_jsn *s, bool brace)
{
    if (!s) {
        pr_puts(p, ";");
        return;
    }
    if (brace && s->kind != KB_JSN_BLOCK) {
        pr_sp(p);
        pr_puts(p, "{");
        p->indent++;
        pr_nl(p);
        pr_stmt(p, s);
        p->indent--;
        pr_nl(p);
        pr_puts(p, "}");
        return;
    }
    if (s->kind != KB_JSN_EMPTY)
        pr_sp(p);
    pr_stmt(p, s);
}

/* var/let/const and its declarators; in a for head (in_for) no ';' and no
 * bare 'in' in the initialisers. */
static void
pr_var(struct pr *p, const struct kb_jsn *n, bool in_for)
{
    pr_puts(p, n->op == KB_JS_LET ? "let" : n->op == KB_JS_CONST ? "const" : "var");
    pr_sp(p);
    for (const struct kb_jsn *d = n->a; d && !p->err; d = d->next) {
        pr_mark(p, d);
        if (d->kind != KB_JSN_DECLARATOR) {
            pr_expr(p, d, L_ASSIGN, in_for ? X_NO_IN : 0);
        } else {
            if (d->a)
                pr_expr(p, d->a, L_ASSIGN, 0);
            if (d->b) {
                pr_sp(p);
                pr_puts(p, "=");
                pr_sp(p);
                pr_expr(p, d->b, L_ASSIGN, in_for ? X_NO_IN : 0);
            }
        }
        if (d->next) {
            pr_puts(p, ",");
            pr_sp(p);
        }
    }
    if (!in_for)
        pr_puts(p, ";");
}

static void
pr_paren_expr(struct pr *p, const char *kw, const struct kb_jsn *e)
{
    pr_puts(p, kw);
    pr_sp(p);
    pr_puts(p, "(");
    if (e)
        pr_expr(p, e, L_SEQ, 0);
    pr_puts(p, ")");
}

static void
pr_for(struct pr *p, const struct kb_jsn *n)
{
    pr_puts(p, "for");
    if (n->kind == KB_JSN_FOR_OF && (n->flags & KB_JSN_F_AWAIT))
        pr_puts(p, " await");
    pr_sp(p);
    pr_puts(p, "(");
    const struct kb_jsn *a = n->a;
    if (a && a->kind == KB_JSN_VAR_DECL) {
        pr_mark(p, a);
        pr_var(p, a, true);
    } else if (a) {
        if (n->kind == KB_JSN_FOR_OF)
            p->forof_start = p->out->len;
        else
            p->for_start = p->out->len;
        pr_expr(p, a, n->kind == KB_JSN_FOR ? L_SEQ : L_CALL, n->kind == KB_JSN_FOR ? X_NO_IN : 0);
    }
    if (n->kind == KB_JSN_FOR) {
        pr_puts(p, ";");
        if (n->b) {
            pr_sp(p);
            pr_expr(p, n->b, L_SEQ, 0);
        }
        pr_puts(p, ";");
        if (n->c) {
            pr_sp(p);
            pr_expr(p, n->c, L_SEQ, 0);
        }
    } else {
        pr_sp(p);
        pr_puts(p, n->kind == KB_JSN_FOR_OF ? "of" : "in");
        pr_sp(p);
        if (n->b)
            pr_expr(p, n->b, n->kind == KB_JSN_FOR_OF ? L_ASSIGN : L_SEQ, 0);
    }
    pr_puts(p, ")");
    pr_body(p, n->d, false);
}

static void
pr_if(struct pr *p, const struct kb_jsn *n)
{
    pr_paren_expr(p, "if", n->a);
    bool brace = n->c && pr_dangles(n->b);
    pr_body(p, n->b, brace);
    if (!n->c)
        return;
    if (brace || (n->b && n->b->kind == KB_JSN_BLOCK))
        pr_sp(p);
    else
        pr_nl(p);
    pr_puts(p, "else");
    pr_body(p, n->c, false);
}

static void
pr_switch(struct pr *p, const struct kb_jsn *n)
{
    pr_paren_expr(p, "switch", n->a);
    pr_sp(p);
    pr_puts(p, "{");
    p->indent++;
    for (const struct kb_jsn *c = n->b; c && !p->err; c = c->next) {
        pr_nl(p);
        pr_mark(p, c);
        if (c->a) {
            pr_puts(p, "case");
            pr_sp(p);
            pr_expr(p, c->a, L_SEQ, 0);
        } else {
            pr_puts(p, "default");
        }
        pr_puts(p, ":");
        p->indent++;
        pr_stmts(p, c->b, false, true);
        p->indent--;
    }
    p->indent--;
    if (n->b)
        pr_nl(p);
    pr_puts(p, "}");
}

static void
pr_try(struct pr *p, const struct kb_jsn *n)
{
    pr_puts(p, "try");
    pr_sp(p);
    pr_block(p, n->a, false);
    const struct kb_jsn *c = n->b;
    if (c) {
        pr_sp(p);
        pr_mark(p, c);
        pr_puts(p, "catch");
        pr_sp(p);
        if (c->a) {
            pr_puts(p, "(");
            pr_expr(p, c->a, L_ASSIGN, 0);
            pr_puts(p, ")");
            pr_sp(p);
        }
        pr_block(p, c->b, false);
    }
    if (n->c) {
        pr_sp(p);
        pr_puts(p, "finally");
        pr_sp(p);
        pr_block(p, n->c, false);
    }
}

/* The names of import/export braces: { a, b as c }. */
static void
pr_specs(struct pr *p, const struct kb_jsn *q)
{
    pr_puts(p, "{");
    if (q)
        pr_sp(p);
    for (; q && !p->err; q = q->next) {
        pr_mark(p, q);
        /* import { a as b }: a is the imported name, b the local one;
         * export { a as b }: a is local, b exported. */
        pr_name(p, q->a ? q->a : q->b);
        if (q->a && q->b && q->a != q->b && !pr_same_name(q->a, q->b)) {
            pr_sp(p);
            pr_puts(p, "as");
            pr_sp(p);
            pr_name(p, q->b);
        }
        if (q->next) {
            pr_puts(p, ",");
            pr_sp(p);
        } else {
            pr_sp(p);
        }
    }
    pr_puts(p, "}");
}

static void
pr_from(struct pr *p, const struct kb_jsn *src, const struct kb_jsn *attrs, bool from)
{
    if (from) {
        pr_sp(p);
        pr_puts(p, "from");
        pr_sp(p);
    }
    if (src)
        pr_name(p, src);
    if (attrs) {
        pr_sp(p);
        pr_puts(p, "with");
        pr_sp(p);
        pr_expr(p, attrs, L_ASSIGN, 0);
    }
    pr_puts(p, ";");
}

static void
pr_import(struct pr *p, const struct kb_jsn *n)
{
    pr_puts(p, "import");
    const struct kb_jsn *q = n->a;
    if (!q) {
        pr_sp(p);
        pr_from(p, n->b, n->c, false);
        return;
    }
    pr_sp(p);
    bool first = true;
    while (q && !p->err) {
        if (!first) {
            pr_puts(p, ",");
            pr_sp(p);
        }
        first = false;
        if (q->kind == KB_JSN_IMPORT_DEFAULT) {
            pr_mark(p, q);
            if (q->b)
                pr_name(p, q->b);
            q = q->next;
        } else if (q->kind == KB_JSN_IMPORT_NS) {
            pr_mark(p, q);
            pr_puts(p, "*");
            pr_sp(p);
            pr_puts(p, "as");
            pr_sp(p);
            if (q->b)
                pr_name(p, q->b);
            q = q->next;
        } else {
            pr_specs(p, q);
            break;
        }
    }
    pr_from(p, n->b, n->c, true);
}

static void
pr_export(struct pr *p, const struct kb_jsn *n)
{
    pr_puts(p, "export");
    pr_sp(p);
    switch (n->kind) {
    case KB_JSN_EXPORT_NAMED:
        if (n->a) {
            pr_stmt(p, n->a);
            return;
        }
        pr_specs(p, n->b);
        if (n->c)
            pr_from(p, n->c, n->d, true);
        else
            pr_puts(p, ";");
        break;
    case KB_JSN_EXPORT_DEFAULT: {
        pr_puts(p, "default");
        const struct kb_jsn *a = n->a;
        if (a && (a->kind == KB_JSN_FUNC_DECL || a->kind == KB_JSN_CLASS_DECL)) {
            pr_sp(p);
            pr_mark(p, a);
            if (a->kind == KB_JSN_FUNC_DECL)
                pr_function(p, a);
            else
                pr_class(p, a);
            break;
        }
        pr_sp(p);
        p->export_start = p->out->len;
        if (a)
            pr_expr(p, a, L_ASSIGN, 0);
        pr_puts(p, ";");
        break;
    }
    default: /* EXPORT_ALL */
        pr_puts(p, "*");
        if (n->a) {
            pr_sp(p);
            pr_puts(p, "as");
            pr_sp(p);
            pr_name(p, n->a);
        }
        pr_from(p, n->b, n->c, true);
        break;
    }
}

static void
pr_stmt(struct pr *p, const struct kb_jsn *n)
{
    if (!n || !pr_enter(p))
        return;
    bool prologue = p->prologue;
    p->prologue = false;
    pr_mark(p, n);
    switch (n->kind) {
    case KB_JSN_EXPR_STMT:
        if (n->a && (n->flags & KB_JSN_F_DIRECTIVE) && n->a->kind == KB_JSN_STR) {
            pr_mark(p, n->a);
            pr_str(p, n->a);
        } else if (n->a) {
            /* A bare string here would read as a directive. */
            p->stmt_start = p->out->len;
            pr_expr_x(p, n->a, L_SEQ, 0, prologue && n->a->kind == KB_JSN_STR);
        }
        pr_puts(p, ";");
        break;
    case KB_JSN_BLOCK: pr_block(p, n, false); break;
    case KB_JSN_EMPTY: pr_puts(p, ";"); break;
    case KB_JSN_DEBUGGER: pr_puts(p, "debugger;"); break;
    case KB_JSN_IF: pr_if(p, n); break;
    case KB_JSN_FOR:
    case KB_JSN_FOR_IN:
    case KB_JSN_FOR_OF: pr_for(p, n); break;
    case KB_JSN_WHILE:
        pr_paren_expr(p, "while", n->a);
        pr_body(p, n->d, false);
        break;
    case KB_JSN_DO_WHILE:
        pr_puts(p, "do");
        pr_body(p, n->d, false);
        if (n->d && n->d->kind == KB_JSN_BLOCK)
            pr_sp(p);
        else
            pr_nl(p);
        pr_paren_expr(p, "while", n->a);
        pr_puts(p, ";");
        break;
    case KB_JSN_RETURN:
    case KB_JSN_THROW:
        pr_puts(p, n->kind == KB_JSN_RETURN ? "return" : "throw");
        if (n->a) {
            pr_sp(p);
            pr_expr(p, n->a, L_SEQ, 0);
        }
        pr_puts(p, ";");
        break;
    case KB_JSN_BREAK:
    case KB_JSN_CONTINUE:
        pr_puts(p, n->kind == KB_JSN_BREAK ? "break" : "continue");
        if (n->a) {
            pr_puts(p, " ");
            pr_name(p, n->a);
        }
        pr_puts(p, ";");
        break;
    case KB_JSN_LABELED:
        if (n->a)
            pr_name(p, n->a);
        pr_puts(p, ":");
        pr_body(p, n->b, false);
        break;
    case KB_JSN_SWITCH: pr_switch(p, n); break;
    case KB_JSN_TRY: pr_try(p, n); break;
    case KB_JSN_WITH:
        pr_paren_expr(p, "with", n->a);
        pr_body(p, n->b, false);
        break;
    case KB_JSN_VAR_DECL: pr_var(p, n, false); break;
    case KB_JSN_FUNC_DECL: pr_function(p, n); break;
    case KB_JSN_CLASS_DECL: pr_class(p, n); break;
    case KB_JSN_IMPORT: pr_import(p, n); break;
    case KB_JSN_EXPORT_NAMED:
    case KB_JSN_EXPORT_DEFAULT:
    case KB_JSN_EXPORT_ALL: pr_export(p, n); break;
    case KB_JSN_PROGRAM: pr_stmts(p, n->a, true, false); break;
    case KB_JSN_METHOD:
    case KB_JSN_FIELD:
    case KB_JSN_STATIC_BLOCK: pr_class_member(p, n); break;
    case KB_JSN_CASE:
    case KB_JSN_CATCH:
    case KB_JSN_DECLARATOR:
    case KB_JSN_IMPORT_SPEC:
    case KB_JSN_IMPORT_DEFAULT:
    case KB_JSN_IMPORT_NS:
    case KB_JSN_EXPORT_SPEC:
        /* Pieces of statements printed alone: as their statement would. */
        if (n->a)
            pr_expr(p, n->a, L_SEQ, 0);
        break;
    default:
        /* An expression where a statement belongs: an expression statement. */
        p->stmt_start = p->out->len;
        pr_expr(p, n, L_SEQ, 0);
        pr_puts(p, ";");
        break;
    }
    p->depth--;
}

static bool
pr_is_stmt_kind(int k)
{
    switch (k) {
    case KB_JSN_PROGRAM:
    case KB_JSN_EXPR_STMT:
    case KB_JSN_BLOCK:
    case KB_JSN_EMPTY:
    case KB_JSN_DEBUGGER:
    case KB_JSN_IF:
    case KB_JSN_FOR:
    case KB_JSN_FOR_IN:
    case KB_JSN_FOR_OF:
    case KB_JSN_WHILE:
    case KB_JSN_DO_WHILE:
    case KB_JSN_RETURN:
    case KB_JSN_THROW:
    case KB_JSN_BREAK:
    case KB_JSN_CONTINUE:
    case KB_JSN_LABELED:
    case KB_JSN_SWITCH:
    case KB_JSN_TRY:
    case KB_JSN_WITH:
    case KB_JSN_VAR_DECL:
    case KB_JSN_FUNC_DECL:
    case KB_JSN_CLASS_DECL:
    case KB_JSN_IMPORT:
    case KB_JSN_EXPORT_NAMED:
    case KB_JSN_EXPORT_DEFAULT:
    case KB_JSN_EXPORT_ALL:
    case KB_JSN_METHOD:
    case KB_JSN_FIELD:
    case KB_JSN_STATIC_BLOCK: return true;
    default: return false;
    }
}

int
kb_jsprint(const struct kb_jsn *n, const struct kb_jsprint_opts *o, struct kc_buf *out,
           struct kb_jsprint_map *map)
{
    struct pr p = {
        .o = o,
        .out = out,
        .map = map,
        .regex_end = PR_NONE,
        .num_end = PR_NONE,
        .stmt_start = PR_NONE,
        .arrow_start = PR_NONE,
        .export_start = PR_NONE,
        .for_start = PR_NONE,
        .forof_start = PR_NONE,
    };
    if (!n)
        return 0;
    if (n->kind == KB_JSN_PROGRAM) {
        /* A hashbang line is no token of the tree: keep it. */
        if (o->src && o->src_len > 2 && o->src[0] == '#' && o->src[1] == '!' && n->end > n->start) {
            const unsigned char *u = (const unsigned char *)o->src;
            uint32_t end = 2;
            while (end < o->src_len && u[end] != '\n' && u[end] != '\r' &&
                   !(u[end] == 0xe2 && end + 2 < o->src_len && u[end + 1] == 0x80 &&
                     (u[end + 2] == 0xa8 || u[end + 2] == 0xa9)))
                end++;
            pr_copy(&p, 0, end);
            pr_append(&p, "\n", 1);
        }
        pr_stmts(&p, n->a, true, false);
        if (!o->compact && n->a)
            pr_append(&p, "\n", 1);
    } else if (pr_is_stmt_kind(n->kind)) {
        pr_stmt(&p, n);
    } else if (n->kind == KB_JSN_PROPERTY) {
        pr_property(&p, n);
    } else {
        pr_expr(&p, n, L_SEQ, 0);
    }
    return p.err;
}

void
kb_jsprint_map_free(struct kb_jsprint_map *m)
{
    if (!m)
        return;
    free(m->segs);
    free(m->copies);
    memset(m, 0, sizeof *m);
}
