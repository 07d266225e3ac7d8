/*
 * kb_html_scan: which attributes are references and of what kind, exact raw
 * spans and decoded URLs, tag_end and the tag's flags, what is not markup
 * (comments, raw text, RCDATA), inline CSS/JS handed on, and which malformed
 * files are errors and on which line.
 */
#include "builder/refs/ref.h"
#include "common/error.h"
#include "tests/kt.h"
#include "tests/unit/ref_assert.h"

#include <string.h>

static struct kb_reflist L;
static struct kc_diag D;
static const char *S;

static int
scan(const char *s)
{
    kb_reflist_free(&L);
    memset(&D, 0, sizeof D);
    S = s;
    return kb_html_scan(s, strlen(s), &L, &D);
}

/* Ref i has this raw span, decoded url and kind. */
#define REF(i, span, url, kind) KT_REF(L, S, i, kind, span, url)

/* Offset of the first occurrence of needle in S. */
static size_t
at(const char *needle)
{
    const char *p = strstr(S, needle);
    return p ? (size_t)(p - S) : (size_t)-1;
}

static void
t_script_src(void)
{
    KT_EQ_INT(scan("<script src=\"app.js\"></script>"), 0);
    KT_EQ_INT(L.n, 1);
    REF(0, "app.js", "app.js", KB_REF_HTML_SCRIPT);
    KT_EQ_INT(L.v[0].tag_end, at("></script"));
    KT_EQ_INT(L.v[0].flags, 0);
    KT_EQ_INT(L.v[0].line, 1);
}

static void
t_script_module_src(void)
{
    KT_EQ_INT(scan("<script type=\"module\" src=\"main.mjs\"></script>"
                   "<script src=\"b.js\" type=\"text/javascript\"></script>"),
              0);
    KT_EQ_INT(L.n, 2);
    REF(0, "main.mjs", "main.mjs", KB_REF_HTML_MODULE);
    REF(1, "b.js", "b.js", KB_REF_HTML_SCRIPT);
}

static void
t_script_other_type_src(void)
{
    /* Consent managers switch type="text/plain" to JS later: still a file. */
    KT_EQ_INT(scan("<script type=\"text/plain\" src=\"later.js\"></script>"), 0);
    KT_EQ_INT(L.n, 1);
    REF(0, "later.js", "later.js", KB_REF_HTML_SCRIPT);
}

static void
t_link_stylesheet_any_order(void)
{
    KT_EQ_INT(scan("<link rel=stylesheet href=a.css><link href='b.css' rel=\"STYLESHEET\">"), 0);
    KT_EQ_INT(L.n, 2);
    REF(0, "a.css", "a.css", KB_REF_HTML_STYLESHEET);
    REF(1, "b.css", "b.css", KB_REF_HTML_STYLESHEET);
    KT_EQ_INT(L.v[0].tag_end, at("><link"));
    KT_EQ_INT(L.v[1].tag_end, strlen(S) - 1);
}

static void
t_link_modulepreload(void)
{
    KT_EQ_INT(scan("<link rel=\"modulepreload\" href=\"/dep.js\">"), 0);
    KT_EQ_INT(L.n, 1);
    REF(0, "/dep.js", "/dep.js", KB_REF_HTML_MODULEPRELOAD);
}

static void
t_link_preload_as(void)
{
    KT_EQ_INT(scan("<link rel=preload as=\" Font \" href=f.woff2 crossorigin>"
                   "<link rel=prefetch href=next.js>"),
              0);
    KT_EQ_INT(L.n, 2);
    REF(0, "f.woff2", "f.woff2", KB_REF_HTML_PRELOAD);
    KT_EQ_STR(L.v[0].as, "font");
    KT_EQ_INT(L.v[0].flags, KB_REF_F_HAS_CROSSORIGIN);
    REF(1, "next.js", "next.js", KB_REF_HTML_PRELOAD);
    KT_EQ_STR(L.v[1].as, "");
}

static void
t_link_hint_facts(void)
{
    KT_EQ_INT(
        scan("<link rel=\"preload stylesheet\" as=style href=s.css crossorigin=use-credentials>"
             "<link rel=\"prefetch\" href=n.js>"
             "<link rel=preload as=font type=\" Font/WOFF2 \" media=\"(min-width: 1px)\" "
             "href=f.woff2>"
             "<link rel=preload as=image type=\"image/x-a-type-too-long-to-keep-whole\" "
             "href=i.png>"),
        0);
    KT_EQ_INT(L.n, 4);
    REF(0, "s.css", "s.css", KB_REF_HTML_STYLESHEET);
    KT_EQ_INT(L.v[0].flags,
              KB_REF_F_ALSO_PRELOAD | KB_REF_F_HAS_CROSSORIGIN | KB_REF_F_CORS_CREDENTIALS);
    REF(1, "n.js", "n.js", KB_REF_HTML_PRELOAD);
    KT_EQ_INT(L.v[1].flags, KB_REF_F_PREFETCH);
    REF(2, "f.woff2", "f.woff2", KB_REF_HTML_PRELOAD);
    KT_EQ_INT(L.v[2].flags, KB_REF_F_TYPED | KB_REF_F_MEDIA);
    KT_EQ_STR(L.v[2].type, "font/woff2");
    KT_EQ_INT(L.v[3].flags, KB_REF_F_TYPED);
    KT_EQ_STR(L.v[3].type, "");
}

static void
t_link_preload_imagesrcset(void)
{
    KT_EQ_INT(scan("<link rel=preload as=image href=a.png imagesrcset=\"a.png 1x, b.png 2x\">"), 0);
    KT_EQ_INT(L.n, 3);
    REF(0, "a.png", "a.png", KB_REF_HTML_PRELOAD);
    REF(2, "b.png", "b.png", KB_REF_HTML_PRELOAD);
    KT_EQ_STR(L.v[2].as, "image");
    KT_EQ_INT(L.v[2].flags, KB_REF_F_SRCSET);
}

static void
t_link_icons(void)
{
    KT_EQ_INT(scan("<link rel=icon href=a.ico><link rel=\"shortcut icon\" href=b.ico>"
                   "<link rel=apple-touch-icon href=c.png>"
                   "<link rel=apple-touch-icon-precomposed href=d.png>"
                   "<link rel=mask-icon href=e.svg color=red>"),
              0);
    KT_EQ_INT(L.n, 5);
    REF(0, "a.ico", "a.ico", KB_REF_HTML_ICON);
    REF(1, "b.ico", "b.ico", KB_REF_HTML_ICON);
    REF(2, "c.png", "c.png", KB_REF_HTML_ICON);
    REF(3, "d.png", "d.png", KB_REF_HTML_ICON);
    REF(4, "e.svg", "e.svg", KB_REF_HTML_ICON);
}

static void
t_link_manifest(void)
{
    KT_EQ_INT(scan("<link rel=manifest href=site.webmanifest>"), 0);
    KT_EQ_INT(L.n, 1);
    REF(0, "site.webmanifest", "site.webmanifest", KB_REF_HTML_MANIFEST);
}

static void
t_link_other_rels(void)
{
    KT_EQ_INT(scan("<link rel=canonical href=/a><link rel=alternate href=/feed.xml>"
                   "<link rel=preconnect href=https://x><link rel=dns-prefetch href=//y>"
                   "<link rel=next href=/2><link href=norel.css>"),
              0);
    KT_EQ_INT(L.n, 0);
}

static void
t_link_alternate_stylesheet(void)
{
    KT_EQ_INT(scan("<link rel=\"alternate stylesheet\" href=dark.css>"), 0);
    KT_EQ_INT(L.n, 1);
    REF(0, "dark.css", "dark.css", KB_REF_HTML_STYLESHEET);
}

static void
t_img_src_srcset_order(void)
{
    KT_EQ_INT(scan("<img srcset=\"a.png 1x, b.png 2x\" alt=x src=\"c.png\">"), 0);
    KT_EQ_INT(L.n, 3);
    REF(0, "a.png", "a.png", KB_REF_HTML_IMAGE);
    REF(1, "b.png", "b.png", KB_REF_HTML_IMAGE);
    REF(2, "c.png", "c.png", KB_REF_HTML_IMAGE);
    KT_EQ_INT(L.v[0].flags, KB_REF_F_SRCSET);
    KT_EQ_INT(L.v[2].flags, 0);
    KT_EQ_INT(L.v[0].tag_end, strlen(S) - 1);
    KT_EQ_INT(L.v[2].tag_end, strlen(S) - 1);
}

static void
t_picture_source(void)
{
    KT_EQ_INT(scan("<picture><source srcset=\"a.avif 1x, a2.avif 2x\" type=image/avif>"
                   "<img src=a.jpg></picture>"),
              0);
    KT_EQ_INT(L.n, 3);
    REF(0, "a.avif", "a.avif", KB_REF_HTML_IMAGE);
    REF(1, "a2.avif", "a2.avif", KB_REF_HTML_IMAGE);
    REF(2, "a.jpg", "a.jpg", KB_REF_HTML_IMAGE);
}

static void
t_video_audio_source(void)
{
    KT_EQ_INT(scan("<video poster=p.jpg controls><source src=v.webm type=video/webm>"
                   "<track src=subs.vtt kind=captions></video>"
                   "<audio><source src=a.ogg></audio>"),
              0);
    KT_EQ_INT(L.n, 4);
    REF(0, "p.jpg", "p.jpg", KB_REF_HTML_IMAGE);
    REF(1, "v.webm", "v.webm", KB_REF_HTML_MEDIA);
    REF(2, "subs.vtt", "subs.vtt", KB_REF_HTML_MEDIA);
    REF(3, "a.ogg", "a.ogg", KB_REF_HTML_MEDIA);
}

static void
t_source_after_picture_closed(void)
{
    KT_EQ_INT(scan("<video><picture></picture><source src=v.mp4></video>"
                   "<picture><source src=i.png></picture>"),
              0);
    KT_EQ_INT(L.n, 2);
    REF(0, "v.mp4", "v.mp4", KB_REF_HTML_MEDIA);
    REF(1, "i.png", "i.png", KB_REF_HTML_IMAGE);
}

static void
t_media_elements(void)
{
    KT_EQ_INT(scan("<video src=v.mp4 poster=p.png></video><audio src=a.mp3></audio>"
                   "<embed src=e.swf><object data=o.svg></object>"),
              0);
    KT_EQ_INT(L.n, 5);
    REF(0, "v.mp4", "v.mp4", KB_REF_HTML_MEDIA);
    REF(1, "p.png", "p.png", KB_REF_HTML_IMAGE);
    REF(2, "a.mp3", "a.mp3", KB_REF_HTML_MEDIA);
    REF(3, "e.swf", "e.swf", KB_REF_HTML_MEDIA);
    REF(4, "o.svg", "o.svg", KB_REF_HTML_MEDIA);
}

static void
t_input_image(void)
{
    KT_EQ_INT(scan("<input type=IMAGE src=go.png><input type=text src=no.png><input src=no2.png>"),
              0);
    KT_EQ_INT(L.n, 1);
    REF(0, "go.png", "go.png", KB_REF_HTML_IMAGE);
}

static void
t_svg_image_use(void)
{
    KT_EQ_INT(scan("<svg><image href=\"i.png\"/><image xlink:href=\"j.png\"/>"
                   "<use href=\"#local\"/><use xlink:href=\"sprite.svg#icon\"/></svg>"),
              0);
    KT_EQ_INT(L.n, 3);
    REF(0, "i.png", "i.png", KB_REF_HTML_IMAGE);
    REF(1, "j.png", "j.png", KB_REF_HTML_IMAGE);
    REF(2, "sprite.svg#icon", "sprite.svg#icon", KB_REF_HTML_IMAGE);
    KT_EQ_INT(L.v[0].tag_end, at("/><image"));
}

static void
t_use_outside_svg(void)
{
    KT_EQ_INT(scan("<use href=a.svg><svg></svg><image href=b.png><image src=c.png>"), 0);
    KT_EQ_INT(L.n, 1);
    REF(0, "c.png", "c.png", KB_REF_HTML_IMAGE);
}

static void
t_meta(void)
{
    KT_EQ_INT(scan("<meta property=\"og:image\" content=\"/og.png\">"
                   "<meta content=\"/tw.png\" name=\"twitter:image\">"
                   "<meta name=msapplication-TileImage content=tile.png>"
                   "<meta name=msapplication-config content=browserconfig.xml>"
                   "<meta name=description content=\"not/a/ref.png\">"
                   "<meta property=og:title content=x.png>"),
              0);
    KT_EQ_INT(L.n, 4);
    REF(0, "/og.png", "/og.png", KB_REF_HTML_META);
    REF(1, "/tw.png", "/tw.png", KB_REF_HTML_META);
    REF(2, "tile.png", "tile.png", KB_REF_HTML_META);
    REF(3, "browserconfig.xml", "browserconfig.xml", KB_REF_HTML_META);
}

static void
t_quote_styles(void)
{
    KT_EQ_INT(scan("<img src=\"a b.png\"><img src='c\"d.png'><img src=e.png alt>"), 0);
    KT_EQ_INT(L.n, 3);
    REF(0, "a b.png", "a b.png", KB_REF_HTML_IMAGE);
    REF(1, "c\"d.png", "c\"d.png", KB_REF_HTML_IMAGE);
    REF(2, "e.png", "e.png", KB_REF_HTML_IMAGE);
}

static void
t_self_closing_tag_end(void)
{
    KT_EQ_INT(scan("<img src=\"a.png\" />"), 0);
    KT_EQ_INT(L.n, 1);
    KT_EQ_INT(L.v[0].tag_end, at("/>"));
}

static void
t_unquoted_slash(void)
{
    /* An unquoted value runs to whitespace or '>': the '/' is part of it. */
    KT_EQ_INT(scan("<img src=dir/>"), 0);
    KT_EQ_INT(L.n, 1);
    REF(0, "dir/", "dir/", KB_REF_HTML_IMAGE);
    KT_EQ_INT(L.v[0].tag_end, strlen(S) - 1);
}

static void
t_uppercase(void)
{
    KT_EQ_INT(scan("<IMG SRC=\"A.PNG\"><Script SRC=b.js></SCRIPT><LINK REL=Icon HREF=f.ico>"), 0);
    KT_EQ_INT(L.n, 3);
    REF(0, "A.PNG", "A.PNG", KB_REF_HTML_IMAGE);
    REF(1, "b.js", "b.js", KB_REF_HTML_SCRIPT);
    REF(2, "f.ico", "f.ico", KB_REF_HTML_ICON);
}

static void
t_valueless_and_empty(void)
{
    KT_EQ_INT(scan("<img src><img src=\"\"><img src=\"   \"><img src=>"), 0);
    KT_EQ_INT(L.n, 0);
}

static void
t_no_whitespace_between_attributes(void)
{
    KT_EQ_INT(scan("<img alt=\"a\"src=\"b.png\">"), 0);
    KT_EQ_INT(L.n, 1);
    REF(0, "b.png", "b.png", KB_REF_HTML_IMAGE);
}

static void
t_duplicate_attribute(void)
{
    KT_EQ_INT(scan("<img src=first.png SRC=second.png>"), 0);
    KT_EQ_INT(L.n, 1);
    REF(0, "first.png", "first.png", KB_REF_HTML_IMAGE);
}

static void
t_entities(void)
{
    KT_EQ_INT(scan("<link rel=stylesheet href=\"a.css?x=1&amp;y=2\">"
                   "<img src=\"&#47;i&#x2F;b&period;png\">"
                   "<img src=\"c.png?a=1&amp=2&unknown;&amp\">"),
              0);
    KT_EQ_INT(L.n, 3);
    REF(0, "a.css?x=1&amp;y=2", "a.css?x=1&y=2", KB_REF_HTML_STYLESHEET);
    REF(1, "&#47;i&#x2F;b&period;png", "/i/b.png", KB_REF_HTML_IMAGE);
    REF(2, "c.png?a=1&amp=2&unknown;&amp", "c.png?a=1&amp=2&unknown;&", KB_REF_HTML_IMAGE);
}

static void
t_whitespace_trimmed(void)
{
    KT_EQ_INT(scan("<img src=\"  a.png \n\">"), 0);
    KT_EQ_INT(L.n, 1);
    REF(0, "a.png", "a.png", KB_REF_HTML_IMAGE);
    KT_EQ_INT(L.v[0].start, 12);
}

static void
t_flags(void)
{
    KT_EQ_INT(scan("<script src=a.js integrity=\"sha384-x\" crossorigin=anonymous></script>"
                   "<link rel=stylesheet href=b.css data-kiln-no-integrity>"
                   "<img srcset=\"c.png 2x\" CROSSORIGIN>"),
              0);
    KT_EQ_INT(L.n, 3);
    KT_EQ_INT(L.v[0].flags, KB_REF_F_HAS_INTEGRITY | KB_REF_F_HAS_CROSSORIGIN);
    KT_EQ_INT(L.v[1].flags, KB_REF_F_NO_INTEGRITY);
    KT_EQ_INT(L.v[2].flags, KB_REF_F_SRCSET | KB_REF_F_HAS_CROSSORIGIN);
}

static void
t_comment(void)
{
    KT_EQ_INT(scan("<!-- <img src=a.png> --><!--[if IE]><link rel=stylesheet href=ie.css>"
                   "<![endif]--><!-- x --!><img src=b.png>"),
              0);
    KT_EQ_INT(L.n, 1);
    REF(0, "b.png", "b.png", KB_REF_HTML_IMAGE);
}

static void
t_abrupt_comments(void)
{
    KT_EQ_INT(scan("<!--><img src=a.png><!---><img src=b.png><!----><img src=c.png>"), 0);
    KT_EQ_INT(L.n, 3);
    REF(2, "c.png", "c.png", KB_REF_HTML_IMAGE);
}

static void
t_doctype_and_bogus(void)
{
    KT_EQ_INT(scan("<!DOCTYPE html><?xml version=\"1.0\"?><!x <img src=a.png>"
                   "<![CDATA[ <img src=b.png> ]]></3 <img src=c.png><img src=d.png>"),
              0);
    KT_EQ_INT(L.n, 1);
    REF(0, "d.png", "d.png", KB_REF_HTML_IMAGE);
}

static void
t_svg_cdata(void)
{
    KT_EQ_INT(scan("<svg><![CDATA[ a > b <image href=x.png> ]]><image href=\"y.png\"/></svg>"), 0);
    KT_EQ_INT(L.n, 1);
    REF(0, "y.png", "y.png", KB_REF_HTML_IMAGE);
}

static void
t_script_end_split(void)
{
    KT_EQ_INT(scan("<script>var s = \"</scr\" + \"ipt>\"; var t = '<img src=x.png>';</script>"
                   "<img src=after.png>"),
              0);
    KT_EQ_INT(L.n, 1);
    REF(0, "after.png", "after.png", KB_REF_HTML_IMAGE);
}

static void
t_script_not_end_tag(void)
{
    KT_EQ_INT(scan("<script>a = '</scripts>'; b = '<img src=x.png>'</script ><img src=y.png>"), 0);
    KT_EQ_INT(L.n, 1);
    REF(0, "y.png", "y.png", KB_REF_HTML_IMAGE);
}

static void
t_script_double_escaped(void)
{
    KT_EQ_INT(scan("<script type=text/x-old><!-- document.write(\"<script>x()</script>\")"
                   " <img src=in.png> --></script><img src=out.png>"),
              0);
    KT_EQ_INT(L.n, 1);
    REF(0, "out.png", "out.png", KB_REF_HTML_IMAGE);
}

static void
t_script_src_content_ignored(void)
{
    KT_EQ_INT(scan("<script src=a.js>import x from './no.js'</script>"), 0);
    KT_EQ_INT(L.n, 1);
    REF(0, "a.js", "a.js", KB_REF_HTML_SCRIPT);
}

static void
t_script_data_block(void)
{
    KT_EQ_INT(scan("<script type=importmap>{\"imports\":{\"a\":\"/a.js\"}}</script>"
                   "<script type=\"application/json\">{\"x\": \"import y from './y.js'\"}</script>"
                   "<script type=text/template><img src=t.png></script>"),
              0);
    KT_EQ_INT(L.n, 0);
}

static void
t_inline_module_script(void)
{
    KT_EQ_INT(scan("<p>\n<script type=\"module\">\nimport { a } from './a.js';\n</script>"), 0);
    KT_EQ_INT(L.n, 1);
    REF(0, "./a.js", "./a.js", KB_REF_JS_IMPORT);
    KT_CHECK(L.v[0].flags & KB_REF_F_INLINE);
    KT_EQ_INT(L.v[0].line, 3);
    KT_EQ_INT(L.v[0].tag_end, 0);
}

static void
t_inline_style(void)
{
    KT_EQ_INT(scan("<style>\nbody { background: url(bg.png) }\n</style>"
                   "<style type=text/less>a { b: url(no.png) }</style>"),
              0);
    KT_EQ_INT(L.n, 1);
    REF(0, "bg.png", "bg.png", KB_REF_CSS_URL);
    KT_CHECK(L.v[0].flags & KB_REF_F_INLINE);
    KT_EQ_INT(L.v[0].line, 2);
}

static void
t_style_attribute(void)
{
    KT_EQ_INT(scan("<div\n style=\"background: url('hero.jpg')\" data-x=1><img src=a.png "
                   "style=\"list-style: url(dot.svg)\"></div>"),
              0);
    KT_EQ_INT(L.n, 3);
    REF(0, "hero.jpg", "hero.jpg", KB_REF_CSS_URL);
    KT_CHECK(L.v[0].flags & KB_REF_F_INLINE);
    KT_EQ_INT(L.v[0].line, 2);
    REF(1, "a.png", "a.png", KB_REF_HTML_IMAGE);
    REF(2, "dot.svg", "dot.svg", KB_REF_CSS_URL);
}

static void
t_textarea_title(void)
{
    KT_EQ_INT(scan("<title><img src=t.png></title><textarea><img src=x.png>"
                   "<!-- </TEXTAREA><img src=y.png>"),
              0);
    KT_EQ_INT(L.n, 1);
    REF(0, "y.png", "y.png", KB_REF_HTML_IMAGE);
}

static void
t_textarea_unclosed(void)
{
    KT_EQ_INT(scan("<textarea><img src=x.png>"), 0);
    KT_EQ_INT(L.n, 0);
}

static void
t_noscript(void)
{
    KT_EQ_INT(scan("<noscript><img src=pixel.gif></noscript>"), 0);
    KT_EQ_INT(L.n, 1);
    REF(0, "pixel.gif", "pixel.gif", KB_REF_HTML_IMAGE);
}

static void
t_plaintext(void)
{
    KT_EQ_INT(scan("<plaintext></plaintext><img src=x.png>"), 0);
    KT_EQ_INT(L.n, 0);
}

static void
t_tolerated(void)
{
    KT_EQ_INT(scan("a < b <3 </p></> <unknown-tag foo=bar></nope><p>x<img src=a.png> <"), 0);
    KT_EQ_INT(L.n, 1);
    REF(0, "a.png", "a.png", KB_REF_HTML_IMAGE);
    KT_EQ_INT(scan("x </"), 0);
    KT_EQ_INT(scan(""), 0);
    KT_EQ_INT(L.n, 0);
}

static void
t_lines(void)
{
    KT_EQ_INT(scan("<html>\n<head>\n<link rel=stylesheet\n  href=a.css>\n</head>\r\n"
                   "<body><img\nsrcset=\"b.png 1x,\nc.png 2x\">"),
              0);
    KT_EQ_INT(L.n, 3);
    KT_EQ_INT(L.v[0].line, 4);
    KT_EQ_INT(L.v[1].line, 7);
    KT_EQ_INT(L.v[2].line, 8);
}

static void
t_err_comment(void)
{
    KT_EQ_INT(scan("<p>\n\n<!-- <img src=a.png>\n"), KC_EPARSE);
    KT_EQ_INT(D.line, 3);
    KT_EQ_INT(D.col, 1);
    KT_CHECK(strstr(D.msg, "comment") != NULL);
}

static void
t_err_eof_in_tag(void)
{
    KT_EQ_INT(scan("<p>\n<img src=a.png alt=x"), KC_EPARSE);
    KT_EQ_INT(D.line, 2);
    KT_EQ_INT(scan("<a"), KC_EPARSE);
    KT_EQ_INT(scan("</div\n"), KC_EPARSE);
    KT_EQ_INT(D.line, 1);
}

static void
t_err_eof_in_quoted(void)
{
    KT_EQ_INT(scan("<p>\n<img alt=\"x\"\n src='a.png>\n<p>\n"), KC_EPARSE);
    KT_EQ_INT(D.line, 3);
    KT_EQ_INT(D.col, 6);
}

static void
t_err_script_style(void)
{
    KT_EQ_INT(scan("<p>\n<script>\nvar a = 1;\n"), KC_EPARSE);
    KT_EQ_INT(D.line, 2);
    KT_CHECK(strstr(D.msg, "script") != NULL);
    KT_EQ_INT(scan("\n\n<style>a{}</styl"), KC_EPARSE);
    KT_EQ_INT(D.line, 3);
    KT_EQ_INT(scan("<script><!-- <script></script>"), KC_EPARSE);
}

static void
t_err_declaration(void)
{
    KT_EQ_INT(scan("<!DOCTYPE html"), KC_EPARSE);
    KT_EQ_INT(scan("x\n<?xml"), KC_EPARSE);
    KT_EQ_INT(D.line, 2);
}

static void
t_err_inline_css(void)
{
    KT_EQ_INT(scan("<p>\n<style>\na{}\n/* open\n</style>"), KC_EPARSE);
    KT_EQ_INT(D.line, 4);
    KT_EQ_INT(scan("<p>\n\n<script type=module>\nlet s = `open\n</script>"), KC_EPARSE);
    KT_EQ_INT(D.line, 4);
}

static void
t_nul_bytes(void)
{
    /* "img\0" is another tag name, as the tokenizer makes it "img\uFFFD". */
    static const char s[] = "<img\0 src=a.png><img src=\"b\0.png\">";
    kb_reflist_free(&L);
    S = s;
    KT_EQ_INT(kb_html_scan(s, sizeof s - 1, &L, &D), 0);
    KT_EQ_INT(L.n, 1);
    KT_EQ_INT(L.v[0].end - L.v[0].start, 6);
}

static void
t_astro_island_module_urls(void)
{
    /* Astro writes the island's module URLs in attributes its runtime hands
     * to import(); props, opts and the other attributes are not URLs. */
    KT_EQ_INT(scan("<astro-island uid=\"Z1\" component-url=\"/_astro/Counter.B2x_9aQe.js\"\n"
                   " component-export=\"default\" renderer-url='/_astro/client.Dq7sLm3k.js'\n"
                   " props=\"{&quot;u&quot;:[0,&quot;/x.js&quot;]}\" ssr client=\"load\"\n"
                   " before-hydration-url=/_astro/bh.js>\n"
                   "<button>0</button></astro-island>"),
              0);
    KT_EQ_INT(L.n, 3);
    REF(0, "/_astro/Counter.B2x_9aQe.js", "/_astro/Counter.B2x_9aQe.js", KB_REF_HTML_ISLAND);
    REF(1, "/_astro/client.Dq7sLm3k.js", "/_astro/client.Dq7sLm3k.js", KB_REF_HTML_ISLAND);
    REF(2, "/_astro/bh.js", "/_astro/bh.js", KB_REF_HTML_ISLAND);
    KT_EQ_INT(L.v[1].line, 2);
    KT_EQ_INT(L.v[2].line, 4);
    KT_EQ_INT(L.v[0].flags, 0);
    KT_EQ_INT(L.v[2].tag_end, at(">\n<button"));
}

static void
t_astro_island_attributes_elsewhere(void)
{
    /* Only <astro-island> has them (any case, any order, entities decoded);
     * an empty value names no module; <astro-slot> and other elements with
     * the same attribute names are not islands. */
    KT_EQ_INT(
        scan("<ASTRO-ISLAND Renderer-Url=\"/r.js\" COMPONENT-URL=\"/c&#46;js\"></ASTRO-ISLAND>"
             "<astro-island component-url=\"\" renderer-url></astro-island>"
             "<astro-slot component-url=/s.js></astro-slot>"
             "<div component-url=/d.js renderer-url=/e.js></div>"
             "<svg><astro-island component-url=/v.js></astro-island></svg>"),
        0);
    KT_EQ_INT(L.n, 2);
    REF(0, "/r.js", "/r.js", KB_REF_HTML_ISLAND);
    REF(1, "/c&#46;js", "/c.js", KB_REF_HTML_ISLAND);
}

static void
t_module_start_island(void)
{
    /* The import map must come before the first island, which may import()
     * as soon as it is parsed, and before the first module script. */
    const char *doc = "<p>x</p><astro-island component-url=/c.js></astro-island>"
                      "<script type=module src=/m.js></script>";
    size_t pos = 0;
    bool own = true;
    KT_EQ_INT(kb_html_module_start(doc, strlen(doc), &pos, &own), 0);
    KT_EQ_INT(pos, (size_t)(strstr(doc, "<astro-island") - doc));
    KT_CHECK(!own);
    const char *plain = "<astro-island ssr></astro-island><script type=module src=/m.js></script>";
    KT_EQ_INT(kb_html_module_start(plain, strlen(plain), &pos, &own), 0);
    KT_EQ_INT(pos, (size_t)(strstr(plain, "<script") - plain));
    const char *none = "<astro-island ssr></astro-island>";
    KT_EQ_INT(kb_html_module_start(none, strlen(none), &pos, &own), 1);
}

int
main(void)
{
    KT_RUN(t_script_src, "script src is a classic script ref with tag_end at '>'");
    KT_RUN(t_script_module_src, "script type=module src is a module ref");
    KT_RUN(t_script_other_type_src, "script src with another type is still a script ref");
    KT_RUN(t_link_stylesheet_any_order, "link stylesheet is found whatever the attribute order");
    KT_RUN(t_link_modulepreload, "link rel=modulepreload is a modulepreload ref");
    KT_RUN(t_link_preload_as, "link rel=preload/prefetch fills as, lowercased and trimmed");
    KT_RUN(t_link_hint_facts, "a link tells what a preload hint needs: rel=\"preload "
                              "stylesheet\", prefetch, use-credentials, media, type");
    KT_RUN(t_link_preload_imagesrcset, "link preload imagesrcset gives srcset refs");
    KT_RUN(t_link_icons, "every icon rel is an icon ref");
    KT_RUN(t_link_manifest, "link rel=manifest is a manifest ref");
    KT_RUN(t_link_other_rels, "canonical, alternate, preconnect, next links are not refs");
    KT_RUN(t_link_alternate_stylesheet, "rel=\"alternate stylesheet\" is a stylesheet");
    KT_RUN(t_img_src_srcset_order, "img srcset and src come out in attribute order");
    KT_RUN(t_picture_source, "source srcset inside picture is an image ref");
    KT_RUN(t_video_audio_source, "source src inside video or audio is a media ref");
    KT_RUN(t_source_after_picture_closed, "source takes its kind from the innermost open parent");
    KT_RUN(t_media_elements, "video, audio, embed and object URLs are media refs");
    KT_RUN(t_input_image, "only input type=image src is a ref");
    KT_RUN(t_svg_image_use, "svg image/use href and xlink:href are refs, #fragments not");
    KT_RUN(t_use_outside_svg, "use/image href outside svg are not refs; <image src> is an img");
    KT_RUN(t_meta, "meta content of og:image, twitter:image, msapplication-* is a ref");
    KT_RUN(t_astro_island_module_urls,
           "astro-island component-url, renderer-url, before-hydration-url are island refs");
    KT_RUN(t_astro_island_attributes_elsewhere,
           "island URL attributes count only on astro-island outside svg, and only when not empty");
    KT_RUN(t_module_start_island, "an import map goes before the first island with a module URL");
    KT_RUN(t_quote_styles, "double, single and unquoted values give exact spans");
    KT_RUN(t_self_closing_tag_end, "tag_end of a self-closing tag is the '/' of />");
    KT_RUN(t_unquoted_slash, "an unquoted value keeps a trailing '/' as browsers do");
    KT_RUN(t_uppercase, "tag and attribute names are case-insensitive");
    KT_RUN(t_valueless_and_empty, "empty or valueless URL attributes give no ref");
    KT_RUN(t_no_whitespace_between_attributes, "attributes without whitespace between are read");
    KT_RUN(t_duplicate_attribute, "a duplicate attribute is ignored as browsers do");
    KT_RUN(t_entities, "character references: span raw, url decoded, unknown kept");
    KT_RUN(t_whitespace_trimmed, "whitespace around a URL is outside the span and the url");
    KT_RUN(t_flags, "integrity, crossorigin and data-kiln-no-integrity set flags");
    KT_RUN(t_comment, "URL inside an HTML comment is not a reference");
    KT_RUN(t_abrupt_comments, "<!--> and <!---> end at once");
    KT_RUN(t_doctype_and_bogus, "doctype, <?..>, <!..> and </3..> are skipped to '>'");
    KT_RUN(t_svg_cdata, "CDATA inside svg runs to ]]>");
    KT_RUN(t_script_end_split, "script text with \"</scr\" + \"ipt>\" and tags yields no refs");
    KT_RUN(t_script_not_end_tag, "</scripts> does not end a script, </script > does");
    KT_RUN(t_script_double_escaped, "<!-- <script></script> --> inside a script is skipped");
    KT_RUN(t_script_src_content_ignored, "the content of a script with src is not scanned");
    KT_RUN(t_script_data_block, "importmap, JSON and template scripts are not scanned");
    KT_RUN(t_inline_module_script, "inline module script imports are inline refs");
    KT_RUN(t_inline_style, "inline <style> url()s are inline refs; other types skipped");
    KT_RUN(t_style_attribute, "style=\"\" url()s are inline refs in attribute order");
    KT_RUN(t_textarea_title, "tags inside textarea and title are not refs");
    KT_RUN(t_textarea_unclosed, "an unclosed textarea swallows the rest without error");
    KT_RUN(t_noscript, "noscript content is scanned");
    KT_RUN(t_plaintext, "plaintext swallows the rest of the file");
    KT_RUN(t_tolerated, "stray <, stray end tags and unknown tags are not errors");
    KT_RUN(t_lines, "refs carry the line of their span start");
    KT_RUN(t_err_comment, "an unterminated comment is an error on its line");
    KT_RUN(t_err_eof_in_tag, "end of file inside a tag is an error on the tag's line");
    KT_RUN(t_err_eof_in_quoted, "an unterminated quoted value is an error at its quote");
    KT_RUN(t_err_script_style, "unterminated script or style is an error at its start tag");
    KT_RUN(t_err_declaration, "an unterminated doctype or <? is an error");
    KT_RUN(t_err_inline_css, "errors of inline CSS and JS keep their file line");
    KT_RUN(t_nul_bytes, "NUL bytes are ordinary bytes");
    kb_reflist_free(&L);
    return kt_done();
}
