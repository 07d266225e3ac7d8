/*
 * Accept-Encoding parsing and variant choice (RFC 9110 §12.5.3). Pure: no
 * allocation, no globals, no other header consulted. A q-value only decides
 * whether a coding is acceptable (q=0 excludes it); among acceptable variants
 * the smallest wins, server preference br > zstd > gzip > identity breaks ties.
 */
#ifndef KE_NEGOTIATE_H
#define KE_NEGOTIATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The content codings kiln-edge sends. The first KE_ENC_COUNT are a
 * resource's own variants (ke_resource.var[]), chosen by ke_negotiate();
 * KE_ENC_DCZ (RFC 9842's dictionary-compressed zstd) is a delta against a
 * dictionary the client holds, picked apart by the Available-Dictionary hash
 * (respond.c), never by size. KE_ENC_ALL counts them all.
 */
enum ke_enc {
    KE_ENC_IDENTITY,
    KE_ENC_BR,
    KE_ENC_ZSTD,
    KE_ENC_GZIP,
    KE_ENC_COUNT,
    KE_ENC_DCZ = KE_ENC_COUNT,
    KE_ENC_ALL,
};

/* A q-value the request did not state. Real q-values are 0..1000 (q × 1000). */
#define KE_Q_UNSET 0xffffu

/*
 * What one request's Accept-Encoding said. q[e] is the q-value given for
 * coding e, star the one given for "*", each KE_Q_UNSET when not listed.
 * present is false when the request had no Accept-Encoding field at all.
 */
struct ke_accept {
    uint16_t q[KE_ENC_ALL];
    uint16_t star;
    bool present;
};

/* Sets *a to "the request had no Accept-Encoding field". */
void ke_accept_init(struct ke_accept *a);

/*
 * Parses one Accept-Encoding field value v[0..n) into *a (which it resets
 * first) and sets a->present. Rules, all from RFC 9110 §12.5.3 and §12.4.2:
 * codings and the "q" name are case-insensitive; "x-gzip" is gzip; OWS is
 * allowed around commas and ';'; empty list elements are skipped; an empty
 * value means "identity only"; "dcz" is recorded; unknown codings (deflate,
 * compress, dcb...) are ignored. Decisions the RFC leaves open:
 *   - a malformed element (bad token, q outside 0..1 or with more than three
 *     decimals, a parameter other than q, junk after it) is ignored as if
 *     absent; the rest of the list still counts;
 *   - a coding listed twice keeps its lowest q-value, so a q=0 anywhere
 *     refuses it: sending a coding the client refused is worse than sending
 *     a bigger body.
 * Never fails; v may be NULL when n is 0.
 */
void ke_accept_parse(const char *v, size_t n, struct ke_accept *a);

/*
 * Adds a further Accept-Encoding field line to *a, as if it had been joined
 * to the earlier ones with a comma (RFC 9110 §5.3). For a request parser that
 * keeps each field line as its own span.
 */
void ke_accept_add(const char *v, size_t n, struct ke_accept *a);

/* True when a, as parsed, lets the response use coding e: explicitly with
 * q > 0, or through "*" when e is not listed, or (identity only) by default
 * unless "identity;q=0" or "*;q=0" without an identity entry refused it.
 * KE_ENC_DCZ only explicitly: "*" is no promise that the client can decode
 * against a dictionary (RFC 9842 §6.1 has the client advertise dcz). */
bool ke_accept_ok(const struct ke_accept *a, enum ke_enc e);

/*
 * Chooses the encoding to send. size[e] is the byte size of the variant in
 * coding e, 0 when the release has no such variant; identity always exists
 * (its size may be 0: an empty file). Among acceptable, available variants
 * the smallest wins; equal sizes go to br, then zstd, gzip, identity.
 * Non-zero q-values are not ranked against each other: the client accepts
 * them all, and the bytes saved matter more than its stated preference.
 *
 * With no Accept-Encoding field (a->present false) the answer is identity:
 * the RFC allows any coding, but a client that did not ask may not decode.
 *
 * Returns an enum ke_enc, or -1 when nothing is acceptable (identity refused
 * and no acceptable variant). RFC 9110 §12.5.3 says the server SHOULD then
 * answer without content coding; 406 is allowed but less interoperable. The
 * recommended caller action is identity.
 *
 * Callers must not let any other header (Via, User-Agent) change the choice
 * (nginx's gzip_proxied drops compression behind every CDN), and must send
 * "Vary: Accept-Encoding" on every response of a URL that has variants,
 * identity and 304 included.
 */
int ke_negotiate(const struct ke_accept *a, const uint64_t size[KE_ENC_COUNT]);

#endif
