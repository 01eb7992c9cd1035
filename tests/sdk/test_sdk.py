"""The module SDK as a third party sees it.

Installs the build tree into a temporary prefix (make install PREFIX=...), then builds
examples/hello against that prefix alone, once with CMake
(find_package(FalcoApidSDK), CMAKE_PREFIX_PATH) and once with its Makefile
(pkg-config, PKG_CONFIG_PATH), checks that each module exports only
fapi_module_v1, and loads them into the real daemon, which must serve
/falco.example.hello/greet and exit 0 on SIGTERM.

Run through ctest (tests/sdk/CMakeLists.txt sets the environment). Set
FAPI_SDK_KEEP=1 to keep the temporary directory for inspection.
"""

import glob
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

BUILD_DIR = os.environ.get("FAPI_BUILD_DIR", "")
SOURCE_DIR = os.environ.get("FAPI_SOURCE_DIR", "")
CMAKE = os.environ.get("FAPI_CMAKE", "cmake")
PROTOC = os.environ.get("FAPI_PROTOC", "protoc")
PROTOC_C = os.environ.get("FAPI_PROTOC_C", "protoc-c")
EXAMPLE = os.path.join(SOURCE_DIR, "examples", "hello")
BIN = os.path.join(BUILD_DIR, "bin", "falco-apid")
# Sanitizer builds start and stop several times slower.
SLOW = 4 if "asan" in BUILD_DIR else 1


def run(cmd, what, env=None, cwd=None, expect_ok=True):
    """Runs cmd; on an unexpected exit status fails with everything needed to
    see why: what was attempted, the command, and its output."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    p = subprocess.run(cmd, cwd=cwd, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       stdin=subprocess.DEVNULL, text=True, timeout=600)
    if (p.returncode == 0) != expect_ok:
        raise AssertionError("%s: %s\n$ %s%s\n(exit %d)\n%s" % (
            what, "failed" if expect_ok else "unexpectedly succeeded",
            " ".join("%s=%s" % kv for kv in (env or {}).items()) + (" " if env else ""),
            " ".join(cmd), p.returncode, p.stdout))
    return p.stdout


def read(path):
    with open(path) as f:
        return f.read()


def exported_symbols(so):
    out = run(["nm", "-D", "--defined-only", so], "listing the dynamic symbols of " + so)
    return sorted(line.split()[-1] for line in out.splitlines() if line.strip())


class SdkTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not BUILD_DIR or not os.path.exists(BIN) or not os.path.isdir(EXAMPLE):
            raise unittest.SkipTest("FAPI_BUILD_DIR/FAPI_SOURCE_DIR not set: run through ctest")
        for tool in ("nm", "make", "pkg-config", PROTOC, PROTOC_C):
            if not shutil.which(tool):
                raise AssertionError("the SDK test needs %s on PATH" % tool)
        cls.tmp = tempfile.mkdtemp(prefix="fapi-sdk-")
        cls.prefix = os.path.join(cls.tmp, "prefix")
        # as the README says: `make install PREFIX=...` (its build step finds
        # the tree up to date)
        run(["make", "-s", "-C", SOURCE_DIR, "install", "BUILD=" + BUILD_DIR, "PREFIX=" + cls.prefix, "JOBS=1"],
            "installing the build tree with make install PREFIX=")
        # GNUInstallDirs may pick lib, lib64 or lib/<multiarch>.
        cls.pc_dirs = sorted(glob.glob(os.path.join(cls.prefix, "lib*", "pkgconfig")) +
                             glob.glob(os.path.join(cls.prefix, "lib", "*", "pkgconfig")))
        cls.pc_env = {"PKG_CONFIG_PATH": os.pathsep.join(cls.pc_dirs)}
        m = re.search(r"falco-apid version: (\S+)", run([BIN, "--version"], "asking the daemon its version"))
        if not m:
            raise AssertionError("falco-apid --version printed no 'falco-apid version: X.Y.Z'")
        cls.version = m.group(1)
        cls.built = {}
        cls.py_dir = None

    @classmethod
    def tearDownClass(cls):
        if os.environ.get("FAPI_SDK_KEEP"):
            sys.stderr.write("kept %s\n" % cls.tmp)
        else:
            shutil.rmtree(cls.tmp, ignore_errors=True)

    # -- building the example ------------------------------------------------

    def cmake_module(self):
        """examples/hello with find_package(FalcoApidSDK), built once."""
        if "cmake" not in self.built:
            bdir = os.path.join(self.tmp, "hello-cmake")
            run([CMAKE, "-S", EXAMPLE, "-B", bdir, "-DCMAKE_PREFIX_PATH=" + self.prefix,
                 "-DCMAKE_EXPORT_COMPILE_COMMANDS=ON", "-DCMAKE_BUILD_TYPE=RelWithDebInfo"],
                "configuring examples/hello with CMake against the installed SDK")
            run([CMAKE, "--build", bdir], "building examples/hello with CMake")
            self.built["cmake"] = (bdir, os.path.join(bdir, "fapi-hello.so"))
        return self.built["cmake"]

    def make_module(self):
        """examples/hello with its Makefile and pkg-config, built once; the
        output goes to O= so the source tree stays clean."""
        if "make" not in self.built:
            odir = os.path.join(self.tmp, "hello-make")
            run(["make", "-C", EXAMPLE, "O=" + odir], "building examples/hello with make and pkg-config",
                env=self.pc_env)
            self.built["make"] = (odir, os.path.join(odir, "fapi-hello.so"))
        return self.built["make"]

    def python_protos(self):
        """Python code for hello.proto and for the *installed* version.proto,
        which is how a client writer would get it."""
        if self.py_dir is None:
            d = os.path.join(self.tmp, "py")
            os.makedirs(d)
            run([PROTOC, "-I" + EXAMPLE, "--python_out=" + d, os.path.join(EXAMPLE, "hello.proto")],
                "generating Python code for hello.proto")
            protodir = os.path.join(self.prefix, "share", "falco-apid", "proto")
            run([PROTOC, "-I" + protodir, "--python_out=" + d, os.path.join(protodir, "version.proto")],
                "generating Python code for the installed version.proto")
            sys.path.insert(0, d)
            type(self).py_dir = d
        import grpc  # Debian's python3-grpcio: run with /usr/bin/python3
        import hello_pb2
        import version_pb2
        return grpc, hello_pb2, version_pb2

    # -- the daemon ----------------------------------------------------------

    def start_daemon(self, tag, module_entry):
        """Starts <build>/bin/falco-apid with version and hello loaded, on a
        unix socket in the temporary directory; returns (proc, socket, log)."""
        d = os.path.join(self.tmp, "run-" + tag)
        os.makedirs(d)
        sock = os.path.join(d, "s.sock")
        log = os.path.join(d, "daemon.log")
        # a rules file without rules and one pass over a generated capture:
        # a daemon needs rules and an event source, as Falco does
        args = [BIN, "-o", "load_modules=[version,hello]", "-o", "modules=[%s]" % module_entry,
                "-o", "grpc.bind_address=unix://" + sock,
                "-r", os.path.join(SOURCE_DIR, "tests", "fixtures", "rules", "empty.yaml"),
                "-o", "engine.capture.file=" + os.path.join(BUILD_DIR, "captures", "basic.scap")]
        with open(log, "w") as logf:
            proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=logf, stdin=subprocess.DEVNULL)
        self.addCleanup(self.kill_daemon, proc)
        return proc, sock, log, args

    @staticmethod
    def kill_daemon(proc):
        if proc.poll() is None:
            proc.kill()
            proc.wait()

    def wait_ready(self, proc, log, args, timeout=20):
        deadline = time.time() + timeout * SLOW
        while time.time() < deadline:
            text = read(log)
            if " ready" in text:
                return text
            if proc.poll() is not None:
                self.fail("daemon exited with %d during startup\n$ %s\n%s" % (proc.returncode, " ".join(args), text))
            time.sleep(0.05)
        self.fail("daemon not ready after %ds\n$ %s\n%s" % (timeout * SLOW, " ".join(args), read(log)))

    def stop_daemon(self, proc, log):
        proc.send_signal(signal.SIGTERM)
        try:
            rc = proc.wait(timeout=30 * SLOW)
        except subprocess.TimeoutExpired:
            self.fail("daemon did not exit within %ds of SIGTERM:\n%s" % (30 * SLOW, read(log)))
        text = read(log)
        self.assertEqual(rc, 0, "daemon exit status %d after SIGTERM:\n%s" % (rc, text))
        self.assertNotIn(" ERROR [", text, "errors logged:\n" + text)
        return text

    def serve_and_greet(self, tag, so, config, expect_greeting):
        grpc, hello_pb2, version_pb2 = self.python_protos()
        entry = "{name: hello, library_path: %s%s}" % (so, ", config: %s" % config if config else "")
        proc, sock, log, args = self.start_daemon(tag, entry)
        text = self.wait_ready(proc, log, args)
        self.assertIn("[hello] greeting '%s'" % expect_greeting, text, "the module's init log line is missing")
        with grpc.insecure_channel("unix://" + sock) as ch:
            greet = ch.unary_unary("/falco.example.hello/greet",
                                   request_serializer=hello_pb2.greet_request.SerializeToString,
                                   response_deserializer=hello_pb2.greet_response.FromString)
            try:
                r = greet(hello_pb2.greet_request(name="Ada"), timeout=10 * SLOW)
            except grpc.RpcError as e:
                self.fail("greet failed: %s %s\n%s" % (e.code(), e.details(), read(log)))
            self.assertEqual(r.greeting, "%s, Ada from falco-apid %s" % (expect_greeting, self.version))
            self.assertEqual(r.version, self.version)
            with self.assertRaises(grpc.RpcError, msg="greet with no name must fail") as e:
                greet(hello_pb2.greet_request(), timeout=10 * SLOW)
            self.assertEqual(e.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)
            self.assertIn("name is required", e.exception.details())
            # The host reports the module as loaded from the file we built.
            v = ch.unary_unary("/falco.version.service/version",
                               request_serializer=version_pb2.request.SerializeToString,
                               response_deserializer=version_pb2.response.FromString)(
                                   version_pb2.request(), timeout=10 * SLOW)
            mods = {m.name: m for m in v.modules}
            self.assertEqual(sorted(mods), ["hello", "version"])
            self.assertEqual(mods["hello"].library_path, so)
            self.assertEqual(mods["hello"].version, "1.0.0")
        self.stop_daemon(proc, log)

    # -- tests ---------------------------------------------------------------

    def test_installed_layout(self):
        inc = os.path.join(self.prefix, "include", "fapi")
        self.assertEqual(sorted(os.listdir(inc)),
                         sorted(os.path.basename(h) for h in glob.glob(os.path.join(SOURCE_DIR, "include/fapi/*.h"))),
                         "installed headers differ from include/fapi/")
        protodir = os.path.join(self.prefix, "share", "falco-apid", "proto")
        self.assertEqual(sorted(os.listdir(protodir)),
                         sorted(os.path.basename(p) for p in glob.glob(os.path.join(SOURCE_DIR, "proto/*.proto"))),
                         "installed .proto files differ from proto/")
        self.assertTrue(any(os.path.exists(os.path.join(d, "falco-apid-sdk.pc")) for d in self.pc_dirs),
                        "no falco-apid-sdk.pc under %s/lib*/pkgconfig" % self.prefix)
        configs = glob.glob(os.path.join(self.prefix, "lib*", "**", "FalcoApidSDKConfig*.cmake"), recursive=True)
        self.assertEqual(sorted(os.path.basename(c) for c in configs),
                         ["FalcoApidSDKConfig.cmake", "FalcoApidSDKConfigVersion.cmake"])

    def test_pkg_config(self):
        pc = lambda *a: run(["pkg-config"] + list(a) + ["falco-apid-sdk"], "pkg-config " + " ".join(a),
                            env=self.pc_env).strip()
        self.assertEqual(pc("--modversion"), self.version)
        cflags = pc("--cflags")
        incs = [os.path.realpath(f[2:]) for f in cflags.split() if f.startswith("-I")]
        self.assertIn(os.path.realpath(os.path.join(self.prefix, "include")), incs,
                      "Cflags do not point into the install prefix: " + cflags)
        self.assertIn("-lprotobuf-c", pc("--libs").split())
        self.assertTrue(os.path.isfile(os.path.join(pc("--variable=protodir"), "version.proto")))
        header = read(os.path.join(SOURCE_DIR, "include/fapi/module.h"))
        abi = re.search(r"FAPI_ABI_MAJOR (\d+)\s+#define FAPI_ABI_MINOR (\d+)", header)
        self.assertEqual((pc("--variable=abi_major"), pc("--variable=abi_minor")), abi.groups())

    def test_cmake_package_version(self):
        """The version file accepts this release and refuses another major."""
        src = os.path.join(self.tmp, "find-version")
        os.makedirs(src)
        with open(os.path.join(src, "CMakeLists.txt"), "w") as f:
            f.write("cmake_minimum_required(VERSION 3.18)\nproject(probe LANGUAGES C)\n"
                    "find_package(FalcoApidSDK ${WANT} REQUIRED)\n"
                    "message(STATUS \"sdk=${FalcoApidSDK_VERSION} abi=${FalcoApidSDK_ABI_MAJOR}."
                    "${FalcoApidSDK_ABI_MINOR} proto=${FalcoApidSDK_PROTO_DIR}\")\n")
        out = run([CMAKE, "-S", src, "-B", os.path.join(self.tmp, "fv-ok"), "-DCMAKE_PREFIX_PATH=" + self.prefix,
                   "-DWANT=" + self.version], "find_package(FalcoApidSDK %s)" % self.version)
        with open(os.path.join(SOURCE_DIR, "include", "fapi", "module.h")) as f:
            text = f.read()
        abi_now = "%s.%s" % (re.search(r"FAPI_ABI_MAJOR (\d+)", text).group(1),
                             re.search(r"FAPI_ABI_MINOR (\d+)", text).group(1))
        self.assertIn("sdk=%s abi=%s proto=%s" % (self.version, abi_now, os.path.join(self.prefix, "share/falco-apid/proto")),
                      out)
        major = int(self.version.split(".")[0]) + 1
        out = run([CMAKE, "-S", src, "-B", os.path.join(self.tmp, "fv-bad"), "-DCMAKE_PREFIX_PATH=" + self.prefix,
                   "-DWANT=%d.0" % major], "find_package(FalcoApidSDK %d.0)" % major, expect_ok=False)
        self.assertIn("FalcoApidSDK", out)

    def test_installed_protos_generate(self):
        """A module author can run protoc-c on the installed wire contract."""
        protodir = os.path.join(self.prefix, "share", "falco-apid", "proto")
        out = os.path.join(self.tmp, "api-c")
        os.makedirs(out)
        protos = sorted(glob.glob(os.path.join(protodir, "*.proto")))
        run([PROTOC_C, "-I" + protodir, "-I/usr/include", "--c_out=" + out] + protos,
            "protoc-c on the installed .proto files")
        self.assertTrue(os.path.exists(os.path.join(out, "version.pb-c.h")))

    def test_cmake_build_exports_only_the_module(self):
        bdir, so = self.cmake_module()
        self.assertEqual(exported_symbols(so), ["fapi_module_v1"])
        # Built from the prefix, not from the source tree next door.
        cache = read(os.path.join(bdir, "CMakeCache.txt"))
        m = re.search(r"^FalcoApidSDK_DIR:PATH=(.*)$", cache, re.M)
        self.assertTrue(m and m.group(1).startswith(self.prefix), "FalcoApidSDK found outside the prefix: %s" %
                        (m.group(1) if m else "?"))
        commands = json.loads(read(os.path.join(bdir, "compile_commands.json")))
        for c in commands:
            self.assertNotIn(os.path.join(SOURCE_DIR, "include"), c["command"])

    def test_make_build_exports_only_the_module(self):
        _, so = self.make_module()
        self.assertEqual(exported_symbols(so), ["fapi_module_v1"])

    def test_daemon_serves_cmake_module_with_config(self):
        _, so = self.cmake_module()
        self.serve_and_greet("cmake", so, "{greeting: hi}", "hi")

    def test_daemon_serves_make_module_with_default_greeting(self):
        _, so = self.make_module()
        self.serve_and_greet("make", so, None, "hello")

    def test_daemon_refuses_bad_greeting(self):
        """A greeting of the wrong type is a startup error, not a default."""
        _, so = self.cmake_module()
        proc, _, log, args = self.start_daemon("bad", "{name: hello, library_path: %s, config: {greeting: [1, 2]}}"
                                               % so)
        try:
            rc = proc.wait(timeout=30 * SLOW)
        except subprocess.TimeoutExpired:
            self.fail("daemon kept running with a list as greeting:\n" + read(log))
        text = read(log)
        self.assertNotEqual(rc, 0, "daemon started with a list as greeting:\n" + text)
        self.assertRegex(text, r"ERROR .*fapi-hello\.so.*greeting", "the error names neither the module nor the key")


if __name__ == "__main__":
    unittest.main(verbosity=2)
