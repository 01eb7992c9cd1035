"""gRPC server reflection (v1 and v1alpha): a client written against
reflection.proto lists the services and, from the descriptors alone, finds
every method the daemon serves, a loaded module's included."""

import os
import unittest

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool

from fapi_testlib import SLOW, TEST_MODULE_DIR, DaemonTest, bidi

import reflection_v1_pb2 as r1
import reflection_v1alpha_pb2 as r1a

# Every method the daemon serves with these modules, by gRPC path.
METHODS = [
    "/grpc.health.v1.Health/Check",
    "/grpc.health.v1.Health/Watch",
    "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
    "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
    "/falco.version.service/version",
    "/falco.api.unary/version",
    "/falco.api.streaming/outputs",
    "/falco.outputs.service/get",
    "/falco.outputs.service/sub",
    "/fapi.test.stream/count",
    "/fapi.test.stream/hold",
    "/fapi.test.stream/linger",
    "/fapi.test.stream/echo",
]


def config():
    return {"load_modules": ["version", "outputs", "streamtest"],
            "modules": [{"name": "streamtest", "library_path": os.path.join(TEST_MODULE_DIR, "mod_streamtest.so")}]}


class ReflectionTest(DaemonTest):
    def setUp(self):
        super().setUp()
        self.d = self.start_daemon(config=config())
        self.ch = grpc.insecure_channel(self.d.target)

    def tearDown(self):
        self.ch.close()
        super().tearDown()

    def ask(self, requests, pb=r1):
        path = "/%s.ServerReflection/ServerReflectionInfo" % pb.DESCRIPTOR.package
        call = bidi(self.ch, path, pb.ServerReflectionRequest, pb.ServerReflectionResponse)
        return list(call(iter(requests), timeout=20 * SLOW))

    def pool_of(self, responses):
        """A descriptor pool built from nothing but the files served."""
        files = {}
        for resp in responses:
            self.assertEqual(resp.WhichOneof("message_response"), "file_descriptor_response", resp)
            for raw in resp.file_descriptor_response.file_descriptor_proto:
                fd = descriptor_pb2.FileDescriptorProto.FromString(raw)
                files[fd.name] = fd
        pool = descriptor_pool.DescriptorPool()
        added = set()

        def add(name):
            if name in added:
                return
            self.assertIn(name, files, "dependency %s was not served" % name)
            for dep in files[name].dependency:
                add(dep)
            pool.Add(files[name])
            added.add(name)
        for name in files:
            add(name)
        return pool

    def check_reflection(self, pb):
        [listing] = self.ask([pb.ServerReflectionRequest(list_services="")], pb)
        services = sorted(s.name for s in listing.list_services_response.service)
        expected = sorted({m[1:].rsplit("/", 1)[0] for m in METHODS})
        self.assertEqual(services, expected)
        # One question per service, on one stream, as grpcurl asks them.
        answers = self.ask([pb.ServerReflectionRequest(file_containing_symbol=s) for s in services], pb)
        self.assertEqual(len(answers), len(services))
        for a, s in zip(answers, services):
            self.assertEqual(a.original_request.file_containing_symbol, s)
        pool = self.pool_of(answers)
        for path in METHODS:
            service, method = path[1:].rsplit("/", 1)
            m = pool.FindMethodByName(service + "." + method)
            self.assertTrue(m.input_type.fields is not None and m.output_type.full_name)
        count = pool.FindMethodByName("fapi.test.stream.count")
        self.assertEqual(count.input_type.full_name, "fapi.test.count_request")
        self.assertEqual([f.name for f in count.output_type.fields], ["seq", "efull_seen"])
        self.assertTrue(pool.FindMethodByName("fapi.test.stream.echo").client_streaming)
        outputs = pool.FindMethodByName("falco.api.streaming.outputs")
        self.assertEqual(outputs.output_type.full_name, "falco.outputs.response")
        # The Timestamp of the outputs' response came along as a dependency.
        self.assertTrue(pool.FindMessageTypeByName("google.protobuf.Timestamp"))

    def test_v1_lists_and_describes_every_method(self):
        self.check_reflection(r1)

    def test_v1alpha_lists_and_describes_every_method(self):
        self.check_reflection(r1a)

    def test_files_by_name_symbols_and_errors(self):
        by_name, by_method, by_message, unknown, ext, nothing = self.ask([
            r1.ServerReflectionRequest(file_by_filename="streamtest.proto"),
            r1.ServerReflectionRequest(file_containing_symbol="falco.version.service.version"),
            r1.ServerReflectionRequest(file_containing_symbol="fapi.test.echo_msg"),
            r1.ServerReflectionRequest(file_containing_symbol="no.such.Thing"),
            r1.ServerReflectionRequest(all_extension_numbers_of_type="fapi.test.echo_msg"),
            r1.ServerReflectionRequest(),
        ])
        names = lambda resp: [descriptor_pb2.FileDescriptorProto.FromString(b).name
                              for b in resp.file_descriptor_response.file_descriptor_proto]
        self.assertEqual(names(by_name), ["streamtest.proto"])
        self.assertEqual(names(by_method)[0], "version.proto")
        self.assertEqual(names(by_message), ["streamtest.proto"])
        self.assertEqual(unknown.error_response.error_code, grpc.StatusCode.NOT_FOUND.value[0])
        self.assertIn("no.such.Thing", unknown.error_response.error_message)
        self.assertEqual(ext.all_extension_numbers_response.base_type_name, "fapi.test.echo_msg")
        self.assertEqual(list(ext.all_extension_numbers_response.extension_number), [])
        self.assertEqual(nothing.error_response.error_code, grpc.StatusCode.INVALID_ARGUMENT.value[0])


if __name__ == "__main__":
    unittest.main()
