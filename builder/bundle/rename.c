/*
 * Names: the final name of every symbol of the bundled modules in its chunk
 * (a top-level binding, a default export, a namespace object). Names stay
 * as written unless two would collide or a reference would be captured;
 * then NAME$N, a name no bundled module mentions.
 */
#include "builder/bundle/internal.h"
#include "common/error.h"
#include "common/vec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
kb__fresh(struct bundle *b, const char *base, const char **out)
{
    char buf[512];
    for (unsigned k = 1;; k++) {
        snprintf(buf, sizeof buf, "%.400s$%u", base, k);
        if (!kb__nset_has(&b->taken, buf) && !kb__nset_has(&b->all, buf))
            break;
    }
    int rc = kc_vec_reserve(b->fresh, b->capfresh, b->nfresh + 1, KB_LIST_MAX);
    if (rc)
        return rc;
    char *s = strdup(buf);
    if (!s)
        return KC_ENOMEM;
    b->fresh[b->nfresh++] = s;
    *out = s;
    return kb__nset_add(&b->taken, s);
}

const char *
kb__sym_final(const struct bundle *b, struct kb_sym s)
{
    return b->g.m[s.mod].final[s.idx];
}

static int
set_final(struct bundle *b, int mi, uint32_t idx, const char *name)
{
    struct kb_mod *m = &b->g.m[mi];
    free(m->final[idx]);
    m->final[idx] = strdup(name);
    if (!m->final[idx])
        return KC_ENOMEM;
    return kb__nset_add(&b->taken, m->final[idx]);
}

static bool
declares(const struct kb_mod *m, const char *name)
{
    for (uint32_t i = 0; i < m->ast.nbindings; i++)
        if (strcmp(m->ast.bindings[i].name, name) == 0)
            return true;
    return false;
}

struct names_ctx {
    struct bundle *b;
    int rc;
};

static int
globals_visit(void *vctx, struct kb_jsn *n, bool shorthand, int depth)
{
    (void)shorthand;
    (void)depth;
    struct names_ctx *c = vctx;
    if (n->kind == KB_JSN_IDENT && n->binding == 0) {
        int rc = kb__nset_add(&c->b->globals, n->str);
        if (!rc)
            rc = kb__nset_add(&c->b->all, n->str);
        return rc;
    }
    return 0;
}

/* Marks the namespace objects that must exist: those imports and exports
 * name, and those the getters of other namespace objects return. */
static void
mark_namespaces(struct bundle *b)
{
    for (size_t mi = 0; mi < b->g.n; mi++) {
        const struct kb_mod *m = &b->g.m[mi];
        if (m->chunk < 0)
            continue;
        for (size_t i = 0; i < m->nimp; i++)
            if (m->imp[i].to.idx == KB_SYM_NS(&b->g.m[m->imp[i].to.mod]))
                b->g.m[m->imp[i].to.mod].ns_used = true;
    }
    for (size_t x = 0; x < b->nep + b->g.n; x++) {
        /* import() targets and inline scripts' imports re-export them all. */
        int mod = x < b->nep ? b->ep[x] : (int)(x - b->nep);
        if (x < b->nep ? kb__ep_bailed(b, x) || !(b->ep_kind[x] & 2)
                       : !b->inline_target[mod] || b->g.m[mod].chunk < 0)
            continue;
        const char **names;
        long k = kb_graph_export_names(&b->g, mod, &names);
        for (long i = 0; i < k; i++) {
            struct kb_sym s;
            if (kb_graph_resolve_export(&b->g, mod, names[i], &s) == 1 &&
                s.idx == KB_SYM_NS(&b->g.m[s.mod]))
                b->g.m[s.mod].ns_used = true;
        }
        free(names);
    }
    for (bool more = true; more;) {
        more = false;
        for (size_t mi = 0; mi < b->g.n; mi++) {
            if (!b->g.m[mi].ns_used || b->g.m[mi].chunk < 0)
                continue;
            const char **names;
            long k = kb_graph_export_names(&b->g, (int)mi, &names);
            for (long i = 0; i < k; i++) {
                struct kb_sym s;
                if (kb_graph_resolve_export(&b->g, (int)mi, names[i], &s) == 1 &&
                    s.idx == KB_SYM_NS(&b->g.m[s.mod]) && !b->g.m[s.mod].ns_used) {
                    b->g.m[s.mod].ns_used = true;
                    more = true;
                }
            }
            free(names);
        }
    }
}

/*
 * Final names: a top-level binding keeps its name unless another bundled
 * module's top level took it first, some module uses a global of that name,
 * or a module importing it under another local name declares that name in
 * some scope (the reference would be captured). Otherwise it becomes
 * NAME$N, a name no bundled module mentions.
 */
int
kb__assign_names(struct bundle *b)
{
    int rc = kb__nset_add(&b->globals, "Object");
    if (!rc)
        rc = kb__nset_add(&b->globals, "Symbol");
    for (size_t mi = 0; mi < b->g.n && !rc; mi++) {
        struct kb_mod *m = &b->g.m[mi];
        if (m->chunk < 0)
            continue;
        for (uint32_t i = 0; i < m->ast.nbindings && !rc; i++)
            rc = kb__nset_add(&b->all, m->ast.bindings[i].name);
        struct names_ctx c = { b, 0 };
        if (!rc)
            rc = kb_graph_walk(m->ast.program, globals_visit, &c, 0);
    }
    mark_namespaces(b);
    for (size_t mi = 0; mi < b->g.n && !rc; mi++) {
        struct kb_mod *m = &b->g.m[mi];
        if (m->chunk < 0)
            continue;
        m->final = calloc(m->ast.nbindings + 3, sizeof *m->final);
        if (!m->final)
            return KC_ENOMEM;
        for (uint32_t idx = 1; idx <= m->ast.nbindings + 2 && !rc; idx++) {
            const char *want;
            if (idx <= m->ast.nbindings) {
                const struct kb_js_binding *bd = &m->ast.bindings[idx - 1];
                if (!(bd->flags & KB_JS_BF_TOP) || bd->kind == KB_JS_B_IMPORT)
                    continue;
                want = bd->name;
            } else if (idx == KB_SYM_DEFAULT(m)) {
                if (!m->dflt)
                    continue;
                want = "_default";
            } else {
                if (!m->ns_used)
                    continue;
                want = "_ns";
            }
            if (kb__nset_has(&b->taken, want) || kb__nset_has(&b->globals, want) ||
                (idx > m->ast.nbindings && kb__nset_has(&b->all, want)))
                rc = kb__fresh(b, want, &want);
            if (!rc)
                rc = set_final(b, (int)mi, idx, want);
        }
    }
    for (bool changed = true; changed && !rc;) {
        changed = false;
        for (size_t mi = 0; mi < b->g.n && !rc; mi++) {
            const struct kb_mod *m = &b->g.m[mi];
            if (m->chunk < 0)
                continue;
            for (size_t i = 0; i < m->nimp && !rc; i++) {
                const struct kb_imp *im = &m->imp[i];
                const char *f = kb__sym_final(b, im->to);
                const char *local = m->ast.bindings[im->binding - 1].name;
                if (strcmp(f, local) == 0 || !declares(m, f))
                    continue;
                const char *nn;
                rc = kb__fresh(b, f, &nn);
                if (!rc)
                    rc = set_final(b, im->to.mod, im->to.idx, nn);
                changed = true;
            }
        }
    }
    return rc;
}
