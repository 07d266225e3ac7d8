"""Tiny TAP harness for kiln's end-to-end tests (the Python twin of tests/kt.h),
and the helpers more than one test script needs, each defined once here.

Each test is a function named for the behaviour it checks; run_all() prints
"ok N - name" / "not ok N - name" plus the failure, then "1..N".

Helpers: running kiln-build (kiln_build, build) and reading a release
(manifest, by_source, url_of, decode, tree); kiln-edge as a process (Edge,
run_edge, free_port, the sanitizer patterns); raw HTTP/1.1 over a socket
(req, Conn, read_response, Response); an HTTP/2 client with Conn's interface
(H2Conn, on python3-h2), and the protocol a test file speaks (use_protocol,
connect, test's h1_only).
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
# CI runs as root, and kiln-edge refuses to serve as root unless told to
# (docs/security.md): every server the tests start is told to (the option is
# a no-op for other users). test_privilege.py tests the refusal and --user.
ALLOW_ROOT = ["--allow-root", "on"]

_tests = []


def test(desc, h1_only=None, h2_only=None):
    """Registers a test. h1_only, the reason why, marks a test of what only
    HTTP/1.1 has (its framing, or no request at all); h2_only one of what
    only HTTP/2 has. In a run of the other protocol (use_protocol) it is
    reported "ok N - desc # SKIP HTTP/1.1 only: reason"."""
    def wrap(fn):
        _tests.append((desc, fn, ("h1", h1_only) if h1_only else ("h2", h2_only) if h2_only
                       else None))
        return fn
    return wrap


class Skip(Exception):
    """Raised by a test that cannot run here (its reason follows "# SKIP")."""


def run_all():
    failed = 0
    pick = os.environ.get("KILN_E2E_ONLY")  # run the tests whose name has this text
    for n, (desc, fn, only) in enumerate(_tests, 1):
        if pick and pick not in desc:
            continue
        if only and only[0] != PROTO:
            name = "HTTP/1.1" if only[0] == "h1" else "HTTP/2"
            print(f"ok {n} - {desc} # SKIP {name} only: {only[1]}", flush=True)
            continue
        tmp = tempfile.mkdtemp(prefix="kiln-e2e-")
        try:
            fn(tmp)
            print(f"ok {n} - {desc}", flush=True)
        except Skip as why:
            print(f"ok {n} - {desc} # SKIP {why}", flush=True)
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


def help_and_reference(prog, doc):
    """(options PROG --help names, options docs/DOC's reference lists, the help
    text). The reference is the man page's source (packaging/), so the two
    must name the same options."""
    p = subprocess.run([prog, "--help"], capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, p.stderr
    opt = re.compile(r"(?<![\w-])(--[a-z][a-z0-9-]+)")
    with open(os.path.join(ROOT, "docs", doc)) as f:
        ref = {o for line in f if line.startswith("`-") for o in opt.findall(line)}
    return set(opt.findall(p.stdout)), ref, p.stdout


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


_B64 = {c: i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}


def decode_mappings(mappings):
    """A source map's "mappings": [(generated line, column, source, original
    line, column)], absolute, 0-based. Segments of generated text that map
    to nothing (one field) are left out."""
    out, src, ol, oc = [], 0, 0, 0
    for gl, line in enumerate(mappings.split(";")):
        gc = 0
        for seg in filter(None, line.split(",")):
            vals, v, shift = [], 0, 0
            for ch in seg:
                d = _B64[ch]
                v |= (d & 31) << shift
                shift += 5
                if not d & 32:
                    vals.append(-(v >> 1) if v & 1 else v >> 1)
                    v, shift = 0, 0
            gc += vals[0]
            if len(vals) == 1:
                continue
            src, ol, oc = src + vals[1], ol + vals[2], oc + vals[3]
            out.append((gl, gc, src, ol, oc))
    return out


def encode_mappings(segs):
    """The "mappings" of [(generated line, column, source, original line,
    column)], sorted, absolute and 0-based: what a bundler or tsc writes."""
    b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

    def vlq(v):
        u, out = (-v << 1) | 1 if v < 0 else v << 1, ""
        while True:
            d, u = u & 31, u >> 5
            out += b64[d | (32 if u else 0)]
            if not u:
                return out
    lines, prev = [], [0, 0, 0]
    for gl, gc, si, ol, oc in segs:
        while len(lines) <= gl:
            lines.append([])
        pc = lines[gl][-1][0] if lines[gl] else 0
        lines[gl].append((gc, vlq(gc - pc) + vlq(si - prev[0]) + vlq(ol - prev[1]) +
                          vlq(oc - prev[2])))
        prev = [si, ol, oc]
    return ";".join(",".join(t for _, t in line) for line in lines)


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
    p = subprocess.run([KILN_EDGE, *ALLOW_ROOT, *args], capture_output=True, text=True, timeout=30, cwd=tmp)
    assert not SANITIZER.search(p.stderr), p.stderr
    return p.returncode, p.stderr


class Edge:
    """One kiln-edge process serving release on a free 127.0.0.1 port. Use as
    a context manager: it is always stopped, and its stderr is checked for
    sanitizer reports when it stops.

    Edge.tls_args, when set (use_protocol, over TLS), makes every server
    listen only on TLS with those options; Conn.ctx then wraps every
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
                cmd = [KILN_EDGE, *ALLOW_ROOT, "-w", str(self.workers), *Edge.tls_args,
                       "--listen-tls", f"{HOST}:{self.port}"]
            else:
                cmd = [KILN_EDGE, *ALLOW_ROOT, "-w", str(self.workers), "-l", f"{HOST}:{self.port}"]
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

    def conn(self, timeout=5, rcvbuf=None, window=None):
        """A client connection in use_protocol's protocol, closed by stop()."""
        c = connect(self.port, timeout, rcvbuf, window)
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


# ---- the protocol a test file speaks ---------------------------------------------------

# "h1", or "h2": HTTP/2 as h2c with prior knowledge on a cleartext port, or with
# ALPN h2 over TLS (when Conn.ctx is set). use_protocol() sets it.
PROTO = "h1"


def use_protocol(proto=None, tls=None):
    """Makes every Edge and Edge.conn() of this process speak one protocol:
    proto "h1" (HTTP/1.1), "h2c" (HTTP/2 with prior knowledge, cleartext) or
    "h2" (HTTP/2 over TLS, chosen by ALPN); tls (HTTP/1.1 over TLS) only with
    "h1". By default from the environment: KILN_E2E_PROTO (h1 unless set) and
    KILN_E2E_TLS=1. Over TLS each server listens only on a TLS port with the
    test CA's ECDSA certificate, and TLS 1.2 is the only version offered.
    Returns (proto, tls)."""
    global PROTO
    proto = proto or os.environ.get("KILN_E2E_PROTO", "h1")
    if tls is None:
        tls = os.environ.get("KILN_E2E_TLS") == "1"
    assert proto in ("h1", "h2c", "h2"), f"KILN_E2E_PROTO={proto}: not h1, h2c or h2"
    assert not (tls and proto == "h2c"), "h2c is cleartext: KILN_E2E_TLS=1 with h1 or h2"
    tls = tls or proto == "h2"
    if proto != "h1" and H2_IMPORT_ERROR:
        raise SystemExit(f"python3-h2 is not importable by {sys.executable}: {H2_IMPORT_ERROR}\n"
                         "(tests/run.sh runs the e2e tests with Debian's /usr/bin/python3)")
    PROTO = "h1" if proto == "h1" else "h2"
    if tls:
        import ssl
        certs = test_certs()
        Edge.tls_args = ["--listen", "off", "--tls-cert", os.path.join(certs, "ecdsa.crt"),
                         "--tls-key", os.path.join(certs, "ecdsa.key")]
        Conn.ctx = ssl.create_default_context(cafile=os.path.join(certs, "ca.crt"))
        Conn.ctx.minimum_version = Conn.ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        if PROTO == "h2":
            Conn.ctx.set_alpn_protocols(["h2"])
    return proto, tls


def connect(port, timeout=5, rcvbuf=None, window=None):
    """A client connection in the protocol use_protocol chose: Conn or H2Conn
    (window: H2Conn's flow-control windows; HTTP/1.1 has none)."""
    if PROTO == "h2":
        return H2Conn(port, timeout, rcvbuf, window)
    return Conn(port, timeout, rcvbuf)


# ---- raw HTTP/1.1 ----------------------------------------------------------------------
# No http.client, no urllib: they normalise exactly what the tests check.

class Response:
    """One response: status, headers as [(lower-case name, value)], body.
    head is the HTTP/1.1 head's bytes (over HTTP/2 a rendering of the fields
    for messages); interim holds the 1xx responses that came first (set by
    request(), not by read_response)."""

    def __init__(self, version, status, reason, headers, body, head):
        self.version, self.status, self.reason = version, status, reason
        self.headers, self.body, self.head = headers, body, head
        self.interim = []

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
    close. s is anything with a socket's recv()."""
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


def _spec(r):
    """A pipeline() entry, a path or (path[, method[, headers]]), as a tuple."""
    r = (r,) if isinstance(r, str) else tuple(r)
    return (r + ("GET", ())[len(r) - 1:])[:3]


class Conn:
    """One HTTP/1.1 client connection to 127.0.0.1:port, over TLS when
    Conn.ctx is set (an ssl.SSLContext) and the connection is not plain (the
    admin port). slow, when set, is a pause before each read of at most 4 KiB:
    a client that reads slowly.

    What H2Conn has too: request, response, pipeline, begin, request_bytes,
    send, closed, close. HTTP/1.1 only: read_all, buf, _fill."""

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
        self.slow = None

    def recv(self, n):
        if self.slow:
            time.sleep(self.slow)
            n = min(n, 4096)
        return self.s.recv(n)

    def send(self, data):
        self.s.sendall(data)

    def _fill(self):
        self.buf += _recv(self, self.buf)

    def response(self, method="GET"):
        """The next response on the connection, a 1xx included."""
        r, rest = read_response(self, self.buf, method)
        self.buf = bytearray(rest)
        return r

    def final(self, method="GET"):
        """The next final response, the 1xx before it in its interim."""
        interim = []
        r = self.response(method)
        while 100 <= r.status < 200:
            interim.append(r)
            r = self.response(method)
        r.interim = interim
        return r

    def request(self, path, method="GET", headers=(), **kw):
        self.send(req(path, method, headers, **kw))
        return self.final(method)

    def request_bytes(self, path, method="GET", headers=()):
        """The bytes that make this request, for a test to send as it likes;
        then final() reads the answer."""
        return req(path, method, headers)

    def pipeline(self, reqs):
        """Every request (a path or (path, method, headers)) in one send,
        then their final responses in order."""
        reqs = [_spec(r) for r in reqs]
        self.send(b"".join(req(p, m, h) for p, m, h in reqs))
        return [self.final(m) for _, m, _ in reqs]

    def begin(self, path, headers=(), until=4096):
        """Sends the request and reads until `until` bytes of the answer are
        in: a response in flight. final() reads the rest."""
        self.send(req(path, "GET", headers))
        while len(self.buf) < until:
            self._fill()

    def nudge(self):
        """Sends bytes that ask for no answer: an empty line, which a server
        ignores before a request line (RFC 9112 §2.2)."""
        self.send(b"\r\n")

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


# ---- HTTP/2 (python3-h2) ---------------------------------------------------------------
# python3-h2 does the framing and HPACK. Nothing is normalised: fields go out
# as given (lower-cased names) and come back unvalidated by h2; H2Conn checks
# each response itself (_check_fields), so a bad field fails with its bytes.

try:
    import h2.config
    import h2.connection
    import h2.events
    import h2.exceptions
    import h2.settings
    H2_IMPORT_ERROR = None
except ImportError as x:
    H2_IMPORT_ERROR = x

# RFC 9113 §8.2.2: never in an HTTP/2 message.
CONNECTION_SPECIFIC = ("connection", "keep-alive", "proxy-connection", "transfer-encoding",
                       "upgrade")
H2_GOAWAY, H2_RST_STREAM, H2_HEADERS, H2_DATA = 0x7, 0x3, 0x1, 0x0
PROTOCOL_ERROR, REFUSED_STREAM = 0x1, 0x7


def get_once(port, path="/"):
    """One plain HTTP/1.1 GET on a connection of its own: (status, headers, body)."""
    c = Conn(port, plain=True)
    try:
        return c.request(path)
    finally:
        c.close()


class H2Reset(AssertionError):
    """The server reset the stream (RST_STREAM); code is its error code."""

    def __init__(self, stream_id, code):
        super().__init__(f"stream {stream_id} reset by kiln-edge, error code {code}")
        self.stream_id, self.code = stream_id, code


class _Stream:
    def __init__(self, sid, method):
        self.id, self.method = sid, method
        self.interim, self.fields, self.trailers = [], None, None
        self.body = bytearray()
        self.ended = False
        self.reset = None


class H2Conn:
    """One HTTP/2 client connection to 127.0.0.1:port: h2c with prior
    knowledge, or TLS with ALPN h2 when Conn.ctx is set (its ALPN must pick
    h2). The interface of Conn where HTTP/2 has one: request() is one stream;
    response() the oldest unanswered stream's final response, its 1xx in
    interim; pipeline() streams opened together (as many at a time as the
    server's MAX_CONCURRENT_STREAMS allows); begin() a response in flight
    (unread bytes hold the server back: the client only sends WINDOW_UPDATE
    for what it has read); closed() EOF after nothing but connection frames.

    A GOAWAY is recorded in goaway, (error code, last stream id), and not
    handed to h2, which would refuse the frames a graceful GOAWAY lets
    follow. frames lists (type, flags, stream id, length) of every frame
    received."""

    def __init__(self, port, timeout=5, rcvbuf=None, window=None):
        assert not H2_IMPORT_ERROR, f"python3-h2 is not importable: {H2_IMPORT_ERROR}"
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        s.settimeout(timeout)
        s.connect((HOST, port))
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.tls = Conn.ctx is not None
        if self.tls:
            s = Conn.ctx.wrap_socket(s, server_hostname="localhost")
            alpn = s.selected_alpn_protocol()
            if alpn != "h2":
                s.close()
                raise AssertionError(f"ALPN picked {alpn!r}, not 'h2' (offered: h2 only)")
        self.s = s
        cfg = h2.config.H2Configuration(client_side=True, header_encoding=None,
                                        validate_outbound_headers=False,
                                        normalize_outbound_headers=False,
                                        validate_inbound_headers=False,
                                        normalize_inbound_headers=False)
        self.h = h2.connection.H2Connection(cfg)
        self.h.local_settings = h2.settings.Settings(client=True, initial_values={
            h2.settings.SettingCodes.ENABLE_PUSH: 0})
        self.h.initiate_connection()
        self.streams, self.order = {}, []
        self.inbuf = bytearray()
        self.frames = []
        self.goaway = None
        self.settings = self.acked = False  # the server's SETTINGS; its ACK of ours
        self.eof = False
        self.write_error = None
        self.slow = None
        if window:  # the streams' and the connection's, instead of 65,535 bytes
            self.h.update_settings({h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: window})
            self.h.increment_flow_control_window(window)
            self.flush()  # h2 counts the new window from the server's ACK on
            self._pump(lambda: self.acked, "the ACK of our SETTINGS")

    # -- sending --------------------------------------------------------------------------

    def send(self, data):
        """Raw bytes on the connection (what h2 queued goes first)."""
        self.s.sendall(self.h.data_to_send() + data)

    def flush(self):
        """Sends what h2 has queued (submitted streams, WINDOW_UPDATEs, ACKs).
        A write the server no longer takes is recorded in write_error, so
        that what it did send can still be read."""
        d = self.h.data_to_send()
        if d and not self.write_error:
            try:
                self.s.sendall(d)
            except OSError as x:  # BrokenPipeError, ConnectionResetError, ssl.SSLError
                self.write_error = x

    def submit(self, path, method="GET", headers=(), body=None, host=True):
        """Opens a stream for the request (queued, not sent); returns its id.
        headers are HTTP/1.1-style "Name: value" lines (names go lower-case,
        the value's surrounding blanks go) or (name, value) pairs sent as
        they are."""
        fields = [(b":method", method.encode()), (b":scheme", b"https" if self.tls else b"http")]
        if host:
            fields.append((b":authority", b"localhost"))
        fields.append((b":path", path.encode("latin-1")))
        for line in headers:
            if isinstance(line, tuple):
                fields.append(tuple(x.encode("latin-1") if isinstance(x, str) else x
                                    for x in line))
                continue
            name, _, value = line.partition(":")
            fields.append((name.strip().lower().encode(), value.strip(" \t").encode("latin-1")))
        sid = self.h.get_next_available_stream_id()
        self.h.send_headers(sid, fields, end_stream=body is None)
        if body is not None:
            self.h.send_data(sid, body, end_stream=True)
        self.streams[sid] = _Stream(sid, method)
        self.order.append(sid)
        return sid

    # -- receiving ------------------------------------------------------------------------

    def _read(self):
        """Reads once from the socket and handles every whole frame."""
        if self.slow:
            time.sleep(self.slow)
        try:
            d = self.s.recv(4096 if self.slow else 65536)
        except ConnectionResetError:
            raise AssertionError(f"the connection was reset; goaway={self.goaway}, "
                                 f"our last write: {self.write_error!r}")
        if not d:
            self.eof = True
            return
        self.inbuf += d
        while len(self.inbuf) >= 9:
            n = int.from_bytes(self.inbuf[0:3], "big")
            if len(self.inbuf) < 9 + n:
                break
            frame, self.inbuf = bytes(self.inbuf[:9 + n]), self.inbuf[9 + n:]
            ftype, flags = frame[3], frame[4]
            sid = int.from_bytes(frame[5:9], "big") & 0x7FFFFFFF
            self.frames.append((ftype, flags, sid, n))
            if ftype == H2_GOAWAY:
                last = int.from_bytes(frame[9:13], "big") & 0x7FFFFFFF
                self.goaway = (int.from_bytes(frame[13:17], "big"), last)
                continue
            try:
                events = self.h.receive_data(frame)
            except h2.exceptions.ProtocolError as x:
                raise AssertionError(f"kiln-edge's frame broke HTTP/2: {x!r}: {frame[:200]!r}")
            for ev in events:
                self._event(ev)
        self.flush()

    def _event(self, ev):
        st = self.streams.get(getattr(ev, "stream_id", 0) or 0)
        if st is None and isinstance(ev, (h2.events.InformationalResponseReceived,
                                          h2.events.ResponseReceived, h2.events.DataReceived)):
            raise AssertionError(f"a frame on a stream already answered: {ev}")
        if isinstance(ev, h2.events.RemoteSettingsChanged):
            self.settings = True
        elif isinstance(ev, h2.events.SettingsAcknowledged):
            self.acked = True
        elif isinstance(ev, h2.events.InformationalResponseReceived):
            st.interim.append(self._response(st, ev.headers, b""))
        elif isinstance(ev, h2.events.ResponseReceived):
            st.fields = ev.headers
        elif isinstance(ev, h2.events.TrailersReceived):
            st.trailers = ev.headers
        elif isinstance(ev, h2.events.DataReceived):
            st.body += ev.data
            self.h.acknowledge_received_data(ev.flow_controlled_length, ev.stream_id)
        elif isinstance(ev, h2.events.StreamEnded):
            st.ended = True
        elif isinstance(ev, h2.events.StreamReset):
            if st:
                st.reset = ev.error_code
        elif isinstance(ev, h2.events.PushedStreamReceived):
            raise AssertionError(f"a PUSH_PROMISE, with ENABLE_PUSH 0: {ev}")

    def _pump(self, done, what):
        while not done():
            if self.eof:
                raise AssertionError(f"the connection closed before {what}; goaway={self.goaway}")
            self._read()

    def _response(self, st, fields, body):
        heads = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in fields]
        _check_fields(heads)
        status = int(heads[0][1])
        r = Response("2", status, "", heads[1:], bytes(body),
                     "\r\n".join(f"{k}: {v}" for k, v in heads).encode("latin-1"))
        r.stream_id = st.id
        return r

    def wait(self, sid):
        """The final response of stream sid, once the stream has ended."""
        st = self.streams[sid]
        try:
            self._pump(lambda: st.ended or st.reset is not None, f"stream {sid} ended")
        except AssertionError as x:
            fields = dict((k.decode(), v.decode()) for k, v in st.fields or ())
            raise AssertionError(f"{x}; stream {sid} had {fields.get(':status')} and "
                                 f"{len(st.body)} of {fields.get('content-length')} body bytes")
        if st.reset is not None:
            self._forget(sid)
            raise H2Reset(sid, st.reset)
        r = self._response(st, st.fields, st.body)
        assert st.trailers is None, f"trailers on stream {sid}: {st.trailers}"
        r.interim = st.interim
        cl = r.h("content-length")
        if cl is not None and st.method != "HEAD" and r.status != 304:
            assert int(cl) == len(r.body), f"content-length {cl}, {len(r.body)} DATA bytes: {r}"
        self._forget(sid)
        return r

    def _forget(self, sid):
        del self.streams[sid]
        if sid in self.order:
            self.order.remove(sid)

    # -- Conn's interface ---------------------------------------------------------------------

    def request(self, path, method="GET", headers=(), version="1.1", host=True, body=None):
        assert version == "1.1", "an HTTP version is HTTP/1.1's: mark the test h1_only"
        sid = self.submit(path, method, headers, body, host)
        self.flush()
        return self.wait(sid)

    def response(self, method="GET"):
        """The oldest unanswered stream's final response."""
        assert self.order, "no request is waiting for its response"
        return self.wait(self.order[0])

    final = response

    def request_bytes(self, path, method="GET", headers=()):
        """The bytes that make this request (the connection preface and
        SETTINGS first, if not sent yet); then final() reads the answer."""
        self.submit(path, method, headers)
        return self.h.data_to_send()

    def pipeline(self, reqs):
        """Every request on its own stream, sent together, at most the
        server's MAX_CONCURRENT_STREAMS at a time; the responses in order."""
        reqs = [_spec(r) for r in reqs]
        self.flush()
        self._pump(lambda: self.settings, "the server's SETTINGS")
        out, sids, i = [], [], 0
        while len(out) < len(reqs):
            limit = self.h.remote_settings.max_concurrent_streams
            while i < len(reqs) and len(sids) < limit:
                sids.append(self.submit(*reqs[i]))
                i += 1
            self.flush()
            out.append(self.wait(sids.pop(0)))
        return out

    def begin(self, path, headers=(), until=4096):
        """Opens a stream and reads until `until` bytes of its body are in;
        final() reads the rest."""
        sid = self.submit(path, "GET", headers)
        self.flush()
        st = self.streams[sid]
        self._pump(lambda: len(st.body) >= until or st.ended or st.reset is not None,
                   f"{until} body bytes on stream {sid}")

    def nudge(self):
        """Sends a frame that asks for no answer the test waits for: a PING
        (its ACK is a connection frame)."""
        self.send(bytes([0, 0, 8, 0x6, 0, 0, 0, 0, 0]) + b"kiln-e2e")

    def closed(self, timeout=3):
        """True when the server closed the connection (EOF) within timeout
        with nothing but connection-level frames (a GOAWAY, SETTINGS, PING,
        WINDOW_UPDATE) after the last response; a reset fails."""
        assert not self.order, f"streams not read: {self.order}"
        self.s.settimeout(timeout)
        seen = len(self.frames)
        try:
            while not self.eof:
                self._read()
        except socket.timeout:
            return False
        finally:
            late = [f for f in self.frames[seen:] if f[2] != 0]
            assert not late, f"stream frames after the response: {late}"
        return True

    def close(self):
        try:
            self.s.close()
        except OSError:
            pass


def _check_fields(heads):
    """RFC 9113 §8.2 and §8.3.2 for a response's fields: :status first and
    alone of the pseudo-fields, names lower-case, nothing connection-specific."""
    assert heads and heads[0][0] == ":status" and re.fullmatch(r"\d{3}", heads[0][1]), heads
    for k, v in heads[1:]:
        assert not k.startswith(":"), f"pseudo-field {k} after :status: {heads}"
        assert k == k.lower() and re.fullmatch(r"[!#$%&'*+.^_`|~0-9a-z-]+", k), f"field name {k!r}"
        assert k not in CONNECTION_SPECIFIC, f"connection-specific field over HTTP/2: {k}: {v}"
        assert k != "te" or v == "trailers", f"te: {v}"
        assert "\r" not in v and "\n" not in v and "\0" not in v, f"{k}: {v!r}"
