#!/bin/sh
# bench-serve.sh: `owl serve` (durable: a 2xx only after an fdatasync
# of the WAL begun after its COMMIT) against Debian's Alertmanager 0.25
# (in memory, never fsyncs), the same bytes to both: the alert lists Prometheus POSTs to
# /api/v2/alerts (am-lists.lua), 10 alerts a request, in two shapes:
#   growing: a pool of 10,000 alerts in 10 alertnames (10 incidents that
#            grow to 1,000 alerts each, then every delivery repeats);
#   new:     every request a new alertname (a new incident each).
#   new+tls: "new" again with both serving HTTPS (one certificate, RSA
#            2048; wrk keeps its connections open: one handshake each).
# Each run starts a fresh process with empty state (a new Alertmanager, a
# new owl database); runs alternate (which goes first swaps each round);
# wrk, 32 connections on loopback, DUR seconds. Prints each run, then the
# medians of the rounds, the ratio owl/Alertmanager and the load average.
# BENCH_QUICK=1: 3 rounds of 4 s. Figures only: nothing is asserted.
cd "$(dirname "$0")/../.." || exit 1
ROOT=$(pwd)
if [ -n "${BENCH_QUICK:-}" ]; then DUR=4 ROUNDS=3; else DUR=10 ROUNDS=5; fi
DUR=${BENCH_SERVE_DURATION:-$DUR}
ROUNDS=${BENCH_SERVE_ROUNDS:-$ROUNDS}
CONNS=32
AMBIN=/usr/bin/prometheus-alertmanager
LUA="$ROOT/tests/bench/am-lists.lua"

for t in wrk python3 curl; do
	command -v $t >/dev/null || { echo "   $t is not installed"; exit 1; }
done
[ -x "$AMBIN" ] || { echo "   prometheus-alertmanager is not installed"; exit 1; }

W=$(mktemp -d "${TMPDIR:-/tmp}/owl-bench-serve-XXXXXX")
PID=""
cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT INT TERM
. "$ROOT/tests/bench/peers.sh"

# run SYS SHAPE: a fresh receiver, one wrk run, its RESULT and peak RSS
# appended to SYS-SHAPE.res (SHAPE+tls: SHAPE over HTTPS)
run() {
	case $2 in *+tls) TLS=1 ;; *) TLS=0 ;; esac
	start_"$1" || return 1
	THREADS=2 SHAPE=${2%+tls} POOL=10000 GROUPS=10 AUTH="$AUTHZ" \
		wrk -t2 -c$CONNS -d"${DUR}s" -s "$LUA" "$URL" >"$W/wrk.out" 2>&1
	res=$(grep "^RESULT" "$W/wrk.out")
	rss=$(hwm_mib "$PID")
	stop_peer
	[ -n "$res" ] || { echo "   wrk failed:"; sed 's/^/   /' "$W/wrk.out"; return 1; }
	echo "$res rss=$rss" >>"$W/$1-$2.res"
	echo "$res rss=$rss" | awk -v n="$1 $2" '{
		for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		printf "   %-18s %8.0f alerts/s  p50 %7.2f ms  p99 %7.2f ms  errors %d non-2xx %d  RSS %s MiB\n",
		    n, v["requests"] * 10 / (v["duration_us"] / 1e6),
		    v["p50_us"] / 1000, v["p99_us"] / 1000, v["errors"], v["non2xx"], v["rss"] }'
}

echo "   load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "   $CONNS connections, ${DUR}s a run, $ROUNDS rounds, 10 alerts a request, fresh process a run"
r=1
while [ "$r" -le "$ROUNDS" ]; do
	for shape in growing new new+tls; do
		if [ $((r % 2)) = 1 ]; then order="am owl"; else order="owl am"; fi
		for sys in $order; do run "$sys" "$shape" || exit 1; done
	done
	r=$((r + 1))
done

# median NAME FIELD: the median of a field over the rounds
median() {
	awk -v f="$2" '{ for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		x = f == "rate" ? v["requests"] * 10 / (v["duration_us"] / 1e6) : v[f]
		print x }' "$W/$1.res" | sort -g | awk '{ a[NR] = $1 }
		END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
echo
echo "   medians of $ROUNDS rounds:"
for shape in growing new new+tls; do
	for sys in am owl; do
		printf '   %-18s %8.0f alerts/s  p50 %7.2f ms  p99 %7.2f ms  RSS %6.1f MiB\n' \
			"$sys $shape" "$(median "$sys-$shape" rate)" \
			"$(awk -v x="$(median "$sys-$shape" p50_us)" 'BEGIN { print x / 1000 }')" \
			"$(awk -v x="$(median "$sys-$shape" p99_us)" 'BEGIN { print x / 1000 }')" \
			"$(median "$sys-$shape" rss)"
	done
	awk -v o="$(median "owl-$shape" rate)" -v a="$(median "am-$shape" rate)" \
		-v o99="$(median "owl-$shape" p99_us)" -v a99="$(median "am-$shape" p99_us)" \
		-v orss="$(median "owl-$shape" rss)" -v arss="$(median "am-$shape" rss)" \
		-v s="$shape" 'BEGIN {
		printf "   owl/alertmanager (%s): throughput x%.2f, p99 x%.2f, peak RSS x%.2f\n",
		    s, o / a, o99 / a99, orss / arss }'
done
echo "   load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
