#!/bin/sh
# tests/bench/run.sh: `make bench` runs every tests/bench/bench-*.sh in
# order and prints their figures. Benchmarks never fail the build: a
# missing peer or a failed run is reported as such and the rest go on.
cd "$(dirname "$0")/../.." || exit 0
echo "owl benchmarks ($(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores)"
for b in tests/bench/bench-*.sh; do
	[ -f "$b" ] || continue
	echo
	echo "== $(basename "$b" .sh | sed 's/^bench-//')"
	sh "$b" || echo "   (this benchmark did not complete: exit $?)"
done
exit 0
