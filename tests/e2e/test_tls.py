"""End-to-end tests of kiln-edge's TLS: the real binary on free 127.0.0.1
ports with certificates tests/tls/make-test-certs.sh made for this run, spoken
to by real clients (curl, openssl s_client, Python's ssl module) and by raw
sockets for the malformed cases. The HTTP semantics over TLS are covered by
test_edge.py run with KILN_E2E_TLS=1; this file checks what is TLS's own:
protocol and suite policy, SNI, resumption, records, reloads, bad input."""
import os
import re
import shutil
import signal
import socket
import ssl
import struct
import subprocess
import time

import kt
from kt import HOST, Conn, Edge, free_port, read, req, run_all, run_edge, test, test_certs, write
from test_edge import INDEX, REL, ident

# test_edge.py is imported for its release (built once per run); its own
# tests registered themselves on import and run in their own file.
del kt._tests[:]

CERTS = test_certs()
CA = os.path.join(CERTS, "ca.crt")
OPENSSL = shutil.which("openssl")
CURL = shutil.which("curl")


def cert(name):
    return ["--tls-cert", os.path.join(CERTS, f"{name}.crt"),
            "--tls-key", os.path.join(CERTS, f"{name}.key")]


class TlsEdge(Edge):
    """kiln-edge with a TLS listener (self.tls_port) beside its plain one."""

    def __init__(self, tmp, *args, certs=("ecdsa", "rsa", "other"), release=REL, **kw):
        self.tls_port = free_port()
        pairs = [a for c in certs for a in cert(c)]
        super().__init__(tmp, release, "--listen-tls", f"{HOST}:{self.tls_port}", *pairs, *args,
                         **kw)


def client_ctx(**kw):
    ctx = ssl.create_default_context(cafile=CA)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    for k, v in kw.items():
        setattr(ctx, k, v)
    return ctx


def tls_conn(port, name="localhost", ctx=None, session=None, timeout=5):
    raw = socket.create_connection((HOST, port), timeout=timeout)
    return (ctx or client_ctx()).wrap_socket(raw, server_hostname=name, session=session)


def https_get(s, path=INDEX, *headers):
    """One request on TLS socket s; returns (status, headers text, body)."""
    s.sendall(req(path, headers=headers))
    buf = b""
    while b"\r\n\r\n" not in buf:
        d = s.recv(65536)
        assert d, "closed before the head"
        buf += d
    head, body = buf.split(b"\r\n\r\n", 1)
    n = int(re.search(rb"(?i)content-length: (\d+)", head).group(1))
    while len(body) < n:
        d = s.recv(65536)
        assert d, "closed in the body"
        body += d
    return int(head.split()[1]), head.decode("latin-1"), body[:n]


def s_client(port, *args, stdin=b""):
    """openssl s_client's output (stdout and stderr) for one connection."""
    p = subprocess.run([OPENSSL, "s_client", "-connect", f"{HOST}:{port}", "-CAfile", CA, *args],
                       input=stdin, capture_output=True, timeout=30)
    return (p.stdout + p.stderr).decode("latin-1")


def subject(out):
    m = re.search(r"^subject=.*CN ?= ?([\w.-]+)", out, re.M)
    return m.group(1) if m else None


def still_serves(e):
    s = tls_conn(e.tls_port)
    try:
        status, _, body = https_get(s)
        assert status == 200 and body == ident(INDEX)
    finally:
        s.close()


# ---- clients and policy ---------------------------------------------------------------------


@test("curl --cacert over TLS 1.2 with the ECDSA certificate gets index.html byte-exact")
def _(tmp):
    with TlsEdge(tmp, certs=("ecdsa",)) as e:
        p = subprocess.run([CURL, "-sS", "-f", "--cacert", CA, "--tlsv1.2", "-w", "%{ssl_verify_result}",
                            "-o", os.path.join(tmp, "body"), f"https://localhost:{e.tls_port}/"],
                           capture_output=True, text=True, timeout=30)
        assert p.returncode == 0 and p.stdout == "0", (p.stdout, p.stderr)
        assert read(tmp, "body", "rb") == ident(INDEX)


@test("curl --cacert over TLS 1.2 with an RSA-only server gets index.html")
def _(tmp):
    with TlsEdge(tmp, certs=("rsa",)) as e:
        p = subprocess.run([CURL, "-sS", "-f", "--cacert", CA, "--compressed", "-o",
                            os.path.join(tmp, "body"), f"https://127.0.0.1:{e.tls_port}/index.html"],
                           capture_output=True, text=True, timeout=30)
        assert p.returncode == 0, p.stderr
        assert read(tmp, "body", "rb") == ident(INDEX)
        out = s_client(e.tls_port, "-servername", "localhost")
        assert subject(out) == "rsa.kiln.test" and "ECDHE-RSA-AES128-GCM-SHA256" in out, out


@test("TLS 1.2 with ECDHE and AES-128-GCM first, extended master secret, secure renegotiation")
def _(tmp):
    with TlsEdge(tmp) as e:
        out = s_client(e.tls_port, "-servername", "localhost")
        assert "Verify return code: 0 (ok)" in out, out
        assert "Protocol  : TLSv1.2" in out and "ECDHE-ECDSA-AES128-GCM-SHA256" in out, out
        assert "Extended master secret: yes" in out, out
        assert "Secure Renegotiation IS supported" in out, out
        assert "Compression: NONE" in out, out
        # The client's preference for ChaCha20 does not win: server order.
        out = s_client(e.tls_port, "-cipher",
                       "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-SHA256")
        assert "ECDHE-ECDSA-AES128-GCM-SHA256" in out, out
        out = s_client(e.tls_port, "-cipher", "ECDHE-ECDSA-CHACHA20-POLY1305")
        assert "Cipher is ECDHE-ECDSA-CHACHA20-POLY1305" in out, out


@test("key exchange on x25519, P-256 and P-384; nothing else")
def _(tmp):
    with TlsEdge(tmp) as e:
        for group, label in (("X25519", "X25519"), ("P-256", "prime256v1"), ("P-384", "secp384r1")):
            out = s_client(e.tls_port, "-groups", group)
            assert re.search(rf"Server Temp Key: .*{label}|Server Temp Key: {group}", out), out
        out = s_client(e.tls_port, "-groups", "P-521")
        assert "Cipher is (NONE)" in out, out
        still_serves(e)


@test("TLS 1.0, TLS 1.1 and a TLS 1.3-only client are refused with an alert")
def _(tmp):
    with TlsEdge(tmp) as e:
        for flag in ("-tls1", "-tls1_1"):
            out = s_client(e.tls_port, flag, "-cipher", "DEFAULT:@SECLEVEL=0")
            assert "alert protocol version" in out and "Cipher is (NONE)" in out, out
        out = s_client(e.tls_port, "-tls1_3")
        assert "Cipher is (NONE)" in out and "alert" in out, out
        still_serves(e)


@test("weak suites are refused: static RSA, CBC, no forward secrecy")
def _(tmp):
    with TlsEdge(tmp) as e:
        for suite in ("AES128-GCM-SHA256", "AES256-SHA", "ECDHE-ECDSA-AES128-SHA",
                      "ECDHE-RSA-AES256-SHA384", "DHE-RSA-AES128-GCM-SHA256"):
            out = s_client(e.tls_port, "-tls1_2", "-cipher", suite + ":@SECLEVEL=0")
            assert "Cipher is (NONE)" in out and "handshake failure" in out, (suite, out)
        still_serves(e)


@test("ALPN offers h2 first, then http/1.1; with --http2 off, http/1.1 only")
def _(tmp):
    with TlsEdge(tmp) as e:
        out = s_client(e.tls_port, "-alpn", "http/1.1,h2")
        assert "ALPN protocol: h2" in out, out  # the server's order wins
        s = tls_conn(e.tls_port, ctx=client_ctx())
        s.close()
        ctx = client_ctx()
        ctx.set_alpn_protocols(["http/1.1"])
        s = tls_conn(e.tls_port, ctx=ctx)
        assert s.selected_alpn_protocol() == "http/1.1"
        s.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        assert s.recv(64).startswith(b"HTTP/1.1 200 "), "http/1.1 chosen, http/1.1 spoken"
        s.close()
    with TlsEdge(tmp, "--http2", "off") as e:
        out = s_client(e.tls_port, "-alpn", "h2,http/1.1")
        assert "ALPN protocol: http/1.1" in out, out


# ---- SNI ------------------------------------------------------------------------------------


@test("SNI picks the certificate: exact name, wildcard, unknown and absent names get the default")
def _(tmp):
    with TlsEdge(tmp) as e:
        cases = (("other.test", "other.kiln.test"), ("localhost", "ecdsa.kiln.test"),
                 ("a.kiln.test", "ecdsa.kiln.test"), ("unknown.example", "ecdsa.kiln.test"))
        for name, want in cases:
            out = s_client(e.tls_port, "-servername", name)
            assert subject(out) == want, (name, out)
        out = s_client(e.tls_port, "-noservername")
        assert subject(out) == "ecdsa.kiln.test", out
        # "*.kiln.test" covers one label, not two.
        out = s_client(e.tls_port, "-servername", "a.b.kiln.test")
        assert subject(out) == "ecdsa.kiln.test", out
        s = tls_conn(e.tls_port, name="other.test")
        assert https_get(s)[0] == 200
        s.close()


@test("the ECDSA and RSA certificates of one name: each client gets the one it can use")
def _(tmp):
    with TlsEdge(tmp) as e:
        out = s_client(e.tls_port, "-servername", "localhost", "-sigalgs", "RSA-PSS+SHA256:RSA+SHA256")
        assert subject(out) == "rsa.kiln.test", out
        out = s_client(e.tls_port, "-servername", "localhost", "-sigalgs", "ECDSA+SHA256")
        assert subject(out) == "ecdsa.kiln.test", out


# ---- resumption -------------------------------------------------------------------------------


@test("session tickets resume across workers (openssl -sess_out / -sess_in, 8 reconnections)")
def _(tmp):
    with TlsEdge(tmp, workers=2, admin=True) as e:
        sess = os.path.join(tmp, "sess")
        out = s_client(e.tls_port, "-sess_out", sess)
        assert out.count("New, TLSv1.2") == 1, out
        for _ in range(8):
            out = s_client(e.tls_port, "-sess_in", sess)
            assert "Reused, TLSv1.2" in out, out
        m = Conn(e.admin_port, plain=True).request("/metrics").body.decode()
        assert 'kiln_edge_tls_handshakes_total{result="resumed"} 8' in m, m
        assert 'kiln_edge_tls_handshakes_total{result="full"} 1' in m, m


@test("without tickets the shared session cache resumes across workers")
def _(tmp):
    with TlsEdge(tmp, workers=2) as e:
        sess = os.path.join(tmp, "sess")
        s_client(e.tls_port, "-no_ticket", "-sess_out", sess)
        for _ in range(8):
            out = s_client(e.tls_port, "-no_ticket", "-sess_in", sess)
            assert "Reused, TLSv1.2" in out, out


@test("--tls-session-cache 0: no session-ID resumption, tickets still resume")
def _(tmp):
    with TlsEdge(tmp, "--tls-session-cache", "0") as e:
        sess = os.path.join(tmp, "sess")
        s_client(e.tls_port, "-no_ticket", "-sess_out", sess)
        out = s_client(e.tls_port, "-no_ticket", "-sess_in", sess)
        assert "New, TLSv1.2" in out, out
        s_client(e.tls_port, "-sess_out", sess)
        out = s_client(e.tls_port, "-sess_in", sess)
        assert "Reused, TLSv1.2" in out, out


@test("a resumed Python ssl session serves requests")
def _(tmp):
    with TlsEdge(tmp, workers=2) as e:
        ctx = client_ctx()
        s = tls_conn(e.tls_port, ctx=ctx)
        assert https_get(s)[0] == 200
        sess = s.session
        s.close()
        for _ in range(4):
            s = tls_conn(e.tls_port, ctx=ctx, session=sess)
            assert s.session_reused
            status, _, body = https_get(s)
            assert status == 200 and body == ident(INDEX)
            s.close()


# ---- records and closing ------------------------------------------------------------------------


def raw_tls(port):
    """A TLS client over a raw socket through MemoryBIOs, so the test sees
    the records kiln-edge writes."""
    sock = socket.create_connection((HOST, port), timeout=10)
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = client_ctx().wrap_bio(inc, out, server_hostname="localhost")
    while True:
        try:
            obj.do_handshake()
            break
        except ssl.SSLWantReadError:
            sock.sendall(out.read())
            d = sock.recv(65536)
            assert d, "closed in the handshake"
            inc.write(d)
    sock.sendall(out.read())
    return sock, obj, inc, out


@test("records start at one TCP segment and grow to 16 KiB for a large body")
def _(tmp):
    big = os.path.join(tmp, "big")
    os.makedirs(big)
    blob = os.urandom(400 * 1024)
    write(big, "blob.bin", blob)
    with TlsEdge(tmp, certs=("ecdsa",), release=big) as e:
        sock, obj, inc, out = raw_tls(e.tls_port)
        obj.write(req("/blob.bin"))
        sock.sendall(out.read())
        raw = b""
        plain = b""
        while len(plain) < len(blob):
            d = sock.recv(65536)
            assert d
            raw += d
            inc.write(d)
            try:
                while True:
                    plain += obj.read(65536)
            except ssl.SSLWantReadError:
                pass
            if b"\r\n\r\n" in plain and len(plain.split(b"\r\n\r\n", 1)[1]) >= len(blob):
                break
        assert plain.split(b"\r\n\r\n", 1)[1] == blob
        sizes, off = [], 0
        while off + 5 <= len(raw):
            typ, _, n = struct.unpack(">BHH", raw[off:off + 5])
            assert typ == 23, f"record type {typ}"
            sizes.append(n)
            off += 5 + n
        overhead = 8 + 16  # AES-GCM explicit nonce and tag
        assert sizes[0] <= 1380 + overhead, sizes[:4]
        assert max(sizes) == 16384 + overhead, max(sizes)
        assert sum(1 for n in sizes if n <= 1380 + overhead) <= 16, sizes[:20]
        sock.close()


@test("Connection: close ends with close_notify, then FIN")
def _(tmp):
    with TlsEdge(tmp) as e:
        raw = socket.create_connection((HOST, e.tls_port), timeout=5)
        s = client_ctx().wrap_socket(raw, server_hostname="localhost", suppress_ragged_eofs=False)
        s.sendall(req(INDEX, headers=["Connection: close"]))
        data = b""
        while True:
            d = s.recv(65536)  # SSLEOFError here if the close had no close_notify
            if not d:
                break
            data += d
        assert data.startswith(b"HTTP/1.1 200 ") and data.endswith(ident(INDEX))
        s.close()


@test("an idle TLS connection that times out gets close_notify")
def _(tmp):
    with TlsEdge(tmp, "--idle-timeout", "300ms") as e:
        raw = socket.create_connection((HOST, e.tls_port), timeout=5)
        s = client_ctx().wrap_socket(raw, server_hostname="localhost", suppress_ragged_eofs=False)
        assert https_get(s)[0] == 200
        assert s.recv(100) == b""  # close_notify; a bare FIN would raise SSLEOFError
        s.close()


@test("HSTS is sent on HTTPS responses only")
def _(tmp):
    with TlsEdge(tmp, "--hsts", "63072000") as e:
        s = tls_conn(e.tls_port)
        _, head, _ = https_get(s, "/nope")
        assert "Strict-Transport-Security: max-age=63072000\r\n" in head, head
        _, head, _ = https_get(s)
        assert head.count("Strict-Transport-Security") == 1, head
        s.close()
        r = e.conn().request(INDEX)
        assert r.status == 200 and not r.has("strict-transport-security"), r


@test("--redirect-http answers 301 to https with the path and query, 308 for POST")
def _(tmp):
    red = free_port()
    with TlsEdge(tmp, "--redirect-http", f"{HOST}:{red}") as e:
        c = Conn(red)
        r = c.request("/docs/a%20b?x=1&y=2", headers=["Host: example.com:80"], host=False)
        assert r.status == 301, r
        assert r.h("location") == f"https://example.com:{e.tls_port}/docs/a%20b?x=1&y=2", r
        r = c.request("/", method="HEAD", headers=["Host: [::1]:8080"], host=False)
        assert r.status == 301 and r.h("location") == f"https://[::1]:{e.tls_port}/", r
        r = c.request("http://site.test/p?q", host=False, headers=["Host: other"])
        assert r.h("location") == f"https://site.test:{e.tls_port}/p?q", r
        r = c.request("/form", method="POST", headers=["Content-Length: 0"])
        assert r.status == 308 and r.h("location") == f"https://localhost:{e.tls_port}/form", r
        c.close()
        c = Conn(red)
        r = c.request("/", version="1.0", host=False)
        assert r.status == 400, r
        c.close()


# ---- bad input --------------------------------------------------------------------------------


@test("plain HTTP on the TLS port gets a plain 400 naming https, then a close")
def _(tmp):
    with TlsEdge(tmp) as e:
        s = socket.create_connection((HOST, e.tls_port), timeout=5)
        s.sendall(req(INDEX))
        data = b""
        while True:
            d = s.recv(65536)
            if not d:
                break
            data += d
        assert data.startswith(b"HTTP/1.1 400 Bad Request\r\n") and b"https://" in data, data
        s.close()
        still_serves(e)


@test("garbage instead of a ClientHello, a truncated record, a weak-only hello: alert or close")
def _(tmp):
    with TlsEdge(tmp, workers=1) as e:
        payloads = (
            b"\x16\x03\x01\x00\x05hello" + os.urandom(200),  # a handshake record of nonsense
            b"\x80" + os.urandom(299),  # random bytes (not starting like an HTTP method)
            b"\x16\x03\x01\x40\x00" + b"\x01" * 100,  # a record cut short, then EOF
            b"\x17\x03\x03\x00\x10" + b"\x00" * 16,  # application data before any handshake
            b"\x16\x03\x01\xff\xff" + b"\x00" * 20,  # longer than a record may be
        )
        for p in payloads:
            s = socket.create_connection((HOST, e.tls_port), timeout=5)
            s.sendall(p)
            s.shutdown(socket.SHUT_WR)
            got = b""
            try:
                while True:
                    d = s.recv(4096)
                    if not d:
                        break
                    got += d
            except ConnectionResetError:
                pass
            # Nothing but TLS alerts (content type 21) may come back.
            assert got == b"" or got[0] == 21, (p[:8], got[:16])
            s.close()
            still_serves(e)
        # A ClientHello offering only suites kiln-edge refuses: a handshake failure alert.
        out = s_client(e.tls_port, "-tls1_2", "-cipher", "AES128-SHA:@SECLEVEL=0")
        assert "handshake failure" in out, out
        still_serves(e)


@test("a client that stalls mid-handshake is closed at the header timeout; others are served")
def _(tmp):
    with TlsEdge(tmp, "--header-timeout", "500ms", workers=1) as e:
        # The first bytes of a real ClientHello, then silence.
        sock, obj, inc, out = None, None, ssl.MemoryBIO(), ssl.MemoryBIO()
        obj = client_ctx().wrap_bio(inc, out, server_hostname="localhost")
        try:
            obj.do_handshake()
        except ssl.SSLWantReadError:
            pass
        hello = out.read()
        stalled = socket.create_connection((HOST, e.tls_port), timeout=5)
        stalled.sendall(hello[:40])
        still_serves(e)
        t0 = time.time()
        assert stalled.recv(100) == b""
        assert time.time() - t0 < 3
        stalled.close()
        still_serves(e)


@test("once the TLS handshake ends, the request head gets its own --header-timeout")
def _(tmp):
    # Accepted at 0, handshake at 3 s (within the 4 s), the request at 5.5 s:
    # timed from the accept it would be closed by 5 s (a 1 s tick); from the
    # handshake's end it has until 7 s. A server slow to answer handshakes
    # (hundreds queued, the h2load test below) needs this.
    with TlsEdge(tmp, "--header-timeout", "4s", workers=1) as e:
        raw = socket.create_connection((HOST, e.tls_port), timeout=10)
        time.sleep(3)
        s = client_ctx().wrap_socket(raw, server_hostname="localhost")
        time.sleep(2.5)
        assert https_get(s)[0] == 200
        s.close()


# ---- certificates: startup, reload ------------------------------------------------------------


def tls_args(port=None):
    return ["--listen", "off", "--listen-tls", f"{HOST}:{port or free_port()}"]


@test("startup: a key that does not match its certificate is one clear line, exit 1")
def _(tmp):
    rc, err = run_edge(tmp, "-w", "1", *tls_args(), "--tls-cert",
                       os.path.join(CERTS, "ecdsa.crt"), "--tls-key",
                       os.path.join(CERTS, "other.key"), REL)
    assert rc == 1 and len(err.strip().splitlines()) == 1, (rc, err)
    assert "other.key' does not match the certificate in" in err, err


@test("startup: an unreadable certificate or key, or one that is not PEM, is one clear line")
def _(tmp):
    rc, err = run_edge(tmp, "-w", "1", *tls_args(), "--tls-cert", "missing.crt", "--tls-key",
                       os.path.join(CERTS, "ecdsa.key"), REL)
    assert rc == 1 and "tls-cert 'missing.crt': cannot read: No such file" in err, err
    write(tmp, "junk.crt", "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n")
    rc, err = run_edge(tmp, "-w", "1", *tls_args(), "--tls-cert", "junk.crt", "--tls-key",
                       os.path.join(CERTS, "ecdsa.key"), REL)
    assert rc == 1 and "tls-cert 'junk.crt': " in err and len(err.strip().splitlines()) == 1, err
    rc, err = run_edge(tmp, "-w", "1", *tls_args(), "--tls-cert",
                       os.path.join(CERTS, "ecdsa.crt"), "--tls-key",
                       os.path.join(CERTS, "ca.crt"), REL)
    assert rc == 1 and "tls-key '" in err and len(err.strip().splitlines()) == 1, err


@test("startup: an expired certificate and a key others can read are warnings; it serves")
def _(tmp):
    shutil.copy(os.path.join(CERTS, "ecdsa.key"), os.path.join(tmp, "open.key"))
    os.chmod(os.path.join(tmp, "open.key"), 0o644)
    time.sleep(1.1)  # the expired certificate's notAfter is its creation second
    with Edge(tmp, REL, *tls_args(), *cert("expired"), "--tls-cert",
              os.path.join(CERTS, "ecdsa.crt"), "--tls-key", os.path.join(tmp, "open.key")) as e:
        err = e.stderr()
        assert re.search(r"tls-cert '.*expired\.crt': expired on \d{4}-\d\d-\d\d", err), err
        assert "open.key': readable by everyone (mode 0644); chmod 600 it" in err, err


@test("SIGHUP swaps the certificate without dropping open connections; a bad one is refused")
def _(tmp):
    crt, key = os.path.join(tmp, "site.crt"), os.path.join(tmp, "site.key")
    shutil.copy(os.path.join(CERTS, "ecdsa.crt"), crt)
    shutil.copy(os.path.join(CERTS, "ecdsa.key"), key)
    os.chmod(key, 0o600)
    with TlsEdge(tmp, "--tls-cert", crt, "--tls-key", key, certs=()) as e:
        before = tls_conn(e.tls_port)
        assert https_get(before)[0] == 200
        assert subject(s_client(e.tls_port)) == "ecdsa.kiln.test"
        shutil.copy(os.path.join(CERTS, "rsa.crt"), crt)
        shutil.copy(os.path.join(CERTS, "rsa.key"), key)
        e.signal(signal.SIGHUP)
        e.wait_stderr("reloaded")
        assert subject(s_client(e.tls_port)) == "rsa.kiln.test"
        status, _, body = https_get(before)  # the old connection goes on
        assert status == 200 and body == ident(INDEX)
        # A broken certificate: refused, the RSA one keeps serving.
        write(tmp, "site.crt", "garbage\n")
        e.signal(signal.SIGHUP)
        e.wait_stderr("certificate reload refused, still serving the previous ones")
        assert subject(s_client(e.tls_port)) == "rsa.kiln.test"
        assert https_get(before)[0] == 200
        before.close()


@test("h2load over TLS: 400 new connections and 2,000 keep-alive requests, all 200")
def _(tmp):
    h2load = shutil.which("h2load")
    if not h2load:
        return
    with TlsEdge(tmp, workers=2) as e:
        for args in (["-n", "400", "-c", "400"], ["-n", "2000", "-c", "8"]):
            p = subprocess.run([h2load, "--h1", *args, "-H", "Accept-Encoding: br",
                                f"https://{HOST}:{e.tls_port}/index.html"],
                               capture_output=True, text=True, timeout=120)
            assert p.returncode == 0, p.stdout + p.stderr
            n = args[1]
            assert re.search(rf"requests: {n} total, {n} started, {n} done, {n} succeeded", p.stdout), \
                p.stdout
            assert "TLS Protocol: TLSv1.2" in p.stdout, p.stdout


if __name__ == "__main__":
    run_all()
