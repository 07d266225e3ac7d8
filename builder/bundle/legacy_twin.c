/*
 * Legacy twins (--legacy): each chunk's and each entry facade's twin
 * described as a struct kb_legacy_file (its exports, its dependencies and
 * their setters, its hoisted names, its URL table, its body spliced in
 * legacy mode) for legacy.c to print, and the twins' tags in the pages.
 */
#include "builder/bundle/internal.h"
#include "builder/bundle/legacy.h"
#include "common/buf.h"
#include "common/error.h"
#include "common/path.h"
#include "common/vec.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The twin's path of a site path (a chunk's or a facade's). */
char *
kb__twin_path(const char *path)
{
    return kb_legacy_path(path, 1);
}

/* An export while the list is made: ord keeps the order names were added
 * in, so that of two exports of one name the first is kept. */
struct lexp_at {
    struct kb_legacy_export e;
    size_t ord;
};

static int
cmp_lexp(const void *x, const void *y)
{
    const struct lexp_at *a = x, *b = y;
    int d = strcmp(a->e.name, b->e.name);
    return d ? d : (a->ord > b->ord) - (a->ord < b->ord);
}

static int
add_lexp(struct kb_legacy_export **v, size_t *n, size_t *cap, const char *name, const char *local)
{
    int rc = kc_vec_reserve(*v, *cap, *n + 1, KB_LIST_MAX);
    if (!rc)
        (*v)[(*n)++] = (struct kb_legacy_export){ name, local };
    return rc;
}

/* Keeps the first export of each name in v[0..*n), sorted by name: a sort,
 * not a pass over the list per name (a module may export tens of thousands
 * of names). A facade needs none: a module's export names are unique. */
static int
unique_lexp(struct kb_legacy_export *v, size_t *n)
{
    if (*n < 2)
        return 0;
    struct lexp_at *t = malloc(*n * sizeof *t);
    if (!t)
        return KC_ENOMEM;
    for (size_t i = 0; i < *n; i++)
        t[i] = (struct lexp_at){ v[i], i };
    qsort(t, *n, sizeof *t, cmp_lexp);
    size_t k = 0;
    for (size_t i = 0; i < *n; i++)
        if (k == 0 || strcmp(t[k - 1].e.name, t[i].e.name) != 0)
            t[k++] = t[i];
    for (size_t i = 0; i < k; i++)
        v[i] = t[i].e;
    *n = k;
    free(t);
    return 0;
}

static int
cmp_by_local(const void *x, const void *y)
{
    const struct kb_lexp_by_local *a = x, *b = y;
    int d = strcmp(a->local, b->local);
    return d ? d : (a->i > b->i) - (a->i < b->i);
}

size_t
kb__lexp_of(const struct chunk *c, const char *local, const struct kb_lexp_by_local **at)
{
    size_t lo = 0, hi = c->nlexp;
    while (lo < hi) { /* the first entry not below local */
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(c->lexp_local[mid].local, local) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t end = lo;
    while (end < c->nlexp && strcmp(c->lexp_local[end].local, local) == 0)
        end++;
    *at = c->lexp_local + lo;
    return end - lo;
}

/* One legacy file being described: owned strings and arrays. */
struct ltwin {
    struct kb_legacy_file f;
    size_t capdeps; /* f.deps is allocated for capdeps */
    char **own;     /* strings to free */
    size_t nown, capown;
};

/* Makes s (malloc'd, or NULL when making it failed) one of t's strings.
 * Returns 0, or an error after freeing s. */
static int
lown(struct ltwin *t, char *s)
{
    int rc = s ? kc_vec_reserve(t->own, t->capown, t->nown + 1, KB_LIST_MAX) : KC_ENOMEM;
    if (rc) {
        free(s);
        return rc;
    }
    t->own[t->nown++] = s;
    return 0;
}

/* The dependency of t on the twin at URL url (added once, in order) into
 * *out, valid until the next call. Returns 0 or an error. */
static int
ldep(struct ltwin *t, const char *url, struct kb_legacy_dep **out)
{
    for (size_t i = 0; i < t->f.ndeps; i++)
        if (strcmp(t->f.deps[i].url, url) == 0) {
            *out = &t->f.deps[i];
            return 0;
        }
    int rc = kc_vec_reserve(t->f.deps, t->capdeps, t->f.ndeps + 1, KB_LIST_MAX);
    if (rc)
        return rc;
    t->f.deps[t->f.ndeps] = (struct kb_legacy_dep){ .url = url };
    *out = &t->f.deps[t->f.ndeps++];
    return 0;
}

static int
ldep_name(struct kb_legacy_dep *d, const char *from, const char *to)
{
    for (size_t i = 0; i < d->n; i++)
        if (strcmp(d->to[i], to) == 0)
            return 0;
    int rc = kc_vec_reserve(d->from, d->capfrom, d->n + 1, KB_LIST_MAX);
    if (!rc)
        rc = kc_vec_reserve(d->to, d->capto, d->n + 1, KB_LIST_MAX);
    if (rc)
        return rc;
    d->from[d->n] = from;
    d->to[d->n++] = to;
    return 0;
}

static void
ltwin_free(struct ltwin *t)
{
    for (size_t i = 0; i < t->f.ndeps; i++) {
        free(t->f.deps[i].from);
        free(t->f.deps[i].to);
    }
    free(t->f.deps);
    free(t->f.hoisted);
    for (size_t i = 0; i < t->nown; i++)
        free(t->own[i]);
    free(t->own);
}

/* Chunk c's twin: its exports (internal names, and a host import() target's
 * public ones), its body spliced in legacy mode, setters for its imports. */
int
kb__legacy_chunk(struct bundle *b, int c, struct kc_buf *out, struct kb_reflist *refs,
                 struct kb_legacy_at *at)
{
    struct chunk *ch = &b->c[c];
    struct ltwin t = { .f = { .x = b->lx, .c = b->lc } };
    int rc = 0;
    for (size_t i = 0; i < ch->nexports && !rc; i++)
        rc = add_lexp(&ch->lexp, &ch->nlexp, &ch->caplexp, ch->exports[i], ch->exports[i]);
    int e = ch->host;
    if (!rc && e >= 0 && (b->ep_kind[e] & 2)) {
        const char **names;
        long k = kb_graph_export_names(&b->g, b->ep[e], &names);
        for (long i = 0; i < k && !rc; i++) {
            struct kb_sym s;
            kb_graph_resolve_export(&b->g, b->ep[e], names[i], &s);
            rc = add_lexp(&ch->lexp, &ch->nlexp, &ch->caplexp, names[i], kb__sym_final(b, s));
        }
        free(names);
        rc = rc ? rc : k < 0 ? KC_ENOMEM : 0;
    }
    rc = rc ? rc : unique_lexp(ch->lexp, &ch->nlexp);
    if (!rc && ch->nlexp) {
        ch->lexp_local = malloc(ch->nlexp * sizeof *ch->lexp_local);
        rc = ch->lexp_local ? 0 : KC_ENOMEM;
    }
    for (size_t i = 0; i < ch->nlexp && !rc; i++)
        ch->lexp_local[i] = (struct kb_lexp_by_local){ ch->lexp[i].local, i };
    if (!rc && ch->nlexp)
        qsort(ch->lexp_local, ch->nlexp, sizeof *ch->lexp_local, cmp_by_local);
    for (size_t i = 0; i < ch->n && !rc; i++)
        rc = kb__splice_module(b, c, ch->mods[i], true);
    for (size_t d = 0; d < ch->ndeps && !rc; d++) {
        char *tp = kb__twin_path(b->c[ch->deps[d]].path);
        char *u = tp ? kb__chunk_rel(b, c, tp) : NULL;
        free(tp);
        struct kb_legacy_dep *dp = NULL;
        rc = lown(&t, u);
        if (!rc)
            rc = ldep(&t, u, &dp);
        for (size_t i = 0; i < ch->nneeds && !rc; i++)
            if (ch->needs[i].chunk == ch->deps[d])
                rc = ldep_name(dp, ch->needs[i].name, ch->needs[i].name);
    }
    for (size_t i = 0; i < ch->nnsimp && !rc; i++) {
        const struct kb_mod *tm = &b->g.m[ch->nsimp[i]];
        char *tp = kb__twin_path(tm->path);
        char *u = tp ? kb__chunk_rel(b, c, tp) : NULL;
        free(tp);
        struct kb_legacy_dep *dp;
        rc = lown(&t, u);
        if (!rc)
            rc = ldep(&t, u, &dp);
        if (!rc)
            dp->ns = tm->final[KB_SYM_NS(tm)];
    }
    /* Function declarations and vars exist before anything runs: exported first. */
    t.f.hoisted = calloc(ch->nlexp + 1, sizeof *t.f.hoisted);
    rc = rc ? rc : t.f.hoisted ? 0 : KC_ENOMEM;
    for (size_t i = 0; i < ch->n && !rc; i++) {
        const struct kb_mod *m = &b->g.m[ch->mods[i]];
        t.f.async |= m->tla;
        for (uint32_t x = 1; x <= m->ast.nbindings + 1; x++) {
            /* var too: undefined, not in a temporal dead zone, until set. */
            const struct kb_js_binding *bd = x <= m->ast.nbindings ? &m->ast.bindings[x - 1] : NULL;
            bool fn = bd ? (bd->kind == KB_JS_B_FUNCTION || bd->kind == KB_JS_B_VAR) &&
                               (bd->flags & KB_JS_BF_TOP)
                         : m->dflt && m->dflt->a->kind == KB_JSN_FUNC_DECL;
            if (!fn || !m->final[x])
                continue;
            const struct kb_lexp_by_local *hit;
            if (kb__lexp_of(ch, m->final[x], &hit))
                t.f.hoisted[t.f.nhoisted++] = m->final[x];
        }
    }
    t.f.loader = e >= 0 && (b->ep_kind[e] & 1);
    t.f.exports = ch->lexp;
    t.f.nexports = ch->nlexp;
    t.f.urls = (const char **)ch->lurl;
    t.f.url_kind = ch->lkind;
    t.f.nurls = ch->nlurl;
    t.f.pre = ch->pre.data;
    t.f.pre_len = ch->pre.len;
    t.f.body = ch->lbody.data;
    t.f.body_len = ch->lbody.len;
    if (!rc)
        rc = kb_legacy_print(&t.f, out, refs, at);
    ltwin_free(&t);
    return rc;
}

/* The twin of entry point e's facade (its module sits in a shared chunk). */
int
kb__legacy_facade(struct bundle *b, int e, struct kc_buf *out, struct kb_reflist *refs,
                  struct kb_legacy_at *at)
{
    const struct kb_mod *em = &b->g.m[b->ep[e]];
    int c = em->chunk;
    struct ltwin t = { .f = { .x = b->lx, .c = b->lc } };
    struct kb_legacy_export *ex = NULL;
    size_t nex = 0, capex = 0;
    char *tp = kb__twin_path(b->c[c].path);
    char *u = tp ? kb__rel_from(em->path, tp) : NULL;
    free(tp);
    struct kb_legacy_dep *dp;
    int rc = lown(&t, u);
    if (!rc)
        rc = ldep(&t, u, &dp);
    const char **names = NULL;
    long k = 0;
    if (!rc && (b->ep_kind[e] & 2)) {
        k = kb_graph_export_names(&b->g, b->ep[e], &names);
        rc = k < 0 ? KC_ENOMEM : 0;
    }
    for (long i = 0; i < k && !rc; i++) {
        struct kb_sym s;
        kb_graph_resolve_export(&b->g, b->ep[e], names[i], &s);
        const struct kb_mod *sm = &b->g.m[s.mod];
        bool ns = s.idx == KB_SYM_NS(sm) && sm->ns_real;
        tp = kb__twin_path(ns ? sm->path : b->c[sm->chunk].path);
        u = tp ? kb__rel_from(em->path, tp) : NULL;
        free(tp);
        rc = lown(&t, u);
        if (!rc)
            rc = ldep(&t, u, &dp);
        if (!rc && ns)
            dp->ns = sm->final[KB_SYM_NS(sm)];
        else if (!rc)
            rc = ldep_name(dp, kb__sym_final(b, s), kb__sym_final(b, s));
        if (!rc)
            rc = add_lexp(&ex, &nex, &capex, names[i],
                          ns ? sm->final[KB_SYM_NS(sm)] : kb__sym_final(b, s));
    }
    free(names);
    t.f.loader = (b->ep_kind[e] & 1) != 0;
    t.f.exports = ex;
    t.f.nexports = nex;
    if (!rc)
        rc = kb_legacy_print(&t.f, out, refs, at);
    ltwin_free(&t);
    free(ex);
    return rc;
}

/* After entry point e's <script type="module" src> element: its legacy twin
 * as a deferred nomodule script (the naming stage adds integrity); before
 * the page's first, the Safari 10.1 fix, and after it the capability check
 * and the fallback (docs/bundling.md). */
int
kb__legacy_tags(struct bundle *b, struct kb_file *doc, const struct kb_ref *r, int e,
                struct kc_buf *o, size_t *pos, bool *changed)
{
    const char *d = (const char *)doc->data;
    size_t at = r->tag_end;
    while (at + 9 <= doc->len && strncasecmp(d + at, "</script>", 9) != 0)
        at++;
    if (at + 9 > doc->len || at < *pos)
        return 0;
    at += 9;
    /* In the form the page names its module script: an absolute URL stays
     * the same on every page, which client-side routers (Astro's
     * ClientRouter) need to see the script as one they already ran. */
    char *tp = kb__twin_path(b->g.m[b->ep[e]].path);
    char *u = NULL;
    if (tp && r->url[0] == '/' && r->url[1] != '/' && asprintf(&u, "%s%s", b->s->opt->base, tp) < 0)
        u = NULL;
    else if (tp && !u)
        u = kb__rel_from(doc->path, tp);
    free(tp);
    bool first = !b->s->legacy_html || b->legacy_doc != doc;
    int rc = u ? kc_buf_append(o, doc->data + *pos, at - *pos) : KC_ENOMEM;
    if (!rc && first)
        rc = kc_buf_printf(o, "\n<script>%s</script>", kb_legacy_safari_fix);
    if (!rc)
        rc = kc_buf_printf(o, "\n<script nomodule defer src=\"%s\"></script>", u);
    if (!rc && first)
        rc = kc_buf_printf(
            o, "\n<script type=\"module\">%s</script>\n<script type=\"module\">%s</script>",
            b->s->legacy_tla ? kb_legacy_check_tla : kb_legacy_check, kb_legacy_fallback);
    free(u);
    *pos = at;
    *changed = true;
    b->s->legacy_html = true;
    b->legacy_doc = doc;
    return rc;
}
