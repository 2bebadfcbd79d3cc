#!/usr/bin/env python3
"""A filter stage in Python: drops every unit whose topic is listed in
--topic (default "general") and passes every other message through.

A dropped unit leaves a "dropped" record ({"v": 1, "type": "dropped",
"run", "doc", "seq"}, and "part"/"parts" when the unit had them) in its
place, so its document still completes with the units that are left
(docs/messages.md, "Dropping and adding units").  Batches are answered with
batches, as in add_chars.py.

usage: drop_topic.py --in ENDPOINTS --out ENDPOINTS [--topic IDS] [--stall-timeout SECONDS]
Needs python3-zmq and python3-msgpack (Debian).
"""
import argparse
import signal
import sys

import msgpack
import zmq

from add_chars import Watchdog, open_socket

KEEP = ("run", "doc", "seq", "part", "parts")


def filter_one(frame, drop, msg=None):
    """One encoded message in, one out: a unit of a listed topic becomes a
    "dropped" record, everything else is untouched."""
    if msg is None:
        try:
            msg = msgpack.unpackb(frame, raw=False)
        except Exception:
            return frame
    if not isinstance(msg, dict) or msg.get("v") != 1 or msg.get("type") != "unit":
        return frame
    if msg.get("topic") not in drop:
        return frame
    rec = {"v": 1, "type": "dropped"}
    rec.update((k, msg[k]) for k in KEEP if k in msg)
    return msgpack.packb(rec, use_bin_type=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--in", dest="inp", required=True, help="where messages come from")
    ap.add_argument("--out", required=True, help="where they go")
    ap.add_argument("--topic", default="general", help="topic ids to drop, comma-separated")
    ap.add_argument("--stall-timeout", type=float, default=600, metavar="SECONDS",
                    help="end the process (status 70) when one frame takes longer; 0: never")
    ap.add_argument("-q", "--quiet", action="store_true")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    drop = set(args.topic.split(","))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    ctx = zmq.Context()
    inp = open_socket(ctx, zmq.PULL, args.inp)
    out = open_socket(ctx, zmq.PUSH, args.out)
    watch = Watchdog("drop_topic", ctx, inp, out, args.stall_timeout)
    while True:
        frame = inp.recv()
        try:
            msg = msgpack.unpackb(frame, raw=False)
        except Exception:
            print("drop_topic: dropped a message that is not msgpack", file=sys.stderr)
            continue
        watch.hold(msg)
        if isinstance(msg, dict) and msg.get("v") == 2 and msg.get("type") == "batch":
            msgs = [filter_one(m, drop) for m in msg.get("msgs", [])]
            out.send(msgpack.packb({"v": 2, "type": "batch", "msgs": msgs}, use_bin_type=True))
        else:
            out.send(filter_one(frame, drop, msg))
        watch.release()


if __name__ == "__main__":
    main()
