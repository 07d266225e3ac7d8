/*
 * The legacy twin's edits, made while its body is spliced (splice.c):
 * import() through kiln's loader, import.meta as the context's, new URL()
 * literals as entries of the twin's URL table, and every write of an
 * exported binding wrapped so that it exports the new value, as live
 * bindings would (docs/bundling.md, "Legacy output").
 */
#include "builder/bundle/internal.h"
#include "common/buf.h"
#include "common/error.h"
#include "common/path.h"
#include "common/quote.h"
#include "common/vec.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Index of url (relative to chunk c's directory) in c's URL table. */
static int
legacy_urlidx(struct bundle *b, int c, const char *url, enum kb_ref_kind kind)
{
    struct chunk *ch = &b->c[c];
    for (size_t i = 0; i < ch->nlurl; i++)
        if (strcmp(ch->lurl[i], url) == 0)
            return (int)i;
    int rc = kc_vec_reserve(ch->lurl, ch->caplurl, ch->nlurl + 1, KB_LIST_MAX);
    if (!rc)
        rc = kc_vec_reserve(ch->lkind, ch->caplkind, ch->nlurl + 1, KB_LIST_MAX);
    if (rc)
        return rc;
    ch->lurl[ch->nlurl] = strdup(url);
    ch->lkind[ch->nlurl] = kind;
    return ch->lurl[ch->nlurl] ? (int)ch->nlurl++ : KC_ENOMEM;
}

/* The export names chunk c gives local (final) name f, or 0. */
static size_t
legacy_names(const struct chunk *ch, const char *f)
{
    size_t k = 0;
    for (size_t i = 0; i < ch->nlexp; i++)
        k += strcmp(ch->lexp[i].local, f) == 0;
    return k;
}

/* Collects the exported finals an assignment target writes. */
static void
legacy_targets(struct splice *sp, const struct kb_jsn *t, const char **out, size_t *n, size_t max)
{
    const struct kb_mod *m = &sp->b->g.m[sp->mi];
    if (!t)
        return;
    switch (t->kind) {
    case KB_JSN_IDENT:
        if (t->binding && (m->ast.bindings[t->binding - 1].flags & KB_JS_BF_TOP) &&
            m->final[t->binding] && legacy_names(&sp->b->c[sp->c], m->final[t->binding]) &&
            *n < max)
            out[(*n)++] = m->final[t->binding];
        return;
    case KB_JSN_OBJECT_PAT:
    case KB_JSN_ARRAY_PAT:
    case KB_JSN_OBJECT:
    case KB_JSN_ARRAY:
        for (const struct kb_jsn *e = t->a; e; e = e->next)
            legacy_targets(sp, e, out, n, max);
        return;
    case KB_JSN_PROPERTY: legacy_targets(sp, t->b, out, n, max); return;
    case KB_JSN_ASSIGN_PAT:
    case KB_JSN_ASSIGN:
    case KB_JSN_REST:
    case KB_JSN_SPREAD: legacy_targets(sp, t->a, out, n, max); return;
    default: return;
    }
}

/* `_export({ name: local, ... })` of the exported finals fin[0..k) into o. */
static int
legacy_export_call(const struct bundle *b, const struct chunk *ch, const char **fin, size_t k,
                   struct kc_buf *o)
{
    int rc = kc_buf_printf(o, "%s({ ", b->lx);
    bool any = false;
    for (size_t i = 0; i < ch->nlexp && !rc; i++) {
        bool in = false;
        for (size_t j = 0; j < k; j++)
            in |= strcmp(fin[j], ch->lexp[i].local) == 0;
        if (!in)
            continue;
        rc = any ? kc_buf_puts(o, ", ") : 0;
        if (!rc)
            rc = kb__put_name(o, ch->lexp[i].name);
        if (!rc)
            rc = kc_buf_printf(o, ": %s", ch->lexp[i].local);
        any = true;
    }
    return rc ? rc : kc_buf_puts(o, " })");
}

/* for (x of ...) / for (x in ...) assigning exported bindings: the body
 * becomes a block that exports them first. */
static int
legacy_loop(struct splice *sp, const struct kb_jsn *n)
{
    const char *fin[64];
    size_t k = 0;
    legacy_targets(sp, n->a, fin, &k, 64);
    if (k == 0)
        return 0;
    struct kc_buf o;
    kc_buf_init(&o, 1u << 20);
    int rc = kc_buf_puts(&o, "{ ");
    if (!rc)
        rc = legacy_export_call(sp->b, &sp->b->c[sp->c], fin, k, &o);
    if (!rc)
        rc = kb__edit(sp, n->d->start, n->d->start, "%s; ", o.data);
    if (!rc)
        sp->v[sp->n - 1].order = -(1 << 30);
    if (!rc)
        rc = kb__edit(sp, n->d->end, n->d->end, " }");
    if (!rc)
        sp->v[sp->n - 1].order = (1 << 30) - 1;
    kc_buf_free(&o);
    return rc;
}

/* Legacy-only edits at node n: import() through the loader, import.meta as
 * the context's, and every assignment or update of an exported binding
 * wrapped so that it exports the new value (the setters of the importers
 * see it, as live bindings do). Returns 0 to go on with n as usual. */
int
kb__legacy_visit(struct splice *sp, struct kb_jsn *n)
{
    struct bundle *b = sp->b;
    const struct kb_mod *m = &b->g.m[sp->mi];
    const struct kb_jsn *lit = n->kind == KB_JSN_IMPORT_CALL ? kb__spec_literal(n->a) : NULL;
    if (lit) {
        for (size_t r = 0; r < m->nreq; r++) {
            if (m->req[r].str != lit)
                continue;
            char *tp = kb__twin_path(kb__host_path(b, m->req[r].mod));
            char *u = tp ? kb__chunk_rel(b, sp->c, tp) : NULL;
            int k = u ? legacy_urlidx(b, sp->c, u, KB_REF_JS_DYNAMIC) : KC_ENOMEM;
            free(tp);
            free(u);
            if (k < 0)
                return k;
            int rc = kb__edit(sp, n->start, n->a->end, "%s.import(%s.u[%d]", b->lc, b->lc, k);
            return rc ? rc : 1;
        }
        return 1;
    }
    if (n->kind == KB_JSN_META_PROP && n->a && strcmp(n->a->str, "import") == 0) {
        int rc = kb__edit(sp, n->start, n->end, "%s.meta", b->lc);
        return rc ? rc : 1;
    }
    if ((n->kind == KB_JSN_FOR_IN || n->kind == KB_JSN_FOR_OF) && n->a &&
        n->a->kind != KB_JSN_VAR_DECL && n->d)
        return legacy_loop(sp, n);
    if (n->kind != KB_JSN_ASSIGN && n->kind != KB_JSN_UPDATE)
        return 0;
    const char *fin[64];
    size_t k = 0;
    legacy_targets(sp, n->a, fin, &k, 64);
    if (k == 0)
        return 0;
    const struct chunk *ch = &b->c[sp->c];
    int order = ++sp->wraps;
    bool postfix = n->kind == KB_JSN_UPDATE && !(n->flags & KB_JSN_F_PREFIX);
    if (n->a->kind == KB_JSN_IDENT && !postfix && legacy_names(ch, fin[0]) == 1) {
        const char *name = NULL;
        for (size_t i = 0; i < ch->nlexp; i++)
            if (strcmp(ch->lexp[i].local, fin[0]) == 0)
                name = ch->lexp[i].name;
        struct kc_buf q;
        kc_buf_init(&q, 1u << 20);
        int rc = kc_quote_js(&q, name, strlen(name), 0);
        if (!rc)
            rc = kb__edit(sp, n->start, n->start, "%s(%s, ", b->lx, q.data);
        kc_buf_free(&q);
        if (!rc)
            sp->v[sp->n - 1].order = order;
        if (!rc)
            rc = kb__edit(sp, n->end, n->end, ")");
        if (!rc)
            sp->v[sp->n - 1].order = -order;
        return rc;
    }
    int rc = kb__edit(sp, n->start, n->start, "(%s.v = ", b->lx);
    if (!rc)
        sp->v[sp->n - 1].order = order;
    struct kc_buf o;
    kc_buf_init(&o, 1u << 20);
    rc = rc ? rc : kc_buf_puts(&o, ", ");
    if (!rc)
        rc = legacy_export_call(b, ch, fin, k, &o);
    if (!rc)
        rc = kc_buf_printf(&o, ", %s.v)", b->lx);
    if (!rc)
        rc = kb__edit(sp, n->end, n->end, "%s", o.data);
    if (!rc)
        sp->v[sp->n - 1].order = -order;
    kc_buf_free(&o);
    return rc;
}

/* After a top-level declaration in the twin: the exported bindings it
 * declared, exported at once (the module's own namespace may be read next). */
int
kb__legacy_declared(struct splice *sp, const struct kb_jsn *st)
{
    struct bundle *b = sp->b;
    const struct kb_mod *m = &b->g.m[sp->mi];
    const struct chunk *ch = &b->c[sp->c];
    struct kc_buf o;
    kc_buf_init(&o, 1u << 20);
    int rc = 0;
    bool any = false;
    for (uint32_t x = 1; x <= m->ast.nbindings + 1 && !rc; x++) {
        bool in = x <= m->ast.nbindings ? (m->ast.bindings[x - 1].flags & KB_JS_BF_TOP) &&
                                              m->ast.bindings[x - 1].kind != KB_JS_B_FUNCTION &&
                                              m->ast.bindings[x - 1].decl &&
                                              m->ast.bindings[x - 1].decl->start >= st->start &&
                                              m->ast.bindings[x - 1].decl->end <= st->end
                                        : st == m->dflt && m->dflt->a->kind != KB_JSN_FUNC_DECL;
        if (!in || !m->final[x])
            continue;
        for (size_t i = 0; i < ch->nlexp && !rc; i++) {
            if (strcmp(ch->lexp[i].local, m->final[x]) != 0)
                continue;
            rc = kc_buf_puts(&o, any ? ", " : ";");
            if (!rc && !any)
                rc = kc_buf_printf(&o, "%s({ ", b->lx);
            if (!rc)
                rc = kb__put_name(&o, ch->lexp[i].name);
            if (!rc)
                rc = kc_buf_printf(&o, ": %s", ch->lexp[i].local);
            any = true;
        }
    }
    if (!rc && any)
        rc = kc_buf_puts(&o, " });");
    if (!rc && any)
        rc = kb__edit(sp, st->end, st->end, "%s", o.data);
    if (!rc && any)
        sp->v[sp->n - 1].order = 1 << 30;
    kc_buf_free(&o);
    return rc;
}

/* new URL('x', import.meta.url) in the twin: the literal becomes an entry
 * of the URL table (a reference the naming stage rewrites). */
int
kb__legacy_url(struct splice *sp, const struct kb_jsn *str)
{
    struct bundle *b = sp->b;
    const struct kb_mod *m = &b->g.m[sp->mi];
    const char *u = str->str;
    size_t q = strcspn(u, "?#");
    char dir[PATH_MAX], p[PATH_MAX], dec[PATH_MAX];
    if (q >= sizeof dec)
        return 0;
    memcpy(dec, u, q);
    dec[q] = '\0';
    kc_path_dirname(m->path, dir, sizeof dir);
    if (kc_path_resolve(dir, dec, p, sizeof p) != 0)
        return 0;
    char *r = kb__chunk_rel(b, sp->c, p);
    char *full = NULL;
    if (!r || asprintf(&full, "%s%s", r, u + q) < 0) {
        free(r);
        return KC_ENOMEM;
    }
    int k = legacy_urlidx(b, sp->c, full, KB_REF_JS_URL);
    free(r);
    free(full);
    return k < 0 ? k : kb__edit(sp, str->start, str->end, "%s.u[%d]", b->lc, k);
}
