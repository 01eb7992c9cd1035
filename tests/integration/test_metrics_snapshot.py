"""Falco's metrics snapshots (metrics.*): the internal alert "Falco
internal: metrics snapshot" on an outputs stream and a file_output channel
with Falco's fields, metrics.output_file's JSON lines appended, the
*_enabled switches, convert_memory_to_mb and include_empty_values, Falco's
validation errors, and /metrics' reload timestamp moving on SIGHUP."""

import json
import os
import re
import signal
import time
import shutil
import tempfile
import unittest

import grpc

from fapi_testlib import DaemonTest, server_stream
from test_http import get, web_config, web_port
from test_metrics import batch_count, sample
from test_outputs import Collector, capture, rules, wait_for

import outputs_pb2 as outputs
import schema_pb2 as schema

RULE = "outputs_fanout_exit"
SNAPSHOT = "Falco internal: metrics snapshot"
OUTPUTS = "/falco.api.streaming/outputs"
TEXT = re.compile(r"^\d\d:\d\d:\d\d\.\d{9}: Informational Falco metrics snapshot \(evt\.hostname=\"")


def lines(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [l for l in f.read().splitlines() if l]


class MetricsSnapshotTest(DaemonTest):
    def setUp(self):
        super().setUp()
        if not os.path.exists(capture("mix-small.scap")):
            self.skipTest("generated captures not found")
        self.calls = []

    def tearDown(self):
        for c in self.calls:
            c.call.cancel()
        super().tearDown()

    def config(self, metrics, **extra):
        cfg = {"load_modules": ["version", "outputs"], "rules_file": [rules("outputs_fanout.yaml")],
               "engine": {"capture": {"file": capture("mix-small.scap"), "loop": 1}},
               "metrics": dict({"enabled": True, "interval": "100ms"}, **metrics)}
        cfg.update(extra)
        return cfg

    def snapshots(self, path, n):
        wait_for(lambda: len(lines(path)) >= n, 20, "%d snapshot lines in %s" % (n, path))
        return [json.loads(l) for l in lines(path)]

    def test_alert_on_stream_and_channel_and_file_lines(self):
        expected = batch_count(rules("outputs_fanout.yaml"), capture("mix-small.scap"))
        tmp = self.tmp_dir()
        out = os.path.join(tmp, "metrics.jsonl")
        alerts_file = os.path.join(tmp, "alerts.jsonl")
        with open(out, "w") as f:
            f.write('{"earlier":"line"}\n')  # appended after, never truncated
        started = time.time()
        d = self.start_daemon(self.config({"output_file": out}, json_output=True,
                                          file_output={"enabled": True, "filename": alerts_file}))
        d.started = started
        ch = grpc.insecure_channel(d.target)
        self.addCleanup(ch.close)
        call = server_stream(ch, OUTPUTS, outputs.request, outputs.response)(outputs.request())
        call.initial_metadata()
        c = Collector(call, OUTPUTS)
        self.calls.append(c)
        wait_for(lambda: len([m for m in c.msgs if m.rule == SNAPSHOT]) >= 2, 20, "two snapshot alerts")
        m = [m for m in list(c.msgs) if m.rule == SNAPSHOT][-1]
        self.assertEqual((m.priority, m.source), (schema.INFORMATIONAL, "internal"))
        f = dict(m.output_fields)
        self.assertEqual(f["evt.source"], "syscall")
        self.assertRegex(f["falco.version"], r"^\d+\.\d+\.\d+")
        self.assertLess(abs(int(f["falco.start_ts"]) / 1e9 - d.started), 5)
        for k in ("evt.time", "falco.start_ts", "falco.host_boot_ts", "evt.hostname",
                  "falco.duration_sec", "falco.kernel_release", "falco.host_num_cpus", "falco.num_evts",
                  "falco.outputs_queue_num_drops", "falco.rules.matches_total", "falco.memory_rss_mb",
                  "falco.memory_vsz_mb", "scap.n_evts", "scap.n_drops", "scap.n_drops_perc", "scap.evts_rate_sec"):
            self.assertIn(k, f, k)
        self.assertGreater(float(f["falco.memory_rss_mb"]), 0)
        self.assertEqual(f["evt.hostname"], os.uname().nodename)
        self.assertEqual(f["falco.kernel_release"], os.uname().release)
        # the replay's matches, once the capture is through
        self.snapshots(out, 3)
        wait_for(lambda: json.loads(lines(out)[-1])["output_fields"].get("falco.rules." + RULE) == expected, 20,
                 "the rule's count in a snapshot")
        all_lines = lines(out)
        self.assertEqual(all_lines[0], '{"earlier":"line"}')
        snaps = [json.loads(l) for l in all_lines[1:]]
        for i, s in enumerate(snaps):
            self.assertEqual(list(s), ["output_fields", "sample"])
            self.assertEqual(s["sample"], i + 1)
            self.assertEqual(list(s["output_fields"]), sorted(s["output_fields"]))
        last = snaps[-1]["output_fields"]
        self.assertEqual(last["falco.rules.matches_total"], expected)
        self.assertIsInstance(last["scap.n_evts"], int)
        self.assertIsInstance(last["falco.version"], str)
        self.assertEqual(last["falco.num_evts_prev"], snaps[-2]["output_fields"]["falco.num_evts"])
        # the file_output channel: Falco's JSON line of handle_msg
        wait_for(lambda: any(SNAPSHOT in l for l in lines(alerts_file)), 10, "a snapshot on file_output")
        j = json.loads([l for l in lines(alerts_file) if SNAPSHOT in l][0])
        self.assertEqual(list(j), ["hostname", "output", "output_fields", "priority", "rule", "source", "time"])
        self.assertEqual((j["output"], j["priority"], j["rule"], j["source"]),
                         ("Falco metrics snapshot", "Informational", SNAPSHOT, "internal"))
        self.assertIn("falco.rules.matches_total", j["output_fields"])
        self.stop_clean(d)

    def test_text_alert(self):
        path = os.path.join(self.tmp_dir(), "alerts.txt")
        d = self.start_daemon(self.config({}, file_output={"enabled": True, "filename": path}))
        wait_for(lambda: any("metrics snapshot" in l for l in lines(path)), 20, "a text snapshot")
        self.stop_clean(d)
        line = [l for l in lines(path) if "metrics snapshot" in l][0]
        # Falco's text: k=v in key order, values as JSON (strings quoted)
        self.assertRegex(line, TEXT)
        self.assertRegex(line, r' evt\.source="syscall" ')
        self.assertRegex(line, r' falco\.num_evts=\d+ ')
        # doubles as nlohmann writes them: one decimal at least, no 17-digit noise
        self.assertRegex(line, r" falco\.memory_rss_mb=\d+\.\d{1,3} ")
        self.assertTrue(line.endswith(")"), line)
        keys = re.findall(r"[ (]([a-z_.A-Z0-9:]+)=", line)
        self.assertEqual(keys, sorted(keys))
        # stdout too, whole lines between the engine's alerts
        out = d.stdout().splitlines()
        snaps = [l for l in out if "Falco metrics snapshot" in l]
        self.assertGreater(len(snaps), 0)
        for l in snaps:
            self.assertRegex(l, TEXT)
            self.assertTrue(l.endswith(")"), l)
        self.assertGreater(len([l for l in out if " fanout evt=" in l]), 0)

    def tmp_dir(self):
        t = tempfile.mkdtemp(prefix="fapi-msnap-")
        self.addCleanup(shutil.rmtree, t, True)
        return t

    def rules_with_never(self):
        """outputs_fanout.yaml and a rule that never matches, its name in
        need of Falco's sanitising."""
        path = os.path.join(self.tmp_dir(), "rules.yaml")
        with open(rules("outputs_fanout.yaml")) as f, open(path, "w") as o:
            o.write(f.read())
            o.write("- rule: Never  matches [x]\n  desc: d\n  condition: evt.type = ptrace and proc.name = "
                    "no-such-proc-here\n  output: o\n  priority: INFO\n")
        return [path]

    def test_switches(self):
        out = os.path.join(self.tmp_dir(), "m.jsonl")
        d = self.start_daemon(self.config({"output_file": out, "output_rule": False,
                                           "rules_counters_enabled": False, "kernel_event_counters_enabled": False,
                                           "convert_memory_to_mb": False}))
        f = self.snapshots(out, 2)[-1]["output_fields"]
        self.stop_clean(d)
        self.assertFalse([k for k in f if k.startswith("falco.rules.") or k.startswith("scap.")], f)
        self.assertIn("falco.memory_rss_kb", f)
        self.assertNotIn("falco.memory_rss_mb", f)
        self.assertIsInstance(f["falco.memory_rss_kb"], int)
        self.assertIn("falco.num_evts", f)

        out2 = os.path.join(self.tmp_dir(), "m2.jsonl")
        d = self.start_daemon(self.config({"output_file": out2, "output_rule": False,
                                           "resource_utilization_enabled": False, "include_empty_values": True},
                                          rules_file=self.rules_with_never()))
        f = self.snapshots(out2, 2)[-1]["output_fields"]
        self.stop_clean(d)
        self.assertFalse([k for k in f if "memory" in k or "cpu_usage" in k], f)
        # include_empty_values: zero counters and rules that never matched
        self.assertEqual(f["scap.n_drops_bug"], 0)
        self.assertEqual(f["falco.rules.Never_matches_x"], 0)

        out3 = os.path.join(self.tmp_dir(), "m3.jsonl")
        d = self.start_daemon(self.config({"output_file": out3, "output_rule": False},
                                          rules_file=self.rules_with_never()))
        f = self.snapshots(out3, 2)[-1]["output_fields"]
        self.stop_clean(d)
        self.assertNotIn("scap.n_drops_bug", f)  # zero, and include_empty_values is off
        self.assertNotIn("falco.rules.Never_matches_x", f)
        self.assertIn("scap.n_drops", f)          # always, as Falco
        self.assertIn("scap.n_drops_perc", f)

    def test_validation_errors(self):
        cases = [
            ({"interval": "50ms"}, "Metrics interval must have a minimum value of 100ms"),
            ({"interval": "1x"}, "Metrics interval must have a minimum value of 100ms"),
            ({"interval": "5000"}, "Metrics interval must have a minimum value of 100ms"),
            ({"interval": "1m30"}, "Metrics interval must have a minimum value of 100ms"),
            ({"output_rule": False}, "Metrics are enabled with no output configured"),
            ({"output_file": "/nonexistent-dir/x/m.jsonl"}, "metrics.output_file '/nonexistent-dir/x/m.jsonl': "
                                                           "No such file or directory"),
        ]
        for metrics, msg in cases:
            d = self.start_daemon(self.config(metrics), expect_ready=False)
            rc = d.wait(30)
            self.assertNotEqual(rc, 0, metrics)
            self.assertIn(msg, d.log(), metrics)
        # accepted durations
        for interval in ("100ms", "1s", "1m30s", "1h"):
            d = self.start_daemon(self.config({"interval": interval}))
            self.assertIn("Setting metrics interval to %s, equivalent to" % interval, d.log())
            self.stop_clean(d)
        d = self.start_daemon(self.config({"interval": "1m30s"}))
        self.assertIn("equivalent to 90000 (ms)", d.log())
        self.stop_clean(d)

    def test_reload_timestamp_moves_on_sighup(self):
        cfg = web_config()
        cfg.update({"load_modules": ["version"], "rules_file": [rules("outputs_fanout.yaml")]})
        d = self.start_daemon(cfg)
        port = web_port(d)
        t0 = sample(get(port, "/metrics")[2].decode(), "falcosecurity_falco_reload_timestamp_nanoseconds")
        self.assertGreater(t0, (time.time() - 120) * 1e9)
        time.sleep(0.05)
        self.assertEqual(sample(get(port, "/metrics")[2].decode(),
                                "falcosecurity_falco_reload_timestamp_nanoseconds"), t0)
        before = time.time()
        d.proc.send_signal(signal.SIGHUP)
        d.wait_log("rules reloaded: generation 2")
        t1 = sample(get(port, "/metrics")[2].decode(), "falcosecurity_falco_reload_timestamp_nanoseconds")
        self.assertGreater(t1, t0)
        self.assertGreaterEqual(t1, before * 1e9 - 1e6)
        self.stop_clean(d)

    def test_reload_timestamp_moves_on_a_rules_put_not_on_a_refused_one(self):
        from test_rules_module import Rpc, api_rule, self_raises
        tmp = self.tmp_dir()
        cfg = web_config()
        cfg.update({"load_modules": ["version", "rules"], "rules_file": [rules("outputs_fanout.yaml")],
                    "modules": [{"name": "rules", "config": {"state_dir": os.path.join(tmp, "state")}}]})
        d = self.start_daemon(cfg)
        port = web_port(d)
        ts = lambda: sample(get(port, "/metrics")[2].decode(), "falcosecurity_falco_reload_timestamp_nanoseconds")
        t0 = ts()
        r = Rpc(d.target)
        self.addCleanup(r.close)
        before = time.time()
        r.put({"10-api.yaml": api_rule(condition="evt.type = openat")})
        t1 = ts()
        self.assertGreater(t1, t0)
        self.assertGreaterEqual(t1, before * 1e9 - 1e6)
        with self_raises():
            r.put({"20-bad.yaml": "- rule: bad\n  condition: evt.type = \n"})
        self.assertEqual(ts(), t1)
        self.stop_clean(d)


if __name__ == "__main__":
    unittest.main(verbosity=2)
