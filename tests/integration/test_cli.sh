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
"$BIN/huibao" run -q --no-progress -o "$TMP/new/deeper/run1" tests/data/seeds >/dev/null 2>"$TMP/err"
check "-o creates missing parent folders (mkdir -p)" [ $? -eq 0 ] && [ -s "$TMP/new/deeper/run1/paragraphs.jsonl" ]
touch "$TMP/afile"
"$BIN/huibao" run -q --no-progress -o "$TMP/afile/out" tests/data/seeds >/dev/null 2>"$TMP/err"
check "-o under a file fails with 1 and says why" [ $? -eq 1 ] && grep -q "cannot create the output folder: Not a directory" "$TMP/err"
