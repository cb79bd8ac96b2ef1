/* migrate.c: owl's SQLite database copied into PostgreSQL (migrate.h).
 * Table by table, parents before children, each row as it is (ids
 * kept); the SQL of each side is fixed, since the copy always goes from
 * SQLite to PostgreSQL. One transaction on the target, under the
 * writers' lock: a reader sees nothing or everything. */
#define _POSIX_C_SOURCE 200809L
#include "migrate.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actlog.h"
#include "buf.h"

/* One table: its name; the SELECT on SQLite and INSERT on PostgreSQL
 * when the generic "SELECT *" / "INSERT (its columns)" cannot carry a
 * column (a BLOB); whether it has an identity id to move past the rows
 * copied. incident_counts (kept by triggers on incidents), owl_schema
 * and actlog_seq (kept by a trigger on actlog) are the target's own. */
struct migrate_table {
	const char *name;
	const char *sel, *ins;
	int identity;
};

static const struct migrate_table migrate_tables[] = {
	{ "incidents", NULL, NULL, 1 },
	{ "alerts", NULL, NULL, 1 },
	{ "silences", NULL, NULL, 1 },
	{ "pull_seen", NULL, NULL, 0 },
	{ "signatures_seen",
	    "SELECT lower(hex(mac)), until_us FROM"
	    " signatures_seen",
	    "INSERT INTO signatures_seen(mac, until_us) VALUES"
	    " (decode(?, 'hex'), ?)",
	    0 },
	{ "runs", NULL, NULL, 1 },
	{ "run_steps", NULL, NULL, 0 },
	{ "plans", NULL, NULL, 1 },
	{ "plan_approvals", NULL, NULL, 0 },
	{ "leases", NULL, NULL, 0 },
	{ "actlog", NULL, NULL, 1 },
	{ "actlog_checkpoint", NULL, NULL, 0 },
	{ "oncall_overrides", NULL, NULL, 1 },
	{ "escalations", NULL, NULL, 0 },
	{ "pages", NULL, NULL, 1 },
	{ "paging_state", NULL, NULL, 0 },
	{ "changes", NULL, NULL, 1 },
};

#define MIGRATE_NTABLES (sizeof migrate_tables / sizeof migrate_tables[0])

/* The one number sql returns, -1 when it failed (err set). */
static int64_t
migrate_count(struct store *s, const char *sql, struct err *err)
{
	struct store_stmt *st = store_prepare(s, sql, err);
	int64_t n = -1;

	if (st == NULL)
		return -1;
	if (store_step(st) == STORE_ROW)
		n = store_col_int64(st, 0);
	else
		store_sqlerr(s, err, sql);
	store_finalize(st);
	return n;
}

static int64_t
migrate_rows(struct store *s, const char *table, struct err *err)
{
	char sql[96];

	snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
	return migrate_count(s, sql, err);
}

/* "INSERT INTO t(a, b) VALUES (?, ?)" for the columns of sel's rows. */
static char *
migrate_insert_sql(const char *table, struct store_stmt *sel, struct err *err)
{
	int n = store_col_count(sel);
	struct buf b;

	buf_init(&b, 64 * 1024);
	if (buf_printf(&b, err, "INSERT INTO %s(", table) == -1)
		goto fail;
	for (int i = 0; i < n; i++)
		if (buf_printf(&b, err, "%s%s", i ? ", " : "",
		        store_col_name(sel, i)) == -1)
			goto fail;
	if (buf_printf(&b, err, ") VALUES (") == -1)
		goto fail;
	for (int i = 0; i < n; i++)
		if (buf_printf(&b, err, "%s?", i ? ", " : "") == -1)
			goto fail;
	if (buf_printf(&b, err, ")") == -1)
		goto fail;
	return buf_steal(&b);
fail:
	buf_done(&b);
	return NULL;
}

/* Copies one table's rows; *n is how many. */
static int
migrate_table(struct store *from, struct store *to,
    const struct migrate_table *t, int64_t *n, struct err *err)
{
	struct store_stmt *sel, *ins = NULL;
	char sql[96], *text = NULL;
	int rc, ok = -1;

	*n = 0;
	snprintf(sql, sizeof sql, "SELECT * FROM %s", t->name);
	if ((sel = store_prepare(from, t->sel ? t->sel : sql, err)) == NULL)
		return -1;
	while ((rc = store_step(sel)) == STORE_ROW) {
		int cols = store_col_count(sel);

		if (ins == NULL) {
			if (t->ins == NULL &&
			    (text = migrate_insert_sql(t->name, sel, err)) ==
			        NULL)
				goto out;
			ins = store_prepare(to, t->ins ? t->ins : text, err);
			if (ins == NULL)
				goto out;
		}
		for (int i = 0; i < cols; i++) {
			if (store_col_null(sel, i))
				store_bind_null(ins, i + 1);
			else
				store_bind_text(ins, i + 1,
				    (const char *)store_col_text(sel, i), -1,
				    STORE_STATIC);
		}
		if (store_step_done(to, ins, t->name, err) == -1)
			goto out;
		(*n)++;
	}
	if (rc != STORE_DONE) {
		store_sqlerr(from, err, t->name);
		goto out;
	}
	ok = 0;
out:
	store_finalize(ins);
	store_finalize(sel);
	free(text);
	return ok;
}

/* Moves an identity past the ids copied, so that the next row owl adds
 * gets a new one. */
static int
migrate_identity(struct store *to, const char *table, struct err *err)
{
	char sql[200];

	snprintf(sql, sizeof sql,
	    "SELECT setval(pg_get_serial_sequence('%s', 'id'),"
	    " (SELECT coalesce(max(id), 0) + 1 FROM %s), false)",
	    table, table);
	return migrate_count(to, sql, err) == -1 ? -1 : 0;
}

/* Refuses a target with owl data in it: the second run of a copy. */
static int
migrate_empty(struct store *to, struct err *err)
{
	int64_t e = migrate_rows(to, "actlog", err);
	int64_t i = e < 0 ? -1 : migrate_rows(to, "incidents", err);
	int64_t r = i < 0 ? -1 : migrate_rows(to, "runs", err);

	if (r < 0)
		return -1;
	if (e + i + r > 0)
		return err_set(err, ERR_REFUSED,
		    "the target holds owl data already (%" PRId64
		    " action-log entries, %" PRId64 " incidents, %" PRId64
		    " runs): owl migrate copies into an empty database only",
		    e, i, r);
	return 0;
}

/* Each table has as many rows there as here, and the chain verifies. */
static int
migrate_check(struct store *from, struct store *to, struct migrate_result *r,
    struct err *err)
{
	struct actlog_check c;

	for (size_t i = 0; i < MIGRATE_NTABLES; i++) {
		const char *t = migrate_tables[i].name;
		int64_t a = migrate_rows(from, t, err), b;

		if (a < 0 || (b = migrate_rows(to, t, err)) < 0)
			return -1;
		if (a != b)
			return err_set(err, ERR_FAILED,
			    "%s: %" PRId64 " rows copied of %" PRId64, t, b, a);
	}
	if (actlog_verify(to, &c, err) == -1)
		return -1;
	if (c.bad_id != 0)
		return err_set(err, ERR_REFUSED,
		    "the action log does not verify on arrival, entry %" PRId64
		    ": %s (owl audit verify on the source says the same); "
		    "nothing was copied",
		    c.bad_id, c.why);
	snprintf(r->head, sizeof r->head, "%s", c.head);
	return 0;
}

int
migrate_copy(struct store *from, struct store *to, struct migrate_result *r,
    struct err *err)
{
	int64_t n;

	memset(r, 0, sizeof *r);
	if (store_begin(to, err) == -1)
		return -1;
	if (store_read_begin(from, err) == -1)
		goto fail;
	if (migrate_empty(to, err) == -1)
		goto fail;
	for (size_t i = 0; i < MIGRATE_NTABLES; i++) {
		const struct migrate_table *t = &migrate_tables[i];

		if (migrate_table(from, to, t, &n, err) == -1) {
			err_prefix(err, "copy %s: ", t->name);
			goto fail;
		}
		if (t->identity && migrate_identity(to, t->name, err) == -1)
			goto fail;
		r->rows += n;
		if (strcmp(t->name, "incidents") == 0)
			r->incidents = n;
		else if (strcmp(t->name, "alerts") == 0)
			r->alerts = n;
		else if (strcmp(t->name, "runs") == 0)
			r->runs = n;
		else if (strcmp(t->name, "plans") == 0)
			r->plans = n;
		else if (strcmp(t->name, "pages") == 0)
			r->pages = n;
		else if (strcmp(t->name, "actlog") == 0)
			r->entries = n;
	}
	if (migrate_check(from, to, r, err) == -1)
		goto fail;
	store_read_end(from);
	return store_commit(to, err);
fail:
	store_read_end(from);
	store_rollback(to);
	return -1;
}
