/* incident_ingest.c: alerts in, incidents out (see incident_ingest.h).
 * Each alert is looked up by (source, fingerprint) through the unique
 * index; an event older than what is stored (by the sender's own times)
 * is logged as alert.stale and changes nothing; a re-delivery only bumps
 * count and last_seen, a state change (new, resolved, firing again) is
 * one action-log entry. Incidents touched by the batch are re-aggregated
 * once at the end. */
#include "incident_ingest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/actor.h"
#include "engine/clock.h"
#include "engine/incident_int.h"
#include "engine/incident_ingest_int.h"

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
	struct store_stmt *st;
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
	if (ingest_defer_settle(c->s, c->o->defer, id, err) == -1 ||
	    (st = store_stmt(c->s, sql, err)) == NULL)
		return -1;
	store_bind_text(st, 1, c->actor, -1, STORE_STATIC);
	store_bind_int64(st, 2, c->now);
	store_bind_int64(st, 3, id);
	if (store_step_done(c->s, st, "acknowledge incident", err) == -1)
		return -1;
	ingest_defer_group_state(c->o->defer, id, INCIDENT_ACKNOWLEDGED, 0);
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
	c.alerts = alerts;
	c.nalerts = n;
	buf_init(&c.detail, 0);
	if (store_begin(s, err) == -1)
		return -1;
	for (i = 0; i < n; i++)
		if (ingest_known(&c, alerts, i, n, err) == -1 ||
		    ingest_one(&c, &alerts[i], err) == -1 ||
		    ingest_known_add(&c, &alerts[i], err) == -1)
			goto fail;
	ingest_touch_merge(&c);
	if (ingest_ahead_finish(&c, err) == -1)
		goto fail;
	for (i = 0; i < c.ntouched; i++)
		if (ingest_finish(&c, &c.touched[i], err) == -1)
			goto fail;
	ingest_touch_free(&c);
	strmap_free(c.known);
	ingest_ahead_free(&c);
	buf_done(&c.detail);
	return store_commit(s, err);
fail:
	ingest_touch_free(&c);
	strmap_free(c.known);
	ingest_ahead_free(&c);
	buf_done(&c.detail);
	store_rollback(s);
	return -1;
}
