/* store.h: the database every owl process shares, behind one interface.
 * A path is a SQLite file (store_sqlite.c: WAL, busy timeout, foreign keys,
 * FULL sync); the domain code sees only this header: connections,
 * transactions, prepared statements, change notification, migrations.
 * Write transactions nest: only the outermost store_begin/store_commit
 * pair talks to the backend. */
#ifndef OWL_STORE_H
#define OWL_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "hash.h"

struct store;
struct store_stmt;

/* What store_step returns: a row, the end, or (any other value) an error
 * that store_sqlerr() describes. */
#define STORE_ROW 100
#define STORE_DONE 101
/* Not returned by the store: a value the domain code keeps in the same
 * variable as store_step's for "out of memory while reading a row". */
#define STORE_NOMEM 7

/* How store_bind_text/blob treat the caller's bytes: STORE_STATIC, they
 * stay valid and unchanged until the statement is reset and bound again;
 * STORE_TRANSIENT, they are copied at once. */
#define STORE_STATIC 0
#define STORE_TRANSIENT 1

/* Opens the database at path, creating it (and its parent directories)
 * when there is none; a postgresql:// URL opens that PostgreSQL database
 * (which must exist) and creates owl's tables in it. A directory, an
 * unreadable file, a file that is not SQLite, a database from a newer
 * owl, or another URL: NULL with err set (ERR_USAGE) and the file
 * untouched. A server that cannot be reached: ERR_FAILED, the message
 * naming the URL with its password masked. Free with store_close(). */
struct store *store_open(const char *path, struct err *err);

/* Sets the backends up: called by main once, before any thread and any
 * store (SQLite takes its page cache's configuration only before it is
 * first used: store_sqlite_pcache.c). A process that does not call it
 * runs with SQLite's own page cache, slower at commits only. */
void store_init(void);

/* store_open for the connection that writes much and often (owl serve's
 * writer): on SQLite, the pages a commit appends to the write-ahead log
 * reach the file in one write, not two per page (store_sqlite_walbuf.c);
 * what a commit wrote is in the file when it returns, as with
 * store_open. The connection takes no lock of its own around each call:
 * one thread at a time may use it (of the store, only store_durable may
 * be called from another thread meanwhile). On PostgreSQL, store_open. */
struct store *store_open_writer(const char *path, struct err *err);

/* Opens the database at path as store_open does, but never creates one:
 * no file there, or an empty one, is NULL with err set (ERR_USAGE, "no
 * database at PATH (run owl serve or owl ingest to create one)"). For
 * the commands that only read or act on what is there, so that a
 * mistyped path is said, not silently made into an empty database. */
struct store *store_open_existing(const char *path, struct err *err);

/* What a --db value is: 0 a path (SQLite), STORE_URL_PG a postgresql://
 * or postgres:// URL, STORE_URL_OTHER another URL (refused). */
enum { STORE_URL_PG = 1, STORE_URL_OTHER = 2 };
int store_is_url(const char *db);

/* A copy of a --db value fit to show: a URL's password (user:PASSWORD@
 * and password=...) replaced by "***". free() it; NULL when out of
 * memory. */
char *store_url_masked(const char *db);

/* 1 when there is no database at path (no file there, or an empty one,
 * or a PostgreSQL database with no owl tables: what store_open_existing
 * refuses as "no database at PATH"); 0 when there is something (which
 * may still fail to open, a server that cannot be reached) or path is
 * another URL. */
int store_missing(const char *path);

/* Closes the database; accepts NULL. */
void store_close(struct store *s);

/* The path the store was opened with, borrowed. */
const char *store_path(const struct store *s);

/* 1 when every statement whose result the caller waits for costs a
 * round trip to a database server (PostgreSQL): then reading many rows
 * in one statement beats one statement each. 0 on SQLite, where a
 * lookup costs microseconds and one statement each is the cheaper. */
int store_remote(const struct store *s);

/* Begins a write transaction (waiting up to the busy timeout for other
 * writers: one writer at a time), or joins the one already open. */
int store_begin(struct store *s, struct err *err);

/* Ends one store_begin level; the outermost commits. Fails (and rolls
 * back) when an inner level called store_rollback. */
int store_commit(struct store *s, struct err *err);

/* Abandons the transaction: the outermost level rolls back, an inner one
 * marks it so that the outermost commit fails. */
void store_rollback(struct store *s);

/* Opens a read snapshot so that several queries see the database as of
 * one moment, not a writer's half-way state between them; store_read_end
 * closes it. Snapshots nest (the outermost pair talks to the backend);
 * both do nothing inside a write transaction. */
int store_read_begin(struct store *s, struct err *err);
void store_read_end(struct store *s);

/* Runs SQL (one or more statements of the backend's dialect) with no
 * results. */
int store_exec(struct store *s, const char *sql, struct err *err);

/* Returns a prepared statement for sql, cached by the address of sql (so
 * pass a string literal or other storage that lives as long as the
 * store), reset and with bindings cleared. Borrowed: do not finalize;
 * store_reset() it when done so that no read transaction stays open.
 * Parameters are written ? or ?N. */
struct store_stmt *store_stmt(
    struct store *s, const char *sql, struct err *err);

/* store_stmt for a statement whose SQLite and PostgreSQL texts differ
 * (where no text both accept exists): cached by the address of
 * sqlite_sql; the backend takes its own. */
struct store_stmt *store_stmt2(struct store *s, const char *sqlite_sql,
    const char *pg_sql, struct err *err);

/* A statement for SQL made at run time (not cached): free with
 * store_finalize(), which accepts NULL. */
struct store_stmt *store_prepare(
    struct store *s, const char *sql, struct err *err);
void store_finalize(struct store_stmt *st);

/* Binds parameter i (1-based); 0 on success. */
int store_bind_int64(struct store_stmt *st, int i, int64_t v);
int store_bind_int(struct store_stmt *st, int i, int v);
int store_bind_text(
    struct store_stmt *st, int i, const char *v, int len, int mode);
int store_bind_blob(
    struct store_stmt *st, int i, const void *v, int len, int mode);
int store_bind_null(struct store_stmt *st, int i);

/* Runs the statement to its next row: STORE_ROW, STORE_DONE or an error
 * code (store_sqlerr describes it). */
int store_step(struct store_stmt *st);

/* Column i (0-based) of the current row. A NULL is 0 or NULL text. The
 * text is borrowed until the next step or reset. */
int64_t store_col_int64(struct store_stmt *st, int i);
int store_col_int(struct store_stmt *st, int i);
const unsigned char *store_col_text(struct store_stmt *st, int i);
/* 1 when column i of the current row is NULL. */
int store_col_null(struct store_stmt *st, int i);
/* The number of columns of the statement's rows. */
int store_col_count(struct store_stmt *st);
/* The name of column i, borrowed until the statement is stepped again. */
const char *store_col_name(struct store_stmt *st, int i);

/* Ends the statement's execution (its bindings stay). Returns 0. */
int store_reset(struct store_stmt *st);

/* The rows the last INSERT, UPDATE or DELETE of this connection changed. */
int store_changes(struct store *s);

/* Steps a statement that returns no rows (INSERT, UPDATE, DELETE) once
 * and resets it. -1 with err set ("what: message") when it failed. */
int store_step_done(
    struct store *s, struct store_stmt *st, const char *what, struct err *err);

/* store_step_done for a write whose outcome the caller needs only at
 * the commit (a row that nothing reads back in the transaction): inside
 * a write transaction a backend may send it without waiting for the
 * server (PostgreSQL's pipeline mode: one round trip for many), and a
 * failure then fails the next statement that waits, or the commit, its
 * message starting "what: " (what: a string that lives as long as the
 * store, e.g. a literal). The statement's store_changes() is unknown.
 * Outside a write transaction it is store_step_done. -1 with err set
 * when it failed already. */
int store_step_later(
    struct store *s, struct store_stmt *st, const char *what, struct err *err);

/* Tags the writes store_step_later sends from now on with mark: the
 * caller's number for what they belong to (owl serve: a request's place
 * in its group commit), -1 for none. A write sent ahead fails only when
 * a later statement or the commit waits for it; store_failed_mark then
 * says whose it was. */
void store_mark(struct store *s, int mark);

/* The mark of the write sent ahead whose failure the last error of s
 * reports; -1 when the statement (or commit) that returned it failed
 * itself, as every failure on SQLite, where nothing is sent ahead. */
int store_failed_mark(struct store *s);

/* store_step_done for a statement whose failure the caller lets pass
 * (a checkpoint, a cache): the open transaction goes on after it fails,
 * as it does on SQLite; on PostgreSQL, where a failed statement aborts
 * the whole transaction, it runs inside a savepoint. -1 with err set
 * when it failed. */
int store_step_may_fail(
    struct store *s, struct store_stmt *st, const char *what, struct err *err);

/* Steps an INSERT ... RETURNING id once, sets *id and resets it. -1 with
 * err set ("what: message") when it failed or returned no row. */
int store_step_id(struct store *s, struct store_stmt *st, const char *what,
    int64_t *id, struct err *err);

/* Records the connection's last error in err as "what: message" and
 * returns -1 (ERR_FAILED). */
int store_sqlerr(struct store *s, struct err *err, const char *what);

/* 1 when the last failure was another writer holding the database (what
 * the busy timeout waits for), not a full disk or an I/O error. */
int store_locked(struct store *s);

/* How long a statement waits for another writer before failing. */
void store_busy_timeout(struct store *s, int ms);

/* Takes the write lock and lets it go at once: 0 when a writer could
 * write now, -1 with err set (the backend's message) when not. */
int store_probe_write(struct store *s, struct err *err);

/* Returns a number that changes when another connection commits. */
int64_t store_data_version(struct store *s);

/* Durability of this connection's commits: STORE_SYNC_FULL (the default:
 * on disk when the commit returns) or STORE_SYNC_NORMAL (survives a crash
 * of owl, not a power loss). */
enum store_sync { STORE_SYNC_NORMAL, STORE_SYNC_FULL };
int store_sync(struct store *s, enum store_sync how, struct err *err);

/* Deferred durability, for one long-lived writer that acknowledges in
 * groups (owl serve's): from now on this connection's commits return
 * once written, before the disk has them, and store_durable() puts on
 * disk everything committed before it was called. Nothing else
 * changes: a crash loses at most commits that store_durable() has not
 * covered, never consistency. Returns 1 when on; 0 when the backend
 * has no such mode (PostgreSQL: each commit stays durable when it
 * returns; store_durable() then does nothing); -1 with err set. */
int store_defer_durable(struct store *s, struct err *err);

/* Any thread, while s is open (also during another thread's use of s):
 * 0 once every commit of s that returned before this call is on disk;
 * -1 with err set. */
int store_durable(struct store *s, struct err *err);

/* Checkpoints left to the caller: this connection's commits no longer
 * run one when the WAL has grown (SQLite's wal_autocheckpoint); the
 * caller runs store_checkpoint, on this connection or another one (a
 * checkpoint on another connection runs beside this one's writes). 0,
 * or -1 with err set; nothing on PostgreSQL. */
int store_checkpoint_manual(struct store *s, struct err *err);

/* The frames in the WAL after this connection's last commit, as a
 * manual checkpointer needs to know (0 before, and on PostgreSQL). The
 * count falls back when a writer starts the WAL over, which it does
 * when everything in it was checkpointed. */
long store_wal_frames(struct store *s);

/* The connection's page cache, in MiB (SQLite; PostgreSQL: nothing).
 * A writer that keeps its connection open keeps its pages cached from
 * one transaction to the next while nobody else writes. */
int store_cache_mib(struct store *s, int mib, struct err *err);

/* Makes this connection refuse every write. */
int store_query_only(struct store *s, struct err *err);

/* Says this connection serves one short command (owl show): it keeps
 * few pages in memory (SQLite: 32 pages, 128 KiB), since a page read
 * once into fresh memory costs a page fault and few are read twice.
 * Nothing changes on PostgreSQL. */
int store_short_lived(struct store *s, struct err *err);

/* Reads the database ahead in large pieces while on (SQLite: 256 KiB a
 * read of the file instead of a page; nothing on PostgreSQL): for one
 * pass over rows spread over the whole file (a storm's incident among
 * others, about a row a page). Turn it on just before the first step of
 * the statement and off just after its reset: only inside one read
 * transaction. */
void store_read_ahead(struct store *s, int on);

/* Lets the backend tidy its files while nobody waits (SQLite: a passive
 * WAL checkpoint). Never blocks on readers. */
void store_checkpoint(struct store *s);

/* The SQLite library's version, for owl --version and /metrics. */
const char *store_sqlite_version(void);

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
