/*
 * URL path helpers shared by the builder (resolving references) and the edge
 * (normalising request targets). Paths here are '/'-separated and relative to
 * a root: "css/site.css", never "/css/site.css" and never containing "." or
 * ".." segments once normalised.
 */
#ifndef KC_PATH_H
#define KC_PATH_H

#include <stddef.h>

struct kc_buf;

/*
 * Joins dir and ref ("css" + "../img/a.png"), or takes ref alone when it starts
 * with '/', removes empty, "." and ".." segments (RFC 3986 §5.2.4), and writes
 * the root-relative result without a leading '/' to out. A trailing '/' is
 * kept ("docs/" stays a directory). Returns KC_EESCAPE when ".." climbs above
 * the root, KC_ETOOBIG when out is too small.
 */
int kc_path_resolve(const char *dir, const char *ref, char *out, size_t outsz);

/* Percent-decodes in[0..n) into out (NUL-terminated). "%00" and malformed
 * escapes give KC_EINVAL. */
int kc_url_decode(const char *in, size_t n, char *out, size_t outsz);

/* Appends path percent-encoded for use in any URL context (HTML attributes,
 * CSS url(), JS strings, srcset): only unreserved characters, '/', and a few
 * sub-delims that need no quoting anywhere stay literal. */
int kc_url_encode_path(const char *path, struct kc_buf *out);

/* Appends the relative URL path that leads from a document in directory
 * from_dir ("" for the root) to the root-relative path to. The result always
 * starts with "./" or "../", so it is never read as a bare module specifier. */
int kc_path_relative(const char *from_dir, const char *to, struct kc_buf *out);

/* The directory part of a root-relative path: "css/a.css" -> "css", "a" -> "".
 * Writes at most outsz bytes including the NUL. */
void kc_path_dirname(const char *path, char *out, size_t outsz);

#endif
