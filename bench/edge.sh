#!/bin/sh
# shellcheck disable=SC3045
# kiln-edge against nginx, side by side in one run, on a real published dist.
#
# Fetches an npm package at run time (never committed), adds a generated 1 KiB
# HTML page, builds a release with kiln-build (br/zstd/gzip variants beside
# each file), then serves that one directory with kiln-edge and with nginx
# (gzip_static + brotli_static) on 127.0.0.1 and measures with wrk:
#   (a) req/s for the 1 KiB HTML page (identity);
#   (b) req/s for the JS file closest to 260 KiB, with Accept-Encoding: br;
#   (c) p50/p99 latency of both (wrk --latency);
#   (d) resident memory per idle keep-alive connection, holding 10,000.
# Repetitions alternate the servers (ABBA); figures are medians. The table
# also goes to bench/results-edge.md (not committed).
#
# Environment:
#   BENCH_PKG       npm spec of the corpus (default swagger-ui-dist@5)
#   BENCH_WORK      work directory (default: a temporary one, removed at exit);
#                   a given one keeps its download and kiln-build cache, so
#                   reruns are fast
#   BENCH_KEEP=1    keep everything in the work directory (release, nginx
#                   config, wrk outputs); its path is printed
#   KILN_EDGE       the server (default: bin/kiln-edge; build it with make)
#   KILN_BUILD      the builder (default: bin/kiln-build)
#   NGINX           nginx binary (default: nginx from PATH or /usr/sbin/nginx)
#   BENCH_DURATION  wrk duration per repetition (default 10s)
#   BENCH_REPS      repetitions per server and test (default 3)
#   BENCH_CONNS     wrk connections (default 64; threads fixed at 2)
#   BENCH_IDLE      idle keep-alive connections for (d) (default 10000)
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
KILN_EDGE=${KILN_EDGE:-$top/bin/kiln-edge}
KILN_BUILD=${KILN_BUILD:-$top/bin/kiln-build}
BENCH_PKG=${BENCH_PKG:-swagger-ui-dist@5}
BENCH_DURATION=${BENCH_DURATION:-10s}
BENCH_REPS=${BENCH_REPS:-3}
BENCH_CONNS=${BENCH_CONNS:-64}
BENCH_IDLE=${BENCH_IDLE:-10000}
results=$top/bench/results-edge.md
BROTLI_MOD=/usr/lib/nginx/modules/ngx_http_brotli_static_module.so

die() {
    echo "bench/edge.sh: $*" >&2
    exit 1
}

# ---- tools ------------------------------------------------------------------

if [ -z "${NGINX:-}" ]; then
    NGINX=$(command -v nginx 2>/dev/null || true)
    [ -n "$NGINX" ] || [ ! -x /usr/sbin/nginx ] || NGINX=/usr/sbin/nginx
fi
missing=
[ -n "$NGINX" ] && [ -x "$NGINX" ] || missing="$missing nginx"
[ -f "$BROTLI_MOD" ] || missing="$missing libnginx-mod-http-brotli-static"
for t in wrk curl python3 tar npm; do
    command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
done
[ -z "$missing" ] ||
    die "missing:$missing (apt-get install nginx libnginx-mod-http-brotli-static wrk curl python3; npm comes with nodejs)"
[ -x "$KILN_EDGE" ] || die "no $KILN_EDGE: run 'make' first"
[ -x "$KILN_BUILD" ] || die "no $KILN_BUILD: run 'make' first"

# 10,000 idle connections need as many descriptors in the client and in
# each server (which inherit this limit); root may raise the hard limit.
# (ulimit -n is not POSIX, but dash, bash, busybox sh and ksh all have it:
# SC3045 is disabled for the file at the top.)
need_fd=$((BENCH_IDLE + 1000))
[ "$(ulimit -n)" = unlimited ] || [ "$(ulimit -n)" -ge "$need_fd" ] ||
    ulimit -n 65536 2>/dev/null || ulimit -n "$need_fd" 2>/dev/null ||
    die "ulimit -n is $(ulimit -n) and cannot be raised to $need_fd (run as root, or raise the hard limit)"

# ---- work directory and cleanup -----------------------------------------------

edge_pid=
nginx_pid=
if [ -n "${BENCH_WORK:-}" ]; then
    work=$BENCH_WORK
    mkdir -p "$work"
else
    work=$(mktemp -d "${TMPDIR:-/tmp}/kiln-edge-bench.XXXXXX")
fi
scratch() {
    rm -rf "$work/src" "$work/nginx" "$work/out" "$work/wrk" "$work"/idle.* \
        "$work"/head.* "$work"/body.* "$work/urls" "$work/edge.log"
}
cleanup() {
    # Only the processes this script started, by their pid.
    for p in $edge_pid $nginx_pid; do
        kill "$p" 2>/dev/null || true
    done
    for p in $edge_pid $nginx_pid; do
        i=0
        while kill -0 "$p" 2>/dev/null && [ $i -lt 50 ]; do
            sleep 0.1
            i=$((i + 1))
        done
        kill -9 "$p" 2>/dev/null || true
    done
    if [ "${BENCH_KEEP:-0}" = 1 ]; then
        echo "(work directory kept: $work)"
    elif [ -n "${BENCH_WORK:-}" ]; then
        scratch # the download and the kiln-build cache stay
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
scratch
mkdir -p "$work/dl" "$work/src" "$work/out" "$work/nginx/logs" "$work/nginx/tmp" "$work/wrk"

ncpu=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
load=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo '?')
echo "== machine: $ncpu CPUs, load average $load"
case "$load" in
[0-9]*) if awk -v l="$load" 'BEGIN { exit !(l > 0.5) }'; then
    echo "   warning: the machine is busy; req/s and latency will be off"
fi ;;
esac
other=$(pgrep -x nginx 2>/dev/null | tr '\n' ' ' || true)
[ -z "$other" ] ||
    echo "   warning: another nginx is running (pids $other); stop it (service nginx stop) for quiet figures"

# ---- corpus and release -------------------------------------------------------

echo "== fetching $BENCH_PKG"
tgz=
case "$BENCH_PKG" in
*@[0-9]*.[0-9]*.[0-9]*)
    base=$(echo "${BENCH_PKG%@*}" | sed 's|^@||; s|/|-|g')
    [ ! -f "$work/dl/$base-${BENCH_PKG##*@}.tgz" ] || tgz=$work/dl/$base-${BENCH_PKG##*@}.tgz
    ;;
esac
if [ -z "$tgz" ]; then
    f=$(cd "$work/dl" && npm pack --silent "$BENCH_PKG" | tail -n 1) ||
        die "npm pack $BENCH_PKG failed"
    tgz=$work/dl/$f
fi
tar -xzf "$tgz" -C "$work/src"
src=$work/src/package
[ -d "$src" ] || die "$tgz has no package/ directory"
pkg_version=$(basename "$tgz" .tgz)
echo "   $pkg_version"

# A generated page of exactly 1024 bytes: test (a).
python3 - "$src/hello.html" <<'EOF'
import sys
head = ('<!doctype html>\n<html lang="en">\n<head><meta charset="utf-8">'
        '<title>kiln-edge bench</title></head>\n<body>\n')
para = "<p>A small static page served by the kiln-edge benchmark.</p>\n"
tail = "</body></html>\n"
body = head
while len(body) + len(para) + len(tail) + 8 <= 1024:
    body += para
pad = 1024 - len(body) - len(tail) - 8
body += "<!--" + "." * pad + "-->\n" + tail
assert len(body) == 1024, len(body)
open(sys.argv[1], "w").write(body)
EOF

echo "== kiln-build (cache: $work/cache)"
rel=$work/out/release
"$KILN_BUILD" -q --cache-dir "$work/cache" -o "$rel" "$src" ||
    die "kiln-build failed"

# The URLs under test, from the manifest: the page, and the JS file whose
# size is closest to 260 KiB (its fingerprinted URL, the same for both servers).
python3 - "$rel/kiln-manifest.json" >"$work/urls" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1]))
files = m["files"]
base = m.get("base", "/").rstrip("/")
page = base + "/hello.html"
assert page[len(base):] in files, "hello.html is not in the manifest"
js = [(abs(e["size"] - 260 * 1024), u, e) for u, e in files.items()
      if u.endswith(".js") and "br" in e.get("encodings", {})]
assert js, "no JavaScript file with a br variant"
_, u, e = min(js)
print(page, files[page[len(base):]]["size"])
print(base + u, e["size"], e["encodings"]["br"]["size"], e["source"])
EOF
read -r url_a size_a <<EOF
$(sed -n 1p "$work/urls")
EOF
read -r url_b size_b size_b_br src_b <<EOF
$(sed -n 2p "$work/urls")
EOF
echo "   (a) $url_a: $size_a bytes"
echo "   (b) $url_b ($src_b): $size_b bytes, br $size_b_br bytes"

# ---- servers ------------------------------------------------------------------

ports=$(python3 -c '
import socket
ss = [socket.socket() for _ in range(2)]
for s in ss: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in ss])')
read -r edge_port nginx_port <<EOF
$ports
EOF

# nginx, configured as a fair static origin; every directive is explained in
# bench/README.md. The same limits as kiln-edge's options below.
# Workers run as the invoking user, who can read the work directory (mktemp
# makes it 0700); as root nginx would otherwise switch them to nobody.
user_line=
[ "$(id -u)" != 0 ] || user_line="user $(id -un) $(id -gn);"
cat >"$work/nginx/nginx.conf" <<EOF
load_module $BROTLI_MOD;
$user_line
daemon off;
master_process on;
worker_processes 2;
worker_rlimit_nofile 65536;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log warn;
events {
    worker_connections 20000;
}
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    server_tokens off;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    open_file_cache max=10000 inactive=120s;
    open_file_cache_valid 120s;
    open_file_cache_min_uses 1;
    open_file_cache_errors on;
    keepalive_timeout 120s;
    keepalive_requests 100000;
    gzip off;
    gzip_static on;
    brotli_static on;
    gzip_vary on;
    client_body_temp_path $work/nginx/tmp/body;
    proxy_temp_path $work/nginx/tmp/proxy;
    fastcgi_temp_path $work/nginx/tmp/fastcgi;
    uwsgi_temp_path $work/nginx/tmp/uwsgi;
    scgi_temp_path $work/nginx/tmp/scgi;
    server {
        listen 127.0.0.1:$nginx_port reuseport;
        root $rel;
    }
}
EOF

edge_opts="-w 2 --max-connections 20000 --idle-timeout 120s --max-requests 100000"
echo "== starting kiln-edge on 127.0.0.1:$edge_port, nginx on 127.0.0.1:$nginx_port"
# shellcheck disable=SC2086
"$KILN_EDGE" $edge_opts -l "127.0.0.1:$edge_port" "$rel" >"$work/edge.log" 2>&1 &
edge_pid=$!
"$NGINX" -p "$work/nginx" -c "$work/nginx/nginx.conf" -e "$work/nginx/logs/error.log" \
    >"$work/nginx/logs/stdout" 2>&1 &
nginx_pid=$!

wait_up() { # NAME PID PORT LOG
    i=0
    while ! curl -s -o /dev/null "http://127.0.0.1:$3/"; do
        kill -0 "$2" 2>/dev/null || { cat "$4" >&2; die "$1 exited at start"; }
        i=$((i + 1))
        [ $i -lt 100 ] || die "$1 does not answer on 127.0.0.1:$3"
        sleep 0.1
    done
}
wait_up kiln-edge "$edge_pid" "$edge_port" "$work/edge.log"
wait_up nginx "$nginx_pid" "$nginx_port" "$work/nginx/logs/error.log"

# Both must answer 200 with the same bytes and coding for the URLs under test.
echo "== checking that both servers send the same representations"
check() { # LABEL URL ACCEPT-ENCODING
    for s in kiln-edge nginx; do
        if [ "$s" = nginx ]; then port=$nginx_port; else port=$edge_port; fi
        curl -s -o "$work/body.$s" -D "$work/head.$s" -H "Accept-Encoding: $3" \
            "http://127.0.0.1:$port$2" || die "$s: $2: request failed"
    done
    python3 - "$work" "$1" "$2" "$3" <<'EOF'
import sys
work, label, url, ae = sys.argv[1:]
seen = {}
for name in ("kiln-edge", "nginx"):
    lines = open(f"{work}/head.{name}", encoding="latin-1", newline="").read().split("\r\n")
    status = lines[0].split()[1]
    h = {}
    for l in lines[1:]:
        if ":" in l:
            k, v = l.split(":", 1)
            h[k.strip().lower()] = v.strip()
    body = open(f"{work}/body.{name}", "rb").read()
    seen[name] = (status, h.get("content-length"), h.get("content-encoding", "identity"), body)
    print(f"   ({label}) {name:9} {status} Content-Length {h.get('content-length')}"
          f" Content-Encoding {h.get('content-encoding', '-')} Vary {h.get('vary', '-')}")
k, n = seen["kiln-edge"], seen["nginx"]
if k[0] != "200" or n[0] != "200":
    sys.exit(f"bench/edge.sh: {url}: not 200 from both servers")
if k[1:] != n[1:]:
    sys.exit(f"bench/edge.sh: {url}: the servers send different representations")
EOF
}
check a "$url_a" identity
check b "$url_b" br

# ---- (a), (b), (c): wrk -------------------------------------------------------

dur_s=${BENCH_DURATION%s}
# CPU time (clock ticks) of a server: the process and its children (nginx's
# workers); a process's own figure already sums its threads (kiln-edge's).
server_ticks() { # PID
    for p in $1 $(pgrep -P "$1"); do
        cat "/proc/$p/stat" 2>/dev/null
    done | awk '{ sub(/.*\) /, ""); t += $12 + $13 } END { print t + 0 }'
}
run_wrk() { # OUT PORT PID URL [HEADER]
    out=$1 port=$2 pid=$3 url=$4
    shift 4
    t0=$(server_ticks "$pid")
    timeout $((dur_s + 30)) wrk -t2 -c"$BENCH_CONNS" -d"$BENCH_DURATION" --latency "$@" \
        "http://127.0.0.1:$port$url" >"$out" 2>&1 || die "wrk failed: $(cat "$out")"
    echo "$(($(server_ticks "$pid") - t0)) $(getconf CLK_TCK)" >"$out.cpu"
}
echo "== warm-up (2 s each, not counted)"
for p in "$edge_port" "$nginx_port"; do
    timeout 30 wrk -t2 -c"$BENCH_CONNS" -d2s "http://127.0.0.1:$p$url_a" >/dev/null
    timeout 30 wrk -t2 -c"$BENCH_CONNS" -d2s -H 'Accept-Encoding: br' \
        "http://127.0.0.1:$p$url_b" >/dev/null
done

for t in a b; do
    if [ "$t" = a ]; then url=$url_a; else url=$url_b; fi
    r=1
    while [ $r -le "$BENCH_REPS" ]; do
        # ABBA: alternate which server goes first, so drift hits both.
        if [ $((r % 2)) = 1 ]; then order="edge nginx"; else order="nginx edge"; fi
        for s in $order; do
            if [ "$s" = edge ]; then port=$edge_port pid=$edge_pid; else port=$nginx_port pid=$nginx_pid; fi
            echo "== ($t) $s, repetition $r: wrk -t2 -c$BENCH_CONNS -d$BENCH_DURATION --latency$([ $t = b ] && echo " -H 'Accept-Encoding: br'") $url"
            if [ "$t" = a ]; then
                run_wrk "$work/wrk/$t.$s.$r" "$port" "$pid" "$url"
            else
                run_wrk "$work/wrk/$t.$s.$r" "$port" "$pid" "$url" -H 'Accept-Encoding: br'
            fi
            awk '/^Requests\/sec:/ { r = $2 } $1 == "50%" { p50 = $2 } $1 == "99%" { p99 = $2 }
                /Non-2xx|Socket errors/ { e = e "; " $0 }
                END { printf "   %s req/s, p50 %s, p99 %s%s\n", r, p50, p99, e }' \
                "$work/wrk/$t.$s.$r"
            kill -0 "$edge_pid" 2>/dev/null || die "kiln-edge died: $(tail -5 "$work/edge.log")"
            kill -0 "$nginx_pid" 2>/dev/null || die "nginx died"
        done
        r=$((r + 1))
    done
done

# ---- (d): idle keep-alive connections -------------------------------------------

cat >"$work/idle.py" <<'EOF'
# Opens N keep-alive connections to 127.0.0.1:PORT, one GET on each (the
# whole response read), holds them idle, and measures the server's resident
# memory (VmRSS of PID and its child processes) before and while holding.
import json, os, socket, sys, time

port, pid, n, url = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]

def procs():
    out = [pid]
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                stat = open(f"/proc/{d}/stat").read()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(d))
    return out

def rss_kib():
    total = 0
    for p in procs():
        for line in open(f"/proc/{p}/status"):
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total

req = f"GET {url} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()

def one():
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(req)
    buf = b""
    while b"\r\n\r\n" not in buf:
        c = s.recv(65536)
        if not c:
            raise RuntimeError("closed before the response head")
        buf += c
    head, body = buf.split(b"\r\n\r\n", 1)
    status = int(head.split(b" ", 2)[1])
    length = 0
    for l in head.split(b"\r\n")[1:]:
        k, _, v = l.partition(b":")
        if k.strip().lower() == b"content-length":
            length = int(v)
    while len(body) < length:
        c = s.recv(65536)
        if not c:
            raise RuntimeError("closed before the end of the body")
        body += c
    if status != 200:
        raise RuntimeError(f"status {status}")
    s.setblocking(False)
    return s

time.sleep(1)
before = rss_kib()
t0 = time.monotonic()
conns = [one() for _ in range(n)]
t_open = time.monotonic() - t0
time.sleep(3)
during = [rss_kib()]
time.sleep(2)
during.append(rss_kib())
# Still open? An idle socket the server closed reads EOF.
alive = 0
for s in conns:
    try:
        alive += s.recv(1) != b""  # data: unexpected, but open
    except BlockingIOError:
        alive += 1  # nothing to read: open and idle
    except OSError:
        pass
for s in conns:
    s.close()
time.sleep(1)
after = rss_kib()
print(json.dumps({"before_kib": before, "during_kib": max(during), "after_kib": after,
                  "alive": alive, "n": n, "open_seconds": round(t_open, 2),
                  "processes": len(procs())}))
EOF
for s in edge nginx; do
    if [ "$s" = edge ]; then port=$edge_port pid=$edge_pid; else port=$nginx_port pid=$nginx_pid; fi
    echo "== (d) $s: $BENCH_IDLE idle keep-alive connections"
    timeout 300 python3 "$work/idle.py" "$port" "$pid" "$BENCH_IDLE" "$url_a" >"$work/idle.$s" ||
        die "(d) $s: the idle-connection client failed"
    echo "   $(cat "$work/idle.$s")"
    kill -0 "$pid" 2>/dev/null || die "$s died during (d)"
done

# ---- report -------------------------------------------------------------------

python3 - "$work" "$results" "$pkg_version" "$ncpu" "$load" "$(uname -srm)" \
    "$url_a" "$size_a" "$url_b" "$size_b" "$size_b_br" "$src_b" "$BENCH_REPS" \
    "$BENCH_CONNS" "$BENCH_DURATION" "$BENCH_IDLE" "$edge_opts" \
    "$("$NGINX" -v 2>&1 | sed 's/.*: *//')" "$(wrk -v 2>&1 | head -n 1 | cut -d' ' -f1-2)" \
    "$("$KILN_EDGE" --version 2>&1 | head -n 1)" "$(cut -d' ' -f1 /proc/loadavg)" <<'EOF'
import json, os, re, statistics, sys
(work, results, pkg, ncpu, load, uname, url_a, size_a, url_b, size_b, size_b_br, src_b,
 reps, conns, dur, idle_n, edge_opts, nginx_v, wrk_v, edge_v, load_end) = sys.argv[1:22]
reps = int(reps)
unit = {"us": 1e-3, "ms": 1.0, "s": 1e3}

def parse(path):
    text = open(path).read()
    m = re.search(r"Requests/sec:\s*([\d.]+)", text)
    r = {"rps": float(m.group(1)), "non2xx": 0, "errors": 0, "requests": 0}
    for q in ("50", "99"):
        m = re.search(rf"^\s*{q}%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
        r["p" + q] = float(m.group(1)) * unit[m.group(2)]
    m = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", text)
    if m:
        r["non2xx"] = int(m.group(1))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if m:
        r["errors"] = sum(int(x) for x in m.groups())
    m = re.search(r"(\d+) requests in", text)
    r["requests"] = int(m.group(1))
    ticks, hz = open(path + ".cpu").read().split()
    r["cpu_us"] = int(ticks) / int(hz) * 1e6 / max(r["requests"], 1)
    return r

res = {}
for t in "ab":
    for s in ("edge", "nginx"):
        runs = [parse(f"{work}/wrk/{t}.{s}.{r}") for r in range(1, reps + 1)]
        res[t, s] = {k: statistics.median(x[k] for x in runs) for k in ("rps", "p50", "p99", "cpu_us")}
        res[t, s]["runs"] = [x["rps"] for x in runs]
        res[t, s]["non2xx"] = sum(x["non2xx"] for x in runs)
        res[t, s]["errors"] = sum(x["errors"] for x in runs)
idle = {s: json.load(open(f"{work}/idle.{s}")) for s in ("edge", "nginx")}
for s in idle.values():
    s["per_conn"] = (s["during_kib"] - s["before_kib"]) * 1024 / s["n"]

def ok(b):
    return "**met**" if b else "**missed**"

lines = []
out = lines.append
out("## kiln-edge vs nginx")
out("")
out(f"Corpus: `{pkg}` (npm, fetched at run time) plus a generated 1,024-byte `hello.html`, "
    f"built with kiln-build; both servers serve the same release directory. "
    f"Machine: {ncpu} CPUs, {uname}, load average {load} at the start. "
    f"{edge_v}; nginx {nginx_v} with brotli_static; {wrk_v}.")
out("")
out(f"wrk -t2 -c{conns} -d{dur} --latency, {reps} repetitions per server alternating "
    f"(ABBA), medians. (a) `{url_a}` ({size_a} bytes, no Accept-Encoding, identity); "
    f"(b) `{url_b}` (`{src_b}`, {int(size_b):,} bytes; `Accept-Encoding: br`, "
    f"{int(size_b_br):,} bytes sent).")
out("")
out("| test | kiln-edge | nginx | kiln / nginx | goal |")
out("|---|---:|---:|---:|---|")
ra = res["a", "edge"]["rps"] / res["a", "nginx"]["rps"]
rb = res["b", "edge"]["rps"] / res["b", "nginx"]["rps"]
out(f"| (a) 1 KiB HTML, req/s | {res['a','edge']['rps']:,.0f} | {res['a','nginx']['rps']:,.0f} "
    f"| {ra:.2f}× | ≥ 1.5× {ok(ra >= 1.5)} |")
out(f"| (b) {int(size_b)//1024} KiB JS as br, req/s | {res['b','edge']['rps']:,.0f} | "
    f"{res['b','nginx']['rps']:,.0f} | {rb:.2f}× | ≥ 1.0× {ok(rb >= 1.0)} |")
for t, name in (("a", "(a)"), ("b", "(b)")):
    e, n = res[t, "edge"], res[t, "nginx"]
    out(f"| (c) {name} p50 latency, ms | {e['p50']:.2f} | {n['p50']:.2f} | "
        f"{e['p50'] / n['p50']:.2f}× | |")
    goal = f"≤ nginx {ok(e['p99'] <= n['p99'])}" if t == "b" else \
        f"(≤ nginx: {'yes' if e['p99'] <= n['p99'] else 'no'})"
    out(f"| (c) {name} p99 latency, ms | {e['p99']:.2f} | {n['p99']:.2f} | "
        f"{e['p99'] / n['p99']:.2f}× | {goal} |")
for t, name in (("a", "(a)"), ("b", "(b)")):
    e, n = res[t, "edge"], res[t, "nginx"]
    out(f"| {name} server CPU per request, µs | {e['cpu_us']:.1f} | {n['cpu_us']:.1f} | "
        f"{e['cpu_us'] / n['cpu_us']:.2f}× | (information) |")
e, n = idle["edge"], idle["nginx"]
out(f"| (d) RSS per idle keep-alive connection, KiB | {e['per_conn'] / 1024:.3f} | "
    f"{n['per_conn'] / 1024:.3f} | {e['per_conn'] / n['per_conn'] if n['per_conn'] > 0 else float('nan'):.2f}× "
    f"| ≤ 0.5 KiB {ok(e['per_conn'] <= 512)} |")
out("")
out("Per repetition, req/s: " + "; ".join(
    f"({t}) {s}: " + ", ".join(f"{x:,.0f}" for x in res[t, s]["runs"])
    for t in "ab" for s in ("edge", "nginx")) + ".")
errs = [f"({t}) {s}: {res[t,s]['non2xx']} non-2xx/3xx, {res[t,s]['errors']} socket errors"
        for t in "ab" for s in ("edge", "nginx") if res[t, s]["non2xx"] or res[t, s]["errors"]]
out("Server CPU per request: the server's user + system time during the run (its "
    "processes, all threads) over the requests wrk completed; wrk shares the two "
    "cores, so req/s ratios are smaller than CPU ratios.")
out("wrk errors: " + ("; ".join(errs) if errs else "none (no non-2xx/3xx, no socket errors).") + "")
out("")
out(f"(d): {idle_n} connections from 127.0.0.1, one `GET {url_a}` each (response read), "
    "then held idle; resident memory is VmRSS summed over the server's processes "
    "(kiln-edge: 1; nginx: master + workers), before opening and while holding:")
out("")
out("| server | RSS before, KiB | RSS holding, KiB | after closing, KiB | still open | bytes per connection |")
out("|---|---:|---:|---:|---:|---:|")
for s, name in (("edge", "kiln-edge"), ("nginx", "nginx")):
    d = idle[s]
    out(f"| {name} | {d['before_kib']:,} | {d['during_kib']:,} | {d['after_kib']:,} | "
        f"{d['alive']:,}/{d['n']:,} | {d['per_conn']:.0f} |")
out("")
out(f"kiln-edge options: `{edge_opts}`; nginx: the configuration in bench/README.md.")
text = "\n".join(lines) + "\n"
print()
print(text)
with open(results, "w") as f:
    f.write(text)
print(f"(written to {results})")
EOF
