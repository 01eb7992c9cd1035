#!/usr/bin/python3
"""A slow HTTP endpoint for bench/channels: answers every POST with 200
after DELAY_MS milliseconds, on 127.0.0.1, a port chosen by the kernel.
Prints "port N" on stdout once listening; on SIGTERM prints "posts N" and
exits."""

import http.server
import signal
import sys
import threading
import time

delay = float(sys.argv[1]) / 1000.0 if len(sys.argv) > 1 else 0.02
posts = 0
lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        global posts
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        time.sleep(delay)
        with lock:
            posts += 1
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *a):
        pass


srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
srv.daemon_threads = True


def stop(*_):
    print("posts %d" % posts, flush=True)
    sys.exit(0)


signal.signal(signal.SIGTERM, stop)
print("port %d" % srv.server_address[1], flush=True)
srv.serve_forever()
