"""End-to-end tests of the lowering (issue 15) on every bundle fixture, seeded
random module graphs and site-example: kiln-build --bundle at the default
target, --target es2017 and --target es2020.

The reference is the original: the --no-bundle release (the source modules,
fingerprinted) run in Node under tests/es5/dom_shim.js as a module browser
runs it (run_page.py, engine node, mode modern). The same shim in Duktape, an
ES5.1 engine without Promise, runs each bundled release's legacy path (what
IE 11 runs: classic and nomodule scripts, the twins they load) and must show
the same: window.__log and __done for a fixture (what the browser test
compares), the page's text and markers for site-example. The modern chunks
of each target run in Node under the shim and must show the same too.
es-check: es5 on every script a nomodule browser runs, es2017 / es2020 on
the modules of those targets' releases.

Like tests/browser/test_bundle.mjs, a fixture left unbundled has no twins
and one whose page holds an inline module script no legacy equivalent of it.
Environment: KILN_LOWER_FIXTURES (a regular expression: only those
fixtures, no random graphs), KILN_LOWER_RANDOM (how many random graphs; 8).
"""
import atexit
import json
import os
import re
import shutil
import sys
import tempfile

from kt import FIXTURES, SITE, build, run_all, test

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "es5"))
from run_page import es_check, legacy_scripts, run_page  # noqa: E402

CACHE = tempfile.mkdtemp(prefix="kiln-lower-e2e-")
atexit.register(shutil.rmtree, CACHE, True)
MODES = {"original": ("--no-bundle",), "default": ("--bundle",),
         "es2017": ("--bundle", "--target", "es2017"),
         "es2020": ("--bundle", "--target", "es2020")}
SITE_PAGES = ("index.html", "about.html", "docs/guide.html")
SITE_ACTIONS = ("#show-chart", ".theme-toggle")
ONLY = re.compile(os.environ["KILN_LOWER_FIXTURES"]) if os.environ.get("KILN_LOWER_FIXTURES") \
    else None
RANDOM = 0 if ONLY else int(os.environ.get("KILN_LOWER_RANDOM", "8"))
_built = {}


def release(name, mode):
    """The release of source `name` (a fixture, random-N or site-example)
    built in `mode`, once per run; returns (dist, kiln-build's stderr)."""
    key = (name, mode)
    if key not in _built:
        src = SITE if name == "site-example" else os.path.join(
            CACHE, "src", name) if name.startswith("random-") else os.path.join(FIXTURES, name)
        dist = os.path.join(CACHE, f"{name}-{mode}")
        _, _, err = build(src, dist, "--no-sw", *MODES[mode], encodings="none")
        _built[key] = (dist, err)
    return _built[key]


def shows(state):
    """What a fixture page shows, as the browser test compares it."""
    return {"log": state["log"], "done": state["done"], "errors": state["errors"]}


def reference(name):
    st = run_page(release(name, "original")[0], engine="node", mode="modern")
    assert st["done"] and not st["errors"], \
        f"the original does not finish under the shim in Node: {st['errors']}\n{st['output']}"
    return shows(st)


def has_legacy(name):
    """False where the browser test forces no legacy path either."""
    if "unbundled" in release(name, "default")[1]:
        return False
    if name.startswith("random-"):
        return True
    with open(os.path.join(FIXTURES, name, "index.html"), encoding="utf-8") as f:
        return not re.search(r'<script type="module">', f.read())


def same(what, want, got):
    assert want == got, (f"{what} differs:\n  original {json.dumps(want, ensure_ascii=False)}\n"
                         f"  {what:8} {json.dumps(got, ensure_ascii=False)}")


def modern_chunks(dist):
    """The module scripts of a release: every .js but the legacy twins, the
    classic scripts the pages name, and the original modules a chunk now
    holds, which stay unchanged and unreferenced under their own names (only
    files the pages load are fingerprinted: NAME.0123456789.js)."""
    classic = set(legacy_scripts(dist)[0])
    out = []
    for d, _, names in os.walk(dist):
        for n in names:
            p = os.path.join(d, n)
            if (re.search(r"\.[0-9a-f]{10}\.js$", n) and ".legacy." not in n
                    and p not in classic):
                out.append(p)
    return sorted(out)


# ---- random module graphs: tests/browser/test_bundle.mjs's randomSite, ported ----------

def _rng(seed):
    x = seed * 2654435761 % 4294967296 or 1

    def r():
        nonlocal x
        x ^= (x << 13) & 0xFFFFFFFF
        x ^= x >> 17
        x ^= (x << 5) & 0xFFFFFFFF
        return x / 4294967296
    return r


def random_site(seed, d):
    """The same graph as test_bundle.mjs's randomSite(seed) (same generator,
    same draws), so both tests see the same sites."""
    r = _rng(seed + 1)

    def rint(a, b):
        return a + int(r() * (b - a + 1))

    def sample(n, k):
        v = list(range(n))
        for i in range(n - 1, 0, -1):
            j = rint(0, i)
            v[i], v[j] = v[j], v[i]
        return v[:k]
    n = rint(3, 9)
    entries = sorted(set(sample(n, rint(1, 2))))
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "index.html"), "w") as f:
        f.write("<!doctype html><script>window.__log = []; "
                f"window.__dynq = []; window.__pending = {len(entries)};</script>\n" +
                "".join(f'<script type="module" src="./m{e}.js"></script>\n' for e in entries))
    for i in range(n):
        deps = sample(n, rint(0, min(3, n)))
        L = []
        kinds = [["named", "named", "bare", "ns" if seed % 3 == 0 else "named"][rint(0, 3)]
                 for _ in deps]
        for j, k in zip(deps, kinds):
            if k == "named":
                L.append(f'import {{ v{j} as i{j}, bump{j} as b{j} }} from "./m{j}.js";')
            elif k == "ns":
                L.append(f'import * as ns{j} from "./m{j}.js";')
            else:
                L.append(f'import "./m{j}.js";')
        L += [f'__log.push("eval m{i}");', f"export let v{i} = {i};",
              f"export function bump{i}() {{ v{i} += 10; return v{i}; }}",
              f'const local = "m{i}";', "function helper() { return local; }"]
        for j, k in zip(deps, kinds):
            if k == "named":
                L.append(f'try {{ __log.push("m{i} sees m{j} " + i{j} + " " + b{j}() + " " + i{j}'
                         f' + " " + helper()); }} catch (e) {{ __log.push("m{i} " + e.name); }}')
            elif k == "ns":
                L.append(f'try {{ __log.push("m{i} ns m{j} " + Object.keys(ns{j}).join("|") + " "'
                         f' + ns{j}.v{j}); }} catch (e) {{ __log.push("m{i} " + e.name); }}')
        j = rint(0, n - 1)
        if j != i and r() < 0.4:
            L.append(f'__dynq.push(() => import("./m{j}.js").then((m) => __log.push("dyn m{i} m{j} "'
                     f' + m.v{j} + " " + Object.keys(m).join("|"))));')
        if i in entries:
            L.append("if (--window.__pending === 0) setTimeout(async () => { for (const f of __dynq)"
                     " await f(); window.__done = true; }, 0);")
        with open(os.path.join(d, f"m{i}.js"), "w") as f:
            f.write("\n".join(L) + "\n")


# ---- the tests -------------------------------------------------------------------------

NAMES = sorted(n for n in os.listdir(FIXTURES)
               if os.path.exists(os.path.join(FIXTURES, n, "index.html"))
               and (not ONLY or ONLY.search(n)))


# What a fixture's legacy path shows differently for a reason that is not a
# bug, applied to the original's log before comparing: (fixture, text in the
# original, text in Duktape, why).
KNOWN = (
    ("minify", "AsyncFunction", "Function",
     "a lowered async function is a function returning a promise: ES5 has no AsyncFunction"),
    ("minify", "[/*]+", "[\\/*]+", "Duktape escapes '/' in a RegExp's source"),
)


def expected_in_duktape(name, want):
    log = want["log"]
    for fixture, orig, duk, _why in KNOWN:
        if fixture == name and log:
            log = [x.replace(orig, duk) if isinstance(x, str) else x for x in log]
    return dict(want, log=log)


def fixture_tests(name):
    @test(f"{name}: the legacy path in Duktape (ES5, no Promise) logs what the original logs")
    def _(tmp):
        if not has_legacy(name):
            return  # the browser test's rule: nothing legacy to force
        want = expected_in_duktape(name, reference(name))
        got = run_page(release(name, "default")[0], engine="duk")
        same("legacy", want, shows(got))

    @test(f"{name}: the modern chunks at es2017, es2020 and the default log what the original logs")
    def _(tmp):
        want = reference(name)
        for mode in ("es2017", "es2020", "default"):
            same(mode, want, shows(run_page(release(name, mode)[0], engine="node", mode="modern")))


for _name in NAMES:
    fixture_tests(_name)


if not ONLY:
    @test("site-example: the legacy path in Duktape shows and does what the original does, "
          "page by page, before and after the chart and theme clicks")
    def _(tmp):
        keys = ("text", "theme", "js", "year", "title", "console", "errors")
        for page in SITE_PAGES:
            want = run_page(release("site-example", "original")[0], page, engine="node",
                            mode="modern", actions=SITE_ACTIONS)
            assert want["js"] == "ready" and not want["errors"], (page, want["errors"])
            for mode, engine, how in (("default", "duk", "legacy"), ("es2017", "node", "modern"),
                                      ("es2020", "node", "modern"), ("default", "node", "modern")):
                got = run_page(release("site-example", mode)[0], page, engine=engine, mode=how,
                               actions=SITE_ACTIONS)
                for k in keys:
                    same(f"{page} {mode} {engine} {k}", want[k], got[k])
                    same(f"{page} {mode} {engine} {k} before the clicks", want["before"][k],
                         got["before"][k])

    @test(f"{RANDOM} seeded random module graphs: the legacy path in Duktape logs what the "
          "original logs (the bundled ones)")
    def _(tmp):
        bad = []
        for i in range(RANDOM):
            name = f"random-{i}"
            random_site(i, os.path.join(CACHE, "src", name))
            if not has_legacy(name):
                continue
            want = reference(name)
            got = shows(run_page(release(name, "default")[0], engine="duk"))
            if want != got:
                bad.append(f"{name}:\n  original {json.dumps(want)}\n  legacy   {json.dumps(got)}")
        assert not bad, "\n".join(bad)


def _all_names():
    return NAMES + ([] if ONLY else ["site-example"])


@test("es-check es5 passes every script a nomodule browser runs (twins, classic and nomodule "
      "scripts, kiln's inline ones) of every fixture and site-example")
def _(tmp):
    files, inline = [], []
    for name in _all_names():
        f, i = legacy_scripts(release(name, "default")[0])
        # A page's own inline classic scripts are the author's, as they wrote
        # them (kiln lowers the twins and writes its own inline scripts).
        own = set(legacy_scripts(release(name, "original")[0])[1])
        files += f
        inline += [(f"{name}-inline-{k}", t) for k, t in enumerate(dict.fromkeys(i)) if t not in own]
    ok, text = es_check("es5", files + inline)
    assert ok, text


def keeps_top_await(path):
    """A chunk that keeps top-level await below es2022: kiln's pages then send
    browsers without it to the legacy twins (bundling.md, "Browser support")."""
    with open(path, encoding="utf-8") as f:
        return re.search(r"^(?:await\b|const \w+ = await\b)|, await 0;", f.read(), re.M)


@test("es-check es2017 passes every module of the --target es2017 releases; es2020 those of "
      "--target es2020 (chunks that keep top-level await: es2022, and their pages check for it)")
def _(tmp):
    for version in ("es2017", "es2020"):
        files, tla = [], []
        for name in _all_names():
            dist = release(name, version)[0]
            for f in modern_chunks(dist):
                (tla if keeps_top_await(f) else files).append(f)
            if any(keeps_top_await(f) for f in modern_chunks(dist)):
                with open(os.path.join(dist, "index.html"), encoding="utf-8") as page:
                    assert "if(0)await 0;" in page.read(), (name, version)
        ok, text = es_check(version, files, module=True)
        assert ok, f"{version}:\n{text}"
        ok, text = es_check("es2022", tla, module=True)
        assert ok, f"{version} (top-level await):\n{text}"


run_all()
