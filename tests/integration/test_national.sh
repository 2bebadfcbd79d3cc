# The 72 national reports: every .txt is written or rejected with a reason,
# nothing crashes, and the reports' own structure comes out.
. "$(dirname "$0")/lib.sh"

corpus=$SHARED/corpus/national
if [ ! -d "$corpus" ]; then
    skip "national corpus" "$corpus not found: the national run was NOT checked (set SHARED=path/to/shared)"
    exit 0
fi
"$BIN/huibao" run -q -o "$TMP/nat" "$corpus" >/dev/null 2>"$TMP/err"
status=$?
check "the national run exits 0 or 3" [ "$status" -eq 0 ] || [ "$status" -eq 3 ]
"$PY" - "$corpus" "$TMP/nat" >"$TMP/result" <<'PYEOF'
import json, os, sys
corpus, out = sys.argv[1], sys.argv[2]
files = {f for f in os.listdir(corpus) if f.endswith(".txt")}
docs = [json.loads(l) for l in open(out + "/docs.jsonl", encoding="utf-8")]
errs = [json.loads(l) for l in open(out + "/errors.jsonl", encoding="utf-8")]
seen = {os.path.basename(d["file"]) for d in docs} | {os.path.basename(e["file"]) for e in errs}
print("all", files == seen and len(files) == 72)
print("reasons", all(e.get("reason") for e in errs))
units = [json.loads(l) for l in open(out + "/paragraphs.jsonl", encoding="utf-8")]
by = {}
for u in units:
    by.setdefault(os.path.basename(u["file"]), []).append(u)
r25 = by.get("00_2025年中华人民共和国国务院政府工作报告.txt", [])
print("title", bool(r25) and r25[0]["title"] == "2025年中华人民共和国国务院政府工作报告" and r25[0]["year"] == 2025)
print("salutation", not any(u["text"] in ("各位代表：", "各位代表!") for u in units))
print("kinds", {u["kind"] for u in r25} >= {"preamble", "summary", "plan"})
print("years", all(d["year"] for d in docs if "政府工作报告.txt" in d["file"]))
PYEOF
for c in all reasons title salutation kinds years; do
    check "national: $c" grep -q "^$c True" "$TMP/result"
done
