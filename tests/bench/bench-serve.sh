#!/bin/sh
# bench-serve.sh: `owl serve` (durable: 2xx after COMMIT with
# synchronous=FULL) against Debian's Alertmanager 0.25 POST /api/v2/alerts
# (in memory, never fsyncs), side by side and alternating, same load:
# wrk, 32 connections on loopback, 10 s per run, bodies of 10 distinct
# alerts cycling through 100 groups (serve-bodies.lua). Prints alerts/s,
# p50, p99 and peak RSS for both, and the ratio owl/Alertmanager.
# Figures only: nothing is asserted.
cd "$(dirname "$0")/../.." || exit 1
ROOT=$(pwd)
DUR=${BENCH_SERVE_DURATION:-10}
ROUNDS=${BENCH_SERVE_ROUNDS:-2}
CONNS=32
AMBIN=/usr/bin/prometheus-alertmanager
LUA="$ROOT/tests/bench/serve-bodies.lua"

for t in wrk python3 curl; do
	command -v $t >/dev/null || { echo "   $t is not installed"; exit 1; }
done
[ -x "$AMBIN" ] || { echo "   prometheus-alertmanager is not installed"; exit 1; }

W=$(mktemp -d "${TMPDIR:-/tmp}/owl-bench-serve-XXXXXX")
AMPID=""; OWLPID=""
cleanup() {
	[ -n "$AMPID" ] && kill "$AMPID" 2>/dev/null
	[ -n "$OWLPID" ] && kill "$OWLPID" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT INT TERM

port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
wait_url() { # URL: up to 15 s
	i=0
	while ! curl -sf -o /dev/null "$1"; do
		i=$((i + 1)); [ $i -ge 150 ] && return 1; sleep 0.1
	done
}
hwm_mib() { awk '/^VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }

# Alertmanager: its receiver sends nothing, so it only ingests.
AMPORT=$(port)
mkdir -p "$W/am"
printf 'route:\n  receiver: none\nreceivers:\n  - name: none\n' >"$W/am.yml"
"$AMBIN" --config.file="$W/am.yml" --storage.path="$W/am" \
	--web.listen-address="127.0.0.1:$AMPORT" --cluster.listen-address= \
	--log.level=error >"$W/am.log" 2>&1 &
AMPID=$!
wait_url "http://127.0.0.1:$AMPORT/-/ready" || { echo "   alertmanager did not start"; exit 1; }

# owl serve: bearer auth, per-request log lines kept (to a file)
echo "bench-token" >"$W/tokens"
OWL_DB="$W/owl.db" "$ROOT/owl" serve --listen 127.0.0.1:0 \
	--token-file "$W/tokens" 2>"$W/owl.log" &
OWLPID=$!
i=0
while ! grep -q "listening on" "$W/owl.log"; do
	i=$((i + 1)); [ $i -ge 150 ] && { echo "   owl serve did not start"; exit 1; }
	sleep 0.1
done
OWLPORT=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$W/owl.log")

# run NAME FORMAT URL AUTH: one wrk run; appends its RESULT line to NAME.res
run() {
	FORMAT=$2 AUTH="$4" wrk -t2 -c$CONNS -d"${DUR}s" -s "$LUA" "$3" \
		>"$W/wrk.out" 2>&1
	res=$(grep "^RESULT" "$W/wrk.out")
	[ -n "$res" ] || { echo "   wrk failed:"; sed 's/^/   /' "$W/wrk.out"; return 1; }
	echo "$res" >>"$W/$1.res"
	echo "$res" | awk -v n="$1" '{
		for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		printf "   %-13s %8.0f alerts/s  p50 %6.2f ms  p99 %6.2f ms  errors %d non-2xx %d\n",
		    n, v["requests"] * 10 / (v["duration_us"] / 1e6),
		    v["p50_us"] / 1000, v["p99_us"] / 1000, v["errors"], v["non2xx"] }'
}

echo "   $CONNS connections, ${DUR}s per run, $ROUNDS rounds, 10 alerts per request"
r=1
while [ $r -le "$ROUNDS" ]; do
	run alertmanager am-api "http://127.0.0.1:$AMPORT/api/v2/alerts" "" || exit 1
	run owl webhook "http://127.0.0.1:$OWLPORT/v1/alerts/alertmanager" \
		"Bearer bench-token" || exit 1
	r=$((r + 1))
done
AMRSS=$(hwm_mib "$AMPID")
OWLRSS=$(hwm_mib "$OWLPID")
ROWS=$(sqlite3 "$W/owl.db" "SELECT count(*) || ' alerts, ' || sum(count) || ' deliveries' FROM alerts" 2>/dev/null)
SYNC=$(grep -c . "$W/owl.log")

# means over the rounds
summary() { # NAME RSS
	awk -v n="$1" -v rss="$2" '{
		for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		rate += v["requests"] * 10 / (v["duration_us"] / 1e6)
		p50 += v["p50_us"]; p99 += v["p99_us"]; k++ }
		END { printf "%s %.0f %.2f %.2f %s\n", n, rate / k, p50 / k / 1000,
		    p99 / k / 1000, rss }' "$W/$1.res"
}
summary alertmanager "$AMRSS" >"$W/sum"
summary owl "$OWLRSS" >>"$W/sum"
echo
awk '{ printf "   %-13s %8.0f alerts/s  p50 %6.2f ms  p99 %6.2f ms  peak RSS %6.1f MiB\n",
	$1 " (mean)", $2, $3, $4, $5 }' "$W/sum"
awk 'NR == 1 { a = $2; a99 = $4; arss = $5 } NR == 2 {
	printf "   owl/alertmanager: throughput x%.2f, p99 x%.2f, peak RSS x%.2f\n",
	    $2 / a, $4 / a99, $5 / arss }' "$W/sum"
echo "   owl stored: $ROWS (durable, synchronous=FULL; $SYNC log lines)"
