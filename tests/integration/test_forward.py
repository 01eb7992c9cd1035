"""The forward module against a real nats-server with JetStream: every
alert of two daemons in the stream once and in each node's order, nothing
lost across a NATS restart while the queue had room, the overflow counted
exactly (test_forward_queue.py, test_forward_queue_bytes.py), filters,
credentials, an unreachable server and TLS (test_forward_config.py); split
so that each file stays under a minute under ASan."""

import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest

from fapi_testlib import SLOW, DaemonTest, free_port
from test_outputs import batch_alerts, capture, rules, wait_for

NATS_SERVER = shutil.which("nats-server") or "/usr/bin/nats-server"
FAPICTL = os.path.join(os.environ.get("FAPI_BUILD_DIR", ""), "bin", "fapictl")
MODULE = os.path.join(os.environ.get("FAPI_BUILD_DIR", ""), "lib", "falco-apid", "modules", "fapi-forward.so")


class NatsServer:
    """One nats-server -js on a free loopback port, stopped by its PID."""

    def __init__(self, workdir, extra=()):
        self.dir = workdir
        self.store = os.path.join(workdir, "js")
        self.port = free_port()
        self.extra = list(extra)
        self.proc = None

    def start(self):
        self.logf = open(os.path.join(self.dir, "nats-%d.log" % self.port), "a")
        self.proc = subprocess.Popen([NATS_SERVER, "-js", "-sd", self.store, "-a", "127.0.0.1", "-p",
                                      str(self.port)] + self.extra, stdout=self.logf, stderr=self.logf)
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise AssertionError("nats-server did not listen on %d" % self.port)

    def url(self, scheme="nats"):
        return "%s://127.0.0.1:%d" % (scheme, self.port)

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
        if self.proc:
            self.logf.close()
        self.proc = None


class NatsClient:
    """The least of the NATS protocol the tests need: request/reply to the
    JetStream API (stream info, message get)."""

    def __init__(self, port, connect=None):
        self.s = socket.create_connection(("127.0.0.1", port), 5)
        self.buf = b""
        self.line()  # INFO
        opts = {"verbose": False, "pedantic": False, "headers": True}
        opts.update(connect or {})
        self.s.sendall(b"CONNECT " + json.dumps(opts).encode() + b"\r\nSUB _INBOX.t 1\r\n")
        self.sid = 0

    def line(self):
        while b"\r\n" not in self.buf:
            self.buf += self.s.recv(65536)
        l, self.buf = self.buf.split(b"\r\n", 1)
        return l

    def take(self, n):
        while len(self.buf) < n + 2:
            self.buf += self.s.recv(65536)
        d, self.buf = self.buf[:n], self.buf[n + 2:]
        return d

    def request(self, subject, payload):
        data = json.dumps(payload).encode()
        self.s.sendall(b"PUB %s _INBOX.t %d\r\n%s\r\n" % (subject.encode(), len(data), data))
        while True:
            l = self.line()
            if l == b"PING":
                self.s.sendall(b"PONG\r\n")
                continue
            if l.startswith(b"MSG "):
                return json.loads(self.take(int(l.split()[-1])))
            if l.startswith(b"HMSG "):
                parts = l.split()
                body = self.take(int(parts[-1]))
                return json.loads(body[int(parts[-2]):])
            if l.startswith(b"-ERR"):
                raise AssertionError(l)

    def stream_count(self, stream="FALCO"):
        r = self.request("$JS.API.STREAM.INFO." + stream, {})
        return r.get("state", {}).get("messages", 0) if "error" not in r else -1

    def messages(self, stream="FALCO"):
        n = self.request("$JS.API.STREAM.INFO." + stream, {})["state"]["last_seq"]
        out = []
        for seq in range(1, n + 1):
            r = self.request("$JS.API.STREAM.MSG.GET." + stream, {"seq": seq})
            if "message" not in r:
                continue
            m = r["message"]
            hdrs = base64.b64decode(m.get("hdrs", "")).decode()
            out.append((m["subject"], hdrs, json.loads(base64.b64decode(m["data"]))))
        return out

    def close(self):
        self.s.close()


def forward_config(cap, server_urls, hostname, loop=1, rate=0, **module):
    mod = {"servers": server_urls, "hostname": hostname, "create_stream": True}
    mod.update(module)
    return {"load_modules": ["version", "drops", "forward"],
            "rules_file": [rules("outputs_filters.yaml")],
            "json_output": True,
            "engine": {"capture": {"file": cap, "loop": loop, "rate": rate}},
            "modules": [{"name": "forward", "config": mod}]}


class ForwardBase(DaemonTest):
    """A nats-server per test (not started yet) and the expected alerts."""

    def setUp(self):
        super().setUp()
        if not os.path.exists(NATS_SERVER):
            self.skipTest("nats-server not installed (apt install nats-server)")
        if not os.path.exists(MODULE):
            self.skipTest("the forward module was not built (libnats-dev missing)")
        self.tmp = tempfile.mkdtemp(prefix="fapi-fwd-")
        self.nats = NatsServer(self.tmp)
        self.cap = capture("mix-small.scap")
        if not hasattr(ForwardBase, "_expected"):
            ForwardBase._expected = batch_alerts(rules("outputs_filters.yaml"), self.cap)
        self.expected = ForwardBase._expected

    def tearDown(self):
        super().tearDown()
        self.nats.kill()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def client(self, **connect):
        c = NatsClient(self.nats.port, connect)
        self.addCleanup(c.close)
        return c

    def assert_each_once_in_order(self, msgs, host, n):
        mine = [b for _, _, b in msgs if b["hostname"] == host]
        seqs = [b["seq"] for b in mine]
        self.assertEqual(len(seqs), n, "%s: %d alerts in the stream, expected %d" % (host, len(seqs), n))
        self.assertEqual(seqs, sorted(seqs), "%s: alerts out of the node's order" % host)
        self.assertEqual(len(set(seqs)), len(seqs), "%s: an alert is in the stream twice" % host)
        return mine


class ForwardTest(ForwardBase):
    def test_two_nodes_every_alert_once_in_order(self):
        self.nats.start()
        n = len(self.expected)
        self.assertGreater(n, 10)
        a = self.start_daemon(config=forward_config(self.cap, [self.nats.url()], "node-a", loop=3))
        b = self.start_daemon(config=forward_config(self.cap, [self.nats.url()], "node-b", loop=3))
        c = self.client()
        wait_for(lambda: c.stream_count() >= 6 * n, 40, "both nodes' alerts in the stream")
        time.sleep(0.5)
        msgs = c.messages()
        self.assertEqual(len(msgs), 6 * n)
        for host in ("node-a", "node-b"):
            mine = self.assert_each_once_in_order(msgs, host, 3 * n)
            self.assertEqual(mine[0]["seq"], 1)
            self.assertEqual(mine[-1]["seq"], 3 * n, "%s: not every alert of the looped capture" % host)
        subj, hdrs, body = msgs[0]
        self.assertRegex(subj, r"^falco\.alerts\.node-[ab]\.[a-z]+$")
        self.assertRegex(hdrs, r"(?m)^Nats-Msg-Id: %s:[0-9a-f-]+:%d\r?$" % (body["hostname"], body["seq"]))
        for k in ("rule", "priority", "output", "output_fields", "tags", "time", "source"):
            self.assertIn(k, body)
        self.assertEqual(subj.split(".")[-1], body["priority"].lower())
        a.wait_log("connected to NATS")
        b.wait_log("connected to NATS")
        # The fleet view: the same alerts, labelled, from stream sequence 1.
        p = subprocess.run([FAPICTL, "fleet", "watch", "--nats", self.nats.url(), "--from-seq", "1", "--json",
                            "--count", str(6 * n)], capture_output=True, text=True, timeout=30 * SLOW)
        self.assertEqual(p.returncode, 0, p.stderr)
        seen = [json.loads(l) for l in p.stdout.splitlines()]
        self.assertEqual([(x["hostname"], x["seq"]) for x in seen],
                         [(x["hostname"], x["seq"]) for _, _, x in msgs])
        p = subprocess.run([FAPICTL, "fleet", "watch", "--nats", self.nats.url(), "--from-seq", "1", "--node",
                            "node-b", "--count", "2"], capture_output=True, text=True, timeout=30 * SLOW)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(len(p.stdout.splitlines()), 2)
        self.assertTrue(all(l.startswith("[node-b] ") for l in p.stdout.splitlines()), p.stdout)
        p = subprocess.run([FAPICTL, "fleet", "nodes", "--nats", self.nats.url(), "--json"], capture_output=True,
                           text=True, timeout=30 * SLOW)
        self.assertEqual(p.returncode, 0, p.stderr)
        nodes = {x["node"]: x for x in map(json.loads, p.stdout.splitlines())}
        self.assertEqual(set(nodes), {"node-a", "node-b"})
        self.assertEqual(nodes["node-a"]["alerts"], 3 * n)
        p = subprocess.run([FAPICTL, "fleet", "watch", "--nats", self.nats.url(), "--since", "soon"],
                           capture_output=True, text=True, timeout=30 * SLOW)
        self.assertEqual(p.returncode, 2)
        self.assertIn("--since: not a duration", p.stderr)

    def test_nats_restart_loses_nothing_and_dedups(self):
        self.nats.start()
        n = len(self.expected)
        loop = 4
        d = self.start_daemon(config=forward_config(self.cap, [self.nats.url()], "node-r", loop=loop,
                                                    rate=2000))
        c = self.client()
        wait_for(lambda: c.stream_count() > 0, 20, "the first alerts")
        c.close()
        self.nats.kill()
        d.wait_log("NATS disconnected")
        time.sleep(2)
        self.nats.start()
        d.wait_log("NATS reconnected", timeout=20)
        c = self.client()
        wait_for(lambda: c.stream_count() >= loop * n, 40, "every alert after the restart")
        time.sleep(1)
        msgs = c.messages()
        # Every alert once and in the node's order: an alert whose ack was
        # lost with the server is published again (deduplicated by its
        # Msg-Id when it had been stored) before anything newer goes out.
        mine = self.assert_each_once_in_order(msgs, "node-r", loop * n)
        self.assertEqual([b["seq"] for b in mine], list(range(1, loop * n + 1)))
        self.assertIn("NATS reconnected", d.log())


if __name__ == "__main__":
    unittest.main()
