"""A module built against the real ABI 1.1 headers (tests/modules/abi11,
frozen from git history) loads into the 1.4 host and works: its unary
method is served, its alert subscription's filter and notify run, and what
it reads through the 1.1 layouts (alert_view, alert_sub_stats,
version_info, module_info) is right. A 1.4 module beside it (version) gets
the size-first layouts."""

import os
import re
import time
import unittest

import grpc

from fapi_testlib import ABI_MINOR, QUIET_CAPTURE, SLOW, TEST_MODULE_DIR, DaemonTest, unary

import streamtest_pb2 as st
import version_pb2

HOST_ABI = "1.%d" % ABI_MINOR

RULES = """\
- rule: keep_rule
  desc: kept by the module's filter
  condition: evt.num > 0 and evt.num < 20
  output: keep %proc.name
  priority: WARNING
  tags: [a, b]
- rule: skip_rule
  desc: refused by the module's filter
  condition: evt.num >= 20 and evt.num < 40
  output: skip %proc.name
  priority: ERROR
"""


class Abi11ModuleTest(DaemonTest):
    def test_abi11_module_works(self):
        import tempfile
        import shutil
        tmp = tempfile.mkdtemp(prefix="fapi-abi11-")
        self.addCleanup(shutil.rmtree, tmp, True)
        rules = os.path.join(tmp, "rules.yaml")
        with open(rules, "w") as f:
            f.write(RULES)
        d = self.start_daemon(config={
            "load_modules": ["version", "abi11"],
            "modules": [{"name": "abi11", "library_path": os.path.join(TEST_MODULE_DIR, "mod_abi11.so")}],
            "rules_file": [rules],
            "engine": {"capture": {"file": QUIET_CAPTURE, "loop": 1}},
        })
        self.assertIn("loaded abi11 1.1.0 (ABI 1.1)", d.log())
        with grpc.insecure_channel(d.target) as ch:
            last = unary(ch, "/fapi.test.abi11/last", st.echo_msg, st.echo_msg)
            deadline = time.time() + 20 * SLOW
            r = last(st.echo_msg(), timeout=10)
            total = r.seq
            # every keep_rule alert of the one pass, and no more arriving
            while time.time() < deadline:
                time.sleep(0.2)
                r = last(st.echo_msg(), timeout=10)
                if r.seq == total and total > 0:
                    break
                total = r.seq
            self.assertGreater(r.seq, 0, r.text)
            self.assertRegex(r.text, r"^rule=keep_rule priority=4 seq=\d+ tags=2 field0=evt\.time=\S+ ")
            self.assertIn(" accepted=%d delivered=%d capacity=100000 " % (r.seq, r.seq), r.text)
            self.assertIn(" host_abi=%s self=abi11/1.1.0/1.1 notified=yes" % HOST_ABI, r.text)
            m = re.search(r" version=(\S+) ", r.text)
            self.assertIsNotNone(m, r.text)
            # the version module of this tree reads the same host through the sized layouts
            v = unary(ch, "/falco.version.service/version", version_pb2.request, version_pb2.response)(
                version_pb2.request(), timeout=10)
            self.assertEqual(v.version, m.group(1))
            mods = {x.name: (x.abi_major, x.abi_minor) for x in v.modules}
            self.assertEqual(mods.get("abi11"), (1, 1))
            self.assertEqual("%d.%d" % mods.get("version"), HOST_ABI)
        log = self.stop_clean(d)
        # skip_rule's alerts reached the filter and were refused
        out = d.stdout()
        self.assertIn("skip_rule", out)
        self.assertEqual(sum(" keep " in l for l in out.splitlines()), r.seq, out)


if __name__ == "__main__":
    unittest.main()
