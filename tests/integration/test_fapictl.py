"""fapictl, the command-line client, against the real daemon: each
command's text and JSON output and exit codes, every filter of outputs
watch including and excluding, --count, --follow across a daemon restart
on the same socket (and the gap it reports), two daemons watched at once
with labelled lines, TLS, connection and permission errors (exit 1) and bad
usage (exit 2)."""

import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import unittest

import grpc

from fapi_testlib import BIN, SLOW, Daemon, DaemonTest, free_port, unary

import version_pb2

FAPICTL = os.path.join(os.path.dirname(BIN), "fapictl") if BIN else ""
BUILD_DIR = os.environ.get("FAPI_BUILD_DIR", "")
RULES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "rules", "outputs_filters.yaml")
CAPTURE = os.path.join(BUILD_DIR, "captures", "basic.scap")
ALERT_LINE = re.compile(r"^\d\d:\d\d:\d\d\.\d{9}: (Emergency|Alert|Critical|Error|Warning|Notice|Informational|Debug) ")
RESPONSE_KEYS = ["time", "priority", "rule", "output", "output_fields", "hostname", "tags", "source",
                 "source_deprecated", "seq", "lost", "created_ns", "alert_seq", "target"]
PRIORITIES = ["Emergency", "Alert", "Critical", "Error", "Warning", "Notice", "Informational", "Debug"]
# outputs_filters.yaml: rule -> (priority, tags)
RULE_INFO = {
    "outputs_exec": ("Warning", {"process", "exec"}),
    "outputs_shadow": ("Critical", {"filesystem", "process", "sensitive"}),
    "outputs_open": ("Notice", {"filesystem"}),
    "outputs_connect": ("Error", {"network", "process"}),
    "outputs_stat": ("Informational", set()),
    "outputs_accept": ("Debug", {"network"}),
}


def fapictl(*args, timeout=60, env=None, user=None):
    cmd = [FAPICTL] + list(args)
    if user:
        cmd = ["setpriv", "--reuid=" + user, "--regid=nogroup", "--clear-groups"] + cmd
    e = dict(os.environ)
    e.pop("FAPICTL_TARGET", None)
    e.update(env or {})
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout * SLOW, env=e)


def alert_config(rate=2000):
    # The capture (~150 events, 40-odd alerts of every rule) looped and
    # paced, so alerts keep coming while a test watches.
    return {"load_modules": ["version", "outputs"], "rules_file": [RULES],
            "engine": {"capture": {"file": CAPTURE, "loop": 0, "rate": rate}},
            "stdout_output": {"enabled": False}}


class FapictlTest(DaemonTest):
    def setUp(self):
        super().setUp()
        if not os.path.exists(FAPICTL):
            self.skipTest("fapictl not built")

    def alerts(self, **kw):
        return self.start_daemon(config=alert_config(**kw), args=["-A"])

    def watch_json(self, d, *args, count=30):
        p = fapictl("outputs", "watch", "--target", d.target, "--json", "--count", str(count), *args)
        self.assertEqual(p.returncode, 0, p.stderr)
        return [json.loads(l) for l in p.stdout.splitlines()]

    def watch_none(self, d, *args):
        """No alert passes: the watch ends by --timeout, exit 0, nothing printed."""
        p = fapictl("outputs", "watch", "--target", d.target, "--json", "--timeout", "1.5", *args)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout, "")


class UsageTest(FapictlTest):
    def test_help_lists_commands_and_examples(self):
        p = fapictl("--help")
        self.assertEqual(p.returncode, 0)
        for c in ("version", "health", "outputs watch", "outputs get", "completion", "--target", "--ca",
                  "--server-name", "--timeout"):
            self.assertIn(c, p.stdout)
        for cmd in (["version"], ["health"], ["outputs", "watch"], ["outputs", "get"], ["completion"]):
            p = fapictl(*cmd, "--help")
            self.assertEqual(p.returncode, 0, cmd)
            self.assertIn("usage: fapictl " + " ".join(cmd), p.stdout)
            self.assertIn("examples:", p.stdout)
        p = fapictl("outputs", "watch", "--help")
        for o in ("--min-priority", "--rule", "--tag-any", "--tag-all", "--source", "--field", "--no-fields",
                  "--json", "--count", "--follow"):
            self.assertIn(o, p.stdout)

    def test_bad_usage_exits_2(self):
        for args in (["bogus"], ["outputs"], ["outputs", "bogus"], ["version", "--bogus"],
                     ["outputs", "watch", "--count", "0"], ["outputs", "watch", "--count", "x"],
                     ["outputs", "watch", "--min-priority", "loud"], ["version", "--timeout", "soon"],
                     ["version", "extra"], ["completion"], ["completion", "fish"],
                     ["version", "--cert", "c.pem"], ["outputs", "watch", "--rule"], []):
            p = fapictl(*args)
            self.assertEqual(p.returncode, 2, "%s: %s %s" % (args, p.stdout, p.stderr))
            self.assertIn("fapictl", p.stderr)
            self.assertEqual(p.stdout, "", args)

    def test_completion_bash(self):
        p = fapictl("completion", "bash")
        self.assertEqual(p.returncode, 0)
        self.assertIn("complete -F _fapictl fapictl", p.stdout)
        self.assertIn("--min-priority", p.stdout)
        with tempfile.NamedTemporaryFile("w", suffix=".bash", delete=False) as f:
            f.write(p.stdout)
        try:
            def complete(line):
                script = ("source %s; COMP_WORDS=(%s); COMP_CWORD=$((${#COMP_WORDS[@]}-1)); _fapictl; "
                          "echo \"${COMPREPLY[*]}\"" % (f.name, line))
                return subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=True).stdout.split()
            self.assertEqual(set(complete("fapictl ''")), {"version", "health", "outputs", "rules", "configs",
                                                             "completion", "--help"})
            self.assertEqual(set(complete("fapictl outputs ''")), {"watch", "get"})
            self.assertEqual(set(complete("fapictl rules ''")),
                             {"list", "get", "validate", "put", "delete", "enable", "disable", "reload"})
            self.assertIn("--if-revision", complete("fapictl rules put --"))
            self.assertEqual(set(complete("fapictl configs ''")), {"list", "get", "set", "reset"})
            self.assertIn("--validate-only", complete("fapictl configs set --"))
            self.assertIn("--follow", complete("fapictl outputs watch --"))
            self.assertNotIn("--follow", complete("fapictl version --"))
            self.assertEqual(complete("fapictl outputs watch --min-priority w"), ["warning"])
        finally:
            os.unlink(f.name)


class ConnectionErrorTest(FapictlTest):
    def test_missing_socket(self):
        d = tempfile.mkdtemp(prefix="fapictl-")
        try:
            target = "unix://" + os.path.join(d, "falco.sock")
            for cmd in (["version"], ["health"], ["outputs", "watch"], ["outputs", "get"]):
                p = fapictl(*cmd, "--target", target)
                self.assertEqual(p.returncode, 1, cmd)
                self.assertIn("cannot connect to %s: no such file (is falco-apid running?)" % target, p.stderr)
                self.assertIn("UNAVAILABLE", p.stderr)
            # The environment names the default target.
            p = fapictl("version", env={"FAPICTL_TARGET": target})
            self.assertEqual(p.returncode, 1)
            self.assertIn("cannot connect to %s" % target, p.stderr)
        finally:
            shutil.rmtree(d)

    def test_refused_tcp(self):
        p = fapictl("health", "--target", "127.0.0.1:%d" % free_port())
        self.assertEqual(p.returncode, 1)
        self.assertIn("connection refused (is falco-apid running?)", p.stderr)

    def test_permission_denied_names_the_group(self):
        if os.geteuid() != 0 or not shutil.which("setpriv"):
            self.skipTest("needs root and setpriv to run fapictl as another user")
        d = self.start_daemon()
        os.chmod(d.dir, 0o755)
        os.chmod(os.path.dirname(d.socket), 0o755)
        import grp
        group = grp.getgrgid(os.stat(d.socket).st_gid).gr_name
        p = fapictl("version", "--target", d.target, user="nobody")
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("cannot connect to %s: permission denied: you are not in group %s" % (d.target, group),
                      p.stderr)

    def test_unimplemented_when_module_not_loaded(self):
        d = self.start_daemon()  # version only, no outputs module
        p = fapictl("outputs", "watch", "--target", d.target, "--count", "1")
        self.assertEqual(p.returncode, 1)
        self.assertIn("UNIMPLEMENTED", p.stderr)

    def test_tls(self):
        from test_tls import make_ca, make_cert
        certs = tempfile.mkdtemp(prefix="fapictl-certs-")
        try:
            make_ca(certs, "ca")
            make_cert(certs, "server", "ca", "DNS:localhost,IP:127.0.0.1")
            make_cert(certs, "client", "ca", "DNS:client")
            port = free_port()
            self.start_daemon(config={"grpc": {
                "bind_address": ["unix://" + os.path.join(certs, "falco.sock"), "127.0.0.1:%d" % port],
                "private_key": os.path.join(certs, "server.key"), "cert_chain": os.path.join(certs, "server.crt"),
                "root_certs": os.path.join(certs, "ca.crt")}})
            c = lambda n: os.path.join(certs, n)
            p = fapictl("version", "--target", "127.0.0.1:%d" % port, "--ca", c("ca.crt"), "--cert", c("client.crt"),
                        "--key", c("client.key"), "--server-name", "localhost", "--json")
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(json.loads(p.stdout)["version"], "0.1.0")
            # Without a client certificate the daemon refuses the handshake.
            p = fapictl("version", "--target", "127.0.0.1:%d" % port, "--ca", c("ca.crt"), "--server-name",
                        "localhost", "--timeout", "3")
            self.assertEqual(p.returncode, 1)
            self.assertIn("UNAVAILABLE", p.stderr)
            p = fapictl("version", "--target", "127.0.0.1:%d" % port, "--ca", c("missing.crt"))
            self.assertEqual(p.returncode, 1)
            self.assertIn("cannot read %s" % c("missing.crt"), p.stderr)
        finally:
            shutil.rmtree(certs)


class UnaryTest(FapictlTest):
    def test_version_text_and_json(self):
        d = self.start_daemon(config={"load_modules": ["version", "outputs"]})
        with grpc.insecure_channel(d.target) as ch:
            want = unary(ch, "/falco.version.service/version", version_pb2.request, version_pb2.response)(
                version_pb2.request(), timeout=10)
        p = fapictl("version", "--target", d.target)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("falco-apid %s (commit %s, %s)" % (want.version, want.git_commit, want.build_type), p.stdout)
        self.assertIn("engine:  %s (fields checksum %s)" % (want.engine_version, want.engine_fields_checksum),
                      p.stdout)
        self.assertIn("module:  version ", p.stdout)
        self.assertIn("module:  outputs ", p.stdout)
        p = fapictl("version", "--target", d.target, "--json")
        self.assertEqual(p.returncode, 0, p.stderr)
        j = json.loads(p.stdout)
        self.assertEqual(j["engine_fields_checksum"], want.engine_fields_checksum)
        self.assertEqual(j["engine_minor"], want.engine_minor)
        self.assertEqual([m["name"] for m in j["modules"]], ["version", "outputs"])
        self.assertEqual(j["target"], d.target)
        for k in ("version", "major", "minor", "patch", "prerelease", "build", "engine_major", "engine_patch",
                  "engine_version", "git_commit", "build_type", "abi_major", "abi_minor"):
            self.assertEqual(j[k], getattr(want, k), k)

    def test_health_and_several_targets(self):
        a = self.start_daemon()
        b = self.start_daemon()
        p = fapictl("health", "--target", a.target)
        self.assertEqual((p.returncode, p.stdout), (0, "SERVING\n"), p.stderr)
        p = fapictl("health", "--target", a.target, "--target", b.target, "--json")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual([json.loads(l) for l in p.stdout.splitlines()],
                         [{"status": "SERVING", "service": "", "target": t} for t in (a.target, b.target)])
        p = fapictl("version", "--target", a.target, "--target", b.target)
        self.assertEqual(p.returncode, 0, p.stderr)
        for t in (a.target, b.target):
            self.assertIn("%s daemon:  falco-apid" % t, p.stdout)
        # One target down: the others still answer, the exit code says it failed.
        b.stop()
        p = fapictl("health", "--target", a.target, "--target", b.target)
        self.assertEqual(p.returncode, 1)
        self.assertIn("%s SERVING" % a.target, p.stdout)
        self.assertIn("cannot connect to %s" % b.target, p.stderr)
        p = fapictl("health", "--target", a.target, "--service", "no.such.Service")
        self.assertEqual(p.returncode, 1)


class WatchTest(FapictlTest):
    def test_text_and_json_and_count(self):
        d = self.alerts()
        p = fapictl("outputs", "watch", "--target", d.target, "--count", "25")
        self.assertEqual(p.returncode, 0, p.stderr)
        lines = p.stdout.splitlines()
        self.assertEqual(len(lines), 25)
        for l in lines:
            self.assertRegex(l, ALERT_LINE)
        js = self.watch_json(d, count=25)
        self.assertEqual(len(js), 25)
        for j in js:
            self.assertEqual(list(j), RESPONSE_KEYS)
            self.assertIn(j["rule"], RULE_INFO)
            self.assertEqual(j["priority"], RULE_INFO[j["rule"]][0])
            self.assertEqual(set(j["tags"]), RULE_INFO[j["rule"]][1])
            self.assertEqual(j["source"], "syscall")
            self.assertEqual(j["source_deprecated"], "SYSCALL")
            self.assertRegex(j["output"], ALERT_LINE)
            self.assertIn("evt.num", j["output_fields"])
            self.assertRegex(j["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$")
            self.assertEqual(j["target"], d.target)
            self.assertEqual(j["lost"], 0)
        self.assertEqual([j["seq"] for j in js], list(range(1, 26)))
        seqs = [j["alert_seq"] for j in js]
        self.assertEqual(seqs, list(range(seqs[0], seqs[0] + 25)))

    def test_timeout_ends_the_watch(self):
        d = self.alerts(rate=20)
        t0 = time.time()
        p = fapictl("outputs", "watch", "--target", d.target, "--timeout", "1")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertLess(time.time() - t0, 10 * SLOW)

    def test_min_priority(self):
        d = self.alerts()
        js = self.watch_json(d, "--min-priority", "ERROR")
        self.assertEqual({j["rule"] for j in js}, {"outputs_shadow", "outputs_connect"})
        js = self.watch_json(d, "--min-priority", "debug", count=80)
        self.assertIn("outputs_accept", {j["rule"] for j in js})
        self.watch_none(d, "--min-priority", "alert")

    def test_rule(self):
        d = self.alerts()
        js = self.watch_json(d, "--rule", "outputs_exec", "--rule", "outputs_stat")
        self.assertEqual({j["rule"] for j in js}, {"outputs_exec", "outputs_stat"})
        self.watch_none(d, "--rule", "no_such_rule")

    def test_tag_any_and_all(self):
        d = self.alerts()
        js = self.watch_json(d, "--tag-any", "network")
        self.assertEqual({j["rule"] for j in js}, {"outputs_connect", "outputs_accept"})
        js = self.watch_json(d, "--tag-all", "process", "--tag-all", "filesystem")
        self.assertEqual({j["rule"] for j in js}, {"outputs_shadow"})
        self.watch_none(d, "--tag-all", "network", "--tag-all", "exec")
        self.watch_none(d, "--tag-any", "no_such_tag")

    def test_source(self):
        d = self.alerts()
        js = self.watch_json(d, "--source", "syscall")
        self.assertEqual({j["source"] for j in js}, {"syscall"})
        self.watch_none(d, "--source", "k8s_audit")

    def test_fields(self):
        d = self.alerts()
        js = self.watch_json(d, "--field", "proc.name", "--rule", "outputs_exec", count=5)
        for j in js:
            self.assertEqual(list(j["output_fields"]), ["proc.name"])
            self.assertIn("proc=" + j["output_fields"]["proc.name"], j["output"])
        js = self.watch_json(d, "--no-fields", count=5)
        for j in js:
            self.assertEqual(j["output_fields"], {})

    def test_follow_reconnects_and_reports_the_gap(self):
        d = self.alerts(rate=1000)
        out = tempfile.TemporaryFile("w+")
        err = tempfile.TemporaryFile("w+")
        e = dict(os.environ)
        w = subprocess.Popen([FAPICTL, "outputs", "watch", "--target", d.target, "--follow", "--json"],
                             stdout=out, stderr=err, env=e)
        try:
            deadline = time.time() + 20 * SLOW
            while time.time() < deadline and os.fstat(out.fileno()).st_size == 0:
                time.sleep(0.05)
            self.stop_clean(d)
            before = self.read(out)
            self.assertTrue(before)
            self.assertIn("the stream ended (UNAVAILABLE", self.read(err))
            time.sleep(0.5)
            # The same directory, so the same socket path; the new daemon
            # owns the directory from now on.
            d2 = Daemon(alert_config(rate=1000), ["-A"], workdir=d.dir)
            d.own_dir, d2.own_dir = False, True
            self.daemons.append(d2)
            d2.start()
            deadline = time.time() + 20 * SLOW
            while time.time() < deadline and "reconnected" not in self.read(err):
                time.sleep(0.05)
            e = self.read(err)
            m = re.search(r"%s: reconnected after [\d.]+ s; missed (\d+) alerts while away \(the daemon restarted" %
                          re.escape(d.target), e)
            self.assertTrue(m, "%s\nfapictl exit status: %s\ndaemon log:\n%s" % (e, w.poll(), d2.log()))
            time.sleep(0.3)
            js = [json.loads(l) for l in self.read(out).splitlines()]
            after = js[len(before.splitlines()):]
            self.assertTrue(after)
            # The new daemon's count starts again; the first alert after the
            # gap says how many it made before the stream opened.
            self.assertEqual(after[0]["seq"], 1)
            self.assertEqual(int(m.group(1)), after[0]["alert_seq"] - 1)
            self.assertIsNone(w.poll())
        finally:
            w.terminate()
            w.wait()
            out.close()
            err.close()

    @staticmethod
    def read(f):
        f.flush()
        f.seek(0)
        return f.read()

    def test_without_follow_a_restart_ends_the_watch(self):
        d = self.alerts(rate=200)
        w = subprocess.Popen([FAPICTL, "outputs", "watch", "--target", d.target], stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True)
        time.sleep(1)
        self.stop_clean(d)
        _, e = w.communicate(timeout=20 * SLOW)
        self.assertEqual(w.returncode, 1)
        self.assertIn("UNAVAILABLE", e)

    def test_two_daemons_labelled(self):
        daemons = []
        for host in ("node-a", "node-b"):
            os.environ["FALCO_GRPC_HOSTNAME"] = host
            try:
                daemons.append(self.alerts(rate=500))
            finally:
                del os.environ["FALCO_GRPC_HOSTNAME"]
        args = []
        for d in daemons:
            args += ["--target", d.target]
        p = fapictl("outputs", "watch", *args, "--timeout", "2")
        self.assertEqual(p.returncode, 0, p.stderr)
        labels = set()
        for l in p.stdout.splitlines():
            m = re.match(r"^\[(node-a|node-b)\] (.*)$", l)
            self.assertTrue(m, l)
            self.assertRegex(m.group(2), ALERT_LINE)
            labels.add(m.group(1))
        self.assertEqual(labels, {"node-a", "node-b"})
        js = [json.loads(l) for l in fapictl("outputs", "watch", *args, "--json", "--timeout", "2").stdout.splitlines()]
        self.assertEqual({(j["hostname"], j["target"]) for j in js},
                         {("node-a", daemons[0].target), ("node-b", daemons[1].target)})
        # --count counts alerts from every target together.
        p = fapictl("outputs", "watch", *args, "--count", "7")
        self.assertEqual((p.returncode, len(p.stdout.splitlines())), (0, 7), p.stderr)


class GetTest(FapictlTest):
    def test_get_returns_the_queue_and_ends(self):
        d = self.start_daemon(config={"load_modules": ["version", "outputs"], "rules_file": [RULES],
                                      "engine": {"capture": {"file": CAPTURE, "loop": 1}},
                                      "stdout_output": {"enabled": False}}, args=["-A"])
        time.sleep(1)
        p = fapictl("outputs", "get", "--target", d.target, "--json", "--timeout", "10")
        self.assertEqual(p.returncode, 0, p.stderr)
        js = [json.loads(l) for l in p.stdout.splitlines()]
        self.assertTrue(js)
        self.assertEqual({j["rule"] for j in js}, set(RULE_INFO))
        self.assertEqual([j["alert_seq"] for j in js], list(range(1, len(js) + 1)))
        # The queue was drained: the next get has nothing.
        p = fapictl("outputs", "get", "--target", d.target, "--timeout", "10")
        self.assertEqual((p.returncode, p.stdout), (0, ""), p.stderr)


if __name__ == "__main__":
    unittest.main()
