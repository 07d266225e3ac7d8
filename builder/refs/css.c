/*
 * CSS reference scanner: a CSS Syntax Level 3 tokenizer that reports url()
 * tokens, url("...") functions, the first URL of each @import prelude, plain
 * strings directly inside image-set(), and sourceMappingURL comments. It is
 * one forward pass with bounded state (a fixed nesting stack), so it is linear
 * in the input; refs are appended in source order, or not at all on error.
 */
#include "builder/refs/ref.h"
#include "common/ascii.h"
#include "common/utf8.h"
#include "common/error.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Nesting deeper than this is still counted, but its kind is forgotten. */
#define KB_CSS_STACK_MAX 256
/* Longest function or at-keyword name we need to recognise, plus slack. */
#define KB_CSS_NAME_MAX 32

/* What an open (, [, { or function token is; decides what a string means. */
enum kb_css_nest {
    KB_CSS_BLOCK,       /* { */
    KB_CSS_BRACKET,     /* [ */
    KB_CSS_PAREN,       /* ( or a function whose strings are not URLs */
    KB_CSS_IMAGESET,    /* image-set( / -webkit-image-set( */
    KB_CSS_URLFN,       /* url( followed by a string, which is a URL */
    KB_CSS_URLFN_IMPORT /* the same as the first thing of an @import */
};

struct kb_css {
    const char *src;
    size_t len, base, pos;
    unsigned line0;
    struct kb_reflist *out;
    struct kc_diag *diag;
    size_t lpos;   /* line cursor: line is the line of offset lpos */
    unsigned line; /* 0-based count of '\n' before lpos */
    unsigned char nest[KB_CSS_STACK_MAX];
    size_t depth;               /* may exceed KB_CSS_STACK_MAX */
    size_t nblocks;             /* KB_CSS_BLOCK entries in nest[0..min(depth,MAX)) */
    bool import_pending;        /* the next token is the first of an @import prelude */
    char name[KB_CSS_NAME_MAX]; /* last ident sequence, ASCII-lowercased */
    bool name_long;             /* it did not fit (so matches no keyword) */
};

static bool
kb_css_is_nl(unsigned char c)
{
    return c == '\n' || c == '\r' || c == '\f';
}

/* Name-start code point; NUL counts because the spec preprocesses it to
 * U+FFFD, which is non-ASCII. */
static bool
kb_css_is_name_start(unsigned char c)
{
    return ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c == '_' || c >= 0x80 || c == 0;
}

static bool
kb_css_is_name(unsigned char c)
{
    return kb_css_is_name_start(c) || kc_is_digit(c) || c == '-';
}

/* Byte at p, or -1 past the end: lookahead never reads out of bounds. */
static int
kb_css_at(const struct kb_css *s, size_t p)
{
    return p < s->len ? (unsigned char)s->src[p] : -1;
}

/* "Two code points are a valid escape": a backslash not followed by a
 * newline. A backslash at EOF is valid (it decodes to U+FFFD). */
static bool
kb_css_valid_escape(const struct kb_css *s, size_t p)
{
    int c = kb_css_at(s, p + 1);
    return kb_css_at(s, p) == '\\' && (c < 0 || !kb_css_is_nl((unsigned char)c));
}

static bool
kb_css_starts_ident(const struct kb_css *s, size_t p)
{
    int c = kb_css_at(s, p);
    if (c < 0)
        return false;
    if (c == '-') {
        int d = kb_css_at(s, p + 1);
        return (d >= 0 && (kb_css_is_name_start((unsigned char)d) || d == '-')) ||
               kb_css_valid_escape(s, p + 1);
    }
    if (c == '\\')
        return kb_css_valid_escape(s, p);
    return kb_css_is_name_start((unsigned char)c);
}

static bool
kb_css_starts_number(const struct kb_css *s, size_t p)
{
    int c = kb_css_at(s, p), d = kb_css_at(s, p + 1);
    if (c == '+' || c == '-') {
        if (kc_is_digit(d))
            return true;
        int e = kb_css_at(s, p + 2);
        return d == '.' && kc_is_digit(e);
    }
    if (c == '.')
        return kc_is_digit(d);
    return kc_is_digit(c);
}

/* Consumes an escape whose backslash is at p (already known valid) and
 * returns the offset after it; *cp gets the code point (U+FFFD for NUL,
 * surrogates, out of range and EOF), or -1 when the escaped character is a
 * plain byte to copy as is (so multi-byte UTF-8 after a backslash survives). */
static size_t
kb_css_escape(const char *src, size_t len, size_t p, long *cp)
{
    p++;
    if (p >= len) {
        *cp = 0xFFFD;
        return p;
    }
    if (!kc_is_hex(src[p])) {
        *cp = -1;
        return p + 1;
    }
    unsigned long v = 0;
    for (int i = 0; i < 6 && p < len && kc_is_hex(src[p]); i++, p++)
        v = v * 16 + (unsigned long)kc_hexval(src[p]);
    if (p < len && kc_is_ws(src[p])) {
        /* One whitespace ends the escape; CRLF is one newline. */
        if (src[p] == '\r' && p + 1 < len && src[p + 1] == '\n')
            p++;
        p++;
    }
    if (v == 0 || (v >= 0xD800 && v <= 0xDFFF) || v > 0x10FFFF)
        v = 0xFFFD;
    *cp = (long)v;
    return p;
}

/* Decodes src[start..end) (the inside of a string or an unquoted url) into o,
 * which must hold 3 * (end - start) bytes: the worst case is "\0" or a raw NUL
 * becoming U+FFFD. A backslash before a newline (a string continuation) yields
 * nothing. Returns the decoded length. */
static size_t
kb_css_decode(const char *src, size_t start, size_t end, char *o)
{
    size_t n = 0, p = start;
    while (p < end) {
        unsigned char c = (unsigned char)src[p];
        if (c == 0) {
            n += kc_utf8_put(0xFFFD, o + n);
            p++;
        } else if (c != '\\') {
            o[n++] = (char)c;
            p++;
        } else if (p + 1 < end && kb_css_is_nl((unsigned char)src[p + 1])) {
            p += src[p + 1] == '\r' && p + 2 < end && src[p + 2] == '\n' ? 3 : 2;
        } else {
            long cp;
            p = kb_css_escape(src, end, p, &cp);
            if (cp >= 0) {
                n += kc_utf8_put((uint32_t)cp, o + n);
            } else {
                c = (unsigned char)src[p - 1];
                if (c == 0)
                    n += kc_utf8_put(0xFFFD, o + n);
                else
                    o[n++] = (char)c;
            }
        }
    }
    return n;
}

/* 1-based line of offset off, which must not precede any offset asked
 * before: the cursor only moves forward, so line numbering is linear. */
static unsigned
kb_css_line(struct kb_css *s, size_t off)
{
    return s->line0 + kb__line_advance(s->src, &s->lpos, &s->line, off);
}

/* Appends a ref for src[start..end); decode says whether CSS escapes apply
 * (not in a sourceMappingURL comment, which is taken literally). */
static int
kb_css_emit(struct kb_css *s, size_t start, size_t end, enum kb_ref_kind kind, bool decode)
{
    struct kb_ref r;
    memset(&r, 0, sizeof r);
    r.start = s->base + start;
    r.end = s->base + end;
    r.line = kb_css_line(s, start);
    r.kind = kind;
    if (!decode)
        return kb_reflist_push(s->out, &r, s->src + start, end - start);
    size_t raw = end - start;
    if (raw > (SIZE_MAX - 1) / 3)
        return KC_ENOMEM;
    char *buf = malloc(3 * raw + 1);
    if (!buf)
        return KC_ENOMEM;
    size_t n = kb_css_decode(s->src, start, end, buf);
    int rc = kb_reflist_push(s->out, &r, buf, n);
    free(buf);
    return rc;
}

static int
kb_css_fail(struct kb_css *s, size_t off, const char *what)
{
    return kb__scan_fail(s->diag, s->src, off, s->line0, what);
}

static void
kb_css_push(struct kb_css *s, enum kb_css_nest k)
{
    if (s->depth < KB_CSS_STACK_MAX) {
        s->nest[s->depth] = (unsigned char)k;
        if (k == KB_CSS_BLOCK)
            s->nblocks++;
    }
    s->depth++;
}

/* Kind of the innermost open construct; KB_CSS_PAREN when none is open or
 * it lies beyond the stack (a string there is never a reference). */
static enum kb_css_nest
kb_css_top(const struct kb_css *s)
{
    if (s->depth == 0 || s->depth > KB_CSS_STACK_MAX)
        return KB_CSS_PAREN;
    return (enum kb_css_nest)s->nest[s->depth - 1];
}

/* Closes on ')' or ']': only the matching kind is popped, a stray closer is
 * ignored (as in the spec, where it is just a token inside the block). */
static void
kb_css_close(struct kb_css *s, bool paren)
{
    if (s->depth == 0)
        return;
    if (s->depth > KB_CSS_STACK_MAX) {
        s->depth--;
        return;
    }
    enum kb_css_nest k = (enum kb_css_nest)s->nest[s->depth - 1];
    if (paren ? (k != KB_CSS_BLOCK && k != KB_CSS_BRACKET) : k == KB_CSS_BRACKET)
        s->depth--;
}

/* Closes on '}': error recovery pops every unclosed function or bracket
 * inside the block too, so a missing ')' does not leak image-set() state into
 * the following rules. A '}' with no open block is ignored. Amortised O(1):
 * each popped entry was pushed once. */
static void
kb_css_close_block(struct kb_css *s)
{
    if (s->depth > KB_CSS_STACK_MAX) {
        s->depth--;
        return;
    }
    if (s->nblocks == 0)
        return;
    while (s->depth > 0) {
        s->depth--;
        if (s->nest[s->depth] == KB_CSS_BLOCK) {
            s->nblocks--;
            return;
        }
    }
}

/* Consumes an ident sequence at s->pos (which starts one) and leaves its
 * ASCII-lowercased name in s->name for keyword comparison. */
static void
kb_css_ident(struct kb_css *s)
{
    size_t n = 0;
    s->name_long = false;
    for (;;) {
        int c = kb_css_at(s, s->pos);
        long cp;
        if (c >= 0 && kb_css_is_name((unsigned char)c)) {
            s->pos++;
            cp = c;
        } else if (kb_css_valid_escape(s, s->pos)) {
            s->pos = kb_css_escape(s->src, s->len, s->pos, &cp);
            if (cp < 0)
                cp = (unsigned char)s->src[s->pos - 1];
        } else {
            break;
        }
        if (n + 1 < KB_CSS_NAME_MAX)
            s->name[n++] = cp > 0 && cp < 0x80 ? (char)kc_lower((int)cp) : (char)0x80;
        else
            s->name_long = true;
    }
    s->name[n] = '\0';
}

static bool
kb_css_name_is(const struct kb_css *s, const char *kw)
{
    return !s->name_long && strcmp(s->name, kw) == 0;
}

/* Consumes a number, percentage or dimension, so that "1url(x)" is the
 * dimension "1url" and a '(' rather than a url token, as in the spec. */
static void
kb_css_number(struct kb_css *s)
{
    int c = kb_css_at(s, s->pos);
    if (c == '+' || c == '-')
        s->pos++;
    while ((c = kb_css_at(s, s->pos)) >= 0 && kc_is_digit(c))
        s->pos++;
    c = kb_css_at(s, s->pos + 1);
    if (kb_css_at(s, s->pos) == '.' && kc_is_digit(c)) {
        s->pos++;
        while ((c = kb_css_at(s, s->pos)) >= 0 && kc_is_digit(c))
            s->pos++;
    }
    c = kb_css_at(s, s->pos);
    if (c == 'e' || c == 'E') {
        size_t p = s->pos + 1;
        int d = kb_css_at(s, p);
        if (d == '+' || d == '-')
            d = kb_css_at(s, ++p);
        if (kc_is_digit(d)) {
            s->pos = p;
            while ((c = kb_css_at(s, s->pos)) >= 0 && kc_is_digit(c))
                s->pos++;
        }
    }
    if (kb_css_starts_ident(s, s->pos))
        kb_css_ident(s);
    else if (kb_css_at(s, s->pos) == '%')
        s->pos++;
}

/* A comment at s->pos ("/ *" already seen). Reports the sourceMappingURL
 * form "/ *# sourceMappingURL=URL * /" (or "@" for "#"): the span is the URL up
 * to the first whitespace or the comment's end. */
static int
kb_css_comment(struct kb_css *s)
{
    size_t start = s->pos, p = s->pos + 2, end;
    for (end = p;; end++) {
        if (end + 1 >= s->len)
            return kb_css_fail(s, start, "unterminated comment: expected '*/'");
        if (s->src[end] == '*' && s->src[end + 1] == '/')
            break;
    }
    s->pos = end + 2;
    while (p < end && kc_is_ws(s->src[p]))
        p++;
    p = kb__smap_marker(s->src, p, end);
    if (!p || p >= end || s->src[p] != '=')
        return 0;
    p++;
    size_t u = p;
    while (p < end && !kc_is_ws(s->src[p]))
        p++;
    if (p == u)
        return 0;
    return kb_css_emit(s, u, p, KB_REF_SOURCEMAP, false);
}

/* A string token at s->pos (the quote). On success *start and *end delimit its
 * inside. A newline or EOF before the closing quote is an error, as kiln
 * would otherwise rewrite a span the browser reads differently. */
static int
kb_css_string(struct kb_css *s, size_t *start, size_t *end)
{
    char q = s->src[s->pos];
    size_t p = s->pos + 1;
    for (;;) {
        if (p >= s->len)
            return kb_css_fail(s, s->pos, "unterminated string: expected closing quote");
        unsigned char c = (unsigned char)s->src[p];
        if (c == (unsigned char)q)
            break;
        if (kb_css_is_nl(c))
            return kb_css_fail(s, s->pos, "unterminated string: newline before closing quote");
        if (c == '\\') {
            p++;
            if (p < s->len && s->src[p] == '\r' && p + 1 < s->len && s->src[p + 1] == '\n')
                p++;
        }
        p++;
    }
    *start = s->pos + 1;
    *end = p;
    s->pos = p + 1;
    return 0;
}

/* A url token; s->pos is just after "url(" and fn is the offset of "url(".
 * The span excludes surrounding whitespace but includes escapes, and the
 * whitespace an escape swallowed ("\41 b" is "Ab"). */
static int
kb_css_url(struct kb_css *s, size_t fn, size_t *start, size_t *end)
{
    size_t p = s->pos;
    while (p < s->len && kc_is_ws(s->src[p]))
        p++;
    *start = p;
    for (;;) {
        if (p >= s->len)
            return kb_css_fail(s, fn, "unterminated url(: expected ')'");
        unsigned char c = (unsigned char)s->src[p];
        if (c == ')') {
            *end = p;
            break;
        }
        if (kc_is_ws(c)) {
            *end = p;
            while (p < s->len && kc_is_ws(s->src[p]))
                p++;
            if (p >= s->len)
                return kb_css_fail(s, fn, "unterminated url(: expected ')'");
            if (s->src[p] == ')')
                break;
            return kb_css_fail(s, p, "bad url token: expected ')' after the URL");
        }
        if (c == '"' || c == '\'' || c == '(' || (c >= 1 && c <= 8) || c == 0x0B ||
            (c >= 0x0E && c <= 0x1F) || c == 0x7F)
            return kb_css_fail(s, p,
                               "bad url token: quote, '(' or control character in unquoted "
                               "url(); quote the URL");
        if (c == '\\') {
            if (!kb_css_valid_escape(s, p))
                return kb_css_fail(s, p, "bad url token: escaped newline in unquoted url()");
            long cp;
            p = kb_css_escape(s->src, s->len, p, &cp);
            continue;
        }
        p++;
    }
    s->pos = p + 1;
    return 0;
}

/* An ident-like token at s->pos: an ident, a function token, or a url token
 * (which is reported here). first_import says it opens an @import prelude. */
static int
kb_css_ident_like(struct kb_css *s, bool first_import)
{
    size_t fn = s->pos;
    kb_css_ident(s);
    if (kb_css_at(s, s->pos) != '(')
        return 0;
    s->pos++;
    if (kb_css_name_is(s, "url")) {
        size_t p = s->pos;
        while (p < s->len && kc_is_ws(s->src[p]))
            p++;
        if (p < s->len && (s->src[p] == '"' || s->src[p] == '\'')) {
            kb_css_push(s, first_import ? KB_CSS_URLFN_IMPORT : KB_CSS_URLFN);
            return 0;
        }
        size_t start = 0, end = 0;
        int rc = kb_css_url(s, fn, &start, &end);
        if (rc)
            return rc;
        return kb_css_emit(s, start, end, first_import ? KB_REF_CSS_IMPORT : KB_REF_CSS_URL, true);
    }
    if (kb_css_name_is(s, "image-set") || kb_css_name_is(s, "-webkit-image-set"))
        kb_css_push(s, KB_CSS_IMAGESET);
    else
        kb_css_push(s, KB_CSS_PAREN);
    return 0;
}

/* A string token in context: the first thing of an @import prelude, the
 * argument of url("..."), or a plain string directly inside image-set() is a
 * reference; any other string (content:, font-family:) is not. */
static int
kb_css_string_token(struct kb_css *s, bool first_import)
{
    size_t start = 0, end = 0;
    int rc = kb_css_string(s, &start, &end);
    if (rc)
        return rc;
    enum kb_css_nest top = kb_css_top(s);
    if (first_import)
        return kb_css_emit(s, start, end, KB_REF_CSS_IMPORT, true);
    if (top == KB_CSS_URLFN || top == KB_CSS_URLFN_IMPORT) {
        /* Only the first string of url("..."); the rest is not a URL. */
        s->nest[s->depth - 1] = KB_CSS_PAREN;
        return kb_css_emit(s, start, end, top == KB_CSS_URLFN ? KB_REF_CSS_URL : KB_REF_CSS_IMPORT,
                           true);
    }
    if (top == KB_CSS_IMAGESET)
        return kb_css_emit(s, start, end, KB_REF_CSS_URL, true);
    return 0;
}

/* One token at s->pos (not whitespace, not a comment). */
static int
kb_css_token(struct kb_css *s)
{
    bool first_import = s->import_pending;
    s->import_pending = false;
    unsigned char c = (unsigned char)s->src[s->pos];
    switch (c) {
    case '"':
    case '\'': return kb_css_string_token(s, first_import);
    case '(':
        s->pos++;
        kb_css_push(s, KB_CSS_PAREN);
        return 0;
    case '[':
        s->pos++;
        kb_css_push(s, KB_CSS_BRACKET);
        return 0;
    case '{':
        s->pos++;
        kb_css_push(s, KB_CSS_BLOCK);
        return 0;
    case ')':
    case ']':
        s->pos++;
        kb_css_close(s, c == ')');
        return 0;
    case '}':
        s->pos++;
        kb_css_close_block(s);
        return 0;
    case '#':
        /* A hash token: "#url(x)" is a hash and a '(', never a url token. */
        s->pos++;
        if (s->pos < s->len &&
            (kb_css_is_name((unsigned char)s->src[s->pos]) || kb_css_valid_escape(s, s->pos)))
            kb_css_ident(s);
        return 0;
    case '@':
        s->pos++;
        if (kb_css_starts_ident(s, s->pos)) {
            kb_css_ident(s);
            s->import_pending = kb_css_name_is(s, "import");
        }
        return 0;
    case '<':
        s->pos += s->len - s->pos >= 4 && memcmp(s->src + s->pos, "<!--", 4) == 0 ? 4 : 1;
        return 0;
    case '-':
        if (kb_css_starts_number(s, s->pos)) {
            kb_css_number(s);
            return 0;
        }
        if (s->len - s->pos >= 3 && memcmp(s->src + s->pos, "-->", 3) == 0) {
            s->pos += 3;
            return 0;
        }
        if (kb_css_starts_ident(s, s->pos))
            return kb_css_ident_like(s, first_import);
        s->pos++;
        return 0;
    case '+':
    case '.':
        if (kb_css_starts_number(s, s->pos))
            kb_css_number(s);
        else
            s->pos++;
        return 0;
    case '\\':
        if (kb_css_valid_escape(s, s->pos))
            return kb_css_ident_like(s, first_import);
        s->pos++;
        return 0;
    default:
        if (kc_is_digit(c)) {
            kb_css_number(s);
            return 0;
        }
        if (kb_css_is_name_start(c))
            return kb_css_ident_like(s, first_import);
        s->pos++;
        return 0;
    }
}

/* Contract in ref.h. On error the refs this call appended are removed, so a
 * caller scanning an inline <style> never sees half a result. */
int
kb_css_scan(const char *src, size_t len, size_t base, unsigned line0, struct kb_reflist *out,
            struct kc_diag *diag)
{
    struct kb_css s;
    memset(&s, 0, sizeof s);
    s.src = src;
    s.len = src ? len : 0;
    s.base = base;
    s.line0 = line0;
    s.out = out;
    s.diag = diag;
    size_t n0 = out->n;
    int rc = 0;
    while (s.pos < s.len) {
        unsigned char c = (unsigned char)src[s.pos];
        if (kc_is_ws(c)) {
            s.pos++;
        } else if (c == '/' && s.pos + 1 < s.len && src[s.pos + 1] == '*') {
            rc = kb_css_comment(&s);
        } else {
            rc = kb_css_token(&s);
        }
        if (rc)
            goto fail;
    }
    return 0;
fail:
    while (out->n > n0)
        free(out->v[--out->n].url);
    return rc;
}
