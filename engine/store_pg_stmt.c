/* store_pg_stmt.c: the PostgreSQL backend's statements (store_pg_int.h).
 * owl's SQL is written with SQLite's ? and ?N, and its LIKE ignores
 * case; it is translated to $N and ILIKE once, at prepare, and prepared as a
 * named statement of the connection. Parameters go as text (integers
 * formatted), blobs as binary; results come as text, fetched whole per
 * execution, so that a statement can be stepped while others run, as on SQLite.
 */
#define _POSIX_C_SOURCE 200809L
#include "store_pg_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define STORE_PG_MAXPARAM 999 /* SQLite's default limit */
#define STORE_PG_RANGE 25 /* what SQLite returns for a bad index */
#define STORE_PG_ERROR 1

struct store_pg_param {
	const char *v; /* NULL: SQL NULL */
	char *own; /* a copy this statement frees */
	char num[24]; /* an integer's text */
	int len, binary;
};

struct store_pg_stmt {
	struct store_stmt base;
	char name[24];
	char *sql; /* translated */
	uint64_t gen; /* the connection generation it was prepared on */
	int nparams;
	struct store_pg_param *p;
	const char **vals;
	int *lens, *fmts;
	PGresult *res; /* of the current execution, NULL: none */
	int row, nrows;
};

#define STORE_PG_ST(x) ((struct store_pg_stmt *)(x))

/* Copies SQL that starts at *in and runs to end (a quoted string or
 * identifier, a comment) unchanged; returns the new input position. */
static const char *
store_pg_skip(const char *in, char **o)
{
	const char *p = in;

	if (*p == '\'' || *p == '"') {
		char q = *p++;

		for (; *p != '\0'; p++)
			if (*p == q && *++p != q) /* '' is a quote inside */
				break;
	} else if (p[0] == '-' && p[1] == '-') {
		p += strcspn(p, "\n");
	} else if (p[0] == '/' && p[1] == '*') {
		const char *e = strstr(p + 2, "*/");

		p = e != NULL ? e + 2 : p + strlen(p);
	} else {
		p++;
	}
	memcpy(*o, in, (size_t)(p - in));
	*o += p - in;
	return p;
}

static int
store_pg_word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '$';
}

/* 1 when the keyword LIKE starts at p (start: the beginning of the SQL):
 * SQLite's LIKE ignores the case of ASCII letters, PostgreSQL's ILIKE
 * does what it does. */
static int
store_pg_like(const char *start, const char *p)
{
	return strncasecmp(p, "LIKE", 4) == 0 && !store_pg_word_char(p[4]) &&
	    (p == start || !store_pg_word_char(p[-1]));
}

int
store_pg_translate(const char *sql, char **out, int *nparams, struct err *err)
{
	/* "?" becomes at most "$999" */
	char *buf = malloc(strlen(sql) * 4 + 1), *o = buf;
	const char *p = sql;
	int max = 0;

	if (buf == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	while (*p != '\0') {
		long n;
		char *e;

		if ((*p == 'L' || *p == 'l') && store_pg_like(sql, p)) {
			o += sprintf(o, "ILIKE");
			p += 4;
			continue;
		}
		if (*p != '?') {
			p = store_pg_skip(p, &o);
			continue;
		}
		p++;
		if (*p >= '0' && *p <= '9') {
			errno = 0;
			n = strtol(p, &e, 10);
			if (errno != 0 || n < 1 || n > STORE_PG_MAXPARAM) {
				free(buf);
				return err_set(err, ERR_FAILED,
				    "prepare: bad parameter ?%.*s",
				    (int)strspn(p, "0123456789"), p);
			}
			p = e;
		} else {
			n = max + 1; /* SQLite: one past the highest so far */
			if (n > STORE_PG_MAXPARAM) {
				free(buf);
				return err_set(err, ERR_FAILED,
				    "prepare: too many parameters");
			}
		}
		if (n > max)
			max = (int)n;
		o += sprintf(o, "$%ld", n);
	}
	*o = '\0';
	*out = buf;
	*nparams = max;
	return 0;
}

/* Runs one utility statement; -1 (pg->last set) when it failed. */
static int
store_pg_quick(struct store_pg *pg, const char *sql)
{
	PGresult *r;
	int ok;

	if (store_pg_settle(pg, NULL) == -1)
		return -1;
	r = pg->pq.PQexec(pg->c, sql);
	ok = pg->pq.PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok)
		store_pg_fail(pg, r);
	pg->pq.PQclear(r);
	return ok ? 0 : -1;
}

/* The parameter whose type PostgreSQL could not infer (SQLSTATE 42P18
 * or 42P08, "could not determine data type of parameter $N"): N, else
 * 0. */
static int
store_pg_untyped(struct store_pg *pg, const PGresult *r)
{
	const char *st = pg->pq.PQresultErrorField(r, PG_DIAG_SQLSTATE);
	const char *m = pg->pq.PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
	const char *d = m != NULL ? strstr(m, "parameter $") : NULL;

	if (st == NULL || d == NULL ||
	    (strcmp(st, "42P18") != 0 && strcmp(st, "42P08") != 0))
		return 0;
	return atoi(d + 11);
}

/* PQprepare on this connection (again after a reconnect). SQLite's
 * parameters have no type: one PostgreSQL cannot infer from where it is
 * used (only in "?1 IS NULL", or not at all) is declared text; one
 * compared with a number there must be written CAST(? AS BIGINT). */
static int
store_pg_server_prepare(struct store_pg_stmt *x)
{
	struct store_pg *pg = STORE_PG(x->base.s);
	Oid *types =
	    calloc(x->nparams > 0 ? (size_t)x->nparams : 1, sizeof *types);
	PGresult *r = NULL;
	int ok = 0, n, txn;

	if (store_pg_settle(pg, NULL) == -1) {
		free(types);
		return -1;
	}
	txn = pg->pq.PQtransactionStatus(pg->c) == PQTRANS_INTRANS;
	if (types == NULL) {
		snprintf(pg->last, sizeof pg->last, "out of memory");
		return -1;
	}
	/* a failed prepare would abort the open transaction */
	if (txn && store_pg_quick(pg, "SAVEPOINT owl_prepare") == -1)
		goto out;
	for (int tries = 0; tries <= x->nparams; tries++) {
		pg->pq.PQclear(r);
		r = pg->pq.PQprepare(pg->c, x->name, x->sql, x->nparams, types);
		ok = pg->pq.PQresultStatus(r) == PGRES_COMMAND_OK;
		n = ok ? 0 : store_pg_untyped(pg, r);
		if (n < 1 || n > x->nparams || types[n - 1] != 0)
			break;
		if (txn)
			store_pg_quick(pg, "ROLLBACK TO SAVEPOINT owl_prepare");
		types[n - 1] = 25; /* TEXTOID */
	}
	if (!ok)
		store_pg_fail(pg, r);
	if (txn)
		store_pg_quick(pg,
		    ok ? "RELEASE SAVEPOINT owl_prepare"
		       : "ROLLBACK TO SAVEPOINT owl_prepare");
out:
	pg->pq.PQclear(r);
	free(types);
	if (ok)
		x->gen = pg->gen;
	return ok ? 0 : -1;
}

struct store_stmt *
store_pg_prepare(struct store *s, const char *sql, struct err *err)
{
	struct store_pg *pg = STORE_PG(s);
	struct store_pg_stmt *x;
	int n;

	if ((x = calloc(1, sizeof *x)) == NULL)
		goto oom;
	x->base.ops = s->ops;
	x->base.s = s;
	if (store_pg_translate(sql, &x->sql, &x->nparams, err) == -1) {
		free(x);
		return NULL;
	}
	n = x->nparams > 0 ? x->nparams : 1;
	if ((x->p = calloc((size_t)n, sizeof *x->p)) == NULL ||
	    (x->vals = calloc((size_t)n, sizeof *x->vals)) == NULL ||
	    (x->lens = calloc((size_t)n, sizeof *x->lens)) == NULL ||
	    (x->fmts = calloc((size_t)n, sizeof *x->fmts)) == NULL)
		goto oom;
	snprintf(x->name, sizeof x->name, "owl_%" PRIu64, ++pg->nstmt);
	if (store_pg_alive(s) == -1 || store_pg_server_prepare(x) == -1) {
		err_set(err, ERR_FAILED, "%s%s",
		    pg->late ? "" : "prepare: ", pg->last);
		store_pg_finalize(&x->base);
		return NULL;
	}
	return &x->base;
oom:
	store_pg_finalize(x != NULL ? &x->base : NULL);
	err_set(err, ERR_FAILED, "out of memory");
	return NULL;
}

static void
store_pg_unbind(struct store_pg_stmt *x)
{
	for (int i = 0; i < x->nparams; i++) {
		free(x->p[i].own);
		memset(&x->p[i], 0, sizeof x->p[i]);
	}
}

void
store_pg_finalize(struct store_stmt *st)
{
	struct store_pg_stmt *x = STORE_PG_ST(st);
	struct store_pg *pg;
	char sql[48];

	if (x == NULL)
		return;
	pg = STORE_PG(x->base.s);
	if (x->res != NULL)
		pg->pq.PQclear(x->res);
	/* a failure sent ahead stays the transaction's: the server aborted
	 * it, its commit rolls back */
	if (!x->base.s->closing)
		store_pg_settle(pg, NULL);
	/* a closing store's connection takes its statements with it */
	if (!x->base.s->closing && x->gen == pg->gen && x->name[0] != '\0' &&
	    pg->pq.PQstatus(pg->c) == CONNECTION_OK &&
	    pg->pq.PQtransactionStatus(pg->c) != PQTRANS_INERROR) {
		snprintf(sql, sizeof sql, "DEALLOCATE %s", x->name);
		pg->pq.PQclear(pg->pq.PQexec(pg->c, sql));
	}
	if (x->p != NULL)
		store_pg_unbind(x);
	free(x->p);
	free(x->vals);
	free(x->lens);
	free(x->fmts);
	free(x->sql);
	free(x);
}

int
store_pg_reset(struct store_stmt *st)
{
	struct store_pg_stmt *x = STORE_PG_ST(st);

	if (x->res != NULL)
		STORE_PG(st->s)->pq.PQclear(x->res);
	x->res = NULL;
	return 0;
}

void
store_pg_clear(struct store_stmt *st)
{
	store_pg_reset(st);
	store_pg_unbind(STORE_PG_ST(st));
}

/* The parameter at 1-based i, emptied; NULL when out of range. */
static struct store_pg_param *
store_pg_param(struct store_stmt *st, int i)
{
	struct store_pg_stmt *x = STORE_PG_ST(st);

	if (i < 1 || i > x->nparams)
		return NULL;
	free(x->p[i - 1].own);
	memset(&x->p[i - 1], 0, sizeof x->p[i - 1]);
	return &x->p[i - 1];
}

int
store_pg_bind_int64(struct store_stmt *st, int i, int64_t v)
{
	struct store_pg_param *p = store_pg_param(st, i);

	if (p == NULL)
		return STORE_PG_RANGE;
	snprintf(p->num, sizeof p->num, "%" PRId64, v);
	p->v = p->num;
	return 0;
}

int
store_pg_bind_int(struct store_stmt *st, int i, int v)
{
	return store_pg_bind_int64(st, i, v);
}

int
store_pg_bind_text(
    struct store_stmt *st, int i, const char *v, int len, int mode)
{
	struct store_pg_param *p = store_pg_param(st, i);

	if (p == NULL)
		return STORE_PG_RANGE;
	if (v == NULL)
		return 0;
	/* text parameters end at their NUL: a length means a copy */
	if (mode == STORE_STATIC && len < 0) {
		p->v = v;
		return 0;
	}
	if (len < 0)
		len = (int)strlen(v);
	if ((p->own = malloc((size_t)len + 1)) == NULL)
		return STORE_NOMEM;
	memcpy(p->own, v, (size_t)len);
	p->own[len] = '\0';
	p->v = p->own;
	return 0;
}

int
store_pg_bind_blob(
    struct store_stmt *st, int i, const void *v, int len, int mode)
{
	struct store_pg_param *p = store_pg_param(st, i);

	if (p == NULL)
		return STORE_PG_RANGE;
	if (mode == STORE_STATIC) {
		p->v = v;
	} else {
		if ((p->own = malloc(len > 0 ? (size_t)len : 1)) == NULL)
			return STORE_NOMEM;
		memcpy(p->own, v, (size_t)len);
		p->v = p->own;
	}
	p->len = len;
	p->binary = 1;
	return 0;
}

int
store_pg_bind_null(struct store_stmt *st, int i)
{
	return store_pg_param(st, i) == NULL ? STORE_PG_RANGE : 0;
}

/* Makes x ready to run on this connection (prepared on it, its
 * parameters in the arrays libpq takes). */
static int
store_pg_ready(struct store_pg_stmt *x)
{
	struct store *s = x->base.s;
	struct store_pg *pg = STORE_PG(s);

	if (store_pg_alive(s) == -1 ||
	    (x->gen != pg->gen && store_pg_server_prepare(x) == -1))
		return -1;
	for (int i = 0; i < x->nparams; i++) {
		x->vals[i] = x->p[i].v;
		x->lens[i] = x->p[i].len;
		x->fmts[i] = x->p[i].binary;
	}
	return 0;
}

/* Runs the statement with its parameters and keeps the whole result:
 * after the writes sent ahead, in the same round trip. */
static int
store_pg_execute(struct store_pg_stmt *x)
{
	struct store *s = x->base.s;
	struct store_pg *pg = STORE_PG(s);
	ExecStatusType rc;
	const char *cmd;

	if (store_pg_ready(x) == -1)
		return STORE_PG_ERROR;
	if (pg->piped == 0) {
		x->res = pg->pq.PQexecPrepared(
		    pg->c, x->name, x->nparams, x->vals, x->lens, x->fmts, 0);
	} else if (pg->pq.PQsendQueryPrepared(pg->c, x->name, x->nparams,
	               x->vals, x->lens, x->fmts, 0) != 1) {
		store_pg_fail(pg, NULL);
		store_pg_settle(pg, NULL);
		return STORE_PG_ERROR;
	} else if (store_pg_settle(pg, &x->res) == -1) {
		return STORE_PG_ERROR;
	}
	store_pg_drain(pg);
	rc = pg->pq.PQresultStatus(x->res);
	if (rc != PGRES_TUPLES_OK && rc != PGRES_COMMAND_OK) {
		store_pg_fail(pg, x->res);
		pg->pq.PQclear(x->res);
		x->res = NULL;
		return STORE_PG_ERROR;
	}
	x->row = -1;
	x->nrows = pg->pq.PQntuples(x->res);
	cmd = pg->pq.PQcmdStatus(x->res);
	if (strncmp(cmd, "INSERT", 6) == 0 || strncmp(cmd, "UPDATE", 6) == 0 ||
	    strncmp(cmd, "DELETE", 6) == 0) {
		pg->changes = atoi(pg->pq.PQcmdTuples(x->res));
		/* an autocommitted write wakes the others itself */
		if (pg->changes > 0 &&
		    pg->pq.PQtransactionStatus(pg->c) == PQTRANS_IDLE)
			store_pg_notify(pg);
	}
	return 0;
}

int
store_pg_step(struct store_stmt *st)
{
	struct store_pg_stmt *x = STORE_PG_ST(st);
	int rc;

	if (x->res == NULL && (rc = store_pg_execute(x)) != 0)
		return rc;
	if (++x->row < x->nrows)
		return STORE_ROW;
	/* the next step runs it again, as SQLite's does after DONE */
	store_pg_reset(st);
	return STORE_DONE;
}

int
store_pg_step_later(struct store_stmt *st, const char *what)
{
	struct store_pg_stmt *x = STORE_PG_ST(st);
	struct store_pg *pg = STORE_PG(st->s);

	/* only inside a healthy transaction: its commit reads the results */
	if (pg->piped == 0 &&
	    pg->pq.PQtransactionStatus(pg->c) != PQTRANS_INTRANS)
		return store_pg_step(st);
	if (store_pg_ready(x) == -1 ||
	    store_pg_pipe_send(pg, x->name, x->nparams, x->vals, x->lens,
	        x->fmts, what, st->s->mark) == -1)
		return STORE_PG_ERROR;
	return STORE_DONE;
}

int
store_pg_failed_mark(struct store *s)
{
	struct store_pg *pg = STORE_PG(s);

	return pg->late ? pg->late_mark : -1;
}

int
store_pg_step_may_fail(struct store_stmt *st)
{
	struct store_pg *pg = STORE_PG(st->s);
	char msg[ERR_MSG_MAX], state[sizeof pg->sqlstate];
	int rc;

	/* a failure sent ahead is the transaction's, not this one's */
	if (store_pg_settle(pg, NULL) == -1)
		return STORE_PG_ERROR;
	if (pg->pq.PQtransactionStatus(pg->c) != PQTRANS_INTRANS)
		return store_pg_step(st);
	if (store_pg_quick(pg, "SAVEPOINT owl_may_fail") == -1)
		return STORE_PG_ERROR;
	/* its rows, if any, are read now: the savepoint ends here */
	while ((rc = store_pg_step(st)) == STORE_ROW)
		;
	if (rc == STORE_DONE)
		return store_pg_quick(pg, "RELEASE SAVEPOINT owl_may_fail") == 0
		    ? STORE_DONE
		    : STORE_PG_ERROR;
	snprintf(msg, sizeof msg, "%s", pg->last);
	snprintf(state, sizeof state, "%s", pg->sqlstate);
	store_pg_quick(pg, "ROLLBACK TO SAVEPOINT owl_may_fail");
	store_pg_quick(pg, "RELEASE SAVEPOINT owl_may_fail");
	snprintf(pg->last, sizeof pg->last, "%s", msg);
	snprintf(pg->sqlstate, sizeof pg->sqlstate, "%s", state);
	return rc;
}

/* The value of column i of the current row, NULL for SQL NULL. */
static const char *
store_pg_value(struct store_stmt *st, int i)
{
	struct store_pg_stmt *x = STORE_PG_ST(st);
	struct store_pg *pg = STORE_PG(st->s);

	if (x->res == NULL || x->row < 0 || x->row >= x->nrows || i < 0 ||
	    i >= pg->pq.PQnfields(x->res) ||
	    pg->pq.PQgetisnull(x->res, x->row, i))
		return NULL;
	return pg->pq.PQgetvalue(x->res, x->row, i);
}

int64_t
store_pg_col_int64(struct store_stmt *st, int i)
{
	const char *v = store_pg_value(st, i);

	if (v == NULL)
		return 0;
	/* a boolean (a comparison, EXISTS) reads as SQLite's 0 or 1 */
	if (v[0] == 't' && v[1] == '\0')
		return 1;
	return strtoll(v, NULL, 10);
}

int
store_pg_col_int(struct store_stmt *st, int i)
{
	return (int)store_pg_col_int64(st, i);
}

const unsigned char *
store_pg_col_text(struct store_stmt *st, int i)
{
	return (const unsigned char *)store_pg_value(st, i);
}

int
store_pg_col_null(struct store_stmt *st, int i)
{
	return store_pg_value(st, i) == NULL;
}

const char *
store_pg_col_name(struct store_stmt *st, int i)
{
	struct store_pg_stmt *x = STORE_PG_ST(st);

	return x->res != NULL ? STORE_PG(st->s)->pq.PQfname(x->res, i) : NULL;
}

int
store_pg_col_count(struct store_stmt *st)
{
	struct store_pg_stmt *x = STORE_PG_ST(st);

	return x->res != NULL ? STORE_PG(st->s)->pq.PQnfields(x->res) : 0;
}
