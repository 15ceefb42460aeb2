#!/usr/bin/env python3
"""webhook_listener.py - a local stand-in for a chat webhook in the tests.

Listens on 127.0.0.1 (a free port), writes the port to PORT_FILE once ready,
and appends the body of every POST, one JSON document per line, to
BODIES_FILE; answers 200 (or STATUS from the environment). Runs until killed
(the tests start it under `timeout` and kill it in a trap).

usage: webhook_listener.py PORT_FILE BODIES_FILE
"""
import http.server
import os
import sys

STATUS = int(os.environ.get("STATUS", "200"))


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n).decode("utf-8", "replace")
        with open(sys.argv[2], "a", encoding="utf-8") as f:
            f.write(body.replace("\n", " ") + "\n")
        self.send_response(STATUS)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(b"ok\n")

    def log_message(self, *args):  # quiet: the test reads the bodies file
        pass


def main():
    srv = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    tmp = sys.argv[1] + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(str(srv.server_address[1]))
    os.replace(tmp, sys.argv[1])
    srv.serve_forever()


if __name__ == "__main__":
    main()
