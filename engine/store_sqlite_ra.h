/* store_sqlite_ra.h: the VFS owl opens SQLite databases through: the
 * default one, but for reading the main database file ahead while asked
 * (store_read_ahead: a pass over rows spread over the whole file). */
#ifndef OWL_STORE_SQLITE_RA_H
#define OWL_STORE_SQLITE_RA_H

#include <sqlite3.h>

/* The VFS's name for sqlite3_open_v2, registered on the first call;
 * NULL (the default VFS) when it cannot be. */
const char *store_sqlite_ra_vfs(void);

/* Turns reading ahead on or off for db's main file (opened through the
 * VFS above; else nothing happens). On only inside one read
 * transaction: turn it on before the first step of the statement that
 * reads, off after its reset. 1 when it is on, else 0. */
int store_sqlite_ra(sqlite3 *db, int on);

/* Turns on or off, for one checkpoint of db (opened through the VFS
 * above), reading the frames it copies from a window of the WAL read in
 * large pieces instead of a read a frame. On just before
 * sqlite3_wal_checkpoint_v2, off just after it; nothing happens when
 * the WAL is not open yet or not ours. On: 1 when it is on, else 0;
 * off: how many pages the window gave since it was turned on. */
long store_sqlite_ra_wal(sqlite3 *db, int on);

#endif
