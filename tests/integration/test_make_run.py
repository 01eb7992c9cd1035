"""What a first-time user meets: `make run` and the example subscriber.

- `make run` (without a kernel driver) replays the capture at a pace a
  person can read, about 2 alerts a second, and says how to subscribe. The
  test asks make for the command (`make -n run`, which builds nothing and
  runs nothing) and runs that command for a few seconds, on its own socket.
- examples/clients/subscribe.py takes priorities in any case ("warning",
  "Warning", "WARNING", as Falco's rules spell them) and refuses unknown ones
  with the list of valid ones."""

import os
import re
import shlex
import subprocess
import sys
import tempfile
import shutil
import time
import unittest

from fapi_testlib import BIN, BUILD_DIR, PY_PROTO, SLOW

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
SUBSCRIBE = os.path.join(ROOT, "examples", "clients", "subscribe.py")
ALERT_LINE = re.compile(r"^\d\d:\d\d:\d\d\.\d{9}: ", re.M)
SECONDS = 6


class MakeRunTest(unittest.TestCase):
    def setUp(self):
        if not BIN or not os.path.exists(BIN):
            self.skipTest("FAPI_BIN not set: run through ctest")
        if os.path.exists("/dev/scap0"):
            self.skipTest("a kernel driver is loaded here: make run captures live events")
        if not shutil.which("make"):
            self.skipTest("make is not installed")
        self.tmp = tempfile.mkdtemp(prefix="fapi-make-run-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.sock = os.path.join(self.tmp, "falco.sock")

    def make_n(self, *args):
        p = subprocess.run(["make", "-s", "-n", "-C", ROOT, "BUILD=" + BUILD_DIR] + list(args), capture_output=True,
                           text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        return p.stdout.splitlines()

    def start_make_run(self, seconds=SECONDS):
        """Starts the daemon exactly as `make run` would, on our socket,
        for that long."""
        lines = self.make_n("run", "RUN_ARGS=-o grpc.bind_address=unix://%s -M %d" % (self.sock, seconds))
        daemon = [l for l in lines if l.startswith(os.path.join(BUILD_DIR, "bin", "falco-apid"))]
        self.assertEqual(len(daemon), 1, "\n".join(lines))
        self.recipe = lines
        self.out = open(os.path.join(self.tmp, "stdout"), "w+")
        self.err = open(os.path.join(self.tmp, "stderr"), "w+")
        self.addCleanup(self.out.close)
        self.addCleanup(self.err.close)
        self.proc = subprocess.Popen(shlex.split(daemon[0]), cwd=ROOT, stdout=self.out, stderr=self.err,
                                     stdin=subprocess.DEVNULL)
        self.addCleanup(self.kill)
        deadline = time.time() + 20 * SLOW
        while time.time() < deadline and not os.path.exists(self.sock):
            self.assertIsNone(self.proc.poll(), self.read(self.err))
            time.sleep(0.02)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    @staticmethod
    def read(f):
        f.flush()
        f.seek(0)
        return f.read()

    def test_alerts_at_a_human_rate_and_a_pointer_to_the_client(self):
        self.start_make_run()
        t0 = time.time()
        self.assertEqual(self.proc.wait(timeout=(SECONDS + 30) * SLOW), 0, self.read(self.err))
        elapsed = time.time() - t0
        alerts = ALERT_LINE.findall(self.read(self.out))
        rate = len(alerts) / elapsed
        # about 2 a second: enough to see it work, few enough to read them
        self.assertGreaterEqual(len(alerts), 3, self.read(self.out))
        self.assertLess(rate, 5, "%d alerts in %.1f s" % (len(alerts), elapsed))
        self.assertTrue(any("examples/clients/subscribe.py" in l and l.startswith("echo") for l in self.recipe),
                        "\n".join(self.recipe))

    def subscribe(self, *args, lines=2, timeout=20):
        env = dict(os.environ, FAPI_PY_PROTO=PY_PROTO)
        p = subprocess.Popen([sys.executable, SUBSCRIBE, "--socket", self.sock] + list(args), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=env)
        try:
            got = [p.stdout.readline().rstrip("\n") for _ in range(lines)]
        finally:
            p.kill()
            p.wait()
            p.stdout.close()
            p.stderr.close()
        return got

    def test_subscriber_takes_priorities_in_any_case(self):
        self.start_make_run(120)
        for spelling in ("warning", "Warning", "WARNING", "error"):
            with self.subTest(spelling=spelling):
                got = self.subscribe("--min-priority", spelling)
                want = ("WARNING", "ERROR", "CRITICAL", "ALERT", "EMERGENCY") if spelling != "error" else \
                    ("ERROR", "CRITICAL", "ALERT", "EMERGENCY")
                self.assertEqual(len(got), 2)
                for line in got:
                    self.assertRegex(line, r"^#\d+ (%s) \[" % "|".join(want))
        p = subprocess.run([sys.executable, SUBSCRIBE, "--socket", self.sock, "--min-priority", "loud"],
                           capture_output=True, text=True, env=dict(os.environ, FAPI_PY_PROTO=PY_PROTO), timeout=30)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("invalid choice: 'loud'", p.stderr)
        self.assertIn("warning", p.stderr)


if __name__ == "__main__":
    unittest.main()
