/* store_sqlite_vfs.c: a VFS over SQLite's default one that differs only
 * in how it opens a file (store_sqlite_vfs.h). Each method here is the
 * default VFS's, called with the default VFS, kept in pAppData. */
#include "store_sqlite_vfs.h"

#include <stddef.h>

#define VFS_REAL(v) ((sqlite3_vfs *)(v)->pAppData)

static int
vfs_delete(sqlite3_vfs *vfs, const char *name, int sync)
{
	return VFS_REAL(vfs)->xDelete(VFS_REAL(vfs), name, sync);
}

static int
vfs_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
	return VFS_REAL(vfs)->xAccess(VFS_REAL(vfs), name, flags, out);
}

static int
vfs_fullpath(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
	return VFS_REAL(vfs)->xFullPathname(VFS_REAL(vfs), name, n, out);
}

static void *
vfs_dlopen(sqlite3_vfs *vfs, const char *name)
{
	return VFS_REAL(vfs)->xDlOpen(VFS_REAL(vfs), name);
}

static void
vfs_dlerror(sqlite3_vfs *vfs, int n, char *out)
{
	VFS_REAL(vfs)->xDlError(VFS_REAL(vfs), n, out);
}

static void (*vfs_dlsym(sqlite3_vfs *vfs, void *h, const char *sym))(void)
{
	return VFS_REAL(vfs)->xDlSym(VFS_REAL(vfs), h, sym);
}

static void
vfs_dlclose(sqlite3_vfs *vfs, void *h)
{
	VFS_REAL(vfs)->xDlClose(VFS_REAL(vfs), h);
}

static int
vfs_random(sqlite3_vfs *vfs, int n, char *out)
{
	return VFS_REAL(vfs)->xRandomness(VFS_REAL(vfs), n, out);
}

static int
vfs_sleep(sqlite3_vfs *vfs, int us)
{
	return VFS_REAL(vfs)->xSleep(VFS_REAL(vfs), us);
}

static int
vfs_time(sqlite3_vfs *vfs, double *out)
{
	return VFS_REAL(vfs)->xCurrentTime(VFS_REAL(vfs), out);
}

static int
vfs_last_error(sqlite3_vfs *vfs, int n, char *out)
{
	return VFS_REAL(vfs)->xGetLastError
	    ? VFS_REAL(vfs)->xGetLastError(VFS_REAL(vfs), n, out)
	    : 0;
}

static int
vfs_time64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
	return VFS_REAL(vfs)->xCurrentTimeInt64(VFS_REAL(vfs), out);
}

int
store_sqlite_vfs_shim(sqlite3_vfs *shim, const char *name, int head,
    store_sqlite_vfs_open_fn xopen)
{
	sqlite3_vfs *real;

	if (sqlite3_initialize() != SQLITE_OK ||
	    (real = sqlite3_vfs_find(NULL)) == NULL || real->iVersion < 2 ||
	    real->xCurrentTimeInt64 == NULL)
		return -1;
	*shim = (sqlite3_vfs){
		.iVersion = 2,
		.szOsFile = head + real->szOsFile,
		.mxPathname = real->mxPathname,
		.zName = name,
		.pAppData = real,
		.xOpen = xopen,
		.xDelete = vfs_delete,
		.xAccess = vfs_access,
		.xFullPathname = vfs_fullpath,
		.xDlOpen = vfs_dlopen,
		.xDlError = vfs_dlerror,
		.xDlSym = vfs_dlsym,
		.xDlClose = vfs_dlclose,
		.xRandomness = vfs_random,
		.xSleep = vfs_sleep,
		.xCurrentTime = vfs_time,
		.xGetLastError = vfs_last_error,
		.xCurrentTimeInt64 = vfs_time64,
	};
	return sqlite3_vfs_register(shim, 0) == SQLITE_OK ? 0 : -1;
}
