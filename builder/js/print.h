/*
 * The printer of builder/js/: a syntax tree (as kb_jsast_parse builds it and
 * the lowering passes of builder/lower/ rewrite it) back to JavaScript text,
 * with the position map a source map needs. Precedence, parentheses, ASI
 * hazards and the tokens that must not run together are the printer's job,
 * so a pass only builds nodes.
 *
 * Original and synthesized nodes. A node with end > start came from the
 * source: literals (NUM, STR, BIGINT, REGEX) and directive prologues are
 * copied from src[start, end) byte for byte, so the author's escapes and
 * number forms stay. A node with end == start was made by a pass and is
 * printed from its fields (str, num, op); its start is still the position
 * the map records for it. A pass that changes an original literal's value
 * must set its end to its start.
 *
 * Lexical lowering is the printer's too, by o->target (an ES edition year,
 * 5 for ES5): below 2021 numeric separators are dropped from copied numbers;
 * below 2015 binary and octal literals print in decimal, string literals
 * that hold \u{...} escapes are printed again from their value, and U+2028
 * and U+2029 inside copied strings are escaped (a line terminator before
 * ES2019); identifiers print with their escapes decoded.
 */
#ifndef KB_JS_PRINT_H
#define KB_JS_PRINT_H

#include "builder/js/ast.h"
#include "common/buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kb_jsprint_opts {
    const char *src; /* the text the tree was parsed from */
    size_t src_len;
    int target;   /* 5, 2015 .. 2023, or 9999 (esnext): see above */
    bool compact; /* no indentation and no line breaks but those ASI needs */
};

/* One mapping: the node starting at input byte offset in begins at output
 * byte offset out. */
struct kb_jsprint_seg {
    uint32_t out, in;
};

/* A literal copied verbatim: out[out, out + (in_end - in_start)) is
 * src[in_start, in_end). Offsets inside it translate exactly. */
struct kb_jsprint_copy {
    uint32_t in_start, in_end, out;
};

struct kb_jsprint_map {
    struct kb_jsprint_seg *segs; /* malloc'd, in output order */
    size_t nsegs, capsegs;
    struct kb_jsprint_copy *copies; /* malloc'd, in output order */
    size_t ncopies, capcopies;
};

/*
 * Appends the text of the tree below n (a PROGRAM, a statement or an
 * expression) to out, and, when map is not NULL, one segment per printed
 * node that has a position and one copy per verbatim literal. Returns 0,
 * KC_ENOMEM or KC_ETOOBIG (out's maximum); the depth is the parser's limit.
 */
int kb_jsprint(const struct kb_jsn *n, const struct kb_jsprint_opts *o, struct kc_buf *out,
               struct kb_jsprint_map *map);

void kb_jsprint_map_free(struct kb_jsprint_map *m);

#endif
