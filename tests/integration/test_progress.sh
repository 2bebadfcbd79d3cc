# Progress on stderr: a line now and then when stderr is not a terminal, a
# live bar on a terminal, nothing with -q or --no-progress.  Never timed:
# --progress-every 0 shows it at every step of the aggregator, so even the
# quickest run shows it once.
. "$(dirname "$0")/lib.sh"

"$BIN/huibao" run --progress-every 0 -o "$TMP/a" tests/data/seeds >"$TMP/out" 2>"$TMP/err"
check "the run succeeds" [ $? -eq 0 ]
check "a progress line on stderr, not a terminal" grep -Eq '^huibao: [0-9]+/5 documents \([0-9]+%\), [0-9]+ units, 0 rejected, [0-9.]+ MB, [0-9]+ documents/s, [0-9.]+ MB/s' "$TMP/err"
check "lines, not a bar redrawn in place" not grep -q $'\r' "$TMP/err"
check "none on stdout" not grep -q "documents/s" "$TMP/out"
"$BIN/huibao" run -q --progress-every 0 -o "$TMP/b" tests/data/seeds >/dev/null 2>"$TMP/err"
check "-q: no progress line" not grep -q "documents/s" "$TMP/err"
"$BIN/huibao" run --no-progress --progress-every 0 -o "$TMP/c" tests/data/seeds >/dev/null 2>"$TMP/err"
check "--no-progress: no progress line" not grep -q "documents/s" "$TMP/err"
if command -v script >/dev/null; then
    script -qec "'$BIN/huibao' run --progress-every 0 -o '$TMP/d' tests/data/seeds" /dev/null >"$TMP/tty" 2>&1
    check "on a terminal: a bar redrawn in place" grep -q $'\r\033\\[K\\[[#.]*\\] huibao: [0-9]*/5 documents' "$TMP/tty"
    check "ended by a line break before the summary" grep -q '^huibao: 5 documents, ' <(tr '\r' '\n' <"$TMP/tty")
else
    skip "the terminal bar" "script(1) is missing (util-linux)"
fi
