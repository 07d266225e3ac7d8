/*
 * The lowering stage of kiln-build: rewrites a chunk's JavaScript so that it
 * runs where its target runs. Modern chunks are lowered to --target (es2017
 * .. es2023, esnext: nothing); legacy twins to ES5, with kiln's runtime
 * helpers (runtime/) and, per page, its polyfills (polyfills/). The chunk is
 * parsed again after linking, so names and splices are final; passes
 * rewrite the tree (one file per feature, run in the order of lower.c's
 * table) and builder/js/print.c prints it. A chunk that uses nothing above
 * its target is left as it is, byte for byte. docs/internals/lowering.md.
 */
#ifndef KB_LOWER_H
#define KB_LOWER_H

#include "common/diag.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Targets: the ECMAScript edition's year, ES5 as 5. */
enum {
    KB_ES5 = 5,
    KB_ES2015 = 2015,
    KB_ES2017 = 2017,
    KB_ES2023 = 2023,
    KB_ESNEXT = 9999,
};

/* --target's default, "baseline": what Vite 7 targets (Chrome/Edge 107,
 * Firefox 104, Safari 16). That is ES2022 syntax except what Safari
 * 16.0-16.3 lacks: class static blocks (16.4). A pseudo-year of its own, so
 * that es2022 stays the edition; kb_lower_target_year gives 2022. */
#define KB_TARGET_BASELINE 2122
#define KB_TARGET_DEFAULT  KB_TARGET_BASELINE

/* The edition year of a target (2022 for the baseline, 5 for ES5). */
int kb_lower_target_year(int target);

/* Parses "es5", "es2017" .. "es2023", "esnext", "baseline" (any case).
 * Returns false for anything else. */
bool kb_lower_target_parse(const char *s, int *target);
/* The option's spelling of a target ("es2020"). Static. */
const char *kb_lower_target_name(int target);

struct kb_lower_opts {
    int target;
    bool module;  /* parse as a module (modern chunks); else a classic script */
    bool compact; /* print without indentation (--minify-whitespace) */
    /* Leave top-level await the target lacks as it is instead of failing
     * (kiln-build's modern chunks when legacy twins are the fallback for
     * browsers without it: bundling.md, "Browser support"). */
    bool keep_top_await;
    /* Where the runtime helpers go: the input offset of the '{' that opens
     * the function body receiving them (a legacy twin's declare function,
     * so they stay out of the global scope), or 0 for the top of the
     * program. */
    uint32_t helpers_at;
};

/* One mapping of the output: byte offset out began at input offset in. */
struct kb_lower_seg {
    uint32_t out, in;
};

struct kb_lower_result {
    bool changed; /* false: nothing needed lowering; text is NULL */
    char *text;   /* malloc'd, NUL-terminated */
    size_t len;
    struct kb_lower_seg *segs; /* malloc'd, sorted by out */
    size_t nsegs;
    /* Verbatim copies (literals): an input offset inside one translates
     * exactly (kb_lower_translate). */
    struct {
        uint32_t in_start, in_end, out;
    } * copies;
    size_t ncopies;
    uint64_t lowered;   /* KB_LF_* features the input had above the target */
    uint64_t helpers;   /* bit i: runtime helper i was included */
    uint64_t polyfills; /* ES5 only: the polyfills the output may need (polyfill.h bits),
                           the runtime helpers' included; also when nothing changed */
};

/*
 * Lowers src[0..len) to o->target. Returns 0 with *r filled (r->changed
 * false when the input needs nothing), KC_EPARSE with *diag set (a syntax
 * error, or a feature no lowering exists for: "BigInt literals cannot be
 * lowered to es5", at its line and column; for ES5, an input so deeply
 * nested that its output would pass KB_JSAST_DEPTH_MAX), KC_EUNSUP with
 * *diag set (a feature whose pass kiln does not have yet), or
 * KC_ENOMEM/KC_ETOOBIG. On error *r holds nothing to free. ES5 output is
 * parsed again (the polyfill scan); a modern target's is not, and may nest
 * deeper than KB_JSAST_DEPTH_MAX when the input comes near it.
 */
int kb_lower(const char *src, size_t len, const struct kb_lower_opts *o, struct kb_lower_result *r,
             struct kc_diag *diag);

/*
 * Checks a module's tree (parsed and scoped) for what lowering it to target
 * would reject: BigInt literals, regular expression flags and syntax the
 * target cannot read, top-level await (unless top_await_ok; never for
 * ES5: a legacy twin runs it in an async function). Returns 0 or KC_EPARSE
 * with *diag at the module's own line and column.
 */
struct kb_jsast;
int kb_lower_check(const struct kb_jsast *ast, const char *src, size_t len, int target,
                   bool top_await_ok, struct kc_diag *diag);

/* The output offset of input offset in when it lies inside a verbatim copy
 * (a string literal the caller needs to find again), else UINT32_MAX. */
uint32_t kb_lower_translate(const struct kb_lower_result *r, uint32_t in);

void kb_lower_result_free(struct kb_lower_result *r);

#endif
