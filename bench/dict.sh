#!/bin/sh
# kiln-build's dcz deltas (RFC 9842, issue 14) on real release histories.
#
# Fetches consecutive published versions of npm packages at run time (never
# committed). For each pair OLD..NEW: builds OLD as release A, then NEW twice,
# cold (--no-cache: no compression cache, deltas included), without and with
# --previous A, and prints, from NEW's manifest, the bytes a returning visitor
# downloads for the files that changed (same logical id in A, other bytes): as
# br, and as dcz where kiln kept a delta (else br), their ratio, and the build
# time the deltas add. One delta per pair is decoded with the zstd CLI against
# A's file and compared with NEW's. Logical ids that fail to match, and
# immutable URLs whose bytes changed, are listed as builder bugs.
# The figures also go to bench/results-dict.md (not committed).
#
# Environment:
#   BENCH_PAIRS  space-separated NAME@OLD..NEW[:DIR,DIR] (DIR: keep only those
#                package subdirectories); default below
#   BENCH_REPS   cold builds of NEW per variant, alternating which goes first
#                (default 3; medians)
#   BENCH_WORK   work directory (default: a temporary one, removed at exit);
#                a given one is kept, and its downloads are reused
#   KILN_BUILD   the binary (default: bin/kiln-build; build it with make)
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
KILN_BUILD=${KILN_BUILD:-$top/bin/kiln-build}
BENCH_PAIRS=${BENCH_PAIRS:-"swagger-ui-dist@5.17.13..5.17.14 swagger-ui-dist@5.17.14..5.18.0
three@0.151.3..0.152.0:build three@0.186.1..0.187.0:build monaco-editor@0.53.0..0.54.0:min"}
BENCH_REPS=${BENCH_REPS:-3}
results=$top/bench/results-dict.md

die() {
    echo "bench/dict.sh: $*" >&2
    exit 1
}

# ---- tools ------------------------------------------------------------------

missing=
for t in zstd python3 tar npm; do
    command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
done
[ -x /usr/bin/time ] || missing="$missing /usr/bin/time(package time)"
[ -z "$missing" ] || die "missing:$missing (run 'make deps'; npm comes with nodejs)"
[ -x "$KILN_BUILD" ] || die "no $KILN_BUILD: run 'make' first"

if [ -n "${BENCH_WORK:-}" ]; then
    work=$BENCH_WORK
    mkdir -p "$work"
    cleanup() { rm -rf "$work/src" "$work/out" "$work/res"; }
else
    work=$(mktemp -d "${TMPDIR:-/tmp}/kiln-dict.XXXXXX")
    cleanup() { rm -rf "$work"; }
fi
trap cleanup EXIT
trap 'exit 130' INT TERM
cleanup
mkdir -p "$work/dl" "$work/src" "$work/out" "$work/res"

ncpu=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
load=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo '?')
echo "== machine: $ncpu CPUs, load average $load"
case "$load" in
[0-9]*) if awk -v l="$load" 'BEGIN { exit !(l > 0.5) }'; then
    echo "   warning: the machine is busy; wall times will be inflated (CPU times less so)"
fi ;;
esac

# ---- inputs -----------------------------------------------------------------

# fetch NAME VERSION: the tarball's path on stdout; an exact version already
# in $work/dl (a kept BENCH_WORK) is reused.
fetch() {
    f=$work/dl/$(echo "${1#@}" | tr / -)-$2.tgz
    if [ ! -f "$f" ]; then
        n=$(cd "$work/dl" && npm pack --silent "$1@$2" | tail -n 1) ||
            die "npm pack $1@$2 failed (network? registry?)"
        f=$work/dl/$n
    fi
    [ -f "$f" ] || die "npm pack $1@$2 gave no tarball"
    echo "$f"
}

# tree TGZ DIRS DEST: the site kiln builds. DEST holds the package (or only
# its DIRS, at their paths) minus its source maps (no dictionaries, and never
# downloaded by visitors; they would double the cold build's compression time
# and so halve the share the deltas add) and Node's CommonJS entries (files
# that require('./x'): a string that names a file keeps that file's name, and
# a browser never loads them), plus kiln-bench.html, a page with one
# <link rel=prefetch> per JS, CSS, JSON and WASM file: a file nothing
# references keeps its name and is no dictionary, and a real site references
# what it serves.
tree() {
    x=$work/src/unpack
    rm -rf "$x" "$3"
    mkdir -p "$x" "$3"
    tar -xzf "$1" -C "$x" --strip-components=1
    if [ -n "$2" ]; then
        for d in $(echo "$2" | tr , ' '); do
            [ -e "$x/$d" ] || die "$(basename "$1") has no $d"
            mkdir -p "$3/$(dirname "$d")"
            mv "$x/$d" "$3/$d"
        done
    else
        cp -R "$x/." "$3/"
        rm -f "$3/package.json"
    fi
    python3 - "$3" <<'EOF'
import os, re, sys
dest = sys.argv[1]
node = re.compile(rb"\brequire\(\s*['\"]\.\.?/")
maps = 0
for d, dirs, files in os.walk(dest):
    for f in files:
        p = os.path.join(d, f)
        if f.endswith(".map"):
            os.remove(p)
            maps += 1
        elif f.endswith((".js", ".cjs")) and node.search(open(p, "rb").read()):
            os.remove(p)
            print(f"   left out {os.path.relpath(p, dest)} (Node's entry: require('./...'))")
if maps:
    print(f"   left out {maps} source maps")
names = []
for d, dirs, files in os.walk(dest):
    dirs.sort()
    for f in sorted(files):
        if f.rsplit(".", 1)[-1] in ("js", "mjs", "cjs", "css", "json", "wasm"):
            names.append(os.path.relpath(os.path.join(d, f), dest))
with open(os.path.join(dest, "kiln-bench.html"), "w") as out:
    out.write("<!doctype html>\n<html lang=en><head><meta charset=utf-8>"
              "<title>kiln dict bench</title>\n")
    for n in names:
        out.write('<link rel=prefetch href="%s">\n' % n.replace("&", "&amp;").replace('"', "&quot;"))
    out.write("</head><body></body></html>\n")
EOF
    rm -rf "$x"
}

# ---- timing -----------------------------------------------------------------

# run_timed LABEL LOG CMD...: runs CMD with its stderr in LOG, records
# "wall user sys" in $work/res/t.LABEL; on failure prints LOG and stops.
run_timed() {
    label=$1 log=$2
    shift 2
    /usr/bin/time -f '%e %U %S' -o "$work/res/t.$label" "$@" 2>"$log" ||
        { cat "$log" >&2; die "failed: $*"; }
}

# ---- pairs ------------------------------------------------------------------

i=0
for spec in $BENCH_PAIRS; do
    i=$((i + 1))
    pv=${spec%%:*}
    dirs=
    case "$spec" in *:*) dirs=${spec#*:} ;; esac
    name=${pv%@*}
    vers=${pv##*@}
    old=${vers%%..*}
    new=${vers#*..}
    if [ -z "$name" ] || [ -z "$old" ] || [ -z "$new" ] || [ "$old" = "$vers" ]; then
        die "bad pair '$spec' (NAME@OLD..NEW[:DIR,DIR])"
    fi
    echo "== $i. $name $old -> $new${dirs:+ ($dirs)}"
    a_src=$work/src/a$i b_src=$work/src/b$i
    tree "$(fetch "$name" "$old")" "$dirs" "$a_src"
    tree "$(fetch "$name" "$new")" "$dirs" "$b_src"
    a=$work/out/a$i
    # A's own variants play no part in B's deltas: none are made.
    "$KILN_BUILD" -q --no-cache --encodings none -o "$a" "$a_src" 2>"$work/res/a$i.log" ||
        { cat "$work/res/a$i.log" >&2; die "kiln-build of $name $old failed"; }
    r=1
    while [ $r -le "$BENCH_REPS" ]; do
        if [ $(((i + r) % 2)) = 0 ]; then order="plain delta"; else order="delta plain"; fi
        for v in $order; do
            if [ "$v" = plain ]; then
                echo "   cold build of $new (--no-cache), repetition $r"
                rm -rf "$work/out/p$i"
                run_timed "$i.plain.$r" "$work/res/b$i.log" "$KILN_BUILD" -q --no-cache \
                    -o "$work/out/p$i" "$b_src"
            else
                echo "   cold build of $new (--no-cache) --previous $old, repetition $r"
                rm -rf "$work/out/b$i"
                run_timed "$i.delta.$r" "$work/res/b$i.log" "$KILN_BUILD" -q --no-cache \
                    --previous "$a" --report "$work/res/delta$i.json" -o "$work/out/b$i" "$b_src"
            fi
        done
        r=$((r + 1))
    done
    rm -rf "$work/out/p$i"
    sed 's/^/   (kiln-build) /' "$work/res/b$i.log" | sort -u | head -n 5
    python3 - "$work" "$i" "$name" "$old" "$new" "$BENCH_REPS" <<'EOF'
import hashlib, json, os, statistics, subprocess, sys
work, i, name, old, new, reps = sys.argv[1:7]
res = os.path.join(work, "res")
a_dir = os.path.join(work, "out", "a" + i)
b_dir = os.path.join(work, "out", "b" + i)
A = json.load(open(os.path.join(a_dir, "kiln-manifest.json")))["files"]
B = json.load(open(os.path.join(b_dir, "kiln-manifest.json")))["files"]
bugs = []

def times(v):
    w, c = [], []
    for r in range(1, int(reps) + 1):
        wall, user, sys_ = open(os.path.join(res, f"t.{i}.{v}.{r}")).read().split()
        w.append(float(wall))
        c.append(float(user) + float(sys_))
    return statistics.median(w), statistics.median(c)

def sha256(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()

def br(e):
    return e.get("encodings", {}).get("br", {}).get("size", e["size"])

a_by_id = {e["dictionary"]["id"]: (u, e) for u, e in A.items() if "dictionary" in e}
a_by_src = {e["source"]: (u, e) for u, e in A.items()}
page = {"kiln-bench.html", "sw.js", "kiln-sw-register.js"}
dict_types = ("text/javascript", "text/css", "application/json", "application/wasm")

changed, same, new_ids, nodict = [], 0, [], []
for u, e in sorted(B.items()):
    d = e.get("dictionary")
    pa = a_by_src.get(e["source"])
    if d is None:
        # A changed script or style that is no dictionary gets no delta.
        if (e["source"] not in page and not e["source"].endswith(".map")
                and e["type"].startswith(dict_types)
                and pa is not None and pa[1]["etag"] != e["etag"]):
            nodict.append((u, e))
        continue
    # The id must follow the file: the same source in A has the same id.
    if pa is not None and "dictionary" in pa[1] and pa[1]["dictionary"]["id"] != d["id"]:
        bugs.append(f"{e['source']}: id {pa[1]['dictionary']['id']!r} in {old}, {d['id']!r} in {new}")
    if pa is not None and "dictionary" not in pa[1] and pa[1]["class"] == "immutable" \
            and pa[1]["size"] >= 1024:
        bugs.append(f"{e['source']}: a dictionary in {new} ({d['id']!r}), none in {old}")
    m = a_by_id.get(d["id"])
    if m is None:
        new_ids.append((u, e))
    elif m[1]["etag"] == e["etag"]:
        same += 1
    else:
        changed.append((u, e, m))
# An immutable URL must never get other bytes: browsers would keep the old ones.
for u in sorted(set(A) & set(B)):
    if B[u]["class"] == "immutable" and A[u]["etag"] != B[u]["etag"]:
        how = ("kiln kept the name as written (taken for a bundler's hash)"
               if B[u]["source"] == u.lstrip("/") else "kiln's fingerprint did not change")
        bugs.append(f"{u}: served immutable in both releases with other bytes "
                    f"(ETag {A[u]['etag']} -> {B[u]['etag']}): {how}")

br_total = dcz_total = kept = 0
rows = []
check = None
for u, e, (ua, ea) in changed:
    h = sha256(os.path.join(a_dir, ea["file"]))
    delta = e.get("deltas", {}).get(h, {}).get("dcz")
    b = br(e)
    br_total += b
    dcz_total += delta["size"] if delta else b
    kept += delta is not None
    rows.append((e["size"], u, b, delta["size"] if delta else None))
    if delta and (check is None or e["size"] > check[0]):
        check = (e["size"], u, e, ea, h, delta)

for size, u, b, dz in sorted(rows, reverse=True):
    print(f"   {u}: {size:,} bytes, br {b:,}, dcz {dz:,} ({dz / b:.3f})" if dz else
          f"   {u}: {size:,} bytes, br {b:,}, no delta kept")
for u, e in new_ids:
    print(f"   new in {new}: {u} (id {e['dictionary']['id']}), {e['size']:,} bytes: nothing to match")
for u, e in nodict:
    print(f"   changed but no dictionary: {u} ({e['class']}, {e['size']:,} bytes, br {br(e):,})")

# The cross-check: RFC 9842's header, then zstd's own decoder against A's file.
decoded = "none"
if check:
    size, u, e, ea, h, delta = check
    blob = open(os.path.join(b_dir, delta["file"]), "rb").read()
    ok_head = blob[:8] == bytes.fromhex("5e2a4d1820000000") and blob[8:40].hex() == h
    p = subprocess.run(["zstd", "-d", "-q", "-c", "--long=27", "-D", os.path.join(a_dir, ea["file"])],
                       input=blob[40:], capture_output=True)
    ok_body = p.returncode == 0 and p.stdout == open(os.path.join(b_dir, e["file"]), "rb").read()
    decoded = f"{delta['file']}: header {'ok' if ok_head else 'WRONG'}, " + \
        (f"zstd -d -D {ea['file']} --long=27: {len(p.stdout):,} bytes, identical" if ok_body else
         f"zstd -d -D {ea['file']} --long=27: DIFFERS ({p.stderr.decode().strip()})")
    print(f"   decoded {decoded}")
    if not (ok_head and ok_body):
        bugs.append(f"{delta['file']} does not decode to {e['file']}")
for b in bugs:
    print(f"   BUILDER BUG: {b}")

rep = json.load(open(os.path.join(res, f"delta{i}.json")))
pw, pc = times("plain")
dw, dc = times("delta")
with open(os.path.join(res, "pairs.jsonl"), "a") as f:
    f.write(json.dumps({
        "name": name, "old": old, "new": new, "changed": len(changed), "kept": kept,
        "same": same, "new_ids": len(new_ids), "nodict": len(nodict),
        "nodict_br": sum(br(e) for _, e in nodict),
        "made": rep.get("deltas", {}).get("made", 0),
        "br": br_total, "dcz": dcz_total, "plain_wall": pw, "plain_cpu": pc,
        "delta_wall": dw, "delta_cpu": dc, "decoded": decoded, "bugs": bugs,
        "rows": [(u, s, b, dz) for s, u, b, dz in rows],
    }) + "\n")
EOF
    rm -rf "$a_src" "$b_src" "$a" "$work/out/b$i"
done

# ---- report -----------------------------------------------------------------

python3 - "$work" "$results" "$ncpu" "$load" "$(cut -d' ' -f1 /proc/loadavg)" \
    "$(uname -srm)" "$BENCH_REPS" <<'EOF'
import json, os, sys
work, results, ncpu, load0, load1, uname, reps = sys.argv[1:8]
pairs = [json.loads(l) for l in open(os.path.join(work, "res", "pairs.jsonl"))]
cpu = "?"
for l in open("/proc/cpuinfo"):
    if l.startswith("model name"):
        cpu = l.split(":", 1)[1].strip()
        break

def minor(p):
    # Consecutive minor versions: the first two numbers differ (0.x: the second).
    a, b = p["old"].split("."), p["new"].split(".")
    return a[:2] != b[:2]

lines = []
out = lines.append
out("## kiln-build dcz deltas (bench/dict.sh)")
out("")
out(f"Machine: {ncpu} CPUs ({cpu}), {uname}, load average {load0} at the start, {load1} at the end. "
    f"Builds: `kiln-build -q --no-cache`, default threads; {reps} cold build(s) per variant, medians.")
out("")
out("| package | versions | step | changed files | deltas kept | br bytes | dcz bytes | dcz / br | "
    "cold build, wall / CPU s | with --previous | added, wall | added, CPU |")
out("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
miss_bytes, miss_cpu, miss_wall = [], [], []
for p in pairs:
    ratio = p["dcz"] / p["br"] if p["br"] else float("nan")
    aw = (p["delta_wall"] - p["plain_wall"]) / p["plain_wall"]
    ac = (p["delta_cpu"] - p["plain_cpu"]) / p["plain_cpu"]
    label = f"{p['name']} {p['old']} → {p['new']}"
    if minor(p) and not ratio <= 0.25:
        miss_bytes.append(f"{label}: {ratio:.3f}")
    if ac > 0.25:
        miss_cpu.append(f"{label}: {ac * 100:+.0f}%")
    if aw > 0.25:
        miss_wall.append(f"{label}: {aw * 100:+.0f}%")
    out(f"| {p['name']} | {p['old']} → {p['new']} | {'minor' if minor(p) else 'patch'} | "
        f"{p['changed']} | {p['kept']} | {p['br']:,} | {p['dcz']:,} | {ratio:.3f} | "
        f"{p['plain_wall']:.1f} / {p['plain_cpu']:.1f} | {p['delta_wall']:.1f} / {p['delta_cpu']:.1f} | "
        f"{aw * 100:+.0f}% | {ac * 100:+.0f}% |")
nminor = sum(1 for p in pairs if minor(p))
tb = sum(p["br"] for p in pairs if minor(p))
td = sum(p["dcz"] for p in pairs if minor(p))
pw = sum(p["plain_wall"] for p in pairs)
dw = sum(p["delta_wall"] for p in pairs)
pc = sum(p["plain_cpu"] for p in pairs)
dc = sum(p["delta_cpu"] for p in pairs)
out("")
out("`changed files`: dictionary files of the new release whose logical id is in the old one "
    "with other bytes; `br bytes`: their br variants (the identity file where br was not kept); "
    "`dcz bytes`: their dcz deltas where kiln kept one, else br. `added`: the build with "
    "`--previous` against the one without; CPU is user + system time, which a shared machine "
    "inflates far less than wall time.")
out("")
def verdict(missed, n):
    if n == 1:
        return "**met**" if not missed else f"**missed** ({missed[0]})"
    return (f"**met** by all {n} pairs" if not missed else
            f"**missed** by {len(missed)} of {n} ({'; '.join(missed)})")
if nminor:
    out(f"- Goal dcz ≤ 0.25 × br on consecutive minor versions: {verdict(miss_bytes, nminor)}; "
        f"all minor pairs together {td:,} / {tb:,} = {td / tb:.3f}.")
out(f"- Goal: deltas add ≤ 25% to a cold build: in CPU time {verdict(miss_cpu, len(pairs))}, "
    f"all pairs together {(dc - pc) / pc * 100:+.0f}%; in wall time {verdict(miss_wall, len(pairs))}, "
    f"all pairs together {(dw - pw) / pw * 100:+.0f}% (load average {load0} to {load1}).")
for p in pairs:
    if p["name"] == "three" and p["new"].startswith("0.152."):
        r = [x for x in p["rows"] if x[0].startswith("/build/three.module.") and ".min." not in x[0]]
        if r:
            u, s, b, dz = r[0]
            got = f"br {b:,}, dcz {dz:,}" if dz else f"br {b:,}, no delta kept"
            out(f"- three.js r151 → r152, `build/three.module.js` ({p['old']} → {p['new']}): "
                f"{s:,} bytes, {got}; the published figure: 1,208,641 → 5,612 bytes.")
out("")
out("Cross-check, one delta per pair (its 40-byte header, then the zstd CLI against the old file):")
out("")
for p in pairs:
    out(f"- {p['name']} {p['new']}: {p['decoded']}")
bugs = [(p, b) for p in pairs for b in p["bugs"]]
out("")
if bugs:
    out("Builder bugs (logical ids that do not follow their file, immutable URLs with new bytes):")
    out("")
    for p, b in bugs:
        out(f"- {p['name']} {p['old']} → {p['new']}: {b}")
else:
    out("No logical id failed to follow its file; no immutable URL changed bytes.")
other = [p for p in pairs if p["nodict"] or p["new_ids"]]
if other:
    out("")
    out("Not counted above (no delta possible):")
    out("")
    for p in other:
        out(f"- {p['name']} {p['new']}: {p['new_ids']} dictionary file(s) with an id new in this "
            f"release; {p['nodict']} changed script(s) or style(s) that are no dictionary "
            f"({p['nodict_br']:,} bytes as br)")
text = "\n".join(lines) + "\n"
print()
print(text)
with open(results, "w") as f:
    f.write(text)
print(f"(written to {results})")
EOF
