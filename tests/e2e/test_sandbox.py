"""End-to-end tests of kiln-edge's Landlock sandbox (docs/security.md), from
outside only: a site laid out as deploys lay it out (site/releases/<id>/ and a
site/current symlink), the real binary on free 127.0.0.1 ports, and the
attempts a flaw or a bad deploy would make to read outside the site: current
switched to /etc or to a folder beside the site, symlinks planted in a
release. Nothing outside may be served; the last good release keeps serving.
Without Landlock in the kernel the sandbox tests report a SKIP."""
import os
import signal
import socket
import subprocess
import time

import kt
from kt import (HOST, KILN_EDGE, Conn, Edge, build, free_port, get_once, read, run_all, test,
                write)

SECRET = "kiln-sandbox-secret: outside the site\n"


def site(tmp):
    """tmp/site/releases/r1 and r2 (plain directories), tmp/site/current ->
    releases/r1, and tmp/outside/index.html (a secret beside the site)."""
    root = os.path.join(tmp, "site")
    for rid in ("r1", "r2"):
        write(os.path.join(root, "releases", rid), "index.html", f"release {rid}\n")
    os.symlink("releases/r1", os.path.join(root, "current"))
    write(os.path.join(tmp, "outside"), "index.html", SECRET)
    write(os.path.join(tmp, "outside"), "passwd", SECRET)
    return root


def switch(root, target):
    """Repoints root/current at target as deploys do: a new symlink renamed
    over the old one."""
    tmp_link = os.path.join(root, "current.new")
    os.symlink(target, tmp_link)
    os.replace(tmp_link, os.path.join(root, "current"))


def reload_admin(e):
    c = Conn(e.admin_port, plain=True)
    try:
        return c.request("/-/reload", method="POST")
    finally:
        c.close()


def sighup_and_wait(e, needle):
    """SIGHUP, then waits for needle in a line that comes after it."""
    before = len(e.stderr())
    e.signal(signal.SIGHUP)
    for _ in range(200):  # 10 s
        if needle in e.stderr()[before:]:
            return e.stderr()[before:]
        time.sleep(0.05)
    raise AssertionError(f"{needle!r} not logged after SIGHUP:\n{e.stderr()}")


def need_landlock(e):
    if "sandbox: Landlock ABI" not in e.stderr():
        raise kt.Skip("no Landlock in this kernel: " + e.stderr().splitlines()[0])


@test("the sandbox is on by default and names the site folder it reads")
def _(tmp):
    root = site(tmp)
    with Edge(tmp, os.path.join(root, "current")) as e:
        need_landlock(e)
        assert f"reads only {root};" in e.stderr(), e.stderr()
        assert get_once(e.port).body == b"release r1\n"


@test("current switched to /etc: the reload is refused with a log line, the last release serves")
def _(tmp):
    root = site(tmp)
    with Edge(tmp, os.path.join(root, "current"), admin=True) as e:
        need_landlock(e)
        switch(root, "/etc")
        lines = sighup_and_wait(e, "reload refused")
        assert "still serving release dir:1" in lines and "Permission denied" in lines, lines
        r = get_once(e.port)
        assert r.status == 200 and r.body == b"release r1\n", r
        assert get_once(e.port, "/passwd").status == 404


@test("current switched to a folder beside the site: POST /-/reload answers 500, nothing is read")
def _(tmp):
    root = site(tmp)
    with Edge(tmp, os.path.join(root, "current"), admin=True) as e:
        need_landlock(e)
        switch(root, os.path.join(tmp, "outside"))
        r = reload_admin(e)
        assert r.status == 500 and b"reload refused" in r.body, r
        for path in ("/", "/index.html", "/passwd"):
            r = get_once(e.port, path)
            assert SECRET.encode() not in r.body, (path, r)
        assert get_once(e.port).body == b"release r1\n"
        # A deploy inside the site still works after the refusal.
        switch(root, "releases/r2")
        assert reload_admin(e).status == 200
        assert get_once(e.port).body == b"release r2\n"


@test("--sandbox off: the same switch outside is obeyed (the sandbox is what refused it)")
def _(tmp):
    root = site(tmp)
    with Edge(tmp, os.path.join(root, "current"), "--sandbox", "off") as e:
        assert "sandbox:" not in e.stderr(), e.stderr()
        switch(root, os.path.join(tmp, "outside"))
        sighup_and_wait(e, "reloaded")
        assert get_once(e.port).body == SECRET.encode()


def plant_links(rel, tmp):
    os.symlink("/etc/passwd", os.path.join(rel, "leak"))
    os.symlink(os.path.join(tmp, "outside"), os.path.join(rel, "leakdir"))
    os.symlink("../../../outside/passwd", os.path.join(rel, "leak2"))


def no_leak(e):
    for path in ("/leak", "/leakdir/index.html", "/leakdir/passwd", "/leak2"):
        r = get_once(e.port, path)
        assert r.status == 404, (path, r)
        assert b"root:" not in r.body and SECRET.encode() not in r.body, (path, r)


for sandbox in ("on", "off"):
    @test(f"--sandbox {sandbox}: symlinks planted in a plain release lead nowhere, before and "
          "after a reload")
    def _(tmp, sandbox=sandbox):
        root = site(tmp)
        rel = os.path.join(root, "releases", "r1")
        with Edge(tmp, os.path.join(root, "current"), "--sandbox", sandbox) as e:
            plant_links(rel, tmp)
            no_leak(e)  # requests never touch the disk: the index is in memory
            sighup_and_wait(e, "reloaded")  # plain directories skip symlinks
            no_leak(e)
            assert get_once(e.port).body == b"release r1\n"


_built = []


def kiln_release(tmp):
    """A kiln-build release of one page and one stylesheet, built once."""
    if not _built:
        src = os.path.join(tmp, "src")
        write(src, "index.html", '<!doctype html><link rel="stylesheet" href="css/a.css"><p>hi\n')
        write(src, "css/a.css", "p { color: red }\n")
        dist = os.path.join(os.path.dirname(tmp), "kiln-sandbox-release")
        build(src, dist, encodings="none")
        import atexit
        import shutil
        atexit.register(shutil.rmtree, dist, True)
        _built.append(dist)
    return _built[0]


for sandbox in ("on", "off"):
    @test(f"--sandbox {sandbox}: a release whose folder is a symlink out of it is refused, the "
          "last release serves")
    def _(tmp, sandbox=sandbox):
        import shutil
        root = site(tmp)
        good = os.path.join(root, "releases", "k1")
        shutil.copytree(kiln_release(tmp), good)
        bad = os.path.join(root, "releases", "k2")
        shutil.copytree(kiln_release(tmp), bad)
        # k2's css/ moved out of the site, a symlink left in its place: the
        # manifest names css/a.<hash>.css, which now resolves outside.
        shutil.move(os.path.join(bad, "css"), os.path.join(tmp, "outside", "css"))
        os.symlink(os.path.join(tmp, "outside", "css"), os.path.join(bad, "css"))
        switch(root, "releases/k1")
        with Edge(tmp, os.path.join(root, "current"), "--sandbox", sandbox) as e:
            css = [u for u in kt.manifest(good)["files"] if u.endswith(".css")][0]
            assert get_once(e.port, css).status == 200
            switch(root, "releases/k2")
            lines = sighup_and_wait(e, "reload refused")
            assert "leads outside the release" in lines, lines
            assert get_once(e.port, css).status == 200  # still k1's


# A kernel without Landlock, or one that refuses the ruleset, simulated from
# outside: an LD_PRELOAD library whose syscall() fails the Landlock calls
# (KILN_SHIM names which). Built with the system's cc, as the tests' C is.
SHIM_C = r"""
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
long syscall(long n, ...)
{
    va_list ap;
    va_start(ap, n);
    long a = va_arg(ap, long), b = va_arg(ap, long), c = va_arg(ap, long), d = va_arg(ap, long);
    va_end(ap);
    const char *m = getenv("KILN_SHIM");
    if (m && !strcmp(m, "nolandlock") && n == SYS_landlock_create_ruleset) {
        errno = ENOSYS;
        return -1;
    }
    if (m && !strcmp(m, "refuse") && n == SYS_landlock_restrict_self) {
        errno = EPERM;
        return -1;
    }
    long (*real)(long, ...) = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
    return real(n, a, b, c, d);
}
"""


def shim(tmp):
    src, so = os.path.join(tmp, "shim.c"), os.path.join(tmp, "shim.so")
    write(tmp, "shim.c", SHIM_C)
    subprocess.run(["cc", "-shared", "-fPIC", "-o", so, src, "-ldl"], check=True, timeout=60)
    return so


def shim_env(so, mode):
    env = dict(os.environ, LD_PRELOAD=so, KILN_SHIM=mode)
    # The sanitizer runtime wants to come first; the shim only wraps syscall().
    env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0"
    return env


@test("a kernel without Landlock: one warning line, and kiln-edge serves unconfined")
def _(tmp):
    root = site(tmp)
    so = shim(tmp)
    port = free_port()
    p = subprocess.Popen([KILN_EDGE, *kt.ALLOW_ROOT, "-w", "1", "-l", f"{HOST}:{port}",
                          os.path.join(root, "current")], stderr=subprocess.PIPE, text=True,
                         env=shim_env(so, "nolandlock"))
    try:
        line, seen = "", False
        while "serving release" not in line:
            line = p.stderr.readline()
            assert line, "kiln-edge exited"
            if "sandbox" in line:
                assert line == ("kiln-edge: warning: sandbox: this kernel has no Landlock (not "
                                "built in): serving without it\n"), line
                seen = True
        assert seen
        assert get_once(port).body == b"release r1\n"
    finally:
        p.terminate()
        rest = p.communicate(timeout=15)[1]
    assert p.returncode == 0 and not kt.SANITIZER.search(rest), (p.returncode, rest)


@test("a sandbox the kernel refuses to apply: one error line, exit 1, nothing listens")
def _(tmp):
    root = site(tmp)
    so = shim(tmp)
    port = free_port()
    p = subprocess.run([KILN_EDGE, *kt.ALLOW_ROOT, "-w", "1", "-l", f"{HOST}:{port}",
                        os.path.join(root, "current")], capture_output=True, text=True,
                       timeout=30, env=shim_env(so, "refuse"))
    lines = [x for x in p.stderr.splitlines() if "serving as root" not in x]
    assert p.returncode == 1, (p.returncode, p.stderr)
    assert lines == ["kiln-edge: sandbox: cannot enforce the Landlock ruleset: Operation not "
                     "permitted"], p.stderr
    s = socket.socket()
    try:
        assert s.connect_ex((HOST, port)) != 0, "something listens"
    finally:
        s.close()


@test("the access log, outside the site, is still written under the sandbox")
def _(tmp):
    root = site(tmp)
    log = os.path.join(tmp, "access.log")
    with Edge(tmp, os.path.join(root, "current"), "--access-log", log) as e:
        need_landlock(e)
        assert get_once(e.port, "/?sandbox-log").status == 200
        e.signal(signal.SIGHUP)
        e.wait_stderr("reloaded")
        assert get_once(e.port, "/?after-reload").status == 200
    text = read(tmp, log)
    assert "/?sandbox-log" in text and "/?after-reload" in text, text


if __name__ == "__main__":
    run_all()
