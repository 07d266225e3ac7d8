/*
 * Entity-tag comparison for conditional requests (RFC 9110 §8.8.3, §13.1).
 * Pure: no allocation, no globals. Tags are compared as their exact bytes
 * between the quotes; "W/" (case-sensitive) marks a weak tag. A field value
 * that does not follow the list grammar matches nothing.
 */
#ifndef KE_ETAG_H
#define KE_ETAG_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Whether the If-None-Match or If-Match field value list[0..n) matches the
 * selected representation's entity-tag etag[0..etag_len) (with its quotes,
 * e.g. "\"abc\"" or "W/\"abc\""; a NULL or empty etag means there is no
 * current representation, which nothing — not even "*" — matches).
 *
 * weak_compare true is If-None-Match (§13.1.2): W/"x" and "x" match "x".
 * weak_compare false is If-Match (§13.1.1): strong comparison, a weak tag on
 * either side never matches.
 *
 * "*" (alone, OWS around it allowed) matches any existing representation.
 * Otherwise the value is #entity-tag: OWS and empty elements around commas
 * are fine. Anything else (an unquoted tag, a '*' inside a list, a missing
 * closing quote, a DQUOTE or control byte inside a tag, junk between tags)
 * makes the whole value match nothing, even if a valid tag in it would have
 * matched: for If-None-Match that means a full 200 (safe), for If-Match a 412
 * (the safe refusal of a state-changing request). The whole value is always
 * checked, so the answer never depends on where the junk sits.
 */
bool ke_etag_match_any(const char *list, size_t n, const char *etag, size_t etag_len,
                       bool weak_compare);

/*
 * Strong comparison of two single entity-tags (If-Range, §13.1.5): true only
 * when both are well formed, neither is weak, and the opaque tags are equal
 * byte for byte. Leading and trailing OWS on either is ignored. An If-Range
 * value that is not an entity-tag (an HTTP-date) simply gives false here;
 * the caller tells the two forms apart by the leading '"' or "W/".
 */
bool ke_etag_strong_equal(const char *a, size_t an, const char *b, size_t bn);

#endif
