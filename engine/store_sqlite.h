/* store_sqlite.h: the SQLite connection under a store, for the few
 * places that need SQLite itself (the query-plan tests of tests/unit).
 * The domain code never includes this header or sqlite3.h. */
#ifndef OWL_STORE_SQLITE_H
#define OWL_STORE_SQLITE_H

#include <sqlite3.h>

#include "store.h"

/* The SQLite connection of s, borrowed; NULL when s is not SQLite. */
sqlite3 *store_sqlite_db(struct store *s);

/* The name of the VFS that gathers a commit's WAL frames into one write
 * (store_sqlite_walbuf.c), registered on first call; NULL when it could
 * not be (the default VFS is then used). */
#define STORE_SQLITE_WALBUF_VFS "owl-walbuf"
const char *store_sqlite_walbuf_vfs(void);

/* Installs the page cache that tells the page number B-tree splits swap
 * through as page 0 (store_sqlite_pcache.c); before SQLite is first
 * used. -1 when it was in use already (its own cache stays). */
int store_sqlite_pcache_setup(void);

#endif
