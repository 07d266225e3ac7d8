/* The reference list shared by all scanners, and the pieces of scanning they
 * share: failure in a slice, the line cursor, the source map comment marker. */
#include "builder/refs/ref.h"
#include "common/ascii.h"
#include "common/error.h"
#include "common/vec.h"

#include <stdlib.h>
#include <string.h>

int
kb_reflist_push(struct kb_reflist *l, const struct kb_ref *r, const char *url, size_t url_len)
{
    int rc = kc_vec_reserve(l->v, l->cap, l->n + 1, KB_MAX_REFS);
    if (rc)
        return rc;
    char *u = malloc(url_len + 1);
    if (!u)
        return KC_ENOMEM;
    memcpy(u, url, url_len);
    u[url_len] = '\0';
    l->v[l->n] = *r;
    l->v[l->n].url = u;
    l->n++;
    return 0;
}

void
kb_reflist_free(struct kb_reflist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i].url);
    free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}

int
kb__scan_fail(struct kc_diag *d, const char *src, size_t off, unsigned line0, const char *what)
{
    if (d) {
        kc_diag_set(d, src, off, "%s", what);
        d->line += line0 ? line0 - 1 : 0;
    }
    return KC_EPARSE;
}

unsigned
kb__line_advance(const char *src, size_t *lpos, unsigned *lines, size_t off)
{
    const char *p = src + *lpos, *e = src + off;
    while (p < e && (p = memchr(p, '\n', (size_t)(e - p))) != NULL) {
        ++*lines;
        p++;
    }
    if (off > *lpos)
        *lpos = off;
    return *lines;
}

size_t
kb__smap_marker(const char *src, size_t p, size_t end)
{
    static const char key[] = "sourceMappingURL";
    if (p >= end || (src[p] != '#' && src[p] != '@'))
        return 0;
    p++;
    while (p < end && kc_is_blank(src[p]))
        p++;
    if (end - p < sizeof key - 1 || memcmp(src + p, key, sizeof key - 1) != 0)
        return 0;
    return p + sizeof key - 1;
}
