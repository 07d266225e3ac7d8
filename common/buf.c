/* kc_buf: bounded growable buffer; see buf.h for the contract. */
#include "common/buf.h"
#include "common/error.h"
#include "common/vec.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
kc_buf_init(struct kc_buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

void
kc_buf_free(struct kc_buf *b)
{
    free(b->data);
    kc_buf_init(b, b->max);
}

void
kc_buf_reset(struct kc_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

/* Ensures room for n more bytes plus the terminating NUL. */
static int
buf_reserve(struct kc_buf *b, size_t n)
{
    if (n > b->max || b->len > b->max - n || b->len + n == SIZE_MAX) /* + 1 for the NUL */
        return KC_ETOOBIG;
    return kc_vec_reserve(b->data, b->cap, b->len + n + 1, SIZE_MAX);
}

int
kc_buf_append(struct kc_buf *b, const void *p, size_t n)
{
    int rc = buf_reserve(b, n);
    if (rc)
        return rc;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int
kc_buf_puts(struct kc_buf *b, const char *s)
{
    return kc_buf_append(b, s, strlen(s));
}

int
kc_buf_putc(struct kc_buf *b, char c)
{
    return kc_buf_append(b, &c, 1);
}

int
kc_buf_vprintf(struct kc_buf *b, const char *fmt, va_list ap)
{
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n < 0)
        return KC_EINVAL;
    int rc = buf_reserve(b, (size_t)n);
    if (rc)
        return rc;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return 0;
}

int
kc_buf_printf(struct kc_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = kc_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

char *
kc_buf_steal(struct kc_buf *b, size_t *len)
{
    char *p = b->data;
    if (len)
        *len = b->len;
    if (!p)
        p = calloc(1, 1);
    kc_buf_init(b, b->max);
    return p;
}
