#!/bin/sh
# bench-timeline.sh: `owl timeline` of an incident of 100,000 log entries
# to each format and mode (md, md --summary, md --full, json, csv,
# html): CPU and wall time, medians of 5 rounds, the formats alternated
# round by round, each against the target (< 1 s); the peak RSS against
# its target (< 64 MiB; the export streams: it must not grow with the
# events) and the size. Two incidents:
#   seeded: an alert storm with runs, notes, a late resolve, written
#     in one piece (tests/tools/owl-tlseed.c; the same incident at
#     10,000 entries beside it for the RSS);
#   storm: a real storm as owl serve stores it: BENCH_STORM_GROUPS
#     (default 4) incidents growing together to 100,000 alerts each
#     (Alertmanager's API-v2 lists, am-lists.lua's growing shape, the
#     same alert bytes), stored by `owl ingest` with the actor serve
#     gives Alertmanager: the same log rows as serve writes, the
#     incidents' rows interleaved over the log's pages as a storm
#     leaves them (about one of the incident's rows a page: each pass
#     over SQLite reads a page a row). INC-1's timeline.
# Figures, not assertions; on a loaded machine read the CPU time and
# the load average.
set -u
cd "$(dirname "$0")/../.." || exit 1
T=$(mktemp -d "${TMPDIR:-/tmp}/owl-bench-XXXXXX")
trap 'rm -rf "$T"' EXIT

# measure CMD...: "WALL_MS CPU_MS RSS_MIB" of one run (CPU: user +
# system)
measure() {
	python3 - "$@" <<'PY'
import os, subprocess, sys, time
t = time.monotonic()
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, ru = os.wait4(p.pid, 0)
w = (time.monotonic() - t) * 1000
if os.waitstatus_to_exitcode(status) not in (0, 3):
    sys.exit(1)
print("%d %d %d" % (w, (ru.ru_utime + ru.ru_stime) * 1000,
                    ru.ru_maxrss // 1024))
PY
}
med() { sort -n | sed -n 3p; }
verdict() { # VALUE TARGET: "met" or "NOT met"
	[ "$1" -lt "$2" ] && echo met || echo "NOT met"
}

build/tools/owl-tlseed "$T/small.db" 10000 || exit 1
a=$(date +%s%N)
build/tools/owl-tlseed "$T/owl.db" 100000 || exit 1
b=$(date +%s%N)
n=$(sqlite3 "$T/owl.db" "SELECT count(*) FROM actlog WHERE incident_id = 1")
echo "   seed an incident of $n entries: $(((b - a) / 1000000)) ms"
./owl --db "$T/owl.db" timeline 1 -f csv >/dev/null || exit 1 # warm the cache
./owl --db "$T/small.db" timeline 1 -f csv >/dev/null || exit 1

# each way of exporting: a name for the files, then owl's arguments
ways="md:-f:md summary:--summary:-f:md full:--full:-f:md json:-f:json csv:-f:csv html:-f:html"

# rounds DB INC TAG: five rounds of the six exports of INC, alternated
rounds() {
	for round in 1 2 3 4 5; do
		for w in $ways; do
			name=${w%%:*}
			args=$(echo "${w#*:}" | tr : ' ')
			# shellcheck disable=SC2086
			measure ./owl --db "$1" timeline "$2" $args \
				-o "$T/out.$3.$name" >>"$T/stat-$3-$name" || return 1
		done
	done
}

# report DB INC TAG ENTRIES [SMALLDB]: the medians of the rounds
report() {
	load=$(cut -d' ' -f1-3 /proc/loadavg)
	for w in $ways; do
		name=${w%%:*}
		args=$(echo "${w#*:}" | tr : ' ')
		wall=$(cut -d' ' -f1 "$T/stat-$3-$name" | med)
		cpu=$(cut -d' ' -f2 "$T/stat-$3-$name" | med)
		rss=$(cut -d' ' -f3 "$T/stat-$3-$name" | med)
		small=""
		if [ -n "${5:-}" ]; then
			# shellcheck disable=SC2086
			small="; 10,000 entries: $(measure ./owl --db "$5" timeline 1 $args | cut -d' ' -f3) MiB"
		fi
		size=$(($(wc -c <"$T/out.$3.$name") / 1024))
		printf '   timeline %-6s %-9s %s entries: CPU %4d ms (target < 1000 ms: %s), wall %4d ms; peak RSS %d MiB (target < 64 MiB: %s%s); %d KiB\n' \
			"$3" "$name," "$4" "$cpu" "$(verdict "$cpu" 1000)" "$wall" "$rss" \
			"$(verdict "$rss" 64)" "$small" "$size"
	done
	echo "   (medians of 5 rounds, the six exports alternated; load average $load at the end of the rounds, now $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores)"
}

rounds "$T/owl.db" 1 seeded || exit 1
report "$T/owl.db" 1 seeded "$n" "$T/small.db"
rm -f "$T/owl.db" "$T"/out.*

# The storm: 100,000 alerts a list (am-lists.lua's alert, the same
# bytes), alertname Storm(j % GROUPS): the incidents grow together.
G=${BENCH_STORM_GROUPS:-4}
storm_list() { # FROM TO
	python3 - "$1" "$2" "$G" <<'PY'
import sys
a, b, g = (int(x) for x in sys.argv[1:4])
out = []
for j in range(a, b):
    name = "Storm%d" % (j % g)
    out.append('{"labels":{"alertname":"%s","instance":"node-%d:9100",'
               '"job":"node","severity":"%s"},"annotations":{"summary":'
               '"%s on node-%d","description":"Synthetic storm for the owl '
               'benchmark, alert %d"},"startsAt":"2026-11-29T15:52:42.000Z",'
               '"generatorURL":"http://prometheus:9090/graph?g0.expr=up"}'
               % (name, j, "critical" if j % 3 == 0 else "warning", name, j,
                  j))
sys.stdout.write("[" + ",".join(out) + "]")
PY
}
a=$(date +%s%N)
k=0
while [ "$k" -lt "$G" ]; do
	storm_list $((k * 100000)) $(((k + 1) * 100000)) >"$T/list.json" || exit 1
	OWL_ACTOR=alertmanager ./owl --db "$T/storm.db" ingest "$T/list.json" \
		>/dev/null 2>&1 || exit 1
	k=$((k + 1))
done
rm -f "$T/list.json"
b=$(date +%s%N)
n=$(sqlite3 "$T/storm.db" "SELECT count(*) FROM actlog WHERE incident_id = 1")
echo "   storm: $G incidents of 100,000 alerts ingested together: $(((b - a) / 1000000)) ms; INC-1 has $n entries, $(du -m "$T/storm.db" | cut -f1) MiB database"
./owl --db "$T/storm.db" timeline 1 -f csv >/dev/null || exit 1 # the checkpoint, the cache
rounds "$T/storm.db" 1 storm || exit 1
report "$T/storm.db" 1 storm "$n"
