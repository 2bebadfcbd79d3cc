# Files that disappear or become unreadable while a run reads their folder:
# the run still ends (0 or 3), every file that still exists is written or in
# errors.jsonl with a reason, nothing is written twice and nothing crashes.
# FIFOs and sockets inside a folder are skipped silently; a FIFO named on the
# command line is rejected as "not a regular file".
#
# Timing: a 60 MB report sorts early (t001/000_big.txt); the reader splits
# it (huibao-read --split) and takes no other file until it is written (its
# --window-mb), so the files changed meanwhile (t080 and later, ~400 files
# ahead) are reliably not yet read.  root reads a chmod-000 file anyway, so as root the
# run itself is started as "nobody" (setpriv) for the unreadable cases.
. "$(dirname "$0")/lib.sh"

seeds=tests/data/seeds
"$BIN/huibao" run -q -o "$TMP/clean" "$seeds" >/dev/null 2>&1
in=$TMP/in
for i in $(seq -w 1 120); do
    mkdir -p "$in/t$i"
    cp "$seeds"/*.txt "$in/t$i/"
done
"$PY" - "$in/t001/000_big.txt" "$seeds" <<'PYEOF'
import glob, sys
b = "".join(open(f, encoding="utf-8").read() for f in sorted(glob.glob(sys.argv[2] + "/*.txt"))).encode()
open(sys.argv[1], "wb").write(b * (60 * 1024 * 1024 // len(b)))
PYEOF
# Inside a folder, a FIFO and a socket with report names: not reports, no error.
mkfifo "$in/t060/fifo.txt"
"$PY" -c "import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])" "$in/t060/socket.txt"

as_user=()
unreadable=1
if [ "$(id -u)" -eq 0 ]; then
    if command -v setpriv >/dev/null && id nobody >/dev/null 2>&1; then
        as_user=(setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups)
        chmod 755 "$TMP"
        mkdir -p "$TMP/out"
        chown nobody "$TMP/out"
    else
        unreadable=0
        skip "vanish: unreadable files" "running as root without setpriv: chmod 000 does not stop root"
    fi
fi

"${as_user[@]}" timeout 120 "$BIN/huibao" run -j 2 --no-progress -o "$TMP/out/v" "$in" \
    >"$TMP/run.out" 2>"$TMP/run.err" &
launcher=$!
# Wait until the reader (which splits) has spent 0.1 s of CPU: it has
# listed the top folder and is busy with the big report.  The stages start
# after the launcher's checks, which take longer on a loaded machine: look
# for it until it is there (up to a minute), not once.
reader= ticks=0
for _ in $(seq 1 1200); do
    [ -n "$reader" ] || reader=$(pgrep -f "huibao-read .*$in" | head -n 1)
    if [ -n "$reader" ]; then
        ticks=$(awk '{ print $14 + $15 }' "/proc/$reader/stat" 2>/dev/null)
        [ "${ticks:-0}" -ge 10 ] && break
    fi
    kill -0 "$launcher" 2>/dev/null || break
    sleep 0.05
done
echo "# the reader busy on the 60 MB report (${ticks:-?} ticks of CPU): changing the files now"
rm -rf "$in"/t11[1-9] "$in/t120"          # folders listed at the start, gone before visited
rm -f "$in"/t10[1-9]/*.txt "$in"/t110/*.txt  # folders left empty
rm -f "$in"/t09[1-9]/00[02]_*.txt "$in"/t100/00[02]_*.txt
if [ "$unreadable" -eq 1 ]; then
    chmod 000 "$in"/t08[1-9]/003_*.txt "$in"/t090/003_*.txt   # files nobody may open
    chmod 000 "$in/t080"                                      # a folder nobody may list
fi
wait "$launcher"
status=$?
check "a run whose files vanish or turn unreadable ends with 0 or 3 (got $status)" \
    [ "$status" -eq 0 -o "$status" -eq 3 ]
check "no stage crashed" eval '! grep -qE "killed by signal|died|exited with status|keeps failing" "$TMP/run.err"'

chmod 755 "$in/t080" 2>/dev/null
"$PY" - "$in" "$TMP/out/v" "$TMP/clean" "$unreadable" >"$TMP/result" <<'PYEOF'
import json, os, stat, sys, collections
root, out, clean, unreadable = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] == "1"
docs = [json.loads(l) for l in open(out + "/docs.jsonl", encoding="utf-8")]
errs = [json.loads(l) for l in open(out + "/errors.jsonl", encoding="utf-8")]
units = collections.Counter(json.loads(l)["file"] for l in open(out + "/paragraphs.jsonl", encoding="utf-8"))
ref = {d["file"].rsplit("/", 1)[-1]: d["units"] for d in map(json.loads, open(clean + "/docs.jsonl", encoding="utf-8"))}
written = {d["file"] for d in docs}
failed = {e["file"]: e["reason"] for e in errs}
seen = collections.Counter([d["file"] for d in docs] + [e["file"] for e in errs])
# Every regular *.txt still there: written, in errors, or under a folder in errors.
existing = []
for d, _, files in os.walk(root):
    for f in files:
        p = os.path.join(d, f)
        if f.endswith(".txt") and stat.S_ISREG(os.lstat(p).st_mode):
            existing.append(p)
def covered(p):
    if p in written or p in failed:
        return True
    return any(p.startswith(e + "/") for e in failed)
missing = [p for p in existing if not covered(p)]
print("covered", not missing, len(existing), "missing:", missing[:3])
print("once", all(n == 1 for n in seen.values()), [f for f, n in seen.items() if n > 1][:3])
print("reasons", all(r.strip() for r in failed.values()))
print("whole", all(units[d["file"]] == d["units"] for d in docs)
      and all(d["units"] == ref[d["file"].rsplit("/", 1)[-1]] for d in docs if "000_big" not in d["file"]))
gone = ["%s/t%03d" % (root, i) for i in range(101, 121)]
print("gone_unread", not any(f.startswith(g + "/") for f in written for g in gone))
print("gone_folders", all(failed.get("%s/t%03d" % (root, i), "").startswith("cannot read: No such file")
                          for i in range(111, 121)))
print("gone_files", not any(("/t%03d/000_" % i in f or "/t%03d/002_" % i in f)
                            for f in list(written) + list(failed) for i in range(91, 101)))
print("special", not any("/t060/fifo.txt" in f or "/t060/socket.txt" in f for f in seen))
if unreadable:
    locked = ["%s/t%03d/003_431dd69834a655e5.txt" % (root, i) for i in range(81, 91)]
    print("unreadable", all(failed.get(p, "").startswith("cannot open: Permission denied") for p in locked))
    print("unlistable", failed.get(root + "/t080", "").startswith("cannot list directory: Permission denied"))
print("written", len(docs))
print("rejected", len(errs), "|", " | ".join(sorted(set(failed.values()))))
PYEOF
echo "# $(grep '^written' "$TMP/result"); $(grep '^rejected' "$TMP/result")"
check "every file that still exists is written or in errors.jsonl" grep -q "^covered True" "$TMP/result"
check "no file is written or rejected twice" grep -q "^once True" "$TMP/result"
check "every reject has a reason" grep -q "^reasons True" "$TMP/result"
check "every written document is whole (units as in a clean run)" grep -q "^whole True" "$TMP/result"
check "the files removed mid-run were not yet read (the race was real)" grep -q "^gone_unread True" "$TMP/result"
check "a folder gone after the walk listed it: \"cannot read: No such file or directory\"" \
    grep -q "^gone_folders True" "$TMP/result"
check "files gone before their folder was listed are not reported" grep -q "^gone_files True" "$TMP/result"
check "a FIFO and a socket inside a folder are skipped silently" grep -q "^special True" "$TMP/result"
if [ "$unreadable" -eq 1 ]; then
    check "a file made unreadable mid-run: \"cannot open: Permission denied\"" \
        grep -q "^unreadable True" "$TMP/result"
    check "a folder made unlistable mid-run: \"cannot list directory: Permission denied\"" \
        grep -q "^unlistable True" "$TMP/result"
fi

# A FIFO named on the command line is refused, not waited on.
mkfifo "$TMP/named.fifo"
timeout 120 "$BIN/huibao" run -q -o "$TMP/fifo_out" "$TMP/named.fifo" "$seeds" >/dev/null 2>&1
status=$?
check "a FIFO named on the command line: the run ends with 3, in time (got $status)" [ "$status" -eq 3 ]
check "it is rejected as \"not a regular file\"" \
    "$PY" -c "import json,sys; e=[json.loads(l) for l in open('$TMP/fifo_out/errors.jsonl')];
sys.exit(not (len(e) == 1 and e[0]['file'].endswith('named.fifo') and e[0]['stage'] == 'read' and e[0]['reason'] == 'not a regular file'))"
check "and the seeds beside it are written" [ "$(wc -l <"$TMP/fifo_out/docs.jsonl")" -eq 5 ]
