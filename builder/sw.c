/*
 * Service worker: after naming (final URLs and integrity known), fills
 * sw-template/sw.js with this release's precache list (filled by priority
 * within the budget; what is left out is recorded for the report), warm
 * list, runtime rules, navigation fallback and options, adds it as sw.js
 * (cache class revalidate, outside the release id), and puts a
 * fingerprinted registration script in every entry document. Options come
 * from --sw-config (JSON); every key is checked, so a typo or a wrong type
 * is a build error naming the file and the key.
 */
#include "builder/site.h"
#include "builder/sw.h"
#include "common/buf.h"
#include "common/error.h"
#include "common/log.h"

#include <fnmatch.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SW_PATH       "sw.js"
#define REGISTER_PATH "kiln-sw-register.js"
#define MAX_GLOBS     64

struct sw_conf {
    const char *file;    /* the config's path, for messages; "" without one */
    char *template_text; /* owned, NUL-terminated */
    size_t template_len;
    char *template_name; /* for messages (owned) */
    const char *include[MAX_GLOBS], *exclude[MAX_GLOBS], *no_register[MAX_GLOBS];
    size_t n_include, n_exclude, n_no_register;
    json_t *denylist; /* navigateFallbackDenylist (borrowed from root), NULL: the default */
    json_int_t max_file, budget, warm_budget;
    double timeout;
    const char *fallback; /* NULL: chosen by choose_fallback() */
    bool fallback_set;    /* navigateFallback given, as a path or as null (none) */
    bool skip_waiting, clients_claim, cleanup, nav_preload;
    json_t *runtime; /* normalised rules (owned) */
    json_t *root;    /* the parsed config (owned); strings above point into it */
};

/* ---- the configuration -------------------------------------------------- */

static int
conf_error(const struct sw_conf *c, const char *key, const char *why)
{
    kc_error("%s: %s: %s", c->file, key, why);
    return KC_EPARSE;
}

static int
get_bool(struct sw_conf *c, const char *key, bool *out)
{
    json_t *v = json_object_get(c->root, key);
    if (!v)
        return 0;
    if (!json_is_boolean(v))
        return conf_error(c, key, "expected true or false");
    *out = json_is_true(v);
    return 0;
}

static int
get_size(struct sw_conf *c, const char *key, json_int_t *out)
{
    json_t *v = json_object_get(c->root, key);
    if (!v)
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return conf_error(c, key, "expected a number of bytes (an integer >= 0)");
    *out = json_integer_value(v);
    return 0;
}

static int
get_globs(struct sw_conf *c, const char *key, const char **out, size_t *n)
{
    json_t *v = json_object_get(c->root, key), *g;
    size_t i;
    if (!v)
        return 0;
    if (!json_is_array(v) || json_array_size(v) > MAX_GLOBS)
        return conf_error(c, key, "expected an array of at most 64 glob strings");
    *n = 0;
    json_array_foreach(v, i, g)
    {
        if (!json_is_string(g))
            return conf_error(c, key, "expected an array of glob strings");
        out[(*n)++] = json_string_value(g);
    }
    return 0;
}

/* Workbox's runtimeCaching, reduced to what a kiln worker implements:
 * {urlPattern, handler, options: {cacheName, expiration: {maxEntries,
 * maxAgeSeconds}}}. urlPattern is a JavaScript regular expression source. */
static int
get_runtime(struct sw_conf *c)
{
    static const char *const handlers[] = { "StaleWhileRevalidate", "CacheFirst", "NetworkFirst",
                                            "NetworkOnly" };
    c->runtime = json_array();
    json_t *v = json_object_get(c->root, "runtimeCaching"), *r;
    size_t i;
    if (!v)
        return 0;
    if (!json_is_array(v))
        return conf_error(c, "runtimeCaching", "expected an array of rules");
    json_array_foreach(v, i, r)
    {
        char key[64];
        snprintf(key, sizeof key, "runtimeCaching[%zu]", i);
        json_t *pat = json_object_get(r, "urlPattern"), *h = json_object_get(r, "handler");
        json_t *opts = json_object_get(r, "options");
        if (!json_is_object(r) || !json_is_string(pat) || !json_is_string(h))
            return conf_error(c, key, "expected {\"urlPattern\": STRING, \"handler\": STRING}");
        bool known = false;
        for (size_t k = 0; k < sizeof handlers / sizeof handlers[0]; k++)
            known |= strcmp(json_string_value(h), handlers[k]) == 0;
        if (!known)
            return conf_error(c, key,
                              "handler must be StaleWhileRevalidate, CacheFirst, NetworkFirst "
                              "or NetworkOnly");
        char name[32];
        snprintf(name, sizeof name, "rule%zu", i);
        json_t *cn = opts ? json_object_get(opts, "cacheName") : NULL;
        json_t *exp = opts ? json_object_get(opts, "expiration") : NULL;
        json_t *me = exp ? json_object_get(exp, "maxEntries") : NULL;
        json_t *ma = exp ? json_object_get(exp, "maxAgeSeconds") : NULL;
        if ((opts && !json_is_object(opts)) || (cn && !json_is_string(cn)) ||
            (exp && !json_is_object(exp)) || (me && !json_is_integer(me)) ||
            (ma && !json_is_integer(ma)))
            return conf_error(c, key,
                              "options: expected {\"cacheName\": STRING, \"expiration\": "
                              "{\"maxEntries\": INT, \"maxAgeSeconds\": INT}}");
        json_array_append_new(c->runtime,
                              json_pack("{s:O, s:O, s:s, s:I, s:I}", "urlPattern", pat, "handler",
                                        h, "cacheName", cn ? json_string_value(cn) : name,
                                        "maxEntries", me ? json_integer_value(me) : 0,
                                        "maxAgeSeconds", ma ? json_integer_value(ma) : 0));
    }
    return 0;
}

static int
read_text(const char *path, char **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return KC_ENOENT;
    struct kc_buf b;
    kc_buf_init(&b, 16u << 20);
    char chunk[8192];
    size_t n;
    int rc = 0;
    while (!rc && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        rc = kc_buf_append(&b, chunk, n);
    if (!rc && ferror(f))
        rc = KC_EIO;
    fclose(f);
    if (!rc)
        rc = kc_buf_putc(&b, '\0');
    if (rc) {
        kc_buf_free(&b);
        return rc;
    }
    *out = kc_buf_steal(&b, len);
    (*len)--;
    return *out ? 0 : KC_ENOMEM;
}

static int
conf_load(const struct kb_options *o, struct sw_conf *c)
{
    static const char *const keys[] = {
        "swTemplate",
        "globPatterns",
        "globIgnores",
        "registerIgnores",
        "maximumFileSizeToCacheInBytes",
        "precacheBudgetBytes",
        "warmBudgetBytes",
        "navigateFallback",
        "navigateFallbackDenylist",
        "networkTimeoutSeconds",
        "navigationPreload",
        "skipWaiting",
        "clientsClaim",
        "cleanupOutdatedCaches",
        "runtimeCaching",
        "$comment",
    };
    *c = (struct sw_conf){
        .file = o->sw_config ? o->sw_config : "",
        .max_file = 2 * 1024 * 1024,
        .budget = 20 * 1024 * 1024,
        .warm_budget = 512 * 1024,
        .timeout = 3,
        .cleanup = true,
        .nav_preload = true,
    };
    c->include[c->n_include++] = "*";
    if (o->sw_config) {
        json_error_t je;
        c->root = json_load_file(o->sw_config, JSON_REJECT_DUPLICATES, &je);
        if (!c->root) {
            kc_error("%s:%d:%d: %s", o->sw_config, je.line, je.column, je.text);
            return KC_EPARSE;
        }
        if (!json_is_object(c->root)) {
            kc_error("%s: expected a JSON object of service worker options", o->sw_config);
            return KC_EPARSE;
        }
    } else {
        c->root = json_object();
    }
    const char *k;
    json_t *v;
    json_object_foreach(c->root, k, v)
    {
        bool known = false;
        for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
            known |= strcmp(k, keys[i]) == 0;
        if (!known)
            return conf_error(c, k, "unknown option (see docs/service-worker.md)");
    }
    int rc = get_bool(c, "skipWaiting", &c->skip_waiting);
    if (!rc)
        rc = get_bool(c, "clientsClaim", &c->clients_claim);
    if (!rc)
        rc = get_bool(c, "cleanupOutdatedCaches", &c->cleanup);
    if (!rc)
        rc = get_bool(c, "navigationPreload", &c->nav_preload);
    if (!rc)
        rc = get_size(c, "maximumFileSizeToCacheInBytes", &c->max_file);
    if (!rc)
        rc = get_size(c, "precacheBudgetBytes", &c->budget);
    if (!rc)
        rc = get_size(c, "warmBudgetBytes", &c->warm_budget);
    if (!rc)
        rc = get_globs(c, "globPatterns", c->include, &c->n_include);
    if (!rc)
        rc = get_globs(c, "globIgnores", c->exclude, &c->n_exclude);
    if (!rc)
        rc = get_globs(c, "registerIgnores", c->no_register, &c->n_no_register);
    if (!rc)
        rc = get_runtime(c);
    if (rc)
        return rc;
    if ((v = json_object_get(c->root, "networkTimeoutSeconds"))) {
        if (!json_is_number(v) || json_number_value(v) <= 0 || json_number_value(v) > 600)
            return conf_error(c, "networkTimeoutSeconds", "expected a number of seconds, 0..600");
        c->timeout = json_number_value(v);
    }
    if ((v = json_object_get(c->root, "navigateFallback"))) {
        c->fallback_set = true;
        if (!json_is_null(v) && (!json_is_string(v) || json_string_value(v)[0] != '/'))
            return conf_error(c, "navigateFallback",
                              "expected a URL path starting with '/', or null for none");
        c->fallback = json_is_null(v) ? NULL : json_string_value(v);
    }
    if ((v = json_object_get(c->root, "navigateFallbackDenylist"))) {
        json_t *g;
        size_t i;
        bool ok = json_is_array(v) && json_array_size(v) <= MAX_GLOBS;
        json_array_foreach(v, i, g)
        {
            ok &= json_is_string(g);
        }
        if (!ok)
            return conf_error(c, "navigateFallbackDenylist",
                              "expected an array of at most 64 regular expressions (strings)");
        c->denylist = v;
    }
    if ((v = json_object_get(c->root, "swTemplate"))) {
        if (!json_is_string(v))
            return conf_error(c, "swTemplate", "expected a file name");
        /* Relative to the config file, like every path a config names. */
        const char *t = json_string_value(v), *slash = strrchr(c->file, '/');
        char p[PATH_MAX];
        if (t[0] == '/' || !slash)
            snprintf(p, sizeof p, "%s", t);
        else
            snprintf(p, sizeof p, "%.*s/%s", (int)(slash - c->file), c->file, t);
        c->template_name = strdup(p);
        if (!c->template_name)
            return KC_ENOMEM;
        rc = read_text(p, &c->template_text, &c->template_len);
        if (rc) {
            kc_error("%s: cannot read the service worker template: %s", p, kc_strerror(rc));
            return rc;
        }
    } else {
        c->template_name = strdup("sw-template/sw.js (built in)");
        c->template_text = malloc(kb_sw_template_len + 1);
        if (!c->template_name || !c->template_text)
            return KC_ENOMEM;
        memcpy(c->template_text, kb_sw_template, kb_sw_template_len + 1);
        c->template_len = kb_sw_template_len;
    }
    return 0;
}

static void
conf_free(struct sw_conf *c)
{
    free(c->template_text);
    free(c->template_name);
    json_decref(c->runtime);
    json_decref(c->root);
}

/* Globs match the source path; '*' crosses '/' (fnmatch without
 * FNM_PATHNAME), so "*.png" means every PNG and "img/..." all below img/. */
static bool
glob_any(const char *const *g, size_t n, const char *path)
{
    for (size_t i = 0; i < n; i++)
        if (fnmatch(g[i], path, 0) == 0)
            return true;
    return false;
}

/* ---- templates ------------------------------------------------------------ */

/* Replaces the one occurrence of each name in names with the matching JSON
 * text; a name that is missing, or there twice, is an error naming the
 * template. A NULL value leaves that point for a later pass. */
static int
fill(const char *tpl_name, const char *tpl, size_t len, const char *const *names,
     char *const *values, size_t n, struct kc_buf *out)
{
    const char *at[8] = { 0 };
    for (size_t i = 0; i < n; i++) {
        const char *p = tpl, *hit = NULL;
        size_t count = 0, nl = strlen(names[i]);
        while ((p = memmem(p, (size_t)(tpl + len - p), names[i], nl))) {
            hit = hit ? hit : p;
            count++;
            p += nl;
        }
        if (count != 1) {
            kc_error("%s: injection point %s %s", tpl_name, names[i],
                     count ? "appears more than once" : "is missing");
            return KC_EPARSE;
        }
        at[i] = values[i] ? hit : NULL;
    }
    const char *pos = tpl;
    for (;;) {
        size_t best = n;
        for (size_t i = 0; i < n; i++)
            if (at[i] && at[i] >= pos && (best == n || at[i] < at[best]))
                best = i;
        if (best == n)
            break;
        int rc = kc_buf_append(out, pos, (size_t)(at[best] - pos));
        if (!rc)
            rc = kc_buf_puts(out, values[best]);
        if (rc)
            return rc;
        pos = at[best] + strlen(names[best]);
    }
    return kc_buf_append(out, pos, (size_t)(tpl + len - pos));
}

static char *
json_text(json_t *v)
{
    char *t = json_dumps(v, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_ENCODE_ANY);
    json_decref(v);
    return t;
}

/* ---- the site's graph ------------------------------------------------------- */

enum { NEED_NONE, NEED_EAGER, NEED_LAZY };

/* Reference kinds a page needs to render: not dynamic imports (lazy), not
 * source maps, not crawler images in <meta>, not the web app manifest's
 * install icons. */
static bool
eager_kind(enum kb_ref_kind k)
{
    return k != KB_REF_JS_DYNAMIC && k != KB_REF_SOURCEMAP && k != KB_REF_HTML_META &&
           k != KB_REF_HTML_MANIFEST;
}

/* Marks in need[] what entry documents load eagerly, then what is reachable
 * only through dynamic imports. Iterative, with one stack of file indexes. */
static int
mark_needs(const struct kb_site *s, unsigned char *need)
{
    int *stack = malloc((s->n + 1) * sizeof *stack * 2);
    if (!stack)
        return KC_ENOMEM;
    for (int pass = NEED_EAGER; pass <= NEED_LAZY; pass++) {
        size_t sp = 0;
        for (size_t i = 0; i < s->n; i++) {
            const struct kb_file *f = &s->files[i];
            if (pass == NEED_EAGER && (f->role & KB_ROLE_ENTRY))
                stack[sp++] = (int)i;
            if (pass == NEED_LAZY && need[i] == NEED_EAGER)
                for (size_t r = 0; r < f->refs.n; r++) {
                    int t = f->target[r];
                    if (t >= 0 && f->refs.v[r].kind == KB_REF_JS_DYNAMIC && !need[t]) {
                        need[t] = NEED_LAZY;
                        stack[sp++] = t;
                    }
                }
        }
        while (sp > 0) {
            const struct kb_file *f = &s->files[stack[--sp]];
            for (size_t r = 0; r < f->refs.n; r++) {
                int t = f->target[r];
                enum kb_ref_kind k = f->refs.v[r].kind;
                if (t < 0 || need[t] || (s->files[t].role & KB_ROLE_ENTRY) ||
                    k == KB_REF_SOURCEMAP || (pass == NEED_EAGER && !eager_kind(k)) ||
                    (pass == NEED_LAZY && (k == KB_REF_HTML_META || k == KB_REF_HTML_MANIFEST)))
                    continue;
                need[t] = (unsigned char)pass;
                if (sp < 2 * s->n)
                    stack[sp++] = t;
            }
        }
    }
    free(stack);
    return 0;
}

static bool
is_source_map(const struct kb_file *f)
{
    size_t n = strlen(f->out_path);
    return n > 4 && strcmp(f->out_path + n - 4, ".map") == 0;
}

/* ---- new files --------------------------------------------------------------- */

/* Appends a generated file (data and out are the same buffer, owned). The
 * list stays sorted for everything before it; nothing looks files up by path
 * after this stage. */
static struct kb_file *
add_file(struct kb_site *s, const char *path, unsigned char *bytes, size_t len, int64_t mtime)
{
    struct kb_file *v = realloc(s->files, (s->n + 1) * sizeof *v);
    if (!v)
        return NULL;
    s->files = v;
    struct kb_file *f = &v[s->n];
    *f = (struct kb_file){ .path = strdup(path), .out_path = strdup(path), .mtime = mtime };
    if (!f->path || !f->out_path) {
        free(f->path);
        free(f->out_path);
        return NULL;
    }
    f->mime = kc_mime_lookup(path);
    f->data = bytes;
    f->len = len;
    f->reachable = true;
    kb_file_set_out(f, bytes, len);
    s->n++;
    return f;
}

/* The registration script: a fingerprinted file, so it is immutable,
 * precached, and allowed by a CSP of script-src 'self'. */
static int
add_register(struct kb_site *s, int64_t mtime, int *out_index)
{
    char *base = kb_public_url(s, "");
    char *sw_url = kb_public_url(s, SW_PATH);
    json_t *o = json_pack("{s:s, s:s}", "url", sw_url ? sw_url : "", "scope", base ? base : "");
    char *vals[1] = { json_text(o) };
    const char *names[1] = { "__KILN_REGISTER__" };
    free(base);
    free(sw_url);
    if (!vals[0])
        return KC_ENOMEM;
    struct kc_buf b;
    kc_buf_init(&b, 1u << 20);
    int rc =
        fill("sw-template/register.js", kb_sw_register, kb_sw_register_len, names, vals, 1, &b);
    free(vals[0]);
    size_t len;
    unsigned char *bytes = rc ? NULL : (unsigned char *)kc_buf_steal(&b, &len);
    kc_buf_free(&b);
    if (rc || !bytes)
        return rc ? rc : KC_ENOMEM;
    struct kb_file *f = add_file(s, REGISTER_PATH, bytes, len, mtime);
    if (!f) {
        free(bytes);
        return KC_ENOMEM;
    }
    f->role = KB_ROLE_RENAMED | KB_ROLE_REFERENCED;
    /* kiln's own naming: NAME.HASH.EXT with 10 hex digits. */
    char hex[2 * KC_SHA256_LEN + 1], name[64];
    kc_hex(f->sha256, KC_SHA256_LEN, hex);
    snprintf(name, sizeof name, "kiln-sw-register.%.10s.js", hex);
    free(f->out_path);
    f->out_path = strdup(name);
    *out_index = (int)(s->n - 1);
    return f->out_path ? 0 : KC_ENOMEM;
}

/* Where the registration tag goes: before </head>, else before <body, else
 * at the end. A plain search: the tag is harmless anywhere in a document. */
static size_t
insert_at(const unsigned char *d, size_t n)
{
    static const char *const marks[] = { "</head", "<body" };
    for (size_t m = 0; m < 2; m++) {
        size_t ml = strlen(marks[m]);
        for (size_t i = 0; i + ml <= n; i++)
            if (strncasecmp((const char *)d + i, marks[m], ml) == 0)
                return i;
    }
    return n;
}

static int
inject(struct kb_site *s, const struct sw_conf *c, const struct kb_file *reg)
{
    char *url = kb_public_url(s, reg->out_path);
    if (!url)
        return KC_ENOMEM;
    struct kc_buf tag;
    kc_buf_init(&tag, 4096);
    int rc = kc_buf_printf(&tag, "<script src=\"%s\" defer", url);
    if (!rc && s->opt->integrity)
        rc = kc_buf_printf(&tag, " integrity=\"%s\" crossorigin", reg->sri);
    if (!rc)
        rc = kc_buf_puts(&tag, "></script>\n");
    free(url);
    for (size_t i = 0; i < s->n && !rc; i++) {
        struct kb_file *f = &s->files[i];
        if (!(f->role & KB_ROLE_ENTRY) || glob_any(c->no_register, c->n_no_register, f->path) ||
            memmem(f->out, f->out_len, "data-kiln-no-sw", 15))
            continue;
        size_t at = insert_at(f->out, f->out_len);
        struct kc_buf b;
        kc_buf_init(&b, SIZE_MAX / 2);
        rc = kc_buf_append(&b, f->out, at);
        if (!rc)
            rc = kc_buf_append(&b, tag.data, tag.len);
        if (!rc)
            rc = kc_buf_append(&b, f->out + at, f->out_len - at);
        size_t len;
        unsigned char *bytes = rc ? NULL : (unsigned char *)kc_buf_steal(&b, &len);
        kc_buf_free(&b);
        if (!rc && !bytes)
            rc = KC_ENOMEM;
        if (!rc)
            kb_file_set_out(f, bytes, len);
    }
    kc_buf_free(&tag);
    return rc;
}

/* ---- the lists ------------------------------------------------------------------ */

/* What a file is to the worker. The precache is filled tier by tier, first
 * to last, within precacheBudgetBytes: what makes the pages render offline
 * comes before what a page may ask for later. */
enum tier {
    T_NONE, /* not cached by the worker */
    T_DOC,  /* an entry document, or the registration script every page loads */
    T_NEED, /* loaded by a document to render (followed from the entries, no import()) */
    T_CODE, /* any other fingerprinted JS, CSS, font, JSON or WASM file: lazy routes'
               chunks and stylesheets, islands, chunks named only by a runtime map */
    T_DATA, /* a JSON file at a stable URL, which a script may fetch by a name kiln
               cannot see (VitePress's hashmap.json); a bundler's hashed files are
               immutable (T_CODE), and files named in JS strings are referenced */
    T_WARM, /* any other fingerprinted file reached through import(): warmed at idle */
};

/* The kinds Workbox's default globs precache, with fonts and data. */
static bool
code_kind(const struct kb_file *f)
{
    enum kc_kind k = f->mime->kind;
    return k == KC_KIND_JS || k == KC_KIND_CSS || k == KC_KIND_FONT || k == KC_KIND_JSON ||
           k == KC_KIND_WASM;
}

static enum tier
tier_of(const struct kb_file *f, unsigned char need)
{
    /* Legacy twins: a browser that runs this worker runs modules. */
    if (is_source_map(f) || (f->role & KB_ROLE_LEGACY))
        return T_NONE;
    if ((f->role & KB_ROLE_ENTRY) || strcmp(f->path, REGISTER_PATH) == 0)
        return T_DOC;
    if (need == NEED_EAGER)
        return T_NEED;
    bool imm = kb_file_immutable(f);
    if (imm && code_kind(f))
        return T_CODE;
    if (f->mime->kind == KC_KIND_JSON && strncmp(f->path, ".well-known/", 12) != 0)
        return T_DATA;
    /* A stable URL reached only lazily could change under the page: left to
     * the network. */
    return imm && need == NEED_LAZY ? T_WARM : T_NONE;
}

static int
cmp_omit(const void *a, const void *b)
{
    const struct kb_sw_omit *x = a, *y = b;
    return (x->file > y->file) - (x->file < y->file);
}

/* Drops candidates the options leave out, recording each in s->sw.omit. */
static void
filter(struct kb_site *s, const struct sw_conf *c, unsigned char *tier)
{
    for (size_t i = 0; i < s->n; i++) {
        const struct kb_file *f = &s->files[i];
        const char *why = NULL;
        if (tier[i] == T_NONE)
            continue;
        if (!glob_any(c->include, c->n_include, f->path))
            why = "globPatterns";
        else if (glob_any(c->exclude, c->n_exclude, f->path))
            why = "globIgnores";
        else if ((json_int_t)f->out_len > c->max_file) {
            why = "maximumFileSizeToCacheInBytes";
            kc_warn("%s: %zu bytes, over maximumFileSizeToCacheInBytes (%lld): not precached",
                    f->path, f->out_len, (long long)c->max_file);
            s->warnings++;
        }
        if (why) {
            s->sw.omit[s->sw.n_omit++] = (struct kb_sw_omit){ (int)i, why };
            tier[i] = T_NONE;
        }
    }
}

/* First fit, tier by tier, in path order: a file that would take the total
 * over budget is left out, and a smaller one after it may still fit. Returns
 * the bytes left out. */
static json_int_t
fit(struct kb_site *s, unsigned char *tier, enum tier from, enum tier to, json_int_t budget,
    const char *why, json_int_t *total)
{
    json_int_t dropped = 0;
    for (int t = (int)from; t <= (int)to; t++)
        for (size_t i = 0; i < s->n; i++) {
            json_int_t len = (json_int_t)s->files[i].out_len;
            if ((int)tier[i] != t)
                continue;
            if (*total + len <= budget) {
                *total += len;
                continue;
            }
            s->sw.omit[s->sw.n_omit++] = (struct kb_sw_omit){ (int)i, why };
            tier[i] = T_NONE;
            dropped += len;
        }
    return dropped;
}

static int
lists(struct kb_site *s, const struct sw_conf *c, json_t *precache, json_t *warm)
{
    unsigned char *need = calloc(s->n + 1, 1), *tier = calloc(s->n + 1, 1);
    s->sw.omit = calloc(s->n + 1, sizeof *s->sw.omit);
    if (!need || !tier || !s->sw.omit) {
        free(need);
        free(tier);
        return KC_ENOMEM;
    }
    int rc = mark_needs(s, need);
    for (size_t i = 0; i < s->n && !rc; i++)
        tier[i] = (unsigned char)tier_of(&s->files[i], need[i]);
    if (!rc)
        filter(s, c, tier);
    json_int_t total = 0, warm_total = 0;
    size_t first = s->sw.n_omit;
    json_int_t dropped = fit(s, tier, T_DOC, T_DATA, c->budget, "precacheBudgetBytes", &total);
    if (dropped) {
        kc_warn("%s: the precache would be over precacheBudgetBytes (%lld): %zu files (%lld "
                "bytes) left out, %s the first (the report lists them all)",
                c->file[0] ? c->file : SW_PATH, (long long)c->budget, s->sw.n_omit - first,
                (long long)dropped, s->files[s->sw.omit[first].file].path);
        s->warnings++;
    }
    fit(s, tier, T_WARM, T_WARM, c->warm_budget, "warmBudgetBytes", &warm_total);
    qsort(s->sw.omit, s->sw.n_omit, sizeof *s->sw.omit, cmp_omit);
    for (size_t i = 0; i < s->n && !rc; i++) {
        const struct kb_file *f = &s->files[i];
        if (tier[i] == T_NONE)
            continue;
        char *url = kb_public_url(s, f->out_path);
        json_t *e = url ? json_pack("{s:s}", "url", url) : NULL;
        free(url);
        if (!e) {
            rc = KC_ENOMEM;
            break;
        }
        if (kb_file_immutable(f)) {
            json_object_set_new(e, "integrity", json_string(f->sri));
        } else {
            char tag[27];
            kb_etag(f->sha256, tag);
            json_object_set_new(e, "revision", json_string(tag));
        }
        if (tier[i] == T_WARM) {
            json_object_set_new(e, "size", json_integer((json_int_t)f->out_len));
            json_array_append_new(warm, e);
            continue;
        }
        /* The worker answers a router's fetch() of a document's URL forms. */
        if (f->role & KB_ROLE_ENTRY)
            json_object_set_new(e, "document", json_true());
        json_array_append_new(precache, e);
        s->sw.n_precache++;
    }
    s->sw.precache_bytes = total;
    free(need);
    free(tier);
    return rc;
}

/* The document a navigation gets when neither the network nor the cache
 * answers: navigateFallback when set (null: none); else the site's
 * offline.html; else index.html when it is the site's only document (an
 * SPA: vite-plugin-pwa's default). Sets s->sw.fallback and the denylist:
 * URLs that look like files never get an app shell, but an offline page suits
 * any URL. */
static int
choose_fallback(struct kb_site *s, const struct sw_conf *c, json_t *precache, json_t **deny)
{
    const char *url = NULL, *why = NULL;
    size_t i, docs = 0;
    json_t *e;
    bool offline_page = false;
    for (size_t k = 0; k < s->n; k++)
        docs += (s->files[k].role & KB_ROLE_ENTRY) != 0;
    json_array_foreach(precache, i, e)
    {
        const char *u = json_string_value(json_object_get(e, "url"));
        if (!json_is_true(json_object_get(e, "document")))
            continue;
        size_t bl = strlen(s->opt->base);
        const char *rel = strncmp(u, s->opt->base, bl) == 0 ? u + bl : u;
        if (c->fallback_set) {
            if (c->fallback && strcmp(u, c->fallback) == 0)
                url = u, why = "navigateFallback";
        } else if (strcmp(rel, "offline.html") == 0) {
            url = u, why = "offline.html", offline_page = true;
        } else if (!url && docs == 1 && strcmp(rel, "index.html") == 0) {
            url = u, why = "the only document";
        }
    }
    if (c->fallback && !url)
        return conf_error(c, "navigateFallback", "names no precached document of this release");
    if (c->denylist)
        *deny = json_incref(c->denylist);
    else if (!url || offline_page)
        *deny = json_array();
    else
        *deny = json_pack("[s]", "\\.[^/]*$"); /* the last segment has a '.' (kiln-edge's rule) */
    s->sw.fallback_why = why;
    s->sw.fallback = url ? strdup(url) : NULL;
    return url && !s->sw.fallback ? KC_ENOMEM : 0;
}

/* ---- the stage -------------------------------------------------------------------- */

int
kb_sw(struct kb_site *s)
{
    const struct kb_options *o = s->opt;
    if (strstr(o->base, "://")) {
        kc_warn("--base %s names another origin: a service worker must be same-origin with "
                "its pages, so none is generated",
                o->base);
        s->warnings++;
        return 0;
    }
    for (size_t i = 0; i < s->n; i++) {
        if (strcmp(s->files[i].path, SW_PATH) == 0 ||
            strcmp(s->files[i].path, REGISTER_PATH) == 0) {
            kc_error("%s: the site has its own file of this name, which the generated service "
                     "worker would replace: remove it, or build with --no-sw",
                     s->files[i].path);
            return KC_ECLASH;
        }
    }
    struct sw_conf c;
    int rc = conf_load(o, &c);
    int64_t mtime = 0;
    for (size_t i = 0; i < s->n; i++)
        mtime = s->files[i].mtime > mtime ? s->files[i].mtime : mtime;
    int reg = -1;
    if (!rc)
        rc = add_register(s, mtime, &reg);
    if (!rc)
        rc = inject(s, &c, &s->files[reg]);
    json_t *precache = json_array(), *warm = json_array(), *deny = NULL;
    if (!rc)
        rc = lists(s, &c, precache, warm);
    if (!rc)
        rc = choose_fallback(s, &c, precache, &deny);
    char *base = rc ? NULL : kb_public_url(s, "");
    json_t *opts =
        json_pack("{s:b, s:b, s:b, s:b, s:f, s:s?, s:o?, s:s, s:s}", "skipWaiting", c.skip_waiting,
                  "clientsClaim", c.clients_claim, "cleanupOutdatedCaches", c.cleanup,
                  "navigationPreload", c.nav_preload, "networkTimeoutSeconds", c.timeout,
                  "navigateFallback", s->sw.fallback, "navigateFallbackDenylist", deny,
                  "hashedPattern", "\\.[0-9a-f]{10}\\.[A-Za-z0-9.]+$", "base", base ? base : "/");
    free(base);
    static const char *const names[] = { "__KILN_RELEASE__", "__KILN_PRECACHE__", "__KILN_WARM__",
                                         "__KILN_RUNTIME__", "__KILN_OPTIONS__" };
    char *vals[5] = { NULL };
    if (!rc) {
        vals[1] = json_text(json_incref(precache));
        vals[2] = json_text(json_incref(warm));
        vals[3] = json_text(json_incref(c.runtime));
        vals[4] = json_text(json_incref(opts));
    }
    json_decref(precache);
    json_decref(warm);
    json_decref(opts);
    struct kc_buf first, final;
    kc_buf_init(&first, 64u << 20);
    kc_buf_init(&final, 64u << 20);
    if (!rc && (!vals[1] || !vals[2] || !vals[3] || !vals[4]))
        rc = KC_ENOMEM;
    /* Pass 1 fills everything but the release id; the release id then covers
     * the worker's own text, so changing an option changes the id. */
    if (!rc)
        rc = fill(c.template_name, c.template_text, c.template_len, names, vals, 5, &first);
    if (!rc) {
        kb_release_id(s, first.data, first.len);
        char id[32];
        snprintf(id, sizeof id, "\"%s\"", s->release_id);
        char *v2[1] = { id };
        rc = fill(c.template_name, first.data, first.len, names, v2, 1, &final);
    }
    size_t len = 0;
    unsigned char *bytes = rc ? NULL : (unsigned char *)kc_buf_steal(&final, &len);
    if (!rc && !bytes)
        rc = KC_ENOMEM;
    if (!rc) {
        struct kb_file *f = add_file(s, SW_PATH, bytes, len, mtime);
        if (f) {
            f->role = KB_ROLE_KEEP_NAME | KB_ROLE_SW;
            s->sw.made = true;
        } else {
            free(bytes);
            rc = KC_ENOMEM;
        }
    }
    for (int i = 0; i < 5; i++)
        free(vals[i]);
    kc_buf_free(&first);
    kc_buf_free(&final);
    conf_free(&c);
    return rc;
}
