"""SIGTERM with alert streams open: Falco's own streams (`get`, `sub`) end
with OK, as in Falco, and only after every alert already queued for them has
been sent; this project's /falco.api.streaming/outputs keeps ending with
UNAVAILABLE.

The Falco-style clients stall (they do not read, so HTTP/2 flow control
stops the daemon's writes) while alerts pile up in their queues; then the
daemon gets SIGTERM, and only once it has logged its subscribers' counters
(the engine is stopped by then, so nothing more is accepted) do the clients
start reading. Each must then receive exactly what was delivered to it plus
what was still queued, and then OK."""

import os
import re
import signal
import time
import unittest

import grpc

from fapi_testlib import BUILD_DIR, SLOW, DaemonTest, bidi, server_stream
from test_outputs import Collector, wait_for

import outputs_pb2 as outputs

RULES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "rules", "outputs_fanout.yaml")
CAPTURE = os.path.join(BUILD_DIR, "captures", "basic.scap")
COUNTERS = re.compile(r"subscriber (\S+): delivered (\d+), dropped (\d+), filtered out \d+, queued (\d+)/")
ALERT_LINE = re.compile(r"^\d\d:\d\d:\d\d\.\d{9}: ", re.M)
PILE_UP = 1500  # alerts printed before SIGTERM: far more than the flow-control window holds


class ShutdownTest(DaemonTest):
    def setUp(self):
        super().setUp()
        if not os.path.exists(CAPTURE):
            self.skipTest("generated capture %s not found" % CAPTURE)
        self.channels = []

    def tearDown(self):
        for ch in self.channels:
            ch.close()
        super().tearDown()

    def channel(self):
        # its own connection, and no BDP probing: the window stays small,
        # so a client that does not read stalls the daemon's writes soon
        ch = grpc.insecure_channel(self.d.target, options=[("grpc.use_local_subchannel_pool", 1),
                                                           ("grpc.http2.bdp_probe", 0)])
        self.channels.append(ch)
        return ch

    def counters(self, log):
        return {m.group(1): (int(m.group(2)), int(m.group(3)), int(m.group(4))) for m in COUNTERS.finditer(log)}

    def test_sigterm_ends_falco_streams_ok_after_their_queued_alerts(self):
        self.d = self.start_daemon(config={
            "load_modules": ["version", "outputs"],
            "modules": [{"name": "outputs", "config": {"queue_capacity": 100000, "falco_queue_capacity": 100000}}],
            "engine": {"capture": {"file": CAPTURE, "loop": 0, "rate": 4000}},
        }, args=["-r", RULES])

        def keepalives():
            while True:
                yield outputs.request(keepalive=True)
                time.sleep(0.2)
        sub = bidi(self.channel(), "/falco.outputs.service/sub", outputs.request, outputs.response)(keepalives())
        sub.initial_metadata()
        own = Collector(server_stream(self.channel(), "/falco.api.streaming/outputs", outputs.request,
                                      outputs.response)(outputs.request()), "outputs")
        wait_for(lambda: len(ALERT_LINE.findall(self.d.stdout())) >= PILE_UP // 2, 60, "alerts to pile up")
        # Falco's get takes what its queue holds from the start: opened now,
        # it stalls with most of it still queued
        get = server_stream(self.channel(), "/falco.outputs.service/get", outputs.request, outputs.response)(
            outputs.request())
        get.initial_metadata()
        wait_for(lambda: len(ALERT_LINE.findall(self.d.stdout())) >= PILE_UP, 60, "alerts to pile up")

        self.d.proc.send_signal(signal.SIGTERM)
        self.d.wait_log("subscriber falco-sub")
        got_sub = Collector(sub, "sub")
        got_get = Collector(get, "get")
        self.assertEqual(self.d.wait(), 0, self.d.log())
        log = self.d.log()
        self.assertNotIn("still open after", log)

        self.assertEqual(got_sub.finish(), grpc.StatusCode.OK, got_sub.details)
        self.assertEqual(got_get.finish(), grpc.StatusCode.OK, got_get.details)
        self.assertEqual(own.finish(), grpc.StatusCode.UNAVAILABLE)

        counters = self.counters(log)
        (sub_name,) = [k for k in counters if k.startswith("falco-sub#")]
        delivered, dropped, queued = counters[sub_name]
        self.assertEqual(dropped, 0, log)
        self.assertGreater(queued, 0, "nothing was queued for sub at SIGTERM: the test proves nothing\n" + log)
        self.assertEqual(len(got_sub.msgs), delivered + queued, log)
        self.assertEqual([m.seq for m in got_sub.msgs], list(range(1, len(got_sub.msgs) + 1)))
        self.assertEqual(sum(m.lost for m in got_sub.msgs), 0)

        delivered, dropped, queued = counters["falco-get-queue"]
        self.assertEqual(dropped, 0, log)
        self.assertGreater(queued, 0, "nothing was queued for get at SIGTERM: the test proves nothing\n" + log)
        self.assertEqual(len(got_get.msgs), delivered + queued, log)
        # in the engine's order, with nothing missing: get's queue holds
        # every alert since the start, as stdout does
        self.assertEqual([m.output for m in got_get.msgs],
                         [l for l in self.d.stdout().splitlines() if ALERT_LINE.match(l)][:len(got_get.msgs)])


if __name__ == "__main__":
    unittest.main()
