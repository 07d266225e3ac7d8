/*
 * Previous releases: the ones --previous names and the newest of a
 * releases/ directory (--previous-releases, the layout tools/deploy.sh
 * keeps), most recent first. purge.json compares with the first; dict.c
 * makes deltas against each. A manifest that is missing or malformed is an
 * error: a delta or a purge list built on a guess is worse than no build.
 */
#include "builder/site.h"
#include "common/error.h"
#include "common/log.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Reads DIR/kiln-manifest.json into p; prints "FILE:LINE: reason" and
 * returns KC_EINVAL when it is missing or not a kiln manifest. */
static int
load_one(const char *what, const char *dir, struct kb_prev *p)
{
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/kiln-manifest.json", dir) >= (int)sizeof path) {
        kc_error("%s: %s: path too long", what, dir);
        return KC_EINVAL;
    }
    json_error_t je;
    json_t *m = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!m) {
        kc_error("%s: %s:%d: %s", what, path, je.line, je.text);
        return KC_EINVAL;
    }
    json_t *rel = json_object_get(m, "release");
    if (!json_is_object(json_object_get(m, "files")) ||
        !json_is_string(json_object_get(m, "base")) || (rel && !json_is_string(rel))) {
        kc_error("%s: %s:1: not a kiln manifest (no \"files\" object or \"base\" string)", what,
                 path);
        json_decref(m);
        return KC_EINVAL;
    }
    p->dir = strdup(dir);
    if (!p->dir) {
        json_decref(m);
        return KC_ENOMEM;
    }
    p->manifest = m;
    snprintf(p->release, sizeof p->release, "%s", rel ? json_string_value(rel) : "");
    return 0;
}

/* A candidate directory of --previous-releases. */
struct cand {
    char *dir;
    char real[PATH_MAX];
    long long mtime_ns;
    bool current;
};

static int
cand_cmp(const void *a, const void *b)
{
    const struct cand *x = a, *y = b;
    if (x->current != y->current)
        return x->current ? -1 : 1;
    if (x->mtime_ns != y->mtime_ns)
        return x->mtime_ns > y->mtime_ns ? -1 : 1;
    return strcmp(x->dir, y->dir);
}

/* Whether real (a realpath) is already one of s->prev or is the release
 * being replaced by this build. */
static bool
already(const struct kb_site *s, const char *real)
{
    char r[PATH_MAX];
    for (size_t i = 0; i < s->n_prev; i++)
        if (realpath(s->prev[i].dir, r) && strcmp(r, real) == 0)
            return true;
    return realpath(s->opt->out, r) && strcmp(r, real) == 0;
}

/*
 * The releases of ROOT, newest first: ROOT/current's target, then every
 * other directory that holds a kiln-manifest.json by modification time
 * (tools/deploy.sh touches a release when it makes it current, so this is
 * the order they were deployed in), then by name. Hidden entries (deploy's
 * .next, kiln-build's temporary directories) and directories without a
 * manifest are not releases and are passed over.
 */
static int
list_releases(const char *root, struct cand **out, size_t *n_out)
{
    DIR *d = opendir(root);
    if (!d) {
        kc_error("--previous-releases: %s: %s", root, strerror(errno));
        return KC_EINVAL;
    }
    struct cand *v = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char dir[PATH_MAX], man[PATH_MAX + 32];
        if (snprintf(dir, sizeof dir, "%s/%s", root, e->d_name) >= (int)sizeof dir)
            continue;
        snprintf(man, sizeof man, "%s/kiln-manifest.json", dir);
        struct stat st;
        if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
            continue;
        if (access(man, F_OK) != 0) {
            kc_info("--previous-releases: %s has no kiln-manifest.json: not a release", dir);
            continue;
        }
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 16;
            struct cand *nv = realloc(v, nc * sizeof *nv);
            if (!nv) {
                rc = KC_ENOMEM;
                break;
            }
            v = nv;
            cap = nc;
        }
        struct cand *c = &v[n];
        memset(c, 0, sizeof *c);
        c->current = strcmp(e->d_name, "current") == 0;
        c->mtime_ns = (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
        if (!realpath(dir, c->real) || !(c->dir = strdup(dir)))
            continue;
        n++;
    }
    closedir(d);
    if (n)
        qsort(v, n, sizeof *v, cand_cmp);
    *out = v;
    *n_out = n;
    return rc;
}

static int
push(struct kb_site *s, const char *what, const char *dir)
{
    struct kb_prev *nv = realloc(s->prev, (s->n_prev + 1) * sizeof *nv);
    if (!nv)
        return KC_ENOMEM;
    s->prev = nv;
    memset(&s->prev[s->n_prev], 0, sizeof *s->prev);
    int rc = load_one(what, dir, &s->prev[s->n_prev]);
    if (!rc)
        s->n_prev++;
    return rc;
}

int
kb_previous_load(struct kb_site *s)
{
    const struct kb_options *o = s->opt;
    int rc = 0;
    for (unsigned i = 0; i < o->n_previous && !rc; i++)
        rc = push(s, "--previous", o->previous[i]);
    if (rc || !o->previous_releases)
        return rc;
    struct cand *c = NULL;
    size_t n = 0;
    rc = list_releases(o->previous_releases, &c, &n);
    unsigned taken = 0;
    for (size_t i = 0; i < n && !rc && taken < o->delta_depth; i++) {
        if (already(s, c[i].real))
            continue;
        rc = push(s, "--previous-releases", c[i].dir);
        taken++;
        if (!rc)
            kc_info("--previous-releases: %s (release %s)", c[i].dir,
                    s->prev[s->n_prev - 1].release);
    }
    for (size_t i = 0; i < n; i++)
        free(c[i].dir);
    free(c);
    return rc;
}

void
kb_previous_free(struct kb_site *s)
{
    for (size_t i = 0; i < s->n_prev; i++) {
        free(s->prev[i].dir);
        json_decref(s->prev[i].manifest);
    }
    free(s->prev);
    s->prev = NULL;
    s->n_prev = 0;
}
