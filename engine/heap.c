/* heap.c: malloc's heap in transparent huge pages (see heap.h). */
#include "heap.h"

#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define HEAP_HUGE ((uintptr_t)2 << 20)
#define HEAP_MMAP_MIN (4 << 20)

void *
heap_huge(size_t reserve)
{
	struct mallinfo2 mi;
	uintptr_t start, end, top, split;
	void *p;

	if (reserve > (size_t)1 << 30)
		reserve = (size_t)1 << 30;
	mallopt(M_TRIM_THRESHOLD, (int)(reserve * 2));
	mallopt(M_MMAP_THRESHOLD, HEAP_MMAP_MIN);
	mallopt(M_TOP_PAD, (int)reserve);
	/* A block bigger than any free one makes malloc extend the heap,
	 * by the pad too; freed, it is the top of the heap again (under
	 * the trim threshold, so it stays). The write keeps the compiler
	 * from dropping the pair. */
	if ((p = malloc((size_t)1 << 20)) == NULL)
		return NULL;
	*(volatile char *)p = 0;
	/* Splitting the block off the top wrote the rest's header past its
	 * end: that page is touched, and a 2 MiB range with a touched page
	 * has a page table already, so it never becomes a huge page. */
	split = (uintptr_t)p + ((size_t)1 << 20) + 64;
	free(p);
	mi = mallinfo2();
	end = (uintptr_t)sbrk(0);
	if (end == (uintptr_t)-1 || mi.keepcost > end)
		return NULL;
	/* The free top of the heap, [end - keepcost, end): only its whole,
	 * untouched 2 MiB ranges can become huge pages; the used part keeps
	 * its small ones. */
	top = end - mi.keepcost;
	start =
	    ((top > split ? top : split) + HEAP_HUGE - 1) & ~(HEAP_HUGE - 1);
	end &= ~(HEAP_HUGE - 1);
	if (end <= start)
		return NULL;
	(void)madvise((void *)start, end - start, MADV_HUGEPAGE);
	/* A block from the top of the heap to the first huge page (its
	 * pages untouched but its header's) moves what is allocated next
	 * there: a chunk of n bytes takes (n + 8) rounded up to 16, and
	 * start - top is a multiple of 16. Another place is given back. */
	if (start - top < 64 || (p = malloc(start - top - 8)) == NULL)
		return NULL;
	if ((uintptr_t)p != top + 16) {
		free(p);
		return NULL;
	}
	return p;
}
