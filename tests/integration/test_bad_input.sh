# Bad files are rejected with a reason, every good file is still written,
# and the run ends with status 3.
. "$(dirname "$0")/lib.sh"

in=$TMP/in
mkdir -p "$in/sub dir/元潭镇"
seed=tests/data/seeds/001_3477a166fcf9d86b.txt
: >"$in/empty.txt"
printf '  \n\t\n' >"$in/blank.txt"
head -c 4096 /dev/urandom >"$in/random.txt"
printf '\x89PNG\r\n\x1a\n\0\0\0\rIHDR' >"$in/image.txt"
{ head -c 300 "$seed"; printf '\0\0\0'; tail -c 300 "$seed"; } >"$in/nul.txt"
iconv -f UTF-8 -t GB18030 "$seed" >"$in/gbk.txt"
iconv -f UTF-8 -t UTF-16 "$seed" >"$in/utf16bom.txt"
iconv -f UTF-8 -t UTF-16BE "$seed" >"$in/utf16be.txt"
{ printf '\xef\xbb\xbf'; sed 's/$/\r/' "$seed"; } >"$in/bom_crlf.txt"
cp tests/data/seeds/000_bd22ca21e2346cf0.txt "$in/sub dir/元潭镇/2022.txt"
printf '一、工作情况\n（一）抓党建。全镇发展党员5人。\n' >"$in/sub dir/元潭镇/notes.md"
ln -s .. "$in/sub dir/loop"
cp "$seed" "$in/$(printf 'latin1-\xe9t\xe9.txt')"   # a file name that is not UTF-8

"$BIN/huibao" run -q -o "$TMP/out" "$in" >"$TMP/stdout" 2>"$TMP/stderr"
status=$?
check "a run with rejects exits 3" [ "$status" -eq 3 ]
"$PY" - "$TMP/out" >"$TMP/result" <<'PYEOF'
import json, sys
out = sys.argv[1]
errors = {json.loads(l)["file"].split("/")[-1]: json.loads(l) for l in open(out + "/errors.jsonl", encoding="utf-8")}
docs = {json.loads(l)["file"].split("/")[-1]: json.loads(l) for l in open(out + "/docs.jsonl", encoding="utf-8")}
units = [json.loads(l) for l in open(out + "/paragraphs.jsonl", encoding="utf-8")]
def reason(name): return errors.get(name, {}).get("reason", "")
print("empty", "empty" in reason("empty.txt"))
print("blank", "empty" in reason("blank.txt"))
print("random", bool(reason("random.txt")) and "random.txt" not in docs)
print("image", bool(reason("image.txt")) and "image.txt" not in docs)
print("nul", "NUL" in reason("nul.txt") or "binary" in reason("nul.txt"))
print("loop", "loop" in reason("loop"))
print("stage", all(e["stage"] == "read" for e in errors.values()))
print("gbk", docs.get("gbk.txt", {}).get("encoding") == "gb18030")
print("utf16", docs.get("utf16bom.txt", {}).get("encoding", "").startswith("utf-16")
      and docs.get("utf16be.txt", {}).get("encoding") == "utf-16be")
print("bom", docs.get("bom_crlf.txt", {}).get("encoding") == "utf-8-bom")
by_file = {}
for u in units:
    by_file.setdefault(u["file"].split("/")[-1], []).append(u)
texts = lambda n: [u["text"] for u in sorted(by_file.get(n, []), key=lambda u: u["seq"])]
ref = texts("gbk.txt")
print("same", len(ref) == 28 and all(texts(n) == ref for n in ("utf16bom.txt", "utf16be.txt", "bom_crlf.txt")))
print("crlf", not any("\r" in t for t in ref + texts("bom_crlf.txt")))
print("path", docs.get("2022.txt", {}).get("town") == "元潭镇" and docs.get("2022.txt", {}).get("year") == 2022)
print("pattern", "notes.md" not in docs and "notes.md" not in errors)
print("space", any("sub dir" in d["file"] for d in docs.values()))
print("name", any(n.startswith("latin1-") and "\ufffd" in n for n in docs))
PYEOF
for c in empty blank random image nul loop stage gbk utf16 bom same crlf path pattern space name; do
    check "bad input: $c" grep -q "^$c True" "$TMP/result"
done
check "the summary counts the rejects" grep -qE "[1-9][0-9]* rejected" "$TMP/stdout"

"$BIN/huibao" run -q -p '*.md' -o "$TMP/md" "$in" >/dev/null 2>&1
check "--pattern takes other file names" grep -q "notes.md" "$TMP/md/docs.jsonl"

printf 'file,town,county,year\n2022.txt,,巴州区,\nrandom.txt,x镇,,2020\n' >"$TMP/meta.csv"
# Without the division list (with it, 元潭镇 in the text names its county:
# test_places covers --meta there).
HB_DIVISION=$TMP/none.idx "$BIN/huibao" run -q --meta "$TMP/meta.csv" -o "$TMP/meta" "$in/sub dir" >/dev/null 2>&1
check "--meta fills what text and path do not tell" grep -q '"county":"巴州区"' "$TMP/meta/docs.jsonl"
