/*
 * Web app manifests (W3C Application Manifest): the image URLs in icons[],
 * screenshots[] and shortcuts[].icons[] are references; start_url, scope and
 * everything else are left alone. jansson validates the document and says
 * which values are image URLs; a small scan over the raw text then finds the
 * byte span of each "src" string, so rewriting keeps the author's formatting.
 */
#include "builder/ref.h"
#include "common/error.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static bool
is_image_src(json_t *root, const char *val)
{
    static const char *const lists[] = { "icons", "screenshots" };
    for (size_t l = 0; l < 2; l++) {
        json_t *arr = json_object_get(root, lists[l]);
        size_t i;
        json_t *it;
        json_array_foreach(arr, i, it)
        {
            const char *src = json_string_value(json_object_get(it, "src"));
            if (src && strcmp(src, val) == 0)
                return true;
        }
    }
    json_t *sc = json_object_get(root, "shortcuts");
    size_t i, j;
    json_t *s, *icon;
    json_array_foreach(sc, i, s)
    {
        json_array_foreach(json_object_get(s, "icons"), j, icon)
        {
            const char *src = json_string_value(json_object_get(icon, "src"));
            if (src && strcmp(src, val) == 0)
                return true;
        }
    }
    return false;
}

/* Finds the end of the JSON string starting at src[i] == '"'; returns the
 * offset of the closing quote, or len when unterminated. */
static size_t
string_end(const char *src, size_t len, size_t i)
{
    for (i++; i < len; i++) {
        if (src[i] == '\\')
            i++;
        else if (src[i] == '"')
            return i;
    }
    return len;
}

int
kb_webmanifest_scan(const char *src, size_t len, struct kb_reflist *out, struct kb_diag *diag)
{
    json_error_t err;
    json_t *root = json_loadb(src, len, JSON_REJECT_DUPLICATES, &err);
    if (!root || !json_is_object(root)) {
        kb_diag_set(diag, src, 0, "%s",
                    root ? "a web app manifest must be a JSON object" : err.text);
        if (!root) {
            diag->line = err.line > 0 ? (unsigned)err.line : 1;
            diag->col = err.column > 0 ? (unsigned)err.column : 1;
        }
        json_decref(root);
        return KC_EPARSE;
    }
    int rc = 0;
    bool key_is_src = false; /* the previous string was the key "src" */
    unsigned line = 1;
    for (size_t i = 0; i < len && !rc; i++) {
        if (src[i] == '\n')
            line++;
        if (src[i] != '"')
            continue;
        size_t e = string_end(src, len, i);
        size_t after = e + 1;
        while (after < len && strchr(" \t\r\n", src[after]))
            after++;
        bool is_key = after < len && src[after] == ':';
        if (!is_key && key_is_src) {
            /* Decode through jansson so escapes compare equal. */
            json_t *v = json_loadb(src + i, e + 1 - i, JSON_DECODE_ANY, NULL);
            const char *val = json_string_value(v);
            if (val && is_image_src(root, val)) {
                struct kb_ref r = {
                    .start = i + 1, .end = e, .line = line, .kind = KB_REF_MANIFEST_ICON
                };
                rc = kb_reflist_push(out, &r, val, strlen(val));
            }
            json_decref(v);
        }
        key_is_src = is_key && e - i - 1 == 3 && memcmp(src + i + 1, "src", 3) == 0;
        for (size_t k = i; k < e && k < len; k++)
            line += src[k] == '\n';
        i = e;
    }
    json_decref(root);
    return rc;
}
