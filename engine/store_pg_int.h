/* store_pg_int.h: what the two files of the PostgreSQL backend share
 * (store_pg.c: the connection, transactions, notifications, errors;
 * store_pg_stmt.c: statements). libpq is loaded when a store opens a
 * postgresql:// URL, not linked: its ~25 libraries would cost every
 * command, SQLite ones included, their load at exec. */
#ifndef OWL_STORE_PG_INT_H
#define OWL_STORE_PG_INT_H

#include <libpq-fe.h>

#include "store_int.h"

/* The libpq functions the backend calls, looked up by name at open. */
#define STORE_PQ_FUNCS(X)                                                      \
	X(PQconnectdbParams)                                                   \
	X(PQstatus)                                                            \
	X(PQerrorMessage)                                                      \
	X(PQfinish)                                                            \
	X(PQreset)                                                             \
	X(PQexec)                                                              \
	X(PQprepare)                                                           \
	X(PQexecPrepared)                                                      \
	X(PQresultStatus)                                                      \
	X(PQresultErrorMessage)                                                \
	X(PQresultErrorField)                                                  \
	X(PQclear)                                                             \
	X(PQntuples)                                                           \
	X(PQnfields)                                                           \
	X(PQgetvalue)                                                          \
	X(PQgetisnull)                                                         \
	X(PQcmdTuples)                                                         \
	X(PQcmdStatus)                                                         \
	X(PQconsumeInput)                                                      \
	X(PQnotifies)                                                          \
	X(PQfreemem)                                                           \
	X(PQbackendPID)                                                        \
	X(PQsocket)                                                            \
	X(PQtransactionStatus)                                                 \
	X(PQsetNoticeProcessor)                                                \
	X(PQlibVersion)                                                        \
	X(PQfname)                                                             \
	X(PQenterPipelineMode)                                                 \
	X(PQexitPipelineMode)                                                  \
	X(PQpipelineSync)                                                      \
	X(PQsendQueryPrepared)                                                 \
	X(PQsendQueryParams)                                                   \
	X(PQgetResult)

struct store_pq_api {
#define STORE_PQ_MEMBER(f) __typeof__(f) *f;
	STORE_PQ_FUNCS(STORE_PQ_MEMBER)
#undef STORE_PQ_MEMBER
};

/* The most statements sent in pipeline mode before their results are
 * read (store_pg_pipe.c): bounds what waits in the socket buffers. */
#define STORE_PG_PIPE_MAX 256

/* The connection under a PostgreSQL store (s->conn). */
struct store_pg {
	struct store_pq_api pq;
	PGconn *c;
	char *shown; /* the URL with its password masked, for messages */
	char app[64]; /* the application_name owl gives: "owl HOST:PID" */
	char last[ERR_MSG_MAX]; /* the last failure, one line */
	char sqlstate[6]; /* its SQLSTATE, "" when none */
	uint64_t gen; /* bumped on each reconnect: re-prepare statements */
	uint64_t nstmt; /* names statements owl_1, owl_2, ... */
	int64_t seen; /* notifications from other connections */
	int changes;
	int pid; /* the server process of this connection */
	int lock_ms;
	int piped; /* statements sent in pipeline mode, results not read */
	int late; /* pg->last is a statement's sent ahead, named already */
	int late_mark; /* and that statement's mark (store_mark) */
	int64_t retry_at; /* a failed reconnect: no new try before (mono us) */
	char down[ERR_MSG_MAX]; /* why it failed */
	const char *piped_what[STORE_PG_PIPE_MAX]; /* what each one does */
	int piped_mark[STORE_PG_PIPE_MAX]; /* and its store_mark */
};

#define STORE_PG(s) ((struct store_pg *)(s)->conn)

/* store_pg.c: records a failed result's (or the connection's) message in
 * pg->last and sqlstate; frees nothing. */
void store_pg_fail(struct store_pg *pg, const PGresult *r);

/* store_pg.c: makes sure the connection is up when no transaction is
 * open (reconnects once when it was lost), and that one store_begin or
 * store_read_begin opened is still there. 0, or -1 with pg->last set. */
int store_pg_alive(struct store *s);

/* store_pg.c: connects again (once); -1 with pg->last set when the
 * server is not there. A transaction open on the old connection is gone:
 * store_pg_alive refuses the rest of it. */
int store_pg_reconnect(struct store_pg *pg);

/* store_pg.c: closes the connection of s (s->conn may be NULL). */
void store_pg_close(struct store *s);

/* store_pg.c: counts and frees the notifications libpq has read (it
 * queues them while reading any result: a connection that never asked
 * for store_data_version would otherwise keep them all). */
void store_pg_drain(struct store_pg *pg);

/* store_pg.c: after an autocommitted write, wakes the other
 * connections (a write transaction does it at COMMIT). */
void store_pg_notify(struct store_pg *pg);

/* store_pg_pipe.c: sends prepared statement name with its parameters
 * in pipeline mode (entered with the first one), its result to be read
 * by store_pg_settle; what names it should it fail. 0, or -1 with
 * pg->last set. */
int store_pg_pipe_send(struct store_pg *pg, const char *name, int n,
    const char *const *vals, const int *lens, const int *fmts, const char *what,
    int mark);

/* store_pg_pipe.c: reads the results of the statements sent in pipeline
 * mode and leaves it; with last (a statement the caller sent after them
 * with PQsendQueryPrepared, whose result it wants), sets *last to that
 * result (NULL when the pipeline failed before it). 0, or -1 with
 * pg->last set to the first failure ("what: message"). Does nothing
 * when nothing was sent. */
int store_pg_settle(struct store_pg *pg, PGresult **last);

/* store_pg_stmt.c: the statement half of the ops table. */
struct store_stmt *store_pg_prepare(
    struct store *s, const char *sql, struct err *err);
void store_pg_finalize(struct store_stmt *st);
void store_pg_clear(struct store_stmt *st);
int store_pg_bind_int64(struct store_stmt *st, int i, int64_t v);
int store_pg_bind_int(struct store_stmt *st, int i, int v);
int store_pg_bind_text(
    struct store_stmt *st, int i, const char *v, int len, int mode);
int store_pg_bind_blob(
    struct store_stmt *st, int i, const void *v, int len, int mode);
int store_pg_bind_null(struct store_stmt *st, int i);
int store_pg_step(struct store_stmt *st);
int store_pg_step_later(struct store_stmt *st, const char *what);
int store_pg_step_may_fail(struct store_stmt *st);
int store_pg_failed_mark(struct store *s);
int64_t store_pg_col_int64(struct store_stmt *st, int i);
int store_pg_col_int(struct store_stmt *st, int i);
const unsigned char *store_pg_col_text(struct store_stmt *st, int i);
int store_pg_col_null(struct store_stmt *st, int i);
int store_pg_col_count(struct store_stmt *st);
const char *store_pg_col_name(struct store_stmt *st, int i);
int store_pg_reset(struct store_stmt *st);

#endif
