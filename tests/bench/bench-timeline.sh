#!/bin/sh
# bench-timeline.sh: `owl timeline` of an incident of 100,000 log entries
# (an alert storm with runs, notes, a late resolve: tests/tools/
# owl-tlseed.c) to each format: wall time (median of 5, formats
# alternated round by round; target < 1 s each), the peak RSS (the
# export streams: it must not grow with the events) and the size.
# Figures, not assertions.
set -u
cd "$(dirname "$0")/../.." || exit 1
T=$(mktemp -d "${TMPDIR:-/tmp}/owl-bench-XXXXXX")
trap 'rm -rf "$T"' EXIT
DB="$T/owl.db"

ms() { echo $(($(date +%s%N) / 1000000)); }

t0=$(ms)
build/tools/owl-tlseed "$DB" 100000 || exit 1
t1=$(ms)
n=$(sqlite3 "$DB" "SELECT count(*) FROM actlog WHERE incident_id = 1")
echo "   seed an incident of $n entries: $((t1 - t0)) ms"
./owl --db "$DB" timeline 1 -f csv >/dev/null || exit 1 # warm the cache

for f in md json csv html; do : >"$T/times-$f"; done
for round in 1 2 3 4 5; do
	for f in md json csv html; do
		a=$(ms)
		./owl --db "$DB" timeline 1 -f "$f" -o "$T/out.$f" || exit 1
		b=$(ms)
		echo $((b - a)) >>"$T/times-$f"
	done
done
rss() {
	python3 - "$@" <<'PY'
import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)
PY
}
for f in md json csv html; do
	med=$(sort -n "$T/times-$f" | sed -n 3p)
	all=$(tr '\n' ' ' <"$T/times-$f")
	mb=$(rss ./owl --db "$DB" timeline 1 -f "$f")
	size=$(($(stat -c %s "$T/out.$f") / 1024))
	echo "   timeline $f, $n entries: $med ms median of 5 [$all] (target < 1000 ms); peak RSS $mb MiB; $size KiB"
done
for m in --summary --full; do
	a=$(ms)
	./owl --db "$DB" timeline 1 $m -o "$T/out.md" || exit 1
	b=$(ms)
	echo "   timeline md $m: $((b - a)) ms (one run)"
done
echo "   load average: $(cut -d' ' -f1-3 /proc/loadavg)"
