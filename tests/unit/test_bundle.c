/*
 * The bundler in process, esbuild's way: fixtures in, expected chunk text
 * out. Each folder of tests/bundle-fixtures/ is loaded, resolved and bundled
 * as kiln-build does it (kb_load, kb_resolve, kb_bundle), and the text of
 * every file the bundler wrote or changed is compared with its snapshot,
 * tests/bundle-snapshots/NAME.txt:
 *
 *   ---- warnings ----          what the stages printed, when they printed anything
 *   ---- index.html ----        the page (modulepreloads, legacy scripts)
 *   ---- main.js ----           a chunk, a facade or a legacy twin: its text
 *
 * one section per file in path order; source maps are left out (the e2e
 * test tests/e2e/test_bundle.py decodes them), and the legacy loader, a
 * constant, is shown by its first line and its size. The text is taken
 * before fingerprinting, as esbuild snapshots linked chunks before hashing:
 * chunks import each other by their source paths, so a change in one chunk
 * shows in that chunk's section only. NAME.OPTION.txt is the same fixture
 * built with that option (the variants below). The snapshots are not kept
 * inside the fixtures: a file there would be part of the fixture's release
 * (tests/golden, the browser tests).
 *
 * After a change that is meant to change the output, rewrite the snapshots,
 * from the repository root:
 *
 *   make build/asan/tests/unit/test_bundle
 *   KILN_SNAPSHOT_UPDATE=1 build/asan/tests/unit/test_bundle
 *
 * then read `git diff tests/bundle-snapshots/` as a reviewer would, and say
 * in the commit why the text changed. A mismatch prints the lines that
 * differ and leaves the whole text produced in $TMPDIR for `diff -u`.
 */
#include "common/log.h"
#include "tests/kt.h"
#include "tests/unit/kbt.h"

#include <dirent.h>
#include <stdbool.h>

#define FIXTURES  "tests/bundle-fixtures"
#define SNAPSHOTS "tests/bundle-snapshots"

/* A build of a fixture: its folder and the options that differ from
 * kiln-build's defaults. */
struct variant {
    const char *suffix;  /* "" or ".OPTION" in the snapshot's name */
    const char *fixture; /* NULL: every fixture */
    void (*set)(struct kb_options *o);
};

static void
set_minify(struct kb_options *o)
{
    o->minify_ws = true;
}

static void
set_keep_comments(struct kb_options *o)
{
    o->keep_comments = true;
}

static void
set_no_legacy(struct kb_options *o)
{
    o->legacy = false;
}

static const struct variant variants[] = {
    { "", NULL, NULL },
    /* The fixture written for it: whitespace, comments and ASI. */
    { ".minify-whitespace", "minify", set_minify },
    { ".keep-comments", "minify", set_keep_comments },
    /* A page with an inline module script and two entries, modern only. */
    { ".no-legacy", "inert-order", set_no_legacy },
};

/* ---- the text of a build --------------------------------------------------------- */

struct loaded {
    char *path;
    unsigned char *data;
    size_t len;
};

static bool
is_map(const char *p)
{
    size_t n = strlen(p);
    return n > 4 && strcmp(p + n - 4, ".map") == 0;
}

/* The legacy loader a page's first twin starts with (after its polyfills): a constant of
 * builder/bundle/legacy.c, the same in every snapshot, left out but for its
 * first line and its length (a changed loader still shows). */
#define LOADER     "/* kiln legacy loader: docs/bundling.md */\n"
#define LOADER_END "\n})();\n"

static int
section(struct kc_buf *o, const char *title, const char *text, size_t n)
{
    int rc = kc_buf_printf(o, "---- %s ----\n", title);
    const char *end, *loader = memmem(text, n, LOADER, strlen(LOADER));
    /* The polyfills before a page twin's loader: the files of
     * builder/lower/polyfills/, shown by their size (tests/polyfills/ and
     * test_polyfill check them). */
    if (!rc && loader && loader > text) {
        size_t lines = 0, len = (size_t)(loader - text);
        for (size_t i = 0; i < len; i++)
            lines += text[i] == '\n';
        rc = kc_buf_printf(o, "... (polyfills: %zu lines, %zu bytes) ...\n", lines, len);
        text += len;
        n -= len;
    }
    if (!rc && n > strlen(LOADER) && memcmp(text, LOADER, strlen(LOADER)) == 0 &&
        (end = memmem(text, n, LOADER_END, strlen(LOADER_END)))) {
        size_t lines = 0, len = (size_t)(end - text) + strlen(LOADER_END);
        for (size_t i = 0; i < len; i++)
            lines += text[i] == '\n';
        rc = kc_buf_printf(o, "%s... (the loader: %zu lines, %zu bytes) ...\n", LOADER, lines, len);
        text += len;
        n -= len;
    }
    if (!rc)
        rc = kc_buf_append(o, text, n);
    /* A file without a final newline says so, as diff does. */
    if (!rc && n > 0 && text[n - 1] != '\n')
        rc = kc_buf_puts(o, "\n\\ No newline at end of file\n");
    return rc;
}

/* Bundles src with v's options; *out gets the snapshot text (malloc'd). */
static int
bundle_text(const char *src, const struct variant *v, char **out)
{
    struct kb_options o = kbt_options(src);
    o.sw = false;
    if (v->set)
        v->set(&o);
    struct kb_site s;
    struct loaded *before = NULL;
    size_t nbefore = 0;
    struct kc_buf t;
    kc_buf_init(&t, (size_t)1 << 28);
    int rc = kbt_site_init(&s, &o);
    kbt_capture_begin();
    if (!rc)
        rc = kbt_run(&s, "resolve");
    /* What the bundler is given, to tell what it wrote. */
    before = calloc(s.n + 1, sizeof *before);
    for (size_t i = 0; before && i < s.n; i++) {
        before[i].path = strdup(s.files[i].path);
        before[i].data = malloc(s.files[i].len + 1);
        before[i].len = s.files[i].len;
        if (before[i].data)
            memcpy(before[i].data, s.files[i].data, s.files[i].len);
        nbefore++;
    }
    if (!rc)
        rc = kb_bundle(&s);
    char *diag = kbt_capture_end();
    if (diag && *diag)
        rc = rc ? rc : section(&t, "warnings", diag, strlen(diag));
    free(diag);
    for (size_t i = 0; i < s.n && !rc; i++) {
        const struct kb_file *f = &s.files[i];
        if (is_map(f->path))
            continue;
        bool same = false;
        for (size_t k = 0; k < nbefore; k++)
            if (before[k].path && strcmp(before[k].path, f->path) == 0)
                same = before[k].len == f->len && memcmp(before[k].data, f->data, f->len) == 0;
        if (!same)
            rc = section(&t, f->path, (const char *)f->data, f->len);
    }
    for (size_t k = 0; k < nbefore; k++) {
        free(before[k].path);
        free(before[k].data);
    }
    free(before);
    kb_site_free(&s);
    *out = rc ? NULL : kc_buf_steal(&t, NULL);
    kc_buf_free(&t);
    return rc ? rc : *out ? 0 : -1;
}

/* ---- comparing --------------------------------------------------------------------- */

/* The lines of text: pointers into it, each line without its '\n'. */
static size_t
split_lines(char *text, char ***lines)
{
    size_t n = 0, cap = 64;
    *lines = malloc(cap * sizeof **lines);
    for (char *p = text; *lines && *p;) {
        if (n == cap) {
            char **v = realloc(*lines, (cap *= 2) * sizeof *v);
            if (!v)
                break;
            *lines = v;
        }
        (*lines)[n++] = p;
        char *nl = strchr(p, '\n');
        if (!nl)
            break;
        *nl = '\0';
        p = nl + 1;
    }
    return n;
}

/* Prints a unified diff of want ("-", the snapshot) and got ("+", the
 * output), 3 lines of context, at most 80 lines: a longest common
 * subsequence of lines (the snapshots are a few hundred lines; a larger
 * pair falls back to one hunk between the common first and last lines). */
static void
print_diff(const char *want_text, const char *got_text)
{
    char *w = strdup(want_text), *g = strdup(got_text), **wl = NULL, **gl = NULL;
    size_t nw = w ? split_lines(w, &wl) : 0, ng = g ? split_lines(g, &gl) : 0;
    size_t pre = 0, post = 0;
    while (pre < nw && pre < ng && strcmp(wl[pre], gl[pre]) == 0)
        pre++;
    while (post < nw - pre && post < ng - pre && strcmp(wl[nw - 1 - post], gl[ng - 1 - post]) == 0)
        post++;
    /* The middle: want [pre, nw - post), got [pre, ng - post). */
    size_t a = nw - post - pre, b = ng - post - pre;
    unsigned *lcs =
        (a + 1) * (b + 1) <= ((size_t)1 << 22) ? calloc((a + 1) * (b + 1), sizeof *lcs) : NULL;
#define LCS(i, j) lcs[(size_t)(i) * (b + 1) + (j)]
    for (size_t i = a; lcs && i-- > 0;)
        for (size_t j = b; j-- > 0;)
            LCS(i, j) = strcmp(wl[pre + i], gl[pre + j]) == 0
                            ? LCS(i + 1, j + 1) + 1
                            : (LCS(i + 1, j) > LCS(i, j + 1) ? LCS(i + 1, j) : LCS(i, j + 1));
    /* One op per line: ' ', '-' or '+', with its text. */
    size_t n = 0, cap = nw + ng + 1;
    char *op = malloc(cap);
    const char **txt = malloc(cap * sizeof *txt);
    size_t *wno = malloc(cap * sizeof *wno);
    for (size_t i = 0; op && txt && wno && i < pre; i++, n++)
        op[n] = ' ', txt[n] = wl[i], wno[n] = i;
    size_t i = 0, j = 0;
    while (op && txt && wno && (i < a || j < b)) {
        if (lcs && i < a && j < b && strcmp(wl[pre + i], gl[pre + j]) == 0)
            op[n] = ' ', txt[n] = wl[pre + i], wno[n++] = pre + i, i++, j++;
        else if (i < a && (j == b || !lcs || LCS(i + 1, j) >= LCS(i, j + 1)))
            op[n] = '-', txt[n] = wl[pre + i], wno[n++] = pre + i, i++;
        else
            op[n] = '+', txt[n] = gl[pre + j], wno[n++] = pre + i, j++;
    }
#undef LCS
    for (size_t k = 0; op && txt && wno && k < post; k++, n++)
        op[n] = ' ', txt[n] = wl[nw - post + k], wno[n] = nw - post + k;
    /* A line shows when a change is within 3 lines; a hunk starts where
     * shown lines resume. */
    bool shown = false;
    size_t printed = 0, last = 0;
    for (size_t k = 0; op && txt && wno && k < n && printed < 80; k++) {
        bool near = false;
        for (size_t d = k > 3 ? k - 3 : 0; d < n && d <= k + 3; d++)
            near |= op[d] != ' ';
        if (near && (!shown || last + 1 != k))
            printf("#   @@ line %zu of the snapshot @@\n", wno[k] + 1);
        if (near) {
            printf("#   %c%s\n", op[k], txt[k]);
            printed++;
            shown = true;
            last = k;
        }
    }
    if (printed == 80)
        printf("#   ...\n");
    free(op);
    free(txt);
    free(wno);
    free(lcs);
    free(wl);
    free(gl);
    free(w);
    free(g);
}

static bool update_mode;
static const struct variant *cur_variant;
static const char *cur_fixture;

static void
t_snapshot(void)
{
    char src[512], snap[512];
    snprintf(src, sizeof src, "%s/%s", FIXTURES, cur_fixture);
    snprintf(snap, sizeof snap, "%s/%s%s.txt", SNAPSHOTS, cur_fixture, cur_variant->suffix);
    char *got = NULL;
    KT_EQ_INT(bundle_text(src, cur_variant, &got), 0);
    /* Every fixture is bundled: a chunk at the least. */
    bool chunks = strstr(got, ".js ----\n") != NULL;
    if (!chunks)
        free(got);
    KT_CHECK(chunks);
    if (update_mode) {
        int rc = kbt_write(NULL, snap, got);
        free(got);
        KT_EQ_INT(rc, 0);
        printf("# wrote %s\n", snap);
        return;
    }
    char *want = kbt_read(snap, NULL);
    if (!want) {
        free(got);
        KT_FAIL_("%s is missing: run with KILN_SNAPSHOT_UPDATE=1 to write it", snap);
    }
    bool same = strcmp(want, got) == 0;
    if (!same) {
        printf("#   %s differs from the bundler's output:\n", snap);
        print_diff(want, got);
        char tmp[600];
        const char *t = getenv("TMPDIR");
        snprintf(tmp, sizeof tmp, "%s/kiln-snapshot-%s%s.txt", t && *t ? t : "/tmp", cur_fixture,
                 cur_variant->suffix);
        if (kbt_write(NULL, tmp, got) == 0)
            printf("#   whole output: diff -u %s %s\n", snap, tmp);
    }
    free(want);
    free(got);
    KT_CHECK(same);
}

/* Every snapshot belongs to a fixture and a variant: a renamed or removed
 * fixture must not leave a snapshot nobody checks. */
static char **fixtures;
static size_t nfixtures;

static void
t_no_stale_snapshots(void)
{
    DIR *d = opendir(SNAPSHOTS);
    KT_CHECK(d != NULL);
    struct dirent *e;
    char stale[256] = "";
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (e->d_name[0] == '.' || n < 4 || strcmp(e->d_name + n - 4, ".txt") != 0)
            continue; /* README.md */
        bool known = false;
        for (size_t v = 0; v < sizeof variants / sizeof variants[0]; v++)
            for (size_t i = 0; i < nfixtures; i++) {
                char name[512];
                snprintf(name, sizeof name, "%s%s.txt", fixtures[i], variants[v].suffix);
                known |= strcmp(name, e->d_name) == 0 &&
                         (!variants[v].fixture || strcmp(variants[v].fixture, fixtures[i]) == 0);
            }
        if (!known)
            snprintf(stale, sizeof stale, "%s", e->d_name);
    }
    closedir(d);
    KT_EQ_STR(stale, "");
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int
main(void)
{
    kc_log_init("kiln-build", KC_LOG_WARN);
    const char *u = getenv("KILN_SNAPSHOT_UPDATE");
    update_mode = u && strcmp(u, "1") == 0;
    DIR *d = opendir(FIXTURES);
    if (!d) {
        printf("not ok 1 - %s: run from the repository root\n", FIXTURES);
        return 1;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        char p[512];
        snprintf(p, sizeof p, "%s/%s/index.html", FIXTURES, e->d_name);
        if (e->d_name[0] == '.' || access(p, F_OK) != 0)
            continue;
        char **v = realloc(fixtures, (nfixtures + 1) * sizeof *v);
        if (!v)
            break;
        fixtures = v;
        fixtures[nfixtures++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(fixtures, nfixtures, sizeof *fixtures, cmp_str);
    for (size_t v = 0; v < sizeof variants / sizeof variants[0]; v++)
        for (size_t i = 0; i < nfixtures; i++) {
            if (variants[v].fixture && strcmp(variants[v].fixture, fixtures[i]) != 0)
                continue;
            cur_variant = &variants[v];
            cur_fixture = fixtures[i];
            char desc[512];
            snprintf(desc, sizeof desc, "bundling %s%s gives the chunks of %s/%s%s.txt",
                     fixtures[i], variants[v].suffix, SNAPSHOTS, fixtures[i], variants[v].suffix);
            KT_RUN(t_snapshot, desc);
        }
    KT_RUN(t_no_stale_snapshots, "every snapshot belongs to a fixture");
    for (size_t i = 0; i < nfixtures; i++)
        free(fixtures[i]);
    free(fixtures);
    return kt_done();
}
