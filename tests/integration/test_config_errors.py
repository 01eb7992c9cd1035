"""Startup errors are precise and fatal; unknown keys are warned about."""

import os
import unittest

from fapi_testlib import TEST_MODULE_DIR, Daemon, DaemonTest


class ConfigErrorTest(DaemonTest):
    def test_malformed_yaml_names_file_line_column(self):
        d = Daemon()
        self.daemons.append(d)
        with open(d.config_path, "a") as f:
            f.write("grpc: [unclosed\n")
        d.start(expect_ready=False)
        self.assertEqual(d.wait(), 1)
        self.assertRegex(d.log(), r"falco\.yaml:\d+:\d+: ")

    def test_wrong_type_names_position(self):
        d = self.start_daemon(config={"grpc": {"threadiness": "many"}}, expect_ready=False)
        self.assertEqual(d.wait(), 1)
        self.assertRegex(d.log(), r"falco\.yaml:1:\d+: key 'grpc.threadiness' must be an integer, got 'many'")

    def test_unknown_key_is_warned_not_fatal(self):
        d = self.start_daemon(config={"grpc_ouput": {"enabled": True}})
        self.assertIn("unknown configuration key 'grpc_ouput'", d.log())
        self.stop_clean(d)

    def test_override_applies(self):
        d = self.start_daemon(args=["-o", "load_modules=[]"])
        self.assertIn("no module loaded", d.log())
        self.stop_clean(d)

    def test_bad_override_is_fatal(self):
        d = self.start_daemon(args=["-o", "load_modules[5]=x"], expect_ready=False)
        self.assertEqual(d.wait(), 1)
        self.assertIn("past the end", d.log())

    def test_override_errors_name_the_override(self):
        d = self.start_daemon(args=["-o", "grpc.threadiness=abc"], expect_ready=False)
        self.assertEqual(d.wait(), 1)
        self.assertIn("-o grpc.threadiness=abc: key 'grpc.threadiness' must be an integer, got 'abc'", d.log())
        self.assertNotIn("-o:", d.log())
        d = self.start_daemon(args=["-o", "grpc_ouput.enabled=true"])
        self.assertIn("-o grpc_ouput.enabled=true: unknown configuration key 'grpc_ouput'", d.log())
        self.stop_clean(d)

    def test_unknown_cli_flag(self):
        d = self.start_daemon(args=["--bogus"], expect_ready=False)
        self.assertEqual(d.wait(), 1)

    def test_bad_modules_stop_startup_with_file_and_reason(self):
        cases = {
            "mod_badmajor.so": "major differs",
            "mod_newerminor.so": "upgrade falco-apid",
            "mod_badmagic.so": "bad magic",
            "mod_nosym.so": "symbol fapi_module_v1 not found",
            "mod_shortstruct.so": "module descriptor is 16 bytes",
            "mod_noinit.so": "required callback 'init' is missing",
        }
        for lib, reason in cases.items():
            with self.subTest(lib=lib):
                path = os.path.join(TEST_MODULE_DIR, lib)
                d = self.start_daemon(config={"load_modules": ["version", "x"],
                                              "modules": [{"name": "x", "library_path": path}]},
                                      expect_ready=False)
                self.assertEqual(d.wait(), 1, d.log())
                log = d.log()
                self.assertIn(lib, log)
                self.assertIn(reason, log)
                self.assertNotIn("ready", log)

    def test_module_failing_start_tears_down(self):
        good = os.path.join(TEST_MODULE_DIR, "mod_good.so")
        bad = os.path.join(TEST_MODULE_DIR, "mod_failstart.so")
        d = self.start_daemon(config={"load_modules": ["good", "failstart"],
                                      "modules": [{"name": "good", "library_path": good},
                                                  {"name": "failstart", "library_path": bad}]},
                              expect_ready=False)
        self.assertEqual(d.wait(), 1)
        self.assertIn("start failed: refusing to start on purpose", d.log())


if __name__ == "__main__":
    unittest.main()
