#!/usr/bin/env python3
"""tui-run-bench.py: two figures of `owl tui` on a pseudo-terminal, for
bench-tuirun.sh (prints figures only):
  open  OWL DB ID ROWS COLS: time from `:open ID` Enter to the incident
        screen's alert summary on the terminal ("250 alerts"), 5 rounds
  runj  OWL DB RUN ROWS COLS: in the live run view of RUN while it streams
        log lines, the bytes written in the 150 ms after each `j`, against
        150 ms windows with no key (the stream alone)"""
import os, pty, select, struct, sys, termios, fcntl, time, statistics

def spawn(owl, db, rows, cols):
    env = dict(os.environ, TERM="xterm-256color", LANG="C.UTF-8",
               LC_ALL="C.UTF-8", TZ="UTC", OWL_ACTOR="bench")
    pid, fd = pty.fork()
    if pid == 0:
        fcntl.ioctl(0, termios.TIOCSWINSZ,
                    struct.pack("HHHH", rows, cols, 0, 0))
        os.execve(owl, [owl, "--db", db, "tui", "--quiet"], env)
    return pid, fd

def read_for(fd, secs):
    buf, end = b"", time.time() + secs
    while True:
        left = end - time.time()
        if left <= 0:
            return buf
        r, _, _ = select.select([fd], [], [], left)
        if r:
            try:
                buf += os.read(fd, 65536)
            except OSError:
                return buf

def wait_for(fd, marker, limit=20.0):
    buf, end = b"", time.time() + limit
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try:
                buf += os.read(fd, 65536)
            except OSError:
                break
            if marker in buf:
                return True
    return False

def stop(pid, fd):
    os.write(fd, b"q")
    read_for(fd, 0.3)
    os.write(fd, b":quit\r")
    read_for(fd, 0.3)
    os.write(fd, b"d")
    read_for(fd, 0.3)
    try:
        os.kill(pid, 15)
    except ProcessLookupError:
        pass
    os.waitpid(pid, 0)

mode, owl, db, ident, rows, cols = sys.argv[1], sys.argv[2], sys.argv[3], \
    sys.argv[4], int(sys.argv[5]), int(sys.argv[6])
if mode == "open":
    times = []
    for _ in range(5):
        pid, fd = spawn(owl, db, rows, cols)
        wait_for(fd, b"FIRING")
        read_for(fd, 0.5)
        t0 = time.monotonic()
        os.write(fd, b":open %s\r" % ident.encode())
        ok = wait_for(fd, b"250 alerts")
        times.append((time.monotonic() - t0) * 1000 if ok else float("nan"))
        stop(pid, fd)
    print("   :open of the 250-alert incident to its alert summary on screen "
          f"({cols}x{rows}): median {statistics.median(times):.1f} ms of 5 "
          f"(ms: {' '.join('%.1f' % t for t in times)})")
else:
    pid, fd = spawn(owl, db, rows, cols)
    wait_for(fd, b"FIRING")
    os.write(fd, b":runs\r")
    wait_for(fd, b"run-" + ident.encode())
    os.write(fd, b"\r")
    wait_for(fd, b"Log (")
    read_for(fd, 1.0)
    quiet = [len(read_for(fd, 0.15)) for _ in range(20)]
    os.write(fd, b"k")  # scrolling pauses follow: j then moves the view
    read_for(fd, 0.3)
    per_j = []
    for _ in range(20):
        os.write(fd, b"j" if len(per_j) % 2 == 0 else b"k")
        per_j.append(len(read_for(fd, 0.15)))
    stop(pid, fd)
    print(f"   live run view ({cols}x{rows}) while the run streams: "
          f"{statistics.mean(per_j):.0f} bytes (median "
          f"{statistics.median(per_j):.0f}) in the 150 ms after each j/k "
          f"of 20; the stream alone: {statistics.mean(quiet):.0f} bytes "
          f"(median {statistics.median(quiet):.0f}) per 150 ms")
