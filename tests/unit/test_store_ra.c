/* test_store_ra.c: reading the database ahead (engine/store_sqlite_ra.c,
 * store_read_ahead): the same rows as page by page, the end of the file
 * included, and the reader's snapshot kept while another connection
 * writes and checkpoints under it. */
#include "unit.h"

#include "engine/store.h"
#include "engine/store_sqlite.h"
#include "engine/store_sqlite_ra.h"

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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_ahead),
		cmocka_unit_test(test_read_ahead_next),
	};

	return cmocka_run_group_tests_name("store_ra", tests, NULL, NULL);
}
