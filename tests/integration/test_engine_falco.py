"""The engine against Falco 0.31.1's own rules and captures (read from
../shared/falco-0.31.1; skipped with a message when that folder is absent):
the same alerts, byte for byte, and the same summary."""

import json
import os
import subprocess
import unittest

from fapi_testlib import BIN, SHARED_DIR

CAPTURES = ["cat_write.scap", "empty.scap", "open-multiple-files.scap", "syscall.scap"]


def run(*args):
    env = dict(os.environ, TZ="UTC")
    p = subprocess.run([BIN] + list(args), capture_output=True, text=True, env=env, timeout=120)
    return p.returncode, p.stdout, p.stderr


class FalcoDataTest(unittest.TestCase):
    def setUp(self):
        if not BIN or not os.path.exists(BIN):
            self.skipTest("FAPI_BIN not set: run through ctest")
        if not SHARED_DIR or not os.path.isdir(SHARED_DIR):
            self.skipTest("shared Falco 0.31.1 data not found at %r" % SHARED_DIR)

    def path(self, *p):
        return os.path.join(SHARED_DIR, *p)

    def test_single_rule_json_matches_falco(self):
        rc, out, err = run("-r", self.path("test_rules", "single_rule.yaml"),
                           "-e", self.path("captures", "cat_write.scap"), "-o", "json_output=true")
        self.assertEqual(rc, 0, err)
        alerts = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
        self.assertEqual(len(alerts), 8)
        self.assertTrue(all(a["rule"] == "open_from_cat" for a in alerts))
        first = alerts[0]
        self.assertEqual(first["output"], "16:17:57.881781397: Warning An open was seen (command=cat /dev/null)")
        self.assertEqual(first["time"], "2016-08-04T16:17:57.881781397Z")
        self.assertEqual(first["output_fields"], {"evt.time": 1470327477881781397, "proc.cmdline": "cat /dev/null"})
        self.assertIsInstance(first["output_fields"]["evt.time"], int)
        self.assertEqual(first["priority"], "Warning")
        self.assertEqual(first["source"], "syscall")
        self.assertEqual(first["tags"], [])
        # Falco's exact line: sorted keys, then the grafted output_fields
        line = out.splitlines()[0]
        self.assertTrue(line.startswith('{"output":"16:17:57.881781397: Warning An open was seen '
                                        '(command=cat /dev/null)","priority":"Warning","rule":"open_from_cat",'
                                        '"source":"syscall","tags":[],"time":"2016-08-04T16:17:57.881781397Z", '
                                        '"output_fields": {'), line)
        self.assertIn("Events detected: 8\n", out)
        self.assertIn("   WARNING: 8\n", out)
        self.assertIn("   open_from_cat: 8\n", out)

    def test_single_rule_text(self):
        rc, out, _ = run("-r", self.path("test_rules", "single_rule.yaml"), "-e", self.path("captures", "cat_write.scap"))
        self.assertEqual(rc, 0)
        self.assertEqual(out.splitlines()[0], "16:17:57.881781397: Warning An open was seen (command=cat /dev/null)")

    def test_iso8601_text(self):
        rc, out, _ = run("-r", self.path("test_rules", "single_rule.yaml"), "-e", self.path("captures", "cat_write.scap"),
                         "-o", "time_format_iso_8601=true")
        self.assertEqual(rc, 0)
        self.assertEqual(out.splitlines()[0],
                         "2016-08-04T16:17:57.881781397+0000: Warning An open was seen (command=cat /dev/null)")

    def test_double_rule_all_events(self):
        rc, out, err = run("-r", self.path("test_rules", "single_rule.yaml"), "-r", self.path("test_rules", "double_rule.yaml"),
                           "-e", self.path("captures", "cat_write.scap"), "-A")
        self.assertEqual(rc, 0, err)
        self.assertIn("Events detected: 15\n", out)
        for line in ("   open_from_cat: 8", "   access_from_cat: 6", "   exec_from_cat: 1",
                     "   WARNING: 8", "   INFO: 6", "   ERROR: 1"):
            self.assertIn(line + "\n", out)
        self.assertEqual(sum(1 for l in out.splitlines() if "was seen" in l), 15)

    def test_double_rule_without_all_events_drops_access(self):
        # access is an event type Falco skips without -A, as in Falco's own test suite
        rc, out, _ = run("-r", self.path("test_rules", "single_rule.yaml"), "-r", self.path("test_rules", "double_rule.yaml"),
                         "-e", self.path("captures", "cat_write.scap"))
        self.assertEqual(rc, 0)
        self.assertIn("Events detected: 9\n", out)
        self.assertNotIn("access_from_cat", out)

    def test_double_rule_alone_fails(self):
        # double_rule.yaml uses is_cat, defined in single_rule.yaml
        rc, _, err = run("-V", self.path("test_rules", "double_rule.yaml"))
        self.assertEqual(rc, 1)
        self.assertIn("double_rule.yaml:", err)
        self.assertIn("undefined macro 'is_cat'", err)

    def test_falco_rules_load_clean_and_stay_quiet(self):
        rules = ["-r", self.path("rules", "falco_rules.yaml"), "-r", self.path("rules", "falco_rules.local.yaml")]
        rc, out, err = run("-V", self.path("rules", "falco_rules.yaml"), "-V", self.path("rules", "falco_rules.local.yaml"))
        self.assertEqual(rc, 0, err)
        self.assertNotIn("warning", err.lower())
        self.assertNotIn("error", err.lower())
        self.assertEqual(out.count("Ok"), 2)
        for cap in CAPTURES:
            with self.subTest(capture=cap):
                rc, out, err = run(*rules, "-e", self.path("captures", cap))
                self.assertEqual(rc, 0, err)
                self.assertNotIn("warning", err.lower())
                self.assertIn("Events detected: 0\n", out)

    def test_list_rules(self):
        rc, out, _ = run("-r", self.path("rules", "falco_rules.yaml"), "-L")
        self.assertEqual(rc, 0)
        self.assertIn("Terminal shell in container", out)
        self.assertEqual(sum(1 for l in out.splitlines()[2:] if l.strip()), 69)

    def test_tags_select_rules(self):
        base = ["-r", self.path("test_rules", "single_rule_with_tags.yaml"), "-e", self.path("captures", "cat_write.scap")]
        rc, out, _ = run(*base)
        self.assertIn("Events detected: 8\n", out)
        rc, out, _ = run(*base, "-T", "filesystem")
        self.assertIn("Events detected: 0\n", out)
        rc, out, _ = run(*base, "-t", "no_such_tag")
        self.assertIn("Events detected: 0\n", out)
        rc, out, _ = run(*base, "-t", "testing")
        self.assertIn("Events detected: 8\n", out)
        rc, out, _ = run(*base, "-D", "from_cat")
        self.assertIn("Events detected: 0\n", out)

    def test_priority_threshold(self):
        base = ["-r", self.path("test_rules", "single_rule.yaml"), "-r", self.path("test_rules", "double_rule.yaml"),
                "-e", self.path("captures", "cat_write.scap"), "-A"]
        rc, out, _ = run(*base, "-o", "priority=warning")
        self.assertIn("Events detected: 9\n", out)  # INFO rule not loaded
        rc, out, _ = run(*base, "-o", "priority=error")
        self.assertIn("Events detected: 1\n", out)

    def test_unreadable_capture(self):
        rc, _, err = run("-r", self.path("test_rules", "single_rule.yaml"), "-e", "/nonexistent/x.scap")
        self.assertEqual(rc, 1)
        self.assertIn("/nonexistent/x.scap", err)


if __name__ == "__main__":
    unittest.main()
