#!/usr/bin/env bash
# The README's two commands, as typed, on a fresh Debian 12 machine.
#
# A machine where kiln's packages are already installed (a developer's, CI's)
# cannot show that `make demo` and `make test` install everything they use, or
# that they install before they build. This script makes a fresh one: a
# debootstrapped Debian 12 minbase with only `make gcc git` added, as every
# machine of this kind comes, in a chroot under $KILN_FRESH_DIR
# (/var/cache/kiln-fresh), outside the checkout. Into it it clones the
# repository this script lives in, at HEAD (KILN_FRESH_REV picks another commit:
# committed work only), and as root there runs:
#   make demo   in the background, on a free port (DEMO_LISTEN); from outside
#               the chroot (same network namespace) GET / must answer 200 and,
#               with Accept-Encoding: br, Content-Encoding: br; then SIGTERM to
#               its process group;
#   make test   which must exit 0 with a last line ending ", 0 failed".
# Prints TAP lines; exits 1 on the first failure, 2 when it cannot run.
#
# Chroot artefacts are handled here, never in the Makefile: the mounts (/proc,
# /sys, /dev, /dev/pts, a tmpfs /dev/shm for chromium), /etc/resolv.conf,
# /etc/hosts, a policy-rc.d so installed services (varnish) do not start, and
# this machine's own local CA certificates (/usr/local/share/ca-certificates:
# where https goes through an egress proxy, npm needs its CA; Debian's node
# reads the system store). A test that fails only in here for want of a package
# is a bug of the Makefile's install lists: that is what this check exists to
# catch (it found nginx missing from make deps).
#
# Cached between runs in $KILN_FRESH_DIR: base.tar (the debootstrap plus make,
# gcc, git; remade after KILN_FRESH_MAX_DAYS=30 days or when the mirror
# changes) and apt-archives/ (the .debs apt fetched, bind-mounted at the
# chroot's /var/cache/apt/archives: apt still resolves and installs every
# package, it just need not download it again) and npm/ (npm's cache for
# tests/frameworks/, bind-mounted at the chroot's /var/cache/kiln-npm, its
# KILN_NPM_CACHE: npm ci still installs every site from its lockfile; the sites
# themselves are built afresh in the chroot). The mirror is the one this
# machine's apt sources use for bookworm. Logs: $KILN_FRESH_DIR/logs/. The
# chroot is kept after a failure, for a look, and removed after a pass.
# Every mount is made in a private mount namespace (unshare) and unmounted by the
# EXIT trap, so none outlives the script even if it is killed.
# Needs root. Measured on this project's 2-core machine, shared: 15 min the first
# time (debootstrap 100 s, make demo 34 s, make test 760 s with every download),
# 13 min cached (make test 674 s).
set -euo pipefail

if [ "$(id -u)" != 0 ]; then
    echo "not ok 1 - tests/fresh/run.sh needs root (debootstrap, chroot, mounts)"
    exit 2
fi
self=$(readlink -f "$0")
if [ -z "${KILN_FRESH_NS:-}" ]; then
    export KILN_FRESH_NS=1
    exec unshare --mount --propagation private -- bash "$self" "$@"
fi

FRESH=${KILN_FRESH_DIR:-/var/cache/kiln-fresh}
MAX_DAYS=${KILN_FRESH_MAX_DAYS:-30}
DEMO_WAIT=${KILN_FRESH_DEMO_WAIT:-900}   # seconds: install, build, listen
TEST_WAIT=${KILN_FRESH_TEST_WAIT:-2400}  # seconds: install, build, every test
SUITE=bookworm
SRC=$(git -C "$(dirname "$self")" rev-parse --show-toplevel)
REV=$(git -C "$SRC" rev-parse "${KILN_FRESH_REV:-HEAD}^{commit}")
export DEBIAN_FRONTEND=noninteractive

mkdir -p "$FRESH/logs" "$FRESH/apt-archives/partial" "$FRESH/npm"
FRESH=$(readlink -f "$FRESH")
CACHE=$FRESH
ROOT=$FRESH/root
LOGS=$FRESH/logs
# shellcheck source=tests/lib/chroot.sh
. "$(dirname "$self")/../lib/chroot.sh"
trap 'chroot_cleanup $?' EXIT
trap 'exit 130' INT TERM HUP

# ---- the host's tools and the mirror -------------------------------------------------------

host_install() {
    local missing=() p
    for p in "$@"; do
        dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "# installing on the host: ${missing[*]}"
    apt-get install -y -qq "${missing[@]}" >"$LOGS/host-apt.log" 2>&1 ||
        { apt-get update -qq && apt-get install -y -qq "${missing[@]}"; } >>"$LOGS/host-apt.log" 2>&1
}

t=$SECONDS
host_install debootstrap curl || not_ok "the host's tools (debootstrap, curl) install" "$LOGS/host-apt.log"
find_mirror
ok "Debian 12 from this machine's apt sources: $MIRROR${SECURITY:+, $SECURITY}"

# ---- the base: debootstrap + make gcc git, cached ------------------------------------------

stale=$(base_stale "$MAX_DAYS")
if [ -n "$stale" ]; then
    t=$SECONDS
    # What every machine of this kind has; ca-certificates for npm's https.
    make_base 'apt-get update -qq && apt-get install -y -qq make gcc git ca-certificates && apt-get clean'
    ok "debootstrap $SUITE minbase + make gcc git, cached in $CACHE/base.tar ($stale; $(since $t))"
else
    rm -f "$FRESH/sources.list.new"
    ok "the cached base $CACHE/base.tar (debootstrap $SUITE minbase + make gcc git)"
fi

# ---- the fresh machine ---------------------------------------------------------------------

t=$SECONDS
new_root
mkdir -p "$ROOT/var/cache/kiln-npm"
mount_in --bind "$FRESH/npm" "$ROOT/var/cache/kiln-npm"
if ls /usr/local/share/ca-certificates/*.crt >/dev/null 2>&1; then
    cp /usr/local/share/ca-certificates/*.crt "$ROOT/usr/local/share/ca-certificates/"
    chroot "$ROOT" "${LOGIN[@]}" update-ca-certificates >"$LOGS/ca.log" 2>&1 ||
        not_ok "this machine's CA certificates in the chroot" "$LOGS/ca.log"
fi
git clone -q --no-checkout "$SRC" "$ROOT/root/kiln"
git -C "$ROOT/root/kiln" checkout -q --detach "$REV"
[ -z "$(git -C "$SRC" status --porcelain --untracked-files=no)" ] ||
    echo "# $SRC has uncommitted changes: only commit $REV is tested"
ok "a fresh chroot $ROOT with a clone of $SRC at $(git -C "$SRC" rev-parse --short "$REV") ($(since $t))"

# ---- make demo -----------------------------------------------------------------------------

# A port nothing listens on, below Linux's ephemeral range.
free_port() {
    local p i
    for i in $(seq 100); do
        p=$((20000 + RANDOM % 12000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            echo "$p"
            return 0
        fi
    done
    return 1
}
port=$(free_port) || not_ok "a free port on 127.0.0.1"
url=http://127.0.0.1:$port/
t=$SECONDS
# setsid: make demo leads its own process group, so one kill stops make,
# its sub-make and kiln-edge.
setsid chroot "$ROOT" "${LOGIN[@]}" sh -c "cd /root/kiln && exec make demo DEMO_LISTEN=127.0.0.1:$port" \
    </dev/null >"$LOGS/demo.log" 2>&1 &
demo=$!
up=
while [ $((SECONDS - t)) -lt "$DEMO_WAIT" ]; do
    if curl -s -o /dev/null --max-time 5 "$url"; then
        up=1
        break
    fi
    kill -0 "$demo" 2>/dev/null || break
    sleep 2
done
if [ -z "$up" ]; then
    if kill -0 "$demo" 2>/dev/null; then
        not_ok "make demo serves at $url within $DEMO_WAIT s" "$LOGS/demo.log"
    fi
    rc=0
    wait "$demo" || rc=$?
    not_ok "make demo serves at $url (it exited with status $rc first)" "$LOGS/demo.log"
fi
ok "make demo installs, builds and serves at $url ($(since $t))"

code=$(curl -sS -o /dev/null -w '%{http_code}' --max-time 10 "$url" 2>&1) || true
[ "$code" = 200 ] || not_ok "make demo: GET / answers 200 (got $code)"
ok "make demo: GET / answers 200"

curl -sS -D "$LOGS/demo-br.head" -o /dev/null --max-time 10 -H 'Accept-Encoding: br' "$url" \
    >/dev/null 2>&1 || true
tr -d '\r' <"$LOGS/demo-br.head" | grep -qi '^content-encoding: *br$' ||
    not_ok "make demo: GET / with Accept-Encoding: br has Content-Encoding: br" "$LOGS/demo-br.head"
ok "make demo: GET / with Accept-Encoding: br has Content-Encoding: br"

kill -TERM -- "-$demo" 2>/dev/null || true
t=$SECONDS
while kill -0 -- "-$demo" 2>/dev/null && [ $((SECONDS - t)) -lt 30 ]; do sleep 0.5; done
if kill -0 -- "-$demo" 2>/dev/null; then
    kill -KILL -- "-$demo" 2>/dev/null || true
    not_ok "make demo stops within 30 s of SIGTERM" "$LOGS/demo.log"
fi
wait "$demo" 2>/dev/null || true
ok "make demo stops on SIGTERM to its process group"

# ---- make test -----------------------------------------------------------------------------

t=$SECONDS
rc=0
# In the background so that a signal to this script is handled at once (wait
# returns; the EXIT trap kills what runs in the chroot).
timeout --kill-after=30 "$TEST_WAIT" chroot "$ROOT" "${LOGIN[@]}" sh -c 'cd /root/kiln && exec make test' \
    </dev/null >"$LOGS/test.log" 2>&1 &
wait $! || rc=$?
last=$(tail -n 1 "$LOGS/test.log")
[ "$rc" = 0 ] || not_ok "make test exits 0 within $TEST_WAIT s (exit $rc)" "$LOGS/test.log"
case $last in
*", 0 failed") ;;
*) not_ok "make test's last line ends in \", 0 failed\" (it is: $last)" "$LOGS/test.log" ;;
esac
ok "make test installs, builds and passes: \"$last\" ($(since $t))"

passed=1
echo "1..$n"
echo "# tests/fresh/run.sh: $(since "$started") in all"
