/*
 * Range request parsing (RFC 9110 §14.1.2, §14.2). Pure: no allocation, no
 * globals. Every range it yields satisfies first <= last < size; the caller
 * turns the outcome into 206, 416 or a plain 200 (ignoring Range is always
 * allowed, so every doubtful case takes that way out).
 */
#ifndef KE_RANGE_H
#define KE_RANGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An inclusive byte range of the selected representation. */
struct ke_range {
    uint64_t first, last;
};

enum {
    /* At least one satisfiable range: answer 206. */
    KE_RANGE_OK = 0,
    /* Valid syntax, nothing satisfiable: answer 416 with a Content-Range of
     * "bytes", a space, '*', '/' and the size (RFC 9110 §14.4). */
    KE_RANGE_UNSATISFIABLE = 1,
    /* Ignore the Range field and answer 200 with the whole representation. */
    KE_RANGE_IGNORE = 2,
};

/*
 * Parses the Range field value v[0..n) against a representation of size
 * bytes. On KE_RANGE_OK, out[0..*count) holds the satisfiable ranges in
 * request order, clamped to the representation (last >= size becomes
 * size-1; a suffix longer than the body means the whole body); unsatisfiable
 * ones (first >= size, or "-0") are dropped as RFC 9110 §14.1.2 says. out
 * must have room for max entries; *count is 0 unless KE_RANGE_OK.
 *
 * KE_RANGE_IGNORE is returned for:
 *   - a unit other than "bytes" (compared case-insensitively, §14.1), or no
 *     '=' after it, or OWS around '=';
 *   - any invalid range-spec: last < first, non-digits, a missing number,
 *     OWS inside a spec, a list without any spec (§14.1.1: "bytes=" or
 *     "bytes=,");
 *   - more than max range-specs, satisfiable or not: a cheap bound on
 *     multipart amplification (§14.2 lets a server ignore abusive sets);
 *   - size 0 with a non-zero suffix range: satisfiable by the RFC but the
 *     result is zero bytes, which a 206 cannot express; 200 with an empty
 *     body is exactly "the whole representation". Every other range of an
 *     empty representation is unsatisfiable (416).
 * Numbers too large for 64 bits saturate at UINT64_MAX, which is past any
 * size, so they parse as "beyond the end" and never overflow. Empty list
 * elements and OWS around commas are accepted; leading and trailing OWS of
 * the whole value too. max 0 means every valid Range is ignored.
 */
int ke_range_parse(const char *v, size_t n, uint64_t size, struct ke_range *out, size_t max,
                   size_t *count);

/*
 * Sorts r[0..*count) by first byte and merges ranges that overlap or touch
 * (b.first <= a.last + 1), updating *count. Returns true when at least one
 * merge happened, i.e. the client asked for some bytes twice or split one
 * run into pieces; ranges that were only out of order give false.
 *
 * Policy is the caller's. Apache's fix for CVE-2011-3192 (the "Range: bytes=
 * 0-,5-0,5-1,..." killer) merges like this and bounds the count (MaxRanges);
 * nginx leaves the ranges as sent but answers 200 once their total exceeds
 * the body size. A reasonable origin: parse with a small max (e.g. 16), then
 * either serve the merged set, or when this returns true answer 200 — both
 * bound the response to about one body. Note the RFC says multipart parts
 * should follow request order, so merging changes what the client sees;
 * a single merged range is served as a plain 206, not multipart.
 */
bool ke_range_coalesce(struct ke_range *r, size_t *count);

#endif
