"""Releases A, B and C for the compression-dictionary tests (test_dict_edge.py,
test_dict_cdn.py), made once per test process: A is site-example built by
kiln-build with its js/main.js chunk marked a dictionary; B is a copy of A in
which that chunk changed, with a br variant and the dcz delta against A's
chunk written here (zstd --patch-from, then RFC 9842's 40-byte header) and
the manifest fields of docs/manifest.md, as kiln-build --previous will write
them; C is B without the chunk (for reload retention). Bodies are decoded by
the zstd and brotli CLIs, never by kiln's code."""
import atexit
import base64
import hashlib
import json
import os
import shutil
import subprocess
import tempfile

from kt import SITE, build, manifest, read

_WORK = tempfile.mkdtemp(prefix="kiln-e2e-dict-")
atexit.register(shutil.rmtree, _WORK, True)

SRC = "js/main.js"
UAD = 'match="/js/main.*.js", match-dest=("script" ""), id="js/main.js"'
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


def unzstd(frame, dictionary=A_PATH):
    return subprocess.run(["zstd", "-d", "-q", "-c", "-D", dictionary], input=frame,
                          capture_output=True, check=True).stdout


def unbr(data):
    return subprocess.run(["brotli", "-dc"], input=data, capture_output=True, check=True).stdout
