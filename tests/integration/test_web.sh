# Reports as saved from government and document-sharing sites (tests/data/web,
# written for this test): page furniture is dropped before the title is found,
# a repeated title is one title, a part naming the report's own year is a
# plan, and docs.jsonl flags a document that is mostly furniture.  Pages as
# doc-sharing sites and town websites show them (GBK, Big5, UTF-8): a page's
# own title (…_百度文库, … - 道客巴巴), pages of several reports (（通用4篇）,
# 第二篇：, 【篇二】, … 篇2: the first report's title, the next starts a part),
# lists of other pages (相关推荐, 猜你喜歡), comment and download furniture;
# the year is the report's, not the page's 发布日期：2024年…; every mask style
# gives masked figures (value null).  A report
# County, city and provincial reports as their governments' sites show them
# (a site header above a breadcrumb, 政府工作报告——…在…会议上 on one line, a
# title spaced out, numbered lines that are one sentence each under a
# heading) get their title, units, place and level.  A report
# in traditional characters is read through its simplified form: its units,
# title and figures' raw stay as written, docs.jsonl says script traditional.  Each file's
# expected title and units (kind, text) are in tests/data/web/expected.jsonl.
. "$(dirname "$0")/lib.sh"

out=$TMP/out
"$BIN/huibao" run -q -o "$out" tests/data/web >"$TMP/stdout" 2>"$TMP/stderr"
check "huibao run on the web pages exits 0" [ $? -eq 0 ]

"$PY" - "$out" tests/data/web/expected.jsonl >"$TMP/result" <<'PYEOF'
import json, sys, os
out, expected = sys.argv[1], sys.argv[2]
docs = {os.path.basename(d["file"]): d
        for d in map(json.loads, open(out + "/docs.jsonl", encoding="utf-8"))}
units = {}
for u in map(json.loads, open(out + "/paragraphs.jsonl", encoding="utf-8")):
    units.setdefault(os.path.basename(u["file"]), []).append(u)
for e in map(json.loads, open(expected, encoding="utf-8")):
    f, d = e["file"], docs.get(e["file"], {})
    got = [[u["kind"], u["text"]] for u in sorted(units.get(f, []), key=lambda u: u["seq"])]
    print(f, "title", d.get("title") == e["title"], repr(d.get("title")))
    print(f, "units", got == e["units"], json.dumps(got, ensure_ascii=False))
    print(f, "furniture", isinstance(d.get("furniture_share"), float)
          and ("warning" in d) == e["warning"], d.get("furniture_share"), d.get("warning"))
    print(f, "script", d.get("script") == e.get("script"), d.get("script"))
    for key in ("year", "town", "province", "city", "county", "code", "level"):
        if key in e:
            print(f, key, d.get(key) == e[key], d.get(key))
    if "figures" in e:
        figs = [[m["raw"], m["value"], m["masked"]]
                for u in sorted(units.get(f, []), key=lambda u: u["seq"]) for m in u["metrics"]]
        print(f, "figures", figs == e["figures"], json.dumps(figs, ensure_ascii=False))
    if "raws" in e:
        raws = [m["raw"] for u in sorted(units.get(f, []), key=lambda u: u["seq"]) for m in u["metrics"]]
        print(f, "figures", raws == e["raws"] and all("text_s" not in u for u in units[f]), raws)
PYEOF
cat "$TMP/result" >&2
while read -r file what ok _; do
    check "$file: $what as expected" [ "$ok" = True ]
done <"$TMP/result"

# The switches the bench turns features off with (tools/bench.sh features):
# split --script simplified reads every document as written, classify
# --no-villages names no village.
cat >"$TMP/pipeline.conf" <<'CONF'
[stage split]
workers = 1
options = --script simplified

[stage classify]
workers = 1
options = --no-villages
CONF
"$BIN/huibao" run -q -c "$TMP/pipeline.conf" -o "$TMP/off" tests/data/web >/dev/null 2>"$TMP/off.err"
check "huibao run with the features off exits 0" [ $? -eq 0 ]
check "--script simplified: no document is read as traditional" \
    [ "$(grep -c '"script"' "$TMP/off/docs.jsonl")" -eq 0 ]
check "--no-villages: no unit names a village" \
    [ "$(grep -c '"villages":\[[^]]' "$TMP/off/paragraphs.jsonl")" -eq 0 ]
check "with villages on, some unit of the web pages names one" \
    [ "$(grep -c '"villages":\[[^]]' "$out/paragraphs.jsonl")" -gt 0 ]
