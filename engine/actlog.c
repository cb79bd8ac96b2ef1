/* actlog.c: appending to and verifying the hash-chained action log
 * (encoding documented in actlog.h). */
#include "actlog.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actor.h"
#include "clock.h"

static const char actlog_genesis[HASH_HEX_LEN] =
    "0000000000000000000000000000000000000000000000000000000000000000";

/* A row's encoding is gathered in one buffer and hashed with one digest
 * update (libcrypto's per-call work was most of the cost of a check
 * when each field was one update); a field past the buffer is hashed
 * on its own, which gives the same digest. */
struct actlog_enc {
	unsigned char b[1024];
	size_t n;
};

/* Hashes what x holds when fewer than `need` bytes are left. */
static void
actlog_room(struct hash_ctx *h, struct actlog_enc *x, size_t need)
{
	if (sizeof x->b - x->n >= need)
		return;
	hash_update(h, x->b, x->n);
	x->n = 0;
}

static void
actlog_len(struct actlog_enc *x, size_t n, int null)
{
	uint32_t v = null ? UINT32_MAX : (uint32_t)n;

	x->b[x->n++] = (unsigned char)(v >> 24);
	x->b[x->n++] = (unsigned char)(v >> 16);
	x->b[x->n++] = (unsigned char)(v >> 8);
	x->b[x->n++] = (unsigned char)v;
}

/* F(v): v in decimal ASCII (as "%" PRId64 writes it), or NULL. */
static void
actlog_enc_int(struct hash_ctx *h, struct actlog_enc *x, int64_t v, int null)
{
	char num[24];
	size_t n = 0;
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

	actlog_room(h, x, 4 + sizeof num);
	if (null) {
		actlog_len(x, 0, 1);
		return;
	}
	do
		num[sizeof num - ++n] = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		num[sizeof num - ++n] = '-';
	actlog_len(x, n, 0);
	memcpy(x->b + x->n, num + sizeof num - n, n);
	x->n += n;
}

/* F(s) when it fits the buffer; else its length, then s on its own. */
static void
actlog_enc_str(struct hash_ctx *h, struct actlog_enc *x, const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0;

	actlog_room(h, x, 4);
	actlog_len(x, n, s == NULL);
	if (n <= sizeof x->b - x->n) {
		memcpy(x->b + x->n, s, n);
		x->n += n;
		return;
	}
	hash_update(h, x->b, x->n);
	hash_update(h, s, n);
	x->n = 0;
}

/* Computes the hex hash of a row with h, a context from hash_begin that
 * is left ready for the next row; -1 when prev_hash is not 64 hex digits. */
static int
actlog_hash(
    struct hash_ctx *h, const struct actlog_entry *e, char out[HASH_HEX_LEN])
{
	static const char tag[] = "owl-actlog-v1";
	struct actlog_enc x;
	unsigned char md[HASH_LEN];

	/* the tag with its NUL, the previous hash raw */
	memcpy(x.b, tag, sizeof tag);
	x.n = sizeof tag;
	if (e->prev_hash == NULL ||
	    hash_unhex(e->prev_hash, x.b + x.n, HASH_LEN) == -1)
		return -1;
	x.n += HASH_LEN;
	actlog_enc_int(h, &x, e->id, 0);
	actlog_enc_int(h, &x, e->at_us, 0);
	actlog_enc_str(h, &x, e->actor);
	actlog_enc_int(h, &x, e->incident, e->incident == 0);
	actlog_enc_int(h, &x, e->run, e->run == 0);
	actlog_enc_str(h, &x, e->kind);
	actlog_enc_str(h, &x, e->detail);
	if (x.n > 0)
		hash_update(h, x.b, x.n);
	hash_next(h, md);
	hash_hex(md, sizeof md, out);
	return 0;
}

static int
actlog_last(
    struct store *s, int64_t *id, char prev[HASH_HEX_LEN], struct err *err)
{
	struct store_stmt *st;
	int rc;

	st = store_stmt(s,
	    "SELECT id, hash FROM actlog WHERE id ="
	    " (SELECT max(id) FROM actlog)",
	    err);
	if (st == NULL)
		return -1;
	rc = store_step(st);
	if (rc == STORE_ROW) {
		const char *h = (const char *)store_col_text(st, 1);
		*id = store_col_int64(st, 0);
		snprintf(prev, HASH_HEX_LEN, "%s", h != NULL ? h : "");
	} else if (rc == STORE_DONE) {
		*id = 0;
		memcpy(prev, actlog_genesis, HASH_HEX_LEN);
	}
	store_reset(st);
	if (rc != STORE_ROW && rc != STORE_DONE)
		return store_sqlerr(s, err, "action log");
	return 0;
}

static void
actlog_bind_id(struct store_stmt *st, int col, int64_t v)
{
	if (v == 0)
		store_bind_null(st, col);
	else
		store_bind_int64(st, col, v);
}

int
actlog_append(
    struct store *s, const struct actlog_new *n, int64_t *id, struct err *err)
{
	return actlog_append_at(s, n, 0, id, err);
}

int
actlog_append_json(struct store *s, const struct actlog_new *e, json_t *detail,
    size_t flags, int64_t *id, struct err *err)
{
	struct actlog_new n = *e;
	char *text;
	int rc;

	text = detail != NULL ? json_dumps(detail, flags) : NULL;
	json_decref(detail);
	if (text == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	n.detail = text;
	rc = actlog_append_at(s, &n, 0, id, err);
	free(text);
	return rc;
}

int
actlog_append_at(struct store *s, const struct actlog_new *n, int64_t at_us,
    int64_t *id, struct err *err)
{
	char actor[ACTOR_MAX], prev[HASH_HEX_LEN], hash[HASH_HEX_LEN];
	struct actlog_entry e;
	struct store_tail *tail;
	struct store_stmt *st;
	int64_t last = 0;
	int rc;

	snprintf(actor, sizeof actor, "%s",
	    n->actor != NULL ? n->actor : store_actor(s));
	if (store_begin(s, err) == -1)
		return -1;
	tail = store_tail(s);
	if (tail->txn != 0 && tail->txn == store_txn_serial(s)) {
		last = tail->id;
		memcpy(prev, tail->hash, HASH_HEX_LEN);
	} else if (actlog_last(s, &last, prev, err) == -1) {
		goto fail;
	}
	e.id = last + 1;
	e.at_us = at_us != 0 ? at_us : clock_now_us();
	e.actor = actor;
	e.incident = n->incident;
	e.run = n->run;
	e.kind = n->kind;
	e.detail = n->detail != NULL ? n->detail : "{}";
	e.prev_hash = prev;
	if (tail->h.md == NULL && hash_begin(&tail->h) == -1) {
		err_set(err, ERR_FAILED, "action log: libcrypto failed");
		goto fail;
	}
	rc = actlog_hash(&tail->h, &e, hash);
	if (rc == -1) {
		err_set(err, ERR_FAILED,
		    "action log: cannot hash entry %" PRId64
		    " (previous hash damaged; run owl audit verify)",
		    e.id);
		goto fail;
	}
	st = store_stmt(s,
	    "INSERT INTO actlog(id, at_us, actor, incident_id,"
	    " run_id, kind, detail, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?)",
	    err);
	if (st == NULL)
		goto fail;
	store_bind_int64(st, 1, e.id);
	store_bind_int64(st, 2, e.at_us);
	store_bind_text(st, 3, e.actor, -1, STORE_STATIC);
	actlog_bind_id(st, 4, e.incident);
	actlog_bind_id(st, 5, e.run);
	store_bind_text(st, 6, e.kind, -1, STORE_STATIC);
	store_bind_text(st, 7, e.detail, -1, STORE_STATIC);
	store_bind_text(st, 8, prev, -1, STORE_STATIC);
	store_bind_text(st, 9, hash, -1, STORE_STATIC);
	/* nothing reads the row back before the commit: sent ahead where
	 * the backend can (store_step_later) */
	if (store_step_later(s, st, "action log: append", err) == -1)
		goto fail;
	if (id != NULL)
		*id = e.id;
	tail->txn = store_txn_serial(s);
	tail->id = e.id;
	memcpy(tail->hash, hash, HASH_HEX_LEN);
	return store_commit(s, err);
fail:
	store_rollback(s);
	return -1;
}

static void
actlog_row(struct store_stmt *st, struct actlog_entry *e)
{
	e->id = store_col_int64(st, 0);
	e->at_us = store_col_int64(st, 1);
	e->actor = (const char *)store_col_text(st, 2);
	e->incident = store_col_int64(st, 3);
	e->run = store_col_int64(st, 4);
	e->kind = (const char *)store_col_text(st, 5);
	e->detail = (const char *)store_col_text(st, 6);
	e->prev_hash = (const char *)store_col_text(st, 7);
	e->hash = (const char *)store_col_text(st, 8);
}

#define ACTLOG_COLS                                                            \
	"id, at_us, actor, incident_id, run_id, kind, detail, "                \
	"prev_hash, hash"

/* One statement per filter shape, each served by its index: by incident
 * (actlog_incident), by run (actlog_run; an incident as well is a filter
 * on the run's few rows), or all (the rowid); the newest `limit` rows,
 * or every row in order with no sort. A catch-all
 * "(?1 = 0 OR incident_id = ?1)" made SQLite scan every row. */
#define ACTLOG_W_ALL "id > ?3"
#define ACTLOG_W_INC "incident_id = ?1 AND id > ?3"
#define ACTLOG_W_RUN "run_id = ?2 AND id > ?3"
#define ACTLOG_W_BOTH "run_id = ?2 AND +incident_id = ?1 AND id > ?3"
#define ACTLOG_EVERY(w)                                                        \
	"SELECT " ACTLOG_COLS " FROM actlog WHERE " w " ORDER BY id"
#define ACTLOG_NEWEST(w)                                                       \
	"SELECT * FROM (SELECT " ACTLOG_COLS " FROM actlog WHERE " w           \
	" ORDER BY id DESC LIMIT ?4) AS newest ORDER BY id"

static const char *const actlog_shapes[] = {
	ACTLOG_EVERY(ACTLOG_W_ALL),
	ACTLOG_EVERY(ACTLOG_W_INC),
	ACTLOG_EVERY(ACTLOG_W_RUN),
	ACTLOG_EVERY(ACTLOG_W_BOTH),
	ACTLOG_NEWEST(ACTLOG_W_ALL),
	ACTLOG_NEWEST(ACTLOG_W_INC),
	ACTLOG_NEWEST(ACTLOG_W_RUN),
	ACTLOG_NEWEST(ACTLOG_W_BOTH),
};

const char *
actlog_each_sql(const struct actlog_filter *f)
{
	return actlog_shapes[(f->incident != 0) + 2 * (f->run != 0) +
	    4 * (f->limit > 0)];
}

int
actlog_each(struct store *s, const struct actlog_filter *f, actlog_fn *fn,
    void *ctx, struct err *err)
{
	struct actlog_entry e;
	struct store_stmt *st;
	int rc;

	if ((st = store_stmt(s, actlog_each_sql(f), err)) == NULL)
		return -1;
	if (f->incident != 0)
		store_bind_int64(st, 1, f->incident);
	if (f->run != 0)
		store_bind_int64(st, 2, f->run);
	store_bind_int64(st, 3, f->after_id);
	if (f->limit > 0)
		store_bind_int64(st, 4, f->limit);
	while ((rc = store_step(st)) == STORE_ROW) {
		actlog_row(st, &e);
		if (fn(&e, ctx) != 0) {
			rc = STORE_DONE;
			break;
		}
	}
	store_reset(st);
	if (rc != STORE_DONE)
		return store_sqlerr(s, err, "action log");
	return 0;
}

/* Checks one row against the one before it; fills c and returns 1 when
 * it is bad. */
static int
actlog_check_row(struct hash_ctx *h, const struct actlog_entry *e,
    int64_t prev_id, const char *prev_hash, struct actlog_check *c)
{
	char want[HASH_HEX_LEN];

	c->bad_id = e->id;
	if (e->id > prev_id + 1) {
		c->bad_id = prev_id + 1;
		snprintf(c->why, sizeof c->why,
		    "missing (the chain jumps from "
		    "entry %" PRId64 " to %" PRId64 ")",
		    prev_id, e->id);
	} else if (e->id <= prev_id)
		snprintf(c->why, sizeof c->why,
		    "out of order after entry %" PRId64, prev_id);
	else if (e->prev_hash == NULL || strcmp(e->prev_hash, prev_hash) != 0)
		snprintf(c->why, sizeof c->why,
		    "its prev_hash does not match "
		    "the hash of entry %" PRId64,
		    prev_id);
	else if (e->hash == NULL || actlog_hash(h, e, want) == -1 ||
	    strcmp(want, e->hash) != 0)
		snprintf(c->why, sizeof c->why,
		    "its content does not match "
		    "its hash (changed after it was written)");
	else {
		c->bad_id = 0;
		return 0;
	}
	return 1;
}

static int
actlog_check_tail(
    struct store *s, int64_t last, struct actlog_check *c, struct err *err)
{
	struct store_stmt *st;
	int64_t seq = 0;
	int rc;

	/* the highest id ever given: AUTOINCREMENT's on SQLite, a row a
	 * trigger keeps on PostgreSQL (schema_pg.c) */
	st = store_stmt2(s,
	    "SELECT seq FROM sqlite_sequence WHERE name = 'actlog'",
	    "SELECT seq FROM actlog_seq WHERE one = 1", err);
	if (st == NULL)
		return -1;
	rc = store_step(st);
	if (rc == STORE_ROW)
		seq = store_col_int64(st, 0);
	store_reset(st);
	if (rc != STORE_ROW && rc != STORE_DONE)
		return store_sqlerr(s, err, "action log");
	if (seq > last) {
		c->bad_id = last + 1;
		snprintf(c->why, sizeof c->why,
		    "entries %" PRId64 " to %" PRId64
		    " were removed from the end",
		    last + 1, seq);
	}
	return 0;
}

/* Remembers the newest intact entry; a failure (a read-only database, a
 * busy writer) only means the next check walks further. */
static void
actlog_checkpoint_save(struct store *s, int64_t id, const char *hash)
{
	struct store_stmt *st;

	st = store_stmt(s,
	    "INSERT INTO actlog_checkpoint(one, entry, hash, at_us)"
	    " VALUES (1, ?, ?, ?) ON CONFLICT(one) DO UPDATE SET"
	    " entry = excluded.entry, hash = excluded.hash,"
	    " at_us = excluded.at_us",
	    NULL);
	if (st == NULL)
		return;
	store_bind_int64(st, 1, id);
	store_bind_text(st, 2, hash, -1, STORE_STATIC);
	store_bind_int64(st, 3, clock_now_us());
	/* inside a transaction (owl migrate verifies on arrival) it goes
	 * on after a failure here */
	(void)store_step_may_fail(s, st, "checkpoint", NULL);
}

/* The checkpoint, when there is one and its entry still has the hash it
 * had when it was checked: *from is then its id and prev its hash. */
static int
actlog_checkpoint_load(
    struct store *s, int64_t *from, char prev[HASH_HEX_LEN], struct err *err)
{
	struct store_stmt *st;
	int rc;

	*from = 0;
	st = store_stmt(s,
	    "SELECT c.entry, c.hash FROM actlog_checkpoint c JOIN actlog a"
	    " ON a.id = c.entry AND a.hash = c.hash",
	    err);
	if (st == NULL)
		return -1;
	rc = store_step(st);
	if (rc == STORE_ROW) {
		*from = store_col_int64(st, 0);
		snprintf(prev, HASH_HEX_LEN, "%s",
		    (const char *)store_col_text(st, 1));
	}
	store_reset(st);
	if (rc != STORE_ROW && rc != STORE_DONE)
		return store_sqlerr(s, err, "action log");
	return 0;
}

/* Walks the chain from entry `from` (0: the start; else prev is its
 * hash), in one read transaction; saves the checkpoint when intact. */
static int
actlog_walk(struct store *s, int64_t from, const char *prev_hash,
    struct actlog_check *c, struct err *err)
{
	static const char sql[] =
	    "SELECT " ACTLOG_COLS " FROM actlog WHERE id > ? ORDER BY id";
	char prev[HASH_HEX_LEN];
	struct actlog_entry e;
	struct hash_ctx h;
	struct store_stmt *st;
	int64_t prev_id = from;
	int rc;

	memset(c, 0, sizeof *c);
	memcpy(prev, prev_hash, sizeof prev);
	c->count = from;
	if (hash_begin(&h) == -1)
		return err_set(err, ERR_FAILED, "action log: libcrypto failed");
	if (store_read_begin(s, err) == -1) {
		hash_done(&h);
		return -1;
	}
	if ((st = store_stmt(s, sql, err)) == NULL)
		goto fail;
	store_bind_int64(st, 1, from);
	while ((rc = store_step(st)) == STORE_ROW) {
		actlog_row(st, &e);
		c->count++;
		if (actlog_check_row(&h, &e, prev_id, prev, c))
			break;
		prev_id = e.id;
		snprintf(prev, sizeof prev, "%s", e.hash);
	}
	store_reset(st);
	if (rc != STORE_ROW && rc != STORE_DONE) {
		store_sqlerr(s, err, "action log");
		goto fail;
	}
	if (c->bad_id == 0 && actlog_check_tail(s, prev_id, c, err) == -1)
		goto fail;
	hash_done(&h);
	memcpy(c->head, prev, sizeof c->head);
	store_read_end(s);
	if (c->bad_id == 0 && prev_id > from)
		actlog_checkpoint_save(s, prev_id, prev);
	return 0;
fail:
	hash_done(&h);
	store_read_end(s);
	return -1;
}

int
actlog_verify(struct store *s, struct actlog_check *c, struct err *err)
{
	return actlog_walk(s, 0, actlog_genesis, c, err);
}

int
actlog_verify_since(struct store *s, struct actlog_check *c, struct err *err)
{
	char prev[HASH_HEX_LEN];
	int64_t from;

	if (actlog_checkpoint_load(s, &from, prev, err) == -1)
		return -1;
	if (from == 0)
		return actlog_verify(s, c, err);
	return actlog_walk(s, from, prev, c, err);
}

int
actlog_entry_ok(struct hash_ctx *h, const struct actlog_entry *e)
{
	char want[HASH_HEX_LEN];

	return e->hash != NULL && actlog_hash(h, e, want) == 0 &&
	    strcmp(want, e->hash) == 0;
}

int
actlog_people(
    struct store *s, size_t max, char ***out, size_t *n, struct err *err)
{
	static const char sql[] =
	    "SELECT who FROM ("
	    " SELECT actor AS who, max(id) AS seen FROM ("
	    "  SELECT id, actor, kind FROM actlog ORDER BY id DESC LIMIT ?1)"
	    "  AS recent WHERE kind IN ('incident.ack', 'incident.note',"
	    "  'incident.assign', 'incident.resolve', 'incident.snooze')"
	    " GROUP BY actor"
	    " UNION ALL"
	    " SELECT assignee, 0 FROM ("
	    "  SELECT assignee FROM incidents WHERE assignee IS NOT NULL"
	    "  AND assignee <> '' ORDER BY updated_at DESC LIMIT 1000)"
	    "  AS assigned) AS people GROUP BY who ORDER BY max(seen) DESC, who LIMIT ?2";
	struct store_stmt *st;
	char **v;
	int rc;

	*out = NULL;
	*n = 0;
	if ((v = calloc(max ? max : 1, sizeof *v)) == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	if ((st = store_stmt(s, sql, err)) == NULL) {
		free(v);
		return -1;
	}
	store_bind_int64(st, 1, ACTLOG_PEOPLE_SCAN);
	store_bind_int64(st, 2, (int64_t)max);
	while ((rc = store_step(st)) == STORE_ROW && *n < max) {
		const char *who = (const char *)store_col_text(st, 0);

		if (who != NULL && (v[*n] = strdup(who)) != NULL)
			(*n)++;
	}
	store_reset(st);
	if (rc != STORE_DONE && rc != STORE_ROW) {
		actlog_people_free(v, *n);
		*n = 0;
		return store_sqlerr(s, err, "action log");
	}
	*out = v;
	return 0;
}

void
actlog_people_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}
