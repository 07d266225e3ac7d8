"""Tiny TAP harness for kiln's end-to-end tests (the Python twin of tests/kt.h).

Each test is a function named for the behaviour it checks; run_all() prints
"ok N - name" / "not ok N - name" plus the failure, then "1..N".
"""
import os
import shutil
import subprocess
import sys
import tempfile
import traceback

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KILN_BUILD = os.environ.get("KILN_BUILD", os.path.join(ROOT, "build/asan/bin/kiln-build"))
KILN_EDGE = os.environ.get("KILN_EDGE", os.path.join(ROOT, "build/asan/bin/kiln-edge"))

_tests = []


def test(desc):
    def wrap(fn):
        _tests.append((desc, fn))
        return fn
    return wrap


def run_all():
    failed = 0
    for n, (desc, fn) in enumerate(_tests, 1):
        tmp = tempfile.mkdtemp(prefix="kiln-e2e-")
        try:
            fn(tmp)
            print(f"ok {n} - {desc}", flush=True)
        except Exception:  # a failed assertion or a crash of the test itself
            failed += 1
            print(f"not ok {n} - {desc}")
            for line in traceback.format_exc().splitlines():
                print("#   " + line)
            sys.stdout.flush()
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"1..{len(_tests)}")
    sys.exit(1 if failed else 0)


_certs = []


def test_certs():
    """The directory tests/tls/make-test-certs.sh filled for this run (made on
    first use, removed at exit): ca.crt, ecdsa/rsa/other/expired .crt/.key."""
    if not _certs:
        d = tempfile.mkdtemp(prefix="kiln-certs-")
        import atexit
        atexit.register(shutil.rmtree, d, True)
        subprocess.run(["sh", os.path.join(ROOT, "tests/tls/make-test-certs.sh"), d], check=True,
                       capture_output=True, timeout=120)
        _certs.append(d)
    return _certs[0]


def kiln_build(*args, cwd=None, check=True):
    """Runs kiln-build; returns (exit status, stdout, stderr)."""
    p = subprocess.run([KILN_BUILD, *args], cwd=cwd, capture_output=True, text=True,
                       timeout=300)
    if check and p.returncode != 0:
        raise AssertionError(f"kiln-build {' '.join(args)} exited {p.returncode}:\n{p.stderr}")
    return p.returncode, p.stdout, p.stderr


def write(root, rel, text):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    mode = "wb" if isinstance(text, bytes) else "w"
    with open(path, mode) as f:
        f.write(text)


def read(root, rel, mode="r"):
    with open(os.path.join(root, rel), mode) as f:
        return f.read()


def tree(root):
    """Every file under root as {relative path: (bytes, mtime)}."""
    out = {}
    for d, _, files in os.walk(root):
        for name in files:
            p = os.path.join(d, name)
            with open(p, "rb") as f:
                out[os.path.relpath(p, root)] = (f.read(), int(os.stat(p).st_mtime))
    return out
