#!/usr/bin/env python3
"""pagesink.py: a loopback stand-in for the receivers owl pages: a Slack
(Mattermost, Rocket.Chat) incoming webhook, PagerDuty's Events API v2
and a generic webhook. Every request is appended to --log as one JSON
line {path, headers, body}; the answers follow --script.

usage: pagesink.py --port-file F --log F [--script 500,500,200]
                   [--hang SECONDS] [--watch]

--script: the status of each request in turn (then 200, or 202 for
/v2/enqueue); "hang" in it holds that request for --hang seconds
(default 30) before answering 200. --watch prints each message to
stdout as it arrives (make demo). Listens on 127.0.0.1 only.
"""
import argparse
import http.server
import json
import sys
import threading
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--script", default="")
    ap.add_argument("--hang", type=float, default=30)
    ap.add_argument("--watch", action="store_true")
    a = ap.parse_args()
    script = [s for s in a.script.split(",") if s]
    lock = threading.Lock()

    class H(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            n = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(n).decode("utf-8", "replace")
            with lock:
                step = script.pop(0) if script else ""
                with open(a.log, "a") as f:
                    f.write(json.dumps({
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in
                                    self.headers.items()},
                        "body": body,
                        "answer": step or "ok",
                        "at": time.time()}) + "\n")
            if a.watch:
                try:
                    text = json.loads(body).get("text", body)
                except ValueError:
                    text = body
                print("  [sink] %s %s" % (time.strftime("%H:%M:%S"), text),
                      flush=True)
            if step == "hang":
                time.sleep(a.hang)
                step = ""
            code = int(step) if step else (
                202 if self.path.endswith("/enqueue") else 200)
            out = b'{"status":"success"}' if code < 300 else b"no"
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

    # owl's pager sends up to 64 pages at once, each its own connection:
    # socketserver's listen backlog of 5 drops the rest's SYNs, which
    # come back after 1 s, 3 s... (a storm's pages took 25-35 s)
    http.server.ThreadingHTTPServer.request_queue_size = 256
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
    srv.daemon_threads = True
    with open(a.port_file + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    import os
    os.rename(a.port_file + ".tmp", a.port_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
