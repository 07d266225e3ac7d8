# shellcheck shell=bash
# What the two chroot checks share (tests/fresh/run.sh: the README's commands
# on a fresh Debian 12; tests/package/run.sh: the .deb installed into one):
# TAP lines, mounts that are undone, the mirror this machine's apt uses, and a
# debootstrapped base cached between runs. Sourced by bash after the caller
# has set ROOT (the chroot), CACHE (its cache folder), LOGS and SUITE, under
# set -euo pipefail, in a private mount namespace (unshare), as root.

# ---- TAP ------------------------------------------------------------------------------------

n=0
started=$SECONDS
ok() {
    n=$((n + 1))
    echo "ok $n - $*"
}
# not_ok DESCRIPTION [LOG]: the failure, the log's tail (TAIL_LINES lines),
# and the end of the run.
not_ok() {
    n=$((n + 1))
    echo "not ok $n - $1"
    if [ -n "${2:-}" ] && [ -f "$2" ]; then
        echo "#   last lines of $2:"
        tail -n "${TAIL_LINES:-60}" "$2" | sed 's/^/#     /'
    fi
    echo "1..$n"
    exit 1
}
since() { echo "$((SECONDS - $1)) s"; }

# ---- mounts and processes, undone by chroot_cleanup ----------------------------------------

mounts=()
passed=0
# The processes whose root is the chroot (or a copy beside it: $ROOT*).
chroot_pids() {
    find /proc -mindepth 2 -maxdepth 2 -name root -lname "$ROOT*" 2>/dev/null |
        sed 's,^/proc/\([0-9]*\)/root$,\1,'
}
# mounted_under DIR: prints the mount points at or below DIR.
mounted_under() {
    awk -v d="$1" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo
}
mount_in() { # mount ARGS... TARGET: mounts, and remembers TARGET for cleanup
    mount "$@"
    mounts+=("${*: -1}")
}
unmount_all() {
    local i
    for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do umount "${mounts[i]}"; done
    mounts=()
}
# chroot_cleanup RC: stops every process in the chroot (TERM, then KILL),
# unmounts what mount_in mounted, removes the chroot after a pass (passed=1)
# or keeps it for a look, and exits with RC. For the caller's EXIT trap.
chroot_cleanup() {
    local rc=$1 pids i m sig
    set +e
    for sig in TERM KILL; do
        pids=$(chroot_pids)
        [ -n "$pids" ] || break
        # shellcheck disable=SC2086
        kill -s $sig $pids 2>/dev/null
        for i in $(seq 50); do
            [ -n "$(chroot_pids)" ] || break
            sleep 0.1
        done
    done
    for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
        m=${mounts[i]}
        umount "$m" 2>/dev/null || umount -l "$m" || echo "# could not unmount $m"
    done
    if [ -n "$(mounted_under "$ROOT")" ]; then
        echo "# still mounted under $ROOT (gone with this mount namespace):"
        mounted_under "$ROOT" | sed 's/^/#   /'
    elif [ "$passed" = 1 ]; then
        rm -rf --one-file-system "$ROOT"
    elif [ -d "$ROOT" ]; then
        echo "# the chroot is kept for a look: $ROOT (logs: $LOGS)"
    fi
    exit "$rc"
}

# base_mounts DIR: what apt, dpkg and chromium need inside DIR.
base_mounts() {
    mount_in -t proc proc "$1/proc"
    mount_in --bind /sys "$1/sys"
    mount_in --bind /dev "$1/dev"
    mount_in --bind /dev/pts "$1/dev/pts"
    mount_in -t tmpfs -o mode=1777,nosuid,nodev shm "$1/dev/shm"
}
# A login's environment as on a fresh machine (root's HOME, the default PATH),
# none of this shell's: chroot DIR "${LOGIN[@]}" COMMAND...
LOGIN=(/usr/bin/env -i HOME=/root TERM=dumb
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin)
# chroot_artefacts DIR: what a real machine has and a bare chroot lacks.
chroot_artefacts() {
    cp -L /etc/resolv.conf "$1/etc/resolv.conf"
    grep -qs localhost "$1/etc/hosts" ||
        printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$1/etc/hosts"
    # No service starts from a package's postinst (varnish would listen on :6081).
    printf '#!/bin/sh\nexit 101\n' >"$1/usr/sbin/policy-rc.d"
    chmod 755 "$1/usr/sbin/policy-rc.d"
}

# ---- the mirror ----------------------------------------------------------------------------

# Prints "URI SUITE" for every deb source of this machine, deb822 (*.sources)
# and one-line (sources.list, *.list) alike.
apt_sources() {
    local f
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        awk '
        function flush(  i, j) {
            if (types ~ /(^| )deb( |$)/ && enabled != "no")
                for (i = 1; i <= nu; i++) for (j = 1; j <= ns; j++) print u[i], s[j]
            types = ""; enabled = ""; nu = ns = 0
        }
        /^[ \t]*#/ { next }
        /^[ \t]*$/ { flush(); next }
        tolower($1) == "types:" { types = ""; for (i = 2; i <= NF; i++) types = types " " $i; types = types " " }
        tolower($1) == "uris:" { nu = 0; for (i = 2; i <= NF; i++) u[++nu] = $i }
        tolower($1) == "suites:" { ns = 0; for (i = 2; i <= NF; i++) s[++ns] = $i }
        tolower($1) == "enabled:" { enabled = tolower($2) }
        END { flush() }' "$f"
    done
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        sed -e 's/#.*//' -e 's/\[[^]]*\]//' "$f" | awk '$1 == "deb" { print $2, $3 }'
    done
}
# uri_for SUITE: the first source URI that serves SUITE.
uri_for() { apt_sources | awk -v s="$1" '$2 == s { sub(/\/+$/, "", $1); print $1; exit }'; }

# Sets MIRROR, SECURITY and UPDATES from this machine's sources for $SUITE,
# and writes the chroot's sources.list to $CACHE/sources.list.new.
find_mirror() {
    MIRROR=$(uri_for "$SUITE")
    MIRROR=${MIRROR:-http://deb.debian.org/debian}
    SECURITY=$(uri_for "$SUITE-security")
    UPDATES=$(uri_for "$SUITE-updates")
    {
        echo "deb $MIRROR $SUITE main"
        [ -z "$UPDATES" ] || echo "deb $UPDATES $SUITE-updates main"
        [ -z "$SECURITY" ] || echo "deb $SECURITY $SUITE-security main"
    } >"$CACHE/sources.list.new"
}

# ---- the base: a debootstrap minbase, cached in $CACHE/base.tar -----------------------------

# base_stale MAX_DAYS: prints why $CACHE/base.tar must be made again (none
# cached, too old, the mirror changed), or nothing. After find_mirror.
base_stale() {
    if [ ! -s "$CACHE/base.tar" ]; then
        echo "none cached"
    elif [ -n "$(find "$CACHE/base.tar" -mtime +"$1")" ]; then
        echo "older than $1 days"
    elif ! cmp -s "$CACHE/sources.list.new" "$CACHE/sources.list"; then
        echo "the mirror changed"
    fi
}
# make_base [COMMAND]: debootstraps $SUITE's minbase from $MIRROR, runs
# COMMAND (a shell line) in it as a login would, mounts made, and keeps it
# as $CACHE/base.tar; the mirror it came from becomes $CACHE/sources.list.
make_base() {
    local tmp=$CACHE/base.tmp
    [ -z "$(mounted_under "$tmp")" ] || not_ok "no mounts left under $tmp from an earlier run"
    rm -rf --one-file-system "$tmp"
    debootstrap --variant=minbase "$SUITE" "$tmp" "$MIRROR" >"$LOGS/debootstrap.log" 2>&1 ||
        not_ok "debootstrap --variant=minbase $SUITE $MIRROR" "$LOGS/debootstrap.log"
    cp "$CACHE/sources.list.new" "$tmp/etc/apt/sources.list"
    if [ -n "${1:-}" ]; then
        chroot_artefacts "$tmp"
        base_mounts "$tmp"
        chroot "$tmp" "${LOGIN[@]}" sh -c "$1" >"$LOGS/base.log" 2>&1 ||
            not_ok "in the fresh base: $1" "$LOGS/base.log"
        unmount_all
        rm -f "$tmp/usr/sbin/policy-rc.d" "$tmp/etc/resolv.conf" "$tmp/etc/hosts"
    fi
    rm -rf "$tmp/var/cache/apt/archives"/*.deb
    tar -C "$tmp" -cf "$CACHE/base.tar.tmp" . && mv "$CACHE/base.tar.tmp" "$CACHE/base.tar"
    mv "$CACHE/sources.list.new" "$CACHE/sources.list"
    rm -rf --one-file-system "$tmp"
}
# new_root: $ROOT afresh from $CACHE/base.tar, with the artefacts and mounts
# of a real machine and apt's archives from $CACHE/apt-archives.
new_root() {
    [ -z "$(mounted_under "$ROOT")" ] || not_ok "no mounts left under $ROOT from an earlier run"
    rm -rf --one-file-system "$ROOT"
    mkdir -p "$ROOT"
    tar -C "$ROOT" -xf "$CACHE/base.tar"
    chroot_artefacts "$ROOT"
    base_mounts "$ROOT"
    mkdir -p "$ROOT/var/cache/apt/archives"
    mount_in --bind "$CACHE/apt-archives" "$ROOT/var/cache/apt/archives"
}
