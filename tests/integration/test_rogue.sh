# A rogue or buggy peer cannot break a run: garbage, truncated msgpack, wrong
# schema versions, unknown types, oversized messages and acks for documents
# that do not exist are dropped, and the run's results stay right.
. "$(dirname "$0")/lib.sh"

p_agg=$(free_port); p_acks=$(free_port); p_ctl=$(free_port)
"$BIN/huibao-aggregate" --max-msg-mb 1 --in "@tcp://127.0.0.1:$p_agg" --acks ">tcp://127.0.0.1:$p_acks" \
    --ctl "@tcp://127.0.0.1:$p_ctl" -o "$TMP/out" --run good >"$TMP/agg.out" 2>"$TMP/agg.err" &
agg=$!
"$PY" - "$p_agg" "$p_acks" "$p_ctl" <<'PYEOF' >"$TMP/rogue"
import msgpack, sys, zmq, time
ctx = zmq.Context()
s = ctx.socket(zmq.PUSH); s.connect("tcp://127.0.0.1:%s" % sys.argv[1])
ctl = ctx.socket(zmq.PUSH); ctl.connect("tcp://127.0.0.1:%s" % sys.argv[3])
acks = ctx.socket(zmq.PULL); acks.bind("tcp://127.0.0.1:%s" % sys.argv[2]); acks.RCVTIMEO = 60000
P = msgpack.packb
B = lambda msgs, v=2: P({"v": v, "type": "batch", "msgs": msgs})
unit = lambda seq, run="good", doc=0: P({"v": 1, "type": "unit", "run": run, "doc": doc, "seq": seq,
                                         "section": [], "kind": "summary", "text": "单元%d" % seq,
                                         "topic": "general", "topics": [], "metrics": []})
# Over --max-msg-mb: the socket refuses it and drops the connection, and with
# it what was queued behind: sent alone, on a connection of its own.
big = ctx.socket(zmq.PUSH); big.connect("tcp://127.0.0.1:%s" % sys.argv[1])
big.send(b"\x00" * (2 << 20))
big.close(linger=2000)
for m in [b"\xc1\xc1garbage", P({"v": 1, "type": "unit"})[:-3], P([1, 2, 3]), P({"type": "unit"}),
          P({"v": 9, "type": "unit", "run": "good", "doc": 0, "seq": 0}),
          P({"v": 1, "type": "what_is_this", "run": "good"}),
          unit(0, run="evil"),                       # another run
          P({"v": 1, "type": "unit", "run": "good", "doc": 1 << 40, "seq": 0}),  # impossible id
          P({"v": 1, "type": "ack", "run": "good", "doc": 77}),                  # not for us
          P({"v": 1, "type": "end", "run": "good", "docs": 0, "rejects": 0}),    # forged: data port
          unit(0), unit(5),                          # a seq beyond the count
          # a batch: a duplicate, garbage, a nested batch, then the second unit
          B([unit(0), b"\xc1junk", B([unit(1)]), unit(1)]),
          B([unit(1)], v=1),                         # a batch must say v 2
          P({"v": 1, "type": "doc_end", "run": "good", "doc": 0, "units": 2, "file": "a.txt",
             "title": "", "town": None, "county": None, "year": None})]:
    s.send(m)
    time.sleep(0.01)
ctl.send(P({"v": 1, "type": "end", "run": "good", "docs": 1, "rejects": 0}))
ack = msgpack.unpackb(acks.recv())
while "doc" not in ack:   # the end's own acknowledgement
    ack = msgpack.unpackb(acks.recv())
print("ack", ack["type"] == "ack" and ack["doc"] == 0)
PYEOF
for _ in $(seq 1 600); do kill -0 $agg 2>/dev/null || break; sleep 0.1; done
kill $agg 2>/dev/null # still running after a minute: a failure, not a hang
wait $agg
check "the aggregator survives the rogue messages and completes with 0" [ $? -eq 0 ]
check "the real document is acknowledged" grep -q "^ack True" "$TMP/rogue"
check "exactly its two units are written once" [ "$(wc -l <"$TMP/out/paragraphs.jsonl")" -eq 2 ]
check "in order" "$PY" -c "import json,sys; s=[json.loads(l)['seq'] for l in open('$TMP/out/paragraphs.jsonl')]; sys.exit(s!=[0,1])"
check "and results.sqlite holds those two, not the unit beyond the count" \
    "$PY" -c "import sqlite3,sys; sys.exit(sqlite3.connect('$TMP/out/results.sqlite').execute('select group_concat(seq) from units').fetchone()[0] != '0,1')"
check "an end on the data socket is ignored, and said so" grep -q "the run's end comes from the reader over --ctl only" "$TMP/agg.err"
check "garbage is reported" grep -q "not msgpack\|truncated" "$TMP/agg.err"
check "the wrong version is reported" grep -q "unsupported schema version" "$TMP/agg.err"
check "another run is reported" grep -q "another run" "$TMP/agg.err"
check "an impossible document id is reported" grep -q "impossible document id" "$TMP/agg.err"
check "a batch's bad elements are reported, its good ones used" \
    grep -q "dropped message 2 of a batch of 4: not msgpack" "$TMP/agg.err"
check "a batch inside a batch is refused" grep -q "a batch inside a batch" "$TMP/agg.err"
check "at the end, the dropped messages are counted" \
    grep -q "[0-9]* messages were not valid huibao messages and were dropped" "$TMP/agg.err"
check "a batch saying v 1 is refused as a version it does not know (as is the v 9 unit)" \
    [ "$(grep -c "unsupported schema version" "$TMP/agg.err")" -eq 2 ]

# The reader's ack socket: acks for documents that do not exist, of another
# run, garbage and a wrong version are ignored; the real run still completes.
p_docs=$(free_port); p_split=$(free_port); p_agg2=$(free_port); p_acks2=$(free_port); p_ctl2=$(free_port)
"$BIN/huibao-read" --run good --out "@tcp://127.0.0.1:$p_docs" --ctl ">tcp://127.0.0.1:$p_ctl2" \
    --acks "@tcp://127.0.0.1:$p_acks2" tests/data/seeds 2>"$TMP/read.err" &
reader=$!
"$PY" - "$p_acks2" <<'PYEOF'
import msgpack, sys, zmq
ctx = zmq.Context()
s = ctx.socket(zmq.PUSH); s.connect("tcp://127.0.0.1:%s" % sys.argv[1])
P = msgpack.packb
for m in [P({"v": 1, "type": "ack", "run": "good", "doc": 999}),
          P({"v": 1, "type": "ack", "run": "good", "doc": 1 << 60}),
          P({"v": 1, "type": "ack", "run": "other", "doc": 0}),
          P({"v": 3, "type": "ack", "run": "good", "doc": 0}), b"\x00\x01garbage"]:
    s.send(m)
s.close(linger=2000)
PYEOF
"$BIN/huibao-aggregate" -q --run good --in "@tcp://127.0.0.1:$p_agg2" --acks ">tcp://127.0.0.1:$p_acks2" \
    --ctl "@tcp://127.0.0.1:$p_ctl2" \
    -o "$TMP/out2" >/dev/null 2>&1 &
agg=$!
"$BIN/huibao-split" -q --in ">tcp://127.0.0.1:$p_docs" --out "@tcp://127.0.0.1:$p_split" &
split=$!
"$BIN/huibao-classify" -q --in ">tcp://127.0.0.1:$p_split" --out ">tcp://127.0.0.1:$p_agg2" &
classify=$!
for _ in $(seq 1 600); do kill -0 $agg 2>/dev/null || break; sleep 0.1; done
kill $agg 2>/dev/null # still running after a minute: a failure, not a hang
wait $agg
check "with bogus acks sent to the reader, the run still completes with 0" [ $? -eq 0 ]
wait $reader
check "the reader exits 0 after the real acks" [ $? -eq 0 ]
check "all five documents are written" [ "$(wc -l <"$TMP/out2/docs.jsonl")" -eq 5 ]
check "the reader says it ignored what was not an ack" grep -q "not an ack" "$TMP/read.err"
kill $split $classify 2>/dev/null
