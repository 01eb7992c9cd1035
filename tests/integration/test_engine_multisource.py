"""Several event sources in one engine, as Falco 0.31 runs them: the syscall
and k8s_audit rule files load together (k8s_audit rules wait for their
source's backend without changing the syscall alerts), --list prints every
registered source's fields or one source's, an unknown source is an error,
and --disable-source follows Falco 0.31 (a disabled source's live feed is
not opened; disabling both syscall and k8s_audit is refused)."""

import os
import unittest

import engine_testlib as lib

SHARED = os.environ.get("FAPI_SHARED_DIR", "")


def shared_rules(name):
    path = os.path.join(SHARED, "rules", name)
    return path if SHARED and os.path.isfile(path) else None


SYS_RULES = """
- rule: open_etc
  desc: an open under /etc
  condition: evt.type in (open, openat) and evt.dir = < and fd.name startswith /etc
  output: "open %fd.name by %proc.name"
  priority: WARNING
"""

K8S_RULES = """
- rule: k8s_create
  desc: a create in the k8s audit log
  condition: ka.verb = create and ka.target.resource = pods
  output: "k8s create %ka.target.name"
  priority: WARNING
  source: k8s_audit
- rule: plugin_rule
  desc: a source nobody registered
  condition: some.field = 1
  output: "x"
  priority: WARNING
  source: someplugin
"""


class MultiSourceTest(lib.EngineTest):
    def test_k8s_rules_load_beside_syscall_rules(self):
        sys_rules = self.rules_file(SYS_RULES)
        alone = self.run_ok(sys_rules)
        self.assertTrue(alone.alerts, alone.describe())
        both = self.run_ok([sys_rules, self.rules_file(K8S_RULES)])
        self.assertEqual(both.alerts, alone.alerts)
        # Falco's unknown-source warning for the plugin source only
        self.assertIn("Rule plugin_rule: warning (unknown-source): unknown source someplugin, skipping",
                      both.messages, both.describe())
        self.assertFalse([m for m in both.messages if "k8s_create" in m], both.describe())

    def test_falco_default_rule_files_load_together(self):
        falco, k8s = shared_rules("falco_rules.yaml"), shared_rules("k8s_audit_rules.yaml")
        if not falco or not k8s:
            self.skipTest("Falco's rules are absent (FAPI_SHARED_DIR)")
        alone = self.run_ok(falco)
        both = self.run_ok([falco, k8s])
        self.assertEqual(both.alerts, alone.alerts)
        listed = self.run_engine([falco, k8s], cap=False, args=["-L"])
        self.assertEqual(listed.rc, 0, listed.describe())
        self.assertIn("Create Disallowed Pod", listed.stdout)

    def test_list_by_source(self):
        every = self.run_engine(cap=False, args=["--list"])
        self.assertEqual(every.rc, 0, every.describe())
        syscall = self.run_engine(cap=False, args=["--list=syscall"])
        self.assertEqual(syscall.rc, 0, syscall.describe())
        self.assertIn("Event Sources:                syscall", syscall.stdout)
        self.assertIn("\nproc.name ", syscall.stdout)
        # --list prints the syscall fields and those of every other
        # registered source; all of the syscall listing is in it
        self.assertIn(syscall.stdout, every.stdout)
        bad = self.run_engine(cap=False, args=["--list=nosuchsource"])
        self.assertEqual(bad.rc, 1, bad.describe())
        self.assertIn("Value for --list must be a valid source type", bad.stderr)
        self.assertEqual(bad.stdout, "")

    def test_disable_source(self):
        rules = self.rules_file(SYS_RULES)
        base = self.run_ok(rules)
        # a disabled source's capture still replays, as in Falco 0.31
        off = self.run_ok(rules, args=["--disable-source", "k8s_audit"])
        self.assertEqual(off.alerts, base.alerts)
        both = self.run_engine(rules, args=["--disable-source", "syscall", "--disable-source", "k8s_audit"])
        self.assertEqual(both.rc, 1, both.describe())
        self.assertIn('The event source "syscall" and "k8s_audit" can not be disabled together', both.stderr)
        missing = self.run_engine(rules, args=["--disable-source"])
        self.assertEqual(missing.rc, 1, missing.describe())
        self.assertIn("--disable-source needs an argument", missing.stderr)

    def test_disabled_syscall_opens_no_live_feed(self):
        rules = self.rules_file(SYS_RULES)
        sock = os.path.join(self.tmp, "s.sock")
        r = self.run_engine(rules, cap=False, args=["--disable-source", "syscall", "-M", "1",
                                                     "-o", "grpc.bind_address=unix://" + sock])
        self.assertEqual(r.rc, 1, r.describe())
        self.assertIn("the live feed of syscall is disabled", r.stderr)


if __name__ == "__main__":
    unittest.main()
