/*
 * The site model: the files of one build and what each stage learns about
 * them (builder/site.h). Stages fill it in pipeline order; these are the
 * functions over the whole model that several stages, main() and the tests
 * share. Nothing here reads or writes the disk.
 */
#include "builder/site.h"
#include "common/buf.h"
#include "common/error.h"
#include "common/path.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
kb_site_find(const struct kb_site *s, const char *p)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(s->files[mid].path, p);
        if (c == 0)
            return (int)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

bool
kb_file_immutable(const struct kb_file *f)
{
    return (f->role & KB_ROLE_RENAMED) ||
           ((f->role & KB_ROLE_PREHASHED) &&
            !(f->role & (KB_ROLE_ENTRY | KB_ROLE_MANIFEST | KB_ROLE_SW)));
}

/* A strong ETag from a SHA-256: 24 hex digits (96 bits) in quotes. */
void
kb_etag(const unsigned char *sha, char out[27])
{
    char hex[2 * KC_SHA256_LEN + 1];
    kc_hex(sha, KC_SHA256_LEN, hex);
    out[0] = '"';
    memcpy(out + 1, hex, 24);
    out[25] = '"';
    out[26] = '\0';
}

char *
kb_public_url(const struct kb_site *s, const char *out_path)
{
    struct kc_buf b;
    kc_buf_init(&b, PATH_MAX * 2);
    if (kc_buf_puts(&b, s->opt->base) || kc_url_encode_path(out_path, &b)) {
        kc_buf_free(&b);
        return NULL;
    }
    return kc_buf_steal(&b, NULL);
}

void
kb_release_id(struct kb_site *s, const void *extra, size_t extra_len)
{
    struct kc_buf b;
    kc_buf_init(&b, SIZE_MAX / 2);
    for (size_t i = 0; i < s->n; i++) {
        char hex[2 * KC_SHA256_LEN + 1];
        if (s->files[i].role & KB_ROLE_SW)
            continue;
        kc_hex(s->files[i].sha256, KC_SHA256_LEN, hex);
        kc_buf_printf(&b, "%s %s\n", s->files[i].out_path, hex);
    }
    if (extra)
        kc_buf_append(&b, extra, extra_len);
    unsigned char d[KC_SHA256_LEN];
    kc_sha256(b.data ? b.data : "", b.len, d);
    char hex[2 * KC_SHA256_LEN + 1];
    kc_hex(d, KC_SHA256_LEN, hex);
    memcpy(s->release_id, hex, 16);
    s->release_id[16] = '\0';
    kc_buf_free(&b);
}

void
kb_file_set_out(struct kb_file *f, unsigned char *bytes, size_t len)
{
    if (f->out && f->out != f->data && f->out != bytes)
        free(f->out);
    f->out = bytes;
    f->out_len = len;
    kc_sha256(bytes, len, f->sha256);
    kc_sri_sha384(bytes, len, f->sri);
    f->done = true;
}

void
kb_site_free(struct kb_site *s)
{
    for (size_t i = 0; i < s->n; i++) {
        struct kb_file *f = &s->files[i];
        if (f->out != f->data)
            free(f->out);
        free(f->data);
        free(f->path);
        free(f->out_path);
        free(f->target);
        free(f->scan_error);
        free(f->preload);
        kb_reflist_free(&f->refs);
        for (int e = 0; e < KB_ENC_COUNT; e++)
            free(f->var[e]);
        free(f->dict_id);
        free(f->use_as_dict);
        for (size_t d = 0; d < f->n_deltas; d++)
            for (int e = 0; e < KB_DENC_COUNT; e++)
                free(f->deltas[d].var[e]);
        free(f->deltas);
    }
    free(s->files);
    kb_previous_free(s);
    free(s->sw.fallback);
    free(s->sw.omit);
    regfree(&s->hashed);
    free(s->vite_manifest);
}
