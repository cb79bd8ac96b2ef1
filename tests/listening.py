#!/usr/bin/env python3
"""listening.py PID PORT: exit 0 when process PID, or a child of it,
listens on TCP PORT (from /proc: the listening socket is one of its
descriptors); 1 when it does not yet; 2 when PID is gone. For servers
the tests start on a port picked beforehand (tests/lib.sh listen_retry):
"something answers on the port" may be another test's server."""
import os
import sys


def procs(pid):
    out = [pid]
    try:
        for task in os.listdir("/proc/%s/task" % pid):
            with open("/proc/%s/task/%s/children" % (pid, task)) as f:
                for c in f.read().split():
                    out += procs(c)
    except OSError:
        pass
    return out


def main():
    pid, port = sys.argv[1], int(sys.argv[2])
    try:
        with open("/proc/%s/stat" % pid) as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return 2
    if state in ("Z", "X"):  # ended, not yet waited for
        return 2
    inodes = set()
    for p in procs(pid):
        try:
            fds = os.listdir("/proc/%s/fd" % p)
        except OSError:
            continue
        for fd in fds:
            try:
                link = os.readlink("/proc/%s/fd/%s" % (p, fd))
            except OSError:
                continue
            if link.startswith("socket:["):
                inodes.add(link[8:-1])
    for table in ("tcp", "tcp6"):
        try:
            with open("/proc/%s/net/%s" % (pid, table)) as f:
                rows = f.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            x = row.split()
            # local address HEX:PORT, state 0A = LISTEN, inode
            if (x[3] == "0A" and int(x[1].rsplit(":", 1)[1], 16) == port
                    and x[9] in inodes):
                return 0
    return 1


if __name__ == "__main__":
    sys.exit(main())
