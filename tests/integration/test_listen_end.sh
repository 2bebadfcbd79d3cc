# Under --listen the reader tells every classify worker that the run is
# complete (run_end) before it leaves, and the local workers (--exit-at-end)
# exit 0 at once: often before the reader is gone.  The launcher must not
# start them again (they would wait for a run that is over, and the end
# for them).  The aggregator here leaves only once the run's workers are
# gone, so that the workers always end before the launcher's run does.
. "$(dirname "$0")/lib.sh"

mkdir -p "$TMP/bin"
cp "$BIN/huibao" "$TMP/bin/"   # a copy: the launcher runs the stages beside itself
for s in read split classify; do ln -s "$BIN/huibao-$s" "$TMP/bin/"; done
cat >"$TMP/bin/huibao-aggregate" <<EOF2
#!/bin/bash
# The real aggregator; then, before leaving, it waits (a guard: up to 30 s)
# for the run's classify workers, which read from its socket folder, to end.
"$BIN/huibao-aggregate" "\$@"
rc=\$?
dir=\$(printf '%s\n' "\$@" | sed -n 's|^ipc://\(.*\)/ctl\$|\1|p')
for _ in \$(seq 1 300); do
    pgrep -f "huibao-classify --in >ipc://\$dir/" >/dev/null || break
    sleep 0.1
done
exit \$rc
EOF2
chmod +x "$TMP/bin/huibao-aggregate"

port=$(free_port)
while ! "$PY" -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',$((port + 1))))" 2>/dev/null; do
    port=$(free_port)
done
timeout 120 "$TMP/bin/huibao" run -j 2 --no-progress --insecure --listen "127.0.0.1:$port" \
    -o "$TMP/out" tests/data/seeds >"$TMP/run.out" 2>"$TMP/run.err"
status=$?
check "a --listen run with two local workers completes with 0 (got $status)" [ $status -eq 0 ]
check "with all five documents" [ "$(wc -l <"$TMP/out/docs.jsonl")" -eq 5 ]
check "its local workers, ended by the run's end, are not started again" \
    not grep -q "classify worker (pid [0-9]*) exited with status 0; starting it again" "$TMP/run.err"
grep "starting it again" "$TMP/run.err" | sed 's/^/# /'
