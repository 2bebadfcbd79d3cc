# The core host dies and comes back (issue 15.2): two worker hosts in network
# namespaces; the core's links are cut and the core killed with -9 mid-run,
# so no FIN ever reaches the workers; a new core starts with --resume on the
# same address and the links come back.  ZeroMQ heartbeats (and TCP
# keepalive) make the workers drop the dead connections and dial again: the
# same worker processes finish the run, and the results equal a clean run.
# Needs root and iproute2; otherwise skipped, loudly.  `timeout` only guards
# against the old hang.
. "$(dirname "$0")/lib.sh"

a=hhA$$ b=hhB$$ c=hhC$$
if ! ip netns add "$a" 2>/dev/null; then
    skip "core restart across hosts" "cannot create network namespaces here (needs root and iproute2): NOT tested"
    exit 0
fi
cleanup_netns() { for ns in "$a" "$b" "$c"; do ip netns del "$ns" 2>/dev/null; done; }
trap 'jobs -p | xargs -r kill -9 2>/dev/null; cleanup_netns; rm -rf "$TMP"' EXIT
ip netns add "$b" && ip netns add "$c"
link() { # link NS_A ADDR_A NS_B ADDR_B NAME
    ip link add "$5a" type veth peer name "$5b"
    ip link set "$5a" netns "$1" && ip link set "$5b" netns "$3"
    ip -n "$1" addr add "$2/24" dev "$5a" && ip -n "$3" addr add "$4/24" dev "$5b"
    ip -n "$1" link set "$5a" up && ip -n "$3" link set "$5b" up
}
for ns in "$a" "$b" "$c"; do ip -n "$ns" link set lo up; done
link "$a" 10.89.1.1 "$b" 10.89.1.2 "hh1$$" && link "$a" 10.89.2.1 "$c" 10.89.2.2 "hh2$$"

in=$TMP/in
seed_corpus "$in" 40
"$BIN/huibao" run -q -o "$TMP/clean" "$in" >/dev/null 2>&1
port=5555
mkdir -p "$TMP/out" && "$BIN/huibao" keygen "$TMP/out/listen" >/dev/null
worker() { # worker NS CORE_ADDRESS
    exec ip netns exec "$1" "$BIN/huibao-classify" -v --heartbeat 1 --in ">tcp://$2:$port" \
        --out ">tcp://$2:$((port + 1))" --curve-server "$TMP/out/listen.pub"
}
worker "$b" 10.89.1.1 2>"$TMP/b.err" &
worker_b=$!
worker "$c" 10.89.2.1 2>"$TMP/c.err" &
worker_c=$!
core() { # core EXTRA...: the run on host A
    exec ip netns exec "$a" "$BIN/huibao" run --no-progress --heartbeat 1 --retry-after 5 -w 8 \
        --listen "0.0.0.0:$port" -o "$TMP/out" "$@" "$in"
}
core >"$TMP/a1.out" 2>"$TMP/a1.err" &
first=$!
for _ in $(seq 1 600); do [ "$(cat "$TMP/out/docs.jsonl" 2>/dev/null | wc -l)" -ge 20 ] && break; sleep 0.1; done
n=$(wc -l <"$TMP/out/docs.jsonl")
# The core host vanishes: links down first, the core killed outright, then
# the whole namespace deleted (its sockets with it: nothing will ever answer
# on the old connections), and a new host A made with the same addresses.
ip -n "$a" link set "hh1${$}a" down && ip -n "$a" link set "hh2${$}a" down
kill -9 $first
wait $first 2>/dev/null
for _ in $(seq 1 50); do pgrep -f "huibao-.*$TMP/out" >/dev/null || break; sleep 0.1; done
check "the core died mid-run ($n of 200 documents written)" [ "$n" -gt 0 -a "$n" -lt 200 ]
# (the links first, at once: a namespace is deleted asynchronously)
ip -n "$b" link del "hh1${$}b" && ip -n "$c" link del "hh2${$}b"
ip netns del "$a" && ip netns add "$a" && ip -n "$a" link set lo up
link "$a" 10.89.1.1 "$b" 10.89.1.2 "hh1$$" && link "$a" 10.89.2.1 "$c" 10.89.2.2 "hh2$$"
timeout 120 bash -c "$(declare -f core); a=$a BIN=$BIN port=$port TMP=$TMP in=$in core --resume" \
    >"$TMP/a2.out" 2>"$TMP/a2.err"
status=$?
check "the core started again with --resume finishes with 0 (got $status)" [ $status -eq 0 ]
check "with the same two workers, never restarted" kill -0 $worker_b $worker_c
kill -TERM $worker_b $worker_c
wait $worker_b $worker_c 2>/dev/null
check "the results equal a clean run's" \
    cmp -s <(sorted_units "$TMP/clean/paragraphs.jsonl") <(sorted_units "$TMP/out/paragraphs.jsonl")
check "towns.csv equals a clean run's" cmp -s "$TMP/clean/towns.csv" "$TMP/out/towns.csv"
