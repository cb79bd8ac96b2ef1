/* store_sqlite_pcache.c: SQLite's own page cache (pcache1), with one
 * page number told differently.
 *
 * When SQLite splits a B-tree page it renumbers the new pages into
 * ascending order, swapping two through a spare number: the page of the
 * lock byte, PENDING_BYTE / page size + 1 (262,145 for 4 KiB pages),
 * which no real page uses. pcache1 remembers the largest number it has
 * held until the next truncation, and every commit truncates the cache
 * to the database's size: with that spare number remembered, each
 * commit walked the whole cache (pcache1TruncateUnsafe) instead of the
 * few slots past the end. Inserting into an index keyed by a hash (the
 * alerts' fingerprints) swaps pages in most transactions: owl serve's
 * writer, with its 64 MiB cache, spent a tenth of its time there, until
 * the database passes 1 GiB.
 *
 * Here the spare number is page 0 to pcache1, which SQLite never asks
 * for (page numbers start at 1): a page is there only between the three
 * renumberings of one swap, and pcache1's largest number stays within
 * the database. Every other call is pcache1's own. */
#include "store_sqlite.h"

#include <stdlib.h>

#include <sqlite3.h>

/* SQLite's lock byte (its PENDING_BYTE; owl never moves it). */
#define PCACHE_PENDING_BYTE 0x40000000u

struct pcache_one {
	sqlite3_pcache *real;
	unsigned spare; /* the lock byte's page: 0 to real */
};

/* The methods wrapped; set once, before SQLite is used (store_init). */
static sqlite3_pcache_methods2 pcache_real;

static unsigned
pcache_key(const struct pcache_one *c, unsigned key)
{
	return key == c->spare ? 0 : key;
}

static int
pcache_init(void *arg)
{
	(void)arg;
	return pcache_real.xInit(pcache_real.pArg);
}

static void
pcache_shutdown(void *arg)
{
	(void)arg;
	if (pcache_real.xShutdown != NULL)
		pcache_real.xShutdown(pcache_real.pArg);
}

static sqlite3_pcache *
pcache_create(int page, int extra, int purgeable)
{
	struct pcache_one *c = malloc(sizeof *c);

	if (c == NULL)
		return NULL;
	if ((c->real = pcache_real.xCreate(page, extra, purgeable)) == NULL) {
		free(c);
		return NULL;
	}
	c->spare = page > 0 ? PCACHE_PENDING_BYTE / (unsigned)page + 1 : 0;
	return (sqlite3_pcache *)c;
}

#define PC(p) ((struct pcache_one *)(p))

static void
pcache_size(sqlite3_pcache *p, int n)
{
	pcache_real.xCachesize(PC(p)->real, n);
}

static int
pcache_count(sqlite3_pcache *p)
{
	return pcache_real.xPagecount(PC(p)->real);
}

static sqlite3_pcache_page *
pcache_fetch(sqlite3_pcache *p, unsigned key, int create)
{
	return pcache_real.xFetch(PC(p)->real, pcache_key(PC(p), key), create);
}

static void
pcache_unpin(sqlite3_pcache *p, sqlite3_pcache_page *page, int discard)
{
	pcache_real.xUnpin(PC(p)->real, page, discard);
}

static void
pcache_rekey(
    sqlite3_pcache *p, sqlite3_pcache_page *page, unsigned from, unsigned to)
{
	pcache_real.xRekey(
	    PC(p)->real, page, pcache_key(PC(p), from), pcache_key(PC(p), to));
}

static void
pcache_truncate(sqlite3_pcache *p, unsigned limit)
{
	pcache_real.xTruncate(PC(p)->real, limit);
}

static void
pcache_destroy(sqlite3_pcache *p)
{
	pcache_real.xDestroy(PC(p)->real);
	free(p);
}

static void
pcache_shrink(sqlite3_pcache *p)
{
	pcache_real.xShrink(PC(p)->real);
}

static const sqlite3_pcache_methods2 pcache_methods = {
	.iVersion = 1,
	.xInit = pcache_init,
	.xShutdown = pcache_shutdown,
	.xCreate = pcache_create,
	.xCachesize = pcache_size,
	.xPagecount = pcache_count,
	.xFetch = pcache_fetch,
	.xUnpin = pcache_unpin,
	.xRekey = pcache_rekey,
	.xTruncate = pcache_truncate,
	.xDestroy = pcache_destroy,
	.xShrink = pcache_shrink,
};

int
store_sqlite_pcache_setup(void)
{
	sqlite3_pcache_methods2 real;

	if (pcache_real.xCreate != NULL)
		return 0;
	if (sqlite3_config(SQLITE_CONFIG_GETPCACHE2, &real) != SQLITE_OK ||
	    real.xInit == NULL || real.xCreate == NULL || real.xShrink == NULL)
		return -1;
	pcache_real = real;
	if (sqlite3_config(SQLITE_CONFIG_PCACHE2, &pcache_methods) !=
	    SQLITE_OK) {
		pcache_real = (sqlite3_pcache_methods2){ 0 };
		return -1; /* SQLite was in use already: its own cache */
	}
	return 0;
}
