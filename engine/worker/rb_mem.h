/* rb_mem.h: the memory under the worker's Lua state (rb_vm.c's capped
 * allocator sits on it). Blocks of RB_MEM_BIG bytes or more (big strings
 * and tables) get mappings of their own in whole 2 MiB units, advised as
 * transparent huge pages; smaller blocks are malloc's, whose heap is in
 * huge pages too in owl-worker (heap_huge, engine/heap.h). The main
 * thread's 1 MiB stack reserve (RB_SANDBOX_STACK_MAIN slots) is under
 * RB_MEM_BIG: it shares the heap's first huge page with the state's
 * small blocks instead of taking a second one. On this project's VMs a
 * 2 MiB page costs one fault but its clearing, ~0.15 ms idle and ~0.7 ms
 * at load 6 (a 20-step dry-run, 151 alternated rounds: -0.7 ms CPU);
 * as 4 KiB pages the reserve cost 256 faults. The worker is
 * short-lived: nothing here is shared. */
#ifndef OWL_RB_MEM_H
#define OWL_RB_MEM_H

#include <stddef.h>

#define RB_MEM_BIG ((size_t)2 << 20)
#define RB_MEM_BIGS 16 /* big blocks tracked; past that, malloc's */

struct rb_mem_block {
	void *p;
	size_t len; /* mapped bytes */
};

/* Zeroed memory is an empty one. */
struct rb_mem {
	struct rb_mem_block big[RB_MEM_BIGS];
	int nbig;
};

/* lua_Alloc's contract without the cap: frees ptr when nsize is 0
 * (returns NULL), else resizes it (or allocates, ptr NULL) to nsize bytes
 * keeping min(osize, nsize) of them; NULL when the memory cannot be had
 * (ptr is then left as it was). osize is the block's size when ptr is not
 * NULL. */
void *rb_mem_realloc(struct rb_mem *m, void *ptr, size_t osize, size_t nsize);

/* Unmaps the big blocks (the worker normally just exits). */
void rb_mem_done(struct rb_mem *m);

#endif
