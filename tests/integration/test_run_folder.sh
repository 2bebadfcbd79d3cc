# An output folder belongs to one run: a run in progress holds it (a second
# one is refused, naming the holder), an earlier run's results are not
# overwritten without --force, --resume is refused on other inputs, and the
# summary never says complete when the journal could not be written.
. "$(dirname "$0")/lib.sh"

run() { "$BIN/huibao" run -q --no-progress "$@"; }
mkdir -p "$TMP/other"
cp tests/data/seeds/000_*.txt tests/data/seeds/001_*.txt "$TMP/other/"

out=$TMP/y
run -o "$out" tests/data/seeds >/dev/null 2>&1
check "a first run into a new folder exits 0" [ $? -eq 0 ]
cp "$out/docs.jsonl" "$TMP/first.docs"
run -o "$out" "$TMP/other" >/dev/null 2>"$TMP/err"
check "a second run into a used folder is refused with 2" [ $? -eq 2 ]
check "it says how to go on" grep -q -- "--resume continues it, --force replaces it" "$TMP/err"
check "and leaves the first run's results alone" cmp -s "$TMP/first.docs" "$out/docs.jsonl"
run --resume -o "$out" "$TMP/other" >/dev/null 2>"$TMP/err"
check "--resume with other inputs is refused with 2" [ $? -eq 2 ]
check "it says the inputs differ and lists the run's" grep -q "holds a run of other inputs" "$TMP/err" && grep -q "tests/data/seeds" "$TMP/err"
run --resume -o "$out" tests/data/seeds '-p' '*.md' >/dev/null 2>"$TMP/err"
check "--resume with another --pattern is refused with 2" [ $? -eq 2 ]
check "the refused runs left the results alone" cmp -s "$TMP/first.docs" "$out/docs.jsonl"
run --resume -o "$out" tests/data/seeds >/dev/null 2>&1
check "--resume with the same inputs is accepted" [ $? -eq 0 ]
check "and it has nothing to add" cmp -s "$TMP/first.docs" "$out/docs.jsonl"
run --force -o "$out" "$TMP/other" >/dev/null 2>&1
check "--force replaces the earlier run" [ $? -eq 0 ] && [ "$(wc -l <"$out/docs.jsonl")" -eq 2 ]
check "errors.jsonl is the new run's" [ ! -s "$out/errors.jsonl" ]

# A run in progress holds the folder: a second run, even with --force, is
# refused and told who holds it.  The holder here is a stand-in holding the
# same lock (flock on OUT/.lock) that a running aggregator holds.
busy=$TMP/busy
mkdir -p "$busy"
echo "pid 4242 run r1-4242" >"$busy/.lock"
flock -o "$busy/.lock" sleep 30 &
holder=$!
wait_for 60 not flock -n "$busy/.lock" true
run --force -o "$busy" tests/data/seeds >/dev/null 2>"$TMP/err"
check "a run into a folder in use is refused with 2" [ $? -eq 2 ]
check "naming the holder's pid" grep -q "in use by another run (pid 4242 run r1-4242)" "$TMP/err"
"$BIN/huibao-aggregate" --in "@ipc://$TMP/agg" --ctl "@ipc://$TMP/ctl" --acks ">ipc://$TMP/acks" -o "$busy" >/dev/null 2>"$TMP/err"
check "the aggregator on its own refuses it too" [ $? -eq 2 ] && grep -q "pid 4242" "$TMP/err"
check "nothing was written there" [ ! -e "$busy/docs.jsonl" ]
kill "$holder"
wait "$holder" 2>/dev/null
# The lock a crashed run leaves behind is stale: the kernel released it.
run -o "$busy" tests/data/seeds >/dev/null 2>&1
check "a stale lock (its run is gone) is taken over" [ $? -eq 0 ] && [ "$(wc -l <"$busy/docs.jsonl")" -eq 5 ]

# Two real runs at once: the second is refused while the first goes on.
seed_corpus "$TMP/many" 100
run -j 1 -o "$TMP/two" "$TMP/many" >/dev/null 2>&1 &
first=$!
wait_for 120 test -s "$TMP/two/docs.jsonl"
run --force -o "$TMP/two" tests/data/seeds >/dev/null 2>"$TMP/err"
second=$?
wait $first
check "the first of two concurrent runs ends 0" [ $? -eq 0 ]
if grep -q "in use by another run" "$TMP/err"; then
    check "the second concurrent run is refused with 2" [ "$second" -eq 2 ]
else
    skip "concurrent runs" "the first run ended before the second started"
fi
check "the first run's results are whole" consistent "$TMP/two" && [ "$(wc -l <"$TMP/two/docs.jsonl")" -eq 500 ]

# The journal cannot be written (here: resume.tsv is /dev/full): the run
# fails and its summary does not claim to be complete.
full=$TMP/full
mkdir -p "$full"
ln -s /dev/full "$full/resume.tsv"
run --force -o "$full" tests/data/seeds >/dev/null 2>"$TMP/err"
check "a run whose journal cannot be written fails with 1" [ $? -eq 1 ]
check "it says so" grep -q "resume.tsv" "$TMP/err"
check "its summary says incomplete" grep -q '"complete":false' "$full/summary.json"

# ulimit -f: said as such, not as "signal 25".
(ulimit -f 64; run -o "$TMP/fsize" tests/data/seeds) >/dev/null 2>"$TMP/err"
check "an output over ulimit -f fails with 1" [ $? -eq 1 ]
check "and says the file size limit was reached" grep -q "file size limit" "$TMP/err"
check "not a bare signal number" not grep -q "signal 25" "$TMP/err"

# A launcher killed with -9 leaves its socket folder; the next run removes
# it, and only if that launcher is gone and the folder is this user's.
dead=$(mktemp -d /tmp/huibao-XXXXXX)
live=$(mktemp -d /tmp/huibao-XXXXXX)
true &
gone=$!
wait $gone
echo "$gone" >"$dead/pid"
echo "$$" >"$live/pid"
run -o "$TMP/stale" tests/data/seeds >/dev/null 2>&1
check "a dead launcher's /tmp folder is removed" [ ! -e "$dead" ]
check "a live launcher's is kept" [ -e "$live/pid" ]
rm -rf "$dead" "$live"
