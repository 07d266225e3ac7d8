#!/bin/sh
# kiln-edge (mbedTLS) against nginx (OpenSSL) over TLS 1.2, side by side in one run.
#
# The corpus, release and URLs are edge.sh's (bench/lib.sh). Both servers get
# the same throwaway ECDSA P-256 certificate (tests/tls/make-test-certs.sh,
# made at run time, never committed) and one suite,
# ECDHE-ECDSA-AES128-GCM-SHA256, and are measured with:
#   (h) full handshakes per second: openssl s_time -new, BENCH_HS_CLIENTS
#       processes in parallel, summed;
#   (p) the same with P-256 instead of x25519 for ECDHE (the client offers
#       only P-256, through an OpenSSL configuration file): information;
#   (r) resumed handshakes per second: openssl s_time -reuse, likewise (the
#       share of connections actually resumed is counted too);
#   (a) keep-alive req/s for the 1 KiB page (identity), wrk over https;
#   (b) keep-alive req/s for the JS file closest to 260 KiB, Accept-Encoding: br;
#   p50/p99 of (a) and (b), and the servers' CPU time per handshake or request.
# Repetitions alternate the servers (ABBA); figures are medians. The table
# also goes to bench/results-tls.md (not committed).
#
# Environment (as edge.sh where the names are the same):
#   BENCH_PKG, BENCH_WORK, BENCH_KEEP=1, KILN_EDGE, KILN_BUILD, NGINX
#   BENCH_DURATION    wrk and s_time duration per repetition (default 10s)
#   BENCH_REPS        repetitions per server and test (default 3)
#   BENCH_CONNS       wrk connections (default 64; threads fixed at 2)
#   BENCH_HS_CLIENTS  parallel s_time processes (default 4)
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
bench_name=tls.sh # used by lib.sh
BENCH_HS_CLIENTS=${BENCH_HS_CLIENTS:-4}
results=$top/bench/results-tls.md
SUITE=ECDHE-ECDSA-AES128-GCM-SHA256
# shellcheck source=bench/lib.sh
. "$top/bench/lib.sh"

bench_tools openssl " openssl"
bench_workdir kiln-edge-tls-bench "certs hs.* tls.*"
bench_machine
bench_corpus

echo "== certificates (tests/tls/make-test-certs.sh, throwaway)"
certs=$work/certs
sh "$top/tests/tls/make-test-certs.sh" "$certs" >/dev/null || die "make-test-certs.sh failed"

# ---- servers ------------------------------------------------------------------

bench_ports
edge_base=https://127.0.0.1:$edge_port
nginx_base=https://127.0.0.1:$nginx_port
curl_opts="--cacert $certs/ca.crt"
# The same certificate, protocol, suite, groups and session resumption as
# kiln-edge (tickets and a session cache, both shared by the workers).
bench_nginx_conf "ssl reuseport" "$(nginx_tls_lines)"

edge_opts="--allow-root on -w 2 --max-connections 20000 --idle-timeout 120s --max-requests 100000"
echo "== starting kiln-edge on 127.0.0.1:$edge_port, nginx on 127.0.0.1:$nginx_port (https)"
# shellcheck disable=SC2086
"$KILN_EDGE" $edge_opts --listen off --listen-tls "127.0.0.1:$edge_port" \
    --tls-cert "$certs/ecdsa.crt" --tls-key "$certs/ecdsa.key" "$rel" >"$work/edge.log" 2>&1 &
edge_pid=$!
bench_start_nginx
# shellcheck disable=SC2086
wait_up kiln-edge "$edge_pid" "$edge_base/" "$work/edge.log" $curl_opts
# shellcheck disable=SC2086
wait_up nginx "$nginx_pid" "$nginx_base/" "$work/nginx/logs/error.log" $curl_opts

# The same TLS parameters on both (what s_time's default client offers: it
# has no -groups option; OpenSSL 3's default list starts with x25519).
echo "== checking that both servers negotiate the same TLS parameters"
for s in edge nginx; do
    server_of "$s"
    echo | openssl s_client -connect "127.0.0.1:$port" -cipher "$SUITE" -CAfile "$certs/ca.crt" \
        >"$work/tls.$s" 2>&1 || die "$s: openssl s_client failed: $(tail -3 "$work/tls.$s")"
    sed -n 's/^ *\(Protocol\|Cipher\) *: */\1 /p; s/^\(Server Temp Key\): */\1 /p;
        s/^ *\(Verify return code\): */\1 /p' "$work/tls.$s" | sort >"$work/tls.$s.sum"
    echo "   $s: $(tr '\n' ';' <"$work/tls.$s.sum")"
done
cmp -s "$work/tls.edge.sum" "$work/tls.nginx.sum" || die "the servers negotiate differently"
grep -q "Cipher $SUITE" "$work/tls.edge.sum" || die "not $SUITE"
grep -q "Protocol TLSv1.2" "$work/tls.edge.sum" || die "not TLS 1.2"
grep -q "Verify return code 0" "$work/tls.edge.sum" || die "the certificate does not verify"
tls_group=$(sed -n 's/^Server Temp Key //p' "$work/tls.edge.sum")
# (p): s_time has no -groups option, but it reads OPENSSL_CONF: a client
# that offers only P-256.
cat >"$work/tls.p256.cnf" <<'EOF'
openssl_conf = default_conf
[default_conf]
ssl_conf = ssl_sect
[ssl_sect]
system_default = system_default_sect
[system_default_sect]
Groups = P-256
EOF
for s in edge nginx; do
    server_of "$s"
    echo | OPENSSL_CONF=$work/tls.p256.cnf openssl s_client -connect "127.0.0.1:$port" \
        -cipher "$SUITE" >"$work/tls.$s.p256" 2>&1 || die "$s: openssl s_client (P-256) failed"
    grep -q "Server Temp Key: ECDH, prime256v1" "$work/tls.$s.p256" ||
        die "$s: a client offering only P-256 does not get P-256"
done
echo "   with a client that offers only P-256, both use P-256"

echo "== checking that both servers send the same representations"
check a "$url_a" identity
check b "$url_b" br

# ---- (h), (r): handshakes with openssl s_time ---------------------------------

# run_stime OUT PORT PID MODE [OPENSSL_CONF]: BENCH_HS_CLIENTS s_time processes at once,
# each for BENCH_DURATION. s_time stops on a whole second of time(2) and
# reports whole seconds, so each process's wall time is taken here with
# nanoseconds; the rate is the sum over processes of connections / wall.
# OUT.N gets each output (one character per connection: r resumed, * full),
# OUT.cpu the server's CPU ticks.
run_stime() {
    out=$1 port=$2 pid=$3 mode=$4 conf=${5:-}
    t0=$(server_ticks "$pid")
    i=1 st_pids=
    while [ $i -le "$BENCH_HS_CLIENTS" ]; do
        (
            [ -z "$conf" ] || { OPENSSL_CONF=$conf && export OPENSSL_CONF; }
            a=$(date +%s.%N)
            timeout $((dur_s + 30)) openssl s_time -connect "127.0.0.1:$port" "$mode" \
                -time "$dur_s" -cipher "$SUITE" >"$out.$i" 2>&1 || echo "s_time failed" >>"$out.$i"
            echo "wall $a $(date +%s.%N)" >>"$out.$i"
        ) &
        st_pids="$st_pids $!"
        i=$((i + 1))
    done
    for p in $st_pids; do # not a bare wait: the servers are children too
        wait "$p"
    done
    echo "$(($(server_ticks "$pid") - t0)) $(getconf CLK_TCK)" >"$out.cpu"
    ! grep -q "s_time failed" "$out".[0-9]* || die "s_time failed: $(cat "$out".[0-9]*)"
}
print_stime() { # OUT
    cat "$1".[0-9]* | awk '
        /connections in [0-9.]+s;/ { n += $1 }
        /^wall / { w += $3 - $2; k++ }
        /^[r*]+$/ { r += gsub(/r/, ""); f += gsub(/\*/, "") }
        END { printf "   %d connections, %.0f/s (%d resumed, %d full)\n", n, n / (w / k), r, f }'
}

echo "== warm-up (2 s each, not counted)"
for s in edge nginx; do
    server_of "$s"
    timeout 30 openssl s_time -connect "127.0.0.1:$port" -new -time 2 -cipher "$SUITE" >/dev/null
    timeout 30 wrk -t2 -c"$BENCH_CONNS" -d2s "$base$url_a" >/dev/null
    timeout 30 wrk -t2 -c"$BENCH_CONNS" -d2s -H 'Accept-Encoding: br' "$base$url_b" >/dev/null
done

for t in h p r; do
    conf='' mode=-new
    [ "$t" != p ] || conf=$work/tls.p256.cnf
    [ "$t" != r ] || mode=-reuse
    r=1
    while [ $r -le "$BENCH_REPS" ]; do
        for s in $(abba $r); do
            server_of "$s"
            echo "== ($t) $s, repetition $r: $BENCH_HS_CLIENTS x openssl s_time $mode -time $dur_s -cipher $SUITE${conf:+ (P-256 only)}"
            run_stime "$work/hs.$t.$s.$r" "$port" "$pid" "$mode" "$conf"
            print_stime "$work/hs.$t.$s.$r"
            alive
        done
        r=$((r + 1))
    done
done

# ---- (a), (b): keep-alive throughput with wrk -----------------------------------

wrk_ab

# ---- report -------------------------------------------------------------------

python3 - "$work" "$results" "$pkg_version" "$ncpu" "$load" "$(uname -srm)" \
    "$url_a" "$size_a" "$url_b" "$size_b" "$size_b_br" "$src_b" "$BENCH_REPS" \
    "$BENCH_CONNS" "$BENCH_DURATION" "$BENCH_HS_CLIENTS" "$edge_opts" \
    "$("$NGINX" -v 2>&1 | sed 's/.*: *//')" "$(wrk -v 2>&1 | head -n 1 | cut -d' ' -f1-2)" \
    "$("$KILN_EDGE" --version 2>&1 | head -n 1)" "$(cut -d' ' -f1 /proc/loadavg)" \
    "$(openssl version)" "$tls_group" "$SUITE" <<'EOF'
import glob, re, statistics, sys
(work, results, pkg, ncpu, load, uname, url_a, size_a, url_b, size_b, size_b_br, src_b,
 reps, conns, dur, hs_clients, edge_opts, nginx_v, wrk_v, edge_v, load_end, openssl_v,
 group, suite) = sys.argv[1:25]
reps = int(reps)
unit = {"us": 1e-3, "ms": 1.0, "s": 1e3}

def cpu_us(path, n):
    ticks, hz = open(path + ".cpu").read().split()
    return int(ticks) / int(hz) * 1e6 / max(n, 1)

def parse_wrk(path):
    text = open(path).read()
    m = re.search(r"Requests/sec:\s*([\d.]+)", text)
    r = {"rps": float(m.group(1)), "non2xx": 0, "errors": 0}
    for q in ("50", "99"):
        m = re.search(rf"^\s*{q}%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
        r["p" + q] = float(m.group(1)) * unit[m.group(2)]
    m = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", text)
    if m:
        r["non2xx"] = int(m.group(1))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if m:
        r["errors"] = sum(int(x) for x in m.groups())
    n = int(re.search(r"(\d+) requests in", text).group(1))
    r["cpu_us"] = cpu_us(path, n)
    return r

def parse_stime(path):
    rate = n = resumed = full = 0
    for f in sorted(glob.glob(path + ".[0-9]*")):
        text = open(f).read()
        c = int(re.search(r"(\d+) connections in [\d.]+s;", text).group(1))
        a, b = map(float, re.search(r"^wall (\S+) (\S+)", text, re.M).groups())
        rate += c / (b - a)
        n += c
        marks = "".join(l for l in text.splitlines() if re.fullmatch(r"[r*]+", l))
        resumed += marks.count("r")
        full += marks.count("*")
    return {"rps": rate, "n": n, "resumed": resumed, "full": full, "cpu_us": cpu_us(path, n)}

res = {}
for t in "hprab":
    for s in ("edge", "nginx"):
        if t in "hpr":
            runs = [parse_stime(f"{work}/hs.{t}.{s}.{r}") for r in range(1, reps + 1)]
            keys = ("rps", "cpu_us")
        else:
            runs = [parse_wrk(f"{work}/wrk/{t}.{s}.{r}") for r in range(1, reps + 1)]
            keys = ("rps", "p50", "p99", "cpu_us")
        res[t, s] = {k: statistics.median(x[k] for x in runs) for k in keys}
        res[t, s]["runs"] = [x["rps"] for x in runs]
        for k in ("non2xx", "errors", "resumed", "full", "n"):
            res[t, s][k] = sum(x.get(k, 0) for x in runs)

def ok(b):
    return "**met**" if b else "**missed**"

lines = []
out = lines.append
out("## kiln-edge vs nginx over TLS")
out("")
out(f"Corpus: `{pkg}` (npm, fetched at run time) plus a generated 1,024-byte `hello.html`, "
    f"built with kiln-build; both servers serve the same release directory. "
    f"Machine: {ncpu} CPUs shared by the servers and the clients, {uname}, load average "
    f"{load} at the start and {load_end} at the end. {edge_v}; nginx {nginx_v}; {openssl_v}; {wrk_v}.")
out("")
out(f"TLS 1.2, `{suite}`, key exchange {group}, the same throwaway ECDSA P-256 "
    f"certificate on both (tests/tls/make-test-certs.sh). {reps} repetitions per server "
    f"alternating (ABBA), medians. (h) `openssl s_time -new -time {dur.rstrip('s')}`, "
    f"(p) the same with a client that offers only P-256 (OPENSSL_CONF), "
    f"(r) `openssl s_time -reuse`, {hs_clients} processes at once, connections summed; "
    f"(a), (b) `wrk -t2 -c{conns} -d{dur} --latency` over https: (a) `{url_a}` "
    f"({size_a} bytes, identity), (b) `{url_b}` (`{src_b}`, {int(size_b):,} bytes; "
    f"`Accept-Encoding: br`, {int(size_b_br):,} bytes sent).")
out("")
out("| test | kiln-edge | nginx | kiln / nginx | goal |")
out("|---|---:|---:|---:|---|")
goals = {"h": 0.7, "p": None, "r": None, "a": 0.9, "b": 0.9}
names = {"h": f"(h) full handshakes/s ({group.split(',')[0]})",
         "p": "(p) full handshakes/s, P-256 ECDHE (information)",
         "r": "(r) resumed handshakes/s",
         "a": "(a) 1 KiB HTML keep-alive, req/s",
         "b": f"(b) {int(size_b)//1024} KiB JS as br keep-alive, req/s"}
for t in "hprab":
    e, n = res[t, "edge"]["rps"], res[t, "nginx"]["rps"]
    g = goals[t]
    out(f"| {names[t]} | {e:,.0f} | {n:,.0f} | {e / n:.2f}× | "
        + (f"≥ {g}× {ok(e / n >= g)}" if g else "") + " |")
for t in "ab":
    e, n = res[t, "edge"], res[t, "nginx"]
    for q in ("p50", "p99"):
        out(f"| ({t}) {q} latency, ms | {e[q]:.2f} | {n[q]:.2f} | {e[q] / n[q]:.2f}× | |")
for t in "hprab":
    e, n = res[t, "edge"], res[t, "nginx"]
    what = "handshake" if t in "hpr" else "request"
    out(f"| ({t}) server CPU per {what}, µs | {e['cpu_us']:.1f} | {n['cpu_us']:.1f} | "
        f"{e['cpu_us'] / n['cpu_us']:.2f}× | |")
out("")
out("Per repetition: " + "; ".join(
    f"({t}) {s}: " + ", ".join(f"{x:,.0f}" for x in res[t, s]["runs"])
    for t in "hprab" for s in ("edge", "nginx")) + ".")
out("(r) connections actually resumed (s_time marks each): " + "; ".join(
    f"{s} {res['r', s]['resumed']:,} of {res['r', s]['resumed'] + res['r', s]['full']:,}"
    for s in ("edge", "nginx")) + ".")
errs = [f"({t}) {s}: {res[t,s]['non2xx']} non-2xx/3xx, {res[t,s]['errors']} socket errors"
        for t in "ab" for s in ("edge", "nginx") if res[t, s]["non2xx"] or res[t, s]["errors"]]
out("wrk errors: " + ("; ".join(errs) if errs else "none (no non-2xx/3xx, no socket errors)."))
out("Server CPU: the server's user + system time during the run (its processes, all "
    "threads) over the handshakes or requests completed; the clients share the two cores.")
out("")
out(f"kiln-edge options: `{edge_opts} --listen off --listen-tls … --tls-cert ecdsa.crt "
    "--tls-key ecdsa.key`; nginx: edge.sh's configuration (bench/README.md) with `listen … "
    "ssl reuseport` and the TLS directives listed there.")
text = "\n".join(lines) + "\n"
print()
print(text)
with open(results, "w") as f:
    f.write(text)
print(f"(written to {results})")
EOF
