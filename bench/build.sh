#!/bin/sh
# kiln-build against the reference compressors on a real published dist.
#
# Fetches npm packages at run time (never committed), builds them with
# kiln-build, compresses the same files with the single-threaded CLIs
# (brotli -q 11, zstd -19, libdeflate-gzip -12) one after another, and prints:
#   1. kiln-build cold wall time vs the sum of the CLI times;
#   2. bytes per encoding, kiln vs the CLIs, on the same files;
#   3. warm rebuilds from the compression cache, as a share of the cold build.
# The figures also go to bench/results-build.md (not committed).
#
# Environment:
#   BENCH_PKGS   npm specs, space-separated; "name@version:dir,dir" keeps only
#                those package subdirectories (default below, ~67 MB)
#   BENCH_WORK   work directory (default: a temporary one, removed at exit);
#                a given one is kept, and its downloads are reused
#   KILN_BUILD   the binary (default: bin/kiln-build; build it with make)
#   BENCH_JOBS   -j for kiln-build (default: kiln's own, all CPUs)
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
KILN_BUILD=${KILN_BUILD:-$top/bin/kiln-build}
BENCH_PKGS=${BENCH_PKGS:-"pdfjs-dist@4.9.155 monaco-editor@0.52.2:min,min-maps"}
results=$top/bench/results-build.md

die() {
    echo "bench/build.sh: $*" >&2
    exit 1
}

# ---- tools ------------------------------------------------------------------

missing=
for t in brotli zstd libdeflate-gzip python3 tar npm; do
    command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
done
[ -x /usr/bin/time ] || missing="$missing /usr/bin/time(package time)"
[ -z "$missing" ] || die "missing:$missing (run 'make deps'; npm comes with nodejs)"
[ -x "$KILN_BUILD" ] || die "no $KILN_BUILD: run 'make' first"

if [ -n "${BENCH_WORK:-}" ]; then
    work=$BENCH_WORK
    mkdir -p "$work"
    cleanup() {
        rm -rf "$work/src" "$work/out" "$work/cli" "$work/cache" "$work/keep" \
            "$work/list" "$work"/t.* "$work"/*.json
    }
else
    work=$(mktemp -d "${TMPDIR:-/tmp}/kiln-bench.XXXXXX")
    cleanup() { rm -rf "$work"; }
fi
trap cleanup EXIT
trap 'exit 130' INT TERM
cleanup
mkdir -p "$work/dl" "$work/src" "$work/out" "$work/cli"

ncpu=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
jobs_opt=
[ -z "${BENCH_JOBS:-}" ] || jobs_opt="-j $BENCH_JOBS"

# ---- inputs -----------------------------------------------------------------

echo "== fetching: $BENCH_PKGS"
for spec in $BENCH_PKGS; do
    pkg=${spec%%:*}
    dirs=
    case "$spec" in *:*) dirs=${spec#*:} ;; esac
    name=${pkg%@*} ver=${pkg##*@}
    if [ -z "$name" ] || [ "$name" = "$pkg" ]; then
        name=$pkg ver=
    fi
    base=$(echo "${name#@}" | tr / -)
    # An exact version already downloaded into a kept BENCH_WORK is reused.
    tgz=$work/dl/$base-$ver.tgz
    case "$ver" in
    [0-9]*.[0-9]*.[0-9]*) [ -f "$tgz" ] || tgz= ;;
    *) tgz= ;;
    esac
    if [ -z "$tgz" ]; then
        f=$(cd "$work/dl" && npm pack --silent "$pkg" | tail -n 1) ||
            die "npm pack $pkg failed (network? registry?)"
        tgz=$work/dl/$f
    fi
    [ -f "$tgz" ] || die "npm pack $pkg gave no tarball"
    dest=$work/src/$base
    mkdir -p "$dest"
    tar -xzf "$tgz" -C "$dest" --strip-components=1
    if [ -n "$dirs" ]; then
        keep=$work/keep
        rm -rf "$keep"
        mkdir -p "$keep"
        for d in $(echo "$dirs" | tr , ' '); do
            [ -e "$dest/$d" ] || die "$pkg has no $d"
            mkdir -p "$keep/$(dirname "$d")"
            mv "$dest/$d" "$keep/$d"
        done
        rm -rf "$dest"
        mv "$keep" "$dest"
    fi
    echo "   $pkg -> $(basename "$tgz")"
done
src=$work/src
src_files=$(find "$src" -type f | wc -l)
src_mb=$(du -sm "$src" | cut -f1)

# The compressible extensions, as kiln's MIME table marks them.
exts=$(sed -n 's/^ *{ "\([A-Za-z0-9]*\)", "[^"]*", KC_KIND_[A-Z]*, true },.*/\1/p' \
    "$top/common/mime.c" | tr '\n' ' ')
[ -n "$exts" ] || exts="html htm css js mjs cjs json webmanifest map svg xml txt md csv ics vtt wasm ico bmp ttf otf eot wav"

# ---- timing helpers ---------------------------------------------------------

# run_timed LABEL CMD...: runs CMD, records "wall user sys" in $work/t.LABEL.
run_timed() {
    label=$1
    shift
    /usr/bin/time -f '%e %U %S' -o "$work/t.$label" "$@" ||
        die "failed ($?): $*"
}
wall() { cut -d' ' -f1 "$work/t.$1"; }
cpu() { awk '{ printf "%.2f", $2 + $3 }' "$work/t.$1"; }

load=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo '?')
echo "== machine: $ncpu CPUs, load average $load"
case "$load" in
[0-9]*) if awk -v l="$load" 'BEGIN { exit !(l > 0.5) }'; then
    echo "   warning: the machine is busy; wall times will be inflated"
fi ;;
esac

# ---- 1. cold build vs the CLIs ----------------------------------------------

echo "== kiln-build cold (--no-cache)"
# shellcheck disable=SC2086
run_timed kiln_cold "$KILN_BUILD" --no-cache -q $jobs_opt --report "$work/cold.json" \
    -o "$work/out/cold" "$src"

# The files kiln compressed: compressible by extension, not empty. Their
# bytes in the release (references rewritten) are what the CLIs get too.
python3 - "$work/cold.json" "$work/list" "$exts" <<'EOF'
import json, sys
rep = json.load(open(sys.argv[1]))
exts = set(sys.argv[3].split())
with open(sys.argv[2], "w") as f:
    for e in rep["files"]:
        name = e["file"]
        ext = name.rsplit(".", 1)[-1].lower() if "." in name.rsplit("/", 1)[-1] else ""
        if ext in exts and e["raw"] > 0:
            f.write(name + "\0")
EOF
n_files=$(tr -cd '\0' <"$work/list" | wc -c)
[ "$n_files" -gt 0 ] || die "kiln-build compressed no files?"
(cd "$work/out/cold" && xargs -0 cp --parents -t "$work/cli" <"$work/list")
cli_mb=$(du -sm "$work/cli" | cut -f1)

echo "== CLIs, one after another, single-threaded ($n_files files, ${cli_mb} MB)"
cd "$work/cli"
run_timed cli_br xargs -0 brotli -q 11 -k -f <"$work/list"
run_timed cli_zstd xargs -0 zstd -19 -q -k -f --no-check --single-thread <"$work/list"
run_timed cli_gzip xargs -0 libdeflate-gzip -12 -k -f <"$work/list"
cd "$top"

# ---- 3. warm rebuilds -------------------------------------------------------

cache=$work/cache
echo "== kiln-build cold, filling an empty cache"
# shellcheck disable=SC2086
run_timed kiln_fill "$KILN_BUILD" -q $jobs_opt --cache-dir "$cache" \
    --report "$work/fill.json" -o "$work/out/fill" "$src"

echo "== kiln-build warm, nothing changed"
# shellcheck disable=SC2086
run_timed kiln_warm0 "$KILN_BUILD" -q $jobs_opt --cache-dir "$cache" \
    --report "$work/warm0.json" -o "$work/out/warm0" "$src"

touched=$(find "$src" -type f -name '*.js' -size +100k | LC_ALL=C sort | head -n 1)
[ -n "$touched" ] || touched=$(find "$src" -type f | LC_ALL=C sort | head -n 1)
echo "== kiln-build warm, after touch ${touched#"$src"/}"
touch "$touched"
# shellcheck disable=SC2086
run_timed kiln_touch "$KILN_BUILD" -q $jobs_opt --cache-dir "$cache" \
    --report "$work/touch.json" -o "$work/out/touch" "$src"

changed=$(find "$src" -type f -name '*.css' -size -64k | LC_ALL=C sort | head -n 1)
[ -n "$changed" ] || changed=$(find "$src" -type f -name '*.js' -size -64k | LC_ALL=C sort | head -n 1)
echo "== kiln-build warm, after editing ${changed#"$src"/}"
printf '\n/* kiln bench edit %s */\n' "$(date +%s)" >>"$changed"
# shellcheck disable=SC2086
run_timed kiln_edit "$KILN_BUILD" -q $jobs_opt --cache-dir "$cache" \
    --report "$work/edit.json" -o "$work/out/edit" "$src"

# ---- report -----------------------------------------------------------------

python3 - "$work" "$results" "$BENCH_PKGS" "$ncpu" "$load" "$src_files" "$src_mb" \
    "${touched#"$src"/}" "${changed#"$src"/}" "$(uname -srm)" <<'EOF'
import json, os, sys
work, results, pkgs, ncpu, load, src_files, src_mb, touched, changed, uname = sys.argv[1:11]

def t(label):
    w, u, s = open(os.path.join(work, "t." + label)).read().split()
    return float(w), float(u) + float(s)

def rep(name):
    return json.load(open(os.path.join(work, name + ".json")))

names = open(os.path.join(work, "list")).read().split("\0")[:-1]
cold = rep("cold")
by_file = {e["file"]: e for e in cold["files"]}
encs = [("br", ".br"), ("zstd", ".zst"), ("gzip", ".gz")]
cli_dir = os.path.join(work, "cli")
out_dir = os.path.join(work, "out", "cold")

raw_total = sum(by_file[n]["raw"] for n in names)
size_rows = []
for enc, suf in encs:
    cli_all = kiln_served = kept = kiln_kept = cli_kept = same = 0
    for n in names:
        raw = by_file[n]["raw"]
        c = os.path.getsize(os.path.join(cli_dir, n + suf))
        cli_all += c
        k = by_file[n].get(enc)
        kiln_served += k if k is not None else raw
        if k is not None:
            kept += 1
            kiln_kept += k
            cli_kept += c
            a = open(os.path.join(out_dir, n + suf), "rb").read()
            b = open(os.path.join(cli_dir, n + suf), "rb").read()
            same += a == b
    size_rows.append((enc, kept, kiln_kept, cli_kept, same, kiln_served, cli_all))

kc_wall, kc_cpu = t("kiln_cold")
cli = {e: t("cli_" + e) for e, _ in encs}
cli_wall = sum(w for w, _ in cli.values())
cli_cpu = sum(c for _, c in cli.values())
ratio = kc_wall / cli_wall

lines = []
def out(s=""):
    lines.append(s)

out("## kiln-build benchmark")
out()
out(f"Input: `{pkgs}` from the npm registry: {src_files} files, {src_mb} MB; "
    f"{len(names)} compressible files, {raw_total/1e6:.1f} MB. "
    f"Machine: {ncpu} CPUs, {uname}, load average {load} at start.")
out()
out("### 1. Cold build vs single-threaded CLIs, run one after another")
out()
out("| run | wall s | CPU s |")
out("|---|---:|---:|")
out(f"| kiln-build --no-cache (all encodings, {ncpu} threads) | {kc_wall:.2f} | {kc_cpu:.2f} |")
for e, label in (("br", "brotli -q 11"), ("zstd", "zstd -19 --no-check --single-thread"),
                 ("gzip", "libdeflate-gzip -12")):
    out(f"| {label} | {cli[e][0]:.2f} | {cli[e][1]:.2f} |")
out(f"| CLI sum | {cli_wall:.2f} | {cli_cpu:.2f} |")
out()
out(f"**kiln wall / CLI wall sum = {ratio:.3f}** (goal <= 0.55 on 2 cores); "
    f"kiln CPU / CLI CPU = {kc_cpu / cli_cpu:.3f}; "
    f"kiln's own compression figure: {cold['compression']['cpu_seconds']:.2f} CPU s, "
    f"{cold['seconds']['compress']:.2f} s wall.")
out()
out("### 2. Bytes per encoding, same files")
out()
out("`kept`: files where kiln kept the variant (it drops variants saving < 5%); "
    "`served`: kiln's variant where kept, else the raw file, vs the CLI's output "
    "for every file.")
out()
out("| encoding | kept | kiln, kept files | CLI, same files | byte-identical | "
    "kiln served, all files | CLI, all files | served vs CLI |")
out("|---|---:|---:|---:|---:|---:|---:|---:|")
for enc, kept, kk, ck, same, ks, ca in size_rows:
    out(f"| {enc} | {kept}/{len(names)} | {kk:,} | {ck:,} | {same}/{kept} | {ks:,} | {ca:,} | "
        f"{(ks - ca) / ca * 100:+.3f}% |")
out()
out("### 3. Warm rebuilds from the compression cache")
out()
out("| run | wall s | vs cold | encoded | cache hits |")
out("|---|---:|---:|---:|---:|")
for label, desc in (("fill", "cold, filling an empty cache"),
                    ("warm0", "warm, nothing changed"),
                    ("touch", f"warm, `touch {touched}`"),
                    ("edit", f"warm, one line appended to `{changed}`")):
    w, _ = t("kiln_" + label)
    c = rep(label)["compression"]
    out(f"| {desc} | {w:.2f} | {w / kc_wall * 100:.2f}% | {c['encoded']} | {c['cache_hits']} |")
out()
out("Goal: a warm rebuild after a small change <= 3% of the cold build.")

text = "\n".join(lines) + "\n"
print()
print(text)
with open(results, "w") as f:
    f.write(text)
print(f"(written to {results})")
EOF
