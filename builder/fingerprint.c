/*
 * Fingerprint: decides which files get a content hash in their name, computes the
 * final bytes of every file (references rewritten, integrity added) in
 * dependency order, and names each fingerprinted file after a hash of those
 * final bytes. Import cycles are hashed as a unit (see docs/fingerprinting.md):
 * the result depends only on the files' contents and paths, never on the
 * order the disk listed them.
 */
#include "builder/site.h"
#include "common/buf.h"
#include "common/error.h"
#include "common/log.h"
#include "common/path.h"
#include "common/quote.h"
#include "common/vec.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define KB_MAX_OUT (1ull << 31)

/* ---- which files are renamed ------------------------------------------- */

/* A referenced file is renamed unless it keeps its name by role, or a bundler
 * already hashed its name. kiln never changes the bytes of such a file (a
 * runtime hash map, a preload list or a computed import() may name anything
 * it references, and its name is its version), so what it references keeps
 * its name too. A file the bundler rewrote (its chunk) is marked renamed
 * before this, and references nothing of the old file. */
static void
decide_renames(struct kb_site *s)
{
    for (size_t i = 0; i < s->n; i++) {
        const struct kb_file *f = &s->files[i];
        if (!(f->role & KB_ROLE_PREHASHED) || (f->role & KB_ROLE_RENAMED))
            continue;
        for (size_t r = 0; r < f->refs.n; r++)
            if (f->target[r] >= 0)
                s->files[f->target[r]].role |= KB_ROLE_KEEP_NAME;
    }
    for (size_t i = 0; i < s->n; i++) {
        struct kb_file *f = &s->files[i];
        if ((f->role & KB_ROLE_REFERENCED) && !(f->role & KB_ROLE_KEEP_NAME) &&
            !(f->role & KB_ROLE_PREHASHED))
            f->role |= KB_ROLE_RENAMED;
    }
}

/* ---- --import-map ------------------------------------------------------------ */

static bool
is_module_edge(enum kb_ref_kind k)
{
    return k == KB_REF_JS_IMPORT || k == KB_REF_JS_DYNAMIC;
}

/* Marks as mapped every module an entry document's module scripts and
 * islands load, through static and dynamic imports (legacy twins excluded:
 * they keep their URL tables). */
static int
mark_mapped(struct kb_site *s)
{
    int *stack = malloc((s->n + 1) * sizeof *stack);
    if (!stack)
        return KC_ENOMEM;
    size_t sp = 0;
    for (size_t d = 0; d < s->n; d++) {
        const struct kb_file *doc = &s->files[d];
        if (!(doc->role & KB_ROLE_ENTRY))
            continue;
        for (size_t i = 0; i < doc->refs.n; i++) {
            const struct kb_ref *r = &doc->refs.v[i];
            int t = doc->target[i];
            bool module = r->kind == KB_REF_HTML_MODULE || r->kind == KB_REF_HTML_MODULEPRELOAD ||
                          r->kind == KB_REF_HTML_ISLAND ||
                          ((r->flags & KB_REF_F_INLINE) && is_module_edge(r->kind));
            if (t < 0 || !module || s->files[t].mapped || (s->files[t].role & KB_ROLE_LEGACY))
                continue;
            s->files[t].mapped = true;
            stack[sp++] = t;
            while (sp > 0) {
                const struct kb_file *f = &s->files[stack[--sp]];
                for (size_t k = 0; k < f->refs.n; k++) {
                    int u = f->target[k];
                    if (u < 0 || !is_module_edge(f->refs.v[k].kind) || s->files[u].mapped ||
                        (s->files[u].role & KB_ROLE_LEGACY))
                        continue;
                    s->files[u].mapped = true;
                    stack[sp++] = u;
                }
            }
        }
    }
    free(stack);
    return 0;
}

/* With --import-map, an import between two mapped modules of a renamed one
 * is not rewritten: the page's import map resolves its unhashed URL. */
static bool
mapped_ref(const struct kb_site *s, const struct kb_file *f, size_t i)
{
    int t = f->target[i];
    return s->opt->import_map && t >= 0 && f->mapped && !(f->role & KB_ROLE_ENTRY) &&
           is_module_edge(f->refs.v[i].kind) && s->files[t].mapped &&
           (s->files[t].role & KB_ROLE_RENAMED);
}

/* References whose text does not depend on the target's name, so the
 * referrer's bytes (and name) do not either: a mapped import, and a name in
 * JS (never rewritten; its target keeps its name). */
static bool
stable_ref(const struct kb_site *s, const struct kb_file *f, size_t i)
{
    return f->refs.v[i].kind == KB_REF_JS_NAME || mapped_ref(s, f, i);
}

/* ---- output names --------------------------------------------------------- */

/* Extensions that belong together: "app.js.map" -> "app.HASH.js.map". */
const char *
kb__split_ext(const char *base)
{
    static const char *const compound[] = { ".js.map", ".mjs.map", ".css.map", ".d.ts" };
    size_t n = strlen(base);
    for (size_t i = 0; i < sizeof compound / sizeof compound[0]; i++) {
        size_t cn = strlen(compound[i]);
        if (n > cn && strcmp(base + n - cn, compound[i]) == 0)
            return base + n - cn;
    }
    const char *dot = strrchr(base, '.');
    return dot && dot != base ? dot : base + n;
}

/* Sets f->out_path from its source path and a hash: NAME.HASH.EXT, or, for a
 * name a bundler hashed whose bytes changed, the old hash replaced. */
static int
set_hashed_name(const struct kb_site *s, struct kb_file *f, const unsigned char *digest)
{
    char hex[2 * KC_SHA256_LEN + 1];
    kc_hex(digest, KC_SHA256_LEN, hex);
    hex[KB_HASH_CHARS] = '\0';
    const char *slash = strrchr(f->path, '/');
    size_t dir_len = slash ? (size_t)(slash - f->path) + 1 : 0;
    const char *base = f->path + dir_len;
    struct kc_buf b;
    kc_buf_init(&b, PATH_MAX);
    int rc = kc_buf_append(&b, f->path, dir_len);
    regmatch_t m[2];
    if (!rc && (f->role & KB_ROLE_PREHASHED) && regexec(&s->hashed, base, 2, m, 0) == 0 &&
        m[1].rm_so >= 0) {
        rc = kc_buf_append(&b, base, (size_t)m[1].rm_so);
        if (!rc)
            rc = kc_buf_puts(&b, hex);
        if (!rc)
            rc = kc_buf_puts(&b, base + m[1].rm_eo);
    } else if (!rc) {
        const char *ext = kb__split_ext(base);
        rc = kc_buf_append(&b, base, (size_t)(ext - base));
        if (!rc)
            rc = kc_buf_printf(&b, ".%s%s", hex, ext);
    }
    if (rc) {
        kc_buf_free(&b);
        return rc;
    }
    free(f->out_path);
    f->out_path = kc_buf_steal(&b, NULL);
    return f->out_path ? 0 : KC_ENOMEM;
}

/* ---- rewriting ------------------------------------------------------------ */

struct edit {
    size_t start, end;
    char *text; /* owned */
};

static int
cmp_edit(const void *a, const void *b)
{
    const struct edit *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return x->end < y->end ? -1 : x->end > y->end;
}

/* The new URL text for reference r of f, whose target now lives at to. An
 * absolute URL stays absolute (under --base); a relative one is made relative
 * to f's directory. The raw query and fragment are kept as written
 * (kb__ref_query finds them: the path before them may hold escapes). */
static int
new_url(const struct kb_site *s, const struct kb_file *f, const struct kb_ref *r, const char *to,
        struct kc_buf *b)
{
    int rc;
    if (r->url[0] == '/') {
        rc = kc_buf_puts(b, s->opt->base);
        if (!rc)
            rc = kc_url_encode_path(to, b);
    } else {
        char dir[PATH_MAX];
        kc_path_dirname(f->path, dir, sizeof dir);
        rc = kc_path_relative(dir, to, b);
        /* "./" is needed only where a bare name means something else (module
         * specifiers) or where the author wrote it. */
        bool keep_dot = r->kind == KB_REF_JS_IMPORT || r->kind == KB_REF_JS_DYNAMIC ||
                        r->kind == KB_REF_HTML_ISLAND || strncmp(r->url, "./", 2) == 0;
        if (!rc && !keep_dot && strncmp(b->data, "./", 2) == 0) {
            memmove(b->data, b->data + 2, b->len - 1);
            b->len -= 2;
        }
    }
    const char *raw = (const char *)f->data + r->start;
    size_t n = r->end - r->start;
    long q = kb__ref_query(f, r); /* >= 0: resolve.c kept the target's name otherwise */
    if (!rc && q >= 0 && (size_t)q < n)
        rc = kc_buf_append(b, raw + q, n - (size_t)q);
    return rc;
}

static int cmp_int_path(const void *a, const void *b, void *ctx);

/* The URL of site path `path` in doc's import map: under --base when the
 * page names its modules by absolute URLs, else relative to the page (a key
 * starting with "./" or "../" is a URL, resolved against the page's URL, so
 * the release works under any prefix, as the page's relative URLs do). */
static int
json_url(struct kc_buf *b, const struct kb_site *s, const struct kb_file *doc, bool absolute,
         const char *path)
{
    struct kc_buf u;
    kc_buf_init(&u, PATH_MAX * 4);
    int rc;
    if (absolute) {
        rc = kc_buf_puts(&u, s->opt->base);
        if (!rc)
            rc = kc_url_encode_path(path, &u);
    } else {
        char dir[PATH_MAX];
        kc_path_dirname(doc->path, dir, sizeof dir);
        rc = kc_path_relative(dir, path, &u); /* "./" or "../" first */
    }
    if (!rc)
        rc = kc_quote_js(b, u.data, u.len, KC_QUOTE_HTML);
    kc_buf_free(&u);
    return rc;
}

/*
 * The <script type="importmap"> of entry document doc (--import-map): each
 * module its module scripts load through a stable reference, mapped from its
 * unhashed URL to its fingerprinted one, with its integrity. out stays
 * empty when the document needs none.
 */
static int
import_map(const struct kb_site *s, const struct kb_file *doc, struct kc_buf *out)
{
    size_t n = s->n;
    int *stack = malloc((n + 1) * sizeof *stack), *list = malloc((n + 1) * sizeof *list);
    char *seen = calloc(n + 1, 1), *listed = calloc(n + 1, 1);
    int rc = stack && list && seen && listed ? 0 : KC_ENOMEM;
    size_t sp = 0, nl = 0;
    for (size_t i = 0; i < doc->refs.n && !rc; i++) {
        int t = doc->target[i];
        if (t < 0 || !s->files[t].mapped || seen[t])
            continue;
        seen[t] = 1;
        stack[sp++] = t;
        while (sp > 0) {
            const struct kb_file *f = &s->files[stack[--sp]];
            for (size_t k = 0; k < f->refs.n; k++) {
                int u = f->target[k];
                if (!mapped_ref(s, f, k))
                    continue;
                if (!listed[u]) {
                    listed[u] = 1;
                    list[nl++] = u;
                }
                if (!seen[u]) {
                    seen[u] = 1;
                    stack[sp++] = u;
                }
            }
        }
    }
    bool absolute = false;
    for (size_t i = 0; i < doc->refs.n; i++)
        if (doc->refs.v[i].kind == KB_REF_HTML_MODULE ||
            doc->refs.v[i].kind == KB_REF_HTML_MODULEPRELOAD ||
            doc->refs.v[i].kind == KB_REF_HTML_ISLAND)
            absolute |= doc->refs.v[i].url[0] == '/';
    if (!rc && nl > 0) {
        qsort_r(list, nl, sizeof *list, cmp_int_path, (void *)s);
        rc = kc_buf_puts(out, "<script type=\"importmap\">{\"imports\":{");
        for (size_t i = 0; i < nl && !rc; i++) {
            const struct kb_file *t = &s->files[list[i]];
            rc = i ? kc_buf_puts(out, ",") : 0;
            if (!rc)
                rc = json_url(out, s, doc, absolute, t->path);
            if (!rc)
                rc = kc_buf_puts(out, ":");
            if (!rc)
                rc = json_url(out, s, doc, absolute, t->out_path);
        }
        if (!rc)
            rc = kc_buf_puts(out, "}");
        if (!rc && s->opt->integrity) {
            rc = kc_buf_puts(out, ",\"integrity\":{");
            for (size_t i = 0; i < nl && !rc; i++) {
                const struct kb_file *t = &s->files[list[i]];
                rc = i ? kc_buf_puts(out, ",") : 0;
                if (!rc)
                    rc = json_url(out, s, doc, absolute, t->out_path);
                if (!rc)
                    rc = kc_buf_puts(out, ":");
                if (!rc)
                    rc = kc_quote_js(out, t->sri, strlen(t->sri), KC_QUOTE_HTML);
            }
            if (!rc)
                rc = kc_buf_puts(out, "}");
        }
        if (!rc)
            rc = kc_buf_puts(out, "}</script>\n");
    }
    free(stack);
    free(list);
    free(seen);
    free(listed);
    return rc;
}

/* Tags kiln gives integrity (and crossorigin unless given) by their kind. */
static bool
loads_with_integrity(const struct kb_site *s, const struct kb_ref *r)
{
    if (!s->opt->integrity || r->tag_end == 0 ||
        (r->flags & (KB_REF_F_HAS_INTEGRITY | KB_REF_F_NO_INTEGRITY | KB_REF_F_INLINE)))
        return false;
    return r->kind == KB_REF_HTML_SCRIPT || r->kind == KB_REF_HTML_MODULE ||
           r->kind == KB_REF_HTML_STYLESHEET || r->kind == KB_REF_HTML_MODULEPRELOAD;
}

bool
kb__gets_integrity(const struct kb_site *s, const struct kb_file *doc, size_t i)
{
    const struct kb_ref *r = &doc->refs.v[i];
    if (loads_with_integrity(s, r))
        return true;
    /* A <link rel=preload as=style|script> of a file a stylesheet or classic
     * script tag of the page loads with integrity must carry the same, or the
     * browser cannot use what it preloaded and fetches the file again. (A
     * module script's is the page's own mismatch: modulepreload is its hint.) */
    if (r->kind != KB_REF_HTML_PRELOAD || doc->target[i] < 0 || r->tag_end == 0 ||
        (strcmp(r->as, "style") != 0 && strcmp(r->as, "script") != 0) ||
        (r->flags &
         (KB_REF_F_HAS_INTEGRITY | KB_REF_F_NO_INTEGRITY | KB_REF_F_INLINE | KB_REF_F_PREFETCH)))
        return false;
    enum kb_ref_kind load = r->as[1] == 't' ? KB_REF_HTML_STYLESHEET : KB_REF_HTML_SCRIPT;
    for (size_t k = 0; k < doc->refs.n; k++)
        if (k != i && doc->target[k] == doc->target[i] && doc->refs.v[k].kind == load &&
            loads_with_integrity(s, &doc->refs.v[k]))
            return true;
    return false;
}

/*
 * Computes f's bytes with every reference to a file whose URL changed
 * rewritten, using each target's current out_path (for a cycle being hashed,
 * the caller has set the members' out_path to their source path). With
 * integrity, adds integrity/crossorigin to script and stylesheet tags whose
 * target's final bytes are known. On success *out is f->data itself when
 * nothing changed, else a new malloc'd buffer.
 */
static int
rewrite(const struct kb_site *s, const struct kb_file *f, bool integrity, bool map,
        unsigned char **out, size_t *out_len)
{
    struct edit *ed = calloc(2 * f->refs.n + 2, sizeof *ed);
    size_t ne = 0;
    int rc = ed ? 0 : KC_ENOMEM;
    if (!rc && map) {
        struct kc_buf m;
        kc_buf_init(&m, KB_MAX_OUT);
        rc = import_map(s, f, &m);
        size_t pos = 0;
        bool own = false;
        if (!rc && m.len > 0) {
            int h = kb_html_module_start((const char *)f->data, f->len, &pos, &own);
            if (h < 0 || h > 1)
                rc = h < 0 ? h : KC_EPARSE;
        }
        if (!rc && m.len > 0 && own) {
            kc_error("%s: --import-map: the page has an import map of its own; kiln does not "
                     "merge import maps (build without --import-map, or remove it)",
                     f->path);
            rc = KC_EPARSE;
        }
        if (!rc && m.len > 0) {
            ed[ne].start = ed[ne].end = pos;
            ed[ne].text = kc_buf_steal(&m, NULL);
            rc = ed[ne++].text ? 0 : KC_ENOMEM;
        } else {
            kc_buf_free(&m);
        }
    }
    size_t last_tag = (size_t)-1;
    for (size_t i = 0; i < f->refs.n && !rc; i++) {
        const struct kb_ref *r = &f->refs.v[i];
        int t = f->target[i];
        if (t < 0)
            continue;
        const struct kb_file *tf = &s->files[t];
        if (stable_ref(s, f, i))
            continue;
        if (strcmp(tf->out_path, tf->path) != 0) {
            struct kc_buf b;
            kc_buf_init(&b, PATH_MAX * 2);
            rc = new_url(s, f, r, tf->out_path, &b);
            if (!rc) {
                ed[ne].start = r->start;
                ed[ne].end = r->end;
                ed[ne].text = kc_buf_steal(&b, NULL);
                rc = ed[ne++].text ? 0 : KC_ENOMEM;
            } else {
                kc_buf_free(&b);
            }
        }
        if (!rc && integrity && kb__gets_integrity(s, f, i) && tf->done && r->tag_end != last_tag) {
            struct kc_buf b;
            kc_buf_init(&b, 256);
            rc = kc_buf_printf(&b, " integrity=\"%s\"%s", tf->sri,
                               r->flags & KB_REF_F_HAS_CROSSORIGIN ? "" : " crossorigin");
            ed[ne].start = ed[ne].end = r->tag_end;
            ed[ne].text = kc_buf_steal(&b, NULL);
            rc = rc ? rc : ed[ne++].text ? 0 : KC_ENOMEM;
            last_tag = r->tag_end;
        }
    }
    if (!rc && ne == 0) {
        *out = f->data;
        *out_len = f->len;
        free(ed);
        return 0;
    }
    struct kc_buf o;
    kc_buf_init(&o, KB_MAX_OUT);
    if (!rc) {
        qsort(ed, ne, sizeof *ed, cmp_edit);
        size_t pos = 0;
        for (size_t i = 0; i < ne && !rc; i++) {
            rc = kc_buf_append(&o, f->data + pos, ed[i].start - pos);
            if (!rc)
                rc = kc_buf_puts(&o, ed[i].text);
            pos = ed[i].end;
        }
        if (!rc)
            rc = kc_buf_append(&o, f->data + pos, f->len - pos);
    }
    for (size_t i = 0; i < ne; i++)
        free(ed[i].text);
    free(ed);
    if (rc) {
        kc_buf_free(&o);
        return rc;
    }
    *out = (unsigned char *)kc_buf_steal(&o, out_len);
    return *out ? 0 : KC_ENOMEM;
}

/* ---- strongly connected components (iterative Tarjan) ---------------------- */

struct tarjan {
    int *index, *low, *stack, *cstack;
    size_t *edge;
    bool *on;
};

static int
cmp_int_path(const void *a, const void *b, void *ctx)
{
    const struct kb_site *s = ctx;
    return strcmp(s->files[*(const int *)a].path, s->files[*(const int *)b].path);
}

/* Hashes and names one component. A single file without a self-reference is
 * named after its final bytes. For a cycle, each renamed member is first
 * rewritten with the other members' source paths standing in for their
 * unknown names; the digest of all those bytes (in path order) then gives
 * each member its name as SHA-256(digest, path). */
static int
process_component(struct kb_site *s, int *m, size_t n)
{
    int rc = 0;
    bool cyclic = n > 1;
    if (n == 1) {
        const struct kb_file *f = &s->files[m[0]];
        for (size_t r = 0; r < f->refs.n; r++)
            cyclic |= f->target[r] == m[0] && !stable_ref(s, f, r);
    }
    qsort_r(m, n, sizeof *m, cmp_int_path, s);
    if (cyclic) {
        unsigned char **prov = calloc(n, sizeof *prov);
        size_t *plen = calloc(n, sizeof *plen);
        struct kc_buf all;
        kc_buf_init(&all, KB_MAX_OUT);
        rc = prov && plen ? 0 : KC_ENOMEM;
        for (size_t i = 0; i < n && !rc; i++) {
            struct kb_file *f = &s->files[m[i]];
            if (f->role & KB_ROLE_RENAMED) {
                free(f->out_path);
                f->out_path = strdup(f->path);
                rc = f->out_path ? 0 : KC_ENOMEM;
            }
        }
        for (size_t i = 0; i < n && !rc; i++) {
            struct kb_file *f = &s->files[m[i]];
            if (!(f->role & KB_ROLE_RENAMED))
                continue;
            rc = rewrite(s, f, false, false, &prov[i], &plen[i]);
            if (!rc)
                rc = kc_buf_printf(&all, "%s%c%zu%c", f->path, 0, plen[i], 0);
            if (!rc)
                rc = kc_buf_append(&all, prov[i], plen[i]);
        }
        unsigned char digest[KC_SHA256_LEN];
        if (!rc)
            kc_sha256(all.data ? all.data : "", all.len, digest);
        for (size_t i = 0; i < n && !rc; i++) {
            struct kb_file *f = &s->files[m[i]];
            if (!(f->role & KB_ROLE_RENAMED))
                continue;
            struct kc_buf k;
            kc_buf_init(&k, PATH_MAX + KC_SHA256_LEN);
            rc = kc_buf_append(&k, digest, sizeof digest);
            if (!rc)
                rc = kc_buf_puts(&k, f->path);
            unsigned char h[KC_SHA256_LEN];
            if (!rc) {
                kc_sha256(k.data, k.len, h);
                rc = set_hashed_name(s, f, h);
            }
            kc_buf_free(&k);
        }
        for (size_t i = 0; i < n; i++)
            if (prov && prov[i] && prov[i] != s->files[m[i]].data)
                free(prov[i]);
        free(prov);
        free(plen);
        kc_buf_free(&all);
    }
    /* Final bytes: entry documents last, so their integrity values can use
     * the final bytes of any asset in the same component. */
    for (int pass = 0; pass < 2 && !rc; pass++) {
        for (size_t i = 0; i < n && !rc; i++) {
            struct kb_file *f = &s->files[m[i]];
            if ((pass == 0) == ((f->role & KB_ROLE_ENTRY) != 0))
                continue;
            unsigned char *bytes;
            size_t len;
            rc = rewrite(s, f, true, false, &bytes, &len);
            if (rc)
                break;
            kb_file_set_out(f, bytes, len);
            if ((f->role & KB_ROLE_RENAMED) && !cyclic)
                rc = set_hashed_name(s, f, f->sha256);
        }
    }
    return rc;
}

static int
components(struct kb_site *s)
{
    size_t n = s->n;
    struct tarjan t = { 0 };
    t.index = malloc((n + 1) * sizeof *t.index);
    t.low = malloc((n + 1) * sizeof *t.low);
    t.stack = malloc((n + 1) * sizeof *t.stack);
    t.cstack = malloc((n + 1) * sizeof *t.cstack);
    t.edge = calloc(n + 1, sizeof *t.edge);
    t.on = calloc(n + 1, sizeof *t.on);
    int rc = t.index && t.low && t.stack && t.cstack && t.edge && t.on ? 0 : KC_ENOMEM;
    for (size_t i = 0; i < n && !rc; i++)
        t.index[i] = -1;
    int counter = 0;
    size_t sp = 0, csp = 0;
    /* cstack is the DFS call stack; stack is Tarjan's component stack. */
    for (size_t root = 0; root < n && !rc; root++) {
        if (t.index[root] >= 0)
            continue;
        t.cstack[csp++] = (int)root;
        t.index[root] = t.low[root] = counter++;
        t.stack[sp++] = (int)root;
        t.on[root] = true;
        while (csp > 0 && !rc) {
            int v = t.cstack[csp - 1];
            struct kb_file *f = &s->files[v];
            if (t.edge[v] < f->refs.n) {
                size_t e = t.edge[v]++;
                int w = f->target[e];
                if (w < 0 || stable_ref(s, f, e))
                    continue;
                if (t.index[w] < 0) {
                    t.index[w] = t.low[w] = counter++;
                    t.stack[sp++] = w;
                    t.on[w] = true;
                    t.cstack[csp++] = w;
                } else if (t.on[w] && t.index[w] < t.low[v]) {
                    t.low[v] = t.index[w];
                }
                continue;
            }
            csp--;
            if (csp > 0) {
                int parent = t.cstack[csp - 1];
                if (t.low[v] < t.low[parent])
                    t.low[parent] = t.low[v];
            }
            if (t.low[v] == t.index[v]) {
                size_t start = sp;
                do {
                    start--;
                    t.on[t.stack[start]] = false;
                } while (t.stack[start] != v);
                rc = process_component(s, t.stack + start, sp - start);
                sp = start;
            }
        }
    }
    free(t.index);
    free(t.low);
    free(t.stack);
    free(t.cstack);
    free(t.edge);
    free(t.on);
    return rc;
}

/* ---- the stage ---------------------------------------------------------------- */

static int
cmp_out(const void *a, const void *b, void *ctx)
{
    const struct kb_site *s = ctx;
    return strcmp(s->files[*(const int *)a].out_path, s->files[*(const int *)b].out_path);
}

/* Two files with one output name would silently lose one of them. */
static int
check_clashes(struct kb_site *s)
{
    int *idx = malloc((s->n + 1) * sizeof *idx);
    if (!idx)
        return KC_ENOMEM;
    for (size_t i = 0; i < s->n; i++)
        idx[i] = (int)i;
    qsort_r(idx, s->n, sizeof *idx, cmp_out, s);
    int rc = 0;
    for (size_t i = 1; i < s->n; i++) {
        const struct kb_file *a = &s->files[idx[i - 1]], *b = &s->files[idx[i]];
        if (strcmp(a->out_path, b->out_path) == 0) {
            kc_error("%s and %s would both be written as %s", a->path, b->path, a->out_path);
            rc = KC_ECLASH;
        }
    }
    free(idx);
    return rc;
}

int
kb_fingerprint(struct kb_site *s)
{
    decide_renames(s);
    for (size_t i = 0; i < s->n; i++) {
        s->files[i].out_path = strdup(s->files[i].path);
        if (!s->files[i].out_path)
            return KC_ENOMEM;
    }
    int rc = s->opt->import_map ? mark_mapped(s) : 0;
    if (!rc)
        rc = components(s);
    /* The import maps need every module's final name and bytes: the entry
     * documents are rewritten again once all are known. */
    for (size_t i = 0; i < s->n && !rc && s->opt->import_map; i++) {
        struct kb_file *f = &s->files[i];
        if (!(f->role & KB_ROLE_ENTRY) || (f->role & KB_ROLE_RENAMED))
            continue;
        unsigned char *bytes;
        size_t len;
        rc = rewrite(s, f, true, true, &bytes, &len);
        if (!rc)
            kb_file_set_out(f, bytes, len);
    }
    if (!rc)
        rc = check_clashes(s);
    return rc;
}
