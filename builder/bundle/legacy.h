/*
 * Legacy twins of the bundler's chunks: the same modules in a classic-script,
 * System.register-style format with kiln's own loader, for browsers without
 * ES modules. legacy_twin.c describes each twin (struct kb_legacy_file) after
 * splicing its body in legacy mode (legacy_splice.c); legacy.c prints it and
 * owns the loader and the inline HTML snippets. Format, loader and limits:
 * docs/bundling.md ("Legacy output"). Builder-internal.
 */
#ifndef KB_BUNDLE_LEGACY_H
#define KB_BUNDLE_LEGACY_H

#include "builder/refs/ref.h"
#include "common/buf.h"

#include <stdbool.h>
#include <stddef.h>

/* One dependency: a legacy file whose namespace sets local variables. */
struct kb_legacy_dep {
    const char *url;   /* relative to the twin ("./x_chunk.legacy.js") */
    const char **from; /* export names of the dependency ... */
    const char **to;   /* ... and the local variables they set */
    size_t n;
    const char *ns;        /* a local that receives the whole namespace, or NULL */
    size_t capfrom, capto; /* the lengths from and to are allocated for (legacy_twin.c) */
};

struct kb_legacy_export {
    const char *name;  /* export name */
    const char *local; /* the variable holding it */
};

/* kb_legacy_file.url_kind values: the kind of reference an entry of the
 * URL table (_u) is, for the naming stage. */
struct kb_legacy_file {
    bool loader;       /* prepend the loader (a page's first legacy script) */
    bool async;        /* execute is an async function (top-level await) */
    const char *x, *c; /* the names of the _export and _context parameters */
    struct kb_legacy_dep *deps;
    size_t ndeps;
    struct kb_legacy_export *exports; /* sorted by name */
    size_t nexports;
    const char **hoisted; /* locals that are function declarations: exported first */
    size_t nhoisted;
    const char **urls; /* the _u table: relative URLs the body uses by index */
    const enum kb_ref_kind *url_kind;
    size_t nurls;
    const char *pre, *body; /* text run at the top of execute, then the modules */
    size_t pre_len, body_len;
};

/* Where things landed in a printed twin: the offset of the '{' of the
 * declare function (where the lowering stage puts its runtime helpers), and
 * of the body, which starts a line (its source map's first line). */
struct kb_legacy_at {
    size_t declare, body;
};

/* Prints f into out and appends to refs one reference (with its byte span in
 * out) per dependency URL and URL table entry, so that the naming stage
 * rewrites them as any reference; *at (when not NULL) gets the offsets
 * above. Returns 0 or KC_ENOMEM/KC_ETOOBIG. */
int kb_legacy_print(const struct kb_legacy_file *f, struct kc_buf *out, struct kb_reflist *refs,
                    struct kb_legacy_at *at);

/* The twin's path of a site path: "js/main.js" -> "js/main.legacy.js",
 * with k > 1 "js/main.legacy2.js" (for a clash). malloc'd. */
char *kb_legacy_path(const char *path, unsigned k);

/* The inline scripts kiln puts in entry documents, byte-stable across
 * builds: the Safari 10.1 nomodule fix (classic), the capability test and
 * the fallback (module scripts). Static strings, without the tags. */
extern const char kb_legacy_safari_fix[];
/* The loader a page's twin starts with (ES5 as written: the lowering stage
 * leaves it, and its comment, alone). */
extern const char kb_legacy_loader[];
extern const char kb_legacy_check[];
extern const char kb_legacy_fallback[];

/* The check and the guard where a modern chunk keeps top-level await below
 * its --target (es2017 .. es2021): they parse only where top-level await
 * does too, so that browsers with import() but without top-level await
 * (Chrome 63-88, Safari 11.1-14.1, Firefox 67-88) run the legacy twins,
 * whose execute function awaits instead. The await never runs. */
extern const char kb_legacy_check_tla[];
extern const char kb_legacy_guard_tla[];

/* The CSP source expressions ("'sha256-...'") of the three, in that order,
 * for the manifest (with tla, of the top-level await check). out[i] must
 * hold 64 bytes. */
void kb_legacy_csp(char out[3][64], bool tla);

/* Writes the text that makes a modern entry chunk fail to parse where the
 * capability test fails (no dynamic import or import.meta), so such a
 * browser runs only the legacy fallback. */
extern const char kb_legacy_guard[];

#endif
