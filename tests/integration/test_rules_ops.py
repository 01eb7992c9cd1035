"""The rules operations of the host table (ABI 1.4), through the
tests/modules/rulesops.c module: its start() applies rules documents as
the rules module applies its persisted files.

- the documents apply before the engine reads its first event: the alerts
  of a rule applied from start() are those of the same rule in a config
  rules file, from the first event on;
- the running set is config files then module documents, one set: the
  module's document uses the config file's macro; rules_list names each
  file's origin and sha256, each rule's origin, file and line; a tag
  toggle disables the rules it names;
- a failing document stops the start-up (exit 1) naming file, line and
  column, and every error of the set is reported;
- rules_validate reports errors and warnings with positions and codes and
  changes nothing.
"""

import hashlib
import os
import re
import time
import unittest

from fapi_testlib import QUIET_CAPTURE, SLOW, TEST_MODULE_DIR, DaemonTest

CONFIG_RULES = """\
- macro: early
  condition: evt.num > 0 and evt.num < 60
- rule: config_rule
  desc: from the config
  condition: early and evt.num < 5
  output: CONFIG_HIT %evt.num
  priority: WARNING
  tags: [cfg]
"""

API_RULES = """\
- rule: api_rule
  desc: from the api
  condition: early and evt.num > 1
  output: API_HIT %evt.num
  priority: ERROR
  tags: [api]
- rule: api_toggled
  desc: disabled by the toggle
  condition: early
  output: TOGGLED_HIT %evt.num
  priority: ERROR
  tags: [off]
"""


class RulesOpsTest(DaemonTest):
    def setUp(self):
        super().setUp()
        self.tmp = self.enterContext_tmp()

    def enterContext_tmp(self):
        import tempfile
        import shutil
        d = tempfile.mkdtemp(prefix="fapi-rulesops-")
        self.addCleanup(shutil.rmtree, d, True)
        return d

    def write(self, name, text):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def config(self, docs, **extra):
        mod = {"docs": docs}
        mod.update(extra)
        return {
            "load_modules": ["version", "rulesops"],
            "modules": [{"name": "rulesops", "library_path": os.path.join(TEST_MODULE_DIR, "mod_rulesops.so"),
                         "config": mod}],
            "rules_file": [self.write("config.yaml", CONFIG_RULES)],
            "engine": {"capture": {"file": QUIET_CAPTURE, "loop": 1}},
        }

    def reference_hits(self):
        """API_HIT lines of a batch replay with both files as config files."""
        both = self.write("both.yaml", API_RULES)
        d = self.start_daemon(config={"rules_file": [self.write("config.yaml", CONFIG_RULES), both]},
                              args=["-e", QUIET_CAPTURE], expect_ready=False)
        self.assertEqual(d.wait(), 0, d.log())
        hits = [l for l in d.stdout().splitlines() if "API_HIT" in l]
        self.assertTrue(hits, d.stdout())
        return hits

    def test_applied_before_first_event(self):
        want = self.reference_hits()
        api = self.write("10-api.yaml", API_RULES)
        d = self.start_daemon(config=self.config([api], disable_tag="off"))
        deadline = time.time() + 20 * SLOW
        while time.time() < deadline and sum("API_HIT" in l for l in d.stdout().splitlines()) < len(want):
            time.sleep(0.05)
        log = self.stop_clean(d)
        out = d.stdout()
        got = [l for l in out.splitlines() if "API_HIT" in l]
        self.assertEqual(got, want, log)
        self.assertIn("CONFIG_HIT", out)
        self.assertNotIn("TOGGLED_HIT", out)
        # rules_list as the module logged it
        sha_cfg = hashlib.sha256(CONFIG_RULES.encode()).hexdigest()
        sha_api = hashlib.sha256(API_RULES.encode()).hexdigest()
        self.assertIn("file %s origin=1 module= sha256=%s" % (os.path.join(self.tmp, "config.yaml"), sha_cfg), log)
        self.assertIn("file 10-api.yaml origin=2 module=rulesops sha256=%s" % sha_api, log)
        self.assertIn("rule config_rule enabled=1 origin=1 at %s:3 priority=WARNING tags=1"
                      % os.path.join(self.tmp, "config.yaml"), log)
        self.assertIn("rule api_rule enabled=1 origin=2 at 10-api.yaml:1 priority=ERROR", log)
        self.assertIn("rule api_toggled enabled=0 origin=2 at 10-api.yaml:7", log)
        self.assertIn("applied 1 document(s): generation 2", log)
        self.assertIn("generation 2", log)

    def test_failing_document_stops_startup(self):
        bad = self.write("20-bad.yaml", "- rule: broken\n  desc: d\n  condition: no_such_macro\n"
                                        "  output: o\n  priority: INFO\n")
        d = self.start_daemon(config=self.config([self.write("10-api.yaml", API_RULES), bad]),
                              expect_ready=False)
        self.assertEqual(d.wait(), 1, d.log())
        log = d.log()
        self.assertNotIn("ready", log)
        self.assertRegex(log, r"20-bad\.yaml:3:\d+: rule 'broken': undefined macro 'no_such_macro'")

    def test_validate_reports_and_changes_nothing(self):
        api = self.write("10-api.yaml", API_RULES)
        # A macro of the config file broken by an append, and a rule
        # without evt.type (a warning with Falco's code).
        extra = self.write("30-extra.yaml", "- macro: early\n  condition: and (\n  append: true\n"
                                            "- rule: wide\n  desc: d\n  condition: proc.name = x\n"
                                            "  output: o\n  priority: INFO\n")
        d = self.start_daemon(config=self.config([api], validate=extra))
        log = self.stop_clean(d)
        self.assertIn("validate: rc=-1 errors=", log)
        # the appended condition is compiled where the macro is defined
        self.assertRegex(log, r"diag error %s:2:14 \[macro 'early'\] \(\) unexpected end of input"
                         % re.escape(os.path.join(self.tmp, "config.yaml")))
        self.assertRegex(log, r"diag warning 30-extra\.yaml:4:3 \[rule 'wide'\] \(no-evttype\) matches too many")
        # the set did not change: generation 2 is the module's apply
        self.assertIn("generation 2", log)
        self.assertNotIn("rule wide", log)


if __name__ == "__main__":
    unittest.main()
