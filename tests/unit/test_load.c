/*
 * Loading a site (builder/load.c, kb_load): what of SRC_DIR becomes the
 * release's input. Each case writes a small site into a temporary directory
 * and loads it in process: the order of the files, their bytes, what is left
 * out (litter, dotfiles, --exclude, sidecars, the output and cache
 * directories), and symlinks, which may never bring in outside data.
 */
#include "common/error.h"
#include "common/log.h"
#include "tests/kt.h"
#include "tests/unit/kbt.h"

#include <sys/time.h>

static struct kbt t;

/* Loads files; the checks then read t.s (and t.err). */
static int
load(const char *const *files)
{
    KT_EQ_INT(kbt_site(&t, files), 0);
    return kbt_stages(&t, "load");
}

static void
paths_are(const char *want)
{
    char *got = kbt_paths(&t.s);
    bool same = got && strcmp(got, want) == 0;
    if (!same)
        printf("#   files: \"%s\", want \"%s\"\n", got ? got : "(null)", want);
    free(got);
    KT_CHECK(same);
}

static void
t_sorted(void)
{
    static const char *const site[] = {
        "z.txt", "z", "a/b.txt", "b", "a-b.txt", "-", "A.txt", "A", "a/a/c.txt", "c", NULL,
    };
    KT_EQ_INT(load(site), 0);
    /* strcmp order, so '-' (0x2d) sorts before '/' (0x2f) and capitals first:
     * kb_site_find's binary search depends on it. */
    paths_are("A.txt a-b.txt a/a/c.txt a/b.txt z.txt");
    for (size_t i = 0; i < t.s.n; i++)
        KT_EQ_INT(kb_site_find(&t.s, t.s.files[i].path), (long long)i);
    KT_EQ_INT(kb_site_find(&t.s, "a"), -1);
}

static void
t_bytes(void)
{
    KT_EQ_INT(kbt_site(&t, NULL), 0);
    KT_EQ_INT(kbt_write_n(t.dir, "img/x.png", "\x89PNG\0\r\n", 7), 0);
    KT_EQ_INT(kbt_write(t.dir, "css/site.css", "body{}"), 0);
    KT_EQ_INT(kbt_write(t.dir, "empty.txt", ""), 0);
    KT_EQ_INT(kbt_stages(&t, "load"), 0);
    const struct kb_file *png = kbt_file(&t.s, "img/x.png"), *css = kbt_file(&t.s, "css/site.css");
    const struct kb_file *empty = kbt_file(&t.s, "empty.txt");
    KT_CHECK(png && css && empty);
    KT_EQ_INT(png->len, 7);
    KT_CHECK(memcmp(png->data, "\x89PNG\0\r\n", 7) == 0);
    KT_EQ_INT(png->data[7], 0); /* scanners may read text as a C string */
    KT_EQ_STR(png->mime->type, "image/png");
    KT_EQ_STR(css->mime->type, "text/css; charset=utf-8");
    KT_EQ_INT(empty->len, 0);
    KT_CHECK(empty->data != NULL);
}

static void
t_litter(void)
{
    static const char *const site[] = {
        "index.html",
        "<p>hi</p>",
        ".git/HEAD",
        "ref: main",
        ".svn/entries",
        "x",
        ".DS_Store",
        "x",
        "img/Thumbs.db",
        "x",
        "desktop.ini",
        "x",
        ".env",
        "SECRET=1",
        "sub/.htaccess",
        "Deny from all",
        ".well-known/security.txt",
        "Contact: x",
        NULL,
    };
    KT_EQ_INT(load(site), 0);
    /* .well-known is the one public dot-directory (RFC 8615). */
    paths_are(".well-known/security.txt index.html");
}

static void
t_exclude_name(void)
{
    static const char *const site[] = {
        "index.html", "x", "top.conf",      "x", "deep/er/nginx.conf", "x",
        "conf.txt",   "x", "drafts/a.html", "x", "sub/drafts/b.html",  "x",
        NULL,
    };
    static const char *excl[] = { "*.conf", "drafts" };
    KT_EQ_INT(kbt_site(&t, site), 0);
    t.o.exclude = excl;
    t.o.n_exclude = 2;
    KT_EQ_INT(kbt_stages(&t, "load"), 0);
    /* A glob without '/' is a name anywhere; a directory's name takes all
     * below it. */
    paths_are("conf.txt index.html");
}

static void
t_exclude_path(void)
{
    static const char *const site[] = {
        "docs/a.md", "x", "docs/sub/b.md", "x", "other/docs/a.md", "x", "a.md", "x", NULL,
    };
    static const char *excl[] = { "docs/*.md" };
    KT_EQ_INT(kbt_site(&t, site), 0);
    t.o.exclude = excl;
    t.o.n_exclude = 1;
    KT_EQ_INT(kbt_stages(&t, "load"), 0);
    /* Matched against the path under SRC_DIR; '*' stops at '/'. */
    paths_are("a.md docs/sub/b.md other/docs/a.md");
}

static void
t_symlink_inside(void)
{
    static const char *const site[] = { "real/a.txt", "A", "b.txt", "B", NULL };
    KT_EQ_INT(kbt_site(&t, site), 0);
    char p[4200];
    snprintf(p, sizeof p, "%s/alias", t.dir);
    KT_EQ_INT(symlink("real", p), 0);
    snprintf(p, sizeof p, "%s/c.txt", t.dir);
    KT_EQ_INT(symlink("real/a.txt", p), 0);
    KT_EQ_INT(kbt_stages(&t, "load"), 0);
    /* Served under the link's own path, with the target's bytes. */
    paths_are("alias/a.txt b.txt c.txt real/a.txt");
    KT_EQ_STR((const char *)kbt_file(&t.s, "c.txt")->data, "A");
}

static void
t_symlink_outside(void)
{
    static const char *const site[] = { "index.html", "x", NULL };
    KT_EQ_INT(kbt_site(&t, site), 0);
    char p[4200];
    snprintf(p, sizeof p, "%s/passwd.txt", t.dir);
    KT_EQ_INT(symlink("/etc/passwd", p), 0);
    KT_EQ_INT(kbt_stages(&t, "load"), KC_EESCAPE);
    KT_CHECK(strstr(t.err, "passwd.txt: symlink leads outside") != NULL);
    /* Also through a directory and a relative "..". */
    KT_EQ_INT(remove(p), 0);
    snprintf(p, sizeof p, "%s/up", t.dir);
    KT_EQ_INT(symlink("..", p), 0);
    KT_EQ_INT(kbt_stages(&t, "load"), KC_EESCAPE);
    KT_CHECK(strstr(t.err, "up: symlink leads outside") != NULL);
}

static void
t_symlink_loop(void)
{
    static const char *const site[] = { "a/x.txt", "x", NULL };
    KT_EQ_INT(kbt_site(&t, site), 0);
    char p[4200];
    snprintf(p, sizeof p, "%s/a/again", t.dir);
    KT_EQ_INT(symlink("..", p), 0); /* inside SRC_DIR, but endless */
    KT_EQ_INT(kbt_stages(&t, "load"), KC_EINVAL);
    KT_CHECK(strstr(t.err, "nested too deep") != NULL);
}

static void
t_sidecars(void)
{
    static const char *const site[] = {
        "a.js", "x", "a.js.br", "x", "a.js.gz", "x", "a.js.zst", "x", "b.css", "x", NULL,
    };
    KT_EQ_INT(load(site), 0);
    /* kiln makes its own variants, from the final bytes. */
    paths_are("a.js b.css");
}

static void
t_lone_compressed(void)
{
    static const char *const site[] = {
        "index.html",
        "<a href=files/data.tar.gz>data</a>",
        "files/data.tar.gz",
        "x",
        "notes.txt.br",
        "x",
        "z.zst",
        "x",
        NULL,
    };
    KT_EQ_INT(load(site), 0);
    /* Not a sidecar: no input of the name without the suffix. A download
     * the page links to must not vanish from the release. */
    paths_are("files/data.tar.gz index.html notes.txt.br z.zst");
}

static void
t_out_and_cache_skipped(void)
{
    static const char *const site[] = {
        "index.html", "x", "dist/index.html", "old", "cache/ab/cd", "x", "distant.txt", "x", NULL,
    };
    KT_EQ_INT(kbt_site(&t, site), 0);
    char out[4200], cache[4200];
    snprintf(out, sizeof out, "%s/dist", t.dir);
    snprintf(cache, sizeof cache, "%s/cache", t.dir);
    t.o.out = out;
    t.o.cache_dir = cache;
    KT_EQ_INT(kbt_stages(&t, "load"), 0);
    paths_are("distant.txt index.html");
}

static void
t_source_date_epoch(void)
{
    static const char *const site[] = { "new.txt", "x", "old.txt", "x", NULL };
    KT_EQ_INT(kbt_site(&t, site), 0);
    char p[4200];
    struct timeval tv[2] = { { 2000000000, 0 }, { 2000000000, 0 } };
    snprintf(p, sizeof p, "%s/new.txt", t.dir);
    KT_EQ_INT(utimes(p, tv), 0);
    tv[0].tv_sec = tv[1].tv_sec = 1000000000;
    snprintf(p, sizeof p, "%s/old.txt", t.dir);
    KT_EQ_INT(utimes(p, tv), 0);
    KT_EQ_INT(kbt_stages(&t, "load"), 0);
    KT_EQ_INT(kbt_file(&t.s, "new.txt")->mtime, 2000000000);
    setenv("SOURCE_DATE_EPOCH", "1500000000", 1);
    int rc = kbt_stages(&t, "load");
    unsetenv("SOURCE_DATE_EPOCH");
    KT_EQ_INT(rc, 0);
    KT_EQ_INT(kbt_file(&t.s, "new.txt")->mtime, 1500000000);
    KT_EQ_INT(kbt_file(&t.s, "old.txt")->mtime, 1000000000);
}

static void
t_not_a_directory(void)
{
    static const char *const site[] = { "file.txt", "x", NULL };
    KT_EQ_INT(kbt_site(&t, site), 0);
    char p[4200];
    snprintf(p, sizeof p, "%s/nope", t.dir);
    t.o.src = p;
    KT_EQ_INT(kbt_stages(&t, "load"), KC_ENOENT);
    KT_CHECK(strstr(t.err, "nope") != NULL);
    snprintf(p, sizeof p, "%s/file.txt", t.dir);
    KT_EQ_INT(kbt_stages(&t, "load"), KC_EINVAL);
    KT_CHECK(strstr(t.err, "file.txt: not a directory") != NULL);
}

static void
t_special_files(void)
{
    static const char *const site[] = { "index.html", "x", NULL };
    KT_EQ_INT(kbt_site(&t, site), 0);
    char p[4200];
    snprintf(p, sizeof p, "%s/pipe", t.dir);
    KT_EQ_INT(mkfifo(p, 0600), 0);
    KT_EQ_INT(kbt_stages(&t, "load"), 0);
    paths_are("index.html");
}

int
main(void)
{
    kc_log_init("kiln-build", KC_LOG_WARN);
    KT_RUN(t_sorted, "files are listed in path order (strcmp), whatever the disk's order");
    KT_RUN(t_bytes, "each file's bytes are read exactly, NUL-terminated, with its MIME type");
    KT_RUN(t_litter, ".git, .DS_Store, Thumbs.db and other dotfiles stay out; .well-known is in");
    KT_RUN(t_exclude_name, "--exclude without '/' leaves out a name anywhere, directories whole");
    KT_RUN(t_exclude_path, "--exclude with '/' matches the path under SRC_DIR");
    KT_RUN(t_symlink_inside, "a symlink that stays inside SRC_DIR is followed, under its own path");
    KT_RUN(t_symlink_outside, "a symlink leading out of SRC_DIR is an error naming it");
    KT_RUN(t_symlink_loop, "a symlink loop is an error, not an endless walk");
    KT_RUN(t_sidecars, "precompressed sidecars of an input (a.js.br beside a.js) are dropped");
    KT_RUN(t_lone_compressed, "a .gz, .br or .zst file with no input beside it is kept");
    KT_RUN(t_out_and_cache_skipped, "the output and cache directories inside SRC_DIR are not read");
    KT_RUN(t_source_date_epoch, "SOURCE_DATE_EPOCH clamps newer mtimes; older ones stay");
    KT_RUN(t_not_a_directory, "a SRC_DIR that is missing or a file is an error");
    KT_RUN(t_special_files, "fifos and other special files are not web content: left out");
    kbt_reset(&t);
    return kt_done();
}
