#!/bin/sh
# bench-growth.sh: does the cost of an alert stay flat as the store
# grows? Alertmanager's API-v2 lists (am-lists.lua, the same bytes to
# both) into owl serve and into Alertmanager, each fresh, up to 1,000,000
# distinct alerts in two shapes:
#   growing: 10 alertnames, so 10 incidents that grow to 100,000 alerts;
#   new:     a new alertname a request (100,000 incidents of 10 alerts).
# wrk, one thread, 32 connections; the rate of each block (the first
# 10k, to 100k, then every 100k) is printed, so a slope shows. owl's read
# latencies (readlat.py) at 10k and at 1M alerts. BENCH_QUICK=1: up to
# 200,000 alerts. Figures only: nothing is asserted.
cd "$(dirname "$0")/../.." || exit 1
ROOT=$(pwd)
TOTAL=1000000
[ -n "${BENCH_QUICK:-}" ] && TOTAL=200000
TOTAL=${BENCH_GROWTH_ALERTS:-$TOTAL}
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

# block SHAPE FROM N: requests FROM/10 .. (FROM+N)/10; prints the rate
block() {
	t0=$(date +%s%N)
	THREADS=1 SHAPE=$1 POOL=$TOTAL GROUPS=10 OFFSET=$(($2 / 10)) \
		LIMIT=$(($3 / 10)) AUTH="$AUTHZ" \
		wrk -t1 -c32 -d600s -s "$LUA" "$URL" >"$W/wrk.out" 2>&1
	t1=$(date +%s%N)
	awk -v from="$2" -v n="$3" -v ns=$((t1 - t0)) -v sys="$SYS" '
		/^RESULT/ { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } }
		END { printf "     %-5s %7dk-%7dk  %8.0f alerts/s  p99 %7.2f ms  errors %d non-2xx %d\n",
		    sys, from / 1000, (from + n) / 1000, v["requests"] * 10 / (ns / 1e9),
		    v["p99_us"] / 1000, v["errors"], v["non2xx"] }' "$W/wrk.out"
}

grow() { # SYS SHAPE
	SYS=$1
	start_"$1" || return 1
	block "$2" 0 10000
	[ "$1" = owl ] && python3 "$ROOT/tests/bench/readlat.py" "$ROOT/owl" "$W/owl.db" "10k"
	block "$2" 10000 90000
	n=100000
	while [ $n -lt "$TOTAL" ]; do
		block "$2" $n 100000
		n=$((n + 100000))
	done
	echo "     $1 peak RSS: $(hwm_mib "$PID") MiB"
	if [ "$1" = owl ]; then
		stop_peer
		python3 "$ROOT/tests/bench/readlat.py" "$ROOT/owl" "$W/owl.db" "$((TOTAL / 1000))k"
		echo "     owl database: $(du -m "$W/owl.db" | cut -f1) MiB"
	fi
	stop_peer
}

echo "   load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for shape in growing new; do
	echo "   shape $shape: up to $TOTAL alerts, 10 a request (rate of each block)"
	grow am "$shape" || exit 1
	grow owl "$shape" || exit 1
	echo "   load average: $(cut -d' ' -f1-3 /proc/loadavg)"
done
