# A bad configuration is said once, by the launcher's check, before any
# stage starts, and leaves the output folder unused.
. "$(dirname "$0")/lib.sh"

"$BIN/huibao" run --no-progress -j 3 -t /nonexistent.conf -o "$TMP/out" tests/data/seeds >"$TMP/stdout" 2>"$TMP/err"
check "a missing topics file is a usage error (2)" [ $? -eq 2 ]
check "said once" [ "$(grep -c "/nonexistent.conf" "$TMP/err")" -eq 1 ]
check "and no stage was started" not grep -q "finishing\|documents handed out\|stopping" "$TMP/err"
check "the output folder is left unused" [ ! -e "$TMP/out/inputs.tsv" ] && [ ! -e "$TMP/out/docs.jsonl" ]
printf '[figure x]\npattern = (\n' >"$TMP/bad.conf"
"$BIN/huibao" run --no-progress -j 3 -f "$TMP/bad.conf" -o "$TMP/out" tests/data/seeds >"$TMP/stdout" 2>"$TMP/err"
check "a bad figures file is a usage error (2)" [ $? -eq 2 ]
check "said once, with its name" [ "$(grep -c "bad.conf" "$TMP/err")" -eq 1 ]
printf '[stage classify]\noptions = --no-such-option\n' >"$TMP/pipe.conf"
"$BIN/huibao" run --no-progress -c "$TMP/pipe.conf" -o "$TMP/out" tests/data/seeds >"$TMP/stdout" 2>"$TMP/err"
check "a bad option in the pipeline file is a usage error (2)" [ $? -eq 2 ]
check "said once" [ "$(grep -c "no-such-option" "$TMP/err")" -eq 1 ]
"$BIN/huibao-classify" --check --topics configs/topics.conf --figures configs/figures.conf
check "huibao-classify --check accepts the shipped configs" [ $? -eq 0 ]
"$BIN/huibao" run --no-progress -j 3 -m /nonexistent.csv -o "$TMP/out" tests/data/seeds >"$TMP/stdout" 2>"$TMP/err"
check "a missing --meta file is a usage error (2)" [ $? -eq 2 ]
check "said once, before any stage started" [ "$(grep -c "/nonexistent.csv" "$TMP/err")" -eq 1 ] && not grep -q "stopping\|handed out" "$TMP/err"
check "the output folder is still unused" [ ! -e "$TMP/out/inputs.tsv" ]
