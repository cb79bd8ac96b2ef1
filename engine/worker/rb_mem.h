/* rb_mem.h: the memory under the worker's Lua state (rb_vm.c's capped
 * allocator sits on it). Blocks of RB_MEM_BIG bytes or more (the main
 * thread's reserved stack, big strings and tables) get mappings of their
 * own in whole 2 MiB units, advised as transparent huge pages: on a VM
 * where a page fault costs 10-30 µs, the 1 MiB stack reserve cost 256 of
 * them on every run, one huge page costs one. Smaller blocks are
 * malloc's. The worker is short-lived: nothing here is shared. */
#ifndef OWL_RB_MEM_H
#define OWL_RB_MEM_H

#include <stddef.h>

#define RB_MEM_BIG ((size_t)256 << 10)
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
