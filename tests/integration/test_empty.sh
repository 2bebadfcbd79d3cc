# Files that yield nothing are said: a document without a unit has status
# "empty" and a reason and is named in the closing line; a run that read no
# document at all exits 3 and says why.
. "$(dirname "$0")/lib.sh"

in=$TMP/in
mkdir -p "$in"
cp tests/data/seeds/000_*.txt "$in/"
printf 'Hello.\n' >"$in/english.txt"
"$BIN/huibao" run -q --no-progress -o "$TMP/out" "$in" >"$TMP/stdout" 2>"$TMP/err"
check "a run with an empty document exits 0" [ $? -eq 0 ]
check "docs.jsonl gives it status empty with a reason" grep -q '"file":"[^"]*english.txt".*"units":0,"status":"empty","reason":"' "$TMP/out/docs.jsonl"
check "the other document is ok" grep -q '"units":[1-9][0-9]*,"status":"ok"' "$TMP/out/docs.jsonl"
check "the closing line names it" grep -q "1 without a unit.*english.txt" "$TMP/stdout"

mkdir -p "$TMP/none"
"$BIN/huibao" run -q --no-progress -p '*.md' -o "$TMP/o2" tests/data/seeds >"$TMP/stdout" 2>"$TMP/err"
check "a pattern that matches nothing exits 3" [ $? -eq 3 ]
check "and says why" grep -q "none of the 5 files in the folders given matches --pattern '\*.md'" "$TMP/err"
"$BIN/huibao" run -q --no-progress -o "$TMP/o3" "$TMP/none" >"$TMP/stdout" 2>"$TMP/err"
check "an empty folder exits 3" [ $? -eq 3 ]
check "and says why" grep -q "the folders given hold no file" "$TMP/err"
