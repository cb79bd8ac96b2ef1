#!/bin/sh
# bench-growth.sh: does the cost of an alert stay flat as the store
# grows? Alertmanager's API-v2 lists (am-lists.lua, the same bytes to
# both) into owl serve and into Alertmanager, each fresh, up to 1,000,000
# distinct alerts in two shapes:
#   growing: 10 alertnames, so 10 incidents that grow to 100,000 alerts;
#   new:     a new alertname a request (100,000 incidents of 10 alerts).
# wrk, one thread, 32 connections; the rate of every 100k alerts is
# printed, so a slope shows, with the receiver's CPU time an alert (user
# + system, all its threads), which the load of a shared box moves less. owl's read
# latencies (readlat.py) at 10k and at 1M alerts. BENCH_QUICK=1: up to
# 200,000 alerts. BENCH_GROWTH_SHAPES: the shapes to run ("growing new").
# Figures only: nothing is asserted.
cd "$(dirname "$0")/../.." || exit 1
ROOT=$(pwd)
TOTAL=1000000
[ -n "${BENCH_QUICK:-}" ] && TOTAL=200000
TOTAL=${BENCH_GROWTH_ALERTS:-$TOTAL}
SLICE=${BENCH_GROWTH_SLICE:-10}
LUA="$ROOT/tests/bench/am-lists.lua"

for t in wrk python3 curl sqlite3 script; do
	command -v $t >/dev/null || { echo "   $t is not installed"; exit 1; }
done
[ -x /usr/bin/prometheus-alertmanager ] || { echo "   prometheus-alertmanager is not installed"; exit 1; }

W=$(mktemp -d "${TMPDIR:-/tmp}/owl-bench-growth-XXXXXX")
PID=""
cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT INT TERM
. "$ROOT/tests/bench/peers.sh"
HZ=$(getconf CLK_TCK)
# cpu_ticks PID: the process's user + system time so far, in ticks
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# wrk cannot stop after a count (a thread that stops still waits out
# -d), so the load runs in slices of SLICE seconds and the slices are
# summed into buckets of 100k alerts: bucket k's rate is its alerts over
# the time of the slices that filled it. The first slice stops at 10k
# alerts (for the reads at 10k) and idles out its -d, so its rate is not
# counted. slice SHAPE OFFSET LIMIT SECONDS: sets DONE (requests answered)
slice() {
	THREADS=1 SHAPE=$1 POOL=$((TOTAL * 2)) GROUPS=10 OFFSET=$2 LIMIT=$3 \
		AUTH="$AUTHZ" wrk -t1 -c32 -d"$4s" -s "$LUA" "$URL" >"$W/wrk.out" 2>&1
	DONE=$(sed -n 's/^RESULT requests=\([0-9]*\) .*/\1/p' "$W/wrk.out")
	ERRS=$(sed -n 's/^RESULT .* errors=\([0-9]*\) non2xx=\([0-9]*\).*/\1+\2/p' "$W/wrk.out")
	P99=$(sed -n 's/^RESULT .* p99_us=\([0-9]*\) .*/\1/p' "$W/wrk.out")
	[ -n "$DONE" ] || { echo "     wrk failed:"; sed 's/^/     /' "$W/wrk.out"; return 1; }
}

grow() { # SYS SHAPE
	SYS=$1
	start_"$1" || return 1
	slice "$2" 0 1000 10 || return 1
	n=$((DONE * 10))
	echo "     $1 first $n alerts (a slice that stops at 10k), errors $ERRS"
	[ "$1" = owl ] && python3 "$ROOT/tests/bench/readlat.py" "$ROOT/owl" "$W/owl.db" "10k"
	req=$DONE bucket_from=$n bucket_ns=0 next=100000 worst99=0
	bucket_cpu=$(cpu_ticks "$PID")
	from=$n all_ns=0
	while [ "$n" -lt "$TOTAL" ]; do
		t0=$(date +%s%N)
		# the last slice no longer than the previous one's rate needs
		# to reach TOTAL (the pool is twice TOTAL: what runs past it is
		# still new alerts, not cheaper repeats)
		secs=$SLICE
		[ "$n" -gt "$from" ] && [ "$all_ns" -gt 0 ] && secs=$(awk -v r="$rate_last" \
			-v left="$((TOTAL - n))" -v max="$SLICE" 'BEGIN {
			s = int(left / r) + 1; if (s < 2) s = 2; if (s > max) s = max; print s }')
		slice "$2" "$req" 0 "$secs" || return 1
		t1=$(date +%s%N)
		req=$((req + DONE)) n=$((n + DONE * 10))
		rate_last=$(awk -v a="$((DONE * 10))" -v ns="$((t1 - t0))" 'BEGIN { printf "%.0f", a / (ns / 1e9) + 1 }')
		bucket_ns=$((bucket_ns + t1 - t0)) all_ns=$((all_ns + t1 - t0))
		[ "$P99" -gt "$worst99" ] && worst99=$P99
		if [ "$n" -ge "$next" ] || [ "$n" -ge "$TOTAL" ]; then
			cpu=$(cpu_ticks "$PID")
			awk -v sys="$1" -v a="$bucket_from" -v b="$n" -v ns="$bucket_ns" \
			    -v p99="$worst99" -v e="$ERRS" -v t="$((cpu - bucket_cpu))" \
			    -v hz="$HZ" 'BEGIN {
				printf "     %-5s %5dk-%5dk  %8.0f alerts/s  %5.1f us CPU an alert  worst slice p99 %8.2f ms  errors %s\n",
				    sys, a / 1000, b / 1000, (b - a) / (ns / 1e9),
				    t / hz * 1e6 / (b - a), p99 / 1000, e }'
			bucket_from=$n bucket_ns=0 worst99=0 bucket_cpu=$cpu
			while [ "$next" -le "$n" ]; do next=$((next + 100000)); done
		fi
	done
	rate=$(awk -v a="$((n - from))" -v ns="$all_ns" 'BEGIN { printf "%.0f", a / (ns / 1e9) }')
	eval "RATE_$1=$rate"
	echo "     $1 $((from / 1000))k-$((n / 1000))k overall: $rate alerts/s; peak RSS: $(hwm_mib "$PID") MiB"
	if [ "$1" = owl ]; then
		stop_peer
		python3 "$ROOT/tests/bench/readlat.py" "$ROOT/owl" "$W/owl.db" "$((n / 1000))k"
		echo "     owl database: $(du -m "$W/owl.db" | cut -f1) MiB"
	fi
	stop_peer
}

echo "   load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for shape in ${BENCH_GROWTH_SHAPES:-growing new}; do
	echo "   shape $shape: up to $TOTAL alerts, 10 a request (rate of every 100k)"
	grow am "$shape" || exit 1
	grow owl "$shape" || exit 1
	awk -v o="$RATE_owl" -v a="$RATE_am" -v s="$shape" 'BEGIN {
		printf "   owl/alertmanager (%s, whole run): throughput x%.2f (one run each, Alertmanager first: a flatness bench; bench-serve.sh alternates 5 rounds)\n", s, o / a }'
	echo "   load average: $(cut -d' ' -f1-3 /proc/loadavg)"
done
