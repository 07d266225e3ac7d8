"""kiln-build's dictionary deltas (RFC 9842 dcz; docs/dictionaries.md):
release B built against release A carries, for each changed dictionary
asset, a delta keyed by the SHA-256 of A's bytes that the zstd CLI decodes
with A's file; --previous-releases takes the newest releases of a
releases/ directory; the hash is always of the bytes actually read."""
import hashlib
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kt import KILN_BUILD, ROOT, SITE, build, by_source, kiln_build, manifest, read, run_all, test, write  # noqa: E402

DEPLOY = os.path.join(ROOT, "tools/deploy.sh")
MAGIC = bytes([0x5E, 0x2A, 0x4D, 0x18, 0x20, 0, 0, 0])


def sha(data):
    return hashlib.sha256(data).hexdigest()


def rbytes(root, rel):
    return read(root, rel, "rb")


def site(tmp):
    src = os.path.join(tmp, "src")
    shutil.copytree(SITE, src)
    return src


def change(src, n=1):
    """Changes one JS file and one CSS file (chart.js, site.css)."""
    with open(os.path.join(src, "js/chart.js"), "a") as f:
        f.write(f"\nexport const dictTestRevision{n} = {n};\n")
    with open(os.path.join(src, "css/site.css"), "a") as f:
        f.write(f"\n.dict-test-{n} {{ color: #{n:06x}; }}\n")


def undelta(delta, dict_path):
    """The zstd CLI's decoding of a dcz stream: the 40-byte header off, then
    -D with the previous file (--long=27: a window of up to 128 MiB)."""
    p = subprocess.run(["zstd", "-d", "-q", "-c", "--long=27", "-D", dict_path],
                       input=delta[40:], capture_output=True, check=True)
    return p.stdout


def check_deltas(b_dir, b_entry, a_dir, a_entry):
    """b_entry's delta against a_entry's file: keyed by the hash of its bytes,
    framed per RFC 9842, decoding to b's file."""
    a_bytes = rbytes(a_dir, a_entry["file"])
    key = sha(a_bytes)
    d = b_entry["deltas"][key]["dcz"]
    assert d["file"] == f"{b_entry['file']}.{key[:12]}.dcz", d
    data = rbytes(b_dir, d["file"])
    assert len(data) == d["size"]
    assert d["etag"] == '"' + sha(data)[:24] + '"'
    assert data[:8] == MAGIC and data[8:40].hex() == key
    assert undelta(data, os.path.join(a_dir, a_entry["file"])) == rbytes(b_dir, b_entry["file"])
    return d


@test("B built --previous A: deltas keyed by A's file hashes decode with zstd -D A's file")
def t_deltas(tmp):
    src, a, b = site(tmp), os.path.join(tmp, "A"), os.path.join(tmp, "B")
    build(src, a)
    change(src)
    report = os.path.join(tmp, "report.json")
    _, out, _ = kiln_build("--no-cache", "--previous", a, "--report", report, "-o", b, src)
    ma, mb = by_source(a), by_source(b)
    for s in ("js/chart.js", "css/site.css"):
        assert ma[s]["file"] != mb[s]["file"], s
        d = check_deltas(b, mb[s], a, ma[s])
        br = mb[s]["encodings"]["br"]["size"]
        assert d["size"] * 10 <= br * 9 and d["size"] + 64 <= br, (s, d["size"], br)
    # Unchanged files get no delta; everything with a delta is a dictionary.
    assert ma["data/menu.json"]["file"] == mb["data/menu.json"]["file"]
    assert "deltas" not in mb["data/menu.json"] and "dictionary" in mb["data/menu.json"]
    for e in mb.values():
        assert "deltas" not in e or "dictionary" in e
    # The report: one line per delta, the totals, and the same in JSON.
    assert f"dcz {mb['js/chart.js']['file']} against release {manifest(a)['release']}" in out
    assert "deltas: " in out and "saved" in out
    rep = json.loads(read(tmp, "report.json"))
    assert rep["deltas"]["kept"] >= 2 and rep["deltas"]["saved"] > 0
    assert rep["deltas"]["previous"] == [manifest(a)["release"]]
    chart = next(f for f in rep["files"] if f["source"] == "js/chart.js")
    dl = chart["deltas"][0]
    assert dl["dictionary"] == sha(rbytes(a, ma["js/chart.js"]["file"]))
    assert dl["saved"] == dl["br"] - dl["dcz"] > 0


@test("Use-As-Dictionary: JS script, CSS style, JSON any; legacy twins, small and stable files are not dictionaries")
def t_use_as_dictionary(tmp):
    src, a = site(tmp), os.path.join(tmp, "A")
    build(src, a, "--base", "/app/", encodings="none")
    m = by_source(a)
    d = m["js/main.js"]["dictionary"]
    assert d == {"id": "js/main.js",
                 "use_as_dictionary": 'match="/app/js/main.*.js", match-dest=("script" ""), '
                                      'id="js/main.js"'}, d
    assert m["css/site.css"]["dictionary"]["use_as_dictionary"] == \
        'match="/app/css/site.*.css", match-dest=("style" ""), id="css/site.css"'
    assert m["data/menu.json"]["dictionary"]["use_as_dictionary"] == \
        'match="/app/data/menu.*.json", id="data/menu.json"'
    # A bundler-hashed name: its id drops the bundler's hash.
    assert m["js/vendor/tiny-lib-4f3a9c1e.js"]["dictionary"]["use_as_dictionary"] == \
        'match="/app/js/vendor/tiny-lib-*.js", match-dest=("script" ""), id="js/vendor/tiny-lib.js"'
    assert "dictionary" not in m["js/main.legacy.js"]   # nomodule browsers speak no RFC 9842
    assert "dictionary" not in m["css/print.css"]       # under 1 KiB
    assert "dictionary" not in m["index.html"]          # not fingerprinted
    assert "dictionary" not in m["js/main.bundle.js.map"]
    assert not any("deltas" in e for e in m.values())   # no previous release


@test("--previous-releases with 4 releases makes deltas against the newest 3 only")
def t_previous_releases(tmp):
    src, root = site(tmp), os.path.join(tmp, "releases")
    os.makedirs(root)
    charts = []
    for n in range(1, 5):
        change(src, n)
        d = os.path.join(root, f"r{n}")
        build(src, d, encodings="none")
        os.utime(d, (1_700_000_000 + n, 1_700_000_000 + n))
        charts.append(by_source(d)["js/chart.js"])
    os.symlink("r4", os.path.join(root, "current"))
    os.makedirs(os.path.join(root, "not-a-release"))
    change(src, 5)
    b = os.path.join(tmp, "B")
    _, out, _ = kiln_build("--no-cache", "--previous-releases", root, "-o", b, src)
    mb = by_source(b)
    keys = set(mb["js/chart.js"]["deltas"])
    want = {sha(rbytes(os.path.join(root, f"r{n}"), charts[n - 1]["file"])) for n in (2, 3, 4)}
    assert keys == want, (keys, want)
    for n in (2, 3, 4):
        check_deltas(b, mb["js/chart.js"], os.path.join(root, f"r{n}"), charts[n - 1])
    assert "against 3 previous releases" in out
    # purge.json compares with current only.
    purge = json.loads(read(b, "purge.json"))
    assert purge["previous"] == manifest(os.path.join(root, "r4"))["release"]
    # --delta-depth 1: current alone.
    b1 = os.path.join(tmp, "B1")
    kiln_build("-q", "--no-cache", "--previous-releases", root, "--delta-depth", "1", "-o", b1, src)
    assert set(by_source(b1)["js/chart.js"]["deltas"]) == \
        {sha(rbytes(os.path.join(root, "r4"), charts[3]["file"]))}


@test("a flipped byte in the previous release: the delta is keyed by and decodes with the bytes read")
def t_flipped_byte(tmp):
    src, a, b = site(tmp), os.path.join(tmp, "A"), os.path.join(tmp, "B")
    build(src, a)
    ea = by_source(a)["js/chart.js"]
    path = os.path.join(a, ea["file"])
    data = bytearray(rbytes(a, ea["file"]))
    data[len(data) // 2] ^= 0x20
    with open(path, "wb") as f:
        f.write(data)
    change(src)
    rc, _, err = kiln_build("-q", "--no-cache", "--previous", a, "-o", b, src)
    assert rc == 0
    assert "do not match the ETag" in err, err
    eb = by_source(b)["js/chart.js"]
    key = sha(bytes(data))
    assert ea["etag"] != '"' + key[:24] + '"'
    assert list(eb["deltas"]) == [key]
    delta = rbytes(b, eb["deltas"][key]["dcz"]["file"])
    assert delta[8:40] == hashlib.sha256(bytes(data)).digest()
    assert undelta(delta, path) == rbytes(b, eb["file"])
    # --strict: the mismatch fails the build.
    rc, _, err = kiln_build("-q", "--no-cache", "--strict", "--previous", a, "-o",
                            os.path.join(tmp, "S"), src, check=False)
    assert rc == 1 and not os.path.exists(os.path.join(tmp, "S"))


@test("a previous release with a missing or malformed manifest is an error naming file and line; nothing is written")
def t_bad_previous(tmp):
    src, a, b = site(tmp), os.path.join(tmp, "A"), os.path.join(tmp, "B")
    build(src, a, encodings="none")
    os.makedirs(os.path.join(tmp, "empty"))
    rc, _, err = kiln_build("-q", "--no-cache", "--previous", os.path.join(tmp, "empty"), "-o", b,
                            src, check=False)
    assert rc == 1 and "empty/kiln-manifest.json" in err and not os.path.exists(b), err
    text = read(a, "kiln-manifest.json")
    write(a, "kiln-manifest.json", text[:200] + "\n}}}\n")
    rc, _, err = kiln_build("-q", "--no-cache", "--previous", a, "-o", b, src, check=False)
    assert rc == 1 and "A/kiln-manifest.json:" in err and not os.path.exists(b), err
    # In a releases/ directory too.
    root = os.path.join(tmp, "releases")
    os.makedirs(root)
    shutil.copytree(a, os.path.join(root, "r1"))
    rc, _, err = kiln_build("-q", "--no-cache", "--previous-releases", root, "-o", b, src,
                            check=False)
    assert rc == 1 and "r1/kiln-manifest.json:" in err and not os.path.exists(b), err
    # A dictionary entry whose file leaves its release.
    build(src, a, encodings="none")
    m = manifest(a)
    e = next(e for e in m["files"].values() if e["source"] == "js/chart.js")
    e["file"] = "../../etc/passwd"
    write(a, "kiln-manifest.json", json.dumps(m))
    change(src)
    rc, _, err = kiln_build("-q", "--no-cache", "--previous", a, "-o", b, src, check=False)
    assert rc == 1 and "outside the release" in err and not os.path.exists(b), err


@test("deploy.sh makes deltas against the releases it deployed before")
def t_deploy(tmp):
    src, root = site(tmp), os.path.join(tmp, "releases")
    env = dict(os.environ, KILN_BUILD=KILN_BUILD)

    def run():
        p = subprocess.run(["sh", DEPLOY, "-r", root, src, "--", "--no-cache"], env=env,
                           capture_output=True, text=True)
        assert p.returncode == 0, p.stdout + p.stderr
    run()
    first = os.path.realpath(os.path.join(root, "current"))
    change(src)
    run()
    cur = os.path.join(root, "current")
    assert os.path.realpath(cur) != first
    a, b = by_source(first), by_source(cur)
    check_deltas(cur, b["js/chart.js"], first, a["js/chart.js"])


run_all()
