"""Bounded loaders: each hostile but small rules or configuration file is a
clear error naming file and line, within seconds and bounded memory.

Every run is the real binary with -V (or -c), a wall-clock timeout and an
address-space cap (RLIMIT_AS), so that a regression fails fast instead of
eating the shared machine's memory. Without its bound each of these files
hangs or needs gigabytes (see issue 8, item 6)."""

import os
import resource
import signal
import subprocess
import tempfile
import time
import unittest

from engine_testlib import BIN, require_binary

# No run may take more than this much memory: a load that explodes is
# stopped by the kernel, not by the machine running out.
MEM_CAP = 1 << 30
TIMEOUT = 20


def _cap_memory():
    resource.setrlimit(resource.RLIMIT_AS, (MEM_CAP, MEM_CAP))


def _sanitized():
    """True when the binary is built with ASan, whose shadow memory cannot
    be reserved under RLIMIT_AS: its own RSS limit caps it instead."""
    try:
        p = subprocess.run([BIN, "--version"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           preexec_fn=_cap_memory, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return False
    return b"AddressSanitizer" in p.stdout


def _capped_env_and_preexec():
    if not _sanitized():
        return None, _cap_memory
    env = dict(os.environ)
    opts = env.get("ASAN_OPTIONS", "")
    env["ASAN_OPTIONS"] = (opts + ":" if opts else "") + f"hard_rss_limit_mb={MEM_CAP >> 20}"
    return env, None


class LoaderBoundsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        require_binary()
        cls.caps = _capped_env_and_preexec()  # (env, preexec_fn): a tuple, so no method binding

    def setUp(self):
        require_binary()
        self.tmp = tempfile.TemporaryDirectory(prefix="fapi-bounds-")
        self.dir = self.tmp.name
        self.empty_rules = self.write("empty_rules.yaml", "")

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def run_daemon(self, *args):
        """Runs falco-apid ARGS capped; returns (rc, stdout+stderr, seconds)."""
        t0 = time.monotonic()
        p = subprocess.run([BIN, *args], cwd=self.dir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           preexec_fn=self.caps[1], env=self.caps[0], timeout=TIMEOUT)
        return p.returncode, p.stdout.decode(errors="replace"), time.monotonic() - t0

    def validate_rules(self, text, *extra):
        path = self.write("hostile.yaml", text)
        return self.run_daemon("-c", self.write("falco.yaml", ""), *extra, "-V", path)

    def assert_refused(self, rc, out, pattern):
        self.assertEqual(rc, 1, out[-2000:])
        self.assertRegex(out, pattern)

    # ---- rules files -------------------------------------------------

    def test_macro_fan_out_is_bounded(self):
        # m_i uses m_{i-1} twice: 2^31 nodes once expanded (24 GB unbounded).
        text = "- macro: m0\n  condition: proc.name = a\n"
        text += "".join(f"- macro: m{i}\n  condition: m{i-1} and m{i-1}\n" for i in range(1, 31))
        text += "- rule: r\n  desc: d\n  condition: m30\n  output: o\n  priority: INFO\n"
        rc, out, _ = self.validate_rules(text)
        self.assert_refused(rc, out, r"hostile\.yaml:\d+:\d+: macro 'm\d+': the condition has more than 200000 "
                                     r"nodes once its macros are expanded \(engine\.limits\.condition_nodes\)")

    def test_condition_nodes_limit_is_configurable(self):
        text = "- macro: m0\n  condition: proc.name = a\n"
        text += "".join(f"- macro: m{i}\n  condition: m{i-1} and m{i-1}\n" for i in range(1, 6))
        text += "- rule: r\n  desc: d\n  condition: m5\n  output: o\n  priority: INFO\n"
        rc, out, _ = self.validate_rules(text)
        self.assertEqual(rc, 0, out)
        rc, out, _ = self.validate_rules(text, "-o", "engine.limits.condition_nodes=20")
        self.assert_refused(rc, out, r"more than 20 nodes")

    def test_list_fan_out_is_bounded(self):
        # l_i names l_{i-1} twice: 2^24 items (17 s and 12.7 GB unbounded).
        text = "- list: l0\n  items: [a]\n"
        text += "".join(f"- list: l{i}\n  items: [l{i-1}, l{i-1}]\n" for i in range(1, 25))
        text += "- rule: r\n  desc: d\n  condition: proc.name in (l24)\n  output: o\n  priority: INFO\n"
        rc, out, _ = self.validate_rules(text)
        self.assert_refused(rc, out, r"hostile\.yaml:\d+:\d+: list 'l\d+': more than 100000 items once the lists "
                                     r"it names are expanded \(engine\.limits\.list_items\)")

    def test_list_fan_out_in_a_condition_is_bounded(self):
        # The list is small, the condition copies it many times over through
        # macros: the values of a condition count as nodes.
        text = "- list: big\n  items: [" + ", ".join(f"i{k}" for k in range(1000)) + "]\n"
        text += "- macro: m0\n  condition: proc.name in (big)\n"
        text += "".join(f"- macro: m{i}\n  condition: m{i-1} or m{i-1}\n" for i in range(1, 8))
        text += "- rule: r\n  desc: d\n  condition: m7\n  output: o\n  priority: INFO\n"
        rc, out, _ = self.validate_rules(text, "-o", "engine.limits.condition_nodes=50000")
        self.assert_refused(rc, out, r"hostile\.yaml:\d+:\d+: macro 'm\d+': the condition has more than 50000 "
                                     r"nodes once its macros are expanded \(engine\.limits\.condition_nodes\)")
        rc, out, _ = self.validate_rules(text)
        self.assertEqual(rc, 0, out[-2000:])

    def test_list_names_in_a_condition_are_bounded(self):
        # One check names a list many times: the items visited while
        # expanding the lists of one condition are bounded.
        text = "- list: big\n  items: [" + ", ".join(f"i{k}" for k in range(1000)) + "]\n"
        text += "- rule: r\n  desc: d\n  condition: proc.name in (" + ", ".join(["big"] * 200) + ")\n"
        text += "  output: o\n  priority: INFO\n"
        rc, out, _ = self.validate_rules(text)
        self.assert_refused(rc, out, r"hostile\.yaml:\d+:\d+: rule 'r': the condition has more than 100000 list "
                                     r"items once its lists are expanded \(engine\.limits\.list_items\)")

    def test_appends_are_bounded(self):
        # 8,000 appends to one rule (1 GB and quadratic unbounded).
        text = "- rule: r\n  desc: d\n  condition: proc.name = a\n  output: o\n  priority: INFO\n"
        text += "".join(f"- rule: r\n  append: true\n  condition: or proc.name = x{i}\n" for i in range(8000))
        rc, out, _ = self.validate_rules(text)
        self.assert_refused(rc, out, r"hostile\.yaml:\d+:\d+: rule 'r': more than 4096 appends "
                                     r"\(engine\.limits\.appends\)")

    def test_many_appends_within_the_limit_are_linear(self):
        # Under the limit the appends load: in time and memory linear in
        # their total length (each append used to copy the whole condition,
        # whose copies all stayed allocated: about 1 GB for these).
        n = 8000
        pad = "x" * 100
        text = "- macro: m\n  condition: proc.name = a\n"
        text += "".join(f"- macro: m\n  append: true\n  condition: or proc.name = {pad}{i}\n" for i in range(n))
        text += "- rule: r\n  desc: d\n  condition: m\n  output: o\n  priority: INFO\n"
        rc, out, _ = self.validate_rules(text, "-o", f"engine.limits.appends={n}",
                                         "-o", "engine.limits.condition_bytes=4000000")
        self.assertEqual(rc, 0, out[-2000:])

    def test_condition_bytes_are_bounded(self):
        text = "- rule: r\n  desc: d\n  condition: proc.name = a\n  output: o\n  priority: INFO\n"
        text += "".join(f"- rule: r\n  append: true\n  condition: or proc.name = {'y' * 200}{i}\n"
                        for i in range(100))
        rc, out, _ = self.validate_rules(text, "-o", "engine.limits.condition_bytes=10000")
        self.assert_refused(rc, out, r"hostile\.yaml:\d+:\d+: rule 'r': the condition would be longer than 10000 "
                                     r"bytes with this append \(engine\.limits\.condition_bytes\)")

    def test_merge_key_bomb_is_bounded(self):
        # Each mapping merges the previous one ten times, twelve deep: a key
        # lookup visits 10^12 mappings (hangs unbounded).
        text = "- &m0 {a: 1}\n"
        text += "".join(f"- &m{i}\n  <<: [" + ", ".join([f"*m{i-1}"] * 10) + "]\n" for i in range(1, 13))
        text += "- rule: r\n  <<: *m12\n  desc: d\n  condition: proc.name = a\n  output: o\n  priority: INFO\n"
        rc, out, _ = self.validate_rules(text)
        self.assert_refused(rc, out, r"hostile\.yaml:\d+:\d+: the file expands to more than 2000000 YAML nodes once "
                                     r"its aliases are resolved \(engine\.limits\.yaml_nodes\)")

    def test_many_anchors_and_aliases_are_linear(self):
        # 60k anchors, each used once (each alias scanned every anchor
        # before: quadratic).
        n = 60000
        text = "- list: defs\n  items: [" + ", ".join(f"&a{i} v{i}" for i in range(n)) + "]\n"
        text += "- list: uses\n  items: [" + ", ".join(f"*a{i}" for i in range(n)) + "]\n"
        text += "- rule: r\n  desc: d\n  condition: proc.name in (uses)\n  output: o\n  priority: INFO\n"
        rc, out, _ = self.validate_rules(text)
        self.assertEqual(rc, 0, out[-2000:])

    def test_many_tags_are_linear(self):
        # 200k distinct tags on one rule (deduplicated by scanning: quadratic).
        n = 200000
        text = "- rule: r\n  desc: d\n  condition: proc.name = a\n  output: o\n  priority: INFO\n  tags: ["
        text += ", ".join(f"t{i}" for i in range(n)) + "]\n"
        rc, out, _ = self.validate_rules(text)
        self.assertEqual(rc, 0, out[-2000:])

    def test_deep_nesting_is_bounded(self):
        # 100k nested '[' (super-linear in libyaml).
        rc, out, _ = self.validate_rules("[" * 100000)
        self.assert_refused(rc, out, r"hostile\.yaml:1:\d+: sequences and mappings nested deeper than 64 levels "
                                     r"\(engine\.limits\.yaml_depth\)")

    def test_rules_file_size_is_bounded(self):
        rc, out, _ = self.validate_rules("# " + "x" * 5000 + "\n", "-o", "engine.limits.rules_file_bytes=4096")
        self.assert_refused(rc, out, r"hostile\.yaml:1:1: the file is \d+ bytes, more than 4096 "
                                     r"\(engine\.limits\.rules_file_bytes\)")

    # ---- falco.yaml --------------------------------------------------

    def run_config(self, text, *extra):
        return self.run_daemon("-c", self.write("falco.yaml", text), *extra, "-V", self.empty_rules)

    def test_billion_laughs_in_the_configuration_is_bounded(self):
        # 10^10 nodes once expanded (27 s, then out of memory unbounded).
        text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        text += "".join(f"a{i}: &a{i} [" + ", ".join([f"*a{i-1}"] * 10) + "]\n" for i in range(1, 10))
        rc, out, _ = self.run_config(text)
        self.assert_refused(rc, out, r"falco\.yaml:\d+:\d+: the configuration has more than 1000000 YAML nodes once "
                                     r"its aliases are resolved \(config\.limits\.nodes\)")

    def test_configuration_nesting_is_bounded(self):
        rc, out, _ = self.run_config("k: " + "[" * 100000 + "\n")
        self.assert_refused(rc, out, r"falco\.yaml:1:\d+: nesting deeper than 64 levels \(config\.limits\.depth\)")

    def test_configuration_limits_come_from_overrides(self):
        text = "k: " + "[" * 10 + "]" * 10 + "\n"
        rc, out, _ = self.run_config(text)
        self.assertEqual(rc, 0, out)
        rc, out, _ = self.run_config(text, "-o", "config.limits.depth=5")
        self.assert_refused(rc, out, r"falco\.yaml:1:\d+: nesting deeper than 5 levels")
        rc, out, _ = self.run_config("x: " + "y" * 3000 + "\n", "-o", "config.limits.file_bytes=1000")
        self.assert_refused(rc, out, r"falco\.yaml:1:1: \d+ bytes, more than 1000 \(config\.limits\.file_bytes\)")

    def test_many_configuration_keys_are_linear(self):
        # 300k keys in one mapping (each looked up by a scan: quadratic).
        text = "big:\n" + "".join(f"  k{i}: {i}\n" for i in range(300000))
        rc, out, _ = self.run_config(text, "-o", "config.limits.file_bytes=100000000")
        self.assertEqual(rc, 0, out[-2000:])

    def test_many_configuration_anchors_are_linear(self):
        n = 60000
        text = "x:\n" + "".join(f"  a{i}: &n{i} {i}\n" for i in range(n))
        text += "y:\n" + "".join(f"  b{i}: *n{i}\n" for i in range(n))
        rc, out, _ = self.run_config(text)
        self.assertEqual(rc, 0, out[-2000:])

    def test_many_load_modules_are_linear(self):
        # 100k names, the last a duplicate: found without a quadratic scan.
        text = "load_modules:\n" + "".join(f"  - m{i}\n" for i in range(100000)) + "  - m5\n"
        rc, out, _ = self.run_config(text)
        self.assert_refused(rc, out, r"load_modules lists 'm5' twice")

    # ---- signals -----------------------------------------------------

    def test_sigterm_stops_a_load_at_once(self):
        # A load that takes long (many macros of the maximum size allowed):
        # SIGTERM ends it at once instead of waiting for the load to end.
        text = "- macro: m0\n  condition: proc.name = a\n"
        text += "".join(f"- macro: m{i}\n  condition: m{i-1} and m{i-1}\n" for i in range(1, 16))
        text += "".join(f"- rule: r{k}\n  desc: d\n  condition: m15 and proc.name = r{k}\n  output: o\n"
                        f"  priority: INFO\n" for k in range(2000))
        path = self.write("slow.yaml", text)
        for sig in (signal.SIGTERM, signal.SIGINT):
            p = subprocess.Popen([BIN, "-c", self.write("falco.yaml", ""), "-V", path], cwd=self.dir,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=self.caps[1],
                                 env=self.caps[0])
            try:
                time.sleep(1.0)
                self.assertIsNone(p.poll(), "the load should still be running")
                t0 = time.monotonic()
                p.send_signal(sig)
                p.wait(timeout=5)
                self.assertLess(time.monotonic() - t0, 5)
                self.assertNotEqual(p.returncode, 0)
            finally:
                if p.poll() is None:
                    p.kill()
                    p.wait()


if __name__ == "__main__":
    unittest.main()
