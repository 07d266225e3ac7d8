/*
 * A growable byte buffer with a hard maximum fixed at creation (curl's dynbuf
 * idea): appends past the maximum fail with KC_ETOOBIG instead of growing
 * without bound. The data is always NUL-terminated after a successful append,
 * so text can be used as a C string; the NUL is not counted in len.
 */
#ifndef KC_BUF_H
#define KC_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct kc_buf {
    char *data; /* owned; NULL until the first append */
    size_t len;
    size_t cap;
    size_t max;
};

void kc_buf_init(struct kc_buf *b, size_t max);
void kc_buf_free(struct kc_buf *b);
void kc_buf_reset(struct kc_buf *b); /* len = 0, keeps the memory */
int kc_buf_append(struct kc_buf *b, const void *p, size_t n);
int kc_buf_puts(struct kc_buf *b, const char *s);
int kc_buf_putc(struct kc_buf *b, char c);
int kc_buf_printf(struct kc_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int kc_buf_vprintf(struct kc_buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* Hands the data to the caller (who frees it) and leaves b empty. Never NULL:
 * an empty buffer yields a malloc'd "". Returns NULL only when out of memory. */
char *kc_buf_steal(struct kc_buf *b, size_t *len);

#endif
