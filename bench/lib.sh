# shellcheck shell=sh
# shellcheck disable=SC2034,SC2154 # variables set here are used by the scripts that source it, and the reverse
# What bench/edge.sh and bench/tls.sh share: sourced, never run. The caller
# sets bench_name (for messages) and `top` (the repository), then calls, in
# this order: bench_tools, bench_workdir, bench_machine, bench_corpus,
# bench_ports, bench_nginx_conf, and starts its servers with their pids in
# edge_pid and nginx_pid (the cleanup kills those two and any pids the caller
# adds to more_pids, by pid, and nothing else).
#
# Environment read here (defaults as edge.sh documents them): KILN_EDGE,
# KILN_BUILD, NGINX, BENCH_PKG, BENCH_WORK, BENCH_KEEP, BENCH_DURATION,
# BENCH_REPS, BENCH_CONNS.

KILN_EDGE=${KILN_EDGE:-$top/bin/kiln-edge}
KILN_BUILD=${KILN_BUILD:-$top/bin/kiln-build}
BENCH_PKG=${BENCH_PKG:-swagger-ui-dist@5}
BENCH_DURATION=${BENCH_DURATION:-10s}
BENCH_REPS=${BENCH_REPS:-3}
BENCH_CONNS=${BENCH_CONNS:-64}
BROTLI_MOD=/usr/lib/nginx/modules/ngx_http_brotli_static_module.so
dur_s=${BENCH_DURATION%s}

die() {
    echo "bench/$bench_name: $*" >&2
    exit 1
}

# npm_in DIR SPEC...: npm install into DIR/node_modules, once per work
# directory (bundle.sh and lower.sh fetch their inputs and peers so).
npm_in() {
    d=$1
    shift
    [ -f "$d/.installed" ] && [ "$(cat "$d/.installed")" = "$*" ] && return 0
    mkdir -p "$d"
    npm install --prefix "$d" --no-save --no-audit --no-fund --no-package-lock \
        --loglevel=error "$@" >/dev/null || die "npm install $* failed (network? registry?)"
    echo "$*" >"$d/.installed"
}

# ---- tools ------------------------------------------------------------------

# bench_tools "TOOL..." "APT-PACKAGES": nginx with brotli_static, the tools
# every bench needs, the extra TOOLs, and the kiln binaries.
bench_tools() {
    if [ -z "${NGINX:-}" ]; then
        NGINX=$(command -v nginx 2>/dev/null || true)
        [ -n "$NGINX" ] || [ ! -x /usr/sbin/nginx ] || NGINX=/usr/sbin/nginx
    fi
    missing=
    [ -n "$NGINX" ] && [ -x "$NGINX" ] || missing="$missing nginx"
    [ -f "$BROTLI_MOD" ] || missing="$missing libnginx-mod-http-brotli-static"
    for t in wrk curl python3 tar npm $1; do
        command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
    done
    [ -z "$missing" ] ||
        die "missing:$missing (apt-get install nginx libnginx-mod-http-brotli-static wrk curl python3$2; npm comes with nodejs)"
    [ -x "$KILN_EDGE" ] || die "no $KILN_EDGE: run 'make' first"
    [ -x "$KILN_BUILD" ] || die "no $KILN_BUILD: run 'make' first"
}

# ---- work directory and cleanup -----------------------------------------------

# bench_workdir PREFIX "SCRATCH...": $work (BENCH_WORK, else a temporary
# directory), the EXIT trap, and a fresh scratch area. SCRATCH names more
# entries of the work directory to remove at start and end (globs allowed).
edge_pid=
nginx_pid=
more_pids=
bench_workdir() {
    bench_scratch_extra=$2
    if [ -n "${BENCH_WORK:-}" ]; then
        work=$BENCH_WORK
        mkdir -p "$work"
    else
        work=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
    fi
    trap bench_cleanup EXIT
    trap 'exit 130' INT TERM
    bench_scratch
    mkdir -p "$work/dl" "$work/src" "$work/out" "$work/nginx/logs" "$work/nginx/tmp" "$work/wrk"
}
bench_scratch() {
    rm -rf "$work/src" "$work/nginx" "$work/out" "$work/wrk" \
        "$work"/head.* "$work"/body.* "$work/urls" "$work/edge.log"
    for e in $bench_scratch_extra; do
        # shellcheck disable=SC2086 # e may be a glob
        rm -rf "${work:?}"/$e
    done
}
bench_cleanup() {
    # Only the processes this script started, by their pid.
    for p in $edge_pid $nginx_pid $more_pids; do
        kill "$p" 2>/dev/null || true
    done
    for p in $edge_pid $nginx_pid $more_pids; do
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
        bench_scratch # the download and the kiln-build cache stay
    else
        rm -rf "$work"
    fi
}

# bench_machine: $ncpu and $load, printed, with a warning when busy.
bench_machine() {
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
}

# ---- corpus and release -------------------------------------------------------

# bench_corpus: fetches BENCH_PKG, adds hello.html (1,024 bytes), builds the
# release $rel with kiln-build, and picks the URLs under test: $url_a (the
# page, $size_a bytes) and $url_b, the JS file closest to 260 KiB with a br
# variant ($size_b bytes, $size_b_br as br, source $src_b). $pkg_version.
# When the caller sets bench_site (a directory), the source tree is a copy of
# it plus hello.html plus, under js/, only the package's top-level JS file
# closest to 260 KiB (and its source map): a real site with one real large
# script.
bench_corpus() {
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
    if [ -n "${bench_site:-}" ]; then
        cp -R "$bench_site" "$work/src/site"
        big=$(python3 -c '
import os, sys
d = sys.argv[1]
js = [(abs(os.path.getsize(os.path.join(d, f)) - 260 * 1024), f) for f in os.listdir(d)
      if f.endswith(".js") and os.path.isfile(os.path.join(d, f))]
print(min(js)[1] if js else "")' "$src")
        [ -n "$big" ] || die "$pkg_version has no top-level JavaScript file"
        mkdir -p "$work/src/site/js"
        cp "$src/$big" "$work/src/site/js/"
        [ ! -f "$src/$big.map" ] || cp "$src/$big.map" "$work/src/site/js/"
        echo "   $(basename "$bench_site") plus js/$big from $pkg_version"
        src=$work/src/site
    fi

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
}

# ---- servers ------------------------------------------------------------------

# bench_ports: two free ports on 127.0.0.1, $edge_port and $nginx_port.
bench_ports() {
    ports=$(python3 -c '
import socket
ss = [socket.socket() for _ in range(2)]
for s in ss: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in ss])')
    read -r edge_port nginx_port <<EOF
$ports
EOF
}

# nginx's TLS lines, as kiln-edge is set up: the same certificate ($certs),
# protocol, suite ($SUITE), groups and session resumption (tickets and a
# session cache shared by the workers). For bench_nginx_conf's directives.
nginx_tls_lines() {
    echo "
        ssl_certificate $certs/ecdsa.crt;
        ssl_certificate_key $certs/ecdsa.key;
        ssl_protocols TLSv1.2;
        ssl_ciphers $SUITE;
        ssl_prefer_server_ciphers on;
        ssl_ecdh_curve X25519:prime256v1;
        ssl_session_cache shared:SSL:10m;
        ssl_session_timeout 1h;
        ssl_session_tickets on;"
}

# bench_nginx_conf "LISTEN-OPTIONS" "SERVER-DIRECTIVES": $work/nginx/nginx.conf,
# nginx configured as a fair static origin (every directive is explained in
# bench/README.md), listening on 127.0.0.1:$nginx_port with LISTEN-OPTIONS
# (e.g. "reuseport"), serving $rel, plus SERVER-DIRECTIVES in its server block;
# $nginx_workers worker processes (default 2, one per core), sendfile
# $nginx_sendfile (default on).
# Workers run as the invoking user, who can read the work directory (mktemp
# makes it 0700); as root nginx would otherwise switch them to nobody.
bench_nginx_conf() {
    user_line=
    [ "$(id -u)" != 0 ] || user_line="user $(id -un) $(id -gn);"
    cat >"$work/nginx/nginx.conf" <<EOF
load_module $BROTLI_MOD;
$user_line
daemon off;
master_process on;
worker_processes ${nginx_workers:-2};
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
    sendfile ${nginx_sendfile:-on};
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
        listen 127.0.0.1:$nginx_port $1;
        root $rel;$2
    }
}
EOF
}

# bench_start_nginx: nginx on $work/nginx/nginx.conf, its pid in $nginx_pid.
bench_start_nginx() {
    "$NGINX" -p "$work/nginx" -c "$work/nginx/nginx.conf" -e "$work/nginx/logs/error.log" \
        >"$work/nginx/logs/stdout" 2>&1 &
    nginx_pid=$!
}

# wait_up NAME PID URL LOG [CURL-OPTION...]: until URL answers.
wait_up() {
    wu_name=$1 wu_pid=$2 wu_url=$3 wu_log=$4
    shift 4
    i=0
    while ! curl -s -o /dev/null "$@" "$wu_url"; do
        kill -0 "$wu_pid" 2>/dev/null || { cat "$wu_log" >&2; die "$wu_name exited at start"; }
        i=$((i + 1))
        [ $i -lt 100 ] || die "$wu_name does not answer on $wu_url"
        sleep 0.1
    done
}

# check LABEL URL ACCEPT-ENCODING: both servers ($edge_base, $nginx_base, e.g.
# http://127.0.0.1:PORT; curl options in $curl_opts) answer 200 with the same
# Content-Length, Content-Encoding and bytes; stops if not.
check() {
    for s in kiln-edge nginx; do
        if [ "$s" = nginx ]; then b=$nginx_base; else b=$edge_base; fi
        # shellcheck disable=SC2086 # curl_opts is a list
        curl -s $curl_opts -o "$work/body.$s" -D "$work/head.$s" -H "Accept-Encoding: $3" \
            "$b$2" || die "$s: $2: request failed"
    done
    python3 - "$work" "$1" "$2" "$3" "$bench_name" <<'EOF'
import sys
work, label, url, ae, bench = sys.argv[1:]
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
    sys.exit(f"bench/{bench}: {url}: not 200 from both servers")
if k[1:] != n[1:]:
    sys.exit(f"bench/{bench}: {url}: the servers send different representations")
EOF
}

# ---- measuring ----------------------------------------------------------------

# server_ticks PID: CPU time (clock ticks) of a server: the process and its
# children (nginx's workers); a process's own figure already sums its
# threads (kiln-edge's).
server_ticks() {
    for p in $1 $(pgrep -P "$1"); do
        cat "/proc/$p/stat" 2>/dev/null
    done | awk '{ sub(/.*\) /, ""); t += $12 + $13 } END { print t + 0 }'
}

# run_wrk OUT BASE PID URL [WRK-OPTION...]: one wrk run against BASE+URL;
# OUT gets wrk's output, OUT.cpu the server's CPU ticks during it and CLK_TCK.
run_wrk() {
    out=$1 base=$2 pid=$3 url=$4
    shift 4
    t0=$(server_ticks "$pid")
    timeout $((dur_s + 30)) wrk -t2 -c"$BENCH_CONNS" -d"$BENCH_DURATION" --latency "$@" \
        "$base$url" >"$out" 2>&1 || die "wrk failed: $(cat "$out")"
    echo "$(($(server_ticks "$pid") - t0)) $(getconf CLK_TCK)" >"$out.cpu"
}

# print_wrk OUT: req/s, p50, p99 and any errors of one wrk run, on one line.
print_wrk() {
    awk '/^Requests\/sec:/ { r = $2 } $1 == "50%" { p50 = $2 } $1 == "99%" { p99 = $2 }
        /Non-2xx|Socket errors/ { e = e "; " $0 }
        END { printf "   %s req/s, p50 %s, p99 %s%s\n", r, p50, p99, e }' "$1"
}

# abba R: the servers in the order of repetition R (ABBA: alternate which
# goes first, so drift hits both).
abba() {
    if [ $(($1 % 2)) = 1 ]; then echo "edge nginx"; else echo "nginx edge"; fi
}

# server_of S: port, base URL and pid of server S (edge or nginx).
server_of() {
    if [ "$1" = edge ]; then
        port=$edge_port pid=$edge_pid base=$edge_base
    else
        port=$nginx_port pid=$nginx_pid base=$nginx_base
    fi
}

# alive: both servers still run, else stop.
alive() {
    kill -0 "$edge_pid" 2>/dev/null || die "kiln-edge died: $(tail -5 "$work/edge.log")"
    kill -0 "$nginx_pid" 2>/dev/null || die "nginx died"
}

# wrk_ab: tests (a) ($url_a, identity) and (b) ($url_b, Accept-Encoding: br)
# on both servers, BENCH_REPS repetitions in ABBA order; outputs in
# $work/wrk/T.SERVER.R.
wrk_ab() {
    for t in a b; do
        if [ "$t" = a ]; then url=$url_a; else url=$url_b; fi
        r=1
        while [ $r -le "$BENCH_REPS" ]; do
            for s in $(abba $r); do
                server_of "$s"
                echo "== ($t) $s, repetition $r: wrk -t2 -c$BENCH_CONNS -d$BENCH_DURATION --latency$([ $t = b ] && echo " -H 'Accept-Encoding: br'") $base$url"
                if [ "$t" = a ]; then
                    run_wrk "$work/wrk/$t.$s.$r" "$base" "$pid" "$url"
                else
                    run_wrk "$work/wrk/$t.$s.$r" "$base" "$pid" "$url" -H 'Accept-Encoding: br'
                fi
                print_wrk "$work/wrk/$t.$s.$r"
                alive
            done
            r=$((r + 1))
        done
    done
}
