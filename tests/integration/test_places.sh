# Places from the official division list through the whole pipeline: the
# seed and national labels, town names in paths, and a run without the list.
. "$(dirname "$0")/lib.sh"

idx=$PWD/data/division.idx # tests run from the top of the tree (make builds it there)
[ -n "${HB_DIVISION:-}" ] && idx=$HB_DIVISION

# Without the list: the run works, places stay null, one warning says so.
HB_DIVISION=$TMP/none.idx "$BIN/huibao" run -o "$TMP/bare" tests/data/seeds >/dev/null 2>"$TMP/bare.err"
check "a run without the division index exits 0" [ $? -eq 0 ]
check "it warns once that places stay null" \
    [ "$(grep -c 'no division index.*province, city, county and code stay null' "$TMP/bare.err")" -eq 1 ]
check "province and code are null, the town as written" "$PY" -c "
import json, sys
d = {json.loads(l)['file'].rsplit('/', 1)[1][:3]: json.loads(l) for l in open('$TMP/bare/docs.jsonl')}
sys.exit(not (d['001']['town'] == '潭下镇' and d['001']['province'] is None and d['001']['code'] is None))"

if [ ! -r "$idx" ]; then
    skip "places with the division list" "no $idx (run tools/install-deps.sh, then make)"
    exit 0
fi
export HB_DIVISION=$idx

# Folders named after towns: 城关镇 (88 of them) and 小榄镇 (one) are names.
mkdir -p "$TMP/in/城关镇" "$TMP/in/小榄镇"
printf '上半年工作总结\n一、工作开展情况\n我镇完成道路硬化。\n' >"$TMP/in/城关镇/2022.txt"
printf '上半年工作总结\n一、工作开展情况\n我镇完成道路硬化。\n' >"$TMP/in/小榄镇/2022.txt"
"$BIN/huibao" run -q -o "$TMP/paths" "$TMP/in" >/dev/null 2>&1
"$PY" - "$TMP/paths/docs.jsonl" >"$TMP/paths.txt" <<'PYEOF'
import json, sys
for l in open(sys.argv[1], encoding="utf-8"):
    d = json.loads(l)
    print(d["file"].split("/")[-2], d["town"], d["code"], len(d["place_candidates"] or []),
          d["city"], d["level"])
PYEOF
check "城关镇 from its folder, ambiguous: candidates listed" grep -q "^城关镇 城关镇 None 88 None town" "$TMP/paths.txt"
check "小榄镇 from its folder, with its code and city" grep -q "^小榄镇 小榄镇 442000118 0 中山市 town" "$TMP/paths.txt"

# --meta names what text and path do not: the county, and from it the rest.
mkdir -p "$TMP/m"
printf '上半年工作总结\n一、工作开展情况\n全县完成道路硬化。\n' >"$TMP/m/r.txt"
printf 'file,town,county,year\nr.txt,,南江县,2022\n' >"$TMP/m.csv"
"$BIN/huibao" run -q --meta "$TMP/m.csv" -o "$TMP/meta" "$TMP/m" >/dev/null 2>&1
check "--meta's county gives its city, province and code" grep -q \
    '"county":"南江县","year":2022,"title":"[^"]*","province":"四川省","city":"巴中市","code":"511922","level":"county"' \
    "$TMP/meta/docs.jsonl"

# Two towns named 潭下镇, one in 五华县 (广东), one in 灵川县 (广西): two rows.
mkdir -p "$TMP/two"
printf '潭下镇2021年上半年工作总结\n一、工作开展情况\n我镇结合《五华县2021年实施方案》完成道路硬化。\n' >"$TMP/two/a.txt"
printf '潭下镇2021年上半年工作总结\n一、工作开展情况\n码头村、合群村、蔡岗村完成道路硬化。\n' >"$TMP/two/b.txt"
"$BIN/huibao" run -q -o "$TMP/twoout" "$TMP/two" >/dev/null 2>&1
check "towns.csv keeps two towns of one name apart, keyed by code" \
    [ "$(grep -c -e '^441424108,广东省,梅州市,五华县,潭下镇,2021,1,' -e '^450323104,广西壮族自治区,桂林市,灵川县,潭下镇,2021,1,' "$TMP/twoout/towns.csv")" -eq 2 ]

check "villages get their code in their own town only" "$PY" -c "
import json, sys
u = {json.loads(l)['file'][-5:]: json.loads(l) for l in open('$TMP/twoout/paragraphs.jsonl', encoding='utf-8')}
b = u['b.txt']
sys.exit(not (b['villages'][:2] == ['码头村', '合群村'] and b['village_codes'][:2] == ['450323104202', '450323104203']
              and 'doc_code' not in b))"

"$BIN/huibao" run -q -o "$TMP/seeds" tests/data/seeds >/dev/null 2>&1
check "seeds: official villages get codes, a masked town's none" "$PY" -c "
import json, sys
v = {}
for l in open('$TMP/seeds/paragraphs.jsonl', encoding='utf-8'):
    d = json.loads(l)
    for name, code in zip(d['villages'], d['village_codes']):
        v[(d['file'][-24:-21], name)] = code
sys.exit(not (v[('000', '字库村')] == '511922114208' and v[('001', '百安村')] == '441424108205'
              and v[('004', '芷溪村')] is None))"
if have_shared; then
    "$PY" "$SHARED/labels/score.py" "$TMP/seeds/paragraphs.jsonl" --json >"$TMP/seeds.json"
    for key in province city county code level town; do
        check "seeds: doc_${key}_accuracy is 1.0" "$PY" -c "import json,sys; sys.exit(json.load(open('$TMP/seeds.json'))['doc_${key}_accuracy'] != 1.0)"
    done
    "$BIN/huibao" run -q -o "$TMP/nat" "$SHARED/corpus/national" >/dev/null 2>&1
    "$PY" "$SHARED/labels/score.py" "$TMP/nat/paragraphs.jsonl" "$SHARED/labels/national.jsonl" --json >"$TMP/nat.json"
    for key in province level; do
        check "national: doc_${key}_accuracy is 1.0" "$PY" -c "import json,sys; sys.exit(json.load(open('$TMP/nat.json'))['doc_${key}_accuracy'] != 1.0)"
    done
    check "every national report (and resolution) has level national" "$PY" -c "
import json, sys
docs = [json.loads(l) for l in open('$TMP/nat/docs.jsonl', encoding='utf-8')]
sys.exit(not (len(docs) == 72 and all(d['level'] == 'national' and d['code'] is None for d in docs)))"
else
    skip "seed and national place scores" "no $SHARED/labels"
fi
