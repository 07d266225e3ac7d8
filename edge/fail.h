/*
 * The edge's way to fail with a reason: the configuration parser, the cache
 * rules and the release loader write why they refused something into a
 * buffer their caller owns (printed at startup, or by a reload), and return
 * -1. One definition, so every such message is formatted and cut the same.
 */
#ifndef KE_FAIL_H
#define KE_FAIL_H

#include <stddef.h>

/* Formats the reason into why[whysz] (cut to fit, NUL-terminated when whysz
 * > 0) and returns -1, so a caller can `return ke_fail(why, whysz, ...)`. */
int ke_fail(char *why, size_t whysz, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
