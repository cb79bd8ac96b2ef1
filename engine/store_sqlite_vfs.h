/* store_sqlite_vfs.h: what owl's SQLite VFS shims share: a VFS over the
 * default one whose methods, but for opening a file, are the default
 * one's (store_sqlite_ra.c reads ahead, store_sqlite_walbuf.c gathers
 * the writer's WAL writes). */
#ifndef OWL_STORE_SQLITE_VFS_H
#define OWL_STORE_SQLITE_VFS_H

#include <sqlite3.h>

typedef int (*store_sqlite_vfs_open_fn)(
    sqlite3_vfs *, sqlite3_filename, sqlite3_file *, int, int *);

/* Fills in *shim, named name, over the default VFS (its pAppData): a
 * file of the shim is head bytes followed by the default VFS's file;
 * xopen opens one; every other method passes to the default VFS. Then
 * registers it, never as the default. shim must stay (SQLite keeps the
 * pointer): call once per process (pthread_once). 0, or -1 when the
 * default VFS is too old to wrap or registering fails. */
int store_sqlite_vfs_shim(sqlite3_vfs *shim, const char *name, int head,
    store_sqlite_vfs_open_fn xopen);

#endif
