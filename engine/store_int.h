/* store_int.h: what store.c shares with its backends (store_sqlite.c):
 * the store itself and the table of operations a backend fills. store.c
 * keeps what every backend needs (nesting of transactions, the statement
 * cache, the action log's tail, the actor) and calls the backend through
 * s->ops; no caller of store.h knows which backend it talks to. */
#ifndef OWL_STORE_INT_H
#define OWL_STORE_INT_H

#include "actor.h"
#include "store.h"

/* The head of every backend's statement: the backend's own struct starts
 * with it. */
struct store_stmt {
	const struct store_ops *ops;
	struct store *s;
};

/* Which SQL text a backend takes where the dialects differ
 * (store_stmt2). */
enum store_dialect { STORE_DIALECT_SQLITE, STORE_DIALECT_PG };

struct store_ops {
	enum store_dialect dialect;
	/* Opens the backend's connection for s (s->path set), creates the
	 * database when create says so, configures and migrates it. */
	int (*open)(struct store *s, int create, struct err *err);
	/* Closes the connection; s->conn may be NULL. */
	void (*close)(struct store *s);
	int (*begin)(struct store *s, struct err *err);
	int (*commit)(struct store *s, struct err *err);
	void (*rollback)(struct store *s);
	int (*read_begin)(struct store *s, struct err *err);
	void (*read_end)(struct store *s);
	int (*exec)(struct store *s, const char *sql, struct err *err);
	struct store_stmt *(*prepare)(
	    struct store *s, const char *sql, struct err *err);
	void (*finalize)(struct store_stmt *st);
	/* Makes a cached statement ready for new bindings. */
	void (*clear)(struct store_stmt *st);
	int (*bind_int64)(struct store_stmt *st, int i, int64_t v);
	int (*bind_int)(struct store_stmt *st, int i, int v);
	int (*bind_text)(
	    struct store_stmt *st, int i, const char *v, int len, int mode);
	int (*bind_blob)(
	    struct store_stmt *st, int i, const void *v, int len, int mode);
	int (*bind_null)(struct store_stmt *st, int i);
	int (*step)(struct store_stmt *st);
	/* Runs a statement that returns no rows inside a write transaction,
	 * its outcome not needed now (store_step_later): 0 when sent (or
	 * done), else step's error; what names it in a later failure. */
	int (*step_later)(struct store_stmt *st, const char *what);
	/* Steps a statement whose failure leaves the open transaction as
	 * it was, able to go on (store_step_may_fail). */
	int (*step_may_fail)(struct store_stmt *st);
	/* The mark (store_mark) of the write sent ahead that made the last
	 * failure, -1 when none did. */
	int (*failed_mark)(struct store *s);
	int64_t (*col_int64)(struct store_stmt *st, int i);
	int (*col_int)(struct store_stmt *st, int i);
	const unsigned char *(*col_text)(struct store_stmt *st, int i);
	int (*col_null)(struct store_stmt *st, int i);
	int (*col_count)(struct store_stmt *st);
	const char *(*col_name)(struct store_stmt *st, int i);
	int (*reset)(struct store_stmt *st);
	int (*changes)(struct store *s);
	int (*sqlerr)(struct store *s, struct err *err, const char *what);
	int (*locked)(struct store *s);
	void (*busy_timeout)(struct store *s, int ms);
	int (*probe_write)(struct store *s, struct err *err);
	int64_t (*data_version)(struct store *s);
	int (*sync)(struct store *s, enum store_sync how, struct err *err);
	int (*query_only)(struct store *s, struct err *err);
	void (*checkpoint)(struct store *s);
	int (*defer_durable)(struct store *s, struct err *err);
	int (*durable)(struct store *s, struct err *err);
	int (*cache_mib)(struct store *s, int mib, struct err *err);
	int (*checkpoint_manual)(struct store *s, struct err *err);
	/* store_read_ahead; NULL: nothing to do */
	void (*read_ahead)(struct store *s, int on);
};

struct store_stmt_slot {
	const char *sql; /* the key: its address */
	struct store_stmt *stmt;
};

struct store {
	const struct store_ops *ops;
	void *conn; /* the backend's connection */
	char *path;
	char actor[ACTOR_MAX]; /* "" until first asked */
	uint64_t txn_serial; /* of the open write transaction, 0: none */
	uint64_t txn_count;
	struct store_tail tail;
	int depth; /* nesting of store_begin */
	int reading; /* nesting of store_read_begin snapshots */
	int closing; /* store_close is finalizing the statements */
	int doomed; /* an inner level rolled back */
	int mark; /* of the writes sent ahead from now on (store_mark) */
	int nstmt, capstmt;
	struct store_stmt_slot *stmts;
	/* SQLite's deferred durability (store_defer_durable): the WAL,
	 * opened to be synced from any thread; -1 when off */
	int wal_fd;
	char *wal_path;
	long wal_frames; /* store_wal_frames */
	int writer; /* opened by store_open_writer */
};

extern const struct store_ops store_sqlite_ops;
extern const struct store_ops store_pg_ops;

/* store_pg_stmt.c: SQL with ? and ?N parameters in PostgreSQL's $N
 * and LIKE as ILIKE (SQLite's ignores case), outside quotes and
 * comments, in *out (free() it); *nparams the highest parameter number.
 * -1 with err set on a bad ?N. */
int store_pg_translate(
    const char *sql, char **out, int *nparams, struct err *err);

/* store_sqlite.c, store_pg.c: whether path holds no owl database
 * (store_missing): no file or an empty one; a PostgreSQL database with
 * no owl tables (a server that cannot be reached is not "none"). */
int store_sqlite_missing(const char *path);

/* store_sqlite.c: SQLite's process-wide settings (store_init): no
 * memory statistics (a mutex taken at every allocation), the page cache
 * of store_sqlite_pcache.c. Left as they are when SQLite was in use
 * already. */
void store_sqlite_setup(void);
int store_pg_missing(const char *url);

#endif
