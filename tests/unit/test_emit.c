/*
 * Emitting a release (builder/emit.c, kb_emit) as docs/manifest.md describes
 * it: every file under its output name with its final bytes and its
 * source's mtime, precompressed variants beside it that decode to those
 * bytes, kiln-manifest.json with its fields, .vite/manifest.json, and
 * purge.json with and without --previous. Each case builds a small site in
 * process (load .. fingerprint, without the bundler) and emits it into a
 * temporary directory, then reads the files back as a server would.
 */
#include "common/error.h"
#include "common/hash.h"
#include "common/log.h"
#include "tests/kt.h"
#include "tests/unit/kbt.h"

#include <jansson.h>
#include <sys/time.h>

static struct kbt t;
static char *dist; /* the release directory of the last emit() */

static void
emit_reset(void)
{
    kbt_rmtree(dist);
    dist = NULL;
}

/* Runs the pipeline on t's site (prepared by kbt_site) and emits it into a
 * new directory, dist. */
static void
emit(void)
{
    emit_reset();
    KT_EQ_INT(kbt_stages(&t, t.o.sw ? "sw" : "preload"), 0);
    dist = kbt_tmpdir();
    KT_CHECK(dist != NULL);
    kbt_capture_begin();
    int rc = kb_emit(&t.s, dist);
    char *err = kbt_capture_end();
    if (rc)
        printf("#   kb_emit: %s", err);
    free(err);
    KT_EQ_INT(rc, 0);
}

static void
site(const char *const *files)
{
    KT_EQ_INT(kbt_site_plain(&t, files), 0);
}

static char *
dist_read(const char *rel, size_t *len)
{
    char p[4200];
    snprintf(p, sizeof p, "%s/%s", dist, rel);
    return kbt_read(p, len);
}

static long long
dist_mtime(const char *rel)
{
    char p[4200];
    struct stat st;
    snprintf(p, sizeof p, "%s/%s", dist, rel);
    return stat(p, &st) == 0 ? (long long)st.st_mtime : -1;
}

/* The JSON file rel of the release (a reference the caller drops). */
static json_t *
dist_json(const char *rel)
{
    char p[4200];
    json_error_t je;
    snprintf(p, sizeof p, "%s/%s", dist, rel);
    json_t *j = json_load_file(p, JSON_REJECT_DUPLICATES, &je);
    if (!j)
        printf("#   %s: %d: %s\n", rel, je.line, je.text);
    return j;
}

static const char *
jstr(json_t *o, const char *path)
{
    /* "a.b.c": nested object keys. */
    char key[256];
    const char *p = path;
    while (o && *p) {
        size_t n = strcspn(p, ".");
        snprintf(key, sizeof key, "%.*s", (int)n, p);
        o = json_object_get(o, key);
        p += n + (p[n] == '.');
    }
    return json_is_string(o) ? json_string_value(o) : NULL;
}

static const char *const basic[] = {
    "index.html",
    "<link rel=\"preload stylesheet\" as=\"style\" href=\"css/site.css\">\n"
    "<img src=\"img/a.png\">\n",
    "css/site.css",
    "body { color: red; margin: 0; padding: 0; }\n"
    "p { color: blue; margin: 0; padding: 0; }\n"
    "h1 { color: green; margin: 0; padding: 0; }\n"
    "h2 { color: green; margin: 0; padding: 0; }\n",
    "img/a.png",
    "\x89PNG not compressible",
    "notes.txt",
    "x",
    NULL,
};

static void
t_files(void)
{
    site(basic);
    emit();
    for (size_t i = 0; i < t.s.n; i++) {
        const struct kb_file *f = &t.s.files[i];
        size_t len = 0;
        char *got = dist_read(f->out_path, &len);
        bool same = got && len == f->out_len && memcmp(got, f->out, len) == 0;
        free(got);
        if (!same)
            printf("#   %s: not written as %s with its final bytes\n", f->path, f->out_path);
        KT_CHECK(same);
    }
    /* Under the output name only: the source name of a renamed file is not
     * a URL of the release. */
    KT_CHECK(dist_mtime("css/site.css") < 0);
    KT_CHECK(dist_mtime("css/site.css.br") < 0);
}

static void
t_mtimes(void)
{
    site(basic);
    char p[4200];
    struct timeval tv[2] = { { 1700000000, 0 }, { 1700000000, 0 } };
    snprintf(p, sizeof p, "%s/css/site.css", t.dir);
    KT_EQ_INT(utimes(p, tv), 0);
    t.o.enc_mask = 1u << KB_ENC_GZIP;
    emit();
    const struct kb_file *css = kbt_must(&t.s, "css/site.css");
    char gz[600];
    snprintf(gz, sizeof gz, "%s.gz", css->out_path);
    /* Last-Modified is the source's, for the variants too; the manifests
     * are not content: mtime 0. */
    KT_EQ_INT(dist_mtime(css->out_path), 1700000000);
    KT_EQ_INT(dist_mtime(gz), 1700000000);
    KT_EQ_INT(dist_mtime("kiln-manifest.json"), 0);
    KT_EQ_INT(dist_mtime("purge.json"), 0);
    KT_EQ_INT(dist_mtime(".vite/manifest.json"), 0);
}

static void
t_variants(void)
{
    site(basic);
    t.o.enc_mask = (1u << KB_ENC_BR) | (1u << KB_ENC_ZSTD) | (1u << KB_ENC_GZIP);
    emit();
    const struct kb_file *css = kbt_must(&t.s, "css/site.css");
    for (int e = 0; e < KB_ENC_COUNT; e++) {
        char name[600];
        snprintf(name, sizeof name, "%s%s", css->out_path, kb_enc_suffix((enum kb_enc)e));
        size_t len = 0, dlen = 0;
        char *v = dist_read(name, &len);
        unsigned char *d = NULL;
        int rc =
            v ? kb_decompress_one((enum kb_enc)e, (const unsigned char *)v, len, 1 << 20, &d, &dlen)
              : -1;
        bool same = rc == 0 && dlen == css->out_len && memcmp(d, css->out, dlen) == 0;
        free(v);
        free(d);
        if (!same)
            printf("#   %s: missing, or does not decode to the identity bytes\n", name);
        KT_CHECK(same);
    }
    /* Not compressible (an image), or too small to save 5%: no variant. */
    char name[600];
    snprintf(name, sizeof name, "%s.gz", kbt_must(&t.s, "img/a.png")->out_path);
    KT_CHECK(dist_mtime(name) < 0);
    KT_CHECK(dist_mtime("notes.txt.gz") < 0);
    KT_CHECK(dist_mtime("notes.txt.br") < 0);
}

static void
t_manifest(void)
{
    site(basic);
    t.o.enc_mask = 1u << KB_ENC_BR;
    emit();
    json_t *m = dist_json("kiln-manifest.json");
    KT_CHECK(m != NULL);
    const struct kb_file *css = kbt_must(&t.s, "css/site.css");
    KT_EQ_INT(json_integer_value(json_object_get(m, "version")), 1);
    KT_EQ_STR(jstr(m, "generator"), "kiln-build " KB_VERSION);
    KT_EQ_STR(jstr(m, "release"), t.s.release_id);
    KT_EQ_INT(strlen(t.s.release_id), 16);
    KT_EQ_STR(jstr(m, "base"), "/");
    /* One entry per file, keyed by its URL path. */
    json_t *files = json_object_get(m, "files");
    KT_EQ_INT(json_object_size(files), t.s.n);
    char key[600];
    snprintf(key, sizeof key, "/%s", css->out_path);
    json_t *e = json_object_get(files, key);
    KT_CHECK(e != NULL);
    char etag[27], hex[2 * KC_SHA256_LEN + 1], want[700];
    kc_hex(css->sha256, KC_SHA256_LEN, hex);
    snprintf(etag, sizeof etag, "\"%.24s\"", hex);
    KT_EQ_STR(jstr(e, "file"), css->out_path);
    KT_EQ_STR(jstr(e, "source"), "css/site.css");
    KT_EQ_STR(jstr(e, "type"), "text/css; charset=utf-8");
    KT_EQ_STR(jstr(e, "class"), "immutable");
    KT_EQ_STR(jstr(e, "etag"), etag);
    KT_EQ_STR(jstr(e, "integrity"), css->sri);
    KT_EQ_INT(json_integer_value(json_object_get(e, "size")), css->out_len);
    KT_EQ_INT(json_integer_value(json_object_get(e, "mtime")), css->mtime);
    KT_CHECK(json_object_get(e, "entry") == NULL);
    /* Each variant with its own size and ETag (of the variant's bytes). */
    snprintf(want, sizeof want, "%s.br", css->out_path);
    KT_EQ_STR(jstr(e, "encodings.br.file"), want);
    kc_hex(css->var_sha256[KB_ENC_BR], KC_SHA256_LEN, hex);
    snprintf(etag, sizeof etag, "\"%.24s\"", hex);
    KT_EQ_STR(jstr(e, "encodings.br.etag"), etag);
    KT_EQ_INT(json_integer_value(
                  json_object_get(json_object_get(json_object_get(e, "encodings"), "br"), "size")),
              css->var_len[KB_ENC_BR]);
    /* Purge tags: release, url, type, then the pages that load it. */
    json_t *tags = json_object_get(e, "tags");
    KT_EQ_INT(json_array_size(tags), 4);
    snprintf(want, sizeof want, "release:%s", t.s.release_id);
    KT_EQ_STR(json_string_value(json_array_get(tags, 0)), want);
    snprintf(want, sizeof want, "url:/%s", css->out_path);
    KT_EQ_STR(json_string_value(json_array_get(tags, 1)), want);
    KT_EQ_STR(json_string_value(json_array_get(tags, 2)), "type:css");
    KT_EQ_STR(json_string_value(json_array_get(tags, 3)), "page:/index.html");
    /* A page: revalidated, an entry, with its preload list: its tags'
     * hints as it carries them, integrity and crossorigin included. */
    e = json_object_get(files, "/index.html");
    KT_EQ_STR(jstr(e, "class"), "revalidate");
    KT_CHECK(json_is_true(json_object_get(e, "entry")));
    json_t *pre = json_object_get(e, "preload");
    KT_EQ_INT(json_array_size(pre), 1);
    snprintf(want, sizeof want, "/%s", css->out_path);
    KT_EQ_STR(jstr(json_array_get(pre, 0), "url"), want);
    KT_EQ_STR(jstr(json_array_get(pre, 0), "rel"), "preload");
    KT_EQ_STR(jstr(json_array_get(pre, 0), "as"), "style");
    KT_EQ_STR(jstr(json_array_get(pre, 0), "integrity"), css->sri);
    KT_EQ_STR(jstr(json_array_get(pre, 0), "crossorigin"), "anonymous");
    KT_CHECK(json_object_get(json_array_get(pre, 0), "type") == NULL);
    KT_EQ_STR(jstr(json_object_get(files, "/notes.txt"), "class"), "revalidate");
    json_decref(m);
    /* Keys sorted, two-space indent, a final newline. */
    size_t len;
    char *text = dist_read("kiln-manifest.json", &len);
    bool form = text && strncmp(text, "{\n  \"base\": \"/\",\n  \"files\": {", 29) == 0 &&
                text[len - 1] == '\n';
    free(text);
    KT_CHECK(form);
}

static void
t_base(void)
{
    site(basic);
    t.o.base = "/app/";
    emit();
    json_t *m = dist_json("kiln-manifest.json");
    KT_CHECK(m != NULL);
    const struct kb_file *css = kbt_must(&t.s, "css/site.css");
    char key[600], want[700];
    /* Keys are paths under base; URLs (tags, preloads) include it. */
    snprintf(key, sizeof key, "/%s", css->out_path);
    json_t *e = json_object_get(json_object_get(m, "files"), key);
    KT_EQ_STR(jstr(m, "base"), "/app/");
    snprintf(want, sizeof want, "url:/app/%s", css->out_path);
    KT_EQ_STR(json_string_value(json_array_get(json_object_get(e, "tags"), 1)), want);
    KT_EQ_STR(json_string_value(json_array_get(json_object_get(e, "tags"), 3)),
              "page:/app/index.html");
    e = json_object_get(json_object_get(m, "files"), "/index.html");
    snprintf(want, sizeof want, "/app/%s", css->out_path);
    KT_EQ_STR(jstr(json_array_get(json_object_get(e, "preload"), 0), "url"), want);
    json_decref(m);
}

static void
t_vite_manifest(void)
{
    static const char *const files[] = {
        "index.html",
        "<link rel=stylesheet href=\"s.css\"><script type=\"module\" src=\"main.js\"></script>",
        "s.css",
        "body{background:url(bg.png)}",
        "bg.png",
        "png",
        "main.js",
        "import './dep.js';\nimport('./lazy.js');\n",
        "dep.js",
        "d();\n",
        "lazy.js",
        "l();\n",
        NULL,
    };
    site(files);
    emit();
    json_t *v = dist_json(".vite/manifest.json");
    KT_CHECK(v != NULL);
    /* Keys are source paths; imports and dynamicImports hold keys, css and
     * assets output paths; empty lists are left out. */
    json_t *main_js = json_object_get(v, "main.js"), *doc = json_object_get(v, "index.html");
    KT_EQ_STR(jstr(main_js, "file"), kbt_must(&t.s, "main.js")->out_path);
    KT_EQ_STR(jstr(main_js, "src"), "main.js");
    KT_CHECK(json_is_true(json_object_get(main_js, "isEntry")));
    KT_EQ_STR(json_string_value(json_array_get(json_object_get(main_js, "imports"), 0)), "dep.js");
    KT_EQ_STR(json_string_value(json_array_get(json_object_get(main_js, "dynamicImports"), 0)),
              "lazy.js");
    KT_CHECK(json_is_true(json_object_get(json_object_get(v, "lazy.js"), "isDynamicEntry")));
    KT_CHECK(json_object_get(json_object_get(v, "dep.js"), "isEntry") == NULL);
    KT_CHECK(json_object_get(json_object_get(v, "dep.js"), "imports") == NULL);
    KT_CHECK(json_is_true(json_object_get(doc, "isEntry")));
    KT_EQ_STR(json_string_value(json_array_get(json_object_get(doc, "css"), 0)),
              kbt_must(&t.s, "s.css")->out_path);
    KT_EQ_STR(json_string_value(json_array_get(json_object_get(doc, "imports"), 0)), "main.js");
    KT_EQ_STR(json_string_value(
                  json_array_get(json_object_get(json_object_get(v, "s.css"), "assets"), 0)),
              kbt_must(&t.s, "bg.png")->out_path);
    json_decref(v);
}

/* The "urls" of the last release's purge.json, joined by blanks. */
static char *
purge_urls(void)
{
    json_t *p = dist_json("purge.json");
    struct kc_buf b;
    kc_buf_init(&b, 1 << 20);
    kc_buf_puts(&b, "");
    json_t *u = json_object_get(p, "urls");
    for (size_t i = 0; i < json_array_size(u); i++)
        kc_buf_printf(&b, "%s%s", i ? " " : "", json_string_value(json_array_get(u, i)));
    json_decref(p);
    return kc_buf_steal(&b, NULL);
}

static void
t_purge(void)
{
    static const char *const v1[] = {
        "index.html", "<link rel=stylesheet href=\"s.css\">",
        "about.html", "<p>about</p>",
        "404.html",   "<p>not found</p>",
        "s.css",      "p{}",
        "old.txt",    "x",
        NULL,
    };
    site(v1);
    t.o.base = "/app/";
    emit();
    /* Without --previous: every stable URL, sorted, with base; never a
     * fingerprinted one (its URL never changes meaning). */
    char *urls = purge_urls();
    KT_EQ_STR(urls, "/app/404.html /app/about.html /app/index.html /app/old.txt");
    free(urls);
    json_t *p = dist_json("purge.json");
    KT_CHECK(json_is_null(json_object_get(p, "previous")));
    KT_EQ_STR(json_string_value(json_array_get(json_object_get(p, "tags"), 0)),
              "url:/app/404.html");
    KT_EQ_STR(jstr(p, "release"), t.s.release_id);
    json_decref(p);
    char prev_id[17];
    snprintf(prev_id, sizeof prev_id, "%s", t.s.release_id);
    /* The next release: about.html changed, old.txt removed, new.txt
     * added, s.css changed (a new fingerprinted URL, and index.html's bytes
     * with it). */
    char *previous = dist;
    dist = NULL;
    KT_EQ_INT(kbt_write(t.dir, "about.html", "<p>about us</p>"), 0);
    KT_EQ_INT(kbt_write(t.dir, "s.css", "p{margin:0}"), 0);
    KT_EQ_INT(kbt_write(t.dir, "new.txt", "n"), 0);
    char p_old[4200];
    snprintf(p_old, sizeof p_old, "%s/old.txt", t.dir);
    KT_EQ_INT(remove(p_old), 0);
    const char *prev_list[1] = { previous };
    t.o.previous = prev_list;
    t.o.n_previous = 1;
    emit();
    t.o.previous = NULL;
    t.o.n_previous = 0;
    urls = purge_urls();
    p = dist_json("purge.json");
    bool prev_ok = jstr(p, "previous") && strcmp(jstr(p, "previous"), prev_id) == 0;
    json_decref(p);
    kbt_rmtree(previous);
    /* Changed, added (and 404.html, which a CDN may have cached for it),
     * removed; 404.html itself did not change. */
    KT_EQ_STR(urls, "/app/404.html /app/about.html /app/index.html /app/new.txt /app/old.txt");
    free(urls);
    KT_CHECK(prev_ok);
}

static void
t_reproducible(void)
{
    site(basic);
    t.o.enc_mask = (1u << KB_ENC_BR) | (1u << KB_ENC_GZIP);
    emit();
    size_t n1, n2;
    char *m1 = dist_read("kiln-manifest.json", &n1);
    char id[17];
    snprintf(id, sizeof id, "%s", t.s.release_id);
    emit();
    char *m2 = dist_read("kiln-manifest.json", &n2);
    bool same = m1 && m2 && n1 == n2 && memcmp(m1, m2, n1) == 0;
    free(m1);
    free(m2);
    KT_CHECK(same);
    KT_EQ_STR(t.s.release_id, id);
    /* One byte more in one file: another release id. */
    KT_EQ_INT(kbt_write(t.dir, "notes.txt", "xy"), 0);
    emit();
    KT_CHECK(strcmp(t.s.release_id, id) != 0);
}

int
main(void)
{
    kc_log_init("kiln-build", KC_LOG_WARN);
    KT_RUN(t_files, "every file is written under its output name with its final bytes");
    KT_RUN(t_mtimes, "files and their variants keep the source's mtime; the manifests have 0");
    KT_RUN(t_variants, "br, zstd and gzip variants sit beside the file and decode to its bytes; "
                       "images and tiny files get none");
    KT_RUN(t_manifest, "kiln-manifest.json: version, release, base, and per file its name, "
                       "source, type, class, ETag, size, mtime, integrity, variants, tags, "
                       "preloads");
    KT_RUN(t_base, "under --base the manifest's URLs (tags, preloads) carry the base");
    KT_RUN(t_vite_manifest, ".vite/manifest.json: entries, imports, dynamic imports, css and "
                            "assets as Vite writes them");
    KT_RUN(t_purge, "purge.json lists every stable URL, and with --previous only what "
                    "changed, was added or removed");
    KT_RUN(t_reproducible, "the same site gives the same manifest byte for byte; a changed "
                           "byte gives another release id");
    emit_reset();
    kbt_reset(&t);
    return kt_done();
}
