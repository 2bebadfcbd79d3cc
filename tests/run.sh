#!/usr/bin/env bash
# Runs every test: the cmocka unit tests in $BUILD/tests and the integration
# scripts in tests/integration, all speaking TAP ("ok - …" / "not ok - …").
# Ends with the line "N passed, N failed"; exits 1 when anything failed.
set -u
cd "$(dirname "$0")/.."
export BUILD=${BUILD:-build} BIN=${BIN:-bin} SHARED=${SHARED:-../shared}
export BIN_ABS=$(cd "$BIN" && pwd)
pass=0
fail=0
skipped=0

# Reads TAP on stdin, echoes it, counts.  A program that crashes before
# reporting (a sanitizer abort, a segfault) is one failure of its own.
tally() {
    local name=$1 status out p f s
    out=$(mktemp)
    "${@:2}" >"$out" 2>&1
    status=$?
    # "ok …" passes, "not ok …" fails, either with "# SKIP" is skipped.
    p=$(grep '^ok ' "$out" | grep -vc '# SKIP')
    f=$(grep '^not ok ' "$out" | grep -vc '# SKIP')
    s=$(grep -cE '^(not )?ok .*# SKIP|^# SKIP' "$out")
    grep -E '^(ok|not ok) ' "$out" | sed "s|^|[$name] |"
    if [ "$f" -gt 0 ] || [ "$status" -ne 0 ]; then
        grep -vE '^(ok|not ok) |^1\.\.[0-9]+$|^# ' "$out" | tail -n 40 | sed 's/^/    | /'
    fi
    if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "not ok - [$name] exited with status $status before reporting a failure"
        f=1
    fi
    rm -f "$out"
    pass=$((pass + p))
    fail=$((fail + f))
    skipped=$((skipped + s))
}

for t in "$BUILD"/tests/test_*; do
    [ -x "$t" ] || continue
    tally "$(basename "$t")" env CMOCKA_MESSAGE_OUTPUT=TAP "$t"
done
for s in tests/integration/*.sh; do
    [ "$(basename "$s")" = lib.sh ] && continue
    tally "$(basename "$s" .sh)" bash "$s"
done
echo "$pass passed, $fail failed, $skipped skipped"
[ "$fail" -eq 0 ]
