# A document's id is stable and the outputs are the same bytes whatever the
# number of workers, and whether the run was interrupted and resumed.  The
# journal keeps the exact bytes of every name, so --resume neither loses nor
# repeats a file with an odd name.
. "$(dirname "$0")/lib.sh"

run() { "$BIN/huibao" run -q --no-progress "$@"; }
in=$TMP/in
seed_corpus "$in" 120
run -j 1 -o "$TMP/one" "$in" >/dev/null 2>&1
check "a clean run with one worker exits 0" [ $? -eq 0 ]
run -j 3 --window 200 -o "$TMP/three" "$in" >/dev/null 2>&1
check "a clean run with three workers exits 0" [ $? -eq 0 ]
for f in docs.jsonl paragraphs.jsonl towns.csv errors.jsonl; do
    check "$f: the same bytes with 1 and 3 workers" cmp -s "$TMP/one/$f" "$TMP/three/$f"
done
ids() { "$PY" -c 'import json,sys; print(len({json.loads(l)["doc"] for l in open(sys.argv[1])}))' "$1"; }
check "600 documents, 600 distinct ids" [ "$(ids "$TMP/one/docs.jsonl")" -eq 600 ]

# Interrupted, then resumed: the same ids, the same bytes.
"$BIN/huibao" run -q --no-progress -j 2 -o "$TMP/int" "$in" >/dev/null 2>&1 &
launcher=$!
wait_for 120 test -s "$TMP/int/paragraphs.jsonl"
kill -INT $launcher
wait $launcher
before=$(wc -l <"$TMP/int/docs.jsonl")
"$BIN/huibao" run --no-progress -j 2 --resume -o "$TMP/int" "$in" >"$TMP/res.out" 2>/dev/null
check "the resumed run exits 0" [ $? -eq 0 ]
check "resumed: docs.jsonl equals the clean run's, ids and all" cmp -s "$TMP/one/docs.jsonl" "$TMP/int/docs.jsonl"
check "resumed: paragraphs.jsonl equals the clean run's" cmp -s "$TMP/one/paragraphs.jsonl" "$TMP/int/paragraphs.jsonl"
if [ "$before" -lt 600 ]; then
    units=$(wc -l <"$TMP/one/paragraphs.jsonl")
    new_units=$(($(wc -l <"$TMP/int/paragraphs.jsonl") - $("$PY" -c '
import json, sys
print(sum(json.loads(l)["units"] for l in list(open(sys.argv[1]))[:int(sys.argv[2])]))' "$TMP/one/docs.jsonl" "$before")))
    check "the closing line counts this run's documents and units ($((600 - before)), $new_units)" \
        grep -q "^huibao: $((600 - before)) documents, $new_units units, 0 rejected" "$TMP/res.out"
    check "and the whole run's ($units units)" grep -q "documents of the run resumed: 600 documents, $units units" "$TMP/res.out"
else
    skip "closing line of a resumed run" "the interrupted run had finished"
fi

# Odd names: two names that differ only in a byte that is not UTF-8, and
# names with a tab, a line break and a carriage return.
odd=$TMP/odd
mkdir -p "$odd/town$(printf '\376')" "$odd/town$(printf '\377')"
cp tests/data/seeds/000_*.txt "$odd/town$(printf '\376')/report.txt"
for n in "tab$(printf '\t')x" "nl$(printf '\nx')" "cr$(printf '\r')x"; do
    cp tests/data/seeds/001_*.txt "$odd/$n.txt"
done
run -o "$TMP/odd.out" "$odd" >/dev/null 2>&1
check "a run over odd names exits 0" [ $? -eq 0 ]
# The run was cut after the first folder: the second appears now.
cp tests/data/seeds/002_*.txt "$odd/town$(printf '\377')/report.txt"
run --resume -o "$TMP/odd.out" "$odd" >/dev/null 2>&1
check "--resume over odd names exits 0" [ $? -eq 0 ]
run --resume -o "$TMP/odd.out" "$odd" >/dev/null 2>&1
check "a second --resume exits 0" [ $? -eq 0 ]
check "every file is written once: 5 documents" [ "$(wc -l <"$TMP/odd.out/docs.jsonl")" -eq 5 ]
check "the \\xff folder's file is not taken for the \\xfe one's" grep -q '"file_bytes":"[0-9a-f]*746f776eff2f7265706f72742e747874"' "$TMP/odd.out/docs.jsonl"
check "outputs are valid UTF-8" iconv -f UTF-8 -t UTF-8 "$TMP/odd.out/docs.jsonl" "$TMP/odd.out/paragraphs.jsonl" -o /dev/null
check "the journal agrees with the outputs" "$PY" -c '
import json, sys
docs = [json.loads(l) for l in open(sys.argv[1] + "/docs.jsonl")]
units = sum(1 for _ in open(sys.argv[1] + "/paragraphs.jsonl"))
sys.exit(0 if units == sum(d["units"] for d in docs) else 1)' "$TMP/odd.out"

# Files added before those written make other ids: --resume says so and stops.
cp tests/data/seeds/003_*.txt "$odd/aaa.txt"
run --resume -o "$TMP/odd.out" "$odd" >/dev/null 2>"$TMP/err"
check "--resume after files were added before the written ones fails" [ $? -ne 0 ]
check "saying the inputs changed" grep -q "the inputs changed since the run" "$TMP/err"
check "and writes nothing" [ "$(wc -l <"$TMP/odd.out/docs.jsonl")" -eq 5 ]

# A folder given twice: each of its files is read twice, under two ids, and
# --resume knows both (it said "the inputs changed" and could never resume).
run -o "$TMP/twice" tests/data/seeds tests/data/seeds >/dev/null 2>&1
run --resume -o "$TMP/twice" tests/data/seeds tests/data/seeds >/dev/null 2>"$TMP/twice.err"
check "--resume of a run given the same folder twice exits 0" [ $? -eq 0 ]
check "and writes nothing twice: 10 documents" [ "$(wc -l <"$TMP/twice/docs.jsonl")" -eq 10 ]

# A file written with a later id that now comes earlier (a rejected file
# before it was removed) would be written twice: refused.
gap=$TMP/gap
mkdir -p "$gap"
cp tests/data/seeds/000_*.txt "$gap/a.txt"
printf 'bin\0ary' >"$gap/b.txt"
cp tests/data/seeds/001_*.txt "$gap/c.txt"
run -o "$TMP/gap.out" "$gap" >/dev/null 2>&1
rm "$gap/b.txt"
run --resume -o "$TMP/gap.out" "$gap" >/dev/null 2>"$TMP/gap.err"
check "--resume after a rejected file before a written one was removed fails" [ $? -ne 0 ]
check "saying the inputs changed, at the file written with another id" \
    grep -q "c.txt: the inputs changed since the run" "$TMP/gap.err"
