"""End-to-end tests of kiln as a CDN origin: a real cache (Debian's Varnish 7
with varnish-modules' xkey, configured by docs/cdn/varnish.vcl) in front of
kiln-edge, both on free 127.0.0.1 ports, spoken to in raw HTTP/1.1 bytes.

Each test deploys site-example/ with tools/deploy.sh into its own releases/
directory, starts kiln-edge on releases/current and a Varnish with a private
work directory, and stops both by PID in a finally. kiln-edge's stderr is
checked for sanitizer reports."""
import json
import os
import shutil
import signal
import socket
import subprocess
import time

from kt import (HOST, KILN_BUILD, LEAK, ROOT, SITE, Edge, decode, free_port, manifest, read,
                read_response, run_all, test, url_of)

VCL = os.path.join(ROOT, "docs/cdn/varnish.vcl")
DEPLOY = os.path.join(ROOT, "tools/deploy.sh")


def get(port, path, method="GET", **headers):
    """One request on a fresh connection: header names as keyword arguments,
    underscores for dashes (accept_encoding="br")."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}", "Connection: close"]
    lines += [f"{k.replace('_', '-')}: {v}" for k, v in headers.items()]
    with socket.create_connection((HOST, port), timeout=10) as s:
        s.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        return read_response(s, b"", method)[0]


# ---- the stack: releases, kiln-edge, Varnish ------------------------------------

def deploy(tmp, src, *args):
    """tools/deploy.sh SRC into tmp/releases; returns the new release dir."""
    env = dict(os.environ, KILN_BUILD=KILN_BUILD)
    p = subprocess.run([DEPLOY, "-r", os.path.join(tmp, "releases"), *args, src, "--",
                        "--no-cache"],
                       capture_output=True, text=True, env=env, timeout=300)
    assert p.returncode == 0, f"deploy.sh exited {p.returncode}:\n{p.stdout}\n{p.stderr}"
    return os.path.realpath(os.path.join(tmp, "releases", "current")), p.stdout


class Stack:
    """kiln-edge (kt.Edge) on tmp/releases/current with an admin port and a
    JSON access log, and a Varnish in front of it. Always stopped, by PID."""

    def __init__(self, tmp, *edge_args):
        self.tmp, self.edge_args = tmp, list(edge_args)
        self.edge = self.varnish = None

    def __enter__(self):
        try:
            self._start_edge()
            self._start_varnish()
        except BaseException:
            self.__exit__()
            raise
        return self

    def _start_edge(self):
        self.log = os.path.join(self.tmp, "access.log")
        self.edge = Edge(self.tmp, os.path.join(self.tmp, "releases", "current"), "--access-log",
                         self.log, "--access-log-format", "json", *self.edge_args,
                         admin=True).start()
        self.port, self.admin = self.edge.port, self.edge.admin_port

    def _start_varnish(self):
        self.vport = free_port()
        vcl = os.path.join(self.tmp, "test.vcl")
        with open(VCL) as f, open(vcl, "w") as out:
            out.write(f.read().replace('"8080"', f'"{self.port}"'))
        self.vout = os.path.join(self.tmp, "varnish.out")
        # -F: foreground, so the PID is varnishd's; -j none: no privilege
        # separation (the test's user owns the private work directory).
        self.varnish = subprocess.Popen(
            ["varnishd", "-F", "-j", "none", "-n", os.path.join(self.tmp, "varnish"), "-a",
             f"{HOST}:{self.vport}", "-f", vcl, "-s", "malloc,64m", "-T", "none",
             "-p", "http_gzip_support=off"],
            stdin=subprocess.DEVNULL, stdout=open(self.vout, "w"), stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while "Child launched OK" not in read(self.tmp, self.vout):
            assert self.varnish.poll() is None and time.time() < deadline, \
                f"varnishd did not start: {read(self.tmp, self.vout)}"
            time.sleep(0.05)
        # The child logs its launch before its acceptor listens: wait for it.
        while True:
            try:
                socket.create_connection((HOST, self.vport), timeout=1).close()
                return
            except OSError:
                assert self.varnish.poll() is None and time.time() < deadline, \
                    f"varnishd does not accept: {read(self.tmp, self.vout)}"
                time.sleep(0.05)

    def __exit__(self, *exc):
        if self.varnish and self.varnish.poll() is None:
            self.varnish.send_signal(signal.SIGTERM)
            try:
                self.varnish.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.varnish.kill()
                self.varnish.wait()
        if self.edge:
            self.edge.stop()  # checks its stderr for sanitizer reports
            assert not LEAK.search(self.edge.stderr_text), \
                "leak report from kiln-edge:\n" + self.edge.stderr_text
        return False

    def cached(self, path, **headers):
        return get(self.vport, path, **headers)

    def origin_log(self):
        """kiln-edge's access log: one dict per response it sent."""
        with open(self.log) as f:
            return [json.loads(line) for line in f if line.strip()]

    def reload(self):
        with socket.create_connection((HOST, self.admin), timeout=10) as s:
            s.sendall(b"POST /-/reload HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
            r, _ = read_response(s, b"")
            assert r.status == 200, r


# ---- tests ------------------------------------------------------------------------

@test("through Varnish: a miss, then a hit; purge keys and CDN headers reach the cache")
def t_miss_hit(tmp):
    rel, _ = deploy(tmp, SITE)
    m = manifest(rel)
    css = url_of(m, "css/site.css")
    with Stack(tmp) as st:
        a = st.cached(css, accept_encoding="gzip, deflate, br, zstd")
        assert a.status == 200 and a.h("x-cache") == "MISS", a
        b = st.cached(css, accept_encoding="gzip, deflate, br, zstd")
        assert b.status == 200 and b.h("x-cache") == "HIT" and b.body == a.body, b
        assert b.h("cache-control") == "public, max-age=31536000, immutable"
        keys = b.h("surrogate-key").split()
        assert keys[:3] == [f"release:{m['release']}", f"url:{css}", "type:css"], keys
        assert "page:/index.html" in keys, keys
        doc = st.cached("/index.html", accept_encoding="br")
        assert doc.h("cache-control") == "no-cache", doc
        assert doc.h("cdn-cache-control").startswith("max-age=60, stale-while-revalidate=60"), doc
        # CDN-Cache-Control makes the document cacheable there, despite no-cache.
        assert st.cached("/index.html", accept_encoding="br").h("x-cache") == "HIT"
        assert [e["target"] for e in st.origin_log()] == [css, "/index.html"], st.origin_log()


@test("br, gzip and identity are cached as separate variants, each with its own bytes")
def t_variants(tmp):
    rel, _ = deploy(tmp, SITE)
    m = manifest(rel)
    js = url_of(m, "js/main.js")
    e = m["files"][js]
    ident = read(rel, e["file"], "rb")
    want = {"br": "br", "gzip": "gzip", "identity": None}
    with Stack(tmp) as st:
        for rnd, xc in ((1, "MISS"), (2, "HIT")):
            for ae, enc in want.items():
                r = st.cached(js, accept_encoding=ae)
                assert r.status == 200 and r.h("x-cache") == xc, (rnd, ae, r)
                assert r.h("content-encoding") == enc, (ae, r)
                assert r.h("vary") == "Accept-Encoding", r
                raw = ident if enc is None else read(rel, e["encodings"][enc]["file"], "rb")
                assert r.body == raw and decode(enc, r.body) == ident, ae
                assert r.h("etag") == (e["etag"] if enc is None else e["encodings"][enc]["etag"])
        # A browser's full list is normalised to br by the VCL: a hit.
        r = st.cached(js, accept_encoding="gzip, deflate, br, zstd")
        assert r.h("x-cache") == "HIT" and r.h("content-encoding") == "br", r
        # zstd (never asked for by Cloudflare) passes to the origin too.
        r = st.cached(js, accept_encoding="zstd")
        assert r.h("content-encoding") == "zstd" and decode("zstd", r.body) == ident, r


@test("entry documents revalidate through the cache: 304 to clients, 304 from the origin")
def t_revalidate(tmp):
    rel, _ = deploy(tmp, SITE)
    m = manifest(rel)
    tag = m["files"]["/index.html"]["encodings"]["br"]["etag"]
    with Stack(tmp, "--cdn-cache-control", "entry max-age=1") as st:
        r = st.cached("/index.html", accept_encoding="br")
        assert r.status == 200 and r.h("etag") == tag, r
        r = st.cached("/index.html", accept_encoding="br", if_none_match=tag)
        assert r.status == 304 and r.h("etag") == tag and r.h("x-cache") == "HIT", r
        time.sleep(2.2)  # past the CDN max-age: Varnish asks the origin with If-None-Match
        r = st.cached("/index.html", accept_encoding="br")
        assert r.status == 200 and r.h("etag") == tag, r
        assert decode("br", r.body) == read(rel, "index.html", "rb")
        statuses = [e["status"] for e in st.origin_log() if e["target"] == "/index.html"]
        assert statuses == [200, 304], statuses


@test("range requests through the cache: 206 with the right bytes, on a miss and a hit")
def t_range(tmp):
    rel, _ = deploy(tmp, SITE)
    m = manifest(rel)
    png = url_of(m, "img/hero-1280.png")
    data = read(rel, m["files"][png]["file"], "rb")
    with Stack(tmp) as st:
        for xc in ("MISS", "HIT"):
            r = st.cached(png, range="bytes=100-1123")
            assert r.status == 206 and r.body == data[100:1124], r
            assert r.h("content-range") == f"bytes 100-1123/{len(data)}", r
            assert r.h("x-cache") == xc, r
        r = st.cached(png, range="bytes=-10")
        assert r.status == 206 and r.body == data[-10:], r


@test("a deploy: symlink switch, reload, purge by key refreshes exactly what changed")
def t_deploy(tmp):
    rel1, _ = deploy(tmp, SITE)
    m1 = manifest(rel1)
    about_js1 = url_of(m1, "js/about.js")
    css1 = url_of(m1, "css/site.css")
    src = os.path.join(tmp, "site2")
    shutil.copytree(SITE, src)
    with open(os.path.join(src, "js/about.js"), "a") as f:
        f.write("\n// release two\n")
    with open(os.path.join(src, "robots.txt"), "a") as f:
        f.write("# release two\n")
    with Stack(tmp) as st:
        urls = ["/index.html", "/about.html", "/robots.txt", "/docs/guide.html", css1, about_js1]
        first = {u: st.cached(u, accept_encoding="br") for u in urls}
        assert all(r.status == 200 for r in first.values()), first
        assert all(st.cached(u, accept_encoding="br").h("x-cache") == "HIT" for u in urls)
        rel2, out = deploy(tmp, src, "-a", f"{HOST}:{st.admin}",
                           "-u", f"http://{HOST}:{st.vport}/")
        m2 = manifest(rel2)
        assert os.path.dirname(rel2) == os.path.dirname(rel1) and rel2 != rel1
        assert os.path.basename(rel2) == m2["release"], rel2
        purge = json.loads(read(rel2, "purge.json"))
        assert purge["previous"] == m1["release"] and purge["release"] == m2["release"]
        # sw.js lists the new about.js in its precache: it changed too.
        assert purge["urls"] == ["/about.html", "/robots.txt", "/sw.js"], purge
        assert purge["tags"] == ["url:/about.html", "url:/robots.txt", "url:/sw.js"], purge
        assert "purged url:/about.html url:/robots.txt url:/sw.js" in out, out
        # The changed URLs come fresh from the new release ...
        about = st.cached("/about.html", accept_encoding="br")
        assert about.h("x-cache") == "MISS", about
        assert decode("br", about.body) == read(rel2, "about.html", "rb")
        about_js2 = url_of(m2, "js/about.js")
        assert about_js2 != about_js1, about_js2
        assert os.path.basename(about_js2).encode() in decode("br", about.body)
        robots = st.cached("/robots.txt", accept_encoding="br")
        assert robots.h("x-cache") == "MISS" and b"release two" in decode(
            robots.h("content-encoding"), robots.body), robots
        # ... while what did not change stays cached.
        for u in ("/index.html", "/docs/guide.html", css1):
            r = st.cached(u, accept_encoding="br")
            assert r.h("x-cache") == "HIT" and r.body == first[u].body, (u, r)
        # The old release's assets are still served by the origin itself.
        old = get(st.port, about_js1, accept_encoding="identity")
        assert old.status == 200 and old.body == read(rel1, m1["files"][about_js1]["file"], "rb")
        assert old.h("surrogate-key").startswith(f"release:{m1['release']} "), old
        assert get(st.port, about_js2).status == 200
    # A rollback to the first release (built before: its directory is
    # reused) purges what differs from the release it replaces, not what
    # its own first deploy purged (every stable URL).
    rel3, out = deploy(tmp, SITE)
    assert rel3 == rel1, (rel3, rel1)
    assert "purge these tags from the CDN: url:/about.html url:/robots.txt url:/sw.js\n" in out, out


@test("a Via header does not change the encoding the origin picks")
def t_via(tmp):
    rel, _ = deploy(tmp, SITE)
    with Stack(tmp) as st:
        ae = "gzip, deflate, br, zstd"
        plain = get(st.port, "/index.html", accept_encoding=ae)
        via = get(st.port, "/index.html", accept_encoding=ae, via="1.1 varnish (Varnish/7.1)")
        assert plain.h("content-encoding") == via.h("content-encoding") == "br", (plain, via)
        assert plain.body == via.body
        gz = get(st.port, "/index.html", accept_encoding="gzip", via="1.1 a.cloudfront.net")
        assert gz.h("content-encoding") == "gzip", gz
        # And through the cache, which adds its own Via.
        r = st.cached("/index.html", accept_encoding=ae)
        assert r.h("content-encoding") == "br" and "varnish" in r.h("via"), r


@test("Early Hints: a raw client reads the 103 with the Link preloads, then the 200")
def t_early_hints(tmp):
    rel, _ = deploy(tmp, SITE)
    m = manifest(rel)
    pre = m["files"]["/index.html"]["preload"]
    with Stack(tmp, "--early-hints", "on", "--purge-keys", "both") as st:
        with socket.create_connection((HOST, st.port), timeout=10) as s:
            s.sendall(b"GET /index.html HTTP/1.1\r\nHost: x\r\nAccept-Encoding: br\r\n\r\n")
            hints, buf = read_response(s, b"")
            assert hints.status == 103, hints
            link = hints.h("link")
            final, buf = read_response(s, buf)
            assert final.status == 200 and final.h("content-encoding") == "br", final
            assert final.h("link") == link and buf == b"", final
        for p in pre:
            part = f"<{p['url']}>; rel={p['rel']}; as={p['as']}"
            assert part in link, (part, link)
        # The page's own tags only, each as the page carries it.
        css = url_of(m, "css/site.css")
        assert f"<{css}>" not in link, link
        font = next(p["url"] for p in pre if p["as"] == "font")
        assert f'<{font}>; rel=preload; as=font; crossorigin; type="font/woff2"' in link, link
        mod = next(p for p in pre if p["rel"] == "modulepreload")
        assert (f'<{mod["url"]}>; rel=modulepreload; as=script; crossorigin; '
                f'integrity="{mod["integrity"]}"') in link, link
        # --purge-keys both: Cache-Tag (comma-separated) beside Surrogate-Key.
        assert final.h("cache-tag") == final.h("surrogate-key").replace(" ", ","), final
        # HTTP/1.0 clients never see a 1xx; assets get no 103.
        with socket.create_connection((HOST, st.port), timeout=10) as s:
            s.sendall(b"GET /index.html HTTP/1.0\r\nHost: x\r\n\r\n")
            r, _ = read_response(s, b"")
            assert r.status == 200 and r.h("link") == link, r
        assert get(st.port, css).status == 200
    # Without --early-hints: the Link header only, no 103.
    with Stack(tmp) as st:
        r = get(st.port, "/index.html")
        assert r.status == 200 and r.h("link") == link and r.h("cache-tag") is None, r


if __name__ == "__main__":
    run_all()
