/*
 * Accept-Encoding parser and variant choice; see negotiate.h. The parser walks
 * the value once, element by element; an element it cannot read is dropped,
 * never the whole field, so one odd entry cannot turn compression off.
 */
#include "edge/negotiate.h"
#include "common/ascii.h"

/* Parses a qvalue (RFC 9110 §12.4.2) filling all of s[0..n); -1 if invalid. */
static int
parse_qvalue(const char *s, size_t n)
{
    if (n == 0 || (s[0] != '0' && s[0] != '1'))
        return -1;
    int q = (s[0] - '0') * 1000;
    if (n == 1)
        return q;
    if (s[1] != '.' || n > 5)
        return -1;
    int scale = 100;
    for (size_t i = 2; i < n; i++, scale /= 10) {
        if (!kc_is_digit(s[i]))
            return -1;
        q += (s[i] - '0') * scale;
    }
    return q > 1000 ? -1 : q;
}

static void
lower_q(uint16_t *slot, int q)
{
    if (*slot == KE_Q_UNSET || q < *slot)
        *slot = (uint16_t)q;
}

/* One list element e[0..n), OWS already trimmed and n > 0. */
static void
parse_element(const char *e, size_t n, struct ke_accept *a)
{
    size_t i = 0;
    while (i < n && kc_is_tchar(e[i]))
        i++;
    size_t tok = i;
    if (tok == 0)
        return;
    int q = 1000;
    while (i < n && kc_is_blank(e[i]))
        i++;
    if (i < n) {
        if (e[i] != ';')
            return;
        i++;
        while (i < n && kc_is_blank(e[i]))
            i++;
        if (n - i < 2 || (e[i] != 'q' && e[i] != 'Q') || e[i + 1] != '=')
            return;
        q = parse_qvalue(e + i + 2, n - i - 2);
        if (q < 0)
            return;
    }
    if (kc_eq_lower(e, tok, "*"))
        lower_q(&a->star, q);
    else if (kc_eq_lower(e, tok, "identity"))
        lower_q(&a->q[KE_ENC_IDENTITY], q);
    else if (kc_eq_lower(e, tok, "br"))
        lower_q(&a->q[KE_ENC_BR], q);
    else if (kc_eq_lower(e, tok, "zstd"))
        lower_q(&a->q[KE_ENC_ZSTD], q);
    else if (kc_eq_lower(e, tok, "gzip") || kc_eq_lower(e, tok, "x-gzip"))
        lower_q(&a->q[KE_ENC_GZIP], q);
    else if (kc_eq_lower(e, tok, "dcz"))
        lower_q(&a->q[KE_ENC_DCZ], q);
}

void
ke_accept_init(struct ke_accept *a)
{
    for (int e = 0; e < KE_ENC_ALL; e++)
        a->q[e] = KE_Q_UNSET;
    a->star = KE_Q_UNSET;
    a->present = false;
}

void
ke_accept_add(const char *v, size_t n, struct ke_accept *a)
{
    a->present = true;
    size_t i = 0;
    while (i < n) {
        size_t start = i;
        while (i < n && v[i] != ',')
            i++;
        size_t end = i;
        while (start < end && kc_is_blank(v[start]))
            start++;
        while (end > start && kc_is_blank(v[end - 1]))
            end--;
        if (end > start)
            parse_element(v + start, end - start, a);
        i++; /* past the comma, or past n which ends the loop */
    }
}

void
ke_accept_parse(const char *v, size_t n, struct ke_accept *a)
{
    ke_accept_init(a);
    ke_accept_add(v, n, a);
}

bool
ke_accept_ok(const struct ke_accept *a, enum ke_enc e)
{
    if ((unsigned)e >= KE_ENC_ALL)
        return false;
    if (!a->present)
        return e == KE_ENC_IDENTITY;
    if (a->q[e] != KE_Q_UNSET)
        return a->q[e] > 0;
    if (e == KE_ENC_DCZ)
        return false;
    if (a->star != KE_Q_UNSET)
        return a->star > 0;
    return e == KE_ENC_IDENTITY;
}

int
ke_negotiate(const struct ke_accept *a, const uint64_t size[KE_ENC_COUNT])
{
    /* Visited in server preference order, so a strict '<' keeps the
     * preferred one on a tie. */
    static const enum ke_enc order[KE_ENC_COUNT] = { KE_ENC_BR, KE_ENC_ZSTD, KE_ENC_GZIP,
                                                     KE_ENC_IDENTITY };
    int best = -1;
    uint64_t best_size = 0;

    if (!a->present)
        return KE_ENC_IDENTITY;
    for (int i = 0; i < KE_ENC_COUNT; i++) {
        enum ke_enc e = order[i];
        if (e != KE_ENC_IDENTITY && size[e] == 0)
            continue;
        if (!ke_accept_ok(a, e))
            continue;
        if (best < 0 || size[e] < best_size) {
            best = (int)e;
            best_size = size[e];
        }
    }
    return best;
}
