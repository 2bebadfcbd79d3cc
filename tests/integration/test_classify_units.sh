# classify reads each unit's keys once: the fields it needs, the keys it
# drops (text_s, doc_code, and what it adds itself), the others passed
# through in their order; a heading or a text that is not valid UTF-8 is
# rejected, each time.
. "$(dirname "$0")/lib.sh"

"$PY" - "$BIN" <<'PYEOF' >"$TMP/units"
import msgpack, subprocess, sys, zmq
ctx = zmq.Context()
up = ctx.socket(zmq.PUSH); up_port = up.bind_to_random_port("tcp://127.0.0.1")
down = ctx.socket(zmq.PULL); down_port = down.bind_to_random_port("tcp://127.0.0.1")
p = subprocess.Popen([sys.argv[1] + "/huibao-classify", "-q",
                      "--in", ">tcp://127.0.0.1:%d" % up_port,
                      "--out", ">tcp://127.0.0.1:%d" % down_port,
                      "--topics", "configs/topics.conf", "--figures", "configs/figures.conf"])
def unit(seq, section, text="检查企业35家，排查整治安全隐患*处。"):
    m = msgpack.packb({"v": 1, "type": "unit", "run": "r", "doc": 0, "seq": seq,
                       "mine": "kept", "section": section, "kind": "summary", "text": text,
                       "text_s": text, "doc_code": "123456789", "after": [1, {"y": "二"}]})
    # a heading or text that is not UTF-8: "XX" (fixstr) becomes two bad bytes
    return m.replace(b"\xa2XX", b"\xa2\xff\xfe")
good = ["一、工作回顾", "（一）安全生产"]
bad = ["一、工作回顾", "XX"]
for m in (unit(0, good), unit(1, bad), unit(2, bad), unit(3, good), unit(4, [""]),
          unit(5, [], "XX"), unit(6, [])):
    up.send(m)
down.RCVTIMEO = 60000
def messages(frame):  # what arrives together may come as one batch
    m = msgpack.unpackb(frame)
    return [msgpack.unpackb(e) for e in m["msgs"]] if m.get("type") == "batch" else [m]
got = []
try:
    while len(got) < 7:
        got += messages(down.recv())
finally:  # a timeout fails the checks below, and leaves no classify behind
    p.terminate(); p.wait(20)
print("types", [m["type"] for m in got] == ["unit", "reject", "reject", "unit", "unit", "reject",
                                             "unit"])
u = got[0]
print("keys", list(u) == ["v", "type", "run", "doc", "seq", "mine", "section", "kind", "text",
                          "after", "topic", "topics", "metrics", "villages", "village_codes"])
print("kept", u["mine"] == "kept" and u["after"] == [1, {"y": "二"}] and u["section"] == good)
print("classified", u["topic"] == "safety" and
      [m["raw"] for m in u["metrics"]] == ["35家", "*处"])
without_seq = lambda m: {k: v for k, v in m.items() if k != "seq"}
print("same", without_seq(got[3]) == without_seq(u))
print("heading", all("heading is not valid UTF-8" in got[i]["reason"] for i in (1, 2)))
print("text", "text is not valid UTF-8" in got[5]["reason"])
print("empty", got[4]["section"] == [""] and got[6]["section"] == [])
PYEOF
for c in types keys kept classified same heading text empty; do
    check "classify's units: $c" grep -q "^$c True" "$TMP/units"
done
