#!/bin/sh
# The engine's event rate with metrics on and off, then the /metrics scrape
# time with 1,000 rules and 100 subscribers.
#
# Rate: a daemon replays a looped capture as fast as it can with Falco's
# rules, the outputs, drops and version modules and one outputs subscriber.
# "off": no web server, no drops stream. "on": webserver enabled, /metrics
# scraped once a second (curl), and `fapictl drops watch` holding a drops
# stream. "snap": Falco's metrics snapshots at the smallest interval
# (metrics.interval 100ms), both outputs (output_rule: the internal alert
# on the bus, to the subscriber; output_file), no web server. events/s and
# events per engine CPU second as bench/drops/run.sh measures them; runs
# alternate between the MODES.
#
# Scrape: a daemon with 1,000 generated rules that all match (the engine's
# match counts then all appear on the page), 100 `fapictl outputs watch`
# subscribers, the capture replayed at full speed; SCRAPES timed scrapes
# (curl's time_total), median and range.
# Scraped while the engine replays at full speed: the figure includes
# waiting for a CPU on this 2-core machine.
#
# usage: run.sh DAEMON FAPICTL CAPTURE|CAPGEN RULES
# environment: RUNS [5] DURATION [6] WARMUP [2] STATS_MS [500] SCRAPES [20]
#   SUBSCRIBERS [100] NRULES [1000] MODES ["off on snap"]
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
INTERVAL=1000
SCRAPES=${SCRAPES:-20}
SUBSCRIBERS=${SUBSCRIBERS:-100}
NRULES=${NRULES:-1000}
MODES=${MODES:-off on snap}

tmp=$(mktemp -d /tmp/bench-metrics.XXXXXX) || die "cannot create a temporary directory"
pid=
watch_pid=
sub_pid=
scrape_pid=
subs=
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	# Only the processes this script started, by their pids.
	for p in $scrape_pid $subs $watch_pid $sub_pid $pid; do
		kill -KILL "$p" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# shellcheck source=../common/replay.sh
. "$(dirname "$0")/../common/replay.sh"
replay_capture "$cap"

# the web server's port, from its "webserver listening on" line
web_port() {
	i=0
	while ! grep -qs "webserver listening on" "$1" && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
	sed -n 's/.*webserver listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$1" | head -1
}

one_run() { # mode -> prints events/s
	mode=$1
	dir=$tmp/$mode.$2
	mkdir -p "$dir"
	web=false
	[ "$mode" = on ] && web=true
	snap=false
	[ "$mode" = snap ] && snap=true
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
webserver: {enabled: $web, listen_port: 0}
metrics: {enabled: $snap, interval: 100ms, output_rule: true, output_file: $dir/metrics.jsonl}
EOC
	"$daemon" -c "$dir/falco.yaml" -s "$dir/stats.json" --stats-interval "$STATS_MS" >"$dir/out" 2>"$dir/log" &
	pid=$!
	i=0
	while [ ! -S "$dir/falco.sock" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
	[ -S "$dir/falco.sock" ] || die "the daemon did not start: $(tail -3 "$dir/log")"
	"$fapictl" outputs watch --target "unix://$dir/falco.sock" >/dev/null 2>&1 &
	sub_pid=$!
	if [ "$mode" = on ]; then
		port=$(web_port "$dir/log")
		(while :; do curl -s -o /dev/null "http://127.0.0.1:$port/metrics"; sleep 1; done) &
		scrape_pid=$!
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
	snap_ns=$(thread_ns "$pid" metrics)
	nmsg=0
	if [ -n "$scrape_pid" ]; then
		kill -TERM "$scrape_pid" 2>/dev/null
		wait "$scrape_pid" 2>/dev/null
		scrape_pid=
	fi
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
	nsnap=0
	if [ "$mode" = snap ]; then
		nsnap=$(wc -l <"$dir/metrics.jsonl" | tr -d ' ')
		[ "$nsnap" -gt 0 ] || die "no metrics snapshot was written"
	fi
	hz=$(getconf CLK_TCK)
	awk -v e0="$e0" -v e1="$e1" -v s0="$s0" -v s1="$s1" -v ms="$STATS_MS" -v mode="$mode" -v n="$nmsg" \
		-v c0="$c0" -v c1="$c1" -v hz="$hz" -v sn="$snap_ns" -v ns="$nsnap" \
		'BEGIN { r = (e1 - e0) / ((s1 - s0) * ms / 1000); c = c1 > c0 ? (e1 - e0) / ((c1 - c0) / hz) : 0
		printf "%s events_per_s=%.0f events_per_cpu_s=%.0f drops_messages=%d", mode, r, c, n
		if (ns > 0) printf " snapshots=%d snapshot_cpu_us=%.0f", ns, sn / ns / 1000
		printf "\n" }'
}

results=$tmp/results
: >"$results"
r=1
while [ $r -le "$RUNS" ]; do
	for mode in $MODES; do
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
		if (med["off"] > 0) for (m in med) if (m != "off") printf "%s %s/off = %.4f\n", name, m, med[m] / med["off"]
	}' "$results"
done

echo
# The scrape: NRULES rules, each matching one event the engine evaluates (an
# event fires only its first matching rule: this way every rule matches, and
# its count is on the page), SUBSCRIBERS subscribers.
dir=$tmp/scrape
mkdir -p "$dir"
# the numbers of events that reach the rules, from a batch replay
printf -- '- rule: probe\n  desc: probe\n  condition: evt.num < 100000\n  output: "N %%evt.num"\n  priority: NOTICE\n' >"$dir/probe.yaml"
"$daemon" -r "$dir/probe.yaml" -e "$capture" 2>/dev/null | sed -n 's/.* N \([0-9]*\)$/\1/p' | head -n "$NRULES" >"$dir/nums"
awk '{ printf "- rule: bench metrics rule %d\n  desc: bench\n  condition: evt.num = %d\n", NR, $1
	printf "  output: \"r%d %%evt.type\"\n  priority: %s\n  tags: [bench]\n", NR, (NR % 2 ? "WARNING" : "NOTICE") }' \
	"$dir/nums" >"$dir/rules.yaml"
cat >"$dir/falco.yaml" <<EOC
grpc:
  bind_address: "unix://$dir/falco.sock"
  threadiness: 2
load_modules: [version, outputs, drops]
modules:
  - name: outputs
    config: {max_subscribers: $((SUBSCRIBERS + 10)), max_subscribers_per_identity: $((SUBSCRIBERS + 10))}
rules_file: [$dir/rules.yaml]
stdout_output: {enabled: false}
engine:
  capture: {file: $capture, loop: 0, rate: 0}
webserver: {enabled: true, listen_port: 0}
EOC
"$daemon" -c "$dir/falco.yaml" >"$dir/out" 2>"$dir/log" &
pid=$!
port=$(web_port "$dir/log")
[ -n "$port" ] || die "no web server: $(tail -3 "$dir/log")"
i=0
while [ $i -lt "$SUBSCRIBERS" ]; do
	"$fapictl" outputs watch --target "unix://$dir/falco.sock" >/dev/null 2>&1 &
	subs="$subs $!"
	i=$((i + 1))
done
# until every subscriber is on the page
i=0
while :; do
	curl -s "http://127.0.0.1:$port/metrics" >"$dir/page"
	nsubs=$(grep -c '^falcosecurity_apid_subscriber_delivered_total{' "$dir/page")
	[ "$nsubs" -ge "$SUBSCRIBERS" ] || [ $i -ge 120 ] && break
	sleep 0.5
	i=$((i + 1))
done
nrules=$(grep -c '^falcosecurity_falco_rules_matches_total{' "$dir/page")
: >"$dir/times"
i=0
while [ $i -lt "$SCRAPES" ]; do
	curl -s -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$port/metrics" >>"$dir/times"
	i=$((i + 1))
done
for p in $subs; do kill -TERM "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
subs=
kill -TERM "$pid"
wait "$pid"
rc=$?
pid=
[ $rc -eq 0 ] || die "daemon exited $rc: $(tail -3 "$dir/log")"
sort -n "$dir/times" | awk -v r="$nrules" -v s="$nsubs" -v b="$(wc -c <"$dir/page")" '{ x[NR] = $1 * 1000 }
END { m = NR % 2 ? x[(NR + 1) / 2] : (x[NR / 2] + x[NR / 2 + 1]) / 2
	printf "scrape: %d rules, %d subscribers on the page (%d bytes): median %.1f ms  min %.1f  max %.1f  (%d scrapes)\n", r, s, b, m, x[1], x[NR], NR }'
