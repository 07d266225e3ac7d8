/*
 * The service worker stage (builder/sw.c, kb_sw) as docs/service-worker.md
 * describes it: sw.js at the root with the revalidate class and outside the
 * release id, a fingerprinted registration script in every page (unless it
 * opts out), the precache list (what pages need to render, every other
 * fingerprinted script, stylesheet, font and data file, by integrity or by
 * revision), the warm list of lazy images, the budgets and what they leave
 * out, the navigation fallback, and the checked --sw-config. Each case builds a small site in
 * process up to kb_sw and reads the lists back out of sw.js's text.
 */
#include "common/error.h"
#include "common/log.h"
#include "tests/kt.h"
#include "tests/unit/kbt.h"

#include <jansson.h>

static struct kbt t;
static char *conf_dir; /* --sw-config files live outside SRC_DIR */

static void
site(const char *const *files)
{
    KT_EQ_INT(kbt_site(&t, files), 0);
    t.o.bundle = false;
}

/* Writes an --sw-config file with text json and points t.o at it. */
static void
config(const char *json)
{
    if (!conf_dir)
        conf_dir = kbt_tmpdir();
    KT_CHECK(conf_dir != NULL);
    KT_EQ_INT(kbt_write(conf_dir, "sw.json", json), 0);
    static char p[4200];
    snprintf(p, sizeof p, "%s/sw.json", conf_dir);
    t.o.sw_config = p;
}

/* The JSON value the template's `const NAME = ...;` line got, as a new
 * reference. */
static json_t *
sw_value(const char *name)
{
    const struct kb_file *sw = kbt_out(&t.s, "sw.js");
    KT_CHECK(sw != NULL);
    char *text = kbt_text(sw->out, sw->out_len), head[64];
    snprintf(head, sizeof head, "\nconst %s = ", name);
    char *at = strstr(text, head), *end = at ? strstr(at, ";\n") : NULL;
    json_error_t je;
    json_t *v =
        end ? json_loadb(at + strlen(head), (size_t)(end - at) - strlen(head), JSON_DECODE_ANY, &je)
            : NULL;
    free(text);
    if (!v)
        KT_FAIL_("sw.js: no JSON value for %s", name);
    return v;
}

/* A list's URLs, joined by blanks (malloc'd). */
static char *
urls(json_t *list)
{
    struct kc_buf b;
    kc_buf_init(&b, 1 << 20);
    kc_buf_puts(&b, "");
    for (size_t i = 0; i < json_array_size(list); i++)
        kc_buf_printf(&b, "%s%s", i ? " " : "",
                      json_string_value(json_object_get(json_array_get(list, i), "url")));
    return kc_buf_steal(&b, NULL);
}

static void
list_is(const char *name, const char *want)
{
    json_t *v = sw_value(name);
    char *got = urls(v);
    json_decref(v);
    bool same = strcmp(got, want) == 0;
    if (!same)
        printf("#   %s: \"%s\"\n#   want \"%s\"\n", name, got, want);
    free(got);
    KT_CHECK(same);
}

/* The entry of url in the precache list (a new reference). */
static json_t *
precached(const char *url)
{
    json_t *list = sw_value("PRECACHE"), *e = NULL;
    for (size_t i = 0; i < json_array_size(list) && !e; i++)
        if (strcmp(json_string_value(json_object_get(json_array_get(list, i), "url")), url) == 0)
            e = json_incref(json_array_get(list, i));
    json_decref(list);
    if (!e)
        KT_FAIL_("%s is not precached", url);
    return e;
}

static const char *const page_only[] = {
    "index.html",
    "<html><head><title>x</title></head><body></body></html>",
    NULL,
};

static void
t_worker_added(void)
{
    site(page_only);
    KT_EQ_INT(kbt_stages(&t, "sw"), 0);
    const struct kb_file *sw = kbt_out(&t.s, "sw.js");
    KT_CHECK(sw != NULL);
    /* A stable name, revalidated, left out of the release id. */
    KT_CHECK(!kb_file_immutable(sw));
    KT_CHECK(sw->role & KB_ROLE_SW);
    KT_CHECK(!kbt_has(sw->out, sw->out_len, "= __KILN_"));
    char want[64];
    snprintf(want, sizeof want, "const RELEASE = \"%s\";", t.s.release_id);
    KT_CHECK(kbt_has(sw->out, sw->out_len, want));
    /* The registration script: fingerprinted by its own bytes. */
    const struct kb_file *reg = kbt_file(&t.s, "kiln-sw-register.js");
    KT_CHECK(reg != NULL);
    char name[64];
    unsigned char d[KC_SHA256_LEN];
    char hex[2 * KC_SHA256_LEN + 1];
    kc_sha256(reg->out, reg->out_len, d);
    kc_hex(d, sizeof d, hex);
    snprintf(name, sizeof name, "kiln-sw-register.%.10s.js", hex);
    KT_EQ_STR(reg->out_path, name);
    KT_CHECK(kb_file_immutable(reg));
    KT_CHECK(kbt_has(reg->out, reg->out_len, "{\"url\":\"/sw.js\",\"scope\":\"/\"}"));
}

static void
t_register_tag(void)
{
    static const char *const files[] = {
        "index.html",
        "<html><head><title>x</title></head><body></body></html>",
        "nohead.html",
        "<p>x</p><BODY>y</BODY>",
        "bare.html",
        "<p>just text</p>",
        "optout.html",
        "<html data-kiln-no-sw><head></head></html>",
        "admin/panel.html",
        "<head></head>",
        NULL,
    };
    site(files);
    config("{\"registerIgnores\": [\"admin/*\"]}");
    KT_EQ_INT(kbt_stages(&t, "sw"), 0);
    const struct kb_file *reg = kbt_must(&t.s, "kiln-sw-register.js");
    char tag[400], want[600];
    snprintf(tag, sizeof tag, "<script src=\"/%s\" defer integrity=\"%s\" crossorigin></script>\n",
             reg->out_path, reg->sri);
    /* Before </head>, else before <body, else at the end. */
    snprintf(want, sizeof want, "<title>x</title>%s</head>", tag);
    KT_CHECK(
        kbt_has(kbt_must(&t.s, "index.html")->out, kbt_must(&t.s, "index.html")->out_len, want));
    snprintf(want, sizeof want, "<p>x</p>%s<BODY>", tag);
    KT_CHECK(
        kbt_has(kbt_must(&t.s, "nohead.html")->out, kbt_must(&t.s, "nohead.html")->out_len, want));
    snprintf(want, sizeof want, "<p>just text</p>%s", tag);
    KT_EQ_INT(kbt_must(&t.s, "bare.html")->out_len, strlen(want));
    KT_CHECK(memcmp(kbt_must(&t.s, "bare.html")->out, want, strlen(want)) == 0);
    /* Opted out by attribute or by registerIgnores: untouched. */
    KT_CHECK(!kbt_has(kbt_must(&t.s, "optout.html")->out, kbt_must(&t.s, "optout.html")->out_len,
                      "<script"));
    KT_CHECK(!kbt_has(kbt_must(&t.s, "admin/panel.html")->out,
                      kbt_must(&t.s, "admin/panel.html")->out_len, "<script"));
}

static const char *const shop[] = {
    "index.html",
    "<head><link rel=stylesheet href=\"s.css\"><link rel=icon href=\"favicon.ico\">"
    "<meta property=\"og:image\" content=\"og.png\"><link rel=manifest href=\"app.webmanifest\">"
    "<script type=\"module\" src=\"main.js\"></script></head>",
    "about.html",
    "<p>about</p>",
    "s.css",
    "body{background:url(bg.png)}",
    "bg.png",
    "png",
    "favicon.ico",
    "ico",
    "og.png",
    "og",
    "app.webmanifest",
    "{\"name\":\"x\",\"icons\":[{\"src\":\"icon.png\",\"sizes\":\"192x192\"}]}",
    "icon.png",
    "icon",
    "main.js",
    "import('./lazy.js');\n//# sourceMappingURL=main.js.map\n",
    "main.js.map",
    "{\"version\":3}",
    "lazy.js",
    "l();\n",
    "unreferenced.txt",
    "x",
    NULL,
};

static void
t_precache(void)
{
    site(shop);
    KT_EQ_INT(kbt_stages(&t, "sw"), 0);
    /* In path order: pages, the stylesheet and its image, the icon, the
     * module and the lazy chunk it imports; not the crawler's og:image, the
     * manifest and its install icons, the source map, or a file nothing
     * references. */
    char want[1000];
    snprintf(want, sizeof want, "/about.html /%s /favicon.ico /index.html /%s /%s /%s /%s",
             kbt_must(&t.s, "bg.png")->out_path, kbt_must(&t.s, "lazy.js")->out_path,
             kbt_must(&t.s, "main.js")->out_path, kbt_must(&t.s, "s.css")->out_path,
             kbt_must(&t.s, "kiln-sw-register.js")->out_path);
    list_is("PRECACHE", want);
    list_is("WARM", "");
    /* Fingerprinted URLs by integrity, stable ones by revision (ETag). */
    char url[600], etag[27];
    snprintf(url, sizeof url, "/%s", kbt_must(&t.s, "s.css")->out_path);
    json_t *e = precached(url);
    bool css_ok = json_object_get(e, "revision") == NULL &&
                  strcmp(json_string_value(json_object_get(e, "integrity")),
                         kbt_must(&t.s, "s.css")->sri) == 0;
    json_decref(e);
    KT_CHECK(css_ok);
    e = precached("/index.html");
    kb_etag(kbt_must(&t.s, "index.html")->sha256, etag);
    bool doc_ok = json_object_get(e, "integrity") == NULL &&
                  strcmp(json_string_value(json_object_get(e, "revision")), etag) == 0;
    KT_CHECK(json_is_true(json_object_get(e, "document")));
    json_decref(e);
    KT_CHECK(doc_ok);
    e = precached(url);
    KT_CHECK(json_object_get(e, "document") == NULL);
    json_decref(e);
    KT_EQ_INT((int)t.s.sw.n_omit, 0);
}

/* Stable URLs a script may fetch by a name kiln cannot see: JSON, and a
 * bundler-hashed stylesheet nothing references visibly. */
static void
t_unseen(void)
{
    static const char *const files[] = {
        "index.html",
        "<head></head>",
        "hashmap.json",
        "{\"a\":\"1\"}",
        "assets/About-D5GR_shx.css",
        ".a{color:red}",
        "js/plain.js",
        "x();\n",
        ".well-known/assetlinks.json",
        "[]",
        NULL,
    };
    site(files);
    KT_EQ_INT(kbt_stages(&t, "sw"), 0);
    char want[600];
    snprintf(want, sizeof want, "/assets/About-D5GR_shx.css /hashmap.json /index.html /%s",
             kbt_must(&t.s, "kiln-sw-register.js")->out_path);
    list_is("PRECACHE", want);
    json_t *e = precached("/hashmap.json");
    KT_CHECK(json_is_string(json_object_get(e, "revision")));
    json_decref(e);
}
static const char *const lazy_image[] = {
    "index.html", "<head><script type=\"module\" src=\"main.js\"></script></head>",
    "main.js",    "import('./lazy.js');\n",
    "lazy.js",    "export const u = new URL('./pic.png', import.meta.url);\n",
    "pic.png",    "png",
    NULL,
};

static void
t_warm(void)
{
    site(lazy_image);
    KT_EQ_INT(kbt_stages(&t, "sw"), 0);
    /* The image only a lazy chunk reaches: warmed at idle time. */
    char want[600];
    snprintf(want, sizeof want, "/%s", kbt_must(&t.s, "pic.png")->out_path);
    list_is("WARM", want);
    json_t *w = sw_value("WARM");
    json_t *e = json_array_get(w, 0);
    bool ok = strcmp(json_string_value(json_object_get(e, "integrity")),
                     kbt_must(&t.s, "pic.png")->sri) == 0 &&
              json_integer_value(json_object_get(e, "size")) ==
                  (json_int_t)kbt_must(&t.s, "pic.png")->out_len;
    json_decref(w);
    KT_CHECK(ok);
    /* warmBudgetBytes cuts the list, and says so; 0 turns warming off. */
    site(lazy_image);
    config("{\"warmBudgetBytes\": 0}");
    KT_EQ_INT(kbt_stages(&t, "sw"), 0);
    list_is("WARM", "");
    KT_EQ_INT((int)t.s.sw.n_omit, 1);
    KT_EQ_STR(t.s.files[t.s.sw.omit[0].file].path, "pic.png");
    KT_EQ_STR(t.s.sw.omit[0].why, "warmBudgetBytes");
}

static void
t_limits(void)
{
    site(shop);
    config("{\"maximumFileSizeToCacheInBytes\": 20}");
    KT_EQ_INT(kbt_stages(&t, "sw"), 0);
    /* Over the size limit: left out, with a warning naming the file. */
    KT_CHECK(strstr(t.err, "index.html: ") && strstr(t.err, "over maximumFileSizeToCacheInBytes"));
    KT_CHECK(t.s.warnings > 0);
    json_t *list = sw_value("PRECACHE");
    for (size_t i = 0; i < json_array_size(list); i++)
        KT_CHECK(strcmp(json_string_value(json_object_get(json_array_get(list, i), "url")),
                        "/index.html") != 0);
    json_decref(list);
    /* ... and in the report's list, with the option that left it out. */
    bool listed = false;
    for (size_t i = 0; i < t.s.sw.n_omit; i++)
        listed |= strcmp(t.s.files[t.s.sw.omit[i].file].path, "index.html") == 0 &&
                  strcmp(t.s.sw.omit[i].why, "maximumFileSizeToCacheInBytes") == 0;
    KT_CHECK(listed);
    /* Over the precache budget: what pages need to render stays, the lazy
     * chunk is left out, with a warning; the build goes on. */
    site(shop);
    KT_EQ_INT(kbt_stages(&t, "sw"), 0);
    long long all = (long long)t.s.sw.precache_bytes;
    long long lazy = (long long)kbt_must(&t.s, "lazy.js")->out_len;
    site(shop);
    char conf[100];
    snprintf(conf, sizeof conf, "{\"precacheBudgetBytes\": %lld}", all - lazy);
    config(conf);
    int warnings = t.s.warnings;
    KT_EQ_INT(kbt_stages(&t, "sw"), 0);
    KT_CHECK(t.s.warnings > warnings);
    KT_CHECK(strstr(t.err, "over precacheBudgetBytes") && strstr(t.err, "1 files"));
    KT_EQ_INT((int)t.s.sw.n_omit, 1);
    KT_EQ_STR(t.s.files[t.s.sw.omit[0].file].path, "lazy.js");
    KT_EQ_STR(t.s.sw.omit[0].why, "precacheBudgetBytes");
    KT_CHECK(t.s.sw.precache_bytes == all - lazy);
}

static void
t_globs(void)
{
    site(shop);
    config("{\"globIgnores\": [\"*.png\"], \"globPatterns\": [\"*.html\", \"*.png\", \"*.css\"]}");
    KT_EQ_INT(kbt_stages(&t, "sw"), 0);
    char want[600];
    snprintf(want, sizeof want, "/about.html /index.html /%s", kbt_must(&t.s, "s.css")->out_path);
    list_is("PRECACHE", want);
}

static void
t_legacy_twins(void)
{
    static const char *const files[] = {
        "index.html", "<head><script type=\"module\" src=\"main.js\"></script></head>",
        "main.js",    "import { x } from './x.js';\nconsole.log(x);\n",
        "x.js",       "export const x = 1;\n",
        NULL,
    };
    KT_EQ_INT(kbt_site(&t, files), 0);
    KT_EQ_INT(kbt_stages(&t, "sw"), 0);
    /* A browser that runs the worker runs modules: the bundle's chunk is
     * precached, its legacy twin and the unbundled original are not. */
    KT_CHECK(kbt_file(&t.s, "main.legacy.js") != NULL);
    char want[600];
    snprintf(want, sizeof want, "/index.html /%s /%s", kbt_must(&t.s, "main.js")->out_path,
             kbt_must(&t.s, "kiln-sw-register.js")->out_path);
    list_is("PRECACHE", want);
}

static void
t_config_errors(void)
{
    static const struct {
        const char *json, *message;
    } bad[] = {
        { "{\"skipWaitng\": true}", "skipWaitng: unknown option" },
        { "{\"skipWaiting\": 1}", "skipWaiting: expected true or false" },
        { "{\"globIgnores\": \"*.png\"}", "globIgnores: expected an array" },
        { "{\"navigateFallback\": \"offline.html\"}", "navigateFallback: expected a URL path" },
        { "{\"runtimeCaching\": [{\"urlPattern\": \"x\", \"handler\": \"CacheOnly\"}]}",
          "runtimeCaching[0]: handler must be" },
        { "{\"skipWaiting\": true,", "sw.json:1:" },
        { "[]", "expected a JSON object" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        site(page_only);
        config(bad[i].json);
        KT_EQ_INT(kbt_stages(&t, "sw") < 0, 1);
        if (!strstr(t.err, bad[i].message))
            printf("#   %s: stderr \"%s\", want \"%s\"\n", bad[i].json, t.err, bad[i].message);
        KT_CHECK(strstr(t.err, bad[i].message) != NULL);
    }
}

static void
t_template(void)
{
    site(page_only);
    KT_CHECK(conf_dir || (conf_dir = kbt_tmpdir()));
    /* swTemplate is relative to the config file; each point once. */
    KT_EQ_INT(kbt_write(conf_dir, "my-sw.js",
                        "R=__KILN_RELEASE__;P=__KILN_PRECACHE__;W=__KILN_WARM__;"
                        "U=__KILN_RUNTIME__;O=__KILN_OPTIONS__;\n"),
              0);
    config("{\"swTemplate\": \"my-sw.js\"}");
    KT_EQ_INT(kbt_stages(&t, "sw"), 0);
    const struct kb_file *sw = kbt_out(&t.s, "sw.js");
    char want[64];
    snprintf(want, sizeof want, "R=\"%s\";P=[{\"url\":\"/index.html\"", t.s.release_id);
    KT_CHECK(sw && kbt_has(sw->out, sw->out_len, want));
    KT_CHECK(sw && kbt_has(sw->out, sw->out_len, ";W=[];U=[];O={"));
    /* A point missing is an error naming the template and the point. */
    KT_EQ_INT(kbt_write(conf_dir, "my-sw.js", "R=__KILN_RELEASE__;P=__KILN_PRECACHE__;"), 0);
    site(page_only);
    config("{\"swTemplate\": \"my-sw.js\"}");
    KT_EQ_INT(kbt_stages(&t, "sw"), KC_EPARSE);
    KT_CHECK(strstr(t.err, "my-sw.js: injection point __KILN_WARM__ is missing") != NULL);
}

static void
t_own_worker(void)
{
    static const char *const files[] = {
        "index.html", "<p>x</p>", "sw.js", "self.addEventListener('fetch', () => {});", NULL,
    };
    site(files);
    KT_EQ_INT(kbt_stages(&t, "sw"), KC_ECLASH);
    KT_CHECK(strstr(t.err, "sw.js: the site has its own file of this name") != NULL);
    /* --no-sw keeps the site's own. */
    site(files);
    t.o.sw = false;
    KT_EQ_INT(kbt_stages(&t, "sw"), 0);
}

static void
t_other_origin(void)
{
    site(page_only);
    t.o.base = "https://cdn.example/";
    KT_EQ_INT(kbt_stages(&t, "sw"), 0);
    /* A worker must be same-origin with its pages: none, and a warning. */
    KT_CHECK(kbt_out(&t.s, "sw.js") == NULL);
    KT_CHECK(kbt_file(&t.s, "kiln-sw-register.js") == NULL);
    KT_CHECK(strstr(t.err, "names another origin") != NULL);
    KT_CHECK(!kbt_has(kbt_must(&t.s, "index.html")->out, kbt_must(&t.s, "index.html")->out_len,
                      "<script"));
}

static void
t_release_id(void)
{
    site(page_only);
    KT_EQ_INT(kbt_stages(&t, "sw"), 0);
    char id[17];
    snprintf(id, sizeof id, "%s", t.s.release_id);
    KT_EQ_INT(kbt_stages(&t, "sw"), 0);
    KT_EQ_STR(t.s.release_id, id);
    /* The worker's text is part of the release: an option changes the id
     * (a new cache) although no file of the site changed. */
    config("{\"skipWaiting\": true}");
    KT_EQ_INT(kbt_stages(&t, "sw"), 0);
    KT_CHECK(strcmp(t.s.release_id, id) != 0);
}

static void
t_fallback(void)
{
    static const char *const files[] = {
        "index.html", "<head></head>", "offline.html", "<p>offline</p>", NULL,
    };
    site(files);
    KT_EQ_INT(kbt_stages(&t, "sw"), 0);
    json_t *o = sw_value("OPTIONS");
    bool ok =
        json_is_string(json_object_get(o, "navigateFallback")) &&
        strcmp(json_string_value(json_object_get(o, "navigateFallback")), "/offline.html") == 0;
    json_decref(o);
    KT_CHECK(ok);
    /* A configured fallback must be a precached document. */
    site(files);
    config("{\"navigateFallback\": \"/missing.html\"}");
    KT_EQ_INT(kbt_stages(&t, "sw"), KC_EPARSE);
    KT_CHECK(strstr(t.err, "navigateFallback: names no precached document") != NULL);
    /* null: none, even with an offline.html. */
    site(files);
    config("{\"navigateFallback\": null}");
    KT_EQ_INT(kbt_stages(&t, "sw"), 0);
    KT_CHECK(t.s.sw.fallback == NULL);
}

/* An SPA: index.html is the only document, so it is the fallback, except
 * for URLs that look like files; a site of two pages gets none. */
static void
t_spa_fallback(void)
{
    site(page_only);
    KT_EQ_INT(kbt_stages(&t, "sw"), 0);
    json_t *o = sw_value("OPTIONS");
    char *deny = json_dumps(json_object_get(o, "navigateFallbackDenylist"), JSON_COMPACT);
    bool ok = json_is_string(json_object_get(o, "navigateFallback")) &&
              strcmp(json_string_value(json_object_get(o, "navigateFallback")), "/index.html") == 0;
    json_decref(o);
    KT_CHECK(ok);
    KT_EQ_STR(deny, "[\"\\\\.[^/]*$\"]");
    free(deny);
    KT_EQ_STR(t.s.sw.fallback, "/index.html");
    static const char *const two[] = { "index.html", "<p>a</p>", "about.html", "<p>b</p>", NULL };
    site(two);
    KT_EQ_INT(kbt_stages(&t, "sw"), 0);
    o = sw_value("OPTIONS");
    KT_CHECK(json_is_null(json_object_get(o, "navigateFallback")) ||
             !json_object_get(o, "navigateFallback"));
    json_decref(o);
    KT_CHECK(t.s.sw.fallback == NULL);
}

int
main(void)
{
    kc_log_init("kiln-build", KC_LOG_WARN);
    KT_RUN(t_worker_added, "sw.js is added under its own name, revalidated, with the release "
                           "id; the registration script is fingerprinted");
    KT_RUN(t_register_tag, "every page gets the registration script before </head>, else "
                           "<body, else at the end, unless it opts out");
    KT_RUN(t_precache, "the precache holds what pages need to render, fingerprinted URLs by "
                       "integrity, stable ones by revision");
    KT_RUN(t_unseen, "JSON files and bundler-hashed files nothing references visibly are "
                     "precached by revision; not .well-known/ or a plain script");
    KT_RUN(t_warm, "images only lazy chunks reach are warmed, within warmBudgetBytes");
    KT_RUN(t_limits, "a file over maximumFileSizeToCacheInBytes is left out with a warning; over "
                     "precacheBudgetBytes the least needed files are, and the build goes on");
    KT_RUN(t_globs, "globPatterns and globIgnores choose what may be precached");
    KT_RUN(t_legacy_twins, "legacy twins are not precached, the modern chunks are");
    KT_RUN(t_config_errors, "--sw-config: an unknown key, a wrong type or bad JSON is an error "
                            "naming the file and the key");
    KT_RUN(t_template, "swTemplate fills each injection point once; a missing one is an error");
    KT_RUN(t_own_worker, "a site with its own sw.js is an error, unless built with --no-sw");
    KT_RUN(t_other_origin, "a --base on another origin gets no worker, with a warning");
    KT_RUN(t_release_id, "the release id is stable and covers the worker's options");
    KT_RUN(t_fallback, "offline.html is the default navigateFallback; a fallback that is not "
                       "precached is an error; null turns it off");
    KT_RUN(t_spa_fallback, "index.html is the fallback of a site with no other document, never "
                           "for URLs with a '.'; a multi-page site gets none");
    kbt_reset(&t);
    kbt_rmtree(conf_dir);
    return kt_done();
}
