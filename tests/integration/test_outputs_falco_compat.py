"""Falco's own clients against the outputs module, unchanged: the stubs are
generated at test time, with protoc, from tests/fixtures/falco_compat
(Falco 0.31's outputs.proto and schema.proto numbering, package
falco.outputs), and only those are imported in this process (this project's
outputs_pb2 has the same package and would clash).

- `get` with Falco's test configuration (single_rule_with_tags.yaml on
  cat_write.scap, from ../shared/falco-0.31.1; skipped when absent): the 8
  alerts Falco gives, then nothing new.
- `sub` (bidirectional, the client sends keep-alives) to two clients at
  once, which Falco never did, over a looped generated capture.
- `get` over a looped capture returns exactly what came since the previous
  get; grpc_output.enabled false turns Falco's methods off."""

import atexit
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

import grpc

from fapi_testlib import BIN, SHARED_DIR, SLOW, DaemonTest, bidi, server_stream

HERE = os.path.dirname(os.path.abspath(__file__))
FALCO_PROTOS = os.path.join(HERE, "..", "fixtures", "falco_compat")
RULES = os.path.join(HERE, "..", "fixtures", "rules")
CAPTURES = os.path.join(os.environ.get("FAPI_BUILD_DIR", ""), "captures")
GET = "/falco.outputs.service/get"
SUB = "/falco.outputs.service/sub"
OUTPUTS = "/falco.api.streaming/outputs"
ALERT_LINE = re.compile(r"^\d\d:\d\d:\d\d\.\d{9}: ")
SUBSCRIBER_LINE = re.compile(r"subscriber (\S+): delivered (\d+), dropped (\d+)")

# Falco's stubs, generated now into a directory of their own that comes
# first on sys.path (fapi_testlib put this project's generated modules on it).
_TMP = tempfile.mkdtemp(prefix="fapi-falco-compat-")
atexit.register(shutil.rmtree, _TMP, True)
_STUBS = os.path.join(_TMP, "stubs")
os.mkdir(_STUBS)
_protoc = ["protoc", "-I", FALCO_PROTOS]
if os.path.exists("/usr/include/google/protobuf/timestamp.proto"):
    _protoc += ["-I", "/usr/include"]
_gen = subprocess.run(_protoc + ["--python_out=" + _STUBS, "outputs.proto", "schema.proto"], cwd=FALCO_PROTOS,
                      capture_output=True, text=True)
if _gen.returncode != 0:
    raise RuntimeError("protoc failed on %s:\n%s" % (FALCO_PROTOS, _gen.stderr))
sys.path.insert(0, _STUBS)
for _m in ("outputs_pb2", "schema_pb2"):
    sys.modules.pop(_m, None)
import outputs_pb2 as falco_outputs  # noqa: E402
import schema_pb2 as falco_schema  # noqa: E402

assert os.path.dirname(os.path.abspath(falco_outputs.__file__)) == _STUBS, falco_outputs.__file__
assert os.path.dirname(os.path.abspath(falco_schema.__file__)) == _STUBS, falco_schema.__file__
# Falco's response knows fields 1-9 only
assert max(f.number for f in falco_outputs.response.DESCRIPTOR.fields) == 9

# Falco prints and formats times in local time; its tests run in UTC.
os.environ["TZ"] = "UTC"

def stdout_alerts(d):
    text = d.stdout()
    lines = text.splitlines()
    if text and not text.endswith("\n"):
        lines = lines[:-1]
    return [l for l in lines if ALERT_LINE.match(l)]


def batch_alerts(rules_file, capture_file):
    p = subprocess.run([BIN, "-r", rules_file, "-e", capture_file], capture_output=True, text=True,
                       timeout=120 * SLOW)
    if p.returncode != 0:
        raise AssertionError("batch replay failed (%d):\n%s" % (p.returncode, p.stderr))
    return [l for l in p.stdout.splitlines() if ALERT_LINE.match(l)]


def wait_for(pred, timeout, what):
    deadline = time.time() + timeout * SLOW
    while time.time() < deadline:
        if pred():
            return
        time.sleep(0.02)
    raise AssertionError("timed out waiting for " + what)


def falco_config(**extra):
    cfg = {"load_modules": ["version", "outputs"], "grpc_output": {"enabled": True}}
    cfg.update(extra)
    return cfg


class SubClient(threading.Thread):
    """A Falco `sub` client: sends a keep-alive every 100 ms until told to
    stop (then half-closes), reads every alert."""

    def __init__(self, channel, name):
        super().__init__(daemon=True)
        self.name_ = name
        self.stop = threading.Event()
        self.sent = 0
        self.msgs = []
        self.code = None
        self.call = bidi(channel, SUB, falco_outputs.request, falco_outputs.response)(self.requests())
        self.start()

    def requests(self):
        while True:
            self.sent += 1
            yield falco_outputs.request(keepalive=True)
            if self.stop.wait(0.1):
                return

    def run(self):
        try:
            for m in self.call:
                self.msgs.append(m)
            self.code = grpc.StatusCode.OK
        except grpc.RpcError as e:
            self.code = e.code()

    def finish(self, timeout=30):
        self.join(timeout * SLOW)
        if self.is_alive():
            raise AssertionError("%s did not end" % self.name_)
        return self.code


class CompatTest(DaemonTest):
    def setUp(self):
        super().setUp()
        self.channels = []
        self.subs = []

    def tearDown(self):
        for s in self.subs:
            s.stop.set()
            s.call.cancel()
        for ch in self.channels:
            ch.close()
        super().tearDown()

    def channel(self):
        ch = grpc.insecure_channel(self.d.target, options=[("grpc.use_local_subchannel_pool", 1)])
        self.channels.append(ch)
        return ch

    def get(self, ch):
        call = server_stream(ch, GET, falco_outputs.request, falco_outputs.response)(falco_outputs.request(),
                                                                                    timeout=30 * SLOW)
        got = list(call)
        self.assertEqual(call.code(), grpc.StatusCode.OK)
        return got

    def assert_cycle_window(self, got, cycle, what):
        self.assertTrue(got, what + ": received nothing")
        self.assertIn(got[0], cycle, what)
        o = cycle.index(got[0])
        self.assertEqual(got, [cycle[(o + i) % len(cycle)] for i in range(len(got))], what)


class FalcoDataTest(CompatTest):
    """Falco's test configuration, with Falco's data."""

    def setUp(self):
        super().setUp()
        if not SHARED_DIR or not os.path.isdir(SHARED_DIR):
            self.skipTest("shared Falco 0.31.1 data not found at %r" % SHARED_DIR)

    def test_get_returns_falcos_alerts_then_nothing_new(self):
        self.d = self.start_daemon(config=falco_config(), args=[
            "-r", os.path.join(SHARED_DIR, "test_rules", "single_rule_with_tags.yaml"),
            "-e", os.path.join(SHARED_DIR, "captures", "cat_write.scap"), "-M", "30"])
        wait_for(lambda: len(stdout_alerts(self.d)) >= 8, 30, "the 8 alerts on stdout")
        time.sleep(0.3 * SLOW)  # each is published right after it is printed
        printed = stdout_alerts(self.d)
        self.assertEqual(len(printed), 8)
        ch = self.channel()
        got = self.get(ch)
        self.assertEqual(len(got), 8)
        first = got[0]
        self.assertEqual((first.time.seconds, first.time.nanos), (1470327477, 881781397))
        self.assertEqual(first.priority, falco_schema.WARNING)
        self.assertEqual(first.rule, "open_from_cat")
        self.assertEqual(list(first.tags), ["filesystem", "process", "testing"])
        self.assertEqual(first.output, printed[0])
        self.assertEqual(first.output, "16:17:57.881781397: Warning An open was seen (command=cat /dev/null)")
        self.assertEqual(set(first.output_fields), {"evt.time", "proc.cmdline"})
        self.assertEqual(first.output_fields["proc.cmdline"], "cat /dev/null")
        self.assertEqual(first.source, "syscall")
        self.assertEqual(first.source_deprecated, falco_schema.SYSCALL)
        self.assertEqual(first.hostname, socket.gethostname())
        # every one as printed, in order, its fields consistent with its line
        self.assertEqual([r.output for r in got], printed)
        prev = 0
        for r, line in zip(got, printed):
            self.assertEqual((r.rule, r.priority, list(r.tags)),
                             ("open_from_cat", falco_schema.WARNING, ["filesystem", "process", "testing"]))
            stamp, rest = line.split(": ", 1)
            self.assertEqual(r.output_fields["evt.time"], stamp)
            self.assertEqual(rest, "Warning An open was seen (command=%s)" % r.output_fields["proc.cmdline"])
            ns = r.time.seconds * 10**9 + r.time.nanos
            self.assertEqual(time.strftime("%H:%M:%S", time.gmtime(r.time.seconds)) + ".%09d" % r.time.nanos, stamp)
            self.assertGreater(ns, prev)
            prev = ns
        # what a get returned is not returned again
        self.assertEqual(self.get(ch), [])
        self.assertEqual(self.get(self.channel()), [])
        log = self.stop_clean(self.d)
        self.assertIn("subscriber falco-get-queue: delivered 8, dropped 0", log)

    def test_get_carries_k8s_audit_alerts_with_their_source(self):
        self.d = self.start_daemon(config=falco_config(), args=[
            "-r", os.path.join(SHARED_DIR, "rules", "k8s_audit_rules.yaml"),
            "-e", os.path.join(SHARED_DIR, "k8s_audit", "exec_pod.json"), "-M", "30"])
        wait_for(lambda: len(stdout_alerts(self.d)) >= 1, 30, "the k8s alert on stdout")
        time.sleep(0.3 * SLOW)
        got = self.get(self.channel())
        self.assertEqual(len(got), 1)
        a = got[0]
        self.assertEqual(a.rule, "Attach/Exec Pod")
        self.assertEqual(a.source, "k8s_audit")
        self.assertEqual(a.source_deprecated, falco_schema.K8S_AUDIT)
        self.assertEqual(a.priority, falco_schema.NOTICE)
        self.assertEqual(a.output, stdout_alerts(self.d)[0])
        self.assertEqual((a.time.seconds, a.time.nanos), (1540561114, 902914048))
        # Falco's map: names without their argument, values as text
        self.assertEqual(dict(a.output_fields), {
            "jevt.time": "13:38:34.902914048", "ka.target.name": "nginx-deployment-7998647bdf-phvq7",
            "ka.target.namespace": "default", "ka.target.subresource": "exec", "ka.uri.param": "bash",
            "ka.user.name": "minikube-user"})
        self.stop_clean(self.d)


class FalcoLoopTest(CompatTest):
    """Falco's methods over a looped generated capture (outputs_fanout.yaml
    on basic.scap: 36 distinct alerts per loop)."""

    def setUp(self):
        super().setUp()
        if not os.path.exists(os.path.join(CAPTURES, "basic.scap")):
            self.skipTest("generated captures not found in %r (FAPI_BUILD_DIR)" % CAPTURES)
        self.rules = os.path.join(RULES, "outputs_fanout.yaml")
        self.cycle = batch_alerts(self.rules, os.path.join(CAPTURES, "basic.scap"))
        self.assertEqual(len(self.cycle), 36)

    def start_looping(self, **extra):
        cfg = falco_config(engine={"capture": {"file": os.path.join(CAPTURES, "basic.scap"), "loop": 0,
                                               "rate": 1000}})
        cfg.update(extra)
        self.d = self.start_daemon(config=cfg, args=["-r", self.rules])
        return self.d

    def test_sub_streams_to_two_clients_at_once(self):
        self.start_looping()
        a = SubClient(self.channel(), "sub-a")
        b = SubClient(self.channel(), "sub-b")
        self.subs += [a, b]
        for s in (a, b):
            wait_for(lambda: len(s.msgs) >= 3 * len(self.cycle), 30, "%s to receive three loops" % s.name_)
        host = socket.gethostname()
        for s in (a, b):
            msgs = list(s.msgs)
            self.assert_cycle_window([m.output for m in msgs], self.cycle, s.name_)
            for m in msgs:
                self.assertEqual((m.rule, m.priority, list(m.tags), m.source, m.source_deprecated, m.hostname),
                                 ("outputs_fanout_exit", falco_schema.NOTICE, ["fanout"], "syscall",
                                  falco_schema.SYSCALL, host))
                self.assertEqual(set(m.output_fields), {"evt.time", "evt.num", "evt.type", "proc.name", "fd.name"})
                self.assertIn("evt=%s " % m.output_fields["evt.num"], m.output)
                self.assertGreater(m.time.seconds, 1600000000)
            self.assertGreater(s.sent, 1)  # keep-alives went out and were taken
            self.assertIsNone(s.code)
        # one client half-closes: its stream ends OK; the other goes on
        a.stop.set()
        self.assertEqual(a.finish(), grpc.StatusCode.OK)
        n = len(b.msgs)
        wait_for(lambda: len(b.msgs) > n + len(self.cycle), 30, "sub-b to go on after sub-a left")
        self.assertIsNone(b.code)
        log = self.stop_clean(self.d)
        b.stop.set()
        self.assertEqual(b.finish(), grpc.StatusCode.OK)  # SIGTERM ends Falco's sub with OK, as in Falco
        self.assert_cycle_window([m.output for m in b.msgs], self.cycle, "sub-b")
        names = [m.group(1) for m in SUBSCRIBER_LINE.finditer(log)]
        self.assertEqual(sorted(re.sub(r"#\d+\(.*$", "", n) for n in names), ["falco-get-queue", "falco-sub"], log)

    def test_get_returns_what_came_since_the_previous_get(self):
        self.start_looping()
        ch = self.channel()
        time.sleep(0.5 * SLOW)
        first = self.get(ch)
        time.sleep(0.5 * SLOW)
        second = self.get(ch)
        self.assertTrue(first)
        self.assertTrue(second)
        printed = stdout_alerts(self.d)
        # Falco's queue is there from the start: the first get has every
        # alert from the first one, the second one carries straight on
        self.assertEqual([r.output for r in first], printed[:len(first)])
        self.assertEqual([r.output for r in second], printed[len(first):len(first) + len(second)])
        self.assertEqual(printed[0], self.cycle[0])
        for r in first + second:
            self.assertEqual((r.rule, r.priority), ("outputs_fanout_exit", falco_schema.NOTICE))

    def test_new_outputs_method_serves_falco_stubs_too(self):
        # Falco's request is a valid (empty) filter; Falco's response decodes
        # the stream, our extra fields being unknown to it
        self.start_looping()
        call = server_stream(self.channel(), OUTPUTS, falco_outputs.request, falco_outputs.response)(
            falco_outputs.request(keepalive=True))
        got = []
        for m in call:
            got.append(m.output)
            if len(got) == 2 * len(self.cycle):
                break
        call.cancel()
        self.assert_cycle_window(got, self.cycle, "outputs")

    def test_grpc_output_disabled_turns_falcos_methods_off(self):
        self.start_looping(grpc_output={"enabled": False})
        ch = self.channel()
        with self.assertRaises(grpc.RpcError) as e:
            self.get(ch)
        self.assertEqual(e.exception.code(), grpc.StatusCode.UNIMPLEMENTED)
        with self.assertRaises(grpc.RpcError) as e:
            list(bidi(ch, SUB, falco_outputs.request, falco_outputs.response)(
                iter([falco_outputs.request(keepalive=True)]), timeout=10 * SLOW))
        self.assertEqual(e.exception.code(), grpc.StatusCode.UNIMPLEMENTED)
        # the project's own stream is still served
        call = server_stream(ch, OUTPUTS, falco_outputs.request, falco_outputs.response)(falco_outputs.request())
        self.assertIn(next(call).output, self.cycle)
        call.cancel()
        log = self.stop_clean(self.d)
        self.assertNotIn("falco-get-queue", log)


if __name__ == "__main__":
    unittest.main()
