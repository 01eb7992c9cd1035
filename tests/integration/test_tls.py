"""TCP needs mutual TLS: a client with a certificate from our CA gets in;
no certificate, another CA's certificate, or plaintext do not. Plain TCP
is only allowed on loopback with grpc.insecure: true."""

import os
import subprocess
import tempfile
import unittest

import grpc

from fapi_testlib import DaemonTest, free_port, unary

import version_pb2


def openssl(*args, cwd):
    subprocess.run(["openssl"] + list(args), cwd=cwd, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


def make_ca(d, name):
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", name + ".key", "-out", name + ".crt", "-days", "2", "-subj", "/CN=" + name, cwd=d)


def make_cert(d, name, ca, san):
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", name + ".key", "-out", name + ".csr", "-subj", "/CN=" + name, cwd=d)
    ext = os.path.join(d, name + ".ext")
    with open(ext, "w") as f:
        f.write("subjectAltName=%s\n" % san)
    openssl("x509", "-req", "-in", name + ".csr", "-CA", ca + ".crt", "-CAkey", ca + ".key",
            "-CAcreateserial", "-out", name + ".crt", "-days", "2", "-extfile", ext, cwd=d)


class TlsTest(DaemonTest):
    @classmethod
    def setUpClass(cls):
        cls.certs = tempfile.mkdtemp(prefix="fapi-certs-")
        make_ca(cls.certs, "ca")
        make_ca(cls.certs, "otherca")
        make_cert(cls.certs, "server", "ca", "DNS:localhost,IP:127.0.0.1")
        make_cert(cls.certs, "client", "ca", "DNS:client")
        make_cert(cls.certs, "intruder", "otherca", "DNS:intruder")

    def read(self, name):
        with open(os.path.join(self.certs, name), "rb") as f:
            return f.read()

    def start_tls(self):
        self.port = free_port()
        d = self.start_daemon(config={"grpc": {
            "bind_address": ["unix://" + os.path.join(tempfile.mkdtemp(prefix="fapi-s-"), "falco.sock"),
                             "127.0.0.1:%d" % self.port],
            "private_key": os.path.join(self.certs, "server.key"),
            "cert_chain": os.path.join(self.certs, "server.crt"),
            "root_certs": os.path.join(self.certs, "ca.crt")}})
        return d

    def call(self, channel):
        return unary(channel, "/falco.version.service/version", version_pb2.request, version_pb2.response)(
            version_pb2.request(), timeout=5)

    def channel(self, key=None, cert=None):
        creds = grpc.ssl_channel_credentials(root_certificates=self.read("ca.crt"),
                                             private_key=key and self.read(key),
                                             certificate_chain=cert and self.read(cert))
        return grpc.secure_channel("127.0.0.1:%d" % self.port, creds,
                                   options=[("grpc.ssl_target_name_override", "localhost")])

    def test_mtls_client_accepted_others_refused(self):
        d = self.start_tls()
        with self.channel("client.key", "client.crt") as ch:
            self.assertEqual(self.call(ch).version, "0.1.0")
        refused = {
            "no client certificate": self.channel(),
            "certificate from another CA": self.channel("intruder.key", "intruder.crt"),
            "plaintext": grpc.insecure_channel("127.0.0.1:%d" % self.port),
        }
        for what, ch in refused.items():
            with self.subTest(what):
                with self.assertRaises(grpc.RpcError) as e:
                    self.call(ch)
                self.assertEqual(e.exception.code(), grpc.StatusCode.UNAVAILABLE)
                ch.close()
        # the unix listener runs alongside
        self.assertEqual(d.log().count("listening on"), 2)

    def test_tcp_without_tls_refuses_to_start(self):
        d = self.start_daemon(config={"grpc": {"bind_address": "127.0.0.1:%d" % free_port()}}, expect_ready=False)
        self.assertEqual(d.wait(), 1)
        self.assertIn("refusing to listen on 127.0.0.1", d.log())
        self.assertIn("without mutual TLS", d.log())

    def test_partial_tls_config_names_missing_keys(self):
        d = self.start_daemon(config={"grpc": {"bind_address": "127.0.0.1:%d" % free_port(),
                                               "private_key": os.path.join(self.certs, "server.key")}},
                              expect_ready=False)
        self.assertEqual(d.wait(), 1)
        self.assertIn("missing: grpc.cert_chain grpc.root_certs", d.log())

    def test_insecure_only_on_loopback(self):
        port = free_port()
        d = self.start_daemon(config={"grpc": {"bind_address": "127.0.0.1:%d" % port, "insecure": True}})
        self.assertIn("WITHOUT TLS", d.log())
        with grpc.insecure_channel("127.0.0.1:%d" % port) as ch:
            self.assertEqual(self.call(ch).version, "0.1.0")
        self.stop_clean_warning(d)
        d2 = self.start_daemon(config={"grpc": {"bind_address": "0.0.0.0:%d" % free_port(), "insecure": True}},
                               expect_ready=False)
        self.assertEqual(d2.wait(), 1)
        self.assertIn("plaintext is only allowed on a loopback address", d2.log())

    def stop_clean_warning(self, d):
        self.assertEqual(d.stop(), 0, d.log())


if __name__ == "__main__":
    unittest.main()
