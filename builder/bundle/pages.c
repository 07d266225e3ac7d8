/*
 * The entry documents' edits once the chunks are in the site: modulepreload
 * links for the chunks a module script needs, an inline script's import of a
 * bundled module pointed at its facade, preloads of modules now inside a
 * chunk removed, and (--legacy) the twins' tags (legacy_twin.c). The naming
 * stage then rewrites these references, and adds integrity, as any other.
 */
#include "builder/bundle/internal.h"
#include "common/buf.h"
#include "common/error.h"
#include "common/path.h"

#include <limits.h>
#include <stdlib.h>
#include <strings.h>

/* <link rel="modulepreload"> for every chunk entry point e needs
 * statically, inserted before its <script>; the naming stage then rewrites
 * the href and adds integrity as for any modulepreload. */
static int
preload_links(struct bundle *b, struct kb_file *doc, const struct kb_ref *r, int e,
              struct kc_buf *o, size_t *tag_start)
{
    const char *d = (const char *)doc->data;
    size_t at = r->start;
    while (at > 0 && !(at >= 7 && strncasecmp(d + at - 7, "<script", 7) == 0))
        at--;
    if (at < 7)
        return 0;
    *tag_start = at - 7;
    bool *seen = calloc(b->nc + 1, 1);
    int *stack = malloc((b->nc + 1) * sizeof *stack);
    int rc = seen && stack ? 0 : KC_ENOMEM;
    size_t sp = 0;
    int c0 = b->g.m[b->ep[e]].chunk;
    char dir[PATH_MAX];
    kc_path_dirname(doc->path, dir, sizeof dir);
    if (!rc) {
        stack[sp++] = c0;
        seen[c0] = true;
    }
    while (sp > 0 && !rc) {
        int c = stack[--sp];
        if (b->c[c].host != e) {
            struct kc_buf u;
            kc_buf_init(&u, PATH_MAX * 2);
            rc = kc_path_relative(dir, b->c[c].path, &u);
            if (!rc)
                rc = kc_buf_printf(o, "<link rel=\"modulepreload\" href=\"%s\">\n", u.data);
            kc_buf_free(&u);
        }
        for (size_t i = 0; i < b->c[c].ndeps && !rc; i++)
            if (!seen[b->c[c].deps[i]]) {
                seen[b->c[c].deps[i]] = true;
                stack[sp++] = b->c[c].deps[i];
            }
    }
    free(seen);
    free(stack);
    return rc;
}

int
kb__rewrite_docs(struct bundle *b)
{
    struct kb_site *s = b->s;
    int rc = 0;
    for (size_t di = 0; di < s->n && !rc; di++) {
        struct kb_file *doc = &s->files[di];
        if (!(doc->role & KB_ROLE_ENTRY) || !doc->reachable)
            continue;
        struct kc_buf o;
        kc_buf_init(&o, KB_CHUNK_MAX);
        size_t pos = 0;
        bool changed = false;
        for (size_t r = 0; r < doc->refs.n && !rc; r++) {
            const struct kb_ref *ref = &doc->refs.v[r];
            int t = doc->target[r];
            int mi = t >= 0 ? b->g.mod_of[t] : -1;
            if (mi < 0 || b->g.m[mi].chunk < 0)
                continue;
            int e = kb__ep_of(b, mi);
            if ((ref->kind == KB_REF_JS_IMPORT || ref->kind == KB_REF_JS_DYNAMIC) &&
                (ref->flags & KB_REF_F_INLINE) && b->inline_path && b->inline_path[mi]) {
                /* An inline script's import of a module in a chunk: its
                 * facade (kb__inline_imports). */
                char dir[PATH_MAX];
                kc_path_dirname(doc->path, dir, sizeof dir);
                struct kc_buf u;
                kc_buf_init(&u, PATH_MAX * 2);
                rc = kc_path_relative(dir, b->inline_path[mi], &u);
                if (!rc && ref->start >= pos)
                    rc = kc_buf_append(&o, doc->data + pos, ref->start - pos);
                if (!rc && ref->start >= pos) {
                    rc = kc_buf_append(&o, u.data, u.len);
                    pos = ref->end;
                    changed = true;
                }
                kc_buf_free(&u);
                continue;
            }
            if (ref->kind == KB_REF_HTML_MODULEPRELOAD && e < 0 && ref->tag_end &&
                !kb__mod_legacy_only(b, mi)) {
                /* A preload of a module now inside a chunk would fetch
                 * bytes nothing runs: the <link> goes. */
                size_t at = ref->start;
                const char *d = (const char *)doc->data;
                while (at >= 5 && strncasecmp(d + at - 5, "<link", 5) != 0)
                    at--;
                size_t end = ref->tag_end + (d[ref->tag_end] == '/' ? 2 : 1);
                if (at >= 5 && at - 5 >= pos && end <= doc->len) {
                    rc = kc_buf_append(&o, doc->data + pos, at - 5 - pos);
                    pos = end;
                    changed = true;
                }
                continue;
            }
            if (ref->kind != KB_REF_HTML_MODULE || e < 0)
                continue;
            if (kb__ep_legacy_only(b, (size_t)e)) { /* the bundler's own tags stay */
                if (s->opt->legacy)
                    rc = kb__legacy_tags(b, doc, ref, e, &o, &pos, &changed);
                continue;
            }
            struct kc_buf links;
            kc_buf_init(&links, KB_CHUNK_MAX);
            size_t tag = 0;
            rc = preload_links(b, doc, ref, e, &links, &tag);
            if (!rc && links.len && tag >= pos) {
                rc = kc_buf_append(&o, doc->data + pos, tag - pos);
                if (!rc)
                    rc = kc_buf_append(&o, links.data, links.len);
                pos = tag;
                changed = true;
            }
            kc_buf_free(&links);
            if (!rc && s->opt->legacy)
                rc = kb__legacy_tags(b, doc, ref, e, &o, &pos, &changed);
        }
        if (!rc && changed) {
            rc = kc_buf_append(&o, doc->data + pos, doc->len - pos);
            if (!rc)
                rc = kb__set_data(doc, &o);
            if (!rc)
                rc = kb__rescan(s, doc);
        }
        kc_buf_free(&o);
    }
    return rc;
}
