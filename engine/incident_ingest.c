/* incident_ingest.c: alerts in, incidents out (see incident_ingest.h).
 * Each alert is looked up by (source, fingerprint) through the unique
 * index; an event older than what is stored (by the sender's own times)
 * is logged as alert.stale and changes nothing; a re-delivery only bumps
 * count and last_seen, a state change (new, resolved, firing again) is
 * one action-log entry. Incidents touched by the batch are re-aggregated
 * once at the end. */
#include "incident_ingest.h"

#include <stdlib.h>
#include <string.h>

#include "engine/actor.h"
#include "engine/change.h"
#include "engine/clock.h"
#include "engine/incident_int.h"

/* An incident the batch touched, and what its alerts did to its
 * aggregates: kept incrementally, so a request costs the same whatever
 * the incident's size. */
struct ingest_touch {
	int64_t id;
	int changed; /* something worth a version bump happened */
	int64_t dcount; /* alerts added */
	int64_t dfiring; /* change in firing alerts */
	int sev; /* the worst severity an alert now has; -1: none */
	int lowered; /* the highest severity an alert left; -1: none */
	int64_t first_start; /* earliest starts_at of its alerts here; 0 */
	int64_t last_end; /* latest ends_at of its alerts resolved here; 0 */
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
	struct incident_times t; /* its status and times */
	int severity;
	int same; /* labels, annotations and the rest as the event says */
	enum incident_state state; /* of its incident */
};

/* Reads the alert columns every lookup selects, from column 0:
 * id, resolved, starts_at, ends_at, times_given, received_starts,
 * received_ends, severity, labels, annotations, generator_url,
 * severity_raw. */
#define INGEST_FOUND_COLS                                                      \
	"a.id, a.resolved, a.starts_at, a.ends_at, a.times_given,"             \
	" a.received_starts, a.received_ends, a.severity, a.labels,"           \
	" a.annotations, a.generator_url, a.severity_raw"
#define INGEST_FOUND_N 12

static int
ingest_text_eq(sqlite3_stmt *st, int col, const char *v)
{
	const char *t = (const char *)sqlite3_column_text(st, col);

	return t == NULL || v == NULL ? t == v : strcmp(t, v) == 0;
}

static void
ingest_found_row(
    sqlite3_stmt *st, const struct alert *a, struct ingest_found *f)
{
	f->found = 1;
	f->alert_id = sqlite3_column_int64(st, 0);
	f->t.resolved = sqlite3_column_int(st, 1);
	f->t.starts = sqlite3_column_int64(st, 2);
	f->t.ends = sqlite3_column_int64(st, 3);
	f->t.given = sqlite3_column_int(st, 4);
	f->t.rx_starts = sqlite3_column_int64(st, 5);
	f->t.rx_ends = sqlite3_column_int64(st, 6);
	f->severity = sqlite3_column_int(st, 7);
	f->same = (a->severity_kept || f->severity == (int)a->severity) &&
	    ingest_text_eq(st, 8, a->labels_json) &&
	    ingest_text_eq(st, 9, a->annotations_json) &&
	    ingest_text_eq(st, 10, a->generator_url) &&
	    ingest_text_eq(st, 11, a->severity_raw);
}

static int
ingest_find(struct ingest_ctx *c, const struct alert *a, struct ingest_found *f,
    struct err *err)
{
	static const char sql[] =
	    "SELECT " INGEST_FOUND_COLS ", a.incident_id, i.state"
	    " FROM alerts a JOIN incidents i"
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
		ingest_found_row(st, a, f);
		f->incident = sqlite3_column_int64(st, INGEST_FOUND_N);
		f->state = (enum incident_state)sqlite3_column_int(
		    st, INGEST_FOUND_N + 1);
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
	    "SELECT " INGEST_FOUND_COLS " FROM alerts a"
	    " WHERE source = ? AND fingerprint = ? AND incident_id = ?";
	sqlite3_stmt *st;
	int rc;

	if ((st = store_stmt(c->s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, a->source, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, a->fingerprint, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, in);
	rc = sqlite3_step(st);
	f->found = 0;
	if (rc == SQLITE_ROW) {
		ingest_found_row(st, a, f);
		f->incident = in;
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
static void
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

static void
ingest_touch_fold(struct ingest_touch *into, const struct ingest_touch *t)
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
}

/* Folds what one alert did into its incident's entry (the last one:
 * ingest_touch has just put it there). */
static void
ingest_delta(
    struct ingest_ctx *c, int64_t dcount, int64_t dfiring, int sev, int lowered)
{
	struct ingest_touch *t = &c->touched[c->ntouched - 1];

	t->dcount += dcount;
	t->dfiring += dfiring;
	t->sev = ingest_max(t->sev, sev);
	t->lowered = ingest_max(t->lowered, lowered);
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
			ingest_touch_fold(&c->touched[n], &c->touched[i]);
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
	    " last_alert_at, group_labels) VALUES (?, ?, 0, ?, ?, ?, ?, ?, ?, ?)";
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
	if (a->group_labels != NULL)
		sqlite3_bind_text(st, 9, a->group_labels, -1, SQLITE_STATIC);
	if (store_step_done(c->s, st, "open incident", err) == -1)
		return -1;
	*id = sqlite3_last_insert_rowid(store_db(c->s));
	c->res->incidents_opened++;
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

/* Logs a new alert. Its labels and annotations go into the detail as
 * the compact JSON text they were stored as, not parsed and dumped
 * again: {"annotations":A,"labels":L, then the other fields}. */
static int
ingest_log_new(struct ingest_ctx *c, const struct alert *a, int64_t incident,
    int64_t starts, int64_t ends, struct err *err)
{
	json_t *rest;
	char *r = NULL, *text = NULL;
	int rc = -1;

	rest = json_pack("{s:s, s:s, s:s, s:s, s:s?, s:o, s:o, s:o}", "source",
	    a->source, "fingerprint", a->fingerprint, "status",
	    a->resolved ? "resolved" : "firing", "severity",
	    incident_severity_name(a->severity), "severity_raw",
	    a->severity_raw, "starts_at", incident_jtime(starts), "ends_at",
	    incident_jtime(ends), "generator_url",
	    incident_jstr(a->generator_url));
	if (rest == NULL ||
	    (r = json_dumps(rest, JSON_COMPACT | JSON_SORT_KEYS)) == NULL ||
	    asprintf(&text, "{\"annotations\":%s,\"labels\":%s,%s",
	        a->annotations_json ? a->annotations_json : "{}",
	        a->labels_json ? a->labels_json : "{}", r + 1) == -1) {
		text = NULL;
		err_set(err, ERR_FAILED, "out of memory");
		goto out;
	}
	rc =
	    incident_log_text(c->s, incident, c->actor, "alert.new", text, err);
out:
	json_decref(rest);
	free(r);
	free(text);
	return rc;
}

static int
ingest_insert(struct ingest_ctx *c, const struct alert *a, int64_t incident,
    struct err *err)
{
	static const char sql[] =
	    "INSERT INTO alerts(incident_id, source,"
	    " fingerprint, resolved, severity, labels, annotations, starts_at,"
	    " ends_at, generator_url, count, first_seen, last_seen,"
	    " times_given, received_starts, received_ends, severity_raw)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?)";
	struct incident_times t;
	sqlite3_stmt *st;

	incident_times_new(a, c->now, &t);
	if ((st = store_stmt(c->s, sql, err)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, incident);
	sqlite3_bind_text(st, 2, a->source, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, a->fingerprint, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, a->resolved);
	sqlite3_bind_int(st, 5, (int)a->severity);
	sqlite3_bind_text(st, 6, a->labels_json, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, a->annotations_json, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, t.starts);
	sqlite3_bind_int64(st, 9, t.ends);
	if (a->generator_url != NULL)
		sqlite3_bind_text(st, 10, a->generator_url, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 11, c->now);
	sqlite3_bind_int64(st, 12, c->now);
	sqlite3_bind_int(st, 13, t.given);
	sqlite3_bind_int64(st, 14, t.rx_starts);
	if (t.rx_ends != 0)
		sqlite3_bind_int64(st, 15, t.rx_ends);
	if (a->severity_raw != NULL)
		sqlite3_bind_text(st, 16, a->severity_raw, -1, SQLITE_STATIC);
	if (store_step_done(c->s, st, "store alert", err) == -1 ||
	    ingest_match_text(c, a, incident, err) == -1)
		return -1;
	c->res->new_alerts++;
	ingest_touch_times(c, t.starts, t.ends);
	return ingest_log_new(c, a, incident, t.starts, t.ends, err);
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
	    " starts_at = ?5, ends_at = ?6, count = count + 1, last_seen = ?8,"
	    " times_given = ?10, received_starts = ?11, received_ends = ?12,"
	    " severity = ?2, labels = ?3, annotations = ?4, generator_url = ?7,"
	    " severity_raw = CASE WHEN ?14 THEN severity_raw ELSE ?13 END"
	    " WHERE id = ?9";
	static const char status_only[] =
	    "UPDATE alerts SET resolved = ?1,"
	    " starts_at = ?5, ends_at = ?6, count = count + 1, last_seen = ?8,"
	    " times_given = ?10, received_starts = ?11, received_ends = ?12"
	    " WHERE id = ?9";
	/* a resolve-only delivery, or one that says what is stored already
	 * (Alertmanager re-sends whole groups): its times and counts only */
	int only = c->o->mode == INCIDENT_INGEST_RESOLVE || f->same, rc = -1;
	int sev = a->severity_kept ? f->severity : (int)a->severity;
	struct incident_merged m = { 0 };
	struct incident_times t;
	sqlite3_stmt *st;

	incident_times_apply(&f->t, a, c->now, &t);
	if (a->merge && !only &&
	    incident_merge(
	        c->s, f->alert_id, f->incident, c->actor, a, &m, err) == -1)
		return -1;
	if ((st = store_stmt(c->s, only ? status_only : full, err)) == NULL)
		goto out;
	sqlite3_bind_int(st, 1, a->resolved);
	sqlite3_bind_int64(st, 5, t.starts);
	sqlite3_bind_int64(st, 6, t.ends);
	sqlite3_bind_int64(st, 8, c->now);
	sqlite3_bind_int64(st, 9, f->alert_id);
	sqlite3_bind_int(st, 10, t.given);
	sqlite3_bind_int64(st, 11, t.rx_starts);
	if (t.rx_ends != 0)
		sqlite3_bind_int64(st, 12, t.rx_ends);
	if (!only) {
		const char *url = a->merge ? m.generator_url : a->generator_url;

		sqlite3_bind_int(st, 2, sev);
		sqlite3_bind_int(st, 14, a->severity_kept);
		sqlite3_bind_text(st, 3, a->merge ? m.labels : a->labels_json,
		    -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4,
		    a->merge ? m.annotations : a->annotations_json, -1,
		    SQLITE_STATIC);
		if (url != NULL)
			sqlite3_bind_text(st, 7, url, -1, SQLITE_STATIC);
		if (a->severity_raw != NULL)
			sqlite3_bind_text(
			    st, 13, a->severity_raw, -1, SQLITE_STATIC);
	}
	if (store_step_done(c->s, st, "update alert", err) == -1 ||
	    ingest_touch(c, f->incident,
	        f->t.resolved != a->resolved || m.changed, err) == -1)
		goto out;
	if (only)
		ingest_delta(c, 0, f->t.resolved - a->resolved, -1, -1);
	else
		ingest_delta(c, 0, f->t.resolved - a->resolved, sev,
		    sev < f->severity ? f->severity : -1);
	ingest_touch_times(c, t.starts, t.ends);
	rc = f->t.resolved == a->resolved
	    ? 0
	    : ingest_transition(
	          c, a, f->incident, a->resolved ? t.ends : t.starts, err);
out:
	incident_merged_done(&m);
	return rc;
}

/* A stale event: one action-log entry with both times, nothing else. */
static int
ingest_stale(struct ingest_ctx *c, const struct alert *a,
    const struct ingest_found *f, const char *why, struct err *err)
{
	c->res->stale++;
	c->res->incident = f->incident;
	return incident_log(c->s, f->incident, c->actor, "alert.stale",
	    json_pack("{s:s, s:s, s:s, s:{s:s, s:o, s:o}, s:{s:s, s:o, s:o}}",
	        "source", a->source, "fingerprint", a->fingerprint, "reason",
	        why, "event", "status", a->resolved ? "resolved" : "firing",
	        "starts_at", incident_jtime(a->starts_at), "ends_at",
	        incident_jtime(a->resolved ? a->ends_at : 0), "stored",
	        "status", f->t.resolved ? "resolved" : "firing", "starts_at",
	        incident_jtime(f->t.starts), "ends_at",
	        incident_jtime(f->t.resolved ? f->t.ends : 0)),
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
	return !f->t.resolved &&
	    (a->starts_at == 0 || a->starts_at == f->t.starts);
}

static int
ingest_one(struct ingest_ctx *c, const struct alert *a, struct err *err)
{
	struct ingest_found f;
	int64_t target = 0;
	const char *why;

	if (c->o->mode == INCIDENT_INGEST_ACK)
		return ingest_ack(c, a, err);
	if (ingest_find(c, a, &f, err) == -1)
		return -1;
	if (c->o->mode == INCIDENT_INGEST_RESOLVE &&
	    (!f.found || f.state == INCIDENT_RESOLVED)) {
		c->res->dropped++;
		return 0;
	}
	if (f.found && (why = incident_stale_why(&f.t, a)) != NULL)
		return ingest_stale(c, a, &f, why, err);
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
	ingest_delta(c, 1, !a->resolved, (int)a->severity, -1);
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
	    json_pack("{s:{s:s}, s:{s:s}, s:b, s:s, s:o, s:o}", "before",
	        "state", incident_state_name(inc->state), "after", "state",
	        "resolved", "auto", 1, "reason", "all alerts resolved",
	        "started_at", incident_jtime(started), "ended_at",
	        incident_jtime(ended)),
	    err);
}

/* Updates one touched incident from its deltas: counts, worst
 * severity, the sender's truncation, last delivery; then the
 * auto-resolve. */
static int
ingest_finish(
    struct ingest_ctx *c, const struct ingest_touch *t, struct err *err)
{
	static const char sql[] =
	    "UPDATE incidents SET alert_count = ?1,"
	    " firing_count = ?2, severity = ?3, truncated_alerts = ?4,"
	    " last_alert_at = ?5, updated_at = CASE WHEN ?6 THEN ?5"
	    " ELSE updated_at END, version = version + ?6,"
	    " sender_url = coalesce(?8, sender_url), started_at = ?9,"
	    " ended_at = ?10 WHERE id = ?7";
	struct incident inc;
	struct ingest_agg g = { 0, 0, 0 };
	int64_t trunc, started, ended;
	sqlite3_stmt *st;
	int changed, rc = -1;

	if (incident_get(c->s, t->id, &inc, err) == -1)
		return -1;
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
	started = inc.started_at;
	if (t->first_start != 0 && (started == 0 || t->first_start < started))
		started = t->first_start;
	ended = t->last_end > inc.ended_at ? t->last_end : inc.ended_at;
	if (started != 0)
		sqlite3_bind_int64(st, 9, started);
	if (ended != 0)
		sqlite3_bind_int64(st, 10, ended);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		rc = store_sqlerr(c->s, err, "update incident");
		goto out;
	}
	rc = 0;
	if (inc.state != INCIDENT_RESOLVED && g.count > 0 && g.firing == 0)
		rc = ingest_autoresolve(c, &inc, started, ended, err);
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
