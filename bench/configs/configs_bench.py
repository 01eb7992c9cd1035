#!/usr/bin/python3
"""bench/configs: configs_set of a hot key (priority) while the engine
replays a capture in a loop at full speed.

  configs_bench.py DAEMON PY_PROTO_DIR CAPTURE [--sets N] [--runs R] [--seconds S]

1. Call to effect: N times, priority=error is set (untimed; the bench waits
   until the WARNING rule's alerts stop), then priority=debug is set with
   t0 taken just before the call; the latency is the engine's creation time
   (created_ns) of the first WARNING alert made after t0, minus t0: the
   moment the engine applied the new value, seen on an outputs stream. p50,
   p99 and max over the N.
2. Event rate: R runs of S seconds each, alternated, with no set and with a
   configs_set every 100 ms (priority between debug and informational, both
   showing the rule, so only the cost of the set differs), from the daemon's
   statistics file (-s, every 100 ms). Medians and min-max.
Run through `make bench` (target bench-configs) or by hand; prints one line
per figure."""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("daemon")
    ap.add_argument("proto")
    ap.add_argument("capture")
    ap.add_argument("--sets", type=int, default=100)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=4)
    a = ap.parse_args()
    sys.path.insert(0, a.proto)
    import grpc
    import configs_pb2 as cfg
    import outputs_pb2 as outputs
    import schema_pb2 as schema

    tmp = tempfile.mkdtemp(prefix="configs-bench-")
    sock = os.path.join(tmp, "falco.sock")
    stats = os.path.join(tmp, "stats.json")
    conf = os.path.join(tmp, "falco.yaml")
    with open(conf, "w") as f:
        f.write("grpc: {bind_address: \"unix://%s\", threadiness: 2}\n" % sock)
        f.write("load_modules: [version, outputs, configs]\n")
        f.write("modules: [{name: configs, config: {state_dir: \"%s\"}}]\n" % os.path.join(tmp, "state"))
        f.write("rules_file: [\"%s\"]\n" % os.path.join(HERE, "rules.yaml"))
        f.write("stdout_output: {enabled: false}\n")
        f.write("engine: {capture: {file: \"%s\", loop: 0, rate: 0}}\n" % a.capture)
    log = open(os.path.join(tmp, "daemon.log"), "w")
    d = subprocess.Popen([a.daemon, "-c", conf, "-s", stats, "--stats-interval", "100"], stdout=subprocess.DEVNULL,
                         stderr=log)
    try:
        deadline = time.time() + 30
        while not os.path.exists(sock) and time.time() < deadline and d.poll() is None:
            time.sleep(0.02)
        ch = grpc.insecure_channel("unix://" + sock)
        grpc.channel_ready_future(ch).result(timeout=30)
        setter = ch.unary_unary("/falco.api.unary/configs_set", request_serializer=cfg.set_request.SerializeToString,
                                response_deserializer=cfg.set_response.FromString)

        def set_priority(p):
            setter(cfg.set_request(set=[cfg.assignment(key="priority", value=p)]), timeout=10)

        # The reader keeps the creation time of the newest WARNING alert.
        last = {"created": 0}
        stream = ch.unary_stream("/falco.api.streaming/outputs", request_serializer=outputs.request.SerializeToString,
                                 response_deserializer=outputs.response.FromString)(outputs.request())

        def read():
            try:
                for m in stream:
                    if m.priority == schema.WARNING:
                        last["created"] = max(last["created"], m.created_ns)
            except grpc.RpcError:
                pass

        t = threading.Thread(target=read, daemon=True)
        t.start()
        while not last["created"]:
            time.sleep(0.01)

        lat = []
        for _ in range(a.sets):
            set_priority("error")
            # Quiet: no WARNING alert made in the last 50 ms.
            while time.time_ns() - last["created"] < 50_000_000:
                time.sleep(0.005)
            t0 = time.time_ns()
            set_priority("debug")
            while last["created"] < t0:
                time.sleep(0.0005)
            lat.append((last["created"] - t0) / 1e6)
        lat.sort()

        def pct(v, p):
            return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))]

        print("configs_set priority call to effect: p50 %.2f ms, p99 %.2f ms, max %.2f ms over %d sets"
              % (pct(lat, 50), pct(lat, 99), lat[-1], len(lat)))

        def events():
            # Falco's format: one object a line, each ending with ",";
            # the last line may be half-written.
            with open(stats) as f:
                lines = [l.strip().rstrip(",") for l in f if l.strip()]
            for l in reversed(lines):
                try:
                    return json.loads(l)["cur"]["events"]
                except ValueError:
                    continue
            raise RuntimeError("no statistics sample in " + stats)

        def phase(with_sets):
            e0, t0 = events(), time.time()
            i = 0
            while time.time() - t0 < a.seconds:
                if with_sets:
                    set_priority("informational" if i % 2 else "debug")
                    i += 1
                    time.sleep(max(0.0, t0 + i * 0.1 - time.time()))
                else:
                    time.sleep(0.1)
            # The file is written every 100 ms: wait for a sample past the window.
            time.sleep(0.25)
            return (events() - e0) / (time.time() - 0.25 - t0), i

        none, sets = [], []
        for r in range(a.runs):
            none.append(phase(False)[0])
            rate, n = phase(True)
            sets.append(rate)

        def med(v):
            v = sorted(v)
            return v[len(v) // 2] if len(v) % 2 else (v[len(v) // 2 - 1] + v[len(v) // 2]) / 2

        print("replay, no set: median %.0f events/s (%.0f-%.0f), %d runs of %.0f s"
              % (med(none), min(none), max(none), a.runs, a.seconds))
        print("replay, a set every 100 ms: median %.0f events/s (%.0f-%.0f), %d runs of %.0f s"
              % (med(sets), min(sets), max(sets), a.runs, a.seconds))
        print("ratio: %.3f" % (med(sets) / med(none)))
        stream.cancel()
        ch.close()
    finally:
        d.send_signal(signal.SIGTERM)
        try:
            rc = d.wait(30)
        except subprocess.TimeoutExpired:
            d.kill()
            rc = d.wait()
        log.close()
        if rc != 0:
            print("daemon exited %d; log in %s" % (rc, tmp), file=sys.stderr)
            sys.exit(1)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
