# huibao run --metrics HOST:PORT (issue 15.5): the aggregator serves the
# run's counts in the Prometheus text format over HTTP.  A Python stage holds
# every document from id 50 on until a gate file appears, so the run is
# scraped at a known point: once it has written something, then with exactly
# 50 documents written and the rest in flight.  Every line must parse, the
# counters must not go back, and the last counts (metrics.prom) must match
# docs.jsonl.  A bad --metrics address stops the run before anything starts.
. "$(dirname "$0")/lib.sh"

in=$TMP/in
seed_corpus "$in" 20 # 100 documents
cat >"$TMP/gate.py" <<'PYEOF'
"""Passes every message through; holds each document whose id is 50 or more
until the file $GATE exists."""
import argparse, os, signal, sys, time
sys.path.insert(0, "examples/stages")
import msgpack, zmq
from add_chars import open_socket

ap = argparse.ArgumentParser()
ap.add_argument("--in", dest="inp")
ap.add_argument("--out")
ap.add_argument("-q", "--quiet", action="store_true")
args = ap.parse_args()
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
ctx = zmq.Context()
inp = open_socket(ctx, zmq.PULL, args.inp)
out = open_socket(ctx, zmq.PUSH, args.out)
while True:
    frame = inp.recv()
    msg = msgpack.unpackb(frame, raw=False)
    if msg.get("type") == "doc" and msg.get("doc", 0) >= 50:
        while not os.path.exists(os.environ["GATE"]):
            time.sleep(0.05)
    out.send(frame)
PYEOF
cat >"$TMP/gate.conf" <<EOF2
[stage gate]
command = $PY $TMP/gate.py
[stage split]
[stage classify]
workers = 2
EOF2

port=$(free_port)
GATE=$TMP/open "$BIN/huibao" run -q --no-progress --metrics "127.0.0.1:$port" -c "$TMP/gate.conf" \
    -o "$TMP/out" "$in" >"$TMP/run.log" 2>&1 &
run=$!

# scrape.py URL OUT WANT_DONE PID: scrapes until documents done reaches
# WANT_DONE (0: any written), saves the body, prints the HTTP checks; gives
# up when the run (PID) is gone.
cat >"$TMP/scrape.py" <<'PYEOF'
import os, sys, time, urllib.error, urllib.request
url, out, want, pid = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
while os.path.exists(f"/proc/{pid}"):
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            body, ctype, status = r.read().decode("utf-8"), r.headers["Content-Type"], r.status
        done = [l for l in body.splitlines() if l.startswith("huibao_documents_done_total ")]
        n = int(float(done[0].split()[1])) if done else -1
        if (want == 0 and n > 0) or (want > 0 and n == want):
            open(out, "w").write(body)
            print("status", status == 200)
            print("ctype", ctype == "text/plain; version=0.0.4; charset=utf-8")
            break
    except (urllib.error.URLError, ConnectionError):
        pass
    time.sleep(0.1)
else:
    print("reached False")
PYEOF
"$PY" "$TMP/scrape.py" "http://127.0.0.1:$port/metrics" "$TMP/first" 0 $run >"$TMP/first.http"
"$PY" "$TMP/scrape.py" "http://127.0.0.1:$port/metrics" "$TMP/second" 50 $run >"$TMP/second.http"
check "a scrape once the run wrote something answers 200" grep -q "^status True" "$TMP/first.http"
check "with the exposition format's content type (0.0.4)" grep -q "^ctype True" "$TMP/first.http"
check "a scrape with the gate closed sees 50 documents done" grep -q "^status True" "$TMP/second.http"
"$PY" - "http://127.0.0.1:$port/nothing" >"$TMP/404" <<'PYEOF'
import sys, urllib.error, urllib.request
try:
    urllib.request.urlopen(sys.argv[1], timeout=10)
    print("404 False")
except urllib.error.HTTPError as e:
    print("404", e.code == 404)
PYEOF
check "another path is 404" grep -q "^404 True" "$TMP/404"

# While it runs, a second run on the same port is refused before it starts.
"$BIN/huibao" run -q --metrics "127.0.0.1:$port" -o "$TMP/second-run" tests/data/seeds >/dev/null 2>"$TMP/busy.err"
check "a second run on a port in use exits 2" [ $? -eq 2 ]
check "saying why" grep -q -- "--metrics: cannot listen on 127.0.0.1:$port: Address already in use" "$TMP/busy.err"
check "and touching no output folder" [ ! -e "$TMP/second-run" ]

touch "$TMP/open"
wait $run
status=$?
check "the gated run ends with 0 (got $status)" [ $status -eq 0 ]
check "its last metrics are in metrics.prom" [ -s "$TMP/out/metrics.prom" ]

"$PY" - "$TMP/first" "$TMP/second" "$TMP/out/metrics.prom" "$TMP/out/docs.jsonl" >"$TMP/result" <<'PYEOF'
import re, sys
first, second, final, docs = sys.argv[1:5]
# The text exposition format 0.0.4: comments, and samples "name{labels} value".
NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"'
VALUE = r"(?:[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?|NaN|[-+]?Inf)"
SAMPLE = re.compile(rf"^({NAME})(\{{{LABEL}(?:,{LABEL})*,?\}}|\{{\}})? ({VALUE})(?: -?\d+)?$")
HELP = re.compile(rf"^# HELP ({NAME}) .*$")
TYPE = re.compile(rf"^# TYPE ({NAME}) (counter|gauge|histogram|summary|untyped)$")

def parse(path):
    text = open(path, encoding="utf-8").read()
    ok = text.endswith("\n")
    types, samples, seen_help = {}, {}, set()
    for line in text.splitlines():
        if m := HELP.match(line):
            ok &= m[1] not in seen_help
            seen_help.add(m[1])
        elif m := TYPE.match(line):
            ok &= m[1] not in types      # one TYPE per family, before its samples
            ok &= not any(k[0] == m[1] for k in samples)
            types[m[1]] = m[2]
        elif m := SAMPLE.match(line):
            ok &= m[1] in types          # every sample has its family's TYPE
            ok &= (m[1], m[2] or "") not in samples
            samples[(m[1], m[2] or "")] = float(m[3])
        elif line.startswith("#"):
            pass
        else:
            ok = False
            print("bad line:", repr(line), file=sys.stderr)
    ok &= all(n.endswith("_total") == (t == "counter") for n, t in types.items())
    return ok, types, samples

results = [parse(p) for p in (first, second, final)]
print("grammar", all(r[0] for r in results))
(_, types, a), (_, _, b), (_, _, c) = results
def value(s, name, labels=""):
    return s.get((name, labels), -1)
counters = [k for k in c if types[k[0]] == "counter"]
print("monotonic", all(value(a, *k) <= value(b, *k) <= value(c, *k) for k in counters
                       if k in a and k in b) and len(counters) > 10)
ndocs = sum(1 for _ in open(docs, encoding="utf-8"))
print("final", ndocs == 100 and value(c, "huibao_documents_done_total") == ndocs)
print("gated", value(b, "huibao_documents_done_total") == 50
      and value(b, "huibao_documents_in_flight") > 0
      and value(b, "huibao_queue_documents", '{queue="reader_pending"}') >= 0
      and value(c, "huibao_documents_in_flight") == 0)
units = sum(1 for _ in open(docs.replace("docs.jsonl", "paragraphs.jsonl"), encoding="utf-8"))
workers = {k[1] for k in c if k[0] == "huibao_worker_units_total"}
print("units", value(c, "huibao_units_total") == units
      and sum(value(c, "huibao_worker_units_total", w) for w in workers) >= units
      and len(workers) >= 1 and value(c, "huibao_input_bytes_total") > 0)
names = {k[0] for k in c}
print("families", {"huibao_documents_done_total", "huibao_documents_rejected_total",
                   "huibao_documents_in_flight", "huibao_units_total", "huibao_input_bytes_total",
                   "huibao_resends_total", "huibao_worker_units_total",
                   "huibao_queue_documents"} <= names)
PYEOF
for c in grammar monotonic final gated units families; do
    check "metrics: $c" grep -q "^$c True" "$TMP/result"
done

# A bad address is refused before anything starts.
"$BIN/huibao" run -q --metrics nonsense -o "$TMP/bad" tests/data/seeds >/dev/null 2>"$TMP/bad.err"
check "--metrics nonsense exits 2" [ $? -eq 2 ]
check "with a message that says what is expected" grep -q -- '--metrics: "nonsense" is not HOST:PORT' "$TMP/bad.err"
check "and no output folder" [ ! -e "$TMP/bad" ]
