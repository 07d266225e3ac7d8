#!/usr/bin/python3
"""Runs tests/polyfills/NAME.test.js against builder/lower/polyfills/NAME.js.

Each file's checks run in several ways, each a TAP line per check:
  node-native  Node with its own builtins and no polyfill: the checks
               describe what the native does;
  node-forced  Node with the builtin and everything it needs deleted, then
               the polyfill text loaded (twice: loading again changes nothing);
  duk          Duktape 2.7 (ES5.1) with the builtin deleted and the polyfill
               text loaded: what Duktape has natively (Symbol) stays;
  duk-bare     as duk, with what the polyfill needs deleted too (an IE 11:
               no Symbol), when it needs anything.
The polyfill text is what kb_polyfill_text embeds for {NAME}: NAME and its
`// needs:`, dependencies first, in the same order (a depth-first walk in
name order; tests/unit/test_polyfill.c checks the C side the same way).
Usage: run.py [NAME...]
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
SRC = os.path.join(TOP, "builder", "lower", "polyfills")
TIMEOUT = 60


def load_table():
    table = {}
    for f in sorted(os.listdir(SRC)):
        if not f.endswith(".js"):
            continue
        text = open(os.path.join(SRC, f), encoding="utf-8").read()
        needs = []
        for m in re.finditer(r"^// needs:(.*)$", text, re.M):
            needs += m.group(1).split()
        table[f[:-3]] = (text, needs)
    return table


def order(table, names):
    """The names with what they need, dependencies first."""
    out, seen = [], set()

    def visit(n):
        if n in seen:
            return
        seen.add(n)
        for d in table[n][1]:
            visit(d)
        out.append(n)

    for n in sorted(table):
        if n in names:
            visit(n)
    return out


def delete_js(name):
    """JavaScript that deletes the native builtin polyfill name provides."""
    if name == "Symbol":
        return "delete __G.Symbol; delete Object.getOwnPropertySymbols;"
    if name == "Array.prototype.@@iterator":
        # Not Array.prototype[Symbol.iterator]: Node's own code spreads
        # arrays. Symbol goes too, so the checks see the polyfill's.
        return ("delete Array.prototype.values; delete Array.prototype.keys;"
                "delete Array.prototype.entries;")
    if name == "String.prototype.@@iterator":
        return ("if (typeof Symbol == 'function' && Symbol.iterator)"
                " delete String.prototype[Symbol.iterator];")
    if "." not in name:
        return "delete __G.%s;" % name
    return "delete %s;" % name


def provided_js(name):
    """An expression for a function polyfill name provides."""
    if name == "Array.prototype.@@iterator":
        return "Array.prototype.values"
    if name == "String.prototype.@@iterator":
        return "String.prototype[Symbol.iterator]"
    return name


def script(mode, table, name, test):
    parts = ['var __G = Function("return this")();']
    if mode.startswith("duk"):
        parts.append(open(os.path.join(HERE, "duk-shim.js")).read())
    if mode != "node-native":
        load = order(table, {name})
        gone = load if mode in ("node-forced", "duk-bare") else [name]
        # Dependents first: deleting an array iterator needs Symbol.iterator.
        parts += [delete_js(n) for n in reversed(load) if n in gone]
        text = "\n".join(table[n][0] for n in load)
        parts += [text, text]
    parts.append(open(os.path.join(HERE, "harness.js")).read())
    if mode != "node-native":
        parts.append('test("the polyfill is what runs", function () {'
                     ' ok(!/native code/.test(Function.prototype.toString.call(%s)),'
                     ' "not native"); });' % provided_js(name))
    parts.append(test)
    parts.append("__run();")
    if mode.startswith("duk"):
        parts.append("__loop();")
    return "\n".join(parts) + "\n"


def run_one(mode, js, tmp):
    path = os.path.join(tmp, "t.js")
    with open(path, "w", encoding="utf-8") as f:
        f.write(js)
    cmd = ["node", path] if mode.startswith("node") else ["duk", path]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT)
        return p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired:
        return -1, "", "timed out after %d s" % TIMEOUT


def main():
    table = load_table()
    tests = sorted(f[:-8] for f in os.listdir(HERE) if f.endswith(".test.js"))
    if len(sys.argv) > 1:
        tests = [t for t in tests if t in sys.argv[1:]]
    n = failed = 0
    tmp = tempfile.mkdtemp()

    def tap(good, desc, detail=""):
        nonlocal n, failed
        n += 1
        if not good:
            failed += 1
        print("%s %d - %s" % ("ok" if good else "not ok", n, desc))
        for line in detail.splitlines():
            print("#   " + line)

    missing = [t for t in tests if t not in table]
    for t in missing:
        tap(False, "%s.test.js has a polyfill" % t, "no builder/lower/polyfills/%s.js" % t)
    untested = [p for p in table if p not in tests and len(sys.argv) == 1]
    for p in untested:
        tap(False, "%s.js has checks" % p, "no tests/polyfills/%s.test.js" % p)
    have_duk = shutil.which("duk") is not None
    try:
        for t in tests:
            if t in missing:
                continue
            test = open(os.path.join(HERE, t + ".test.js"), encoding="utf-8").read()
            modes = ["node-native", "node-forced", "duk"]
            if table[t][1]:
                modes.append("duk-bare")
            for mode in modes:
                if mode.startswith("duk") and not have_duk:
                    tap(False, "%s: %s" % (mode, t), "duk is not installed (apt-get install duktape)")
                    continue
                rc, out, err = run_one(mode, script(mode, table, t, test), tmp)
                planned, results = [], {}
                for line in out.splitlines():
                    f = line.split("\t")
                    if f[0] == "PLAN":
                        planned.append(f[1])
                    elif f[0] in ("PASS", "FAIL"):
                        results[f[1]] = (f[0] == "PASS", json.loads(f[2]) if len(f) > 2 else "")
                if not planned:
                    tap(False, "%s: %s runs" % (mode, t), "exit %d\n%s%s" % (rc, out, err))
                    continue
                for c in planned:
                    good, detail = results.get(c, (False, "never finished\n" + err))
                    tap(good, "%s: %s: %s" % (mode, t, c), detail)
                if rc != 0:
                    tap(False, "%s: %s exits 0" % (mode, t), "exit %d\n%s" % (rc, err))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("1..%d" % n)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
