"""Starting the real falco-apid for integration tests, and gRPC helpers."""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

# The module ABI as include/fapi/module.h says: what this tree's host and
# modules report.
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "include", "fapi",
                       "module.h")) as _h:
    ABI_MINOR = int(re.search(r"#define FAPI_ABI_MINOR (\d+)", _h.read()).group(1))

BIN = os.environ.get("FAPI_BIN", "")
PY_PROTO = os.environ.get("FAPI_PY_PROTO", "")
TEST_MODULE_DIR = os.environ.get("FAPI_TEST_MODULE_DIR", "")
SHARED_DIR = os.environ.get("FAPI_SHARED_DIR", "")
BUILD_DIR = os.environ.get("FAPI_BUILD_DIR", "")
HERE = os.path.dirname(os.path.abspath(__file__))
# What every daemon gets unless a test says otherwise: as in Falco, a daemon
# needs a rules file and an event source. These give it both without
# producing a single alert: a rules file without rules, and one pass over a
# generated capture (the machine has no kernel driver).
EMPTY_RULES = os.path.normpath(os.path.join(HERE, "..", "fixtures", "rules", "empty.yaml"))
QUIET_CAPTURE = os.path.join(BUILD_DIR, "captures", "basic.scap")
if PY_PROTO:
    sys.path.insert(0, PY_PROTO)

import grpc  # noqa: E402

# Sanitizer builds are several times slower: every wait scales with this.
SLOW = 4 if "asan" in BIN else 1


def yaml_value(v):
    """JSON is valid YAML flow syntax, which is all these configs need."""
    return json.dumps(v)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Daemon:
    """One falco-apid process with its own directory, config and log."""

    def __init__(self, config=None, args=(), workdir=None):
        self.dir = workdir or tempfile.mkdtemp(prefix="fapi-it-")
        self.own_dir = workdir is None
        self.socket = os.path.join(self.dir, "run", "falco.sock")
        cfg = {
            "grpc": {"bind_address": "unix://" + self.socket, "threadiness": 2},
            "load_modules": ["version"],
            "rules_file": [EMPTY_RULES],
            "engine": {"capture": {"file": QUIET_CAPTURE, "loop": 1}},
        }
        for k, v in (config or {}).items():
            if isinstance(v, dict) and isinstance(cfg.get(k), dict):
                cfg[k].update(v)
            else:
                cfg[k] = v
        self.config_path = os.path.join(self.dir, "falco.yaml")
        with open(self.config_path, "w") as f:
            for k, v in cfg.items():
                f.write("%s: %s\n" % (k, yaml_value(v)))
        self.args = list(args)
        self.proc = None
        self.log_path = os.path.join(self.dir, "daemon.log")
        self.stdout_path = os.path.join(self.dir, "stdout.log")

    @property
    def target(self):
        return "unix://" + self.socket

    def start(self, expect_ready=True, timeout=20):
        self.logf = open(self.log_path, "w")
        self.outf = open(self.stdout_path, "w")
        self.proc = subprocess.Popen([BIN, "-c", self.config_path] + self.args,
                                     stdout=self.outf, stderr=self.logf, stdin=subprocess.DEVNULL)
        if not expect_ready:
            return self
        deadline = time.time() + timeout * SLOW
        while time.time() < deadline:
            if "ready" in self.log():
                return self
            if self.proc.poll() is not None:
                raise AssertionError("daemon exited with %d during startup:\n%s" % (self.proc.returncode, self.log()))
            time.sleep(0.02)
        raise AssertionError("daemon not ready after %ss:\n%s" % (timeout, self.log()))

    def log(self):
        with open(self.log_path) as f:
            return f.read()

    def stdout(self):
        with open(self.stdout_path) as f:
            return f.read()

    def wait_log(self, text, timeout=10):
        deadline = time.time() + timeout * SLOW
        while time.time() < deadline:
            if text in self.log():
                return True
            time.sleep(0.02)
        raise AssertionError("%r never appeared in the log:\n%s" % (text, self.log()))

    def wait(self, timeout=30):
        try:
            self.proc.wait(timeout=timeout * SLOW)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("daemon did not exit:\n" + self.log())
        self.logf.close()
        self.outf.close()
        return self.proc.returncode

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
        return self.wait(timeout)

    def cleanup(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        for f in (getattr(self, "logf", None), getattr(self, "outf", None)):
            if f:
                f.close()
        if self.own_dir:
            shutil.rmtree(self.dir, ignore_errors=True)


class DaemonTest(unittest.TestCase):
    """Base class: self.start_daemon() and automatic cleanup; a daemon left
    running is stopped with SIGTERM and must exit 0 without reporting
    leaked calls."""

    def setUp(self):
        if not BIN or not os.path.exists(BIN):
            self.skipTest("FAPI_BIN not set: run through ctest")
        self.daemons = []

    def start_daemon(self, config=None, args=(), expect_ready=True, **kw):
        d = Daemon(config, args, **kw)
        self.daemons.append(d)
        return d.start(expect_ready=expect_ready)

    def stop_clean(self, d):
        rc = d.stop()
        log = d.log()
        self.assertEqual(rc, 0, "daemon exit code %d:\n%s" % (rc, log))
        self.assertNotIn("never released", log)
        self.assertNotIn(" ERROR [", log)
        return log

    def tearDown(self):
        for d in getattr(self, "daemons", []):
            if d.proc and d.proc.poll() is None:
                try:
                    self.stop_clean(d)
                finally:
                    d.cleanup()
            else:
                d.cleanup()


def unary(channel, path, req_cls, resp_cls):
    return channel.unary_unary(path, request_serializer=req_cls.SerializeToString,
                               response_deserializer=resp_cls.FromString)


def server_stream(channel, path, req_cls, resp_cls):
    return channel.unary_stream(path, request_serializer=req_cls.SerializeToString,
                                response_deserializer=resp_cls.FromString)


def bidi(channel, path, req_cls, resp_cls):
    return channel.stream_stream(path, request_serializer=req_cls.SerializeToString,
                                 response_deserializer=resp_cls.FromString)


def raw_unary(channel, path):
    return channel.unary_unary(path, request_serializer=lambda b: b, response_deserializer=lambda b: b)
