#!/bin/sh
# 44-run-heap.t: owl run and owl apply keep malloc's heap in transparent
# huge pages (engine/heap.c): a run's heap is a few hundred KiB of small
# blocks, and on a VM with shadow paging each 4 KiB page fault costs
# 10-35 us. The heap starts at a random place: wherever it starts, what
# is allocated after heap_huge is in huge pages (one fault per 2 MiB).
# It was not when the heap's end lay less than ~1 MiB under a 2 MiB
# boundary (about half the runs, ~135 faults, ~2 ms of CPU more): the
# probe block's split wrote a header into the first huge range, which
# then had a page table and stayed in small pages.
. "$(dirname "$0")/lib.sh"

HEAP="$OWL_ROOT/build/tools/owl-heap"
thp=$(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null)
case $thp in
*"[always]"* | *"[madvise]"*) ;;
*)
	skip 8 "no transparent huge pages here ($thp)"
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

done_testing
