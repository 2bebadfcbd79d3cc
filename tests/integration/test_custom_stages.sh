# Custom stages in a real pipeline, from a pipeline config: a C stage that
# drops duplicate documents, one that masks names and phone numbers, and a
# Python stage that adds a field; two classify and two Python workers meet
# through a relay.
. "$(dirname "$0")/lib.sh"

EX=$(cd "${BUILD:-build}/examples" && pwd)   # a config's relative paths are its folder's
in=$TMP/in
mkdir -p "$in/a镇" "$in/b镇"
cp tests/data/seeds/*.txt "$in/a镇/"
cp tests/data/seeds/001_3477a166fcf9d86b.txt "$in/b镇/copy.txt"   # the same report filed twice
printf '一、工作情况\n（一）抓党建。党委书记孙文煜主持会议，联系电话13812345678，由蒋奔同志兼办公室主任。\n' >"$in/a镇/names.txt"
cat >"$TMP/pipeline.conf" <<EOF2
[stage dedupe]
command = $EX/hb-dedupe
[stage split]
[stage mask_names]
command = $EX/hb-mask_names
[stage classify]
workers = 2
[stage add_chars]
command = $PY $PWD/examples/stages/add_chars.py
workers = 2
EOF2
"$BIN/huibao" run -q -c "$TMP/pipeline.conf" -o "$TMP/out" "$in" >"$TMP/stdout" 2>"$TMP/stderr"
check "the custom pipeline exits 3 (one duplicate rejected)" [ $? -eq 3 ]
"$PY" - "$TMP/out" >"$TMP/result" <<'PYEOF'
import json, sys
out = sys.argv[1]
units = [json.loads(l) for l in open(out + "/paragraphs.jsonl", encoding="utf-8")]
errors = [json.loads(l) for l in open(out + "/errors.jsonl", encoding="utf-8")]
docs = [json.loads(l) for l in open(out + "/docs.jsonl", encoding="utf-8")]
print("dedupe", len(errors) == 1 and errors[0]["stage"] == "dedupe"
      and errors[0]["reason"].startswith("duplicate of") and len(docs) == 6)
text = "".join(u["text"] for u in units)
print("masked", "孙文煜" not in text and "13812345678" not in text and "蒋奔" not in text
      and "党委书记某某某" in text and "●●●●●●●●●●●" in text)
print("python", all(u.get("chars") == len(u["text"]) for u in units) and len(units) == 113)
print("classified", all(u["topic"] for u in units) and all("metrics" in u for u in units))
print("passthrough", all("kind_conf" in u and "villages" in u for u in units))
import sqlite3
db = sqlite3.connect(out + "/results.sqlite")
print("sqlite", db.execute("SELECT count(*) FROM units WHERE json_extract(extra, '$.chars') = length(text)").fetchone()[0] == 113
      and db.execute("SELECT stage FROM rejects").fetchall() == [("dedupe",)])
PYEOF
for c in dedupe masked python classified passthrough sqlite; do
    check "custom stages: $c" grep -q "^$c True" "$TMP/result"
done

# The smallest stage stays small, and a broken pipeline config is refused.
check "examples/stages/tag.c is a stage in under 40 lines" [ "$(wc -l <examples/stages/tag.c)" -lt 40 ]
printf '[stage mystery]\nworkers = 1\n' >"$TMP/bad.conf"
"$BIN/huibao" run -q -c "$TMP/bad.conf" -o "$TMP/bad" tests/data/seeds >/dev/null 2>"$TMP/err"
check "a stage with no command is refused with status 2" [ $? -eq 2 ]
check "and the message names it" grep -q 'mystery' "$TMP/err"

# Relative paths in a pipeline config are its folder's, wherever huibao runs,
# and every one is checked before any stage starts, with file and line.
mkdir -p "$TMP/conf/stages"
cp "$EX/hb-tag" "$TMP/conf/stages/"
cp examples/stages/add_chars.py "$TMP/conf/stages/"
printf '[stage split]\n[stage tag]\ncommand = stages/hb-tag\n[stage classify]\nworkers = 1\n[stage add_chars]\ncommand = %s ./stages/add_chars.py\n' "$PY" >"$TMP/conf/rel.conf"
"$BIN/huibao" run -q --no-progress -c "$TMP/conf/rel.conf" -o "$TMP/rel" tests/data/seeds >/dev/null 2>"$TMP/err"
check "relative paths are the config folder's, not the current folder's" [ $? -eq 0 ]
check "and every stage ran" "$PY" -c "import json,sys; u=[json.loads(l) for l in open('$TMP/rel/paragraphs.jsonl')]; sys.exit(not u or not all('source' in x and 'chars' in x for x in u))"
# A config in a folder whose name has a space: its paths resolved stay one word.
mkdir -p "$TMP/my conf"
cp -r "$TMP/conf/stages" "$TMP/my conf/"
cp "$TMP/conf/rel.conf" "$TMP/my conf/rel.conf"
"$BIN/huibao" run -q --no-progress -c "$TMP/my conf/rel.conf" -o "$TMP/space" tests/data/seeds >/dev/null 2>"$TMP/err"
check "a config folder with a space in its name: the run completes" [ $? -eq 0 ]
check "with every stage" cmp -s "$TMP/rel/paragraphs.jsonl" "$TMP/space/paragraphs.jsonl"
check "examples/pipeline-custom.conf names paths from its own folder" grep -q '^command = \.\./build/examples/hb-dedupe' examples/pipeline-custom.conf
printf '[stage split]\n[stage gone]\ncommand = stages/hb-gone --x\n[stage classify]\n' >"$TMP/conf/missing.conf"
"$BIN/huibao" run -q -c "$TMP/conf/missing.conf" -o "$TMP/missing" tests/data/seeds >/dev/null 2>"$TMP/err"
check "a missing stage program is refused with status 2" [ $? -eq 2 ]
check "naming the config's file:line and the path resolved" grep -q "missing.conf:3: $TMP/conf/stages/hb-gone: No such file" "$TMP/err"
check "before anything starts (no output folder)" [ ! -e "$TMP/missing" ]
chmod -x "$TMP/conf/stages/hb-tag"
"$BIN/huibao" run -q -c "$TMP/conf/rel.conf" -o "$TMP/noexec" tests/data/seeds >/dev/null 2>"$TMP/err"
check "a program that cannot run is refused with status 2, file:line" \
    sh -c '[ $1 -eq 2 ] && grep -q "rel.conf:3: .*hb-tag: Permission denied" "$2"' _ $? "$TMP/err"
printf '[stage split]\n[stage classify]\noptions = --topics ../nowhere/t.conf\n' >"$TMP/conf/opt.conf"
"$BIN/huibao" run -q -c "$TMP/conf/opt.conf" -o "$TMP/opt" tests/data/seeds >/dev/null 2>"$TMP/err"
check "a missing file in options is refused with file:line" \
    sh -c '[ $1 -eq 2 ] && grep -q "opt.conf:3: $2/conf/../nowhere/t.conf: No such file" "$3"' _ $? "$TMP" "$TMP/err"
# A value joined to a short option (-tFILE) is resolved as -t FILE and --topics=FILE are.
printf '[stage split]\n[stage classify]\noptions = -t../nowhere/t.conf\n' >"$TMP/conf/joined-bad.conf"
"$BIN/huibao" run -q -c "$TMP/conf/joined-bad.conf" -o "$TMP/joined-bad" tests/data/seeds >/dev/null 2>"$TMP/err"
check "-tFILE: a missing file is refused with file:line and the path resolved" \
    sh -c '[ $1 -eq 2 ] && grep -q "joined-bad.conf:3: $2/conf/../nowhere/t.conf: No such file" "$3"' _ $? "$TMP" "$TMP/err"
cp configs/topics.conf "$TMP/conf/my-topics.conf"
printf '[stage split]\n[stage classify]\noptions = -t./my-topics.conf\n' >"$TMP/conf/joined.conf"
"$BIN/huibao" run -q --no-progress -c "$TMP/conf/joined.conf" -o "$TMP/joined" tests/data/seeds >/dev/null 2>"$TMP/err"
check "-t./FILE is the config folder's, not the current folder's: the run completes with 0" [ $? -eq 0 ]
printf '[stage split]\n[stage x]\ncommand = no-such-program-%s\n[stage classify]\n' $$ >"$TMP/conf/path.conf"
"$BIN/huibao" run -q -c "$TMP/conf/path.conf" -o "$TMP/path" tests/data/seeds >/dev/null 2>"$TMP/err"
check "a program not in \$PATH is refused with file:line" \
    sh -c '[ $1 -eq 2 ] && grep -q "path.conf:3: no-such-program-.*: no such program in \$PATH" "$2"' _ $? "$TMP/err"
