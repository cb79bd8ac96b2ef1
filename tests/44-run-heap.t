#!/bin/sh
# 44-run-heap.t: owl run and owl apply keep malloc's heap in transparent
# huge pages (engine/heap.c): a run's heap is a few hundred KiB of small
# blocks, and on a VM with shadow paging each 4 KiB page fault costs
# 10-35 us. The heap starts at a random place: wherever it starts, what
# is allocated after heap_huge is in huge pages (one fault per 2 MiB).
# It was not when the heap's end lay less than ~1 MiB under a 2 MiB
# boundary (about half the runs, ~135 faults, ~2 ms of CPU more): the
# probe block's split wrote a header into the first huge range, which
# then had a page table and stayed in small pages. The runbook worker
# (owl-worker) lays its heap out so too, before it confines itself.
. "$(dirname "$0")/lib.sh"
newdb # owl run needs the database $OWL_DB names

HEAP="$OWL_ROOT/build/tools/owl-heap"
thp=$(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null)
case $thp in
*"[always]"* | *"[madvise]"*) ;;
*)
	skip 9 "no transparent huge pages here ($thp)"
	done_testing
	exit 0
	;;
esac
# the heap's end at these distances under a 2 MiB boundary (KiB)
for off in 64 256 512 900 1024 1100 1536 1984; do
	run "$HEAP" "$off"
	case $OUT in
	*"fallbacks 0")
		n=$(echo "$OUT" | sed -n 's/^faults \([0-9]*\) .*/\1/p')
		# 1.5 MiB in small pages is ~380 faults; in a huge page 1,
		# plus the tool's own first touches of code and stack
		ok "$([ "$RC" = 0 ] && [ -n "$n" ] && [ "$n" -lt 120 ] && echo 0 || echo 1)" \
			"heap's end ${off} KiB under a 2 MiB boundary: 1.5 MiB of blocks in huge pages ($OUT $ERR)"
		;;
	*) skip 1 "the kernel had no huge page to give ($OUT $ERR)" ;;
	esac
done

# owl-worker's heap, in a live run that waits: its [heap] mapping holds a
# huge page (the Lua state's small blocks are there); root reads the
# smaps of a worker that made itself undumpable
mkdir -p "$T/rb"
printf '%s\n' 'runbook { summary = "wait" }' 'function run(p)' \
	'  local t = {}' \
	'  for i = 1, 2000 do t[i] = { i = i, s = "x" .. i } end' \
	'  step("wait", function() sleep(30) end)' 'end' >"$T/rb/wait.lua"
# the pid of the first child of pid $1
child_of() {
	for _d in /proc/[0-9]*; do
		[ "$(awk '{ print $4 }' "$_d/stat" 2>/dev/null)" = "$1" ] &&
			echo "${_d#/proc/}" && return 0
	done
	return 1
}
# kB of huge pages in the [heap] mappings of pid $1 (madvise splits it)
heap_huge_kb() {
	awk '/^[0-9a-f]+-[0-9a-f]+ / { h = ($NF == "[heap]") }
		h && /^AnonHugePages:/ { kb += $2 } END { print kb + 0 }' \
		"/proc/$1/smaps" 2>/dev/null
}
if [ "$OWL_ASAN" = 1 ] || [ ! -x "$OWL_ROOT/owl-worker" ] || [ "$(id -u)" != 0 ]; then
	skip 1 "owl-worker beside this owl, read as root"
else
	"$OWL" run wait --runbooks "$T/rb" --yes >"$T/wait.out" 2>&1 &
	pid=$!
	tap_at_exit "kill -9 $pid"
	wait_for 20 grep -q 'wait \.\.\.' "$T/wait.out"
	w=$(child_of "$pid")
	kb=$(heap_huge_kb "$w")
	kill -INT "$pid"
	wait "$pid"
	fb=$(awk '$1 == "thp_fault_fallback" { print $2 }' /proc/vmstat)
	ok "$([ "${kb:-0}" -ge 2048 ] && echo 0 || echo 1)" \
		"owl-worker's heap is in huge pages (pid ${w:-none}: AnonHugePages ${kb:-none} kB; fallbacks so far $fb)"
fi

done_testing
