#!/bin/sh
# shellcheck disable=SC3045
# kiln-edge against nginx and h2o over HTTP/2, side by side in one run.
#
# The release is site-example plus a generated 1 KiB page and one real script
# of about 260 KiB taken from an npm package fetched at run time (never
# committed), built once with kiln-build (br/zstd/gzip variants beside each
# file). The three servers serve that one directory on 127.0.0.1, each with
# one worker (kiln-edge -w 1, nginx worker_processes 1, h2o num-threads 1),
# and h2load runs with one thread: on this 2-core machine the server and the
# client get a core each. First, on the freshly started servers:
#   (i) resident memory per idle h2c connection, holding BENCH_IDLE of them
#       (preface and SETTINGS exchanged; then again after one GET on each;
#       then again after closing them all and opening as many again, as a
#       server that has served connections before does);
# then h2load, for h2c (prior knowledge) and h2 over TLS 1.2 (ALPN), with
# -c 64 and -m 10, then -m 100:
#   (a) req/s for the 1 KiB page (no accept-encoding: identity), -D 3;
#   (b) req/s for the JS file closest to 260 KiB, accept-encoding: br, -n;
# and whether ChaCha20-Poly1305 would be faster than AES-128-GCM on this CPU:
# OpenSSL (the client's library) and mbedTLS 2.28 (kiln-edge's) on 16 KiB
# records, and (b) over TLS against kiln-edge with each suite, when kiln-edge
# speaks h2 over TLS. Repetitions rotate the server order; figures are
# medians. The table also goes to bench/results-h2.md (not committed).
#
# Environment (as edge.sh where the names are the same):
#   BENCH_PKG, BENCH_WORK, BENCH_KEEP=1, KILN_EDGE, KILN_BUILD, NGINX
#   H2O             h2o binary (default: h2o from PATH)
#   BENCH_DURATION  h2load -D of each (a) run (default 3s)
#   BENCH_REQS_B    h2load -n of each (b) run over h2c (default 25600: 4
#                   rounds of -c 64 -m 100); a quarter of it over TLS
#   BENCH_REPS      h2c repetitions per server and test (default 3)
#   BENCH_TLS_REPS  TLS repetitions per server and test (default 1)
#   BENCH_CONNS     h2load clients (default 64; one thread)
#   BENCH_IDLE      idle h2c connections for (i) (default 10000, fewer when
#                   the descriptor limit cannot be raised; the run says so)
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
bench_name=h2.sh # used by lib.sh
BENCH_DURATION=${BENCH_DURATION:-3s}
BENCH_TLS_REPS=${BENCH_TLS_REPS:-1}
BENCH_REQS_B=${BENCH_REQS_B:-25600}
BENCH_IDLE=${BENCH_IDLE:-10000}
results=$top/bench/results-h2.md
SUITE=ECDHE-ECDSA-AES128-GCM-SHA256
CHACHA=ECDHE-ECDSA-CHACHA20-POLY1305
# Read by bench_nginx_conf: one worker; no sendfile, because nginx 1.22's
# HTTP/2 sends a file's DATA frame with Nagle on (it clears TCP_NODELAY and
# corks around sendfile), so the frame waits for the client's delayed ACK of
# the HEADERS frame: 47 ms per response to a client that waits for each one,
# as (i)'s GETs do (bench/README.md).
nginx_workers=1
nginx_sendfile=off
# shellcheck source=bench/lib.sh
. "$top/bench/lib.sh"

bench_tools "h2load openssl" " h2o nghttp2-client openssl"
H2O=${H2O:-$(command -v h2o 2>/dev/null || true)}
if [ -z "$H2O" ] || [ ! -x "$H2O" ]; then
    die "missing: h2o (apt-get install h2o; Debian 12 has 2.2.5)"
fi

# BENCH_IDLE connections need as many descriptors in the client and in each
# server (which inherit this limit); root may raise the hard limit. When it
# cannot be raised, (i) holds as many as the limit leaves room for.
need_fd=$((BENCH_IDLE + 1000))
[ "$(ulimit -n)" = unlimited ] || [ "$(ulimit -n)" -ge "$need_fd" ] ||
    ulimit -n 65536 2>/dev/null || ulimit -n "$need_fd" 2>/dev/null || true
fd_limit=$(ulimit -n)
idle_note="$BENCH_IDLE connections (descriptor limit $fd_limit)"
if [ "$fd_limit" != unlimited ] && [ "$fd_limit" -lt "$need_fd" ]; then
    [ "$fd_limit" -gt 1100 ] || die "ulimit -n is $fd_limit: too few descriptors for (i)"
    BENCH_IDLE=$((fd_limit - 1000))
    idle_note="$BENCH_IDLE connections, as many as ulimit -n $fd_limit allows (not 10000)"
fi

bench_workdir kiln-edge-h2-bench "certs h2o h2load idle.* tls.* speed.* mbedspeed* edge.metrics"
bench_machine
other=$(pgrep -x h2o 2>/dev/null | tr '\n' ' ' || true)
[ -z "$other" ] ||
    echo "   warning: another h2o is running (pids $other); stop it (service h2o stop) for quiet figures"
bench_site=$top/site-example
bench_corpus

echo "== certificates (tests/tls/make-test-certs.sh, throwaway)"
certs=$work/certs
sh "$top/tests/tls/make-test-certs.sh" "$certs" >/dev/null || die "make-test-certs.sh failed"

# ---- servers ------------------------------------------------------------------

ports=$(python3 -c '
import socket
ss = [socket.socket() for _ in range(7)]
for s in ss: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in ss])')
read -r edge_port edge_tls_port nginx_port nginx_tls_port h2o_port h2o_tls_port admin_port <<EOF
$ports
EOF

# nginx: edge.sh's configuration with one worker and sendfile off (above),
# http2 on both listen lines (a plain one, h2c with prior knowledge only, and
# a TLS one), and tls.sh's TLS lines. HTTP/2 settings are nginx 1.22's
# defaults (128 streams, 8 KiB DATA frames); keepalive_timeout and
# keepalive_requests also bound h2.
bench_nginx_conf "http2 reuseport" "
        listen 127.0.0.1:$nginx_tls_port ssl http2 reuseport;$(nginx_tls_lines)"

# h2o 2.2: one thread, the .br/.gz siblings kiln-build wrote
# (file.send-compressed), room for the idle connections, the same idle
# timeout as the others (its default is 10 s), no access log, the same
# certificate and suite. Its maximum-version predates TLS 1.3 and does not
# stop it with OpenSSL 3, so TLS 1.2 is capped through OPENSSL_CONF.
mkdir -p "$work/h2o"
h2o_user=
[ "$(id -u)" != 0 ] || h2o_user="user: $(id -un)"
cat >"$work/h2o/h2o.conf" <<EOF
$h2o_user
num-threads: 1
max-connections: 20000
http2-idle-timeout: 120
http2-max-concurrent-requests-per-connection: 100
error-log: $work/h2o/error.log
pid-file: $work/h2o/h2o.pid
file.send-compressed: ON
listen:
  host: 127.0.0.1
  port: $h2o_port
listen:
  host: 127.0.0.1
  port: $h2o_tls_port
  ssl:
    certificate-file: $certs/ecdsa.crt
    key-file: $certs/ecdsa.key
    minimum-version: TLSv1.2
    cipher-suite: $SUITE
    cipher-preference: server
hosts:
  default:
    paths:
      /:
        file.dir: $rel
EOF
cat >"$work/h2o/tls12.cnf" <<'EOF'
openssl_conf = default_conf
[default_conf]
ssl_conf = ssl_sect
[ssl_sect]
system_default = system_default_sect
[system_default_sect]
MaxProtocol = TLSv1.2
EOF

edge_opts="--allow-root on -w 1 --max-connections 20000 --idle-timeout 120s --max-requests 100000"
echo "== starting kiln-edge on 127.0.0.1:$edge_port (h2c) and :$edge_tls_port (TLS),"
echo "   nginx on :$nginx_port and :$nginx_tls_port, h2o on :$h2o_port and :$h2o_tls_port"
# shellcheck disable=SC2086
"$KILN_EDGE" $edge_opts -l "127.0.0.1:$edge_port" --listen-tls "127.0.0.1:$edge_tls_port" \
    --tls-cert "$certs/ecdsa.crt" --tls-key "$certs/ecdsa.key" --admin "127.0.0.1:$admin_port" \
    "$rel" >"$work/edge.log" 2>&1 &
edge_pid=$!
bench_start_nginx
OPENSSL_CONF=$work/h2o/tls12.cnf "$H2O" -c "$work/h2o/h2o.conf" >"$work/h2o/stdout" 2>&1 &
h2o_pid=$!
more_pids=$h2o_pid
h2c_opt=--http2-prior-knowledge
tls_opt="--http2 --cacert $certs/ca.crt"
wait_up kiln-edge "$edge_pid" "http://127.0.0.1:$edge_port/" "$work/edge.log" $h2c_opt
wait_up nginx "$nginx_pid" "http://127.0.0.1:$nginx_port/" "$work/nginx/logs/error.log" $h2c_opt
wait_up h2o "$h2o_pid" "http://127.0.0.1:$h2o_port/" "$work/h2o/stdout" $h2c_opt
# shellcheck disable=SC2086
for p in "$edge_tls_port $edge_pid $work/edge.log" "$nginx_tls_port $nginx_pid $work/nginx/logs/error.log" \
    "$h2o_tls_port $h2o_pid $work/h2o/stdout"; do
    set -- $p
    wait_up "server on :$1" "$2" "https://127.0.0.1:$1/" "$3" $tls_opt
done

# srv NAME TRANSPORT: $port, $pid and $base of server NAME (edge, nginx,
# h2o) for TRANSPORT (h2c, tls).
srv() {
    case "$1" in
    edge) pid=$edge_pid port=$edge_port tport=$edge_tls_port ;;
    nginx) pid=$nginx_pid port=$nginx_port tport=$nginx_tls_port ;;
    h2o) pid=$h2o_pid port=$h2o_port tport=$h2o_tls_port ;;
    esac
    if [ "$2" = tls ]; then
        port=$tport base=https://127.0.0.1:$port
    else
        base=http://127.0.0.1:$port
    fi
}
alive3() { # sets nothing: callers keep srv's variables
    kill -0 "$edge_pid" 2>/dev/null || die "kiln-edge died: $(tail -5 "$work/edge.log")"
    kill -0 "$nginx_pid" 2>/dev/null || die "nginx died"
    kill -0 "$h2o_pid" 2>/dev/null || die "h2o died: $(tail -5 "$work/h2o/stdout")"
}

# ---- checks ---------------------------------------------------------------------

# The TLS parameters each server negotiates with an h2-capable client.
echo "== checking TLS parameters (openssl s_client -alpn h2,http/1.1 -cipher $SUITE)"
for s in edge nginx h2o; do
    srv "$s" tls
    echo | openssl s_client -connect "127.0.0.1:$port" -alpn h2,http/1.1 -cipher "$SUITE" \
        -CAfile "$certs/ca.crt" >"$work/tls.$s" 2>&1 || die "$s: openssl s_client failed"
    sed -n 's/^ *\(Protocol\|Cipher\) *: */\1 /p; s/^\(Server Temp Key\): */\1 /p;
        s/^\(ALPN protocol\): */\1 /p; s/^\(No ALPN negotiated\)/ALPN protocol none/p;
        s/^ *\(Verify return code\): */\1 /p' "$work/tls.$s" | sort >"$work/tls.$s.sum"
    echo "   $s: $(tr '\n' ';' <"$work/tls.$s.sum")"
    grep -q "Cipher $SUITE" "$work/tls.$s.sum" || die "$s: not $SUITE"
    grep -q "Protocol TLSv1.2" "$work/tls.$s.sum" || die "$s: not TLS 1.2"
    grep -q "Verify return code 0" "$work/tls.$s.sum" || die "$s: the certificate does not verify"
done
for s in nginx h2o; do
    grep -q "ALPN protocol h2" "$work/tls.$s.sum" || die "$s does not negotiate h2 over TLS"
done
# kiln-edge's ALPN h2 is being added: without it, its TLS runs are skipped.
edge_tls=no
! grep -q "ALPN protocol h2" "$work/tls.edge.sum" || edge_tls=yes
[ "$edge_tls" = yes ] ||
    echo "   kiln-edge does not negotiate h2 over TLS (ALPN): its TLS runs are skipped"
tls_group=$(sed -n 's/^Server Temp Key //p' "$work/tls.nginx.sum")

# check3 LABEL URL ACCEPT-ENCODING TRANSPORT: every server answers 200 over
# HTTP/2 with the same Content-Length, Content-Encoding and bytes.
check3() {
    for s in edge nginx h2o; do
        [ "$4" = h2c ] || [ "$s" != edge ] || [ "$edge_tls" = yes ] || continue
        srv "$s" "$4"
        if [ "$4" = tls ]; then o=$tls_opt; else o=$h2c_opt; fi
        # shellcheck disable=SC2086
        curl -s $o -o "$work/body.$s" -D "$work/head.$s" -w '%{http_version}' \
            ${3:+-H "accept-encoding: $3"} "$base$2" >"$work/head.$s.v" ||
            die "$s: $2 over $4: request failed"
    done
    python3 - "$work" "$1" "$2" "$4" <<'EOF'
import os, sys
work, label, url, tr = sys.argv[1:]
seen = {}
for name in ("edge", "nginx", "h2o"):
    if not os.path.exists(f"{work}/head.{name}.v"):
        continue
    ver = open(f"{work}/head.{name}.v").read().strip()
    lines = open(f"{work}/head.{name}", encoding="latin-1", newline="").read().split("\r\n")
    status = lines[0].split()[1]
    h = {}
    for l in lines[1:]:
        if ":" in l:
            k, v = l.split(":", 1)
            h[k.strip().lower()] = v.strip()
    body = open(f"{work}/body.{name}", "rb").read()
    seen[name] = (ver, status, h.get("content-length"), h.get("content-encoding", "identity"), body)
    print(f"   ({label} {tr}) {name:5} HTTP/{ver} {status} content-length {h.get('content-length')}"
          f" content-encoding {h.get('content-encoding', '-')} ({len(h)} fields)")
for name, s in seen.items():
    if s[0] != "2" or s[1] != "200":
        sys.exit(f"bench/h2.sh: {name}: {url} over {tr}: not a 200 over HTTP/2")
if len({s[2:] for s in seen.values()}) != 1:
    sys.exit(f"bench/h2.sh: {url} over {tr}: the servers send different representations")
EOF
    rm -f "$work"/head.* "$work"/body.*
}
echo "== checking that the servers send the same representations over HTTP/2"
for tr in h2c tls; do
    check3 a "$url_a" "" "$tr"
    check3 b "$url_b" br "$tr"
done

# ---- (i): idle h2c connections -----------------------------------------------------

cat >"$work/idle.py" <<'EOF'
# Opens N h2c connections to 127.0.0.1:PORT (prior knowledge: the preface
# and an empty SETTINGS, the server's SETTINGS acknowledged, its ACK of ours
# received), holds them idle and measures the server's resident memory
# (VmRSS of PID and its child processes); then sends one GET on each (the
# whole response read), holds them idle again and measures again; closes
# them, then opens and holds N idle ones again and measures a third time.
# Raw bytes: no HTTP/2 library needed.
import json, os, socket, struct, sys, time

port, pid, n, url = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]

sys.path.insert(0, os.environ["KILN_BENCH"])
import rss  # bench/rss.py

def procs():
    return rss.procs(pid)

def rss_kib():
    return rss.rss_kib(pid)

def frame(typ, flags, stream, payload=b""):
    return struct.pack(">I", len(payload))[1:] + bytes([typ, flags]) + struct.pack(">I", stream) + payload

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + frame(4, 0, 0)
# HPACK, no Huffman: :method GET, :scheme http (static 2, 6), :path and
# :authority as literals without indexing (static names 4, 1).
def lit(idx, v):
    return bytes([idx, len(v)]) + v
BLOCK = b"\x82\x86" + lit(4, url.encode()) + lit(1, b"127.0.0.1")
GET = frame(1, 0x5, 1, BLOCK)  # END_STREAM | END_HEADERS, stream 1
left = {}  # bytes read past the last whole frame, per socket

def read_until(s, buf, done):
    """Reads frames until done(type, flags, stream) is true; acks SETTINGS."""
    while True:
        while len(buf) >= 9:
            ln = int.from_bytes(buf[:3], "big")
            if len(buf) < 9 + ln:
                break
            typ, flags, sid = buf[3], buf[4], int.from_bytes(buf[5:9], "big") & 0x7FFFFFFF
            if typ == 7:
                raise RuntimeError(f"GOAWAY from the server: {buf[9:9 + ln].hex()}")
            if typ == 3 and sid == 1:
                raise RuntimeError(f"RST_STREAM from the server: {buf[9:9 + ln].hex()}")
            buf = buf[9 + ln:]
            if typ == 4 and not flags & 1:
                s.sendall(frame(4, 1, 0))
            if done(typ, flags, sid):
                return buf
        c = s.recv(65536)
        if not c:
            raise RuntimeError("closed by the server")
        buf += c

def open_one():
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(PREFACE)
    state = {"settings": False, "ack": False}
    def done(typ, flags, sid):
        if typ == 4:
            state["ack" if flags & 1 else "settings"] = True
        return state["settings"] and state["ack"]
    left[s] = read_until(s, b"", done)
    return s

def get_one(s):
    s.setblocking(True)
    s.sendall(GET)
    left[s] = read_until(s, left[s], lambda typ, flags, sid: sid == 1 and typ in (0, 1) and flags & 1)
    s.setblocking(False)

def hold():
    time.sleep(1)
    a = rss_kib()
    time.sleep(1)
    return max(a, rss_kib())

def open_all():
    t0 = time.monotonic()
    conns = [open_one() for _ in range(n)]
    for s in conns:
        s.setblocking(False)
    return conns, round(time.monotonic() - t0, 2)

def close_all(conns):
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
    left.clear()
    time.sleep(1)
    return alive

# First round, on a fresh server: idle, then one GET on each.
time.sleep(1)
r = {"n": n, "before_kib": rss_kib()}
conns, r["open_seconds"] = open_all()
r["idle_kib"] = hold()
for s in conns:
    get_one(s)
r["used_kib"] = hold()
r["alive"] = close_all(conns)
r["after_kib"] = rss_kib()
# Second round: the same idle connections on a server whose memory has
# served connections before (freed memory is reused, and calloc clears it).
conns, r["open2_seconds"] = open_all()
r["idle2_kib"] = hold()
r["alive2"] = close_all(conns)
r["after2_kib"] = rss_kib()
r["processes"] = len(procs())
print(json.dumps(r))
EOF
for s in edge nginx h2o; do
    srv "$s" h2c
    echo "== (i) $s: $BENCH_IDLE idle h2c connections, one GET on each, then $BENCH_IDLE idle again"
    KILN_BENCH="$top/bench" timeout 300 python3 "$work/idle.py" "$port" "$pid" "$BENCH_IDLE" "$url_a" >"$work/idle.$s" ||
        die "(i) $s: the idle-connection client failed"
    echo "   $(cat "$work/idle.$s")"
    alive3
done

# ---- (a), (b): h2load -------------------------------------------------------------

mkdir -p "$work/h2load"
# run_h2load OUT BASE PID URL M [H2LOAD-OPTION...]: one h2load run (the
# options include -D or -n); OUT gets its output, OUT.cpu the server's CPU
# ticks during it and CLK_TCK, OUT.client h2load's own user and system
# seconds (with /usr/bin/time, package time; else nothing).
run_h2load() {
    out=$1 rb=$2 rp=$3 ru=$4 m=$5
    shift 5
    t0=$(server_ticks "$rp")
    if [ -x /usr/bin/time ]; then
        set -- /usr/bin/time -f '%U %S' -o "$out.client" h2load -t1 -c"$BENCH_CONNS" -m"$m" "$@"
    else
        set -- h2load -t1 -c"$BENCH_CONNS" -m"$m" "$@"
    fi
    timeout 120 "$@" "$rb$ru" >"$out" 2>&1 || echo "h2load exited with $?" >>"$out"
    echo "$(($(server_ticks "$rp") - t0)) $(getconf CLK_TCK)" >"$out.cpu"
}
# print_h2load OUT: req/s, failures, mean request time and body bytes per
# response of one run, on one line.
print_h2load() {
    awk '/^finished in/ { r = $4 } /^requests:/ { n = $6; f = $10; e = $12; t = $14 }
        /^status codes:/ { c = $3 } /^traffic:/ { d = $(NF - 1); gsub(/[()]/, "", d) }
        /^time for request:/ { l = $6 }
        /exited with|[Nn]o protocol|handshake|refused|reset/ { x = x "; " $0 }
        END { printf "   %s req/s; %s done, %s 2xx, %s failed, %s errored, %s timeout; mean %s; %.0f B/response%s\n",
              r, n, c, f, e, t, l, (n > 0 ? d / n : 0), x }' "$1"
}
# rot R: the servers in the order of repetition R (each server takes each
# position once in three repetitions).
rot() {
    case $((($1 - 1) % 3)) in
    0) echo "edge nginx h2o" ;;
    1) echo "nginx h2o edge" ;;
    *) echo "h2o edge nginx" ;;
    esac
}

echo "== warm-up (1 s per server and URL over h2c, not counted)"
for s in edge nginx h2o; do
    srv "$s" h2c
    timeout 30 h2load -t1 -c"$BENCH_CONNS" -m10 -D 1 "$base$url_a" >/dev/null 2>&1 || true
    timeout 30 h2load -t1 -c"$BENCH_CONNS" -m10 -n 6400 -H 'accept-encoding: br' "$base$url_b" \
        >/dev/null 2>&1 || true
done

# (a) runs for a time. (b) runs for a number of requests: with -m 100, 6,400
# streams of 69 KB share the servers' output fairly, so they end together, in
# waves of 441 MB, and a count of the requests done in a few seconds would
# be a count of whole waves; -n times a fixed amount of work instead.
for tr in h2c tls; do
    if [ "$tr" = h2c ]; then
        reps=$BENCH_REPS n_b=$BENCH_REQS_B
    else
        reps=$BENCH_TLS_REPS n_b=$((BENCH_REQS_B / 4))
    fi
    for m in 10 100; do
        for t in a b; do
            if [ "$t" = a ]; then url=$url_a; else url=$url_b; fi
            r=1
            while [ "$r" -le "$reps" ]; do
                for s in $(rot "$r"); do
                    [ "$tr" = h2c ] || [ "$s" != edge ] || [ "$edge_tls" = yes ] || continue
                    srv "$s" "$tr"
                    if [ "$t" = a ]; then
                        set -- -D "$dur_s"
                    else
                        set -- -n "$n_b" -H 'accept-encoding: br'
                    fi
                    [ "$tr" = h2c ] || set -- "$@" --ciphers="$SUITE"
                    echo "== ($t) $tr -m $m, $s, repetition $r: h2load -t1 -c$BENCH_CONNS -m$m $* $base$url"
                    run_h2load "$work/h2load/$tr.$m.$t.$s.$r" "$base" "$pid" "$url" "$m" "$@"
                    print_h2load "$work/h2load/$tr.$m.$t.$s.$r"
                    alive3
                done
                r=$((r + 1))
            done
        done
    done
done

# ---- ChaCha20-Poly1305 against AES-128-GCM ------------------------------------------

echo "== AES-128-GCM and ChaCha20-Poly1305 on 16 KiB records, 1 s each"
for c in aes-128-gcm chacha20-poly1305; do
    openssl speed -seconds 1 -bytes 16384 -evp "$c" >"$work/speed.$c" 2>&1 ||
        die "openssl speed -evp $c failed"
    echo "   OpenSSL $c: $(tail -n 1 "$work/speed.$c")"
done
# The same in mbedTLS 2.28, which kiln-edge links: a throwaway loop built at
# run time (skipped without a C compiler or the mbedTLS headers).
cat >"$work/mbedspeed.c" <<'EOF'
#include <mbedtls/chachapoly.h>
#include <mbedtls/gcm.h>
#include <stdio.h>
#include <time.h>

static double
now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int
main(void)
{
    static unsigned char in[16384], out[16384], key[32], iv[12], aad[13], tag[16];
    mbedtls_gcm_context g;
    mbedtls_chachapoly_context c;
    mbedtls_gcm_init(&g);
    mbedtls_chachapoly_init(&c);
    if (mbedtls_gcm_setkey(&g, MBEDTLS_CIPHER_ID_AES, key, 128) != 0 ||
        mbedtls_chachapoly_setkey(&c, key) != 0)
        return 1;
    for (int alg = 0; alg < 2; alg++) {
        double t0 = now(), t;
        long n = 0;
        do {
            for (int i = 0; i < 16; i++, n++) {
                iv[0] = (unsigned char)n;
                int rc = alg == 0 ? mbedtls_gcm_crypt_and_tag(&g, MBEDTLS_GCM_ENCRYPT, sizeof in, iv,
                                                              12, aad, 13, in, out, 16, tag)
                                  : mbedtls_chachapoly_encrypt_and_tag(&c, sizeof in, iv, aad, 13,
                                                                       in, out, tag);
                if (rc != 0)
                    return 1;
            }
        } while ((t = now() - t0) < 1.0);
        printf("%s %.0f\n", alg == 0 ? "aes-128-gcm" : "chacha20-poly1305",
               (double)n * sizeof in / t / 1e6);
    }
    return 0;
}
EOF
if cc -O2 -o "$work/mbedspeed" "$work/mbedspeed.c" -lmbedcrypto >"$work/mbedspeed.log" 2>&1 &&
    "$work/mbedspeed" >"$work/mbedspeed.out"; then
    sed 's/^/   mbedTLS /; s/$/ MB\/s/' "$work/mbedspeed.out"
else
    echo "   mbedTLS loop skipped: $(head -n 1 "$work/mbedspeed.log")"
    : >"$work/mbedspeed.out"
fi
# End to end: (b) over TLS against kiln-edge, the client offering only one
# suite at a time (kiln-edge's list has both; the order alternates).
if [ "$edge_tls" = yes ]; then
    srv edge tls
    for m in 10 100; do
        r=1
        while [ "$r" -le "$BENCH_TLS_REPS" ]; do
            if [ $((r % 2)) = 1 ]; then order="$CHACHA $SUITE"; else order="$SUITE $CHACHA"; fi
            for c in $order; do
                echo "== (b) tls -m $m, kiln-edge, $c, repetition $r"
                run_h2load "$work/h2load/suite.$m.$c.$r" "$base" "$pid" "$url_b" "$m" \
                    -n $((BENCH_REQS_B / 4)) -H 'accept-encoding: br' --ciphers="$c"
                print_h2load "$work/h2load/suite.$m.$c.$r"
                alive3
            done
            r=$((r + 1))
        done
    done
fi

# kiln-edge's own counters of what it refused, reset or timed out (its
# /metrics on the admin listener, which nothing else uses).
curl -s "http://127.0.0.1:$admin_port/metrics" >"$work/edge.metrics" || : >"$work/edge.metrics"

# ---- report -----------------------------------------------------------------------

python3 - "$work" "$results" "$pkg_version" "$ncpu" "$load" "$(uname -srm)" \
    "$url_a" "$size_a" "$url_b" "$size_b" "$size_b_br" "$src_b" "$BENCH_REPS" "$BENCH_TLS_REPS" \
    "$BENCH_CONNS" "$dur_s" "$idle_note" "$edge_opts" "$edge_tls" \
    "$("$NGINX" -v 2>&1 | sed 's/.*: *//')" "$("$H2O" --version 2>&1 | head -n 1)" \
    "$(h2load --version 2>&1 | head -n 1)" "$("$KILN_EDGE" --version 2>&1 | head -n 1)" \
    "$(cut -d' ' -f1 /proc/loadavg)" "$(openssl version)" "$tls_group" "$SUITE" "$CHACHA" \
    "$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1)" "$BENCH_REQS_B" <<'EOF'
import glob, json, os, re, statistics, sys
(work, results, pkg, ncpu, load, uname, url_a, size_a, url_b, size_b, size_b_br, src_b,
 reps, tls_reps, conns, dur, idle_note, edge_opts, edge_tls, nginx_v, h2o_v, h2load_v,
 edge_v, load_end, openssl_v, group, suite, chacha, cpu, reqs_b) = sys.argv[1:31]
servers = ("edge", "nginx", "h2o")
names = {"edge": "kiln-edge", "nginx": "nginx", "h2o": "h2o"}
unit = {"us": 1e-3, "ms": 1.0, "s": 1e3}

def parse(path):
    text = open(path).read()
    r = {"rps": 0.0, "done": 0, "ok2xx": 0, "bad": 0, "mean_ms": float("nan"), "per": 0}
    m = re.search(r"^finished in [\d.]+m?s, ([\d.]+) req/s", text, re.M)
    if m:
        r["rps"] = float(m.group(1))
    m = re.search(r"requests: \d+ total, \d+ started, (\d+) done, (\d+) succeeded, (\d+) failed, "
                  r"(\d+) errored, (\d+) timeout", text)
    if m:
        r["done"] = int(m.group(1))
        r["bad"] = int(m.group(3))  # failed: errored and timed out included
    else:
        r["bad"] = -1  # no summary at all
    m = re.search(r"status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx", text)
    if m:
        r["ok2xx"] = int(m.group(1))
        r["non2xx"] = sum(int(x) for x in m.groups()[1:])
    m = re.search(r"^traffic: .*?, [\d.]+\w*B \((\d+)\) headers .*?, [\d.]+\w*B \((\d+)\) data",
                  text, re.M)
    if m and r["done"]:
        r["per"] = int(m.group(2)) / r["done"]
        r["hdr"] = int(m.group(1)) / r["done"]
    m = re.search(r"^time for request:\s+\S+\s+\S+\s+([\d.]+)(us|ms|s)", text, re.M)
    if m:
        r["mean_ms"] = float(m.group(1)) * unit[m.group(2)]
    ticks, hz = open(path + ".cpu").read().split()
    r["cpu_us"] = int(ticks) / int(hz) * 1e6 / r["done"] if r["done"] else float("nan")
    r["client_us"] = float("nan")
    if os.path.exists(path + ".client") and r["done"]:
        try:
            u, s = open(path + ".client").read().split()[-2:]
            r["client_us"] = (float(u) + float(s)) * 1e6 / r["done"]
        except ValueError:
            pass
    r["text"] = text
    return r

res = {}
for f in glob.glob(f"{work}/h2load/*.cpu"):
    key = tuple(os.path.basename(f)[:-4].split("."))
    if key[0] in ("h2c", "tls"):
        tr, m, t, s, r = key
        res.setdefault((tr, m, t, s), []).append(parse(f[:-4]))
med = {}
for k, runs in res.items():
    med[k] = {x: statistics.median(run[x] for run in runs)
              for x in ("rps", "cpu_us", "client_us", "mean_ms", "per")}
    med[k]["runs"] = [run["rps"] for run in runs]
    med[k]["bad"] = sum(run["bad"] for run in runs)
    med[k]["non2xx"] = sum(run.get("non2xx", 0) for run in runs)
suites = {}
for c in (suite, chacha):
    for m in ("10", "100"):
        runs = [parse(p) for p in sorted(glob.glob(f"{work}/h2load/suite.{m}.{c}.[0-9]*"))
                if re.fullmatch(r".*\.\d+", p)]
        if runs:
            suites[c, m] = {x: statistics.median(run[x] for run in runs) for x in ("rps", "cpu_us")}
            suites[c, m]["bad"] = sum(run["bad"] for run in runs)
idle = {s: json.load(open(f"{work}/idle.{s}")) for s in servers}
for d in idle.values():
    d["per_idle"] = (d["idle_kib"] - d["before_kib"]) * 1024 / d["n"]
    d["per_used"] = (d["used_kib"] - d["before_kib"]) * 1024 / d["n"]
    d["per_idle2"] = (d["idle2_kib"] - d["after_kib"]) * 1024 / d["n"]

def speed_openssl(c):
    # The last line of `openssl speed -bytes 16384`: "NAME  <1000s of bytes/s>k".
    last = open(f"{work}/speed.{c}").read().strip().splitlines()[-1]
    return float(last.split()[-1].rstrip("k")) * 1000 / 1e6
ossl = {c: speed_openssl(c) for c in ("aes-128-gcm", "chacha20-poly1305")}
mbed = dict(l.split() for l in open(f"{work}/mbedspeed.out").read().splitlines())
mbed = {k: float(v) for k, v in mbed.items()}

def ok(b):
    return "**met**" if b else "**missed**"

lines = []
out = lines.append
out("## kiln-edge vs nginx and h2o over HTTP/2")
out("")
out(f"Release: `site-example` plus a generated `hello.html` and `{src_b}` from `{pkg}` (npm, "
    f"fetched at run time), built with kiln-build; the three servers serve that one directory. "
    f"Machine: {ncpu} CPUs ({cpu}), {uname}, load average {load} at the start and {load_end} "
    f"at the end. {edge_v}; nginx {nginx_v} with brotli_static; {h2o_v}; {h2load_v}; {openssl_v}.")
out("")
out(f"One worker each (kiln-edge `-w 1`, nginx `worker_processes 1`, h2o `num-threads: 1`) and "
    f"`h2load -t1 -c{conns}`: a core for the server, a core for the client. "
    f"(a) `{url_a}` ({int(size_a):,} bytes, no accept-encoding: identity), `-D {dur}`; (b) `{url_b}` "
    f"({int(size_b):,} bytes; `accept-encoding: br`, {int(size_b_br):,} bytes sent), `-n {reqs_b}` "
    f"over h2c and `-n {int(reqs_b) // 4}` over TLS. h2c: prior "
    f"knowledge, {reps} repetitions per server rotating the order, medians; TLS: 1.2, `{suite}`, "
    f"{group}, ALPN h2, {tls_reps} repetition(s). Ratios are kiln-edge over the better of nginx and h2o.")
out("")
out("| test | kiln-edge | nginx | h2o | kiln / better | goal |")
out("|---|---:|---:|---:|---:|---|")
goals = {("h2c", "a"): 1.2, ("h2c", "b"): 1.0}
for tr in ("h2c", "tls"):
    for t in "ab":
        for m in ("10", "100"):
            row = {s: med.get((tr, m, t, s)) for s in servers}
            if not row["nginx"] or not row["h2o"]:
                continue
            best = max(row["nginx"]["rps"], row["h2o"]["rps"])
            e = row["edge"]
            what = "1 KiB page" if t == "a" else f"{int(size_b) // 1024} KiB JS as br"
            g = goals.get((tr, t))
            if not e:
                out(f"| ({t}) {tr} -m {m}, {what}, req/s | n/a (no h2 over TLS) | {row['nginx']['rps']:,.0f} | "
                    f"{row['h2o']['rps']:,.0f} | | |")
            elif best > 0:
                ratio = e["rps"] / best
                goal = f"≥ {g}× {ok(ratio >= g)}" if g else "(information)"
                out(f"| ({t}) {tr} -m {m}, {what}, req/s | {e['rps']:,.0f} | {row['nginx']['rps']:,.0f} | "
                    f"{row['h2o']['rps']:,.0f} | {ratio:.2f}× | {goal} |")
            else:
                out(f"| ({t}) {tr} -m {m}, {what}, req/s | {e['rps']:,.0f} | 0 | 0 | | (no requests done) |")
e, n, h = idle["edge"], idle["nginx"], idle["h2o"]

def vs(a, b):
    return f"{a / b:.2f}× nginx" if b > 0 else "(nginx: no growth)"
out(f"| (i) RSS per idle h2c connection (preface + SETTINGS), bytes | {e['per_idle']:,.0f} | "
    f"{n['per_idle']:,.0f} | {h['per_idle']:,.0f} | {vs(e['per_idle'], n['per_idle'])} | "
    f"≤ nginx {ok(e['per_idle'] <= n['per_idle'])} |")
out(f"| (i) the same after one GET on each, bytes | {e['per_used']:,.0f} | {n['per_used']:,.0f} | "
    f"{h['per_used']:,.0f} | {vs(e['per_used'], n['per_used'])} | "
    f"(≤ nginx: {'yes' if e['per_used'] <= n['per_used'] else 'no'}) |")
out(f"| (i) idle again, second round (memory reused), bytes | {e['per_idle2']:,.0f} | "
    f"{n['per_idle2']:,.0f} | {h['per_idle2']:,.0f} | {vs(e['per_idle2'], n['per_idle2'])} | "
    f"≤ nginx {ok(e['per_idle2'] <= n['per_idle2'])} |")
out("")
out("CPU per request, µs: the server's (user + system of all its processes and threads during "
    "the run, over the requests completed) / h2load's own; and h2load's mean time per request, ms. "
    "Where a server's CPU per request times its req/s is well under one core, the client (or "
    "the machine) bounds the req/s, not the server:")
out("")
out("| test | kiln-edge | nginx | h2o |")
out("|---|---:|---:|---:|")
for tr in ("h2c", "tls"):
    for t in "ab":
        for m in ("10", "100"):
            cells = []
            for s in servers:
                x = med.get((tr, m, t, s))
                cells.append(f"{x['cpu_us']:.1f} / {x['client_us']:.1f} µs, {x['mean_ms']:.2f} ms"
                             if x else "n/a")
            out(f"| ({t}) {tr} -m {m} | " + " | ".join(cells) + " |")
out("")
out("Per repetition, req/s: " + "; ".join(
    f"({t}) {tr} -m {m} {names[s]}: " + ", ".join(f"{x:,.0f}" for x in med[tr, m, t, s]["runs"])
    for tr in ("h2c", "tls") for t in "ab" for m in ("10", "100") for s in servers
    if (tr, m, t, s) in med) + ".")
bad = [f"({t}) {tr} -m {m} {names[s]}: {med[tr, m, t, s]['bad']} failed, "
       f"{med[tr, m, t, s]['non2xx']} non-2xx"
       for tr in ("h2c", "tls") for t in "ab" for m in ("10", "100") for s in servers
       if (tr, m, t, s) in med and (med[tr, m, t, s]["bad"] or med[tr, m, t, s]["non2xx"])]
out("h2load errors: " + ("; ".join(bad) if bad else "none (every request succeeded with a 2xx).")
    + " Body bytes per response (h2load's data over requests): " + "; ".join(
    f"({t}) {names[s]} {med['h2c', '10', t, s]['per']:,.0f}" for t in "ab" for s in servers) + ".")
if edge_tls != "yes":
    out("kiln-edge did not negotiate h2 over TLS (no ALPN h2 yet): its TLS runs were skipped.")
counters = [l for l in open(f"{work}/edge.metrics").read().splitlines()
            if re.match(r"kiln_edge_(h2_defence_total|connections_refused_total|"
                        r"tls_handshakes_total\{result=\"failed\"\})", l) and not l.endswith(" 0")]
out("kiln-edge's counters of refusals, defences and timeouts over the whole run (its /metrics): "
    + ("; ".join(f"`{l}`" for l in counters) if counters else "all zero") + ".")
out("")
out(f"(i): {idle_note} from 127.0.0.1, on the freshly started servers, each opened with the "
    "HTTP/2 preface and an empty SETTINGS (the server's SETTINGS acknowledged, its ACK "
    f"received), held idle; then one `GET {url_a}` on each (response read), held idle again; "
    "then all closed, and as many opened and held idle again (second round). Resident memory "
    "is VmRSS summed over the server's processes, before opening, at the larger of two reads "
    "1 and 2 s into each hold, and 1 s after closing:")
out("")
out("| server | processes | RSS before | idle | after one GET | after closing | second round idle | after closing | still open | per connection: idle / after GET / second round |")
out("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for s in servers:
    d = idle[s]
    out(f"| {names[s]} | {d['processes']} | {d['before_kib']:,} KiB | {d['idle_kib']:,} KiB | "
        f"{d['used_kib']:,} KiB | {d['after_kib']:,} KiB | {d['idle2_kib']:,} KiB | {d['after2_kib']:,} KiB | "
        f"{d['alive']:,} and {d['alive2']:,} of {d['n']:,} | {d['per_idle']:,.0f} / {d['per_used']:,.0f} / "
        f"{d['per_idle2']:,.0f} B |")
out("")
out("ChaCha20-Poly1305 against AES-128-GCM on this CPU, 16 KiB records (one TLS record), MB/s:")
out("")
out("| library | AES-128-GCM | ChaCha20-Poly1305 | ChaCha / AES |")
out("|---|---:|---:|---:|")
out(f"| OpenSSL (`openssl speed -evp`; h2load's and browsers' side) | {ossl['aes-128-gcm']:,.0f} | "
    f"{ossl['chacha20-poly1305']:,.0f} | {ossl['chacha20-poly1305'] / ossl['aes-128-gcm']:.2f}× |")
if mbed:
    out(f"| mbedTLS 2.28 (a loop over its AEAD calls; kiln-edge's side) | {mbed['aes-128-gcm']:,.0f} | "
        f"{mbed['chacha20-poly1305']:,.0f} | {mbed['chacha20-poly1305'] / mbed['aes-128-gcm']:.2f}× |")
if suites:
    out("")
    out("(b) over TLS against kiln-edge with the client offering one suite:")
    out("")
    out("| h2load -m | AES-128-GCM req/s (server CPU/req) | ChaCha20-Poly1305 req/s (server CPU/req) | ChaCha / AES |")
    out("|---|---:|---:|---:|")
    for m in ("10", "100"):
        a, c = suites.get((suite, m)), suites.get((chacha, m))
        if a and c:
            out(f"| {m} | {a['rps']:,.0f} ({a['cpu_us']:.0f} µs) | {c['rps']:,.0f} ({c['cpu_us']:.0f} µs) | "
                f"{c['rps'] / a['rps']:.2f}× |")
out("")
out(f"kiln-edge options: `{edge_opts} -l … --listen-tls … --tls-cert ecdsa.crt --tls-key ecdsa.key`; "
    "nginx: edge.sh's configuration with `worker_processes 1`, `sendfile off`, `http2` on both "
    "listen lines and tls.sh's TLS lines; h2o: the configuration in bench/README.md.")
text = "\n".join(lines) + "\n"
print()
print(text)
with open(results, "w") as f:
    f.write(text)
print(f"(written to {results})")
EOF
