"""End-to-end tests of kiln-edge's HTTP/2 over cleartext with prior knowledge
(h2c): real clients (curl --http2-prior-knowledge, h2load from nghttp2-client)
against the real binary serving a release of site-example/. The answers must
be the HTTP/1.1 ones, byte for byte where the framing does not differ, and
HTTP/1.1 must keep working on the same port (docs/internals/h2.md)."""
import atexit
import os
import shutil
import subprocess
import tempfile

from kt import HOST, SITE, Edge, build, free_port, manifest, read, run_all, test, test_certs

_WORK = tempfile.mkdtemp(prefix="kiln-e2e-h2-")
atexit.register(shutil.rmtree, _WORK, True)
REL = os.path.join(_WORK, "rel")
build(SITE, REL)
FILES = manifest(REL)["files"]
PNG = next(url for url, e in FILES.items() if e["source"] == "img/crust.png")


def curl(port, path, *args, h2=True, tls=False):
    """curl's (status line's version, headers dict, body bytes); names lower-case.
    tls: https to localhost with the test CA, h2 by ALPN (http/1.1 without h2)."""
    with tempfile.NamedTemporaryFile() as head:
        url = f"http://{HOST}:{port}{path}"
        if tls:
            url = f"https://localhost:{port}{path}"
            args = ("--cacert", os.path.join(test_certs(), "ca.crt"), "--resolve",
                    f"localhost:{port}:{HOST}", "--http2" if h2 else "--http1.1", *args)
        cmd = ["curl", "-sS", "--max-time", "10", "-D", head.name, "-o", "-", *args, url]
        if h2 and not tls:
            cmd.insert(1, "--http2-prior-knowledge")
        p = subprocess.run(cmd, capture_output=True, timeout=20)
        assert p.returncode == 0, f"{' '.join(cmd)}: {p.returncode} {p.stderr!r}"
        text = read(_WORK, head.name, "rb").decode("latin-1")
    # With a 1xx first, the final head is the last block.
    blocks = text.strip().split("\r\n\r\n")
    status, *fields = blocks[-1].split("\r\n")
    hdrs = {}
    for f in fields:
        k, _, v = f.partition(":")
        hdrs[k.strip().lower()] = v.strip()
    return status.split(" ")[0], int(status.split(" ")[1]), hdrs, p.stdout


@test("h2c with prior knowledge: GET / is 200 over HTTP/2 with the HTTP/1.1 body bytes")
def _(tmp):
    with Edge(tmp, REL) as e:
        ver, st, h, body = curl(e.port, "/")
        assert (ver, st) == ("HTTP/2", 200), (ver, st)
        assert body == read(REL, "index.html", "rb")
        assert h["content-length"] == str(len(body)), h
        assert "connection" not in h, h  # connection-specific: never over h2
        ver1, st1, h1, body1 = curl(e.port, "/", h2=False)
        assert (ver1, st1, body1) == ("HTTP/1.1", 200, body)
        assert h1["etag"] == h["etag"]


@test("h2c: Accept-Encoding picks the variant as over HTTP/1.1 (br, zstd, gzip bytes, Vary)")
def _(tmp):
    with Edge(tmp, REL) as e:
        for enc, ext in (("br", ".br"), ("zstd", ".zst"), ("gzip", ".gz")):
            _, st, h, body = curl(e.port, "/", "-H", f"accept-encoding: {enc}")
            assert st == 200 and h.get("content-encoding") == enc, (enc, h)
            assert h["vary"] == "Accept-Encoding", h
            assert body == read(REL, "index.html" + ext, "rb"), enc
        _, st, h, body = curl(e.port, "/", "-H", "accept-encoding: identity")
        assert "content-encoding" not in h and body == read(REL, "index.html", "rb")


@test("h2c: HEAD has the GET's headers and no body; a missing path is the 404 page")
def _(tmp):
    with Edge(tmp, REL) as e:
        p = subprocess.run(["curl", "-sS", "--http2-prior-knowledge", "-I", "-o", "/dev/null",
                            "-w", "%{http_version} %{http_code} %{size_download}\n%header{content-length}",
                            f"http://{HOST}:{e.port}/"], capture_output=True, text=True, timeout=20)
        assert p.stdout.split("\n") == ["2 200 0", str(len(read(REL, "index.html", "rb")))], \
            (p.stdout, p.stderr)
        _, st, h, body = curl(e.port, "/no/such/page")
        assert st == 404 and body == read(REL, "404.html", "rb"), st


@test("h2c: a conditional GET gets 304, and two ranges the same multipart bytes as HTTP/1.1")
def _(tmp):
    with Edge(tmp, REL) as e:
        _, _, h, _ = curl(e.port, PNG)
        _, st, _, body = curl(e.port, PNG, "-H", f"if-none-match: {h['etag']}")
        assert (st, body) == (304, b""), st
        _, st, h2, mp = curl(e.port, PNG, "-r", "0-99,200-299")
        _, st1, _, mp1 = curl(e.port, PNG, "-r", "0-99,200-299", h2=False)
        assert st == st1 == 206 and mp == mp1, (st, st1)
        assert h2["content-type"].startswith("multipart/byteranges"), h2


@test("h2c: 400 streams, 100 at a time on one connection, all answered")
def _(tmp):
    with Edge(tmp, REL) as e:
        p = subprocess.run(["h2load", "-n", "400", "-c", "1", "-m", "100",
                            f"http://{HOST}:{e.port}{PNG}"],
                           capture_output=True, text=True, timeout=60)
        assert "400 succeeded" in p.stdout and "400 2xx" in p.stdout, p.stdout


@test("HTTP/1.1 keeps working on an h2c port, and --http2 off answers the preface as HTTP/1.1")
def _(tmp):
    with Edge(tmp, REL) as e:
        c = e.conn()
        c.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert c.response().status == 200
    with Edge(tmp, REL, "--http2", "off") as e:
        p = subprocess.run(["curl", "-sS", "--http2-prior-knowledge", "--max-time", "5",
                            "-o", "/dev/null", f"http://{HOST}:{e.port}/"],
                           capture_output=True, timeout=20)
        assert p.returncode != 0, "h2 spoken with --http2 off"
        _, st, _, _ = curl(e.port, "/", h2=False)
        assert st == 200


def interim(port, path, *args, h2=True):
    """The statuses of the 1xx blocks curl saw before the final head."""
    with tempfile.NamedTemporaryFile() as head:
        cmd = ["curl", "-sS", "--max-time", "10", "-D", head.name, "-o", "/dev/null", *args,
               f"http://{HOST}:{port}{path}"]
        if h2:
            cmd.insert(1, "--http2-prior-knowledge")
        subprocess.run(cmd, capture_output=True, timeout=20, check=True)
        blocks = read(_WORK, head.name, "rb").decode("latin-1").strip().split("\r\n\r\n")
    return [int(b.split(" ")[1]) for b in blocks[:-1]]


@test("Early Hints over h2c and HTTP/1.1: a 103 before a navigation's page, none for fetch()")
def _(tmp):
    with Edge(tmp, REL, "--early-hints", "on") as e:
        for h2 in (True, False):
            assert interim(e.port, "/", h2=h2) == [103], h2  # no Sec-Fetch-Mode: the document
            assert interim(e.port, "/", "-H", "sec-fetch-mode: navigate", h2=h2) == [103], h2
            assert interim(e.port, "/", "-H", "sec-fetch-mode: cors", h2=h2) == [], h2
            assert interim(e.port, "/", "-H", "Sec-Fetch-Mode: no-cors", h2=h2) == [], h2
            assert interim(e.port, PNG, h2=h2) == [], h2
        # The 103 carries the final response's Link, over h2 as over HTTP/1.1.
        p = subprocess.run(["nghttp", "-nv", f"http://{HOST}:{e.port}/"], capture_output=True,
                           text=True, timeout=20)
        lines = p.stdout.splitlines()
        st = [i for i, ln in enumerate(lines) if ":status:" in ln]
        assert [lines[i].split()[-1] for i in st] == ["103", "200"], p.stdout
        links = [ln.split("link: ", 1)[1] for ln in lines if "link: " in ln]
        assert len(links) == 2 and links[0] == links[1] and "rel=preload" in links[0], links


def tls_edge(tmp, *args):
    """kiln-edge with a TLS listener too; its port is e.tls_port."""
    d = test_certs()
    port = free_port()
    e = Edge(tmp, REL, "--listen-tls", f"{HOST}:{port}", "--tls-cert", os.path.join(d, "ecdsa.crt"),
             "--tls-key", os.path.join(d, "ecdsa.key"), *args)
    e.tls_port = port
    return e


@test("TLS: ALPN h2 serves the HTTP/1.1 bytes; a big br file over 100 streams arrives whole")
def _(tmp):
    big = max((u for u, f in FILES.items() if u.endswith(".js")),
              key=lambda u: os.path.getsize(os.path.join(REL, u.lstrip("/"))))
    with tls_edge(tmp) as e:
        ver, st, h, body = curl(e.tls_port, "/", tls=True)
        assert (ver, st) == ("HTTP/2", 200), (ver, st)
        assert body == read(REL, "index.html", "rb") and "connection" not in h, h
        ver1, st1, h1, body1 = curl(e.tls_port, "/", tls=True, h2=False)
        assert (ver1, st1, body1, h1["etag"]) == ("HTTP/1.1", 200, body, h["etag"])
        _, st, h, body = curl(e.tls_port, big, "-H", "accept-encoding: br", tls=True)
        assert st == 200 and h["content-encoding"] == "br", h
        assert body == read(REL, big.lstrip("/") + ".br", "rb")
        p = subprocess.run(["h2load", "-n", "400", "-c", "2", "-m", "100", "-H",
                            "accept-encoding: br", f"https://{HOST}:{e.tls_port}{big}"],
                           capture_output=True, text=True, timeout=60)
        assert "400 succeeded" in p.stdout and "400 2xx" in p.stdout, p.stdout
        want = 400 * len(body)
        assert f"{want} data" in p.stdout.replace(")", "").replace("(", ""), (want, p.stdout)


run_all()
