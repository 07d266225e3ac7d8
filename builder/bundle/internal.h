/*
 * The bundler's one internal header, shared by every file of builder/bundle/
 * as zstd's lib/compress shares zstd_compress_internal.h: the module graph of
 * the entry documents' <script type="module" src>, parsed by builder/js/ and
 * linked as the specification's ResolveExport does (graph.c); source maps
 * (smap.c); the linker's state, then one section per phase of the linker,
 * each phase a file (bundle.c drives them). One header rather than a second
 * for the linker: the graph's modules carry the linker's results (final,
 * chunk), so the two are one model. Builder-internal: main.c only calls
 * kb_bundle (site.h). Semantics and limits: docs/bundling.md.
 */
#ifndef KB_BUNDLE_INTERNAL_H
#define KB_BUNDLE_INTERNAL_H

#include "builder/bundle/legacy.h"
#include "builder/lower/lower.h"
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
    struct kb_jsn *str; /* the specifier's literal (kb__spec_literal): a STR node, or
                           the piece of a template without substitutions */
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
    size_t nreq, capreq;
    struct kb_exp *exp;
    size_t nexp, capexp;
    int *star; /* request indexes of `export * from` */
    size_t nstar, capstar;
    struct kb_imp *imp;
    size_t nimp, capimp;
    uint32_t *imp_of;     /* per binding index: index + 1 into imp, or 0 */
    struct kb_jsn *dflt;  /* EXPORT_DEFAULT node that makes KB_SYM_DEFAULT, or NULL */
    struct kb_jsn **urls; /* literals of new URL('x', import.meta.url) (kb__spec_literal) */
    size_t nurls, capurls;
    bool tla;         /* top-level await */
    bool computed;    /* an import() of a computed specifier: it may load any file */
    bool ns_used;     /* the namespace object is needed as a value */
    bool ns_real;     /* ... and is its file's own (it is an import() target) */
    const char *bail; /* why this module cannot be bundled, or NULL */
    uint32_t bail_at; /* byte offset of the reason */
    /* Filled by rename.c (final) and chunk.c (chunk). */
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

/* The literal an import() specifier or a new URL() argument n is, or NULL
 * for any other expression: n itself for a string, and for a template
 * literal without substitutions (`./a.js`, as Vite writes lazy routes) its
 * one TEMPLATE_ELEM, which reads as a string does: ->str the cooked value,
 * [start, end) the whole literal, its backticks included. */
struct kb_jsn *kb__spec_literal(struct kb_jsn *n);

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

/* Appends one segment (si < 0: generated text with no original). Returns 0
 * or KC_ENOMEM/KC_ETOOBIG. */
int kb_smap_push(struct kb_smap *m, unsigned gline, unsigned gcol, int si, unsigned oline,
                 unsigned ocol);
int kb_smap_copy(struct kb_smap *m, struct kc_buf *out, int si, const char *src, size_t off,
                 size_t len);
int kb_smap_gen(struct kb_smap *m, struct kc_buf *out, const char *text, int si, const char *src,
                size_t off);
int kb_smap_mappings(const struct kb_smap *m, unsigned line_offset, struct kc_buf *o);
char *kb_smap_json(const struct kb_smap *m, unsigned line_offset, const char *const *sources,
                   const char *const *contents, const size_t *lens, size_t n);
void kb_smap_free(struct kb_smap *m);
/* The length of each line of text[0..len) in UTF-16 units, as columns
 * count: malloc'd, *n lines; NULL when out of memory. */
unsigned *kb_smap_line_units(const char *text, size_t len, size_t *n);
/* The last segment at or before generated (line, col), or NULL. */
const struct kb_smap_seg *kb_smap_find(const struct kb_smap *m, unsigned line, unsigned col);
/* Decodes a "mappings" string of n bytes, whose sources are nsrc, into
 * *out (fresh; sorted by generated position; names are not kept).
 * Returns 0, KC_ENOMEM, or KC_EINVAL when it is not valid. */
int kb_smap_decode(const char *s, size_t n, size_t nsrc, struct kb_smap *out);
/* The map of out, which the lowering stage printed from mid (segs: out
 * offset -> mid offset): each segment goes through inner, mid's map whose
 * line 0 is mid's line line_offset, to the original. Into *res (fresh). */
int kb_smap_compose(const struct kb_smap *inner, unsigned line_offset, const char *mid,
                    size_t mid_len, const char *out, const struct kb_lower_seg *segs, size_t nsegs,
                    struct kb_smap *res);

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

/* ---- the linker's state ---------------------------------------------------------- */

/* Shared by bundle.c and the phases below. kb_bundle owns a struct bundle,
 * and what its pointers hold, for the whole run (free_bundle). */

#define KB_CHUNK_MAX (1ull << 31) /* bytes of a chunk, a facade, a rewritten page */

/* The most entries of a list the bundler grows (kc_vec_reserve's max; each
 * list keeps n and cap beside its pointer): KB_MAX_FILES for lists of
 * modules, entry points and chunks, since a module is a site file; KB_LIST_MAX
 * for the rest (requests, exports, imports, edits, names, source map
 * segments, URL tables), whose entries each come from a node, a name or a
 * line of a module (at most KB_JSAST_SRC_MAX bytes) or of a chunk (at most
 * KB_CHUNK_MAX bytes), so no real site comes near. Past either, the list is
 * not grown and the build fails with KC_ETOOBIG, which kb_bundle reports. */
#define KB_LIST_MAX (1u << 30)

/* A set of strings (names), open addressing over FNV-1a (set.c). */
struct nset {
    const char **v;
    size_t cap, n;
};

struct need {
    int chunk; /* the chunk that exports it */
    const char *name;
};

struct chunk {
    const uint64_t *key; /* entry-point set, W words */
    int *mods;           /* in evaluation order */
    size_t n;
    int host; /* entry point whose file holds this chunk, or -1 (a common chunk) */
    char *path;
    int *deps; /* chunks imported, in order */
    size_t ndeps, capdeps;
    struct need *needs; /* names imported from other chunks */
    size_t nneeds, capneeds;
    const char **exports; /* internal names other chunks import */
    size_t nexports, capexports;
    struct kc_buf body; /* the spliced modules */
    struct kc_buf pre;  /* name fix-ups and namespace objects */
    int *nsimp;         /* modules whose real namespace this chunk imports */
    size_t nnsimp, capnsimp;
    struct kb_smap map; /* of body */
    char *map_path;     /* the chunk's source map */
    /* The legacy twin: its body (splice.c), its URL table (legacy_splice.c), its
     * exports (legacy_twin.c). legacy.c prints it. */
    struct kc_buf lbody;
    char **lurl;
    enum kb_ref_kind *lkind;
    size_t nlurl, caplurl, caplkind;
    struct kb_legacy_export *lexp; /* sorted by name, each name once */
    size_t nlexp, caplexp;
    struct kb_lexp_by_local *lexp_local; /* lexp's indices, sorted by (local, index) */
    struct kb_smap lmap;                 /* of lbody */
};

/* An entry of a chunk's lexp_local: finds the exports a local variable holds
 * without a pass over every export (kb__lexp_of). */
struct kb_lexp_by_local {
    const char *local;
    size_t i;
};

struct kb_inmap; /* inmap.c */

struct bundle {
    struct kb_graph g;
    struct kb_site *s;
    int *ep;                /* entry points: module indexes */
    unsigned char *ep_kind; /* 1 static (a page's module script), 2 dynamic */
    size_t nep, capep, capep_kind;
    size_t W;        /* words of an entry-point set */
    uint64_t *eset;  /* per module, W words */
    int *uf;         /* union-find over entry points */
    bool *ep_bailed; /* per union-find root */
    bool *ep_legacy; /* per union-find root: a bundler's output, whose files stay as they
                        are; only its legacy twins are made (kb__prebundled) */
    int **order;     /* per entry point: its static graph in evaluation order */
    size_t *norder;
    bool *inert;         /* per module: its evaluation has no effect (kb__inert_module) */
    bool *inline_target; /* per module: an inline module script imports it (kb__inline_imports) */
    char **inline_path;  /* per module: the path of its facade for inline scripts, or NULL */
    struct chunk *c;
    size_t nc;
    struct nset taken, globals, all;
    char **fresh; /* generated names, owned */
    size_t nfresh, capfresh;
    struct kb_inmap **inmap;          /* per module: its own source map (inmap.c), once read */
    const char *lx, *lc;              /* legacy twins: the _export and _context names */
    const struct kb_file *legacy_doc; /* the document kb__legacy_tags wrote to last */
};

/* One file's edits while it is spliced into a chunk (splice.c). */
struct edit {
    uint32_t start, end;
    char *text; /* owned */
    int order;  /* among insertions at one place: nested wrappers of the legacy twin */
};

struct splice {
    struct bundle *b;
    int mi, c;
    struct edit *v;
    size_t n, cap;
    const struct kb_jsn *skip; /* a declaring identifier left as written */
    int rc;
    bool legacy; /* the legacy twin's body (docs/bundling.md, "Legacy output") */
    int wraps;
    /* The module's top-level bindings kb__legacy_declared exports, by where
     * they are declared, and the first one past the statements done. */
    struct kb_decl_at *tops;
    size_t ntops, next_top;
    bool tops_made;
};

struct kb_decl_at {
    uint32_t start, x; /* declared at start; binding x (1-based) */
};

/* ---- bundle.c: the driver, and accessors of the state every phase uses ----------- */

/* The root of entry point x in the union-find uf (b->uf), halving the path
 * as it goes (it writes to uf). */
int kb__uf_find(int *uf, int x);

/* The index of the entry point whose module is mod, or -1. */
int kb__ep_of(const struct bundle *b, int mod);

/* Whether entry point i is in set, an entry-point set of b->W words (a row
 * of b->eset, a chunk's key). */
bool kb__eset_has(const uint64_t *set, size_t i);

/* The path of the file that holds entry point module mod: the module's own
 * path (the graph's string, not a copy). */
const char *kb__host_path(const struct bundle *b, int mod);

/* A specifier from the directory of site path from to site path to
 * ("./x.js", "../y.js"). malloc'd, the caller frees it; NULL on failure. */
char *kb__rel_from(const char *from, const char *to);

/* kb__rel_from the path of chunk c (set by kb__chunk_paths). */
char *kb__chunk_rel(const struct bundle *b, int c, const char *to);

/* ---- entry.c: entry points, their graphs, and what stays unbundled --------------- */

/* Collects the entry points (b->ep, b->ep_kind, b->nep): the module scripts
 * of the entry documents (kind 1), then every import() target (kind 2); one
 * module that is both is one entry point of kind 3. Returns 0 or KC_ENOMEM. */
int kb__entry_points(struct bundle *b);

/* Each entry point's static graph in evaluation order (b->order[e], b->norder[e])
 * and, per module, the set of entry points that load it (b->eset, b->W
 * words each). The arrays belong to b. Returns 0 or KC_ENOMEM. */
int kb__graphs(struct bundle *b);

/* Leaves the entry points of module mi's component unbundled, with a warning
 * naming the place (byte at of its text) and the reason why (printed once per
 * component, counted in the site's warnings). Needs b->uf (kb__components). */
void kb__bail_mod(struct bundle *b, int mi, uint32_t at, const char *why);

/* Whether entry point e's component is left unbundled. */
bool kb__ep_bailed(const struct bundle *b, size_t e);

/* Whether entry point e's component is a bundler's output (b->ep_legacy):
 * its modules keep their files, bytes and references, and its chunks exist
 * only as legacy twins. Checks that protect the modern files' module
 * identity pass such a component over. */
bool kb__ep_legacy_only(const struct bundle *b, size_t e);
/* The same for chunk c and for module mi (false outside every chunk). */
bool kb__chunk_legacy_only(const struct bundle *b, int c);
bool kb__mod_legacy_only(const struct bundle *b, int mi);

/* Fills b->uf: entry points that share a module, or that import() one
 * another, are one component, bundled or left alone together. */
void kb__components(struct bundle *b);

/* Each component with an entry point whose file a bundler already
 * fingerprinted (KB_ROLE_PREHASHED), every component with all: its output
 * passes through. With --legacy it is bundled for its legacy twins only
 * (b->ep_legacy), else left unbundled, quietly. Needs b->uf. */
void kb__prebundled(struct bundle *b, bool all);

/* Per module an inline module script imports: a facade when the module's
 * chunk surely ran before (b->inline_target), else its component left
 * unbundled, with a warning. Returns 0 or KC_ENOMEM. */
int kb__inline_imports(struct bundle *b);

/* Leaves unbundled, with a warning, each component that holds a module
 * something outside the graph loads (a worker, a classic script, new URL()). */
void kb__external_refs(struct bundle *b);

/* Sets ns_real on each import() target whose namespace an import or export
 * of another module names: that namespace is imported from its file, not
 * made again. */
void kb__namespace_identity(struct bundle *b);

/* ---- inert.c: modules whose evaluation has no effect ----------------------------- */

/* Whether module m's evaluation only creates its bindings, so that when it
 * runs, relative to other modules, cannot be observed. Pure. */
bool kb__inert_module(const struct kb_mod *m);

/* ---- chunk.c: chunks, and the checks that need them ------------------------------ */

/* Frees b's chunks and all they own; b->c is NULL and b->nc 0 after. */
void kb__free_chunks(struct bundle *b);

/* Makes the chunks again from the live modules (those of an entry point not
 * left unbundled): sets each module's chunk (-1 for none), each chunk's
 * modules in evaluation order, its host and the chunks it imports (deps).
 * The chunks belong to b. Returns 0 or KC_ENOMEM. */
int kb__make_chunks(struct bundle *b);

/* The checks that need chunks: the order of effects of each entry point,
 * top-level await, and one instance per module (a module in a chunk that
 * something loads by its own URL, from outside the chunks, leaves the entry
 * points that hold it unbundled). Returns 1 when it left something unbundled
 * (the chunks must be made again), 0, or KC_ENOMEM. */
int kb__check_chunks(struct bundle *b);

/* ---- rename.c: names ------------------------------------------------------------- */

/* A new name base$N that no bundled module mentions and no final name took,
 * into *out; it is taken from then on. Owned by b (b->fresh). base may be
 * *out. Returns 0, KC_ENOMEM or KC_ETOOBIG (past KB_LIST_MAX names). */
int kb__fresh(struct bundle *b, const char *base, const char **out);

/* The final name of symbol s, owned by its module's final[] (NULL for a
 * symbol that gets none). Only after kb__assign_names. */
const char *kb__sym_final(const struct bundle *b, struct kb_sym s);

/* Gives every symbol of the chunked modules its final name (kb_mod.final,
 * malloc'd, freed with the graph) and marks the namespace objects that must
 * exist (ns_used). Returns 0 or KC_ENOMEM. */
int kb__assign_names(struct bundle *b);

/* ---- splice.c: splicing ---------------------------------------------------------- */

/* Records that bytes [start, end) of sp's module become the printf-formatted
 * text (an insertion when start == end), with order 0: set the order of the
 * last edit, sp->v[sp->n - 1], to place nested insertions. The text is
 * owned by sp. Returns 0 or KC_ENOMEM. */
int kb__edit(struct splice *sp, uint32_t start, uint32_t end, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Appends name as a property name (of an object literal, a namespace's
 * getter, an export list's ModuleExportName): as it is when it is an ASCII
 * identifier name, else as a string literal (kc_quote_js). Returns 0 or
 * KC_ENOMEM/KC_ETOOBIG. */
int kb__put_name(struct kc_buf *o, const char *name);

/* Appends module mi, edited, to chunk c's body (or, with legacy, to its
 * twin's body, without a source map) and records the names c imports from
 * other chunks. Returns 0, KC_ENOMEM, KC_ETOOBIG, or KC_EINVAL for
 * overlapping edits (a bug, reported as an internal error). */
int kb__splice_module(struct bundle *b, int c, int mi, bool legacy);

/* Writes each chunk's namespace objects (pre) and its modules (body), and
 * records what the chunks import from each other, the public exports of
 * import() targets included. Needs the chunks' paths (kb__chunk_paths).
 * Returns 0 or an error. */
int kb__splice_chunks(struct bundle *b);

/* ---- legacy_splice.c: the legacy twin's edits ------------------------------------ */

/* The legacy-only edits at node n (import(), import.meta, writes of exported
 * bindings). Returns 0 to go on with n as usual, 1 when n is done (its
 * children are skipped), or a negative error. */
int kb__legacy_visit(struct splice *sp, struct kb_jsn *n);

/* After top-level statement st: the exported bindings it declared, exported
 * at once. Returns 0 or an error. */
int kb__legacy_declared(struct splice *sp, const struct kb_jsn *st);

/* new URL('x', import.meta.url)'s literal str as an entry of the twin's URL
 * table (an unresolvable one stays). Returns 0 or an error. */
int kb__legacy_url(struct splice *sp, const struct kb_jsn *str);

/* ---- inmap.c: the source maps modules bring ------------------------------------- */

/* The source map (JSON) of file (its text: text[0..len)), made of chunk
 * c's modules: m (generated line 0 is the file's line line_offset) sent
 * through each module's own map where it has one, so that it points at the
 * original sources, named relative to file, their text embedded. Into out.
 * Returns 0 or an error. */
int kb__map_json(struct bundle *b, int c, const char *file, const char *text, size_t len,
                 const struct kb_smap *m, unsigned line_offset, struct kc_buf *out);
void kb__inmaps_free(struct bundle *b);
/* The same for file (text[0..len)), made of one module of site s, f, as it
 * was read (its own map is found through f's references): m's source 0 is
 * f. */
int kb__module_map(const struct kb_site *s, const struct kb_file *f, const char *file,
                   const char *text, size_t len, const struct kb_smap *m, struct kc_buf *out);

/* ---- minify.c: --minify-whitespace and comments ---------------------------------- */

/* Appends module m's text [a, e) to o, mapped in map as source si: as it is
 * (--keep-comments), without comments but legal ones (the default), or with
 * --minify-whitespace. Returns 0 or KC_ENOMEM/KC_ETOOBIG. */
int kb__copy_text(struct bundle *b, struct kb_smap *map, struct kc_buf *o, int si,
                  const struct kb_mod *m, size_t a, size_t e);

/* ---- install.c: putting chunks into the site ------------------------------------- */

/* Gives each chunk its path (its host's module path, a page module's it
 * adopts, or a new NAME_chunk.js) and its source map's path, malloc'd and
 * owned by the chunk. Returns 0, KC_ENOMEM, KC_ETOOBIG or KC_ECLASH. */
int kb__chunk_paths(struct bundle *b);

/* Puts the spliced chunks into the site: new files for common chunks, maps,
 * facades and legacy twins; hosts' and entry modules' files replaced; the
 * pages rewritten (kb__rewrite_docs); roles refreshed. Every new file's bytes
 * belong to the site. Returns 0 or an error (KC_ECLASH: a twin's name is a
 * site file's). */
int kb__install(struct bundle *b);

/* Gives f (a site file) the bytes of text as its source bytes (taken: text
 * is empty after), freeing f's own. Not its output: that is
 * kb_file_set_out's, in the naming stage. Returns 0 or KC_ENOMEM. */
int kb__set_data(struct kb_file *f, struct kc_buf *text);

/* Inserts a generated file into the site at its sorted place (kb_site_find
 * is a binary search) and shifts every reference target past it. The file
 * takes text's bytes; text is left empty, also on failure. *cap is the
 * length s->files is allocated for (the site does not keep it: a caller
 * starts from s->n). Returns 0 or KC_ENOMEM/KC_ETOOBIG. */
int kb__insert_file(struct kb_site *s, size_t *cap, const char *path, struct kc_buf *text,
                    int64_t mtime);

/* ---- pages.c: the entry documents' edits ----------------------------------------- */

/* Rewrites the reachable entry documents that need it (modulepreload links,
 * inline imports to facades, preloads of bundled modules removed, legacy
 * tags) and rescans them. Returns 0 or an error. */
int kb__rewrite_docs(struct bundle *b);

/* ---- legacy_twin.c: legacy twins ------------------------------------------------- */

/* The twin's path of a site path (a chunk's or a facade's): malloc'd, the
 * caller frees it; NULL when out of memory. */
char *kb__twin_path(const char *path);

/* The exports of chunk c's twin that local (a final name) holds: *at is
 * set to their entries in c->lexp_local, in the order of c->lexp; returns
 * how many there are (0: local is not exported). */
size_t kb__lexp_of(const struct chunk *c, const char *local, const struct kb_lexp_by_local **at);

/* Prints chunk c's twin into out, with its references in refs (the caller's,
 * to free) and where its parts landed in *at (legacy.h). Splices the
 * chunk's modules in legacy mode first, which makes the chunk's lmap.
 * Returns 0 or an error. */
int kb__legacy_chunk(struct bundle *b, int c, struct kc_buf *out, struct kb_reflist *refs,
                     struct kb_legacy_at *at);

/* Prints the twin of entry point e's facade into out, with its references in
 * refs (and *at as above). Returns 0 or an error. */
int kb__legacy_facade(struct bundle *b, int e, struct kc_buf *out, struct kb_reflist *refs,
                      struct kb_legacy_at *at);

/* ---- lower.c: the lowering stage on chunks and twins -------------------------------- */

/* Lowers chunk c's text o (a module, its body from line *body_line) to
 * --target; when it changed, o holds the lowered text, the chunk's map is
 * the composed one and *body_line 0. Errors name the original module's
 * line and column. */
int kb__lower_chunk(struct bundle *b, int c, struct kc_buf *o, unsigned *body_line);
/* Lowers twin text (at path; chunk c's twin, or -1 for an entry's facade)
 * to ES5, its runtime helpers in the declare function at declare_at, its
 * references moved, its source map (map, whose line 0 is the text's line
 * *map_line) composed; *polyfills gets what it needs (KB_PF bits,
 * polyfill.h). A diagnostic names the module the map traces it to. */
int kb__lower_twin(struct bundle *b, int c, const char *path, struct kc_buf *text,
                   struct kb_reflist *refs, size_t declare_at, uint64_t *polyfills,
                   struct kb_smap *map, unsigned *map_line);
/* Puts before the loader of each page twin (page[i]) the polyfills that
 * the twins it may run need (need[]): into ltext[i], refs and the line of
 * its map (lmap_line[i]) moved; got[i] gets the set. Nothing with
 * --legacy-polyfills none. */
int kb__twin_polyfills(struct bundle *b, char **lpath, struct kc_buf *ltext,
                       struct kb_reflist *lrefs, unsigned *lmap_line, const uint64_t *need,
                       const bool *page, size_t nl, uint64_t *got);
/* Lowers to --target, in place, every module the pages may load that no
 * chunk holds (entry points left unbundled and their imports; a bundler's
 * own files excepted), and scans its references again. */
int kb__lower_modules(struct kb_site *s);

/* Copies doc from *pos to the end of the <script> element of reference r
 * (entry point e's) into o, then the twin's tags; advances *pos and sets
 * *changed (nothing when the element's end is not found after *pos).
 * Returns 0 or an error. */
int kb__legacy_tags(struct bundle *b, struct kb_file *doc, const struct kb_ref *r, int e,
                    struct kc_buf *o, size_t *pos, bool *changed);

/* ---- set.c: sets of names, lists without repeats --------------------------------- */

/* Whether set s holds k. */
bool kb__nset_has(const struct nset *s, const char *k);

/* Adds k to s (once). k is not copied: it must outlive the set. Returns 0 or
 * KC_ENOMEM. */
int kb__nset_add(struct nset *s, const char *k);

/* Appends x to the malloc'd array *v of *n ints (allocated for *cap), unless
 * it is there: a list of modules or chunks. Returns 0, KC_ENOMEM or
 * KC_ETOOBIG past KB_MAX_FILES (then *v still holds the *n ints). */
int kb__push_int(int **v, size_t *n, size_t *cap, int x);

/* The same for a list of names (compared as strings, not copied: they must
 * outlive the list), up to KB_LIST_MAX. */
int kb__push_name(const char ***v, size_t *n, size_t *cap, const char *name);

#endif
