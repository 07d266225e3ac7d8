/* Path resolution, percent coding and relative paths; see path.h. */
#include "common/path.h"
#include "common/ascii.h"
#include "common/buf.h"
#include "common/error.h"

#include <stdbool.h>
#include <string.h>

int
kc_path_resolve(const char *dir, const char *ref, char *out, size_t outsz)
{
    /* Segments are copied into out one at a time; ".." truncates out back to
     * the previous '/'. len never counts a leading '/'. */
    size_t len = 0;
    const char *parts[2] = { dir, ref };
    int first = ref[0] == '/' ? 1 : 0;
    bool trailing = false;

    if (outsz == 0)
        return KC_ETOOBIG;
    out[0] = '\0';
    for (int p = first; p < 2; p++) {
        const char *s = parts[p];
        while (*s) {
            while (*s == '/')
                s++;
            const char *e = s;
            while (*e && *e != '/')
                e++;
            size_t n = (size_t)(e - s);
            if (p == 1)
                trailing = *e == '/' || n == 0 || (n == 1 && s[0] == '.') ||
                           (n == 2 && s[0] == '.' && s[1] == '.');
            if (n == 0 || (n == 1 && s[0] == '.')) {
                /* nothing */
            } else if (n == 2 && s[0] == '.' && s[1] == '.') {
                if (len == 0)
                    return KC_EESCAPE;
                while (len > 0 && out[len - 1] != '/')
                    len--;
                if (len > 0)
                    len--; /* drop the separator too */
            } else {
                if (len + (len ? 1 : 0) + n + 1 > outsz)
                    return KC_ETOOBIG;
                if (len)
                    out[len++] = '/';
                memcpy(out + len, s, n);
                len += n;
            }
            s = e;
        }
    }
    if (trailing && len > 0) {
        if (len + 2 > outsz)
            return KC_ETOOBIG;
        out[len++] = '/';
    }
    out[len] = '\0';
    return 0;
}

int
kc_url_decode(const char *in, size_t n, char *out, size_t outsz)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = in[i];
        if (c == '%') {
            if (n - i < 3)
                return KC_EINVAL;
            int hi = kc_hexval(in[i + 1]), lo = kc_hexval(in[i + 2]);
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
                return KC_EINVAL;
            c = (char)(hi << 4 | lo);
            i += 2;
        }
        if (o + 1 >= outsz)
            return KC_ETOOBIG;
        out[o++] = c;
    }
    if (o >= outsz)
        return KC_ETOOBIG;
    out[o] = '\0';
    return 0;
}

int
kc_url_encode_path(const char *path, struct kc_buf *out)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        unsigned char c = *p;
        bool safe = kc_is_alnum(c) || strchr("-._~/!$*+;=:@", c) != NULL;
        int rc;
        if (safe) {
            rc = kc_buf_putc(out, (char)c);
        } else {
            char e[3] = { '%', hex[c >> 4], hex[c & 15] };
            rc = kc_buf_append(out, e, 3);
        }
        if (rc)
            return rc;
    }
    return 0;
}

int
kc_path_relative(const char *from_dir, const char *to, struct kc_buf *out)
{
    /* Walk the directory segments both paths share, then climb out of the
     * rest of from_dir and descend into the rest of to. */
    const char *f = from_dir, *t = to;
    for (;;) {
        const char *fe = strchr(f, '/'), *te = strchr(t, '/');
        size_t fn = fe ? (size_t)(fe - f) : strlen(f);
        if (*f == '\0' || !te || fn != (size_t)(te - t) || memcmp(f, t, fn) != 0)
            break;
        t = te + 1;
        f = fe ? fe + 1 : f + fn;
    }
    int ups = 0;
    if (*f) {
        ups = 1;
        for (const char *r = f; *r; r++)
            ups += *r == '/';
    }
    int rc = ups == 0 ? kc_buf_puts(out, "./") : 0;
    for (int u = 0; u < ups && !rc; u++)
        rc = kc_buf_puts(out, "../");
    return rc ? rc : kc_url_encode_path(t, out);
}

void
kc_path_dirname(const char *path, char *out, size_t outsz)
{
    const char *slash = strrchr(path, '/');
    size_t n = slash ? (size_t)(slash - path) : 0;
    if (outsz == 0)
        return;
    if (n >= outsz)
        n = outsz - 1;
    memcpy(out, path, n);
    out[n] = '\0';
}
