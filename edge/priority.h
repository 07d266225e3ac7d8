/*
 * RFC 9218 priority field values: the urgency (u) and incremental (i)
 * parameters of a Structured Field dictionary (RFC 8941 §3.2), as a
 * PRIORITY_UPDATE frame carries them. nghttp2 parses the request's own
 * `priority` field; kiln-edge reads the frames itself (see h2.c for why).
 * Pure: no allocation, no globals.
 */
#ifndef KE_PRIORITY_H
#define KE_PRIORITY_H

#include <stdbool.h>
#include <stddef.h>

#define KE_PRIORITY_URGENCY_DEFAULT 3
#define KE_PRIORITY_URGENCY_MAX     7

struct ke_priority {
    unsigned urgency; /* 0 (first) to 7 */
    bool incremental;
};

/*
 * Reads v[0..n) into *p. What the value does not say keeps the default
 * (u=3, not incremental), and so do a u outside 0-7 or not an integer and
 * an i that is not a boolean (RFC 9218 §4); other keys and every member's
 * parameters are skipped; a key given twice counts once, the last (RFC 8941
 * §4.2.2). Returns 0, or -1 when v is not a dictionary at all; the whole
 * value is then to be ignored, and *p holds the defaults.
 */
int ke_priority_parse(const char *v, size_t n, struct ke_priority *p);

#endif
