#!/usr/bin/python3
"""The semantic corpus of the lowering (tests/lower/README.md): each program
of tests/lower/corpus/<group>/<name>.js, lowered by kiln-lower to each
target, must print what the original prints.

For each program and target: kiln-lower --target T (es5 with --polyfills),
then the lowered program runs in Node (a script, or a module for a program
headed `// module`), and for es5 in Duktape too (duk_prelude.js: console,
virtual timers). The expected lines are <name>.out beside the program, or
else what Node prints for the original. es-check checks the
output's syntax at every target (es5 for es5, ES2022 for the baseline).

Header lines (leading `//` comments):
  // targets: es5 es2020 baseline     only these targets
  // module                           an ES module: modern targets only
  // xfail: es5 es2017 why            a known gap on those targets: reported
                                      "ok N - ... # SKIP xfail: why"
Prints TAP, one line per program and target. Environment: KILN_LOWER (the
binary; default $BUILD_DIR/bin/kiln-lower, BUILD_DIR build/asan), DUK,
KILN_CORPUS_ONLY (a regular expression on "group/name target").
Options: --keep DIR keeps the lowered files there. A last test lowers one
program through standard input and output ("-").
"""
import concurrent.futures
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "es5"))
from run_page import es_check  # noqa: E402

CORPUS = os.path.join(HERE, "corpus")
BUILD_DIR = os.environ.get("BUILD_DIR", os.path.join(ROOT, "build/asan"))
KILN_LOWER = os.environ.get("KILN_LOWER", os.path.join(BUILD_DIR, "bin/kiln-lower"))
DUK = os.environ.get("DUK", "/usr/bin/duk")
NODE = os.environ.get("NODE", "node")
TARGETS = ["es5", "es2017", "es2018", "es2019", "es2020", "es2021", "es2022", "baseline"]
# The syntax each target's output must parse as (es-check). The baseline
# (Chrome 107, Firefox 104, Safari 16) is ES2022 at most.
ES_VERSION = {t: t for t in TARGETS if t != "baseline"}
ES_VERSION["baseline"] = "es2022"
TIMEOUT = 20


class Program:
    def __init__(self, path):
        self.path = path
        self.name = os.path.relpath(path, CORPUS)[:-3]
        with open(path, encoding="utf-8") as f:
            self.text = f.read()
        self.targets, self.module, self.xfail = list(TARGETS), False, {}
        for line in self.text.splitlines():
            m = re.match(r"\s*//\s*(targets|module|xfail)\b:?\s*(.*)$", line)
            if not line.strip():
                continue
            if not line.lstrip().startswith("//"):
                break
            if not m:
                continue
            key, rest = m.group(1), m.group(2).split()
            if key == "targets":
                unknown = [t for t in rest if t not in TARGETS]
                assert not unknown, f"{path}: unknown targets {unknown}"
                self.targets = [t for t in TARGETS if t in rest]
            elif key == "module":
                self.module = True
            else:
                ts = [t for t in rest if t in TARGETS]
                why = " ".join(rest[len(ts):]) or "known gap"
                for t in ts:
                    self.xfail[t] = why
        if self.module:
            self.targets = [t for t in self.targets if t != "es5"]
        out = path[:-3] + ".out"
        self.expected = None
        if os.path.exists(out):
            with open(out, encoding="utf-8") as f:
                self.expected = f.read()


def run(cmd, timeout=TIMEOUT, cwd=None):
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=cwd)
        return p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired as e:
        return -1, e.stdout or "", f"timed out after {timeout} s"


def node_run(path):
    """(exit status, stdout, stderr) of the program in Node."""
    return run([NODE, path], cwd=os.path.dirname(path))


def duk_run(tmp, lowered, label):
    """Runs lowered JavaScript text in Duktape after duk_prelude.js."""
    import json
    with open(os.path.join(HERE, "duk_prelude.js"), encoding="utf-8") as f:
        prelude = f.read()
    prog = os.path.join(tmp, label + ".duk.js")
    with open(prog, "w", encoding="utf-8") as f:
        f.write(prelude + "\n__k.run(" + json.dumps(lowered) + ");\n"
                "if (this.__kFailed) throw new Error('uncaught errors');\n")
    return run([DUK, prog])


def diff(want, got):
    w, g = want.splitlines(), got.splitlines()
    for i in range(max(len(w), len(g))):
        a = w[i] if i < len(w) else "<end>"
        b = g[i] if i < len(g) else "<end>"
        if a != b:
            return f"line {i + 1}: expected {a!r}, got {b!r}"
    return "same"


def check_one(p, target, tmp):
    """Lowers p to target and runs it; returns (problems, lowered path)."""
    ext = ".mjs" if p.module else ".js"
    label = p.name.replace("/", "__") + "." + target
    out = os.path.join(tmp, label + ext)
    cmd = [KILN_LOWER, "--target", target, "-o", out]
    if target == "es5":
        cmd.append("--polyfills")
    if p.module:
        cmd.append("--module")
    rc, so, se = run(cmd + [p.path])
    if rc != 0:
        return [f"kiln-lower --target {target} exited {rc}: {(se or so).strip()[:800]}"], None
    with open(out, encoding="utf-8") as f:
        lowered = f.read()
    problems = []
    rc, so, se = node_run(out)
    if rc != 0 or so != p.expected:
        problems.append(f"node: exit {rc}, {diff(p.expected, so)}" +
                        (f"; stderr: {se.strip()[-600:]}" if se.strip() else ""))
    if target == "es5":
        rc, so, se = duk_run(tmp, lowered, label)
        if rc != 0 or so != p.expected:
            problems.append(f"duk: exit {rc}, {diff(p.expected, so)}; "
                            f"{(so + se).strip()[:600]}")
    return problems, out


def main(argv):
    keep = None
    if argv[:1] == ["--keep"]:
        keep, argv = argv[1], argv[2:]
    only = re.compile(os.environ.get("KILN_CORPUS_ONLY", "") or (argv[0] if argv else "."))
    if not os.access(KILN_LOWER, os.X_OK):
        print(f"not ok 1 - kiln-lower is missing: {KILN_LOWER} (make build/asan/bin/kiln-lower)")
        print("1..1")
        return 1
    progs = []
    for d, _, names in sorted(os.walk(CORPUS)):
        for n in sorted(names):
            if n.endswith(".js"):
                progs.append(Program(os.path.join(d, n)))
    tmp = tempfile.mkdtemp(prefix="kiln-corpus-")
    try:
        # The expected output: <name>.out, else the original in Node (which
        # must then succeed).
        bad_orig = {}
        for p in progs:
            if p.expected is None:
                src = p.path
                if p.module:
                    src = os.path.join(tmp, p.name.replace("/", "__") + ".orig.mjs")
                    shutil.copy(p.path, src)
                rc, so, se = node_run(src)
                p.expected = so
                if rc != 0:
                    bad_orig[p.name] = f"the original exits {rc} in Node: {se.strip()[-400:]}"
        jobs = [(p, t) for p in progs for t in p.targets if only.search(f"{p.name} {t}")]
        with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as ex:
            results = list(ex.map(lambda j: check_one(j[0], j[1], tmp), jobs))
        # es-check, once per target over every file lowered to it.
        syntax = {}
        for target, version in ES_VERSION.items():
            for module in (False, True):
                files = [r[1] for (p, t), r in zip(jobs, results)
                         if t == target and r[1] and p.module == module]
                if not files:
                    continue
                ok, text = es_check(version, files, module=module)
                if ok:
                    continue
                for f in files:  # es-check names a file by its path or a copy's
                    m = re.search(re.escape(os.path.basename(f)) + r".*?\n.*?error: (.*)", text)
                    if m or f in text:
                        syntax[f] = f"es-check {version}: " + (m.group(1) if m else "fails")
        n = failed = 0
        for (p, t), (problems, out) in zip(jobs, results):
            n += 1
            problems = list(problems)
            if p.name in bad_orig:
                problems.insert(0, bad_orig[p.name])
            if out in syntax:
                problems.append(syntax[out])
            desc = f"{p.name} at {t}"
            if not problems:
                note = "  # xfail passes now: remove the header" if t in p.xfail else ""
                print(f"ok {n} - {desc}{note}")
            elif t in p.xfail:
                print(f"ok {n} - {desc} # SKIP xfail: {p.xfail[t]}")
                for line in problems:
                    print("#   " + line.replace("\n", "\n#   "))
            else:
                failed += 1
                print(f"not ok {n} - {desc}")
                for line in problems:
                    print("#   " + line.replace("\n", "\n#   "))
        # "-" is standard input and output: the same bytes as the file form.
        first = next(((p, out) for (p, t), (_, out) in zip(jobs, results)
                      if t == "es5" and out), None)
        if first:
            n += 1
            with open(first[0].path, encoding="utf-8") as f, open(first[1], encoding="utf-8") as g:
                src, want = f.read(), g.read()
            p = subprocess.run([KILN_LOWER, "--target", "es5", "--polyfills", "-o", "-", "-"],
                               input=src, capture_output=True, text=True, timeout=TIMEOUT,
                               cwd=tmp)
            if p.returncode == 0 and p.stdout == want and not os.path.exists(os.path.join(tmp, "-")):
                print(f"ok {n} - kiln-lower - -o -: {first[0].name} through stdin and stdout")
            else:
                failed += 1
                print(f"not ok {n} - kiln-lower - -o -: exit {p.returncode}, "
                      f"{diff(want, p.stdout)}; {p.stderr.strip()[:400]}")
        print(f"1..{n}")
        if keep:
            shutil.copytree(tmp, keep, dirs_exist_ok=True)
        return 1 if failed else 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
