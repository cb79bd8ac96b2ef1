/* incident_act.c: what people do to incidents: ack, resolve, note,
 * snooze, assign and their undos. Each action is one transaction that
 * re-reads the incident, checks it (state, version), updates it and
 * appends one action-log entry with a before/after detail. */
#include "incident.h"

#include <stdlib.h>
#include <string.h>

#include "engine/actlog.h"
#include "engine/actor.h"
#include "engine/clock.h"
#include "engine/incident_int.h"
#include "engine/sanitize.h"

#define INCIDENT_TEXT_MAX (64 * 1024) /* a note, an assignee */

/* The words "changed since you looked" uses for the newest log entry. */
static const char *
incident_verb(const char *kind)
{
	static const char *const map[][2] = {
		{ "incident.open", "opened" },
		{ "incident.ack", "acknowledged" },
		{ "incident.unack", "unacknowledged" },
		{ "incident.resolve", "resolved" },
		{ "incident.reopen", "reopened" },
		{ "incident.note", "noted" },
		{ "incident.snooze", "snoozed" },
		{ "incident.unsnooze", "unsnoozed" },
		{ "incident.assign", "assigned" },
		{ "incident.update", "updated" },
		{ "alert.new", "new alert" },
		{ "alert.resolve", "alert resolved" },
		{ "alert.refire", "alert fired again" },
	};

	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcmp(kind, map[i][0]) == 0)
			return map[i][1];
	return "changed";
}

struct incident_last {
	char what[160];
};

static int
incident_last_entry(const struct actlog_entry *e, void *ctx)
{
	struct incident_last *l = ctx;
	char age[32], *actor;

	/* notes do not change the version: name the change that did */
	if (e->kind != NULL && strcmp(e->kind, "incident.note") == 0)
		return 0;
	clock_format_age(clock_now_us() - e->at_us, age, sizeof age);
	actor = sanitize_dup(e->actor, 0);
	snprintf(l->what, sizeof l->what, "%s by %s %s ago",
	    incident_verb(e->kind != NULL ? e->kind : ""),
	    actor != NULL ? actor : "?", age);
	free(actor);
	return 0; /* oldest first: the last one seen is the newest */
}

/* Refuses when the incident changed since the actor's version, saying
 * who did what last. */
static int
incident_check_version(struct store *s, const struct incident *inc,
    const struct incident_act *a, struct err *err)
{
	struct actlog_filter f = { .incident = inc->id, .limit = 50 };
	struct incident_last l = { "changed" };

	if (a == NULL || a->expect_version == 0 ||
	    a->expect_version == inc->version)
		return 0;
	(void)actlog_each(s, &f, incident_last_entry, &l, NULL);
	return err_set(err, ERR_REFUSED,
	    "INC-%lld changed since you looked: "
	    "%s",
	    (long long)inc->id, l.what);
}

/* Starts an action: opens the transaction, reads the incident into inc
 * and checks its version and, unless allow_resolved, that it is open.
 * On failure nothing is left open. */
static int
incident_act_begin(struct store *s, int64_t id, const struct incident_act *a,
    int allow_resolved, struct incident *inc, struct err *err)
{
	if (store_begin(s, err) == -1)
		return -1;
	if (incident_get(s, id, inc, err) == -1 ||
	    incident_check_version(s, inc, a, err) == -1)
		goto fail;
	if (!allow_resolved && inc->state == INCIDENT_RESOLVED) {
		err_set(err, ERR_FAILED, "INC-%lld is already resolved",
		    (long long)id);
		goto fail;
	}
	return 0;
fail:
	store_rollback(s);
	incident_done(inc);
	return -1;
}

static int
incident_bind_text(struct store_stmt *st, int col, const char *v)
{
	if (v == NULL)
		return store_bind_null(st, col);
	return store_bind_text(st, col, v, -1, STORE_TRANSIENT);
}

static int
incident_bind_time(struct store_stmt *st, int col, int64_t v)
{
	if (v == 0)
		return store_bind_null(st, col);
	return store_bind_int64(st, col, v);
}

/* Writes the changed incident, logs kind with detail (taken) and
 * commits; rolls back on failure. Frees inc either way. A note bumps
 * updated_at but not the version: it changes nothing another engineer's
 * ack or resolve was decided on, so it must not make theirs refused. */
static int
incident_act_end(struct store *s, struct incident *inc, const char *actor,
    const char *kind, json_t *detail, struct err *err)
{
	static const char sql[] =
	    "UPDATE incidents SET state = ?,"
	    " acked_by = ?, assignee = ?, snoozed_until = ?, resolved_at = ?,"
	    " updated_at = ?, version = version + ? WHERE id = ?";
	struct store_stmt *st;
	int rc;

	if (detail == NULL) {
		err_set(err, ERR_FAILED, "out of memory");
		goto fail;
	}
	if ((st = store_stmt(s, sql, err)) == NULL)
		goto fail;
	store_bind_int(st, 1, (int)inc->state);
	incident_bind_text(st, 2, inc->acked_by);
	incident_bind_text(st, 3, inc->assignee);
	incident_bind_time(st, 4, inc->snoozed_until);
	incident_bind_time(st, 5, inc->resolved_at);
	store_bind_int64(st, 6, clock_now_us());
	store_bind_int(st, 7, strcmp(kind, "incident.note") != 0);
	store_bind_int64(st, 8, inc->id);
	rc = store_step(st);
	store_reset(st);
	if (rc != STORE_DONE) {
		store_sqlerr(s, err, "update incident");
		goto fail;
	}
	rc = incident_log(s, inc->id, actor, kind, detail, err);
	detail = NULL;
	if (rc == -1)
		goto fail;
	incident_done(inc);
	return store_commit(s, err);
fail:
	json_decref(detail);
	store_rollback(s);
	incident_done(inc);
	return -1;
}

/* Replaces *field with a copy of v (NULL clears); -1 when out of memory. */
static int
incident_set_str(char **field, const char *v)
{
	char *d = NULL;

	if (v != NULL && (d = strdup(v)) == NULL)
		return -1;
	free(*field);
	*field = d;
	return 0;
}

/* Checks a piece of text an actor gives (note, assignee). */
static int
incident_check_text(const char *what, const char *t, struct err *err)
{
	size_t n;

	if (t == NULL || *t == '\0')
		return err_set(err, ERR_USAGE, "%s: empty", what);
	n = strlen(t);
	if (n > INCIDENT_TEXT_MAX)
		return err_set(err, ERR_USAGE, "%s: longer than %d bytes", what,
		    INCIDENT_TEXT_MAX);
	if (!sanitize_is_utf8(t, n))
		return err_set(err, ERR_USAGE, "%s: not valid UTF-8", what);
	return 0;
}

/* The acting name: a->actor, else actor_name(), copied into out. */
static const char *
incident_actor(const struct incident_act *a, char out[ACTOR_MAX])
{
	if (a != NULL && a->actor != NULL)
		snprintf(out, ACTOR_MAX, "%s", a->actor);
	else
		actor_name(out);
	return out;
}

/* {"before": {"state": B}, "after": {"state": A}} plus the note. */
static json_t *
incident_state_detail(enum incident_state before, const struct incident *inc,
    const struct incident_act *a)
{
	json_t *d;

	d = json_pack("{s:{s:s}, s:{s:s, s:o}}", "before", "state",
	    incident_state_name(before), "after", "state",
	    incident_state_name(inc->state), "acked_by",
	    incident_jstr(inc->acked_by));
	if (d != NULL && a != NULL && a->note != NULL)
		json_object_set_new(d, "note", json_string(a->note));
	return d;
}

static int
incident_check_note(const struct incident_act *a, struct err *err)
{
	if (a == NULL || a->note == NULL)
		return 0;
	return incident_check_text("note", a->note, err);
}

int
incident_ack(
    struct store *s, int64_t id, const struct incident_act *a, struct err *err)
{
	char actor[ACTOR_MAX];
	struct incident inc;

	incident_actor(a, actor);
	if (incident_check_note(a, err) == -1 ||
	    incident_act_begin(s, id, a, 0, &inc, err) == -1)
		return -1;
	if (inc.state == INCIDENT_ACKNOWLEDGED) {
		err_set(err, ERR_FAILED,
		    "INC-%lld is already acknowledged by %s", (long long)id,
		    inc.acked_by != NULL ? inc.acked_by : "?");
		goto fail;
	}
	inc.state = INCIDENT_ACKNOWLEDGED;
	if (incident_set_str(&inc.acked_by, actor) == -1) {
		err_set(err, ERR_FAILED, "out of memory");
		goto fail;
	}
	return incident_act_end(s, &inc, actor, "incident.ack",
	    incident_state_detail(INCIDENT_TRIGGERED, &inc, a), err);
fail:
	store_rollback(s);
	incident_done(&inc);
	return -1;
}

int
incident_unack(
    struct store *s, int64_t id, const struct incident_act *a, struct err *err)
{
	char actor[ACTOR_MAX];
	struct incident inc;

	incident_actor(a, actor);
	if (incident_check_note(a, err) == -1 ||
	    incident_act_begin(s, id, a, 0, &inc, err) == -1)
		return -1;
	if (inc.state != INCIDENT_ACKNOWLEDGED) {
		err_set(err, ERR_FAILED, "INC-%lld is not acknowledged",
		    (long long)id);
		store_rollback(s);
		incident_done(&inc);
		return -1;
	}
	inc.state = INCIDENT_TRIGGERED;
	incident_set_str(&inc.acked_by, NULL);
	return incident_act_end(s, &inc, actor, "incident.unack",
	    incident_state_detail(INCIDENT_ACKNOWLEDGED, &inc, a), err);
}

int
incident_resolve(
    struct store *s, int64_t id, const struct incident_act *a, struct err *err)
{
	char actor[ACTOR_MAX];
	struct incident inc;
	enum incident_state before;
	json_t *d;

	incident_actor(a, actor);
	if (incident_check_note(a, err) == -1 ||
	    incident_act_begin(s, id, a, 0, &inc, err) == -1)
		return -1;
	before = inc.state;
	inc.state = INCIDENT_RESOLVED;
	inc.resolved_at = clock_now_us();
	inc.snoozed_until = 0;
	d = incident_state_detail(before, &inc, a);
	if (d != NULL)
		json_object_set_new(d, "auto", json_false());
	return incident_act_end(s, &inc, actor, "incident.resolve", d, err);
}

int
incident_reopen(
    struct store *s, int64_t id, const struct incident_act *a, struct err *err)
{
	char actor[ACTOR_MAX];
	struct incident inc;
	json_t *d;

	incident_actor(a, actor);
	if (incident_check_note(a, err) == -1 ||
	    incident_act_begin(s, id, a, 1, &inc, err) == -1)
		return -1;
	if (inc.state != INCIDENT_RESOLVED) {
		err_set(
		    err, ERR_FAILED, "INC-%lld is not resolved", (long long)id);
		store_rollback(s);
		incident_done(&inc);
		return -1;
	}
	inc.state =
	    inc.acked_by != NULL ? INCIDENT_ACKNOWLEDGED : INCIDENT_TRIGGERED;
	inc.resolved_at = 0;
	d = incident_state_detail(INCIDENT_RESOLVED, &inc, a);
	if (d != NULL)
		json_object_set_new(d, "reason", json_string("manual"));
	return incident_act_end(s, &inc, actor, "incident.reopen", d, err);
}

static int
incident_note_as(struct store *s, int64_t id, const char *text, int mitigated,
    const struct incident_act *a, struct err *err)
{
	char actor[ACTOR_MAX];
	struct incident inc;

	incident_actor(a, actor);
	if (incident_check_text("note", text, err) == -1 ||
	    incident_act_begin(s, id, a, 1, &inc, err) == -1)
		return -1;
	return incident_act_end(s, &inc, actor, "incident.note",
	    mitigated ? json_pack("{s:s, s:b}", "text", text, "mitigated", 1)
	              : json_pack("{s:s}", "text", text),
	    err);
}

int
incident_note(struct store *s, int64_t id, const char *text,
    const struct incident_act *a, struct err *err)
{
	return incident_note_as(s, id, text, 0, a, err);
}

int
incident_note_mitigated(struct store *s, int64_t id, const char *text,
    const struct incident_act *a, struct err *err)
{
	return incident_note_as(s, id, text, 1, a, err);
}

/* {"before": {field: B}, "after": {field: A}} with times or strings. */
static json_t *
incident_field_detail(const char *field, json_t *before, json_t *after,
    const struct incident_act *a)
{
	json_t *d;

	d = json_pack("{s:{s:o}, s:{s:o}}", "before", field, before, "after",
	    field, after);
	if (d != NULL && a != NULL && a->note != NULL)
		json_object_set_new(d, "note", json_string(a->note));
	return d;
}

int
incident_snooze(struct store *s, int64_t id, int64_t until_us,
    const struct incident_act *a, struct err *err)
{
	char actor[ACTOR_MAX];
	struct incident inc;
	int64_t before;

	incident_actor(a, actor);
	if (until_us <= clock_now_us())
		return err_set(err, ERR_USAGE,
		    "snooze: the time is not in "
		    "the future");
	if (incident_check_note(a, err) == -1 ||
	    incident_act_begin(s, id, a, 0, &inc, err) == -1)
		return -1;
	before =
	    incident_is_snoozed(&inc, clock_now_us()) ? inc.snoozed_until : 0;
	inc.snoozed_until = until_us;
	return incident_act_end(s, &inc, actor, "incident.snooze",
	    incident_field_detail("snoozed_until", incident_jtime(before),
	        incident_jtime(until_us), a),
	    err);
}

int
incident_unsnooze(
    struct store *s, int64_t id, const struct incident_act *a, struct err *err)
{
	char actor[ACTOR_MAX];
	struct incident inc;
	int64_t before;

	incident_actor(a, actor);
	if (incident_check_note(a, err) == -1 ||
	    incident_act_begin(s, id, a, 0, &inc, err) == -1)
		return -1;
	if (!incident_is_snoozed(&inc, clock_now_us())) {
		err_set(
		    err, ERR_FAILED, "INC-%lld is not snoozed", (long long)id);
		store_rollback(s);
		incident_done(&inc);
		return -1;
	}
	before = inc.snoozed_until;
	inc.snoozed_until = 0;
	return incident_act_end(s, &inc, actor, "incident.unsnooze",
	    incident_field_detail(
	        "snoozed_until", incident_jtime(before), json_null(), a),
	    err);
}

int
incident_assign(struct store *s, int64_t id, const char *who,
    const struct incident_act *a, struct err *err)
{
	char actor[ACTOR_MAX];
	struct incident inc;
	json_t *before;

	incident_actor(a, actor);
	if (incident_check_text("assignee", who, err) == -1 ||
	    incident_check_note(a, err) == -1 ||
	    incident_act_begin(s, id, a, 0, &inc, err) == -1)
		return -1;
	before = incident_jstr(inc.assignee);
	if (incident_set_str(&inc.assignee, who) == -1) {
		json_decref(before);
		store_rollback(s);
		incident_done(&inc);
		return err_set(err, ERR_FAILED, "out of memory");
	}
	return incident_act_end(s, &inc, actor, "incident.assign",
	    incident_field_detail("assignee", before, json_string(who), a),
	    err);
}
