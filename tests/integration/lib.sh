# Shared by the integration tests: TAP output, temporary folders, helpers.
# Each test script sources this, runs real stage processes over real sockets
# and reports one "ok - …" or "not ok - …" line per check.
set -u
BIN=${BIN_ABS:-$(cd "${BIN:-bin}" && pwd)}
SHARED=${SHARED:-../shared}
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
TMP=$(mktemp -d /tmp/huibao-test.XXXXXX)
trap 'jobs -p | xargs -r kill -9 2>/dev/null; rm -rf "$TMP"' EXIT

ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; }
# check DESCRIPTION COMMAND...: one TAP line from the command's status.
check() {
    local desc=$1
    shift
    if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}
# not COMMAND...: succeeds when the command fails (for check "…" not grep -q …).
not() { ! "$@"; }
# wait_for SECONDS COMMAND...: runs the command again and again until it
# succeeds, for at most SECONDS (a guard for a loaded machine, not a
# measure); fails if it never did.  What a test waits for before it acts or
# checks: never a fixed sleep.
wait_for() {
    local end=$((SECONDS + $1))
    shift
    until "$@"; do
        [ "$SECONDS" -lt "$end" ] || return 1
        sleep 0.05
    done
}
# handles_term PID: the process has its SIGTERM (and SIGINT) handler in place
# (/proc/PID/status SigCgt), so a signal now asks it to stop, not kills it.
handles_term() {
    local mask
    mask=$(sed -n 's/^SigCgt:\t*//p' "/proc/$1/status" 2>/dev/null) && [ -n "$mask" ] &&
        (( (0x$mask >> 14) & 1 && (0x$mask >> 1) & 1 ))
}
# skip DESCRIPTION REASON: said loudly, counted as neither pass nor fail.
skip() { echo "# SKIP $1: $2" >&2; echo "# SKIP $1: $2"; }

have_shared() { [ -f "$SHARED/labels/score.py" ] && [ -d "$SHARED/corpus" ]; }

# A free TCP port on 127.0.0.1.
free_port() {
    "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# sorted_units FILE: paragraphs.jsonl reduced to what a run must reproduce
# exactly (everything but the run-specific doc id), sorted.
sorted_units() {
    "$PY" - "$1" <<'PYEOF'
import json, sys
rows = []
for line in open(sys.argv[1], encoding="utf-8"):
    d = json.loads(line)
    d.pop("doc", None)
    rows.append(json.dumps(d, ensure_ascii=False, sort_keys=True))
print("\n".join(sorted(rows)))
PYEOF
}

# seed_corpus DIR N: N folders of the five seed reports (5×N documents).
seed_corpus() {
    local i
    for i in $(seq -w 1 "$2"); do
        mkdir -p "$1/t$i"
        cp tests/data/seeds/*.txt "$1/t$i/"
    done
}

# consistent DIR: every written document is whole, and the journal
# (resume.tsv) and the outputs agree on what was written.
consistent() {
    "$PY" - "$1" <<'PYEOF'
import json, sys, collections
out = sys.argv[1]
docs = [json.loads(l) for l in open(out + "/docs.jsonl", encoding="utf-8")]
units = collections.Counter(json.loads(l)["file"] for l in open(out + "/paragraphs.jsonl", encoding="utf-8"))
journal = [l.split("\t")[1] for l in open(out + "/resume.tsv", encoding="utf-8") if l[0] != "#"]
ok = (len(docs) == len(journal) == len({d["file"] for d in docs})
      and all(units[d["file"]] == d["units"] for d in docs) and sum(units.values()) == sum(d["units"] for d in docs))
sys.exit(0 if ok else 1)
PYEOF
}

# results_dump DIR: DIR/results.sqlite reduced to what a run must reproduce
# (rows named by file and seq instead of run-specific ids), sorted; fails
# when the database is not whole (integrity, foreign keys, unit counts).
results_dump() {
    "$PY" - "$1/results.sqlite" <<'PYEOF'
import sqlite3, sys
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
q = lambda sql: db.execute(sql).fetchall()
assert q("PRAGMA integrity_check") == [("ok",)], "integrity"
assert q("PRAGMA foreign_key_check") == [], "foreign keys"
assert q("""SELECT count(*) FROM documents d WHERE units IS NOT
            (SELECT count(*) FROM units u WHERE u.doc_id = d.id)""") == [(0,)], "unit counts"
unit = "(SELECT d.file FROM documents d WHERE d.id = x.doc_id), (SELECT u.seq FROM units u WHERE u.id = x.unit_id)"
tables = {
    "topics": "SELECT * FROM topics",
    "places": "SELECT key, code, level, province, city, county, town FROM places",
    "documents": """SELECT file, (SELECT key FROM places p WHERE p.id = place_id), year, title,
        province, city, county, town, code, level, place_candidates, script, encoding, bytes,
        units, extra FROM documents""",
    "units": """SELECT (SELECT file FROM documents d WHERE d.id = doc_id), seq, kind, kind_conf,
        kind_cue, topic, section, text, item, headed, overview, script, extra FROM units""",
    "unit_topics": "SELECT %s, topic, score, rank FROM unit_topics x" % unit,
    "figures": """SELECT %s, n, raw, value, max, unit, masked, approx, subject, base_value,
        base_unit, extra FROM figures x""" % unit,
    "villages": "SELECT %s, name FROM villages x" % unit,
    "rejects": "SELECT file, stage, reason FROM rejects",
}
for name, sql in tables.items():
    for row in sorted(q(sql), key=repr):
        print(name, repr(row))
PYEOF
}
