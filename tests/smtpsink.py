#!/usr/bin/env python3
"""smtpsink.py: a real SMTP server on 127.0.0.1 for the paging tests
(Debian's python3-aiosmtpd), STARTTLS required with the given
certificate; each message it accepts is written to --dir as N.eml, with
the envelope (and whether the session was encrypted) in N.env.

usage: smtpsink.py --port-file F --dir D --cert C --key K [--no-tls]
"""
import argparse
import asyncio
import os
import socket
import ssl
import sys
import time

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, d):
        self.dir = d
        self.n = 0

    async def handle_DATA(self, server, session, envelope):
        self.n += 1
        base = os.path.join(self.dir, "%d" % self.n)
        with open(base + ".eml.tmp", "wb") as f:
            f.write(envelope.original_content or envelope.content)
        with open(base + ".env", "w") as f:
            f.write("from %s\nto %s\ntls %s\n" % (
                envelope.mail_from, ",".join(envelope.rcpt_tos),
                "yes" if session.ssl else "no"))
        os.rename(base + ".eml.tmp", base + ".eml")
        return "250 OK"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--no-tls", action="store_true")
    a = ap.parse_args()
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    kw = {}
    if not a.no_tls:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(a.cert, a.key)
        kw = {"tls_context": ctx, "require_starttls": True}
    c = Controller(Sink(a.dir), hostname="127.0.0.1", port=port,
                   server_hostname="localhost", **kw)
    c.start()
    with open(a.port_file + ".tmp", "w") as f:
        f.write(str(port))
    os.rename(a.port_file + ".tmp", a.port_file)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    c.stop()


if __name__ == "__main__":
    sys.exit(main())
