/*
 * Internal to builder/js/: the ECMAScript tokenizer the parser drives. It is
 * context-free: '/' and '}' come out as punctuators and the parser asks for a
 * rescan as a regular expression or a template continuation where its grammar
 * says so. Strict-mode rules are left to the parser, which sees the token's
 * legacy-octal and escape flags.
 */
#ifndef KB_JS_LEX_H
#define KB_JS_LEX_H

#include "builder/js/arena.h"

#include <setjmp.h>

enum kb_jst {
    KB_JST_EOF,
    KB_JST_NAME,    /* identifier or keyword: kw, esc */
    KB_JST_PRIVATE, /* #name */
    KB_JST_NUM,
    KB_JST_BIGINT,
    KB_JST_STRING,
    KB_JST_TEMPLATE, /* a template piece: tail says whether it ends the literal */
    KB_JST_REGEX,
    /* Punctuators. */
    KB_JST_LBRACE,
    KB_JST_RBRACE,
    KB_JST_LPAREN,
    KB_JST_RPAREN,
    KB_JST_LBRACKET,
    KB_JST_RBRACKET,
    KB_JST_SEMI,
    KB_JST_COMMA,
    KB_JST_DOT,
    KB_JST_ELLIPSIS,
    KB_JST_QUESTION,
    KB_JST_QDOT, /* ?. */
    KB_JST_COLON,
    KB_JST_ARROW,
    KB_JST_BACKQUOTE_UNUSED,
    KB_JST_OP, /* an operator: op holds enum kb_js_op */
};

/* Keywords and the contextual words the parser compares against. */
#define KB_JS_KWS(X)                                                                               \
    X(BREAK, "break")                                                                              \
    X(CASE, "case")                                                                                \
    X(CATCH, "catch")                                                                              \
    X(CLASS, "class")                                                                              \
    X(CONST, "const")                                                                              \
    X(CONTINUE, "continue")                                                                        \
    X(DEBUGGER, "debugger")                                                                        \
    X(DEFAULT, "default")                                                                          \
    X(DELETE, "delete")                                                                            \
    X(DO, "do")                                                                                    \
    X(ELSE, "else")                                                                                \
    X(ENUM, "enum")                                                                                \
    X(EXPORT, "export")                                                                            \
    X(EXTENDS, "extends")                                                                          \
    X(FALSE, "false")                                                                              \
    X(FINALLY, "finally")                                                                          \
    X(FOR, "for")                                                                                  \
    X(FUNCTION, "function")                                                                        \
    X(IF, "if")                                                                                    \
    X(IMPORT, "import")                                                                            \
    X(IN, "in")                                                                                    \
    X(INSTANCEOF, "instanceof")                                                                    \
    X(NEW, "new")                                                                                  \
    X(NULL, "null")                                                                                \
    X(RETURN, "return")                                                                            \
    X(SUPER, "super")                                                                              \
    X(SWITCH, "switch")                                                                            \
    X(THIS, "this")                                                                                \
    X(THROW, "throw")                                                                              \
    X(TRUE, "true")                                                                                \
    X(TRY, "try")                                                                                  \
    X(TYPEOF, "typeof")                                                                            \
    X(VAR, "var")                                                                                  \
    X(VOID, "void")                                                                                \
    X(WHILE, "while")                                                                              \
    X(WITH, "with")                                                                                \
    /* Reserved only in strict code. */                                                            \
    X(IMPLEMENTS, "implements")                                                                    \
    X(INTERFACE, "interface")                                                                      \
    X(LET, "let")                                                                                  \
    X(PACKAGE, "package")                                                                          \
    X(PRIVATE, "private")                                                                          \
    X(PROTECTED, "protected")                                                                      \
    X(PUBLIC, "public")                                                                            \
    X(STATIC, "static")                                                                            \
    X(YIELD, "yield")                                                                              \
    /* Contextual. */                                                                              \
    X(AWAIT, "await")                                                                              \
    X(ASYNC, "async")                                                                              \
    X(OF, "of")                                                                                    \
    X(GET, "get")                                                                                  \
    X(SET, "set")                                                                                  \
    X(FROM, "from")                                                                                \
    X(AS, "as")                                                                                    \
    X(TARGET, "target")                                                                            \
    X(META, "meta")                                                                                \
    X(ARGUMENTS, "arguments")                                                                      \
    X(EVAL, "eval")                                                                                \
    X(CONSTRUCTOR, "constructor")                                                                  \
    X(PROTOTYPE, "prototype")                                                                      \
    X(PROTO, "__proto__")                                                                          \
    X(ASSERT, "assert")

enum kb_jskw {
    KB_JSKW_NONE,
#define KB_JSKW_ENUM(n, s) KB_JSKW_##n,
    KB_JS_KWS(KB_JSKW_ENUM)
#undef KB_JSKW_ENUM
};
/* Keywords up to WITH are reserved everywhere; up to YIELD in strict code. */
#define KB_JSKW_LAST_RESERVED KB_JSKW_WITH
#define KB_JSKW_LAST_STRICT   KB_JSKW_YIELD

struct kb_jstok {
    uint8_t t;  /* enum kb_jst */
    uint8_t op; /* KB_JST_OP: enum kb_js_op */
    uint8_t kw; /* KB_JST_NAME: enum kb_jskw from the decoded name */
    bool esc;   /* NAME: written with a \u escape; TEMPLATE: invalid escape (cooked NULL) */
    bool nl;    /* a line terminator precedes the token */
    bool tail;  /* TEMPLATE: ends with ` rather than ${ */
    uint32_t start, end;
    uint32_t octal;   /* NUM, STRING: offset + 1 of a legacy octal form (0 if none) */
    const char *str;  /* NAME, PRIVATE, STRING, TEMPLATE (cooked), BIGINT, REGEX body */
    uint32_t len;     /* strlen(str), str may hold NULs */
    const char *str2; /* REGEX: flags; TEMPLATE: raw */
    double num;
};

struct kb_jslex {
    const char *src;
    uint32_t len, pos;
    bool module; /* HTML-like comments are script-only */
    struct kb_jsast_arena *arena;
    struct kc_diag *diag;
    jmp_buf *fail;
    int err;
    struct kb_jstok tok;
};

/* Scans the next token into lx->tok. Errors longjmp to *lx->fail. */
void kb_jslex_next(struct kb_jslex *lx);
/* Rescans the current '/' or '/=' token as a regular expression literal. */
void kb_jslex_regex(struct kb_jslex *lx);
/* Rescans the current '}' token as the continuation of a template literal. */
void kb_jslex_template(struct kb_jslex *lx);
/* Sets diag at off and longjmps with KC_EPARSE. */
_Noreturn void kb_jslex_fail(struct kb_jslex *lx, uint32_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Memory from the arena, or a longjmp with its error. */
void *kb_jslex_alloc(struct kb_jslex *lx, size_t n);
/* The identifier code point tests: Unicode ID_Start / ID_Continue. */
bool kb_jslex_id_start(uint32_t cp);
bool kb_jslex_id_part(uint32_t cp);
/* Checks a regular expression pattern (the text between the slashes) under
 * its flags; on an early error returns false with the offset in the pattern
 * and a static message. */
bool kb_jsregex_check(const char *pat, size_t len, const char *flags, uint32_t *err_pos,
                      const char **err);
/* Keyword id of a name, KB_JSKW_NONE if it is none. */
int kb_jslex_keyword(const char *s, size_t n);

#endif
