"""The version RPC as Falco's own clients decode it. The stubs come from
Falco's version.proto of 0.31.1 and of 0.40.0, read from the Falco git
mirror (FAPI_FALCO_GIT; skipped with a message when it is absent) and
compiled now, with protoc, into descriptor sets of a temporary directory:
each layout gets a descriptor pool of its own, since both declare
falco.version.response, as this project's version.proto does.

- Falco 0.31.1: field 7 is `uint32 engine_version`, 8 the fields checksum;
- Falco 0.40.0: 7 `engine_minor`, 8 the checksum, 9 and 10 `engine_major`
  and `engine_patch`, 11 `string engine_version`;
- the wire types of fields 7-11, checked on the raw bytes (no mirror needed);
- the checksum: SHA-256 hex, the same from every layout, equal across two
  daemons with the same fields."""

import os
import re
import shutil
import subprocess
import tempfile
import unittest

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

from fapi_testlib import ABI_MINOR, DaemonTest, raw_unary, unary

import version_pb2

FALCO_GIT = os.environ.get("FAPI_FALCO_GIT", "")
PATHS = ("/falco.version.service/version", "/falco.api.unary/version")
CHECKSUM = re.compile(r"^[0-9a-f]{64}$")


def falco_version_proto(tag, tmp):
    """Falco's version.proto at `tag`, compiled; returns its response class."""
    listing = subprocess.run(["git", "-C", FALCO_GIT, "ls-tree", "-r", "--name-only", tag],
                             capture_output=True, text=True, check=True).stdout.split()
    path = [p for p in listing if p.endswith("/version.proto") and "userspace/falco/" in p]
    if len(path) != 1:
        raise AssertionError("no single version.proto in Falco %s: %r" % (tag, path))
    src = subprocess.run(["git", "-C", FALCO_GIT, "show", "%s:%s" % (tag, path[0])], capture_output=True,
                         check=True).stdout
    d = os.path.join(tmp, tag)
    os.makedirs(d)
    with open(os.path.join(d, "version.proto"), "wb") as f:
        f.write(src)
    out = os.path.join(d, "version.desc")
    subprocess.run(["protoc", "-I", d, "--descriptor_set_out=" + out, "version.proto"], check=True)
    fds = descriptor_pb2.FileDescriptorSet()
    with open(out, "rb") as f:
        fds.ParseFromString(f.read())
    pool = descriptor_pool.DescriptorPool()
    for fd in fds.file:
        pool.Add(fd)
    return message_factory.MessageFactory(pool).GetPrototype(pool.FindMessageTypeByName("falco.version.response"))


def wire_fields(raw):
    """(field number, wire type) of each top-level field of a message."""
    out, i = [], 0

    def varint():
        nonlocal i
        v, shift = 0, 0
        while True:
            b = raw[i]
            i += 1
            v |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                return v

    while i < len(raw):
        key = varint()
        num, wt = key >> 3, key & 7
        out.append((num, wt))
        if wt == 0:
            varint()
        elif wt == 2:
            n = varint()
            i += n
        elif wt == 1:
            i += 8
        elif wt == 5:
            i += 4
        else:
            raise AssertionError("wire type %d" % wt)
    return out


class VersionCompatTest(DaemonTest):
    def setUp(self):
        super().setUp()
        self.d = self.start_daemon()
        self.raw = {p: raw_unary(self.channel(), p)(b"", timeout=10) for p in PATHS}

    def channel(self):
        import grpc
        ch = grpc.insecure_channel(self.d.target)
        self.addCleanup(ch.close)
        return ch

    def ours(self, path=PATHS[0]):
        return version_pb2.response.FromString(self.raw[path])

    def test_wire_types_of_the_engine_fields(self):
        for path in PATHS:
            types = dict(wire_fields(self.raw[path]))
            self.assertEqual(types[7], 0, "7 must be a varint (Falco's uint32)")
            self.assertEqual(types[8], 2, "8 must be length-delimited (Falco's string checksum)")
            self.assertEqual(types[11], 2, "11 must be the semver string")
            # engine_major and engine_patch are 0 (proto3 does not send
            # zeros); when present they must be varints
            for n in (9, 10):
                if n in types:
                    self.assertEqual(types[n], 0)
            # and nothing Falco would read as a string is a number: 1, 5, 6
            for n in (1, 5, 6):
                if n in types:
                    self.assertEqual(types[n], 2)

    def test_falco_0_31_client(self):
        if not FALCO_GIT or not os.path.isdir(FALCO_GIT):
            self.skipTest("Falco git mirror not found at %r (FAPI_FALCO_GIT)" % FALCO_GIT)
        tmp = tempfile.mkdtemp(prefix="fapi-version-")
        self.addCleanup(shutil.rmtree, tmp, True)
        cls = falco_version_proto("0.31.1", tmp)
        self.assertEqual(cls.DESCRIPTOR.fields_by_number[7].name, "engine_version")
        for path in PATHS:
            r = cls.FromString(self.raw[path])
            self.assertEqual(r.version, "0.1.0")
            self.assertEqual((r.major, r.minor, r.patch), (0, 1, 0))
            self.assertEqual(r.engine_version, 11)  # what Falco 0.31.1 reports
            self.assertRegex(r.engine_fields_checksum, CHECKSUM)
            self.assertEqual(r.engine_fields_checksum, self.ours().engine_fields_checksum)

    def test_falco_0_40_client(self):
        if not FALCO_GIT or not os.path.isdir(FALCO_GIT):
            self.skipTest("Falco git mirror not found at %r (FAPI_FALCO_GIT)" % FALCO_GIT)
        tmp = tempfile.mkdtemp(prefix="fapi-version-")
        self.addCleanup(shutil.rmtree, tmp, True)
        cls = falco_version_proto("0.40.0", tmp)
        self.assertEqual(cls.DESCRIPTOR.fields_by_number[11].name, "engine_version")
        for path in PATHS:
            r = cls.FromString(self.raw[path])
            self.assertEqual(r.version, "0.1.0")
            self.assertEqual((r.engine_major, r.engine_minor, r.engine_patch), (0, 11, 0))
            self.assertEqual(r.engine_version, "0.11.0")
            self.assertEqual(r.engine_version, "%d.%d.%d" % (r.engine_major, r.engine_minor, r.engine_patch))
            self.assertRegex(r.engine_fields_checksum, CHECKSUM)
            self.assertEqual(r.engine_fields_checksum, self.ours().engine_fields_checksum)

    def test_our_layout_and_a_stable_checksum(self):
        r = self.ours(PATHS[1])
        self.assertEqual((r.engine_major, r.engine_minor, r.engine_patch, r.engine_version), (0, 11, 0, "0.11.0"))
        self.assertRegex(r.engine_fields_checksum, CHECKSUM)
        self.assertEqual((r.abi_major, r.abi_minor), (1, ABI_MINOR))
        self.assertEqual(self.ours(PATHS[0]), r)
        # another daemon offers the same fields: the same checksum
        other = self.start_daemon()
        import grpc
        with grpc.insecure_channel(other.target) as ch:
            r2 = unary(ch, PATHS[1], version_pb2.request, version_pb2.response)(version_pb2.request(), timeout=10)
        self.assertEqual(r2.engine_fields_checksum, r.engine_fields_checksum)


if __name__ == "__main__":
    unittest.main()
