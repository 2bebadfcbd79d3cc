#!/usr/bin/env bash
# bench.sh — `make bench`: how fast huibao is and how much memory each stage
# holds, beside ripgrep and a plain Python script, on one generated corpus.
# docs/performance.md explains every number and holds the last results.
#
# In this order, in one command:
#   0. install ripgrep, python3 and GNU time when missing (make has built bin/
#      and build/tools/);
#   1. generate the corpora once: SIZE_MB, BIG_MB and PY_MB megabytes with the
#      same seed (each a prefix of the larger), cached in $BENCH_DIR;
#   2. (a) bin/huibao run -j $JOBS, end to end, timed, then the same with
#      --no-results-db (the cost of results.sqlite and report.html, a ratio);
#      the same pipeline started stage by stage over ipc, each stage under
#      /usr/bin/time, on SIZE_MB and on BIG_MB: peak RSS and CPU per stage;
#   3. (b) classify alone: split's output captured once (hb-sink --save, as a
#      tee in front of the aggregator so acks flow), then replayed with
#      hb-feed into 1, then 2 huibao-classify workers feeding an hb-sink;
#   4. (c) rg -o -F -f KEYWORDS over the corpus to /dev/null (all threads,
#      then -j1), KEYWORDS being every term of configs/topics.conf;
#   5. (d) tools/reference.py (Python re) on the first PY_MB megabytes;
#   6. (e) the peer (../shared/bench/peer.py, the short script an analyst
#      writes instead: the headline ratio) against huibao run, wall and CPU
#      of every process, on the generated corpus and on a real mixed corpus
#      (the seeds and national reports copied into folders up to REAL_MB);
#      huibao run -j1 beside -j JOBS, and the whole run pinned to one core
#      (taskset) beside all cores; rg with the figure regex as classify's
#      second pass;
#   7. (f) what two features cost, stage by stage in CPU seconds: script
#      detection and conversion (read and split --script auto against simplified) and
#      places and villages (the division list and classify's villages against
#      HB_DIVISION=/nonexistent with --no-villages), FEAT_REPS runs of each
#      on the first FEAT_MB megabytes (simplified only), interleaved;
#   8. the table, the ratios against the issue's targets, RSS at both sizes.
#
# `tools/bench.sh features` runs only (f).
# `tools/bench.sh profile` (make bench-profile) profiles split and classify
# instead, on a PROFILE_MB (10) corpus: see the profile section below.
#
# Environment: SIZE_MB (200), BIG_MB (2*SIZE_MB), SEED (1), PY_MB (smaller of
# 50 and SIZE_MB), FEAT_MB (the same), FEAT_REPS (5), REAL_MB (SIZE_MB), SHARED (../shared: the peer and the real
# corpus; without it those rows are skipped with a note), JOBS (2), BENCH_DIR ($BUILD/bench), BUILD (build), BIN (bin),
# KEEP=1 keeps the work folder (outputs, captured frames, per-stage times).
set -uo pipefail
case "${1:-}" in
-h | --help)
    sed -n '2,/^set -uo/p' "$0" | sed -n 's/^# \{0,1\}//p'
    exit 0 ;;
"" | profile | features) ;;
*) echo "usage: tools/bench.sh [profile|features] (see --help)" >&2; exit 2 ;;
esac
cd "$(dirname "$0")/.."

SIZE_MB=${SIZE_MB:-200}
BIG_MB=${BIG_MB:-}
[ -n "$BIG_MB" ] || BIG_MB=$((SIZE_MB * 2))
SEED=${SEED:-1}
PY_MB=${PY_MB:-$((SIZE_MB < 50 ? SIZE_MB : 50))}
FEAT_MB=${FEAT_MB:-$PY_MB}
FEAT_REPS=${FEAT_REPS:-5}
REAL_MB=${REAL_MB:-$SIZE_MB}
SHARED=${SHARED:-../shared}
PEER=$SHARED/bench/peer.py
JOBS=${JOBS:-2}
BUILD=${BUILD:-build}
BIN=${BIN:-bin}
TOOLS=$BUILD/tools
BENCH_DIR=${BENCH_DIR:-$BUILD/bench}
PY=/usr/bin/python3
TIMEFMT="rss_kb=%M wall=%e user=%U sys=%S"

die() { echo "bench: $*" >&2; exit 1; }
now() { date +%s.%N; }
calc() { awk "BEGIN { printf \"%.6f\", $* }"; }   # arithmetic without bc
say() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }

for n in "$BIN/huibao" "$TOOLS/gencorpus" "$TOOLS/hb-feed" "$TOOLS/hb-sink"; do
    [ -x "$n" ] || die "$n is missing: run 'make bench' (it builds everything first)"
done
case "$SIZE_MB$BIG_MB$PY_MB$FEAT_MB$FEAT_REPS$REAL_MB$JOBS" in
*[!0-9]*) die "SIZE_MB, BIG_MB, PY_MB, FEAT_MB, FEAT_REPS, REAL_MB and JOBS are whole numbers" ;;
esac

# --- 0. tools ---------------------------------------------------------------
missing=""
command -v rg >/dev/null 2>&1 || missing="$missing ripgrep"
[ -x "$PY" ] || missing="$missing python3"
[ -x /usr/bin/time ] || missing="$missing time"
if [ -n "$missing" ]; then
    say "bench: installing:$missing"
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
        --no-install-recommends $missing >/dev/null ||
        die "could not install$missing; install them (Debian: apt-get install$missing) and rerun"
fi
RG=$(command -v rg)

W=$(mktemp -d /tmp/hb-bench.XXXXXX) || die "cannot create a work folder in /tmp"
RES=$W/results
: >"$RES"
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do
        for c in $(pgrep -P "$p" 2>/dev/null); do kill "$c" 2>/dev/null; done
        kill "$p" 2>/dev/null
    done
    wait 2>/dev/null
    if [ "${KEEP:-0}" = 1 ]; then say "bench: work folder kept: $W"; else rm -rf "$W"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

put() { echo "$1 $2" >>"$RES"; }                 # key value
field() { grep -o "$1=[0-9.]*" "$2" | head -1 | cut -d= -f2; }   # key=value in a file
# Stops processes started under /usr/bin/time: SIGTERM to the program, not
# to time (time would die without writing its report).
stop_timed() {
    for p in "$@"; do
        for c in $(pgrep -P "$p" 2>/dev/null); do kill -TERM "$c" 2>/dev/null; done
    done
    for p in "$@"; do wait "$p" 2>/dev/null; done
}

units_of() { $PY -c 'import json, sys; print(json.load(open(sys.argv[1]))["total"]["units"])' "$1"; }

# --- 1. corpora ---------------------------------------------------------------
# The cache key holds the size, the seed and a fingerprint of what makes the
# bytes (the generator's source and the topic vocabulary): change either and
# the corpus is made again.
GEN_ID=$(cat tools/gencorpus.c configs/topics.conf | cksum | cut -d' ' -f1)
corpus() {   # MB -> path of the corpus, generated once
    local dir=$BENCH_DIR/corpus-${1}mb-seed$SEED-g$GEN_ID
    if [ ! -f "$dir.done" ]; then
        rm -rf "$BENCH_DIR/corpus-${1}mb-seed$SEED-"* "$dir"   # older generators' corpora
        mkdir -p "$BENCH_DIR"
        say "bench: generating $1 MB of reports in $dir"
        "$TOOLS/gencorpus" -q --out "$dir" --mb "$1" --seed "$SEED" ||
            die "gencorpus failed for $dir (disk full? see the message above)"
        find "$dir" -type f -printf '%s\n' | awk '{s+=$1; n++} END {print "bytes=" s, "files=" n}' \
            >"$dir.done"
    fi
    echo "$dir"
}
# --- profile mode: tools/bench.sh profile (make bench-profile) ----------------
# Captures read's and split's output on a PROFILE_MB corpus once, then replays
# each into one split / one classify under the profilers: callgrind
# (instructions, exact, blind to cache misses and the kernel) and, where perf
# can sample (perf record -e cpu-clock), where the time goes, kernel included.
# With working hardware counters perf samples cycles instead.
if [ "${1:-}" = profile ]; then
    PROFILE_MB=${PROFILE_MB:-10}
    command -v valgrind >/dev/null 2>&1 || {
        say "bench: installing valgrind"
        sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
        $sudo apt-get install -y -qq --no-install-recommends valgrind >/dev/null ||
            die "valgrind is missing; install it (apt-get install valgrind)"
    }
    event=""
    if command -v perf >/dev/null 2>&1; then
        probe=$(perf stat -e instructions true 2>&1)
        if [ $? -eq 0 ] && [ "${probe#*not supported}" = "$probe" ]; then
            event=cycles
        elif perf record -q -e cpu-clock -o "$W/probe.data" true >/dev/null 2>&1; then
            event=cpu-clock
        fi
    fi
    CPROF=$(corpus "$PROFILE_MB")
    d=$W/pcap; mkdir -p "$d"
    "$BIN/huibao-aggregate" -q --in "@ipc://$d/agg" --ctl "@ipc://$d/ctl" --acks ">ipc://$d/acks" -o "$d/out" \
        >/dev/null &
    agg=$!; PIDS+=("$agg")
    "$TOOLS/hb-sink" -q --in "@ipc://$d/units" --save "$W/units.frames" \
        --forward ">ipc://$d/agg" >"$d/units.out" &
    PIDS+=("$!")
    "$BIN/huibao-split" -q --in ">ipc://$d/split" --out ">ipc://$d/units" &
    PIDS+=("$!")
    "$TOOLS/hb-sink" -q --in ">ipc://$d/docs" --save "$W/docs.frames" \
        --forward "@ipc://$d/split" >"$d/docs.out" &
    PIDS+=("$!")
    "$BIN/huibao-read" -q --out "@ipc://$d/docs" --ctl ">ipc://$d/ctl" --acks "@ipc://$d/acks" \
        "$CPROF" &
    PIDS+=("$!")
    wait "$agg" || die "the capture run failed"
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    PIDS=()
    profile_stage() {   # stage frames tool
        local st=$1 frames=$2 tool=$3 d=$W/prof-$1-$3 count sink prog feed
        mkdir -p "$d"
        count=$(field messages "$W/pcap/units.out")
        # split turns docs into more messages than it gets: stop on silence
        if [ "$st" = split ]; then count="0 --idle 3"; fi
        "$TOOLS/hb-sink" -q --in "@ipc://$d/out" --count $count --wait 900 >"$d/sink.out" &
        sink=$!; PIDS+=("$sink")
        case $tool in
        callgrind) valgrind -q --tool=callgrind --callgrind-out-file="$d/callgrind.out" \
                       "$BIN/huibao-$st" -q --in ">ipc://$d/feed" --out ">ipc://$d/out" & ;;
        perf) perf record -q -e "$event" -F 2000 -g -o "$d/perf.data" \
                  "$BIN/huibao-$st" -q --in ">ipc://$d/feed" --out ">ipc://$d/out" 2>/dev/null & ;;
        esac
        prog=$!; PIDS+=("$prog")
        "$TOOLS/hb-feed" -q --hold --peers 1 --wait 300 --out "@ipc://$d/feed" "$frames" \
            >"$d/feed.out" &
        feed=$!; PIDS+=("$feed")
        wait "$sink"
        kill "$feed"; wait "$feed" 2>/dev/null
        if [ "$tool" = perf ]; then stop_timed "$prog"; else kill -TERM "$prog"; wait "$prog"; fi
        echo
        local what=instructions
        [ "$tool" = perf ] && what="$event samples"
        echo "== $st under $tool ($what, self cost, top 15; $d)"
        if [ "$tool" = perf ]; then
            perf report -i "$d/perf.data" --no-children --sort dso,sym --stdio -g none 2>/dev/null |
                grep -E '^ +[0-9]' | head -15
            echo "-- by library:"
            perf report -i "$d/perf.data" --no-children --sort dso --stdio -g none 2>/dev/null |
                grep -E '^ +[0-9]' | head -6
        else
            callgrind_annotate --inclusive=no "$d/callgrind.out" 2>/dev/null |
                sed -n '/file:function/,$p' | sed -n '3,17p'
            echo "-- inclusive, the stage's own functions:"
            callgrind_annotate --inclusive=yes "$d/callgrind.out" 2>/dev/null |
                grep -E '^ *[0-9,]+ \( *[0-9.]+%\)  (stages|common)/' | sed -n '1,14p'
        fi
    }
    for st in split classify; do
        frames=$W/units.frames; [ "$st" = split ] && frames=$W/docs.frames
        profile_stage "$st" "$frames" callgrind
        [ -n "$event" ] && profile_stage "$st" "$frames" perf
    done
    [ -n "$event" ] || echo "perf cannot sample here: callgrind only"
    exit 0
fi

# Every stage by hand over ipc, each under /usr/bin/time.  READ_OPTS,
# SPLIT_OPTS and CLS_OPTS are extra options for read, split and classify, STAGE_ENV assignments
# (NAME=VALUE ...) for every stage (section 7 switches features off so).
run_stages() {   # label corpus
    local d=$W/$1 corpus=$2 agg sp rd c i
    local cls=() envs=(env ${STAGE_ENV:-})
    mkdir -p "$d"
    # /usr/bin/time itself in the background (no function or subshell between;
    # env execs it), so $! is time's pid and stop_timed finds the program as its child.
    "${envs[@]}" /usr/bin/time -o "$d/aggregate.time" -f "$TIMEFMT" "$BIN/huibao-aggregate" -q \
        --in "@ipc://$d/agg" --ctl "@ipc://$d/ctl" --acks ">ipc://$d/acks" -o "$d/out" --topics configs/topics.conf \
        >"$d/aggregate.out" &
    agg=$!; PIDS+=("$agg")
    "${envs[@]}" /usr/bin/time -o "$d/split.time" -f "$TIMEFMT" "$BIN/huibao-split" -q \
        --in ">ipc://$d/docs" --out "@ipc://$d/split" ${SPLIT_OPTS:-} &
    sp=$!; PIDS+=("$sp")
    for i in $(seq 1 "$JOBS"); do
        "${envs[@]}" /usr/bin/time -o "$d/classify$i.time" -f "$TIMEFMT" "$BIN/huibao-classify" -q \
            --in ">ipc://$d/split" --out ">ipc://$d/agg" ${CLS_OPTS:-} &
        c=$!; cls+=("$c"); PIDS+=("$c")
    done
    t0=$(now)
    "${envs[@]}" /usr/bin/time -o "$d/read.time" -f "$TIMEFMT" "$BIN/huibao-read" -q \
        --out "@ipc://$d/docs" --ctl ">ipc://$d/ctl" --acks "@ipc://$d/acks" ${READ_OPTS:-} "$corpus" &
    rd=$!; PIDS+=("$rd")
    wait "$agg" || die "the aggregator failed in the $1 run (status $?)"
    t1=$(now)
    wait "$rd"
    stop_timed "$sp" "${cls[@]}"
    put "$1_seconds" "$(calc "$t1 - $t0")"
    put "$1_units" "$(units_of "$d/out/summary.json")"
    for f in "$d"/*.time; do
        local s; s=$(basename "$f" .time)
        put "$1_${s}_rss_kb" "$(field rss_kb "$f")"
        put "$1_${s}_cpu" "$(calc "$(field user "$f") + $(field sys "$f")")"
    done
    rm -rf "$d/out"
}
# --- (f) what features cost: each switched off, stage by stage -----------------
# Runs all / noscript / noplaces in turn FEAT_REPS times on the FEAT_MB corpus
# and keeps, per configuration and stage, the least CPU time of the runs
# (other programs only ever add to it).  The off switches: read and split
# --script simplified (no detection, no OpenCC), and no division list for any stage
# (HB_DIVISION names no file) with classify --no-villages.
features() {
    local cf i cfg
    cf=$(corpus "$FEAT_MB")
    put feat_bytes "$(field bytes "$cf.done")"
    find "$cf" -type f -print0 | xargs -0 cat >/dev/null
    say "bench: (f) feature costs on $FEAT_MB MB: all, noscript, noplaces x $FEAT_REPS"
    for i in $(seq 1 "$FEAT_REPS"); do
        for cfg in all noscript noplaces; do
            case $cfg in
            all) READ_OPTS="" SPLIT_OPTS="" CLS_OPTS="" STAGE_ENV="" run_stages "f${i}$cfg" "$cf" ;;
            noscript) READ_OPTS="--script simplified" SPLIT_OPTS="--script simplified" CLS_OPTS="" \
                STAGE_ENV="" run_stages "f${i}$cfg" "$cf" ;;
            noplaces) READ_OPTS="" SPLIT_OPTS="" CLS_OPTS="--no-villages" \
                STAGE_ENV="HB_DIVISION=/nonexistent/division.idx" run_stages "f${i}$cfg" "$cf" ;;
            esac
        done
    done
}
features_report() {   # prints (f) from $RES
    $PY - "$RES" "$FEAT_REPS" <<'PYEOF'
import re, sys
r, reps = {}, int(sys.argv[2])
for line in open(sys.argv[1]):
    k, v = line.split()
    r[k] = float(v)
best = {}   # (config, stage) -> least CPU s over the runs
for k, v in r.items():
    m = re.match(r"f\d+(all|noscript|noplaces)_([a-z]+)\d*_cpu$", k)
    if m:
        key = (m.group(1), m.group(2))
        run = k.split("_")[0]
        best.setdefault(key, {}).setdefault(run, 0.0)
        best[key][run] += v          # classify workers add up within a run
least = {k: min(v.values()) for k, v in best.items()}
totals = {}
for c in ("all", "noscript", "noplaces"):
    runs = {}
    for (cc, st), v in best.items():
        if cc == c:
            for run, cpu in v.items():
                runs[run] = runs.get(run, 0.0) + cpu
    totals[c] = min(runs.values())
units = {c: r.get("f1%s_units" % c, 0) for c in ("all", "noscript", "noplaces")}
stages = sorted({st for _, st in least}, key=lambda s: ({"read": 0, "split": 1, "aggregate": 9}.get(s, 5), s))
print()
print("(f) what features cost on %.1f MB of simplified reports: least CPU s of %d runs each"
      % (r["feat_bytes"] / 1e6, reps))
print()
print("| %-10s | %8s | %8s | %8s | %12s | %12s |" % ("stage", "all on", "noscript", "noplaces",
      "script on/off", "places on/off"))
print("|%s|%s:|%s:|%s:|%s:|%s:|" % ("-" * 12, "-" * 9, "-" * 9, "-" * 9, "-" * 13, "-" * 13))
for s in stages + ["total"]:
    a, b, c = ((totals[x] for x in ("all", "noscript", "noplaces")) if s == "total" else
               (least.get((x, s), 0) for x in ("all", "noscript", "noplaces")))
    print("| %-10s | %8.2f | %8.2f | %8.2f | %12s | %12s |" % (
        s, a, b, c, "%.3fx" % (a / b) if b else "-", "%.3fx" % (a / c) if c else "-"))
ok = lambda b: "ok" if b else "MISSED"
sr, pr = totals["all"] / totals["noscript"], totals["all"] / totals["noplaces"]
print()
print("script detection and conversion: end to end %.1f%% more CPU   target <= 5%%: %s"
      % (100 * (sr - 1), ok(sr <= 1.05)))
print("places and villages:             end to end %.1f%% more CPU   target <= 10%%: %s"
      % (100 * (pr - 1), ok(pr <= 1.10)))
print("units: %d all on, %d noscript, %d noplaces (must be equal)" % (
    units["all"], units["noscript"], units["noplaces"]))
PYEOF
}
if [ "${1:-}" = features ]; then
    features
    features_report
    exit 0
fi

C=$(corpus "$SIZE_MB")
CB=$(corpus "$BIG_MB")
CP=$(corpus "$PY_MB")
put size_bytes "$(field bytes "$C.done")"
put big_bytes "$(field bytes "$CB.done")"
put py_bytes "$(field bytes "$CP.done")"
put size_files "$(field files "$C.done")"
# Warm the page cache so every contender reads from memory, and write out
# what gencorpus left dirty so the disk is not busy flushing during run (a).
for d in "$C" "$CB"; do find "$d" -type f -print0 | xargs -0 cat >/dev/null; done
sync
# How busy the cores are before we start (other programs): from /proc/stat
# over two seconds.  The load average would count our own stages too.
busy() {
    local a b
    a=$(awk '/^cpu /{print $2+$3+$4+$7+$8+$9, $5+$6}' /proc/stat); sleep 2
    b=$(awk '/^cpu /{print $2+$3+$4+$7+$8+$9, $5+$6}' /proc/stat)
    echo "$a $b" | awk '{u = $3 - $1; i = $4 - $2; printf "%.0f", (u + i) ? 100 * u / (u + i) : 0}'
}
put busy_start "$(busy)"
say "bench: corpus $C ($(field bytes "$C.done") bytes);" \
    "cores busy before the run: $(grep '^busy_start' "$RES" | cut -d' ' -f2)%"

# --- 2. the pipeline --------------------------------------------------------
say "bench: (a) $BIN/huibao run -j $JOBS on $SIZE_MB MB"
t0=$(now)
/usr/bin/time -o "$W/e2e.time" -f "$TIMEFMT" \
    "$BIN/huibao" run -q --no-progress -j "$JOBS" -o "$W/e2e" "$C" >/dev/null 2>"$W/e2e.err" ||
    die "huibao run failed: $(tail -3 "$W/e2e.err")"
t1=$(now)
put e2e_seconds "$(calc "$t1 - $t0")"
put e2e_cpu "$(calc "$(field user "$W/e2e.time") + $(field sys "$W/e2e.time")")"   # all stages
put e2e_units "$(units_of "$W/e2e/summary.json")"
rm -rf "$W/e2e"
# The same without results.sqlite and report.html (--no-results-db): what the
# database costs end to end, as a ratio in this same command.
say "bench: (a) the same with --no-results-db"
t0=$(now)
/usr/bin/time -o "$W/nodb.time" -f "$TIMEFMT" "$BIN/huibao" run -q --no-progress --no-results-db \
    -j "$JOBS" -o "$W/nodb" "$C" >/dev/null 2>"$W/nodb.err" ||
    die "huibao run --no-results-db failed: $(tail -3 "$W/nodb.err")"
t1=$(now)
put nodb_seconds "$(calc "$t1 - $t0")"
put nodb_cpu "$(calc "$(field user "$W/nodb.time") + $(field sys "$W/nodb.time")")"
rm -rf "$W/nodb"

say "bench: stages by hand on $SIZE_MB MB, then on $BIG_MB MB (peak RSS of each)"
run_stages small "$C"
run_stages big "$CB"

# --- 3. classify alone ------------------------------------------------------
say "bench: (b) capturing split's output once, then classify alone on it"
FRAMES=$W/units.frames
capture() {
    local d=$W/capture agg sp sink rd
    mkdir -p "$d"
    "$BIN/huibao-aggregate" -q --in "@ipc://$d/agg" --ctl "@ipc://$d/ctl" --acks ">ipc://$d/acks" -o "$d/out" \
        >"$d/aggregate.out" &
    agg=$!; PIDS+=("$agg")
    "$TOOLS/hb-sink" -q --types --in "@ipc://$d/tee" --save "$FRAMES" --forward ">ipc://$d/agg" \
        >"$d/sink.out" &
    sink=$!; PIDS+=("$sink")
    "$BIN/huibao-split" -q --in ">ipc://$d/docs" --out ">ipc://$d/tee" &
    sp=$!; PIDS+=("$sp")
    t0=$(now)
    "$BIN/huibao-read" -q --out "@ipc://$d/docs" --ctl ">ipc://$d/ctl" --acks "@ipc://$d/acks" \
        "$C" &
    rd=$!; PIDS+=("$rd")
    wait "$agg" || die "the aggregator failed during the capture (status $?)"
    t1=$(now)
    wait "$rd"
    kill "$sp" "$sink"
    wait "$sp" "$sink"
    put nosplit_seconds "$(calc "$t1 - $t0")"
    put frames "$(field messages "$d/sink.out")"
    put frames_bytes "$(field bytes "$d/sink.out")"
    put frames_units "$(field unit "$d/sink.out")"
    rm -rf "$d/out"
}
capture
NFRAMES=$(grep '^frames ' "$RES" | cut -d' ' -f2)
[ "${NFRAMES:-0}" -gt 0 ] || die "the capture of split's output is empty"

replay() {   # workers
    local d=$W/replay$1 sink feed c i
    local cls=()
    mkdir -p "$d"
    /usr/bin/time -o "$d/sink.time" -f "$TIMEFMT" \
        "$TOOLS/hb-sink" -q --in "@ipc://$d/out" --count "$NFRAMES" --wait 120 >"$d/sink.out" &
    sink=$!; PIDS+=("$sink")
    for i in $(seq 1 "$1"); do
        /usr/bin/time -o "$d/classify$i.time" -f "$TIMEFMT" "$BIN/huibao-classify" -q \
            --in ">ipc://$d/feed" --out ">ipc://$d/out" &
        c=$!; cls+=("$c"); PIDS+=("$c")
    done
    /usr/bin/time -o "$d/feed.time" -f "$TIMEFMT" \
        "$TOOLS/hb-feed" -q --hold --peers "$1" --out "@ipc://$d/feed" "$FRAMES" >"$d/feed.out" &
    feed=$!; PIDS+=("$feed")
    # hb-feed only exits early when something failed (its workers never came)
    while kill -0 "$sink" 2>/dev/null; do
        kill -0 "$feed" 2>/dev/null ||
            die "hb-feed stopped before classify x$1 was done: $(cat "$d/feed.out")"
        sleep 0.2
    done
    wait "$sink" || die "classify x$1 did not deliver all $NFRAMES messages"
    stop_timed "$feed" "${cls[@]}"
    put "cls$1_harness_cpu" "$(calc "$(field user "$d/feed.time") + $(field sys "$d/feed.time") + \
        $(field user "$d/sink.time") + $(field sys "$d/sink.time")")"
    put "cls$1_seconds" "$(calc "$(field last "$d/sink.out") - $(field start "$d/feed.out")")"
    local cpu=0 rss=0 f
    for f in "$d"/classify*.time; do
        cpu=$(calc "$cpu + $(field user "$f") + $(field sys "$f")")
        [ "$(field rss_kb "$f")" -gt "$rss" ] && rss=$(field rss_kb "$f")
    done
    put "cls$1_cpu" "$cpu"
    put "cls$1_rss_kb" "$rss"
}
replay 1
[ "$JOBS" -gt 1 ] && replay "$JOBS"
put frames_mb "$(calc "$(stat -c %s "$FRAMES") / 1000000")"
rm -f "$FRAMES"

# --- 4. ripgrep ---------------------------------------------------------------
say "bench: (c) ripgrep, every topic keyword as a fixed string"
KW=$W/keywords.txt
grep -E '^[[:space:]]*keywords[[:space:]]*=' configs/topics.conf | sed 's/^[^=]*=//' |
    tr ' \t' '\n\n' | sed 's/:[0-9.]*$//' | grep -v '^$' | sort -u >"$KW"
put keywords "$(wc -l <"$KW")"
# --no-ignore: the corpus may sit under build/, which .gitignore lists.
# To /dev/null, as a user would time it: rg 13 does not stop at the first
# match there (its CPU time is above --count-matches'); every match is found
# and printed, only the terminal is skipped.
t0=$(now)
/usr/bin/time -o "$W/rg.time" -f "$TIMEFMT" "$RG" --no-ignore -o -F -f "$KW" "$C" >/dev/null
t1=$(now)
put rg_seconds "$(calc "$t1 - $t0")"
put rg_cpu "$(calc "$(field user "$W/rg.time") + $(field sys "$W/rg.time")")"
t0=$(now)
/usr/bin/time -o "$W/rg1.time" -f "$TIMEFMT" "$RG" --no-ignore -j1 -o -F -f "$KW" "$C" >/dev/null
t1=$(now)
put rg1_seconds "$(calc "$t1 - $t0")"
put rg1_cpu "$(calc "$(field user "$W/rg1.time") + $(field sys "$W/rg1.time")")"
put rg_matches "$("$RG" --no-ignore --count-matches -F -f "$KW" "$C" |
    awk -F: '{s += $NF} END {print s + 0}')"

# --- 5. Python ------------------------------------------------------------------
say "bench: (d) tools/reference.py on the first $PY_MB MB"
/usr/bin/time -o "$W/py.time" -f "$TIMEFMT" \
    "$PY" tools/reference.py --out "$W/ref.jsonl" "$CP" 2>"$W/py.err" ||
    die "tools/reference.py failed: $(tail -3 "$W/py.err")"
put py_seconds "$(field wall "$W/py.time")"
put py_cpu "$(calc "$(field user "$W/py.time") + $(field sys "$W/py.time")")"
put py_units "$(field units "$W/py.err")"
put py_rss_kb "$(field rss_kb "$W/py.time")"
rm -f "$W/ref.jsonl"
put busy_end "$(busy)"

# --- 6. the peer, on generated and real reports ----------------------------------
# Each contender timed alone with /usr/bin/time: wall, and user+sys of the
# process and all its children (huibao run waits for every stage).
timed() {   # label command...: puts LABEL_seconds and LABEL_cpu
    local label=$1; shift
    /usr/bin/time -o "$W/$label.time" -f "$TIMEFMT" "$@" >/dev/null 2>"$W/$label.err" ||
        die "$label failed: $(tail -3 "$W/$label.err")"
    put "${label}_seconds" "$(field wall "$W/$label.time")"
    put "${label}_cpu" "$(calc "$(field user "$W/$label.time") + $(field sys "$W/$label.time")")"
}
# The real mixed corpus: the seeds and the national reports, copied into
# numbered folders until REAL_MB is reached (built once, cached).
real_corpus() {
    local dir=$BENCH_DIR/real-${REAL_MB}mb src=$SHARED/corpus n=0 bytes=0 one
    if [ ! -f "$dir.done" ]; then
        rm -rf "$dir"; mkdir -p "$dir"
        one=$(du -sb "$src/seeds" "$src/national" | awk '{s += $1} END {print s}')
        while [ "$bytes" -lt $((REAL_MB * 1000000)) ]; do
            mkdir -p "$dir/$n"
            cp -r "$src/seeds" "$src/national" "$dir/$n/"
            rm -f "$dir/$n/national/MANIFEST.tsv"
            n=$((n + 1)); bytes=$((bytes + one))
        done
        find "$dir" -type f -printf '%s\n' | awk '{s+=$1; n++} END {print "bytes=" s, "files=" n}' \
            >"$dir.done"
    fi
    echo "$dir"
}
if [ -f "$PEER" ] && [ -d "$SHARED/corpus/national" ]; then
    say "bench: (e) the peer ($PEER) on $SIZE_MB MB generated (huibao: run (a))"
    timed peer_gen "$PY" "$PEER" -o /dev/null "$C"
    R=$(real_corpus)
    put real_bytes "$(field bytes "$R.done")"
    find "$R" -type f -print0 | xargs -0 cat >/dev/null
    say "bench: (e) the same on $REAL_MB MB of real reports ($R)"
    timed peer_real "$PY" "$PEER" -o /dev/null "$R"
    timed hb_real "$BIN/huibao" run -q --no-progress -j "$JOBS" -o "$W/hb_real" "$R"
    put hb_real_units "$(units_of "$W/hb_real/summary.json")"
    rm -rf "$W/hb_real"
else
    say "bench: $PEER or $SHARED/corpus missing: no peer rows (set SHARED=path/to/shared)"
fi
say "bench: (e) huibao run -j1, and pinned to one core"
timed hb_j1 "$BIN/huibao" run -q --no-progress -j 1 -o "$W/hb_j1" "$C"
rm -rf "$W/hb_j1"
timed hb_1core taskset -c 0 "$BIN/huibao" run -q --no-progress -j "$JOBS" -o "$W/hb_1core" "$C"
rm -rf "$W/hb_1core"
# classify's second pass as rg would do it: the peer's figure regex.
FIGRE='(约|超过|近)?([0-9０-９*xX.]+)(余|多)?(万元|亿元|人次|户|人|次|亩|公里|米|个|处|起|家|份|条|%|名|台|场)'
/usr/bin/time -o "$W/rgfig.time" -f "$TIMEFMT" "$RG" --no-ignore -j1 -o -e "$FIGRE" "$C" >/dev/null
put rgfig_cpu "$(calc "$(field user "$W/rgfig.time") + $(field sys "$W/rgfig.time")")"

features

# --- 8. report --------------------------------------------------------------------
$PY - "$RES" "$SIZE_MB" "$BIG_MB" "$PY_MB" "$JOBS" "$(nproc)" <<'PYEOF'
import sys
r = {}
for line in open(sys.argv[1]):
    k, v = line.split()
    r[k] = float(v)
size_mb, big_mb, py_mb, jobs, cores = sys.argv[2:7]
jobs = int(jobs)
mb, big, pymb = r["size_bytes"] / 1e6, r["big_bytes"] / 1e6, r["py_bytes"] / 1e6
cpu = lambda p: sum(v for k, v in r.items() if k.startswith(p) and k.endswith("_cpu"))
rows = [
    ("huibao run -j %d (end to end)" % jobs, mb, r["e2e_seconds"], r["e2e_units"], r["e2e_cpu"]),
    ("  the same, --no-results-db", mb, r["nodb_seconds"], r["e2e_units"], r["nodb_cpu"]),
    ("stages by hand -j %d (same)" % jobs, mb, r["small_seconds"], r["small_units"], cpu("small_")),
    ("  read+split+aggregate, no classify", mb, r["nosplit_seconds"], r["frames_units"], None),
    ("classify x1 (replayed units)", mb, r["cls1_seconds"], r["frames_units"], r["cls1_cpu"]),
]
if "cls%d_seconds" % jobs in r and jobs > 1:
    rows.append(("classify x%d (replayed units)" % jobs, mb, r["cls%d_seconds" % jobs],
                 r["frames_units"], r["cls%d_cpu" % jobs]))
rows += [
    ("rg -o -F -f KEYWORDS (%s threads)" % cores, mb, r["rg_seconds"], None, r["rg_cpu"]),
    ("rg -o -F -f KEYWORDS -j1", mb, r["rg1_seconds"], None, r["rg1_cpu"]),
    ("tools/reference.py (Python re)", pymb, r["py_seconds"], r["py_units"], r["py_cpu"]),
]
if "peer_gen_seconds" in r:
    rows += [
        ("peer.py (generated)", mb, r["peer_gen_seconds"], None, r["peer_gen_cpu"]),
        ("huibao run -j %d (real mixed)" % jobs, r["real_bytes"] / 1e6, r["hb_real_seconds"],
         r["hb_real_units"], r["hb_real_cpu"]),
        ("peer.py (real mixed)", r["real_bytes"] / 1e6, r["peer_real_seconds"], None,
         r["peer_real_cpu"]),
    ]
rows += [
    ("huibao run -j 1", mb, r["hb_j1_seconds"], None, r["hb_j1_cpu"]),
    ("huibao run -j %d, taskset one core" % jobs, mb, r["hb_1core_seconds"], None,
     r["hb_1core_cpu"]),
]
print()
print("huibao bench: %.1f MB corpus (%d files), %d classify workers, %s cores "
      "(busy with other programs: %.0f%% before, %.0f%% after)"
      % (mb, r["size_files"], jobs, cores, r["busy_start"], r["busy_end"]))
print()
print("| %-36s | %8s | %8s | %8s | %10s | %7s | %9s |" % (
    "what", "input MB", "seconds", "MB/s", "units/s", "CPU s", "MB/CPU-s"))
print("|%s|%s:|%s:|%s:|%s:|%s:|%s:|" % ("-" * 38, "-" * 9, "-" * 9, "-" * 9, "-" * 11, "-" * 8,
                                          "-" * 10))
for name, m, s, u, c in rows:
    print("| %-36s | %8.1f | %8.2f | %8.2f | %10s | %7s | %9s |" % (
        name, m, s, m / s, "{:,.0f}".format(u / s) if u else "-", "%.1f" % c if c else "-",
        "%.1f" % (m / c) if c else "-"))
e2e = mb / r["e2e_seconds"]
py = pymb / r["py_seconds"]
c1, rg1 = mb / r["cls1_seconds"], mb / r["rg1_seconds"]
cj, rgj = mb / r.get("cls%d_seconds" % jobs, r["cls1_seconds"]), mb / r["rg_seconds"]
ok = lambda b: "ok" if b else "MISSED"
print()
print("units: %d per %.1f MB (%.0f bytes each); %d topic keywords; rg found %d matches "
      "(non-overlapping, leftmost: rg never counts nested or overlapping terms; huibao's "
      "Aho-Corasick counts every occurrence)" % (
          r["frames_units"], mb, r["size_bytes"] / r["frames_units"], r["keywords"],
          r["rg_matches"]))
print()
# Wall-clock ratios are what the issue asks; the same ratios per CPU-second
# hold when other programs share the cores (see "busy" above).
per_cpu = lambda m, c: m / c
print("%-36s %8s %8s   %s" % ("", "wall", "per CPU", "target"))
print("%-36s %7.2fx %7.2fx   <= 1.15x (issue 16): %s" % (
    "with results.sqlite / without (time)", r["e2e_seconds"] / r["nodb_seconds"],
    r["e2e_cpu"] / r["nodb_cpu"], ok(r["e2e_seconds"] <= 1.15 * r["nodb_seconds"])))
print("%-36s %7.2fx %7.2fx   (second baseline)" % ("huibao / tools/reference.py", e2e / py,
      per_cpu(mb, r["e2e_cpu"]) / per_cpu(pymb, r["py_cpu"])))
if "peer_gen_seconds" in r:
    rmb = r["real_bytes"] / 1e6
    for name, pm, ps, pc, hm, hs, hc in (
            ("generated", mb, r["peer_gen_seconds"], r["peer_gen_cpu"], mb, r["e2e_seconds"],
             r["e2e_cpu"]),
            ("real mixed", rmb, r["peer_real_seconds"], r["peer_real_cpu"], rmb,
             r["hb_real_seconds"], r["hb_real_cpu"])):
        print("%-36s %7.2fx %7.2fx   >= 10x wall: %s; CPU <= 1/5: %s" % (
            "huibao / peer.py, %s %.0f MB" % (name, hm), ps / hs, pc / hc, ok(ps / hs >= 10),
            ok(hc * 5 <= pc)))
else:
    print("(no peer rows: ../shared/bench/peer.py not found; set SHARED)")
cls_pipe = sum(v for k, v in r.items() if k.startswith("small_classify") and k.endswith("_cpu"))
print("%-36s %7s %7.2fx   >= 1.0x: %s" % ("classify in the pipeline / rg 2 passes", "", (
    r["rg1_cpu"] + r["rgfig_cpu"]) / cls_pipe, ok(cls_pipe <= r["rg1_cpu"] + r["rgfig_cpu"])))
print("%-36s %7.2fx %7s   >= 1.8x: %s" % ("huibao run -j%d / -j1" % jobs,
      r["hb_j1_seconds"] / r["e2e_seconds"], "", ok(r["hb_j1_seconds"] >= 1.8 * r["e2e_seconds"])))
print("%-36s %7.2fx %7s   >= 1.8x: %s" % ("huibao run, %s cores / 1 core" % cores,
      r["hb_1core_seconds"] / r["e2e_seconds"], "",
      ok(r["hb_1core_seconds"] >= 1.8 * r["e2e_seconds"])))
print("%-36s %7.2fx %7.2fx   >= 1.0x: %s" % ("classify x1 / rg -j1", c1 / rg1,
      per_cpu(mb, r["cls1_cpu"]) / per_cpu(mb, r["rg1_cpu"]), ok(c1 >= rg1)))
if jobs > 1:
    print("%-36s %7.2fx %7.2fx   >= 1.0x: %s" % ("classify x%d / rg (%s threads)" % (jobs, cores),
          cj / rgj, per_cpu(mb, r["cls%d_cpu" % jobs]) / per_cpu(mb, r["rg_cpu"]), ok(cj >= rgj)))
    print("%-36s %7.2fx %7.2fx   ideal %d.00x wall, 1.00x per CPU" % (
        "scaling, classify 1 -> %d workers" % jobs, cj / c1,
        per_cpu(mb, r["cls%d_cpu" % jobs]) / per_cpu(mb, r["cls1_cpu"]), jobs))
if max(r["busy_start"], r["busy_end"]) > 10:
    print("note: other programs kept the cores %.0f%%/%.0f%% busy before/after: wall-clock "
          "rates are low and noisy; the per-CPU column holds" % (r["busy_start"], r["busy_end"]))
if jobs > 1:
    print("hb-feed and hb-sink themselves used %.1f CPU s beside classify x%d's %.1f: on %s cores "
          "they compete with the workers" % (r["cls%d_harness_cpu" % jobs], jobs,
                                             r["cls%d_cpu" % jobs], cores))
print("per CPU = MB per CPU-second of ours over theirs; huibao spreads over %s cores, so its "
      "best wall-clock ratio is about %s times its per-CPU one" % (cores, cores))
print()
print("peak RSS per stage (MB) at %.0f MB and %.0f MB of input:" % (mb, big))
print()
print("| %-12s | %9s | %9s | %7s | %-14s |" % (
    "stage", "%.0f MB" % mb, "%.0f MB" % big, "change", "target <= +10%"))
print("|%s|%s:|%s:|%s:|%s|" % ("-" * 14, "-" * 10, "-" * 10, "-" * 8, "-" * 16))
order = {"read": 0, "split": 1, "aggregate": 9}
stages = sorted({k.split("_")[1] for k in r if k.startswith("small_") and k.endswith("_rss_kb")},
                key=lambda s: (order.get(s, 5), s))
for s in stages:
    a, b = r["small_%s_rss_kb" % s] / 1024, r["big_%s_rss_kb" % s] / 1024
    ch = (b - a) / a * 100
    print("| %-12s | %9.1f | %9.1f | %+6.1f%% | %-14s |" % (s, a, b, ch, ok(ch <= 10)))
print()
print("CPU seconds per stage at %.0f MB: %s" % (mb, ", ".join(
    "%s %.1f" % (s, r["small_%s_cpu" % s]) for s in stages)))
print("reference.py peak RSS %.1f MB on %.0f MB" % (r["py_rss_kb"] / 1024, pymb))
print("full check from the issue: make bench SIZE_MB=100 BIG_MB=1000")
PYEOF
features_report
