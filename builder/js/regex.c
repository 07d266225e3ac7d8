/*
 * Early-error check of a regular expression literal's pattern: the grammar of
 * ECMAScript 2023 in Unicode mode (u or v flag: strict escapes, no lone
 * braces, existing back references) and the web-compatible grammar of Annex B
 * otherwise (identity escapes, literal braces, legacy octal). It validates and
 * builds nothing. Property names of \p{...} are checked for shape only, and
 * the v flag's set operations are accepted as nested classes.
 */
#include "builder/js/lex.h"
#include "common/ascii.h"
#include "common/utf8.h"

#include <string.h>

#define KB_JSRE_DEPTH_MAX 256
#define KB_JSRE_NAMES_MAX 64

struct kb_jsre {
    const char *s;
    uint32_t len, pos;
    bool u, v;
    unsigned depth;
    uint32_t ngroups;
    bool has_names;
    const char *names[KB_JSRE_NAMES_MAX];
    uint32_t name_lens[KB_JSRE_NAMES_MAX];
    unsigned nnames;
    uint32_t pending_low; /* non-u mode: the low surrogate of an astral char */
    uint32_t err_pos;
    const char *err;
};

static bool
kb_jsre_fail(struct kb_jsre *r, uint32_t pos, const char *msg)
{
    if (!r->err) {
        r->err = msg;
        r->err_pos = pos;
    }
    return false;
}

static bool
kb_jsre_eof(const struct kb_jsre *r)
{
    return r->pos >= r->len && !r->pending_low;
}

static int
kb_jsre_peek(const struct kb_jsre *r)
{
    if (r->pending_low)
        return -2; /* a surrogate half: never syntax */
    return r->pos < r->len ? (unsigned char)r->s[r->pos] : -1;
}

/* Reads one character: a code point in u mode, a UTF-16 unit otherwise. */
static uint32_t
kb_jsre_char(struct kb_jsre *r)
{
    if (r->pending_low) {
        uint32_t lo = r->pending_low;
        r->pending_low = 0;
        return lo;
    }
    uint32_t n, cp = kc_utf8_get((const unsigned char *)r->s + r->pos, r->len - r->pos, &n);
    r->pos += n;
    if (!r->u && cp > 0xffff) {
        cp -= 0x10000;
        r->pending_low = 0xdc00 + (cp & 0x3ff);
        return 0xd800 + (cp >> 10);
    }
    return cp;
}

static bool
kb_jsre_eat(struct kb_jsre *r, int c)
{
    if (kb_jsre_peek(r) != c)
        return false;
    r->pos++;
    return true;
}

/* Reads n hex digits; returns the value or UINT32_MAX (position unchanged). */
static uint32_t
kb_jsre_hex(struct kb_jsre *r, int n)
{
    uint32_t v = 0;
    if (r->pos + (uint32_t)n > r->len)
        return UINT32_MAX;
    for (int i = 0; i < n; i++) {
        int h = kc_hexval(r->s[r->pos + (uint32_t)i]);
        if (h < 0)
            return UINT32_MAX;
        v = v * 16 + (uint32_t)h;
    }
    r->pos += (uint32_t)n;
    return v;
}

/* After "\u": a code unit, a surrogate pair or \u{...} (u mode). Returns the
 * value or UINT32_MAX if malformed. */
static uint32_t
kb_jsre_unicode_escape(struct kb_jsre *r)
{
    if (r->u && kb_jsre_eat(r, '{')) {
        uint32_t v = 0;
        int n = 0;
        while (kc_hexval(kb_jsre_peek(r)) >= 0) {
            v = v * 16 + (uint32_t)kc_hexval(kb_jsre_peek(r));
            if (v > 0x10ffff)
                return UINT32_MAX;
            r->pos++;
            n++;
        }
        if (!n || !kb_jsre_eat(r, '}'))
            return UINT32_MAX;
        return v;
    }
    uint32_t v = kb_jsre_hex(r, 4);
    if (v == UINT32_MAX)
        return v;
    if (r->u && v >= 0xd800 && v <= 0xdbff && r->pos + 1 < r->len && r->s[r->pos] == '\\' &&
        r->s[r->pos + 1] == 'u') {
        uint32_t save = r->pos;
        r->pos += 2;
        uint32_t lo = kb_jsre_hex(r, 4);
        if (lo >= 0xdc00 && lo <= 0xdfff)
            return 0x10000 + ((v - 0xd800) << 10) + (lo - 0xdc00);
        r->pos = save;
    }
    return v;
}

static bool
kb_jsre_syntax_char(int c)
{
    return kc_in_set(c, "^$\\.*+?()[]{}|/");
}

/* A group name after "(?<" or "\k<", through '>'. */
static bool
kb_jsre_group_name(struct kb_jsre *r, const char **name, uint32_t *nlen)
{
    uint32_t start = r->pos;
    bool first = true;
    for (;;) {
        if (kb_jsre_eof(r))
            return kb_jsre_fail(r, start, "unterminated group name");
        if (kb_jsre_eat(r, '>'))
            break;
        uint32_t cp;
        if (kb_jsre_peek(r) == '\\') {
            r->pos++;
            if (!kb_jsre_eat(r, 'u'))
                return kb_jsre_fail(r, r->pos, "invalid escape in group name");
            bool was_u = r->u;
            r->u = true; /* \u{...} is allowed in names in every mode */
            cp = kb_jsre_unicode_escape(r);
            r->u = was_u;
            if (cp == UINT32_MAX)
                return kb_jsre_fail(r, r->pos, "invalid escape in group name");
        } else {
            bool was_u = r->u;
            r->u = true;
            cp = kb_jsre_char(r);
            r->u = was_u;
        }
        if (!(first ? kb_jslex_id_start(cp) : kb_jslex_id_part(cp)))
            return kb_jsre_fail(r, start, "invalid group name");
        first = false;
    }
    if (first)
        return kb_jsre_fail(r, start, "empty group name");
    *name = r->s + start;
    *nlen = r->pos - 1 - start;
    return true;
}

static bool
kb_jsre_has_name(const struct kb_jsre *r, const char *name, uint32_t n)
{
    for (unsigned i = 0; i < r->nnames; i++)
        if (r->name_lens[i] == n && memcmp(r->names[i], name, n) == 0)
            return true;
    return false;
}

/* Counts capturing groups and collects names before the real pass, since a
 * back reference may precede its group. */
static bool
kb_jsre_prescan(struct kb_jsre *r)
{
    bool cls = false;
    for (uint32_t i = 0; i < r->len; i++) {
        char c = r->s[i];
        if (c == '\\') {
            i++;
        } else if (cls) {
            cls = c != ']';
        } else if (c == '[') {
            cls = true;
        } else if (c == '(') {
            if (i + 1 < r->len && r->s[i + 1] == '?') {
                if (i + 2 < r->len && r->s[i + 2] == '<' && i + 3 < r->len && r->s[i + 3] != '=' &&
                    r->s[i + 3] != '!') {
                    r->ngroups++;
                    r->has_names = true;
                }
            } else {
                r->ngroups++;
            }
        }
    }
    return true;
}

/* A class escape (\d \w \s \p{..} and negations) after the backslash;
 * returns true if one was read. */
static bool
kb_jsre_class_escape(struct kb_jsre *r, bool *bad)
{
    int c = kb_jsre_peek(r);
    if (c == 'd' || c == 'D' || c == 's' || c == 'S' || c == 'w' || c == 'W') {
        r->pos++;
        return true;
    }
    if ((c == 'p' || c == 'P') && r->u) {
        r->pos++;
        if (!kb_jsre_eat(r, '{')) {
            *bad = true;
            kb_jsre_fail(r, r->pos, "invalid property name");
            return true;
        }
        uint32_t start = r->pos;
        while (r->pos < r->len && r->s[r->pos] != '}') {
            char ch = r->s[r->pos];
            if (!(kc_is_alnum(ch) || ch == '_' || ch == '=')) {
                *bad = true;
                kb_jsre_fail(r, r->pos, "invalid property name");
                return true;
            }
            r->pos++;
        }
        if (r->pos == start || !kb_jsre_eat(r, '}')) {
            *bad = true;
            kb_jsre_fail(r, start, "invalid property name");
        }
        return true;
    }
    return false;
}

/*
 * A character escape after the backslash (not a class escape). in_class
 * changes \b (backspace) and \- (u mode). Returns the character or
 * UINT32_MAX on error.
 */
static uint32_t
kb_jsre_char_escape(struct kb_jsre *r, bool in_class)
{
    uint32_t at = r->pos - 1;
    if (kb_jsre_eof(r))
        return kb_jsre_fail(r, at, "\\ at end of pattern"), UINT32_MAX;
    int c = kb_jsre_peek(r);
    switch (c) {
    case 'f': r->pos++; return '\f';
    case 'n': r->pos++; return '\n';
    case 'r': r->pos++; return '\r';
    case 't': r->pos++; return '\t';
    case 'v': r->pos++; return '\v';
    case 'b':
        if (in_class) {
            r->pos++;
            return '\b';
        }
        break;
    case '-':
        if (in_class) {
            r->pos++;
            return '-';
        }
        break;
    case 'c': {
        int l = r->pos + 1 < r->len ? (unsigned char)r->s[r->pos + 1] : -1;
        if (kc_is_alpha(l)) {
            r->pos += 2;
            return (uint32_t)l % 32;
        }
        if (!r->u && in_class && (kc_is_digit(l) || l == '_')) {
            r->pos += 2;
            return (uint32_t)l % 32;
        }
        if (r->u)
            return kb_jsre_fail(r, at, "invalid \\c escape"), UINT32_MAX;
        return '\\'; /* the backslash is literal; 'c' is read next */
    }
    case '0':
        if (!(r->pos + 1 < r->len && kc_is_digit(r->s[r->pos + 1]))) {
            r->pos++;
            return 0;
        }
        if (r->u)
            return kb_jsre_fail(r, at, "invalid decimal escape"), UINT32_MAX;
        break;
    case 'x': {
        r->pos++;
        uint32_t v = kb_jsre_hex(r, 2);
        if (v != UINT32_MAX)
            return v;
        if (r->u)
            return kb_jsre_fail(r, at, "invalid \\x escape"), UINT32_MAX;
        return 'x';
    }
    case 'u': {
        r->pos++;
        uint32_t v = kb_jsre_unicode_escape(r);
        if (v != UINT32_MAX)
            return v;
        if (r->u)
            return kb_jsre_fail(r, at, "invalid unicode escape"), UINT32_MAX;
        return 'u';
    }
    default: break;
    }
    if (kc_is_digit(c)) {
        if (r->u)
            return kb_jsre_fail(r, at, "invalid escape"), UINT32_MAX;
        /* Legacy octal (up to \377) or an identity escape of 8 and 9. */
        uint32_t v = 0;
        int n = 0;
        while (n < 3 && r->pos < r->len && r->s[r->pos] >= '0' && r->s[r->pos] <= '7' &&
               v * 8 + (uint32_t)(r->s[r->pos] - '0') <= 0377) {
            v = v * 8 + (uint32_t)(r->s[r->pos++] - '0');
            n++;
        }
        if (!n) {
            r->pos++;
            return (uint32_t)c;
        }
        return v;
    }
    if (r->u) {
        if (kb_jsre_syntax_char(c)) {
            r->pos++;
            return (uint32_t)c;
        }
        return kb_jsre_fail(r, at, "invalid escape"), UINT32_MAX;
    }
    if (c == 'k' && r->has_names)
        return kb_jsre_fail(r, at, "invalid named reference"), UINT32_MAX;
    return kb_jsre_char(r);
}

static bool
kb_jsre_class(struct kb_jsre *r)
{
    uint32_t start = r->pos - 1;
    kb_jsre_eat(r, '^');
    if (++r->depth > KB_JSRE_DEPTH_MAX)
        return kb_jsre_fail(r, start, "regular expression nests too deep");
    for (;;) {
        if (kb_jsre_eof(r))
            return kb_jsre_fail(r, start, "unterminated character class");
        if (kb_jsre_eat(r, ']'))
            break;
        if (r->v && kb_jsre_eat(r, '[')) {
            if (!kb_jsre_class(r))
                return false;
            continue;
        }
        /* One atom, maybe a range. */
        uint32_t a_pos = r->pos, a = 0, b = 0;
        bool a_cls = false, b_cls = false, bad = false;
        if (kb_jsre_eat(r, '\\')) {
            a_cls = kb_jsre_class_escape(r, &bad);
            if (bad)
                return false;
            if (!a_cls) {
                if (r->v && kb_jsre_peek(r) == 'q' && r->pos + 1 < r->len &&
                    r->s[r->pos + 1] == '{') {
                    while (r->pos < r->len && r->s[r->pos] != '}')
                        r->pos++;
                    if (!kb_jsre_eat(r, '}'))
                        return kb_jsre_fail(r, a_pos, "unterminated \\q{");
                    continue;
                }
                a = kb_jsre_char_escape(r, true);
                if (a == UINT32_MAX)
                    return false;
            }
        } else {
            a = kb_jsre_char(r);
        }
        if (kb_jsre_peek(r) != '-' || r->pos + 1 >= r->len || r->s[r->pos + 1] == ']' || r->v)
            continue;
        r->pos++; /* '-' */
        uint32_t b_pos = r->pos;
        if (kb_jsre_eat(r, '\\')) {
            b_cls = kb_jsre_class_escape(r, &bad);
            if (bad)
                return false;
            if (!b_cls) {
                b = kb_jsre_char_escape(r, true);
                if (b == UINT32_MAX)
                    return false;
            }
        } else {
            b = kb_jsre_char(r);
        }
        if (a_cls || b_cls) {
            if (r->u)
                return kb_jsre_fail(r, a_pos, "invalid character class range");
            continue;
        }
        if (a > b)
            return kb_jsre_fail(r, b_pos, "range out of order in character class");
    }
    r->depth--;
    return true;
}

/* A braced quantifier {n}, {n,}, {n,m} at '{'; false (position unchanged)
 * if the text is not one. *order_bad is set for {m,n} with m > n. */
static bool
kb_jsre_braces(struct kb_jsre *r, bool *order_bad)
{
    uint32_t p = r->pos + 1;
    uint64_t lo = 0, hi = 0;
    int n = 0;
    while (p < r->len && kc_is_digit(r->s[p])) {
        if (lo < UINT32_MAX)
            lo = lo * 10 + (uint64_t)(r->s[p] - '0');
        p++;
        n++;
    }
    if (!n)
        return false;
    hi = lo;
    if (p < r->len && r->s[p] == ',') {
        p++;
        int m = 0;
        hi = 0;
        while (p < r->len && kc_is_digit(r->s[p])) {
            if (hi < UINT32_MAX)
                hi = hi * 10 + (uint64_t)(r->s[p] - '0');
            p++;
            m++;
        }
        if (!m)
            hi = UINT64_MAX;
    }
    if (p >= r->len || r->s[p] != '}')
        return false;
    *order_bad = lo > hi;
    r->pos = p + 1;
    return true;
}

static bool kb_jsre_disjunction(struct kb_jsre *r);

/* A quantifier, if one follows: '*' '+' '?' or braces, then a lazy '?'. */
static bool
kb_jsre_quantifier(struct kb_jsre *r, bool *had)
{
    int c = kb_jsre_peek(r);
    uint32_t at = r->pos;
    *had = false;
    if (c == '*' || c == '+' || c == '?') {
        r->pos++;
        *had = true;
    } else if (c == '{') {
        bool order_bad = false;
        if (kb_jsre_braces(r, &order_bad)) {
            if (order_bad)
                return kb_jsre_fail(r, at, "numbers out of order in {} quantifier");
            *had = true;
        } else if (r->u) {
            return kb_jsre_fail(r, at, "incomplete quantifier");
        }
    }
    if (*had)
        kb_jsre_eat(r, '?');
    return true;
}

static bool
kb_jsre_term(struct kb_jsre *r)
{
    uint32_t at = r->pos;
    int c = kb_jsre_peek(r);
    bool quantifiable = true;
    switch (c) {
    case '^':
    case '$':
        r->pos++;
        quantifiable = false;
        break;
    case '.': r->pos++; break;
    case '[':
        r->pos++;
        if (!kb_jsre_class(r))
            return false;
        break;
    case '(': {
        r->pos++;
        if (++r->depth > KB_JSRE_DEPTH_MAX)
            return kb_jsre_fail(r, at, "regular expression nests too deep");
        if (kb_jsre_eat(r, '?')) {
            int k = kb_jsre_peek(r);
            if (k == ':') {
                r->pos++;
            } else if (k == '=' || k == '!') {
                r->pos++;
                quantifiable = !r->u; /* Annex B: a quantified lookahead */
            } else if (k == '<') {
                r->pos++;
                if (kb_jsre_eat(r, '=') || kb_jsre_eat(r, '!')) {
                    quantifiable = false;
                } else {
                    const char *name;
                    uint32_t nlen;
                    if (!kb_jsre_group_name(r, &name, &nlen))
                        return false;
                    if (kb_jsre_has_name(r, name, nlen))
                        return kb_jsre_fail(r, at, "duplicate capture group name");
                    if (r->nnames < KB_JSRE_NAMES_MAX) {
                        r->names[r->nnames] = name;
                        r->name_lens[r->nnames++] = nlen;
                    }
                }
            } else {
                return kb_jsre_fail(r, at, "invalid group");
            }
        }
        if (!kb_jsre_disjunction(r))
            return false;
        if (!kb_jsre_eat(r, ')'))
            return kb_jsre_fail(r, at, "unterminated group");
        r->depth--;
        break;
    }
    case ')': return kb_jsre_fail(r, at, "unmatched ')'");
    case '*':
    case '+':
    case '?': return kb_jsre_fail(r, at, "nothing to repeat");
    case '{': {
        bool order_bad;
        uint32_t save = r->pos;
        if (r->u || kb_jsre_braces(r, &order_bad)) {
            r->pos = save;
            return kb_jsre_fail(r, at, r->u ? "lone '{'" : "nothing to repeat");
        }
        r->pos++;
        break;
    }
    case '}':
    case ']':
        if (r->u)
            return kb_jsre_fail(r, at, "lone quantifier bracket");
        r->pos++;
        break;
    case '\\': {
        r->pos++;
        int e = kb_jsre_peek(r);
        bool bad = false;
        if (e == 'b' || e == 'B') {
            r->pos++;
            quantifiable = false;
        } else if (kb_jsre_class_escape(r, &bad)) {
            if (bad)
                return false;
        } else if (e >= '1' && e <= '9') {
            uint32_t p = r->pos, v = 0;
            while (p < r->len && kc_is_digit(r->s[p]) && v < 100000)
                v = v * 10 + (uint32_t)(r->s[p++] - '0');
            if (v <= r->ngroups) {
                r->pos = p;
            } else if (r->u) {
                return kb_jsre_fail(r, at, "invalid back reference");
            } else if (kb_jsre_char_escape(r, false) == UINT32_MAX) {
                return false;
            }
        } else if (e == 'k' && (r->u || r->has_names)) {
            r->pos++;
            const char *name;
            uint32_t nlen;
            if (!kb_jsre_eat(r, '<') || !kb_jsre_group_name(r, &name, &nlen))
                return kb_jsre_fail(r, at, "invalid named reference");
            /* Checked once every group name is known. */
            (void)name;
        } else if (kb_jsre_char_escape(r, false) == UINT32_MAX) {
            return false;
        }
        break;
    }
    default: kb_jsre_char(r); break;
    }
    bool had;
    uint32_t qat = r->pos;
    if (!kb_jsre_quantifier(r, &had))
        return false;
    if (had && !quantifiable)
        return kb_jsre_fail(r, qat, "nothing to repeat");
    return true;
}

static bool
kb_jsre_disjunction(struct kb_jsre *r)
{
    for (;;) {
        while (!kb_jsre_eof(r) && kb_jsre_peek(r) != '|' && kb_jsre_peek(r) != ')')
            if (!kb_jsre_term(r))
                return false;
        if (!kb_jsre_eat(r, '|'))
            return true;
    }
}

/* \k<name> references must name a group of the pattern. */
static bool
kb_jsre_check_refs(struct kb_jsre *r)
{
    bool cls = false;
    for (uint32_t i = 0; i + 2 < r->len; i++) {
        char c = r->s[i];
        if (c == '\\') {
            if (!cls && r->s[i + 1] == 'k' && r->s[i + 2] == '<') {
                uint32_t s = i + 3, e = s;
                while (e < r->len && r->s[e] != '>')
                    e++;
                if (!kb_jsre_has_name(r, r->s + s, e - s))
                    return kb_jsre_fail(r, i, "reference to an undefined group name");
            }
            i++;
        } else if (cls) {
            cls = c != ']';
        } else if (c == '[') {
            cls = true;
        }
    }
    return true;
}

bool
kb_jsregex_check(const char *pat, size_t len, const char *flags, uint32_t *err_pos,
                 const char **err)
{
    struct kb_jsre r = { .s = pat, .len = (uint32_t)len };
    r.u = strchr(flags, 'u') != NULL || strchr(flags, 'v') != NULL;
    r.v = strchr(flags, 'v') != NULL;
    kb_jsre_prescan(&r);
    bool ok = kb_jsre_disjunction(&r);
    if (ok && !kb_jsre_eof(&r))
        ok = kb_jsre_fail(&r, r.pos, "unmatched ')'");
    if (ok && (r.u || r.has_names))
        ok = kb_jsre_check_refs(&r);
    if (!ok) {
        *err_pos = r.err_pos;
        *err = r.err ? r.err : "invalid regular expression";
    }
    return ok;
}
