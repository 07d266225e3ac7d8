"""End-to-end tests of kiln-edge serving RFC 9842 compression dictionaries,
on the releases of dict_releases.py: A (site-example, main.js a dictionary)
and B (main.js changed, its dcz delta against A's made by the zstd CLI).
Each check runs over HTTP/1.1 and over HTTP/2 with prior knowledge (h2c);
curl checks TLS (HTTP/1.1 and h2 by ALPN). Bodies are decoded by the zstd
and brotli CLIs, never by kiln's code."""
import base64
import os
import signal
import subprocess
import tempfile
import urllib.request

import kt
from kt import HOST, Conn, Edge, run_all, test, test_certs

from dict_releases import (A_BYTES, AE, AVAIL_A, B_BYTES, BR_ETAG, DCZ, DCZ_ETAG,
                           FRAME, HASH_A, MAGIC, REL_A, REL_B, REL_C, UAD, URL_A, URL_B, VARY,
                           unbr, unzstd, zstd_window)

PROTOS = ("h1", "h2c")


def conn(e, proto):
    c = Conn(e.port) if proto == "h1" else kt.H2Conn(e.port)
    e.conns.append(c)
    return c


def check_dcz(r):
    """r is B's chunk as a dcz delta against A's: the header names A's
    hash, the zstd frame decodes against A's bytes to B's."""
    assert r.status == 200, r
    assert r.h("content-encoding") == "dcz", r
    assert r.h("etag") == DCZ_ETAG, r
    assert r.h("vary") == VARY, r
    assert r.h("content-length") == str(len(DCZ)), r
    assert r.body[:8] == MAGIC and r.body[8:40] == HASH_A, r.body[:40]
    assert unzstd(r.body[40:]) == B_BYTES
    assert r.h("use-as-dictionary") == UAD, r


@test("zstd --patch-from makes a frame whose window Chromium's dcz decoder accepts")
def _(tmp):
    # Chromium decodes dcz with a window limit of max(8 MiB, 1.25 x the
    # dictionary) (RFC 9842 §4 asks decoders for at least that); a frame
    # asking for more is refused. A small --patch-from frame is single
    # segment: its window is its content size.
    w = zstd_window(FRAME)
    assert w <= max(8 << 20, len(A_BYTES) * 5 // 4), w
    assert FRAME[4] & 3 == 0, "no dictionary ID: A's bytes are a raw-content dictionary"


@test("A's hash in Available-Dictionary and dcz accepted get the dcz delta, over h1 and h2c")
def _(tmp):
    with Edge(tmp, REL_B) as e:
        for proto in PROTOS:
            check_dcz(conn(e, proto).request(URL_B, headers=[AE, AVAIL_A]))


@test("an unknown dictionary hash, or no dcz in Accept-Encoding, gets br with the same Vary")
def _(tmp):
    other = "Available-Dictionary: :" + base64.b64encode(b"\xff" * 32).decode() + ":"
    with Edge(tmp, REL_B) as e:
        for proto in PROTOS:
            c = conn(e, proto)
            for hdrs in ([AE, other], ["Accept-Encoding: gzip, br, zstd", AVAIL_A],
                         ["Accept-Encoding: br, dcz;q=0", AVAIL_A], ["Accept-Encoding: *", AVAIL_A]):
                r = c.request(URL_B, headers=hdrs)
                assert r.status == 200 and r.h("content-encoding") == "br", (hdrs, r)
                assert r.h("vary") == VARY and r.h("etag") == BR_ETAG, r
                assert unbr(r.body) == B_BYTES


@test("malformed Available-Dictionary values (base64, length, list, string, oversized) get br and 200")
def _(tmp):
    b64 = base64.b64encode(HASH_A).decode()
    bad = [
        b64,                                   # no colons: a token
        f'"{b64}"',                            # a string
        f":{b64.rstrip('=')}:",                # unpadded
        f":{b64[:-2]}!=:",                     # not base64
        ":" + base64.b64encode(HASH_A[:31]).decode() + ":",   # 31 bytes
        ":" + base64.b64encode(HASH_A + b"x").decode() + ":",  # 33 bytes
        f":{b64}:, :{b64}:",                   # a list
        f":{b64}:;p=1",                        # a parameter
        ":" + "A" * 4000 + ":",                # oversized
        "",
    ]
    with Edge(tmp, REL_B) as e:
        for proto in PROTOS:
            c = conn(e, proto)
            for v in bad:
                r = c.request(URL_B, headers=[AE, f"Available-Dictionary: {v}"])
                assert r.status == 200 and r.h("content-encoding") == "br", (v[:60], r)
                assert unbr(r.body) == B_BYTES
            # Two field lines combine into a list: no dictionary either.
            r = c.request(URL_B, headers=[AE, AVAIL_A, AVAIL_A])
            assert r.status == 200 and r.h("content-encoding") == "br", r
            # A Dictionary-ID that names nothing we know changes nothing: the hash decides.
            r = c.request(URL_B, headers=[AE, AVAIL_A, 'Dictionary-ID: "someone/else.js"'])
            check_dcz(r)


@test("Vary: Accept-Encoding, Available-Dictionary on identity, br, dcz, 304, 206 and HEAD")
def _(tmp):
    with Edge(tmp, REL_B) as e:
        for proto in PROTOS:
            c = conn(e, proto)
            asks = [
                ("GET", [], 200, None),
                ("GET", ["Accept-Encoding: br"], 200, "br"),
                ("GET", [AE, AVAIL_A], 200, "dcz"),
                ("GET", [AE, AVAIL_A, f"If-None-Match: {DCZ_ETAG}"], 304, None),
                ("GET", ["Accept-Encoding: br", f"If-None-Match: {BR_ETAG}"], 304, None),
                ("GET", [AE, AVAIL_A, "Range: bytes=0-9"], 206, "dcz"),
                ("GET", ["Range: bytes=0-9"], 206, None),
                ("HEAD", [AE, AVAIL_A], 200, "dcz"),
                ("HEAD", [], 200, None),
            ]
            for method, hdrs, status, enc in asks:
                r = c.request(URL_B, method, hdrs)
                assert r.status == status and r.h("content-encoding") == enc, (hdrs, r)
                assert r.h("vary") == VARY, (hdrs, r)
                assert r.h("use-as-dictionary") == UAD, (hdrs, r)


@test("If-None-Match with the dcz ETag gets 304 with it; with another dictionary, a full br")
def _(tmp):
    with Edge(tmp, REL_B) as e:
        for proto in PROTOS:
            c = conn(e, proto)
            r = c.request(URL_B, headers=[AE, AVAIL_A, f"If-None-Match: {DCZ_ETAG}"])
            assert r.status == 304 and r.body == b"", r
            assert r.h("etag") == DCZ_ETAG and r.h("vary") == VARY, r
            # The dcz tag validates only the dcz representation.
            r = c.request(URL_B, headers=["Accept-Encoding: br", f"If-None-Match: {DCZ_ETAG}"])
            assert r.status == 200 and r.h("content-encoding") == "br", r


@test("Range on the dcz bytes: the header, then the zstd frame; If-Range with its ETag; 416")
def _(tmp):
    with Edge(tmp, REL_B) as e:
        for proto in PROTOS:
            c = conn(e, proto)
            r = c.request(URL_B, headers=[AE, AVAIL_A, "Range: bytes=0-39"])
            assert r.status == 206 and r.body == MAGIC + HASH_A, r
            assert r.h("content-range") == f"bytes 0-39/{len(DCZ)}", r
            r = c.request(URL_B, headers=[AE, AVAIL_A, "Range: bytes=40-",
                                          f"If-Range: {DCZ_ETAG}"])
            assert r.status == 206 and unzstd(r.body) == B_BYTES, r
            r = c.request(URL_B, headers=[AE, AVAIL_A, "Range: bytes=0-3",
                                          f"If-Range: {BR_ETAG}"])
            assert r.status == 200 and r.body == DCZ, r
            r = c.request(URL_B, headers=[AE, AVAIL_A, f"Range: bytes={len(DCZ)}-"])
            assert r.status == 416 and r.h("vary") == VARY, r
            assert r.h("content-range") == f"bytes */{len(DCZ)}", r


@test("HEAD with A's hash gets the dcz head: its length, ETag and Vary, no body")
def _(tmp):
    with Edge(tmp, REL_B) as e:
        for proto in PROTOS:
            r = conn(e, proto).request(URL_B, "HEAD", [AE, AVAIL_A])
            assert r.status == 200 and r.body == b"", r
            assert r.h("content-length") == str(len(DCZ)) and r.h("etag") == DCZ_ETAG, r
            assert r.h("content-encoding") == "dcz" and r.h("vary") == VARY, r


@test("Use-As-Dictionary on the dictionary asset of release A (no deltas: Vary on Accept-Encoding only)")
def _(tmp):
    with Edge(tmp, REL_A) as e:
        for proto in PROTOS:
            c = conn(e, proto)
            r = c.request(URL_A, headers=[AE, AVAIL_A])
            assert r.status == 200 and r.h("use-as-dictionary") == UAD, r
            assert r.h("content-encoding") == "br" and r.h("vary") == "Accept-Encoding", r
            assert r.h("cache-control") == "public, max-age=31536000, immutable", r
            r = c.request(URL_A, headers=[f"If-None-Match: {r.h('etag')}", "Accept-Encoding: br"])
            assert r.status == 304 and r.h("use-as-dictionary") == UAD, r
            r = c.request("/index.html")
            assert not r.has("use-as-dictionary"), r


@test("a reload keeps B's chunk and its dcz delta servable after C replaces B")
def _(tmp):
    # current lives beside the releases, as deploys lay them out: the sandbox
    # lets kiln-edge read only the folder that holds it (docs/security.md).
    site = os.path.dirname(REL_B)
    assert os.path.dirname(REL_C) == site, (REL_B, REL_C)
    cur = os.path.join(site, "current-" + os.path.basename(tmp))
    os.symlink(REL_B, cur)
    try:
        with Edge(tmp, cur) as e:
            check_dcz(conn(e, "h1").request(URL_B, headers=[AE, AVAIL_A]))
            os.remove(cur)
            os.symlink(REL_C, cur)
            e.signal(signal.SIGHUP)
            e.wait_stderr("reloaded: release c")
            for proto in PROTOS:
                check_dcz(conn(e, proto).request(URL_B, headers=[AE, AVAIL_A]))
    finally:
        os.remove(cur)


@test("kiln_edge_requests_total counts dcz responses under encoding=\"dcz\"")
def _(tmp):
    with Edge(tmp, REL_B, admin=True) as e:
        for proto in PROTOS:
            check_dcz(conn(e, proto).request(URL_B, headers=[AE, AVAIL_A]))
        text = urllib.request.urlopen(f"http://{HOST}:{e.admin_port}/metrics",
                                      timeout=5).read().decode()
        assert 'kiln_edge_requests_total{status="200",encoding="dcz"} 2\n' in text, text


def curl(args, url):
    with tempfile.NamedTemporaryFile() as head:
        cmd = ["curl", "-sS", "--max-time", "10", "-D", head.name, "-o", "-", *args, url]
        p = subprocess.run(cmd, capture_output=True, timeout=20)
        assert p.returncode == 0, f"{' '.join(cmd)}: {p.returncode} {p.stderr!r}"
        text = open(head.name, "rb").read().decode("latin-1")
    status, *fields = text.strip().split("\r\n\r\n")[-1].split("\r\n")
    hdrs = {k.strip().lower(): v.strip() for k, _, v in (f.partition(":") for f in fields)}
    return status.split(" ")[0], int(status.split(" ")[1]), hdrs, p.stdout


@test("curl over h2c, TLS and TLS+h2 gets the dcz delta, its 304 and its range")
def _(tmp):
    certs = test_certs()
    tls_port = kt.free_port()
    with Edge(tmp, REL_B, "--listen-tls", f"{HOST}:{tls_port}", "--tls-cert",
              os.path.join(certs, "ecdsa.crt"), "--tls-key", os.path.join(certs, "ecdsa.key")) as e:
        tls = ["--cacert", os.path.join(certs, "ca.crt"), "--resolve",
               f"localhost:{tls_port}:{HOST}"]
        ways = [(["--http2-prior-knowledge"], f"http://{HOST}:{e.port}", "HTTP/2"),
                (tls + ["--http1.1"], f"https://localhost:{tls_port}", "HTTP/1.1"),
                (tls + ["--http2"], f"https://localhost:{tls_port}", "HTTP/2")]
        for args, base, version in ways:
            hdrs = ["-H", AE, "-H", AVAIL_A]
            ver, st, h, body = curl(args + hdrs, base + URL_B)
            assert (ver, st) == (version, 200), (args, ver, st)
            assert h["content-encoding"] == "dcz" and h["vary"] == VARY, h
            assert body == DCZ and unzstd(body[40:]) == B_BYTES
            ver, st, h, body = curl(args + hdrs + ["-H", f"If-None-Match: {DCZ_ETAG}"],
                                    base + URL_B)
            assert st == 304 and h["vary"] == VARY and h["etag"] == DCZ_ETAG, (args, st, h)
            ver, st, h, body = curl(args + hdrs + ["-H", "Range: bytes=40-"], base + URL_B)
            assert st == 206 and unzstd(body) == B_BYTES, (args, st, h)


run_all()
