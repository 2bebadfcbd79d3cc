# A custom stage on a worker host, wired with huibao relay exactly as
# docs/deploy.md (2.9) shows: host A runs huibao run --listen with CURVE and
# an allow-list; host B runs the document's block as it is (relays as its
# gateways, classify ×2, the example stage tag ×2).  The results equal a
# one-machine run of the same stages (huibao run -c).  Two network
# namespaces with the document's addresses; needs root and iproute2,
# otherwise skipped, loudly.
. "$(dirname "$0")/lib.sh"

a=hbRa$$ b=hbRb$$
if ! ip netns add "$a" 2>/dev/null; then
    skip "custom stages behind relays" "cannot create network namespaces here (needs root and iproute2): NOT tested"
    exit 0
fi
trap '[ -n "${pg:-}" ] && kill -9 -- -"$pg" 2>/dev/null; ip netns del "$a" 2>/dev/null;
      ip netns del "$b" 2>/dev/null; rm -rf "$TMP"' EXIT
ip netns add "$b"
for ns in "$a" "$b"; do ip -n "$ns" link set lo up; done
ip link add "hr$$a" type veth peer name "hr$$b"
ip link set "hr$$a" netns "$a" && ip link set "hr$$b" netns "$b"
ip -n "$a" addr add 10.0.0.1/24 dev "hr$$a" && ip -n "$b" addr add 10.0.0.2/24 dev "hr$$b"
ip -n "$a" link set "hr$$a" up && ip -n "$b" link set "hr$$b" up

# The keys as in 2.2: core on A, hostb on B, B's public key in A's allow-list.
ka=$TMP/a/huibao-keys kb=$TMP/b/huibao-keys
mkdir -p "$ka" "$kb"
(cd "$ka" && "$BIN/huibao" keygen core >/dev/null) && (cd "$kb" && "$BIN/huibao" keygen hostb >/dev/null)
cp "$kb/hostb.pub" "$ka/workers.pub" && cp "$ka/core.pub" "$kb/"
cp "${BUILD:-build}/examples/hb-tag" "$kb/hb-tag"

# The block that follows the marker in docs/deploy.md.
"$PY" - docs/deploy.md >"$TMP/block.sh" <<'PYEOF'
import sys
text = open(sys.argv[1], encoding="utf-8").read()
at = text.index("<!-- tests/integration/test_relay_stages.sh runs this block")
body = text[at:].split("```sh\n", 1)[1].split("```", 1)[0]
print(body)
PYEOF
check "docs/deploy.md has the relay block" grep -q "huibao relay" "$TMP/block.sh"

in=$TMP/in
seed_corpus "$in" 4
# Host B: the block, from the source folder, with huibao's programs on PATH.
setsid ip netns exec "$b" env HOME="$TMP/b" TMPDIR="$TMP/b" PATH="$BIN:$PATH" \
    bash -c '. "$1"; wait' block "$TMP/block.sh" 2>"$TMP/b.err" &
pg=$!
# Host A: 2.4's command.
ip netns exec "$a" "$BIN/huibao" run --no-progress --listen 10.0.0.1:5555 \
    --curve-key "$ka/core.key" --curve-allow "$ka/workers.pub" -o "$TMP/multi" "$in" \
    >"$TMP/a.out" 2>"$TMP/a.err"
rc=$?
check "the run with tag on host B completes with 0" [ $rc -eq 0 ] || tail -n 5 "$TMP/a.err" "$TMP/b.err" >&2
kill -TERM -- -"$pg" 2>/dev/null
wait "$pg" 2>/dev/null
pg=

printf '[stage split]\n[stage classify]\nworkers = 2\n[stage tag]\nworkers = 2\ncommand = %s\n' \
    "$kb/hb-tag" >"$TMP/p.conf"
"$BIN/huibao" run -q -c "$TMP/p.conf" -o "$TMP/single" "$in" >/dev/null 2>&1
check "a one-machine run with the same stages completes" [ $? -eq 0 ]
check "every unit went through tag on host B" \
    [ "$(grep -c '"source":"huibao"' "$TMP/multi/paragraphs.jsonl")" -eq "$(wc -l <"$TMP/multi/paragraphs.jsonl")" ]
check "the units equal the one-machine run's" \
    cmp -s <(sorted_units "$TMP/single/paragraphs.jsonl") <(sorted_units "$TMP/multi/paragraphs.jsonl")
check "and towns.csv too" cmp -s "$TMP/single/towns.csv" "$TMP/multi/towns.csv"
