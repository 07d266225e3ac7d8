/*
 * The module text between splicing's edits, copied into a chunk in one of
 * three ways: as it is (--keep-comments), without its comments but legal
 * ones (the default), or with --minify-whitespace token by token. Tokens,
 * strings, templates and regular expressions are never changed; source
 * map segments follow the copied pieces.
 */
#include "builder/bundle/internal.h"
#include "common/ascii.h"

#include <string.h>

/* ---- blanks, line terminators, tokens: for both ways ----------------------------- */

/* The length of the line terminator at s[i] ("\r\n" is one), 0 if none. */
static size_t
lt_len(const unsigned char *s, size_t i, size_t e)
{
    if (s[i] == '\n')
        return 1;
    if (s[i] == '\r')
        return i + 1 < e && s[i + 1] == '\n' ? 2 : 1;
    if (s[i] == 0xE2 && i + 2 < e && s[i + 1] == 0x80 && (s[i + 2] == 0xA8 || s[i + 2] == 0xA9))
        return 3;
    return 0;
}

/* The length of the blank at s[i] (not a line terminator), 0 if none. */
static size_t
blank_len(const unsigned char *s, size_t i, size_t e)
{
    if (kc_is_js_space(s[i]))
        return 1;
    if (s[i] == 0xC2 && i + 1 < e && s[i + 1] == 0xA0)
        return 2; /* no-break space */
    if (s[i] == 0xEF && i + 2 < e && s[i + 1] == 0xBB && s[i + 2] == 0xBF)
        return 3; /* byte order mark */
    return 0;
}

/* The index of the first token of m that ends after offset a (a binary
 * search: m->ast.toks holds each token's start and end, in order). */
static size_t
first_token(const struct kb_mod *m, size_t a)
{
    const uint32_t *t = m->ast.toks;
    size_t lo = 0, hi = m->ast.ntoks;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t[2 * mid + 1] <= a)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* ---- --minify-whitespace --------------------------------------------------------- */

/* The bytes src[a, e) between two tokens: 0 none, 1 blanks or comments on
 * one line, 2 the same with a line terminator, -1 anything else (then copied
 * as it is: the parser's tokens should leave nothing else). */
static int
gap_kind(const char *src, size_t a, size_t e)
{
    const unsigned char *s = (const unsigned char *)src;
    int k = a < e ? 1 : 0;
    for (size_t i = a, n; i < e;) {
        if ((n = lt_len(s, i, e))) {
            k = 2;
            i += n;
        } else if ((n = blank_len(s, i, e))) {
            i += n;
        } else if (s[i] == '/' && i + 1 < e && s[i + 1] == '/') {
            while (i < e && !lt_len(s, i, e))
                i++;
        } else if (s[i] == '/' && i + 1 < e && s[i + 1] == '*') {
            size_t j = i + 2;
            while (j + 1 < e && !(s[j] == '*' && s[j + 1] == '/')) {
                if (lt_len(s, j, e))
                    k = 2; /* a line terminator inside counts as one (ASI) */
                j++;
            }
            if (j + 1 >= e)
                return -1;
            i = j + 2;
        } else {
            return -1;
        }
    }
    return k;
}

static bool
word_byte(unsigned char c)
{
    return kc_is_alnum(c) || c == '_' || c == '$' || c == '\\' || c >= 0x80;
}

/*
 * Whether the last byte x of one token and the first byte y of the next
 * would lex differently with nothing between them: two name or number
 * characters, two operator characters (a + +b, a - -b, / /, < !--, -- >,
 * < /script), a number and a dot, a regular expression's closing slash and a
 * name (its flags). Conservative: '=-' keeps its space too.
 */
static bool
need_space(unsigned char x, unsigned char y)
{
    const char *ops = "+-*/%&|^!~<>=?.:";
    bool px = kc_in_set(x, ops), py = kc_in_set(y, ops);
    return (word_byte(x) && word_byte(y)) || (px && py) || (kc_is_digit(x) && y == '.') ||
           (x == '.' && kc_is_digit(y)) || (x == '/' && word_byte(y));
}

/* A gap of module text: nothing, one space, or one line break where the
 * original had one (a line break can matter to ASI). At an edge (next to an
 * edit's text) a gap never vanishes. */
static int
put_gap(struct kb_smap *map, struct kc_buf *o, int si, const struct kb_mod *m, size_t a, size_t e,
        bool edge)
{
    int k = gap_kind(m->src, a, e);
    if (k < 0)
        return kb_smap_copy(map, o, si, m->src, a, e - a);
    unsigned char x = o->len ? (unsigned char)o->data[o->len - 1] : '\n';
    if (k == 0 || x == '\n' || (k == 1 && x == ' '))
        return 0; /* already separated */
    if (k == 2)
        return kb_smap_gen(map, o, "\n", -1, NULL, 0);
    unsigned char y = e < m->len ? (unsigned char)m->src[e] : '\n';
    if (edge || need_space(x, y))
        return kb_smap_gen(map, o, " ", -1, NULL, 0);
    return 0;
}

/* ---- comments (default without --keep-comments) ---------------------------------- */

/* A legal comment, kept as esbuild keeps it: one that starts with "!" or
 * contains @license or @preserve. */
static bool
legal_comment(const char *s, size_t a, size_t e)
{
    if (e - a >= 3 && s[a + 2] == '!')
        return true;
    for (size_t i = a; i < e; i++)
        if (s[i] == '@' && ((e - i >= 8 && memcmp(s + i, "@license", 8) == 0) ||
                            (e - i >= 9 && memcmp(s + i, "@preserve", 9) == 0)))
            return true;
    return false;
}

struct strip {
    struct kb_smap *map;
    struct kc_buf *o;
    int si;
    const struct kb_mod *m;
    size_t run; /* the module text from run on is not copied yet */
    bool sep;   /* a comment was just removed: the next token may need a blank */
    bool lr;    /* a comment was removed on the current line */
};

static int
strip_flush(struct strip *st, size_t to)
{
    int rc = 0;
    if (to > st->run) {
        rc = kb_smap_copy(st->map, st->o, st->si, st->m->src, st->run, to - st->run);
        st->run = to;
    }
    return rc;
}

static bool
strip_at_line_start(const struct strip *st)
{
    return !st->o->len || st->o->data[st->o->len - 1] == '\n' ||
           st->o->data[st->o->len - 1] == '\r';
}

/* Before the text at p, right after a removed comment: a blank if the two
 * sides would run together (always at an edge, next to an edit's text). */
static int
strip_sep(struct strip *st, size_t p, bool edge)
{
    if (!st->sep)
        return 0;
    st->sep = false;
    int rc = strip_flush(st, p);
    unsigned char x = st->o->len ? (unsigned char)st->o->data[st->o->len - 1] : '\n';
    if (rc || kc_is_blank(x) || strip_at_line_start(st))
        return rc;
    unsigned char y = p < st->m->len ? (unsigned char)st->m->src[p] : '\n';
    if (edge || need_space(x, y))
        return kb_smap_gen(st->map, st->o, " ", -1, NULL, 0);
    return 0;
}

/* The gap src[a, e) between two tokens without its comments (legal ones
 * stay). A removed comment takes the blanks before it along; one that held
 * a line terminator leaves a line break (ASI); a line left with nothing but
 * a removed comment goes entirely. Everything else is copied as it is. */
static int
strip_gap(struct strip *st, size_t a, size_t e)
{
    const unsigned char *s = (const unsigned char *)st->m->src;
    size_t bl = a; /* where the blanks right before i start */
    int rc = 0;
    for (size_t i = a, n; i < e && !rc;) {
        if ((n = lt_len(s, i, e))) {
            if (st->lr) {
                rc = strip_flush(st, bl);
                st->run = strip_at_line_start(st) ? i + n : i;
                st->lr = false;
            }
            st->sep = false;
            i += n;
            bl = i;
        } else if ((n = blank_len(s, i, e))) {
            st->sep = false;
            i += n;
        } else if (s[i] == '/' && i + 1 < e && (s[i + 1] == '/' || s[i + 1] == '*')) {
            size_t j = i + 2;
            bool nl = false;
            if (s[i + 1] == '/') {
                while (j < e && !lt_len(s, j, e))
                    j++;
            } else {
                while (j + 1 < e && !(s[j] == '*' && s[j + 1] == '/'))
                    nl |= lt_len(s, j++, e) > 0;
                if (j + 1 >= e) { /* not a comment: the parser left no such gap */
                    rc = strip_sep(st, i, false);
                    bl = ++i;
                    continue;
                }
                j += 2;
            }
            if (legal_comment(st->m->src, i, j)) {
                rc = strip_sep(st, i, false);
            } else {
                rc = strip_flush(st, bl);
                st->run = j;
                st->lr = true;
                st->sep = !nl;
                if (!rc && nl && !strip_at_line_start(st))
                    rc = kb_smap_gen(st->map, st->o, "\n", -1, NULL, 0);
            }
            i = bl = j;
        } else {
            rc = strip_sep(st, i, false);
            bl = ++i;
        }
    }
    return rc;
}

/* Module text [a, e) without its comments, tokens copied in long pieces
 * (a source map segment per piece and per line, as for plain copies). */
static int
strip_text(struct kb_smap *map, struct kc_buf *o, int si, const struct kb_mod *m, size_t a,
           size_t e)
{
    const uint32_t *t = m->ast.toks;
    size_t n = m->ast.ntoks, lo = first_token(m, a);
    struct strip st = { .map = map, .o = o, .si = si, .m = m, .run = a };
    size_t cur = a;
    int rc = 0;
    for (size_t k = lo; k < n && t[2 * k] < e && !rc; k++) {
        size_t ts = t[2 * k] > cur ? t[2 * k] : cur, te = t[2 * k + 1] < e ? t[2 * k + 1] : e;
        rc = strip_gap(&st, cur, ts);
        if (!rc)
            rc = strip_sep(&st, ts, false);
        cur = te;
    }
    if (!rc)
        rc = strip_gap(&st, cur, e);
    if (!rc)
        rc = strip_sep(&st, e, true);
    return rc ? rc : strip_flush(&st, e);
}

/* ---- copying --------------------------------------------------------------------- */

/* Copies module text [a, e) into the chunk: as it is (--keep-comments),
 * without comments but legal ones (the default), or with
 * --minify-whitespace token by token (each token mapped), the gaps between
 * them reduced by put_gap. Tokens, strings, templates and regular
 * expressions are never changed. */
int
kb__copy_text(struct bundle *b, struct kb_smap *map, struct kc_buf *o, int si,
              const struct kb_mod *m, size_t a, size_t e)
{
    if (!b->s->opt->minify_ws && b->s->opt->keep_comments)
        return kb_smap_copy(map, o, si, m->src, a, e - a);
    if (!b->s->opt->minify_ws)
        return strip_text(map, o, si, m, a, e);
    const uint32_t *t = m->ast.toks;
    size_t n = m->ast.ntoks, lo = first_token(m, a);
    size_t cur = a;
    int rc = 0;
    for (size_t k = lo; k < n && t[2 * k] < e && !rc; k++) {
        size_t ts = t[2 * k] > cur ? t[2 * k] : cur, te = t[2 * k + 1] < e ? t[2 * k + 1] : e;
        rc = put_gap(map, o, si, m, cur, ts, cur == a);
        if (!rc)
            rc = kb_smap_copy(map, o, si, m->src, ts, te - ts);
        cur = te;
    }
    return rc ? rc : put_gap(map, o, si, m, cur, e, true);
}
