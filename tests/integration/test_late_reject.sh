# Documents are written in id order, so a complete document waits for those
# before it, unacknowledged; the reader may meanwhile give up on it and send
# a reject ("not acknowledged after N attempts").  A reject that comes for a
# document already complete must not replace it: its units are written.
. "$(dirname "$0")/lib.sh"

p_agg=$(free_port); p_acks=$(free_port); p_ctl=$(free_port)
"$BIN/huibao-aggregate" --in "@tcp://127.0.0.1:$p_agg" --acks ">tcp://127.0.0.1:$p_acks" \
    --ctl "@tcp://127.0.0.1:$p_ctl" -o "$TMP/out" --run good >"$TMP/agg.out" 2>"$TMP/agg.err" &
agg=$!
"$PY" - "$p_agg" "$p_acks" "$p_ctl" <<'PYEOF' >"$TMP/acks"
import msgpack, sys, zmq, time
ctx = zmq.Context()
s = ctx.socket(zmq.PUSH); s.connect("tcp://127.0.0.1:%s" % sys.argv[1])
ctl = ctx.socket(zmq.PUSH); ctl.connect("tcp://127.0.0.1:%s" % sys.argv[3])
acks = ctx.socket(zmq.PULL); acks.bind("tcp://127.0.0.1:%s" % sys.argv[2]); acks.RCVTIMEO = 60000
P = msgpack.packb
unit = lambda doc, seq: P({"v": 1, "type": "unit", "run": "good", "doc": doc, "seq": seq,
                           "section": [], "kind": "summary", "text": "单元%d" % seq,
                           "topic": "general", "topics": [], "metrics": []})
doc_end = lambda doc: P({"v": 1, "type": "doc_end", "run": "good", "doc": doc, "units": 1,
                         "file": "%d.txt" % doc, "title": "", "town": None, "county": None,
                         "year": None})
for m in [unit(1, 0), doc_end(1),                   # doc 1 complete, waiting for doc 0
          P({"v": 1, "type": "reject", "run": "good", "doc": 1, "file": "1.txt",
             "stage": "read", "reason": "not acknowledged after 5 attempts"}),
          unit(0, 0), doc_end(0)]:
    s.send(m)
    time.sleep(0.02)
ctl.send(P({"v": 1, "type": "end", "run": "good", "docs": 2, "rejects": 0}))
n = 0
while n < 2:
    ack = msgpack.unpackb(acks.recv())
    if "doc" in ack:   # not the end's own acknowledgement
        print("ack", ack["doc"])
        n += 1
PYEOF
for _ in $(seq 1 600); do kill -0 $agg 2>/dev/null || break; sleep 0.1; done
kill $agg 2>/dev/null # still running after a minute: a failure, not a hang
wait $agg
check "the run completes with 0 (nothing rejected)" [ $? -eq 0 ]
check "both documents are written" [ "$(wc -l <"$TMP/out/docs.jsonl")" -eq 2 ]
check "with their units" [ "$(wc -l <"$TMP/out/paragraphs.jsonl")" -eq 2 ]
check "no error recorded for the complete document" [ ! -s "$TMP/out/errors.jsonl" ]
check "both acknowledged" [ "$(grep -c '^ack' "$TMP/acks")" -eq 2 ]
