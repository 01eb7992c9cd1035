"""Who may call what (issue 9): identities from SO_PEERCRED and mutual TLS,
per-method authorisation that denies writes by default, the audit log of
every write call, and listener errors that name what is wrong.

Users and a group are created for the test (useradd; removed afterwards),
so the tests need root, as CI runs them; they skip otherwise."""

import grp
import hashlib
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

import grpc

from fapi_testlib import BIN, EMPTY_RULES, PY_PROTO, QUIET_CAPTURE, SLOW, TEST_MODULE_DIR, Daemon, DaemonTest, \
    free_port, unary
from test_tls import make_ca, make_cert

import authztest_pb2 as az
import version_pb2

HERE = os.path.dirname(os.path.abspath(__file__))
DEMO_RULES = os.path.normpath(os.path.join(HERE, "..", "..", "examples", "rules", "demo_rules.yaml"))
SUFFIX = "%d" % (os.getpid() % 100000)
GROUP = "fazg" + SUFFIX
MEMBER = "fazin" + SUFFIX
OUTSIDER = "fazout" + SUFFIX

# Run as another user: one call, the outcome printed as JSON.
CLIENT = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
import grpc, authztest_pb2 as az, version_pb2, outputs_pb2
target, method = sys.argv[2], sys.argv[3]
out = {}
try:
    with grpc.insecure_channel(target) as ch:
        if method == "version":
            r = ch.unary_unary("/falco.version.service/version", request_serializer=version_pb2.request.SerializeToString,
                               response_deserializer=version_pb2.response.FromString)(version_pb2.request(), timeout=10)
            out["version"] = r.version
        elif method == "outputs":
            call = ch.unary_stream("/falco.api.streaming/outputs", request_serializer=outputs_pb2.request.SerializeToString,
                                   response_deserializer=outputs_pb2.response.FromString)(outputs_pb2.request(), timeout=20)
            out["rule"] = next(iter(call)).rule
            call.cancel()
        else:
            r = ch.unary_unary("/fapi.test.authz/" + method, request_serializer=az.put_request.SerializeToString,
                               response_deserializer=az.who_reply.FromString)(az.put_request(name="x.yaml"), timeout=10)
            out["uid"], out["user"], out["identity"] = r.uid, r.user, r.identity
    out["code"] = "OK"
except grpc.RpcError as e:
    out["code"], out["details"] = e.code().name, e.details()
print(json.dumps(out))
"""


def need_root(test):
    if os.geteuid() != 0 or not shutil.which("useradd"):
        test.skipTest("needs root and useradd (CI runs the tests as root)")


def as_user(user, target, method):
    pw = pwd.getpwnam(user)
    groups = os.getgrouplist(user, pw.pw_gid)
    r = subprocess.run([sys.executable, "-c", CLIENT, PY_PROTO, target, method], user=pw.pw_uid, group=pw.pw_gid,
                       extra_groups=groups, capture_output=True, text=True, timeout=60 * SLOW)
    if r.returncode != 0:
        raise AssertionError("client as %s failed: %s" % (user, r.stderr))
    return json.loads(r.stdout)


def authz_config(extra_grpc=None, grants=None, modules=("version", "authztest")):
    grpc_cfg = {"unix_socket_group": GROUP}
    if grants is not None:
        grpc_cfg["authorization"] = {"grants": grants}
    grpc_cfg.update(extra_grpc or {})
    return {"grpc": grpc_cfg, "load_modules": list(modules),
            "modules": [{"name": "authztest", "library_path": os.path.join(TEST_MODULE_DIR, "mod_authztest.so")}]}


class AuthzBase(DaemonTest):
    @classmethod
    def setUpClass(cls):
        cls.created = False
        if os.geteuid() != 0 or not shutil.which("useradd"):
            return
        subprocess.run(["groupadd", GROUP], check=True)
        subprocess.run(["useradd", "-M", "-N", "-s", "/usr/sbin/nologin", "-G", GROUP, MEMBER], check=True)
        subprocess.run(["useradd", "-M", "-N", "-s", "/usr/sbin/nologin", OUTSIDER], check=True)
        cls.created = True

    @classmethod
    def tearDownClass(cls):
        if cls.created:
            for u in (MEMBER, OUTSIDER):
                subprocess.run(["userdel", u], check=False)
            subprocess.run(["groupdel", GROUP], check=False)

    def setUp(self):
        super().setUp()
        need_root(self)
        # Non-root clients must reach the socket: the daemon's directory is
        # traversable, the socket itself is 0660 and the test group's.
        self.work = tempfile.mkdtemp(prefix="fapi-authz-")
        os.chmod(self.work, 0o755)
        self.addCleanup(shutil.rmtree, self.work, True)

    def start(self, config, **kw):
        return self.start_daemon(config=config, workdir=tempfile.mkdtemp(dir=self.work), **kw)

    def root_call(self, d, method, name="x.yaml"):
        with grpc.insecure_channel(d.target) as ch:
            return unary(ch, "/fapi.test.authz/" + method, az.put_request, az.who_reply)(
                az.put_request(name=name, content=b"rules"), timeout=10)


class UnixAuthzTest(AuthzBase):
    def start(self, config, **kw):
        d = super().start(config, **kw)
        os.chmod(d.dir, 0o755)
        return d

    def test_group_member_reads_root_writes_outsider_cannot_connect(self):
        cfg = authz_config()
        cfg["rules_file"] = [DEMO_RULES]
        cfg["load_modules"].append("outputs")
        cfg["engine"] = {"capture": {"file": QUIET_CAPTURE, "loop": 0, "rate": 200}}
        d = self.start(cfg)
        st = os.stat(d.socket)
        self.assertEqual(st.st_gid, grp.getgrnam(GROUP).gr_gid)
        self.assertEqual(st.st_mode & 0o777, 0o660)

        r = as_user(MEMBER, d.target, "version")
        self.assertEqual(r, {"code": "OK", "version": "0.1.0"})
        r = as_user(MEMBER, d.target, "outputs")
        self.assertEqual(r["code"], "OK", r)
        self.assertTrue(r["rule"])
        r = as_user(MEMBER, d.target, "whoami")
        self.assertEqual(r["code"], "OK", r)
        self.assertEqual((r["uid"], r["user"]), (pwd.getpwnam(MEMBER).pw_uid, MEMBER))
        self.assertIn("unix uid=%d(%s)" % (pwd.getpwnam(MEMBER).pw_uid, MEMBER), r["identity"])

        r = as_user(MEMBER, d.target, "put")
        self.assertEqual(r["code"], "PERMISSION_DENIED", r)
        self.assertIn("permission 'write'", r["details"])
        self.assertIn("/fapi.test.authz/put", r["details"])
        r = as_user(MEMBER, d.target, "deploy")
        self.assertEqual(r["code"], "PERMISSION_DENIED", r)
        self.assertIn("permission 'authztest.deploy'", r["details"])
        # denied calls reach no handler
        self.assertIn("handler of whoami ran for unix uid=%d" % pwd.getpwnam(MEMBER).pw_uid, d.log())
        self.assertNotIn("handler of put ran for unix uid=%d" % pwd.getpwnam(MEMBER).pw_uid, d.log())
        self.assertNotIn("handler of deploy ran for unix uid=%d" % pwd.getpwnam(MEMBER).pw_uid, d.log())

        reply = self.root_call(d, "put")
        self.assertEqual((reply.uid, reply.user, reply.has_unix_creds), (0, "root", True))
        self.assertEqual(reply.transport, "unix")

        r = as_user(OUTSIDER, d.target, "version")
        self.assertEqual(r["code"], "UNAVAILABLE", r)
        self.assertIn("Permission denied", r["details"])

    def test_grants_by_user_group_and_own_permission(self):
        d = self.start(authz_config(grants=[{"user": MEMBER, "permissions": ["authztest.deploy"]}]))
        self.assertEqual(as_user(MEMBER, d.target, "deploy")["code"], "OK")
        r = as_user(MEMBER, d.target, "put")
        self.assertEqual(r["code"], "PERMISSION_DENIED", r)
        self.stop_clean(d)
        d = self.start(authz_config(grants=[{"group": GROUP, "permissions": ["write"]}]))
        self.assertEqual(as_user(MEMBER, d.target, "put")["code"], "OK")
        self.assertEqual(as_user(MEMBER, d.target, "deploy")["code"], "OK")

    def test_world_accessible_socket_outsider_reads_nothing(self):
        d = self.start(authz_config({"unix_socket_mode": 0o666}))
        self.assertIn("grpc.unix_socket_mode 0666 lets every local user connect", d.log())
        r = as_user(OUTSIDER, d.target, "whoami")
        self.assertEqual(r["code"], "PERMISSION_DENIED", r)
        self.assertIn("permission 'read'", r["details"])
        self.assertEqual(as_user(MEMBER, d.target, "whoami")["code"], "OK")

    def test_policy_off_lets_everyone_write(self):
        d = self.start(authz_config({"authorization": {"enabled": False}}))
        self.assertIn("grpc.authorization.enabled is false", d.log())
        self.assertEqual(as_user(MEMBER, d.target, "put")["code"], "OK")

    def test_audit_log_records_writes_and_survives_rotation(self):
        audit = os.path.join(self.work, "audit.log")
        d = self.start(authz_config({"audit_log": audit}))
        self.root_call(d, "put", name="first.yaml")
        self.assertEqual(as_user(MEMBER, d.target, "put")["code"], "PERMISSION_DENIED")
        self.root_call(d, "whoami")  # a read: not audited
        with open(audit) as f:
            lines = [json.loads(line) for line in f]
        self.assertEqual(len(lines), 2, lines)
        allowed, denied = lines
        self.assertEqual(allowed["method"], "/fapi.test.authz/put")
        self.assertEqual(allowed["identity"]["uid"], 0)
        self.assertEqual(allowed["identity"]["user"], "root")
        self.assertEqual(allowed["result"], {"code": 0, "status": "OK"})
        self.assertEqual(allowed["request"]["summary"], "name=first.yaml content=5 bytes")
        self.assertEqual(allowed["request"]["type"], "fapi.test.put_request")
        body = az.put_request(name="first.yaml", content=b"rules").SerializeToString()
        self.assertEqual(allowed["request"]["bytes"], len(body))
        self.assertEqual(allowed["request"]["sha256"], hashlib.sha256(body).hexdigest())
        self.assertRegex(allowed["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
        self.assertEqual(denied["identity"]["uid"], pwd.getpwnam(MEMBER).pw_uid)
        self.assertEqual(denied["identity"]["user"], MEMBER)
        self.assertEqual(denied["result"]["status"], "PERMISSION_DENIED")
        self.assertIn("permission 'write'", denied["result"]["message"])
        # the daemon log has them too
        self.assertEqual(d.log().count("[audit] {"), 2)

        os.rename(audit, audit + ".1")
        d.proc.send_signal(signal.SIGUSR1)
        d.wait_log("reopened " + audit)
        self.root_call(d, "put", name="second.yaml")
        with open(audit) as f:
            new = [json.loads(line) for line in f]
        with open(audit + ".1") as f:
            self.assertEqual(len(f.readlines()), 2)
        self.assertEqual(len(new), 1)
        self.assertEqual(new[0]["request"]["summary"], "name=second.yaml content=5 bytes")
        self.assertTrue(d.proc.poll() is None, "SIGUSR1 must not stop the daemon")

    def test_bidi_write_is_authorised_and_audited(self):
        audit = os.path.join(self.work, "audit.log")
        d = self.start(authz_config({"audit_log": audit}))
        with grpc.insecure_channel(d.target) as ch:
            call = ch.stream_stream("/fapi.test.authz/feed", request_serializer=az.put_request.SerializeToString,
                                    response_deserializer=az.who_reply.FromString)(
                iter([az.put_request(name="a")]), timeout=10)
            replies = list(call)
        self.assertEqual(replies[0].uid, 0)
        with open(audit) as f:
            rec = json.loads(f.readline())
        self.assertEqual((rec["method"], rec["result"]["status"]), ("/fapi.test.authz/feed", "OK"))
        self.assertNotIn("sha256", rec["request"])


class TlsAuthzTest(AuthzBase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.certs = tempfile.mkdtemp(prefix="fapi-azcerts-")
        make_ca(cls.certs, "ca")
        make_cert(cls.certs, "server", "ca", "DNS:localhost,IP:127.0.0.1")
        make_cert(cls.certs, "writer", "ca", "URI:spiffe://test.example/deployer,DNS:writer.example")
        make_cert(cls.certs, "reader", "ca", "URI:spiffe://test.example/dashboard")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.certs, ignore_errors=True)
        super().tearDownClass()

    def read(self, name):
        with open(os.path.join(self.certs, name), "rb") as f:
            return f.read()

    def tls_config(self, grants, audit=None):
        self.port = free_port()
        cfg = authz_config({
            "bind_address": "127.0.0.1:%d" % self.port,
            "private_key": os.path.join(self.certs, "server.key"),
            "cert_chain": os.path.join(self.certs, "server.crt"),
            "root_certs": os.path.join(self.certs, "ca.crt")}, grants=grants)
        if audit:
            cfg["grpc"]["audit_log"] = audit
        return cfg

    def call(self, who, method):
        creds = grpc.ssl_channel_credentials(root_certificates=self.read("ca.crt"),
                                             private_key=self.read(who + ".key"),
                                             certificate_chain=self.read(who + ".crt"))
        with grpc.secure_channel("127.0.0.1:%d" % self.port, creds,
                                 options=[("grpc.ssl_target_name_override", "localhost")]) as ch:
            return unary(ch, "/fapi.test.authz/" + method, az.put_request, az.who_reply)(
                az.put_request(name="n"), timeout=10)

    def test_granted_certificate_writes_other_certificate_reads(self):
        audit = os.path.join(self.work, "audit.log")
        self.start(self.tls_config([{"cert_san": "spiffe://test.example/deployer", "permissions": ["write"]}],
                                   audit))
        r = self.call("writer", "put")
        self.assertEqual(r.transport, "tcp+mtls")
        self.assertEqual(r.common_name, "writer")
        self.assertEqual(list(r.uri_sans), ["spiffe://test.example/deployer"])
        self.assertEqual(list(r.dns_sans), ["writer.example"])
        self.assertFalse(r.has_unix_creds)
        self.assertEqual(self.call("reader", "whoami").common_name, "reader")
        with self.assertRaises(grpc.RpcError) as e:
            self.call("reader", "put")
        self.assertEqual(e.exception.code(), grpc.StatusCode.PERMISSION_DENIED)
        self.assertIn("permission 'write'", e.exception.details())
        self.assertIn("cn=reader", e.exception.details())
        with open(audit) as f:
            recs = [json.loads(line) for line in f]
        self.assertEqual([(r["identity"]["cn"], r["result"]["status"]) for r in recs],
                         [("writer", "OK"), ("reader", "PERMISSION_DENIED")])
        self.assertEqual(recs[0]["identity"]["uri"], ["spiffe://test.example/deployer"])
        self.assertEqual(recs[0]["identity"]["transport"], "tcp+mtls")

    def test_grant_by_common_name(self):
        self.start(self.tls_config([{"cert_cn": "reader", "permissions": ["authztest.deploy"]}]))
        self.assertEqual(self.call("reader", "deploy").common_name, "reader")
        with self.assertRaises(grpc.RpcError) as e:
            self.call("writer", "deploy")
        self.assertEqual(e.exception.code(), grpc.StatusCode.PERMISSION_DENIED)
        self.assertIn("permission 'authztest.deploy'", e.exception.details())


class ListenerErrorsTest(AuthzBase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.certs = tempfile.mkdtemp(prefix="fapi-lecerts-")
        make_ca(cls.certs, "ca")
        make_cert(cls.certs, "server", "ca", "DNS:localhost,IP:127.0.0.1")
        make_cert(cls.certs, "other", "ca", "DNS:other")
        with open(os.path.join(cls.certs, "garbage.pem"), "w") as f:
            f.write("this is not PEM\n")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.certs, ignore_errors=True)
        super().tearDownClass()

    def p(self, name):
        return os.path.join(self.certs, name)

    def refused(self, grpc_cfg):
        d = self.start(authz_config(grpc_cfg), expect_ready=False)
        self.assertEqual(d.wait(), 1, d.log())
        return d.log()

    def tls(self, key="server.key", cert="server.crt", ca="ca.crt", address=None):
        self.port = free_port()
        return {"bind_address": address or "127.0.0.1:%d" % self.port, "private_key": self.p(key),
                "cert_chain": self.p(cert), "root_certs": self.p(ca)}

    def test_key_not_matching_certificate(self):
        log = self.refused(self.tls(key="other.key"))
        self.assertIn("grpc.private_key %s does not match the certificate of grpc.cert_chain %s"
                      % (self.p("other.key"), self.p("server.crt")), log)

    def test_key_not_a_key(self):
        log = self.refused(self.tls(key="garbage.pem"))
        self.assertIn("grpc.private_key: %s is not a PEM private key" % self.p("garbage.pem"), log)

    def test_cert_chain_not_a_certificate(self):
        log = self.refused(self.tls(cert="server.key"))
        self.assertIn("grpc.cert_chain: %s holds no PEM certificate" % self.p("server.key"), log)

    def test_ca_not_a_certificate(self):
        log = self.refused(self.tls(ca="garbage.pem"))
        self.assertIn("grpc.root_certs: %s holds no PEM certificate" % self.p("garbage.pem"), log)

    def test_tls_file_missing(self):
        log = self.refused(self.tls(ca="absent.crt"))
        self.assertIn("grpc.root_certs: cannot read %s: No such file or directory" % self.p("absent.crt"), log)

    def test_address_in_use(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            s.listen()
            port = s.getsockname()[1]
            log = self.refused(self.tls(address="127.0.0.1:%d" % port))
        self.assertIn("cannot listen on 127.0.0.1:%d: address in use" % port, log)

    def test_address_not_of_this_machine(self):
        log = self.refused(self.tls(address="192.0.2.1:%d" % free_port()))
        self.assertIn("'192.0.2.1' is not an address of this machine", log)

    def test_insecure_list_must_be_all_loopback(self):
        log = self.refused({"bind_address": "ipv4:127.0.0.1:%d,10.0.0.1:%d" % (free_port(), free_port()),
                            "insecure": True})
        self.assertIn("refusing to listen on ipv4:127.0.0.1", log)
        self.assertIn("every address of a list must be loopback", log)

    def test_unknown_socket_group(self):
        log = self.refused({"unix_socket_group": "no-such-group-" + SUFFIX})
        self.assertIn("grpc.unix_socket_group: no group named 'no-such-group-%s'" % SUFFIX, log)

    def run_as_outsider(self, grpc_cfg):
        """The daemon itself as an unprivileged user: what root may always
        do becomes a permission problem."""
        d = Daemon(config=authz_config(grpc_cfg), workdir=tempfile.mkdtemp(dir=self.work))
        self.daemons.append(d)
        os.chmod(d.dir, 0o755)
        pw = pwd.getpwnam(OUTSIDER)
        d.logf = open(d.log_path, "w")
        d.outf = open(d.stdout_path, "w")
        d.proc = subprocess.Popen([BIN, "-c", d.config_path], stdout=d.outf, stderr=d.logf,
                                  stdin=subprocess.DEVNULL, user=pw.pw_uid, group=pw.pw_gid, extra_groups=[],
                                  cwd=d.dir)
        self.assertEqual(d.wait(), 1, d.log())
        return d.log()

    def test_permission_problems(self):
        rootdir = tempfile.mkdtemp(dir=self.work)
        os.chmod(rootdir, 0o755)
        sock = os.path.join(rootdir, "falco.sock")
        log = self.run_as_outsider({"bind_address": "unix://" + sock, "unix_socket_group": ""})
        self.assertIn("cannot listen on unix://%s: no permission to create %s" % (sock, sock), log)
        key = os.path.join(rootdir, "server.key")
        shutil.copy(self.p("server.key"), key)
        os.chmod(key, 0o600)
        cfg = self.tls()
        cfg["private_key"] = key
        cfg["bind_address"] = "127.0.0.1:%d" % free_port()
        log = self.run_as_outsider(cfg)
        self.assertIn("grpc.private_key: cannot read %s: Permission denied" % key, log)
        for k, name in (("private_key", "server.key"), ("cert_chain", "server.crt"), ("root_certs", "ca.crt")):
            cfg[k] = os.path.join(rootdir, "readable-" + name)
            shutil.copy(self.p(name), cfg[k])
            os.chmod(cfg[k], 0o644)
        cfg["bind_address"] = "127.0.0.1:80"
        log = self.run_as_outsider(cfg)
        self.assertIn("cannot listen on 127.0.0.1:80: no permission to bind port 80", log)


if __name__ == "__main__":
    unittest.main()
