/*
 * Fingerprinting (builder/fingerprint.c, kb_fingerprint) as
 * docs/fingerprinting.md promises it: which files get NAME.HASH.EXT, the
 * hash being of the final bytes; references rewritten in their own form and
 * in dependency order; import cycles named as a unit by the documented
 * formula; integrity attributes; names a bundler already hashed; clashes;
 * --import-map (the preload lists are test_preload.c's). Sites are written
 * into a temporary directory and run through load, resolve and fingerprint
 * in process, without the bundler unless a case says so.
 */
#include "common/error.h"
#include "common/hash.h"
#include "common/log.h"
#include "tests/kt.h"
#include "tests/unit/kbt.h"

static struct kbt t;

static int
build(const char *const *files)
{
    KT_EQ_INT(kbt_site_plain(&t, files), 0);
    return kbt_stages(&t, "fingerprint");
}

/* The first 10 hex digits of SHA-256(p[0..n)), kiln's HASH. */
static const char *
hash10(const void *p, size_t n)
{
    static char hex[2 * KC_SHA256_LEN + 1];
    unsigned char d[KC_SHA256_LEN];
    kc_sha256(p, n, d);
    kc_hex(d, sizeof d, hex);
    hex[10] = '\0';
    return hex;
}

/* stem + "." + the hash of f's final bytes + ext: the name f must have. */
static const char *
named(const struct kb_file *f, const char *stem, const char *ext)
{
    static char name[512];
    snprintf(name, sizeof name, "%s.%s%s", stem, hash10(f->out, f->out_len), ext);
    return name;
}

/* True when f's final bytes contain needle (printed when they do not). */
static bool
has(const struct kb_file *f, const char *needle)
{
    if (kbt_has(f->out, f->out_len, needle))
        return true;
    printf("#   %s does not contain %s:\n#   %.*s\n", f->path, needle, (int)f->out_len,
           (const char *)f->out);
    return false;
}

static void
t_renamed(void)
{
    static const char *const site[] = {
        "index.html",
        "<link rel=stylesheet href=\"css/site.css\"><img src=\"img/a.png\">",
        "css/site.css",
        "body{color:red}",
        "img/a.png",
        "PNG",
        "unreferenced.txt",
        "x",
        NULL,
    };
    KT_EQ_INT(build(site), 0);
    const struct kb_file *css = kbt_must(&t.s, "css/site.css"), *png = kbt_must(&t.s, "img/a.png");
    KT_EQ_STR(css->out_path, named(css, "css/site", ".css"));
    KT_EQ_STR(png->out_path, named(png, "img/a", ".png"));
    KT_CHECK(kb_file_immutable(css));
    /* Pages keep the URL users type; what nothing references keeps its own. */
    KT_EQ_STR(kbt_must(&t.s, "index.html")->out_path, "index.html");
    KT_EQ_STR(kbt_must(&t.s, "unreferenced.txt")->out_path, "unreferenced.txt");
    KT_CHECK(!kb_file_immutable(kbt_must(&t.s, "index.html")));
    KT_CHECK(!kb_file_immutable(kbt_must(&t.s, "unreferenced.txt")));
    /* A file that references nothing renamed keeps its exact bytes. */
    KT_CHECK(css->out_len == css->len && memcmp(css->out, css->data, css->len) == 0);
}

static void
t_compound_extension(void)
{
    static const char *const site[] = {
        "index.html",  "<script src=\"main.js\"></script>",
        "main.js",     "f();\n//# sourceMappingURL=main.js.map\n",
        "main.js.map", "{\"version\":3}",
        NULL,
    };
    KT_EQ_INT(build(site), 0);
    const struct kb_file *map = kbt_must(&t.s, "main.js.map"), *js = kbt_must(&t.s, "main.js");
    /* .js.map stays together: main.HASH.js.map. */
    KT_EQ_STR(map->out_path, named(map, "main", ".js.map"));
    char want[600];
    snprintf(want, sizeof want, "sourceMappingURL=%s\n", map->out_path);
    KT_CHECK(has(js, want));
}

static void
t_dependency_order(void)
{
    static const char *const site[] = {
        "index.html", "<link rel=stylesheet href=\"a.css\">", "a.css",         "@import \"b.css\";",
        "b.css",      "@font-face{src:url(fonts/f.woff2)}",   "fonts/f.woff2", "wOF2",
        NULL,
    };
    KT_EQ_INT(build(site), 0);
    const struct kb_file *a = kbt_must(&t.s, "a.css"), *b = kbt_must(&t.s, "b.css"),
                         *font = kbt_must(&t.s, "fonts/f.woff2");
    /* Leaves first: b.css holds the font's final name, a.css b.css's, and
     * each hash is of those final bytes. */
    char want[600];
    snprintf(want, sizeof want, "url(%s)", font->out_path);
    KT_CHECK(has(b, want));
    snprintf(want, sizeof want, "@import \"%s\"", b->out_path);
    KT_CHECK(has(a, want));
    KT_EQ_STR(b->out_path, named(b, "b", ".css"));
    KT_EQ_STR(a->out_path, named(a, "a", ".css"));
    snprintf(want, sizeof want, "href=\"%s\"", a->out_path);
    KT_CHECK(has(kbt_must(&t.s, "index.html"), want));
}

static void
t_url_forms(void)
{
    static const char *const site[] = {
        "pages/index.html",
        "<img src=\"../img/a.svg#icon\"><img src=\"./b.png\"><img src=\"c.png?v=2\">"
        "<img src=\"/img/d.png\"><img src=\"/app/img/e.png\">",
        "img/a.svg",
        "<svg/>",
        "pages/b.png",
        "b",
        "pages/c.png",
        "c",
        "img/d.png",
        "d",
        "img/e.png",
        "e",
        NULL,
    };
    KT_EQ_INT(kbt_site_plain(&t, site), 0);
    t.o.base = "/app/";
    KT_EQ_INT(kbt_stages(&t, "fingerprint"), 0);
    const struct kb_file *doc = kbt_must(&t.s, "pages/index.html");
    char want[600];
    /* Relative stays relative, with "./" only where it was written, and the
     * fragment and query as written. */
    snprintf(want, sizeof want, "src=\"../%s#icon\"", kbt_must(&t.s, "img/a.svg")->out_path);
    KT_CHECK(has(doc, want));
    snprintf(want, sizeof want, "src=\"./%s\"", kbt_must(&t.s, "pages/b.png")->out_path + 6);
    KT_CHECK(has(doc, want));
    snprintf(want, sizeof want, "src=\"%s?v=2\"", kbt_must(&t.s, "pages/c.png")->out_path + 6);
    KT_CHECK(has(doc, want));
    /* Absolute becomes --base + path, whether or not it was written with
     * the base. */
    snprintf(want, sizeof want, "src=\"/app/%s\"", kbt_must(&t.s, "img/d.png")->out_path);
    KT_CHECK(has(doc, want));
    snprintf(want, sizeof want, "src=\"/app/%s\"", kbt_must(&t.s, "img/e.png")->out_path);
    KT_CHECK(has(doc, want));
}

static void
t_integrity(void)
{
    static const char *const site[] = {
        "index.html",
        "<script src=\"a.js\"></script>\n"
        "<link rel=\"stylesheet\" href=\"s.css\" crossorigin=\"use-credentials\">\n"
        "<script src=\"own.js\" integrity=\"sha384-mine\"></script>\n"
        "<img src=\"i.png\">\n",
        "a.js",
        "a()",
        "s.css",
        "p{}",
        "own.js",
        "o()",
        "i.png",
        "png",
        NULL,
    };
    KT_EQ_INT(build(site), 0);
    const struct kb_file *doc = kbt_must(&t.s, "index.html"), *a = kbt_must(&t.s, "a.js"),
                         *css = kbt_must(&t.s, "s.css");
    char sri[KC_SRI_LEN], want[600];
    kc_sri_sha384(a->out, a->out_len, sri);
    KT_EQ_STR(a->sri, sri);
    snprintf(want, sizeof want, "<script src=\"%s\" integrity=\"%s\" crossorigin></script>",
             a->out_path, sri);
    KT_CHECK(has(doc, want));
    /* The author's crossorigin is kept, not doubled. */
    snprintf(want, sizeof want,
             "<link rel=\"stylesheet\" href=\"%s\" crossorigin=\"use-credentials\" "
             "integrity=\"%s\">\n",
             css->out_path, css->sri);
    KT_CHECK(has(doc, want));
    /* An author's integrity is left alone; images get none. */
    snprintf(want, sizeof want, "<script src=\"%s\" integrity=\"sha384-mine\"></script>",
             kbt_must(&t.s, "own.js")->out_path);
    KT_CHECK(has(doc, want));
    snprintf(want, sizeof want, "<img src=\"%s\">", kbt_must(&t.s, "i.png")->out_path);
    KT_CHECK(has(doc, want));
    /* --no-integrity: none at all. */
    KT_EQ_INT(kbt_site_plain(&t, site), 0);
    t.o.integrity = false;
    KT_EQ_INT(kbt_stages(&t, "fingerprint"), 0);
    doc = kbt_must(&t.s, "index.html");
    snprintf(want, sizeof want, "<script src=\"%s\"></script>\n", kbt_must(&t.s, "a.js")->out_path);
    KT_CHECK(has(doc, want));
    snprintf(want, sizeof want, "href=\"%s\" crossorigin=\"use-credentials\">\n",
             kbt_must(&t.s, "s.css")->out_path);
    KT_CHECK(has(doc, want));
}

/* D = SHA-256 over the members in path order of "path NUL length NUL
 * bytes"; a member's HASH = SHA-256(D || its path). */
static const char *
cycle_hash(const char *const *members, size_t n, const char *path)
{
    struct kc_buf b;
    kc_buf_init(&b, 1 << 20);
    for (size_t i = 0; i < n; i += 2) {
        kc_buf_printf(&b, "%s%c%zu%c", members[i], 0, strlen(members[i + 1]), 0);
        kc_buf_puts(&b, members[i + 1]);
    }
    unsigned char d[KC_SHA256_LEN];
    kc_sha256(b.data, b.len, d);
    kc_buf_reset(&b);
    kc_buf_append(&b, d, sizeof d);
    kc_buf_puts(&b, path);
    const char *h = hash10(b.data, b.len);
    kc_buf_free(&b);
    return h;
}

static void
t_cycle(void)
{
    static const char *const members[] = {
        "a.js",
        "import { b } from './b.js';\nexport const a = 1;\n",
        "b.js",
        "import { a } from './a.js';\nexport const b = 2;\n",
    };
    static const char *const site[] = {
        "index.html", "<script type=\"module\" src=\"a.js\"></script>",
        "a.js",       "import { b } from './b.js';\nexport const a = 1;\n",
        "b.js",       "import { a } from './a.js';\nexport const b = 2;\n",
        NULL,
    };
    KT_EQ_INT(build(site), 0);
    char want[600];
    snprintf(want, sizeof want, "a.%s.js", cycle_hash(members, 4, "a.js"));
    KT_EQ_STR(kbt_must(&t.s, "a.js")->out_path, want);
    snprintf(want, sizeof want, "b.%s.js", cycle_hash(members, 4, "b.js"));
    KT_EQ_STR(kbt_must(&t.s, "b.js")->out_path, want);
    /* The shipped bytes hold the members' final names. */
    snprintf(want, sizeof want, "from './%s'", kbt_must(&t.s, "b.js")->out_path);
    KT_CHECK(has(kbt_must(&t.s, "a.js"), want));
    snprintf(want, sizeof want, "from './%s'", kbt_must(&t.s, "a.js")->out_path);
    KT_CHECK(has(kbt_must(&t.s, "b.js"), want));
    /* A change to one member renames both. */
    char *old_a = strdup(kbt_must(&t.s, "a.js")->out_path);
    static const char *const changed[] = {
        "index.html", "<script type=\"module\" src=\"a.js\"></script>",
        "a.js",       "import { b } from './b.js';\nexport const a = 1;\n",
        "b.js",       "import { a } from './a.js';\nexport const b = 3;\n",
        NULL,
    };
    KT_EQ_INT(build(changed), 0);
    bool renamed = strcmp(old_a, kbt_must(&t.s, "a.js")->out_path) != 0;
    free(old_a);
    KT_CHECK(renamed);
}

static void
t_prehashed(void)
{
    static const char *const site[] = {
        "index.html",
        "<script type=\"module\" src=\"assets/index-B3xk9_Qa.js\"></script>"
        "<script type=\"module\" src=\"assets/app-C4yk0_Rb.js\"></script>",
        "assets/index-B3xk9_Qa.js",
        "console.log(1);\n",
        "assets/app-C4yk0_Rb.js",
        "import './util.js';\n",
        "assets/util.js",
        "u();\n",
        NULL,
    };
    KT_EQ_INT(build(site), 0);
    const struct kb_file *kept = kbt_must(&t.s, "assets/index-B3xk9_Qa.js"),
                         *app = kbt_must(&t.s, "assets/app-C4yk0_Rb.js"),
                         *util = kbt_must(&t.s, "assets/util.js");
    /* The bundler's name stays, served immutable. */
    KT_EQ_STR(kept->out_path, "assets/index-B3xk9_Qa.js");
    KT_CHECK(kb_file_immutable(kept));
    /* kiln never rewrites it (code may name what it references in ways kiln
     * cannot see), so what it references keeps its name, revalidated. */
    KT_EQ_STR(app->out_path, "assets/app-C4yk0_Rb.js");
    KT_CHECK(kb_file_immutable(app));
    KT_CHECK(app->out == app->data);
    KT_EQ_STR(util->out_path, "assets/util.js");
    KT_CHECK(!kb_file_immutable(util));
}

static void
t_keep_names(void)
{
    static const char *const site[] = {
        "index.html",
        "<link rel=icon href=\"favicon.ico\"><link rel=manifest href=\"app.webmanifest\">"
        "<a href=\"robots.txt\">r</a><img src=\"apple-touch-icon.png\">",
        "favicon.ico",
        "ico",
        "app.webmanifest",
        "{\"name\":\"x\"}",
        "robots.txt",
        "User-agent: *",
        "apple-touch-icon.png",
        "png",
        "about.html",
        "<p>about</p>",
        NULL,
    };
    KT_EQ_INT(build(site), 0);
    /* Names clients request unasked, the installed app's identity, pages. */
    static const char *const kept[] = { "favicon.ico", "app.webmanifest", "robots.txt",
                                        "apple-touch-icon.png", "about.html" };
    for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++) {
        KT_EQ_STR(kbt_must(&t.s, kept[i])->out_path, kept[i]);
        KT_CHECK(!kb_file_immutable(kbt_must(&t.s, kept[i])));
    }
}

static void
t_clash(void)
{
    static const char *const site[] = {
        "index.html", "<script src=\"a.js\"></script>", "a.js", "a()", NULL,
    };
    KT_EQ_INT(kbt_site_plain(&t, site), 0);
    /* A file of the site already named as a.js will be: nothing may be
     * silently lost. */
    char other[64];
    snprintf(other, sizeof other, "a.%s.js", hash10("a()", 3));
    KT_EQ_INT(kbt_write(t.dir, other, "other"), 0);
    KT_EQ_INT(kbt_stages(&t, "fingerprint"), KC_ECLASH);
    char want[200];
    snprintf(want, sizeof want, "%s and a.js would both be written as %s", other, other);
    if (!strstr(t.err, want))
        printf("#   stderr: %s", t.err);
    KT_CHECK(strstr(t.err, want) != NULL);
}

static void
t_import_map(void)
{
    static const char *const site[] = {
        "index.html", "<head><script type=\"module\" src=\"main.js\"></script></head>",
        "main.js",    "import { x } from './lib.js';\nx();\n",
        "lib.js",     "export const x = () => 1;\n",
        NULL,
    };
    KT_EQ_INT(kbt_site_plain(&t, site), 0);
    t.o.import_map = true;
    KT_EQ_INT(kbt_stages(&t, "fingerprint"), 0);
    const struct kb_file *lib = kbt_must(&t.s, "lib.js"), *main_js = kbt_must(&t.s, "main.js");
    /* The importer keeps the unhashed URL: its bytes do not depend on the
     * imported module's name. */
    KT_EQ_STR(lib->out_path, named(lib, "lib", ".js"));
    KT_CHECK(has(main_js, "from './lib.js'"));
    KT_EQ_STR(main_js->out_path, named(main_js, "main", ".js"));
    char want[600];
    snprintf(want, sizeof want,
             "<head><script type=\"importmap\">{\"imports\":{\"./lib.js\":\"./%s\"},"
             "\"integrity\":{\"./%s\":\"%s\"}}</script>\n<script type=\"module\" src=\"%s\"",
             lib->out_path, lib->out_path, lib->sri, main_js->out_path);
    KT_CHECK(has(kbt_must(&t.s, "index.html"), want));
    /* So a change to lib.js renames lib.js alone. */
    char *old_main = strdup(main_js->out_path), *old_lib = strdup(lib->out_path);
    KT_EQ_INT(kbt_write(t.dir, "lib.js", "export const x = () => 2;\n"), 0);
    KT_EQ_INT(kbt_stages(&t, "fingerprint"), 0);
    bool main_same = strcmp(old_main, kbt_must(&t.s, "main.js")->out_path) == 0;
    bool lib_same = strcmp(old_lib, kbt_must(&t.s, "lib.js")->out_path) == 0;
    free(old_main);
    free(old_lib);
    KT_CHECK(main_same);
    KT_CHECK(!lib_same);
}

int
main(void)
{
    kc_log_init("kiln-build", KC_LOG_WARN);
    KT_RUN(t_renamed, "a referenced file is served as NAME.HASH.EXT, HASH of its final bytes; "
                      "pages and unreferenced files keep their names");
    KT_RUN(t_compound_extension, "a source map is renamed NAME.HASH.js.map and its "
                                 "sourceMappingURL follows");
    KT_RUN(t_dependency_order, "names are computed leaves first: a stylesheet holds its "
                               "@import's and its font's final names");
    KT_RUN(t_url_forms, "a rewritten URL keeps its form: relative, ./ as written, query and "
                        "fragment; absolute under --base");
    KT_RUN(t_integrity, "scripts and stylesheets get integrity from the final bytes, "
                        "crossorigin unless given; --no-integrity adds none");
    KT_RUN(t_cycle, "an import cycle is named as a unit by the documented formula");
    KT_RUN(t_prehashed, "a name a bundler hashed stays with its bytes, and what it references "
                        "keeps its name");
    KT_RUN(t_keep_names, "favicon.ico, robots.txt, apple-touch-icon, the web manifest and "
                         "pages keep their names");
    KT_RUN(t_clash, "two files that would get one name are an error naming both");
    KT_RUN(t_import_map, "--import-map leaves module imports unhashed, maps them in the page, "
                         "and a changed module renames only itself");
    kbt_reset(&t);
    return kt_done();
}
