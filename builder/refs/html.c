/*
 * The HTML reference scanner: a tokenizer after the WHATWG states (data,
 * tags and attributes, comments, raw text, RCDATA, script data with its
 * escapes) that reports the URLs of loading attributes and hands inline
 * <style>, <script> and style="" to the CSS and JS scanners. It reads the
 * buffer once, front to back, and reads a whole start tag before emitting its
 * refs in attribute order, so spans come out increasing and never overlap.
 */
#include "builder/refs/ref.h"
#include "common/ascii.h"
#include "common/utf8.h"
#include "common/error.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The attributes that matter; any other attribute is tokenized and dropped. */
enum html_attr {
    A_SRC,
    A_SRCSET,
    A_IMAGESRCSET,
    A_HREF,
    A_XLINK_HREF,
    A_POSTER,
    A_DATA,
    A_CONTENT,
    A_STYLE,
    A_REL,
    A_TYPE,
    A_AS,
    A_PROPERTY,
    A_NAME,
    A_INTEGRITY,
    A_CROSSORIGIN,
    A_NO_INTEGRITY,
    A_COMPONENT_URL,
    A_RENDERER_URL,
    A_BEFORE_HYDRATION_URL,
    A_MEDIA,
    A_COUNT
};

static const char *const html_attr_names[A_COUNT] = {
    "src",
    "srcset",
    "imagesrcset",
    "href",
    "xlink:href",
    "poster",
    "data",
    "content",
    "style",
    "rel",
    "type",
    "as",
    "property",
    "name",
    "integrity",
    "crossorigin",
    "data-kiln-no-integrity",
    "component-url",
    "renderer-url",
    "before-hydration-url",
    "media",
};

enum html_tag_id {
    T_OTHER,
    T_SCRIPT,
    T_STYLE,
    T_TEXTAREA,
    T_TITLE,
    T_XMP,
    T_IFRAME,
    T_NOEMBED,
    T_NOFRAMES,
    T_PLAINTEXT,
    T_LINK,
    T_IMG,
    T_IMAGE,
    T_SOURCE,
    T_PICTURE,
    T_VIDEO,
    T_AUDIO,
    T_TRACK,
    T_EMBED,
    T_OBJECT,
    T_INPUT,
    T_USE,
    T_META,
    T_SVG,
    T_ASTRO_ISLAND,
    T_COUNT
};

static const char *const html_tag_names[T_COUNT] = {
    "",        "script",   "style",     "textarea",     "title", "xmp",    "iframe",
    "noembed", "noframes", "plaintext", "link",         "img",   "image",  "source",
    "picture", "video",    "audio",     "track",        "embed", "object", "input",
    "use",     "meta",     "svg",       "astro-island",
};

/* A value span [s, e) inside the quotes; set only for an attribute's first
 * occurrence, since browsers ignore later duplicates. */
struct html_val {
    bool set;
    size_t s, e;
};

struct html_tag {
    enum html_tag_id id;
    bool end, self_closing;
    size_t open; /* offset of '<' */
    size_t name_s, name_e;
    size_t tag_end; /* the '>' or the '/' of "/>" */
    size_t next;    /* just past the '>' */
    struct html_val a[A_COUNT];
};

#define HTML_MEDIA_DEPTH 16

struct html_scan {
    const char *src;
    size_t len;
    struct kb_reflist *out;
    struct kc_diag *diag;
    size_t lpos; /* line cursor: src[lpos] is on line lline */
    unsigned lline;
    unsigned svg; /* open <svg> elements */
    /* Open picture/video/audio elements, innermost last; deeper nesting is
     * only counted, so a <source> there is classified as in its ancestor. */
    unsigned char media[HTML_MEDIA_DEPTH];
    unsigned nmedia, media_over;
    /* kb_html_module_start: records instead of only scanning. */
    bool probe, found;
    size_t first_module; /* '<' of the first module script or modulepreload link */
    bool has_map;        /* a <script type="importmap"> */
};

/* Shrinks [*s, *e) of src past ASCII whitespace at both ends. */
static void
html_trim(const char *src, size_t *s, size_t *e)
{
    while (*s < *e && kc_is_ws(src[*s]))
        (*s)++;
    while (*e > *s && kc_is_ws(src[*e - 1]))
        (*e)--;
}

/* Named references decoded besides the numeric ones: the XML five, their
 * legacy capitals, and the punctuation names that can turn up in URLs. No
 * expansion is longer than its "&name", which kb__html_decode relies on. */
#define HTML_ENTITIES_LEGACY 8
static const struct {
    const char *name, *text;
} html_entities[] = {
    /* The first HTML_ENTITIES_LEGACY also decode without the ';'. */
    { "amp", "&" },    { "lt", "<" },          { "gt", ">" },          { "quot", "\"" },
    { "AMP", "&" },    { "LT", "<" },          { "GT", ">" },          { "QUOT", "\"" },
    { "apos", "'" },   { "nbsp", "\xc2\xa0" }, { "copy", "\xc2\xa9" }, { "reg", "\xc2\xae" },
    { "sol", "/" },    { "bsol", "\\" },       { "colon", ":" },       { "semi", ";" },
    { "num", "#" },    { "quest", "?" },       { "equals", "=" },      { "percnt", "%" },
    { "plus", "+" },   { "comma", "," },       { "period", "." },      { "lpar", "(" },
    { "rpar", ")" },   { "lsqb", "[" },        { "rsqb", "]" },        { "lcub", "{" },
    { "rcub", "}" },   { "lowbar", "_" },      { "excl", "!" },        { "dollar", "$" },
    { "commat", "@" }, { "ast", "*" },         { "verbar", "|" },      { "grave", "`" },
    { "Hat", "^" },    { "Tab", "\t" },        { "NewLine", "\n" },
};

/*
 * Decodes one character reference at s[0] == '&' into out. Returns the bytes
 * of s consumed (0 when this is no reference: the caller copies the '&') and
 * sets *wrote. Never writes more bytes than it consumes: the shortest numeric
 * reference for each UTF-8 length is at least that long (&#0 gives the
 * 3-byte U+FFFD), and the named table is chosen so.
 */
static size_t
html_decode_one(const char *s, size_t n, char *out, size_t *wrote)
{
    if (n >= 2 && s[1] == '#') {
        size_t i = 2;
        bool hex = i < n && (s[i] == 'x' || s[i] == 'X');
        if (hex)
            i++;
        size_t d0 = i;
        uint32_t cp = 0;
        for (; i < n; i++) {
            int v = hex ? kc_hexval(s[i]) : kc_is_digit(s[i]) ? s[i] - '0' : -1;
            if (v < 0)
                break;
            if (cp <= 0x10ffff) /* saturate: anything above is invalid anyway */
                cp = cp * (hex ? 16 : 10) + (uint32_t)v;
        }
        if (i == d0)
            return 0;
        if (i < n && s[i] == ';')
            i++;
        if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            cp = 0xfffd;
        *wrote = kc_utf8_put(cp, out);
        return i;
    }
    size_t i = 1;
    while (i < n && i < 12 && kc_is_alnum(s[i]))
        i++;
    size_t nlen = i - 1;
    if (nlen == 0)
        return 0;
    bool semi = i < n && s[i] == ';';
    for (size_t k = 0; k < sizeof html_entities / sizeof html_entities[0]; k++) {
        const char *name = html_entities[k].name;
        if (strlen(name) != nlen || memcmp(name, s + 1, nlen) != 0)
            continue;
        /* Without ';' only the legacy four decode, as in attribute values. */
        if (!semi && (k >= HTML_ENTITIES_LEGACY || (i < n && (kc_is_alnum(s[i]) || s[i] == '='))))
            return 0;
        size_t tl = strlen(html_entities[k].text);
        memcpy(out, html_entities[k].text, tl);
        *wrote = tl;
        return i + (semi ? 1 : 0);
    }
    return 0;
}

/*
 * Decodes the character references in s[0..n) into out, which must hold n
 * bytes (the result is never longer than the input; it is not NUL-terminated).
 * Unknown references are copied as written. Returns the decoded length.
 */
size_t
kb__html_decode(const char *s, size_t n, char *out)
{
    size_t i = 0, o = 0;
    while (i < n) {
        const char *amp = memchr(s + i, '&', n - i);
        size_t run = amp ? (size_t)(amp - s) - i : n - i;
        memcpy(out + o, s + i, run);
        o += run;
        i += run;
        if (i >= n)
            break;
        size_t wrote = 0, used = html_decode_one(s + i, n - i, out + o, &wrote);
        if (used == 0) {
            out[o++] = '&';
            i++;
        } else {
            o += wrote;
            i += used;
        }
    }
    return o;
}

/* The 1-based line of offset off. Amortised linear: callers ask for offsets
 * in increasing order, and the cursor only moves forward. */
static unsigned
html_line_at(struct html_scan *sc, size_t off)
{
    if (off < sc->lpos) { /* not expected; stay correct anyway */
        sc->lpos = 0;
        sc->lline = 1;
    }
    const char *nl;
    while ((nl = memchr(sc->src + sc->lpos, '\n', off - sc->lpos))) {
        sc->lline++;
        sc->lpos = (size_t)(nl - sc->src) + 1;
    }
    sc->lpos = off;
    return sc->lline;
}

/* Offset of the first occurrence of lit at or after from, or len. */
static size_t
html_find(const char *src, size_t len, size_t from, const char *lit)
{
    size_t m = strlen(lit);
    while (from + m <= len) {
        const char *p = memchr(src + from, lit[0], len - from - m + 1);
        if (!p)
            break;
        if (memcmp(p, lit, m) == 0)
            return (size_t)(p - src);
        from = (size_t)(p - src) + 1;
    }
    return len;
}

/* True when src[i..] is "</name" (any case) followed by whitespace, '/' or
 * '>': the "appropriate end tag" that closes raw text. */
static bool
html_is_end_tag(const char *src, size_t len, size_t i, const char *name)
{
    size_t m = strlen(name);
    if (i + 2 + m >= len || src[i] != '<' || src[i + 1] != '/')
        return false;
    if (!kc_eq_lower(src + i + 2, m, name))
        return false;
    unsigned char c = (unsigned char)src[i + 2 + m];
    return kc_is_ws(c) || c == '/' || c == '>';
}

/* Offset of the '<' of the end tag closing raw text or RCDATA that starts at
 * from, or len if there is none. */
static size_t
html_find_end_tag(const char *src, size_t len, size_t from, const char *name)
{
    for (size_t i = from; i < len; i++) {
        const char *p = memchr(src + i, '<', len - i);
        if (!p)
            break;
        i = (size_t)(p - src);
        if (html_is_end_tag(src, len, i, name))
            return i;
    }
    return len;
}

/*
 * Offset of the '<' of the "</script" that ends script data starting at from,
 * or len. Follows the tokenizer's escape states: inside "<!--", a "<script"
 * enters the double-escaped state where "</script" does not end the element
 * but only leaves that state; "-->" returns to plain script data.
 */
static size_t
html_find_script_end(const char *src, size_t len, size_t from)
{
    enum { PLAIN, ESCAPED, DOUBLE } st = PLAIN;
    unsigned dashes = 0;
    size_t i = from;
    while (i < len) {
        if (st == PLAIN) {
            const char *p = memchr(src + i, '<', len - i);
            if (!p)
                return len;
            i = (size_t)(p - src);
            if (html_is_end_tag(src, len, i, "script"))
                return i;
            if (i + 4 <= len && memcmp(src + i, "<!--", 4) == 0) {
                st = ESCAPED;
                dashes = 2;
                i += 4;
                continue;
            }
            i++;
            continue;
        }
        char c = src[i];
        if (c == '-') {
            dashes++;
            i++;
            continue;
        }
        if (c == '>' && dashes >= 2) {
            st = PLAIN;
            dashes = 0;
            i++;
            continue;
        }
        dashes = 0;
        if (c == '<') {
            if (st == ESCAPED && html_is_end_tag(src, len, i, "script"))
                return i;
            if (st == DOUBLE && html_is_end_tag(src, len, i, "script")) {
                st = ESCAPED;
                i += 8;
                continue;
            }
            if (st == ESCAPED && i + 7 < len && kc_eq_lower(src + i + 1, 6, "script")) {
                unsigned char d = (unsigned char)src[i + 7];
                if (kc_is_ws(d) || d == '/' || d == '>') {
                    st = DOUBLE;
                    i += 7;
                    continue;
                }
            }
        }
        i++;
    }
    return len;
}

static enum html_tag_id
html_tag_lookup(const char *s, size_t n)
{
    for (int k = 1; k < T_COUNT; k++)
        if (kc_eq_lower(s, n, html_tag_names[k]))
            return (enum html_tag_id)k;
    return T_OTHER;
}

static void
html_attr_record(struct html_tag *t, const char *name, size_t n, size_t vs, size_t ve)
{
    for (int k = 0; k < A_COUNT; k++) {
        if (kc_eq_lower(name, n, html_attr_names[k])) {
            if (!t->a[k].set) {
                t->a[k].set = true;
                t->a[k].s = vs;
                t->a[k].e = ve;
            }
            return;
        }
    }
}

/*
 * Reads the start or end tag whose '<' is at i (the caller checked that a
 * letter follows "<" or "</") through its closing '>', filling *t. Attribute
 * states follow the tokenizer: names run to whitespace, '/', '>' or '=',
 * values are double-, single- or unquoted, a '/' not before '>' is ignored.
 * Returns 0, or KC_EPARSE when the file ends inside the tag or inside a
 * quoted value.
 */
static int
html_read_tag(struct html_scan *sc, size_t i, bool end, struct html_tag *t)
{
    const char *src = sc->src;
    size_t len = sc->len;
    memset(t, 0, sizeof *t);
    t->end = end;
    t->open = i;
    size_t p = i + (end ? 2 : 1);
    t->name_s = p;
    while (p < len && !kc_is_ws(src[p]) && src[p] != '/' && src[p] != '>')
        p++;
    t->name_e = p;
    t->id = html_tag_lookup(src + t->name_s, p - t->name_s);
    for (;;) {
        while (p < len && (kc_is_ws(src[p]) || src[p] == '/')) {
            if (src[p] == '/' && p + 1 < len && src[p + 1] == '>') {
                t->self_closing = true;
                t->tag_end = p;
                t->next = p + 2;
                return 0;
            }
            p++;
        }
        if (p >= len)
            break;
        if (src[p] == '>') {
            t->tag_end = p;
            t->next = p + 1;
            return 0;
        }
        size_t ns = p++; /* a leading '=' belongs to the name */
        while (p < len && !kc_is_ws(src[p]) && src[p] != '/' && src[p] != '>' && src[p] != '=')
            p++;
        size_t ne = p, vs = ne, ve = ne;
        while (p < len && kc_is_ws(src[p]))
            p++;
        if (p >= len)
            break;
        if (src[p] == '=') {
            p++;
            while (p < len && kc_is_ws(src[p]))
                p++;
            if (p >= len)
                break;
            if (src[p] == '"' || src[p] == '\'') {
                const char *q = memchr(src + p + 1, src[p], len - p - 1);
                if (!q) {
                    kc_diag_set(sc->diag, src, p,
                                "unterminated quoted value of attribute \"%.*s\": "
                                "end of file before the closing %c",
                                (int)(ne - ns < 40 ? ne - ns : 40), src + ns, src[p]);
                    return KC_EPARSE;
                }
                vs = p + 1;
                ve = (size_t)(q - src);
                p = ve + 1;
            } else if (src[p] == '>') {
                vs = ve = p; /* "a=>" : an empty value */
            } else {
                vs = p;
                while (p < len && !kc_is_ws(src[p]) && src[p] != '>')
                    p++;
                ve = p;
            }
        }
        if (!end)
            html_attr_record(t, src + ns, ne - ns, vs, ve);
    }
    size_t nl = t->name_e - t->name_s;
    kc_diag_set(sc->diag, src, i, "unterminated <%s%.*s> tag: end of file before '>'",
                end ? "/" : "", (int)(nl < 40 ? nl : 40), src + t->name_s);
    return KC_EPARSE;
}

/* True when the trimmed value of attribute a equals lit, ignoring case. */
static bool
html_attr_is(const struct html_scan *sc, const struct html_tag *t, enum html_attr a,
             const char *lit)
{
    if (!t->a[a].set)
        return false;
    size_t s = t->a[a].s, e = t->a[a].e;
    html_trim(sc->src, &s, &e);
    return kc_eq_lower(sc->src + s, e - s, lit);
}

/* The kind of <link>'s href by its rel tokens, or -1 when it loads nothing
 * kiln fingerprints. A stylesheet among the tokens wins ("alternate
 * stylesheet" still loads on demand), then modulepreload, preload, icon,
 * manifest. *flags, when not NULL, gets KB_REF_F_PREFETCH or
 * KB_REF_F_ALSO_PRELOAD as the tokens say. */
static int
html_link_kind(const struct html_scan *sc, const struct html_tag *t, unsigned *flags)
{
    static const struct {
        const char *tok;
        enum kb_ref_kind kind;
    } rels[] = {
        { "stylesheet", KB_REF_HTML_STYLESHEET },
        { "modulepreload", KB_REF_HTML_MODULEPRELOAD },
        { "preload", KB_REF_HTML_PRELOAD },
        { "prefetch", KB_REF_HTML_PRELOAD },
        { "icon", KB_REF_HTML_ICON },
        { "apple-touch-icon", KB_REF_HTML_ICON },
        { "apple-touch-icon-precomposed", KB_REF_HTML_ICON },
        { "mask-icon", KB_REF_HTML_ICON },
        { "manifest", KB_REF_HTML_MANIFEST },
    };
    if (!t->a[A_REL].set)
        return -1;
    size_t best = sizeof rels / sizeof rels[0];
    bool preload = false;
    const char *v = sc->src;
    size_t i = t->a[A_REL].s, e = t->a[A_REL].e;
    while (i < e) {
        while (i < e && kc_is_ws(v[i]))
            i++;
        size_t ts = i;
        while (i < e && !kc_is_ws(v[i]))
            i++;
        preload |= kc_eq_lower(v + ts, i - ts, "preload");
        for (size_t k = 0; k < best; k++)
            if (kc_eq_lower(v + ts, i - ts, rels[k].tok))
                best = k;
    }
    if (best == sizeof rels / sizeof rels[0])
        return -1;
    if (flags && rels[best].kind == KB_REF_HTML_PRELOAD && !preload)
        *flags |= KB_REF_F_PREFETCH;
    if (flags && rels[best].kind == KB_REF_HTML_STYLESHEET && preload)
        *flags |= KB_REF_F_ALSO_PRELOAD;
    return (int)rels[best].kind;
}

/* True for a <meta> whose property= or name= names an image or media URL. */
static bool
html_meta_is_url(const struct html_scan *sc, const struct html_tag *t)
{
    static const char *const names[] = {
        "og:image",
        "og:image:url",
        "og:image:secure_url",
        "og:video",
        "og:audio",
        "twitter:image",
        "msapplication-tileimage",
        "msapplication-config",
        "msapplication-square70x70logo",
        "msapplication-square150x150logo",
        "msapplication-square310x310logo",
        "msapplication-wide310x150logo",
    };
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
        if (html_attr_is(sc, t, A_PROPERTY, names[k]) || html_attr_is(sc, t, A_NAME, names[k]))
            return true;
    return false;
}

/* The script type: 1 classic JavaScript, 2 module, 0 anything else (a data
 * block such as importmap or JSON, or a template). */
static int
html_script_type(const struct html_scan *sc, const struct html_tag *t)
{
    static const char *const js[] = {
        "text/javascript",          "application/javascript",   "text/ecmascript",
        "application/ecmascript",   "application/x-javascript", "text/x-javascript",
        "application/x-ecmascript", "text/x-ecmascript",        "text/jscript",
        "text/livescript",          "text/javascript1.0",       "text/javascript1.1",
        "text/javascript1.2",       "text/javascript1.3",       "text/javascript1.4",
        "text/javascript1.5",
    };
    if (!t->a[A_TYPE].set || html_attr_is(sc, t, A_TYPE, ""))
        return 1;
    if (html_attr_is(sc, t, A_TYPE, "module"))
        return 2;
    for (size_t k = 0; k < sizeof js / sizeof js[0]; k++)
        if (html_attr_is(sc, t, A_TYPE, js[k]))
            return 1;
    return 0;
}

/* How one attribute of a tag becomes refs. */
enum html_how { H_URL, H_URL_NOT_FRAGMENT, H_SRCSET, H_CSS };

struct html_job {
    enum html_attr a;
    enum kb_ref_kind kind;
    enum html_how how;
};

/* A <link>'s as= and type= values for its refs (lowercased, trimmed). */
struct html_link_vals {
    char as[sizeof((struct kb_ref *)0)->as];
    char type[sizeof((struct kb_ref *)0)->type];
};

/* Copies attribute a's value, trimmed and lowercased, into out[0..size); ""
 * when absent or when it does not fit (a cut value would say something else). */
static void
html_lower_value(const struct html_scan *sc, const struct html_tag *t, enum html_attr a, char *out,
                 size_t size)
{
    size_t s = t->a[a].s, e = t->a[a].e, o = 0;
    out[0] = '\0';
    if (!t->a[a].set)
        return;
    html_trim(sc->src, &s, &e);
    if (e - s >= size)
        return;
    for (; s < e; s++)
        out[o++] = (char)kc_lower((unsigned char)sc->src[s]);
    out[o] = '\0';
}

/* ORs flags into, and copies lv's values into, the refs appended since
 * `from`. */
static void
html_mark(struct html_scan *sc, size_t from, unsigned flags, const struct html_link_vals *lv)
{
    for (size_t k = from; k < sc->out->n; k++) {
        sc->out->v[k].flags |= flags;
        if (lv) {
            memcpy(sc->out->v[k].as, lv->as, sizeof lv->as);
            memcpy(sc->out->v[k].type, lv->type, sizeof lv->type);
        }
    }
}

/*
 * Appends the ref of one URL attribute: the span is the value without its
 * surrounding whitespace, the url its decoded text, trimmed again. An empty
 * value (which would name the page itself) gives no ref, nor, with
 * not_fragment, a same-document "#id".
 */
static int
html_emit_url(struct html_scan *sc, const struct html_tag *t, const struct html_job *j,
              unsigned flags, const struct html_link_vals *lv)
{
    size_t s = t->a[j->a].s, e = t->a[j->a].e;
    html_trim(sc->src, &s, &e);
    if (s == e)
        return 0;
    char *buf = malloc(e - s);
    if (!buf)
        return KC_ENOMEM;
    size_t n = kb__html_decode(sc->src + s, e - s, buf), b = 0;
    while (b < n && kc_is_ws(buf[b]))
        b++;
    while (n > b && kc_is_ws(buf[n - 1]))
        n--;
    int rc = 0;
    if (b < n && !(j->how == H_URL_NOT_FRAGMENT && buf[b] == '#')) {
        struct kb_ref r;
        memset(&r, 0, sizeof r);
        r.start = s;
        r.end = e;
        r.line = html_line_at(sc, s);
        r.kind = j->kind;
        r.flags = flags;
        r.tag_end = t->tag_end;
        if (lv) {
            memcpy(r.as, lv->as, sizeof r.as);
            memcpy(r.type, lv->type, sizeof r.type);
        }
        rc = kb_reflist_push(sc->out, &r, buf + b, n - b);
    }
    free(buf);
    return rc;
}

/* The innermost open picture/video/audio, or T_OTHER. */
static enum html_tag_id
html_media_parent(const struct html_scan *sc)
{
    return sc->nmedia ? (enum html_tag_id)sc->media[sc->nmedia - 1] : T_OTHER;
}

/*
 * Appends the refs of a start tag: its URL attributes by tag, plus style=""
 * for any tag, in attribute order. Refs of URL attributes carry the tag's
 * tag_end and its integrity/crossorigin/no-integrity flags; style="" refs are
 * the CSS scanner's, flagged inline.
 */
static int
html_emit_tag(struct html_scan *sc, const struct html_tag *t)
{
    struct html_job jobs[4]; /* the most a tag has: three URL attributes and style="" */
    size_t n = 0;
    struct html_link_vals lv = { "", "" };
    bool link = false;
    unsigned link_flags = 0;
    enum kb_ref_kind source_kind = KB_REF_HTML_MEDIA;
    int k;

    switch (t->id) {
    case T_SCRIPT:
        if (sc->svg == 0)
            jobs[n++] = (struct html_job){
                A_SRC, html_script_type(sc, t) == 2 ? KB_REF_HTML_MODULE : KB_REF_HTML_SCRIPT, H_URL
            };
        break;
    case T_LINK:
        if ((k = html_link_kind(sc, t, &link_flags)) < 0)
            break;
        jobs[n++] = (struct html_job){ A_HREF, (enum kb_ref_kind)k, H_URL };
        link = true;
        html_lower_value(sc, t, A_TYPE, lv.type, sizeof lv.type);
        link_flags |= t->a[A_TYPE].set ? KB_REF_F_TYPED : 0;
        if (k == KB_REF_HTML_PRELOAD) {
            jobs[n++] = (struct html_job){ A_IMAGESRCSET, KB_REF_HTML_PRELOAD, H_SRCSET };
            html_lower_value(sc, t, A_AS, lv.as, sizeof lv.as);
        }
        break;
    case T_IMAGE:
        if (sc->svg > 0) {
            jobs[n++] = (struct html_job){ A_HREF, KB_REF_HTML_IMAGE, H_URL_NOT_FRAGMENT };
            jobs[n++] = (struct html_job){ A_XLINK_HREF, KB_REF_HTML_IMAGE, H_URL_NOT_FRAGMENT };
            break;
        }
        /* Outside SVG the tree builder turns <image> into <img>. */
        /* fallthrough */
    case T_IMG:
        jobs[n++] = (struct html_job){ A_SRC, KB_REF_HTML_IMAGE, H_URL };
        jobs[n++] = (struct html_job){ A_SRCSET, KB_REF_HTML_IMAGE, H_SRCSET };
        break;
    case T_USE:
        if (sc->svg > 0) {
            jobs[n++] = (struct html_job){ A_HREF, KB_REF_HTML_IMAGE, H_URL_NOT_FRAGMENT };
            jobs[n++] = (struct html_job){ A_XLINK_HREF, KB_REF_HTML_IMAGE, H_URL_NOT_FRAGMENT };
        }
        break;
    case T_SOURCE:
        /* In <picture> both name images; in <video>/<audio> media. With no
         * parent, srcset still means an image and src a media file. */
        if (html_media_parent(sc) == T_PICTURE)
            source_kind = KB_REF_HTML_IMAGE;
        jobs[n++] = (struct html_job){ A_SRC, source_kind, H_URL };
        jobs[n++] = (struct html_job){
            A_SRCSET, html_media_parent(sc) == T_OTHER ? KB_REF_HTML_IMAGE : source_kind, H_SRCSET
        };
        break;
    case T_VIDEO:
        jobs[n++] = (struct html_job){ A_SRC, KB_REF_HTML_MEDIA, H_URL };
        jobs[n++] = (struct html_job){ A_POSTER, KB_REF_HTML_IMAGE, H_URL };
        break;
    case T_AUDIO:
    case T_TRACK:
    case T_EMBED: jobs[n++] = (struct html_job){ A_SRC, KB_REF_HTML_MEDIA, H_URL }; break;
    case T_OBJECT: jobs[n++] = (struct html_job){ A_DATA, KB_REF_HTML_MEDIA, H_URL }; break;
    case T_INPUT:
        if (html_attr_is(sc, t, A_TYPE, "image"))
            jobs[n++] = (struct html_job){ A_SRC, KB_REF_HTML_IMAGE, H_URL };
        break;
    case T_META:
        if (html_meta_is_url(sc, t))
            jobs[n++] = (struct html_job){ A_CONTENT, KB_REF_HTML_META, H_URL };
        break;
    case T_ASTRO_ISLAND:
        /* Astro's island runtime passes these to import() when the island
         * hydrates: module references a page makes at run time. */
        if (sc->svg == 0) {
            jobs[n++] = (struct html_job){ A_COMPONENT_URL, KB_REF_HTML_ISLAND, H_URL };
            jobs[n++] = (struct html_job){ A_RENDERER_URL, KB_REF_HTML_ISLAND, H_URL };
            jobs[n++] = (struct html_job){ A_BEFORE_HYDRATION_URL, KB_REF_HTML_ISLAND, H_URL };
        }
        break;
    default: break;
    }
    /* Drop absent attributes, add style="", then order by position. */
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (t->a[jobs[i].a].set)
            jobs[m++] = jobs[i];
    n = m;
    if (t->a[A_STYLE].set)
        jobs[n++] = (struct html_job){ A_STYLE, KB_REF_CSS_URL, H_CSS };
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && t->a[jobs[j].a].s < t->a[jobs[j - 1].a].s; j--) {
            struct html_job tmp = jobs[j];
            jobs[j] = jobs[j - 1];
            jobs[j - 1] = tmp;
        }

    unsigned flags =
        (t->a[A_INTEGRITY].set ? KB_REF_F_HAS_INTEGRITY : 0) |
        (t->a[A_CROSSORIGIN].set ? KB_REF_F_HAS_CROSSORIGIN : 0) |
        (html_attr_is(sc, t, A_CROSSORIGIN, "use-credentials") ? KB_REF_F_CORS_CREDENTIALS : 0) |
        (t->a[A_NO_INTEGRITY].set ? KB_REF_F_NO_INTEGRITY : 0) |
        (t->a[A_MEDIA].set ? KB_REF_F_MEDIA : 0) | link_flags;
    for (size_t i = 0; i < n; i++) {
        const struct html_job *j = &jobs[i];
        size_t s = t->a[j->a].s, e = t->a[j->a].e, before = sc->out->n;
        int rc;
        switch (j->how) {
        case H_SRCSET:
            rc = kb_srcset_scan(sc->src + s, e - s, s, html_line_at(sc, s), j->kind, t->tag_end,
                                true, sc->out, sc->diag);
            html_mark(sc, before, flags, link ? &lv : NULL);
            break;
        case H_CSS:
            rc = kb_css_scan(sc->src + s, e - s, s, html_line_at(sc, s), sc->out, sc->diag);
            html_mark(sc, before, KB_REF_F_INLINE, NULL);
            break;
        default: rc = html_emit_url(sc, t, j, flags, link ? &lv : NULL); break;
        }
        if (rc)
            return rc;
    }
    return 0;
}

/* Tracks the elements that change how later tags read: <svg> (for image and
 * use) and picture/video/audio (for source). */
static void
html_track(struct html_scan *sc, const struct html_tag *t)
{
    if (t->id == T_SVG) {
        if (t->end && sc->svg > 0)
            sc->svg--;
        else if (!t->end && !t->self_closing && sc->svg < UINT_MAX)
            sc->svg++;
        return;
    }
    if (t->id != T_PICTURE && t->id != T_VIDEO && t->id != T_AUDIO)
        return;
    if (!t->end) {
        if (sc->nmedia < HTML_MEDIA_DEPTH)
            sc->media[sc->nmedia++] = (unsigned char)t->id;
        else
            sc->media_over++;
        return;
    }
    if (sc->media_over > 0) {
        sc->media_over--;
        return;
    }
    /* An end tag closes the innermost open element of its name and any
     * element opened inside it; a stray one closes nothing. */
    for (unsigned k = sc->nmedia; k > 0; k--) {
        if (sc->media[k - 1] == (unsigned char)t->id) {
            sc->nmedia = k - 1;
            break;
        }
    }
}

/*
 * After a start tag whose content is not markup, scans or skips that content
 * and returns in *next where tokenizing resumes (the '<' of its end tag):
 * <script> and <style> go to the JS and CSS scanners when their type is one
 * kiln reads, and must be closed; RCDATA and the other raw text elements are
 * skipped, to their end tag or to the end of the file.
 */
static int
html_raw_content(struct html_scan *sc, const struct html_tag *t, size_t *next)
{
    const char *src = sc->src;
    size_t len = sc->len, s = t->next, e, before = sc->out->n;
    int rc = 0;
    *next = s;
    if (sc->svg > 0 && (t->self_closing || (t->id != T_SCRIPT && t->id != T_STYLE)))
        return 0; /* foreign content: self-closing tags close, no RCDATA */
    switch (t->id) {
    case T_SCRIPT:
        e = html_find_script_end(src, len, s);
        if (e == len) {
            kc_diag_set(sc->diag, src, t->open,
                        "unterminated <script> element: end of file before </script>");
            return KC_EPARSE;
        }
        if (!t->a[A_SRC].set && sc->svg == 0) {
            int type = html_script_type(sc, t);
            if (type)
                rc = kb_js_scan(src + s, e - s, s, html_line_at(sc, s), type == 2, sc->out,
                                sc->diag);
        }
        break;
    case T_STYLE:
        e = html_find_end_tag(src, len, s, "style");
        if (e == len) {
            kc_diag_set(sc->diag, src, t->open,
                        "unterminated <style> element: end of file before </style>");
            return KC_EPARSE;
        }
        if (!t->a[A_TYPE].set || html_attr_is(sc, t, A_TYPE, "") ||
            html_attr_is(sc, t, A_TYPE, "text/css"))
            rc = kb_css_scan(src + s, e - s, s, html_line_at(sc, s), sc->out, sc->diag);
        break;
    case T_TEXTAREA:
    case T_TITLE:
    case T_XMP:
    case T_IFRAME:
    case T_NOEMBED:
    case T_NOFRAMES: e = html_find_end_tag(src, len, s, html_tag_names[t->id]); break;
    case T_PLAINTEXT: e = len; break;
    default: return 0;
    }
    html_mark(sc, before, KB_REF_F_INLINE, NULL);
    *next = e;
    return rc;
}

/*
 * Skips a comment, doctype, CDATA section or bogus comment whose '<' is at i;
 * *next is just past its end. In SVG a CDATA section runs to "]]>"; elsewhere
 * "<![CDATA[" is a bogus comment like "<!x>" and "<?x>", which end at the
 * first '>'. A comment ends at "-->" or "--!>", or at once as "<!-->" or
 * "<!--->". Any of these open at the end of the file is KC_EPARSE.
 */
static int
html_skip_markup(struct html_scan *sc, size_t i, size_t *next)
{
    const char *src = sc->src;
    size_t len = sc->len;
    if (i + 4 <= len && memcmp(src + i, "<!--", 4) == 0) {
        size_t c = i + 4;
        if (c < len && src[c] == '>') {
            *next = c + 1;
            return 0;
        }
        if (c + 1 < len && src[c] == '-' && src[c + 1] == '>') {
            *next = c + 2;
            return 0;
        }
        for (size_t j = c; j < len; j++) {
            const char *p = memchr(src + j, '>', len - j);
            if (!p)
                break;
            j = (size_t)(p - src);
            if ((j - c >= 2 && src[j - 1] == '-' && src[j - 2] == '-') ||
                (j - c >= 3 && src[j - 1] == '!' && src[j - 2] == '-' && src[j - 3] == '-')) {
                *next = j + 1;
                return 0;
            }
        }
        kc_diag_set(sc->diag, src, i, "unterminated comment: end of file before -->");
        return KC_EPARSE;
    }
    if (sc->svg > 0 && i + 9 <= len && memcmp(src + i, "<![CDATA[", 9) == 0) {
        size_t e = html_find(src, len, i + 9, "]]>");
        if (e == len) {
            kc_diag_set(sc->diag, src, i, "unterminated CDATA section: end of file before ]]>");
            return KC_EPARSE;
        }
        *next = e + 3;
        return 0;
    }
    const char *p = memchr(src + i + 2, '>', len - i - 2);
    if (!p) {
        kc_diag_set(sc->diag, src, i, "unterminated <%c declaration: end of file before '>'",
                    src[i + 1]);
        return KC_EPARSE;
    }
    *next = (size_t)(p - src) + 1;
    return 0;
}

/*
 * Scans a whole HTML file. Refs appended before an error stay in *out (the
 * caller frees the list either way). Only what suggests a truncated file is
 * an error; the rest of what browsers recover from is tolerated.
 */
static int
html_scan_all(struct html_scan *scp)
{
    struct html_scan sc = *scp;
    const char *src = sc.src;
    size_t len = sc.len;
    size_t i = 0;
    int rc = 0;
    while (i < len) {
        const char *lt = memchr(src + i, '<', len - i);
        if (!lt)
            break;
        i = (size_t)(lt - src);
        if (i + 1 >= len)
            break; /* a lone '<' at the end is text */
        unsigned char c = (unsigned char)src[i + 1];
        if (c == '!' || c == '?') {
            if ((rc = html_skip_markup(&sc, i, &i)))
                return rc;
            continue;
        }
        bool end = c == '/';
        if (end) {
            if (i + 2 >= len)
                break; /* "</" at the end is text */
            c = (unsigned char)src[i + 2];
            if (c == '>') { /* "</>" is dropped */
                i += 3;
                continue;
            }
            if (!kc_is_alpha(c)) { /* "</3" starts a bogus comment */
                if ((rc = html_skip_markup(&sc, i, &i)))
                    return rc;
                continue;
            }
        } else if (!kc_is_alpha(c)) {
            i++; /* a stray '<' is text */
            continue;
        }
        struct html_tag t;
        if ((rc = html_read_tag(&sc, i, end, &t)))
            return rc;
        i = t.next;
        if (end) {
            html_track(&sc, &t);
            continue;
        }
        if (sc.probe && sc.svg == 0) {
            /* An island may import() its modules as soon as it is parsed. */
            bool module =
                (t.id == T_SCRIPT && html_script_type(&sc, &t) == 2) ||
                (t.id == T_LINK &&
                 html_link_kind(&sc, &t, NULL) == (int)KB_REF_HTML_MODULEPRELOAD) ||
                (t.id == T_ASTRO_ISLAND && (t.a[A_COMPONENT_URL].set || t.a[A_RENDERER_URL].set ||
                                            t.a[A_BEFORE_HYDRATION_URL].set));
            if (module && !sc.found) {
                sc.found = true;
                sc.first_module = t.open;
            }
            if (t.id == T_SCRIPT && html_attr_is(&sc, &t, A_TYPE, "importmap"))
                sc.has_map = true;
        }
        if ((rc = html_emit_tag(&sc, &t)))
            break;
        if ((rc = html_raw_content(&sc, &t, &i)))
            break;
        html_track(&sc, &t);
    }
    *scp = sc;
    return rc;
}

int
kb_html_scan(const char *src, size_t len, struct kb_reflist *out, struct kc_diag *diag)
{
    struct html_scan sc;
    memset(&sc, 0, sizeof sc);
    sc.src = src;
    sc.len = len;
    sc.out = out;
    sc.diag = diag;
    sc.lline = 1;
    return html_scan_all(&sc);
}

int
kb_html_module_start(const char *src, size_t len, size_t *pos, bool *has_map)
{
    struct kb_reflist refs = { 0 };
    struct kc_diag diag;
    struct html_scan sc;
    memset(&sc, 0, sizeof sc);
    sc.src = src;
    sc.len = len;
    sc.out = &refs;
    sc.diag = &diag;
    sc.lline = 1;
    sc.probe = true;
    int rc = html_scan_all(&sc);
    kb_reflist_free(&refs);
    *pos = sc.found ? sc.first_module : len;
    *has_map = sc.has_map;
    return rc ? rc : sc.found ? 0 : 1;
}
