"""End-to-end tests of kiln-build's lowering stage (builder/lower/) as the
bundler uses it: --target for the modern chunks (what it lowers, the chunk
left byte for byte when nothing needs it, the source map composed through
the lowering), the legacy twins lowered to ES5 with their runtime helpers
inside the System.register frame and the page's polyfills before the loader
(--legacy-polyfills), what the report says, and the errors for what cannot
be lowered. Running the outputs in real engines is tests/e2e/test_lower.py
and tests/lower/run_corpus.py."""
import base64
import hashlib
import json
import os
import re
import shutil
import subprocess

from kt import (ROOT, by_source, decode_mappings, encode_mappings, kiln_build, read, run_all,
                test, write)

PAGE = '<!doctype html><title>t</title><script type="module" src="./main.js"></script>\n'

MODERN = {
    "index.html": PAGE,
    "main.js": """import { Counter } from './counter.js';
const c = new Counter();
c.bump?.();
c.bump();
const opts = { label: null };
console.log(`count ${c.value}`, opts.label ?? 'none', Counter.made);
""",
    "counter.js": """export class Counter {
  #n = 0;
  static made = 0;
  bump() { this.#n++; Counter.made ||= 1; }
  get value() { return this.#n; }
}
""",
}
EXPECTED = "count 2 none 1\n"


def site(tmp, files, name="site"):
    src = os.path.join(tmp, name)
    for rel, text in files.items():
        write(src, rel, text)
    return src


def build(src, dist, *opts, check=True):
    return kiln_build("-q", "--no-cache", "--encodings", "none", *opts, "-o", dist, src,
                      check=check)


def chunk(dist, source="main.js"):
    return read(dist, by_source(dist)[source]["file"])


def run_module(tmp, text):
    """Runs a chunk that imports nothing as an ES module in Node."""
    path = os.path.join(tmp, "run.mjs")
    with open(path, "w") as f:
        f.write(text)
    p = subprocess.run(["node", path], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    return p.stdout


@test("--target es2017 lowers fields, private members, ?., ?? and ||= in a modern chunk, which still runs")
def _(tmp):
    src = site(tmp, MODERN)
    dist = os.path.join(tmp, "d17")
    build(src, dist, "--target", "es2017")
    text = chunk(dist)
    for modern in ("#n", "?.", "??", "||=", "static made"):
        assert modern not in text, (modern, text)
    assert run_module(tmp, text) == EXPECTED
    # The untouched original behaves the same (the expectation is not the tool's).
    orig = os.path.join(tmp, "orig")
    shutil.copytree(src, orig)
    os.rename(os.path.join(orig, "main.js"), os.path.join(orig, "main.mjs"))
    os.rename(os.path.join(orig, "counter.js"), os.path.join(orig, "counter.mjs"))
    with open(os.path.join(orig, "main.mjs")) as f:
        m = f.read().replace("./counter.js", "./counter.mjs")
    with open(os.path.join(orig, "main.mjs"), "w") as f:
        f.write(m)
    p = subprocess.run(["node", os.path.join(orig, "main.mjs")], capture_output=True, text=True)
    assert p.stdout == EXPECTED, p


@test("a chunk with nothing above its target is written byte for byte as with --target esnext")
def _(tmp):
    src = site(tmp, MODERN)
    texts = {}
    for t in ("esnext", "baseline", "es2022"):
        dist = os.path.join(tmp, t)
        build(src, dist, "--target", t, "--no-legacy")
        texts[t] = chunk(dist)
    assert texts["esnext"] == texts["baseline"] == texts["es2022"]
    assert "#n" in texts["baseline"] and "??" in texts["baseline"]
    # The default is the baseline.
    dist = os.path.join(tmp, "default")
    build(src, dist, "--no-legacy")
    assert chunk(dist) == texts["baseline"]


@test("the baseline lowers class static blocks, which Safari 16.0-16.3 lacks; es2022 keeps them")
def _(tmp):
    src = site(tmp, {"index.html": PAGE,
                     "main.js": "class A { static x = 1; static { A.y = A.x + 1; } }\n"
                                "console.log(A.x, A.y);\n"})
    base, es22 = os.path.join(tmp, "b"), os.path.join(tmp, "e")
    build(src, base, "--no-legacy")
    build(src, es22, "--target", "es2022", "--no-legacy")
    assert "static {" not in chunk(base) and "static x = 1" in chunk(base), chunk(base)
    assert "static {" in chunk(es22)
    assert run_module(tmp, chunk(base)) == "1 2\n"


def source_map(dist, name, text):
    """The source map a file's last line names: (map, the file's lines, its
    segments, each source's lines), each segment checked to be in range."""
    url = re.search(r"^//# sourceMappingURL=(\S+)\n\Z", text, re.M).group(1)
    smap = json.loads(read(dist, os.path.join(os.path.dirname(name), url)))
    assert smap["version"] == 3 and len(smap["sources"]) == len(smap["sourcesContent"]), smap
    lines = text.split("\n")
    segs = decode_mappings(smap["mappings"])
    origs = [(c or "").split("\n") for c in smap["sourcesContent"]]
    for gl, gc, si, ol, oc in segs:
        assert gl < len(lines) and gc <= len(lines[gl]), (gl, gc)
        assert ol < len(origs[si]) and oc <= len(origs[si][ol]), (si, ol, oc)
    return smap, lines, segs, origs


def origin(mapped, needle, nth=0):
    """The original text that the segment starting where needle is printed
    (its nth appearance) points at."""
    _, lines, segs, origs = mapped
    at = [(i, m.start()) for i, line in enumerate(lines) for m in re.finditer(re.escape(needle), line)]
    gl, gc = at[nth]
    seg = next((s for s in segs if s[0] == gl and s[1] == gc), None)
    assert seg, (needle, gl, gc, [s for s in segs if s[0] == gl])
    return origs[seg[2]][seg[3]][seg[4]:]


def lines_reached(mapped):
    """Whether every original line that holds code is reached by a segment."""
    smap, _, segs, origs = mapped
    for si, name in enumerate(smap["sources"]):
        wanted = {i for i, line in enumerate(origs[si]) if line.strip() not in ("", "}")}
        got = {ol for _, _, s, ol, _ in segs if s == si}
        assert wanted <= got, (name, sorted(wanted - got))


@test("a lowered chunk's source map still points at the original modules' text")
def _(tmp):
    src = site(tmp, MODERN)
    dist = os.path.join(tmp, "d")
    build(src, dist, "--target", "es2017")
    mapped = source_map(dist, "", chunk(dist))
    assert mapped[0]["sources"] == ["./counter.js", "./main.js"], mapped[0]["sources"]
    assert len(mapped[2]) > 20, mapped[2]
    # Code the lowering left alone maps to itself...
    for same in ("const c = new Counter();", "c.bump();", "const opts = { label: null };",
                 "get value() {", "class Counter {"):
        assert origin(mapped, same).startswith(same.rstrip(" {")), (same, origin(mapped, same))
    # ... and what it rewrote maps to the construct it replaces.
    assert origin(mapped, "_privateSet(this").startswith("this.#n++")
    assert origin(mapped, "_defineField(Counter").startswith("static made = 0")
    assert origin(mapped, "(_c$bump = c.bump)").startswith("c.bump?.()")
    lines_reached(mapped)
    assert "main.bundle.js.map" in by_source(dist)


@test("a legacy twin has a source map through the lowering, past its loader and polyfills")
def _(tmp):
    src = site(tmp, MODERN)
    dist = os.path.join(tmp, "d")
    build(src, dist)
    m = by_source(dist)
    name = m["main.legacy.js"]["file"]
    text = read(dist, name)
    assert "kiln legacy loader" in text and "WeakMap" in text, text[:300]  # polyfills first
    mapped = source_map(dist, name, text)
    assert m["main.legacy.js.map"]["file"] == re.search(r"sourceMappingURL=(\S+)", text).group(1)
    assert mapped[0]["sources"] == ["./counter.js", "./main.js"], mapped[0]["sources"]
    assert mapped[0]["sourcesContent"] == [MODERN["counter.js"], MODERN["main.js"]]
    # ES5 for what was modern, each piece at the construct it comes from.
    assert origin(mapped, "var c = new Counter();").startswith("const c = new Counter();")
    assert origin(mapped, "c.bump();").startswith("c.bump();")
    assert origin(mapped, "var opts = {").startswith("const opts = { label: null };")
    assert origin(mapped, '"count "').startswith("`count ${c.value}`")
    assert origin(mapped, "_privateSet(this").startswith("this.#n++")
    assert origin(mapped, "_defineField(Counter").startswith("static made = 0")
    lines_reached(mapped)
    # The service worker leaves twins and maps out of its precache.
    assert name not in read(dist, "sw.js") and m["main.legacy.js.map"]["file"] not in read(dist, "sw.js")


APP_TS = """const greet = (n: number): string => `hi ${n}`;
export function main(x: number): void {
  console.log(greet('kiln'), x);
}
"""
APP_JS = """const greet = (n) => `hi ${n}`;
export function main(x) {
    console.log(greet('kiln'), x);
}
"""
UTIL_TS = "export const twice = (v: number) => v * 2;\n"
UTIL_JS = "export const twice = (v) => v * 2;\n"


def token_map(gen, orig, tokens):
    """A compiler's segments: each line's tokens, found in order in the
    generated and the original line."""
    segs = []
    for line, toks in enumerate(tokens):
        g = o = 0
        for t in toks:
            g = gen.split("\n")[line].index(t, g)
            o = orig.split("\n")[line].index(t, o)
            segs.append((line, g, 0, line, o))
    return encode_mappings(segs)


def compiled_site(tmp):
    """main.js imports app.js, compiled from ../src/app.ts (its map beside
    it, with the TypeScript embedded) and util.js (an inline data: map whose
    source, util.ts, ships beside it without sourcesContent)."""
    app_map = {"version": 3, "file": "app.js", "sources": ["../src/app.ts"],
               "sourcesContent": [APP_TS], "names": [],
               "mappings": token_map(APP_JS, APP_TS, [["const", "greet", "(n", "`hi"],
                                                      ["export", "function", "main", "(x"],
                                                      ["console", "greet('kiln')", "x)"], ["}"]])}
    util_map = {"version": 3, "sources": ["util.ts"], "names": [],
                "mappings": token_map(UTIL_JS, UTIL_TS, [["export", "const", "twice", "(v", "v * 2"]])}
    inline = base64.b64encode(json.dumps(util_map).encode()).decode()
    return site(tmp, {
        "index.html": PAGE,
        "main.js": "import { main } from './app.js';\nimport { twice } from './util.js';\n"
                   "main(twice(2));\n",
        "app.js": APP_JS + "//# sourceMappingURL=app.js.map\n",
        "app.js.map": json.dumps(app_map),
        "util.js": UTIL_JS + "//# sourceMappingURL=data:application/json;base64," + inline + "\n",
        "util.ts": UTIL_TS,
    })


@test("modules' own source maps are composed: the chunk's and the twin's maps point at the TypeScript")
def _(tmp):
    src = compiled_site(tmp)
    dist = os.path.join(tmp, "d")
    build(src, dist)
    m = by_source(dist)
    for name in (m["main.js"]["file"], m["main.legacy.js"]["file"]):
        mapped = source_map(dist, name, read(dist, name))
        smap = mapped[0]
        assert sorted(smap["sources"]) == ["../src/app.ts", "./main.js", "./util.ts"], smap
        content = dict(zip(smap["sources"], smap["sourcesContent"]))
        assert content["../src/app.ts"] == APP_TS and content["./util.ts"] == UTIL_TS, content
        # Token-level segments of the input maps come through.
        assert origin(mapped, "greet('kiln')").startswith("greet('kiln'), x);"), name
        assert origin(mapped, "main(twice(2));").startswith("main(twice(2));"), name
        assert origin(mapped, "function main(x)").startswith("function main(x: number)"), name
        if "legacy" in name:  # lowered: each piece at the construct it comes from
            assert origin(mapped, "var greet").startswith("const greet"), name
            assert origin(mapped, "var twice").startswith("const twice = (v: number)"), name
        else:
            assert origin(mapped, "const greet").startswith("const greet = (n: number)"), name
            assert origin(mapped, "const twice").startswith("const twice = (v: number)"), name
        assert not any(s.startswith("./app.js") for s in smap["sources"])


@test("a module's map that is not valid is a warning; the chunk's map then points at the module")
def _(tmp):
    src = compiled_site(tmp)
    write(src, "app.js.map", '{"version": 3, "sources": ["a.ts"], "mappings": "AC"}')
    dist = os.path.join(tmp, "d")
    _, _, err = build(src, dist)
    assert re.search(r"app\.js\.map: the \"mappings\" are not valid", err), err
    m = by_source(dist)
    mapped = source_map(dist, m["main.js"]["file"], read(dist, m["main.js"]["file"]))
    assert sorted(mapped[0]["sources"]) == ["./app.js", "./main.js", "./util.ts"], mapped[0]
    assert origin(mapped, "    console.log(greet").startswith("    console.log(greet('kiln'), x);")


@test("a module left unbundled is lowered in place with a map of its own, through its own map")
def _(tmp):
    util_ts = "export const twice = (v: number) => (v ?? 0) * 2;\n"
    util_js = "export const twice = (v) => (v ?? 0) * 2;\n"
    util_map = {"version": 3, "sources": ["util.ts"], "names": [],
                "mappings": token_map(util_js, util_ts,
                                      [["export", "const", "twice", "(v", "(v ?? 0)"]])}
    inline = base64.b64encode(json.dumps(util_map).encode()).decode()
    main = ("import { twice } from './util.js';\n"
            "class A {\n  #x = twice(2);\n  get x() { return this.#x; }\n}\n"
            "console.log(import.meta.url, new A().x ?? 0);\n")
    src = site(tmp, {"index.html": PAGE, "main.js": main,
                     "util.js": util_js + "//# sourceMappingURL=data:application/json;base64," +
                     inline + "\n", "util.ts": util_ts})
    dist = os.path.join(tmp, "d")
    _, _, err = build(src, dist, "--target", "es2017")
    assert "left unbundled" in err, err
    m = by_source(dist)
    text = read(dist, m["main.js"]["file"])
    assert "#x" not in text and "??" not in text, text
    assert m["main.lowered.js.map"]["file"] == re.search(r"sourceMappingURL=(\S+)", text).group(1)
    mapped = source_map(dist, m["main.js"]["file"], text)
    assert mapped[0]["sources"] == ["./main.js"] and mapped[0]["sourcesContent"] == [main], mapped[0]
    assert origin(mapped, "_privateGet(this").startswith("this.#x")
    assert origin(mapped, "console.log(import.meta.url").startswith("console.log(import.meta.url")
    lines_reached(mapped)
    util = read(dist, m["util.js"]["file"])
    assert "??" not in util, util
    mapped = source_map(dist, m["util.js"]["file"], util)
    assert mapped[0]["sources"] == ["./util.ts"] and mapped[0]["sourcesContent"] == [util_ts]
    assert origin(mapped, "export const twice").startswith("export const twice = (v: number)")


@test("a bundler's own chunk stays as it is; its twin's map goes through the bundler's map")
def _(tmp):
    main_ts = "const greet = (n: string) => `hi ${n}`;\nconsole.log(greet('kiln'));\n"
    out = "const o=n=>`hi ${n}`;console.log(o(\"kiln\"));\n"
    segs = [(0, out.index(t), 0, *pos) for t, pos in
            (("const", (0, 0)), ("o=", (0, 6)), ("n=>", (0, 15)), ("`hi", (0, 29)),
             ("console", (1, 0)), ("o(", (1, 12)), ('"kiln"', (1, 18)))]
    name = "assets/index-4f3a9c1e.js"
    src = site(tmp, {
        "index.html": '<!doctype html><title>t</title><script type="module" src="/' + name +
                      '"></script>\n',
        name: out + "//# sourceMappingURL=index-4f3a9c1e.js.map\n",
        name + ".map": json.dumps({"version": 3, "sources": ["../../src/main.ts"],
                                   "sourcesContent": [main_ts], "names": [],
                                   "mappings": encode_mappings(segs)}),
    })
    dist = os.path.join(tmp, "d")
    build(src, dist)
    m = by_source(dist)
    assert read(dist, m[name]["file"]) == read(src, name)  # Vite's file, byte for byte
    twin = m["assets/index-4f3a9c1e.legacy.js"]["file"]
    mapped = source_map(dist, twin, read(dist, twin))
    assert mapped[0]["sources"] == ["../../src/main.ts"], mapped[0]
    assert mapped[0]["sourcesContent"] == [main_ts]
    assert origin(mapped, "console.log(o(").startswith("console.log(greet('kiln'));")
    assert origin(mapped, '"kiln"').startswith("'kiln'")
    assert origin(mapped, "var o = function o(n)").startswith("const greet")


@test("the legacy twin is ES5 with its runtime helpers inside its System.register frame")
def _(tmp):
    src = site(tmp, MODERN)
    dist = os.path.join(tmp, "d")
    build(src, dist)
    twin = read(dist, by_source(dist)["main.legacy.js"]["file"])
    frame = twin.index("System.register([")
    code = re.sub(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'', '""', twin[frame:])
    for modern in ("=>", "class ", "let ", "const ", "`", "#n", "?.", "??", "||="):
        assert modern not in code, (modern, code)
    helpers = re.findall(r"function (_[A-Za-z]+)\(", twin)
    assert helpers, twin
    # Every helper is declared inside the frame, not as a global.
    for h in helpers:
        assert twin.index("function %s(" % h) > frame, h
    es_check = os.path.join(ROOT, "tests/browser/node_modules/.bin/es-check")
    path = os.path.join(tmp, "twin.js")
    with open(path, "w") as f:
        f.write(twin)
    p = subprocess.run([es_check, "es5", path, "--silent"], capture_output=True, text=True)
    assert p.returncode == 0, p.stdout + p.stderr


@test("a page's twin starts with the polyfills its twins use, before the loader; the report lists them")
def _(tmp):
    files = dict(MODERN)
    files["main.js"] += ("const lazy = () => import('./lazy.js');\n"
                         "lazy().then((m) => console.log(m.has('b')));\n")
    files["lazy.js"] = "export const has = (x) => ['a', 'b'].includes(x);\n"
    src = site(tmp, files)
    dist = os.path.join(tmp, "d")
    report = os.path.join(tmp, "report.json")
    build(src, dist, "--report", report)
    m = by_source(dist)
    twin = read(dist, m["main.legacy.js"]["file"])
    loader = twin.index("kiln legacy loader")
    pf = twin[:loader]
    assert "Promise" in pf and "includes" in pf, pf[:400]
    lowering = json.load(open(report))["lowering"]
    assert lowering["target"] == "baseline" and lowering["legacy"] == "es5", lowering
    [page] = lowering["polyfills"]
    names = [p["name"] for p in page["polyfills"]]
    # The lazy twin's includes() counts for the page that may import() it.
    assert "Promise" in names and "Array.prototype.includes" in names, names
    assert page["bytes"] == sum(p["bytes"] for p in page["polyfills"]) > 0
    assert page["twin"] == m["main.legacy.js"]["file"].lstrip("/"), page
    # The modern chunk and the lazy twin carry none.
    assert "kiln legacy loader" not in chunk(dist)
    lazy_twin = read(dist, m["lazy.legacy.js"]["file"])
    assert not lazy_twin.lstrip().startswith(pf.lstrip()[:40])
    # --legacy-polyfills none: the twin starts with the loader.
    dist2 = os.path.join(tmp, "d2")
    build(src, dist2, "--legacy-polyfills", "none", "--report", report)
    twin2 = read(dist2, by_source(dist2)["main.legacy.js"]["file"])
    assert twin2.lstrip().startswith("/*") and twin2.index("kiln legacy loader") < 200, twin2[:300]
    assert json.load(open(report))["lowering"]["polyfills"] == []


@test("what cannot be lowered is an error at the module's line and column; nothing is written")
def _(tmp):
    cases = [
        ("const big = 10n ** 3n;\n", [], "main.js:1:13: BigInt literals cannot be lowered to es5 "
                                         "(--no-legacy builds without the legacy twins)"),
        ("console.log(/(?<=a)b/.test('ab'));\n", [],
         "main.js:1:13: regular expression lookbehind cannot be lowered to es5"),
        ("console.log(/a/y.sticky);\n", [], "main.js:1:13: the regular expression flag 'y' cannot be lowered to es5"),
        ("const big = 10n;\n", ["--no-legacy", "--target", "es2017"],
         "main.js:1:13: BigInt literals cannot be lowered to es2017"),
        ("await 0;\n", ["--target", "es2017", "--no-legacy"],
         "main.js:1:1: top-level await cannot be lowered to es2017"),
    ]
    for i, (code, opts, message) in enumerate(cases):
        src = site(tmp, {"index.html": PAGE, "main.js": code}, "s%d" % i)
        dist = os.path.join(tmp, "d%d" % i)
        rc, _, err = build(src, dist, *opts, check=False)
        assert rc == 1 and message in err, (code, err)
        assert not os.path.exists(dist), dist
    # Without twins, and with a target that has them, the same code builds.
    src = site(tmp, {"index.html": PAGE, "main.js": "const big = 10n;\nawait 0;\n"}, "ok")
    build(src, os.path.join(tmp, "ok-dist"), "--no-legacy")


@test("a module nested so deeply that its ES5 twin would pass the parser's 1,000 levels: an error "
      "at the module's line, nothing written; the modern chunk alone builds")
def _(tmp):
    # 200 nested arrows parse in about 600 levels; as ES5 functions with
    # return statements, inside the twin's System.register, they pass 1,000.
    code = "var f = " + "() => " * 200 + "0;\nconsole.log(typeof f);\n"
    src = site(tmp, {"index.html": PAGE, "main.js": code})
    dist = os.path.join(tmp, "d")
    rc, _, err = build(src, dist, check=False)
    assert rc == 1 and not os.path.exists(dist), err
    assert re.search(r"main\.js:1:\d+: nesting too deep once lowered to es5 \(more than 1000 "
                     r"levels\) \(in the legacy twin; --no-legacy builds without it\)", err), err
    assert "internal error" not in err, err
    # The modern chunk is not parsed again (docs/internals/lowering.md).
    build(src, os.path.join(tmp, "modern"), "--no-legacy", "--target", "es2017")


@test("below es2022 a chunk keeps top-level await, and its page's check sends browsers without it to the twins")
def _(tmp):
    src = site(tmp, {"index.html": PAGE,
                     "main.js": "const v = await Promise.resolve(a?.b ?? 2);\nvar a;\nconsole.log(v);\n"})
    dist = os.path.join(tmp, "d")
    build(src, dist, "--target", "es2017")
    text = chunk(dist)
    assert "await Promise.resolve" in text and "?." not in text and "??" not in text, text
    # The guard: the chunk cannot parse where top-level await cannot.
    assert 'if (0) import.meta.url, import(""), await 0;' in text, text
    page = read(dist, "index.html")
    check = re.search(r'<script type="module">(import\.meta\.url;[^<]*)</script>', page).group(1)
    assert check.endswith("if(0)await 0;"), check
    # The manifest's CSP hash is that of the check the page has.
    digest = base64.b64encode(hashlib.sha256(check.encode()).digest()).decode()
    assert "'sha256-%s'" % digest in json.loads(read(dist, "kiln-manifest.json"))["csp"]["script-src"]
    # The twin runs the same module in an async execute, lowered to ES5.
    twin = read(dist, by_source(dist)["main.legacy.js"]["file"])
    assert "_asyncToGenerator" in twin and "async " not in twin[twin.index("System.register"):]
    # Where the target has top-level await, the plain check again.
    dist22 = os.path.join(tmp, "d22")
    build(src, dist22, "--target", "es2022")
    assert "if(0)await 0;" not in read(dist22, "index.html")
    assert "import(\"\"), await 0" not in chunk(dist22)


@test("--target takes es2017 .. es2023, esnext and baseline; anything else is a usage error")
def _(tmp):
    src = site(tmp, MODERN)
    for bad in ("es5", "es2016", "es2024x", ""):
        rc, _, err = build(src, os.path.join(tmp, "d"), "--target", bad, check=False)
        assert rc == 2 and "--target" in err, (bad, rc, err)
    rc, _, err = build(src, os.path.join(tmp, "d"), "--legacy-polyfills", "some", check=False)
    assert rc == 2 and "--legacy-polyfills" in err, err


run_all()
