#!/usr/bin/env python3
"""reference.py: what a user would write instead of huibao — one process, the re module.

The baseline of `make bench` (tools/bench.sh, docs/performance.md): read every
*.txt under a folder (UTF-8, else GB18030), cut it into paragraphs and 一是/二是
items, count the keywords of configs/topics.conf in each unit with one compiled
alternation (longest first, so 疫情防控 wins over 疫情; matches do not overlap),
take the figures with one regex, and write one JSON line per unit.  No heading
tree, no kinds, no towns: less work than huibao does, on purpose simple.

    tools/reference.py [--topics configs/topics.conf] [--out units.jsonl] FOLDER
"""
import argparse
import json
import os
import re
import sys
import time

ITEM = re.compile(r"(?:(?<=^)|(?<=[。；;！!？?：:]))(?=[一二三四五六七八九十]{1,2}是)")
FIGURE = re.compile(
    r"(约|超过|近|逾)?([0-9０-９][0-9０-９.,]*|[*＊xX×]+)(余|多)?(万|千|百|亿)?"
    r"(人次|家次|台次|个百分点|%|％|亿元|万元|元|平方公里|公里|平方米|亩|公顷|吨|"
    r"人|名|户|个|家|次|处|条|项|件|份|起|场|座|台|辆|只|所|批|期)")


def load_topics(path):
    """{term: [(topic, weight), ...]} from the [topic ID] keywords lines."""
    terms, topic = {}, None
    for line in open(path, encoding="utf-8"):
        line = line.strip()
        m = re.match(r"\[topic (\S+)\]", line)
        if m:
            topic = m.group(1)
        elif topic and re.match(r"keywords\s*=", line):
            for tok in line.split("=", 1)[1].split():
                term, _, weight = tok.partition(":")
                terms.setdefault(term, []).append((topic, float(weight or 1)))
    return terms


def read_text(path):
    raw = open(path, "rb").read()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("gb18030", errors="replace")


def units(text):
    for para in text.splitlines():
        para = para.strip()
        if para:
            for unit in ITEM.split(para):
                if unit.strip():
                    yield unit.strip()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folder")
    ap.add_argument("--topics", default="configs/topics.conf")
    ap.add_argument("--out", default="-", help="JSONL output (default: stdout)")
    args = ap.parse_args()
    if not os.path.isdir(args.folder):
        sys.exit("reference.py: %s: not a folder" % args.folder)
    terms = load_topics(args.topics)
    keywords = re.compile("|".join(map(re.escape, sorted(terms, key=len, reverse=True))))
    out = sys.stdout if args.out == "-" else open(args.out, "w", encoding="utf-8")
    t0, nfiles, nbytes, nunits = time.time(), 0, 0, 0
    for root, dirs, files in os.walk(args.folder):
        dirs.sort()
        for name in sorted(files):
            if not name.endswith(".txt"):
                continue
            path = os.path.join(root, name)
            nfiles += 1
            nbytes += os.path.getsize(path)
            for seq, unit in enumerate(units(read_text(path))):
                scores = {}
                for m in keywords.finditer(unit):
                    for topic, weight in terms[m.group()]:
                        scores[topic] = scores.get(topic, 0.0) + weight
                best = max(scores, key=scores.get) if scores else "general"
                figures = [m.group(0) for m in FIGURE.finditer(unit)]
                out.write(json.dumps({"file": path, "seq": seq, "text": unit, "topic": best,
                                      "scores": scores, "figures": figures},
                                     ensure_ascii=False) + "\n")
                nunits += 1
    out.flush()
    secs = time.time() - t0
    print("reference.py: files=%d bytes=%d units=%d seconds=%.3f" % (nfiles, nbytes, nunits, secs),
          file=sys.stderr)


if __name__ == "__main__":
    main()
