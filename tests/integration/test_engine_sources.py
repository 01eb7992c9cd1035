"""Capture replay as an event source: plain and gzip captures, looping N
times, pacing at an event rate, and the daemon mode where the engine runs on
its own thread and serves alerts while the capture plays."""

import gzip
import os
import shutil
import subprocess
import tempfile
import time
import unittest

from fapi_testlib import BIN, SLOW

BUILD = os.environ.get("FAPI_BUILD_DIR", "")
HERE = os.path.dirname(os.path.abspath(__file__))
RULES = os.path.join(HERE, "..", "..", "examples", "rules", "demo_rules.yaml")


def run(*args, timeout=120):
    p = subprocess.run([BIN] + list(args), capture_output=True, text=True, timeout=timeout * SLOW,
                       env=dict(os.environ, TZ="UTC"))
    return p.returncode, p.stdout, p.stderr


def detected(out):
    for line in out.splitlines():
        if line.startswith("Events detected: "):
            return int(line.split(": ")[1])
    raise AssertionError("no summary in:\n" + out)


class SourcesTest(unittest.TestCase):
    def setUp(self):
        if not BIN or not os.path.exists(BIN):
            self.skipTest("FAPI_BIN not set: run through ctest")
        self.capture = os.path.join(BUILD, "captures", "basic.scap")
        self.assertTrue(os.path.exists(self.capture), "generated capture missing: build the fapi-captures target")
        self.tmp = tempfile.mkdtemp(prefix="fapi-src-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_demo_rules_on_basic_capture(self):
        rc, out, err = run("-r", RULES, "-e", self.capture)
        self.assertEqual(rc, 0, err)
        self.assertEqual(detected(out), 6)
        self.assertIn("Sensitive file opened (user=alice command=cat /etc/shadow file=/etc/shadow res=EACCES", out)

    def test_plain_and_gzip_captures_agree(self):
        with open(self.capture, "rb") as f:
            head = f.read(2)
        self.assertEqual(head, b"\x1f\x8b", "the generator writes gzip captures")
        plain = os.path.join(self.tmp, "basic-plain.scap")
        with gzip.open(self.capture, "rb") as src, open(plain, "wb") as dst:
            shutil.copyfileobj(src, dst)
        rc1, out1, _ = run("-r", RULES, "-e", self.capture)
        rc2, out2, _ = run("-r", RULES, "-e", plain)
        self.assertEqual((rc1, rc2), (0, 0))
        self.assertEqual(out1, out2)

    def test_loop_n_times(self):
        rc, out, err = run("-r", RULES, "-e", self.capture, "-o", "engine.capture.loop=3")
        self.assertEqual(rc, 0, err)
        self.assertEqual(detected(out), 18)
        self.assertEqual(sum(1 for l in out.splitlines() if l.startswith("00:00:00.000022000: Warning")), 3)

    def test_pacing(self):
        # basic.scap yields well over 100 events without -A: at 100 events/s
        # that takes more than a second; unpaced it takes a few milliseconds
        t = time.time()
        rc, out, err = run("-r", RULES, "-e", self.capture, "-o", "engine.capture.rate=100")
        elapsed = time.time() - t
        self.assertEqual(rc, 0, err)
        self.assertEqual(detected(out), 6)
        self.assertGreater(elapsed, 1.0)
        t = time.time()
        run("-r", RULES, "-e", self.capture)
        self.assertLess(time.time() - t, elapsed)

    def test_forever_loop_stops_at_deadline(self):
        # -M with a capture looping forever: serves until -M, then prints the summary
        sock = os.path.join(self.tmp, "s.sock")
        rc, out, err = run("-r", RULES, "-e", self.capture, "-o", "engine.capture.loop=0", "-o",
                           "engine.capture.rate=20000", "-o", "grpc.bind_address=unix://" + sock, "-M", "2",
                           "-o", "stdout_output.enabled=false")
        self.assertEqual(rc, 0, err)
        self.assertGreater(detected(out), 12)  # looped more than twice
        self.assertIn("ready", err)

    def test_capture_end_without_deadline_exits(self):
        t = time.time()
        rc, out, _ = run("-r", RULES, "-e", self.capture)
        self.assertEqual(rc, 0)
        self.assertLess(time.time() - t, 10 * SLOW)

    def test_live_source_missing_is_named(self):
        if os.path.exists("/dev/scap0"):
            self.skipTest("a kernel driver is loaded here")
        sock = os.path.join(self.tmp, "s.sock")
        rc, out, err = run("-r", RULES, "-o", "grpc.bind_address=unix://" + sock, "-M", "1")
        self.assertEqual(rc, 1, err)  # no event source at all, as in Falco
        self.assertIn("no event source", err)
        self.assertIn("/dev/scap0", err)
        self.assertNotIn("ready", err)

    def test_list_fields(self):
        rc, out, _ = run("--list")
        self.assertEqual(rc, 0)
        for field in ("proc.name", "fd.name", "evt.type", "container.id"):
            self.assertIn(field, out)


if __name__ == "__main__":
    unittest.main()
