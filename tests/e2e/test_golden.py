"""A release is a pure function of its inputs: the same site and options give
the same bytes. tests/golden/*.sha256 hold the SHA-256 of every file of a few
releases (site-example and every bundle fixture, under the main options); a
refactoring that changes one byte of any of them fails here.

After a change that is meant to change the output, rewrite the lists with
    KILN_GOLDEN_UPDATE=1 python3 tests/e2e/test_golden.py
and say in the commit why the bytes changed. The lists hold Debian 12's
libbrotli, libzstd and libdeflate output: another version of a compressor
changes the .br/.zst/.gz lines and nothing else.

A source file's mtime is an input too (the manifest's "mtime", Last-Modified),
and a clone or a checkout sets it to the time of the checkout: the builds here
clamp it with SOURCE_DATE_EPOCH, as a reproducible build does.
"""
import hashlib
import os

from kt import FIXTURES, ROOT, build, run_all, test

GOLDEN = os.path.join(ROOT, "tests/golden")
UPDATE = os.environ.get("KILN_GOLDEN_UPDATE") == "1"
os.environ["SOURCE_DATE_EPOCH"] = "1700000000"  # 2023-11-14: older than any checkout

# name -> (source folder, options)
CASES = {
    "site-example": ("site-example", []),
    "site-example-no-bundle": ("site-example", ["--no-bundle"]),
    "site-example-minify-import-map": ("site-example", ["--minify-whitespace", "--import-map"]),
    "site-example-base-no-legacy": ("site-example", ["--base", "/app/", "--no-legacy",
                                                     "--keep-comments"]),
}
for _f in sorted(os.listdir(FIXTURES)):
    CASES["fixture-" + _f] = (os.path.join("tests/bundle-fixtures", _f), [])


def digest(dist):
    """'SHA256  relative/path' lines for every file under dist, sorted by path."""
    lines = []
    for d, _, files in os.walk(dist):
        for f in files:
            p = os.path.join(d, f)
            with open(p, "rb") as fh:
                h = hashlib.sha256(fh.read()).hexdigest()
            lines.append((os.path.relpath(p, dist), h))
    return "".join(f"{h}  {rel}\n" for rel, h in sorted(lines))


def check(tmp, name):
    src, opts = CASES[name]
    dist = os.path.join(tmp, "dist")
    build(os.path.join(ROOT, src), dist, *opts)
    got = digest(dist)
    path = os.path.join(GOLDEN, name + ".sha256")
    if UPDATE:
        os.makedirs(GOLDEN, exist_ok=True)
        with open(path, "w") as f:
            f.write(got)
        return
    with open(path) as f:
        want = f.read()
    if got != want:
        w, g = set(want.splitlines()), set(got.splitlines())
        diff = [f"-{x}" for x in sorted(w - g)] + [f"+{x}" for x in sorted(g - w)]
        raise AssertionError(f"{name}: the release changed:\n" + "\n".join(diff[:40]))


for _name in CASES:
    test(f"the release of {_name} is byte-identical to tests/golden/{_name}.sha256")(
        lambda tmp, n=_name: check(tmp, n))

if __name__ == "__main__":
    run_all()
