/* store_pg.c: the PostgreSQL backend of the store (store_int.h): a libpq
 * connection per store, loaded at open (store_pg_int.h). Writers are
 * serialised across every connection and node by a transaction-level
 * advisory lock taken at BEGIN, as SQLite's one writer serialises them;
 * each write transaction NOTIFYs owl, and store_data_version counts the
 * notifications other connections sent. Statements: store_pg_stmt.c. */
#define _POSIX_C_SOURCE 200809L
#include "store_pg_int.h"

#include <ctype.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "locale_late.h"
#include "schema.h"

/* The advisory lock every owl writer takes: "owl" in ASCII. */
#define STORE_PG_LOCK "7301996"
#define STORE_PG_BUSY_MS 10000
/* SQLSTATE lock_not_available: lock_timeout ran out */
#define STORE_PG_LOCK_TIMEOUT "55P03"
#define STORE_PG_SONAME "libpq.so.5"
/* What a server that stops answering costs (the URL's own settings
 * win): a host that takes no connection is left for the next one the
 * URL names after 5 s; a connection whose server went silent (its
 * machine gone, no reset) is found dead within about a minute; a
 * failed reconnect is tried again after a second, not at every
 * statement. */
#define STORE_PG_CONNECT_S "5"
#define STORE_PG_KEEPIDLE_S "30"
#define STORE_PG_KEEPINTVL_S "10"
#define STORE_PG_KEEPCNT "3"
#define STORE_PG_RETRY_US (1000 * 1000)

static const char *const store_pg_keys[] = { "connect_timeout",
	"keepalives_idle", "keepalives_interval", "keepalives_count",
	"fallback_application_name", "dbname", NULL };

static void store_pg_rollback(struct store *s);

/* Keeps the first line of msg (libpq's end with a newline, some have a
 * DETAIL line) in out. */
static void
store_pg_line(char *out, size_t n, const char *msg)
{
	size_t len;

	if (msg == NULL || *msg == '\0')
		msg = "unknown error";
	if (strncmp(msg, "ERROR:  ", 8) == 0 ||
	    strncmp(msg, "FATAL:  ", 8) == 0)
		msg += 8;
	len = strcspn(msg, "\n");
	snprintf(out, n, "%.*s", (int)len, msg);
}

void
store_pg_fail(struct store_pg *pg, const PGresult *r)
{
	const char *state = NULL;

	pg->late = 0;
	if (r != NULL) {
		store_pg_line(
		    pg->last, sizeof pg->last, pg->pq.PQresultErrorMessage(r));
		state = pg->pq.PQresultErrorField(r, PG_DIAG_SQLSTATE);
	}
	if (r == NULL || pg->last[0] == '\0')
		store_pg_line(
		    pg->last, sizeof pg->last, pg->pq.PQerrorMessage(pg->c));
	if (pg->pq.PQstatus(pg->c) == CONNECTION_BAD)
		snprintf(pg->last, sizeof pg->last,
		    "database %s: connection to the server lost", pg->shown);
	snprintf(pg->sqlstate, sizeof pg->sqlstate, "%s",
	    state != NULL ? state : "");
}

static int
store_pg_sqlerr(struct store *s, struct err *err, const char *what)
{
	struct store_pg *pg = STORE_PG(s);

	/* a write sent ahead failed: what it was, not what found out */
	if (pg->late)
		return err_set(err, ERR_FAILED, "%s", pg->last);
	return err_set(err, ERR_FAILED, "%s: %s", what, pg->last);
}

void
store_pg_drain(struct store_pg *pg)
{
	PGnotify *n;

	while ((n = pg->pq.PQnotifies(pg->c)) != NULL) {
		if (n->be_pid != pg->pid)
			pg->seen++;
		pg->pq.PQfreemem(n);
	}
}

/* Runs sql (one or more statements) and checks the last result. */
static int
store_pg_run(struct store_pg *pg, const char *sql)
{
	PGresult *r;
	ExecStatusType rc;
	int ok;

	if (store_pg_settle(pg, NULL) == -1)
		return -1;
	r = pg->pq.PQexec(pg->c, sql);
	rc = pg->pq.PQresultStatus(r);
	ok = rc == PGRES_COMMAND_OK || rc == PGRES_TUPLES_OK;
	if (!ok)
		store_pg_fail(pg, r);
	pg->pq.PQclear(r);
	store_pg_drain(pg);
	return ok ? 0 : -1;
}

static int
store_pg_exec(struct store *s, const char *sql, struct err *err)
{
	if (store_pg_alive(s) == -1 || store_pg_run(STORE_PG(s), sql) == -1)
		return err_set(err, ERR_FAILED, "%s", STORE_PG(s)->last);
	return 0;
}

/* Drops libpq's notices (a ROLLBACK with nothing open says so on
 * stderr): owl reports what matters itself. */
static void
store_pg_quiet(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

/* The session owl expects of every connection: notified of writes, a
 * writer waits as long as SQLite's busy timeout. */
static int
store_pg_session(struct store_pg *pg)
{
	char sql[96];

	pg->pq.PQsetNoticeProcessor(pg->c, store_pg_quiet, NULL);
	pg->pid = pg->pq.PQbackendPID(pg->c);
	snprintf(
	    sql, sizeof sql, "LISTEN owl; SET lock_timeout = %d", pg->lock_ms);
	return store_pg_run(pg, sql);
}

int
store_pg_reconnect(struct store_pg *pg)
{
	int64_t now = clock_mono_us();

	/* lost between transactions: one new try (a restarted server, a
	 * failover to a standby that a multi-host URL names); after a
	 * failed one, none for a while: owl serve answers 503 at once
	 * instead of making every request wait for the connect timeout */
	pg->sqlstate[0] = '\0';
	pg->late = 0;
	if (now < pg->retry_at) {
		snprintf(pg->last, sizeof pg->last, "%s", pg->down);
		return -1;
	}
	pg->piped = 0; /* a reset leaves pipeline mode */
	pg->pq.PQreset(pg->c);
	if (pg->pq.PQstatus(pg->c) != CONNECTION_OK) {
		char line[ERR_MSG_MAX];

		store_pg_line(line, sizeof line, pg->pq.PQerrorMessage(pg->c));
		snprintf(pg->last, sizeof pg->last, "database %s: %.300s",
		    pg->shown, line);
		snprintf(pg->down, sizeof pg->down, "%s", pg->last);
		pg->retry_at = clock_mono_us() + STORE_PG_RETRY_US;
		return -1;
	}
	pg->retry_at = 0;
	pg->gen++;
	return store_pg_session(pg);
}

int
store_pg_alive(struct store *s)
{
	struct store_pg *pg = STORE_PG(s);

	if (pg->pq.PQstatus(pg->c) == CONNECTION_OK &&
	    ((s->depth == 0 && s->reading == 0) || pg->piped > 0 ||
	        pg->pq.PQtransactionStatus(pg->c) != PQTRANS_IDLE))
		return 0;
	/* a transaction's connection taken up again has no transaction:
	 * the rest of it would be committed statement by statement */
	if (s->depth > 0 || s->reading > 0) {
		snprintf(pg->last, sizeof pg->last,
		    "database %s: connection to the server lost", pg->shown);
		return -1;
	}
	return store_pg_reconnect(pg);
}

/* Opens a transaction with sql. A connection found dead only now (the
 * server restarted, an administrator killed it, a failover) did nothing
 * yet: one new connection, one more try. */
static int
store_pg_start(struct store *s, const char *sql)
{
	struct store_pg *pg = STORE_PG(s);

	if ((pg->pq.PQstatus(pg->c) != CONNECTION_OK &&
	        store_pg_reconnect(pg) == -1))
		return -1;
	if (store_pg_run(pg, sql) == 0)
		return 0;
	if (pg->pq.PQstatus(pg->c) != CONNECTION_BAD ||
	    store_pg_reconnect(pg) == -1)
		return -1;
	return store_pg_run(pg, sql);
}

void
store_pg_notify(struct store_pg *pg)
{
	store_pg_run(pg, "NOTIFY owl");
}

/* The application_name owl's connections give the server (the URL's
 * own wins): "owl HOST:PID", the node's name in owl's duties, so that
 * the holder of the write lock can be named (store_pg_holder). */
static void
store_pg_appname(char *out, size_t n)
{
	char host[64] = "";

	if (gethostname(host, sizeof host - 1) != 0)
		snprintf(host, sizeof host, "?");
	snprintf(out, n, "owl %.40s:%d", host, (int)getpid());
}

/* Who holds owl's write lock (the advisory lock), for the message of a
 * writer that waited for it in vain: another owl, this one's own other
 * connection, another client, and whether its commit waits for a
 * synchronous standby (synchronous_commit, synchronous_standby_names):
 * then a standby that is down or slow holds every writer up, and the
 * lock only says so. Outside a transaction; replaces pg->last and
 * keeps the lock timeout's SQLSTATE (store_locked). */
static void
store_pg_holder(struct store_pg *pg)
{
	static const char sql[] =
	    "SELECT l.pid, coalesce(a.application_name, ''),"
	    " coalesce(a.wait_event, ''), coalesce(a.state, ''),"
	    " coalesce(host(a.client_addr), 'the local socket'),"
	    " coalesce(CAST(extract(epoch FROM now() - a.xact_start)"
	    " AS bigint), -1), current_setting('synchronous_standby_names'),"
	    " current_setting('synchronous_commit')"
	    " FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid"
	    " WHERE l.locktype = 'advisory' AND l.classid = 0"
	    " AND l.objid = " STORE_PG_LOCK " AND l.objsubid = 1 AND l.granted"
	    " AND l.database = (SELECT oid FROM pg_database"
	    " WHERE datname = current_database()) LIMIT 1";
	char who[200], what[300], state[sizeof pg->sqlstate];
	const char *app, *wait, *st;
	PGresult *r;
	long long age;

	snprintf(state, sizeof state, "%s", pg->sqlstate);
	if (pg->pq.PQtransactionStatus(pg->c) != PQTRANS_IDLE)
		store_pg_run(pg, "ROLLBACK");
	r = pg->pq.PQexec(pg->c, sql);
	if (pg->pq.PQresultStatus(r) != PGRES_TUPLES_OK) {
		snprintf(pg->last, sizeof pg->last,
		    "owl's write lock is held by another transaction "
		    "(waited %d ms)",
		    pg->lock_ms);
		goto out;
	}
	if (pg->pq.PQntuples(r) == 0) {
		snprintf(pg->last, sizeof pg->last,
		    "owl's write lock was held by another transaction for "
		    "%d ms (given back since)",
		    pg->lock_ms);
		goto out;
	}
	app = pg->pq.PQgetvalue(r, 0, 1);
	wait = pg->pq.PQgetvalue(r, 0, 2);
	st = pg->pq.PQgetvalue(r, 0, 3);
	age = atoll(pg->pq.PQgetvalue(r, 0, 5));
	if (strcmp(app, pg->app) == 0)
		snprintf(who, sizeof who,
		    "this owl's own other connection (server pid %s)",
		    pg->pq.PQgetvalue(r, 0, 0));
	else if (strncmp(app, "owl ", 4) == 0)
		snprintf(who, sizeof who, "another owl, %.80s (server pid %s)",
		    app + 4, pg->pq.PQgetvalue(r, 0, 0));
	else
		snprintf(who, sizeof who,
		    "%s%.60s%s (server pid %s, from %.60s)",
		    *app ? "a client named \"" : "a client", app,
		    *app ? "\"" : "", pg->pq.PQgetvalue(r, 0, 0),
		    pg->pq.PQgetvalue(r, 0, 4));
	if (strcmp(wait, "SyncRep") == 0)
		snprintf(what, sizeof what,
		    "whose commit waits for a synchronous standby "
		    "(synchronous_commit %.20s, synchronous_standby_names "
		    "'%.100s'): is the standby up and streaming?",
		    pg->pq.PQgetvalue(r, 0, 7), pg->pq.PQgetvalue(r, 0, 6));
	else if (age >= 0)
		snprintf(what, sizeof what, "%s for %lld s",
		    strcmp(st, "idle in transaction") == 0
		        ? "idle in a transaction open"
		        : "in a transaction open",
		    age);
	else
		snprintf(what, sizeof what, "in a transaction");
	snprintf(pg->last, sizeof pg->last,
	    "owl's write lock is held by %.200s, %.240s (waited %d ms)", who,
	    what, pg->lock_ms);
out:
	pg->pq.PQclear(r);
	store_pg_drain(pg);
	pg->late = 0;
	snprintf(pg->sqlstate, sizeof pg->sqlstate, "%s", state);
}

static int
store_pg_load(struct store_pg *pg, struct err *err)
{
	void *h;

	locale_late_load(); /* client_encoding "auto" reads it */
	h = dlopen(STORE_PG_SONAME, RTLD_NOW | RTLD_LOCAL);

	if (h == NULL)
		return err_set(err, ERR_FAILED,
		    "database %s: cannot load %s (install Debian's libpq5)",
		    pg->shown, STORE_PG_SONAME);
#define STORE_PQ_LOAD(f)                                                       \
	if ((*(void **)&pg->pq.f = dlsym(h, #f)) == NULL)                      \
		return err_set(err, ERR_FAILED, "database %s: %s has no %s",   \
		    pg->shown, STORE_PG_SONAME, #f);
	STORE_PQ_FUNCS(STORE_PQ_LOAD)
#undef STORE_PQ_LOAD
	return 0;
}

/* The one value sql returns in *v. */
static int
store_pg_scalar(struct store_pg *pg, const char *sql, int *v)
{
	PGresult *r;
	int ok;

	if (store_pg_settle(pg, NULL) == -1)
		return -1;
	r = pg->pq.PQexec(pg->c, sql);
	ok = pg->pq.PQresultStatus(r) == PGRES_TUPLES_OK &&
	    pg->pq.PQntuples(r) == 1;
	if (!ok)
		store_pg_fail(pg, r);
	else
		*v = atoi(pg->pq.PQgetvalue(r, 0, 0));
	pg->pq.PQclear(r);
	return ok ? 0 : -1;
}

/* The schema version: 0 when owl never migrated this database. */
static int
store_pg_version(struct store *s, int *v, struct err *err)
{
	struct store_pg *pg = STORE_PG(s);
	int there = 0;

	*v = 0;
	if (store_pg_scalar(pg,
	        "SELECT count(*) FROM pg_tables WHERE tablename = 'owl_schema'"
	        " AND schemaname = current_schema()",
	        &there) == -1 ||
	    (there &&
	        store_pg_scalar(pg,
	            "SELECT coalesce(max(version), 0) FROM owl_schema",
	            v) == -1))
		return store_pg_sqlerr(s, err, "read schema version");
	return 0;
}

static int
store_pg_migrate(struct store *s, struct err *err)
{
	char sql[80];
	int v;

	if (store_pg_version(s, &v, err) == -1)
		return -1;
	if (v > schema_count)
		return err_set(err, ERR_USAGE,
		    "database schema version %d is newer than this owl's "
		    "(%d); upgrade owl",
		    v, schema_count);
	if (v == schema_count)
		return 0;
	if (store_begin(s, err) == -1)
		return -1;
	/* another owl may have migrated while we waited for the lock */
	if (store_pg_version(s, &v, err) == -1)
		goto fail;
	for (; v < schema_count; v++) {
		/* NULL: folded into a later one (schema_pg.c) */
		if (schema_pg[v] != NULL &&
		    store_exec(s, schema_pg[v], err) == -1) {
			err_prefix(err, "schema migration %d: ", v + 1);
			goto fail;
		}
	}
	snprintf(sql, sizeof sql,
	    "DELETE FROM owl_schema; INSERT INTO owl_schema VALUES (%d)", v);
	if (store_exec(s, sql, err) == -1)
		goto fail;
	return store_commit(s, err);
fail:
	store_rollback(s);
	return -1;
}

static int
store_pg_connect(struct store *s, struct err *err)
{
	struct store_pg *pg;

	if ((pg = calloc(1, sizeof *pg)) == NULL ||
	    (pg->shown = store_url_masked(s->path)) == NULL) {
		free(pg);
		return err_set(err, ERR_FAILED, "out of memory");
	}
	s->conn = pg;
	pg->lock_ms = STORE_PG_BUSY_MS;
	if (store_pg_load(pg, err) == -1)
		return -1;
	/* libpq knows the scheme in lower case only */
	for (size_t i = 0; s->path[i] != ':' && s->path[i] != '\0'; i++)
		s->path[i] = (char)tolower((unsigned char)s->path[i]);
	store_pg_appname(pg->app, sizeof pg->app);
	pg->c = pg->pq.PQconnectdbParams(store_pg_keys,
	    (const char *[]){ STORE_PG_CONNECT_S, STORE_PG_KEEPIDLE_S,
	        STORE_PG_KEEPINTVL_S, STORE_PG_KEEPCNT, pg->app, s->path,
	        NULL },
	    1);
	if (pg->c == NULL || pg->pq.PQstatus(pg->c) != CONNECTION_OK) {
		if (pg->c == NULL)
			snprintf(pg->last, sizeof pg->last, "out of memory");
		else
			store_pg_line(pg->last, sizeof pg->last,
			    pg->pq.PQerrorMessage(pg->c));
		return err_set(
		    err, ERR_FAILED, "database %s: %s", pg->shown, pg->last);
	}
	if (store_pg_session(pg) == -1)
		return err_set(
		    err, ERR_FAILED, "database %s: %s", pg->shown, pg->last);
	return 0;
}

static int
store_pg_open(struct store *s, int create, struct err *err)
{
	int v;

	if (store_pg_connect(s, err) == -1)
		return -1;
	/* the words and code of SQLite's missing file (store_open_existing) */
	if (!create && store_pg_version(s, &v, err) == 0 && v == 0)
		return err_set(err, ERR_USAGE,
		    "no database at %s (run owl serve or owl ingest to "
		    "create one)",
		    STORE_PG(s)->shown);
	if (err_isset(err) || store_pg_migrate(s, err) == -1) {
		if (err->code != ERR_USAGE)
			err_prefix(err, "database %s: ", STORE_PG(s)->shown);
		return -1;
	}
	return 0;
}

int
store_pg_missing(const char *url)
{
	struct store s = { .ops = &store_pg_ops };
	struct err err;
	int v = -1;

	err_init(&err);
	if ((s.path = strdup(url)) != NULL && store_pg_connect(&s, &err) == 0)
		store_pg_version(&s, &v, &err);
	store_pg_close(&s);
	free(s.path);
	return v == 0;
}

void
store_pg_close(struct store *s)
{
	struct store_pg *pg = STORE_PG(s);

	if (pg == NULL)
		return;
	if (pg->c != NULL)
		pg->pq.PQfinish(pg->c);
	free(pg->shown);
	free(pg);
	s->conn = NULL;
}

static int
store_pg_begin(struct store *s, struct err *err)
{
	struct store_pg *pg = STORE_PG(s);

	/* NOTIFY here: sent with the commit (or not at all), and the
	 * commit can then go in the pipeline of the writes sent ahead */
	if (store_pg_start(s,
	        "BEGIN; SELECT pg_advisory_xact_lock(" STORE_PG_LOCK
	        "); NOTIFY owl") == -1) {
		if (strcmp(pg->sqlstate, STORE_PG_LOCK_TIMEOUT) == 0)
			store_pg_holder(pg);
		store_pg_sqlerr(s, err, "begin transaction");
		if (pg->pq.PQtransactionStatus(pg->c) != PQTRANS_IDLE)
			store_pg_run(pg, "ROLLBACK");
		return -1;
	}
	return 0;
}

static int
store_pg_commit(struct store *s, struct err *err)
{
	struct store_pg *pg = STORE_PG(s);
	PGresult *r;
	int ok;

	/* the writes sent ahead first, the COMMIT after them in the same
	 * round trip: one failed, nothing is committed */
	if (pg->piped > 0 &&
	    pg->pq.PQsendQueryParams(
	        pg->c, "COMMIT", 0, NULL, NULL, NULL, NULL, 0) != 1) {
		store_pg_fail(pg, NULL);
		store_pg_rollback(s);
		return store_pg_sqlerr(s, err, "commit");
	}
	r = NULL;
	if (pg->piped > 0 && store_pg_settle(pg, &r) == -1) {
		char msg[ERR_MSG_MAX];
		int late = pg->late, mark = pg->late_mark;

		snprintf(msg, sizeof msg, "%s", pg->last);
		store_pg_rollback(s);
		snprintf(pg->last, sizeof pg->last, "%s", msg);
		pg->late = late;
		pg->late_mark = mark;
		return store_pg_sqlerr(s, err, "commit");
	}
	/* an aborted transaction's COMMIT rolls back and says ROLLBACK */
	if (r == NULL)
		r = pg->pq.PQexec(pg->c, "COMMIT");
	ok = pg->pq.PQresultStatus(r) == PGRES_COMMAND_OK &&
	    strcmp(pg->pq.PQcmdStatus(r), "COMMIT") == 0;
	if (!ok) {
		store_pg_fail(pg, r);
		if (pg->last[0] == '\0' ||
		    pg->pq.PQresultStatus(r) == PGRES_COMMAND_OK)
			snprintf(pg->last, sizeof pg->last,
			    "the transaction failed and was rolled back");
	}
	pg->pq.PQclear(r);
	if (!ok && pg->pq.PQtransactionStatus(pg->c) != PQTRANS_IDLE)
		store_pg_run(pg, "ROLLBACK");
	return ok ? 0 : store_pg_sqlerr(s, err, "commit");
}

static void
store_pg_rollback(struct store *s)
{
	struct store_pg *pg = STORE_PG(s);

	/* what was sent ahead is rolled back with the rest */
	store_pg_settle(pg, NULL);
	if (pg->pq.PQtransactionStatus(pg->c) != PQTRANS_IDLE)
		store_pg_run(pg, "ROLLBACK");
}

static int
store_pg_read_begin(struct store *s, struct err *err)
{
	if (store_pg_start(
	        s, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") == -1)
		return store_pg_sqlerr(s, err, "begin read");
	return 0;
}

static void
store_pg_read_end(struct store *s)
{
	store_pg_rollback(s);
}

static int
store_pg_changes(struct store *s)
{
	return STORE_PG(s)->changes;
}

static int
store_pg_locked(struct store *s)
{
	const char *st = STORE_PG(s)->sqlstate;

	/* lock_not_available, deadlock_detected, serialization_failure */
	return strcmp(st, "55P03") == 0 || strcmp(st, "40P01") == 0 ||
	    strcmp(st, "40001") == 0;
}

static void
store_pg_busy_timeout(struct store *s, int ms)
{
	struct store_pg *pg = STORE_PG(s);
	char sql[64];

	pg->lock_ms = ms;
	snprintf(sql, sizeof sql, "SET lock_timeout = %d", ms);
	if (pg->pq.PQstatus(pg->c) == CONNECTION_OK)
		store_pg_run(pg, sql);
}

static int
store_pg_probe_write(struct store *s, struct err *err)
{
	struct store_pg *pg = STORE_PG(s);

	if (store_pg_start(
	        s, "BEGIN; SELECT pg_advisory_xact_lock(" STORE_PG_LOCK ")") ==
	    -1) {
		if (strcmp(pg->sqlstate, STORE_PG_LOCK_TIMEOUT) == 0)
			store_pg_holder(pg);
		err_set(err, ERR_FAILED, "%s", pg->last);
		store_pg_rollback(s);
		return -1;
	}
	store_pg_run(pg, "ROLLBACK");
	return 0;
}

static int64_t
store_pg_data_version(struct store *s)
{
	struct store_pg *pg = STORE_PG(s);

	if (store_pg_alive(s) == -1)
		return -1;
	pg->pq.PQconsumeInput(pg->c);
	store_pg_drain(pg);
	return pg->seen;
}

static int
store_pg_sync(struct store *s, enum store_sync how, struct err *err)
{
	/* FULL: at least "on" (flushed, and on the synchronous standbys
	 * synchronous_standby_names names); a server configured stronger
	 * (remote_apply: readable on the standbys) keeps its setting, never
	 * weakened by owl. NORMAL: synchronous_commit = off loses the last
	 * commits when the server dies, never consistency: what SQLite's
	 * NORMAL gives. */
	return store_pg_exec(s,
	    how == STORE_SYNC_FULL
	        ? "SELECT set_config('synchronous_commit', CASE WHEN reset_val "
	          "= 'remote_apply' THEN reset_val ELSE 'on' END, false) "
	          "FROM pg_settings WHERE name = 'synchronous_commit'"
	        : "SET synchronous_commit = off",
	    err);
}

static int
store_pg_query_only(struct store *s, struct err *err)
{
	return store_pg_exec(s, "SET default_transaction_read_only = on", err);
}

static void
store_pg_checkpoint(struct store *s)
{
	(void)s; /* the server's own business */
}

/* A PostgreSQL commit is durable when it returns (store_pg_sync). */
static int
store_pg_defer_durable(struct store *s, struct err *err)
{
	(void)s;
	(void)err;
	return 0;
}

static int
store_pg_durable(struct store *s, struct err *err)
{
	(void)s;
	(void)err;
	return 0;
}

static int
store_pg_checkpoint_manual(struct store *s, struct err *err)
{
	(void)s;
	(void)err;
	return 0; /* the server checkpoints */
}

static int
store_pg_cache_mib(struct store *s, int mib, struct err *err)
{
	(void)s;
	(void)mib;
	(void)err;
	return 0; /* the server's shared_buffers */
}

const struct store_ops store_pg_ops = {
	.dialect = STORE_DIALECT_PG,
	.open = store_pg_open,
	.close = store_pg_close,
	.begin = store_pg_begin,
	.commit = store_pg_commit,
	.rollback = store_pg_rollback,
	.read_begin = store_pg_read_begin,
	.read_end = store_pg_read_end,
	.exec = store_pg_exec,
	.prepare = store_pg_prepare,
	.finalize = store_pg_finalize,
	.clear = store_pg_clear,
	.bind_int64 = store_pg_bind_int64,
	.bind_int = store_pg_bind_int,
	.bind_text = store_pg_bind_text,
	.bind_blob = store_pg_bind_blob,
	.bind_null = store_pg_bind_null,
	.step = store_pg_step,
	.step_later = store_pg_step_later,
	.step_may_fail = store_pg_step_may_fail,
	.failed_mark = store_pg_failed_mark,
	.col_int64 = store_pg_col_int64,
	.col_int = store_pg_col_int,
	.col_text = store_pg_col_text,
	.col_null = store_pg_col_null,
	.col_count = store_pg_col_count,
	.col_name = store_pg_col_name,
	.reset = store_pg_reset,
	.changes = store_pg_changes,
	.sqlerr = store_pg_sqlerr,
	.locked = store_pg_locked,
	.busy_timeout = store_pg_busy_timeout,
	.probe_write = store_pg_probe_write,
	.data_version = store_pg_data_version,
	.sync = store_pg_sync,
	.query_only = store_pg_query_only,
	.checkpoint = store_pg_checkpoint,
	.defer_durable = store_pg_defer_durable,
	.durable = store_pg_durable,
	.cache_mib = store_pg_cache_mib,
	.checkpoint_manual = store_pg_checkpoint_manual,
};
