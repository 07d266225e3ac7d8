"""End-to-end tests of kiln-build --bundle: the chunks it writes, the errors it
reports (exact file:line:col messages, exit 1, no release), the entry points
it leaves unbundled (with a warning), and how chunks go through
fingerprinting, integrity and the service worker. The browser test
(tests/browser/test_bundle.mjs) checks that the chunks behave as the
original modules do."""
import functools
import json
import os
import re
import subprocess

import kt
from kt import FIXTURES, ROOT, by_source, decode_mappings, manifest, read, run_all, test, write

PAGE = '<!doctype html><title>t</title><script type="module" src="{src}"></script>\n'
# No variants: these tests read the chunks, not their compressed twins.
build = functools.partial(kt.build, encodings="none")


def script_src(dist, page="index.html"):
    return re.search(r'<script type="module" src="([^"]+)"', read(dist, page)).group(1)


def site(tmp, files, page=PAGE.format(src="main.js")):
    src = os.path.join(tmp, "src")
    write(src, "index.html", page)
    for k, v in files.items():
        write(src, k, v)
    return src, os.path.join(tmp, "dist")


def fails_with(tmp, files, message, **kw):
    src, dist = site(tmp, files, **kw)
    rc, _, err = build(src, dist, "--bundle", check=False)
    assert rc == 1, (rc, err)
    assert f"kiln-build: error: {message}" in err, err
    assert not os.path.exists(dist), "a failed build wrote a release"


@test("--bundle is the default; --no-bundle serves the modules as they are, fingerprinted")
def _(tmp):
    dist = os.path.join(tmp, "dist")
    build(os.path.join(FIXTURES, "live"), dist)
    m = by_source(dist)
    assert m["counter.js"]["file"] == "counter.js", m
    assert not re.search(r"^\s*import\b", read(dist, m["main.js"]["file"]), re.M)
    build(os.path.join(FIXTURES, "live"), dist, "--no-bundle")
    m = by_source(dist)
    assert m["counter.js"]["file"].startswith("counter."), m
    assert "import" in read(dist, m["main.js"]["file"])


@test("a syntax error the import scanner tolerated is an error once bundling is the default")
def _(tmp):
    # A behaviour change from the scanner: a repeated declaration in a page's
    # module is a file:line:col error, exit 1; --no-bundle still copies it.
    files = {"main.js": 'import { a } from "./a.js";\nconsole.log(a);\n',
             "a.js": "export const a = 1;\nexport const a = 2;\n"}
    src, dist = site(tmp, files)
    rc, _, err = build(src, dist, check=False)
    assert rc == 1 and "kiln-build: error: a.js:2:14: " in err, (rc, err)
    assert not os.path.exists(dist), "a failed build wrote a release"
    _, _, err = build(src, dist, "--no-bundle")


@test("each fixture bundles into one chunk per entry without warnings")
def _(tmp):
    for name in ("cycles", "live", "default-ns", "reexports", "collisions", "tla"):
        dist = os.path.join(tmp, name)
        _, _, err = build(os.path.join(FIXTURES, name), dist, "--bundle", "--no-sw")
        assert err == "", (name, err)
        chunk = read(dist, script_src(dist))
        assert not re.search(r"^\s*(import|export)\b", chunk, re.M), (name, chunk)


@test("a bundled entry chunk is fingerprinted, with integrity, and replaces the entry module")
def _(tmp):
    dist = os.path.join(tmp, "dist")
    build(os.path.join(FIXTURES, "cycles"), dist, "--bundle")
    m = by_source(dist)
    main = m["main.js"]
    assert re.fullmatch(r"main\.[0-9a-f]{10}\.js", main["file"]), main
    assert main["class"] == "immutable"
    html = read(dist, "index.html")
    assert f'src="./{main["file"]}" integrity="{main["integrity"]}"' in html, html
    chunk = read(dist, main["file"])
    # a.js and b.js are inside, in evaluation order: b, a, main.
    assert chunk.index("// b.js") < chunk.index("// a.js") < chunk.index("// main.js"), chunk


@test("the original modules are copied unreferenced: not fingerprinted, not precached")
def _(tmp):
    dist = os.path.join(tmp, "dist")
    build(os.path.join(FIXTURES, "cycles"), dist, "--bundle")
    m = by_source(dist)
    assert m["a.js"]["file"] == "a.js" and m["a.js"]["class"] == "revalidate", m["a.js"]
    sw = read(dist, "sw.js")
    precache = sw[sw.index("const PRECACHE"):].split("\n", 1)[0]
    assert m["main.js"]["file"] in precache and '"/a.js"' not in precache, precache


@test("a module shared with an import() target goes to a common chunk with modulepreload")
def _(tmp):
    dist = os.path.join(tmp, "dist")
    _, _, err = build(os.path.join(FIXTURES, "dynamic-shared"), dist, "--bundle")
    assert err == "", err
    m = by_source(dist)
    common = m["shared_chunk.js"]
    assert re.fullmatch(r"shared_chunk\.[0-9a-f]{10}\.js", common["file"]), common
    html = read(dist, "index.html")
    assert (f'<link rel="modulepreload" href="./{common["file"]}" '
            f'integrity="{common["integrity"]}" crossorigin>') in html, html
    main = read(dist, m["main.js"]["file"])
    assert f'from "./{common["file"]}"' in main and f"import('./{m['lazy.js']['file']}')" in main
    # import('./shared.js') gets a facade that re-exports the common chunk.
    facade = read(dist, m["shared.js"]["file"])
    assert f'export {{ state as state }} from "./{common["file"]}"' in facade, facade


@test("colliding top-level names are renamed; function and class names stay observable")
def _(tmp):
    dist = os.path.join(tmp, "dist")
    build(os.path.join(FIXTURES, "collisions"), dist, "--bundle")
    chunk = read(dist, script_src(dist))
    # main.js is met first and keeps its names; one.js and two.js yield.
    assert "const name = 'main'" in chunk and "const name$1 = 'one'" in chunk, chunk
    assert "const name$2 = 'two'" in chunk and "__log.push([name, name$1, name$2]" in chunk, chunk
    assert "class Thing {" in chunk and "let Thing$1 = class Thing {" in chunk, chunk
    assert 'Object.defineProperty(helper$2, "name", { value: "helper" });' in chunk, chunk
    # A reference inside two.js's helper keeps its own local 'name'.
    assert "const name = 'inner'; return 'two helper ' + name;" in chunk, chunk


def utf16_slice(line, start, end=None):
    """line[start:end] counted in UTF-16 units, as the source map format counts."""
    units = line.encode("utf-16-le")
    return units[2 * start:None if end is None else 2 * end].decode("utf-16-le", "replace")


def check_segments(chunk, smap):
    """Asserts each segment points at the same text in the original (or at
    the construct an edit replaced); returns how many segments there are."""
    lines = chunk.split("\n")
    segs = decode_mappings(smap["mappings"])
    exact = 0
    for k, (gl, gc, si, ol, oc) in enumerate(segs):
        orig = utf16_slice(smap["sourcesContent"][si].split("\n")[ol], oc)
        # The segment runs to the next one on its line.
        end = segs[k + 1][1] if k + 1 < len(segs) and segs[k + 1][0] == gl else None
        gen = utf16_slice(lines[gl], gc, end)
        n = min(6, len(gen))
        # Copied text matches byte for byte; an edit (a renamed name, ';')
        # maps to where the original construct starts.
        if gen[:n] == orig[:n]:
            exact += 1
        elif gen.startswith(";") or re.match(r"[A-Za-z_$]", orig):
            continue  # an edit: a name, "let Thing$1 = class Thing", a removed import
        else:
            raise AssertionError((gl, gc, gen, orig))
    assert exact > len(segs) // 2, (exact, len(segs))
    return len(segs)


def check_source_map(tmp, fixture, *extra):
    dist = os.path.join(tmp, "dist" + "".join(extra))
    build(os.path.join(FIXTURES, fixture), dist, "--bundle", *extra)
    m = by_source(dist)
    chunk = read(dist, m["main.js"]["file"])
    url = re.search(r"^//# sourceMappingURL=(\S+)\n\Z", chunk, re.M).group(1)
    assert url == os.path.basename(m["main.bundle.js.map"]["file"]), (url, m.keys())
    smap = json.loads(read(dist, url))
    assert smap["version"] == 3, smap
    for i, s in enumerate(smap["sources"]):
        assert smap["sourcesContent"][i] == read(os.path.join(FIXTURES, fixture), s[2:])
    assert check_segments(chunk, smap) > 10
    return chunk, smap


@test("each chunk has a v3 source map whose segments point at the same text in the originals")
def _(tmp):
    _, smap = check_source_map(tmp, "collisions")
    assert smap["sources"] == ["./one.js", "./two.js", "./main.js"], smap


@test("a module that is not UTF-8 bundles as the browser decodes it (U+FFFD per ill-formed sequence)")
def _(tmp):
    # Bytes outside UTF-8 are copied as they are; the browser reads each as
    # U+FFFD, and so does kiln: E0 80 8A (an overlong U+000A) ends no comment,
    # C0 A8 (an overlong '(') opens no group. The source map's sourcesContent,
    # JSON, holds the text as decoded. Once "out of memory" (jansson refused
    # the map's text), and the lexer took E0 80 8A for a newline.
    files = {"main.js": b'import { a, one as uno } from "./a.js";\n'
                        b'globalThis.log = [a, "25\xb0C caf\xe9", /\xc0\xa8/.source.length, uno];'
                        b' // \xe0\x80\x8a globalThis.hidden = 1\n'
                        b'globalThis.log.push(typeof globalThis.hidden);\n',
             "a.js": b'export const a = "\xed\xa0\x80", one = 1;\n'}
    src, dist = site(tmp, files)
    build(src, dist, "--bundle", "--no-legacy")
    name = script_src(dist)
    chunk = read(dist, name, "rb")
    assert b'"25\xb0C caf\xe9"' in chunk and b'"\xed\xa0\x80"' in chunk, chunk
    assert b"hidden = 1" not in chunk, chunk  # a comment, dropped with the others
    path = os.path.join(tmp, "chunk.mjs")
    write(tmp, "chunk.mjs", chunk)
    p = subprocess.run(["node", "--input-type=module", "-e",
                        f"await import({json.dumps(path)}); console.log(JSON.stringify(globalThis.log))"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout) == ["\ufffd" * 3, "25\ufffdC caf\ufffd", 2, 1, "undefined"], p.stdout
    smap = json.loads(read(dist, re.search(r"sourceMappingURL=(\S+)", chunk.decode("latin-1")).group(1)))
    content = dict(zip(smap["sources"], smap["sourcesContent"]))
    assert content["./main.js"] == files["main.js"].decode("utf-8", "replace"), content
    assert content["./a.js"] == files["a.js"].decode("utf-8", "replace"), content
    # Columns count what the browser decodes, one per U+FFFD: the segment
    # of `uno` (now `one`) after B0, E9 and C0 A8 is where devtools shows
    # it, in both the chunk and main.js. Once each ill-formed byte counted
    # by its UTF-8 shape (B0 and A8 none), 2 columns early.
    text = chunk.decode("utf-8", "replace")
    check_segments(text, smap)
    line = next(i for i, s in enumerate(text.split("\n")) if s.startswith("globalThis.log = "))
    on_line = [c for gl, c, *_ in decode_mappings(smap["mappings"]) if gl == line]
    renamed = text.split("\n")[line].index(", one]") + 2
    assert renamed in on_line, (renamed, on_line, text.split("\n")[line])
    # The legacy twin's map composes the lowering's columns with the
    # bundle's: the same count on both sides.
    build(src, dist, "--bundle")
    twin = re.search(r'<script nomodule defer src="\./([^"]+)"', read(dist, "index.html")).group(1)
    text = read(dist, twin, "rb").decode("utf-8", "replace")
    url = re.search(r"sourceMappingURL=(\S+)", text).group(1)
    assert check_segments(text, json.loads(read(dist, url))) > 10


@test("--minify-whitespace drops comments and blanks, keeps line breaks, and its source map is exact")
def _(tmp):
    for fixture in ("collisions", "minify"):
        chunk, _ = check_source_map(tmp, fixture, "--minify-whitespace")
        for comment in ("A block comment", "division, not", "ASI: returns", "/* inside */",
                        "// one.js", "// main.js"):
            assert comment not in chunk, (comment, chunk)
        assert not re.search(r"^[ \t]", chunk, re.M) and "\n\n" not in chunk, chunk
    # The line breaks ASI depends on stay: `return` alone on its line.
    assert "return\n42" in chunk and "let c=a\n/b/g" in chunk, chunk
    # Strings, templates and regular expressions are untouched.
    assert "'string   with  spaces // not a comment /* nor this */'" in chunk, chunk
    assert "`line one\nline two`" in chunk and '/[/*]+ \\/ "\\/\\/ " \' /gi' in chunk, chunk
    assert "a- -b" in chunk and "a+ +b" in chunk and "a++ + ++b" in chunk, chunk
    assert "'</script'" in chunk and "(a-- >0)" in chunk, chunk
    n, _ = len(chunk), None
    full = os.path.join(tmp, "full")
    build(os.path.join(FIXTURES, "minify"), full, "--bundle", "--keep-comments")
    assert n < 0.8 * len(read(full, by_source(full)["main.js"]["file"])), n
    plain = os.path.join(tmp, "plain")
    build(os.path.join(FIXTURES, "minify"), plain, "--bundle")
    assert n < len(read(plain, by_source(plain)["main.js"]["file"])), n


@test("--minify-whitespace keeps BigInt literals apart from what follows (a site without legacy twins)")
def _(tmp):
    # BigInt cannot be lowered to ES5, so the twins would refuse it.
    src, dist = site(tmp, {"main.js": "const big = 10n ** 2n, n = 1n;\nconsole.log(String(big), n in {});\n"})
    build(src, dist, "--bundle", "--no-legacy", "--minify-whitespace")
    chunk = read(dist, by_source(dist)["main.js"]["file"])
    assert "big=10n**2n,n=1n" in chunk and "n in{}" in chunk, chunk


@test("comments leave the chunks by default, legal ones stay, --keep-comments keeps them all")
def _(tmp):
    files = {"main.js": ('/*! banner kept */\n// ordinary line comment\nimport { a } from "./a.js";\n'
                         "/**\n * JSDoc comment\n */\nfunction f(x) {\n"
                         "    return /* inline */ x; // trailing comment\n}\n"
                         "let y = a/*no space*/-/*needs one*/-f(1), z = a /* two\nlines */ + 1;\n"
                         "/* @license MIT kept */\n//! bang kept\n"
                         "let s = '// not a comment /* nor this */', r = /\\/\\/ re/g;\n"
                         "let t = `/* tpl ${a /* in tpl */} */`;\n"
                         "function g() { return /*\n*/ 42 }\n"
                         "console.log(y, z, s, r, t, g(), 1/*c*/.toString(), a/*x*/in{});\n"),
             "a.js": "// @preserve kept too\nexport const a = 5; // gone\n"}
    src, dist = site(tmp, files)
    build(src, dist, "--no-sw")
    chunk = read(dist, by_source(dist)["main.js"]["file"])
    for kept in ("/*! banner kept */", "/* @license MIT kept */", "//! bang kept",
                 "// @preserve kept too", "'// not a comment /* nor this */'", "/\\/\\/ re/g",
                 "`/* tpl ${a} */`", "// main.js", "// a.js"):
        assert kept in chunk, (kept, chunk)
    for gone in ("ordinary", "JSDoc", "inline", "trailing", "space", "needs", "two", "lines",
                 "in tpl", "gone", "/*c*/"):
        assert gone not in chunk, (gone, chunk)
    # Tokens never merge; a removed comment that held a line break leaves one (ASI).
    assert "a- -f(1)" in chunk and "z = a\n + 1;" in chunk and "return\n 42" in chunk, chunk
    assert "1 .toString()" in chunk and "a in{}" in chunk, chunk
    # No line left empty by a removed comment, no blanks left before a line break.
    assert "function f(x) {\n    return x;\n}" in chunk, chunk
    assert not re.search(r"[ \t]\n", chunk), chunk
    build(src, dist + "k", "--no-sw", "--keep-comments")
    full = read(dist + "k", by_source(dist + "k")["main.js"]["file"])
    assert files["main.js"].split('"./a.js";\n')[1] in full, full
    assert "// ordinary line comment" in full and "const a = 5; // gone" in full, full


@test("without comments the source map stays exact; --keep-comments keeps the text byte for byte")
def _(tmp):
    chunk, _ = check_source_map(tmp, "minify")
    assert "A block comment" not in chunk and "ASI: returns" not in chunk, chunk
    kept, _ = check_source_map(tmp, "minify", "--keep-comments")
    assert "A block comment" in kept and len(chunk) < len(kept), (len(chunk), len(kept))


@test("the same input gives a byte-identical bundled release")
def _(tmp):
    from kt import tree
    a, b = os.path.join(tmp, "a"), os.path.join(tmp, "b")
    for d in (a, b):
        build(os.path.join(FIXTURES, "dynamic-shared"), d, "--bundle")
    ta, tb = tree(a), tree(b)
    assert ta.keys() == tb.keys() and all(ta[k][0] == tb[k][0] for k in ta), "releases differ"


@test("a syntax error in a module is file:line:col, exit 1, no release")
def _(tmp):
    fails_with(tmp, {"main.js": 'import { a } from "./a.js";\n', "a.js": "export const a = ;\n"},
               "a.js:1:18: ")


@test("importing a name a module does not export is file:line:col, exit 1")
def _(tmp):
    fails_with(tmp, {"main.js": '\nimport { a, nope } from "./a.js";\n',
                     "a.js": "export const a = 1;\n"},
               "main.js:2:13: './a.js' does not export 'nope'")


@test("a re-export of a missing name is an error at the export")
def _(tmp):
    fails_with(tmp, {"main.js": 'import { a } from "./hub.js";\n',
                     "hub.js": 'export { a, b } from "./a.js";\n',
                     "a.js": "export const a = 1;\n"},
               "hub.js:1:13: './a.js' does not export 'b'")


@test("a name two export * provide differently is ambiguous: an error when imported")
def _(tmp):
    fails_with(tmp, {"main.js": 'import { x } from "./hub.js";\n',
                     "hub.js": 'export * from "./a.js";\nexport * from "./b.js";\n',
                     "a.js": "export const x = 1;\n", "b.js": "export const x = 2;\n"},
               "main.js:1:10: 'x' is ambiguous")


@test("an unresolvable bare specifier is file:line:col, exit 1")
def _(tmp):
    fails_with(tmp, {"main.js": '// x\nimport lodash from "lodash";\n'},
               "main.js:2:20: cannot resolve 'lodash' (no import map entry, no node_modules "
               "package)")


@test("bare specifiers resolve through node_modules: exports conditions, then module, main")
def _(tmp):
    src, dist = site(tmp, {
        "main.js": 'import { a } from "pkg";\nimport { b } from "@s/other/sub.js";\n'
                   'import c from "plain";\nconsole.log(a, b, c);\n',
        "node_modules/pkg/package.json": json.dumps(
            {"exports": {".": {"require": "./cjs.js", "import": "./esm.js"}}}),
        "node_modules/pkg/esm.js": "export const a = 'esm';\n",
        "node_modules/pkg/cjs.js": "exports.a = 'cjs';\n",
        "node_modules/@s/other/package.json": json.dumps({"name": "@s/other"}),
        "node_modules/@s/other/sub.js": "export const b = 'sub';\n",
        "node_modules/plain/package.json": json.dumps({"main": "main.js", "module": "m.js"}),
        "node_modules/plain/m.js": "export default 'module field';\n",
    })
    _, _, err = build(src, dist, "--bundle")
    assert err == "", err
    chunk = read(dist, script_src(dist))
    assert "'esm'" in chunk and "'sub'" in chunk and "'module field'" in chunk, chunk
    assert "cjs" not in chunk


@test("bare specifiers resolve through the page's import map")
def _(tmp):
    page = ('<!doctype html><script type="importmap">{"imports": {"app/": "./lib/", '
            '"one": "./lib/one.js"}}</script>\n' + PAGE.format(src="main.js"))
    src, dist = site(tmp, {
        "main.js": 'import one from "one";\nimport { two } from "app/two.js";\nconsole.log(one, two);\n',
        "lib/one.js": "export default 1;\n",
        "lib/two.js": "export const two = 2;\n",
    }, page=page)
    _, _, err = build(src, dist, "--bundle")
    assert err == "", err
    chunk = read(dist, script_src(dist))
    assert "const _default = 1;" in chunk and "const two = 2;" in chunk, chunk


@test("new URL('x', import.meta.url) in a bundled module still names its asset, fingerprinted")
def _(tmp):
    src, dist = site(tmp, {
        "main.js": 'import { icon } from "./lib/icons.js";\nconsole.log(icon);\n',
        "lib/icons.js": "export const icon = new URL('../img/i.svg', import.meta.url).href;\n",
        "img/i.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
    })
    build(src, dist, "--bundle")
    m = by_source(dist)
    chunk = read(dist, m["main.js"]["file"])
    assert f"new URL('./img/{os.path.basename(m['img/i.svg']['file'])}', import.meta.url)" in chunk, chunk


@test("an entry whose graph uses eval() or import.meta otherwise stays unbundled, with a warning")
def _(tmp):
    src, dist = site(tmp, {
        "main.js": 'import { a } from "./a.js";\nconsole.log(a, import.meta.url);\n',
        "a.js": "export const a = 1;\n",
    })
    _, _, err = build(src, dist, "--bundle")
    assert ("kiln-build: warning: main.js:2:16: import.meta outside new URL('...', "
            "import.meta.url): its entry points are left unbundled") in err, err
    m = by_source(dist)
    assert m["a.js"]["file"] != "a.js" and "import" in read(dist, m["main.js"]["file"])
    src, dist = site(os.path.join(tmp, "2"), {
        "main.js": 'import { a } from "./a.js";\nconsole.log(a);\n',
        "a.js": "export const a = 1;\neval('a');\n",
    })
    _, _, err = build(src, dist, "--bundle")
    assert "kiln-build: warning: a.js:2:1: direct eval(): its entry points are left unbundled" in err, err


@test("a module imported as a namespace and by import() is imported from its own file")
def _(tmp):
    dist = os.path.join(tmp, "dist")
    _, _, err = build(os.path.join(FIXTURES, "namespace-identity"), dist, "--bundle")
    assert err == "", err
    m = by_source(dist)
    chunk = read(dist, m["main.js"]["file"])
    # The specification makes both one object: the chunk imports the real
    # namespace of x.js's file (a facade) instead of building its own, and
    # hub.js's facade re-exports that same namespace.
    assert f'import * as _ns from "./{m["x.js"]["file"]}";' in chunk, chunk
    assert "Object.freeze" not in chunk, chunk
    facade = read(dist, m["hub.js"]["file"])
    assert f'export * as inner from "./{m["x.js"]["file"]}";' in facade, facade


@test("a module a worker or a non-module script also loads stays unbundled")
def _(tmp):
    src, dist = site(tmp, {
        "main.js": 'import { a } from "./a.js";\n'
                   'new Worker(new URL("./a.js", import.meta.url), { type: "module" });\n',
        "a.js": "export const a = 1;\n",
    })
    _, _, err = build(src, dist, "--bundle")
    assert ("kiln-build: warning: main.js:2: loads a.js outside the module graph: its entry "
            "points are left unbundled") in err, err


@test("a specifier with a query stays unbundled: it names another instance")
def _(tmp):
    src, dist = site(tmp, {
        "main.js": 'import { a } from "./a.js?v=2";\nimport { a as b } from "./a.js";\n',
        "a.js": "export const a = {};\n",
    })
    _, _, err = build(src, dist, "--bundle")
    assert ("main.js:1:19: a specifier with a query or fragment: its entry points are left "
            "unbundled") in err, err


@test("top-level await followed by a module that does not wait for it stays unbundled")
def _(tmp):
    src, dist = site(tmp, {
        "main.js": 'import "./slow.js";\nimport "./fast.js";\n',
        "slow.js": "await 0;\n",
        "fast.js": "console.log('fast');\n",
    })
    _, _, err = build(src, dist, "--bundle")
    assert "slow.js:1:1: top-level await in a module that is shared" in err, err


@test("shared modules that would run in another order leave their entry points unbundled")
def _(tmp):
    page = PAGE.format(src="one.js") + PAGE.format(src="two.js")
    src, dist = site(tmp, {
        "one.js": 'import "./local.js";\nimport "./shared.js";\n',
        "two.js": 'import "./shared.js";\n',
        "local.js": "console.log('local');\n",
        "shared.js": "console.log('shared');\n",
    }, page=page)
    _, _, err = build(src, dist, "--bundle")
    assert "would run in a different order" in err, err
    assert "shared_chunk" not in json.dumps(manifest(dist)), "a chunk of a bailed entry was written"


@test("a Vite-like dist passes through --bundle: its chunks keep names, bytes and preloads")
def _(tmp):
    page = ('<!doctype html><script type="module" crossorigin src="/assets/index-B3xk9_Qa.js">'
            '</script><link rel="modulepreload" crossorigin href="/assets/vendor-Dx8a7_Qz.js">\n')
    index = ('import{v as o}from"./vendor-Dx8a7_Qz.js";console.log(o);'
             'const d=["assets/About-D5GR_shx.css"];import(`./About-Cq81LmZw.js`);\n')
    src, dist = site(tmp, {
        "assets/index-B3xk9_Qa.js": index,
        "assets/vendor-Dx8a7_Qz.js": "const v=1;export{v};\n",
        "assets/About-Cq81LmZw.js": "export default 1;\n",
        "assets/About-D5GR_shx.css": "p{color:red}\n",
    }, page=page)
    _, _, err = build(src, dist, "--bundle")
    assert err == "", err
    m = by_source(dist)
    for f in ("assets/index-B3xk9_Qa.js", "assets/vendor-Dx8a7_Qz.js", "assets/About-Cq81LmZw.js",
              "assets/About-D5GR_shx.css"):
        assert m[f]["file"] == f, m[f]
        assert m[f]["class"] == "immutable", m[f]
    assert read(dist, "assets/index-B3xk9_Qa.js") == index
    html = read(dist, "index.html")
    assert "vendor-Dx8a7_Qz.js" in html
    # The CSS only a string names is precached with the rest.
    assert "/assets/About-D5GR_shx.css" in read(dist, "sw.js")
    # Legacy twins are still made: the page's, by an absolute URL as the
    # page names its module script, and the lazy route's, which it loads.
    twin = re.search(r'<script nomodule defer src="(/assets/index-B3xk9_Qa\.legacy\.[0-9a-f]{10}\.js)"',
                     html)
    assert twin, html
    text = read(dist, twin.group(1)[1:])
    assert text.startswith("System.register(") or "System.register(" in text, text
    about = re.search(r'About-Cq81LmZw\.legacy\.[0-9a-f]{10}\.js', text)
    assert about and os.path.exists(os.path.join(dist, "assets", about.group(0))), text
    # Without --legacy there are none, and the page is the bundler's.
    build(src, dist, "--no-legacy")
    assert "nomodule" not in read(dist, "index.html")
    assert not [f for f in by_source(dist) if ".legacy." in f]
    # A page with legacy scripts of its own (Vite's plugin-legacy) gets no
    # second set.
    write(src, "index.html", page + '<script nomodule src="/assets/index-legacy-Cq81LmZw.js">'
                                    '</script>\n')
    write(src, "assets/index-legacy-Cq81LmZw.js", "System.register([], function () {});\n")
    _, _, err = build(src, dist)
    assert err == "", err
    assert read(dist, "index.html").count("nomodule") == 1
    assert not [f for f in by_source(dist) if ".legacy." in f]


@test("site-example bundles without warnings; about.html's inline script imports a facade")
def _(tmp):
    dist = os.path.join(tmp, "dist")
    _, _, err = build(os.path.join(ROOT, "site-example"), dist)
    assert err == "", err
    m = by_source(dist)
    assert m["js/lib/format.js"]["file"] == "js/lib/format.js", "the original is not kept as it is"
    facade = m["js/lib/format_facade.js"]
    assert re.fullmatch(r"js/lib/format_facade\.[0-9a-f]{10}\.js", facade["file"]), facade
    about = read(dist, "about.html")
    assert f'import {{ formatMinutes }} from "./{facade["file"]}";' in about, about
    text = read(dist, facade["file"])
    chunk = re.search(r'export \{ formatMinutes as formatMinutes \} from "\./([^"]+)";', text).group(1)
    assert re.search(r"^export \{[^}]*\bformatMinutes\b", read(dist, "js/lib/" + chunk), re.M), chunk
    # main.js (year.js, then shared modules) and about.js (the a/b cycle
    # entered from a.js) run their shared modules in another order than the
    # specification's, which is allowed: those modules only create bindings.
    main = read(dist, m["js/main.js"]["file"])
    assert "// js/lib/year.js" in main and not re.search(r"^// js/lib/format\.js", main, re.M), main


@test("an inline module script that runs before the module script that loads its import leaves it unbundled")
def _(tmp):
    page = ('<!doctype html><script type="module">import { a } from "./a.js"; console.log(a);'
            '</script>\n' + PAGE.format(src="main.js"))
    src, dist = site(tmp, {"main.js": 'import { a } from "./a.js";\nconsole.log(a);\n',
                           "a.js": "export const a = 1;\n"}, page=page)
    _, _, err = build(src, dist)
    assert ("index.html:1: an inline module script imports a.js, which main.js also loads but "
            "not before it runs: its entry points are left unbundled") in err, err
    assert "import" in read(dist, by_source(dist)["main.js"]["file"])
    # After it, or async on the loading script: the same rule.
    page = (PAGE.format(src="main.js").replace("<script", "<script async") +
            '<script type="module">import { a } from "./a.js";</script>\n')
    src, dist = site(os.path.join(tmp, "2"), {"main.js": 'import { a } from "./a.js";\n',
                                              "a.js": "export const a = 1;\n"}, page=page)
    _, _, err = build(src, dist)
    assert "not before it runs" in err, err


@test("shared modules that only create bindings may run earlier than the specification says")
def _(tmp):
    dist = os.path.join(tmp, "dist")
    _, _, err = build(os.path.join(FIXTURES, "inert-order"), dist)
    assert err == "", err
    m = by_source(dist)
    common = read(dist, m["cyc_a_chunk.js"]["file"])
    assert common.index("// cyc-b.js") < common.index("// cyc-a.js"), common
    main = read(dist, m["main.js"]["file"])
    assert "// setup.js" in main, main
    # The inline script imports main.js itself: a facade re-exports its
    # names from main.js's chunk, which exports them for it.
    facade = read(dist, m["main_facade.js"]["file"])
    assert f'export {{ who as who }} from "./{m["main.js"]["file"]}";' in facade, facade
    assert re.search(r"^export \{ who \};$", main, re.M), main
    assert os.path.basename(m["main_facade.js"]["file"]) in read(dist, "index.html")
    # An effect in a shared module keeps the exact order (the test above
    # with console.log); so does a call, a member read or an import read.
    for effect in ("export const x = f();\nfunction f() { return 1; }\n",
                   "export const x = globalThis.y;\n",
                   "import { v } from './v.js';\nexport const x = [v];\n"):
        page = PAGE.format(src="one.js") + PAGE.format(src="two.js")
        src, d = site(os.path.join(tmp, str(len(effect))), {
            "one.js": 'import "./local.js";\nimport "./shared.js";\n',
            "two.js": 'import "./shared.js";\n',
            "local.js": "console.log('local');\n",
            "shared.js": effect,
            "v.js": "export const v = 1;\n",
        }, page=page)
        _, _, err = build(src, d)
        assert "would run in a different order" in err, (effect, err)


def names_after_edit(tmp, *extra):
    """Builds dynamic-shared, changes lazy.js, builds again: {source: (before,
    after)} of the files whose names changed, and the second index.html."""
    import shutil
    src = os.path.join(tmp, "src")
    shutil.rmtree(src, ignore_errors=True)
    shutil.copytree(os.path.join(FIXTURES, "dynamic-shared"), src)
    a, b = os.path.join(tmp, "a"), os.path.join(tmp, "b")
    build(src, a, *extra)
    write(src, "lazy.js", read(src, "lazy.js").replace("'n = '", "'n is '"))
    build(src, b, *extra)
    ma, mb = by_source(a), by_source(b)
    assert ma.keys() == mb.keys(), (ma.keys(), mb.keys())
    changed = {k: (ma[k]["file"], mb[k]["file"]) for k in ma if ma[k]["file"] != mb[k]["file"]}
    return changed, read(b, "index.html")


@test("--import-map: a changed module renames only its own chunk; the page's import map maps the rest")
def _(tmp):
    changed, _ = names_after_edit(tmp, "--no-legacy")
    assert set(changed) == {"lazy.js", "main.js", "lazy.bundle.js.map"}, changed
    changed, html = names_after_edit(tmp, "--no-legacy", "--import-map")
    assert set(changed) == {"lazy.js", "lazy.bundle.js.map"}, changed
    m = re.search(r'<script type="importmap">(.*?)</script>', html)
    assert m, html
    imap = json.loads(m.group(1))
    lazy = changed["lazy.js"][1]
    assert imap["imports"]["./lazy.js"] == "./" + lazy, imap
    assert imap["integrity"]["./" + lazy].startswith("sha384-"), imap
    assert "./main.js" not in imap["imports"], imap
    # Before the first module script and the modulepreload link.
    first = min(html.index('<script type="module"'), html.index('rel="modulepreload"'))
    assert m.start() < first, html
    # The legacy twins keep their URL tables: their names still cascade.
    changed, _ = names_after_edit(tmp, "--import-map")
    assert {"lazy.js", "lazy.legacy.js", "main.legacy.js"} <= changed.keys(), changed
    assert "main.js" not in changed, changed
    # Without integrity, no integrity section.
    _, html = names_after_edit(tmp, "--import-map", "--no-integrity")
    imap = json.loads(re.search(r'<script type="importmap">(.*?)</script>', html).group(1))
    assert "integrity" not in imap and "./lazy.js" in imap["imports"], imap


@test("--import-map with a page's own import map is refused, naming the page")
def _(tmp):
    page = ('<!doctype html><script type="importmap">{"imports":{"x":"./x.js"}}</script>'
            '<script type="module" src="main.js"></script>\n')
    src, dist = site(tmp, {"main.js": 'import("x").then(m => m.f());\nimport("./lazy.js");\n',
                           "x.js": "export function f() {}\n",
                           "lazy.js": "export const z = 1;\n"}, page=page)
    rc, _, err = build(src, dist, "--import-map", check=False)
    assert rc == 1, (rc, err)
    assert "kiln-build: error: index.html: --import-map: the page has an import map of its own" \
        in err, err
    assert not os.path.exists(dist)


run_all()
