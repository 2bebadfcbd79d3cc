# A stage that hangs on one document (issue 15.3): the runtime's watchdog
# (--stall-timeout) ends the stage, the launcher starts it again, the run
# goes on, and the hung document, sent again, is finally given up after
# --attempts, in the name of the stage that hung.  The same with a Python
# stage (examples/stages/add_chars.py's Watchdog), where every other document
# is written; and a first Ctrl-C ends a run whose stage hangs, --resume
# finishing it.  `timeout` only guards against the old hangs.
. "$(dirname "$0")/lib.sh"

B=${BUILD:-build}
cat >"$TMP/hang.c" <<'CEOF'
/* Passes everything through, but never returns from the document whose
 * file name holds 002_. */
#include <string.h>
#include <unistd.h>
#include "hb_stage.h"

static int hang(hb_stage_t *st, void *ctx, const hb_msg_t *m)
{
    (void)st;
    (void)ctx;
    char file[4096];
    hb_msg_cstr(m, "file", file, sizeof file);
    if (strstr(file, "002_"))
        for (;;)
            pause();
    return HB_PASS;
}

static const char *const types[] = {HB_T_DOC, NULL};
static const hb_filter_t f = {.name = "hang", .summary = "hangs", .description = "hangs",
                              .types = types, .on_message = hang};
int main(int argc, char **argv) { return hb_filter_main(&f, argc, argv); }
CEOF
cc ${HB_SAN_FLAGS:-} -Icommon -o "$TMP/hb-hang" "$TMP/hang.c" "$B/libhuibao.a" -lzmq -lmsgpackc -lpcre2-8 -lopencc -lm -lpthread
check "the hanging stage builds" [ -x "$TMP/hb-hang" ]
cat >"$TMP/hang.conf" <<EOF2
[stage hang]
command = $TMP/hb-hang
options = --stall-timeout 1
[stage split]
[stage classify]
EOF2
timeout 120 "$BIN/huibao" run --no-progress --retry-after 4 --attempts 2 -c "$TMP/hang.conf" \
    -o "$TMP/out" tests/data/seeds >"$TMP/out.log" 2>"$TMP/err"
status=$?
check "the run ends with 3, not hangs (got $status)" [ $status -eq 3 ]
check "the stage says it held a message too long" grep -q "huibao-hang: error: held one message (document [0-9]*) for more than 1 s (--stall-timeout)" "$TMP/err"
check "and the launcher started it again" grep -q "hang worker (pid [0-9]*) exited with status 70; starting it again" "$TMP/err"
# What the hung process held (its output batch, the documents queued behind
# it) is lost with it and sent again: those may be given up too.
check "every document is written or in errors.jsonl" \
    [ $(($(wc -l <"$TMP/out/docs.jsonl") + $(wc -l <"$TMP/out/errors.jsonl"))) -eq 5 ]
check "the hung one is given up" grep -q '002_.*not acknowledged after 2 attempts' "$TMP/out/errors.jsonl"
check "in the name of the stage that hung on it" grep -q '002_.*"stage":"hang","reason":"stage hang stalled on it [0-9]* times' "$TMP/out/errors.jsonl"

# A Python stage that hangs on the same document.
cat >"$TMP/pyhang.py" <<'PYEOF'
"""Passes every message through, but hangs on the document whose file
name holds 002_ (unless HANG=0)."""
import argparse, os, signal, sys, time
sys.path.insert(0, "examples/stages")
import msgpack, zmq
from add_chars import Watchdog, open_socket

ap = argparse.ArgumentParser()
ap.add_argument("--in", dest="inp")
ap.add_argument("--out")
ap.add_argument("--stall-timeout", type=float, default=600)
ap.add_argument("-q", "--quiet", action="store_true")
args = ap.parse_args()
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
ctx = zmq.Context()
inp = open_socket(ctx, zmq.PULL, args.inp)
out = open_socket(ctx, zmq.PUSH, args.out)
watch = Watchdog("pyhang", ctx, inp, out, args.stall_timeout)
while True:
    frame = inp.recv()
    msg = msgpack.unpackb(frame, raw=False)
    watch.hold(msg)
    if msg.get("type") == "doc" and "002_" in msg.get("file", "") and os.environ.get("HANG") != "0":
        print("pyhang: hanging on document", msg.get("doc"), file=sys.stderr, flush=True)
        while True:
            time.sleep(3600)
    watch.release()
    out.send(frame)
PYEOF
cat >"$TMP/pyhang.conf" <<EOF2
[stage pyhang]
command = $PY $TMP/pyhang.py
options = --stall-timeout 1
[stage split]
[stage classify]
EOF2
timeout 120 "$BIN/huibao" run --no-progress --retry-after 4 --attempts 2 -c "$TMP/pyhang.conf" \
    -o "$TMP/py" tests/data/seeds >"$TMP/py.log" 2>"$TMP/py.err"
status=$?
check "python: the run ends with 3, not hangs (got $status)" [ $status -eq 3 ]
check "python: the stage says it held a message too long" grep -q "pyhang: error: held one message (document 2) for more than 1 s (--stall-timeout)" "$TMP/py.err"
check "python: the launcher started it again" grep -q "pyhang worker (pid [0-9]*) exited with status 70; starting it again" "$TMP/py.err"
check "python: the reader heard which stage hung" grep -q "document 2 stalled stage pyhang" "$TMP/py.err"
check "python: every other document is written" [ "$(wc -l <"$TMP/py/docs.jsonl")" -eq 4 ]
check "python: the hung one alone is given up, in the stage's name" \
    grep -q '^{"file":"tests/data/seeds/002_[^"]*","doc":2,"stage":"pyhang","reason":"stage pyhang stalled on it 2 times (held it longer than its --stall-timeout); not acknowledged after 2 attempts"}$' "$TMP/py/errors.jsonl"
check "python: errors.jsonl holds that one line" [ "$(wc -l <"$TMP/py/errors.jsonl")" -eq 1 ]
check "python: results.sqlite's rejects name the stage" \
    [ "$("$PY" -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select stage from rejects").fetchall())' "$TMP/py/results.sqlite")" = "[('pyhang',)]" ]

# Ctrl-C while the stage hangs (no watchdog): the first one ends the run;
# what was written stays, and --resume (without the hang) does the rest.
sed 's/--stall-timeout 1/--stall-timeout 0/' "$TMP/pyhang.conf" >"$TMP/pyhang0.conf"
"$BIN/huibao" run --no-progress -c "$TMP/pyhang0.conf" -o "$TMP/int" tests/data/seeds \
    >"$TMP/int.log" 2>"$TMP/int.err" &
launcher=$!
for _ in $(seq 1 600); do
    grep -q "pyhang: hanging on document" "$TMP/int.err" && break
    sleep 0.1
done
kill -INT $launcher
( sleep 60; kill -9 $launcher 2>/dev/null ) &
guard=$!
wait $launcher
status=$?
kill $guard 2>/dev/null
check "one Ctrl-C ends a run whose stage hangs, with 130 (got $status)" [ $status -eq 130 ]
check "it says how to continue" grep -q -- "--resume" "$TMP/int.log" "$TMP/int.err"
check "its summary says incomplete" grep -q '"complete":false' "$TMP/int/summary.json"
check "what it wrote is whole and journalled" consistent "$TMP/int"
HANG=0 "$BIN/huibao" run -q --no-progress --resume -c "$TMP/pyhang0.conf" -o "$TMP/int" tests/data/seeds >/dev/null 2>&1
check "--resume finishes it with 0" [ $? -eq 0 ]
check "and every document is written once" [ "$(wc -l <"$TMP/int/docs.jsonl")" -eq 5 ]
