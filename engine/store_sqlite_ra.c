/* store_sqlite_ra.c: the VFS owl opens its SQLite databases through
 * (store_sqlite_ra.h): SQLite's default (unix) VFS, every call passed on
 * unchanged, but for reading the main database file ahead in large
 * pieces while a caller asks for it.
 *
 * Why: a storm's timeline reads one incident's rows, spread over the
 * whole action log (the rows of many incidents interleaved, about one a
 * page): SQLite reads a 4 KiB page a pread(), 67,000 of them for a
 * 100,000-alert incident, and on a virtual machine each system call
 * costs more than copying its page. Read ahead, the same pages cost a
 * pread() each 256 KiB.
 *
 * Why it is safe: reading ahead is on only inside one read transaction
 * (the caller turns it on before its statement's first step and off
 * after its reset; any lock, shared-memory lock, write or truncation
 * drops what was read). Inside a read transaction the part of the
 * database file a reader reads does not change: SQLite reads a page
 * from the file only when the WAL has no frame of it up to the
 * reader's mark, and a checkpoint copies into the file only frames up
 * to the oldest reader's mark (wal.c), which the reader then reads from
 * the WAL, never from the file. */
#include "store_sqlite_ra.h"
#include "store_sqlite_vfs.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define RA_NAME "owl"
#define RA_CHUNK (256 * 1024)

struct ra_file {
	sqlite3_file base;
	sqlite3_file *real; /* the unix VFS's file, after this struct */
	int on; /* reads go through chunk */
	int n; /* bytes in chunk (0: none) */
	sqlite3_int64 at; /* the file offset of chunk[0] */
	sqlite3_int64 tail; /* from here on reads are not ahead (the end
	                       of the file was seen there); -1: not seen */
	char *chunk; /* RA_CHUNK bytes while on */
};

/* Rounded up so that the real file after it is aligned. */
#define RA_HEAD ((sizeof(struct ra_file) + 15) & ~(size_t)15)

/* The VFS, set up once (pthread_once) and then only read, as SQLite's
 * registry of VFSes requires a pointer that stays. */
static sqlite3_vfs ra_vfs;
static pthread_once_t ra_once = PTHREAD_ONCE_INIT;
static int ra_ready;

#define RA_REALVFS ((sqlite3_vfs *)ra_vfs.pAppData)
#define RA(f) ((struct ra_file *)(f))
#define RM(f) (RA(f)->real->pMethods)

static void
ra_drop(struct ra_file *p)
{
	p->n = 0;
	p->tail = -1;
}

static int
ra_close(sqlite3_file *f)
{
	int rc = RM(f)->xClose(RA(f)->real);

	free(RA(f)->chunk);
	RA(f)->chunk = NULL;
	return rc;
}

static int
ra_read(sqlite3_file *f, void *buf, int amt, sqlite3_int64 off)
{
	struct ra_file *p = RA(f);
	sqlite3_int64 at = off - off % RA_CHUNK;
	int rc;

	if (!p->on || amt <= 0 || off < 0 || off + amt > at + RA_CHUNK ||
	    (p->tail >= 0 && off + amt > p->tail))
		return RM(f)->xRead(p->real, buf, amt, off);
	if (p->n == 0 || at != p->at) {
		p->n = 0;
		rc = RM(f)->xRead(p->real, p->chunk, RA_CHUNK, at);
		if (rc == SQLITE_IOERR_SHORT_READ) {
			/* the end of the file: read as asked from here */
			p->tail = at;
			return RM(f)->xRead(p->real, buf, amt, off);
		}
		if (rc != SQLITE_OK)
			return rc;
		p->at = at;
		p->n = RA_CHUNK;
	}
	memcpy(buf, p->chunk + (off - at), (size_t)amt);
	return SQLITE_OK;
}

static int
ra_write(sqlite3_file *f, const void *buf, int amt, sqlite3_int64 off)
{
	ra_drop(RA(f));
	return RM(f)->xWrite(RA(f)->real, buf, amt, off);
}

static int
ra_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	ra_drop(RA(f));
	return RM(f)->xTruncate(RA(f)->real, size);
}

static int
ra_sync(sqlite3_file *f, int flags)
{
	return RM(f)->xSync(RA(f)->real, flags);
}

static int
ra_size(sqlite3_file *f, sqlite3_int64 *size)
{
	return RM(f)->xFileSize(RA(f)->real, size);
}

static int
ra_lock(sqlite3_file *f, int lock)
{
	ra_drop(RA(f));
	return RM(f)->xLock(RA(f)->real, lock);
}

static int
ra_unlock(sqlite3_file *f, int lock)
{
	ra_drop(RA(f));
	return RM(f)->xUnlock(RA(f)->real, lock);
}

static int
ra_reserved(sqlite3_file *f, int *out)
{
	return RM(f)->xCheckReservedLock(RA(f)->real, out);
}

static int
ra_control(sqlite3_file *f, int op, void *arg)
{
	return RM(f)->xFileControl(RA(f)->real, op, arg);
}

static int
ra_sector(sqlite3_file *f)
{
	return RM(f)->xSectorSize(RA(f)->real);
}

static int
ra_device(sqlite3_file *f)
{
	return RM(f)->xDeviceCharacteristics(RA(f)->real);
}

static int
ra_shm_map(sqlite3_file *f, int pg, int size, int extend, void volatile **pp)
{
	return RM(f)->xShmMap(RA(f)->real, pg, size, extend, pp);
}

static int
ra_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
	ra_drop(RA(f));
	return RM(f)->xShmLock(RA(f)->real, offset, n, flags);
}

static void
ra_shm_barrier(sqlite3_file *f)
{
	RM(f)->xShmBarrier(RA(f)->real);
}

static int
ra_shm_unmap(sqlite3_file *f, int del)
{
	return RM(f)->xShmUnmap(RA(f)->real, del);
}

static int
ra_fetch(sqlite3_file *f, sqlite3_int64 off, int amt, void **pp)
{
	return RM(f)->xFetch(RA(f)->real, off, amt, pp);
}

static int
ra_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
	return RM(f)->xUnfetch(RA(f)->real, off, p);
}

static const sqlite3_io_methods ra_methods = {
	.iVersion = 3,
	.xClose = ra_close,
	.xRead = ra_read,
	.xWrite = ra_write,
	.xTruncate = ra_truncate,
	.xSync = ra_sync,
	.xFileSize = ra_size,
	.xLock = ra_lock,
	.xUnlock = ra_unlock,
	.xCheckReservedLock = ra_reserved,
	.xFileControl = ra_control,
	.xSectorSize = ra_sector,
	.xDeviceCharacteristics = ra_device,
	.xShmMap = ra_shm_map,
	.xShmLock = ra_shm_lock,
	.xShmBarrier = ra_shm_barrier,
	.xShmUnmap = ra_shm_unmap,
	.xFetch = ra_fetch,
	.xUnfetch = ra_unfetch,
};

static int
ra_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *f, int flags,
    int *out)
{
	struct ra_file *p = RA(f);
	int rc;

	(void)vfs;
	memset(f, 0, (size_t)ra_vfs.szOsFile);
	p->real = (sqlite3_file *)((char *)f + RA_HEAD);
	p->tail = -1;
	rc = RA_REALVFS->xOpen(RA_REALVFS, name, p->real, flags, out);
	/* a file whose methods are not version 3 (WAL's shared memory,
	 * xFetch) is not opened: ours would call what it lacks (the
	 * default VFS's files are version 3) */
	if (rc == SQLITE_OK && p->real->pMethods->iVersion < 3)
		rc = SQLITE_CANTOPEN;
	if (rc != SQLITE_OK) {
		/* we are not closed when we fail: the real file is now */
		if (p->real->pMethods != NULL)
			p->real->pMethods->xClose(p->real);
		p->base.pMethods = NULL;
		return rc;
	}
	p->base.pMethods = &ra_methods;
	return SQLITE_OK;
}

static void
ra_init(void)
{
	ra_ready =
	    store_sqlite_vfs_shim(&ra_vfs, RA_NAME, (int)RA_HEAD, ra_open) == 0;
}

const char *
store_sqlite_ra_vfs(void)
{
	pthread_once(&ra_once, ra_init);
	return ra_ready ? RA_NAME : NULL;
}

int
store_sqlite_ra(sqlite3 *db, int on)
{
	sqlite3_file *f = NULL;
	struct ra_file *p;

	if (sqlite3_file_control(db, "main", SQLITE_FCNTL_FILE_POINTER, &f) !=
	        SQLITE_OK ||
	    f == NULL || f->pMethods != &ra_methods)
		return 0; /* not ours (opened elsewhere): read as it is */
	p = RA(f);
	ra_drop(p);
	if (on && p->chunk == NULL && (p->chunk = malloc(RA_CHUNK)) == NULL)
		return 0; /* no room: read as it is */
	p->on = on && p->chunk != NULL;
	if (!p->on) {
		free(p->chunk);
		p->chunk = NULL;
	}
	return p->on;
}
