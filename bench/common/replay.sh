# Shell helpers of the benches that replay a capture through a daemon and
# read its engine's counters (bench/drops, bench/metrics, bench/forward). Sourced, not run:
#   . "$(dirname "$0")/../common/replay.sh"
# The sourcing script defines die() and $tmp before calling them.

# The capture to replay: $1 itself when it is a .scap file, else $1 is
# fapi-capgen and mix.scap is generated into $tmp. Sets $capture.
replay_capture() {
	case $1 in
	*.scap) capture=$1 ;;
	*)
		capture=$tmp/mix.scap
		"$1" mix "$capture" >/dev/null 2>&1 || die "$1 could not generate the capture"
		;;
	esac
	[ -r "$capture" ] || die "no capture $capture"
}

# events counted by the engine in the last complete sample of the stats file
events() {
	awk -F'"events": ' 'NF > 1 { split($2, a, ","); e = a[1] } END { print e + 0 }' "$1"
}
samples() {
	wc -l <"$1" | tr -d ' '
}
# the /proc task directory of the daemon $1's thread named $2, or nothing
thread_task() {
	for t in /proc/"$1"/task/*; do
		if [ "$(cat "$t/comm" 2>/dev/null)" = "$2" ]; then
			echo "$t"
			return
		fi
	done
}
# CPU ticks (utime + stime) of the daemon's thread named "engine"
engine_ticks() {
	t=$(thread_task "$1" engine)
	# fields after the ")" of comm: state is 3, utime 14, stime 15
	if [ -n "$t" ]; then sed 's/^.*) //' "$t/stat" | awk '{ print $12 + $13 }'; else echo 0; fi
}
# CPU nanoseconds of the daemon's thread named $2 (schedstat's first field)
thread_ns() {
	t=$(thread_task "$1" "$2")
	if [ -n "$t" ]; then awk '{ print $1 }' "$t/schedstat"; else echo 0; fi
}
