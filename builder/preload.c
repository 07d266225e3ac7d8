/*
 * Preload lists: for each entry document, the assets a Link header (and a 103
 * Early Hints response) may ask the browser to fetch before it reads the page.
 * Runs after fingerprinting, when every file's output name and integrity are
 * final; emit.c writes the lists into kiln-manifest.json for kiln-edge.
 */
#include "builder/site.h"
#include "common/vec.h"

#include <string.h>

static int
add_preload(struct kb_file *doc, size_t *cap, int file, const char *as, bool module)
{
    for (size_t i = 0; i < doc->n_preload; i++)
        if (doc->preload[i].file == file)
            return 0;
    int rc = kc_vec_reserve(doc->preload, *cap, doc->n_preload + 1, KB_MAX_FILES);
    if (rc)
        return rc;
    doc->preload[doc->n_preload++] = (struct kb_preload){ file, as, module };
    return 0;
}

/* Static imports of a module, depth first: what modulepreload should list. */
static int
add_module_closure(const struct kb_site *s, struct kb_file *doc, size_t *cap, int file, int depth)
{
    const struct kb_file *f = &s->files[file];
    int rc = add_preload(doc, cap, file, "script", true);
    for (size_t i = 0; i < f->refs.n && !rc && depth < 64; i++) {
        int t = f->target[i];
        if (t < 0 || f->refs.v[i].kind != KB_REF_JS_IMPORT)
            continue;
        bool seen = false;
        for (size_t p = 0; p < doc->n_preload; p++)
            seen |= doc->preload[p].file == t;
        if (!seen)
            rc = add_module_closure(s, doc, cap, t, depth + 1);
    }
    return rc;
}

/* Stylesheets, their @imports, and the fonts they use. */
static int
add_style_closure(const struct kb_site *s, struct kb_file *doc, size_t *cap, int file, int depth)
{
    const struct kb_file *f = &s->files[file];
    int rc = add_preload(doc, cap, file, "style", false);
    for (size_t i = 0; i < f->refs.n && !rc && depth < 32; i++) {
        int t = f->target[i];
        if (t < 0)
            continue;
        if (f->refs.v[i].kind == KB_REF_CSS_IMPORT)
            rc = add_style_closure(s, doc, cap, t, depth + 1);
        else if (f->refs.v[i].kind == KB_REF_CSS_URL && s->files[t].mime->kind == KC_KIND_FONT)
            rc = add_preload(doc, cap, t, "font", false);
    }
    return rc;
}

static const char *
static_as(const char *as)
{
    static const char *const known[] = { "script", "style", "font",  "image",    "fetch",
                                         "track",  "audio", "video", "document", "worker" };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(as, known[i]) == 0)
            return known[i];
    return "fetch";
}

int
kb_preloads(struct kb_site *s)
{
    int rc = 0;
    for (size_t d = 0; d < s->n && !rc; d++) {
        struct kb_file *doc = &s->files[d];
        if (!(doc->role & KB_ROLE_ENTRY))
            continue;
        size_t cap = 0;
        for (size_t i = 0; i < doc->refs.n && !rc; i++) {
            const struct kb_ref *r = &doc->refs.v[i];
            int t = doc->target[i];
            if (t < 0)
                continue;
            switch (r->kind) {
            case KB_REF_HTML_STYLESHEET: rc = add_style_closure(s, doc, &cap, t, 0); break;
            case KB_REF_HTML_MODULE:
            case KB_REF_HTML_MODULEPRELOAD: rc = add_module_closure(s, doc, &cap, t, 0); break;
            case KB_REF_HTML_SCRIPT:
                /* A legacy twin is for nomodule browsers: a hint would make
                 * every other one download it. */
                if (!(s->files[t].role & KB_ROLE_LEGACY))
                    rc = add_preload(doc, &cap, t, "script", false);
                break;
            case KB_REF_HTML_PRELOAD:
                rc = add_preload(doc, &cap, t, static_as(r->as), false);
                break;
            case KB_REF_JS_IMPORT:
                if (r->flags & KB_REF_F_INLINE)
                    rc = add_module_closure(s, doc, &cap, t, 0);
                break;
            default: break;
            }
        }
    }
    return rc;
}
