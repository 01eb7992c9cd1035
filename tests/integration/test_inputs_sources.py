"""Declared JSON sources of the inputs module (issue 14, item 3): a source
declared in the inputs module's configuration (name, time pointer, two
fields) has rules with `source: myapp` compiled at start-up; its events,
sent over /falco.api.bidirectional/inputs, raise their alerts in the
response (want_alerts) and on an outputs stream; --list=myapp shows the
declared fields; bad declarations stop the start with a message naming
the problem. Needs nothing from ../shared."""

import json
import os
import subprocess
import threading

import grpc

from fapi_testlib import BIN, SLOW, DaemonTest, bidi, server_stream

import inputs_pb2 as inputs
import outputs_pb2 as outputs

INPUTS = "/falco.api.bidirectional/inputs"
OUTPUTS = "/falco.api.streaming/outputs"

FIELDS = [{"name": "myapp.user", "pointer": "/user/name", "type": "string", "description": "the user who acted"},
          {"name": "myapp.count", "pointer": "/n", "type": "uint64", "description": "how many times it happened"}]

RULES = """
- rule: Root did it often
  desc: root acted more than twice
  condition: myapp.user = root and myapp.count > 2
  output: "root did it %myapp.count times (user=%myapp.user action=%jevt.value[/action])"
  priority: WARNING
  source: myapp
- rule: Never fires
  desc: a k8s_audit rule beside it
  condition: ka.verb = nosuchverb
  output: "never %ka.verb"
  priority: INFO
  source: k8s_audit
"""


def sources(fields=None, **src):
    s = {"name": "myapp", "time_pointer": "/ts", "fields": FIELDS if fields is None else fields}
    s.update(src)
    return [s]


def config(rules_path, srcs):
    return {"load_modules": ["version", "inputs", "outputs"], "rules_file": [rules_path],
            "modules": [{"name": "inputs", "config": {"sources": srcs}}]}


def event(user, n, action="rm", ts="2026-12-02T13:35:23.5Z"):
    return json.dumps({"ts": ts, "user": {"name": user}, "n": n, "action": action})


class DeclaredSourceTest(DaemonTest):
    def setUp(self):
        super().setUp()
        import tempfile
        self.tmp = tempfile.mkdtemp(prefix="fapi-sources-")
        self.rules = os.path.join(self.tmp, "myapp_rules.yaml")
        with open(self.rules, "w") as f:
            f.write(RULES)

    def write_config(self, cfg):
        path = os.path.join(self.tmp, "falco.yaml")
        with open(path, "w") as f:
            json.dump(cfg, f)  # JSON is YAML
        return path

    def run_bin(self, cfg, *args):
        return subprocess.run([BIN, "-c", self.write_config(cfg)] + list(args), capture_output=True, text=True,
                              timeout=30 * SLOW, stdin=subprocess.DEVNULL)

    def test_rule_fires_on_events_sent_over_grpc(self):
        d = self.start_daemon(config(self.rules, sources()))
        with grpc.insecure_channel(d.target) as ch:
            sub = server_stream(ch, OUTPUTS, outputs.request, outputs.response)(outputs.request())
            sub.initial_metadata()
            got = []

            def read():
                for m in sub:
                    got.append(m)
                    if len(got) == 2:
                        return
            t = threading.Thread(target=read, daemon=True)
            t.start()
            reqs = [inputs.request(id="1", source="myapp", want_alerts=True,
                                   events=[event("root", 3), event("alice", 9), event("root", 1),
                                           '["not", "an object"]', event("root", 7, "ls")]),
                    inputs.request(id="2", source="myapp", events=['{"user": {"name": "root"}, "n": 5}'])]
            r1, r2 = list(bidi(ch, INPUTS, inputs.request, inputs.response)(iter(reqs), timeout=30 * SLOW))
            t.join(20 * SLOW)
            sub.cancel()
        self.assertEqual((r1.id, r1.accepted), ("1", 4))
        self.assertEqual([x.index for x in r1.rejected], [3])
        self.assertIn("Data not recognized as a myapp event", r1.rejected[0].reason)
        self.assertEqual([(a.rule, a.source) for a in r1.alerts], [("Root did it often", "myapp")] * 2)
        # "<jevt.time>: Warning <output>", the time of day the declared ts gives.
        self.assertEqual([a.output.split(": ", 1)[1] for a in r1.alerts],
                         ["Warning root did it 3 times (user=root action=rm)",
                          "Warning root did it 7 times (user=root action=ls)"])
        self.assertRegex(r1.alerts[0].output, r"^\d\d:\d\d:23\.500000000: ")
        # No time at the time pointer: rejected, not evaluated.
        self.assertEqual((r2.accepted, [x.index for x in r2.rejected]), (0, [0]))
        self.assertEqual(len(got), 2, "outputs stream: %r" % got)
        self.assertEqual([(m.rule, m.source, m.output_fields["myapp.count"]) for m in got],
                         [("Root did it often", "myapp", "3"), ("Root did it often", "myapp", "7")])
        # The event time is the declared one, not the arrival time.
        self.assertEqual(got[0].time.seconds, 1796218523)

    def test_arrival_time_without_time_pointer(self):
        srcs = sources()
        del srcs[0]["time_pointer"]
        d = self.start_daemon(config(self.rules, srcs))
        with grpc.insecure_channel(d.target) as ch:
            (r,) = bidi(ch, INPUTS, inputs.request, inputs.response)(
                iter([inputs.request(id="1", source="myapp", want_alerts=True,
                                     events=['{"user": {"name": "root"}, "n": 5}'])]), timeout=30 * SLOW)
        self.assertEqual((r.accepted, [a.rule for a in r.alerts]), (1, ["Root did it often"]))

    def test_list_shows_the_declared_fields(self):
        p = self.run_bin(config(self.rules, sources()), "--list=myapp")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stdout, r"(?m)^Field Class:\s+myapp$")
        self.assertRegex(p.stdout, r"(?m)^myapp\.user\s+the user who acted\s*$")
        self.assertRegex(p.stdout, r"(?m)^myapp\.count\s+how many times it happened\s*$")
        self.assertRegex(p.stdout, r"(?m)^jevt\.value\s")
        self.assertNotIn("ka.verb", p.stdout)
        p = self.run_bin(config(self.rules, sources()), "--list=myapp", "-v")
        self.assertRegex(p.stdout, r"(?m)^myapp\.count\s+\(Type: UINT64\) how many times it happened\s*$")
        p = self.run_bin(config(self.rules, sources()), "--list=myapp", "-N")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual([l for l in p.stdout.splitlines() if l.startswith("myapp.")], ["myapp.user", "myapp.count"])

    def test_validation_errors(self):
        bad = dict(FIELDS[0])
        cases = [
            (sources(fields=[dict(bad, pointer="user/name")]), 'field "myapp.user": invalid JSON pointer "user/name"'),
            (sources(fields=[bad, dict(bad, description="again")]), 'field "myapp.user" is declared twice'),
            (sources(fields=[dict(bad, type="float")]), 'field "myapp.user": unknown type "float"'),
            (sources(name="k8s_audit", fields=[dict(bad, name="k8s_audit.user")]),
             'source "k8s_audit": the name of a built-in source'),
            (sources(name="syscall", fields=[]), 'source "syscall": the name of a built-in source'),
            (sources(fields=[dict(bad, name="other.user")]), 'field "other.user": a field name is "myapp."'),
            (sources(time_pointer="ts"), 'time_pointer: invalid JSON pointer "ts"'),
            (sources() + sources(), 'source "myapp" is declared twice'),
        ]
        for srcs, want in cases:
            with self.subTest(want=want):
                p = self.run_bin(config(self.rules, srcs), "--list=myapp")
                self.assertNotEqual(p.returncode, 0)
                self.assertIn(want, p.stderr)
                self.assertRegex(p.stderr, r"falco\.yaml:\d+:\d+: inputs: ")
        # A rule's value of the wrong type for a typed field fails to load.
        with open(self.rules, "a") as f:
            f.write("- rule: Mistyped\n  desc: x\n  condition: myapp.count = many\n  output: x\n"
                    "  priority: INFO\n  source: myapp\n")
        p = self.run_bin(config(self.rules, sources()), "-V", self.rules)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn('value \"many\" is not of the field\'s type UINT64', p.stdout + p.stderr)
        with open(self.rules, "w") as f:
            f.write(RULES)
        # A rule on an undeclared field of the source fails to load.
        with open(self.rules, "a") as f:
            f.write("- rule: Undeclared\n  desc: x\n  condition: myapp.nosuch = 1\n  output: x\n"
                    "  priority: INFO\n  source: myapp\n")
        d = self.start_daemon(config(self.rules, sources()), expect_ready=False)
        self.assertNotEqual(d.wait(), 0)
        self.assertIn("myapp.nosuch", d.log())
