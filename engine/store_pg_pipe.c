/* store_pg_pipe.c: libpq's pipeline mode for the writes of a transaction
 * whose outcome can wait (store_step_later): each is sent without waiting
 * for the server, and their results are read together when anything
 * else needs the connection (a query whose rows the caller wants, the
 * commit): one round trip for many statements where there was one each.
 * The first failure is kept in pg->last as "what: message"; the server
 * has then aborted the transaction, so what follows fails too and the
 * commit rolls back: a failed write is never committed, only reported
 * later than it happened. */
#define _POSIX_C_SOURCE 200809L
#include "store_pg_int.h"

#include <stdio.h>
#include <string.h>

/* Prefixes pg->last with what the failed statement did. */
static void
store_pg_pipe_name(struct store_pg *pg, const char *what)
{
	size_t w, n = sizeof pg->last;

	if (what == NULL || (w = strlen(what) + 2) >= n)
		return;
	memmove(pg->last + w, pg->last, n - w);
	pg->last[n - 1] = '\0';
	memcpy(pg->last, what, w - 2);
	memcpy(pg->last + w - 2, ": ", 2);
}

int
store_pg_pipe_send(struct store_pg *pg, const char *name, int n,
    const char *const *vals, const int *lens, const int *fmts, const char *what,
    int mark)
{
	if (pg->piped == STORE_PG_PIPE_MAX && store_pg_settle(pg, NULL) == -1)
		return -1;
	if (pg->piped == 0 && pg->pq.PQenterPipelineMode(pg->c) != 1) {
		store_pg_fail(pg, NULL);
		return -1;
	}
	if (pg->pq.PQsendQueryPrepared(pg->c, name, n, vals, lens, fmts, 0) !=
	    1) {
		char msg[ERR_MSG_MAX];

		store_pg_fail(pg, NULL);
		snprintf(msg, sizeof msg, "%s", pg->last);
		store_pg_settle(pg, NULL); /* leaves pipeline mode */
		snprintf(pg->last, sizeof pg->last, "%s", msg);
		pg->late = 0;
		return -1;
	}
	pg->piped_mark[pg->piped] = mark;
	pg->piped_what[pg->piped++] = what;
	return 0;
}

/* Reads the results of query i of the pipeline (its what, or NULL for
 * the caller's last one, kept in *keep). 0; 1 when it failed; -1 when
 * the connection did. */
static int
store_pg_pipe_one(
    struct store_pg *pg, const char *what, int mark, PGresult **keep)
{
	PGresult *r;
	int failed = 0;

	while ((r = pg->pq.PQgetResult(pg->c)) != NULL) {
		ExecStatusType rc = pg->pq.PQresultStatus(r);

		if (rc == PGRES_FATAL_ERROR && !failed) {
			store_pg_fail(pg, r);
			store_pg_pipe_name(pg, what);
			pg->late = what != NULL;
			pg->late_mark = what != NULL ? mark : -1;
			failed = 1;
		}
		if (keep != NULL && *keep == NULL)
			*keep = r;
		else
			pg->pq.PQclear(r);
	}
	if (pg->pq.PQstatus(pg->c) == CONNECTION_BAD)
		return -1;
	return failed;
}

int
store_pg_settle(struct store_pg *pg, PGresult **last)
{
	int n = pg->piped, failed = 0, lost = 0, rc;
	PGresult *r;

	if (last != NULL)
		*last = NULL;
	if (n == 0 && last == NULL)
		return 0;
	pg->piped = 0;
	if (pg->pq.PQpipelineSync(pg->c) != 1)
		lost = 1;
	for (int i = 0; !lost && i < n + (last != NULL); i++) {
		/* after the first failure the server answers the rest of the
		 * pipeline with "aborted": the first one is what is said */
		rc = store_pg_pipe_one(pg, i < n ? pg->piped_what[i] : NULL,
		    i < n ? pg->piped_mark[i] : -1,
		    i < n || failed ? NULL : last);
		if (rc == -1)
			lost = 1;
		else if (rc == 1)
			failed = 1;
	}
	if (!lost) {
		r = pg->pq.PQgetResult(pg->c);
		if (r == NULL ||
		    pg->pq.PQresultStatus(r) != PGRES_PIPELINE_SYNC)
			lost = 1;
		pg->pq.PQclear(r);
	}
	if (!lost && pg->pq.PQexitPipelineMode(pg->c) != 1)
		lost = 1;
	store_pg_drain(pg);
	if (lost) {
		if (!failed)
			store_pg_fail(pg, NULL);
		/* out of step with the server: the transaction is lost,
		 * and the connection is taken up again before the next */
		if (pg->pq.PQstatus(pg->c) == CONNECTION_OK)
			store_pg_reconnect(pg);
	}
	if ((lost || failed) && last != NULL && *last != NULL) {
		pg->pq.PQclear(*last);
		*last = NULL;
	}
	return lost || failed ? -1 : 0;
}
