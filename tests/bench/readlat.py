#!/usr/bin/env python3
"""readlat.py OWL DB LABEL: read latencies of owl on a database, as an
on-call engineer meets them: `owl incidents` (first screen and all, text
and --json), `owl show` (the newest incident and the first one), the TUI's
first frame, and the timeline of the first incident in each format with
its peak memory. Each is a whole process (exec to exit), run 5 times, the
commands alternated round by round: median wall and CPU time (user +
system), peak RSS for the timeline, each against its target where the
issue sets one, with the load average. Used by bench-growth.sh; prints
figures only."""
import fcntl
import os
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time

owl, db, label = sys.argv[1], sys.argv[2], sys.argv[3]
ROUNDS = 5


def run(argv, env=None, **kw):
    """Wall ms, CPU ms, peak RSS (MiB) and exit code of one run."""
    t0 = time.monotonic()
    p = subprocess.Popen(argv, env=env, **kw)
    _, status, ru = os.wait4(p.pid, 0)
    ms = (time.monotonic() - t0) * 1000
    return (ms, (ru.ru_utime + ru.ru_stime) * 1000, ru.ru_maxrss / 1024,
            os.waitstatus_to_exitcode(status))


def quiet(argv, env):
    return run(argv, env, stdout=subprocess.DEVNULL,
               stderr=subprocess.DEVNULL)


def tui_once(env, ff):
    """One `owl tui` on a 160x48 pseudo-terminal with the bench hook
    (OWL_TUI_BENCH_FIRST_FRAME: it stops after its first full frame):
    the whole process, plus the hook's figure (start of the TUI to the
    frame, in the process)."""
    if os.path.exists(ff):
        os.unlink(ff)
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 48, 160, 0, 0))

    def drain():
        try:
            while os.read(master, 65536):
                pass
        except OSError:
            pass
    t = threading.Thread(target=drain, daemon=True)
    t.start()
    e = dict(env, TERM="xterm-256color", LANG="C.UTF-8",
             OWL_TUI_BENCH_FIRST_FRAME=ff)
    r = run([owl, "--db", db, "tui"], e, stdin=slave, stdout=slave,
            stderr=slave, start_new_session=True)
    os.close(slave)
    t.join(5)
    os.close(master)
    hook = int(open(ff).read()) / 1000 if os.path.exists(ff) else float("nan")
    return r + (hook,)


def scalar(sql):
    out = subprocess.run(["sqlite3", db, sql], capture_output=True,
                         text=True).stdout.strip()
    return out or "0"


def load():
    return " ".join(open("/proc/loadavg").read().split()[:3])


def verdict(ms, target):
    if target is None:
        return ""
    return "  (target < %d ms: %s)" % (target, "met" if ms < target
                                       else "NOT met")


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
print("   reads at %s (%s alerts, %s open incidents, %s log rows): whole "
      "processes, medians of %d alternated rounds, wall and CPU (user + "
      "system); load average %s" % (label, alerts, incs, logrows, ROUNDS,
                                    load()))
cfg = tempfile.TemporaryDirectory()  # no user config, no runbooks
state = tempfile.TemporaryDirectory()  # runbook indexes (rbindex.h)
env = dict(os.environ, OWL_DB=db, XDG_CONFIG_HOME=cfg.name,
           XDG_STATE_HOME=state.name)
for k in ("OWL_RUNBOOKS", "OWL_CONFIG"):
    env.pop(k, None)
# name, argv (None: the TUI), target ms (the issue's, at 1M alerts)
rows = [
    ("owl --help (process start: the floor)", [owl, "--help"], None),
    ("owl incidents --limit 50 (first screen)",
     [owl, "incidents", "--limit", "50"], 50),
    ("owl incidents --json --limit 50", [owl, "incidents", "--json",
                                         "--limit", "50"], 50),
    ("owl incidents (all %s)" % incs, [owl, "incidents"], None),
    ("owl incidents --json (all %s)" % incs, [owl, "incidents", "--json"],
     None),
    ("owl show INC-%s (%s alerts)" % (newest, newest_alerts),
     [owl, "show", newest], 20),
    ("owl show INC-%s (%s alerts)" % (first, first_alerts),
     [owl, "show", first], 20),
    ("owl tui: first full frame (160x48)", None, 50),
]
# `owl show` suggests runbooks: with runbooks configured (the shipped
# ones), from a directory and from a git repository, as deployed
rbdir = os.path.join(os.path.dirname(os.path.abspath(owl)), "runbooks")
rbtmp = tempfile.TemporaryDirectory()
rbgit = os.path.join(rbtmp.name, "rb")
if os.path.isdir(rbdir) and subprocess.run(
        "cp -r '%s' '%s' && cd '%s' && git init -q && git add -A && "
        "git -c user.name=b -c user.email=b@x commit -qm rb" % (
            rbdir, rbgit, rbgit), shell=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0:
    for how, path in (("a directory", rbdir), ("git", rbgit)):
        rows.append(("owl show INC-%s, runbooks from %s" % (newest, how),
                     [owl, "show", newest], 20, {"OWL_RUNBOOKS": path}))
    # git with the commit not indexed (the first show of a commit; the
    # state directory cannot be written, so it stays that way): libgit2
    # starts, the runbooks' declarations are evaluated
    rows.append(("owl show INC-%s, git, commit not indexed" % newest,
                 [owl, "show", newest], 20,
                 {"OWL_RUNBOOKS": rbgit,
                  "XDG_STATE_HOME": "/proc/self/no-state"}))
for fmt in ("md", "json", "csv", "html"):
    rows.append(("owl timeline INC-%s --format %s (%s events)"
                 % (first, fmt, tl_events),
                 [owl, "timeline", first, "--format", fmt], 1000))
rows = [r if len(r) == 4 else r + ({},) for r in rows]
res = {name: [] for name, _, _, _ in rows}
with tempfile.TemporaryDirectory() as d:
    ff = os.path.join(d, "ff")
    for _ in range(ROUNDS):
        for name, argv, _, more in rows:
            e = dict(env, **more)
            res[name].append(quiet(argv, e) if argv else tui_once(e, ff))
for name, argv, target, _ in rows:
    v = res[name]
    wall = statistics.median(x[0] for x in v)
    cpu = statistics.median(x[1] for x in v)
    bad = [x[3] for x in v if x[3] != 0]
    extra = ""
    if argv is None:
        extra = "; in the TUI (its start to the frame) %.1f ms" % \
            statistics.median(x[4] for x in v)
    elif "timeline" in name:
        rss = max(x[2] for x in v)
        extra = "; peak RSS %.1f MiB (target < 64 MiB: %s)" % (
            rss, "met" if rss < 64 else "NOT met")
    print("     %-44s %8.1f ms wall %8.1f ms CPU%s%s%s"
          % (name, wall, cpu, verdict(wall, target), extra,
             "  (exit %d)" % bad[0] if bad else ""))
print("     (load average after: %s)" % load())
