#!/bin/bash
# How many alerts/s `fapictl outputs watch --json > /dev/null` sustains, and
# the CPU it uses: a daemon replays the outputs bench's capture (every event
# an alert, bench/outputs/rules.yaml) in a loop as fast as it can, and
# fapictl reads COUNT alerts per run. Prints each run, then the median and
# the spread (min, max) of alerts/s and of fapictl's CPU (cores), and one
# check run whose output goes to a file to count the alerts fapictl lost
# (the daemon's queue for it overflowed): seq + lost per the JSON lines.
#
# usage: run.sh DAEMON FAPICTL CAPGEN
# environment: RUNS [5]  COUNT [500000]  EVENTS [1000000]  QUEUE [4096]
#   DAEMON_THREADS [0]
set -u

die() { echo "run.sh: $*" >&2; exit 1; }
[ $# -eq 3 ] || die "usage: run.sh DAEMON FAPICTL CAPGEN"
daemon=$1
fapictl=$2
capgen=$3
[ -x "$daemon" ] || die "daemon $daemon is not an executable"
[ -x "$fapictl" ] || die "fapictl $fapictl is not an executable"
here=$(cd "$(dirname "$0")" && pwd)
rules=$here/../outputs/rules.yaml

RUNS=${RUNS:-5}
COUNT=${COUNT:-500000}
EVENTS=${EVENTS:-1000000}
QUEUE=${QUEUE:-4096}
DAEMON_THREADS=${DAEMON_THREADS:-0}

tmp=$(mktemp -d /tmp/bench-fapictl.XXXXXX) || die "cannot create a temporary directory"
pid=
cleanup() {
	# Only the daemon this script started, by its pid.
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid" 2>/dev/null
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$capgen" shadow "$tmp/shadow.scap" --events "$EVENTS" >"$tmp/capgen.log" 2>&1 || { cat "$tmp/capgen.log" >&2; die "capgen failed"; }
target=unix://$tmp/falco.sock
log=$tmp/daemon.log
: >"$log"
"$daemon" -r "$rules" -o "grpc.bind_address=$target" -o "grpc.threadiness=$DAEMON_THREADS" \
	-o "engine.capture.file=$tmp/shadow.scap" -o engine.capture.loop=0 -o engine.capture.rate=0 \
	-o stdout_output.enabled=false -o grpc_output.enabled=false -o 'load_modules=[version,outputs]' \
	-o "modules=[{name: outputs, config: {queue_capacity: $QUEUE}}]" >"$log" 2>&1 &
pid=$!
i=0
until grep -q ' ready' "$log"; do
	i=$((i + 1))
	if [ $i -gt 100 ] || ! kill -0 "$pid" 2>/dev/null; then
		cat "$log" >&2
		die "daemon did not become ready within 10 s"
	fi
	sleep 0.1
done

echo "bench: fapictl outputs watch --json --count $COUNT > /dev/null, $RUNS runs"
echo "daemon: capture of $EVENTS events (each an alert) looped unpaced, queue_capacity=$QUEUE"
echo "machine: $(nproc) cpu(s), load average $(cut -d' ' -f1-3 /proc/loadavg)"
failed=0
: >"$tmp/results"
for r in $(seq 1 "$RUNS"); do
	# %e wall seconds, %U + %S the client's CPU seconds.
	/usr/bin/time -f "%e %U %S" -o "$tmp/time" "$fapictl" outputs watch --target "$target" --json \
		--count "$COUNT" >/dev/null || { echo "run.sh: fapictl failed in run $r" >&2; failed=1; continue; }
	read -r wall user sys <"$tmp/time"
	awk -v n="$COUNT" -v w="$wall" -v u="$user" -v s="$sys" -v r="$r" \
		'BEGIN { printf "run %d: %.0f alerts/s, cpu %.2f cores (%.2f s user, %.2f s sys in %.2f s)\n", r, n / w, (u + s) / w, u, s, w }'
	echo "$COUNT $wall $user $sys" >>"$tmp/results"
done

awk '
function median(a, n,    i, j, x) {
	for (i = 2; i <= n; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
{ n++; rate[n] = $1 / $2; cpu[n] = ($3 + $4) / $2; per[n] = ($3 + $4) / $1 * 1e6
  if (n == 1 || rate[n] < lo) lo = rate[n]; if (n == 1 || rate[n] > hi) hi = rate[n]
  if (n == 1 || cpu[n] < clo) clo = cpu[n]; if (n == 1 || cpu[n] > chi) chi = cpu[n] }
END {
	if (!n) { print "no successful run"; exit }
	printf "alerts/s: median %.0f (min %.0f, max %.0f) over %d runs\n", median(rate, n), lo, hi, n
	printf "fapictl cpu: median %.2f cores (min %.2f, max %.2f); %.2f us of CPU per alert\n", median(cpu, n), clo, chi, median(per, n)
}' "$tmp/results"

# The check run: the same watch into a file, to count what was lost.
"$fapictl" outputs watch --target "$target" --json --count "$COUNT" >"$tmp/check.json" || failed=1
awk -F'"lost":' '{ split($2, a, ","); lost += a[1]; n++ } END { printf "check run: %d alerts received, %d lost (queue full) = %.2f%%\n", n, lost, n ? 100 * lost / (n + lost) : 0 }' "$tmp/check.json"

kill -TERM "$pid"
wait "$pid" || { echo "run.sh: the daemon did not exit 0 on SIGTERM" >&2; failed=1; }
pid=
exit $failed
