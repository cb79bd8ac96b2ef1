/* escalation_tick.c: one step of escalation (see escalation.h): follow
 * the incidents' changes in the action log from the stored cursor, then
 * fire the levels that are due, queueing their pages; one transaction.
 * Table escalations holds one row per incident: its policy, state
 * (active, paused, acked, resolved, exhausted, none), the level and loop
 * that fire next, the start the delays count from (base_us, moved on by
 * a snooze) and when the next level is due. */
#include "escalation.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actlog.h"
#include "clock.h"
#include "incident.h"
#include "pages.h"
#include "sanitize.h"

#define ESC_BATCH 500
#define ESC_ACTOR "owl"

struct esc_row {
	int64_t incident;
	char policy[128];
	char state[16];
	int level, loop;
	int64_t base, next_at, paused_at;
};

struct esc_event {
	int64_t id, at, incident;
	char kind[24];
};

struct esc_ctx {
	struct store *s;
	const struct escalation *e;
	const struct oncall *oc;
	int64_t now;
	struct escalation_stats *st;
};

/* --- the cursor and the rows --- */

static int
esc_cursor(struct store *s, int64_t *cursor, int *have, struct err *err)
{
	static const char sql[] =
	    "SELECT value FROM paging_state WHERE key = 'cursor'";
	struct store_stmt *st;
	int rc;

	if ((st = store_stmt(s, sql, err)) == NULL)
		return -1;
	rc = store_step(st);
	*have = rc == STORE_ROW;
	*cursor = *have ? store_col_int64(st, 0) : 0;
	store_reset(st);
	return rc == STORE_ROW || rc == STORE_DONE
	    ? 0
	    : store_sqlerr(s, err, "read the paging cursor");
}

static int
esc_cursor_set(struct store *s, struct err *err)
{
	static const char sql[] =
	    "INSERT INTO paging_state(key, value)"
	    " SELECT 'cursor', CAST(coalesce(max(id), 0) AS TEXT) FROM actlog"
	    " WHERE 1 = 1" /* SQLite: ON CONFLICT is not a join's ON */
	    " ON CONFLICT(key) DO UPDATE SET value = excluded.value";
	struct store_stmt *st;

	if ((st = store_stmt(s, sql, err)) == NULL)
		return -1;
	return store_step_done(s, st, "move the paging cursor", err);
}

static int
esc_row_get(
    struct store *s, int64_t inc, struct esc_row *r, int *have, struct err *err)
{
	static const char sql[] =
	    "SELECT coalesce(policy, ''), state, level, loop, base_us,"
	    " coalesce(next_at, 0), coalesce(paused_at, 0) FROM escalations"
	    " WHERE incident_id = ?";
	struct store_stmt *st;
	int rc;

	memset(r, 0, sizeof *r);
	r->incident = inc;
	if ((st = store_stmt(s, sql, err)) == NULL)
		return -1;
	store_bind_int64(st, 1, inc);
	if ((rc = store_step(st)) == STORE_ROW) {
		snprintf(r->policy, sizeof r->policy, "%s",
		    (const char *)store_col_text(st, 0));
		snprintf(r->state, sizeof r->state, "%s",
		    (const char *)store_col_text(st, 1));
		r->level = store_col_int(st, 2);
		r->loop = store_col_int(st, 3);
		r->base = store_col_int64(st, 4);
		r->next_at = store_col_int64(st, 5);
		r->paused_at = store_col_int64(st, 6);
	}
	store_reset(st);
	*have = rc == STORE_ROW;
	return rc == STORE_ROW || rc == STORE_DONE
	    ? 0
	    : store_sqlerr(s, err, "read escalation");
}

static int
esc_row_put(
    struct store *s, const struct esc_row *r, int64_t now, struct err *err)
{
	static const char sql[] =
	    "INSERT INTO escalations(incident_id, policy, state,"
	    " level, loop, base_us, next_at, paused_at, updated_at)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
	    " ON CONFLICT(incident_id) DO UPDATE SET policy = excluded.policy,"
	    " state = excluded.state, level = excluded.level,"
	    " loop = excluded.loop, base_us = excluded.base_us,"
	    " next_at = excluded.next_at, paused_at = excluded.paused_at,"
	    " updated_at = excluded.updated_at";
	struct store_stmt *st;

	if ((st = store_stmt(s, sql, err)) == NULL)
		return -1;
	store_bind_int64(st, 1, r->incident);
	if (r->policy[0] != '\0')
		store_bind_text(st, 2, r->policy, -1, STORE_STATIC);
	store_bind_text(st, 3, r->state, -1, STORE_STATIC);
	store_bind_int(st, 4, r->level);
	store_bind_int(st, 5, r->loop);
	store_bind_int64(st, 6, r->base);
	if (strcmp(r->state, "active") == 0 || strcmp(r->state, "paused") == 0)
		store_bind_int64(st, 7, r->next_at);
	if (strcmp(r->state, "paused") == 0)
		store_bind_int64(st, 8, r->paused_at);
	store_bind_int64(st, 9, now);
	return store_step_done(s, st, "write escalation", err);
}

static int
esc_log(struct esc_ctx *c, int64_t inc, const char *kind, json_t *detail,
    struct err *err)
{
	struct actlog_new e = { ESC_ACTOR, inc, 0, kind, NULL };

	/* which of several nodes sharing the database did it */
	if (detail != NULL && c->e->node != NULL)
		json_object_set_new(detail, "node", json_string(c->e->node));
	return actlog_append_json(c->s, &e, detail, JSON_COMPACT, NULL, err);
}

/* --- choosing a policy --- */

static int
esc_labels_match(struct store *s, int64_t inc, const json_t *want)
{
	static const char sql[] =
	    "SELECT labels FROM alerts WHERE incident_id = ? ORDER BY id"
	    " LIMIT 256";
	struct store_stmt *st;
	int found = 0;

	if ((st = store_stmt(s, sql, NULL)) == NULL)
		return 0;
	store_bind_int64(st, 1, inc);
	while (!found && store_step(st) == STORE_ROW) {
		json_t *l =
		    json_loads((const char *)store_col_text(st, 0), 0, NULL);
		const char *k;
		json_t *v;

		found = 1;
		json_object_foreach((json_t *)want, k, v)
		{
			if (!json_equal(json_object_get(l, k), v))
				found = 0;
		}
		json_decref(l);
	}
	store_reset(st);
	return found;
}

static const struct escalation_policy *
esc_match(struct esc_ctx *c, const struct incident *inc)
{
	const char *sev = incident_severity_name(inc->severity);

	for (size_t i = 0; i < c->e->n; i++) {
		const struct escalation_policy *p = &c->e->p[i];
		int ok = p->nseverity == 0;

		for (size_t k = 0; k < p->nseverity; k++)
			if (strcmp(p->severity[k], sev) == 0)
				ok = 1;
		if (ok && p->labels != NULL)
			ok = esc_labels_match(c->s, inc->id, p->labels);
		if (ok)
			return p;
	}
	return NULL;
}

static const struct escalation_policy *
esc_policy(const struct escalation *e, const char *name)
{
	for (size_t i = 0; i < e->n; i++)
		if (strcmp(e->p[i].name, name) == 0)
			return &e->p[i];
	return NULL;
}

/* --- the transitions --- */

static int
esc_start(struct esc_ctx *c, const struct incident *inc, int64_t at,
    const char *why, struct err *err)
{
	const struct escalation_policy *p = esc_match(c, inc);
	struct esc_row r = { .incident = inc->id };

	if (c->e->n == 0)
		return 0; /* no escalation configured: only resolves to send */

	snprintf(r.state, sizeof r.state, "%s", p ? "active" : "none");
	snprintf(r.policy, sizeof r.policy, "%s", p ? p->name : "");
	r.base = at;
	r.next_at = p ? at + p->levels[0].after : 0;
	if (esc_row_put(c->s, &r, c->now, err) == -1)
		return -1;
	if (p == NULL)
		return 0;
	c->st->started++;
	return esc_log(c, inc->id, "escalation.start",
	    json_pack("{s:s, s:s, s:i, s:i}", "policy", p->name, "reason", why,
	        "levels", (int)p->nlevels, "loops", p->loops),
	    err);
}

/* Acknowledged or resolved: the escalation ends, its pending pages
 * are cancelled, and on resolve PagerDuty hears of it. */
static int
esc_stop(struct esc_ctx *c, struct esc_row *r, int have, const char *state,
    const char *why, struct err *err)
{
	int was = have &&
	    (strcmp(r->state, "active") == 0 ||
	        strcmp(r->state, "paused") == 0);
	size_t n = 0;

	if (have) {
		snprintf(r->state, sizeof r->state, "%s", state);
		if (esc_row_put(c->s, r, c->now, err) == -1)
			return -1;
	}
	if (pages_cancel_incident(c->s, r->incident, why, c->now, err) == -1)
		return -1;
	if (strcmp(state, "resolved") == 0) {
		if (pages_queue_resolves(c->s, r->incident, c->now, &n, err) ==
		    -1)
			return -1;
		c->st->resolves += n;
	}
	if (!was)
		return 0;
	c->st->stopped++;
	return esc_log(c, r->incident, "escalation.stop",
	    json_pack("{s:s, s:s, s:i, s:i}", "policy", r->policy, "reason",
	        why, "level", r->level, "loop", r->loop),
	    err);
}

static void
esc_resume(struct esc_row *r, int64_t at)
{
	int64_t d = at > r->paused_at ? at - r->paused_at : 0;

	r->base += d;
	r->next_at += d;
	r->paused_at = 0;
	snprintf(r->state, sizeof r->state, "active");
}

static int
esc_apply(struct esc_ctx *c, const struct esc_event *ev, struct err *err)
{
	struct incident inc = { 0 };
	struct esc_row r;
	int have, rc = 0;

	if (esc_row_get(c->s, ev->incident, &r, &have, err) == -1)
		return -1;
	if (incident_get(c->s, ev->incident, &inc, NULL) == -1)
		return 0; /* gone: nothing to escalate */
	if (strcmp(ev->kind, "incident.ack") == 0)
		rc = esc_stop(c, &r, have, "acked", "acknowledged", err);
	else if (strcmp(ev->kind, "incident.resolve") == 0)
		rc = esc_stop(c, &r, have, "resolved", "resolved", err);
	else if (strcmp(ev->kind, "incident.snooze") == 0) {
		if (have && strcmp(r.state, "active") == 0) {
			snprintf(r.state, sizeof r.state, "paused");
			r.paused_at = ev->at;
			rc = esc_row_put(c->s, &r, c->now, err);
		}
	} else if (strcmp(ev->kind, "incident.unsnooze") == 0) {
		if (have && strcmp(r.state, "paused") == 0) {
			esc_resume(&r, ev->at);
			rc = esc_row_put(c->s, &r, c->now, err);
		}
	} else if (inc.state == INCIDENT_TRIGGERED) {
		/* open, reopen (a flap), unack: a new escalation */
		rc = esc_start(c, &inc, ev->at, ev->kind + 9, err);
	}
	incident_done(&inc);
	return rc;
}

static int
esc_events(struct esc_ctx *c, int64_t *cursor, size_t *n, struct esc_event *ev,
    struct err *err)
{
	static const char sql[] =
	    "SELECT id, at_us, incident_id, kind FROM actlog WHERE id > ?"
	    " AND incident_id IS NOT NULL AND kind IN ('incident.open',"
	    " 'incident.reopen', 'incident.unack', 'incident.ack',"
	    " 'incident.resolve', 'incident.snooze', 'incident.unsnooze')"
	    " ORDER BY id LIMIT 500";
	struct store_stmt *st;
	int rc;

	*n = 0;
	if ((st = store_stmt(c->s, sql, err)) == NULL)
		return -1;
	store_bind_int64(st, 1, *cursor);
	while ((rc = store_step(st)) == STORE_ROW && *n < ESC_BATCH) {
		struct esc_event *e = &ev[(*n)++];

		e->id = store_col_int64(st, 0);
		e->at = store_col_int64(st, 1);
		e->incident = store_col_int64(st, 2);
		snprintf(e->kind, sizeof e->kind, "%s",
		    (const char *)store_col_text(st, 3));
		*cursor = e->id;
	}
	store_reset(st);
	return rc == STORE_ROW || rc == STORE_DONE
	    ? 0
	    : store_sqlerr(c->s, err, "read the action log");
}

/* Follows the log from the cursor in batches. */
static int
esc_follow(struct esc_ctx *c, int64_t cursor, struct err *err)
{
	struct esc_event *ev = calloc(ESC_BATCH, sizeof *ev);
	size_t n;
	int rc = 0;

	if (ev == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	do {
		if ((rc = esc_events(c, &cursor, &n, ev, err)) == -1)
			break;
		for (size_t i = 0; i < n && rc == 0; i++) {
			rc = esc_apply(c, &ev[i], err);
			c->st->events++;
		}
	} while (rc == 0 && n == ESC_BATCH);
	free(ev);
	return rc;
}

/* The first tick on this database: the log so far is history. */
static int
esc_begin_paging(struct esc_ctx *c, struct err *err)
{
	static const char sql[] =
	    "SELECT count(*) FROM incidents WHERE state = 0";
	struct store_stmt *st;
	int64_t open = 0;

	if ((st = store_stmt(c->s, sql, err)) == NULL)
		return -1;
	if (store_step(st) == STORE_ROW)
		open = store_col_int64(st, 0);
	store_reset(st);
	return esc_log(c, 0, "paging.start",
	    json_pack("{s:I, s:s}", "open_not_paged", (json_int_t)open, "why",
	        "incidents open before paging was switched on are not paged"),
	    err);
}

/* --- firing the levels that are due --- */

/* The page's text: "INC-42 [critical] LLM provider down: open 12m, not
 * acknowledged (level 2 of 3)"; the title made one safe line. */
static void
esc_text(const struct incident *inc, const struct escalation_policy *p,
    const struct esc_row *r, int64_t now, char *out, size_t n)
{
	char *title = sanitize_dup(inc->title, 0), age[16], round[32] = "";
	size_t k;

	if (title != NULL && strlen(title) > 200) {
		k = 200;
		while (k > 0 && ((unsigned char)title[k] & 0xC0) == 0x80)
			k--;
		memcpy(title + k, "...", 4);
	}
	clock_format_age(now - inc->opened_at, age, sizeof age);
	if (r->loop > 0)
		snprintf(round, sizeof round, ", round %d", r->loop + 1);
	snprintf(out, n,
	    "INC-%lld [%s] %s: open %s, not acknowledged (level %d of %zu%s)",
	    (long long)inc->id, incident_severity_name(inc->severity),
	    title != NULL ? title : "?", age, r->level + 1, p->nlevels, round);
	free(title);
}

/* Who a level pages: each name resolved at now, each person once. */
static size_t
esc_people(struct esc_ctx *c, const struct escalation_level *l,
    char (*people)[ONCALL_NAME_MAX + 1], const char **via, json_t *nobody)
{
	char who[ONCALL_NAME_MAX + 1];
	size_t n = 0, k;
	int rot;

	for (size_t i = 0; i < l->nnotify && n < 16; i++) {
		if (escalation_person(c->s, c->oc, l->notify[i], c->now, who,
		        &rot, NULL) == -1 ||
		    who[0] == '\0') {
			json_array_append_new(
			    nobody, json_string(l->notify[i]));
			continue;
		}
		for (k = 0; k < n && strcmp(people[k], who) != 0; k++)
			;
		if (k < n)
			continue;
		memcpy(people[n], who, sizeof who);
		via[n++] = rot ? l->notify[i] : NULL;
	}
	return n;
}

static int
esc_fire_level(struct esc_ctx *c, const struct escalation_policy *p,
    const struct esc_row *r, const struct incident *inc, struct err *err)
{
	const struct escalation_level *l = &p->levels[r->level];
	char people[16][ONCALL_NAME_MAX + 1], text[512];
	json_t *nobody = json_array(), *paged = json_array(), *notify;
	const char *via[16];
	size_t n;

	if (nobody == NULL || paged == NULL) {
		json_decref(nobody);
		json_decref(paged);
		return err_set(err, ERR_FAILED, "out of memory");
	}
	n = esc_people(c, l, people, via, nobody);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(paged, json_string(people[i]));
	notify = json_array();
	for (size_t i = 0; i < l->nnotify; i++)
		json_array_append_new(notify, json_string(l->notify[i]));
	if (esc_log(c, inc->id, "escalation.level",
	        json_pack("{s:s, s:i, s:i, s:i, s:o, s:o, s:o}", "policy",
	            p->name, "level", r->level + 1, "of", (int)p->nlevels,
	            "loop", r->loop + 1, "notify", notify, "paged", paged,
	            "nobody", nobody),
	        err) == -1)
		return -1;
	c->st->levels++;
	esc_text(inc, p, r, c->now, text, sizeof text);
	for (size_t i = 0; i < n; i++) {
		struct pages_new pg = { inc->id, PAGES_KIND_PAGE, people[i],
			via[i], r->level, text, "escalation", ESC_ACTOR, NULL };

		if (pages_queue(c->s, &pg, c->now, NULL, err) == -1)
			return -1;
		c->st->pages++;
	}
	return 0;
}

/* Moves to the next level, or the next loop, or ends. */
static void
esc_advance(const struct escalation_policy *p, struct esc_row *r)
{
	if ((size_t)r->level + 1 < p->nlevels) {
		r->level++;
	} else if (r->loop < p->loops) {
		r->loop++;
		r->level = 0;
	} else {
		snprintf(r->state, sizeof r->state, "exhausted");
		return;
	}
	r->next_at =
	    r->base + r->loop * p->loop_every + p->levels[r->level].after;
}

/* After an outage that missed whole rounds, the latest round starts
 * over: each of its levels fires once, not once per round missed. */
static void
esc_catch_up(const struct escalation_policy *p, struct esc_row *r, int64_t now)
{
	int64_t behind;

	if (p->loops == 0 || r->next_at > now)
		return;
	behind = (now - r->base) / p->loop_every;
	if (behind > p->loops)
		behind = p->loops;
	if (behind <= r->loop)
		return;
	r->loop = (int)behind;
	r->level = 0;
	r->next_at = r->base + r->loop * p->loop_every + p->levels[0].after;
}

/* An incident whose state the log has not told us yet keeps its row
 * honest; a snooze pauses it. Returns 1 when it may fire. */
static int
esc_may_fire(struct esc_ctx *c, const struct incident *inc, struct esc_row *r)
{
	if (inc->state == INCIDENT_ACKNOWLEDGED) {
		snprintf(r->state, sizeof r->state, "acked");
		return 0;
	}
	if (inc->state == INCIDENT_RESOLVED) {
		snprintf(r->state, sizeof r->state, "resolved");
		return 0;
	}
	if (incident_is_snoozed(inc, c->now)) {
		snprintf(r->state, sizeof r->state, "paused");
		r->paused_at = c->now;
		return 0;
	}
	return 1;
}

static int
esc_fire(struct esc_ctx *c, int64_t id, struct err *err)
{
	const struct escalation_policy *p;
	struct incident inc = { 0 };
	struct esc_row r;
	int have, rc = 0;

	if (esc_row_get(c->s, id, &r, &have, err) == -1)
		return -1;
	if (!have || incident_get(c->s, id, &inc, NULL) == -1)
		return 0;
	if (!esc_may_fire(c, &inc, &r))
		goto put;
	if ((p = esc_policy(c->e, r.policy)) == NULL &&
	    (p = esc_match(c, &inc)) == NULL) {
		snprintf(r.state, sizeof r.state, "none");
		goto put;
	}
	snprintf(r.policy, sizeof r.policy, "%s", p->name);
	if ((size_t)r.level >= p->nlevels) /* the config lost levels */
		r.level = (int)p->nlevels - 1;
	esc_catch_up(p, &r, c->now);
	for (size_t guard = 0; strcmp(r.state, "active") == 0 &&
	     r.next_at <= c->now && guard <= p->nlevels;
	     guard++) {
		if ((rc = esc_fire_level(c, p, &r, &inc, err)) == -1)
			goto out;
		esc_advance(p, &r);
		esc_catch_up(p, &r, c->now);
	}
put:
	rc = esc_row_put(c->s, &r, c->now, err);
out:
	incident_done(&inc);
	return rc;
}

/* A paused escalation resumes when its snooze has run out: the
 * remaining delays count from the snooze's end. */
static int
esc_check_paused(struct esc_ctx *c, int64_t id, struct err *err)
{
	struct incident inc = { 0 };
	struct esc_row r;
	int have, rc = 0;

	if (esc_row_get(c->s, id, &r, &have, err) == -1)
		return -1;
	if (!have || incident_get(c->s, id, &inc, NULL) == -1)
		return 0;
	if (!incident_is_snoozed(&inc, c->now)) {
		esc_resume(&r,
		    inc.snoozed_until > r.paused_at &&
		            inc.snoozed_until <= c->now
		        ? inc.snoozed_until
		        : c->now);
		rc = esc_row_put(c->s, &r, c->now, err);
	}
	incident_done(&inc);
	return rc;
}

static int
esc_ids(struct store *s, const char *sql, int64_t now, int64_t *ids, size_t max,
    size_t *n, struct err *err)
{
	struct store_stmt *st;
	int rc;

	*n = 0;
	if ((st = store_stmt(s, sql, err)) == NULL)
		return -1;
	store_bind_int64(st, 1, now);
	while (*n < max && (rc = store_step(st)) == STORE_ROW)
		ids[(*n)++] = store_col_int64(st, 0);
	store_reset(st);
	return *n == max || rc == STORE_DONE
	    ? 0
	    : store_sqlerr(s, err, "read escalations");
}

static int
esc_fire_due(struct esc_ctx *c, struct err *err)
{
	static const char due[] =
	    "SELECT incident_id FROM escalations WHERE state = 'active'"
	    " AND next_at <= ? ORDER BY next_at LIMIT 1000";
	static const char paused[] =
	    "SELECT incident_id FROM escalations WHERE state = 'paused'"
	    " AND paused_at <= ? LIMIT 1000";
	int64_t *ids = calloc(1000, sizeof *ids);
	size_t n;
	int rc = -1;

	if (ids == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	if (esc_ids(c->s, paused, c->now, ids, 1000, &n, err) == -1)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (esc_check_paused(c, ids[i], err) == -1)
			goto out;
	if (esc_ids(c->s, due, c->now, ids, 1000, &n, err) == -1)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (esc_fire(c, ids[i], err) == -1)
			goto out;
	rc = 0;
out:
	free(ids);
	return rc;
}

int
escalation_tick(struct store *s, const struct escalation *e,
    const struct oncall *oc, int64_t now, struct escalation_stats *st,
    struct err *err)
{
	struct esc_ctx c = { s, e, oc, now, st };
	int64_t cursor;
	int have;

	memset(st, 0, sizeof *st);
	if (store_begin(s, err) == -1)
		return -1;
	if (esc_cursor(s, &cursor, &have, err) == -1)
		goto fail;
	if (!have ? esc_begin_paging(&c, err) == -1
	          : esc_follow(&c, cursor, err) == -1)
		goto fail;
	if (esc_cursor_set(s, err) == -1 || esc_fire_due(&c, err) == -1)
		goto fail;
	return store_commit(s, err);
fail:
	store_rollback(s);
	return -1;
}
