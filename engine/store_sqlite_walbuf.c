/* store_sqlite_walbuf.c: a VFS over SQLite's default one, for the
 * connection that writes much (owl serve's writer, store_open_writer):
 * the frames a commit appends to the write-ahead log are gathered in
 * memory and written with one pwrite, instead of two per page (SQLite
 * writes a frame's 24-byte header, then its page). On this project's
 * machines a system call costs more than copying the page does; a
 * commit of 200 pages made 400 of them.
 *
 * What SQLite relies on is kept: everything gathered is in the file
 * before the frame that ends a commit (its header's "database size" is
 * not zero) returns from xWrite, so before SQLite publishes the commit
 * in the WAL index, where other connections (the checkpointer, the
 * readers) look for frames, and before the commit returns, so before
 * the syncer's fdatasync (store_durable) that follows it. A write
 * elsewhere than at the end of what is gathered, and any other call on
 * the file (read, sync, size, truncate, lock, close...), first writes
 * what is gathered, so the file's bytes are always what SQLite wrote,
 * in its order. A failed write is SQLite's I/O error on the call that
 * made it: the commit fails. Only the WAL is wrapped: the database and
 * any other file are the default VFS's own. */
#include "store_sqlite.h"
#include "store_sqlite_vfs.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

/* Gathered at most: a commit of more is written in pieces this big. */
#define WALBUF_CAP (2 * 1024 * 1024)
/* Written at most in one call: 31 pages (SQLite's unix VFS writes at
 * most 128 KiB - 1 a call). */
#define WALBUF_PIECE (31 * 4096)
/* A WAL frame's header: its page number, then the database's size in
 * pages after the commit it ends (0 in the frames before). */
#define WALBUF_FRAME_HDR 24

struct walbuf_file {
	sqlite3_file base; /* pMethods: walbuf_io */
	sqlite3_file *real; /* the default VFS's file, after this struct */
	unsigned char *buf;
	size_t len;
	sqlite3_int64 at; /* the file offset of buf[0] */
	int ends_commit; /* the next write is the page of a commit frame */
};

static sqlite3_vfs walbuf_vfs;
static pthread_once_t walbuf_once = PTHREAD_ONCE_INIT;
static int walbuf_ok;

#define WB(f) ((struct walbuf_file *)(f))
#define REAL(f) (WB(f)->real)

/* Writes n bytes at off, in pieces the default VFS takes whole (it
 * writes at most 128 KiB - 1 a call, and takes a short write for a full
 * disk). */
static int
walbuf_put(
    struct walbuf_file *w, const unsigned char *d, size_t n, sqlite3_int64 off)
{
	size_t k;
	int rc;

	for (; n > 0; n -= k, d += k, off += (sqlite3_int64)k) {
		k = n < WALBUF_PIECE ? n : WALBUF_PIECE;
		rc = w->real->pMethods->xWrite(w->real, d, (int)k, off);
		if (rc != SQLITE_OK)
			return rc;
	}
	return SQLITE_OK;
}

static int
walbuf_flush(struct walbuf_file *w)
{
	size_t n = w->len;

	w->len = 0;
	return n == 0 ? SQLITE_OK : walbuf_put(w, w->buf, n, w->at);
}

static int
walbuf_close(sqlite3_file *f)
{
	int rc = walbuf_flush(WB(f)), rc2;

	rc2 = REAL(f)->pMethods->xClose(REAL(f));
	free(WB(f)->buf);
	WB(f)->buf = NULL;
	return rc != SQLITE_OK ? rc : rc2;
}

static int
walbuf_read(sqlite3_file *f, void *out, int n, sqlite3_int64 off)
{
	int rc = walbuf_flush(WB(f));

	return rc != SQLITE_OK ? rc
	                       : REAL(f)->pMethods->xRead(REAL(f), out, n, off);
}

static int
walbuf_write(sqlite3_file *f, const void *data, int n, sqlite3_int64 off)
{
	struct walbuf_file *w = WB(f);
	const unsigned char *d = data;
	int rc = SQLITE_OK, ends = w->ends_commit;

	w->ends_commit = 0;
	if (w->len > 0 && off == w->at + (sqlite3_int64)w->len &&
	    w->len + (size_t)n <= WALBUF_CAP) {
		memcpy(w->buf + w->len, data, (size_t)n);
		w->len += (size_t)n;
	} else if ((rc = walbuf_flush(w)) != SQLITE_OK) {
		return rc;
	} else if ((size_t)n >= WALBUF_CAP) {
		return walbuf_put(w, data, (size_t)n, off);
	} else {
		memcpy(w->buf, data, (size_t)n);
		w->len = (size_t)n;
		w->at = off;
	}
	/* a frame's header saying that its frame ends a commit: the page
	 * that follows is the last of the commit */
	if (n == WALBUF_FRAME_HDR && (d[4] | d[5] | d[6] | d[7]) != 0)
		w->ends_commit = 1;
	else if (ends)
		rc = walbuf_flush(w);
	return rc;
}

/* The calls that only pass on, having written what is gathered. */
static int
walbuf_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	int rc = walbuf_flush(WB(f));

	return rc != SQLITE_OK ? rc
	                       : REAL(f)->pMethods->xTruncate(REAL(f), size);
}

static int
walbuf_sync(sqlite3_file *f, int flags)
{
	int rc = walbuf_flush(WB(f));

	return rc != SQLITE_OK ? rc : REAL(f)->pMethods->xSync(REAL(f), flags);
}

static int
walbuf_size(sqlite3_file *f, sqlite3_int64 *size)
{
	int rc = walbuf_flush(WB(f));

	return rc != SQLITE_OK ? rc
	                       : REAL(f)->pMethods->xFileSize(REAL(f), size);
}

static int
walbuf_lock(sqlite3_file *f, int how)
{
	int rc = walbuf_flush(WB(f));

	return rc != SQLITE_OK ? rc : REAL(f)->pMethods->xLock(REAL(f), how);
}

static int
walbuf_unlock(sqlite3_file *f, int how)
{
	int rc = walbuf_flush(WB(f));

	return rc != SQLITE_OK ? rc : REAL(f)->pMethods->xUnlock(REAL(f), how);
}

static int
walbuf_check_lock(sqlite3_file *f, int *out)
{
	return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}

static int
walbuf_fcntl(sqlite3_file *f, int op, void *arg)
{
	int rc = walbuf_flush(WB(f));

	return rc != SQLITE_OK
	    ? rc
	    : REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}

static int
walbuf_sector(sqlite3_file *f)
{
	return REAL(f)->pMethods->xSectorSize(REAL(f));
}

static int
walbuf_device(sqlite3_file *f)
{
	return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}

/* A WAL has no shared memory nor memory map of its own (those are the
 * database file's): version 1 methods. */
static const sqlite3_io_methods walbuf_io = {
	.iVersion = 1,
	.xClose = walbuf_close,
	.xRead = walbuf_read,
	.xWrite = walbuf_write,
	.xTruncate = walbuf_truncate,
	.xSync = walbuf_sync,
	.xFileSize = walbuf_size,
	.xLock = walbuf_lock,
	.xUnlock = walbuf_unlock,
	.xCheckReservedLock = walbuf_check_lock,
	.xFileControl = walbuf_fcntl,
	.xSectorSize = walbuf_sector,
	.xDeviceCharacteristics = walbuf_device,
};

static int
walbuf_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *f, int flags,
    int *out_flags)
{
	sqlite3_vfs *real = vfs->pAppData;
	struct walbuf_file *w = WB(f);
	int rc;

	/* any other file: the default VFS's, in place */
	if (!(flags & SQLITE_OPEN_WAL))
		return real->xOpen(real, name, f, flags, out_flags);
	memset(w, 0, sizeof *w);
	w->real = (sqlite3_file *)(w + 1);
	if ((w->buf = malloc(WALBUF_CAP)) == NULL)
		return SQLITE_NOMEM;
	rc = real->xOpen(real, name, w->real, flags, out_flags);
	if (rc != SQLITE_OK) {
		if (w->real->pMethods != NULL)
			w->real->pMethods->xClose(w->real);
		free(w->buf);
		w->buf = NULL;
		return rc;
	}
	w->base.pMethods = &walbuf_io;
	return SQLITE_OK;
}

/* Registered once per process, never as the default. */
static void
walbuf_register(void)
{
	walbuf_ok = store_sqlite_vfs_shim(&walbuf_vfs, STORE_SQLITE_WALBUF_VFS,
	                (int)sizeof(struct walbuf_file), walbuf_open) == 0;
}

const char *
store_sqlite_walbuf_vfs(void)
{
	pthread_once(&walbuf_once, walbuf_register);
	return walbuf_ok ? STORE_SQLITE_WALBUF_VFS : NULL;
}
