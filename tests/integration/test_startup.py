"""Start-up decisions and exit codes, as in Falco 0.31.1:

- a capture named in falco.yaml (engine.capture.file) that cannot be read
  stops the start-up with exit 1 and the file named;
- no event source at all (no capture, no driver, no inputs module) exits 1
  with the reason; the kernel-module message names the device this libscap
  opens and Falco's (/dev/falco0); with the inputs module the daemon starts;
- no rules file exits 1 with Falco's message, unless the rules module is
  loaded (rules may then come through the API): it starts without rules;
- FALCO_BPF_PROBE selects the eBPF probe, as in Falco (empty: the probe
  Falco installs under $HOME/.falco); engine.live.probe wins over it.

The `rules` and `inputs` modules here are stand-ins built from
tests/modules/abi_variant.c: the daemon only looks at the names."""

import os
import signal
import tempfile
import shutil
import subprocess
import unittest

import grpc

from fapi_testlib import BIN, EMPTY_RULES, QUIET_CAPTURE, SLOW, TEST_MODULE_DIR, DaemonTest, unary

import version_pb2

# the test library's capture taken away
NO_CAPTURE = {"engine": {"capture": {}}}
NO_RULES_MSG = "You must specify at least one rules file/directory via -r or a rules_file entry in falco.yaml"


def stand_in(name):
    return {"name": name, "library_path": os.path.join(TEST_MODULE_DIR, "mod_%s.so" % name)}


class StartupTest(DaemonTest):
    def setUp(self):
        super().setUp()
        self.tmp = tempfile.mkdtemp(prefix="fapi-startup-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def fails(self, config=None, args=(), env=None):
        """Starts a daemon that must exit 1 before it is ready; its log."""
        saved = dict(os.environ)
        os.environ.update(env or {})
        try:
            d = self.start_daemon(config=config, args=args, expect_ready=False)
        finally:
            os.environ.clear()
            os.environ.update(saved)
        self.assertEqual(d.wait(), 1, d.log())
        log = d.log()
        self.assertNotIn("ready", log)
        self.assertFalse(os.path.exists(d.socket), "a listener was opened:\n" + log)
        return log

    def no_driver(self):
        if os.path.exists("/dev/scap0"):
            self.skipTest("a kernel driver is loaded here")

    def version(self, d):
        with grpc.insecure_channel(d.target) as ch:
            return unary(ch, "/falco.version.service/version", version_pb2.request, version_pb2.response)(
                version_pb2.request(), timeout=10 * SLOW)

    # -- the capture -----------------------------------------------------------------

    def test_unreadable_capture_in_falco_yaml_exits_1(self):
        garbage = os.path.join(self.tmp, "garbage.scap")
        with open(garbage, "wb") as f:
            f.write(b"not a capture\n" * 10)
        for cap in (os.path.join(self.tmp, "missing.scap"), garbage):
            with self.subTest(cap=cap):
                log = self.fails(config={"engine": {"capture": {"file": cap}}})
                self.assertIn("Could not open trace filename %s for reading" % cap, log)

    # -- no source -------------------------------------------------------------------

    def test_live_disabled_and_no_capture_exits_1(self):
        log = self.fails(config={"engine": {"capture": {}, "live": {"enabled": False}}})
        self.assertIn("no event source: engine.live.enabled is false and no capture is given", log)

    def test_missing_driver_exits_1_naming_both_devices(self):
        self.no_driver()
        log = self.fails(config=NO_CAPTURE)
        self.assertIn("no event source", log)
        self.assertIn("/dev/scap0", log)
        self.assertIn("/dev/falco0", log)

    def test_disabled_syscall_source_and_no_capture_exits_1(self):
        log = self.fails(config=NO_CAPTURE, args=["--disable-source", "syscall"])
        self.assertIn("no event source: the live feed of syscall is disabled (--disable-source). Give a capture", log)

    def test_inputs_module_is_a_source(self):
        self.no_driver()
        d = self.start_daemon(config={"engine": {"capture": {}}, "load_modules": ["version", "inputs"],
                                      "modules": [stand_in("inputs")]})
        self.assertIn("events come from the inputs module only", d.log())
        self.assertEqual(self.version(d).version, "0.1.0")
        log = self.stop_clean(d)
        self.assertNotIn("Events detected", d.stdout())  # no source ran
        self.assertIn("WARNING [engine]", log)

    # -- no rules --------------------------------------------------------------------

    def test_no_rules_file_exits_1_with_falcos_message(self):
        log = self.fails(config={"rules_file": []})
        self.assertIn(NO_RULES_MSG, log)
        empty_dir = os.path.join(self.tmp, "rules.d")
        os.mkdir(empty_dir)
        log = self.fails(config={"rules_file": [empty_dir]})
        self.assertIn(NO_RULES_MSG, log)

    def test_no_rules_in_batch_mode_exits_1(self):
        p = subprocess.run([BIN, "-e", QUIET_CAPTURE], capture_output=True, text=True, timeout=60 * SLOW)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn(NO_RULES_MSG, p.stderr)
        self.assertNotIn("Events detected", p.stdout)

    def test_rules_module_starts_without_rules(self):
        d = self.start_daemon(config={"rules_file": [], "load_modules": ["version", "rules"],
                                      "modules": [stand_in("rules")]})
        self.assertIn("no rules file given: starting without rules", d.log())
        self.assertEqual([m.name for m in self.version(d).modules], ["version", "rules"])
        self.stop_clean(d)
        self.assertIn("Events detected: 0", d.stdout())  # the capture ran, over no rules

    def test_an_empty_rules_file_is_a_rules_file(self):
        d = self.start_daemon(config={"rules_file": [EMPTY_RULES]})
        self.assertIn("0 rules loaded from 1 path(s)", d.log())
        self.stop_clean(d)

    # -- FALCO_BPF_PROBE -------------------------------------------------------------

    def test_falco_bpf_probe_selects_the_ebpf_probe(self):
        probe = os.path.join(self.tmp, "no-such-probe.o")
        log = self.fails(config=NO_CAPTURE, env={"FALCO_BPF_PROBE": probe})
        self.assertIn("eBPF probe '%s' not found" % probe, log)

    def test_empty_falco_bpf_probe_means_falcos_default_path(self):
        log = self.fails(config=NO_CAPTURE, env={"FALCO_BPF_PROBE": "", "HOME": self.tmp})
        self.assertIn("eBPF probe '%s/.falco/falco-bpf.o' not found" % self.tmp, log)

    def test_engine_live_probe_wins_over_falco_bpf_probe(self):
        mine = os.path.join(self.tmp, "mine.o")
        log = self.fails(config={"engine": {"capture": {}, "live": {"probe": mine}}},
                         env={"FALCO_BPF_PROBE": os.path.join(self.tmp, "env.o")})
        self.assertIn("eBPF probe '%s' not found" % mine, log)
        self.assertNotIn("env.o", log)

    def test_a_readable_probe_gets_past_the_checks(self):
        # a file that exists is handed to libscap, whose own error is shown:
        # the variable was honoured all the way to the loader
        probe = os.path.join(self.tmp, "junk.o")
        with open(probe, "wb") as f:
            f.write(b"\0" * 64)
        log = self.fails(config=NO_CAPTURE, env={"FALCO_BPF_PROBE": probe})
        self.assertIn("cannot load eBPF probe '%s'" % probe, log)


if __name__ == "__main__":
    unittest.main()
