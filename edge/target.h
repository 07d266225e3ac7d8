/*
 * Request target to lookup path: the key kiln-edge looks up in the release
 * manifest. Pure: no allocation, no globals. A path it returns always starts
 * with '/', and holds no NUL, control byte, backslash, empty segment ("//"),
 * "." or ".." segment; a trailing '/' (a directory URL) is kept.
 */
#ifndef KE_TARGET_H
#define KE_TARGET_H

#include <stddef.h>

enum {
    KE_TARGET_OK = 0,
    /* Answer 400: not an origin- or absolute-form target, or a forbidden byte. */
    KE_TARGET_BAD = -1,
    /* Answer 414: the path does not fit in out. */
    KE_TARGET_TOO_LONG = -2,
};

/*
 * Normalises the request-target target[0..n) into out (NUL-terminated, at
 * most outsz bytes with the NUL) and sets *outlen to its length.
 *
 *   - origin-form "/p?q" gives the path before '?' or '#'; absolute-form
 *     "http://host/p" (scheme http or https, any case, RFC 9112 §3.2.2) gives
 *     "/p", and "/" when the path is empty. The host is not checked here.
 *     asterisk-form "*", authority-form and anything else: KE_TARGET_BAD.
 *   - Percent-decoding first, then dot-segment removal (RFC 3986 §5.2.4), so
 *     "%2e%2e" is "..", and "%2F" is a plain '/' (as nginx does): the
 *     manifest is the only namespace, so there is no directory to escape, and
 *     the result can never contain a ".." segment either way.
 *   - ".." above the root stays at the root (as browsers do), "//" collapses
 *     to "/", a final "." or ".." segment leaves a trailing '/'.
 *   - KE_TARGET_BAD for "%00", a malformed escape ("%zz", "%4"), and any raw
 *     or decoded control byte (0x00-0x1f, 0x7f): such a path can name no
 *     asset, and must never reach a log line or a Location header.
 *   - KE_TARGET_BAD for a raw or decoded backslash: browsers turn '\' into
 *     '/' before sending, so only tools and probes send one, and treating it
 *     as either a letter or a separator would disagree with some cache or
 *     proxy in front. The builder should refuse file names containing '\'.
 *   - Other bytes (space from "%20", UTF-8) are kept as decoded.
 * KE_TARGET_TOO_LONG when out cannot hold the result, or a long segment that
 * a later ".." would have removed (the bound is applied as the path is
 * built). The whole path is checked for KE_TARGET_BAD first, so a bad
 * target gets 400 whatever the buffer size. On error out's contents are
 * unspecified.
 */
int ke_target_normalize(const char *target, size_t n, char *out, size_t outsz, size_t *outlen);

#endif
