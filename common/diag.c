/* kc_diag: a rejected input's position and reason; see diag.h. */
#include "common/diag.h"

#include <stdio.h>

void
kc_diag_vset(struct kc_diag *d, const char *src, size_t off, const char *fmt, va_list ap)
{
    unsigned line = 1, col = 1;
    for (size_t i = 0; i < off; i++) {
        if (src[i] == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
    }
    d->line = line;
    d->col = col;
    vsnprintf(d->msg, sizeof d->msg, fmt, ap);
}

void
kc_diag_set(struct kc_diag *d, const char *src, size_t off, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kc_diag_vset(d, src, off, fmt, ap);
    va_end(ap);
}
