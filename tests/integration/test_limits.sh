# Limits on everything an input controls: a 50 MB report on one line, a
# report of 100,000 lines, a file over huibao-read's --max-mb, a document over
# huibao-split's --max-units (and both exactly at the limit), and a message
# over huibao-aggregate's --max-msg-mb from a rogue peer.  Each is either
# handled or refused with a reason naming the limit; the rest of the run is
# written and no stage crashes.
. "$(dirname "$0")/lib.sh"

seeds=tests/data/seeds
# crashed ERRFILE: the launcher reports a stage that died or was restarted.
crashed() { grep -qE "killed by signal|exited with status|died|keeps failing|cannot run" "$1"; }

# ---- a 50 MB report on a single line, beside the seeds -----------------------
in=$TMP/big
mkdir -p "$in"
cp "$seeds"/*.txt "$in/"
"$BIN/huibao" run -q -j 2 -o "$TMP/seeds" "$in" >/dev/null 2>&1   # the same paths, without the big file
sorted_units "$TMP/seeds/paragraphs.jsonl" >"$TMP/seeds.sorted"
"$PY" - "$in/huge.txt" "$seeds" <<'PYEOF'
import glob, sys
text = "".join(open(f, encoding="utf-8").read() for f in sorted(glob.glob(sys.argv[2] + "/*.txt")))
b = text.replace("\n", "").encode()
n = 50 << 20
out = (b * (n // len(b) + 1))[:n]
while out and (out[-1] & 0xC0) == 0x80:   # no character cut in two at the end
    out = out[:-1]
if out and out[-1] >= 0xC0:
    out = out[:-1]
open(sys.argv[1], "wb").write(out)
PYEOF
size=$(stat -c %s "$in/huge.txt")
timer=()
[ -x /usr/bin/time ] && timer=(/usr/bin/time -v -o "$TMP/time")
start=$EPOCHREALTIME
"${timer[@]}" timeout 150 "$BIN/huibao" run -j 2 --no-progress -o "$TMP/bigout" "$in" \
    >"$TMP/big.out" 2>"$TMP/big.err"
status=$?
elapsed=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
rss_kb=$(sed -n 's/.*Maximum resident set size (kbytes): *//p' "$TMP/time" 2>/dev/null)
rss="unknown (no /usr/bin/time)"
[ -n "$rss_kb" ] && rss="$((rss_kb / 1024)) MB"
echo "# 50 MB single line: $elapsed s, peak RSS of the largest stage process $rss"
check "50 MB on one line: the run completes with 0 or 3 (got $status)" \
    [ "$status" -eq 0 -o "$status" -eq 3 ]
"$PY" - "$TMP/bigout" "$size" >"$TMP/big.result" <<'PYEOF'
import json, sys, collections
out, size = sys.argv[1], int(sys.argv[2])
docs = [json.loads(l) for l in open(out + "/docs.jsonl", encoding="utf-8")]
errs = [json.loads(l) for l in open(out + "/errors.jsonl", encoding="utf-8")]
units = collections.Counter(json.loads(l)["file"] for l in open(out + "/paragraphs.jsonl", encoding="utf-8"))
huge = [d for d in docs if d["file"].endswith("/huge.txt")]
herr = [e for e in errs if e["file"].endswith("/huge.txt")]
written = len(huge) == 1 and huge[0]["bytes"] == size and huge[0]["units"] > 0 \
    and units[huge[0]["file"]] == huge[0]["units"] and not herr
rejected = not huge and len(herr) == 1 and len(herr[0].get("reason", "")) > 5
print("huge", written or rejected)
print("how", "written" if written else "rejected: %s" % (herr[0]["reason"] if herr else "?"))
print("others", len([d for d in docs if not d["file"].endswith("/huge.txt")]) == 5)
PYEOF
check "the 50 MB file is written whole or rejected with a reason ($(sed -n 's/^how //p' "$TMP/big.result"))" \
    grep -q "^huge True" "$TMP/big.result"
check "the five seeds beside it are written" grep -q "^others True" "$TMP/big.result"
grep -v '/huge.txt"' "$TMP/bigout/paragraphs.jsonl" >"$TMP/big.seeds.jsonl"
check "the seeds' paragraphs equal a run without the big file" \
    cmp -s "$TMP/seeds.sorted" <(sorted_units "$TMP/big.seeds.jsonl")
check "no stage crashed or was restarted" eval '! crashed "$TMP/big.err"'
if [ -n "$rss_kb" ]; then
    check "peak RSS of a stage stays under 1 GB for a 50 MB input ($((rss_kb / 1024)) MB)" \
        [ "$rss_kb" -lt 1048576 ]
fi
rm -rf "$in" "$TMP/bigout" "$TMP/big.seeds.jsonl"

# ---- 100,000 short lines: a title, 49,999 headings each with a paragraph, one more paragraph
mkdir -p "$TMP/lines"
"$PY" - "$TMP/lines/lines.txt" <<'PYEOF'
import sys
nums = "一二三四五六七八九十"
with open(sys.argv[1], "w", encoding="utf-8") as f:
    f.write("潭下镇2021年上半年工作总结\n")
    for i in range(49999):
        f.write("%s、第%d项工作\n" % (nums[i % 10], i))
        f.write("全镇完成固定资产投资%d万元，新建道路%d公里。\n" % (i, i % 97))
    f.write("全镇新建产业路%d公里。\n" % 12)
PYEOF
check "the file has 100,000 lines" [ "$(wc -l <"$TMP/lines/lines.txt")" -eq 100000 ]
timeout 120 "$BIN/huibao" run -j 2 --no-progress -o "$TMP/linesout" "$TMP/lines" >/dev/null 2>"$TMP/lines.err"
check "100,000 lines: the run exits 0" [ $? -eq 0 ]
# Its ~20 MB of output waits in the aggregator's spool file (over 256 KB):
# every unit must come back whole, in order, with its own text.
lines_result() {
    "$PY" - "$1" <<'PYEOF'
import json, sys
out = sys.argv[1]
docs = [json.loads(l) for l in open(out + "/docs.jsonl", encoding="utf-8")]
units = [json.loads(l) for l in open(out + "/paragraphs.jsonl", encoding="utf-8")]
summary = json.load(open(out + "/summary.json", encoding="utf-8"))
print("units", len(docs) == 1 and docs[0]["units"] == 50000)
print("seqs", [u["seq"] for u in units] == list(range(50000)))
print("texts", all(u["text"] == "全镇完成固定资产投资%d万元，新建道路%d公里。" % (i, i % 97)
                   and u["section"][-1] == "第%d项工作" % i for i, u in enumerate(units[:49999])))
print("summary", summary["total"]["units"] == 50000 and summary["total"]["documents"] == 1)
PYEOF
}
lines_result "$TMP/linesout" >"$TMP/lines.result"
check "100,000 lines: docs.jsonl counts its 50,000 units" grep -q "^units True" "$TMP/lines.result"
check "100,000 lines: paragraphs.jsonl holds seq 0..49999 in order" grep -q "^seqs True" "$TMP/lines.result"
check "100,000 lines: every unit has its own text and heading" grep -q "^texts True" "$TMP/lines.result"
check "100,000 lines: summary.json counts 50,000 units" grep -q "^summary True" "$TMP/lines.result"
check "100,000 lines: no stage crashed" eval '! crashed "$TMP/lines.err"'
check "100,000 lines: no spool file is left in \$TMPDIR" \
    eval '[ -z "$(ls "${TMPDIR:-/tmp}" | grep huibao-spool)" ]'
# Without a writable $TMPDIR the spool keeps the document in memory: the
# same output, and a warning that says what to do.
TMPDIR=/nonexistent/huibao timeout 120 "$BIN/huibao" run -j 2 --no-progress -o "$TMP/linesmem" \
    "$TMP/lines" >/dev/null 2>"$TMP/linesmem.err"
check "no \$TMPDIR: the run exits 0" [ $? -eq 0 ]
check "no \$TMPDIR: the aggregator warns and names TMPDIR" \
    grep -q "keeping it in memory. Set TMPDIR" "$TMP/linesmem.err"
check "no \$TMPDIR: paragraphs.jsonl is the same" \
    cmp -s <(sorted_units "$TMP/linesout/paragraphs.jsonl") <(sorted_units "$TMP/linesmem/paragraphs.jsonl")

# ---- --max-mb and --max-units, stages wired by hand (huibao run passes neither)
lim=$TMP/lim
mkdir -p "$lim"
cp "$seeds"/*.txt "$lim/"
"$PY" - "$lim" <<'PYEOF'
import sys
d = sys.argv[1]
MB = 1 << 20
def sized(name, size):
    # short paragraphs under a few headings: few units, exactly `size` bytes
    head = "潭下镇2021年上半年工作总结\n一、经济发展\n"
    para = "全镇完成固定资产投资5000万元，新建道路3公里，" * 400 + "\n"   # ~27 KB, one unit
    body = head
    while len(body.encode()) + len(para.encode()) < size - 64:
        body += para
    b = body.encode()
    b += b" " * (size - len(b) - 1) + b"\n"
    assert len(b) == size
    open(d + "/" + name, "wb").write(b)
sized("at_limit.txt", MB)         # exactly --max-mb: taken
sized("over_by_one.txt", MB + 1)  # one byte more: refused
sized("over.txt", 3 * MB)
def units(name, n):
    nums = "一二三四五六七八九十"
    with open(d + "/" + name, "w", encoding="utf-8") as f:
        f.write("元潭镇2022年上半年工作总结\n")
        for i in range(n):
            f.write("%s、第%d项工作\n全镇新建道路%d公里。\n" % (nums[i % 10], i, i))
units("units_at_limit.txt", 1000)
units("units_over.txt", 1001)
units("units_far_over.txt", 5000)
PYEOF
"$BIN/huibao-aggregate" -q --in "@ipc://$TMP/agg" --ctl "@ipc://$TMP/ctl" --acks ">ipc://$TMP/acks" -o "$TMP/limout" \
    --run lim --topics configs/topics.conf >"$TMP/lim.out" 2>"$TMP/lim.agg.err" &
agg=$!
"$BIN/huibao-split" -q --max-units 1000 --in ">ipc://$TMP/docs" --out "@ipc://$TMP/split" 2>"$TMP/lim.split.err" &
split=$!
"$BIN/huibao-classify" -q --in ">ipc://$TMP/split" --out ">ipc://$TMP/agg" 2>"$TMP/lim.classify.err" &
classify=$!
"$BIN/huibao-read" -q --run lim --max-mb 1 --out "@ipc://$TMP/docs" --ctl ">ipc://$TMP/ctl" \
    --acks "@ipc://$TMP/acks" "$lim" 2>"$TMP/lim.read.err" &
reader=$!
for _ in $(seq 1 600); do kill -0 $agg 2>/dev/null || break; sleep 0.1; done
wait $agg
check "limits: the run completes with 3, some inputs rejected" [ $? -eq 3 ]
wait $reader
check "limits: the reader exits 0 once all is acknowledged" [ $? -eq 0 ]
kill -0 $split 2>/dev/null && kill -0 $classify 2>/dev/null
check "limits: split and classify are still alive (no crash)" [ $? -eq 0 ]
kill -TERM $split $classify 2>/dev/null
wait $split; s1=$?
wait $classify; s2=$?
check "limits: split and classify stop cleanly on SIGTERM ($s1, $s2)" [ "$s1" -eq 0 -a "$s2" -eq 0 ]
"$PY" - "$TMP/limout" >"$TMP/lim.result" <<'PYEOF'
import json, sys, collections
out = sys.argv[1]
base = lambda f: f.rsplit("/", 1)[-1]
docs = {base(json.loads(l)["file"]): json.loads(l) for l in open(out + "/docs.jsonl", encoding="utf-8")}
errs = collections.defaultdict(list)
for l in open(out + "/errors.jsonl", encoding="utf-8"):
    e = json.loads(l)
    errs[base(e["file"])].append(e)
units = collections.Counter(base(json.loads(l)["file"]) for l in open(out + "/paragraphs.jsonl", encoding="utf-8"))
def rej(name, stage, *words):
    e = errs.get(name, [])
    return name not in docs and units[name] == 0 and len(e) == 1 and e[0]["stage"] == stage \
        and all(w in e[0]["reason"] for w in words)
print("over", rej("over.txt", "read", "over the 1 MB limit", "--max-mb"))
print("over_by_one", rej("over_by_one.txt", "read", "1 MB limit", "--max-mb"))
print("at_limit", "at_limit.txt" in docs and docs["at_limit.txt"]["bytes"] == 1 << 20
      and not errs.get("at_limit.txt"))
print("units_over", rej("units_over.txt", "split", "more than 1000 units", "--max-units"))
print("units_far_over", rej("units_far_over.txt", "split", "more than 1000 units"),
      errs.get("units_far_over.txt", [{}])[0].get("doc") is not None)
print("units_at_limit", docs.get("units_at_limit.txt", {}).get("units") == 1000
      and units["units_at_limit.txt"] == 1000)
seeds = [n for n in docs if n[:3].isdigit()]
print("seeds", len(seeds) == 5 and all(units[n] == docs[n]["units"] > 0 for n in seeds))
print("errors", sum(len(v) for v in errs.values()) == 4)
print("reasons", " | ".join(e["reason"] for v in errs.values() for e in v))
PYEOF
echo "# rejected: $(sed -n 's/^reasons //p' "$TMP/lim.result")"
check "--max-mb: a 3 MB file is rejected by read, the reason names the 1 MB limit and --max-mb" \
    grep -q "^over True" "$TMP/lim.result"
check "--max-mb: a file one byte over the limit is rejected" grep -q "^over_by_one True" "$TMP/lim.result"
check "--max-mb: a file of exactly the limit is written" grep -q "^at_limit True" "$TMP/lim.result"
check "--max-units: 1001 units is rejected by split (stage \"split\", names the limit), no unit written" \
    grep -q "^units_over True" "$TMP/lim.result"
check "--max-units: 5000 units is rejected the same way, with its document id" \
    grep -q "^units_far_over True True" "$TMP/lim.result"
check "--max-units: a document of exactly 1000 units is written whole" \
    grep -q "^units_at_limit True" "$TMP/lim.result"
check "limits: the seeds are written beside the rejects" grep -q "^seeds True" "$TMP/lim.result"
check "limits: exactly the four over-limit files are in errors.jsonl" grep -q "^errors True" "$TMP/lim.result"

# ---- a message over huibao-aggregate's --max-msg-mb from a rogue peer ------
p_agg=$(free_port); p_acks=$(free_port); p_ctl=$(free_port)
"$BIN/huibao-aggregate" --max-msg-mb 1 --in "@tcp://127.0.0.1:$p_agg" --acks ">tcp://127.0.0.1:$p_acks" \
    --ctl "@tcp://127.0.0.1:$p_ctl" -o "$TMP/rogue" --run good --topics configs/topics.conf \
    >"$TMP/rogue.out" 2>"$TMP/rogue.err" &
agg=$!
"$PY" - "$p_agg" "$p_acks" "$p_ctl" <<'PYEOF' >"$TMP/rogue.result"
import msgpack, sys, zmq, time
ctx = zmq.Context()
ctl = ctx.socket(zmq.PUSH); ctl.connect("tcp://127.0.0.1:%s" % sys.argv[3])
good = ctx.socket(zmq.PUSH); good.connect("tcp://127.0.0.1:%s" % sys.argv[1])
rogue = ctx.socket(zmq.PUSH); rogue.connect("tcp://127.0.0.1:%s" % sys.argv[1])
acks = ctx.socket(zmq.PULL); acks.bind("tcp://127.0.0.1:%s" % sys.argv[2]); acks.RCVTIMEO = 60000
P = msgpack.packb
unit = lambda seq, text: P({"v": 1, "type": "unit", "run": "good", "doc": 0, "seq": seq, "section": [],
                            "kind": "summary", "text": text, "topic": "general", "topics": [], "metrics": []})
good.send(unit(0, "第一段"))
time.sleep(0.2)
# A well-formed unit of 2 MB: were it taken, seq 1 would be this text and the real one a duplicate.
rogue.send(unit(1, "巨" * (700 * 1024)))
time.sleep(0.7)
for m in (unit(1, "第二段"),
          P({"v": 1, "type": "doc_end", "run": "good", "doc": 0, "units": 2, "file": "a.txt",
             "title": "", "town": None, "county": None, "year": None})):
    good.send(m)
ctl.send(P({"v": 1, "type": "end", "run": "good", "docs": 1, "rejects": 0}))
try:
    ack = msgpack.unpackb(acks.recv())
    while "doc" not in ack:   # the end's own acknowledgement
        ack = msgpack.unpackb(acks.recv())
    print("ack", ack["type"] == "ack" and ack["doc"] == 0)
except zmq.Again:
    print("ack False (none within 10 s)")
PYEOF
for _ in $(seq 1 150); do kill -0 $agg 2>/dev/null || break; sleep 0.1; done
wait $agg
check "--max-msg-mb: the aggregator refuses the 2 MB message and still completes with 0" [ $? -eq 0 ]
check "--max-msg-mb: the document is acknowledged" grep -q "^ack True" "$TMP/rogue.result"
check "--max-msg-mb: the real seq 1 is written, not the oversized one" \
    "$PY" -c "import json,sys; t=[json.loads(l)['text'] for l in open('$TMP/rogue/paragraphs.jsonl')]; sys.exit(t != ['第一段', '第二段'])"

# ---- --window-mb: no new document while that much text is out -------------
# Ten reports of 300,000 bytes and nobody acknowledging: read lets documents
# out until the text out reaches the limit (the one that crosses it goes).
mkdir -p "$TMP/wmb"
"$PY" - "$TMP/wmb" <<'PYEOF'
import sys
for i in range(10):
    open("%s/r%d.txt" % (sys.argv[1], i), "w", encoding="utf-8").write("镇" * 99999 + "\n")
PYEOF
window_out() {   # MB: the documents read lets out before waiting for acks
    local d=$TMP/wmb-$1
    mkdir -p "$d"
    "$BIN/huibao-read" -q --window 64 --window-mb "$1" --out "@ipc://$d/docs" \
        --ctl "@ipc://$d/ctl" --acks "@ipc://$d/acks" --run w "$TMP/wmb" 2>"$d/read.err" &
    local rd=$!
    # The documents out, counted once read's own counts (its stats on
    # --ctl) say it waits: the text out reached the limit, or all ten are out.
    "$PY" - "ipc://$d/docs" "ipc://$d/ctl" "$1" <<'PYEOF'
import msgpack, sys, time, zmq
ctx = zmq.Context()
docs = ctx.socket(zmq.PULL); docs.connect(sys.argv[1])
ctl = ctx.socket(zmq.PULL); ctl.connect(sys.argv[2])
limit_mb, n, waits = int(sys.argv[3]), 0, None
poller = zmq.Poller(); poller.register(docs, zmq.POLLIN); poller.register(ctl, zmq.POLLIN)
end = time.monotonic() + 60   # a guard, not a measure
while time.monotonic() < end and (waits is None or n < waits):
    for sock, _ in poller.poll(1000):
        m = sock.recv()
        if sock is docs:
            n += 1
            continue
        st = msgpack.unpackb(m, raw=False)
        if st.get("type") == "stats" and (st["window_bytes"] >> 20 >= limit_mb or st["sent"] == 10):
            waits = st["sent"]
# Then nothing more (were one more let out, it would come now: not a race).
while docs.poll(1000):
    docs.recv()
    n += 1
print(n if waits == n else "%d out, read said %s" % (n, waits))
PYEOF
    kill -9 $rd 2>/dev/null; wait $rd 2>/dev/null   # it would wait for its acks
}
n=$(window_out 1)
check "--window-mb 1: 4 documents of 300 KB go out, then read waits (got $n)" [ "$n" = 4 ]
n=$(window_out 2)
check "--window-mb 2 (the default): 7 go out (got $n)" [ "$n" = 7 ]
n=$(window_out 100)
check "--window-mb 100: all 10 go out (got $n)" [ "$n" = 10 ]

# ---- the limits themselves: an out-of-range value is a usage error (exit 2) --
# usage PROGRAM ARGS...: the program's exit status (a guard of 60 s against a wait).
usage() { timeout 60 "$@" >/dev/null 2>&1; echo $?; }
st=$(usage "$BIN/huibao-read" -q --max-mb -1 --out "@ipc://$TMP/u1" --ctl ">ipc://$TMP/u2" --acks "@ipc://$TMP/u3" "$seeds")
check "huibao-read --max-mb -1 is a usage error (got $st)" [ "$st" -eq 2 ]
st=$(usage "$BIN/huibao-read" -q --window 99999999999 --out "@ipc://$TMP/u4" --ctl ">ipc://$TMP/u5" --acks "@ipc://$TMP/u6" "$seeds")
check "huibao-read --window 99999999999 is a usage error (got $st)" [ "$st" -eq 2 ]
st=$(usage "$BIN/huibao-aggregate" -q --max-msg-mb 9000000000000 --in "@ipc://$TMP/u7" --ctl "@ipc://$TMP/u10" --acks ">ipc://$TMP/u8" -o "$TMP/u9")
check "huibao-aggregate --max-msg-mb 9000000000000 is a usage error (got $st)" [ "$st" -eq 2 ]
