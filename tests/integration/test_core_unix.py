"""The core over its default transport, a unix socket: version (both
paths), protocol errors, health, socket handling."""

import os
import socket
import stat
import unittest

import grpc

from fapi_testlib import ABI_MINOR, DaemonTest, raw_unary, unary

import health_pb2
import version_pb2


class CoreUnixTest(DaemonTest):
    def setUp(self):
        super().setUp()
        self.d = self.start_daemon()
        self.ch = grpc.insecure_channel(self.d.target)

    def tearDown(self):
        self.ch.close()
        super().tearDown()

    def test_version_both_paths(self):
        for path in ("/falco.version.service/version", "/falco.api.unary/version"):
            r = unary(self.ch, path, version_pb2.request, version_pb2.response)(version_pb2.request(), timeout=10)
            self.assertEqual(r.version, "%d.%d.%d" % (r.major, r.minor, r.patch))
            self.assertEqual(r.version, "0.1.0")
            self.assertEqual(r.engine_version, "0.11.0")
            self.assertEqual((r.engine_major, r.engine_minor), (0, 11))
            self.assertTrue(r.git_commit)
            self.assertTrue(r.build_type)
            self.assertEqual((r.abi_major, r.abi_minor), (1, ABI_MINOR))
            self.assertEqual([m.name for m in r.modules], ["version"])
            self.assertEqual(r.modules[0].version, "1.0.0")
            self.assertEqual((r.modules[0].abi_major, r.modules[0].abi_minor), (1, ABI_MINOR))
            self.assertTrue(r.modules[0].library_path.endswith("fapi-version.so"))

    def test_falco_numbering(self):
        """A client built from Falco's version.proto (fields 1-6) decodes our
        response: check the raw wire tags."""
        raw = raw_unary(self.ch, "/falco.version.service/version")(b"", timeout=10)
        r = version_pb2.response.FromString(raw)
        # field 1 (version, length-delimited) comes first: tag byte 0x0a
        self.assertEqual(raw[0], 0x0A)
        self.assertEqual(raw[2:2 + raw[1]].decode(), r.version)
        self.assertIn(bytes([0x18, r.minor]), raw)  # field 3, varint

    def test_garbage_is_invalid_argument(self):
        with self.assertRaises(grpc.RpcError) as e:
            raw_unary(self.ch, "/falco.api.unary/version")(b"\xff\xff\xff\xff", timeout=10)
        self.assertEqual(e.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)
        self.assertIn("falco.version.request", e.exception.details())

    def test_unknown_method_is_unimplemented(self):
        for path in ("/falco.api.unary/nope", "/nothing.here/at_all"):
            with self.assertRaises(grpc.RpcError) as e:
                raw_unary(self.ch, path)(b"", timeout=10)
            self.assertEqual(e.exception.code(), grpc.StatusCode.UNIMPLEMENTED)
            self.assertIn(path, e.exception.details())

    def test_health_check(self):
        check = unary(self.ch, "/grpc.health.v1.Health/Check", health_pb2.HealthCheckRequest,
                      health_pb2.HealthCheckResponse)
        SERVING = health_pb2.HealthCheckResponse.SERVING
        self.assertEqual(check(health_pb2.HealthCheckRequest(), timeout=10).status, SERVING)
        self.assertEqual(check(health_pb2.HealthCheckRequest(service="falco.version.service"),
                               timeout=10).status, SERVING)
        with self.assertRaises(grpc.RpcError) as e:
            check(health_pb2.HealthCheckRequest(service="no.such.service"), timeout=10)
        self.assertEqual(e.exception.code(), grpc.StatusCode.NOT_FOUND)

    def test_socket_mode_and_directory(self):
        st = os.stat(self.d.socket)
        self.assertTrue(stat.S_ISSOCK(st.st_mode))
        self.assertEqual(stat.S_IMODE(st.st_mode), 0o660)
        self.assertTrue(os.path.isdir(os.path.dirname(self.d.socket)))

    def test_second_daemon_on_live_socket_refuses(self):
        other = self.start_daemon(config={"grpc": {"bind_address": self.d.target}}, expect_ready=False)
        self.assertEqual(other.wait(), 1)
        self.assertIn("in use by a running process", other.log())
        # the first one still answers
        r = unary(self.ch, "/falco.api.unary/version", version_pb2.request, version_pb2.response)(
            version_pb2.request(), timeout=10)
        self.assertEqual(r.version, "0.1.0")


class SocketHandlingTest(DaemonTest):
    def test_stale_socket_replaced_and_mode_configurable(self):
        from fapi_testlib import Daemon
        probe = Daemon()
        os.makedirs(os.path.dirname(probe.socket))
        s = socket.socket(socket.AF_UNIX)
        s.bind(probe.socket)  # bound, never listening: stale
        s.close()
        d = self.start_daemon(config={"grpc": {"unix_socket_mode": "0600"}}, workdir=probe.dir)
        self.assertIn("replaced stale socket", d.log())
        self.assertEqual(stat.S_IMODE(os.stat(d.socket).st_mode), 0o600)
        with grpc.insecure_channel(d.target) as ch:
            unary(ch, "/falco.api.unary/version", version_pb2.request, version_pb2.response)(
                version_pb2.request(), timeout=10)
        self.stop_clean(d)
        self.assertFalse(os.path.exists(d.socket), "socket removed at exit")
        probe.cleanup()

    def test_path_that_is_not_a_socket_refuses(self):
        from fapi_testlib import Daemon
        probe = Daemon()
        os.makedirs(os.path.dirname(probe.socket))
        open(probe.socket, "w").close()
        d = self.start_daemon(workdir=probe.dir, expect_ready=False)
        self.assertEqual(d.wait(), 1)
        self.assertIn("exists and is not a socket", d.log())
        probe.cleanup()


if __name__ == "__main__":
    unittest.main()
