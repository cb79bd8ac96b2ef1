/* strmap.c: a map of strings to strings (see strmap.h): linear probing
 * over a power-of-two table kept at most half full; the entries (key
 * and value one after the other) are carved from large blocks, freed
 * together: no allocation per entry. */
#include "strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct strmap_slot {
	uint32_t h;
	char *kv; /* "key\0value\0"; NULL: free */
};

#define STRMAP_BLOCK ((size_t)64 << 10)

/* A block the entries are carved from; a replaced entry's bytes stay
 * until the map is freed. */
struct strmap_block {
	struct strmap_block *next;
	size_t used, size;
	char data[];
};

struct strmap {
	struct strmap_slot *slot;
	size_t cap, n; /* cap: a power of two, or 0 */
	struct strmap_block *block; /* the newest first */
};

/* n bytes for an entry, or NULL when out of memory. */
static char *
strmap_carve(struct strmap *m, size_t n)
{
	struct strmap_block *b = m->block;
	size_t size = n > STRMAP_BLOCK ? n : STRMAP_BLOCK;

	if (b == NULL || b->size - b->used < n) {
		if ((b = malloc(sizeof *b + size)) == NULL)
			return NULL;
		b->next = m->block;
		b->used = 0;
		b->size = size;
		m->block = b;
	}
	b->used += n;
	return b->data + b->used - n;
}

uint32_t
strmap_hash_more(uint32_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static uint32_t
strmap_hash(const char *s)
{
	return strmap_hash_more(STRMAP_HASH_INIT, s);
}

struct strmap *
strmap_new(void)
{
	return calloc(1, sizeof(struct strmap));
}

void
strmap_free(struct strmap *m)
{
	struct strmap_block *b, *next;

	if (m == NULL)
		return;
	for (b = m->block; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	free(m->slot);
	free(m);
}

/* The slot of key, or the free slot where it would go. */
static struct strmap_slot *
strmap_find(const struct strmap *m, const char *key, uint32_t h)
{
	size_t i = h & (m->cap - 1);

	while (m->slot[i].kv != NULL &&
	    (m->slot[i].h != h || strcmp(m->slot[i].kv, key) != 0))
		i = (i + 1) & (m->cap - 1);
	return &m->slot[i];
}

static int
strmap_grow(struct strmap *m)
{
	/* four times as big: a storm's 100,000 keys are moved fewer times
	 * (moving them was most of the cost of a map) */
	size_t cap = m->cap ? m->cap * 4 : 64;
	struct strmap old = *m;
	struct strmap_slot *s;

	if ((m->slot = calloc(cap, sizeof *m->slot)) == NULL) {
		*m = old;
		return -1;
	}
	m->cap = cap;
	for (size_t i = 0; i < old.cap; i++)
		if (old.slot[i].kv != NULL) {
			s = strmap_find(m, old.slot[i].kv, old.slot[i].h);
			*s = old.slot[i];
		}
	free(old.slot);
	return 0;
}

int
strmap_set(struct strmap *m, const char *key, const char *val)
{
	size_t kn = strlen(key), vn = val ? strlen(val) : 0;
	uint32_t h = strmap_hash(key);
	struct strmap_slot *s;
	char *kv;

	if ((m->n + 1) * 2 > m->cap && strmap_grow(m) == -1)
		return -1;
	s = strmap_find(m, key, h);
	/* a value no longer than the one it replaces takes its place (an
	 * alert's description learnt again): the blocks grow with keys,
	 * not with sets */
	if (s->kv != NULL && strlen(s->kv + kn + 1) >= vn)
		kv = s->kv;
	else if ((kv = strmap_carve(m, kn + vn + 2)) == NULL)
		return -1;
	memcpy(kv, key, kn + 1);
	memcpy(kv + kn + 1, val ? val : "", vn);
	kv[kn + 1 + vn] = '\0';
	if (s->kv == NULL)
		m->n++;
	s->kv = kv;
	s->h = h;
	return 0;
}

const char *
strmap_get(const struct strmap *m, const char *key)
{
	const struct strmap_slot *s;

	if (m == NULL || m->cap == 0)
		return NULL;
	s = strmap_find(m, key, strmap_hash(key));
	return s->kv != NULL ? s->kv + strlen(s->kv) + 1 : NULL;
}

size_t
strmap_size(const struct strmap *m)
{
	return m != NULL ? m->n : 0;
}
