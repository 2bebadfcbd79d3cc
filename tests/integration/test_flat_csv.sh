# figures.csv and unit_topics.csv on the seed reports: one row per figure and
# per (unit, topic) of paragraphs.jsonl, Chinese labels, a BOM unless
# --no-csv-bom, and Python's csv module reads them.
. "$(dirname "$0")/lib.sh"

"$BIN/huibao" run -q --no-progress -o "$TMP/out" tests/data/seeds >/dev/null 2>&1
check "the run writes figures.csv" [ -s "$TMP/out/figures.csv" ]
check "the run writes unit_topics.csv" [ -s "$TMP/out/unit_topics.csv" ]
check "no temporary file left" [ -z "$(ls "$TMP/out" | grep '\.tmp$')" ]
for f in figures unit_topics; do
    check "$f.csv starts with a UTF-8 BOM" [ "$(head -c 3 "$TMP/out/$f.csv" | od -An -tx1 | tr -d ' ')" = efbbbf ]
done

"$PY" - "$TMP/out" >"$TMP/result" <<'PYEOF'
import csv, json, sys
out = sys.argv[1]
units = [json.loads(l) for l in open(out + "/paragraphs.jsonl", encoding="utf-8")]
labels = {}
for line in open("configs/topics.conf", encoding="utf-8"):
    line = line.strip()
    if line.startswith("[topic "):
        cur = line[7:-1].strip()
    elif line.startswith("label") and "=" in line:
        labels[cur] = line.split("=", 1)[1].strip()
def rows(name):
    with open("%s/%s.csv" % (out, name), encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))
num = lambda s: None if s == "" else float(s)
figs = rows("figures")
want = [(u["doc"], u["seq"], i, m) for u in sorted(units, key=lambda u: (u["doc"], u["seq"]))
        for i, m in enumerate(u["metrics"])]
print("figures_count", len(figs) == len(want) and len(figs) > 0)
by_key = {(u["doc"], u["seq"]): u for u in units}
ok = True
for r, (doc, seq, i, m) in zip(figs, want):
    u = by_key[(doc, seq)]
    ok &= (int(r["doc"]), int(r["seq"]), int(r["n"])) == (doc, seq, i)
    ok &= r["raw"] == m["raw"] and r["unit"] == (m["unit"] or "")
    ok &= num(r["value"]) == m["value"] and num(r["base_value"]) == m.get("base_value")
    ok &= r["subject"] == (m.get("subject") or "") and r["kind"] == u["kind"]
    ok &= r["topic"] == (u["topic"] or "") and r["town"] == (u["town"] or "")
    ok &= r["year"] == ("" if u["year"] is None else str(u["year"]))
    ok &= r["topic_label"] == (labels.get(u["topic"], "") if u["topic"] else "")
print("figures_values", ok)
tops = rows("unit_topics")
want = [(u, k, t) for u in sorted(units, key=lambda u: (u["doc"], u["seq"]))
        for k, t in enumerate(u["topics"], 1)]
print("topics_count", len(tops) == len(want) and len(tops) > 0)
ok = True
for r, (u, k, t) in zip(tops, want):
    ok &= (int(r["doc"]), int(r["seq"]), int(r["rank"])) == (u["doc"], u["seq"], k)
    ok &= r["topic"] == t["id"] and abs(float(r["score"]) - t["score"]) < 1e-9
    ok &= r["topic_label"] == labels[t["id"]] and r["kind"] == u["kind"]
print("topics_values", ok)
print("chinese_labels", any(r["topic_label"] == "农业与粮食" for r in tops))
print("header", list(figs[0])[:4] == ["doc", "seq", "part", "code"] and list(tops[0])[-2:] == ["score", "rank"])
PYEOF
for c in figures_count figures_values topics_count topics_values chinese_labels header; do
    check "CSV: $c" grep -q "^$c True" "$TMP/result"
done

# The same bytes whatever the number of workers, and --no-csv-bom.
"$BIN/huibao" run -q --no-progress -j1 --no-csv-bom -o "$TMP/out1" tests/data/seeds >/dev/null 2>&1
for f in figures unit_topics; do
    check "$f.csv without BOM (--no-csv-bom)" [ "$(head -c 3 "$TMP/out1/$f.csv")" = "doc" ]
    check "$f.csv the same with -j1 and by default" \
        sh -c 'tail -c +4 "$1" | cmp -s - "$2"' _ "$TMP/out/$f.csv" "$TMP/out1/$f.csv"
done

# --resume: a run whose journal kept only its first two documents (as after
# a crash) ends with the same files as a clean run, the rows of the other
# documents cut back first, a partial last row too.
cp -r "$TMP/out" "$TMP/res"
head -3 "$TMP/out/resume.tsv" >"$TMP/res/resume.tsv"
printf '4,7,1234' >>"$TMP/res/figures.csv"
"$BIN/huibao" run -q --no-progress --resume -o "$TMP/res" tests/data/seeds >/dev/null 2>"$TMP/err"
check "the resumed run succeeds" [ $? -eq 0 ]
for f in figures unit_topics; do
    check "$f.csv after --resume is the clean run's" cmp -s "$TMP/out/$f.csv" "$TMP/res/$f.csv"
done
"$BIN/huibao" run -q --no-progress --resume -o "$TMP/res" tests/data/seeds >/dev/null 2>&1
check "resuming a finished run leaves them as they were" \
    sh -c 'cmp -s "$1/figures.csv" "$2/figures.csv" && cmp -s "$1/unit_topics.csv" "$2/unit_topics.csv"' _ "$TMP/out" "$TMP/res"
