#!/usr/bin/env python3
"""A huibao stage in Python: adds "chars" (the unit's length in characters)
to every unit and passes every other message through untouched.

Messages may come one per frame or several in a "batch" frame
({"v": 2, "type": "batch", "msgs": [bytes, ...]}, docs/messages.md; the
messages inside are v 1); this stage answers a batch with a batch.

usage: add_chars.py --in ENDPOINTS --out ENDPOINTS [--stall-timeout SECONDS]
Endpoints as for every huibao stage: '@' binds, '>' connects (default),
commas separate several.  Needs python3-zmq and python3-msgpack (Debian).
"""
import argparse
import os
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


class Watchdog:
    """--stall-timeout for a Python stage, as the C runtime has it
    (common/hb_stage.c): a message held longer than `seconds` ends the
    process with status 70, so that its supervisor (huibao run, Kubernetes)
    starts it again and the reader sends the document again.  First a
    "stalled" message ({"run", "doc", "file", "stage", "seconds"}) goes
    downstream: the reader, told by the aggregator, sends at once what
    queued behind the document and, if it gives the document up, rejects it
    in this stage's name.  SIGALRM does the timing, so it interrupts Python
    code and sleeps, not a C call that never returns.

    Around each message: hold(msg) … release().  seconds 0: never."""

    def __init__(self, name, ctx, inp, out, seconds):
        self.name, self.ctx, self.inp, self.out = name, ctx, inp, out
        self.seconds = seconds
        self.msg = None
        if seconds > 0:
            signal.signal(signal.SIGALRM, self._fire)

    def hold(self, msg):
        self.msg = msg
        if self.seconds > 0:
            signal.setitimer(signal.ITIMER_REAL, self.seconds)

    def release(self):
        if self.seconds > 0:
            signal.setitimer(signal.ITIMER_REAL, 0)

    def _fire(self, *_):
        signal.signal(signal.SIGALRM, lambda *_: os._exit(70))
        signal.alarm(5)  # whatever happens below, the process ends
        msg = self.msg if isinstance(self.msg, dict) else {}
        print(f"{self.name}: error: held one message (document {msg.get('doc', -1)}) for more "
              f"than {self.seconds:g} s (--stall-timeout): exiting so that it is restarted "
              "and the document sent again", file=sys.stderr, flush=True)
        self.inp.close(linger=0)
        notice = {"v": 1, "type": "stalled", "stage": self.name, "seconds": float(self.seconds)}
        notice.update((k, msg[k]) for k in ("run", "doc", "file") if k in msg)
        self.out.setsockopt(zmq.SNDTIMEO, 2000)
        try:
            self.out.send(msgpack.packb(notice, use_bin_type=True))
        except zmq.ZMQError:
            pass
        self.out.close(linger=2000)
        self.ctx.term()
        os._exit(70)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--in", dest="inp", required=True, help="where messages come from")
    ap.add_argument("--out", required=True, help="where they go")
    ap.add_argument("--stall-timeout", type=float, default=600, metavar="SECONDS",
                    help="end the process (status 70) when one message takes longer; 0: never")
    ap.add_argument("-q", "--quiet", action="store_true")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    ctx = zmq.Context()
    inp = open_socket(ctx, zmq.PULL, args.inp)
    out = open_socket(ctx, zmq.PUSH, args.out)
    watch = Watchdog("add_chars", ctx, inp, out, args.stall_timeout)
    while True:
        frame = inp.recv()
        try:
            msg = msgpack.unpackb(frame, raw=False)
        except Exception:
            print("add_chars: dropped a message that is not msgpack", file=sys.stderr)
            continue
        if isinstance(msg, dict) and msg.get("v") == 2 and msg.get("type") == "batch":
            msgs = [add_chars(m, watch=watch) for m in msg.get("msgs", [])]
            out.send(msgpack.packb({"v": 2, "type": "batch", "msgs": msgs}, use_bin_type=True))
        else:
            out.send(add_chars(frame, msg, watch))


def add_chars(frame, msg=None, watch=None):
    """One encoded message in, one out: a unit gains "chars", others are untouched."""
    if msg is None:
        try:
            msg = msgpack.unpackb(frame, raw=False)
        except Exception:
            return frame
    if not isinstance(msg, dict) or msg.get("v") != 1 or msg.get("type") != "unit":
        return frame
    if watch:
        watch.hold(msg)
    msg["chars"] = len(msg.get("text", ""))
    if watch:
        watch.release()
    return msgpack.packb(msg, use_bin_type=True)

if __name__ == "__main__":
    main()
