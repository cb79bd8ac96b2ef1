/* plan.c: stored plans read back, listed, shown in full and compared
 * (see plan.h). */
#include "plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "actlog.h"
#include "clock.h"
#include "rb_diff.h"
#include "rb_runs.h"

#define PLAN_COLS                                                              \
	"p.id, p.run_id, coalesce(r.incident_id, 0), p.created_at, "           \
	"p.dry_run, p.hash, p.source_sha256, p.runbook, r.source, "            \
	"r.commit_id, r.source_ref, r.blob_id, r.actor, r.status, "            \
	"p.params, p.effects"

static char *
plan_col(struct store_stmt *st, int i)
{
	const char *s = (const char *)store_col_text(st, i);

	return s ? strdup(s) : NULL;
}

int
plan_get(struct store *s, int64_t id, struct plan *p, struct err *err)
{
	struct store_stmt *st = store_stmt(s,
	    "SELECT " PLAN_COLS " FROM plans p JOIN runs r ON r.id = p.run_id "
	    "WHERE p.id = ?",
	    err);
	int rc;

	memset(p, 0, sizeof *p);
	if (st == NULL)
		return -1;
	store_bind_int64(st, 1, id);
	if ((rc = store_step(st)) != STORE_ROW) {
		store_reset(st);
		if (rc != STORE_DONE)
			return store_sqlerr(s, err, "plans");
		return err_set(err, ERR_USAGE, "no plan %lld (see: owl plans)",
		    (long long)id);
	}
	p->id = store_col_int64(st, 0);
	p->run_id = store_col_int64(st, 1);
	p->incident = store_col_int64(st, 2);
	p->created_at = store_col_int64(st, 3);
	p->dry_run = store_col_int(st, 4);
	snprintf(
	    p->hash, sizeof p->hash, "%s", (const char *)store_col_text(st, 5));
	snprintf(p->source_sha256, sizeof p->source_sha256, "%s",
	    (const char *)store_col_text(st, 6));
	p->runbook = plan_col(st, 7);
	p->source = plan_col(st, 8);
	p->commit = plan_col(st, 9);
	p->ref = plan_col(st, 10);
	p->blob = plan_col(st, 11);
	p->actor = plan_col(st, 12);
	p->status = plan_col(st, 13);
	p->params = json_loads((const char *)store_col_text(st, 14), 0, NULL);
	p->effects = json_loads((const char *)store_col_text(st, 15), 0, NULL);
	store_reset(st);
	if (p->runbook == NULL || p->source == NULL || p->params == NULL ||
	    p->effects == NULL) {
		plan_done(p);
		return err_set(err, ERR_FAILED, "plan %lld: unreadable row",
		    (long long)id);
	}
	return 0;
}

void
plan_done(struct plan *p)
{
	if (p == NULL)
		return;
	free(p->runbook);
	free(p->source);
	free(p->commit);
	free(p->ref);
	free(p->blob);
	free(p->actor);
	free(p->status);
	json_decref(p->params);
	json_decref(p->effects);
	memset(p, 0, sizeof *p);
}

json_t *
plan_preconditions(const json_t *effects)
{
	json_t *out = json_array(), *e, *r;
	size_t i;

	json_array_foreach(effects, i, e)
	{
		if (json_is_true(json_object_get(e, "write")))
			break;
		if ((r = json_object_get(e, "read")) == NULL)
			continue;
		json_array_append_new(out,
		    json_pack("{s:O, s:O, s:O, s:O?, s:O}", "seq",
		        json_object_get(e, "seq"), "kind",
		        json_object_get(e, "kind"), "target",
		        json_object_get(e, "target"), "status",
		        json_object_get(r, "status"), "sha256",
		        json_object_get(r, "sha256")));
	}
	return out;
}

static json_t *
plan_time(int64_t us)
{
	char t[40];
	time_t s = (time_t)(us / 1000000);
	struct tm tm;

	gmtime_r(&s, &tm);
	strftime(t, sizeof t, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_string(t);
}

json_t *
plan_json(const struct plan *p)
{
	return json_pack("{s:I, s:s, s:I, s:s, s:s, s:s?, s:s?, s:s?, s:s, "
	                 "s:O, s:s?, s:o, s:b, s:o, s:s?, s:o, s:O}",
	    "id", (json_int_t)p->id, "hash", p->hash, "run",
	    (json_int_t)p->run_id, "runbook", p->runbook, "source", p->source,
	    "commit", p->commit, "ref", p->ref, "blob", p->blob,
	    "source_sha256", p->source_sha256, "params", p->params, "actor",
	    p->actor, "incident",
	    p->incident ? json_integer(p->incident) : json_null(), "dry_run",
	    p->dry_run, "created_at", plan_time(p->created_at), "status",
	    p->status, "preconditions", plan_preconditions(p->effects),
	    "effects", p->effects);
}

static int64_t
plan_writes(const char *effects)
{
	json_t *e = json_loads(effects ? effects : "[]", 0, NULL), *x;
	int64_t n = 0;
	size_t i;

	json_array_foreach(e, i, x) n +=
	    json_is_true(json_object_get(x, "write")) &&
	    !json_is_true(json_object_get(x, "undo"));
	json_decref(e);
	return n;
}

int
plan_list(
    struct store *s, int64_t incident, int limit, json_t **out, struct err *err)
{
	/* two statements, one per shape: each uses its index */
	struct store_stmt *st = store_stmt(s,
	    incident > 0 ? "SELECT " PLAN_COLS " FROM runs r JOIN plans p ON "
	                   "p.run_id = r.id WHERE r.incident_id = ?2 "
	                   "ORDER BY p.id DESC LIMIT ?1"
	                 : "SELECT " PLAN_COLS " FROM plans p JOIN runs r ON "
	                   "r.id = p.run_id ORDER BY p.id DESC LIMIT ?1",
	    err);
	int rc;

	*out = NULL;
	if (st == NULL)
		return -1;
	store_bind_int(st, 1, limit);
	if (incident > 0)
		store_bind_int64(st, 2, incident);
	*out = json_array();
	while ((rc = store_step(st)) == STORE_ROW) {
		int64_t inc = store_col_int64(st, 2);
		json_array_append_new(*out,
		    json_pack("{s:I, s:s, s:I, s:s, s:s?, s:s?, s:o, s:b, s:I, "
		              "s:o, s:s?}",
		        "id", (json_int_t)store_col_int64(st, 0), "hash",
		        (const char *)store_col_text(st, 5), "run",
		        (json_int_t)store_col_int64(st, 1), "runbook",
		        (const char *)store_col_text(st, 7), "commit",
		        (const char *)store_col_text(st, 9), "actor",
		        (const char *)store_col_text(st, 12), "incident",
		        inc ? json_integer(inc) : json_null(), "dry_run",
		        store_col_int(st, 4), "writes",
		        (json_int_t)plan_writes(
		            (const char *)store_col_text(st, 15)),
		        "created_at", plan_time(store_col_int64(st, 3)),
		        "status", (const char *)store_col_text(st, 13)));
	}
	store_reset(st);
	if (rc != STORE_DONE) {
		json_decref(*out);
		*out = NULL;
		return store_sqlerr(s, err, "plans");
	}
	return 0;
}

int
plan_approve(
    struct store *s, const struct plan *p, const char *actor, struct err *err)
{
	struct actlog_new n = { .actor = actor,
		.incident = p->incident,
		.run = p->run_id,
		.kind = "plan.approve" };
	struct store_stmt *st;
	json_t *d;
	int rc = -1;

	if (p->actor != NULL && strcmp(p->actor, actor) == 0)
		return err_set(err, ERR_REFUSED,
		    "plan %lld is yours (you made its dry-run): another "
		    "person must approve it",
		    (long long)p->id);
	d = json_pack("{s:I, s:s, s:s}", "plan", (json_int_t)p->id, "hash",
	    p->hash, "runbook", p->runbook);
	if (d == NULL)
		return err_set(err, ERR_FAILED, "out of memory");
	if (store_begin(s, err) == -1)
		goto out;
	st = store_stmt(s,
	    "INSERT INTO plan_approvals(plan_id, hash, actor, at) "
	    "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
	    err);
	if (st == NULL)
		goto fail;
	store_bind_int64(st, 1, p->id);
	store_bind_text(st, 2, p->hash, -1, STORE_TRANSIENT);
	store_bind_text(st, 3, actor, -1, STORE_TRANSIENT);
	store_bind_int64(st, 4, clock_now_us());
	if (store_step_done(s, st, "plan approvals", err) == -1)
		goto fail;
	if (store_changes(s) == 0) {
		err_set(err, ERR_REFUSED, "%s approved plan %lld already",
		    actor, (long long)p->id);
		goto fail;
	}
	rc = actlog_append_json(s, &n, d, JSON_COMPACT, NULL, err);
	d = NULL; /* taken by actlog_append_json */
	if (rc == -1)
		goto fail;
	rc = store_commit(s, err);
	goto out;
fail:
	store_rollback(s);
out:
	json_decref(d);
	return rc;
}

int
plan_approved(struct store *s, int64_t id, const char *hash, const char *actor,
    char *by, size_t n, struct err *err)
{
	struct store_stmt *st = store_stmt(s,
	    "SELECT actor FROM plan_approvals WHERE plan_id = ? AND hash = ? "
	    "AND actor <> ? ORDER BY at LIMIT 1",
	    err);
	int rc;

	if (st == NULL)
		return -1;
	store_bind_int64(st, 1, id);
	store_bind_text(st, 2, hash, -1, STORE_TRANSIENT);
	store_bind_text(st, 3, actor, -1, STORE_TRANSIENT);
	rc = store_step(st);
	if (rc == STORE_ROW)
		snprintf(by, n, "%s", (const char *)store_col_text(st, 0));
	store_reset(st);
	if (rc == STORE_ROW)
		return 1;
	return rc == STORE_DONE ? 0 : store_sqlerr(s, err, "plan approvals");
}
