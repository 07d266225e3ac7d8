/*
 * The release index: every servable URL of a release, with each variant's
 * bytes (in memory or mapped), strong ETag and prebuilt header lines. Built
 * once per (re)load from kiln-manifest.json, or from a plain directory; then
 * immutable and shared read-only by all workers. Reference-counted: a reload
 * swaps the current pointer and the old index lives until its last response
 * is written.
 */
#ifndef KE_INDEX_H
#define KE_INDEX_H

#include "edge/config.h"
#include "edge/dictionary.h"
#include "edge/negotiate.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KE_MAX_KEEP   16 /* the most previous releases an index keeps */
#define KE_MAX_DELTAS 64 /* dcz deltas of one resource: past it the release is refused */

enum ke_class {
    KE_CLASS_IMMUTABLE, /* content-hashed URL: cache for a year */
    KE_CLASS_NO_CACHE,  /* entry documents, sw.js: revalidate every time */
    KE_CLASS_SHORT,     /* other stable names: a short max-age */
};

struct ke_variant {
    bool present;
    uint64_t size;
    const unsigned char *body; /* size bytes, valid while the index lives */
    int fd;                    /* for bodies over --mem-max: an open descriptor, so the body can
                                  go out with sendfile(2); -1 for bodies held in memory */
    const char *etag;          /* with quotes */
    size_t etag_len;
    const char *head; /* header lines for 200/206 ("Name: value\r\n" ...), without
                         Date, Content-Length, Content-Range and Connection */
    size_t head_len;
    const char *head304; /* the lines a 304 must repeat (RFC 9110 §15.4.5) */
    size_t head304_len;
};

/* A dcz variant (RFC 9842): the resource as a delta against an earlier
 * version a client may hold as a dictionary, found by that version's
 * SHA-256. Its body is the whole dcz stream (the 40-byte header, which
 * the loader checked names hash, then a zstd frame), served as it is. */
struct ke_delta {
    unsigned char hash[KE_DICT_HASH_LEN];
    struct ke_variant var;
};

struct ke_resource {
    const char *path; /* URL path under the release root: "/css/site.x.css" */
    size_t path_len;
    enum ke_class cls;
    bool entry; /* an entry document (HTML) */
    /* RFC 9218 priority over HTTP/2 when the request sends none, by what the
     * file is: documents, then CSS, then fonts and scripts, then the rest,
     * images last and incremental. */
    uint8_t urgency; /* 0 (first) .. 7 */
    bool incremental;
    int64_t mtime;
    struct ke_variant var[KE_ENC_COUNT]; /* identity always present */
    /* dcz deltas, by dictionary hash, in the manifest's order; every variant
     * of a resource with deltas says "Vary: Accept-Encoding,
     * Available-Dictionary". */
    struct ke_delta *deltas;
    unsigned n_deltas;
    /* Entry documents with --early-hints: the whole 103 interim response
     * ("HTTP/1.1 103 Early Hints\r\nLink: ...\r\n\r\n"), sent before the
     * final head to HTTP/1.1 clients; NULL otherwise. */
    const char *early;
    size_t early_len;
};

struct ke_index {
    /* Two counts, so that a chain of releases stays bounded. refs: the
     * users, who may look things up through older[] (the server's current
     * pointer, the workers, responses in flight). holds: newer releases that
     * keep this one as a fallback, plus one for all the users together.
     * When the users are gone this index lets go of its own older[] (newer
     * ones hold what they need directly); it is freed when holds reaches 0. */
    atomic_int refs;
    atomic_int holds;
    char release[40]; /* the manifest's release id, or "dir:<hash>" in directory mode */
    bool from_manifest;
    struct ke_resource *res;
    size_t n;
    uint32_t *slots; /* open addressing: index + 1 into res, 0 = empty */
    size_t mask;
    /* Previous releases, newest first, each holding a reference: their
     * immutable assets stay servable. Set before publication, never after. */
    struct ke_index *older[KE_MAX_KEEP];
    unsigned n_older;
    void *mem; /* allocations and mappings, freed with the index */
};

/*
 * Loads the release in dir: kiln-manifest.json when present, else every
 * file of dir (with .br/.zst/.gz siblings as variants, probed now, never per
 * request). Returns 0 with *out holding one reference, or -1 with one line in
 * err naming the cause. Files named by the manifest must stay inside dir.
 */
int ke_index_load(const char *dir, const struct ke_config *cfg, struct ke_index **out, char *err,
                  size_t errsz);

/* The resource at URL path p (already normalised), or NULL. Falls back to the
 * older releases chained to ix, for immutable resources only. */
const struct ke_resource *ke_index_find(const struct ke_index *ix, const char *p, size_t n);

/* Takes one more user reference; only on an index the caller already holds
 * a user reference to. */
void ke_index_hold(struct ke_index *ix);
/* Drops one user reference. The last one drops this index's holds on its
 * older releases, and frees the index unless newer releases hold it as a
 * fallback (then the last of those frees it). */
void ke_index_release(struct ke_index *ix);

/* Makes older (the release newer replaces) and up to keep - 1 of its own
 * previous releases the fallbacks of newer. Takes over the caller's user
 * reference to older. Call before newer is published: published indexes
 * never change. */
void ke_index_chain(struct ke_index *newer, struct ke_index *older, unsigned keep);

#endif
