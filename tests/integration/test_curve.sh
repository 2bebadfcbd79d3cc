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
check "--listen prints how workers join" wait_for 60 grep -q "huibao-classify --in '>tcp://127.0.0.1:$port'" "$TMP/run.out"

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
# The listed worker only once the stranger was turned away: it could else do
# the whole run before the stranger even tries.
wait_for 60 grep -q "refused a CURVE client" "$TMP/run.err"
wait_for 60 grep -q "handshake with tcp://127.0.0.1:$port" "$TMP/stranger.err"
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
check "and the refused worker says so on its side" grep -q "handshake with tcp://127.0.0.1:$port" "$TMP/stranger.err"
"$BIN/huibao" run -q -o "$TMP/plain" tests/data/seeds >/dev/null 2>&1
check "the results equal a plain run" \
    cmp -s <(sorted_units "$TMP/plain/paragraphs.jsonl") <(sorted_units "$TMP/out/paragraphs.jsonl")
# The injector's units carry another run id: had one got through, the
# aggregator would have said so.
check "nothing the keyless injector sent reached the aggregator" not grep -q "another run" "$TMP/run.err"

printf 'secret = %s\n' "$(sed -n 's/^secret = //p' "$TMP/core.key")" >"$TMP/bad-allow"
"$BIN/huibao-aggregate" --in @tcp://127.0.0.1:1 --ctl @tcp://127.0.0.1:3 --acks '>tcp://127.0.0.1:2' -o "$TMP/x" \
    --curve-key "$TMP/core.key" --curve-allow "$TMP/bad-allow" 2>"$TMP/err"
check "a secret key in an allow-list is refused, naming file and line" grep -q "bad-allow:1" "$TMP/err"

# --listen is secure by default (issue 17.4): CURVE on with a key pair made in
# the output folder, the join command printed with the server's key.
pair_port() {
    local p
    p=$(free_port)
    while ! "$PY" -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',$((p + 1))))" 2>/dev/null; do
        p=$(free_port)
    done
    echo "$p"
}
port=$(pair_port)
"$BIN/huibao" run --no-progress --listen "127.0.0.1:$port" -o "$TMP/dflt" tests/data/seeds \
    >"$TMP/dflt.out" 2>"$TMP/dflt.err" &
run=$!
wait_for 60 grep -q "huibao-classify --in" "$TMP/dflt.out"
check "--listen makes the run's key pair in the output folder, private" \
    [ "$(stat -c %a "$TMP/dflt/listen.key" 2>/dev/null)" = 600 ]
check "the join command carries the server's public key" \
    grep -qF -- "--curve-server '$(sed -n 's/^public = //p' "$TMP/dflt/listen.pub" 2>/dev/null)'" "$TMP/dflt.out"
"$PY" - "$port" <<'PYEOF' >"$TMP/dflt.intruder"
import sys, zmq
ctx = zmq.Context()
steal = ctx.socket(zmq.PULL); steal.connect("tcp://127.0.0.1:%s" % sys.argv[1]); steal.RCVTIMEO = 2000
try:
    steal.recv(); print("stole a message")
except zmq.Again:
    print("read nothing")
PYEOF
check "a peer without the key reads nothing" grep -q "read nothing" "$TMP/dflt.intruder"
join=$(sed -n 's/^  huibao-classify //p' "$TMP/dflt.out")
eval "exec \"\$BIN/huibao-classify\" -q $join" &
worker=$!
for _ in $(seq 1 300); do kill -0 $run 2>/dev/null || break; sleep 0.1; done
wait $run
check "a worker started with the printed command does the run, status 0" [ $? -eq 0 ]
kill $worker 2>/dev/null
check "its results equal a plain run" \
    cmp -s <(sorted_units "$TMP/plain/paragraphs.jsonl") <(sorted_units "$TMP/dflt/paragraphs.jsonl")

# --insecure opts out, with a warning; even then a forged "end" on a data port
# cannot end the run: the end comes from the reader's own counts over ipc.
port=$(pair_port)
"$BIN/huibao" run --no-progress --insecure --listen "127.0.0.1:$port" -o "$TMP/forged" tests/data/seeds \
    >"$TMP/forged.out" 2>"$TMP/forged.err" &
run=$!
"$PY" - "$port" <<'PYEOF' >"$TMP/forger"
import msgpack, sys, zmq
port = int(sys.argv[1])
ctx = zmq.Context()
pull = ctx.socket(zmq.PULL); pull.connect("tcp://127.0.0.1:%d" % port); pull.RCVTIMEO = 60000  # a guard: the run may be slow to start
m = msgpack.unpackb(pull.recv(), raw=False)
# The reader (split in it) may send before the aggregator listens (slower to
# start under ASan): a frame queued for a port not yet bound can be lost.
import socket, time
for _ in range(300):
    try:
        socket.create_connection(("127.0.0.1", port + 1), 1).close(); break
    except OSError:
        time.sleep(0.1)
push = ctx.socket(zmq.PUSH); push.connect("tcp://127.0.0.1:%d" % (port + 1))
if m.get("type") == "batch":
    m = msgpack.unpackb(m["msgs"][0], raw=False)
push.send(msgpack.packb({"v": 1, "type": "end", "run": m["run"], "docs": 0, "rejects": 0}))
pull.close(linger=0)
push.close(linger=20000)  # a loaded (ASan) aggregator may take its time to accept
print("forged an end for run", m["run"])
PYEOF
check "the forger learnt the run id" grep -q "forged an end" "$TMP/forger"
check "--insecure warns" grep -q -- "--insecure: whoever reaches ports" "$TMP/forged.err"
"$BIN/huibao-classify" -q --in ">tcp://127.0.0.1:$port" --out ">tcp://127.0.0.1:$((port + 1))" &
worker=$!
for _ in $(seq 1 600); do kill -0 $run 2>/dev/null || break; sleep 0.1; done
wait $run
check "after a forged end the run still completes with 0" [ $? -eq 0 ]
kill $worker 2>/dev/null
check "with all five documents" [ "$(wc -l <"$TMP/forged/docs.jsonl")" -eq 5 ]
check "the forged end was ignored, and said so" grep -q "the run's end comes from the reader" "$TMP/forged.err"
