"""Every resource a client can make the daemon hold is bounded: outputs
filters (entries per list, bytes in all), subscribers in total and per
identity, message sizes, streams per connection; each refused with the code
and a message naming the limit, each configurable, each bad value a
start-up error naming its key."""

import os
import shutil
import tempfile
import time
import unittest

import grpc

from fapi_testlib import BUILD_DIR, SLOW, TEST_MODULE_DIR, DaemonTest, free_port, server_stream, unary

import outputs_pb2 as outputs
import streamtest_pb2 as st
import version_pb2 as version

HERE = os.path.dirname(os.path.abspath(__file__))
RULES = os.path.join(HERE, "..", "fixtures", "rules", "outputs_fanout.yaml")
CAPTURE = os.path.join(BUILD_DIR, "captures", "basic.scap")
OUTPUTS = "/falco.api.streaming/outputs"


class LimitsTest(DaemonTest):
    def setUp(self):
        super().setUp()
        if not os.path.exists(CAPTURE):
            self.skipTest("generated capture %s not found" % CAPTURE)
        self.channels = []

    def tearDown(self):
        for ch in self.channels:
            ch.close()
        super().tearDown()

    def channel(self, target=None):
        ch = grpc.insecure_channel(target or self.d.target, options=[("grpc.use_local_subchannel_pool", 1)])
        self.channels.append(ch)
        return ch

    def outputs_daemon(self, outputs_config, grpc_config=None):
        """Outputs over the unix socket and an insecure loopback port."""
        workdir = tempfile.mkdtemp(prefix="fapi-it-")
        self.addCleanup(shutil.rmtree, workdir, True)
        self.port = free_port()
        g = {"bind_address": ["unix://" + os.path.join(workdir, "run", "falco.sock"), "127.0.0.1:%d" % self.port],
             "insecure": True}
        g.update(grpc_config or {})
        self.d = self.start_daemon(config={
            "load_modules": ["version", "outputs"],
            "rules_file": [RULES],
            "stdout_output": {"enabled": False},
            "grpc": g,
            "modules": [{"name": "outputs", "config": outputs_config}],
            "engine": {"capture": {"file": CAPTURE, "loop": 0, "rate": 200}},
        }, workdir=workdir)
        return self.d

    def subscribe(self, ch, **req):
        call = server_stream(ch, OUTPUTS, outputs.request, outputs.response)(outputs.request(**req),
                                                                             timeout=60 * SLOW)
        return call

    def refused(self, call):
        with self.assertRaises(grpc.RpcError) as e:
            next(call)
        return e.exception

    def test_filters_beyond_the_limits_are_refused_and_within_them_work(self):
        self.outputs_daemon({"max_filter_items": 4, "max_filter_bytes": 100})
        ch = self.channel()
        for field in ("rules", "tags_any", "tags_all", "sources", "output_fields"):
            with self.subTest(field=field):
                e = self.refused(self.subscribe(ch, **{field: ["a", "b", "c", "d", "e"]}))
                self.assertEqual(e.code(), grpc.StatusCode.INVALID_ARGUMENT)
                self.assertIn("5 %s, more than max_filter_items (4)" % field, e.details())
        e = self.refused(self.subscribe(ch, rules=["r" * 40, "s" * 40], tags_any=["t" * 21]))
        self.assertEqual(e.code(), grpc.StatusCode.INVALID_ARGUMENT)
        self.assertIn("max_filter_bytes (100 bytes)", e.details())
        # At the limits: 4 entries per list, 100 bytes in all; a tag given
        # twice in tags_all still asks for one tag.
        call = self.subscribe(ch, rules=["outputs_fanout_exit", "x" * 10, "y" * 10, "z" * 10],
                              tags_all=["fanout", "fanout"], tags_any=["fanout", "q" * 12],
                              output_fields=["evt.type"])
        first = next(call)
        self.assertEqual(first.rule, "outputs_fanout_exit")
        self.assertEqual(set(first.output_fields), {"evt.type"})
        call.cancel()

    def test_subscribers_in_total_and_per_identity(self):
        self.outputs_daemon({"max_subscribers": 3, "max_subscribers_per_identity": 2})
        unix = self.channel()
        held = [self.subscribe(unix), self.subscribe(unix)]
        for c in held:
            next(c)
        # Every client of the unix socket with the same uid (SO_PEERCRED)
        # counts as one identity, whatever its connection.
        e = self.refused(self.subscribe(self.channel()))
        self.assertEqual(e.code(), grpc.StatusCode.RESOURCE_EXHAUSTED)
        self.assertIn("max_subscribers_per_identity is 2", e.details())
        tcp = "127.0.0.1:%d" % self.port
        third = self.subscribe(self.channel(tcp))
        next(third)
        e = self.refused(self.subscribe(self.channel(tcp)))
        self.assertEqual(e.code(), grpc.StatusCode.RESOURCE_EXHAUSTED)
        self.assertIn("too many subscribers: 3 open, max_subscribers is 3", e.details())
        # a subscriber that leaves makes room
        held[0].cancel()
        deadline = time.time() + 10 * SLOW
        while True:
            again = self.subscribe(self.channel(tcp))
            try:
                next(again)
                break
            except grpc.RpcError as err:
                self.assertEqual(err.code(), grpc.StatusCode.RESOURCE_EXHAUSTED)
                self.assertLess(time.time(), deadline, "the cancelled subscriber never left")
                time.sleep(0.05)
        for c in held[1:] + [third, again]:
            c.cancel()

    def test_message_size(self):
        self.outputs_daemon({}, {"max_receive_message_bytes": 2048})
        ch = self.channel()
        e = self.refused(self.subscribe(ch, rules=["r" * 3000]))
        self.assertEqual(e.code(), grpc.StatusCode.RESOURCE_EXHAUSTED)
        self.assertIn("2048", e.details())
        call = unary(ch, "/falco.version.service/version", version.request, version.response)
        self.assertTrue(call(version.request(), timeout=10 * SLOW).version)

    def test_streams_per_connection(self):
        d = self.start_daemon(config={
            "load_modules": ["version", "streamtest"],
            "grpc": {"max_concurrent_streams": 2},
            "modules": [{"name": "streamtest", "library_path": os.path.join(TEST_MODULE_DIR, "mod_streamtest.so")}],
        })
        self.d = d
        ch = self.channel()
        hold = server_stream(ch, "/fapi.test.stream/hold", st.echo_msg, st.echo_msg)
        open_calls = [hold(st.echo_msg(text="h%d" % i), timeout=60 * SLOW) for i in range(2)]
        for c in open_calls:
            self.assertEqual(next(c).text, "held")
        # The connection's third stream waits for one of the two to end
        # (HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS): it never reaches the daemon.
        waiting = hold(st.echo_msg(text="third"), timeout=2 * SLOW)
        e = self.refused(waiting)
        self.assertEqual(e.code(), grpc.StatusCode.DEADLINE_EXCEEDED)
        self.assertNotIn("hold 'third' opened", d.log())
        # another connection is not held up
        other = server_stream(self.channel(), "/fapi.test.stream/hold", st.echo_msg, st.echo_msg)
        c = other(st.echo_msg(text="other"), timeout=60 * SLOW)
        self.assertEqual(next(c).text, "held")
        for call in open_calls + [c]:
            call.cancel()

    def test_bad_values_are_startup_errors(self):
        for key, value, message in (
                ("keepalive_time_s", 0, "grpc.keepalive_time_s must be between 1 and"),
                ("keepalive_min_ping_interval_s", -1, "grpc.keepalive_min_ping_interval_s must be between 1 and"),
                ("max_receive_message_bytes", 10, "grpc.max_receive_message_bytes must be between 1024 and"),
                ("max_concurrent_streams", 0, "grpc.max_concurrent_streams must be between 1 and"),
                ("shutdown_timeout", "soon", "'grpc.shutdown_timeout' must be an integer")):
            with self.subTest(key=key):
                d = self.start_daemon(config={"grpc": {key: value}}, expect_ready=False)
                self.assertEqual(d.wait(), 1)
                self.assertIn(message, d.log())
        for key, message in (("max_subscribers", "max_subscribers must be between 1 and"),
                             ("max_filter_bytes", "max_filter_bytes must be between 1 and")):
            with self.subTest(key=key):
                d = self.start_daemon(config={"load_modules": ["version", "outputs"],
                                              "modules": [{"name": "outputs", "config": {key: 0}}]},
                                      expect_ready=False)
                self.assertNotEqual(d.wait(), 0)
                self.assertIn(message, d.log())


if __name__ == "__main__":
    unittest.main()
