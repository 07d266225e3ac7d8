"""End-to-end tests of kiln-edge serving RFC 9842 compression dictionaries:
release A is site-example built by kiln-build; release B is a copy of A in
which one JS chunk changed, with the dcz delta against A's chunk written by
hand here (zstd --patch-from, then the 40-byte header) and the manifest
fields of docs/manifest.md added, as kiln-build --previous will write them.
Each check runs over HTTP/1.1 and over HTTP/2 with prior knowledge (h2c);
curl checks TLS (HTTP/1.1 and h2 by ALPN). Bodies are decoded by the zstd
and brotli CLIs, never by kiln's code."""
import atexit
import base64
import hashlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import urllib.request

import kt
from kt import HOST, SITE, Conn, Edge, build, manifest, read, run_all, test, test_certs

_WORK = tempfile.mkdtemp(prefix="kiln-e2e-dict-")
atexit.register(shutil.rmtree, _WORK, True)

SRC = "js/main.js"
UAD = 'match="/js/main.*.js", match-dest=("script"), id="js/main.js"'
AE = "Accept-Encoding: gzip, br, zstd, dcb, dcz"
VARY = "Accept-Encoding, Available-Dictionary"
MAGIC = bytes([0x5E, 0x2A, 0x4D, 0x18, 0x20, 0, 0, 0])


def etag_of(data):
    return '"' + hashlib.sha256(data).hexdigest()[:24] + '"'


def save_manifest(rel, m):
    with open(os.path.join(rel, "kiln-manifest.json"), "w") as f:
        json.dump(m, f, indent=1)


def zstd_window(frame):
    """The window a zstd frame asks its decoder for (RFC 8878 §3.1.1.1)."""
    fhd = frame[4]
    if fhd & 0x20:  # single segment: the window is the content size
        fcs_len = (1, 2, 4, 8)[fhd >> 6]
        v = int.from_bytes(frame[5:5 + fcs_len], "little")
        return v + 256 if fcs_len == 2 else v
    wd = frame[5]
    base = 1 << (10 + (wd >> 3))
    return base + (base // 8) * (wd & 7)


def make_releases():
    """A (site-example, main.js a dictionary), B (main.js changed, a dcz
    delta against A's) and C (B without that chunk: for reload retention)."""
    built = os.path.join(_WORK, "built")
    build(SITE, built)
    rel_a, rel_b, rel_c = (os.path.join(_WORK, n) for n in ("A", "B", "C"))
    shutil.copytree(built, rel_a)
    ma = manifest(rel_a)
    url_a = next(u for u, e in ma["files"].items() if e["source"] == SRC)
    ea = ma["files"][url_a]
    ea["dictionary"] = {"id": SRC, "use_as_dictionary": UAD}
    save_manifest(rel_a, ma)
    a_bytes = read(rel_a, ea["file"], "rb")

    shutil.copytree(rel_a, rel_b)
    mb = manifest(rel_b)
    mb["release"] = "b" + mb["release"][1:]
    eb = json.loads(json.dumps(ea))
    del mb["files"][url_a]
    b_bytes = a_bytes.replace(b"document", b"window.document", 1) + b"\n// release B\n"
    assert b_bytes != a_bytes
    fname = ea["file"].replace(ea["file"].split(".")[-2], "bbbbbbbbbb")
    url_b = "/" + fname
    with open(os.path.join(rel_b, fname), "wb") as f:
        f.write(b_bytes)
    br = subprocess.run(["brotli", "-c", "-q", "11"], input=b_bytes, capture_output=True,
                        check=True).stdout
    with open(os.path.join(rel_b, fname + ".br"), "wb") as f:
        f.write(br)
    a_path = os.path.join(rel_a, ea["file"])
    # --patch-from reads a file, not standard input (it sizes the window
    # from both sizes).
    frame = subprocess.run(["zstd", "-q", "-19", "-c", f"--patch-from={a_path}",
                            os.path.join(rel_b, fname)], capture_output=True, check=True).stdout
    digest = hashlib.sha256(a_bytes).digest()
    dcz = MAGIC + digest + frame
    dcz_file = f"{fname}.{digest.hex()[:12]}.dcz"
    with open(os.path.join(rel_b, dcz_file), "wb") as f:
        f.write(dcz)
    eb.update(file=fname, size=len(b_bytes), etag=etag_of(b_bytes),
              encodings={"br": {"file": fname + ".br", "size": len(br), "etag": etag_of(br)}},
              deltas={digest.hex(): {"dcz": {"file": dcz_file, "size": len(dcz),
                                             "etag": etag_of(dcz)}}})
    eb["tags"] = [t if not t.startswith("url:") else "url:" + url_b for t in eb["tags"]]
    mb["files"][url_b] = eb
    save_manifest(rel_b, mb)

    shutil.copytree(rel_b, rel_c)
    mc = manifest(rel_c)
    mc["release"] = "c" + mc["release"][1:]
    del mc["files"][url_b]
    save_manifest(rel_c, mc)
    return rel_a, rel_b, rel_c, url_a, url_b, a_path, a_bytes, b_bytes, dcz, frame


(REL_A, REL_B, REL_C, URL_A, URL_B, A_PATH, A_BYTES, B_BYTES, DCZ,
 FRAME) = make_releases()
HASH_A = hashlib.sha256(A_BYTES).digest()
AVAIL_A = "Available-Dictionary: :" + base64.b64encode(HASH_A).decode() + ":"
DCZ_ETAG = manifest(REL_B)["files"][URL_B]["deltas"][HASH_A.hex()]["dcz"]["etag"]
BR_ETAG = manifest(REL_B)["files"][URL_B]["encodings"]["br"]["etag"]
PROTOS = ("h1", "h2c")


def conn(e, proto):
    c = Conn(e.port) if proto == "h1" else kt.H2Conn(e.port)
    e.conns.append(c)
    return c


def unzstd(frame, dictionary=A_PATH):
    return subprocess.run(["zstd", "-d", "-q", "-c", "-D", dictionary], input=frame,
                          capture_output=True, check=True).stdout


def unbr(data):
    return subprocess.run(["brotli", "-dc"], input=data, capture_output=True, check=True).stdout


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
    cur = os.path.join(tmp, "current")
    os.symlink(REL_B, cur)
    with Edge(tmp, cur) as e:
        check_dcz(conn(e, "h1").request(URL_B, headers=[AE, AVAIL_A]))
        os.remove(cur)
        os.symlink(REL_C, cur)
        e.signal(signal.SIGHUP)
        e.wait_stderr("reloaded: release c")
        for proto in PROTOS:
            check_dcz(conn(e, proto).request(URL_B, headers=[AE, AVAIL_A]))


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
