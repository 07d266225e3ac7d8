/*
 * Preload lists: for each entry document, the hints kiln-edge sends as a Link
 * header (and a 103 Early Hints response). A hint is a copy of one of the
 * page's own <link rel=preload|modulepreload> tags, as the page will carry it
 * (integrity and crossorigin included), or nothing: a hint the browser cannot
 * match with the page's own requests is a second download. Runs after
 * fingerprinting, when every file's output name and integrity are final.
 */
#include "builder/site.h"
#include "common/vec.h"

#include <string.h>

/* The destinations a preload hint may name; any other as= preloads nothing
 * in a browser, so the hint is left out. */
static const char *
known_as(const char *as)
{
    static const char *const known[] = { "script", "style", "font",  "image",
                                         "fetch",  "track", "audio", "video" };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(as, known[i]) == 0)
            return known[i];
    return NULL;
}

/* How the request of r's tag is made, as far as the browser's matching of a
 * preload goes: CORS mode and credentials, and whether it is SRI-checked
 * (with the file's SRI, or with a value of the page's own: KB_SRI_OWN). */
enum { KB_SRI_NONE, KB_SRI_KILN, KB_SRI_OWN };

struct fetch_mode {
    unsigned char cors; /* KB_CORS_* */
    unsigned char sri;  /* KB_SRI_* */
};

static struct fetch_mode
mode_of(const struct kb_site *s, const struct kb_file *doc, size_t i)
{
    const struct kb_ref *r = &doc->refs.v[i];
    struct fetch_mode m = { KB_CORS_NONE, KB_SRI_NONE };
    if (r->flags & KB_REF_F_HAS_INTEGRITY)
        m.sri = KB_SRI_OWN;
    else if (kb__gets_integrity(s, doc, i))
        m.sri = KB_SRI_KILN;
    if (r->flags & KB_REF_F_CORS_CREDENTIALS)
        m.cors = KB_CORS_CREDENTIALS;
    else if ((r->flags & KB_REF_F_HAS_CROSSORIGIN) || m.sri == KB_SRI_KILN)
        m.cors = KB_CORS_ANONYMOUS;
    /* A module is always fetched with CORS; without crossorigin, with the
     * credentials of a same-origin request, as crossorigin="anonymous". */
    if ((r->kind == KB_REF_HTML_MODULE || r->kind == KB_REF_HTML_MODULEPRELOAD) &&
        m.cors == KB_CORS_NONE)
        m.cors = KB_CORS_ANONYMOUS;
    return m;
}

/* The tags that fetch what they name as the page loads: the requests a hint
 * for the same file has to match. */
static bool
fetching_tag(const struct kb_ref *r)
{
    switch (r->kind) {
    case KB_REF_HTML_SCRIPT:
    case KB_REF_HTML_MODULE:
    case KB_REF_HTML_STYLESHEET:
    case KB_REF_HTML_MODULEPRELOAD:
    case KB_REF_HTML_PRELOAD:
    case KB_REF_HTML_IMAGE:
    case KB_REF_HTML_MEDIA: return r->tag_end != 0 && !(r->flags & KB_REF_F_INLINE);
    default: return false;
    }
}

/* The hint a page's tag asks for with its reference r (to release file t),
 * or false when it asks for none kiln can copy exactly into a header. */
static bool
hint_of(const struct kb_site *s, const struct kb_file *doc, size_t i, struct kb_preload *h)
{
    const struct kb_ref *r = &doc->refs.v[i];
    int t = doc->target[i];
    memset(h, 0, sizeof *h);
    h->file = t;
    switch (r->kind) {
    case KB_REF_HTML_MODULEPRELOAD:
        h->as = "script";
        h->module = true;
        break;
    case KB_REF_HTML_STYLESHEET:
        if (!(r->flags & KB_REF_F_ALSO_PRELOAD)) /* rel="preload stylesheet" */
            return false;
        h->as = "style";
        break;
    case KB_REF_HTML_PRELOAD:
        if ((r->flags & (KB_REF_F_PREFETCH | KB_REF_F_SRCSET)) || !(h->as = known_as(r->as)))
            return false;
        break;
    default: return false;
    }
    /* A legacy twin is for nomodule browsers: a hint would make every other
     * one download it. A media query or a type the header cannot evaluate as
     * the tag does, an imagesrcset the header does not carry, and an
     * integrity value of the page's own all make the hint differ. */
    if (t < 0 || (s->files[t].role & KB_ROLE_LEGACY) || (r->flags & KB_REF_F_MEDIA) ||
        ((r->flags & KB_REF_F_TYPED) && !r->type[0]))
        return false;
    for (size_t k = 0; k < doc->refs.n; k++)
        if (doc->refs.v[k].tag_end == r->tag_end && (doc->refs.v[k].flags & KB_REF_F_SRCSET))
            return false;
    struct fetch_mode m = mode_of(s, doc, i);
    if (m.sri == KB_SRI_OWN)
        return false;
    h->integrity = m.sri == KB_SRI_KILN;
    h->cors = m.cors;
    memcpy(h->type, r->type, sizeof h->type);
    /* Every other tag of the page that fetches the file must be able to use
     * what the hint fetched: the same CORS mode, and the same integrity when
     * it is SRI-checked (a hint with integrity serves a request without). */
    for (size_t k = 0; k < doc->refs.n; k++) {
        const struct kb_ref *o = &doc->refs.v[k];
        if (k == i || doc->target[k] != t || !fetching_tag(o))
            continue;
        struct fetch_mode om = mode_of(s, doc, k);
        if (om.cors != m.cors || om.sri == KB_SRI_OWN || (om.sri == KB_SRI_KILN && !h->integrity))
            return false;
    }
    return true;
}

static int
add_preload(struct kb_file *doc, size_t *cap, const struct kb_preload *h)
{
    for (size_t i = 0; i < doc->n_preload; i++)
        if (doc->preload[i].file == h->file)
            return 0;
    int rc = kc_vec_reserve(doc->preload, *cap, doc->n_preload + 1, KB_MAX_FILES);
    if (rc)
        return rc;
    doc->preload[doc->n_preload++] = *h;
    return 0;
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
            struct kb_preload h;
            if (hint_of(s, doc, i, &h))
                rc = add_preload(doc, &cap, &h);
        }
    }
    return rc;
}
