# report.html: written at the end of a run, self-contained (nothing fetched),
# every section and the heatmap there, no script error, sortable; opened in
# headless Chromium, which keeps a screenshot in $BUILD/report-seeds.png.
. "$(dirname "$0")/lib.sh"

"$BIN/huibao" run -q -o "$TMP/out" tests/data/seeds >"$TMP/stdout" 2>&1
html=$TMP/out/report.html
check "the run writes report.html" [ -s "$html" ]
check "and says where it is" grep -q "report: $TMP/out/report.html" "$TMP/stdout"
check "it is self-contained: no http(s), no src= or href= to anything" \
    not grep -qiE 'https?://|src=|href=' "$html"
for id in overview heatmap-section heatmap kinds figures town compare; do
    check "it has the section $id" grep -q "id=\"$id\"" "$html"
done
check "Chinese labels: topics, kinds, headings" sh -c \
    'grep -q "党的建设</th>" "$1" && grep -q "计划</text>" "$1" && grep -q "运行概况" "$1"' _ "$html"

browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
    skip "report in a browser" "chromium is not installed (tools/install-deps.sh installs it)"
    exit 0
fi
shot=${BUILD:-build}/report-seeds.png
mkdir -p "$(dirname "$shot")"
flags="--headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir=$TMP/chrome"
timeout 120 "$browser" $flags --enable-logging=stderr --v=0 --dump-dom "file://$html#sort=2" \
    >"$TMP/dom" 2>"$TMP/chrome.err"
check "Chromium renders it" grep -q '<table id="heatmap"' "$TMP/dom"
check "the page logs no error" not grep -qiE 'Uncaught|CONSOLE.*error' "$TMP/chrome.err"
check "and its script reports none" not grep -q 'data-errors=' "$TMP/dom"
"$PY" - "$TMP/dom" >"$TMP/order" <<'PYEOF'
import re, sys
dom = open(sys.argv[1], encoding="utf-8").read()
body = dom[dom.index('<table id="heatmap"'):dom.index('</table>', dom.index('<table id="heatmap"'))]
rows = re.findall(r'<tr data-i="\d+"><td class="n">.*?</tr>', body, re.S)
# Rows are sorted within each group of places (a province, city or county
# heading row starts a group: 怀化市's row is apart from the unknown place's).
groups = [[float(re.findall(r'data-v="([0-9.]+)"', r)[1])
           for r in re.findall(r'<tr data-i="\d+"><td class="n">.*?</tr>', g, re.S)]
          for g in re.split(r'<tr class="g\d"', body)]
vals = [v for g in groups for v in g]
print("rows", len(rows) >= 3)
print("sorted", all(g == sorted(g, reverse=True) for g in groups) and len(set(vals)) > 1)
PYEOF
check "the heatmap has a row per place" grep -q "^rows True" "$TMP/order"
check "report.html#sort=2 orders the rows by the second topic's share" grep -q "^sorted True" "$TMP/order"
rm -f "$shot"
timeout 120 "$browser" $flags --window-size=1280,2400 --screenshot="$shot" "file://$html" \
    >/dev/null 2>&1
check "a screenshot is kept in $shot" [ -s "$shot" ]
