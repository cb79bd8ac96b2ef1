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
 * the WAL, never from the file.
 *
 * And for a checkpoint (store_sqlite_ra_wal): SQLite copies the WAL's
 * frames into the database in the order of their pages, one pread() a
 * frame at offsets all over the log: owl serve's checkpointer, past a
 * few hundred thousand alerts, read 1.3 frames an alert that way, each
 * a system call. While one checkpoint runs, the frames it copies are
 * read from a window of the log read in RA_WIN_CHUNK pieces. Why it is
 * safe: a checkpoint copies only frames up to the log's end as it was
 * when the checkpoint began (mxSafeFrame), and no frame up to there
 * changes before the checkpoint has copied them all (the log starts
 * over only once every frame is copied, and then from a later
 * transaction); the window is filled during the checkpoint, so after
 * those frames were written, and emptied when it ends. Only reads of a
 * frame's page are served from it; any other read (the log's header or
 * a whole frame: a recovery) empties it and is read as asked. */
#include "store_sqlite_ra.h"
#include "store_sqlite_vfs.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define RA_NAME "owl"
#define RA_CHUNK (256 * 1024)
/* The checkpoint's window of the log: up to RA_WIN_SLOTS pieces of
 * RA_WIN_CHUNK bytes (16 MiB: the 4,000 frames owl serve's checkpointer
 * copies at a time), each kept in the slot of its number modulo
 * RA_WIN_SLOTS; the pieces stay allocated while the file is open, so
 * that a checkpoint does not fault in new memory each time. */
#define RA_WIN_CHUNK (256 * 1024)
#define RA_WIN_SLOTS 64
/* A WAL's header, and a frame's header before its page. */
#define RA_WAL_HDR 32
#define RA_FRAME_HDR 24

struct ra_win {
	sqlite3_int64 tag[RA_WIN_SLOTS]; /* the piece held; -1: none */
	char *chunk[RA_WIN_SLOTS];
};

struct ra_file {
	sqlite3_file base;
	sqlite3_file *real; /* the unix VFS's file, after this struct */
	int on; /* reads go through chunk */
	int n; /* bytes in chunk (0: none) */
	sqlite3_int64 at; /* the file offset of chunk[0] */
	sqlite3_int64 tail; /* from here on reads are not ahead (the end
	                       of the file was seen there); -1: not seen */
	char *chunk; /* RA_CHUNK bytes while on */
	struct ra_win *win; /* a checkpoint's window of a WAL; NULL: none */
	int win_on; /* a checkpoint runs: frames' pages read from win */
	long win_served; /* reads served from win since it was turned on */
	int wal; /* the file is a WAL */
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
ra_win_empty(struct ra_win *w)
{
	if (w != NULL)
		for (int i = 0; i < RA_WIN_SLOTS; i++)
			w->tag[i] = -1;
}

static void
ra_drop(struct ra_file *p)
{
	p->n = 0;
	p->tail = -1;
	ra_win_empty(p->win);
}

static void
ra_win_free(struct ra_win *w)
{
	if (w == NULL)
		return;
	for (int i = 0; i < RA_WIN_SLOTS; i++)
		free(w->chunk[i]);
	free(w);
}

/* Whether a read of amt bytes at off is of a frame's page, as a
 * checkpoint reads: a page size, just after a frame's header. */
static int
ra_win_page(int amt, sqlite3_int64 off)
{
	return amt >= 512 && amt <= 65536 && (amt & (amt - 1)) == 0 &&
	    off >= RA_WAL_HDR + RA_FRAME_HDR &&
	    (off - RA_WAL_HDR - RA_FRAME_HDR) % (amt + RA_FRAME_HDR) == 0;
}

/* Fills slot s with piece c: 0, or SQLite's error (a short read, at the
 * end of the file, is one: what it asked is read as asked). */
static int
ra_win_fill(struct ra_file *p, int s, sqlite3_int64 c)
{
	struct ra_win *w = p->win;
	int rc;

	if (w->chunk[s] == NULL && (w->chunk[s] = malloc(RA_WIN_CHUNK)) == NULL)
		return SQLITE_NOMEM;
	w->tag[s] = -1;
	rc = p->real->pMethods->xRead(
	    p->real, w->chunk[s], RA_WIN_CHUNK, c * RA_WIN_CHUNK);
	if (rc == SQLITE_OK)
		w->tag[s] = c;
	return rc;
}

/* A read of a WAL while a checkpoint runs (see the top of the file). */
static int
ra_win_read(struct ra_file *p, void *buf, int amt, sqlite3_int64 off)
{
	char *out = buf;

	if (!ra_win_page(amt, off)) {
		ra_win_empty(p->win);
		return p->real->pMethods->xRead(p->real, buf, amt, off);
	}
	while (amt > 0) {
		sqlite3_int64 c = off / RA_WIN_CHUNK;
		int s = (int)(c % RA_WIN_SLOTS);
		int at = (int)(off % RA_WIN_CHUNK);
		int n = RA_WIN_CHUNK - at < amt ? RA_WIN_CHUNK - at : amt;

		if (p->win->tag[s] != c && ra_win_fill(p, s, c) != SQLITE_OK)
			return p->real->pMethods->xRead(p->real, out, amt, off);
		memcpy(out, p->win->chunk[s] + at, (size_t)n);
		out += n;
		off += n;
		amt -= n;
	}
	p->win_served++;
	return SQLITE_OK;
}

static int
ra_close(sqlite3_file *f)
{
	int rc = RM(f)->xClose(RA(f)->real);

	free(RA(f)->chunk);
	RA(f)->chunk = NULL;
	ra_win_free(RA(f)->win);
	RA(f)->win = NULL;
	return rc;
}

static int
ra_read(sqlite3_file *f, void *buf, int amt, sqlite3_int64 off)
{
	struct ra_file *p = RA(f);
	sqlite3_int64 at = off - off % RA_CHUNK;
	int rc;

	if (p->win_on)
		return ra_win_read(p, buf, amt, off);
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
	p->wal = (flags & SQLITE_OPEN_WAL) != 0;
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

long
store_sqlite_ra_wal(sqlite3 *db, int on)
{
	sqlite3_file *f = NULL;
	struct ra_file *p;
	long served;

	/* the WAL, once the connection has opened it (else its journal's
	 * file, never opened in WAL mode: not ours) */
	if (sqlite3_file_control(
	        db, "main", SQLITE_FCNTL_JOURNAL_POINTER, &f) != SQLITE_OK ||
	    f == NULL || f->pMethods != &ra_methods || !RA(f)->wal)
		return 0;
	p = RA(f);
	served = p->win_served;
	p->win_served = 0;
	ra_win_empty(p->win);
	if (!on) {
		p->win_on = 0;
		return served;
	}
	if (p->win == NULL) {
		if ((p->win = calloc(1, sizeof *p->win)) == NULL)
			return 0; /* no room: read as it is */
		ra_win_empty(p->win);
	}
	p->win_on = 1;
	return 1;
}
