"""Falco 0.31's command-line flags, each by its behaviour, with the real
binary over the generated basic.scap (and Falco 0.31.1's own rules and
captures from ../shared/falco-0.31.1 when present): -p/-pc/-pk and
%container.info, -l, -i, -N, -b, -S, -s/--stats-interval, -d/-P,
--support, --list-plugins, --cri/--disable-cri-async, the flags of features
this build does not have, and -h.
"""

import base64
import json
import os
import re
import signal
import subprocess
import time
import unittest

from engine_testlib import BIN, EngineTest, evt_time_text, fixture

SHARED_DIR = os.environ.get("FAPI_SHARED_DIR", "")
SLOW = 4 if "asan" in BIN else 1

# The writes of `cat` in basic.scap (evt.num, data as libsinsp prints it:
# newlines become '.'), only returned with -A (write is a simple-consumer
# event).
CAT_WRITES = [
    (12, "root:x:0:0:root:/root:/bin/bash.daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin."),
    (24, "cat: /etc/shadow: Permission denied."),
    (162, "root:*:19000:0:99999:7:::.bin:*:19000:0:99999:7:::."),
]
WRITE_RULE = ("- rule: cat_writes\n  desc: cat writes\n"
              "  condition: evt.type = write and evt.dir = < and proc.name = cat\n"
              "  output: \"w %evt.arg.data\"\n  priority: INFO\n")
# The three cat executions of basic.scap: pid, user, container name and id.
CATS = [(7, 1210, "alice", "host", "host"), (21, 1211, "alice", "host", "host"),
        (157, 3010, "root", "toolbox", "7110430de5c5")]


def count_lines(path):
    if not os.path.exists(path):
        return 0
    with open(path) as f:
        return len(f.read().splitlines())


class CliFlagsTest(EngineTest):

    def setUp(self):
        self.rules = fixture("engine_cli.yaml")

    def falco_path(self, *p):
        if not SHARED_DIR or not os.path.isdir(SHARED_DIR):
            self.skipTest("shared Falco 0.31.1 data not found at %r" % SHARED_DIR)
        return os.path.join(SHARED_DIR, *p)

    def run_plain(self, args, timeout=60, env=None, cwd=None):
        e = dict(os.environ, TZ="UTC")
        e.update(env or {})
        return subprocess.run([BIN] + list(args), capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL, env=e, cwd=cwd, errors="replace")

    # -- -p, -pc, -pk and %container.info --------------------------------------

    def test_print_appends_fields_to_every_alert(self):
        plain = self.run_ok(self.rules)
        r = self.run_ok(self.rules, args=["-p", "pid=%proc.pid user=%user.name"])
        self.assertEqual(len(r.alerts), len(plain.alerts), r.describe())
        self.assertTrue(r.alerts, r.describe())
        for before, after in zip(plain.alerts, r.alerts):
            pid = before.split()[-1]
            self.assertTrue(after.startswith(before + " pid=%s user=" % pid), (before, after))
        cat3010 = [a for a in r.alerts if " cat 3010 " in a]
        self.assertEqual(cat3010, ["%s: Error cat 3010 pid=3010 user=root" % evt_time_text(157)], r.describe())

    def test_print_presets(self):
        r = self.run_ok(self.rules, args=["-t", "files", "-pc"])
        self.assertEqual(r.alerts, ["%s: Error cat %d container=%s (id=%s)" % (evt_time_text(n), pid, name, cid)
                                    for n, pid, _, name, cid in CATS], r.describe())
        for flag in ("-pk", "--print=kubernetes"):
            r = self.run_ok(self.rules, args=["-t", "files", flag])
            self.assertEqual(r.alerts, ["%s: Error cat %d k8s.ns=<NA> k8s.pod=<NA> container=%s"
                                        % (evt_time_text(n), pid, cid) for n, pid, _, _, cid in CATS],
                             r.describe())
        r = self.run_ok(self.rules, args=["-t", "files", "-pm"])
        self.assertEqual(r.alerts, ["%s: Error cat %d task=<NA> container=%s" % (evt_time_text(n), pid, cid)
                                    for n, pid, _, _, cid in CATS], r.describe())
        # -p c is the preset too; -p with any other word is a format.
        self.assertEqual(self.run_ok(self.rules, args=["-t", "files", "-p", "container"]).alerts,
                         self.run_ok(self.rules, args=["-t", "files", "-pc"]).alerts)
        r = self.run_ok(self.rules, args=["-t", "files", "-p", "cont"])
        self.assertTrue(all(a.endswith(" cont") for a in r.alerts), r.describe())

    def test_container_info_expansion(self):
        rules = self.rules_file(
            "- rule: ci\n  desc: d\n  condition: evt.type = execve and evt.dir = < and proc.name = cat\n"
            "  output: \"ci %proc.pid %container.info end\"\n  priority: INFO\n")

        def lines(fmt):
            return ["%s: Informational %s" % (evt_time_text(n), fmt.format(pid=pid, user=user, name=name, cid=cid))
                    for n, pid, user, name, cid in CATS]
        # Without -p: Falco's generic "%container.name (id=%container.id)".
        self.assertEqual(self.run_ok(rules).alerts, lines("ci {pid} {name} (id={cid}) end"))
        # A -p format: generic expansion, and the format appended.
        self.assertEqual(self.run_ok(rules, args=["-p", "u=%user.name"]).alerts,
                         lines("ci {pid} {name} (id={cid}) end u={user}"))
        # A preset replaces %container.info and is not appended.
        self.assertEqual(self.run_ok(rules, args=["-pc"]).alerts, lines("ci {pid} container={name} (id={cid}) end"))
        self.assertEqual(self.run_ok(rules, args=["-pk"]).alerts,
                         lines("ci {pid} k8s.ns=<NA> k8s.pod=<NA> container={cid} end"))

    def test_print_in_json_output(self):
        r = self.run_ok(self.rules, args=["-t", "files", "-pc", "-o", "json_output=true"])
        got = r.json_alerts()
        self.assertEqual([a["output"] for a in got],
                         ["%s: Error cat %d container=%s (id=%s)" % (evt_time_text(n), pid, name, cid)
                          for n, pid, _, name, cid in CATS], r.describe())
        self.assertEqual(sorted(got[2]["output_fields"]), ["container.id", "container.name", "evt.time", "proc.pid"])
        self.assertEqual(got[2]["output_fields"]["container.name"], "toolbox")

    def test_print_with_falco_rules(self):
        # Falco's filesystem rules over basic.scap: two "Write below etc" and
        # one "Read sensitive file untrusted" (in the toolbox container). Only
        # those: Falco's network rules compare fd.sip.name against domain
        # names, which makes libsinsp resolve them over DNS.
        rules = self.falco_path("rules", "falco_rules.yaml")
        plain = self.run_ok(rules, args=["-t", "filesystem"])
        self.assertEqual(len(plain.alerts), 3, plain.describe())
        r = self.run_ok(rules, args=["-t", "filesystem", "-pk"])
        self.assertEqual(len(r.alerts), 3, r.describe())
        for before, after in zip(plain.alerts, r.alerts):
            cid = re.search(r"container_id=(\S+)", before).group(1)
            self.assertEqual(after, before + " k8s.ns=<NA> k8s.pod=<NA> container=" + cid)
        self.assertIn("container=7110430de5c5", r.alerts[2])

    # -- -l ---------------------------------------------------------------------

    def test_describe_one_rule(self):
        desc = ("a rule whose description is long enough to be wrapped by Falco's describe function, "
                "which wraps at about sixty characters per line")
        rules = self.rules_file("- rule: long one\n  desc: %s\n  condition: evt.type = execve\n"
                                "  output: x\n  priority: INFO\n" % desc)
        r = self.run_plain(["-r", rules, "-r", self.rules, "-l", "long one"])
        self.assertEqual(r.returncode, 0, r.stderr)
        pad = " " * 51
        self.assertEqual(r.stdout,
                         "\n%-50s %s\n%-50s %s\n" % ("Rule", "Description", "----", "-----------") +
                         "%-50s %s\n" % ("long one", "a rule whose description is long enough to be wrapped by") +
                         pad + "Falco's describe function, which wraps at about sixty\n" +
                         pad + "characters per line\n\n")
        r = self.run_plain(["-r", rules, "-r", self.rules, "-l", "sh_started"])
        self.assertEqual(r.stdout.splitlines()[3:], ["%-50s %s" % ("sh_started", "sh was started"), ""])

    def test_describe_falco_rule(self):
        r = self.run_plain(["-r", self.falco_path("rules", "falco_rules.yaml"), "-l", "Write below etc"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.splitlines()[3], "%-50s %s" % ("Write below etc",
                                                                  "an attempt to write to any file below /etc"))

    def test_describe_unknown_rule(self):
        r = self.run_plain(["-r", self.rules, "-l", "no such"])
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("Runtime error: Could not describe rule no such: No such rule: no such. Exiting.", r.stderr)

    # -- -i, -N, --list-plugins ---------------------------------------------------

    def test_print_ignored_events(self):
        r = self.run_plain(["-i"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(r.stdout.startswith("Ignored Event(s): "), r.stdout)
        self.assertTrue(r.stdout.endswith("\n") and r.stdout.count("\n") == 1, r.stdout)
        names = r.stdout[len("Ignored Event(s): "):].split()
        self.assertEqual(names, sorted(set(names)))
        for n in ("futex", "mmap", "stat", "write", "read", "switch"):
            self.assertIn(n, names)
        for n in ("open", "connect", "setuid", "ptrace"):
            self.assertNotIn(n, names)
        self.assertFalse([n for n in names if n.startswith("NA")])
        # What it names is what the engine skips without -A.
        rules = self.rules_file("- rule: fx\n  desc: d\n  condition: evt.type = futex\n  output: f\n"
                                "  priority: INFO\n")
        self.assertEqual(len(self.run_ok(rules).alerts), 0)
        self.assertGreater(len(self.run_ok(rules, args=["-A"]).alerts), 0)

    def test_list_names_only(self):
        full = self.run_plain(["--list"])
        r = self.run_plain(["--list", "-N"])
        self.assertEqual(r.returncode, 0, r.stderr)
        names = r.stdout.splitlines()
        self.assertIn("proc.name", names)
        self.assertIn("evt.arg", names)
        self.assertIn("ka.verb", names)
        self.assertTrue(all(re.match(r"^[A-Za-z0-9_.]+$", n) for n in names), names)
        self.assertEqual(len(names), len(set(names)))
        # Every name starts one of the lines --list prints, in its order (a
        # name of 30 characters runs into its description there, as in Falco).
        lines = [l for l in full.stdout.splitlines() if l and not l[0].isspace()]
        i = 0
        for n in names:
            while i < len(lines) and not (lines[i].startswith(n + " ") or lines[i] == n or
                                          (len(n) >= 30 and lines[i].startswith(n))):
                i += 1
            self.assertLess(i, len(lines), "%s is not listed by --list (or not in its order)" % n)
            i += 1

    def test_list_plugins(self):
        r = self.run_plain(["--list-plugins"])
        self.assertEqual((r.returncode, r.stdout), (0, "0 Plugins Loaded:\n\n\n"), r.stderr)

    # -- -b, -S ---------------------------------------------------------------------

    def test_base64_buffers(self):
        rules = self.rules_file(WRITE_RULE)
        r = self.run_ok(rules, args=["-A"])
        self.assertEqual(r.bodies(), ["w " + d for _, d in CAT_WRITES], r.describe())
        r = self.run_ok(rules, args=["-A", "-b"])
        got = [base64.b64decode(b[2:]).decode() for b in r.bodies()]
        self.assertEqual([g.replace("\n", ".") for g in got], [d for _, d in CAT_WRITES], r.describe())
        self.assertEqual(got[1], "cat: /etc/shadow: Permission denied\n")

    def test_snaplen_truncates_buffers(self):
        rules = self.rules_file(WRITE_RULE)
        r = self.run_ok(rules, args=["-A", "-S", "4"])
        self.assertEqual(r.bodies(), ["w " + d[:4] for _, d in CAT_WRITES], r.describe())
        r = self.run_ok(rules, args=["-A", "--snaplen", "9", "-b"])
        self.assertEqual([base64.b64decode(b[2:]) for b in r.bodies()],
                         [b"root:x:0:", b"cat: /etc", b"root:*:19"], r.describe())
        # A condition sees the cut buffer too: what a live capture would have.
        contains = self.rules_file(WRITE_RULE.replace("proc.name = cat", "proc.name = cat and evt.buffer contains "
                                                                         "Permission"))
        self.assertEqual(len(self.run_ok(contains, args=["-A"]).alerts), 1)
        self.assertEqual(len(self.run_ok(contains, args=["-A", "-S", "20"]).alerts), 0)
        # Larger than every buffer: nothing changes.
        self.assertEqual(self.run_ok(rules, args=["-A", "-S", "65536"]).bodies(), ["w " + d for _, d in CAT_WRITES])

    # -- -s, --stats-interval ---------------------------------------------------------

    def read_stats(self, path):
        with open(path) as f:
            lines = f.read().splitlines()
        out = []
        for l in lines:
            self.assertTrue(l.endswith("},"), l)
            out.append(json.loads(l[:-1]))
        return out, lines

    def test_stats_file(self):
        path = os.path.join(self.tmp, "stats.json")
        with open(path, "w") as f:
            f.write("")
        # basic.scap twice, paced at 1000 events/s: about 0.4 s of replay.
        r = self.run_ok(self.rules, args=["-o", "engine.capture.rate=1000", "-o", "engine.capture.loop=2",
                                          "-s", path, "--stats-interval", "50"],
                        )
        stats, lines = self.read_stats(path)
        self.assertGreaterEqual(len(stats), 3, lines)
        self.assertEqual([s["sample"] for s in stats], list(range(1, len(stats) + 1)))
        self.assertEqual(list(stats[0].keys()), ["sample", "cur", "delta", "drop_pct"])
        self.assertEqual(list(stats[0]["cur"].keys()), ["events", "drops", "preemptions"])
        self.assertTrue(re.match(r'^\{"sample": 1, "cur": \{"events": \d+, "drops": 0, "preemptions": 0\}, '
                                 r'"delta": \{"events": \d+, "drops": 0, "preemptions": 0\}, "drop_pct": 0\},$',
                                 lines[0]), lines[0])
        prev = 0
        for s in stats:
            self.assertEqual(s["delta"]["events"], s["cur"]["events"] - prev, lines)
            prev = s["cur"]["events"]
        self.assertGreater(stats[-1]["cur"]["events"], stats[0]["cur"]["events"])
        self.assertLessEqual(stats[-1]["cur"]["events"], 2 * 210)
        self.assertEqual(len(r.alerts), 2 * 7, r.describe())

    def test_stats_file_appends_with_extra_keys(self):
        path = os.path.join(self.tmp, "stats_extra.json")
        with open(path, "w") as f:
            f.write("previous line\n")
        r = self.run_engine(self.rules, args=["-o", "engine.capture.rate=1000", "-s", path,
                                              "--stats-interval", "40"])
        self.assertEqual(r.rc, 0, r.describe())
        env = dict(os.environ, TZ="UTC", FALCO_STATS_EXTRA_run="nightly", FALCO_STATS_EXTRA_host="h1")
        p = subprocess.run([BIN, "-r", self.rules, "-e", self.basic, "-o", "engine.capture.rate=1000", "-s", path,
                            "--stats-interval", "40"], capture_output=True, text=True, env=env, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(path) as f:
            lines = f.read().splitlines()
        self.assertEqual(lines[0], "previous line")
        extra = [json.loads(l[:-1]) for l in lines[1:] if '"run"' in l]
        self.assertTrue(extra, lines)
        self.assertEqual(extra[0]["sample"], 1)
        self.assertEqual(list(extra[0].keys())[0], "sample")
        self.assertEqual({extra[0]["run"], extra[0]["host"]}, {"nightly", "h1"})
        self.assertEqual(list(extra[0].keys())[3:], ["cur", "delta", "drop_pct"])

    def test_stats_file_unwritable(self):
        r = self.run_engine(self.rules, args=["-s", os.path.join(self.tmp, "no", "such", "dir", "s.json")])
        self.assertEqual(r.rc, 1, r.describe())
        self.assertIn("Could not open stats file", r.stderr)

    # -- -d, -P -------------------------------------------------------------------------

    def test_daemon_writes_pid_file(self):
        pidfile = os.path.join(self.tmp, "falco.pid")
        stats = "daemon_stats.json"  # relative: the daemon runs in / but resolves it first
        args = ["-r", self.rules, "-e", os.path.basename(self.basic), "-M", "120", "-o", "grpc.enabled=false",
                "-o", "engine.capture.loop=0", "-o", "engine.capture.rate=2000", "-d", "-P", pidfile,
                "-s", stats, "--stats-interval", "50"]
        # The capture is named relative to the working directory too.
        cwd = self.tmp
        link = os.path.join(cwd, os.path.basename(self.basic))
        if not os.path.exists(link):
            os.symlink(self.basic, link)
        start = time.monotonic()
        r = self.run_plain(args, cwd=cwd)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertLess(time.monotonic() - start, 30 * SLOW, "the foreground process must return at once")
        with open(pidfile) as f:
            text = f.read()
        self.assertTrue(re.match(r"^\d+$", text), text)
        pid = int(text)
        try:
            self.assertEqual(os.getsid(pid), pid, "the daemon leads its own session")
            with open("/proc/%d/cmdline" % pid, "rb") as f:
                self.assertEqual(f.read().split(b"\0")[0], BIN.encode())
            self.assertEqual(os.readlink("/proc/%d/cwd" % pid), "/")
            # It keeps working after the parent left: stats samples accumulate.
            path = os.path.join(cwd, stats)
            deadline = time.monotonic() + 20 * SLOW
            while time.monotonic() < deadline and count_lines(path) < 3:
                time.sleep(0.05)
            self.assertGreaterEqual(count_lines(path), 3)
        finally:
            os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 20 * SLOW
        while time.monotonic() < deadline and os.path.exists("/proc/%d" % pid):
            time.sleep(0.05)
        self.assertFalse(os.path.exists("/proc/%d" % pid), "the daemon did not stop on SIGTERM")

    def test_daemon_start_up_error_reaches_the_terminal(self):
        pidfile = os.path.join(self.tmp, "failed.pid")
        # The capture is opened by the daemon, after the fork.
        r = self.run_plain(["-r", self.rules, "-e", os.path.join(self.tmp, "missing.scap"), "-M", "60",
                            "-o", "grpc.enabled=false", "-d", "-P", pidfile])
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("missing.scap", r.stderr)
        self.assertIn("The daemon stopped during start-up (exit code 1)", r.stderr)
        self.assertFalse(os.path.exists(pidfile))
        # Without -d the same command fails the same way.
        r2 = self.run_plain(["-r", self.rules, "-e", os.path.join(self.tmp, "missing.scap"), "-M", "60",
                             "-o", "grpc.enabled=false"])
        self.assertEqual(r2.returncode, 1, r2.stderr)

    def test_daemon_pid_file_unwritable(self):
        r = self.run_plain(["-r", self.rules, "-e", self.basic, "-M", "60", "-o", "grpc.enabled=false", "-d",
                            "-P", os.path.join(self.tmp, "no", "dir", "x.pid")])
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("Could not write pid to pid file", r.stderr)

    def test_daemon_needs_a_pid_file(self):
        r = self.run_plain(["-r", self.rules, "-d", "-P", ""])
        self.assertEqual(r.returncode, 1)
        self.assertIn("If -d is provided, a pid file must also be provided", r.stderr)

    # -- --support ---------------------------------------------------------------------

    def test_support(self):
        conf = os.path.join(self.tmp, "support.yaml")
        with open(conf, "w") as f:
            f.write("# a comment Falco keeps\npriority: debug\ngrpc:\n  enabled: false\n")
        other = self.rules_file("- required_engine_version: 9\n- list: l\n  items: [caf\u00e9]\n")
        argv = ["-c", conf, "-r", self.rules, "-r", other, "--support"]
        r = self.run_plain(argv)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.count("\n"), 1, r.stdout)
        s = json.loads(r.stdout)
        self.assertEqual(list(s.keys()), ["cmdline", "config", "engine_info", "rules_files", "system_info",
                                          "version"])
        self.assertEqual(s["cmdline"], " ".join([BIN] + argv))
        with open(conf) as f:
            self.assertEqual(s["config"], f.read())
        self.assertEqual(s["engine_info"], {"engine_version": 11})
        with open(self.rules) as f:
            mine = f.read()
        self.assertEqual(s["rules_files"], [
            {"name": self.rules, "variants": [{"content": mine, "required_engine_version": 0}]},
            {"name": other, "variants": [{"content": "- required_engine_version: 9\n- list: l\n  items: [caf\u00e9]\n",
                                          "required_engine_version": 9}]},
        ])
        u = os.uname()
        self.assertEqual(s["system_info"], {"machine": u.machine, "nodename": u.nodename, "release": u.release,
                                            "sysname": u.sysname, "version": u.version})
        self.assertTrue(re.match(r"^\d+\.\d+\.\d+", s["version"]), s["version"])

    def test_support_embedded_config_and_rule_errors(self):
        r = self.run_plain(["-r", self.rules, "--support"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("grpc:", json.loads(r.stdout)["config"])
        bad = self.rules_file("- rule: x\n  desc: d\n  condition: nope.field = 1\n  output: o\n  priority: INFO\n")
        r = self.run_plain(["-r", bad, "--support"])
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stdout, "")

    # -- --cri, --disable-cri-async ---------------------------------------------------------

    def test_cri_flags(self):
        # On a capture the container metadata comes from the file: the CRI
        # sockets are set on the inspector and never needed.
        plain = self.run_ok(self.rules, args=["-t", "files", "-pc"])
        r = self.run_ok(self.rules, args=["-t", "files", "-pc", "--cri", os.path.join(self.tmp, "none.sock"),
                                          "--cri", "/run/containerd/containerd.sock", "--disable-cri-async"])
        self.assertEqual(r.alerts, plain.alerts, r.describe())
        self.assertIn("container=toolbox (id=7110430de5c5)", r.alerts[-1])

    # -- features not built in, -h --------------------------------------------------------------

    def test_features_not_built_in(self):
        for args, feature in ((["-u"], "userspace"), (["--userspace"], "userspace"),
                              (["-k", "http://127.0.0.1:8080"], "Kubernetes"),
                              (["--k8s-api=http://127.0.0.1:8080"], "Kubernetes"),
                              (["-K", "/tmp/token"], "Kubernetes"), (["--k8s-node", "n1"], "Kubernetes"),
                              (["-m", "http://127.0.0.1:5050"], "Mesos"), (["--mesos-api", "x"], "Mesos")):
            with self.subTest(args=args):
                r = self.run_plain(["-r", self.rules, "-e", self.basic] + args)
                self.assertEqual(r.returncode, 1, r.stderr)
                self.assertEqual(r.stdout, "")
                self.assertNotIn("unknown option", r.stderr)
                self.assertRegex(r.stderr, r"^Runtime error: .*%s.* is not available in this build\. Exiting\.\n$"
                                 % feature)

    def test_help_lists_every_flag(self):
        r = self.run_plain(["-h"])
        self.assertEqual(r.returncode, 0)
        for flag in ("-c ", "-o,", "-r ", "-e ", "-V,", "-L ", "-l RULE", "-D ", "-T ", "-t ", "-A ", "-i ",
                     "-p,", "-pc", "-pk", "-b,", "-S,", "--cri", "--disable-cri-async", "-s FILE",
                     "--stats-interval", "-d,", "-P,", "-M ", "-v ", "--list", "-N ", "--list-plugins",
                     "--support", "--version", "-h,", "-u,", "-k,", "-K,", "--k8s-node", "-m,"):
            self.assertIn(flag, r.stdout)
        # And each one parses (a flag listed but rejected would be a lie).
        for args in (["-i"], ["--list-plugins"], ["--list", "-N"], ["-h"]):
            self.assertEqual(self.run_plain(args).returncode, 0, args)


if __name__ == "__main__":
    unittest.main()
