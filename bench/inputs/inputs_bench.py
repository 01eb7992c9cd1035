"""bench-inputs: k8s audit events/s through the inputs module, to alerts on
an outputs stream, and the delay from send to alert (see bench/README.md,
"inputs").

usage: inputs_bench.py DAEMON FAPICTL PY_PROTO_DIR SHARED_DIR
environment: RUNS [3] N1 [5000] N100 [50000] PACED [3000]

Every event is exec_pod.json's audit event, which fires "Attach/Exec Pod":
one alert per event, so the run ends when the N-th alert reaches the
outputs stream. Paths:
  grpc b=1, b=100   fapictl inputs send --batch B (the C client) over the
                    unix socket;
  http b=1, b=100   Python http.client, one keep-alive connection, one Event
                    per POST or EventLists of 100 (as Falco's figure was taken);
  paced             1,000 events/s, one per request (gRPC: Python grpcio
                    bidi; http: one per POST): p50/p99 of alert arrival on the
                    outputs stream minus the send time."""

import http.client
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

daemon, fapictl, py_proto, shared = sys.argv[1:5]
sys.path.insert(0, py_proto)
import grpc  # noqa: E402
import inputs_pb2 as inputs  # noqa: E402

RUNS = int(os.environ.get("RUNS", "3"))
N1 = int(os.environ.get("N1", "5000"))
N100 = int(os.environ.get("N100", "50000"))
PACED = int(os.environ.get("PACED", "3000"))
EVENT = open(os.path.join(shared, "k8s_audit", "exec_pod.json")).readline().strip()


class Alerts:
    """Times the alerts of one outputs stream as they arrive: `fapictl
    outputs watch` (C) holds the stream and prints a line per alert, read
    by a thread here (reading a line is far cheaper in Python than decoding
    a gRPC message, so the reader is not the bottleneck)."""

    def __init__(self, target):
        self.proc = subprocess.Popen([fapictl, "outputs", "watch", "--target", target, "--source", "k8s_audit",
                                      "--no-fields"], stdout=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                     bufsize=1 << 16)
        self.times = []
        self.cv = threading.Condition()
        threading.Thread(target=self.run, daemon=True).start()
        time.sleep(0.5)

    def run(self):
        for line in self.proc.stdout:
            now = time.monotonic()
            with self.cv:
                self.times.append(now)
                self.cv.notify_all()

    def mark(self):
        with self.cv:
            return len(self.times)

    def wait(self, n, timeout=300):
        with self.cv:
            self.cv.wait_for(lambda: len(self.times) >= n, timeout)
            return self.times[n - 1] if len(self.times) >= n else None

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


def start(tmp):
    sock = os.path.join(tmp, "falco.sock")
    cfg = os.path.join(tmp, "falco.yaml")
    with open(cfg, "w") as f:
        f.write('grpc: {"bind_address": "unix://%s", "threadiness": 2}\n' % sock)
        f.write('load_modules: ["version", "outputs", "inputs"]\n')
        f.write('rules_file: ["%s"]\n' % os.path.join(shared, "rules", "k8s_audit_rules.yaml"))
        f.write('stdout_output: {"enabled": false}\n')
        f.write('webserver: {"enabled": true, "listen_port": 0}\n')
        f.write('modules: [{"name": "outputs", "config": {"queue_capacity": 1000000}}]\n')
    log = open(os.path.join(tmp, "daemon.log"), "w+")
    p = subprocess.Popen([daemon, "-c", cfg], stdout=subprocess.DEVNULL, stderr=log, stdin=subprocess.DEVNULL)
    for _ in range(500):
        log.seek(0)
        text = log.read()
        m = re.search(r"webserver listening on 127\.0\.0\.1:(\d+)", text)
        if "ready" in text and m:
            return p, "unix://" + sock, int(m.group(1))
        time.sleep(0.02)
    p.kill()
    raise SystemExit("daemon not ready:\n" + text)


def grpc_rate(target, alerts, n, batch, tmp):
    path = os.path.join(tmp, "events.jsonl")
    with open(path, "w") as f:
        f.write((EVENT + "\n") * n)
    base = alerts.mark()
    t0 = time.monotonic()
    subprocess.run([fapictl, "inputs", "send", "--target", target, "--batch", str(batch), path],
                   stdout=subprocess.DEVNULL, check=True)
    t1 = alerts.wait(base + n)
    return n / (t1 - t0) if t1 else 0.0


def http_rate(port, alerts, n, batch):
    ev = json.loads(EVENT)
    body = EVENT if batch == 1 else json.dumps({"kind": "EventList", "items": [ev] * batch})
    c = http.client.HTTPConnection("127.0.0.1", port)
    base = alerts.mark()
    t0 = time.monotonic()
    for _ in range(n // batch):
        c.request("POST", "/k8s-audit", body=body, headers={"Content-Type": "application/json"})
        r = c.getresponse()
        r.read()
        assert r.status == 200, r.status
    t1 = alerts.wait(base + n)
    c.close()
    return n / (t1 - t0) if t1 else 0.0


def pace(t0, i):
    """Sleeps until event i of a 1,000 events/s run that began at t0; the send time."""
    due = t0 + i / 1000.0
    now = time.monotonic()
    if due > now:
        time.sleep(due - now)
    return time.monotonic()


def percentiles(delays):
    d = sorted(delays)
    return d[len(d) // 2] * 1e3, d[int(len(d) * 0.99)] * 1e3


def paced_grpc(target, alerts, n):
    sent = []

    def gen():
        t0 = time.monotonic()
        for i in range(n):
            sent.append(pace(t0, i))
            yield inputs.request(id=str(i), events=[EVENT])

    base = alerts.mark()
    with grpc.insecure_channel(target) as ch:
        call = ch.stream_stream("/falco.api.bidirectional/inputs", request_serializer=inputs.request.SerializeToString,
                                response_deserializer=inputs.response.FromString)
        for _ in call(gen()):
            pass
    alerts.wait(base + n)
    return percentiles([alerts.times[base + i] - sent[i] for i in range(n)])


def paced_http(port, alerts, n):
    c = http.client.HTTPConnection("127.0.0.1", port)
    sent = []
    base = alerts.mark()
    t0 = time.monotonic()
    for i in range(n):
        sent.append(pace(t0, i))
        c.request("POST", "/k8s-audit", body=EVENT, headers={"Content-Type": "application/json"})
        c.getresponse().read()
    alerts.wait(base + n)
    c.close()
    return percentiles([alerts.times[base + i] - sent[i] for i in range(n)])


def main():
    tmp = tempfile.mkdtemp(prefix="bench-inputs-")
    p, target, port = start(tmp)
    try:
        alerts = Alerts(target)
        res = {k: [] for k in ("grpc b=1", "grpc b=100", "http b=1", "http b=100")}
        lat = {"paced grpc": [], "paced http": []}
        for run in range(RUNS):
            res["grpc b=1"].append(grpc_rate(target, alerts, N1, 1, tmp))
            res["grpc b=100"].append(grpc_rate(target, alerts, N100, 100, tmp))
            res["http b=1"].append(http_rate(port, alerts, N1, 1))
            res["http b=100"].append(http_rate(port, alerts, N100, 100))
            lat["paced grpc"].append(paced_grpc(target, alerts, PACED))
            lat["paced http"].append(paced_http(port, alerts, PACED))
            print("run %d: " % (run + 1) + " ".join("%s=%.0f" % (k, v[-1]) for k, v in res.items()) + " " +
                  " ".join("%s p50=%.2fms p99=%.2fms" % (k, v[-1][0], v[-1][1]) for k, v in lat.items()),
                  flush=True)
        for k, v in res.items():
            print("%-11s events/s median %.0f (min %.0f, max %.0f) over %d runs" %
                  (k, statistics.median(v), min(v), max(v), RUNS))
        for k, v in lat.items():
            p99 = [x[1] for x in v]
            print("%-11s p99 median %.2f ms (min %.2f, max %.2f); p50 median %.2f ms" %
                  (k, statistics.median(p99), min(p99), max(p99), statistics.median([x[0] for x in v])))
        alerts.stop()
        print("alerts seen on the outputs stream: %d" % len(alerts.times))
        print("load average: %s" % open("/proc/loadavg").read().strip())
    finally:
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=30)


main()
