/*
 * A diagnostic: where in a source buffer something was rejected, and why.
 * The parsers and scanners (builder/refs/, builder/js/) fill one for their
 * caller instead of printing, so they stay pure functions over a buffer; the
 * caller prints "file:line:col: msg". The struct is plain data, no ownership.
 */
#ifndef KC_DIAG_H
#define KC_DIAG_H

#include <stdarg.h>
#include <stddef.h>

struct kc_diag {
    unsigned line, col; /* 1-based; col counts bytes, not characters */
    char msg[256];      /* NUL-terminated, truncated to fit */
};

/* Fills d with the 1-based line and column of offset off in src (off must be
 * at most the length of src; '\n' ends a line) and the formatted msg. */
void kc_diag_set(struct kc_diag *d, const char *src, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void kc_diag_vset(struct kc_diag *d, const char *src, size_t off, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));

#endif
