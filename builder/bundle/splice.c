/*
 * Splicing: a chunk is the original text of its modules in evaluation order,
 * with edits (imports removed, exports stripped, names renamed where they
 * collide, specifiers and URLs made relative to the chunk), after the
 * namespace objects it builds. The legacy twin's body is spliced here too,
 * with legacy_splice.c's edits; minify.c copies the text between edits.
 */
#include "builder/bundle/internal.h"
#include "common/ascii.h"
#include "common/buf.h"
#include "common/error.h"
#include "common/log.h"
#include "common/path.h"
#include "common/quote.h"
#include "common/vec.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
kb__edit(struct splice *sp, uint32_t start, uint32_t end, const char *fmt, ...)
{
    int rc = kc_vec_reserve(sp->v, sp->cap, sp->n + 1, KB_LIST_MAX);
    if (rc)
        return rc;
    va_list ap;
    va_start(ap, fmt);
    char *t = NULL;
    int k = vasprintf(&t, fmt, ap);
    va_end(ap);
    if (k < 0)
        return KC_ENOMEM;
    sp->v[sp->n++] = (struct edit){ start, end, t, 0 };
    return 0;
}

int
kb__put_name(struct kc_buf *o, const char *name)
{
    bool ident = name[0] && !kc_is_digit(name[0]);
    for (const char *p = name; *p && ident; p++)
        ident = kc_is_alnum(*p) || *p == '_' || *p == '$';
    return ident ? kc_buf_puts(o, name) : kc_quote_js(o, name, strlen(name), 0);
}

/* Records that chunk c imports sym's final name from the chunk holding it. */
static int
need(struct bundle *b, int c, struct kb_sym s)
{
    if (s.idx == KB_SYM_NS(&b->g.m[s.mod]) && b->g.m[s.mod].ns_real)
        return kb__push_int(&b->c[c].nsimp, &b->c[c].nnsimp, &b->c[c].capnsimp, s.mod);
    int tc = b->g.m[s.mod].chunk;
    if (tc == c)
        return 0;
    struct chunk *ch = &b->c[c];
    const char *name = kb__sym_final(b, s);
    for (size_t i = 0; i < ch->nneeds; i++)
        if (strcmp(ch->needs[i].name, name) == 0)
            return 0;
    int rc = kc_vec_reserve(ch->needs, ch->capneeds, ch->nneeds + 1, KB_LIST_MAX);
    if (rc)
        return rc;
    ch->needs[ch->nneeds++] = (struct need){ tc, name };
    struct chunk *tch = &b->c[tc];
    return kb__push_name(&tch->exports, &tch->nexports, &tch->capexports, name);
}

static int
splice_visit(void *vctx, struct kb_jsn *n, bool shorthand, int depth)
{
    (void)depth;
    struct splice *sp = vctx;
    struct bundle *b = sp->b;
    const struct kb_mod *m = &b->g.m[sp->mi];
    if (sp->legacy) {
        int rc = kb__legacy_visit(sp, n);
        if (rc)
            return rc;
    }
    const struct kb_jsn *lit = n->kind == KB_JSN_IMPORT_CALL ? kb__spec_literal(n->a) : NULL;
    if (lit && !sp->legacy) {
        for (size_t r = 0; r < m->nreq; r++)
            if (m->req[r].str == lit) {
                /* The whole text between the quotes or backticks is
                 * replaced, escapes included; a percent-encoded path needs
                 * no escape in either. */
                char *u = kb__chunk_rel(b, sp->c, kb__host_path(b, m->req[r].mod));
                if (!u)
                    return KC_ENOMEM;
                int rc = kb__edit(sp, lit->start + 1, lit->end - 1, "%s", u);
                free(u);
                return rc ? rc : 1;
            }
        return 1;
    }
    if (n->kind != KB_JSN_IDENT || n->binding == 0 || n == sp->skip)
        return 0;
    const struct kb_js_binding *bd = &m->ast.bindings[n->binding - 1];
    const char *name = NULL;
    if (bd->kind == KB_JS_B_IMPORT && m->imp_of[n->binding]) {
        struct kb_sym s = m->imp[m->imp_of[n->binding] - 1].to;
        name = kb__sym_final(b, s);
        int rc = need(b, sp->c, s);
        if (rc)
            return rc;
    } else if (bd->flags & KB_JS_BF_TOP) {
        name = m->final[n->binding];
    }
    if (!name || strcmp(name, n->str) == 0)
        return 0;
    if (shorthand)
        return kb__edit(sp, n->start, n->end, "%.*s: %s", (int)(n->end - n->start),
                        m->src + n->start, name);
    return kb__edit(sp, n->start, n->end, "%s", name);
}

static int
remove_stmt(struct splice *sp, const struct kb_jsn *st)
{
    const struct kb_mod *m = &sp->b->g.m[sp->mi];
    /* Keep the line count, so positions in the chunk stay near the source's. */
    char nl[64];
    size_t k = 0;
    for (uint32_t i = st->start; i < st->end && k < sizeof nl - 1 && !sp->b->s->opt->minify_ws; i++)
        if (m->src[i] == '\n')
            nl[k++] = '\n';
    nl[k] = '\0';
    return kb__edit(sp, st->start, st->end, ";%s", nl);
}

static bool
anonymous_fn(const struct kb_jsn *d)
{
    return ((d->kind == KB_JSN_FUNC_EXPR || d->kind == KB_JSN_CLASS_EXPR) && !d->a) ||
           d->kind == KB_JSN_ARROW;
}

/* Past the comment that starts at src[at] (at < end): after a block comment,
 * at the '\n' that ends a line comment; at itself when no comment starts there. */
static uint32_t
comment_end(const char *src, uint32_t at, uint32_t end)
{
    if (src[at] == '/' && at + 1 < end && src[at + 1] == '*') {
        const char *e = strstr(src + at + 2, "*/");
        return e ? (uint32_t)(e - src) + 2 : end;
    }
    if (src[at] == '/' && at + 1 < end && src[at + 1] == '/')
        while (at < end && src[at] != '\n')
            at++;
    return at;
}

/* Where the name of an anonymous `function (` goes: before the '('. */
static uint32_t
paren_of(const char *src, uint32_t at, uint32_t end)
{
    while (at < end && src[at] != '(') {
        uint32_t c = comment_end(src, at, end);
        at = c > at ? c : at + 1;
    }
    return at;
}

/* The first byte at or after at that is neither white space nor inside a
 * comment (stops at end). */
static uint32_t
skip_blank(const char *src, uint32_t at, uint32_t end)
{
    while (at < end) {
        uint32_t c = comment_end(src, at, end);
        if (c > at)
            at = c;
        else if (src[at] == ' ' || src[at] == '\t' || src[at] == '\n' || src[at] == '\r')
            at++;
        else
            break;
    }
    return at;
}

static int
name_fixup(struct bundle *b, int c, const char *final, const char *name)
{
    return kc_buf_printf(&b->c[c].pre, "Object.defineProperty(%s, \"name\", { value: \"%s\" });\n",
                         final, name);
}

/* The edits of one top-level statement. */
static int
splice_stmt(struct splice *sp, struct kb_jsn *st)
{
    struct bundle *b = sp->b;
    struct kb_mod *m = &b->g.m[sp->mi];
    struct kb_jsn *d = st;
    int rc = 0;
    switch (st->kind) {
    case KB_JSN_IMPORT:
    case KB_JSN_EXPORT_ALL: return remove_stmt(sp, st);
    case KB_JSN_EXPORT_NAMED:
        if (!st->a)
            return remove_stmt(sp, st);
        d = st->a;
        rc = kb__edit(sp, st->start, d->start, ";");
        break;
    case KB_JSN_EXPORT_DEFAULT:
        d = st->a;
        if (st == m->dflt) {
            const char *f = m->final[KB_SYM_DEFAULT(m)];
            if (d->kind == KB_JSN_FUNC_DECL) {
                /* Hoisted like the original; its name fixed to "default". */
                rc = kb__edit(sp, st->start, d->start, ";");
                if (!rc)
                    rc = kb__edit(sp, paren_of(m->src, d->start, d->end),
                                  paren_of(m->src, d->start, d->end), " %s", f);
                if (!rc && !sp->legacy) /* the twin shares the fix-ups */
                    rc = name_fixup(b, sp->c, f, "default");
            } else {
                /* From after `default` to the statement's end (before its
                 * ';'), so parentheses around the expression stay whole. A
                 * property definition names an anonymous function or class
                 * "default", as the original's NamedEvaluation does. */
                uint32_t kw = skip_blank(m->src, st->start + 6, d->start) + 7;
                uint32_t end =
                    st->end > d->end && m->src[st->end - 1] == ';' ? st->end - 1 : st->end;
                bool anon = d->kind == KB_JSN_CLASS_DECL || anonymous_fn(d);
                rc = kb__edit(sp, st->start, kw, ";const %s =%s", f, anon ? " { default:" : "");
                if (!rc)
                    rc = kb__edit(sp, end, end, "%s", anon ? " }.default;" : ";");
            }
            sp->skip = NULL;
            return rc ? rc : kb_graph_walk(d, splice_visit, sp, 0);
        }
        rc = kb__edit(sp, st->start, d->start, ";");
        break;
    default: break;
    }
    if (!rc && (d->kind == KB_JSN_CLASS_DECL || d->kind == KB_JSN_FUNC_DECL) && d->a &&
        d->a->binding) {
        const char *f = m->final[d->a->binding];
        if (f && strcmp(f, d->a->str) != 0) {
            if (d->kind == KB_JSN_CLASS_DECL) {
                /* The class keeps its own name (and inner binding). */
                rc = kb__edit(sp, d->start, d->start, "let %s = ", f);
                if (!rc)
                    rc = kb__edit(sp, d->end, d->end, ";");
                sp->skip = d->a;
            } else if (!sp->legacy) {
                rc = name_fixup(b, sp->c, f, d->a->str);
            }
        }
    }
    if (!rc)
        rc = kb_graph_walk(st, splice_visit, sp, 0);
    sp->skip = NULL;
    return rc;
}

static int
cmp_edit(const void *x, const void *y)
{
    const struct edit *a = x, *c = y;
    if (a->start != c->start)
        return a->start < c->start ? -1 : 1;
    if (a->end != c->end)
        return (a->end > c->end) - (a->end < c->end);
    return (a->order > c->order) - (a->order < c->order);
}

/* Literal lit of module m, whose new text is the cooked value v: the text
 * between its quotes or backticks when that was written without escapes
 * (v, a percent-encoded path and a part of the old text, needs none then),
 * else the whole literal as a double-quoted string with v escaped: a query
 * kept from an escaped value may hold a quote, a backtick or a backslash. */
static int
edit_literal(struct splice *sp, const struct kb_mod *m, const struct kb_jsn *lit, const char *v)
{
    if (!memchr(m->src + lit->start + 1, '\\', lit->end - lit->start - 2))
        return kb__edit(sp, lit->start + 1, lit->end - 1, "%s", v);
    struct kc_buf q;
    kc_buf_init(&q, KB_CHUNK_MAX);
    int rc = kc_quote_js(&q, v, strlen(v), 0);
    if (!rc)
        rc = kb__edit(sp, lit->start, lit->end, "%s", q.data);
    kc_buf_free(&q);
    return rc;
}

/* new URL('x', import.meta.url): the literal now names the asset from the
 * chunk's directory. Absolute and external URLs stay. */
static int
splice_urls(struct splice *sp)
{
    const struct bundle *b = sp->b;
    const struct kb_mod *m = &b->g.m[sp->mi];
    for (size_t i = 0; i < m->nurls; i++) {
        const char *u = m->urls[i]->str;
        if (u[0] == '/' || strstr(u, ":"))
            continue;
        if (sp->legacy) {
            int rc = kb__legacy_url(sp, m->urls[i]);
            if (rc)
                return rc;
            continue;
        }
        size_t q = strcspn(u, "?#");
        char dir[PATH_MAX], p[PATH_MAX], dec[PATH_MAX];
        if (q >= sizeof dec)
            continue;
        memcpy(dec, u, q);
        dec[q] = '\0';
        kc_path_dirname(m->path, dir, sizeof dir);
        if (kc_path_resolve(dir, dec, p, sizeof p) != 0)
            continue;
        char *r = kb__chunk_rel(b, sp->c, p), *v = NULL;
        if (!r || asprintf(&v, "%s%s", r, u + q) < 0) {
            free(r);
            return KC_ENOMEM;
        }
        int rc = edit_literal(sp, m, m->urls[i], v);
        free(r);
        free(v);
        if (rc)
            return rc;
    }
    return 0;
}

/* A `//# sourceMappingURL=` of a module would name the wrong map inside a
 * chunk: it is dropped. */
static int
splice_maps(struct splice *sp)
{
    const struct kb_mod *m = &sp->b->g.m[sp->mi];
    const struct kb_file *f = &sp->b->s->files[m->file];
    for (size_t r = 0; r < f->refs.n; r++) {
        const struct kb_ref *ref = &f->refs.v[r];
        if (ref->kind != KB_REF_SOURCEMAP)
            continue;
        size_t at = ref->start;
        while (at > 0 && m->src[at - 1] != '\n' &&
               !(at >= 3 && m->src[at - 3] == '/' && m->src[at - 2] == '/' &&
                 (m->src[at - 1] == '#' || m->src[at - 1] == '@')))
            at--;
        if (at >= 3 && m->src[at - 3] == '/' && m->src[at - 2] == '/') {
            int rc = kb__edit(sp, (uint32_t)at - 3, (uint32_t)ref->end, "%s", "");
            if (rc)
                return rc;
        }
    }
    return 0;
}

int
kb__splice_module(struct bundle *b, int c, int mi, bool legacy)
{
    struct kb_mod *m = &b->g.m[mi];
    struct splice sp = { .b = b, .mi = mi, .c = c, .legacy = legacy };
    int rc = 0;
    if (m->len >= 2 && m->src[0] == '#' && m->src[1] == '!') {
        uint32_t e = 0;
        while (e < m->len && m->src[e] != '\n')
            e++;
        rc = kb__edit(&sp, 0, e, "%s", "");
    }
    for (struct kb_jsn *st = m->ast.program->a; st && !rc; st = st->next) {
        rc = splice_stmt(&sp, st);
        if (!rc && legacy)
            rc = kb__legacy_declared(&sp, st);
    }
    if (!rc)
        rc = splice_urls(&sp);
    if (!rc)
        rc = splice_maps(&sp);
    struct chunk *ch = &b->c[c];
    struct kc_buf *o = legacy ? &ch->lbody : &ch->body;
    struct kb_smap *map = legacy ? &ch->lmap : &ch->map;
    int si = 0;
    while (ch->mods[si] != mi)
        si++;
    char head[PATH_MAX + 16];
    snprintf(head, sizeof head, b->s->opt->minify_ws ? ";\n" : ";\n// %s\n", m->path);
    if (!rc)
        rc = kb_smap_gen(map, o, head, -1, NULL, 0);
    if (!rc) {
        if (sp.n)
            qsort(sp.v, sp.n, sizeof *sp.v, cmp_edit);
        size_t pos = 0;
        for (size_t i = 0; i < sp.n && !rc; i++) {
            if (sp.v[i].start < pos) { /* overlapping edits: a bug here */
                kc_error("%s: internal error: overlapping bundle edits", m->path);
                rc = KC_EINVAL;
                break;
            }
            rc = kb__copy_text(b, map, o, si, m, pos, sp.v[i].start);
            if (!rc)
                rc = kb_smap_gen(map, o, sp.v[i].text, si, m->src, sp.v[i].start);
            pos = sp.v[i].end;
        }
        if (!rc)
            rc = kb__copy_text(b, map, o, si, m, pos, m->len);
        if (!rc && !(b->s->opt->minify_ws && o->len && o->data[o->len - 1] == '\n'))
            rc = kb_smap_gen(map, o, "\n", -1, NULL, 0);
    }
    for (size_t i = 0; i < sp.n; i++)
        free(sp.v[i].text);
    free(sp.v);
    free(sp.tops);
    return rc;
}

/* The namespace object of module mi: frozen, null prototype, one getter per
 * export (so it sees live bindings), sorted as the specification sorts. */
static int
namespace_object(struct bundle *b, int c, int mi)
{
    struct kc_buf *o = &b->c[c].pre;
    const struct kb_mod *m = &b->g.m[mi];
    const char **names;
    long k = kb_graph_export_names(&b->g, mi, &names);
    if (k < 0)
        return KC_ENOMEM;
    int rc = kc_buf_printf(o, "const %s = Object.freeze({ __proto__: null", m->final[KB_SYM_NS(m)]);
    for (long i = 0; i < k && !rc; i++) {
        struct kb_sym s;
        if (kb_graph_resolve_export(&b->g, mi, names[i], &s) != 1)
            continue;
        rc = need(b, c, s);
        if (!rc)
            rc = kc_buf_puts(o, ", get ");
        if (!rc)
            rc = kb__put_name(o, names[i]);
        if (!rc)
            rc = kc_buf_printf(o, "() { return %s; }", kb__sym_final(b, s));
    }
    if (!rc)
        rc = kc_buf_puts(o, ", [Symbol.toStringTag]: \"Module\" });\n");
    free(names);
    return rc;
}

int
kb__splice_chunks(struct bundle *b)
{
    int rc = 0;
    for (size_t c = 0; c < b->nc && !rc; c++) {
        struct chunk *ch = &b->c[c];
        for (size_t i = 0; i < ch->n && !rc; i++) {
            struct kb_mod *m = &b->g.m[ch->mods[i]];
            if (m->ns_used && !m->ns_real)
                rc = namespace_object(b, (int)c, ch->mods[i]);
        }
        for (size_t i = 0; i < ch->n && !rc; i++)
            rc = kb__splice_module(b, (int)c, ch->mods[i], false);
    }
    /* Public exports of import() targets may live in other chunks. */
    for (size_t c = 0; c < b->nc && !rc; c++) {
        int e = b->c[c].host;
        if (e < 0 || !(b->ep_kind[e] & 2))
            continue;
        const char **names;
        long k = kb_graph_export_names(&b->g, b->ep[e], &names);
        for (long i = 0; i < k && !rc; i++) {
            struct kb_sym s;
            if (kb_graph_resolve_export(&b->g, b->ep[e], names[i], &s) == 1)
                rc = need(b, (int)c, s);
        }
        free(names);
        if (k < 0)
            rc = KC_ENOMEM;
    }
    return rc;
}
