"""SIGTERM always ends: with clients that stopped reading (their socket
buffers full), a half-open connection, or a handler that does not return,
the daemon exits 0 within grpc.shutdown_timeout; past it, it exits anyway
and the log names what was still open."""

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
import unittest

import grpc

from fapi_testlib import BUILD_DIR, PY_PROTO, SLOW, TEST_MODULE_DIR, DaemonTest, bidi

import streamtest_pb2 as st

HERE = os.path.dirname(os.path.abspath(__file__))
RULES = os.path.join(HERE, "..", "fixtures", "rules", "outputs_fanout.yaml")
CAPTURE = os.path.join(BUILD_DIR, "captures", "basic.scap")

# A process with 10 subscriptions, each on its own connection, that reads
# one alert per stream, says so, and then waits to be stopped (SIGSTOP): from
# then on nothing reads its sockets.
STALLER = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, sys.argv[2])
    import grpc, outputs_pb2 as o
    calls = []
    for i in range(10):
        ch = grpc.insecure_channel(sys.argv[1], options=[("grpc.use_local_subchannel_pool", 1),
                                                         ("grpc.http2.bdp_probe", 0)])
        call = ch.unary_stream("/falco.api.streaming/outputs", request_serializer=o.request.SerializeToString,
                               response_deserializer=o.response.FromString)(o.request())
        next(call)
        calls.append((ch, call))
    print("subscribed", flush=True)
    time.sleep(3600)
""")


class BoundedShutdownTest(DaemonTest):
    def setUp(self):
        super().setUp()
        if not os.path.exists(CAPTURE):
            self.skipTest("generated capture %s not found" % CAPTURE)
        self.children = []
        self.socks = []

    def tearDown(self):
        for p in self.children:
            if p.poll() is None:
                p.send_signal(signal.SIGCONT)
                p.kill()
                p.wait()
        for s in self.socks:
            s.close()
        super().tearDown()

    def test_sigterm_with_ten_clients_that_stopped_reading_and_a_half_open_connection(self):
        timeout = 10
        d = self.start_daemon(config={
            "load_modules": ["version", "outputs"],
            "rules_file": [RULES],
            "stdout_output": {"enabled": False},
            "grpc": {"shutdown_timeout": timeout},
            "modules": [{"name": "outputs", "config": {"queue_capacity": 100000}}],
            "engine": {"capture": {"file": CAPTURE, "loop": 0, "rate": 0}},
        })
        p = subprocess.Popen([sys.executable, "-c", STALLER, d.target, PY_PROTO], stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)
        self.children.append(p)
        self.assertEqual(p.stdout.readline().strip(), "subscribed", "the subscriber failed")
        p.send_signal(signal.SIGSTOP)
        # Half open: a connection that sent half of the HTTP/2 preface and
        # nothing more, and one that sent nothing at all.
        for data in (b"PRI * HTTP/2.0\r\n", b""):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(d.socket)
            if data:
                s.sendall(data)
            self.socks.append(s)
        # Alerts flow at the capture's full speed: the stalled sockets fill
        # (HTTP/2 flow control then stops the daemon's writes to them).
        time.sleep(2 * SLOW)
        start = time.monotonic()
        d.proc.send_signal(signal.SIGTERM)
        rc = d.wait(timeout=3 * timeout)
        elapsed = time.monotonic() - start
        log = d.log()
        self.assertEqual(rc, 0, log)
        self.assertLess(elapsed, timeout * SLOW, log)
        self.assertNotIn("shutdown timeout reached", log)
        self.assertIn("stopped", log)

    def test_a_stuck_handler_is_named_and_the_daemon_exits_anyway(self):
        timeout = 2
        d = self.start_daemon(config={
            "load_modules": ["version", "streamtest"],
            "grpc": {"shutdown_timeout": timeout},
            "modules": [{"name": "streamtest", "library_path": os.path.join(TEST_MODULE_DIR, "mod_streamtest.so")}],
        })
        ch = grpc.insecure_channel(d.target)
        try:
            requests = iter([st.echo_msg(text="stick", seq=120)])
            it = bidi(ch, "/fapi.test.stream/echo", st.echo_msg, st.echo_msg)(requests, timeout=300)
            self.assertEqual(next(it).text, "stick")
            d.wait_log("echo: stuck for 120 s")
            start = time.monotonic()
            d.proc.send_signal(signal.SIGTERM)
            rc = d.wait(timeout=60)
            elapsed = time.monotonic() - start
        finally:
            ch.close()
        log = d.log()
        self.assertEqual(rc, 0, log)
        # well before the handler would have returned
        self.assertLess(elapsed, 60, log)
        self.assertIn("shutdown timeout reached", log)
        self.assertRegex(log, r"still open: 1 stream\(s\): /fapi.test.stream/echo from unix:")
        self.assertIn("handlers running: cq-bidi: 1", log)
        # the socket is removed all the same
        self.assertFalse(os.path.exists(d.socket))


if __name__ == "__main__":
    unittest.main()
