"""/metrics: Prometheus text format that `promtool check metrics` accepts,
Falco 0.39+'s metric names, and a real Prometheus server (Debian's) that
scrapes the daemon and answers a query for
falcosecurity_falco_rules_matches_total with the count the engine's batch
replay of the same capture gives."""

import http.client
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import unittest
import urllib.parse

import grpc

from fapi_testlib import SLOW, DaemonTest, free_port, unary
from test_http import get, web_config, web_port
from test_outputs import capture, rules

import version_pb2

RULE = "outputs_fanout_exit"
PROMTOOL = shutil.which("promtool")
PROMETHEUS = shutil.which("prometheus")


def batch_count(rules_file, capture_file):
    """The rule's match count in one pass, from batch mode's summary."""
    from fapi_testlib import BIN
    p = subprocess.run([BIN, "-r", rules_file, "-e", capture_file], capture_output=True, text=True,
                       timeout=120 * SLOW)
    for line in p.stdout.splitlines():
        if line.strip().startswith(RULE + ":"):
            return int(line.split(":")[1])
    raise AssertionError("no count for %s in:\n%s" % (RULE, p.stdout))


def sample(text, name, **labels):
    for line in text.splitlines():
        if line.startswith("#") or not line.startswith(name):
            continue
        head, _, value = line.rpartition(" ")
        if head == name and not labels:
            return float(value)
        if head.startswith(name + "{") and all('%s="%s"' % kv in head for kv in labels.items()):
            return float(value)
    return None


class MetricsTest(DaemonTest):
    def replay_daemon(self):
        cfg = web_config()
        cfg.update({"load_modules": ["version", "outputs"], "rules_file": [rules("outputs_fanout.yaml")],
                    "engine": {"capture": {"file": capture("mix-small.scap"), "loop": 1}}})
        d = self.start_daemon(cfg)
        return d, web_port(d)

    def scrape_until(self, port, expected):
        deadline = time.time() + 20 * SLOW
        while True:
            status, ctype, body = get(port, "/metrics")
            self.assertEqual(status, 200)
            self.assertEqual(ctype, "text/plain; version=0.0.4; charset=utf-8")
            text = body.decode()
            got = sample(text, "falcosecurity_falco_rules_matches_total", rule_name=RULE)
            if got == expected or time.time() > deadline:
                return text, got
            time.sleep(0.1)

    def test_promtool_and_names(self):
        if not PROMTOOL:
            self.skipTest("promtool missing: make deps (Debian's prometheus)")
        expected = batch_count(rules("outputs_fanout.yaml"), capture("mix-small.scap"))
        d, port = self.replay_daemon()
        with grpc.insecure_channel(d.target) as ch:
            unary(ch, "/falco.version.service/version", version_pb2.request, version_pb2.response)(
                version_pb2.request(), timeout=10)
        text, got = self.scrape_until(port, expected)
        self.assertEqual(got, expected, text)
        v = dict(grpc_method="version", grpc_service="falco.version.service", grpc_type="unary")
        self.assertEqual(sample(text, "grpc_server_started_total", **v), 1, text)
        self.assertEqual(sample(text, "grpc_server_msg_received_total", **v), 1, text)
        self.assertEqual(sample(text, "grpc_server_msg_sent_total", **v), 1, text)
        self.assertEqual(sample(text, "grpc_server_handled_total", grpc_code="OK", **v), 1, text)
        self.assertEqual(sample(text, "grpc_server_handling_seconds_count", **v), 1, text)
        self.assertEqual(sample(text, "grpc_server_handling_seconds_bucket", le="+Inf", **v), 1, text)
        p = subprocess.run([PROMTOOL, "check", "metrics"], input=text, capture_output=True, text=True, timeout=30)
        # Falco's own name for the reload time breaks promtool's unit lint
        # (exit 3, lint only); kept for Falco's dashboards. Any other
        # finding, and any parse error (exit 1), fails.
        findings = [l for l in (p.stdout + p.stderr).splitlines() if l.strip()]
        known = 'falcosecurity_falco_reload_timestamp_nanoseconds use base unit "seconds" instead of "nanoseconds"'
        self.assertIn(p.returncode, (0, 3), p.stdout + p.stderr + "\n" + text)
        self.assertEqual([l for l in findings if l != known], [], text)
        self.assertIn('falcosecurity_falco_rules_matches_total{priority="5",rule_name="%s",source="syscall"}' % RULE,
                      text)
        self.assertEqual(sample(text, "falcosecurity_falco_version_info"), 1)
        for name in ("falcosecurity_scap_n_evts_total", "falcosecurity_scap_n_drops_total",
                     "falcosecurity_scap_n_drops_buffer_total", "falcosecurity_falco_outputs_queue_num_drops_total",
                     "falcosecurity_falco_cpu_usage_ratio", "falcosecurity_falco_memory_rss_bytes",
                     "falcosecurity_falco_reload_timestamp_nanoseconds"):
            self.assertIsNotNone(sample(text, name), name + " missing:\n" + text)
        self.assertGreater(sample(text, "falcosecurity_falco_memory_rss_bytes"), 0)
        self.assertIn('falcosecurity_apid_losses_total{kind="rate_limit",name="outputs.rate"', text)
        self.stop_clean(d)

    def test_prometheus_scrapes(self):
        if not PROMETHEUS:
            self.skipTest("prometheus missing: make deps (Debian's prometheus)")
        expected = batch_count(rules("outputs_fanout.yaml"), capture("mix-small.scap"))
        d, port = self.replay_daemon()
        self.scrape_until(port, expected)
        tmp = tempfile.mkdtemp(prefix="fapi-prom-")
        self.addCleanup(shutil.rmtree, tmp, True)
        prom_port = free_port()
        with open(os.path.join(tmp, "prometheus.yml"), "w") as f:
            json.dump({"global": {"scrape_interval": "1s", "scrape_timeout": "1s"},
                       "scrape_configs": [{"job_name": "falco-apid",
                                           "static_configs": [{"targets": ["127.0.0.1:%d" % port]}]}]}, f)
        log = open(os.path.join(tmp, "prometheus.log"), "w")
        prom = subprocess.Popen([PROMETHEUS, "--config.file=" + os.path.join(tmp, "prometheus.yml"),
                                 "--storage.tsdb.path=" + os.path.join(tmp, "data"),
                                 "--web.listen-address=127.0.0.1:%d" % prom_port],
                                stdout=log, stderr=log, stdin=subprocess.DEVNULL)

        def stop_prom():
            if prom.poll() is None:
                prom.send_signal(signal.SIGTERM)
                try:
                    prom.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    prom.kill()
                    prom.wait()
            log.close()
        self.addCleanup(stop_prom)
        query = urllib.parse.quote('falcosecurity_falco_rules_matches_total{rule_name="%s"}' % RULE)
        deadline = time.time() + 40
        result = None
        while time.time() < deadline:
            try:
                c = http.client.HTTPConnection("127.0.0.1", prom_port, timeout=5)
                c.request("GET", "/api/v1/query?query=" + query)
                r = json.loads(c.getresponse().read())
                c.close()
                result = r.get("data", {}).get("result")
                if result:
                    break
            except (OSError, ValueError):
                pass
            time.sleep(0.5)
        self.assertTrue(result, "Prometheus never answered with a sample; its log:\n" +
                        open(os.path.join(tmp, "prometheus.log")).read()[-3000:])
        self.assertEqual(float(result[0]["value"][1]), expected)
        self.assertEqual(result[0]["metric"]["priority"], "5")
        self.assertEqual(result[0]["metric"]["source"], "syscall")
        stop_prom()
        self.stop_clean(d)


if __name__ == "__main__":
    unittest.main(verbosity=2)
