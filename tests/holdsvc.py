#!/usr/bin/env python3
"""holdsvc.py: a flag service that holds a PUT open, for the crash test
(127.0.0.1 only). GET /v1/flags/NAME -> {"mode"}; PUT /v1/flags/NAME
writes DIR/put-started (and a line to DIR/puts), waits (at most 60 s) for DIR/release, then sets
the flag. GET /healthz.

usage: holdsvc.py PORT DIR"""
import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import portfile  # PORT 0: the one bound goes to $OWL_PORT_FILE

PORT, DIR = int(sys.argv[1]), sys.argv[2]
flags = {}


class H(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def reply(self, code, obj):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:
            pass  # the client is gone (killed): the change stands

    def do_GET(self):
        if self.path == "/healthz":
            return self.reply(200, {"ok": True})
        name = self.path.rsplit("/", 1)[-1]
        self.reply(200, {"mode": flags.get(name, "normal")})

    def do_PUT(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = json.loads(self.rfile.read(n) or b"{}")
        open(os.path.join(DIR, "put-started"), "w").close()
        with open(os.path.join(DIR, "puts"), "a") as f:
            f.write(self.path + "\n")
        end = time.time() + 60
        while not os.path.exists(os.path.join(DIR, "release")) and time.time() < end:
            time.sleep(0.05)
        flags[self.path.rsplit("/", 1)[-1]] = body.get("mode", "?")
        self.reply(200, {"mode": flags[self.path.rsplit("/", 1)[-1]]})


srv = ThreadingHTTPServer(("127.0.0.1", PORT), H)
portfile.announce(srv.server_address[1])
srv.serve_forever()
