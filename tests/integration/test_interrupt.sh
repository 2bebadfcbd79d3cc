# Ctrl-C finishes what is in flight and writes it; --resume continues; a run
# whose aggregator is killed outright also resumes.  The end result equals a
# clean run's, byte for byte.
. "$(dirname "$0")/lib.sh"

in=$TMP/in
seed_corpus "$in" 120
"$BIN/huibao" run -q -j 2 -o "$TMP/clean" "$in" >/dev/null 2>&1
sorted_units "$TMP/clean/paragraphs.jsonl" >"$TMP/clean.sorted"
results_dump "$TMP/clean" >"$TMP/clean.db"
check "the clean run's results.sqlite is whole" [ $? -eq 0 -a -s "$TMP/clean.db" ]


"$BIN/huibao" run -j 2 --no-progress -o "$TMP/int" "$in" >"$TMP/int.out" 2>"$TMP/int.err" &
launcher=$!
# Interrupt once the run is under way (a first document written), however
# fast or slow this build is.
wait_for 120 test -s "$TMP/int/docs.jsonl"
kill -INT $launcher
wait $launcher
status=$?
check "an interrupted run exits 130" [ "$status" -eq 130 ]
check "it says how to continue" grep -q -- "--resume" "$TMP/int.out" "$TMP/int.err"
n=$(wc -l <"$TMP/int/docs.jsonl")
check "it wrote some documents, not all ($n of 600)" [ "$n" -gt 0 ] && [ "$n" -lt 600 ]
check "what it wrote is whole and journalled" consistent "$TMP/int"
check "its summary says incomplete" grep -q '"complete":false' "$TMP/int/summary.json"
"$BIN/huibao" run -q -j 2 --resume -o "$TMP/int" "$in" >"$TMP/res.out" 2>&1
check "--resume finishes with 0" [ $? -eq 0 ]
check "resumed paragraphs equal the clean run's" cmp -s "$TMP/clean.sorted" <(sorted_units "$TMP/int/paragraphs.jsonl")
check "resumed towns.csv equals the clean run's" cmp -s "$TMP/clean/towns.csv" "$TMP/int/towns.csv"
check "the resumed summary counts all 600" grep -q '"documents":600,' "$TMP/int/summary.json"
check "resumed results.sqlite equals the clean run's" cmp -s "$TMP/clean.db" <(results_dump "$TMP/int")
# report.html's largest figures are kept as the figures go in: a resumed
# run reads those of the documents written before back from the database.
figures() { sed -n '/<section id="figures">/,/<\/section>/p' "$1/report.html"; }
check "resumed report.html lists the clean run's largest figures" \
    cmp -s <(figures "$TMP/clean") <(figures "$TMP/int")
check "and they are there" grep -q '<td>' <(figures "$TMP/int")

# A crash: the aggregator killed with -9 mid-run; the journal keeps what is whole.
"$BIN/huibao" run -q -j 2 -o "$TMP/crash" "$in" >/dev/null 2>&1 &
launcher=$!
wait_for 120 test -s "$TMP/crash/docs.jsonl"
pkill -9 -P $launcher -f huibao-aggregate
wait $launcher
check "a run whose aggregator dies fails with 1" [ $? -eq 1 ]
"$BIN/huibao" run -q -j 2 --resume -o "$TMP/crash" "$in" >/dev/null 2>&1
check "--resume after a crash finishes with 0" [ $? -eq 0 ]
check "after the crash, paragraphs equal the clean run's" cmp -s "$TMP/clean.sorted" <(sorted_units "$TMP/crash/paragraphs.jsonl")
check "after the crash, towns.csv equals the clean run's" cmp -s "$TMP/clean/towns.csv" "$TMP/crash/towns.csv"
check "and the journal agrees with the outputs" consistent "$TMP/crash"
check "after the crash, results.sqlite equals the clean run's" cmp -s "$TMP/clean.db" <(results_dump "$TMP/crash")

# Output files limited in size (ulimit -f): a write fails (results.sqlite's
# writer thread meets it too, mid-transaction); the run fails with 1 and
# says so, and --resume then gives the clean run's results.
(ulimit -f 2048; exec "$BIN/huibao" run -j 2 --no-progress -o "$TMP/fsize" "$in" >"$TMP/fsize.out" 2>"$TMP/fsize.err")
check "a run over ulimit -f fails with 1" [ $? -eq 1 ]
check "it names the limit" grep -q "ulimit -f" "$TMP/fsize.err"
check "it does not claim success" eval '! grep -q "^results in" "$TMP/fsize.out"'
"$BIN/huibao" run -q -j 2 --resume -o "$TMP/fsize" "$in" >/dev/null 2>&1
check "--resume after it finishes with 0" [ $? -eq 0 ]
check "after it, paragraphs equal the clean run's" cmp -s "$TMP/clean.sorted" <(sorted_units "$TMP/fsize/paragraphs.jsonl")
check "and the journal agrees with the outputs" consistent "$TMP/fsize"
check "after it, results.sqlite equals the clean run's" cmp -s "$TMP/clean.db" <(results_dump "$TMP/fsize")
