#!/usr/bin/env bash
# make eval: the pipeline on the seed reports and, where SHARED has them, the
# national reports, each scored by its hand labels beside a plain
# keyword-count baseline (the same topic keywords, counted in the unit text
# alone: no headings, no weights, no structure).
set -euo pipefail
BIN=${1:-bin}
SHARED=${2:-../shared}
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
if [ ! -f "$SHARED/labels/score.py" ]; then
    echo "eval: $SHARED/labels/score.py not found; set SHARED=path/to/shared" >&2
    exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# eval_set NAME CORPUS LABELS: one table of scores.
eval_set() {
    local name=$1 corpus=$2 labels=$3 out="$tmp/$1"
    "$BIN/huibao" run -q --no-progress -o "$out" "$corpus" >/dev/null
    "$PY" - "$out/paragraphs.jsonl" configs/topics.conf >"$out/baseline.jsonl" <<'PYEOF'
import json, sys, re
topics = {}
cur = None
for line in open(sys.argv[2], encoding="utf-8"):
    m = re.match(r"\[topic (\S+)\]", line.strip())
    if m:
        cur = m.group(1); topics[cur] = []
    elif cur and line.strip().startswith("keywords"):
        topics[cur] += [w.split(":")[0] for w in line.split("=", 1)[1].split()]
for line in open(sys.argv[1], encoding="utf-8"):
    u = json.loads(line)
    counts = {t: sum(u["text"].count(k) for k in ks) for t, ks in topics.items()}
    best = max(counts, key=counts.get)
    u["topic"] = best if counts[best] else "general"
    u["topics"] = [{"id": u["topic"], "score": 1.0}]
    u["metrics"] = [{"raw": m} for m in re.findall(r"[0-9*x]+[个户人次名处条亩家万元%]", u["text"])]
    u["kind"] = "summary"
    print(json.dumps(u, ensure_ascii=False))
PYEOF
    "$PY" "$SHARED/labels/score.py" "$out/paragraphs.jsonl" "$labels" --json >"$out/h.json"
    "$PY" "$SHARED/labels/score.py" "$out/baseline.jsonl" "$labels" --json >"$out/b.json"
    "$PY" - "$out/h.json" "$out/b.json" "$name" <<'PYEOF'
import json, sys
h, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
print("%-24s %10s %10s" % (sys.argv[3] + " scores", "huibao", "baseline"))
for k in h:
    if k.endswith(("_f1", "_accuracy")):
        print("%-24s %10.4f %10.4f" % (k, h[k], b.get(k, 0)))
PYEOF
}
# labelled NAME LABELS: the run's units of the labelled documents, with the
# hand-labelled topic and topics (matched by text, as score.py does), for
# train-topics.
labelled() {
    "$PY" - "$tmp/$1/paragraphs.jsonl" "$2" >"$tmp/$1/labelled.jsonl" <<'PYEOF'
import json, os, sys, unicodedata
def norm(s):
    return "".join(unicodedata.normalize("NFKC", s or "").split())
gold = {}
for line in open(sys.argv[2], encoding="utf-8"):
    g = json.loads(line)
    gold.setdefault((g["doc"], norm(g["text"])), []).append(g)
for line in open(sys.argv[1], encoding="utf-8"):
    u = json.loads(line)
    t = gold.get((os.path.basename(u["file"]), norm(u["text"])))
    if t:
        g = t.pop(0)
        u["topic"], u["topics"] = g["topic"], g["topics"]
        print(json.dumps(u, ensure_ascii=False))
PYEOF
}
eval_set seed tests/data/seeds "$SHARED/labels/seeds.jsonl"
labelled seed "$SHARED/labels/seeds.jsonl"
if [ -d "$SHARED/corpus/national" ] && [ -f "$SHARED/labels/national.jsonl" ]; then
    echo
    eval_set national "$SHARED/corpus/national" "$SHARED/labels/national.jsonl"
    labelled national "$SHARED/labels/national.jsonl"
else
    echo "eval: $SHARED/corpus/national or its labels not found: national scores skipped" >&2
fi
echo
echo "topic accuracy of weights trained on the other documents (tools/train-topics.py --lodo):"
"$PY" tools/train-topics.py configs/topics.conf "$tmp"/*/labelled.jsonl --lodo -o /dev/null 2>&1
