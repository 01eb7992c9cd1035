#!/bin/sh
# The engine's replay rate (-e, one alert per event) with stdout alone and
# with stdout plus the file, program and http output channels all enabled
# (http to a local endpoint that answers slowly), interleaved over RUNS
# rounds; prints every run, then the median with min/max per configuration
# and the ratio all/stdout.
#
# usage: run.sh DAEMON CAPTURE RULES
# environment: RUNS [5]  DELAY_MS [20] (the http endpoint's answer delay)
#   QUEUE [10000] (queue_capacity of each channel)  BUFFERED [false]
#   (buffered_outputs, for both configurations)
# Two figures per run, from the daemon's "replayed N events in S s (R
# events/s), engine thread CPU C s" (log_level debug):
#   events/s      N / S: the engine from its first event to its last, without
#                 the start-up and without the channels' drain at exit
#                 (bounded by output_timeout, 1000 ms here); on a shared
#                 machine this is mostly the scheduler's doing;
#   cpu_events/s  N / C: events per second of the engine thread's own CPU
#                 time, what the channels cost the engine thread itself
#                 (publishing to three more queues), whatever the load.
# Exit status: 0 when every run exited 0.
set -u

die() { echo "run.sh: $*" >&2; exit 1; }

[ $# -eq 3 ] || die "usage: run.sh DAEMON CAPTURE RULES"
daemon=$1
capture=$2
rules=$3
[ -x "$daemon" ] || die "daemon $daemon is not an executable"
[ -f "$capture" ] || die "capture $capture is missing"
[ -f "$rules" ] || die "rules $rules are missing"
here=$(cd "$(dirname "$0")" && pwd)
RUNS=${RUNS:-5}
DELAY_MS=${DELAY_MS:-20}
QUEUE=${QUEUE:-10000}
BUFFERED=${BUFFERED:-false}

tmp=$(mktemp -d /tmp/bench-channels.XXXXXX) || die "cannot create a temporary directory"
sink_pid=
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	# Only the process this script started, by its pid.
	if [ -n "$sink_pid" ] && kill -0 "$sink_pid" 2>/dev/null; then
		kill -TERM "$sink_pid" 2>/dev/null
		wait "$sink_pid" 2>/dev/null
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

/usr/bin/python3 "$here/http_sink.py" "$DELAY_MS" >"$tmp/sink.out" 2>&1 &
sink_pid=$!
i=0
while ! grep -q '^port ' "$tmp/sink.out" 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 100 ] || die "the http sink did not start: $(cat "$tmp/sink.out")"
	sleep 0.05
done
port=$(sed -n 's/^port //p' "$tmp/sink.out")

echo "channels: capture=$(basename "$capture") rules=$(basename "$rules") runs=$RUNS http_delay_ms=$DELAY_MS" \
	"queue=$QUEUE buffered_outputs=$BUFFERED load=$(cut -d' ' -f1-3 /proc/loadavg) cores=$(nproc)"

# run CONFIG: one replay; appends "CONFIG RATE CPU_RATE" to $tmp/rates
run() {
	cfg=$1
	set -- -r "$rules" -e "$capture" -o log_level=debug -o buffered_outputs="$BUFFERED" -o output_timeout=1000
	if [ "$cfg" = all ]; then
		set -- "$@" -o file_output.enabled=true -o file_output.keep_alive=true \
			-o file_output.filename="$tmp/alerts.txt" -o file_output.queue_capacity="$QUEUE" \
			-o program_output.enabled=true -o program_output.keep_alive=true \
			-o "program_output.program=cat > /dev/null" -o program_output.queue_capacity="$QUEUE" \
			-o http_output.enabled=true -o http_output.url="http://127.0.0.1:$port/" \
			-o http_output.queue_capacity="$QUEUE"
	fi
	start=$(date +%s.%N)
	"$daemon" "$@" >/dev/null 2>"$tmp/log"
	rc=$?
	end=$(date +%s.%N)
	rm -f "$tmp/alerts.txt"
	if [ $rc -ne 0 ]; then
		cat "$tmp/log" >&2
		echo "run.sh: $cfg exited $rc" >&2
		failed=1
		return
	fi
	rate=$(sed -n 's/.*replayed [0-9]* events in [0-9.]* s (\([0-9]*\) events\/s).*/\1/p' "$tmp/log")
	cpu=$(sed -n 's/.*engine thread CPU \([0-9.]*\) s.*/\1/p' "$tmp/log")
	events=$(sed -n 's/.*replayed \([0-9]*\) events.*/\1/p' "$tmp/log")
	chans=$(sed -n 's/.*\[channels\] \([a-z]*\) output: delivered \([0-9]*\), failed \([0-9]*\), lost \([0-9]*\).*/\1: delivered=\2 failed=\3 lost=\4/p' "$tmp/log" | tr '\n' ' ')
	wall=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')
	cpu_rate=$(awk -v n="$events" -v c="$cpu" 'BEGIN { printf "%d", (c > 0 ? n / c : 0) }')
	echo "run config=$cfg events=$events events/s=$rate engine_cpu_s=$cpu cpu_events/s=$cpu_rate wall_s=$wall $chans"
	echo "$cfg $rate $cpu_rate" >>"$tmp/rates"
}

failed=0
: >"$tmp/rates"
r=1
while [ $r -le "$RUNS" ]; do
	# Alternate the order so that a trend in the machine's load spreads
	# over both configurations.
	if [ $((r % 2)) -eq 1 ]; then
		run stdout
		run all
	else
		run all
		run stdout
	fi
	r=$((r + 1))
done

# median, min, max of column $2 of a config's rates
stats() {
	awk -v c="$1" -v k="$2" '$1 == c { print $k }' "$tmp/rates" | sort -n | awk '
		{ v[NR] = $1 }
		END { if (NR == 0) { print "0 0 0"; exit }
		      m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		      printf "%d %d %d\n", m, v[1], v[NR] }'
}
# table FIELD COLUMN: medians with min/max per configuration, and the ratio
table() {
	set -- "$1" $(stats stdout "$2") $(stats all "$2")
	printf "%-14s %-8s %12s %12s %12s\n" "$1" config median min max
	printf "%-14s %-8s %12d %12d %12d\n" "$1" stdout "$2" "$3" "$4"
	printf "%-14s %-8s %12d %12d %12d\n" "$1" all "$5" "$6" "$7"
	if [ "$2" -gt 0 ]; then
		echo "$1 all/stdout (ratio of medians): $(awk -v a="$5" -v s="$2" 'BEGIN { printf "%.3f", a / s }')"
	fi
}
table events/s 2
table cpu_events/s 3
kill -TERM "$sink_pid" 2>/dev/null
wait "$sink_pid" 2>/dev/null
sink_pid=
grep '^posts' "$tmp/sink.out" | sed 's/^/http sink: /'
exit $failed
