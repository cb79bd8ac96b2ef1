/* incident_ingest.c: alerts in, incidents out (see incident_ingest.h).
 * Each alert is looked up by (source, fingerprint) through the unique
 * index; a re-delivery only bumps count and last_seen, a state change
 * (new, resolved, firing again) is one action-log entry. Incidents
 * touched by the batch are re-aggregated once at the end. */
#include "incident_ingest.h"

#include <stdlib.h>
#include <string.h>

#include "engine/actor.h"
#include "engine/clock.h"
#include "engine/incident_int.h"

struct ingest_touch {
	int64_t id;
	int changed; /* something worth a version bump happened */
};

struct ingest_ctx {
	struct store *s;
	const struct incident_ingest_opts *o;
	struct incident_ingest_result *res;
	char actor[ACTOR_MAX];
	int64_t now;
	struct ingest_touch *touched;
	size_t ntouched, cap;
	const char *cache_group; /* the last group key decided, borrowed */
	int64_t cache_id; /* and its incident */
};

/* What the database knows of an alert: its newest row. */
struct ingest_found {
	int found;
	int64_t alert_id;
	int64_t incident;
	int resolved;
	int64_t starts_at;
	enum incident_state state; /* of its incident */
};

static int
ingest_find(struct ingest_ctx *c, const struct alert *a, struct ingest_found *f,
    struct err *err)
{
	static const char sql[] =
	    "SELECT a.id, a.incident_id, a.resolved,"
	    " a.starts_at, i.state FROM alerts a JOIN incidents i"
	    " ON i.id = a.incident_id WHERE a.source = ? AND a.fingerprint = ?"
	    " ORDER BY a.incident_id DESC LIMIT 1";
	sqlite3_stmt *st;
	int rc;

	memset(f, 0, sizeof *f);
	if ((st = store_stmt(c->s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, a->source, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, a->fingerprint, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		f->found = 1;
		f->alert_id = sqlite3_column_int64(st, 0);
		f->incident = sqlite3_column_int64(st, 1);
		f->resolved = sqlite3_column_int(st, 2);
		f->starts_at = sqlite3_column_int64(st, 3);
		f->state = (enum incident_state)sqlite3_column_int(st, 4);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_sqlerr(c->s, err, "alerts");
	return 0;
}

/* The alert's row in incident `in`, when it has one there besides its
 * newest: an alert that moved to another group (a routing change, or a
 * pull's group) and then fired again while its first group could
 * reopen. f->found is cleared when there is none. */
static int
ingest_find_in(struct ingest_ctx *c, const struct alert *a, int64_t in,
    struct ingest_found *f, struct err *err)
{
	static const char sql[] =
	    "SELECT id, resolved, starts_at FROM alerts"
	    " WHERE source = ? AND fingerprint = ? AND incident_id = ?";
	sqlite3_stmt *st;
	int rc;

	if ((st = store_stmt(c->s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, a->source, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, a->fingerprint, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, in);
	rc = sqlite3_step(st);
	f->found = rc == SQLITE_ROW;
	if (f->found) {
		f->alert_id = sqlite3_column_int64(st, 0);
		f->incident = in;
		f->resolved = sqlite3_column_int(st, 1);
		f->starts_at = sqlite3_column_int64(st, 2);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_sqlerr(c->s, err, "alerts");
	return 0;
}

/* Marks an incident as touched by this batch. Only the last entry is
 * checked (alerts of one group come together); ingest_touch_merge()
 * folds the repeats afterwards. A search of the whole list per alert was
 * quadratic: 75,000 alerts of distinct groups (1 MiB) spent 1.2 s in it. */
static int
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
	c->touched[c->ntouched].id = id;
	c->touched[c->ntouched].changed = changed;
	c->ntouched++;
	return 0;
}

static int
ingest_touch_cmp(const void *a, const void *b)
{
	int64_t x = ((const struct ingest_touch *)a)->id;
	int64_t y = ((const struct ingest_touch *)b)->id;

	return (x > y) - (x < y);
}

/* Sorts the touched incidents by id and keeps one entry for each. */
static void
ingest_touch_merge(struct ingest_ctx *c)
{
	size_t i, n = 0;

	if (c->ntouched < 2)
		return;
	qsort(c->touched, c->ntouched, sizeof *c->touched, ingest_touch_cmp);
	for (i = 1; i < c->ntouched; i++) {
		if (c->touched[i].id == c->touched[n].id)
			c->touched[n].changed |= c->touched[i].changed;
		else
			c->touched[++n] = c->touched[i];
	}
	c->ntouched = n + 1;
}

/* The newest incident of (source, group key): *id 0 when none. */
static int
ingest_group_find(struct ingest_ctx *c, const struct alert *a, int64_t *id,
    int *state, int64_t *resolved_at, struct err *err)
{
	static const char sql[] =
	    "SELECT id, state, resolved_at FROM incidents"
	    " WHERE source = ? AND group_key = ? ORDER BY id DESC LIMIT 1";
	sqlite3_stmt *st;
	int rc;

	*id = 0;
	if ((st = store_stmt(c->s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, a->source, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, a->group_key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		*state = sqlite3_column_int(st, 1);
		*resolved_at = sqlite3_column_int64(st, 2);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_sqlerr(c->s, err, "incidents");
	return 0;
}

static int
ingest_open(
    struct ingest_ctx *c, const struct alert *a, int64_t *id, struct err *err)
{
	static const char sql[] =
	    "INSERT INTO incidents(source, group_key,"
	    " state, severity, title, truncated_alerts, opened_at, updated_at,"
	    " last_alert_at) VALUES (?, ?, 0, ?, ?, ?, ?, ?, ?)";
	const char *title = a->title != NULL ? a->title : a->fingerprint;
	sqlite3_stmt *st;

	if ((st = store_stmt(c->s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, a->source, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, a->group_key, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, (int)a->severity);
	sqlite3_bind_text(st, 4, title, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, c->o->truncated > 0 ? c->o->truncated : 0);
	sqlite3_bind_int64(st, 6, c->now);
	sqlite3_bind_int64(st, 7, c->now);
	sqlite3_bind_int64(st, 8, c->now);
	if (store_step_done(c->s, st, "open incident", err) == -1)
		return -1;
	*id = sqlite3_last_insert_rowid(store_db(c->s));
	c->res->incidents_opened++;
	return incident_log(c->s, *id, c->actor, "incident.open",
	    json_pack("{s:s, s:s, s:s, s:s, s:s}", "source", a->source,
	        "group_key", a->group_key, "title", title, "severity",
	        incident_severity_name(a->severity), "state", "triggered"),
	    err);
}

/* The flap guard: the group fired again soon after resolving. */
static int
ingest_reopen(
    struct ingest_ctx *c, int64_t id, const struct alert *a, struct err *err)
{
	static const char sql[] =
	    "UPDATE incidents SET state = 0,"
	    " resolved_at = NULL, acked_by = NULL, updated_at = ?,"
	    " version = version + 1 WHERE id = ?";
	sqlite3_stmt *st;

	if ((st = store_stmt(c->s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, c->now);
	sqlite3_bind_int64(st, 2, id);
	if (store_step_done(c->s, st, "reopen incident", err) == -1)
		return -1;
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
static int
ingest_group(struct ingest_ctx *c, const struct alert *a, int64_t *target,
    struct err *err)
{
	int64_t id, resolved_at = 0;
	int state = 0;

	if (c->cache_group != NULL &&
	    strcmp(c->cache_group, a->group_key) == 0) {
		*target = c->cache_id;
		return 0;
	}
	if (ingest_group_find(c, a, &id, &state, &resolved_at, err) == -1)
		return -1;
	if (id != 0 && state != INCIDENT_RESOLVED) {
		*target = id;
	} else if (id != 0 && !a->resolved &&
	    c->now - resolved_at <= INCIDENT_FLAP_US) {
		if (ingest_reopen(c, id, a, err) == -1)
			return -1;
		*target = id;
	} else if (ingest_open(c, a, target, err) == -1) {
		return -1;
	}
	c->cache_group = a->group_key;
	c->cache_id = *target;
	return ingest_touch(c, *target, 1, err);
}

/* Adds a new alert's "k=v" text to its incident's, for the TUI's filter,
 * while it fits (ALERT_MATCH_MAX) and is not there already. */
static int
ingest_match_text(struct ingest_ctx *c, const struct alert *a, int64_t incident,
    struct err *err)
{
	static const char sql[] =
	    "UPDATE incidents SET match_text = match_text || ?1 WHERE id = ?2"
	    " AND length(match_text) + length(?1) <= " ALERT_MATCH_MAX_SQL
	    " AND instr(match_text, ?1) = 0";
	sqlite3_stmt *st;

	if (a->match_text == NULL || *a->match_text == '\0')
		return 0;
	if ((st = store_stmt(c->s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, a->match_text, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, incident);
	return store_step_done(c->s, st, "incident text", err);
}

static int
ingest_insert(struct ingest_ctx *c, const struct alert *a, int64_t incident,
    struct err *err)
{
	static const char sql[] =
	    "INSERT INTO alerts(incident_id, source,"
	    " fingerprint, resolved, severity, labels, annotations, starts_at,"
	    " ends_at, generator_url, count, first_seen, last_seen)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)";
	int64_t starts = a->starts_at != 0 ? a->starts_at : c->now;
	int64_t ends = a->ends_at == 0 && a->resolved ? c->now : a->ends_at;
	sqlite3_stmt *st;
	json_t *labels, *ann;

	if ((st = store_stmt(c->s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, incident);
	sqlite3_bind_text(st, 2, a->source, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, a->fingerprint, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, a->resolved);
	sqlite3_bind_int(st, 5, (int)a->severity);
	sqlite3_bind_text(st, 6, a->labels_json, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, a->annotations_json, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, starts);
	sqlite3_bind_int64(st, 9, ends);
	if (a->generator_url != NULL)
		sqlite3_bind_text(st, 10, a->generator_url, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 11, c->now);
	sqlite3_bind_int64(st, 12, c->now);
	if (store_step_done(c->s, st, "store alert", err) == -1 ||
	    ingest_match_text(c, a, incident, err) == -1)
		return -1;
	c->res->new_alerts++;
	labels = json_loads(a->labels_json, 0, NULL);
	ann = json_loads(a->annotations_json, 0, NULL);
	return incident_log(c->s, incident, c->actor, "alert.new",
	    json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o}", "source",
	        a->source, "fingerprint", a->fingerprint, "status",
	        a->resolved ? "resolved" : "firing", "severity",
	        incident_severity_name(a->severity), "labels",
	        labels != NULL ? labels : json_object(), "annotations",
	        ann != NULL ? ann : json_object(), "starts_at",
	        incident_jtime(starts), "ends_at", incident_jtime(ends),
	        "generator_url", incident_jstr(a->generator_url)),
	    err);
}

/* Logs an alert's change between firing and resolved. */
static int
ingest_transition(struct ingest_ctx *c, const struct alert *a, int64_t incident,
    int64_t at, struct err *err)
{
	const char *before = a->resolved ? "firing" : "resolved";
	const char *after = a->resolved ? "resolved" : "firing";

	return incident_log(c->s, incident, c->actor,
	    a->resolved ? "alert.resolve" : "alert.refire",
	    json_pack("{s:s, s:s, s:{s:s}, s:{s:s, s:o}}", "source", a->source,
	        "fingerprint", a->fingerprint, "before", "status", before,
	        "after", "status", after, a->resolved ? "ends_at" : "starts_at",
	        incident_jtime(at)),
	    err);
}

static int
ingest_update(struct ingest_ctx *c, const struct alert *a,
    const struct ingest_found *f, struct err *err)
{
	static const char full[] =
	    "UPDATE alerts SET resolved = ?1,"
	    " severity = ?2, labels = ?3, annotations = ?4, starts_at ="
	    " CASE WHEN ?5 = 0 THEN starts_at ELSE ?5 END, ends_at = ?6,"
	    " generator_url = ?7, count = count + 1, last_seen = ?8"
	    " WHERE id = ?9";
	static const char status_only[] =
	    "UPDATE alerts SET resolved = ?1,"
	    " ends_at = ?6, count = count + 1, last_seen = ?8 WHERE id = ?9";
	int only = c->o->mode == INCIDENT_INGEST_RESOLVE;
	int64_t ends = a->ends_at == 0 && a->resolved ? c->now : a->ends_at;
	sqlite3_stmt *st;

	if ((st = store_stmt(c->s, only ? status_only : full, err)) == NULL)
		return -1;
	sqlite3_bind_int(st, 1, a->resolved);
	sqlite3_bind_int64(st, 6, ends);
	sqlite3_bind_int64(st, 8, c->now);
	sqlite3_bind_int64(st, 9, f->alert_id);
	if (!only) {
		sqlite3_bind_int(st, 2, (int)a->severity);
		sqlite3_bind_text(st, 3, a->labels_json, -1, SQLITE_STATIC);
		sqlite3_bind_text(
		    st, 4, a->annotations_json, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 5, a->starts_at);
		if (a->generator_url != NULL)
			sqlite3_bind_text(
			    st, 7, a->generator_url, -1, SQLITE_STATIC);
	}
	if (store_step_done(c->s, st, "update alert", err) == -1)
		return -1;
	if (f->resolved == a->resolved)
		return ingest_touch(c, f->incident, 0, err);
	if (ingest_touch(c, f->incident, 1, err) == -1)
		return -1;
	return ingest_transition(c, a, f->incident,
	    a->resolved ? ends : (a->starts_at != 0 ? a->starts_at : c->now),
	    err);
}

/* A PagerDuty acknowledge: the open incident of the alert's group. */
static int
ingest_ack(struct ingest_ctx *c, const struct alert *a, struct err *err)
{
	static const char sql[] =
	    "UPDATE incidents SET state = 1,"
	    " acked_by = ?, updated_at = ?, version = version + 1 WHERE id = ?";
	int64_t id, resolved_at;
	sqlite3_stmt *st;
	int state = 0;

	if (ingest_group_find(c, a, &id, &state, &resolved_at, err) == -1)
		return -1;
	if (id == 0 || state == INCIDENT_RESOLVED) {
		c->res->dropped++;
		return 0;
	}
	c->res->incident = id;
	if (state == INCIDENT_ACKNOWLEDGED)
		return 0;
	if ((st = store_stmt(c->s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, c->actor, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, c->now);
	sqlite3_bind_int64(st, 3, id);
	if (store_step_done(c->s, st, "acknowledge incident", err) == -1)
		return -1;
	c->res->incidents_acked++;
	return incident_log(c->s, id, c->actor, "incident.ack",
	    json_pack("{s:{s:s}, s:{s:s, s:s}, s:s}", "before", "state",
	        "triggered", "after", "state", "acknowledged", "acked_by",
	        c->actor, "via", a->source),
	    err);
}

/* Does an alert known in an incident stay with it? Yes while that
 * incident is open, and for re-deliveries of an unchanged alert or of a
 * resolve; a fresh firing goes to its group (flap guard or new). */
static int
ingest_stays(const struct ingest_found *f, const struct alert *a)
{
	if (f->state != INCIDENT_RESOLVED || a->resolved)
		return 1;
	return !f->resolved &&
	    (a->starts_at == 0 || a->starts_at == f->starts_at);
}

static int
ingest_one(struct ingest_ctx *c, const struct alert *a, struct err *err)
{
	struct ingest_found f;
	int64_t target = 0;

	if (c->o->mode == INCIDENT_INGEST_ACK)
		return ingest_ack(c, a, err);
	if (ingest_find(c, a, &f, err) == -1)
		return -1;
	if (c->o->mode == INCIDENT_INGEST_RESOLVE &&
	    (!f.found || f.state == INCIDENT_RESOLVED)) {
		c->res->dropped++;
		return 0;
	}
	c->res->alerts++;
	if (f.found && ingest_stays(&f, a))
		target = f.incident;
	else if (ingest_group(c, a, &target, err) == -1)
		return -1;
	if (f.found && f.incident != target &&
	    ingest_find_in(c, a, target, &f, err) == -1)
		return -1;
	if (f.found && f.incident == target)
		return ingest_update(c, a, &f, err);
	if (ingest_touch(c, target, 1, err) == -1)
		return -1;
	return ingest_insert(c, a, target, err);
}

struct ingest_agg {
	int64_t count, firing;
	int severity;
};

static int
ingest_aggregate(
    struct ingest_ctx *c, int64_t id, struct ingest_agg *g, struct err *err)
{
	static const char sql[] =
	    "SELECT count(*), coalesce(sum(resolved = 0),"
	    " 0), coalesce(max(severity), 0) FROM alerts WHERE incident_id = ?";
	sqlite3_stmt *st;
	int rc;

	if ((st = store_stmt(c->s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		g->count = sqlite3_column_int64(st, 0);
		g->firing = sqlite3_column_int64(st, 1);
		g->severity = sqlite3_column_int(st, 2);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
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

/* Every alert resolved: the incident resolves itself. */
static int
ingest_autoresolve(
    struct ingest_ctx *c, const struct incident *inc, struct err *err)
{
	static const char sql[] =
	    "UPDATE incidents SET state = 2,"
	    " resolved_at = ?, snoozed_until = NULL, updated_at = ?,"
	    " version = version + 1 WHERE id = ?";
	sqlite3_stmt *st;

	if ((st = store_stmt(c->s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, c->now);
	sqlite3_bind_int64(st, 2, c->now);
	sqlite3_bind_int64(st, 3, inc->id);
	if (store_step_done(c->s, st, "resolve incident", err) == -1)
		return -1;
	c->res->incidents_resolved++;
	return incident_log(c->s, inc->id, c->actor, "incident.resolve",
	    json_pack("{s:{s:s}, s:{s:s}, s:b, s:s}", "before", "state",
	        incident_state_name(inc->state), "after", "state", "resolved",
	        "auto", 1, "reason", "all alerts resolved"),
	    err);
}

/* Re-aggregates one touched incident: counts, worst severity, the
 * sender's truncation, last delivery; then the auto-resolve. */
static int
ingest_finish(
    struct ingest_ctx *c, const struct ingest_touch *t, struct err *err)
{
	static const char sql[] =
	    "UPDATE incidents SET alert_count = ?1,"
	    " firing_count = ?2, severity = ?3, truncated_alerts = ?4,"
	    " last_alert_at = ?5, updated_at = CASE WHEN ?6 THEN ?5"
	    " ELSE updated_at END, version = version + ?6,"
	    " sender_url = coalesce(?8, sender_url) WHERE id = ?7";
	struct incident inc;
	struct ingest_agg g = { 0, 0, 0 };
	int64_t trunc;
	sqlite3_stmt *st;
	int changed, rc = -1;

	if (incident_get(c->s, t->id, &inc, err) == -1)
		return -1;
	if (ingest_aggregate(c, t->id, &g, err) == -1)
		goto out;
	trunc = c->o->truncated >= 0 ? c->o->truncated : inc.truncated_alerts;
	changed = t->changed || g.count != inc.alert_count ||
	    g.firing != inc.firing_count || g.severity != (int)inc.severity ||
	    trunc != inc.truncated_alerts;
	if (ingest_log_update(c, &inc, &g, trunc, err) == -1 ||
	    (st = store_stmt(c->s, sql, err)) == NULL)
		goto out;
	sqlite3_bind_int64(st, 1, g.count);
	sqlite3_bind_int64(st, 2, g.firing);
	sqlite3_bind_int(st, 3, g.severity);
	sqlite3_bind_int64(st, 4, trunc);
	sqlite3_bind_int64(st, 5, c->now);
	sqlite3_bind_int(st, 6, changed);
	sqlite3_bind_int64(st, 7, t->id);
	if (c->o->sender_url != NULL)
		sqlite3_bind_text(st, 8, c->o->sender_url, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		rc = store_sqlerr(c->s, err, "update incident");
		goto out;
	}
	rc = 0;
	if (inc.state != INCIDENT_RESOLVED && g.count > 0 && g.firing == 0)
		rc = ingest_autoresolve(c, &inc, err);
out:
	incident_done(&inc);
	return rc;
}

int
incident_ingest(struct store *s, const struct alert *alerts, size_t n,
    const struct incident_ingest_opts *o, struct incident_ingest_result *res,
    struct err *err)
{
	struct ingest_ctx c = { .s = s, .o = o, .res = res };
	size_t i;

	memset(res, 0, sizeof *res);
	if (o->actor != NULL)
		snprintf(c.actor, sizeof c.actor, "%s", o->actor);
	else
		actor_name(c.actor);
	c.now = clock_now_us();
	if (store_begin(s, err) == -1)
		return -1;
	for (i = 0; i < n; i++)
		if (ingest_one(&c, &alerts[i], err) == -1)
			goto fail;
	ingest_touch_merge(&c);
	for (i = 0; i < c.ntouched; i++)
		if (ingest_finish(&c, &c.touched[i], err) == -1)
			goto fail;
	free(c.touched);
	return store_commit(s, err);
fail:
	free(c.touched);
	store_rollback(s);
	return -1;
}
