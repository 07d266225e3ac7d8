#!/usr/bin/python3
"""Writes the seeds of tests/fuzz/fuzz_h2.c into tests/fuzz/corpus/fuzz_h2/:
what HTTP/2 clients send, made with Debian's python3-h2 (h2, hpack,
hyperframe), each after fuzz_h2's 8-byte control block (piece sizes, which
sink calls hold their batch, flags, reloads). Run it from anywhere with
/usr/bin/python3; it rewrites only the files it names (seeds libFuzzer added,
named by their SHA-1, stay). The URLs are the release fuzz_h2.c builds."""

import os
import struct

from h2.config import H2Configuration
from h2.connection import H2Connection
from h2.errors import ErrorCodes
from h2.settings import SettingCodes
from hyperframe.frame import (ContinuationFrame, DataFrame, HeadersFrame, PingFrame, PriorityFrame, RstStreamFrame,
                              SettingsFrame, WindowUpdateFrame)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "fuzz_h2")

# fuzz_h2.c's site: pre-hashed names keep their URL in the release.
CSS = "/assets/app-B9xQ2kLm.css"
JS = "/assets/app-F5gH8jKl.js"
FONT = "/assets/font-D8sK3nVq.woff2"
BIG = "/assets/big-C4rT7pWz.png"    # 60000 bytes, in memory
HUGE = "/assets/huge-E2mN6bXc.png"  # 70000 bytes, over --mem-max
DATA = "/assets/data-G7hJ4kLp.json"  # 40000 bytes of text, br/zstd/gzip
CSS_ETAG = '"dc371f14a4c77602a75d4d3f"'  # SHA-256 of the CSS: 304 while it is unchanged
MTIME = "Thu, 01 Jan 2026 00:00:00 GMT"  # every file's mtime (fuzz_h2.c sets it)

# fuzz_h2.c's flags (c[5]).
F_TLS, F_READ_WHILE, F_RELOAD, F_SINK_FAIL = 0x01, 0x02, 0x04, 0x08
F_GOAWAY, F_STOPPING, F_TIMEOUT, F_LOG = 0x10, 0x20, 0x40, 0x80
JSON_LOG = 0x80  # in the last control byte, with F_LOG
PRIORITY_UPDATE = 0x10  # RFC 9218


def ctl(sizes=(0, 0, 0, 0), hold=0, flags=0, reload=0, fail=0):
    """The control block: piece sizes (0: the rest at once), the bits of the
    sink calls that hold their batch, flags, reloads before pieces, the sink
    call that fails (| JSON_LOG: the access log as JSON)."""
    return bytes(list(sizes) + [hold, flags, reload, fail])


class Client:
    """A client connection: h2's own frames where h2 allows them, raw
    hyperframe frames (HPACK from the same encoder) where it does not."""

    def __init__(self, settings=None):
        cfg = H2Configuration(client_side=True, header_encoding="utf-8",
                              validate_outbound_headers=False,
                              normalize_outbound_headers=False)
        self.c = H2Connection(config=cfg)
        if settings:
            self.c.local_settings = type(self.c.local_settings)(
                client=True, initial_values=settings)
        self.c.initiate_connection()
        self.out = bytearray(self.c.data_to_send())

    def take(self):
        self.out += self.c.data_to_send()

    def get(self, sid, path, extra=(), method="GET", end_stream=True):
        self.c.send_headers(sid, req(path, extra, method), end_stream=end_stream)
        self.take()

    def raw(self, frame):
        self.out += frame.serialize()

    def block(self, fields):
        return self.c.encoder.encode(fields)

    def bytes(self):
        self.take()
        return bytes(self.out)


def req(path, extra=(), method="GET", authority="localhost"):
    return [(":method", method), (":scheme", "https"), (":authority", authority),
            (":path", path)] + list(extra)


NAV = [("accept", "text/html"), ("accept-encoding", "gzip, deflate, br, zstd"),
       ("sec-fetch-mode", "navigate"), ("user-agent", "fuzz")]


def frame(type_, flags, sid, payload):
    return struct.pack(">I", len(payload))[1:] + bytes([type_, flags]) + \
        struct.pack(">I", sid) + payload


def seeds():
    s = {}

    c = Client()
    c.get(1, "/", NAV)
    s["get-root"] = ctl() + c.bytes()

    # Several streams at once, different encodings, statuses and classes,
    # fed in small pieces.
    c = Client()
    for i, (path, enc) in enumerate([("/", "br"), (CSS, "zstd"), (JS, "gzip"),
                                     ("/robots.txt", "identity"), ("/sw.js", "br;q=0"),
                                     ("/nope", "br"), ("/docs", ""), ("/docs/", "gzip"),
                                     (DATA, "br, zstd"), ("/index.html?x=1", "*")]):
        c.get(2 * i + 1, path, [("accept-encoding", enc)] if enc else [])
    s["streams"] = ctl((7, 13, 1, 50)) + c.bytes()

    # Ranges: one, several (multipart), suffix, unsatisfiable, If-Range.
    c = Client()
    c.get(1, BIG, [("range", "bytes=0-99")])
    c.get(3, BIG, [("range", "bytes=0-9,100-199,59990-")])
    c.get(5, DATA, [("range", "bytes=-500"), ("accept-encoding", "br")])
    c.get(7, BIG, [("range", "bytes=999999-")])
    c.get(9, CSS, [("range", "bytes=1-2"), ("if-range", CSS_ETAG)])
    c.get(11, CSS, [("range", "bytes=1-2"), ("if-range", MTIME)])
    c.get(13, HUGE, [("range", "bytes=65530-65545")])
    s["range"] = ctl((33, 0, 0, 0)) + c.bytes()

    # Preconditions: 304 and 412.
    c = Client()
    c.get(1, CSS, [("if-none-match", CSS_ETAG)])
    c.get(3, CSS, [("if-none-match", "*")])
    c.get(5, "/", [("if-modified-since", "Fri, 01 Jan 2027 00:00:00 GMT")])
    c.get(7, CSS, [("if-match", '"nope"')])
    c.get(9, CSS, [("if-unmodified-since", "Mon, 01 Jan 2024 00:00:00 GMT")])
    c.get(11, CSS, [("if-none-match", 'W/"x", ' + CSS_ETAG), ("if-modified-since", "junk")])
    s["conditional"] = ctl() + c.bytes()

    c = Client()
    c.get(1, "/", NAV, method="HEAD")
    c.get(3, BIG, method="HEAD")
    c.get(5, "/nope", method="HEAD")
    s["head"] = ctl((5, 0, 0, 0)) + c.bytes()

    # A big body, then cancelled; a stream reset before its headers end.
    c = Client()
    c.get(1, BIG)
    c.c.reset_stream(1, ErrorCodes.CANCEL)
    c.get(3, HUGE)
    c.get(5, "/")
    c.c.reset_stream(3, ErrorCodes.NO_ERROR)
    c.take()
    s["rst-stream"] = ctl((60, 0, 0, 0)) + c.bytes()

    # Rapid reset: streams opened and cancelled at once.
    c = Client()
    for sid in range(1, 80, 2):
        c.get(sid, "/")
        c.c.reset_stream(sid, ErrorCodes.CANCEL)
    s["rapid-reset"] = ctl() + c.bytes()

    # Windows wide open: batches past 64 KiB (NGHTTP2_ERR_PAUSE), held by
    # the sink every other call.
    c = Client({SettingCodes.INITIAL_WINDOW_SIZE: 2**31 - 1,
                SettingCodes.MAX_FRAME_SIZE: 2**24 - 1})
    c.c.increment_flow_control_window(2**31 - 1 - 65535)
    c.take()
    for sid, path in [(1, BIG), (3, HUGE), (5, DATA), (7, BIG), (9, "/sw.js")]:
        c.get(sid, path)
    s["window-update"] = ctl(hold=0x55) + c.bytes()
    # The same, never held: past 4 batches in one turn the session yields
    # (the sink must queue), and goes on from ke_h2_written.
    s["yield"] = ctl() + c.bytes()

    # A zero window: nothing until the WINDOW_UPDATEs come, a few at a time.
    c = Client({SettingCodes.INITIAL_WINDOW_SIZE: 0})
    c.get(1, BIG)
    c.get(3, CSS)
    for inc in (1, 100, 16384, 70000):
        c.raw(WindowUpdateFrame(1, window_increment=inc))
        c.raw(WindowUpdateFrame(3, window_increment=inc))
    c.raw(WindowUpdateFrame(0, window_increment=1 << 20))
    s["zero-window"] = ctl((40, 9, 9, 0), hold=0xa5) + c.bytes()

    # PINGs, a PING ACK, empty SETTINGS and a SETTINGS ACK.
    c = Client()
    c.c.ping(b"12345678")
    c.take()
    c.raw(PingFrame(0, opaque_data=b"abcdefgh", flags=["ACK"]))
    c.raw(SettingsFrame(0))
    c.raw(SettingsFrame(0, flags=["ACK"]))
    c.get(1, "/robots.txt")
    for i in range(20):
        c.raw(PingFrame(0, opaque_data=struct.pack(">Q", i)))
    s["ping"] = ctl((3, 0, 0, 0)) + c.bytes()

    # A header block over HEADERS and two CONTINUATIONs.
    c = Client()
    blk = c.block(req("/", NAV + [("x-pad", "a" * 300)]))
    c.raw(HeadersFrame(1, data=blk[:10], flags=["END_STREAM"]))
    c.raw(ContinuationFrame(1, data=blk[10:40]))
    c.raw(ContinuationFrame(1, data=blk[40:], flags=["END_HEADERS"]))
    # Then a CONTINUATION flood: empty ones, past the limit of 8.
    blk = c.block(req(CSS))
    c.raw(HeadersFrame(3, data=blk, flags=["END_STREAM"]))
    for _ in range(12):
        c.raw(ContinuationFrame(3, data=b""))
    s["continuation"] = ctl((24, 30, 0, 0)) + c.bytes()

    # RFC 9218: the priority field, PRIORITY_UPDATE frames (one for an open
    # stream, one ahead of its stream), and an RFC 7540 PRIORITY frame.
    c = Client({SettingCodes.ENABLE_PUSH: 0, 9: 1})  # 9: SETTINGS_NO_RFC7540_PRIORITIES
    c.get(1, BIG, [("priority", "u=5, i")])
    # (hyperframe's ExtensionFrame does not serialise its body: raw bytes.)
    c.out += frame(PRIORITY_UPDATE, 0, 0, struct.pack(">I", 1) + b"u=0")
    c.out += frame(PRIORITY_UPDATE, 0, 0, struct.pack(">I", 3) + b"u=1, i")
    c.raw(PriorityFrame(3, depends_on=1, stream_weight=200))
    c.get(3, CSS, [("priority", "u=0")])
    c.get(5, DATA, [("priority", "i, u=7")])
    s["priority-update"] = ctl() + c.bytes()

    # The client says goodbye after its request.
    c = Client()
    c.get(1, "/")
    c.c.close_connection(error_code=ErrorCodes.NO_ERROR, last_stream_id=0)
    c.take()
    c.raw(HeadersFrame(3, data=c.block(req(CSS)), flags=["END_STREAM", "END_HEADERS"]))
    s["goaway"] = ctl() + c.bytes()

    # Over TLS (HSTS, SETTINGS at once), reloads between pieces while
    # streams are in flight, the sink holding batches while input goes on.
    c = Client({SettingCodes.INITIAL_WINDOW_SIZE: 1 << 20})
    c.c.increment_flow_control_window(1 << 24)
    c.take()
    for i, path in enumerate([BIG, "/", HUGE, DATA, CSS, BIG, "/docs/", JS]):
        c.get(2 * i + 1, path, NAV if path == "/" else [("accept-encoding", "br")])
    s["tls-reload"] = ctl((80, 40, 120, 0), hold=0x0f, flags=F_TLS | F_READ_WHILE | F_RELOAD,
                          reload=0x16) + c.bytes()

    # Streams reset while the sink holds a batch with their bodies, on a
    # release that a second reload leaves to the streams and the batch alone.
    c = Client({SettingCodes.INITIAL_WINDOW_SIZE: 1 << 20})
    c.c.increment_flow_control_window(1 << 24)
    c.get(1, BIG)
    c.get(3, DATA, [("accept-encoding", "gzip")])
    first = len(c.bytes())
    c.c.reset_stream(1, ErrorCodes.CANCEL)
    c.c.reset_stream(3, ErrorCodes.CANCEL)
    c.get(5, "/robots.txt")
    rest = c.bytes()[first:]
    assert first < 256 and len(rest) < 256
    s["rst-while-held"] = ctl((first, len(rest), 0, 0), hold=0xff,
                              flags=F_READ_WHILE | F_RELOAD, reload=0x03) + c.bytes()

    # Five streams answered on five releases (a reload before each of the
    # pieces after the first), their bodies held back by a zero window, then
    # all sent at once: one batch with slices of more indexes than h2.c keeps
    # per batch (OUT_IXS). Every piece is N bytes, filled with an unknown
    # frame type (ignored), as the piece sizes cycle.
    n = 128
    c = Client({SettingCodes.INITIAL_WINDOW_SIZE: 0})
    pieces = []
    for sid, path in [(1, CSS), (3, JS), (5, "/robots.txt"), (7, FONT), (9, "/docs/")]:
        c.get(sid, path)
        body = c.bytes()[sum(pieces):]
        assert len(body) <= n - 9
        c.out += frame(0xfa, 0, 0, bytes(n - 9 - len(body)))
        pieces.append(n)
    c.raw(SettingsFrame(0, settings={SettingCodes.INITIAL_WINDOW_SIZE: 65535}))
    s["five-releases"] = ctl((n, n, n, n), flags=F_RELOAD, reload=0x1e) + c.bytes()

    # The socket fails on the second write.
    c = Client()
    c.get(1, "/")
    c.get(3, BIG)
    s["sink-fail"] = ctl((40, 30, 0, 0), hold=0x01, flags=F_SINK_FAIL, fail=2) + c.bytes()

    # Requests h2 refuses or respond.c answers with an error.
    c = Client()
    bad = [
        [(":method", "GET"), (":scheme", "https"), (":authority", "x")],  # no :path
        req("/", [("connection", "keep-alive")]),
        req("/", [("transfer-encoding", "chunked")]),
        req("/", [("te", "gzip")]),
        req("/", [("Upper", "x")]),
        req("/", [(":extra", "x")]),
        req("*", method="OPTIONS"),
        req("/", method="POST") + [("content-length", "5")],
        req("/", method="DELETE"),
        req("/%2e%2e/etc/passwd"),
        req("/a/../index.html"),
        req("//docs//"),
        req("/", authority="evil.example:99999"),
        req("/", [("host", "other")]),
        req("/", [("accept-encoding", "br;q=0.5, zstd;q=0.9, gzip;q=0")]),
        req("/", [("x-" + str(i), "v") for i in range(70)]),  # over --max-headers
        req("/", [("x-big", "v" * 9000)]),                    # over --max-header-size
        [(":method", "CONNECT"), (":authority", "localhost:443")],
    ]
    for i, fields in enumerate(bad):
        c.raw(HeadersFrame(2 * i + 1, data=c.block(fields), flags=["END_STREAM", "END_HEADERS"]))
    # A body the server does not want, and DATA on a closed stream.
    c.raw(HeadersFrame(41, data=c.block(req("/", method="POST")), flags=["END_HEADERS"]))
    c.raw(DataFrame(41, data=b"hello"))
    c.raw(DataFrame(41, data=b"", flags=["END_STREAM"]))
    c.raw(DataFrame(1, data=b"late"))  # a connection error: last, in its own piece
    s["bad-requests"] = ctl((200, 97, 150, 255), hold=0x22) + c.bytes()

    # An HPACK bomb: one big field in the dynamic table, referenced over and
    # over (a small block that decodes to far over --max-header-size).
    c = Client()
    blk = c.block(req("/", [("x-bomb", "b" * 4000)]))
    ref = c.block([("x-bomb", "b" * 4000)])  # now an indexed field: a byte or two
    c.raw(HeadersFrame(1, data=blk, flags=["END_STREAM", "END_HEADERS"]))
    c.raw(HeadersFrame(3, data=c.block(req("/")) + ref * 200, flags=["END_STREAM", "END_HEADERS"]))
    s["hpack-bomb"] = ctl() + c.bytes()

    # SETTINGS of every kind: a tiny HPACK table, a big frame size, unknown ids.
    c = Client({SettingCodes.HEADER_TABLE_SIZE: 0, SettingCodes.MAX_CONCURRENT_STREAMS: 1,
                SettingCodes.MAX_HEADER_LIST_SIZE: 100})
    c.raw(SettingsFrame(0, settings={SettingCodes.HEADER_TABLE_SIZE: 64, 0x4242: 7,
                                     SettingCodes.MAX_FRAME_SIZE: 16384}))
    c.get(1, "/", NAV)
    c.get(3, BIG)
    s["settings"] = ctl((30, 30, 30, 30)) + c.bytes()

    # Flow-control and framing errors nghttp2 must turn into GOAWAY.
    c = Client()
    c.get(1, "/")
    c.raw(WindowUpdateFrame(0, window_increment=2**31 - 1))  # overflows the window
    s["window-overflow"] = ctl() + c.bytes()
    c = Client()
    c.get(1, "/")
    c.out += frame(0x1, 0x4, 2, b"\x82")  # HEADERS on an even (server) stream
    s["even-stream"] = ctl() + c.bytes()
    c = Client()
    c.out += frame(0x4, 0x0, 0, b"\x00\x04\x80\x00\x00\x00")  # window over 2^31-1
    s["settings-bad"] = ctl() + c.bytes()

    # fuzz_h2's first find, kept as a regression seed: an empty Expect
    # reached request.c's next_member() as a NULL span (h2.c's span_of()),
    # memchr(NULL, ',', 0) under UBSan; fixed by 5b2f988.
    c = Client()
    c.get(1, "/", [("expect", "")])
    s["crash-expect-empty"] = ctl() + c.bytes()

    # Draining: a GOAWAY before the second piece, streams begun finish;
    # access log lines with bytes that must be escaped (combined format).
    # (Values nghttp2 lets through: no control bytes but HTAB.)
    odd = [("user-agent", 'a"b\\c\td \u00e9 x'), ("referer", "http://x/\"><\\")]
    c = Client()
    c.get(1, "/", odd)
    c.get(3, CSS, odd)
    first = len(c.bytes())
    c.get(5, '/"quoted"\\path?q=%00', odd)  # after the GOAWAY: not answered
    assert first < 256
    s["drain-log"] = ctl((first, 0, 0, 0), flags=F_GOAWAY | F_LOG) + c.bytes()

    # The worker drains (GOAWAY after each request), JSON access log.
    c = Client()
    for sid in (1, 3, 5):
        c.get(sid, "/" if sid == 1 else "/nope", odd + NAV)
    s["stopping-json-log"] = ctl(flags=F_STOPPING | F_LOG, fail=JSON_LOG) + c.bytes()

    # The send timeout while the sink holds a batch; the idle timeout.
    c = Client()
    c.get(1, BIG)
    s["send-timeout"] = ctl(hold=0xff, flags=F_TIMEOUT) + c.bytes()
    c = Client()
    c.get(1, "/robots.txt")
    s["idle-timeout"] = ctl(flags=F_TIMEOUT | F_TLS) + c.bytes()

    # kiln-edge's own defences, each past its default budget: resets it
    # has to send (malformed requests), SETTINGS and PING a second, empty
    # DATA frames; and client resets (rapid reset, past 1000).
    c = Client()
    for sid in range(1, 2 * 110, 2):
        c.raw(HeadersFrame(sid, data=c.block([(":method", "GET"), (":scheme", "https")]),
                           flags=["END_STREAM", "END_HEADERS"]))
    s["glitches"] = ctl((0, 0, 0, 0)) + c.bytes()
    c = Client()
    c.get(1, "/")
    for i in range(120):
        c.raw(PingFrame(0, opaque_data=struct.pack(">Q", i)) if i % 2 else SettingsFrame(0))
    s["control-flood"] = ctl((200, 200, 200, 200)) + c.bytes()
    c = Client()
    c.get(1, "/", method="POST", end_stream=False)
    for _ in range(110):
        c.raw(DataFrame(1, data=b""))
    s["empty-frames"] = ctl() + c.bytes()
    c = Client()
    for sid in range(1, 2 * 1010, 2):
        c.raw(HeadersFrame(sid, data=c.block(req("/")), flags=["END_STREAM", "END_HEADERS"]))
        c.raw(RstStreamFrame(sid, error_code=8))
    s["reset-flood"] = ctl() + c.bytes()

    # Only the preface, in single bytes; and not the preface at all.
    s["preface-bytes"] = ctl((1, 1, 1, 1)) + Client().bytes()
    s["not-preface"] = ctl() + b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
    return s


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, data in sorted(seeds().items()):
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
        print(f"{name}: {len(data)} bytes")


if __name__ == "__main__":
    main()
