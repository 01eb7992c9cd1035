#!/bin/sh
# Runs unary_bench against a freshly started daemon, over a unix socket and
# over insecure loopback TCP, for several concurrencies, and prints the
# median of several runs per configuration with the spread across runs.
#
# usage: run.sh DAEMON UNARY_BENCH CAPTURE
# The daemon gets what it needs to start, as Falco does, and nothing that
# competes with the RPCs: a rules file without rules and one pass over
# CAPTURE.
# environment (defaults in brackets):
#   RUNS [5]  DURATION [4]  WARMUP [0.5]  KS ["1 16 64"]  TRANSPORTS ["unix tcp"]
#   CHANNELS [1]  THREADS [1]  DAEMON_THREADS [2] (grpc.threadiness)
#   BENCH_ARGS [""]: more unary_bench options for every run
#   POLICIES ["on"]: "on off" starts one daemon with the authorisation
#     policy (grpc.authorization, with a few grants that do not match, so
#     each call goes through the identity lookup and the policy) and one
#     with grpc.authorization.enabled=false, and interleaves their runs
# Exit status: 0 when every run succeeded and the daemon exited 0 on SIGTERM.
set -u

die() { echo "run.sh: $*" >&2; exit 1; }

[ $# -eq 3 ] || die "usage: run.sh DAEMON UNARY_BENCH CAPTURE"
daemon=$1
bench=$2
capture=$3
[ -x "$daemon" ] || die "daemon $daemon is not an executable"
[ -x "$bench" ] || die "bench $bench is not an executable"
[ -r "$capture" ] || die "cannot read capture $capture"
rules=$(cd "$(dirname "$0")" && pwd)/rules.yaml

RUNS=${RUNS:-5}
DURATION=${DURATION:-4}
WARMUP=${WARMUP:-0.5}
KS=${KS:-1 16 64}
TRANSPORTS=${TRANSPORTS:-unix tcp}
CHANNELS=${CHANNELS:-1}
THREADS=${THREADS:-1}
DAEMON_THREADS=${DAEMON_THREADS:-2}
BENCH_ARGS=${BENCH_ARGS:-}
POLICIES=${POLICIES:-on}

tmp=$(mktemp -d /tmp/bench-unary.XXXXXX) || die "cannot create a temporary directory"
pids=
cleanup() {
	# Only the daemons this script started, by their pids.
	for p in $pids; do
		if kill -0 "$p" 2>/dev/null; then
			kill -KILL "$p" 2>/dev/null
		fi
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Grants that match none of the bench's identities: with the policy on, a
# call is decided after looking at every one of them.
cat >"$tmp/policy.yaml" <<'YAML'
grpc:
  authorization:
    enabled: true
    grants:
      - {uid: 64001, permissions: [write]}
      - {user: nobody-bench, permissions: [write]}
      - {gid: 64002, permissions: [write]}
      - {group: nogroup-bench, permissions: [write]}
      - {cert_cn: bench-writer, permissions: [write]}
      - {cert_san: "spiffe://bench.invalid/writer", permissions: [write]}
YAML

# Other benches may run on this machine at the same time: pick a random
# loopback port and retry with another when the daemon cannot bind it.
# Sets pid, port and sock for policy $1 (on or off).
start_daemon() {
	policy=$1
	sock=$tmp/falco-$policy.sock
	log=$tmp/daemon-$policy.log
	case $policy in
	on) pconf="-c $tmp/policy.yaml" ;;
	off) pconf="-o grpc.authorization.enabled=false" ;;
	*) die "unknown policy $policy (want on or off)" ;;
	esac
	attempt=0
	while [ $attempt -lt 5 ]; do
		attempt=$((attempt + 1))
		port=$(( ($$ * 7 + attempt * 7919 + $(date +%N | sed 's/^0*//;s/^$/0/')) % 30000 + 20000 ))
		rm -f "$sock"
		# Created before the daemon starts: the readiness poll greps it at once.
		: >"$log"
		# shellcheck disable=SC2086 # pconf is two words
		"$daemon" $pconf -o "grpc.bind_address=[unix://$sock, \"127.0.0.1:$port\"]" -o grpc.insecure=true \
			-o "grpc.threadiness=$DAEMON_THREADS" -r "$rules" -o "engine.capture.file=$capture" \
			>"$log" 2>&1 &
		pid=$!
		pids="$pids $pid"
		i=0
		while [ $i -lt 100 ]; do
			if ! kill -0 "$pid" 2>/dev/null; then
				break
			fi
			if grep -q ' ready' "$log"; then
				eval "pid_$policy=$pid port_$policy=$port sock_$policy=$sock"
				return 0
			fi
			sleep 0.1
			i=$((i + 1))
		done
		if kill -0 "$pid" 2>/dev/null; then
			cat "$log" >&2
			die "daemon did not become ready within 10 s"
		fi
		wait "$pid" 2>/dev/null
		if ! grep -q 'cannot listen on 127.0.0.1' "$log"; then
			cat "$log" >&2
			die "daemon failed to start"
		fi
	done
	die "no free loopback port found after 5 attempts"
}

# CPU seconds used so far by daemon $1 (utime + stime from /proc).
daemon_cpu() {
	awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.3f\n", ($12 + $13) / hz }' "/proc/$1/stat"
}

for policy in $POLICIES; do
	start_daemon "$policy"
	echo "daemon (policy $policy): $daemon (pid $pid, grpc.threadiness=$DAEMON_THREADS) on unix://$sock and 127.0.0.1:$port"
done
echo "bench: $RUNS run(s) x ${DURATION}s (+${WARMUP}s warmup) per configuration, channels=$CHANNELS threads=$THREADS $BENCH_ARGS"
echo "machine: $(nproc) cpu(s), load average $(cut -d' ' -f1-3 /proc/loadavg)"

failed=0
# Runs are interleaved (every configuration once, then again) so that a
# burst of noise on the machine spreads over all configurations.
r=1
while [ "$r" -le "$RUNS" ]; do
	for policy in $POLICIES; do
	eval "pid=\$pid_$policy port=\$port_$policy sock=\$sock_$policy"
	for t in $TRANSPORTS; do
		case $t in
		unix) target=unix://$sock ;;
		tcp) target=127.0.0.1:$port ;;
		*) die "unknown transport $t (want unix or tcp)" ;;
		esac
		for k in $KS; do
			c0=$(daemon_cpu "$pid")
			# shellcheck disable=SC2086 # BENCH_ARGS is a list of options
			line=$("$bench" --target "$target" --concurrency "$k" --duration "$DURATION" --warmup "$WARMUP" \
				--channels "$CHANNELS" --threads "$THREADS" $BENCH_ARGS)
			rc=$?
			c1=$(daemon_cpu "$pid")
			dcpu=$(awk -v a="$c0" -v b="$c1" -v d="$DURATION" -v w="$WARMUP" 'BEGIN { printf "%.2f", (b - a) / (d + w) }')
			echo "run $r: policy=$policy $line daemon_cpu=$dcpu"
			if [ $rc -ne 0 ] || [ -z "$line" ]; then
				echo "run.sh: unary_bench failed (exit $rc) for policy $policy $t K=$k" >&2
				failed=1
			fi
			[ -n "$line" ] && echo "$policy/$t $k $line daemon_cpu=$dcpu" >>"$tmp/results"
		done
	done
	done
	r=$((r + 1))
done

for policy in $POLICIES; do
	eval "pid=\$pid_$policy"
	kill -TERM "$pid"
	wait "$pid"
	drc=$?
	if [ $drc -ne 0 ]; then
		echo "run.sh: daemon (policy $policy) exited with status $drc on SIGTERM (want 0); its log:" >&2
		tail -20 "$tmp/daemon-$policy.log" >&2
		failed=1
	else
		echo "daemon (policy $policy) stopped with SIGTERM, exit status 0"
	fi
done

# One row per configuration: the median of each column over the runs, and
# the min/max of calls/s to show the noise.
echo
printf '%-9s %4s %5s %10s %10s %10s %9s %9s %9s %7s %6s %6s\n' \
	policy/tr K runs "calls/s" min max p50_us p99_us max_us errors cl_cpu d_cpu
for policy in $POLICIES; do
for tr in $TRANSPORTS; do
	t=$policy/$tr
	for k in $KS; do
		awk -v t="$t" -v k="$k" '
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
		$1 == t && $2 == k {
			n++
			rate[n] = field("calls/s") + 0; p50[n] = field("p50_us") + 0; p99[n] = field("p99_us") + 0
			mx[n] = field("max_us") + 0; cc[n] = field("client_cpu") + 0; dc[n] = field("daemon_cpu") + 0
			err += field("errors") + 0
			if (n == 1 || rate[n] < lo) lo = rate[n]
			if (n == 1 || rate[n] > hi) hi = rate[n]
		}
		END {
			if (!n) { printf "%-9s %4s %5d (no successful run)\n", t, k, 0; exit }
			printf "%-9s %4s %5d %10.0f %10.0f %10.0f %9.1f %9.1f %9.1f %7d %6.2f %6.2f\n", t, k, n,
				median(rate, n), lo, hi, median(p50, n), median(p99, n), median(mx, n), err, median(cc, n), median(dc, n)
		}' "$tmp/results"
	done
done
done
echo "(calls/s, p50/p99/max: median over runs; min/max: calls/s of the slowest and fastest run;"
echo " errors: total over runs; cl_cpu/d_cpu: cores used by the bench and by the daemon)"
exit $failed
