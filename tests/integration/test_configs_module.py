"""The configs module (issue 12): every key listed with its type, value,
origin and reload class; a hot key (priority) changing what an open outputs
stream gets without reconnecting, and coming back with a reset; a
restart-class key stored as pending_restart and applied after a restart; the
overlay that keeps API values across restarts and kill -9 during writes;
wrong type, unknown key, out-of-range and cross-key values each refused
naming the key with nothing changed; a module key (outputs' queue_capacity);
the guard rails; revisions (ABORTED when stale); the audit of old and new
values; and fapictl configs list|get|set|reset."""

import json
import os
import pwd
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import unittest

import grpc

from fapi_testlib import BIN, BUILD_DIR, PY_PROTO, SLOW, Daemon, DaemonTest, server_stream, unary

import configs_pb2 as cfgpb
import outputs_pb2 as outputs
import schema_pb2 as schema

HERE = os.path.dirname(os.path.abspath(__file__))
RULES = os.path.normpath(os.path.join(HERE, "..", "fixtures", "rules", "outputs_filters.yaml"))
CAPTURE = os.path.join(BUILD_DIR, "captures", "basic.scap")
FAPICTL = os.path.join(os.path.dirname(BIN), "fapictl") if BIN else ""

LIST = "/falco.api.unary/configs_list"
GET = "/falco.api.unary/configs_get"
SET = "/falco.api.unary/configs_set"
RESET = "/falco.api.unary/configs_reset"
OUTPUTS = "/falco.api.streaming/outputs"

# Rules of outputs_filters.yaml by severity: priority=error keeps these two.
SEVERE = {"outputs_shadow", "outputs_connect"}
LOW = {"outputs_exec", "outputs_open", "outputs_stat", "outputs_accept"}


def configs_config(state_dir, extra=None, rate=2000, loop=0):
    """Version, outputs and configs, the overlay in state_dir, the filters'
    rules over basic.scap replayed in a loop (paced, so alerts keep coming
    for as long as a test needs)."""
    cfg = {"load_modules": ["version", "outputs", "configs"],
           "modules": [{"name": "configs", "config": dict({"state_dir": state_dir}, **(extra or {}))}],
           "rules_file": [RULES],
           "engine": {"capture": {"file": CAPTURE, "loop": loop, "rate": rate}}}
    return cfg


class ConfigsTest(DaemonTest):
    def new_daemon(self, make_config):
        """A daemon whose config make_config(its directory) builds: the
        overlay's state_dir and other files live in the daemon's own
        directory, removed at cleanup."""
        base = Daemon({}, workdir=None)
        d = Daemon(make_config(base.dir), workdir=base.dir)
        # Restarts reuse the directory: it goes once every daemon is done.
        self.addCleanup(shutil.rmtree, base.dir, True)
        self.daemons.append(d)
        return d

    def start_configs(self, extra=None, **kw):
        return self.new_daemon(lambda dir: configs_config(os.path.join(dir, "state"), extra, **kw)).start()

    def channel(self, d):
        # A subchannel pool of its own: restarted daemons reuse a socket
        # path, and a pooled connection to the previous one would be stale.
        ch = grpc.insecure_channel(d.target, options=[("grpc.use_local_subchannel_pool", 1)])
        self.addCleanup(ch.close)
        return ch

    def call(self, d, path, req, resp_cls, timeout=10):
        with grpc.insecure_channel(d.target, options=[("grpc.use_local_subchannel_pool", 1)]) as ch:
            return unary(ch, path, type(req), resp_cls)(req, timeout=timeout * SLOW)

    def list_keys(self, d, prefix=""):
        r = self.call(d, LIST, cfgpb.list_request(prefix=prefix), cfgpb.list_response)
        return {k.name: k for k in r.keys}, r.revision

    def set(self, d, revision=0, validate_only=False, **values):
        req = cfgpb.set_request(set=[cfgpb.assignment(key=k.replace("__", "."), value=v) for k, v in values.items()],
                                if_revision=revision, validate_only=validate_only)
        return self.call(d, SET, req, cfgpb.set_response)

    def set_pairs(self, d, pairs, revision=0):
        req = cfgpb.set_request(set=[cfgpb.assignment(key=k, value=v) for k, v in pairs], if_revision=revision)
        return self.call(d, SET, req, cfgpb.set_response)

    def reset(self, d, *keys, revision=0):
        return self.call(d, RESET, cfgpb.reset_request(keys=list(keys), if_revision=revision), cfgpb.reset_response)

    def refused(self, d, code, pairs, key):
        """A set that must fail with `code` naming `key`, changing nothing."""
        before, rev = self.list_keys(d)
        with self.assertRaises(grpc.RpcError) as e:
            self.set_pairs(d, pairs)
        self.assertEqual(e.exception.code(), code, e.exception.details())
        self.assertIn(key, e.exception.details())
        after, rev2 = self.list_keys(d)
        self.assertEqual(rev, rev2)
        for name in ("priority", "json_output", "modules.outputs.queue_capacity"):
            if name in before:
                self.assertEqual(before[name].current.yaml, after[name].current.yaml, name)
        return e.exception.details()


class ListGetTest(ConfigsTest):
    def test_every_key_listed_with_type_origin_and_class(self):
        d = self.start_configs()
        keys, rev = self.list_keys(d)
        self.assertGreaterEqual(rev, 1)
        for name in ("priority", "json_output", "outputs.rate", "grpc.bind_address",
                     "modules.outputs.queue_capacity", "modules.configs.state_dir"):
            self.assertIn(name, keys)
        p = keys["priority"]
        self.assertEqual(p.type, "enum")
        self.assertEqual(p.reload, cfgpb.HOT)
        self.assertIn("error", [a.lower() for a in p.allowed])
        self.assertTrue(p.settable)
        self.assertTrue(p.description)
        # rules_file comes from the test's falco.yaml, with its line.
        rf = keys["rules_file"]
        self.assertEqual(rf.origin.kind, cfgpb.FILE)
        self.assertEqual(rf.origin.file, d.config_path)
        self.assertGreater(rf.origin.line, 0)
        self.assertEqual(keys["json_output"].origin.kind, cfgpb.DEFAULT)
        q = keys["modules.outputs.queue_capacity"]
        self.assertEqual(q.type, "int")
        self.assertTrue(q.has_range)
        self.assertGreaterEqual(q.min, 1)
        self.assertEqual(q.current.int_value, 1024)
        self.assertEqual(keys["grpc.bind_address"].settable, False)
        self.assertEqual(keys["grpc.bind_address"].guard, "listeners")
        self.assertTrue(keys["grpc.private_key"].secret)
        # A prefix keeps only its subtree.
        sub, _ = self.list_keys(d, "modules.outputs")
        self.assertTrue(sub)
        self.assertTrue(all(n.startswith("modules.outputs.") for n in sub), list(sub))

    def test_get_key_and_subtree_typed_and_yaml(self):
        d = self.start_configs()
        r = self.call(d, GET, cfgpb.get_request(key="priority"), cfgpb.get_response)
        self.assertEqual([k.name for k in r.keys], ["priority"])
        self.assertEqual(r.keys[0].current.string_value.lower(), "debug")
        self.assertRegex(r.yaml, r"priority: *debug")
        r = self.call(d, GET, cfgpb.get_request(key="outputs"), cfgpb.get_response)
        names = {k.name for k in r.keys}
        self.assertTrue({"outputs.rate", "outputs.max_burst"} <= names, names)
        self.assertIn("rate:", r.yaml)
        self.assertIn("max_burst:", r.yaml)
        r = self.call(d, GET, cfgpb.get_request(key="modules.outputs"), cfgpb.get_response)
        self.assertIn("modules.outputs.queue_capacity", {k.name for k in r.keys})
        self.assertIn("queue_capacity: 1024", r.yaml)
        with self.assertRaises(grpc.RpcError) as e:
            self.call(d, GET, cfgpb.get_request(key="no_such.key"), cfgpb.get_response)
        self.assertEqual(e.exception.code(), grpc.StatusCode.NOT_FOUND)
        self.assertIn("no_such.key", e.exception.details())


    def test_reflection_describes_the_methods(self):
        import reflection_v1_pb2 as r1
        from google.protobuf import descriptor_pb2, descriptor_pool
        d = self.start_configs()
        call = self.channel(d).stream_stream("/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
                                             request_serializer=r1.ServerReflectionRequest.SerializeToString,
                                             response_deserializer=r1.ServerReflectionResponse.FromString)
        [a] = list(call(iter([r1.ServerReflectionRequest(file_containing_symbol="falco.api.unary")]),
                        timeout=20 * SLOW))
        files = {}
        for raw in a.file_descriptor_response.file_descriptor_proto:
            fd = descriptor_pb2.FileDescriptorProto.FromString(raw)
            files[fd.name] = fd
        pool = descriptor_pool.DescriptorPool()
        added = set()

        def add(name):
            if name not in added:
                added.add(name)
                for dep in files[name].dependency:
                    add(dep)
                pool.Add(files[name])
        for name in files:
            add(name)
        for m, req in (("configs_list", "list_request"), ("configs_get", "get_request"),
                       ("configs_set", "set_request"), ("configs_reset", "reset_request")):
            self.assertEqual(pool.FindMethodByName("falco.api.unary." + m).input_type.full_name,
                             "falco.configs." + req)


class HotTest(ConfigsTest):
    def test_priority_error_on_open_stream_then_reset(self):
        d = self.start_configs()
        ch = self.channel(d)
        call = server_stream(ch, OUTPUTS, outputs.request, outputs.response)(outputs.request(), timeout=60 * SLOW)
        got = []  # (created_ns, rule)
        done = threading.Event()

        def read():
            try:
                for a in call:
                    got.append((a.created_ns, a.rule))
            except grpc.RpcError:
                pass
            done.set()

        t = threading.Thread(target=read, daemon=True)
        t.start()

        def wait_for(pred, what, timeout=20):
            deadline = time.time() + timeout * SLOW
            while time.time() < deadline:
                if pred():
                    return
                time.sleep(0.02)
            self.fail("%s: never happened; got %d alerts, last %s" % (what, len(got), got[-5:]))

        wait_for(lambda: {r for _, r in got} & LOW and {r for _, r in got} & SEVERE, "low and severe alerts")
        r = self.set(d, priority="error")
        after_set = time.time_ns()
        self.assertEqual([c.key for c in r.changes], ["priority"])
        self.assertEqual(r.changes[0].reload, cfgpb.HOT)
        self.assertFalse(r.changes[0].pending_restart)
        self.assertEqual(list(r.pending_restart), [])
        n0 = len(got)
        # Severe alerts keep coming on the same stream, the others stop.
        wait_for(lambda: sum(1 for c, r in got[n0:] if c > after_set and r in SEVERE) >= 3, "severe after the set")
        late_low = [(c, r) for c, r in got if c > after_set and r in LOW]
        self.assertEqual(late_low, [], "alerts below error made after configs_set returned")
        keys, _ = self.list_keys(d)
        self.assertEqual(keys["priority"].origin.kind, cfgpb.API)
        self.assertEqual(keys["priority"].current.string_value.lower(), "error")

        r = self.reset(d, "priority")
        after_reset = time.time_ns()
        self.assertEqual([c.key for c in r.changes], ["priority"])
        self.assertEqual(r.changes[0].new_value.string_value.lower(), "debug")
        wait_for(lambda: any(c > after_reset and r in LOW for c, r in got), "low alerts after the reset")
        self.assertFalse(done.is_set(), "the stream ended")
        keys, _ = self.list_keys(d)
        self.assertNotEqual(keys["priority"].origin.kind, cfgpb.API)
        call.cancel()
        t.join(10)

    def test_revision_if_revision_and_validate_only(self):
        d = self.start_configs()
        _, rev = self.list_keys(d)
        r = self.set(d, validate_only=True, json_output="true")
        self.assertTrue(r.validated_only)
        self.assertEqual(r.revision, rev)
        keys, rev2 = self.list_keys(d)
        self.assertEqual(rev2, rev)
        self.assertEqual(keys["json_output"].current.bool_value, False)
        r = self.set(d, revision=rev, json_output="true")
        self.assertEqual(r.revision, rev + 1)
        self.assertEqual(r.changes[0].old_value.bool_value, False)
        self.assertEqual(r.changes[0].new_value.bool_value, True)
        with self.assertRaises(grpc.RpcError) as e:
            self.set(d, revision=rev, json_output="false")
        self.assertEqual(e.exception.code(), grpc.StatusCode.ABORTED)
        with self.assertRaises(grpc.RpcError) as e:
            self.reset(d, "json_output", revision=rev)
        self.assertEqual(e.exception.code(), grpc.StatusCode.ABORTED)
        keys, rev3 = self.list_keys(d)
        self.assertEqual(rev3, rev + 1)
        self.assertEqual(keys["json_output"].current.bool_value, True)
        r = self.reset(d, "json_output", revision=rev + 1)
        self.assertEqual(r.revision, rev + 2)

    def test_change_is_audited_with_old_and_new(self):
        def config(dir):
            cfg = configs_config(os.path.join(dir, "state"))
            cfg["grpc"] = {"bind_address": "unix://" + os.path.join(dir, "run", "falco.sock"), "threadiness": 2,
                           "audit_log": os.path.join(dir, "audit.log")}
            return cfg
        d = self.new_daemon(config).start()
        audit = os.path.join(d.dir, "audit.log")
        self.set(d, priority="error", json_output="true")
        self.reset(d, "priority")
        with self.assertRaises(grpc.RpcError):
            self.set(d, priority="nonsense")
        with open(audit) as f:
            records = [json.loads(l) for l in f if l.strip()]
        text = "\n".join(json.dumps(r) for r in records)
        sets = [r for r in records if "configs_set" in json.dumps(r)]
        self.assertEqual(len(sets), 2, text)
        self.assertIn("priority: debug -> error", json.dumps(sets[0]), text)
        self.assertIn("json_output: false -> true", json.dumps(sets[0]), text)
        self.assertIn("priority=nonsense", json.dumps(sets[1]), text)
        resets = [r for r in records if "configs_reset" in json.dumps(r)]
        self.assertEqual(len(resets), 1, text)
        self.assertIn("priority: error -> debug", json.dumps(resets[0]), text)
        self.assertIn("priority", d.log())


class InvalidTest(ConfigsTest):
    def test_wrong_type_unknown_out_of_range_cross_key(self):
        # The listener and TLS groups are allowed here so that the cross-key
        # rule (a TCP listener needs all three TLS files) can be reached.
        d = self.start_configs({"allow_guarded": ["listeners", "tls"]})
        self.refused(d, grpc.StatusCode.INVALID_ARGUMENT, [("json_output", "maybe")], "json_output")
        self.refused(d, grpc.StatusCode.INVALID_ARGUMENT, [("modules.outputs.queue_capacity", "many")],
                     "modules.outputs.queue_capacity")
        self.refused(d, grpc.StatusCode.INVALID_ARGUMENT, [("no_such_key", "1")], "no_such_key")
        self.refused(d, grpc.StatusCode.INVALID_ARGUMENT, [("priority", "loud")], "priority")
        self.refused(d, grpc.StatusCode.INVALID_ARGUMENT, [("modules.outputs.queue_capacity", "0")],
                     "modules.outputs.queue_capacity")
        self.refused(d, grpc.StatusCode.INVALID_ARGUMENT, [("outputs.rate", "-1")], "outputs.rate")
        self.refused(d, grpc.StatusCode.INVALID_ARGUMENT,
                     [("grpc.bind_address", '["unix://%s", "127.0.0.1:1"]' % d.socket)], "grpc.bind_address")
        # All or none: a good value next to a bad one changes nothing.
        self.refused(d, grpc.StatusCode.INVALID_ARGUMENT, [("priority", "error"), ("json_output", "maybe")],
                     "json_output")
        self.refused(d, grpc.StatusCode.INVALID_ARGUMENT, [("priority", "error"), ("priority", "debug")],
                     "priority")
        with self.assertRaises(grpc.RpcError) as e:
            self.reset(d, "no_such_key")
        self.assertEqual(e.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)
        self.assertIn("no_such_key", e.exception.details())


class ModuleKeyTest(ConfigsTest):
    def queue_capacity_in_log(self, d):
        m = re.findall(r"subscriber outputs#\d+\S*: delivered \d+, dropped \d+, filtered out \d+, queued \d+/(\d+)",
                       d.log())
        return [int(x) for x in m]

    def test_queue_capacity_listed_validated_set_pending_then_applied_after_restart(self):
        d = self.start_configs()
        keys, _ = self.list_keys(d)
        q = keys["modules.outputs.queue_capacity"]
        self.assertEqual(q.reload, cfgpb.AT_RESTART)
        self.assertTrue(q.settable)
        self.refused(d, grpc.StatusCode.INVALID_ARGUMENT, [("modules.outputs.queue_capacity", str(q.max + 1))],
                     "modules.outputs.queue_capacity")
        r = self.set_pairs(d, [("modules.outputs.queue_capacity", "64")])
        self.assertEqual(list(r.pending_restart), ["modules.outputs.queue_capacity"])
        self.assertTrue(r.changes[0].pending_restart)
        keys, _ = self.list_keys(d)
        q = keys["modules.outputs.queue_capacity"]
        self.assertTrue(q.pending_restart)
        self.assertEqual(q.pending.int_value, 64)
        self.assertEqual(q.current.int_value, 1024)
        self.assertEqual(q.origin.kind, cfgpb.API)
        self.assertTrue(os.path.exists(os.path.join(d.dir, "state", "overlay.yaml")))
        # The module still runs with 1024 until the restart.
        self.stop_with_stream(d)
        self.assertEqual(self.queue_capacity_in_log(d)[-1:], [1024], d.log())
        d2 = Daemon(configs_config(os.path.join(d.dir, "state")), workdir=d.dir)
        d2.config_path = d.config_path
        self.daemons.append(d2)
        d2.start()
        keys, _ = self.list_keys(d2)
        q = keys["modules.outputs.queue_capacity"]
        self.assertFalse(q.pending_restart)
        self.assertEqual(q.current.int_value, 64)
        self.assertEqual(q.origin.kind, cfgpb.API)
        self.stop_with_stream(d2)
        self.assertEqual(self.queue_capacity_in_log(d2)[-1:], [64], d2.log())

    def stop_with_stream(self, d):
        """Stops d while a stream is open: the shutdown log then names the
        stream's queue capacity."""
        ch = grpc.insecure_channel(d.target, options=[("grpc.use_local_subchannel_pool", 1)])
        call = server_stream(ch, OUTPUTS, outputs.request, outputs.response)(outputs.request(), timeout=30 * SLOW)
        next(iter(call))
        self.stop_clean(d)
        call.cancel()
        ch.close()


class GuardTest(ConfigsTest):
    GUARDED = [("grpc.bind_address", '"unix:///tmp/elsewhere.sock"', "listeners"),
               ("grpc.private_key", '"/tmp/key.pem"', "tls"),
               ("grpc.insecure", "true", "tls"),
               ("grpc.authorization.enabled", "false", "authorization"),
               ("grpc.unix_socket_mode", "0666", "socket"),
               ("grpc.audit_log", '"/tmp/a.log"', "audit"),
               ("modules.configs.allow_guarded", "[tls]", "own")]

    def test_guarded_keys_refused_by_default(self):
        d = self.start_configs()
        keys, _ = self.list_keys(d)
        for key, value, group in self.GUARDED:
            if key not in keys:
                continue
            with self.subTest(key=key):
                self.assertFalse(keys[key].settable, key)
                self.assertEqual(keys[key].guard, group)
                details = self.refused(d, grpc.StatusCode.PERMISSION_DENIED, [(key, value)], key)
                self.assertIn(group if group != "own" else "own setting", details)
        # A guarded key next to an allowed one: none applies.
        self.refused(d, grpc.StatusCode.PERMISSION_DENIED, [("priority", "error"), ("grpc.unix_socket_mode", "0600")],
                     "grpc.unix_socket_mode")
        with self.assertRaises(grpc.RpcError) as e:
            self.reset(d, "grpc")
        self.assertEqual(e.exception.code(), grpc.StatusCode.PERMISSION_DENIED)

    def test_secret_values_shown_as_paths_only(self):
        def config(dir):
            cfg = configs_config(os.path.join(dir, "state"))
            with open(os.path.join(dir, "server.key"), "w") as f:
                f.write("-----BEGIN PRIVATE KEY-----\nTOPSECRET\n")
            cfg["grpc"] = {"bind_address": "unix://" + os.path.join(dir, "run", "falco.sock"), "threadiness": 2,
                           "private_key": os.path.join(dir, "server.key")}
            return cfg
        d = self.new_daemon(config).start()
        key = os.path.join(d.dir, "server.key")
        r = self.call(d, GET, cfgpb.get_request(key="grpc"), cfgpb.get_response)
        self.assertNotIn("TOPSECRET", str(r))
        k = {x.name: x for x in r.keys}["grpc.private_key"]
        self.assertTrue(k.secret)
        self.assertEqual(k.current.string_value, key)

    def nobody_call(self, d, method, key, value):
        """configs_set as uid nobody over the socket; the outcome as JSON."""
        client = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
import grpc, configs_pb2 as c
try:
    with grpc.insecure_channel(sys.argv[2]) as ch:
        r = ch.unary_unary(sys.argv[3], request_serializer=c.set_request.SerializeToString,
                           response_deserializer=c.set_response.FromString)(
            c.set_request(set=[c.assignment(key=sys.argv[4], value=sys.argv[5])]), timeout=20)
        print(json.dumps({"code": "OK", "revision": r.revision}))
except grpc.RpcError as e:
    print(json.dumps({"code": e.code().name, "details": e.details()}))
"""
        pw = pwd.getpwnam("nobody")
        r = subprocess.run([sys.executable, "-c", client, PY_PROTO, d.target, method, key, value], user=pw.pw_uid,
                           group=pw.pw_gid, capture_output=True, text=True, timeout=60 * SLOW)
        self.assertEqual(r.returncode, 0, r.stderr)
        return json.loads(r.stdout)

    def test_allowed_policy_change_keeps_the_caller_writing(self):
        if os.geteuid() != 0:
            self.skipTest("needs root to call as another user")
        try:
            nobody = pwd.getpwnam("nobody").pw_uid
        except KeyError:
            self.skipTest("no user nobody")
        def config(dir):
            os.chmod(dir, 0o755)
            os.makedirs(os.path.join(dir, "run"), mode=0o755, exist_ok=True)
            cfg = configs_config(os.path.join(dir, "state"), {"allow_guarded": ["authorization"]})
            grants = [{"uid": nobody, "permissions": ["write"]}]
            cfg["grpc"] = {"bind_address": "unix://" + os.path.join(dir, "run", "falco.sock"), "threadiness": 2,
                           "unix_socket_mode": "0666", "authorization": {"enabled": True, "grants": grants}}
            return cfg
        d = self.new_daemon(config).start()
        # nobody may write: a plain key works.
        self.assertEqual(self.nobody_call(d, SET, "json_output", "true")["code"], "OK")
        # Dropping its own grant is refused, naming the permission; nothing changes.
        out = self.nobody_call(d, SET, "grpc.authorization.grants", "[]")
        self.assertEqual(out["code"], "PERMISSION_DENIED", out)
        self.assertIn("no longer write", out["details"])
        out = self.nobody_call(d, SET, "grpc.authorization.grants",
                               '[{uid: %d, permissions: [read]}]' % nobody)
        self.assertEqual(out["code"], "PERMISSION_DENIED", out)
        keys, _ = self.list_keys(d)
        self.assertNotEqual(keys["grpc.authorization.grants"].origin.kind, cfgpb.API)
        # A change that keeps its write grant passes.
        out = self.nobody_call(d, SET, "grpc.authorization.grants",
                               '[{uid: %d, permissions: [write]}, {uid: 4242, permissions: [read]}]' % nobody)
        self.assertEqual(out["code"], "OK", out)
        # Turning the policy off leaves everyone writing: allowed.
        out = self.nobody_call(d, SET, "grpc.authorization.enabled", "false")
        self.assertEqual(out["code"], "OK", out)


class DurabilityTest(ConfigsTest):
    def test_overlay_survives_restarts_and_kill9_during_writes(self):
        d = self.start_configs(rate=500)
        state = os.path.join(d.dir, "state")
        overlay = os.path.join(state, "overlay.yaml")
        values = ["%d" % v for v in (10, 20, 30, 40, 50, 60, 70, 80)]
        rng = random.Random(12)
        deadline = time.time() + 35
        rounds = 0
        while rounds < 3 or (time.time() < deadline and rounds < 8):
            rounds += 1
            acked = []
            inflight = []
            stop = threading.Event()

            def writer(dd=d):
                ch = grpc.insecure_channel(dd.target, options=[("grpc.use_local_subchannel_pool", 1)])
                f = unary(ch, SET, cfgpb.set_request, cfgpb.set_response)
                i = 0
                while not stop.is_set():
                    v = values[i % len(values)]
                    i += 1
                    inflight.append(v)
                    try:
                        f(cfgpb.set_request(set=[cfgpb.assignment(key="outputs.max_burst", value=v),
                                                 cfgpb.assignment(key="json_output",
                                                                  value="true" if i % 2 else "false")]),
                          timeout=5)
                        acked.append(v)
                    except grpc.RpcError:
                        break
                ch.close()

            t = threading.Thread(target=writer, daemon=True)
            t.start()
            time.sleep(rng.uniform(0.2, 0.8))
            d.proc.send_signal(signal.SIGKILL)
            d.proc.wait()
            stop.set()
            t.join(10)
            self.assertTrue(acked, "no set was acknowledged before the kill")
            # The overlay is whole: the daemon starts with it, and the value
            # is the last acknowledged or the one in flight, never torn.
            d2 = Daemon(configs_config(state, rate=500), workdir=d.dir)
            self.daemons.append(d2)
            d2.start()
            keys, _ = self.list_keys(d2)
            got = keys["outputs.max_burst"].current.yaml
            self.assertEqual(keys["outputs.max_burst"].origin.kind, cfgpb.API)
            candidates = {acked[-1]} | set(inflight[len(acked):len(acked) + 1])
            self.assertIn(got, candidates, "round %d: acked %s, in flight %s" % (rounds, acked[-3:],
                                                                                  inflight[len(acked):]))
            self.assertFalse([f for f in os.listdir(state) if f != "overlay.yaml" and not f.startswith(".")],
                             os.listdir(state))
            d = d2
        # A clean restart keeps it too.
        keys, _ = self.list_keys(d)
        kept = keys["outputs.max_burst"].current.yaml
        self.stop_clean(d)
        d3 = Daemon(configs_config(state, rate=500), workdir=d.dir)
        self.daemons.append(d3)
        d3.start()
        try:
            keys, _ = self.list_keys(d3)
        except grpc.RpcError as e:
            self.fail("%s\n%s" % (e, d3.log()))
        self.assertEqual(keys["outputs.max_burst"].current.yaml, kept)
        self.assertTrue(os.path.exists(overlay))


class FapictlTest(ConfigsTest):
    def test_client_commands(self):
        if not os.path.exists(FAPICTL):
            self.skipTest("no fapictl")
        d = self.start_configs()
        t = d.target

        def run(*args, ok=True):
            r = subprocess.run([FAPICTL] + list(args) + ["--target", t], capture_output=True, text=True,
                               timeout=60 * SLOW)
            if ok:
                self.assertEqual(r.returncode, 0, "fapictl %s: %s%s" % (" ".join(args), r.stdout, r.stderr))
            return r

        out = run("configs", "list").stdout
        self.assertRegex(out, r"(?m)^priority = debug  \(enum, hot, default\)")
        self.assertRegex(out, r"(?m)^grpc\.bind_address = .*not settable \(listeners\)")
        self.assertRegex(out, r"(?m)^revision \d+$")
        lines = [json.loads(l) for l in run("configs", "list", "modules.outputs", "--json").stdout.splitlines()]
        qc = [l for l in lines if l["name"] == "modules.outputs.queue_capacity"]
        self.assertEqual(len(qc), 1)
        self.assertEqual(qc[0]["value"], 1024)
        self.assertEqual(qc[0]["reload"], "at restart")
        self.assertRegex(run("configs", "get", "priority").stdout, r"priority: *debug")
        j = [json.loads(l) for l in run("configs", "get", "outputs", "--json").stdout.splitlines()]
        self.assertIn("outputs.rate", [x["name"] for x in j])
        out = run("configs", "set", "priority=error", "json_output=true").stdout
        self.assertIn("priority: debug -> error  (hot)", out)
        self.assertIn("json_output: false -> true", out)
        rev = int(re.search(r"revision (\d+)", out).group(1))
        j = json.loads(run("configs", "set", "modules.outputs.queue_capacity=128", "--json").stdout)
        self.assertEqual(j["revision"], rev + 1)
        self.assertEqual(j["changes"][0]["new"], 128)
        self.assertTrue(j["changes"][0]["pending_restart"])
        out = run("configs", "list").stdout
        self.assertRegex(out, r"(?m)^modules\.outputs\.queue_capacity = 1024 .*pending restart: 128")
        self.assertRegex(out, r"(?m)^priority = error  \(enum, hot, api\)")
        r = run("configs", "set", "priority=loud", ok=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("priority", r.stderr)
        r = run("configs", "set", "json_output=false", "--if-revision", str(rev), ok=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("ABORTED", r.stderr.upper())
        r = run("configs", "set", "grpc.unix_socket_mode=0666", ok=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("guarded", r.stderr)
        out = run("configs", "set", "--validate-only", "priority=warning").stdout
        self.assertIn("valid, nothing changed", out)
        j = json.loads(run("configs", "reset", "priority", "json_output", "--json").stdout)
        self.assertEqual(sorted(c["key"] for c in j["changes"]), ["json_output", "priority"])
        self.assertEqual([c["new"] for c in j["changes"] if c["key"] == "priority"], ["debug"])
        r = run("configs", "set", "noequals", ok=False)
        self.assertEqual(r.returncode, 2)
        r = run("configs", "get", ok=False)
        self.assertEqual(r.returncode, 2)


if __name__ == "__main__":
    unittest.main()
