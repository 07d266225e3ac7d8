/* Unit tests for the web app manifest scanner. */
#include "builder/refs/ref.h"
#include "common/error.h"
#include "tests/kt.h"
#include "tests/unit/ref_assert.h"

static const char doc[] =
    "{\n"
    "  \"name\": \"x\", \"start_url\": \"/index.html\",\n"
    "  \"icons\": [\n"
    "    {\"src\": \"img/icon-192.png\", \"sizes\": \"192x192\"},\n"
    "    {\"sizes\": \"512x512\", \"src\" : \"img/icon\\u002d512.png\"}\n"
    "  ],\n"
    "  \"screenshots\": [{\"src\": \"shot.png\"}],\n"
    "  \"shortcuts\": [{\"name\": \"src\", \"url\": \"/a\",\n"
    "     \"icons\": [{\"src\": \"s.png\"}]}],\n"
    "  \"related\": {\"src\": \"not-an-icon.png\"}, \"src\": \"img/icon-192.png\"\n"
    "}\n";

static void
t_icons(void)
{
    struct kb_reflist l = { 0 };
    struct kc_diag d;
    KT_EQ_INT(kb_webmanifest_scan(doc, sizeof doc - 1, &l, &d), 0);
    KT_EQ_INT((int)l.n, 4);
    KT_REF(l, doc, 0, KB_REF_MANIFEST_ICON, "img/icon-192.png", "img/icon-192.png");
    KT_EQ_INT((int)l.v[0].line, 4);
    KT_REF(l, doc, 1, KB_REF_MANIFEST_ICON, "img/icon\\u002d512.png", "img/icon-512.png");
    KT_REF(l, doc, 2, KB_REF_MANIFEST_ICON, "shot.png", "shot.png");
    KT_REF(l, doc, 3, KB_REF_MANIFEST_ICON, "s.png", "s.png");
    kb_reflist_free(&l);
}

static void
t_invalid(void)
{
    struct kb_reflist l = { 0 };
    struct kc_diag d;
    const char bad[] = "{\n  \"icons\": [\n    {\"src\": \"a.png\",}\n  ]\n}";
    KT_EQ_INT(kb_webmanifest_scan(bad, sizeof bad - 1, &l, &d), KC_EPARSE);
    KT_EQ_INT((int)d.line, 3);
    const char arr[] = "[1, 2]";
    KT_EQ_INT(kb_webmanifest_scan(arr, sizeof arr - 1, &l, &d), KC_EPARSE);
    kb_reflist_free(&l);
}

int
main(void)
{
    KT_RUN(t_icons, "icons, screenshots and shortcut icons are references, other src keys not");
    KT_RUN(t_invalid, "invalid JSON fails with its line");
    return kt_done();
}
