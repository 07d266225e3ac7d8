#!/bin/sh
# tools/deploy.sh: deploy a site with kiln, in the four steps of docs/cdn.md.
#   1. kiln-build SRC_DIR into ROOT/<release id>/, with purge.json computed
#      against ROOT/current (the release being served) and dcz deltas against
#      the newest releases of ROOT (--previous-releases; --delta-depth N among
#      KILN_BUILD_ARGS to change how many, default 3);
#   2. switch the ROOT/current symlink to it atomically (rename(2));
#   3. make kiln-edge load it (POST /-/reload on its admin port, or SIGHUP);
#      kiln-edge keeps the previous releases' fingerprinted assets servable;
#   4. purge from the CDN only what changed: purge.json's tags.
#
# usage: tools/deploy.sh [-r ROOT] [-a ADMIN_ADDR | -p PIDFILE]
#                        [-u VARNISH_URL] [-c PURGE_CMD] SRC_DIR [-- KILN_BUILD_ARGS...]
#   -r ROOT       where releases live (default: releases); kiln-edge serves ROOT/current
#   -a ADDR:PORT  kiln-edge's --admin address: reload and wait for the result
#   -p PIDFILE    or: send SIGHUP to the pid in PIDFILE
#   -u URL        purge a Varnish with xkey (docs/cdn/varnish.vcl): PURGE URL
#   -c CMD        or: run CMD with the tags as arguments (a CDN's purge API call)
# Environment: KILN_BUILD (default: kiln-build on PATH).
set -eu

root=releases admin= pidfile= purge_url= purge_cmd=
while getopts r:a:p:u:c: opt; do
    case $opt in
    r) root=$OPTARG ;;
    a) admin=$OPTARG ;;
    p) pidfile=$OPTARG ;;
    u) purge_url=$OPTARG ;;
    c) purge_cmd=$OPTARG ;;
    *) sed -n '/^# usage/,/^# Environment/p' "$0" >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || { sed -n '/^# usage/,/^# Environment/p' "$0" >&2; exit 2; }
src=$1
shift
[ "${1:-}" = -- ] && shift
kiln_build=${KILN_BUILD:-kiln-build}
mkdir -p "$root"

# 1. Build beside the other releases, then name the directory after the
#    release id (equal sources give equal ids: a rebuild is a no-op).
set -- "$@" -q -o "$root/.next"
set -- "$@" --previous-releases "$root"
"$kiln_build" "$@" "$src"
id=$(sed -n 's/^  "release": "\([0-9a-f]*\)",\{0,1\}$/\1/p' "$root/.next/kiln-manifest.json")
[ -n "$id" ] || { echo "deploy: no release id in $root/.next/kiln-manifest.json" >&2; exit 1; }
# What to purge is what differs from the release served now, as this build
# computed it: read before .next goes (a redeploy or a rollback to a release
# built before keeps that release's own purge.json, made against another).
tags=$(sed -n '/^  "tags": \[/,/^  \]/s/^    "\(.*\)",\{0,1\}$/\1/p' "$root/.next/purge.json")
if [ -d "$root/$id" ]; then
    rm -rf "$root/.next"
else
    mv "$root/.next" "$root/$id"
fi

# 2. Switch: a new symlink renamed over the old one, so kiln-edge (and anyone
#    else) sees the old release or the new one, never neither. The release's
#    directory is touched first: --previous-releases orders the releases
#    beside current by modification time, so it is the order of deploys.
touch "$root/$id"
ln -sfn "$id" "$root/current.tmp"
mv -T "$root/current.tmp" "$root/current"
echo "deploy: $root/current -> $id"

# 3. Reload. The admin endpoint answers once the release is loaded, or 500
#    with the reason (the old release keeps serving).
if [ -n "$admin" ]; then
    curl -fsS -X POST "http://$admin/-/reload"
elif [ -n "$pidfile" ]; then
    kill -HUP "$(cat "$pidfile")"
fi

# 4. Purge: purge.json's tags ("url:/index.html" ...), one per line.
if [ -z "$tags" ]; then
    echo "deploy: nothing to purge"
elif [ -n "$purge_url" ]; then
    curl -fsS -X PURGE -H "xkey-purge: $(echo $tags)" "$purge_url" >/dev/null
    echo "deploy: purged" $tags
elif [ -n "$purge_cmd" ]; then
    # shellcheck disable=SC2086 # one argument per tag
    $purge_cmd $tags
else
    echo "deploy: purge these tags from the CDN:" $tags
fi
