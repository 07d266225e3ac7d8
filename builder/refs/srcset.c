/*
 * The srcset scanner: splits a srcset (or imagesrcset) attribute value into
 * image candidates after the HTML spec's "parse a srcset attribute", and
 * reports each candidate's URL. One pass, front to back, so spans come out
 * increasing and never overlap. Descriptors are skipped, not validated: a
 * candidate the browser would drop for a bad descriptor is still reported,
 * since rewriting its URL is harmless.
 */
#include "builder/refs/ref.h"
#include "common/ascii.h"
#include "common/error.h"

#include <stdlib.h>
#include <string.h>

/*
 * Returns the offset just past the descriptors that start at i: the spec's
 * descriptor tokenizer ends a candidate at the first comma outside
 * parentheses (the comma is consumed) or at the end. A '(' that never closes
 * swallows the rest of the value, as in browsers.
 */
static size_t
srcset_skip_descriptors(const char *src, size_t len, size_t i)
{
    bool paren = false;
    for (; i < len; i++) {
        char c = src[i];
        if (paren) {
            if (c == ')')
                paren = false;
        } else if (c == ',') {
            return i + 1;
        } else if (c == '(') {
            paren = true;
        }
    }
    return len;
}

int
kb_srcset_scan(const char *src, size_t len, size_t base, unsigned line0, enum kb_ref_kind kind,
               size_t tag_end, bool html_entities, struct kb_reflist *out, struct kc_diag *diag)
{
    /* Every byte string is a valid (if useless) srcset: nothing to report. */
    (void)diag;
    char *buf = NULL;
    if (html_entities && len > 0) {
        buf = malloc(len + 1);
        if (!buf)
            return KC_ENOMEM;
    }
    size_t i = 0, lpos = 0;
    unsigned line = line0;
    int rc = 0;
    for (;;) {
        while (i < len && (kc_is_ws(src[i]) || src[i] == ','))
            i++;
        if (i >= len)
            break;
        size_t us = i;
        while (i < len && !kc_is_ws(src[i]))
            i++;
        size_t ue = i;
        if (src[ue - 1] == ',') {
            /* "a.png,b.png," : trailing commas end the candidate and are not
             * part of the URL; the URL keeps its inner commas (data: URLs). */
            while (ue > us && src[ue - 1] == ',')
                ue--;
        } else {
            i = srcset_skip_descriptors(src, len, i);
        }
        for (const char *nl; (nl = memchr(src + lpos, '\n', us - lpos));
             lpos = (size_t)(nl - src) + 1)
            line++;
        lpos = us;

        struct kb_ref r;
        memset(&r, 0, sizeof r);
        r.start = base + us;
        r.end = base + ue;
        r.line = line;
        r.kind = kind;
        r.flags = KB_REF_F_SRCSET;
        r.tag_end = tag_end;
        if (buf) {
            size_t n = kb__html_decode(src + us, ue - us, buf);
            rc = kb_reflist_push(out, &r, buf, n);
        } else {
            rc = kb_reflist_push(out, &r, src + us, ue - us);
        }
        if (rc)
            break;
    }
    free(buf);
    return rc;
}
