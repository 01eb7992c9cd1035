#!/usr/bin/python3
"""Subscribes to falco-apid's alerts and prints them, one per line.

    /usr/bin/python3 examples/clients/subscribe.py [--socket PATH]
        [--min-priority warning] [--rule NAME ...] [--tag TAG ...]

Uses Debian's python3-grpcio and the Python modules the build generates in
build/proto/python (set FAPI_PY_PROTO to use another build directory)."""

import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.environ.get("FAPI_PY_PROTO", os.path.join(HERE, "..", "..", "build", "proto", "python")))

import grpc  # noqa: E402

import outputs_pb2  # noqa: E402
import schema_pb2  # noqa: E402


# Falco's priorities, most severe first; any case is accepted ("warning",
# "Warning", "WARNING"), as Falco's rules files spell them.
PRIORITIES = ("emergency", "alert", "critical", "error", "warning", "notice", "informational", "debug")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--socket", default="/run/falco/falco.sock")
    ap.add_argument("--min-priority", type=str.lower, choices=PRIORITIES, metavar="PRIORITY",
                    help="only alerts at least this severe: one of %s (any case)" % ", ".join(PRIORITIES))
    ap.add_argument("--rule", action="append", default=[], help="only this rule (repeatable)")
    ap.add_argument("--tag", action="append", default=[], help="rules with any of these tags (repeatable)")
    a = ap.parse_args()

    req = outputs_pb2.request(rules=a.rule, tags_any=a.tag)
    if a.min_priority:
        req.min_priority.at_least = schema_pb2.priority.Value(a.min_priority.upper())
    with grpc.insecure_channel("unix://" + a.socket) as ch:
        stream = ch.unary_stream("/falco.api.streaming/outputs",
                                 request_serializer=outputs_pb2.request.SerializeToString,
                                 response_deserializer=outputs_pb2.response.FromString)(req)
        try:
            for r in stream:
                lost = " (lost %d before this one)" % r.lost if r.lost else ""
                print("#%d %s [%s] %s%s" % (r.seq, schema_pb2.priority.Name(r.priority), r.rule, r.output, lost),
                      flush=True)
        except KeyboardInterrupt:
            pass
        except grpc.RpcError as e:
            print("stream ended: %s %s" % (e.code().name, e.details()), file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
