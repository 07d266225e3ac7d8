/*
 * MIME table. Types follow the IANA registry and what browsers require:
 * JavaScript is text/javascript (RFC 9239), modules need a JS type, fonts are
 * font/<format>. "compressible" marks formats that are not already compressed.
 */
#include "common/mime.h"

#include <string.h>
#include <strings.h>

static const struct kc_mime table[] = {
    { "html", "text/html; charset=utf-8", KC_KIND_HTML, true },
    { "htm", "text/html; charset=utf-8", KC_KIND_HTML, true },
    { "css", "text/css; charset=utf-8", KC_KIND_CSS, true },
    { "js", "text/javascript; charset=utf-8", KC_KIND_JS, true },
    { "mjs", "text/javascript; charset=utf-8", KC_KIND_JS, true },
    { "cjs", "text/javascript; charset=utf-8", KC_KIND_JS, true },
    { "json", "application/json", KC_KIND_JSON, true },
    { "webmanifest", "application/manifest+json", KC_KIND_WEBMANIFEST, true },
    { "map", "application/json", KC_KIND_SOURCEMAP, true },
    { "svg", "image/svg+xml", KC_KIND_SVG, true },
    { "xml", "application/xml", KC_KIND_TEXT, true },
    { "txt", "text/plain; charset=utf-8", KC_KIND_TEXT, true },
    { "md", "text/markdown; charset=utf-8", KC_KIND_TEXT, true },
    { "csv", "text/csv; charset=utf-8", KC_KIND_TEXT, true },
    { "ics", "text/calendar; charset=utf-8", KC_KIND_TEXT, true },
    { "vtt", "text/vtt; charset=utf-8", KC_KIND_TEXT, true },
    { "wasm", "application/wasm", KC_KIND_WASM, true },
    { "ico", "image/x-icon", KC_KIND_IMAGE, true },
    { "bmp", "image/bmp", KC_KIND_IMAGE, true },
    { "ttf", "font/ttf", KC_KIND_FONT, true },
    { "otf", "font/otf", KC_KIND_FONT, true },
    { "eot", "application/vnd.ms-fontobject", KC_KIND_FONT, true },
    { "woff", "font/woff", KC_KIND_FONT, false },
    { "woff2", "font/woff2", KC_KIND_FONT, false },
    { "png", "image/png", KC_KIND_IMAGE, false },
    { "jpg", "image/jpeg", KC_KIND_IMAGE, false },
    { "jpeg", "image/jpeg", KC_KIND_IMAGE, false },
    { "gif", "image/gif", KC_KIND_IMAGE, false },
    { "webp", "image/webp", KC_KIND_IMAGE, false },
    { "avif", "image/avif", KC_KIND_IMAGE, false },
    { "jxl", "image/jxl", KC_KIND_IMAGE, false },
    { "mp4", "video/mp4", KC_KIND_MEDIA, false },
    { "webm", "video/webm", KC_KIND_MEDIA, false },
    { "ogv", "video/ogg", KC_KIND_MEDIA, false },
    { "mp3", "audio/mpeg", KC_KIND_MEDIA, false },
    { "ogg", "audio/ogg", KC_KIND_MEDIA, false },
    { "oga", "audio/ogg", KC_KIND_MEDIA, false },
    { "opus", "audio/ogg", KC_KIND_MEDIA, false },
    { "wav", "audio/wav", KC_KIND_MEDIA, true },
    { "flac", "audio/flac", KC_KIND_MEDIA, false },
    { "pdf", "application/pdf", KC_KIND_OTHER, false },
    { "zip", "application/zip", KC_KIND_OTHER, false },
    { "gz", "application/gzip", KC_KIND_OTHER, false },
    { "br", "application/octet-stream", KC_KIND_OTHER, false },
    { "zst", "application/zstd", KC_KIND_OTHER, false },
};

static const struct kc_mime octet = { "", "application/octet-stream", KC_KIND_OTHER, false };

const struct kc_mime *
kc_mime_lookup(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    const char *dot = strrchr(base, '.');
    if (!dot || dot == base)
        return &octet;
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (strcasecmp(table[i].ext, dot + 1) == 0)
            return &table[i];
    return &octet;
}
