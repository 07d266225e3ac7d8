/*
 * Load, the first stage: walks SRC_DIR, reads every file into memory and sorts the list by
 * path. Symlinks are followed only while they stay inside SRC_DIR; one that
 * leads out is an error, never a silent copy of outside data. The output and
 * cache directories are skipped when they sit inside SRC_DIR.
 */
#include "builder/site.h"
#include "common/error.h"
#include "common/log.h"
#include "common/vec.h"

#include <dirent.h>
#include <fnmatch.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define KB_MAX_FILE  (1ull << 31) /* 2 GiB: larger inputs are not web assets */
#define KB_MAX_DEPTH 64

struct walk {
    struct kb_site *s;
    char root[PATH_MAX];  /* realpath of SRC_DIR */
    char out[PATH_MAX];   /* realpath of --out, "" if it does not exist */
    char cache[PATH_MAX]; /* realpath of --cache-dir, "" if none */
    size_t cap;
    int err;
};

/* Names no release should carry: version control and desktop litter. */
static bool
ignored_name(const char *name)
{
    static const char *const skip[] = { ".git",      ".hg",         ".svn",       ".DS_Store",
                                        "Thumbs.db", "desktop.ini", ".kiln-cache" };
    for (size_t i = 0; i < sizeof skip / sizeof skip[0]; i++)
        if (strcmp(name, skip[i]) == 0)
            return true;
    /* Other dotfiles are private by convention (.env, .htaccess); .well-known
     * is the one public dot-directory (RFC 8615). */
    return name[0] == '.' && strcmp(name, ".well-known") != 0;
}

/* --exclude: a glob matches the path under SRC_DIR (docs/NAME.md as
 * "docs/[glob].md") or, when it has no '/', a file or directory name
 * anywhere ("*.conf"). */
static bool
excluded(const struct kb_options *o, const char *rel, const char *name)
{
    for (unsigned i = 0; i < o->n_exclude; i++) {
        const char *g = o->exclude[i];
        if (fnmatch(g, rel, FNM_PATHNAME | FNM_PERIOD) == 0 ||
            (!strchr(g, '/') && fnmatch(g, name, FNM_PERIOD) == 0))
            return true;
    }
    return false;
}

static bool
inside(const char *root, const char *real)
{
    size_t n = strlen(root);
    return strncmp(root, real, n) == 0 && (real[n] == '/' || real[n] == '\0');
}

static int
read_file(const char *full, unsigned char **data, size_t *len)
{
    FILE *f = fopen(full, "rb");
    if (!f)
        return errno == ENOENT ? KC_ENOENT : KC_EIO;
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || (unsigned long long)st.st_size > KB_MAX_FILE) {
        fclose(f);
        return KC_ETOOBIG;
    }
    size_t n = (size_t)st.st_size;
    unsigned char *p = malloc(n + 1);
    if (!p) {
        fclose(f);
        return KC_ENOMEM;
    }
    size_t got = fread(p, 1, n, f);
    int bad = ferror(f) || got != n;
    fclose(f);
    if (bad) {
        free(p);
        return KC_EIO;
    }
    p[n] = '\0'; /* lets scanners and jansson read text safely */
    *data = p;
    *len = n;
    return 0;
}

static int
add_file(struct walk *w, const char *rel, const char *full, const struct stat *st)
{
    struct kb_site *s = w->s;
    int rc = kc_vec_reserve(s->files, w->cap, s->n + 1, KB_MAX_FILES);
    if (rc == KC_ETOOBIG)
        kc_error("%s: more than %u files in the source tree", rel, KB_MAX_FILES);
    if (rc)
        return rc;
    struct kb_file *f = &s->files[s->n];
    memset(f, 0, sizeof *f);
    f->path = strdup(rel);
    if (!f->path)
        return KC_ENOMEM;
    rc = read_file(full, &f->data, &f->len);
    if (rc) {
        kc_error("%s: cannot read: %s", rel, rc == KC_EIO ? strerror(errno) : kc_strerror(rc));
        free(f->path);
        return rc;
    }
    f->mime = kc_mime_lookup(rel);
    f->mtime = (int64_t)st->st_mtime;
    const char *sde = getenv("SOURCE_DATE_EPOCH");
    if (sde && *sde) {
        long long clamp = strtoll(sde, NULL, 10);
        if (f->mtime > clamp)
            f->mtime = clamp;
    }
    s->n++;
    return 0;
}

static int
walk_dir(struct walk *w, const char *rel, int depth)
{
    char full[PATH_MAX];
    if (snprintf(full, sizeof full, "%s%s%s", w->root, *rel ? "/" : "", rel) >= (int)sizeof full)
        return KC_ETOOBIG;
    if (depth > KB_MAX_DEPTH) {
        kc_error("%s: directories nested too deep (symlink loop?)", rel);
        return KC_EINVAL;
    }
    DIR *d = opendir(full);
    if (!d) {
        kc_error("%s: cannot open directory: %s", *rel ? rel : w->s->opt->src, strerror(errno));
        return KC_EIO;
    }
    int rc = 0;
    struct dirent *e;
    while (!rc && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 || ignored_name(e->d_name))
            continue;
        char crel[PATH_MAX], cfull[PATH_MAX], real[PATH_MAX];
        if (snprintf(crel, sizeof crel, "%s%s%s", rel, *rel ? "/" : "", e->d_name) >=
                (int)sizeof crel ||
            snprintf(cfull, sizeof cfull, "%s/%s", full, e->d_name) >= (int)sizeof cfull) {
            kc_error("%s/%s: path too long", rel, e->d_name);
            rc = KC_ETOOBIG;
            break;
        }
        struct stat lst, st;
        if (lstat(cfull, &lst) != 0 || stat(cfull, &st) != 0) {
            kc_error("%s: %s", crel, strerror(errno));
            rc = KC_EIO;
            break;
        }
        if (S_ISLNK(lst.st_mode)) {
            if (!realpath(cfull, real) || !inside(w->root, real)) {
                kc_error("%s: symlink leads outside %s", crel, w->s->opt->src);
                rc = KC_EESCAPE;
                break;
            }
        } else if (!realpath(cfull, real)) {
            rc = KC_EIO;
            break;
        }
        if ((*w->out && strcmp(real, w->out) == 0) || (*w->cache && strcmp(real, w->cache) == 0) ||
            excluded(w->s->opt, crel, e->d_name))
            continue;
        if (S_ISDIR(st.st_mode))
            rc = walk_dir(w, crel, depth + 1);
        else if (S_ISREG(st.st_mode))
            rc = add_file(w, crel, cfull, &st);
        /* sockets, fifos and devices are not web content */
    }
    closedir(d);
    return rc;
}

static int
cmp_file(const void *a, const void *b)
{
    return strcmp(((const struct kb_file *)a)->path, ((const struct kb_file *)b)->path);
}

/* Drops inputs that are precompressed sidecars of another input ("a.js.br"
 * beside "a.js"): the release makes its own, from the final bytes. */
static int
drop_sidecars(struct kb_site *s)
{
    bool *drop = calloc(s->n ? s->n : 1, sizeof *drop);
    if (!drop)
        return KC_ENOMEM;
    for (size_t i = 0; i < s->n; i++) {
        const char *p = s->files[i].path;
        size_t n = strlen(p);
        for (int e = 0; e < KB_ENC_COUNT && !drop[i]; e++) {
            const char *suf = kb_enc_suffix((enum kb_enc)e);
            size_t sn = strlen(suf);
            if (n > sn && strcmp(p + n - sn, suf) == 0) {
                /* A copy: cutting p itself would make the search find p. */
                char *base = strndup(p, n - sn);
                if (!base) {
                    free(drop);
                    return KC_ENOMEM;
                }
                drop[i] = kb_site_find(s, base) >= 0;
                free(base);
            }
        }
    }
    size_t o = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (drop[i]) {
            kc_info("%s: precompressed input ignored; kiln makes its own variants",
                    s->files[i].path);
            free(s->files[i].path);
            free(s->files[i].data);
        } else {
            s->files[o++] = s->files[i];
        }
    }
    s->n = o;
    free(drop);
    return 0;
}

/* .vite/manifest.json (a dotfile, so not a file of the release): a Vite
 * build's own record of its output, which says the site is already bundled
 * and which backends read by Vite's source paths. */
static int
load_vite_manifest(struct kb_site *s, const char *root)
{
    char full[PATH_MAX];
    struct stat st;
    if (snprintf(full, sizeof full, "%s/.vite/manifest.json", root) >= (int)sizeof full ||
        stat(full, &st) != 0 || !S_ISREG(st.st_mode))
        return 0;
    unsigned char *data;
    size_t len;
    int rc = read_file(full, &data, &len);
    if (rc) {
        kc_error(".vite/manifest.json: cannot read: %s",
                 rc == KC_EIO ? strerror(errno) : kc_strerror(rc));
        return rc;
    }
    s->vite_manifest = (char *)data; /* read_file ends it with a NUL */
    s->vite_manifest_len = len;
    return 0;
}

int
kb_load(struct kb_site *s)
{
    struct walk w = { .s = s };
    if (!realpath(s->opt->src, w.root)) {
        kc_error("%s: %s", s->opt->src, strerror(errno));
        return KC_ENOENT;
    }
    struct stat st;
    if (stat(w.root, &st) != 0 || !S_ISDIR(st.st_mode)) {
        kc_error("%s: not a directory", s->opt->src);
        return KC_EINVAL;
    }
    if (!realpath(s->opt->out, w.out))
        w.out[0] = '\0';
    if (!s->opt->cache_dir || !realpath(s->opt->cache_dir, w.cache))
        w.cache[0] = '\0';
    int rc = walk_dir(&w, "", 0);
    if (!rc)
        rc = load_vite_manifest(s, w.root);
    if (rc)
        return rc;
    if (s->n)
        qsort(s->files, s->n, sizeof *s->files, cmp_file);
    return drop_sidecars(s);
}
