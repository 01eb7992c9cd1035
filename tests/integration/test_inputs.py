"""The inputs module (issue 14): k8s audit events streamed over
/falco.api.bidirectional/inputs raise the same alerts as replaying them
with -e, each response (want_alerts) lists exactly the alerts of its own
events, rejected events name their index and reason, a client faster than
the engine loses nothing, and the method is write-class: denied for a
reader, audited for a writer. Needs ../shared/falco-0.31.1 (skips without)."""

import glob
import json
import os
import pwd
import re
import subprocess
import sys
import time

from fapi_testlib import BIN, PY_PROTO, SHARED_DIR, SLOW, DaemonTest, bidi
from test_authz import GROUP, MEMBER, AuthzBase
from test_http import get, web_port

import grpc  # noqa: E402
import inputs_pb2 as inputs  # noqa: E402

PATH = "/falco.api.bidirectional/inputs"


def metrics_page(d):
    status, _, body = get(web_port(d), "/metrics")
    assert status == 200, status
    return body.decode()


def k8s_rules():
    return os.path.join(SHARED_DIR, "rules", "k8s_audit_rules.yaml")


def audit_files():
    return sorted(glob.glob(os.path.join(SHARED_DIR, "k8s_audit", "*.json")))


def lines(path):
    with open(path) as f:
        return [l.strip() for l in f if l.strip()]


def replay_alerts(path):
    """The alert lines of -e path, or None when the replay refuses the file."""
    p = subprocess.run([BIN, "-r", k8s_rules(), "-e", path], capture_output=True, text=True,
                       env=dict(os.environ, TZ="UTC"), timeout=60 * SLOW, stdin=subprocess.DEVNULL)
    if p.returncode != 0:
        return None
    return [l for l in p.stdout.split("Events detected:")[0].splitlines() if l]


def send(target, requests, timeout=60):
    with grpc.insecure_channel(target) as ch:
        call = bidi(ch, PATH, inputs.request, inputs.response)
        return list(call(iter(requests), timeout=timeout * SLOW))


def config(extra=None):
    cfg = {"load_modules": ["version", "inputs"], "rules_file": [k8s_rules()],
           "modules": [{"name": "inputs", "config": extra or {}}]}
    return cfg


class InputsTest(DaemonTest):
    def setUp(self):
        super().setUp()
        if not SHARED_DIR or not os.path.isdir(os.path.join(SHARED_DIR, "k8s_audit")):
            self.skipTest("shared Falco 0.31.1 data not found at %r" % SHARED_DIR)

    def test_same_alerts_as_replay_per_response(self):
        want = {os.path.basename(f): replay_alerts(f) for f in audit_files()}
        # A file holding a line that is no audit event stops the replay.
        files = [f for f in audit_files() if want[os.path.basename(f)] is not None]
        self.assertGreater(len(files), 25)
        self.assertGreater(sum(len(v) for v in want.values() if v), 20)
        d = self.start_daemon(config(), args=["-o", "stdout_output.enabled=true"])
        reqs = [inputs.request(id=os.path.basename(f), source="k8s_audit", events=lines(f), want_alerts=True)
                for f in files]
        resps = send(d.target, reqs)
        self.assertEqual([r.id for r in resps], [q.id for q in reqs])
        for q, r in zip(reqs, resps):
            with self.subTest(file=q.id):
                self.assertEqual(r.accepted, len(q.events))
                self.assertEqual(list(r.rejected), [])
                self.assertEqual([a.output for a in r.alerts], want[q.id])
                for a in r.alerts:
                    self.assertEqual(a.source, "k8s_audit")
                    self.assertTrue(a.rule)
        # The alerts went to the daemon's outputs too, in the same order.
        all_want = [l for f in files for l in want[os.path.basename(f)]]
        d.stop()
        self.assertEqual([l for l in d.stdout().splitlines() if l in set(all_want)], all_want)

    def test_without_want_alerts_no_alerts_listed(self):
        d = self.start_daemon(config())
        f = os.path.join(SHARED_DIR, "k8s_audit", "exec_pod.json")
        (r,) = send(d.target, [inputs.request(id="x", events=lines(f))])
        self.assertEqual((r.id, r.accepted, len(r.alerts)), ("x", 1, 0))

    def test_rejections_name_index_and_reason(self):
        d = self.start_daemon(config({"queue_capacity": {"bytes": 4096}}))
        good = lines(os.path.join(SHARED_DIR, "k8s_audit", "exec_pod.json"))[0]
        big = json.dumps({"kind": "Event", "pad": "x" * 5000})
        reqs = [inputs.request(id="a", events=["{not json", good, '{"kind":"Pod"}', big], want_alerts=True),
                inputs.request(id="b", source="nosuch", events=[good, good]),
                inputs.request(id="c", events=[good], want_alerts=True)]
        a, b, c = send(d.target, reqs)
        self.assertEqual(a.accepted, 1)
        self.assertEqual([x.index for x in a.rejected], [0, 2, 3])
        self.assertTrue(a.rejected[0].reason.startswith("not JSON"), a.rejected[0].reason)
        self.assertTrue(a.rejected[1].reason.startswith("not an audit event"), a.rejected[1].reason)
        self.assertTrue(a.rejected[2].reason.startswith("too large"), a.rejected[2].reason)
        self.assertEqual([x.rule for x in a.alerts], ["Attach/Exec Pod"])
        self.assertEqual((b.id, b.accepted), ("b", 0))
        self.assertEqual([x.index for x in b.rejected], [0, 1])
        self.assertIn('unknown source "nosuch"', b.rejected[0].reason)
        self.assertEqual((c.id, c.accepted, [x.rule for x in c.alerts]), ("c", 1, ["Attach/Exec Pod"]))

    def test_fapictl_inputs_send(self):
        d = self.start_daemon(config())
        path = os.path.join(d.dir, "events.jsonl")
        with open(path, "w") as f:
            f.write(lines(os.path.join(SHARED_DIR, "k8s_audit", "exec_pod.json"))[0] + "\n{bad\n\n")
            f.write(lines(os.path.join(SHARED_DIR, "k8s_audit", "create_configmap.json"))[0] + "\n")
        fapictl = os.path.join(os.path.dirname(BIN), "fapictl")
        p = subprocess.run([fapictl, "inputs", "send", "--target", d.target, "--alerts", "--batch", "2", path],
                           capture_output=True, text=True, timeout=60 * SLOW)
        self.assertEqual(p.returncode, 0, p.stderr)
        out = p.stdout.splitlines()
        self.assertEqual(out[0], "request 1: 1 accepted, 1 rejected")
        self.assertTrue(out[1].startswith("  line 2 (event 1): not JSON: Could not parse data"), out)
        self.assertTrue(out[2].startswith("  alert NOTICE Attach/Exec Pod: "), out)
        self.assertEqual(out[3], "request 2: 1 accepted, 0 rejected")
        self.assertIn("K8s ConfigMap Created", out[4])
        self.assertEqual(out[-1], "2 events accepted, 1 rejected, 2 alerts")

    def test_backpressure_loses_nothing_memory_bounded(self):
        # A queue of 8 events: the client is far faster than that, so its
        # reads are paused again and again; every event still gets its answer.
        cfg = config({"queue_capacity": {"events": 8}})
        cfg["webserver"] = {"enabled": True, "listen_port": 0}
        d = self.start_daemon(cfg)
        ev = lines(os.path.join(SHARED_DIR, "k8s_audit", "exec_pod.json"))[0]
        n = 3000
        reqs = (inputs.request(id=str(i), events=[ev, ev], want_alerts=(i % 100 == 0)) for i in range(n))
        resps = send(d.target, reqs, timeout=120)
        self.assertEqual([r.id for r in resps], [str(i) for i in range(n)])
        self.assertEqual(sum(r.accepted for r in resps), 2 * n)
        self.assertTrue(all(not r.rejected for r in resps))
        self.assertTrue(all(len(r.alerts) == 2 for r in resps if int(r.id) % 100 == 0))
        with open("/proc/%d/status" % d.proc.pid) as f:
            rss = [int(l.split()[1]) for l in f if l.startswith("VmRSS:")][0]
        self.assertLess(rss, 1024 * 1024, "RSS %d kB" % rss)
        # Slowed, not dropped: its reads were paused (flow control held it).
        page = metrics_page(d)
        pauses = int(re.search(r"(?m)^falcosecurity_apid_inputs_read_pauses_total (\d+)$", page).group(1))
        self.assertGreater(pauses, 0, page)
        self.assertIn('falcosecurity_apid_inputs_events_accepted_total{path="grpc"} %d' % (2 * n), page)
        log = self.stop_clean(d)
        self.assertIn("%d requests, %d events, 0 lost" % (n, 2 * n), log)


CLIENT = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
import grpc, inputs_pb2 as inputs
out = {}
try:
    with grpc.insecure_channel(sys.argv[2]) as ch:
        call = ch.stream_stream("/falco.api.bidirectional/inputs", request_serializer=inputs.request.SerializeToString,
                                response_deserializer=inputs.response.FromString)
        rs = list(call(iter([inputs.request(id="1", events=sys.argv[3:])]), timeout=30))
        out["code"], out["accepted"] = "OK", sum(r.accepted for r in rs)
except grpc.RpcError as e:
    out["code"], out["details"] = e.code().name, e.details()
print(json.dumps(out))
"""


class InputsAuthzTest(AuthzBase):
    def start_inputs(self, grants=None):
        if not SHARED_DIR or not os.path.isdir(os.path.join(SHARED_DIR, "k8s_audit")):
            self.skipTest("shared Falco 0.31.1 data not found at %r" % SHARED_DIR)
        self.audit = os.path.join(self.work, "audit.log")
        g = {"unix_socket_group": GROUP, "audit_log": self.audit}
        if grants is not None:
            g["authorization"] = {"grants": grants}
        cfg = config()
        cfg["grpc"] = g
        d = self.start(cfg)
        os.chmod(d.dir, 0o755)
        return d

    def as_member(self, d, *more):
        pw = pwd.getpwnam(MEMBER)
        ev = lines(os.path.join(SHARED_DIR, "k8s_audit", "exec_pod.json"))[0]
        r = subprocess.run([sys.executable, "-c", CLIENT, PY_PROTO, d.target, ev] + list(more), user=pw.pw_uid,
                           group=pw.pw_gid,
                           extra_groups=os.getgrouplist(MEMBER, pw.pw_gid), capture_output=True, text=True,
                           timeout=60 * SLOW)
        self.assertEqual(r.returncode, 0, r.stderr)
        return json.loads(r.stdout)

    def records(self):
        with open(self.audit) as f:
            return [json.loads(line) for line in f]

    def test_reader_denied_and_audited(self):
        d = self.start_inputs()
        out = self.as_member(d)
        self.assertEqual(out["code"], "PERMISSION_DENIED", out)
        self.assertIn("inputs.send", out["details"])
        recs = self.records()
        self.assertEqual([(r["method"], r["result"]["status"]) for r in recs], [(PATH, "PERMISSION_DENIED")])
        self.assertEqual(recs[0]["identity"]["uid"], pwd.getpwnam(MEMBER).pw_uid)

    def test_writer_allowed_audited_once_with_count_at_close(self):
        d = self.start_inputs(grants=[{"user": MEMBER, "permissions": ["inputs.send"]}])
        self.assertEqual(self.as_member(d, "{not json"), {"code": "OK", "accepted": 1})
        d.wait_log("1 requests, 2 events, 0 lost")
        # The close record follows the stream's end: wait for it in the file.
        for _ in range(100):
            recs = self.records()
            if len(recs) == 2:
                break
            time.sleep(0.05 * SLOW)
        self.assertEqual([(r["method"], r["result"]["status"]) for r in recs], [(PATH, "OK")] * 2)
        self.assertNotIn("stream", recs[0])
        self.assertEqual(recs[1]["stream"], {"event": "close", "requests": 1, "events": 2, "rejected": 1, "lost": 0})
        self.assertEqual(recs[1]["identity"], recs[0]["identity"])
        self.assertEqual(recs[1]["identity"]["uid"], pwd.getpwnam(MEMBER).pw_uid)
        # In the daemon log as well, as every audit record.
        self.assertIn('"stream":{"event":"close","requests":1,"events":2,"rejected":1,"lost":0}', d.log())
