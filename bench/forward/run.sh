#!/bin/sh
# The forward module against a local nats-server -js (started here, on a
# free loopback port with a temporary store, stopped by its pid). Every
# event of the looped `shadow` capture is an alert (bench/outputs/rules.yaml).
#   rate:  capture unpaced: alerts acknowledged by JetStream per second, and
#          the engine's alert rate with NATS up;
#   delay: capture paced at RATE events/s: creation-to-ack p50/p99 (the
#          module's log2 histogram: an upper bound, a power of two in us);
#   down:  capture unpaced, the server unreachable: the engine's alert rate,
#          and its ratio to the rate with NATS up.
# Median of RUNS runs per figure, with the range.
# usage: run.sh DAEMON CAPGEN
# environment: RUNS [3] DURATION [10] (short runs: the backlog queued while the
# module connects dominates p99) RATE [10000] EVENTS [200000] QUEUE [100000]
set -u
die() { echo "run.sh: $*" >&2; exit 1; }
[ $# -eq 2 ] || die "usage: run.sh DAEMON CAPGEN"
daemon=$1
capgen=$2
here=$(cd "$(dirname "$0")" && pwd)
rules=$here/../outputs/rules.yaml
RUNS=${RUNS:-3}
DURATION=${DURATION:-10}
RATE=${RATE:-10000}
EVENTS=${EVENTS:-200000}
QUEUE=${QUEUE:-100000}
NATS_SERVER=${NATS_SERVER:-$(command -v nats-server || echo /usr/bin/nats-server)}
[ -x "$NATS_SERVER" ] || die "nats-server not installed (apt install nats-server)"

tmp=$(mktemp -d /tmp/bench-forward.XXXXXX) || die "no temporary directory"
pid=
npid=
cleanup() {
	[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
	[ -n "$npid" ] && kill -KILL "$npid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$capgen" shadow "$tmp/shadow.scap" --events "$EVENTS" >"$tmp/capgen.log" 2>&1 || die "fapi-capgen failed"
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

start_nats() {
	port=$(free_port)
	rm -rf "$tmp/js"
	"$NATS_SERVER" -js -sd "$tmp/js" -a 127.0.0.1 -p "$port" >"$tmp/nats.log" 2>&1 &
	npid=$!
	sleep 0.5
}
stop_nats() { kill -TERM "$npid" 2>/dev/null; wait "$npid" 2>/dev/null; npid=; }

# run_daemon RATE URL: runs DURATION s; prints "acked/s engine_alerts/s p50 p99".
run_daemon() {
	log=$tmp/daemon.log
	: >"$log"
	"$daemon" -r "$rules" -o "grpc.bind_address=unix://$tmp/falco.sock" -o "engine.capture.file=$tmp/shadow.scap" \
		-o engine.capture.loop=0 -o "engine.capture.rate=$1" -o stdout_output.enabled=false \
		-o 'load_modules=[version,forward]' \
		-o "modules=[{name: forward, config: {servers: [\"$2\"], hostname: bench, create_stream: true, queue_capacity: $QUEUE}}]" \
		>"$log" 2>&1 &
	pid=$!
	i=0
	while [ $i -lt 100 ] && ! grep -q ' ready' "$log"; do sleep 0.1; i=$((i + 1)); done
	t0=$(date +%s.%N)
	sleep "$DURATION"
	t1=$(date +%s.%N)
	kill -TERM "$pid"
	wait "$pid"
	pid=
	/usr/bin/python3 - "$log" "$t0" "$t1" <<'PY'
import re, sys
log = open(sys.argv[1]).read()
dt = float(sys.argv[3]) - float(sys.argv[2])
f = re.search(r"forwarded (\d+) alerts, (\d+) acknowledged.*p50 < (\d+) us, p99 < (\d+) us", log)
b = re.search(r"subscriber forward: delivered (\d+), dropped (\d+), filtered out \d+, queued (\d+)", log)
if not f or not b:
    sys.exit("no summary in the daemon log:\n" + log)
print("%.0f %.0f %s %s" % (int(f.group(2)) / dt, sum(int(x) for x in b.groups()) / dt, f.group(3), f.group(4)))
PY
}

median() { sort -n | awk '{a[NR]=$1} END {printf "%s (range %s..%s, %d runs)", a[int((NR+1)/2)], a[1], a[NR], NR}'; }

: >"$tmp/rate"; : >"$tmp/delay"; : >"$tmp/down"
r=0
while [ $r -lt "$RUNS" ]; do
	start_nats
	run_daemon 0 "nats://127.0.0.1:$port" >>"$tmp/rate" || exit 1
	run_daemon "$RATE" "nats://127.0.0.1:$port" >>"$tmp/delay" || exit 1
	stop_nats
	run_daemon 0 "nats://127.0.0.1:$(free_port)" >>"$tmp/down" || exit 1
	r=$((r + 1))
done
echo "acknowledged alerts/s (unpaced):     $(awk '{print $1}' "$tmp/rate" | median)"
echo "engine alerts/s, NATS up:            $(awk '{print $2}' "$tmp/rate" | median)"
echo "engine alerts/s, NATS down:          $(awk '{print $2}' "$tmp/down" | median)"
echo "creation->ack p50 at $RATE/s (us <): $(awk '{print $3}' "$tmp/delay" | median)"
echo "creation->ack p99 at $RATE/s (us <): $(awk '{print $4}' "$tmp/delay" | median)"
