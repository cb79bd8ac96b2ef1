/* test_store_ra.c: reading the database ahead (engine/store_sqlite_ra.c,
 * store_read_ahead): the same rows as page by page, the end of the file
 * included, and the reader's snapshot kept while another connection
 * writes and checkpoints under it; what was read ahead is dropped at the
 * end of a read transaction (read ahead left on over two) and by each
 * lock, unlock, shared-memory lock, write and truncation. A checkpoint
 * reads the frames it copies from a window of the WAL
 * (store_sqlite_ra_wal): the database it leaves is the same. */
#include "unit.h"

#include "engine/store.h"
#include "engine/store_sqlite.h"
#include "engine/store_sqlite_ra.h"

#include <fcntl.h>
#include <unistd.h>

#define RA_ROWS 3000

/* A hash of the rows of t in id order, and their number; read ahead
 * when ahead is set. With stop_at > 0 it stops after that many rows
 * and calls mid(ctx) before reading on. */
static uint64_t
rows(struct store *s, int ahead, int *n, int stop_at, void (*mid)(void *),
    void *ctx)
{
	struct store_stmt *st;
	struct err err;
	uint64_t h = 1469598103934665603u;
	const char *v;

	err_init(&err);
	st = store_stmt(s, "SELECT id, v FROM t ORDER BY id", &err);
	assert_non_null(st);
	if (ahead)
		assert_int_equal(store_sqlite_ra(store_sqlite_db(s), 1), 1);
	*n = 0;
	while (store_step(st) == STORE_ROW) {
		v = (const char *)store_col_text(st, 1);
		for (const char *p = v; *p; p++)
			h = (h ^ (unsigned char)*p) * 1099511628211u;
		h = (h ^ (uint64_t)store_col_int64(st, 0)) * 1099511628211u;
		if (++*n == stop_at && mid != NULL)
			mid(ctx);
	}
	store_reset(st);
	store_read_ahead(s, 0);
	return h;
}

static void
rewrite(void *ctx)
{
	struct store *w = ctx;
	struct err err;

	err_init(&err);
	assert_int_equal(
	    store_exec(w, "UPDATE t SET v = 'new ' || id || v", &err), 0);
	store_checkpoint(w); /* as far as the reader lets it */
}

static void
test_read_ahead(void **state)
{
	char *dir = unit_tmpdir(), *path = unit_path(dir, "owl.db");
	struct store *s, *w;
	struct err err;
	uint64_t plain, ahead, after;
	int n;

	(void)state;
	err_init(&err);
	s = store_open(path, &err);
	assert_non_null(s);
	/* rows of ~700 bytes: 5 a page, over ~600 pages (2.4 MiB, not a
	 * multiple of the 256 KiB read ahead) */
	assert_int_equal(store_exec(s,
	                     "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);"
	                     "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL "
	                     "SELECT i + 1 FROM c WHERE i < 3000) "
	                     "INSERT INTO t SELECT i, hex(randomblob(350)) "
	                     "FROM c",
	                     &err),
	    0);
	/* the rows in the file, the WAL emptied: read from the file */
	assert_int_equal(
	    store_exec(s, "PRAGMA wal_checkpoint(TRUNCATE)", &err), 0);
	plain = rows(s, 0, &n, 0, NULL, NULL);
	assert_int_equal(n, RA_ROWS);
	ahead = rows(s, 1, &n, 0, NULL, NULL);
	assert_int_equal(n, RA_ROWS);
	assert_true(ahead == plain);

	/* another connection rewrites every row and checkpoints while
	 * the reader is halfway: the reader still reads its snapshot */
	w = store_open(path, &err);
	assert_non_null(w);
	ahead = rows(s, 1, &n, RA_ROWS / 2, rewrite, w);
	assert_int_equal(n, RA_ROWS);
	assert_true(ahead == plain);
	/* the next read sees the rewrite, ahead or not, the checkpoint
	 * now done */
	assert_int_equal(
	    store_exec(w, "PRAGMA wal_checkpoint(TRUNCATE)", &err), 0);
	after = rows(s, 1, &n, 0, NULL, NULL);
	assert_int_equal(n, RA_ROWS);
	assert_true(after != plain);
	assert_true(after == rows(s, 0, &n, 0, NULL, NULL));
	store_close(w);
	store_close(s);
	free(path);
	unit_rmtree(dir);
	free(dir);
}

/* What was read ahead in one read transaction is not read in the next:
 * rows in the file's first 256 KiB, rewritten in place by another
 * connection and checkpointed between two reads. */
static void
test_read_ahead_next(void **state)
{
	char *dir = unit_tmpdir(), *path = unit_path(dir, "owl.db");
	struct store *s, *w;
	struct err err;
	uint64_t before, after;
	int n;

	(void)state;
	err_init(&err);
	s = store_open(path, &err);
	assert_non_null(s);
	assert_int_equal(store_exec(s,
	                     "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);"
	                     "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL "
	                     "SELECT i + 1 FROM c WHERE i < 50) "
	                     "INSERT INTO t SELECT i, hex(randomblob(350)) "
	                     "FROM c;"
	                     "CREATE TABLE f (x BLOB);"
	                     "INSERT INTO f VALUES (randomblob(600000))",
	                     &err),
	    0);
	assert_int_equal(
	    store_exec(s, "PRAGMA wal_checkpoint(TRUNCATE)", &err), 0);
	store_close(s);
	/* a reader with nothing cached: its pages read from the file */
	s = store_open(path, &err);
	assert_non_null(s);
	before = rows(s, 1, &n, 0, NULL, NULL);
	assert_int_equal(n, 50);
	w = store_open(path, &err);
	assert_non_null(w);
	/* rewritten, then vacuumed: its pages back where they were, in
	 * the chunk the reader read last */
	assert_int_equal(store_exec(w,
	                     "UPDATE t SET v = lower(v); VACUUM;"
	                     "PRAGMA wal_checkpoint(TRUNCATE)",
	                     &err),
	    0);
	after = rows(s, 1, &n, 0, NULL, NULL);
	assert_int_equal(n, 50);
	assert_true(after != before);
	assert_true(after == rows(s, 0, &n, 0, NULL, NULL));
	store_close(w);
	store_close(s);
	free(path);
	unit_rmtree(dir);
	free(dir);
}

/* A connection to path through owl's VFS, in WAL mode as owl's are. */
static sqlite3 *
ra_conn(const char *path)
{
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open_v2(path, &db,
	                     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
	                     store_sqlite_ra_vfs()),
	    SQLITE_OK);
	assert_int_equal(
	    sqlite3_exec(db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL),
	    SQLITE_OK);
	return db;
}

/* A database whose first 256 KiB hold page 1 and 20 rows of t (their
 * v starting 'old-'), made larger than that by a blob after them (so
 * that the first 256 KiB are read ahead whole), all in the file. */
static void
ra_db(const char *path)
{
	sqlite3 *db = ra_conn(path);

	assert_int_equal(sqlite3_exec(db,
	                     "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);"
	                     "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL "
	                     "SELECT i + 1 FROM c WHERE i < 20) "
	                     "INSERT INTO t SELECT i, 'old-' || "
	                     "hex(randomblob(350)) FROM c;"
	                     "CREATE TABLE f (x BLOB);"
	                     "INSERT INTO f VALUES (randomblob(600000));"
	                     "PRAGMA wal_checkpoint(TRUNCATE)",
	                     NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

/* Steps st once (a new read transaction when none is open): its two
 * columns, the second copied to out. */
static int
ra_step(sqlite3_stmt *st, char *out, size_t len)
{
	int n;

	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int(st, 0);
	snprintf(out, len, "%s", (const char *)sqlite3_column_text(st, 1));
	assert_int_equal(sqlite3_reset(st), SQLITE_OK);
	return n;
}

/* Read ahead left on over two read transactions (no toggle between
 * them: turning it on or off drops the buffer by itself): the second
 * reads the file as another connection left it, not the chunk the
 * first read. The rows keep their pages (rewritten to the same length)
 * and are checkpointed into the file between the two. A VFS that kept
 * its buffer from one transaction to the next gives 'old-' again. */
static void
test_read_ahead_across(void **state)
{
	char *dir = unit_tmpdir(), *path = unit_path(dir, "ra.db");
	sqlite3 *r, *w;
	sqlite3_stmt *st = NULL;
	char v[16];

	(void)state;
	ra_db(path);
	r = ra_conn(path);
	w = ra_conn(path);
	assert_int_equal(
	    sqlite3_prepare_v2(r,
	        "SELECT count(*), min(substr(v, 1, 4)) FROM t", -1, &st, NULL),
	    SQLITE_OK);
	assert_int_equal(store_sqlite_ra(r, 1), 1);
	/* transaction 1: t's pages from the file, read ahead */
	assert_int_equal(ra_step(st, v, sizeof v), 20);
	assert_string_equal(v, "old-");
	/* the pages rewritten in place, copied into the file */
	assert_int_equal(sqlite3_exec(w,
	                     "UPDATE t SET v = 'new-' || substr(v, 5);"
	                     "PRAGMA wal_checkpoint(TRUNCATE)",
	                     NULL, NULL, NULL),
	    SQLITE_OK);
	/* transaction 2, read ahead still on */
	assert_int_equal(ra_step(st, v, sizeof v), 20);
	assert_string_equal(v, "new-");
	assert_int_equal(store_sqlite_ra(r, 0), 0);
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_close(w), SQLITE_OK);
	assert_int_equal(sqlite3_close(r), SQLITE_OK);
	free(path);
	unit_rmtree(dir);
	free(dir);
}

/* Each of the calls that end or change what a read transaction sees
 * drops the buffer by itself: a lock, an unlock, a shared-memory lock
 * (WAL read marks), a write, a truncation. The file is changed behind
 * the VFS (another descriptor) after a read filled the buffer; the
 * read after the call must see the change (and, with no call between,
 * the buffer's old bytes are read: reading ahead is on). */
enum ra_op { RA_NONE, RA_LOCK, RA_UNLOCK, RA_SHMLOCK, RA_WRITE, RA_TRUNC };

static void
ra_op(sqlite3_file *f, enum ra_op op)
{
	char zero[8];

	switch (op) {
	case RA_NONE: break;
	case RA_LOCK: /* SHARED (let go by ra_op_done) */
		assert_int_equal(f->pMethods->xLock(f, SQLITE_LOCK_SHARED), 0);
		break;
	case RA_UNLOCK: /* to none (held or not) */
		assert_int_equal(f->pMethods->xUnlock(f, SQLITE_LOCK_NONE), 0);
		break;
	case RA_SHMLOCK: /* a shared lock of a read mark, let go */
		assert_int_equal(f->pMethods->xShmLock(f, 3, 1,
		                     SQLITE_SHM_LOCK | SQLITE_SHM_SHARED),
		    SQLITE_OK);
		break;
	case RA_WRITE: /* elsewhere: past the pages, which end earlier */
		memset(zero, 0, sizeof zero);
		assert_int_equal(f->pMethods->xWrite(f, zero, sizeof zero,
		                     (1 << 20) - sizeof zero),
		    0);
		break;
	case RA_TRUNC: /* to the size it has */
		assert_int_equal(f->pMethods->xTruncate(f, 1 << 20), 0);
		break;
	}
}

/* Lets go of what ra_op took. */
static void
ra_op_done(sqlite3_file *f, enum ra_op op)
{
	if (op == RA_LOCK)
		assert_int_equal(f->pMethods->xUnlock(f, SQLITE_LOCK_NONE), 0);
	if (op == RA_SHMLOCK)
		assert_int_equal(f->pMethods->xShmLock(f, 3, 1,
		                     SQLITE_SHM_UNLOCK | SQLITE_SHM_SHARED),
		    SQLITE_OK);
}

static void
test_read_ahead_drops(void **state)
{
	static const enum ra_op ops[] = { RA_LOCK, RA_UNLOCK, RA_SHMLOCK,
		RA_WRITE, RA_TRUNC };
	char *dir = unit_tmpdir(), *path = unit_path(dir, "ra.db");
	sqlite3 *db;
	sqlite3_file *f = NULL;
	char got[8], b[8];
	int fd;

	(void)state;
	ra_db(path);
	db = ra_conn(path);
	/* one read: the connection's shared memory is mapped (xShmLock
	 * needs it), no lock is held after it */
	assert_int_equal(
	    sqlite3_exec(db, "SELECT count(*) FROM t", NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_equal(
	    sqlite3_file_control(db, "main", SQLITE_FCNTL_FILE_POINTER, &f),
	    SQLITE_OK);
	assert_non_null(f);
	/* a megabyte: the truncation is to the size it has */
	assert_int_equal(f->pMethods->xTruncate(f, 1 << 20), 0);
	fd = open(path, O_RDWR | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(store_sqlite_ra(db, 1), 1);
	/* bytes in the first 256 KiB past every page SQLite uses there;
	 * each round from an empty buffer (turned off and on) */
	for (size_t i = 0; i <= sizeof ops / sizeof ops[0]; i++) {
		enum ra_op op = i == 0 ? RA_NONE : ops[i - 1];
		char a[8];

		assert_int_equal(store_sqlite_ra(db, 0), 0);
		assert_int_equal(store_sqlite_ra(db, 1), 1);
		snprintf(a, sizeof a, "a%zu", i);
		assert_int_equal(pwrite(fd, a, sizeof a, 240000), sizeof a);
		assert_int_equal(
		    f->pMethods->xRead(f, got, sizeof got, 240000), 0);
		assert_string_equal(got, a); /* the buffer holds a now */
		snprintf(b, sizeof b, "b%zu", i);
		assert_int_equal(pwrite(fd, b, sizeof b, 240000), sizeof b);
		ra_op(f, op);
		assert_int_equal(
		    f->pMethods->xRead(f, got, sizeof got, 240000), 0);
		ra_op_done(f, op);
		/* with no call between, read ahead gives the old bytes */
		assert_string_equal(got, op == RA_NONE ? a : b);
	}
	assert_int_equal(store_sqlite_ra(db, 0), 0);
	close(fd);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
	free(path);
	unit_rmtree(dir);
	free(dir);
}

/* A checkpoint through the WAL window (store_checkpoint on a connection
 * of ours) copies the same pages as one that reads frame by frame:
 * rows rewritten in random order over many transactions (frames of one
 * page at many places in the log, pages straddling the window's
 * pieces), checkpointed by a second connection, the log then emptied so
 * that every read is from the database file. */
static void
test_checkpoint_window(void **state)
{
	char *dir = unit_tmpdir(), *path = unit_path(dir, "owl.db");
	struct store *s, *k;
	struct err err;
	uint64_t before, after;
	int n, log = 0, copied = 0;
	long served;

	(void)state;
	err_init(&err);
	s = store_open(path, &err);
	assert_non_null(s);
	assert_int_equal(store_exec(s,
	                     "PRAGMA wal_autocheckpoint = 0;"
	                     "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);"
	                     "CREATE INDEX t_v ON t(v);"
	                     "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL "
	                     "SELECT i + 1 FROM c WHERE i < 3000) "
	                     "INSERT INTO t SELECT i, hex(randomblob(350)) "
	                     "FROM c",
	                     &err),
	    0);
	for (int i = 0; i < 40; i++)
		assert_int_equal(store_exec(s,
		                     "UPDATE t SET v = hex(randomblob(350))"
		                     " WHERE id IN (SELECT id FROM t"
		                     " ORDER BY random() LIMIT 40)",
		                     &err),
		    0);
	before = rows(s, 0, &n, 0, NULL, NULL);
	assert_int_equal(n, RA_ROWS);

	k = store_open(path, &err);
	assert_non_null(k);
	/* the WAL is ours once k has read through it */
	assert_int_equal(store_exec(k, "SELECT count(*) FROM t", &err), 0);
	assert_int_equal(store_sqlite_ra_wal(store_sqlite_db(k), 1), 1);
	assert_int_equal(store_sqlite_ra_wal(store_sqlite_db(k), 0), 0);
	/* as store_checkpoint does it: the whole log copied by k, every
	 * page it copied read from the window */
	assert_int_equal(store_sqlite_ra_wal(store_sqlite_db(k), 1), 1);
	assert_int_equal(sqlite3_wal_checkpoint_v2(store_sqlite_db(k), NULL,
	                     SQLITE_CHECKPOINT_PASSIVE, &log, &copied),
	    SQLITE_OK);
	served = store_sqlite_ra_wal(store_sqlite_db(k), 0);
	assert_true(log > 1000);
	assert_int_equal(copied, log);
	assert_true(served > 600 && served <= log);
	store_checkpoint(k); /* nothing left: the window unused */
	/* the truncation copies nothing more, then every page is read from
	 * the database file */
	assert_int_equal(
	    store_exec(s, "PRAGMA wal_checkpoint(TRUNCATE)", &err), 0);
	store_close(k);
	store_close(s);
	s = store_open(path, &err);
	assert_non_null(s);
	after = rows(s, 0, &n, 0, NULL, NULL);
	assert_int_equal(n, RA_ROWS);
	assert_true(after == before);
	assert_int_equal(store_exec(s, "PRAGMA integrity_check", &err), 0);
	store_close(s);
	free(path);
	unit_rmtree(dir);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_ahead),
		cmocka_unit_test(test_read_ahead_next),
		cmocka_unit_test(test_read_ahead_across),
		cmocka_unit_test(test_read_ahead_drops),
		cmocka_unit_test(test_checkpoint_window),
	};

	return cmocka_run_group_tests_name("store_ra", tests, NULL, NULL);
}
