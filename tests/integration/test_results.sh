# results.sqlite on the seed reports: its rows agree with paragraphs.jsonl
# and docs.jsonl, it is closed whole, and every query of docs/results.md
# runs and returns rows.
. "$(dirname "$0")/lib.sh"

"$BIN/huibao" run -q -o "$TMP/out" tests/data/seeds >/dev/null 2>&1
check "the run writes results.sqlite" [ -s "$TMP/out/results.sqlite" ]
check "closed whole: no -wal or -shm left" [ ! -e "$TMP/out/results.sqlite-wal" -a ! -e "$TMP/out/results.sqlite-shm" ]
results_dump "$TMP/out" >"$TMP/dump"
check "and it is whole (integrity, foreign keys, unit counts)" [ $? -eq 0 ]

"$PY" - "$TMP/out" docs/results.md >"$TMP/result" <<'PYEOF'
import json, re, sqlite3, sys
out, doc = sys.argv[1], sys.argv[2]
db = sqlite3.connect("file:%s/results.sqlite?mode=ro" % out, uri=True)
one = lambda sql: db.execute(sql).fetchone()[0]
units = [json.loads(l) for l in open(out + "/paragraphs.jsonl", encoding="utf-8")]
docs = [json.loads(l) for l in open(out + "/docs.jsonl", encoding="utf-8")]
print("counts", one("SELECT count(*) FROM documents") == len(docs)
      and one("SELECT count(*) FROM units") == len(units)
      and one("SELECT count(*) FROM unit_topics") == sum(len(u["topics"]) for u in units)
      and one("SELECT count(*) FROM figures") == sum(len(u["metrics"]) for u in units)
      and one("SELECT count(*) FROM villages") == sum(len(u["villages"]) for u in units))
rows = {(u["doc"], u["seq"]): u for u in units}
same = True
for doc_id, seq, kind, topic, text, section in db.execute(
        "SELECT doc_id, seq, kind, topic, text, section FROM units"):
    u = rows[(doc_id, seq)]
    same &= (kind, topic, text, json.loads(section)) == (u["kind"], u["topic"], u["text"], u["section"])
print("units", same)
figs = sorted((u["doc"], u["seq"], i, m["raw"], m["value"], m["unit"], m["subject"])
              for u in units for i, m in enumerate(u["metrics"]))
print("figures", figs == sorted(db.execute(
    "SELECT doc_id, unit_id >> 6 & 536870911, n, raw, value, unit, subject FROM figures").fetchall()))
print("labels", one("SELECT count(*) FROM topics WHERE label IS NULL OR description IS NULL") == 0
      and one("SELECT label FROM topics WHERE id = 'agriculture'") == "农业与粮食")
print("views", one("SELECT count(*) FROM town_topic_share") > 0
      and one("SELECT count(*) FROM plans_vs_summary") > 0
      and one("""SELECT max(abs(s - 1)) FROM (SELECT sum(share) AS s FROM town_topic_share
                 GROUP BY place_id, year)""") < 0.01)
print("meta", one("SELECT value FROM meta WHERE key = 'complete'") == 1)
queries = re.findall(r"```sql\n(.*?)```", open(doc, encoding="utf-8").read(), re.S)
print("queries", len(queries))
for i, q in enumerate(queries, 1):
    print("query%d" % i, len(db.execute(q).fetchall()) > 0)
PYEOF
for c in counts units figures labels views meta; do
    check "results.sqlite: $c" grep -q "^$c True" "$TMP/result"
done
n=$(sed -n 's/^queries //p' "$TMP/result")
check "docs/results.md has at least five queries ($n)" [ "${n:-0}" -ge 5 ]
for i in $(seq 1 "${n:-0}"); do
    check "docs/results.md query $i returns rows on the seeds" grep -q "^query$i True" "$TMP/result"
done

# A new run over the same folder replaces the database.
"$BIN/huibao" run -q -o "$TMP/again" tests/data/seeds >/dev/null 2>&1
check "a second run over the same folder starts afresh" \
    [ "$("$PY" -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from documents").fetchone()[0])' "$TMP/again/results.sqlite")" = 5 ]
"$BIN/huibao" run -q -o "$TMP/again" tests/data/seeds >/dev/null 2>&1
check "and again: no document twice" \
    [ "$("$PY" -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from documents").fetchone()[0])' "$TMP/again/results.sqlite")" = 5 ]

# towns.csv opens right in Excel: a UTF-8 byte order mark (unless
# --no-csv-bom) and the topics' Chinese labels in its header.
check "towns.csv starts with a UTF-8 BOM" [ "$(head -c 3 "$TMP/out/towns.csv" | od -An -tx1 | tr -d ' ')" = efbbbf ]
check "and heads its topic columns with their Chinese labels" grep -q ",农业与粮食," "$TMP/out/towns.csv"
"$BIN/huibao" run -q --no-csv-bom -o "$TMP/nobom" tests/data/seeds >/dev/null 2>&1
check "--no-csv-bom writes it without" [ "$(head -c 5 "$TMP/nobom/towns.csv")" = "code," ]

# --no-results-db: neither the database nor report.html (those of the run
# before in the folder removed), the other outputs the same bytes.
"$BIN/huibao" run -q --force --no-results-db -o "$TMP/again" tests/data/seeds >/dev/null 2>&1
check "--no-results-db leaves no results.sqlite" [ ! -e "$TMP/again/results.sqlite" ]
check "nor report.html" [ ! -e "$TMP/again/report.html" ]
for f in paragraphs.jsonl docs.jsonl towns.csv; do
    check "--no-results-db: $f the same bytes" cmp -s "$TMP/out/$f" "$TMP/again/$f"
done
# A report.html it cannot remove (here a folder): the run stops, naming it.
mkdir -p "$TMP/stuck/report.html" && touch "$TMP/stuck/report.html/x"
"$BIN/huibao" run -q --force --no-progress --no-results-db -o "$TMP/stuck" tests/data/seeds >/dev/null 2>"$TMP/stuck.err"
check "--no-results-db: a report.html that cannot be removed is an error" [ $? -eq 1 ]
check "naming it" grep -q "stuck/report.html: cannot remove" "$TMP/stuck.err"
