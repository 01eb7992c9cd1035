"""The drops module's /falco.api.streaming/drops: simulated kernel drops
and the internal alert of syscall_event_drops on the streams, its exit
action ending the daemon, a stalled outputs subscriber's drops with its name
and the exact in-band count, outputs.rate limits as rate_limit drops, an
input queue's drops reported by a module, heartbeats and limits, and
fapictl drops watch. (syscall_event_drops on batch replays:
test_syscall_event_drops.py.)"""

import json
import os
import re
import subprocess
import time
import unittest

import grpc

from fapi_testlib import BIN, SLOW, TEST_MODULE_DIR, DaemonTest, server_stream
from test_outputs import Collector, batch_alerts, capture, rules, stdout_alerts, wait_for
from test_syscall_event_drops import ALERT_TEXT, FIELDS, MESSAGE, RULE, SINGLE_RULE, TEN_SECONDS, drop_stats

import drops_pb2 as drops
import outputs_pb2 as outputs
import schema_pb2 as schema

FAPICTL = os.path.join(os.path.dirname(BIN), "fapictl") if BIN else ""
DROPS = "/falco.api.streaming/drops"
OUTPUTS = "/falco.api.streaming/outputs"


def drops_config(capture_file, rate, loop=1, drops_cfg=None, outputs_capacity=None, **extra):
    cfg = {"load_modules": ["version", "outputs", "drops"],
           "engine": {"capture": {"file": capture_file, "loop": loop, "rate": rate}}}
    if outputs_capacity:
        cfg["modules"] = [{"name": "outputs", "config": {"queue_capacity": outputs_capacity}}]
    if drops_cfg is not None:
        cfg["syscall_event_drops"] = drops_cfg
    cfg.update(extra)
    return cfg


class DropsStreamTest(DaemonTest):
    def setUp(self):
        super().setUp()
        if not os.path.exists(TEN_SECONDS):
            self.skipTest("generated capture %s not found" % TEN_SECONDS)
        self.channels, self.collectors = [], []

    def tearDown(self):
        for c in self.collectors:
            c.call.cancel()
        for ch in self.channels:
            ch.close()
        super().tearDown()

    def channel(self, **opts):
        ch = grpc.insecure_channel(self.d.target, options=[("grpc.use_local_subchannel_pool", 1)] +
                                   list(opts.items()))
        self.channels.append(ch)
        return ch

    def open(self, stub, req_cls, resp_cls, req, ch=None):
        call = server_stream(ch or self.channel(), stub, req_cls, resp_cls)(req)
        call.initial_metadata()
        c = Collector(call, stub)
        self.collectors.append(c)
        return c

    def drops_stream(self, **req):
        return self.open(DROPS, drops.request, drops.response, drops.request(**req))

    def assert_seq(self, msgs):
        self.assertEqual([m.seq for m in msgs], list(range(1, len(msgs) + 1)))

    def test_simulated_kernel_drops_and_internal_alert_on_the_streams(self):
        # paced: 400 events/s, a check (one second of event time) every 0.5 s
        self.d = self.start_daemon(
            config=drops_config(TEN_SECONDS, 400, drops_cfg={"actions": ["alert"], "rate": 1, "max_burst": 1,
                                                             "simulate_drops": True}),
            args=["-r", SINGLE_RULE])
        alerts = self.open(OUTPUTS, outputs.request, outputs.response, outputs.request())
        kernel = self.drops_stream(kinds=[drops.KERNEL], interval_ms=100)
        everything = self.drops_stream()
        wait_for(lambda: self.d.log().count("Simulating syscall event drop") == 9, 30, "the ninth check")
        # the last check's count reaches the kernel stream within an interval
        wait_for(lambda: kernel.msgs and kernel.msgs[-1].total_lost == 9, 10, "the ninth drop on the drops stream")
        got = [m for m in alerts.msgs if m.rule == RULE]
        self.assertGreater(len(got), 0)
        for m in got:
            self.assertEqual((m.priority, m.source), (schema.DEBUG, "internal"))
            self.assertRegex(m.output, ALERT_TEXT)
            self.assertEqual(dict(m.output_fields), FIELDS)
        k = list(kernel.msgs)
        self.assert_seq(k)
        for m in k:
            self.assertEqual((m.kind, m.source, m.heartbeat), (drops.KERNEL, "syscall", False))
            self.assertEqual(m.lost, m.kernel.n_drops)
            self.assertGreater(m.lost, 0)
            self.assertEqual(m.kernel.n_evts, 0)
            self.assertFalse(m.kernel.ebpf_enabled)
            self.assertLessEqual(m.interval_start.ToNanoseconds(), m.interval_end.ToNanoseconds())
        # exact counts: each message carries the change since the previous one
        for a, b in zip(k, k[1:]):
            self.assertEqual(b.total_lost - a.total_lost, b.lost)
            self.assertEqual(b.interval_start, a.interval_end)
        self.assertEqual(sum(m.lost for m in k), 9 - (k[0].total_lost - k[0].lost))
        # nothing else was lost: the stream of every kind says the same
        log = self.stop_clean(self.d)
        self.assertEqual(drop_stats(log), (9, 9), log)
        self.assertEqual({m.kind for m in everything.msgs}, {drops.KERNEL})

    def test_exit_action_ends_the_daemon_with_falcos_code(self):
        self.d = self.start_daemon(
            config=drops_config(TEN_SECONDS, 400, drops_cfg={"actions": ["exit"], "simulate_drops": True}),
            args=["-r", SINGLE_RULE])
        rc = self.d.wait(30 * SLOW)
        log = self.d.log()
        self.assertEqual(rc, 1, log)
        self.assertIn(MESSAGE, log)
        self.assertIn("Exiting.", log)
        self.assertIn("event drop detected: 1 occurrences", log)

    def test_stalled_subscriber_losses_equal_the_in_band_lost(self):
        # mix-small with -A: 8689 alerts in ~5 s, into a queue of 256
        expected = batch_alerts(rules("outputs_fanout.yaml"), capture("mix-small.scap"), "-A")
        n = len(expected)
        self.d = self.start_daemon(config=drops_config(capture("mix-small.scap"), 4000, outputs_capacity=256),
                                   args=["-r", rules("outputs_fanout.yaml"), "-A"])
        reports = self.drops_stream(kinds=[drops.OUTPUT_QUEUE], interval_ms=100, heartbeat_ms=1000)
        # never read until the end: the flow-control window fills, then the
        # daemon's queue for it (no BDP probing to widen the window)
        stalled_ch = self.channel(**{"grpc.http2.bdp_probe": 0})
        stalled = server_stream(stalled_ch, OUTPUTS, outputs.request, outputs.response)(outputs.request())
        stalled.initial_metadata()
        wait_for(lambda: len(stdout_alerts(self.d)) >= n, 60, "the capture to be replayed")
        late = Collector(stalled, "stalled")
        self.collectors.append(late)
        wait_for(lambda: late.msgs and late.msgs[-1].output == expected[-1], 30, "the stalled one to catch up")
        inband = sum(m.lost for m in late.msgs)
        self.assertGreater(inband, n // 2)

        def told():
            return sum(m.lost for m in reports.msgs if m.kind == drops.OUTPUT_QUEUE)
        wait_for(lambda: told() >= inband, 10, "the drops stream to tell %d lost (%d)" % (inband, told()))
        time.sleep(0.3 * SLOW)  # a few more intervals: nothing more may come
        msgs = [m for m in reports.msgs if not m.heartbeat]
        self.assert_seq(list(reports.msgs))
        self.assertEqual(told(), inband)
        names = {m.source for m in msgs}
        self.assertEqual(len(names), 1, names)
        name = names.pop()
        self.assertRegex(name, r"^outputs#\d+\(")
        self.assertEqual({m.identity for m in msgs}, {"unix uid %d" % os.getuid()})
        self.assertEqual({m.capacity for m in msgs}, {256})
        self.assertEqual(len({m.source_id for m in msgs}), 1)
        self.assertEqual(msgs[-1].total_lost, inband)
        for m in msgs:
            self.assertLessEqual(m.depth, 256)
            self.assertGreater(m.lost, 0)
        # the daemon's own counters at shutdown say the same
        log = self.stop_clean(self.d)
        self.assertIn("subscriber %s: delivered %d, dropped %d," % (name, len(late.msgs), inband), log)

    def test_rate_limit_drops_have_exact_counts(self):
        expected = batch_alerts(rules("outputs_fanout.yaml"), capture("mix-small.scap"), "-A")
        n = len(expected)
        self.d = self.start_daemon(config=drops_config(capture("mix-small.scap"), 4000,
                                                       outputs={"rate": 100, "max_burst": 50}),
                                   args=["-r", rules("outputs_fanout.yaml"), "-A"])
        reports = self.drops_stream(kinds=[drops.RATE_LIMIT], interval_ms=100)
        # every match is either printed (sent) or rate-limited
        wait_for(lambda: reports.msgs and reports.msgs[-1].total_lost + len(stdout_alerts(self.d)) == n, 60,
                 "the limited count on the drops stream")
        k = list(reports.msgs)
        self.assert_seq(k)
        sent = len(stdout_alerts(self.d))
        self.assertGreater(n - sent, n // 2)
        for m in k:
            self.assertEqual((m.kind, m.source), (drops.RATE_LIMIT, "outputs.rate"))
        for a, b in zip(k, k[1:]):
            self.assertEqual(b.total_lost - a.total_lost, b.lost)
        self.assertEqual(k[-1].total_lost, n - sent)
        self.stop_clean(self.d)

    def test_input_queue_losses_reported_by_a_module(self):
        # tests/modules/losstest.c stands in for the inputs module: 4 x 7
        # entries lost, 100 ms apart, after its start
        lib = os.path.join(TEST_MODULE_DIR, "mod_losstest.so")
        if not os.path.exists(lib):
            self.skipTest("test modules not built")
        cfg = drops_config(TEN_SECONDS, 400)
        cfg["load_modules"] = ["version", "outputs", "drops", "losstest"]
        cfg["modules"] = [{"name": "losstest", "library_path": lib,
                           "config": {"name": "k8s-audit-queue", "capacity": 64, "lost_per_tick": 7, "ticks": 4}}]
        self.d = self.start_daemon(config=cfg)
        self.assertIn("empty name refused: an input queue needs a name", self.d.log())
        reports = self.drops_stream(kinds=[drops.INPUT_QUEUE], interval_ms=100)
        self.d.wait_log("reported 28 lost", timeout=10)
        wait_for(lambda: reports.msgs and reports.msgs[-1].total_lost == 28, 10, "the last report")
        k = list(reports.msgs)
        self.assert_seq(k)
        for m in k:
            self.assertEqual((m.kind, m.source, m.capacity, m.identity), (drops.INPUT_QUEUE, "k8s-audit-queue", 64, ""))
            self.assertGreater(m.lost, 0)
            self.assertGreater(m.source_id, 0)
        for a, b in zip(k, k[1:]):
            self.assertEqual(b.total_lost - a.total_lost, b.lost)
        # the stream opened after the module started: it counts from there
        self.assertEqual(sum(m.lost for m in k), 28 - (k[0].total_lost - k[0].lost))
        self.assertEqual(k[-1].depth, 4)
        self.stop_clean(self.d)

    def test_bad_requests_and_limits(self):
        self.d = self.start_daemon(config=drops_config(TEN_SECONDS, 400,
                                                       modules=[{"name": "drops", "config": {"max_subscribers": 1,
                                                                                             "min_interval_ms": 50}}]))
        call = server_stream(self.channel(), DROPS, drops.request, drops.response)
        for req, what in ((drops.request(interval_ms=10), "interval_ms"),
                          (drops.request(heartbeat_ms=10), "heartbeat_ms"),
                          (drops.request(kinds=[7]), "kinds[0]")):
            with self.assertRaises(grpc.RpcError) as e:
                list(call(req, timeout=10 * SLOW))
            self.assertEqual(e.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)
            self.assertIn(what, e.exception.details())
        first = self.drops_stream(heartbeat_ms=100)
        with self.assertRaises(grpc.RpcError) as e:
            list(call(drops.request(), timeout=10 * SLOW))
        self.assertEqual(e.exception.code(), grpc.StatusCode.RESOURCE_EXHAUSTED)
        # heartbeats: nothing is lost here, so nothing but heartbeats
        wait_for(lambda: len(first.msgs) >= 3, 10, "three heartbeats")
        hb = list(first.msgs)[:3]
        self.assert_seq(hb)
        for a, b in zip(hb, hb[1:]):
            self.assertTrue(b.heartbeat)
            self.assertEqual(b.interval_start, a.interval_end)
            gap = (b.interval_end.ToNanoseconds() - a.interval_end.ToNanoseconds()) / 1e6
            self.assertGreaterEqual(gap, 95)

    def test_fapictl_drops_watch(self):
        if not os.path.exists(FAPICTL):
            self.skipTest("fapictl not built")
        self.d = self.start_daemon(
            config=drops_config(TEN_SECONDS, 400, drops_cfg={"actions": ["ignore"], "simulate_drops": True}),
            args=["-r", SINGLE_RULE])
        target = ["--target", "unix://" + self.d.socket]
        p = subprocess.run([FAPICTL, "drops", "watch", "--kinds", "kernel", "--interval", "200ms", "--json",
                            "--count", "2"] + target, capture_output=True, text=True, timeout=30 * SLOW)
        self.assertEqual(p.returncode, 0, p.stderr)
        lines = [json.loads(l) for l in p.stdout.splitlines()]
        self.assertEqual([l["seq"] for l in lines], [1, 2])
        for l in lines:
            self.assertEqual((l["kind"], l["source"]), ("kernel", "syscall"))
            self.assertEqual(l["lost"], l["kernel"]["n_drops"])
            self.assertGreater(l["lost"], 0)
            self.assertEqual(l["kernel"]["ebpf_enabled"], False)
        self.assertEqual(lines[1]["total_lost"] - lines[0]["total_lost"], lines[1]["lost"])
        # text, ended by --timeout (exit 0)
        p = subprocess.run([FAPICTL, "drops", "watch", "--interval", "1s", "--timeout", "1.5s"] + target,
                           capture_output=True, text=True, timeout=30 * SLOW)
        self.assertEqual(p.returncode, 0, p.stderr)
        for l in p.stdout.splitlines():
            self.assertRegex(l, r"^\S+Z kernel syscall: \d+ lost since \S+Z \(total \d+\), n_evts=0 ")
        # usage errors
        for bad, msg in ((["--kinds", "disk"], "unknown kind 'disk'"), (["--interval", "soon"], "not a duration"),
                         (["--min-count", "0"], "not a positive number")):
            p = subprocess.run([FAPICTL, "drops", "watch"] + bad + target, capture_output=True, text=True,
                               timeout=30 * SLOW)
            self.assertEqual(p.returncode, 2, p.stderr)
            self.assertIn(msg, p.stderr)
        self.stop_clean(self.d)


if __name__ == "__main__":
    unittest.main()
