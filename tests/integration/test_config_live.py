"""The configuration while the daemon runs: the configuration host
functions (through tests/modules/configops.c, a stand-in named `configs`),
the overlay, hot keys on a running replay, SIGHUP and watch_config_files."""

import os
import re
import shutil
import signal
import tempfile
import time
import unittest

from fapi_testlib import BUILD_DIR, SLOW, TEST_MODULE_DIR, Daemon, DaemonTest

HERE = os.path.dirname(os.path.abspath(__file__))
RULES = os.path.normpath(os.path.join(HERE, "..", "fixtures", "rules", "engine_cli.yaml"))
CAPTURE = os.path.join(BUILD_DIR, "captures", "basic.scap")
ALERT = re.compile(r": (Emergency|Alert|Critical|Error|Warning|Notice|Informational|Debug) ")

EXTRA_RULE = """
- rule: ls_started
  desc: ls was started
  condition: evt.type = execve and evt.dir = < and proc.name = ls
  output: "ls %proc.pid"
  priority: INFO
"""


class LiveConfigTest(DaemonTest):
    def setUp(self):
        super().setUp()
        self.dir = tempfile.mkdtemp(prefix="fapi-live-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.trigger = os.path.join(self.dir, "trigger")
        self.state = os.path.join(self.dir, "state")
        self.rules = os.path.join(self.dir, "rules", "rules.yaml")
        os.makedirs(os.path.dirname(self.rules))
        shutil.copy(RULES, self.rules)

    def daemon(self, extra=None, watch=False, rate=2000):
        cfg = {
            "load_modules": ["version", "outputs", "configs"],
            "modules": [{"name": "configs", "library_path": os.path.join(TEST_MODULE_DIR, "mod_configops.so"),
                         "config": {"state_dir": self.state, "trigger": self.trigger}}],
            "rules_file": [self.rules],
            "engine": {"capture": {"file": CAPTURE, "loop": 0, "rate": rate}},
            "watch_config_files": watch,
        }
        cfg.update(extra or {})
        d = Daemon(cfg, workdir=None)
        self.daemons.append(d)
        return d

    def run_commands(self, d, *lines):
        """Runs the lines through the module; returns the log they produced."""
        before = len(d.log())
        tmp = self.trigger + ".tmp"
        with open(tmp, "w") as f:
            f.write("\n".join(lines) + "\n")
        os.rename(tmp, self.trigger)
        deadline = time.time() + 20 * SLOW
        while time.time() < deadline:
            log = d.log()[before:]
            if "configops: done" in log:
                return log
            time.sleep(0.01)
        raise AssertionError("the commands never ran:\n" + d.log())

    def wait_alerts(self, d, since, count, timeout=15):
        deadline = time.time() + timeout * SLOW
        while time.time() < deadline:
            found = ALERT.findall(d.stdout()[since:])
            if len(found) >= count:
                return found
            time.sleep(0.02)
        raise AssertionError("fewer than %d alerts after offset %d:\n%s" % (count, since, d.stdout()[since:][-2000:]))

    def test_hot_priority_on_a_running_replay_then_reset(self):
        d = self.daemon().start()
        self.assertTrue({"Warning", "Debug"} & set(self.wait_alerts(d, 0, 20)))
        out = self.run_commands(d, "set priority=error")
        self.assertIn("configops: set rc=0 revision=2 pending=[] key=- err=-", out)
        self.assertIn("configops: changed priority: debug -> error", out)
        mark = len(d.stdout())
        after = self.wait_alerts(d, mark, 30)
        self.assertEqual(set(after) - {"Error", "Critical"}, set(), after)
        # The overlay keeps it, and the listing says where it comes from.
        with open(os.path.join(self.state, "overlay.yaml")) as f:
            self.assertIn("priority: error", f.read())
        out = self.run_commands(d, "list priority")
        self.assertIn("entry priority type=5 value=error origin=api reload=hot pending=0", out)
        out = self.run_commands(d, "reset priority")
        self.assertIn("configops: reset rc=0 revision=3", out)
        mark = len(d.stdout())
        self.assertIn("Warning", self.wait_alerts(d, mark, 40))
        self.stop_clean(d)

    def test_hot_json_output_and_rate(self):
        d = self.daemon().start()
        self.wait_alerts(d, 0, 5)
        out = self.run_commands(d, "set json_output=true json_include_tags_property=false")
        self.assertIn("set rc=0", out)
        mark = len(d.stdout())
        deadline = time.time() + 10 * SLOW
        while time.time() < deadline and d.stdout()[mark:].count('"rule":') < 5:
            time.sleep(0.02)
        lines = [l for l in d.stdout()[mark:].splitlines() if l.startswith("{")]
        self.assertGreaterEqual(len(lines), 5, d.stdout()[mark:][-1000:])
        self.assertNotIn('"tags"', lines[-1])
        self.stop_clean(d)

    def test_restart_class_key_is_pending_then_applied_after_restart(self):
        d = self.daemon().start()
        out = self.run_commands(d, "set grpc.threadiness=3 modules.outputs.queue_capacity=64")
        self.assertIn("pending=[grpc.threadiness,modules.outputs.queue_capacity]", out)
        out = self.run_commands(d, "list grpc.threadiness", "list modules.outputs")
        self.assertIn("entry grpc.threadiness type=2 value=3 origin=api reload=restart pending=1 running=2", out)
        self.assertIn("entry modules.outputs.queue_capacity type=2 value=64 origin=api reload=restart pending=1 "
                      "running=(unset)".replace("running=(unset)", "running=-"), out)
        self.assertIn("entry modules.outputs.max_subscribers type=2 value=(unset) origin=default", out)
        self.stop_clean(d)
        d2 = self.daemon().start()
        self.assertIn("serving", d2.log())
        self.assertIn("with 3 thread(s)", d2.log())
        out = self.run_commands(d2, "list grpc.threadiness", "list modules.outputs.queue_capacity")
        self.assertIn("entry grpc.threadiness type=2 value=3 origin=api reload=restart pending=0", out)
        self.assertIn("entry modules.outputs.queue_capacity type=2 value=64 origin=api reload=restart pending=0", out)
        self.stop_clean(d2)

    def test_refusals_name_the_key_and_change_nothing(self):
        d = self.daemon().start()
        out = self.run_commands(
            d,
            "set outputs.rate=fast",
            "set no.such.key=1",
            "set grpc.threadiness=999",
            "set priority=error grpc.bind_address=127.0.0.1:5060",
            "set modules.outputs.queue_capacity=zero",
            "set @7 priority=error",
            "validate priority=error",
            "list priority",
        )
        self.assertIn("set rc=-1 revision=1 pending=[] key=outputs.rate err=", out)
        self.assertIn("err=api: key 'outputs.rate' must be an integer, got 'fast'", out)
        self.assertIn("key=no.such.key err=unknown configuration key 'no.such.key'", out)
        self.assertIn("grpc.threadiness must be between 0 and 256, got 999", out)
        self.assertIn("refusing to listen on 127.0.0.1:5060 without mutual TLS", out)
        self.assertIn("key=modules.outputs.queue_capacity", out)
        self.assertIn("set rc=-10 revision=1", out)
        self.assertIn("validate rc=0 revision=1", out)
        self.assertIn("entry priority type=5 value=debug origin=default", out)
        self.assertFalse(os.path.exists(os.path.join(self.state, "overlay.yaml")))
        self.stop_clean(d)

    def test_sighup_reloads_rules_and_a_broken_file_keeps_them(self):
        d = self.daemon(rate=4000).start()
        with open(self.rules, "a") as f:
            f.write(EXTRA_RULE)
        d.proc.send_signal(signal.SIGHUP)
        d.wait_log("rules reloaded: generation 2")
        self.assertIn("received SIGHUP: reloading", d.log())
        with open(self.rules, "a") as f:
            f.write("- rule: broken\n  condition: evt.type = \n")
        d.proc.send_signal(signal.SIGHUP)
        d.wait_log("reload failed, the running configuration and rules stay")
        self.assertRegex(d.log(), r"ERROR \[engine\] .*rules\.yaml:\d+:\d+")
        mark = len(d.stdout())
        self.assertIn("Error", self.wait_alerts(d, mark, 10))
        # SIGTERM still stops it at once.
        t0 = time.time()
        self.assertEqual(d.stop(), 0)
        self.assertLess(time.time() - t0, 10 * SLOW)

    def test_watch_in_place_rename_and_broken_edit(self):
        d = self.daemon(watch=True).start()
        with open(self.rules, "a") as f:  # in place
            f.write(EXTRA_RULE)
        d.wait_log("rules reloaded: generation 2")
        self.assertIn("a watched configuration or rules file changed", d.log())
        tmp = self.rules + ".new"  # by rename, as editors do
        with open(RULES) as src, open(tmp, "w") as f:
            f.write(src.read())
        os.rename(tmp, self.rules)
        d.wait_log("rules reloaded: generation 3")
        with open(self.rules, "a") as f:
            f.write("- rule: broken\n  condition: evt.type = \n")
        d.wait_log("reload failed")
        mark = len(d.stdout())
        self.wait_alerts(d, mark, 5)
        with open(RULES) as src, open(tmp, "w") as f:
            f.write(src.read())
        os.rename(tmp, self.rules)
        d.wait_log("rules reloaded: generation 4")
        # falco.yaml itself is watched too: a hot key edited in the file.
        with open(d.config_path, "a") as f:
            f.write("priority: error\n")
        d.wait_log("reloaded (configuration revision 2)")
        self.assertIn("rules reloaded: generation 5", d.log())
        mark = len(d.stdout())
        self.assertEqual(set(self.wait_alerts(d, mark, 20)) - {"Error", "Critical"}, set())
        rc = d.stop()
        self.assertEqual(rc, 0, d.log())


if __name__ == "__main__":
    unittest.main()
