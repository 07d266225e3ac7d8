#!/bin/sh
# Builds kiln_<version>_amd64.deb with dpkg-deb (no debhelper), as make deb
# runs it: packaging/build-deb.sh KILN_BUILD KILN_EDGE OUT_DIR
#   KILN_BUILD, KILN_EDGE  the programs, built with dpkg-buildflags' hardening
#                          flags (the Makefile's build/deb/bin/); stripped here
#   OUT_DIR                where the staging tree and the .deb go; the .deb's
#                          path is also written to OUT_DIR/deb-path
# The version is the programs' own (kiln-edge --version) plus the commit:
# 0.1.0+git<commits>.<hash>, ".dirty" after it when tracked files differ from
# HEAD. The man pages are made from docs/kiln-build.md and docs/kiln-edge.md by
# pandoc, the dependencies by dpkg-shlibdeps, the control file by
# dpkg-gencontrol. Then lintian checks the package: any error or warning that
# packaging/debian/lintian-overrides does not justify fails the build.
set -eu

[ $# -eq 3 ] || { sed -n '2,6p' "$0" >&2; exit 2; }
kb=$1 ke=$2 out=$3
top=$(cd "$(dirname "$0")/.." && pwd)
pk=$top/packaging

upstream=$("$ke" --version | awk '{ print $2 }')
[ "$("$kb" --version | awk '{ print $2 }')" = "$upstream" ] ||
    { echo "build-deb.sh: kiln-build and kiln-edge report different versions" >&2; exit 1; }
version=$upstream
if git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
    version=$upstream+git$(git -C "$top" rev-list --count HEAD).$(git -C "$top" rev-parse --short=7 HEAD)
    [ -z "$(git -C "$top" status --porcelain --untracked-files=no)" ] || version=$version.dirty
    # Timestamps (man pages, changelog, file mtimes) from the commit: the
    # same commit gives the same package.
    SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$top" log -1 --format=%ct)}
fi
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(date +%s)}
arch=$(dpkg --print-architecture)
date_r=$(date -u -d "@$SOURCE_DATE_EPOCH" -R)
date_man=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%d)

mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$out/work
root=$work/root
rm -rf "$work"
mkdir -p "$work/debian" "$root/DEBIAN"

# ---- the files ------------------------------------------------------------------------------

inst() { # inst MODE SRC DEST
    install -D -m "$1" "$2" "$root$3"
}
inst 0755 "$kb" /usr/bin/kiln-build
inst 0755 "$ke" /usr/sbin/kiln-edge
# What dh_strip does, without the -dbgsym package.
strip --strip-unneeded --remove-section=.comment --remove-section=.note \
    "$root/usr/bin/kiln-build" "$root/usr/sbin/kiln-edge"

# Debian 12 keeps system units in /lib (usrmerge aside).
inst 0644 "$pk/kiln-edge.service" /lib/systemd/system/kiln-edge.service

# The configuration: kiln-edge.conf (every option at its default) with the
# package's release and listen lines. Each edit must have matched.
conf=$root/etc/kiln/kiln-edge.conf
mkdir -p "$(dirname "$conf")"
{
    sed -n '1p' "$top/kiln-edge.conf"
    cat <<'EOF'
#
# Installed by the kiln package as /etc/kiln/kiln-edge.conf, for
# kiln-edge.service. It differs from kiln-edge's defaults in two places,
# marked "(kiln package)": the release it serves, /var/lib/kiln/site/current,
# and the addresses it listens on, port 80 of every IPv4 and IPv6 address.
# The rest of this file describes the defaults. After a change:
# systemctl restart kiln-edge (a reload re-reads the release, not this file).
EOF
    sed -e '1d' \
        -e 's|^# release /srv/www/current$|# (kiln package) where tools/deploy.sh -r /var/lib/kiln/site deploys:\nrelease /var/lib/kiln/site/current|' \
        -e 's|^listen 127.0.0.1:8080$|# (kiln package) port 80; kiln-edge.service grants CAP_NET_BIND_SERVICE.\nlisten *:80\nlisten [::]:80|' \
        -e 's|^# Use it with:  kiln-edge --config kiln-edge.conf dist$|# Use it with:  kiln-edge --config /etc/kiln/kiln-edge.conf|' \
        "$top/kiln-edge.conf"
} >"$conf"
for want in '^release /var/lib/kiln/site/current$' '^listen \*:80$' '^listen \[::\]:80$' \
    '^# Use it with:  kiln-edge --config /etc/kiln/kiln-edge.conf$'; do
    grep -q "$want" "$conf" ||
        { echo "build-deb.sh: kiln-edge.conf changed: no line $want after the edits" >&2; exit 1; }
done
chmod 0644 "$conf"
inst 0644 "$pk/debian/logrotate" /etc/logrotate.d/kiln

# Man pages from docs/: from NAME on (the title line and the status note above
# it are the web page's), headings one level up (## NAME is .SH NAME).
man() { # man PAGE SECTION
    sed -n '/^## NAME$/,$p' "$top/docs/$1.md" |
        pandoc -f markdown-smart -t man -s --shift-heading-level-by=-1 --lua-filter "$pk/debian/man.lua" \
            -M title="$(echo "$1" | tr a-z A-Z)" -M section="$2" -M date="$date_man" \
            -M footer="kiln $upstream" -M header="kiln manual" |
        # Left-aligned, not justified: groff cannot justify the tables' narrow
        # columns and says so (lintian's groff-message).
        sed '/^\.TH /a .ad l' >"$work/$1.$2"
    gzip -9n <"$work/$1.$2" >"$work/$1.$2.gz"
    inst 0644 "$work/$1.$2.gz" "/usr/share/man/man$2/$1.$2.gz"
}
man kiln-build 1
man kiln-edge 8

doc=/usr/share/doc/kiln
inst 0644 "$pk/debian/copyright" $doc/copyright
inst 0644 "$top/docs/packaging.md" $doc/packaging.md
inst 0644 "$pk/debian/lintian-overrides" /usr/share/lintian/overrides/kiln
# A native package: its changelog is the project's, one entry per build.
cat >"$work/debian/changelog" <<EOF
kiln ($version) unstable; urgency=medium

  * Built from commit $(git -C "$top" rev-parse HEAD 2>/dev/null || echo unknown).
    The project's history is its git log.

 -- kiln maintainers <maintainers@kiln.invalid>  $date_r
EOF
gzip -9n <"$work/debian/changelog" >"$work/changelog.gz"
inst 0644 "$work/changelog.gz" $doc/changelog.gz

# ---- the control area -----------------------------------------------------------------------

for s in postinst prerm postrm; do inst 0755 "$pk/debian/$s" "/DEBIAN/$s"; done
printf '%s\n' /etc/kiln/kiln-edge.conf /etc/logrotate.d/kiln >"$root/DEBIAN/conffiles"
cp "$pk/debian/control" "$work/debian/control"
(
    cd "$work"
    dpkg-shlibdeps -Tdebian/substvars -e"$root/usr/bin/kiln-build" -e"$root/usr/sbin/kiln-edge"
    dpkg-gencontrol -pkiln -v"$version" -Tdebian/substvars -P"$root"
)
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z |
    xargs -0 md5sum >DEBIAN/md5sums)
chmod 0644 "$root/DEBIAN/md5sums" "$root/DEBIAN/control" "$root/DEBIAN/conffiles"
find "$root" -type d -exec chmod 0755 {} +

deb=$out/kiln_${version}_$arch.deb
rm -f "$out"/kiln_*.deb
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "$deb" >"$out/deb-path"
echo "built $deb ($(du -k "$deb" | cut -f1) KiB)"
grep '^Depends:' "$root/DEBIAN/control"

# ---- lintian --------------------------------------------------------------------------------

lintian --fail-on error,warning --display-info "$deb"
