/*
 * The JavaScript kiln-build carries for legacy browsers, compiled in from
 * builder/lower/runtime/ (the helpers lowered code calls: one function
 * `_NAME` per file) and builder/lower/polyfills/ (one builtin per file) by
 * gen-jsfiles.sh. Both tables are sorted by name.
 */
#ifndef KB_LOWER_JSFILES_H
#define KB_LOWER_JSFILES_H

#include <stddef.h>

struct kl_jsfile {
    const char *name; /* the file's name without .js */
    const char *text; /* ES5 */
    size_t len;
    const char *needs; /* names of other entries it needs, space-separated */
};

extern const struct kl_jsfile kl_runtime[];
extern const size_t kl_runtime_count;
extern const struct kl_jsfile kl_polyfills[];
extern const size_t kl_polyfills_count;

/* The index of name in table (n entries), or -1. */
int kl_jsfile_find(const struct kl_jsfile *table, size_t n, const char *name);

#endif
