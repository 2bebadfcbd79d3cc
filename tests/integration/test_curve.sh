# CURVE on tcp: a run listening for remote workers admits only listed keys.
# A listed worker does the work; a peer without a key cannot inject or read,
# and a worker with an unlisted key is refused.  The results equal a plain run.
. "$(dirname "$0")/lib.sh"

cd "$TMP" && "$BIN/huibao" keygen core && "$BIN/huibao" keygen worker && "$BIN/huibao" keygen stranger
cd "$OLDPWD"
check "keygen writes a key pair and a public key" [ -s "$TMP/core.key" ] && [ -s "$TMP/core.pub" ]
check "the key pair file is private (0600)" [ "$(stat -c %a "$TMP/core.key")" = 600 ]
check "the public file holds no secret" not grep -q secret "$TMP/core.pub"
cp "$TMP/worker.pub" "$TMP/allowed"

port=$(free_port)
while ! "$PY" -c "import socket,sys; s=socket.socket(); s.bind(('127.0.0.1',$((port + 1))))" 2>/dev/null; do
    port=$(free_port)
done
"$BIN/huibao" run -j 0 --no-progress --listen "127.0.0.1:$port" --curve-key "$TMP/core.key" \
    --curve-allow "$TMP/allowed" -o "$TMP/out" tests/data/seeds >"$TMP/run.out" 2>"$TMP/run.err" &
run=$!
sleep 0.5
check "--listen prints how workers join" grep -q "huibao-classify --in '>tcp://127.0.0.1:$port'" "$TMP/run.out"

# Intruders first: no key at all (inject / read), and an unlisted key.
"$PY" - "$port" <<'PYEOF' >"$TMP/intruder" &
import msgpack, sys, time, zmq
port = int(sys.argv[1])
ctx = zmq.Context()
inject = ctx.socket(zmq.PUSH); inject.connect("tcp://127.0.0.1:%d" % (port + 1))
steal = ctx.socket(zmq.PULL); steal.connect("tcp://127.0.0.1:%d" % port)
fake = {"v": 1, "type": "unit", "run": "x", "doc": 0, "seq": 0, "text": "伪造", "kind": "summary"}
for _ in range(20):
    try:
        inject.send(msgpack.packb(fake), zmq.NOBLOCK)
    except zmq.Again:
        pass
steal.RCVTIMEO = 3000
try:
    steal.recv()
    print("stole a message")
except zmq.Again:
    print("read nothing")
PYEOF
intruder=$!
"$BIN/huibao-classify" --in ">tcp://127.0.0.1:$port" --out ">tcp://127.0.0.1:$((port + 1))" \
    --curve-key "$TMP/stranger.key" --curve-server "$TMP/core.pub" 2>"$TMP/stranger.err" &
stranger=$!
sleep 1
"$BIN/huibao-classify" -q --in ">tcp://127.0.0.1:$port" --out ">tcp://127.0.0.1:$((port + 1))" \
    --curve-key "$TMP/worker.key" --curve-server "$TMP/core.pub" &
worker=$!
for _ in $(seq 1 300); do kill -0 $run 2>/dev/null || break; sleep 0.1; done
wait $run
check "the run with a remote, listed worker completes with 0" [ $? -eq 0 ]
wait $intruder
check "a peer without a key reads nothing" grep -q "read nothing" "$TMP/intruder"
kill $worker $stranger 2>/dev/null
check "a worker with an unlisted key is refused" grep -q "refused a CURVE client" "$TMP/run.err"
"$BIN/huibao" run -q -o "$TMP/plain" tests/data/seeds >/dev/null 2>&1
check "the results equal a plain run" \
    cmp -s <(sorted_units "$TMP/plain/paragraphs.jsonl") <(sorted_units "$TMP/out/paragraphs.jsonl")
# The injector's units carry another run id: had one got through, the
# aggregator would have said so.
check "nothing the keyless injector sent reached the aggregator" not grep -q "another run" "$TMP/run.err"

printf 'secret = %s\n' "$(sed -n 's/^secret = //p' "$TMP/core.key")" >"$TMP/bad-allow"
"$BIN/huibao-aggregate" --in @tcp://127.0.0.1:1 --acks '>tcp://127.0.0.1:2' -o "$TMP/x" \
    --curve-key "$TMP/core.key" --curve-allow "$TMP/bad-allow" 2>"$TMP/err"
check "a secret key in an allow-list is refused, naming file and line" grep -q "bad-allow:1" "$TMP/err"
