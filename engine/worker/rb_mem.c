/* rb_mem.c: huge-page mappings for the Lua state's big blocks, malloc for
 * the rest (see rb_mem.h). */
#include "rb_mem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define RB_MEM_HUGE ((size_t)2 << 20)

/* The big block at p, or NULL when p is malloc's. A big block's size
 * never drops under RB_MEM_BIG (it moves to malloc first), so a smaller
 * osize needs no search. */
static struct rb_mem_block *
rb_mem_find(struct rb_mem *m, void *p, size_t osize)
{
	if (osize < RB_MEM_BIG)
		return NULL;
	for (int i = 0; i < m->nbig; i++)
		if (m->big[i].p == p)
			return &m->big[i];
	return NULL;
}

/* A new mapping of at least n bytes on a 2 MiB boundary, advised as huge
 * pages (without transparent huge pages it is an ordinary mapping). */
static void *
rb_mem_map(size_t n, size_t *len)
{
	size_t want = (n + RB_MEM_HUGE - 1) & ~(RB_MEM_HUGE - 1);
	char *p, *a;

	if (want < n)
		return NULL;
	p = mmap(NULL, want + RB_MEM_HUGE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	a = (char *)(((uintptr_t)p + RB_MEM_HUGE - 1) & ~(RB_MEM_HUGE - 1));
	if (a > p)
		munmap(p, (size_t)(a - p));
	if (a + want < p + want + RB_MEM_HUGE)
		munmap(a + want, (size_t)(p + want + RB_MEM_HUGE - (a + want)));
	(void)madvise(a, want, MADV_HUGEPAGE);
	*len = want;
	return a;
}

/* A big block of n bytes holding the first keep bytes of old (of which
 * ob is the big block, or NULL when old is malloc's); old is freed. */
static void *
rb_mem_big_new(
    struct rb_mem *m, void *old, struct rb_mem_block *ob, size_t keep, size_t n)
{
	struct rb_mem_block *b = ob;
	size_t len;
	void *p;

	if (b == NULL && m->nbig == RB_MEM_BIGS) /* no slot: malloc's */
		return old != NULL ? realloc(old, n) : malloc(n);
	if ((p = rb_mem_map(n, &len)) == NULL)
		return NULL;
	if (old != NULL) {
		memcpy(p, old, keep);
		if (ob != NULL)
			munmap(ob->p, ob->len);
		else
			free(old);
	}
	if (b == NULL)
		b = &m->big[m->nbig++];
	b->p = p;
	b->len = len;
	return p;
}

/* Frees (and forgets) the big block b. */
static void
rb_mem_big_free(struct rb_mem *m, struct rb_mem_block *b)
{
	munmap(b->p, b->len);
	*b = m->big[--m->nbig];
}

void *
rb_mem_realloc(struct rb_mem *m, void *ptr, size_t osize, size_t nsize)
{
	struct rb_mem_block *b =
	    ptr != NULL ? rb_mem_find(m, ptr, osize) : NULL;
	void *p;

	if (nsize == 0) {
		if (b != NULL)
			rb_mem_big_free(m, b);
		else
			free(ptr);
		return NULL;
	}
	if (b != NULL && nsize >= RB_MEM_BIG && nsize <= b->len)
		return ptr; /* it fits where it is */
	if (nsize >= RB_MEM_BIG)
		return rb_mem_big_new(m, ptr, b,
		    ptr == NULL         ? 0
		        : osize < nsize ? osize
		                        : nsize,
		    nsize);
	if (b == NULL)
		return realloc(ptr, nsize);
	/* a big block shrinking under RB_MEM_BIG goes back to malloc */
	if ((p = malloc(nsize)) == NULL)
		return NULL;
	memcpy(p, ptr, nsize);
	rb_mem_big_free(m, b);
	return p;
}

void
rb_mem_done(struct rb_mem *m)
{
	while (m->nbig > 0)
		rb_mem_big_free(m, &m->big[m->nbig - 1]);
}
