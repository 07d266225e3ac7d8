"""kiln-edge's HTTP/2 under attack and at its limits, with raw frames
(python3-hyperframe and python3-hpack): rapid reset, CONTINUATION floods,
MadeYouReset, SETTINGS/PING and empty-frame floods, HPACK bombs, refused
streams, zero-window stalls, a window of 2^31-1, idle and drain GOAWAYs, and
RFC 9218 priorities measured in the order DATA frames arrive. Each attack
gets its own connection closed, a GOAWAY or a RST_STREAM, is counted in
/metrics, and never stops other clients of the same worker from being
served (docs/kiln-edge.md, "HTTP/2")."""
import atexit
import os
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import threading
import time
import urllib.request

from hpack import Decoder, Encoder
from hyperframe.frame import (ContinuationFrame, DataFrame, Frame, GoAwayFrame, HeadersFrame,
                              PingFrame, RstStreamFrame, SettingsFrame, WindowUpdateFrame)

from kt import HOST, SITE, Edge, build, get_once, manifest, run_all, test, write

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
NO_ERROR, PROTOCOL_ERROR, FLOW_CONTROL_ERROR, FRAME_SIZE_ERROR = 0x0, 0x1, 0x3, 0x6
REFUSED_STREAM, ENHANCE_YOUR_CALM = 0x7, 0xb

_WORK = tempfile.mkdtemp(prefix="kiln-e2e-h2a-")
atexit.register(shutil.rmtree, _WORK, True)
# site-example plus a large image and a 24 MiB file (over --mem-max: mapped).
_SRC = os.path.join(_WORK, "src")
shutil.copytree(SITE, _SRC)
write(_SRC, "img/big.png", b"\x89PNG\r\n\x1a\n" + os.urandom(1 << 20))
write(_SRC, "big.bin", os.urandom(1 << 20) * 24)
REL = os.path.join(_WORK, "rel")
build(_SRC, REL)
FILES = manifest(REL)["files"]


def url_of(src):
    return next(u for u, e in FILES.items() if e["source"] == src)


PNG, CSS = url_of("img/big.png"), url_of("css/site.css")


class H2:
    """A raw HTTP/2 client connection: frames out, frames in, nothing
    automatic but the preface and the SETTINGS ACK when asked."""

    def __init__(self, port, settings=None, window=None):
        self.s = socket.create_connection((HOST, port), timeout=10)
        self.enc = Encoder()
        self.buf = b""
        sf = SettingsFrame(0, settings=settings or {})
        self.s.sendall(PREFACE + sf.serialize())
        if window:  # open the connection window too
            self.send(WindowUpdateFrame(0, window_increment=window))

    def send(self, *frames):
        self.s.sendall(b"".join(f.serialize() for f in frames))

    def headers(self, sid, path, extra=(), end_stream=True, end_headers=True, method="GET"):
        block = self.enc.encode([(":method", method), (":scheme", "http"), (":path", path),
                                 (":authority", "localhost"), *extra])
        flags = (["END_STREAM"] if end_stream else []) + (["END_HEADERS"] if end_headers else [])
        return HeadersFrame(sid, data=block, flags=flags)

    def get(self, sid, path, extra=()):
        self.send(self.headers(sid, path, extra))

    def frame(self, timeout=10):
        """The next frame, or None once the server closed the connection."""
        self.s.settimeout(timeout)
        while True:
            if len(self.buf) >= 9:
                f, length = Frame.parse_frame_header(memoryview(self.buf[:9]))
                if len(self.buf) >= 9 + length:
                    f.parse_body(memoryview(self.buf[9:9 + length]))
                    self.buf = self.buf[9 + length:]
                    return f
            try:
                d = self.s.recv(1 << 16)
            except (ConnectionResetError, BrokenPipeError):
                return None
            if not d:
                return None
            self.buf += d

    def until_closed(self, timeout=10):
        """Every frame until the server closes; the GOAWAY among them, if any."""
        frames, deadline = [], time.time() + timeout
        while time.time() < deadline:
            f = self.frame(timeout=max(0.1, deadline - time.time()))
            if f is None:
                return frames
            frames.append(f)
        raise AssertionError(f"not closed after {timeout}s: {frames[-5:]}")

    def close(self):
        self.s.close()


def goaway(frames):
    g = [f for f in frames if isinstance(f, GoAwayFrame)]
    return g[0] if g else None


def metric(e, name, label):
    text = urllib.request.urlopen(f"http://{HOST}:{e.admin_port}/metrics", timeout=5).read()
    for line in text.decode().splitlines():
        if line.startswith(f'{name}{{{label}}} '):
            return int(line.split()[-1])
    raise AssertionError(f"{name}{{{label}}} not in /metrics")


def defence(e, what):
    return metric(e, "kiln_edge_h2_defence_total", f'defence="{what}"')


class Bystander:
    """Another client of the same (single) worker, fetching / over h2c with
    curl in a loop while an attack runs: every answer must be a 200."""

    def __init__(self, port):
        self.port, self.codes, self.stop = port, [], threading.Event()
        self.t = threading.Thread(target=self.run)
        self.t.start()

    def run(self):
        while not self.stop.is_set():
            p = subprocess.run(["curl", "-sS", "--http2-prior-knowledge", "--max-time", "5",
                                "-o", "/dev/null", "-w", "%{http_code}",
                                f"http://{HOST}:{self.port}/"], capture_output=True, text=True)
            self.codes.append(p.stdout)
            time.sleep(0.02)

    def check(self):
        self.stop.set()
        self.t.join(20)
        assert self.codes and all(c == "200" for c in self.codes), self.codes


@test("rapid reset: HEADERS then RST_STREAM, again and again, ends in GOAWAY ENHANCE_YOUR_CALM")
def _(tmp):
    with Edge(tmp, REL, "--http2-max-resets", "200", admin=True) as e:
        b = Bystander(e.port)
        c = H2(e.port)
        sid = 1
        try:
            for _ in range(30):
                batch = []
                for _ in range(20):
                    batch += [c.headers(sid, "/"), RstStreamFrame(sid, error_code=0x8)]
                    sid += 2
                c.send(*batch)
        except (BrokenPipeError, ConnectionResetError):
            pass
        g = goaway(c.until_closed())
        assert g and g.error_code == ENHANCE_YOUR_CALM, g
        assert defence(e, "reset_flood") == 1
        b.check()


@test("CONTINUATION flood: a header block that never ends closes the connection")
def _(tmp):
    with Edge(tmp, REL, admin=True) as e:
        b = Bystander(e.port)
        c = H2(e.port)
        frames = [c.headers(1, "/", end_headers=False)]
        frames += [ContinuationFrame(1, data=b"\x00\x01a\x01b") for _ in range(200)]
        try:
            c.send(*frames)
        except (BrokenPipeError, ConnectionResetError):
            pass
        c.until_closed()
        assert defence(e, "continuation_flood") == 1
        b.check()


@test("MadeYouReset: requests the server must reset itself spend the glitch budget: GOAWAY")
def _(tmp):
    with Edge(tmp, REL, "--http2-max-glitches", "50", admin=True) as e:
        b = Bystander(e.port)
        c = H2(e.port)
        sid = 1
        try:
            for _ in range(10):
                # A WINDOW_UPDATE that takes a stream's window past 2^31-1
                # is a stream error (RFC 9113 §6.9.1): the server resets the
                # stream it is answering, a reset the client never sent.
                batch = []
                for _ in range(10):
                    batch += [c.headers(sid, PNG), WindowUpdateFrame(sid, window_increment=2**31 - 1)]
                    sid += 2
                c.send(*batch)
        except (BrokenPipeError, ConnectionResetError):
            pass
        frames = c.until_closed()
        resets = [f for f in frames if isinstance(f, RstStreamFrame)]
        assert resets and all(f.error_code == FLOW_CONTROL_ERROR for f in resets), frames[:5]
        g = goaway(frames)
        assert g and g.error_code == ENHANCE_YOUR_CALM, g
        assert len(resets) <= 51, len(resets)  # the budget, and the one that spent it
        assert defence(e, "glitches") == 1
        b.check()


@test("SETTINGS and PING floods end in GOAWAY ENHANCE_YOUR_CALM; a normal rate does not")
def _(tmp):
    with Edge(tmp, REL, "--http2-max-control", "50", admin=True) as e:
        b = Bystander(e.port)
        for flood in (SettingsFrame(0, settings={SettingsFrame.ENABLE_PUSH: 0}),
                      PingFrame(0, opaque_data=b"12345678")):
            c = H2(e.port)
            try:
                c.send(*[flood] * 2000)
            except (BrokenPipeError, ConnectionResetError):
                pass
            g = goaway(c.until_closed())
            assert g and g.error_code == ENHANCE_YOUR_CALM, (flood, g)
        assert defence(e, "control_flood") == 2
        # Ten PINGs, then a request: answered.
        c = H2(e.port)
        c.send(*[PingFrame(0, opaque_data=b"abcdefgh")] * 10)
        c.get(1, "/")
        while True:
            f = c.frame()
            assert f is not None and not isinstance(f, GoAwayFrame), f
            if isinstance(f, DataFrame) and "END_STREAM" in f.flags:
                break
        c.close()
        b.check()


@test("empty DATA frames that end nothing are glitches: GOAWAY ENHANCE_YOUR_CALM")
def _(tmp):
    with Edge(tmp, REL, admin=True) as e:
        b = Bystander(e.port)
        c = H2(e.port)
        frames = [c.headers(1, "/", end_stream=False)] + [DataFrame(1, data=b"")] * 1000
        try:
            c.send(*frames)
        except (BrokenPipeError, ConnectionResetError):
            pass
        g = goaway(c.until_closed())
        assert g and g.error_code == ENHANCE_YOUR_CALM, g
        assert defence(e, "glitches") == 1
        b.check()


@test("HPACK bomb: a small block that decodes past --max-header-size gets 431, and is counted")
def _(tmp):
    with Edge(tmp, REL, admin=True) as e:
        c = H2(e.port)
        # One 4000-byte value enters the dynamic table, then 200 one-byte
        # references to it: 800 KB decoded from about 4 KB on the wire.
        big = ("x-bomb", "a" * 4000)
        block = c.enc.encode([(":method", "GET"), (":scheme", "http"), (":path", "/"),
                              (":authority", "localhost"), big])
        idx = bytes([0x80 | 62])  # the newest dynamic entry, indexed
        c.send(HeadersFrame(1, data=block + idx * 200, flags=["END_STREAM", "END_HEADERS"]))
        status = None
        while status is None:
            f = c.frame()
            assert f is not None, "closed"
            if isinstance(f, HeadersFrame):
                status = f.data
        assert dict(Decoder().decode(status))[":status"] == "431", status
        c.close()
        assert defence(e, "header_list") == 1


@test("streams past --http2-max-streams are refused with RST_STREAM REFUSED_STREAM")
def _(tmp):
    with Edge(tmp, REL, "--http2-max-streams", "10", admin=True) as e:
        c = H2(e.port, settings={SettingsFrame.INITIAL_WINDOW_SIZE: 0})
        c.send(*[c.headers(1 + 2 * i, PNG) for i in range(14)])
        refused = set()
        deadline = time.time() + 5
        while len(refused) < 4 and time.time() < deadline:
            f = c.frame(timeout=5)
            assert f is not None, "closed"
            if isinstance(f, RstStreamFrame):
                assert f.error_code == REFUSED_STREAM, f
                refused.add(f.stream_id)
        assert refused == {21, 23, 25, 27}, refused
        c.close()
        assert defence(e, "refused_stream") == 4


@test("a zero window stalls a response: --send-timeout closes the connection")
def _(tmp):
    with Edge(tmp, REL, "--send-timeout", "1s", admin=True) as e:
        c = H2(e.port, settings={SettingsFrame.INITIAL_WINDOW_SIZE: 0})
        c.get(1, PNG)
        t = time.time()
        c.until_closed(timeout=8)
        assert 0.9 < time.time() - t < 5, time.time() - t
        assert defence(e, "send_timeout") == 1


def rss_anon(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("RssAnon:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no RssAnon")


@test("a window of 2^31-1 and a client that does not read: kiln-edge buffers a bounded amount")
def _(tmp):
    with Edge(tmp, REL, "--send-timeout", "3s") as e:
        c = H2(e.port, settings={SettingsFrame.INITIAL_WINDOW_SIZE: 2**31 - 1},
               window=2**31 - 1 - 65535)
        c.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        before = rss_anon(e.proc.pid)
        c.send(*[c.headers(1 + 2 * i, "/big.bin") for i in range(10)])  # 240 MiB asked
        time.sleep(1.5)
        grew = rss_anon(e.proc.pid) - before
        assert grew < (8 << 20), f"kiln-edge grew by {grew} bytes"
        # Other clients are served meanwhile.
        b = Bystander(e.port)
        time.sleep(0.5)
        b.check()
        c.close()


@test("idle: no stream for --idle-timeout brings GOAWAY NO_ERROR, then the close")
def _(tmp):
    with Edge(tmp, REL, "--idle-timeout", "1s", admin=True) as e:
        c = H2(e.port)
        c.get(1, "/")
        g = goaway(c.until_closed(timeout=6))
        assert g and g.error_code == NO_ERROR and g.last_stream_id == 1, g
        assert defence(e, "idle_timeout") == 1


@test("SIGTERM: GOAWAY NO_ERROR naming the last stream, which still completes; exit 0")
def _(tmp):
    e = Edge(tmp, REL).start()
    try:
        c = H2(e.port, settings={SettingsFrame.INITIAL_WINDOW_SIZE: 65535})
        c.get(1, "/big.bin")
        got = 0
        while got < 65535:  # the first window's worth
            f = c.frame()
            if isinstance(f, DataFrame):
                got += len(f.data)
        e.signal(signal.SIGTERM)
        time.sleep(0.3)
        g, ended = None, False
        c.send(WindowUpdateFrame(0, window_increment=2**31 - 1 - 65535),
               WindowUpdateFrame(1, window_increment=2**31 - 1 - 65535))
        while not ended:
            f = c.frame()
            assert f is not None, "closed before the stream ended"
            if isinstance(f, GoAwayFrame):
                g = f
            if isinstance(f, DataFrame):
                got += len(f.data)
                ended = "END_STREAM" in f.flags
        assert g and g.error_code == NO_ERROR and g.last_stream_id == 1, g
        assert got == 24 << 20, got
        c.until_closed()
        e.proc.wait(timeout=10)  # and the worker, without connections, exits
    finally:
        e.stop()
    assert e.returncode == 0, e.stderr_text


@test("--max-requests: after N streams, GOAWAY names the last one answered")
def _(tmp):
    with Edge(tmp, REL, "--max-requests", "3") as e:
        c = H2(e.port)
        c.send(*[c.headers(1 + 2 * i, "/") for i in range(5)])
        frames = c.until_closed()
        g = goaway(frames)
        assert g and g.error_code == NO_ERROR and g.last_stream_id == 5, g
        ended = {f.stream_id for f in frames if "END_STREAM" in getattr(f, "flags", ())}
        assert ended == {1, 3, 5}, ended


@test("malformed requests get RST_STREAM PROTOCOL_ERROR, not a 400; the connection lives on")
def _(tmp):
    with Edge(tmp, REL) as e:
        c = H2(e.port)
        bad = [
            [("connection", "keep-alive")],          # connection-specific
            [("transfer-encoding", "chunked")],
            [("te", "gzip")],
            [("X-Upper", "1")],                      # upper-case name
            [(":foo", "1")],                         # unknown pseudo-header
        ]
        sid = 1
        for extra in bad:
            c.get(sid, "/", extra)
            sid += 2
        block = c.enc.encode([(":method", "GET"), (":scheme", "http"), (":authority", "x")])
        c.send(HeadersFrame(sid, data=block, flags=["END_STREAM", "END_HEADERS"]))  # no :path
        sid += 2
        c.get(sid, "/")  # a good one after them
        resets, ok = {}, False
        while not ok:
            f = c.frame()
            assert f is not None, "closed"
            if isinstance(f, RstStreamFrame):
                resets[f.stream_id] = f.error_code
            if isinstance(f, HeadersFrame):
                assert f.stream_id == sid, f"answered malformed stream {f.stream_id}"
            ok = isinstance(f, DataFrame) and f.stream_id == sid and "END_STREAM" in f.flags
        assert resets == {s: PROTOCOL_ERROR for s in range(1, sid, 2)}, resets
        c.close()


def data_order(port, paths, extra=None, pre=b""):
    """Sends every request at once (window wide open) and returns the paths
    in the order their last DATA frame arrived."""
    c = H2(port, settings={SettingsFrame.INITIAL_WINDOW_SIZE: 2**31 - 1},
           window=2**31 - 1 - 65535)
    frames = [c.headers(1 + 2 * i, p, (extra or {}).get(p, ())) for i, p in enumerate(paths)]
    c.s.sendall(pre + b"".join(f.serialize() for f in frames))
    done = []
    while len(done) < len(paths):
        f = c.frame()
        assert f is not None, "closed"
        if isinstance(f, DataFrame) and "END_STREAM" in f.flags:
            done.append(paths[(f.stream_id - 1) // 2])
    c.close()
    return done


def priority_update(sid, value):
    payload = struct.pack(">I", sid) + value.encode()
    return struct.pack(">I", len(payload))[1:] + bytes([0x10, 0]) + struct.pack(">I", 0) + payload


@test("RFC 9218: without a priority field, the page and its CSS go out before a big image")
def _(tmp):
    with Edge(tmp, REL) as e:
        order = data_order(e.port, [PNG, CSS, "/"])
        assert order[-1] == PNG, order
        # The client's own priority wins: the image first when it says u=0
        # and the others say u=7...
        order = data_order(e.port, [PNG, CSS, "/"],
                           extra={PNG: [("priority", "u=0")], CSS: [("priority", "u=7")],
                                  "/": [("priority", "u=7")]})
        assert order[0] == PNG, order
        # ... and a PRIORITY_UPDATE frame sent before the request counts too.
        order = data_order(e.port, [PNG, CSS, "/"], pre=priority_update(1, "u=0"),
                           extra={CSS: [("priority", "u=7")], "/": [("priority", "u=7")]})
        assert order[0] == PNG, order
        # It is the later signal: it wins over the request's own field.
        order = data_order(e.port, [CSS, "/", PNG], pre=priority_update(5, "u=0"),
                           extra={PNG: [("priority", "u=7")], CSS: [("priority", "u=1")],
                                  "/": [("priority", "u=1")]})
        assert order[0] == PNG, order


@test("RFC 9218: a PRIORITY_UPDATE reprioritizes an open stream")
def _(tmp):
    with Edge(tmp, REL) as e:
        # Windows of 0: the heads go out, the bodies wait; the image, last by
        # its field, is moved first before the windows open.
        c = H2(e.port, settings={SettingsFrame.INITIAL_WINDOW_SIZE: 0})
        paths = [CSS, "/", PNG]
        c.send(c.headers(1, CSS, [("priority", "u=1")]), c.headers(3, "/", [("priority", "u=1")]),
               c.headers(5, PNG, [("priority", "u=7")]))
        heads = 0
        while heads < 3:
            f = c.frame()
            assert f is not None, "closed"
            heads += isinstance(f, HeadersFrame)
        c.s.sendall(priority_update(5, "u=0") +
                    SettingsFrame(0, settings={SettingsFrame.INITIAL_WINDOW_SIZE: 2**31 - 1})
                    .serialize() + WindowUpdateFrame(0, window_increment=2**31 - 1 - 65535)
                    .serialize())
        done = []
        while len(done) < 3:
            f = c.frame()
            assert f is not None, "closed"
            if isinstance(f, DataFrame) and "END_STREAM" in f.flags:
                done.append(paths[(f.stream_id - 1) // 2])
        assert done[0] == PNG, done
        c.close()


@test("RFC 9218: PRIORITY_UPDATEs for idle streams, then their requests: each answered, "
      "and a GOAWAY after them is sent (nghttp2 1.52 freed such streams while listed)")
def _(tmp):
    # nghttp2 1.52's own PRIORITY_UPDATE support left a stream it made idle
    # on its idle list once opened: freed while listed (a use-after-free the
    # next frame wrote through), or, with a GOAWAY due, an abort() of the
    # worker on its assertion. kiln-edge now reads the frames itself.
    with Edge(tmp, REL, "--max-requests", "1") as e:
        c = H2(e.port)
        c.s.sendall(c.headers(1, "/").serialize() + priority_update(8193, "u=0") +
                    priority_update(3, "u=1, i") + c.headers(3, CSS).serialize())
        frames = c.until_closed()
        g = goaway(frames)
        assert g and g.error_code == NO_ERROR and g.last_stream_id == 1, frames
        ended = {f.stream_id for f in frames if "END_STREAM" in getattr(f, "flags", ())}
        assert ended == {1}, ended
    with Edge(tmp, REL) as e:
        c = H2(e.port)
        sid, ended = 1, set()
        for _ in range(4):  # each round: two idle streams prioritized, one opened
            c.s.sendall(priority_update(sid + 200, "u=2") + priority_update(sid, "u=0") +
                        c.headers(sid, CSS).serialize())
            while sid not in ended:
                f = c.frame()
                assert f is not None, ("closed", sid)
                if "END_STREAM" in getattr(f, "flags", ()):
                    ended.add(f.stream_id)
            sid += 2
        c.close()
        assert get_once(e.port).status == 200  # the worker lives


@test("RFC 9218 §7.1: a PRIORITY_UPDATE off stream 0, short, for stream 0 or a push stream, or "
      "past --http2-max-streams is a connection error; a value that does not parse is ignored")
def _(tmp):
    def frame(stream, payload):
        return struct.pack(">I", len(payload))[1:] + bytes([0x10, 0]) + struct.pack(">I", stream) + payload

    with Edge(tmp, REL, "--http2-max-streams", "4") as e:
        cases = [
            (frame(1, struct.pack(">I", 1) + b"u=0"), PROTOCOL_ERROR),
            (frame(0, b"\0\0\1"), FRAME_SIZE_ERROR),
            (priority_update(0, "u=0"), PROTOCOL_ERROR),
            (priority_update(2, "u=0"), PROTOCOL_ERROR),
            (b"".join(priority_update(1 + 2 * i, "u=1") for i in range(5)), PROTOCOL_ERROR),
        ]
        for data, code in cases:
            c = H2(e.port)
            c.s.sendall(data)
            g = goaway(c.until_closed())
            assert g and g.error_code == code, (data, g)
        # Four idle streams are within the limit; a bad value, an unknown
        # parameter and a second update for one stream change nothing else.
        c = H2(e.port)
        c.s.sendall(b"".join(priority_update(1 + 2 * i, "u=1") for i in range(4)) +
                    priority_update(1, "u=") + priority_update(1, "u=0, x=(1 2);a, i") +
                    c.headers(1, "/").serialize())
        while True:
            f = c.frame()
            assert f is not None and not isinstance(f, GoAwayFrame), f
            if "END_STREAM" in getattr(f, "flags", ()):
                break
        c.close()


run_all()
