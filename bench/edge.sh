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
bench_name=edge.sh
BENCH_IDLE=${BENCH_IDLE:-10000}
results=$top/bench/results-edge.md
# shellcheck source=bench/lib.sh
. "$top/bench/lib.sh"

bench_tools "" ""

# 10,000 idle connections need as many descriptors in the client and in
# each server (which inherit this limit); root may raise the hard limit.
# (ulimit -n is not POSIX, but dash, bash, busybox sh and ksh all have it:
# SC3045 is disabled for the file at the top.)
need_fd=$((BENCH_IDLE + 1000))
[ "$(ulimit -n)" = unlimited ] || [ "$(ulimit -n)" -ge "$need_fd" ] ||
    ulimit -n 65536 2>/dev/null || ulimit -n "$need_fd" 2>/dev/null ||
    die "ulimit -n is $(ulimit -n) and cannot be raised to $need_fd (run as root, or raise the hard limit)"

bench_workdir kiln-edge-bench "idle.*"
bench_machine
bench_corpus

# ---- servers ------------------------------------------------------------------

bench_ports
edge_base=http://127.0.0.1:$edge_port
nginx_base=http://127.0.0.1:$nginx_port
curl_opts=
# The same limits as kiln-edge's options below.
bench_nginx_conf reuseport ""

edge_opts="--allow-root on -w 2 --max-connections 20000 --idle-timeout 120s --max-requests 100000"
echo "== starting kiln-edge on 127.0.0.1:$edge_port, nginx on 127.0.0.1:$nginx_port"
# shellcheck disable=SC2086
"$KILN_EDGE" $edge_opts -l "127.0.0.1:$edge_port" "$rel" >"$work/edge.log" 2>&1 &
edge_pid=$!
bench_start_nginx
wait_up kiln-edge "$edge_pid" "$edge_base/" "$work/edge.log"
wait_up nginx "$nginx_pid" "$nginx_base/" "$work/nginx/logs/error.log"

# Both must answer 200 with the same bytes and coding for the URLs under test.
echo "== checking that both servers send the same representations"
check a "$url_a" identity
check b "$url_b" br

# ---- (a), (b), (c): wrk -------------------------------------------------------

echo "== warm-up (2 s each, not counted)"
for b in "$edge_base" "$nginx_base"; do
    timeout 30 wrk -t2 -c"$BENCH_CONNS" -d2s "$b$url_a" >/dev/null
    timeout 30 wrk -t2 -c"$BENCH_CONNS" -d2s -H 'Accept-Encoding: br' "$b$url_b" >/dev/null
done

wrk_ab

# ---- (d): idle keep-alive connections -------------------------------------------

cat >"$work/idle.py" <<'EOF'
# Opens N keep-alive connections to 127.0.0.1:PORT, one GET on each (the
# whole response read), holds them idle, and measures the server's resident
# memory (VmRSS of PID and its child processes) before and while holding.
import json, os, socket, sys, time

port, pid, n, url = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]

sys.path.insert(0, os.environ["KILN_BENCH"])
import rss  # bench/rss.py

def procs():
    return rss.procs(pid)

def rss_kib():
    return rss.rss_kib(pid)

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
    server_of "$s"
    echo "== (d) $s: $BENCH_IDLE idle keep-alive connections"
    KILN_BENCH="$top/bench" timeout 300 python3 "$work/idle.py" "$port" "$pid" "$BENCH_IDLE" "$url_a" >"$work/idle.$s" ||
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
