"""The table of configuration keys at start-up: modules' own keys are
checked before their init, the daemon's keys before anything starts."""

import unittest

from fapi_testlib import DaemonTest


class ConfigKeysTest(DaemonTest):
    def test_module_key_of_wrong_type_refused_naming_module_and_key(self):
        d = self.start_daemon(config={"load_modules": ["version", "outputs"],
                                      "modules": [{"name": "outputs", "config": {"queue_capacity": "lots"}}]},
                              expect_ready=False)
        self.assertEqual(d.wait(), 1)
        self.assertRegex(d.log(), r"module outputs: modules\[outputs\]\.config: .*falco\.yaml:\d+:\d+: "
                                  r"key 'queue_capacity' must be an integer, got 'lots'")
        self.assertNotIn("ready", d.log())

    def test_module_key_out_of_range_refused(self):
        d = self.start_daemon(config={"load_modules": ["version", "outputs"],
                                      "modules": [{"name": "outputs", "config": {"max_subscribers": 0}}]},
                              expect_ready=False)
        self.assertEqual(d.wait(), 1)
        self.assertIn("module outputs: modules[outputs].config: ",
                      d.log())
        self.assertIn("max_subscribers must be between 1 and 16777216, got 0", d.log())

    def test_module_key_unknown_is_warned_and_good_ones_apply(self):
        d = self.start_daemon(config={"load_modules": ["version", "outputs"],
                                      "modules": [{"name": "outputs",
                                                   "config": {"queue_capacity": 64, "queue_capacty": 1}}]})
        self.assertIn("module outputs: modules[outputs].config: ", d.log())
        self.assertIn("unknown configuration key 'queue_capacty'", d.log())
        self.stop_clean(d)

    def test_daemon_enum_key_checked(self):
        d = self.start_daemon(config={"priority": "severe"}, expect_ready=False)
        self.assertEqual(d.wait(), 1)
        self.assertRegex(d.log(), r"falco\.yaml:\d+:\d+: key 'priority' must be one of emergency, alert")


if __name__ == "__main__":
    unittest.main()
