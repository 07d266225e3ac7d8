"""What the soak phases share (tests/soak/soak.py): the releases a soak serves
and the table of every response they allow, kiln-edge as a process with its
RSS sampled, and a client that checks every response it gets.

A response is checked, never only counted: its status is one the request
allows, its ETag is one of that URL's variants in one of the releases being
served, its Content-Encoding is that variant's, and its body is that
variant's bytes (or the range asked for). So a request served from a
half-loaded release, a wrong variant or a truncated body is a failure.
"""
import hashlib
import json
import os
import random
import re
import shlex
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
import kt  # noqa: E402  (tests/e2e/kt.py: the HTTP/1.1 reader and the HTTP/2 client)

ROOT = kt.ROOT
HOST = kt.HOST
KILN_BUILD = os.environ.get("KILN_BUILD", os.path.join(ROOT, "bin/kiln-build"))
KILN_EDGE = os.environ.get("KILN_EDGE", os.path.join(ROOT, "bin/kiln-edge"))
BIG = "/big.bin"
STARTED = []  # every Edge started, for the phases' last-resort stop  # the large file of the soak's site: mapped, never held in memory


def log(*a):
    print("#", *a, flush=True)


# ---- the releases ------------------------------------------------------------------

class Releases:
    """Every valid answer of the releases in dirs: per URL its variants
    (ETag, Content-Encoding, bytes) across the releases."""

    def __init__(self, dirs):
        self.by_url = {}  # url -> {etag: (encoding, bytes, release dir)}
        self.lastmod = {}
        self.ids = []
        common = None
        for d in dirs:
            m = kt.manifest(d)
            self.ids.append(m["release"])
            urls = set()
            for url, e in m["files"].items():
                urls.add(url)
                vs = self.by_url.setdefault(url, {})
                vs[e["etag"]] = ("identity", kt.read(d, e["file"], "rb"), d)
                for enc, v in e["encodings"].items():
                    vs[v["etag"]] = (enc, kt.read(d, v["file"], "rb"), d)
            common = urls if common is None else common & urls
        self.common = sorted(common)
        # Fingerprinted URLs stay servable for --keep-releases releases after
        # a switch; the others exist in every release.
        self.urls = sorted(u for u in self.by_url
                           if u in common or re.search(r"\.[0-9a-f]{8,}\.", u))
        self.small = [u for u in self.urls if u != BIG]

    def check(self, url, r, method="GET", rng=None, inm=None):
        """Raises AssertionError unless r is a valid answer to the request."""
        vs = self.by_url[url]
        et = r.h("etag")
        assert et in vs, f"{url}: ETag {et} is none of its variants' ({r.status})"
        enc, body, _ = vs[et]
        ce = r.h("content-encoding") or "identity"
        if r.status == 304:  # RFC 9110 15.4.5: no Content-Encoding needed
            assert inm is not None, f"{url}: 304 to an unconditional request"
            assert r.body == b"", f"{url}: 304 with a body"
            assert ce in ("identity", enc), f"{url}: 304 with Content-Encoding {ce} for {enc}"
            return "304"
        assert ce == enc, f"{url}: Content-Encoding {ce} for the {enc} variant's ETag"
        if method == "HEAD":
            assert r.body == b"" and int(r.h("content-length")) == len(body)
            return "head"
        if r.status == 206:
            assert rng, f"{url}: 206 without a Range"
            m = re.fullmatch(r"bytes (\d+)-(\d+)/(\d+)", r.h("content-range") or "")
            assert m and int(m.group(3)) == len(body), f"{url}: Content-Range {r.h('content-range')}"
            a, b = int(m.group(1)), int(m.group(2))
            assert r.body == body[a:b + 1], f"{url}: 206 bytes {a}-{b} differ from the file's"
            return "206"
        assert r.status == 200, f"{url}: status {r.status}"
        assert len(r.body) == len(body), f"{url}: {len(r.body)} body bytes, want {len(body)}"
        assert r.body == body, f"{url}: body differs from the {enc} variant ({et})"
        return "200"


def make_sites(work):
    """Two sources: site-example plus a 4 MiB file (big.bin, random bytes,
    the same in both), and a copy with one CSS change. Returns their paths."""
    a = os.path.join(work, "site-a")
    b = os.path.join(work, "site-b")
    if not os.path.isdir(a):
        subprocess.run(["cp", "-r", kt.SITE, a], check=True)
        rnd = random.Random(16)
        with open(os.path.join(a, "big.bin"), "wb") as f:
            f.write(rnd.randbytes(4 << 20))
        subprocess.run(["cp", "-r", a, b], check=True)
        with open(os.path.join(b, "css/site.css"), "a") as f:
            f.write("\n/* soak: release B */\nbody { outline: 0 }\n")
    return a, b


def build(src, out, *args):
    p = subprocess.run([KILN_BUILD, "-q", *args, "-o", out, src], capture_output=True,
                       text=True, timeout=300)
    if p.returncode != 0:
        raise SystemExit(f"kiln-build -o {out} {src} exited {p.returncode}: {p.stderr}")
    return out


def switch(root, target):
    """Points root/current at target atomically (a new symlink renamed over)."""
    tmp = os.path.join(root, "current.tmp")
    if os.path.lexists(tmp):
        os.unlink(tmp)
    os.symlink(target, tmp)
    os.replace(tmp, os.path.join(root, "current"))


# ---- kiln-edge ---------------------------------------------------------------------

def edge_extra_args():
    """SOAK_EDGE_ARGS, plus --allow-root when running as root and the binary
    has that option (the privilege work refuses root without it)."""
    extra = shlex.split(os.environ.get("SOAK_EDGE_ARGS", ""))
    if os.getuid() == 0 and not any(a.startswith("--allow-root") or a == "--user" for a in extra):
        h = subprocess.run([KILN_EDGE, "--help"], capture_output=True, text=True).stdout
        if "--allow-root on" in h:  # --allow-root on|off
            extra += ["--allow-root", "on"]
        elif "--allow-root" in h:
            extra.append("--allow-root")
    return extra


def certs():
    return kt.test_certs()


class Edge:
    """kiln-edge on free 127.0.0.1 ports: plain (port), TLS (tls_port) and
    admin (admin_port). stop() drains it with SIGTERM and returns its exit
    status; stderr is kept in a file beside the work directory."""

    def __init__(self, work, release, *args, workers=2, nofile=None, tls=True, env=None):
        self.work, self.release, self.args = work, release, list(args)
        self.workers, self.nofile, self.tls, self.env = workers, nofile, tls, env
        self.proc = None

    def start(self):
        for _ in range(5):
            self.port, self.tls_port, self.admin_port = (kt.free_port() for _ in range(3))
            self.err_path = os.path.join(self.work, f"edge-{self.port}.err")
            cmd = [KILN_EDGE, "-w", str(self.workers), "-l", f"{HOST}:{self.port}",
                   "--admin", f"{HOST}:{self.admin_port}"]
            if self.tls:
                c = certs()
                cmd += ["--listen-tls", f"{HOST}:{self.tls_port}",
                        "--tls-cert", os.path.join(c, "ecdsa.crt"),
                        "--tls-key", os.path.join(c, "ecdsa.key")]
            cmd += self.args + edge_extra_args() + [self.release]
            self.cmd = cmd
            errf = open(self.err_path, "w")
            n = self.nofile

            def limit():
                # kiln-edge dies with the soak, whatever kills the soak.
                import ctypes
                ctypes.CDLL(None).prctl(1, int(signal.SIGTERM))  # PR_SET_PDEATHSIG
                if n:
                    import resource
                    resource.setrlimit(resource.RLIMIT_NOFILE, (n, n))
            env = dict(os.environ, **(self.env or {}))
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                         stderr=errf, cwd=self.work, preexec_fn=limit, env=env)
            errf.close()
            STARTED.append(self)
            deadline = time.time() + 30
            while time.time() < deadline:
                if "serving release" in self.stderr():
                    self.pid = self.proc.pid
                    return self
                if self.proc.poll() is not None:
                    break
                time.sleep(0.05)
            else:
                self.stop()
                raise SystemExit(f"kiln-edge did not start: {self.stderr()}")
            if "in use" not in self.stderr():
                raise SystemExit(f"kiln-edge exited at startup ({' '.join(cmd)}): {self.stderr()}")
        raise SystemExit("no free port after 5 attempts")

    def stderr(self):
        with open(self.err_path, errors="replace") as f:
            return f.read()

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def status(self):
        """{field: kB} of /proc/PID/status's VmRSS, RssAnon, RssFile, VmHWM;
        plus fds and threads."""
        out = {}
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                k, _, v = line.partition(":")
                if k in ("VmRSS", "RssAnon", "RssFile", "VmHWM", "Threads"):
                    out[k] = int(v.split()[0])
        out["fds"] = len(os.listdir(f"/proc/{self.pid}/fd"))
        return out

    def cpu_seconds(self):
        with open(f"/proc/{self.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def metrics(self):
        """/metrics as {name{labels}: value}."""
        c = kt.Conn(self.admin_port, timeout=10, plain=True)
        try:
            r = c.request("/metrics", headers=["Connection: close"])
        finally:
            c.close()
        out = {}
        for line in r.body.decode().splitlines():
            if line and not line.startswith("#"):
                k, _, v = line.rpartition(" ")
                out[k] = float(v)
        return out

    def metric(self, name):
        return sum(v for k, v in self.metrics().items() if k == name or k.startswith(name + "{"))

    def stop(self, timeout=30):
        """SIGTERM and wait; returns the exit status (negative: a signal)."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            self.rc = "killed after SIGTERM timeout"
            self.proc = None
            return self.rc
        self.rc = self.proc.returncode
        self.proc = None
        return self.rc


class RssSampler(threading.Thread):
    """Samples the server's /proc status every `every` seconds into series."""

    def __init__(self, edge, every=2.0):
        super().__init__(daemon=True)
        self.edge, self.every = edge, every
        self.series = []  # (seconds since start, status dict)
        self.t0 = time.time()
        self.halt = threading.Event()

    def run(self):
        while not self.halt.is_set():
            try:
                self.series.append((time.time() - self.t0, self.edge.status()))
            except (OSError, ValueError):
                pass
            self.halt.wait(self.every)


# ---- the checking client -----------------------------------------------------------

def tls_ctx(alpn=None):
    ctx = ssl.create_default_context(cafile=os.path.join(certs(), "ca.crt"))
    ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    if alpn:
        ctx.set_alpn_protocols(alpn)
    return ctx


class Counters:
    def __init__(self):
        self.lock = threading.Lock()
        self.c = {}
        self.failures = []

    def add(self, key, n=1):
        with self.lock:
            self.c[key] = self.c.get(key, 0) + n

    def fail(self, what):
        with self.lock:
            self.c["failed"] = self.c.get("failed", 0) + 1
            if len(self.failures) < 20:
                self.failures.append(what)
        log("FAILED:", what)

    def get(self, key):
        return self.c.get(key, 0)


_h2_lock = threading.Lock()


def h2conn(port, ctx, timeout):
    """kt.H2Conn reads the class-wide kt.Conn.ctx: set it under a lock."""
    with _h2_lock:
        kt.Conn.ctx = ctx
        try:
            return kt.H2Conn(port, timeout)
        finally:
            kt.Conn.ctx = None


class H1:
    """An HTTP/1.1 connection, over TLS with ctx (resuming session if given)."""

    def __init__(self, port, ctx=None, session=None, timeout=10, rcvbuf=None):
        s = socket.socket()
        if rcvbuf:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        s.settimeout(timeout)
        s.connect((HOST, port))
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if ctx:
            s = ctx.wrap_socket(s, server_hostname="localhost", session=session)
        self.s = s
        self.buf = b""
        self.slow = None

    def recv(self, n):
        if self.slow:
            time.sleep(self.slow)
            n = min(n, 4096)
        return self.s.recv(n)

    def request(self, path, method="GET", headers=()):
        self.s.sendall(kt.req(path, method, headers))
        r, self.buf = kt.read_response(self, self.buf, method)
        while 100 <= r.status < 200:
            r, self.buf = kt.read_response(self, self.buf, method)
        return r

    def close(self):
        try:
            self.s.close()
        except OSError:
            pass


class Client(threading.Thread):
    """A well-formed client: a mix of connection kinds and requests, every
    response checked against rels. kinds limits the connection kinds."""

    KINDS = ("h1-keepalive", "h1-new", "tls-full", "tls-resumed", "h2-tls", "h2c")

    def __init__(self, edge, rels, counters, stop, seed, kinds=KINDS, pause=0.0):
        super().__init__(daemon=True)
        self.edge, self.rels, self.k, self.stop_ev = edge, rels, counters, stop
        self.rnd = random.Random(seed)
        self.kinds, self.pause = kinds, pause
        self.ctx = tls_ctx(["http/1.1"])
        self.ctx_h2 = tls_ctx(["h2"])
        self.session = None
        self.latencies = []

    def pick(self):
        """(url, method, headers, kind of request) at random."""
        rnd, rels = self.rnd, self.rels
        url = BIG if rnd.random() < 0.01 else rnd.choice(rels.small)
        ae = rnd.choice(["", "br", "gzip", "zstd", "br, gzip, zstd", "gzip;q=0.5, br;q=0"])
        h = [f"Accept-Encoding: {ae}"] if ae else []
        x = rnd.random()
        if x < 0.15:  # a range inside the smallest variant of that URL
            n = min(len(b) for _, b, _ in rels.by_url[url].values())
            if n > 1:
                a = rnd.randrange(n)
                b = rnd.randrange(a, n)
                return url, "GET", h + [f"Range: bytes={a}-{b}"], "range"
        if x < 0.30:  # If-None-Match with one of the URL's ETags (maybe not the chosen one)
            et = rnd.choice(list(rels.by_url[url]))
            return url, "GET", h + [f"If-None-Match: {et}"], "inm"
        if x < 0.40:
            t = time.time() + rnd.choice([-10 ** 9, 3600])
            return url, "GET", h + ["If-Modified-Since: " + kt_http_date(t)], "ims"
        if x < 0.45:
            return url, "HEAD", h, "head"
        return url, "GET", h, "get"

    def one(self, conn, spec):
        url, method, headers, kind = spec
        t = time.monotonic()
        r = conn.request(url, method, headers)
        self.latencies.append(time.monotonic() - t)
        self.verify(spec, r)

    def verify(self, spec, r):
        url, method, headers, kind = spec
        inm = next((h for h in headers if h.startswith("If-None-Match")), None)
        ims = next((h for h in headers if h.startswith("If-Modified-Since")), None)
        try:
            got = self.rels.check(url, r, method, rng=kind == "range", inm=inm or ims)
        except AssertionError as x:
            self.k.fail(f"{kind} {method} {url} {headers}: {x}")
            return
        self.k.add("requests")
        self.k.add("status_" + got)

    def session_kind(self, kind):
        port, e, rnd = self.edge.port, self.edge, self.rnd
        n = rnd.randint(1, 20)
        if kind == "h1-keepalive":
            c = H1(port)
            self.k.add("conn_h1_plain")
        elif kind == "h1-new":
            c, n = H1(port), 1
            self.k.add("conn_h1_plain")
        elif kind == "tls-full":
            c = H1(e.tls_port, self.ctx)
            self.k.add("tls_full")
            self.session = c.s.session
        elif kind == "tls-resumed":
            c = H1(e.tls_port, self.ctx, session=self.session)
            if self.session is not None and c.s.session_reused:
                self.k.add("tls_resumed")
            else:
                self.k.add("tls_full")
                if self.session is not None:
                    self.k.add("tls_resume_refused")  # expired ticket key after a long run
            self.session = c.s.session
        elif kind in ("h2-tls", "h2c"):
            c = h2conn(port if kind == "h2c" else e.tls_port,
                       self.ctx_h2 if kind == "h2-tls" else None, 10)
            self.k.add("conn_" + kind)
            try:
                specs = [self.pick() for _ in range(n)]
                rs = c.pipeline([(u, m, h) for u, m, h, _ in specs])
                for spec, r in zip(specs, rs):
                    self.verify(spec, r)
            finally:
                c.close()
            return
        try:
            for i in range(n):
                spec = self.pick()
                if kind == "h1-new":
                    spec = (spec[0], spec[1], spec[2] + ["Connection: close"], spec[3])
                self.one(c, spec)
        finally:
            c.close()

    def run(self):
        while not self.stop_ev.is_set():
            kind = self.rnd.choice(self.kinds)
            try:
                self.session_kind(kind)
            except Exception as x:  # noqa: BLE001  a reset, a timeout, a malformed answer
                self.k.fail(f"{kind}: {type(x).__name__}: {x}")
            if self.pause:
                time.sleep(self.pause)


def kt_http_date(t):
    import email.utils
    return email.utils.formatdate(t, usegmt=True)


# ---- misbehaving clients -----------------------------------------------------------

class Misbehaver(threading.Thread):
    """Aborts mid-body (a partial read of big.bin, then a close or a reset)
    and slow readers (a 4 KiB receive buffer, 4 KiB reads with pauses) whose
    body must still arrive whole; over plain HTTP/1.1, TLS and h2c."""

    def __init__(self, edge, rels, counters, stop, seed):
        super().__init__(daemon=True)
        self.edge, self.rels, self.k, self.stop_ev = edge, rels, counters, stop
        self.rnd = random.Random(seed)
        self.ctx = tls_ctx(["http/1.1"])

    def abort(self):
        e, rnd = self.edge, self.rnd
        tls = rnd.random() < 0.5
        c = H1(e.tls_port if tls else e.port, self.ctx if tls else None)
        c.s.sendall(kt.req(BIG))
        want = rnd.randint(0, 1 << 20)
        got = 0
        while got < want:
            d = c.s.recv(65536)
            if not d:
                break
            got += len(d)
        if rnd.random() < 0.5:  # RST instead of FIN
            c.s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        c.close()
        self.k.add("faults_abort")

    def slow(self):
        e, rnd = self.edge, self.rnd
        tls = rnd.random() < 0.5
        c = H1(e.tls_port if tls else e.port, self.ctx if tls else None, timeout=30, rcvbuf=4096)
        c.slow = 0.002
        spec = (BIG, "GET", [], "slow")
        if rnd.random() < 0.5:
            spec = (BIG, "GET", ["Range: bytes=0-524287"], "range")
        try:
            r = c.request(spec[0], spec[1], spec[2])
            try:
                self.rels.check(BIG, r, rng=spec[3] == "range")
                self.k.add("slow_reader_ok")
                self.k.add("requests")
            except AssertionError as x:
                self.k.fail(f"slow reader ({'tls' if tls else 'plain'}): {x}")
        finally:
            c.close()

    def run(self):
        while not self.stop_ev.is_set():
            if self.rnd.random() < 0.7:
                try:
                    self.abort()
                except OSError as x:  # the client misbehaves: not a failed request
                    self.k.add("abort_errors")
                    log("abort:", repr(x))
            else:
                try:
                    self.slow()
                except Exception as x:  # noqa: BLE001  a slow reader is well-formed
                    self.k.fail(f"slow reader: {type(x).__name__}: {x}")
            self.stop_ev.wait(0.2)


def percentile(xs, p):
    if not xs:
        return 0.0
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))]


def dump(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=1)


def sha(b):
    return hashlib.sha256(b).hexdigest()[:16]
