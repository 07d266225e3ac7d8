/*
 * ES2020 `export * as ns from "m"` for older targets: an import of the
 * namespace under a fresh name, and an export of that name. The namespace
 * object is the same one either way (one per module), and the import is
 * hoisted as the export-from was, so nothing observable changes.
 *
 *   export * as ns from "./leaf.js";
 * becomes
 *   import * as _ns from "./leaf.js";
 *   export { _ns as ns };
 */
#include "builder/lower/internal.h"

static struct kb_jsn *
en_leave(struct kl_walk *w, struct kb_jsn *n)
{
    if (n->kind != KB_JSN_EXPORT_ALL || !n->a)
        return n;
    struct kl_ctx *c = w->c;
    const char *hint = n->a->kind == KB_JSN_IDENT ? n->a->str : "ns";
    struct kb_jsn *local = kl_temp(c, hint, n->start);
    struct kb_jsn *spec = kl_node(c, KB_JSN_IMPORT_NS, n->start);
    spec->b = local;
    struct kb_jsn *imp = kl_node(c, KB_JSN_IMPORT, n->start);
    imp->a = spec;
    imp->b = n->b;
    imp->c = n->c;
    struct kb_jsn *es = kl_node(c, KB_JSN_EXPORT_SPEC, n->start);
    es->a = kl_clone(c, local);
    es->b = n->a;
    struct kb_jsn *exp = kl_node(c, KB_JSN_EXPORT_NAMED, n->start);
    exp->b = es;
    imp->next = exp;
    return imp;
}

void
kl_pass_export_ns(struct kl_ctx *c)
{
    struct kl_walk w = { .c = c, .leave = en_leave };
    kl_walk(&w);
}
