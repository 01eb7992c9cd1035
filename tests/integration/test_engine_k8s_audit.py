"""The k8s_audit source end to end: Falco 0.31.1's audit events
(../shared/falco-0.31.1/k8s_audit) replayed with -e against its
k8s_audit_rules.yaml fire exactly the rules Falco's own regression suite
(test/falco_k8s_audit_tests.yaml of the 0.31.1 tag) expects, with Falco's
text and json_output; syscall and k8s rules together; the audit file
format (EventList, arrays, gzip, bad lines). Skipped with a message when
the shared data is absent."""

import gzip
import json
import os
import shutil
import subprocess
import tempfile
import unittest

from fapi_testlib import BIN, SHARED_DIR

FALCO = "falco_rules.yaml"
K8S = "k8s_audit_rules.yaml"

# Every case of falco_k8s_audit_tests.yaml (0.31.1) that uses only Falco's
# own rules files: (audit file, rules files, {rule: count}).
FALCO_CASES = [
    ("create_nginx_pod_no_secctx_1st_container_privileged_2nd_container.json", [FALCO, K8S], {"Create Privileged Pod": 1}),
    ("create_nginx_pod_privileged_2nd_container.json", [FALCO, K8S], {"Create Privileged Pod": 1}),
    ("create_nginx_pod_unprivileged.json", [FALCO, K8S], {}),
    ("create_nginx_pod_sensitive_mount.json", [FALCO, K8S], {"Create Sensitive Mount Pod": 1}),
    ("create_nginx_pod_unsensitive_mount.json", [FALCO, K8S], {}),
    ("create_nginx_pod_nohostnetwork.json", [FALCO, K8S], {}),
    ("anonymous_creates_namespace_foo.json", [FALCO, K8S], {"Anonymous Request Allowed": 1}),
    ("exec_pod.json", [FALCO, K8S], {"Attach/Exec Pod": 1}),
    ("create_pod_kube_public_namespace.json", [FALCO, K8S], {"Pod Created in Kube Namespace": 1}),
    ("create_serviceaccount_kube_public_namespace.json", [FALCO, K8S], {"Service Account Created in Kube Namespace": 1}),
    ("delete_cluster_role_kube_aggregator.json", [FALCO, K8S], {"System ClusterRole Modified/Deleted": 1}),
    ("modify_cluster_role_node_problem_detector.json", [FALCO, K8S], {"System ClusterRole Modified/Deleted": 1}),
    ("attach_cluster_admin_role.json", [FALCO, K8S], {"Attach to cluster-admin Role": 1}),
    ("create_cluster_role_wildcard_resources.json", [FALCO, K8S], {"ClusterRole With Wildcard Created": 1}),
    ("create_cluster_role_write_privileges.json", [FALCO, K8S], {"ClusterRole With Write Privileges Created": 1}),
    ("create_cluster_role_pod_exec.json", [FALCO, K8S], {"ClusterRole With Pod Exec Created": 1}),
    ("create_deployment.json", [FALCO, K8S], {"K8s Deployment Created": 1}),
    ("delete_deployment.json", [FALCO, K8S], {"K8s Deployment Deleted": 1}),
    ("create_service.json", [FALCO, K8S], {"K8s Service Created": 1}),
    ("delete_service.json", [FALCO, K8S], {"K8s Service Deleted": 1}),
    ("create_configmap.json", [FALCO, K8S], {"K8s ConfigMap Created": 1}),
    ("delete_configmap.json", [FALCO, K8S], {"K8s ConfigMap Deleted": 1}),
    ("create_serviceaccount.json", [FALCO, K8S], {"K8s Serviceaccount Created": 1}),
    ("create_clusterrole.json", [FALCO, K8S], {"K8s Role/Clusterrole Created": 1}),
    ("delete_clusterrole.json", [FALCO, K8S], {"K8s Role/Clusterrole Deleted": 1}),
    ("create_secret.json", [FALCO, K8S], {"K8s Secret Created": 1}),
    ("create_kube_system_secret.json", [FALCO, K8S], {}),
    ("delete_secret.json", [FALCO, K8S], {"K8s Secret Deleted": 1}),
]

EVENT = ('{"kind":"Event","verb":"%s","user":{"username":"u%d"},"objectRef":{"resource":"pods"},'
         '"stageTimestamp":"2020-01-01T00:00:%02d.000001Z"}')

RULE_VERBS = """
- rule: any verb
  desc: every audit event
  condition: ka.verb exists
  output: verb=%ka.verb user=%ka.user.name time=%jevt.time.iso8601
  priority: WARNING
  source: k8s_audit
"""


def run(*args, timeout=120):
    env = dict(os.environ, TZ="UTC")
    p = subprocess.run([BIN] + list(args), capture_output=True, text=True, env=env, timeout=timeout,
                       stdin=subprocess.DEVNULL, errors="replace")
    return p.returncode, p.stdout, p.stderr


def triggered(out):
    """{rule: count} from Falco's summary."""
    rules, section = {}, False
    for l in out.splitlines():
        if l == "Triggered rules by rule name:":
            section = True
        elif section and l.startswith("   "):
            k, v = l[3:].rsplit(": ", 1)
            rules[k] = int(v)
    return rules


def alert_lines(out):
    return out.split("Events detected:")[0].splitlines()


class K8sAuditTest(unittest.TestCase):
    def setUp(self):
        if not BIN or not os.path.exists(BIN):
            self.skipTest("FAPI_BIN not set: run through ctest")
        if not SHARED_DIR or not os.path.isdir(os.path.join(SHARED_DIR, "k8s_audit")):
            self.skipTest("shared Falco 0.31.1 data not found at %r" % SHARED_DIR)
        self.tmp = tempfile.mkdtemp(prefix="fapi-k8s-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def rules(self, name):
        return os.path.join(SHARED_DIR, "rules", name)

    def audit(self, name):
        return os.path.join(SHARED_DIR, "k8s_audit", name)

    def write(self, name, text):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def replay(self, capture, rules=(K8S,), args=()):
        argv = []
        for r in rules:
            argv += ["-r", r if os.path.isabs(r) else self.rules(r)]
        return run(*(argv + ["-e", capture] + list(args)))

    def test_falco_regression_cases(self):
        for name, rules, want in FALCO_CASES:
            with self.subTest(file=name):
                rc, out, err = self.replay(self.audit(name), rules)
                self.assertEqual(rc, 0, err)
                self.assertEqual(triggered(out), want, out + err)
                self.assertEqual(len(alert_lines(out)), sum(want.values()), out)

    def test_output_text_as_falco(self):
        rc, out, err = self.replay(self.audit("exec_pod.json"))
        self.assertEqual(rc, 0, err)
        self.assertEqual(alert_lines(out), [
            "13:38:34.902914048: Notice Attach/Exec to pod (user=minikube-user "
            "pod=nginx-deployment-7998647bdf-phvq7 ns=default action=exec command=bash)"])
        rc, out, err = self.replay(self.audit("create_nginx_pod_privileged_2nd_container.json"))
        self.assertEqual(alert_lines(out), [
            "17:53:07.006844928: Warning Pod started with privileged container (user=system:serviceaccount:"
            "kube-system:replicaset-controller pod=nginx-deployment-544b59f8b8-ffkxm ns=default "
            "images=(nginx,mysql:latest))"])
        rc, out, err = self.replay(self.audit("exec_pod.json"), args=["-o", "time_format_iso_8601=true"])
        self.assertTrue(alert_lines(out)[0].startswith("2018-10-26T13:38:34.902914048+0000: Notice Attach/Exec"), out)

    def test_json_output_as_falco(self):
        rc, out, err = self.replay(self.audit("exec_pod.json"), args=["-o", "json_output=true"])
        self.assertEqual(rc, 0, err)
        line = alert_lines(out)[0]
        self.assertEqual(line, (
            '{"output":"13:38:34.902914048: Notice Attach/Exec to pod (user=minikube-user '
            'pod=nginx-deployment-7998647bdf-phvq7 ns=default action=exec command=bash)",'
            '"priority":"Notice","rule":"Attach/Exec Pod","source":"k8s_audit","tags":["k8s"],'
            '"time":"2018-10-26T13:38:34.902914048Z", "output_fields": {"jevt.time":"13:38:34.902914048",'
            '"ka.target.name":"nginx-deployment-7998647bdf-phvq7","ka.target.namespace":"default",'
            '"ka.target.subresource":"exec","ka.uri.param":"bash","ka.user.name":"minikube-user"}}'))
        rc, out, err = self.replay(self.audit("create_nginx_pod_privileged_2nd_container.json"),
                                   args=["-o", "json_output=true", "-o", "json_include_tags_property=false"])
        a = json.loads(alert_lines(out)[0])
        self.assertNotIn("tags", a)
        self.assertEqual(a["output_fields"]["ka.req.pod.containers.image"], "(nginx,mysql:latest)")
        self.assertEqual(a["source"], "k8s_audit")

    def test_mixed_syscall_and_k8s_rules(self):
        scap = os.path.join(SHARED_DIR, "captures", "cat_write.scap")
        rc1, out1, err1 = run("-r", self.rules(FALCO), "-e", scap)
        rc2, out2, err2 = run("-r", self.rules(FALCO), "-r", self.rules(K8S), "-e", scap)
        self.assertEqual((rc1, rc2), (0, 0), err1 + err2)
        self.assertEqual(out1, out2)  # k8s rules see no syscall event
        self.assertIn("rules loaded from 2 path(s)", err2)
        rc, out, err = self.replay(self.audit("exec_pod.json"), [FALCO, K8S])
        self.assertEqual(triggered(out), {"Attach/Exec Pod": 1})  # syscall rules see no audit event

    def test_told_apart_by_content_and_gzip(self):
        # an audit file named .scap, a capture named .json, both gzip'd
        src = self.audit("exec_pod.json")
        as_scap = os.path.join(self.tmp, "audit.scap")
        shutil.copy(src, as_scap)
        with open(src, "rb") as f, gzip.open(os.path.join(self.tmp, "audit.json.gz"), "wb") as g:
            g.write(f.read())
        for cap in (as_scap, os.path.join(self.tmp, "audit.json.gz")):
            rc, out, err = self.replay(cap)
            self.assertEqual((rc, triggered(out)), (0, {"Attach/Exec Pod": 1}), cap + err)
        scap_as_json = os.path.join(self.tmp, "capture.json")
        shutil.copy(os.path.join(SHARED_DIR, "captures", "cat_write.scap"), scap_as_json)
        rc, out, err = run("-r", os.path.join(SHARED_DIR, "test_rules", "single_rule.yaml"), "-e", scap_as_json)
        self.assertEqual((rc, triggered(out)), (0, {"open_from_cat": 8}), err)

    def test_event_list_array_and_lines(self):
        rules = self.write("verbs.yaml", RULE_VERBS)
        items = ",".join(EVENT % ("get", i, i) for i in range(3))
        text = ("{\"kind\":\"EventList\",\"items\":[%s]}\n\n[%s,%s]\n%s\n" %
                (items.replace('"kind":"Event",', ""), EVENT % ("list", 3, 3), EVENT % ("watch", 4, 4),
                 EVENT % ("delete", 5, 5)))
        rc, out, err = self.replay(self.write("mixed.json", text), [rules])
        self.assertEqual(rc, 0, err)
        want = []
        for i, v in enumerate(["get", "get", "get", "list", "watch", "delete"]):
            # libsinsp adds the seconds as a double: 1 us lands on ...1024 ns
            ns = int(float(1577836800 * 10**9) + float("%02d.000001" % i) * 1e9) % 10**9
            want.append("00:00:%02d.%09d: Warning verb=%s user=u%d time=2020-01-01T00:00:%02d.%09d+0000"
                        % (i, ns, v, i, i, ns))
        self.assertEqual(alert_lines(out), want)

    def test_bad_lines_stop_with_falco_message(self):
        rules = self.write("verbs.yaml", RULE_VERBS)
        cases = [
            ('{"kind": 0}', 'line #2, "{"kind": 0}": Data not recognized as a k8s audit event, stopping'),
            ('{"kind":"Pod","stageTimestamp":"2020-01-01T00:00:00Z"}', 'Data not recognized as a k8s audit event'),
            ('{"kind":"Event"}', 'Data not recognized as a k8s audit event'),
            ('{"kind":"Event", oops}', 'line #2, "{"kind":"Event", oops}": Could not parse data: '),
            ('[[' + EVENT % ("get", 1, 1) + ']]', 'Data not recognized as a k8s audit event'),
        ]
        for bad, msg in cases:
            with self.subTest(line=bad):
                path = self.write("bad.json", EVENT % ("get", 0, 0) + "\n" + bad + "\n" + EVENT % ("get", 2, 2) + "\n")
                rc, out, err = self.replay(path, [rules])
                self.assertIn("Could not read k8s audit event ", err)
                self.assertIn(msg, err)
                # the line before was processed, the one after not
                self.assertIn("verb=get user=u0", out)
                self.assertNotIn("user=u2", out)
        path = self.write("notjson.json", "{not json\n")
        rc, out, err = self.replay(path, [rules])
        self.assertEqual(rc, 1)
        self.assertIn("not recognized as system call events or k8s audit events", err)

    def test_list_k8s_audit_fields(self):
        rc, out, err = run("--list=k8s_audit")
        self.assertEqual(rc, 0, err)
        self.assertIn("Field Class:                  ka\n", out)
        self.assertIn("Event Sources:                k8s_audit \n", out)
        for f in ("jevt.value", "ka.req.pod.containers.image.repository", "ka.uri.param",
                  "ka.req.volume.hostpath", "ka.useragent"):
            self.assertTrue(("\n" + f + " ") in out or ("\n" + f + "\n") in out, f)
        self.assertNotIn("proc.name", out)
        rc, out, err = run("--list")
        self.assertIn("\nka.user.name ", out)
        self.assertIn("\nproc.name ", out)

    def test_unknown_k8s_field_is_an_error(self):
        rules = self.write("bad_field.yaml", RULE_VERBS.replace("ka.verb exists", "ka.nope = x"))
        rc, out, err = run("-V", rules)
        self.assertEqual(rc, 1, out + err)
        self.assertIn("ka.nope", err)


if __name__ == "__main__":
    unittest.main()
