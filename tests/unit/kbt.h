/*
 * kbt: what the builder's stage tests share (test_load.c, test_bundle.c,
 * test_fingerprint.c, test_sw.c, test_emit.c). They drive the pipeline in
 * process through its public entry points (builder/site.h), on sites written
 * into a temporary directory or on tests/bundle-fixtures/. Everything is
 * static inline so that each test binary uses only what it needs.
 */
#ifndef KBT_H
#define KBT_H

#include "builder/lower/lower.h"
#include "builder/site.h"
#include "common/buf.h"
#include "tests/kt.h"

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* builder/main.c's default --hashed-pattern (static there). */
#define KBT_HASHED_RE "[-.]([A-Za-z0-9_-]{8}|[0-9a-f]{10}|[0-9a-f]{16,64})\\.[A-Za-z0-9]+(\\.map)?$"

/* kiln-build's defaults (main.c), minus what reaches outside the test: no
 * compression cache, one job, no progress line, no table. */
static inline struct kb_options
kbt_options(const char *src)
{
    return (struct kb_options){
        .src = src,
        .out = "/nonexistent/kiln-test-out",
        .base = "/",
        .hashed_re = KBT_HASHED_RE,
        .enc_mask = 0,
        .jobs = 1,
        .min_saving = 5,
        .integrity = true,
        .quiet = true,
        .sw = true,
        .bundle = true,
        .legacy = true,
        .target = KB_TARGET_DEFAULT,
        .legacy_polyfills = true,
    };
}

/* Starts an empty site for options o (which must outlive it), as main.c's
 * build() does: the --hashed-pattern compiled. Free it with kb_site_free. */
static inline int
kbt_site_init(struct kb_site *s, const struct kb_options *o)
{
    memset(s, 0, sizeof *s);
    s->opt = o;
    return regcomp(&s->hashed, o->hashed_re, REG_EXTENDED) == 0 ? 0 : -1;
}

/* The stages of builder/main.c's build() up to and including `last`
 * ("load", "resolve", "bundle", "fingerprint", "preload", "sw"); kb_sw runs
 * only when o->sw is set, as in main.c. Returns the first stage's error, or 0. */
static inline int
kbt_run(struct kb_site *s, const char *last)
{
    static const char *const names[] = {
        "load", "resolve", "bundle", "fingerprint", "preload", "sw"
    };
    int (*const stage[])(struct kb_site *) = { kb_load,        kb_resolve,  kb_bundle,
                                               kb_fingerprint, kb_preloads, kb_sw };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        int rc = (i == 5 && !s->opt->sw) ? 0 : stage[i](s);
        if (rc || strcmp(names[i], last) == 0)
            return rc;
    }
    return 0;
}

/* The file with source path p, or NULL. A linear search, not
 * kb_site_find: kb_sw appends its files after the sorted ones. */
static inline struct kb_file *
kbt_file(const struct kb_site *s, const char *p)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->files[i].path, p) == 0)
            return &s->files[i];
    return NULL;
}

/* The file with source path p; a missing one fails the test case. */
static inline struct kb_file *
kbt_must(const struct kb_site *s, const char *p)
{
    struct kb_file *f = kbt_file(s, p);
    if (!f)
        KT_FAIL_("no file %s in the site", p);
    return f;
}

/* The file whose output path is p, or NULL. */
static inline struct kb_file *
kbt_out(const struct kb_site *s, const char *p)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->files[i].out_path && strcmp(s->files[i].out_path, p) == 0)
            return &s->files[i];
    return NULL;
}

/* The source paths of s's files, in order, joined by blanks (malloc'd):
 * "a.css index.html js/main.js". */
static inline char *
kbt_paths(const struct kb_site *s)
{
    struct kc_buf b;
    kc_buf_init(&b, (size_t)1 << 24);
    for (size_t i = 0; i < s->n; i++)
        kc_buf_printf(&b, "%s%s", i ? " " : "", s->files[i].path);
    return kc_buf_steal(&b, NULL);
}

/* n bytes at p as a NUL-terminated string (malloc'd; the caller frees). */
static inline char *
kbt_text(const unsigned char *p, size_t n)
{
    char *t = malloc(n + 1);
    if (t) {
        memcpy(t, p, n);
        t[n] = '\0';
    }
    return t;
}

/* True when the n bytes at p contain the string needle. */
static inline int
kbt_has(const void *p, size_t n, const char *needle)
{
    return memmem(p, n, needle, strlen(needle)) != NULL;
}

/* ---- temporary directories --------------------------------------------------- */

/* A new empty directory under $TMPDIR (default /tmp); malloc'd path. */
static inline char *
kbt_tmpdir(void)
{
    const char *t = getenv("TMPDIR");
    char p[4096];
    snprintf(p, sizeof p, "%s/kiln-unit-XXXXXX", t && *t ? t : "/tmp");
    return mkdtemp(p) ? strdup(p) : NULL;
}

/* Writes n bytes (text's length when n is (size_t)-1) to dir/rel (to rel
 * when dir is NULL), making the parent directories. Returns 0 or -1. */
static inline int
kbt_write_n(const char *dir, const char *rel, const char *text, size_t n)
{
    char p[4096];
    snprintf(p, sizeof p, "%s%s%s", dir ? dir : "", dir ? "/" : "", rel);
    for (char *c = p + (dir ? strlen(dir) : 0) + 1; *c; c++) {
        if (*c != '/')
            continue;
        *c = '\0';
        mkdir(p, 0755);
        *c = '/';
    }
    FILE *f = fopen(p, "wb");
    if (!f)
        return -1;
    if (n == (size_t)-1)
        n = strlen(text);
    int ok = fwrite(text, 1, n, f) == n;
    return fclose(f) == 0 && ok ? 0 : -1;
}

static inline int
kbt_write(const char *dir, const char *rel, const char *text)
{
    return kbt_write_n(dir, rel, text, (size_t)-1);
}

/* Writes a site: path, text, path, text, ..., NULL. Returns 0 or -1. */
static inline int
kbt_write_site(const char *dir, const char *const *files)
{
    for (size_t i = 0; files[i]; i += 2)
        if (kbt_write(dir, files[i], files[i + 1]) != 0)
            return -1;
    return 0;
}

/* The whole file at path, NUL-terminated (malloc'd), or NULL. */
static inline char *
kbt_read(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    struct kc_buf b;
    kc_buf_init(&b, (size_t)1 << 30);
    char chunk[8192];
    size_t n;
    int rc = 0;
    while (!rc && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        rc = kc_buf_append(&b, chunk, n);
    fclose(f);
    if (rc) {
        kc_buf_free(&b);
        return NULL;
    }
    return kc_buf_steal(&b, len);
}

static inline int
kbt_rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(p);
}

/* rm -rf dir, then frees the path (from kbt_tmpdir). */
static inline void
kbt_rmtree(char *dir)
{
    if (dir)
        nftw(dir, kbt_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(dir);
}

/* ---- diagnostics ----------------------------------------------------------------- */

/* What the code between kbt_capture_begin() and kbt_capture_end() printed
 * on stderr (kc_error, kc_warn): kbt_capture_end returns it, malloc'd. */
static int kbt_saved_stderr = -1;
static FILE *kbt_capture_file;

static inline void
kbt_capture_begin(void)
{
    fflush(stderr);
    kbt_capture_file = tmpfile();
    kbt_saved_stderr = dup(STDERR_FILENO);
    if (kbt_capture_file)
        dup2(fileno(kbt_capture_file), STDERR_FILENO);
}

static inline char *
kbt_capture_end(void)
{
    fflush(stderr);
    if (kbt_saved_stderr >= 0) {
        dup2(kbt_saved_stderr, STDERR_FILENO);
        close(kbt_saved_stderr);
        kbt_saved_stderr = -1;
    }
    struct kc_buf b;
    kc_buf_init(&b, (size_t)1 << 24);
    if (kbt_capture_file) {
        rewind(kbt_capture_file);
        char chunk[4096];
        size_t n;
        while ((n = fread(chunk, 1, sizeof chunk, kbt_capture_file)) > 0)
            kc_buf_append(&b, chunk, n);
        fclose(kbt_capture_file);
        kbt_capture_file = NULL;
    }
    return kc_buf_steal(&b, NULL);
}

/* ---- a site on disk, built in process ------------------------------------------- */

/* One test's site: its SRC_DIR, options and model, and what the stages
 * printed. Keep it in static storage (the model points at the options). A
 * failed check leaves it as it is; the next kbt_site() or kbt_reset()
 * frees it. */
struct kbt {
    char *dir; /* SRC_DIR, a temporary directory (owned) */
    struct kb_options o;
    struct kb_site s;
    bool inited; /* s holds a model to free */
    int rc;      /* the stages' result */
    char *err;   /* their stderr (owned) */
};

static inline void
kbt_reset(struct kbt *t)
{
    if (t->inited)
        kb_site_free(&t->s);
    kbt_rmtree(t->dir);
    free(t->err);
    memset(t, 0, sizeof *t);
}

/* Writes files (path, text, ..., NULL) into a new SRC_DIR and sets t->o to
 * kbt_options() for it; change t->o before kbt_stages(). Returns 0 or -1. */
static inline int
kbt_site(struct kbt *t, const char *const *files)
{
    kbt_reset(t);
    t->dir = kbt_tmpdir();
    if (!t->dir)
        return -1;
    t->o = kbt_options(t->dir);
    return files ? kbt_write_site(t->dir, files) : 0;
}

/* kbt_site() for the stage tests that look at one stage alone: no bundler,
 * no service worker. */
static inline int
kbt_site_plain(struct kbt *t, const char *const *files)
{
    int rc = kbt_site(t, files);
    t->o.bundle = false;
    t->o.sw = false;
    return rc;
}

/* Runs the pipeline on t's site up to `last` (kbt_run), capturing stderr
 * into t->err; returns (and sets t->rc to) the stages' result. */
static inline int
kbt_stages(struct kbt *t, const char *last)
{
    if (t->inited)
        kb_site_free(&t->s);
    t->inited = kbt_site_init(&t->s, &t->o) == 0;
    free(t->err);
    kbt_capture_begin();
    t->rc = t->inited ? kbt_run(&t->s, last) : -1;
    t->err = kbt_capture_end();
    return t->rc;
}

#endif
