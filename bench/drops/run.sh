#!/bin/sh
# The engine's event rate with a drops stream open and with none: a daemon
# replays a looped capture as fast as it can (engine.capture.rate 0) with
# Falco's rules, the outputs and drops modules loaded and one outputs
# subscriber; in the "open" runs, `fapictl drops watch` holds a drops stream
# of every kind read every INTERVAL ms with a heartbeat as often (INTERVAL
# 10: the most work the module can be asked for; 1000: its default). The engine's own counter, from
# Falco's -s statistics file (a sample every STATS_MS), gives events/s over
# DURATION seconds after WARMUP; with the engine thread's CPU time over the
# same window (/proc/PID/task/TID/stat of the thread named "engine"), events
# per engine CPU second: what the engine pays per event, which a busy shared
# machine disturbs much less than the wall-clock rate. Runs alternate closed/open so that noise
# from the machine spreads over both; prints every run, then the medians,
# min/max and the open/closed ratio.
#
# usage: run.sh DAEMON FAPICTL CAPTURE|CAPGEN RULES
#   CAPTURE: a .scap file, or CAPGEN: fapi-capgen, to generate mix.scap
# environment: RUNS [5] DURATION [6] WARMUP [2] STATS_MS [500]
#   INTERVAL [1000] (the stream's interval_ms and heartbeat_ms; the drops
#   module's min_interval_ms is set to it)
# Exit status: 0 when every run succeeded and every daemon exited 0 on SIGTERM.
set -u

die() { echo "run.sh: $*" >&2; exit 1; }
[ $# -eq 4 ] || die "usage: run.sh DAEMON FAPICTL CAPTURE|CAPGEN RULES"
daemon=$1
fapictl=$2
cap=$3
rules=$4
[ -x "$daemon" ] || die "daemon $daemon is not an executable"
[ -x "$fapictl" ] || die "fapictl $fapictl is not an executable"
[ -r "$rules" ] || die "no rules file $rules"
RUNS=${RUNS:-5}
DURATION=${DURATION:-6}
WARMUP=${WARMUP:-2}
STATS_MS=${STATS_MS:-500}
INTERVAL=${INTERVAL:-1000}

tmp=$(mktemp -d /tmp/bench-drops.XXXXXX) || die "cannot create a temporary directory"
pid=
watch_pid=
sub_pid=
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	# Only the processes this script started, by their pids.
	for p in $watch_pid $sub_pid $pid; do
		kill -KILL "$p" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# shellcheck source=../common/replay.sh
. "$(dirname "$0")/../common/replay.sh"
replay_capture "$cap"

one_run() { # mode -> prints events/s
	mode=$1
	dir=$tmp/$mode.$2
	mkdir -p "$dir"
	cat >"$dir/falco.yaml" <<EOC
grpc:
  bind_address: "unix://$dir/falco.sock"
  threadiness: 2
load_modules: [version, outputs, drops]
modules:
  - name: drops
    config: {min_interval_ms: $INTERVAL}
rules_file: [$rules]
stdout_output: {enabled: false}
engine:
  capture: {file: $capture, loop: 0, rate: 0}
EOC
	"$daemon" -c "$dir/falco.yaml" -s "$dir/stats.json" --stats-interval "$STATS_MS" >"$dir/out" 2>"$dir/log" &
	pid=$!
	i=0
	while [ ! -S "$dir/falco.sock" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
	[ -S "$dir/falco.sock" ] || die "the daemon did not start: $(tail -3 "$dir/log")"
	"$fapictl" outputs watch --target "unix://$dir/falco.sock" >/dev/null 2>&1 &
	sub_pid=$!
	if [ "$mode" = open ]; then
		"$fapictl" drops watch --target "unix://$dir/falco.sock" --interval "${INTERVAL}ms" \
			--heartbeat "${INTERVAL}ms" --json >"$dir/drops.json" 2>"$dir/drops.err" &
		watch_pid=$!
	fi
	sleep "$WARMUP"
	s0=$(samples "$dir/stats.json")
	e0=$(events "$dir/stats.json")
	c0=$(engine_ticks "$pid")
	sleep "$DURATION"
	s1=$(samples "$dir/stats.json")
	e1=$(events "$dir/stats.json")
	c1=$(engine_ticks "$pid")
	nmsg=0
	if [ -n "$watch_pid" ]; then
		kill -TERM "$watch_pid" 2>/dev/null
		wait "$watch_pid" 2>/dev/null
		watch_pid=
		nmsg=$(wc -l <"$dir/drops.json" | tr -d ' ')
	fi
	kill -TERM "$sub_pid" 2>/dev/null
	wait "$sub_pid" 2>/dev/null
	sub_pid=
	kill -TERM "$pid"
	wait "$pid"
	rc=$?
	pid=
	[ $rc -eq 0 ] || die "daemon exited $rc: $(tail -3 "$dir/log")"
	[ "$s1" -gt "$s0" ] || die "no statistics samples"
	hz=$(getconf CLK_TCK)
	awk -v e0="$e0" -v e1="$e1" -v s0="$s0" -v s1="$s1" -v ms="$STATS_MS" -v mode="$mode" -v n="$nmsg" \
		-v c0="$c0" -v c1="$c1" -v hz="$hz" \
		'BEGIN { r = (e1 - e0) / ((s1 - s0) * ms / 1000); c = c1 > c0 ? (e1 - e0) / ((c1 - c0) / hz) : 0
		printf "%s events_per_s=%.0f events_per_cpu_s=%.0f drops_messages=%d\n", mode, r, c, n }'
}

results=$tmp/results
: >"$results"
r=1
while [ $r -le "$RUNS" ]; do
	for mode in closed open; do
		line=$(one_run $mode $r) || exit 1
		echo "run $r $line"
		echo "$line" >>"$results"
	done
	r=$((r + 1))
done
echo
for col in 2 3; do
	awk -v col="$col" '{ split($col, a, "="); v[$1] = v[$1] " " a[2]; name = a[1] }
	END {
		for (m in v) {
			n = split(v[m], x, " ")
			for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (x[j] < x[i]) { t = x[i]; x[i] = x[j]; x[j] = t }
			med[m] = n % 2 ? x[(n + 1) / 2] : (x[n / 2] + x[n / 2 + 1]) / 2
			printf "%-6s %s median %.0f  min %.0f  max %.0f  (%d runs)\n", m, name, med[m], x[1], x[n], n
		}
		if (med["closed"] > 0) printf "%s open/closed = %.4f\n", name, med["open"] / med["closed"]
	}' "$results"
done
