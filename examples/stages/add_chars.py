#!/usr/bin/env python3
"""A huibao stage in Python: adds "chars" (the unit's length in characters)
to every unit and passes every other message through untouched.

Messages may come one per frame or several in a "batch" frame
({"v": 2, "type": "batch", "msgs": [bytes, ...]}, docs/messages.md; the
messages inside are v 1); this stage answers a batch with a batch.

usage: add_chars.py --in ENDPOINTS --out ENDPOINTS
Endpoints as for every huibao stage: '@' binds, '>' connects (default),
commas separate several.  Needs python3-zmq and python3-msgpack (Debian).
"""
import argparse
import signal
import sys

import msgpack
import zmq


def open_socket(ctx, kind, spec, hwm=64):
    sock = ctx.socket(kind)
    sock.setsockopt(zmq.SNDHWM, hwm)
    sock.setsockopt(zmq.RCVHWM, hwm)
    sock.setsockopt(zmq.LINGER, 2000)
    for ep in spec.split(","):
        if ep.startswith("@"):
            sock.bind(ep[1:])
        else:
            sock.connect(ep.lstrip(">"))
    return sock


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--in", dest="inp", required=True, help="where messages come from")
    ap.add_argument("--out", required=True, help="where they go")
    ap.add_argument("-q", "--quiet", action="store_true")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    ctx = zmq.Context()
    inp = open_socket(ctx, zmq.PULL, args.inp)
    out = open_socket(ctx, zmq.PUSH, args.out)
    while True:
        frame = inp.recv()
        try:
            msg = msgpack.unpackb(frame, raw=False)
        except Exception:
            print("add_chars: dropped a message that is not msgpack", file=sys.stderr)
            continue
        if isinstance(msg, dict) and msg.get("v") == 2 and msg.get("type") == "batch":
            msgs = [add_chars(m) for m in msg.get("msgs", [])]
            out.send(msgpack.packb({"v": 2, "type": "batch", "msgs": msgs}, use_bin_type=True))
        else:
            out.send(add_chars(frame, msg))


def add_chars(frame, msg=None):
    """One encoded message in, one out: a unit gains "chars", others are untouched."""
    if msg is None:
        try:
            msg = msgpack.unpackb(frame, raw=False)
        except Exception:
            return frame
    if not isinstance(msg, dict) or msg.get("v") != 1 or msg.get("type") != "unit":
        return frame
    msg["chars"] = len(msg.get("text", ""))
    return msgpack.packb(msg, use_bin_type=True)

if __name__ == "__main__":
    main()
