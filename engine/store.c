/* store.c: opening, migrating and transacting on owl's SQLite database
 * (see store.h). One connection per process; WAL lets the daemon, the TUI
 * and commands share the file. */
#define _POSIX_C_SOURCE 200809L
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "actor.h"
#include "paths.h"
#include "schema.h"

#define STORE_BUSY_MS 10000

struct store_stmt_slot {
	const char *sql; /* the key: its address */
	sqlite3_stmt *stmt;
};

struct store {
	sqlite3 *db;
	char *path;
	char actor[ACTOR_MAX]; /* "" until first asked */
	uint64_t txn_serial; /* of the open write transaction, 0: none */
	uint64_t txn_count;
	struct store_tail tail;
	int depth; /* nesting of store_begin */
	int reading; /* a store_read_begin snapshot is open */
	int doomed; /* an inner level rolled back */
	int nstmt, capstmt;
	struct store_stmt_slot *stmts;
};

int
store_sqlerr(struct store *s, struct err *err, const char *what)
{
	int rc = sqlite3_extended_errcode(s->db) & 0xff;

	if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		return err_set(err, ERR_FAILED,
		    "%s: database is locked by another owl (%s)", what,
		    sqlite3_errmsg(s->db));
	return err_set(err, ERR_FAILED, "%s: %s", what, sqlite3_errmsg(s->db));
}

/* Reads the first bytes of the file through SQLite's own VFS. A plain
 * open()/close() here would drop every POSIX lock that other connections
 * of this process hold on the database (howtocorrupt.html §2.2: close()
 * cancels the process's locks on the file), after which another process
 * may think it is alone and delete the live WAL. The unix VFS keeps the
 * descriptor open until those locks are released. Sets *n to the number
 * of bytes read (0 for an empty file); -1 when it cannot be read. */
static int
store_read_head(const char *path, char *head, int len, int *n)
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
store_check_file(const char *path, int *exists, struct err *err)
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
	if (store_read_head(path, head, (int)sizeof head, &n) == -1)
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
store_create_file(const char *path, struct err *err)
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
store_user_version(struct store *s, int *v, struct err *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) !=
	    SQLITE_OK)
		return store_sqlerr(s, err, "read schema version");
	rc = sqlite3_step(st);
	*v = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return store_sqlerr(s, err, "read schema version");
	return 0;
}

static int
store_migrate(struct store *s, struct err *err)
{
	char sql[64];
	int v;

	if (store_user_version(s, &v, err) == -1)
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
	if (store_user_version(s, &v, err) == -1)
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
store_configure(struct store *s, struct err *err)
{
	static const char *const pragmas =
	    "PRAGMA journal_mode = WAL;"
	    "PRAGMA synchronous = FULL;"
	    "PRAGMA foreign_keys = ON;"
	    "PRAGMA trusted_schema = OFF;"
	    "PRAGMA journal_size_limit = 67108864;";
	int on = 1;

	sqlite3_busy_timeout(s->db, STORE_BUSY_MS);
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_DEFENSIVE, 1, &on);
	return store_exec(s, pragmas, err);
}

/* A value such as postgresql://user:pass@host/db is not a file path:
 * taking it for one made a directory tree named "postgresql:". Only the
 * scheme is quoted back: the rest may hold a password. */
static int
store_check_url(const char *path, struct err *err)
{
	size_t n = strspn(path,
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-");

	if (n == 0 || strncmp(path + n, "://", 3) != 0)
		return 0;
	if ((n == 10 && strncasecmp(path, "postgresql", n) == 0) ||
	    (n == 8 && strncasecmp(path, "postgres", n) == 0))
		return err_set(err, ERR_USAGE,
		    "%.*s://...: PostgreSQL databases are not supported yet; "
		    "give --db (or OWL_DB) a SQLite file path",
		    (int)n, path);
	return err_set(err, ERR_USAGE,
	    "%.*s://...: a URL, not a database file; give --db (or OWL_DB) "
	    "a SQLite file path",
	    (int)n, path);
}

/* Is there a database at path? A missing or empty file is none. */
static int
store_check_exists(const char *path, struct err *err)
{
	struct stat st;

	if (stat(path, &st) == -1 && errno != ENOENT)
		return 0; /* store_check_file names the problem */
	if (stat(path, &st) == 0 && (!S_ISREG(st.st_mode) || st.st_size > 0))
		return 0;
	return err_set(err, ERR_USAGE,
	    "no database at %s (run owl serve or owl ingest to create one)",
	    path);
}

int
store_missing(const char *path)
{
	struct err err;

	err_init(&err);
	return store_check_url(path, &err) == 0 &&
	    store_check_exists(path, &err) == -1;
}

static struct store *
store_open_mode(const char *path, int create, struct err *err)
{
	struct store *s;
	int exists;

	if (store_check_url(path, err) == -1 ||
	    (!create && store_check_exists(path, err) == -1) ||
	    store_check_file(path, &exists, err) == -1)
		return NULL;
	if (!exists && store_create_file(path, err) == -1)
		return NULL;
	if ((s = calloc(1, sizeof *s)) == NULL ||
	    (s->path = strdup(path)) == NULL) {
		free(s);
		err_set(err, ERR_FAILED, "out of memory");
		return NULL;
	}
	if (sqlite3_open_v2(path, &s->db,
	        SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW |
	            SQLITE_OPEN_EXRESCODE,
	        NULL) != SQLITE_OK) {
		if (s->db != NULL)
			store_sqlerr(s, err, path);
		else
			err_set(err, ERR_FAILED, "%s: out of memory", path);
		goto fail;
	}
	if (store_configure(s, err) == -1 || store_migrate(s, err) == -1) {
		if (err->code != ERR_USAGE)
			err_prefix(err, "%s: ", path);
		goto fail;
	}
	return s;
fail:
	if (err->code == ERR_FAILED &&
	    (sqlite3_errcode(s->db) == SQLITE_NOTADB ||
	        sqlite3_errcode(s->db) == SQLITE_CORRUPT))
		err->code = ERR_USAGE;
	store_close(s);
	return NULL;
}

struct store *
store_open(const char *path, struct err *err)
{
	return store_open_mode(path, 1, err);
}

struct store *
store_open_existing(const char *path, struct err *err)
{
	return store_open_mode(path, 0, err);
}

void
store_close(struct store *s)
{
	if (s == NULL)
		return;
	for (int i = 0; i < s->nstmt; i++)
		sqlite3_finalize(s->stmts[i].stmt);
	free(s->stmts);
	hash_done(&s->tail.h);
	if (s->db != NULL)
		sqlite3_close_v2(s->db);
	free(s->path);
	free(s);
}

sqlite3 *
store_db(struct store *s)
{
	return s->db;
}

const char *
store_path(const struct store *s)
{
	return s->path;
}

int
store_begin(struct store *s, struct err *err)
{
	if (s->depth++ > 0)
		return 0;
	s->doomed = 0;
	if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
	    SQLITE_OK) {
		s->depth = 0;
		return store_sqlerr(s, err, "begin transaction");
	}
	s->txn_serial = ++s->txn_count;
	return 0;
}

int
store_commit(struct store *s, struct err *err)
{
	if (s->depth <= 0)
		return err_set(err, ERR_FAILED, "commit without a transaction");
	if (--s->depth > 0)
		return 0;
	s->txn_serial = 0;
	if (s->doomed) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return err_set(err, ERR_FAILED, "transaction rolled back");
	}
	if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		store_sqlerr(s, err, "commit");
		if (!sqlite3_get_autocommit(s->db))
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return 0;
}

int
store_read_begin(struct store *s, struct err *err)
{
	if (s->depth > 0 || s->reading)
		return 0;
	if (sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return store_sqlerr(s, err, "begin read");
	s->reading = 1;
	return 0;
}

void
store_read_end(struct store *s)
{
	if (!s->reading)
		return;
	s->reading = 0;
	sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
}

void
store_rollback(struct store *s)
{
	if (s->depth <= 0)
		return;
	if (--s->depth > 0) {
		s->doomed = 1;
		return;
	}
	s->txn_serial = 0;
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

int
store_exec(struct store *s, const char *sql, struct err *err)
{
	char *msg = NULL;

	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		err_set(err, ERR_FAILED, "%s",
		    msg != NULL ? msg : sqlite3_errmsg(s->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

sqlite3_stmt *
store_stmt(struct store *s, const char *sql, struct err *err)
{
	sqlite3_stmt *st;
	int i;

	for (i = 0; i < s->nstmt; i++) {
		if (s->stmts[i].sql == sql) {
			st = s->stmts[i].stmt;
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			return st;
		}
	}
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st,
	        NULL) != SQLITE_OK) {
		store_sqlerr(s, err, "prepare");
		return NULL;
	}
	if (s->nstmt == s->capstmt) {
		/* the program has a bounded number of SQL strings */
		int cap = s->capstmt ? 2 * s->capstmt : 32;
		struct store_stmt_slot *p;

		p = realloc(s->stmts, (size_t)cap * sizeof *p);
		if (p == NULL) {
			sqlite3_finalize(st);
			err_set(err, ERR_FAILED, "out of memory");
			return NULL;
		}
		s->stmts = p;
		s->capstmt = cap;
	}
	s->stmts[s->nstmt].sql = sql;
	s->stmts[s->nstmt].stmt = st;
	s->nstmt++;
	return st;
}

int
store_step_done(
    struct store *s, sqlite3_stmt *st, const char *what, struct err *err)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_sqlerr(s, err, what);
	return 0;
}

int64_t
store_data_version(struct store *s)
{
	sqlite3_stmt *st;
	int64_t v = -1;

	st = store_stmt(s, "PRAGMA data_version", NULL);
	if (st != NULL && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	if (st != NULL)
		sqlite3_reset(st);
	return v;
}

struct store_tail *
store_tail(struct store *s)
{
	return &s->tail;
}

uint64_t
store_txn_serial(const struct store *s)
{
	return s->txn_serial;
}

const char *
store_actor(struct store *s)
{
	if (s->actor[0] == '\0')
		actor_name(s->actor);
	return s->actor;
}

int
store_schema_version(void)
{
	return schema_count;
}
