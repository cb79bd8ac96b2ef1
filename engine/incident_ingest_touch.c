/* incident_ingest_touch.c: the incidents of incident_ingest: choosing an
 * alert's incident by its group (open, reopened by the flap guard, or
 * new), keeping what the batch's alerts did to each one touched, and
 * updating those once at the end (counts, worst severity, truncation,
 * times, auto-resolve). */
#include "incident_ingest_int.h"

#include <stdlib.h>
#include <string.h>

#include "engine/change.h"
#include "engine/incident_int.h"

struct ingest_agg {
	int64_t count, firing;
	int severity;
};

/* Marks an incident as touched by this batch. Only the last entry is
 * checked (alerts of one group come together); ingest_touch_merge()
 * folds the repeats afterwards. A search of the whole list per alert was
 * quadratic: 75,000 alerts of distinct groups (1 MiB) spent 1.2 s in it. */
int
ingest_touch(struct ingest_ctx *c, int64_t id, int changed, struct err *err)
{
	struct ingest_touch *p;

	c->res->incident = id;
	if (c->ntouched > 0 && c->touched[c->ntouched - 1].id == id) {
		c->touched[c->ntouched - 1].changed |= changed;
		return 0;
	}
	if (c->ntouched == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 8;
		if ((p = realloc(c->touched, c->cap * sizeof *p)) == NULL)
			return err_set(err, ERR_FAILED, "out of memory");
		c->touched = p;
	}
	memset(&c->touched[c->ntouched], 0, sizeof *c->touched);
	c->touched[c->ntouched].id = id;
	c->touched[c->ntouched].changed = changed;
	c->touched[c->ntouched].sev = -1;
	c->touched[c->ntouched].lowered = -1;
	c->ntouched++;
	return 0;
}

/* Keeps the alert's times for its incident's (touched last) first
 * start and last end. */
void
ingest_touch_times(struct ingest_ctx *c, int64_t starts, int64_t ends)
{
	struct ingest_touch *t = &c->touched[c->ntouched - 1];

	if (starts != 0 && (t->first_start == 0 || starts < t->first_start))
		t->first_start = starts;
	if (ends > t->last_end)
		t->last_end = ends;
}

static int
ingest_max(int a, int b)
{
	return a > b ? a : b;
}

int
ingest_touch_labels(struct ingest_ctx *c, const char *labels, struct err *err)
{
	struct ingest_touch *t = &c->touched[c->ntouched - 1];

	if ((t->sum == NULL && (t->sum = labelsum_new()) == NULL) ||
	    labelsum_add(t->sum, labels) == -1)
		return err_set(err, ERR_FAILED, "out of memory");
	return 0;
}

void
ingest_touch_free(struct ingest_ctx *c)
{
	for (size_t i = 0; i < c->ntouched; i++)
		labelsum_free(c->touched[i].sum);
	free(c->touched);
	c->touched = NULL;
	c->ntouched = c->cap = 0;
}

/* Folds t into `into`; t's labels summary is then into's (or freed). */
static void
ingest_touch_fold(struct ingest_touch *into, struct ingest_touch *t)
{
	into->changed |= t->changed;
	into->dcount += t->dcount;
	into->dfiring += t->dfiring;
	into->sev = ingest_max(into->sev, t->sev);
	into->lowered = ingest_max(into->lowered, t->lowered);
	if (t->first_start != 0 &&
	    (into->first_start == 0 || t->first_start < into->first_start))
		into->first_start = t->first_start;
	if (t->last_end > into->last_end)
		into->last_end = t->last_end;
	if (into->sum == NULL) {
		into->sum = t->sum;
	} else if (t->sum != NULL) {
		/* out of memory, it says nothing (labelsum_merge) */
		(void)labelsum_merge(into->sum, t->sum);
		labelsum_free(t->sum);
	}
	t->sum = NULL;
}

/* Folds what one alert did into its incident's entry (the last one:
 * ingest_touch has just put it there). */
void
ingest_delta(
    struct ingest_ctx *c, int64_t dcount, int64_t dfiring, int sev, int lowered)
{
	struct ingest_touch *t = &c->touched[c->ntouched - 1];

	t->dcount += dcount;
	t->dfiring += dfiring;
	t->sev = ingest_max(t->sev, sev);
	t->lowered = ingest_max(t->lowered, lowered);
}

int
ingest_touch_cmp(const void *a, const void *b)
{
	int64_t x = ((const struct ingest_touch *)a)->id;
	int64_t y = ((const struct ingest_touch *)b)->id;

	return (x > y) - (x < y);
}

/* Sorts the touched incidents by id and keeps one entry for each. */
void
ingest_touch_merge(struct ingest_ctx *c)
{
	size_t i, n = 0;

	if (c->ntouched < 2)
		return;
	qsort(c->touched, c->ntouched, sizeof *c->touched, ingest_touch_cmp);
	for (i = 1; i < c->ntouched; i++) {
		if (c->touched[i].id == c->touched[n].id)
			ingest_touch_fold(&c->touched[n], &c->touched[i]);
		else
			c->touched[++n] = c->touched[i];
	}
	c->ntouched = n + 1;
}

/* The newest incident of (source, group key): *id 0 when none. */
int
ingest_group_find(struct ingest_ctx *c, const struct alert *a, int64_t *id,
    int *state, int64_t *resolved_at, struct err *err)
{
	static const char sql[] =
	    "SELECT id, state, resolved_at FROM incidents"
	    " WHERE source = ? AND group_key = ? ORDER BY id DESC LIMIT 1";
	/* owl serve's batch on SQLite knows the groups it met (a server's
	 * batch reads them ahead: incident_ingest_ahead.c) */
	struct incident_ingest_defer *d =
	    store_remote(c->s) ? NULL : c->o->defer;
	struct store_stmt *st;
	int rc;

	*id = 0;
	if (ingest_defer_group(
	        d, a->source, a->group_key, id, state, resolved_at))
		return 0;
	if ((st = store_stmt(c->s, sql, err)) == NULL)
		return -1;
	store_bind_text(st, 1, a->source, -1, STORE_STATIC);
	store_bind_text(st, 2, a->group_key, -1, STORE_STATIC);
	rc = store_step(st);
	if (rc == STORE_ROW) {
		*id = store_col_int64(st, 0);
		*state = store_col_int(st, 1);
		*resolved_at = store_col_int64(st, 2);
	}
	store_reset(st);
	if (rc != STORE_ROW && rc != STORE_DONE)
		return store_sqlerr(c->s, err, "incidents");
	ingest_defer_group_set(d, a->source, a->group_key, *id,
	    *id != 0 ? *state : 0, *id != 0 ? *resolved_at : 0);
	return 0;
}

static int
ingest_open(
    struct ingest_ctx *c, const struct alert *a, int64_t *id, struct err *err)
{
	static const char sql[] =
	    "INSERT INTO incidents(source, group_key,"
	    " state, severity, title, truncated_alerts, opened_at, updated_at,"
	    " last_alert_at, group_labels) VALUES (?, ?, 0, ?, ?, ?, ?, ?, ?, ?)"
	    " RETURNING id";
	const char *title = a->title != NULL ? a->title : a->fingerprint;
	struct store_stmt *st;

	if ((st = store_stmt(c->s, sql, err)) == NULL)
		return -1;
	store_bind_text(st, 1, a->source, -1, STORE_STATIC);
	store_bind_text(st, 2, a->group_key, -1, STORE_STATIC);
	store_bind_int(st, 3, (int)a->severity);
	store_bind_text(st, 4, title, -1, STORE_STATIC);
	store_bind_int64(st, 5, c->o->truncated > 0 ? c->o->truncated : 0);
	store_bind_int64(st, 6, c->now);
	store_bind_int64(st, 7, c->now);
	store_bind_int64(st, 8, c->now);
	if (a->group_labels != NULL)
		store_bind_text(st, 9, a->group_labels, -1, STORE_STATIC);
	if (store_step_id(c->s, st, "open incident", id, err) == -1)
		return -1;
	c->res->incidents_opened++;
	/* its filter text is empty (incident_ingest_alert.c); the group's
	 * newest incident */
	ingest_defer_text_note(c->o->defer, *id, 0);
	ingest_defer_group_set(
	    c->o->defer, a->source, a->group_key, *id, INCIDENT_TRIGGERED, 0);
	if (incident_log(c->s, *id, c->actor, "incident.open",
	        json_pack("{s:s, s:s, s:s, s:s, s:s}", "source", a->source,
	            "group_key", a->group_key, "title", title, "severity",
	            incident_severity_name(a->severity), "state", "triggered"),
	        err) == -1)
		return -1;
	/* what changed just before it broke */
	return change_attach_recent(c->s, *id,
	    a->starts_at != 0 ? a->starts_at : c->now, c->actor, err);
}

/* The flap guard: the group fired again soon after resolving. */
static int
ingest_reopen(
    struct ingest_ctx *c, int64_t id, const struct alert *a, struct err *err)
{
	static const char sql[] =
	    "UPDATE incidents SET state = 0,"
	    " resolved_at = NULL, ended_at = NULL, acked_by = NULL,"
	    " updated_at = ?, version = version + 1 WHERE id = ?";
	struct store_stmt *st;

	if (ingest_defer_settle(c->s, c->o->defer, id, err) == -1 ||
	    (st = store_stmt(c->s, sql, err)) == NULL)
		return -1;
	store_bind_int64(st, 1, c->now);
	store_bind_int64(st, 2, id);
	if (store_step_done(c->s, st, "reopen incident", err) == -1)
		return -1;
	ingest_defer_group_state(c->o->defer, id, INCIDENT_TRIGGERED, 0);
	/* the alerts' rows read ahead have its old state */
	c->ahead.stale = 1;
	c->res->incidents_reopened++;
	return incident_log(c->s, id, c->actor, "incident.reopen",
	    json_pack("{s:{s:s}, s:{s:s}, s:s, s:s}", "before", "state",
	        "resolved", "after", "state", "triggered", "reason", "flap",
	        "fingerprint", a->fingerprint),
	    err);
}

/* Chooses the incident of an alert by its group: the open one, the one
 * resolved less than INCIDENT_FLAP_US ago (reopened) when the alert
 * fires, else a new one. */
int
ingest_group(struct ingest_ctx *c, const struct alert *a, int64_t *target,
    struct err *err)
{
	int64_t id, resolved_at = 0;
	int state = 0, rc;

	if (c->cache_group != NULL &&
	    strcmp(c->cache_group, a->group_key) == 0) {
		*target = c->cache_id;
		return 0;
	}
	if ((rc = ingest_ahead_group(c, a, &id, &state, &resolved_at, err)) ==
	        -1 ||
	    (rc == 1 &&
	        ingest_group_find(c, a, &id, &state, &resolved_at, err) == -1))
		return -1;
	if (id != 0 && state != INCIDENT_RESOLVED) {
		*target = id;
	} else if (id != 0 && !a->resolved &&
	    c->now - resolved_at <= INCIDENT_FLAP_US) {
		if (ingest_reopen(c, id, a, err) == -1)
			return -1;
		*target = id;
		state = INCIDENT_TRIGGERED;
	} else if (ingest_open(c, a, target, err) == -1) {
		return -1;
	} else {
		state = INCIDENT_TRIGGERED;
	}
	if (ingest_ahead_group_set(c, a, *target, state, err) == -1)
		return -1;
	c->cache_group = a->group_key;
	c->cache_id = *target;
	return ingest_touch(c, *target, 1, err);
}

static int
ingest_aggregate(
    struct ingest_ctx *c, int64_t id, struct ingest_agg *g, struct err *err)
{
	static const char sql[] =
	    "SELECT count(*), coalesce(sum(CASE WHEN resolved = 0 THEN 1"
	    " ELSE 0 END), 0), coalesce(max(severity), 0) FROM alerts"
	    " WHERE incident_id = ?";
	struct store_stmt *st;
	int rc;

	if ((st = store_stmt(c->s, sql, err)) == NULL)
		return -1;
	store_bind_int64(st, 1, id);
	rc = store_step(st);
	if (rc == STORE_ROW) {
		g->count = store_col_int64(st, 0);
		g->firing = store_col_int64(st, 1);
		g->severity = store_col_int(st, 2);
	}
	store_reset(st);
	if (rc != STORE_ROW)
		return store_sqlerr(c->s, err, "alerts");
	return 0;
}

/* Logs a change of severity or of the sender's truncation count. */
static int
ingest_log_update(struct ingest_ctx *c, const struct incident *inc,
    const struct ingest_agg *g, int64_t truncated, struct err *err)
{
	if ((int)inc->severity == g->severity &&
	    inc->truncated_alerts == truncated)
		return 0;
	return incident_log(c->s, inc->id, c->actor, "incident.update",
	    json_pack("{s:{s:s, s:I}, s:{s:s, s:I}}", "before", "severity",
	        incident_severity_name(inc->severity), "truncated_alerts",
	        (json_int_t)inc->truncated_alerts, "after", "severity",
	        incident_severity_name(g->severity), "truncated_alerts",
	        (json_int_t)truncated),
	    err);
}

/* Every alert resolved: the incident resolves itself. Its times are
 * its alerts' (first start, last end); resolved_at is when owl saw it. */
static int
ingest_autoresolve(struct ingest_ctx *c, const struct incident *inc,
    int64_t started, int64_t ended, struct err *err)
{
	static const char sql[] =
	    "UPDATE incidents SET state = 2,"
	    " resolved_at = ?, snoozed_until = NULL, updated_at = ?,"
	    " version = version + 1 WHERE id = ?";
	struct store_stmt *st;

	if ((st = store_stmt(c->s, sql, err)) == NULL)
		return -1;
	store_bind_int64(st, 1, c->now);
	store_bind_int64(st, 2, c->now);
	store_bind_int64(st, 3, inc->id);
	if (store_step_done(c->s, st, "resolve incident", err) == -1)
		return -1;
	ingest_defer_group_state(
	    c->o->defer, inc->id, INCIDENT_RESOLVED, c->now);
	c->res->incidents_resolved++;
	return incident_log(c->s, inc->id, c->actor, "incident.resolve",
	    json_pack("{s:{s:s}, s:{s:s}, s:b, s:s, s:o, s:o}", "before",
	        "state", incident_state_name(inc->state), "after", "state",
	        "resolved", "auto", 1, "reason", "all alerts resolved",
	        "started_at", incident_jtime(started), "ended_at",
	        incident_jtime(ended)),
	    err);
}

/* An incident's label_keys as its finish knows it. */
struct ingest_lk {
	const char *text; /* as stored now, when known (NULL: SQL NULL) */
	int known;
	char *own; /* what text points to when read or written here */
};

/* Reads an incident's label_keys into lk (when no row read so far had
 * it). */
static int
ingest_labels_read(
    struct ingest_ctx *c, int64_t id, struct ingest_lk *lk, struct err *err)
{
	static const char sql[] =
	    "SELECT label_keys FROM incidents WHERE id = ?";
	struct store_stmt *st;
	const char *v;
	int rc;

	if ((st = store_stmt(c->s, sql, err)) == NULL)
		return -1;
	store_bind_int64(st, 1, id);
	if ((rc = store_step(st)) == STORE_ROW &&
	    (v = (const char *)store_col_text(st, 0)) != NULL &&
	    (lk->own = strdup(v)) == NULL)
		rc = STORE_NOMEM;
	store_reset(st);
	if (rc == STORE_NOMEM)
		return err_set(err, ERR_FAILED, "out of memory");
	if (rc != STORE_ROW)
		return store_sqlerr(c->s, err, "incident");
	lk->text = lk->own;
	lk->known = 1;
	return 0;
}

/* Folds the labels the batch stored (t->sum) into the incident's
 * label_keys (labelsum.h), lk (count: its alerts before the batch).
 * Written only when that changes it: after an incident's first alerts,
 * seldom. */
static int
ingest_labels_finish(struct ingest_ctx *c, const struct ingest_touch *t,
    int64_t count, struct ingest_lk *lk, struct err *err)
{
	static const char put[] =
	    "UPDATE incidents SET label_keys = ? WHERE id = ?";
	struct labelsum s;
	struct store_stmt *st;
	char *text = NULL;
	int rc, oom;

	if (t->sum == NULL)
		return 0;
	if (!lk->known && ingest_labels_read(c, t->id, lk, err) == -1)
		return -1;
	labelsum_init(&s);
	oom = labelsum_load(&s, lk->text, count) == -1;
	rc = 0;
	/* what cannot be told says nothing: unknown, written as such */
	if (oom || labelsum_merge(&s, t->sum) == -1)
		s.changed = 1;
	if (!s.changed)
		goto out;
	if ((text = labelsum_dump(&s)) == NULL) {
		rc = err_set(err, ERR_FAILED, "out of memory");
		goto out;
	}
	if ((st = store_stmt(c->s, put, err)) == NULL) {
		rc = -1;
		goto out;
	}
	store_bind_text(st, 1, text, -1, STORE_TRANSIENT);
	store_bind_int64(st, 2, t->id);
	if ((rc = store_step_later(c->s, st, "incident labels", err)) == 0) {
		free(lk->own);
		lk->text = lk->own = text;
		text = NULL;
	}
out:
	free(text);
	labelsum_done(&s);
	return rc;
}

/* Reads what finishing an incident needs of it (no text but its
 * label_keys, into lk: a touched incident is read once a request, its
 * title is neither needed nor copied); the other members of inc are
 * zero. */
static int
ingest_finish_read(struct ingest_ctx *c, int64_t id, struct incident *inc,
    struct ingest_lk *lk, struct err *err)
{
	static const char sql[] =
	    "SELECT state, severity, alert_count, firing_count,"
	    " truncated_alerts, started_at, ended_at, label_keys"
	    " FROM incidents WHERE id = ?";
	const char *v;
	struct store_stmt *st;
	int rc;

	memset(inc, 0, sizeof *inc);
	if ((st = store_stmt(c->s, sql, err)) == NULL)
		return -1;
	store_bind_int64(st, 1, id);
	rc = store_step(st);
	if (rc == STORE_ROW) {
		inc->id = id;
		inc->state = (enum incident_state)store_col_int(st, 0);
		inc->severity = (enum incident_severity)store_col_int(st, 1);
		inc->alert_count = store_col_int64(st, 2);
		inc->firing_count = store_col_int64(st, 3);
		inc->truncated_alerts = store_col_int64(st, 4);
		inc->started_at = store_col_int64(st, 5);
		inc->ended_at = store_col_int64(st, 6);
		if ((v = (const char *)store_col_text(st, 7)) != NULL &&
		    (lk->own = strdup(v)) == NULL)
			rc = STORE_NOMEM;
		lk->text = lk->own;
		lk->known = 1;
	}
	store_reset(st);
	if (rc == STORE_NOMEM)
		return err_set(err, ERR_FAILED, "out of memory");
	if (rc == STORE_DONE)
		return err_set(
		    err, ERR_FAILED, "no incident INC-%lld", (long long)id);
	if (rc != STORE_ROW)
		return store_sqlerr(c->s, err, "incident");
	return 0;
}

int
ingest_row_write(struct store *s, const struct ingest_row *r, struct err *err)
{
	static const char sql[] =
	    "UPDATE incidents SET alert_count = ?1,"
	    " firing_count = ?2, severity = ?3, truncated_alerts = ?4,"
	    " last_alert_at = ?5, updated_at = coalesce(?6, updated_at),"
	    " version = version + ?11, sender_url = coalesce(?8, sender_url),"
	    " started_at = ?9, ended_at = ?10 WHERE id = ?7";
	struct store_stmt *st;

	if ((st = store_stmt(s, sql, err)) == NULL)
		return -1;
	store_bind_int64(st, 1, r->count);
	store_bind_int64(st, 2, r->firing);
	store_bind_int(st, 3, r->severity);
	store_bind_int64(st, 4, r->truncated);
	store_bind_int64(st, 5, r->last_alert_at);
	if (r->updated_at != 0)
		store_bind_int64(st, 6, r->updated_at);
	store_bind_int64(st, 7, r->id);
	if (r->sender_url != NULL)
		store_bind_text(st, 8, r->sender_url, -1, STORE_STATIC);
	if (r->started_at != 0)
		store_bind_int64(st, 9, r->started_at);
	if (r->ended_at != 0)
		store_bind_int64(st, 10, r->ended_at);
	store_bind_int64(st, 11, r->version_add);
	return store_step_later(s, st, "update incident", err);
}

/* The incident as a kept row says it is (incident_ingest_defer). */
static void
ingest_finish_kept(const struct ingest_row *k, struct incident *inc)
{
	memset(inc, 0, sizeof *inc);
	inc->id = k->id;
	inc->state = (enum incident_state)k->state;
	inc->severity = (enum incident_severity)k->severity;
	inc->alert_count = k->count;
	inc->firing_count = k->firing;
	inc->truncated_alerts = k->truncated;
	inc->started_at = k->started_at;
	inc->ended_at = k->ended_at;
}

/* Updates one touched incident from its deltas: counts, worst
 * severity, the sender's truncation, last delivery; then the
 * auto-resolve. With a defer (owl serve's group commit), a finish that
 * neither logs nor resolves is kept there instead of written. */
int
ingest_finish(
    struct ingest_ctx *c, const struct ingest_touch *t, struct err *err)
{
	struct incident_ingest_defer *d = c->o->defer;
	const struct ingest_row *kept = ingest_defer_find(d, t->id);
	struct ingest_agg g = { 0, 0, 0 };
	struct ingest_lk lk = { NULL, 0, NULL };
	struct ingest_row row;
	struct incident inc;
	int64_t trunc, started, ended;
	int changed, resolves, rc = -1;

	if (kept != NULL) {
		ingest_finish_kept(kept, &inc);
		lk.text = kept->label_keys;
		lk.known = kept->lk_known;
	} else if (ingest_ahead_fin(c, t, &inc, &lk.text)) {
		lk.known = 1;
	} else if (ingest_finish_read(c, t->id, &inc, &lk, err) == -1) {
		free(lk.own);
		return -1;
	}
	if (ingest_labels_finish(c, t, inc.alert_count, &lk, err) == -1)
		goto out;
	g.count = inc.alert_count + t->dcount;
	g.firing = inc.firing_count + t->dfiring;
	g.severity = ingest_max((int)inc.severity, t->sev);
	/* the alert holding the worst severity was lowered: only then are
	 * the incident's alerts read again */
	if (t->lowered >= (int)inc.severity &&
	    ingest_aggregate(c, t->id, &g, err) == -1)
		goto out;
	/* what the sender says it left out; when it says nothing (the
	 * Alertmanager API lists every alert), each alert new to the
	 * incident is one of those: the note goes once all are known */
	trunc = c->o->truncated >= 0 ? c->o->truncated
	    : inc.truncated_alerts > t->dcount
	    ? inc.truncated_alerts - t->dcount
	    : 0;
	changed = t->changed || g.count != inc.alert_count ||
	    g.firing != inc.firing_count || g.severity != (int)inc.severity ||
	    trunc != inc.truncated_alerts;
	started = inc.started_at;
	if (t->first_start != 0 && (started == 0 || t->first_start < started))
		started = t->first_start;
	ended = t->last_end > inc.ended_at ? t->last_end : inc.ended_at;
	row = (struct ingest_row){ .id = t->id,
		.state = (int)inc.state,
		.count = g.count,
		.firing = g.firing,
		.truncated = trunc,
		.severity = g.severity,
		.last_alert_at = c->now,
		.updated_at = changed ? c->now : 0,
		.version_add = changed,
		.sender_url = (char *)c->o->sender_url,
		.started_at = started,
		.ended_at = ended,
		.label_keys = (char *)lk.text,
		.lk_known = lk.known };
	resolves =
	    inc.state != INCIDENT_RESOLVED && g.count > 0 && g.firing == 0;
	if (d != NULL && !resolves && g.severity == (int)inc.severity &&
	    trunc == inc.truncated_alerts) {
		rc = ingest_defer_keep(d, &row, err);
		goto out;
	}
	/* written now: a kept row of it first, so that its version bumps
	 * and times come in order */
	if ((kept != NULL && ingest_defer_settle(c->s, d, t->id, err) == -1) ||
	    ingest_log_update(c, &inc, &g, trunc, err) == -1 ||
	    ingest_row_write(c->s, &row, err) == -1)
		goto out;
	rc = 0;
	if (resolves)
		rc = ingest_autoresolve(c, &inc, started, ended, err);
out:
	free(lk.own);
	incident_done(&inc);
	return rc;
}
