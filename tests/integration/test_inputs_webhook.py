"""The k8s audit webhook of the inputs module (issue 14, item 4), Falco
0.31's contract on the core's web server: an EventList POSTed with Python's
http.client raises the alerts replaying it with -e raises; a wrong content
type and a body that is no audit event answer 400 with Falco's messages;
HTTPS with webserver.ssl_enabled and a test certificate made by openssl.
Needs ../shared/falco-0.31.1 (skips without)."""

import http.client
import json
import os
import shutil
import ssl
import subprocess
import tempfile

from fapi_testlib import SHARED_DIR, DaemonTest
from test_http import LISTENING, web_port
from test_inputs import config, lines, replay_alerts


def post(port, body, ctype="application/json", path="/k8s-audit", tls_ctx=None):
    if tls_ctx:
        c = http.client.HTTPSConnection("127.0.0.1", port, timeout=30, context=tls_ctx)
    else:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        c.request("POST", path, body=body, headers={"Content-Type": ctype} if ctype else {})
        r = c.getresponse()
        return r.status, r.read().decode()
    finally:
        c.close()


def web(extra=None):
    cfg = config()
    w = {"enabled": True, "listen_port": 0}
    w.update(extra or {})
    cfg["webserver"] = w
    return cfg


def event_list(*files):
    items = [json.loads(l) for f in files for l in lines(os.path.join(SHARED_DIR, "k8s_audit", f))]
    return json.dumps({"kind": "EventList", "apiVersion": "audit.k8s.io/v1", "items": items})


FILES = ("exec_pod.json", "create_configmap.json", "create_nginx_pod_privileged_2nd_container.json")


class WebhookTest(DaemonTest):
    def setUp(self):
        super().setUp()
        if not SHARED_DIR or not os.path.isdir(os.path.join(SHARED_DIR, "k8s_audit")):
            self.skipTest("shared Falco 0.31.1 data not found at %r" % SHARED_DIR)

    def test_event_list_raises_the_alerts_of_replay(self):
        want = [l for f in FILES for l in replay_alerts(os.path.join(SHARED_DIR, "k8s_audit", f))]
        self.assertEqual(len(want), 3)
        d = self.start_daemon(web(), args=["-o", "stdout_output.enabled=true"])
        port = web_port(d)
        self.assertEqual(post(port, event_list(*FILES), ctype="application/json; charset=utf-8"),
                         (200, "<html><body>Ok</body></html>"))
        self.stop_clean(d)
        self.assertEqual([l for l in d.stdout().splitlines() if l in want], want)

    def test_wrong_content_type_and_bad_json_are_400(self):
        d = self.start_daemon(web({"k8s_audit_endpoint": "/audit"}))
        port = web_port(d)
        body = event_list("exec_pod.json")
        self.assertEqual(post(port, body, ctype="text/plain", path="/audit"), (400, "Wrong Content Type"))
        self.assertEqual(post(port, body, ctype=None, path="/audit"), (400, "Wrong Content Type"))
        status, text = post(port, "{not json", path="/audit")
        self.assertEqual(status, 400)
        self.assertTrue(text.startswith("Bad Request: Could not parse data"), text)
        self.assertEqual(post(port, '{"kind":"Pod"}', path="/audit"),
                         (400, "Bad Request: Data not recognized as a k8s audit event"))
        self.assertEqual(post(port, body, path="/k8s-audit")[0], 404)
        self.assertEqual(post(port, body, path="/audit")[0], 200)

    def test_https(self):
        tmp = tempfile.mkdtemp(prefix="fapi-hook-tls-")
        self.addCleanup(shutil.rmtree, tmp, True)
        key, crt, pem = (os.path.join(tmp, n) for n in ("key.pem", "crt.pem", "falco.pem"))
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", crt,
                        "-subj", "/CN=127.0.0.1", "-days", "1"], check=True, capture_output=True, timeout=30)
        with open(pem, "wb") as out:
            for f in (key, crt):
                with open(f, "rb") as src:
                    out.write(src.read())
        d = self.start_daemon(web({"ssl_enabled": True, "ssl_certificate": pem}),
                              args=["-o", "stdout_output.enabled=true"])
        d.wait_log("webserver listening on ")
        m = LISTENING.search(d.log())
        self.assertEqual(m.group(2), "https")
        ctx = ssl.create_default_context(cafile=crt)
        ctx.check_hostname = False
        self.assertEqual(post(int(m.group(1)), event_list("exec_pod.json"), tls_ctx=ctx)[0], 200)
        self.stop_clean(d)
        self.assertIn("Attach/Exec to pod", d.stdout())

    def test_metrics_count_the_webhook_events(self):
        # The inputs module's collector on /metrics (issue 13 item 4,
        # "inputs counters"): exact counts of what was posted. An EventList
        # is one event as the inputs API counts them (one JSON text).
        d = self.start_daemon(web())
        port = web_port(d)
        body = event_list(*FILES)
        self.assertEqual(post(port, body)[0], 200)
        self.assertEqual(post(port, '{"kind":"Pod"}')[0], 400)
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            c.request("GET", "/metrics")
            page = c.getresponse().read().decode()
        finally:
            c.close()
        samples = {}
        for line in page.splitlines():
            if line.startswith("falcosecurity_apid_inputs_"):
                name, value = line.rsplit(" ", 1)
                samples[name] = value
        self.assertEqual(samples.get('falcosecurity_apid_inputs_requests_total{path="webhook"}'), "2", page)
        self.assertEqual(samples.get('falcosecurity_apid_inputs_events_accepted_total{path="webhook"}'), "1")
        self.assertEqual(samples.get('falcosecurity_apid_inputs_events_rejected_total{path="webhook"}'), "1")
        self.assertEqual(samples.get('falcosecurity_apid_inputs_requests_total{path="grpc"}'), "0")
        self.assertEqual(samples.get("falcosecurity_apid_inputs_queued_events"), "0")
        self.assertEqual(samples.get("falcosecurity_apid_inputs_streams"), "0")
        self.stop_clean(d)
