#!/usr/bin/env python3
"""promcheck.py: a strict checker of Prometheus's text exposition format
0.0.4 (what /metrics of owl serve answers), reading stdin. Prints
"ok: N series, M families", or the first problem with its line number
and exits 1. Checks names, label syntax and escapes, float values (a
decimal comma is not one), HELP/TYPE placement, contiguous families,
duplicate series, and histograms (le order, cumulative counts, +Inf
equal to _count)."""
import re
import sys

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LNAME = r"[a-zA-Z_][a-zA-Z0-9_]*"
FLOAT = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?Inf|NaN"
SAMPLE = re.compile(r"^(%s)(\{(.*)\})? (%s)( -?[0-9]+)?$" % (NAME, FLOAT))
LABEL = re.compile(r'(%s)="((?:[^"\\\n]|\\["\\n])*)"(,|$)' % LNAME)
TYPES = ("counter", "gauge", "histogram", "summary", "untyped")


def fail(n, msg, line):
    print("line %d: %s: %r" % (n, msg, line))
    sys.exit(1)


def num(s):
    return float(s.replace("Inf", "inf"))


def comment(n, line, types, helps, done, cur):
    p = line.split(" ", 3)
    if len(p) < 3 or p[1] not in ("HELP", "TYPE"):
        return
    if not re.fullmatch(NAME, p[2]):
        fail(n, "bad metric name", line)
    if p[1] == "HELP":
        if p[2] in helps:
            fail(n, "second HELP", line)
        helps.add(p[2])
        return
    if len(p) != 4 or p[3] not in TYPES:
        fail(n, "bad TYPE", line)
    if p[2] in types:
        fail(n, "second TYPE", line)
    if p[2] in done or p[2] == cur:
        fail(n, "TYPE after the family's samples", line)
    types[p[2]] = p[3]


def family(name, types):
    for suf in ("_bucket", "_sum", "_count"):
        base = name[:-len(suf)]
        if name.endswith(suf) and types.get(base) in ("histogram", "summary"):
            return base
    return name


def labels(n, line, text):
    lab, pos = {}, 0
    while pos < len(text):
        m = LABEL.match(text, pos)
        if not m:
            fail(n, "bad labels", line)
        if m.group(1) in lab:
            fail(n, "duplicate label", line)
        lab[m.group(1)] = m.group(2)
        pos = m.end()
    return lab


def check_histograms(hist):
    for fam, h in hist.items():
        b = h["b"]
        if not b or b[-1][0] != float("inf"):
            fail(0, fam + ": no +Inf bucket", "")
        for (l1, c1), (l2, c2) in zip(b, b[1:]):
            if l2 <= l1 or c2 < c1:
                fail(0, fam + ": buckets not in order or not cumulative", "")
        if h["count"] != b[-1][1]:
            fail(0, fam + ": _count is not the +Inf bucket", "")


def check(text):
    if not text.endswith("\n"):
        fail(0, "no final newline", text[-40:])
    types, helps, seen, done, cur, hist = {}, set(), set(), set(), None, {}
    for n, line in enumerate(text.split("\n")[:-1], 1):
        if line.startswith("#"):
            comment(n, line, types, helps, done, cur)
            continue
        m = SAMPLE.match(line)
        if not m:
            fail(n, "not a sample", line)
        name, value = m.group(1), num(m.group(4))
        fam = family(name, types)
        if fam != cur:
            if fam in done:
                fail(n, "family not contiguous", line)
            if cur:
                done.add(cur)
            cur = fam
        lab = labels(n, line, m.group(3) or "")
        key = (name, tuple(sorted(lab.items())))
        if key in seen:
            fail(n, "duplicate series", line)
        seen.add(key)
        if types.get(fam) == "counter" and value < 0:
            fail(n, "negative counter", line)
        if types.get(fam) != "histogram":
            continue
        h = hist.setdefault(fam, {"b": [], "count": None})
        if name.endswith("_bucket"):
            if not re.fullmatch(FLOAT, lab.get("le", "")):
                fail(n, "bucket without a float le", line)
            h["b"].append((num(lab["le"]), value))
        elif name.endswith("_count"):
            h["count"] = value
    check_histograms(hist)
    print("ok: %d series, %d families" % (len(seen), len(types)))


check(sys.stdin.read())
