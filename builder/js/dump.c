/*
 * Names of node kinds and operators, and a compact S-expression rendering of
 * a tree: "(BINARY + (IDENT a) (NUM 1))". Tests compare against it, so its
 * format is part of the unit tests' contract; it is bounded by cap and by the
 * parser's own depth limit.
 */
#include "builder/js/ast.h"

#include <stdio.h>
#include <string.h>

static const char *const kb_jsn_names[] = {
#define KB_JSN_NAME(k) #k,
    KB_JSN_KINDS(KB_JSN_NAME)
#undef KB_JSN_NAME
};

static const char *const kb_js_op_names[] = {
#define KB_JS_OP_NAME(n, s) s,
    KB_JS_OPS(KB_JS_OP_NAME)
#undef KB_JS_OP_NAME
};

const char *
kb_jsn_kind_name(int kind)
{
    if (kind < 0 || kind >= KB_JSN_COUNT_)
        return "?";
    return kb_jsn_names[kind];
}

const char *
kb_js_op_name(int op)
{
    if (op < 0 || (size_t)op >= sizeof kb_js_op_names / sizeof *kb_js_op_names)
        return "?";
    return kb_js_op_names[op];
}

struct kb_jsdump {
    char *out;
    size_t cap, n;
};

static void
kb_jsdump_put(struct kb_jsdump *d, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (d->n + 1 < d->cap)
            d->out[d->n] = s[i];
        d->n++;
    }
    if (d->cap)
        d->out[d->n < d->cap ? d->n : d->cap - 1] = 0;
}

static void
kb_jsdump_str(struct kb_jsdump *d, const char *s)
{
    kb_jsdump_put(d, s, strlen(s));
}

static bool
kb_jsdump_has_op(int kind)
{
    return kind == KB_JSN_UNARY || kind == KB_JSN_UPDATE || kind == KB_JSN_BINARY ||
           kind == KB_JSN_LOGICAL || kind == KB_JSN_ASSIGN;
}

static void
kb_jsdump_node(struct kb_jsdump *d, const struct kb_jsn *n)
{
    if (!n) {
        kb_jsdump_str(d, "_");
        return;
    }
    char buf[64];
    kb_jsdump_str(d, "(");
    kb_jsdump_str(d, kb_jsn_names[n->kind]);
    if (kb_jsdump_has_op(n->kind)) {
        kb_jsdump_str(d, " ");
        kb_jsdump_str(d, kb_js_op_name(n->op));
    } else if (n->kind == KB_JSN_VAR_DECL) {
        kb_jsdump_str(d, n->op == 1 ? " var" : n->op == 2 ? " let" : " const");
    } else if (n->op && (n->kind == KB_JSN_METHOD || n->kind == KB_JSN_PROPERTY)) {
        static const char *const mk[] = { "", "", "get", "set", "constructor" };
        if (n->op > 1 && n->op < 5) {
            kb_jsdump_str(d, " ");
            kb_jsdump_str(d, mk[n->kind == KB_JSN_PROPERTY && n->op == 1 ? 0 : n->op]);
        }
    }
    static const struct {
        unsigned f;
        const char *s;
    } fl[] = { { KB_JSN_F_ASYNC, " async" },     { KB_JSN_F_GENERATOR, " *" },
               { KB_JSN_F_STATIC, " static" },   { KB_JSN_F_COMPUTED, " []" },
               { KB_JSN_F_SHORTHAND, " short" }, { KB_JSN_F_OPTIONAL, " ?." },
               { KB_JSN_F_DELEGATE, " *" },      { KB_JSN_F_AWAIT, " await" },
               { KB_JSN_F_PREFIX, " prefix" },   { KB_JSN_F_METHOD, " method" } };
    for (size_t i = 0; i < sizeof fl / sizeof *fl; i++)
        if (n->flags & fl[i].f)
            kb_jsdump_str(d, fl[i].s);
    switch (n->kind) {
    case KB_JSN_IDENT:
    case KB_JSN_PRIVATE_NAME:
    case KB_JSN_BIGINT:
        kb_jsdump_str(d, " ");
        kb_jsdump_put(d, n->str, n->len);
        break;
    case KB_JSN_STR:
        kb_jsdump_str(d, " \"");
        kb_jsdump_put(d, n->str, n->len);
        kb_jsdump_str(d, "\"");
        break;
    case KB_JSN_TEMPLATE_ELEM:
        kb_jsdump_str(d, " `");
        kb_jsdump_str(d, n->str2 ? n->str2 : "");
        kb_jsdump_str(d, "`");
        break;
    case KB_JSN_REGEX:
        kb_jsdump_str(d, " /");
        kb_jsdump_str(d, n->str);
        kb_jsdump_str(d, "/");
        kb_jsdump_str(d, n->str2);
        break;
    case KB_JSN_NUM:
        snprintf(buf, sizeof buf, " %.17g", n->num);
        kb_jsdump_str(d, buf);
        break;
    default: break;
    }
    const struct kb_jsn *kids[4] = { n->a, n->b, n->c, n->d };
    int last = 3;
    while (last >= 0 && !kids[last])
        last--;
    for (int i = 0; i <= last; i++) {
        kb_jsdump_str(d, " ");
        /* Slots holding lists print as [ ... ]. */
        if (kids[i] && kids[i]->next) {
            kb_jsdump_str(d, "[");
            for (const struct kb_jsn *q = kids[i]; q; q = q->next) {
                kb_jsdump_node(d, q);
                if (q->next)
                    kb_jsdump_str(d, " ");
            }
            kb_jsdump_str(d, "]");
        } else {
            kb_jsdump_node(d, kids[i]);
        }
    }
    kb_jsdump_str(d, ")");
}

size_t
kb_jsast_dump(const struct kb_jsn *n, char *out, size_t cap)
{
    struct kb_jsdump d = { out, cap, 0 };
    if (cap)
        out[0] = 0;
    kb_jsdump_node(&d, n);
    return d.n;
}
