/*
 * The polyfills a legacy page gets (builder/lower/polyfills/, compiled in as
 * kl_polyfills[]): which of them a page's scripts may need, found from the
 * names they mention, and their text, each file an IIFE, dependencies
 * first. A set is a mask with bit i for kl_polyfills[i] (at most 64 files).
 * docs/internals/polyfills.md.
 */
#ifndef KB_LOWER_POLYFILL_H
#define KB_LOWER_POLYFILL_H

#include "builder/js/ast.h"
#include "common/buf.h"
#include "common/diag.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The polyfills a tree after kb_jsast_scope may need, conservatively: a
 * global reference to a builtin (Promise, Symbol, Map...), a member name
 * anywhere (`.includes`, `["padStart"]`, `{ assign } = Object`), and the
 * syntax whose lowered form calls the iteration protocol or Promise
 * (for...of, spread, array patterns, generators, async functions, import()).
 * Lowered code is scanned as it is, runtime helpers included. Without the
 * `needs` of the polyfills found (kb_polyfill_closure adds them).
 */
uint64_t kb_polyfill_detect(const struct kb_jsast *ast);

/* Parses src as a module or a classic script, analyses scopes and ORs what
 * kb_polyfill_detect finds into *set. Returns 0, or what kb_jsast_parse or
 * kb_jsast_scope returned (with *diag set) and *set unchanged. */
int kb_polyfill_detect_src(const char *src, size_t len, bool module, uint64_t *set,
                           struct kc_diag *diag);

/* set with every polyfill its members need, transitively. */
uint64_t kb_polyfill_closure(uint64_t set);

/*
 * Appends the text of set's closure to out: the files one after another,
 * each on its own lines, every file after the files it needs (a depth-first
 * walk in name order, so the output is the same for the same set). Appends
 * nothing for an empty set. Returns 0 or kc_buf's error (KC_ENOMEM,
 * KC_ETOOBIG), out then holding a partial text.
 */
int kb_polyfill_text(uint64_t set, struct kc_buf *out);

/*
 * The polyfills kb_polyfill_text writes for set, in its order: up to cap
 * names (static strings, the file names without .js) into names and their
 * sizes in bytes into bytes (either may be NULL). Returns how many there
 * are, which may exceed cap.
 */
size_t kb_polyfill_names(uint64_t set, const char **names, size_t *bytes, size_t cap);

/* The set with polyfill name (a file name without .js), or 0 if none. */
uint64_t kb_polyfill_bit(const char *name);

/* --legacy-polyfills: "auto" (what the pages use) gives true, "none"
 * false. Returns false for anything else, *on untouched. */
bool kb_polyfill_mode_parse(const char *s, bool *on);

#endif
