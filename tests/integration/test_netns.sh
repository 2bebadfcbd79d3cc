# Several hosts on one machine: network namespaces joined by veth links.
# Host A runs read, split and aggregate (huibao run --listen, no local
# worker); hosts B and C each run a classify worker that connects to A over
# its own link.  The results must equal a single-host run, and both workers
# must have done work.  Needs root and iproute2; otherwise skipped, loudly.
. "$(dirname "$0")/lib.sh"

a=hbA$$ b=hbB$$ c=hbC$$
if ! ip netns add "$a" 2>/dev/null; then
    skip "multi-host run" "cannot create network namespaces here (needs root and iproute2): NOT tested"
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
link "$a" 10.88.1.1 "$b" 10.88.1.2 "hb1$$" && link "$a" 10.88.2.1 "$c" 10.88.2.2 "hb2$$"
check "the links are up, one per worker host" grep -q "10.88.2.1/24" <(ip -n "$a" addr)

in=$TMP/in
# Enough documents that a worker whose connection a loaded machine delays
# still finds work left (20 were all taken by the first one now and then).
seed_corpus "$in" 200
port=5555
# The run's key pair, made ahead so the workers can start first (--listen
# uses OUT/listen.key when it is there).
mkdir -p "$TMP/multi" && "$BIN/huibao" keygen "$TMP/multi/listen" >/dev/null
ip netns exec "$b" "$BIN/huibao-classify" -v --in ">tcp://10.88.1.1:$port" \
    --out ">tcp://10.88.1.1:$((port + 1))" --curve-server "$TMP/multi/listen.pub" 2>"$TMP/b.err" &
wb=$!
ip netns exec "$c" "$BIN/huibao-classify" -v --in ">tcp://10.88.2.1:$port" \
    --out ">tcp://10.88.2.1:$((port + 1))" --curve-server "$TMP/multi/listen.pub" 2>"$TMP/c.err" &
wc_=$!
ip netns exec "$a" "$BIN/huibao" run --no-progress --listen "0.0.0.0:$port" -o "$TMP/multi" \
    "$in" >"$TMP/a.out" 2>"$TMP/a.err"
check "the run across three hosts completes with 0" [ $? -eq 0 ]
kill -TERM $wb $wc_
wait $wb $wc_ 2>/dev/null
"$BIN/huibao" run -q -o "$TMP/single" "$in" >/dev/null 2>&1
check "its units equal a single-host run's" \
    cmp -s <(sorted_units "$TMP/single/paragraphs.jsonl") <(sorted_units "$TMP/multi/paragraphs.jsonl")
check "its towns.csv equals a single-host run's" cmp -s "$TMP/single/towns.csv" "$TMP/multi/towns.csv"
worked() { grep -Eq "stopping: [1-9][0-9]* messages in" "$1"; }
check "the worker on host B did work" worked "$TMP/b.err"
check "the worker on host C did work" worked "$TMP/c.err"
check "a worker logs its start: endpoints, pid and host, key" \
    grep -q "started: in >tcp://10.88.1.1:$port, out >tcp://10.88.1.1:$((port + 1)), pid [0-9]* on .*, CURVE key" "$TMP/b.err"
check "its connections" grep -q "in: connected (tcp://10.88.1.1:$port)" "$TMP/b.err"
check "and its counts and CPU time at exit" grep -Eq "stopping: .* [0-9]+ documents, .* s CPU" "$TMP/b.err"
check "the reader (split runs in it) logs each worker's connection" [ "$(grep -c "huibao-read: info: out: connected (tcp://" "$TMP/a.err")" -ge 2 ]
