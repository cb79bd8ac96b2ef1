#!/usr/bin/env python3
"""nodes-load.py: senders for the tests of several owl serve nodes on one
database (tests/18-pg-nodes.t, tests/18-pg-storm.t).

  both PORTS PATH FILE ROUNDS
                            posts FILE to PATH of every node at once (one
                            thread per node, released together), ROUNDS
                            times; prints the status codes, a line a round
  storm PORTS SECS SENDERS ACKED STOPFILE
                            SENDERS threads post distinct generic alerts
                            for SECS seconds (or until STOPFILE exists),
                            each to the nodes in turn, the next node when
                            one fails, and all of them again after a 0.2 s
                            back-off for up to 30 s (as a load balancer or
                            Alertmanager with several URLs would retry);
                            every alert a
                            node answered 2xx is appended to ACKED (its
                            id), written before the next is sent; prints
                            "sent N acked A failed F"

PORTS is a comma-separated list of loopback ports. Every request has a
5 s timeout; nothing runs past SECS + 40 s.
"""
import http.client
import json
import os
import sys
import threading
import time


# storm: how long one alert is retried (every node in turn) before it
# counts as failed
RETRY_S = 30


def post(port, path, body, timeout=5):
    """The status of one POST, or 0 when the node did not answer."""
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        c.request("POST", path, body, {"Content-Type": "application/json"})
        r = c.getresponse()
        r.read()
        c.close()
        return r.status
    except (OSError, http.client.HTTPException):
        return 0


def both(ports, path, file, rounds):
    body = open(file, "rb").read()
    for _ in range(rounds):
        go = threading.Barrier(len(ports))
        codes = [0] * len(ports)

        def one(i):
            go.wait()
            codes[i] = post(ports[i], path, body)

        ts = [threading.Thread(target=one, args=(i,)) for i in range(len(ports))]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        print(" ".join(str(c) for c in codes))


def storm(ports, secs, senders, acked, stopfile):
    end = time.time() + secs
    lock = threading.Lock()
    out = open(acked, "a")
    counts = {"sent": 0, "acked": 0, "failed": 0}

    def sender(k):
        n = 0
        turn = k
        while time.time() < end and not os.path.exists(stopfile):
            n += 1
            aid = "s%d-%d" % (k, n)
            body = json.dumps([{
                "id": aid, "group": "storm-%d" % (n % 5),
                "title": "storm alert %s" % aid, "status": "firing",
                "severity": "warning"}]).encode()
            # every node in turn, then again after a back-off, until a
            # 2xx or RETRY_S: a 503 or a slow answer from the one node
            # left on a loaded box is retried, as its senders would
            ok = False
            give_up = time.time() + RETRY_S
            i = 0
            while not ok and (i < len(ports) or time.time() < give_up):
                if i > 0 and i % len(ports) == 0:
                    time.sleep(0.2)
                port = ports[(turn + i) % len(ports)]
                ok = 200 <= post(port, "/v1/alerts/generic", body) < 300
                i += 1
            turn += 1
            with lock:
                counts["sent"] += 1
                if ok:
                    counts["acked"] += 1
                    out.write(aid + "\n")
                    out.flush()
                else:
                    counts["failed"] += 1

    ts = [threading.Thread(target=sender, args=(k,), daemon=True)
          for k in range(senders)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(max(0, end - time.time()) + RETRY_S + 10)
    with lock:
        print("sent %(sent)d acked %(acked)d failed %(failed)d" % counts)
        out.close()


def main():
    cmd, ports = sys.argv[1], [int(p) for p in sys.argv[2].split(",")]
    if cmd == "both":
        both(ports, sys.argv[3], sys.argv[4], int(sys.argv[5]))
    elif cmd == "storm":
        storm(ports, float(sys.argv[3]), int(sys.argv[4]), sys.argv[5],
              sys.argv[6])
    else:
        sys.exit("usage: see the top of this file")


if __name__ == "__main__":
    main()
