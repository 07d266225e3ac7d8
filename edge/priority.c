/*
 * RFC 9218 priority field values; see priority.h. The parser follows RFC
 * 8941 §4.2: a dictionary's members are keys with an item or an inner list,
 * each with parameters; every bare item type is read (and skipped unless it
 * is u's integer or i's boolean), so a value a browser will send one day
 * still parses.
 */
#include "edge/priority.h"
#include "common/ascii.h"

/* A parse over v[0..n) at *i: each step returns false on a syntax error. */
struct sf {
    const char *v;
    size_t n, i;
};

static int
peek(const struct sf *s)
{
    return s->i < s->n ? (unsigned char)s->v[s->i] : -1;
}

static void
skip_sp(struct sf *s)
{
    while (peek(s) == ' ')
        s->i++;
}

/* key = ( lcalpha / "*" ) *( lcalpha / DIGIT / "_" / "-" / "." / "*" ) */
static bool
key(struct sf *s, const char **k, size_t *kn)
{
    int c = peek(s);
    if (!((c >= 'a' && c <= 'z') || c == '*'))
        return false;
    size_t at = s->i;
    for (c = peek(s); (c >= 'a' && c <= 'z') || kc_is_digit(c) || kc_in_set(c, "_-.*"); c = peek(s))
        s->i++;
    *k = s->v + at;
    *kn = s->i - at;
    return true;
}

/* The kinds of bare item the priority parameters care about. */
enum kind { K_OTHER, K_INTEGER, K_BOOLEAN };

/* sf-integer or sf-decimal (§4.2.4): at most 15 integer digits, or 12 and
 * one to three after the point. */
static bool
number(struct sf *s, enum kind *kind, long long *val)
{
    bool neg = peek(s) == '-';
    s->i += neg;
    size_t digits = 0, frac = 0;
    bool point = false;
    long long x = 0;
    for (int c = peek(s);; c = peek(s)) {
        if (kc_is_digit(c)) {
            if (point)
                frac++;
            else if (++digits <= 15)
                x = x * 10 + (c - '0');
        } else if (c == '.' && !point && digits) {
            point = true;
        } else {
            break;
        }
        s->i++;
    }
    if (!digits || (!point && digits > 15) || (point && (digits > 12 || !frac || frac > 3)))
        return false;
    *kind = point ? K_OTHER : K_INTEGER;
    *val = neg ? -x : x;
    return true;
}

/* bare-item (§4.2.3.1): integer, decimal, string, token, byte sequence,
 * boolean. */
static bool
bare_item(struct sf *s, enum kind *kind, long long *val)
{
    int c = peek(s);
    *kind = K_OTHER;
    if (c == '-' || kc_is_digit(c))
        return number(s, kind, val);
    if (c == '"') { /* sf-string: printable ASCII; \ escapes only " and \ */
        for (s->i++;;) {
            c = peek(s);
            s->i++;
            if (c == '"')
                return true;
            if (c == '\\') {
                c = peek(s);
                s->i++;
                if (c != '"' && c != '\\')
                    return false;
            } else if (c < 0x20 || c > 0x7e) {
                return false;
            }
        }
    }
    if (c == '*' || kc_is_alpha(c)) { /* sf-token */
        for (s->i++; kc_is_tchar(peek(s)) || peek(s) == ':' || peek(s) == '/';)
            s->i++;
        return true;
    }
    if (c == ':') { /* sf-binary: base64 between colons */
        for (s->i++; kc_is_alnum(peek(s)) || kc_in_set(peek(s), "+/=");)
            s->i++;
        return peek(s) == ':' ? (s->i++, true) : false;
    }
    if (c == '?') { /* sf-boolean */
        s->i++;
        c = peek(s);
        if (c != '0' && c != '1')
            return false;
        s->i++;
        *kind = K_BOOLEAN;
        *val = c == '1';
        return true;
    }
    return false;
}

/* parameters (§4.2.3.2): *( ";" *SP key [ "=" bare-item ] ) */
static bool
parameters(struct sf *s)
{
    while (peek(s) == ';') {
        s->i++;
        skip_sp(s);
        const char *k;
        size_t kn;
        enum kind kind;
        long long val;
        if (!key(s, &k, &kn))
            return false;
        if (peek(s) == '=') {
            s->i++;
            if (!bare_item(s, &kind, &val))
                return false;
        }
    }
    return true;
}

/* An item or an inner list (§4.2.1.1), with its parameters. */
static bool
member_value(struct sf *s, enum kind *kind, long long *val)
{
    if (peek(s) != '(') {
        return bare_item(s, kind, val) && parameters(s);
    }
    *kind = K_OTHER;
    for (s->i++;;) {
        skip_sp(s);
        if (peek(s) == ')') {
            s->i++;
            return parameters(s);
        }
        enum kind k;
        long long v;
        if (!bare_item(s, &k, &v) || !parameters(s))
            return false;
        if (peek(s) != ' ' && peek(s) != ')')
            return false;
    }
}

int
ke_priority_parse(const char *v, size_t n, struct ke_priority *p)
{
    struct ke_priority got = { KE_PRIORITY_URGENCY_DEFAULT, false };
    struct sf s = { v, n, 0 };
    *p = got;
    skip_sp(&s);
    while (s.i < s.n) {
        const char *k;
        size_t kn;
        enum kind kind = K_BOOLEAN;
        long long val = 1; /* a key alone is the boolean true */
        if (!key(&s, &k, &kn))
            return -1;
        if (peek(&s) == '=') {
            s.i++;
            if (!member_value(&s, &kind, &val))
                return -1;
        } else if (!parameters(&s)) {
            return -1;
        }
        if (kn == 1 && k[0] == 'u')
            got.urgency = kind == K_INTEGER && val >= 0 && val <= KE_PRIORITY_URGENCY_MAX
                              ? (unsigned)val
                              : KE_PRIORITY_URGENCY_DEFAULT;
        else if (kn == 1 && k[0] == 'i')
            got.incremental = kind == K_BOOLEAN && val;
        while (kc_is_blank(peek(&s)))
            s.i++;
        if (s.i == s.n)
            break;
        if (peek(&s) != ',')
            return -1;
        s.i++;
        while (kc_is_blank(peek(&s)))
            s.i++;
        if (s.i == s.n) /* a trailing comma */
            return -1;
    }
    *p = got;
    return 0;
}
