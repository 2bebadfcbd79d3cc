# A flood of bad frames costs a few log lines, not one each: the first ten,
# then the 16th, 32nd, 64th… with the count, and the total at the end.
. "$(dirname "$0")/lib.sh"

p_agg=$(free_port); p_acks=$(free_port); p_ctl=$(free_port)
"$BIN/huibao-aggregate" --in "@tcp://127.0.0.1:$p_agg" --acks ">tcp://127.0.0.1:$p_acks" \
    --ctl "@tcp://127.0.0.1:$p_ctl" -o "$TMP/out" --run good >"$TMP/agg.out" 2>"$TMP/agg.err" &
agg=$!
"$PY" - "$p_agg" "$p_acks" "$p_ctl" <<'PYEOF'
import msgpack, sys, zmq
ctx = zmq.Context()
s = ctx.socket(zmq.PUSH); s.connect("tcp://127.0.0.1:%s" % sys.argv[1])
ctl = ctx.socket(zmq.PUSH); ctl.connect("tcp://127.0.0.1:%s" % sys.argv[3])
acks = ctx.socket(zmq.PULL); acks.bind("tcp://127.0.0.1:%s" % sys.argv[2]); acks.RCVTIMEO = 20000
for i in range(3000):
    s.send(b"\xc1\xc1garbage")
# Behind the flood on the same connection, the one document's reject: the
# run ends only once the flood is read.
s.send(msgpack.packb({"v": 1, "type": "reject", "run": "good", "doc": 0, "file": "x.txt",
                      "stage": "test", "reason": "behind the flood"}))
s.close(linger=20000)
ctl.send(msgpack.packb({"v": 1, "type": "end", "run": "good", "docs": 1, "rejects": 0}))
ctl.close(linger=20000)
PYEOF
for _ in $(seq 1 200); do kill -0 $agg 2>/dev/null || break; sleep 0.1; done
wait $agg
lines=$(grep -c "dropped a" "$TMP/agg.err")
check "3000 bad frames make at most 25 log lines ($lines)" [ "$lines" -le 25 ] && [ "$lines" -ge 10 ]
check "the lines after the tenth carry the count" grep -q "(2048 bad messages so far; not all are logged)" "$TMP/agg.err"
check "the total is said at the end" grep -q "3000 messages were not valid huibao messages" "$TMP/agg.err"
