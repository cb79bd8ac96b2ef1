#!/bin/sh
# bench-timeline.sh: `owl timeline` of an incident of 100,000 log entries
# (an alert storm with runs, notes, a late resolve: tests/tools/
# owl-tlseed.c) to each format and mode (md, md --summary, md --full,
# json, csv, html): CPU and wall time, medians of 5 rounds, the formats
# alternated round by round, each against the target (< 1 s); the peak
# RSS against its target (< 64 MiB; the export streams: it must not grow
# with the events, the same incident at 10,000 entries beside it) and
# the size. Figures, not assertions; on a loaded machine read the CPU
# time and the load average.
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
for round in 1 2 3 4 5; do
	for w in $ways; do
		name=${w%%:*}
		args=$(echo "${w#*:}" | tr : ' ')
		# shellcheck disable=SC2086
		measure ./owl --db "$T/owl.db" timeline 1 $args \
			-o "$T/out.$name" >>"$T/stat-$name" || exit 1
	done
done
load=$(cut -d' ' -f1-3 /proc/loadavg)
for w in $ways; do
	name=${w%%:*}
	args=$(echo "${w#*:}" | tr : ' ')
	wall=$(cut -d' ' -f1 "$T/stat-$name" | med)
	cpu=$(cut -d' ' -f2 "$T/stat-$name" | med)
	rss=$(cut -d' ' -f3 "$T/stat-$name" | med)
	# shellcheck disable=SC2086
	small=$(measure ./owl --db "$T/small.db" timeline 1 $args | cut -d' ' -f3)
	size=$(($(wc -c <"$T/out.$name") / 1024))
	printf '   timeline %-7s %s entries: CPU %4d ms (target < 1000 ms: %s), wall %4d ms; peak RSS %d MiB (target < 64 MiB: %s; 10,000 entries: %s MiB); %d KiB\n' \
		"$name," "$n" "$cpu" "$(verdict "$cpu" 1000)" "$wall" "$rss" \
		"$(verdict "$rss" 64)" "$small" "$size"
done
echo "   (medians of 5 rounds, the six exports alternated; load average $load at the end of the rounds, now $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores)"
