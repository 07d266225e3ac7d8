"""End-to-end tests of the legacy output of kiln-build --bundle (--legacy, the
default): the System.register twins of the chunks, the tags and inline
scripts of the entry documents, the CSP hashes in the manifest, the service
worker leaving the twins out, and --no-legacy. The browser test
(tests/browser/test_bundle.mjs) runs every fixture through the twins."""
import base64
import hashlib
import os
import re

from kt import FIXTURES, build, by_source, manifest, read, run_all, test, write


def fixture(name, dist, *extra):
    """Builds tests/bundle-fixtures/NAME with --bundle, without variants."""
    return build(os.path.join(FIXTURES, name), dist, "--bundle", *extra, encodings="none")


def inline_scripts(html):
    return re.findall(r"<script(?: type=\"module\")?>(.*?)</script>", html, re.S)


@test("every chunk and facade gets a fingerprinted System.register twin; the page's has the loader")
def _(tmp):
    dist = os.path.join(tmp, "dist")
    fixture("dynamic-shared", dist)
    m = by_source(dist)
    twins = sorted(k for k in m if ".legacy." in k and k.endswith(".js"))
    assert twins and all(re.search(r"\.legacy\.[0-9a-f]{10}\.js$", m[k]["file"]) for k in twins), m
    main = read(dist, m["main.legacy.js"]["file"])
    assert "kiln legacy loader" in main and "System.register([" in main, main[:200]
    for k in twins:
        text = read(dist, m[k]["file"])
        text = text[text.index("System.register(["):]  # past the loader
        # No module syntax left: a classic script must parse.
        assert not re.search(r"^\s*(import|export)\b\s*[{*\"'\w]", text, re.M), (k, text)
        assert "import.meta" not in text, k
    # Dependencies and import() targets name the fingerprinted twins.
    lazy = [read(dist, m[k]["file"]) for k in twins if k != "main.legacy.js"]
    assert all("kiln legacy loader" not in t for t in lazy)
    assert "_context.import(_context.u[" in main + "".join(lazy)
    for u in re.findall(r'"\./([^"]+\.js)"', main):
        assert re.search(r"\.legacy\.[0-9a-f]{10}\.js$", u) and os.path.exists(
            os.path.join(dist, u)), u


@test("the page gets the nomodule twin with integrity, the Safari fix and the capability check")
def _(tmp):
    dist = os.path.join(tmp, "dist")
    fixture("live", dist)
    html = read(dist, "index.html")
    m = by_source(dist)
    twin = m["main.legacy.js"]
    tag = re.search(r'<script nomodule defer src="\./([^"]+)" integrity="([^"]+)" crossorigin>',
                    html)
    assert tag and tag.group(1) == twin["file"], html
    assert html.index('<script type="module" src=') < html.index("noModule") < html.index(
        "nomodule defer") < html.index("__kilnModern=!0"), html
    modern = read(dist, m["main.js"]["file"])
    assert 'if (0) import.meta.url, import("")' in modern, modern
    assert "__kilnModern" not in modern


@test("the inline scripts are byte-stable and their sha256 hashes are the manifest's csp")
def _(tmp):
    a, b = os.path.join(tmp, "a"), os.path.join(tmp, "b")
    fixture("live", a)
    fixture("cycles", b)
    sa, sb = inline_scripts(read(a, "index.html")), inline_scripts(read(b, "index.html"))
    legacy = [s for s in sa if "kilnModern" in s or "noModule" in s]
    assert len(legacy) == 3 and legacy == [s for s in sb if s in legacy], (sa, sb)
    want = ["'sha256-%s'" % base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()
            for s in legacy]
    assert manifest(a)["csp"] == {"script-src": want}, manifest(a).get("csp")


@test("--no-legacy writes no twin, no nomodule script, no guard and no csp field")
def _(tmp):
    dist = os.path.join(tmp, "dist")
    fixture("live", dist, "--no-legacy")
    m = by_source(dist)
    assert not any(".legacy." in k for k in m), m
    html = read(dist, "index.html")
    assert "nomodule" not in html and "kilnModern" not in html, html
    assert "import.meta.url, import" not in read(dist, m["main.js"]["file"])
    assert "csp" not in manifest(dist)


@test("with --no-bundle nothing legacy is written")
def _(tmp):
    dist = os.path.join(tmp, "dist")
    build(os.path.join(FIXTURES, "live"), dist, "--no-bundle", encodings="none")
    assert "nomodule" not in read(dist, "index.html")
    assert not any(".legacy." in k for k in by_source(dist))


@test("the service worker precaches the modern chunks but not the legacy twins")
def _(tmp):
    dist = os.path.join(tmp, "dist")
    fixture("live", dist)
    m = by_source(dist)
    sw = read(dist, "sw.js")
    assert m["main.js"]["file"] in sw, sw[:400]
    assert m["main.legacy.js"]["file"] not in sw
    assert ".legacy." not in sw


@test("no preload hint names a legacy twin (modern browsers would download it)")
def _(tmp):
    dist = os.path.join(tmp, "dist")
    fixture("dynamic-shared", dist)
    entry = manifest(dist)["files"]["/index.html"]
    urls = [p["url"] for p in entry.get("preload", [])]
    assert urls and not any(".legacy." in u for u in urls), urls


@test("a module naming _export or _context gets renamed loader parameters in its twin")
def _(tmp):
    src, dist = os.path.join(tmp, "src"), os.path.join(tmp, "dist")
    write(src, "index.html", '<!doctype html><script type="module" src="main.js"></script>\n')
    write(src, "a.js", "export let n = 0;\nexport function up() { n++; }\nconst _export = 1;\n")
    write(src, "lazy.js", 'import { n } from "./a.js";\nexport const m = n;\n')
    write(src, "main.js", 'import { n, up } from "./a.js";\nconst _context = 2;\n'
          'up();\nimport("./lazy.js").then(() => console.log(n, _context));\n')
    build(src, dist, "--bundle", encodings="none")
    m = by_source(dist)
    shared = read(dist, m["a_chunk.legacy.js"]["file"])
    assert "function (_export$1, _context$1) {" in shared, shared
    # The module's own _export stays its own (a var once lowered to ES5).
    assert "var _export = 1;" in shared, shared
    # The update of the exported `n` is wrapped: importers' setters see it.
    assert re.search(r"function up\(\) \{\s*_export\$1\.v = n\+\+, _export\$1\(\{ n: n \}\), "
                     r"_export\$1\.v;\s*\}", shared), shared
    assert "_context$1.import(_context$1.u[0])" in read(dist, m["main.legacy.js"]["file"])


@test("a site file with a twin's name is an error that names it and --no-legacy")
def _(tmp):
    src, dist = os.path.join(tmp, "src"), os.path.join(tmp, "dist")
    write(src, "index.html", '<!doctype html><script type="module" src="main.js"></script>\n'
          '<script src="main.legacy.js"></script>\n')
    write(src, "main.js", "console.log(1);\n")
    write(src, "main.legacy.js", "console.log(2);\n")
    rc, _, err = build(src, dist, "--bundle", check=False)
    assert rc == 1 and "main.legacy.js: the legacy twin's name is taken" in err, (rc, err)
    assert "--no-legacy" in err and not os.path.exists(dist)
    build(src, dist, "--bundle", "--no-legacy")


run_all()
