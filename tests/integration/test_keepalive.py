"""Keepalive: a grpc-js client pinging every 10 s (keepalive_time_ms 10000,
permit without calls, the settings users copy from gRPC's docs) keeps a
quiet subscription open. With gRPC's default server policy (pings at most
every 5 minutes without data, 2 strikes) it was closed with "too many
pings" after about 40 s.

grpc-js comes from npm, installed into the build tree at test time (once);
without node, npm or the registry the test skips and says why. It takes a
minute: the only slow test of its kind."""

import os
import shutil
import subprocess
import unittest

from fapi_testlib import BUILD_DIR, DaemonTest

HERE = os.path.dirname(os.path.abspath(__file__))
CLIENT = os.path.join(HERE, "keepalive_client.js")
NODE_DIR = os.path.join(BUILD_DIR, "node-grpc-js")
GRPC_JS = os.path.join(NODE_DIR, "node_modules", "@grpc", "grpc-js")
QUIET_S = 60


def grpc_js():
    """The installed @grpc/grpc-js, or (None, why not)."""
    if not shutil.which("node") or not shutil.which("npm"):
        return None, "node or npm not installed (Debian packages nodejs, npm)"
    if os.path.exists(os.path.join(GRPC_JS, "package.json")):
        return GRPC_JS, ""
    os.makedirs(NODE_DIR, exist_ok=True)
    try:
        p = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error", "--prefix", NODE_DIR,
                            "@grpc/grpc-js@1"], capture_output=True, text=True, timeout=300)
    except subprocess.TimeoutExpired:
        return None, "npm install @grpc/grpc-js timed out (offline?)"
    if p.returncode != 0 or not os.path.exists(os.path.join(GRPC_JS, "package.json")):
        return None, "npm install @grpc/grpc-js failed (offline?): " + (p.stderr or p.stdout)[-300:]
    return GRPC_JS, ""


class KeepaliveTest(DaemonTest):
    def test_grpc_js_keepalive_keeps_a_quiet_subscription_open(self):
        lib, why = grpc_js()
        if not lib:
            self.skipTest(why)
        d = self.start_daemon(config={"load_modules": ["version", "outputs"]})
        env = dict(os.environ, GRPC_TRACE="keepalive", GRPC_VERBOSITY="DEBUG", NODE_DEBUG="")
        p = subprocess.run(["node", CLIENT, lib, d.target, str(QUIET_S)], capture_output=True, text=True,
                           timeout=QUIET_S + 60, env=env)
        out = p.stdout.splitlines()
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr[-3000:])
        self.assertEqual(out[0], "open", p.stdout)
        self.assertEqual(out[-1], "alive 0", p.stdout)
        # the client really pinged, about every 10 s, all along
        pings = p.stderr.count("Sending ping")
        self.assertGreaterEqual(pings, QUIET_S // 10 - 1, p.stderr[-3000:])
        self.assertNotIn("too_many_pings", p.stderr)


if __name__ == "__main__":
    unittest.main()
