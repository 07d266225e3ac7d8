/*
 * ECMAScript tokenizer: whitespace and comments (HTML-like ones in scripts
 * only, a hashbang at offset 0), identifiers with \u escapes, numbers with
 * separators, strings and template pieces with their cooked values, regular
 * expression literals on request. Every token is scanned from lx->pos alone,
 * so the parser can save and restore the lexer to look ahead.
 */
#include "builder/js/lex.h"
#include "builder/js/idtab.h"
#include "common/error.h"
#include "common/ascii.h"
#include "common/utf8.h"
#include "common/vec.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void
kb_jslex_fail(struct kb_jslex *lx, uint32_t off, const char *fmt, ...)
{
    if (lx->diag) {
        va_list ap;
        va_start(ap, fmt);
        kc_diag_vset(lx->diag, lx->src, off > lx->len ? lx->len : off, fmt, ap);
        va_end(ap);
    }
    lx->err = KC_EPARSE;
    longjmp(*lx->fail, 1);
}

void *
kb_jslex_alloc(struct kb_jslex *lx, size_t n)
{
    void *p = kb_jsast_alloc(lx->arena, n);
    if (!p) {
        lx->err = kb_jsast_arena_err(lx->arena);
        if (lx->diag)
            kc_diag_set(lx->diag, lx->src, lx->tok.start, "syntax tree exceeds its memory limit");
        longjmp(*lx->fail, 1);
    }
    return p;
}

static const char *const kb_jslex_kw_names[] = { "",
#define KB_JSKW_NAME(n, s) s,
                                                 KB_JS_KWS(KB_JSKW_NAME)
#undef KB_JSKW_NAME
};

int
kb_jslex_keyword(const char *s, size_t n)
{
    if (n < 2 || n > 11 || s[0] < 'a' || s[0] > 'z')
        return s[0] == '_' && n == 9 && memcmp(s, "__proto__", 9) == 0 ? KB_JSKW_PROTO
                                                                       : KB_JSKW_NONE;
    for (size_t i = 1; i < sizeof kb_jslex_kw_names / sizeof *kb_jslex_kw_names; i++)
        if (kb_jslex_kw_names[i][0] == s[0] && strlen(kb_jslex_kw_names[i]) == n &&
            memcmp(kb_jslex_kw_names[i], s, n) == 0)
            return (int)i;
    return KB_JSKW_NONE;
}

/* Decodes one UTF-8 sequence at p; ill-formed UTF-8 is U+FFFD for one byte
 * (kc_utf8_get), as the browser decodes it. */
static uint32_t
kb_jslex_cp(const struct kb_jslex *lx, uint32_t p, uint32_t *n)
{
    const unsigned char *s = (const unsigned char *)lx->src + p;
    if (*s < 0x80) { /* the common case, without a call */
        *n = 1;
        return *s;
    }
    return kc_utf8_get(s, lx->len - p, n);
}

static bool
kb_jslex_space(uint32_t cp)
{
    return cp == 0x09 || cp == 0x0b || cp == 0x0c || cp == 0x20 || cp == 0xa0 || cp == 0xfeff ||
           cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) || cp == 0x202f || cp == 0x205f ||
           cp == 0x3000;
}

static bool
kb_jslex_newline(uint32_t cp)
{
    return cp == '\n' || cp == '\r' || cp == 0x2028 || cp == 0x2029;
}

static bool
kb_jslex_in_table(const uint32_t (*t)[2], size_t n, uint32_t cp)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cp < t[mid][0])
            hi = mid;
        else if (cp > t[mid][1])
            lo = mid + 1;
        else
            return true;
    }
    return false;
}

/* ID_Start and ID_Continue of Unicode (builder/js/idtab.h), plus $ and _ as
 * starts and ZWNJ/ZWJ as parts, as ECMAScript defines IdentifierName. */
bool
kb_jslex_id_start(uint32_t cp)
{
    if (cp < 0x80)
        return kc_is_alpha((int)cp) || cp == '$' || cp == '_';
    return kb_jslex_in_table(kb_js_id_start, sizeof kb_js_id_start / sizeof *kb_js_id_start, cp);
}

bool
kb_jslex_id_part(uint32_t cp)
{
    if (cp < 0x80)
        return kb_jslex_id_start(cp) || kc_is_digit((int)cp);
    return cp == 0x200c || cp == 0x200d ||
           kb_jslex_in_table(kb_js_id_continue,
                             sizeof kb_js_id_continue / sizeof *kb_js_id_continue, cp);
}

/* Skips whitespace and comments from lx->pos; sets tok.nl on a line break. */
static void
kb_jslex_skip(struct kb_jslex *lx)
{
    const char *s = lx->src;
    bool line_start = lx->pos == 0 || lx->tok.nl;
    for (;;) {
        uint32_t p = lx->pos;
        if (p >= lx->len)
            return;
        unsigned char c = (unsigned char)s[p];
        if (kc_is_js_space(c)) {
            lx->pos++;
        } else if (c == '\n' || c == '\r') {
            lx->pos++;
            lx->tok.nl = line_start = true;
        } else if (c == '/' && p + 1 < lx->len && s[p + 1] == '/') {
            while (lx->pos < lx->len) {
                uint32_t n;
                if (kb_jslex_newline(kb_jslex_cp(lx, lx->pos, &n)))
                    break;
                lx->pos += n;
            }
        } else if (c == '/' && p + 1 < lx->len && s[p + 1] == '*') {
            uint32_t q = p + 2;
            for (;;) {
                if (q + 1 >= lx->len)
                    kb_jslex_fail(lx, p, "unterminated comment: expected */");
                if (s[q] == '*' && s[q + 1] == '/')
                    break;
                uint32_t n;
                if (kb_jslex_newline(kb_jslex_cp(lx, q, &n)))
                    lx->tok.nl = line_start = true;
                q += n;
            }
            lx->pos = q + 2;
        } else if (!lx->module && c == '<' && p + 3 < lx->len && memcmp(s + p, "<!--", 4) == 0) {
            lx->pos += 4;
            while (lx->pos < lx->len) {
                uint32_t n;
                if (kb_jslex_newline(kb_jslex_cp(lx, lx->pos, &n)))
                    break;
                lx->pos += n;
            }
        } else if (!lx->module && line_start && c == '-' && p + 2 < lx->len &&
                   memcmp(s + p, "-->", 3) == 0) {
            lx->pos += 3;
            while (lx->pos < lx->len) {
                uint32_t n;
                if (kb_jslex_newline(kb_jslex_cp(lx, lx->pos, &n)))
                    break;
                lx->pos += n;
            }
        } else if (c >= 0x80) {
            uint32_t n, cp = kb_jslex_cp(lx, p, &n);
            if (kb_jslex_newline(cp))
                lx->tok.nl = line_start = true;
            else if (!kb_jslex_space(cp))
                return;
            lx->pos += n;
        } else {
            return;
        }
    }
}

/* A growable byte buffer in the arena for cooked values. */
struct kb_jsbuf {
    char *p;
    uint32_t n, cap;
};

static void
kb_jsbuf_put(struct kb_jslex *lx, struct kb_jsbuf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        size_t cap;
        if (kc_vec_next_cap(b->cap, b->n + n + 1, 1, UINT32_MAX, &cap))
            kb_jslex_fail(lx, lx->pos, "string literal too long");
        char *np = kb_jslex_alloc(lx, cap);
        if (b->n)
            memcpy(np, b->p, b->n);
        b->p = np;
        b->cap = (uint32_t)cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += (uint32_t)n;
    b->p[b->n] = 0;
}

static void
kb_jsbuf_cp(struct kb_jslex *lx, struct kb_jsbuf *b, uint32_t cp)
{
    char u[4];
    if (cp > 0x10ffff)
        cp = 0xfffd;
    kb_jsbuf_put(lx, b, u, kc_utf8_put(cp, u));
}

/* Reads \uXXXX or \u{X...} after the backslash at p; returns the code point
 * and moves *end past it, or returns UINT32_MAX for a malformed escape. */
static uint32_t
kb_jslex_uesc(const struct kb_jslex *lx, uint32_t p, uint32_t *end)
{
    const char *s = lx->src;
    if (p + 1 >= lx->len || s[p + 1] != 'u')
        return UINT32_MAX;
    uint32_t q = p + 2, cp = 0;
    if (q < lx->len && s[q] == '{') {
        q++;
        int nd = 0;
        while (q < lx->len && kc_hexval(s[q]) >= 0) {
            cp = cp * 16 + (uint32_t)kc_hexval(s[q]);
            if (cp > 0x10ffff)
                return UINT32_MAX;
            q++;
            nd++;
        }
        if (!nd || q >= lx->len || s[q] != '}')
            return UINT32_MAX;
        *end = q + 1;
        return cp;
    }
    for (int i = 0; i < 4; i++) {
        if (q >= lx->len || kc_hexval(s[q]) < 0)
            return UINT32_MAX;
        cp = cp * 16 + (uint32_t)kc_hexval(s[q++]);
    }
    *end = q;
    return cp;
}

static void
kb_jslex_name(struct kb_jslex *lx, uint32_t start)
{
    struct kb_jsbuf b = { 0 };
    bool esc = false, first = true;
    uint32_t p = start, plain = start;
    for (;;) {
        if (p >= lx->len)
            break;
        unsigned char c = (unsigned char)lx->src[p];
        uint32_t n = 1, cp;
        if (c == '\\') {
            uint32_t e;
            cp = kb_jslex_uesc(lx, p, &e);
            if (cp == UINT32_MAX)
                kb_jslex_fail(lx, p, "invalid escape in identifier: expected \\uXXXX");
            if (!(first ? kb_jslex_id_start(cp) : kb_jslex_id_part(cp)))
                kb_jslex_fail(lx, p, "escape is not an identifier character");
            kb_jsbuf_put(lx, &b, lx->src + plain, p - plain);
            kb_jsbuf_cp(lx, &b, cp);
            esc = true;
            p = plain = e;
        } else {
            cp = c < 0x80 ? c : kb_jslex_cp(lx, p, &n);
            if (!(first ? kb_jslex_id_start(cp) : kb_jslex_id_part(cp)))
                break;
            p += n;
        }
        first = false;
    }
    if (esc || p - plain) {
        kb_jsbuf_put(lx, &b, lx->src + plain, p - plain);
    }
    lx->tok.str = b.p ? b.p : "";
    lx->tok.len = b.n;
    lx->tok.esc = esc;
    lx->tok.kw = (uint8_t)kb_jslex_keyword(lx->tok.str, lx->tok.len);
    lx->tok.end = p;
}

/* Digits of one radix with numeric separators; returns the value. */
static double
kb_jslex_digits(struct kb_jslex *lx, uint32_t *pp, int radix, bool sep_ok, int *count)
{
    const char *s = lx->src;
    uint32_t p = *pp;
    double v = 0;
    int n = 0;
    bool last_sep = false;
    while (p < lx->len) {
        int d = kc_hexval(s[p]);
        if (s[p] == '_' && sep_ok) {
            if (n == 0 || last_sep)
                kb_jslex_fail(lx, p, "misplaced numeric separator");
            last_sep = true;
            p++;
            continue;
        }
        if (d < 0 || d >= radix)
            break;
        v = v * radix + d;
        n++;
        last_sep = false;
        p++;
    }
    if (last_sep)
        kb_jslex_fail(lx, p - 1, "misplaced numeric separator");
    *pp = p;
    *count = n;
    return v;
}

static void
kb_jslex_number(struct kb_jslex *lx, uint32_t start)
{
    const char *s = lx->src;
    uint32_t p = start;
    int n;
    bool bigint_ok = true;
    lx->tok.t = KB_JST_NUM;
    lx->tok.octal = 0;
    if (s[p] == '0' && p + 1 < lx->len && kc_in_set(s[p + 1], "xXoObB")) {
        int radix = (s[p + 1] | 0x20) == 'x' ? 16 : (s[p + 1] | 0x20) == 'o' ? 8 : 2;
        p += 2;
        lx->tok.num = kb_jslex_digits(lx, &p, radix, true, &n);
        if (!n)
            kb_jslex_fail(lx, p, "expected digits after the number prefix");
    } else if (s[p] == '0' && p + 1 < lx->len && kc_is_digit(s[p + 1])) {
        /* Legacy octal (017) or a decimal with a leading zero (089): both
         * sloppy-only; the parser rejects them in strict code. */
        lx->tok.octal = start + 1;
        bool octal = true;
        uint32_t q = p + 1;
        while (q < lx->len && kc_is_digit(s[q]))
            octal &= s[q++] <= '7';
        if (q < lx->len && s[q] == '_')
            kb_jslex_fail(lx, q, "numeric separator in a legacy octal literal");
        if (octal) {
            double v = 0;
            for (uint32_t i = p + 1; i < q; i++)
                v = v * 8 + (s[i] - '0');
            lx->tok.num = v;
            p = q;
            bigint_ok = false;
        } else {
            p = q;
            bigint_ok = false;
            goto fraction;
        }
    } else {
        if (s[p] == '0' && p + 1 < lx->len && s[p + 1] == '_')
            kb_jslex_fail(lx, p + 1, "numeric separator after a leading 0");
        if (s[p] != '.') {
            kb_jslex_digits(lx, &p, 10, true, &n);
        }
    fraction:
        if (p < lx->len && s[p] == '.') {
            bigint_ok = false;
            p++;
            if (p < lx->len && s[p] == '_')
                kb_jslex_fail(lx, p, "misplaced numeric separator");
            kb_jslex_digits(lx, &p, 10, true, &n);
        }
        if (p < lx->len && (s[p] | 0x20) == 'e') {
            bigint_ok = false;
            p++;
            if (p < lx->len && (s[p] == '+' || s[p] == '-'))
                p++;
            kb_jslex_digits(lx, &p, 10, true, &n);
            if (!n)
                kb_jslex_fail(lx, p, "expected digits in the exponent");
        }
        /* strtod on a copy without separators: exact rounding for free. */
        char tmp[128];
        size_t k = 0;
        for (uint32_t i = start; i < p && k < sizeof tmp - 1; i++)
            if (s[i] != '_')
                tmp[k++] = s[i];
        tmp[k] = 0;
        lx->tok.num = p - start < sizeof tmp - 1 ? strtod(tmp, NULL) : HUGE_VAL;
        if (p - start >= sizeof tmp - 1) {
            /* Very long literal: build the copy in the arena. */
            char *big = kb_jslex_alloc(lx, p - start + 1);
            k = 0;
            for (uint32_t i = start; i < p; i++)
                if (s[i] != '_')
                    big[k++] = s[i];
            big[k] = 0;
            lx->tok.num = strtod(big, NULL);
        }
    }
    if (p < lx->len && s[p] == 'n') {
        if (!bigint_ok)
            kb_jslex_fail(lx, p, "invalid BigInt literal");
        lx->tok.t = KB_JST_BIGINT;
        char *d = kb_jslex_alloc(lx, p - start + 1);
        memcpy(d, s + start, p - start);
        lx->tok.str = d;
        lx->tok.len = p - start;
        p++;
    }
    if (p < lx->len) {
        uint32_t nb, cp = kb_jslex_cp(lx, p, &nb);
        if (kb_jslex_id_start(cp) || kc_is_digit((int)cp) || cp == '\\')
            kb_jslex_fail(lx, p, "identifier starts immediately after a number");
    }
    lx->tok.end = p;
}

/*
 * One escape sequence after the backslash at p, cooked into b. Returns the
 * offset after it. In templates (tmpl) a malformed escape sets *bad instead
 * of failing (tagged templates allow it); in strings, legacy octal and \8 \9
 * set *octal for the parser's strict-mode check.
 */
static uint32_t
kb_jslex_escape(struct kb_jslex *lx, uint32_t p, struct kb_jsbuf *b, bool tmpl, bool *bad,
                uint32_t *octal)
{
    const char *s = lx->src;
    uint32_t q = p + 1;
    if (q >= lx->len)
        kb_jslex_fail(lx, p, "unterminated string literal");
    unsigned char c = (unsigned char)s[q];
    switch (c) {
    case 'n': kb_jsbuf_put(lx, b, "\n", 1); return q + 1;
    case 't': kb_jsbuf_put(lx, b, "\t", 1); return q + 1;
    case 'r': kb_jsbuf_put(lx, b, "\r", 1); return q + 1;
    case 'b': kb_jsbuf_put(lx, b, "\b", 1); return q + 1;
    case 'f': kb_jsbuf_put(lx, b, "\f", 1); return q + 1;
    case 'v': kb_jsbuf_put(lx, b, "\v", 1); return q + 1;
    case '\r': return q + 1 < lx->len && s[q + 1] == '\n' ? q + 2 : q + 1;
    case '\n': return q + 1;
    case 'x': {
        int h1 = q + 1 < lx->len ? kc_hexval(s[q + 1]) : -1;
        int h2 = q + 2 < lx->len ? kc_hexval(s[q + 2]) : -1;
        if (h1 < 0 || h2 < 0) {
            if (!tmpl)
                kb_jslex_fail(lx, p, "invalid \\x escape: expected two hex digits");
            *bad = true;
            return q + 1;
        }
        kb_jsbuf_cp(lx, b, (uint32_t)(h1 * 16 + h2));
        return q + 3;
    }
    case 'u': {
        uint32_t e, cp = kb_jslex_uesc(lx, p, &e);
        if (cp == UINT32_MAX) {
            if (!tmpl)
                kb_jslex_fail(lx, p, "invalid \\u escape: expected \\uXXXX or \\u{X}");
            *bad = true;
            return q + 1;
        }
        /* A surrogate pair written as two escapes is one code point. */
        if (cp >= 0xd800 && cp <= 0xdbff && e + 1 < lx->len && s[e] == '\\') {
            uint32_t e2, lo = kb_jslex_uesc(lx, e, &e2);
            if (lo >= 0xdc00 && lo <= 0xdfff) {
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                e = e2;
            }
        }
        kb_jsbuf_cp(lx, b, cp);
        return e;
    }
    default:
        if (kc_is_digit(c)) {
            bool next_digit = q + 1 < lx->len && kc_is_digit(s[q + 1]);
            if (c == '0' && !next_digit) {
                kb_jsbuf_put(lx, b, "", 1);
                return q + 1;
            }
            if (tmpl) {
                *bad = true;
                return q + 1;
            }
            if (!*octal)
                *octal = p + 1;
            if (c >= '8') {
                kb_jsbuf_put(lx, b, (const char *)&s[q], 1);
                return q + 1;
            }
            /* Up to three octal digits, value at most 0377. */
            uint32_t v = c - '0', e = q + 1;
            if (e < lx->len && s[e] >= '0' && s[e] <= '7') {
                v = v * 8 + (uint32_t)(s[e++] - '0');
                if (c <= '3' && e < lx->len && s[e] >= '0' && s[e] <= '7')
                    v = v * 8 + (uint32_t)(s[e++] - '0');
            }
            kb_jsbuf_cp(lx, b, v);
            return e;
        }
        {
            uint32_t n, cp = kb_jslex_cp(lx, q, &n);
            if (cp == 0x2028 || cp == 0x2029)
                return q + n;
            kb_jsbuf_put(lx, b, s + q, n);
            return q + n;
        }
    }
}

static void
kb_jslex_string(struct kb_jslex *lx, uint32_t start)
{
    const char *s = lx->src;
    char quote = s[start];
    struct kb_jsbuf b = { 0 };
    uint32_t p = start + 1, octal = 0;
    bool bad = false;
    kb_jsbuf_put(lx, &b, "", 0);
    for (;;) {
        if (p >= lx->len || s[p] == '\n' || s[p] == '\r')
            kb_jslex_fail(lx, start, "unterminated string literal: expected %c", quote);
        if (s[p] == quote)
            break;
        if (s[p] == '\\') {
            p = kb_jslex_escape(lx, p, &b, false, &bad, &octal);
            continue;
        }
        uint32_t q = p;
        while (q < lx->len && s[q] != quote && s[q] != '\\' && s[q] != '\n' && s[q] != '\r')
            q++;
        kb_jsbuf_put(lx, &b, s + p, q - p);
        p = q;
    }
    lx->tok.t = KB_JST_STRING;
    lx->tok.str = b.p;
    lx->tok.len = b.n;
    lx->tok.octal = octal;
    lx->tok.end = p + 1;
}

/* A template piece from p (just after ` or }) to ` or ${. */
static void
kb_jslex_template_from(struct kb_jslex *lx, uint32_t start, uint32_t p)
{
    const char *s = lx->src;
    struct kb_jsbuf b = { 0 }, raw = { 0 };
    bool bad = false;
    uint32_t octal = 0;
    kb_jsbuf_put(lx, &b, "", 0);
    kb_jsbuf_put(lx, &raw, "", 0);
    for (;;) {
        if (p >= lx->len)
            kb_jslex_fail(lx, start, "unterminated template literal: expected `");
        char c = s[p];
        if (c == '`' || (c == '$' && p + 1 < lx->len && s[p + 1] == '{'))
            break;
        if (c == '\\') {
            uint32_t e = kb_jslex_escape(lx, p, &b, true, &bad, &octal);
            kb_jsbuf_put(lx, &raw, s + p, e - p);
            p = e;
        } else if (c == '\r') {
            /* CR and CRLF read as LF in both cooked and raw values. */
            kb_jsbuf_put(lx, &b, "\n", 1);
            kb_jsbuf_put(lx, &raw, "\n", 1);
            p += p + 1 < lx->len && s[p + 1] == '\n' ? 2 : 1;
        } else {
            kb_jsbuf_put(lx, &b, s + p, 1);
            kb_jsbuf_put(lx, &raw, s + p, 1);
            p++;
        }
    }
    lx->tok.t = KB_JST_TEMPLATE;
    lx->tok.tail = s[p] == '`';
    lx->tok.esc = bad;
    lx->tok.str = bad ? NULL : b.p;
    lx->tok.len = bad ? 0 : b.n;
    lx->tok.str2 = raw.p;
    lx->tok.start = start;
    lx->tok.end = lx->tok.tail ? p + 1 : p + 2;
    lx->pos = lx->tok.end;
}

void
kb_jslex_template(struct kb_jslex *lx)
{
    bool nl = lx->tok.nl;
    kb_jslex_template_from(lx, lx->tok.start, lx->tok.start + 1);
    lx->tok.nl = nl;
}

void
kb_jslex_regex(struct kb_jslex *lx)
{
    const char *s = lx->src;
    uint32_t start = lx->tok.start, p = start + 1;
    bool cls = false;
    for (;;) {
        if (p >= lx->len)
            kb_jslex_fail(lx, start, "unterminated regular expression: expected /");
        uint32_t n, cp = kb_jslex_cp(lx, p, &n);
        if (kb_jslex_newline(cp))
            kb_jslex_fail(lx, start, "unterminated regular expression: expected /");
        if (cp == '\\') {
            p++;
            if (p >= lx->len)
                continue;
            cp = kb_jslex_cp(lx, p, &n);
            if (kb_jslex_newline(cp))
                kb_jslex_fail(lx, start, "unterminated regular expression: expected /");
            p += n;
            continue;
        }
        if (cp == '[')
            cls = true;
        else if (cp == ']')
            cls = false;
        else if (cp == '/' && !cls)
            break;
        p += n;
    }
    char *body = kb_jslex_alloc(lx, p - start);
    memcpy(body, s + start + 1, p - start - 1);
    uint32_t fs = ++p;
    unsigned seen = 0;
    while (p < lx->len) {
        uint32_t n, cp = kb_jslex_cp(lx, p, &n);
        if (cp == '\\')
            kb_jslex_fail(lx, p, "escape in regular expression flags");
        if (!kb_jslex_id_part(cp))
            break;
        const char *all = "dgimsuyv";
        const char *f = cp < 0x80 ? strchr(all, (int)cp) : NULL;
        if (!f || !cp || (seen & (1u << (f - all))))
            kb_jslex_fail(lx, p, "invalid regular expression flag '%.*s'", (int)n, s + p);
        seen |= 1u << (f - all);
        p += n;
    }
    if ((seen & (1u << 5)) && (seen & (1u << 7)))
        kb_jslex_fail(lx, fs, "regular expression flags u and v together");
    char *flags = kb_jslex_alloc(lx, p - fs + 1);
    memcpy(flags, s + fs, p - fs);
    uint32_t epos;
    const char *emsg;
    if (!kb_jsregex_check(body, fs - start - 2, flags, &epos, &emsg))
        kb_jslex_fail(lx, start + 1 + epos, "invalid regular expression: %s", emsg);
    lx->tok.t = KB_JST_REGEX;
    lx->tok.str = body;
    lx->tok.len = (uint32_t)strlen(body);
    lx->tok.str2 = flags;
    lx->tok.end = p;
    lx->pos = p;
}

/* Longest-match operator table: spelling, token, op. */
struct kb_jslex_punct {
    const char *s;
    uint8_t t, op, n; /* n: strlen(s) */
};

static const struct kb_jslex_punct kb_jslex_puncts[] = {
    { ">>>=", KB_JST_OP, KB_JS_OP_SHR_ASSIGN, 4 },
    { "...", KB_JST_ELLIPSIS, 0, 3 },
    { "===", KB_JST_OP, KB_JS_OP_SEQ, 3 },
    { "!==", KB_JST_OP, KB_JS_OP_SNE, 3 },
    { "**=", KB_JST_OP, KB_JS_OP_POW_ASSIGN, 3 },
    { "<<=", KB_JST_OP, KB_JS_OP_SHL_ASSIGN, 3 },
    { ">>=", KB_JST_OP, KB_JS_OP_SAR_ASSIGN, 3 },
    { ">>>", KB_JST_OP, KB_JS_OP_SHR, 3 },
    { "&&=", KB_JST_OP, KB_JS_OP_LAND_ASSIGN, 3 },
    { "||=", KB_JST_OP, KB_JS_OP_LOR_ASSIGN, 3 },
    { "?\?=", KB_JST_OP, KB_JS_OP_NULLISH_ASSIGN, 3 },
    { "=>", KB_JST_ARROW, 0, 2 },
    { "==", KB_JST_OP, KB_JS_OP_EQ, 2 },
    { "!=", KB_JST_OP, KB_JS_OP_NE, 2 },
    { "<=", KB_JST_OP, KB_JS_OP_LE, 2 },
    { ">=", KB_JST_OP, KB_JS_OP_GE, 2 },
    { "&&", KB_JST_OP, KB_JS_OP_AND, 2 },
    { "||", KB_JST_OP, KB_JS_OP_OR, 2 },
    { "??", KB_JST_OP, KB_JS_OP_NULLISH, 2 },
    { "**", KB_JST_OP, KB_JS_OP_STARSTAR, 2 },
    { "++", KB_JST_OP, KB_JS_OP_INC, 2 },
    { "--", KB_JST_OP, KB_JS_OP_DEC, 2 },
    { "<<", KB_JST_OP, KB_JS_OP_SHL, 2 },
    { ">>", KB_JST_OP, KB_JS_OP_SAR, 2 },
    { "+=", KB_JST_OP, KB_JS_OP_ADD_ASSIGN, 2 },
    { "-=", KB_JST_OP, KB_JS_OP_SUB_ASSIGN, 2 },
    { "*=", KB_JST_OP, KB_JS_OP_MUL_ASSIGN, 2 },
    { "/=", KB_JST_OP, KB_JS_OP_DIV_ASSIGN, 2 },
    { "%=", KB_JST_OP, KB_JS_OP_MOD_ASSIGN, 2 },
    { "&=", KB_JST_OP, KB_JS_OP_AND_ASSIGN, 2 },
    { "|=", KB_JST_OP, KB_JS_OP_OR_ASSIGN, 2 },
    { "^=", KB_JST_OP, KB_JS_OP_XOR_ASSIGN, 2 },
    { "{", KB_JST_LBRACE, 0, 1 },
    { "}", KB_JST_RBRACE, 0, 1 },
    { "(", KB_JST_LPAREN, 0, 1 },
    { ")", KB_JST_RPAREN, 0, 1 },
    { "[", KB_JST_LBRACKET, 0, 1 },
    { "]", KB_JST_RBRACKET, 0, 1 },
    { ";", KB_JST_SEMI, 0, 1 },
    { ",", KB_JST_COMMA, 0, 1 },
    { ".", KB_JST_DOT, 0, 1 },
    { "?", KB_JST_QUESTION, 0, 1 },
    { ":", KB_JST_COLON, 0, 1 },
    { "=", KB_JST_OP, KB_JS_OP_ASSIGN, 1 },
    { "<", KB_JST_OP, KB_JS_OP_LT, 1 },
    { ">", KB_JST_OP, KB_JS_OP_GT, 1 },
    { "+", KB_JST_OP, KB_JS_OP_PLUS, 1 },
    { "-", KB_JST_OP, KB_JS_OP_MINUS, 1 },
    { "*", KB_JST_OP, KB_JS_OP_STAR, 1 },
    { "/", KB_JST_OP, KB_JS_OP_SLASH, 1 },
    { "%", KB_JST_OP, KB_JS_OP_PERCENT, 1 },
    { "&", KB_JST_OP, KB_JS_OP_AMP, 1 },
    { "|", KB_JST_OP, KB_JS_OP_PIPE, 1 },
    { "^", KB_JST_OP, KB_JS_OP_CARET, 1 },
    { "!", KB_JST_OP, KB_JS_OP_NOT, 1 },
    { "~", KB_JST_OP, KB_JS_OP_TILDE, 1 },
};

void
kb_jslex_next(struct kb_jslex *lx)
{
    const char *s = lx->src;
    lx->tok.nl = false;
    if (lx->pos == 0 && lx->len >= 2 && s[0] == '#' && s[1] == '!') {
        while (lx->pos < lx->len) {
            uint32_t n;
            if (kb_jslex_newline(kb_jslex_cp(lx, lx->pos, &n)))
                break;
            lx->pos += n;
        }
    }
    kb_jslex_skip(lx);
    struct kb_jstok *t = &lx->tok;
    uint32_t p = lx->pos;
    t->start = p;
    t->esc = false;
    t->octal = 0;
    t->str = NULL;
    t->str2 = NULL;
    t->len = 0;
    t->kw = 0;
    t->op = 0;
    if (p >= lx->len) {
        t->t = KB_JST_EOF;
        t->end = p;
        return;
    }
    unsigned char c = (unsigned char)s[p];
    if (c == '"' || c == '\'') {
        kb_jslex_string(lx, p);
    } else if (c == '`') {
        kb_jslex_template_from(lx, p, p + 1);
        return;
    } else if (kc_is_digit(c) || (c == '.' && p + 1 < lx->len && kc_is_digit(s[p + 1]))) {
        kb_jslex_number(lx, p);
    } else if (c == '#') {
        uint32_t n, cp = p + 1 < lx->len ? kb_jslex_cp(lx, p + 1, &n) : 0;
        if (!(kb_jslex_id_start(cp) || cp == '\\'))
            kb_jslex_fail(lx, p, "unexpected character '#'");
        kb_jslex_name(lx, p + 1);
        t->t = KB_JST_PRIVATE;
    } else if (c == '?' && p + 1 < lx->len && s[p + 1] == '.' &&
               !(p + 2 < lx->len && kc_is_digit(s[p + 2]))) {
        t->t = KB_JST_QDOT;
        t->end = p + 2;
    } else {
        uint32_t n, cp = kb_jslex_cp(lx, p, &n);
        if (kb_jslex_id_start(cp) || cp == '\\') {
            kb_jslex_name(lx, p);
            t->t = KB_JST_NAME;
        } else {
            /* Longest match first; the first byte filters out almost all. */
            size_t i, k = 0, np = sizeof kb_jslex_puncts / sizeof *kb_jslex_puncts;
            for (i = 0; i < np; i++) {
                const char *ps = kb_jslex_puncts[i].s;
                if (ps[0] != (char)c)
                    continue;
                k = kb_jslex_puncts[i].n;
                if (p + k <= lx->len && memcmp(s + p, ps, k) == 0)
                    break;
            }
            if (i == np)
                kb_jslex_fail(lx, p, "unexpected character '%.*s'", (int)n, s + p);
            t->t = kb_jslex_puncts[i].t;
            t->op = kb_jslex_puncts[i].op;
            t->end = p + (uint32_t)k;
        }
    }
    lx->pos = t->end;
}
