/*
 * Resolve: runs the right scanner on each file, then turns every reference
 * into either the index of a local file or "leave it alone" (external URLs,
 * data: URLs, fragments, bare module specifiers). Missing targets of
 * references a page cannot work without are errors; missing images, icons
 * and the like are warnings and stay unchanged. Every problem is reported
 * with file and line before the stage fails, so one run shows them all.
 */
#include "builder/site.h"
#include "common/ascii.h"
#include "common/error.h"
#include "common/log.h"
#include "common/path.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* References without which the page is broken: a missing target fails the
 * build. The rest (images, icons, media, meta, source maps, new URL()) warn. */
static bool
ref_required(enum kb_ref_kind k)
{
    switch (k) {
    case KB_REF_HTML_SCRIPT:
    case KB_REF_HTML_MODULE:
    case KB_REF_HTML_STYLESHEET:
    case KB_REF_HTML_MODULEPRELOAD:
    case KB_REF_CSS_IMPORT:
    case KB_REF_JS_IMPORT:
    case KB_REF_JS_DYNAMIC:
    case KB_REF_HTML_ISLAND: return true;
    default: return false;
    }
}

static bool
ref_is_module(enum kb_ref_kind k)
{
    return k == KB_REF_HTML_MODULE || k == KB_REF_HTML_MODULEPRELOAD || k == KB_REF_JS_IMPORT ||
           k == KB_REF_JS_DYNAMIC || k == KB_REF_HTML_ISLAND;
}

/* References whose text is a module specifier, resolved as import() does: an
 * island's URL is one too, since its runtime passes it to import(). */
static bool
ref_is_specifier(enum kb_ref_kind k)
{
    return k == KB_REF_JS_IMPORT || k == KB_REF_JS_DYNAMIC || k == KB_REF_HTML_ISLAND;
}

/* True for URLs that do not name a file of this site: empty, fragment-only,
 * scheme-relative ("//cdn"), or with a scheme ("https:", "data:", "mailto:"). */
static bool
url_external(const char *u)
{
    if (u[0] == '\0' || u[0] == '#' || u[0] == '?' || (u[0] == '/' && u[1] == '/'))
        return true;
    if (kc_is_alpha(u[0])) {
        const char *p = u + 1;
        while (kc_is_alnum(*p) || *p == '+' || *p == '-' || *p == '.')
            p++;
        if (*p == ':')
            return true;
    }
    return false;
}

/* Module specifiers that are neither relative nor absolute are "bare"
 * (package names); they are the bundler's or the import map's business. */
static bool
specifier_bare(const char *u)
{
    return !(u[0] == '/' || strncmp(u, "./", 2) == 0 || strncmp(u, "../", 3) == 0);
}

/* Resolves URL u, written in a file of directory dir, to a root-relative
 * source path in out (specifier: u is a module specifier, so a bare one is
 * not local). Returns 0, 1 when the URL is not local, or KC_EESCAPE. A URL
 * that ends in '/' gives a path that does too (the site root: ""). */
static int
url_path(const struct kb_site *s, const char *dir, const char *u, bool specifier, char *out,
         size_t outsz)
{
    if (url_external(u))
        return 1;
    if (specifier && specifier_bare(u))
        return 1;
    size_t n = strcspn(u, "?#");
    char dec[PATH_MAX];
    if (kc_url_decode(u, n, dec, sizeof dec) != 0) {
        /* Not valid percent-encoding ("100%.png"): browsers send it as is. */
        if (n >= sizeof dec)
            return 1;
        memcpy(dec, u, n);
        dec[n] = '\0';
    }
    /* A site written for its public base ("/app/x.css" with --base /app/)
     * names the same file as "/x.css". */
    const char *base = s->opt->base;
    size_t bn = strlen(base);
    const char *p = dec;
    if (bn > 1 && base[0] == '/' && strncmp(dec, base, bn) == 0)
        p = dec + bn - 1;
    int rc = kc_path_resolve(dir, p, out, outsz);
    if (rc == KC_EESCAPE)
        return rc;
    return rc ? 1 : 0;
}

/* Resolves ref r of file f (url_path from f's directory). */
static int
ref_path(const struct kb_site *s, const struct kb_file *f, const struct kb_ref *r, char *out,
         size_t outsz)
{
    char dir[PATH_MAX];
    kc_path_dirname(f->path, dir, sizeof dir);
    return url_path(s, dir, r->url, ref_is_specifier(r->kind), out, outsz);
}

long
kb__ref_query(const struct kb_file *f, const struct kb_ref *r)
{
    /* Each '?' and each '#' of the text gives one in the value, except a '#'
     * after '&' (a character reference, "&#47;"); an escape may give more
     * ("\\x3f", "&#63;"). When the value has no more than the text, none
     * came from an escape, and the value's first is the text's first. */
    const char *raw = (const char *)f->data + r->start;
    size_t n = r->end - r->start, q = n, in_raw = 0, in_url = 0;
    for (size_t i = n; i-- > 0;)
        if (raw[i] == '?' || (raw[i] == '#' && !(i > 0 && raw[i - 1] == '&'))) {
            in_raw++;
            q = i;
        }
    for (const char *u = r->url; *u; u++)
        in_url += *u == '?' || *u == '#';
    return in_url == in_raw ? (long)q : -1;
}

/* Runs the file's scanner. A file it rejects keeps no references; whether
 * that fails the build depends on whether a page uses the file (below). */
static int
scan_file(struct kb_file *f)
{
    struct kc_diag d = { 0 };
    const char *src = (const char *)f->data;
    int rc = 0;
    switch (f->mime->kind) {
    case KC_KIND_HTML: rc = kb_html_scan(src, f->len, &f->refs, &d); break;
    case KC_KIND_CSS: rc = kb_css_scan(src, f->len, 0, 1, &f->refs, &d); break;
    case KC_KIND_JS: rc = kb_js_scan(src, f->len, 0, 1, true, &f->refs, &d); break;
    default:
        if (f->role & KB_ROLE_MANIFEST)
            rc = kb_webmanifest_scan(src, f->len, &f->refs, &d);
        break;
    }
    if (rc == KC_EPARSE) {
        kb_reflist_free(&f->refs);
        if (asprintf(&f->scan_error, "%s:%u:%u: %s", f->path, d.line, d.col, d.msg) < 0)
            return KC_ENOMEM;
        return 0;
    }
    if (rc)
        kc_error("%s: %s", f->path, kc_strerror(rc));
    return rc;
}

/* The file a string in JS names (KB_REF_JS_NAME), or KB_T_NONE: it is only
 * a guess, so nothing found is no problem. "/x" and "./x" resolve as URLs; a
 * plain "assets/x.css" is taken first from the site's root, as bundlers list
 * the files a chunk needs relative to the base (Vite's preload helper), then
 * from the file's own directory. */
static int
name_target(const struct kb_site *s, const struct kb_file *f, const struct kb_ref *r)
{
    char path[PATH_MAX];
    int t = -1;
    if (specifier_bare(r->url) && url_path(s, "", r->url, false, path, sizeof path) == 0)
        t = kb_site_find(s, path);
    if (t < 0 && ref_path(s, f, r, path, sizeof path) == 0)
        t = kb_site_find(s, path);
    /* A page is somewhere to go, not a part of the code that names it (nor
     * of its pages' purge tags); it keeps its name anyway. */
    return t >= 0 && &s->files[t] != f && !(s->files[t].role & KB_ROLE_ENTRY) ? t : KB_T_NONE;
}

/* A computed import() whose specifier starts with a literal
 * (KB_REF_JS_PREFIX: `./pages/${p}.js`): every JavaScript file whose path
 * starts with that prefix may be loaded by a name kiln cannot rewrite, so
 * each keeps its name. Its directory part resolves as a URL; a bare one is a
 * package name, the import map's business. */
static void
pin_prefix(struct kb_site *s, const struct kb_file *f, const struct kb_ref *r)
{
    const char *name = strrchr(r->url, '/');
    char dirurl[PATH_MAX], from[PATH_MAX], dir[PATH_MAX];
    if (!name++ || (size_t)(name - r->url) >= sizeof dirurl)
        return;
    memcpy(dirurl, r->url, (size_t)(name - r->url));
    dirurl[name - r->url] = '\0';
    kc_path_dirname(f->path, from, sizeof from);
    if (url_path(s, from, dirurl, true, dir, sizeof dir) != 0)
        return;
    size_t dn = strlen(dir), nn = strcspn(name, "?#");
    for (size_t i = 0; i < s->n; i++) {
        struct kb_file *t = &s->files[i];
        if (t->mime->kind == KC_KIND_JS && strncmp(t->path, dir, dn) == 0 &&
            strncmp(t->path + dn, name, nn) == 0 && t != f)
            t->role |= KB_ROLE_REFERENCED | KB_ROLE_KEEP_NAME | KB_ROLE_MODULE;
    }
}

/* Maps each reference of f to a file index or a KB_T_* value, and marks the
 * targets. Problems are reported later, once reachability is known. */
static int
resolve_file(struct kb_site *s, struct kb_file *f)
{
    free(f->target);
    f->target = malloc((f->refs.n ? f->refs.n : 1) * sizeof *f->target);
    if (!f->target)
        return KC_ENOMEM;
    for (size_t i = 0; i < f->refs.n; i++) {
        const struct kb_ref *r = &f->refs.v[i];
        f->target[i] = KB_T_NONE;
        if (r->kind == KB_REF_JS_PREFIX) {
            pin_prefix(s, f, r);
            continue;
        }
        if (r->kind == KB_REF_JS_NAME) {
            f->target[i] = name_target(s, f, r);
            if (f->target[i] >= 0) /* code may load it by this name: it stays */
                s->files[f->target[i]].role |= KB_ROLE_REFERENCED | KB_ROLE_KEEP_NAME;
            continue;
        }
        char path[PATH_MAX];
        int rc = ref_path(s, f, r, path, sizeof path);
        size_t pn = strlen(path);
        if (rc == KC_EESCAPE)
            f->target[i] = KB_T_ESCAPE;
        if (rc || pn == 0 || path[pn - 1] == '/')
            continue; /* not local, or a directory URL: the edge's business */
        int t = kb_site_find(s, path);
        if (t < 0) {
            f->target[i] = KB_T_MISSING;
            continue;
        }
        f->target[i] = t;
        struct kb_file *tf = &s->files[t];
        tf->role |= KB_ROLE_REFERENCED;
        if (kb__ref_query(f, r) < 0)
            tf->role |= KB_ROLE_KEEP_NAME; /* r cannot be rewritten: the name stays */
        if (ref_is_module(r->kind))
            tf->role |= KB_ROLE_MODULE;
        if (r->kind == KB_REF_HTML_MANIFEST)
            tf->role |= KB_ROLE_MANIFEST | KB_ROLE_KEEP_NAME;
    }
    return 0;
}

/* Well-known names that clients request without being told: they keep their
 * name and are revalidated, never fingerprinted. */
static bool
well_known(const char *p)
{
    static const char *const root[] = { "robots.txt",
                                        "sw.js",
                                        "service-worker.js",
                                        "favicon.ico",
                                        "humans.txt",
                                        "ads.txt",
                                        "app-ads.txt",
                                        "security.txt",
                                        "browserconfig.xml",
                                        "crossdomain.xml",
                                        "apple-app-site-association" };
    if (strncmp(p, ".well-known/", 12) == 0)
        return true;
    if (strchr(p, '/'))
        return false;
    for (size_t i = 0; i < sizeof root / sizeof root[0]; i++)
        if (strcmp(p, root[i]) == 0)
            return true;
    return strncmp(p, "sitemap", 7) == 0 || strncmp(p, "apple-touch-icon", 16) == 0;
}

/* How sure we are that a bundler hashed a name. */
enum hashed { HASHED_NO, HASHED_WEAK, HASHED_STRONG };

/*
 * A hash a bundler put in the name: the default pattern's group 1 is either
 * 8 base64url characters (Vite, Rollup, esbuild) or 10/16+ hex digits (kiln,
 * webpack). Eight letters could be a word ("BoldItal"), so an 8-character
 * candidate is strong only if it also holds a digit, '_' or '-', or two
 * capitals after its first character; one with a capital is weak, and counts
 * only in a directory where some other name is strongly hashed (a bundler's
 * output directory such as assets/); eight lower-case letters are a word
 * ("messages" in monaco's nls.messages.de.js, whose bytes change under that
 * name), not a hash: a real one is so 1 time in 1,348, and is then renamed
 * by kiln, which is safe, where the other mistake serves changing bytes as
 * immutable.
 */
static enum hashed
looks_hashed(const struct kb_site *s, const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    regmatch_t m[2];
    if (regexec(&s->hashed, base, 2, m, 0) != 0)
        return HASHED_NO;
    if (m[1].rm_so < 0)
        return HASHED_STRONG; /* a user pattern without a group */
    size_t n = (size_t)(m[1].rm_eo - m[1].rm_so);
    const char *h = base + m[1].rm_so;
    if (n != 8)
        return HASHED_STRONG;
    int caps = 0;
    for (size_t i = 0; i < n; i++) {
        if (kc_is_digit(h[i]) || h[i] == '_' || h[i] == '-')
            return HASHED_STRONG;
        caps += i > 0 && kc_is_upper(h[i]);
    }
    if (caps >= 2)
        return HASHED_STRONG;
    return caps == 1 || kc_is_upper(h[0]) ? HASHED_WEAK : HASHED_NO;
}

static bool
same_dir(const char *a, const char *b)
{
    const char *sa = strrchr(a, '/'), *sb = strrchr(b, '/');
    size_t na = sa ? (size_t)(sa - a) : 0, nb = sb ? (size_t)(sb - b) : 0;
    return na == nb && strncmp(a, b, na) == 0;
}

/* Sets KB_ROLE_PREHASHED. Weak candidates are rare (about 1 in 60 of Vite's
 * names), so looking for a strong sibling by a linear scan is cheap. */
static int
mark_prehashed(struct kb_site *s)
{
    enum hashed *h = malloc((s->n + 1) * sizeof *h);
    if (!h)
        return KC_ENOMEM;
    for (size_t i = 0; i < s->n; i++)
        h[i] = looks_hashed(s, s->files[i].path);
    for (size_t i = 0; i < s->n; i++) {
        bool yes = h[i] == HASHED_STRONG;
        for (size_t k = 0; h[i] == HASHED_WEAK && k < s->n && !yes; k++)
            yes = h[k] == HASHED_STRONG && same_dir(s->files[i].path, s->files[k].path);
        if (yes)
            s->files[i].role |= KB_ROLE_PREHASHED;
    }
    free(h);
    return 0;
}

/* Marks what the entry documents (and well-known files such as sw.js) load,
 * directly or not: iterative depth-first search over resolved references. */
static int
mark_reachable(struct kb_site *s)
{
    int *stack = malloc((s->n + 1) * sizeof *stack);
    if (!stack)
        return KC_ENOMEM;
    size_t sp = 0;
    for (size_t i = 0; i < s->n; i++) {
        struct kb_file *f = &s->files[i];
        if ((f->role & KB_ROLE_ENTRY) || well_known(f->path)) {
            f->reachable = true;
            stack[sp++] = (int)i;
        }
    }
    while (sp > 0) {
        struct kb_file *f = &s->files[stack[--sp]];
        for (size_t r = 0; r < f->refs.n; r++) {
            int t = f->target[r];
            if (t >= 0 && !s->files[t].reachable) {
                s->files[t].reachable = true;
                stack[sp++] = t;
            }
        }
    }
    free(stack);
    return 0;
}

#define KB_UNUSED_WARNINGS 10 /* then a count; -v shows them all */

/* Warns about a file no page uses: the first few, then only counted. */
static void warn_unused(struct kb_site *s, int *shown, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
warn_unused(struct kb_site *s, int *shown, const char *fmt, ...)
{
    s->warnings++;
    if (++*shown > KB_UNUSED_WARNINGS && kc_log_level() < KC_LOG_INFO)
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    kc_warn("%s (no page uses this file)", msg);
}

/* Reports every problem, in path order. In a file a page uses, a parse
 * error, a reference out of SRC_DIR and a missing required target fail the
 * build; in a file no page uses (a package's sources shipped beside its
 * dist, say) they are warnings and the file is copied as it is. */
static int
report_problems(struct kb_site *s)
{
    int failed = 0, shown = 0;
    for (size_t i = 0; i < s->n; i++) {
        struct kb_file *f = &s->files[i];
        if (f->scan_error) {
            if (f->reachable) {
                kc_error("%s", f->scan_error);
                failed = failed ? failed : KC_EPARSE;
            } else {
                warn_unused(s, &shown, "%s; copied unchanged", f->scan_error);
            }
        }
        for (size_t k = 0; k < f->refs.n; k++) {
            const struct kb_ref *r = &f->refs.v[k];
            char path[PATH_MAX] = "";
            if (f->target[k] == KB_T_ESCAPE) {
                if (f->reachable) {
                    kc_error("%s:%u: '%s' points outside the source directory", f->path, r->line,
                             r->url);
                    failed = failed ? failed : KC_EESCAPE;
                } else {
                    warn_unused(s, &shown, "%s:%u: '%s' points outside the source directory",
                                f->path, r->line, r->url);
                }
            } else if (f->target[k] >= 0 && kb__ref_query(f, r) < 0) {
                const char *why = "an escape writes its '?' or '#', so kiln cannot rewrite the "
                                  "URL; the file keeps its name";
                if (f->reachable) {
                    kc_warn("%s:%u: '%s': %s (%s)", f->path, r->line, r->url, why,
                            s->files[f->target[k]].path);
                    s->warnings++;
                } else {
                    warn_unused(s, &shown, "%s:%u: '%s': %s (%s)", f->path, r->line, r->url, why,
                                s->files[f->target[k]].path);
                }
            } else if (f->target[k] == KB_T_MISSING) {
                ref_path(s, f, r, path, sizeof path);
                if (f->reachable && ref_required(r->kind)) {
                    kc_error("%s:%u: '%s' not found (looked for %s)", f->path, r->line, r->url,
                             path);
                    failed = failed ? failed : KC_EMISSING;
                } else if (f->reachable) {
                    kc_warn("%s:%u: '%s' not found (looked for %s); left unchanged", f->path,
                            r->line, r->url, path);
                    s->warnings++;
                } else {
                    warn_unused(s, &shown, "%s:%u: '%s' not found (looked for %s)", f->path,
                                r->line, r->url, path);
                }
            }
        }
    }
    if (shown > KB_UNUSED_WARNINGS && kc_log_level() < KC_LOG_INFO)
        kc_warn("%d more warnings about files no page uses (-v lists them)",
                shown - KB_UNUSED_WARNINGS);
    return failed;
}

int
kb__rescan(struct kb_site *s, struct kb_file *f)
{
    kb_reflist_free(&f->refs);
    free(f->scan_error);
    f->scan_error = NULL;
    int rc = scan_file(f);
    if (!rc && f->scan_error) {
        /* Generated text the scanner refuses is a bug of its generator. */
        kc_error("%s (generated)", f->scan_error);
        rc = KC_EPARSE;
    }
    return rc ? rc : resolve_file(s, f);
}

int
kb__resolve(struct kb_site *s, struct kb_file *f)
{
    return resolve_file(s, f);
}

int
kb__refresh_roles(struct kb_site *s)
{
    for (size_t i = 0; i < s->n; i++) {
        s->files[i].role &= ~(KB_ROLE_REFERENCED | KB_ROLE_MODULE);
        s->files[i].reachable = false;
    }
    for (size_t i = 0; i < s->n; i++) {
        struct kb_file *f = &s->files[i];
        for (size_t r = 0; r < f->refs.n; r++) {
            int t = f->target[r];
            if (t < 0)
                continue;
            s->files[t].role |= KB_ROLE_REFERENCED;
            if (ref_is_module(f->refs.v[r].kind))
                s->files[t].role |= KB_ROLE_MODULE;
        }
    }
    int rc = mark_reachable(s);
    for (size_t i = 0; i < s->n; i++)
        if (!(s->files[i].role & KB_ROLE_REFERENCED))
            s->files[i].role |= KB_ROLE_KEEP_NAME;
    return rc;
}

int
kb_resolve(struct kb_site *s)
{
    int rc = 0;
    /* HTML, CSS and JS first: they say which JSON files are web manifests. */
    for (size_t i = 0; i < s->n && !rc; i++) {
        struct kb_file *f = &s->files[i];
        if (f->mime->kind == KC_KIND_WEBMANIFEST)
            f->role |= KB_ROLE_MANIFEST;
        if (f->mime->kind == KC_KIND_HTML)
            f->role |= KB_ROLE_ENTRY | KB_ROLE_KEEP_NAME;
        if (!(f->role & KB_ROLE_MANIFEST))
            rc = scan_file(f);
    }
    for (size_t i = 0; i < s->n && !rc; i++)
        rc = resolve_file(s, &s->files[i]);
    for (size_t i = 0; i < s->n && !rc; i++) {
        struct kb_file *f = &s->files[i];
        if (f->role & KB_ROLE_MANIFEST) {
            rc = scan_file(f);
            if (!rc)
                rc = resolve_file(s, f);
        }
    }
    if (!rc)
        rc = mark_reachable(s);
    if (rc)
        return rc;
    for (size_t i = 0; i < s->n; i++) {
        struct kb_file *f = &s->files[i];
        if (well_known(f->path) || !(f->role & KB_ROLE_REFERENCED))
            f->role |= KB_ROLE_KEEP_NAME;
    }
    rc = mark_prehashed(s);
    return rc ? rc : report_problems(s);
}
