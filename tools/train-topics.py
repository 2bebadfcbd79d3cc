#!/usr/bin/env python3
"""train-topics: fit the keyword weights of a topics.conf to hand-labelled units.

usage: tools/train-topics.py TOPICS.conf LABELLED.jsonl... [-o OUT.conf]
                             [--epochs N] [--rate R] [--lodo]

LABELLED.jsonl holds units as huibao writes them in paragraphs.jsonl (text,
section, overview, kind, kind_cue, file or doc) whose "topic" a person has set
to the right topic id; units without a topic are skipped.  So to adapt huibao
to another taxonomy or another kind of report: write its topics and words in
a topics.conf, run huibao, correct "topic" in a sample of paragraphs.jsonl,
and train.

The scoring is the classifier's (stages/classify/classifier.c): a keyword
found n times counts sqrt(n) times, headings count heading_weight (the deepest)
or parent_heading_weight and add no general evidence, an overview counts its
general evidence overview_general_weight times, a unit is general when its
best area scores below min_score or the general words weigh as much.  Only the
weights change: the words, the topics and the [scoring] settings stay, and so
does every comment.  Training is an averaged perceptron that starts from the
hand weights (the prior) and moves the weights of the words found in each
misread unit: up for the right topic, down for the topic read.  Units are seen
in file order, so the result is the same on every run.  Weights stay within
[0.1, 10]: a word is never dropped for want of examples.

--lodo prints, for each document, the accuracy of the hand weights and of
weights trained on the other documents only (leave one document out), which
is what training is worth on reports it has not seen.  The conf written is
trained on all the units given.  Where units also carry "topics" as a list of
ids (every topic the unit covers, the main one first, as in the hand labels;
not the objects huibao writes), the macro-F1 of the topics reported is
printed too, with the classifier's rules for the secondary topics (share of
the best, multi_label_score, a sentence about the area)."""
import argparse
import json
import math
import os
import re
import sys
from collections import defaultdict

SECTION = re.compile(r"^\s*\[\s*(\w+)(?:\s+([^\]\s]+))?\s*\]\s*$")
SCORING = {"heading_weight": 3.0, "parent_heading_weight": 1.0, "min_score": 1.0,
           "multi_label_ratio": 0.4, "multi_label_score": 5.0, "overview_general_weight": 2.0,
           "sentence_score": 4.0}
LO, HI = 0.1, 10.0


class Conf:
    """The lines of a topics.conf, its scoring settings and its keywords."""

    def __init__(self, path):
        self.lines = open(path, encoding="utf-8").read().split("\n")
        self.scoring = dict(SCORING)
        self.kw = []  # [term, topic, weight, line index]
        self.order = []  # topic ids in the order of their sections (the classifier's)
        section = name = None
        for i, line in enumerate(self.lines):
            s = line.strip()
            if not s or s.startswith("#"):
                continue
            m = SECTION.match(s)
            if m:
                section, name = m.group(1), m.group(2)
                if section == "topic" and name not in self.order:
                    self.order.append(name)
                continue
            key, _, value = s.partition("=")
            key, value = key.strip(), value.strip()
            if section == "scoring" and key in self.scoring:
                self.scoring[key] = float(value)
            elif section == "topic" and key == "keywords":
                for tok in value.split():
                    term, _, w = tok.partition(":")
                    self.kw.append([term, name, float(w) if w else 1.0, i])
        self.topics = sorted({k[1] for k in self.kw})

    def write(self, weights, out):
        lines = list(self.lines)
        per_line = defaultdict(list)
        for k, w in zip(self.kw, weights):
            per_line[k[3]].append("%s:%s" % (k[0], ("%.2f" % w).rstrip("0").rstrip(".")))
        for i, toks in per_line.items():
            lines[i] = "keywords = " + " ".join(toks)
        out.write("\n".join(lines))


def count(text, term):
    """Occurrences of term in text, overlapping ones included (as the automaton)."""
    n, i = 0, text.find(term)
    while i >= 0:
        n += 1
        i = text.find(term, i + 1)
    return n


SENTENCE = re.compile(r"(?<=[。；！？])")


class Unit:
    def __init__(self, conf, d):
        self.doc = os.path.basename(d.get("file") or d.get("doc") or "")
        self.gold = d["topic"]
        topics = d.get("topics")
        self.gold_set = topics if isinstance(topics, list) and topics and \
            all(isinstance(t, str) for t in topics) else None
        self.overview = bool(d.get("overview")) or d.get("kind") == "preamble"
        sc = conf.scoring
        sections = [s for s in d.get("section") or [] if isinstance(s, str)]
        texts = [(d.get("text") or "", 1.0, False)]
        for j, h in enumerate(sections):
            deepest = j + 1 == len(sections) and not d.get("kind_cue")
            texts.append((h, sc["heading_weight"] if deepest else sc["parent_heading_weight"], True))
        self.x = {}  # keyword index -> evidence at weight 1
        self.own = {}  # the part of it from the unit's own text
        for i, (term, topic, _, _) in enumerate(conf.kw):
            v = 0.0
            for j, (text, factor, heading) in enumerate(texts):
                if heading and topic == "general":
                    continue
                n = count(text, term)
                if n:
                    v += factor * (1 if n == 1 else math.sqrt(n))
                    if j == 0:
                        self.own[i] = v
            if v:
                self.x[i] = v
        # per sentence of the text: keyword index -> times found
        self.sentences = []
        for sentence in SENTENCE.split(texts[0][0]):
            found = {i: count(sentence, conf.kw[i][0]) for i in self.own}
            self.sentences.append({i: n for i, n in found.items() if n})


def classify(conf, unit, w):
    sc = conf.scoring
    score = defaultdict(float)
    for i, v in unit.x.items():
        score[conf.kw[i][1]] += w[i] * v
    general = score.pop("general", 0.0) * (sc["overview_general_weight"] if unit.overview else 1)
    areas = sorted(((v, t) for t, v in score.items() if v > 0), key=lambda a: (-a[0], a[1]))
    best = areas[0][0] if areas else 0.0
    if best < sc["min_score"] or general >= best:
        return "general"
    return areas[0][1]


def classify_all(conf, unit, w):
    """Every topic reported, the main one first (classifier.c's rules)."""
    sc = conf.scoring
    rank = {t: k for k, t in enumerate(conf.order)}
    score, own = defaultdict(float), defaultdict(float)
    for i, v in unit.x.items():
        score[conf.kw[i][1]] += w[i] * v
    for i, v in unit.own.items():
        own[conf.kw[i][1]] += w[i] * v
    general = score.pop("general", 0.0) * (sc["overview_general_weight"] if unit.overview else 1)
    areas = sorted(((v, t) for t, v in score.items() if v > 0), key=lambda a: (-a[0], rank[a[1]]))
    best = areas[0][0] if areas else 0.0
    if best < sc["min_score"] or general >= best:
        return ["general"]
    said = set()
    for found in unit.sentences:
        sent = defaultdict(float)
        for i, n in found.items():
            if conf.kw[i][1] != "general":
                sent[conf.kw[i][1]] += w[i] * n
        if sent:
            v, t = min((-v, rank[t], t) for t, v in sent.items())[0::2]
            if -v >= sc["sentence_score"]:
                said.add(t)
    return [t for k, (v, t) in enumerate(areas)
            if k == 0 or (v >= sc["multi_label_ratio"] * best and own[t] >= sc["min_score"])
            or own[t] >= sc["multi_label_score"] or t in said]


def macro_f1(conf, units, ws):
    """Macro-F1 of the topics reported against the labelled ones, per topic
    labelled at least once (as labels/score.py counts it); ws gives the
    weights for each unit."""
    counts = defaultdict(lambda: [0, 0, 0])  # tp, fp, fn
    for u, w in zip(units, ws):
        gold, read = set(u.gold_set), set(classify_all(conf, u, w))
        for t in gold | read:
            counts[t][0 if t in gold and t in read else 1 if t in read else 2] += 1
    f = []
    for tp, fp, fn in counts.values():
        if tp + fn:
            f.append(2 * tp / (2 * tp + fp + fn))
    return sum(f) / len(f) if f else 0.0


def train(conf, units, epochs, rate):
    w = [k[2] for k in conf.kw]
    total = [0.0] * len(w)
    for _ in range(epochs):
        for u in units:
            read = classify(conf, u, w)
            if read != u.gold:
                for i, v in u.x.items():
                    topic = conf.kw[i][1]
                    if topic == u.gold:
                        w[i] = min(HI, w[i] + rate * v)
                    elif topic == read:
                        w[i] = max(LO, w[i] - rate * v)
            for i, wi in enumerate(w):
                total[i] += wi
    n = epochs * len(units)
    return [t / n for t in total] if n else w


def accuracy(conf, units, w):
    return sum(classify(conf, u, w) == u.gold for u in units) / len(units) if units else 0.0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("conf")
    ap.add_argument("labelled", nargs="+")
    ap.add_argument("-o", "--out", help="write the trained conf here (default: stdout)")
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--rate", type=float, default=0.05)
    ap.add_argument("--lodo", action="store_true", help="print leave-one-document-out accuracy")
    a = ap.parse_args()
    conf = Conf(a.conf)
    units = []
    for path in a.labelled:
        for n, line in enumerate(open(path, encoding="utf-8"), 1):
            if not line.strip():
                continue
            try:
                d = json.loads(line)
            except ValueError as e:
                sys.exit("%s:%d: not a JSON object (%s)" % (path, n, e))
            if not isinstance(d, dict):
                sys.exit("%s:%d: not a JSON object (a unit of paragraphs.jsonl)" % (path, n))
            if not d.get("topic"):
                continue
            if d["topic"] not in conf.topics:
                sys.exit("%s:%d: topic \"%s\" is not a [topic] of %s" % (path, n, d["topic"], a.conf))
            units.append(Unit(conf, d))
    if not units:
        sys.exit("no labelled unit (a \"topic\" set) in %s" % " ".join(a.labelled))
    hand = [k[2] for k in conf.kw]
    if a.lodo:
        docs = sorted({u.doc for u in units})
        ok_hand = ok_lodo = 0
        held_w = {}
        print("%-50s %6s %8s %8s" % ("held-out document", "units", "hand", "trained"), file=sys.stderr)
        for doc in docs:
            held = [u for u in units if u.doc == doc]
            w = train(conf, [u for u in units if u.doc != doc], a.epochs, a.rate)
            held_w[doc] = w
            h, t = accuracy(conf, held, hand), accuracy(conf, held, w)
            ok_hand += h * len(held)
            ok_lodo += t * len(held)
            print("%-50s %6d %8.4f %8.4f" % (doc[:50], len(held), h, t), file=sys.stderr)
        print("%-50s %6d %8.4f %8.4f" % ("all", len(units), ok_hand / len(units),
                                          ok_lodo / len(units)), file=sys.stderr)
        multi = [u for u in units if u.gold_set]
        if multi:
            print("%-50s %6d %8.4f %8.4f" % ("topics macro-F1, all", len(multi),
                                              macro_f1(conf, multi, [hand] * len(multi)),
                                              macro_f1(conf, multi, [held_w[u.doc] for u in multi])),
                  file=sys.stderr)
    w = train(conf, units, a.epochs, a.rate)
    print("trained on %d units: accuracy %.4f with the hand weights, %.4f trained" %
          (len(units), accuracy(conf, units, hand), accuracy(conf, units, w)), file=sys.stderr)
    if a.out:
        with open(a.out, "w", encoding="utf-8") as f:
            conf.write(w, f)
    else:
        conf.write(w, sys.stdout)


if __name__ == "__main__":
    try:
        main()
    except OSError as e:  # a file that cannot be read or written: say which
        sys.exit("%s: %s" % (e.filename, e.strerror))
