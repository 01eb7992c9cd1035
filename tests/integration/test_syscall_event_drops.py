"""Falco 0.31's syscall_event_drops on batch replays (-r -e), with Falco's
own test configurations: each action with simulate_drops (ignore, log,
alert in text and JSON, exit with status 1), rate and max_burst limiting
the notices, the threshold, and the validation errors.

The capture is generated: 2,000 events 5 ms apart, 10 s of event time, so
syscall_event_drops checks nine times, as Falco's own tests do on
ping_sendto.scap ("event drop detected: 9 occurrences")."""

import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from fapi_testlib import BIN, SLOW
from test_outputs import capture

SHARED = os.environ.get("FAPI_SHARED_DIR", "")
SINGLE_RULE = os.path.join(SHARED, "test_rules", "single_rule.yaml")
TEN_SECONDS = capture("shadow-10s.scap")
RULE = "Falco internal: syscall event drop"
MESSAGE = "Falco internal: syscall event drop. 1 system calls dropped in last second."
FIELDS = {"n_evts": "0", "n_drops": "1", "n_drops_buffer": "0", "n_drops_scratch_map": "0", "n_drops_pf": "0",
          "n_drops_bug": "0", "ebpf_enabled": "0"}
# Falco's text line of the internal alert: fields sorted by name.
ALERT_TEXT = re.compile(r"^\d\d:\d\d:\d\d\.\d{9}: Debug " + re.escape(MESSAGE) + re.escape(
    " (ebpf_enabled=0 n_drops=1 n_drops_bug=0 n_drops_buffer=0 n_drops_pf=0 n_drops_scratch_map=0 n_evts=0)") + "$")


def drop_stats(stderr):
    """(occurrences, actions) from Falco's end-of-run lines, or None."""
    m = re.search(r"^Syscall event drop monitoring:\n   - event drop detected: (\d+) occurrences\n"
                  r"   - num times actions taken: (\d+)$", stderr, re.M)
    return (int(m.group(1)), int(m.group(2))) if m else None


class Replay:
    def __init__(self, p):
        self.rc, self.stdout, self.stderr = p.returncode, p.stdout, p.stderr

    def describe(self):
        return "exit %s\nstdout:\n%s\nstderr:\n%s" % (self.rc, self.stdout[-3000:], self.stderr[-3000:])


class SyscallEventDropsTest(unittest.TestCase):
    """Batch replays (-r -e) with Falco's test configurations."""

    def setUp(self):
        if not BIN or not os.path.exists(BIN):
            self.skipTest("FAPI_BIN not set: run through ctest")
        if not os.path.exists(TEN_SECONDS):
            self.skipTest("generated capture %s not found" % TEN_SECONDS)
        if not os.path.exists(SINGLE_RULE):
            self.skipTest("Falco's test rules not found in %r" % SHARED)
        self.dir = tempfile.mkdtemp(prefix="fapi-drops-")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def replay(self, drops_cfg, *extra_lines, capture_file=TEN_SECONDS):
        path = os.path.join(self.dir, "falco.yaml")
        with open(path, "w") as f:
            f.write("syscall_event_drops:\n")
            for k, v in drops_cfg.items():
                if isinstance(v, list):
                    f.write("  %s:\n" % k + "".join("    - %s\n" % x for x in v))
                else:
                    f.write("  %s: %s\n" % (k, v))
            f.write("stdout_output:\n  enabled: true\n")
            for l in extra_lines:
                f.write(l + "\n")
        p = subprocess.run([BIN, "-c", path, "-r", SINGLE_RULE, "-e", capture_file], capture_output=True, text=True,
                           timeout=60 * SLOW)
        return Replay(p)

    def falco_conf(self, action, **kw):
        cfg = {"actions": [action] if isinstance(action, str) else action, "rate": ".03333", "max_burst": 10,
               "simulate_drops": "true"}
        cfg.update(kw)
        return cfg

    def internal_alerts(self, r):
        return [l for l in r.stdout.splitlines() if RULE in l]

    def test_none(self):
        # simulate_drops false, no driver: nothing is lost, nothing said
        r = self.replay(self.falco_conf("log", simulate_drops="false"))
        self.assertEqual(r.rc, 0, r.describe())
        self.assertEqual(drop_stats(r.stderr), (0, 0), r.describe())
        self.assertNotIn(RULE, r.stdout + r.stderr.replace("Syscall event drop monitoring", ""))

    def test_ignore(self):
        r = self.replay(self.falco_conf("ignore"))
        self.assertEqual(r.rc, 0, r.describe())
        self.assertEqual(drop_stats(r.stderr), (9, 9), r.describe())
        self.assertEqual(r.stderr.count("Simulating syscall event drop"), 9, r.describe())
        self.assertNotIn(RULE, r.stdout)
        self.assertNotIn(MESSAGE, r.stderr)

    def test_log(self):
        # Falco logs the notice at LOG_DEBUG: seen with log_level debug
        r = self.replay(self.falco_conf("log"), "log_level: debug")
        self.assertEqual(r.rc, 0, r.describe())
        self.assertIn("event drop detected: 9 occurrences", r.stderr)
        self.assertIn("num times actions taken: 9", r.stderr)
        lines = [l for l in r.stderr.splitlines() if l.endswith(MESSAGE)]
        self.assertEqual(len(lines), 9, r.describe())
        self.assertTrue(all(" DEBUG [engine] " in l for l in lines), lines)
        self.assertNotIn(RULE, r.stdout)
        # and without debug, not at all
        r = self.replay(self.falco_conf("log"))
        self.assertEqual(drop_stats(r.stderr), (9, 9), r.describe())
        self.assertNotIn(MESSAGE, r.stderr)

    def test_alert(self):
        r = self.replay(self.falco_conf("alert"))
        self.assertEqual(r.rc, 0, r.describe())
        self.assertEqual(drop_stats(r.stderr), (9, 9), r.describe())
        alerts = self.internal_alerts(r)
        self.assertEqual(len(alerts), 9, r.describe())
        for l in alerts:
            self.assertRegex(l, ALERT_TEXT)
        self.assertNotIn(MESSAGE, r.stderr)
        # the first check is one second of event time after the first event
        self.assertTrue(alerts[0].startswith("00:00:01.005000000: "), alerts[0])

    def test_alert_json(self):
        r = self.replay(self.falco_conf("alert"), "json_output: true")
        self.assertEqual(r.rc, 0, r.describe())
        alerts = [json.loads(l) for l in r.stdout.splitlines() if l.startswith("{")]
        self.assertEqual(len(alerts), 9, r.describe())
        a = alerts[0]
        # Falco's handle_msg: exactly these keys, in this order
        self.assertEqual(list(a), ["output", "output_fields", "priority", "rule", "time"])
        self.assertEqual((a["output"], a["priority"], a["rule"]), (MESSAGE, "Debug", RULE))
        self.assertEqual(a["output_fields"], FIELDS)
        self.assertEqual(a["time"], "2022-03-01T00:00:01.005000000Z")

    def test_exit(self):
        r = self.replay(self.falco_conf("exit"))
        self.assertEqual(r.rc, 1, r.describe())
        self.assertEqual(drop_stats(r.stderr), (1, 1), r.describe())
        self.assertIn(MESSAGE, r.stderr)
        self.assertRegex(r.stderr, r"(?m) ERROR \[engine\] Exiting\.$")
        self.assertNotIn(RULE, r.stdout)
        # the summary is still printed, as Falco's
        self.assertIn("Events detected:", r.stdout)

    def test_rate_and_max_burst_limit_notices(self):
        for rate, burst, acts in (("0.03333", 1, 1), ("0", 3, 3), ("1", 1, 9), ("0.5", 2, 6)):
            with self.subTest(rate=rate, max_burst=burst):
                r = self.replay(self.falco_conf("alert", rate=rate, max_burst=burst), "log_level: debug")
                self.assertEqual(r.rc, 0, r.describe())
                self.assertEqual(drop_stats(r.stderr), (9, acts), r.describe())
                self.assertEqual(len(self.internal_alerts(r)), acts, r.describe())
                self.assertEqual(r.stderr.count("Syscall event drop but token bucket depleted, skipping actions"),
                                 9 - acts, r.describe())

    def test_threshold(self):
        # no driver and no simulation: nothing lost, whatever the threshold
        r = self.replay({"threshold": 0, "actions": ["alert"]})
        self.assertEqual(drop_stats(r.stderr), (0, 0), r.describe())
        # simulate_drops forces the threshold to 0, as Falco's
        r = self.replay({"threshold": 1, "actions": ["alert"], "simulate_drops": "true", "max_burst": 10})
        self.assertEqual(drop_stats(r.stderr), (9, 9), r.describe())

    def test_validation_errors(self):
        cases = [
            ({"actions": ["ignore", "log"]},
             'syscall event drop action "log" does not make sense with the "ignore" action'),
            ({"actions": ["ignore", "alert"]},
             'syscall event drop action "alert" does not make sense with the "ignore" action'),
            ({"threshold": 1.1, "actions": ["ignore"]},
             "syscall event drops threshold must be a double in the range [0, 1]"),
            ({"threshold": -1, "actions": ["ignore"]},
             "syscall event drops threshold must be a double in the range [0, 1]"),
            ({"actions": ["panic"]},
             'available actions for syscall event drops are "ignore", "log", "alert", and "exit"'),
        ]
        for cfg, msg in cases:
            with self.subTest(cfg=cfg):
                cfg = dict(cfg, rate=".03333", max_burst=10, simulate_drops="true")
                r = self.replay(cfg)
                self.assertEqual(r.rc, 1, r.describe())
                self.assertIn(msg, r.stderr)
                self.assertNotIn(RULE, r.stdout + r.stderr)
                self.assertIsNone(drop_stats(r.stderr))



if __name__ == "__main__":
    unittest.main()
