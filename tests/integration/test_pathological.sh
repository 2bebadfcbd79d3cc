# Pathological inputs finish (issue: split runs inside the reader, with no
# watchdog: anything in it that spins hangs the run).  Among the seeds: a
# 50 MB single line, 20 MB of one character, a million nested brackets,
# NUL bytes, a million heading lines, and a document of 5,000 lines on which
# a furniture rule backtracks without end.  Each is written or rejected
# with a reason, the seeds are written as in a plain run, and the rule that
# gave up is named with the file, once.  `timeout` is a guard against the
# old hangs, not a measure.
. "$(dirname "$0")/lib.sh"

in=$TMP/in
mkdir -p "$in" "$TMP/home/configs"
cp tests/data/seeds/*.txt "$in/"
seed=tests/data/seeds/001_3477a166fcf9d86b.txt
# Under the sanitizers a tenth of the sizes: their memmem and strlen check
# the whole rest of a 50 MB line at each call, which takes minutes.
scale=$([ -n "${HB_SAN_FLAGS:-}" ] && echo 10 || echo 1)
"$PY" - "$in" "$seed" "$scale" <<'PYEOF'
import sys
d, seed, scale = sys.argv[1], open(sys.argv[2], encoding="utf-8").read(), int(sys.argv[3])
lines = seed.split("\n")
head, tail = "\n".join(lines[:len(lines) // 2]), "\n".join(lines[len(lines) // 2:])
def w(name, mid):
    open("%s/%s" % (d, name), "w", encoding="utf-8").write(head + "\n" + mid + "\n" + tail)
n = lambda count: count // scale
w("p_line50mb.txt", "全镇" + "1.2万亿元、张家村，" * n(1800000))  # one 50 MB line
w("p_onechar.txt", "镇" * n(7000000))                       # 20 MB of one character
w("p_nested.txt", "（镇" * n(1000000) + "）" * n(1000000))  # deeply nested brackets
w("p_headings.txt", "一、镇\n（一）村\n" * n(500000))       # a million heading lines
w("p_evil.txt", ("镇" * 40 + "页。\n") * 5000)              # the rule below backtracks
open(d + "/p_nul.txt", "wb").write(seed.encode() + b"\0" * n(5 << 20))  # NUL bytes
PYEOF
# The run's folder holds the project's configs and data (looked for there
# first: a sanitizer build has none beside its programs), and a furniture
# rule that backtracks without end on a line of 镇 ending 页。
for f in "$PWD"/configs/*; do ln -s "$f" "$TMP/home/configs/"; done
ln -s "$PWD/data" "$TMP/home/data"
rm "$TMP/home/configs/furniture.conf"
{ cat configs/furniture.conf; echo 'line = (?:镇+)+页'; } >"$TMP/home/configs/furniture.conf"
rule_line=$(wc -l <"$TMP/home/configs/furniture.conf")

(cd "$TMP/home" && timeout 600 "$BIN/huibao" run --no-progress -o "$TMP/out" "$in") \
    >"$TMP/stdout" 2>"$TMP/stderr"
status=$?
check "the run finishes with 3 (the NUL file rejected), not hangs (got $status)" [ "$status" -eq 3 ]
"$PY" - "$TMP/out" >"$TMP/result" <<'PYEOF'
import json, sys
out = sys.argv[1]
errors = {json.loads(l)["file"].split("/")[-1]: json.loads(l)["reason"]
          for l in open(out + "/errors.jsonl", encoding="utf-8")}
docs = {json.loads(l)["file"].split("/")[-1] for l in open(out + "/docs.jsonl", encoding="utf-8")}
names = ["p_line50mb.txt", "p_onechar.txt", "p_nested.txt", "p_headings.txt", "p_evil.txt",
         "p_nul.txt"]
print("each", all((n in docs) != (n in errors) for n in names))
print("reasons", all(r for r in errors.values()))
print("nul", "NUL" in errors.get("p_nul.txt", ""))
print("evil", "p_evil.txt" in docs)
print("count", len(docs) + len(errors) == 11)
PYEOF
check "each pathological file is written or rejected, not both" grep -q "^each True" "$TMP/result"
check "every reject says why" grep -q "^reasons True" "$TMP/result"
check "the NUL file is rejected as binary" grep -q "^nul True" "$TMP/result"
check "the document the rule gave up on is written" grep -q "^evil True" "$TMP/result"
check "all 11 files are accounted for" grep -q "^count True" "$TMP/result"
"$BIN/huibao" run -q -o "$TMP/plain" tests/data/seeds >/dev/null 2>&1
# seeds_of DIR: the seeds' units, sorted, their files named without folder.
seeds_of() {
    "$PY" - "$1/paragraphs.jsonl" <<'PYEOF'
import json, sys
rows = []
for line in open(sys.argv[1], encoding="utf-8"):
    d = json.loads(line)
    d.pop("doc", None)
    d["file"] = d["file"].split("/")[-1]
    if not d["file"].startswith("p_"):
        rows.append(json.dumps(d, ensure_ascii=False, sort_keys=True))
print("\n".join(sorted(rows)))
PYEOF
}
check "the seeds' units equal a plain run's" cmp -s <(seeds_of "$TMP/plain") <(seeds_of "$TMP/out")
check "the rule that gave up is named, with the file, once" \
    [ "$(grep -c "p_evil.txt: .*furniture.conf:$rule_line: pattern .*gave up matching" "$TMP/stderr")" -eq 1 ]
check "and no other rule gave up" [ "$(grep -c "gave up matching" "$TMP/stderr")" -eq 1 ]
grep "gave up matching" "$TMP/stderr" | sed 's/^/# /'
