/*
 * Report: the table on stdout (one row per written file: raw size, each kept
 * variant, the saving of the best one) with totals, and the same figures as
 * JSON for --report, so CI can track bytes shipped release over release; then
 * the dictionary deltas (dcz) kept, each beside the br size it saves on;
 * what the service worker precaches and what it left out, and why; the
 * polyfills each page's legacy twins get, with their bytes.
 * Names are never cut: two files must never look alike (Vite prints whole
 * paths too); a name wider than the column gets a line of its own.
 */
#include "builder/lower/lower.h"
#include "builder/lower/polyfill.h"
#include "builder/site.h"
#include "common/error.h"
#include "common/log.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

static void
human(size_t n, char *out, size_t outsz)
{
    if (n < 10 * 1024)
        snprintf(out, outsz, "%zu", n);
    else if (n < 10 * 1024 * 1024)
        snprintf(out, outsz, "%.1fK", (double)n / 1024);
    else
        snprintf(out, outsz, "%.1fM", (double)n / (1024 * 1024));
}

static size_t
best(const struct kb_file *f)
{
    size_t b = f->out_len;
    for (int e = 0; e < KB_ENC_COUNT; e++)
        if (f->var[e] && f->var_len[e] < b)
            b = f->var_len[e];
    return b;
}

/* The name column is as wide as the widest name, up to this many columns. */
#define REPORT_NAME_COLS 60

/* Columns a name takes on a terminal: its UTF-8 characters (bytes that do not
 * continue one), each counted as one. */
static size_t
name_cols(const char *p)
{
    size_t n = 0;
    for (; *p; p++)
        n += ((unsigned char)*p & 0xc0) != 0x80;
    return n;
}

/* The name cell of a row, w columns wide: the whole name, padded; a wider one
 * alone on its line, and the figures under the column on the next. */
static void
name_cell(const char *name, size_t w)
{
    size_t n = name_cols(name);
    fputs(name, stdout);
    if (n > w) {
        putchar('\n');
        n = 0;
    }
    printf("%*s", (int)(w - n), "");
}

static void
table(const struct kb_site *s)
{
    /* Column order as users read it: gzip (everyone), br, zstd. */
    static const enum kb_enc cols[] = { KB_ENC_GZIP, KB_ENC_BR, KB_ENC_ZSTD };
    size_t tot_raw = 0, tot_best = 0, tot[KB_ENC_COUNT] = { 0 };
    size_t w = 4;
    for (size_t i = 0; i < s->n; i++) {
        size_t l = name_cols(s->files[i].out_path);
        w = l > w ? (l > REPORT_NAME_COLS ? REPORT_NAME_COLS : l) : w;
    }
    printf("%-*s %9s %9s %9s %9s %7s\n", (int)w, "file", "raw", "gzip", "br", "zstd", "saving");
    for (size_t i = 0; i < s->n; i++) {
        const struct kb_file *f = &s->files[i];
        char raw[16], v[3][16];
        human(f->out_len, raw, sizeof raw);
        for (int c = 0; c < 3; c++) {
            enum kb_enc e = cols[c];
            if (f->var[e])
                human(f->var_len[e], v[c], sizeof v[c]);
            else
                snprintf(v[c], sizeof v[c], "-");
            tot[e] += f->var[e] ? f->var_len[e] : f->out_len;
        }
        size_t b = best(f);
        tot_raw += f->out_len;
        tot_best += b;
        double saving = f->out_len ? 100.0 * (double)(f->out_len - b) / (double)f->out_len : 0;
        name_cell(f->out_path, w);
        printf(" %9s %9s %9s %9s %6.1f%%\n", raw, v[0], v[1], v[2], saving);
    }
    char r[16], t[3][16];
    human(tot_raw, r, sizeof r);
    for (int c = 0; c < 3; c++)
        human(tot[cols[c]], t[c], sizeof t[c]);
    printf("%-*s %9s %9s %9s %9s %6.1f%%\n", (int)w, "total", r, t[0], t[1], t[2],
           tot_raw ? 100.0 * (double)(tot_raw - tot_best) / (double)tot_raw : 0.0);
    printf("release %s: %zu files, %zu variants computed, %zu from cache (%.2fs compressing)\n",
           s->release_id, s->n, s->cstats.encoded, s->cstats.cache_hits, s->t_compress);
}

/* The deltas: one line per kept delta, then the totals. */
static void
delta_lines(const struct kb_site *s)
{
    if (s->n_prev == 0)
        return;
    for (size_t i = 0; i < s->n; i++) {
        const struct kb_file *f = &s->files[i];
        for (size_t d = 0; d < f->n_deltas; d++) {
            const struct kb_delta *dl = &f->deltas[d];
            char hex[2 * KC_SHA256_LEN + 1];
            kc_hex(dl->dict_sha256, KC_SHA256_LEN, hex);
            printf("dcz %s against release %s (dictionary %.12s): %zu bytes, br %zu, saved %zu\n",
                   f->out_path, dl->prev_release, hex, dl->var_len[KB_DENC_DCZ], dl->ref_len,
                   dl->ref_len - dl->var_len[KB_DENC_DCZ]);
        }
    }
    printf("deltas: %zu kept of %zu made against %zu previous release%s: %zu bytes instead of %zu "
           "as br, saved %zu\n",
           s->dstats.kept, s->dstats.made, s->n_prev, s->n_prev == 1 ? "" : "s",
           s->dstats.dict_bytes, s->dstats.ref_bytes, s->dstats.ref_bytes - s->dstats.dict_bytes);
}

/* The service worker's lines: what it precaches, its fallback, and every
 * candidate left out with the option that left it out. */
static void
sw_lines(const struct kb_site *s)
{
    if (!s->sw.made)
        return;
    printf("sw.js: %zu files precached, %lld bytes", s->sw.n_precache,
           (long long)s->sw.precache_bytes);
    if (s->sw.fallback)
        printf("; navigateFallback %s (%s)", s->sw.fallback, s->sw.fallback_why);
    printf("%s\n", s->sw.n_omit ? "; left out:" : "");
    for (size_t i = 0; i < s->sw.n_omit; i++) {
        const struct kb_file *f = &s->files[s->sw.omit[i].file];
        printf("  %s, %zu bytes (%s)\n", f->out_path, f->out_len, s->sw.omit[i].why);
    }
}

static json_t *
sw_json(const struct kb_site *s)
{
    json_t *left = json_array();
    for (size_t i = 0; i < s->sw.n_omit; i++) {
        const struct kb_file *f = &s->files[s->sw.omit[i].file];
        json_array_append_new(left, json_pack("{s:s, s:s, s:I, s:s}", "file", f->out_path, "source",
                                              f->path, "raw", (json_int_t)f->out_len, "reason",
                                              s->sw.omit[i].why));
    }
    return json_pack("{s:I, s:I, s:o, s:o}", "precached", (json_int_t)s->sw.n_precache,
                     "precached_bytes", (json_int_t)s->sw.precache_bytes, "navigate_fallback",
                     s->sw.fallback ? json_string(s->sw.fallback) : json_null(), "left_out", left);
}

/* Calls fn(s, page, twin, ctx) for each entry document and each legacy
 * twin with polyfills it loads. */
static void
each_page_twin(const struct kb_site *s,
               void (*fn)(const struct kb_site *, const struct kb_file *, const struct kb_file *,
                          void *),
               void *ctx)
{
    for (size_t i = 0; i < s->n; i++) {
        const struct kb_file *page = &s->files[i];
        if (!(page->role & KB_ROLE_ENTRY) || !page->target)
            continue;
        for (size_t k = 0; k < page->refs.n; k++) {
            int t = page->target[k];
            if (t >= 0 && (size_t)t < s->n && s->files[t].polyfills)
                fn(s, page, &s->files[t], ctx);
        }
    }
}

static void
polyfill_line(const struct kb_site *s, const struct kb_file *page, const struct kb_file *twin,
              void *ctx)
{
    (void)s;
    (void)ctx;
    const char *names[64];
    size_t bytes[64], total = 0;
    size_t n = kb_polyfill_names(twin->polyfills, names, bytes, 64);
    printf("legacy %s: %s carries %zu polyfill%s:", page->out_path, twin->out_path, n,
           n == 1 ? "" : "s");
    for (size_t i = 0; i < n && i < 64; i++) {
        printf("%s %s %zu", i ? "," : "", names[i], bytes[i]);
        total += bytes[i];
    }
    printf(" (%zu bytes)\n", total);
}

static void
polyfill_json(const struct kb_site *s, const struct kb_file *page, const struct kb_file *twin,
              void *ctx)
{
    (void)s;
    const char *names[64];
    size_t bytes[64], total = 0;
    size_t n = kb_polyfill_names(twin->polyfills, names, bytes, 64);
    json_t *list = json_array();
    for (size_t i = 0; i < n && i < 64; i++) {
        json_array_append_new(
            list, json_pack("{s:s, s:I}", "name", names[i], "bytes", (json_int_t)bytes[i]));
        total += bytes[i];
    }
    json_array_append_new(ctx,
                          json_pack("{s:s, s:s, s:o, s:I}", "page", page->out_path, "twin",
                                    twin->out_path, "polyfills", list, "bytes", (json_int_t)total));
}

static int
json_report(const struct kb_site *s, const char *path)
{
    json_t *files = json_array();
    size_t tot_raw = 0, tot[KB_ENC_COUNT] = { 0 };
    for (size_t i = 0; i < s->n; i++) {
        const struct kb_file *f = &s->files[i];
        json_t *e = json_pack("{s:s, s:s, s:I}", "file", f->out_path, "source", f->path, "raw",
                              (json_int_t)f->out_len);
        for (int k = 0; k < KB_ENC_COUNT; k++) {
            if (f->var[k])
                json_object_set_new(e, kb_enc_name((enum kb_enc)k),
                                    json_integer((json_int_t)f->var_len[k]));
            tot[k] += f->var[k] ? f->var_len[k] : f->out_len;
        }
        tot_raw += f->out_len;
        if (f->n_deltas) {
            json_t *dl = json_array();
            for (size_t d = 0; d < f->n_deltas; d++) {
                const struct kb_delta *x = &f->deltas[d];
                char hex[2 * KC_SHA256_LEN + 1];
                kc_hex(x->dict_sha256, KC_SHA256_LEN, hex);
                json_array_append_new(
                    dl, json_pack("{s:s, s:s, s:I, s:I, s:I}", "dictionary", hex, "previous",
                                  x->prev_release, "dcz", (json_int_t)x->var_len[KB_DENC_DCZ], "br",
                                  (json_int_t)x->ref_len, "saved",
                                  (json_int_t)(x->ref_len - x->var_len[KB_DENC_DCZ])));
            }
            json_object_set_new(e, "deltas", dl);
        }
        json_array_append_new(files, e);
    }
    json_t *totals = json_pack("{s:I}", "raw", (json_int_t)tot_raw);
    for (int k = 0; k < KB_ENC_COUNT; k++)
        json_object_set_new(totals, kb_enc_name((enum kb_enc)k), json_integer((json_int_t)tot[k]));
    json_t *doc =
        json_pack("{s:s, s:s, s:o, s:o, s:{s:I, s:I, s:f}, s:{s:f, s:f, s:f, s:f}, s:i}",
                  "generator", "kiln-build " KB_VERSION, "release", s->release_id, "files", files,
                  "totals", totals, "compression", "encoded", (json_int_t)s->cstats.encoded,
                  "cache_hits", (json_int_t)s->cstats.cache_hits, "cpu_seconds",
                  s->cstats.cpu_seconds, "seconds", "scan", s->t_scan, "name", s->t_name,
                  "compress", s->t_compress, "write", s->t_write, "warnings", s->warnings);
    if (doc && s->sw.made)
        json_object_set_new(doc, "sw", sw_json(s));
    if (doc && s->opt->bundle) {
        json_t *pages = json_array();
        each_page_twin(s, polyfill_json, pages);
        json_object_set_new(doc, "lowering",
                            json_pack("{s:s, s:s, s:o}", "target",
                                      kb_lower_target_name(s->opt->target), "legacy",
                                      s->opt->legacy ? "es5" : "none", "polyfills", pages));
    }
    if (doc && s->n_prev) {
        json_t *prev = json_array();
        for (size_t i = 0; i < s->n_prev; i++)
            json_array_append_new(prev, json_string(s->prev[i].release));
        json_object_set_new(
            doc, "deltas",
            json_pack("{s:o, s:I, s:I, s:I, s:I, s:I}", "previous", prev, "made",
                      (json_int_t)s->dstats.made, "kept", (json_int_t)s->dstats.kept, "dcz_bytes",
                      (json_int_t)s->dstats.dict_bytes, "br_bytes", (json_int_t)s->dstats.ref_bytes,
                      "saved", (json_int_t)(s->dstats.ref_bytes - s->dstats.dict_bytes)));
    }
    if (!doc)
        return KC_ENOMEM;
    int rc = json_dump_file(doc, path, JSON_INDENT(2)) == 0 ? 0 : KC_EIO;
    if (rc)
        kc_error("%s: cannot write the report", path);
    json_decref(doc);
    return rc;
}

int
kb_report(const struct kb_site *s)
{
    if (!s->opt->quiet) {
        table(s);
        delta_lines(s);
        sw_lines(s);
        each_page_twin(s, polyfill_line, NULL);
    }
    return s->opt->report ? json_report(s, s->opt->report) : 0;
}
