# --meta CSV files as people save them: GBK from a spreadsheet, a BOM, a
# header row (in any column order), quoted fields; every output byte stays
# UTF-8, and a bad row is reported by file and line without advice to resume.
. "$(dirname "$0")/lib.sh"

in=$TMP/in
mkdir -p "$in"
printf '我们要加强工作，完成任务。新增就业300人。\n' >"$in/a.txt"
printf '我们要加强工作，完成任务。新增就业40人。\n' >"$in/b.txt"

utf8_everywhere() {
    "$PY" - "$1" <<'PYEOF'
import os, sys
for name in os.listdir(sys.argv[1]):
    if name.endswith(".sqlite"):
        continue  # a database: its text is UTF-8 (PRAGMA encoding), its pages are not text
    with open(os.path.join(sys.argv[1], name), "rb") as f:
        f.read().decode("utf-8")
PYEOF
}

printf 'file,town,county,year\na.txt,元潭镇,南江县,2022\nb.txt,小榄镇,中山市,2021年\n' |
    iconv -f UTF-8 -t GBK >"$TMP/gbk.csv"
"$BIN/huibao" run -q --no-progress --meta "$TMP/gbk.csv" -o "$TMP/gbk" "$in" >/dev/null 2>&1
check "a GBK meta CSV gives its names as UTF-8" grep -q '"town":"元潭镇","county":"南江县","year":2022' "$TMP/gbk/docs.jsonl"
check "a year written 2021年 is a year" grep -q '"town":"小榄镇","county":"中山市","year":2021' "$TMP/gbk/docs.jsonl"
check "every output file of a GBK meta run is UTF-8" utf8_everywhere "$TMP/gbk"

printf '\xef\xbb\xbfyear,"town",file\r\n"2020","元潭镇, 北",a.txt\r\n\r\n' >"$TMP/bom.csv"
"$BIN/huibao" run -q --no-progress --meta "$TMP/bom.csv" -o "$TMP/bom" "$in" >/dev/null 2>"$TMP/bom.err"
check "a BOM, a header in another order and quoted fields are read" \
    grep -q '"town":"元潭镇, 北","county":null,"year":2020' "$TMP/bom/docs.jsonl"

printf 'file,town,county,year\n\n"a.txt","元潭\n镇",,"20x2"\n' >"$TMP/bad.csv"
"$BIN/huibao" run -q --no-progress --meta "$TMP/bad.csv" -o "$TMP/bad" "$in" >/dev/null 2>"$TMP/bad.err"
status=$?
check "a bad year fails the run" [ "$status" -ne 0 ]
check "the error names the file and the line the row starts on" grep -q 'bad.csv:3: year "20x2"' "$TMP/bad.err"
check "no advice to rerun with --resume" not grep -q -- '--resume' "$TMP/bad.err"

printf 'file,town\n"a.txt,元潭镇\n' >"$TMP/open.csv"
"$BIN/huibao" run -q --no-progress --meta "$TMP/open.csv" -o "$TMP/open" "$in" >/dev/null 2>"$TMP/open.err"
check "an unclosed quote is reported at its line" grep -q 'open.csv:2: a quoted field' "$TMP/open.err"
