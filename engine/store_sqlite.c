/* store_sqlite.c: the SQLite backend of the store (store_int.h): opening
 * and checking the file, WAL and FULL sync, migrations kept in PRAGMA
 * user_version, and statements as thin wrappers of sqlite3_stmt. One
 * connection per store; WAL lets the daemon, the TUI and commands share
 * the file. */
#define _POSIX_C_SOURCE 200809L
#include "store_sqlite.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "paths.h"
#include "schema.h"
#include "store_int.h"
#include "store_sqlite_ra.h"

#define STORE_BUSY_MS 10000

_Static_assert(STORE_ROW == SQLITE_ROW && STORE_DONE == SQLITE_DONE,
    "store_step returns SQLite's codes unchanged");

struct store_sq_stmt {
	struct store_stmt base;
	sqlite3_stmt *st;
};

#define SQ_DB(s) ((sqlite3 *)(s)->conn)
#define SQ_ST(x) (((struct store_sq_stmt *)(x))->st)

static int store_sq_locked(struct store *s);

/* The holder of the write lock of the WAL database of s: SQLite takes
 * it as a POSIX lock on byte 120 of the -shm file (walformat.html,
 * WAL_WRITE_LOCK), which /proc/locks lists with the holder's pid. Read
 * there, not by opening the file: a close() would drop the locks this
 * process holds on it. 0 when none is seen (given back since). */
static long
store_sq_holder(struct store *s)
{
	const char *file = sqlite3_db_filename(SQ_DB(s), "main");
	char shm[4096], line[256], type[16], rw[16], from[32], to[32];
	unsigned long ino;
	unsigned maj, min;
	struct stat st;
	long pid = 0, p;
	FILE *f;

	if (file == NULL || *file == '\0' ||
	    snprintf(shm, sizeof shm, "%s-shm", file) >= (int)sizeof shm ||
	    stat(shm, &st) != 0 || (f = fopen("/proc/locks", "r")) == NULL)
		return 0;
	while (pid == 0 && fgets(line, sizeof line, f) != NULL) {
		/* "1: POSIX  ADVISORY  WRITE 4242 08:01:1234 120 120"; a
		 * waiter's line has "->" */
		if (strstr(line, "->") != NULL ||
		    sscanf(line, "%*d: %15s %*s %15s %ld %x:%x:%lu %31s %31s",
		        type, rw, &p, &maj, &min, &ino, from, to) != 8 ||
		    strcmp(type, "POSIX") != 0 || strcmp(rw, "WRITE") != 0 ||
		    ino != (unsigned long)st.st_ino)
			continue;
		if (atoll(from) <= 120 &&
		    (strcmp(to, "EOF") == 0 || atoll(to) >= 120))
			pid = p;
	}
	fclose(f);
	return pid;
}

/* "database is locked by WHO" for a write that waited in vain. */
static void
store_sq_locked_by(struct store *s, char *out, size_t n)
{
	long pid = store_sq_holder(s);
	char path[64], cmd[120] = "";
	size_t len;
	FILE *f;

	if (pid == 0) {
		snprintf(out, n,
		    "database is locked by another writer (given back since)");
		return;
	}
	if (pid == (long)getpid()) {
		snprintf(out, n,
		    "database is locked by another connection of this owl "
		    "(pid %ld)",
		    pid);
		return;
	}
	/* its command line, NULs as spaces */
	snprintf(path, sizeof path, "/proc/%ld/cmdline", pid);
	if ((f = fopen(path, "r")) != NULL) {
		len = fread(cmd, 1, sizeof cmd - 1, f);
		fclose(f);
		cmd[len] = '\0';
		for (size_t i = 0; i + 1 < len; i++)
			if (cmd[i] == '\0')
				cmd[i] = ' ';
		for (size_t i = 0; cmd[i] != '\0'; i++)
			if ((unsigned char)cmd[i] < 0x20 || cmd[i] == 0x7f)
				cmd[i] = '?';
	}
	snprintf(out, n, "database is locked by another process, pid %ld%s%s%s",
	    pid, *cmd ? " (" : "", cmd, *cmd ? ")" : "");
}

static int
store_sq_sqlerr(struct store *s, struct err *err, const char *what)
{
	int rc = sqlite3_extended_errcode(SQ_DB(s)) & 0xff;
	char who[256];

	if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
		store_sq_locked_by(s, who, sizeof who);
		return err_set(err, ERR_FAILED, "%s: %s", what, who);
	}
	return err_set(
	    err, ERR_FAILED, "%s: %s", what, sqlite3_errmsg(SQ_DB(s)));
}

/* Reads the first bytes of the file through SQLite's own VFS. A plain
 * open()/close() here would drop every POSIX lock that other connections
 * of this process hold on the database (howtocorrupt.html §2.2: close()
 * cancels the process's locks on the file), after which another process
 * may think it is alone and delete the live WAL. The unix VFS keeps the
 * descriptor open until those locks are released. Sets *n to the number
 * of bytes read (0 for an empty file); -1 when it cannot be read. */
static int
store_sq_read_head(const char *path, char *head, int len, int *n)
{
	sqlite3_vfs *vfs;
	sqlite3_file *f = NULL;
	sqlite3_int64 size = 0;
	char *full = NULL;
	int out, rc = -1;

	if (sqlite3_initialize() != SQLITE_OK ||
	    (vfs = sqlite3_vfs_find(NULL)) == NULL ||
	    (full = calloc(1, (size_t)vfs->mxPathname + 1)) == NULL ||
	    (f = calloc(1, (size_t)vfs->szOsFile)) == NULL)
		goto out;
	if (vfs->xFullPathname(vfs, path, vfs->mxPathname + 1, full) !=
	        SQLITE_OK ||
	    vfs->xOpen(vfs, full, f, SQLITE_OPEN_READONLY | SQLITE_OPEN_MAIN_DB,
	        &out) != SQLITE_OK)
		goto out;
	if (f->pMethods->xFileSize(f, &size) == SQLITE_OK) {
		*n = size < len ? (int)size : len;
		if (*n == 0 || f->pMethods->xRead(f, head, *n, 0) == SQLITE_OK)
			rc = 0;
	}
	f->pMethods->xClose(f);
out:
	free(f);
	free(full);
	return rc;
}

/* Checks what is at path before SQLite touches it, so that a directory or
 * a file of another kind is refused and left exactly as it was. */
static int
store_sq_check_file(const char *path, int *exists, struct err *err)
{
	static const char magic[16] = "SQLite format 3";
	char head[16];
	struct stat st;
	int n = 0;

	*exists = 0;
	if (stat(path, &st) == -1) {
		if (errno == ENOENT)
			return 0;
		return err_set(err, ERR_USAGE, "%s: %s", path, strerror(errno));
	}
	if (S_ISDIR(st.st_mode))
		return err_set(err, ERR_USAGE, "%s: is a directory", path);
	if (!S_ISREG(st.st_mode))
		return err_set(err, ERR_USAGE, "%s: not a regular file", path);
	*exists = 1;
	if (access(path, R_OK) == -1)
		return err_set(err, ERR_USAGE, "%s: %s", path, strerror(errno));
	if (store_sq_read_head(path, head, (int)sizeof head, &n) == -1)
		return err_set(err, ERR_USAGE, "%s: cannot read", path);
	if (n == 0)
		return 0; /* an empty file becomes a new database */
	if (n != (int)sizeof head || memcmp(head, magic, sizeof head) != 0)
		return err_set(err, ERR_USAGE,
		    "%s: not an owl database "
		    "(not SQLite)",
		    path);
	if (access(path, W_OK) == -1)
		return err_set(err, ERR_USAGE, "%s: %s", path, strerror(errno));
	return 0;
}

static int
store_sq_create_file(const char *path, struct err *err)
{
	int fd;

	if (paths_mkparents(path, err) == -1)
		return -1;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd == -1 && errno != EEXIST)
		return err_set(err, ERR_USAGE, "%s: %s", path, strerror(errno));
	if (fd != -1)
		close(fd);
	return 0;
}

static int
store_sq_user_version(struct store *s, int *v, struct err *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(
	        SQ_DB(s), "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return store_sq_sqlerr(s, err, "read schema version");
	rc = sqlite3_step(st);
	*v = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return store_sq_sqlerr(s, err, "read schema version");
	return 0;
}

static int
store_sq_migrate(struct store *s, struct err *err)
{
	char sql[64];
	int v;

	if (store_sq_user_version(s, &v, err) == -1)
		return -1;
	if (v > schema_count)
		return err_set(err, ERR_USAGE,
		    "%s: database schema version %d "
		    "is newer than this owl's (%d); upgrade owl",
		    s->path, v, schema_count);
	if (v == schema_count)
		return 0;
	if (store_begin(s, err) == -1)
		return -1;
	/* another process may have migrated while we waited for the lock */
	if (store_sq_user_version(s, &v, err) == -1)
		goto fail;
	for (; v < schema_count; v++) {
		if (store_exec(s, schema_migrations[v], err) == -1) {
			err_prefix(err, "schema migration %d: ", v + 1);
			goto fail;
		}
		snprintf(sql, sizeof sql, "PRAGMA user_version = %d", v + 1);
		if (store_exec(s, sql, err) == -1)
			goto fail;
	}
	return store_commit(s, err);
fail:
	store_rollback(s);
	return -1;
}

static int
store_sq_configure(struct store *s, struct err *err)
{
	static const char *const pragmas =
	    "PRAGMA journal_mode = WAL;"
	    "PRAGMA synchronous = FULL;"
	    "PRAGMA foreign_keys = ON;"
	    "PRAGMA trusted_schema = OFF;"
	    "PRAGMA journal_size_limit = 67108864;";
	int on = 1;

	sqlite3_busy_timeout(SQ_DB(s), STORE_BUSY_MS);
	sqlite3_extended_result_codes(SQ_DB(s), 1);
	sqlite3_db_config(SQ_DB(s), SQLITE_DBCONFIG_DEFENSIVE, 1, &on);
	return store_exec(s, pragmas, err);
}

/* Is there a database at path? A missing or empty file is none. */
static int
store_sq_check_exists(const char *path, struct err *err)
{
	struct stat st;

	if (stat(path, &st) == -1 && errno != ENOENT)
		return 0; /* store_sq_check_file names the problem */
	if (stat(path, &st) == 0 && (!S_ISREG(st.st_mode) || st.st_size > 0))
		return 0;
	return err_set(err, ERR_USAGE,
	    "no database at %s (run owl serve or owl ingest to create one)",
	    path);
}

int
store_sqlite_missing(const char *path)
{
	struct err err;

	err_init(&err);
	return store_sq_check_exists(path, &err) == -1;
}

static int
store_sq_open(struct store *s, int create, struct err *err)
{
	const char *path = s->path;
	sqlite3 *db = NULL;
	int exists;

	if ((!create && store_sq_check_exists(path, err) == -1) ||
	    store_sq_check_file(path, &exists, err) == -1)
		return -1;
	if (!exists && store_sq_create_file(path, err) == -1)
		return -1;
	if (sqlite3_open_v2(path, &db,
	        SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW |
	            SQLITE_OPEN_EXRESCODE |
	            (s->writer ? SQLITE_OPEN_NOMUTEX : 0),
	        s->writer ? store_sqlite_walbuf_vfs()
	                  : store_sqlite_ra_vfs()) != SQLITE_OK) {
		s->conn = db;
		if (db != NULL)
			store_sq_sqlerr(s, err, path);
		else
			err_set(err, ERR_FAILED, "%s: out of memory", path);
		goto fail;
	}
	s->conn = db;
	if (store_sq_configure(s, err) == -1 ||
	    store_sq_migrate(s, err) == -1) {
		if (err->code != ERR_USAGE)
			err_prefix(err, "%s: ", path);
		goto fail;
	}
	return 0;
fail:
	if (err->code == ERR_FAILED && db != NULL &&
	    (sqlite3_errcode(db) == SQLITE_NOTADB ||
	        sqlite3_errcode(db) == SQLITE_CORRUPT))
		err->code = ERR_USAGE;
	return -1;
}

static void
store_sq_close(struct store *s)
{
	if (s->conn != NULL)
		sqlite3_close_v2(SQ_DB(s));
	s->conn = NULL;
	/* no lock of SQLite's is on the WAL file itself: closing this
	 * descriptor cancels none (store_sq_read_head) */
	if (s->wal_fd != -1)
		close(s->wal_fd);
	s->wal_fd = -1;
	free(s->wal_path);
	s->wal_path = NULL;
}

sqlite3 *
store_sqlite_db(struct store *s)
{
	return s->ops == &store_sqlite_ops ? SQ_DB(s) : NULL;
}

static int
store_sq_begin(struct store *s, struct err *err)
{
	if (sqlite3_exec(SQ_DB(s), "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
	    SQLITE_OK)
		return store_sq_sqlerr(s, err, "begin transaction");
	return 0;
}

static int
store_sq_commit(struct store *s, struct err *err)
{
	if (sqlite3_exec(SQ_DB(s), "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		store_sq_sqlerr(s, err, "commit");
		if (!sqlite3_get_autocommit(SQ_DB(s)))
			sqlite3_exec(SQ_DB(s), "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return 0;
}

static void
store_sq_rollback(struct store *s)
{
	if (!sqlite3_get_autocommit(SQ_DB(s)))
		sqlite3_exec(SQ_DB(s), "ROLLBACK", NULL, NULL, NULL);
}

static int
store_sq_exec(struct store *s, const char *sql, struct err *err)
{
	char *msg = NULL;

	if (sqlite3_exec(SQ_DB(s), sql, NULL, NULL, &msg) != SQLITE_OK) {
		err_set(err, ERR_FAILED, "%s",
		    msg != NULL ? msg : sqlite3_errmsg(SQ_DB(s)));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static int
store_sq_read_begin(struct store *s, struct err *err)
{
	if (sqlite3_exec(SQ_DB(s), "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return store_sq_sqlerr(s, err, "begin read");
	return 0;
}

static void
store_sq_read_end(struct store *s)
{
	if (sqlite3_exec(SQ_DB(s), "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		store_sq_rollback(s);
}

static struct store_stmt *
store_sq_prepare(struct store *s, const char *sql, struct err *err)
{
	struct store_sq_stmt *x;

	if ((x = calloc(1, sizeof *x)) == NULL) {
		err_set(err, ERR_FAILED, "out of memory");
		return NULL;
	}
	if (sqlite3_prepare_v3(SQ_DB(s), sql, -1, SQLITE_PREPARE_PERSISTENT,
	        &x->st, NULL) != SQLITE_OK) {
		store_sq_sqlerr(s, err, "prepare");
		free(x);
		return NULL;
	}
	x->base.ops = &store_sqlite_ops;
	x->base.s = s;
	return &x->base;
}

static void
store_sq_finalize(struct store_stmt *st)
{
	sqlite3_finalize(SQ_ST(st));
	free(st);
}

static void
store_sq_clear(struct store_stmt *st)
{
	sqlite3_reset(SQ_ST(st));
	sqlite3_clear_bindings(SQ_ST(st));
}

static int
store_sq_bind_int64(struct store_stmt *st, int i, int64_t v)
{
	return sqlite3_bind_int64(SQ_ST(st), i, v);
}

static int
store_sq_bind_int(struct store_stmt *st, int i, int v)
{
	return sqlite3_bind_int(SQ_ST(st), i, v);
}

static int
store_sq_bind_text(
    struct store_stmt *st, int i, const char *v, int len, int mode)
{
	return sqlite3_bind_text(SQ_ST(st), i, v, len,
	    mode == STORE_STATIC ? SQLITE_STATIC : SQLITE_TRANSIENT);
}

static int
store_sq_bind_blob(
    struct store_stmt *st, int i, const void *v, int len, int mode)
{
	return sqlite3_bind_blob(SQ_ST(st), i, v, len,
	    mode == STORE_STATIC ? SQLITE_STATIC : SQLITE_TRANSIENT);
}

static int
store_sq_bind_null(struct store_stmt *st, int i)
{
	return sqlite3_bind_null(SQ_ST(st), i);
}

static int
store_sq_step(struct store_stmt *st)
{
	return sqlite3_step(SQ_ST(st));
}

/* A local write costs no round trip: done at once. */
static int
store_sq_step_later(struct store_stmt *st, const char *what)
{
	(void)what;
	return sqlite3_step(SQ_ST(st));
}

/* Nothing is sent ahead: a failure is the statement's own. */
static int
store_sq_failed_mark(struct store *s)
{
	(void)s;
	return -1;
}

static int64_t
store_sq_col_int64(struct store_stmt *st, int i)
{
	return sqlite3_column_int64(SQ_ST(st), i);
}

static int
store_sq_col_int(struct store_stmt *st, int i)
{
	return sqlite3_column_int(SQ_ST(st), i);
}

static const unsigned char *
store_sq_col_text(struct store_stmt *st, int i)
{
	return sqlite3_column_text(SQ_ST(st), i);
}

static int
store_sq_col_null(struct store_stmt *st, int i)
{
	return sqlite3_column_type(SQ_ST(st), i) == SQLITE_NULL;
}

static int
store_sq_col_count(struct store_stmt *st)
{
	return sqlite3_column_count(SQ_ST(st));
}

static const char *
store_sq_col_name(struct store_stmt *st, int i)
{
	return sqlite3_column_name(SQ_ST(st), i);
}

static int
store_sq_reset(struct store_stmt *st)
{
	sqlite3_reset(SQ_ST(st));
	return 0;
}

static int
store_sq_changes(struct store *s)
{
	return sqlite3_changes(SQ_DB(s));
}

static int
store_sq_locked(struct store *s)
{
	int rc = sqlite3_extended_errcode(SQ_DB(s)) & 0xff;

	return rc == SQLITE_BUSY || rc == SQLITE_LOCKED;
}

static void
store_sq_busy_timeout(struct store *s, int ms)
{
	sqlite3_busy_timeout(SQ_DB(s), ms);
}

static int
store_sq_probe_write(struct store *s, struct err *err)
{
	char who[256];

	if (sqlite3_exec(SQ_DB(s), "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
	    SQLITE_OK) {
		if (!store_sq_locked(s))
			return err_set(
			    err, ERR_FAILED, "%s", sqlite3_errmsg(SQ_DB(s)));
		store_sq_locked_by(s, who, sizeof who);
		return err_set(err, ERR_FAILED, "%s", who);
	}
	sqlite3_exec(SQ_DB(s), "ROLLBACK", NULL, NULL, NULL);
	return 0;
}

static int64_t
store_sq_data_version(struct store *s)
{
	static const char sql[] = "PRAGMA data_version";
	struct store_stmt *st;
	int64_t v = -1;

	st = store_stmt(s, sql, NULL);
	if (st != NULL && sqlite3_step(SQ_ST(st)) == SQLITE_ROW)
		v = sqlite3_column_int64(SQ_ST(st), 0);
	if (st != NULL)
		sqlite3_reset(SQ_ST(st));
	return v;
}

static int
store_sq_sync(struct store *s, enum store_sync how, struct err *err)
{
	return store_sq_exec(s,
	    how == STORE_SYNC_FULL ? "PRAGMA synchronous = FULL"
	                           : "PRAGMA synchronous = NORMAL",
	    err);
}

static int
store_sq_query_only(struct store *s, struct err *err)
{
	return store_sq_exec(s, "PRAGMA query_only = 1", err);
}

static void
store_sq_checkpoint(struct store *s)
{
	long win = store_sqlite_ra_wal(SQ_DB(s), 1);

	sqlite3_wal_checkpoint_v2(
	    SQ_DB(s), NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	if (win)
		store_sqlite_ra_wal(SQ_DB(s), 0);
}

static void
store_sq_read_ahead(struct store *s, int on)
{
	if (s->conn != NULL)
		(void)store_sqlite_ra(SQ_DB(s), on);
}

/* Commits write the WAL without syncing it (synchronous = NORMAL, which
 * in WAL mode changes only that: a checkpoint still syncs the WAL before
 * it copies a page to the database, and a restarted WAL's header is
 * still synced before its first frame); store_sq_durable syncs it from
 * a descriptor of its own. The file stays the same while this
 * connection is open (SQLite deletes a WAL only when its last
 * connection closes), which store_sq_durable checks all the same. */
static int
store_sq_defer_durable(struct store *s, struct err *err)
{
	const char *wal;

	if (s->wal_fd != -1)
		return 1;
	wal = sqlite3_filename_wal(sqlite3_db_filename(SQ_DB(s), "main"));
	if (wal == NULL || *wal == '\0' || (s->wal_path = strdup(wal)) == NULL)
		return 0;
	if ((s->wal_fd = open(wal, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1) {
		free(s->wal_path); /* no WAL: commits stay synced */
		s->wal_path = NULL;
		return 0;
	}
	if (store_sq_exec(s, "PRAGMA synchronous = NORMAL", err) == -1) {
		close(s->wal_fd);
		s->wal_fd = -1;
		return -1;
	}
	return 1;
}

/* Called from a thread other than the one using the connection: only
 * the descriptor and the path, never the connection. The descriptor is
 * of the file SQLite writes: syncing it covers every commit that
 * returned. A WAL replaced under the connection (never, in SQLite's own
 * rules, while a connection is open) is an error, not a guess. */
static int
store_sq_durable(struct store *s, struct err *err)
{
	struct stat held, now;

	if (s->wal_fd == -1)
		return 0;
	if (fdatasync(s->wal_fd) == -1)
		return err_set(err, ERR_FAILED,
		    "database: cannot sync its write-ahead log: %s",
		    strerror(errno));
	if (fstat(s->wal_fd, &held) == -1 || stat(s->wal_path, &now) == -1)
		return err_set(err, ERR_FAILED,
		    "database: its write-ahead log: %s", strerror(errno));
	if (held.st_ino != now.st_ino || held.st_dev != now.st_dev)
		return err_set(err, ERR_FAILED,
		    "database: its write-ahead log was replaced while owl "
		    "had it open: restart owl");
	return 0;
}

/* After each commit: what SQLite's own hook would look at to decide on
 * a checkpoint, kept instead (this hook replaces that one). */
static int
store_sq_wal_hook(void *arg, sqlite3 *db, const char *name, int frames)
{
	struct store *s = arg;

	(void)db;
	(void)name;
	s->wal_frames = frames;
	return SQLITE_OK;
}

static int
store_sq_checkpoint_manual(struct store *s, struct err *err)
{
	(void)err;
	sqlite3_wal_hook(SQ_DB(s), store_sq_wal_hook, s);
	return 0;
}

static int
store_sq_cache_mib(struct store *s, int mib, struct err *err)
{
	char sql[64];

	snprintf(sql, sizeof sql, "PRAGMA cache_size = -%d", mib * 1024);
	return store_sq_exec(s, sql, err);
}

void
store_sqlite_setup(void)
{
	/* owl reads no memory statistics */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	store_sqlite_pcache_setup();
}

const char *
store_sqlite_version(void)
{
	return sqlite3_libversion();
}

const struct store_ops store_sqlite_ops = {
	.dialect = STORE_DIALECT_SQLITE,
	.open = store_sq_open,
	.close = store_sq_close,
	.begin = store_sq_begin,
	.commit = store_sq_commit,
	.rollback = store_sq_rollback,
	.read_begin = store_sq_read_begin,
	.read_end = store_sq_read_end,
	.exec = store_sq_exec,
	.prepare = store_sq_prepare,
	.finalize = store_sq_finalize,
	.clear = store_sq_clear,
	.bind_int64 = store_sq_bind_int64,
	.bind_int = store_sq_bind_int,
	.bind_text = store_sq_bind_text,
	.bind_blob = store_sq_bind_blob,
	.bind_null = store_sq_bind_null,
	.step = store_sq_step,
	.step_later = store_sq_step_later,
	.step_may_fail = store_sq_step,
	.failed_mark = store_sq_failed_mark,
	.col_int64 = store_sq_col_int64,
	.col_int = store_sq_col_int,
	.col_text = store_sq_col_text,
	.col_null = store_sq_col_null,
	.col_count = store_sq_col_count,
	.col_name = store_sq_col_name,
	.reset = store_sq_reset,
	.changes = store_sq_changes,
	.sqlerr = store_sq_sqlerr,
	.locked = store_sq_locked,
	.busy_timeout = store_sq_busy_timeout,
	.probe_write = store_sq_probe_write,
	.data_version = store_sq_data_version,
	.sync = store_sq_sync,
	.query_only = store_sq_query_only,
	.checkpoint = store_sq_checkpoint,
	.defer_durable = store_sq_defer_durable,
	.durable = store_sq_durable,
	.cache_mib = store_sq_cache_mib,
	.checkpoint_manual = store_sq_checkpoint_manual,
	.read_ahead = store_sq_read_ahead,
};
