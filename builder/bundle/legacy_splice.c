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
    const struct kb_lexp_by_local *at;
    return kb__lexp_of(ch, f, &at);
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

static int
cmp_size(const void *x, const void *y)
{
    size_t a = *(const size_t *)x, b = *(const size_t *)y;
    return (a > b) - (a < b);
}

/* `_export({ name: local, ... })` of the exported finals fin[0..k) into o. */
static int
legacy_export_call(const struct bundle *b, const struct chunk *ch, const char **fin, size_t k,
                   struct kc_buf *o)
{
    size_t *at = NULL, n = 0, cap = 0;
    int rc = 0;
    for (size_t j = 0; j < k && !rc; j++) {
        const struct kb_lexp_by_local *e;
        size_t ne = kb__lexp_of(ch, fin[j], &e);
        for (size_t i = 0; i < ne && !rc; i++)
            if (!(rc = kc_vec_reserve(at, cap, n + 1, KB_LIST_MAX)))
                at[n++] = e[i].i;
    }
    if (n > 1) /* in the order of ch->lexp, each once */
        qsort(at, n, sizeof *at, cmp_size);
    rc = rc ? rc : kc_buf_printf(o, "%s({ ", b->lx);
    for (size_t i = 0; i < n && !rc; i++) {
        if (i > 0 && at[i] == at[i - 1])
            continue;
        rc = i > 0 ? kc_buf_puts(o, ", ") : 0;
        if (!rc)
            rc = kb__put_name(o, ch->lexp[at[i]].name);
        if (!rc)
            rc = kc_buf_printf(o, ": %s", ch->lexp[at[i]].local);
    }
    free(at);
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
        const struct kb_lexp_by_local *at;
        kb__lexp_of(ch, fin[0], &at);
        const char *name = ch->lexp[at->i].name;
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

static int
cmp_decl(const void *x, const void *y)
{
    const struct kb_decl_at *a = x, *b = y;
    return a->start != b->start ? (a->start > b->start) - (a->start < b->start)
                                : (a->x > b->x) - (a->x < b->x);
}

/* Whether binding x of m is one kb__legacy_declared exports after the
 * statement that declares it: a top-level one, not a function (those are
 * hoisted, exported before anything runs). */
static bool
declared_top(const struct kb_mod *m, uint32_t x)
{
    const struct kb_js_binding *bd = &m->ast.bindings[x - 1];
    return (bd->flags & KB_JS_BF_TOP) && bd->kind != KB_JS_B_FUNCTION && bd->decl && m->final[x];
}

/* sp->tops: the module's exported top-level bindings by declaration. */
static int
legacy_tops(struct splice *sp, const struct kb_mod *m)
{
    const struct chunk *ch = &sp->b->c[sp->c];
    size_t cap = 0;
    int rc = 0;
    for (uint32_t x = 1; x <= m->ast.nbindings && !rc; x++) {
        const struct kb_lexp_by_local *at;
        if (!declared_top(m, x) || !kb__lexp_of(ch, m->final[x], &at))
            continue;
        rc = kc_vec_reserve(sp->tops, cap, sp->ntops + 1, KB_LIST_MAX);
        if (!rc)
            sp->tops[sp->ntops++] = (struct kb_decl_at){ m->ast.bindings[x - 1].decl->start, x };
    }
    if (sp->ntops > 1)
        qsort(sp->tops, sp->ntops, sizeof *sp->tops, cmp_decl);
    return rc;
}

/* Appends the `_export({...` entries of final name f to o. */
static int
legacy_declared_one(struct splice *sp, const char *f, struct kc_buf *o, bool *any)
{
    const struct chunk *ch = &sp->b->c[sp->c];
    const struct kb_lexp_by_local *at;
    size_t n = kb__lexp_of(ch, f, &at);
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        const struct kb_legacy_export *e = &ch->lexp[at[i].i];
        rc = kc_buf_puts(o, *any ? ", " : ";");
        if (!rc && !*any)
            rc = kc_buf_printf(o, "%s({ ", sp->b->lx);
        if (!rc)
            rc = kb__put_name(o, e->name);
        if (!rc)
            rc = kc_buf_printf(o, ": %s", e->local);
        *any = true;
    }
    return rc;
}

/* After a top-level declaration in the twin: the exported bindings it
 * declared, exported at once (the module's own namespace may be read next).
 * Statements come in order, so one pass over sp->tops serves them all. */
int
kb__legacy_declared(struct splice *sp, const struct kb_jsn *st)
{
    const struct kb_mod *m = &sp->b->g.m[sp->mi];
    int rc = sp->tops_made ? 0 : legacy_tops(sp, m);
    sp->tops_made = true;
    struct kc_buf o;
    kc_buf_init(&o, KB_CHUNK_MAX);
    bool any = false;
    size_t *xs = NULL, nx = 0, cap = 0;
    while (!rc && sp->next_top < sp->ntops && sp->tops[sp->next_top].start < st->start)
        sp->next_top++;
    for (size_t t = sp->next_top; !rc && t < sp->ntops && sp->tops[t].start < st->end; t++) {
        uint32_t x = sp->tops[t].x;
        if (m->ast.bindings[x - 1].decl->end > st->end)
            continue;
        if (!(rc = kc_vec_reserve(xs, cap, nx + 1, KB_LIST_MAX)))
            xs[nx++] = x;
    }
    if (nx > 1) /* in the order of the bindings, as they were always written */
        qsort(xs, nx, sizeof *xs, cmp_size);
    for (size_t i = 0; i < nx && !rc; i++)
        rc = legacy_declared_one(sp, m->final[xs[i]], &o, &any);
    free(xs);
    if (!rc && st == m->dflt && m->dflt->a->kind != KB_JSN_FUNC_DECL &&
        m->final[m->ast.nbindings + 1])
        rc = legacy_declared_one(sp, m->final[m->ast.nbindings + 1], &o, &any);
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
