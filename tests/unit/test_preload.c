/*
 * The entry documents' preload lists (builder/preload.c, kb_preloads): what
 * kiln-edge's Link header and 103 Early Hints ask the browser to fetch. Sites
 * are written into a temporary directory and run through load, resolve,
 * fingerprint and preload in process, without the bundler.
 */
#include "common/log.h"
#include "tests/kt.h"
#include "tests/unit/kbt.h"

static struct kbt t;

static int
build(const char *const *files)
{
    KT_EQ_INT(kbt_site(&t, files), 0);
    t.o.bundle = false;
    t.o.sw = false;
    return kbt_stages(&t, "preload");
}

static void
t_preload(void)
{
    static const char *const site[] = {
        "index.html",
        "<link rel=stylesheet href=\"a.css\"><script type=\"module\" src=\"m.js\"></script>"
        "<script src=\"c.js\"></script><link rel=preload href=\"data.json\" as=\"fetch\">",
        "a.css",
        "@import \"b.css\";\n@font-face{src:url(f.woff2)}\nbody{background:url(bg.png)}",
        "b.css",
        "p{}",
        "f.woff2",
        "font",
        "bg.png",
        "png",
        "m.js",
        "import './n.js';\nimport('./lazy.js');\n",
        "n.js",
        "n();\n",
        "lazy.js",
        "l();\n",
        "c.js",
        "c();\n",
        "data.json",
        "{}",
        NULL,
    };
    KT_EQ_INT(build(site), 0);
    const struct kb_file *doc = kbt_must(&t.s, "index.html");
    /* Document order: stylesheets with their @imports and fonts (not their
     * images), module scripts with their static imports (not import()),
     * classic scripts, the page's own preloads. */
    static const struct {
        const char *path, *as;
        bool module;
    } want[] = {
        { "a.css", "style", false },     { "b.css", "style", false }, { "f.woff2", "font", false },
        { "m.js", "script", true },      { "n.js", "script", true },  { "c.js", "script", false },
        { "data.json", "fetch", false },
    };
    KT_EQ_INT(doc->n_preload, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < doc->n_preload; i++) {
        KT_EQ_STR(t.s.files[doc->preload[i].file].path, want[i].path);
        KT_EQ_STR(doc->preload[i].as, want[i].as);
        KT_EQ_INT(doc->preload[i].module, want[i].module);
    }
    KT_EQ_INT(kbt_must(&t.s, "a.css")->n_preload, 0);
}

int
main(void)
{
    kc_log_init("kiln-build", KC_LOG_WARN);
    KT_RUN(t_preload, "a page's preload list: stylesheets, @imports, fonts, module scripts "
                      "and their static imports, classic scripts, its own preloads");
    kbt_reset(&t);
    return kt_done();
}
