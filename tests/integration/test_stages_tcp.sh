# The stages as separate programs over TCP on 127.0.0.1, wired by hand as a
# user spreading them over machines would: same results as the launcher.
. "$(dirname "$0")/lib.sh"

p_docs=$(free_port); p_split=$(free_port); p_agg=$(free_port); p_acks=$(free_port); p_ctl=$(free_port)
"$BIN/huibao-aggregate" -q --in "@tcp://127.0.0.1:$p_agg" --acks ">tcp://127.0.0.1:$p_acks" \
    --ctl "@tcp://127.0.0.1:$p_ctl" \
    -o "$TMP/tcp" --topics configs/topics.conf >"$TMP/agg.out" 2>&1 &
agg=$!
"$BIN/huibao-split" -q --in ">tcp://127.0.0.1:$p_docs" --out "@tcp://127.0.0.1:$p_split" &
split=$!
for i in 1 2; do
    "$BIN/huibao-classify" -q --in ">tcp://127.0.0.1:$p_split" --out ">tcp://127.0.0.1:$p_agg" &
done
"$BIN/huibao-read" -q --out "@tcp://127.0.0.1:$p_docs" --ctl ">tcp://127.0.0.1:$p_ctl" \
    --acks "@tcp://127.0.0.1:$p_acks" tests/data/seeds &
reader=$!
for _ in $(seq 1 200); do kill -0 $agg 2>/dev/null || break; sleep 0.1; done
wait $agg
check "the aggregator finishes a hand-wired TCP run with status 0" [ $? -eq 0 ]
wait $reader
check "the reader exits 0 once everything is acknowledged" [ $? -eq 0 ]
kill $split $(jobs -p) 2>/dev/null
"$BIN/huibao" run -q -o "$TMP/local" tests/data/seeds >/dev/null 2>&1
check "TCP and ipc runs give the same units" \
    cmp -s <(sorted_units "$TMP/tcp/paragraphs.jsonl") <(sorted_units "$TMP/local/paragraphs.jsonl")

# A filter stage passes through message types it does not know, untouched.
"$PY" - "$BIN" <<'PYEOF' >"$TMP/pass"
import msgpack, subprocess, sys, zmq, time
ctx = zmq.Context()
up = ctx.socket(zmq.PUSH); up_port = up.bind_to_random_port("tcp://127.0.0.1")
down = ctx.socket(zmq.PULL); down_port = down.bind_to_random_port("tcp://127.0.0.1")
p = subprocess.Popen([sys.argv[1] + "/huibao-classify", "-q", "--in", ">tcp://127.0.0.1:%d" % up_port,
                      "--out", ">tcp://127.0.0.1:%d" % down_port, "--topics", "configs/topics.conf",
                      "--figures", "configs/figures.conf"])
custom = {"v": 1, "type": "custom_note", "run": "r", "x": [1, {"y": "二"}]}
unit = {"v": 1, "type": "unit", "run": "r", "doc": 0, "seq": 0, "section": ["安全生产"],
        "kind": "summary", "text": "排查整治安全隐患*处，检查企业35家，帮扶一百二十户。", "mine": "kept"}
for m in (b"\x00garbage", msgpack.packb({"v": 2, "type": "unit"}), msgpack.packb(custom), msgpack.packb(unit)):
    up.send(m)
down.RCVTIMEO = 60000
def messages(frame):  # what arrives together may come as one batch
    m = msgpack.unpackb(frame)
    return [msgpack.unpackb(e) for e in m["msgs"]] if m.get("type") == "batch" else [m]
got = []
try:
    while len(got) < 2:
        got += messages(down.recv())
finally:  # a timeout fails the checks below, and leaves no classify behind
    print("alive", p.poll() is None)
    p.terminate(); p.wait(20)
    print("term", p.returncode == 0)
print("passthrough", got[0] == custom)
u = got[1]
print("classified", u["topic"] == "safety" and u["mine"] == "kept" and
      [m["raw"] for m in u["metrics"]] == ["*处", "35家", "一百二十户"])
PYEOF
for c in passthrough classified alive term; do
    check "classify over TCP: $c" grep -q "^$c True" "$TMP/pass"
done
