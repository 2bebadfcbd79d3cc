# A run that cannot make progress fails instead of hanging (issue 15.1):
# with --listen and no worker ever connected, every document counts an
# attempt per --retry-after whether or not its send went through, is given
# up after --attempts with a reason that says no worker was connected, and
# the run exits 3.  The first Ctrl-C ends such a run within a few seconds.
# `timeout` only guards against the old hang; nothing here is timed.
. "$(dirname "$0")/lib.sh"

in=$TMP/in
seed_corpus "$in" 20   # 100 documents: more than the queues hold
port=$(free_port)
timeout 120 "$BIN/huibao" run -j 0 --no-progress --listen "127.0.0.1:$port" --retry-after 0.3 \
    --attempts 4 -o "$TMP/out" "$in" >"$TMP/run.out" 2>"$TMP/run.err"
status=$?
check "a run with no worker connected exits 3, not hangs (got $status)" [ "$status" -eq 3 ]
check "every file is in errors.jsonl" [ "$(wc -l <"$TMP/out/errors.jsonl" 2>/dev/null)" = 100 ]
check "the reason says no worker was connected" \
    grep -q '"reason":"not acknowledged after 4 attempts, and no document was written meanwhile: no worker was connected' "$TMP/out/errors.jsonl"
check "every reason says so" not grep -v "no worker was connected" "$TMP/out/errors.jsonl"

# Ctrl-C with no worker: the default --retry-after (30 s) would keep it for
# minutes; the first SIGINT ends it, as interrupted, resumable.
timeout 60 "$BIN/huibao" run -j 0 --no-progress --listen "127.0.0.1:$port" -o "$TMP/int" "$in" \
    >"$TMP/int.out" 2>"$TMP/int.err" &
launcher=$!
# Once the reader (the one given this run's key) is running and minds
# signals (the launcher does by then).
reader_of_int() { handles_term "$(pgrep -f "huibao-read .*$TMP/int/listen.key" | head -n 1)"; }
wait_for 120 reader_of_int
kill -INT $launcher
wait $launcher
status=$?
check "the first Ctrl-C ends a run with no worker, status 130 (got $status)" [ "$status" -eq 130 ]
check "it says how to continue" grep -q -- "--resume" "$TMP/int.out" "$TMP/int.err"
check "its summary says incomplete" grep -q '"complete":false' "$TMP/int/summary.json"
check "no document is recorded as done" not grep -qv "^#" "$TMP/int/resume.tsv"
