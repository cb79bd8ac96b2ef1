#!/bin/sh
# bench-pg.sh: ingest side by side in one run (issue 18), the same bytes to
# every receiver: the alert lists Prometheus POSTs to Alertmanager's
# /api/v2/alerts (am-lists.lua), 10 alerts a request, 32 connections:
#   am          Debian's Alertmanager 0.25 (in memory, never fsyncs);
#   sqlite      owl serve on SQLite (2xx after COMMIT, synchronous=FULL);
#   pg x1       owl serve on PostgreSQL, one node;
#   pg x2 both  two owl serve nodes on one PostgreSQL database, every list
#               POSTed to both (Alertmanager with two webhook URLs): each
#               alert arrives twice and is stored once, so alerts/s counts
#               accepted alerts, not requests (2xx deliveries / 2);
#   pg x2 split the same two nodes behind a round-robin balancer: request
#               n to node n % 2, each alert once.
# Shapes (the same pool of distinct alerts for every receiver):
#   growing  10,000 alerts in 10 alertnames (10 incidents that grow to
#            1,000 alerts, then every delivery repeats);
#   new      every request a new alertname (a new incident each).
# Each run starts fresh receivers with empty state (a new Alertmanager, a
# new SQLite file, a new PostgreSQL database); the PostgreSQL cluster is
# this benchmark's own (tests/pg.sh: initdb in a temporary directory,
# unprivileged, 127.0.0.1, fsync and full_page_writes ON as in
# production, defaults otherwise), started once and stopped by its pid.
# The receivers' order rotates every round. Per run: alerts/s, p50/p99
# (two nodes: the worse node's), errors, memory and CPU per alert:
#   RSS   owl: peak RSS (VmHWM; both nodes summed); PostgreSQL rows add
#         the server: the PSS of the postmaster and all its processes at
#         the end of the run, owl still connected (shared buffers split
#         among the processes, not counted once per backend);
#   CPU   the receivers' CPU time (user + system) over the run divided by
#         the alerts accepted: owl + PostgreSQL's processes for PG rows;
#         the steadier figure on a loaded machine (wrk not counted).
# Prints each run, the medians of the rounds, the ratios to Alertmanager
# and to owl on SQLite, and the load average. Nothing is asserted.
# BENCH_QUICK=1: 3 rounds of 3 s, growing only. BENCH_PG_ROUNDS,
# BENCH_PG_DURATION (s), BENCH_PG_SHAPES ("growing new"), BENCH_PG_SYSTEMS
# ("am sqlite pg1 pg2both pg2split": which receivers) override.
# BENCH_PG_BASE=PATH: another owl binary (the one before a change) run
# as receivers "sqlite-base" and "pg1-base" too (beside sqlite and pg1), alternated with the
# others in the same rounds: before and after under the same load.
cd "$(dirname "$0")/../.." || exit 1
ROOT=$(pwd)
if [ -n "${BENCH_QUICK:-}" ]; then
	DUR=3 ROUNDS=3 SHAPES=growing
else
	DUR=4 ROUNDS=5 SHAPES="growing new"
fi
DUR=${BENCH_PG_DURATION:-$DUR}
ROUNDS=${BENCH_PG_ROUNDS:-$ROUNDS}
SHAPES=${BENCH_PG_SHAPES:-$SHAPES}
LUA="$ROOT/tests/bench/am-lists.lua"

for t in wrk python3 curl; do
	command -v $t >/dev/null || { echo "   $t is not installed"; exit 1; }
done
[ -x /usr/bin/prometheus-alertmanager ] || { echo "   prometheus-alertmanager is not installed"; exit 1; }

W=$(mktemp -d "${TMPDIR:-/tmp}/owl-bench-pg-XXXXXX")
PID="" PID2="" PG_DIR=""
. "$ROOT/tests/pg.sh"
cleanup() {
	for p in $PID $PID2; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
	pg_stop
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
. "$ROOT/tests/bench/peers.sh"

SYSTEMS=${BENCH_PG_SYSTEMS:-am sqlite pg1 pg2both pg2split}
if [ -n "${BENCH_PG_BASE:-}" ]; then
	[ -x "$BENCH_PG_BASE" ] || { echo "   BENCH_PG_BASE: no program at $BENCH_PG_BASE"; exit 1; }
	for b in sqlite pg1; do
		case " $SYSTEMS " in *" $b "*) SYSTEMS="$SYSTEMS $b-base" ;; esac
	done
fi
if [ -x "${PG_BIN:-/nonexistent}/initdb" ]; then
	PG_FSYNC=on pg_start 2>"$W/pg.err" || {
		echo "   PostgreSQL did not start: $(tail -1 "$W/pg.err"); PostgreSQL rows left out"
		PG_DIR="" SYSTEMS=$(echo "$SYSTEMS" | sed 's/pg[a-z0-9-]*//g')
	}
else
	echo "   no PostgreSQL server binaries (sh .ci/deps test): PostgreSQL rows left out"
	SYSTEMS=$(echo "$SYSTEMS" | sed 's/pg[a-z0-9-]*//g')
fi
PGPID=""
[ -n "$PG_DIR" ] && PGPID=$(pg_pid)

# node DB LOG: one owl serve on DB (a path or URL), bearer auth, its
# per-request lines to LOG; sets NPID and NURL.
node() {
	: >"$2"
	OWL_DB="$1" "$OWLBIN" serve --listen 127.0.0.1:0 \
		--token-file "$W/tokens" 2>"$2" &
	NPID=$!
	i=0
	while ! grep -q "listening on" "$2"; do
		i=$((i + 1))
		if [ $i -ge 300 ] || ! kill -0 "$NPID" 2>/dev/null; then
			echo "   owl serve did not start:"; sed 's/^/   /' "$2"; return 1
		fi
		sleep 0.1
	done
	NURL=$(sed -n 's/.*listening on \(http:\/\/127\.0\.0\.1:[0-9]*\).*/\1/p' "$2")/v1/alerts/alertmanager
}

# start SYS: fresh receiver(s) for SYS: PID (and PID2), URL (and URL2)
DBN=0
start() {
	PID2="" URL2="" OWLBIN=$ROOT/owl
	case $1 in *-base) OWLBIN=$BENCH_PG_BASE ;; esac
	case $1 in
	am) start_am; return ;;
	sqlite*)
		rm -f "$W/owl.db" "$W/owl.db-wal" "$W/owl.db-shm"
		DB="$W/owl.db"
		;;
	pg*)
		DBN=$((DBN + 1))
		DB=$(pg_url "owl_bench_$DBN")
		pg_createdb "owl_bench_$DBN" || return 1
		;;
	esac
	AUTHZ="Bearer bench-token"
	node "$DB" "$W/owl.log" || return 1
	PID=$NPID URL=$NURL
	case $1 in pg2*)
		node "$DB" "$W/owl2.log" || return 1
		PID2=$NPID URL2=$NURL
		;;
	esac
}

stop() {
	for p in $PID $PID2; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	PID="" PID2=""
	case $1 in pg*) pg_dropdb "owl_bench_$DBN" 2>/dev/null ;; esac
}

# load OUT CONNS OFFSET STEP URL: one wrk (one thread) of the shape's
# lists from request OFFSET, every STEP-th
load() {
	THREADS=$4 SHAPE=$SHAPE POOL=10000 GROUPS=10 OFFSET=$3 AUTH="$AUTHZ" \
		wrk -t1 -c"$2" -d"${DUR}s" -s "$LUA" "$5" >"$1" 2>&1
}

# kids PID...: their direct children (PostgreSQL's backends and helpers)
kids() { for p; do cat /proc/"$p"/task/*/children 2>/dev/null; done; }
# cpu_ms PID...: CPU ms (user + system) of them, their live children and
# the children they reaped: a sample before and after a run
cpu_ms() {
	for p in "$@" $(kids "$@"); do cat "/proc/$p/stat" 2>/dev/null; echo; done |
		awk -v hz="$(getconf CLK_TCK)" 'NF { sub(/.*\) /, ""); t += $12 + $13 + $14 + $15 }
		END { printf "%d\n", t * 1000 / hz }'
}
# pss_mib PID...: the sum of their and their children's PSS (a shared
# page, such as shared buffers, split among the processes that map it)
pss_mib() {
	for p in "$@" $(kids "$@"); do cat "/proc/$p/smaps_rollup" 2>/dev/null; done |
		awk '/^Pss:/ { s += $2 } END { printf "%.1f\n", s / 1024 }'
}
# cpu_all: the receivers' CPU ms so far (owl or Alertmanager, + PG's)
cpu_all() { cpu_ms $PID $PID2 $PG_CPU; }

# run SYS: one run; appends "rate= p50_us= p99_us= errors= rss= owlrss=
# pgrss= cpu_us= pgcpu_us=" to $W/SYS-SHAPE.res and prints it
run() {
	start "$1" || return 1
	PG_CPU=""
	case $1 in pg*) PG_CPU=$PGPID ;; esac
	c0=$(cpu_all) p0=0
	[ -n "$PG_CPU" ] && p0=$(cpu_ms "$PG_CPU")
	case $1 in
	am | sqlite* | pg1*)
		# two threads, each every other list (as bench-serve.sh)
		load "$W/a.out" 16 0 2 "$URL" &
		la=$!
		load "$W/b.out" 16 1 2 "$URL"
		;;
	pg2both)
		# the same lists, in the same order, to both nodes
		load "$W/a.out" 16 0 1 "$URL" &
		la=$!
		load "$W/b.out" 16 0 1 "$URL2"
		;;
	pg2split)
		load "$W/a.out" 16 0 2 "$URL" &
		la=$!
		load "$W/b.out" 16 1 2 "$URL2"
		;;
	esac
	wait $la
	c1=$(cpu_all) p1=0
	[ -n "$PG_CPU" ] && p1=$(cpu_ms "$PG_CPU")
	owlrss=$(hwm_mib "$PID")
	[ -n "$PID2" ] && owlrss=$(awk -v a="$owlrss" -v b="$(hwm_mib "$PID2")" 'BEGIN { print a + b }')
	pgrss=0
	[ -n "$PG_CPU" ] && pgrss=$(pss_mib "$PGPID")
	stop "$1"
	for f in a b; do
		grep -q "^RESULT" "$W/$f.out" || { echo "   wrk failed:"; sed 's/^/   /' "$W/$f.out"; return 1; }
	done
	div=1
	[ "$1" = pg2both ] && div=2
	line=$(cat "$W/a.out" "$W/b.out" | awk -v div=$div -v cpu=$((c1 - c0)) -v pcpu=$((p1 - p0)) \
		-v orss="$owlrss" -v prss="$pgrss" '/^RESULT/ {
		for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		req += v["requests"]; dur += v["duration_us"]; n++
		err += v["errors"] + v["non2xx"]
		if (v["p50_us"] > p50) p50 = v["p50_us"]
		if (v["p99_us"] > p99) p99 = v["p99_us"]
	} END {
		alerts = req * 10 / div
		printf "rate=%.1f p50_us=%d p99_us=%d errors=%d rss=%.1f owlrss=%.1f pgrss=%.1f cpu_us=%.1f pgcpu_us=%.1f\n",
		    alerts / (dur / n / 1e6), p50, p99, err, orss + prss, orss, prss,
		    (alerts > 0 ? cpu * 1000 / alerts : 0), (alerts > 0 ? pcpu * 1000 / alerts : 0) }')
	echo "$line" >>"$W/$1-$SHAPE.res"
	echo "$line" | awk -v n="$(label "$1")" '{
		for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		printf "   %-16s %7.0f alerts/s  p50 %7.1f ms  p99 %7.1f ms  RSS %6.1f MiB  CPU %6.1f us/alert  errors %d\n",
		    n, v["rate"], v["p50_us"] / 1000, v["p99_us"] / 1000, v["rss"], v["cpu_us"], v["errors"] }'
}

label() {
	case $1 in
	am) echo "alertmanager" ;; sqlite) echo "owl sqlite" ;; pg1) echo "owl pg x1" ;;
	sqlite-base) echo "base sqlite" ;; pg1-base) echo "base pg x1" ;;
	pg2both) echo "owl pg x2 both" ;; pg2split) echo "owl pg x2 split" ;;
	esac
}

# median SYS FIELD: over the rounds of $SHAPE
median() {
	[ -s "$W/$1-$SHAPE.res" ] || { echo 0; return; }
	awk -v f="$2" '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); if (kv[1] == f) print kv[2] } }' \
		"$W/$1-$SHAPE.res" | sort -g | awk '{ a[NR] = $1 }
		END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

echo "bench-token" >"$W/tokens"
echo "   load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
[ -n "$PG_DIR" ] && echo "   PostgreSQL $("$PG_BIN/postgres" --version | sed 's/^[^0-9]*//') on 127.0.0.1 (fsync on, synchronous_commit on), SQLite synchronous=FULL, same disk"
echo "   32 connections, ${DUR}s a run, $ROUNDS rounds, 10 alerts a request, fresh receivers a run, order rotating"
for SHAPE in $SHAPES; do
	echo "   shape $SHAPE:"
	r=1
	while [ "$r" -le "$ROUNDS" ]; do
		# rotate the order: round r starts with the r-th receiver
		set -- $SYSTEMS
		k=1
		while [ $k -lt "$r" ]; do first=$1; shift; set -- "$@" "$first"; k=$((k + 1)); done
		for sys in "$@"; do run "$sys" || exit 1; done
		r=$((r + 1))
	done
	echo "   medians of $ROUNDS rounds ($SHAPE), load average $(cut -d' ' -f1-3 /proc/loadavg):"
	am=$(median am rate) am99=$(median am p99_us) amrss=$(median am rss) amcpu=$(median am cpu_us)
	sq=$(median sqlite rate) sq99=$(median sqlite p99_us) sqrss=$(median sqlite rss) sqcpu=$(median sqlite cpu_us)
	printf '   %-16s %8s %7s %7s %7s %7s %7s %6s  %-20s%s\n' "" alerts/s "p99 ms" "RSS MiB" "(of PG)" "us CPU" "(of PG)" errors \
		"  /alertmanager" "  /owl sqlite"
	printf '   %-16s %8s %7s %7s %7s %7s %7s %6s  %5s %5s %5s   %5s %5s %5s\n' "" "" "" "" "" /alert "" "" \
		rate p99 RSS rate p99 RSS
	for sys in $SYSTEMS; do
		awk -v n="$(label "$sys")" -v r="$(median "$sys" rate)" -v p="$(median "$sys" p99_us)" \
			-v m="$(median "$sys" rss)" -v pm="$(median "$sys" pgrss)" -v c="$(median "$sys" cpu_us)" \
			-v pc="$(median "$sys" pgcpu_us)" \
			-v e="$(cat "$W/$sys-$SHAPE.res" | sed 's/.*errors=\([0-9]*\).*/\1/' | awk '{ s += $1 } END { print s + 0 }')" \
			-v a="$am" -v a99="$am99" -v arss="$amrss" -v s="$sq" -v s99="$sq99" -v srss="$sqrss" 'BEGIN {
			printf "   %-16s %8.0f %7.1f %7.1f %7s %7.1f %7s %6d  %5.2f %5.2f %5.2f   %5.2f %5.2f %5.2f\n",
			    n, r, p / 1000, m, (pm > 0 ? sprintf("%.1f", pm) : "-"), c,
			    (pm > 0 ? sprintf("%.1f", pc) : "-"), e,
			    r / a, p / a99, m / arss, r / s, p / s99, m / srss }'
	done
done
echo "   RSS: owl's peak RSS (two nodes: summed); pg rows add the PostgreSQL server's"
echo "     PSS (postmaster and all its processes, at the end of the run, owl connected)"
echo "   us CPU/alert: the receivers' CPU time (pg rows: owl + the PostgreSQL server,"
echo "     the server's part in the next column) per accepted alert; wrk not counted"
echo "   x2 both: every list POSTed to both nodes (Alertmanager with two webhook URLs),"
echo "     each alert counted once (2xx deliveries / 2); x2 split: round-robin, request"
echo "     n to node n % 2; p99 of two nodes: the worse node's"
echo "   errors: transport errors + non-2xx, over all rounds"
echo "   load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
