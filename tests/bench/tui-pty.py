#!/usr/bin/env python3
"""tui-pty.py: runs `owl tui` on a pseudo-terminal of a fixed size and
counts the bytes it writes: the first frame, one `j` keypress, and an
idle stretch. Used by bench-tui.sh; prints figures only.
usage: tui-pty.py OWL DB ROWS COLS"""
import os, pty, select, struct, sys, termios, fcntl, time

owl, db, rows, cols = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
env = dict(os.environ, TERM="xterm-256color", LANG="C.UTF-8", LC_ALL="C.UTF-8",
           TZ="UTC", OWL_ACTOR="bench")
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    os.execve(owl, [owl, "--db", db, "tui"], env)

def drain(quiet, limit=10.0):
    """Reads until nothing arrived for `quiet` seconds; returns the bytes."""
    n, end = 0, time.time() + limit
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], quiet)
        if not r:
            break
        try:
            n += len(os.read(fd, 65536))
        except OSError:
            break
    return n

first = drain(0.5)
os.write(fd, b"j")
j = drain(0.3)
idle = drain(2.0, 2.0)
os.write(fd, b"q")
drain(0.3, 3.0)
os.waitpid(pid, 0)
print(f"   first frame {cols}x{rows}: {first} bytes")
print(f"   one j keypress: {j} bytes")
print(f"   idle for 2 s: {idle} bytes")
