/* rb_recover.c: an interrupted run's journal, and its resolution (see
 * rb_recover.h). */
#include "rb_recover.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actlog.h"
#include "rb_runs.h"

struct rb_recover {
	json_t *effects; /* seq -> effect */
	json_t *order; /* the effects in order */
	json_t *resolved;
	json_t *recovered; /* the last undo or retry that ran a recovery */
};

static int
rb_recover_row(const struct actlog_entry *e, void *ctx)
{
	struct rb_recover *r = ctx;
	json_t *d = json_loads(e->detail, 0, NULL), *fx;
	char seq[24];

	if (d == NULL)
		return 0;
	snprintf(seq, sizeof seq, "%lld",
	    (long long)json_integer_value(json_object_get(d, "seq")));
	if (strcmp(e->kind, "effect.intent") == 0) {
		fx = json_pack("{s:O, s:O, s:O, s:O, s:O?, s:b, s:n, s:O?}",
		    "seq", json_object_get(d, "seq"), "kind",
		    json_object_get(d, "kind"), "target",
		    json_object_get(d, "target"), "write",
		    json_object_get(d, "write"), "step",
		    json_object_get(d, "step"), "undo",
		    json_is_true(json_object_get(d, "undo")), "result",
		    "request", json_object_get(d, "request"));
		if (fx != NULL) {
			json_object_set(r->effects, seq, fx);
			json_array_append_new(r->order, fx);
		}
	} else if (strcmp(e->kind, "effect.result") == 0 &&
	    (fx = json_object_get(r->effects, seq)) != NULL) {
		json_object_set_new(fx, "result",
		    json_string(json_is_true(json_object_get(d, "ok"))
		            ? "ok"
		            : "failed"));
	} else if (strcmp(e->kind, "run.recover") == 0 &&
	    json_is_string(json_object_get(d, "choice")) &&
	    strcmp(json_string_value(json_object_get(d, "choice")),
	        "resolved") == 0) {
		json_decref(r->resolved);
		r->resolved =
		    json_pack("{s:s, s:O?, s:I}", "actor", e->actor, "note",
		        json_object_get(d, "note"), "at", (json_int_t)e->at_us);
	} else if (strcmp(e->kind, "run.recover") == 0 &&
	    json_integer_value(json_object_get(d, "recovery_run")) > 0) {
		/* an undo or retry that ran: the world is now what that
		 * recovery run left */
		json_decref(r->recovered);
		r->recovered = json_pack("{s:s, s:O?, s:O, s:O?, s:I}", "actor",
		    e->actor, "choice", json_object_get(d, "choice"), "run",
		    json_object_get(d, "recovery_run"), "outcome",
		    json_object_get(d, "outcome"), "at", (json_int_t)e->at_us);
	}
	json_decref(d);
	return 0;
}

/* A step's effects: those logged while step i (undo or not) ran. */
static json_t *
rb_recover_step_fx(const json_t *order, int64_t i, int undo)
{
	json_t *out = json_array(), *e;
	size_t k;

	json_array_foreach(order, k, e)
	{
		if (json_integer_value(json_object_get(e, "step")) == i &&
		    json_is_true(json_object_get(e, "undo")) == (undo != 0))
			json_array_append(out, e);
	}
	return out;
}

/* A step that began and never ended is unknown: a write whose intent
 * has no result may or may not have happened. */
static const char *
rb_recover_state(const char *status)
{
	if (strcmp(status, "ok") == 0)
		return "done";
	return strcmp(status, "running") == 0 ? "unknown" : "failed";
}

static int
rb_recover_steps(struct store *s, int64_t id, const json_t *order,
    json_t *steps, int64_t *last, struct err *err)
{
	struct store_stmt *st = store_stmt(s,
	    "SELECT idx, name, undo, status, idempotent FROM run_steps "
	    "WHERE run_id = ? ORDER BY seq",
	    err);
	int rc;

	if (st == NULL)
		return -1;
	store_bind_int64(st, 1, id);
	while ((rc = store_step(st)) == STORE_ROW) {
		int64_t i = store_col_int64(st, 0);
		int undo = store_col_int(st, 2);
		json_t *fx = rb_recover_step_fx(order, i, undo);
		const char *status = (const char *)store_col_text(st, 3);
		if (!undo && i > *last)
			*last = i;
		json_array_append_new(steps,
		    json_pack("{s:I, s:s, s:b, s:s, s:b, s:o}", "i",
		        (json_int_t)i, "name",
		        (const char *)store_col_text(st, 1), "undo", undo,
		        "state", rb_recover_state(status), "idempotent",
		        store_col_int(st, 4), "effects", fx));
	}
	store_reset(st);
	return rc == STORE_DONE ? 0 : store_sqlerr(s, err, "run steps");
}

/* The steps after the last one begun, from the newest dry-run plan of the
 * same runbook source and params. */
static int
rb_recover_rest(struct store *s, const char *runbook, const char *sha,
    const char *params, int64_t last, json_t *steps, struct err *err)
{
	json_t *plan = NULL, *e;
	int64_t pid, seen = last;
	size_t k;

	if (rb_runs_plan_last(s, runbook, sha, params, &pid, &plan, err) == -1)
		return -1;
	json_array_foreach(plan, k, e)
	{
		int64_t i = json_integer_value(json_object_get(e, "step"));
		if (i <= seen || json_is_true(json_object_get(e, "undo")))
			continue;
		seen = i;
		json_array_append_new(steps,
		    json_pack("{s:I, s:O, s:b, s:s, s:b, s:[]}", "i",
		        (json_int_t)i, "name", json_object_get(e, "step_name"),
		        "undo", 0, "state", "not started", "idempotent", 0,
		        "effects"));
	}
	json_decref(plan);
	return 0;
}

int
rb_recover_list(struct store *s, int64_t id, json_t **out, struct err *err)
{
	struct actlog_filter f = { .run = id };
	struct rb_recover r = { json_object(), json_array(), NULL, NULL };
	struct store_stmt *st;
	json_t *steps = json_array();
	char *runbook = NULL, *status = NULL, *sha = NULL, *params = NULL;
	char *source = NULL, *commit = NULL;
	int64_t incident = 0;
	json_t *pj;
	int64_t last = 0;
	int rc = -1;

	*out = NULL;
	st = store_stmt(s,
	    "SELECT runbook, status, source_sha256, params, source, commit_id, "
	    "coalesce(incident_id, 0) FROM runs WHERE id = ?",
	    err);
	if (st == NULL)
		goto out;
	store_bind_int64(st, 1, id);
	if (store_step(st) == STORE_ROW) {
		runbook = strdup((const char *)store_col_text(st, 0));
		status = strdup((const char *)store_col_text(st, 1));
		sha = strdup((const char *)store_col_text(st, 2));
		params = strdup((const char *)store_col_text(st, 3));
		source = strdup((const char *)store_col_text(st, 4));
		if (!store_col_null(st, 5))
			commit = strdup((const char *)store_col_text(st, 5));
		incident = store_col_int64(st, 6);
	}
	store_reset(st);
	if (runbook == NULL || status == NULL || sha == NULL ||
	    params == NULL) {
		err_set(err, ERR_USAGE, "no run %lld (see: owl runs)",
		    (long long)id);
		goto out;
	}
	if (actlog_each(s, &f, rb_recover_row, &r, err) == -1 ||
	    rb_recover_steps(s, id, r.order, steps, &last, err) == -1 ||
	    rb_recover_rest(s, runbook, sha, params, last, steps, err) == -1)
		goto out;
	pj = json_loads(params, 0, NULL);
	*out = json_pack("{s:I, s:s, s:s, s:O?, s:O?, s:O, s:s?, s:s?, s:s, "
	                 "s:o, s:I}",
	    "run", (json_int_t)id, "runbook", runbook, "status", status,
	    "resolved", r.resolved, "recovered", r.recovered, "steps", steps,
	    "source", source, "commit", commit, "source_sha256", sha, "params",
	    pj ? pj : json_object(), "incident", (json_int_t)incident);
	rc = *out ? 0 : err_set(err, ERR_FAILED, "out of memory");
out:
	json_decref(r.effects);
	json_decref(r.order);
	json_decref(r.resolved);
	json_decref(r.recovered);
	json_decref(steps);
	free(runbook);
	free(status);
	free(sha);
	free(params);
	free(source);
	free(commit);
	return rc;
}

int
rb_recover_log(struct store *s, int64_t id, const char *actor,
    const char *choice, const char *note, json_t *extra, struct err *err)
{
	struct store_stmt *st = store_stmt(s,
	    "SELECT status, coalesce(incident_id, 0) FROM runs WHERE id = ?",
	    err);
	struct actlog_new n = {
		.actor = actor, .run = id, .kind = "run.recover"
	};
	char status[32] = "";
	json_t *d;

	if (st == NULL) {
		json_decref(extra);
		return -1;
	}
	store_bind_int64(st, 1, id);
	if (store_step(st) == STORE_ROW) {
		snprintf(status, sizeof status, "%s",
		    (const char *)store_col_text(st, 0));
		n.incident = store_col_int64(st, 1);
	}
	store_reset(st);
	if (strcmp(status, "interrupted") != 0) {
		json_decref(extra);
		if (status[0] == '\0')
			return err_set(err, ERR_USAGE,
			    "no run %lld (see: owl runs)", (long long)id);
		return err_set(err, ERR_REFUSED,
		    "run %lld is %s, not interrupted: there is nothing to "
		    "recover",
		    (long long)id, status);
	}
	d = extra ? extra : json_object();
	json_object_set_new(d, "choice", json_string(choice));
	if (note != NULL)
		json_object_set_new(d, "note", json_string(note));
	return actlog_append_json(s, &n, d, JSON_COMPACT, NULL, err);
}
