/* test_store.c: opening, creating and migrating the database
 * (engine/store.c), nested transactions and the statement cache. */
#include "unit.h"

#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/schema.h"
#include "engine/store.h"
#include "engine/store_sqlite.h"

static char *
slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *p;

	assert_non_null(f);
	p = malloc(1 << 20);
	assert_non_null(p);
	*n = fread(p, 1, 1 << 20, f);
	fclose(f);
	return p;
}

static void
test_create_mode_and_parents(void **state)
{
	char *dir = unit_tmpdir(), *path = unit_path(dir, "a/b/c/owl.db");
	struct store *s;
	struct err err;
	struct stat st;

	(void)state;
	err_init(&err);
	s = store_open(path, &err);
	assert_non_null(s);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	store_close(s);
	/* reopening an existing database works and keeps the mode */
	s = store_open(path, &err);
	assert_non_null(s);
	store_close(s);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	free(path);
	unit_rmtree(dir);
	free(dir);
}

static void
test_open_existing_never_creates(void **state)
{
	char *dir = unit_tmpdir(), *path = unit_path(dir, "a/owl.db");
	char *empty = unit_path(dir, "empty.db");
	struct store *s;
	struct err err;
	struct stat st;
	FILE *f;

	(void)state;
	err_init(&err);
	assert_null(store_open_existing(path, &err));
	assert_int_equal(err.code, ERR_USAGE);
	assert_non_null(strstr(err.msg, "no database at "));
	assert_non_null(strstr(err.msg, "run owl serve or owl ingest"));
	assert_int_equal(stat(path, &st), -1); /* nor its directory */
	assert_non_null(f = fopen(empty, "w"));
	fclose(f);
	err_init(&err);
	assert_null(store_open_existing(empty, &err));
	assert_int_equal(stat(empty, &st), 0);
	assert_int_equal(st.st_size, 0);
	/* once created, it opens */
	err_init(&err);
	assert_non_null(s = store_open(path, &err));
	store_close(s);
	assert_non_null(s = store_open_existing(path, &err));
	store_close(s);
	free(path);
	free(empty);
	unit_rmtree(dir);
	free(dir);
}

static void
test_refuses_urls(void **state)
{
	/* port 1 of the loopback refuses at once: no server, no wait */
	static const char *const urls[] = { "postgresql://u:pw@127.0.0.1:1/o",
		"postgres://127.0.0.1:1/owl?password=pw",
		"PostgreSQL://127.0.0.1:1/x", "https://x/owl.db" };
	char *dir = unit_tmpdir(), cwd[4096];
	struct err err;
	struct stat st;

	(void)state;
	assert_non_null(getcwd(cwd, sizeof cwd));
	assert_int_equal(chdir(dir), 0);
	for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++) {
		err_init(&err);
		assert_null(store_open(urls[i], &err));
		assert_int_equal(err.code, i < 3 ? ERR_FAILED : ERR_USAGE);
		assert_null(strstr(err.msg, "pw")); /* no password echoed */
		assert_non_null(strstr(err.msg,
		    i < 3 ? "Connection refused" : "a URL, not a database"));
	}
	assert_int_equal(stat("postgresql:", &st), -1);
	assert_int_equal(stat("https:", &st), -1);
	/* a relative path with a colon is still a path */
	err_init(&err);
	struct store *s = store_open("a:b.db", &err);
	assert_non_null(s);
	store_close(s);
	assert_int_equal(chdir(cwd), 0);
	unit_rmtree(dir);
	free(dir);
}

static void
test_refuses_directory(void **state)
{
	char *dir = unit_tmpdir();
	struct err err;

	(void)state;
	err_init(&err);
	assert_null(store_open(dir, &err));
	assert_int_equal(err.code, ERR_USAGE);
	assert_non_null(strstr(err.msg, "is a directory"));
	unit_rmtree(dir);
	free(dir);
}

static void
test_refuses_other_files_untouched(void **state)
{
	static const char text[] = "this is not a database\n";
	char *dir = unit_tmpdir(), *path = unit_path(dir, "notes.txt"), *back;
	struct err err;
	size_t n;
	FILE *f;

	(void)state;
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	err_init(&err);
	assert_null(store_open(path, &err));
	assert_int_equal(err.code, ERR_USAGE);
	assert_non_null(strstr(err.msg, "not an owl database"));
	back = slurp(path, &n);
	assert_int_equal(n, strlen(text));
	assert_memory_equal(back, text, n);
	free(back);
	free(path);
	unit_rmtree(dir);
	free(dir);
}

static void
test_refuses_newer_schema(void **state)
{
	char *dir = unit_tmpdir(), *path = unit_path(dir, "owl.db");
	char *before, *after, sql[64];
	size_t n1, n2;
	struct store *s;
	struct err err;

	(void)state;
	err_init(&err);
	s = store_open(path, &err);
	assert_non_null(s);
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d",
	    store_schema_version() + 1);
	assert_int_equal(store_exec(s, sql, &err), 0);
	store_close(s);
	before = slurp(path, &n1);
	assert_null(store_open(path, &err));
	assert_int_equal(err.code, ERR_USAGE);
	assert_non_null(strstr(err.msg, "is newer than this owl"));
	after = slurp(path, &n2);
	assert_int_equal(n1, n2);
	assert_memory_equal(before, after, n1);
	free(before);
	free(after);
	free(path);
	unit_rmtree(dir);
	free(dir);
}

static int
count_rows(struct store *s)
{
	struct store_stmt *st = store_stmt(s, "SELECT count(*) FROM t", NULL);
	int n;

	assert_non_null(st);
	assert_int_equal(store_step(st), STORE_ROW);
	n = store_col_int(st, 0);
	store_reset(st);
	return n;
}

static void
test_nested_transactions(void **state)
{
	char *dir = unit_tmpdir(), *path = unit_path(dir, "owl.db");
	struct store *s;
	struct err err;

	(void)state;
	err_init(&err);
	s = store_open(path, &err);
	assert_non_null(s);
	assert_int_equal(store_exec(s, "CREATE TEMP TABLE t(x)", &err), 0);
	/* inner commit does not commit; outer does */
	assert_int_equal(store_begin(s, &err), 0);
	assert_int_equal(store_begin(s, &err), 0);
	assert_int_equal(store_exec(s, "INSERT INTO t VALUES (1)", &err), 0);
	assert_int_equal(store_commit(s, &err), 0);
	assert_int_equal(store_txn_serial(s) != 0, 1);
	assert_int_equal(store_commit(s, &err), 0);
	assert_int_equal(count_rows(s), 1);
	/* an inner rollback dooms the outer commit */
	assert_int_equal(store_begin(s, &err), 0);
	assert_int_equal(store_exec(s, "INSERT INTO t VALUES (2)", &err), 0);
	assert_int_equal(store_begin(s, &err), 0);
	store_rollback(s);
	assert_int_equal(store_commit(s, &err), -1);
	assert_int_equal(count_rows(s), 1);
	/* commit without begin is an error, not a crash */
	err_init(&err);
	assert_int_equal(store_commit(s, &err), -1);
	store_close(s);
	free(path);
	unit_rmtree(dir);
	free(dir);
}

/* A write that waits in vain for the lock says who holds it: another
 * connection of this process (owl serve's lease renewals, its pager),
 * or another process by its pid and command line (was: "locked by
 * another owl" whoever it was). */
static void
test_locked_by(void **state)
{
	char *dir = unit_tmpdir(), *path = unit_path(dir, "owl.db");
	char want[128];
	struct store *a, *b;
	struct err err;
	int up[2], down[2];
	pid_t kid;
	char c;

	(void)state;
	err_init(&err);
	assert_non_null(a = store_open(path, &err));
	assert_non_null(b = store_open(path, &err));
	store_busy_timeout(b, 50);
	assert_int_equal(store_begin(a, &err), 0);
	assert_int_equal(store_begin(b, &err), -1);
	assert_true(store_locked(b));
	snprintf(want, sizeof want,
	    "begin transaction: database is locked by another connection "
	    "of this owl (pid %d)",
	    (int)getpid());
	assert_string_equal(err.msg, want);
	err_init(&err);
	assert_int_equal(store_probe_write(b, &err), -1);
	assert_string_equal(err.msg, want + strlen("begin transaction: "));
	store_rollback(a);
	/* another process holds it until this one writes to it (a pipe
	 * each way: one the child could read its own byte back from) */
	assert_int_equal(pipe(up), 0);
	assert_int_equal(pipe(down), 0);
	if ((kid = fork()) == 0) {
		struct store *k = store_open(path, &err);

		if (k == NULL || store_begin(k, &err) == -1 ||
		    write(up[1], "x", 1) != 1 || read(down[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	assert_true(kid > 0);
	close(up[1]);
	close(down[0]);
	/* the child failed: EOF, not a hang */
	assert_int_equal(read(up[0], &c, 1), 1);
	err_init(&err);
	assert_int_equal(store_begin(b, &err), -1);
	snprintf(want, sizeof want,
	    "begin transaction: database is locked by another process, pid "
	    "%d (",
	    (int)kid);
	assert_memory_equal(err.msg, want, strlen(want));
	assert_int_equal(write(down[1], "y", 1), 1);
	close(up[0]);
	close(down[1]);
	assert_int_equal(waitpid(kid, NULL, 0), kid);
	err_init(&err);
	assert_int_equal(store_begin(b, &err), 0);
	store_rollback(b);
	store_close(a);
	store_close(b);
	free(path);
	unit_rmtree(dir);
	free(dir);
}

/* store_step_later on SQLite runs the statement at once, in and out of
 * a transaction; a failure is said then, named, and rolls back. */
static void
test_step_later(void **state)
{
	static const char ins[] = "INSERT INTO t VALUES (?1)";
	char *dir = unit_tmpdir(), *path = unit_path(dir, "owl.db");
	struct store_stmt *st;
	struct store *s;
	struct err err;

	(void)state;
	err_init(&err);
	s = store_open(path, &err);
	assert_non_null(s);
	assert_int_equal(
	    store_exec(s, "CREATE TEMP TABLE t(x UNIQUE)", &err), 0);
	assert_non_null(st = store_stmt(s, ins, &err));
	store_bind_int(st, 1, 1);
	assert_int_equal(store_step_later(s, st, "row", &err), 0);
	assert_int_equal(count_rows(s), 1);
	assert_int_equal(store_begin(s, &err), 0);
	assert_non_null(st = store_stmt(s, ins, &err));
	store_bind_int(st, 1, 2);
	assert_int_equal(store_step_later(s, st, "row", &err), 0);
	assert_non_null(st = store_stmt(s, ins, &err));
	store_bind_int(st, 1, 2);
	assert_int_equal(store_step_later(s, st, "second row", &err), -1);
	assert_string_equal(
	    err.msg, "second row: UNIQUE constraint failed: t.x");
	store_rollback(s);
	assert_int_equal(count_rows(s), 1);
	store_close(s);
	free(path);
	unit_rmtree(dir);
	free(dir);
}

static void
test_statement_cache(void **state)
{
	static const char sql[] = "SELECT ?1 + 1";
	char *dir = unit_tmpdir(), *path = unit_path(dir, "owl.db");
	struct store_stmt *a, *b;
	struct store *s;
	struct err err;

	(void)state;
	err_init(&err);
	s = store_open(path, &err);
	assert_non_null(s);
	a = store_stmt(s, sql, &err);
	assert_non_null(a);
	store_bind_int(a, 1, 41);
	assert_int_equal(store_step(a), STORE_ROW);
	assert_int_equal(store_col_int(a, 0), 42);
	b = store_stmt(s, sql, &err);
	assert_ptr_equal(a, b); /* cached, reset, bindings cleared */
	assert_int_equal(store_step(b), STORE_ROW);
	assert_true(store_col_null(b, 0));
	store_reset(b);
	assert_null(store_stmt(s, "SELECT FROM nothing", &err));
	assert_int_equal(err.code, ERR_FAILED);
	store_close(s);
	free(path);
	unit_rmtree(dir);
	free(dir);
}

static void
test_pragmas(void **state)
{
	char *dir = unit_tmpdir(), *path = unit_path(dir, "owl.db");
	struct store_stmt *st;
	struct store *s;
	struct err err;

	(void)state;
	err_init(&err);
	s = store_open(path, &err);
	assert_non_null(s);
	st = store_stmt(s, "PRAGMA journal_mode", &err);
	assert_int_equal(store_step(st), STORE_ROW);
	assert_string_equal((const char *)store_col_text(st, 0), "wal");
	store_reset(st);
	st = store_stmt(s, "PRAGMA foreign_keys", &err);
	assert_int_equal(store_step(st), STORE_ROW);
	assert_int_equal(store_col_int(st, 0), 1);
	store_reset(st);
	st = store_stmt(s, "PRAGMA synchronous", &err);
	assert_int_equal(store_step(st), STORE_ROW);
	assert_int_equal(store_col_int(st, 0), 2); /* FULL */
	store_reset(st);
	st = store_stmt(s, "PRAGMA user_version", &err);
	assert_int_equal(store_step(st), STORE_ROW);
	assert_int_equal(store_col_int(st, 0), schema_count);
	store_reset(st);
	assert_true(store_data_version(s) > 0);
	store_close(s);
	free(path);
	unit_rmtree(dir);
	free(dir);
}

/* Inserts n rows of 2 KiB into t, one transaction. */
static void
fill(struct store *s, int n)
{
	struct err err;
	char sql[128];

	err_init(&err);
	snprintf(sql, sizeof sql,
	    "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c"
	    " WHERE i < %d) INSERT INTO t SELECT randomblob(2048) FROM c",
	    n);
	assert_int_equal(store_begin(s, &err), 0);
	assert_int_equal(store_exec(s, sql, &err), 0);
	assert_int_equal(store_commit(s, &err), 0);
}

/* owl serve's writer (serve_writer.c): commits that do not wait for the
 * disk, synced by store_durable from another descriptor; checkpoints
 * left to the caller, run on another connection, and the WAL starting
 * over once a checkpoint copied all of it. */
static void
test_deferred_durability(void **state)
{
	char *dir = unit_tmpdir(), *path = unit_path(dir, "owl.db");
	char *wal = unit_path(dir, "owl.db-wal");
	struct store *s, *k;
	struct err err;
	struct stat st;
	char *other;
	long before;
	FILE *f;

	(void)state;
	err_init(&err);
	assert_non_null(s = store_open(path, &err));
	assert_non_null(k = store_open(path, &err));
	assert_int_equal(store_exec(s, "CREATE TABLE t(b BLOB)", &err), 0);
	assert_int_equal(store_defer_durable(s, &err), 1);
	assert_int_equal(store_defer_durable(s, &err), 1); /* again: no-op */
	assert_int_equal(unit_scalar(s, "PRAGMA synchronous"), 1);
	assert_int_equal(store_checkpoint_manual(s, &err), 0);
	assert_int_equal(store_cache_mib(s, 8, &err), 0);
	assert_int_equal(unit_scalar(s, "PRAGMA cache_size"), -8192);
	/* past SQLite's 1,000 frames: no checkpoint of its own, so the
	 * WAL holds every frame written */
	fill(s, 1500);
	assert_true(store_wal_frames(s) > 1500);
	assert_int_equal(store_durable(s, &err), 0);
	assert_int_equal(stat(wal, &st), 0);
	assert_true(st.st_size >= store_wal_frames(s) * 4096);
	/* checkpointed on the other connection: the next write starts the
	 * WAL over */
	before = store_wal_frames(s);
	store_checkpoint(k);
	fill(s, 1);
	assert_true(store_wal_frames(s) < before);
	assert_int_equal(store_durable(s, &err), 0);
	assert_int_equal(unit_scalar(k, "SELECT count(*) FROM t"), 1501);
	/* a WAL replaced under the connection: said, not guessed */
	store_close(k);
	other = unit_path(dir, "other");
	assert_non_null(f = fopen(other, "w"));
	fclose(f);
	assert_int_equal(rename(other, wal), 0);
	err_init(&err);
	assert_int_equal(store_durable(s, &err), -1);
	assert_non_null(strstr(err.msg, "was replaced"));
	free(other);
	store_close(s);
	free(path);
	free(wal);
	unit_rmtree(dir);
	free(dir);
}

/* The write system calls this thread made so far. */
static long
writes_made(void)
{
	char line[128];
	long n = -1;
	FILE *f = fopen("/proc/thread-self/io", "r");

	assert_non_null(f);
	while (fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "syscw: %ld", &n) == 1)
			break;
	fclose(f);
	return n;
}

/* Copies file from to to (a crash's view of the files: what the kernel
 * has, whatever the process still holds). */
static void
copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	char b[65536];
	size_t n;

	assert_non_null(in);
	assert_non_null(out);
	while ((n = fread(b, 1, sizeof b, in)) > 0)
		assert_int_equal(fwrite(b, 1, n, out), n);
	fclose(in);
	fclose(out);
}

/* owl serve's writer connection (store_open_writer): a commit's WAL
 * frames reach the file in a few writes, not two a page; each commit is
 * in the file when it returns (another connection sees it, a copy of
 * the files holds it), the big ones too; a write that fails fails the
 * commit. */
static void
test_writer_wal(void **state)
{
	char *dir = unit_tmpdir(), *path = unit_path(dir, "owl.db");
	char *wal = unit_path(dir, "owl.db-wal"), *cp = unit_path(dir, "cp.db");
	char *cpwal = unit_path(dir, "cp.db-wal");
	struct store *s, *k, *c;
	struct rlimit lim;
	struct err err;
	long before, end;
	int status;
	pid_t pid;

	(void)state;
	err_init(&err);
	assert_non_null(s = store_open_writer(path, &err));
	assert_non_null(k = store_open(path, &err));
	assert_int_equal(store_exec(s, "CREATE TABLE t(b BLOB)", &err), 0);
	assert_int_equal(store_defer_durable(s, &err), 1);
	assert_int_equal(store_checkpoint_manual(s, &err), 0);
	for (int i = 1; i <= 20; i++) {
		fill(s, 1);
		assert_int_equal(unit_scalar(k, "SELECT count(*) FROM t"), i);
	}
	/* 100 pages: a handful of writes (two a page before) */
	before = writes_made();
	fill(s, 100);
	assert_true(writes_made() - before < 20);
	assert_int_equal(unit_scalar(k, "SELECT count(*) FROM t"), 120);
	/* more than is gathered at once (2 MiB) */
	fill(s, 3000);
	assert_int_equal(unit_scalar(k, "SELECT count(*) FROM t"), 3120);
	assert_int_equal(store_durable(s, &err), 0);
	copy_file(path, cp);
	copy_file(wal, cpwal);
	assert_non_null(c = store_open(cp, &err));
	assert_int_equal(unit_scalar(c, "SELECT count(*) FROM t"), 3120);
	assert_int_equal(unit_scalar(c,
	                     "SELECT count(*) FROM"
	                     " pragma_integrity_check"
	                     " WHERE integrity_check <> 'ok'"),
	    0);
	store_close(c);
	/* a checkpoint on the other connection, the WAL starting over */
	store_checkpoint(k);
	fill(s, 1);
	assert_int_equal(unit_scalar(k, "SELECT count(*) FROM t"), 3121);
	/* a full disk (a file size limit 64 KiB past the WAL's last
	 * frame, of 4 KiB pages): the commit fails, nothing of it is seen */
	end = 32 + store_wal_frames(s) * (4096 + 24);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		signal(SIGXFSZ, SIG_IGN);
		lim.rlim_cur = lim.rlim_max = (rlim_t)end + 64 * 1024;
		if (setrlimit(RLIMIT_FSIZE, &lim) == -1 ||
		    store_begin(s, &err) == -1 ||
		    store_exec(s,
		        "INSERT INTO t SELECT randomblob(2048) FROM t LIMIT 100",
		        &err) == -1)
			_exit(2);
		if (store_commit(s, &err) != -1)
			_exit(3);
		_exit(unit_scalar(s, "SELECT count(*) FROM t") == 3121 ? 0 : 4);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	store_close(k);
	store_close(s);
	free(path);
	free(wal);
	free(cp);
	free(cpwal);
	unit_rmtree(dir);
	free(dir);
}

/* The page cache of store_sqlite_pcache.c (installed by store_init,
 * before SQLite is used: main() below): B-tree splits of an index keyed
 * by random values swap pages through the lock byte's page number, and
 * the database stays whole, also across a rollback of a transaction
 * that grew it and a cache far smaller than the database. */
static void
test_pcache_swaps(void **state)
{
	char *dir = unit_tmpdir(), *path = unit_path(dir, "owl.db");
	struct store *s, *k;
	struct err err;

	(void)state;
	err_init(&err);
	assert_int_equal(store_sqlite_pcache_setup(), 0); /* in place */
	assert_non_null(s = store_open_writer(path, &err));
	assert_non_null(k = store_open(path, &err));
	assert_int_equal(store_cache_mib(s, 1, &err), 0);
	assert_int_equal(store_exec(s,
	                     "CREATE TABLE r(k BLOB, v TEXT);"
	                     "CREATE UNIQUE INDEX r_k ON r(k);",
	                     &err),
	    0);
	for (int i = 0; i < 40; i++) {
		assert_int_equal(store_begin(s, &err), 0);
		assert_int_equal(
		    store_exec(s,
		        "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL"
		        " SELECT i + 1 FROM c WHERE i < 500)"
		        " INSERT INTO r SELECT randomblob(16),"
		        " hex(randomblob(40)) FROM c",
		        &err),
		    0);
		if (i % 10 == 9)
			store_rollback(s);
		else
			assert_int_equal(store_commit(s, &err), 0);
	}
	assert_int_equal(unit_scalar(s, "SELECT count(*) FROM r"), 36 * 500);
	assert_int_equal(unit_scalar(k, "SELECT count(*) FROM r"), 36 * 500);
	assert_int_equal(unit_scalar(k,
	                     "SELECT count(*) FROM"
	                     " pragma_integrity_check"
	                     " WHERE integrity_check <> 'ok'"),
	    0);
	assert_int_equal(unit_scalar(s,
	                     "SELECT count(*) FROM"
	                     " pragma_integrity_check"
	                     " WHERE integrity_check <> 'ok'"),
	    0);
	store_close(k);
	store_close(s);
	free(path);
	unit_rmtree(dir);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_mode_and_parents),
		cmocka_unit_test(test_refuses_directory),
		cmocka_unit_test(test_refuses_other_files_untouched),
		cmocka_unit_test(test_refuses_newer_schema),
		cmocka_unit_test(test_open_existing_never_creates),
		cmocka_unit_test(test_refuses_urls),
		cmocka_unit_test(test_nested_transactions),
		cmocka_unit_test(test_statement_cache),
		cmocka_unit_test(test_step_later),
		cmocka_unit_test(test_locked_by),
		cmocka_unit_test(test_pragmas),
		cmocka_unit_test(test_deferred_durability),
		cmocka_unit_test(test_writer_wal),
		cmocka_unit_test(test_pcache_swaps),
	};

	store_init();

	return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
