/*
 * The linker's sets: names in a hash table (struct nset: open addressing over
 * FNV-1a, membership only), and short lists that keep their insertion order
 * and hold each int or name once (a chunk's imports, exports, namespaces; a
 * module's export names).
 */
#include "builder/bundle/internal.h"
#include "common/error.h"
#include "common/hash.h"
#include "common/vec.h"

#include <stdlib.h>
#include <string.h>

/* ---- a set of strings (names) ---------------------------------------------------- */

static uint64_t
name_hash(const char *k)
{
    return kc_fnv1a64(KC_FNV1A64_INIT, k, strlen(k));
}

bool
kb__nset_has(const struct nset *s, const char *k)
{
    if (!s->cap)
        return false;
    for (size_t i = name_hash(k) & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
        if (!s->v[i])
            return false;
        if (strcmp(s->v[i], k) == 0)
            return true;
    }
}

/* k must outlive the set (names in the trees, or finals). */
int
kb__nset_add(struct nset *s, const char *k)
{
    if (2 * (s->n + 1) > s->cap) {
        size_t nc = s->cap ? 2 * s->cap : 256;
        const char **nv = calloc(nc, sizeof *nv);
        if (!nv)
            return KC_ENOMEM;
        for (size_t i = 0; i < s->cap; i++)
            if (s->v[i]) {
                size_t j = name_hash(s->v[i]) & (nc - 1);
                while (nv[j])
                    j = (j + 1) & (nc - 1);
                nv[j] = s->v[i];
            }
        free(s->v);
        s->v = nv;
        s->cap = nc;
    }
    size_t i = name_hash(k) & (s->cap - 1);
    for (; s->v[i]; i = (i + 1) & (s->cap - 1))
        if (strcmp(s->v[i], k) == 0)
            return 0;
    s->v[i] = k;
    s->n++;
    return 0;
}

/* ---- lists without repeats ------------------------------------------------------- */

int
kb__push_int(int **v, size_t *n, size_t *cap, int x)
{
    for (size_t i = 0; i < *n; i++)
        if ((*v)[i] == x)
            return 0;
    int rc = kc_vec_reserve(*v, *cap, *n + 1, KB_MAX_FILES);
    if (!rc)
        (*v)[(*n)++] = x;
    return rc;
}

int
kb__push_name(const char ***v, size_t *n, size_t *cap, const char *name)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*v)[i], name) == 0)
            return 0;
    int rc = kc_vec_reserve(*v, *cap, *n + 1, KB_LIST_MAX);
    if (!rc)
        (*v)[(*n)++] = name;
    return rc;
}
