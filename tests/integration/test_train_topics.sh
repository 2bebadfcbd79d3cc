# tools/train-topics.py: weights fitted to hand-labelled units change what the
# real pipeline reads, the same way on every run, and nothing but the weights.
. "$(dirname "$0")/lib.sh"

cat >"$TMP/topics.conf" <<'EOF'
# a toy taxonomy
[scoring]
heading_weight = 3
min_score = 1

[topic general]
label = 综述
keywords = 现将:2

[topic grain]
label = 粮食
# 收购 is said of grain here
keywords = 粮食:1 收购:1

[topic trade]
label = 商贸
keywords = 商贸:1 市场:1
EOF
# Paragraphs that say 市场 twice but are about grain purchase: with the hand
# weights 市场 (sqrt 2) outweighs 收购 (1), so they read as trade.
mkdir "$TMP/docs"
for i in 1 2 3; do
    printf '一、第%s季度情况\n\n本季度，收购工作有序进行，市场平稳，市场供应充足。\n' "$i" \
        >"$TMP/docs/report$i.txt"
done
"$BIN/huibao" run -q --no-progress --topics "$TMP/topics.conf" -o "$TMP/hand" "$TMP/docs" >/dev/null 2>&1
# Label the units: grain.  (A person would correct "topic" in paragraphs.jsonl.)
"$PY" - "$TMP/hand/paragraphs.jsonl" >"$TMP/labelled.jsonl" <<'PYEOF'
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    u = json.loads(line)
    u["topic"] = "grain"
    print(json.dumps(u, ensure_ascii=False))
PYEOF
topic_of() { "$PY" -c 'import json,sys; print(" ".join(sorted({json.loads(l)["topic"] for l in open(sys.argv[1])})))' "$1"; }
check "the hand weights read the paragraphs as trade" [ "$(topic_of "$TMP/hand/paragraphs.jsonl")" = trade ]

tools/train-topics.py "$TMP/topics.conf" "$TMP/labelled.jsonl" -o "$TMP/trained.conf" 2>"$TMP/log"
check "train-topics exits 0" [ $? -eq 0 ]
check "it says how well the hand and the trained weights read the units" \
    grep -q "accuracy 0.0000 with the hand weights, 1.0000 trained" "$TMP/log"
tools/train-topics.py "$TMP/topics.conf" "$TMP/labelled.jsonl" -o "$TMP/again.conf" 2>/dev/null
check "the same labels give the same weights" cmp -s "$TMP/trained.conf" "$TMP/again.conf"
check "only keyword lines change" [ "$(diff "$TMP/topics.conf" "$TMP/trained.conf" | grep '^[<>]' | grep -vc '^[<>] keywords = ')" = 0 ]
check "comments and settings stay" grep -q '^# 收购 is said of grain here$' "$TMP/trained.conf"

"$BIN/huibao" run -q --no-progress --topics "$TMP/trained.conf" -o "$TMP/trained" "$TMP/docs" >/dev/null 2>&1
check "the pipeline loads the trained conf" [ $? -eq 0 ]
check "and reads the paragraphs as grain" [ "$(topic_of "$TMP/trained/paragraphs.jsonl")" = grain ]

tools/train-topics.py "$TMP/topics.conf" "$TMP/labelled.jsonl" --lodo -o /dev/null 2>"$TMP/lodo"
check "--lodo reports every held-out document" [ "$(grep -c '^report[123].txt ' "$TMP/lodo")" = 3 ]
check "no topics macro-F1 from the topics huibao wrote" [ "$(grep -c '^topics macro-F1' "$TMP/lodo")" = 0 ]
# Labelled topics (plain ids, as in hand labels): the macro-F1 of the topics
# reported, hand weights against held-out training.  The hand weights report
# grain beside trade (a topic nobody labelled counts for nothing): 1.0.
sed 's/"topics": \[[^]]*\]/"topics": ["grain"]/' "$TMP/labelled.jsonl" >"$TMP/labelled-topics.jsonl"
tools/train-topics.py "$TMP/topics.conf" "$TMP/labelled-topics.jsonl" --lodo -o /dev/null 2>"$TMP/lodo2"
check "--lodo gives the topics macro-F1 where topics are labelled" \
    grep -Eq '^topics macro-F1, all +3 +1\.0000 ' "$TMP/lodo2"

# The same through the launcher: huibao train finds the script beside the
# programs (tools/ in a build, share/huibao/ installed) and passes --topics.
"$BIN/huibao" train --topics "$TMP/topics.conf" "$TMP/labelled.jsonl" -o "$TMP/cli.conf" 2>"$TMP/cli.log"
check "huibao train exits 0" [ $? -eq 0 ]
check "and writes the weights train-topics writes" cmp -s "$TMP/trained.conf" "$TMP/cli.conf"
"$BIN/huibao" train --topics="$TMP/topics.conf" "$TMP/labelled.jsonl" >"$TMP/cli-stdout.conf" 2>/dev/null
check "--topics=CONF too, to standard output without -o" cmp -s "$TMP/trained.conf" "$TMP/cli-stdout.conf"
check "huibao help train says what it does" sh -c '"$1/huibao" help train | grep -q "LABELLED.jsonl"' _ "$BIN"
check "huibao help lists train" sh -c '"$1/huibao" help | grep -q "^  train "' _ "$BIN"
"$BIN/huibao" train >/dev/null 2>&1
check "huibao train without labels is a usage error" [ $? -eq 2 ]

printf '{"text": "x", "topic": "fishing"}\n' >"$TMP/bad.jsonl"
tools/train-topics.py "$TMP/topics.conf" "$TMP/bad.jsonl" -o "$TMP/bad.conf" 2>"$TMP/err"
check "an unknown topic is refused" [ $? -ne 0 ]
check "naming the file, line and topic" grep -q 'bad.jsonl:1: topic "fishing"' "$TMP/err"

# A file that cannot be read or written, or a line that is JSON but not a
# unit: one line naming it, no Python traceback.
"$BIN/huibao" train --topics "$TMP/topics.conf" "$TMP/missing.jsonl" 2>"$TMP/err"
check "a missing labelled file is refused" [ $? -eq 1 ]
check "naming it, without a traceback" sh -c 'grep -q "missing.jsonl: No such file" "$1" && ! grep -q Traceback "$1"' _ "$TMP/err"
tools/train-topics.py "$TMP/topics.conf" "$TMP/labelled.jsonl" -o "$TMP/no/such/dir.conf" 2>"$TMP/err"
check "an output that cannot be written is named" sh -c 'grep -q "no/such/dir.conf: No such file" "$1" && ! grep -q Traceback "$1"' _ "$TMP/err"
printf '[1]\n' >"$TMP/list.jsonl"
tools/train-topics.py "$TMP/topics.conf" "$TMP/list.jsonl" 2>"$TMP/err"
check "a line that is not a JSON object is named" sh -c 'grep -q "list.jsonl:1: not a JSON object" "$1" && ! grep -q Traceback "$1"' _ "$TMP/err"
