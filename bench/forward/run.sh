#!/bin/sh
# The forward module against a local nats-server -js (started here, on a
# free loopback port with a temporary store, stopped by its pid). Every
# event of the looped `shadow` capture is an alert (bench/outputs/rules.yaml).
#   rate:  capture unpaced: alerts acknowledged by JetStream per second, and
#          the engine's alert rate with NATS up;
#   keep:  capture paced at KEEP events/s, which forwarding keeps up with:
#          the engine thread's CPU per alert with NATS up and down (what
#          forwarding costs the engine, not what the machine's other work
#          takes from it);
#   capacity: capture paced at FAST events/s, below what the engine can do
#          alone, so that the CPU it leaves goes to forwarding: acked/s;
#   delay: capture paced at RATE events/s: creation-to-ack p50/p99 (the
#          module's log2 histogram: an upper bound, a power of two in us);
#   down:  capture unpaced, the server unreachable: the engine's alert rate,
#          and its ratio to the rate with NATS up;
#   pinned: as rate, with the engine's thread alone on CPU 0 and everything
#          else (the daemon's other threads, nats-server) on CPU 1, as on a
#          node whose NATS server runs elsewhere: what forwarding itself
#          costs the engine, without the local server's CPU (needs 2 CPUs).
# Median of RUNS runs per figure, with the range.
# usage: run.sh DAEMON CAPGEN
# environment: RUNS [3] DURATION [10] (short runs: the backlog queued while the
# module connects dominates p99) RATE [10000] FAST [110000] EVENTS [200000]
# KEEP [60000] QUEUE [100000]
set -u
die() { echo "run.sh: $*" >&2; exit 1; }
[ $# -eq 2 ] || die "usage: run.sh DAEMON CAPGEN"
daemon=$1
capgen=$2
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../common/replay.sh"
rules=$here/../outputs/rules.yaml
RUNS=${RUNS:-3}
DURATION=${DURATION:-10}
RATE=${RATE:-10000}
FAST=${FAST:-110000}
KEEP=${KEEP:-60000}
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

ncpu=$(nproc)
# start_nats [pin]
start_nats() {
	port=$(free_port)
	rm -rf "$tmp/js"
	pin=
	[ "${1:-}" = pin ] && pin="taskset -c 1"
	$pin "$NATS_SERVER" -js -sd "$tmp/js" -a 127.0.0.1 -p "$port" >"$tmp/nats.log" 2>&1 &
	npid=$!
	sleep 0.5
}
stop_nats() { kill -TERM "$npid" 2>/dev/null; wait "$npid" 2>/dev/null; npid=; }

# run_daemon RATE URL [pin]: runs DURATION s; prints "acked/s engine_alerts/s
# p50 p99 engine_cpu_us_per_alert" (the engine thread's CPU over the window,
# per alert it made then: at a paced rate the engine's cost, whoever else
# wants the CPU).
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
	if [ "${3:-}" = pin ]; then
		e=$(thread_task "$pid" engine)
		for t in /proc/$pid/task/*; do
			if [ "$t" = "$e" ]; then c=0; else c=1; fi
			taskset -p -c $c "${t##*/}" >/dev/null
		done
	fi
	k0=$(engine_ticks "$pid")
	t0=$(date +%s.%N)
	sleep "$DURATION"
	t1=$(date +%s.%N)
	k1=$(engine_ticks "$pid")
	kill -TERM "$pid"
	wait "$pid"
	pid=
	/usr/bin/python3 - "$log" "$t0" "$t1" "$((k1 - k0))" "$(getconf CLK_TCK)" <<'PY'
import re, sys
log = open(sys.argv[1]).read()
dt = float(sys.argv[3]) - float(sys.argv[2])
ticks, hz = int(sys.argv[4]), int(sys.argv[5])
f = re.search(r"forwarded (\d+) alerts, (\d+) acknowledged.*p50 < (\d+) us, p99 < (\d+) us", log)
b = re.search(r"subscriber forward: delivered (\d+), dropped (\d+), filtered out \d+, queued (\d+)", log)
if not f or not b:
    sys.exit("no summary in the daemon log:\n" + log)
made = sum(int(x) for x in b.groups())
print("%.0f %.0f %s %s %.3f" % (int(f.group(2)) / dt, made / dt, f.group(3), f.group(4),
                               ticks * 1e6 / hz / made if made else 0))
PY
}

median() { sort -n | awk '{a[NR]=$1} END {printf "%s (range %s..%s, %d runs)", a[int((NR+1)/2)], a[1], a[NR], NR}'; }

: >"$tmp/rate"; : >"$tmp/fast"; : >"$tmp/keep"; : >"$tmp/keep_down"; : >"$tmp/delay"; : >"$tmp/down"; : >"$tmp/pinned"; : >"$tmp/pinned_down"
r=0
while [ $r -lt "$RUNS" ]; do
	start_nats
	run_daemon 0 "nats://127.0.0.1:$port" >>"$tmp/rate" || exit 1
	run_daemon "$FAST" "nats://127.0.0.1:$port" >>"$tmp/fast" || exit 1
	run_daemon "$KEEP" "nats://127.0.0.1:$port" >>"$tmp/keep" || exit 1
	run_daemon "$RATE" "nats://127.0.0.1:$port" >>"$tmp/delay" || exit 1
	stop_nats
	run_daemon 0 "nats://127.0.0.1:$(free_port)" >>"$tmp/down" || exit 1
	run_daemon "$KEEP" "nats://127.0.0.1:$(free_port)" >>"$tmp/keep_down" || exit 1
	if [ "$ncpu" -ge 2 ]; then
		start_nats pin
		run_daemon 0 "nats://127.0.0.1:$port" pin >>"$tmp/pinned" || exit 1
		stop_nats
		run_daemon 0 "nats://127.0.0.1:$(free_port)" pin >>"$tmp/pinned_down" || exit 1
	fi
	r=$((r + 1))
done
ratio() { paste "$1" "$2" | awk '{print $2 / $7}' | median; }
echo "acknowledged alerts/s (unpaced):     $(awk '{print $1}' "$tmp/rate" | median)"
echo "acknowledged alerts/s at $FAST/s:   $(awk '{print $1}' "$tmp/fast" | median)"
echo "  engine alerts/s then:              $(awk '{print $2}' "$tmp/fast" | median)"
echo "engine alerts/s, NATS up:            $(awk '{print $2}' "$tmp/rate" | median)"
echo "engine alerts/s, NATS down:          $(awk '{print $2}' "$tmp/down" | median)"
echo "  up/down, run by run:               $(ratio "$tmp/rate" "$tmp/down")"
if [ "$ncpu" -ge 2 ]; then
	echo "pinned: acknowledged alerts/s:       $(awk '{print $1}' "$tmp/pinned" | median)"
	echo "pinned: engine alerts/s, NATS up:    $(awk '{print $2}' "$tmp/pinned" | median)"
	echo "pinned: engine alerts/s, NATS down:  $(awk '{print $2}' "$tmp/pinned_down" | median)"
	echo "  up/down, run by run:               $(ratio "$tmp/pinned" "$tmp/pinned_down")"
else
	echo "pinned: skipped (one CPU)"
fi
echo "engine CPU us/alert at $KEEP/s, NATS up:   $(awk '{print $5}' "$tmp/keep" | median)"
echo "engine CPU us/alert at $KEEP/s, NATS down: $(awk '{print $5}' "$tmp/keep_down" | median)"
echo "  acknowledged then:                 $(awk '{print $1}' "$tmp/keep" | median)"
echo "creation->ack p50 at $RATE/s (us <): $(awk '{print $3}' "$tmp/delay" | median)"
echo "creation->ack p99 at $RATE/s (us <): $(awk '{print $4}' "$tmp/delay" | median)"
