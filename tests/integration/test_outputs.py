"""The outputs module through /falco.api.streaming/outputs: every alert to
every subscriber in engine order, the request's filters, drop-oldest with the
loss told in-band, bounded memory with a stalled client, clean ends on
cancel, disconnect, client death and SIGTERM, streams coming and going under
load, bad queue sizes refused.

The engine's own order is its stdout: the daemon prints every alert there
before it publishes it. The rules fixtures put evt.num in every output, so an
alert is unique within one pass over a capture; a stream must then be exactly
a run of that sequence (its tail, when the capture is replayed once and has
ended; a window of the cycle, when it loops)."""

import os
import re
import subprocess
import sys
import threading
import time
import unittest

import grpc

from fapi_testlib import BIN, PY_PROTO, SLOW, DaemonTest, bidi, server_stream

import outputs_pb2 as outputs
import schema_pb2 as schema

BUILD_DIR = os.environ.get("FAPI_BUILD_DIR", "")
CAPTURES = os.path.join(BUILD_DIR, "captures")
RULES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "rules")
OUTPUTS = "/falco.api.streaming/outputs"
FALCO_SUB = "/falco.outputs.service/sub"
FALCO_GET = "/falco.outputs.service/get"

ALERT_LINE = re.compile(r"^\d\d:\d\d:\d\d\.\d{9}: ")
SUBSCRIBER_LINE = re.compile(r"subscriber (\S+): delivered (\d+), dropped (\d+), filtered out (\d+), "
                             r"queued (\d+)/(\d+) \(high water (\d+)\)")



def rules(name):
    return os.path.join(RULES, name)


def capture(name):
    return os.path.join(CAPTURES, name)


def batch_alerts(rules_file, capture_file, *args):
    """The alert lines of one pass over the capture, from batch mode (-e
    without -M): the engine's order, to compare the streams with."""
    p = subprocess.run([BIN, "-r", rules_file, "-e", capture_file] + list(args), capture_output=True, text=True,
                       timeout=120 * SLOW)
    if p.returncode != 0:
        raise AssertionError("batch replay failed (%d):\n%s" % (p.returncode, p.stderr))
    return [l for l in p.stdout.splitlines() if ALERT_LINE.match(l)]


def stdout_alerts(d):
    """The complete alert lines the daemon has printed so far."""
    text = d.stdout()
    lines = text.splitlines()
    if text and not text.endswith("\n"):
        lines = lines[:-1]
    return [l for l in lines if ALERT_LINE.match(l)]


def subscribers(log):
    """Shutdown counters per bus subscriber: name -> dict."""
    out = {}
    for m in SUBSCRIBER_LINE.finditer(log):
        out[m.group(1)] = {"delivered": int(m.group(2)), "dropped": int(m.group(3)),
                           "filtered_out": int(m.group(4)), "queued": int(m.group(5)),
                           "capacity": int(m.group(6)), "high_water": int(m.group(7))}
    return out


def outputs_config(capture_file=None, loop=1, rate=0, capacity=None, falco_capacity=None, **extra):
    cfg = {"load_modules": ["version", "outputs"]}
    mc = {}
    if capacity is not None:
        mc["queue_capacity"] = capacity
    if falco_capacity is not None:
        mc["falco_queue_capacity"] = falco_capacity
    if mc:
        cfg["modules"] = [{"name": "outputs", "config": mc}]
    if capture_file:
        cfg["engine"] = {"capture": {"file": capture_file, "loop": loop, "rate": rate}}
    cfg.update(extra)
    return cfg


def wait_for(pred, timeout, what):
    deadline = time.time() + timeout * SLOW
    while time.time() < deadline:
        if pred():
            return
        time.sleep(0.02)
    raise AssertionError("timed out waiting for " + what)


class Collector(threading.Thread):
    """Reads a response stream on its own thread until it ends; keeps every
    message and the final status."""

    def __init__(self, call, name=""):
        super().__init__(daemon=True)
        self.call = call
        self.name_ = name
        self.msgs = []
        self.code = None
        self.details = None
        self.start()

    def run(self):
        try:
            for m in self.call:
                self.msgs.append(m)
            self.code = grpc.StatusCode.OK
        except grpc.RpcError as e:
            self.code = e.code()
            self.details = e.details()

    def outputs(self):
        return [m.output for m in list(self.msgs)]

    def finish(self, timeout=30):
        self.join(timeout * SLOW)
        if self.is_alive():
            raise AssertionError("stream %s did not end" % self.name_)
        return self.code


class OutputsTestBase(DaemonTest):
    NEEDS_CAPTURES = True

    def setUp(self):
        super().setUp()
        if self.NEEDS_CAPTURES and not os.path.exists(capture("basic.scap")):
            self.skipTest("generated captures not found in %r (FAPI_BUILD_DIR)" % CAPTURES)
        self.channels = []
        self.collectors = []

    def tearDown(self):
        for c in self.collectors:
            c.call.cancel()
        for ch in self.channels:
            ch.close()
        super().tearDown()

    def channel(self, own_connection=True, **opts):
        """A channel; with own_connection, on an HTTP/2 connection of its own
        (grpc would otherwise share one subchannel between channels)."""
        options = [("grpc.use_local_subchannel_pool", 1)] if own_connection else []
        options += list(opts.items())
        ch = grpc.insecure_channel(self.d.target, options=options)
        self.channels.append(ch)
        return ch

    def subscribe(self, ch, **filters):
        """Opens an outputs stream and waits for its headers: the daemon sends
        them as it accepts the call, right before subscribing it."""
        call = server_stream(ch, OUTPUTS, outputs.request, outputs.response)(outputs.request(**filters))
        call.initial_metadata()
        return call

    def collect(self, call, name=""):
        c = Collector(call, name)
        self.collectors.append(c)
        return c

    def assert_stream_shape(self, msgs, what):
        """Per-stream seq runs 1, 2, 3, ... and nothing was lost."""
        self.assertEqual([m.seq for m in msgs], list(range(1, len(msgs) + 1)), what + ": seq")
        self.assertEqual([m.lost for m in msgs if m.lost], [], what + ": lost")

    def assert_cycle_window(self, got, cycle, what):
        """got is a run of the endless repetition of cycle (whose items are
        unique), starting anywhere in it."""
        self.assertTrue(got, what + ": received nothing")
        self.assertIn(got[0], cycle, what)
        o = cycle.index(got[0])
        want = [cycle[(o + i) % len(cycle)] for i in range(len(got))]
        for i, (g, w) in enumerate(zip(got, want)):
            if g != w:
                self.fail("%s: message %d is %r, the cycle has %r there" % (what, i, g, w))


class FanOutTest(OutputsTestBase):
    """Several concurrent subscribers, each receives every alert in engine
    order. The capture (mix-small, 1729 distinct alerts) is replayed once at
    a moderate pace, so streams are open long before it ends; once it has
    ended each stream must be exactly the tail of the engine's sequence that
    was published after it subscribed, which the shutdown counters confirm."""

    RATE = 1500  # events/s: about 2.5 s for the pass

    @classmethod
    def setUpClass(cls):
        cls.engine_order = None

    def expected(self):
        if FanOutTest.engine_order is None:
            FanOutTest.engine_order = batch_alerts(rules("outputs_fanout.yaml"), capture("mix-small.scap"))
        return FanOutTest.engine_order

    def run_fanout(self, nsubs, shared):
        expected = self.expected()
        self.assertEqual(len(expected), 1729)
        self.d = self.start_daemon(config=outputs_config(capture("mix-small.scap"), loop=1, rate=self.RATE,
                                                         capacity=100000),
                                   args=["-r", rules("outputs_fanout.yaml")])
        common = self.channel(own_connection=True)
        subs = []
        for i in range(nsubs):
            ch = common if i < shared else self.channel()
            subs.append(self.collect(self.subscribe(ch), "sub%d" % i))

        wait_for(lambda: len(stdout_alerts(self.d)) >= len(expected), 60, "the capture to be replayed")
        self.assertEqual(stdout_alerts(self.d), expected, "the daemon's alerts differ from a batch replay")
        for s in subs:
            wait_for(lambda: s.msgs and s.msgs[-1].output == expected[-1], 30,
                     "%s to receive the last alert" % s.name_)

        log = self.stop_clean(self.d)
        for s in subs:
            self.assertEqual(s.finish(), grpc.StatusCode.UNAVAILABLE, s.name_)

        n = len(expected)
        first_common = 0
        for s in subs:
            got = s.outputs()
            self.assert_stream_shape(s.msgs, s.name_)
            # exactly what the engine published from the moment it subscribed
            self.assertEqual(got, expected[n - len(got):], s.name_)
            # the streams were open long before the capture ended
            self.assertGreater(len(got), n // 2, s.name_)
            first_common = max(first_common, n - len(got))
            times = [m.time.seconds * 10**9 + m.time.nanos for m in s.msgs]
            self.assertEqual(times, sorted(times), s.name_ + ": engine order is time order in this capture")
            m = s.msgs[-1]
            self.assertEqual((m.rule, m.priority, list(m.tags), m.source), ("outputs_fanout_exit", schema.NOTICE,
                                                                             ["fanout"], "syscall"))
        # identical across subscribers (output and time) from the first alert they all have
        ref = None
        for s in subs:
            seq = [(m.output, m.time.seconds, m.time.nanos) for m in s.msgs[first_common - (n - len(s.msgs)):]]
            if ref is None:
                ref = seq
            self.assertEqual(seq, ref, s.name_)
        self.assertEqual(len(ref), n - first_common)

        # the bus saw the same: one subscriber per stream, nothing dropped or
        # left queued, each delivered exactly what its client received
        counters = subscribers(log)
        streams = {k: v for k, v in counters.items() if k.startswith("outputs#")}
        self.assertEqual(len(streams), nsubs, log)
        self.assertEqual(sorted(v["delivered"] for v in streams.values()), sorted(len(s.msgs) for s in subs))
        for name, v in streams.items():
            self.assertEqual((v["dropped"], v["queued"], v["filtered_out"]), (0, 0, 0), name)
        # Falco's get queue subscribed before the engine started: it holds them all
        self.assertEqual(counters["falco-get-queue"]["queued"], n)

    def test_two_subscribers_receive_every_alert_in_engine_order(self):
        self.run_fanout(2, shared=0)

    def test_sixteen_subscribers_receive_every_alert_in_engine_order(self):
        # half share one HTTP/2 connection, half have one each
        self.run_fanout(16, shared=8)

    def test_looped_capture_window(self):
        """engine.capture.loop 0: a subscriber's stream runs on across the
        capture's loops without a gap, an overlap or a reordering."""
        cycle = batch_alerts(rules("outputs_fanout.yaml"), capture("basic.scap"))
        self.assertEqual(len(cycle), 36)
        self.d = self.start_daemon(config=outputs_config(capture("basic.scap"), loop=0, rate=2000, capacity=100000),
                                   args=["-r", rules("outputs_fanout.yaml")])
        subs = [self.collect(self.subscribe(self.channel(own_connection=i % 2 == 0)), "sub%d" % i) for i in range(4)]
        for s in subs:
            wait_for(lambda: len(s.msgs) >= 10 * len(cycle), 30, "%s to receive ten loops" % s.name_)
        printed = stdout_alerts(self.d)
        self.assert_cycle_window(printed, cycle, "stdout")
        self.assertEqual(printed[0], cycle[0])
        for s in subs:
            msgs = list(s.msgs)
            self.assert_stream_shape(msgs, s.name_)
            self.assert_cycle_window([m.output for m in msgs], cycle, s.name_)


class FilterTest(OutputsTestBase):
    """Every filter of the request, each including what it names and
    excluding the rest, over a looped capture (outputs_filters.yaml on
    basic.scap with -A: 37 alerts per loop from six rules)."""

    RULE_INFO = {
        "outputs_exec": (schema.WARNING, ["exec", "process"]),
        "outputs_shadow": (schema.CRITICAL, ["filesystem", "process", "sensitive"]),
        "outputs_open": (schema.NOTICE, ["filesystem"]),
        "outputs_connect": (schema.ERROR, ["network", "process"]),
        "outputs_stat": (schema.INFORMATIONAL, []),
        "outputs_accept": (schema.DEBUG, ["network"]),
    }

    def rule_of(self, line):
        return line.split(": ", 1)[1].split(" ")[1]

    def test_filters(self):
        cycle = batch_alerts(rules("outputs_filters.yaml"), capture("basic.scap"), "-A")
        self.assertEqual(len(cycle), 37)
        self.assertEqual({self.rule_of(l) for l in cycle}, set(self.RULE_INFO))
        self.d = self.start_daemon(config=outputs_config(capture("basic.scap"), loop=0, rate=1500, capacity=100000),
                                   args=["-r", rules("outputs_filters.yaml"), "-A"])
        P = outputs.priority_filter
        everything = set(self.RULE_INFO)
        cases = [
            ("no filter", {}, everything),
            ("min_priority ERROR", {"min_priority": P(at_least=schema.ERROR)}, {"outputs_shadow", "outputs_connect"}),
            ("min_priority WARNING", {"min_priority": P(at_least=schema.WARNING)},
             {"outputs_exec", "outputs_shadow", "outputs_connect"}),
            ("min_priority DEBUG", {"min_priority": P(at_least=schema.DEBUG)}, everything),
            ("min_priority INFORMATIONAL", {"min_priority": P(at_least=schema.INFORMATIONAL)},
             everything - {"outputs_accept"}),
            # present but at its default (EMERGENCY): only the most severe pass, none here
            ("min_priority EMERGENCY", {"min_priority": P()}, set()),
            ("rules", {"rules": ["outputs_exec", "outputs_stat"]}, {"outputs_exec", "outputs_stat"}),
            ("rules are exact names", {"rules": ["outputs_exe", "OUTPUTS_STAT", "outputs_stat ", "outputs"]}, set()),
            ("tags_any", {"tags_any": ["sensitive", "network"]},
             {"outputs_shadow", "outputs_connect", "outputs_accept"}),
            ("tags_any unknown", {"tags_any": ["no_such_tag"]}, set()),
            ("tags_all", {"tags_all": ["process", "network"]}, {"outputs_connect"}),
            ("tags_all one tag", {"tags_all": ["filesystem"]}, {"outputs_shadow", "outputs_open"}),
            ("tags_all not all present", {"tags_all": ["process", "exec", "network"]}, set()),
            ("sources syscall", {"sources": ["syscall"]}, everything),
            ("sources k8s_audit", {"sources": ["k8s_audit"]}, set()),
            ("sources either", {"sources": ["k8s_audit", "syscall"]}, everything),
            ("all filters together", {"min_priority": P(at_least=schema.WARNING), "tags_any": ["process", "exec"],
                                      "sources": ["syscall"], "rules": ["outputs_exec", "outputs_connect",
                                                                        "outputs_open"]},
             {"outputs_exec", "outputs_connect"}),
            ("rules and tags_all", {"rules": ["outputs_open", "outputs_shadow"], "tags_all": ["sensitive"]},
             {"outputs_shadow"}),
        ]
        field_cases = [
            ("output_fields", {"output_fields": ["proc.name", "fd.name"]}, {"proc.name", "fd.name"}),
            ("output_fields unknown", {"output_fields": ["no.such.field"]}, set()),
            ("omit_output_fields", {"omit_output_fields": True}, set()),
            ("omit wins over output_fields", {"omit_output_fields": True, "output_fields": ["proc.name"]}, set()),
        ]
        # the streams expected to stay empty open first, so that they are
        # subscribed long before the others have seen several loops
        cases.sort(key=lambda c: bool(c[2]))
        streams = {}
        for name, req, _ in cases + field_cases:
            streams[name] = self.collect(self.subscribe(self.channel(own_connection=False), **req), name)
        for name, req, allowed in cases:
            want = [l for l in cycle if self.rule_of(l) in allowed]
            if want:
                s = streams[name]
                wait_for(lambda: len(s.msgs) >= 3 * len(want) + 1, 30, "%s to receive three loops" % name)
        for name, _, _ in field_cases:
            s = streams[name]
            wait_for(lambda: len(s.msgs) >= 3 * len(cycle) + 1, 30, "%s to receive three loops" % name)

        for name, req, allowed in cases:
            with self.subTest(filter=name):
                msgs = list(streams[name].msgs)
                want = [l for l in cycle if self.rule_of(l) in allowed]
                if not want:
                    self.assertEqual([m.output for m in msgs], [])
                    continue
                self.assert_stream_shape(msgs, name)
                # excludes: nothing from another rule
                self.assertEqual({m.rule for m in msgs} - allowed, set())
                # includes: every alert of the allowed rules, in engine order
                self.assert_cycle_window([m.output for m in msgs], want, name)
                for m in msgs:
                    self.assertEqual((m.priority, list(m.tags), m.source), self.RULE_INFO[m.rule] + ("syscall",))

        # output_fields: the same alerts, with the fields trimmed
        reference = {m.output: dict(m.output_fields) for m in streams["no filter"].msgs}
        some = next(iter(reference.values()))
        self.assertIn("proc.name", some)
        self.assertIn("evt.num", some)
        for name, req, keep in field_cases:
            with self.subTest(fields=name):
                msgs = list(streams[name].msgs)
                self.assert_stream_shape(msgs, name)
                self.assert_cycle_window([m.output for m in msgs], cycle, name)
                checked = 0
                for m in msgs:
                    if m.output in reference:
                        full = reference[m.output]
                        self.assertEqual(dict(m.output_fields), {k: v for k, v in full.items() if k in keep},
                                         m.output)
                        checked += 1
                    elif not keep:
                        self.assertEqual(dict(m.output_fields), {})
                self.assertGreaterEqual(checked, len(cycle))
        connects = [m for m in streams["output_fields"].msgs if m.rule == "outputs_connect"]
        self.assertEqual(set(connects[0].output_fields), {"proc.name", "fd.name"})

        # a priority that does not exist is refused, whatever the engine does
        for bad in (8, 100, -1):
            with self.assertRaises(grpc.RpcError) as e:
                list(server_stream(self.channels[0], OUTPUTS, outputs.request, outputs.response)(
                    outputs.request(min_priority=P(at_least=bad)), timeout=10 * SLOW))
            self.assertEqual(e.exception.code(), grpc.StatusCode.INVALID_ARGUMENT, bad)
            self.assertIn("min_priority", e.exception.details())

        # the filters run before queueing: the empty streams queued nothing
        log = self.stop_clean(self.d)
        for s in streams.values():
            self.assertEqual(s.finish(), grpc.StatusCode.UNAVAILABLE, s.name_)
        counters = {k: v for k, v in subscribers(log).items() if k.startswith("outputs#")}
        self.assertEqual(len(counters), len(streams), log)
        nempty = sum(1 for _, _, allowed in cases if not allowed)
        idle = [v for v in counters.values() if v["delivered"] == 0]
        self.assertEqual(len(idle), nempty, log)
        for v in idle:
            self.assertEqual((v["dropped"], v["high_water"]), (0, 0))
            self.assertGreater(v["filtered_out"], 3 * len(cycle))


class SlowSubscriberTest(OutputsTestBase):
    """A subscriber that stops reading loses the oldest alerts, the exact
    count told on its next message, while another one loses nothing; and
    the daemon's memory stays bounded meanwhile."""

    CAPACITY = 2048

    def test_stalled_subscriber_loses_oldest_with_exact_count(self):
        # mix-small with -A: 8689 distinct alerts in ~5 s (the healthy
        # client has over a second of slack in its queue)
        expected = batch_alerts(rules("outputs_fanout.yaml"), capture("mix-small.scap"), "-A")
        n = len(expected)
        self.assertEqual(n, 8689)
        self.d = self.start_daemon(config=outputs_config(capture("mix-small.scap"), loop=1, rate=4000,
                                                         capacity=self.CAPACITY),
                                   args=["-r", rules("outputs_fanout.yaml"), "-A"])
        # A stream never iterated: grpc's flow-control window fills (no BDP
        # probing to widen it), then the daemon's writes stall.
        stalled_ch = self.channel(**{"grpc.http2.bdp_probe": 0})
        stalled = self.subscribe(stalled_ch)
        healthy = self.collect(self.subscribe(self.channel()), "healthy")

        wait_for(lambda: len(stdout_alerts(self.d)) >= n, 60, "the capture to be replayed")
        self.assertEqual(stdout_alerts(self.d), expected)
        wait_for(lambda: healthy.msgs and healthy.msgs[-1].output == expected[-1], 30,
                 "the healthy subscriber to receive the last alert")
        # everything is published: now the stalled client reads what is left
        late = self.collect(stalled, "stalled")
        wait_for(lambda: late.msgs and late.msgs[-1].output == expected[-1], 30,
                 "the stalled subscriber to catch up")
        log = self.stop_clean(self.d)
        self.assertEqual(healthy.finish(), grpc.StatusCode.UNAVAILABLE)
        self.assertEqual(late.finish(), grpc.StatusCode.UNAVAILABLE)

        # the healthy one: everything since it subscribed, nothing lost
        got = healthy.outputs()
        self.assert_stream_shape(healthy.msgs, "healthy")
        self.assertEqual(got, expected[n - len(got):])
        self.assertGreater(len(got), n // 2)

        # the stalled one: messages numbered without gaps; the alerts missing
        # between two messages are exactly the later one's `lost`
        msgs = list(late.msgs)
        self.assertEqual([m.seq for m in msgs], list(range(1, len(msgs) + 1)))
        gaps = [(i, m.lost) for i, m in enumerate(msgs) if m.lost]
        self.assertEqual(len(gaps), 1, gaps)  # all the loss happened while it did not read
        lost = sum(m.lost for m in msgs)
        self.assertGreater(lost, n // 2)
        pos = [0] * len(msgs)
        pos[-1] = n - 1
        for i in range(len(msgs) - 1, 0, -1):
            pos[i - 1] = pos[i] - 1 - msgs[i].lost
        start = pos[0] - msgs[0].lost
        self.assertGreaterEqual(start, 0)
        self.assertEqual([m.output for m in msgs], [expected[p] for p in pos])
        # received + lost == what the bus accepted for it since it subscribed
        self.assertEqual(len(msgs) + lost, n - start)
        # drop-oldest: after the gap come the newest alerts, a full queue of them
        gap_at = gaps[0][0]
        self.assertEqual(len(msgs) - gap_at, self.CAPACITY)
        self.assertEqual([m.output for m in msgs[gap_at:]], expected[n - self.CAPACITY:])

        # the daemon's counters say the same
        counters = {k: v for k, v in subscribers(log).items() if k.startswith("outputs#")}
        self.assertEqual(len(counters), 2, log)
        slow = [v for v in counters.values() if v["dropped"]]
        fast = [v for v in counters.values() if not v["dropped"]]
        self.assertEqual(len(slow), 1, log)
        self.assertEqual((slow[0]["delivered"], slow[0]["dropped"], slow[0]["queued"], slow[0]["capacity"],
                          slow[0]["high_water"]), (len(msgs), lost, 0, self.CAPACITY, self.CAPACITY))
        self.assertEqual((fast[0]["delivered"], fast[0]["queued"]), (len(got), 0))

    def test_memory_stays_bounded_with_stalled_subscribers(self):
        # 2.5 KB alerts at a high rate, three clients that never read, tiny
        # queues (Falco's get queue too); stdout off to spare the disk
        cfg = outputs_config(capture("basic.scap"), loop=0, rate=40000, capacity=16, falco_capacity=16,
                             stdout_output={"enabled": False})
        asan = os.environ.get("ASAN_OPTIONS")
        # ASan keeps freed memory in quarantine (256 MB by default): keep it
        # small, or RSS grows until that is full, with or without a leak
        os.environ["ASAN_OPTIONS"] = ((asan + ":") if asan else "") + "quarantine_size_mb=4"
        try:
            self.d = self.start_daemon(config=cfg, args=["-r", rules("outputs_memory.yaml"), "-A"])
        finally:
            if asan is None:
                del os.environ["ASAN_OPTIONS"]
            else:
                os.environ["ASAN_OPTIONS"] = asan
        t0 = time.time()
        stalled = [self.subscribe(self.channel(**{"grpc.http2.bdp_probe": 0})) for _ in range(3)]

        def rss_kb():
            with open("/proc/%d/status" % self.d.proc.pid) as f:
                for line in f:
                    if line.startswith("State:") and line.split()[1] in ("Z", "X"):
                        break
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1])
            raise AssertionError("the daemon is gone (exit status %s):\n%s"
                                 % (self.d.proc.poll(), self.d.log()[-3000:]))

        warmup, window = 3.0, 6.0
        time.sleep(max(0, t0 + warmup - time.time()))
        base = rss_kb()
        samples = []
        while time.time() < t0 + warmup + window:
            time.sleep(0.25)
            samples.append(rss_kb())
        growth_kb = max(samples) - base

        # a stalled stream that reads again is told its loss in-band: after
        # what grpc had buffered (its window and the daemon's 64) comes a
        # message carrying the seconds of alerts the queue of 16 dropped
        lost = 0
        for i, m in enumerate(stalled[0]):
            lost = max(lost, m.lost)
            if i == 500:
                break
        for c in stalled:
            c.cancel()
        elapsed = time.time() - t0
        log = self.stop_clean(self.d)
        # how much a queue keeping every alert would have grown by: Falco's
        # get queue (16 long, never read) dropped all but 16 alerts
        total = subscribers(log)["falco-get-queue"]["dropped"]
        kept_kb = total * window / elapsed * 2.5
        limit_kb = 16 * 1024
        self.assertGreater(kept_kb, 4 * limit_kb, "too few alerts for this test to mean anything (%d)" % total)
        self.assertLess(growth_kb, limit_kb, "RSS grew by %d KB in %.0f s (from %d KB; samples %s)"
                        % (growth_kb, window, base, samples))
        self.assertGreater(lost, 10000, "no message told the big loss")


class DisconnectTest(OutputsTestBase):
    """Streams that end in every way a client can end them, then SIGTERM with
    streams open: nothing leaks (the sanitizer build exits non-zero on a
    leak), open streams end UNAVAILABLE (Falco's sub: OK), the remaining subscribers' counters
    are logged and the gone ones are not."""

    CLIENT = r"""
import sys
sys.path.insert(0, sys.argv[2])
import grpc, outputs_pb2 as o
ch = grpc.insecure_channel(sys.argv[1])
call = ch.unary_stream("/falco.api.streaming/outputs", request_serializer=o.request.SerializeToString,
                       response_deserializer=o.response.FromString)(o.request())
for m in call:
    print(m.seq, flush=True)
"""

    def test_cancel_close_kill_then_sigterm(self):
        self.d = self.start_daemon(config=outputs_config(capture("basic.scap"), loop=0, rate=1000),
                                   args=["-r", rules("outputs_fanout.yaml")])

        def first(call, k=3):
            got = []
            for m in call:
                got.append(m)
                if len(got) == k:
                    return got
            self.fail("stream ended early")

        # 1: call.cancel() in the middle of the stream
        a = self.subscribe(self.channel())
        self.assertEqual([m.seq for m in first(a)], [1, 2, 3])
        a.cancel()
        with self.assertRaises(grpc.RpcError) as e:
            next(a)
        self.assertEqual(e.exception.code(), grpc.StatusCode.CANCELLED)
        # 2: the channel closed under a stream
        ch_b = grpc.insecure_channel(self.d.target, options=[("grpc.use_local_subchannel_pool", 1)])
        b = server_stream(ch_b, OUTPUTS, outputs.request, outputs.response)(outputs.request())
        self.assertEqual([m.seq for m in first(b)], [1, 2, 3])
        ch_b.close()
        with self.assertRaises(grpc.RpcError) as e:
            next(b)
        self.assertEqual(e.exception.code(), grpc.StatusCode.CANCELLED)
        # 3: a client process killed with SIGKILL (its socket just goes away)
        client = subprocess.Popen([sys.executable, "-c", self.CLIENT, self.d.target, PY_PROTO],
                                  stdout=subprocess.PIPE, text=True)
        try:
            self.assertEqual([client.stdout.readline().strip() for _ in range(3)], ["1", "2", "3"])
        finally:
            client.kill()
            client.wait()
            client.stdout.close()
        # 4: a stream cancelled before any alert reached it
        idle = self.subscribe(self.channel(), rules=["no_such_rule"])
        idle.cancel()
        # 5: one cancelled while blocked in the flow-control window (writes stalled)
        stalled = self.subscribe(self.channel(**{"grpc.http2.bdp_probe": 0}))
        time.sleep(1.0 * SLOW)
        stalled.cancel()

        # the ones that stay: an outputs stream and Falco's sub, both reading
        keep = self.collect(self.subscribe(self.channel()), "keep")
        gate = threading.Event()

        def keepalives():
            while not gate.wait(0.2):
                yield outputs.request(keepalive=True)
        sub = self.collect(bidi(self.channel(), FALCO_SUB, outputs.request, outputs.response)(keepalives()), "sub")
        wait_for(lambda: len(keep.msgs) > 50 and len(sub.msgs) > 50, 30, "the remaining streams to receive")
        time.sleep(0.5 * SLOW)  # the daemon has long noticed every end above
        self.assertIsNone(keep.code)
        self.assertIsNone(sub.code)

        log = self.stop_clean(self.d)
        gate.set()
        self.assertEqual(keep.finish(), grpc.StatusCode.UNAVAILABLE)
        self.assertEqual(sub.finish(), grpc.StatusCode.OK)  # Falco's own stream ends as in Falco
        self.assert_stream_shape(keep.msgs, "keep")
        counters = subscribers(log)
        # only the two open streams (and Falco's get queue) were still subscribed
        self.assertEqual(sorted(re.sub(r"#\d+\(.*$", "", k) for k in counters),
                         ["falco-get-queue", "falco-sub", "outputs"], log)
        for name, v in counters.items():
            if name != "falco-get-queue":
                self.assertGreaterEqual(v["delivered"], 50, name)
                self.assertEqual(v["dropped"], 0, name)
        self.assertNotIn("never released", log)


class ChurnTest(OutputsTestBase):
    """Streams opening and going away in quick succession while alerts pour
    in (the engine notifies a stream as soon as it is subscribed, possibly
    before its on_open has returned): the daemon survives, a steady
    subscriber's stream stays exact (every gap is its `lost`), and nothing
    is left subscribed or leaked."""

    def test_subscribe_churn_under_load(self):
        cycle = batch_alerts(rules("outputs_fanout.yaml"), capture("basic.scap"), "-A")
        self.assertEqual(len(cycle), 77)
        self.d = self.start_daemon(config=outputs_config(capture("basic.scap"), loop=0, rate=50000, capacity=64),
                                   args=["-r", rules("outputs_fanout.yaml"), "-A"])
        steady = self.collect(self.subscribe(self.channel()), "steady")
        channels = [self.channel() for _ in range(4)]
        get = server_stream(channels[0], FALCO_GET, outputs.request, outputs.response)
        for i in range(120):
            ch = channels[i % len(channels)]
            call = server_stream(ch, OUTPUTS, outputs.request, outputs.response)(
                outputs.request(output_fields=["proc.name"]) if i % 2 else outputs.request())
            for _, _ in zip(range(i % 3), call):  # read 0, 1 or 2 messages
                pass
            call.cancel()
            if i % 10 == 0:
                for _, _ in zip(range(50), get(outputs.request())):
                    pass
            if i % 15 == 0:
                self.assertIsNone(self.d.proc.poll(), "the daemon died:\n" + self.d.log())
        self.assertIsNone(self.d.proc.poll(), "the daemon died:\n" + self.d.log())
        wait_for(lambda: len(steady.msgs) > 1000, 30, "the steady subscriber to receive")
        time.sleep(0.5 * SLOW)
        log = self.stop_clean(self.d)
        self.assertEqual(steady.finish(), grpc.StatusCode.UNAVAILABLE)
        msgs = list(steady.msgs)
        self.assertEqual([m.seq for m in msgs], list(range(1, len(msgs) + 1)))
        # positions in the endless cycle: each message is `lost` + 1 after the previous one
        pos = cycle.index(msgs[0].output)
        for i, m in enumerate(msgs):
            if i:
                pos += 1 + m.lost
            self.assertEqual(m.output, cycle[pos % len(cycle)], "message %d (lost %d)" % (i, m.lost))
        counters = {k: v for k, v in subscribers(log).items() if k.startswith("outputs#")}
        self.assertEqual(len(counters), 1, log)
        (v,) = counters.values()
        # what it was told it lost is what the bus dropped for it (drops
        # after its last message are not told yet: at most the queue's worth)
        told = sum(m.lost for m in msgs)
        self.assertLessEqual(told, v["dropped"])
        self.assertLessEqual(v["delivered"] - len(msgs), 64 + 64)


class ModuleConfigTest(OutputsTestBase):
    NEEDS_CAPTURES = False

    def test_bad_queue_sizes_are_startup_errors(self):
        for key, value, message in (("queue_capacity", 0, "queue_capacity must be between 1 and 16777216"),
                                    ("falco_queue_capacity", 16777217,
                                     "falco_queue_capacity must be between 1 and 16777216"),
                                    ("queue_capacity", "many", "'queue_capacity' must be an integer")):
            with self.subTest(key=key, value=value):
                d = self.start_daemon(config={"load_modules": ["version", "outputs"],
                                              "modules": [{"name": "outputs", "config": {key: value}}]},
                                      expect_ready=False)
                self.assertNotEqual(d.wait(), 0)
                log = d.log()
                self.assertIn(message, log)
                self.assertIn("fapi-outputs", log)
                self.assertNotIn("ready", log)


if __name__ == "__main__":
    unittest.main()
