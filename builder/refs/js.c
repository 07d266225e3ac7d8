/*
 * The JavaScript reference scanner of kiln-build: it finds the URLs a file
 * loads so they can be resolved and rewritten, for every .js file and inline
 * script, and is not a parser (the bundler parses modules with builder/js/).
 * A tokenizer (strings, templates with nested substitutions, comments, regex
 * literals told from division by the previous token) feeds three small token
 * matchers: static import/export-from (modules only), import("x") and
 * new URL("x", import.meta.url); any other string that looks like a file
 * path is a name (KB_REF_JS_NAME) code may load, and a computed import()'s
 * literal start a prefix (KB_REF_JS_PREFIX). One forward pass with
 * fixed-size stacks: linear in the input. Refs come out in source order, or
 * not at all on error.
 */
#include "builder/refs/ref.h"
#include "common/ascii.h"
#include "common/utf8.h"
#include "common/error.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Nesting deeper than this is still counted, but its kind is forgotten. */
#define KB_JS_STACK_MAX 1024

enum kb_js_type {
    KB_JS_NONE, /* start of input */
    KB_JS_IDENT,
    KB_JS_NUM,
    KB_JS_STR,
    KB_JS_TMPL,      /* `...` with no substitution */
    KB_JS_TMPL_HEAD, /* `...${ or }...${ : an expression follows */
    KB_JS_TMPL_TAIL, /* }...` */
    KB_JS_REGEX,
    KB_JS_PUNCT,
};

/* Punctuators that matter beyond their first byte. */
#define KB_JS_P_INCDEC 'I' /* ++ or -- */
#define KB_JS_P_ARROW  'A' /* => */
#define KB_JS_P_SPREAD 'S' /* ... */
/* '.' stands for both . and ?. (member access) */

enum kb_js_kw {
    KB_JS_KW_NONE, /* plain identifier, or escaped (never a keyword) */
    KB_JS_KW_IMPORT,
    KB_JS_KW_EXPORT,
    KB_JS_KW_FROM,
    KB_JS_KW_NEW,
    KB_JS_KW_URL,  /* URL */
    KB_JS_KW_META, /* meta */
    KB_JS_KW_HREF, /* url, as in import.meta.url */
    KB_JS_KW_COND, /* if while for with: "(...) /" after them is a regex */
    KB_JS_KW_STMT, /* else do try finally: a block or a regex follows */
    KB_JS_KW_EXPR, /* return typeof ...: an expression follows */
    KB_JS_KW_OTHER /* any other reserved word (class, function, this...) */
};

struct kb_js_tok {
    enum kb_js_type type;
    enum kb_js_kw kw;
    int punct;         /* KB_JS_PUNCT: first byte or KB_JS_P_* */
    size_t start, end; /* IDENT: the name; STR/TMPL: inside the quotes */
    bool after_dot;    /* follows . or ?. (so a keyword is a property name) */
    bool cond;         /* ')' that closed if/while/for/with ( */
    bool block;        /* '}' that closed a block, not an object literal */
};

/* A literal that becomes a ref only if the following tokens fit. */
struct kb_js_cand {
    size_t start, end;
    unsigned line;
    bool tmpl;
};

enum kb_js_brace { KB_JS_B_BLOCK, KB_JS_B_OBJECT, KB_JS_B_TEMPLATE };

struct kb_js {
    const char *src;
    size_t len, base, pos, n0;
    unsigned line0;
    bool module;
    struct kb_reflist *out;
    struct kc_diag *diag;
    size_t lpos; /* line cursor: line is the count of '\n' before lpos */
    unsigned line;
    struct kb_js_tok prev;                /* previous significant token */
    unsigned char paren[KB_JS_STACK_MAX]; /* 1: opened right after if/while/for/with */
    unsigned char brace[KB_JS_STACK_MAX]; /* enum kb_js_brace */
    size_t nparen, nbrace;                /* may exceed KB_JS_STACK_MAX */
    int from_state, dyn_state, url_step;  /* the matchers, see kb_js_match */
    struct kb_js_cand dyn_cand, url_cand;
};

/* Identifier bytes: ASCII letters, digits, $ _ and every byte >= 0x80
 * (non-ASCII identifiers are not validated; multi-byte whitespace is caught
 * by the callers first). */
static bool
kb_js_is_ident(int c)
{
    return kc_is_alnum(c) || c == '$' || c == '_' || c >= 0x80;
}

static int
kb_js_at(const struct kb_js *s, size_t p)
{
    return p < s->len ? (unsigned char)s->src[p] : -1;
}

/* Length of a multi-byte whitespace or line terminator at p (NBSP, U+1680,
 * U+2000..200A, U+2028/2029, U+202F, U+205F, U+3000, BOM), else 0. */
static size_t
kb_js_mbws(const struct kb_js *s, size_t p)
{
    int a = kb_js_at(s, p), b = kb_js_at(s, p + 1), c = kb_js_at(s, p + 2);
    if (a == 0xC2 && b == 0xA0)
        return 2;
    if (c < 0)
        return 0;
    if ((a == 0xE1 && b == 0x9A && c == 0x80) || (a == 0xE2 && b == 0x81 && c == 0x9F) ||
        (a == 0xE3 && b == 0x80 && c == 0x80) || (a == 0xEF && b == 0xBB && c == 0xBF))
        return 3;
    if (a == 0xE2 && b == 0x80 && ((c >= 0x80 && c <= 0x8A) || c == 0xA8 || c == 0xA9 || c == 0xAF))
        return 3;
    return 0;
}

/* True at a line terminator: LF, CR, U+2028, U+2029. */
static bool
kb_js_is_eol(const struct kb_js *s, size_t p)
{
    int c = kb_js_at(s, p);
    return c == '\n' || c == '\r' ||
           (c == 0xE2 && kb_js_at(s, p + 1) == 0x80 &&
            (kb_js_at(s, p + 2) == 0xA8 || kb_js_at(s, p + 2) == 0xA9));
}

static size_t
kb_js_utf8(char *o, unsigned long cp)
{
    if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
        cp = 0xFFFD; /* a NUL or lone surrogate cannot name a file */
    return kc_utf8_put((uint32_t)cp, o);
}

/* Reads the hex digits of \uXXXX or \u{X...} at src[p..end) (p just after
 * the 'u'). Returns the offset after them and the value in *cp, or p
 * unchanged when they are malformed. */
static size_t
kb_js_uesc(const char *src, size_t p, size_t end, unsigned long *cp)
{
    unsigned long v = 0;
    if (p < end && src[p] == '{') {
        size_t q = p + 1;
        while (q < end && kc_is_hex(src[q])) {
            if (v <= 0x10FFFF)
                v = v * 16 + (unsigned)kc_hexval(src[q]);
            q++;
        }
        if (q == p + 1 || q >= end || src[q] != '}')
            return p;
        *cp = v;
        return q + 1;
    }
    if (end - p < 4)
        return p;
    for (size_t i = 0; i < 4; i++) {
        if (!kc_is_hex(src[p + i]))
            return p;
        v = v * 16 + (unsigned)kc_hexval(src[p + i]);
    }
    *cp = v;
    return p + 4;
}

/* Decodes the inside of a string (or, with tmpl, of a template without
 * substitutions, whose CR and CRLF become LF) into o, which must hold
 * 3 * (end - start) bytes: "\0" and a raw NUL become U+FFFD. Malformed
 * escapes decode to the escaped character; the string was still scanned. */
static size_t
kb_js_decode(const char *src, size_t start, size_t end, bool tmpl, char *o)
{
    size_t n = 0, p = start;
    while (p < end) {
        unsigned char c = (unsigned char)src[p++];
        if (c == '\r' && tmpl) {
            o[n++] = '\n';
            if (p < end && src[p] == '\n')
                p++;
            continue;
        }
        if (c == 0) {
            n += kb_js_utf8(o + n, 0);
            continue;
        }
        if (c != '\\' || p >= end) {
            o[n++] = (char)c;
            continue;
        }
        c = (unsigned char)src[p++];
        unsigned long cp;
        size_t q;
        switch (c) {
        case 'n': o[n++] = '\n'; break;
        case 't': o[n++] = '\t'; break;
        case 'r': o[n++] = '\r'; break;
        case 'b': o[n++] = '\b'; break;
        case 'f': o[n++] = '\f'; break;
        case 'v': o[n++] = '\v'; break;
        case '\n': break; /* line continuation */
        case '\r':
            if (p < end && src[p] == '\n')
                p++;
            break;
        case 'x':
            if (end - p >= 2 && kc_is_hex(src[p]) && kc_is_hex(src[p + 1])) {
                n += kb_js_utf8(o + n,
                                (unsigned)kc_hexval(src[p]) * 16 + (unsigned)kc_hexval(src[p + 1]));
                p += 2;
            } else {
                o[n++] = 'x';
            }
            break;
        case 'u':
            q = kb_js_uesc(src, p, end, &cp);
            if (q == p) {
                o[n++] = 'u';
                break;
            }
            p = q;
            if (cp >= 0xD800 && cp <= 0xDBFF && end - p >= 2 && src[p] == '\\' &&
                src[p + 1] == 'u') {
                unsigned long lo;
                q = kb_js_uesc(src, p + 2, end, &lo);
                if (q != p + 2 && lo >= 0xDC00 && lo <= 0xDFFF) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    p = q;
                }
            }
            n += kb_js_utf8(o + n, cp);
            break;
        default:
            if (c == 0xE2 && end - p >= 2 && (unsigned char)src[p] == 0x80 &&
                ((unsigned char)src[p + 1] == 0xA8 || (unsigned char)src[p + 1] == 0xA9)) {
                p += 2; /* continuation over U+2028/2029 */
            } else if (c >= '0' && c <= '7') {
                /* Legacy octal (sloppy scripts): up to 3 digits, at most \377. */
                cp = c - '0';
                size_t max = c <= '3' ? 2 : 1;
                for (size_t i = 0; i < max && p < end && src[p] >= '0' && src[p] <= '7'; i++)
                    cp = cp * 8 + (unsigned long)(src[p++] - '0');
                n += kb_js_utf8(o + n, cp);
            } else if (c == 0) {
                n += kb_js_utf8(o + n, 0);
            } else {
                o[n++] = (char)c; /* \' \" \\ \8 \9 and identity escapes */
            }
        }
    }
    return n;
}

/* 1-based line of offset off; offsets must be asked in increasing order
 * (candidates record their line when scanned, not when emitted). */
static unsigned
kb_js_line(struct kb_js *s, size_t off)
{
    return s->line0 + kb__line_advance(s->src, &s->lpos, &s->line, off);
}

/* Appends a ref. A literal is emitted only once the tokens after it confirm
 * it (import("x") needs the ')'), by which time a sourceMappingURL comment
 * between them may already be in the list: the new ref is moved back before
 * such refs. Only comments inside one short pattern are ever passed, so this
 * stays linear. */
static int
kb_js_emit(struct kb_js *s, const struct kb_js_cand *c, enum kb_ref_kind kind, bool decode)
{
    struct kb_ref r;
    memset(&r, 0, sizeof r);
    r.start = s->base + c->start;
    r.end = s->base + c->end;
    r.line = c->line;
    r.kind = kind;
    int rc;
    size_t raw = c->end - c->start;
    if (!decode) {
        rc = kb_reflist_push(s->out, &r, s->src + c->start, raw);
    } else {
        if (raw > (SIZE_MAX - 1) / 3)
            return KC_ENOMEM;
        char *buf = malloc(3 * raw + 1);
        if (!buf)
            return KC_ENOMEM;
        size_t n = kb_js_decode(s->src, c->start, c->end, c->tmpl, buf);
        rc = kb_reflist_push(s->out, &r, buf, n);
        free(buf);
    }
    if (rc)
        return rc;
    struct kb_ref *v = s->out->v;
    /* The literal was reported as a plain name when it was read: it is a load
     * (or a computed import()'s prefix). */
    for (size_t i = s->out->n - 1; kind != KB_REF_JS_NAME && i > s->n0 && v[i - 1].start >= r.start;
         i--) {
        if (v[i - 1].start == r.start && v[i - 1].kind == KB_REF_JS_NAME) {
            free(v[i - 1].url);
            memmove(&v[i - 1], &v[i], (s->out->n - i) * sizeof *v);
            s->out->n--;
            break;
        }
    }
    for (size_t i = s->out->n - 1; i > s->n0 && v[i - 1].start > v[i].start; i--) {
        struct kb_ref t = v[i];
        v[i] = v[i - 1];
        v[i - 1] = t;
    }
    return 0;
}

static struct kb_js_cand
kb_js_cand_of(struct kb_js *s, const struct kb_js_tok *t)
{
    struct kb_js_cand c = { t->start, t->end, kb_js_line(s, t->start), t->type == KB_JS_TMPL };
    return c;
}

static int
kb_js_fail(struct kb_js *s, size_t off, const char *what)
{
    return kb__scan_fail(s->diag, s->src, off, s->line0, what);
}

/* A line comment at s->pos. The forms "//# sourceMappingURL=URL" and the
 * older "//@ ..." are reported; the span is the rest of the line, trimmed. */
static int
kb_js_line_comment(struct kb_js *s)
{
    size_t p = s->pos + 2, end = p;
    while (end < s->len && !kb_js_is_eol(s, end))
        end++;
    s->pos = end;
    p = kb__smap_marker(s->src, p, end);
    if (!p)
        return 0;
    while (p < end && kc_is_blank(s->src[p]))
        p++;
    if (p >= end || s->src[p] != '=')
        return 0;
    p++;
    while (p < end && kc_is_blank(s->src[p]))
        p++;
    while (end > p && kc_is_blank(s->src[end - 1]))
        end--;
    if (end == p)
        return 0;
    struct kb_js_cand c = { p, end, kb_js_line(s, p), false };
    return kb_js_emit(s, &c, KB_REF_SOURCEMAP, false);
}

/* Skips whitespace and comments; stops at a token or EOF. */
static int
kb_js_trivia(struct kb_js *s)
{
    while (s->pos < s->len) {
        int c = (unsigned char)s->src[s->pos];
        size_t w;
        if (kc_is_space(c)) {
            s->pos++;
        } else if (c >= 0x80 && (w = kb_js_mbws(s, s->pos)) > 0) {
            s->pos += w;
        } else if (c == '/' && kb_js_at(s, s->pos + 1) == '/') {
            int rc = kb_js_line_comment(s);
            if (rc)
                return rc;
        } else if (c == '/' && kb_js_at(s, s->pos + 1) == '*') {
            size_t p = s->pos + 2;
            for (;; p++) {
                if (p + 1 >= s->len)
                    return kb_js_fail(s, s->pos, "unterminated block comment: expected '*/'");
                if (s->src[p] == '*' && s->src[p + 1] == '/')
                    break;
            }
            s->pos = p + 2;
        } else {
            break;
        }
    }
    return 0;
}

/* Whether a '/' after token t starts a regular expression literal rather than
 * a division. An expression just ended after a name, literal, ')' or ']'.
 * Exceptions: keywords that precede an expression (return, typeof, ...),
 * ')' closing the head of if/while/for/with, and '}' closing a block (see
 * kb_js_brace_kind for how a block is told from an object literal). */
static bool
kb_js_regex_ok(const struct kb_js_tok *t)
{
    switch (t->type) {
    case KB_JS_NONE:
    case KB_JS_TMPL_HEAD: return true;
    case KB_JS_IDENT:
        return !t->after_dot &&
               (t->kw == KB_JS_KW_EXPR || t->kw == KB_JS_KW_NEW || t->kw == KB_JS_KW_STMT);
    case KB_JS_PUNCT:
        if (t->punct == ')')
            return t->cond;
        if (t->punct == '}')
            return t->block;
        return t->punct != ']' && t->punct != KB_JS_P_INCDEC;
    default: return false;
    }
}

/* The heuristic for a '{' whose '}' may precede a '/': it opens a block when
 * it follows the start of input, ')', '=>', ';', '{', '}', a plain name
 * (class A {, static {) or a statement keyword (else do try finally class
 * ...); after an operator, ',', ':', '(' '[', a template's "${" or an
 * expression keyword (return, typeof, ...) it opens an object literal.
 * Known misses: "case x: {" and labelled blocks count as objects, and a
 * function expression's body ("f = function () {} / 2") as a block. */
static enum kb_js_brace
kb_js_brace_kind(const struct kb_js_tok *t)
{
    switch (t->type) {
    case KB_JS_NONE: return KB_JS_B_BLOCK;
    case KB_JS_IDENT:
        if (t->after_dot)
            return KB_JS_B_BLOCK;
        return t->kw == KB_JS_KW_EXPR || t->kw == KB_JS_KW_NEW || t->kw == KB_JS_KW_IMPORT ||
                       t->kw == KB_JS_KW_EXPORT
                   ? KB_JS_B_OBJECT
                   : KB_JS_B_BLOCK;
    case KB_JS_PUNCT:
        return kc_in_set(t->punct, ");{}") || t->punct == KB_JS_P_ARROW ? KB_JS_B_BLOCK
                                                                        : KB_JS_B_OBJECT;
    default: return KB_JS_B_OBJECT;
    }
}

static enum kb_js_kw
kb_js_keyword(const char *p, size_t n)
{
    static const struct {
        const char *name;
        size_t len;
        enum kb_js_kw kw;
    } words[] = {
        { "import", 6, KB_JS_KW_IMPORT }, { "export", 6, KB_JS_KW_EXPORT },
        { "from", 4, KB_JS_KW_FROM },     { "new", 3, KB_JS_KW_NEW },
        { "URL", 3, KB_JS_KW_URL },       { "meta", 4, KB_JS_KW_META },
        { "url", 3, KB_JS_KW_HREF },      { "if", 2, KB_JS_KW_COND },
        { "while", 5, KB_JS_KW_COND },    { "for", 3, KB_JS_KW_COND },
        { "with", 4, KB_JS_KW_COND },     { "else", 4, KB_JS_KW_STMT },
        { "do", 2, KB_JS_KW_STMT },       { "try", 3, KB_JS_KW_STMT },
        { "finally", 7, KB_JS_KW_STMT },  { "return", 6, KB_JS_KW_EXPR },
        { "typeof", 6, KB_JS_KW_EXPR },   { "instanceof", 10, KB_JS_KW_EXPR },
        { "in", 2, KB_JS_KW_EXPR },       { "of", 2, KB_JS_KW_EXPR },
        { "delete", 6, KB_JS_KW_EXPR },   { "void", 4, KB_JS_KW_EXPR },
        { "throw", 5, KB_JS_KW_EXPR },    { "case", 4, KB_JS_KW_EXPR },
        { "yield", 5, KB_JS_KW_EXPR },    { "await", 5, KB_JS_KW_EXPR },
        { "default", 7, KB_JS_KW_EXPR },  { "this", 4, KB_JS_KW_OTHER },
        { "super", 5, KB_JS_KW_OTHER },   { "null", 4, KB_JS_KW_OTHER },
        { "true", 4, KB_JS_KW_OTHER },    { "false", 5, KB_JS_KW_OTHER },
        { "class", 5, KB_JS_KW_OTHER },   { "function", 8, KB_JS_KW_OTHER },
    };
    if (n < 2 || n > 10)
        return KB_JS_KW_NONE;
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (words[i].len == n && memcmp(words[i].name, p, n) == 0)
            return words[i].kw;
    return KB_JS_KW_NONE;
}

/* A string literal at s->pos. A raw LF or CR inside, or EOF, is an error;
 * backslash-newline (LF, CR or CRLF) is a continuation. */
static int
kb_js_string(struct kb_js *s, struct kb_js_tok *t)
{
    char q = s->src[s->pos];
    size_t p = s->pos + 1;
    for (;;) {
        if (p >= s->len)
            return kb_js_fail(s, s->pos,
                              q == '"' ? "unterminated string literal: expected '\"'"
                                       : "unterminated string literal: expected \"'\"");
        char c = s->src[p];
        if (c == q)
            break;
        if (c == '\n' || c == '\r')
            return kb_js_fail(s, s->pos,
                              q == '"' ? "unterminated string literal: expected '\"' before "
                                         "end of line"
                                       : "unterminated string literal: expected \"'\" before "
                                         "end of line");
        if (c == '\\') {
            p++;
            if (kb_js_at(s, p) == '\r' && kb_js_at(s, p + 1) == '\n')
                p++;
        }
        p++;
    }
    t->type = KB_JS_STR;
    t->start = s->pos + 1;
    t->end = p;
    s->pos = p + 1;
    return 0;
}

static void
kb_js_push(unsigned char *st, size_t *n, unsigned char v)
{
    if (*n < KB_JS_STACK_MAX)
        st[*n] = v;
    (*n)++;
}

/* Pops and returns the top entry; dflt when empty or beyond the stack. */
static unsigned char
kb_js_pop(const unsigned char *st, size_t *n, unsigned char dflt)
{
    if (*n == 0)
        return dflt;
    (*n)--;
    return *n < KB_JS_STACK_MAX ? st[*n] : dflt;
}

/* Template characters from p, up to '`' or "${" (which pushes a template
 * entry on the brace stack, so its '}' resumes the template here). start is
 * the '`' or the '}' the chunk began at. */
static int
kb_js_template(struct kb_js *s, struct kb_js_tok *t, size_t start, bool cont)
{
    size_t p = start + 1;
    for (;;) {
        if (p >= s->len)
            return kb_js_fail(s, start, "unterminated template literal: expected '`'");
        char c = s->src[p];
        if (c == '`') {
            t->type = cont ? KB_JS_TMPL_TAIL : KB_JS_TMPL;
            t->start = start + 1;
            t->end = p;
            s->pos = p + 1;
            return 0;
        }
        if (c == '\\') {
            p += 2;
            continue;
        }
        if (c == '$' && kb_js_at(s, p + 1) == '{') {
            t->type = KB_JS_TMPL_HEAD;
            t->start = start + 1;
            t->end = p;
            kb_js_push(s->brace, &s->nbrace, KB_JS_B_TEMPLATE);
            s->pos = p + 2;
            return 0;
        }
        p++;
    }
}

/* A regular expression literal at s->pos: '/' inside a class [...] does not
 * end it, a backslash escapes one character, a line break is an error. */
static int
kb_js_regex(struct kb_js *s, struct kb_js_tok *t)
{
    static const char msg[] =
        "unterminated regular expression literal: expected '/' before end of line";
    size_t p = s->pos + 1;
    bool cls = false;
    for (;;) {
        if (p >= s->len || kb_js_is_eol(s, p))
            return kb_js_fail(s, s->pos, msg);
        char c = s->src[p];
        if (c == '\\') {
            p++;
            if (p >= s->len || kb_js_is_eol(s, p))
                return kb_js_fail(s, s->pos, msg);
        } else if (cls) {
            cls = c != ']';
        } else if (c == '[') {
            cls = true;
        } else if (c == '/') {
            break;
        }
        p++;
    }
    p++;
    while (kb_js_is_ident(kb_js_at(s, p)) && kb_js_mbws(s, p) == 0)
        p++;
    t->type = KB_JS_REGEX;
    s->pos = p;
    return 0;
}

/* A numeric literal: decimal with _ separators, fraction, exponent; 0x 0o 0b;
 * a BigInt n (and any trailing name bytes, which are a syntax error anyway). */
static void
kb_js_number(struct kb_js *s, struct kb_js_tok *t)
{
    size_t p = s->pos;
    int c = kb_js_at(s, p);
    int x = kb_js_at(s, p + 1) | 0x20;
    if (c == '0' && (x == 'x' || x == 'o' || x == 'b')) {
        p += 2;
    } else {
        while (kc_is_digit(kb_js_at(s, p)) || kb_js_at(s, p) == '_')
            p++;
        if (kb_js_at(s, p) == '.') {
            p++;
            while (kc_is_digit(kb_js_at(s, p)) || kb_js_at(s, p) == '_')
                p++;
        }
        c = kb_js_at(s, p);
        if (c == 'e' || c == 'E') {
            size_t q = p + 1;
            if (kb_js_at(s, q) == '+' || kb_js_at(s, q) == '-')
                q++;
            if (kc_is_digit(kb_js_at(s, q)))
                p = q;
        }
    }
    while (kb_js_is_ident(kb_js_at(s, p)) && kb_js_mbws(s, p) == 0)
        p++;
    t->type = KB_JS_NUM;
    s->pos = p;
}

/* An identifier, keyword or #private name. Escapes (\u0069f) are consumed;
 * an escaped name is never a keyword, as in the language. */
static void
kb_js_ident(struct kb_js *s, struct kb_js_tok *t)
{
    size_t p = s->pos;
    bool escaped = false;
    if (s->src[p] == '#')
        p++;
    for (;;) {
        int c = kb_js_at(s, p);
        if (c == '\\') {
            escaped = true;
            p++;
            if (kb_js_at(s, p) == 'u') {
                unsigned long cp;
                p++;
                p = kb_js_uesc(s->src, p, s->len, &cp);
            }
        } else if (kb_js_is_ident(c) && kb_js_mbws(s, p) == 0) {
            p++;
        } else {
            break;
        }
    }
    t->type = KB_JS_IDENT;
    t->start = s->pos;
    t->end = p;
    t->kw = escaped ? KB_JS_KW_NONE : kb_js_keyword(s->src + s->pos, p - s->pos);
    s->pos = p;
}

/* One token at s->pos (trivia already skipped). Maintains the paren and
 * brace stacks: '(' remembers whether it follows if/while/for/with, '{'
 * whether it opens a block, and '}' of a template substitution resumes the
 * template. */
static int
kb_js_lex(struct kb_js *s, struct kb_js_tok *t)
{
    memset(t, 0, sizeof *t);
    t->after_dot = s->prev.type == KB_JS_PUNCT && s->prev.punct == '.';
    size_t p = s->pos;
    int c = (unsigned char)s->src[p], d = kb_js_at(s, p + 1);
    if (c == '"' || c == '\'')
        return kb_js_string(s, t);
    if (c == '`')
        return kb_js_template(s, t, p, false);
    if (kc_is_digit(c) || (c == '.' && kc_is_digit(d))) {
        kb_js_number(s, t);
        return 0;
    }
    if (kb_js_is_ident(c) || c == '\\' || (c == '#' && (kb_js_is_ident(d) || d == '\\'))) {
        kb_js_ident(s, t);
        return 0;
    }
    if (c == '/' && kb_js_regex_ok(&s->prev))
        return kb_js_regex(s, t);
    t->type = KB_JS_PUNCT;
    t->punct = c;
    s->pos = p + 1;
    switch (c) {
    case '.':
        if (d == '.' && kb_js_at(s, p + 2) == '.') {
            t->punct = KB_JS_P_SPREAD;
            s->pos = p + 3;
        }
        break;
    case '?':
        if (d == '.' && !kc_is_digit(kb_js_at(s, p + 2))) {
            t->punct = '.';
            s->pos = p + 2;
        }
        break;
    case '=':
        if (d == '>') {
            t->punct = KB_JS_P_ARROW;
            s->pos = p + 2;
        }
        break;
    case '+':
    case '-':
        if (d == c) {
            t->punct = KB_JS_P_INCDEC;
            s->pos = p + 2;
        }
        break;
    case '(': {
        const struct kb_js_tok *v = &s->prev;
        bool cond = v->type == KB_JS_IDENT && !v->after_dot && v->kw == KB_JS_KW_COND;
        kb_js_push(s->paren, &s->nparen, cond);
        break;
    }
    case ')': t->cond = kb_js_pop(s->paren, &s->nparen, 0) != 0; break;
    case '{': kb_js_push(s->brace, &s->nbrace, kb_js_brace_kind(&s->prev)); break;
    case '}':
        if (s->nbrace > 0 && s->nbrace <= KB_JS_STACK_MAX &&
            s->brace[s->nbrace - 1] == KB_JS_B_TEMPLATE) {
            s->nbrace--;
            return kb_js_template(s, t, p, true);
        }
        t->block = kb_js_pop(s->brace, &s->nbrace, KB_JS_B_BLOCK) != KB_JS_B_OBJECT;
        break;
    default: break;
    }
    return 0;
}

enum {
    KB_JS_FROM_NONE,
    KB_JS_FROM_IMPORT, /* after "import" */
    KB_JS_FROM_EXPORT, /* after "export" */
    KB_JS_FROM_CLAUSE, /* inside "import x, {a as b}" / "export * as n" ... */
};

enum { KB_JS_DYN_NONE, KB_JS_DYN_IMPORT, KB_JS_DYN_OPEN, KB_JS_DYN_LIT };

static bool
kb_js_is_punct(const struct kb_js_tok *t, int p)
{
    return t->type == KB_JS_PUNCT && t->punct == p;
}

static bool
kb_js_is_kw(const struct kb_js_tok *t, enum kb_js_kw kw)
{
    return t->type == KB_JS_IDENT && t->kw == kw;
}

/* Feeds token t to the three matchers; each is a small state machine over
 * significant tokens (comments are invisible to them):
 *   static:  import <lit>  |  import <clause> from <lit>  |
 *            export (* | {) <clause> from <lit>, where <clause> is names,
 *            { } , * and string export names (modules only);
 *   dynamic: import ( <lit> followed by ) or , ;
 *   url:     new URL ( <lit> , import . meta . url ,? ) .
 * "import"/"export" right after '.' or "?." is a property name. A template
 * literal counts as <lit> only without substitutions and not in static
 * imports, where the language forbids it. */
static int
kb_js_match(struct kb_js *s, const struct kb_js_tok *t)
{
    bool lit = t->type == KB_JS_STR || t->type == KB_JS_TMPL;
    bool kw_import = kb_js_is_kw(t, KB_JS_KW_IMPORT) && !t->after_dot;
    bool is_ident = t->type == KB_JS_IDENT;
    int rc = 0;

    switch (s->dyn_state) {
    case KB_JS_DYN_IMPORT:
        s->dyn_state = kb_js_is_punct(t, '(') ? KB_JS_DYN_OPEN : KB_JS_DYN_NONE;
        break;
    case KB_JS_DYN_OPEN:
        s->dyn_state = lit ? KB_JS_DYN_LIT : KB_JS_DYN_NONE;
        if (lit)
            s->dyn_cand = kb_js_cand_of(s, t);
        if (t->type == KB_JS_TMPL_HEAD && s->src[t->start - 1] == '`' && t->end > t->start) {
            struct kb_js_cand c = { t->start, t->end, kb_js_line(s, t->start), true };
            rc = kb_js_emit(s, &c, KB_REF_JS_PREFIX, true); /* import(`./pages/${p}`) */
        }
        break;
    case KB_JS_DYN_LIT:
        s->dyn_state = KB_JS_DYN_NONE;
        if (kb_js_is_punct(t, ')') || kb_js_is_punct(t, ','))
            rc = kb_js_emit(s, &s->dyn_cand, KB_REF_JS_DYNAMIC, true);
        else if (kb_js_is_punct(t, '+') && s->dyn_cand.end > s->dyn_cand.start)
            rc = kb_js_emit(s, &s->dyn_cand, KB_REF_JS_PREFIX, true); /* import('./p/' + p) */
        break;
    default: break;
    }
    if (rc)
        return rc;
    if (kw_import)
        s->dyn_state = KB_JS_DYN_IMPORT;

    if (s->module) {
        bool clause_tok = is_ident || kb_js_is_punct(t, '{') || kb_js_is_punct(t, '*');
        switch (s->from_state) {
        case KB_JS_FROM_IMPORT:
            if (t->type == KB_JS_STR) {
                struct kb_js_cand c = kb_js_cand_of(s, t);
                rc = kb_js_emit(s, &c, KB_REF_JS_IMPORT, true);
                s->from_state = KB_JS_FROM_NONE;
            } else {
                s->from_state = clause_tok ? KB_JS_FROM_CLAUSE : KB_JS_FROM_NONE;
            }
            break;
        case KB_JS_FROM_EXPORT:
            s->from_state = kb_js_is_punct(t, '{') || kb_js_is_punct(t, '*') ? KB_JS_FROM_CLAUSE
                                                                             : KB_JS_FROM_NONE;
            break;
        case KB_JS_FROM_CLAUSE:
            if (t->type == KB_JS_STR && kb_js_is_kw(&s->prev, KB_JS_KW_FROM) &&
                !s->prev.after_dot) {
                struct kb_js_cand c = kb_js_cand_of(s, t);
                rc = kb_js_emit(s, &c, KB_REF_JS_IMPORT, true);
                s->from_state = KB_JS_FROM_NONE;
            } else if (!(clause_tok || t->type == KB_JS_STR || kb_js_is_punct(t, '}') ||
                         kb_js_is_punct(t, ','))) {
                s->from_state = KB_JS_FROM_NONE;
            }
            break;
        default: break;
        }
        if (rc)
            return rc;
        if (kw_import)
            s->from_state = KB_JS_FROM_IMPORT;
        else if (kb_js_is_kw(t, KB_JS_KW_EXPORT) && !t->after_dot)
            s->from_state = KB_JS_FROM_EXPORT;
    }

    bool ok;
    switch (s->url_step) {
    case 1: ok = kb_js_is_kw(t, KB_JS_KW_URL) && !t->after_dot; break;
    case 2: ok = kb_js_is_punct(t, '('); break;
    case 3:
        ok = lit;
        if (ok)
            s->url_cand = kb_js_cand_of(s, t);
        break;
    case 4: ok = kb_js_is_punct(t, ','); break;
    case 5: ok = kw_import; break;
    case 6:
    case 8: ok = kb_js_is_punct(t, '.'); break;
    case 7: ok = kb_js_is_kw(t, KB_JS_KW_META); break;
    case 9: ok = kb_js_is_kw(t, KB_JS_KW_HREF); break;
    case 10:
    case 11:
        ok = false;
        if (kb_js_is_punct(t, ')'))
            rc = kb_js_emit(s, &s->url_cand, KB_REF_JS_URL, true);
        else if (s->url_step == 10 && kb_js_is_punct(t, ','))
            ok = true;
        break;
    default: ok = false; break;
    }
    s->url_step = ok ? s->url_step + 1 : 0;
    if (kb_js_is_kw(t, KB_JS_KW_NEW) && !t->after_dot)
        s->url_step = 1;
    return rc;
}

/* Whether the raw text of a string names a file as a bundler's runtime would
 * ("assets/About-D5GR_shx.css", "/img/a.png", "./x.js?v=1"): no blanks, quotes or
 * markup, no scheme, and a last segment with an extension. Cheap, so that the
 * ref list holds only plausible names; resolving them decides. */
static bool
kb_js_pathlike(const char *p, size_t n)
{
    if (n < 3 || n > 1024 || (p[0] == '/' && p[1] == '/'))
        return false;
    size_t end = n, dot = 0, seg = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c <= ' ' || c == 0x7f || strchr("\"'<>`{}|^\\", c))
            return false;
        if (c == ':' && seg == 0)
            return false; /* before any '/': a scheme (https:, data:), not a path */
        if ((c == '?' || c == '#') && end == n)
            end = i;
        if (i < end && c == '/') {
            dot = 0;
            seg = i + 1;
        } else if (i < end && c == '.' && i > seg) {
            dot = i + 1; /* ".js" alone is an extension, not a name */
        }
    }
    if (dot == 0 || dot >= end || end - dot > 10)
        return false;
    for (size_t i = dot; i < end; i++)
        if (!kc_is_alnum(p[i]))
            return false;
    return true;
}

/* Reports t, a string or plain template no matcher took (so far), as a name
 * when it looks like a path; kb_js_emit drops it when a matcher takes it
 * after all (import("x") is confirmed by the ')' after it). */
static int
kb_js_name(struct kb_js *s, const struct kb_js_tok *t)
{
    if ((t->type != KB_JS_STR && t->type != KB_JS_TMPL) ||
        !kb_js_pathlike(s->src + t->start, t->end - t->start))
        return 0;
    for (size_t i = s->out->n; i > s->n0 && s->out->v[i - 1].start >= s->base + t->start; i--)
        if (s->out->v[i - 1].start == s->base + t->start)
            return 0; /* a static import's specifier */
    struct kb_js_cand c = kb_js_cand_of(s, t);
    return kb_js_emit(s, &c, KB_REF_JS_NAME, true);
}

/* Contract in ref.h. module selects whether static import/export are
 * reported (in a classic script they are syntax errors). On error the refs
 * this call appended are removed. */
int
kb_js_scan(const char *src, size_t len, size_t base, unsigned line0, bool module,
           struct kb_reflist *out, struct kc_diag *diag)
{
    struct kb_js st;
    struct kb_js *s = &st;
    memset(s, 0, sizeof *s);
    s->src = src;
    s->len = src ? len : 0;
    s->base = base;
    s->line0 = line0;
    s->module = module;
    s->out = out;
    s->diag = diag;
    s->n0 = out->n;
    int rc = 0;
    /* A hashbang is a line comment, only at the very start (after a BOM). */
    size_t h = s->len >= 3 && memcmp(src, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    if (s->len - h >= 2 && src[h] == '#' && src[h + 1] == '!') {
        s->pos = h + 2;
        while (s->pos < s->len && !kb_js_is_eol(s, s->pos))
            s->pos++;
    }
    for (;;) {
        rc = kb_js_trivia(s);
        if (rc || s->pos >= s->len)
            break;
        struct kb_js_tok t;
        rc = kb_js_lex(s, &t);
        if (rc)
            break;
        rc = kb_js_match(s, &t);
        if (!rc)
            rc = kb_js_name(s, &t);
        if (rc)
            break;
        s->prev = t;
    }
    if (rc) {
        while (out->n > s->n0)
            free(out->v[--out->n].url);
    }
    return rc;
}
