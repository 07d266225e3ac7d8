/*
 * The builder's model of one build: the options, every source file with its
 * references, and what the pipeline computes for it (output name, final bytes,
 * hashes, variants). Files are kept sorted by source path, so every later
 * stage iterates in a deterministic order whatever readdir() returned.
 */
#ifndef KB_SITE_H
#define KB_SITE_H

#include "builder/compress.h"
#include "builder/refs/ref.h"
#include "common/hash.h"
#include "common/mime.h"

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KB_VERSION "0.1.0"

struct kb_options {
    const char *src;       /* SRC_DIR */
    const char *out;       /* --out, default "dist" */
    const char *base;      /* --base, public URL prefix ending in '/' */
    const char *cache_dir; /* NULL with --no-cache */
    const char *report;    /* --report FILE or NULL */
    /* --previous DIR (repeatable), most recent first: releases deployed before
     * this one. previous[0] is the one purge.json compares with; every one is
     * a source of dictionary deltas (docs/dictionaries.md). */
    const char **previous;
    unsigned n_previous;
    /* --previous-releases ROOT: ROOT/current and the releases beside it,
     * newest first, at most delta_depth of them (--delta-depth, default 3),
     * after the --previous ones. NULL without the option. */
    const char *previous_releases;
    unsigned delta_depth;
    const char *hashed_re; /* --hashed-pattern: names a bundler already fingerprinted */
    const char **exclude;  /* --exclude GLOB, repeatable: files left out of the release */
    unsigned n_exclude;
    unsigned enc_mask; /* 1u << kb_enc */
    unsigned jobs;
    unsigned min_saving;   /* percent a variant must save to be kept */
    bool integrity;        /* add integrity/crossorigin to script and style tags */
    bool progress;         /* progress line on stderr (a TTY) */
    bool quiet;            /* no table on stdout */
    bool sw;               /* generate sw.js and its registration (--no-sw turns off) */
    const char *sw_config; /* --sw-config FILE (JSON) or NULL: docs/service-worker.md */
    bool bundle;           /* --bundle: scope-hoisted ES module chunks (docs/bundling.md) */
    bool legacy;           /* --legacy (default): System.register twins of the chunks */
    int target;            /* --target: what modern chunks are lowered to (builder/lower/lower.h) */
    bool legacy_polyfills; /* --legacy-polyfills auto (default): the twins' polyfills */
    bool minify_ws;        /* --minify-whitespace: chunks without comments and spare blanks */
    bool import_map;       /* --import-map: module-to-module references resolved by an
                              import map in each page, not rewritten (no hash cascade) */
    bool keep_comments;    /* --keep-comments: chunks keep every comment (default: legal ones) */
    bool strict;           /* --strict: a warning fails the build (exit 1, no release) */
};

/* What a file is to the release. */
#define KB_ROLE_ENTRY      0x01u /* an entry document (*.html) */
#define KB_ROLE_KEEP_NAME  0x02u /* served under its source name (entry, robots.txt, ...) */
#define KB_ROLE_REFERENCED 0x04u /* some file references it */
#define KB_ROLE_PREHASHED  0x08u /* its name already carries a bundler's content hash */
#define KB_ROLE_RENAMED    0x10u /* gets a NAME.HASH.EXT name */
#define KB_ROLE_MANIFEST   0x20u /* a web app manifest (parsed as JSON) */
#define KB_ROLE_MODULE     0x40u /* loaded as an ES module (type=module, import, ...) */
#define KB_ROLE_SW         0x80u /* the generated service worker (not in the release id) */

/* A legacy twin of a chunk (bundle/legacy_twin.c): not precached, not preloaded. */
#define KB_ROLE_LEGACY 0x100u

/* Files in one build (kb_load fails with KC_ETOOBIG past it): file indexes
 * are ints, and the model alone would take gigabytes before this. */
#define KB_MAX_FILES (1u << 24)

/* Entry documents named in one file's purge tags ("page:/index.html"); past
 * this an asset used by every page would make a Surrogate-Key header larger
 * than CDNs accept (Fastly: 16 KiB), and purges never need them all. */
#define KB_MAX_PAGE_TAGS 16

/* kb_file.target values that are not file indexes. */
#define KB_T_NONE    (-1) /* not a local file: external, data:, bare specifier */
#define KB_T_MISSING (-2) /* a local path with no file */
#define KB_T_ESCAPE  (-3) /* climbs out of SRC_DIR */

/* A preload hint's crossorigin: absent, "anonymous" (or any other value),
 * "use-credentials". */
enum { KB_CORS_NONE, KB_CORS_ANONYMOUS, KB_CORS_CREDENTIALS };

/* One preload hint of an entry document (builder/preload.c): a copy of one
 * of the page's own <link rel=preload|modulepreload> tags as the page
 * carries it, so the browser matches the two. */
struct kb_preload {
    int file;           /* index of the asset */
    const char *as;     /* "style", "script", "font", "image", ...; static string */
    bool module;        /* rel=modulepreload */
    bool integrity;     /* the tag carries the file's SRI (kiln added it): so does the hint */
    unsigned char cors; /* KB_CORS_* of the tag */
    char type[32];      /* the tag's type= (lowercased), "" if none */
};

/* One kept dictionary delta of a file (builder/dict.c): the file compressed
 * against a previous release's version of it. */
struct kb_delta {
    unsigned char dict_sha256[KC_SHA256_LEN]; /* of the previous version's bytes as read */
    const char *prev_release;                 /* its release id (borrowed from kb_site.prev) */
    unsigned char *var[KB_DENC_COUNT];        /* owned; NULL where not made or not kept */
    size_t var_len[KB_DENC_COUNT];
    unsigned char var_sha256[KB_DENC_COUNT][KC_SHA256_LEN];
    size_t ref_len; /* the br variant's size (or the best other) it was compared with */
};

/* A previous release (builder/previous.c), read once at the start of emit. */
struct kb_prev {
    char *dir;        /* as given, or ROOT/NAME (owned) */
    void *manifest;   /* its kiln-manifest.json, a json_t * (owned) */
    char release[17]; /* its "release" id, "" if it has none */
};

struct kb_file {
    char *path; /* root-relative source path: "css/site.css" */
    const struct kc_mime *mime;
    unsigned char *data; /* source bytes (owned) */
    size_t len;
    int64_t mtime; /* seconds, clamped to SOURCE_DATE_EPOCH when set */
    unsigned role; /* KB_ROLE_* */

    struct kb_reflist refs;
    int *target;      /* per ref: index of the local file it names, or KB_T_* */
    char *scan_error; /* why the scanner rejected the file (owned), or NULL */
    bool mapped;      /* --import-map: a module the pages' module scripts load */
    bool reachable;   /* an entry document loads it, directly or not */

    /* Computed by naming. */
    char *out_path;     /* release-relative output path */
    unsigned char *out; /* final bytes after rewriting (owned; may alias data) */
    size_t out_len;
    unsigned char sha256[KC_SHA256_LEN]; /* of the final bytes */
    char sri[KC_SRI_LEN];
    bool done; /* final bytes known */

    /* Computed by compression: variant bytes kept (NULL if not kept). */
    unsigned char *var[KB_ENC_COUNT];
    size_t var_len[KB_ENC_COUNT];
    unsigned char var_sha256[KB_ENC_COUNT][KC_SHA256_LEN];

    uint64_t polyfills; /* a page's legacy twin: the polyfills before its loader
                           (builder/lower/polyfill.h bits) */

    struct kb_preload *preload; /* entry documents only (kb_preloads) */
    size_t n_preload;

    /* Dictionary (builder/dict.c), for candidates only: the logical id that
     * matches it across releases, its Use-As-Dictionary value (both owned,
     * NULL otherwise), and its kept deltas (owned). */
    char *dict_id;
    char *use_as_dict;
    struct kb_delta *deltas;
    size_t n_deltas;
};

/* What the service worker stage (sw.c) decided, for the manifest and the
 * report. Strings are static except fallback. */
struct kb_sw_omit {
    int file;        /* index into kb_site.files */
    const char *why; /* the option that left it out: "globIgnores", ... */
};
struct kb_sw_info {
    bool made;         /* a worker was generated */
    size_t n_precache; /* URLs precached, and their bytes */
    int64_t precache_bytes;
    char *fallback;           /* the worker's navigateFallback URL (owned), or NULL */
    const char *fallback_why; /* how it was chosen (static), NULL without one */
    struct kb_sw_omit *omit;  /* precache candidates left out (owned), in path order */
    size_t n_omit;
};

struct kb_site {
    const struct kb_options *opt;
    struct kb_file *files;
    size_t n;
    regex_t hashed;      /* compiled opt->hashed_re */
    char release_id[17]; /* "" until kb_release_id() */
    int warnings;        /* problems in the site that did not stop the build */
    struct kb_compress_stats cstats;
    double t_scan, t_name, t_compress, t_write; /* seconds, for the report */
    bool legacy_html; /* bundle/ put the legacy inline scripts in some entry document */
    bool legacy_tla;  /* ... in their top-level await form: a modern chunk keeps top-level
                         await its --target lacks, so browsers without it take the twins */
    /* SRC_DIR/.vite/manifest.json (owned, NUL-terminated), or NULL: the site is a
     * Vite build, already bundled; its manifest is carried into the release. */
    char *vite_manifest;
    size_t vite_manifest_len;
    struct kb_sw_info sw;
    struct kb_prev *prev; /* previous releases, most recent first (owned) */
    size_t n_prev;
    struct kb_dict_stats {
        size_t made, kept;            /* deltas computed, kept */
        size_t dict_bytes, ref_bytes; /* kept deltas' bytes, and their br (or best) sizes */
    } dstats;
};

/* Index of the file with source path p, or -1 (binary search). */
int kb_site_find(const struct kb_site *s, const char *p);

/* Pipeline stages, in order. Each returns 0 or a negative KC_E* code after
 * printing "file:line: reason" for every problem it found. */
int kb_load(struct kb_site *s);
int kb_resolve(struct kb_site *s);
int kb_bundle(struct kb_site *s);
int kb_fingerprint(struct kb_site *s);
int kb_preloads(struct kb_site *s);
int kb_sw(struct kb_site *s);
int kb_emit(struct kb_site *s, const char *tmp_dir);
int kb_report(const struct kb_site *s);
/* Previous releases (previous.c): reads every --previous and the newest
 * --delta-depth releases of --previous-releases into s->prev; an unreadable
 * or malformed manifest is an error. */
int kb_previous_load(struct kb_site *s);
void kb_previous_free(struct kb_site *s);
/* Dictionaries (dict.c): marks the candidates (dict_id, use_as_dict); then
 * kb_dict_deltas computes and keeps their deltas against s->prev, on the
 * compression pool. Both run inside kb_emit. */
int kb_dict_mark(struct kb_site *s);
int kb_dict_deltas(struct kb_site *s);
void kb_site_free(struct kb_site *s);

/* Builder-internal (kb__), defined in resolve.c for bundle/: kb__rescan
 * runs f's scanner again on its (new) data and resolves the references;
 * kb__refresh_roles recomputes which files are referenced, loaded as modules
 * and reachable after files changed, and lets the unreferenced keep their
 * names. */
int kb__rescan(struct kb_site *s, struct kb_file *f);
/* kb__resolve resolves references a generator set itself (legacy twins). */
int kb__resolve(struct kb_site *s, struct kb_file *f);
int kb__refresh_roles(struct kb_site *s);
/* Where the query or fragment of reference r of f starts in its raw text
 * (an offset from r->start; the length of the span when it has none), the
 * part a rewrite keeps as written. -1 when kiln cannot tell: an escape
 * writes a '?' or '#' ("\x3f", "&#63;"), so a rewrite could not keep the
 * query; the target then keeps its name. */
long kb__ref_query(const struct kb_file *f, const struct kb_ref *r);

/* Whether kiln adds integrity (and crossorigin unless given) to the tag of
 * reference i of entry document doc: script, stylesheet and modulepreload
 * tags, and a preload of a file another tag of the page loads so. One rule
 * for fingerprint.c, which writes the attributes, and preload.c, whose hints
 * must match them. Defined in fingerprint.c. */
bool kb__gets_integrity(const struct kb_site *s, const struct kb_file *doc, size_t i);

/* Makes bytes[0..len) f's final output, owned by f from now on (the
 * previous output is freed unless it is f->data, which f->out may alias),
 * derives its SHA-256 and SRI from it, and marks f done. The stages that
 * write or rewrite output bytes (fingerprint.c, sw.c) go through it, so the
 * hashes always describe the bytes. */
void kb_file_set_out(struct kb_file *f, unsigned char *bytes, size_t len);

/* Hex digits of SHA-256 in a NAME.HASH.EXT file name: 40 bits. */
#define KB_HASH_CHARS 10
/* Where the extension of a file name starts, compound ones included
 * ("app.js.map" -> ".js.map"): NAME.HASH.EXT puts the hash before it.
 * Defined in fingerprint.c, used by dict.c. */
const char *kb__split_ext(const char *base);

/* Helpers emit.c shares with sw.c. */
/* True when f is served with cache class "immutable" (its URL is its version). */
bool kb_file_immutable(const struct kb_file *f);
/* The manifest's strong ETag of a SHA-256: 24 hex digits in quotes. */
void kb_etag(const unsigned char *sha, char out[27]);
/* --base + the URL-encoded out_path; malloc'd (caller frees), NULL when out of
 * memory. */
char *kb_public_url(const struct kb_site *s, const char *out_path);
/* Sets s->release_id: a digest of every file's output path and bytes except
 * the service worker's, then of extra[0..extra_len) (may be NULL). */
void kb_release_id(struct kb_site *s, const void *extra, size_t extra_len);

#endif
