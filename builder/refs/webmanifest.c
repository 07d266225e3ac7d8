/*
 * Web app manifests (W3C Application Manifest): the image URLs in icons[],
 * screenshots[] and shortcuts[].icons[] are references; start_url, scope and
 * everything else are left alone. jansson validates the document and says
 * which values are image URLs; a small scan over the raw text then finds the
 * byte span of each "src" string, so rewriting keeps the author's formatting.
 */
#include "builder/refs/ref.h"
#include "common/ascii.h"
#include "common/error.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* The raw scan's view of where it is: one frame per open object or array,
 * with the key under which it was opened. Deeper levels are never refs. */
#define MAX_DEPTH 8

struct frame {
    char open;    /* '{' or '[' */
    char key[16]; /* the key this container is the value of ("" if none/long) */
};

/* True when a "src" value at this position is an image URL: inside
 * icons[]/screenshots[] of the root, or shortcuts[].icons[]. */
static bool
at_image_src(const struct frame *st, int depth)
{
    if (depth == 3 && st[0].open == '{' && st[1].open == '[' && st[2].open == '{')
        return strcmp(st[1].key, "icons") == 0 || strcmp(st[1].key, "screenshots") == 0;
    if (depth == 5 && st[0].open == '{' && st[1].open == '[' && st[2].open == '{' &&
        st[3].open == '[' && st[4].open == '{')
        return strcmp(st[1].key, "shortcuts") == 0 && strcmp(st[3].key, "icons") == 0;
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
kb_webmanifest_scan(const char *src, size_t len, struct kb_reflist *out, struct kc_diag *diag)
{
    json_error_t err;
    json_t *root = json_loadb(src, len, JSON_REJECT_DUPLICATES, &err);
    if (!root || !json_is_object(root)) {
        kc_diag_set(diag, src, 0, "%s",
                    root ? "a web app manifest must be a JSON object" : err.text);
        if (!root) {
            diag->line = err.line > 0 ? (unsigned)err.line : 1;
            diag->col = err.column > 0 ? (unsigned)err.column : 1;
        }
        json_decref(root);
        return KC_EPARSE;
    }
    int rc = 0;
    struct frame st[MAX_DEPTH];
    int depth = 0;
    char key[16] = ""; /* the last key seen at the current level */
    unsigned line = 1;
    /* jansson accepted the text, so it is well-formed JSON: only strings and
     * brackets matter here. */
    for (size_t i = 0; i < len && !rc; i++) {
        char c = src[i];
        if (c == '\n') {
            line++;
        } else if (c == '{' || c == '[') {
            if (depth < MAX_DEPTH) {
                st[depth].open = c;
                memcpy(st[depth].key, key, sizeof key);
            }
            depth++;
            key[0] = '\0';
        } else if (c == '}' || c == ']') {
            depth--;
            key[0] = '\0';
        } else if (c == '"') {
            size_t e = string_end(src, len, i);
            size_t after = e + 1;
            while (after < len && kc_in_set(src[after], " \t\r\n"))
                after++;
            if (after < len && src[after] == ':') {
                size_t kn = e - i - 1;
                if (kn < sizeof key) {
                    memcpy(key, src + i + 1, kn);
                    key[kn] = '\0';
                } else {
                    key[0] = '\0';
                }
            } else if (strcmp(key, "src") == 0 && depth <= MAX_DEPTH && at_image_src(st, depth)) {
                /* Decode through jansson so escapes are resolved. */
                json_t *v = json_loadb(src + i, e + 1 - i, JSON_DECODE_ANY, NULL);
                const char *val = json_string_value(v);
                if (val) {
                    struct kb_ref r = {
                        .start = i + 1, .end = e, .line = line, .kind = KB_REF_MANIFEST_ICON
                    };
                    rc = kb_reflist_push(out, &r, val, strlen(val));
                }
                json_decref(v);
            }
            for (size_t k = i; k < e; k++)
                line += src[k] == '\n';
            i = e;
        } else if (c == ',') {
            key[0] = '\0';
        }
    }
    json_decref(root);
    return rc;
}
