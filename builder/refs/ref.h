/*
 * References found in source files: the common output of the HTML, srcset,
 * CSS, JS and web-manifest scanners. A scanner is a pure function over a
 * buffer: it allocates only the list it appends to, keeps no state between
 * calls, and reports each URL with the raw byte span to replace when the
 * reference is rewritten. Spans within one file are appended in increasing
 * order and never overlap.
 */
#ifndef KB_REF_H
#define KB_REF_H

#include "common/diag.h"

#include <stdbool.h>
#include <stddef.h>

enum kb_ref_kind {
    KB_REF_HTML_SCRIPT,        /* <script src> (classic) */
    KB_REF_HTML_MODULE,        /* <script type="module" src> */
    KB_REF_HTML_STYLESHEET,    /* <link rel="stylesheet" href> */
    KB_REF_HTML_MODULEPRELOAD, /* <link rel="modulepreload" href> */
    KB_REF_HTML_PRELOAD,       /* <link rel="preload|prefetch" href>; as= in ref.as */
    KB_REF_HTML_ICON,          /* <link rel="icon|shortcut icon|apple-touch-icon|mask-icon"> */
    KB_REF_HTML_MANIFEST,      /* <link rel="manifest" href> */
    KB_REF_HTML_IMAGE,         /* img src/srcset, picture source srcset, video poster,
                                  input type=image src, svg image/use href */
    KB_REF_HTML_MEDIA,         /* audio/video/source/track src, object data, embed src */
    KB_REF_HTML_META,          /* <meta content> of og:image, twitter:image, msapplication-* */
    KB_REF_CSS_IMPORT,         /* @import "x" / @import url(x) */
    KB_REF_CSS_URL,            /* url(x), and strings inside image-set() */
    KB_REF_JS_IMPORT,          /* import ... from "x", import "x", export ... from "x" */
    KB_REF_JS_DYNAMIC,         /* import("x") with a literal */
    KB_REF_JS_URL,             /* new URL("x", import.meta.url) */
    KB_REF_SOURCEMAP,          /* //# sourceMappingURL=x or CSS's comment form */
    KB_REF_MANIFEST_ICON,      /* web app manifest icons[]/screenshots[]/shortcuts[].icons[] */
    KB_REF_HTML_ISLAND,        /* a module an islands runtime import()s from an attribute:
                                  <astro-island component-url|renderer-url|before-hydration-url> */
    KB_REF_JS_NAME,            /* any other JS string or plain template that looks like a file
                                  path ("assets/About-D5GR_shx.css"): code may load it by this
                                  name, so it is never rewritten and its target keeps its name */
    KB_REF_JS_PREFIX,          /* the literal start of a computed import() specifier
                                  (import(`./pages/${p}.js`), import('./pages/' + p)): every
                                  module whose URL starts so may be loaded by a name kiln cannot
                                  rewrite, so they keep their names; no target of its own */
};

#define KB_REF_F_HAS_INTEGRITY   0x01u /* the tag already has an integrity attribute */
#define KB_REF_F_HAS_CROSSORIGIN 0x02u /* the tag already has a crossorigin attribute */
#define KB_REF_F_SRCSET          0x04u /* one candidate of a srcset list */
#define KB_REF_F_INLINE          0x08u /* inside inline <script>, <style> or style="" */
#define KB_REF_F_NO_INTEGRITY    0x10u /* the tag opts out: data-kiln-no-integrity */
/* What a <link>'s preload hint depends on (builder/preload.c copies the
 * page's own hints into Link headers only where it can copy them exactly). */
#define KB_REF_F_PREFETCH         0x20u  /* HTML_PRELOAD from rel=prefetch, no preload token */
#define KB_REF_F_ALSO_PRELOAD     0x40u  /* HTML_STYLESHEET whose rel also has preload */
#define KB_REF_F_CORS_CREDENTIALS 0x80u  /* crossorigin="use-credentials" */
#define KB_REF_F_MEDIA            0x100u /* the tag has a media attribute */
#define KB_REF_F_TYPED            0x200u /* a <link> with a type attribute (value in ref.type) */

struct kb_ref {
    size_t start, end; /* raw byte span [start, end) of the URL as written in the
                          file, inside any quotes; escapes and entities included */
    unsigned line;     /* 1-based line of start */
    enum kb_ref_kind kind;
    unsigned flags; /* KB_REF_F_* */
    size_t tag_end; /* HTML: offset of the '>' (or the '/' of "/>") that closes
                       the element's start tag, where attributes can be inserted;
                       0 otherwise */
    char as[16];    /* HTML preload: lowercased as= value, "" if none */
    char type[32];  /* <link>: lowercased type= value, "" if none or longer */
    char *url;      /* the URL with entities/escapes decoded, NUL-terminated;
                       owned by the list */
};

struct kb_reflist {
    struct kb_ref *v;
    size_t n, cap;
};

/* References in one file: a scanner that finds more fails with KC_ETOOBIG.
 * Far past any real page or bundle, it bounds what one hostile file can
 * make the builder allocate. */
#define KB_MAX_REFS (1u << 24)

/* Appends a copy of *r whose url is a fresh copy of url[0..url_len). Returns 0,
 * KC_ETOOBIG past KB_MAX_REFS refs, or KC_ENOMEM. */
int kb_reflist_push(struct kb_reflist *l, const struct kb_ref *r, const char *url, size_t url_len);
void kb_reflist_free(struct kb_reflist *l);

/*
 * The scanners. Each returns 0, KC_EPARSE with *diag filled (line, column and
 * what was expected), or KC_ENOMEM. `base` and `line0` let a caller scan a
 * slice of a larger file (an inline <style> or <script>): spans are reported
 * as base + offset within src, lines as line0 + lines counted within src.
 * A whole file is scanned with base 0, line0 1.
 */
int kb_html_scan(const char *src, size_t len, struct kb_reflist *out, struct kc_diag *diag);
/* Where an import map must go in an HTML document: *pos is the '<' of its
 * first module script, modulepreload link or island with a module URL
 * (KB_REF_HTML_ISLAND); *has_map tells whether it has a
 * <script type="importmap"> of its own. Returns 0, 1 when it loads no module
 * (*pos is then len), or a scanner error. */
int kb_html_module_start(const char *src, size_t len, size_t *pos, bool *has_map);
int kb_css_scan(const char *src, size_t len, size_t base, unsigned line0, struct kb_reflist *out,
                struct kc_diag *diag);
int kb_js_scan(const char *src, size_t len, size_t base, unsigned line0, bool module,
               struct kb_reflist *out, struct kc_diag *diag);
/* Scans a srcset attribute value (raw, as in the file). Each candidate's URL
 * becomes a ref of the given kind with KB_REF_F_SRCSET; with html_entities,
 * character references in the URL are decoded into ref.url. tag_end is copied
 * into each ref. */
int kb_srcset_scan(const char *src, size_t len, size_t base, unsigned line0, enum kb_ref_kind kind,
                   size_t tag_end, bool html_entities, struct kb_reflist *out,
                   struct kc_diag *diag);
/* Builder-internal (kb__), for the CSS and JS scanners, which may scan a
 * slice of a larger file: fills d, when not NULL, with what and the position
 * of offset off in src, lines counted from line0 (as the scanners take it),
 * and returns KC_EPARSE. */
int kb__scan_fail(struct kc_diag *d, const char *src, size_t off, unsigned line0, const char *what);
/* Builder-internal, for the same scanners: the line count up to offset off,
 * from a cursor (*lpos, *lines) that only moves forward, so numbering a
 * whole file costs one pass. An off before *lpos leaves the cursor and
 * returns the count at *lpos. Returns the number of newlines before off. */
unsigned kb__line_advance(const char *src, size_t *lpos, unsigned *lines, size_t off);
/* Builder-internal, for the same scanners: the source map comment's marker
 * at src[p..end), "#" or "@", blanks, then "sourceMappingURL". Returns the
 * offset just after it, or 0 when src[p..end) does not start with it. What
 * follows ("=" and the URL) is each language's own. */
size_t kb__smap_marker(const char *src, size_t p, size_t end);
/* Builder-internal (kb__): decodes HTML character references in s[0..n) into
 * out, which must hold n bytes (no expansion is longer than its reference);
 * unknown references are copied as written. Returns the decoded length.
 * Defined in html.c, shared with srcset.c. */
size_t kb__html_decode(const char *s, size_t n, char *out);

/* Scans a web app manifest (JSON): the src of icons[], screenshots[] and
 * shortcuts[].icons[] entries become KB_REF_MANIFEST_ICON refs. Invalid JSON is
 * KC_EPARSE with jansson's line and column. */
int kb_webmanifest_scan(const char *src, size_t len, struct kb_reflist *out, struct kc_diag *diag);

#endif
