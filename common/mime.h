/*
 * The one MIME table of kiln, shared by the builder (to classify and decide
 * what to compress) and the edge (Content-Type). Lookup is by the last
 * extension of a path, case-insensitive; unknown types are
 * application/octet-stream and not compressible.
 */
#ifndef KC_MIME_H
#define KC_MIME_H

#include <stdbool.h>

enum kc_kind {
    KC_KIND_OTHER = 0,
    KC_KIND_HTML,
    KC_KIND_CSS,
    KC_KIND_JS,
    KC_KIND_JSON,
    KC_KIND_WEBMANIFEST,
    KC_KIND_SOURCEMAP,
    KC_KIND_SVG,
    KC_KIND_IMAGE,
    KC_KIND_FONT,
    KC_KIND_MEDIA,
    KC_KIND_WASM,
    KC_KIND_TEXT,
};

struct kc_mime {
    const char *ext;  /* without the dot, lowercase */
    const char *type; /* full Content-Type value, with charset for text */
    enum kc_kind kind;
    bool compressible;
};

/* Never NULL: unknown extensions give the octet-stream entry. Static storage. */
const struct kc_mime *kc_mime_lookup(const char *path);

#endif
