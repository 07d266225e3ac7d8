/*
 * Source maps (v3) of spliced chunks: text is appended to a chunk through
 * kb_smap_copy, which keeps the generated line and column (UTF-16 units, as
 * the format counts) and records one segment at the start of each piece and
 * of each line inside a copied piece, pointing at the original file's line
 * and column. Pure over its buffers; the bundler owns one per chunk.
 */
#include "builder/bundle/internal.h"
#include "common/buf.h"
#include "common/error.h"
#include "common/utf8.h"
#include "common/vec.h"

#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* The UTF-16 units of s[0..len), which holds no line break: what the
 * browser decodes, one per character and two for an astral one (a
 * surrogate pair), and one U+FFFD per ill-formed sequence (kc_utf8_get), so
 * a Latin-1 byte is one column as the browser shows it, not zero. */
static unsigned
span_units(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    unsigned k = 0;
    for (size_t i = 0; i < len;) {
        uint32_t n = 1;
        if (u[i] >= 0x80)
            kc_utf8_get(u + i, len - i, &n);
        k += n == 4 ? 2 : 1;
        i += n;
    }
    return k;
}

/* Moves the line and column *line, *col over t[from..to). */
static void
advance(const char *t, size_t from, size_t to, unsigned *line, unsigned *col)
{
    while (from < to) {
        const char *nl = memchr(t + from, '\n', to - from);
        size_t end = nl ? (size_t)(nl - t) : to;
        *col += span_units(t + from, end - from);
        if (!nl)
            return;
        ++*line;
        *col = 0;
        from = end + 1;
    }
}

int
kb_smap_push(struct kb_smap *m, unsigned gline, unsigned gcol, int si, unsigned oline,
             unsigned ocol)
{
    int rc = kc_vec_reserve(m->v, m->cap, m->n + 1, KB_LIST_MAX);
    if (!rc)
        m->v[m->n++] = (struct kb_smap_seg){ gline, gcol, si, oline, ocol };
    return rc;
}

/* The original line and column of byte off of src, from the cached cursor
 * when off did not move back. */
static void
orig_pos(struct kb_smap *m, int si, const char *src, size_t off, unsigned *line, unsigned *col)
{
    if (m->osrc != si || off < m->ooff) {
        m->osrc = si;
        m->ooff = 0;
        m->oline = m->ocol = 0;
    }
    advance(src, m->ooff, off, &m->oline, &m->ocol);
    m->ooff = off;
    *line = m->oline;
    *col = m->ocol;
}

/* Appends text[0..len), advancing the generated cursor; with copied, text
 * is src + off and each of its lines is mapped; otherwise (generated text)
 * only its start is, to src's offset off, or nothing when si < 0. */
static int
append(struct kb_smap *m, struct kc_buf *out, const char *text, size_t len, int si, const char *src,
       size_t off, bool copied)
{
    int rc = kc_buf_append(out, text, len);
    if (!rc && si >= 0 && len) {
        unsigned ol, oc;
        orig_pos(m, si, src, off, &ol, &oc);
        rc = kb_smap_push(m, m->line, m->col, si, ol, oc);
    }
    for (size_t i = 0; i < len && !rc;) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - text) : len;
        m->col += span_units(text + i, end - i);
        if (!nl)
            break;
        m->line++;
        m->col = 0;
        i = end + 1;
        if (copied && si >= 0 && i < len) {
            unsigned ol, oc;
            orig_pos(m, si, src, off + i, &ol, &oc);
            rc = kb_smap_push(m, m->line, 0, si, ol, oc);
        }
    }
    return rc;
}

int
kb_smap_copy(struct kb_smap *m, struct kc_buf *out, int si, const char *src, size_t off, size_t len)
{
    return append(m, out, src + off, len, si, src, off, true);
}

int
kb_smap_gen(struct kb_smap *m, struct kc_buf *out, const char *text, int si, const char *src,
            size_t off)
{
    return append(m, out, text, strlen(text), si, src, off, false);
}

unsigned *
kb_smap_line_units(const char *text, size_t len, size_t *n)
{
    size_t k = 1;
    for (size_t i = 0; i < len; i++)
        k += text[i] == '\n';
    unsigned *v = calloc(k, sizeof *v);
    if (!v)
        return NULL;
    *n = k;
    unsigned line = 0;
    for (size_t i = 0; i < len;) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - text) : len;
        v[line++] = span_units(text + i, end - i);
        i = end + 1;
    }
    return v;
}

static int
vlq(struct kc_buf *o, long v)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    unsigned long u = v < 0 ? ((unsigned long)(-v) << 1) | 1 : (unsigned long)v << 1;
    int rc = 0;
    do {
        unsigned d = u & 31;
        u >>= 5;
        rc = kc_buf_putc(o, b64[d | (u ? 32 : 0)]);
    } while (u && !rc);
    return rc;
}

int
kb_smap_mappings(const struct kb_smap *m, unsigned line_offset, struct kc_buf *o)
{
    unsigned line = 0;
    long pcol = 0, psrc = 0, pol = 0, poc = 0;
    int rc = 0;
    for (unsigned i = 0; i < line_offset && !rc; i++, line++)
        rc = kc_buf_putc(o, ';');
    bool first = true;
    for (size_t i = 0; i < m->n && !rc; i++) {
        const struct kb_smap_seg *s = &m->v[i];
        unsigned gl = s->gline + line_offset;
        if (gl != line) {
            while (line < gl && !rc) {
                rc = kc_buf_putc(o, ';');
                line++;
            }
            pcol = 0;
            first = true;
        }
        if (!rc && !first)
            rc = kc_buf_putc(o, ',');
        first = false;
        if (!rc)
            rc = vlq(o, (long)s->gcol - pcol);
        pcol = s->gcol;
        if (s->src < 0) /* generated text with no original: the column alone */
            continue;
        if (!rc)
            rc = vlq(o, (long)s->src - psrc);
        if (!rc)
            rc = vlq(o, (long)s->oline - pol);
        if (!rc)
            rc = vlq(o, (long)s->ocol - poc);
        psrc = s->src;
        pol = s->oline;
        poc = s->ocol;
    }
    return rc;
}

char *
kb_smap_json(const struct kb_smap *m, unsigned line_offset, const char *const *sources,
             const char *const *contents, const size_t *lens, size_t n)
{
    struct kc_buf mp;
    kc_buf_init(&mp, 1ull << 31);
    if (kb_smap_mappings(m, line_offset, &mp) != 0) {
        kc_buf_free(&mp);
        return NULL;
    }
    /* A source that is not UTF-8 (jansson's json_stringn refuses it) goes
     * into sourcesContent as the browser decoded it: U+FFFD for each
     * ill-formed sequence. JSON holds only Unicode text. */
    struct kc_buf fixed;
    kc_buf_init(&fixed, (size_t)1 << 31);
    json_t *srcs = json_array(), *cont = json_array();
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(srcs, json_string(sources[i]));
        json_t *c = contents[i] ? json_stringn(contents[i], lens[i]) : json_null();
        if (!c && contents[i]) {
            kc_buf_reset(&fixed);
            if (kc_utf8_scrub(contents[i], lens[i], &fixed) == 0)
                c = json_stringn_nocheck(fixed.data ? fixed.data : "", fixed.len);
        }
        json_array_append_new(cont, c);
    }
    kc_buf_free(&fixed);
    json_t *root = json_pack("{s:i, s:o, s:o, s:[], s:s}", "version", 3, "sources", srcs,
                             "sourcesContent", cont, "names", "mappings", mp.data ? mp.data : "");
    kc_buf_free(&mp);
    char *text = root ? json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(root);
    return text;
}

void
kb_smap_free(struct kb_smap *m)
{
    free(m->v);
    *m = (struct kb_smap){ .osrc = -1 };
}

/* The last segment of m at or before generated (line, col), or NULL. */
const struct kb_smap_seg *
kb_smap_find(const struct kb_smap *m, unsigned line, unsigned col)
{
    size_t lo = 0, hi = m->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct kb_smap_seg *s = &m->v[mid];
        if (s->gline < line || (s->gline == line && s->gcol <= col))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo ? &m->v[lo - 1] : NULL;
}

/* Line and UTF-16 column of byte off of text, from the cursor *c (which
 * moves; offsets that go back restart from the line's start). */
struct kb_smap_cursor {
    size_t off;
    unsigned line, col;
    const size_t *starts; /* line starts, for jumps back */
    size_t nstarts;
};

static void
cursor_to(struct kb_smap_cursor *c, const char *text, size_t off)
{
    if (off < c->off) {
        size_t lo = 0, hi = c->nstarts;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (c->starts[mid] <= off)
                lo = mid + 1;
            else
                hi = mid;
        }
        c->line = (unsigned)(lo - 1);
        c->off = c->starts[lo - 1];
        c->col = 0;
    }
    advance(text, c->off, off, &c->line, &c->col);
    c->off = off;
}

int
kb_smap_compose(const struct kb_smap *inner, unsigned line_offset, const char *mid, size_t mid_len,
                const char *out, const struct kb_lower_seg *segs, size_t nsegs, struct kb_smap *res)
{
    *res = (struct kb_smap){ .osrc = -1 };
    size_t n = 1, cap = 0;
    for (size_t i = 0; i < mid_len; i++)
        n += mid[i] == '\n';
    size_t *starts = NULL;
    int rc = kc_vec_reserve(starts, cap, n, SIZE_MAX / sizeof *starts);
    if (rc)
        return rc;
    n = 0;
    starts[n++] = 0;
    for (size_t i = 0; i < mid_len; i++)
        if (mid[i] == '\n')
            starts[n++] = i + 1;
    struct kb_smap_cursor mc = { .starts = starts, .nstarts = n };
    struct kb_smap_cursor oc = { 0 };
    for (size_t i = 0; i < nsegs && !rc; i++) {
        if (segs[i].in > mid_len)
            continue;
        cursor_to(&mc, mid, segs[i].in);
        cursor_to(&oc, out, segs[i].out);
        if (mc.line < line_offset)
            continue;
        const struct kb_smap_seg *s = kb_smap_find(inner, mc.line - line_offset, mc.col);
        if (!s || s->gline != mc.line - line_offset)
            continue;
        if (res->n && res->v[res->n - 1].gline == oc.line && res->v[res->n - 1].gcol == oc.col)
            continue;
        rc = kb_smap_push(res, oc.line, oc.col, s->src, s->oline, s->ocol + (mc.col - s->gcol));
    }
    free(starts);
    if (rc)
        kb_smap_free(res);
    return rc;
}

/* One base64 VLQ of s[*i..n) into *v. */
static int
unvlq(const char *s, size_t n, size_t *i, long *v)
{
    unsigned long u = 0;
    unsigned shift = 0;
    for (;;) {
        if (*i >= n || shift > 30)
            return KC_EINVAL;
        char c = s[(*i)++];
        int d = c >= 'A' && c <= 'Z'   ? c - 'A'
                : c >= 'a' && c <= 'z' ? c - 'a' + 26
                : c >= '0' && c <= '9' ? c - '0' + 52
                : c == '+'             ? 62
                : c == '/'             ? 63
                                       : -1;
        if (d < 0)
            return KC_EINVAL;
        u |= (unsigned long)(d & 31) << shift;
        shift += 5;
        if (!(d & 32))
            break;
    }
    *v = u & 1 ? -(long)(u >> 1) : (long)(u >> 1);
    return 0;
}

static int
cmp_seg(const void *x, const void *y)
{
    const struct kb_smap_seg *a = x, *b = y;
    if (a->gline != b->gline)
        return a->gline < b->gline ? -1 : 1;
    return a->gcol < b->gcol ? -1 : a->gcol > b->gcol;
}

int
kb_smap_decode(const char *s, size_t n, size_t nsrc, struct kb_smap *out)
{
    *out = (struct kb_smap){ .osrc = -1 };
    long line = 0, col = 0, src = 0, ol = 0, oc = 0;
    bool sorted = true;
    int rc = 0;
    for (size_t i = 0; i < n && !rc;) {
        if (s[i] == ';') {
            line++;
            col = 0;
            i++;
            continue;
        }
        if (s[i] == ',') {
            i++;
            continue;
        }
        long f[5];
        int k = 0;
        while (!rc && k < 5 && i < n && s[i] != ',' && s[i] != ';')
            rc = unvlq(s, n, &i, &f[k++]);
        if (rc || (k != 1 && k != 4 && k != 5) || (i < n && s[i] != ',' && s[i] != ';'))
            rc = KC_EINVAL;
        if (rc)
            break;
        col += f[0];
        if (k > 1) {
            src += f[1];
            ol += f[2];
            oc += f[3];
        }
        if (col < 0 || line > INT_MAX || col > INT_MAX ||
            (k > 1 && (src < 0 || (size_t)src >= nsrc || ol < 0 || oc < 0 || ol > INT_MAX ||
                       oc > INT_MAX))) {
            rc = KC_EINVAL;
            break;
        }
        if (out->n && cmp_seg(&out->v[out->n - 1],
                              &(struct kb_smap_seg){ (unsigned)line, (unsigned)col, 0, 0, 0 }) > 0)
            sorted = false;
        rc = kb_smap_push(out, (unsigned)line, (unsigned)col, k > 1 ? (int)src : -1,
                          (unsigned)(k > 1 ? ol : 0), (unsigned)(k > 1 ? oc : 0));
    }
    if (!rc && !sorted)
        qsort(out->v, out->n, sizeof *out->v, cmp_seg);
    if (rc)
        kb_smap_free(out);
    return rc;
}
