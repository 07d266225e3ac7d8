/*
 * kiln-lower: kiln-build's lowering stage (builder/lower/) on one file, for
 * the semantic corpus (tests/lower/), the fuzz and benchmark scripts and
 * for looking at what a transform does. Not installed.
 *
 *   kiln-lower [--target T] [--module] [--compact] [--polyfills] [-o OUT] IN
 *
 * Prints the lowered text (the input as it is when nothing needs
 * lowering); --polyfills puts the polyfills the output needs first.
 * IN or OUT "-" is standard input or output.
 * Errors: "IN:line:col: message", exit status 1; usage errors 2.
 */
#include "builder/lower/lower.h"
#include "builder/lower/polyfill.h"
#include "common/buf.h"
#include "common/error.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
usage(void)
{
    fputs("usage: kiln-lower [--target es5|es2017..es2023|esnext|baseline] [--module]\n"
          "                  [--compact] [--polyfills] [-o OUT] IN\n",
          stderr);
    return 2;
}

static char *
slurp(const char *path, size_t *len)
{
    bool std = strcmp(path, "-") == 0;
    FILE *f = std ? stdin : fopen(path, "rb");
    if (!f)
        return NULL;
    struct kc_buf b;
    kc_buf_init(&b, (size_t)1 << 30);
    char chunk[65536];
    size_t n;
    int rc = 0;
    while (!rc && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        rc = kc_buf_append(&b, chunk, n);
    if (!rc && !b.data)
        rc = kc_buf_append(&b, "", 0);
    bool bad = ferror(f) || rc;
    if (!std)
        fclose(f);
    if (bad) {
        kc_buf_free(&b);
        return NULL;
    }
    return kc_buf_steal(&b, len);
}

int
main(int argc, char **argv)
{
    static const struct option longs[] = {
        { "target", required_argument, NULL, 't' }, { "module", no_argument, NULL, 'm' },
        { "compact", no_argument, NULL, 'c' },      { "polyfills", no_argument, NULL, 'p' },
        { "help", no_argument, NULL, 'h' },         { NULL, 0, NULL, 0 },
    };
    struct kb_lower_opts o = { .target = KB_TARGET_DEFAULT };
    bool polyfills = false;
    const char *out_path = NULL;
    for (int ch; (ch = getopt_long(argc, argv, "o:", longs, NULL)) != -1;) {
        switch (ch) {
        case 't':
            if (!kb_lower_target_parse(optarg, &o.target)) {
                fprintf(stderr, "kiln-lower: unknown target '%s'\n", optarg);
                return 2;
            }
            break;
        case 'm': o.module = true; break;
        case 'c': o.compact = true; break;
        case 'p': polyfills = true; break;
        case 'o': out_path = strcmp(optarg, "-") == 0 ? NULL : optarg; break;
        default: return usage();
        }
    }
    if (optind + 1 != argc)
        return usage();
    const char *in = argv[optind];
    size_t len;
    char *src = slurp(in, &len);
    if (!src) {
        fprintf(stderr, "kiln-lower: %s: cannot read\n", in);
        return 1;
    }
    struct kb_lower_result r;
    struct kc_diag d;
    int rc = kb_lower(src, len, &o, &r, &d);
    if (rc) {
        if (rc == KC_EPARSE || rc == KC_EUNSUP)
            fprintf(stderr, "%s:%u:%u: %s\n", in, d.line, d.col, d.msg);
        else
            fprintf(stderr, "kiln-lower: %s: %s\n", in, kc_strerror(rc));
        free(src);
        return 1;
    }
    struct kc_buf pf;
    kc_buf_init(&pf, (size_t)1 << 24);
    FILE *f = NULL;
    if (polyfills && r.polyfills && kb_polyfill_text(r.polyfills, &pf) != 0)
        fprintf(stderr, "kiln-lower: out of memory\n");
    else if (!(f = out_path ? fopen(out_path, "wb") : stdout))
        fprintf(stderr, "kiln-lower: %s: cannot write\n", out_path);
    if (!f) {
        kc_buf_free(&pf);
        kb_lower_result_free(&r);
        free(src);
        return 1;
    }
    if (pf.len)
        fwrite(pf.data, 1, pf.len, f);
    if (r.changed)
        fwrite(r.text, 1, r.len, f);
    else
        fwrite(src, 1, len, f);
    bool bad = ferror(f) != 0;
    if (out_path ? fclose(f) != 0 : fflush(f) != 0)
        bad = true;
    kc_buf_free(&pf);
    kb_lower_result_free(&r);
    free(src);
    if (bad) {
        fprintf(stderr, "kiln-lower: write error\n");
        return 1;
    }
    return 0;
}
