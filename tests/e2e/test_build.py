"""End-to-end tests of kiln-build: real builds of site-example/ and of small
sites made here, checked from the outside (files on disk, decompressors, an
HTML parser of Python's standard library), never through kiln's own code."""
import base64
import hashlib
import html.parser
import json
import os
import re
import signal
import subprocess
import time
import urllib.parse

from kt import (KILN_BUILD, SITE, build, by_source, decode, help_and_reference, kiln_build, manifest,
                read, run_all, test, tree, write)

HASHED = re.compile(r"\.[0-9a-f]{10}\.")


# ---- an independent reference checker ------------------------------------

class Attrs(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.urls, self.inline = [], []
        self._raw = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for name in ("src", "href", "poster", "data"):
            if a.get(name) and not (tag == "a" or (tag == "link" and "canonical" in (a.get("rel") or ""))):
                self.urls.append(a[name])
        if a.get("srcset"):
            for cand in a["srcset"].split(","):
                if cand.strip():
                    self.urls.append(cand.split()[0])
        if tag == "meta" and a.get("content") and (a.get("property") or a.get("name") or "").startswith(("og:image", "twitter:image")):
            self.urls.append(a["content"])
        if a.get("style"):
            self.inline.append(a["style"])
        self._raw = tag if tag in ("style", "script") else None

    def handle_data(self, data):
        if self._raw:
            self.inline.append(data)


CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")\s]+)\1\s*\)|@import\s+(['"])([^'"]+)\3""")
JS_URL = re.compile(r"""(?:\bfrom\s*|\bimport\s*\(?\s*|new\s+URL\(\s*)(['"])([^'"\n]+)\1""")
MAP_URL = re.compile(r"""sourceMappingURL=(\S+?)(?:\s*\*/)?\s*$""", re.M)


DOC_COMMENT = re.compile(r"^\s*/\*.*?\*/|^\s*//[^\n]*", re.M | re.S)


def candidate_urls(rel, data):
    text = data.decode("utf-8", "replace")
    if not rel.endswith(".html"):
        # Comments that open a line are prose; a URL there names nothing.
        text = DOC_COMMENT.sub(lambda m: "" if "sourceMappingURL" not in m.group(0) else m.group(0), text)
    urls = []
    if rel.endswith(".html"):
        p = Attrs()
        p.feed(text)
        urls += p.urls
        for chunk in p.inline:
            urls += [m.group(2) or m.group(4) for m in CSS_URL.finditer(chunk)]
            urls += [m.group(2) for m in JS_URL.finditer(chunk)]
    elif rel.endswith(".css"):
        urls += [m.group(2) or m.group(4) for m in CSS_URL.finditer(text)]
        urls += MAP_URL.findall(text)
    elif rel.endswith((".js", ".mjs")):
        urls += [m.group(2) for m in JS_URL.finditer(text)]
        urls += MAP_URL.findall(text)
    return urls


def check_references(src, dist, base="/"):
    """Every URL in an output file that names a file of the source tree, or a
    fingerprinted name, must name a file of the output. Returns the count."""
    checked = 0
    out = tree(dist)
    for rel, (data, _) in out.items():
        if not rel.endswith((".html", ".css", ".js", ".mjs")):
            continue
        for url in candidate_urls(rel, data):
            u = urllib.parse.urlsplit(url)
            if u.scheme or u.netloc or not u.path:
                continue
            path = urllib.parse.unquote(u.path)
            if path.startswith(base):
                target = path[len(base):]
            elif path.startswith("/"):
                target = path[1:]
            else:
                target = os.path.normpath(os.path.join(os.path.dirname(rel), path))
            in_src = os.path.isfile(os.path.join(src, target))
            if not in_src and not HASHED.search(target):
                continue  # e.g. a URL in a comment that names nothing
            assert target in out, f"{rel}: '{url}' does not resolve in the release"
            checked += 1
    return checked


# ---- site-example ------------------------------------------------------------

@test("site-example builds, and every local reference in the release resolves")
def _(tmp):
    dist = os.path.join(tmp, "dist")
    build(SITE, dist)
    n = check_references(SITE, dist)
    assert n >= 20, f"only {n} references checked: the checker or the site is broken"


@test("every precompressed variant decompresses to the identity bytes")
def _(tmp):
    dist = os.path.join(tmp, "dist")
    build(SITE, dist)
    m = manifest(dist)
    seen = 0
    for url, e in m["files"].items():
        ident = read(dist, e["file"], "rb")
        for enc, v in e["encodings"].items():
            data = read(dist, v["file"], "rb")
            assert len(data) == v["size"], f"{v['file']}: size differs from the manifest"
            assert decode(enc, data) == ident, f"{v['file']} does not decode to {e['file']}"
            assert len(data) < len(ident), f"{v['file']} is not smaller"
            seen += 1
    assert seen >= 30, f"only {seen} variants"


@test("manifest: sizes, SRI, distinct strong ETags per variant, cache classes")
def _(tmp):
    dist = os.path.join(tmp, "dist")
    build(SITE, dist)
    m = manifest(dist)
    assert m["version"] == 1 and re.fullmatch(r"[0-9a-f]{16}", m["release"])
    etags = set()
    for url, e in m["files"].items():
        data = read(dist, e["file"], "rb")
        assert url == "/" + e["file"]
        assert e["size"] == len(data)
        sri = "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()
        assert e["integrity"] == sri, url
        assert re.fullmatch(r'"[0-9a-f]{24}"', e["etag"]), e["etag"]
        tags = [e["etag"]] + [v["etag"] for v in e["encodings"].values()]
        assert len(set(tags)) == len(tags), f"{url}: variants share an ETag"
        assert not etags & set(tags) or len(data) == 0, f"{url}: ETag reused across files"
        etags |= set(tags)
        hashed = bool(HASHED.search(e["file"]))
        if e["source"].endswith(".html") or e["source"] in ("robots.txt",):
            assert e["class"] == "revalidate" and e["file"] == e["source"], url
        if hashed:
            assert e["class"] == "immutable", url
    src = by_source(m)
    assert src["index.html"]["entry"] is True
    assert src["css/site.css"]["class"] == "immutable"
    assert HASHED.search(src["css/site.css"]["file"])
    assert src["site.webmanifest"]["file"] == "site.webmanifest", "a linked manifest keeps its URL"
    assert "br" not in src[[s for s in src if s.endswith(".woff2")][0]]["encodings"], \
        "woff2 is already compressed"


@test("entry documents list exactly their own preload and modulepreload tags (preload hints)")
def _(tmp):
    dist = os.path.join(tmp, "dist")
    build(SITE, dist)
    m = manifest(dist)
    src = by_source(m)
    pre = {p["url"]: p for p in src["index.html"]["preload"]}
    font = "/" + src["fonts/dejavu-serif-bold.woff2"]["file"]
    menu = "/" + src["data/menu.json"]["file"]
    # Its tags, as the page carries them.
    assert pre[font] == {"url": font, "rel": "preload", "as": "font", "crossorigin": "anonymous",
                         "type": "font/woff2"}, pre[font]
    assert pre[menu] == {"url": menu, "rel": "preload", "as": "fetch",
                         "crossorigin": "anonymous"}, pre[menu]
    page = read(dist, "index.html")
    mods = [p for p in pre.values() if p["rel"] == "modulepreload"]
    assert mods, pre
    for p in mods:
        # kiln gives the modulepreload tag integrity and crossorigin: so the hint.
        entry = m["files"][p["url"]]
        assert p["integrity"] == entry["integrity"] and p["crossorigin"] == "anonymous", p
        tag = (r'<link rel="modulepreload" href="(\./)?' + re.escape(p["url"][1:]) +
               r'" integrity="' + re.escape(p["integrity"]) + r'" crossorigin>')
        assert re.search(tag, page), (p, page)
    # Not what the page does not ask to preload: its stylesheet and module
    # script (it loads them anyway), nor the stylesheet's other assets.
    for f in ("css/site.css", "js/main.js", "js/theme-init.js", "img/crust.png"):
        assert "/" + src[f]["file"] not in pre, f
    assert set(pre) == {font, menu} | {p["url"] for p in mods}, pre


@test("script and stylesheet tags get integrity and crossorigin; --no-integrity turns it off")
def _(tmp):
    dist = os.path.join(tmp, "dist")
    build(SITE, dist)
    m = manifest(dist)
    page = read(dist, "index.html")
    css = by_source(m)["css/site.css"]
    tag = re.search(r"<link[^>]*" + re.escape(css["file"].split("/")[-1]) + r"[^>]*>", page).group(0)
    assert f'integrity="{css["integrity"]}"' in tag and "crossorigin" in tag, tag
    build(SITE, dist, "--no-integrity")
    # No integrity attribute (the legacy fallback's inline script mentions the property).
    assert not re.search(r'<[^>]*\sintegrity="', read(dist, "index.html"))


@test("two builds of the same input are byte-identical, mtimes included")
def _(tmp):
    a, b = os.path.join(tmp, "a"), os.path.join(tmp, "b")
    build(SITE, a)
    kiln_build("-q", "-j", "1", "--cache-dir", os.path.join(tmp, "c"), "-o", b, SITE)
    ta, tb = tree(a), tree(b)
    assert sorted(ta) == sorted(tb)
    for k in ta:
        assert ta[k] == tb[k], f"{k} differs between builds"


@test("a second build with the cache compresses nothing")
def _(tmp):
    cache, dist = os.path.join(tmp, "cache"), os.path.join(tmp, "dist")
    kiln_build("-q", "--cache-dir", cache, "--report", os.path.join(tmp, "r1.json"), "-o", dist, SITE)
    kiln_build("-q", "--cache-dir", cache, "--report", os.path.join(tmp, "r2.json"), "-o", dist, SITE)
    r1 = json.loads(read(tmp, "r1.json"))["compression"]
    r2 = json.loads(read(tmp, "r2.json"))["compression"]
    assert r1["encoded"] > 0 and r1["cache_hits"] == 0, r1
    assert r2["encoded"] == 0 and r2["cache_hits"] == r1["encoded"], r2


@test("the report table and the JSON report agree on totals")
def _(tmp):
    dist = os.path.join(tmp, "dist")
    _, out, _ = kiln_build("--no-cache", "--report", os.path.join(tmp, "r.json"), "-o", dist, SITE)
    r = json.loads(read(tmp, "r.json"))
    assert re.search(r"^total\s", out, re.M), out
    assert r["totals"]["raw"] == sum(f["raw"] for f in r["files"])
    assert r["totals"]["br"] < r["totals"]["raw"]


@test("the report table shows every name whole: long names that differ near the end stay apart")
def _(tmp):
    src, dist = os.path.join(tmp, "src"), os.path.join(tmp, "dist")
    d = "assets/chunks-of-a-rather-long-directory-name/"
    long = [d + "vendor-react-dom-client-production-BXY74RQE.bundle.js",
            d + "vendor-react-dom-client-production-BXY74RQE.legacy.js"]
    write(src, "index.html", "".join(f'<script src="{p}"></script>' for p in long) +
          '<link rel="stylesheet" href="a.css">\n')
    for i, p in enumerate(long):
        write(src, p, f"console.log({i});\n")
    write(src, "a.css", "body { color: red }\n")
    _, out, _ = kiln_build("--no-cache", "--no-sw", "-o", dist, src)
    lines = out.splitlines()
    header, rows = lines[0], lines[1:-1]
    files = {e["file"] for e in manifest(dist)["files"].values()}
    for f in files:  # each name whole, at the start of a line of its own or of its row
        assert sum(1 for l in rows if l == f or l.startswith(f + " ")) == 1, (f, out)
    outs = [n for n in files if "BXY74RQE" in n]
    assert len(outs) == 2 and all(len(n) > 64 for n in outs), outs
    # Every figure sits under its heading: the rows end where the header does.
    figures = [l for l in rows if l.endswith("%")]
    assert len(figures) == len(files) + 1 and {len(l) for l in figures} == {len(header)}, out
    for n in outs:  # a name wider than the column: its figures on the next line
        i = lines.index(n)
        assert lines[i + 1].startswith(" " * 60) and lines[i + 1].endswith("%"), out
    assert re.search(r"^a\.[0-9a-f]{10}\.css +\d+ ", out, re.M), out


@test("a Vite-compatible .vite/manifest.json maps sources to outputs")
def _(tmp):
    dist = os.path.join(tmp, "dist")
    build(SITE, dist)
    v = json.loads(read(dist, ".vite/manifest.json"))
    m = by_source(manifest(dist))
    main = v["js/main.js"]
    assert main["file"] == m["js/main.js"]["file"] and main["src"] == "js/main.js"
    assert main.get("isEntry") is True
    assert any(v[k].get("isDynamicEntry") for k in main.get("dynamicImports", [])), main
    for k in main.get("imports", []):
        assert k in v


# ---- small sites made for one behaviour ------------------------------------------

def mini(root):
    write(root, "index.html", '<!doctype html><link rel="stylesheet" href="a.css">'
                              '<script type="module" src="js/b.js"></script><img src="img/p.svg">\n')
    write(root, "a.css", "body { background: url(img/p.svg) }\n" * 20)
    write(root, "img/p.svg", '<svg xmlns="http://www.w3.org/2000/svg"><rect width="1" height="1"/></svg>\n')
    # Valid modules (the bundler parses them), padded to be worth compressing.
    write(root, "js/b.js", "".join(f'import {{ c{i} }} from "./c.js";\nconsole.log(c{i});\n'
                                   for i in range(10)))
    write(root, "js/c.js", "".join(f"export const c{i} = 1;\n" for i in range(10)))
    write(root, "notes.txt", "nobody links to me\n")


def names(dist):
    return {e["source"]: e["file"] for e in manifest(dist)["files"].values()}


@test("changing one file renames it and its referrers only")
def _(tmp):
    src, d1, d2 = (os.path.join(tmp, x) for x in ("src", "d1", "d2"))
    mini(src)
    build(src, d1)
    write(src, "img/p.svg", '<svg xmlns="http://www.w3.org/2000/svg"><circle r="1"/></svg>\n')
    build(src, d2)
    n1, n2 = names(d1), names(d2)
    changed = {s for s in n1 if n1[s] != n2[s]}
    assert changed == {"img/p.svg", "a.css"}, changed
    assert read(d1, n1["js/c.js"], "rb") == read(d2, n2["js/c.js"], "rb")
    assert read(d1, "index.html") != read(d2, "index.html")


@test("unreferenced files keep their names and are revalidated")
def _(tmp):
    src, dist = os.path.join(tmp, "src"), os.path.join(tmp, "dist")
    mini(src)
    build(src, dist)
    e = manifest(dist)["files"]["/notes.txt"]
    assert e["file"] == "notes.txt" and e["class"] == "revalidate"


@test("an import cycle gets deterministic names, and a change renames the whole cycle")
def _(tmp):
    src = os.path.join(tmp, "src")
    write(src, "index.html", '<script type="module" src="a.js"></script>')
    write(src, "a.js", 'import { b } from "./b.js";\nexport const a = () => b();\n')
    write(src, "b.js", 'import { a } from "./a.js";\nexport const b = () => 1;\nexport { a };\n')
    outs = []
    # --no-bundle: this is about the names of modules served as they are (a
    # bundle would hold the whole cycle in one chunk).
    for i in range(2):
        d = os.path.join(tmp, f"d{i}")
        build(src, d, "--no-bundle")
        outs.append(names(d))
    assert outs[0] == outs[1]
    a = read(os.path.join(tmp, "d0"), outs[0]["a.js"])
    assert "./" + outs[0]["b.js"] in a, a
    b = read(os.path.join(tmp, "d0"), outs[0]["b.js"])
    assert "./" + outs[0]["a.js"] in b, b
    write(src, "a.js", 'import { b } from "./b.js";\nexport const a = () => b() + 1;\n')
    d = os.path.join(tmp, "d2")
    build(src, d, "--no-bundle")
    n = names(d)
    assert n["a.js"] != outs[0]["a.js"] and n["b.js"] != outs[0]["b.js"]


@test("a bundler's hashed output keeps its names and bytes; what it references keeps its name")
def _(tmp):
    src, dist = os.path.join(tmp, "src"), os.path.join(tmp, "dist")
    write(src, "index.html", '<script type="module" src="assets/index-B3xk9_Qa.js"></script>'
                             '<link rel="modulepreload" href="assets/page.md.BXY74RQE.lean.js">')
    index = 'import "./dep-Cq81LmZw.js";\nimport "./plain.js";\n'
    write(src, "assets/index-B3xk9_Qa.js", index)
    write(src, "assets/dep-Cq81LmZw.js", "console.log(1);\n")
    write(src, "assets/plain.js", "console.log(2);\n")
    write(src, "assets/page.md.BXY74RQE.lean.js", "console.log(3);\n")
    for args in (["--no-bundle"], []):
        build(src, dist, *args)
        n = names(dist)
        m = manifest(dist)["files"]
        for f in ("assets/index-B3xk9_Qa.js", "assets/dep-Cq81LmZw.js",
                  "assets/page.md.BXY74RQE.lean.js"):
            assert n[f] == f, (args, n)
            assert m["/" + f]["class"] == "immutable", (args, f)
        # index-B3xk9_Qa.js is never rewritten, so plain.js cannot be renamed:
        # it stays, served as a file whose name is not its version.
        assert read(dist, "assets/index-B3xk9_Qa.js") == index
        assert n["assets/plain.js"] == "assets/plain.js", n
        assert m["/assets/plain.js"]["class"] == "revalidate"


@test("names code may load without kiln seeing them stay: strings in JS, computed import() prefixes")
def _(tmp):
    src, dist = os.path.join(tmp, "src"), os.path.join(tmp, "dist")
    write(src, "index.html", '<script type="module" src="main.js"></script>'
                             '<link rel="modulepreload" href="pages/a.js">'
                             '<link rel="preload" as="fetch" href="data/menu.json" crossorigin>'
                             '<img src="img/logo.png">')
    write(src, "main.js", 'import "./util.js";\n'
                          'const p = location.hash.slice(1) || "a";\n'
                          'import(`./pages/${p}.js`);\n'
                          'fetch("/data/menu.json");\n')
    write(src, "util.js", "export {};\n")
    write(src, "pages/a.js", "export default 1;\n")
    write(src, "pages/b.js", "export default 2;\n")
    write(src, "data/menu.json", "[]\n")
    write(src, "img/logo.png", b"\x89PNG")
    for args in (["--no-bundle"], []):
        build(src, dist, *args)
        n = names(dist)
        m = manifest(dist)["files"]
        assert n["pages/a.js"] == "pages/a.js", (args, n)
        assert n["data/menu.json"] == "data/menu.json", (args, n)
        assert m["/data/menu.json"]["class"] == "revalidate"
        assert HASHED.search(n["img/logo.png"]), n
        assert "/data/menu.json" in read(dist, "sw.js"), "a file a string names is precached"
    # What kiln rewrites everywhere is still fingerprinted.
    assert HASHED.search(n["main.js"]) and HASHED.search(n["util.js"]), n


@test("an all-letter bundler hash counts beside strongly hashed siblings, not alone")
def _(tmp):
    src, dist = os.path.join(tmp, "src"), os.path.join(tmp, "dist")
    write(src, "index.html", '<script type="module" src="assets/index-B3xk9_Qa.js"></script>'
                             '<link rel="stylesheet" href="fonts/roboto.css">')
    write(src, "assets/index-B3xk9_Qa.js", 'import "./chunk-Dabcdefg.js";\n')
    write(src, "assets/chunk-Dabcdefg.js", "console.log(1);\n")
    write(src, "fonts/roboto.css", "@font-face{src:url(Roboto-BoldItal.woff2)}\n")
    write(src, "fonts/Roboto-BoldItal.woff2", b"wOF2")
    # Eight lower-case letters are a word even there (monaco's translations:
    # nls.messages.de.js changes bytes under that name): kiln fingerprints it.
    write(src, "assets/nls.messages.de.js", "globalThis.m={};\n")
    write(src, "index.html", '<script type="module" src="assets/index-B3xk9_Qa.js"></script>'
                             '<script src="assets/nls.messages.de.js"></script>'
                             '<link rel="stylesheet" href="fonts/roboto.css">')
    # --no-bundle: as above, the names of a bundler's output served as it is.
    build(src, dist, "--no-bundle")
    n = names(dist)
    assert n["assets/chunk-Dabcdefg.js"] == "assets/chunk-Dabcdefg.js"
    assert n["assets/index-B3xk9_Qa.js"] == "assets/index-B3xk9_Qa.js"
    assert HASHED.search(n["fonts/Roboto-BoldItal.woff2"]), n
    assert n["assets/nls.messages.de.js"] != "assets/nls.messages.de.js", n


@test("--exclude leaves matching files out, by name anywhere or by path")
def _(tmp):
    src, dist = os.path.join(tmp, "src"), os.path.join(tmp, "dist")
    mini(src)
    write(src, "server.conf", "secret=1\n")
    write(src, "docs/a.md", "# a\n")
    write(src, "docs/keep.txt", "k\n")
    build(src, dist, "--exclude", "*.conf", "--exclude", "docs/*.md")
    n = names(dist)
    assert "server.conf" not in n and "docs/a.md" not in n and "docs/keep.txt" in n, n
    assert not os.path.exists(os.path.join(dist, "server.conf"))


@test("--base prefixes absolute URLs and preload hints")
def _(tmp):
    src, dist = os.path.join(tmp, "src"), os.path.join(tmp, "dist")
    write(src, "index.html", '<link rel="preload stylesheet" as="style" href="/a.css"><img src="/p.png">')
    write(src, "a.css", "body{}\n")
    write(src, "p.png", b"\x89PNG\r\n\x1a\n")
    build(src, dist, "--base", "/app/")
    page = read(dist, "index.html")
    n = names(dist)
    assert f'href="/app/{n["a.css"]}"' in page and f'src="/app/{n["p.png"]}"' in page, page
    pre = manifest(dist)["files"]["/index.html"]["preload"]
    assert pre[0]["url"] == f"/app/{n['a.css']}"


# ---- bad input -------------------------------------------------------------------

def prior_release(tmp, src):
    dist = os.path.join(tmp, "dist")
    build(src, dist)
    return dist, tree(dist)


@test("a missing import fails with file and line, and leaves the old release intact")
def _(tmp):
    src = os.path.join(tmp, "src")
    mini(src)
    dist, before = prior_release(tmp, src)
    write(src, "js/b.js", '\n\nimport { x } from "./missing.js";\n')
    rc, _, err = build(src, dist, check=False)
    assert rc == 1, rc
    assert "js/b.js:3:" in err and "missing.js" in err, err
    assert tree(dist) == before
    assert not [x for x in os.listdir(tmp) if ".kiln-tmp-" in x], os.listdir(tmp)


@test("a missing image is a warning and the reference stays unchanged")
def _(tmp):
    src, dist = os.path.join(tmp, "src"), os.path.join(tmp, "dist")
    write(src, "index.html", '<p>\n<img src="img/gone.png" alt="">\n')
    rc, _, err = build(src, dist, check=False)
    assert rc == 0 and "index.html:2:" in err and "warning" in err, err
    assert 'src="img/gone.png"' in read(dist, "index.html")


@test("malformed CSS, JS and HTML fail with file and line")
def _(tmp):
    cases = {
        "a.css": ("body {}\n/* never closed\n", "a.css:2:"),
        "b.js": ('let x = 1;\nlet s = "open\n', "b.js:2:"),
        "c.html": ("<p>\n<!-- never closed\n", "c.html:2:"),
        "d.webmanifest": ('{\n "icons": [,]\n}\n', "d.webmanifest:2:"),
    }
    page = ('<link rel="stylesheet" href="a.css"><script type="module" src="b.js"></script>'
            '<link rel="manifest" href="d.webmanifest">')
    for name, (text, where) in cases.items():
        src = os.path.join(tmp, name + "-src")
        write(src, "index.html", page)
        for other in cases:
            if other != "c.html":
                write(src, other, "{}" if other.endswith("manifest") else "")
        write(src, name, text)
        rc, _, err = build(src, os.path.join(tmp, name + "-out"), check=False)
        assert rc == 1 and where in err, (name, rc, err)
        assert not os.path.exists(os.path.join(tmp, name + "-out"))


@test("files no page uses are copied unchanged when malformed or missing imports, with warnings")
def _(tmp):
    src, dist = os.path.join(tmp, "src"), os.path.join(tmp, "dist")
    mini(src)
    write(src, "src/broken.js", 'import { x } from "../utils/constants";\nlet s = "open\n')
    write(src, "src/util.js", 'import { y } from "./nowhere";\nexport const z = 1;\n')
    rc, _, err = build(src, dist, check=False)
    assert rc == 0, err
    assert "src/broken.js:2:" in err and "src/util.js:1:" in err and "no page uses" in err, err
    assert read(dist, "src/broken.js") == read(src, "src/broken.js")
    assert read(dist, "src/util.js") == read(src, "src/util.js")


@test("a reference that climbs out of SRC_DIR is an error")
def _(tmp):
    src = os.path.join(tmp, "src")
    write(tmp, "secret.css", "x{}")
    write(src, "index.html", '<link rel="stylesheet" href="../../secret.css">')
    rc, _, err = build(src, os.path.join(tmp, "d"), check=False)
    assert rc == 1 and "index.html:1:" in err and "outside" in err, err


@test("a symlink that leads outside SRC_DIR is an error")
def _(tmp):
    src = os.path.join(tmp, "src")
    write(src, "index.html", "<p>")
    write(tmp, "outside/x.txt", "private")
    os.symlink(os.path.join(tmp, "outside"), os.path.join(src, "link"))
    rc, _, err = build(src, os.path.join(tmp, "d"), check=False)
    assert rc == 1 and "link" in err and "outside" in err, err


@test("two files that would get one output name are a clash error")
def _(tmp):
    src = os.path.join(tmp, "src")
    mini(src)
    dist = os.path.join(tmp, "dist")
    # --no-bundle: js/c.js must be fingerprinted for its name to clash (a
    # bundle copies it unreferenced, under its own name).
    build(src, dist, "--no-bundle")
    hashed = names(dist)["js/c.js"]
    write(src, hashed, "export const c0 = 2;\n")
    rc, _, err = build(src, os.path.join(tmp, "d2"), "--no-bundle", check=False)
    assert rc == 1 and "would both be written as" in err and hashed in err, err


@test("an --out that is not a kiln release is never replaced")
def _(tmp):
    src = os.path.join(tmp, "src")
    mini(src)
    precious = os.path.join(tmp, "precious")
    write(precious, "thesis.tex", "years of work")
    rc, _, err = build(src, precious, check=False)
    assert rc == 1 and "not a kiln release" in err, err
    assert read(precious, "thesis.tex") == "years of work"


@test("an --out that cannot be examined gets the system's reason, not 'not a kiln release'")
def _(tmp):
    # Found by the soak (tests/soak/): an --out under a directory the user
    # cannot search was reported as existing and foreign. A path through a
    # file shows the same as root: stat() fails with ENOTDIR.
    src = os.path.join(tmp, "src")
    mini(src)
    write(tmp, "afile", "x")
    rc, _, err = build(src, os.path.join(tmp, "afile", "dist"), check=False)
    assert rc == 1 and "Not a directory" in err and "not a kiln release" not in err, err
    assert read(tmp, "afile") == "x"


@test("a killed build leaves the previous release whole; the next build cleans up")
def _(tmp):
    src = os.path.join(tmp, "src")
    mini(src)
    dist, before = prior_release(tmp, src)
    # Enough text that compression is still running when the signal arrives.
    write(src, "big.js", "".join(f"export const v{i} = '{hashlib.sha256(str(i).encode()).hexdigest()}';\n"
                                 for i in range(40000)))
    write(src, "index.html", read(src, "index.html") + '<script type="module" src="big.js"></script>')
    p = subprocess.Popen([KILN_BUILD, "-q", "--no-cache", "-j", "1", "-o", dist, src],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline and not [x for x in os.listdir(tmp) if ".kiln-tmp-" in x]:
        time.sleep(0.01)
    time.sleep(0.2)
    p.send_signal(signal.SIGKILL)
    p.wait()
    assert tree(dist) == before, "the old release changed"
    build(src, dist, "--encodings", "gzip")
    assert "big.js" in names(dist)
    assert not [x for x in os.listdir(tmp) if ".kiln-tmp-" in x], os.listdir(tmp)


@test("usage errors exit 2; --help and --version exit 0")
def _(tmp):
    assert kiln_build("--help")[0] == 0
    rc, out, _ = kiln_build("--version")
    assert rc == 0 and out.startswith("kiln-build ")
    for args in ([], ["a", "b"], ["--encodings", "lzma", "x"], ["-j", "0", "x"], ["--bogus", "x"]):
        assert kiln_build(*args, check=False)[0] == 2, args


@test("--help names exactly the options of docs/kiln-build.md (the man page), printed as written")
def _(tmp):
    names, ref, text = help_and_reference(KILN_BUILD, "kiln-build.md")
    assert names == ref, f"only in --help: {sorted(names - ref)}; only in the docs: {sorted(ref - names)}"
    assert "%%" not in text and "--min-saving PCT" in text, text


@test("a missing SRC_DIR exits 1 with a clear message")
def _(tmp):
    rc, _, err = kiln_build("-q", "-o", os.path.join(tmp, "d"), os.path.join(tmp, "nope"), check=False)
    assert rc == 1 and "nope" in err, err


@test("escapes in a URL: the path is rewritten whole, an escaped '?' keeps the file's name")
def _(tmp):
    src, dist = os.path.join(tmp, "src"), os.path.join(tmp, "dist")
    # "&#47;" holds a '#' that is no fragment; "&#63;" and "\\x3f" write the
    # '?' itself, so no rewrite could keep the query: those files keep their names.
    write(src, "index.html", '<!doctype html><img src="img&#47;a.png#x">\n'
          '<img src="img/b.png&#63;v=1"><script type="module" src="m.js"></script>\n'
          '<img src="img/f&amp;g.png?a=1&amp;b=2#&#47;">\n')
    write(src, "img/f&g.png", b"PNG-f")
    write(src, "img/a.png", b"PNG-a")
    write(src, "img/b.png", b"PNG-b")
    write(src, "img/c.png", b"PNG-c")
    write(src, "img/d.png", b"PNG-d")
    write(src, "img/e.png", b"PNG-e")
    write(src, "m.js", 'console.log(new URL(`./img/\\u0063.png?v=2#\\u0060`, import.meta.url),\n'
                       '  new URL("./img/d.png\\x3fv=3", import.meta.url),\n'
                       '  new URL(`./img/e.png?v=4#\\u0060`, import.meta.url));\n')
    _, _, err = build(src, dist, "--no-bundle")
    n = names(dist)
    page = read(dist, "index.html")
    assert re.fullmatch(r"img/a\.[0-9a-f]{10}\.png", n["img/a.png"]), n
    assert f'<img src="{n["img/a.png"]}#x">' in page, page
    assert n["img/b.png"] == "img/b.png" and n["img/d.png"] == "img/d.png", n
    assert '<img src="img/b.png&#63;v=1">' in page, page
    assert ("index.html:2: 'img/b.png?v=1': an escape writes its '?' or '#', so kiln cannot "
            "rewrite the URL; the file keeps its name (img/b.png)") in err, err
    assert "m.js:2: './img/d.png?v=3': an escape writes its '?' or '#'" in err, err
    m = read(dist, n["m.js"])
    c, e = n["img/c.png"].split("/")[-1], n["img/e.png"].split("/")[-1]
    assert re.fullmatch(r"c\.[0-9a-f]{10}\.png", c) and re.fullmatch(r"e\.[0-9a-f]{10}\.png", e), n
    assert f"new URL(`./img/{c}?v=2#\\u0060`, import.meta.url)" in m, m
    f = n["img/f&g.png"]
    assert re.fullmatch(r"img/f&g\.[0-9a-f]{10}\.png", f), n
    assert f'<img src="{f.replace("&", "%26")}?a=1&amp;b=2#&#47;">' in page, page
    assert 'new URL("./img/d.png\\x3fv=3", import.meta.url)' in m, m
    assert f"new URL(`./img/{e}?v=4#\\u0060`, import.meta.url)" in m, m
    assert manifest(dist)["files"]["/img/b.png"]["class"] == "revalidate"


# ---- framework output --------------------------------------------------------

# A hand-made page in the shape of Astro's output: an inline classic script
# defines <astro-island>, which import()s its component-url and renderer-url
# when it connects; Vite-hashed modules in _astro/ share a runtime module.
ASTRO_RUNTIME = ("<script>customElements.define('astro-island', class extends HTMLElement {"
                 " async connectedCallback() { const [c, r] = await Promise.all(["
                 "import(this.getAttribute('component-url')),"
                 " import(this.getAttribute('renderer-url'))]);"
                 " r.default(this)(c[this.getAttribute('component-export')]); } });</script>")


def astro_site(root, page_js):
    write(root, "index.html",
          "<!doctype html><html><head><title>astro</title>" + ASTRO_RUNTIME +
          '<script type="module" src="/_astro/page.js"></script></head><body>\n'
          '<astro-island uid="Z1" component-url="/_astro/Counter.B2x9aQ_e.js" '
          'component-export="default" renderer-url="/_astro/client.Dq7sLm3k.js" '
          'props="{&quot;start&quot;:[0,1]}" ssr client="load" '
          'before-hydration-url="/_astro/hydrate.js"><button>0</button></astro-island>\n'
          "</body></html>\n")
    write(root, "_astro/Counter.B2x9aQ_e.js",
          'import { h } from "./preact.module.C8aZ0_wq.js";\n'
          'export default function Counter() { return h("button"); }\n')
    write(root, "_astro/client.Dq7sLm3k.js",
          'import { render } from "./preact.module.C8aZ0_wq.js";\n'
          "export default (el) => (C) => render(C(), el);\n")
    write(root, "_astro/preact.module.C8aZ0_wq.js",
          "export let n = 0;\nexport function h(t) { n++; return t; }\n"
          "export function render(v, el) { el.dataset.r = v; }\n")
    write(root, "_astro/hydrate.js", "globalThis.beforeHydration = true;\n")
    write(root, "_astro/page.js", page_js)


def island_urls(dist):
    page = read(dist, "index.html")
    tag = re.search(r"<astro-island [^>]*>", page).group(0)
    return {k: v for k, v in re.findall(r'([a-z-]+-url)="([^"]*)"', tag)}


@test("Astro island URLs name the fingerprinted files, served immutable and precached")
def _(tmp):
    src, dist = os.path.join(tmp, "src"), os.path.join(tmp, "dist")
    astro_site(src, 'document.title += "!";\n')
    build(src, dist)
    urls = island_urls(dist)
    # Vite's names stay (their bytes do not change); the unhashed one is renamed.
    assert urls["component-url"] == "/_astro/Counter.B2x9aQ_e.js", urls
    assert urls["renderer-url"] == "/_astro/client.Dq7sLm3k.js", urls
    assert re.fullmatch(r"/_astro/hydrate\.[0-9a-f]{10}\.js", urls["before-hydration-url"]), urls
    files = manifest(dist)["files"]
    sw = read(dist, "sw.js")
    precache = json.loads(re.search(r"^const PRECACHE = (.*);$", sw, re.M).group(1))
    pre = {e["url"]: e for e in precache}
    for u in [*urls.values(), "/_astro/preact.module.C8aZ0_wq.js"]:
        assert files[u]["class"] == "immutable", (u, files[u])
        assert pre[u]["integrity"] == files[u]["integrity"], (u, pre.get(u))
    vite = json.loads(read(dist, ".vite/manifest.json"))
    assert "_astro/Counter.B2x9aQ_e.js" in vite["index.html"]["dynamicImports"], vite["index.html"]
    assert vite["_astro/Counter.B2x9aQ_e.js"]["isDynamicEntry"] is True
    check_references(src, dist)


@test("a missing island module is an error naming the page, the line and the URL")
def _(tmp):
    src, dist = os.path.join(tmp, "src"), os.path.join(tmp, "dist")
    astro_site(src, 'document.title += "!";\n')
    os.remove(os.path.join(src, "_astro/client.Dq7sLm3k.js"))
    rc, _, err = build(src, dist, check=False)
    assert rc == 1, rc
    assert "index.html:2: '/_astro/client.Dq7sLm3k.js' not found" in err, err


@test("a module both an island and a bundled page script load stays one instance: unbundled")
def _(tmp):
    src, dist = os.path.join(tmp, "src"), os.path.join(tmp, "dist")
    # page.js shares the runtime with the islands' modules, which the page
    # import()s by URL: bundling page.js would give the runtime two instances.
    astro_site(src, 'import { n } from "./preact.module.C8aZ0_wq.js";\ndocument.title += n;\n')
    _, _, err = build(src, dist)
    assert ("_astro/Counter.B2x9aQ_e.js:1: loads _astro/preact.module.C8aZ0_wq.js outside the "
            "module graph: its entry points are left unbundled") in err, err
    n = names(dist)
    page = read(dist, n["_astro/page.js"])
    assert page.startswith('import { n } from "./preact.module.C8aZ0_wq.js";'), page
    # And an island that names a module of the graph itself: the page's own
    # reference keeps it unbundled.
    astro_site(src, 'import "./hydrate.js";\ndocument.title += "!";\n')
    _, _, err = build(src, dist)
    assert ("index.html:2: loads _astro/hydrate.js outside the module graph: its entry "
            "points are left unbundled") in err, err
    n = names(dist)
    assert f'import "./{n["_astro/hydrate.js"].split("/")[-1]}";' in read(dist, n["_astro/page.js"])
    assert island_urls(dist)["before-hydration-url"] == "/" + n["_astro/hydrate.js"]


@test("--strict: a warning fails the build with exit 1 and the previous release stays as it was")
def _(tmp):
    src, dist = os.path.join(tmp, "src"), os.path.join(tmp, "dist")
    write(src, "index.html", "<!doctype html><title>t</title><p>hello")
    kiln_build("-q", "--strict", "--no-cache", "-o", dist, src)
    before = tree(dist)
    write(src, "index.html", '<!doctype html><title>t</title><img src="gone.png">')
    rc, _, err = kiln_build("-q", "--strict", "--no-cache", "-o", dist, src, check=False)
    assert rc == 1, (rc, err)
    assert "index.html:1: 'gone.png' not found" in err and "--strict: 1 warning" in err, err
    assert tree(dist) == before
    assert not [n for n in os.listdir(tmp) if ".kiln-tmp-" in n], os.listdir(tmp)
    # Without --strict the same site builds, with the warning.
    rc, _, err = kiln_build("-q", "--no-cache", "-o", dist, src)
    assert rc == 0 and "gone.png" in err


@test("--strict passes a site without warnings: site-example builds with exit 0")
def _(tmp):
    rc, _, err = kiln_build("-q", "--strict", "--no-cache", "-o", os.path.join(tmp, "d"), SITE)
    assert rc == 0 and "warning" not in err, err


if __name__ == "__main__":
    run_all()
