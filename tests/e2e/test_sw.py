"""End-to-end tests of the service worker kiln-build generates: what lands in
the release and the manifest, the opt-outs, and every bad input that must stop
the build with the file and the reason. Its behaviour in a browser is tested in
tests/browser/."""
import json
import os
import re

from kt import ROOT, SITE, build, read, run_all, test, write


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
    write(src, "lazy.js", "".join(f"export const lazy{i} = 1;\n" for i in range(30)))
    return src


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


@test("the precache lists entries and eager assets; lazy chunks go to the warm list")
def _(tmp):
    src = small_site(tmp)
    build(src, os.path.join(tmp, "dist"))
    pre, warm, opts = sw_lists(os.path.join(tmp, "dist"))
    urls = [e["url"] for e in pre]
    assert "/index.html" in urls and "/plain.html" in urls, urls
    assert any(re.match(r"^/a\.[0-9a-f]{10}\.css$", u) for u in urls), urls
    assert any(re.match(r"^/app\.[0-9a-f]{10}\.js$", u) for u in urls), urls
    assert not any("lazy" in u for u in urls), urls
    assert [re.sub(r"\.[0-9a-f]{10}\.", ".", w["url"]) for w in warm] == ["/lazy.js"], warm
    assert opts["skipWaiting"] is False and opts["clientsClaim"] is False
    build_with(tmp, src, {"warmBudgetBytes": 10})
    assert sw_lists(os.path.join(tmp, "dist"))[1] == [], "a chunk over the warm budget is listed"
    assert opts["cleanupOutdatedCaches"] is True and opts["navigationPreload"] is True


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


@test("a precache over precacheBudgetBytes is an error with the total and the budget")
def _(tmp):
    src = small_site(tmp)
    rc, _, err = build_with(tmp, src, {"precacheBudgetBytes": 100}, check=False)
    assert rc == 1, rc
    assert re.search(r"sw\.json: the precache would hold \d+ bytes, over precacheBudgetBytes "
                     r"\(100\)", err), err


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
