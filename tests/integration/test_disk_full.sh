# Output to a full filesystem (a small tmpfs): the run fails with status 1,
# says which output file could not be written and why, and neither crashes
# nor hangs.  After space is freed, `huibao run --resume` completes and the
# results equal a clean run's.  Twice: a disk full before anything is
# journalled (200 KB), and one that fills mid-run (3 MB).  Needs root (mount).
# results.sqlite too equals a clean run's after the resume (its writer
# thread may be the one that met the full disk).
. "$(dirname "$0")/lib.sh"

mnt=$TMP/mnt
mkdir -p "$mnt"
if [ "$(id -u)" -ne 0 ]; then
    skip "disk full" "mounting a small tmpfs needs root"
    exit 0
fi
if ! mount -t tmpfs -o size=200k tmpfs "$mnt" 2>"$TMP/mount.err"; then
    skip "disk full" "mount -t tmpfs is not permitted here: $(head -n 1 "$TMP/mount.err")"
    exit 0
fi
trap 'jobs -p | xargs -r kill -9 2>/dev/null; umount "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null; rm -rf "$TMP"' EXIT

in=$TMP/in
seed_corpus "$in" 120
small=$TMP/small   # 100 documents, about 2.7 MB of output
mkdir -p "$small"
for d in $(ls "$in" | head -n 20); do cp -r "$in/$d" "$small/"; done
"$BIN/huibao" run -q -j 2 -o "$TMP/clean_small" "$small" >/dev/null 2>&1
"$BIN/huibao" run -q -j 2 -o "$TMP/clean" "$in" >/dev/null 2>&1
check "clean runs wrote 100 and 600 documents" \
    [ "$(wc -l <"$TMP/clean_small/docs.jsonl")" -eq 100 -a "$(wc -l <"$TMP/clean/docs.jsonl")" -eq 600 ]


running() { pgrep -f "$1" >/dev/null; }
# full NAME SIZE INPUT CLEAN: a run into a SIZE tmpfs, then --resume with room.
full() {
    local name=$1 size=$2 input=$3 clean=$4 out=$mnt/$1 status n
    mount -o remount,size="$size" "$mnt"
    timeout 180 "$BIN/huibao" run -j 2 --no-progress -o "$out" "$input" >"$TMP/$name.out" 2>"$TMP/$name.err"
    status=$?
    check "$name: a run into a full $size filesystem fails with 1, in time (got $status)" [ "$status" -eq 1 ]
    check "$name: the error names the output file and the full disk" \
        grep -qE "$out/((paragraphs\.jsonl|docs\.jsonl|errors\.jsonl|resume\.tsv|towns\.csv|summary\.json): (write failed|could not be written completely): No space left on device|results\.sqlite: .*: database or disk is full)" \
        "$TMP/$name.err"
    check "$name: no stage crashed" eval '! grep -qE "killed by signal|died|exited with status|keeps failing" "$TMP/$name.err"'
    check "$name: no stage is left running" wait_for 10 not running "$out"
    check "$name: the run does not claim success" eval '! grep -q "^results in" "$TMP/$name.out"'
    grep -E "No space|disk full|write failed" "$TMP/$name.err" | head -n 2 | sed 's/^/# /'

    mount -o remount,size=64m "$mnt"
    "$BIN/huibao" run -j 2 --no-progress --resume -o "$out" "$input" >"$TMP/$name.res.out" 2>"$TMP/$name.res.err"
    check "$name: with room again, --resume finishes with 0" [ $? -eq 0 ]
    n=$(sed -n 's/.*resuming: \([0-9]*\) documents.*/\1/p' "$TMP/$name.res.err")
    echo "# $name: the resumed run kept ${n:-0} documents of the failed one"
    check "$name: resumed paragraphs equal the clean run's" \
        cmp -s <(sorted_units "$clean/paragraphs.jsonl") <(sorted_units "$out/paragraphs.jsonl")
    check "$name: resumed towns.csv equals the clean run's" cmp -s "$clean/towns.csv" "$out/towns.csv"
    check "$name: resumed results.sqlite equals the clean run's" \
        cmp -s <(results_dump "$clean") <(results_dump "$out")
    check "$name: the journal agrees with the outputs" consistent "$out"
    check "$name: the summary counts every document and says complete" \
        "$PY" -c "import json,sys; a=json.load(open('$clean/summary.json'))['total']; s=json.load(open('$out/summary.json'));
sys.exit(not (s['complete'] and s['total']['documents'] == a['documents'] and s['total']['units'] == a['units']))"
    rm -rf "$out"
}
full tiny 200k "$small" "$TMP/clean_small"
full midrun 3m "$in" "$TMP/clean"
