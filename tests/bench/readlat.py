#!/usr/bin/env python3
"""readlat.py OWL DB LABEL: read latencies of owl on a database, as an
on-call engineer meets them: `owl incidents` (first screen and all, text
and --json), `owl show` (the newest incident and the first one), the TUI's
first frame, and the timeline of the first incident in each format with
its peak memory. Each is run 5 times: median wall time (peak RSS for the
timeline). Used by bench-growth.sh; prints figures only."""
import os
import statistics
import subprocess
import sys
import tempfile
import time

owl, db, label = sys.argv[1], sys.argv[2], sys.argv[3]
ROUNDS = 5


def run(argv, env=None):
    """Wall ms and peak RSS (MiB) of one run, output discarded."""
    t0 = time.monotonic()
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, env=env)
    _, status, ru = os.wait4(p.pid, 0)
    ms = (time.monotonic() - t0) * 1000
    return ms, ru.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def median_of(argv, env=None):
    runs = [run(argv, env) for _ in range(ROUNDS)]
    bad = [r[2] for r in runs if r[2] != 0]
    return (statistics.median(r[0] for r in runs),
            max(r[1] for r in runs), bad[0] if bad else 0)


def scalar(sql):
    out = subprocess.run(["sqlite3", db, sql], capture_output=True,
                         text=True).stdout.strip()
    return out or "0"


def tui_first_frame():
    figures = []
    with tempfile.TemporaryDirectory() as d:
        ff = os.path.join(d, "ff")
        for _ in range(ROUNDS):
            if os.path.exists(ff):
                os.unlink(ff)
            cmd = ("stty rows 48 cols 160; TERM=xterm-256color LANG=C.UTF-8 "
                   "OWL_TUI_BENCH_FIRST_FRAME='%s' '%s' --db '%s' tui"
                   % (ff, owl, db))
            subprocess.run(["script", "-qec", cmd, "/dev/null"],
                           stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=120)
            if os.path.exists(ff):
                figures.append(int(open(ff).read()) / 1000)
    return statistics.median(figures) if figures else float("nan")


alerts = scalar("SELECT count(*) FROM alerts")
incs = scalar("SELECT count(*) FROM incidents WHERE state <> 2")
logrows = scalar("SELECT max(id) FROM actlog")
first = scalar("SELECT min(id) FROM incidents")
newest = scalar("SELECT max(id) FROM incidents")
first_alerts = scalar("SELECT alert_count FROM incidents WHERE id = %s" % first)
newest_alerts = scalar("SELECT alert_count FROM incidents WHERE id = %s"
                       % newest)
tl_events = scalar("SELECT count(*) FROM actlog WHERE incident_id = %s"
                   % first)
print("   reads at %s (%s alerts, %s open incidents, %s log rows), "
      "median of %d:" % (label, alerts, incs, logrows, ROUNDS))
env = dict(os.environ, OWL_DB=db)
rows = [
    ("owl --help (process start: the floor)", [owl, "--help"]),
    ("owl incidents --limit 50 (first screen)",
     [owl, "incidents", "--limit", "50"]),
    ("owl incidents --json --limit 50", [owl, "incidents", "--json",
                                         "--limit", "50"]),
    ("owl incidents (all %s)" % incs, [owl, "incidents"]),
    ("owl incidents --json (all %s)" % incs, [owl, "incidents", "--json"]),
    ("owl show INC-%s (%s alerts)" % (newest, newest_alerts),
     [owl, "show", newest]),
    ("owl show INC-%s (%s alerts)" % (first, first_alerts),
     [owl, "show", first]),
]
for name, argv in rows:
    ms, _, rc = median_of(argv, env)
    print("     %-44s %9.1f ms%s" % (name, ms, "  (exit %d)" % rc if rc
                                      else ""))
print("     %-44s %9.1f ms" % ("owl tui: first full frame (160x48)",
                               tui_first_frame()))
for fmt in ("md", "json", "csv", "html"):
    ms, rss, rc = median_of([owl, "timeline", first, "--format", fmt], env)
    print("     %-44s %9.1f ms  peak RSS %6.1f MiB%s"
          % ("owl timeline INC-%s --format %s (%s events)"
             % (first, fmt, tl_events), ms, rss,
             "  (exit %d)" % rc if rc else ""))
