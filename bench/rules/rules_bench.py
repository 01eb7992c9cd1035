#!/usr/bin/python3
"""rules_bench: the rules module under load (see bench/README.md, "rules").

usage: rules_bench.py DAEMON UNARY_BENCH PY_PROTO_DIR RULES.yaml CAPTURE [--runs N] [--puts P] [--loops L]

Per run, a fresh daemon with a state directory of its own, the rules and
outputs modules, a config rules file holding one marker rule, and CAPTURE
replayed L times at full speed (engine.capture.rate 0, stdout output off):

1. `put`: P calls of rules_put, one after the other, each replacing one API
   file with RULES.yaml (about 70 rules for falco_rules.yaml) plus a comment
   that changes its sha256; each timed from the call to its reply, which
   comes once the new set evaluates events (swapped in between two events)
   and is on disk (blobs and manifest fsync'd). The first put brings
   rules the running set (the marker alone) does not have, so it compiles
   them all; the later ones share the running set's unchanged checks and
   formatters: `first` and `p99_after_first` show both. The replay must still be
   running at the last reply (else the run says so).
2. `events`: once the replay ended, the marker rule's match count (kept
   across swaps: its name and condition never change) against L times the
   count one batch pass over CAPTURE gives (falco-apid -r MARKER -e CAPTURE):
   the difference is events lost or evaluated twice across the swaps.
3. `list`: unary_bench keeping 16 rules_list calls outstanding for 3 s
   (a listing of the whole set: ~70 rules and their files).

The daemon logs how long each put spent applying (load, compile, swap)
and persisting (blobs, manifest, fsyncs); their medians are printed too.

Prints one line per run and the median, min and max over the runs.
Exit status 0 when every run succeeded and no event was lost or doubled."""

import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time

MARKER = """\
- rule: bench_marker
  desc: every openat exit (counts the events each set evaluates)
  condition: evt.type = openat and evt.dir = <
  output: "marker %evt.num"
  priority: DEBUG
"""


def die(msg):
    sys.stderr.write("rules_bench: %s\n" % msg)
    sys.exit(1)


def parse_args(argv):
    if len(argv) < 6:
        die(__doc__.split("\n\n")[1])
    opts = {"runs": 3, "puts": 50, "loops": 120}
    pos = []
    i = 1
    while i < len(argv):
        a = argv[i]
        if a.startswith("--") and a[2:] in opts and i + 1 < len(argv):
            opts[a[2:]] = int(argv[i + 1])
            i += 2
        else:
            pos.append(a)
            i += 1
    if len(pos) != 5:
        die("five positional arguments expected")
    return pos, opts


def percentile(v, p):
    s = sorted(v)
    return s[min(len(s) - 1, int(round(p / 100.0 * (len(s) - 1))))]


def batch_count(daemon, marker, capture):
    p = subprocess.run([daemon, "-r", marker, "-e", capture, "-o", "stdout_output.enabled=false"],
                       capture_output=True, text=True, timeout=600)
    m = re.search(r"bench_marker: (\d+)", p.stdout)
    if p.returncode != 0 or not m:
        die("batch pass failed (%d): %s" % (p.returncode, p.stderr[-500:]))
    return int(m.group(1))


def one_run(daemon, unary_bench, rules_text, capture, per_pass, opts, rules_pb2, grpc):
    tmp = tempfile.mkdtemp(prefix="bench-rules-")
    marker = os.path.join(tmp, "marker.yaml")
    with open(marker, "w") as f:
        f.write(MARKER)
    sock = os.path.join(tmp, "falco.sock")
    cfg = os.path.join(tmp, "falco.yaml")
    with open(cfg, "w") as f:
        f.write('grpc: {bind_address: "unix://%s", threadiness: 2}\n' % sock)
        f.write("load_modules: [version, outputs, rules]\n")
        f.write('modules: [{name: rules, config: {state_dir: "%s/state"}}]\n' % tmp)
        f.write('rules_file: ["%s"]\n' % marker)
        f.write('stdout_output: {enabled: false}\n')
        f.write('engine: {capture: {file: "%s", loop: %d, rate: 0}}\n' % (capture, opts["loops"]))
    log = open(os.path.join(tmp, "daemon.log"), "w")
    proc = subprocess.Popen([daemon, "-c", cfg], stdout=subprocess.DEVNULL, stderr=log)
    try:
        deadline = time.time() + 60
        while "ready" not in open(log.name).read():
            if proc.poll() is not None or time.time() > deadline:
                die("daemon did not start: " + open(log.name).read()[-2000:])
            time.sleep(0.02)
        ch = grpc.insecure_channel("unix://" + sock)
        put = ch.unary_unary("/falco.api.unary/rules_put", request_serializer=rules_pb2.put_request.SerializeToString,
                             response_deserializer=rules_pb2.write_response.FromString)
        lst = ch.unary_unary("/falco.api.unary/rules_list",
                             request_serializer=rules_pb2.list_request.SerializeToString,
                             response_deserializer=rules_pb2.list_response.FromString)

        def marker_matches():
            r = lst(rules_pb2.list_request(names=["bench_marker"]), timeout=30)
            return r.rules[0].matches

        lat = []
        for i in range(opts["puts"]):
            text = rules_text + "\n# bench put %d\n" % i
            t0 = time.perf_counter()
            put(rules_pb2.put_request(files=[rules_pb2.api_file(name="falco_rules.yaml", content=text)]),
                timeout=120)
            lat.append((time.perf_counter() - t0) * 1000.0)
        expected = per_pass * opts["loops"]
        during = marker_matches() < expected
        # The replay's end: the count stops moving.
        prev, still = -1, 0
        while still < 10:
            n = marker_matches()
            still = still + 1 if n == prev else 0
            prev = n
            time.sleep(0.1)
        diff = prev - expected
        b = subprocess.run([unary_bench, "--target", "unix://" + sock, "--method", "/falco.api.unary/rules_list",
                            "--concurrency", "16", "--duration", "3", "--warmup", "0.5"],
                           capture_output=True, text=True, timeout=120)
        m = re.search(r"calls/s=(\d+)", b.stdout)
        if b.returncode != 0 or not m:
            die("unary_bench failed: %s %s" % (b.stdout, b.stderr))
        ch.close()
        proc.send_signal(signal.SIGTERM)
        rc = proc.wait(60)
        if rc != 0:
            die("daemon exited %d: %s" % (rc, open(log.name).read()[-2000:]))
        split = [(float(a), float(b)) for a, b in
                 re.findall(r"rules_put: revision \d+ \(applied in ([\d.]+) ms, persisted in ([\d.]+) ms\)",
                            open(log.name).read())]
        return {"apply": statistics.median(a for a, _ in split) if split else float("nan"),
                "persist": statistics.median(b for _, b in split) if split else float("nan"),
                "p50": percentile(lat, 50), "p99": percentile(lat, 99), "max": max(lat), "first": lat[0],
                "rest_p99": percentile(lat[1:], 99) if len(lat) > 1 else float("nan"), "during": during,
                "diff": diff, "events": prev, "list": int(m.group(1))}
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()
        subprocess.run(["rm", "-rf", tmp])


def main():
    (daemon, unary_bench, proto, rules_path, capture), opts = parse_args(sys.argv)
    sys.path.insert(0, proto)
    import grpc
    import rules_pb2
    with open(rules_path) as f:
        rules_text = f.read()
    tmp = tempfile.mkdtemp(prefix="bench-rules-marker-")
    marker = os.path.join(tmp, "marker.yaml")
    with open(marker, "w") as f:
        f.write(MARKER)
    per_pass = batch_count(daemon, marker, capture)
    subprocess.run(["rm", "-rf", tmp])
    print("rules_bench rules=%s (%d rules) capture=%s loops=%d puts=%d marker/pass=%d" % (
        rules_path, rules_text.count("\n- rule:") + rules_text.startswith("- rule:"), capture, opts["loops"],
        opts["puts"], per_pass))
    results = []
    ok = True
    for run in range(opts["runs"]):
        r = one_run(daemon, unary_bench, rules_text, capture, per_pass, opts, rules_pb2, grpc)
        results.append(r)
        print("run %d: put p50=%.1f ms p99=%.1f ms max=%.1f ms first=%.1f ms p99_after_first=%.1f ms "
              "(median apply %.1f ms, persist %.1f ms) "
              "replaying_at_last_put=%s marker=%d lost_or_doubled=%d list=%d calls/s" % (
                  run + 1, r["p50"], r["p99"], r["max"], r["first"], r["rest_p99"], r["apply"], r["persist"],
                  "yes" if r["during"] else "NO",
                  r["events"], r["diff"], r["list"]))
        ok = ok and r["diff"] == 0
    for key, unit in (("p50", "ms"), ("p99", "ms"), ("list", "calls/s")):
        v = [r[key] for r in results]
        print("%s: median %.1f %s [min %.1f, max %.1f]" % (key, statistics.median(v), unit, min(v), max(v)))
    print("lost or doubly evaluated events: %s" % ", ".join(str(r["diff"]) for r in results))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
