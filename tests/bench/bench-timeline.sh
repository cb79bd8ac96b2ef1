#!/bin/sh
# bench-timeline.sh: `owl timeline` of an incident of 100,000 log entries
# (an alert storm with runs, notes, a late resolve: tests/tools/
# owl-tlseed.c) to each format: wall and CPU time (medians of 5, the
# formats alternated round by round; target < 1 s each), the peak RSS
# (the export streams: it must not grow with the events; the same
# incident at 10,000 entries for comparison) and the size. Figures, not
# assertions; on a loaded machine read the CPU time and the load.
set -u
cd "$(dirname "$0")/../.." || exit 1
T=$(mktemp -d "${TMPDIR:-/tmp}/owl-bench-XXXXXX")
trap 'rm -rf "$T"' EXIT

# stat CMD...: "WALL_MS CPU_MS RSS_MIB" of one run (CPU: user + system)
stat() {
	python3 - "$@" <<'PY'
import resource, subprocess, sys, time
t = time.monotonic()
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True)
w = (time.monotonic() - t) * 1000
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print("%d %d %d" % (w, (r.ru_utime + r.ru_stime) * 1000, r.ru_maxrss // 1024))
PY
}
med() { sort -n | sed -n 3p; }

build/tools/owl-tlseed "$T/small.db" 10000 || exit 1
a=$(date +%s%N)
build/tools/owl-tlseed "$T/owl.db" 100000 || exit 1
b=$(date +%s%N)
n=$(sqlite3 "$T/owl.db" "SELECT count(*) FROM actlog WHERE incident_id = 1")
echo "   seed an incident of $n entries: $(((b - a) / 1000000)) ms"
./owl --db "$T/owl.db" timeline 1 -f csv >/dev/null || exit 1 # warm the cache
./owl --db "$T/small.db" timeline 1 -f csv >/dev/null || exit 1

for round in 1 2 3 4 5; do
	for f in md json csv html; do
		stat ./owl --db "$T/owl.db" timeline 1 -f "$f" -o "$T/out.$f" \
			>>"$T/stat-$f" || exit 1
	done
done
for f in md json csv html; do
	wall=$(cut -d' ' -f1 "$T/stat-$f" | med)
	cpu=$(cut -d' ' -f2 "$T/stat-$f" | med)
	rss=$(cut -d' ' -f3 "$T/stat-$f" | med)
	small=$(stat ./owl --db "$T/small.db" timeline 1 -f "$f" | cut -d' ' -f3)
	size=$(($(stat -c %s "$T/out.$f" 2>/dev/null || wc -c <"$T/out.$f") / 1024))
	echo "   timeline $f, $n entries: wall $wall ms, CPU $cpu ms (medians of 5; target < 1000 ms); peak RSS $rss MiB (10,000 entries: $small MiB); $size KiB"
done
for m in --summary --full; do
	echo "   timeline md $m: wall/CPU/RSS $(stat ./owl --db "$T/owl.db" timeline 1 $m -o "$T/out.md") (one run)"
done
echo "   load average: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)"
