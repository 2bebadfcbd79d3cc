# Dropping and adding units is part of the protocol (issue 15.4): a filter
# that drops every "general" unit of the seeds (C, then Python) leaves every
# document complete with the rest, and a stage that turns each unit into two
# parts doubles the count.  Both against a plain run of the same seeds.
# (--attempts 1: a document left incomplete is rejected, not waited for.)
. "$(dirname "$0")/lib.sh"

EX=$(cd "${BUILD:-build}/examples" && pwd)   # a config's relative paths are its folder's
"$BIN/huibao" run -q -o "$TMP/plain" tests/data/seeds >/dev/null 2>&1
# what_is_left OUT: the units that are not "general", as the plain run has them.
"$PY" - "$TMP/plain/paragraphs.jsonl" >"$TMP/expected" <<'PYEOF'
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    u = json.loads(line)
    if u["topic"] != "general":
        print(line, end="")
PYEOF
check "the seeds have general units to drop" [ "$(wc -l <"$TMP/expected")" -lt "$(wc -l <"$TMP/plain/paragraphs.jsonl")" ]

for lang in C Python; do
    if [ $lang = C ]; then cmd=$EX/hb-drop_topic; else cmd="$PY $PWD/examples/stages/drop_topic.py"; fi
    cat >"$TMP/drop.conf" <<EOF2
[stage split]
[stage classify]
workers = 2
[stage drop_topic]
command = $cmd
options = --topic general
EOF2
    "$BIN/huibao" run -q --retry-after 20 --attempts 1 -c "$TMP/drop.conf" -o "$TMP/drop$lang" tests/data/seeds \
        >/dev/null 2>"$TMP/drop$lang.err"
    status=$?
    check "$lang: dropping every general unit, the run completes with 0 (got $status)" [ $status -eq 0 ]
    check "$lang: every document is written" [ "$(wc -l <"$TMP/drop$lang/docs.jsonl")" = 5 ]
    check "$lang: nothing is in errors.jsonl" [ ! -s "$TMP/drop$lang/errors.jsonl" ]
    check "$lang: the units left are the plain run's non-general units" \
        cmp -s <(sorted_units "$TMP/expected") <(sorted_units "$TMP/drop$lang/paragraphs.jsonl")
    check "$lang: docs.jsonl counts the units written" consistent "$TMP/drop$lang"
done

# Adding: each unit becomes two parts (the same seq, part 0 and 1 of 2).
cat >"$TMP/halves.py" <<'PYEOF'
import sys
sys.path.insert(0, "examples/stages")
import msgpack, zmq
from add_chars import open_socket
args = dict(zip(sys.argv[1::2], sys.argv[2::2]))
ctx = zmq.Context()
inp = open_socket(ctx, zmq.PULL, args["--in"])
out = open_socket(ctx, zmq.PUSH, args["--out"])
def halves(raw):
    m = msgpack.unpackb(raw, raw=False)
    if m.get("type") != "unit":
        return [raw]
    t = m["text"]
    return [msgpack.packb(dict(m, text=h, part=i, parts=2), use_bin_type=True)
            for i, h in enumerate((t[: len(t) // 2], t[len(t) // 2:]))]
while True:
    m = msgpack.unpackb(inp.recv(), raw=False)
    msgs = m["msgs"] if m.get("type") == "batch" else [msgpack.packb(m, use_bin_type=True)]
    out.send(msgpack.packb({"v": 2, "type": "batch", "msgs": [x for r in msgs for x in halves(r)]},
                           use_bin_type=True))
PYEOF
cat >"$TMP/add.conf" <<EOF2
[stage split]
[stage halves]
command = $PY $TMP/halves.py
[stage classify]
EOF2
"$BIN/huibao" run -q --retry-after 20 --attempts 1 -c "$TMP/add.conf" -o "$TMP/add" tests/data/seeds >/dev/null 2>"$TMP/add.err"
status=$?
check "a stage that adds units: the run completes with 0 (got $status)" [ $status -eq 0 ]
check "every unit became two" \
    [ "$(wc -l <"$TMP/add/paragraphs.jsonl")" = $((2 * $(wc -l <"$TMP/plain/paragraphs.jsonl"))) ]
check "docs.jsonl counts the units written" consistent "$TMP/add"
check "the parts are written in order" "$PY" -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
sys.exit(0 if all((a["doc"], a["seq"], a["part"]) < (b["doc"], b["seq"], b["part"]) for a, b in zip(rows, rows[1:]) if a["doc"] == b["doc"]) else 1)' "$TMP/add/paragraphs.jsonl"
# results.sqlite has a row per part (id doc << 35 | seq << 6 | part), with
# its text, and the figures and topics of every part under that part's row.
check "results.sqlite has every part, its text, figures and topics" "$PY" -c '
import json, sqlite3, sys
rows = [json.loads(l) for l in open(sys.argv[1] + "/paragraphs.jsonl", encoding="utf-8")]
db = sqlite3.connect(sys.argv[1] + "/results.sqlite")
units = {r[0]: r[1:] for r in db.execute("SELECT id, doc_id, seq, part, text FROM units")}
want = {u["doc"] << 35 | u["seq"] << 6 | u["part"]: (u["doc"], u["seq"], u["part"], u["text"])
        for u in rows}
def per_unit(table, key):
    have = {}
    for (i,) in db.execute("SELECT unit_id FROM " + table):
        have[i] = have.get(i, 0) + 1
    return have == {i: len(u[key]) for i, u in zip(want, rows) if u[key]}
second = sum(n for (n,) in db.execute(
    "SELECT count(*) FROM figures f JOIN units u ON u.id = f.unit_id WHERE u.part = 1"))
ok = (len(units) == len(rows) and units == want and per_unit("figures", "metrics")
      and per_unit("unit_topics", "topics") and second > 0)
sys.exit(0 if ok else 1)' "$TMP/add"
# figures.csv and unit_topics.csv tell the parts apart too (their part
# column): one row per figure and per topic of each part, none twice.
check "figures.csv and unit_topics.csv: a row per figure and topic of each part" "$PY" -c '
import csv, json, sys
rows = [json.loads(l) for l in open(sys.argv[1] + "/paragraphs.jsonl", encoding="utf-8")]
def keys(name, last):
    return [(int(r["doc"]), int(r["seq"]), int(r["part"]), int(r[last]))
            for r in csv.DictReader(open(sys.argv[1] + "/" + name, encoding="utf-8-sig"))]
figs = [(u["doc"], u["seq"], u["part"], i) for u in rows for i in range(len(u["metrics"]))]
tops = [(u["doc"], u["seq"], u["part"], i + 1) for u in rows for i in range(len(u["topics"]))]
sys.exit(0 if keys("figures.csv", "n") == figs and keys("unit_topics.csv", "rank") == tops
         else 1)' "$TMP/add"
