"""End-to-end tests of kiln-edge's least privilege (docs/security.md): the
refusal to serve as root unless told to, the switch to --user after binding
and loading the keys (checked in /proc/PID/status, from outside), certificate
reloads after the switch, and the startup errors that must leave nothing
listening. The real binary on free 127.0.0.1 ports; most tests need root (CI
runs as root) and report a SKIP otherwise. The service user is nobody."""
import os
import pwd
import shutil
import signal
import socket
import ssl
import subprocess
import time

import kt
from kt import (HOST, KILN_EDGE, Edge, free_port, get_once, read, run_all, test, test_certs,
                write)

NOBODY = "nobody"


def need_root():
    if os.geteuid() != 0:
        raise kt.Skip("needs root")
    try:
        pwd.getpwnam(NOBODY)
    except KeyError:
        raise kt.Skip(f"no user {NOBODY}")


def nobody_ids():
    pw = pwd.getpwnam(NOBODY)
    return pw.pw_uid, pw.pw_gid


def release(tmp, text="hello\n"):
    """A plain-directory release the service user can read (tmp, made by
    mkdtemp, is 0700)."""
    os.chmod(tmp, 0o755)
    rel = os.path.join(tmp, "site", "dist")
    write(rel, "index.html", text)
    for d in (os.path.dirname(rel), rel):
        os.chmod(d, 0o755)
    return rel


def status(pid):
    """/proc/PID/status as {name: value}."""
    out = {}
    for line in read("/", f"/proc/{pid}/status").splitlines():
        k, _, v = line.partition(":")
        out[k] = v.strip()
    return out


def listening(port):
    s = socket.socket()
    try:
        s.settimeout(1)
        s.connect((HOST, port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def edge_once(tmp, *args, user=None):
    """kiln-edge with exactly args (no --allow-root), to its exit; returns
    (status, stderr lines). Started as another user, it runs from a copy in
    tmp: a checkout under /root (CI's clone, the fresh check's) is out of
    that user's reach."""
    exe = KILN_EDGE
    if user is not None:
        exe = os.path.join(tmp, "kiln-edge")
        shutil.copy(KILN_EDGE, exe)
        os.chmod(exe, 0o755)
    p = subprocess.run([exe, *args], capture_output=True, text=True, timeout=30, cwd=tmp,
                       user=user)
    assert not kt.SANITIZER.search(p.stderr), p.stderr
    return p.returncode, p.stderr.splitlines()


@test("started as root without --user or --allow-root: one error line, exit 1, nothing listens")
def _(tmp):
    need_root()
    rel = release(tmp)
    port = free_port()
    rc, lines = edge_once(tmp, "-w", "1", "-l", f"{HOST}:{port}", rel)
    assert rc == 1, (rc, lines)
    assert lines == ["kiln-edge: refusing to serve as root: give --user NAME[:GROUP] to switch to "
                     "an unprivileged user after startup, or --allow-root on to serve as root "
                     "anyway"], lines
    assert not listening(port)


@test("--allow-root on serves as root, with a warning line")
def _(tmp):
    need_root()
    rel = release(tmp)
    with Edge(tmp, rel) as e:  # kt passes --allow-root on to every server
        assert get_once(e.port).body == b"hello\n"
        assert status(e.proc.pid)["Uid"].split() == ["0"] * 4
        assert "kiln-edge: warning: serving as root (--allow-root on)" in e.stderr()


@test("--user nobody: after startup every uid and gid is nobody's, no groups, no capabilities")
def _(tmp):
    need_root()
    rel = release(tmp)
    uid, gid = nobody_ids()
    with Edge(tmp, rel, "--user", NOBODY, admin=True, workers=2) as e:
        st = status(e.proc.pid)
        assert st["Uid"].split() == [str(uid)] * 4, st["Uid"]  # real, effective, saved, fs
        assert st["Gid"].split() == [str(gid)] * 4, st["Gid"]
        assert st["Groups"] == "", st["Groups"]
        assert int(st["CapPrm"], 16) == 0 and int(st["CapEff"], 16) == 0, st
        assert st["NoNewPrivs"] == "1", st
        # Every thread: the workers started after the switch.
        for tid in os.listdir(f"/proc/{e.proc.pid}/task"):
            t = status(f"{e.proc.pid}/task/{tid}")
            assert t["Uid"].split() == [str(uid)] * 4, (tid, t["Uid"])
        assert get_once(e.port).body == b"hello\n"
        assert get_once(e.admin_port, "/healthz").status == 200  # bound before the switch
        assert "warning: serving as root" not in e.stderr()


@test("--user: a port below 1024 is bound before the switch and served after it")
def _(tmp):
    need_root()
    rel = release(tmp)
    low = None
    for p in range(1023, 900, -1):
        s = socket.socket()
        try:
            s.bind((HOST, p))
            low = p
            break
        except OSError:
            continue
        finally:
            s.close()
    assert low, "no free port below 1024"
    with Edge(tmp, rel, "-l", f"{HOST}:{low}", "--user", NOBODY) as e:
        assert get_once(low).body == b"hello\n"
        assert status(e.proc.pid)["Uid"].split()[0] != "0"


@test("--user naming no user, or no group: one error line, exit 1, nothing listens")
def _(tmp):
    need_root()
    rel = release(tmp)
    port = free_port()
    for user, line in (("kiln-no-such-user", "kiln-edge: --user: no such user 'kiln-no-such-user'"),
                       (f"{NOBODY}:kiln-no-such-group",
                        "kiln-edge: --user: no such group 'kiln-no-such-group'")):
        rc, lines = edge_once(tmp, "-w", "1", "-l", f"{HOST}:{port}", "--user", user, rel)
        assert rc == 1 and lines == [line], (rc, lines)
        assert not listening(port)


@test("a switch that cannot happen (not root) fails after binding: exit 1, the port is free again")
def _(tmp):
    need_root()
    rel = release(tmp)
    port = free_port()
    uid, _ = nobody_ids()
    # kiln-edge started as nobody, asked to become root's neighbour "daemon".
    rc, lines = edge_once(tmp, "-w", "1", "-l", f"{HOST}:{port}", "--user", "daemon", rel,
                          user=uid)
    assert rc == 1, (rc, lines)
    assert lines == ["kiln-edge: --user daemon: cannot switch user: kiln-edge is not running as "
                     "root"], lines
    assert not listening(port)


def tls_setup(tmp, mode=0o640):
    """The test CA's ECDSA pair copied to tmp/tls/server.{crt,key}, the key
    root:nogroup with mode; returns (dir, cert path, key path)."""
    certs = test_certs()
    d = os.path.join(tmp, "tls")
    os.makedirs(d)
    os.chmod(d, 0o755)
    crt, key = os.path.join(d, "server.crt"), os.path.join(d, "server.key")
    install(os.path.join(certs, "ecdsa.crt"), crt, 0o644)
    install(os.path.join(certs, "ecdsa.key"), key, mode)
    return d, crt, key


def install(src, dst, mode):
    """Replaces dst by a copy of src the way deploy tools do: a new file
    renamed over the old name."""
    tmp = dst + ".new"
    shutil.copyfile(src, tmp)
    os.chown(tmp, 0, nobody_ids()[1])
    os.chmod(tmp, mode)
    os.replace(tmp, dst)


def peer_der(port):
    ctx = ssl.create_default_context(cafile=os.path.join(test_certs(), "ca.crt"))
    with socket.create_connection((HOST, port), timeout=5) as s:
        with ctx.wrap_socket(s, server_hostname="localhost") as t:
            return t.getpeercert(binary_form=True)


def der_of(path):
    return ssl.PEM_cert_to_DER_cert(read("/", path))


@test("--user: SIGHUP reloads certificates replaced on disk, readable by the user's group")
def _(tmp):
    need_root()
    rel = release(tmp)
    _, crt, key = tls_setup(tmp)
    tport = free_port()
    certs = test_certs()
    with Edge(tmp, rel, "--listen-tls", f"{HOST}:{tport}", "--tls-cert", crt, "--tls-key", key,
              "--user", NOBODY) as e:
        assert peer_der(tport) == der_of(os.path.join(certs, "ecdsa.crt"))
        assert "cannot read" not in e.stderr(), e.stderr()
        assert "readable by its group" not in e.stderr(), e.stderr()  # 640 is the recipe
        install(os.path.join(certs, "rsa.crt"), crt, 0o644)
        install(os.path.join(certs, "rsa.key"), key, 0o640)
        e.signal(signal.SIGHUP)
        e.wait_stderr("kiln-edge: reloaded")
        assert "refused" not in e.stderr(), e.stderr()
        assert peer_der(tport) == der_of(os.path.join(certs, "rsa.crt"))


@test("--user with a key only root can read: a warning at startup, SIGHUP keeps the old certificate")
def _(tmp):
    need_root()
    rel = release(tmp)
    _, crt, key = tls_setup(tmp, mode=0o600)
    tport = free_port()
    certs = test_certs()
    with Edge(tmp, rel, "--listen-tls", f"{HOST}:{tport}", "--tls-cert", crt, "--tls-key", key,
              "--user", NOBODY) as e:
        assert f"kiln-edge: warning: user {NOBODY} cannot read '{key}'" in e.stderr(), e.stderr()
        install(os.path.join(certs, "rsa.crt"), crt, 0o644)
        install(os.path.join(certs, "rsa.key"), key, 0o600)
        e.signal(signal.SIGHUP)
        e.wait_stderr("certificate reload refused, still serving the previous ones")
        assert peer_der(tport) == der_of(os.path.join(certs, "ecdsa.crt"))
        assert get_once(e.port).body == b"hello\n"


if __name__ == "__main__":
    run_all()
