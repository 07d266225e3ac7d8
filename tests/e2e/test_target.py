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

from kt import (ROOT, by_source, decode_mappings, kiln_build, read, run_all, test,
                write)

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


@test("a lowered chunk's source map still points at the original modules' text")
def _(tmp):
    src = site(tmp, MODERN)
    dist = os.path.join(tmp, "d")
    build(src, dist, "--target", "es2017")
    m = by_source(dist)
    text = chunk(dist)
    url = re.search(r"^//# sourceMappingURL=(\S+)\n\Z", text, re.M).group(1)
    smap = json.loads(read(dist, url))
    assert smap["sources"] == ["./counter.js", "./main.js"], smap["sources"]
    lines = text.split("\n")
    segs = decode_mappings(smap["mappings"])
    assert len(segs) > 20, segs
    origs = [c.split("\n") for c in smap["sourcesContent"]]
    for gl, gc, si, ol, oc in segs:
        assert gl < len(lines) and gc <= len(lines[gl]), (gl, gc)
        assert ol < len(origs[si]) and oc <= len(origs[si][ol]), (si, ol, oc)

    def at(needle):
        """The original text the segment starting where needle is printed points at."""
        gl = next(i for i, line in enumerate(lines) if needle in line)
        gc = lines[gl].index(needle)
        seg = next(s for s in segs if s[0] == gl and s[1] == gc)
        return origs[seg[2]][seg[3]][seg[4]:]
    # Code the lowering left alone maps to itself...
    for same in ("const c = new Counter();", "c.bump();", "const opts = { label: null };",
                 "get value() {", "class Counter {"):
        assert at(same).startswith(same.rstrip(" {")), (same, at(same))
    # ... and what it rewrote maps to the construct it replaces.
    assert at("_privateSet(this").startswith("this.#n++"), at("_privateSet(this")
    assert at("_defineField(Counter").startswith("static made = 0"), at("_defineField(Counter")
    assert at("(_c$bump = c.bump)").startswith("c.bump?.()"), at("(_c$bump = c.bump)")
    # Every original line that holds code is reached by some segment.
    for si, name in enumerate(smap["sources"]):
        wanted = {i for i, line in enumerate(origs[si]) if line.strip() not in ("", "}")}
        got = {ol for _, _, s, ol, _ in segs if s == si}
        assert wanted <= got, (name, sorted(wanted - got))
    assert "main.bundle.js.map" in m


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
