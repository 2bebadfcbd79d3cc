# Every program answers --help, refuses bad usage with status 2 and a message.
. "$(dirname "$0")/lib.sh"

for p in huibao huibao-read huibao-split huibao-classify huibao-aggregate; do
    "$BIN/$p" --help >"$TMP/help" 2>&1
    check "$p --help exits 0" [ $? -eq 0 ]
    check "$p --help prints usage" grep -q "^usage: " "$TMP/help"
    "$BIN/$p" --no-such-option >"$TMP/err" 2>&1
    check "$p rejects an unknown option with status 2" [ $? -eq 2 ]
    check "$p names the unknown option" grep -q -- "--no-such-option" "$TMP/err"
done
# --version: "PROGRAM VERSION" from every program a user runs, one version for all.
version=$(sed -n 's/^#define HB_VERSION "\(.*\)"/\1/p' common/hb_version.h)
check "common/hb_version.h sets the version" [ -n "$version" ]
for p in huibao huibao-read huibao-split huibao-classify huibao-aggregate \
         "$BUILD"/examples/hb-* "$BUILD"/tools/hb-feed "$BUILD"/tools/hb-sink "$BUILD"/tools/gencorpus; do
    case $p in */*) prog=$p; [ -x "$prog" ] || continue ;; *) prog=$BIN/$p ;; esac
    out=$("$prog" --version 2>&1)
    check "$(basename "$prog") --version exits 0" [ $? -eq 0 ]
    check "$(basename "$prog") --version says \"NAME $version\" ($out)" \
        sh -c 'case "$1" in *" $2") [ "$(printf "%s\n" "$1" | wc -l)" -eq 1 ] ;; *) false ;; esac' _ "$out" "$version"
done
check "huibao version" [ "$("$BIN/huibao" version)" = "huibao $version" ]
check "huibao --version" [ "$("$BIN/huibao" --version)" = "huibao $version" ]
check "huibao run --version" [ "$("$BIN/huibao" run --version)" = "huibao $version" ]
# huibao help [COMMAND]
"$BIN/huibao" help >"$TMP/help" 2>&1
check "huibao help exits 0" [ $? -eq 0 ]
for c in run relay keygen train version help; do
    check "huibao help lists $c" grep -q "^  $c " "$TMP/help"
done
for c in run relay keygen train; do
    "$BIN/huibao" help $c >"$TMP/h1" 2>&1
    check "huibao help $c exits 0" [ $? -eq 0 ]
    "$BIN/huibao" $c --help >"$TMP/h2" 2>&1
    check "huibao help $c prints huibao $c --help" cmp -s "$TMP/h1" "$TMP/h2"
    "$BIN/huibao" $c -h >"$TMP/h3" 2>&1
    check "huibao $c -h is huibao $c --help" cmp -s "$TMP/h2" "$TMP/h3"
done
"$BIN/huibao" help run | grep -q "^usage: huibao run"
check "huibao help run is run's usage" [ $? -eq 0 ]
"$BIN/huibao" help frobnicate >/dev/null 2>"$TMP/err"
check "huibao help on an unknown command exits 2" [ $? -eq 2 ]
check "and names it" grep -q frobnicate "$TMP/err"
# -o - : a run writes a folder, not a stream
"$BIN/huibao" run -o - tests/data/seeds >"$TMP/out" 2>"$TMP/err"
check "-o - exits 2" [ $? -eq 2 ]
check "-o - says why and what to do" grep -q "paragraphs.jsonl" "$TMP/err"
check "-o - writes nothing on stdout" [ ! -s "$TMP/out" ]
check "-o - leaves no folder named -" [ ! -e ./- ]
"$BIN/huibao" run --help >"$TMP/help" 2>&1
check "huibao run --help lists --jobs" grep -q -- "--jobs" "$TMP/help"
"$BIN/huibao" run >/dev/null 2>&1
check "huibao run without paths exits 2" [ $? -eq 2 ]
"$BIN/huibao" run -o "$TMP/o" /no/such/folder >/dev/null 2>"$TMP/err"
check "huibao run on a missing path exits 2" [ $? -eq 2 ]
check "and names it" grep -q "/no/such/folder" "$TMP/err"
"$BIN/huibao" frobnicate >/dev/null 2>&1
check "an unknown command exits 2" [ $? -eq 2 ]
"$BIN/huibao-classify" --in '>ipc:///tmp/x' --out '>ipc:///tmp/y' --topics /no/such.conf >/dev/null 2>"$TMP/err"
check "classify with a missing config fails" [ $? -ne 0 ]
check "and names the file" grep -q "/no/such.conf" "$TMP/err"
printf '[topic a]\nkeywords = 党建:x\n' >"$TMP/bad.conf"
"$BIN/huibao-classify" --in '>ipc:///tmp/x' --out '>ipc:///tmp/y' --topics "$TMP/bad.conf" >/dev/null 2>"$TMP/err"
check "a bad keyword weight is reported with file and line" grep -q "bad.conf:2" "$TMP/err"
# The README's first command on a fresh checkout: -o names folders that do not exist yet.
# GNU forms: bundled flags, -j1, --output=DIR, and -- before the paths.
"$BIN/huibao" run -qj1 --no-progress --output="$TMP/new/deeper/run1" -- tests/data/seeds >/dev/null 2>"$TMP/err"
check "-o creates missing parent folders (mkdir -p)" [ $? -eq 0 ]
check "and writes there" [ -s "$TMP/new/deeper/run1/paragraphs.jsonl" ]
check "-qj1 --output=DIR -- PATH: quiet, no log on stderr" [ ! -s "$TMP/err" ]
"$BIN/huibao" run -j 0 -o "$TMP/j0" tests/data/seeds >/dev/null 2>"$TMP/err"
check "-j 0 without --listen exits 2" [ $? -eq 2 ]
touch "$TMP/afile"
"$BIN/huibao" run -q --no-progress -o "$TMP/afile/out" tests/data/seeds >/dev/null 2>"$TMP/err"
check "-o under a file fails with 1 and says why" [ $? -eq 1 ] && grep -q "cannot create the output folder: Not a directory" "$TMP/err"
