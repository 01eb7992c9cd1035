#!/bin/sh
# Runs outputs_bench against freshly started daemons fed by a looped capture
# whose every event matches bench/outputs/rules.yaml, and prints the median
# of several runs per configuration with the spread across runs:
#   rate:  K subscribers (KS), capture as fast as possible (engine.capture.rate 0):
#          messages/s per subscriber and in total;
#   delay: DELAY_KS subscribers, capture paced at RATE events/s: delay
#          percentiles (when the daemon sends created_ns, else "unavailable");
#   stall: one fast subscriber, without and with a stalled one (a separate
#          outputs_bench --stall process, SIGSTOPped once subscribed, so it
#          neither reads its streams nor drains its socket): the engine's
#          alert rate (accepted/s of the fast subscriber) in both, and the ratio;
#   filters: one fast subscriber, without and with FILTER_SUBS (20) stalled
#          subscribers whose filters are the largest the outputs module
#          allows (FILTER_ITEMS entries per list, FILTER_BYTES in all; they
#          pass every test of the bench's alerts but the last, so they get
#          nothing): the engine's alert rate in both, and the ratio.
#
# usage: run.sh DAEMON OUTPUTS_BENCH [CAPGEN]
# environment (defaults in brackets):
#   RUNS [5]  DURATION [4]  WARMUP [1]  KS ["1 8 64"]  DELAY_KS ["1 8"]  RATE [10000]
#   SECTIONS ["rate delay stall filters"]  FILTER_SUBS [20]  FILTER_ITEMS [1024]
#   FILTER_BYTES [65536] (the outputs module's defaults for max_filter_items/bytes)
#  EVENTS [1000000] (capture size)  QUEUE [4096]
#   (outputs queue_capacity)  DAEMON_THREADS [0] (grpc.threadiness, 0 = cores)
#   THREADS [1] (bench worker threads)  GRPC_OUTPUT [false] (grpc_output.enabled:
#   Falco's get keeps its own always-full queue, a stalled subscriber in itself)
#   CAPTURE [generated with CAPGEN]  CAPGEN (when not given as the 3rd argument)
#   BENCH_ARGS [""]: more outputs_bench options for every run
# Exit status: 0 when every run succeeded and every daemon exited 0 on SIGTERM.
set -u

die() { echo "run.sh: $*" >&2; exit 1; }

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
	die "usage: run.sh DAEMON OUTPUTS_BENCH [CAPGEN]"
fi
daemon=$1
bench=$2
capgen=${3:-${CAPGEN:-}}
[ -x "$daemon" ] || die "daemon $daemon is not an executable"
[ -x "$bench" ] || die "bench $bench is not an executable"
here=$(cd "$(dirname "$0")" && pwd)
rules=$here/rules.yaml

RUNS=${RUNS:-5}
DURATION=${DURATION:-4}
WARMUP=${WARMUP:-1}
KS=${KS:-1 8 64}
DELAY_KS=${DELAY_KS:-1 8}
RATE=${RATE:-10000}
SECTIONS=${SECTIONS:-rate delay stall filters}
FILTER_SUBS=${FILTER_SUBS:-20}
FILTER_ITEMS=${FILTER_ITEMS:-1024}
FILTER_BYTES=${FILTER_BYTES:-65536}
EVENTS=${EVENTS:-1000000}
QUEUE=${QUEUE:-4096}
DAEMON_THREADS=${DAEMON_THREADS:-0}
THREADS=${THREADS:-1}
GRPC_OUTPUT=${GRPC_OUTPUT:-false}
BENCH_ARGS=${BENCH_ARGS:-}

tmp=$(mktemp -d /tmp/bench-outputs.XXXXXX) || die "cannot create a temporary directory"
pid=
stall_pid=
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	# Only the processes this script started, by their pids.
	if [ -n "$stall_pid" ] && kill -0 "$stall_pid" 2>/dev/null; then
		kill -CONT "$stall_pid" 2>/dev/null
		kill -KILL "$stall_pid" 2>/dev/null
	fi
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid" 2>/dev/null
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

capture=${CAPTURE:-}
if [ -z "$capture" ]; then
	if [ -z "$capgen" ] || [ ! -x "$capgen" ]; then
		die "no capture generator: give CAPGEN or CAPTURE"
	fi
	capture=$tmp/shadow.scap
	if ! "$capgen" shadow "$capture" --events "$EVENTS" >"$tmp/capgen.log" 2>&1; then
		cat "$tmp/capgen.log" >&2
		die "fapi-capgen failed"
	fi
fi
[ -r "$capture" ] || die "cannot read capture $capture"

sock=$tmp/falco.sock
target=unix://$sock

# Starts a daemon replaying the capture in a loop at $1 events/s (0: as fast
# as possible); its log is $tmp/daemon-$2.log.
start_daemon() {
	log=$tmp/daemon-$2.log
	rm -f "$sock"
	# Created before the daemon starts: the readiness poll greps it at once.
	: >"$log"
	"$daemon" -r "$rules" -o "grpc.bind_address=$target" -o "grpc.threadiness=$DAEMON_THREADS" \
		-o "engine.capture.file=$capture" -o engine.capture.loop=0 -o "engine.capture.rate=$1" \
		-o stdout_output.enabled=false -o "grpc_output.enabled=$GRPC_OUTPUT" \
		-o 'load_modules=[version,outputs]' \
		-o "modules=[{name: outputs, config: {queue_capacity: $QUEUE}}]" >"$log" 2>&1 &
	pid=$!
	i=0
	while [ $i -lt 100 ]; do
		kill -0 "$pid" 2>/dev/null || break
		if grep -q ' ready' "$log"; then
			echo "daemon: $daemon (pid $pid) on $target, capture.rate=$1, grpc.threadiness=$DAEMON_THREADS," \
				"queue_capacity=$QUEUE, grpc_output.enabled=$GRPC_OUTPUT"
			return 0
		fi
		sleep 0.1
		i=$((i + 1))
	done
	cat "$log" >&2
	die "daemon did not become ready within 10 s"
}

# Stops the daemon with SIGTERM and shows what its subscribers got.
stop_daemon() {
	kill -TERM "$pid"
	wait "$pid"
	drc=$?
	pid=
	grep -E 'subscriber |Events detected' "$log" | tail -5 | sed 's/^/  daemon log: /'
	if [ $drc -ne 0 ]; then
		echo "run.sh: daemon exited with status $drc on SIGTERM (want 0); its log:" >&2
		tail -20 "$log" >&2
		failed=1
	fi
}

# CPU seconds used so far by the daemon (utime + stime from /proc).
daemon_cpu() {
	awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.3f\n", ($12 + $13) / hz }' "/proc/$pid/stat"
}

# One bench run: section name, K, then extra bench options. Appends the line
# (with the daemon's CPU use) to $tmp/results.
run_bench() {
	section=$1
	k=$2
	shift 2
	c0=$(daemon_cpu)
	# shellcheck disable=SC2086 # BENCH_ARGS is a list of options
	line=$("$bench" --target "$target" --subscribers "$k" --duration "$DURATION" --warmup "$WARMUP" \
		--threads "$THREADS" --label "$section" "$@" $BENCH_ARGS)
	rc=$?
	if ! kill -0 "$pid" 2>/dev/null; then
		wait "$pid"
		echo "run.sh: the daemon died (exit status $?) during $section K=$k; its log:" >&2
		tail -30 "$log" >&2
		pid=
		exit 1
	fi
	c1=$(daemon_cpu)
	dcpu=$(awk -v a="$c0" -v b="$c1" -v d="$DURATION" -v w="$WARMUP" 'BEGIN { printf "%.2f", (b - a) / (d + w) }')
	echo "run $r: $line daemon_cpu=$dcpu"
	if [ $rc -ne 0 ] || [ -z "$line" ]; then
		echo "run.sh: outputs_bench failed (exit $rc) for $section K=$k" >&2
		failed=1
	fi
	[ -n "$line" ] && echo "$section $k $line daemon_cpu=$dcpu" >>"$tmp/results"
}

# Stalled subscribers ($1, default 1, then more bench options) in their own
# process: subscribed, then stopped, so that nothing reads their sockets.
# stop_stall ends them with SIGTERM.
start_stall() {
	n=${1:-1}
	[ $# -gt 0 ] && shift
	# Created first: the poll below may run before the child's redirection.
	: >"$tmp/stall.err"
	"$bench" --target "$target" --subscribers "$n" --stall --duration 3600 "$@" \
		2>"$tmp/stall.err" >/dev/null &
	stall_pid=$!
	i=0
	while ! grep -q 'subscribed' "$tmp/stall.err"; do
		i=$((i + 1))
		if [ $i -gt 100 ] || ! kill -0 "$stall_pid" 2>/dev/null; then
			cat "$tmp/stall.err" >&2
			die "the stalled subscriber did not subscribe"
		fi
		sleep 0.05
	done
	kill -STOP "$stall_pid"
}

stop_stall() {
	kill -CONT "$stall_pid"
	kill -TERM "$stall_pid"
	wait "$stall_pid"
	src=$?
	stall_pid=
	if [ $src -ne 0 ]; then
		echo "run.sh: the stalled subscriber exited with status $src" >&2
		cat "$tmp/stall.err" >&2
		failed=1
	fi
}

has_section() {
	case " $SECTIONS " in *" $1 "*) return 0 ;; esac
	return 1
}

echo "bench: $RUNS run(s) x ${DURATION}s (+${WARMUP}s warmup) per configuration, threads=$THREADS $BENCH_ARGS"
echo "capture: $capture ($EVENTS events, each one an alert), rules: $rules"
echo "machine: $(nproc) cpu(s), load average $(cut -d' ' -f1-3 /proc/loadavg)"

failed=0
: >"$tmp/results"
# Runs are interleaved (every configuration once, then again) so that a
# burst of noise on the machine spreads over all configurations.
if has_section rate || has_section stall || has_section filters; then
	start_daemon 0 fast
	r=1
	while [ "$r" -le "$RUNS" ]; do
		if has_section rate; then
			for k in $KS; do
				run_bench rate "$k"
			done
		fi
		if has_section stall; then
			# Which of the pair runs first alternates, so that an effect
			# of the order (the run before, the machine warming) cancels.
			if [ $((r % 2)) -eq 1 ]; then
				run_bench nostall 1
			fi
			start_stall
			run_bench stall 1
			stop_stall
			if [ $((r % 2)) -eq 0 ]; then
				run_bench nostall 1
			fi
		fi
		if has_section filters; then
			if [ $((r % 2)) -eq 1 ]; then
				run_bench nofilters 1
			fi
			start_stall "$FILTER_SUBS" --filter-items "$FILTER_ITEMS" --filter-bytes "$FILTER_BYTES" \
				--filter-rule bench_shadow_open --filter-tag bench
			run_bench filters 1
			stop_stall
			if [ $((r % 2)) -eq 0 ]; then
				run_bench nofilters 1
			fi
		fi
		r=$((r + 1))
	done
	stop_daemon
fi
if has_section delay; then
	start_daemon "$RATE" paced
	r=1
	while [ "$r" -le "$RUNS" ]; do
		for k in $DELAY_KS; do
			run_bench delay "$k"
		done
		r=$((r + 1))
	done
	stop_daemon
fi

# One row per configuration: medians over the runs, min/max of total/s.
summary() {
	awk -v s="$1" -v k="$2" '
	function field(name,    i) {
		for (i = 3; i <= NF; i++)
			if (index($i, name "=") == 1)
				return substr($i, length(name) + 2)
		return "nan"
	}
	function median(a, n,    i, j, x) {
		for (i = 2; i <= n; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	$1 == s && $2 == k {
		n++
		tot[n] = field("total/s") + 0; per[n] = field("per_sub/s") + 0; acc[n] = field("accepted/s") + 0
		lost[n] = field("lost") / field("duration_s"); cc[n] = field("client_cpu") + 0; dc[n] = field("daemon_cpu") + 0
		d = field("delay_p50_us")
		if (d != "nan") { nd++; p50[nd] = d + 0; p99[nd] = field("delay_p99_us") + 0; mx[nd] = field("delay_max_us") + 0 }
		err += field("errors") + field("seq_breaks")
		if (n == 1 || tot[n] < lo) lo = tot[n]
		if (n == 1 || tot[n] > hi) hi = tot[n]
		if (n == 1 || acc[n] < alo) alo = acc[n]
		if (n == 1 || acc[n] > ahi) ahi = acc[n]
	}
	END {
		if (!n) { printf "%-8s %4s %4d (no successful run)\n", s, k, 0; exit }
		dl = nd ? sprintf("%8.0f %8.0f %8.0f", median(p50, nd), median(p99, nd), median(mx, nd)) : sprintf("%8s %8s %8s", "n/a", "n/a", "n/a")
		printf "%-8s %4s %4d %9.0f %9.0f %9.0f %9.0f %9.0f %9.0f %9.0f %9.0f %s %6d %5.2f %5.2f\n", s, k, n,
			median(tot, n), lo, hi, median(per, n), median(acc, n), alo, ahi, median(lost, n), dl, err,
			median(cc, n), median(dc, n)
	}' "$tmp/results"
}

echo
printf '%-8s %4s %4s %9s %9s %9s %9s %9s %9s %9s %9s %8s %8s %8s %6s %5s %5s\n' section K runs \
	"total/s" min max "per_sub/s" "accept/s" min max "lost/s" "p50_us" "p99_us" "max_us" errors cl_cpu d_cpu
has_section rate && for k in $KS; do summary rate "$k"; done
has_section delay && for k in $DELAY_KS; do summary delay "$k"; done
# The ratio of the engine's alert rate in section $2 to section $1 (paired
# runs), described by $3.
ratio() {
	awk -v without="$1" -v with="$2" -v what="$3" '
	function median(a, n,    i, j, x) {
		for (i = 2; i <= n; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	function acc(    i) { for (i = 3; i <= NF; i++) if (index($i, "accepted/s=") == 1) return substr($i, 12) + 0 }
	$1 == without { a[++na] = acc() }
	$1 == with { b[++nb] = acc() }
	END {
		if (!na || !nb) exit
		# Runs are paired (each run with next to its run without), so the
		# median of the per-pair ratios cancels slow drifts.
		n = na < nb ? na : nb
		for (i = 1; i <= n; i++) { r[i] = b[i] / a[i]; if (i == 1 || r[i] < lo) lo = r[i]; if (i == 1 || r[i] > hi) hi = r[i] }
		printf "engine alert rate %s / without: %.3f (median of %d paired runs, min %.3f, max %.3f; medians %.0f / %.0f = %.3f)\n",
			what, median(r, n), n, lo, hi, median(b, nb), median(a, na), median(b, nb) / median(a, na)
	}' "$tmp/results"
}
if has_section stall; then
	summary nostall 1
	summary stall 1
	ratio nostall stall "with a stalled subscriber"
fi
if has_section filters; then
	summary nofilters 1
	summary filters 1
	ratio nofilters filters "with $FILTER_SUBS subscribers of maximal filters ($FILTER_ITEMS entries per list, $FILTER_BYTES bytes)"
fi
echo "(total/s: messages received by all subscribers; per_sub/s: median subscriber; accept/s: alerts the"
echo " daemon accepted for the fastest subscriber (seq + lost), i.e. the engine's alert rate; lost/s: alerts"
echo " dropped for slow subscribers, all subscribers together; p50/p99/max: delay from the alert's creation"
echo " to its receipt (n/a without created_ns); min/max: of the runs; cl_cpu/d_cpu: cores used by the bench"
echo " and by the daemon; every column a median over runs)"
exit $failed
