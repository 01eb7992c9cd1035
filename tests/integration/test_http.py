"""The core's web server (Falco's webserver keys): off by default, /healthz
answered as Falco 0.31 answers it, 404 for an unknown path, 413 past the
body limit on a module route's path, and HTTPS with one PEM file holding
the key and the certificate (Falco's ssl_certificate)."""

import http.client
import os
import re
import ssl
import shutil
import subprocess
import tempfile
import unittest

from fapi_testlib import TEST_MODULE_DIR, DaemonTest

LISTENING = re.compile(r"webserver listening on 127\.0\.0\.1:(\d+) \((https?)\)")


def web_config(**web):
    w = {"enabled": True, "listen_port": 0}
    w.update(web)
    return {"webserver": w}


def web_port(d):
    d.wait_log("webserver listening on ")
    m = LISTENING.search(d.log())
    if not m:
        raise AssertionError("no listening line:\n" + d.log())
    return int(m.group(1))


def get(port, path, method="GET", body=None, tls_ctx=None, headers=None):
    if tls_ctx:
        c = http.client.HTTPSConnection("127.0.0.1", port, timeout=10, context=tls_ctx)
    else:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        return r.status, r.getheader("Content-Type"), r.read()
    finally:
        c.close()


class HttpTest(DaemonTest):
    def test_off_by_default(self):
        d = self.start_daemon()
        self.assertNotIn("webserver listening", d.log())
        self.stop_clean(d)

    def test_healthz_as_falco(self):
        d = self.start_daemon(web_config())
        port = web_port(d)
        status, ctype, body = get(port, "/healthz")
        self.assertEqual(status, 200)
        self.assertEqual(ctype, "application/json")
        self.assertEqual(body, b'{"status": "ok"}')
        status, _, _ = get(port, "/no-such-path")
        self.assertEqual(status, 404)
        status, _, _ = get(port, "/no-such-path", method="POST", body=b"x" * 100000)
        self.assertEqual(status, 404)
        self.stop_clean(d)

    def test_port_in_use_is_a_startup_error(self):
        d = self.start_daemon(web_config())
        port = web_port(d)
        d2 = self.start_daemon(web_config(listen_port=port), expect_ready=False)
        self.assertNotEqual(d2.wait(), 0)
        self.assertIn("webserver", d2.log())
        self.stop_clean(d)

    def test_module_route(self):
        # tests/modules/httptest.c stands in for the inputs module's /k8s-audit
        lib = os.path.join(TEST_MODULE_DIR, "mod_httptest.so")
        if not os.path.exists(lib):
            self.skipTest("test modules not built")
        cfg = web_config()
        cfg["load_modules"] = ["version", "httptest"]
        cfg["modules"] = [{"name": "httptest", "library_path": lib}]
        d = self.start_daemon(cfg)
        port = web_port(d)
        body = b'{"kind": "EventList", "items": []}'
        status, ctype, out = get(port, "/echo?x=1", method="POST", body=body,
                                 headers={"Content-Type": "application/json"})
        self.assertEqual((status, ctype), (201, "text/plain"))
        self.assertEqual(out, b"type=application/json len=%d\n" % len(body) + body)
        # the route's max_body (1000): 413, the handler not called
        status, _, _ = get(port, "/echo", method="POST", body=b"x" * 1001)
        self.assertEqual(status, 413)
        status, _, out = get(port, "/echo", method="POST", body=b"x" * 1000)
        self.assertEqual(status, 201)
        status, _, _ = get(port, "/echo")
        self.assertEqual(status, 405)
        status, _, page = get(port, "/metrics")
        self.assertEqual(status, 200)
        self.assertIn(b'httptest_requests_total{route="/echo \\"quoted\\""} 2\n', page)
        self.stop_clean(d)

    def test_tls(self):
        tmp = tempfile.mkdtemp(prefix="fapi-tls-")
        key, crt, pem = (os.path.join(tmp, n) for n in ("key.pem", "crt.pem", "falco.pem"))
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", crt,
                        "-subj", "/CN=127.0.0.1", "-days", "1"], check=True, capture_output=True, timeout=30)
        with open(pem, "wb") as out:
            for f in (key, crt):
                with open(f, "rb") as src:
                    out.write(src.read())
        d = self.start_daemon(web_config(ssl_enabled=True, ssl_certificate=pem))
        d.wait_log("webserver listening on ")
        m = LISTENING.search(d.log())
        self.assertEqual(m.group(2), "https")
        port = int(m.group(1))
        ctx = ssl.create_default_context(cafile=crt)
        ctx.check_hostname = False
        status, ctype, body = get(port, "/healthz", tls_ctx=ctx)
        self.assertEqual((status, ctype, body), (200, "application/json", b'{"status": "ok"}'))
        # plain HTTP on the TLS port is no answer
        with self.assertRaises(Exception):
            get(port, "/healthz")
        self.stop_clean(d)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    unittest.main(verbosity=2)
