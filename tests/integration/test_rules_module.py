"""The rules module (issue 11): API rules files put, replaced and deleted on
a running daemon with the alerts following on an open outputs stream;
invalid content refused with positions and nothing changed; optimistic
concurrency with if_revision; files, toggles and revision back after a
restart; a persisted set that no longer loads stops the start (or not, with
start_without_api_files); kill -9 at random moments during puts, 50 times,
always restarting on a whole state some put returned (or the one before);
and fapictl's rules commands by their output and exit codes.

Authorisation and audit of the rules methods: test_rules_authz.py."""

import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest

import grpc

from fapi_testlib import BIN, BUILD_DIR, SHARED_DIR, SLOW, Daemon, DaemonTest, server_stream, unary

import outputs_pb2 as outputs
import rules_pb2 as rules

HERE = os.path.dirname(os.path.abspath(__file__))
CAPTURE = os.path.join(BUILD_DIR, "captures", "basic.scap")
FAPICTL = os.path.join(BUILD_DIR, "bin", "fapictl")
FALCO_RULES = os.path.join(SHARED_DIR, "rules", "falco_rules.yaml")

# The config file of every daemon here: a marker rule on the connect exits
# of the generated capture (3 a pass), and a macro the API files use.
CONFIG_RULES = """\
- macro: opened
  condition: evt.type = openat and evt.dir = <

- rule: marker_connect
  desc: a connect exit (the engine still evaluates)
  condition: evt.type = connect and evt.dir = <
  output: "marker evt=%evt.num"
  priority: NOTICE
  tags: [marker]
"""


def api_rule(name="api_open", output="v1", tags=("api",), condition="opened", enabled=None):
    text = "- rule: %s\n  desc: an openat exit, through the API\n  condition: %s\n" \
           "  output: \"%s evt=%%evt.num\"\n  priority: WARNING\n  tags: [%s]\n" % (
               name, condition, output, ", ".join(tags))
    if enabled is not None:
        text += "  enabled: %s\n" % ("true" if enabled else "false")
    return text


def read(path):
    with open(path) as f:
        return f.read()


def sha(text):
    return hashlib.sha256(text.encode()).hexdigest()


class Rpc:
    """The rules methods on one channel."""

    def __init__(self, target):
        self.ch = grpc.insecure_channel(target)
        u = lambda m, req, resp: unary(self.ch, "/falco.api.unary/rules_" + m, req, resp)
        self._list = u("list", rules.list_request, rules.list_response)
        self._get = u("get", rules.get_request, rules.get_response)
        self._validate = u("validate", rules.validate_request, rules.validate_response)
        self._put = u("put", rules.put_request, rules.write_response)
        self._delete = u("delete", rules.delete_request, rules.write_response)
        self._enable = u("enable", rules.enable_request, rules.write_response)
        self._reload = u("reload", rules.reload_request, rules.write_response)

    def close(self):
        self.ch.close()

    def list(self, **kw):
        return self._list(rules.list_request(**kw), timeout=30 * SLOW)

    def get(self, name):
        return self._get(rules.get_request(name=name), timeout=30 * SLOW)

    def validate(self, files, delete=()):
        return self._validate(rules.validate_request(
            files=[rules.api_file(name=n, content=c) for n, c in files.items()], delete=list(delete)),
            timeout=30 * SLOW)

    def put(self, files, if_revision=0, timeout=60):
        return self._put(rules.put_request(files=[rules.api_file(name=n, content=c) for n, c in files.items()],
                                           if_revision=if_revision), timeout=timeout * SLOW)

    def delete(self, names, if_revision=0):
        return self._delete(rules.delete_request(names=list(names), if_revision=if_revision), timeout=60 * SLOW)

    def enable(self, rules_=(), tags=(), enable=True, if_revision=0):
        return self._enable(rules.enable_request(rules=list(rules_), tags=list(tags), enable=enable,
                                                 if_revision=if_revision), timeout=60 * SLOW)

    def reload(self, if_revision=0):
        return self._reload(rules.reload_request(if_revision=if_revision), timeout=60 * SLOW)

    def error(self, fn, *a, **kw):
        with self_raises() as e:
            fn(*a, **kw)
        return e


class self_raises:
    """with self_raises() as e: ... -> e.code, e.details of the RpcError."""

    def __enter__(self):
        return self

    def __exit__(self, typ, val, tb):
        if typ is None:
            raise AssertionError("the call succeeded")
        if not issubclass(typ, grpc.RpcError):
            return False
        self.code, self.details = val.code(), val.details()
        return True


class Stream(threading.Thread):
    """An open /falco.api.streaming/outputs stream, kept on a thread."""

    def __init__(self, target, rule_names):
        super().__init__(daemon=True)
        self.ch = grpc.insecure_channel(target)
        self.call = server_stream(self.ch, "/falco.api.streaming/outputs", outputs.request, outputs.response)(
            outputs.request(rules=list(rule_names), omit_output_fields=True))
        self.msgs = []
        self.lock = threading.Lock()
        self.start()

    def run(self):
        try:
            for m in self.call:
                with self.lock:
                    self.msgs.append(m)
        except grpc.RpcError:
            pass

    def snapshot(self):
        with self.lock:
            return list(self.msgs)

    def close(self):
        self.call.cancel()
        self.join(10)
        self.ch.close()


def wait_for(pred, timeout, what):
    deadline = time.time() + timeout * SLOW
    while time.time() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(0.02)
    raise AssertionError("timed out waiting for " + what)


class RulesTestBase(DaemonTest):
    def setUp(self):
        super().setUp()
        if not os.path.exists(CAPTURE):
            self.skipTest("generated captures not found (FAPI_BUILD_DIR)")
        self.work = tempfile.mkdtemp(prefix="fapi-rules-")
        self.addCleanup(subprocess.run, ["rm", "-rf", self.work])
        self.config_rules = os.path.join(self.work, "config_rules.yaml")
        with open(self.config_rules, "w") as f:
            f.write(CONFIG_RULES)
        self.state_dir = os.path.join(self.work, "state", "rules")
        self.rpcs = []

    def tearDown(self):
        for r in self.rpcs:
            r.close()
        super().tearDown()

    def config(self, rules_files=None, loop=0, rate=2000, module=None, modules=("version", "outputs", "rules")):
        mc = {"state_dir": self.state_dir}
        mc.update(module or {})
        return {
            "load_modules": list(modules),
            "modules": [{"name": "rules", "config": mc}],
            "rules_file": rules_files if rules_files is not None else [self.config_rules],
            "engine": {"capture": {"file": CAPTURE, "loop": loop, "rate": rate}},
        }

    def start(self, workdir=None, **kw):
        expect = kw.pop("expect_ready", True)
        if workdir:
            os.makedirs(workdir, exist_ok=True)
        d = self.start_daemon(config=self.config(**kw), workdir=workdir, expect_ready=expect)
        return d

    def rpc(self, d):
        r = Rpc(d.target)
        self.rpcs.append(r)
        return r


class RulesModuleTest(RulesTestBase):
    def test_put_replace_delete_alerts_follow_on_an_open_stream(self):
        d = self.start()
        r = self.rpc(d)
        s = Stream(d.target, ["api_open", "marker_connect"])
        self.addCleanup(s.close)
        wait_for(lambda: any(m.rule == "marker_connect" for m in s.snapshot()), 20, "the marker rule's alerts")
        self.assertFalse(any(m.rule == "api_open" for m in s.snapshot()))
        before = r.list()
        self.assertEqual(before.revision, 1)

        w = r.put({"10-api.yaml": api_rule(output="v1")})
        self.assertEqual(w.revision, 2)
        self.assertEqual([(f.name, f.sha256, f.revision) for f in w.files],
                         [("10-api.yaml", sha(api_rule(output="v1")), 2)])
        wait_for(lambda: any(m.rule == "api_open" and " v1 evt=" in m.output for m in s.snapshot()), 20,
                 "alerts of the rule put through the API")

        t_replace = time.time_ns()
        w = r.put({"10-api.yaml": api_rule(output="v2")})
        t_replaced = time.time_ns()
        self.assertEqual(w.revision, 3)
        wait_for(lambda: any(" v2 evt=" in m.output for m in s.snapshot()), 20, "alerts of the replaced rule")
        # Every event was evaluated by one set: no v1 alert made after the
        # reply, no v2 alert made before the call.
        for m in s.snapshot():
            if " v1 evt=" in m.output:
                self.assertLess(m.created_ns, t_replaced)
            if " v2 evt=" in m.output:
                self.assertGreater(m.created_ns, t_replace)

        w = r.delete(["10-api.yaml"])
        t_deleted = time.time_ns()
        self.assertEqual(w.revision, 4)
        self.assertEqual([(f.name, f.origin) for f in w.files], [("10-api.yaml", "removed")])
        # The engine goes on (marker alerts made after the delete) without
        # a single api_open alert made after it.
        wait_for(lambda: sum(1 for m in s.snapshot() if m.rule == "marker_connect" and m.created_ns > t_deleted) >= 3,
                 20, "marker alerts after the delete")
        late = [m.output for m in s.snapshot() if m.rule == "api_open" and m.created_ns > t_deleted]
        self.assertEqual(late, [])
        lst = r.list()
        self.assertEqual(lst.revision, 4)
        self.assertEqual([f.origin for f in lst.files], ["config"])
        self.assertEqual([x.name for x in lst.rules], ["marker_connect"])

    def test_list_get_filters_and_origins(self):
        d = self.start()
        r = self.rpc(d)
        r.put({"20-b.yaml": api_rule("api_b", tags=("b", "shared")), "10-a.yaml": api_rule("api_a", tags=("a",))})
        lst = r.list()
        self.assertEqual([(f.name, f.origin) for f in lst.files],
                         [(self.config_rules, "config"), ("10-a.yaml", "api"), ("20-b.yaml", "api")])
        api_a = [f for f in lst.files if f.name == "10-a.yaml"][0]
        self.assertEqual((api_a.sha256, api_a.revision, api_a.size),
                         (sha(api_rule("api_a", tags=("a",))), 2, len(api_rule("api_a", tags=("a",)))))
        by_name = {x.name: x for x in lst.rules}
        self.assertEqual(list(by_name), ["marker_connect", "api_a", "api_b"])
        self.assertEqual((by_name["api_a"].file, by_name["api_a"].line, by_name["api_a"].origin),
                         ("10-a.yaml", 1, "api"))
        self.assertEqual((by_name["marker_connect"].origin, by_name["marker_connect"].line), ("config", 4))
        self.assertEqual(by_name["api_b"].priority, "WARNING")
        self.assertEqual(list(by_name["api_b"].tags), ["b", "shared"])
        self.assertEqual(by_name["api_b"].source, "syscall")
        self.assertIn("through the API", by_name["api_b"].description)
        wait_for(lambda: [x for x in r.list(names=["marker_connect"]).rules if x.matches > 0], 20,
                 "a match count")
        self.assertEqual([x.name for x in r.list(tags=["shared", "a"]).rules], ["api_a", "api_b"])
        self.assertEqual([x.name for x in r.list(names=["api_b"]).rules], ["api_b"])
        self.assertEqual([x.name for x in r.list(sources=["k8s_audit"]).rules], [])
        r.enable(rules_=["api_a"], enable=False)
        self.assertEqual([x.name for x in r.list(enabled=rules.DISABLED).rules], ["api_a"])
        self.assertEqual([x.name for x in r.list(enabled=rules.ENABLED).rules], ["marker_connect", "api_b"])
        self.assertEqual(len(r.list(omit_rules=True).rules), 0)

        g = r.get("20-b.yaml")
        self.assertEqual(g.content, api_rule("api_b", tags=("b", "shared")))
        self.assertEqual((g.file.origin, g.file.revision, g.revision), ("api", 2, 3))
        g = r.get(self.config_rules)
        self.assertEqual((g.content, g.file.origin, g.file.sha256), (CONFIG_RULES, "config", sha(CONFIG_RULES)))
        e = r.error(r.get, "nope.yaml")
        self.assertEqual(e.code, grpc.StatusCode.NOT_FOUND)

    def assert_refused(self, r, files, where, words):
        """A put of `files` is refused with the diagnostic at `where`
        (name, line) and nothing changes; validate says the same."""
        before = r.list()
        e = r.error(r.put, files)
        self.assertEqual(e.code, grpc.StatusCode.INVALID_ARGUMENT, e.details)
        name, line = where
        self.assertRegex(e.details.splitlines()[0], r"^%s:%d:\d+: error: " % (name, line))
        self.assertIn(words, e.details)
        after = r.list()
        self.assertEqual(after.revision, before.revision)
        self.assertEqual([(f.name, f.sha256) for f in after.files], [(f.name, f.sha256) for f in before.files])
        self.assertEqual([(x.name, x.enabled) for x in after.rules], [(x.name, x.enabled) for x in before.rules])
        v = r.validate(files)
        self.assertFalse(v.valid)
        errs = [g for g in v.diagnostics if g.error]
        self.assertTrue(errs)
        self.assertEqual((errs[0].file, errs[0].line), where)
        self.assertGreater(errs[0].column, 0)
        self.assertEqual(v.revision, before.revision)
        return errs[0]

    def test_invalid_content_changes_nothing(self):
        d = self.start()
        r = self.rpc(d)
        good = api_rule(output="good")
        r.put({"10-api.yaml": good})
        s = Stream(d.target, ["api_open"])
        self.addCleanup(s.close)
        wait_for(lambda: s.snapshot(), 20, "alerts of the good rule")
        self.assert_refused(r, {"10-api.yaml": "- rule: x\n  desc: [unclosed\n"}, ("10-api.yaml", 3), "YAML")
        g = self.assert_refused(r, {"20-api.yaml": api_rule("x", condition="opened and proc.nosuchfield = 1")},
                                ("20-api.yaml", 3), "proc.nosuchfield")
        self.assertEqual(g.item, "rule 'x'")
        self.assert_refused(r, {"20-api.yaml": api_rule("y", condition="opened and no_such_macro")},
                            ("20-api.yaml", 3), "no_such_macro")
        # An append that breaks the config file's macro, which the good API
        # rule uses: refused with the append's position.
        g = self.assert_refused(r, {"05-break.yaml": "- macro: opened\n  append: true\n  condition: and and\n"},
                                (self.config_rules, 2), "unexpected 'and'")
        self.assertEqual(g.item, "macro 'opened'")
        # Nothing half-applied: the good rule still alerts with its output.
        n = len(s.snapshot())
        wait_for(lambda: len(s.snapshot()) > n + 2, 20, "more alerts of the good rule")
        self.assertTrue(all(" good evt=" in m.output for m in s.snapshot()))
        self.assertEqual(r.get("10-api.yaml").content, good)
        # A bad name is refused before any load.
        e = r.error(r.put, {"../x.yaml": good})
        self.assertEqual(e.code, grpc.StatusCode.INVALID_ARGUMENT)
        self.assertIn("[A-Za-z0-9._-]", e.details)
        e = r.error(r.delete, ["nope.yaml"])
        self.assertEqual(e.code, grpc.StatusCode.NOT_FOUND)
        e = r.error(r.enable, ["no such rule"], (), False)
        self.assertEqual(e.code, grpc.StatusCode.NOT_FOUND)
        self.assertEqual(r.list().revision, 2)

    @unittest.skipUnless(os.path.exists(FALCO_RULES), "Falco's rules not found in ../shared/falco-0.31.1")
    def test_append_breaking_a_falco_macro_is_refused(self):
        d = self.start(rules_files=[FALCO_RULES], rate=0, loop=1)
        r = self.rpc(d)
        before = r.list()
        self.assertGreater(len(before.rules), 60)
        # The engine names the macro where Falco's file defines it (the
        # condition it compiled is the definition with the append).
        g = self.assert_refused(r, {"50-local.yaml": "# local changes\n- macro: open_write\n  append: true\n"
                                                     "  condition: or (fd.name =\n"}, (FALCO_RULES, 32),
                                "expected a value after '='")
        self.assertEqual(g.item, "macro 'open_write'")
        # While the same append done right applies.
        w = r.put({"50-local.yaml": "- macro: open_write\n  append: true\n  condition: or fd.name = /tmp/x\n"})
        self.assertEqual(w.revision, before.revision + 1)

    def test_two_writers_same_if_revision_exactly_one_wins(self):
        d = self.start()
        r1, r2 = self.rpc(d), self.rpc(d)
        rev = r1.list().revision
        results = {}
        barrier = threading.Barrier(2)

        def writer(who, rpc, text):
            barrier.wait()
            try:
                results[who] = ("OK", rpc.put({"10-api.yaml": text}, if_revision=rev).revision)
            except grpc.RpcError as e:
                results[who] = (e.code().name, e.details())

        ts = [threading.Thread(target=writer, args=("a", r1, api_rule(output="a"))),
              threading.Thread(target=writer, args=("b", r2, api_rule(output="b")))]
        for t in ts:
            t.start()
        for t in ts:
            t.join(60 * SLOW)
        codes = sorted(v[0] for v in results.values())
        self.assertEqual(codes, ["ABORTED", "OK"], results)
        winner = [k for k, v in results.items() if v[0] == "OK"][0]
        loser = [v for v in results.values() if v[0] == "ABORTED"][0]
        self.assertIn("revision %d" % (rev + 1), loser[1])
        lst = r1.list()
        self.assertEqual(lst.revision, rev + 1)
        self.assertEqual(r1.get("10-api.yaml").content, api_rule(output=winner))
        # A stale if_revision on every kind of write.
        for fn, args in ((r1.put, ({"x.yaml": api_rule("x")},)), (r1.delete, (["10-api.yaml"],)),
                         (r1.enable, (["api_open"],)), (r1.reload, ())):
            e = r1.error(fn, *args, if_revision=rev)
            self.assertEqual(e.code, grpc.StatusCode.ABORTED)
        self.assertEqual(r1.list().revision, rev + 1)
        self.assertEqual(r1.enable(["api_open"], (), False, if_revision=rev + 1).revision, rev + 2)

    def test_toggles_by_name_and_tag_survive_puts_reload_and_restart(self):
        d = self.start(workdir=os.path.join(self.work, "d"))
        r = self.rpc(d)
        r.put({"10-api.yaml": api_rule(tags=("api", "net"))})
        w = r.enable(tags=["marker"], enable=False)
        self.assertEqual(w.rules_changed, 1)
        w = r.enable(rules_=["api_open"], enable=False)
        self.assertEqual((w.revision, w.rules_changed), (4, 1))
        state = lambda: {x.name: x.enabled for x in r.list().rules}
        self.assertEqual(state(), {"marker_connect": False, "api_open": False})
        # A rule disabled in its file, enabled by a toggle; the toggles
        # outlive a replacement of the file.
        r.put({"10-api.yaml": api_rule(tags=("api", "net")), "20-off.yaml": api_rule("off_rule", enabled=False)})
        r.enable(rules_=["off_rule"])
        self.assertEqual(state(), {"marker_connect": False, "api_open": False, "off_rule": True})
        rl = r.reload()
        self.assertEqual(rl.revision, 7)
        self.assertEqual(state(), {"marker_connect": False, "api_open": False, "off_rule": True})
        before = r.list()
        self.assertEqual([(t.enable, t.rule, t.tag) for t in before.toggles],
                         [(False, "", "marker"), (False, "api_open", ""), (True, "off_rule", "")])
        self.stop_clean(d)
        d.cleanup()
        self.daemons.remove(d)

        d2 = self.start(workdir=os.path.join(self.work, "d2"))
        r2 = self.rpc(d2)
        after = r2.list()
        self.assertEqual(after.revision, 7)
        self.assertEqual([(f.name, f.sha256, f.revision) for f in after.files],
                         [(f.name, f.sha256, f.revision) for f in before.files])
        self.assertEqual([(x.name, x.enabled) for x in after.rules], [(x.name, x.enabled) for x in before.rules])
        self.assertEqual(list(after.toggles), list(before.toggles))
        self.assertEqual(oct(os.stat(self.state_dir).st_mode & 0o777), "0o700")

    def test_persisted_set_that_no_longer_loads(self):
        d = self.start(workdir=os.path.join(self.work, "d"))
        r = self.rpc(d)
        r.put({"10-api.yaml": api_rule()})
        self.stop_clean(d)
        d.cleanup()
        self.daemons.remove(d)
        # The config file no longer defines the macro the API file uses.
        with open(self.config_rules, "w") as f:
            f.write(CONFIG_RULES.replace("- macro: opened", "- macro: opened_renamed"))
        d = self.start(workdir=os.path.join(self.work, "d2"), expect_ready=False)
        rc = d.wait(30)
        self.assertNotEqual(rc, 0)
        self.assertRegex(d.log(), r"10-api\.yaml:3:\d+: error: rule 'api_open'")
        self.assertIn("start_without_api_files", d.log())
        self.daemons.remove(d)
        d.cleanup()

        d = self.start(workdir=os.path.join(self.work, "d3"), module={"start_without_api_files": True})
        self.assertIn("starting without them", d.log())
        r = self.rpc(d)
        lst = r.list()
        self.assertEqual(lst.revision, 2)
        self.assertEqual([f.origin for f in lst.files], ["config"])
        # A write that makes a set that loads applies it whole.
        w = r.put({"10-api.yaml": api_rule(condition="opened_renamed")})
        self.assertEqual(w.revision, 3)
        self.assertEqual([f.name for f in r.list().files], [self.config_rules, "10-api.yaml"])

    def test_damaged_state_stops_the_start_naming_the_file(self):
        d = self.start(workdir=os.path.join(self.work, "d"))
        r = self.rpc(d)
        w = r.put({"10-api.yaml": api_rule()})
        self.stop_clean(d)
        d.cleanup()
        self.daemons.remove(d)
        blob = os.path.join(self.state_dir, "api-%s.yaml" % w.files[0].sha256)
        with open(blob, "a") as f:
            f.write("# changed behind the module's back\n")
        d = self.start(workdir=os.path.join(self.work, "d2"), expect_ready=False)
        self.assertNotEqual(d.wait(30), 0)
        self.assertIn("10-api.yaml", d.log())
        self.assertIn(blob, d.log())
        self.daemons.remove(d)
        d.cleanup()


class RulesCrashTest(RulesTestBase):
    """kill -9 at random moments while puts run, 50 times: each restart
    finds a whole state that a put returned, or the one the put in flight
    was making; never a mix, never an older one."""

    ROUNDS = 50

    def test_kill_9_during_puts(self):
        rng = random.Random(11)
        acked = {1: {}}      # revision -> {name: sha256}, as the puts returned them
        last = 1
        workdir = os.path.join(self.work, "d")
        os.makedirs(workdir)
        seen_inflight = 0
        for rnd in range(self.ROUNDS):
            d = Daemon(self.config(rate=0, loop=1), workdir=workdir)
            d.start()
            r = Rpc(d.target)
            try:
                lst = r.list(omit_rules=True)
                files = {f.name: f.sha256 for f in lst.files if f.origin == "api"}
                if lst.revision == last:
                    self.assertEqual(files, acked[last], "round %d" % rnd)
                else:
                    # The put in flight when the daemon died was made durable.
                    self.assertEqual(lst.revision, last + 1, "round %d" % rnd)
                    self.assertEqual(files, inflight, "round %d" % rnd)
                    acked[lst.revision] = files
                    last = lst.revision
                    seen_inflight += 1
                # Whole: every file's content is the one its sha256 says.
                for name, digest in files.items():
                    self.assertEqual(sha(r.get(name).content), digest)
                stop = threading.Event()
                state = {"files": dict(files)}

                def writer():
                    nonlocal last, inflight
                    i = 0
                    while not stop.is_set():
                        i += 1
                        nxt = dict(state["files"])
                        name = "f%d.yaml" % rng.randrange(3)
                        text = api_rule("r_" + name[:2], output="round%d put%d" % (rnd, i))
                        nxt[name] = sha(text)
                        inflight = nxt
                        try:
                            w = r.put({name: text}, if_revision=last, timeout=10)
                        except grpc.RpcError:
                            return
                        acked[w.revision] = nxt
                        last = w.revision
                        state["files"] = nxt

                inflight = None
                t = threading.Thread(target=writer, daemon=True)
                t.start()
                time.sleep(rng.uniform(0.0, 0.25))
                d.proc.send_signal(signal.SIGKILL)
                d.proc.wait()
                stop.set()
                t.join(20)
            finally:
                r.close()
                d.cleanup()
        self.assertGreater(last, self.ROUNDS, "puts must have been made")
        sys.stderr.write("kill -9 loop: %d rounds, revision %d, %d restarts found the put in flight durable\n" %
                         (self.ROUNDS, last, seen_inflight))


class RulesClientTest(RulesTestBase):
    def fapictl(self, d, *args):
        p = subprocess.run([FAPICTL] + list(args) + ["--target", d.target], capture_output=True, text=True,
                           timeout=60 * SLOW)
        return p.returncode, p.stdout, p.stderr

    def test_client_commands(self):
        if not os.path.exists(FAPICTL):
            self.skipTest("fapictl not built")
        d = self.start(rate=0, loop=1)
        good = os.path.join(self.work, "10-good.yaml")
        bad = os.path.join(self.work, "20-bad.yaml")
        with open(good, "w") as f:
            f.write(api_rule("good one", tags=("api", "web")))
        with open(bad, "w") as f:
            f.write("# a comment\n" + api_rule("bad", condition="opened and proc.nosuchfield = 1"))

        rc, out, err = self.fapictl(d, "rules", "validate", good)
        self.assertEqual((rc, out.strip()), (0, "valid (against revision 1)"), err)
        rc, out, err = self.fapictl(d, "rules", "validate", good, bad)
        self.assertEqual(rc, 3, err)
        self.assertRegex(out, r"(?m)^%s:4:\d+: error: rule 'bad': .*proc\.nosuchfield" % bad)
        rc, out, err = self.fapictl(d, "rules", "validate", "--json", bad)
        self.assertEqual(rc, 3)
        v = json.loads(out)
        self.assertEqual((v["valid"], v["diagnostics"][0]["file"], v["diagnostics"][0]["line"]),
                         (False, "20-bad.yaml", 4))

        rc, out, err = self.fapictl(d, "rules", "put", bad)
        self.assertEqual(rc, 3)
        self.assertRegex(err, r"(?m)^%s:4:\d+: error: " % bad)
        rc, out, err = self.fapictl(d, "rules", "put", good)
        self.assertEqual(rc, 0, err)
        self.assertEqual(out.splitlines(), ["revision 2", "file 10-good.yaml sha256=%s" % sha(read(good))])
        rc, out, err = self.fapictl(d, "rules", "put", good, "--if-revision", "1")
        self.assertEqual(rc, 1)
        self.assertIn("ABORTED", err)
        rc, out, err = self.fapictl(d, "rules", "put", "--if-revision", "x", good)
        self.assertEqual(rc, 2)

        rc, out, err = self.fapictl(d, "rules", "list")
        self.assertEqual(rc, 0, err)
        lines = out.splitlines()
        self.assertEqual(lines[0], "revision 2")
        self.assertIn("file config %s sha256=%s" % (self.config_rules, sha(CONFIG_RULES)), lines)
        self.assertRegex(out, r"(?m)^file api 10-good\.yaml sha256=[0-9a-f]{64} revision=2 size=\d+$")
        self.assertRegex(out, r"(?m)^rule enabled +WARNING +syscall +matches=\d+ +10-good\.yaml:1 \(api\) good one "
                              r"tags=api,web$")
        rc, out, err = self.fapictl(d, "rules", "list", "--tag", "web", "--json")
        j = json.loads(out)
        self.assertEqual([x["name"] for x in j["rules"]], ["good one"])
        self.assertEqual(j["revision"], 2)

        rc, out, err = self.fapictl(d, "rules", "disable", "good one")
        self.assertEqual((rc, out.splitlines()), (0, ["revision 3", "rules changed: 1"]), err)
        rc, out, err = self.fapictl(d, "rules", "list", "--disabled")
        self.assertRegex(out, r"(?m)^toggle disable rule good one$")
        self.assertRegex(out, r"(?m)^rule disabled .* good one tags=api,web$")
        rc, out, err = self.fapictl(d, "rules", "enable", "--tag", "web", "--json")
        self.assertEqual(rc, 0, err)
        self.assertEqual(json.loads(out)["rules_changed"], 1)
        rc, out, err = self.fapictl(d, "rules", "enable", "no such rule")
        self.assertEqual(rc, 1)
        self.assertIn("NOT_FOUND", err)

        rc, out, err = self.fapictl(d, "rules", "get", "10-good.yaml")
        self.assertEqual((rc, out), (0, read(good)))
        rc, out, err = self.fapictl(d, "rules", "get", "--json", "10-good.yaml")
        self.assertEqual(json.loads(out)["revision"], 2)
        rc, out, err = self.fapictl(d, "rules", "reload")
        self.assertEqual((rc, out.strip()), (0, "revision 5"), err)
        rc, out, err = self.fapictl(d, "rules", "delete", "10-good.yaml")
        self.assertEqual((rc, out.splitlines()[0]), (0, "revision 6"), err)
        self.assertIn("removed 10-good.yaml sha256=", out)
        rc, out, err = self.fapictl(d, "rules", "delete", "10-good.yaml")
        self.assertEqual(rc, 1)
        self.assertIn("NOT_FOUND", err)
        rc, out, err = self.fapictl(d, "rules", "put", os.path.join(self.work, "missing.yaml"))
        self.assertEqual(rc, 2)


if __name__ == "__main__":
    unittest.main()
