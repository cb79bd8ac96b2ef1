/* store.c: the backend-neutral half of owl's store (see store.h): which
 * backend a --db value names, the nesting of write transactions, the
 * statement cache, the action log's tail and the actor. Everything that
 * talks to a database goes through s->ops (store_int.h). */
#define _POSIX_C_SOURCE 200809L
#include "store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "schema.h"

static struct store_stmt *store_stmt_add(
    struct store *s, const char *key, const char *text, struct err *err);

int
store_is_url(const char *db)
{
	size_t n = strspn(db,
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-");

	if (n == 0 || strncmp(db + n, "://", 3) != 0)
		return 0;
	if ((n == 10 && strncasecmp(db, "postgresql", n) == 0) ||
	    (n == 8 && strncasecmp(db, "postgres", n) == 0))
		return STORE_URL_PG;
	return STORE_URL_OTHER;
}

/* The backend a --db value names: a postgresql:// (or postgres://) URL
 * is PostgreSQL, a path SQLite. Another URL is no file path: taking it
 * for one made a directory tree named "scheme:". Only the scheme is
 * quoted back: the rest may hold a password. */
static const struct store_ops *
store_backend(const char *db, struct err *err)
{
	switch (store_is_url(db)) {
	case STORE_URL_PG: return &store_pg_ops;
	case STORE_URL_OTHER:
		err_set(err, ERR_USAGE,
		    "%.*s://...: a URL, not a database; give --db (or OWL_DB) "
		    "a SQLite file path or a postgresql:// URL",
		    (int)strcspn(db, ":"), db);
		return NULL;
	}
	return &store_sqlite_ops;
}

char *
store_url_masked(const char *url)
{
	char *out = malloc(strlen(url) + 8), *o = out;
	const char *p = url, *at, *colon, *scheme;

	if (out == NULL)
		return NULL;
	scheme = strstr(url, "://");
	at = scheme != NULL ? strpbrk(scheme + 3, "@/?") : NULL;
	if (at != NULL && *at == '@') {
		colon = memchr(scheme + 3, ':', (size_t)(at - scheme - 3));
		if (colon != NULL) {
			memcpy(o, url, (size_t)(colon + 1 - url));
			o += colon + 1 - url;
			o += sprintf(o, "***");
			p = at;
		}
	}
	while (*p != '\0') {
		if (p > url && (p[-1] == '?' || p[-1] == '&') &&
		    strncmp(p, "password=", 9) == 0) {
			o += sprintf(o, "password=***");
			p += 9 + strcspn(p + 9, "&");
			continue;
		}
		*o++ = *p++;
	}
	*o = '\0';
	return out;
}

int
store_missing(const char *path)
{
	switch (store_is_url(path)) {
	case 0: return store_sqlite_missing(path);
	case STORE_URL_PG: return store_pg_missing(path);
	}
	return 0;
}

static struct store *
store_open_mode(const char *path, int create, int writer, struct err *err)
{
	const struct store_ops *ops;
	struct store *s;

	if ((ops = store_backend(path, err)) == NULL)
		return NULL;
	if ((s = calloc(1, sizeof *s)) == NULL ||
	    (s->path = strdup(path)) == NULL) {
		free(s);
		err_set(err, ERR_FAILED, "out of memory");
		return NULL;
	}
	s->ops = ops;
	s->wal_fd = -1;
	s->mark = -1;
	s->writer = writer;
	if (s->ops->open(s, create, err) == -1) {
		store_close(s);
		return NULL;
	}
	return s;
}

void
store_init(void)
{
	store_sqlite_setup();
}

struct store *
store_open(const char *path, struct err *err)
{
	return store_open_mode(path, 1, 0, err);
}

struct store *
store_open_writer(const char *path, struct err *err)
{
	return store_open_mode(path, 1, 1, err);
}

struct store *
store_open_existing(const char *path, struct err *err)
{
	return store_open_mode(path, 0, 0, err);
}

void
store_close(struct store *s)
{
	if (s == NULL)
		return;
	s->closing = 1;
	for (int i = 0; i < s->nstmt; i++)
		s->ops->finalize(s->stmts[i].stmt);
	free(s->stmts);
	hash_done(&s->tail.h);
	s->ops->close(s);
	free(s->path);
	free(s);
}

const char *
store_path(const struct store *s)
{
	return s->path;
}

int
store_remote(const struct store *s)
{
	return s->ops->dialect == STORE_DIALECT_PG;
}

int
store_begin(struct store *s, struct err *err)
{
	if (s->depth++ > 0)
		return 0;
	s->doomed = 0;
	if (s->ops->begin(s, err) == -1) {
		s->depth = 0;
		return -1;
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
		s->ops->rollback(s);
		return err_set(err, ERR_FAILED, "transaction rolled back");
	}
	return s->ops->commit(s, err);
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
	s->ops->rollback(s);
}

int
store_read_begin(struct store *s, struct err *err)
{
	if (s->depth > 0 || s->reading++ > 0)
		return 0;
	if (s->ops->read_begin(s, err) == -1) {
		s->reading = 0;
		return -1;
	}
	return 0;
}

void
store_read_end(struct store *s)
{
	if (s->reading == 0 || --s->reading > 0)
		return;
	s->ops->read_end(s);
}

int
store_exec(struct store *s, const char *sql, struct err *err)
{
	return s->ops->exec(s, sql, err);
}

struct store_stmt *
store_stmt(struct store *s, const char *sql, struct err *err)
{
	struct store_stmt *st;
	int i;

	for (i = 0; i < s->nstmt; i++) {
		if (s->stmts[i].sql == sql) {
			st = s->stmts[i].stmt;
			s->ops->clear(st);
			return st;
		}
	}
	return store_stmt_add(s, sql, sql, err);
}

/* Prepares text and caches it under the address key. */
static struct store_stmt *
store_stmt_add(
    struct store *s, const char *key, const char *text, struct err *err)
{
	struct store_stmt *st;

	if ((st = s->ops->prepare(s, text, err)) == NULL)
		return NULL;
	if (s->nstmt == s->capstmt) {
		/* the program has a bounded number of SQL strings */
		int cap = s->capstmt ? 2 * s->capstmt : 32;
		struct store_stmt_slot *p;

		p = realloc(s->stmts, (size_t)cap * sizeof *p);
		if (p == NULL) {
			s->ops->finalize(st);
			err_set(err, ERR_FAILED, "out of memory");
			return NULL;
		}
		s->stmts = p;
		s->capstmt = cap;
	}
	s->stmts[s->nstmt].sql = key;
	s->stmts[s->nstmt].stmt = st;
	s->nstmt++;
	return st;
}

struct store_stmt *
store_stmt2(struct store *s, const char *sqlite_sql, const char *pg_sql,
    struct err *err)
{
	struct store_stmt *st;
	int i;

	for (i = 0; i < s->nstmt; i++) {
		if (s->stmts[i].sql == sqlite_sql) {
			st = s->stmts[i].stmt;
			s->ops->clear(st);
			return st;
		}
	}
	return store_stmt_add(s, sqlite_sql,
	    s->ops->dialect == STORE_DIALECT_PG ? pg_sql : sqlite_sql, err);
}

struct store_stmt *
store_prepare(struct store *s, const char *sql, struct err *err)
{
	return s->ops->prepare(s, sql, err);
}

void
store_finalize(struct store_stmt *st)
{
	if (st != NULL)
		st->ops->finalize(st);
}

int
store_bind_int64(struct store_stmt *st, int i, int64_t v)
{
	return st->ops->bind_int64(st, i, v);
}

int
store_bind_int(struct store_stmt *st, int i, int v)
{
	return st->ops->bind_int(st, i, v);
}

int
store_bind_text(struct store_stmt *st, int i, const char *v, int len, int mode)
{
	return st->ops->bind_text(st, i, v, len, mode);
}

int
store_bind_blob(struct store_stmt *st, int i, const void *v, int len, int mode)
{
	return st->ops->bind_blob(st, i, v, len, mode);
}

int
store_bind_null(struct store_stmt *st, int i)
{
	return st->ops->bind_null(st, i);
}

int
store_step(struct store_stmt *st)
{
	return st->ops->step(st);
}

int64_t
store_col_int64(struct store_stmt *st, int i)
{
	return st->ops->col_int64(st, i);
}

int
store_col_int(struct store_stmt *st, int i)
{
	return st->ops->col_int(st, i);
}

const unsigned char *
store_col_text(struct store_stmt *st, int i)
{
	return st->ops->col_text(st, i);
}

int
store_col_null(struct store_stmt *st, int i)
{
	return st->ops->col_null(st, i);
}

int
store_col_count(struct store_stmt *st)
{
	return st->ops->col_count(st);
}

const char *
store_col_name(struct store_stmt *st, int i)
{
	return st->ops->col_name(st, i);
}

int
store_reset(struct store_stmt *st)
{
	return st->ops->reset(st);
}

int
store_changes(struct store *s)
{
	return s->ops->changes(s);
}

int
store_step_done(
    struct store *s, struct store_stmt *st, const char *what, struct err *err)
{
	int rc = store_step(st);

	store_reset(st);
	if (rc != STORE_DONE && rc != STORE_ROW)
		return store_sqlerr(s, err, what);
	return 0;
}

int
store_step_later(
    struct store *s, struct store_stmt *st, const char *what, struct err *err)
{
	int rc;

	if (s->depth == 0)
		return store_step_done(s, st, what, err);
	rc = st->ops->step_later(st, what);
	store_reset(st);
	if (rc != 0 && rc != STORE_DONE && rc != STORE_ROW)
		return store_sqlerr(s, err, what);
	return 0;
}

void
store_mark(struct store *s, int mark)
{
	s->mark = mark;
}

int
store_failed_mark(struct store *s)
{
	return s->ops->failed_mark(s);
}

int
store_step_may_fail(
    struct store *s, struct store_stmt *st, const char *what, struct err *err)
{
	int rc = st->ops->step_may_fail(st);

	store_reset(st);
	if (rc != STORE_DONE && rc != STORE_ROW)
		return store_sqlerr(s, err, what);
	return 0;
}

int
store_step_id(struct store *s, struct store_stmt *st, const char *what,
    int64_t *id, struct err *err)
{
	int rc = store_step(st);

	*id = rc == STORE_ROW ? store_col_int64(st, 0) : 0;
	if (rc != STORE_ROW) {
		if (rc == STORE_DONE)
			err_set(err, ERR_FAILED, "%s: no id returned", what);
		else
			store_sqlerr(s, err, what);
		store_reset(st);
		return -1;
	}
	store_reset(st);
	return 0;
}

int
store_sqlerr(struct store *s, struct err *err, const char *what)
{
	return s->ops->sqlerr(s, err, what);
}

int
store_locked(struct store *s)
{
	return s->ops->locked(s);
}

void
store_busy_timeout(struct store *s, int ms)
{
	s->ops->busy_timeout(s, ms);
}

int
store_probe_write(struct store *s, struct err *err)
{
	return s->ops->probe_write(s, err);
}

int64_t
store_data_version(struct store *s)
{
	return s->ops->data_version(s);
}

int
store_sync(struct store *s, enum store_sync how, struct err *err)
{
	return s->ops->sync(s, how, err);
}

int
store_query_only(struct store *s, struct err *err)
{
	return s->ops->query_only(s, err);
}

int
store_short_lived(struct store *s, struct err *err)
{
	if (s->ops->dialect != STORE_DIALECT_SQLITE)
		return 0;
	/* SQLite's default keeps 2 MiB of pages, each read into memory
	 * the process touches for the first time: a page fault each, of
	 * more CPU than reading the page again from the OS's cache */
	return store_exec(s, "PRAGMA cache_size = 32", err);
}

void
store_checkpoint(struct store *s)
{
	s->ops->checkpoint(s);
}

int
store_defer_durable(struct store *s, struct err *err)
{
	return s->ops->defer_durable(s, err);
}

int
store_durable(struct store *s, struct err *err)
{
	return s->ops->durable(s, err);
}

int
store_cache_mib(struct store *s, int mib, struct err *err)
{
	return s->ops->cache_mib(s, mib, err);
}

void
store_read_ahead(struct store *s, int on)
{
	if (s->ops->read_ahead != NULL)
		s->ops->read_ahead(s, on);
}

int
store_checkpoint_manual(struct store *s, struct err *err)
{
	return s->ops->checkpoint_manual(s, err);
}

long
store_wal_frames(struct store *s)
{
	return s->wal_frames;
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
