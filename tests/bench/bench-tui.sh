#!/bin/sh
# bench-tui.sh: `owl tui` with 10,000 open incidents and 1,000,000
# action-log rows: time from start to the first full frame (the bench
# hook OWL_TUI_BENCH_FIRST_FRAME=FILE makes owl tui write the
# microseconds since it started to FILE after its first frame, and
# stop), the whole run's wall time, and bytes written to the terminal
# for the first frame and for one `j`. Prints figures only.
cd "$(dirname "$0")/../.." || exit 1
D=$(mktemp -d "${TMPDIR:-/tmp}/owl-bench-tui-XXXXXX")
trap 'rm -rf "$D"' EXIT INT TERM
DB="$D/owl.db"

t0=$(date +%s%N)
build/tools/owl-seed "$DB" 10000 1000000 || exit 1
t1=$(date +%s%N)
echo "   seeded 10000 incidents + 1000000 log rows in $(( (t1 - t0) / 1000000 )) ms"

ff="" wall=""
for i in 1 2 3 4 5; do
	rm -f "$D/ff"
	s=$(date +%s%N)
	script -qec "stty rows 48 cols 160; TERM=xterm-256color LANG=C.UTF-8 \
OWL_TUI_BENCH_FIRST_FRAME='$D/ff' ./owl --db '$DB' tui" /dev/null \
	    >/dev/null 2>&1 </dev/null
	e=$(date +%s%N)
	[ -s "$D/ff" ] || { echo "   first frame: no figure (run $i failed)"; exit 1; }
	ff="$ff $(cat "$D/ff")"
	wall="$wall $(( (e - s) / 1000 ))"
done
median() { printf '%s\n' $1 | sort -n | sed -n 3p; }
ms() { awk -v us="$1" 'BEGIN { printf "%.1f", us / 1000 }'; }
echo "   start to first full frame (160x48): median $(ms "$(median "$ff")") ms of 5 (us:$ff)"
echo "   whole run incl. exec, open, exit (script pty): median $(ms "$(median "$wall")") ms"
python3 tests/bench/tui-pty.py ./owl "$DB" 48 160
