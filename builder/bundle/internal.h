/*
 * The bundler's model (issue 6, modern output): the module graph of the entry
 * documents' <script type="module" src>, each module parsed and scope-analysed
 * by builder/js/, requests resolved to site files, imports linked to the
 * bindings they name as the specification's ResolveExport does (graph.c);
 * then scope-hoisted ES-module chunks spliced from the original text
 * (bundle.c). Builder-internal: main.c only calls kb_bundle (site.h).
 * Semantics and limits: docs/bundling.md.
 */
#ifndef KB_BUNDLE_INTERNAL_H
#define KB_BUNDLE_INTERNAL_H

#include "builder/js/ast.h"
#include "builder/site.h"
#include "common/buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A symbol: a top-level binding of a module (idx = binding index + 1), the
 * synthetic binding of `export default <expression>` (KB_SYM_DEFAULT) or the
 * module's namespace object (KB_SYM_NS). */
#define KB_SYM_DEFAULT(m) ((m)->ast.nbindings + 1)
#define KB_SYM_NS(m)      ((m)->ast.nbindings + 2)

struct kb_sym {
    int mod;
    uint32_t idx;
};

/* A module request: an import/export-from source or a literal import(). */
struct kb_req {
    struct kb_jsn *str; /* the STR node of the specifier */
    int mod;            /* index into kb_graph.m */
    bool dynamic;
};

enum { KB_EXP_LOCAL, KB_EXP_INDIRECT };

struct kb_exp {
    const char *name; /* exported name */
    int kind;         /* KB_EXP_* */
    uint32_t idx;     /* LOCAL: symbol index */
    int req;          /* INDIRECT: request index */
    const char *imp;  /* INDIRECT: imported name, NULL for `export * as name` */
    struct kb_jsn *node;
};

struct kb_imp {
    uint32_t binding; /* the local import binding (index + 1) */
    int req;          /* request index */
    const char *name; /* imported name, NULL for a namespace import */
    struct kb_jsn *node;
    struct kb_sym to; /* after linking */
};

struct kb_mod {
    int file;    /* index into the site's files */
    int map_doc; /* the entry document whose import map applies, or -1 */
    const char *path;
    const char *src;
    size_t len;
    struct kb_jsast ast;
    struct kb_req *req;
    size_t nreq;
    struct kb_exp *exp;
    size_t nexp;
    int *star; /* request indexes of `export * from` */
    size_t nstar;
    struct kb_imp *imp;
    size_t nimp;
    uint32_t *imp_of;     /* per binding index: index + 1 into imp, or 0 */
    struct kb_jsn *dflt;  /* EXPORT_DEFAULT node that makes KB_SYM_DEFAULT, or NULL */
    struct kb_jsn **urls; /* STR nodes of new URL('x', import.meta.url) */
    size_t nurls;
    bool tla;         /* top-level await */
    bool ns_used;     /* the namespace object is needed as a value */
    bool ns_real;     /* ... and is its file's own (it is an import() target) */
    const char *bail; /* why this module cannot be bundled, or NULL */
    uint32_t bail_at; /* byte offset of the reason */
    /* Filled by bundle.c. */
    char **final; /* per symbol index (1 .. KB_SYM_NS): the name in the chunk */
    int chunk;
};

struct kb_graph {
    struct kb_site *s;
    struct kb_mod *m;
    size_t n, cap;
    int *mod_of; /* per site file: module index, or -1 */
    int errors;
};

/* Parses the modules reachable from the entry documents' module scripts and
 * links them. Problems in the input (syntax, unresolvable specifiers,
 * missing or ambiguous exports) are printed as file:line:col errors and
 * counted in g->errors; the return value is 0 or a system error. */
int kb_graph_build(struct kb_graph *g, struct kb_site *s);
void kb_graph_free(struct kb_graph *g);

/* Resolves name exported by module m as the specification's ResolveExport.
 * Returns 1 with *out set, 0 when there is no such export, -1 when it is
 * ambiguous (two `export *` give different bindings). */
int kb_graph_resolve_export(const struct kb_graph *g, int m, const char *name, struct kb_sym *out);

/* The names module m exports (GetExportedNames), those that resolve, sorted
 * by code unit as a namespace object lists them. *names is malloc'd (the
 * strings are not: they live in the trees); returns the count or -1. */
long kb_graph_export_names(const struct kb_graph *g, int m, const char ***names);

/* The walk every pass over a tree shares: calls fn on each node in source
 * order, except identifiers that are not references (property names,
 * labels, import/export specifiers). `shorthand` is true for the value
 * identifier of a shorthand property ({a}, {a = 1}); fn_depth counts the
 * enclosing functions. fn returns 0 to descend, 1 to skip the children, or a
 * negative error that stops the walk. */
typedef int (*kb_graph_visit)(void *ctx, struct kb_jsn *n, bool shorthand, int fn_depth);
int kb_graph_walk(struct kb_jsn *n, kb_graph_visit fn, void *ctx, int fn_depth);

/*
 * Source maps of chunks (smap.c). A chunk's text is appended through
 * kb_smap_copy (bytes [off, off + len) of source si's text src: the start
 * and each line are mapped back) and kb_smap_gen (generated text, mapped
 * as a whole to src's offset off, or not at all when si < 0), which keep
 * the generated line and UTF-16 column. kb_smap_mappings writes the VLQ
 * "mappings" string, shifted down by line_offset lines; kb_smap_json the
 * whole map (malloc'd, caller frees; NULL when out of memory).
 */
struct kb_smap_seg {
    unsigned gline, gcol;
    int src;
    unsigned oline, ocol;
};

struct kb_smap {
    struct kb_smap_seg *v;
    size_t n, cap;
    unsigned line, col; /* generated cursor */
    int osrc;           /* original cursor: source, offset, line, column */
    size_t ooff;
    unsigned oline, ocol;
};

int kb_smap_copy(struct kb_smap *m, struct kc_buf *out, int si, const char *src, size_t off,
                 size_t len);
int kb_smap_gen(struct kb_smap *m, struct kc_buf *out, const char *text, int si, const char *src,
                size_t off);
int kb_smap_mappings(const struct kb_smap *m, unsigned line_offset, struct kc_buf *o);
char *kb_smap_json(const struct kb_smap *m, unsigned line_offset, const char *const *sources,
                   const char *const *contents, const size_t *lens, size_t n);
void kb_smap_free(struct kb_smap *m);

/*
 * Pure helpers (unit-tested). kb_graph_pkg_entry: the file a package.json
 * (json[0..len)) names for subpath ("." or "./x"): `exports` with the
 * import/browser/default conditions, else `module`, `main`, "index.js".
 * kb_graph_importmap: the address an import map's "imports" gives a bare
 * specifier (exact key, else the longest "prefix/" key). Both write a
 * NUL-terminated string to out and return 0, KC_ENOENT (no mapping),
 * KC_EPARSE (not JSON) or KC_ETOOBIG.
 */
int kb_graph_pkg_entry(const char *json, size_t len, const char *subpath, char *out, size_t outsz);
int kb_graph_importmap(const char *json, size_t len, const char *spec, char *out, size_t outsz);

#endif
