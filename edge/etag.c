/*
 * Entity-tag lists; see etag.h. A tag is parsed into (weak, opaque span);
 * comparisons only look at those, so formatting never decides a match.
 */
#include "edge/etag.h"
#include "common/ascii.h"

struct tag {
    const char *op; /* opaque-tag without its quotes */
    size_t len;
    bool weak;
};

/* RFC 9110 §8.8.3: etagc = %x21 / %x23-7E / obs-text. */
static bool
is_etagc(unsigned char c)
{
    return c == 0x21 || (c >= 0x23 && c != 0x7f);
}

/* Parses an entity-tag at s[*i..n); advances *i past it on success. */
static bool
parse_tag(const char *s, size_t n, size_t *i, struct tag *t)
{
    size_t k = *i;
    t->weak = false;
    if (n - k >= 2 && s[k] == 'W' && s[k + 1] == '/') {
        t->weak = true;
        k += 2;
    }
    if (k >= n || s[k] != '"')
        return false;
    k++;
    size_t start = k;
    while (k < n && is_etagc((unsigned char)s[k]))
        k++;
    if (k >= n || s[k] != '"')
        return false;
    t->op = s + start;
    t->len = k - start;
    *i = k + 1;
    return true;
}

/* A single tag filling s[0..n) apart from OWS around it. */
static bool
parse_single(const char *s, size_t n, struct tag *t)
{
    size_t i = 0;
    if (!s)
        return false;
    while (i < n && kc_is_blank(s[i]))
        i++;
    if (!parse_tag(s, n, &i, t))
        return false;
    while (i < n && kc_is_blank(s[i]))
        i++;
    return i == n;
}

static bool
tags_match(const struct tag *a, const struct tag *b, bool weak_compare)
{
    if (!weak_compare && (a->weak || b->weak))
        return false;
    if (a->len != b->len)
        return false;
    for (size_t i = 0; i < a->len; i++)
        if (a->op[i] != b->op[i])
            return false;
    return true;
}

bool
ke_etag_match_any(const char *list, size_t n, const char *etag, size_t etag_len, bool weak_compare)
{
    struct tag cur, t;
    bool have = etag && etag_len > 0 && parse_single(etag, etag_len, &cur);
    bool matched = false;
    size_t i = 0;

    if (!list)
        return false;
    while (i < n && kc_is_blank(list[i]))
        i++;
    if (i < n && list[i] == '*') {
        i++;
        while (i < n && kc_is_blank(list[i]))
            i++;
        /* An existing representation, even one whose tag we cannot read. */
        return i == n && etag && etag_len > 0;
    }
    /* #entity-tag: elements separated by commas, empty ones allowed. */
    for (;;) {
        while (i < n && (kc_is_blank(list[i]) || list[i] == ','))
            i++;
        if (i == n)
            break;
        if (!parse_tag(list, n, &i, &t))
            return false;
        if (have && tags_match(&t, &cur, weak_compare))
            matched = true;
        while (i < n && kc_is_blank(list[i]))
            i++;
        if (i < n && list[i] != ',')
            return false;
    }
    return matched;
}

bool
ke_etag_strong_equal(const char *a, size_t an, const char *b, size_t bn)
{
    struct tag ta, tb;
    return parse_single(a, an, &ta) && parse_single(b, bn, &tb) && tags_match(&ta, &tb, false);
}
