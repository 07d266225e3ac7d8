/*
 * The per-file arena of a JavaScript syntax tree: blocks of growing size,
 * bump allocation, everything freed at once. The total is capped at
 * KB_JSAST_ARENA_MAX so a hostile input fails with KC_ETOOBIG instead of
 * exhausting memory.
 */
#include "builder/js/arena.h"
#include "common/error.h"

#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

struct kb_jsast_block {
    struct kb_jsast_block *next;
    size_t cap, used;
    alignas(max_align_t) unsigned char data[];
};

struct kb_jsast_arena {
    struct kb_jsast_block *head;
    size_t total;
    int err;
};

struct kb_jsast_arena *
kb_jsast_arena_new(void)
{
    return calloc(1, sizeof(struct kb_jsast_arena));
}

void
kb_jsast_arena_free(struct kb_jsast_arena *a)
{
    if (!a)
        return;
    struct kb_jsast_block *b = a->head;
    while (b) {
        struct kb_jsast_block *n = b->next;
        free(b);
        b = n;
    }
    free(a);
}

int
kb_jsast_arena_err(const struct kb_jsast_arena *a)
{
    return a->err ? a->err : KC_ENOMEM;
}

void *
kb_jsast_alloc(struct kb_jsast_arena *a, size_t n)
{
    n = (n + alignof(max_align_t) - 1) & ~(alignof(max_align_t) - 1);
    struct kb_jsast_block *b = a->head;
    if (!b || b->cap - b->used < n) {
        /* Blocks double up to 1 MiB so small files stay small. */
        size_t cap = b ? b->cap * 2 : 16384;
        if (cap > (1u << 20))
            cap = 1u << 20;
        if (cap < n)
            cap = n;
        if (a->total + cap > KB_JSAST_ARENA_MAX) {
            a->err = KC_ETOOBIG;
            return NULL;
        }
        struct kb_jsast_block *nb = malloc(sizeof *nb + cap);
        if (!nb) {
            a->err = KC_ENOMEM;
            return NULL;
        }
        nb->cap = cap;
        nb->used = 0;
        nb->next = a->head;
        a->head = nb;
        a->total += cap;
        b = nb;
    }
    void *p = b->data + b->used;
    b->used += n;
    memset(p, 0, n);
    return p;
}
