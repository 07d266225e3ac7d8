/*
 * The ECMAScript 2023 syntax tree of one file, as kb_jsast_parse builds it and
 * kb_jsast_scope annotates it. Every node, string and table lives in the
 * tree's one arena and dies with kb_jsast_free. Nodes carry byte offsets into
 * the caller's buffer, which must outlive the tree only if the caller reads
 * spans back from it (no node points into it).
 */
#ifndef KB_JS_AST_H
#define KB_JS_AST_H

#include "common/diag.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Node kinds, with the child slots each one uses (unused slots are NULL).
 * "list" means the first node of a list linked through ->next.
 */
#define KB_JSN_KINDS(X)                                                                            \
    X(PROGRAM)         /* a: list of statements; F_MODULE, F_STRICT */                             \
    X(EXPR_STMT)       /* a: expression; F_DIRECTIVE for a prologue string */                      \
    X(BLOCK)           /* a: list */                                                               \
    X(EMPTY)           /* ; */                                                                     \
    X(DEBUGGER)        /* debugger; */                                                             \
    X(IF)              /* a: test, b: consequent, c: alternate */                                  \
    X(FOR)             /* a: init, b: test, c: update, d: body */                                  \
    X(FOR_IN)          /* a: left, b: right, d: body */                                            \
    X(FOR_OF)          /* a: left, b: right, d: body; F_AWAIT */                                   \
    X(WHILE)           /* a: test, d: body */                                                      \
    X(DO_WHILE)        /* a: test, d: body */                                                      \
    X(RETURN)          /* a: argument */                                                           \
    X(THROW)           /* a: argument */                                                           \
    X(BREAK)           /* a: label */                                                              \
    X(CONTINUE)        /* a: label */                                                              \
    X(LABELED)         /* a: label (IDENT), b: body */                                             \
    X(SWITCH)          /* a: discriminant, b: list of CASE */                                      \
    X(CASE)            /* a: test (NULL for default), b: list of statements */                     \
    X(TRY)             /* a: block, b: CATCH, c: finalizer */                                      \
    X(CATCH)           /* a: parameter pattern or NULL, b: body */                                 \
    X(WITH)            /* a: object, b: body */                                                    \
    X(VAR_DECL)        /* op: KB_JS_VAR/LET/CONST, a: list of DECLARATOR */                        \
    X(DECLARATOR)      /* a: pattern, b: init */                                                   \
    X(FUNC_DECL)       /* a: id, b: list of params, c: body (BLOCK); F_ASYNC F_GENERATOR */        \
    X(FUNC_EXPR)       /* as FUNC_DECL; a may be NULL */                                           \
    X(ARROW)           /* b: params, c: body (BLOCK or expression, F_EXPR_BODY); F_ASYNC */        \
    X(CLASS_DECL)      /* a: id, b: superclass, c: list of members */                              \
    X(CLASS_EXPR)      /* as CLASS_DECL */                                                         \
    X(METHOD)          /* a: key, b: FUNC_EXPR; op: KB_JS_M_*; F_STATIC F_COMPUTED */              \
    X(FIELD)           /* a: key, b: initialiser; F_STATIC F_COMPUTED */                           \
    X(STATIC_BLOCK)    /* a: list of statements */                                                 \
    X(PRIVATE_NAME)    /* str: the name without '#' */                                             \
    X(IDENT)           /* str: the name, escapes decoded; binding after scope analysis */          \
    X(NUM)             /* num */                                                                   \
    X(BIGINT)          /* str: the digits as written, without 'n' */                               \
    X(STR)             /* str: the cooked value (UTF-8; lone surrogates as WTF-8) */               \
    X(REGEX)           /* str: the pattern, str2: the flags */                                     \
    X(NULL_LIT)        /* null */                                                                  \
    X(TRUE_LIT)        /* true */                                                                  \
    X(FALSE_LIT)       /* false */                                                                 \
    X(TEMPLATE)        /* a: list of TEMPLATE_ELEM, b: list of expressions */                      \
    X(TEMPLATE_ELEM)   /* str: cooked (NULL if invalid, tagged only), str2: raw */                 \
    X(TAGGED_TEMPLATE) /* a: tag, b: TEMPLATE */                                                   \
    X(THIS)            /* this */                                                                  \
    X(SUPER)           /* super */                                                                 \
    X(ARRAY)           /* a: list of elements (HOLE for elisions) */                               \
    X(HOLE)            /* an elision in an array literal or pattern */                             \
    X(OBJECT)          /* a: list of PROPERTY and SPREAD */                                        \
    X(PROPERTY)        /* a: key, b: value; op: KB_JS_P_*; F_COMPUTED F_SHORTHAND F_METHOD */      \
    X(SPREAD)          /* a: argument */                                                           \
    X(UNARY)           /* op: token, a: argument */                                                \
    X(UPDATE)          /* op: token, a: argument; F_PREFIX */                                      \
    X(BINARY)          /* op: token, a: left, b: right */                                          \
    X(LOGICAL)         /* op: token (&& || ??), a: left, b: right */                               \
    X(ASSIGN)          /* op: token (= += ...), a: target, b: value */                             \
    X(COND)            /* a: test, b: consequent, c: alternate */                                  \
    X(CALL)            /* a: callee, b: list of arguments; F_OPTIONAL */                           \
    X(NEW)             /* a: callee, b: list of arguments */                                       \
    X(MEMBER)          /* a: object, b: property; F_COMPUTED F_OPTIONAL */                         \
    X(CHAIN)           /* a: an optional chain (a?.b.c) as one expression */                       \
    X(SEQUENCE)        /* a: list of expressions */                                                \
    X(YIELD)           /* a: argument; F_DELEGATE */                                               \
    X(AWAIT)           /* a: argument */                                                           \
    X(META_PROP)       /* a: meta, b: property (import.meta, new.target) */                        \
    X(IMPORT_CALL)     /* a: source, b: options */                                                 \
    X(OBJECT_PAT)      /* a: list of PROPERTY (value is the target) and REST */                    \
    X(ARRAY_PAT)       /* a: list of targets, HOLE, REST */                                        \
    X(REST)            /* a: target */                                                             \
    X(ASSIGN_PAT)      /* a: target, b: default value */                                           \
    X(IMPORT)          /* a: list of specifiers, b: source (STR), c: attributes (OBJECT) */        \
    X(IMPORT_SPEC)     /* a: imported (IDENT or STR), b: local */                                  \
    X(IMPORT_DEFAULT)  /* b: local */                                                              \
    X(IMPORT_NS)       /* b: local */                                                              \
    X(EXPORT_NAMED)    /* a: declaration, b: list of EXPORT_SPEC, c: source, d: attributes */      \
    X(EXPORT_SPEC)     /* a: local (IDENT or STR), b: exported (IDENT or STR) */                   \
    X(EXPORT_DEFAULT)  /* a: declaration or expression */                                          \
    X(EXPORT_ALL)      /* a: exported name or NULL, b: source, c: attributes */

enum kb_jsn_kind {
#define KB_JSN_ENUM(k) KB_JSN_##k,
    KB_JSN_KINDS(KB_JSN_ENUM)
#undef KB_JSN_ENUM
        KB_JSN_COUNT_
};

/* Node flags. */
enum {
    KB_JSN_F_MODULE = 1 << 0,
    KB_JSN_F_STRICT = 1 << 1, /* PROGRAM, functions: the code is strict */
    KB_JSN_F_ASYNC = 1 << 2,
    KB_JSN_F_GENERATOR = 1 << 3,
    KB_JSN_F_EXPR_BODY = 1 << 4,
    KB_JSN_F_STATIC = 1 << 5,
    KB_JSN_F_COMPUTED = 1 << 6,
    KB_JSN_F_SHORTHAND = 1 << 7,
    KB_JSN_F_METHOD = 1 << 8,
    KB_JSN_F_PREFIX = 1 << 9,
    KB_JSN_F_OPTIONAL = 1 << 10,
    KB_JSN_F_DELEGATE = 1 << 11,
    KB_JSN_F_AWAIT = 1 << 12,
    KB_JSN_F_PAREN = 1 << 13,     /* the expression was written in parentheses */
    KB_JSN_F_DIRECTIVE = 1 << 14, /* EXPR_STMT of a directive prologue */
    KB_JSN_F_SIMPLE = 1 << 15,    /* functions: simple parameter list */
};

/* VAR_DECL op. */
enum { KB_JS_VAR = 1, KB_JS_LET, KB_JS_CONST };
/* METHOD op. */
enum { KB_JS_M_METHOD = 1, KB_JS_M_GET, KB_JS_M_SET, KB_JS_M_CONSTRUCTOR };
/* PROPERTY op. */
enum { KB_JS_P_INIT = 1, KB_JS_P_GET, KB_JS_P_SET };

/*
 * Operator tokens, stored in ->op of UNARY, UPDATE, BINARY, LOGICAL, ASSIGN.
 * kb_js_op_name gives their spelling.
 */
#define KB_JS_OPS(X)                                                                               \
    X(NONE, "")                                                                                    \
    X(PLUS, "+")                                                                                   \
    X(MINUS, "-")                                                                                  \
    X(STAR, "*")                                                                                   \
    X(SLASH, "/")                                                                                  \
    X(PERCENT, "%")                                                                                \
    X(STARSTAR, "**")                                                                              \
    X(SHL, "<<")                                                                                   \
    X(SAR, ">>")                                                                                   \
    X(SHR, ">>>")                                                                                  \
    X(LT, "<")                                                                                     \
    X(GT, ">")                                                                                     \
    X(LE, "<=")                                                                                    \
    X(GE, ">=")                                                                                    \
    X(EQ, "==")                                                                                    \
    X(NE, "!=")                                                                                    \
    X(SEQ, "===")                                                                                  \
    X(SNE, "!==")                                                                                  \
    X(AMP, "&")                                                                                    \
    X(PIPE, "|")                                                                                   \
    X(CARET, "^")                                                                                  \
    X(AND, "&&")                                                                                   \
    X(OR, "||")                                                                                    \
    X(NULLISH, "??")                                                                               \
    X(IN, "in")                                                                                    \
    X(INSTANCEOF, "instanceof")                                                                    \
    X(NOT, "!")                                                                                    \
    X(TILDE, "~")                                                                                  \
    X(TYPEOF, "typeof")                                                                            \
    X(VOID, "void")                                                                                \
    X(DELETE, "delete")                                                                            \
    X(INC, "++")                                                                                   \
    X(DEC, "--")                                                                                   \
    X(ASSIGN, "=")                                                                                 \
    X(ADD_ASSIGN, "+=")                                                                            \
    X(SUB_ASSIGN, "-=")                                                                            \
    X(MUL_ASSIGN, "*=")                                                                            \
    X(DIV_ASSIGN, "/=")                                                                            \
    X(MOD_ASSIGN, "%=")                                                                            \
    X(POW_ASSIGN, "**=")                                                                           \
    X(SHL_ASSIGN, "<<=")                                                                           \
    X(SAR_ASSIGN, ">>=")                                                                           \
    X(SHR_ASSIGN, ">>>=")                                                                          \
    X(AND_ASSIGN, "&=")                                                                            \
    X(OR_ASSIGN, "|=")                                                                             \
    X(XOR_ASSIGN, "^=")                                                                            \
    X(LAND_ASSIGN, "&&=")                                                                          \
    X(LOR_ASSIGN, "||=")                                                                           \
    X(NULLISH_ASSIGN, "?\?=")

enum kb_js_op {
#define KB_JS_OP_ENUM(n, s) KB_JS_OP_##n,
    KB_JS_OPS(KB_JS_OP_ENUM)
#undef KB_JS_OP_ENUM
};

struct kb_jsn {
    uint8_t kind; /* enum kb_jsn_kind */
    uint8_t op;   /* enum kb_js_op, or the kind-specific codes above */
    uint16_t flags;
    uint32_t start, end; /* byte offsets: [start, end) */
    struct kb_jsn *a, *b, *c, *d;
    struct kb_jsn *next; /* next node of the list this node is in */
    const char *str;     /* see the kinds; NUL-terminated, in the arena */
    const char *str2;    /* REGEX: flags; TEMPLATE_ELEM: raw text */
    uint32_t len;        /* strlen(str): str may hold NULs (string literals) */
    uint32_t binding;    /* IDENT after kb_jsast_scope: index + 1 into bindings, 0 = global */
    double num;          /* NUM */
};

/* What a name was declared by. */
enum kb_js_bind_kind {
    KB_JS_B_VAR = 1,
    KB_JS_B_LET,
    KB_JS_B_CONST,
    KB_JS_B_FUNCTION,
    KB_JS_B_CLASS,
    KB_JS_B_IMPORT,
    KB_JS_B_PARAM,
    KB_JS_B_CATCH,
};

enum {
    KB_JS_BF_EXPORTED = 1 << 0,   /* a top-level binding some export names */
    KB_JS_BF_REASSIGNED = 1 << 1, /* assigned, updated or redeclared after its declaration */
    KB_JS_BF_TOP = 1 << 2,        /* declared in the module or script scope */
    KB_JS_BF_ANNEXB = 1 << 3,     /* the var Annex B.3.3 gives a function declared in a
                                     sloppy block; decl is that function's name */
};

struct kb_js_binding {
    const char *name;
    uint8_t kind; /* enum kb_js_bind_kind */
    uint8_t flags;
    uint32_t scope;      /* index into scopes */
    struct kb_jsn *decl; /* the declaring IDENT */
    uint32_t nrefs;      /* references resolved to it (declaration excluded) */
};

enum kb_js_scope_kind {
    KB_JS_S_TOP = 1, /* module or script */
    KB_JS_S_FUNCTION,
    KB_JS_S_BLOCK,
    KB_JS_S_CATCH,
    KB_JS_S_CLASS,
};

struct kb_js_scope {
    uint8_t kind;    /* enum kb_js_scope_kind */
    uint32_t parent; /* index into scopes; the top scope is its own parent (0) */
    struct kb_jsn *node;
};

/* Hard limits: past them parsing fails cleanly with KC_EPARSE or KC_ETOOBIG. */
#define KB_JSAST_DEPTH_MAX 1000                /* nesting of expressions and statements */
#define KB_JSAST_TOO_DEEP  "nesting too deep"  /* how the depth limit's message starts */
#define KB_JSAST_ARENA_MAX (512u << 20)        /* bytes of arena per file */
#define KB_JSAST_SRC_MAX   (UINT32_C(1) << 30) /* offsets are 32-bit */

struct kb_jsast_arena; /* opaque */

struct kb_jsast {
    struct kb_jsn *program;
    bool module;
    /* Filled by kb_jsast_scope. */
    struct kb_js_binding *bindings;
    uint32_t nbindings;
    struct kb_js_scope *scopes;
    uint32_t nscopes;
    uint32_t nunresolved; /* references to undeclared (global) names */
    struct kb_jsast_arena *arena;
    /* [start, end) of every token the parser consumed, in order (regular
     * expressions and template pieces as the grammar read them): what a
     * whitespace minifier needs. malloc'd, freed by kb_jsast_free. */
    uint32_t *toks;
    uint32_t ntoks;
};

/*
 * Parses src[0..len) as a module (module = true) or a classic script into
 * *ast, including the early errors of the specification that need no scope
 * information. Returns 0, KC_EPARSE with *diag set (line, column, what was
 * expected), KC_ETOOBIG past KB_JSAST_ARENA_MAX or KB_JSAST_SRC_MAX, or
 * KC_ENOMEM. On error *ast holds nothing to free. On success the caller owns
 * *ast and frees it with kb_jsast_free.
 */
int kb_jsast_parse(const char *src, size_t len, bool module, struct kb_jsast *ast,
                   struct kc_diag *diag);

/*
 * Scope analysis of a parsed tree: declares every binding, reports the early
 * errors that need scopes (redeclarations, exports of undeclared names,
 * undefined private names), resolves each IDENT reference to its binding
 * (->binding), and marks exported and reassigned top-level bindings. src is
 * the buffer the tree was parsed from (for diag positions). Returns 0,
 * KC_EPARSE with *diag set, or KC_ENOMEM/KC_ETOOBIG.
 */
int kb_jsast_scope(struct kb_jsast *ast, const char *src, struct kc_diag *diag);

/* Frees everything the tree owns; *ast is zeroed. Safe on a zeroed struct. */
void kb_jsast_free(struct kb_jsast *ast);

/* Whether a KC_EPARSE diagnostic of kb_jsast_parse or kb_jsast_scope is the
 * nesting limit (KB_JSAST_DEPTH_MAX), a bound of kiln's, not a syntax error. */
bool kb_jsast_too_deep(const struct kc_diag *d);

/* The kind's name ("BINARY") and the operator's spelling ("+="). Static strings. */
const char *kb_jsn_kind_name(int kind);
const char *kb_js_op_name(int op);

/*
 * Writes a compact S-expression of the tree below n (used by tests and for
 * debugging) into out (cap bytes, NUL-terminated, truncated past cap).
 * Returns the length it needed.
 */
size_t kb_jsast_dump(const struct kb_jsn *n, char *out, size_t cap);

#endif
