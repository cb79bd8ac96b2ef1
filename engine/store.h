/* store.h: the SQLite database every owl process shares.
 * Opens or creates it (mode 0600, parents created), sets WAL, busy
 * timeout, foreign keys and FULL sync, and applies the schema migrations
 * of schema.c in order. Write transactions nest: only the outermost
 * store_begin/store_commit pair talks to SQLite. */
#ifndef OWL_STORE_H
#define OWL_STORE_H

#include <sqlite3.h>
#include <stdint.h>

#include "err.h"
#include "hash.h"

struct store;

/* Opens the database at path, creating it (and its parent directories)
 * when there is none. A directory, an unreadable file, a file that is not
 * SQLite, a database from a newer owl, or a URL (postgresql://... is not
 * supported yet; nothing is created for it): NULL with err set
 * (ERR_USAGE) and the file untouched. Free with store_close(). */
struct store *store_open(const char *path, struct err *err);

/* Opens the database at path as store_open does, but never creates one:
 * no file there, or an empty one, is NULL with err set (ERR_USAGE, "no
 * database at PATH (run owl serve or owl ingest to create one)"). For
 * the commands that only read or act on what is there, so that a
 * mistyped path is said, not silently made into an empty database. */
struct store *store_open_existing(const char *path, struct err *err);

/* 1 when there is no database at path (no file there, or an empty one:
 * what store_open_existing refuses as "no database at PATH"); 0 when
 * there is something (which may still fail to open) or path is a URL. */
int store_missing(const char *path);

/* Closes the database; accepts NULL. */
void store_close(struct store *s);

/* The underlying connection, borrowed. */
sqlite3 *store_db(struct store *s);

/* The path the store was opened with, borrowed. */
const char *store_path(const struct store *s);

/* Begins a write transaction (BEGIN IMMEDIATE, waiting up to the busy
 * timeout for other writers), or joins the one already open. */
int store_begin(struct store *s, struct err *err);

/* Ends one store_begin level; the outermost commits. Fails (and rolls
 * back) when an inner level called store_rollback. */
int store_commit(struct store *s, struct err *err);

/* Abandons the transaction: the outermost level rolls back, an inner one
 * marks it so that the outermost commit fails. */
void store_rollback(struct store *s);

/* Opens a read snapshot (a deferred BEGIN) so that several queries see
 * the database as of one moment, not a writer's half-way state between
 * them; store_read_end closes it. Both do nothing inside a transaction. */
int store_read_begin(struct store *s, struct err *err);
void store_read_end(struct store *s);

/* Runs SQL with no results. */
int store_exec(struct store *s, const char *sql, struct err *err);

/* Returns a prepared statement for sql, cached by the address of sql (so
 * pass a string literal or other storage that lives as long as the
 * store), reset and with bindings cleared. Borrowed: do not finalize;
 * sqlite3_reset() it when done so that no read transaction stays open. */
sqlite3_stmt *store_stmt(struct store *s, const char *sql, struct err *err);

/* Steps a statement that returns no rows (INSERT, UPDATE, DELETE) once
 * and resets it. -1 with err set ("what: message") when it failed. */
int store_step_done(
    struct store *s, sqlite3_stmt *st, const char *what, struct err *err);

/* Records the connection's last error in err as "what: message" and
 * returns -1. SQLITE_BUSY/LOCKED/FULL/IOERR give ERR_FAILED. */
int store_sqlerr(struct store *s, struct err *err, const char *what);

/* Returns PRAGMA data_version: changes when another connection commits. */
int64_t store_data_version(struct store *s);

/* The newest action-log entry this connection wrote, valid only while
 * txn equals store_txn_serial(): inside one write transaction nobody else
 * can append, so the next append needs no SELECT (actlog.c). */
struct store_tail {
	uint64_t txn;
	int64_t id;
	char hash[65];
	struct hash_ctx h; /* actlog's SHA-256, kept for the next append
	                      (set up once; store_close releases it) */
};
struct store_tail *store_tail(struct store *s);

/* A number that identifies the open write transaction (0: none). */
uint64_t store_txn_serial(const struct store *s);

/* The actor of this process (actor_name()), looked up once: reading the
 * password database for every action-log entry would cost more than the
 * entry itself. Borrowed. */
const char *store_actor(struct store *s);

/* The schema version this owl writes (the number of migrations). */
int store_schema_version(void);

#endif
