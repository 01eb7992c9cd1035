"""The forward module's configuration against a real nats-server: filters,
a bad filter, wrong credentials, an unreachable server and TLS with a test
CA, each behaving as configured with clear log lines."""

import os
import subprocess
import time
import unittest

from test_forward import ForwardBase, forward_config
from test_outputs import wait_for
from fapi_testlib import free_port


class ForwardConfigTest(ForwardBase):
    def test_filters(self):
        self.nats.start()
        cfg = forward_config(self.cap, [self.nats.url()], "node-f",
                             filter={"rules": ["outputs_open", "outputs_exec"], "min_priority": "notice"})
        want = [l for l in self.expected if ": Notice " in l or ": Warning " in l]
        self.assertTrue(want)
        self.start_daemon(config=cfg)
        c = self.client()
        wait_for(lambda: c.stream_count() >= len(want), 30, "the filtered alerts")
        time.sleep(1)
        msgs = c.messages()
        self.assertEqual(len(msgs), len(want))
        # The same alerts, by priority, as the batch replay's Notice and
        # Warning lines (the rules filter keeps those two rules' only).
        self.assertEqual(sorted(b["priority"] for _, _, b in msgs),
                         sorted("Notice" if ": Notice " in l else "Warning" for l in want))
        self.assertTrue(all(b["rule"] in ("outputs_open", "outputs_exec") for _, _, b in msgs))

    def test_bad_filter_priority_fails_startup(self):
        cfg = forward_config(self.cap, ["nats://127.0.0.1:1"], "x", filter={"min_priority": "loud"})
        d = self.start_daemon(config=cfg, expect_ready=False)
        self.assertNotEqual(d.wait(), 0)
        self.assertIn('unknown priority "loud"', d.log())

    def test_wrong_credentials(self):
        self.nats.extra = ["--user", "falco", "--pass", "right"]
        self.nats.start()
        cfg = forward_config(self.cap, [self.nats.url()], "node-c", user="falco", password="wrong")
        d = self.start_daemon(config=cfg)
        d.wait_log("Authorization Violation")
        d.wait_log("retrying with backoff")
        cfg["modules"][0]["config"]["required"] = True
        d2 = self.start_daemon(config=cfg, expect_ready=False)
        self.assertNotEqual(d2.wait(), 0)
        self.assertIn("Authorization Violation", d2.log())
        cfg["modules"][0]["config"]["password"] = "right"
        self.start_daemon(config=cfg)
        c = self.client(user="falco", **{"pass": "right"})
        wait_for(lambda: c.stream_count() >= len(self.expected), 30, "alerts with the right password")

    def test_unreachable_server(self):
        port = free_port()
        cfg = forward_config(self.cap, ["nats://127.0.0.1:%d" % port], "node-u")
        d = self.start_daemon(config=cfg)
        d.wait_log("connecting to NATS")
        self.assertIn("retrying with backoff", d.log())
        cfg["modules"][0]["config"]["required"] = True
        d2 = self.start_daemon(config=cfg, expect_ready=False)
        self.assertNotEqual(d2.wait(), 0)
        self.assertIn("connecting to NATS", d2.log())

    def test_tls_with_test_ca(self):
        t = self.tmp
        run = lambda *a: subprocess.run(["openssl"] + list(a), cwd=t, check=True, capture_output=True)
        run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=test-ca",
            "-keyout", "ca.key", "-out", "ca.pem")
        run("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", "srv.key",
            "-out", "srv.csr")
        with open(os.path.join(t, "ext"), "w") as f:
            f.write("subjectAltName=IP:127.0.0.1\n")
        run("x509", "-req", "-in", "srv.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-days", "1", "-extfile", "ext", "-out", "srv.pem")
        self.nats.extra = ["--tls", "--tlscert", os.path.join(t, "srv.pem"), "--tlskey", os.path.join(t, "srv.key")]
        self.nats.start()
        # Without the CA: refused, and said.
        d = self.start_daemon(config=forward_config(self.cap, [self.nats.url("tls")], "node-t0"))
        d.wait_log("retrying with backoff")
        self.assertIn("connecting to NATS", d.log())
        ok = self.start_daemon(config=forward_config(self.cap, [self.nats.url("tls")], "node-t",
                                                     tls={"ca": os.path.join(t, "ca.pem")}))
        ok.wait_log("connected to NATS tls://127.0.0.1", timeout=20)
        ok.wait_log("created stream FALCO")


if __name__ == "__main__":
    unittest.main()
