/*
 * Internal to builder/js/: the arena every tree lives in, shared by the
 * parser, the scope analysis and the dump. Allocation fails cleanly past
 * KB_JSAST_ARENA_MAX; nothing is ever freed alone.
 */
#ifndef KB_JS_ARENA_H
#define KB_JS_ARENA_H

#include "builder/js/ast.h"

/* Returns zeroed memory owned by the arena, or NULL (limit or malloc). */
void *kb_jsast_alloc(struct kb_jsast_arena *a, size_t n);
/* A fresh arena, or NULL. */
struct kb_jsast_arena *kb_jsast_arena_new(void);
void kb_jsast_arena_free(struct kb_jsast_arena *a);
/* The error of the arena's failed allocation: KC_ENOMEM or KC_ETOOBIG. */
int kb_jsast_arena_err(const struct kb_jsast_arena *a);

#endif
