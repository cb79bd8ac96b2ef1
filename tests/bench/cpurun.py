#!/usr/bin/env python3
"""cpurun.py CMD...: runs CMD (output discarded) and prints its wall time
and its CPU time (user + system, with the children it waited for, such as
a runbook's worker) in microseconds: "WALL_US CPU_US EXIT". On a shared,
loaded machine the CPU time is the steadier figure: wall time includes
the waits for a core."""
import os
import subprocess
import sys
import time

t0 = time.monotonic()
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL,
                     stderr=subprocess.DEVNULL)
_, status, ru = os.wait4(p.pid, 0)
wall = (time.monotonic() - t0) * 1e6
print("%d %d %d" % (wall, (ru.ru_utime + ru.ru_stime) * 1e6,
                    os.waitstatus_to_exitcode(status)))
