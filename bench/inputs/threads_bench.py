"""bench-inputs-threads: does evaluating input events slow the syscall source,
and the other way round (issue 14 item 5; bench/README.md, "inputs: the two
evaluating threads").

usage: threads_bench.py DAEMON FAPICTL CAPTURE SHARED_DIR
environment: RUNS [5] WINDOW [3.0] (seconds measured per phase)

Two daemons of the build tree, kept up for all runs, with
falco_rules.yaml + k8s_audit_rules.yaml and the version, outputs and inputs
modules, stdout off, the web server on (/metrics):
  S  replays CAPTURE in a loop forever at full speed (engine.capture.*);
  I  has no event source (its engine thread idles).
Per run, three phases, each a WINDOW of /metrics deltas:
  syscall alone     S, nothing sent;
  syscall + inputs  S, while `fapictl inputs send --batch 100` floods it
                    with exec_pod.json (one "Attach/Exec Pod" alert each);
  inputs alone      I, the same flood.
Syscall events = engine events - Attach/Exec Pod matches (every input event
matches it); input events = those matches. Per phase also each thread's CPU
time per event and the engine thread's blocked share of the window (neither
on a CPU nor runnable; /proc/PID/task/*/schedstat, threads "engine" and
"inputs"), which separate waiting for a lock from CPU share (2 shared
cores: a runnable thread waiting for a core is not blocked)."""

import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

daemon, fapictl, capture, shared = sys.argv[1:5]
RUNS = int(os.environ.get("RUNS", "5"))
WINDOW = float(os.environ.get("WINDOW", "3.0"))
EVENT = open(os.path.join(shared, "k8s_audit", "exec_pod.json")).readline().strip()
TICK = os.sysconf("SC_CLK_TCK")


def start(tmp, name, with_capture):
    d = os.path.join(tmp, name)
    os.mkdir(d)
    sock = os.path.join(d, "falco.sock")
    cfg = os.path.join(d, "falco.yaml")
    with open(cfg, "w") as f:
        f.write('grpc: {"bind_address": "unix://%s", "threadiness": 2}\n' % sock)
        f.write('load_modules: ["version", "outputs", "inputs"]\n')
        f.write('rules_file: ["%s", "%s"]\n' % (os.path.join(shared, "rules", "falco_rules.yaml"),
                                                  os.path.join(shared, "rules", "k8s_audit_rules.yaml")))
        f.write('stdout_output: {"enabled": false}\n')
        f.write('webserver: {"enabled": true, "listen_port": 0}\n')
        if with_capture:
            f.write('engine: {"capture": {"file": "%s", "loop": 0}}\n' % capture)
        else:
            f.write('engine: {"live": {"enabled": false}}\n')
    log = open(os.path.join(d, "daemon.log"), "w+")
    p = subprocess.Popen([daemon, "-c", cfg], stdout=subprocess.DEVNULL, stderr=log, stdin=subprocess.DEVNULL)
    for _ in range(1000):
        log.seek(0)
        text = log.read()
        m = re.search(r"webserver listening on 127\.0\.0\.1:(\d+)", text)
        if "ready" in text and m:
            return p, "unix://" + sock, int(m.group(1))
        if p.poll() is not None:
            break
        time.sleep(0.02)
    p.kill()
    raise SystemExit("daemon not ready:\n" + text)


def metrics(port):
    body = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=10).read().decode()
    ev = re.search(r"^falcosecurity_apid_engine_events_total(?:\{[^}]*\})? (\d+)", body, re.M)
    k = 0
    for m in re.finditer(r'^falcosecurity_falco_rules_matches_total\{[^}]*rule_name="Attach/Exec Pod"[^}]*\} (\d+)',
                         body, re.M):
        k += int(m.group(1))
    return int(ev.group(1)) if ev else 0, k


def thread_cpu(pid):
    """Per thread name: (seconds on a CPU, seconds runnable waiting for one),
    from /proc/PID/task/TID/schedstat (ns; finer than stat's ticks). The
    rest of the wall time the thread slept: blocked on a lock or for work."""
    out = {}
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            name = open("/proc/%d/task/%s/comm" % (pid, tid)).read().strip()
            run, wait = open("/proc/%d/task/%s/schedstat" % (pid, tid)).read().split()[:2]
        except OSError:
            continue
        r, w = out.get(name, (0.0, 0.0))
        out[name] = (r + int(run) / 1e9, w + int(wait) / 1e9)
    return out


class Flood:
    """`fapictl inputs send --batch 100` in a loop until stopped."""

    def __init__(self, target, path):
        self.target, self.path = target, path
        self.stop = threading.Event()
        self.proc = None
        self.t = threading.Thread(target=self.run, daemon=True)
        self.t.start()

    def run(self):
        while not self.stop.is_set():
            self.proc = subprocess.Popen([fapictl, "inputs", "send", "--target", self.target, "--batch", "100",
                                          self.path], stdout=subprocess.DEVNULL)
            self.proc.wait()

    def end(self):
        self.stop.set()
        self.t.join(timeout=120)


def phase(p, port, target, flood_path):
    fl = Flood(target, flood_path) if flood_path else None
    if fl:
        time.sleep(0.7)
    e0, k0 = metrics(port)
    c0 = thread_cpu(p.pid)
    t0 = time.monotonic()
    time.sleep(WINDOW)
    e1, k1 = metrics(port)
    c1 = thread_cpu(p.pid)
    t1 = time.monotonic()
    if fl:
        fl.end()
    dt = t1 - t0
    kin = k1 - k0
    sys_ev = (e1 - e0) - kin
    z = (0.0, 0.0)
    ecpu = c1.get("engine", z)[0] - c0.get("engine", z)[0]
    ewait = c1.get("engine", z)[1] - c0.get("engine", z)[1]
    icpu = c1.get("inputs", z)[0] - c0.get("inputs", z)[0]
    return {"sys/s": sys_ev / dt, "in/s": kin / dt,
            "eng_us/ev": ecpu / sys_ev * 1e6 if sys_ev > 0 else 0.0,
            "in_us/ev": icpu / kin * 1e6 if kin > 0 else 0.0,
            "eng_cpu%": ecpu / dt * 100, "in_cpu%": icpu / dt * 100,
            # The engine thread neither running nor runnable: asleep, which
            # at full replay speed is waiting for the evaluation lock.
            "eng_blocked%": max(0.0, (dt - ecpu - ewait) / dt * 100) if sys_ev > 1000 else 0.0}


def main():
    tmp = tempfile.mkdtemp(prefix="bench-threads-")
    path = os.path.join(tmp, "events.jsonl")
    with open(path, "w") as f:
        f.write((EVENT + "\n") * 20000)
    ps, ts, portS = start(tmp, "s", True)
    pi, ti, portI = start(tmp, "i", False)
    res = {"syscall alone": [], "syscall + inputs": [], "inputs alone": []}
    try:
        time.sleep(1.0)
        for run in range(RUNS):
            load = open("/proc/loadavg").read().split()[:3]
            order = [("syscall alone", ps, portS, ts, None), ("syscall + inputs", ps, portS, ts, path),
                     ("inputs alone", pi, portI, ti, path)]
            if run % 2:
                order.reverse()
            for name, p, port, target, fp in order:
                r = phase(p, port, target, fp)
                res[name].append(r)
                print("run %d %-16s " % (run + 1, name) + " ".join("%s=%.1f" % kv for kv in r.items()) +
                      " load=%s" % ",".join(load), flush=True)
        for name, rs in res.items():
            line = []
            for key in ("sys/s", "eng_us/ev", "eng_blocked%", "in/s", "in_us/ev", "eng_cpu%", "in_cpu%"):
                v = [r[key] for r in rs]
                if max(v) > 0:
                    line.append("%s %.1f (%.1f-%.1f)" % (key, statistics.median(v), min(v), max(v)))
            print("median %-16s %s over %d runs" % (name, ", ".join(line), RUNS))
    finally:
        for p in (ps, pi):
            p.send_signal(signal.SIGTERM)
        for p in (ps, pi):
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()


if __name__ == "__main__":
    main()
