"""Who may read and change the rules (issue 11, item 4): a member of the
socket's group lists and validates but is denied every change (and the
denial is audited); root's changes are audited with the file names, the
sha256 of their content and the new revision; a grant of the method's own
permission (rules.put) lets a user put and nothing else.

Users and a group are created as in test_authz.py, so the tests need root
(as CI runs them) and skip otherwise."""

import hashlib
import json
import os
import pwd
import subprocess
import sys
import tempfile

from fapi_testlib import BUILD_DIR, PY_PROTO, SLOW
from test_authz import GROUP, MEMBER, AuthzBase

CAPTURE = os.path.join(BUILD_DIR, "captures", "basic.scap")
RULE = "- rule: api_rule\n  desc: d\n  condition: evt.type = openat and evt.dir = <\n  output: o\n" \
       "  priority: WARNING\n  tags: [api]\n"

# One rules call as another user; the outcome as JSON.
CLIENT = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
import grpc, rules_pb2 as rules
target, method = sys.argv[2], sys.argv[3]
rule = sys.argv[4]
reqs = {
    "list": (rules.list_request(), rules.list_response),
    "validate": (rules.validate_request(files=[rules.api_file(name="a.yaml", content=rule)]), rules.validate_response),
    "put": (rules.put_request(files=[rules.api_file(name="a.yaml", content=rule)]), rules.write_response),
    "delete": (rules.delete_request(names=["a.yaml"]), rules.write_response),
    "enable": (rules.enable_request(rules=["api_rule"], enable=True), rules.write_response),
    "reload": (rules.reload_request(), rules.write_response),
}
req, resp = reqs[method]
out = {}
try:
    with grpc.insecure_channel(target) as ch:
        r = ch.unary_unary("/falco.api.unary/rules_" + method, request_serializer=type(req).SerializeToString,
                           response_deserializer=resp.FromString)(req, timeout=30)
        out["revision"] = r.revision
    out["code"] = "OK"
except grpc.RpcError as e:
    out["code"], out["details"] = e.code().name, e.details()
print(json.dumps(out))
"""


def as_user(user, target, method):
    pw = pwd.getpwnam(user)
    groups = os.getgrouplist(user, pw.pw_gid)
    r = subprocess.run([sys.executable, "-c", CLIENT, PY_PROTO, target, method, RULE], user=pw.pw_uid,
                       group=pw.pw_gid, extra_groups=groups, capture_output=True, text=True, timeout=60 * SLOW)
    if r.returncode != 0:
        raise AssertionError("client as %s failed: %s" % (user, r.stderr))
    return json.loads(r.stdout)


class RulesAuthzTest(AuthzBase):
    def start(self, grants=None):
        if not os.path.exists(CAPTURE):
            self.skipTest("generated captures not found (FAPI_BUILD_DIR)")
        self.audit = os.path.join(self.work, "audit.log")
        grpc_cfg = {"unix_socket_group": GROUP, "audit_log": self.audit}
        if grants is not None:
            grpc_cfg["authorization"] = {"grants": grants}
        cfg = {"grpc": grpc_cfg, "load_modules": ["version", "rules"],
               "modules": [{"name": "rules", "config": {"state_dir": os.path.join(self.work, "state")}}],
               "engine": {"capture": {"file": CAPTURE, "loop": 1}}}
        d = super().start(cfg)
        os.chmod(d.dir, 0o755)
        return d

    def records(self):
        with open(self.audit) as f:
            return [json.loads(line) for line in f]

    def test_reader_lists_non_writer_denied_and_audited(self):
        d = self.start()
        self.assertEqual(as_user(MEMBER, d.target, "list"), {"code": "OK", "revision": 1})
        self.assertEqual(as_user(MEMBER, d.target, "validate")["code"], "OK")
        for method in ("put", "delete", "enable", "reload"):
            out = as_user(MEMBER, d.target, method)
            self.assertEqual(out["code"], "PERMISSION_DENIED", (method, out))
            self.assertIn("rules.%s" % method, out["details"])
        self.assertEqual(as_user(MEMBER, d.target, "list")["revision"], 1)
        recs = self.records()
        # Reads are not audited; every denied write is, with what it asked.
        self.assertEqual([r["method"] for r in recs],
                         ["/falco.api.unary/rules_" + m for m in ("put", "delete", "enable", "reload")])
        uid = pwd.getpwnam(MEMBER).pw_uid
        for r in recs:
            self.assertEqual((r["identity"]["uid"], r["result"]["status"]), (uid, "PERMISSION_DENIED"))
        self.assertEqual(recs[0]["request"]["summary"],
                         "put a.yaml sha256=" + hashlib.sha256(RULE.encode()).hexdigest())
        self.assertEqual(recs[1]["request"]["summary"], "delete a.yaml")
        self.assertEqual(recs[2]["request"]["summary"], 'enable rule="api_rule"')

    def test_root_changes_audited_with_sha256_and_revision(self):
        d = self.start()
        import grpc
        import rules_pb2 as rules
        with grpc.insecure_channel(d.target) as ch:
            put = ch.unary_unary("/falco.api.unary/rules_put", request_serializer=rules.put_request.SerializeToString,
                                 response_deserializer=rules.write_response.FromString)
            w = put(rules.put_request(files=[rules.api_file(name="a.yaml", content=RULE)]), timeout=30)
            self.assertEqual(w.revision, 2)
            dis = ch.unary_unary("/falco.api.unary/rules_enable",
                                 request_serializer=rules.enable_request.SerializeToString,
                                 response_deserializer=rules.write_response.FromString)
            dis(rules.enable_request(tags=["api"], enable=False), timeout=30)
        recs = self.records()
        self.assertEqual(len(recs), 2)
        self.assertEqual(recs[0]["result"], {"code": 0, "status": "OK", "message": "revision 2"})
        self.assertEqual(recs[0]["request"]["summary"],
                         "put a.yaml sha256=" + hashlib.sha256(RULE.encode()).hexdigest())
        self.assertEqual(recs[1]["result"]["message"], "revision 3")
        self.assertEqual(recs[1]["request"]["summary"], 'disable tag="api"')

    def test_own_permission_grants_put_only(self):
        d = self.start(grants=[{"user": MEMBER, "permissions": ["rules.put"]}])
        self.assertEqual(as_user(MEMBER, d.target, "put"), {"code": "OK", "revision": 2})
        self.assertEqual(as_user(MEMBER, d.target, "delete")["code"], "PERMISSION_DENIED")
        self.assertEqual(as_user(MEMBER, d.target, "list")["revision"], 2)
