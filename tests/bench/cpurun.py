#!/usr/bin/env python3
"""cpurun.py [-f] CMD...: runs CMD (output discarded) and prints its wall
time and its CPU time (user + system, with the children it waited for,
such as a runbook's worker) in microseconds: "WALL_US CPU_US EXIT"; with
-f, then its minor page faults (children included): "WALL_US CPU_US
FAULTS EXIT". On a shared, loaded machine the CPU time is the steadier
figure: wall time includes the waits for a core."""
import os
import subprocess
import sys
import time

args = sys.argv[1:]
faults = args[:1] == ["-f"]
if faults:
    args = args[1:]
t0 = time.monotonic()
p = subprocess.Popen(args, stdout=subprocess.DEVNULL,
                     stderr=subprocess.DEVNULL)
_, status, ru = os.wait4(p.pid, 0)
wall = (time.monotonic() - t0) * 1e6
cpu = (ru.ru_utime + ru.ru_stime) * 1e6
rc = os.waitstatus_to_exitcode(status)
if faults:
    print("%d %d %d %d" % (wall, cpu, ru.ru_minflt, rc))
else:
    print("%d %d %d" % (wall, cpu, rc))
