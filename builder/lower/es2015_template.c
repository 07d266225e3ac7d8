/*
 * ES2015 template literals, for ES5.
 *
 *   `a${b}c${d}`   ->  "a".concat(b, "c", d)
 *   tag`a${x}b`    ->  tag(_templateObject || (_templateObject =
 *                        _taggedTemplateLiteral(["a", "b"])), x)
 *
 * String.prototype.concat converts each value with ToString, as a template
 * does (`+` would call valueOf first). A tagged template's strings object is
 * made once per call site and cached in a variable declared at the top of
 * the program: the same frozen array on every evaluation of the site, with a
 * frozen `raw` (passed only when it differs from the cooked strings; an
 * invalid escape cooks to undefined). A member tag stays a member call, so
 * the tag gets its `this`. Below ES2018 (template literal revision), tagged
 * templates with an invalid escape are lowered so too, and nothing else.
 */
#include "builder/lower/internal.h"

#include <string.h>

/* A string literal of the cooked value (which may hold NULs). */
static struct kb_jsn *
tp_str(struct kl_ctx *c, const char *s, uint32_t len, uint32_t pos)
{
    struct kb_jsn *n = kl_node(c, KB_JSN_STR, pos);
    n->str = s;
    n->len = len;
    return n;
}

/* "q0".concat(e1, "q1", e2, ...), empty strings after the first dropped. */
static struct kb_jsn *
tp_concat(struct kl_ctx *c, struct kb_jsn *t)
{
    struct kb_jsn *q = t->a, *e = t->b;
    struct kb_jsn *head = tp_str(c, q->str, q->len, t->start);
    if (!e)
        return head;
    struct kb_jsn *args = NULL, **tail = &args;
    for (q = q->next; e; q = q->next) {
        struct kb_jsn *next = e->next;
        *tail = e;
        tail = &e->next;
        if (q->len) {
            *tail = tp_str(c, q->str, q->len, q->start);
            tail = &(*tail)->next;
        }
        *tail = NULL;
        e = next;
    }
    return kl_call(c, kl_member(c, head, "concat"), args);
}

/* Template piece q's raw value (which may hold NULs: the tree's str2 is a C
 * string) from the source, between its delimiters (` or } and ` or ${),
 * line terminators CR LF and CR read as LF (ECMA-262, TRV). */
static struct kb_jsn *
tp_raw(struct kl_ctx *c, const struct kb_jsn *q)
{
    size_t a = (size_t)q->start + 1, e = q->end;
    bool ok = q->end <= c->len && a < e && (c->src[q->start] == '`' || c->src[q->start] == '}');
    if (ok && c->src[e - 1] == '{' && e >= a + 2 && c->src[e - 2] == '$')
        e -= 2;
    else if (ok && c->src[e - 1] == '`')
        e -= 1;
    else
        ok = false;
    if (!ok)
        return tp_str(c, q->str2, (uint32_t)strlen(q->str2), q->start);
    char *raw = kl_alloc(c, e - a + 1);
    uint32_t n = 0;
    for (size_t i = a; i < e; i++) {
        if (c->src[i] == '\r' && i + 1 < e && c->src[i + 1] == '\n')
            i++;
        raw[n++] = c->src[i] == '\r' ? '\n' : c->src[i];
    }
    return tp_str(c, raw, n, q->start);
}

/* [s0, s1, ...] of the cooked (raw = false) or raw strings. */
static struct kb_jsn *
tp_strings(struct kl_ctx *c, struct kb_jsn *t, bool raw)
{
    struct kb_jsn *arr = kl_node(c, KB_JSN_ARRAY, t->start), **tail = &arr->a;
    for (struct kb_jsn *q = t->a; q; q = q->next) {
        if (raw)
            *tail = tp_raw(c, q);
        else if (q->str)
            *tail = tp_str(c, q->str, q->len, q->start);
        else
            *tail = kl_undefined(c, q->start);
        tail = &(*tail)->next;
    }
    return arr;
}

static bool
tp_raw_is_cooked(struct kl_ctx *c, const struct kb_jsn *t)
{
    for (const struct kb_jsn *q = t->a; q; q = q->next) {
        const struct kb_jsn *r = q->str ? tp_raw(c, q) : NULL;
        if (!r || r->len != q->len || memcmp(q->str, r->str, q->len) != 0)
            return false;
    }
    return true;
}

/* tag(_templateObject || (_templateObject = _taggedTemplateLiteral(...)), exprs) */
static struct kb_jsn *
tp_tagged(struct kl_walk *w, struct kb_jsn *n)
{
    struct kl_ctx *c = w->c;
    struct kb_jsn *t = n->b;
    struct kb_jsn *cache = kl_temp(c, "templateObject", n->start);
    kl_declare_in(w, 0, cache);
    struct kb_jsn *make =
        kl_callv(c, kl_helper(c, "taggedTemplateLiteral", n->start), tp_strings(c, t, false),
                 tp_raw_is_cooked(c, t) ? NULL : tp_strings(c, t, true), NULL);
    struct kb_jsn *strings =
        kl_logical(c, KB_JS_OP_OR, kl_clone(c, cache), kl_assign(c, kl_clone(c, cache), make));
    strings->next = t->b;
    return kl_call(c, n->a, strings);
}

static bool
tp_has_invalid_escape(const struct kb_jsn *t)
{
    for (const struct kb_jsn *q = t->a; q; q = q->next)
        if (!q->str)
            return true;
    return false;
}

static struct kb_jsn *
tp_leave(struct kl_walk *w, struct kb_jsn *n)
{
    bool all = w->c->lower & KL_BIT(KL_F_TEMPLATE);
    if (n->kind == KB_JSN_TAGGED_TEMPLATE && (all || tp_has_invalid_escape(n->b)))
        return tp_tagged(w, n);
    if (n->kind == KB_JSN_TEMPLATE && all) {
        struct kb_jsn *p = kl_parent(w);
        if (!(p && p->kind == KB_JSN_TAGGED_TEMPLATE && p->b == n))
            return tp_concat(w->c, n);
    }
    return n;
}

void
kl_pass_template(struct kl_ctx *c)
{
    struct kl_walk w = { .c = c, .leave = tp_leave };
    kl_walk(&w);
}
