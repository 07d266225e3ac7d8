"""Tiny TAP harness for kiln's end-to-end tests (the Python twin of tests/kt.h),
and the helpers more than one test script needs, each defined once here.

Each test is a function named for the behaviour it checks; run_all() prints
"ok N - name" / "not ok N - name" plus the failure, then "1..N".

Helpers: running kiln-build (kiln_build, build) and reading a release
(manifest, by_source, url_of, decode, tree); kiln-edge as a process (Edge,
run_edge, free_port, the sanitizer patterns); raw HTTP/1.1 over a socket
(req, Conn, read_response, Response).
"""
import gzip
import json
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KILN_BUILD = os.environ.get("KILN_BUILD", os.path.join(ROOT, "build/asan/bin/kiln-build"))
KILN_EDGE = os.environ.get("KILN_EDGE", os.path.join(ROOT, "build/asan/bin/kiln-edge"))
SITE = os.path.join(ROOT, "site-example")
FIXTURES = os.path.join(ROOT, "tests", "bundle-fixtures")
HOST = "127.0.0.1"

_tests = []


def test(desc):
    def wrap(fn):
        _tests.append((desc, fn))
        return fn
    return wrap


def run_all():
    failed = 0
    only = os.environ.get("KILN_E2E_ONLY")  # run the tests whose name has this text
    for n, (desc, fn) in enumerate(_tests, 1):
        if only and only not in desc:
            continue
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


def build(src, dist, *opts, check=True, encodings=None):
    """kiln-build -q --no-cache OPTS -o dist src: every test builds from scratch.
    encodings="none" skips the variants where a test does not look at them."""
    enc = ("--encodings", encodings) if encodings is not None else ()
    return kiln_build("-q", "--no-cache", *enc, *opts, "-o", dist, src, check=check)


def manifest(dist):
    """The release's kiln-manifest.json."""
    return json.loads(read(dist, "kiln-manifest.json"))


def by_source(release):
    """{source path: manifest entry} of a release directory, or of a manifest
    already read."""
    m = manifest(release) if isinstance(release, str) else release
    return {e["source"]: e for e in m["files"].values()}


def url_of(m, src):
    """The URL path (the manifest's key) of the file built from src."""
    return next(u for u, e in m["files"].items() if e["source"] == src)


def decode(enc, data):
    """The identity bytes of a variant, decoded by the standard tools (never
    by kiln's own code). enc None or "identity" returns data."""
    if enc in (None, "identity"):
        return data
    if enc == "gzip":
        return gzip.decompress(data)
    tool = {"br": ["brotli", "-dc"], "zstd": ["zstd", "-dcq"]}[enc]
    return subprocess.run(tool, input=data, capture_output=True, check=True).stdout


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


# ---- kiln-edge as a process ---------------------------------------------------------

SANITIZER = re.compile(r"ERROR: AddressSanitizer|runtime error")
LEAK = re.compile(r"ERROR: LeakSanitizer")


def free_port():
    s = socket.socket()
    s.bind((HOST, 0))
    port = s.getsockname()[1]
    s.close()
    return port


def run_edge(tmp, *args):
    """Runs kiln-edge to its exit (startup errors, -t); returns (status, stderr)."""
    p = subprocess.run([KILN_EDGE, *args], capture_output=True, text=True, timeout=30, cwd=tmp)
    assert not SANITIZER.search(p.stderr), p.stderr
    return p.returncode, p.stderr


class Edge:
    """One kiln-edge process serving release on a free 127.0.0.1 port. Use as
    a context manager: it is always stopped, and its stderr is checked for
    sanitizer reports when it stops.

    Edge.tls_args, when set (test_edge.py under KILN_E2E_TLS=1), makes every
    server listen only on TLS with those options; Conn.ctx then wraps every
    connection."""

    tls_args = None

    def __init__(self, tmp, release, *args, admin=False, workers=1, nofile=None):
        self.tmp, self.release, self.args = tmp, release, list(args)
        self.admin, self.workers, self.nofile = admin, workers, nofile
        self.proc = None
        self.conns = []
        self.stderr_text = ""
        self.returncode = None

    def start(self):
        for attempt in range(5):
            self.port = free_port()
            self.admin_port = free_port() if self.admin else None
            self.err_path = os.path.join(self.tmp, f"edge-{self.port}.err")
            if Edge.tls_args:
                cmd = [KILN_EDGE, "-w", str(self.workers), *Edge.tls_args, "--listen-tls",
                       f"{HOST}:{self.port}"]
            else:
                cmd = [KILN_EDGE, "-w", str(self.workers), "-l", f"{HOST}:{self.port}"]
            if self.admin:
                cmd += ["--admin", f"{HOST}:{self.admin_port}"]
            cmd += self.args + [self.release]
            self.errf = open(self.err_path, "w")
            limit = None
            if self.nofile:
                limit = lambda n=self.nofile: resource.setrlimit(resource.RLIMIT_NOFILE, (n, n))
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                         stderr=self.errf, cwd=self.tmp, preexec_fn=limit)
            deadline = time.time() + 15
            while time.time() < deadline:
                text = read(self.tmp, self.err_path)
                if "kiln-edge: serving release" in text:
                    return self
                if self.proc.poll() is not None:
                    break
                time.sleep(0.01)
            else:
                self.stop()
                raise AssertionError(f"kiln-edge did not start: {read(self.tmp, self.err_path)}")
            self.proc.wait()
            self.errf.close()
            text = read(self.tmp, self.err_path)
            self.proc = None
            if "in use" not in text:  # not a port race: a real startup failure
                raise AssertionError(f"kiln-edge exited at startup: {text}")
        raise AssertionError("no free port after 5 attempts")

    def conn(self, timeout=5, rcvbuf=None):
        c = Conn(self.port, timeout, rcvbuf)
        self.conns.append(c)
        return c

    def stderr(self):
        return read(self.tmp, self.err_path)

    def wait_stderr(self, needle, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if needle in self.stderr():
                return
            time.sleep(0.01)
        raise AssertionError(f"{needle!r} not in kiln-edge's stderr:\n{self.stderr()}")

    def signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self, timeout=15):
        """SIGTERM, wait; SIGKILL only as a last resort (and that fails the test)."""
        if self.proc is None:
            return
        for c in self.conns:
            c.close()
        killed = False
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            killed = True
        self.errf.close()
        self.returncode = self.proc.returncode
        self.proc = None
        self.stderr_text = read(self.tmp, self.err_path)
        assert not SANITIZER.search(self.stderr_text), \
            "sanitizer report in kiln-edge's stderr:\n" + self.stderr_text
        assert not killed, f"kiln-edge did not exit within {timeout} s of SIGTERM"
        assert self.returncode is not None and self.returncode >= 0, \
            f"kiln-edge died of signal {-self.returncode}:\n{self.stderr_text}"

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False


# ---- raw HTTP/1.1 ----------------------------------------------------------------------
# No http.client, no urllib: they normalise exactly what the tests check.

class Response:
    def __init__(self, version, status, reason, headers, body, head):
        self.version, self.status, self.reason = version, status, reason
        self.headers, self.body, self.head = headers, body, head

    def all(self, name):
        return [v for k, v in self.headers if k == name.lower()]

    def has(self, name):
        return bool(self.all(name))

    def h(self, name):
        """The one value of a header (None if absent; a repeat is an error)."""
        vs = self.all(name)
        assert len(vs) <= 1, f"{name} sent {len(vs)} times: {self.head!r}"
        return vs[0] if vs else None

    def __repr__(self):
        return f"<{self.status} {self.head!r} +{len(self.body)} body bytes>"


def _recv(s, buf):
    d = s.recv(65536)
    if not d:
        raise EOFError(f"connection closed; unparsed bytes: {bytes(buf[:200])!r}")
    return d


def read_response(s, buf=b"", method="GET"):
    """Reads one response (a 1xx included) from socket s, buf holding the
    bytes read already; returns (Response, the bytes after it). No body for
    HEAD, 1xx, 204 and 304; else Content-Length bytes, or everything up to the
    close."""
    buf = bytearray(buf)  # grows in place: bodies may be many MiB
    while b"\r\n\r\n" not in buf:
        buf += _recv(s, buf)
    head, rest = bytes(buf).split(b"\r\n\r\n", 1)
    buf = bytearray(rest)
    lines = head.split(b"\r\n")
    m = re.fullmatch(rb"HTTP/(\d\.\d) (\d{3}) (.*)", lines[0])
    assert m, f"bad status line {lines[0]!r}"
    headers = []
    for line in lines[1:]:
        name, sep, value = line.partition(b":")
        assert sep and re.fullmatch(rb"[!#$%&'*+.^_`|~0-9A-Za-z-]+", name), f"bad field {line!r}"
        headers.append((name.decode().lower(), value.strip(b" \t").decode("latin-1")))
    status = int(m.group(2))
    r = Response(m.group(1).decode(), status, m.group(3).decode("latin-1"), headers, b"", head)
    if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
        return r, bytes(buf)
    cl = r.h("content-length")
    if cl is not None:
        assert re.fullmatch(r"\d+", cl), cl
        n = int(cl)
        while len(buf) < n:
            buf += _recv(s, buf)
        r.body, buf = bytes(buf[:n]), buf[n:]
    else:
        try:
            while True:
                buf += _recv(s, buf)
        except EOFError:
            pass
        r.body, buf = bytes(buf), b""
    return r, bytes(buf)


def req(path, method="GET", headers=(), version="1.1", host=True):
    out = f"{method} {path} HTTP/{version}\r\n"
    if host:
        out += "Host: localhost\r\n"
    for h in headers:
        out += h + "\r\n"
    return (out + "\r\n").encode("latin-1")


class Conn:
    """One client connection to 127.0.0.1:port, over TLS when Conn.ctx is set
    (an ssl.SSLContext) and the connection is not plain (the admin port)."""

    ctx = None

    def __init__(self, port, timeout=5, rcvbuf=None, plain=False):
        self.s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf:
            self.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.s.settimeout(timeout)
        self.s.connect((HOST, port))
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if Conn.ctx and not plain:
            self.s = Conn.ctx.wrap_socket(self.s, server_hostname="localhost")
        self.buf = bytearray()

    def send(self, data):
        self.s.sendall(data)

    def _fill(self):
        self.buf += _recv(self.s, self.buf)

    def response(self, method="GET"):
        r, rest = read_response(self.s, self.buf, method)
        self.buf = bytearray(rest)
        return r

    def request(self, path, method="GET", headers=(), **kw):
        self.send(req(path, method, headers, **kw))
        return self.response(method)

    def read_all(self, timeout=5):
        """Every byte up to the server's close (raises on timeout)."""
        self.s.settimeout(timeout)
        while True:
            d = self.s.recv(65536)
            if not d:
                out, self.buf = bytes(self.buf), bytearray()
                return out
            self.buf += d

    def closed(self, timeout=3):
        """True when the server closed the connection cleanly (FIN) within
        timeout and nothing else was sent; a reset or extra bytes fail."""
        self.s.settimeout(timeout)
        assert self.buf == b"", f"bytes after the response: {self.buf[:200]!r}"
        try:
            d = self.s.recv(65536)
        except socket.timeout:
            return False
        except ConnectionResetError:
            raise AssertionError("the connection was reset, not closed")
        assert d == b"", f"bytes after the response: {d[:200]!r}"
        return True

    def close(self):
        try:
            self.s.close()
        except OSError:
            pass
