#!/usr/bin/python3
"""Runs a page of a release the way a browser without module scripts does
(IE 11): in Duktape, an ES5.1 engine, under dom_shim.js; or, as the
reference, in Node under the same shim (engine "node"), where mode "modern"
runs the module scripts instead of the nomodule ones.

The page's element tree is parsed here (html.parser) and handed to the shim
with every text file of the release as a files table ({"/path": text});
the shim runs the scripts a nomodule browser runs (classic ones, inline and
external, in order; nomodule and defer ones after parsing; never
type="module"), fires DOMContentLoaded and load, and drains its virtual
timers. What the page shows (window.__log and __done, the title, #out, the
body's text, console lines, uncaught errors) comes back as a dict.

Also es_check(version, files): the es-check CLI from tests/browser's npm
setup, and legacy_scripts(dist): every script a nomodule browser may run.

CLI: run_page.py [--engine duk|node] [--mode legacy|modern] DIST [PAGE]
prints the console lines and the result; exits 1 on an uncaught error.
"""
import html.parser
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DUK = os.environ.get("DUK", "/usr/bin/duk")
NODE = os.environ.get("NODE", "node")
ES_CHECK = os.path.join(ROOT, "tests/browser/node_modules/.bin/es-check")
ORIGIN = "http://kiln.test"
TEXT_EXT = (".js", ".mjs", ".cjs", ".json", ".html", ".htm", ".css", ".svg", ".txt",
            ".webmanifest", ".xml", ".md")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
        "source", "track", "wbr"}
MARK = "__KILN_RESULT__ "


class _Tree(html.parser.HTMLParser):
    """A forgiving tree builder: [tag, [[name, value]...], children] lists
    and text strings; an end tag closes up to its open element."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = ["#root", [], []]
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        el = [tag, [[k, "" if v is None else v] for k, v in attrs], []]
        self.stack[-1][2].append(el)
        if tag not in VOID:
            self.stack.append(el)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1][2].append([tag, [[k, "" if v is None else v] for k, v in attrs], []])

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        self.stack[-1][2].append(data)


def page_tree(text):
    """The document's children: one <html> with a <head> and a <body>, made
    up where the markup leaves them out (as a browser does)."""
    p = _Tree()
    p.feed(text)
    p.close()
    kids = [k for k in p.root[2] if not (isinstance(k, str) and not k.strip())]
    html_el = next((k for k in kids if not isinstance(k, str) and k[0] == "html"), None)
    if html_el is None:
        html_el = ["html", [], kids]
    names = [k[0] for k in html_el[2] if not isinstance(k, str)]
    if "body" not in names:
        rest = [k for k in html_el[2] if isinstance(k, str) or k[0] != "head"]
        html_el[2] = [k for k in html_el[2] if not isinstance(k, str) and k[0] == "head"]
        html_el[2].append(["body", [], rest])
    if "head" not in [k[0] for k in html_el[2] if not isinstance(k, str)]:
        html_el[2].insert(0, ["head", [], []])
    return [html_el]


def files_table(dist):
    """Every text file of the release, by URL path."""
    out = {}
    for d, _, names in os.walk(dist):
        for n in names:
            if not n.endswith(TEXT_EXT):
                continue
            p = os.path.join(d, n)
            if os.path.getsize(p) > 4 << 20:
                continue
            try:
                with open(p, encoding="utf-8") as f:
                    out["/" + os.path.relpath(p, dist).replace(os.sep, "/")] = f.read()
            except UnicodeDecodeError:
                pass
    return out


class PageError(Exception):
    pass


def run_page(dist, page="index.html", engine="duk", mode="legacy", actions=(), timeout=60):
    """Runs DIST/PAGE; returns the shim's state: log (window.__log or None),
    done (window.__done === true), title, out (#out's text), text (the
    body's text), theme and js (<html>'s data-theme and data-js), year,
    console (lines), errors (uncaught, each "where: Name: message"),
    scripts (URLs of the external scripts run), plus engine, status and
    output (everything the engine printed). actions: CSS selectors of
    elements clicked in turn once the page has settled (each click's tasks
    run before the next); then "before" is the state before the first. Raises PageError when the engine
    gives no result (a crash, a timeout)."""
    page = page.lstrip("/")
    with open(os.path.join(dist, page), encoding="utf-8") as f:
        tree = page_tree(f.read())
    with open(os.path.join(HERE, "dom_shim.js"), encoding="utf-8") as f:
        shim = f.read()
    cfg = {"files": files_table(dist), "origin": ORIGIN, "page": "/" + page, "tree": tree,
           "mode": mode, "actions": list(actions)}
    env = dict(os.environ, TZ=os.environ.get("KILN_PAGE_TZ", "UTC"))
    with tempfile.TemporaryDirectory(prefix="kiln-page-") as tmp:
        if engine == "duk":
            assert mode == "legacy", "Duktape runs only the legacy path"
            prog = os.path.join(tmp, "page.js")
            with open(prog, "w", encoding="utf-8") as f:
                f.write("var __kilnHost = " + json.dumps(cfg) + ";\n__kilnHost.print = print;\n")
                f.write(shim)
                f.write("\n__kiln.start();\nwhile (__kiln.step()) {}\n"
                        "var __before = JSON.parse(JSON.stringify(__kiln.state()));\n"
                        "for (var __i = 0; __kiln.act(__i); __i++) while (__kiln.step()) {}\n"
                        "var __st = __kiln.state(); __st.before = __before;\n"
                        "print(" + json.dumps(MARK) + " + JSON.stringify(__st));\n")
            cmd = [DUK, prog]
        else:
            cfg["shim"] = shim
            conf = os.path.join(tmp, "page.json")
            with open(conf, "w", encoding="utf-8") as f:
                json.dump(cfg, f)
            cmd = [NODE, "--experimental-vm-modules", "--no-warnings",
                   os.path.join(HERE, "node_page.mjs"), conf]
        try:
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
        except subprocess.TimeoutExpired as e:
            raise PageError(f"{engine} ran {page} for more than {timeout} s:\n{e.stdout or ''}")
    lines = p.stdout.splitlines()
    res = [ln for ln in lines if ln.startswith(MARK)]
    if not res:
        raise PageError(f"{engine} gave no result for {page} (exit {p.returncode}):\n"
                        f"{p.stdout[-3000:]}{p.stderr[-3000:]}")
    state = json.loads(res[-1][len(MARK):])
    state.update(engine=engine, status=p.returncode,
                 output="\n".join(ln for ln in lines if not ln.startswith(MARK)) + p.stderr)
    return state


def observable(state):
    """What a fixture's page shows, as tests/browser/test_bundle.mjs compares
    it: window.__log, and whether window.__done was set."""
    return {"log": state["log"], "done": state["done"]}


def scripts_of(html_text):
    """The page's <script> elements in order, as (attrs dict, inline text)."""
    out = []

    def walk(n):
        if isinstance(n, str):
            return
        if n[0] == "script":
            out.append((dict(n[1]), "".join(k for k in n[2] if isinstance(k, str))))
        for k in n[2]:
            walk(k)
    for n in page_tree(html_text):
        walk(n)
    return out


def legacy_scripts(dist):
    """What a nomodule browser may run in a release: (files, inline texts).
    files: every *.legacy.*.js twin and every classic or nomodule script a
    page names by src; inline: every classic inline script of every page."""
    files, inline = set(), []
    for d, _, names in os.walk(dist):
        for n in names:
            p = os.path.join(d, n)
            if re.search(r"\.legacy\.[^/]*\.js$", n):
                files.add(p)
            if not n.endswith(".html"):
                continue
            with open(p, encoding="utf-8") as f:
                for attrs, text in scripts_of(f.read()):
                    ty = attrs.get("type", "").strip().lower()
                    if ty not in ("", "text/javascript", "application/javascript"):
                        continue
                    src = attrs.get("src")
                    if src is None:
                        if text.strip():
                            inline.append(text)
                    elif not re.match(r"^[a-z]+:|^//", src):
                        target = os.path.normpath(os.path.join(
                            dist if src.startswith("/") else d, src.lstrip("/").split("?")[0]))
                        if os.path.exists(target):
                            files.add(target)
    return sorted(files), inline


def es_check(version, files, module=False):
    """es-check VERSION on the files (paths, or ("name", text) pairs written
    to a temporary folder). Returns (ok, the tool's output, stack traces
    left out). For modules below es2020, import.meta and import() are let
    through (as Import_meta and Import(), columns kept): every browser that
    runs kiln's modern chunks has both (kiln's capability check), and no
    target lowers them."""
    if not os.path.exists(ES_CHECK):
        raise PageError(f"{ES_CHECK} is missing: make browser-deps installs it")
    meta = module and version in ("es5", "es2015", "es2016", "es2017", "es2018", "es2019")
    with tempfile.TemporaryDirectory(prefix="kiln-escheck-") as tmp:
        paths = []
        for i, f in enumerate(files):
            if isinstance(f, str) and meta:
                with open(f, encoding="utf-8") as src:
                    f = (os.path.basename(f), src.read())
            if isinstance(f, tuple):
                text = f[1]
                if meta:
                    text = re.sub(r"\bimport(?=\s*(\.\s*meta\b|\())", "Import", text)
                    text = re.sub(r"\bImport\.meta\b", "Import_meta", text)
                p = os.path.join(tmp, f"{i}-{re.sub(r'[^A-Za-z0-9_.-]', '_', f[0])}")
                p += "" if p.endswith((".js", ".mjs")) else ".js"
                with open(p, "w", encoding="utf-8") as out:
                    out.write(text)
                f = p
            paths.append(f)
        if not paths:
            return True, "no files"
        cmd = [ES_CHECK, version, *paths] + (["--module"] if module else [])
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    text = "\n".join(ln for ln in (p.stdout + p.stderr).splitlines()
                     if not re.match(r"\s+at |\s*$", ln))
    return p.returncode == 0, text


def main(argv):
    import argparse
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--engine", choices=("duk", "node"), default="duk")
    ap.add_argument("--mode", choices=("legacy", "modern"), default="legacy")
    ap.add_argument("dist")
    ap.add_argument("page", nargs="?", default="index.html")
    a = ap.parse_args(argv)
    try:
        st = run_page(a.dist, a.page, a.engine, a.mode)
    except PageError as e:
        print(e, file=sys.stderr)
        return 2
    print(st.pop("output"))
    print(json.dumps(st, indent=1, ensure_ascii=False))
    return 1 if st["errors"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
