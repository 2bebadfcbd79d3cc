# A worker killed mid-run costs time, not data: kill -9 classify and split
# workers at several points; the results must equal a clean run's, byte for byte.
# By default the reader splits (huibao-read --split); with a pipeline config
# that places split, split runs as its own worker and is killed too.
. "$(dirname "$0")/lib.sh"

in=$TMP/in
seed_corpus "$in" 120
"$BIN/huibao" run -q -j 2 -o "$TMP/clean" "$in" >/dev/null 2>&1
check "clean run of 600 documents exits 0" [ $? -eq 0 ]
check "clean run wrote 600 documents" [ "$(wc -l <"$TMP/clean/docs.jsonl")" -eq 600 ]
sorted_units "$TMP/clean/paragraphs.jsonl" >"$TMP/clean.sorted"

# The same run with split as its own process (configs/pipeline.conf places
# it): the very same results.
"$BIN/huibao" run -q -j 2 -c configs/pipeline.conf -o "$TMP/alone" "$in" >/dev/null 2>&1
check "split alone (pipeline config) gives the fused run's results, byte for byte" \
    cmp -s "$TMP/clean.sorted" <(sorted_units "$TMP/alone/paragraphs.jsonl")
check "split alone: docs.jsonl and towns.csv equal the fused run's" \
    eval 'cmp -s "$TMP/clean/docs.jsonl" "$TMP/alone/docs.jsonl" && cmp -s "$TMP/clean/towns.csv" "$TMP/alone/towns.csv"'

# kill_run NAME ROLE WHEN [ARGS]: start a run, kill -9 one ROLE worker as soon as
# one runs (WHEN=start) or once a first document is written (WHEN=flowing):
# points in the run that do not depend on how fast this build is.
kill_run() {
    local name=$1 role=$2 when=$3
    "$BIN/huibao" run -j 2 --no-progress "${@:4}" --retry-after 1 -o "$TMP/$name" "$in" >/dev/null 2>"$TMP/$name.err" &
    local launcher=$!
    local victim=
    local end=$((SECONDS + 120))
    while [ $SECONDS -lt $end ] && kill -0 "$launcher" 2>/dev/null; do
        if [ "$when" = start ] || [ -s "$TMP/$name/docs.jsonl" ]; then
            # a worker, not the launcher's --check of the configs
            victim=$(pgrep -P "$launcher" -f "huibao-$role --in" | head -n 1)
            [ -n "$victim" ] && break
        fi
        sleep 0.01
    done
    [ -n "$victim" ] && kill -9 "$victim"
    wait "$launcher"
    local status=$?
    check "$name: killed a $role worker (pid ${victim:-none}) and the run exits 0" \
        [ -n "$victim" ] && [ "$status" -eq 0 ]
    check "$name: paragraphs equal the clean run's" \
        cmp -s "$TMP/clean.sorted" <(sorted_units "$TMP/$name/paragraphs.jsonl")
    check "$name: towns.csv equals the clean run's" cmp -s "$TMP/clean/towns.csv" "$TMP/$name/towns.csv"
}
kill_run classify_early classify start
kill_run classify_late classify flowing
kill_run split_early split start -c configs/pipeline.conf
kill_run split_late split flowing -c configs/pipeline.conf
check "the launcher says it restarted a worker" grep -q "starting it again" "$TMP/classify_early.err"
