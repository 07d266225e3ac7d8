"""Compression dictionaries through a real cache: Debian's Varnish 7 with
docs/cdn/varnish.vcl in front of kiln-edge serving release B of
dict_releases.py (B's main.js chunk has a dcz delta against A's). The VCL
keeps dcz in Accept-Encoding for clients that send Available-Dictionary, and
kiln-edge's Vary: Accept-Encoding, Available-Dictionary keys the objects: a
delta must never reach a client holding another dictionary, or none."""
import base64
import os
import signal
import socket
import subprocess
import time

from dict_releases import AE, AVAIL_A, B_BYTES, DCZ, DCZ_ETAG, HASH_A, REL_B, URL_B, VARY, unbr, \
    unzstd
from kt import HOST, ROOT, Edge, free_port, read, read_response, run_all, test

VCL = os.path.join(ROOT, "docs/cdn/varnish.vcl")
OTHER = "Available-Dictionary: :" + base64.b64encode(b"\x07" * 32).decode() + ":"


def get(port, path, headers=()):
    lines = [f"GET {path} HTTP/1.1", f"Host: {HOST}", "Connection: close", *headers]
    with socket.create_connection((HOST, port), timeout=10) as s:
        s.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        return read_response(s, b"")[0]


class Varnish:
    """varnishd in the foreground on a free port, before backend_port; stopped
    by PID (the way tests/e2e/test_cdn.py runs it)."""

    def __init__(self, tmp, backend_port):
        self.tmp, self.backend_port, self.proc = tmp, backend_port, None

    def __enter__(self):
        self.port = free_port()
        vcl = os.path.join(self.tmp, "test.vcl")
        with open(VCL) as f, open(vcl, "w") as out:
            out.write(f.read().replace('"8080"', f'"{self.backend_port}"'))
        self.out = os.path.join(self.tmp, "varnish.out")
        self.proc = subprocess.Popen(
            ["varnishd", "-F", "-j", "none", "-n", os.path.join(self.tmp, "varnish"), "-a",
             f"{HOST}:{self.port}", "-f", vcl, "-s", "malloc,64m", "-T", "none",
             "-p", "http_gzip_support=off"],
            stdin=subprocess.DEVNULL, stdout=open(self.out, "w"), stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while True:
            try:
                socket.create_connection((HOST, self.port), timeout=1).close()
                return self
            except OSError:
                if self.proc.poll() is not None or time.time() > deadline:
                    self.__exit__()
                    raise AssertionError(f"varnishd did not start: {read(self.tmp, self.out)}")
                time.sleep(0.05)

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return False


def is_dcz(r):
    assert r.status == 200 and r.h("content-encoding") == "dcz", r
    assert r.h("etag") == DCZ_ETAG and r.h("vary") == VARY, r
    assert r.body == DCZ and r.body[8:40] == HASH_A and unzstd(r.body[40:]) == B_BYTES


@test("through Varnish: a dcz delta is cached per dictionary and never served to another one")
def _(tmp):
    with Edge(tmp, REL_B) as e, Varnish(tmp, e.port) as v:
        is_dcz(get(v.port, URL_B, [AE, AVAIL_A]))           # a miss, cached
        r = get(v.port, URL_B, [AE, AVAIL_A])
        is_dcz(r)
        assert r.h("x-cache") == "HIT", r
        # Another dictionary, none, no dcz, no Accept-Encoding: never the delta.
        for hdrs, enc in (([AE, OTHER], "br"), ([AE], "br"),
                          (["Accept-Encoding: gzip, br", AVAIL_A], "br"), ([AVAIL_A], None)):
            for _ in range(2):  # the miss, then what the cache kept
                r = get(v.port, URL_B, hdrs)
                assert r.status == 200 and r.h("content-encoding") == enc, (hdrs, r)
                assert r.h("vary") == VARY, r
                assert (unbr(r.body) if enc else r.body) == B_BYTES, hdrs
        is_dcz(get(v.port, URL_B, [AE, AVAIL_A]))


@test("through Varnish: If-None-Match with the dcz ETag gets 304, Range gets dcz bytes")
def _(tmp):
    with Edge(tmp, REL_B) as e, Varnish(tmp, e.port) as v:
        is_dcz(get(v.port, URL_B, [AE, AVAIL_A]))
        r = get(v.port, URL_B, [AE, AVAIL_A, f"If-None-Match: {DCZ_ETAG}"])
        assert r.status == 304 and r.h("etag") == DCZ_ETAG, r
        r = get(v.port, URL_B, [AE, OTHER, f"If-None-Match: {DCZ_ETAG}"])
        assert r.status == 200 and r.h("content-encoding") == "br", r
        r = get(v.port, URL_B, [AE, AVAIL_A, "Range: bytes=40-"])
        assert r.status == 206 and unzstd(r.body) == B_BYTES, r


run_all()
