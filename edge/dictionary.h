/*
 * Compression-dictionary request fields (RFC 9842 §2.2, §2.3) as Structured
 * Fields (RFC 8941). Pure: no allocation, no globals. Strict: a value that
 * is not exactly what the RFC defines is "absent", and the caller falls back
 * to ordinary content negotiation; nothing here ever turns into a 4xx.
 */
#ifndef KE_DICTIONARY_H
#define KE_DICTIONARY_H

#include <stdbool.h>
#include <stddef.h>

#define KE_DICT_HASH_LEN 32   /* SHA-256, the only hash RFC 9842 defines */
#define KE_DICT_ID_MAX   1024 /* longest Dictionary-ID string (RFC 9842 §2.3) */

/*
 * Parses an Available-Dictionary field value v[0..n) (RFC 9842 §2.2): an sf
 * Item whose bare item is a Byte Sequence (":" base64 ":") decoding to
 * exactly KE_DICT_HASH_LEN bytes. On success writes them to hash and
 * returns true; otherwise returns false and hash is unspecified.
 *
 * The grammar is RFC 8941 §4.2 on a single Item: leading and trailing SP
 * are skipped (HTAB is not sf whitespace; the HTTP layer has already
 * trimmed OWS), then ':' then base64 then ':' then nothing. Decisions,
 * stricter than the RFC's SHOULDs, each only costing a delta:
 *   - the base64 must be canonical: padded to a multiple of 4 with '=',
 *     and the unused low bits of the last character zero (a 32-byte hash is
 *     always 43 characters and one '='). Chromium sends exactly that.
 *   - parameters (";a=1") are refused, as is a list ("a, b"; also what two
 *     field lines combine into) and any other bare item (a string, a token).
 * v may be NULL when n is 0.
 */
bool ke_dict_available_parse(const char *v, size_t n, unsigned char hash[KE_DICT_HASH_LEN]);

/*
 * Parses a Dictionary-ID field value v[0..n) (RFC 9842 §2.3): an sf Item
 * whose bare item is a String of at most KE_DICT_ID_MAX characters after
 * unescaping, no parameters. On success copies the unescaped string into
 * out[0..cap) (NUL-terminated; cap must be at least KE_DICT_ID_MAX + 1) and
 * returns its length; returns -1 otherwise (out is then unspecified).
 * String rules (RFC 8941 §4.2.5): printable ASCII 0x20..0x7e; '\' escapes
 * only '"' and '\'.
 */
int ke_dict_id_parse(const char *v, size_t n, char *out, size_t cap);

#endif
