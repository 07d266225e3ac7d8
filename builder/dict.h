/*
 * Compression dictionaries (RFC 9842), the builder's half: which files are
 * dictionaries, the Use-As-Dictionary value that says so, and the dcz
 * deltas against previous releases. The pure string helpers are here for
 * the unit tests; the rules are in docs/dictionaries.md.
 */
#ifndef KB_DICT_H
#define KB_DICT_H

#include "builder/site.h"

struct kc_buf;

/* Appends s[0..n) to out as literal URLPattern text: '\' before each of
 * * ? + ( ) { } : and '\' itself. */
int kb_urlpattern_escape(const char *s, size_t n, struct kc_buf *out);

/* Appends s as a Structured Field sf-string (RFC 8941 §3.3.3): in quotes,
 * '"' and '\' escaped. KC_EINVAL if s holds anything but printable ASCII. */
int kb_sf_string(const char *s, struct kc_buf *out);

/*
 * The Use-As-Dictionary value of the file at public path url (base path
 * included, URL-encoded, starting with '/') whose fingerprint is
 * url[hash_so..hash_eo): match is url with the fingerprint replaced by '*'
 * and the rest escaped, match-dest is (dest "") when dest is not NULL (""
 * is the destination of a service worker's fetches), id is id. malloc'd;
 * NULL when a part is not header-safe or out of memory.
 */
char *kb_dict_use_as_dictionary(const char *url, size_t hash_so, size_t hash_eo, const char *dest,
                                const char *id);

/* The delta file of a file's variant against a dictionary:
 * OUT_PATH.<first 12 hex of dict_sha256><suffix>. malloc'd. */
char *kb_dict_delta_path(const char *out_path, const unsigned char dict_sha256[32], enum kb_denc e);

/* The deltas of one build, prepared before the compression run and kept or
 * dropped after it (emit.c runs them with the plain variants, on one pool). */
struct kb_dict_job {
    struct kb_compress_item *items; /* one per (file, distinct previous version) */
    size_t n;
    int *owner;                /* file index of items[i] */
    const char **prev_release; /* release id of items[i]'s dictionary */
    unsigned char **dicts;     /* items[i].dict, owned */
};

/* Reads the previous versions of every candidate and fills job (empty
 * without previous releases). Errors: a previous manifest entry naming a
 * file outside its release. A previous file that cannot be read is a
 * warning, and no delta. */
int kb_dict_prepare(struct kb_site *s, struct kb_dict_job *job);
/* Keeps a delta where it is at most 90% of the br variant and at least 64
 * bytes smaller (docs/dictionaries.md); moves the kept ones to the files.
 * items must have run (or ok is false: nothing is kept). */
void kb_dict_keep(struct kb_site *s, struct kb_dict_job *job, bool ok);
void kb_dict_job_free(struct kb_dict_job *job);

/* The dictionary's hash as the manifest keys it: 64 lowercase hex. */
void kb_dict_hex(const unsigned char sha[32], char out[65]);

#endif
