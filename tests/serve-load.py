#!/usr/bin/env python3
"""serve-load.py: the load that tests/43-serve-limits.t puts on owl serve.

  flood PORT SECONDS NCONN NADDR   idle connections from many addresses
  bodies PORT DB N                 N concurrent 1 MB bodies, database locked
  bigbody PORT                     100,000 alerts beside small senders

Each prints one summary line for the test to check; bounded by timeouts.
"""
import collections
import http.client
import json
import resource
import selectors
import socket
import sqlite3
import sys
import threading
import time


def flood(port, secs, nconn, naddr):
    """Holds NCONN idle TCP connections from NADDR source addresses
    (127.0.0.2, ...), reopening each one the server closes, as an
    attacker would; meanwhile a real sender POSTs an alert every 0.25 s on
    a new connection with a 5 s timeout."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, nconn + 256), hard))
    sel = selectors.DefaultSelector()
    stop = time.time() + secs
    dialled = [0]

    def dial(i):
        s = socket.socket()
        s.setblocking(False)
        try:
            s.bind(("127.0.0.%d" % (2 + i % naddr), 0))
            s.connect_ex(("127.0.0.1", port))
        except OSError:
            s.close()
            return
        sel.register(s, selectors.EVENT_READ, i)
        dialled[0] += 1

    def attacker():
        for i in range(nconn):
            dial(i)
        while time.time() < stop:
            for key, _ in sel.select(timeout=0.2):
                s = key.fileobj
                try:
                    data = s.recv(4096)
                except OSError:
                    data = b""
                if not data:
                    sel.unregister(s)
                    s.close()
                    dial(key.data)

    threading.Thread(target=attacker, daemon=True).start()
    time.sleep(1.0)  # the idle connections fill the server
    answered = total = 0
    slowest = 0.0
    while time.time() < stop - 1:
        total += 1
        body = json.dumps({"id": "real-%d" % total, "title": "real sender",
                           "status": "firing"})
        t0 = time.time()
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("POST", "/v1/alerts/generic", body,
                      {"Content-Type": "application/json"})
            r = c.getresponse()
            r.read()
            c.close()
            if r.status == 200:
                answered += 1
                slowest = max(slowest, time.time() - t0)
        except Exception as e:
            print("# real sender: %s" % e, file=sys.stderr)
        time.sleep(0.25)
    print("answered %d of %d, slowest %.2f s, attacker dialled %d"
          % (answered, total, slowest, dialled[0]))


def bodies(port, dbpath, n):
    """Holds the database's write lock while N clients POST a 1 MB
    Alertmanager webhook each, all at once, one connection each. Prints
    one line per outcome: "503 N", "200 N", "error NAME N"."""
    alerts = [{"status": "firing", "labels": {"alertname": "Big",
               "instance": "node-%05d" % i, "pad": "x" * 40},
               "annotations": {"summary": "s"},
               "startsAt": "2026-01-01T00:00:00Z",
               "fingerprint": "%016x" % i} for i in range(4200)]
    body = json.dumps({"version": "4", "groupKey": "g", "status": "firing",
                       "receiver": "owl", "alerts": alerts}).encode()
    body = body[:-1] + b" " * (1000 * 1000 - len(body)) + b"}"
    db = sqlite3.connect(dbpath, isolation_level=None, timeout=10)
    db.execute("BEGIN IMMEDIATE")
    out = collections.Counter()
    lock = threading.Lock()
    go = threading.Barrier(n, timeout=60)

    def client():
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            go.wait()
            c.request("POST", "/v1/alerts/alertmanager", body,
                      {"Content-Type": "application/json"})
            r = c.getresponse()
            r.read()
            k = str(r.status)
            if r.status == 503 and r.getheader("Retry-After") is None:
                k = "503-without-Retry-After"
        except Exception as e:
            k = "error-" + type(e).__name__
        with lock:
            out[k] += 1

    ts = [threading.Thread(target=client) for _ in range(n)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    db.execute("ROLLBACK")
    print(" ".join("%s:%d" % (k, out[k]) for k in sorted(out)))


def bigbody(port):
    """Six small senders on kept-alive connections (opened first, so
    spread over the server's threads), then one webhook of 100,000
    alerts; once it is sent, each small sender posts again. Prints how
    many of those were answered 200 before the large one."""
    alerts = [{"status": "firing", "labels": {"alertname": "Huge%d" % (i % 50),
               "instance": "node-%d" % i}, "startsAt": "2026-01-01T00:00:00Z",
               "fingerprint": "%016x" % i} for i in range(100000)]
    big = json.dumps({"version": "4", "groupKey": "huge", "status": "firing",
                      "receiver": "owl", "alerts": alerts},
                     separators=(",", ":")).encode()
    sent = threading.Event()
    result = {"big": "no answer", "big_at": float("inf")}

    def large():
        s = socket.create_connection(("127.0.0.1", port), timeout=120)
        s.sendall(b"POST /v1/alerts/alertmanager HTTP/1.1\r\nHost: x\r\n"
                  b"Content-Type: application/json\r\n"
                  b"Content-Length: %d\r\n\r\n" % len(big) + big)
        sent.set()
        result["big"] = s.recv(100).split(b"\r\n")[0].decode()
        result["big_at"] = time.time()

    def post(c, i):
        c.request("POST", "/v1/alerts/generic",
                  json.dumps({"id": "small-%d" % i, "title": "small sender",
                              "status": "firing"}),
                  {"Content-Type": "application/json"})
        r = c.getresponse()
        r.read()
        return r.status

    conns = [http.client.HTTPConnection("127.0.0.1", port, timeout=60)
             for _ in range(6)]
    for i, c in enumerate(conns):
        post(c, i)
    t = threading.Thread(target=large)
    t.start()
    sent.wait(60)
    small = [(post(c, i), time.time()) for i, c in enumerate(conns)]
    t.join(120)
    before = sum(1 for st, at in small if st == 200 and at < result["big_at"])
    print("small answered before the large one: %d of %d; large: %s"
          % (before, len(small), result["big"]))


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "flood":
        flood(*(int(a) for a in args))
    elif cmd == "bodies":
        bodies(int(args[0]), args[1], int(args[2]))
    elif cmd == "bigbody":
        bigbody(int(args[0]))
    else:
        sys.exit("usage: serve-load.py flood|bodies|bigbody ...")
