/*
 * kiln-build: the command line. Parses options, runs the pipeline
 * (load -> resolve -> bundle -> fingerprint -> sw -> emit -> report: one
 * file or folder of builder/ each, see docs/internals/builder.md) into a
 * temporary directory beside --out and swaps it into place only when
 * everything succeeded, so a failed or interrupted build never leaves a
 * half-written release.
 * Exit status: 0 success, 1 input errors, 2 usage.
 */
#include "builder/lower/lower.h"
#include "builder/site.h"
#include "common/clock.h"
#include "common/error.h"
#include "common/log.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_HASHED_RE                                                                          \
    "[-.]([A-Za-z0-9_-]{8}|[0-9a-f]{10}|[0-9a-f]{16,64})(\\.[a-z]+)?\\.[A-Za-z0-9]+(\\.map)?$"

static void
usage(FILE *to)
{
    fputs("usage: kiln-build [OPTIONS] SRC_DIR\n"
          "Fingerprint, rewrite and precompress a site into a release.\n\n"
          "  -o, --out DIR          release directory (default: dist)\n"
          "      --base PATH        public URL prefix (default: /)\n"
          "      --encodings LIST   precompressed variants: br,zstd,gzip (default: all;\n"
          "                         'none' for none)\n"
          "  -j, --jobs N           compression threads (default: number of CPUs)\n"
          "      --cache-dir DIR    compression cache (default: .kiln-cache)\n"
          "      --no-cache         do not read or write the cache\n"
          "      --min-saving PCT   keep a variant only if it saves PCT% (default: 5)\n"
          "      --no-integrity     do not add integrity/crossorigin attributes\n"
          "      --hashed-pattern RE  names already fingerprinted by a bundler (POSIX ERE\n"
          "                         on the file name; group 1 is the hash)\n"
          "      --exclude GLOB     leave matching files out (repeatable; a GLOB without\n"
          "                         '/' matches names anywhere, e.g. '*.conf')\n"
          "      --report FILE      write a JSON report\n"
          "      --previous DIR     a release deployed before (repeatable, most recent\n"
          "                         first): purge.json lists only the URLs whose content\n"
          "                         changed since the first; dcz deltas against each\n"
          "      --previous-releases ROOT  also the newest releases of ROOT (the\n"
          "                         releases/<id>/ + current layout of tools/deploy.sh)\n"
          "      --delta-depth N    how many of ROOT's releases (default: 3)\n"
          "      --no-sw            do not generate sw.js nor register it in the pages\n"
          "      --sw-config FILE   service worker options (JSON; docs/service-worker.md)\n"
          "      --bundle, --no-bundle  bundle the pages' module scripts into scope-hoisted\n"
          "                         ES-module chunks (default: on; docs/bundling.md)\n"
          "      --minify-whitespace  drop comments and spare whitespace from the chunks\n"
          "                         (no renaming; source maps follow)\n"
          "      --keep-comments    keep every comment in the chunks (default: only legal\n"
          "                         comments, /*! */, @license, @preserve)\n"
          "      --import-map       chunks import each other by their unhashed URLs, resolved\n"
          "                         by an import map in each page: a changed module renames\n"
          "                         only its own chunk (and the pages)\n"
          "      --legacy, --no-legacy  with bundling, also write System.register twins of\n"
          "                         the chunks for nomodule browsers, lowered to ES5\n"
          "                         (default: on)\n"
          "      --target T         lower the modern chunks' syntax to T: es2017 .. es2023,\n"
          "                         esnext (nothing), baseline (default: Chrome 107,\n"
          "                         Firefox 104, Safari 16, as Vite 7)\n"
          "      --legacy-polyfills auto|none  polyfills the legacy twins' code uses, before\n"
          "                         the loader (default: auto)\n"
          "      --strict           a warning fails the build: exit 1, the previous release\n"
          "                         stays in place (for CI)\n"
          "  -q, --quiet            no table, warnings and errors only\n"
          "  -v, --verbose          more detail (repeat for debug)\n"
          "  -h, --help             this help\n"
          "  -V, --version          print the version\n",
          to);
}

static int
parse_encodings(const char *s, unsigned *mask)
{
    *mask = 0;
    if (strcmp(s, "none") == 0 || *s == '\0')
        return 0;
    while (*s) {
        size_t n = strcspn(s, ",");
        int e = kb_enc_parse(s, n);
        if (e < 0)
            return -1;
        *mask |= 1u << e;
        s += n;
        if (*s == ',')
            s++;
    }
    return 0;
}

static int
rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(p);
}

static void
rm_tree(const char *p)
{
    nftw(p, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Removes temporary directories left beside out by builds that were killed:
 * their names carry the builder's pid, and only dead pids are cleaned. */
static void
clean_stale(const char *out)
{
    char dir[PATH_MAX], prefix[PATH_MAX + 16];
    const char *slash = strrchr(out, '/');
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - out) : 1, slash ? out : ".");
    if (slash && slash == out)
        snprintf(dir, sizeof dir, "/");
    snprintf(prefix, sizeof prefix, "%s.kiln-tmp-", slash ? slash + 1 : out);
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    size_t pn = strlen(prefix);
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, prefix, pn) != 0)
            continue;
        long pid = strtol(e->d_name + pn, NULL, 10);
        if (pid > 0 && kill((pid_t)pid, 0) != 0 && errno == ESRCH) {
            char p[PATH_MAX];
            if (snprintf(p, sizeof p, "%s/%s", dir, e->d_name) < (int)sizeof p)
                rm_tree(p);
        }
    }
    closedir(d);
}

/* An existing --out must be a kiln release (or empty): replacing anything
 * else would lose the user's files. Returns 0 when out may be replaced
 * (absent, empty or a kiln release), 1 when it holds something else, or a
 * negative errno when it cannot be examined (a parent that cannot be
 * searched, a path through a file): that is not "something else". */
static int
replaceable(const char *out)
{
    struct stat st;
    if (stat(out, &st) != 0)
        return errno == ENOENT ? 0 : -errno;
    if (!S_ISDIR(st.st_mode))
        return 1;
    char p[PATH_MAX + 32];
    snprintf(p, sizeof p, "%s/kiln-manifest.json", out);
    if (access(p, F_OK) == 0)
        return 0;
    DIR *d = opendir(out);
    if (!d)
        return -errno;
    struct dirent *e;
    int foreign = 0;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            foreign = 1;
    closedir(d);
    return foreign;
}

/* Puts the finished tmp directory at out atomically: an exchange when out
 * exists (readers see the old or the new release, never neither), else a
 * rename. The old release is deleted afterwards. */
static int
swap_into_place(const char *tmp, const char *out)
{
    if (renameat2(AT_FDCWD, tmp, AT_FDCWD, out, RENAME_EXCHANGE) == 0) {
        rm_tree(tmp);
        return 0;
    }
    if (errno == ENOENT && rename(tmp, out) == 0)
        return 0;
    if (errno == EINVAL || errno == ENOSYS) { /* filesystem without exchange */
        char old[PATH_MAX + 80];
        snprintf(old, sizeof old, "%s.old", tmp);
        if (rename(out, old) == 0 && rename(tmp, out) == 0) {
            rm_tree(old);
            return 0;
        }
    }
    kc_error("%s: cannot move the release into place: %s", out, strerror(errno));
    return KC_EIO;
}

/* The process's umask. mkdtemp makes the release root 0700 whatever the
 * umask; the release is chmod'ed to follow it like every file in it. */
static mode_t
umask_now(void)
{
    mode_t m = umask(022);
    umask(m);
    return m;
}

static int
build(struct kb_options *o)
{
    struct kb_site s = { .opt = o };
    int rc = regcomp(&s.hashed, o->hashed_re, REG_EXTENDED);
    if (rc) {
        kc_error("--hashed-pattern: invalid regular expression '%s'", o->hashed_re);
        return 2;
    }
    char out[PATH_MAX];
    snprintf(out, sizeof out, "%s", o->out);
    for (size_t n = strlen(out); n > 1 && out[n - 1] == '/'; n--)
        out[n - 1] = '\0';
    o->out = out;
    int state = replaceable(out);
    if (state != 0) {
        if (state < 0)
            kc_error("--out %s: %s", out, strerror(-state));
        else
            kc_error("%s exists and is not a kiln release; refusing to replace it", out);
        regfree(&s.hashed);
        return 1;
    }
    double t0 = kc_clock_seconds();
    rc = kb_load(&s);
    s.t_scan = kc_clock_seconds() - t0;
    if (!rc)
        rc = kb_resolve(&s);
    if (!rc)
        rc = kb_bundle(&s);
    double t1 = kc_clock_seconds();
    if (!rc)
        rc = kb_fingerprint(&s);
    if (!rc)
        rc = kb_preloads(&s);
    if (!rc && o->sw)
        rc = kb_sw(&s);
    s.t_name = kc_clock_seconds() - t1;
    char tmp[PATH_MAX + 64] = "";
    if (!rc) {
        clean_stale(out);
        snprintf(tmp, sizeof tmp, "%s.kiln-tmp-%ld-XXXXXX", out, (long)getpid());
        if (!mkdtemp(tmp)) {
            kc_error("%s: cannot create a temporary directory: %s", tmp, strerror(errno));
            tmp[0] = '\0';
            rc = KC_EIO;
        } else if (chmod(tmp, 0777 & ~umask_now()) != 0) {
            kc_error("%s: cannot set the release's permissions: %s", tmp, strerror(errno));
            rc = KC_EIO;
        }
    }
    if (!rc)
        rc = kb_emit(&s, tmp);
    if (!rc && o->strict && s.warnings) {
        kc_error("--strict: %d warning%s; the release was not written", s.warnings,
                 s.warnings == 1 ? "" : "s");
        rc = KC_EINVAL;
    }
    if (!rc)
        rc = swap_into_place(tmp, out);
    if (rc && tmp[0])
        rm_tree(tmp);
    if (!rc)
        rc = kb_report(&s);
    kb_site_free(&s);
    if (rc == KC_ENOMEM)
        kc_error("out of memory");
    return rc ? 1 : 0;
}

int
main(int argc, char **argv)
{
    static const struct option longs[] = {
        { "out", required_argument, NULL, 'o' },
        { "base", required_argument, NULL, 'b' },
        { "encodings", required_argument, NULL, 'e' },
        { "jobs", required_argument, NULL, 'j' },
        { "cache-dir", required_argument, NULL, 'c' },
        { "no-cache", no_argument, NULL, 'C' },
        { "min-saving", required_argument, NULL, 'm' },
        { "no-integrity", no_argument, NULL, 'I' },
        { "hashed-pattern", required_argument, NULL, 'p' },
        { "report", required_argument, NULL, 'r' },
        { "exclude", required_argument, NULL, 'x' },
        { "previous", required_argument, NULL, 'P' },
        { "previous-releases", required_argument, NULL, 'R' },
        { "delta-depth", required_argument, NULL, 'D' },
        { "no-sw", no_argument, NULL, 'W' },
        { "sw-config", required_argument, NULL, 'S' },
        { "bundle", no_argument, NULL, 'B' },
        { "no-bundle", no_argument, NULL, 'N' },
        { "legacy", no_argument, NULL, 'L' },
        { "no-legacy", no_argument, NULL, 'l' },
        { "target", required_argument, NULL, 'T' },
        { "legacy-polyfills", required_argument, NULL, 'F' },
        { "minify-whitespace", no_argument, NULL, 'M' },
        { "keep-comments", no_argument, NULL, 'K' },
        { "strict", no_argument, NULL, 's' },
        { "import-map", no_argument, NULL, 'i' },
        { "quiet", no_argument, NULL, 'q' },
        { "verbose", no_argument, NULL, 'v' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { 0 },
    };
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    struct kb_options o = {
        .out = "dist",
        .base = "/",
        .cache_dir = ".kiln-cache",
        .hashed_re = DEFAULT_HASHED_RE,
        .enc_mask = (1u << KB_ENC_BR) | (1u << KB_ENC_ZSTD) | (1u << KB_ENC_GZIP),
        .jobs = ncpu > 0 ? (unsigned)ncpu : 1,
        .min_saving = 5,
        .integrity = true,
        .sw = true,
        .bundle = true,
        .legacy = true,
        .target = KB_TARGET_DEFAULT,
        .legacy_polyfills = true,
        .delta_depth = 3,
    };
    enum kc_log_level level = KC_LOG_WARN;
    bool no_cache = false;
    char base[PATH_MAX];
    static const char *excl[64], *prev[64];
    int c;
    while ((c = getopt_long(argc, argv, "o:j:qvhV", longs, NULL)) != -1) {
        char *end;
        long v;
        switch (c) {
        case 'o': o.out = optarg; break;
        case 'b':
            /* Always one trailing slash; a bare "app" means "/app/". */
            snprintf(base, sizeof base, "%s%s%s",
                     optarg[0] == '/' || strstr(optarg, "://") ? "" : "/", optarg,
                     optarg[0] && optarg[strlen(optarg) - 1] == '/' ? "" : "/");
            o.base = base;
            break;
        case 'e':
            if (parse_encodings(optarg, &o.enc_mask) != 0) {
                fprintf(stderr, "kiln-build: --encodings: expected br,zstd,gzip, got '%s'\n",
                        optarg);
                return 2;
            }
            break;
        case 'j':
            v = strtol(optarg, &end, 10);
            if (*end || v < 1 || v > 1024) {
                fprintf(stderr, "kiln-build: --jobs: expected 1..1024, got '%s'\n", optarg);
                return 2;
            }
            o.jobs = (unsigned)v;
            break;
        case 'c': o.cache_dir = optarg; break;
        case 'C': no_cache = true; break;
        case 'm':
            v = strtol(optarg, &end, 10);
            if (*end || v < 0 || v > 99) {
                fprintf(stderr, "kiln-build: --min-saving: expected 0..99, got '%s'\n", optarg);
                return 2;
            }
            o.min_saving = (unsigned)v;
            break;
        case 'I': o.integrity = false; break;
        case 'p': o.hashed_re = optarg; break;
        case 'r': o.report = optarg; break;
        case 'P':
            if (o.n_previous == sizeof prev / sizeof prev[0]) {
                fprintf(stderr, "kiln-build: --previous: at most %zu releases\n",
                        sizeof prev / sizeof prev[0]);
                return 2;
            }
            prev[o.n_previous++] = optarg;
            o.previous = prev;
            break;
        case 'R': o.previous_releases = optarg; break;
        case 'D':
            v = strtol(optarg, &end, 10);
            if (*end || v < 1 || v > 64) {
                fprintf(stderr, "kiln-build: --delta-depth: expected 1..64, got '%s'\n", optarg);
                return 2;
            }
            o.delta_depth = (unsigned)v;
            break;
        case 'x':
            if (o.n_exclude == sizeof excl / sizeof excl[0]) {
                fprintf(stderr, "kiln-build: --exclude: at most %zu patterns\n",
                        sizeof excl / sizeof excl[0]);
                return 2;
            }
            excl[o.n_exclude++] = optarg;
            o.exclude = excl;
            break;
        case 'W': o.sw = false; break;
        case 'S': o.sw_config = optarg; break;
        case 'B': o.bundle = true; break;
        case 'N': o.bundle = false; break;
        case 'L': o.legacy = true; break;
        case 'l': o.legacy = false; break;
        case 'T':
            if (!kb_lower_target_parse(optarg, &o.target) || o.target < KB_ES2017) {
                fprintf(stderr,
                        "kiln-build: --target: '%s' is not one of es2017 .. es2023, esnext, "
                        "baseline\n",
                        optarg);
                return 2;
            }
            break;
        case 'F':
            if (strcmp(optarg, "auto") != 0 && strcmp(optarg, "none") != 0) {
                fprintf(stderr, "kiln-build: --legacy-polyfills: '%s' is not auto or none\n",
                        optarg);
                return 2;
            }
            o.legacy_polyfills = strcmp(optarg, "auto") == 0;
            break;
        case 'M': o.minify_ws = true; break;
        case 'K': o.keep_comments = true; break;
        case 's': o.strict = true; break;
        case 'i': o.import_map = true; break;
        case 'q': o.quiet = true; break;
        case 'v': level = level < KC_LOG_INFO ? KC_LOG_INFO : KC_LOG_DEBUG; break;
        case 'h': usage(stdout); return 0;
        case 'V': printf("kiln-build %s\n", KB_VERSION); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "kiln-build: expected one SRC_DIR\n");
        usage(stderr);
        return 2;
    }
    o.src = argv[optind];
    if (no_cache)
        o.cache_dir = NULL;
    o.progress = !o.quiet && isatty(STDERR_FILENO);
    kc_log_init("kiln-build", level);
    return build(&o);
}
