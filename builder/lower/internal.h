/*
 * Internal to builder/lower/: what the driver (lower.c) gives the passes.
 *
 * A pass is one file, one feature family (es2020_chain.c: `?.` and `??`).
 * It walks the tree with kl_walk and returns replacement nodes; it builds
 * nodes with the kl_* constructors below (synthesized: end == start, see
 * builder/js/print.h), asks for fresh names with kl_temp, declares them
 * with kl_declare, and names a runtime helper with kl_helper (the driver
 * then includes its code once, runtime/). The tree's arena owns everything.
 * Passes run in the order of lower.c's table; each only when the scan
 * found its features above the target.
 *
 * Scope information (IDENT->binding, ast->bindings) describes the tree as
 * parsed; a pass that needs it for a tree earlier passes changed calls
 * kl_rescope first. Nodes a pass makes have binding 0 until then.
 */
#ifndef KB_LOWER_INTERNAL_H
#define KB_LOWER_INTERNAL_H

#include "builder/js/arena.h"
#include "builder/js/ast.h"
#include "builder/lower/lower.h"

#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>

/*
 * The features the scan finds (lower.c), each with the edition that brought
 * it and its name in messages: a feature is lowered when the target's
 * edition is older (the baseline also lowers static blocks). Top-level
 * await is never lowered: below es2022 it is an error.
 */
#define KL_FEATURES(X)                                                                             \
    X(LET_CONST, 2015, "let and const")                                                            \
    X(ARROW, 2015, "arrow functions")                                                              \
    X(CLASS, 2015, "classes")                                                                      \
    X(TEMPLATE, 2015, "template literals")                                                         \
    X(DESTRUCTURE, 2015, "destructuring")                                                          \
    X(PARAMS, 2015, "default and rest parameters")                                                 \
    X(SPREAD, 2015, "spread in calls, new and arrays")                                             \
    X(OBJECT_LIT, 2015, "shorthand, computed and method properties, super in objects")             \
    X(FOR_OF, 2015, "for...of")                                                                    \
    X(GENERATOR, 2015, "generators")                                                               \
    X(NEW_TARGET, 2015, "new.target")                                                              \
    X(EXPONENT, 2016, "the exponent operator")                                                     \
    X(ASYNC, 2017, "async functions")                                                              \
    X(ASYNC_ITER, 2018, "async generators and for await")                                          \
    X(TEMPLATE_ESCAPE, 2018, "invalid escapes in tagged templates")                                \
    X(OBJECT_REST, 2018, "object rest and spread")                                                 \
    X(OPT_CATCH, 2019, "optional catch binding")                                                   \
    X(EXPORT_NS, 2020, "export * as ns from")                                                      \
    X(OPT_CHAIN, 2020, "optional chaining")                                                        \
    X(NULLISH, 2020, "nullish coalescing")                                                         \
    X(LOGICAL_ASSIGN, 2021, "logical assignment")                                                  \
    X(CLASS_FIELDS, 2022, "class fields")                                                          \
    X(PRIVATE, 2022, "private class members")                                                      \
    X(STATIC_BLOCK, 2022, "class static blocks")                                                   \
    X(TOP_AWAIT, 2022, "top-level await")

enum kl_feature {
#define KL_F_ENUM(n, y, s) KL_F_##n,
    KL_FEATURES(KL_F_ENUM)
#undef KL_F_ENUM
        KL_F_COUNT_
};
#define KL_BIT(f) (UINT64_C(1) << (f))

/*
 * Runtime helpers are the files of runtime/ (ES5, compiled into kiln-build
 * as the table kl_runtime, jsfiles.h): each declares one `function _NAME`.
 * A pass names one through kl_helper(c, "NAME", pos); the driver then
 * includes its code, and that of the helpers it calls, once per output.
 */

struct kl_ctx {
    struct kb_jsast *ast;
    const char *src;
    size_t len;
    int target;               /* as in kb_lower_opts */
    uint64_t lower;           /* KL_BIT()s of the features being lowered */
    uint8_t *helper_used;     /* per kl_runtime entry: named by a pass */
    const char **helper_name; /* per kl_runtime entry: "_NAME", or another if taken */
    struct kc_diag *diag;
    jmp_buf *fail; /* kl_fail and allocation failures longjmp here */
    int err;
    /* Every name the program mentions (identifiers, private names and
     * property names alike), so temporaries never capture or shadow one;
     * an open-addressing set of strings in the arena. */
    const char **names;
    uint32_t nnames, capnames;
    uint32_t ntemps;
    /* kl_temp's next number to try per hint, so that thousands of
     * temporaries of one hint ("_loop", "_loop2" ...) stay linear. */
    struct kl_hint *hints;
    uint32_t nhints, caphints;
};

/* Ends the lowering with KC_EPARSE: diag at node at's start ("BigInt
 * literal: cannot be lowered to es5"). Does not return. */
_Noreturn void kl_fail(struct kl_ctx *c, const struct kb_jsn *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Zeroed memory in the tree's arena; out of memory ends the lowering. */
void *kl_alloc(struct kl_ctx *c, size_t n);
/* A copy of s[0..n) in the arena, NUL-terminated. */
const char *kl_strdup(struct kl_ctx *c, const char *s, size_t n);

/* ---- Constructors: synthesized nodes positioned at pos (an input offset,
 * for the source map; pass the start of the node being replaced). ---- */
struct kb_jsn *kl_node(struct kl_ctx *c, int kind, uint32_t pos);
struct kb_jsn *kl_ident(struct kl_ctx *c, const char *name, uint32_t pos);
struct kb_jsn *kl_str(struct kl_ctx *c, const char *s, uint32_t pos);
struct kb_jsn *kl_num(struct kl_ctx *c, double v, uint32_t pos);
struct kb_jsn *kl_undefined(struct kl_ctx *c, uint32_t pos); /* void 0 */
/* obj.name (name a valid identifier name) and obj[key]. */
struct kb_jsn *kl_member(struct kl_ctx *c, struct kb_jsn *obj, const char *name);
struct kb_jsn *kl_index(struct kl_ctx *c, struct kb_jsn *obj, struct kb_jsn *key);
/* callee(args...): args is a list linked through ->next (or NULL). */
struct kb_jsn *kl_call(struct kl_ctx *c, struct kb_jsn *callee, struct kb_jsn *args);
/* callee(a, b, ...) for a NULL-terminated argument list. */
struct kb_jsn *kl_callv(struct kl_ctx *c, struct kb_jsn *callee, ...);
struct kb_jsn *kl_assign(struct kl_ctx *c, struct kb_jsn *target, struct kb_jsn *value);
struct kb_jsn *kl_binary(struct kl_ctx *c, int op, struct kb_jsn *l, struct kb_jsn *r);
struct kb_jsn *kl_logical(struct kl_ctx *c, int op, struct kb_jsn *l, struct kb_jsn *r);
struct kb_jsn *kl_cond(struct kl_ctx *c, struct kb_jsn *test, struct kb_jsn *yes,
                       struct kb_jsn *no);
struct kb_jsn *kl_unary(struct kl_ctx *c, int op, struct kb_jsn *arg);
/* (a, b, ...): items is a list; a list of one is returned as it is. */
struct kb_jsn *kl_seq(struct kl_ctx *c, struct kb_jsn *items);
struct kb_jsn *kl_expr_stmt(struct kl_ctx *c, struct kb_jsn *e);
struct kb_jsn *kl_return(struct kl_ctx *c, struct kb_jsn *e);
struct kb_jsn *kl_block(struct kl_ctx *c, struct kb_jsn *stmts, uint32_t pos);
/* var name = init (init may be NULL); kind KB_JS_VAR/LET/CONST. */
struct kb_jsn *kl_var(struct kl_ctx *c, int kind, struct kb_jsn *id, struct kb_jsn *init);
/* function (params) { body }: a FUNC_EXPR; id may be NULL. */
struct kb_jsn *kl_function(struct kl_ctx *c, struct kb_jsn *id, struct kb_jsn *params,
                           struct kb_jsn *body_stmts, uint32_t pos);
/* A copy of an expression tree that has no side effects to duplicate
 * (IDENT, THIS, literals, MEMBER chains of those): what kl_reuse gives. */
struct kb_jsn *kl_clone(struct kl_ctx *c, const struct kb_jsn *n);

/* A loop's body with stmt first: in the body's own block, or in a new block
 * around it when the body declares block-scoped names (which stmt must not
 * see) or is not a block. */
struct kb_jsn *kl_prepend_body(struct kl_ctx *c, struct kb_jsn *stmt, struct kb_jsn *body);

/* The last node of a list, and a appended with b (either may be NULL). */
struct kb_jsn *kl_last(struct kb_jsn *list);
struct kb_jsn *kl_concat(struct kb_jsn *a, struct kb_jsn *b);

/* ---- Names ---- */

/* An IDENT with a fresh name, "_" hint, then a number if taken ("_ref",
 * "_ref2"): no name of the program or earlier temporary. The caller
 * declares it (kl_declare) or binds it as a parameter. */
struct kb_jsn *kl_temp(struct kl_ctx *c, const char *hint, uint32_t pos);
/* Whether the program mentions name (or a temporary took it). */
bool kl_name_used(struct kl_ctx *c, const char *name);
/* Records name as taken (a pass that introduces a fixed name). */
void kl_name_take(struct kl_ctx *c, const char *name);

/* An IDENT naming runtime helper name (runtime/NAME.js, without the "_"),
 * which the output will then include. */
struct kb_jsn *kl_helper(struct kl_ctx *c, const char *name, uint32_t pos);

/* Runs scope analysis again on the tree as it now is (binding fields and
 * ast->bindings/scopes describe it afterwards). */
void kl_rescope(struct kl_ctx *c);

/* Whether s cannot name a function in strict ES5 code: a reserved word,
 * a strict-mode one, eval, arguments or await. */
bool kl_es5_reserved(const char *s);

/* Whether IDENT n is a name that is declared, read or written where
 * parent holds it: not a property key, a member name or a label. */
bool kl_ident_is_ref(const struct kb_jsn *parent, const struct kb_jsn *n);

/* ---- The walk ---- */

/* One ancestor on the walk's stack. */
struct kl_frame {
    struct kb_jsn *node;
    /* For functions and the program: the temporaries kl_declare added,
     * declared as `var` at the top of the body when the walk leaves it. */
    struct kb_jsn *temps, *temps_last;
};

struct kl_walk {
    struct kl_ctx *c;
    struct kl_frame *stack; /* [0] is the PROGRAM; [depth - 1] the parent of the visited node */
    uint32_t depth, cap;
    void *data; /* the pass's own state */
    /*
     * Called for each node before its children (may be NULL): returns a
     * replacement to walk instead, or n; *skip = true leaves the children
     * unwalked.
     */
    struct kb_jsn *(*enter)(struct kl_walk *w, struct kb_jsn *n, bool *skip);
    /*
     * Called for each node after its children (may be NULL): returns the
     * node that takes n's place. In a list (statements, arguments, elements)
     * the result may be a list of several nodes linked through ->next, or
     * NULL to remove n; elsewhere it must be one node (or NULL where the
     * slot is optional). n->next is already detached when leave runs.
     */
    struct kb_jsn *(*leave)(struct kl_walk *w, struct kb_jsn *n);
};

/* Walks the whole program (w->stack is managed by the walk). */
void kl_walk(struct kl_walk *w);
/* Walks the subtree in *slot with the same callbacks (a pass that rebuilt
 * a node and wants its new parts visited); the stack is the current one. */
void kl_walk_slot(struct kl_walk *w, struct kb_jsn **slot);

/* The innermost non-arrow function (FUNC_DECL, FUNC_EXPR; a METHOD's is
 * its FUNC_EXPR) or the PROGRAM; with arrows, the innermost arrow too. */
struct kb_jsn *kl_scope_fn(struct kl_walk *w, bool arrows);
/* The parent of the node being visited (NULL at the PROGRAM). */
struct kb_jsn *kl_parent(struct kl_walk *w);
/* Declares temporary id as a var of the innermost function (arrows
 * included: an arrow with an expression body gets a block); inside a
 * parameter list, of the function around it (the body's vars are not in
 * the parameters' scope). */
void kl_declare(struct kl_walk *w, struct kb_jsn *id);
/* The same for the function at or around w->stack[frame] (0: the program's
 * top, for what lives once per program). */
void kl_declare_in(struct kl_walk *w, uint32_t frame, struct kb_jsn *id);

/*
 * Makes an expression usable twice: returns what to evaluate first and sets
 * *again to what reads its value later. An IDENT (not `arguments`), THIS or
 * literal is returned as it is with *again a clone; anything else becomes
 * (_ref = e) with *again _ref (declared through kl_declare).
 */
struct kb_jsn *kl_reuse(struct kl_walk *w, struct kb_jsn *e, const char *hint,
                        struct kb_jsn **again);

/* ---- Passes (one file each), in lower.c's order (see its table) ---- */
typedef void kl_pass_fn(struct kl_ctx *c);
kl_pass_fn kl_pass_class_fields;
kl_pass_fn kl_pass_logical_assign, kl_pass_chain, kl_pass_opt_catch, kl_pass_object_rest,
    kl_pass_async_iter, kl_pass_exponent;
/* es2021_logical.c, for es2016_exponent.c too: a compound assignment's
 * target (IDENT or MEMBER) as *first to read and *again to write, its
 * object and computed key evaluated once. */
void kl_reuse_target(struct kl_walk *w, struct kb_jsn *t, struct kb_jsn **first,
                     struct kb_jsn **again);
kl_pass_fn kl_pass_export_ns;
kl_pass_fn kl_pass_new_target;
kl_pass_fn kl_pass_class;
kl_pass_fn kl_pass_arrow;
kl_pass_fn kl_pass_template, kl_pass_object_lit, kl_pass_spread, kl_pass_params, kl_pass_for_of,
    kl_pass_destructure;
kl_pass_fn kl_pass_block_scope;
kl_pass_fn kl_pass_async;
kl_pass_fn kl_pass_generator;
kl_pass_fn kl_pass_function_name;

#endif
