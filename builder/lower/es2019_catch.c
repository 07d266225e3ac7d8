/*
 * ES2019 optional catch binding: `catch {` gets a parameter of its own, a
 * fresh name the block never mentions:
 *
 *   try { f(); } catch { g(); }    try { f(); } catch (_unused) { g(); }
 */
#include "builder/lower/internal.h"

static struct kb_jsn *
catch_leave(struct kl_walk *w, struct kb_jsn *n)
{
    if (n->kind == KB_JSN_CATCH && !n->a)
        n->a = kl_temp(w->c, "unused", n->start);
    return n;
}

void
kl_pass_opt_catch(struct kl_ctx *c)
{
    struct kl_walk w = { .c = c, .leave = catch_leave };
    kl_walk(&w);
}
