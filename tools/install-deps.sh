#!/bin/sh
# Installs the Debian packages huibao needs, when missing.  Used by
# `make demo` and by CI (.ci/run).  Needs root or sudo for apt-get.
set -eu
pkgs="build-essential pkg-config libzmq3-dev libmsgpack-dev libpcre2-dev libuchardet-dev libsqlite3-dev libcsv-dev \
libcmocka-dev python3 python3-zmq python3-msgpack python3-yaml"
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing:$missing"
if [ "$(id -u)" -eq 0 ]; then
    sudo=""
elif command -v sudo >/dev/null 2>&1; then
    sudo="sudo"
else
    echo "huibao: these Debian packages are missing and installing them needs root:$missing" >&2
    exit 1
fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
