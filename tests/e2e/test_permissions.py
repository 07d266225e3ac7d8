"""A release is ordinary build output: every directory (the root too) and every
file follows the builder's umask, so a server running as another user (nginx's
www-data, a sync agent, a container user) can read it. The release is built in
a mkdtemp directory, which is 0700 whatever the umask; kiln-build must widen it.
"""
import os
import shutil
import socket
import stat
import subprocess
import time
import urllib.request

from kt import KILN_BUILD, ROOT, run_all, test

SITE = os.path.join(ROOT, "site-example")


def build_with_umask(mask, dist):
    p = subprocess.run([KILN_BUILD, "-q", "--no-cache", "-o", dist, SITE], capture_output=True,
                       text=True, timeout=300, preexec_fn=lambda: os.umask(mask))
    assert p.returncode == 0, p.stderr


def modes(dist):
    """{relative path: permission bits} of the release root and everything in it."""
    out = {".": stat.S_IMODE(os.stat(dist).st_mode)}
    for d, dirs, files in os.walk(dist):
        for n in dirs + files:
            p = os.path.join(d, n)
            out[os.path.relpath(p, dist)] = stat.S_IMODE(os.lstat(p).st_mode)
    return out


def check_modes(tmp, mask, want_dir, want_file):
    dist = os.path.join(tmp, "dist")
    build_with_umask(mask, dist)
    bad = []
    for rel, mode in sorted(modes(dist).items()):
        want = want_dir if os.path.isdir(os.path.join(dist, rel)) else want_file
        if mode != want:
            bad.append(f"{rel}: {mode:o}, want {want:o}")
    assert not bad, "\n".join(bad[:20])


@test("with umask 022 every directory of the release (its root too) is 0755 and every file 0644")
def _(tmp):
    check_modes(tmp, 0o022, 0o755, 0o644)


@test("with umask 002 the release is group-writable like any build output (0775 / 0664)")
def _(tmp):
    check_modes(tmp, 0o002, 0o775, 0o664)


@test("rebuilding over a release keeps the umask's permissions on the swapped-in root")
def _(tmp):
    dist = os.path.join(tmp, "dist")
    build_with_umask(0o022, dist)
    build_with_umask(0o022, dist)
    assert stat.S_IMODE(os.stat(dist).st_mode) == 0o755


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


NGINX_CONF = """
daemon off;
master_process on;
worker_processes 1;
{user}
pid {tmp}/nginx.pid;
error_log {tmp}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    gzip_static on;
    server {{
        listen 127.0.0.1:{port};
        root {dist};
    }}
}}
"""


@test("nginx, its workers running as www-data, serves every file of a release built with umask 022")
def _(tmp):
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    assert os.path.exists(nginx), "nginx is not installed (make deps installs it)"
    # The test's own folder is 0700; www-data must be able to reach the release.
    os.chmod(tmp, 0o755)
    dist = os.path.join(tmp, "dist")
    build_with_umask(0o022, dist)
    # As root, the workers drop to www-data: exactly what a Debian nginx does.
    # Without root nginx cannot switch users; the modes test above still holds.
    user = "user www-data;" if os.geteuid() == 0 else ""
    port = free_port()
    conf = os.path.join(tmp, "nginx.conf")
    with open(conf, "w") as f:
        f.write(NGINX_CONF.format(user=user, tmp=tmp, port=port, dist=dist))
    proc = subprocess.Popen([nginx, "-c", conf, "-p", tmp], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert proc.poll() is None, proc.stderr.read().decode()
                assert time.time() < deadline, "nginx did not start listening"
                time.sleep(0.05)
        checked = 0
        for d, _, files in os.walk(dist):
            for n in files:
                rel = os.path.relpath(os.path.join(d, n), dist)
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/{rel}", timeout=10) as r:
                    assert r.status == 200, f"{rel}: {r.status}"
                    with open(os.path.join(dist, rel), "rb") as fh:
                        assert r.read() == fh.read(), f"{rel}: other bytes"
                checked += 1
        assert checked > 50, checked
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as r:
            assert r.status == 200 and b"<html" in r.read().lower()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


if __name__ == "__main__":
    run_all()
