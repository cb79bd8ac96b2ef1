#!/usr/bin/env python3
"""recsvc.py: an HTTP service for the runbook security tests (127.0.0.1
only) that records every request it gets and answers from files.

usage: recsvc.py PORT DIR
Each request is appended to DIR/requests as one line of JSON:
{"method", "path", "headers", "body"}. GET /doc/NAME answers the content
of DIR/doc/NAME as application/json (404 when absent); anything else
answers 200 {"ok": true}. GET /healthz answers 200."""
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import portfile  # PORT 0: the one bound goes to $OWL_PORT_FILE

PORT, DIR = int(sys.argv[1]), sys.argv[2]


class H(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def handle_any(self):
        n = int(self.headers.get("Content-Length", "0") or 0)
        body = self.rfile.read(n).decode("utf-8", "replace") if n else ""
        if self.path != "/healthz":
            with open(os.path.join(DIR, "requests"), "a") as f:
                f.write(json.dumps({"method": self.command, "path": self.path,
                                    "headers": dict(self.headers),
                                    "body": body}) + "\n")
        code, out = 200, b'{"ok": true}'
        if self.command == "GET" and self.path.startswith("/doc/"):
            p = os.path.join(DIR, "doc", os.path.basename(self.path))
            if os.path.exists(p):
                out = open(p, "rb").read()
            else:
                code, out = 404, b'{"error": "no such doc"}'
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(out)

    do_GET = do_PUT = do_POST = do_DELETE = do_PATCH = do_HEAD = handle_any


srv = ThreadingHTTPServer(("127.0.0.1", PORT), H)
portfile.announce(srv.server_address[1])
srv.serve_forever()
