"""End-to-end tests of the service worker kiln-build generates: what lands in
the release and the manifest, the opt-outs, and every bad input that must stop
the build with the file and the reason. Its behaviour in a browser is tested in
tests/browser/."""
import json
import os
import re

from kt import ROOT, SITE, build, kiln_build, manifest, read, run_all, test, url_of, write


def small_site(tmp):
    src = os.path.join(tmp, "src")
    write(src, "index.html", '<!doctype html><html><head><title>a</title>'
          '<link rel="stylesheet" href="a.css"><script type="module" src="app.js"></script>'
          '</head><body><h1>a</h1></body></html>\n')
    write(src, "plain.html", '<!doctype html><html data-kiln-no-sw><head><title>p</title>'
          '</head><body>plain</body></html>\n')
    write(src, "admin/x.html", '<!doctype html><html><head><title>x</title></head>'
          '<body>x</body></html>\n')
    write(src, "a.css", "body { color: #123456 }\n" * 40)
    # Valid modules (the bundler parses them), padded to be worth compressing.
    write(src, "app.js", "".join(f"export const m{i} = () => import('./lazy.js');\n" for i in range(5))
          + "export default m0;\n")
    write(src, "lazy.js", "".join(f"export const lazy{i} = 1;\n" for i in range(30))
          + "export const pic = new URL('./pic.png', import.meta.url).href;\n")
    write(src, "pic.png", bytes(range(256)) * 4)
    return src


def vite_app(tmp):
    """A Vite-like dist whose only document is index.html: a lazy route's chunk,
    and its CSS named only in a string of the main chunk (Vite's preload list)."""
    src = os.path.join(tmp, "vite")
    write(src, "index.html", '<!doctype html><html><head><meta charset="utf-8"><title>app</title>'
          '<script type="module" crossorigin src="/assets/index-B1x2y3z4.js"></script>'
          '<link rel="stylesheet" crossorigin href="/assets/index-C5d6e7f8.css">'
          '</head><body><div id="root"></div></body></html>\n')
    write(src, "assets/index-B1x2y3z4.js", 'const deps = ["assets/About-D5GR_shx.css"];\n'
          "export const about = () => import('./About-CHf2AwwH.js');\n"
          "document.getElementById('root').textContent = 'home ' + deps.length;\n")
    write(src, "assets/About-CHf2AwwH.js", "export default function About() { return 'about'; }\n")
    write(src, "assets/index-C5d6e7f8.css", "body { color: #223344 }\n")
    write(src, "assets/About-D5GR_shx.css", ".about { color: #556677 }\n")
    return src


def precached_sources(dist):
    """{source path: precache entry} of a release's worker."""
    m = manifest(dist)
    return {m["files"][e["url"]]["source"]: e for e in sw_lists(dist)[0]}


def sw_lists(dist):
    sw = read(dist, "sw.js")
    get = lambda n: json.loads(re.search(r"^const %s = (.*);$" % n, sw, re.M).group(1))
    return get("PRECACHE"), get("WARM"), get("OPTIONS")


def build_with(tmp, src, conf, check=True):
    cfg = os.path.join(tmp, "sw.json")
    write(tmp, "sw.json", conf if isinstance(conf, str) else json.dumps(conf))
    return build(src, os.path.join(tmp, "dist"), "--sw-config", cfg, check=check)


@test("sw.js is in the manifest with cache class revalidate and compressed variants")
def _(tmp):
    dist = os.path.join(tmp, "dist")
    build(SITE, dist)
    m = json.loads(read(dist, "kiln-manifest.json"))
    e = m["files"]["/sw.js"]
    assert e["class"] == "revalidate" and e["type"].startswith("text/javascript"), e
    assert set(e["encodings"]) == {"br", "zstd", "gzip"}, e["encodings"]
    sw = read(dist, "sw.js")
    assert '"%s"' % m["release"] in sw, "the worker does not carry the release id"
    assert not re.search(r"__KILN_[A-Z]+__", sw), "an injection point was left unfilled"
    reg = [u for u in m["files"] if re.match(r"^/kiln-sw-register\.[0-9a-f]{10}\.js$", u)]
    assert len(reg) == 1 and m["files"][reg[0]]["class"] == "immutable", reg
    html = read(dist, "index.html")
    tag = re.search(r'<script src="(/kiln-sw-register\.[0-9a-f]{10}\.js)" defer integrity="([^"]+)"'
                    r' crossorigin></script>\n</head>', html)
    assert tag and tag.group(1) == reg[0] and tag.group(2) == m["files"][reg[0]]["integrity"]
    assert json.dumps(m["files"]["/index.html"]["etag"]) in sw, "the document's ETag is not its revision"


@test("the precache holds the documents, what they load and the lazy chunks; a lazy image is warmed")
def _(tmp):
    src = small_site(tmp)
    build(src, os.path.join(tmp, "dist"))
    pre, warm, opts = sw_lists(os.path.join(tmp, "dist"))
    urls = [e["url"] for e in pre]
    assert "/index.html" in urls and "/plain.html" in urls, urls
    assert any(re.match(r"^/a\.[0-9a-f]{10}\.css$", u) for u in urls), urls
    assert any(re.match(r"^/app\.[0-9a-f]{10}\.js$", u) for u in urls), urls
    assert any(re.match(r"^/lazy\.[0-9a-f]{10}\.js$", u) for u in urls), urls
    assert not any(re.search(r"\.legacy\.|\.map$|pic\.", u) for u in urls), urls
    docs = sorted(e["url"] for e in pre if e.get("document"))
    assert docs == ["/admin/x.html", "/index.html", "/plain.html"], docs
    assert [re.sub(r"\.[0-9a-f]{10}\.", ".", w["url"]) for w in warm] == ["/pic.png"], warm
    assert opts["skipWaiting"] is False and opts["clientsClaim"] is False
    assert opts["cleanupOutdatedCaches"] is True and opts["navigationPreload"] is True
    build_with(tmp, src, {"warmBudgetBytes": 10})
    assert sw_lists(os.path.join(tmp, "dist"))[1] == [], "an image over the warm budget is listed"


@test("a lazy route's chunk and the CSS named only in a JS string are precached, not the twins")
def _(tmp):
    dist = os.path.join(tmp, "dist")
    build(vite_app(tmp), dist)
    pre = precached_sources(dist)
    assert "assets/About-D5GR_shx.css" in pre, sorted(pre)
    assert "assets/index-C5d6e7f8.css" in pre, sorted(pre)
    js = [e["url"] for e in pre.values() if e["url"].endswith(".js")]
    assert any(re.match(r"^/assets/About-", u) for u in js), js
    assert any(re.match(r"^/assets/index-", u) for u in js), js
    assert not any(".legacy." in u for u in js), js
    assert not any(s.endswith(".map") for s in pre), sorted(pre)


@test("data-kiln-no-sw and registerIgnores keep the registration out of a page")
def _(tmp):
    src = small_site(tmp)
    build_with(tmp, src, {"registerIgnores": ["admin/*"]})
    dist = os.path.join(tmp, "dist")
    assert "kiln-sw-register" in read(dist, "index.html")
    assert "kiln-sw-register" not in read(dist, "plain.html")
    assert "kiln-sw-register" not in read(dist, "admin/x.html")


@test("--no-sw writes no worker and changes no page")
def _(tmp):
    src = small_site(tmp)
    dist = os.path.join(tmp, "dist")
    build(src, dist, "--no-sw")
    assert not os.path.exists(os.path.join(dist, "sw.js"))
    assert read(dist, "plain.html") == read(src, "plain.html")
    assert "kiln-sw-register" not in read(dist, "index.html")


@test("globIgnores and the size limit leave files out, with a warning naming each")
def _(tmp):
    src = small_site(tmp)
    _, _, err = build_with(tmp, src, {"globIgnores": ["*.css"],
                                      "maximumFileSizeToCacheInBytes": 200})
    pre, _, _ = sw_lists(os.path.join(tmp, "dist"))
    urls = [e["url"] for e in pre]
    assert not any(u.endswith(".css") for u in urls), urls
    assert re.search(r"app\.js: \d+ bytes, over maximumFileSizeToCacheInBytes \(200\)", err), err


@test("the build report lists each file the worker left out, with the option that left it out")
def _(tmp):
    src = small_site(tmp)
    write(src, "data/big.json", json.dumps(list(range(2000))))  # a stable URL's data: precached
    write(src, "data/small.json", "[1, 2, 3]\n")
    cfg = os.path.join(tmp, "sw.json")
    write(tmp, "sw.json", json.dumps({"globIgnores": ["*.css"], "maximumFileSizeToCacheInBytes": 4000,
                                      "warmBudgetBytes": 0}))
    report = os.path.join(tmp, "report.json")
    dist = os.path.join(tmp, "dist")
    _, out, _ = kiln_build("--no-cache", "--encodings", "none", "--sw-config", cfg, "--report",
                           report, "-o", dist, src)  # not -q: the table and what follows it
    m = manifest(dist)
    left = {e["source"]: e["reason"] for e in json.loads(read(tmp, "report.json"))["sw"]["left_out"]}
    assert left == {"a.css": "globIgnores", "pic.png": "warmBudgetBytes",
                    "data/big.json": "maximumFileSizeToCacheInBytes"}, left
    assert "data/small.json" in precached_sources(dist)
    css = url_of(m, "a.css")[1:]
    assert re.search(r"^sw\.js: \d+ files precached, \d+ bytes; left out:$", out, re.M), out
    assert re.search(r"^  %s, \d+ bytes \(globIgnores\)$" % re.escape(css), out, re.M), out
    r = json.loads(read(tmp, "report.json"))["sw"]
    assert r["precached"] == len(sw_lists(dist)[0]) and r["navigate_fallback"] is None, r


@test("a template with a missing injection point is an error naming the template")
def _(tmp):
    src = small_site(tmp)
    tpl = read(ROOT, "sw-template/sw.js").replace("__KILN_WARM__", "[]")
    write(tmp, "my-sw.js", tpl)
    rc, _, err = build_with(tmp, src, {"swTemplate": "my-sw.js"}, check=False)
    assert rc == 1, rc
    assert "my-sw.js: injection point __KILN_WARM__ is missing" in err, err
    assert not os.path.exists(os.path.join(tmp, "dist")), "a failed build left a release"


@test("an option of the wrong type is an error naming the config file and the key")
def _(tmp):
    src = small_site(tmp)
    rc, _, err = build_with(tmp, src, {"skipWaiting": "yes"}, check=False)
    assert rc == 1 and "sw.json: skipWaiting: expected true or false" in err, err
    rc, _, err = build_with(tmp, src, {"maximumFileSizeToCacheInBytes": "2MB"}, check=False)
    assert rc == 1 and "sw.json: maximumFileSizeToCacheInBytes: expected" in err, err
    rc, _, err = build_with(tmp, src, {"skipWaitng": True}, check=False)
    assert rc == 1 and "sw.json: skipWaitng: unknown option" in err, err
    rc, _, err = build_with(tmp, src, {"runtimeCaching": [{"urlPattern": "x", "handler": "Fast"}]},
                            check=False)
    assert rc == 1 and "sw.json: runtimeCaching[0]: handler must be" in err, err
    rc, _, err = build_with(tmp, src, '{"skipWaiting": true,}', check=False)
    assert rc == 1 and re.search(r"sw\.json:1:\d+: ", err), err


@test("over precacheBudgetBytes, documents and what pages load stay; the rest is left out and reported")
def _(tmp):
    src = small_site(tmp)
    dist = os.path.join(tmp, "dist")
    build_with(tmp, src, {})
    full = precached_sources(dist)
    m = manifest(dist)
    # Room for the documents and what they load, not for the lazy chunk.
    need = sum(m["files"][e["url"]]["size"] for s, e in full.items() if s != "lazy.js")
    _, _, err = build_with(tmp, src, {"precacheBudgetBytes": need})
    pre = precached_sources(dist)
    assert sorted(pre) == sorted(s for s in full if s != "lazy.js"), sorted(pre)
    assert re.search(r"sw\.json: the precache would be over precacheBudgetBytes \(%d\): 1 files "
                     r"\(\d+ bytes\) left out, lazy\.js the first" % need, err), err
    rc, _, _ = build(src, dist, "--strict", "--sw-config", os.path.join(tmp, "sw.json"),
                     check=False)
    assert rc == 1, "--strict did not fail on a file left out over the budget"


@test("a navigateFallback that names no precached document is an error")
def _(tmp):
    src = small_site(tmp)
    rc, _, err = build_with(tmp, src, {"navigateFallback": "/offline.html"}, check=False)
    assert rc == 1 and "sw.json: navigateFallback: names no precached document" in err, err
    build_with(tmp, src, {"navigateFallback": "/plain.html", "skipWaiting": True,
                          "runtimeCaching": [{"urlPattern": "^https://api\\.", "handler":
                                              "NetworkFirst", "options": {"cacheName": "api"}}]})
    _, _, opts = sw_lists(os.path.join(tmp, "dist"))
    assert opts["navigateFallback"] == "/plain.html" and opts["skipWaiting"] is True, opts


@test("an SPA whose only document is index.html falls back to it with no option, never for files")
def _(tmp):
    dist = os.path.join(tmp, "dist")
    build(vite_app(tmp), dist, encodings="none")
    _, _, opts = sw_lists(dist)
    assert opts["navigateFallback"] == "/index.html", opts
    deny = [re.compile(r) for r in opts["navigateFallbackDenylist"]]
    for path in ("/about", "/some/route", "/users/42/", "/"):
        assert not any(r.search(path) for r in deny), path
    for path in ("/sw.js", "/assets/x.js", "/favicon.ico", "/a/b.png"):
        assert any(r.search(path) for r in deny), path
    sw = manifest(dist)["sw"]
    assert sw == {"url": "/sw.js", "navigateFallback": "/index.html"}, sw
    build(vite_app(tmp), dist, "--base", "/app/", encodings="none")
    assert sw_lists(dist)[2]["navigateFallback"] == "/app/index.html"
    assert manifest(dist)["sw"]["navigateFallback"] == "/app/index.html"


@test("a multi-page site gets no index.html fallback; its offline.html, or the option, decides")
def _(tmp):
    src = small_site(tmp)
    dist = os.path.join(tmp, "dist")
    build(src, dist, encodings="none")
    assert sw_lists(dist)[2]["navigateFallback"] is None
    assert manifest(dist)["sw"] == {"url": "/sw.js", "navigateFallback": None}
    write(src, "offline.html", "<!doctype html><title>offline</title><p>offline</p>\n")
    build(src, dist, encodings="none")
    opts = sw_lists(dist)[2]
    # An offline page suits any URL, a file's too.
    assert opts["navigateFallback"] == "/offline.html" and opts["navigateFallbackDenylist"] == []
    build_with(tmp, src, {"navigateFallback": None})
    assert sw_lists(dist)[2]["navigateFallback"] is None, "null did not turn the fallback off"
    build_with(tmp, src, {"navigateFallback": "/plain.html", "navigateFallbackDenylist": ["^/api/"]})
    opts = sw_lists(dist)[2]
    assert opts["navigateFallback"] == "/plain.html", opts
    assert opts["navigateFallbackDenylist"] == ["^/api/"], opts
    rc, _, err = build_with(tmp, src, {"navigateFallbackDenylist": "^/api/"}, check=False)
    assert rc == 1 and "sw.json: navigateFallbackDenylist: expected an array" in err, err
    # Pages without the registration are documents all the same: still no SPA.
    os.remove(os.path.join(src, "offline.html"))
    build_with(tmp, src, {"registerIgnores": ["plain.html", "admin/*"]})
    assert sw_lists(dist)[2]["navigateFallback"] is None


@test("a site's own sw.js is an error unless --no-sw")
def _(tmp):
    src = small_site(tmp)
    write(src, "sw.js", "self.addEventListener('fetch', () => {});\n")
    rc, _, err = build(src, os.path.join(tmp, "dist"), check=False)
    assert rc == 1 and "sw.js: the site has its own file of this name" in err, err
    build(src, os.path.join(tmp, "dist"), "--no-sw")
    assert read(os.path.join(tmp, "dist"), "sw.js") == read(src, "sw.js")


@test("an option change gives a new release id; the same input the same sw.js")
def _(tmp):
    src = small_site(tmp)
    build_with(tmp, src, {})
    a = read(os.path.join(tmp, "dist"), "sw.js")
    build_with(tmp, src, {})
    assert read(os.path.join(tmp, "dist"), "sw.js") == a, "sw.js differs between two builds"
    build_with(tmp, src, {"skipWaiting": True})
    b = read(os.path.join(tmp, "dist"), "sw.js")
    rel = lambda t: re.search(r'^const RELEASE = "([0-9a-f]{16})";$', t, re.M).group(1)
    assert rel(a) != rel(b), "the release id ignores the worker's options"


run_all()
