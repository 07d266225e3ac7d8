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
    KT_EQ_INT(kbt_site_plain(&t, files), 0);
    return kbt_stages(&t, "preload");
}

/* Hint i of doc is file path with as, rel=modulepreload or not, integrity
 * carried or not, crossorigin and type. */
static void
want(const struct kb_file *doc, size_t i, const char *path, const char *as, bool module,
     bool integrity, int cors, const char *type)
{
    if (i >= doc->n_preload)
        KT_FAIL_("no hint %zu for %s", i, path);
    const struct kb_preload *p = &doc->preload[i];
    KT_EQ_STR(t.s.files[p->file].path, path);
    KT_EQ_STR(p->as, as);
    KT_EQ_INT(p->module, module);
    KT_EQ_INT(p->integrity, integrity);
    KT_EQ_INT(p->cors, cors);
    KT_EQ_STR(p->type, type);
}

static void
t_own_tags_only(void)
{
    static const char *const site[] = {
        "index.html",
        "<link rel=stylesheet href=\"a.css\"><script type=\"module\" src=\"m.js\"></script>"
        "<script src=\"c.js\"></script><link rel=modulepreload href=\"n.js\">"
        "<link rel=preload as=font type=\"font/woff2\" href=\"f.woff2\" crossorigin>"
        "<link rel=preload href=\"data.json\" as=\"fetch\" crossorigin=use-credentials>"
        "<link rel=prefetch href=\"lazy.js\"><link rel=preload as=image href=bg.png>",
        "a.css",
        "@import \"b.css\";\n@font-face{src:url(f.woff2)}\n@font-face{src:url(g.woff2)}\n"
        "body{background:url(bg.png)}",
        "b.css",
        "p{}",
        "f.woff2",
        "font",
        "g.woff2",
        "font",
        "bg.png",
        "png",
        "m.js",
        "import './n.js';\nimport './o.js';\nimport('./lazy.js');\n",
        "n.js",
        "n();\n",
        "o.js",
        "o();\n",
        "lazy.js",
        "l();\n",
        "c.js",
        "c();\n",
        "data.json",
        "{}",
        NULL,
    };
    KT_EQ_INT(build(site), 0);
    /* Its own hints in document order, each as the page carries it (kiln
     * adds integrity and crossorigin to the modulepreload); not its
     * stylesheet, scripts, a stylesheet's fonts, a module's other imports,
     * nor a prefetch. */
    const struct kb_file *doc = kbt_must(&t.s, "index.html");
    KT_EQ_INT(doc->n_preload, 4);
    want(doc, 0, "n.js", "script", true, true, KB_CORS_ANONYMOUS, "");
    want(doc, 1, "f.woff2", "font", false, false, KB_CORS_ANONYMOUS, "font/woff2");
    want(doc, 2, "data.json", "fetch", false, false, KB_CORS_CREDENTIALS, "");
    want(doc, 3, "bg.png", "image", false, false, KB_CORS_NONE, "");
    KT_EQ_INT(kbt_must(&t.s, "a.css")->n_preload, 0);

    /* --no-integrity: the modulepreload as written, without crossorigin. */
    KT_EQ_INT(kbt_site_plain(&t, site), 0);
    t.o.integrity = false;
    KT_EQ_INT(kbt_stages(&t, "preload"), 0);
    doc = kbt_must(&t.s, "index.html");
    KT_EQ_INT(doc->n_preload, 4);
    want(doc, 0, "n.js", "script", true, false, KB_CORS_ANONYMOUS, "");
}

static void
t_preload_stylesheet(void)
{
    static const char *const site[] = {
        "index.html", "<link rel=\"preload stylesheet\" href=\"style.css\" as=\"style\">",
        "style.css",  "body{}",
        NULL,
    };
    KT_EQ_INT(build(site), 0);
    /* VitePress's one tag: a preload with the integrity kiln gives the
     * stylesheet, which the page's tag carries too. */
    const struct kb_file *doc = kbt_must(&t.s, "index.html"), *css = kbt_must(&t.s, "style.css");
    KT_EQ_INT(doc->n_preload, 1);
    want(doc, 0, "style.css", "style", false, true, KB_CORS_ANONYMOUS, "");
    char attr[128];
    snprintf(attr, sizeof attr, " integrity=\"%s\" crossorigin>", css->sri);
    KT_CHECK(kbt_has(doc->out, doc->out_len, attr));
}

static void
t_left_out(void)
{
    static const char *const site[] = {
        "index.html",
        /* The page's preload of its stylesheet gets kiln's integrity too, so
         * it is kept (below); one with a crossorigin of its own that the
         * stylesheet's does not match is left out. */
        "<link rel=preload as=style href=a.css><link rel=stylesheet href=a.css>"
        "<link rel=preload as=style href=b.css crossorigin=use-credentials>"
        "<link rel=stylesheet href=b.css>"
        /* A no-cors preload of a module script. */
        "<link rel=preload as=script href=m.js><script type=module src=m.js></script>"
        /* An integrity value of the page's own. */
        "<link rel=modulepreload href=n.js integrity=\"sha256-x\">"
        /* A media query, an imagesrcset, an unknown as=, a type cut short. */
        "<link rel=preload as=image href=p.png media=\"(max-width: 600px)\">"
        "<link rel=preload as=image href=q.png imagesrcset=\"q.png 1x, r.png 2x\">"
        "<link rel=preload as=nonsense href=d.json><link rel=preload href=e.json>"
        "<link rel=preload as=font href=f.woff2 type=\"font/x-a-type-too-long-to-keep-whole\">"
        /* Kept: an image preload and its img, both no-cors. */
        "<link rel=preload as=image href=s.png><img src=s.png>",
        "a.css",
        "p{}",
        "b.css",
        "b{}",
        "m.js",
        "m();\n",
        "n.js",
        "n();\n",
        "p.png",
        "png",
        "q.png",
        "png",
        "r.png",
        "png",
        "s.png",
        "png",
        "d.json",
        "{}",
        "e.json",
        "{}",
        "f.woff2",
        "font",
        NULL,
    };
    KT_EQ_INT(build(site), 0);
    const struct kb_file *doc = kbt_must(&t.s, "index.html");
    KT_EQ_INT(doc->n_preload, 2);
    want(doc, 0, "a.css", "style", false, true, KB_CORS_ANONYMOUS, "");
    want(doc, 1, "s.png", "image", false, false, KB_CORS_NONE, "");
    /* The tag itself carries what the hint does: one request for both. */
    const char *html = (const char *)doc->out;
    KT_CHECK(strstr(html, "<link rel=preload as=style href=a.") != NULL);
    KT_CHECK(strstr(html, "a.css\" integrity=") == NULL);
}

int
main(void)
{
    kc_log_init("kiln-build", KC_LOG_WARN);
    KT_RUN(t_own_tags_only, "a page's hints are its own preload and modulepreload tags, as it "
                            "carries them: no stylesheet's fonts, no module's imports, no "
                            "prefetch");
    KT_RUN(t_preload_stylesheet, "rel=\"preload stylesheet\" is hinted with the integrity and "
                                 "crossorigin kiln puts on the tag");
    KT_RUN(t_left_out, "a hint the page's own requests could not use, or that a header cannot "
                       "copy exactly, is left out");
    kbt_reset(&t);
    return kt_done();
}
