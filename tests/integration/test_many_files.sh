# 100,000 small reports in one folder, run with -j 2: the run completes,
# every file is one line of docs.jsonl with its own town and year, and
# docs.jsonl, paragraphs.jsonl, towns.csv and summary.json agree on the counts.
# About 25 s on 2 idle cores (a third of it creating the files); the elapsed
# time of the run is printed as a "# " line.
. "$(dirname "$0")/lib.sh"

# Under AddressSanitizer (make check-asan) the stages are ~5x slower: 30,000 files there.
N=${HB_MANY_FILES:-100000}   # a multiple of 2500
if [ -z "${HB_MANY_FILES:-}" ] && grep -q __asan_init "$BIN/huibao-read" 2>/dev/null; then
    N=30000
    echo "# sanitizer build: $N files instead of 100000"
fi
in=$TMP/in
"$PY" - "$in" "$N" <<'PYEOF'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
os.mkdir(root)
A = "东西南北上下前后左右大高新旧金银铜铁石木"      # 20
B = "山水河湖江溪桥林田村岭坪塘园港湾洲坝岗冲口店庄营寨"  # 25: 500 towns
for i in range(n):
    town = A[i % 20] + B[(i // 20) % 25] + "镇"
    year = 2019 + (i // 500) % 5
    text = "%s%d年上半年工作总结\n全镇完成固定资产投资%d万元，新建道路%d公里。\n" % (town, year, i, i % 97)
    fd = os.open("%s/%06d.txt" % (root, i), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    os.write(fd, text.encode())
    os.close(fd)
PYEOF
check "$N files created" [ "$(ls "$in" | wc -l)" -eq "$N" ]

start=$EPOCHREALTIME
timeout 150 "$BIN/huibao" run -j 2 --no-progress -o "$TMP/out" "$in" >"$TMP/run.out" 2>"$TMP/run.err"
status=$?
elapsed=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
echo "# $N files with -j 2: $elapsed s ($(awk -v t="$elapsed" -v n="$N" 'BEGIN { printf "%.0f", n / t }') documents/s)"
check "the run of $N files exits 0 (got $status)" [ "$status" -eq 0 ]
check "no stage crashed" eval '! grep -qE "killed by signal|died|exited with status|keeps failing" "$TMP/run.err"'
"$PY" - "$TMP/out" "$N" >"$TMP/result" <<'PYEOF'
import csv, json, sys, collections
out, n = sys.argv[1], int(sys.argv[2])
A = "东西南北上下前后左右大高新旧金银铜铁石木"
B = "山水河湖江溪桥林田村岭坪塘园港湾洲坝岗冲口店庄营寨"
docs = [json.loads(l) for l in open(out + "/docs.jsonl", encoding="utf-8")]
units = collections.Counter(json.loads(l)["file"] for l in open(out + "/paragraphs.jsonl", encoding="utf-8"))
summary = json.load(open(out + "/summary.json", encoding="utf-8"))
towns = list(csv.DictReader(open(out + "/towns.csv", encoding="utf-8-sig")))
print("docs", len(docs) == n and len({d["file"] for d in docs}) == n)
print("units", sum(units.values()) == n and all(units[d["file"]] == d["units"] == 1 for d in docs))
def want(d):
    i = int(d["file"].rsplit("/", 1)[-1][:-4])
    return A[i % 20] + B[(i // 20) % 25] + "镇", 2019 + (i // 500) % 5
print("places", all((d["town"], d["year"]) == want(d) for d in docs))
per = collections.Counter((d["town"], str(d["year"])) for d in docs)
rows = {(r["town"], r["year"]): r for r in towns}
each = n // 2500   # 500 towns x 5 years, each pair the same number of documents
print("towns", len(towns) == 2500 and len(rows) == 2500
      and all(int(rows[k]["documents"]) == v == each and int(rows[k]["units"]) == each for k, v in per.items()))
t = summary["total"]
print("summary", summary["complete"] is True and t["documents"] == n and t["units"] == n
      and sum(int(r["documents"]) for r in towns) == n and sum(int(r["units"]) for r in towns) == n
      and all(summary["years"][str(y)]["documents"] == n // 5 for y in range(2019, 2024)))
print("errors", open(out + "/errors.jsonl").read() == "")
PYEOF
check "docs.jsonl has $N lines, one per file" grep -q "^docs True" "$TMP/result"
check "paragraphs.jsonl has one unit per document, as docs.jsonl counts" grep -q "^units True" "$TMP/result"
check "every document has its own town and year" grep -q "^places True" "$TMP/result"
check "towns.csv: 2500 town-years of $(($N / 2500)) documents each, as docs.jsonl says" grep -q "^towns True" "$TMP/result"
check "summary.json and towns.csv count $N documents and units, $(($N / 5)) per year" grep -q "^summary True" "$TMP/result"
check "nothing rejected" grep -q "^errors True" "$TMP/result"
