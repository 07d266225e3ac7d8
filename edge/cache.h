/*
 * Cache policy for a CDN origin: which Cache-Control, CDN-Cache-Control and
 * Surrogate-Control each resource gets, by its class (immutable, entry, sw,
 * other) and per-glob overrides from the configuration. Resolved once per
 * resource when a release is loaded (edge/index.c), never per request.
 */
#ifndef KE_CACHE_H
#define KE_CACHE_H

#include "edge/config.h"

#include <stddef.h>

/* Sets the cache policy defaults of c (docs/cdn.md explains each). */
void ke_cache_defaults(struct ke_config *c);

/*
 * Applies one option value, "CLASS VALUE" or "/GLOB VALUE", to header h of
 * c's policy. VALUE "off" means the header is not sent (not allowed for the
 * browser Cache-Control). Returns 0, or -1 with the reason in why.
 */
int ke_cache_apply(struct ke_config *c, enum ke_cache_header h, const char *val, char *why,
                   size_t whysz);

/*
 * Writes the cache header lines ("Cache-Control: ...\r\n" and, when set,
 * "CDN-Cache-Control: ...\r\n", "Surrogate-Control: ...\r\n") for a resource
 * of class p at URL path path into out[outsz]. Returns the length, or -1 if
 * out is too small.
 */
int ke_cache_lines(const struct ke_config *c, enum ke_policy p, const char *path, char *out,
                   size_t outsz);

#endif
