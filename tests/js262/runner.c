/*
 * Conformance driver for kiln's JavaScript parser. Two modes:
 *   runner DIR [BASELINE [VALID]]
 *                           DIR is test262-parser-tests: every file of pass/,
 *                           pass-explicit/ must parse (and pass scope analysis),
 *                           every file of fail/ and early/ must be refused, except
 *                           those VALID lists as valid in ECMAScript 2023. One TAP
 *                           line per category with its counts; it fails only when
 *                           a count drops below BASELINE ("pass 1981" lines).
 *                           Wrong files are listed on stderr.
 *   runner --parse FILE...  parses each file (.mjs and .module.js as modules,
 *                           .js as a module, falling back to a script), prints
 *                           file:line:column: message per error, exits 1 on any.
 */
#include "builder/js/ast.h"
#include "common/error.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *
read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap);
    size_t r;
    while (b && (r = fread(b + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) {
            char *nb = realloc(b, cap *= 2);
            if (!nb) {
                free(b);
                b = NULL;
            }
            b = nb;
        }
    }
    fclose(f);
    *len = n;
    return b;
}

static bool
ends_with(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && strcmp(s + a - b, suf) == 0;
}

/* Parses and analyses; returns 0 or the error, with diag set. */
static int
check(const char *src, size_t len, bool module, struct kc_diag *diag)
{
    struct kb_jsast ast;
    int rc = kb_jsast_parse(src, len, module, &ast, diag);
    if (rc == 0) {
        rc = kb_jsast_scope(&ast, src, diag);
        kb_jsast_free(&ast);
    }
    return rc;
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static long
baseline_of(const char *path, const char *cat)
{
    if (!path)
        return 0;
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    char name[64];
    long v, found = 0;
    while (fscanf(f, "%63s %ld", name, &v) == 2)
        if (strcmp(name, cat) == 0)
            found = v;
    fclose(f);
    return found;
}

static int n_tap;

/* Whether VALID lists "cat/name". */
static bool
listed_valid(const char *valid, const char *cat, const char *name)
{
    if (!valid)
        return false;
    FILE *f = fopen(valid, "r");
    if (!f)
        return false;
    char line[512], want[300];
    snprintf(want, sizeof want, "%s/%s", cat, name);
    bool found = false;
    while (!found && fgets(line, sizeof line, f)) {
        size_t n = strlen(want);
        found = strncmp(line, want, n) == 0 && (line[n] == ' ' || line[n] == '\n');
    }
    fclose(f);
    return found;
}

static int
run_category(const char *dir, const char *cat, bool want_ok, const char *baseline,
             const char *valid)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, cat);
    DIR *d = opendir(path);
    if (!d) {
        printf("not ok %d - test262 %s: cannot open %s\n", ++n_tap, cat, path);
        return 1;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!ends_with(e->d_name, ".js"))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 1024;
            names = realloc(names, cap * sizeof *names);
        }
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_str);
    long right = 0, newer = 0;
    for (size_t i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s/%s/%s", dir, cat, names[i]);
        size_t len;
        char *src = read_file(path, &len);
        if (!src)
            continue;
        struct kc_diag diag = { 0 };
        int rc = check(src, len, ends_with(names[i], ".module.js"), &diag);
        bool ok = rc == 0, want = want_ok;
        if (!want_ok && listed_valid(valid, cat, names[i])) {
            want = true;
            newer += ok;
        }
        if (ok == want)
            right++;
        else if (want)
            fprintf(stderr, "%s/%s:%u:%u: %s\n", cat, names[i], diag.line, diag.col, diag.msg);
        else
            fprintf(stderr, "%s/%s: accepted, should be refused\n", cat, names[i]);
        free(src);
        free(names[i]);
    }
    free(names);
    long base = baseline_of(baseline, cat);
    if (newer)
        printf("%s %d - test262 %s: %ld/%zu right (%ld of them valid in ES2023, "
               "accepted; baseline %ld)\n",
               right >= base ? "ok" : "not ok", ++n_tap, cat, right, n, newer, base);
    else
        printf("%s %d - test262 %s: %ld/%zu right (baseline %ld)\n",
               right >= base ? "ok" : "not ok", ++n_tap, cat, right, n, base);
    return right >= base ? 0 : 1;
}

int
main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "--parse") == 0) {
        int bad = 0;
        for (int i = 2; i < argc; i++) {
            size_t len;
            char *src = read_file(argv[i], &len);
            if (!src) {
                fprintf(stderr, "%s: cannot read\n", argv[i]);
                bad++;
                continue;
            }
            struct kc_diag diag = { 0 };
            bool module = !ends_with(argv[i], ".cjs");
            int rc = check(src, len, module, &diag);
            if (rc != 0 && ends_with(argv[i], ".js")) {
                struct kc_diag d2 = { 0 };
                if (check(src, len, false, &d2) == 0)
                    rc = 0;
            }
            if (rc != 0) {
                printf("%s:%u:%u: %s\n", argv[i], diag.line, diag.col, diag.msg);
                bad++;
            }
            free(src);
        }
        printf("%d files, %d errors\n", argc - 2, bad);
        return bad ? 1 : 0;
    }
    if (argc < 2) {
        fprintf(stderr, "usage: runner DIR [BASELINE] | runner --parse FILE...\n");
        return 2;
    }
    const char *baseline = argc > 2 ? argv[2] : NULL;
    const char *valid = argc > 3 ? argv[3] : NULL;
    int bad = 0;
    bad += run_category(argv[1], "pass", true, baseline, valid);
    bad += run_category(argv[1], "pass-explicit", true, baseline, valid);
    bad += run_category(argv[1], "fail", false, baseline, valid);
    bad += run_category(argv[1], "early", false, baseline, valid);
    printf("1..%d\n", n_tap);
    return bad ? 1 : 0;
}
