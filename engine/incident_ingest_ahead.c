/* incident_ingest_ahead.c: incident_ingest's reads on a remote store
 * (store_remote: PostgreSQL), a few statements a batch instead of one
 * per alert. On SQLite a lookup costs microseconds; on PostgreSQL each
 * is a round trip to the server, and a 10-alert request was ~20 of
 * them (the alert's row, its group's incident, each incident touched).
 * Read ahead, once a batch (or a chunk of INGEST_AHEAD_CHUNK alerts):
 * - the alerts' newest rows (what ingest_find reads), with their
 *   incident's state;
 * - when an alert needs its group (a new one), the newest incident of
 *   each group of the chunk (what ingest_group_find reads);
 * - before the finish, the rows of the incidents touched (what
 *   ingest_finish reads when no kept row has them).
 * What the batch itself changes is not in them: an alert whose key an
 * earlier alert of the batch stored or updated, and every alert after a
 * reopened incident, are looked up again; a group decided in the batch
 * is kept as decided. So every lookup sees what it saw one at a time. */
#include "incident_ingest_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/buf.h"

#define INGEST_AHEAD_CHUNK 4096

void
ingest_ahead_free(struct ingest_ctx *c)
{
	free(c->ahead.rows);
	strmap_free(c->ahead.groups);
	for (size_t i = 0; c->ahead.fin != NULL && i < c->ntouched; i++)
		free(c->ahead.fin[i].label_keys);
	free(c->ahead.fin);
	memset(&c->ahead, 0, sizeof c->ahead);
}

char *
ingest_keys_json(const struct alert *alerts, size_t i, size_t end, int group)
{
	json_t *arr = json_array(), *pair;
	char *out = NULL;

	if (arr == NULL)
		return NULL;
	for (; i < end; i++) {
		const char *k =
		    group ? alerts[i].group_key : alerts[i].fingerprint;

		if (alerts[i].source == NULL || k == NULL)
			goto out;
		pair = json_pack("[s,s]", alerts[i].source, k);
		if (pair == NULL || json_array_append_new(arr, pair) == -1)
			goto out;
	}
	out = json_dumps(arr, JSON_COMPACT);
out:
	json_decref(arr);
	return out;
}

int
ingest_ahead_alerts(struct ingest_ctx *c, const struct alert *alerts, size_t i,
    size_t n, struct err *err)
{
	/* the newest row of each key, as ingest_find's statement */
	static const char sqlite[] =
	    "SELECT " INGEST_FOUND_COLS ", a.incident_id, i.state, j.key"
	    " FROM json_each(?1) j JOIN alerts a"
	    " ON a.source = json_extract(j.value, '$[0]')"
	    " AND a.fingerprint = json_extract(j.value, '$[1]')"
	    " JOIN incidents i ON i.id = a.incident_id"
	    " ORDER BY j.key, a.incident_id DESC";
	/* LATERAL ... LIMIT 1: one index probe an alert, as ingest_find's
	 * (a join could hash the whole table while it is small, and keep
	 * that plan) */
	static const char pg[] =
	    "SELECT f.*, j.n - 1"
	    " FROM json_array_elements(CAST(?1 AS json)) WITH ORDINALITY"
	    " j(v, n) CROSS JOIN LATERAL (SELECT " INGEST_FOUND_COLS
	    ", a.incident_id, i.state FROM alerts a JOIN incidents i"
	    " ON i.id = a.incident_id WHERE a.source = j.v ->> 0"
	    " AND a.fingerprint = j.v ->> 1"
	    " ORDER BY a.incident_id DESC LIMIT 1) f";
	size_t end = i + INGEST_AHEAD_CHUNK < n ? i + INGEST_AHEAD_CHUNK : n;
	struct ingest_ahead *h = &c->ahead;
	struct store_stmt *st;
	char *json;
	int rc;

	h->start = h->end = 0;
	if ((json = ingest_keys_json(alerts, i, end, 0)) == NULL)
		return 0; /* each looked up from here on */
	free(h->rows);
	if ((h->rows = calloc(end - i, sizeof *h->rows)) == NULL ||
	    (c->known == NULL && (c->known = strmap_new()) == NULL)) {
		free(json);
		return err_set(err, ERR_FAILED, "out of memory");
	}
	if ((st = store_stmt2(c->s, sqlite, pg, err)) == NULL) {
		free(json);
		return -1;
	}
	store_bind_text(st, 1, json, -1, STORE_STATIC);
	while ((rc = store_step(st)) == STORE_ROW) {
		int64_t k = store_col_int64(st, INGEST_FOUND_N + 2);
		struct ingest_found *f;

		if (k < 0 || (size_t)k >= end - i || h->rows[k].found)
			continue; /* not the newest (SQLite's order) */
		f = &h->rows[k];
		ingest_found_read(st, &alerts[i + (size_t)k], f);
		f->incident = store_col_int64(st, INGEST_FOUND_N);
		f->state =
		    (enum incident_state)store_col_int(st, INGEST_FOUND_N + 1);
	}
	store_reset(st);
	free(json);
	if (rc != STORE_DONE)
		return store_sqlerr(c->s, err, "alerts");
	c->alerts = alerts;
	h->start = i;
	h->end = c->known_end = end;
	return 0;
}

/* The key of a in c->known (the keys the batch stored or updated). */
static int
ingest_ahead_done(const struct ingest_ctx *c, const struct alert *a)
{
	char *key;
	int done;

	if (asprintf(&key, "%s\n%s", a->source, a->fingerprint) == -1)
		return 1; /* looked up: the safe answer */
	done = strmap_get(c->known, key) != NULL;
	free(key);
	return done;
}

int
ingest_ahead_find(
    const struct ingest_ctx *c, const struct alert *a, struct ingest_found *f)
{
	const struct ingest_ahead *h = &c->ahead;
	size_t k;

	if (h->rows == NULL || h->stale || c->alerts == NULL ||
	    a < c->alerts + h->start || a >= c->alerts + h->end)
		return 0;
	k = (size_t)(a - c->alerts) - h->start;
	if (ingest_ahead_done(c, a))
		return 0;
	*f = h->rows[k];
	return 1;
}

/* The groups' newest incidents for alerts [i, min(i + CHUNK, n)). */
static int
ingest_ahead_read_groups(struct ingest_ctx *c, size_t i, struct err *err)
{
	static const char sqlite[] =
	    "SELECT i.source, i.group_key, i.id, i.state, i.resolved_at"
	    " FROM json_each(?1) j JOIN incidents i"
	    " ON i.source = json_extract(j.value, '$[0]')"
	    " AND i.group_key = json_extract(j.value, '$[1]')"
	    " ORDER BY i.id";
	static const char pg[] =
	    "SELECT j.v ->> 0, j.v ->> 1, g.id, g.state, g.resolved_at"
	    " FROM json_array_elements(CAST(?1 AS json)) j(v)"
	    " CROSS JOIN LATERAL (SELECT id, state, resolved_at"
	    " FROM incidents WHERE source = j.v ->> 0"
	    " AND group_key = j.v ->> 1 ORDER BY id DESC LIMIT 1) g";
	size_t n = c->nalerts,
	       end = i + INGEST_AHEAD_CHUNK < n ? i + INGEST_AHEAD_CHUNK : n;
	struct store_stmt *st;
	char *json, *key = NULL, val[80];
	int rc = STORE_DONE;

	if ((json = ingest_keys_json(c->alerts, i, end, 1)) == NULL)
		return 1; /* each looked up by itself */
	if (c->ahead.groups == NULL && (c->ahead.groups = strmap_new()) == NULL)
		goto oom;
	/* none until read: a group with no incident yet */
	for (size_t k = i; k < end; k++) {
		if (asprintf(&key, "%s\n%s", c->alerts[k].source,
		        c->alerts[k].group_key) == -1) {
			key = NULL;
			goto oom;
		}
		if (strmap_get(c->ahead.groups, key) == NULL &&
		    strmap_set(c->ahead.groups, key, "0 0 0") == -1)
			goto oom;
		free(key);
		key = NULL;
	}
	if ((st = store_stmt2(c->s, sqlite, pg, err)) == NULL) {
		free(json);
		return -1;
	}
	store_bind_text(st, 1, json, -1, STORE_STATIC);
	/* SQLite's rows come oldest first: the last one set stays */
	while ((rc = store_step(st)) == STORE_ROW) {
		snprintf(val, sizeof val, "%" PRId64 " %d %" PRId64,
		    store_col_int64(st, 2), store_col_int(st, 3),
		    store_col_int64(st, 4));
		if (asprintf(&key, "%s\n%s",
		        (const char *)store_col_text(st, 0),
		        (const char *)store_col_text(st, 1)) == -1) {
			key = NULL;
			rc = STORE_NOMEM;
			break;
		}
		if (strmap_set(c->ahead.groups, key, val) == -1) {
			rc = STORE_NOMEM;
			break;
		}
		free(key);
		key = NULL;
	}
	store_reset(st);
	free(key);
	free(json);
	if (rc == STORE_NOMEM)
		return err_set(err, ERR_FAILED, "out of memory");
	if (rc != STORE_DONE)
		return store_sqlerr(c->s, err, "incidents");
	c->ahead.groups_end = end;
	return 0;
oom:
	free(key);
	free(json);
	return err_set(err, ERR_FAILED, "out of memory");
}

int
ingest_ahead_group(struct ingest_ctx *c, const struct alert *a, int64_t *id,
    int *state, int64_t *resolved_at, struct err *err)
{
	long long gid, at;
	size_t k;
	const char *v;
	char *key;
	int rc;

	if (!store_remote(c->s) || c->alerts == NULL || a < c->alerts ||
	    a >= c->alerts + c->nalerts || a->source == NULL ||
	    a->group_key == NULL)
		return 1;
	k = (size_t)(a - c->alerts);
	if (k >= c->ahead.groups_end &&
	    (rc = ingest_ahead_read_groups(c, k, err)) != 0)
		return rc;
	if (asprintf(&key, "%s\n%s", a->source, a->group_key) == -1)
		return err_set(err, ERR_FAILED, "out of memory");
	v = c->ahead.groups != NULL ? strmap_get(c->ahead.groups, key) : NULL;
	free(key);
	if (v == NULL || sscanf(v, "%lld %d %lld", &gid, state, &at) != 3)
		return 1;
	*id = gid;
	*resolved_at = at;
	return 0;
}

int
ingest_ahead_group_set(struct ingest_ctx *c, const struct alert *a, int64_t id,
    int state, struct err *err)
{
	char *key, val[64];
	int rc;

	if (c->ahead.groups == NULL || a->source == NULL ||
	    a->group_key == NULL)
		return 0;
	if (asprintf(&key, "%s\n%s", a->source, a->group_key) == -1)
		return err_set(err, ERR_FAILED, "out of memory");
	snprintf(val, sizeof val, "%" PRId64 " %d 0", id, state);
	rc = strmap_get(c->ahead.groups, key) == NULL
	    ? 0
	    : strmap_set(c->ahead.groups, key, val);
	free(key);
	return rc == -1 ? err_set(err, ERR_FAILED, "out of memory") : 0;
}

int
ingest_ahead_finish(struct ingest_ctx *c, struct err *err)
{
	static const char sql[] =
	    "SELECT id, state, severity, alert_count, firing_count,"
	    " truncated_alerts, started_at, ended_at, label_keys FROM incidents"
	    " WHERE id IN (SELECT CAST(value AS BIGINT) FROM json_each(?1))";
	/* = ANY (an array): probes of the primary key */
	static const char pg[] =
	    "SELECT id, state, severity, alert_count, firing_count,"
	    " truncated_alerts, started_at, ended_at, label_keys FROM incidents"
	    " WHERE id = ANY (CAST(translate(?1, '[]', '{}') AS BIGINT[]))";
	struct store_stmt *st;
	struct buf ids;
	size_t want = 0;
	int rc = -1, step;

	/* one incident: its own statement costs the same round trip */
	if (!store_remote(c->s) || c->ntouched < 2)
		return 0;
	if ((c->ahead.fin = calloc(c->ntouched, sizeof *c->ahead.fin)) == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	buf_init(&ids, 0);
	if (buf_addc(&ids, '[', err) == -1)
		goto out;
	for (size_t k = 0; k < c->ntouched; k++) {
		if (ingest_defer_find(c->o->defer, c->touched[k].id) != NULL)
			continue;
		if (buf_printf(&ids, err, "%s%" PRId64, want ? "," : "",
		        c->touched[k].id) == -1)
			goto out;
		want++;
	}
	rc = 0;
	if (want < 2)
		goto out;
	if (buf_addc(&ids, ']', err) == -1 ||
	    (st = store_stmt2(c->s, sql, pg, err)) == NULL) {
		rc = -1;
		goto out;
	}
	store_bind_text(st, 1, buf_str(&ids), -1, STORE_STATIC);
	while ((step = store_step(st)) == STORE_ROW) {
		struct ingest_touch key = { .id = store_col_int64(st, 0) };
		struct ingest_touch *t = bsearch(&key, c->touched, c->ntouched,
		    sizeof *c->touched, ingest_touch_cmp);
		struct ingest_fin *f;

		if (t == NULL)
			continue;
		f = &c->ahead.fin[t - c->touched];
		if (store_col_text(st, 8) != NULL && f->label_keys == NULL &&
		    (f->label_keys = strdup(
		         (const char *)store_col_text(st, 8))) == NULL)
			continue; /* out of memory: not read ahead */
		f->ok = 1;
		f->state = store_col_int(st, 1);
		f->severity = store_col_int(st, 2);
		f->count = store_col_int64(st, 3);
		f->firing = store_col_int64(st, 4);
		f->truncated = store_col_int64(st, 5);
		f->started_at = store_col_int64(st, 6);
		f->ended_at = store_col_int64(st, 7);
	}
	store_reset(st);
	if (step != STORE_DONE)
		rc = store_sqlerr(c->s, err, "incidents");
out:
	buf_done(&ids);
	return rc;
}

int
ingest_ahead_fin(const struct ingest_ctx *c, const struct ingest_touch *t,
    struct incident *inc, const char **label_keys)
{
	const struct ingest_fin *f;

	if (c->ahead.fin == NULL || t < c->touched ||
	    t >= c->touched + c->ntouched)
		return 0;
	f = &c->ahead.fin[t - c->touched];
	if (!f->ok)
		return 0;
	memset(inc, 0, sizeof *inc);
	inc->id = t->id;
	inc->state = (enum incident_state)f->state;
	inc->severity = (enum incident_severity)f->severity;
	inc->alert_count = f->count;
	inc->firing_count = f->firing;
	inc->truncated_alerts = f->truncated;
	inc->started_at = f->started_at;
	inc->ended_at = f->ended_at;
	*label_keys = f->label_keys;
	return 1;
}
