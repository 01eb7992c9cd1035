"""Helpers for the engine's integration tests: run falco-apid over a
generated capture (-r RULES -e CAPTURE), split stdout into alert lines and
Falco's summary, and check that the two agree.

The captures come from the `fapi-captures` target, which is part of the
default build (ALL): ctest runs after the build, so they exist. A missing
capture or binary is a test FAILURE with a message saying what to build,
never a skip.
"""

import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

BIN = os.environ.get("FAPI_BIN", "")
BUILD_DIR = os.environ.get("FAPI_BUILD_DIR", "")
HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.normpath(os.path.join(HERE, "..", "fixtures", "rules"))

# Falco's text alert: "HH:MM:SS.nnnnnnnnn: Priority output" (local time; the
# tests run with TZ=UTC).
TEXT_ALERT = re.compile(r"^(\d\d:\d\d:\d\d\.\d{9}): (Emergency|Alert|Critical|Error|Warning|Notice|Informational|Debug) (.*)$")
# The daemon's own log lines on stderr ("2026-...Z INFO [engine] ...").
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z [A-Z]+ \[")
# Falco's syscall_event_drops end-of-run lines (stderr, after every run).
DROP_STATS_LINE = re.compile(r"^(Syscall event drop monitoring:|   - event drop detected: \d+ occurrences"
                             r"|   - num times actions taken: \d+)$")

# basic.scap: the first event is at 2022-03-01T00:00:00Z, every event 1000 ns
# after the previous one, and evt.num counts written events from 1.
BASE_NS = 1646092800000000000


def evt_time_text(num):
    """The HH:MM:SS.nnnnnnnnn prefix (UTC) of the event with this evt.num."""
    ns = (num - 1) * 1000
    return "00:00:%02d.%09d" % (ns // 1000000000, ns % 1000000000)


def require_binary():
    if not BIN:
        raise AssertionError("FAPI_BIN is not set: run these tests through ctest "
                             "(tests/integration/CMakeLists.txt sets it)")
    if not os.access(BIN, os.X_OK):
        raise AssertionError("falco-apid not found at %s: build the project first" % BIN)


def capture(name="basic"):
    """Path of a generated capture; fails (never skips) when it is missing."""
    if not BUILD_DIR:
        raise AssertionError("FAPI_BUILD_DIR is not set: run these tests through ctest")
    path = os.path.join(BUILD_DIR, "captures", name + ".scap")
    if not os.path.isfile(path):
        raise AssertionError("generated capture %s is missing: build the 'fapi-captures' target "
                             "(part of the default build: cmake --build %s)" % (path, BUILD_DIR))
    return path


def fixture(name):
    path = os.path.join(FIXTURES, name)
    if not os.path.isfile(path):
        raise AssertionError("fixture %s is missing" % path)
    return path


class Result:
    def __init__(self, argv, proc):
        self.argv = argv
        self.rc = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.lines = proc.stdout.splitlines()
        # Everything before "Events detected:" is an alert line.
        if "Events detected: " in "\n".join(self.lines):
            i = next(i for i, l in enumerate(self.lines) if l.startswith("Events detected: "))
            self.alerts = self.lines[:i]
            self.summary_lines = self.lines[i:]
        else:
            self.alerts = list(self.lines)
            self.summary_lines = []
        # stderr without the daemon's own log lines: warnings and errors.
        self.messages = [l for l in self.stderr.splitlines()
                         if not LOG_LINE.match(l) and not DROP_STATS_LINE.match(l)]

    def describe(self):
        return "command: %s\nexit: %s\nstdout:\n%s\nstderr:\n%s" % (
            " ".join(self.argv), self.rc, self.stdout, self.stderr)

    def summary(self):
        """(events, {severity: n}, {rule: n}) from Falco's summary."""
        if not self.summary_lines:
            return None
        events = None
        sev, rules = {}, {}
        section = None
        for l in self.summary_lines:
            if l.startswith("Events detected: "):
                events = int(l.split(": ", 1)[1])
            elif l == "Rule counts by severity:":
                section = sev
            elif l == "Triggered rules by rule name:":
                section = rules
            elif l.startswith("   ") and section is not None:
                k, v = l[3:].rsplit(": ", 1)
                section[k] = int(v)
            else:
                raise AssertionError("unexpected summary line %r" % l)
        return events, sev, rules

    def bodies(self):
        """Text alerts without the time and priority: the rule's output."""
        out = []
        for l in self.alerts:
            m = TEXT_ALERT.match(l)
            if not m:
                raise AssertionError("not a text alert line: %r" % l)
            out.append(m.group(3))
        return out

    def json_alerts(self):
        return [json.loads(l) for l in self.alerts]


class EngineTest(unittest.TestCase):
    """Base class: a temp dir for inline rules files and run()."""

    @classmethod
    def setUpClass(cls):
        require_binary()
        cls.basic = capture("basic")
        cls.tmp = tempfile.mkdtemp(prefix="fapi-engine-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(getattr(cls, "tmp", ""), ignore_errors=True)

    _n = 0

    def rules_file(self, text, name=None):
        """Write rules text to a new file and return its path."""
        EngineTest._n += 1
        path = os.path.join(self.tmp, name or ("rules_%d.yaml" % EngineTest._n))
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def run_engine(self, rules=(), cap=None, args=(), tz="UTC", timeout=60):
        argv = [BIN]
        for r in ([rules] if isinstance(rules, str) else rules):
            argv += ["-r", r]
        if cap is not False:
            argv += ["-e", cap or self.basic]
        argv += list(args)
        env = dict(os.environ)
        env["TZ"] = tz
        proc = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=timeout,
                              stdin=subprocess.DEVNULL, errors="replace")
        return Result(argv, proc)

    def run_ok(self, rules=(), **kw):
        """Run, expect exit 0 and a summary that agrees with the alerts."""
        r = self.run_engine(rules, **kw)
        self.assertEqual(r.rc, 0, r.describe())
        self.assert_summary_consistent(r)
        return r

    def run_fail(self, rules=(), **kw):
        """Run, expect exit 1, no alert and no summary."""
        r = self.run_engine(rules, **kw)
        self.assertEqual(r.rc, 1, r.describe())
        self.assertNotIn("Events detected", r.stdout, r.describe())
        return r

    def assert_summary_consistent(self, r, json_output=False):
        s = r.summary()
        self.assertIsNotNone(s, "no summary printed\n" + r.describe())
        events, sev, rules = s
        self.assertEqual(events, len(r.alerts), "Events detected != number of alert lines\n" + r.describe())
        self.assertEqual(sum(sev.values()), events, r.describe())
        self.assertEqual(sum(rules.values()), events, r.describe())
        self.assertTrue(all(v > 0 for v in list(sev.values()) + list(rules.values())), r.describe())
        if r.alerts and r.alerts[0].startswith("{"):
            got = {}
            for a in r.json_alerts():
                got[a["rule"]] = got.get(a["rule"], 0) + 1
            self.assertEqual(got, rules, r.describe())

    def assert_error(self, r, path, line, item, message):
        """exit 1 and one error "PATH:LINE:COL: ITEM: ...message..." on stderr."""
        self.assertEqual(r.rc, 1, r.describe())
        pat = re.compile(r"^%s:%d:\d+: %s: .*%s" % (re.escape(path), line, re.escape(item), message))
        self.assertTrue(any(pat.search(m) for m in r.messages),
                        "no error matching %r\n%s" % (pat.pattern, r.describe()))
