#!/usr/bin/env python3
"""flagsvc.py: a tiny feature-flag service and LLM-gateway key registry
for the runbook tests (127.0.0.1 only). State is in memory.

  GET/PUT /v1/flags/NAME        {"mode": "normal"|"degraded"|"cached"}
  POST    /v1/keys              admin bearer; {"key", "name"} -> 201 {"id"}
  GET     /v1/whoami            bearer KEY -> 200 {"key_id"} | 401
  DELETE  /v1/keys/ID           admin bearer -> 204 | 404
  GET     /healthz

usage: flagsvc.py PORT ADMIN_TOKEN SEEN_FILE [OLD_KEY]
Every secret the service receives is appended to SEEN_FILE, so a test
can look for it where it must not be."""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import portfile  # PORT 0: the one bound goes to $OWL_PORT_FILE

PORT, ADMIN, SEEN = int(sys.argv[1]), sys.argv[2], sys.argv[3]
flags = {}
keys = {}
if len(sys.argv) > 4:
    keys[1] = sys.argv[4]
next_id = [len(keys) + 1]


def seen(value):
    with open(SEEN, "a") as f:
        f.write(value + "\n")


class H(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def reply(self, code, obj=None):
        body = b"" if obj is None else json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def bearer(self):
        h = self.headers.get("Authorization", "")
        tok = h[7:] if h.startswith("Bearer ") else ""
        if tok:
            seen(tok)
        return tok

    def body(self):
        n = int(self.headers.get("Content-Length", "0"))
        return json.loads(self.rfile.read(n) or b"{}")

    def do_GET(self):
        if self.path == "/healthz":
            return self.reply(200, {"ok": True})
        if self.path.startswith("/v1/flags/"):
            name = self.path[len("/v1/flags/"):]
            return self.reply(200, {"service": name,
                                    "mode": flags.get(name, "normal")})
        if self.path == "/v1/whoami":
            tok = self.bearer()
            for i, k in keys.items():
                if k == tok:
                    return self.reply(200, {"key_id": i})
            return self.reply(401, {"error": "unknown key"})
        self.reply(404, {"error": "no such path"})

    def do_PUT(self):
        if not self.path.startswith("/v1/flags/"):
            return self.reply(404, {"error": "no such path"})
        mode = self.body().get("mode")
        if mode not in ("normal", "degraded", "cached"):
            return self.reply(400, {"error": "bad mode"})
        name = self.path[len("/v1/flags/"):]
        flags[name] = mode
        self.reply(200, {"service": name, "mode": mode})

    def do_POST(self):
        if self.path != "/v1/keys":
            return self.reply(404, {"error": "no such path"})
        if self.bearer() != ADMIN:
            return self.reply(401, {"error": "admin only"})
        key = self.body().get("key", "")
        seen(key)
        i = next_id[0]
        next_id[0] += 1
        keys[i] = key
        self.reply(201, {"id": i})

    def do_DELETE(self):
        if not self.path.startswith("/v1/keys/"):
            return self.reply(404, {"error": "no such path"})
        if self.bearer() != ADMIN:
            return self.reply(401, {"error": "admin only"})
        try:
            i = int(self.path[len("/v1/keys/"):])
        except ValueError:
            return self.reply(404, {"error": "no such key"})
        if keys.pop(i, None) is None:
            return self.reply(404, {"error": "no such key"})
        self.reply(204)


srv = ThreadingHTTPServer(("127.0.0.1", PORT), H)
portfile.announce(srv.server_address[1])
srv.serve_forever()
